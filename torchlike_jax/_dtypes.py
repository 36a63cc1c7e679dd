"""Torch dtype objects and torch's type-promotion rules, mapped onto numpy/JAX dtypes.

Why a separate object instead of numpy dtypes: scripts print dtypes (``torch.float32``), compare
them with ``==`` and ask ``dtype.is_floating_point``. Promotion also differs from numpy/JAX: torch
lets a 0-dim tensor or a Python scalar change the result only when it belongs to a higher
*category* (bool < integer < floating < complex), which is what :func:`result_type` implements.

64-bit policy: importing the package turns on ``jax_enable_x64`` (see ``__init__``), so float64
and int64 are really 64-bit. Every factory picks its dtype explicitly (float32 by default), so the
flag never silently widens a user's float32 computation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ml_dtypes
import numpy as np

__all__ = [
    "dtype",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "can_cast",
    "result_type",
    "from_numpy_dtype",
]

# category ranks
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:  # noqa: N801 - torch spells it in lower case
    """A torch dtype: a name, a numpy dtype to store it with, and its promotion category."""

    __slots__ = ("name", "np", "category", "itemsize", "is_signed", "_rank")

    def __init__(self, name: str, np_dtype: np.dtype, category: int, rank: int) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.itemsize = self.np.itemsize
        self.is_signed = name not in ("uint8", "bool")
        self._rank = rank

    @property
    def is_floating_point(self) -> bool:
        return self.category == _FLOAT

    @property
    def is_complex(self) -> bool:
        return self.category == _COMPLEX

    def to_complex(self) -> dtype:
        return {"float64": complex128}.get(self.name, complex64)

    def to_real(self) -> dtype:
        return {"complex128": float64, "complex64": float32}.get(self.name, self)

    def __repr__(self) -> str:
        return "torch." + self.name

    __str__ = __repr__

    def __reduce__(self) -> str:
        return "bool_" if self.name == "bool" else self.name  # the module-level name


bool_ = dtype("bool", np.bool_, _BOOL, 0)
uint8 = dtype("uint8", np.uint8, _INT, 1)
int8 = dtype("int8", np.int8, _INT, 2)
int16 = dtype("int16", np.int16, _INT, 3)
int32 = dtype("int32", np.int32, _INT, 4)
int64 = dtype("int64", np.int64, _INT, 5)
float16 = dtype("float16", np.float16, _FLOAT, 6)
bfloat16 = dtype("bfloat16", ml_dtypes.bfloat16, _FLOAT, 6)
float32 = dtype("float32", np.float32, _FLOAT, 7)
float64 = dtype("float64", np.float64, _FLOAT, 8)
complex64 = dtype("complex64", np.complex64, _COMPLEX, 9)
complex128 = dtype("complex128", np.complex128, _COMPLEX, 10)

ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64,
       complex128)
ALIASES = {
    "bool": bool_, "uint8": uint8, "int8": int8, "int16": int16, "short": int16, "int32": int32,
    "int": int32, "int64": int64, "long": int64, "float16": float16, "half": float16,
    "bfloat16": bfloat16, "float32": float32, "float": float32, "float64": float64,
    "double": float64, "complex64": complex64, "cfloat": complex64, "complex128": complex128,
    "cdouble": complex128,
}
_BY_NP = {d.np: d for d in ALL}


# ---- torch's C/C++ spellings of a dtype, as its error messages print them ----------------------
_CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                   "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
                   "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                   "bool": "bool"}
_FILL_TYPE_NAMES = {"int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
                    "uint8": "uint8_t", "float32": "float", "complex64": "c10::complex<float>"}


def cpp_type_name(d: dtype) -> str:
    """The C++ type of ``d`` as the compiler names it (``float``, ``double``, ``c10::Half``,
    ``long int``, ``signed char``), which torch prints in matmul's, SDPA's and masked_scatter's
    dtype errors (``expected m1 and m2 to have the same dtype, but got: double != float``)."""
    return _CPP_TYPE_NAMES.get(d.name, d.name)


def fill_type_name(d: dtype) -> str | None:
    """The C type torch names when a fill value overflows ``d`` (``value cannot be converted to
    type int64_t without overflow``); None for a dtype whose fills never overflow."""
    return _FILL_TYPE_NAMES.get(d.name)


# ---- half precision: computed in float32, rounded once (torch's CPU "opmath") -------------------
HALF_DTYPES = (np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16))
"""float16 and bfloat16 as numpy dtypes: torch's CPU kernels compute these in float32."""


def compute_dtype(np_dtype: np.dtype) -> np.dtype:
    """The numpy dtype a kernel computes ``np_dtype`` in: float32 for the half types."""
    return np.dtype(np.float32) if np_dtype in HALF_DTYPES else np_dtype


def upcast_half(array: Any) -> Any:
    """A float16/bfloat16 array as float32 for the computation, any other array (or None) as it
    is; the caller rounds the result back once."""
    return array.astype(np.float32) if array is not None and array.dtype in HALF_DTYPES \
        else array


def compute_in_float32(fn: Callable, n_arrays: int = 1) -> Callable:
    """``fn`` whose half-precision calls run in float32 and round once at the end: when the first
    argument is float16/bfloat16, the first ``n_arrays`` arguments are cast to float32 and the
    result back to the first argument's dtype (one rounding, like torch's CPU kernels, instead
    of JAX's rounding after every step)."""

    def in_float32(*args: Any, **kwargs: Any) -> Any:
        first = args[0]
        if first.dtype not in HALF_DTYPES:
            return fn(*args, **kwargs)
        wide = tuple(a.astype(np.float32) for a in args[:n_arrays])
        return fn(*wide, *args[n_arrays:], **kwargs).astype(first.dtype)

    return in_float32


_default_float = float32


def get_default_dtype() -> dtype:
    """The dtype that floating-point factories use when none is given (float32 until
    ``set_default_dtype`` changes it)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    """Like torch: only float32/float64 (and half types) are accepted as the default."""
    global _default_float
    if not isinstance(d, dtype) or d.category != _FLOAT:
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def numpy_dtype_or_none(d: dtype | None) -> np.dtype | None:
    """``d``'s numpy dtype, a hashable static param telling an impl what to cast to (an op's
    ``dtype=`` argument: ``sum``, ``cumsum``...); None (keep the input's dtype) stays None."""
    return None if d is None else d.np


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np_dtype}. The only supported types "
                        "are: float64, float32, float16, complex64, complex128, int64, int32, "
                        "int16, int8, uint8, and bool.") from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both values fit, torch's lattice."""
    if a is b:
        return a
    try:
        a.category, b.category  # noqa: B018 - the type check, free when both are dtypes
    except AttributeError:
        _check_dtype_args("promote_types", type1=a, type2=b)
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == _COMPLEX and lo.name == "float64":
            return complex128
        return hi
    if a.category == _FLOAT and {a.name, b.name} == {"float16", "bfloat16"}:
        return float32
    if a.category == _INT and uint8 in (a, b):
        other = b if a is uint8 else a
        # uint8 with a signed type needs the next wider signed type
        return {"int8": int16}.get(other.name, other)
    return a if a._rank > b._rank else b


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: any cast within or up the categories bool < int < float < complex is
    allowed (even narrowing ones such as int64 -> int8); a cast down a category is not."""
    _check_dtype_args("can_cast", from_=from_, to=to)
    return from_.category <= to.category


def _check_dtype_args(fname: str, **args: object) -> None:
    """torch's TypeError for a non-dtype argument of a dtype query."""
    for pos, (arg, value) in enumerate(args.items(), 1):
        if not isinstance(value, dtype):
            raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be torch.dtype, "
                            f"not {type(value).__name__}")


def scalar_dtype(value: object) -> dtype:
    """The dtype torch gives a Python scalar standing alone (``torch.tensor(3)`` → int64)."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default_float
    if isinstance(value, complex):
        return complex128 if _default_float is float64 else complex64
    if isinstance(value, np.generic):  # numpy scalars count as Python numbers of their kind
        kind = value.dtype.kind  # (torch reads np.bool_ as a float, so do we)
        if kind in "biufc":
            return scalar_dtype({"b": 0.0, "i": 0, "u": 0, "f": 0.0, "c": 0j}[kind])
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    """Torch's category combination: a lower-priority group only wins with a higher category."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.category == _COMPLEX:
        return higher
    if lower.category == _COMPLEX:
        return higher.to_complex() if higher.category == _FLOAT else lower
    if higher.category == _FLOAT:
        return higher
    if higher is bool_ or lower.category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(dims: dtype | None, zero_dims: dtype | None, scalars: dtype | None) -> dtype:
    """Combine the promoted dtypes of three groups, as torch does for elementwise ops.

    ``dims``: promoted dtype of inputs with ndim > 0; ``zero_dims``: of 0-dim tensors;
    ``scalars``: of Python scalars (each already mapped through :func:`scalar_dtype`).
    """
    out = _combine(dims, _combine(zero_dims, scalars))
    return out if out is not None else _default_float


def legacy_name(d: dtype) -> str:
    """torch's C++ scalar-type name (``Float``, ``Long``...), as its error messages and legacy
    tensor types (``torch.FloatTensor``) spell it."""
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool", "float16": "Half", "bfloat16": "BFloat16", "int16": "Short",
            "int8": "Char", "uint8": "Byte", "complex64": "ComplexFloat",
            "complex128": "ComplexDouble"}[d.name]
