"""``torch.utils``: only ``data`` (datasets, samplers, ``DataLoader``) lives here so far."""

from . import benchmark, data

__all__ = ["benchmark", "data"]
