"""``torchlike_jax.compile`` (also ``torch.compile``): facade code traced into one ``jax.jit``.

How a call runs:

1. **Find the tensors.** Tensors passed as arguments, and tensors the function reaches through its
   closure, the globals its code names, bound ``self``, callable objects, and plain
   containers/objects holding them (lists, tuples, dicts, attributes; the methods of user classes
   are scanned too) are all *inputs*. Captured tensors are lifted to arguments, never baked in
   as constants, so a parameter updated between calls is seen. ``torch.Generator`` objects found
   the same way (and the default generator) are inputs too: their keys are threaded through.
2. **Key.** Shapes, dtypes, ``requires_grad``, inference flags, whether each tensor has a
   ``.grad`` (and its shape/dtype), storage sharing, non-tensor arguments, the grad-mode /
   inference-mode state, and the captured Python scalars the code can see (closure cells, named
   globals, and object attributes / dict entries whose name the code uses, e.g. ``self.training``
   or a global ``lr``): those are baked into the program, so a new value is a new trace. A
   different grad mode is a different program: a no_grad trace is never reused where autograd
   is needed.
3. **Trace once per key.** While tracing, every input tensor's storage temporarily holds a JAX
   tracer, so the user's own code — ops, in-place updates, ``.grad`` writes, ``loss.backward()``,
   ``p -= lr * p.grad`` under ``no_grad``, ``p.data = ...`` — runs through the normal dispatch path
   and engine on tracers. Whatever the function changed (storages, ``.data`` rebinds, ``.grad``,
   version counters, generator keys, tensors it created and stored into captured state, such as
   lazily created optimizer state: a trace that stored new tensors is not reused, the next call
   runs the function again) becomes extra outputs of the program (functionalised
   mutation); everything is restored afterwards, even when tracing fails. Non-leaf inputs act
   as non-leaves inside; a ``backward()`` inside that reaches one is continued into its eager
   history after the call.
4. **Run and write back.** The compiled program runs with the current arrays; new values are
   written back into the same tensor objects (``.grad`` keeps its identity when the eager code
   would have kept it; version counters move by what the eager code would have done). Returned
   inputs are returned as the same objects.
5. **Autograd across the boundary.** When grad mode is on and an input requires grad, the
   returned tensors (and inputs the function modified in place with history) get ONE node,
   ``CompiledFunctionBackward``. Its backward replays the traced forward with autograd recording
   and runs the engine on that replay, inside the backward's XLA program: so ``detach()``,
   ``no_grad`` blocks and ``.data`` inside the function cut gradients exactly as they do
   eagerly, and random ops see the same keys as the forward did.

**Views and aliases among the inputs.** Inputs are grouped by the storage that really holds
their memory. A group that is one view (``step(X[i:i + bs])``, ``x.t()``, ``x.view(...)``) passes
the view's value: while tracing the handle holds a fresh storage (the base is never touched) and
a write through it is applied to the base after the call, as eager code would. A group of
several storages on one base (two views of one base, a view and its base) passes the base's
array, and the views read and write it while tracing, so aliasing inside is eager's. Nothing the
trace installs outlives it: handles, bases, view caches and live views' graphs are restored.
Two cases run eagerly for their key, because only eager code gives the base the right graph:
views sharing a base with another input while autograd is on, and a write through a view input
that requires grad (eager raises torch's error for a view of a leaf, or records ``CopySlices``)
or is expanded (torch's internal-overlap error).

**Graph breaks** (torch.compile's behaviour). What cannot be traced — ``.item()``,
``float()/int()/bool()`` of a tensor, Python ``if`` on a tensor, ``print()`` (even of a string:
torch.compile graph-breaks there and prints on every call) — makes that cache key run eagerly
from then on (one warning per compiled function), so results and side effects are eager's on
every call; the first call of the key also ran the code before the break once while tracing.
A function that traces cleanly stays one XLA program, and its other Python side effects
(appending to a list, counters in plain ints) happen only while tracing (torch.compile replays
some of those on every call). ``fullgraph=True`` (or ``fallback=False``) raises
:class:`CompileError` naming the user's line instead, as torch raises ``Unsupported``.

**Host effects deferred past the program.** Library methods that only move Python state from
Python values (an lr scheduler's ``step``) start with :func:`defer_in_trace`: inside a trace the
call is recorded instead of run, and each call of the compiled function runs the recorded calls
eagerly after its program, in order. The optimizer reads its learning rates from a hidden tensor
that is a program input, so ``opt.step(); sched.step()`` inside one compiled step gives a new lr
every step with one trace. The optimizer reading state a deferred call changes later in the
same trace (``sched.step()`` before ``opt.step()``) is a graph break (:func:`check_not_deferred`).

**Modules.** ``compile(module)`` returns the wrapper a higher layer registered for its class
(:func:`register_wrapper`; ``torch.nn`` registers ``OptimizedModule``, torch's ``_orig_mod``
wrapper), built with a factory that compiles any callable with this call's options.

**Threads.** One re-entrant lock covers tracing, installing handles and the bookkeeping of a
cached call (reading inputs, writing back); the XLA program itself runs asynchronously. Compiled
functions may be called from many threads. Eager code in another thread that reads a tensor a
compiled function captures can see a tracer while that function is being traced.

**Caches** (all bounded): programs per compiled function, an LRU of ``_CACHE_LIMIT`` (64)
entries (a long-running program with ever-new keys re-traces the oldest); the per-file "is this
library code" answers, cleared at ``_LIBRARY_FILES_LIMIT`` (4096). A trace is also counted
(``CompiledFunction._traces``) and warned about past ``_RECOMPILE_LIMIT``.

Known gaps: a Python float (or int) argument is part of the key, so a new value retraces
(torch 2.13 recompiles once and then treats it as dynamic); numpy arrays the function reads are
constants of the program; a non-tensor value a deferred host effect changes and the function
returns (``sched.get_last_lr()``) is the trace's constant; tensors deeper than ``_MAX_DEPTH``
containers/attributes, or held in ``__slots__``, are not found; a view the function returns is
a new tensor, not a view of the input; two tensors that require grad and share one storage get
one summed gradient through a compiled forward; each cache entry keeps its latest call's
arguments alive (a backward replays on them).
"""

from __future__ import annotations

import builtins
import functools
import os
import sysconfig
import threading
import traceback
import types
import warnings
from collections.abc import Callable
from typing import Any

import jax

from . import _caches, _random
from .core import grad_mode
from .core import views as _views
from .core.graph import edge_of, grad_accumulator, node_class
from .core.tensor import Storage, Tensor
from .core.views import ViewStorage

__all__ = ["compile", "CompileError", "defer_in_trace", "check_not_deferred", "register_wrapper"]

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))
_JAX_DIR = os.path.dirname(os.path.abspath(jax.__file__))
# Code whose functions never capture user tensors: this package, JAX, the stdlib, site-packages.
_LIB_DIRS = tuple(dict.fromkeys(
    [_PKG_DIR, _JAX_DIR] + [os.path.abspath(p) for k, p in sysconfig.get_paths().items()
                            if k in ("stdlib", "platstdlib", "purelib", "platlib") and p]))
_UNTRACEABLE = (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                jax.errors.TracerBoolConversionError, jax.errors.TracerIntegerConversionError)
_MAX_DEPTH = 6
_NN_DIR = os.path.join(_PKG_DIR, "nn") + os.sep
#: attributes holding a module tree (torch.nn.Module's registries): walked at no depth cost, so
#: a deeply nested model's parameters are all found (cycles are cut by ``seen``)
_MODULE_TREES = frozenset({"_parameters", "_buffers", "_modules"})
_BIG = 1000
_RECOMPILE_LIMIT = 8
_PRIMITIVES = frozenset((int, float, bool, complex, str, bytes, type(None)))
_STAND_IN = node_class("CompiledInputBackward")
_UNNAMED = object()  # a primitive found where no name guards it (list elements): not in the key
# Cache bounds (all caches of this module):
_CACHE_LIMIT = 64  # programs kept per compiled function (LRU: the least recently used goes)
_LIBRARY_FILES_LIMIT = 4096  # library-file answers, code names remembered (cleared when full)


class _TraceState(threading.local):
    depth = 0  # > 0 while this thread traces a compiled function (nested calls are inlined)
    #: the trace's deferred host effects, ``(fn, args, touched objects)``; None while a
    #: backward replays a traced forward (its effects already ran with that forward)
    deferred: list | None = None


_tracing = _TraceState()
# Tracing points the tensors a call touches (captured parameters included) at JAX tracers, and a
# cached call reads and writes them back: one re-entrant lock serialises that across threads.
# XLA programs run asynchronously, so the lock covers only the Python bookkeeping of a call.
_LOCK = threading.RLock()
_real_print = builtins.print


class _GraphBreak(Exception):
    """Raised inside a trace by code torch.compile graph-breaks on (``print``)."""


def _print_while_tracing(*args: Any, **kwargs: Any) -> None:
    if _tracing.depth:
        raise _GraphBreak("print() is a Python side effect that must run on every call")
    _real_print(*args, **kwargs)


class CompileError(RuntimeError):
    """The function cannot be traced into one XLA program (see the message for the line)."""


# ---- host effects deferred past the program ---------------------------------------------------
def defer_in_trace(fn: Callable, args: tuple, touches: tuple) -> bool:
    """Record ``fn(*args)`` to run after the program, when called inside a trace.

    For library methods that move Python-side state from Python values only (an lr
    scheduler's ``step``: epoch counters, ``param_groups[i]["lr"]`` floats). Traced, such a call
    would run once and its new floats would be baked into the program (or guard it, recompiling
    at every new value). Instead the method starts with ``if defer_in_trace(self.step, (...),
    (objects it changes,)): return``: inside a trace the call is recorded (True), and the
    compiled function runs the recorded calls eagerly after each run of its program, in order;
    the state they change (the optimizer's hidden hyper-parameter tensor) is an input of the
    next run, so a new learning rate every step costs no trace. Reading a changed object later
    in the same trace (:func:`check_not_deferred`: ``optimizer.step()`` after
    ``scheduler.step()``) would see the value from before the call: a graph break. A call with
    tensor arguments (``ReduceLROnPlateau.step(loss)``) needs their values: False, it runs in
    the trace. Outside a trace: False (a method line, not a wrapper, so warnings' stack levels
    stay the user's).
    """
    if not _tracing.depth or any(isinstance(v, Tensor) for v in jax.tree_util.tree_leaves(
            args, is_leaf=_is_tensor)):
        return False
    pending = _tracing.deferred
    if pending is not None:  # (None: a backward replay, whose forward already ran it)
        pending.append((fn, args, touches))
    return True


def check_not_deferred(obj: Any) -> None:
    """Graph-break when a host effect deferred earlier in this trace changes ``obj``."""
    pending = _tracing.deferred if _tracing.depth else None
    if pending and any(obj is t for _, _, touched in pending for t in touched):
        raise _GraphBreak(f"{type(obj).__name__} is used after a call that changes its Python "
                          "state (e.g. lr_scheduler.step() before optimizer.step())")


def _run_deferred(effects: list) -> None:
    for fn, args, _ in effects:
        fn(*args)


# ---- wrappers for objects compile() returns (torch.nn.Module -> OptimizedModule) -----------------
_WRAPPERS: list = []  # (class, factory(obj, make_compiled) -> wrapper); one entry per layer


def register_wrapper(cls: type, factory: Callable[[Any, Callable], Any]) -> None:
    """Have :func:`compile` return ``factory(obj, make)`` for instances of ``cls``; ``make(fn)``
    compiles a callable with the options ``compile`` was given. (A higher layer registers its
    own wrapper, e.g. ``torch.nn`` its ``OptimizedModule``; this module never imports it.)"""
    if all(c is not cls for c, _ in _WRAPPERS):
        _WRAPPERS.append((cls, factory))


def compile(model: Callable | None = None, *, fullgraph: bool = False, dynamic: bool | None = None,
            backend: str | Callable = "inductor", mode: str | None = None,
            options: dict | None = None, disable: bool = False,
            fallback: bool | None = None) -> Any:
    """Compile ``model`` (a function, bound method or callable object) into one ``jax.jit``.

    torch's arguments are accepted: ``backend`` and ``mode`` are ignored (XLA is the only
    backend); ``dynamic`` is ignored (every new shape is a new trace, like ``dynamic=False``);
    ``disable=True`` returns ``model`` unchanged. Untraceable code is a graph break: the
    function runs eagerly for that cache key (warning once); ``fullgraph=True`` (or
    ``fallback=False``) raises :class:`CompileError` instead, as torch raises there.
    ``options={"fallback": "eager"}`` is accepted for compatibility (the default).
    """
    if options and options.get("fallback") == "eager":
        fallback = True
    if fullgraph:
        fallback = False
    elif fallback is None:
        fallback = True  # torch.compile: untraceable code is a graph break, not an error
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable, fallback=fallback)
    if disable:
        return model
    for cls, factory in _WRAPPERS:
        if isinstance(model, cls):
            return factory(model, functools.partial(CompiledFunction, fallback=fallback))
    return CompiledFunction(model, fallback)


# ---- finding the tensors a function touches ----------------------------------------------------
_code_names_memo: dict[types.CodeType, frozenset] = {}


def _code_names(code: types.CodeType) -> frozenset[str]:
    """Names the code (and its nested code) loads: globals, attributes, string constants.

    Code objects are immutable, so the answer is remembered (every call of a compiled function
    scans the same methods again: a training step reaches ~100 of them through the model, the
    loss and the optimizer); cleared at ``_LIBRARY_FILES_LIMIT`` entries."""
    hit = _code_names_memo.get(code)
    if hit is not None:
        return hit
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _code_names(const)
        elif isinstance(const, str):
            names.add(const)
    if len(_code_names_memo) >= _LIBRARY_FILES_LIMIT:
        _code_names_memo.clear()
    hit = _code_names_memo[code] = frozenset(names)
    return hit


_library_files: dict[str, int] = {}  # file -> _USER / _LIBRARY / _NN
_USER, _LIBRARY, _NN = 0, 1, 2


def _code_kind(code: types.CodeType) -> int:
    """Whose code: the user's, a library's (never captures user tensors: not scanned), or
    ``torch.nn``'s — user-level for guarding (its Python state, ``training``, ``p``..., keys
    the program) but, like any library, holding no user tensors in its globals or closures."""
    hit = _library_files.get(code.co_filename)
    if hit is None:
        if len(_library_files) >= _LIBRARY_FILES_LIMIT:
            _library_files.clear()
        path = os.path.abspath(code.co_filename)
        hit = _library_files[code.co_filename] = (
            _NN if path.startswith(_NN_DIR) else _LIBRARY if path.startswith(_LIB_DIRS)
            else _USER)
    return hit


def _base(st: Storage) -> Storage:
    """The storage that holds the array (``.data`` storages forward to their source)."""
    src = getattr(st, "_src", None)
    while src is not None:
        st = src
        src = getattr(st, "_src", None)
    return st


def _root(st: Any) -> Storage:
    """The plain storage at the bottom of ``.data`` forwarding and view chains."""
    while True:
        src = getattr(st, "_src", None)
        if src is not None:
            st = src
        elif isinstance(st, ViewStorage):
            st = st.base_st
        else:
            return st


def _with_view_bases(handles: list) -> list:
    """Add the base tensors of views that share a root storage with another input.

    Handles on one root storage through different storages (``f(x, x[0])``, ``f(x[:2],
    x[1:])``) are traced on that root (``shared`` mode): writes through a view inside reach it
    as in eager code, so the base tensor (which a write through a view rebinds) is an input too.
    """
    seen = {id(h) for h in handles}
    while True:
        groups: dict = {}
        for h in handles:
            groups.setdefault(id(_root(h._st)), set()).add(id(h._st))
        added = False
        for h in list(handles):
            b = h._base
            if b is not None and id(b) not in seen and len(groups[id(_root(h._st))]) > 1:
                seen.add(id(b))
                handles.append(b)
                added = True
        if not added:
            return handles


class _Scan:
    """Tensors, generators and guarded Python scalars reachable from a function and arguments."""

    __slots__ = ("tensors", "gens", "seen", "names", "consts")

    def __init__(self) -> None:
        self.tensors: dict = {}
        self.gens: dict = {}
        self.seen: set = set()
        self.names: set = set()
        self.consts: list = []

    def value(self, v: Any, depth: int, name: Any) -> None:
        if isinstance(v, Tensor):
            self.tensors.setdefault(id(v), v)
            return
        if type(v) in _PRIMITIVES:
            if name is not _UNNAMED:
                self.consts.append((name, type(v), v))
            return
        if isinstance(v, _random.Generator):
            self.gens.setdefault(id(v), v)
            return
        if depth > _MAX_DEPTH or id(v) in self.seen or isinstance(v, (types.ModuleType, type)):
            return
        self.seen.add(id(v))
        if isinstance(v, (tuple, list, set, frozenset)) and len(v) > _BIG and type(
                next(iter(v))) in _PRIMITIVES:
            return  # a big sequence of numbers (data, a loss history): nothing to find
        if isinstance(v, tuple):
            for x in v:
                self.value(x, depth + 1, name)
        elif isinstance(v, (list, set, frozenset)):
            for x in v:
                self.value(x, depth + 1, _UNNAMED)
        elif isinstance(v, dict):
            for k, x in list(v.items()):
                self.value(x, depth + 1, k if isinstance(k, str) else _UNNAMED)
        elif isinstance(v, (types.FunctionType, types.MethodType, functools.partial,
                            CompiledFunction)):
            self.function(v, depth + 1)
        else:
            try:
                attrs = vars(v)
            except TypeError:
                return
            for k, x in list(attrs.items()):
                if k in _MODULE_TREES and isinstance(x, dict):
                    for kk, child in list(x.items()):
                        self.value(child, depth, kk)
                else:
                    self.value(x, depth + 1, k)
            self.methods(type(v), depth + 1)

    def methods(self, cls: type, depth: int) -> None:
        """The functions of a user class: tensors their globals name are inputs too."""
        for klass in cls.__mro__:
            if klass is object or id(klass) in self.seen:
                continue
            self.seen.add(id(klass))
            for attr in list(vars(klass).values()):
                if isinstance(attr, (staticmethod, classmethod)):
                    attr = attr.__func__
                elif isinstance(attr, property):
                    attr = attr.fget
                elif isinstance(attr, CompiledFunction):
                    attr = attr._fn
                if isinstance(attr, types.FunctionType):
                    # setup dunders (__init__, __repr__...) do not run in a call: their
                    # attribute names do not guard anything (their globals are still scanned)
                    name = attr.__name__
                    named = not (name.startswith("__") and name != "__call__")
                    self.function(attr, depth, named)

    def function(self, fn: Any, depth: int, named: bool = True) -> None:
        if isinstance(fn, CompiledFunction):
            fn = fn._fn
        if isinstance(fn, types.MethodType):
            self.value(fn.__self__, depth, _UNNAMED)
            fn = fn.__func__
        if isinstance(fn, functools.partial):
            self.value(fn.args, depth, _UNNAMED)
            self.value(fn.keywords, depth, _UNNAMED)
            self.function(fn.func, depth)
            return
        code = getattr(fn, "__code__", None)
        if not isinstance(code, types.CodeType):
            if not isinstance(fn, types.BuiltinFunctionType):
                self.value(fn, depth, _UNNAMED)  # a callable object: its attributes and methods
            return
        kind = _code_kind(code)
        if id(fn) in self.seen or kind == _LIBRARY:
            return
        self.seen.add(id(fn))
        if named:
            self.names |= _code_names(code)
        if kind == _NN:  # names only: ~100 nn methods per training step, nothing to find
            return
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # empty cell
                continue
            self.value(contents, depth, None)
        globs = getattr(fn, "__globals__", {})
        for name in _code_names(code):
            if name in globs:
                self.value(globs[name], depth, None)

    def key_consts(self) -> tuple:
        names = self.names
        return tuple((t, v) for n, t, v in self.consts if n is None or n in names)


def _static(v: Any, scan: _Scan) -> Any:
    """The cache-key part of a non-tensor argument leaf (objects are also scanned for tensors)."""
    if isinstance(v, Tensor):
        return None
    if type(v) in _PRIMITIVES:
        return (type(v), v)
    try:
        hash(v)
    except TypeError:
        if not hasattr(v, "__dict__"):
            raise CompileError(f"torch.compile: unhashable non-tensor argument of type "
                               f"{type(v).__name__} cannot be part of the cache key") from None
        scan.value(v, 0, _UNNAMED)
        return (type(v), id(v))
    scan.value(v, 0, _UNNAMED)
    return (type(v), v)


def _grad_sig(t: Tensor) -> Any:
    g = t._grad
    return None if g is None else (g._st.array.shape, g._st.array.dtype)


def _tensor_sig(t: Tensor) -> tuple:
    a = t._st.array
    return (a.shape, a.dtype, t._requires_grad, t._grad_fn is None, t._inference, _grad_sig(t))


def _is_tensor(v: Any) -> bool:
    return isinstance(v, Tensor)


# ---- the compiled function --------------------------------------------------------------------
class _Ctx:
    """The objects one call runs on: what a (re)trace installs tracers into.

    ``storages`` are the distinct storage objects of the handles (each has its own version
    counter), plus the root storage of every ``shared`` group; ``bases`` the storages whose
    arrays are the program's inputs, one per group of storages with one root, with a mode each:

    * ``plain`` — the group's storages forward to one plain storage: it is the input;
    * ``view`` — the group is ONE view storage (``f(X[i:i + bs])``): the view's value is the
      input; while tracing, the handles hold a fresh plain storage (the base is never touched)
      and a write is applied through the view after the call, as in eager code;
    * ``shared`` — several storages on one root (two views of one base, a view and its base):
      the root's array is the input, and the views read and write it while tracing.
    """

    __slots__ = ("args", "kwargs", "handles", "storages", "bases", "h_st", "st_base", "gens",
                 "req", "nonleaf", "mode", "owns_version", "layout", "shared_grad")

    def __init__(self, args, kwargs, handles, gens) -> None:
        self.args, self.kwargs, self.handles, self.gens = args, kwargs, handles, gens
        self.req = [h._requires_grad for h in handles]  # call-time flags (part of the key)
        # call-time history of non-leaf inputs: (grad_fn, output_nr), else None
        self.nonleaf = [None if h._grad_fn is None else (h._grad_fn, h._output_nr)
                        for h in handles]
        st_pos: dict = {}
        self.storages: list = []
        for h in handles:
            if id(h._st) not in st_pos:
                st_pos[id(h._st)] = len(self.storages)
                self.storages.append(h._st)
        self.h_st = [st_pos[id(h._st)] for h in handles]
        groups: dict = {}
        for st in list(self.storages):
            groups.setdefault(id(_root(st)), []).append(st)
        base_of: dict = {}  # id(root) -> base position
        self.bases, self.mode = [], []
        for members in groups.values():
            root = _root(members[0])
            resolved = {id(_base(st)) for st in members}
            if len(resolved) == 1 and not isinstance(_base(members[0]), ViewStorage):
                self.bases.append(_base(members[0]))
                self.mode.append("plain")
            elif len(members) == 1:
                self.bases.append(members[0])
                self.mode.append("view")
            else:
                self.bases.append(root)
                self.mode.append("shared")
                if id(root) not in st_pos:  # its version counter moves with the views' writes
                    st_pos[id(root)] = len(self.storages)
                    self.storages.append(root)
            base_of[id(root)] = len(self.bases) - 1
        self.st_base = [base_of[id(_root(st))] for st in self.storages]
        # a view in a shared group counts its root's version: the root's storage moves it
        self.owns_version = [not (isinstance(st, ViewStorage) and self.mode[b] == "shared")
                             for st, b in zip(self.storages, self.st_base, strict=True)]
        self.layout = tuple(
            (st.chain, st.base_st.array.shape) if isinstance(st, ViewStorage)
            and self.mode[b] == "shared" else self.mode[b]
            for st, b in zip(self.storages, self.st_base, strict=True))
        self.shared_grad = any(h._requires_grad and self.mode[self.st_base[s]] == "shared"
                               for h, s in zip(handles, self.h_st, strict=True))


class _Entry:
    """One trace: the jitted program plus what it learned about outputs and mutations."""

    __slots__ = ("jitted", "meta", "fallback", "node_fn", "ctx")

    def __init__(self) -> None:
        self.jitted: Any = None
        self.meta: dict = {}
        self.fallback = False
        self.node_fn: Any = None
        # The latest call's objects. Every call with this key has the same structure, so any
        # call's objects trace the same program (and replay it for backward).
        self.ctx: _Ctx | None = None


class CompiledFunction:
    """The callable returned by :func:`compile`; caches one program per key."""

    def __init__(self, fn: Callable, fallback: bool) -> None:
        self._fn = fn
        self._fallback = fallback
        self._cache = _caches.BoundedCache("compiled function", _CACHE_LIMIT)  # key -> _Entry
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
        if _tracing.depth:  # called from inside another compiled function: part of its program
            return self._fn(*args, **kwargs)
        with _LOCK:
            return self._call(args, kwargs)

    def _call(self, args: tuple, kwargs: dict) -> Any:
        scan = _Scan()
        scan.function(self._fn, 0)
        leaves, treedef = jax.tree_util.tree_flatten((args, kwargs), is_leaf=_is_tensor)
        try:
            statics = tuple(_static(v, scan) for v in leaves)
        except CompileError as err:
            if not self._fallback:
                raise
            self._warn_fallback(str(err), 4)
            return self._fn(*args, **kwargs)
        for leaf in leaves:
            if isinstance(leaf, Tensor):
                scan.tensors.setdefault(id(leaf), leaf)
        handles = _with_view_bases(list(scan.tensors.values()))
        gens = [_random.default_generator]
        gens += [g for g in scan.gens.values() if g is not _random.default_generator]
        ctx = _Ctx(args, kwargs, handles, gens)
        local = grad_mode._local
        positions = {id(h): i for i, h in enumerate(handles)}
        key = (treedef, statics, tuple(_tensor_sig(h) for h in handles), tuple(ctx.h_st),
               tuple(ctx.st_base), local.grad_enabled, local.inference_mode,
               tuple(positions[id(v)] if isinstance(v, Tensor) else -1 for v in leaves),
               len(gens), scan.key_consts(), ctx.layout)
        cache = self._cache
        entry = cache.get(key)
        if entry is None:
            entry = _Entry()
            cache[key] = entry
            entry.jitted = jax.jit(_make_pure(self, entry, local.grad_enabled))
            if ctx.shared_grad and local.grad_enabled:
                # views sharing a base with another input, with autograd: the graph through
                # the base is eager code's (not traced; documented in the module docstring)
                entry.fallback = True
        if entry.fallback:
            return self._fn(*args, **kwargs)
        entry.ctx = ctx
        arrays_in = [b.array for b in ctx.bases]
        grads_in = [None if h._grad is None else h._grad._st.array for h in handles]
        keys_in = [g._key for g in gens]
        try:
            outs, arrays_out, grads_out, keys_out, extra = entry.jitted(arrays_in, grads_in,
                                                                       keys_in)
        except (*_UNTRACEABLE, _GraphBreak) as err:
            return self._untraceable(err, key, args, kwargs)
        meta = entry.meta
        if meta["eager"]:
            entry.fallback = True
            return self._fn(*args, **kwargs)
        edges = _input_edges(ctx) if meta["node_outs"] or meta["hist"] else None
        _write_back(meta, ctx, arrays_out, grads_out, keys_out, extra)
        if meta["upstream"]:
            _continue_backward(ctx, meta["upstream"], extra)
        if meta["deferred"]:
            _run_deferred(meta["deferred"])
        results = [Tensor._wrap(o, inf) for o, inf in zip(outs, meta["out_inference"],
                                                          strict=True)]
        for r, kind in zip(results, meta["out_kind"], strict=True):
            if kind == "leaf":
                r._requires_grad = True
        if edges is not None:
            self._link_autograd(entry, ctx, edges, arrays_in, keys_in, grads_in, results)
        for h, s in zip(handles, ctx.h_st, strict=True):
            # as after an eager in-place write: live views get a graph from the new value
            if h._views and h._requires_grad and arrays_out[ctx.st_base[s]] is not None:
                _views.refresh(h)
        flat = []
        for kind, v in meta["layout"]:
            if kind == "out":
                flat.append(results[v])
            elif kind == "handle":
                flat.append(handles[v])
            elif kind == "grad":
                flat.append(handles[v]._grad)
            elif kind == "alias":  # a new handle on an input's storage (x.detach())
                t = Tensor._wrap(None, v[1])
                t._st = ctx.storages[v[0]]
                flat.append(t)
            else:
                flat.append(v)
        if meta["leaked"]:
            # The function stored new tensors into captured state; the objects filled above are
            # this trace's. A later call must run the function again to store its own objects.
            self._cache.pop(key, None)
        return jax.tree_util.tree_unflatten(meta["out_tree"], flat)

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
        if self._traces > _RECOMPILE_LIMIT and not self._limit_warned:
            self._limit_warned = True
            name = getattr(self._fn, "__qualname__", repr(self._fn))
            warnings.warn(f"torch.compile has traced '{name}' {self._traces} times: its cache key "
                          "keeps changing (new shapes, dtypes, requires_grad flags, non-tensor "
                          "argument values or captured Python scalars). Each trace costs a "
                          "compilation.", UserWarning, stacklevel=2)

    # -- autograd through the compiled forward ----------------------------------------------
    def _link_autograd(self, entry: _Entry, ctx: _Ctx, edges: tuple, arrays_in, keys_in,
                       grads_in, results) -> None:
        meta = entry.meta
        outs = [results[j] for j in meta["node_outs"]] + [ctx.handles[i] for i in meta["hist"]]
        if not outs:
            return
        if entry.node_fn is None:
            entry.node_fn = _make_node_fn(self._fn, entry, len(arrays_in), len(keys_in))
        inputs = (*arrays_in, *keys_in, *grads_in)
        all_edges = edges + (None,) * (len(keys_in) + len(grads_in))
        avals = tuple((t._st.array.shape, t._st.array.dtype) for t in outs)
        node = node_class("CompiledFunctionBackward")(entry.node_fn, inputs, all_edges, avals,
                                                      True)
        for k, t in enumerate(outs):
            t._grad_fn, t._output_nr, t._requires_grad = node, k, True


def _continue_backward(ctx: _Ctx, upstream: list, extra: list) -> None:
    """The part of an inner ``backward()`` that runs outside the program: from non-leaf inputs
    into their (eager) history, as one engine run. The graph is retained: the program cannot
    know whether the inner call asked for that, and keeping it never raises where eager works."""
    from .autograd import api

    roots, grads = [], []
    for i, k in upstream:
        fn, nr = ctx.nonleaf[i]
        t = Tensor._wrap(None)
        t._st = ctx.storages[ctx.h_st[i]]
        t._grad_fn, t._output_nr, t._requires_grad = fn, nr, True
        roots.append(t)
        grads.append(Tensor._wrap(extra[k]))
    api.backward(roots, grads, retain_graph=True)


def _input_edges(ctx: _Ctx) -> tuple:
    """Per base storage: the edge of the first handle on it that requires grad (else None)."""
    edges: list = [None] * len(ctx.bases)
    for h, s in zip(ctx.handles, ctx.h_st, strict=True):
        b = ctx.st_base[s]
        if edges[b] is None and h._requires_grad:
            edges[b] = edge_of(h)
    return tuple(edges)


def _make_pure(owner: CompiledFunction, entry: _Entry, grad_enabled: bool):
    """The program ``jax.jit`` traces: (arrays, grads, rng keys) -> (outputs, mutations)."""

    def pure(arrays, grad_arrays, keys):
        owner._count_trace()
        return _run_traced(owner._fn, entry.ctx, arrays, grad_arrays, keys, entry.meta,
                           grad_enabled)

    return pure


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


def _live_views(t: Tensor) -> list:
    return [v for v in (w() for w in t._views or ()) if v is not None]


class _Snapshot:
    """Everything tracing may change on the Python side, to be restored afterwards."""

    def __init__(self, ctx: _Ctx) -> None:
        self.arrays = [None if m == "view" else b.array for b, m in zip(ctx.bases, ctx.mode,
                                                                       strict=True)]
        self.versions = [st.version for st in ctx.storages]
        self.meta = [(h._st, h._grad, h._grad_fn, h._output_nr, h._requires_grad,
                      h._retains_grad) for h in ctx.handles]
        self.views_meta = [(h._base, None if h._views is None else list(h._views))
                           for h in ctx.handles]
        # views outside the inputs whose cached value / graph a write inside would refresh
        outside = {id(v): v for h in ctx.handles for v in _live_views(h)}
        for h in ctx.handles:
            outside.pop(id(h), None)
        self.outside = [(v, v._grad_fn, v._output_nr, v._requires_grad) for v in outside.values()]
        vsts = {id(st): st for st in ctx.storages if isinstance(st, ViewStorage)}
        vsts.update((id(v._st), v._st) for v, *_ in self.outside
                    if isinstance(v._st, ViewStorage))
        self.view_cache = [(st, st._cache, st._seen) for st in vsts.values()]
        self.keys = [g._key for g in ctx.gens]

    def restore(self, ctx: _Ctx) -> None:
        for h, m, vm in zip(ctx.handles, self.meta, self.views_meta, strict=True):
            (h._st, h._grad, h._grad_fn, h._output_nr, h._requires_grad, h._retains_grad) = m
            h._base, h._views = vm
        for b, a in zip(ctx.bases, self.arrays, strict=True):
            if a is not None:
                b.array = a
        for st, v in zip(ctx.storages, self.versions, strict=True):
            st.version = v
        for v, fn, nr, rg in self.outside:
            v._grad_fn, v._output_nr, v._requires_grad = fn, nr, rg
        for st, cache, seen in self.view_cache:
            st._cache, st._seen = cache, seen
        for g, k in zip(ctx.gens, self.keys, strict=True):
            g._key = k


def _identity(a):
    return (a,)


def _install(ctx: _Ctx, arrays, grad_arrays, keys, sinks: bool = False) -> tuple:
    """Point every input at its tracer, with the call-time flags and storages.

    A non-leaf input gets a stand-in ``grad_fn`` (its history lives outside the program): it
    stays a non-leaf inside (in-place updates are allowed, its ``.grad`` is not filled), and the
    gradient reaching the stand-in is the gradient of the input. With ``sinks``, the stand-in
    feeds a scratch leaf, so a ``backward()`` inside the function leaves there the gradient that
    must go on into the input's real history after the call. Returns the installed ``.grad``
    objects, the stand-ins, the scratch leaves (None for leaves) and the storages installed
    (per ``ctx.storages``: a fresh plain storage for a ``view``-mode group, else the same).
    """
    live = list(ctx.storages)
    for b, a, mode in zip(ctx.bases, arrays, ctx.mode, strict=True):
        if mode == "view":  # the view's value, in a storage of its own: the base stays as is
            st = Storage(a)
            st.version = b.version
            live[ctx.storages.index(b)] = st
        else:
            b.array = a
    for g, k in zip(ctx.gens, keys, strict=True):
        g._key = k
    grad_objs, stand_ins, scratch = [], [], []
    for h, s, g, rg, nl in zip(ctx.handles, ctx.h_st, grad_arrays, ctx.req, ctx.nonleaf,
                               strict=True):
        h._st = live[s]
        if ctx.mode[ctx.st_base[s]] == "view":
            h._base = None
        fn = sink = None
        if nl is not None:
            a = h._st.array
            edge = None
            if sinks:
                sink = Tensor._wrap(a)
                sink._requires_grad = True
                edge = (grad_accumulator(sink), 0)
            fn = _STAND_IN(_identity, (a,), (edge,), ((a.shape, a.dtype),))
        h._grad_fn, h._output_nr, h._requires_grad = fn, 0, rg
        h._grad = None if g is None else Tensor._wrap(g)
        grad_objs.append(h._grad)
        stand_ins.append(fn)
        scratch.append(sink)
    return grad_objs, stand_ins, scratch, live


def _as_input(h: Tensor, stand_in: Any) -> Tensor:
    """``h`` as the program received it: itself for a leaf, else a handle on the stand-in."""
    if stand_in is None:
        return h
    t = Tensor._alias(h)
    t._grad_fn, t._output_nr, t._requires_grad = stand_in, 0, True
    return t


def _is_tracer(a: Any) -> bool:
    return isinstance(a, jax.core.Tracer)


def _leaked(fn: Callable, ctx: _Ctx, roots: set) -> list:
    """Tensors created while tracing and stored into captured state (lazy optimizer state...)."""
    scan = _Scan()
    scan.function(fn, 0)
    for v in jax.tree_util.tree_leaves((ctx.args, ctx.kwargs), is_leaf=_is_tensor):
        if not isinstance(v, Tensor):
            scan.value(v, 0, _UNNAMED)
    handle_ids = {id(h) for h in ctx.handles}
    out = []
    for t in scan.tensors.values():
        if id(t) in handle_ids or id(_root(t._st)) in roots:
            continue
        if _is_tracer(t._st.array):
            out.append(t)
    return out


def _check_constant_output(v: Any, roots: set) -> None:
    """Outputs other than tensors are returned as they were while tracing: none may hold a
    tensor made inside the function (its array would be a tracer)."""
    if type(v) in _PRIMITIVES:
        return
    scan = _Scan()
    scan.value(v, 0, _UNNAMED)
    if any(id(_root(t._st)) not in roots and _is_tracer(_root(t._st).array)
           for t in scan.tensors.values()):
        raise CompileError(f"torch.compile: the function returned a {type(v).__name__} holding "
                           "tensors computed inside it; return tensors directly or in "
                           "tuples, lists, dicts or namedtuples")


def _run_traced(fn, ctx: _Ctx, arrays, grad_arrays, keys, meta, grad_enabled):
    """Run the user's function on tracers; return (outputs, mutations) and fill ``meta``."""
    snap = _Snapshot(ctx)
    handles = ctx.handles
    _tracing.depth += 1
    outer_deferred = _tracing.deferred
    deferred = _tracing.deferred = []
    try:
        grad_objs, stand_ins, scratch, live = _install(ctx, arrays, grad_arrays, keys,
                                                       sinks=True)
        roots = {id(_root(st)) for st in live}
        with grad_mode.set_grad_enabled(grad_enabled):
            if _tracing.depth == 1:
                builtins.print = _print_while_tracing
            try:
                out = fn(*ctx.args, **ctx.kwargs)
            finally:
                if _tracing.depth == 1:
                    builtins.print = _real_print
        leaves, out_tree = jax.tree_util.tree_flatten(out, is_leaf=_is_tensor)
        handle_pos = {id(h): i for i, h in enumerate(handles)}
        grad_pos = {id(h._grad): i for i, h in enumerate(handles) if h._grad is not None}
        st_pos = {id(st): i for i, st in enumerate(live)}
        out_pos: dict = {}
        out_arrays, layout, kinds, inference, node_outs, node_leaf_pos = [], [], [], [], [], []
        for p, leaf in enumerate(leaves):
            if not isinstance(leaf, Tensor):
                _check_constant_output(leaf, roots)
                layout.append(("const", leaf))
            elif id(leaf) in handle_pos:
                layout.append(("handle", handle_pos[id(leaf)]))
            elif id(leaf) in grad_pos:
                layout.append(("grad", grad_pos[id(leaf)]))
            elif id(leaf._st) in st_pos:  # e.g. x.detach(): shares an input's storage
                layout.append(("alias", (st_pos[id(leaf._st)], leaf._inference)))
            elif id(leaf) in out_pos:
                layout.append(("out", out_pos[id(leaf)]))
            else:
                j = out_pos[id(leaf)] = len(out_arrays)
                layout.append(("out", j))
                out_arrays.append(leaf._st.array)
                inference.append(leaf._inference)
                if leaf._grad_fn is not None:
                    kinds.append("diff")
                    node_outs.append(j)
                    node_leaf_pos.append(p)
                else:
                    kinds.append("leaf" if leaf._requires_grad else "plain")
        live_bases = [live[ctx.storages.index(b)] if m == "view" else b
                      for b, m in zip(ctx.bases, ctx.mode, strict=True)]
        arrays_out = [None if b.array is a else b.array
                      for b, a in zip(live_bases, arrays, strict=True)]
        # .data = ...: the handle now lives in another storage
        rebind, new_storages, extra = [], {}, []
        for h, s in zip(handles, ctx.h_st, strict=True):
            st = h._st
            if st is live[s]:
                rebind.append(None)
            elif id(st) in st_pos:
                rebind.append(("alias", st_pos[id(st)]))
            else:
                if id(st) not in new_storages:
                    new_storages[id(st)] = (len(extra), st.version)
                    extra.append(st.array)
                rebind.append(("new",) + new_storages[id(st)])
        grads_out, grad_mode_out, grad_version = [], [], []
        for k, (h, before) in enumerate(zip(handles, grad_objs, strict=True)):
            g = h._grad
            if g is None:
                grads_out.append(None)
                grad_mode_out.append("none")
                grad_version.append(0)
            elif g is before:
                grads_out.append(None if g._st.array is grad_arrays[k] else g._st.array)
                grad_mode_out.append("same")
                grad_version.append(g._st.version)  # installed at version 0: the delta
            else:
                grads_out.append(g._st.array)
                grad_mode_out.append("new")
                grad_version.append(g._st.version)
        leaked = []
        for t in _leaked(fn, ctx, roots):
            leaked.append((t, len(extra), t._st.version, t._grad_fn is None and
                           t._requires_grad))
            extra.append(t._st.array)
        upstream = []  # backward() inside reached a non-leaf input: continue it after the call
        for i, sink in enumerate(scratch):
            if sink is not None and sink._grad is not None:
                upstream.append((i, len(extra)))
                extra.append(sink._grad._st.array)
        record = grad_enabled and any(m[4] for m in snap.meta)
        meta.update(
            out_tree=out_tree, layout=layout, out_kind=kinds, out_inference=inference,
            node_outs=node_outs if record else [], node_leaf_pos=node_leaf_pos,
            version_delta=[st.version - v if own else 0 for st, v, own in zip(
                live, snap.versions, ctx.owns_version, strict=True)],
            rebind=rebind, grad_mode=grad_mode_out, grad_version=grad_version,
            requires_grad=[h._requires_grad for h in handles],
            hist=[i for i, (h, sf) in enumerate(zip(handles, stand_ins, strict=True))
                  if record and h._grad_fn is not sf],
            leaked=leaked, upstream=upstream, record=record, deferred=deferred,
            # a write through a view that autograd must see (CopySlices on the base, or
            # torch's error for a view of a leaf): only eager code gets the base's graph right
            # (an expanded view: torch's internal-overlap error, also eager's to raise)
            eager=any(
                ctx.mode[b] == "view" and arrays_out[b] is not None
                and ((grad_enabled and rg) or _base(ctx.bases[b]).overlapping)
                for b, rg in ((ctx.st_base[s], rg) for s, rg in zip(ctx.h_st, ctx.req,
                                                                     strict=True))))
        keys_out = [None if g._key is k else g._key for g, k in zip(ctx.gens, keys, strict=True)]
        return out_arrays, arrays_out, grads_out, keys_out, extra
    finally:
        _tracing.depth -= 1
        _tracing.deferred = outer_deferred
        snap.restore(ctx)


def _write_back(meta: dict, ctx: _Ctx, arrays_out, grads_out, keys_out, extra) -> None:
    """Apply the program's functionalised mutations to the real objects."""
    handles = ctx.handles
    for b, new in zip(ctx.bases, arrays_out, strict=True):
        if new is not None:
            b.array = new
    for st, dv in zip(ctx.storages, meta["version_delta"], strict=True):
        st.version += dv
    made: dict = {}
    for h, how in zip(handles, meta["rebind"], strict=True):
        if how is None:
            continue
        if how[0] == "alias":
            h._st = ctx.storages[how[1]]
        else:
            st = made.get(how[1])
            if st is None:
                st = made[how[1]] = Storage(extra[how[1]])
                st.version = how[2]
            h._st = st
    for h, g, how, v in zip(handles, grads_out, meta["grad_mode"], meta["grad_version"],
                            strict=True):
        if how == "none":
            h._grad = None
        elif how == "same" and h._grad is not None:
            if g is not None:
                h._grad._st.array = g
            h._grad._st.version += v
        else:
            h._grad = Tensor._wrap(g)
            h._grad._st.version = v
    for h, rg in zip(handles, meta["requires_grad"], strict=True):
        if h._grad_fn is None:
            h._requires_grad = rg
    for g, k in zip(ctx.gens, keys_out, strict=True):
        if k is not None:
            g._key = k
    for t, i, version, leaf_rg in meta["leaked"]:
        t._st.array = extra[i]
        t._st.version = version
        t._grad_fn, t._grad, t._requires_grad = None, None, leaf_rg


# ---- the backward node ------------------------------------------------------------------------
def _make_node_fn(fn: Callable, entry: _Entry, n_arrays: int, n_keys: int):
    """``CompiledFunctionBackward``'s function: the traced forward as a pure function of
    (input arrays, generator keys, grads), whose vjp replays the forward with autograd recording
    and runs the engine on the replay — so the gradient is exactly the eager one (``detach``,
    ``no_grad`` blocks and ``.data`` inside the function cut it), and random ops redraw the
    forward's values from the same keys."""
    from .autograd import api

    def replay(inputs, body):
        ctx = entry.ctx
        arrays, keys = inputs[:n_arrays], inputs[n_arrays:n_arrays + n_keys]
        grads = inputs[n_arrays + n_keys:]
        snap = _Snapshot(ctx)
        _tracing.depth += 1
        outer_deferred, _tracing.deferred = _tracing.deferred, None
        try:
            _, stand_ins, _, _ = _install(ctx, arrays, grads, keys)
            # what the gradient is taken with respect to: the inputs as they came in (a
            # function may modify an input in place, moving its grad_fn on)
            sources = [_as_input(h, fn) for h, fn in zip(ctx.handles, stand_ins, strict=True)]
            with grad_mode.set_grad_enabled(True):
                out = fn(*ctx.args, **ctx.kwargs)
                leaves = jax.tree_util.tree_leaves(out, is_leaf=_is_tensor)
                tensors = [leaves[p] for p in entry.meta["node_leaf_pos"]]
                tensors += [ctx.handles[i] for i in entry.meta["hist"]]
                return body(ctx, tensors, sources)
        finally:
            _tracing.depth -= 1
            _tracing.deferred = outer_deferred
            snap.restore(ctx)

    @jax.custom_vjp
    def node_fn(*inputs):
        return replay(inputs, lambda ctx, ts, _: tuple(t._st.array for t in ts))

    def fwd(*inputs):
        return node_fn(*inputs), inputs

    def bwd(inputs, cots):
        def body(ctx, tensors, sources):
            leaves: list = [None] * n_arrays
            for src, s, rg in zip(sources, ctx.h_st, ctx.req, strict=True):
                b = ctx.st_base[s]
                if leaves[b] is None and rg:
                    leaves[b] = src
            wanted = [k for k, t in enumerate(leaves) if t is not None]
            pairs = [(t, c) for t, c in zip(tensors, cots, strict=True) if t._requires_grad]
            if not wanted or not pairs:
                return (None,) * len(inputs)
            got = api.grad([t for t, _ in pairs], [leaves[k] for k in wanted],
                           grad_outputs=[Tensor._wrap(c) for _, c in pairs], allow_unused=True)
            result: list = [None] * len(inputs)
            for k, g in zip(wanted, got, strict=True):
                if g is not None:
                    result[k] = g._st.array.astype(inputs[k].dtype)
            return tuple(result)

        return replay(inputs, body)

    node_fn.defvjp(fwd, bwd)
    return node_fn
