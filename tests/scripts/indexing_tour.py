"""Picking rows, columns and cells with ranges, lists, numpy arrays and masks."""
import numpy as np
import torch

grid = torch.arange(20.0).reshape(4, 5)
print(grid[range(2)])
print(grid[:, range(0, 5, 2)])
print(grid[range(1, 3), range(2)])
print(grid[np.array([3, 0])])
print(grid[([0, 1, 2], [4, 3, 2])])
rows = np.array([[0], [3]])
cols = np.array([1, 4])
print(grid[rows, cols])
print(grid[grid.sum(axis=1) > 30])
grid[range(2), range(2)] = -1.0
print(grid)
grid[:, range(4, 5)] = torch.tensor([[9.0], [8.0], [7.0], [6.0]])
print(grid[..., range(3, 5)])
print(grid[np.int64(2)], grid[[]].shape)
