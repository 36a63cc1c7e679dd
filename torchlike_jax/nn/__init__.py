"""``torch.nn``: for now the functional API (``torch.nn.functional``)."""

from __future__ import annotations

from . import functional

__all__ = ["functional"]
