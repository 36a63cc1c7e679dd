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


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """Broadcast shapes left to right, raising torch's message for the first mismatch."""
    out: tuple[int, ...] = ()
    for s in shapes:
        n = max(len(out), len(s))
        a = (1,) * (n - len(out)) + tuple(out)
        b = (1,) * (n - len(s)) + tuple(s)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y and x != 1 and y != 1:
                raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                                   f"({y}) at non-singleton dimension {i}")
        out = tuple(y if x == 1 else x for x, y in zip(a, b, strict=True))
    return out
