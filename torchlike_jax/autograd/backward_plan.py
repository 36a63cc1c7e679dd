"""The backward plan of a graph and its one interpreter.

Every way the engine runs a backward — node by node with Python hooks, a whole graph as one
``jax.jit`` program, a big graph in compiled segments — walks the same :class:`Plan` with the
same :func:`interpret`, so the graph semantics (seeding the roots, visiting steps in topological
order, capturing gradients, handing leaf gradients to accumulation, sending input gradients on
and summing them where edges meet) live here once. What differs between the paths is only the
*kernel*: the object that runs one step's Python (hooks, ``retain_grad``, a custom Function's
backward, accumulation into ``.grad``) or, traced under ``jax.jit``, the step's pure vjp.

A plan holds node *functions* and wiring only, never a node or an array: a compiled program
closes over its plan, and must not keep a user's graph alive. It is hashable, so it is also
(with the inputs' shapes and dtypes) the key a compiled program is cached under.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple, Protocol

from ..core.graph import AccumulateGrad, Node


class StepKind(enum.IntEnum):
    """What the interpreter does with the gradients that reach one step. (An ``IntEnum``: plans
    are hashed as cache keys on every backward, and ``Enum.__hash__`` is Python code.)"""

    RUN = 0  # a node whose backward runs and sends gradients to its inputs
    ACCUMULATE = 1  # a leaf's AccumulateGrad that takes its gradient into ``.grad``
    HOLD = 2  # kept only so a gradient reaching it can be captured; runs nothing


class Wire(NamedTuple):
    """Where one gradient goes: output ``output_nr`` of step ``index`` of the same plan
    (``inside``), or, leaving the plan, export number ``index`` (the caller knows the edge)."""

    inside: bool
    index: int
    output_nr: int


class PlanStep(NamedTuple):
    """One node of the plan, in topological order (a node before every node it feeds)."""

    kind: StepKind
    fn: Callable | None  # the node's function (RUN steps)
    mask: tuple[bool, ...]  # which of the node's inputs are differentiable (have an edge)
    n_outputs: int  # gradient slots the step receives: one per output of the node
    wiring: tuple[Wire, ...]  # where each input gradient goes, one per differentiable input


class Plan(NamedTuple):
    """A graph (or a segment of one) ready to interpret: its steps, where the root gradients
    enter, and which gradients are captured and returned."""

    steps: tuple[PlanStep, ...]
    roots: tuple[Wire, ...]
    captures: tuple[Wire, ...]
    n_exports: int


class Kernel(Protocol):
    """The Python of one path: what happens at a step once the interpreter hands it gradients."""

    def receive(self, i: int, grads: list) -> list:
        """Gradients as they reach step ``i`` (tensor hooks and ``retain_grad`` run here)."""

    def accumulate(self, i: int, grads: list) -> None:
        """Step ``i`` is an accumulating leaf: take its gradient."""

    def hold(self, i: int, grads: list) -> None:
        """Step ``i`` is held (a captured gradient's node that does not run its backward)."""

    def backward(self, i: int, grads: list) -> Sequence | None:
        """Input gradients of step ``i``, one per wire (None: nothing to send)."""

    def runs_undefined(self, i: int) -> bool:
        """Whether step ``i`` runs when only undefined (None) gradients reach it: torch calls
        a custom Function's backward then, with zeros unless it turned materializing off."""


def build(nodes: Sequence[Node], *, sinks: Callable[[Node], bool], runs: set | None = None,
          roots: Sequence[tuple] = (), captures: Sequence[tuple] = (),
          export: bool = True) -> tuple[Plan, list]:
    """The plan of ``nodes`` (topologically ordered), and the edges that leave it, by export
    number. ``runs`` (None: all) are the nodes whose backward runs; ``sinks(leaf)`` says whether
    an AccumulateGrad accumulates; ``roots`` and ``captures`` are ``(node, output_nr)`` edges,
    and one outside ``nodes`` enters nothing / captures None. Without ``export`` (a whole,
    pruned graph), gradients for edges leaving the plan are dropped: nobody wants them."""
    index = {n: i for i, n in enumerate(nodes)}
    exports: list = []
    steps = []
    wire, plan_step = _NEW_WIRE, _NEW_STEP
    for n in nodes:
        if isinstance(n, AccumulateGrad):
            kind = StepKind.ACCUMULATE if sinks(n) else StepKind.HOLD
            steps.append(PlanStep(kind, None, (), 1, ()))
            continue
        if runs is not None and n not in runs:
            steps.append(PlanStep(StepKind.HOLD, None, (), len(n.out_avals), ()))
            continue
        wiring = []
        mask = []
        for e in n.edges:
            if e is None:
                mask.append(False)
                continue
            mask.append(True)
            j = index.get(e[0])
            if j is not None:
                wiring.append(wire((True, j, e[1])))
            elif export:
                wiring.append(wire((False, len(exports), 0)))
                exports.append(e)
            else:
                wiring.append(_DROPPED)
        steps.append(plan_step((StepKind.RUN, n.fn, tuple(mask), len(n.out_avals),
                                tuple(wiring))))
    plan = Plan(tuple(steps), _wires(index, roots), _wires(index, captures), len(exports))
    return plan, exports


# Records built per node on every backward: made by C calls (a NamedTuple's own ``__new__`` is a
# Python function, and a 1000-node graph builds two thousand of them per call).
_NEW_WIRE = partial(tuple.__new__, Wire)
_NEW_STEP = partial(tuple.__new__, PlanStep)
_DROPPED = Wire(False, -1, 0)  # an edge to a node pruned away: leads to no wanted gradient


def _wires(index: dict, edges: Sequence[tuple]) -> tuple[Wire, ...]:
    return tuple(Wire(True, index[n], nr) if n in index else Wire(False, -1, nr)
                 for n, nr in edges)


def seed(plan: Plan, root_grads: Sequence) -> list:
    """Empty gradient slots for the plan's steps, with the root gradients added in."""
    slots: list = [None] * len(plan.steps)
    for wire, g in zip(plan.roots, root_grads, strict=True):
        if wire.inside:
            add_gradient(slots, plan, wire, g)
    return slots


def interpret(plan: Plan, slots: list, kernel: Kernel,
              around: Callable | None = None) -> tuple[list, list]:
    """Run the plan backwards over ``slots`` (step -> its gradient slots, or None when no
    gradient reached it); return (gradients leaving the plan by export number, captured
    gradients in ``plan.captures`` order). ``around(i, visit, *args)``, when given, wraps each
    visited step (anomaly mode's report)."""
    captured: list = [None] * len(plan.captures)
    captures_at: dict[int, list] = {}
    for k, wire in enumerate(plan.captures):
        if wire.inside:
            captures_at.setdefault(wire.index, []).append((k, wire.output_nr))
    exports: list = [None] * plan.n_exports
    for i in range(len(plan.steps)):
        grads = slots[i]
        if grads is None:
            continue
        slots[i] = None
        if around is None:
            _visit(plan, i, grads, slots, kernel, captures_at.get(i), captured, exports)
        else:
            around(i, _visit, plan, i, grads, slots, kernel, captures_at.get(i), captured,
                   exports)
    return exports, captured


def _visit(plan: Plan, i: int, grads: list, slots: list, kernel: Kernel, captures: list | None,
           captured: list, exports: list) -> None:
    """One step, in torch's order: hooks on the gradients that reached it, captures, then
    accumulation (a leaf) or the node's backward and sending its input gradients on."""
    grads = kernel.receive(i, grads)
    if captures:
        for k, nr in captures:
            captured[k] = grads[nr]
    step = plan.steps[i]
    if step.kind is StepKind.ACCUMULATE:
        kernel.accumulate(i, grads)
        return
    if step.kind is StepKind.HOLD:
        kernel.hold(i, grads)
        return
    in_grads = kernel.backward(i, grads)
    if in_grads is None:
        return
    for wire, g in zip(step.wiring, in_grads, strict=True):
        if g is None:  # no gradient for this input (or a node post-hook dropped it)
            if wire.inside and slots[wire.index] is None and kernel.runs_undefined(wire.index):
                slots[wire.index] = [None] * plan.steps[wire.index].n_outputs
            continue
        if wire.inside:
            add_gradient(slots, plan, wire, g)
        elif wire.index >= 0:
            k = wire.index
            exports[k] = g if exports[k] is None else exports[k] + g


def add_gradient(slots: list, plan: Plan, wire: Wire, g: Any) -> None:
    """Sum gradient ``g`` (array, tracer, or Tensor under create_graph) into its slot."""
    slot = slots[wire.index]
    if slot is None:
        slot = slots[wire.index] = [None] * plan.steps[wire.index].n_outputs
    nr = wire.output_nr
    slot[nr] = g if slot[nr] is None else slot[nr] + g
