"""``torch.return_types``: the named tuple classes of multi-output ops (ops/return_types.py)."""

from __future__ import annotations

from .ops.return_types import TYPES as _TYPES

globals().update(_TYPES)
