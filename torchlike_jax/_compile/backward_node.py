"""Autograd across the compiled boundary: the ``CompiledFunctionBackward`` node.

When grad mode is on and an input requires grad, the returned tensors (and inputs the function
modified in place with history) get ONE node. Its backward replays the traced forward with
autograd recording and runs the engine on that replay, inside the backward's XLA program: so
``detach()``, ``no_grad`` blocks and ``.data`` inside the function cut gradients exactly as they
do eagerly, and random ops see the same keys as the forward did.
"""

from __future__ import annotations

from collections.abc import Callable

import jax

from ..autograd import api
from ..core import grad_mode
from ..core.graph import edge_of, node_class
from ..core.tensor_access import array_of, set_history, wrap
from .inputs import CallInputs
from .install import Snapshot, as_input, install
from .records import CacheEntry
from .scan import is_tensor
from .state import tracing

_NODE = node_class("CompiledFunctionBackward")


def input_edges(inputs: CallInputs) -> tuple:
    """Per base storage: the edge of the first handle on it that requires grad (else None)."""
    edges: list = [None] * len(inputs.bases)
    for i, h in enumerate(inputs.handles):
        b = inputs.base_of_handle(i)
        if edges[b] is None and h._requires_grad:
            edges[b] = edge_of(h)
    return tuple(edges)


def make_node_fn(fn: Callable, entry: CacheEntry, n_arrays: int, n_keys: int) -> Callable:
    """``CompiledFunctionBackward``'s function: the traced forward as a pure function of
    (input arrays, generator keys, grads), whose vjp replays the forward with autograd recording
    and runs the engine on the replay — so the gradient is exactly the eager one (``detach``,
    ``no_grad`` blocks and ``.data`` inside the function cut it), and random ops redraw the
    forward's values from the same keys."""

    def replay(node_inputs, body):
        inputs = entry.inputs
        arrays, keys = node_inputs[:n_arrays], node_inputs[n_arrays:n_arrays + n_keys]
        grads = node_inputs[n_arrays + n_keys:]
        snap = Snapshot(inputs)
        tracing.depth += 1
        outer_deferred, tracing.deferred = tracing.deferred, None
        try:
            stand_ins = install(inputs, arrays, grads, keys).stand_ins
            # what the gradient is taken with respect to: the inputs as they came in (a
            # function may modify an input in place, moving its grad_fn on)
            sources = [as_input(h, stand_in)
                       for h, stand_in in zip(inputs.handles, stand_ins, strict=True)]
            with grad_mode.set_grad_enabled(True):
                out = fn(*inputs.args, **inputs.kwargs)
                leaves = jax.tree_util.tree_leaves(out, is_leaf=is_tensor)
                tensors = [leaves[p] for p in entry.trace.node_leaf_positions]
                tensors += [inputs.handles[i] for i in entry.trace.modified_with_history]
                return body(inputs, tensors, sources)
        finally:
            tracing.depth -= 1
            tracing.deferred = outer_deferred
            snap.restore(inputs)

    @jax.custom_vjp
    def node_fn(*node_inputs):
        return replay(node_inputs, lambda inputs, ts, _: tuple(array_of(t) for t in ts))

    def fwd(*node_inputs):
        return node_fn(*node_inputs), node_inputs

    def bwd(node_inputs, cots):
        def body(inputs, tensors, sources):
            leaves: list = [None] * n_arrays
            for i, (src, rg) in enumerate(zip(sources, inputs.requires_grad, strict=True)):
                b = inputs.base_of_handle(i)
                if leaves[b] is None and rg:
                    leaves[b] = src
            wanted = [k for k, t in enumerate(leaves) if t is not None]
            pairs = [(t, c) for t, c in zip(tensors, cots, strict=True) if t._requires_grad]
            if not wanted or not pairs:
                return (None,) * len(node_inputs)
            got = api.grad([t for t, _ in pairs], [leaves[k] for k in wanted],
                           grad_outputs=[wrap(c) for _, c in pairs], allow_unused=True)
            result: list = [None] * len(node_inputs)
            for k, g in zip(wanted, got, strict=True):
                if g is not None:
                    result[k] = array_of(g).astype(node_inputs[k].dtype)
            return tuple(result)

        return replay(node_inputs, body)

    node_fn.defvjp(fwd, bwd)
    return node_fn


def link_autograd(fn: Callable, entry: CacheEntry, edges: tuple, arrays_in: list,
                  keys_in: list, grads_in: list, results: list) -> None:
    """Give the call's differentiable outputs (and inputs modified in place with history) one
    ``CompiledFunctionBackward`` node whose inputs are the call's arrays, keys and grads."""
    trace, inputs = entry.trace, entry.inputs
    outs = [results[j] for j in trace.node_outputs]
    outs += [inputs.handles[i] for i in trace.modified_with_history]
    if not outs:
        return
    if entry.node_fn is None:
        entry.node_fn = make_node_fn(fn, entry, len(arrays_in), len(keys_in))
    node_inputs = (*arrays_in, *keys_in, *grads_in)
    all_edges = edges + (None,) * (len(keys_in) + len(grads_in))
    avals = tuple((array_of(t).shape, array_of(t).dtype) for t in outs)
    node = _NODE(entry.node_fn, node_inputs, all_edges, avals, True)
    for k, t in enumerate(outs):
        set_history(t, node, k, True)
