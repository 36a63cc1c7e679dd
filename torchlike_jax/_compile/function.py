"""The callable ``compile`` returns: one cached program per key, and a call's life cycle.

A call scans what the function touches (:mod:`.scan`), builds its cache key, traces once per
key (:mod:`.trace`), runs the program with the current arrays, writes the mutations back
(:mod:`.write_back`) and links autograd across the boundary (:mod:`.backward_node`).
Untraceable code is a graph break: that key runs eagerly from then on (one warning).
"""

from __future__ import annotations

import functools
import os
import traceback
import types
import warnings
from collections.abc import Callable
from typing import Any

import jax

from .. import _caches, _random
from ..core import grad_mode
from ..core import views as _views
from ..core.tensor import Tensor
from ..core.tensor_access import array_of, wrap, wrap_on
from .backward_node import input_edges, link_autograd
from .deferred import run_deferred
from .inputs import CallInputs, with_view_bases
from .records import CacheEntry, ProgramOutputs
from .scan import JAX_DIR, PACKAGE_DIR, CompiledCallable, Scan, is_tensor, static_key, tensor_key
from .state import LOCK, UNTRACEABLE, CompileError, GraphBreak, tracing
from .trace import run_traced
from .write_back import continue_backward, write_back

CACHE_LIMIT = 64  # programs kept per compiled function (LRU: the least recently used goes)
RECOMPILE_LIMIT = 8  # traces of one function before a warning that its key keeps changing


def _make_pure(owner: CompiledFunction, entry: CacheEntry, grad_enabled: bool) -> Callable:
    """The program ``jax.jit`` traces: (arrays, grads, rng keys) -> ``ProgramOutputs``."""

    def pure(arrays, grad_arrays, keys) -> ProgramOutputs:
        owner._count_trace()
        program, entry.trace = run_traced(owner._fn, entry.inputs, arrays, grad_arrays, keys,
                                          grad_enabled)
        return program

    return pure


def _user_frame(err: BaseException) -> str:
    """' at file:line: `source`' for the innermost frame of user code in the traceback."""
    best = None
    for frame in traceback.extract_tb(err.__traceback__):
        path = os.path.abspath(frame.filename)
        if path.startswith(PACKAGE_DIR) or path.startswith(JAX_DIR):
            continue
        best = frame
    if best is None:
        return ""
    return f" at {best.filename}:{best.lineno}: `{(best.line or '').strip()}`"


class CompiledFunction(CompiledCallable):
    """The callable returned by ``compile``; caches one program per key."""

    def __init__(self, fn: Callable, fallback: bool) -> None:
        self._fn = fn
        self._fallback = fallback
        self._cache = _caches.BoundedCache("compiled function", CACHE_LIMIT)  # key -> entry
        self._warned = False
        self._traces = 0
        self._limit_warned = False
        # name, qualname, doc, __wrapped__; not the wrapped object's __dict__ (a callable
        # object's attributes are reached through __getattr__ instead, as torch's wrapper does)
        functools.update_wrapper(self, fn, updated=())

    def __getattr__(self, name: str) -> Any:
        fn = self.__dict__.get("_fn")
        if fn is None:
            raise AttributeError(name)
        return getattr(fn, name)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else types.MethodType(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if tracing.depth:  # called from inside another compiled function: part of its program
            return self._fn(*args, **kwargs)
        with LOCK:
            return self._call(args, kwargs)

    def _call(self, args: tuple, kwargs: dict) -> Any:
        scan = Scan()
        scan.function(self._fn, 0)
        leaves, treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=is_tensor)
        try:
            statics = tuple(static_key(v, scan) for v in leaves)
        except CompileError as err:
            if not self._fallback:
                raise
            self._warn_fallback(str(err), 4)
            return self._fn(*args, **kwargs)
        for leaf in leaves:
            if isinstance(leaf, Tensor):
                scan.tensors.setdefault(id(leaf), leaf)
        handles = with_view_bases(list(scan.tensors.values()))
        gens = [_random.default_generator]
        gens += [g for g in scan.gens.values() if g is not _random.default_generator]
        inputs = CallInputs(args, kwargs, handles, gens)
        local = grad_mode._local
        positions = {id(h): i for i, h in enumerate(handles)}
        key = (treedef, statics, tuple(tensor_key(h) for h in handles),
               tuple(inputs.handle_storage), tuple(inputs.storage_base), local.grad_enabled,
               local.inference_mode,
               tuple(positions[id(v)] if isinstance(v, Tensor) else -1 for v in leaves),
               len(gens), scan.key_consts(), inputs.layout)
        cache = self._cache
        entry = cache.get(key)
        if entry is None:
            entry = CacheEntry()
            cache[key] = entry
            entry.jitted = jax.jit(_make_pure(self, entry, local.grad_enabled))
            if inputs.shared_grad and local.grad_enabled:
                # views sharing a base with another input, with autograd: the graph through
                # the base is eager code's (not traced; documented in the package docstring)
                entry.fallback = True
        if entry.fallback:
            return self._fn(*args, **kwargs)
        entry.inputs = inputs
        arrays_in = [b.array for b in inputs.bases]
        grads_in = [None if h._grad is None else array_of(h._grad) for h in handles]
        keys_in = [g._key for g in gens]
        try:
            program = entry.jitted(arrays_in, grads_in, keys_in)
        except (*UNTRACEABLE, GraphBreak) as err:
            return self._untraceable(err, key, args, kwargs)
        trace = entry.trace
        if trace.needs_eager:
            entry.fallback = True
            return self._fn(*args, **kwargs)
        edges = (input_edges(inputs) if trace.node_outputs or trace.modified_with_history
                 else None)
        write_back(trace, inputs, program)
        if trace.upstream:
            continue_backward(inputs, trace, program.extra)
        if trace.deferred:
            run_deferred(trace.deferred)
        results = [wrap(o, inf) for o, inf in zip(program.outputs, trace.output_inference,
                                                  strict=True)]
        for r, kind in zip(results, trace.output_kinds, strict=True):
            if kind == "leaf":
                r._requires_grad = True
        if edges is not None:
            link_autograd(self._fn, entry, edges, arrays_in, keys_in, grads_in, results)
        for i, h in enumerate(handles):
            # as after an eager in-place write: live views get a graph from the new value
            written = program.arrays[inputs.base_of_handle(i)] is not None
            if h._views and h._requires_grad and written:
                _views.refresh(h)
        flat = []
        for slot in trace.layout:
            if slot.kind == "out":
                flat.append(results[slot.index])
            elif slot.kind == "handle":
                flat.append(handles[slot.index])
            elif slot.kind == "grad":
                flat.append(handles[slot.index]._grad)
            elif slot.kind == "alias":  # a new handle on an input's storage (x.detach())
                flat.append(wrap_on(inputs.storages[slot.index], slot.inference))
            else:
                flat.append(slot.const)
        if trace.leaked:
            # The function stored new tensors into captured state; the objects filled above are
            # this trace's. A later call must run the function again to store its own objects.
            self._cache.pop(key, None)
        return jax.tree_util.tree_unflatten(trace.out_tree, flat)

    def _warn_fallback(self, msg: str, stacklevel: int = 5) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(msg, UserWarning, stacklevel=stacklevel)

    def _untraceable(self, err: Exception, key: tuple, args: tuple, kwargs: dict) -> Any:
        where = _user_frame(err)
        name = getattr(self._fn, "__qualname__", repr(self._fn))
        msg = (f"torch.compile could not trace '{name}'{where}: the code needs a concrete tensor "
               "value while tracing or has a side effect that must run on every call (.item(), "
               "float()/int()/bool() of a tensor, print(), or Python control flow on tensor "
               "values). Rewrite it with tensor ops (e.g. torch.where), move it outside the "
               "compiled function, or compile without fullgraph=True to run this function "
               "eagerly.")
        if not self._fallback:
            self._cache.pop(key, None)
            raise CompileError(msg) from err
        entry = self._cache.get(key)
        if entry is not None:  # a graph break: this key runs eagerly from now on
            entry.fallback = True
        self._warn_fallback(msg.replace(", or compile without fullgraph=True to run this "
                                        "function eagerly.", ". Running it eagerly instead (a "
                                        "graph break)."))
        return self._fn(*args, **kwargs)

    def _count_trace(self) -> None:
        self._traces += 1
        if self._traces > RECOMPILE_LIMIT and not self._limit_warned:
            self._limit_warned = True
            name = getattr(self._fn, "__qualname__", repr(self._fn))
            warnings.warn(f"torch.compile has traced '{name}' {self._traces} times: its cache key "
                          "keeps changing (new shapes, dtypes, requires_grad flags, non-tensor "
                          "argument values or captured Python scalars). Each trace costs a "
                          "compilation.", UserWarning, stacklevel=2)
