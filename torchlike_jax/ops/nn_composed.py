"""nn.functional entries that torch itself builds from other ops, built here the same way (so
their values, gradients and ``grad_fn`` names follow from ops already in the registry):
F.rms_norm, F.local_response_norm, F.alpha_dropout, F.dropout1d, F.dropout3d, and the
deprecated F.upsample / upsample_nearest / upsample_bilinear (F.interpolate with a warning).
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .nn_activations import need_float
from .nn_dropout import _dropout_impl
from .nn_padding import pad
from .nn_resample import interpolate

_NN = "nn.functional"
_SELU_ALPHA = 1.7580993408473766  # -scale * alpha of SELU: the value alpha_dropout drops to


def rms_norm(input: Any, normalized_shape: Any, weight: Any = None,
             eps: float | None = None) -> Any:
    """F.rms_norm: x / sqrt(mean(x^2) + eps) over the trailing dims, times ``weight``;
    eps defaults to the dtype's machine epsilon, as torch."""
    need_tensor("rms_norm", input)
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else \
        tuple(int(s) for s in normalized_shape)
    if len(ns) > input.ndim or tuple(input.shape[input.ndim - len(ns):]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*{', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    need_float(input, "rms_norm")
    if eps is None:
        eps = float(jnp.finfo(array_of(input).dtype).eps)
    dims = tuple(range(input.ndim - len(ns), input.ndim))
    out = input * (input * input).mean(dims, keepdim=True).add(eps).rsqrt()
    return out * weight if weight is not None else out


def local_response_norm(input: Any, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Any:
    """F.local_response_norm: x / (k + alpha * mean of x^2 over ``size`` neighbouring
    channels)^beta, the window zero-padded like torch's (size // 2 before, (size - 1) // 2
    after)."""
    need_tensor("local_response_norm", input)
    if input.ndim < 3:
        # torch's message carries the indentation of its source line break, verbatim
        raise ValueError(f"Expected 3D or higher dimensionality{' ' * 26}input (got "
                         f"{input.ndim} dimensions)")
    if input.numel() == 0:
        return input
    c = input.shape[1]
    sq = pad(input * input, (0, 0) * (input.ndim - 2) + (size // 2, (size - 1) // 2))
    total = sq.narrow(1, 0, c)
    for j in range(1, size):
        total = total + sq.narrow(1, j, c)
    div = (total / size).mul(alpha).add(k).pow(beta)
    return input / div


def _mask(input: Any, p: float, shape: tuple) -> Any:
    from .. import _random

    keep = jax.random.bernoulli(_random.default_generator.next_key(), 1.0 - p, shape)
    return Tensor._wrap(keep.astype(upcast_half(array_of(input)).dtype))


def alpha_dropout(input: Any, p: float = 0.5, training: bool = False,
                  inplace: bool = False) -> Any:
    """F.alpha_dropout: dropped elements take SELU's negative saturation value, then an affine
    map keeps mean and variance (torch's ``a``/``b`` formulas)."""
    need_tensor("alpha_dropout", input)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        out = input * 0.0
    else:
        keep = _mask(input, p, tuple(input.shape))
        a = 1.0 / ((_SELU_ALPHA ** 2 * p + 1) * (1 - p)) ** 0.5
        b = (keep - 1.0) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p
        out = input * (keep * a) + b.to(input.dtype)
    if inplace:
        input._check_inplace()
        return input._rebind(out)
    return out


def dropout1d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """F.dropout1d: zero whole channels of (N, C, L) or unbatched (C, L) input."""
    need_tensor("dropout1d", input)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D "
                           "input. Note that dropout1d exists to provide channel-wise dropout on "
                           "inputs with 1 spatial dimension, a channel dimension, and an optional "
                           "batch dimension (i.e. 2D or 3D inputs).")
    shape = (input.shape[0], 1) if input.ndim == 2 else tuple(input.shape[:2]) + (1,)
    return _dropout_impl("dropout1d", input, p, training, inplace, shape)


def dropout3d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """F.dropout3d: zero whole channels of (N, C, D, H, W) or unbatched (C, D, H, W) input."""
    need_tensor("dropout3d", input)
    if input.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {input.ndim}-D input to dropout3d, which is "
                      "deprecated and will result in an error in a future release. To retain the "
                      "behavior and silence this warning, please use dropout instead. Note that "
                      "dropout3d exists to provide channel-wise dropout on inputs with 3 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 4D "
                      "or 5D inputs).", UserWarning, stacklevel=2)
    if input.ndim == 4:
        shape = (input.shape[0], 1, 1, 1)
    else:
        shape = tuple(input.shape[:2]) + (1,) * max(input.ndim - 2, 0)
    return _dropout_impl("dropout3d", input, p, training, inplace, shape)


def _deprecated_upsample(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", UserWarning, stacklevel=3)


def upsample(input: Any, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Any:
    """F.upsample: the old name of F.interpolate."""
    _deprecated_upsample("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Any, size: Any = None, scale_factor: Any = None) -> Any:
    """F.upsample_nearest: F.interpolate(mode='nearest')."""
    _deprecated_upsample("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Any, size: Any = None, scale_factor: Any = None) -> Any:
    """F.upsample_bilinear: F.interpolate(mode='bilinear', align_corners=True)."""
    _deprecated_upsample("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


for _f in (rms_norm, local_response_norm, alpha_dropout, dropout1d, dropout3d, upsample,
           upsample_nearest, upsample_bilinear):
    expose(_f.__name__, method=False, namespace=_NN)(_f)
