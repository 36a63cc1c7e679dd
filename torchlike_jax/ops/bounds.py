"""Host-side index bounds checks for the gather/scatter/index_* family and embedding.

JAX clamps out-of-range gather indices and drops out-of-range scatter updates, so without a
check ``x.gather(1, idx)`` with a bad ``idx`` is a silent wrong answer. torch checks index
values on the host for CPU tensors, and so do we: one ``np.asarray`` of the index and a
vectorised min/max per call, before anything is dispatched (so a bad call changes no tensor
and records nothing).

Inside ``torch.compile`` / ``torch.func`` traces an index has no value yet
(:func:`~.dispatch.value_is_abstract`): the check is skipped there, as a device-side assert
would be, so a compiled step keeps one graph. Out-of-range indices in traced code are then
clamped (gathers) or dropped (scatters) by XLA, as documented in the README's differences.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.dispatch import value_is_abstract
from ..core.tensor_access import array_of


def first_out_of_range(index: Any, size: int, negative_ok: bool = False) -> int | None:
    """The first index value (row-major) outside ``[0, size)`` (or ``[-size, size)`` when
    negative indices wrap, ``negative_ok``), or None when every value fits, the index is
    empty, or its values are abstract (a trace: see the module docstring)."""
    if isinstance(index, np.ndarray):
        host = index
    else:
        if not index.numel() or value_is_abstract(index):
            return None
        host = np.asarray(array_of(index))
    if not host.size:
        return None
    lo = -size if negative_ok else 0
    # one reduction: shifted by -lo and viewed as unsigned, every bad value is >= size - lo
    # (negatives wrap to huge numbers); the shift cannot overflow for in-range sizes
    shifted = host if not lo else host.astype(np.int64) - lo
    unsigned = shifted.view(np.uint64 if shifted.dtype.itemsize == 8 else np.uint32)
    if unsigned.max() < size - lo:
        return None
    flat = host.reshape(-1)
    return int(flat[np.argmax((flat < lo) | (flat >= size))])


def check_dim_range(index: Any, size: int, dim: int, cls: type = RuntimeError,
                    prefix: str = "", negative_ok: bool = False) -> None:
    """torch's "index 3 is out of bounds for dimension 1 with size 3" (gather, scatter*,
    index_fill, index_copy and, with a ``prefix``, the messages that name their op)."""
    bad = first_out_of_range(index, size, negative_ok)
    if bad is not None:
        raise cls(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def check_in_self(index: Any, size: int) -> None:
    """torch's terse IndexError "index out of range in self" (embedding, index_select,
    index_add, index_reduce)."""
    if first_out_of_range(index, size) is not None:
        raise IndexError("index out of range in self")


def check_flat_range(index: Any, numel: int) -> None:
    """torch.take / put: negative indices count from the end of the flattened input."""
    bad = first_out_of_range(index, numel, negative_ok=True)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {numel} "
                         f"elements.")
