"""``torch.autograd.Function``: user-written forward/backward pairs, run as Python, as in torch.

A call ``MyFn.apply(*args)`` does two things:

1. **Eager forward.** The user's ``forward`` runs once, on the caller's own tensors, under
   ``no_grad`` (``setup_context`` style too), exactly as in torch: in-place updates marked with
   ``ctx.mark_dirty`` land in the caller's tensors, non-tensor arguments and outputs pass through.
2. **One node, through the ordinary record path.** If grad mode is on and a tensor argument
   requires grad, :func:`ops.dispatch.record_node` records ONE node named ``MyFnBackward``, a
   :class:`~.graph.PythonNode`: the engine calls the user's ``backward`` itself, with the same
   ``ctx``, on concrete gradient Tensors, once per backward pass that reaches the node (per node,
   never traced, never fused), under grad mode = ``create_graph``. So ``.item()``, numpy,
   printing, in-place indexing and random ops work in ``backward``; its exceptions reach the
   caller unchanged; and with ``create_graph=True`` the ops of ``backward`` record nodes of their
   own, which is torch's double backward (a custom Function called inside ``backward`` is
   differentiated through its own ``backward``). What ``backward`` returns is checked with
   torch's messages (count, shape — summed down when the input broadcasts to it — dtype cast,
   ``None`` for non-tensor inputs); a ``None`` gradient sends nothing (a leaf's ``.grad`` stays
   ``None``). Nothing is cached per call: non-tensor arguments live in the ``ctx`` only.

   Saved tensors: ``save_for_backward`` tensors are checked for in-place changes like any saved
   tensor, packed by the active ``saved_tensors_hooks`` (and unpacked on each
   ``ctx.saved_tensors`` read in ``backward``), and freed after a backward without
   ``retain_graph``. A saved *output* is kept as its storage and handed back with the node as its
   ``grad_fn`` (as torch's ``SavedVariable``), so the ctx never holds a reference cycle.
   ``@once_differentiable`` runs ``backward`` under ``no_grad`` and, when an incoming gradient
   requires grad, returns aliases whose ``grad_fn`` (``DelayedError``) raises torch's error.

**Traced calls.** When the inputs are JAX tracers — inside ``torch.compile`` tracing or a
``torch.func`` transform, where torch traces too — the node's function is instead a
``jax.custom_vjp`` of the tensor arguments (non-tensor arguments and which inputs need grad are
static parts of it, cached in a bounded LRU): its primal and ``fwd`` re-run ``forward`` on handles
around the traced arrays, with the ``ctx`` as the residual pytree, and ``bwd`` runs ``backward``
on the traced cotangents. There (only) ``backward`` runs when traced, and ``forward`` must not read
tensor values on the host.
"""

from __future__ import annotations

import functools
import inspect
import warnings
import weakref
from typing import Any

import jax
import jax.numpy as jnp
from jax.custom_derivatives import SymbolicZero

from .. import _caches
from .. import _dtypes as dtypes
from ..core import forward_ad as _fw
from ..core import grad_mode, transforms
from ..core.dispatch import record_node
from ..core.graph import AccumulateGrad, current_saved_hooks, node_class, python_node_class
from ..core.inplace import write_through
from ..core.registry import NodeSpec
from ..core.tensor import Tensor
from ..core.tensor_access import array_of, set_storage, storage_of
from ..core.views import adopt_custom_view, mark_custom_view
from . import function_jvp

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_ONCE_MSG = "trying to differentiate twice a function that was marked with @once_differentiable"
_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")
#: traced calls only (see the module docstring): static call description -> node function
#: (no arrays, no tensors), least recently used evicted first
FN_CACHE_MAX = _caches.LIMITS["function_traced"]
_fn_cache = _caches.cache("function_traced")
_TENSOR = object()  # template slot of a tensor argument
_RELEASED = object()  # ctx._tl_saved once the node's saved tensors were freed
_CLEARED = object()  # ... once read, for a Function with clear_saved_tensors_on_access = True
_ACCESSED_TWICE = ("saved_tensors can only be accessed once when "
                   "clear_saved_tensors_on_access=True is set on the autograd.Function. Either "
                   "access saved_tensors only once, or set clear_saved_tensors_on_access=False.")


# ---- ctx --------------------------------------------------------------------------------------
class FunctionCtx:
    """The ``ctx`` passed to ``forward``/``setup_context`` and ``backward``.

    Arbitrary attributes may be set on it; tensors should go through ``save_for_backward``.
    """

    _tl_saved: tuple | None = None
    _tl_dirty: tuple = ()
    _tl_non_diff: tuple = ()
    _tl_materialize: bool = True
    _tl_clear: bool = False
    needs_input_grad: tuple = ()

    def save_for_backward(self, *tensors: Any) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self._tl_saved = tensors

    def save_for_forward(self, *tensors: Any) -> None:  # read by ``jvp`` (function_jvp.py)
        self.saved_for_forward = tensors

    @property
    def _raw_saved_tensors(self) -> tuple:
        """torch's ``grad_fn._raw_saved_tensors``: one handle per ``save_for_backward`` entry,
        on which ``register_hooks`` packs that entry."""
        saved = self._tl_saved
        if saved is _RELEASED:
            raise RuntimeError(_FREED)
        return tuple(_RawSaved(self, i) for i in range(len(saved or ())))

    @property
    def saved_variables(self) -> tuple:
        """torch's old name of :attr:`saved_tensors`, deprecated."""
        warnings.warn("'saved_variables' is deprecated; use 'saved_tensors'", DeprecationWarning,
                      stacklevel=2)
        return self.saved_tensors

    @property
    def saved_tensors(self) -> tuple:
        saved = self._tl_saved
        if saved is _RELEASED:
            raise RuntimeError(_FREED)
        if self._tl_clear:  # the Function's clear_saved_tensors_on_access
            if saved is _CLEARED:
                raise RuntimeError(_ACCESSED_TWICE)
            self._tl_saved = _CLEARED
        if not saved:
            return ()
        return tuple(s.unpack() if isinstance(s, _Saved) else s for s in saved)

    def mark_dirty(self, *tensors: Tensor) -> None:
        if not all(isinstance(t, Tensor) for t in tensors):
            raise RuntimeError("mark_dirty can only accept variables, but argument ")  # sic
        self._tl_dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        if not all(isinstance(t, Tensor) for t in tensors):
            raise RuntimeError("mark_non_differentiable only accepts variable arguments, but "
                               "got ")  # sic: torch's message stops there
        self._tl_non_diff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._tl_materialize = bool(value)

    def mark_shared_storage(self, *pairs: Any) -> None:
        raise RuntimeError("mark_shared_storage is deprecated. Tensors with shared storages are "
                           "automatically tracked. Note that calls to `set_()` are not tracked")


_CTX_INTERNAL = frozenset(("_tl_saved", "_tl_dirty", "_tl_non_diff", "_tl_materialize", "_tl_clear",
                           "needs_input_grad"))


def _is_array_leaf(v: Any) -> bool:
    return isinstance(v, (Tensor, jax.Array))


class _Residuals:
    """``fwd``'s residuals: the ctx's tensors/arrays are the pytree leaves, the rest is static.

    Flattening the ctx (instead of closing over it) keeps ``bwd`` on the residual values JAX
    hands it, so nothing traced in ``fwd`` leaks into ``bwd`` and double backward
    differentiates through them.
    """

    __slots__ = ("arrays", "static")

    def __init__(self, arrays: tuple, static: Any) -> None:
        self.arrays = arrays
        self.static = static


class _Static:
    """Everything about a ctx that is not an array (compared by identity, never hashed)."""

    __slots__ = ("treedef", "others", "kinds", "materialize", "needs", "out_layout", "in_avals")


jax.tree_util.register_pytree_node(
    _Residuals, lambda r: (r.arrays, r.static), lambda s, arrays: _Residuals(tuple(arrays), s))


def _pack(ctx: FunctionCtx, out_layout: tuple, in_avals: tuple) -> _Residuals:
    attrs = {k: v for k, v in vars(ctx).items() if k not in _CTX_INTERNAL}
    leaves, treedef = jax.tree_util.tree_flatten((ctx._tl_saved, attrs), is_leaf=_is_array_leaf)
    s = _Static()
    s.treedef = treedef
    s.kinds = tuple(_is_array_leaf(v) for v in leaves)
    s.others = tuple(None if k else v for v, k in zip(leaves, s.kinds, strict=True))
    s.materialize = ctx._tl_materialize
    s.needs = ctx.needs_input_grad
    s.out_layout = out_layout
    s.in_avals = in_avals
    arrays = tuple(array_of(v) if isinstance(v, Tensor) else v
                   for v, k in zip(leaves, s.kinds, strict=True) if k)
    return _Residuals(arrays, s)


def _unpack(res: _Residuals) -> FunctionCtx:
    s = res.static
    it = iter(res.arrays)
    leaves = [Tensor._wrap(next(it)) if k else v for v, k in zip(s.others, s.kinds, strict=True)]
    saved, attrs = jax.tree_util.tree_unflatten(s.treedef, leaves)
    ctx = FunctionCtx()
    ctx.__dict__.update(attrs)
    ctx._tl_saved = saved
    ctx._tl_materialize = s.materialize
    ctx.needs_input_grad = s.needs
    return ctx


# ---- once_differentiable ------------------------------------------------------------------------
@jax.custom_vjp
def _once_guard(x):
    return x


def _once_guard_fwd(x):
    return x, None


def _once_guard_bwd(_, g):
    raise RuntimeError(_ONCE_MSG)


_once_guard.defvjp(_once_guard_fwd, _once_guard_bwd)


def once_differentiable(fn):
    """Decorate ``backward``: it runs under ``no_grad``, and differentiating the gradients it
    produced (double backward) raises torch's error: as torch does, when grad mode is on and an
    incoming gradient requires grad, the results are returned as aliases whose ``grad_fn``
    (``DelayedError``) raises when reached."""

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with grad_mode.no_grad():
            outputs = fn(ctx, *args, **kwargs)
        if not grad_mode._local.grad_enabled:
            return outputs
        if not any(isinstance(a, Tensor) and a._requires_grad for a in args):
            return outputs
        if not isinstance(outputs, tuple):
            return _delayed_error((outputs,))[0]
        return _delayed_error(outputs)

    wrapper._once_differentiable = True
    return wrapper


def _raise_once(node, grads, create_graph):
    raise RuntimeError(_ONCE_MSG)


def _delayed_error(outputs: tuple) -> tuple:
    """torch's ``DelayedError``: aliases of ``outputs`` whose ``grad_fn`` raises when reached."""
    fakes = []
    for v in outputs:
        if isinstance(v, Tensor):
            v = Tensor._alias(v)
            v._requires_grad = array_of(v).dtype.kind in "fcV"
        fakes.append(v)
    tensors = tuple(f for f in fakes if isinstance(f, Tensor))
    results = tuple(Tensor._alias(f) for f in tensors)
    record_node(NodeSpec(tuple(range(len(results)))), python_node_class("Error"),
                _raise_once, tensors, [_aval(array_of(t)) for t in tensors], results)
    it = iter(results)
    return tuple(next(it) if isinstance(f, Tensor) else f for f in fakes)


def _aval(a: Any) -> jax.ShapeDtypeStruct:
    return jax.ShapeDtypeStruct(a.shape, a.dtype)


# ---- Function ---------------------------------------------------------------------------------
class _BackwardClass:
    """``MyFn._backward_cls``: the node class named after the Function (read on the class)."""

    def __get__(self, obj: Any, owner: type) -> type:
        return python_node_class(owner.__name__ + "Backward")


_DIRTY_NOT_INPUT = ("ctx.mark_dirty() received a tensor that was not an input. Only input "
                    "Tensors that have been mutated should be passed to ctx.mark_dirty().")
_DIRTY_VIEW_OUTPUTS = (
    "If your Function modifies inplace an input that is a view of another Tensor, your Function "
    "cannot return more than one Tensor. This is not supported by the current autograd engine. "
    "You should either make sure the input is not a view (using .clone() for example) or make "
    "your Function only return one Tensor (potentially splitting it into two Functions: one "
    "doing the inplace that returns a single Tensor and a second one that does the other "
    "operations). You can ask on the forum https://discuss.pytorch.org/ if you need help to do "
    "this change.")


class Function:
    """Base class of custom autograd functions: subclass, define static ``forward`` and
    ``backward`` (optionally ``setup_context``), call ``MyFn.apply(...)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError("You must implement the jvp function for custom "
                                  "autograd.Function to use it with forward mode AD.")

    @staticmethod
    def vmap(info: Any, in_dims: Any, *args: Any) -> Any:
        raise NotImplementedError("To use autograd.Function with vmap, you must either override "
                                  "the vmap staticmethod or set generate_vmap_rule=True.")

    #: the class of this Function's graph nodes (``y.grad_fn.__class__``), as torch names it
    _backward_cls = _BackwardClass()

    #: torch's opt-in for ``torch.func.vmap`` over this Function: here every Function runs
    #: under vmap as JAX batches its forward (and backward), so the flag only decides whether
    #: torch's "does not have vmap support" error is raised
    generate_vmap_rule = False

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        split = _has_setup_context(cls)
        if transforms.state.levels:
            _check_func_support(cls, split)
        args, kwargs = _bind(cls, split, args, kwargs)
        inputs = args + tuple(kwargs.values())
        tensors = [a for a in inputs if isinstance(a, Tensor)]
        before = [array_of(t) for t in tensors]  # the node's inputs: values before any in-place
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in inputs)
        if getattr(cls, "clear_saved_tensors_on_access", False):
            ctx._tl_clear = True
        dual = function_jvp.has_dual(tensors)  # forward AD: forward sees no tangents
        hidden = _fw.suspend() if dual else None
        try:
            raw = _call_forward(cls, split, ctx, args, kwargs)
        finally:
            if dual:
                _fw.resume(hidden)
        outs = raw if isinstance(raw, tuple) else (raw,)
        local = grad_mode._local
        record = local.grad_enabled and any(t._requires_grad for t in tensors)
        dirty = ctx._tl_dirty
        for t in dirty:
            if not any(t is o for o in outs):
                raise RuntimeError("Some elements marked as dirty during the forward method were "
                                   "not returned as output. The inputs that are modified inplace "
                                   "must all be outputs of the Function.")
            if record and not any(t is a for a in inputs):
                if t._base is not None:
                    raise RuntimeError(_DIRTY_NOT_INPUT)
                warnings.warn(_DIRTY_NOT_INPUT, UserWarning, stacklevel=2)
            elif record and t._base is not None:
                t._check_inplace()  # torch's checks of an in-place write to a view
            storage_of(t).version += 1
            if record and t._requires_grad and t._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
        results = tuple(_output(o, dirty, inputs, record) for o in outs)
        if transforms.state.rev and split and tensors and not dirty:
            _differentiate_with_backward(cls, args, kwargs, tensors, before, outs, results)
        if record:
            if len([o for o in outs if isinstance(o, Tensor)]) > 1 and any(
                    t._base is not None and t._requires_grad for t in dirty):
                raise RuntimeError(_DIRTY_VIEW_OUTPUTS)
            if any(isinstance(a, jax.core.Tracer) for a in before):  # compile / torch.func
                _record_traced(cls, split, args, kwargs, ctx, outs, results, tensors, before)
            else:
                _record_eager(cls, inputs, ctx, outs, results, tensors, before)
            for t in dirty:
                if t._base is not None and t._grad_fn is not None:
                    # a dirty view: its base's history goes through this node too (torch's
                    # CopySlices over the Function), and the view gets its view node back;
                    # mark_dirty already counted this write
                    version = storage_of(t).version
                    write_through(t, t)
                    storage_of(t).version = version
        if dual:
            function_jvp.push_tangents(cls, ctx, inputs, results)
        return results if isinstance(raw, tuple) else results[0]


def _differentiate_with_backward(cls: type, args: tuple, kwargs: dict, tensors: list,
                                 before: list, outs: tuple, results: tuple) -> None:
    """Inside ``torch.func.grad``/``vjp``/``jacrev``: make the outputs' values come from the
    Function's ``jax.custom_vjp`` (the forward again, at trace time), so that JAX differentiates
    them with the user's ``backward``; the eager forward ran under no_grad, which cuts them."""
    if any(any(o is t for t in tensors) for o in outs):
        return  # an input returned as an output: nothing to re-derive
    fn = _node_fn(cls, True, args, kwargs, tuple(True for _ in tensors))
    values = iter(fn(*before))
    for o, r in zip(outs, results, strict=True):
        if isinstance(o, Tensor):
            set_storage(r, Tensor._wrap(next(values))._st)


def _check_func_support(cls: type, split: bool) -> None:
    """torch's errors for a Function inside ``torch.func`` transforms: it needs a separate
    ``setup_context``, and under ``vmap`` a ``vmap`` rule or ``generate_vmap_rule = True``."""
    if not split:
        raise RuntimeError("In order to use an autograd.Function with functorch transforms "
                           "(vmap, grad, jvp, jacrev, ...), it must override the setup_context "
                           "staticmethod. For more details, please see "
                           "https://pytorch.org/docs/main/notes/extending.func.html")
    if (any(level.kind == "vmap" for level in transforms.state.levels)
            and not cls.generate_vmap_rule
            and inspect.getattr_static(cls, "vmap") is Function.__dict__["vmap"]):
        raise RuntimeError(f"You tried to vmap over {cls.__name__}, but it does not have vmap "
                           "support. Please override and implement the vmap staticmethod or set "
                           "generate_vmap_rule=True. For more details, please see "
                           "https://pytorch.org/docs/main/notes/extending.func.html")


class InplaceFunction(Function):
    """torch's base for Functions that can work in place: keeps the ``inplace`` flag its
    constructor takes (the forward decides, with ``ctx.mark_dirty``, what it modifies)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


def _has_setup_context(cls: type) -> bool:
    impl = inspect.getattr_static(cls, "setup_context")
    return getattr(impl, "__func__", impl) is not Function.__dict__["setup_context"].__func__


def _bind(cls: type, split: bool, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """Positional arguments as torch sees them: bound to ``forward``'s signature (with defaults
    in the ``setup_context`` style, as torch does)."""
    if not kwargs and not split:
        return args, {}
    try:
        sig = inspect.signature(cls.forward)
    except (TypeError, ValueError):
        return args, kwargs
    bound = sig.bind(*args, **kwargs) if split else sig.bind(None, *args, **kwargs)
    if split:
        bound.apply_defaults()
        return tuple(bound.args), dict(bound.kwargs)
    return tuple(bound.args[1:]), dict(bound.kwargs)


def _call_forward(cls: type, split: bool, ctx: FunctionCtx, args: tuple, kwargs: dict) -> Any:
    with grad_mode.no_grad():
        if split:
            out = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, out)
            return out
        return cls.forward(ctx, *args, **kwargs)


def _output(o: Any, dirty: tuple, inputs: tuple, record: bool = True) -> Any:
    """Torch hands back a dirty input itself, and a new handle for any other tensor that existed
    before the call (an input returned unchanged): never the caller's object. Without a node
    (no_grad), a tensor made in forward (a view of an input, say) is returned as it is."""
    if not isinstance(o, Tensor) or any(o is d for d in dirty):
        return o
    if not record and o._grad_fn is None and not any(o is a for a in inputs):
        return o
    if o._grad_fn is not None or o._requires_grad or any(o is a for a in inputs):
        return Tensor._alias(o)
    return o


# ---- the eager node: the user's backward as Python ---------------------------------------------
class _RawSaved:
    """Entry ``i`` of a Function's saved tensors, as torch's ``SavedTensor``."""

    __slots__ = ("_ctx", "_i")

    def __init__(self, ctx: FunctionCtx, i: int) -> None:
        self._ctx, self._i = ctx, i

    def register_hooks(self, pack_hook: Any, unpack_hook: Any) -> None:
        if not callable(pack_hook) or not callable(unpack_hook):
            raise TypeError("register_hooks(): incompatible function arguments: expected two "
                            "callables (pack_hook, unpack_hook)")
        saved = self._ctx._tl_saved
        if saved is _RELEASED:
            raise RuntimeError(_FREED)
        entry = saved[self._i]
        if entry is None:
            raise RuntimeError("Calling register_hooks on a saved tensor with value None is "
                               "forbidden")
        if isinstance(entry, _SavedPacked):
            raise RuntimeError("Calling register_hooks on a saved tensor whose hooks have already "
                               "been set. Hint: only one pair of hooks is allowed at a time.")
        value = entry.unpack() if isinstance(entry, _Saved) else entry
        with grad_mode.no_grad():
            packed = pack_hook(value)
        self._ctx._tl_saved = (saved[:self._i] + (_SavedPacked(packed, unpack_hook),)
                               + saved[self._i + 1:])


class _Saved:
    """A ``save_for_backward`` entry once its node is recorded: rebuilt on each read."""

    __slots__ = ()


class _SavedOutput(_Saved):
    """A saved output of the Function itself: its storage, handed back with the node as its
    ``grad_fn`` (weakly referenced, so node -> ctx -> output -> node is no cycle)."""

    __slots__ = ("st", "nr", "node", "inference")

    def __init__(self, t: Tensor, node: Any) -> None:
        self.st, self.nr, self.inference = storage_of(t), t._output_nr, t._inference
        self.node = weakref.ref(node)

    def unpack(self) -> Tensor:
        t = Tensor._wrap(None, self.inference)
        set_storage(t, self.st)
        node = self.node()
        if node is not None:
            t._grad_fn, t._output_nr, t._requires_grad = node, self.nr, True
        return t


class _SavedPacked(_Saved):
    """A tensor packed by the ``saved_tensors_hooks`` active when the Function was applied."""

    __slots__ = ("packed", "unpack_hook")

    def __init__(self, packed: Any, unpack_hook: Any) -> None:
        self.packed, self.unpack_hook = packed, unpack_hook

    def unpack(self) -> Tensor:
        t = self.unpack_hook(self.packed)
        if not isinstance(t, Tensor):
            raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got "
                            f"result of type {type(t).__name__}")
        return t


class _Eager:
    """``PythonNode.state`` of a Function's node: what its backward needs."""

    __slots__ = ("cls", "ctx", "template", "out_pos", "n_out", "as_is", "non_diff")

    def __init__(self, cls: type, ctx: FunctionCtx, template: tuple, out_pos: tuple,
                 n_out: int, as_is: frozenset = frozenset(),
                 non_diff: frozenset = frozenset()) -> None:
        self.cls, self.ctx, self.template, self.out_pos, self.n_out = \
            cls, ctx, template, out_pos, n_out
        #: output positions marked non-differentiable (``ctx._materialize_non_diff_grads``)
        self.non_diff = non_diff
        #: output_nrs of inputs returned unchanged: torch treats them as views made inside
        #: the Function, which may not be modified in place (``_tensor._check_inplace``)
        self.as_is = as_is

    def release(self) -> None:
        """The node's saved tensors are freed: reading them raises torch's error."""
        self.ctx._tl_saved = _RELEASED


def _record_eager(cls, inputs, ctx, outs, results, tensors, before) -> None:
    t_outs = [(o, r) for o, r in zip(outs, results, strict=True) if isinstance(o, Tensor)]
    non_diff = ctx._tl_non_diff
    diff = tuple(i for i, (o, _) in enumerate(t_outs) if not any(o is n for n in non_diff))
    raw_saved = ctx._tl_saved or ()
    saved = tuple((t, any(t is o for o, _ in t_outs)) for t in raw_saved if t is not None)
    node = record_node(NodeSpec(diff), python_node_class(cls.__name__ + "Backward"), _run_backward,
                       tuple(tensors), [_aval(a) for a in before], tuple(r for _, r in t_outs),
                       saved)
    if node is None:
        return
    template = tuple(_TENSOR if isinstance(a, Tensor) else None for a in inputs)
    pos = tuple(i for i, o in enumerate(outs) if isinstance(o, Tensor))
    dirty = ctx._tl_dirty
    as_is = frozenset(k for k, (o, _) in enumerate(t_outs)
                      if any(o is a for a in inputs) and not any(o is d for d in dirty))
    non_diff_pos = frozenset(pos[k] for k in range(len(t_outs)) if k not in diff)
    node.state = _Eager(cls, ctx, template, pos, len(outs), as_is, non_diff_pos)
    for o, r in t_outs:  # a view made in forward stays a view, one torch won't let be written
        if o._base is not None and r._grad_fn is node:
            if r is o:  # a view of a temporary made in forward: handed back as it is
                if not any(o is d for d in dirty):
                    mark_custom_view(r)
            elif r._base is None:
                adopt_custom_view(r, o)
    if raw_saved:
        ctx._tl_saved = _saved_entries(raw_saved, node, t_outs)


def _saved_entries(raw: tuple, node: Any, t_outs: list) -> tuple:
    hooks = current_saved_hooks()
    if hooks is None:
        return tuple(_SavedOutput(t, node) if t is not None and t._grad_fn is node else t
                     for t in raw)
    pack, unpack = hooks
    entries = []
    with grad_mode.no_grad():
        for t in raw:
            if t is None:
                entries.append(None)
                continue
            r = next((r for o, r in t_outs if o is t), t)  # an output: the caller's handle
            entries.append(_SavedPacked(pack(r), unpack))
    return tuple(entries)


def _run_backward(node: Any, grads: list, create_graph: bool) -> list:
    """The engine's call at a Function's node (see ``graph.PythonNode``): the user's backward
    on Tensors, its results checked; one gradient (array, or Tensor under ``create_graph``) or
    None per edge that is set."""
    st = node.state
    ctx = st.ctx
    full: list = [None] * st.n_out
    keep_none = st.non_diff if not getattr(ctx, "_materialize_non_diff_grads", True) else ()
    for p, g, (shape, dtype) in zip(st.out_pos, grads, node.out_avals, strict=True):
        if g is None:
            if ctx._tl_materialize and p not in keep_none:
                full[p] = Tensor._wrap(jnp.zeros(shape, dtype))
        else:
            full[p] = g if create_graph else Tensor._wrap(jnp.asarray(g))
    got = _backward_of(st.cls)(ctx, *full)
    return _eager_grads(node, got, st.template, create_graph)


def _eager_grads(node: Any, got: Any, template: tuple, create_graph: bool) -> list:
    """torch's checks on what ``backward`` returned (as :func:`_check_grads`), on Tensors."""
    name = node.name()
    got = _count_checked(name, got, len(template))
    out = []
    k = 0
    for i, (g, t) in enumerate(zip(got, template, strict=True)):
        if t is not _TENSOR:
            if g is not None:
                raise RuntimeError(_not_variable(name, i))
            continue
        edge, aval = node.edges[k], node.inputs[k]
        k += 1
        if g is not None and not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        if edge is None:
            continue
        if g is None:
            out.append(None)
            continue
        shape, dtype = tuple(aval.shape), aval.dtype
        if isinstance(edge[0], AccumulateGrad):  # a leaf's grad_dtype decides (None: any)
            dtype = _leaf_grad_dtype(edge[0].variable, dtype, array_of(g).dtype)
        if create_graph:
            if tuple(array_of(g).shape) != shape:
                g = _sum_to_tensor(g, shape, name, k - 1)
            out.append(g if array_of(g).dtype == dtype else g.to(dtypes._BY_NP[dtype]))
            continue
        arr = array_of(g)
        if arr.shape != shape:
            arr = _sum_to(arr, shape, name, k - 1)
        out.append(arr.astype(dtype) if arr.dtype != dtype else arr)
    return out


def _leaf_grad_dtype(leaf: Tensor, own: Any, got: Any) -> Any:
    """The numpy dtype a gradient for ``leaf`` is cast to: ``own`` unless ``grad_dtype`` was
    set, and with ``grad_dtype=None`` the dtype it came with."""
    try:
        want = leaf._grad_dtype
    except AttributeError:
        return own
    return got if want is None else want.np


def _sum_to_tensor(g: Tensor, shape: tuple, name: str, index: int) -> Tensor:
    """:func:`_sum_to` with recorded ops (``create_graph``)."""
    _sum_check(tuple(array_of(g).shape), shape, name, index)
    lead = g.dim() - len(shape)
    if lead:
        g = g.sum(tuple(range(lead)))
    axes = tuple(i for i, (s, d) in enumerate(zip(shape, g.shape, strict=True)) if s == 1 != d)
    return g.sum(axes, keepdim=True) if axes else g


# ---- the traced node: a jax.custom_vjp --------------------------------------------------------
def _record_traced(cls, split, args, kwargs, ctx, outs, results, tensors, before) -> None:
    mask = tuple(t._requires_grad for t in tensors)
    fn = _node_fn(cls, split, args, kwargs, mask)
    t_outs = [(o, r) for o, r in zip(outs, results, strict=True) if isinstance(o, Tensor)]
    non_diff = ctx._tl_non_diff
    diff = tuple(i for i, (o, _) in enumerate(t_outs) if not any(o is n for n in non_diff))
    saved = tuple((t, any(t is o for o, _ in t_outs)) for t in ctx._tl_saved or ()
                  if t is not None)
    record_node(NodeSpec(diff), node_class(cls.__name__ + "Backward"), fn, tuple(tensors), before,
                tuple(r for _, r in t_outs), saved)


# ---- the node function ------------------------------------------------------------------------
def _typed(v: Any) -> Any:
    """A cache-key form of a static value that keeps 1, 1.0 and True apart (raises if
    unhashable)."""
    if type(v) is tuple:
        return (tuple, tuple(_typed(e) for e in v))
    hash(v)
    return (type(v), v)


def _node_fn(cls, split, args, kwargs, mask):
    """The node's ``jax.custom_vjp``, cached per (class, static arguments, grad mask)."""
    tmpl_args = tuple(_TENSOR if isinstance(a, Tensor) else a for a in args)
    tmpl_kw = tuple((k, _TENSOR if isinstance(v, Tensor) else v) for k, v in kwargs.items())
    try:
        key = (cls, split, mask, tuple(_TENSOR if a is _TENSOR else _typed(a) for a in tmpl_args),
               tuple((k, _TENSOR if v is _TENSOR else _typed(v)) for k, v in tmpl_kw))
    except TypeError:  # an unhashable argument (a list, a tensor in a container): not cached
        return _build_fn(cls, split, tmpl_args, tmpl_kw, mask)
    fn = _fn_cache.get(key)
    if fn is None:
        fn = _build_fn(cls, split, tmpl_args, tmpl_kw, mask)
        _fn_cache[key] = fn
    return fn


def _build_fn(cls, split, tmpl_args, tmpl_kw, mask):
    name = cls.__name__ + "Backward"
    template = tmpl_args + tuple(v for _, v in tmpl_kw)
    n_inputs = len(template)
    it = iter(mask)
    needs = tuple(next(it) if v is _TENSOR else False for v in template)

    def run(arrays):
        """The user's forward on handles around ``arrays``: (ctx, outputs, output layout)."""
        it = iter(arrays)
        handles = []

        def fill(v):
            if v is not _TENSOR:
                return v
            a = next(it)
            h = Tensor._wrap(a)
            h._requires_grad = mask[len(handles)]
            handles.append(h)
            return h

        args = tuple(fill(a) for a in tmpl_args)
        kwargs = {k: fill(v) for k, v in tmpl_kw}
        ctx = FunctionCtx()
        ctx.needs_input_grad = needs
        try:
            raw = _call_forward(cls, split, ctx, args, kwargs)
        except (jax.errors.ConcretizationTypeError, jax.errors.TracerBoolConversionError,
                jax.errors.TracerIntegerConversionError,
                jax.errors.TracerArrayConversionError) as err:
            raise RuntimeError(
                f"{cls.__name__}.forward read a tensor's value on the host (.item(), float(), "
                "bool(), numpy()): torchlike_jax re-runs forward traced to differentiate it, so "
                "the values it depends on must stay tensors") from err
        outs = raw if isinstance(raw, tuple) else (raw,)
        pos = tuple(i for i, o in enumerate(outs) if isinstance(o, Tensor))
        values = tuple(array_of(outs[i]) for i in pos)
        layout = (len(outs), pos, tuple((v.shape, v.dtype) for v in values))
        return ctx, values, layout

    @jax.custom_vjp
    def fn(*arrays):
        return run(arrays)[1]

    def fwd(*primals):
        arrays = tuple(p.value for p in primals)
        ctx, values, layout = run(arrays)
        return values, _pack(ctx, layout, tuple((a.shape, a.dtype) for a in arrays))

    def bwd(res, cots):
        ctx = _unpack(res)
        n_out, pos, avals = res.static.out_layout
        grads: list = [None] * n_out
        for p, c, (shape, dtype) in zip(pos, cots, avals, strict=True):
            if isinstance(c, SymbolicZero) or c.dtype == jax.dtypes.float0:
                grads[p] = Tensor._wrap(jnp.zeros(shape, dtype)) if ctx._tl_materialize else None
            else:
                grads[p] = Tensor._wrap(c)
        user = _backward_of(cls)
        got = user(ctx, *grads)
        out = _check_grads(name, got, n_inputs, template, res.static.in_avals, mask)
        if getattr(user, "_once_differentiable", False):
            out = tuple(None if g is None else _once_guard(g) for g in out)
        return out

    fn.defvjp(fwd, bwd, symbolic_zeros=True)
    return fn


def _backward_of(cls: type):
    bwd = inspect.getattr_static(cls, "backward")
    vjp = inspect.getattr_static(cls, "vjp")
    base = Function.__dict__["backward"]
    if bwd is not base and vjp is not base and vjp is not bwd:
        raise RuntimeError("Implementing both 'backward' and 'vjp' for a custom Function is not "
                           "allowed. You should only implement one of them.")
    return cls.vjp if bwd is base else cls.backward


def _check_grads(name: str, got: Any, n_inputs: int, template: tuple, in_avals: tuple,
                 mask: tuple) -> tuple:
    """torch's checks on what ``backward`` returned; one cotangent (or None) per tensor input."""
    got = _count_checked(name, got, n_inputs)
    cots = []
    for i, (g, t) in enumerate(zip(got, template, strict=True)):
        if t is not _TENSOR:
            if g is not None:
                raise RuntimeError(_not_variable(name, i))
            continue
        k = len(cots)
        if g is None or not mask[k]:
            if g is not None and not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            cots.append(None)
            continue
        if not isinstance(g, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        shape, dtype = in_avals[k]
        arr = array_of(g)
        if arr.shape != tuple(shape):
            arr = _sum_to(arr, tuple(shape), name, k)
        cots.append(arr.astype(dtype) if arr.dtype != dtype else arr)
    return tuple(cots)


def _count_checked(name: str, got: Any, n_inputs: int) -> tuple:
    got = got if isinstance(got, tuple) else (got,)
    if len(got) != n_inputs:
        if len(got) > n_inputs and all(g is None for g in got[n_inputs:]):
            return got[:n_inputs]
        raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                           f"(expected {n_inputs}, got {len(got)})")
    return got


def _not_variable(name: str, i: int) -> str:
    return (f"function {name} returned a gradient different than None at position {i + 1}, but "
            "the corresponding forward input was not a Variable")


def _sum_check(got: tuple, shape: tuple, name: str, index: int) -> None:
    lead = len(got) - len(shape)
    if lead < 0 or any(s != d and s != 1 for s, d in zip(shape, got[lead:], strict=True)):
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - got "
                           f"{list(got)} but expected shape compatible with {list(shape)}")


def _sum_to(g, shape: tuple, name: str, index: int):
    """torch's ``validate_outputs``: a gradient the input broadcasts to is summed down to it."""
    _sum_check(tuple(g.shape), shape, name, index)
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, (s, d) in enumerate(zip(shape, g.shape, strict=True)) if s == 1 != d)
    return g.sum(axis=axes, keepdims=True) if axes else g
