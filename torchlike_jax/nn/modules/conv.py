"""``Conv1d/2d/3d`` (``padding='same'/'valid'``; ``padding_mode`` 'zeros' pads inside the
convolution, 'reflect' / 'replicate' / 'circular' pad with F.pad first, as torch) and
``ConvTranspose1d/2d/3d`` (``output_padding``, or an ``output_size`` given to ``forward``)."""

from __future__ import annotations

import math
from typing import Any

from ... import _creation
from ...core.tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ._util import _pair, _single, _triple
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode",
                     "output_padding", "in_channels", "out_channels", "kernel_size"]

    _nd = 0  # spatial dims: each ConvNd / ConvTransposeNd sets it

    def _tuple(self, x: Any) -> tuple:
        """``x`` as an ``_nd``-tuple (an int repeated)."""
        return (_single, _pair, _triple)[self._nd - 1](x)

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple,
                 stride: tuple, padding: Any, dilation: tuple, transposed: bool,
                 output_padding: tuple, groups: int, bias: bool, padding_mode: str,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        if isinstance(padding, str):  # F.pad's list for the non-zeros modes: last dim first
            pads: list[int] = []
            if padding == "same":
                for d, k in zip(reversed(dilation), reversed(kernel_size), strict=True):
                    total = d * (k - 1)
                    pads += [total // 2, total - total // 2]
            else:
                pads = [0, 0] * len(kernel_size)
            self._reversed_padding_repeated_twice = pads
        else:
            self._reversed_padding_repeated_twice = [p for p in reversed(padding)
                                                     for _ in range(2)]
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = Parameter(_creation.empty(shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(_creation.empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)


class _Conv(_ConvNd):
    """A forward convolution of ``_nd`` spatial dims."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        t = self._tuple
        super().__init__(in_channels, out_channels, t(kernel_size), t(stride),
                         padding if isinstance(padding, str) else t(padding), t(dilation),
                         False, t(0), groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = (F.conv1d, F.conv2d, F.conv3d)[self._nd - 1]
        if self.padding_mode != "zeros":
            return conv(F.pad(input, self._reversed_padding_repeated_twice,
                              mode=self.padding_mode),
                        weight, bias, self.stride, self._tuple(0), self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """1-d convolution (cross-correlation, as torch) with a learned ``weight`` of shape
    ``(out_channels, in_channels // groups, *kernel_size)`` and optional ``bias``
    (``F.conv1d``). ``stride``, ``padding`` (an int, a tuple, ``'same'`` or ``'valid'``),
    ``dilation`` and ``groups`` as in torch; ``padding_mode`` 'reflect', 'replicate' or
    'circular' pads with ``F.pad`` first. Input ``(N, C, L)`` or ``(C, L)`` with
    ``C = in_channels``; output channels ``out_channels``."""

    _nd = 1


class Conv2d(_Conv):
    """2-d convolution (cross-correlation, as torch) with a learned ``weight`` of shape
    ``(out_channels, in_channels // groups, *kernel_size)`` and optional ``bias``
    (``F.conv2d``). ``stride``, ``padding`` (an int, a tuple, ``'same'`` or ``'valid'``),
    ``dilation`` and ``groups`` as in torch; ``padding_mode`` 'reflect', 'replicate' or
    'circular' pads with ``F.pad`` first. Input ``(N, C, H, W)`` or ``(C, H, W)`` with
    ``C = in_channels``; output channels ``out_channels``."""

    _nd = 2


class Conv3d(_Conv):
    """3-d convolution (cross-correlation, as torch) with a learned ``weight`` of shape
    ``(out_channels, in_channels // groups, *kernel_size)`` and optional ``bias``
    (``F.conv3d``). ``stride``, ``padding`` (an int, a tuple, ``'same'`` or ``'valid'``),
    ``dilation`` and ``groups`` as in torch; ``padding_mode`` 'reflect', 'replicate' or
    'circular' pads with ``F.pad`` first. Input ``(N, C, D, H, W)`` or ``(C, D, H, W)`` with
    ``C = in_channels``; output channels ``out_channels``."""

    _nd = 3


class _ConvTransposeNd(_ConvNd):
    """A transposed convolution; ``forward(input, output_size)`` picks the output padding that
    gives ``output_size`` (one of the ``stride`` sizes that all map back to the input size)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{self.__class__.__name__}")
        t = self._tuple
        super().__init__(in_channels, out_channels, t(kernel_size), t(stride), t(padding),
                         t(dilation), True, t(output_padding), groups, bias, padding_mode,
                         device, dtype)

    def _output_padding(self, input: Tensor, output_size: Any) -> tuple:
        nd = self._nd
        if output_size is None:
            return self.output_padding
        lead = 2 if input.dim() == nd + 2 else 1
        sizes = list(output_size)
        if len(sizes) == lead + nd:
            sizes = sizes[lead:]
        if len(sizes) != nd:
            raise ValueError(f"ConvTranspose{nd}D: for {input.dim()}D input, output_size must "
                             f"have {nd} or {lead + nd} elements (got {len(output_size)})")
        lo = [(input.size(d + lead) - 1) * self.stride[d] - 2 * self.padding[d]
              + self.dilation[d] * (self.kernel_size[d] - 1) + 1 for d in range(nd)]
        hi = [lo[d] + self.stride[d] - 1 for d in range(nd)]
        for d in range(nd):
            if not lo[d] <= sizes[d] <= hi[d]:
                raise ValueError(f"requested an output size of {sizes}, but valid sizes range "
                                 f"from {lo} to {hi} (for an input of {input.size()[2:]})")
        return tuple(int(sizes[d]) - lo[d] for d in range(nd))

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        conv = (F.conv_transpose1d, F.conv_transpose2d, F.conv_transpose3d)[self._nd - 1]
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-d convolution (the gradient of ``Conv1d`` with respect to its input,
    ``F.conv_transpose1d``), which upsamples by ``stride``. Learned ``weight`` of shape
    ``(in_channels, out_channels // groups, *kernel_size)``. ``output_padding`` (or an
    ``output_size`` given to ``forward``) picks among the output sizes a strided convolution
    maps to the same input size. Input ``(N, C, L)`` or ``(C, L)``; only
    ``padding_mode='zeros'``."""

    _nd = 1


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-d convolution (the gradient of ``Conv2d`` with respect to its input,
    ``F.conv_transpose2d``), which upsamples by ``stride``. Learned ``weight`` of shape
    ``(in_channels, out_channels // groups, *kernel_size)``. ``output_padding`` (or an
    ``output_size`` given to ``forward``) picks among the output sizes a strided convolution
    maps to the same input size. Input ``(N, C, H, W)`` or ``(C, H, W)``; only
    ``padding_mode='zeros'``."""

    _nd = 2


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-d convolution (the gradient of ``Conv3d`` with respect to its input,
    ``F.conv_transpose3d``), which upsamples by ``stride``. Learned ``weight`` of shape
    ``(in_channels, out_channels // groups, *kernel_size)``. ``output_padding`` (or an
    ``output_size`` given to ``forward``) picks among the output sizes a strided convolution
    maps to the same input size. Input ``(N, C, D, H, W)`` or ``(C, D, H, W)``; only
    ``padding_mode='zeros'``."""

    _nd = 3
