"""Finding what a compiled call touches: tensors, generators, and guarded Python scalars.

Tensors passed as arguments and tensors the function reaches through its closure, the globals
its code names, bound ``self``, callable objects and plain containers/objects holding them are
all inputs of the program. Python scalars the code can see by name (closure cells, named
globals, attributes / dict entries whose name the code uses) are baked into the program, so
they are part of the cache key. Library code is never scanned for tensors; ``torch.nn``'s code
is scanned for names only.
"""

from __future__ import annotations

import functools
import os
import sysconfig
import types
from typing import Any, NamedTuple

import jax

from .. import _random
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .state import CompileError

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JAX_DIR = os.path.dirname(os.path.abspath(jax.__file__))
# Code whose functions never capture user tensors: this package, JAX, the stdlib, site-packages.
_LIB_DIRS = tuple(dict.fromkeys(
    [PACKAGE_DIR, JAX_DIR] + [os.path.abspath(p) for k, p in sysconfig.get_paths().items()
                              if k in ("stdlib", "platstdlib", "purelib", "platlib") and p]))
_NN_DIR = os.path.join(PACKAGE_DIR, "nn") + os.sep
MAX_DEPTH = 6  # containers/attributes followed from a function or argument
#: attributes holding a module tree (torch.nn.Module's registries): walked at no depth cost, so
#: a deeply nested model's parameters are all found (cycles are cut by ``seen``)
_MODULE_TREES = frozenset({"_parameters", "_buffers", "_modules"})
_BIG = 1000  # a sequence this long whose first item is a number holds no tensors
PRIMITIVES = frozenset((int, float, bool, complex, str, bytes, type(None)))
UNNAMED = object()  # a primitive found where no name guards it (list elements): not in the key
LIBRARY_FILES_LIMIT = 4096  # library-file answers and code names remembered (cleared when full)


class CompiledCallable:
    """Base of the callables ``compile`` returns: the scan looks through one to the function it
    wraps (``_fn``), so calling a compiled function from another one finds its tensors."""

    _fn: Any


def is_tensor(v: Any) -> bool:
    """``is_leaf`` for ``jax.tree_util``: tensors are leaves, not containers."""
    return isinstance(v, Tensor)


_code_names_memo: dict[types.CodeType, frozenset] = {}


def code_names(code: types.CodeType) -> frozenset[str]:
    """Names the code (and its nested code) loads: globals, attributes, string constants.

    Code objects are immutable, so the answer is remembered (every call of a compiled function
    scans the same methods again: a training step reaches ~100 of them through the model, the
    loss and the optimizer); cleared at ``LIBRARY_FILES_LIMIT`` entries."""
    hit = _code_names_memo.get(code)
    if hit is not None:
        return hit
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= code_names(const)
        elif isinstance(const, str):
            names.add(const)
    if len(_code_names_memo) >= LIBRARY_FILES_LIMIT:
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
        if len(_library_files) >= LIBRARY_FILES_LIMIT:
            _library_files.clear()
        path = os.path.abspath(code.co_filename)
        hit = _library_files[code.co_filename] = (
            _NN if path.startswith(_NN_DIR) else _LIBRARY if path.startswith(_LIB_DIRS)
            else _USER)
    return hit


class GuardedConstant(NamedTuple):
    """A Python scalar the scan found, under the name that reaches it (None: a closure cell or
    a global, always guarded; else an attribute or dict key, guarded if the code uses it)."""

    name: Any
    type: type
    value: Any


class Scan:
    """Tensors, generators and guarded Python scalars reachable from a function and arguments."""

    __slots__ = ("tensors", "gens", "seen", "names", "consts")

    def __init__(self) -> None:
        self.tensors: dict = {}
        self.gens: dict = {}
        self.seen: set = set()
        self.names: set = set()
        self.consts: list[GuardedConstant] = []

    def value(self, v: Any, depth: int, name: Any) -> None:
        if isinstance(v, Tensor):
            self.tensors.setdefault(id(v), v)
            return
        if type(v) in PRIMITIVES:
            if name is not UNNAMED:
                self.consts.append(GuardedConstant(name, type(v), v))
            return
        if isinstance(v, _random.Generator):
            self.gens.setdefault(id(v), v)
            return
        if depth > MAX_DEPTH or id(v) in self.seen or isinstance(v, (types.ModuleType, type)):
            return
        self.seen.add(id(v))
        if isinstance(v, (tuple, list, set, frozenset)) and len(v) > _BIG and type(
                next(iter(v))) in PRIMITIVES:
            return  # a big sequence of numbers (data, a loss history): nothing to find
        if isinstance(v, tuple):
            for x in v:
                self.value(x, depth + 1, name)
        elif isinstance(v, (list, set, frozenset)):
            for x in v:
                self.value(x, depth + 1, UNNAMED)
        elif isinstance(v, dict):
            for k, x in list(v.items()):
                self.value(x, depth + 1, k if isinstance(k, str) else UNNAMED)
        elif isinstance(v, (types.FunctionType, types.MethodType, functools.partial,
                            CompiledCallable)):
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
                elif isinstance(attr, CompiledCallable):
                    attr = attr._fn
                if isinstance(attr, types.FunctionType):
                    # setup dunders (__init__, __repr__...) do not run in a call: their
                    # attribute names do not guard anything (their globals are still scanned)
                    name = attr.__name__
                    named = not (name.startswith("__") and name != "__call__")
                    self.function(attr, depth, named)

    def function(self, fn: Any, depth: int, named: bool = True) -> None:
        if isinstance(fn, CompiledCallable):
            fn = fn._fn
        if isinstance(fn, types.MethodType):
            self.value(fn.__self__, depth, UNNAMED)
            fn = fn.__func__
        if isinstance(fn, functools.partial):
            self.value(fn.args, depth, UNNAMED)
            self.value(fn.keywords, depth, UNNAMED)
            self.function(fn.func, depth)
            return
        code = getattr(fn, "__code__", None)
        if not isinstance(code, types.CodeType):
            if not isinstance(fn, types.BuiltinFunctionType):
                self.value(fn, depth, UNNAMED)  # a callable object: its attributes and methods
            return
        kind = _code_kind(code)
        if id(fn) in self.seen or kind == _LIBRARY:
            return
        self.seen.add(id(fn))
        if named:
            self.names |= code_names(code)
        if kind == _NN:  # names only: ~100 nn methods per training step, nothing to find
            return
        for cell in getattr(fn, "__closure__", None) or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # empty cell
                continue
            self.value(contents, depth, None)
        globs = getattr(fn, "__globals__", {})
        for name in code_names(code):
            if name in globs:
                self.value(globs[name], depth, None)

    def key_consts(self) -> tuple:
        """The guarded scalars' part of the cache key: those whose name the code uses."""
        names = self.names
        return tuple((c.type, c.value) for c in self.consts if c.name is None or c.name in names)


def static_key(v: Any, scan: Scan) -> Any:
    """The cache-key part of a non-tensor argument leaf (objects are also scanned for tensors)."""
    if isinstance(v, Tensor):
        return None
    if type(v) in PRIMITIVES:
        return (type(v), v)
    try:
        hash(v)
    except TypeError:
        if not hasattr(v, "__dict__"):
            raise CompileError(f"torch.compile: unhashable non-tensor argument of type "
                               f"{type(v).__name__} cannot be part of the cache key") from None
        scan.value(v, 0, UNNAMED)
        return (type(v), id(v))
    scan.value(v, 0, UNNAMED)
    return (type(v), v)


def _grad_sig(t: Tensor) -> Any:
    g = t._grad
    return None if g is None else (array_of(g).shape, array_of(g).dtype)


def tensor_key(t: Tensor) -> tuple:
    """A tensor input's part of the cache key."""
    a = array_of(t)
    return (a.shape, a.dtype, t._requires_grad, t._grad_fn is None, t._inference, _grad_sig(t))
