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

The version counter is the base's (shared, as in torch), so "modified by an inplace operation"
checks see writes made through any view. What differs from torch is listed in
docs/architecture.md ("Views").
"""

from __future__ import annotations

import weakref
from typing import Any

import jax
import jax.numpy as jnp

from . import grad_mode
from .kernels import call_raw
from .registry import KEEP, register
from .strides import apply_chain as _apply_chain

# ops whose outputs repeat input elements: writing through them is torch's internal-overlap error
_OVERLAPPING = frozenset({"expand", "broadcast_to", "unfold"})


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

    __slots__ = ("base_st", "chain", "overlapping", "no_grad_made", "layout", "_cache", "_seen",
                 "__weakref__")
    numpy_shared = False  # True for HostViewStorage: its base shares memory with numpy

    def __init__(self, base_st: Any, chain: tuple, array: Any, overlapping: bool) -> None:
        self.base_st = base_st
        self.chain = chain
        self.overlapping = overlapping  # some base element appears twice (a real expand)
        # made under no_grad: torch never regenerates its grad_fn from the base
        self.no_grad_made = not grad_mode._local.grad_enabled
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
    for i, r in enumerate(results):
        arr = r._st.array
        if arr.dtype != source._st.array.dtype:
            continue  # not an aliasing output (e.g. indices)
        over = overlapping or (op.name in _OVERLAPPING and arr.size > size)
        r._st = kind(base_st, prefix + ((op, params, i),), arr, over)
        r._base = base
        if not r._requires_grad and source._requires_grad:
            r._requires_grad = True  # torch: a view made under no_grad still requires grad
        views.append(weakref.ref(r))
    n = len(views)
    if n >= 64 and not n & (n - 1):  # amortised pruning of dead views (never in-place written)
        base._views = [w for w in views if w() is not None]


def check_writable(view: Any) -> None:
    """torch's error for writing through an expanded view, raised before anything runs."""
    if view._st.overlapping:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")
