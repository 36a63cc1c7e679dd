"""``torch.autograd.graph``: the graph's public classes and the saved-tensor hooks.

Implemented in :mod:`torchlike_jax.core.graph`, below the ops (dispatch records the nodes);
this module is torch's public home for them.
"""

from __future__ import annotations

from ..core.graph import (
    Node,
    RemovableHandle,
    disable_saved_tensors_hooks,
    saved_tensors_hooks,
)

__all__ = ["Node", "RemovableHandle", "disable_saved_tensors_hooks", "saved_tensors_hooks"]
