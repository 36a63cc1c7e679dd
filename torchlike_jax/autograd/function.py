"""``torch.autograd.Function``: user-written forward/backward pairs, as ``jax.custom_vjp`` nodes.

A call ``MyFn.apply(*args)`` does two things:

1. **Eager forward.** The user's ``forward`` runs once, on the caller's own tensors, under
   ``no_grad`` (``setup_context`` style too), exactly as in torch: in-place updates marked with
   ``ctx.mark_dirty`` land in the caller's tensors, non-tensor arguments and outputs pass through.
2. **One node, through the ordinary record path.** If grad mode is on and a tensor argument
   requires grad, :func:`ops.dispatch.record_node` records ONE node named ``MyFnBackward`` whose
   pure function is a ``jax.custom_vjp`` of the tensor arguments (non-tensor arguments and which
   inputs need grad are static: part of the cached function's identity):

   * its primal and ``fwd`` re-run the user's ``forward`` on Tensor handles whose storages hold
     the (traced) input arrays, under ``no_grad`` — the trick ``torch.compile`` uses — so the node
     is a pure function like every other node (the fused backward, recomputation and
     ``torch.compile`` treat it like any op);
   * ``fwd``'s residuals are the ``ctx`` itself, as a pytree: the tensors saved with
     ``save_for_backward`` or stored as attributes are its leaves (arrays), every other attribute
     is static;
   * ``bwd`` rebuilds a ``ctx`` around the residual arrays, wraps the cotangents in Tensors
     (``SymbolicZero`` → zeros, or ``None`` after ``ctx.set_materialize_grads(False)``), runs the
     user's ``backward`` and checks what it returns with torch's messages (count, shape — summed
     down when the input broadcasts to it — dtype cast, ``None`` for non-tensor inputs).

Higher order needs nothing special: the engine's ``create_graph`` path records the vjp of the
node's function, and differentiating that again is JAX differentiating ``bwd`` — the user's
backward written in torch ops is ordinary traced JAX code. ``@once_differentiable`` wraps the
gradients ``bwd`` returns in an identity whose own derivative raises torch's error.

Consequences worth knowing (documented differences from torch):

* ``forward`` runs once eagerly and again when the node's backward is traced (once per input
  shape/dtype, cached), and ``backward`` runs only when it is traced, so Python side effects in
  ``backward`` (prints, counters) happen at trace time only; ``forward`` must not read tensor
  values (``.item()``, ``float(t)``, ``if t > 0``) when its node is differentiated.
* Non-tensor arguments are baked into the cached node function: a new value compiles anew.
* In double backward, saved *outputs* are differentiated through the forward's JAX code, not
  through the custom backward again (identical whenever the custom backward is the true
  derivative), and saved *intermediates* are differentiated too (torch treats them as
  constants); the gradient's ``grad_fn`` is ``MyFnBackwardBackward`` (one recorded vjp), where
  torch shows the last op of the user's backward.
* A custom backward returning ``None`` for a leaf leaves a zero ``.grad`` (torch: ``None``).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

import jax
import jax.numpy as jnp
from jax.custom_derivatives import SymbolicZero

from .._tensor import Tensor
from ..ops.dispatch import record_node
from . import grad_mode
from .graph import node_class

__all__ = ["Function", "FunctionCtx", "once_differentiable"]

_ONCE_MSG = "trying to differentiate twice a function that was marked with @once_differentiable"
_FN_CACHE_MAX = 1024
_fn_cache: dict = {}  # static call description -> node function (no arrays, no tensors)
_TENSOR = object()  # template slot of a tensor argument


# ---- ctx --------------------------------------------------------------------------------------
class FunctionCtx:
    """The ``ctx`` passed to ``forward``/``setup_context`` and ``backward``.

    Arbitrary attributes may be set on it; tensors should go through ``save_for_backward``.
    """

    _tl_saved: tuple | None = None
    _tl_dirty: tuple = ()
    _tl_non_diff: tuple = ()
    _tl_materialize: bool = True
    needs_input_grad: tuple = ()

    def save_for_backward(self, *tensors: Any) -> None:
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(t).__name__}")
        self._tl_saved = tensors

    def save_for_forward(self, *tensors: Any) -> None:  # forward-mode AD is not supported
        self.saved_for_forward = tensors

    @property
    def saved_tensors(self) -> tuple:
        return tuple(self._tl_saved or ())

    def mark_dirty(self, *tensors: Tensor) -> None:
        self._tl_dirty = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        self._tl_non_diff = tensors

    def set_materialize_grads(self, value: bool) -> None:
        self._tl_materialize = bool(value)

    def mark_shared_storage(self, *pairs: Any) -> None:
        raise RuntimeError("mark_shared_storage is deprecated. Tensors with shared storages are "
                           "automatically tracked. Note that calls to `set_()` are not tracked")


_CTX_INTERNAL = frozenset(("_tl_saved", "_tl_dirty", "_tl_non_diff", "_tl_materialize",
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
    arrays = tuple(v._st.array if isinstance(v, Tensor) else v
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
    produced (double backward) raises torch's error."""

    @functools.wraps(fn)
    def wrapper(ctx, *args, **kwargs):
        with grad_mode.no_grad():
            return fn(ctx, *args, **kwargs)

    wrapper._once_differentiable = True
    return wrapper


# ---- Function ---------------------------------------------------------------------------------
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

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        split = _has_setup_context(cls)
        args, kwargs = _bind(cls, split, args, kwargs)
        inputs = args + tuple(kwargs.values())
        tensors = [a for a in inputs if isinstance(a, Tensor)]
        before = [t._st.array for t in tensors]  # the node's inputs: values before any in-place
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in inputs)
        raw = _call_forward(cls, split, ctx, args, kwargs)
        outs = raw if isinstance(raw, tuple) else (raw,)
        local = grad_mode._local
        record = local.grad_enabled and any(t._requires_grad for t in tensors)
        dirty = ctx._tl_dirty
        for t in dirty:
            if not any(t is o for o in outs):
                raise RuntimeError("Some elements marked as dirty during the forward method were "
                                   "not returned as output. The inputs that are modified inplace "
                                   "must all be outputs of the Function.")
            t._st.version += 1
            if record and t._requires_grad and t._grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
        results = tuple(_output(o, dirty, inputs) for o in outs)
        if record:
            _record(cls, split, args, kwargs, ctx, outs, results, tensors, before)
        return results if isinstance(raw, tuple) else results[0]


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


def _output(o: Any, dirty: tuple, inputs: tuple) -> Any:
    """Torch hands back a dirty input itself, and a new handle for any other tensor that existed
    before the call (an input returned unchanged): never the caller's object."""
    if not isinstance(o, Tensor) or any(o is d for d in dirty):
        return o
    if o._grad_fn is not None or o._requires_grad or any(o is a for a in inputs):
        return Tensor._alias(o)
    return o


class _Spec:
    """What :func:`record_node` reads from an op: which outputs are differentiable."""

    __slots__ = ("diff_outputs",)
    saves_inputs: tuple = ()
    saves_output = False

    def __init__(self, diff_outputs: tuple) -> None:
        self.diff_outputs = diff_outputs


def _record(cls, split, args, kwargs, ctx, outs, results, tensors, before) -> None:
    mask = tuple(t._requires_grad for t in tensors)
    fn = _node_fn(cls, split, args, kwargs, mask)
    t_outs = [(o, r) for o, r in zip(outs, results, strict=True) if isinstance(o, Tensor)]
    non_diff = ctx._tl_non_diff
    diff = tuple(i for i, (o, _) in enumerate(t_outs) if not any(o is n for n in non_diff))
    saved = tuple((t, any(t is o for o, _ in t_outs)) for t in ctx._tl_saved or ()
                  if t is not None)
    record_node(_Spec(diff), node_class(cls.__name__ + "Backward"), fn, tuple(tensors), before,
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
        if len(_fn_cache) >= _FN_CACHE_MAX:
            _fn_cache.clear()
        fn = _fn_cache[key] = _build_fn(cls, split, tmpl_args, tmpl_kw, mask)
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
        values = tuple(outs[i]._st.array for i in pos)
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
    got = got if isinstance(got, tuple) else (got,)
    if len(got) != n_inputs:
        if len(got) > n_inputs and all(g is None for g in got[n_inputs:]):
            got = got[:n_inputs]
        else:
            raise RuntimeError(f"function {name} returned an incorrect number of gradients "
                               f"(expected {n_inputs}, got {len(got)})")
    cots = []
    for i, (g, t) in enumerate(zip(got, template, strict=True)):
        if t is not _TENSOR:
            if g is not None:
                raise RuntimeError(f"function {name} returned a gradient different than None at "
                                   f"position {i + 1}, but the corresponding forward input was "
                                   "not a Variable")
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
        arr = g._st.array
        if arr.shape != tuple(shape):
            arr = _sum_to(arr, tuple(shape), name, k)
        cots.append(arr.astype(dtype) if arr.dtype != dtype else arr)
    return tuple(cots)


def _sum_to(g, shape: tuple, name: str, index: int):
    """torch's ``validate_outputs``: a gradient the input broadcasts to is summed down to it."""
    lead = g.ndim - len(shape)
    if lead < 0 or any(s != d and s != 1 for s, d in zip(shape, g.shape[lead:], strict=True)):
        raise RuntimeError(f"Function {name} returned an invalid gradient at index {index} - got "
                           f"{list(g.shape)} but expected shape compatible with {list(shape)}")
    if lead:
        g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, (s, d) in enumerate(zip(shape, g.shape, strict=True)) if s == 1 != d)
    return g.sum(axis=axes, keepdims=True) if axes else g
