"""F.linear and F.bilinear: dense layers as one matmul / einsum each.

The node torch records depends on the input's rank and on the bias (``AddmmBackward0``,
``MmBackward0``, ``ViewBackward0``...), so the grad_fn name is read from those static params.
Half inputs compute in float32 and round once, like torch's CPU kernels.
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .._dtypes import cpp_type_name, upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from .nn_common import HIGHEST, NN, cast_like


def _linear_name(params: tuple) -> str:
    ndim, bias = params
    if ndim == 2:
        return "AddmmBackward0" if bias else "MmBackward0"
    if ndim == 1:
        return "ViewBackward0" if bias else "SqueezeBackward4"
    return "ViewBackward0" if bias else "UnsafeViewBackward0"


def _linear(x, w, b, ndim, bias):
    y = jnp.matmul(upcast_half(x), upcast_half(w).T, precision=HIGHEST)
    if b is not None:
        y = y + upcast_half(b)
    return cast_like(y, x)


LINEAR = register("linear", _linear, _linear_name, dtype_rule=KEEP, saves_inputs=(0, 1))


def _bilinear(x1, x2, w, b, has_bias):
    y = jnp.einsum("...i,oij,...j->...o", upcast_half(x1), upcast_half(w), upcast_half(x2),
                   precision=HIGHEST)
    if b is not None:
        y = y + upcast_half(b)
    return cast_like(y, x1)


BILINEAR = register("bilinear", _bilinear,
                    lambda p: "AddBackward0" if p[0] else "ViewBackward0", dtype_rule=KEEP,
                    saves_inputs=(0, 1, 2))


def _check_same_dtype(*ts: Any) -> None:
    """torch's matmul dtype check for linear's input / weight / bias."""
    ts = [t for t in ts if t is not None]
    for t in ts[1:]:
        if t.dtype != ts[0].dtype:
            a, b = (cpp_type_name(x.dtype) for x in (ts[0], t))
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a} != {b}")


def linear(input: Any, weight: Any, bias: Any = None) -> Any:
    """F.linear: ``input @ weight.T + bias``."""
    need_tensor("linear", input)
    if input.shape[-1:] != weight.shape[-1:] if input.ndim else True:
        a = (math.prod(input.shape[:-1]), input.shape[-1]) if input.ndim else (1, 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a[0]}x{a[1]} and "
                           f"{weight.shape[-1]}x{weight.shape[0]})")
    _check_same_dtype(input, weight, bias)
    return dispatch(LINEAR, (input, weight, bias), (input.ndim, bias is not None))


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Any:
    """F.bilinear: ``x1^T W_o x2 + b_o`` for every output feature o."""
    need_tensor("bilinear", input1)
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    return dispatch(BILINEAR, (input1, input2, weight, bias), (bias is not None,))


expose("linear", method=False, namespace=NN)(linear)
expose("bilinear", method=False, namespace=(NN, "torch"))(bilinear)
