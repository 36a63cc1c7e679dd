"""``x.at[idx].set(v)`` with torch's gradient for repeated indices.

When an index repeats, only one of the written values survives, and JAX's derivative of
``.at[].set`` gives the gradient to that one only. torch's backward of index_put (without
accumulate), scatter, index_copy and put instead hands every written value the output
gradient at its destination (``grad[idx]``), duplicates included; the input's gradient is the
output gradient with the written positions zeroed. So ``y[idx] += v`` with a repeated index
(a gather, an add, then a non-accumulating index_put) reaches every element of ``v``.
The forward value is JAX's ``.set`` unchanged.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp


@jax.custom_jvp
def scatter_set(x: Any, idx: Any, val: Any) -> Any:
    """``x.at[idx].set(val)`` (``idx``: an index array or a tuple of them, ``val`` already
    broadcast to the indexed shape and cast to ``x``'s dtype)."""
    return x.at[idx].set(val)


@scatter_set.defjvp
def _scatter_set_jvp(primals: tuple, tangents: tuple) -> tuple:
    x, idx, val = primals
    dx, _, dval = tangents
    out = x.at[idx].set(val)
    # linear in (dx, dval), and its transpose is the gather grad[idx] for every written value
    # (the mask is built from the index alone: a scatter of the tangent itself would not be
    # transposable with repeated indices)
    kept = jnp.ones(x.shape, bool).at[idx].set(False)
    dout = jnp.where(kept, dx, jnp.zeros_like(dx)) + jnp.zeros_like(dx).at[idx].add(dval)
    return out, dout
