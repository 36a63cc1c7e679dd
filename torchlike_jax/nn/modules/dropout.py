"""``Dropout`` (elements), ``Dropout1d/2d/3d`` (whole channels), ``AlphaDropout`` (SELU-
preserving): their F.* in training, identity in eval."""

from __future__ import annotations

from ...core.tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"]


class _DropoutNd(Module):
    __constants__ = ["p", "inplace"]

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training, zeroes each element with probability ``p`` and scales the survivors by
    ``1 / (1 - p)``; identity in eval mode (``F.dropout``). Any shape. Masks come from this
    library's generator, so they differ from torch's for one seed."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """In training, zeroes whole channels (a channel of ``(N, C, L)`` or ``(C, L)`` input) with
    probability ``p`` and scales the rest by ``1 / (1 - p)``; identity in eval
    (``F.dropout1d``). Masks come from this library's generator, so they differ from torch's
    for one seed."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """In training, zeroes whole channels (each ``(H, W)`` map of ``(N, C, H, W)`` or
    ``(C, H, W)`` input) with probability ``p`` and scales the rest by ``1 / (1 - p)``;
    identity in eval (``F.dropout2d``). Masks come from this library's generator, so they
    differ from torch's for one seed."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """In training, zeroes whole channels (each ``(D, H, W)`` volume of ``(N, C, D, H, W)`` or
    ``(C, D, H, W)`` input) with probability ``p`` and scales the rest by ``1 / (1 - p)``;
    identity in eval (``F.dropout3d``). Masks come from this library's generator, so they
    differ from torch's for one seed."""

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks: dropped elements are set to SELU's negative saturation value
    and an affine correction keeps the mean and variance of the input; identity in eval
    (``F.alpha_dropout``). Any shape. Masks come from this library's generator, so for one
    seed they differ from torch's."""

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training)
