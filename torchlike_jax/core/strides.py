"""Strides and contiguity of views, recovered from their chain of view ops.

Tensors here own no strided memory: a view is its base plus the chain of view ops that selects
its elements (see ``_views.py``). Torch's layout-dependent behaviour still matters to scripts:
``view()`` raises on a non-viewable layout, ``reshape()`` and ``contiguous()`` copy a
non-contiguous tensor (so writes to the result do not reach the base), ``is_contiguous()`` and
``stride()`` report the layout. For a view, the chain applied to ``arange(base.numel())`` gives the
flat base index of every element: its first element is the storage offset, its steps along each
dimension are the strides, and it is contiguous when it counts up by one. That probe is one
cached jit per (chain, base shape), run only when a layout question is asked of a view.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _caches
from .params import fill_params, split_params

# chains made only of these keep a contiguous base contiguous (no probe needed)
_ORDER_PRESERVING = frozenset({"reshape", "unsqueeze", "squeeze", "alias"})
_probes = _caches.cache("stride_probes")


def apply_chain(array: Any, chain: tuple) -> Any:
    """The view the chain ``((OpDef, params, output index), ...)`` selects from ``array``."""
    for op, params, index in chain:
        out = op.impl(array, *params)
        array = out[index] if op.n_out > 1 else out
    return array


def contiguous_strides(shape: tuple) -> tuple[int, ...]:
    """Row-major strides, torch's convention for size-1 dims included."""
    strides = []
    acc = 1
    for s in reversed(shape):
        strides.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(strides))


def _probe_fn(skeleton: tuple, base_shape: tuple, n_rt: int):
    """The jitted layout probe of a chain skeleton (runtime ints and floats lifted out, so
    ``x[i:i + 4].view(-1)`` probes once for every ``i``)."""
    key = (skeleton, base_shape)
    fn = _probes.get(key)
    if fn is None:

        def probe(iota, *values):
            chain = fill_params(skeleton, iter(values))[0] if n_rt else skeleton[0]
            idx = apply_chain(iota.reshape(base_shape), chain)
            flat = idx.reshape(-1)
            if flat.size == 0:
                return jnp.zeros((), iota.dtype), jnp.zeros((idx.ndim,), iota.dtype), True
            steps = [idx[tuple(1 if j == k else 0 for j in range(idx.ndim))] - flat[0]
                     if idx.shape[k] > 1 else jnp.zeros((), iota.dtype) for k in range(idx.ndim)]
            dense = jnp.all(flat == flat[0] + jnp.arange(flat.size, dtype=iota.dtype))
            return flat[0], jnp.stack(steps) if steps else jnp.zeros((0,), iota.dtype), dense

        fn = jax.jit(probe)
        _probes[key] = fn
    return fn


def layout(t: Any) -> tuple[tuple[int, ...], bool, int]:
    """(strides, is_contiguous, storage offset) of tensor ``t`` as torch would report them."""
    shape = tuple(t._st.array.shape)
    st = t._st
    chain = getattr(st, "chain", None)
    if t._base is None or chain is None:
        return contiguous_strides(shape), True, 0
    cached = st.layout
    if cached is not None:
        return cached
    if all(op.name in _ORDER_PRESERVING for op, _, _ in chain):
        result = (contiguous_strides(shape), True, 0)
    else:
        base_shape = tuple(st.base_st.array.shape)
        n = math.prod(base_shape)
        values: list = []
        skeleton = split_params((chain,), values)
        with jax.ensure_compile_time_eval():
            off, steps, dense = _probe_fn(skeleton, base_shape, len(values))(
                jnp.arange(n, dtype=jnp.int64), *values)
        steps = np.asarray(steps).tolist()
        dense = bool(dense)
        # size-1 dims: any stride works; report the row-major value torch usually shows
        filler = contiguous_strides(shape)
        strides = tuple(int(s) if shape[k] > 1 else filler[k] for k, s in enumerate(steps))
        result = (contiguous_strides(shape) if dense else strides, dense, int(off))
    st.layout = result
    return result


def view_strides(shape: tuple, strides: tuple, new_shape: tuple) -> tuple[int, ...] | None:
    """torch's ``computeStride``: strides for viewing (shape, strides) as ``new_shape``, or None
    when some new dimension would span two non-contiguous chunks of the old layout."""
    numel = math.prod(shape)
    if numel == 0:
        return contiguous_strides(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = strides[-1] if strides else 1
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(shape) - 1, -1, -1):
        tensor_numel *= shape[tensor_d]
        if tensor_d == 0 or (shape[tensor_d - 1] != 1
                             and strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)
