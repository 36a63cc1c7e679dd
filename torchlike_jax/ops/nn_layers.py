"""torch.nn.functional layers: linear, convolution, pooling, normalization, dropout, embedding,
padding, resampling and distances.

Each layer is one registered op named after torch's backward node (``ConvolutionBackward0``,
``MaxPool2DWithIndicesBackward0``, ``NativeLayerNormBackward0``...). Window ops (pooling,
resampling) gather through index arrays built on the host from the static shapes, so their
JAX derivative routes exactly where torch's does (the max's first index, each window's
share). Half inputs compute in float32 and round once, like torch's CPU kernels.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import legacy_name
from ..core.dims import norm_dim
from ..core.dispatch import dispatch, value_is_abstract
from ..core.registry import FLOAT, KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from .bounds import check_in_self
from .nn_activations import need_float, need_tensor, up

_NN = "nn.functional"
_HI = jax.lax.Precision.HIGHEST


def _tup(v: Any, n: int) -> tuple:
    """An int or a sequence as an n-tuple of ints (torch's _pair / _single)."""
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return tuple(int(v[0]) for _ in range(n))
        return tuple(int(u) for u in v)
    return (int(v),) * n


def _as(x: jax.Array, like: jax.Array) -> jax.Array:
    return x.astype(like.dtype)


def _write(t: Any, arr: jax.Array) -> None:
    """Update a buffer (running stats) in place, outside autograd, bumping its version."""
    t._st.array = arr.astype(t._st.array.dtype)
    t._st.version += 1


# ---- linear ------------------------------------------------------------------------------------
def _linear_name(params: tuple) -> str:
    ndim, bias = params
    if ndim == 2:
        return "AddmmBackward0" if bias else "MmBackward0"
    if ndim == 1:
        return "ViewBackward0" if bias else "SqueezeBackward4"
    return "ViewBackward0" if bias else "UnsafeViewBackward0"


def _linear(x, w, b, ndim, bias):
    y = jnp.matmul(up(x), up(w).T, precision=_HI)
    if b is not None:
        y = y + up(b)
    return _as(y, x)


LINEAR = register("linear", _linear, _linear_name, dtype_rule=KEEP, saves_inputs=(0, 1))


def _bilinear(x1, x2, w, b, has_bias):
    y = jnp.einsum("...i,oij,...j->...o", up(x1), up(w), up(x2), precision=_HI)
    if b is not None:
        y = y + up(b)
    return _as(y, x1)


BILINEAR = register("bilinear", _bilinear,
                    lambda p: "AddBackward0" if p[0] else "ViewBackward0", dtype_rule=KEEP,
                    saves_inputs=(0, 1, 2))


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}


def _check_same_dtype(*ts: Any) -> None:
    """torch's matmul dtype check for linear's input / weight / bias."""
    ts = [t for t in ts if t is not None]
    for t in ts[1:]:
        if t.dtype != ts[0].dtype:
            a, b = (_C_NAMES.get(x.dtype.name, x.dtype.name) for x in (ts[0], t))
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a} != {b}")


def linear(input: Any, weight: Any, bias: Any = None) -> Any:
    """F.linear: ``input @ weight.T + bias``."""
    need_tensor(input, "linear")
    if input.shape[-1:] != weight.shape[-1:] if input.ndim else True:
        a = (math.prod(input.shape[:-1]), input.shape[-1]) if input.ndim else (1, 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a[0]}x{a[1]} and "
                           f"{weight.shape[-1]}x{weight.shape[0]})")
    _check_same_dtype(input, weight, bias)
    return dispatch(LINEAR, (input, weight, bias), (input.ndim, bias is not None))


def bilinear(input1: Any, input2: Any, weight: Any, bias: Any = None) -> Any:
    """F.bilinear: ``x1^T W_o x2 + b_o`` for every output feature o."""
    need_tensor(input1, "bilinear")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    return dispatch(BILINEAR, (input1, input2, weight, bias), (bias is not None,))


# ---- convolution -------------------------------------------------------------------------------
_DN = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"), 3: ("NCDHW", "OIDHW", "NCDHW")}


def _conv(x, w, b, nd, stride, padding, dilation, groups, transposed, out_pad, unbatched):
    xx = up(x)[None] if unbatched else up(x)
    ww = up(w)
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
                                     feature_group_count=groups, precision=_HI)
    if b is not None:
        y = y + up(b).reshape((-1,) + (1,) * nd)
    y = y[0] if unbatched else y
    return _as(y, x)


CONV = register("convolution", _conv,
                lambda p: "SqueezeBackward1" if p[-1] else "ConvolutionBackward0", dtype_rule=KEEP,
                saves_inputs=(0, 1))


def _conv_checks(name: str, input: Any, weight: Any, bias: Any, nd: int, groups: int,
                 transposed: bool) -> None:
    need_tensor(input, name)
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
        st, dl = _tup(stride, nd), _tup(dilation, nd)
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
            pads = tuple((p, p) for p in _tup(padding, nd))
        return dispatch(CONV, (input, weight, bias),
                        (nd, st, pads, dl, int(groups), False, (0,) * nd, input.ndim == nd + 1))

    fn.__name__ = name
    fn.__doc__ = f"F.{name}: cross-correlation (``jax.lax.conv_general_dilated``)."
    return fn


def _conv_transposend(nd: int, name: str):
    def fn(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
           output_padding: Any = 0, groups: int = 1, dilation: Any = 1) -> Any:
        _conv_checks(name, input, weight, bias, nd, groups, True)
        st, dl = _tup(stride, nd), _tup(dilation, nd)
        pads = tuple((p, p) for p in _tup(padding, nd))
        op = _tup(output_padding, nd)
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


# ---- pooling -----------------------------------------------------------------------------------
def _pool_len(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """torch's pooling_output_shape: the last window must start inside the (left-padded) input."""
    num = n + 2 * p - d * (k - 1) - 1
    out = (-(-num // s) if ceil else num // s) + 1
    if ceil and (out - 1) * s >= n + p:
        out -= 1
    return out


def _window_positions(n, k, s, p, d, out) -> np.ndarray:
    """(out, k) input positions of each window element (may be out of range: padding)."""
    return (np.arange(out)[:, None] * s - p + np.arange(k)[None, :] * d)


def _gather_windows(x, poss, fill):
    """x's last len(poss) dims gathered into (..., o1, o2, k1*k2); out-of-range -> ``fill``."""
    nd = len(poss)
    sizes = x.shape[-nd:]
    lo = [max(0, -int(pp.min())) for pp in poss]
    hi = [max(0, int(pp.max()) - (n - 1)) for pp, n in zip(poss, sizes, strict=True)]
    cfg = [(0, 0, 0)] * (x.ndim - nd) + [(a, b, 0) for a, b in zip(lo, hi, strict=True)]
    xp = jax.lax.pad(x, jnp.asarray(fill, x.dtype), cfg)
    if nd == 1:
        g = xp[..., poss[0] + lo[0]]
        return g
    ph, pw = poss
    g = xp[..., (ph + lo[0])[:, None, :, None], (pw + lo[1])[None, :, None, :]]
    o1, o2 = ph.shape[0], pw.shape[0]
    return g.reshape(g.shape[:-4] + (o1, o2, ph.shape[1] * pw.shape[1]))


def _flat_index(poss, sizes) -> np.ndarray:
    if len(poss) == 1:
        return poss[0]
    ph, pw = poss
    idx = ph[:, None, :, None] * sizes[1] + pw[None, :, None, :]
    return idx.reshape(ph.shape[0], pw.shape[0], -1)


def _max_pool(x, nd, kernel, stride, padding, dilation, ceil):
    sizes = x.shape[-nd:]
    poss = [_window_positions(sizes[i], kernel[i], stride[i], padding[i], dilation[i],
                              _pool_len(sizes[i], kernel[i], stride[i], padding[i], dilation[i],
                                        ceil)) for i in range(nd)]
    g = _gather_windows(x, poss, -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating)
                        else jnp.iinfo(x.dtype).min)
    # first maximum, NaN winning (torch: ``val > max || isnan(val)``)
    arg = jnp.argmax(jnp.where(jnp.isnan(g), jnp.inf, g) if jnp.issubdtype(g.dtype, jnp.floating)
                     else g, axis=-1)
    vals = jnp.take_along_axis(g, arg[..., None], axis=-1)[..., 0]
    flat = jnp.asarray(_flat_index(poss, sizes))
    idx = jnp.take_along_axis(jnp.broadcast_to(flat, g.shape), arg[..., None], axis=-1)[..., 0]
    return vals, idx.astype(jnp.int64)


MAX_POOL = register("max_pool", _max_pool,
                    lambda p: "MaxPool2DWithIndicesBackward0" if p[0] == 2 else
                    "SqueezeBackward1", dtype_rule=KEEP, n_out=2, saves_inputs=(0,))


def _avg_divisor(n, k, s, p, out, include_pad) -> np.ndarray:
    start = np.arange(out) * s - p
    end = np.minimum(start + k, n + p)
    size = end - start
    start, end = np.maximum(start, 0), np.minimum(end, n)
    return size if include_pad else end - start


def _avg_pool(x, nd, kernel, stride, padding, ceil, include_pad, divisor):
    xx = up(x)
    sizes = x.shape[-nd:]
    outs = [_pool_len(sizes[i], kernel[i], stride[i], padding[i], 1, ceil) for i in range(nd)]
    poss = [_window_positions(sizes[i], kernel[i], stride[i], padding[i], 1, outs[i])
            for i in range(nd)]
    total = _gather_windows(xx, poss, 0).sum(-1)
    if divisor is not None:
        div = np.full(outs, divisor, np.float64)
    else:
        divs = [_avg_divisor(sizes[i], kernel[i], stride[i], padding[i], outs[i], include_pad)
                for i in range(nd)]
        div = divs[0] if nd == 1 else divs[0][:, None] * divs[1][None, :]
    return _as(total / jnp.asarray(div, xx.dtype), x)


AVG_POOL = register("avg_pool", _avg_pool,
                    lambda p: "AvgPool2DBackward0" if p[0] == 2 else "SqueezeBackward1",
                    dtype_rule=KEEP, saves_inputs=(0,))


def _pool_args(name, input, nd, kernel_size, stride, padding, dilation):
    need_tensor(input, name)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got: "
                           f"{list(input.shape)}")
    k = _tup(kernel_size, nd)
    s = _tup(stride, nd) if stride is not None and stride != [] and stride != () else k
    p = _tup(padding, nd)
    d = _tup(dilation, nd)
    for i in range(nd):
        if nd == 1 and name == "max_pool1d" and p[i] > k[i] // 2:
            raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, "
                               f"but got padding={p[i]} and kernel_size={k[i]}")
        if p[i] > (d[i] * (k[i] - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p[i]}, kernel_size={k[i]} and dilation={d[i]}")
    return k, s, p, d


def _check_out(name, input, nd, k, s, p, d, ceil):
    outs = [_pool_len(input.shape[-nd + i], k[i], s[i], p[i], d[i], ceil) for i in range(nd)]
    if any(o <= 0 for o in outs):
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, input.shape[-nd - 1:]))}). "
                           f"Calculated output size: ({input.shape[-nd - 1]}x"
                           f"{'x'.join(map(str, outs))}). Output size is too small")


def _max_poolnd(nd: int, name: str):
    def fn(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
           dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
        k, s, p, d = _pool_args(name, input, nd, kernel_size, stride, padding, dilation)
        _check_out(name, input, nd, k, s, p, d, ceil_mode)
        if input.dtype.name == "bool":
            raise RuntimeError("\"max_pool2d\" not implemented for 'Bool'")
        vals, idx = dispatch(MAX_POOL, (input,), (nd, k, s, p, d, bool(ceil_mode)))
        return (vals, idx) if return_indices else vals

    fn.__name__ = name
    fn.__doc__ = f"F.{name}: window maxima (and their flat input indices)."
    return fn


def _avg_poolnd(nd: int, name: str):
    def fn(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
           ceil_mode: bool = False, count_include_pad: bool = True,
           divisor_override: int | None = None) -> Any:
        k, s, p, d = _pool_args(name, input, nd, kernel_size, stride, padding, 1)
        _check_out(name, input, nd, k, s, p, d, ceil_mode)
        need_float(input, "avg_pool2d_out_frame")
        return dispatch(AVG_POOL, (input,), (nd, k, s, p, bool(ceil_mode),
                                             bool(count_include_pad), divisor_override))

    fn.__name__ = name
    fn.__doc__ = f"F.{name}: window means (count_include_pad / divisor_override as torch)."
    return fn


max_pool1d = _max_poolnd(1, "max_pool1d")
max_pool2d = _max_poolnd(2, "max_pool2d")
avg_pool1d = _avg_poolnd(1, "avg_pool1d")
_avg_pool2d = _avg_poolnd(2, "avg_pool2d")


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Any:
    """F.avg_pool2d: window means; ``divisor_override`` replaces the window size."""
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override)


def _adaptive_bounds(n: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    i = np.arange(out)
    return (i * n) // out, -((-(i + 1) * n) // out)


def _adaptive_matrix(n: int, out: int) -> np.ndarray:
    start, end = _adaptive_bounds(n, out)
    m = np.zeros((out, n))
    for o in range(out):
        m[o, start[o]:end[o]] = 1.0 / (end[o] - start[o])
    return m


def _adaptive_avg(x, out_size):
    xx = up(x)
    nd = len(out_size)
    ms = [jnp.asarray(_adaptive_matrix(x.shape[-nd + i], out_size[i]), xx.dtype)
          for i in range(nd)]
    if nd == 1:
        y = jnp.einsum("...h,ah->...a", xx, ms[0], precision=_HI)
    else:
        y = jnp.einsum("...hw,ah,bw->...ab", xx, ms[0], ms[1], precision=_HI)
    return _as(y, x)


ADAPTIVE_AVG = register("adaptive_avg_pool", _adaptive_avg,
                        lambda p: "AdaptiveAvgPool2DBackward0" if len(p[0]) == 2 else
                        "SqueezeBackward1", dtype_rule=KEEP, saves_inputs=(0,))


def _adaptive_positions(n: int, out: int) -> np.ndarray:
    start, end = _adaptive_bounds(n, out)
    k = int((end - start).max())
    pos = start[:, None] + np.arange(k)[None, :]
    return np.where(pos < end[:, None], pos, n)  # n: out of range -> the -inf fill


def _adaptive_max(x, out_size):
    nd = len(out_size)
    sizes = x.shape[-nd:]
    poss = [_adaptive_positions(sizes[i], out_size[i]) for i in range(nd)]
    fill = -jnp.inf if jnp.issubdtype(x.dtype, jnp.floating) else jnp.iinfo(x.dtype).min
    g = _gather_windows(x, poss, fill)
    key = jnp.where(jnp.isnan(g), jnp.inf, g) if jnp.issubdtype(g.dtype, jnp.floating) else g
    arg = jnp.argmax(key, axis=-1)
    vals = jnp.take_along_axis(g, arg[..., None], axis=-1)[..., 0]
    flat = jnp.asarray(_flat_index(poss, sizes))
    idx = jnp.take_along_axis(jnp.broadcast_to(flat, g.shape), arg[..., None], axis=-1)[..., 0]
    return vals, idx.astype(jnp.int64)


ADAPTIVE_MAX = register("adaptive_max_pool", _adaptive_max,
                        lambda p: "AdaptiveMaxPool2DBackward0" if len(p[0]) == 2 else
                        "SqueezeBackward1", dtype_rule=KEEP, n_out=2, saves_inputs=(0,))


def _adaptive_size(name: str, input: Any, output_size: Any, nd: int) -> tuple:
    need_tensor(input, name)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got "
                           f"{list(input.shape)}")
    if isinstance(output_size, (list, tuple)):
        if len(output_size) != nd:
            raise RuntimeError(f"{name}: output_size must be {nd}")
        sz = tuple(input.shape[-nd + i] if o is None else int(o)
                   for i, o in enumerate(output_size))
    else:
        sz = (int(output_size),) * nd
    return sz


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Any:
    """F.adaptive_avg_pool1d: means over torch's adaptive windows [floor(i n/o), ceil((i+1)n/o))."""
    sz = _adaptive_size("adaptive_avg_pool1d", input, output_size, 1)
    need_float(input, "adaptive_avg_pool2d")
    return dispatch(ADAPTIVE_AVG, (input,), (sz,))


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:
    """F.adaptive_avg_pool2d (None in output_size keeps that input size). A 1x1 output is a
    mean over the last two dims, as torch computes it (its node is ``MeanBackward1``)."""
    sz = _adaptive_size("adaptive_avg_pool2d", input, output_size, 2)
    need_float(input, "adaptive_avg_pool2d")
    if tuple(sz) == (1, 1):
        return input.mean(dim=(-2, -1), keepdim=True)
    return dispatch(ADAPTIVE_AVG, (input,), (sz,))


def _adaptive_maxnd(nd: int, name: str):
    def fn(input: Any, output_size: Any, return_indices: bool = False) -> Any:
        sz = _adaptive_size(name, input, output_size, nd)
        need_float(input, "adaptive_max_pool2d")
        vals, idx = dispatch(ADAPTIVE_MAX, (input,), (sz,))
        return (vals, idx) if return_indices else vals

    fn.__name__ = name
    fn.__doc__ = f"F.{name}: maxima over torch's adaptive windows (and flat indices)."
    return fn


adaptive_max_pool1d = _adaptive_maxnd(1, "adaptive_max_pool1d")
adaptive_max_pool2d = _adaptive_maxnd(2, "adaptive_max_pool2d")


# ---- dropout -----------------------------------------------------------------------------------
DROPOUT = register("dropout", lambda x, m, scale: _as(up(x) * m * scale, x), "MulBackward0",
                   dtype_rule=KEEP, saves_inputs=(1,))


def _dropout_mask(input: Any, p: float, shape: tuple) -> Any:
    from .. import _random

    key = _random.default_generator.next_key()
    keep = jax.random.bernoulli(key, 1.0 - p, shape)
    return Tensor._wrap(keep.astype(up(input._st.array).dtype))


def _dropout_impl(name: str, input: Any, p: float, training: bool, inplace: bool,
                  mask_shape: tuple) -> Any:
    need_tensor(input, name)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training:
        return input
    need_float(input, "bernoulli_tensor_cpu_p_")
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    out = dispatch(DROPOUT, (input, _dropout_mask(input, p, mask_shape)), (scale,))
    if inplace:
        input._check_inplace()
        return input._rebind(out)
    return out


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """F.dropout: zero each element with probability p, scale the rest by 1/(1-p)."""
    return _dropout_impl("dropout", input, p, training, inplace, tuple(input.shape))


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """F.dropout2d: zero whole channels (one draw per (N, C)); like torch, a 3-D input is read
    as (N, C, L), with torch's warning."""
    need_tensor(input, "dropout2d")
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain the "
                      "behavior and silence this warning, please use dropout instead. Note that "
                      "dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
                      "or 4D inputs).", UserWarning, stacklevel=2)
    elif input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape "
                      "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch "
                      "to using dropout1d instead.", UserWarning, stacklevel=2)
    shape = tuple(input.shape[:2]) + (1,) * max(input.ndim - 2, 0)
    return _dropout_impl("dropout2d", input, p, training, inplace, shape)


def _torch_dropout(input: Any, p: float, train: bool) -> Any:
    """torch.dropout(input, p, train)."""
    return dropout(input, p, train)


# ---- normalization -----------------------------------------------------------------------------
def _affine(y, w, b, shape):
    if w is not None:
        y = y * up(w).reshape(shape)
    if b is not None:
        y = y + up(b).reshape(shape)
    return y


def _layer_norm(x, w, b, nd, eps):
    xx = up(x)
    axes = tuple(range(x.ndim - nd, x.ndim))
    mean = xx.mean(axis=axes, keepdims=True)
    var = ((xx - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (xx - mean) * jax.lax.rsqrt(var + eps)
    return _as(_affine(y, w, b, x.shape[x.ndim - nd:]), x)


LAYER_NORM = register("layer_norm", _layer_norm, "NativeLayerNormBackward0", dtype_rule=KEEP,
                      saves_inputs=(0, 1, 2))


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Any:
    """F.layer_norm over the trailing ``normalized_shape`` dims (biased variance)."""
    need_tensor(input, "layer_norm")
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else \
        tuple(int(s) for s in normalized_shape)
    if tuple(input.shape[input.ndim - len(ns):]) != ns or len(ns) > input.ndim:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(ns)}")
    need_float(input, "LayerNormKernelImpl")
    return dispatch(LAYER_NORM, (input, weight, bias), (len(ns), float(eps)))


def _batch_norm(x, rm, rv, w, b, training, eps):
    xx = up(x)
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)
    if training:
        mean = xx.mean(axis=axes)
        var = ((xx - mean.reshape(shape)) ** 2).mean(axis=axes)
        n = x.size // x.shape[1]
        unbiased = var * n / max(n - 1, 1)
    else:
        mean, var = up(rm), up(rv)
        unbiased = var
    y = (xx - mean.reshape(shape)) * jax.lax.rsqrt(var.reshape(shape) + eps)
    return (_as(_affine(y, w, b, shape), x), jax.lax.stop_gradient(mean),
            jax.lax.stop_gradient(unbiased))


BATCH_NORM = register("batch_norm", _batch_norm, "NativeBatchNormBackward0", dtype_rule=KEEP,
                      n_out=3, saves_inputs=(0, 3))


def _update_running(rm: Any, rv: Any, mean: Any, var: Any, momentum: float) -> None:
    if rm is not None:
        _write(rm, (1 - momentum) * rm._st.array + momentum * mean._st.array)
    if rv is not None:
        _write(rv, (1 - momentum) * rv._st.array + momentum * var._st.array)


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None,
               bias: Any = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Any:
    """F.batch_norm over (N, *spatial) per channel; in training the running stats are updated
    in place (unbiased variance) as torch does."""
    need_tensor(input, "batch_norm")
    if training:
        size = input.numel() // (input.shape[1] if input.ndim > 1 else 1)
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    c = input.shape[1] if input.ndim > 1 else 0
    for t, what in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{what} should contain {c} elements not {t.numel()}")
    need_float(input, "batch_norm")
    out, mean, var = dispatch(BATCH_NORM, (input, running_mean, running_var, weight, bias),
                              (bool(training), float(eps)))
    if training:
        _update_running(running_mean, running_var, mean, var, momentum)
    return out


def _group_norm(x, w, b, groups, eps):
    xx = up(x)
    n, c = x.shape[0], x.shape[1]
    g = xx.reshape(n, groups, -1)
    mean = g.mean(-1, keepdims=True)
    var = ((g - mean) ** 2).mean(-1, keepdims=True)
    y = ((g - mean) * jax.lax.rsqrt(var + eps)).reshape(x.shape)
    return _as(_affine(y, w, b, (c,) + (1,) * (x.ndim - 2)), x)


GROUP_NORM = register("group_norm", _group_norm, "NativeGroupNormBackward0", dtype_rule=KEEP,
                      saves_inputs=(0, 1))


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Any:
    """F.group_norm: normalize over each group of channels and the spatial dims."""
    need_tensor(input, "group_norm")
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups="
                           f"{num_groups}")
    need_float(input, "GroupNormKernelImpl")
    return dispatch(GROUP_NORM, (input, weight, bias), (int(num_groups), float(eps)))


def _instance_norm(x, rm, rv, w, b, use_stats, eps):
    xx = up(x)
    axes = tuple(range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)
    if use_stats:
        mean = xx.mean(axis=axes, keepdims=True)
        var = ((xx - mean) ** 2).mean(axis=axes, keepdims=True)
    else:
        mean = up(rm).reshape(shape)
        var = up(rv).reshape(shape)
    y = (xx - mean) * jax.lax.rsqrt(var + eps)
    n = math.prod(x.shape[2:])
    stat_shape = x.shape[:2] + (1,) * (x.ndim - 2)  # running stats are (C, 1...): broadcast
    mean_nc = jnp.broadcast_to(mean, stat_shape).reshape(x.shape[:2])
    var_nc = jnp.broadcast_to(var, stat_shape).reshape(x.shape[:2])
    stats_m = jax.lax.stop_gradient(mean_nc.mean(0))
    stats_v = jax.lax.stop_gradient((var_nc * n / max(n - 1, 1)).mean(0))
    return _as(_affine(y, w, b, shape), x), stats_m, stats_v


INSTANCE_NORM = register("instance_norm", _instance_norm, "ViewBackward0", dtype_rule=KEEP,
                         n_out=3, saves_inputs=(0,))


def instance_norm(input: Any, running_mean: Any = None, running_var: Any = None,
                  weight: Any = None, bias: Any = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Any:
    """F.instance_norm: per (sample, channel) normalization; running stats (when given) are
    updated in place with the batch mean of the per-instance statistics."""
    need_tensor(input, "instance_norm")
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    need_float(input, "batch_norm")
    out, mean, var = dispatch(INSTANCE_NORM, (input, running_mean, running_var, weight, bias),
                              (bool(use_input_stats), float(eps)))
    if use_input_stats:
        _update_running(running_mean, running_var, mean, var, momentum)
    return out


# ---- embedding / one_hot -----------------------------------------------------------------------
def _embedding(w, idx, padding_idx):
    out = jnp.take(w, idx, axis=0)
    if padding_idx is not None:  # torch gives the padding row no gradient
        pad = (idx == padding_idx)[..., None]
        out = jnp.where(pad, jax.lax.stop_gradient(out), out)
    return out


EMBEDDING = register("embedding", _embedding, "EmbeddingBackward0", dtype_rule=KEEP,
                     saves_inputs=(1,))


def embedding(input: Any, weight: Any, padding_idx: int | None = None, max_norm: Any = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Any:
    """F.embedding: rows of ``weight`` picked by the integer ``input``."""
    need_tensor(input, "embedding")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                                  "supported by torchlike_jax")
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got "
                           f"torch.{legacy_name(input.dtype)}Tensor instead (while checking "
                           f"arguments for embedding)")
    if padding_idx is not None:
        n = weight.shape[0]
        if not -n <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= n
    check_in_self(input, weight.shape[0])
    return dispatch(EMBEDDING, (weight, input), (padding_idx,))


ONE_HOT = register("one_hot", lambda idx, n: (idx[..., None] == jnp.arange(n)).astype(jnp.int64),
                   None, dtype_rule=KEEP)


def one_hot(tensor: Any, num_classes: int = -1) -> Any:
    """F.one_hot: int64 one-hot vectors; num_classes=-1 reads max + 1 (a host sync, as torch)."""
    need_tensor(tensor, "one_hot", "self")
    if tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and (num_classes == -1 or not value_is_abstract(tensor)):
        arr = np.asarray(tensor._st.array)
        if arr.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(arr.max()) + 1
        elif arr.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    return dispatch(ONE_HOT, (tensor,), (int(num_classes),))


# ---- padding -----------------------------------------------------------------------------------
def _pad(x, pads, mode, value):
    if mode == "constant":
        cfg = [(0, 0, 0)] * (x.ndim - len(pads)) + [(lo, hi, 0) for lo, hi in pads]
        return jax.lax.pad(x, jnp.asarray(value, x.dtype), cfg)
    width = [(0, 0)] * (x.ndim - len(pads)) + list(pads)
    return jnp.pad(x, width, mode={"reflect": "reflect", "replicate": "edge",
                                   "circular": "wrap"}[mode])


def _pad_name(params: tuple) -> str:
    pads, mode, _ = params
    n = len(pads)
    return {"constant": "ConstantPadNdBackward0", "reflect": f"ReflectionPad{n}DBackward0",
            "replicate": f"ReplicationPad{n}DBackward0", "circular": "CopySlices"}[mode]


PAD = register("pad", _pad, _pad_name, dtype_rule=KEEP)


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Any:
    """F.pad: ``pad`` lists (left, right) pairs starting from the last dim."""
    need_tensor(input, "pad")
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pad) // 2
    if n > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.ndim}")
    pairs = tuple((int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(n))[::-1]
    if mode == "constant":
        for (lo, hi), s in zip(pairs, input.shape[input.ndim - n:], strict=True):
            if s + lo + hi < 0:
                raise RuntimeError(f"The input size {s}, plus negative padding {lo} and {hi} "
                                   f"resulted in a negative output size, which is invalid. "
                                   f"Check dimension")
        v = 0 if value is None else value
        return dispatch(PAD, (input,), (pairs, "constant", v))
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}"" doesn\'t take in value argument.')
    if n > 3 or input.ndim not in (n + 1, n + 2):
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are "
                                  "supported for now")
    if mode == "reflect":
        for i, ((lo, hi), s) in enumerate(zip(pairs, input.shape[input.ndim - n:],
                                              strict=True)):
            if lo >= s or hi >= s:
                dim = input.ndim - n + i
                raise RuntimeError(f"Argument #4: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({lo}, "
                                   f"{hi}) at dimension {dim} of input {list(input.shape)}")
    return dispatch(PAD, (input,), (pairs, mode, 0))


# ---- resampling --------------------------------------------------------------------------------
def _nearest_index(n_in: int, n_out: int, scale: float | None) -> np.ndarray:
    s = (n_in / n_out) if scale is None else 1.0 / scale
    return np.minimum(np.floor(np.arange(n_out) * np.float32(s)).astype(np.int64), n_in - 1)


def _linear_matrix(n_in: int, n_out: int, align: bool, scale: float | None) -> np.ndarray:
    m = np.zeros((n_out, n_in))
    o = np.arange(n_out)
    if align:
        src = o * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        s = (n_in / n_out) if scale is None else 1.0 / scale
        src = np.maximum((o + 0.5) * s - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    np.add.at(m, (o, i0), 1 - lam)
    np.add.at(m, (o, i1), lam)
    return m


def _interp(x, sizes, mode, align, scales):
    nd = len(sizes)
    ins = x.shape[-nd:]
    if mode == "nearest":
        idx = [_nearest_index(ins[i], sizes[i], scales[i]) for i in range(nd)]
        if nd == 1:
            return x[..., idx[0]]
        return x[..., idx[0][:, None], idx[1][None, :]]
    xx = up(x)
    ms = [jnp.asarray(_linear_matrix(ins[i], sizes[i], align, scales[i]), xx.dtype)
          for i in range(nd)]
    if nd == 1:
        y = jnp.einsum("...h,ah->...a", xx, ms[0], precision=_HI)
    else:
        y = jnp.einsum("...hw,ah,bw->...ab", xx, ms[0], ms[1], precision=_HI)
    return _as(y, x)


def _interp_name(params: tuple) -> str:
    sizes, mode = params[0], params[1]
    kind = {"nearest": "Nearest", "linear": "Linear", "bilinear": "Bilinear"}[mode]
    return f"Upsample{kind}{len(sizes)}DBackward0"


INTERPOLATE = register("interpolate", _interp, _interp_name, dtype_rule=KEEP)


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Any:
    """F.interpolate for modes 'nearest', 'linear' (3-D input) and 'bilinear' (4-D input)."""
    need_tensor(input, "interpolate")
    nd = input.ndim - 2
    if antialias:
        raise NotImplementedError("interpolate(antialias=True) is not supported by torchlike_jax")
    if mode not in ("nearest", "linear", "bilinear"):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not supported by torchlike_jax")
    if mode in ("linear", "bilinear") and nd != {"linear": 1, "bilinear": 2}[mode]:
        want = "3D" if mode == "linear" else "4D"
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {want} input")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if (size is None) == (scale_factor is None):
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        sizes = _tup(size, nd)
        scales = (None,) * nd
    else:
        sf = tuple(float(s) for s in scale_factor) if isinstance(scale_factor, (list, tuple)) \
            else (float(scale_factor),) * nd
        sizes = tuple(int(math.floor(input.shape[2 + i] * sf[i])) for i in range(nd))
        scales = (None,) * nd if recompute_scale_factor else sf
    return dispatch(INTERPOLATE, (input,), (sizes, mode, bool(align_corners), scales))


def _pixel_shuffle(x, r):
    *b, c, h, w = x.shape
    oc = c // (r * r)
    y = x.reshape(*b, oc, r, r, h, w)
    n = len(b)
    y = jnp.transpose(y, tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape(*b, oc, h * r, w * r)


def _pixel_unshuffle(x, r):
    *b, c, h, w = x.shape
    y = x.reshape(*b, c, h // r, r, w // r, r)
    n = len(b)
    y = jnp.transpose(y, tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape(*b, c * r * r, h // r, w // r)


PIXEL_SHUFFLE = register("pixel_shuffle", _pixel_shuffle, "PixelShuffleBackward0",
                         dtype_rule=KEEP)
PIXEL_UNSHUFFLE = register("pixel_unshuffle", _pixel_unshuffle, "PixelUnshuffleBackward0",
                           dtype_rule=KEEP)


def pixel_shuffle(input: Any, upscale_factor: int) -> Any:
    """F.pixel_shuffle: (*, C r^2, H, W) -> (*, C, H r, W r)."""
    need_tensor(input, "pixel_shuffle")
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)={c} "
                           f"is not divisible by {r * r}")
    return dispatch(PIXEL_SHUFFLE, (input,), (r,))


def pixel_unshuffle(input: Any, downscale_factor: int) -> Any:
    """F.pixel_unshuffle: (*, C, H r, W r) -> (*, C r^2, H, W)."""
    need_tensor(input, "pixel_unshuffle")
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    h, w = input.shape[-2], input.shape[-1]
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by "
                           f"downscale_factor, but input.size(-2)={h} is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by "
                           f"downscale_factor, but input.size(-1)={w} is not divisible by {r}")
    return dispatch(PIXEL_UNSHUFFLE, (input,), (r,))


# ---- distances ---------------------------------------------------------------------------------
def _cosine_similarity(a, b, dim, eps):
    a, b = up(a), up(b)
    a, b = jnp.broadcast_arrays(a, b)
    na = jnp.sqrt(jnp.sum(a * a, axis=dim, keepdims=True))
    nb = jnp.sqrt(jnp.sum(b * b, axis=dim, keepdims=True))
    return jnp.sum((a / jnp.maximum(na, eps)) * (b / jnp.maximum(nb, eps)), axis=dim)


COSINE_SIMILARITY = register("cosine_similarity", _cosine_similarity, "SumBackward1",
                             dtype_rule=FLOAT, saves_inputs=(0, 1))


def _pnorm(v, p, axis, keepdim):
    if p == math.inf:
        return jnp.max(jnp.abs(v), axis=axis, keepdims=keepdim)
    if p == 2:
        return jnp.sqrt(jnp.sum(v * v, axis=axis, keepdims=keepdim))
    if p == 1:
        return jnp.sum(jnp.abs(v), axis=axis, keepdims=keepdim)
    return jnp.sum(jnp.abs(v) ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)


def _pairwise_distance(a, b, p, eps, keepdim):
    d = up(a) - up(b) + eps
    if d.ndim == 0:
        return jnp.abs(d)
    return _pnorm(d, p, -1, keepdim)


PAIRWISE_DISTANCE = register("pairwise_distance", _pairwise_distance, "NormBackward1",
                             dtype_rule=FLOAT, saves_inputs=(0, 1))


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Any:
    """F.cosine_similarity along ``dim`` (inputs broadcast); norms are clamped to ``eps``."""
    need_tensor(x1, "cosine_similarity", "x1")
    nd = max(x1.ndim, x2.ndim)
    d = norm_dim(dim, nd)
    return dispatch(COSINE_SIMILARITY, (x1, x2), (d, float(eps)))


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Any:
    """F.pairwise_distance: ||x1 - x2 + eps||_p over the last dim."""
    need_tensor(x1, "pairwise_distance", "x1")
    return dispatch(PAIRWISE_DISTANCE, (x1, x2), (float(p), float(eps), bool(keepdim)))


# ---- exposure ----------------------------------------------------------------------------------
for _f in (linear, bilinear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,
           conv_transpose3d, max_pool1d,
           max_pool2d, avg_pool1d, adaptive_avg_pool1d, adaptive_max_pool1d, dropout,
           pixel_shuffle, pixel_unshuffle, cosine_similarity, pairwise_distance):
    _ns: Any = _NN if _f in (linear, dropout, adaptive_max_pool1d) else (_NN, "torch")
    expose(_f.__name__, method=False, namespace=_ns)(_f)
for _f in (avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool2d, dropout2d, batch_norm,
           instance_norm, embedding, one_hot, pad, interpolate):
    expose(_f.__name__, method=False, namespace=_NN)(_f)
expose("dropout", method=False)(_torch_dropout)


def _torch_layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
                      eps: float = 1e-5, cudnn_enable: bool = True) -> Any:
    """torch.layer_norm: F.layer_norm plus torch's ignored ``cudnn_enable`` flag."""
    return layer_norm(input, normalized_shape, weight, bias, eps)


def _torch_group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,
                      eps: float = 1e-5, cudnn_enabled: bool = True) -> Any:
    """torch.group_norm: F.group_norm plus torch's ignored ``cudnn_enabled`` flag."""
    return group_norm(input, num_groups, weight, bias, eps)


expose("layer_norm", method=False, namespace=_NN)(layer_norm)
expose("group_norm", method=False, namespace=_NN)(group_norm)
expose("layer_norm", method=False)(_torch_layer_norm)
expose("group_norm", method=False)(_torch_group_norm)
