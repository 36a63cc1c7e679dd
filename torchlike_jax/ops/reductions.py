"""Reductions: sum/prod/mean and their nan-variants, var/std, max/min/amax/amin/aminmax,
argmax/argmin, logsumexp, norm, count_nonzero, all/any.

Each op is one JAX function, declared with ``@op`` on its public function, whose own
derivative is torch's: ties in ``max()`` /
``amax`` share the gradient evenly (``jnp.max``'s rule), ``max(dim)`` routes it to the returned
index (a gather), and norms/std use "double where" so the gradient at 0 is 0 as in torch, not nan.
"""

from __future__ import annotations

import builtins
import functools
import math
import warnings

import jax
import jax.numpy as jnp

from .._dtypes import numpy_dtype_or_none, upcast_half
from ..core import out_arg
from ..core.declare import op
from ..core.dims import norm_dim, norm_dims
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, KEEP, SUM, register
from ..core.return_types import return_type
from ..core.surface import expose
from ..core.tensor import Tensor
from .elementwise import maximum, minimum

# ---- torch.return_types ------------------------------------------------------------------------
max_result = return_type("max", ("values", "indices"))
min_result = return_type("min", ("values", "indices"))
aminmax_result = return_type("aminmax", ("min", "max"))


# ---- helpers -----------------------------------------------------------------------------------
def _dims(dim, ndim: int) -> tuple[int, ...] | None:
    """``dim`` for the reductions where torch treats an empty list like "every dim"."""
    if isinstance(dim, (list, tuple)) and len(dim) == 0:
        return None
    return norm_dims(dim, ndim)


def _reduced_count(shape: tuple, dims: tuple | None) -> int:
    axes = range(len(shape)) if dims is None else dims
    return math.prod(shape[d] for d in axes)


def _safe_pow(x, p: float):
    """``x ** p`` for x >= 0 whose derivative is 0 (not inf/nan) where x == 0 (torch's masking)."""
    zero = x == 0
    return jnp.where(zero, jnp.zeros((), x.dtype), jnp.where(zero, jnp.ones((), x.dtype), x) ** p)


def _abs0(x):
    """|x| whose derivative at 0 is 0, as torch's abs (jnp.abs's is 1)."""
    return x * jnp.sign(x)


def _by_dim(base: str):
    return lambda params: f"{base}Backward0" if params[0] is None else f"{base}Backward1"


def _check_nonempty_dims(name: str, input, dims: tuple | None, index_error: bool = True) -> None:
    """torch refuses max/amax/... over a zero-size dim (no identity)."""
    if dims is None:
        if input.numel() == 0:
            if name in ("argmax", "argmin"):  # torch 2.13: an IndexError, shorter text
                raise IndexError(f"{name}(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return
    for d in dims:
        if input.ndim and input.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


# ---- sum / prod / mean / nansum / nanmean ------------------------------------------------------
def _sum_impl(a, dims, keepdim, acc=None):
    a = a if acc is None else a.astype(acc)
    return jnp.sum(a, axis=dims, keepdims=keepdim)


def _prod_impl(a, dim, keepdim, acc=None):
    a = a if acc is None else a.astype(acc)
    if a.ndim == 0:
        return a
    return jnp.prod(a, axis=dim, keepdims=keepdim)


def _mean_impl(a, dims, keepdim):
    return jnp.mean(a, axis=dims, keepdims=keepdim)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _skip_nan_sum(a, dims, keepdim):
    """Sum of the non-NaN elements. Its gradient is ``grad * mask`` (a product, as torch's
    nansum backward), so an infinite incoming gradient gives NaN where torch's does."""
    return jnp.sum(jnp.where(jnp.isnan(a), jnp.zeros((), a.dtype), a), axis=dims,
                   keepdims=keepdim)


@_skip_nan_sum.defjvp
def _skip_nan_sum_jvp(dims, keepdim, primals, tangents):
    (a,), (t,) = primals, tangents
    mask = (~jnp.isnan(a)).astype(t.dtype)
    return _skip_nan_sum(a, dims, keepdim), jnp.sum(t * mask, axis=dims, keepdims=keepdim)


def _nansum_impl(a, dims, keepdim, acc=None):
    a = a if acc is None else a.astype(acc)
    if jnp.issubdtype(a.dtype, jnp.inexact):
        return _skip_nan_sum(a, dims, keepdim)
    return jnp.sum(a, axis=dims, keepdims=keepdim)


def _nanmean_impl(a, dims, keepdim):
    count = jnp.sum(~jnp.isnan(a), axis=dims, keepdims=keepdim).astype(a.dtype)
    return _skip_nan_sum(a, dims, keepdim) / count


@op("sum", impl=_sum_impl, grad_fn=_by_dim("Sum"), dtype=SUM)
def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """torch.sum; bools and integers accumulate in int64; ``dtype`` casts before summing."""
    dims = _dims(dim, input.ndim)
    return dispatch(sum.op, (input,), (dims, bool(keepdim), numpy_dtype_or_none(dtype)),
                    out_dtype=dtype)


@op("prod", impl=_prod_impl, grad_fn=_by_dim("Prod"), dtype=SUM, saves=(0,), saves_output=True)
def prod(input, dim: int | None = None, keepdim: bool = False, *, dtype=None):
    """torch.prod over everything or one ``dim`` (torch takes no tuple here)."""
    d = None if dim is None else norm_dim(dim, input.ndim)
    return dispatch(prod.op, (input,), (d, bool(keepdim), numpy_dtype_or_none(dtype)),
                    out_dtype=dtype)


@op("mean", impl=_mean_impl, grad_fn=_by_dim("Mean"), dtype=FLOAT,
    float_only="mean(): could not infer output dtype. Input dtype must be either a floating "
               "point or complex dtype. Got: {dtype}")
def mean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """torch.mean; raises torch's RuntimeError for integer input."""
    if dtype is not None:
        input = input.to(dtype)
    return dispatch(mean.op, (input,), (_dims(dim, input.ndim), bool(keepdim)))


@op("nansum", impl=_nansum_impl, grad_fn="NansumBackward0", dtype=SUM, saves=(0,))
def nansum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """torch.nansum: sum treating NaN as 0 (NaN positions get zero gradient)."""
    dims = _dims(dim, input.ndim)
    return dispatch(nansum.op, (input,), (dims, bool(keepdim), numpy_dtype_or_none(dtype)),
                    out_dtype=dtype)


@op("nanmean", impl=_nanmean_impl, grad_fn="DivBackward0", dtype=FLOAT, saves=(0,),
    float_only="nanmean(): expected input to have floating point or complex dtype but got "
               "{dtype}")
def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None):
    """torch.nanmean: the mean of the non-NaN elements (torch composes it as a division)."""
    if dtype is not None:
        input = input.to(dtype)
    return dispatch(nanmean.op, (input,), (_dims(dim, input.ndim), bool(keepdim)))


# ---- var / std ---------------------------------------------------------------------------------
def _var_impl(a, dims, correction, keepdim):
    x = upcast_half(a)
    n = _reduced_count(a.shape, dims)
    mu = jnp.mean(x, axis=dims, keepdims=True)
    d = x - mu
    ss = jnp.sum((d * jnp.conj(d)).real if jnp.iscomplexobj(d) else d * d, axis=dims,
                 keepdims=keepdim)
    return ss / builtins.max(0, n - correction), jnp.mean(x, axis=dims, keepdims=keepdim)


def _safe_sqrt(v):
    """sqrt whose gradient is 0 where v == 0 (torch masks std's backward there)."""
    zero = v == 0
    return jnp.where(zero, jnp.zeros((), v.dtype), jnp.sqrt(jnp.where(zero, 1, v)))


def _cast_like(a, *outs):
    return tuple(o.astype(a.dtype) for o in outs)


def _std_mean_impl(a, *p):
    v, m = _var_impl(a, *p)
    return _cast_like(a, _safe_sqrt(v), m)


def _var_params(name: str, input, dim, unbiased, keepdim, correction) -> tuple:
    """torch's overloads: (dim, unbiased, keepdim), (unbiased) or (dim, *, correction, keepdim)."""
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{name}: can't set both unbiased and correction")
    dims = _dims(dim, input.ndim)
    n = _reduced_count(tuple(input.shape), dims)
    if n - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    return dims, correction, bool(keepdim)


_VAR_FLOAT_ONLY = "{} only support floating point and complex dtypes"


@op("var", impl=lambda a, *p: _cast_like(a, _var_impl(a, *p)[0])[0], grad_fn="VarBackward0",
    dtype=FLOAT, saves=(0,), float_only=_VAR_FLOAT_ONLY.format("std and var"))
def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """torch.var: Bessel-corrected by ``correction`` (default 1; ``unbiased=False`` is 0);
    degrees of freedom <= 0 warn and give nan/inf as in torch."""
    return dispatch(var.op, (input,), _var_params("var", input, dim, unbiased, keepdim,
                                                  correction))


@op("std", impl=lambda a, *p: _cast_like(a, _safe_sqrt(_var_impl(a, *p)[0]))[0],
    grad_fn="StdBackward0", dtype=FLOAT, saves=(0,), saves_output=True,
    float_only=_VAR_FLOAT_ONLY.format("std and var"))
def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """torch.std: Bessel-corrected by ``correction`` (default 1; ``unbiased=False`` is 0);
    degrees of freedom <= 0 warn and give nan/inf as in torch."""
    return dispatch(std.op, (input,), _var_params("std", input, dim, unbiased, keepdim,
                                                  correction))


@op("var_mean", impl=lambda a, *p: _cast_like(a, *_var_impl(a, *p)), grad_fn="VarMeanBackward0",
    dtype=FLOAT, n_out=2, diff_outputs=(0, 1), saves=(0,), method=False,
    float_only=_VAR_FLOAT_ONLY.format("var_mean"))
def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """torch.var_mean: Bessel-corrected by ``correction`` (default 1; ``unbiased=False`` is 0);
    degrees of freedom <= 0 warn and give nan/inf as in torch."""
    return dispatch(var_mean.op, (input,), _var_params("var_mean", input, dim, unbiased, keepdim,
                                                       correction))


@op("std_mean", impl=_std_mean_impl, grad_fn="StdMeanBackward0", dtype=FLOAT, n_out=2,
    diff_outputs=(0, 1), saves=(0,), method=False, float_only=_VAR_FLOAT_ONLY.format("std_mean"))
def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """torch.std_mean: Bessel-corrected by ``correction`` (default 1; ``unbiased=False`` is 0);
    degrees of freedom <= 0 warn and give nan/inf as in torch."""
    return dispatch(std_mean.op, (input,), _var_params("std_mean", input, dim, unbiased, keepdim,
                                                       correction))


# ---- max / min / amax / amin / aminmax / argmax / argmin ---------------------------------------
MAX_ALL = register("max_all", jnp.max, "MaxBackward1", dtype_rule=KEEP, saves_inputs=(0,),
                   saves_output=True)
MIN_ALL = register("min_all", jnp.min, "MinBackward1", dtype_rule=KEEP, saves_inputs=(0,),
                   saves_output=True)


def _select_along(arg_fn):
    """(values, int64 indices) of ``arg_fn`` (argmax/argmin) along ``dim``, like torch.max(dim).

    The values are a gather at the index, so the gradient goes to that one element as in torch.
    """

    def impl(a, dim, keepdim):
        if a.ndim == 0:
            return a, jnp.zeros((), jnp.int64)
        idx = arg_fn(a, axis=dim, keepdims=True)
        vals = jnp.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            vals, idx = jnp.squeeze(vals, dim), jnp.squeeze(idx, dim)
        return vals, idx.astype(jnp.int64)

    return impl


# torch saves only the indices for max(dim)/min(dim): an in-place change of the input is fine
MAX_DIM = register("max_dim", _select_along(jnp.argmax), "MaxBackward0", dtype_rule=KEEP, n_out=2)
MIN_DIM = register("min_dim", _select_along(jnp.argmin), "MinBackward0", dtype_rule=KEEP, n_out=2)


def _argext_impl(fn):
    def impl(a, d, k):
        if a.ndim == 0:
            return jnp.zeros((), jnp.int64)
        if d is None:
            r = fn(a.reshape(-1))
            return r.reshape((1,) * a.ndim).astype(jnp.int64) if k else r.astype(jnp.int64)
        return fn(a, axis=d, keepdims=k).astype(jnp.int64)

    return impl


def _arg_extreme(opdef, input, dim, keepdim):
    d = None if dim is None else norm_dim(dim, input.ndim)
    _check_nonempty_dims(opdef.name, input, None if d is None else (d,))
    return dispatch(opdef, (input,), (d, bool(keepdim)))


@op("argmax", impl=_argext_impl(jnp.argmax), grad_fn=None, dtype=KEEP)
def argmax(input, dim=None, keepdim=False):
    """torch.argmax: int64 index of the first extreme element (flat if no dim)."""
    return _arg_extreme(argmax.op, input, dim, keepdim)


@op("argmin", impl=_argext_impl(jnp.argmin), grad_fn=None, dtype=KEEP)
def argmin(input, dim=None, keepdim=False):
    """torch.argmin: int64 index of the first extreme element (flat if no dim)."""
    return _arg_extreme(argmin.op, input, dim, keepdim)


def _values_extreme(opdef, input, dim, keepdim):
    dims = None if dim == () or dim == [] or dim is None else norm_dims(dim, input.ndim)
    _check_nonempty_dims(opdef.name, input, dims)
    return dispatch(opdef, (input,), (dims, bool(keepdim)))


@op("amax", impl=lambda a, d, k: jnp.max(a, axis=d, keepdims=k), grad_fn="AmaxBackward0",
    dtype=KEEP, saves=(0,), saves_output=True)
def amax(input, dim=(), keepdim: bool = False):
    """torch.amax: values only; ties share the gradient evenly (torch's rule, unlike max(dim)
    which routes it to one index)."""
    return _values_extreme(amax.op, input, dim, keepdim)


@op("amin", impl=lambda a, d, k: jnp.min(a, axis=d, keepdims=k), grad_fn="AminBackward0",
    dtype=KEEP, saves=(0,), saves_output=True)
def amin(input, dim=(), keepdim: bool = False):
    """torch.amin: values only; ties share the gradient evenly (torch's rule, unlike max(dim)
    which routes it to one index)."""
    return _values_extreme(amin.op, input, dim, keepdim)


@op("aminmax", impl=lambda a, d, k: (jnp.min(a, axis=d, keepdims=k),
                                     jnp.max(a, axis=d, keepdims=k)),
    grad_fn="AminmaxBackward0", dtype=KEEP, n_out=2, diff_outputs=(0, 1), saves=(0,))
def aminmax(input, *, dim: int | None = None, keepdim: bool = False):
    """torch.aminmax: torch.return_types.aminmax(min, max) over everything or one dim."""
    if input.numel() == 0:
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    d = None if dim is None else norm_dim(dim, input.ndim)
    if d is not None and input.ndim == 0:
        d = None
    lo, hi = dispatch(aminmax.op, (input,), (d, bool(keepdim)))
    return aminmax_result(lo, hi)


def _extreme(name, all_op, dim_op, result_cls, binary, input, dim, keepdim):
    """max/min's three overloads: the full reduction, (values, indices) along ``dim``, or
    ``binary`` (the elementwise maximum/minimum) when ``dim`` is a tensor."""
    if isinstance(dim, Tensor):
        return binary(input, dim)
    if dim is None:
        _check_nonempty_dims(name, input, None)
        return dispatch(all_op, (input,))
    d = norm_dim(dim, input.ndim)
    _check_nonempty_dims(name, input, (d,))
    vals, idx = dispatch(dim_op, (input,), (d, bool(keepdim)))
    return result_cls(vals, idx)


@expose("max")
def max(input, dim=None, keepdim=False):
    """torch.max: the full reduction, or (values, indices) along ``dim``, or the elementwise
    maximum of two tensors."""
    return _extreme("max", MAX_ALL, MAX_DIM, max_result, maximum, input, dim, keepdim)


@expose("min")
def min(input, dim=None, keepdim=False):
    """torch.min: the full reduction, or (values, indices) along ``dim``, or the elementwise
    minimum of two tensors."""
    return _extreme("min", MIN_ALL, MIN_DIM, min_result, minimum, input, dim, keepdim)


# ---- logsumexp ---------------------------------------------------------------------------------
def _logsumexp_impl(a, dims, keepdim):
    if a.ndim == 0:
        return a
    return jax.nn.logsumexp(a, axis=dims, keepdims=keepdim)


@op("logsumexp", impl=_logsumexp_impl, grad_fn="LogsumexpBackward0", dtype=FLOAT, saves=(0,),
    saves_output=True)
def logsumexp(input, dim, keepdim: bool = False):
    """torch.logsumexp (``dim`` is required, as in torch); integers compute in float."""
    return dispatch(logsumexp.op, (input,), (norm_dims(dim, input.ndim), bool(keepdim)))


# ---- norm / dist -------------------------------------------------------------------------------
def _vector_norm(a, p: float, dims, keepdim):
    """torch.linalg.vector_norm's values and (through the safe powers) its gradient."""
    x = upcast_half(a)
    if jnp.iscomplexobj(x):
        x = jnp.abs(x)
    mag = _abs0(x)
    if p == 2:
        out = _safe_sqrt(jnp.sum(x * x, axis=dims, keepdims=keepdim))
    elif p == 1:
        out = jnp.sum(mag, axis=dims, keepdims=keepdim)
    elif p == math.inf:
        out = jnp.max(mag, axis=dims, keepdims=keepdim)
    elif p == -math.inf:
        out = jnp.min(mag, axis=dims, keepdims=keepdim)
    elif p == 0:
        out = jnp.sum(jax.lax.stop_gradient(x != 0).astype(x.dtype), axis=dims, keepdims=keepdim)
    elif p > 0:
        out = _safe_pow(jnp.sum(_safe_pow(mag, p), axis=dims, keepdims=keepdim), 1.0 / p)
    else:
        out = jnp.sum(mag ** p, axis=dims, keepdims=keepdim) ** (1.0 / p)
    return out.astype(a.dtype)


def _nuc_norm(a, dims, keepdim):
    d0, d1 = dims
    x = jnp.moveaxis(upcast_half(a), (d0, d1), (-2, -1))
    out = jnp.sum(jnp.linalg.svd(x, compute_uv=False), axis=-1)
    if keepdim:
        out = jnp.expand_dims(out, tuple(sorted((d0, d1))))
    return out.astype(a.dtype)


_NORM_FLOAT = ("linalg.vector_norm: Expected a floating point or complex tensor as input. "
               "Got {dtype}")
VECTOR_NORM = register("torch_norm", _vector_norm, "LinalgVectorNormBackward0", dtype_rule=FLOAT,
                       saves_inputs=(0,), saves_output=True, float_only=_NORM_FLOAT)
NUC_NORM = register("torch_norm_nuc", _nuc_norm, "SumBackward1", dtype_rule=FLOAT,
                    float_only=_NORM_FLOAT.replace("vector_norm", "matrix_norm"))


@expose("norm")
def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None):
    """torch.norm: 'fro' and numbers are vector norms over ``dim`` (all dims by default), 'nuc'
    the nuclear norm of the matrices over a 2-tuple ``dim`` (default the last two)."""
    if out is not None:  # torch's out= rules (core/out_arg.py)
        return out_arg.call_with_out(norm, "norm", (input, p, dim, keepdim), {"dtype": dtype},
                                     out)
    if dtype is not None:
        input = input.to(dtype)
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(p, str):
        if p == "fro" and (dim is None or len(dim) <= 2):
            p = 2
        elif p in ("fro", "nuc"):
            if input.ndim < 2:
                raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                                   "dimensions.")
            dims = (-2, -1) if dim is None else tuple(dim)
            if len(dims) != 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                                   + " ".join(map(str, dims)))
            dims = tuple(norm_dim(d, input.ndim) for d in dims)
            return dispatch(NUC_NORM, (input,), (dims, bool(keepdim)))
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    dims = _dims(dim, input.ndim)
    return dispatch(VECTOR_NORM, (input,), (float(p), dims, bool(keepdim)))


# ---- count_nonzero / all / any -----------------------------------------------------------------
def _logical_reduce(fn):
    def impl(a, dims, keepdim):
        r = fn(a != 0, axis=dims, keepdims=keepdim)
        return r.astype(jnp.uint8) if a.dtype == jnp.uint8 else r

    return impl


@op("count_nonzero", impl=lambda a, d: jnp.sum(a != 0, axis=d).astype(jnp.int64), grad_fn=None,
    dtype=KEEP)
def count_nonzero(input, dim=None):
    """torch.count_nonzero over all dims, one dim or a tuple of dims (int64)."""
    return dispatch(count_nonzero.op, (input,), (_dims(dim, input.ndim),))


@op("all", impl=_logical_reduce(jnp.all), grad_fn=None, dtype=KEEP)
def all(input, dim=None, keepdim: bool = False):
    """torch.all: bool result (uint8 for uint8 input, as torch), over all dims, one dim or a
    tuple of dims."""
    return dispatch(all.op, (input,), (norm_dims(dim, input.ndim), bool(keepdim)))


@op("any", impl=_logical_reduce(jnp.any), grad_fn=None, dtype=KEEP)
def any(input, dim=None, keepdim: bool = False):
    """torch.any: bool result (uint8 for uint8 input, as torch), over all dims, one dim or a
    tuple of dims."""
    return dispatch(any.op, (input,), (norm_dims(dim, input.ndim), bool(keepdim)))
