"""``grad_fn._saved_<name>`` and ``grad_fn._raw_saved_<name>``: what a node saved, torch-named.

torch generates one attribute per value its derivative formula saves (``MulBackward0._saved_self``,
``SumBackward1._saved_dim``, ``ViewBackward0._saved_self_sym_sizes``...). Here a node keeps its
op's inputs and static parameters instead of a formula's choice, so every such attribute is
*read back* from what the node holds: the table :data:`SAVED` maps an op (and, where one op backs
several torch nodes, the node's name) to torch's attribute names and where each value lives.

A saved tensor is the live tensor when it still exists (torch hands a leaf back as the same
object), or the value the node holds (recomputed when the node dropped a large activation),
with the producer as its ``grad_fn``; a saved result is recomputed from the inputs. Reading a
saved tensor after a backward freed the graph raises torch's error; ints, tuples and sizes stay
readable. ``_raw_saved_<name>`` is a :class:`SavedTensor` whose ``register_hooks(pack, unpack)``
packs the value at once and makes the node's backward (and later reads) use ``unpack``'s result,
through the same ``Node.packed`` entries that ``saved_tensors_hooks`` fills.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from ..core import grad_mode
from ..core.dispatch import _pack_one
from ..core.graph import AccumulateGrad, Node
from ..core.params import fill_params
from ..core.strides import contiguous_strides
from ..core.tensor import Tensor
from ..core.tensor_access import set_history
from . import engine

_FREED_HOOKS = (
    "Calling register_hooks on a saved tensor after it has been freed. Saved intermediate values "
    "of the graph are freed when you call .backward() or autograd.grad(). Specify "
    "retain_graph=True if you need to backward through the graph a second time or if you need "
    "to access saved variables after calling backward.")

# where a value lives: ("in", i) saved input tensor i; ("num", i) input i as a Python number;
# ("out",) the result; ("p", j) static parameter j; ("size", i) / ("numel", i) / ("strides", i)
# of input i; ("const", v); ("call", f) f(params)
_IN0, _IN1, _OUT = ("in", 0), ("in", 1), ("out",)
_SIZES0 = ("size", 0)
_MSE_REDUCTION = {"none": 0, "mean": 1, "sum": 2}


def _mm(a: str, b: str) -> dict:
    return {a: _IN0, b: _IN1}


SAVED: dict[str, dict[str, tuple]] = {
    "mul": {"self": _IN0, "other": _IN1},
    "div": {"self": _IN0, "other": _IN1},
    "maximum": {"self": _IN0, "other": _IN1},
    "minimum": {"self": _IN0, "other": _IN1},
    "atan2": {"self": _IN0, "other": _IN1},
    "pow_scalar": {"self": _IN0, "exponent": ("num", 1)},
    "square": {"self": _IN0, "exponent": ("const", 2)},
    "pow": {"self": _IN0, "exponent": _IN1, "result": _OUT},
    "rpow": {"self": ("num", 1), "exponent": _IN0, "result": _OUT},
    **{name: {"result": _OUT} for name in ("exp", "tanh", "sigmoid", "relu", "sqrt", "rsqrt",
                                           "reciprocal")},
    **{name: {"self": _IN0} for name in ("sin", "cos", "log", "abs", "silu")},
    "add": {"alpha": ("const", 1)},
    "sub": {"alpha": ("const", 1)},
    "add_alpha": {"alpha": ("num", 2)},
    "sub_alpha": {"alpha": ("num", 2)},
    "matmul:MmBackward0": {"self": _IN0, "mat2": _IN1, "self_sym_sizes": _SIZES0,
                           "self_sym_strides": ("strides", 0), "mat2_sym_sizes": ("size", 1),
                           "mat2_sym_strides": ("strides", 1)},
    "matmul:BmmBackward0": _mm("self", "mat2"),
    "matmul:MvBackward0": _mm("self", "vec"),
    "matmul:DotBackward0": _mm("self", "tensor"),
    "addmm": {"mat1": _IN1, "mat2": ("in", 2), "mat1_sym_sizes": ("size", 1),
              "mat1_sym_strides": ("strides", 1), "mat2_sym_sizes": ("size", 2),
              "mat2_sym_strides": ("strides", 2), "beta": ("p", 0), "alpha": ("p", 1)},
    "sum:SumBackward0": {"self_sym_sizes": _SIZES0},
    "sum:SumBackward1": {"dim": ("p", 0), "keepdim": ("p", 1), "self_sym_sizes": _SIZES0},
    "mean:MeanBackward0": {"self_sym_sizes": _SIZES0, "self_sym_numel": ("numel", 0)},
    "mean:MeanBackward1": {"dim": ("p", 0), "keepdim": ("p", 1), "self_sym_sizes": _SIZES0,
                           "self_sym_numel": ("numel", 0)},
    "reshape": {"self_sym_sizes": _SIZES0},
    "expand": {"self_sym_sizes": _SIZES0},
    "transpose": {"dim0": ("p", 0), "dim1": ("p", 1)},
    "permute": {"dims": ("p", 0)},
    "unsqueeze": {"dim": ("p", 0)},
    "squeeze:SqueezeBackward0": {"self_sym_sizes": _SIZES0},
    "squeeze:SqueezeBackward1": {"dim": ("call", lambda ps: ps[0][0]), "self_sym_sizes": _SIZES0},
    "squeeze:SqueezeBackward2": {"dim": ("p", 0), "self_sym_sizes": _SIZES0},
    "cat": {"dim": ("p", 0)},
    "stack": {"dim": ("p", 0)},
    "softmax": {"dim": ("p", 0), "result": _OUT},
    "log_softmax": {"dim": ("p", 0), "result": _OUT},
    "clamp": {"self": _IN0, "min": ("num", 1), "max": ("num", 2)},
    "index_select": {"dim": ("p", 0), "index": _IN1, "self_sym_sizes": _SIZES0},
    "gather": {"dim": ("p", 0), "index": _IN1, "self": _IN0, "sparse_grad": ("const", False)},
    "prod:ProdBackward0": {"self": _IN0, "result": _OUT},
    "var": {"dim": ("p", 0), "correction": ("p", 1), "keepdim": ("p", 2), "self": _IN0},
    "slice": {"dim": ("p", 0), "start": ("p", 1), "end": ("p", 2), "step": ("p", 3),
              "self_sym_sizes": _SIZES0},
    "select": {"dim": ("p", 0), "index": ("p", 1), "self_sym_sizes": _SIZES0},
    "where": {"condition": _IN0},
    "leaky_relu": {"self": _IN0, "negative_slope": ("p", 0)},
    "gelu": {"self": _IN0, "approximate": ("p", 0)},
    "amax": {"dim": ("p", 0), "keepdim": ("p", 1), "self": _IN0, "result": _OUT},
    "amin": {"dim": ("p", 0), "keepdim": ("p", 1), "self": _IN0, "result": _OUT},
    "logsumexp": {"dim": ("p", 0), "keepdim": ("p", 1), "self": _IN0, "result": _OUT},
    "max_dim": {"dim": ("p", 0), "keepdim": ("p", 1), "self_sym_sizes": _SIZES0,
                "indices": ("out", 1)},
    "min_dim": {"dim": ("p", 0), "keepdim": ("p", 1), "self_sym_sizes": _SIZES0,
                "indices": ("out", 1)},
    "torch_norm": {"ord": ("p", 0), "dim": ("p", 1), "keepdim": ("p", 2), "self": _IN0,
                   "result": _OUT},
    "min_all": {"self": _IN0, "result": _OUT},
    "max_all": {"self": _IN0, "result": _OUT},
    "cumsum": {"dim": ("p", 0)},
    "repeat": {"repeats": ("p", 0), "self_sym_sizes": _SIZES0},
    "flip": {"dims": ("p", 0)},
    "roll": {"shifts": ("p", 0), "dims": ("p", 1)},
    "mse_loss": {"self": _IN0, "target": _IN1,
                 "reduction": ("call", lambda ps: _MSE_REDUCTION[ps[0]])},
}


def _spec_table(node: Node) -> dict | None:
    op = getattr(node.fn, "op", None)
    if op is None:
        return None
    name = op.name
    if name == "getitem":
        return _getitem_table(node)
    if name.startswith("unbind["):
        return {"dim": ("p", 0)}
    if name.startswith("split["):
        return {"dim": ("p", 0), "split_size": ("call", lambda ps: ps[1][0][1] - ps[1][0][0]),
                "self_sym_sizes": _SIZES0}
    return SAVED.get(f"{name}:{node.name()}") or SAVED.get(name)


_FULL = ("slice", None, None, None)


def _getitem_table(node: Node) -> dict | None:
    """Basic indexing that selects along one dimension (``x[2]``, ``x[:, 1]``) is torch's one
    ``SelectBackward0``; other index expressions are several torch nodes in one here."""
    if node.name() != "SelectBackward0":
        return None
    entries = _params(node)[0]
    picked = [(k, e) for k, e in enumerate(entries) if e != _FULL]
    if len(picked) != 1 or isinstance(picked[0][1], tuple):
        return None
    dim, index = picked[0]
    return {"dim": ("const", dim), "index": ("const", int(index)), "self_sym_sizes": _SIZES0}


def _params(node: Node) -> tuple:
    ps = node.fn.params
    if node.n_rt:
        ps = fill_params(ps, iter(node.inputs[-node.n_rt:]))
    return ps


def _input_shape(node: Node, i: int) -> tuple:
    a = node.inputs[i] if node.inputs is not None else None
    if a is not None:
        return tuple(a.shape)
    edge = node.edges[i]
    return tuple(edge[0].out_avals[edge[1]][0])


def _is_saved(node: Node, i: int) -> bool:
    """Whether torch saved input ``i`` (an op's ``saved_for`` rule skips operands that only a
    gradient nobody needs would use; ``a * 2`` saves no ``self``)."""
    cond = node.fn.op.saved_for
    return not (cond is not None and i in cond and all(node.edges[j] is None for j in cond[i]))


def _packed_entry(node: Node, i: int) -> tuple | None:
    for entry in node.packed or ():
        if entry[0] == i:
            return entry
    return None


def _unpacked(entry: tuple) -> Tensor:
    t = entry[2](entry[1])
    if not isinstance(t, Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                        f"result of type {type(t).__name__}")
    return t


def _input_array(node: Node, i: int) -> Any:
    a = node.inputs[i]
    if a is None:  # a large activation the node dropped: recompute it as backward would
        a = engine._materialize([node])[node][i]
    return a


def _saved_input(node: Node, i: int) -> Tensor | None:
    """Input ``i`` as torch's unpacked saved variable (None where torch saved nothing)."""
    if not _is_saved(node, i):
        return None
    if node.freed:
        raise RuntimeError(engine._FREED)
    entry = _packed_entry(node, i)
    if entry is not None:
        t = _unpacked(entry)
        edge = node.edges[i]
        if edge is not None and not isinstance(edge[0], AccumulateGrad) \
                and t._grad_fn is not edge[0]:
            # torch gives what the unpack hook returned the saved tensor's history
            t = Tensor._alias(t)
            set_history(t, edge[0], edge[1], True)
        return t
    engine._check_saved(node)
    ref = _saved_ref(node, i)
    t = ref.tensor() if ref is not None and ref.tensor is not None else None
    if t is not None and ref.storage() is t._st:
        return t  # the live tensor, unchanged since (the version check above passed)
    value = node.inputs[i]
    edge = node.edges[i]
    if edge is not None and isinstance(edge[0], AccumulateGrad):
        leaf = edge[0].variable
        if leaf._st.array is value:
            return leaf  # torch hands a saved leaf back as the same object
    if not _is_array(value):  # a Python number: torch wrapped it as a 0-dim tensor
        return Tensor._wrap(jnp.asarray(value, jnp.float64 if isinstance(value, float) else None))
    t = Tensor._wrap(_input_array(node, i))
    if edge is not None:
        producer = None if isinstance(edge[0], AccumulateGrad) else edge[0]
        set_history(t, producer, edge[1], True)
    return t


def _is_array(value: Any) -> bool:
    return value is None or isinstance(value, (jax.Array, jax.core.Tracer))


def _saved_ref(node: Node, i: int) -> Any:
    """The node's ``SavedRef`` of input ``i`` (record_node saves them in ``saves_inputs`` order,
    skipping operands not saved and non-tensors)."""
    pos = 0
    for j in node.fn.op.saves_inputs:
        if not _is_saved(node, j) or not _is_array(node.inputs[j]):
            continue
        if pos >= len(node.saved) or node.saved[pos].is_output:
            return None
        if j == i:
            return node.saved[pos]
        pos += 1
    return None


def _saved_result(node: Node, k: int = 0) -> Tensor:
    """Output ``k`` of the node, recomputed from its inputs (the node does not keep it)."""
    if node.freed:
        raise RuntimeError(engine._FREED)
    entry = _packed_entry(node, -1) if k == 0 else None
    if entry is not None:
        return _unpacked(entry)
    engine._check_saved(node)
    if k == 0:
        for ref in node.saved:
            st = ref.storage() if ref.is_output else None
            if st is not None and st.version == ref.version and not hasattr(st, "base_st"):
                # the output is still there as saved: torch's unpacked tensor shares its data
                # and version counter
                t = Tensor._wrap(None)
                t._st = st
                set_history(t, node, 0, True)
                return t
    outs: dict = {}
    engine._recompute(node, outs)
    t = Tensor._wrap(outs[node][k])
    if k in node.fn.op.diff_outputs:
        set_history(t, node, k, True)
    return t


def _value(node: Node, spec: tuple) -> Any:
    kind = spec[0]
    if kind == "in":
        return _saved_input(node, spec[1])
    if kind == "out":
        return _saved_result(node, spec[1] if len(spec) > 1 else 0)
    if kind == "const":
        return spec[1]
    if kind == "num":
        return node.inputs[spec[1]] if node.inputs is not None else None
    if kind == "p":
        return _params(node)[spec[1]]
    if kind == "call":
        return spec[1](_params(node))
    shape = _input_shape(node, spec[1])
    if kind == "size":
        return shape
    if kind == "strides":
        return contiguous_strides(shape)
    return math.prod(shape)


class SavedTensor:
    """torch's ``torch._C._autograd.SavedTensor``: one tensor a node saved. ``register_hooks``
    runs ``pack_hook`` on it now (grad mode off) and makes every later use (the node's backward,
    ``_saved_<name>``) read ``unpack_hook(packed)`` instead."""

    __slots__ = ("_node", "_index", "_name")

    def __init__(self, node: Node, index: int, name: str) -> None:
        self._node, self._index, self._name = node, index, name

    def unpack(self) -> Tensor | None:
        return getattr(self._node, "_saved_" + self._name)

    @property
    def data(self) -> Any:
        """What is stored: the object a pack hook returned, else the saved tensor."""
        entry = _packed_entry(self._node, self._index)
        return entry[1] if entry is not None else self.unpack()

    @property
    def unpack_hook(self) -> Callable[[Any], Any] | None:
        entry = _packed_entry(self._node, self._index)
        return entry[2] if entry is not None else None

    def register_hooks(self, pack_hook: Callable[[Any], Any],
                       unpack_hook: Callable[[Any], Any]) -> None:
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError("register_hooks(): incompatible function arguments: expected two "
                            "callables (pack_hook, unpack_hook)")
        node = self._node
        if node.freed:
            raise RuntimeError(_FREED_HOOKS)
        if _packed_entry(node, self._index) is not None:
            raise RuntimeError("Calling register_hooks on a saved tensor whose hooks have already "
                               "been set. Hint: only one pair of hooks is allowed at a time.")
        value = self.unpack()
        local = grad_mode._local
        prev = local.grad_enabled
        local.grad_enabled = False
        try:
            packed = _pack_one(pack_hook, value) if isinstance(value, Tensor) else \
                pack_hook(value)
        finally:
            local.grad_enabled = prev
        node.packed = (*(node.packed or ()), (self._index, packed, unpack_hook))


def _saved_getattr(self: Node, name: str) -> Any:
    """``Node.__getattr__``: only reached for names a node does not define."""
    raw = name.startswith("_raw_saved_")
    if (raw or name.startswith("_saved_")) and not self.python_backward:
        table = _spec_table(self) if not self.python_backward else None
        key = name[11:] if raw else name[7:]
        spec = table.get(key) if table is not None else None
        if spec is not None:
            if not raw:
                return _value(self, spec)
            if spec[0] in ("in", "out"):
                index = spec[1] if spec[0] == "in" else -1
                if index >= 0 and not _is_saved(self, index):
                    return None
                return SavedTensor(self, index, key)
    elif self.python_backward and not name.startswith("__"):
        # torch's grad_fn of a custom Function IS its ctx: what forward/backward set on ctx
        # (``ctx.k = ...``, ``saved_tensors``, ``needs_input_grad``) reads through the node
        ctx = getattr(self.state, "ctx", None)
        if ctx is not None:
            try:
                return getattr(ctx, name)
            except AttributeError:
                pass
    raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


def _saved_dir(self: Node) -> list:
    names = set(object.__dir__(self))
    table = _spec_table(self) if not self.python_backward and self.fn is not None else None
    for key, spec in (table or {}).items():
        names.add("_saved_" + key)
        if spec[0] in ("in", "out"):
            names.add("_raw_saved_" + key)
    return sorted(names)


Node.__getattr__ = _saved_getattr  # attached from above, as the Tensor's op methods are
Node.__dir__ = _saved_dir
