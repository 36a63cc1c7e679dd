"""``torch.nn``: ``Module`` and the layers built on it, ``Parameter``, ``init``, ``utils``,
and the functional API (``torch.nn.functional``). Plain Python on top of Tensor: every
computation goes through ``functional`` and the one dispatch path."""

from __future__ import annotations

from . import functional, init, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .modules.module import _IncompatibleKeys  # noqa: F401
from .parameter import Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["functional", "init", "utils", "Parameter", "UninitializedBuffer",
           "UninitializedParameter", *_modules_all]
