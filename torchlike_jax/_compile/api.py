"""``compile`` itself (torch's signature and options) and the wrappers it returns for objects
a higher layer knows about (``torch.nn`` registers ``OptimizedModule`` for modules)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .function import CompiledFunction

_WRAPPERS: list = []  # (class, factory(obj, make_compiled) -> wrapper); one entry per layer


def register_wrapper(cls: type, factory: Callable[[Any, Callable], Any]) -> None:
    """Have :func:`compile` return ``factory(obj, make)`` for instances of ``cls``; ``make(fn)``
    compiles a callable with the options ``compile`` was given. (A higher layer registers its
    own wrapper, e.g. ``torch.nn`` its ``OptimizedModule``; this package never imports it.)"""
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
