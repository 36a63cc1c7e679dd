"""Tensor methods that call ops, attached to the core :class:`Tensor` from above the op layer.

The Tensor's state lives in :mod:`torchlike_jax.core.tensor`, below every op; the methods here
need ops (``x.to(dtype)``, ``x[i]``, ``x.new_zeros(...)``) or autograd (``backward``), so
they are written in :class:`_OpMethods` and copied onto Tensor when this module is imported.
Every other method comes from the surface tables the op modules fill (``core/surface.py``):
each becomes ``Tensor.<name>`` and, for in-place names, ``Tensor.<name>_``. The operator
dunders (``x + y``, ``2 ** x``, ``x += y``, ``x == y``, ``~x``) are generated from the operator
tables at the bottom, which name the public functions they call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from . import _dtypes as dtypes
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
from .core.tensor_access import array_of, set_array
from .core.warn_always import warn_once
from .ops import binary_math, elementwise, indexing, linalg
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
            return tensor(data, dtype=dtypes.get_default_dtype(), **kwargs)
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
            if isinstance(a, dtypes.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif a is not None:
                dev = a
        out = self
        if dtype is not None:
            out = shape_ops.to_dtype(out, dtype)
        if dev is not None and device_of(array_of(out)) != dev:
            target = jax_device(dev)
            moved = shape_ops.clone(out) if out is self else out
            set_array(moved, jax.device_put(array_of(moved), target))
            out = moved
        if copy and out is self:
            out = shape_ops.clone(self)
        return out

    def float(self) -> Tensor:
        """``self`` cast to torch.float32 (``self.to(torch.float32)``); ``self`` itself when it
        already has that dtype."""
        return shape_ops.to_dtype(self, dtypes.float32)

    def double(self) -> Tensor:
        """``self`` cast to torch.float64 (``self.to(torch.float64)``); ``self`` itself when it
        already has that dtype."""
        return shape_ops.to_dtype(self, dtypes.float64)

    def half(self) -> Tensor:
        """``self`` cast to torch.float16 (``self.to(torch.float16)``); ``self`` itself when it
        already has that dtype."""
        return shape_ops.to_dtype(self, dtypes.float16)

    def bfloat16(self) -> Tensor:
        """``self`` cast to torch.bfloat16 (``self.to(torch.bfloat16)``); ``self`` itself when it
        already has that dtype."""
        return shape_ops.to_dtype(self, dtypes.bfloat16)

    def long(self) -> Tensor:
        """``self`` cast to torch.int64 (``self.to(torch.int64)``); ``self`` itself when it
        already has that dtype."""
        return shape_ops.to_dtype(self, dtypes.int64)

    def int(self) -> Tensor:
        """``self`` cast to torch.int32 (``self.to(torch.int32)``); ``self`` itself when it
        already has that dtype."""
        return shape_ops.to_dtype(self, dtypes.int32)

    def bool(self) -> Tensor:
        """``self`` cast to torch.bool (``self.to(torch.bool)``); ``self`` itself when it already
        has that dtype."""
        return shape_ops.to_dtype(self, dtypes.bool_)

    def cpu(self) -> Tensor:
        """``self`` on the CPU device (``self.to('cpu')``); ``self`` itself when already there."""
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Tensor:
        """``self`` moved to a CUDA device (``device``, default the current one); on JAX this
        means the accelerator JAX exposes, and it fails without one."""
        return self.to("cuda" if device is None else device)

    def type_as(self, other: Tensor) -> Tensor:
        """``self`` cast to ``other``'s dtype (``self.to(other.dtype)``)."""
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
        """``self`` reshaped to ``other``'s shape (``reshape_as`` is the same method). The
        element count must match."""
        return shape_ops.reshape(self, other.shape)

    reshape_as = view_as

    def expand_as(self, other: Tensor) -> Tensor:
        """``self`` expanded to ``other``'s shape, as ``self.expand(other.size())``: a view."""
        return shape_ops.expand(self, other.shape)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A new tensor from ``data`` (a copy, cut from any graph) with ``self``'s dtype unless
        ``dtype`` is given."""
        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros of shape ``size`` with ``self``'s dtype unless ``dtype`` is given."""
        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """Ones of shape ``size`` with ``self``'s dtype unless ``dtype`` is given."""
        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None,
                 requires_grad: bool = False) -> Tensor:
        """A tensor of shape ``size`` filled with ``fill_value``, with ``self``'s dtype unless
        ``dtype`` is given."""
        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        """A tensor of shape ``size`` with ``self``'s dtype unless ``dtype`` is given;
        zero-filled here (torch leaves it uninitialised)."""
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def __setitem__(self, index: Any, value: Any) -> None:
        if self._base is not None and (self._st.overlapping or self._st.meta) \
                and _write_part(self, index, value):
            return
        self._check_inplace(VIEW_LEAF_INPLACE)
        if type(value) in (int, float, complex):
            value_checks.check_fill(value, self.dtype)
        self._rebind(indexing.setitem_value(self, index, value))

    def __getitem__(self, index: Any) -> Tensor:
        return indexing.getitem(self, index)


_BASIC = (int, slice, type(None))


def _write_part(self: Tensor, index: Any, value: Any) -> bool:
    """``view[i] = v`` as torch runs it: the value is written into the part of ``self`` that a
    basic ``index`` selects. For an expanded view that is one base element for ``g[0]`` (only a
    part that itself repeats an element is refused); for a view torch will not let be written
    (no_grad, multi-output...) the refusal names the part's op (``Output 0 of Select``). False
    for any other index, left to the whole-tensor path."""
    parts = index if isinstance(index, tuple) else (index,)
    if not parts or not all(type(p) in _BASIC for p in parts):
        return False
    number = isinstance(value, (bool, int, float, complex, np.number, np.bool_))
    if not number and not isinstance(value, Tensor):
        return False
    part = self[index]
    if part._base is not self._base:
        return False
    part._check_inplace(VIEW_LEAF_INPLACE)
    if number:
        if type(value) in (int, float, complex):
            value_checks.check_fill(value, self.dtype)
        part.fill_(value)
    else:
        part.copy_(value)
    return True


def _warn_T() -> None:  # noqa: N802
    """torch warns once per process (TORCH_WARN_ONCE), not on every ``x.T``."""
    warn_once(
        "T_of_non_matrix",
        "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
        "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
        "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
        "dimensions of a tensor.", stacklevel=3)


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
    """``torch.where(condition, self, y)``: elements of ``self`` where ``condition`` holds,
    of ``y`` elsewhere (all three broadcast)."""
    return elementwise.where(condition, self, y)


# ---- operators -------------------------------------------------------------------------------
# Python's operators, generated from two tables of public functions instead of ~50 hand-written
# dunders. Binary operators return NotImplemented for operands torch does not take (str, list,
# None...), so Python raises its own "unsupported operand type(s)" TypeError and ``t == None``
# falls back to identity (False), exactly as with torch. ``@`` takes tensors only.
_OPERANDS = (Tensor, bool, int, float, complex, np.generic, np.ndarray)


def _swapped(fn: Callable) -> Callable:
    """``other <op> self`` where ``fn`` takes a scalar first operand (``2 ** t``, ``a @ t``)."""
    return lambda self, other: fn(other, self)


def _swapped_as_tensor(fn: Callable) -> Callable:
    """``other <op> self`` with the Python scalar as a 0-dim tensor of self's dtype (shifts)."""
    return lambda self, other: fn(tensor(other, dtype=self.dtype), self)


def _invert(self: Tensor) -> Tensor:
    """``~self``: logical not for bool, bitwise not otherwise."""
    if self.dtype is dtypes.bool_:
        return elementwise.logical_not(self)
    return dispatch(elementwise.BITWISE_NOT, (self,))


# name -> (``self <op> other``, ``other <op> self``, the operands accepted); ``x <op>= y`` writes
# ``self <op> other`` back into self (torch's in-place rules: dtype kept, no broadcasting self)
BINARY_OPERATORS: dict[str, tuple[Callable, Callable, tuple[type, ...]]] = {
    "add": (elementwise.add, elementwise.add, _OPERANDS),
    "sub": (elementwise.sub, elementwise.rsub, _OPERANDS),
    "mul": (elementwise.mul, elementwise.mul, _OPERANDS),
    "truediv": (elementwise.div, elementwise.rdiv, _OPERANDS),
    "floordiv": (elementwise.floor_divide, elementwise.rfloor_divide, _OPERANDS),
    "mod": (elementwise.remainder, elementwise.rremainder, _OPERANDS),
    "pow": (elementwise.pow, _swapped(elementwise.pow), _OPERANDS),
    "matmul": (linalg.matmul, _swapped(linalg.matmul), (Tensor,)),
    "and": (binary_math.bitwise_and, binary_math.bitwise_and, _OPERANDS),
    "or": (binary_math.bitwise_or, binary_math.bitwise_or, _OPERANDS),
    "xor": (binary_math.bitwise_xor, binary_math.bitwise_xor, _OPERANDS),
    "lshift": (binary_math.bitwise_left_shift,
               _swapped_as_tensor(binary_math.bitwise_left_shift), _OPERANDS),
    "rshift": (binary_math.bitwise_right_shift,
               _swapped_as_tensor(binary_math.bitwise_right_shift), _OPERANDS),
}
# comparisons: no reflected or in-place dunders (Python reflects ``<`` to ``>`` itself)
COMPARISONS: dict[str, Callable] = {
    "eq": elementwise.eq, "ne": elementwise.ne, "lt": elementwise.lt, "le": elementwise.le,
    "gt": elementwise.gt, "ge": elementwise.ge,
}
UNARY_OPERATORS: dict[str, Callable] = {
    "neg": elementwise.neg, "abs": elementwise.abs, "invert": _invert,
    "pos": lambda self: self,
}


def _operator(dunder: str, apply: Callable, accepted: tuple[type, ...]) -> Callable:
    """``Tensor.<dunder>(self, other)``: ``apply(self, other)``, or NotImplemented."""

    def method(self: Tensor, other: Any) -> Any:
        if not isinstance(other, accepted):
            return NotImplemented
        return apply(self, other)

    method.__name__ = dunder
    method.__qualname__ = f"Tensor.{dunder}"
    return method


def _inplace_operator(fn: Callable) -> Callable:
    return lambda self, other: self._inplace(fn, other)


def _unary_operator(dunder: str, fn: Callable) -> Callable:
    def method(self: Tensor) -> Tensor:
        return fn(self)

    method.__name__ = dunder
    method.__qualname__ = f"Tensor.{dunder}"
    return method


def _attach_operators() -> None:
    """Every operator dunder of Tensor, from the three tables above."""
    for name, (forward, reflected, accepted) in BINARY_OPERATORS.items():
        for dunder, apply in ((f"__{name}__", forward), (f"__r{name}__", reflected),
                              (f"__i{name}__", _inplace_operator(forward))):
            setattr(Tensor, dunder, _operator(dunder, apply, accepted))
    for name, fn in COMPARISONS.items():
        setattr(Tensor, f"__{name}__", _operator(f"__{name}__", fn, _OPERANDS))
    for name, fn in UNARY_OPERATORS.items():
        setattr(Tensor, f"__{name}__", _unary_operator(f"__{name}__", fn))


def _attach() -> None:
    """Copy :class:`_OpMethods` onto Tensor, then bind every method the op modules exposed
    (the class's own definitions win), then the operators."""
    for name, value in vars(_OpMethods).items():
        if name in ("__module__", "__qualname__", "__doc__", "__dict__", "__weakref__"):
            continue
        fn = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
        if hasattr(fn, "__qualname__"):
            fn.__qualname__ = f"Tensor.{name}"
        setattr(Tensor, name, value)
    Tensor.where = _where_method
    _bind_public_methods()
    _attach_operators()


_attach()
