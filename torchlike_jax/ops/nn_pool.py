"""F.max_pool / avg_pool / adaptive pools in one and two spatial dims.

Windows are gathered through index arrays built on the host from the static shapes, so JAX's
derivative routes exactly where torch's does (the first maximum's index, each window's share);
torch's output-size and padding checks are reproduced before dispatch. :mod:`nn_pool3d` reuses
the window helpers for three spatial dims.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from .nn_activations import need_float
from .nn_common import HIGHEST, NN, cast_like, ntuple


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
    xx = upcast_half(x)
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
    return cast_like(total / jnp.asarray(div, xx.dtype), x)


AVG_POOL = register("avg_pool", _avg_pool,
                    lambda p: "AvgPool2DBackward0" if p[0] == 2 else "SqueezeBackward1",
                    dtype_rule=KEEP, saves_inputs=(0,))


def _pool_args(name, input, nd, kernel_size, stride, padding, dilation):
    need_tensor(name, input)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with "
                           f"optional 0 dim batch size for input, but got: "
                           f"{list(input.shape)}")
    k = ntuple(kernel_size, nd)
    s = ntuple(stride, nd) if stride is not None and stride != [] and stride != () else k
    p = ntuple(padding, nd)
    d = ntuple(dilation, nd)
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
    xx = upcast_half(x)
    nd = len(out_size)
    ms = [jnp.asarray(_adaptive_matrix(x.shape[-nd + i], out_size[i]), xx.dtype)
          for i in range(nd)]
    if nd == 1:
        y = jnp.einsum("...h,ah->...a", xx, ms[0], precision=HIGHEST)
    else:
        y = jnp.einsum("...hw,ah,bw->...ab", xx, ms[0], ms[1], precision=HIGHEST)
    return cast_like(y, x)


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
    need_tensor(name, input)
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


for _f in (max_pool1d, max_pool2d, avg_pool1d, adaptive_avg_pool1d):
    expose(_f.__name__, method=False, namespace=(NN, "torch"))(_f)
for _f in (avg_pool2d, adaptive_avg_pool2d, adaptive_max_pool1d, adaptive_max_pool2d):
    expose(_f.__name__, method=False, namespace=NN)(_f)
