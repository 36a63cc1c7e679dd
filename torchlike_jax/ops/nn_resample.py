"""F.interpolate (nearest, linear, bilinear) and F.pixel_shuffle / F.pixel_unshuffle.

Interpolation weights and nearest indices are built on the host from the static sizes (with
torch's float32 scale arithmetic), so the op is a gather or a small matrix product whose JAX
derivative is torch's backward.
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from .nn_common import HIGHEST, NN, cast_like, ntuple


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
    xx = upcast_half(x)
    ms = [jnp.asarray(_linear_matrix(ins[i], sizes[i], align, scales[i]), xx.dtype)
          for i in range(nd)]
    if nd == 1:
        y = jnp.einsum("...h,ah->...a", xx, ms[0], precision=HIGHEST)
    else:
        y = jnp.einsum("...hw,ah,bw->...ab", xx, ms[0], ms[1], precision=HIGHEST)
    return cast_like(y, x)


def _interp_name(params: tuple) -> str:
    sizes, mode = params[0], params[1]
    kind = {"nearest": "Nearest", "linear": "Linear", "bilinear": "Bilinear"}[mode]
    return f"Upsample{kind}{len(sizes)}DBackward0"


INTERPOLATE = register("interpolate", _interp, _interp_name, dtype_rule=KEEP)


def interpolate(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None, recompute_scale_factor: bool | None = None,
                antialias: bool = False) -> Any:
    """F.interpolate for modes 'nearest', 'linear' (3-D input) and 'bilinear' (4-D input)."""
    need_tensor("interpolate", input)
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
        sizes = ntuple(size, nd)
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
    need_tensor("pixel_shuffle", input)
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
    need_tensor("pixel_unshuffle", input)
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


for _f in (pixel_shuffle, pixel_unshuffle):
    expose(_f.__name__, method=False, namespace=(NN, "torch"))(_f)
expose("interpolate", method=False, namespace=NN)(interpolate)
