"""``torch.nn.Parameter``: a leaf Tensor that a :class:`Module` registers as a parameter."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._creation import empty
from ..core.tensor import Tensor

__all__ = ["Parameter", "UninitializedBuffer", "UninitializedParameter",
           "UninitializedTensorMixin"]


class Parameter(Tensor):
    """A Tensor subclass sharing ``data``'s storage (array and version counter), always a leaf,
    ``requires_grad=True`` by default; ops on it return plain Tensors, as in torch."""

    __module__ = "torch.nn.parameter"  # as scripts print it; pickled through __reduce_ex__

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        p = cls._alias(data)
        p.requires_grad_(requires_grad)
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto: Any) -> Any:
        return (_rebuild_parameter, (np.asarray(self.detach()), self.requires_grad))


def _rebuild_parameter(array: Any, requires_grad: bool) -> Parameter:
    from .._creation import tensor

    return Parameter(tensor(array), requires_grad)


# ---- lazy modules' placeholders ---------------------------------------------------------------
_UNINIT_ALLOWED = frozenset({
    "requires_grad", "requires_grad_", "dtype", "device", "grad", "grad_fn", "is_leaf", "data",
    "size", "materialize", "cls_to_become", "is_floating_point", "is_complex", "share_memory_",
})


class UninitializedTensorMixin:
    """A parameter or buffer whose shape is not known yet (a lazy module fills it on its first
    forward with :meth:`materialize`). Using it raises torch's errors: its ``shape`` a
    RuntimeError, any other tensor method a ValueError; ``requires_grad``, ``dtype``,
    ``device``, ``data`` and ``size()`` (``torch.Size([0])``) stay readable, as in torch."""

    __slots__ = ()
    cls_to_become: type

    def __getattribute__(self, name: str) -> Any:
        if name.startswith("_") or name in _UNINIT_ALLOWED:
            return object.__getattribute__(self, name)
        if name == "shape":
            raise RuntimeError(
                "Can't access the shape of an uninitialized parameter or buffer. This error "
                "usually happens in `load_state_dict` when trying to load an uninitialized "
                "parameter into an initialized one. Call `forward` to initialize the parameters "
                "before accessing their attributes.")
        attr = object.__getattribute__(self, name)
        if callable(attr) or name in ("ndim", "T", "mT", "H", "mH"):
            raise ValueError(
                f"Attempted to use an uninitialized parameter in <method '{name}' of "
                "'torch._C.TensorBase' objects>. This error happens when you are using a "
                "`LazyModule` or explicitly manipulating "
                "`torch.nn.parameter.UninitializedParameter` objects. When using LazyModules "
                "Call `forward` with a dummy batch to initialize the parameters before calling "
                "torch functions")
        return attr

    def size(self, dim: int | None = None) -> Any:
        data = self.data
        return data.size() if dim is None else data.size(dim)

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        """Give the placeholder real (uninitialised) storage of ``shape`` and turn it into a
        plain ``cls_to_become`` (Parameter or Tensor), keeping the object's identity."""
        if device is None:
            device = self.data.device
        if dtype is None:
            dtype = self.data.dtype
        self.data = empty(shape, device=device, dtype=dtype)
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto: Any) -> Any:
        return (self.__class__, (self.requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A :class:`Parameter` of unknown shape (see :class:`UninitializedTensorMixin`)."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device: Any = None,
                dtype: Any = None) -> UninitializedParameter:
        return Parameter.__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer of unknown shape (see :class:`UninitializedTensorMixin`)."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device: Any = None,
                dtype: Any = None) -> UninitializedBuffer:
        t = cls._alias(empty(0, device=device, dtype=dtype))
        t.requires_grad_(requires_grad)
        return t

    def __init__(self, requires_grad: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        pass


def is_lazy(param: Any) -> bool:
    return isinstance(param, UninitializedTensorMixin)
