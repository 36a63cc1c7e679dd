"""Scans along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp, diff and the trapezoid
rules.

cummax/cummin compute their indices first and then gather the values at those indices, so the
gradient goes to the element each output came from, as torch's does.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._dtypes import legacy_name, numpy_dtype_or_none
from ..core.declare import op
from ..core.dims import norm_dim
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, KEEP, SUM, register
from ..core.surface import expose
from .reductions import return_type

cummax_result = return_type("cummax", ("values", "indices"))
cummin_result = return_type("cummin", ("values", "indices"))


def _cum(fn):
    def impl(a, dim, acc):
        a = a if acc is None else a.astype(acc)
        return a if a.ndim == 0 else fn(a, axis=dim)

    return impl


@op("cumsum", impl=_cum(jnp.cumsum), grad_fn="CumsumBackward0", dtype=SUM, inplace=True)
def cumsum(input, dim: int, *, dtype=None):
    """torch.cumsum; bools and integers accumulate in int64, ``dtype`` casts first."""
    d = norm_dim(dim, input.ndim)
    return dispatch(cumsum.op, (input,), (d, numpy_dtype_or_none(dtype)), out_dtype=dtype)


@op("cumprod", impl=_cum(jnp.cumprod), grad_fn="CumprodBackward0", dtype=SUM, saves=(0,),
    saves_output=True, inplace=True)
def cumprod(input, dim: int, *, dtype=None):
    """torch.cumprod (exact gradient with zeros: JAX differentiates the scan, no division)."""
    d = norm_dim(dim, input.ndim)
    return dispatch(cumprod.op, (input,), (d, numpy_dtype_or_none(dtype)), out_dtype=dtype)


def _cum_extreme(running):
    """(values, int64 indices) of the running max/min; ties and NaN take the later index.

    The index is the last position whose value equals the running extreme (NaN matching NaN,
    which stays the extreme once seen, as in torch)."""

    def impl(a, dim):
        if a.ndim == 0:
            return a, jnp.zeros((), jnp.int64)
        key = jax.lax.stop_gradient(a)
        key = key.astype(jnp.uint8) if key.dtype == jnp.bool_ else key
        ext = running(key, axis=dim)
        hit = (key == ext) | (_nan(key) & _nan(ext))
        shape = [1] * a.ndim
        shape[dim] = a.shape[dim]
        pos = jnp.broadcast_to(jnp.arange(a.shape[dim]).reshape(shape), a.shape)
        ind = jax.lax.cummax(jnp.where(hit, pos, -1), axis=dim)
        return jnp.take_along_axis(a, ind, axis=dim), ind.astype(jnp.int64)

    return impl


def _nan(x):
    return jnp.isnan(x) if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.zeros(x.shape, bool)


@op("cummax", impl=_cum_extreme(jax.lax.cummax), grad_fn="CummaxBackward0", dtype=KEEP,
    n_out=2, saves=(0,))
def cummax(input, dim: int):
    """torch.cummax: torch.return_types.cummax(values, indices)."""
    return cummax_result(*dispatch(cummax.op, (input,), (norm_dim(dim, input.ndim),)))


@op("cummin", impl=_cum_extreme(jax.lax.cummin), grad_fn="CumminBackward0", dtype=KEEP,
    n_out=2, saves=(0,))
def cummin(input, dim: int):
    """torch.cummin: torch.return_types.cummin(values, indices)."""
    return cummin_result(*dispatch(cummin.op, (input,), (norm_dim(dim, input.ndim),)))


@op("logcumsumexp", impl=lambda a, d: a if a.ndim == 0 else jax.lax.cumlogsumexp(a, axis=d),
    grad_fn="LogcumsumexpBackward0", dtype=KEEP, saves=(0,), saves_output=True)
def logcumsumexp(input, dim: int):
    """torch.logcumsumexp (floating input only: torch has no integer kernel)."""
    if not (input.is_floating_point() or input.is_complex()):
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for '
                                  f"'{legacy_name(input.dtype)}'")
    return dispatch(logcumsumexp.op, (input,), (norm_dim(dim, input.ndim),))


def _diff_impl(a, pre, post, n, dim):
    parts = [p for p in (pre, a, post) if p is not None]
    x = jnp.concatenate(parts, axis=dim) if len(parts) > 1 else a
    for _ in range(n):
        hi = jax.lax.slice_in_dim(x, 1, x.shape[dim], axis=dim)
        lo = jax.lax.slice_in_dim(x, 0, x.shape[dim] - 1, axis=dim)
        x = jnp.logical_xor(hi, lo) if x.dtype == jnp.bool_ else hi - lo
    return x


@op("diff", impl=_diff_impl, grad_fn="SubBackward0")
def diff(input, n: int = 1, dim: int = -1, prepend=None, append=None):
    """torch.diff: ``n``-th forward difference along ``dim`` (xor for bool), after joining
    ``prepend`` and ``append``."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = norm_dim(dim, input.ndim)
    return dispatch(diff.op, (input, prepend, append), (int(n), d))


def _trapezoid_impl(y, x, dx, dim, cumulative):
    n = y.shape[dim]
    hi = jax.lax.slice_in_dim(y, 1, n, axis=dim)
    lo = jax.lax.slice_in_dim(y, 0, n - 1, axis=dim)
    if x is None:
        area = (hi + lo) * (dx / 2)
    else:
        if x.ndim == 1:
            shape = [1] * y.ndim
            shape[dim] = x.shape[0]
            x = x.reshape(shape)
            dim_x = dim
        else:
            dim_x = dim - y.ndim + x.ndim
        m = x.shape[dim_x]
        dxs = (jax.lax.slice_in_dim(x, 1, m, axis=dim_x)
               - jax.lax.slice_in_dim(x, 0, m - 1, axis=dim_x))
        area = dxs * (hi + lo) / 2
    return jnp.cumsum(area, axis=dim) if cumulative else jnp.sum(area, axis=dim)


def _trapezoid_grad_fn(params):
    has_x, cumulative = params[0] is None, params[2]
    if has_x:
        return "DivBackward1"
    return "CumsumBackward0" if cumulative else "MulBackward1"


TRAPEZOID = register("trapezoid", _trapezoid_impl, _trapezoid_grad_fn, dtype_rule=FLOAT)


def _trapezoid(y, x, dx, dim: int, cumulative: bool):
    """trapezoid/cumulative_trapezoid's body: ``x`` may be the spacing, as a number."""
    d = norm_dim(dim, y.ndim)
    if x is not None and not hasattr(x, "shape"):  # trapezoid(y, dx) as a number
        x, dx = None, x
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: received both x and dx")
    step = None if x is not None else float(1 if dx is None else dx)
    return dispatch(TRAPEZOID, (y, x), (step, d, cumulative))


@expose("trapezoid", "trapz", method=False)
def trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """torch.trapezoid: the trapezoid rule along ``dim`` with spacing ``dx`` or sample points
    ``x``."""
    return _trapezoid(y, x, dx, dim, cumulative=False)


@expose("cumulative_trapezoid", method=False)
def cumulative_trapezoid(y, x=None, *, dx=None, dim: int = -1):
    """torch.cumulative_trapezoid: the trapezoid rule along ``dim`` with spacing ``dx`` or sample
    points ``x``."""
    return _trapezoid(y, x, dx, dim, cumulative=True)
