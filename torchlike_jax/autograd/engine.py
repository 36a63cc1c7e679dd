"""The autograd engine: runs a recorded graph backwards with ``jax.vjp``.

Two ways to run the same graph, chosen per call (the *backward-cache policy*):

* **per node** — walk the graph in reverse topological order and call, for each node, a cached
  ``jax.jit`` of ``vjp(node.fn)``. One jit per distinct op (and set of differentiable inputs),
  shared by every graph, so a graph seen for the first time pays only small per-op compiles that
  every later graph reuses (the 1000-step ``x = x + 1`` chain compiles one ``add`` vjp).
* **whole graph** — the graph's *structure* (node functions, wiring, input shapes/dtypes, which
  gradients are wanted) is hashed; the second time a structure is met, one ``jax.jit`` of the
  entire backward is compiled and cached, and from then on the graph runs as ONE XLA call whose
  arguments are the arrays the nodes saved (never baked-in constants). Training loops hit this
  path from their second step on.

Graphs with Python hooks, ``retain_grad`` or ``create_graph=True`` always run per node, because
Python must see (and may replace) intermediate gradients, or because the gradient computation is
itself recorded as new graph nodes (higher-order derivatives through nested ``jax.vjp``).

The caches hold only op functions and shape/dtype tuples — never arrays or tensors — so a graph
dies as soon as the user drops it.
"""

from __future__ import annotations

import re
import threading
import time

import jax
import jax.numpy as jnp

from .. import _caches
from ..core import anomaly_mode, grad_mode
from ..core.graph import AccumulateGrad, Node, node_class
from ..core.tensor import Tensor
from .backward_policy import BackwardPolicy, CompiledEntry

#: when to compile a backward (ski rental, background, segments): see backward_policy.py
policy = BackwardPolicy()

_vjp_cache = _caches.cache("node_vjp")
_bwd_cache = _caches.cache("node_backward")  # (fn, mask) -> (create_graph backward fn, its jit)
_structures = _caches.cache("backward_structures")  # whole graphs: key -> CompiledEntry
_segments = _caches.cache("backward_segments")  # segments of plain backward: key -> CompiledEntry
_fwd_cache = _caches.cache("node_forward")
_acc_lock = threading.Lock()  # accumulation into a shared leaf's .grad is read-modify-write
stats = {"per_node_runs": 0, "fused_runs": 0, "fused_compiles": 0}

_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


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
    for st_ref, version, tensor_ref, is_output in node.saved:
        st = st_ref()
        if st is None:  # nothing can modify a storage nobody holds any more
            continue
        tensor = tensor_ref() if tensor_ref is not None else None
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

        def partial(*diff):
            full = list(inputs)
            for i, v in zip(idx, diff, strict=True):
                full[i] = v
            out = fn(*full)
            return out if all(keep) else tuple(o for o, k in zip(out, keep, strict=True) if k)

        _, pull = jax.vjp(partial, *(inputs[i] for i in idx))
        return pull(tuple(c for c in cots if c is not None))

    return bwd


def _zeros(aval):
    return jnp.zeros(aval[0], aval[1])


def _cotangents(node: Node, grads: list | None) -> tuple:
    return tuple(grads)  # None stays None: see _make_vjp


def _mask(node: Node) -> tuple[bool, ...]:
    return tuple(e is not None for e in node.edges)


# ---- the run ----------------------------------------------------------------------------------
class _Targets:
    """Where gradients end up: leaves to accumulate into, and/or edges to capture and return."""

    __slots__ = ("accumulate", "capture", "only", "runs", "inputs")

    def __init__(self, accumulate: bool, capture: list | None, only: set | None) -> None:
        self.accumulate = accumulate  # run AccumulateGrad nodes (backward) or not (grad)
        self.capture = capture  # list of (node, output_nr) whose total gradient is returned
        self.only = only  # backward(inputs=...): the only AccumulateGrad nodes that accumulate
        self.runs: set | None = None  # nodes whose vjp must run (None: every node), see _prune
        self.inputs: dict = {}  # node -> its inputs with recomputed activations filled in


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
    per_node = (create_graph or anomaly or _local.per_node
                or any(n.has_python_hooks for n in order) or _tracing(order, root_grads))
    with grad_mode.set_grad_enabled(create_graph):
        if per_node:
            out = _run_per_node(order, roots, root_grads, targets, create_graph)
        else:
            out = _run_maybe_fused(order, roots, root_grads, targets)
    if not retain_graph:
        for n in order:
            if runs is None or n in runs:
                n.release()
    return out


class _Local(threading.local):
    per_node = False


_local = _Local()


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
        elif n in wanted or _sink_id(targets, n):
            kept.add(n)
    targets.runs = runs
    return [n for n in order if n in kept]


def _sink_id(targets: _Targets, n: Node) -> bool:
    return isinstance(n, AccumulateGrad) and targets.accumulate and (
        targets.only is None or n in targets.only)


def _run_per_node(order, roots, root_grads, targets: _Targets, create_graph: bool) -> list:
    stats["per_node_runs"] += 1
    buf: dict[Node, list] = {}
    _seed(buf, roots, root_grads, create_graph)
    capture = {}
    if targets.capture:
        for k, (n, nr) in enumerate(targets.capture):
            capture.setdefault((n, nr), []).append(k)
    captured: list = [None] * len(targets.capture or ())
    anomaly = anomaly_mode._state.enabled
    for n in order:
        grads = buf.pop(n, None)
        if grads is None:
            continue
        args = (n, grads, buf, capture, captured, targets, create_graph, anomaly)
        if anomaly:
            _with_anomaly_report(n, _node_step, *args)
        else:
            _node_step(*args)
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


def _node_step(n: Node, grads: list, buf: dict, capture: dict, captured: list,
               targets: _Targets, create_graph: bool, anomaly: bool) -> None:
    """One node of the per-node path, in torch's order: tensor hooks and ``retain_grad`` of its
    outputs, captures, node pre-hooks, unpacking saved tensors, the vjp (or accumulation and the
    post-accumulate hooks), node post-hooks, anomaly's NaN check, then sending gradients on."""
    grads = _apply_prehooks(n, grads, create_graph)
    for nr, g in enumerate(grads):
        for k in capture.get((n, nr), ()):
            captured[k] = g
    if isinstance(n, AccumulateGrad):
        if _sink_id(targets, n):
            if n.node_pre_hooks:
                grads = _run_node_prehooks(n, grads, create_graph)
            if grads[0] is not None:  # a node pre-hook may drop it
                _accumulate(n, grads[0], create_graph)
            leaf = n.variable
            if leaf._post_acc_hooks:
                for hook in list(leaf._post_acc_hooks.values()):
                    if hook(leaf) is not None:
                        raise RuntimeError("Tensor post accumulate grad hooks should return None.")
            if n.post_hooks:
                _run_node_posthooks(n, [], grads, create_graph)
        return
    if targets.runs is not None and n not in targets.runs:
        return
    if n.node_pre_hooks:
        grads = _run_node_prehooks(n, grads, create_graph)
    inputs = targets.inputs.get(n, n.inputs)
    if n.packed:
        inputs = _unpack(n, inputs)
    if n.python_backward:  # a custom autograd.Function: the user's backward, run as Python
        in_grads = n.fn(n, grads, create_graph)
    elif create_graph:
        in_grads = _differentiable_vjp(n, grads, inputs)
    else:
        in_grads = _node_vjp(n.fn, _mask(n))(inputs, _cotangents(n, grads))
    if n.post_hooks:
        in_grads = _run_node_posthooks(n, in_grads, grads, create_graph)
    if anomaly and anomaly_mode._state.check_nan:
        _check_nan(n, in_grads, create_graph)
    _send(buf, n, in_grads, create_graph)


# ---- Python at a node: torch's Node hooks, saved-tensor unpacking, the anomaly NaN check --------
def _as_tensor(g, create_graph: bool):

    if g is None or create_graph:
        return g
    return Tensor._wrap(jnp.asarray(g))


def _from_hook(g, create_graph: bool):
    if g is None or create_graph:
        return g
    return g._st.array


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


def _run_node_prehooks(n: Node, grads: list, create_graph: bool) -> list:
    """``Node.register_prehook`` hooks: ``hook(grad_outputs)``, which may replace them."""
    outs = tuple(_as_tensor(g, create_graph) for g in grads)
    for hook in list(n.node_pre_hooks.values()):
        res = _hook_result(hook, hook(outs), len(outs))
        if res is not None:
            outs = res
    return [_from_hook(g, create_graph) for g in outs]


def _run_node_posthooks(n: Node, in_grads, grads: list, create_graph: bool) -> list:
    """``Node.register_hook`` hooks: ``hook(grad_inputs, grad_outputs)``; ``grad_inputs`` has one
    entry per input of the forward op (None where no gradient flows), as torch's."""
    idx = [i for i, e in enumerate(n.edges) if e is not None]
    full: list = [None] * (len(n.edges) - n.n_rt)
    for i, g in zip(idx, in_grads, strict=True):
        full[i] = _as_tensor(g, create_graph)
    ins = tuple(full)
    outs = tuple(_as_tensor(g, create_graph) for g in grads)
    for hook in list(n.post_hooks.values()):
        res = _hook_result(hook, hook(ins, outs), len(ins))
        if res is not None:
            ins = res
    return [_from_hook(ins[i], create_graph) for i in idx]


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
        ref, arr = inputs[i], t._st.array
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
        a = g._st.array if create_graph else g
        if a.dtype.kind in "fc" and bool(jnp.isnan(a).any()):
            raise anomaly_mode.nan_error(n, i)


def _add_to(buf: dict, m: Node, nr: int, g) -> None:
    """Add gradient ``g`` (array, or tensor under create_graph) into output ``nr`` of ``m``."""
    slot = buf.get(m)
    if slot is None:
        slot = buf[m] = [None] * len(m.out_avals)
    slot[nr] = g if slot[nr] is None else slot[nr] + g


def _seed(buf, roots, root_grads, create_graph):
    for (node, nr), g in zip(roots, root_grads, strict=True):
        _add_to(buf, node, nr, g)


def _send(buf, n: Node, in_grads, create_graph: bool) -> None:
    edges = [e for e in n.edges if e is not None]
    for (m, nr), g in zip(edges, in_grads, strict=True):
        if g is not None:  # None: a node post-hook dropped this gradient
            _add_to(buf, m, nr, g)


def _wrap(array):

    return Tensor._wrap(jnp.asarray(array))


def _apply_prehooks(n: Node, grads: list, create_graph: bool) -> list:
    """Run tensor hooks (and ``retain_grad``) registered on this node's outputs, in torch order."""
    if isinstance(n, AccumulateGrad):
        hooks = n.variable._hooks
        if hooks:
            grads = [_run_hooks(hooks, grads[0], create_graph)]
        return grads
    if n.pre_hooks:
        grads = list(grads)
        for nr, hooks in n.pre_hooks.items():
            if hooks and grads[nr] is not None:
                grads[nr] = _run_hooks(hooks, grads[nr], create_graph)
    if n.retained:
        for nr, ref in n.retained.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                g = grads[nr]
                g = g if create_graph else _wrap(g)
                t._grad = g if t._grad is None else _wrap(t._grad._st.array + g._st.array)
    return grads


def _run_hooks(hooks: dict, g, create_graph: bool):

    t = g if create_graph else Tensor._wrap(jnp.asarray(g))
    for hook in list(hooks.values()):
        out = hook(t)
        if out is not None:
            t = out
    return t if create_graph else t._st.array


def _accumulate(acc: AccumulateGrad, g, create_graph: bool) -> None:
    """torch's AccumulateGrad: first gradient is stored, later ones are added *in place*."""

    leaf = acc.variable
    if create_graph:
        gt = g if isinstance(g, Tensor) else Tensor._wrap(g)
        with _acc_lock:
            leaf._grad = gt if leaf._grad is None else leaf._grad + gt
        return
    dtype = leaf._st.array.dtype
    # jnp.asarray costs ~80 µs even on an array that needs nothing: only convert when needed
    arr = g if isinstance(g, jax.Array) and g.dtype == dtype else jnp.asarray(g, dtype)
    with _acc_lock:  # concurrent backward calls into one leaf: no update may be lost
        cur = leaf._grad
        if cur is None:
            leaf._grad = Tensor._wrap(arr)
        else:
            cur._st.array = cur._st.array + arr
            cur._st.version += 1


# ---- create_graph: the backward of a node, recorded as a node ---------------------------------
def _differentiable_vjp(n: Node, grads: list, inputs: tuple) -> list:
    """Gradients of ``n``'s inputs as Tensors whose own ``grad_fn`` is this vjp (nested vjp)."""

    mask = _mask(n)
    cots = list(grads)  # None stays None (an argument of no gradient): see _make_vjp
    backward_fn, jitted = _backward_fn(n.fn, mask)
    arrays = tuple(inputs) + tuple(None if c is None else c._st.array for c in cots)
    outs = jitted(*arrays)
    edges = tuple(n.edges) + tuple(None if c is None else _edge(c) for c in cots)
    results = [Tensor._wrap(o) for o in outs]
    if any(e is not None for e in edges):
        avals = tuple((o.shape, o.dtype) for o in outs)
        node = node_class(n.name() + "Backward")(backward_fn, arrays, edges, avals)
        if anomaly_mode._state.enabled:
            anomaly_mode.store_stack(node)
        for i, r in enumerate(results):
            if r._st.array.dtype.kind in "fcV":
                r._grad_fn, r._output_nr, r._requires_grad = node, i, True
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


def _edge(t):
    from ..core.graph import edge_of

    return edge_of(t)


# ---- the compiled paths: whole graphs and segments, under the ski-rental policy ---------------
def _structure(order, roots, targets: _Targets):
    """Hashable description of the graph, and the flat list of arrays it runs on."""
    index = {n: i for i, n in enumerate(order)}
    parts = []
    arrays = []
    for n in order:
        if isinstance(n, AccumulateGrad):
            parts.append(("acc", n.out_avals[0][0], n.out_avals[0][1], _sink_id(targets, n)))
            continue
        if targets.runs is not None and n not in targets.runs:
            parts.append(("capture only", len(n.out_avals)))
            continue
        ins = targets.inputs.get(n, n.inputs)
        arrays.append(ins)
        parts.append((n.fn, tuple(_aval(a) for a in ins),
                      tuple(None if e is None else (index.get(e[0], -1), e[1])
                            for e in n.edges)))
    root_part = tuple((index.get(node, -1), nr) for node, nr in roots)  # -1: pruned root
    # an input the graph never reaches (allow_unused) is captured as None: index -1
    capture = tuple((index.get(n, -1), nr) for n, nr in targets.capture or ())
    return (tuple(parts), root_part, capture), arrays


_SCALAR_TYPES = (float, int, complex)


def _aval(a):
    """What the compiled backward specialises on for one node input."""
    if a is None:
        return None
    t = type(a)
    return t if t in _SCALAR_TYPES else (a.shape, a.dtype)


def _entry(cache, key) -> CompiledEntry:
    entry = cache.get(key)
    if entry is None:
        entry = CompiledEntry()
        cache[key] = entry
    entry.sightings += 1
    return entry


def _maybe_compile(entry: CompiledEntry, make_fn, example_args: tuple, n_nodes: int) -> None:
    """Start compiling ``entry``'s structure if the policy says it has paid for itself."""
    if entry.program is not None or entry.failed:
        return
    if policy.should_compile(entry.sightings, entry.spent, n_nodes):
        try:
            entry.program = policy.compile(make_fn(), example_args, n_nodes)
        except Exception:  # e.g. an op XLA cannot compile as one program: stay per node
            entry.failed = True
            return
        stats["fused_compiles"] += 1


def _run_maybe_fused(order, roots, root_grads, targets: _Targets) -> list:
    """Plain ``backward()`` runs in segments; ``grad``/``inputs=`` graphs as one program (or per
    node when too big to compile as one)."""
    if targets.capture is None and targets.only is None:
        return _run_segments(order, roots, root_grads, targets)
    if sum(1 for n in order if not isinstance(n, AccumulateGrad)) > policy.segment_nodes:
        return _run_per_node(order, roots, root_grads, targets, False)
    key, arrays = _structure(order, roots, targets)
    entry = _entry(_structures, key)
    _maybe_compile(entry, lambda: _fused_backward(order, roots, targets),
                   (arrays, list(root_grads)), len(order))
    program = entry.ready()
    if program is None:
        start = time.perf_counter()
        out = _run_per_node(order, roots, root_grads, targets, False)
        entry.spent += time.perf_counter() - start
        return out
    stats["fused_runs"] += 1
    sinks, captured = program(arrays, list(root_grads))
    accs = [n for n in order if _sink_id(targets, n)]
    for acc, g in zip(accs, sinks, strict=True):
        if g is not None:
            _accumulate(acc, g, False)
    return list(captured)


def _fused_backward(order, roots, targets: _Targets):
    """A pure function (node inputs, root grads) -> (leaf grads, captured grads) for the graph.

    It closes over node *functions* and wiring only (both part of the cache key); every array
    arrives as an argument.
    """
    index = {n: i for i, n in enumerate(order)}
    plan = []
    for n in order:
        if isinstance(n, AccumulateGrad):
            plan.append(("acc", len(n.out_avals), _sink_id(targets, n)))
        elif targets.runs is not None and n not in targets.runs:
            plan.append(("capture only",))
        else:
            edges = [(index.get(e[0], -1), e[1]) for e in n.edges if e is not None]
            plan.append((_make_vjp(n.fn, _mask(n)), n.out_avals, edges))
    root_idx = [(index.get(node, -1), nr) for node, nr in roots]
    capture = [(index.get(n, -1), nr) for n, nr in targets.capture or ()]
    n_out = [len(n.out_avals) for n in order]

    def run_graph(arrays, root_grads):
        buf: list = [[None] * k for k in n_out]
        for (i, nr), g in zip(root_idx, root_grads, strict=True):
            if i >= 0:
                buf[i][nr] = g if buf[i][nr] is None else buf[i][nr] + g
        snap: dict = {}
        sinks = []
        it = iter(arrays)
        for i, step in enumerate(plan):
            grads = buf[i]
            for c, (ci, nr) in enumerate(capture):
                if ci == i:
                    snap[c] = grads[nr]
            if step[0] == "acc":
                if step[2]:
                    sinks.append(grads[0])
                continue
            if step[0] == "capture only":
                continue
            bwd, avals, edges = step
            inputs = next(it)
            if all(g is None for g in grads):
                continue
            for (j, nr), g in zip(edges, bwd(inputs, tuple(grads)), strict=True):
                if j >= 0:  # -1: an edge pruned away (leads to no wanted gradient)
                    buf[j][nr] = g if buf[j][nr] is None else buf[j][nr] + g
        return sinks, [snap.get(c) for c in range(len(capture))]

    return run_graph


# ---- segments: big graphs compile in bounded pieces keyed by their own structure ---------------
def _run_segments(order, roots, root_grads, targets: _Targets) -> list:
    """Plain ``backward()``: the graph's nodes, in order, cut into segments of at most
    ``policy.segment_nodes`` nodes. Each segment is compiled or not on its own (ski rental over
    the time spent on its structure, wherever it occurs), so a graph made of one repeated layer
    compiles one small program, and a small graph is one segment: the whole graph."""
    buf: dict = {}
    _seed(buf, roots, root_grads, False)
    nodes = [n for n in order if not isinstance(n, AccumulateGrad)]
    size = policy.segment_nodes
    fused = False
    for lo in range(0, len(nodes), size):
        fused |= _run_segment(nodes[lo:lo + size], buf, targets)
    stats["fused_runs" if fused else "per_node_runs"] += 1
    for n in order:
        if isinstance(n, AccumulateGrad):
            grads = buf.pop(n, None)
            if grads is not None and grads[0] is not None and _sink_id(targets, n):
                _accumulate(n, grads[0], False)
    return []


def _run_segment(seg: list, buf: dict, targets: _Targets) -> bool:
    """Run one segment on ``buf`` (node -> gradient slots); True when it ran compiled."""
    index = {n: i for i, n in enumerate(seg)}
    incoming = [buf.get(n) for n in seg]  # gradients from earlier segments (and the roots)
    inputs = [targets.inputs.get(n, n.inputs) for n in seg]
    exports: list = []  # (node, output_nr) outside the segment, per exported gradient
    parts = []
    for n, ins, inc in zip(seg, inputs, incoming, strict=True):
        wiring = []
        for e in n.edges:
            if e is None:
                wiring.append(None)
            elif e[0] in index:
                wiring.append((index[e[0]], e[1]))
            else:
                wiring.append(-1 - len(exports))
                exports.append(e)
        parts.append((n.fn, tuple(_aval(a) for a in ins), tuple(wiring),
                      None if inc is None else tuple(g is not None for g in inc)))
    key = tuple(parts)
    entry = _entry(_segments, key)
    _maybe_compile(entry, lambda: _segment_backward(seg, key, len(exports)), (inputs, incoming),
                   len(seg))
    program = entry.ready()
    if program is not None:
        out = program(inputs, incoming)
        for n in seg:
            buf.pop(n, None)
        for (m, nr), g in zip(exports, out, strict=True):
            if g is not None:
                _add_to(buf, m, nr, g)
        return True
    start = time.perf_counter()
    for n, ins in zip(seg, inputs, strict=True):
        grads = buf.pop(n, None)
        if grads is None:
            continue
        _send(buf, n, _node_vjp(n.fn, _mask(n))(ins, tuple(grads)), False)
    entry.spent += time.perf_counter() - start
    return False


def _segment_backward(seg: list, key: tuple, n_exports: int):
    """A pure function (node inputs, incoming gradient slots) -> exported gradients for one
    segment. Closes over node functions and wiring only (the key)."""
    plan = [(_make_vjp(n.fn, _mask(n)), [w for w in wiring if w is not None])
            for n, (_, _, wiring, _) in zip(seg, key, strict=True)]
    n_outs = [len(n.out_avals) for n in seg]  # the program must not keep the nodes alive

    def run_segment(inputs, incoming):
        buf: list = [None if inc is None else list(inc) for inc in incoming]
        out: list = [None] * n_exports
        for i, (bwd, wiring) in enumerate(plan):
            grads = buf[i]
            if grads is None or all(g is None for g in grads):
                continue
            for w, g in zip(wiring, bwd(inputs[i], tuple(grads)), strict=True):
                if g is None:
                    continue
                if isinstance(w, tuple):
                    j, nr = w
                    slot = buf[j]
                    if slot is None:
                        slot = buf[j] = [None] * n_outs[j]
                    slot[nr] = g if slot[nr] is None else slot[nr] + g
                else:
                    k = -1 - w
                    out[k] = g if out[k] is None else out[k] + g
        return out

    return run_segment


def wait_for_compiles(timeout: float | None = None) -> None:
    """Block until the background compiles started so far are done (tests, benchmarks)."""
    policy.wait(timeout)


def clear_caches() -> None:
    """Drop every compiled backward (tests use it to measure first-seen costs)."""
    policy.wait()
    _vjp_cache.clear()
    _bwd_cache.clear()
    _fwd_cache.clear()
    _structures.clear()
    _segments.clear()
