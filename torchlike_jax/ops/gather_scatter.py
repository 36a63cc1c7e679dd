"""Gather/scatter family: gather, scatter(_add/_reduce), index_select/add/copy/fill,
masked_fill/scatter/select, take, take_along_dim, put, the *_scatter embeddings, nonzero,
argwhere and repeat_interleave.

Index values are data, so they are arguments of the jitted function (new indices never
recompile). torch checks index bounds on the host for CPU tensors, and so do we (``bounds``:
one host read of the index and a min/max per call, skipped inside compile/func traces, where
JAX would clamp or drop an out-of-range index). Ops whose output shape depends on the data
(masked_select, nonzero, repeat_interleave with a tensor of repeats) synchronise, exactly where
torch does.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import cpp_type_name, legacy_name
from ..core.dims import broadcast_shapes, norm_dim
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .bounds import check_dim_range, check_flat_range, check_in_self, first_out_of_range
from .scatter_set import scatter_set

_INT_KINDS = ("int64", "int32")


def _coords(shape: tuple, dim: int, index):
    """Full coordinates for scatter/gather: ``index`` along ``dim``, the position elsewhere."""
    grids = jnp.meshgrid(*(jnp.arange(s) for s in shape), indexing="ij") if shape else []
    return tuple(index if d == dim else g for d, g in enumerate(grids))


def _head(x, shape: tuple):
    """The leading ``shape`` block of ``x`` (src may be larger than index in every dim)."""
    return x[tuple(slice(0, s) for s in shape)]


# ---- gather / scatter ---------------------------------------------------------------------------
def _gather_impl(a, idx, dim):
    if a.ndim == 0:
        return a.reshape(idx.shape)
    return a[_coords(idx.shape, dim, idx)]


def _scatter_impl(a, idx, src, dim, reduce):
    if a.ndim == 0:
        a, idx, src = a.reshape(1), idx.reshape(1), src.reshape(-1)
        out = _scatter_impl(a, idx, src, 0, reduce)
        return out.reshape(())
    at = a.at[_coords(idx.shape, dim, idx)]
    val = _head(src, idx.shape) if src.ndim else src
    val = val.astype(a.dtype)
    if reduce == "add":
        return at.add(val)
    if reduce == "multiply":
        return at.multiply(val)
    return scatter_set(a, _coords(idx.shape, dim, idx), val)


GATHER = register("gather", _gather_impl, "GatherBackward0", dtype_rule=KEEP)
SCATTER = register("scatter", _scatter_impl, "ScatterBackward0", dtype_rule=KEEP)
SCATTER_VALUE = register("scatter_value", _scatter_impl, "ScatterBackward1", dtype_rule=KEEP)
SCATTER_ADD = register("scatter_add", lambda a, i, s, d: _scatter_impl(a, i, s, d, "add"),
                       "ScatterAddBackward0", dtype_rule=KEEP)


def _check_index(index, name: str) -> None:
    if index.dtype.name not in _INT_KINDS:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")


def _dim_size(input, d: int) -> int:
    """The size an index along ``d`` must stay below (a 0-dim tensor counts as size 1)."""
    return input.shape[d] if input.ndim else 1


def _check_scatter_shapes(input, index, src, dim: int, name: str = "scatter") -> None:
    if index.ndim != input.ndim and index.numel() and input.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    for d in range(index.ndim):
        bad_self = d != dim and index.shape[d] > input.shape[d]
        bad_src = src is not None and src.ndim and index.shape[d] > src.shape[d]
        if bad_self or bad_src:
            extra = "" if src is None else \
                f" and to be no larger size than src {list(src.shape)}"
            raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than self "
                               f"{list(input.shape)} apart from dimension {dim}{extra}")


def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """torch.gather: out[i][j] = input[index[i][j]][j] (for dim 0), index shape = out shape."""
    _check_index(index, "gather")
    d = norm_dim(dim, input.ndim)
    if index.ndim != input.ndim and input.ndim and index.numel():
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for k in range(index.ndim):
        if k != d and input.ndim and index.shape[k] > input.shape[k]:
            raise RuntimeError(f"Size does not match at dimension {k} expected index "
                               f"{list(index.shape)} to be no larger than self "
                               f"{list(input.shape)} apart from dimension {d}")
    check_dim_range(index, _dim_size(input, d), d)
    return dispatch(GATHER, (input, index), (d,))


def scatter(input, dim: int, index, src=None, *, value=None, reduce: str | None = None):
    """torch.scatter: out = input with out[index[i][j]][j] = src[i][j] (for dim 0); ``src`` may
    be a scalar (the value overload). ``reduce`` "add"/"multiply" combines instead."""

    if src is None:
        src = value
    _check_index(index, "scatter")
    d = norm_dim(dim, input.ndim)
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
    if isinstance(src, Tensor):
        if reduce is not None:
            warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and "
                          "will be removed in a future PyTorch release. Use torch.scatter_reduce "
                          "instead for more reduction options.", UserWarning, stacklevel=2)
        if src.dtype is not input.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        _check_scatter_shapes(input, index, src, d)
        check_dim_range(index, _dim_size(input, d), d)
        return dispatch(SCATTER, (input, index, src), (d, reduce))
    _check_scatter_shapes(input, index, None, d)
    check_dim_range(index, _dim_size(input, d), d)
    return dispatch(SCATTER_VALUE, (input, index, src), (d, reduce))


def scatter_add(input, dim: int, index, src):
    """torch.scatter_add: like scatter, but adds (duplicate indices accumulate)."""
    _check_index(index, "scatter")
    d = norm_dim(dim, input.ndim)
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_scatter_shapes(input, index, src, d)
    check_dim_range(index, _dim_size(input, d), d)
    return dispatch(SCATTER_ADD, (input, index, src), (d,))


def _scatter_reduce_impl(a, idx, src, dim, reduce, include_self):
    """scatter_reduce with torch's gradients: amax/amin split the gradient evenly between every
    element equal to the result (self included), prod uses a dense product (exact with zeros)."""
    if a.ndim == 0:
        out = _scatter_reduce_impl(a.reshape(1), idx.reshape(1), src.reshape(-1), 0, reduce,
                                   include_self)
        return out.reshape(())
    coords = _coords(idx.shape, dim, idx)
    val = _head(src, idx.shape)
    ones = jnp.ones(idx.shape, jnp.int32)
    hits = jnp.zeros(a.shape, jnp.int32).at[coords].add(ones)
    touched = hits > 0
    keep_self = jnp.logical_or(include_self, jnp.logical_not(touched))
    if reduce == "sum":
        base = jnp.where(keep_self, a, jnp.zeros_like(a))
        return base.at[coords].add(val)
    if reduce == "mean":
        base = jnp.where(keep_self, a, jnp.zeros_like(a))
        total = base.at[coords].add(val)
        count = hits + keep_self.astype(jnp.int32)
        count = jnp.maximum(count, 1)
        if jnp.issubdtype(a.dtype, jnp.floating):
            return total / count.astype(a.dtype)
        return jnp.floor_divide(total, count.astype(a.dtype))
    if reduce == "prod":
        flat_pos = jnp.ravel_multi_index(tuple(c.ravel() for c in coords), a.shape, mode="clip")
        onehot = flat_pos[:, None] == jnp.arange(a.size)[None, :]
        factors = jnp.where(onehot, val.ravel()[:, None], jnp.ones((), a.dtype))
        prod_src = jnp.prod(factors, axis=0, dtype=a.dtype).reshape(a.shape)
        return jnp.where(keep_self, a, jnp.ones_like(a)) * prod_src
    # amax / amin
    sg = jax.lax.stop_gradient
    fill = jnp.array(-jnp.inf if reduce == "amax" else jnp.inf, a.dtype) \
        if jnp.issubdtype(a.dtype, jnp.floating) else \
        jnp.array(jnp.iinfo(a.dtype).min if reduce == "amax" else jnp.iinfo(a.dtype).max,
                  a.dtype)
    base = jnp.where(keep_self, a, fill)
    at = base.at[coords]
    res = sg(at.max(val) if reduce == "amax" else at.min(val))
    if not jnp.issubdtype(a.dtype, jnp.floating):
        return res
    self_tie = jnp.logical_and(keep_self, a == res)
    src_tie = val == res[coords]
    count = self_tie.astype(a.dtype).at[coords].add(src_tie.astype(a.dtype))
    contrib = jnp.where(self_tie, a - sg(a), 0).at[coords].add(
        jnp.where(src_tie, val - sg(val), 0))
    return res + contrib / jnp.maximum(count, 1)


SCATTER_REDUCE = register("scatter_reduce", _scatter_reduce_impl, "ScatterReduceBackward0",
                          dtype_rule=KEEP)
_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True):
    """torch.scatter_reduce: combine ``src`` into ``input`` at ``index`` with ``reduce``."""
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    _check_index(index, "scatter")
    d = norm_dim(dim, input.ndim)
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    _check_scatter_shapes(input, index, src, d)
    check_dim_range(index, _dim_size(input, d), d)
    return dispatch(SCATTER_REDUCE, (input, index, src), (d, reduce, bool(include_self)))


def _index_reduce_impl(a, idx, src, dim, reduce, include_self):
    shape = [1] * src.ndim
    shape[dim] = -1
    full = jnp.broadcast_to(idx.reshape(shape), src.shape)
    return _scatter_reduce_impl(a, full, src, dim, reduce, include_self)


INDEX_REDUCE = register("index_reduce", _index_reduce_impl, "IndexReduceBackward0",
                        dtype_rule=KEEP)


def index_reduce(input, dim: int, index, source, reduce: str, *, include_self: bool = True):
    """torch.index_reduce: combine the slices of ``source`` into the slices ``index`` of
    ``input`` with ``reduce`` (prod, mean, amax, amin); ties split amax/amin's gradient."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    d = _index_source(input, dim, index, source, "index_reduce_")
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning,
                  stacklevel=2)
    check_in_self(index, _dim_size(input, d))
    return dispatch(INDEX_REDUCE, (input, index, source), (d, reduce, bool(include_self)))


# ---- index_* ------------------------------------------------------------------------------------
def _along(dim: int, idx) -> tuple:
    return (slice(None),) * dim + (idx,)


def _index_select_impl(a, i, d):
    if a.ndim == 0:  # torch: a 0-dim input gives a 0-dim result (the index must be [0])
        return a.reshape(1)[i.reshape(-1)].reshape(())
    return jnp.take(a, i.reshape(-1), axis=d)


INDEX_SELECT = register("index_select", _index_select_impl, "IndexSelectBackward0",
                        dtype_rule=KEEP)
INDEX_ADD = register("index_add", lambda a, i, s, d, alpha: a.at[_along(d, i.reshape(-1))].add(
    (s if alpha == 1 else s * alpha).astype(a.dtype)) if a.ndim else a + s * alpha,
    "IndexAddBackward0", dtype_rule=KEEP)
def _index_copy_impl(a, i, s, d):
    if not a.ndim:
        return s.reshape(()).astype(a.dtype)
    if not s.ndim:  # one index, a 0-dim source
        s = s.reshape((1,) * a.ndim)
    out = scatter_set(jnp.moveaxis(a, d, 0), i.reshape(-1), jnp.moveaxis(s.astype(a.dtype), d, 0))
    return jnp.moveaxis(out, 0, d)


INDEX_COPY = register("index_copy", _index_copy_impl, "IndexCopyBackward0", dtype_rule=KEEP)
INDEX_FILL = register("index_fill", lambda a, i, v, d: a.at[_along(d, i.reshape(-1))].set(
    v.astype(a.dtype)) if a.ndim else v.astype(a.dtype), "IndexFillBackward0", dtype_rule=KEEP)
INDEX_FILL_T = register("index_fill_tensor", INDEX_FILL.impl, "IndexFillBackward1",
                        dtype_rule=KEEP)


def _check_vector_index(index, name: str) -> None:
    if index.dtype.name not in _INT_KINDS:
        raise RuntimeError(f"{name}(): Expected dtype int32 or int64 for index")
    if index.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")


def index_select(input, dim: int, index):
    """torch.index_select: the slices ``index`` along ``dim``."""
    _check_vector_index(index, "index_select")
    d = norm_dim(dim, input.ndim)
    size = _dim_size(input, d)
    if input.ndim > 1 and (d == 1 or not input.numel()):
        # torch's CPU kernel checks these cases in a fast path with its own message
        bad = first_out_of_range(index, size)
        if bad is not None:
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} "
                               f"axis_dim={size}")
    else:
        check_in_self(index, size)
    return dispatch(INDEX_SELECT, (input, index), (d,))


def _index_source(input, dim, index, source, name: str, cls: type = RuntimeError,
                  sep: str = ": ") -> int:
    if index.dtype.name not in _INT_KINDS:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if index.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    d = norm_dim(dim, input.ndim)
    if source.dtype is not input.dtype:
        raise RuntimeError(f"{name}(): self ({legacy_name(input.dtype)}) and source "
                           f"({legacy_name(source.dtype)}) must have the same scalar type")
    n = source.shape[d] if source.ndim else 1
    if index.numel() != n:
        raise cls(f"{name}(): Number of indices ({index.numel()}) should be equal to "
                  f"source.size(dim){sep}({n}), for dim: {d}" if cls is RuntimeError else
                  f"{name}(): Number of indices ({index.numel()}) should be equal to "
                  f"source.size(dim) ({n})")
    return d


def index_add(input, dim: int, index, source, *, alpha=1):
    """torch.index_add: input with ``alpha * source`` added to the slices ``index``."""
    d = _index_source(input, dim, index, source, "index_add_")
    if input.ndim > 1 and d in (0, input.ndim - 1) and index.dtype.name == "int64" \
            and alpha == 1:  # torch's CPU kernel hands this case to scatter_add's check
        check_dim_range(index, input.shape[d], d)
    else:
        check_in_self(index, _dim_size(input, d))
    return dispatch(INDEX_ADD, (input, index, source), (d, alpha))


def index_copy(input, dim: int, index, source):
    """torch.index_copy: input with the slices ``index`` replaced by ``source``."""
    d = _index_source(input, dim, index, source, "index_copy_", IndexError)
    check_dim_range(index, _dim_size(input, d), d, IndexError, "index_copy_(): ")
    return dispatch(INDEX_COPY, (input, index, source), (d,))


def index_fill(input, dim: int, index, value):
    """torch.index_fill: input with the slices ``index`` set to ``value``."""

    if index.dtype.name not in _INT_KINDS:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    d = norm_dim(dim, input.ndim)
    check_dim_range(index, _dim_size(input, d), d, IndexError, negative_ok=True)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return dispatch(INDEX_FILL_T, (input, index, value), (d,))
    return dispatch(INDEX_FILL, (input, index, value), (d,))


# ---- masked_* -----------------------------------------------------------------------------------
MASKED_FILL = register("masked_fill", lambda a, m, v: jnp.where(m, v.astype(a.dtype), a),
                       "MaskedFillBackward0", dtype_rule=KEEP, hidden_inputs=(1,))
MASKED_FILL_T = register("masked_fill_tensor", MASKED_FILL.impl, "MaskedFillBackward1",
                         dtype_rule=KEEP, hidden_inputs=(1,))  # the mask is no input of the node


def _masked_scatter_impl(a, m, src, shape):
    mb = jnp.broadcast_to(m, shape).ravel()
    pos = jnp.clip(jnp.cumsum(mb.astype(jnp.int32)) - 1, 0, max(src.size - 1, 0))
    vals = src.ravel()[pos] if src.size else jnp.zeros(pos.shape, a.dtype)
    return jnp.where(mb, vals, jnp.broadcast_to(a, shape).ravel()).reshape(shape)


MASKED_SCATTER = register("masked_scatter", _masked_scatter_impl, "MaskedScatterBackward0",
                          dtype_rule=KEEP)
MASKED_SELECT = register("masked_select", lambda a, i, shape: jnp.broadcast_to(a, shape).ravel()[i],
                         "MaskedSelectBackward0", dtype_rule=KEEP)


def masked_fill(input, mask, value):
    """torch.masked_fill: ``value`` where ``mask`` is True (mask broadcasts)."""

    if mask.dtype.name != "bool":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{cpp_type_name(mask.dtype)}")
    broadcast_shapes(input.shape, mask.shape)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got "
                               f"tensor with {value.ndim} dimension(s).")
        return dispatch(MASKED_FILL_T, (input, mask, value))
    return dispatch(MASKED_FILL, (input, mask, value))


def masked_scatter(input, mask, source):
    """torch.masked_scatter: the True positions (row-major) take ``source``'s elements in order."""
    if mask.dtype.name != "bool":
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{cpp_type_name(mask.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{legacy_name(input.dtype)} and {legacy_name(source.dtype)}")
    shape = broadcast_shapes(input.shape, mask.shape)
    return dispatch(MASKED_SCATTER, (input, mask, source), (tuple(shape),))


def masked_select(input, mask):
    """torch.masked_select: the elements where ``mask`` is True, as a 1-D tensor (syncs)."""
    if mask.dtype.name != "bool":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = tuple(broadcast_shapes(input.shape, mask.shape))
    host = np.broadcast_to(np.asarray(array_of(mask)), shape)
    idx = np.flatnonzero(host).astype(np.int64)
    return dispatch(MASKED_SELECT, (input, idx), (shape,))


# ---- flat indexing ------------------------------------------------------------------------------
TAKE = register("take", lambda a, i: a.ravel()[i], "TakeBackward0", dtype_rule=KEEP)
TAKE_ALONG = register("take_along_dim", lambda a, i, dim, sa, si: jnp.take_along_axis(
    jnp.broadcast_to(a, sa), jnp.broadcast_to(i, si), axis=dim), "GatherBackward0",
    dtype_rule=KEEP)
TAKE_FLAT = register("take_along_dim_flat", lambda a, i: a.ravel()[i.ravel()], "GatherBackward0",
                     dtype_rule=KEEP)
PUT = register("put", lambda a, i, s, acc: (a.ravel().at[i.ravel()].add(s.ravel()) if acc else
                                            scatter_set(a.ravel(), i.ravel(), s.ravel())).reshape(
    a.shape), "PutBackward0", dtype_rule=KEEP)


def take(input, index):
    """torch.take: elements of the flattened input; the result has ``index``'s shape."""
    if index.dtype.name != "int64":
        raise RuntimeError(f"take(): Expected a long tensor for index, but got "
                           f"{legacy_name(index.dtype)}")
    check_flat_range(index, input.numel())
    return dispatch(TAKE, (input, index))


def take_along_dim(input, indices, dim: int | None = None):
    """torch.take_along_dim: gather along ``dim`` with broadcasting (flattened when None)."""
    if indices.dtype.name not in _INT_KINDS:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be int64 but got "
                           f"{indices.dtype}")
    if dim is None:
        check_dim_range(indices, input.numel(), 0)
        return dispatch(TAKE_FLAT, (input, indices))
    d = norm_dim(dim, input.ndim)
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    sa, si = list(input.shape), list(indices.shape)
    sa[d] = si[d] = 1
    common = list(broadcast_shapes(sa, si))
    sa, si = list(common), list(common)
    sa[d], si[d] = input.shape[d], indices.shape[d]
    # torch wraps negative indices here and reads past the dim for too-large ones (no check);
    # we raise gather's error instead of returning whatever memory that would be
    check_dim_range(indices, input.shape[d], d, negative_ok=True)
    return dispatch(TAKE_ALONG, (input, indices), (d, tuple(sa), tuple(si)))


def put(input, index, source, accumulate: bool = False):
    """torch.put: write ``source`` into the flattened input at ``index``."""
    if index.dtype.name != "int64":
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got "
                           f"{legacy_name(index.dtype)}")
    if source.dtype is not input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {legacy_name(input.dtype)} and source.dtype = "
                           f"{legacy_name(source.dtype)}")
    if index.numel() != source.numel():
        raise RuntimeError(f"put_(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, index.numel() "
                           f"= {index.numel()}")
    check_flat_range(index, input.numel())
    return dispatch(PUT, (input, index, source), (bool(accumulate),))


# ---- *_scatter: embed a source into a view position ---------------------------------------------
SELECT_SCATTER = register("select_scatter", lambda a, s, d, i: a.at[_along(d, i)].set(
    s.astype(a.dtype)), "SelectScatterBackward0", dtype_rule=KEEP)
SLICE_SCATTER = register("slice_scatter", lambda a, s, d, lo, hi, st: a.at[
    _along(d, slice(lo, hi, st))].set(s.astype(a.dtype)), "SliceScatterBackward0",
    dtype_rule=KEEP)


def _diag_scatter_impl(a, s, off, d1, d2):
    n = s.shape[-1]
    rows = jnp.arange(n) + max(-off, 0)
    cols = jnp.arange(n) + max(off, 0)
    moved = jnp.moveaxis(a, (d1, d2), (-2, -1))
    moved = moved.at[..., rows, cols].set(s.astype(a.dtype))
    return jnp.moveaxis(moved, (-2, -1), (d1, d2))


DIAGONAL_SCATTER = register("diagonal_scatter", _diag_scatter_impl, "DiagonalScatterBackward0",
                            dtype_rule=KEEP)


def _check_embed(input, src, expected: tuple, name: str) -> None:
    if tuple(src.shape) != tuple(expected):
        raise RuntimeError(f"expected src to have a size equal to the {name} of self. src size = "
                           f"{list(src.shape)}, {name} size = {list(expected)}")


def select_scatter(input, src, dim: int, index: int):
    """torch.select_scatter: input with ``input.select(dim, index)`` replaced by ``src``."""
    from .shape import select

    d = norm_dim(dim, input.ndim)
    _check_embed(input, src, select(input, d, index).shape, "slice")
    return dispatch(SELECT_SCATTER, (input, src), (d, int(index) % input.shape[d]))


def slice_scatter(input, src, dim: int = 0, start=None, end=None, step: int = 1):
    """torch.slice_scatter: input with the slice ``start:end:step`` of ``dim`` replaced."""
    d = norm_dim(dim, input.ndim)
    lo, hi, st = slice(start, end, step).indices(input.shape[d])
    expect = list(input.shape)
    expect[d] = len(range(lo, hi, st))
    _check_embed(input, src, tuple(expect), "slice")
    return dispatch(SLICE_SCATTER, (input, src), (d, lo, hi, st))


def diagonal_scatter(input, src, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """torch.diagonal_scatter: input with ``input.diagonal(offset, dim1, dim2)`` replaced."""
    from .shape import diagonal

    nd = input.ndim
    d1, d2 = norm_dim(dim1, nd), norm_dim(dim2, nd)
    _check_embed(input, src, diagonal(input, offset, d1, d2).shape, "slice")
    return dispatch(DIAGONAL_SCATTER, (input, src), (int(offset), d1, d2))


# ---- data-dependent shapes ----------------------------------------------------------------------
CONST = register("host_result", lambda a: a, None, dtype_rule=KEEP)


def _host_tensor(arr: np.ndarray):
    return dispatch(CONST, (arr,))


def nonzero(input, *, as_tuple: bool = False):
    """torch.nonzero: the indices of the non-zero elements, (n, ndim) int64 (syncs)."""
    host = np.asarray(array_of(input))
    if as_tuple:
        if host.ndim == 0:
            return (_host_tensor(np.zeros(int(bool(host)), np.int64)),)
        return tuple(_host_tensor(i.astype(np.int64)) for i in np.nonzero(host))
    if host.ndim == 0:
        return _host_tensor(np.zeros((int(bool(host)), 0), np.int64))
    return _host_tensor(np.argwhere(host).astype(np.int64).reshape(-1, host.ndim))


def argwhere(input):
    """torch.argwhere: same as nonzero(input)."""
    return nonzero(input)


REPEAT_INTERLEAVE = register("repeat_interleave", lambda a, r, d: jnp.repeat(a, r, axis=d),
                             "ViewBackward0", dtype_rule=KEEP)


def repeat_interleave(input, repeats=None, dim: int | None = None, *, output_size=None):
    """torch.repeat_interleave: each element (or slice along ``dim``) repeated; a tensor of
    repeats needs its values on the host for the output shape (torch syncs too)."""
    from .shape import RESHAPE

    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by their counts
        reps = np.asarray(array_of(input)).astype(np.int64)
        return _host_tensor(np.repeat(np.arange(reps.size, dtype=np.int64), reps))
    x = input
    if dim is None:
        x = dispatch(RESHAPE, (input,), ((input.numel(),),)) if input.ndim != 1 else input
        d = 0
    else:
        d = norm_dim(dim, input.ndim)
        if input.ndim == 0:
            x = dispatch(RESHAPE, (input,), ((1,),))
    if isinstance(repeats, Tensor) and repeats.ndim > 0 and repeats.numel() != 1:
        reps = np.asarray(array_of(repeats)).astype(np.int64)
        n = x.shape[d]
        if reps.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {reps.size} and input.size({d}) = {n}")
        if (reps < 0).any():
            raise RuntimeError("repeats can not be negative")
        idx = np.repeat(np.arange(n, dtype=np.int64), reps)
        return dispatch(INDEX_SELECT, (x, idx), (d,))
    r = int(repeats.item()) if isinstance(repeats, Tensor) else int(repeats)
    if r < 0:
        raise RuntimeError("repeats can not be negative")
    return dispatch(REPEAT_INTERLEAVE, (x,), (r, d))


expose("gather")(gather)
expose("scatter", inplace=True)(scatter)
expose("scatter_add", inplace=True)(scatter_add)
expose("scatter_reduce", inplace=True)(scatter_reduce)
expose("index_select")(index_select)
expose("index_add", inplace=True)(index_add)
expose("index_copy", inplace=True)(index_copy)
expose("index_fill", inplace=True)(index_fill)
expose("index_reduce", inplace=True)(index_reduce)
expose("masked_fill", inplace=True)(masked_fill)
expose("masked_scatter", inplace=True)(masked_scatter)
expose("masked_select")(masked_select)
expose("take")(take)
expose("take_along_dim")(take_along_dim)
expose("put", inplace=True)(put)
expose("select_scatter")(select_scatter)
expose("slice_scatter")(slice_scatter)
expose("diagonal_scatter")(diagonal_scatter)
expose("nonzero")(nonzero)
expose("argwhere")(argwhere)
expose("repeat_interleave")(repeat_interleave)
