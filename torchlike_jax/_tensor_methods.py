"""Tensor methods that call ops, attached to the core :class:`Tensor` from above the op layer.

The Tensor's state lives in :mod:`torchlike_jax.core.tensor`, below every op; the methods here
need ops (``x + y``, ``x.to(dtype)``, ``x[i]``, ``x.new_zeros(...)``) or autograd
(``backward``), so they are written in :class:`_OpMethods` and copied onto Tensor when this
module is imported. Every other method comes from the surface tables the op modules fill
(``core/surface.py``): each becomes ``Tensor.<name>`` and, for in-place names,
``Tensor.<name>_``.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import numpy as np

from . import _dtypes as D
from . import _value_checks as value_checks
from ._creation import full, ones, tensor, zeros
from ._device import device_of, jax_device
from ._size import Size
from .autograd.api import backward as autograd_backward
from .core import surface
from .core.dispatch import dispatch
from .core.inplace import VIEW_LEAF_INPLACE, same_shape, with_out_dtype
from .core.strides import layout
from .core.tensor import Tensor
from .ops import elementwise, indexing, linalg
from .ops import shape as shape_ops


class _OpMethods:
    """The op-backed methods of :class:`Tensor` (copied onto it by :func:`_attach`)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Legacy ``torch.Tensor(data)`` / ``torch.Tensor(2, 3)``: always the default dtype."""
        from ._creation import tensor, zeros

        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            if isinstance(data, Size):
                return zeros(data, **kwargs)
            return tensor(data, dtype=D.get_default_dtype(), **kwargs)
        return zeros(*(args or (0,)), **kwargs)

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see autograd.backward)."""

        autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``; self if no-op."""
        dtype = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        for a in args:
            if isinstance(a, D.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif a is not None:
                dev = a
        out = self
        if dtype is not None:
            out = shape_ops.to_dtype(out, dtype)
        if dev is not None and device_of(out._st.array) != dev:
            target = jax_device(dev)
            moved = shape_ops.clone(out) if out is self else out
            moved._st.array = jax.device_put(moved._st.array, target)
            out = moved
        if copy and out is self:
            out = shape_ops.clone(self)
        return out

    def float(self) -> Tensor:
        return shape_ops.to_dtype(self, D.float32)

    def double(self) -> Tensor:
        return shape_ops.to_dtype(self, D.float64)

    def half(self) -> Tensor:
        return shape_ops.to_dtype(self, D.float16)

    def bfloat16(self) -> Tensor:
        return shape_ops.to_dtype(self, D.bfloat16)

    def long(self) -> Tensor:
        return shape_ops.to_dtype(self, D.int64)

    def int(self) -> Tensor:
        return shape_ops.to_dtype(self, D.int32)

    def bool(self) -> Tensor:
        return shape_ops.to_dtype(self, D.bool_)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Tensor:
        return self.to("cuda" if device is None else device)

    def type_as(self, other: Tensor) -> Tensor:
        return shape_ops.to_dtype(self, other.dtype)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """Itself when contiguous; a copy (``CloneBackward0``) of a non-contiguous view."""
        return self if layout(self)[1] else shape_ops.clone(self)

    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        if self.ndim < 2:
            if self.ndim == 1:
                _warn_T()
            return self if self.ndim == 0 else shape_ops.permute(self, 0)
        if self.ndim > 2:
            _warn_T()
        return shape_ops.permute(self, *reversed(range(self.ndim)))

    @property
    def real(self) -> Tensor:
        """torch.real (a copy here, not a view sharing the complex storage)."""
        return surface.NAMESPACES["torch"]["real"](self)

    @property
    def imag(self) -> Tensor:
        return surface.NAMESPACES["torch"]["imag"](self)

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return shape_ops.transpose(self, -2, -1)

    def view_as(self, other: Tensor) -> Tensor:
        return shape_ops.reshape(self, other.shape)

    reshape_as = view_as

    def expand_as(self, other: Tensor) -> Tensor:
        return shape_ops.expand(self, other.shape)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:

        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:

        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None,
                 requires_grad: bool = False) -> Tensor:

        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace(VIEW_LEAF_INPLACE)
        if type(value) in (int, float, complex):
            value_checks.check_fill(value, self.dtype)
        self._rebind(indexing.setitem_value(self, index, value))

    def __getitem__(self, index: Any) -> Tensor:
        return indexing.getitem(self, index)

    def __add__(self, other: Any) -> Tensor:
        return elementwise.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return elementwise.add(self, other)

    def __sub__(self, other: Any) -> Tensor:
        return elementwise.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return elementwise.rsub(self, other)

    def __mul__(self, other: Any) -> Tensor:
        return elementwise.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return elementwise.mul(self, other)

    def __truediv__(self, other: Any) -> Tensor:
        return elementwise.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return dispatch(elementwise.RDIV, (self, other))

    def __floordiv__(self, other: Any) -> Tensor:
        return elementwise.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        out = dispatch(elementwise.RFLOOR_DIVIDE, (self, other))
        elementwise.check_int_divisor(self, out)
        return out

    def __mod__(self, other: Any) -> Tensor:
        return elementwise.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        out = dispatch(elementwise.RREMAINDER, (self, other))
        elementwise.check_int_divisor(self, out)
        return out

    def __pow__(self, other: Any) -> Tensor:
        return elementwise.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return elementwise.pow(other, self)

    def __matmul__(self, other: Tensor) -> Tensor:
        return linalg.matmul(self, other)

    def __rmatmul__(self, other: Tensor) -> Tensor:
        if not isinstance(other, Tensor):
            return NotImplemented
        return linalg.matmul(other, self)

    def __neg__(self) -> Tensor:
        return elementwise.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return elementwise.abs(self)

    def __invert__(self) -> Tensor:
        if self.dtype is D.bool_:
            return dispatch(elementwise.LOGICAL_NOT, (self,))
        return dispatch(elementwise.BITWISE_NOT, (self,))

    def __and__(self, other: Any) -> Tensor:
        return dispatch(elementwise.BITWISE_AND, (self, other))

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return dispatch(elementwise.BITWISE_OR, (self, other))

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return dispatch(elementwise.BITWISE_XOR, (self, other))

    __rxor__ = __xor__

    def __lshift__(self, other: Any) -> Tensor:
        return _public("bitwise_left_shift")(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return _public("bitwise_left_shift")(_like(self, other), self)

    def __rshift__(self, other: Any) -> Tensor:
        return _public("bitwise_right_shift")(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return _public("bitwise_right_shift")(_like(self, other), self)

    def __iand__(self, other: Any) -> Tensor:
        return self.bitwise_and_(other)

    def __ior__(self, other: Any) -> Tensor:
        return self.bitwise_or_(other)

    def __ixor__(self, other: Any) -> Tensor:
        return self.bitwise_xor_(other)

    def __ilshift__(self, other: Any) -> Tensor:
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other: Any) -> Tensor:
        return self.bitwise_right_shift_(other)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> Tensor:
        return self.remainder_(other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return False if other is None else elementwise.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return True if other is None else elementwise.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return elementwise.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return elementwise.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return elementwise.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return elementwise.ge(self, other)

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(elementwise.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(elementwise.sub, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(elementwise.mul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(elementwise.div, other)

    def __ipow__(self, other: Any) -> Tensor:
        return self._inplace(elementwise.pow, other)

    def __imatmul__(self, other: Any) -> Tensor:
        return self._inplace(linalg.matmul, other)


def _public(name: str):
    """A ``torch.*`` function another op module exposed (ops/surface.py)."""
    return surface.NAMESPACES["torch"][name]


def _like(self: Tensor, scalar: Any) -> Tensor:
    """A Python scalar as a 0-dim tensor of ``self``'s dtype (for reflected shifts)."""

    return tensor(scalar, dtype=self.dtype)


_T_warned = False


def _warn_T() -> None:  # noqa: N802
    """torch warns once per process (TORCH_WARN_ONCE), not on every ``x.T``."""
    global _T_warned
    if _T_warned:
        return
    _T_warned = True
    warnings.warn(
        "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
        "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
        "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
        "dimensions of a tensor.", UserWarning, stacklevel=3)


def _method(fn, name: str):
    def m(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    m.__name__ = name
    m.__qualname__ = f"Tensor.{name}"
    m.__doc__ = fn.__doc__
    return m


def _inplace_method(fn, name: str):
    reshapes = name in surface.RESHAPING_INPLACE

    def m(self, *args, **kwargs):
        self._check_inplace()
        out = with_out_dtype(lambda s, *a: fn(s, *a, **kwargs), self, args)
        return self._rebind(out if reshapes else same_shape(self, out), reshapes)

    m.__name__ = name
    m.__qualname__ = f"Tensor.{name}"
    return m


def _bind_public_methods() -> None:
    """Every method op modules exposed (ops/surface.py); the class's own definitions win."""
    for name, fn in surface.METHODS.items():
        if name not in Tensor.__dict__:
            setattr(Tensor, name, _method(fn, name))
    for name, fn in surface.INPLACE.items():
        if name not in Tensor.__dict__:
            setattr(Tensor, name, _inplace_method(fn, name))


def _where_method(self: Tensor, condition: Tensor, y: Any) -> Tensor:
    return elementwise.where(condition, self, y)


# Binary operators return NotImplemented for operands torch does not take (str, list, None...),
# so Python raises its own "unsupported operand type(s)" TypeError (and ``==`` falls back to
# identity), exactly as with torch. ``@`` takes tensors only.
_OPERANDS = (Tensor, bool, int, float, complex, np.generic, np.ndarray)


def _defer_unsupported(method, accepted: tuple):
    def m(self, other):
        if not isinstance(other, accepted):
            return NotImplemented
        return method(self, other)

    m.__name__ = method.__name__
    m.__qualname__ = method.__qualname__
    m.__doc__ = method.__doc__
    return m


def _attach() -> None:
    """Copy :class:`_OpMethods` onto Tensor, then bind every method the op modules exposed
    (the class's own definitions win), then make binary operators defer on foreign operands."""
    for name, value in vars(_OpMethods).items():
        if name in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__",
                    "__hash__"):  # None here (the class defines __eq__); Tensor hashes by id
            continue
        fn = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
        if hasattr(fn, "__qualname__"):
            fn.__qualname__ = f"Tensor.{name}"
        setattr(Tensor, name, value)
    Tensor.where = _where_method
    _bind_public_methods()
    for name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
                 "xor", "lshift", "rshift"):
        for dunder in (f"__{name}__", f"__r{name}__", f"__i{name}__"):
            if dunder in Tensor.__dict__:
                setattr(Tensor, dunder, _defer_unsupported(
                    Tensor.__dict__[dunder], (Tensor,) if name == "matmul" else _OPERANDS))
    for dunder in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        setattr(Tensor, dunder, _defer_unsupported(Tensor.__dict__[dunder], _OPERANDS))


_attach()
