"""Dtype queries that are public torch functions: ``torch.can_cast``.

Why here: the rule itself lives with the other promotion rules in ``_dtypes``; this module only
publishes it through :func:`expose` (op modules are the one place the public surface is declared).
"""

from __future__ import annotations

from .. import _dtypes as D
from ..core.surface import expose


def can_cast(from_: D.dtype, to: D.dtype) -> bool:
    """torch.can_cast(from_, to): False only for a cast down a category (float -> int, ...)."""
    return D.can_cast(from_, to)


expose("can_cast", method=False)(can_cast)
