"""Padding modules: ``ZeroPad1d/2d/3d``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d``, ``CircularPad1d/2d/3d`` — F.pad with a fixed ``(left, right, top,
bottom)`` tuple (an int pads every side)."""

from __future__ import annotations

from typing import Any

from ...core.tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d",
           "CircularPad2d", "CircularPad3d"]


def _sides(padding: Any, n: int) -> tuple:
    """An int for every side, or the explicit tuple of 2 n sides."""
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    return tuple(padding)


class _ModePadNd(Module):
    """F.pad in one of the non-constant modes."""

    __constants__ = ["padding"]
    _mode = "reflect"
    _n = 1

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _sides(padding, self._n)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _n = 1

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__()
        self.padding = _sides(padding, self._n)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with the constant ``value`` (``F.pad`` mode ``constant``). ``padding``:
    an int for every side or ``(left, right)``. Input ``(C, W)`` or ``(N, C, W)``; each padded
    dim grows by the two pads on it."""

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with the constant ``value`` (``F.pad`` mode ``constant``).
    ``padding``: an int for every side or ``(left, right, top, bottom)``. Input ``(C, H, W)``
    or ``(N, C, H, W)``; each padded dim grows by the two pads on it."""

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with the constant ``value`` (``F.pad`` mode ``constant``).
    ``padding``: an int for every side or ``(left, right, top, bottom, front, back)``. Input
    ``(C, D, H, W)`` or ``(N, C, D, H, W)``; each padded dim grows by the two pads on it."""

    _n = 3


class _ZeroPad:
    """Mixed in before a ``ConstantPadNd``: the value is 0 and the repr shows the padding
    alone (a ZeroPadNd is still an instance of its ConstantPadNd, as in torch)."""

    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    """Pads the last dim with zeros (``F.pad`` mode ``constant``). ``padding``: an int for every
    side or ``(left, right)``. Input ``(C, W)`` or ``(N, C, W)``; each padded dim grows by the
    two pads on it."""


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pads the last 2 dims with zeros (``F.pad`` mode ``constant``). ``padding``: an int for
    every side or ``(left, right, top, bottom)``. Input ``(C, H, W)`` or ``(N, C, H, W)``;
    each padded dim grows by the two pads on it."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    """Pads the last 3 dims with zeros (``F.pad`` mode ``constant``). ``padding``: an int for
    every side or ``(left, right, top, bottom, front, back)``. Input ``(C, D, H, W)`` or
    ``(N, C, D, H, W)``; each padded dim grows by the two pads on it."""


class ReflectionPad1d(_ModePadNd):
    """Pads the last dim by mirroring the input about its edge (the edge element itself is not
    repeated) (``F.pad`` mode ``reflect``). ``padding``: an int for every side or
    ``(left, right)``. Input ``(C, W)`` or ``(N, C, W)``; each padded dim grows by the two
    pads on it."""

    _mode, _n = "reflect", 1


class ReflectionPad2d(_ModePadNd):
    """Pads the last 2 dims by mirroring the input about its edge (the edge element itself is not
    repeated) (``F.pad`` mode ``reflect``). ``padding``: an int for every side or
    ``(left, right, top, bottom)``. Input ``(C, H, W)`` or ``(N, C, H, W)``; each padded dim
    grows by the two pads on it."""

    _mode, _n = "reflect", 2


class ReplicationPad1d(_ModePadNd):
    """Pads the last dim by repeating the edge element (``F.pad`` mode ``replicate``).
    ``padding``: an int for every side or ``(left, right)``. Input ``(C, W)`` or
    ``(N, C, W)``; each padded dim grows by the two pads on it."""

    _mode, _n = "replicate", 1


class ReplicationPad2d(_ModePadNd):
    """Pads the last 2 dims by repeating the edge element (``F.pad`` mode ``replicate``).
    ``padding``: an int for every side or ``(left, right, top, bottom)``. Input ``(C, H, W)``
    or ``(N, C, H, W)``; each padded dim grows by the two pads on it."""

    _mode, _n = "replicate", 2


class CircularPad1d(_ModePadNd):
    """Pads the last dim by wrapping around: the left pad is taken from the right end and vice
    versa (``F.pad`` mode ``circular``). ``padding``: an int for every side or
    ``(left, right)``. Input ``(C, W)`` or ``(N, C, W)``; each padded dim grows by the two
    pads on it."""

    _mode, _n = "circular", 1


class CircularPad2d(_ModePadNd):
    """Pads the last 2 dims by wrapping around: the left pad is taken from the right end and vice
    versa (``F.pad`` mode ``circular``). ``padding``: an int for every side or
    ``(left, right, top, bottom)``. Input ``(C, H, W)`` or ``(N, C, H, W)``; each padded dim
    grows by the two pads on it."""

    _mode, _n = "circular", 2


class ReflectionPad3d(_ModePadNd):
    """Pads the last 3 dims by mirroring the input about its edge (the edge element itself is not
    repeated) (``F.pad`` mode ``reflect``). ``padding``: an int for every side or
    ``(left, right, top, bottom, front, back)``. Input ``(C, D, H, W)`` or
    ``(N, C, D, H, W)``; each padded dim grows by the two pads on it."""

    _mode, _n = "reflect", 3


class ReplicationPad3d(_ModePadNd):
    """Pads the last 3 dims by repeating the edge element (``F.pad`` mode ``replicate``).
    ``padding``: an int for every side or ``(left, right, top, bottom, front, back)``. Input
    ``(C, D, H, W)`` or ``(N, C, D, H, W)``; each padded dim grows by the two pads on it."""

    _mode, _n = "replicate", 3


class CircularPad3d(_ModePadNd):
    """Pads the last 3 dims by wrapping around: the left pad is taken from the right end and vice
    versa (``F.pad`` mode ``circular``). ``padding``: an int for every side or
    ``(left, right, top, bottom, front, back)``. Input ``(C, D, H, W)`` or
    ``(N, C, D, H, W)``; each padded dim grows by the two pads on it."""

    _mode, _n = "circular", 3
