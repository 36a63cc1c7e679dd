"""Pooling modules: ``MaxPool1d/2d/3d``, ``AvgPool1d/2d/3d``, ``AdaptiveAvgPool1d/2d``,
``AdaptiveMaxPool1d/2d`` (``return_indices``)."""

from __future__ import annotations

from typing import Any

from ...core.tensor import Tensor
from .. import functional as F
from ._util import _single
from .module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "AvgPool1d", "AvgPool2d", "AvgPool3d",
           "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]


class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices",
                     "ceil_mode"]

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}"
                ", dilation={dilation}, ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    """Maximum over sliding windows of the last dim (``F.max_pool1d``). ``kernel_size``,
    ``stride`` (default: the kernel size), ``padding`` (implicit -inf) and ``dilation`` take
    an int or a tuple; ``ceil_mode`` rounds the output size up; ``return_indices`` also
    returns the flat positions of the maxima (for ``MaxUnpool``). Input ``(N, C, L)`` or
    ``(C, L)``."""

    def forward(self, input: Tensor) -> Any:
        return F.max_pool1d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class MaxPool2d(_MaxPoolNd):
    """Maximum over sliding windows of the last 2 dims (``F.max_pool2d``). ``kernel_size``,
    ``stride`` (default: the kernel size), ``padding`` (implicit -inf) and ``dilation`` take
    an int or a tuple; ``ceil_mode`` rounds the output size up; ``return_indices`` also
    returns the flat positions of the maxima (for ``MaxUnpool``). Input ``(N, C, H, W)`` or
    ``(C, H, W)``."""

    def forward(self, input: Tensor) -> Any:
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool2d(Module):
    """Mean over sliding windows of the last 2 dims (``F.avg_pool2d``). ``stride`` defaults to
    the kernel size; ``count_include_pad`` counts zero padding in the divisor,
    ``divisor_override`` replaces the divisor; ``ceil_mode`` rounds the output size up. Input
    ``(N, C, H, W)`` or ``(C, H, W)``."""

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
                     "divisor_override"]

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """Average pooling whose windows are chosen so that the last 2 dims come out with size
    ``output_size`` (``F.adaptive_avg_pool2d``; ``None`` in a tuple keeps that dim). Input
    ``(N, C, H, W)`` or ``(C, H, W)``."""

    __constants__ = ["output_size"]

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AvgPool1d(Module):
    """Mean over sliding windows of the last dim (``F.avg_pool1d``). ``stride`` defaults to the
    kernel size; ``count_include_pad`` counts zero padding in the divisor; ``ceil_mode``
    rounds the output size up. Input ``(N, C, L)`` or ``(C, L)``."""

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    __constants__ = ["output_size"]

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptivePool):
    """Average pooling whose windows are chosen so that the last dim come out with size
    ``output_size`` (``F.adaptive_avg_pool1d``; ``None`` in a tuple keeps that dim). Input
    ``(N, C, L)`` or ``(C, L)``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.adaptive_avg_pool1d(input, self.output_size)


class _AdaptiveMaxPool(_AdaptivePool):
    __constants__ = ["output_size", "return_indices"]

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max pooling whose windows are chosen so that the last dim come out with size
    ``output_size`` (``F.adaptive_max_pool1d``); ``return_indices`` also returns where the
    maxima were. Input ``(N, C, L)`` or ``(C, L)``."""

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max pooling whose windows are chosen so that the last 2 dims come out with size
    ``output_size`` (``F.adaptive_max_pool2d``); ``return_indices`` also returns where the
    maxima were. Input ``(N, C, H, W)`` or ``(C, H, W)``."""

    def forward(self, input: Tensor) -> Any:
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)


class MaxPool3d(_MaxPoolNd):
    """Maximum over sliding windows of the last 3 dims (``F.max_pool3d``). ``kernel_size``,
    ``stride`` (default: the kernel size), ``padding`` (implicit -inf) and ``dilation`` take
    an int or a tuple; ``ceil_mode`` rounds the output size up; ``return_indices`` also
    returns the flat positions of the maxima (for ``MaxUnpool``). Input ``(N, C, D, H, W)`` or
    ``(C, D, H, W)``."""

    def forward(self, input: Tensor) -> Any:
        return F.max_pool3d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)


class AvgPool3d(AvgPool2d):
    """Mean over sliding windows of the last 3 dims (``F.avg_pool3d``). ``stride`` defaults to
    the kernel size; ``count_include_pad`` counts zero padding in the divisor,
    ``divisor_override`` replaces the divisor; ``ceil_mode`` rounds the output size up. Input
    ``(N, C, D, H, W)`` or ``(C, D, H, W)``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool3d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)
