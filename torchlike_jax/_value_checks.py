"""torch's argument and overflow errors for factories and fills.

numpy wraps (``np.array([300]).astype(np.uint8)`` is 44) and JAX saturates, so a Python value
that does not fit the tensor's dtype would silently become another number. torch refuses it
with "value cannot be converted to type uint8_t without overflow"; these helpers reproduce
that rule (and its wording, which names C types for scalar fills and torch dtypes for
``torch.tensor`` data), and the TypeErrors of torch's argument parser for non-numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _dtypes

NUMBER = (bool, int, float, complex, np.number, np.bool_)
_F32_MAX = float(np.finfo(np.float32).max)


def check_dtype_arg(dtype: Any, fn: str) -> None:
    """``zeros(2, dtype="float32")``: torch's parser wants a torch.dtype."""
    if dtype is not None and not isinstance(dtype, _dtypes.dtype):
        raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not "
                        f"{type(dtype).__name__}")


def check_number(value: Any, fn: str, arg: str, pos: int) -> None:
    """A Number argument (``full``'s fill value, ``arange``'s bounds)."""
    if not isinstance(value, NUMBER) and not hasattr(value, "item"):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Number, not "
                        f"{type(value).__name__}")


def _int_fits(v: Any, dt: np.dtype) -> bool:
    """torch's rule: signed types take [min, max]; unsigned ones also take -max..-1 (they wrap,
    as C does), so uint8 accepts -1 (255) but not -256. nan/inf never fit an integer."""
    if isinstance(v, float) and not math.isfinite(v):
        return False
    info = np.iinfo(dt)
    lo = -int(info.max) if info.min == 0 else int(info.min)
    return lo <= v <= int(info.max)


def fits(value: Any, dtype: _dtypes.dtype, scalar_fill: bool = True) -> bool:
    """Whether the Python number ``value`` converts to ``dtype`` without torch's overflow error.
    Only float32/complex64 check floats, and only for scalar fills (``torch.tensor`` data
    becomes inf there, as in torch); half types and float64 never refuse."""
    if isinstance(value, (bool, np.bool_)) or dtype is _dtypes.bool_:
        return True
    name = dtype.name
    if dtype.category < _dtypes._FLOAT:
        if isinstance(value, complex):
            value = value.real
        return _int_fits(value, dtype.np)
    if scalar_fill and name in ("float32", "complex64"):
        parts = (value.real, value.imag) if isinstance(value, complex) else (value,)
        return all(not math.isfinite(p) or abs(p) <= _F32_MAX for p in map(float, parts))
    return True


def check_fill(value: Any, dtype: _dtypes.dtype) -> None:
    """``full`` / ``fill_`` / ``x[i] = v``: torch's overflow RuntimeError (C type names), and
    its OverflowError for Python ints outside [-2**63, 2**64)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value >= 2**64:
            raise OverflowError("int too big to convert")
        if value < -(2**63):
            raise OverflowError("can't convert negative int to unsigned")
    elif not isinstance(value, (float, complex)):
        return
    if not fits(value, dtype):
        raise RuntimeError(f"value cannot be converted to type {_dtypes.fill_type_name(dtype)} "
                           f"without overflow")


def check_data(host: np.ndarray, dtype: _dtypes.dtype) -> None:
    """``torch.tensor(data, dtype=...)`` from Python numbers: each value must fit ``dtype``
    (torch dtype names in the message)."""
    if dtype.category >= _dtypes._FLOAT or dtype is _dtypes.bool_ or not host.size \
            or host.dtype.kind not in "iuf":
        return
    lo, hi = host.min(), host.max()
    if not (fits(lo.item(), dtype, False) and fits(hi.item(), dtype, False)):
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")


def alloc_error(shape: tuple, dtype: _dtypes.dtype) -> RuntimeError:
    """torch's CPU allocator message for a tensor too big for memory."""
    n = math.prod(shape) * np.dtype(dtype.np).itemsize
    return RuntimeError(f"[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: "
                        f"can't allocate memory: you tried to allocate {n} bytes. Error code 12 "
                        f"(Cannot allocate memory)")


def check_sizes(shape: tuple, fn: str) -> None:
    """Sizes beyond int64 (the parser's error) and a byte count beyond int64 (torch's
    "Storage size calculation overflowed")."""
    for k, s in enumerate(shape):
        if s > 2**63 - 1:
            raise TypeError(f"{fn}(): argument 'size' failed to unpack the object at pos {k + 1} "
                            f"with error \"Overflow when unpacking long long\n")  # torch's text
    if math.prod(shape) > 2**63 - 1:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
