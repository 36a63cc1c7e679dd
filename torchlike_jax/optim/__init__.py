"""``torch.optim``: optimizers whose per-group update is one cached, jitted JAX function, and
``torch.optim.lr_scheduler``."""

from __future__ import annotations

from . import lr_scheduler
from ._algorithms import SGD, Adagrad, Adam, AdamW, RMSprop
from .optimizer import Optimizer

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
