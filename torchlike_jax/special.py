"""``torch.special``: the functions op modules exposed under this namespace (ops/surface.py)."""

from __future__ import annotations

from .core.surface import NAMESPACES as _NAMESPACES

globals().update(_NAMESPACES["special"])
