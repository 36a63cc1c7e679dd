"""F.conv{1,2,3}d and F.conv_transpose{1,2,3}d: one ``convolution`` op over
``jax.lax.conv_general_dilated``.

A transposed convolution is the same op with the kernel flipped and regrouped and the stride
turned into input dilation, so both families share one registered op (``ConvolutionBackward0``,
or ``SqueezeBackward1`` for an unbatched input, as torch records it). Half inputs compute in
float32 and round once.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .._dtypes import legacy_name, upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from .nn_activations import need_float
from .nn_common import HIGHEST, NN, cast_like, ntuple

_DN = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"), 3: ("NCDHW", "OIDHW", "NCDHW")}


def _conv(x, w, b, nd, stride, padding, dilation, groups, transposed, out_pad, unbatched):
    xx = upcast_half(x)[None] if unbatched else upcast_half(x)
    ww = upcast_half(w)
    lhs_dil = (1,) * nd
    if transposed:
        k = ww.shape[2:]
        cin, cout_g = ww.shape[0], ww.shape[1]
        ww = ww.reshape((groups, cin // groups, cout_g) + k)
        ww = jnp.swapaxes(ww, 1, 2).reshape((groups * cout_g, cin // groups) + k)
        ww = jnp.flip(ww, axis=tuple(range(2, 2 + nd)))
        pads = tuple((dilation[i] * (k[i] - 1) - padding[i][0],
                      dilation[i] * (k[i] - 1) - padding[i][1] + out_pad[i]) for i in range(nd))
        lhs_dil, stride = stride, (1,) * nd
    else:
        pads = padding
    y = jax.lax.conv_general_dilated(xx, ww, stride, pads, lhs_dilation=lhs_dil,
                                     rhs_dilation=dilation, dimension_numbers=_DN[nd],
                                     feature_group_count=groups, precision=HIGHEST)
    if b is not None:
        y = y + upcast_half(b).reshape((-1,) + (1,) * nd)
    y = y[0] if unbatched else y
    return cast_like(y, x)


CONV = register("convolution", _conv,
                lambda p: "SqueezeBackward1" if p[-1] else "ConvolutionBackward0", dtype_rule=KEEP,
                saves_inputs=(0, 1))


def _conv_checks(name: str, input: Any, weight: Any, bias: Any, nd: int, groups: int,
                 transposed: bool) -> None:
    need_tensor(name, input)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    need_float(input, "slow_conv2d_cpu" if not transposed else "slow_conv_transpose2d_out_cpu")
    c = input.shape[0 if input.ndim == nd + 1 else 1]
    shape = list(input.shape) if input.ndim == nd + 2 else [1] + list(input.shape)
    if transposed:
        if c != weight.shape[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, "
                               f"expected input{shape} to have {weight.shape[0]} channels, but "
                               f"got {c} channels instead")
    elif c != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, "
                           f"expected input{shape} to have {weight.shape[1] * groups} channels, "
                           f"but got {c} channels instead")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({legacy_name(input.dtype)}) and weight type "
                           f"({legacy_name(weight.dtype)}) should be the same")


def _convnd(nd: int, name: str):
    def fn(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Any:
        _conv_checks(name, input, weight, bias, nd, groups, False)
        st, dl = ntuple(stride, nd), ntuple(dilation, nd)
        k = tuple(weight.shape[2:])
        if isinstance(padding, str):
            if padding == "valid":
                pads = ((0, 0),) * nd
            elif padding == "same":
                if any(s != 1 for s in st):
                    raise RuntimeError("padding='same' is not supported for strided "
                                       "convolutions")
                tot = [dl[i] * (k[i] - 1) for i in range(nd)]
                pads = tuple((t // 2, t - t // 2) for t in tot)
            else:
                raise ValueError(f"Invalid padding string '{padding}', should be one of "
                                 "{'valid', 'same'}")
        else:
            pads = tuple((p, p) for p in ntuple(padding, nd))
        return dispatch(CONV, (input, weight, bias),
                        (nd, st, pads, dl, int(groups), False, (0,) * nd, input.ndim == nd + 1))

    fn.__name__ = name
    fn.__doc__ = f"F.{name}: cross-correlation (``jax.lax.conv_general_dilated``)."
    return fn


def _conv_transposend(nd: int, name: str):
    def fn(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Any:
        _conv_checks(name, input, weight, bias, nd, groups, True)
        st, dl = ntuple(stride, nd), ntuple(dilation, nd)
        pads = tuple((p, p) for p in ntuple(padding, nd))
        op = ntuple(output_padding, nd)
        for i in range(nd):
            if op[i] >= max(st[i], dl[i]):
                raise RuntimeError("output padding must be smaller than either stride or "
                                   "dilation, but got output_padding_height: "
                                   f"{op[i]} output_padding_width: {op[-1]} stride_height: "
                                   f"{st[i]} stride_width: {st[-1]} dilation_height: {dl[i]} "
                                   f"dilation_width: {dl[-1]}")
        return dispatch(CONV, (input, weight, bias),
                        (nd, st, pads, dl, int(groups), True, op, input.ndim == nd + 1))

    fn.__name__ = name
    fn.__doc__ = f"F.{name}: the gradient of a convolution (a fractionally strided conv)."
    return fn


conv1d = _convnd(1, "conv1d")
conv2d = _convnd(2, "conv2d")
conv3d = _convnd(3, "conv3d")
conv_transpose1d = _conv_transposend(1, "conv_transpose1d")
conv_transpose2d = _conv_transposend(2, "conv_transpose2d")
conv_transpose3d = _conv_transposend(3, "conv_transpose3d")


for _f in (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d):
    expose(_f.__name__, method=False, namespace=(NN, "torch"))(_f)
