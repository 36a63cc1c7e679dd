"""``torch.autograd.graph``: the graph's public classes and the saved-tensor hooks.

Implemented in :mod:`torchlike_jax.core.graph`, below the ops (dispatch records the nodes), and
in this package's :mod:`.gradient_edge` and :mod:`.multi_grad_hook`; this module is torch's
public home for them.
"""

from __future__ import annotations

from ..core.graph import (
    Node,
    RemovableHandle,
    disable_saved_tensors_hooks,
    increment_version,
    saved_tensors_hooks,
)
from .gradient_edge import GradientEdge, get_gradient_edge
from .multi_grad_hook import register_multi_grad_hook

__all__ = ["Node", "RemovableHandle", "disable_saved_tensors_hooks", "saved_tensors_hooks",
           "GradientEdge", "get_gradient_edge", "increment_version",
           "register_multi_grad_hook"]
