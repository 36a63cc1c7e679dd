"""In-place writes: torch's checks, then rebinding a tensor's storage to the new value.

JAX arrays are immutable, so an in-place op computes its result through the ordinary dispatch
path and :func:`rebind` makes ``self`` hold it: the storage's array is replaced and its version
counter bumped (which is what torch's "modified by an inplace operation" check reads), and the
result's graph node becomes ``self``'s. A view writes through into its base instead
(:func:`write_through`, torch's ``CopySlices``) and the base's other live views are refreshed.

These need dispatch, so they live above it and are attached to :class:`Tensor` here
(``Tensor._check_inplace``, ``Tensor._rebind``, ``zero_``, ``fill_``, ``copy_``).
"""

from __future__ import annotations

import weakref
from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import _value_checks as value_checks
from . import forward_ad, grad_mode, views
from .dims import broadcast_shapes
from .dispatch import dispatch, inplace_state
from .registry import KEEP, register
from .tensor import Storage, Tensor
from .views import COPY_SLICES, VIEW_CHAIN

_LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an in-place "
                      "operation.")
_INFERENCE_INPLACE = ("Inplace update to inference tensor outside InferenceMode is not allowed."
                      "You can make a clone to get a normal tensor before doing inplace update."
                      "See https://github.com/pytorch/rfcs/pull/17 for more details.")


def _check_inplace(self, leaf_msg: str = _LEAF_INPLACE, overlap_ok: bool = False) -> None:
    """torch's refusals of an in-place write to ``self``, raised before anything runs.

    ``overlap_ok``: the op may write an expanded view (``fill_``, ``zero_``; ``__setitem__``
    checks the part it writes itself)."""
    local = grad_mode._local
    if self._inference and not local.inference_mode:
        raise RuntimeError(_INFERENCE_INPLACE)
    base = self._base
    # a view made before its base was set to require grad counts as requiring it (torch)
    wants = self._requires_grad or (base is not None and base._requires_grad)
    checked = local.grad_enabled and wants and not local.inference_mode
    if base is not None:
        if checked:
            st = self._st
            if st.meta:  # torch's CreationMeta other than DEFAULT: no_grad, multi-output...
                raise RuntimeError(views.rebase_message(views.origin_of(self), st.meta, False))
            if base._grad_fn is None:
                raise RuntimeError(VIEW_LEAF_INPLACE)
        elif (self._grad_fn is None and base._requires_grad and base._grad_fn is None
              and local.grad_enabled and not local.inference_mode):
            # a view taken before its leaf base was set to require grad: torch refuses it too
            raise RuntimeError(VIEW_LEAF_INPLACE)
        if not overlap_ok:
            views.check_writable(self)
    if checked and self._grad_fn is None:
        raise RuntimeError(leaf_msg)
    node = self._grad_fn
    if node is not None and node.python_backward and local.grad_enabled \
            and self._output_nr in getattr(node.state, "as_is", ()):
        raise RuntimeError(views.rebase_message(
            (views.short_name(node), self._output_nr), views.IN_CUSTOM_FUNCTION, False))

def _rebind(self, result: Tensor, reshaping: bool = False) -> Tensor:
    """Make ``self`` hold ``result``'s value and autograd history; bump the version.

    A view writes through into its base instead (:func:`write_through`); ``reshaping``
    (``t_``, ``squeeze_``...) turns a view into a tensor of its own.
    """
    if self._base is not None:
        if not reshaping:
            meta = self._st.meta
            if meta and not self._requires_grad and result._requires_grad \
                    and grad_mode._local.grad_enabled:
                # a view torch would not let be written with grad (no_grad, multi-output or
                # custom-Function view) that the written value makes require grad
                raise RuntimeError(views.rebase_message(None, meta, False))
            old_st = result._st
            write_through(self, result)
            node = result._grad_fn
            if node is not None and node.saved:
                _retarget_saved(node, self, old_st)
            return self
        self._st = Storage(self._st.array)
        self._base = None
    st = self._st
    old_st = result._st
    st.array = result._st.array
    st.version += 1
    if forward_ad.tangents:
        forward_ad.take(self, result)
    node = result._grad_fn
    if node is not None:
        if node.saved:
            _retarget_saved(node, self, old_st)
        if self._retains_grad and self._grad_fn is not None and self._grad_fn.retained:
            _move_retain(self, node, result._output_nr)
        self._grad_fn = node
        self._output_nr = result._output_nr
        self._requires_grad = True
    if self._views:
        refresh(self)
        if forward_ad.tangents:
            forward_ad.refresh_views(self)
    return self

def _retarget_saved(node: Any, self: Tensor, old_st: Any) -> None:
    """The in-place op's node now describes ``self``: its saved output is ``self`` at the
    version just written, and its saved ``self`` input is the pre-op (immutable) array, i.e.
    torch's ``original_self``, which neither this write nor later ones invalidate."""
    st = self._st
    saved = list(node.saved)
    for k, ref in enumerate(saved):
        if not ref.is_output and ref.tensor() is self:
            del saved[k]
            break
    node.saved = tuple(ref._replace(storage=weakref.ref(st), version=st.version)
                       if ref.storage() is old_st else ref for ref in saved)


def _inplace(self, fn, *args: Any) -> Tensor:
    self._check_inplace()
    return self._rebind(same_shape(self, with_out_dtype(fn, self, args)))

def zero_(self) -> Tensor:
    """Fills ``self`` with zeros in place and returns it."""
    self._check_inplace(overlap_ok=True)
    return self._rebind(dispatch(_ZERO, (self,)))

def fill_(self, value: Any) -> Tensor:
    """Fills ``self`` in place with ``value`` (a number or a 0-dim tensor) and returns it."""
    self._check_inplace(overlap_ok=True)
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.ndim} dimensions.")
    if not isinstance(value, Tensor):
        if not isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
            raise TypeError(f"fill_() received an invalid combination of arguments - got "
                            f"({type(value).__name__}), but expected one of:\n"
                            f" * (Tensor value)\n * (Number value)\n")
        value_checks.check_fill(value, self.dtype)
    op = _FILL_TENSOR if isinstance(value, Tensor) else _FILL
    return self._rebind(dispatch(op, (self, value)))

def copy_(self, src: Tensor, non_blocking: bool = False) -> Tensor:
    """Copies the values of ``src`` into ``self`` in place, broadcasting ``src`` to
    ``self``'s shape and casting to ``self``'s dtype; returns ``self``. The gradient flows
    to ``src``. ``non_blocking`` is accepted and ignored."""
    self._check_inplace()
    if isinstance(src, Tensor):
        same_shape(self, src, broadcast_shapes(self.shape, src.shape))
    return self._rebind(dispatch(_COPY, (self, src)))


def same_shape(self: Tensor, result: Tensor, shape: tuple | None = None) -> Tensor:
    """torch's check that an in-place result still fits ``self`` (no broadcasting the output)."""
    shape = result.shape if shape is None else tuple(shape)
    if shape != self.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")
    return result


def with_out_dtype(fn, self: Tensor, args: tuple) -> Tensor:
    """Run an out-of-place op for an in-place method, its result cast back to ``self``'s dtype."""
    state = inplace_state
    token = state.out_dtype
    state.out_dtype = self.dtype
    try:
        return fn(self, *args)
    finally:
        state.out_dtype = token


_ZERO = register("zero_", lambda a: jnp.zeros_like(a), "ZeroBackward0", dtype_rule=KEEP)
_FILL = register("fill_", lambda a, v: jnp.full_like(a, v.astype(a.dtype)), "FillBackward2",
                 dtype_rule=KEEP)
_FILL_TENSOR = register("fill_tensor_", lambda a, v: jnp.full_like(a, v.astype(a.dtype)),
                        "FillBackward3", dtype_rule=KEEP)
_COPY = register("copy_", lambda a, s: jnp.broadcast_to(s.astype(a.dtype), a.shape),
                 "CopyBackwards", dtype_rule=KEEP)


def write_through(view: Any, result: Any) -> Any:
    """Write ``result`` (the view's new value, already recorded) into the view's base."""
    base = view._base
    token = forward_ad.before_write_through(view) if forward_ad.tangents else None
    new_base = dispatch(COPY_SLICES, (base, result), (view._st.chain,))
    base._rebind(new_base)
    if token is not None:
        forward_ad.after_write_through(view, result, token)
    return view


def refresh(base: Any) -> None:
    """After ``base`` changed in place: give its live views a graph from the new value.

    Torch regenerates a view's ``grad_fn`` whenever its base's version moved, whatever the grad
    mode of the write (a write under ``no_grad`` still leaves ``AsStridedBackward0``)."""
    held = base._views
    if not held:
        return
    live = [w for w in held if w() is not None]
    base._views = live
    if not base._requires_grad:
        return
    local = grad_mode._local
    prev = local.grad_enabled, local.inference_mode
    local.grad_enabled, local.inference_mode = True, False
    try:
        for w in live:
            v = w()
            # (a view given other data by ``.data =`` is no longer one: skip it)
            if v is None or getattr(v._st, "base_st", None) is not base._st:
                continue
            if v._st.meta:  # torch never regenerates these: their grad_fn becomes "Invalid"
                if v._requires_grad:
                    views.invalidate(v)
                continue
            if views.replay.enabled:
                fresh = base
                for op, params, index in v._st.chain:
                    out = dispatch(op, (fresh,), params)
                    fresh = out[index] if op.n_out > 1 else out
            else:
                fresh = dispatch(VIEW_CHAIN, (base,), (v._st.chain,))
            if v._retains_grad:
                _move_retain(v, fresh._grad_fn, 0)
            v._grad_fn = fresh._grad_fn
            v._output_nr = 0
            v._requires_grad = True
            v._st._cache = fresh._st.array
            v._st._seen = base._st.array
    finally:
        local.grad_enabled, local.inference_mode = prev


def _move_retain(t: Any, node: Any, output_nr: int) -> None:
    """``retain_grad()`` follows ``t`` to its new ``grad_fn`` (an in-place op's node, or a
    view's regenerated one): torch moves its retains-grad hook; ``t``'s other tensor hooks stay
    on the old node, as in torch."""
    old = t._grad_fn
    if old is not None and old.retained:
        old.retained.pop(t._output_nr, None)
    node.retain(t, output_nr)


for _method in (_check_inplace, _rebind, _inplace, zero_, fill_, copy_):
    setattr(Tensor, _method.__name__, _method)
