"""The profiler's clock inside dispatch: what ``torch.profiler.profile`` sees of each op.

While a profiler is recording, :func:`~torchlike_jax.core.dispatch.dispatch` hands each op to
:func:`timed`, which runs it, waits for its result (JAX computes asynchronously; torch's CPU
time includes the kernel) and records an event named ``aten::<op>``. ``record_function``
ranges open and close events through :func:`open_range` / :func:`close_range`. The profiler
itself (``autograd/profiler.py``) only turns the events into torch's tables. When nothing
records, dispatch pays one attribute test.

Events are ``[name, start_ns, end_ns, child_ns]``; ``child_ns`` (time spent in events nested
directly inside) gives torch's "Self CPU".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import jax

from .tensor import Tensor


class _State:
    """Module-global (torch's profiler sees every thread); ``active`` is read in the hot path."""

    active: bool = False

    def __init__(self) -> None:
        self.events: list[list] = []
        self.stack: list[list] = []
        self.lock = threading.Lock()


state = _State()


def start() -> None:
    """Begin recording into a fresh event list."""
    state.events = []
    state.stack = []
    state.active = True


def stop() -> list[list]:
    """Stop recording; the finished events, in the order they ended."""
    state.active = False
    events, state.events, state.stack = state.events, [], []
    return events


def open_range(name: str) -> list | None:
    """Start a ``record_function`` range (None when no profiler records)."""
    if not state.active:
        return None
    event = [name, time.perf_counter_ns(), 0, 0]
    state.stack.append(event)
    return event


def close_range(event: list | None) -> None:
    """End a range opened by :func:`open_range`, charging its time to the enclosing one."""
    if event is None or not state.active or event not in state.stack:
        return
    while state.stack:  # ranges closed out of order close the ones opened inside them too
        inner = state.stack.pop()
        inner[2] = time.perf_counter_ns()
        _finish(inner)
        if inner is event:
            break


def _finish(event: list) -> None:
    state.events.append(event)
    if state.stack:
        state.stack[-1][3] += event[2] - event[1]


def timed(name: str, run: Callable, *args: Any) -> Any:
    """Run one op as a profiled event (ops it runs inside are not events of their own)."""
    state.active = False  # nested dispatches are part of this op, as torch's kernels are
    event = ["aten::" + name, time.perf_counter_ns(), 0, 0]
    try:
        result = run(*args)
        outs = result if isinstance(result, tuple) else (result,)
        jax.block_until_ready([r._st.array for r in outs if isinstance(r, Tensor)])
    finally:
        event[2] = time.perf_counter_ns()
        state.active = True
    _finish(event)
    return result
