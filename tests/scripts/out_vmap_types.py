"""Preallocated outputs, vmap and type checks, as a tutorial script writes them."""

import copy
import pickle

import torch

torch.manual_seed(0)

# out=: results written into tensors allocated up front
a = torch.arange(6, dtype=torch.float32).reshape(2, 3)
b = torch.ones(3, 2)
buf = torch.empty(0)
res = torch.matmul(a, b, out=buf)
print(res is buf, buf)
acc = torch.zeros(2, 3, dtype=torch.float64)
torch.add(a, 0.5, out=acc)
print(acc)
total = torch.empty(0)
torch.sum(a, 1, out=total)
print(total)
idx = torch.empty(0, dtype=torch.long)
vals = torch.empty(0)
print(torch.max(a, 1, out=(vals, idx)))
print(vals, idx)
ints = torch.empty(0, dtype=torch.int32)
print(torch.arange(4, out=ints), torch.zeros(2, out=torch.empty(0, dtype=torch.long)))
try:
    torch.add(a, 1, out=torch.empty(2, 3, dtype=torch.long))
except RuntimeError as e:
    print("RuntimeError:", e)
w = torch.ones(3, requires_grad=True)
try:
    torch.mul(w, 2, out=torch.empty(3))
except RuntimeError as e:
    print("RuntimeError:", e)
with torch.no_grad():
    print(torch.mul(w, 2, out=torch.empty(3)))

# vmap: a per-example function over a batch
def dot(x, y):
    return (x * y).sum()

xs = torch.arange(12, dtype=torch.float32).reshape(4, 3)
ys = torch.ones(4, 3)
print(torch.vmap(dot)(xs, ys))
print(torch.vmap(dot, in_dims=(0, None))(xs, torch.tensor([1.0, 0.0, -1.0])))

# what type(t) and friends print
t = torch.tensor([1.0, 2.0])
p = torch.nn.Parameter(torch.zeros(2))
print(type(t), type(p), torch.Tensor, torch.Tensor.__module__)
print(isinstance(p, torch.Tensor), type(t).__name__, type(t).__qualname__)
print(pickle.loads(pickle.dumps(t)), type(pickle.loads(pickle.dumps(p))))
print(copy.deepcopy(p))
