"""A tensor and a numpy array over the same memory: a change on one side shows on the other."""
import numpy as np
import torch

# A CPU tensor handed to numpy: both names now refer to one block of memory.
counts = torch.zeros(4)
as_array = counts.numpy()
counts.add_(3)
print("tensor after add_:", counts)
print("array sees it:    ", as_array)
as_array[1] = -1.5
print("tensor sees the array's write:", counts)

# The other way round: wrap an existing array without copying it.
prices = np.array([9.5, 12.0, 3.25])
wrapped = torch.from_numpy(prices)
np.multiply(prices, 2, out=prices)
print("doubled through numpy:", wrapped)
wrapped[2] = 0.0
print("zeroed through torch: ", prices)
print("dtype kept:", wrapped.dtype)

# Slices share as well: a row of the tensor, a column of the array.
grid = torch.arange(6, dtype=torch.int32).reshape(2, 3)
grid_np = grid.numpy()
grid[1].mul_(10)
grid_np[:, 0] = 7
print("grid:\n", grid)
print("column view strides:", grid.t().numpy().strides)

# as_tensor shares when no cast is asked for; tensor() always copies.
source = np.ones(3)
shared, copied = torch.as_tensor(source), torch.tensor(source)
source += 1
print("as_tensor:", shared, "tensor:", copied)

# A result of an out-of-place op is a new tensor with memory of its own.
fresh = counts * 2
as_array[:] = 100
print("out-of-place result unchanged:", fresh)

# Gradients: numpy() refuses a tensor that is part of the graph, detach() shares.
weights = torch.from_numpy(np.array([0.5, -1.0])).requires_grad_()
try:
    weights.numpy()
except RuntimeError as err:
    print("refused:", err)
view = weights.detach().numpy()
(weights ** 2).sum().backward()
with torch.no_grad():
    weights -= 0.25 * weights.grad
print("updated through the shared view:", view)
