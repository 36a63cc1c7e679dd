"""Constructors that are not plain factories: index grids (tril/triu_indices), logspace, and the
tensor-combining block_diag / cartesian_prod / combinations (differentiable, one op each)."""

from __future__ import annotations

import itertools
from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import _dtypes
from .._dtypes import legacy_name
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose


def _leaf(host: np.ndarray, dtype: _dtypes.dtype, requires_grad: bool = False, device: Any = None):
    from .._creation import _leaf as make

    return make(host, dtype, requires_grad, device)


def _indices(kind: str, row: int, col: int, offset: int, dtype, device) -> Any:
    for v in (row, col):
        if v < 0:
            raise RuntimeError(f"row must be non-negative, got{row}" if v is row else
                               f"col must be non-negative, got{col}")
    dtype = dtype or _dtypes.int64
    if dtype not in (_dtypes.int32, _dtypes.int64):
        raise NotImplementedError(f'"{kind}_indices" not implemented for '
                                  f"'{legacy_name(dtype)}'")
    fn = np.tril_indices if kind == "tril" else np.triu_indices
    rows, cols = fn(row, offset, col) if row and col else (np.zeros(0), np.zeros(0))
    return _leaf(np.stack([rows, cols]).astype(np.int64), dtype, False, device)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Any:
    """torch.tril_indices: the (2, N) coordinates of the lower triangle, row-major."""
    return _indices("tril", row, col, offset, dtype, device)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Any:
    """torch.triu_indices: the (2, N) coordinates of the upper triangle, row-major."""
    return _indices("triu", row, col, offset, dtype, device)


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False, **_: Any) -> Any:
    """torch.logspace: ``base ** linspace(start, end, steps)`` (computed in float64)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dtypes.get_default_dtype()
    exps = np.linspace(float(start), float(end), steps)
    host = np.power(float(base), exps)
    if not dtype.is_floating_point:
        host = np.trunc(host)
    return _leaf(host, dtype, requires_grad, device)


# ---- tensor combinations -----------------------------------------------------------------------
def _block_diag(*xs):
    mats = [x.reshape(1, -1) if x.ndim < 2 else x for x in xs]
    rows = sum(m.shape[0] for m in mats)
    cols = sum(m.shape[1] for m in mats)
    out = jnp.zeros((rows, cols), mats[0].dtype)
    r = c = 0
    for m in mats:
        out = out.at[r:r + m.shape[0], c:c + m.shape[1]].set(m)
        r, c = r + m.shape[0], c + m.shape[1]
    return out


BLOCK_DIAG = register("block_diag", _block_diag, "BlockDiagBackward0")


def block_diag(*tensors: Any) -> Any:
    """torch.block_diag: 0-d and 1-D inputs count as 1 x n blocks; dtypes promote."""
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {t.ndim} dimensions")
    if not tensors:
        return _leaf(np.zeros((1, 0)), _dtypes.get_default_dtype())
    return dispatch(BLOCK_DIAG, tuple(tensors))


def _cartesian(*xs):
    grids = jnp.meshgrid(*xs, indexing="ij")
    return jnp.stack([g.reshape(-1) for g in grids], axis=1)


CARTESIAN = register("cartesian_prod", _cartesian, "StackBackward0", dtype_rule=KEEP)


def cartesian_prod(*tensors: Any) -> Any:
    """torch.cartesian_prod of 1-D tensors (one tensor: returned as is, like torch)."""
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    if len(tensors) == 1:
        return tensors[0]
    return dispatch(CARTESIAN, tuple(tensors))


COMBINATIONS = register("combinations",
                        lambda a, idx, r: a[np.asarray(idx, dtype=np.int64).reshape(-1, r)],
                        "StackBackward0", dtype_rule=KEEP, saves_inputs=(0,))


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:
    """torch.combinations of a 1-D tensor's elements, in itertools order."""
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _leaf(np.zeros(0), input.dtype)
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = tuple(gen(range(input.shape[0]), r))
    return dispatch(COMBINATIONS, (input,), (idx, r))


for _f in (tril_indices, triu_indices, logspace, block_diag, cartesian_prod):
    expose(_f.__name__, method=False)(_f)
expose("combinations", method=False)(combinations)
