"""The recorded graph: nodes (``grad_fn`` objects), ``AccumulateGrad`` for leaves, and edges.

A node is a pure JAX function of its input arrays plus the arrays it was called with. Backward
does not need hand-written derivative formulas: the engine differentiates ``node.fn`` with
``jax.vjp`` (per node, or fused over the whole graph). Each node also keeps an *edge* per input:
``(producer_node, output_nr)`` or ``None`` for inputs that need no gradient, which is exactly
torch's ``next_functions``.

Why class-per-name: scripts print ``y.grad_fn`` and check ``type(y.grad_fn).__name__``, so each
torch name (``MulBackward0`` ...) gets its own small subclass, created once and cached.

Nothing here keeps a graph alive on its own: leaves point to their ``AccumulateGrad`` weakly,
nodes never point to their output tensors except through weak references (``retain_grad``).
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

_seq = itertools.count()


class SavedRef(NamedTuple):
    """One tensor a node saved, as torch's "modified by an inplace operation" check sees it:
    the storage it lived in, that storage's version when saved, and the tensor (None for the
    node's own output, which torch names differently in the error)."""

    storage: weakref.ref
    version: int
    tensor: weakref.ref | None
    is_output: bool
    #: the tensor had a grad_fn when saved: losing it (``detach_()``) makes it unusable
    nonleaf: bool = False

#: Inputs at least this large that another node produced are not kept by the consuming node:
#: backward recomputes them from the producer's inputs (inside the fused vjp, or by a cached
#: jitted forward on the per-node path). This is what keeps a grad-mode forward's memory close
#: to a no_grad forward's. ``None`` keeps every input.
recompute_min_bytes: int | None = 1 << 20


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook (idempotent)."""

    __slots__ = ("_hooks", "_key")
    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self._key = next(self._ids)

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _add_hook(hooks: dict, hook: Callable) -> RemovableHandle:
    handle = RemovableHandle(hooks)
    hooks[handle._key] = hook
    return handle


#: nodes torch implements in C++, whose ``name()`` carries the C++ namespace
_CPP_NODES = frozenset(("AccumulateGrad", "CopySlices", "GraphRoot", "Error", "DelayedError"))
_CPP_NAMESPACE = "torch::autograd::"


class Node:
    """Base of every ``grad_fn``. Subclasses only differ by their (torch) class name.

    Attributes (all private; torch exposes ``next_functions``, ``name()``, hooks, ``metadata``):
      fn          pure JAX function ``fn(*inputs) -> tuple of outputs``
      inputs      arrays ``fn`` was called with (None once freed); an entry is None where the
                  input came from another node and is recomputed at backward (its edge is set)
      edges       per input: ``(node, output_nr)`` or None
      out_avals   per output: (shape, numpy dtype) — zero cotangents for unused outputs
      saved       per saved tensor: (weakref(storage), version at save, weakref(tensor) or None,
                  is_output) for the in-place check; weak so a node never pins an activation
      saves       whether torch would save tensors for this op (then backward frees them)
      pre_hooks   output_nr -> {key: hook} registered through ``Tensor.register_hook``
      retained    output_nr -> weakref of a tensor that called ``retain_grad()``
      node_pre_hooks  {key: hook(grad_outputs)} from ``register_prehook`` (torch's public form)
      post_hooks  {key: hook(grad_inputs, grad_outputs)} from ``register_hook``
      n_rt        how many trailing inputs are Python scalars passed at run time (an op's float
                  argument, an index): inputs of ``fn`` with no edge, hidden from torch's view
      packed      per tensor saved under ``saved_tensors_hooks``: (input index, or -1 for the
                  output; what ``pack`` returned; ``unpack``), see :class:`saved_tensors_hooks`
      hidden      inputs torch does not count as inputs of the node (a Python number given to a
                  Scalar argument, a boolean mask): no edge, left out of ``next_functions`` and
                  of the node's hooks and direct calls; None when every input counts
    """

    __slots__ = ("fn", "inputs", "edges", "out_avals", "saved", "saves", "freed", "pre_hooks",
                 "retained", "seq", "_metadata", "node_pre_hooks", "post_hooks", "packed",
                 "n_rt", "hidden", "__weakref__")

    #: True for nodes whose backward is user Python (:class:`PythonNode`)
    python_backward = False

    def __init__(self, fn: Callable, inputs: tuple, edges: tuple, out_avals: tuple,
                 saves: bool = False, saved: tuple = ()) -> None:
        self.fn = fn
        self.inputs = inputs
        self.edges = edges
        self.out_avals = out_avals
        self.saves = saves
        self.saved = saved
        self.freed = False
        self.pre_hooks: dict[int, dict] | None = None
        self.retained: dict[int, Any] | None = None
        self.seq = next(_seq)
        self._metadata: dict | None = None
        self.node_pre_hooks: dict | None = None
        self.post_hooks: dict | None = None
        self.packed: tuple | None = None
        self.n_rt = 0  # trailing inputs that are runtime Python scalars (no edge, not shown)
        self.hidden: frozenset | None = None

    def name(self) -> str:
        """torch's name: the class name, namespaced for the nodes torch writes in C++."""
        cls = type(self).__name__
        return _CPP_NAMESPACE + cls if cls in _CPP_NODES else cls

    def visible_inputs(self) -> list[int]:
        """Indices of the inputs torch counts (one ``next_functions`` entry each)."""
        n = len(self.edges) - self.n_rt
        hidden = self.hidden
        return list(range(n)) if hidden is None else [i for i in range(n) if i not in hidden]

    @property
    def next_functions(self) -> tuple:
        edges = self.edges
        return tuple((edges[i][0], edges[i][1]) if edges[i] is not None else (None, 0)
                     for i in self.visible_inputs())

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def _register_tensor_hook(self, hook: Callable, output_nr: int) -> RemovableHandle:
        """``Tensor.register_hook`` on output ``output_nr``: ``hook(grad) -> grad or None``."""
        if self.pre_hooks is None:
            self.pre_hooks = {}
        return _add_hook(self.pre_hooks.setdefault(output_nr, {}), hook)

    def register_prehook(self, hook: Callable) -> RemovableHandle:
        """torch's ``Node.register_prehook``: ``hook(grad_outputs) -> tuple or None`` runs before
        the node's backward (after the tensor hooks and ``retain_grad`` of its outputs); a tuple
        it returns replaces ``grad_outputs``."""
        if self.node_pre_hooks is None:
            self.node_pre_hooks = {}
        return _add_hook(self.node_pre_hooks, hook)

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """torch's ``Node.register_hook``: ``hook(grad_inputs, grad_outputs) -> tuple or None``
        runs after the node's backward (for ``AccumulateGrad``: after accumulating, with
        ``grad_inputs == ()``); a tuple it returns replaces ``grad_inputs``."""
        if self.post_hooks is None:
            self.post_hooks = {}
        return _add_hook(self.post_hooks, hook)

    def retain(self, tensor: Any, output_nr: int) -> None:
        if self.retained is None:
            self.retained = {}
        self.retained[output_nr] = weakref.ref(tensor)

    @property
    def has_python_hooks(self) -> bool:
        """Whether backward must run Python at this node (so it cannot be fused)."""
        return bool(self.pre_hooks or self.retained or self.node_pre_hooks or self.post_hooks
                    or self.packed)

    def release(self) -> None:
        """Free what torch would free after a backward without ``retain_graph``."""
        if self.saves:
            self.freed = True
            self.inputs = None
            self.packed = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class AccumulateGrad(Node):
    """The sink for a leaf: adds incoming gradients into ``leaf.grad`` (in place, as torch)."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        super().__init__(None, (), (), ((tuple(variable.shape), variable._array.dtype),))
        self.variable = variable

    def release(self) -> None:  # a leaf's accumulator holds nothing to free
        pass

    @property
    def has_python_hooks(self) -> bool:
        v = self.variable
        return bool(v._hooks or v._post_acc_hooks or self.node_pre_hooks or self.post_hooks)


class PythonNode(Node):
    """A node whose backward is user Python: a custom ``autograd.Function`` (or the
    ``DelayedError`` of ``@once_differentiable``).

    The engine never differentiates ``fn`` with JAX: it calls ``fn(node, grad_outputs,
    create_graph)`` on concrete gradients (arrays, or Tensors under ``create_graph``), per node,
    under grad mode = ``create_graph``, once per backward pass that reaches the node, and sends
    on what it returns (one gradient or None per edge that is set). Graphs holding such a node
    never take the fused whole-graph path (``has_python_hooks``): user Python is never traced.
    ``inputs`` holds only the inputs' shapes/dtypes, and nothing that feeds such a node is
    recomputed (``record_node`` keeps the arrays it produced). ``state`` is what ``fn`` needs
    (the ``ctx``). After a backward without ``retain_graph`` only the saved tensors are freed
    (``state.release()``): the node is not marked freed, so a second backward runs the user's
    ``backward`` again and it is reading ``ctx.saved_tensors`` that raises, as in torch.
    """

    __slots__ = ("state",)
    python_backward = True
    has_python_hooks = True

    def __init__(self, fn: Callable, inputs: tuple, edges: tuple, out_avals: tuple,
                 saves: bool = False, saved: tuple = ()) -> None:
        super().__init__(fn, inputs, edges, out_avals, saves, saved)
        self.state = None

    def release(self) -> None:
        if self.saves and self.state is not None:
            self.saved = ()
            self.state.release()


_classes: dict[str, type] = {}
_py_classes: dict[str, type] = {}


def node_class(name: str) -> type:
    """The cached ``Node`` subclass called ``name`` (``MulBackward0``...)."""
    cls = _classes.get(name)
    if cls is None:
        cls = type(name, (Node,), {"__slots__": ()})
        _classes[name] = cls
    return cls


def python_node_class(name: str) -> type:
    """The cached :class:`PythonNode` subclass called ``name`` (``MyFnBackward``...)."""
    cls = _py_classes.get(name)
    if cls is None:
        cls = type(name, (PythonNode,), {"__slots__": ()})
        _py_classes[name] = cls
    return cls


def edge_of(t: Any) -> tuple | None:
    """The edge a tensor contributes as an input: its grad_fn, its accumulator, or None."""
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    if t._requires_grad:
        return (grad_accumulator(t), 0)
    return None


def grad_accumulator(t: Any) -> AccumulateGrad:
    """The leaf's AccumulateGrad, shared while any graph holds it (torch keeps it weakly too)."""
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc


# ---- saved tensors hooks ------------------------------------------------------------------------
class _SavedHooksState(threading.local):
    """Per-thread (as in torch) stack of (pack, unpack) pairs and the "disabled" message."""

    def __init__(self) -> None:
        self.stack: list[tuple[Callable, Callable]] = []
        self.disabled: str | None = None


_saved_hooks = _SavedHooksState()


def current_saved_hooks() -> tuple[Callable, Callable] | None:
    """The innermost (pack, unpack) pair, or None (dispatch asks only when a node saves)."""
    stack = _saved_hooks.stack
    return stack[-1] if stack else None


class saved_tensors_hooks:  # noqa: N801 - torch's name
    """``torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook)``.

    Inside the block, every tensor torch would save for backward (the inputs listed in the op's
    ``saves_inputs`` and, with ``saves_output``, its result) is passed to ``pack_hook`` when the
    node is recorded (with grad mode off, as in torch), and the node stores what it returns.
    When backward reaches the node, ``unpack_hook`` is called on each stored object and must
    return a Tensor. Differences from torch, which follow from nodes keeping immutable arrays:

    * the node still keeps its own input arrays (packing frees no memory);
    * an unpacked *input* is what the node's vjp runs on (cast to the saved dtype; a different
      shape is a RuntimeError), so ``unpack`` returning other values changes the gradient as in
      torch; an unpacked *output* is called and checked but unused: the vjp recomputes the
      output from the inputs;
    * what is packed is what torch saves: an op's ``saved_for`` rule skips an operand saved
      only for a gradient nobody needs (``a * b`` with only ``a`` requiring grad packs ``b``);
    * packed tensors are exempt from the "modified by an inplace operation" check (as in torch);
    * graphs holding packed tensors run backward per node; unpack runs when its node runs.

    Only the innermost pair applies; the state is per thread.
    """

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        if _saved_hooks.disabled is not None:
            raise RuntimeError(_saved_hooks.disabled)
        _saved_hooks.stack.append((self.pack_hook, self.unpack_hook))

    def __exit__(self, *exc: object) -> None:
        _saved_hooks.stack.pop()


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str):
    """``torch.autograd.graph.disable_saved_tensors_hooks(error_message)``: inside, entering
    :class:`saved_tensors_hooks` raises ``RuntimeError(error_message)``; so does entering this
    while saved-tensor hooks are active (torch's behaviour)."""
    if _saved_hooks.stack:
        raise RuntimeError(error_message)
    prev = _saved_hooks.disabled
    _saved_hooks.disabled = error_message
    try:
        yield
    finally:
        _saved_hooks.disabled = prev


def increment_version(tensor: Any) -> None:
    """``torch.autograd.graph.increment_version``: bump the version counter of a tensor (or of
    each tensor of an iterable) whose data was changed behind autograd's back, so a node that
    saved it raises "modified by an inplace operation" at backward. Inference tensors have no
    version counter and are skipped, as in torch."""
    tensors = (tensor,) if hasattr(tensor, "_st") else tensor
    for t in tensors:
        if not t._inference:
            t._st.version += 1
