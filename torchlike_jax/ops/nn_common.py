"""Small helpers shared by the ``torch.nn.functional`` layer modules (conv, pool, norm...).

They read torch's argument conventions (an int or a sequence for every spatial dim) and keep
the layers' numerics alike (matmuls and convolutions at full precision, results cast back to the
input's dtype). This module registers no op.
"""

from __future__ import annotations

from typing import Any

import jax

NN = "nn.functional"
"""The namespace the layers are published in (:func:`surface.expose`)."""

HIGHEST = jax.lax.Precision.HIGHEST
"""Matmul/conv precision: full float32 on every backend, as torch's CPU kernels compute."""


def ntuple(value: Any, n: int) -> tuple:
    """An int or a sequence as an n-tuple of ints (torch's ``_single`` / ``_pair`` / ``_triple``;
    a one-element sequence repeats, a longer one is taken as given)."""
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return tuple(int(value[0]) for _ in range(n))
        return tuple(int(v) for v in value)
    return (int(value),) * n


def cast_like(x: jax.Array, like: jax.Array) -> jax.Array:
    """``x`` in ``like``'s dtype: a result computed in float32 rounded back to a half input."""
    return x.astype(like.dtype)
