"""Running the facade function on tracers: one transform level, the tensor handles that wrap
the level's tracers, and the handles wrapping a transform's results."""

from __future__ import annotations

from typing import Any

import jax

from ..core import grad_mode
from ..core import transforms as _transforms
from ..core.tensor import Tensor
from ..core.tensor_access import wrap


class TransformLevel:
    """Context for the user's function inside one transform: pushes the level, and for
    reverse-mode levels enables grad (torch.func ignores an outer ``no_grad``)."""

    __slots__ = ("kind", "arrays", "level", "prev")

    def __init__(self, kind: str, arrays: Any) -> None:
        self.kind = kind
        self.arrays = arrays

    def __enter__(self) -> _transforms.Level:
        self.level = _transforms.Level(self.kind, _transforms.trace_tag(self.arrays))
        local = grad_mode._local
        self.prev = local.grad_enabled
        _transforms.push(self.level)
        if self.kind == "rev":
            local.grad_enabled = True
        return self.level

    def __exit__(self, *exc: Any) -> None:
        grad_mode._local.grad_enabled = self.prev
        _transforms.pop(self.level)


def inner_tensor(array: Any, requires_grad: bool) -> Tensor:
    """A tensor handle on a level's tracer: a leaf, requiring grad in reverse-mode levels."""
    t = wrap(array)
    if requires_grad and array.dtype.kind in "fcV":
        t._requires_grad = True
    return t


def wrap_output(array: Any) -> Tensor:
    """A transform's result handle (an inference tensor under inference mode)."""
    return wrap(array, grad_mode._local.inference_mode)


def leave_level(arrays: list) -> list:
    """Results of a transform called under ``no_grad`` inside an outer reverse-mode transform
    are constants for that outer level (the transform's own grad mode is its own business)."""
    if not grad_mode._local.grad_enabled and _transforms.state.rev:
        return list(_transforms.stop_no_grad(list(arrays)))
    return list(arrays)


def depends_on_level(array: Any, tag: Any) -> bool:
    """Whether ``array`` (returned inside a level) carries that level's tracer."""
    if tag is None or not isinstance(array, jax.core.Tracer):
        return tag is None and isinstance(array, jax.core.Tracer)
    if _transforms.trace_tag([array]) is not tag:
        return False
    if getattr(array, "batch_dim", 0) is None:  # vmap: a tracer carrying an unbatched value
        return False
    tangent = getattr(array, "tangent", None)
    return tangent is None or type(tangent).__name__ != "Zero"
