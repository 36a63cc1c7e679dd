"""Per-thread tracing state, the lock, and the errors shared by every part of ``compile``.

Tracing points the tensors a call touches (captured parameters included) at JAX tracers, and a
cached call reads and writes them back: one re-entrant lock serialises that across threads. XLA
programs run asynchronously, so the lock covers only the Python bookkeeping of a call.
"""

from __future__ import annotations

import builtins
import threading
from typing import Any

import jax


class TraceState(threading.local):
    """What this thread is doing: tracing depth and the trace's deferred host effects."""

    depth = 0  # > 0 while this thread traces a compiled function (nested calls are inlined)
    #: the trace's deferred host effects (``deferred.DeferredCall``); None while a backward
    #: replays a traced forward (its effects already ran with that forward)
    deferred: list | None = None


tracing = TraceState()
LOCK = threading.RLock()
real_print = builtins.print

#: what JAX raises when traced code needs a concrete value: a graph break
UNTRACEABLE = (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
               jax.errors.TracerBoolConversionError, jax.errors.TracerIntegerConversionError)


class GraphBreak(Exception):
    """Raised inside a trace by code torch.compile graph-breaks on (``print``)."""


class CompileError(RuntimeError):
    """The function cannot be traced into one XLA program (see the message for the line)."""


def print_while_tracing(*args: Any, **kwargs: Any) -> None:
    """``builtins.print`` during a trace: torch.compile graph-breaks on ``print``."""
    if tracing.depth:
        raise GraphBreak("print() is a Python side effect that must run on every call")
    real_print(*args, **kwargs)
