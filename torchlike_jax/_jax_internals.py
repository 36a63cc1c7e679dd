"""Every use of JAX's private ``jax._src`` modules, in one place.

JAX's public API has no way to do two things ``torch.func`` needs, so this module reaches into
``jax._src`` for them and nothing else in the package does:

* **the tracer classes of each transform** (``ad.JVPTracer``, ``ad.LinearizeTracer``,
  ``batching.BatchTracer`` and ``ad_util.Zero``, the symbolic zero tangent). An op run under
  ``no_grad`` inside mixed forward/reverse transforms must drop its reverse-mode tracers while
  keeping forward tangents, which means rebuilding tracers level by level
  (:mod:`torchlike_jax.autograd._transforms`);
* **the concrete value behind a tracer** (``core.to_concrete_value``): ``grad``/``jvp`` run
  eagerly, so ``.item()``, ``print`` and ``if`` on a value work there, as in torch.func.

Both are optional: when a JAX release moves these names, :data:`TRACER_CLASSES` is None and
:func:`concrete_value` answers None, and the callers fall back to the public
``jax.lax.stop_gradient`` (which also cuts forward levels) and to the tracer itself.

Tested with jax/jaxlib 0.10.2 (the suite's environment); 0.4.30 is the project's long-standing
lower bound. ``pyproject.toml`` pins ``jax>=0.4.30,<0.11`` so that a new minor release, which may
move these private names, is tried here before users get it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["TracerClasses", "TRACER_CLASSES", "concrete_value"]


class TracerClasses(NamedTuple):
    """JAX's tracer classes for forward AD, linearization and vmap, and its symbolic zero."""

    jvp: type
    linearize: type
    batch: type
    zero: type


def _load_tracer_classes() -> TracerClasses | None:
    try:
        from jax._src.ad_util import Zero
        from jax._src.interpreters.ad import JVPTracer, LinearizeTracer
        from jax._src.interpreters.batching import BatchTracer
    except ImportError:  # another JAX layout
        return None
    return TracerClasses(JVPTracer, LinearizeTracer, BatchTracer, Zero)


TRACER_CLASSES: TracerClasses | None = _load_tracer_classes()
"""The tracer classes, or None when this JAX release keeps them elsewhere."""


def concrete_value(tracer: Any) -> Any | None:
    """The concrete value JAX knows behind ``tracer``, or None (no value, as under ``vmap``, or
    another JAX layout)."""
    try:
        from jax._src.core import to_concrete_value

        return to_concrete_value(tracer)
    except Exception:  # another JAX layout, or no concrete value
        return None
