"""``torch._C``: only the names torch code reaches through it (``torch._C._LinAlgError``)."""

from __future__ import annotations

from .ops.linalg_checks import LinAlgError as _LinAlgError

__all__ = ["_LinAlgError"]
