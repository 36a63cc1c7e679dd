"""``torch.testing.make_tensor``: a random tensor of a shape, dtype and value range.

Ranges, clamping, validation and messages are torch's; the values come from this package's
seeded generator (``torch.manual_seed`` fixes them), so they differ from torch's stream.
Tensors have no strides here, so ``noncontiguous`` and ``memory_format`` change nothing.
"""

from __future__ import annotations

import collections.abc
import math
import warnings
from typing import Any

import jax
import ml_dtypes
import numpy as np

from .. import _dtypes
from .._creation import _leaf
from .._random import default_generator
from ..core.tensor import Tensor

_INTEGRAL = (_dtypes.uint8, _dtypes.int8, _dtypes.int16, _dtypes.int32, _dtypes.int64)
_BOOL_OR_INTEGRAL = (_dtypes.bool_, *_INTEGRAL)
_FLOATING = (_dtypes.float16, _dtypes.bfloat16, _dtypes.float32, _dtypes.float64)
_COMPLEX = (_dtypes.complex64, _dtypes.complex128)


def _finfo(dtype: _dtypes.dtype):
    real = dtype.to_real() if dtype.is_complex else dtype
    return ml_dtypes.finfo(real.np) if real is _dtypes.bfloat16 else np.finfo(real.np)


def make_tensor(*shape: Any, dtype: _dtypes.dtype, device: Any, low: float | None = None,
                high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format: Any = None) -> Tensor:
    """A tensor with values drawn uniformly from ``[low, high)``.

    Defaults: bool [0, 2), unsigned [0, 10), signed integers [-9, 10), floating and complex
    [-9, 9); bounds are clamped to the dtype's finite range. ``exclude_zero`` replaces zeros by
    1 (bool/integers) or the dtype's smallest normal number.
    """

    def modify_low_high(low, high, *, lowest_inclusive, highest_exclusive, default_low,
                        default_high):
        low = low if low is not None else default_low
        high = high if high is not None else default_high
        if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got {low=} and {high=}")
        if low == high and dtype in (*_FLOATING, *_COMPLEX):
            warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or "
                          "complex types is deprecated since 2.1 and will be removed in 2.3. "
                          "Use `torch.full(...)` instead.", FutureWarning, stacklevel=3)
        elif low >= high:
            raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
        elif high < lowest_inclusive or low >= highest_exclusive:
            raise ValueError(f"The value interval specified by `low` and `high` is [{low}, "
                             f"{high}), but {dtype} only supports [{lowest_inclusive}, "
                             f"{highest_exclusive})")
        low = min(max(low, lowest_inclusive), highest_exclusive)
        high = min(max(high, lowest_inclusive), highest_exclusive)
        if dtype in _BOOL_OR_INTEGRAL:
            return math.ceil(low), math.ceil(high)
        return low, high

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(int(s) for s in shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got {noncontiguous=} and {memory_format=}")
    if requires_grad and dtype in _BOOL_OR_INTEGRAL:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got {dtype=}")
    # host draws from a numpy generator seeded by the default generator's next key: seeded by
    # manual_seed, and no JAX sampler compiled per shape
    rng = np.random.default_rng(np.asarray(jax.random.key_data(default_generator.next_key())))
    if dtype is _dtypes.bool_:
        lo, hi = modify_low_high(low, high, lowest_inclusive=0, highest_exclusive=2,
                                 default_low=0, default_high=2)
        values = rng.integers(lo, hi, shape, dtype=np.int64) != 0
    elif dtype in _INTEGRAL:
        info = np.iinfo(dtype.np)
        lo, hi = modify_low_high(low, high, lowest_inclusive=int(info.min),
                                 highest_exclusive=int(info.max) + (dtype is not _dtypes.int64),
                                 default_low=-9, default_high=10)
        values = rng.integers(lo, hi, shape, dtype=np.int64)
    elif dtype in (*_FLOATING, *_COMPLEX):
        info = _finfo(dtype)
        lo, hi = modify_low_high(low, high, lowest_inclusive=float(info.min),
                                 highest_exclusive=float(info.max), default_low=-9,
                                 default_high=9)
        draw = (*shape, 2) if dtype in _COMPLEX else shape
        scale = 2.0 if hi - lo >= float(info.max) else 1.0  # torch halves huge ranges too
        u = rng.random(draw)
        real = (lo / scale + u * (hi / scale - lo / scale)) * scale
        real_np = dtype.to_real().np if dtype in _COMPLEX else dtype.np
        real = real.astype(real_np)
        if hi > lo:  # rounding to a narrow dtype may reach ``high``, which is excluded
            real[real.astype(np.float64) >= hi] = np.asarray(lo).astype(real_np)
        values = real[..., 0] + 1j * real[..., 1] if dtype in _COMPLEX else real
    else:
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "torch.testing.make_tensor(). To request support, file an issue at: "
                        "https://github.com/pytorch/pytorch/issues")
    values = np.asarray(values).astype(dtype.np)
    if exclude_zero:
        values = values.copy()
        zero = 1 if dtype in _BOOL_OR_INTEGRAL else float(_finfo(dtype).tiny)
        values[values == 0] = zero
    return _leaf(values, dtype, requires_grad and dtype not in _BOOL_OR_INTEGRAL, device)
