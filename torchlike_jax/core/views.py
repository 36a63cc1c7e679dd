"""Views on immutable arrays: in-place writes through a view reach its base, as in torch.

A torch view shares memory with its base. JAX arrays are immutable, so a view here is a tensor
whose storage is a :class:`ViewStorage`: the base's :class:`~torchlike_jax.core.tensor.Storage` plus
the *chain* of view ops (``(OpDef, static params, output index)``, e.g. select then transpose)
that maps the base's array to the view's. Nothing is shared in memory; instead

* **reading** a view recomputes it from the base when the base's array has changed since the view
  last looked (one cached jit call; otherwise the cached array is returned), so ``v = x.view(6);
  x.add_(1)`` shows in ``v``;
* **writing** a view in place (``x[0].add_(1)``, ``x.t().zero_()``) computes the new view value
  through the ordinary dispatch path, then writes it back into the base with the
  :data:`COPY_SLICES` op: the chain applied to ``arange(base.numel())`` gives, for every view
  element, the flat base index it aliases, and the new values are scattered there. That op is
  recorded like any other (``grad_fn=<CopySlices>``, torch's name), so gradients flow to the
  base's untouched elements and to the written values, and its vjp is JAX's;
* afterwards every live view of that base whose graph is stale gets a fresh ``grad_fn`` that
  re-derives it from the base's new value (``AsStridedBackward0``, as torch names it).

Each view also carries torch's *creation meta* (:data:`DEFAULT`, :data:`NO_GRAD`,
:data:`MULTI_OUTPUT`, :data:`IN_CUSTOM_FUNCTION`, :data:`INFERENCE`), inherited by views of it.
With grad mode on, a non-DEFAULT view that requires grad may not be written in place (torch's
"Output 0 of Unbind is a view and is being modified inplace..."), and once its base changes its
``grad_fn`` is not regenerated but becomes torch's ``<Invalid>`` (reading it raises).

The version counter is the base's (shared, as in torch), so "modified by an inplace operation"
checks see writes made through any view. What differs from torch is listed in
docs/architecture.md ("Views").
"""

from __future__ import annotations

import re
import threading
import weakref
from typing import Any

import jax
import jax.numpy as jnp

from . import grad_mode
from .kernels import call_raw
from .registry import KEEP, register
from .strides import apply_chain as _apply_chain
from .strides import layout as _layout

# ops whose outputs may repeat input elements: writing through them may be torch's
# internal-overlap error (decided from the strides at write time, see :func:`check_writable`)
_OVERLAPPING = frozenset({"expand", "broadcast_to", "unfold"})

# torch's CreationMeta of a view: how it was made decides whether it may be written in place
# with grad mode on, and what its grad_fn becomes once its base changed (regenerated for
# DEFAULT; for the others torch refuses: ``grad_fn=<Invalid>`` in the repr)
DEFAULT, NO_GRAD, MULTI_OUTPUT, IN_CUSTOM_FUNCTION, INFERENCE = range(5)

_FORBIDDEN = " Given that this use case is ambiguous and error-prone, it is forbidden."
_SUFFIX = {
    MULTI_OUTPUT: (" This view is the output of a function that returns multiple views. Such "
                   "functions do not allow the output views to be modified inplace. You should "
                   "replace the inplace operation by an out-of-place one."),
    NO_GRAD: (_FORBIDDEN + " You can clarify your code by moving both the view and the inplace "
              "either both inside the no_grad block (if you don't want the inplace to be "
              "tracked) or both outside (if you want the inplace to be tracked)."),
    INFERENCE: (_FORBIDDEN + " You can clarify your code by moving both the view and the "
                "inplace either both inside the inference_mode block (if you don't want the "
                "inplace to be tracked) or both outside (if you want the inplace to be "
                "tracked)."),
    IN_CUSTOM_FUNCTION: (
        " This view was created inside a custom Function (or because an input was returned "
        "as-is) and the autograd logic to handle view+inplace would override the custom "
        "backward associated with the custom Function, leading to incorrect gradients. This "
        "behavior is forbidden. You can fix this by cloning the output of the custom Function."),
}
# torch's multi-output view functions, multi-output even when they return one piece
_MULTI_OUTPUT_NODES = frozenset({"SplitBackward0", "SplitWithSizesBackward0", "UnbindBackward0"})
_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")


def short_name(node: Any) -> str:
    """The op name torch's view messages use: the node's name less ``Backward0``."""
    return _BACKWARD_SUFFIX.sub("", type(node).__name__)


def rebase_message(origin: tuple | None, meta: int, indirect: bool) -> str:
    """torch's refusal for a non-DEFAULT view written in place (``indirect``: its base or a
    sibling was written). ``origin``: (op name, output_nr) of the view's grad_fn, or None."""
    modified = "its base or another view of its base has been" if indirect else "is being"
    if meta in (NO_GRAD, INFERENCE) or origin is None:
        prefix = (f"Output {origin[1]} of {origin[0]} is a view of a view which was created in"
                  if origin is not None else "A view was created in")
        if meta == INFERENCE:
            msg = f"{prefix} inference mode and {modified} modified inplace in normal mode."
        else:
            msg = f"{prefix} no_grad mode and {modified} modified inplace with grad mode enabled."
    else:
        msg = f"Output {origin[1]} of {origin[0]} is a view and {modified} modified inplace."
    return msg + _SUFFIX[meta]


def origin_of(view: Any) -> tuple | None:
    """(op name, output_nr) of a view's current grad_fn, as torch's messages name it."""
    node = view._grad_fn
    if node is None:
        invalid = getattr(view._st, "invalid", None)
        return invalid[0] if invalid else None
    return short_name(node), view._output_nr


def creation_meta(source_st: Any, multi_output: bool) -> int:
    """torch's CreationMeta for a view made now of a tensor whose storage is ``source_st``:
    the mode's own meta, except that a view of a non-DEFAULT view keeps its source's (and an
    inference-mode one always wins)."""
    local = grad_mode._local
    if local.inference_mode:
        new = INFERENCE
    elif not local.grad_enabled:
        new = NO_GRAD
    else:
        new = MULTI_OUTPUT if multi_output else DEFAULT
    prev = getattr(source_st, "meta", DEFAULT)
    if new == DEFAULT or prev == INFERENCE:
        return prev
    return new


def _scatter_into(base: Any, value: Any, chain: tuple) -> Any:
    """``base`` with the elements the chain selects replaced by ``value``."""
    flat_index = _apply_chain(jnp.arange(base.size, dtype=jnp.int32).reshape(base.shape), chain)
    flat = base.reshape(-1).at[flat_index.reshape(-1)].set(
        jnp.broadcast_to(value.astype(base.dtype), flat_index.shape).reshape(-1))
    return flat.reshape(base.shape)


COPY_SLICES = register("copy_slices", _scatter_into, "CopySlices", dtype_rule=KEEP,
                       frees=True)
VIEW_CHAIN = register("view_chain", _apply_chain, "AsStridedBackward0", dtype_rule=KEEP)


class ViewStorage:
    """The storage of a view: the base's storage plus the chain of view ops.

    ``array`` is derived from the base (recomputed only when the base's array object changed);
    assigning it writes through into the base (no autograd: used by ``detach()`` aliases,
    ``.data`` and gradcheck's perturbations). ``version`` IS the base's counter.
    """

    __slots__ = ("base_st", "chain", "overlapping", "meta", "invalid", "layout", "_cache",
                 "_seen", "__weakref__")
    numpy_shared = False  # True for HostViewStorage: its base shares memory with numpy

    def __init__(self, base_st: Any, chain: tuple, array: Any, overlapping: bool,
                 meta: int = DEFAULT) -> None:
        self.base_st = base_st
        self.chain = chain
        self.overlapping = overlapping  # the chain may repeat base elements (expand, unfold)
        # torch's CreationMeta (DEFAULT...): non-DEFAULT views are never regenerated from the base
        self.meta = meta
        # set when the base changed under a non-DEFAULT view that requires grad: its grad_fn is
        # torch's "Invalid" from then on; holds ((op name, output_nr) or None,) for the messages
        self.invalid: tuple | None = None
        self.layout = None  # (strides, contiguous, offset), computed on demand (ops/strides.py)
        self._cache = array
        self._seen = base_st.array

    @property
    def array(self) -> Any:
        src = self.base_st.array
        if src is not self._seen:
            self._cache = _run(VIEW_CHAIN, (src,), self.chain)
            self._seen = src
        return self._cache

    @array.setter
    def array(self, value: Any) -> None:
        st = self.base_st
        st.array = _run(COPY_SLICES, (st.array, value), self.chain)
        self._cache = value
        self._seen = st.array

    @property
    def version(self) -> int:
        return self.base_st.version

    @version.setter
    def version(self, value: int) -> None:
        self.base_st.version = value


class HostViewStorage(ViewStorage):
    """A view of a storage whose array aliases a numpy buffer: numpy writes change the base's
    values without changing its array object, so the view is recomputed on every read (and
    waited for, as dispatch does, before numpy can write again)."""

    __slots__ = ()
    numpy_shared = True

    def _get(self) -> Any:
        src = self.base_st.array
        if isinstance(src, jax.core.Tracer):
            return ViewStorage.array.fget(self)
        self._cache = _run(VIEW_CHAIN, (src,), self.chain).block_until_ready()
        self._seen = src
        return self._cache

    array = property(_get, ViewStorage.array.fset)


def _run(op: Any, arrays: tuple, chain: tuple) -> Any:
    """One cached jit call of ``op`` on raw arrays (no tensors, no autograd)."""
    return call_raw(op, arrays, (chain,))[0]


def make_views(op: Any, params: tuple, source: Any, results: tuple) -> None:
    """Turn the outputs of a view op on ``source`` into views of ``source``'s base."""
    st = source._st
    base = source._base
    if base is not None:
        base_st, prefix, overlapping = st.base_st, st.chain, st.overlapping
    else:  # a plain tensor, or a detach()/.data alias of a view (a view of that storage only)
        base, base_st, prefix, overlapping = source, st, (), False
    size = source._st.array.size
    kind = HostViewStorage if base_st.numpy_shared else ViewStorage  # numpy_bridge.py
    views = base._views
    if views is None:
        base._views = views = []
    meta = creation_meta(st, op.n_out > 1 or op.grad_fn in _MULTI_OUTPUT_NODES)
    inference = source._inference
    for i, r in enumerate(results):
        arr = r._st.array
        if arr.dtype != source._st.array.dtype:
            continue  # not an aliasing output (e.g. indices)
        over = overlapping or (op.name in _OVERLAPPING and arr.size > size)
        r._st = kind(base_st, prefix + ((op, params, i),), arr, over, meta)
        r._base = base
        r._inference = inference  # torch: a view of a normal tensor is normal, even when
        # made in inference mode
        if not r._requires_grad and source._requires_grad:
            r._requires_grad = True  # torch: a view made under no_grad still requires grad
        views.append(weakref.ref(r))
    n = len(views)
    if n >= 64 and not n & (n - 1):  # amortised pruning of dead views (never in-place written)
        base._views = [w for w in views if w() is not None]


class _Replay(threading.local):
    """torch's view-replay switch (``torch.autograd._force_original_view_tracking``): when on,
    a view whose base was written gets its ``grad_fn`` by replaying its view ops
    (``ViewBackward0``...) instead of one ``AsStridedBackward0``."""

    enabled = False


replay = _Replay()


def mark_custom_view(view: Any) -> None:
    """A view a custom Function made in forward and returned as it is: torch forbids writing
    it in place with grad mode on, as any view made inside a custom Function."""
    view._st.meta = IN_CUSTOM_FUNCTION


def adopt_custom_view(out: Any, source: Any) -> None:
    """A custom Function returned ``source``, a view made in its forward, as ``out``: ``out``
    is a view of the same base that torch forbids writing in place with grad mode on."""
    base = source._base
    st = source._st
    # the source's own kind: a view of numpy-shared memory stays one (HostViewStorage)
    out._st = type(st)(st.base_st, st.chain, st.array, st.overlapping, IN_CUSTOM_FUNCTION)
    out._base = base
    if base._views is None:
        base._views = []
    base._views.append(weakref.ref(out))


def invalidate(view: Any) -> None:
    """The base of non-DEFAULT ``view`` changed: its grad_fn becomes torch's "Invalid"."""
    st = view._st
    if st.invalid is None:
        st.invalid = (origin_of(view),)
    view._grad_fn = None


def has_internal_overlap(view: Any) -> bool:
    """torch's "YES" answer: some dim of size > 1 has stride 0 (an unfold with overlapping
    windows is refused too, where torch's answer depends on the write order)."""
    st = view._st
    if not st.overlapping:
        return False
    if any(op.name == "unfold" for op, _, _ in st.chain):
        return True
    strides = _layout(view)[0]
    return any(n > 1 and s == 0 for n, s in zip(st.array.shape, strides, strict=True))


def check_writable(view: Any) -> None:
    """torch's error for writing through an expanded view, raised before anything runs."""
    if has_internal_overlap(view):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")
