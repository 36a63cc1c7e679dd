"""F.max_pool3d and F.avg_pool3d: the 1-D/2-D pooling of nn_pool extended to three spatial
dims. Window positions come from the same host-side rules (torch's output-size formula, its
padding and ceil_mode), gathered through index arrays so the max's gradient goes to the first
maximum and the mean's to every window element, as torch routes them.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import upcast_half
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from .nn_activations import need_float
from .nn_pool import _avg_divisor, _check_out, _pool_args, _pool_len, _window_positions


def _boxes(x, kernel, stride, padding, dilation, ceil):
    sizes = x.shape[-3:]
    outs = [_pool_len(sizes[i], kernel[i], stride[i], padding[i], dilation[i], ceil)
            for i in range(3)]
    poss = [_window_positions(sizes[i], kernel[i], stride[i], padding[i], dilation[i], outs[i])
            for i in range(3)]
    return sizes, outs, poss


def _gather3(x, poss, fill):
    """(..., od, oh, ow, kd * kh * kw) windows of the last three dims; outside -> ``fill``."""
    sizes = x.shape[-3:]
    lo = [max(0, -int(p.min())) for p in poss]
    hi = [max(0, int(p.max()) - (n - 1)) for p, n in zip(poss, sizes, strict=True)]
    cfg = [(0, 0, 0)] * (x.ndim - 3) + [(a, b, 0) for a, b in zip(lo, hi, strict=True)]
    xp = jax.lax.pad(x, jnp.asarray(fill, x.dtype), cfg)
    pd, ph, pw = (p + o for p, o in zip(poss, lo, strict=True))
    g = xp[..., pd[:, None, None, :, None, None], ph[None, :, None, None, :, None],
           pw[None, None, :, None, None, :]]
    return g.reshape(g.shape[:-6] + (pd.shape[0], ph.shape[0], pw.shape[0], -1))


def _flat3(poss, sizes) -> np.ndarray:
    pd, ph, pw = poss
    idx = ((pd[:, None, None, :, None, None] * sizes[1] + ph[None, :, None, None, :, None])
           * sizes[2] + pw[None, None, :, None, None, :])
    return idx.reshape(pd.shape[0], ph.shape[0], pw.shape[0], -1)


def _max_pool3d(x, kernel, stride, padding, dilation, ceil):
    sizes, _, poss = _boxes(x, kernel, stride, padding, dilation, ceil)
    g = _gather3(x, poss, -jnp.inf)
    arg = jnp.argmax(jnp.where(jnp.isnan(g), jnp.inf, g), axis=-1)  # first max, NaN wins
    vals = jnp.take_along_axis(g, arg[..., None], axis=-1)[..., 0]
    flat = jnp.broadcast_to(jnp.asarray(_flat3(poss, sizes)), g.shape)
    idx = jnp.take_along_axis(flat, arg[..., None], axis=-1)[..., 0]
    return vals, idx.astype(jnp.int64)


def _avg_pool3d(x, kernel, stride, padding, ceil, include_pad, divisor):
    xx = upcast_half(x)
    sizes, outs, poss = _boxes(x, kernel, stride, padding, (1, 1, 1), ceil)
    total = _gather3(xx, poss, 0).sum(-1)
    if divisor is not None:
        div = np.full(outs, divisor, np.float64)
    else:
        d = [_avg_divisor(sizes[i], kernel[i], stride[i], padding[i], outs[i], include_pad)
             for i in range(3)]
        div = d[0][:, None, None] * d[1][None, :, None] * d[2][None, None, :]
    return (total / jnp.asarray(div, xx.dtype)).astype(x.dtype)


MAX_POOL3D = register("max_pool3d", _max_pool3d, "MaxPool3DWithIndicesBackward0",
                      dtype_rule=KEEP, n_out=2, saves_inputs=(0,))
AVG_POOL3D = register("avg_pool3d", _avg_pool3d, "AvgPool3DBackward0", dtype_rule=KEEP,
                      saves_inputs=(0,))


def max_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """F.max_pool3d: window maxima over (D, H, W) (and their flat input indices)."""
    k, s, p, d = _pool_args("max_pool3d", input, 3, kernel_size, stride, padding, dilation)
    _check_out("max_pool3d", input, 3, k, s, p, d, ceil_mode)
    need_float(input, "max_pool3d")
    vals, idx = dispatch(MAX_POOL3D, (input,), (k, s, p, d, bool(ceil_mode)))
    return (vals, idx) if return_indices else vals


def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Any:
    """F.avg_pool3d: window means over (D, H, W); ``divisor_override`` replaces the count."""
    k, s, p, d = _pool_args("avg_pool3d", input, 3, kernel_size, stride, padding, 1)
    _check_out("avg_pool3d", input, 3, k, s, p, d, ceil_mode)
    need_float(input, "avg_pool3d_out_frame")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return dispatch(AVG_POOL3D, (input,), (k, s, p, bool(ceil_mode), bool(count_include_pad),
                                           divisor_override))


expose("max_pool3d", method=False, namespace=("nn.functional", "torch"))(max_pool3d)
expose("avg_pool3d", method=False, namespace="nn.functional")(avg_pool3d)
