"""Runtime scalars in an op's static params: what is lifted out of the jit cache key.

A Python float/complex (and a :class:`RuntimeInt`: an index, a slice start) among an op's
params is a runtime argument of the compiled op, never part of its cache key, so a learning rate
that changes every step never recompiles. :func:`split_params` replaces each by :data:`SLOT` and
collects the values; :func:`fill_params` puts them back inside the traced function.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class RuntimeInt(int):
    """An int whose value is a runtime argument of the compiled op (an index, a slice start),
    not part of its cache key. Ops that accept one must not let it decide a shape or a branch."""

    __slots__ = ()


class _Slot:
    """Stands in the params skeleton where a runtime scalar was lifted out."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<runtime>"


SLOT = _Slot()
_LIFTED = (float, complex, RuntimeInt)


def split_params(params: tuple, out: list) -> tuple:
    """``params`` with every Python float/complex and :class:`RuntimeInt` (at any tuple depth)
    replaced by :data:`SLOT`; the values are appended to ``out`` in order. Returns ``params``
    itself when nothing was lifted."""
    res = None
    for k, p in enumerate(params):
        t = type(p)
        if t in _LIFTED:
            out.append(int(p) if t is RuntimeInt else p)
            q = SLOT
        elif isinstance(p, np.floating):  # numpy's float64/float32 arguments: as Python floats
            out.append(float(p))
            q = SLOT
        elif t is tuple and p:
            q = split_params(p, out)
        else:
            continue
        if q is not p:
            if res is None:
                res = list(params)
            res[k] = q
    return params if res is None else tuple(res)


def fill_params(skeleton: tuple, values: Any) -> tuple:
    """Inverse of :func:`split_params`: the skeleton with its slots taken from ``values``."""
    res = []
    for p in skeleton:
        if p is SLOT:
            p = next(values)
        elif type(p) is tuple and p:
            p = fill_params(p, values)
        res.append(p)
    return tuple(res)
