"""``torch.utils``: only ``data`` (datasets, samplers, ``DataLoader``) lives here so far."""

from . import data

__all__ = ["data"]
