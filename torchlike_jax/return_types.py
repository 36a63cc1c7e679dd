"""``torch.return_types``: the named tuple classes of multi-output ops (core/return_types.py)."""

from __future__ import annotations

from .core.return_types import TYPES as _TYPES

globals().update(_TYPES)
