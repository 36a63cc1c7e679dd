"""``autograd.grad(..., is_grads_batched=True)``: one backward per row of ``grad_outputs``.

torch runs its engine once under its own vmap. Here the engine already is a function of the
root gradients, so without ``create_graph`` the whole backward runs once under ``jax.vmap``:
every node's cached vjp kernel is batched by JAX, each node still runs once, and Python hooks
see one un-batched gradient (a JAX batch tracer, as torch's hooks see a BatchedTensor).
With ``create_graph=True`` the gradients must themselves be recorded as graph nodes, which a
vmap trace cannot leave behind, so the rows are run one after another (the graph retained
between them) and stacked: the same values, and a result differentiable again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from ..core.tensor import Tensor
from ..ops.joining import stack


def check_batch_sizes(grads: list) -> int:
    """The common leading size of the batched gradients (torch's vmap error otherwise)."""
    sizes = [g.shape[0] for g in grads if g is not None]
    if len(set(sizes)) > 1:
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0] if sizes else 0


def run_batched(run_one: Callable[[list, bool], list], grads: list, retain_graph: bool,
                create_graph: bool) -> list:
    """``run_one(row_grads, retain_graph)`` over the leading dimension of ``grads`` (arrays, or
    Tensors when ``create_graph``); returns per input a batched array/Tensor or None."""
    size = check_batch_sizes(grads)
    if not create_graph:
        def one(rows: tuple) -> tuple:
            return tuple(run_one(list(rows), retain_graph))

        return list(jax.vmap(one)(tuple(grads)))
    rows = [run_one([g[b] for g in grads], retain_graph or b < size - 1) for b in range(size)]
    out: list[Any] = []
    for i in range(len(rows[0]) if rows else 0):
        col = [r[i] for r in rows]
        if any(c is None for c in col):
            out.append(None)
        else:
            out.append(stack([c if isinstance(c, Tensor) else Tensor._wrap(c) for c in col]))
    return out
