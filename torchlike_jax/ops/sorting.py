"""Sorting and selection: sort/argsort/msort, topk, kthvalue, median/nanmedian, mode,
quantile/nanquantile, unique/unique_consecutive, searchsorted/bucketize, histc, histogram,
bincount.

Every selected value is a gather at the index the op returns, so JAX's derivative routes the
gradient to that element, as torch's does. Ordering is a stable sort of the (gradient-stopped)
values with NaN as the largest value, as torch orders it. Only the ops whose output size depends
on the data (unique, unique_consecutive, bincount) read the values on the host, as torch does.
"""

from __future__ import annotations

import builtins
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import legacy_name, upcast_half
from ..core.declare import op
from ..core.dims import norm_dim
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .reductions import return_type

sort_result = return_type("sort", ("values", "indices"))
topk_result = return_type("topk", ("values", "indices"))
kthvalue_result = return_type("kthvalue", ("values", "indices"))
median_result = return_type("median", ("values", "indices"))
nanmedian_result = return_type("nanmedian", ("values", "indices"))
mode_result = return_type("mode", ("values", "indices"))
histogram_result = return_type("histogram", ("hist", "bin_edges"))

_I64 = jnp.int64


def _isnan(x):
    return jnp.isnan(x) if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.zeros(x.shape, bool)


def _order(a, dim: int, descending: bool):
    """Stable sort order along ``dim`` (NaN largest; equal values keep their order)."""
    return jnp.argsort(jax.lax.stop_gradient(a), axis=dim, stable=True, descending=descending)


def _gather(a, idx, dim: int, keepdim: bool = True):
    """(values at ``idx`` along ``dim``, int64 idx): the gather that routes the gradient."""
    vals = jnp.take_along_axis(a, idx, axis=dim)
    if not keepdim:
        vals, idx = jnp.squeeze(vals, dim), jnp.squeeze(idx, dim)
    return vals, idx.astype(_I64)


def _scalar_pair(a):
    return a, jnp.zeros((), _I64)


def _check_dim_nonempty(name: str, input, d: int) -> None:
    if input.ndim and input.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


# ---- sort / argsort / msort / topk / kthvalue --------------------------------------------------
def _sort_impl(a, dim, descending, stable_overload):
    if a.ndim == 0:
        return _scalar_pair(a)
    return _gather(a, _order(a, dim, descending), dim)


_UNSET = object()


# torch's ``sort(..., stable=...)`` overload records SortBackward1, the positional one Backward0
@op("sort", impl=_sort_impl, grad_fn=lambda p: f"SortBackward{int(p[2])}", dtype=KEEP, n_out=2)
def sort(input, dim: int = -1, descending: bool = False, *, stable=_UNSET):
    """torch.sort: torch.return_types.sort(values, indices); always stable (torch's CPU sort is
    stable too, so equal values keep their order, also when descending)."""
    params = (norm_dim(dim, input.ndim), bool(descending), stable is not _UNSET)
    return sort_result(*dispatch(sort.op, (input,), params))


@op("argsort", impl=lambda a, d, desc: jnp.zeros((), _I64) if a.ndim == 0 else
    _order(a, d, desc).astype(_I64), grad_fn=None, dtype=KEEP)
def argsort(input, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """torch.argsort: the int64 indices of :func:`sort`."""
    return dispatch(argsort.op, (input,), (norm_dim(dim, input.ndim), bool(descending)))


@expose("msort")
def msort(input):
    """torch.msort: values sorted along dim 0."""
    return dispatch(sort.op, (input,), (0, False, False))[0]


def _topk_impl(a, k, dim, largest):
    if a.ndim == 0:
        return _scalar_pair(a)
    idx = jax.lax.slice_in_dim(_order(a, dim, largest), 0, k, axis=dim)
    return _gather(a, idx, dim)


@op("topk", impl=_topk_impl, grad_fn="TopkBackward0", dtype=KEEP, n_out=2)
def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """torch.topk: the ``k`` largest (or smallest) along ``dim``, always in sorted order."""
    d = norm_dim(dim, input.ndim)
    size = input.shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    return topk_result(*dispatch(topk.op, (input,), (int(k), d, bool(largest))))


def _kth_impl(a, k, dim, keepdim):
    if a.ndim == 0:
        return _scalar_pair(a)
    idx = jax.lax.slice_in_dim(_order(a, dim, False), k - 1, k, axis=dim)
    return _gather(a, idx, dim, keepdim)


@op("kthvalue", impl=_kth_impl, grad_fn="KthvalueBackward0", dtype=KEEP, n_out=2)
def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False):
    """torch.kthvalue: the ``k``-th smallest (1-based) along ``dim`` and its index."""
    d = norm_dim(dim, input.ndim)
    size = input.shape[d] if input.ndim else 1
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return kthvalue_result(*dispatch(kthvalue.op, (input,), (int(k), d, bool(keepdim))))


# ---- median / nanmedian / mode -----------------------------------------------------------------
def _median_all(a, ignore_nan):
    """The lower middle value; ties share the gradient evenly (torch's rule for median())."""
    x = a.reshape(-1)
    if x.size == 0:
        return jnp.full((), jnp.nan, a.dtype)
    key = jax.lax.stop_gradient(x)
    s = jnp.sort(key)
    nan = _isnan(key)
    if ignore_nan:
        m = jnp.sum(~nan)
        v = s[jnp.maximum((m - 1) // 2, 0)]
    else:
        v = jnp.where(jnp.any(nan), s[-1], s[(x.size - 1) // 2])
    if not jnp.issubdtype(a.dtype, jnp.inexact):
        return v
    mask = jnp.where(jnp.isnan(v), nan, x == v)  # a NaN result: the NaNs share the gradient
    share = jnp.sum(jnp.where(mask, x - v, 0)) / jnp.maximum(jnp.sum(mask), 1).astype(a.dtype)
    return v + share


def _median_dim(a, dim, keepdim, ignore_nan):
    if a.ndim == 0:
        return _scalar_pair(a)
    order = _order(a, dim, False)
    nan = _isnan(jax.lax.stop_gradient(a))
    valid = jnp.sum(~nan, axis=dim, keepdims=True)
    if ignore_nan:
        k = jnp.maximum((valid - 1) // 2, 0)
    else:  # any NaN: the first NaN (sorted last, stably)
        k = jnp.where(valid < a.shape[dim], valid, (a.shape[dim] - 1) // 2)
    return _gather(a, jnp.take_along_axis(order, k, axis=dim), dim, keepdim)


MEDIAN_ALL = register("median_all", lambda a: _median_all(a, False), "MedianBackward0",
                      dtype_rule=KEEP, saves_inputs=(0,), saves_output=True)
NANMEDIAN_ALL = register("nanmedian_all", lambda a: _median_all(a, True), "NanmedianBackward0",
                         dtype_rule=KEEP, saves_inputs=(0,), saves_output=True)
MEDIAN_DIM = register("median_dim", lambda a, d, k: _median_dim(a, d, k, False),
                      "MedianBackward1", dtype_rule=KEEP, n_out=2)
NANMEDIAN_DIM = register("nanmedian_dim", lambda a, d, k: _median_dim(a, d, k, True),
                         "NanmedianBackward1", dtype_rule=KEEP, n_out=2)


def _median(name: str, all_op, dim_op, result_cls, input, dim, keepdim):
    """median/nanmedian: ``all_op`` over every element, or ``dim_op``'s (values, indices)."""
    if dim is None:
        return dispatch(all_op, (input,))
    d = norm_dim(dim, input.ndim)
    _check_dim_nonempty(name, input, d)
    return result_cls(*dispatch(dim_op, (input,), (d, bool(keepdim))))


@expose("median")
def median(input, dim: int | None = None, keepdim: bool = False):
    """torch.median: the lower of the two middle values (NaN if any is NaN); with ``dim``,
    torch.return_types.median(values, indices)."""
    return _median("median", MEDIAN_ALL, MEDIAN_DIM, median_result, input, dim, keepdim)


@expose("nanmedian")
def nanmedian(input, dim: int | None = None, keepdim: bool = False):
    """torch.nanmedian: the lower of the two middle values ignoring NaN; with ``dim``,
    torch.return_types.nanmedian(values, indices)."""
    return _median("nanmedian", NANMEDIAN_ALL, NANMEDIAN_DIM, nanmedian_result, input, dim,
                   keepdim)


def _mode_impl(a, dim, keepdim):
    """Most frequent value (the smallest among equally frequent ones) and its last index."""
    if a.ndim == 0:
        return _scalar_pair(a)
    x = jnp.moveaxis(jax.lax.stop_gradient(a), dim, -1)
    n = x.shape[-1]
    rows = x.reshape(-1, n)
    s = jnp.sort(rows, axis=-1)
    pos = jnp.broadcast_to(jnp.arange(n), s.shape)
    starts = jnp.concatenate([jnp.ones_like(s[:, :1], bool), s[:, 1:] != s[:, :-1]], axis=-1)
    # length of the run of equal values so far; the first position reaching the longest run
    # ends the run of the smallest most frequent value
    run = pos - jax.lax.cummax(jnp.where(starts, pos, 0), axis=1) + 1
    best = jnp.take_along_axis(s, jnp.argmax(run, axis=-1)[:, None], axis=-1)
    last = n - 1 - jnp.argmax((rows == best)[:, ::-1], axis=-1)
    idx = jnp.expand_dims(last.reshape(x.shape[:-1]), dim)
    return _gather(a, idx, dim, keepdim)


@op("mode", impl=_mode_impl, grad_fn="ModeBackward0", dtype=KEEP, n_out=2)
def mode(input, dim: int = -1, keepdim: bool = False):
    """torch.mode: torch.return_types.mode(values, indices) along ``dim``."""
    d = norm_dim(dim, input.ndim)
    _check_dim_nonempty("mode", input, d)
    return mode_result(*dispatch(mode.op, (input,), (d, bool(keepdim))))


# ---- quantile / nanquantile --------------------------------------------------------------------
def _lerp(lo, hi, w):
    """torch.lerp's two-sided formula (exact at both ends)."""
    return jnp.where(w < 0.5, lo + w * (hi - lo), hi - (hi - lo) * (1 - w))


def _quantile_impl(a, q, scalar, dim, keepdim, interpolation, ignore_nan):
    x = a.reshape(-1) if dim is None else jnp.moveaxis(a, dim, -1)
    n = x.shape[-1]
    s = jnp.take_along_axis(x, _order(x, -1, False), axis=-1)
    q = q.reshape(-1).astype(a.dtype)
    nan = jnp.isnan(jax.lax.stop_gradient(s))
    if ignore_nan:
        last = jnp.sum(~nan, axis=-1, keepdims=True) - 1
        ranks = jnp.where(last < 0, n - 1, q * last.astype(a.dtype))
    else:
        ranks = jnp.where(nan[..., -1:], n - 1, q * (n - 1)).astype(a.dtype)
    if interpolation == "lower":
        ranks = jnp.floor(ranks)
    elif interpolation == "higher":
        ranks = jnp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = jnp.round(ranks)
    below = jnp.floor(ranks).astype(_I64)
    above = jnp.ceil(ranks).astype(_I64)
    lo = jnp.take_along_axis(s, below, axis=-1)
    if interpolation in ("lower", "higher", "nearest"):
        out = lo
    else:
        hi = jnp.take_along_axis(s, above, axis=-1)
        w = (0.5 * (above - below) if interpolation == "midpoint"
             else ranks - below).astype(a.dtype)
        out = _lerp(lo, hi, w)
    out = jnp.moveaxis(out, -1, 0)  # (Q, *reduced)
    if keepdim:
        out = (out.reshape((q.shape[0],) + (1,) * a.ndim) if dim is None
               else jnp.expand_dims(out, dim + 1))
    return out[0] if scalar else out


QUANTILE = register("quantile", _quantile_impl, "SqueezeBackward4", dtype_rule=KEEP)
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name: str, ignore_nan: bool, input, q, dim, keepdim, interpolation):
    """quantile/nanquantile's checks (torch's messages, under ``name``) and dispatch."""
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if input.dtype.name not in ("float32", "float64"):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        scalar, qs = q.ndim == 0, np.asarray(array_of(q)).reshape(-1).tolist()
    else:
        scalar, qs = True, [float(q)]
    for v in qs:  # a host read, as torch's own range check
        if not 0 <= v <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {v}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    d = None if dim is None else norm_dim(dim, input.ndim)
    if d is not None and input.ndim == 0:
        d = None
    return dispatch(QUANTILE, (input, q), (scalar, d, bool(keepdim), interpolation, ignore_nan))


@expose("quantile")
def quantile(input, q, dim: int | None = None, keepdim: bool = False, *,
             interpolation: str = "linear"):
    """torch.quantile: interpolated quantiles ``q`` (a number or 1-D tensor) over ``dim`` or all
    elements; NaN if the slice has a NaN."""
    return _quantile("quantile", False, input, q, dim, keepdim, interpolation)


@expose("nanquantile")
def nanquantile(input, q, dim: int | None = None, keepdim: bool = False, *,
                interpolation: str = "linear"):
    """torch.nanquantile: interpolated quantiles ``q`` (a number or 1-D tensor) over ``dim`` or
    all elements, ignoring NaN."""
    return _quantile("nanquantile", True, input, q, dim, keepdim, interpolation)


# ---- unique / unique_consecutive (host: the output size depends on the values) ----------------
def _no_derivative(name: str):
    """A gather whose backward raises torch's "derivative ... is not implemented"."""

    @functools.partial(jax.custom_vjp, nondiff_argnums=(2,))
    def take(a, idx, dim):
        return jnp.take(a.reshape(-1), idx) if dim is None else jnp.take(a, idx, axis=dim)

    def fwd(a, idx, dim):
        return take(a, idx, dim), None

    def bwd(dim, res, g):
        raise NotImplementedError(f"the derivative for '{name}' is not implemented.")

    take.defvjp(fwd, bwd)
    return take


_UNIQUE_KINDS = {"unique": ("_unique2", "Unique2Backward0"),
                 "unique_dim": ("unique_dim", "UniqueDimBackward0"),
                 "consecutive": ("unique_consecutive", "UniqueConsecutiveBackward0")}
_TAKES = {k: _no_derivative(v[0]) for k, v in _UNIQUE_KINDS.items()}
UNIQUE = register("unique", lambda a, idx, kind, dim: _TAKES[kind](a, idx, dim),
                  lambda p: _UNIQUE_KINDS[p[0]][1], dtype_rule=KEEP)


def _host_rows(input, dim: int | None) -> np.ndarray:
    """The values on the host, as rows to compare (one row per element, or per slice of dim)."""
    h = np.asarray(array_of(input))
    if h.dtype.kind == "f" and h.dtype.itemsize < 4 or h.dtype.name == "bfloat16":
        h = h.astype(np.float32)  # exact; numpy's sort may not know bfloat16
    if dim is None:
        return h.reshape(-1, 1)
    return np.moveaxis(h, dim, 0).reshape(h.shape[dim] if h.ndim else 1, -1)


def _unique_outputs(input, kind, dim, first, inverse, counts, return_inverse, return_counts):

    idx = Tensor._wrap(jnp.asarray(first, _I64))
    values = dispatch(UNIQUE, (input, idx), (kind, dim))
    out = [values]
    if return_inverse:
        shape = tuple(input.shape) if dim is None else (len(inverse),)
        out.append(Tensor._wrap(jnp.asarray(np.asarray(inverse).reshape(shape), _I64)))
    if return_counts:
        out.append(Tensor._wrap(jnp.asarray(counts, _I64)))
    return values if len(out) == 1 else tuple(out)


@expose("unique")
def unique(input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,
           dim: int | None = None):
    """torch.unique: sorted unique values (or slices along ``dim``); reads the values on the
    host because the output size depends on them, as torch does."""
    d = None if dim is None else norm_dim(dim, input.ndim)
    rows = _host_rows(input, d)
    if d is None:
        _, first, inv, cnt = np.unique(rows[:, 0], return_index=True, return_inverse=True,
                                       return_counts=True, equal_nan=False)  # NaNs stay apart
        kind = "unique"
    else:
        _, first, inv, cnt = np.unique(rows, axis=0, return_index=True, return_inverse=True,
                                       return_counts=True)
        kind = "unique_dim"
    return _unique_outputs(input, kind, d, first, inv.reshape(-1), cnt, return_inverse,
                           return_counts)


@expose("unique_consecutive")
def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None):
    """torch.unique_consecutive: collapse runs of equal values (or slices along ``dim``)."""
    d = None if dim is None else norm_dim(dim, input.ndim)
    rows = _host_rows(input, d)
    n = rows.shape[0]
    change = np.any(rows[1:] != rows[:-1], axis=1) if n else np.zeros(0, bool)
    starts = np.concatenate([[0], np.nonzero(change)[0] + 1]) if n else np.zeros(0, np.int64)
    inv = np.concatenate([[0], np.cumsum(change)]) if n else np.zeros(0, np.int64)
    cnt = np.diff(np.concatenate([starts, [n]])) if n else np.zeros(0, np.int64)
    return _unique_outputs(input, "consecutive", d, starts, inv, cnt, return_inverse,
                           return_counts)


# ---- searchsorted / bucketize ------------------------------------------------------------------
def _search_1d(seq, v, right):
    """Binary search with NaN ordered last (torch's order)."""
    if jnp.issubdtype(seq.dtype, jnp.inexact):
        nan_seq = jnp.isnan(seq)
        if right:
            seq = jnp.where(nan_seq, jnp.inf, seq)
        r = jnp.searchsorted(seq, v, side="right" if right else "left")
        end = seq.shape[0] if right else jnp.sum(~nan_seq)
        return jnp.where(jnp.isnan(v), end, r)
    return jnp.searchsorted(seq, v, side="right" if right else "left")


def _searchsorted_impl(seq, v, sorter, right, out_int32):
    dt = jnp.promote_types(seq.dtype, v.dtype)
    seq, v = seq.astype(dt), v.astype(dt)
    if sorter is not None:
        seq = jnp.take_along_axis(seq, sorter, axis=-1)
    if seq.ndim == 1:
        r = _search_1d(seq, v, right)
    else:
        n = seq.shape[-1]
        r = jax.vmap(lambda s, x: _search_1d(s, x, right))(
            seq.reshape(-1, n), v.reshape(seq.size // builtins.max(n, 1), -1)).reshape(v.shape)
    return r.astype(jnp.int32 if out_int32 else _I64)


@op("searchsorted", impl=_searchsorted_impl, grad_fn=None, dtype=KEEP, method=False)
def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter=None):
    """torch.searchsorted over the last dim of ``sorted_sequence`` (1-D, or batched with the
    leading dims of ``input``); ``input`` may be a number."""

    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    if isinstance(input, Tensor) and sorted_sequence.ndim > 1 and (
            tuple(sorted_sequence.shape[:-1]) != tuple(input.shape[:-1])):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the "
                           "first N-1 dimensions of boundaries tensor and input value tensor must "
                           f"match, but we got boundaries tensor {list(sorted_sequence.shape)} "
                           f"and input value tensor {list(input.shape)}")
    return dispatch(searchsorted.op, (sorted_sequence, input, sorter),
                    (bool(right), bool(out_int32)))


@expose("bucketize", method=False)
def bucketize(input, boundaries, *, out_int32: bool = False, right: bool = False):
    """torch.bucketize: the bucket of each value for 1-D ``boundaries``."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return dispatch(searchsorted.op, (boundaries, input, None), (bool(right), bool(out_int32)))


# ---- histc / histogram / bincount --------------------------------------------------------------
def _bin_counts(x, weight, edges, bins):
    """Counts (or summed weights) of ``x`` in ``bins`` bins with monotone ``edges``; the last
    bin includes its right edge; values outside or NaN are ignored."""
    lo, hi = edges[0], edges[-1]
    pos = jnp.floor((x - lo) * bins / (hi - lo))
    pos = jnp.clip(jnp.where(jnp.isnan(pos), 0, pos), 0, bins - 1).astype(_I64)
    pos = jnp.where(edges[pos] > x, pos - 1, pos)  # correct float rounding against the edges
    pos = jnp.where((pos < bins - 1) & (edges[jnp.minimum(pos + 1, bins)] <= x), pos + 1, pos)
    pos = jnp.clip(pos, 0, bins - 1)
    ok = (x >= lo) & (x <= hi)
    w = jnp.ones(x.shape, x.dtype) if weight is None else weight.astype(x.dtype)
    return jnp.zeros(bins, x.dtype).at[jnp.where(ok, pos, 0)].add(jnp.where(ok, w, 0))


def _data_range(x, lo, hi):
    if lo == hi:
        lo, hi = jnp.min(x) if x.size else 0.0, jnp.max(x) if x.size else 0.0
    lo, hi = jnp.asarray(lo, x.dtype), jnp.asarray(hi, x.dtype)
    same = lo == hi
    return jnp.where(same, lo - 1, lo), jnp.where(same, hi + 1, hi)


def _histc_impl(a, bins, lo, hi):
    x = upcast_half(a.reshape(-1))
    mn, mx = _data_range(x, lo, hi)
    edges = jnp.linspace(mn, mx, bins + 1).astype(x.dtype)
    return _bin_counts(x, None, edges, bins).astype(a.dtype)


def _check_hist_dtype(input, kernel: str) -> None:
    if not input.is_floating_point():
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{legacy_name(input.dtype)}'")


@op("histc", impl=_histc_impl, grad_fn=None, dtype=KEEP)
def histc(input, bins: int = 100, min: float = 0, max: float = 0):
    """torch.histc: ``bins`` equal-width bins over [min, max] (the data's range if equal)."""
    _check_hist_dtype(input, "histogram_cpu")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (math.isfinite(min) and math.isfinite(max)):
        raise RuntimeError(f"torch.histc: range of [{min}, {max}] is not finite")
    return dispatch(histc.op, (input,), (int(bins), float(min), float(max)))


def _histogram_impl(a, edges, weight, bins, rng, density):
    x = a.reshape(-1)
    if edges is None:
        mn, mx = _data_range(x, *(rng or (0.0, 0.0)))
        edges = jnp.linspace(mn, mx, bins + 1).astype(x.dtype)
    hist = _bin_counts(x, None if weight is None else weight.reshape(-1), edges, bins)
    if density:
        hist = hist / (jnp.sum(hist) * (edges[1:] - edges[:-1]))
    return hist, edges


@op("histogram", impl=_histogram_impl, grad_fn=None, dtype=KEEP, n_out=2)
def histogram(input, bins=100, *, range=None, weight=None, density: bool = False):
    """torch.histogram: torch.return_types.histogram(hist, bin_edges) for ``bins`` equal-width
    bins (over ``range`` or the data's range) or the given 1-D bin edges."""

    _check_hist_dtype(input, "histogram_cpu")
    if isinstance(bins, Tensor):
        hist, edges = dispatch(histogram.op, (input, bins, weight),
                               (bins.shape[0] - 1, None, bool(density)))
    else:
        if bins <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for "
                               "dimension 0")
        rng = None if range is None else (float(range[0]), float(range[1]))
        hist, edges = dispatch(histogram.op, (input, None, weight), (int(bins), rng, bool(density)))
    return histogram_result(hist, edges)


def _bincount_impl(x, w, length, wdt):
    if w is None:
        return jnp.zeros(length, _I64).at[x].add(1)
    return jnp.zeros(length, wdt).at[x].add(w.astype(wdt))


@op("bincount", impl=_bincount_impl, grad_fn=None, dtype=KEEP)
def bincount(input, weights=None, minlength: int = 0):
    """torch.bincount: counts (or summed ``weights``) of each non-negative integer; reads the
    maximum on the host, as torch does, because it sets the output size."""
    if input.is_floating_point() or input.dtype.name == "bool":
        raise NotImplementedError(f'"bincount_cpu" not implemented for '
                                  f"'{legacy_name(input.dtype)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    host = np.asarray(array_of(input))
    if input.ndim != 1 or (host.size and host.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and (weights.ndim != 1 or weights.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    length = builtins.max(int(host.max()) + 1 if host.size else 0, int(minlength))
    wdt = None
    if weights is not None:
        wdt = np.dtype(np.float32) if weights.dtype.name == "float32" else np.dtype(np.float64)
    return dispatch(bincount.op, (input, weights), (length, wdt))
