"""Pointing the inputs at tracers for a trace, and restoring every Python-side change after.

Nothing a trace installs outlives it: handles, bases, view caches and live views' graphs are
restored by :class:`Snapshot`, even when tracing fails.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..core.graph import grad_accumulator, node_class
from ..core.tensor import Tensor
from ..core.tensor_access import (
    array_of,
    new_storage,
    set_history,
    set_storage,
    storage_of,
    wrap,
    wrap_on,
)
from ..core.views import ViewStorage
from .inputs import CallInputs

_STAND_IN = node_class("CompiledInputBackward")


class HandleState(NamedTuple):
    """A handle's own slots that tracing may change."""

    storage: Any
    grad: Any
    grad_fn: Any
    output_nr: int
    requires_grad: bool
    retains_grad: bool


class GraphLink(NamedTuple):
    """A tensor's place in the autograd graph."""

    grad_fn: Any
    output_nr: int
    requires_grad: bool


def _live_views(t: Tensor) -> list:
    return [v for v in (w() for w in t._views or ()) if v is not None]


class Snapshot:
    """Everything tracing may change on the Python side, to be restored afterwards."""

    def __init__(self, inputs: CallInputs) -> None:
        self.arrays = [None if m == "view" else b.array
                       for b, m in zip(inputs.bases, inputs.mode, strict=True)]
        self.versions = [st.version for st in inputs.storages]
        self.handle_states = [
            HandleState(storage_of(h), h._grad, h._grad_fn, h._output_nr, h._requires_grad,
                        h._retains_grad) for h in inputs.handles]
        self.views_meta = [(h._base, None if h._views is None else list(h._views))
                           for h in inputs.handles]
        # views outside the inputs whose cached value / graph a write inside would refresh
        outside = {id(v): v for h in inputs.handles for v in _live_views(h)}
        for h in inputs.handles:
            outside.pop(id(h), None)
        self.outside = [(v, GraphLink(v._grad_fn, v._output_nr, v._requires_grad))
                        for v in outside.values()]
        view_storages = {id(st): st for st in inputs.storages if isinstance(st, ViewStorage)}
        view_storages.update((id(storage_of(v)), storage_of(v)) for v, _ in self.outside
                             if isinstance(storage_of(v), ViewStorage))
        self.view_cache = [(st, st._cache, st._seen) for st in view_storages.values()]
        self.keys = [g._key for g in inputs.gens]

    def restore(self, inputs: CallInputs) -> None:
        for h, state, (base, views) in zip(inputs.handles, self.handle_states, self.views_meta,
                                           strict=True):
            set_storage(h, state.storage)
            h._grad = state.grad
            set_history(h, state.grad_fn, state.output_nr, state.requires_grad)
            h._retains_grad = state.retains_grad
            h._base, h._views = base, views
        for b, a in zip(inputs.bases, self.arrays, strict=True):
            if a is not None:
                b.array = a
        for st, v in zip(inputs.storages, self.versions, strict=True):
            st.version = v
        for v, link in self.outside:
            set_history(v, *link)
        for st, cache, seen in self.view_cache:
            st._cache, st._seen = cache, seen
        for g, k in zip(inputs.gens, self.keys, strict=True):
            g._key = k


def _identity(a: Any) -> tuple:
    return (a,)


class Installed(NamedTuple):
    """What :func:`install` put in place, per handle (and per storage for ``storages``)."""

    grads: list  # the installed ``.grad`` objects
    stand_ins: list  # the stand-in ``grad_fn`` of each non-leaf input, else None
    sinks: list  # the scratch leaf behind each stand-in (with ``sinks=True``), else None
    storages: list  # per ``inputs.storages``: a fresh storage for a ``view`` group, else same


def install(inputs: CallInputs, arrays: Any, grad_arrays: Any, keys: Any,
            sinks: bool = False) -> Installed:
    """Point every input at its tracer, with the call-time flags and storages.

    A non-leaf input gets a stand-in ``grad_fn`` (its history lives outside the program): it
    stays a non-leaf inside (in-place updates are allowed, its ``.grad`` is not filled), and the
    gradient reaching the stand-in is the gradient of the input. With ``sinks``, the stand-in
    feeds a scratch leaf, so a ``backward()`` inside the function leaves there the gradient that
    must go on into the input's real history after the call.
    """
    live = list(inputs.storages)
    for b, a, mode in zip(inputs.bases, arrays, inputs.mode, strict=True):
        if mode == "view":  # the view's value, in a storage of its own: the base stays as is
            live[inputs.storages.index(b)] = new_storage(a, b.version)
        else:
            b.array = a
    for g, k in zip(inputs.gens, keys, strict=True):
        g._key = k
    grad_objs, stand_ins, scratch = [], [], []
    for h, s, g, rg, nl in zip(inputs.handles, inputs.handle_storage, grad_arrays,
                               inputs.requires_grad, inputs.nonleaf, strict=True):
        set_storage(h, live[s])
        if inputs.mode[inputs.storage_base[s]] == "view":
            h._base = None
        fn = sink = None
        if nl is not None:
            a = array_of(h)
            edge = None
            if sinks:
                sink = wrap(a)
                sink._requires_grad = True
                edge = (grad_accumulator(sink), 0)
            fn = _STAND_IN(_identity, (a,), (edge,), ((a.shape, a.dtype),))
        set_history(h, fn, 0, rg)
        h._grad = None if g is None else wrap(g)
        grad_objs.append(h._grad)
        stand_ins.append(fn)
        scratch.append(sink)
    return Installed(grad_objs, stand_ins, scratch, live)


def as_input(h: Tensor, stand_in: Any) -> Tensor:
    """``h`` as the program received it: itself for a leaf, else a handle on the stand-in."""
    if stand_in is None:
        return h
    t = wrap_on(storage_of(h), h._inference)
    set_history(t, stand_in, 0, True)
    return t
