"""Dtype queries that are public torch functions: ``torch.can_cast``.

Why here: the rule itself lives with the other promotion rules in ``_dtypes``; this module only
publishes it through :func:`expose` (op modules are the one place the public surface is declared).
"""

from __future__ import annotations

from .. import _dtypes as dtypes
from ..core.surface import expose


def can_cast(from_: dtypes.dtype, to: dtypes.dtype) -> bool:
    """torch.can_cast(from_, to): False only for a cast down a category (float -> int, ...)."""
    return dtypes.can_cast(from_, to)


expose("can_cast", method=False)(can_cast)
