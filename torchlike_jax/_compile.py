"""``torchlike_jax.compile`` (also ``torch.compile``): facade code traced into one ``jax.jit``.

How a call runs:

1. **Find the tensors.** Tensors passed as arguments, and tensors the function reaches through its
   closure, the globals its code names, bound ``self`` and plain containers/objects holding them
   (lists, tuples, dicts, attributes) are all *inputs*. Captured tensors are lifted to arguments,
   never baked in as constants, so a parameter updated between calls is seen.
2. **Key.** Shapes, dtypes, ``requires_grad``, whether each tensor has a ``.grad`` (and its
   shape/dtype), non-tensor arguments, and the grad-mode / inference-mode state. A different grad
   mode is a different program: a no_grad trace is never reused where autograd is needed.
3. **Trace once per key.** While tracing, every input tensor's storage temporarily holds a JAX
   tracer, so the user's own code — ops, in-place updates, ``.grad`` writes, ``loss.backward()``,
   ``p -= lr * p.grad`` under ``no_grad`` — runs through the normal dispatch path and engine on
   tracers. Whatever the function changed (storages, ``.grad``, version counters, the default RNG
   key) becomes extra outputs of the program (functionalised mutation); everything is restored
   afterwards, even when tracing fails.
4. **Run and write back.** The compiled program runs with the current arrays; new values are
   written back into the same tensor objects (``.grad`` keeps its identity when the eager code
   would have kept it).
5. **Autograd across the boundary.** When grad mode is on and an input requires grad, the
   returned tensors get ONE node whose function is the traced forward: backward differentiates
   the whole compiled forward with ``jax.vjp``.

What cannot be traced (``.item()``, ``float(t)``, printing a value, Python ``if`` on a tensor)
raises :class:`CompileError` naming the user's line; with ``fallback=True`` (or
``options={"fallback": "eager"}``) the function runs eagerly instead, after one warning.
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

from . import _random
from ._tensor import Tensor
from .autograd import grad_mode
from .autograd.graph import edge_of, node_class

__all__ = ["compile", "CompileError"]

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_JAX_DIR = os.path.dirname(os.path.abspath(jax.__file__))
_UNTRACEABLE = (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                jax.errors.TracerBoolConversionError, jax.errors.TracerIntegerConversionError)
_MAX_DEPTH = 3


class CompileError(RuntimeError):
    """The function cannot be traced into one XLA program (see the message for the line)."""


def compile(model: Callable | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: str | Callable = "inductor", mode: str | None = None,
            options: dict | None = None, disable: bool = False,
            fallback: bool = False) -> Any:
    """Compile ``model`` (a function or bound method) into one ``jax.jit`` program.

    torch's arguments are accepted: ``backend`` and ``mode`` are ignored (XLA is the only
    backend); ``dynamic`` is ignored (every new shape is a new trace, like ``dynamic=False``);
    ``disable=True`` returns ``model`` unchanged; ``fullgraph=True`` forbids the eager fallback.
    ``fallback=True`` or ``options={"fallback": "eager"}`` runs untraceable functions eagerly
    (warning once) instead of raising :class:`CompileError`.
    """
    if options and options.get("fallback") == "eager":
        fallback = True
    if fullgraph:
        fallback = False
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable, fallback=fallback)
    if disable:
        return model
    return CompiledFunction(model, fallback)


# ---- finding the tensors a function touches ----------------------------------------------------
def _scan(value: Any, found: dict, seen: set, depth: int) -> None:
    """Collect tensors reachable from ``value`` through containers and plain objects."""
    if isinstance(value, Tensor):
        found.setdefault(id(value), value)
        return
    if depth > _MAX_DEPTH or id(value) in seen:
        return
    if isinstance(value, (str, bytes, int, float, complex, bool, type(None), types.ModuleType,
                          type)):
        return
    seen.add(id(value))
    if isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _scan(v, found, seen, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            _scan(v, found, seen, depth + 1)
    elif isinstance(value, (types.FunctionType, types.MethodType)):
        _scan_function(value, found, seen, depth + 1)
    elif hasattr(value, "__dict__"):
        for v in vars(value).values():
            _scan(v, found, seen, depth + 1)


def _code_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
    return names


def _scan_function(fn: Any, found: dict, seen: set, depth: int) -> None:
    if isinstance(fn, types.MethodType):
        _scan(fn.__self__, found, seen, depth)
        fn = fn.__func__
    code = getattr(fn, "__code__", None)
    if code is None or code.co_filename.startswith(_PKG_DIR):
        return
    for cell in fn.__closure__ or ():
        try:
            _scan(cell.cell_contents, found, seen, depth)
        except ValueError:  # empty cell
            pass
    globs = fn.__globals__
    for name in _code_names(code):
        if name in globs:
            _scan(globs[name], found, seen, depth)


def _grad_sig(t: Tensor) -> Any:
    g = t._grad
    return None if g is None else (g._st.array.shape, g._st.array.dtype)


def _tensor_sig(t: Tensor) -> tuple:
    a = t._st.array
    return (a.shape, a.dtype, t._requires_grad, t._grad_fn is None, _grad_sig(t))


# ---- the compiled function --------------------------------------------------------------------
class _Entry:
    """One trace: the jitted program plus what it learned about outputs and mutations."""

    __slots__ = ("jitted", "meta", "fallback", "node_fn", "ctx")

    def __init__(self) -> None:
        self.jitted: Any = None
        self.meta: dict = {}
        self.fallback = False
        self.node_fn: Any = None
        # (args, kwargs, handles, storages) of the latest call: what a (re)trace runs on. Every
        # call with this key has the same structure, so any call's objects trace the same program.
        self.ctx: tuple = ()


class CompiledFunction:
    """The callable returned by :func:`compile`; caches one program per key."""

    def __init__(self, fn: Callable, fallback: bool) -> None:
        self._fn = fn
        self._fallback = fallback
        self._cache: dict = {}
        self._warned = False
        functools.update_wrapper(self, fn)

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else types.MethodType(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        found: dict = {}
        seen: set = set()
        _scan_function(self._fn, found, seen, 0)
        leaves, treedef = jax.tree_util.tree_flatten((args, kwargs),
                                                     is_leaf=lambda v: isinstance(v, Tensor))
        for leaf in leaves:
            if isinstance(leaf, Tensor):
                found.setdefault(id(leaf), leaf)
        handles = list(found.values())
        st_index: dict = {}
        for h in handles:
            st_index.setdefault(id(h._st), (len(st_index), h._st))
        storages = [st for _, st in st_index.values()]
        statics = tuple(_static(v) for v in leaves)
        local = grad_mode._local
        positions = {id(h): i for i, h in enumerate(handles)}
        key = (treedef, statics, tuple(_tensor_sig(h) for h in handles),
               tuple(st_index[id(h._st)][0] for h in handles), local.grad_enabled,
               local.inference_mode,
               tuple(positions[id(v)] if isinstance(v, Tensor) else -1 for v in leaves))
        entry = self._cache.get(key)
        if entry is None:
            entry = self._cache[key] = _Entry()
            entry.jitted = jax.jit(_make_pure(self._fn, entry, local.grad_enabled))
        if entry.fallback:
            return self._fn(*args, **kwargs)
        entry.ctx = (args, kwargs, handles, storages)
        st_in = [st.array for st in storages]
        grads_in = [None if h._grad is None else h._grad._st.array for h in handles]
        key_in = _random.default_generator._key
        try:
            outs, st_out, grads_out, key_out = entry.jitted(st_in, grads_in, key_in)
        except _UNTRACEABLE as err:
            return self._untraceable(err, key, args, kwargs)
        _write_back(entry.meta, handles, storages, st_out, grads_out)
        if key_out is not None:
            _random.default_generator._key = key_out
        results = [Tensor._wrap(o) for o in outs]
        self._link_autograd(entry, handles, storages, st_in, results)
        flat = [results[i] if i >= 0 else c for i, c in entry.meta["out_layout"]]
        return jax.tree_util.tree_unflatten(entry.meta["out_tree"], flat)

    def _untraceable(self, err: Exception, key: tuple, args: tuple, kwargs: dict) -> Any:
        where = _user_frame(err)
        name = getattr(self._fn, "__qualname__", repr(self._fn))
        msg = (f"torch.compile could not trace '{name}'{where}: the code needs a concrete tensor "
               "value while tracing (.item(), float()/int()/bool() of a tensor, printing a "
               "tensor, or Python control flow on tensor values). Rewrite it with tensor ops "
               "(e.g. torch.where), move it outside the compiled function, or pass "
               "fallback=True to run this function eagerly.")
        if not self._fallback:
            del self._cache[key]
            raise CompileError(msg) from err
        self._cache[key].fallback = True
        if not self._warned:
            self._warned = True
            warnings.warn(msg.replace("or pass fallback=True to run this function eagerly.",
                                      "running it eagerly instead."), UserWarning, stacklevel=3)
        return self._fn(*args, **kwargs)

    # -- autograd through the compiled forward ----------------------------------------------
    def _link_autograd(self, entry: _Entry, handles, storages, st_in, results) -> None:
        meta = entry.meta
        if not meta["record"]:
            return
        diff = [i for i, r in enumerate(results) if meta["out_requires_grad"][i]]
        if not diff:
            return
        if entry.node_fn is None:
            entry.node_fn = _forward_only(self._fn, entry)
        owner = {}
        for h in handles:
            owner.setdefault(id(h._st), h)
        edges = tuple(edge_of(owner[id(st)]) for st in storages)
        avals = tuple((r._st.array.shape, r._st.array.dtype) for r in results)
        node = node_class("CompiledFunctionBackward")(entry.node_fn, tuple(st_in), edges, avals)
        for i in diff:
            r = results[i]
            r._grad_fn, r._output_nr, r._requires_grad = node, i, True


def _make_pure(fn: Callable, entry: _Entry, grad_enabled: bool):
    """The program ``jax.jit`` traces: (storages, grads, rng key) -> (outputs, mutations)."""

    def pure(st_arrays, grad_arrays, rng_key):
        args, kwargs, handles, storages = entry.ctx
        return _run_traced(fn, args, kwargs, handles, storages, st_arrays, grad_arrays,
                           rng_key, entry.meta, grad_enabled)

    return pure


def _static(v: Any) -> Any:
    if isinstance(v, Tensor):
        return None
    try:
        hash(v)
    except TypeError:
        raise CompileError(f"torch.compile: unhashable non-tensor argument of type "
                           f"{type(v).__name__} cannot be part of the cache key") from None
    return (type(v), v)


def _user_frame(err: BaseException) -> str:
    """' at file:line: `source`' for the innermost frame of user code in the traceback."""
    best = None
    for frame in traceback.extract_tb(err.__traceback__):
        path = os.path.abspath(frame.filename)
        if path.startswith(_PKG_DIR) or path.startswith(_JAX_DIR):
            continue
        best = frame
    if best is None:
        return ""
    return f" at {best.filename}:{best.lineno}: `{(best.line or '').strip()}`"


class _Snapshot:
    """Everything tracing may change on the Python side, to be restored afterwards."""

    def __init__(self, handles, storages) -> None:
        self.arrays = [st.array for st in storages]
        self.versions = [st.version for st in storages]
        self.meta = [(h._grad, h._grad_fn, h._output_nr, h._requires_grad, h._retains_grad)
                     for h in handles]
        self.rng = _random.default_generator._key

    def restore(self, handles, storages) -> None:
        for st, a, v in zip(storages, self.arrays, self.versions, strict=True):
            st.array, st.version = a, v
        for h, m in zip(handles, self.meta, strict=True):
            h._grad, h._grad_fn, h._output_nr, h._requires_grad, h._retains_grad = m
        _random.default_generator._key = self.rng


def _install(handles, storages, st_arrays, grad_arrays) -> list:
    """Point every input at its tracer; non-leaf inputs act as leaves inside the trace."""
    for st, a in zip(storages, st_arrays, strict=True):
        st.array = a
    grad_objs = []
    for h, g in zip(handles, grad_arrays, strict=True):
        h._grad_fn = None
        h._grad = None if g is None else Tensor._wrap(g)
        grad_objs.append(h._grad)
    return grad_objs


def _run_traced(fn, args, kwargs, handles, storages, st_arrays, grad_arrays, rng_key, meta,
                grad_enabled):
    """Run the user's function on tracers; return (outputs, new storages, new grads, rng)."""
    snap = _Snapshot(handles, storages)
    try:
        grad_objs = _install(handles, storages, st_arrays, grad_arrays)
        _random.default_generator._key = rng_key
        with grad_mode.set_grad_enabled(grad_enabled):
            out = fn(*args, **kwargs)
        leaves, out_tree = jax.tree_util.tree_flatten(out, is_leaf=lambda v: isinstance(v, Tensor))
        out_arrays, layout, rg = [], [], []
        for leaf in leaves:
            if isinstance(leaf, Tensor):
                layout.append((len(out_arrays), None))
                out_arrays.append(leaf._st.array)
                rg.append(leaf._requires_grad)
            else:
                layout.append((-1, leaf))
        st_out = [None if st.array is a else st.array
                  for st, a in zip(storages, st_arrays, strict=True)]
        grads_out, grad_mode_out = [], []
        for h, before in zip(handles, grad_objs, strict=True):
            g = h._grad
            grads_out.append(None if g is None else g._st.array)
            grad_mode_out.append("none" if g is None else "same" if g is before else "new")
        meta.update(out_tree=out_tree, out_layout=layout, out_requires_grad=rg,
                    version_delta=[st.version - v for st, v in zip(storages, snap.versions,
                                                                   strict=True)],
                    grad_mode=grad_mode_out, record=grad_enabled and any(
                        m[3] for m in snap.meta))
        new_key = _random.default_generator._key
        return out_arrays, st_out, grads_out, (None if new_key is rng_key else new_key)
    finally:
        snap.restore(handles, storages)


def _write_back(meta: dict, handles, storages, st_out, grads_out) -> None:
    """Apply the program's functionalised mutations to the real tensors."""
    for st, new, dv in zip(storages, st_out, meta["version_delta"], strict=True):
        if new is not None:
            st.array = new
        st.version += dv
    for h, g, how in zip(handles, grads_out, meta["grad_mode"], strict=True):
        if how == "none":
            h._grad = None
        elif how == "same" and h._grad is not None:
            h._grad._st.array = g
            h._grad._st.version += 1
        else:
            h._grad = Tensor._wrap(g)


def _forward_only(fn: Callable, entry: _Entry):
    """The node function: the traced forward as a pure function of the input storages."""

    def forward(*st_arrays):
        args, kwargs, handles, storages = entry.ctx
        snap = _Snapshot(handles, storages)
        try:
            _install(handles, storages, st_arrays, [None] * len(handles))
            with grad_mode.no_grad():
                out = fn(*args, **kwargs)
            leaves = jax.tree_util.tree_leaves(out, is_leaf=lambda v: isinstance(v, Tensor))
            return tuple(v._st.array for v in leaves if isinstance(v, Tensor))
        finally:
            snap.restore(handles, storages)

    return forward
