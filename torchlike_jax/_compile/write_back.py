"""Applying a program's functionalised mutations to the real objects after a call.

New values are written back into the same tensor objects (``.grad`` keeps its identity when the
eager code would have kept it; version counters move by what the eager code would have done),
and a ``backward()`` inside that reached a non-leaf input goes on into its eager history.
"""

from __future__ import annotations

from ..autograd import api
from ..core.tensor_access import (
    new_storage,
    set_array,
    set_history,
    set_storage,
    storage_of,
    wrap,
    wrap_on,
)
from .inputs import CallInputs
from .records import ProgramOutputs, TraceRecord


def write_back(trace: TraceRecord, inputs: CallInputs, program: ProgramOutputs) -> None:
    """Apply the program's functionalised mutations to the real objects."""
    handles = inputs.handles
    extra = program.extra
    for b, new in zip(inputs.bases, program.arrays, strict=True):
        if new is not None:
            b.array = new
    for st, dv in zip(inputs.storages, trace.version_delta, strict=True):
        st.version += dv
    made: dict = {}
    for h, how in zip(handles, trace.rebind, strict=True):
        if how is None:
            continue
        if how.kind == "alias":
            set_storage(h, inputs.storages[how.index])
        else:
            st = made.get(how.index)
            if st is None:
                st = made[how.index] = new_storage(extra[how.index], how.version)
            set_storage(h, st)
    for h, g, how, v in zip(handles, program.grads, trace.grad_change, trace.grad_version,
                            strict=True):
        if how == "none":
            h._grad = None
        elif how == "same" and h._grad is not None:
            if g is not None:
                set_array(h._grad, g)
            storage_of(h._grad).version += v
        else:
            h._grad = wrap(g)
            storage_of(h._grad).version = v
    for h, rg in zip(handles, trace.requires_grad, strict=True):
        if h._grad_fn is None:
            h._requires_grad = rg
    for g, k in zip(inputs.gens, program.keys, strict=True):
        if k is not None:
            g._key = k
    for leaked in trace.leaked:
        t = leaked.tensor
        set_array(t, extra[leaked.extra_index])
        storage_of(t).version = leaked.version
        t._grad_fn, t._grad, t._requires_grad = None, None, leaked.leaf_requires_grad


def continue_backward(inputs: CallInputs, trace: TraceRecord, extra: list) -> None:
    """The part of an inner ``backward()`` that runs outside the program: from non-leaf inputs
    into their (eager) history, as one engine run. The graph is retained: the program cannot
    know whether the inner call asked for that, and keeping it never raises where eager works."""
    roots, grads = [], []
    for upstream in trace.upstream:
        i = upstream.handle_index
        history = inputs.nonleaf[i]
        t = wrap_on(inputs.storages[inputs.handle_storage[i]])
        set_history(t, history.grad_fn, history.output_nr, True)
        roots.append(t)
        grads.append(wrap(extra[upstream.extra_index]))
    api.backward(roots, grads, retain_graph=True)

