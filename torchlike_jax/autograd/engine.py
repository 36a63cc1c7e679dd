"""The autograd engine: runs a recorded graph backwards with ``jax.vjp``.

Every backward builds the graph's :class:`~.backward_plan.Plan` (its nodes in topological order,
pruned to the wanted gradients) and runs it with the one interpreter of ``backward_plan``. The
:class:`~.backward_policy.BackwardPolicy` picks the route per call:

* **per node** — the plan interpreted with the eager kernel: for each node a cached ``jax.jit``
  of ``vjp(node.fn)``, shared by every graph, so a graph seen for the first time pays only small
  per-op compiles that every later graph reuses (the 1000-step ``x = x + 1`` chain compiles one
  ``add`` vjp). Graphs with Python hooks, ``retain_grad``, custom Functions, anomaly mode or
  ``create_graph=True`` always take it: Python must see (and may replace) intermediate
  gradients, or the gradient computation is itself recorded as new nodes (nested ``jax.vjp``).
* **segments** (plain ``backward()``) — the plan cut into bounded segments, each keyed by its own
  structure and, once it has paid for a compile, run as one XLA program: the same interpreter
  traced under ``jax.jit`` with the traced kernel (each node's pure vjp).
* **whole graph** (``grad``, ``backward(inputs=)``) — the whole plan as one such program.

A compiled program takes the arrays the nodes saved as arguments (never baked-in constants) and
closes over node functions and wiring only; the caches hold only those and shape/dtype tuples —
never arrays or tensors — so a graph dies as soon as the user drops it.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from functools import partial

import jax
import jax.numpy as jnp

from .. import _caches
from ..core import anomaly_mode, grad_mode
from ..core import forward_ad as _fw
from ..core.graph import AccumulateGrad, Node, edge_of, node_class
from ..core.tensor import Tensor
from ..core.tensor_access import array_of, set_array, storage_of
from .backward_plan import Plan, StepKind, build, interpret, seed
from .backward_policy import BackwardPolicy, Route
from .vjp_dependencies import output_dependencies

#: when to compile a backward (ski rental, background, segments): see backward_policy.py
policy = BackwardPolicy()

_vjp_cache = _caches.cache("node_vjp")
_bwd_cache = _caches.cache("node_backward")  # (fn, mask) -> (create_graph backward fn, its jit)
_fwd_cache = _caches.cache("node_forward")
_acc_lock = threading.Lock()  # accumulation into a shared leaf's .grad is read-modify-write

_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")

_DETACHED = ("Trying to use a saved tensor that has been detached in-place, i.e. with .detach_()."
             "This is not supported, please use out-of-place `.detach()` instead")


# ---- graph discovery --------------------------------------------------------------------------
def _topo_order(roots: list[Node]) -> list[Node]:
    """Nodes reachable from ``roots``, each before every node it feeds (iterative Kahn)."""
    deps: dict[Node, int] = {}
    stack = list(dict.fromkeys(roots))  # a node listed twice counts once
    seen = set(roots)
    while stack:
        n = stack.pop()
        for e in n.edges:
            if e is not None:
                m = e[0]
                deps[m] = deps.get(m, 0) + 1
                if m not in seen:
                    seen.add(m)
                    stack.append(m)
    ready = [r for r in dict.fromkeys(roots) if deps.get(r, 0) == 0]
    order = []
    while ready:
        n = ready.pop()
        order.append(n)
        for e in n.edges:
            if e is not None:
                m = e[0]
                deps[m] -= 1
                if deps[m] == 0:
                    ready.append(m)
    return order


def _check_saved(node: Node) -> None:
    if node.freed:
        raise RuntimeError(_FREED)
    for st_ref, version, tensor_ref, is_output, nonleaf in node.saved:
        st = st_ref()
        if st is None:  # nothing can modify a storage nobody holds any more
            continue
        tensor = tensor_ref() if tensor_ref is not None else None
        if nonleaf and tensor is not None and tensor._grad_fn is None:
            raise RuntimeError(_DETACHED)
        if st.version != version:
            shape = list(st.array.shape)
            from .._dtypes import legacy_name
            from ..core.dispatch import _dtype_of

            what = f"[torch.{legacy_name(_dtype_of(st.array))}Tensor {shape}]"
            if is_output:
                what += f", which is output 0 of {_short(node.name())},"
            elif tensor is not None and tensor._grad_fn is not None:
                producer = _short(tensor._grad_fn.name())
                what += f", which is output {tensor._output_nr} of {producer},"
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {what} is at version {st.version}; expected version "
                f"{version} instead. Hint: enable anomaly detection to find the operation that "
                "failed to compute its gradient, with "
                "torch.autograd.set_detect_anomaly(True, check_nan=False).")


def _short(name: str) -> str:
    """torch's short node name in that message: ``MulBackward0`` -> ``Mul``, ``SumBackward1`` ->
    ``Sum1``."""
    return re.sub(r"Backward(\d*)$", lambda m: "" if m.group(1) == "0" else m.group(1), name)


# ---- recomputed inputs ---------------------------------------------------------------------
def _dropped(a, e) -> bool:
    return a is None and e is not None


def _materialize(nodes: list) -> dict:
    """Inputs of ``nodes`` with every dropped activation recomputed (see graph.recompute_min_bytes).

    Producers run forward once each (a cached ``jax.jit`` of their function), iteratively, so a
    long chain of recomputed activations cannot hit the recursion limit. The result lives only
    for this backward: nodes keep holding only what they held.
    """
    outs: dict = {}
    mat = {}
    for n in nodes:
        ins = n.inputs
        if ins is None or isinstance(n, AccumulateGrad):
            continue
        if any(_dropped(a, e) for a, e in zip(ins, n.edges, strict=True)):
            for a, e in zip(ins, n.edges, strict=True):
                if _dropped(a, e) and e[0] not in outs:
                    _recompute(e[0], outs)
            mat[n] = _filled(n, outs)
    return mat


def _filled(n: Node, outs: dict) -> tuple:
    return tuple(outs[e[0]][e[1]] if _dropped(a, e) else a
                 for a, e in zip(n.inputs, n.edges, strict=True))


def _recompute(p: Node, outs: dict) -> None:
    stack = [p]
    while stack:
        q = stack[-1]
        if q in outs:
            stack.pop()
            continue
        if q.inputs is None:
            raise RuntimeError(_FREED)
        missing = [e[0] for a, e in zip(q.inputs, q.edges, strict=True)
                   if _dropped(a, e) and e[0] not in outs]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        fwd = _fwd_cache.get(q.fn)
        if fwd is None:
            fwd = jax.jit(q.fn)
            _fwd_cache[q.fn] = fwd
        outs[q] = fwd(*_filled(q, outs))


# ---- per-node vjp -----------------------------------------------------------------------------
def _node_vjp(fn, mask: tuple[bool, ...]):
    """jit(vjp) of ``fn`` w.r.t. the inputs flagged in ``mask``; cached per (fn, mask)."""
    key = (fn, mask)
    hit = _vjp_cache.get(key)
    if hit is None:
        hit = jax.jit(_make_vjp(fn, mask))
        _vjp_cache[key] = hit
    return hit


def _make_vjp(fn, mask):
    """Pure ``(inputs, cotangents) -> grads of the masked inputs`` for ``fn``.

    A ``None`` cotangent (an output no gradient reached: torch's undefined grad) drops that
    output from the differentiated function, so it contributes nothing (no zeros are built) and a
    ``jax.custom_vjp`` node sees a ``SymbolicZero`` there (``ctx.set_materialize_grads(False)``).
    The None pattern is static: a jit of this function specialises on it.
    """
    idx = tuple(i for i, m in enumerate(mask) if m)

    def bwd(inputs, cots):
        keep = tuple(c is not None for c in cots)

        def restricted(*diff):
            full = list(inputs)
            for i, v in zip(idx, diff, strict=True):
                full[i] = v
            out = fn(*full)
            return out if all(keep) else tuple(o for o, k in zip(out, keep, strict=True) if k)

        _, pull = jax.vjp(restricted, *(inputs[i] for i in idx))
        return pull(tuple(c for c in cots if c is not None))

    return bwd


def _mask(node: Node) -> tuple[bool, ...]:
    """Which inputs of ``node`` are differentiable (have an edge)."""
    return tuple(e is not None for e in node.edges)


# ---- the run ----------------------------------------------------------------------------------
class _Targets:
    """Where gradients end up: leaves to accumulate into, and/or edges to capture and return
    (built by ``autograd.api``; the engine fills in ``runs`` and ``inputs``)."""

    __slots__ = ("accumulate", "capture", "only", "runs", "inputs", "kept")

    def __init__(self, accumulate: bool, capture: list | None, only: set | None) -> None:
        self.accumulate = accumulate  # run AccumulateGrad nodes (backward) or not (grad)
        self.capture = capture  # list of (node, output_nr) whose total gradient is returned
        self.only = only  # backward(inputs=...): the only AccumulateGrad nodes that accumulate
        self.runs: set | None = None  # nodes whose vjp must run (None: every node), see _prune
        self.inputs: dict = {}  # node -> its inputs with recomputed activations filled in
        self.kept: set | None = None  # nodes a gradient is wanted for (None: every node)


def run(roots: list[tuple], root_grads: list, targets: _Targets, retain_graph: bool,
        create_graph: bool) -> list:
    """Backpropagate ``root_grads`` (arrays, or tensors when ``create_graph``) from ``roots``.

    Returns the captured gradients (arrays / tensors / None) in ``targets.capture`` order.
    """
    root_nodes = [e[0] for e in roots]
    order = _topo_order(root_nodes)
    if targets.capture is not None or targets.only is not None:
        order = _prune(order, targets)
    runs = targets.runs
    anomaly = anomaly_mode._state.enabled
    for n in order:
        if not isinstance(n, AccumulateGrad) and (runs is None or n in runs):
            if anomaly:
                _with_anomaly_report(n, _check_saved, n)
            else:
                _check_saved(n)
    targets.inputs = _materialize([n for n in order if runs is None or n in runs])
    needs_python = (create_graph or anomaly or _local.per_node
                    or any(n.has_python_hooks for n in order) or _tracing(order, root_grads))
    plain = targets.capture is None and targets.only is None
    n_nodes = 0 if plain else sum(1 for n in order if not isinstance(n, AccumulateGrad))
    route = policy.route(needs_python=needs_python, plain_backward=plain, n_nodes=n_nodes)
    tasks = _local.tasks
    # what hooks may ask about this backward; the last item: its queued final callbacks
    tasks.append([next(_task_ids), order, None, []])
    try:
        with grad_mode.set_grad_enabled(create_graph):
            if route is Route.PER_NODE:
                out = _run_per_node(order, roots, root_grads, targets, create_graph,
                                    not retain_graph)
            elif route is Route.SEGMENTS:
                out = _run_segments(order, roots, root_grads, targets)
            else:
                out = _run_whole_graph(order, roots, root_grads, targets)
        callbacks = tasks[-1][3]
        k = 0
        while k < len(callbacks):  # a callback may queue more: they run too
            callbacks[k]()
            k += 1
    finally:
        tasks.pop()
    if not retain_graph:
        for n in order:
            if runs is None or n in runs:
                n.release()
    return out


class _Local(threading.local):
    per_node = False

    def __init__(self) -> None:
        # running backward calls, innermost last: [id, its nodes, their set (made on demand)]
        self.tasks: list[list] = []


_local = _Local()
_task_ids = itertools.count()


def queue_callback(callback) -> None:
    """torch's ``Variable._execution_engine.queue_callback``: run ``callback`` once the
    backward call running in this thread (the innermost) has finished its graph."""
    tasks = _local.tasks
    if not tasks:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    tasks[-1][3].append(callback)


def current_graph_task_id() -> int:
    """torch's ``_current_graph_task_id``: an id of the backward call running in this thread
    (a hook's caller), or -1 outside any backward."""
    tasks = _local.tasks
    return tasks[-1][0] if tasks else -1


def will_execute_node(node: Node) -> bool:
    """torch's ``_will_engine_execute_node``: whether the running backward reaches ``node``
    (after pruning to the wanted gradients)."""
    tasks = _local.tasks
    if not tasks:
        raise RuntimeError("_will_engine_execute_node should only be called during the backward "
                           "pass")
    task = tasks[-1]
    if task[2] is None:
        task[2] = set(task[1])
    return node in task[2]


class per_node_only:  # noqa: N801 - used like a context-manager function
    """Inside, this thread's backward calls run node by node, whatever the policy: the same
    path every time (gradcheck's reentrancy check compares two passes bit for bit, and a
    background compile finishing between them must not change the arithmetic)."""

    def __enter__(self) -> None:
        self._prev = _local.per_node
        _local.per_node = True

    def __exit__(self, *exc: object) -> None:
        _local.per_node = self._prev


def _tracing(order: list, root_grads: list) -> bool:
    """Whether this backward runs inside a JAX trace (``torch.compile``, ``torch.func``): then
    the enclosing program compiles it, and the engine's own programs must stay out of it."""
    if any(isinstance(g, jax.core.Tracer) for g in root_grads):
        return True
    for n in order:
        ins = n.inputs
        if ins:
            return any(isinstance(a, jax.core.Tracer) for a in ins)
    return False


def _prune(order: list, targets: _Targets) -> list:
    """torch's ``exec_info``: keep only the nodes on a path to a wanted gradient.

    Wanted are the captured edges (``grad`` inputs, non-leaf ``backward(inputs=...)``) and the
    accumulating leaves. A node runs its vjp only if one of its edges leads to a kept node, so
    nothing below a captured non-leaf is computed, checked or freed. Sets ``targets.runs``.
    """
    wanted = {n for n, _ in targets.capture or ()}
    kept: set = set()
    runs: set = set()
    for n in reversed(order):
        if any(e is not None and e[0] in kept for e in n.edges):
            runs.add(n)
            kept.add(n)
        elif n in wanted or _accumulates(targets, n):
            kept.add(n)
    targets.runs = runs
    targets.kept = kept
    return [n for n in order if n in kept]


def _accumulates(targets: _Targets, n: Node) -> bool:
    """Whether ``n`` is a leaf's AccumulateGrad that takes its gradient in this call."""
    return isinstance(n, AccumulateGrad) and targets.accumulate and (
        targets.only is None or n in targets.only)


# ---- the per-node path: the plan interpreted with Python at every step -------------------------
def _plan_of(order: list, roots, targets: _Targets) -> Plan:
    """The plan of a whole (pruned) graph: gradients for pruned edges go nowhere."""
    plan, _ = build(order, sinks=partial(_accumulates, targets), runs=targets.runs, roots=roots,
                    captures=targets.capture or (), export=False)
    return plan


def _run_per_node(order, roots, root_grads, targets: _Targets, create_graph: bool,
                  release: bool) -> list:
    return _interpret_per_node(_plan_of(order, roots, targets), order, root_grads, targets,
                               create_graph, release)


def _interpret_per_node(plan: Plan, order: list, root_grads, targets: _Targets,
                        create_graph: bool, release: bool = False) -> list:
    """Run ``plan`` (of ``order``) node by node; return the captured gradients. ``release``
    frees each node as soon as its backward ran (torch's order), so a hook raising midway
    leaves the nodes already run freed and the others intact."""
    policy.stats["per_node_runs"] += 1
    anomaly = anomaly_mode._state.enabled
    kernel = _EagerKernel(order, targets, create_graph, anomaly and anomaly_mode._state.check_nan,
                          release)
    around = None
    if anomaly:
        def around(i, visit, *args):
            _with_anomaly_report(order[i], visit, *args)
    _, captured = interpret(plan, seed(plan, root_grads), kernel, around)
    return captured


def _with_anomaly_report(n: Node, step, *args) -> None:
    """Run ``step`` as ``n``'s backward; if it fails, first warn with the forward traceback of
    ``n`` (torch). Nodes recorded meanwhile get ``n`` as their anomaly parent."""
    backward = anomaly_mode._backward
    prev, backward.parent = backward.parent, n
    try:
        step(*args)
    except Exception:
        anomaly_mode.print_stack(n)
        raise
    finally:
        backward.parent = prev


class _EagerKernel:
    """The per-node step, in torch's order: tensor hooks and ``retain_grad`` of a node's
    outputs (``receive``), then node pre-hooks, unpacking saved tensors, the vjp (or the
    accumulation and post-accumulate hooks of a leaf), node post-hooks and anomaly's NaN check.
    Gradients are concrete arrays, or Tensors under ``create_graph``."""

    __slots__ = ("nodes", "targets", "create_graph", "check_nan", "release")

    def __init__(self, nodes: list, targets: _Targets, create_graph: bool,
                 check_nan: bool, release: bool = False) -> None:
        self.nodes = nodes  # the plan's nodes, by step index
        self.targets = targets
        self.create_graph = create_graph
        self.check_nan = check_nan
        self.release = release  # free each node once its backward ran (no retain_graph)

    def receive(self, i: int, grads: list) -> list:
        return _apply_prehooks(self.nodes[i], grads, self.create_graph)

    def runs_undefined(self, i: int) -> bool:
        return self.nodes[i].python_backward

    def accumulate(self, i: int, grads: list) -> None:
        n, create_graph = self.nodes[i], self.create_graph
        if n.node_pre_hooks:
            grads = _run_node_prehooks(n, grads, create_graph)
        if grads[0] is not None:  # a node pre-hook may drop it
            _accumulate(n, grads[0], create_graph)
        leaf = n.variable
        if leaf._post_acc_hooks:
            for hook in list(leaf._post_acc_hooks.values()):
                out = hook(leaf)
                if out is not None:  # torch checks it as a tensor hook's result; the tensor
                    _check_hook_result(hook, leaf, out)  # itself passes as "no change"
                    if out is not leaf:
                        raise RuntimeError(
                            "Tensor post accumulate grad hooks should return None.")
        if n.post_hooks:
            _run_node_posthooks(n, [], grads, create_graph)

    def hold(self, i: int, grads: list) -> None:
        """A non-leaf ``backward(inputs=...)`` names: torch runs its node, wanting none of its
        input gradients, so its node pre-hooks run and its post-hooks see only Nones."""
        n = self.nodes[i]
        if not self.targets.accumulate or isinstance(n, AccumulateGrad):
            return
        if n.node_pre_hooks:
            grads = _run_node_prehooks(n, grads, self.create_graph)
        if n.post_hooks:
            _run_node_posthooks(n, [None] * sum(e is not None for e in n.edges), grads,
                                self.create_graph)

    def backward(self, i: int, grads: list) -> list:
        n, create_graph = self.nodes[i], self.create_graph
        if n.node_pre_hooks:
            grads = _run_node_prehooks(n, grads, create_graph)
        inputs = self.targets.inputs.get(n, n.inputs)
        if n.packed:
            inputs = _unpack(n, inputs)
        if n.python_backward:  # a custom autograd.Function: the user's backward, run as Python
            in_grads = n.fn(n, grads, create_graph)
        elif create_graph:
            in_grads = _differentiable_vjp(n, grads, inputs, self.targets.kept)
        else:
            in_grads = _node_vjp(n.fn, _mask(n))(inputs, tuple(grads))  # None stays None
        if n.post_hooks:
            in_grads = _run_node_posthooks(n, in_grads, grads, create_graph)
        if self.check_nan:
            _check_nan(n, in_grads, create_graph)
        if self.release:
            n.release()
        return in_grads


class _TracedKernel:
    """The pure step, traced under ``jax.jit``: each node's vjp, nothing else (a plan that
    needs Python never gets here). Leaf gradients are collected and returned, not accumulated:
    accumulation into ``.grad`` happens after the program, in Python."""

    __slots__ = ("plan", "inputs", "sinks")

    def __init__(self, plan: Plan, inputs: list) -> None:
        self.plan = plan
        self.inputs = inputs  # per step: the node's input arrays (None for non-RUN steps)
        self.sinks: dict[int, object] = {}

    def receive(self, i: int, grads: list) -> list:
        return grads

    def runs_undefined(self, i: int) -> bool:
        return False

    def accumulate(self, i: int, grads: list) -> None:
        self.sinks[i] = grads[0]

    def hold(self, i: int, grads: list) -> None:
        pass  # node hooks are Python: a plan with any never compiles

    def backward(self, i: int, grads: list) -> object:
        if all(g is None for g in grads):
            return None
        step = self.plan.steps[i]
        return _make_vjp(step.fn, step.mask)(self.inputs[i], tuple(grads))

    def leaf_grads(self) -> list:
        """Gradients of the accumulating leaves, in step order (None: none reached it)."""
        return [self.sinks.get(i) for i, s in enumerate(self.plan.steps)
                if s.kind is StepKind.ACCUMULATE]


def _run_traced(plan: Plan, inputs: list, slots: list) -> tuple[_TracedKernel, list, list]:
    kernel = _TracedKernel(plan, inputs)
    exports, captured = interpret(plan, slots, kernel)
    return kernel, exports, captured


# ---- Python at a node: torch's Node hooks, saved-tensor unpacking, the anomaly NaN check --------
def _as_tensor(g, create_graph: bool):

    if g is None or create_graph:
        return g
    return Tensor._wrap(jnp.asarray(g))


def _from_hook(g, create_graph: bool):
    if g is None or create_graph:
        return g
    return array_of(g)


def _hook_result(hook, out, expected: int) -> tuple | None:
    if out is None:
        return None
    if not isinstance(out, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(out).__name__}'")
    if len(out) != expected:
        name = getattr(hook, "__name__", type(hook).__name__)
        raise RuntimeError(f"hook '{name}' has returned an incorrect number of values (got "
                           f"{len(out)}, but expected {expected})")
    return out


def _output_slots(n: Node) -> tuple | None:
    """A custom Function's node: (number of forward outputs, positions of the tensor ones).
    torch's hooks see one gradient per forward output, None for a non-tensor one."""
    st = getattr(n, "state", None) if n.python_backward else None
    pos = getattr(st, "out_pos", None)
    return None if pos is None or len(pos) == st.n_out else (st.n_out, pos)


def _all_outputs(n: Node, grads: tuple) -> tuple:
    slots = _output_slots(n)
    if slots is None:
        return grads
    full: list = [None] * slots[0]
    for p, g in zip(slots[1], grads, strict=True):
        full[p] = g
    return tuple(full)


def _run_node_prehooks(n: Node, grads: list, create_graph: bool) -> list:
    """``Node.register_prehook`` hooks: ``hook(grad_outputs)``, which may replace them."""
    outs = _all_outputs(n, tuple(_as_tensor(g, create_graph) for g in grads))
    for hook in list(n.node_pre_hooks.values()):
        res = _hook_result(hook, hook(outs), len(outs))
        if res is not None:
            outs = res
    slots = _output_slots(n)
    if slots is not None:
        outs = tuple(outs[p] for p in slots[1])
    return [_from_hook(g, create_graph) for g in outs]


def _run_node_posthooks(n: Node, in_grads, grads: list, create_graph: bool) -> list:
    """``Node.register_hook`` hooks: ``hook(grad_inputs, grad_outputs)``; ``grad_inputs`` has one
    entry per input of the forward op (None where no gradient flows), as torch's."""
    idx = [i for i, e in enumerate(n.edges) if e is not None]  # an input with an edge counts
    pos = {i: k for k, i in enumerate(n.visible_inputs())}
    full: list = [None] * len(pos)
    for i, g in zip(idx, in_grads, strict=True):
        full[pos[i]] = _as_tensor(g, create_graph)
    ins = tuple(full)
    outs = _all_outputs(n, tuple(_as_tensor(g, create_graph) for g in grads))
    for hook in list(n.post_hooks.values()):
        res = _hook_result(hook, hook(ins, outs), len(ins))
        if res is not None:
            ins = res
    return [_from_hook(ins[pos[i]], create_graph) for i in idx]


def _unpack(n: Node, inputs: tuple) -> tuple:
    """Call ``unpack`` on what ``saved_tensors_hooks``' pack returned at record time; unpacked
    inputs replace the node's own arrays for this backward (see graph.saved_tensors_hooks)."""

    inputs = list(inputs)
    for i, packed, unpack in n.packed:
        t = unpack(packed)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(t).__name__}")
        if i < 0:  # a saved output: the vjp recomputes it from the inputs
            continue
        ref, arr = inputs[i], array_of(t)
        if arr.shape != ref.shape:
            raise RuntimeError(f"unpack_hook returned a tensor of shape {list(arr.shape)} for a "
                               f"saved tensor of shape {list(ref.shape)} in {n.name()}")
        inputs[i] = arr if arr.dtype == ref.dtype else arr.astype(ref.dtype)
    return tuple(inputs)


def _check_nan(n: Node, in_grads, create_graph: bool) -> None:
    """Anomaly mode's check: torch numbers a node's outputs by the forward op's inputs."""
    idx = [i for i, e in enumerate(n.edges) if e is not None]
    for i, g in zip(idx, in_grads, strict=True):
        if g is None:
            continue
        a = array_of(g) if create_graph else g
        if a.dtype.kind in "fc" and bool(jnp.isnan(a).any()):
            raise anomaly_mode.nan_error(n, i)

def _wrap(array):

    return Tensor._wrap(jnp.asarray(array))


def _apply_prehooks(n: Node, grads: list, create_graph: bool) -> list:
    """Run tensor hooks (and ``retain_grad``) registered on this node's outputs, in torch order.
    A hook on an output no gradient reached is still called, with None, when the node runs
    (torch's undefined gradient: ``x, y = a.split(2)`` with only ``y`` used)."""
    if isinstance(n, AccumulateGrad):
        hooks = n.variable._hooks
        if hooks:
            grads = [_run_hooks(hooks, grads[0], create_graph)]
        return grads
    if n.pre_hooks:
        grads = list(grads)
        for nr, hooks in n.pre_hooks.items():
            if hooks:
                grads[nr] = _run_hooks(hooks, grads[nr], create_graph)
    if n.retained:
        for nr, ref in n.retained.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                g = grads[nr]
                g = g if create_graph else _wrap(g)
                t._grad = g if t._grad is None else _wrap(array_of(t._grad) + array_of(g))
    return grads


def _run_hooks(hooks: dict, g, create_graph: bool):
    """Call each tensor hook on the gradient in turn; what one returns (checked as torch checks
    it) is what the next one sees."""
    t = g if create_graph or g is None else Tensor._wrap(jnp.asarray(g))
    for hook in list(hooks.values()):
        out = hook(t)
        if out is not None:
            _check_hook_result(hook, t, out)
            t = out
    return t if create_graph or t is None else array_of(t)


def _check_hook_result(hook, old, new) -> None:
    """torch's checks on a tensor hook's return value (``validate_outputs``' wording)."""
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    name = getattr(hook, "__name__", type(hook).__name__)
    if old is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if new.shape != old.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if new.dtype is not old.dtype:
        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{old.type()} got {new.type()})")  # legacy names: torch.FloatTensor


def _accumulate(acc: AccumulateGrad, g, create_graph: bool) -> None:
    """torch's AccumulateGrad: first gradient is stored, later ones are added *in place*."""

    leaf = acc.variable
    if not leaf._requires_grad:  # detach_()ed after the graph was built: torch skips it
        return
    if create_graph:
        gt = g if isinstance(g, Tensor) else Tensor._wrap(g)
        with _acc_lock:
            if leaf._grad is None:
                want = leaf._effective_grad_dtype()
                leaf._grad = gt if want is None or gt.dtype is want else gt.to(want)
            else:
                leaf._grad = leaf._grad + gt
        return
    cur = leaf._grad
    if cur is not None:  # accumulation is in place: the existing gradient keeps its dtype
        dtype = array_of(cur).dtype
    else:  # the leaf's grad_dtype: its own dtype unless set (None keeps what arrives)
        want = leaf._effective_grad_dtype()
        dtype = g.dtype if want is None else want.np
    # jnp.asarray costs ~80 µs even on an array that needs nothing: only convert when needed
    arr = g if isinstance(g, jax.Array) and g.dtype == dtype else jnp.asarray(g, dtype)
    with _acc_lock:  # concurrent backward calls into one leaf: no update may be lost
        cur = leaf._grad
        if cur is None:
            leaf._grad = Tensor._wrap(arr)
        else:
            set_array(cur, array_of(cur) + arr)
            storage_of(cur).version += 1


# ---- create_graph: the backward of a node, recorded as a node ---------------------------------
def _differentiable_vjp(n: Node, grads: list, inputs: tuple, kept: set | None = None) -> list:
    """Gradients of ``n``'s inputs as Tensors whose own ``grad_fn`` is this vjp (nested vjp).

    Only the gradients this backward wants (edges into ``kept``) are computed, as torch's
    formulas compute only the needed outputs: the recorded graph then reads only what those
    gradients use (``grad(x * a, x, create_graph=True)`` does not depend on ``x``)."""

    full = _mask(n)
    mask = full if kept is None else tuple(m and n.edges[j][0] in kept
                                           for j, m in enumerate(full))
    if mask != full:
        got = iter(_differentiable_vjp_masked(n, grads, inputs, mask)) if any(mask) else None
        return [next(got) if m else None for m, f in zip(mask, full, strict=True) if f]
    return _differentiable_vjp_masked(n, grads, inputs, mask)


def _differentiable_vjp_masked(n: Node, grads: list, inputs: tuple, mask: tuple) -> list:
    cots = list(grads)  # None stays None (an argument of no gradient): see _make_vjp
    backward_fn, jitted = _backward_fn(n.fn, mask)
    arrays = tuple(inputs) + tuple(None if c is None else array_of(c) for c in cots)
    outs = jitted(*arrays)
    edges = tuple(n.edges) + tuple(None if c is None else edge_of(c) for c in cots)
    results = [Tensor._wrap(o) for o in outs]
    if any(e is not None for e in edges):
        # torch: a gradient that uses no input with a graph is a constant (no grad_fn)
        deps = output_dependencies(backward_fn, (n.fn, mask), arrays)
        live = [array_of(r).dtype.kind in "fcV" and (
                    deps is None or any(edges[j] is not None for j in deps[i]))
                for i, r in enumerate(results)]
        if any(live):
            if deps is not None:  # an input no live gradient reads is not reached (torch: None)
                used = frozenset().union(*(deps[i] for i, v in enumerate(live) if v))
                edges = tuple(e if j in used else None for j, e in enumerate(edges))
            avals = tuple((o.shape, o.dtype) for o in outs)
            node = node_class(type(n).__name__ + "Backward")(backward_fn, arrays, edges, avals)
            if anomaly_mode._state.enabled:
                anomaly_mode.store_stack(node)
            for i, r in enumerate(results):
                if live[i]:
                    r._grad_fn, r._output_nr, r._requires_grad = node, i, True
    if _fw.tangents:  # forward-over-reverse (a Hessian-vector product through forward AD)
        _fw.propagate_backward(n, backward_fn, arrays, cots, results)
    return results


def _backward_fn(fn, mask: tuple[bool, ...]):
    """(``(*inputs, *cotangents) -> input grads`` for ``fn``, its jit), cached per (fn, mask).

    One function object per op keeps double-backward graphs structurally stable: repeated
    ``create_graph`` steps reuse the compiled code and every cache stays bounded.
    """
    key = (fn, mask)
    hit = _bwd_cache.get(key)
    if hit is None:
        bwd = _make_vjp(fn, mask)
        n_in = len(mask)

        def backward_fn(*arrays):
            return tuple(bwd(arrays[:n_in], arrays[n_in:]))

        hit = (backward_fn, jax.jit(backward_fn))
        _bwd_cache[key] = hit
    return hit


# ---- the compiled paths: whole graphs and segments, under the ski-rental policy ---------------
_SCALAR_TYPES = (float, int, complex)


def _aval(a):
    """What the compiled backward specialises on for one node input."""
    if a is None:
        return None
    t = type(a)
    return t if t in _SCALAR_TYPES else (a.shape, a.dtype)


def _step_inputs(plan: Plan, nodes: list, targets: _Targets) -> tuple[list, tuple]:
    """Per step, the arrays its vjp runs on (recomputed activations filled in; None where the
    step runs no vjp), and the shapes/dtypes a compiled plan specialises on (those inputs', and
    each leaf's gradient's)."""
    inputs = []
    avals = []
    recomputed = targets.inputs
    for n, s in zip(nodes, plan.steps, strict=True):
        if s.kind is StepKind.RUN:
            ins = recomputed.get(n, n.inputs)
            inputs.append(ins)
            avals.append(tuple(_aval(a) for a in ins))
        else:
            inputs.append(None)
            avals.append(n.out_avals[0][:2] if isinstance(n, AccumulateGrad) else None)
    return inputs, tuple(avals)


def _run_whole_graph(order, roots, root_grads, targets: _Targets) -> list:
    """``grad`` / ``backward(inputs=)``: the pruned graph as one program once its structure
    has paid for one (per node until then)."""
    plan = _plan_of(order, roots, targets)
    inputs, avals = _step_inputs(plan, order, targets)
    entry = policy.sighting(Route.WHOLE_GRAPH, (plan, avals))
    policy.maybe_compile(entry, lambda: _whole_graph_program(plan),
                         (inputs, list(root_grads)), len(order))
    program = entry.ready()
    if program is None:
        start = time.perf_counter()
        out = _interpret_per_node(plan, order, root_grads, targets, False)
        entry.spent += time.perf_counter() - start
        return out
    policy.stats["fused_runs"] += 1
    leaf_grads, captured = program(inputs, list(root_grads))
    leaves = [n for n, s in zip(order, plan.steps, strict=True)
              if s.kind is StepKind.ACCUMULATE]
    for leaf, g in zip(leaves, leaf_grads, strict=True):
        if g is not None:
            _accumulate(leaf, g, False)
    return list(captured)


def _whole_graph_program(plan: Plan):
    """A pure function (step inputs, root grads) -> (leaf grads, captured grads): the plan,
    interpreted with the traced kernel. It closes over the plan only (node functions and
    wiring, both in the cache key); every array arrives as an argument."""

    def run_graph(inputs, root_grads):
        kernel, _, captured = _run_traced(plan, inputs, seed(plan, root_grads))
        return kernel.leaf_grads(), captured

    return run_graph


def _run_segments(order, roots, root_grads, targets: _Targets) -> list:
    """Plain ``backward()``: the graph's nodes, in order, cut into segments of at most
    ``policy.segment_nodes`` nodes. Each segment is compiled or not on its own (ski rental over
    the time spent on its structure, wherever it occurs), so a graph made of one repeated layer
    compiles one small program, and a small graph is one segment: the whole graph. The leaves
    accumulate last, by the same interpreter over a plan of the leaves alone."""
    waiting: dict = {}  # node -> gradient slots, from the roots and from earlier segments
    for (node, nr), g in zip(roots, root_grads, strict=True):
        _pass_on(waiting, node, nr, g)
    nodes = [n for n in order if not isinstance(n, AccumulateGrad)]
    size = policy.segment_nodes
    fused = False
    for lo in range(0, len(nodes), size):
        fused |= _run_segment(nodes[lo:lo + size], waiting, targets)
    policy.stats["fused_runs" if fused else "per_node_runs"] += 1
    leaves = [n for n in order if isinstance(n, AccumulateGrad)]
    plan, _ = build(leaves, sinks=partial(_accumulates, targets))
    interpret(plan, [waiting.pop(n, None) for n in leaves],
              _EagerKernel(leaves, targets, False, False))
    return []


def _pass_on(waiting: dict, node: Node, nr: int, g) -> None:
    """Add gradient ``g`` into output ``nr`` of ``node``, which a later segment (or the leaves'
    plan) takes as its incoming gradients."""
    slot = waiting.get(node)
    if slot is None:
        slot = waiting[node] = [None] * len(node.out_avals)
    slot[nr] = g if slot[nr] is None else slot[nr] + g


def _run_segment(seg: list, waiting: dict, targets: _Targets) -> bool:
    """Run one segment on the gradients ``waiting`` for its nodes, and leave there what it
    sends out of the segment; True when it ran compiled."""
    plan, exports = build(seg, sinks=partial(_accumulates, targets))
    incoming = [waiting.pop(n, None) for n in seg]
    inputs, avals = _step_inputs(plan, seg, targets)
    pattern = tuple(None if inc is None else tuple(g is not None for g in inc)
                    for inc in incoming)
    entry = policy.sighting(Route.SEGMENTS, (plan, avals, pattern))
    policy.maybe_compile(entry, lambda: _segment_program(plan), (inputs, incoming), len(seg))
    program = entry.ready()
    if program is not None:
        out = program(inputs, incoming)
        fused = True
    else:
        start = time.perf_counter()
        out, _ = interpret(plan, incoming, _EagerKernel(seg, targets, False, False))
        entry.spent += time.perf_counter() - start
        fused = False
    for (m, nr), g in zip(exports, out, strict=True):
        if g is not None:
            _pass_on(waiting, m, nr, g)
    return fused


def _segment_program(plan: Plan):
    """A pure function (step inputs, incoming gradient slots) -> exported gradients for one
    segment: the plan, interpreted with the traced kernel. Closes over the plan only."""

    def run_segment(inputs, incoming):
        slots = [None if inc is None else list(inc) for inc in incoming]
        _, exports, _ = _run_traced(plan, inputs, slots)
        return exports

    return run_segment


def wait_for_compiles(timeout: float | None = None) -> None:
    """Block until the background compiles started so far are done (tests, benchmarks)."""
    policy.wait(timeout)


def clear_caches() -> None:
    """Drop every compiled backward (tests use it to measure first-seen costs)."""
    policy.clear_structures()
    _vjp_cache.clear()
    _bwd_cache.clear()
    _fwd_cache.clear()
