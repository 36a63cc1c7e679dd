"""``torch.autograd.graph``: the graph's public classes and the saved-tensor hooks.

Implemented in :mod:`torchlike_jax.core.graph`, below the ops (dispatch records the nodes), and
in this package's :mod:`.gradient_edge` and :mod:`.multi_grad_hook`; this module is torch's
public home for them, plus the two hook pairs torch builds on saved-tensor hooks:
``save_on_cpu`` and ``allow_mutation_on_saved_tensors``.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from ..core import graph as _core_graph
from ..core.graph import (
    Node,
    RemovableHandle,
    disable_saved_tensors_hooks,
    increment_version,
    saved_tensors_hooks,
)
from ..core.tensor import Tensor
from ..core.tensor_access import array_of, wrap
from .gradient_edge import GradientEdge, get_gradient_edge
from .multi_grad_hook import register_multi_grad_hook

__all__ = ["Node", "RemovableHandle", "disable_saved_tensors_hooks", "saved_tensors_hooks",
           "GradientEdge", "get_gradient_edge", "increment_version",
           "register_multi_grad_hook", "save_on_cpu", "allow_mutation_on_saved_tensors"]


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - torch's name
    """Saved tensors live on the CPU until backward needs them (then go back to their device).
    Every device here is the host's, so packing keeps the value and unpacking returns it;
    ``pin_memory`` has nothing to pin."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(tensor: Tensor) -> tuple:
            return tensor.device, wrap(array_of(tensor))

        def unpack(packed: tuple) -> Tensor:
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack, unpack)


_NESTED = "allow_mutation_on_saved_tensors contexts cannot be nested"
_OUTSIDE = ("Trying to backward outside of the 'allow_mutation_on_saved_tensors' context"
            "in which the graph was originally recorded.")  # sic: torch's message


class _AllowMutationOnSavedContext:
    """The context object ``allow_mutation_on_saved_tensors()`` yields (torch's class name)."""

    def __init__(self) -> None:
        self.closed = False


_active: list[_AllowMutationOnSavedContext] = []


class allow_mutation_on_saved_tensors(saved_tensors_hooks):  # noqa: N801 - torch's name
    """Inside, a tensor saved for backward may be modified in place: backward sees the value
    it had when saved (torch clones it on the first mutation; here the node keeps the
    immutable array it was given, so nothing is copied). Backward after the block has exited
    raises torch's AssertionError."""

    def __init__(self) -> None:
        self._ctx = _AllowMutationOnSavedContext()
        ctx = self._ctx

        def pack(tensor: Tensor) -> Tensor:
            return wrap(array_of(tensor))  # the value now; later in-place writes rebind

        def unpack(packed: Tensor) -> Tensor:
            if ctx.closed:
                raise AssertionError(_OUTSIDE)
            return packed

        super().__init__(pack, unpack)

    def __enter__(self) -> Any:
        if _active:
            raise RuntimeError(_NESTED)
        super().__enter__()
        _active.append(self._ctx)
        return self._ctx

    def __exit__(self, *exc: object) -> None:
        _active.remove(self._ctx)
        self._ctx.closed = True
        super().__exit__(*exc)


class _GraphModule(types.ModuleType):
    """This module's type: ``torch.autograd.graph.recompute_min_bytes`` (an extension: the size
    from which an activation is recomputed during backward instead of kept) reads and writes
    the setting where dispatch reads it, in :mod:`torchlike_jax.core.graph`."""

    @property
    def recompute_min_bytes(self) -> int | None:
        return _core_graph.recompute_min_bytes

    @recompute_min_bytes.setter
    def recompute_min_bytes(self, value: int | None) -> None:
        _core_graph.recompute_min_bytes = value


sys.modules[__name__].__class__ = _GraphModule
