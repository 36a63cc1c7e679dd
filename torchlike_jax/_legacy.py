"""Old torch surface that tutorials still use: ``torch.range``, the legacy tensor types
(``torch.FloatTensor``...) and ``torch.autograd.Variable``.

None of these is a separate tensor kind: each builds or checks an ordinary ``Tensor``. The type
classes answer ``isinstance`` by dtype and device (as torch's do: a float32 CPU tensor *is* a
``torch.FloatTensor``), and ``Variable`` is ``isinstance``-true for every tensor.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np

from . import _dtypes as dtypes
from . import _value_checks as value_checks
from ._creation import _leaf, empty, tensor
from ._size import Size
from .core.tensor import Tensor
from .ops.shape import alias

_RANGE_WARNING = ("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).")


def range(start: Any, end: Any = None, step: Any = 1, *, dtype: dtypes.dtype | None = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, start + step, ..., end]`` *including* ``end``; the default float dtype even
    for integer bounds. Deprecated in torch (its UserWarning is kept)."""
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    warnings.warn(_RANGE_WARNING, UserWarning, stacklevel=2)
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    for v in vals:
        value_checks.check_number(v, "range", "end", 2)
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    dtype = dtype or dtypes.get_default_dtype()
    n = int(math.floor((end - start) / step)) + 1
    values = start + np.arange(n, dtype=np.float64) * step  # computed wide, then cast
    return _leaf(values.astype(dtype.np), dtype, requires_grad, device)


def _type_name(value: Any) -> str:
    """How torch's argument parser names an argument's type in its errors."""
    return "torch.dtype" if isinstance(value, dtypes.dtype) else type(value).__name__


class _LegacyTypeMeta(type):
    """``isinstance(t, torch.FloatTensor)``: a CPU tensor of that dtype."""

    def __instancecheck__(cls, obj: object) -> bool:
        return (isinstance(obj, Tensor) and obj.dtype == cls.dtype
                and obj.device.type == "cpu")

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


class _LegacyType(metaclass=_LegacyTypeMeta):
    """Base of the legacy type classes; calling one builds a plain ``Tensor``."""

    dtype: dtypes.dtype = dtypes.float32

    def __new__(cls, *args: Any, device: Any = None, **kwargs: Any) -> Tensor:
        if kwargs:
            got = ", ".join([type(a).__name__ for a in args]
                            + [f"{k}={_type_name(v)}" for k, v in kwargs.items()])
            raise TypeError(f"new() received an invalid combination of arguments - got ({got}), "
                            f"but expected one of:")
        if not args:
            return empty(0, dtype=cls.dtype, device=device)
        if len(args) == 1 and not isinstance(args[0], Size):
            data = args[0]
            if isinstance(data, Tensor):
                if data.dtype != cls.dtype:
                    raise TypeError(f"expected TensorOptions(dtype={cls.dtype}) (got "
                                    f"TensorOptions(dtype={data.dtype}))")
                return alias(data)  # a view: shares data, AliasBackward0 in the graph
            if isinstance(data, (list, tuple, np.ndarray)):
                return tensor(data, dtype=cls.dtype, device=device)
            if not hasattr(data, "__index__"):
                raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        sizes = tuple(args[0]) if isinstance(args[0], Size) else args
        shape = tuple(operator.index(s) for s in sizes)
        return empty(*shape, dtype=cls.dtype, device=device)


def _legacy_type(name: str, dtype: dtypes.dtype) -> type:
    return _LegacyTypeMeta(name, (_LegacyType,), {
        "dtype": dtype, "__module__": "torch",
        "__doc__": f"Legacy constructor and ``isinstance`` check for CPU {dtype} tensors."})


FloatTensor = _legacy_type("FloatTensor", dtypes.float32)
DoubleTensor = _legacy_type("DoubleTensor", dtypes.float64)
HalfTensor = _legacy_type("HalfTensor", dtypes.float16)
BFloat16Tensor = _legacy_type("BFloat16Tensor", dtypes.bfloat16)
ByteTensor = _legacy_type("ByteTensor", dtypes.uint8)
CharTensor = _legacy_type("CharTensor", dtypes.int8)
ShortTensor = _legacy_type("ShortTensor", dtypes.int16)
IntTensor = _legacy_type("IntTensor", dtypes.int32)
LongTensor = _legacy_type("LongTensor", dtypes.int64)
BoolTensor = _legacy_type("BoolTensor", dtypes.bool_)

LEGACY_TYPES = {c.__name__: c for c in (
    FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, ByteTensor, CharTensor, ShortTensor,
    IntTensor, LongTensor, BoolTensor)}
