"""``torch.autograd.Variable``: the pre-0.4 wrapper, today just a way to make a tensor.

``Variable(t, requires_grad=r)`` is a new leaf sharing ``t``'s data (``t.detach()`` with the
flag set), and every tensor is ``isinstance`` of ``Variable``, as in torch.
"""

from __future__ import annotations

from typing import Any

from ..core.tensor import Tensor
from . import engine


class _VariableMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor)


class _ExecutionEngine:
    """``Variable._execution_engine``: the engine's one Python-facing call used in practice."""

    queue_callback = staticmethod(engine.queue_callback)


class Variable(metaclass=_VariableMeta):
    """Calling it returns a plain ``Tensor``; it is never instantiated."""

    _execution_engine = _ExecutionEngine()

    def __new__(cls, data: Any = None, requires_grad: bool = False,
                volatile: bool = False) -> Tensor:
        if data is None:
            from .._creation import empty

            return empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out._set_requires_grad(True, "Only Tensors of floating point and complex dtype can "
                                         "require gradients")
        return out
