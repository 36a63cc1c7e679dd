"""``torch.nn.init``: in-place initialisers (under ``no_grad``), drawing from the library's
generator (``torch.manual_seed`` fixes them; the streams differ from torch's, the
distributions and their bounds do not)."""

from __future__ import annotations

import math
import warnings
from typing import Any

from .._random import Generator, rand, randn
from ..core.grad_mode import no_grad
from ..core.tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "trunc_normal_"]


def calculate_gain(nonlinearity: str, param: Any = None) -> float:
    """The recommended gain for ``nonlinearity`` (torch's table)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill_uniform(tensor: Tensor, a: float, b: float, generator: Generator | None) -> Tensor:
    with no_grad():
        u = rand(tuple(tensor.shape), dtype=tensor.dtype, generator=generator)
        return tensor.copy_(u * (b - a) + a)


def _fill_normal(tensor: Tensor, mean: float, std: float, generator: Generator | None) -> Tensor:
    with no_grad():
        z = randn(tuple(tensor.shape), dtype=tensor.dtype, generator=generator)
        return tensor.copy_(z * std + mean)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | None = None) -> Tensor:
    """Fill with U(a, b)."""
    return _fill_uniform(tensor, a, b, generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2)."""
    return _fill_normal(tensor, mean, std, generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std^2) truncated to [a, b] (inverse-CDF method, as torch)."""
    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    lo, hi = norm_cdf((a - mean) / std), norm_cdf((b - mean) / std)
    with no_grad():
        u = rand(tuple(tensor.shape), dtype=tensor.dtype, generator=generator)
        u = u * (2 * hi - 2 * lo) + (2 * lo - 1)
        return tensor.copy_((u.erfinv() * (std * math.sqrt(2.0)) + mean).clamp(a, b))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fills ``tensor`` with ``val`` in place, without recording autograd; returns it."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` with ones in place, without recording autograd; returns it."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fills ``tensor`` with zeros in place, without recording autograd; returns it."""
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Overwrites a 2-D ``tensor`` with the identity matrix (ones on the main diagonal, zeros
    elsewhere; rectangular shapes allowed), without recording autograd; returns it."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    from .._creation import eye

    with no_grad():
        return tensor.copy_(eye(*tensor.shape, dtype=tensor.dtype))


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive_field_size = 1
    for s in tensor.shape[2:]:
        receptive_field_size *= s
    return tensor.size(1) * receptive_field_size, tensor.size(0) * receptive_field_size


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Generator | None = None) -> Tensor:
    """Glorot initialization: fills ``tensor`` in place from U(-a, a) with
    ``a = gain * sqrt(6 / (fan_in + fan_out))``, fan_in = ``size(1)`` times the receptive
    field (the product of dims 2 onward), fan_out = ``size(0)`` times it; returns it. Draws
    from this library's generator (or ``generator``), so values differ from torch's."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return _fill_uniform(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Generator | None = None) -> Tensor:
    """Glorot initialization: fills ``tensor`` in place from N(0, std**2) with
    ``std = gain * sqrt(2 / (fan_in + fan_out))``, fan_in = ``size(1)`` times the receptive
    field (the product of dims 2 onward), fan_out = ``size(0)`` times it; returns it. Draws
    from this library's generator (or ``generator``), so values differ from torch's."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _fill_normal(tensor, 0.0, std, generator)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """He initialization: fills ``tensor`` in place from U(-b, b) with
    ``b = gain * sqrt(3 / fan)``, ``gain`` from ``calculate_gain(nonlinearity, a)`` and
    ``fan`` the fan_in or fan_out (``mode``). A zero-element tensor is left alone with a
    warning. Draws from this library's generator (or ``generator``), so values differ from
    torch's."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return _fill_uniform(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """He initialization: fills ``tensor`` in place from N(0, std**2) with
    ``std = gain / sqrt(fan)``, ``gain`` from ``calculate_gain(nonlinearity, a)`` and ``fan``
    the fan_in or fan_out (``mode``). A zero-element tensor is left alone with a warning.
    Draws from this library's generator (or ``generator``), so values differ from torch's."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return _fill_normal(tensor, 0.0, std, generator)
