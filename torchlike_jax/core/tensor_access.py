"""The documented way for the transform layers (``compile``, ``torch.func``) to reach a
``Tensor``'s internals.

A ``Tensor`` is a handle on a *storage* (``Storage``, a ``.data`` storage that forwards to its
source, or a ``ViewStorage``) that holds the current ``jax.Array`` and the version counter.
``compile`` points handles at tracers and back, and ``torch.func`` wraps tracers in handles and
reads the arrays out again. Both used to read and write the private ``_st`` slot directly in
dozens of places; they go through these functions instead, so the slot layout can change in one
module (``_tensor.py``) and here.

Nothing here records autograd history or bumps a version counter: these are the raw moves the
transforms need in order to functionalise the facade's mutations themselves.
"""

from __future__ import annotations

from typing import Any

from .tensor import Storage, Tensor

__all__ = ["array_of", "storage_of", "set_storage", "set_array", "new_storage", "wrap",
           "wrap_on", "set_history", "array_holder"]


def array_of(tensor: Tensor) -> Any:
    """The ``jax.Array`` (or tracer) the tensor holds now."""
    return tensor._st.array


def storage_of(tensor: Tensor) -> Any:
    """The storage object the tensor is a handle on (shared by aliases such as ``detach()``)."""
    return tensor._st


def set_storage(tensor: Tensor, storage: Any) -> None:
    """Point the handle at another storage (what ``.data = ...`` does, without its checks)."""
    tensor._st = storage


def set_array(tensor: Tensor, array: Any) -> None:
    """Rebind the array of the tensor's storage: every alias of that storage sees it. The
    version counter is left alone (callers move it by what the eager code would have done)."""
    tensor._st.array = array


def new_storage(array: Any, version: int = 0) -> Storage:
    """A plain storage holding ``array`` at version ``version``, not yet used by any tensor."""
    storage = Storage(array)
    storage.version = version
    return storage


def wrap(array: Any, inference: bool = False) -> Tensor:
    """A new leaf tensor on a fresh storage holding ``array``, with no autograd state."""
    return Tensor._wrap(array, inference)


def wrap_on(storage: Any, inference: bool = False) -> Tensor:
    """A new leaf handle on an existing storage (an alias, as ``detach()`` makes)."""
    tensor = Tensor._wrap(None, inference)
    tensor._st = storage
    return tensor


def set_history(tensor: Tensor, grad_fn: Any, output_nr: int, requires_grad: bool) -> None:
    """Set the tensor's place in the autograd graph: produced by output ``output_nr`` of
    ``grad_fn`` (None for a leaf), and whether it requires grad."""
    tensor._grad_fn, tensor._output_nr, tensor._requires_grad = grad_fn, output_nr, requires_grad


def array_holder(storage: Any) -> Any:
    """The storage whose ``array`` slot really holds the array: ``.data`` storages forward to
    their source (and may be chained); any other storage holds its own."""
    source = getattr(storage, "_src", None)
    while source is not None:
        storage = source
        source = getattr(storage, "_src", None)
    return storage
