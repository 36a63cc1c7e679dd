"""Tracing the user's function once per cache key, with every input pointing at a tracer.

The user's own code — ops, in-place updates, ``.grad`` writes, ``loss.backward()``,
``p -= lr * p.grad`` under ``no_grad``, ``p.data = ...`` — runs through the normal dispatch path
and engine on tracers. Whatever it changed (storages, ``.data`` rebinds, ``.grad``, version
counters, generator keys, tensors it created and stored into captured state) becomes extra
outputs of the program (functionalised mutation), described by a :class:`TraceRecord`;
everything is restored afterwards, even when tracing fails.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import jax

from ..core import grad_mode
from ..core.tensor import Tensor
from ..core.tensor_access import array_holder, array_of, storage_of
from .inputs import CallInputs, root_storage
from .install import Snapshot, install
from .records import LeakedTensor, OutputSlot, ProgramOutputs, Rebind, TraceRecord, UpstreamGrad
from .scan import PRIMITIVES, UNNAMED, Scan, is_tensor
from .state import CompileError, print_while_tracing, real_print, tracing


def _is_tracer(a: Any) -> bool:
    return isinstance(a, jax.core.Tracer)


def _leaked(fn: Callable, inputs: CallInputs, roots: set) -> list:
    """Tensors created while tracing and stored into captured state (lazy optimizer state...)."""
    scan = Scan()
    scan.function(fn, 0)
    for v in jax.tree_util.tree_leaves((inputs.args, inputs.kwargs), is_leaf=is_tensor):
        if not isinstance(v, Tensor):
            scan.value(v, 0, UNNAMED)
    handle_ids = {id(h) for h in inputs.handles}
    out = []
    for t in scan.tensors.values():
        if id(t) in handle_ids or id(root_storage(storage_of(t))) in roots:
            continue
        if _is_tracer(array_of(t)):
            out.append(t)
    return out


def _check_constant_output(v: Any, roots: set) -> None:
    """Outputs other than tensors are returned as they were while tracing: none may hold a
    tensor made inside the function (its array would be a tracer)."""
    if type(v) in PRIMITIVES:
        return
    scan = Scan()
    scan.value(v, 0, UNNAMED)
    if any(id(root_storage(storage_of(t))) not in roots
           and _is_tracer(root_storage(storage_of(t)).array) for t in scan.tensors.values()):
        raise CompileError(f"torch.compile: the function returned a {type(v).__name__} holding "
                           "tensors computed inside it; return tensors directly or in "
                           "tuples, lists, dicts or namedtuples")


def run_traced(fn: Callable, inputs: CallInputs, arrays: Any, grad_arrays: Any, keys: Any,
               grad_enabled: bool) -> tuple[ProgramOutputs, TraceRecord]:
    """Run the user's function on tracers: the program's outputs and what the trace learned."""
    snap = Snapshot(inputs)
    handles = inputs.handles
    tracing.depth += 1
    outer_deferred = tracing.deferred
    deferred = tracing.deferred = []
    try:
        installed = install(inputs, arrays, grad_arrays, keys, sinks=True)
        live = installed.storages
        roots = {id(root_storage(st)) for st in live}
        with grad_mode.set_grad_enabled(grad_enabled):
            if tracing.depth == 1:
                builtins.print = print_while_tracing
            try:
                out = fn(*inputs.args, **inputs.kwargs)
            finally:
                if tracing.depth == 1:
                    builtins.print = real_print
        leaves, out_tree = jax.tree_util.tree_flatten(out, is_leaf=is_tensor)
        handle_pos = {id(h): i for i, h in enumerate(handles)}
        grad_pos = {id(h._grad): i for i, h in enumerate(handles) if h._grad is not None}
        st_pos = {id(st): i for i, st in enumerate(live)}
        out_pos: dict = {}
        out_arrays, layout, kinds, inference, node_outs, node_leaf_pos = [], [], [], [], [], []
        for p, leaf in enumerate(leaves):
            if not isinstance(leaf, Tensor):
                _check_constant_output(leaf, roots)
                layout.append(OutputSlot("const", const=leaf))
            elif id(leaf) in handle_pos:
                layout.append(OutputSlot("handle", handle_pos[id(leaf)]))
            elif id(leaf) in grad_pos:
                layout.append(OutputSlot("grad", grad_pos[id(leaf)]))
            elif id(storage_of(leaf)) in st_pos:  # e.g. x.detach(): shares an input's storage
                layout.append(OutputSlot("alias", st_pos[id(storage_of(leaf))],
                                         inference=leaf._inference))
            elif id(leaf) in out_pos:
                layout.append(OutputSlot("out", out_pos[id(leaf)]))
            else:
                j = out_pos[id(leaf)] = len(out_arrays)
                layout.append(OutputSlot("out", j))
                out_arrays.append(array_of(leaf))
                inference.append(leaf._inference)
                if leaf._grad_fn is not None:
                    kinds.append("diff")
                    node_outs.append(j)
                    node_leaf_pos.append(p)
                else:
                    kinds.append("leaf" if leaf._requires_grad else "plain")
        live_bases = [live[inputs.storages.index(b)] if m == "view" else b
                      for b, m in zip(inputs.bases, inputs.mode, strict=True)]
        arrays_out = [None if b.array is a else b.array
                      for b, a in zip(live_bases, arrays, strict=True)]
        # .data = ...: the handle now lives in another storage
        rebind: list[Rebind | None] = []
        new_storages: dict = {}
        extra: list = []
        for h, s in zip(handles, inputs.handle_storage, strict=True):
            st = storage_of(h)
            if st is live[s]:
                rebind.append(None)
            elif id(st) in st_pos:
                rebind.append(Rebind("alias", st_pos[id(st)]))
            else:
                if id(st) not in new_storages:
                    new_storages[id(st)] = Rebind("new", len(extra), st.version)
                    extra.append(st.array)
                rebind.append(new_storages[id(st)])
        grads_out, grad_change, grad_version = [], [], []
        for k, (h, before) in enumerate(zip(handles, installed.grads, strict=True)):
            g = h._grad
            if g is None:
                grads_out.append(None)
                grad_change.append("none")
                grad_version.append(0)
            elif g is before:
                grads_out.append(None if array_of(g) is grad_arrays[k] else array_of(g))
                grad_change.append("same")
                grad_version.append(storage_of(g).version)  # installed at version 0: the delta
            else:
                grads_out.append(array_of(g))
                grad_change.append("new")
                grad_version.append(storage_of(g).version)
        leaked = []
        for t in _leaked(fn, inputs, roots):
            leaked.append(LeakedTensor(t, len(extra), storage_of(t).version,
                                       t._grad_fn is None and t._requires_grad))
            extra.append(array_of(t))
        upstream = []  # backward() inside reached a non-leaf input: continue it after the call
        for i, sink in enumerate(installed.sinks):
            if sink is not None and sink._grad is not None:
                upstream.append(UpstreamGrad(i, len(extra)))
                extra.append(array_of(sink._grad))
        record = grad_enabled and any(state.requires_grad for state in snap.handle_states)
        trace = TraceRecord(
            out_tree=out_tree, layout=layout, output_kinds=kinds, output_inference=inference,
            node_outputs=node_outs if record else [], node_leaf_positions=node_leaf_pos,
            version_delta=[st.version - v if own else 0 for st, v, own in zip(
                live, snap.versions, inputs.owns_version, strict=True)],
            rebind=rebind, grad_change=grad_change, grad_version=grad_version,
            requires_grad=[h._requires_grad for h in handles],
            modified_with_history=[
                i for i, (h, stand_in) in enumerate(zip(handles, installed.stand_ins,
                                                        strict=True))
                if record and h._grad_fn is not stand_in],
            leaked=leaked, upstream=upstream, records_autograd=record, deferred=deferred,
            # a write through a view that autograd must see (CopySlices on the base, or
            # torch's error for a view of a leaf): only eager code gets the base's graph right
            # (an expanded view: torch's internal-overlap error, also eager's to raise)
            needs_eager=any(
                inputs.mode[b] == "view" and arrays_out[b] is not None
                and ((grad_enabled and rg) or array_holder(inputs.bases[b]).overlapping)
                for b, rg in ((inputs.storage_base[s], rg) for s, rg in zip(
                    inputs.handle_storage, inputs.requires_grad, strict=True))))
        keys_out = [None if g._key is k else g._key
                    for g, k in zip(inputs.gens, keys, strict=True)]
        return ProgramOutputs(out_arrays, arrays_out, grads_out, keys_out, extra), trace
    finally:
        tracing.depth -= 1
        tracing.deferred = outer_deferred
        snap.restore(inputs)
