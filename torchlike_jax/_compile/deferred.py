"""Host effects deferred past the compiled program (an lr scheduler's ``step``).

Library methods that only move Python state from Python values start with
:func:`defer_in_trace`: inside a trace the call is recorded instead of run, and each call of the
compiled function runs the recorded calls eagerly after its program, in order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax

from ..core.tensor import Tensor
from .scan import is_tensor
from .state import GraphBreak, tracing


class DeferredCall(NamedTuple):
    """``fn(*args)`` recorded in a trace, and the objects whose Python state it changes."""

    fn: Callable
    args: tuple
    touches: tuple


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
    if not tracing.depth or any(isinstance(v, Tensor) for v in jax.tree_util.tree_leaves(
            args, is_leaf=is_tensor)):
        return False
    pending = tracing.deferred
    if pending is not None:  # (None: a backward replay, whose forward already ran it)
        pending.append(DeferredCall(fn, args, touches))
    return True


def check_not_deferred(obj: Any) -> None:
    """Graph-break when a host effect deferred earlier in this trace changes ``obj``."""
    pending = tracing.deferred if tracing.depth else None
    if pending and any(obj is touched for call in pending for touched in call.touches):
        raise GraphBreak(f"{type(obj).__name__} is used after a call that changes its Python "
                         "state (e.g. lr_scheduler.step() before optimizer.step())")


def run_deferred(calls: list[DeferredCall]) -> None:
    """Run a trace's recorded calls eagerly, in order (after each run of its program)."""
    for call in calls:
        call.fn(*call.args)
