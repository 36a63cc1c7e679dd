"""``torch.optim``: optimizers whose per-group update is one cached, jitted JAX function, and
``torch.optim.lr_scheduler``."""

from __future__ import annotations

from . import lr_scheduler
from ._algorithms import (
    ASGD,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    NAdam,
    RAdam,
    RMSprop,
    Rprop,
)
from .lbfgs import LBFGS
from .optimizer import Optimizer

__all__ = ["ASGD", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "Optimizer",
           "LBFGS", "RAdam", "RMSprop", "Rprop", "lr_scheduler"]
