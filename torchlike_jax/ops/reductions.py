"""Reductions: sum, mean, max/min (full and along a dim)."""

from __future__ import annotations

from collections import namedtuple

import jax.numpy as jnp

from .dims import norm_dim, norm_dims
from .dispatch import dispatch
from .registry import FLOAT, KEEP, SUM, register
from .surface import expose


def _sum_impl(a, dims, keepdim):
    return jnp.sum(a, axis=dims, keepdims=keepdim)


def _mean_impl(a, dims, keepdim):
    return jnp.mean(a, axis=dims, keepdims=keepdim)


def _by_dim(base: str):
    return lambda params: f"{base}Backward0" if params[0] is None else f"{base}Backward1"


SUM_OP = register("sum", _sum_impl, _by_dim("Sum"), dtype_rule=SUM)
MEAN_OP = register("mean", _mean_impl, _by_dim("Mean"), dtype_rule=FLOAT,
                   float_only="mean(): could not infer output dtype. Input dtype must be either a "
                              "floating point or complex dtype. Got: {dtype}")
MAX_ALL = register("max_all", jnp.max, "MaxBackward1", dtype_rule=KEEP, saves_inputs=(0,),
                   saves_output=True)
MIN_ALL = register("min_all", jnp.min, "MinBackward1", dtype_rule=KEEP, saves_inputs=(0,),
                   saves_output=True)


def _select_along(arg_fn):
    """(values, int64 indices) of ``arg_fn`` (argmax/argmin) along ``dim``, like torch.max(dim)."""

    def impl(a, dim, keepdim):
        idx = arg_fn(a, axis=dim, keepdims=True)
        vals = jnp.take_along_axis(a, idx, axis=dim)
        if not keepdim:
            vals, idx = jnp.squeeze(vals, dim), jnp.squeeze(idx, dim)
        return vals, idx.astype(jnp.int64)

    return impl


_max_dim = _select_along(jnp.argmax)
_min_dim = _select_along(jnp.argmin)


MAX_DIM = register("max_dim", _max_dim, "MaxBackward0", dtype_rule=KEEP, n_out=2,
                   saves_inputs=(0,))
MIN_DIM = register("min_dim", _min_dim, "MinBackward0", dtype_rule=KEEP, n_out=2,
                   saves_inputs=(0,))
ARGMAX = register("argmax", lambda a, d, k: jnp.argmax(a, axis=d, keepdims=k).astype(jnp.int64),
                  None, dtype_rule=KEEP)
ARGMIN = register("argmin", lambda a, d, k: jnp.argmin(a, axis=d, keepdims=k).astype(jnp.int64),
                  None, dtype_rule=KEEP)


class _ReturnType(namedtuple("_ReturnType", ["values", "indices"])):
    """torch.return_types.max / min: a (values, indices) named tuple."""

    __slots__ = ()
    _kind = ""

    def __repr__(self) -> str:
        return (f"torch.return_types.{self._kind}(\nvalues={self.values!r},\n"
                f"indices={self.indices!r})")


class max_result(_ReturnType):  # noqa: N801 - torch's class is called "max"
    __slots__ = ()
    _kind = "max"


class min_result(_ReturnType):  # noqa: N801
    __slots__ = ()
    _kind = "min"


max_result.__name__ = "max"
min_result.__name__ = "min"


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """torch.sum; integers and bools accumulate in int64 as in torch."""
    dims = norm_dims(dim, input.ndim)
    out = dispatch(SUM_OP, (input,), (dims, bool(keepdim)), out_dtype=dtype)
    return out


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """torch.mean; raises torch's RuntimeError for integer input."""
    if dtype is not None:
        input = input.to(dtype)
    return dispatch(MEAN_OP, (input,), (norm_dims(dim, input.ndim), bool(keepdim)))


def _extreme(all_op, dim_op, name, result_cls, binary):
    def fn(input, dim=None, keepdim=False):
        from .._tensor import Tensor

        if isinstance(dim, Tensor):
            return binary(input, dim)
        if dim is None:
            if input.numel() == 0:
                raise RuntimeError(f"{name}(): Expected reduction dim to be specified for "
                                   "input.numel() == 0. Specify the reduction dim with the "
                                   "'dim' argument.")
            return dispatch(all_op, (input,))
        d = norm_dim(dim, input.ndim)
        if input.ndim == 0:
            return result_cls(input.clone(), dispatch(ARGMAX, (input,), (None, False)))
        vals, idx = dispatch(dim_op, (input,), (d, bool(keepdim)))
        return result_cls(vals, idx)

    fn.__name__ = name
    fn.__doc__ = (f"torch.{name}: the full reduction, or (values, indices) along ``dim``, or the "
                  f"elementwise {name}imum of two tensors.")
    return fn


def _argext(op):
    def fn(input, dim=None, keepdim=False):
        if dim is None:
            return dispatch(op, (input.reshape(-1),), (None, False))
        return dispatch(op, (input,), (norm_dim(dim, input.ndim), bool(keepdim)))

    fn.__name__ = op.name
    return fn


argmax = _argext(ARGMAX)
argmin = _argext(ARGMIN)


def _bind_extremes():
    from .elementwise import maximum, minimum

    return (_extreme(MAX_ALL, MAX_DIM, "max", max_result, maximum),
            _extreme(MIN_ALL, MIN_DIM, "min", min_result, minimum))


max, min = _bind_extremes()

for _f in (sum, mean, max, min, argmax, argmin):
    expose(_f.__name__)(_f)
