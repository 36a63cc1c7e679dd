"""Which ``torch.func`` transforms are running in this thread, and how grad mode cuts them.

``torch.func`` transforms run the user's facade code on tensors whose arrays are JAX tracers
(see :mod:`torchlike_jax.func`). Each running transform is a *level*: ``"rev"`` (grad, vjp,
jacrev), ``"fwd"`` (jvp, jacfwd, linearize) or ``"vmap"``. Torch's rules, which this module
implements for dispatch and ``Tensor.detach``:

* an op computed under ``no_grad`` inside a transformed function is a constant for every
  enclosing *reverse-mode* level, while forward-mode levels still see through it (torch's
  forward AD ignores grad mode);
* ``detach()`` inside a transform is a constant for every level.

How: with only reverse (and vmap) levels active, ``jax.lax.stop_gradient`` on the op's outputs
is exactly right. With forward and reverse levels mixed (``jacfwd(jacrev(f))``,
``jvp(grad(f))``...), the outputs' tracers are rebuilt level by level, replacing each reverse
level's tracer by its primal and keeping forward tangents (this reads JAX's private tracer
classes through :mod:`torchlike_jax._jax_internals`; a tracer of any other kind falls back to
``stop_gradient``, which also cuts the forward levels).

This module sits beside ``grad_mode`` at the bottom of the stack: it imports only JAX and
``_jax_internals``.
"""

from __future__ import annotations

import threading
from typing import Any

import jax

from .._jax_internals import TRACER_CLASSES, concrete_value

__all__ = ["Level", "state", "push", "pop", "stop_no_grad", "stop_all"]


class Level:
    """One running transform: its kind and the JAX trace tag of its tracers (or None)."""

    __slots__ = ("kind", "tag")

    def __init__(self, kind: str, tag: Any) -> None:
        self.kind = kind
        self.tag = tag


class _State(threading.local):
    """Per-thread transform stack. ``rev``/``diff`` count the reverse / differentiating levels
    so that dispatch's check is one attribute read."""

    levels: tuple = ()
    rev: int = 0
    diff: int = 0


state = _State()


def trace_tag(arrays: Any) -> Any:
    """The JAX trace tag of the first tracer among ``arrays`` (a level's own inputs)."""
    for a in arrays:
        trace = getattr(a, "_trace", None)
        if trace is not None:
            try:
                return trace.tag
            except Exception:  # a trace without a tag: selective stopping falls back
                return None
    return None


def push(level: Level) -> None:
    state.levels = state.levels + (level,)
    if level.kind == "rev":
        state.rev += 1
    if level.kind != "vmap":
        state.diff += 1


def pop(level: Level) -> None:
    levels = state.levels
    assert levels and levels[-1] is level, "torch.func levels popped out of order"
    state.levels = levels[:-1]
    if level.kind == "rev":
        state.rev -= 1
    if level.kind != "vmap":
        state.diff -= 1


def stop_all(array: Any) -> Any:
    """``detach()`` inside a transform: a constant for every level."""
    return jax.lax.stop_gradient(array)


def stop_no_grad(outs: Any) -> Any:
    """Outputs (a tuple/list of arrays) of an op run under ``no_grad`` while reverse-mode
    transforms are active: constants for those levels, still differentiable for forward ones."""
    levels = state.levels
    if not any(lv.kind == "fwd" for lv in levels):
        return type(outs)(_stop(o) for o in outs)
    tags = [lv.tag for lv in levels if lv.kind == "rev"]
    if any(t is None for t in tags):
        return type(outs)(_stop(o) for o in outs)
    return type(outs)(_stop_levels(o, tags) for o in outs)


def _stop(a: Any) -> Any:
    if a is None or not isinstance(a, jax.core.Tracer):
        return a
    return jax.lax.stop_gradient(a)


def _stop_levels(x: Any, tags: list) -> Any:
    """``x`` with its dependence on the levels tagged ``tags`` removed, other levels kept."""
    if not isinstance(x, jax.core.Tracer):
        return x
    classes = TRACER_CLASSES
    if classes is None:  # another JAX layout: cut every level (forward ones too)
        return jax.lax.stop_gradient(x)
    jvp_cls, lin_cls, batch_cls, zero_cls = classes
    trace = x._trace
    if isinstance(x, (jvp_cls, lin_cls)):
        tag = getattr(trace, "tag", None)
        if any(tag is t for t in tags):
            return _stop_levels(x.primal, tags)
        if isinstance(x, jvp_cls):  # a forward level: keep the tangent
            primal = _stop_levels(x.primal, tags)
            tangent = x.tangent
            if type(tangent) is not zero_cls:
                tangent = _stop_levels(tangent, tags)
            if primal is x.primal and tangent is x.tangent:
                return x
            return jvp_cls(trace, primal, tangent)
        return jax.lax.stop_gradient(x)  # an untagged linearization: cut everything
    if isinstance(x, batch_cls):
        val = _stop_levels(x.val, tags)
        return x if val is x.val else batch_cls(trace, val, x.batch_dim, x.source_info)
    return jax.lax.stop_gradient(x)


def concrete(array: Any) -> Any:
    """The value behind a transform's tracer when JAX knows it (``grad``/``jvp`` run eagerly, so
    their tracers carry concrete primals: ``.item()``, ``print`` and ``if`` on values work there,
    as in torch.func; under ``vmap`` there is no single value). Otherwise the tracer itself."""
    if not isinstance(array, jax.core.Tracer):
        return array
    value = concrete_value(array)
    return array if value is None else value
