"""``torch.autograd``: grad modes, ``backward``, ``grad`` and the graph classes."""

from __future__ import annotations

from . import grad_mode, graph
from .grad_mode import (
    enable_grad,
    get_grad_mode,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "backward", "grad", "grad_mode", "graph", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "get_grad_mode",
]


def __getattr__(name: str):
    # api imports the tensor layer lazily; resolve on first use to keep layering one-way
    if name in ("backward", "grad"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'torchlike_jax.autograd' has no attribute {name!r}")
