"""Dimension arguments as torch checks them (negative dims, out-of-range IndexError)."""

from __future__ import annotations

from collections.abc import Sequence


def norm_dim(dim: int, ndim: int) -> int:
    """Wrap a possibly negative ``dim``; torch treats a 0-dim tensor as having one dim here."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def norm_dims(dims: int | Sequence[int] | None, ndim: int) -> tuple[int, ...] | None:
    """Normalise an int / sequence of dims to a sorted tuple; None means every dim."""
    if dims is None:
        return None
    if isinstance(dims, int):
        dims = (dims,)
    out = tuple(norm_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return tuple(sorted(out)) if ndim else ()
