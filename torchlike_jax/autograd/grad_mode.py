"""``torch.autograd.grad_mode``: the public grad-mode switches.

They are implemented in :mod:`torchlike_jax.core.grad_mode`, below the ops (dispatch reads the
mode on every call); this module is where torch users import them from.
"""

from __future__ import annotations

from ..core.grad_mode import *  # noqa: F403
from ..core.grad_mode import __all__  # noqa: F401
from .multithreading import set_multithreading_enabled  # noqa: E402, F401
