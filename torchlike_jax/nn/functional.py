"""``torch.nn.functional``: the functions op modules exposed under this namespace
(ops/surface.py); their ops live in ``torchlike_jax/ops`` like every other op."""

from __future__ import annotations

from ..core.surface import NAMESPACES as _NAMESPACES

globals().update(_NAMESPACES["nn.functional"])
