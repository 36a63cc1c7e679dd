"""``InstanceNorm1d/2d/3d``: per-sample, per-channel normalization. They share
BatchNorm's parameters and buffers (off by default: ``affine=False``,
``track_running_stats=False``); running statistics, when tracked, are used in eval."""

from __future__ import annotations

import warnings

from ...core.tensor import Tensor
from .. import functional as F
from .batchnorm import _NormBase

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class _InstanceNorm(_NormBase):
    _spatial = 0  # spatial dims after the channel dim

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: object = None,
                 dtype: object = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _check_input_dim(self, input: Tensor) -> None:
        n = self._spatial
        if input.dim() not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.dim()}D input)")

    def _normalize(self, input: Tensor) -> Tensor:
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        channel_dim = input.dim() - self._spatial - 1
        if input.size(channel_dim) != self.num_features:
            if self.affine:
                raise ValueError(f"expected input's size at dim={channel_dim} to match "
                                 f"num_features ({self.num_features}), but got: "
                                 f"{input.size(channel_dim)}.")
            warnings.warn(f"input's size at dim={channel_dim} does not match num_features. You "
                          "can silence this warning by not passing in num_features, which is "
                          "not used because affine=False", stacklevel=2)
        if input.dim() == self._spatial + 1:  # unbatched
            return self._normalize(input.unsqueeze(0)).squeeze(0)
        return self._normalize(input)


class InstanceNorm1d(_InstanceNorm):
    """Normalizes each channel of each sample separately over its spatial dims
    (``F.instance_norm``). ``affine`` (default off): learned per-channel ``weight`` and
    ``bias``; ``track_running_stats`` (default off): keep running statistics for eval mode.
    Input ``(N, C, L)`` or ``(C, L)``; unbatched input is accepted."""

    _spatial = 1


class InstanceNorm2d(_InstanceNorm):
    """Normalizes each channel of each sample separately over its spatial dims
    (``F.instance_norm``). ``affine`` (default off): learned per-channel ``weight`` and
    ``bias``; ``track_running_stats`` (default off): keep running statistics for eval mode.
    Input ``(N, C, H, W)`` or ``(C, H, W)``; unbatched input is accepted."""

    _spatial = 2


class InstanceNorm3d(_InstanceNorm):
    """Normalizes each channel of each sample separately over its spatial dims
    (``F.instance_norm``). ``affine`` (default off): learned per-channel ``weight`` and
    ``bias``; ``track_running_stats`` (default off): keep running statistics for eval mode.
    Input ``(N, C, D, H, W)`` or ``(C, D, H, W)``; unbatched input is accepted."""

    _spatial = 3
