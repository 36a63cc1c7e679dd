"""``x[idx]``, ``x[idx] = v`` and ``index_put``: torch indexing semantics on JAX arrays.

An index is split into a *spec* (ints, slices, None) and the integer index arrays (passed as
arguments, so new index values never recompile). Within the spec, where an int selects and where
a slice starts are :class:`~.dispatch.RuntimeInt` values: runtime arguments of the compiled op,
so ``x[i]``, ``x[i, j] += 1`` and ``x[i:i + bs]`` compile once for all ``i``; only a slice's
length and step (they fix the shape) are part of the cache key. Boolean masks
become integer indices on the host first, because their result shape depends on the data,
exactly the point where torch synchronises too.

torch applies an index in two steps, and so do we: first the basic part (ints select, slices,
None), which is a view; then the index tensors on what is left, numpy-style (the indexed dims
stay in place when the index tensors are adjacent, and go first otherwise). This differs from
numpy, where an int next to an index array counts as an advanced index: for ``x`` of shape
(2, 3, 4), ``x[0, :, [0, 1]]`` is (3, 2) in torch and (2, 3) in numpy.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from ..core.dispatch import dispatch
from ..core.params import RuntimeInt
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .scatter_set import scatter_set

_FULL = ("slice", None, None, None)


def _apply_basic(x, spec: tuple):
    """The basic part of an index, dim by dim. An int selects (its value may be a runtime
    scalar: ``lax.dynamic_index_in_dim``), ``("dslice", start, length, step)`` slices with a
    runtime start and a static length, ``_FULL`` keeps a dim, None inserts one. Host code has
    already bounds-checked and normalised every value, so nothing here clamps."""
    d = 0
    for item in spec:
        if item is None:
            x = jnp.expand_dims(x, d)
            d += 1
        elif isinstance(item, tuple):
            if item[0] == "slice":  # _FULL (rebuilt by the runtime-scalar split: compare)
                d += 1
                continue
            _, start, length, step = item
            span = (length - 1) * step + 1 if length else 0
            x = lax.dynamic_slice_in_dim(x, start, span, axis=d)
            if step != 1:
                x = lax.slice_in_dim(x, 0, span, step, axis=d)
            d += 1
        else:
            x = lax.dynamic_index_in_dim(x, item, axis=d, keepdims=False)
    return x


def _advanced(y, arrays: tuple, positions: tuple):
    idx = [slice(None)] * (max(positions) + 1)
    for p, a in zip(positions, arrays, strict=True):
        idx[p] = a
    return y[tuple(idx)]


def _select(x, arrays: tuple, spec: tuple, positions: tuple):
    """Pure: the two-step torch index of ``x`` (basic ``spec``, then ``arrays``)."""
    y = _apply_basic(x, spec)
    return _advanced(y, arrays, positions) if positions else y


def _view_impl(x, spec, name):
    return _apply_basic(x, spec)


def _index_impl(x, *rest):
    *arrays, spec, positions = rest
    return _select(x, tuple(arrays), spec, positions)


def _fit(v, shape: tuple):
    """Broadcast a value to ``shape``; torch allows extra leading 1-dims on the value."""
    while v.ndim > len(shape) and v.shape[0] == 1:
        v = v[0]
    return jnp.broadcast_to(v, shape)


def _put_impl(x, v, *rest):
    """Pure: ``x`` with the indexed elements set to (or, accumulating, increased by) ``v``."""
    *arrays, spec, positions, accumulate, _name = rest
    v = v.astype(x.dtype)
    if not positions:
        target = _apply_basic(x, spec).shape
        no_none = tuple(i for i in spec if i is not None)
        val = _fit(v, target)
        if all(not isinstance(i, tuple) or i[0] == "slice" or i[3] == 1 for i in no_none):
            # a box of x: one dynamic_update_slice at runtime start indices
            starts, box = [], []
            for k, item in enumerate(no_none):
                if isinstance(item, tuple) and item[0] == "slice":
                    starts.append(0)
                    box.append(x.shape[k])
                elif isinstance(item, tuple):
                    starts.append(item[1])
                    box.append(item[2])
                else:
                    starts.append(item)
                    box.append(1)
            for k in range(len(no_none), x.ndim):
                starts.append(0)
                box.append(x.shape[k])
            val = val.reshape(box)
            zero = jnp.zeros((), jnp.int64)
            starts = [zero + s for s in starts]
            if accumulate:
                val = lax.dynamic_slice(x, starts, box) + val
            return lax.dynamic_update_slice(x, val, starts)
        ids = _apply_basic(jnp.arange(x.size).reshape(x.shape), no_none)
        at = x.ravel().at[ids.ravel()]
        val = val.reshape(ids.shape).ravel()
        return (at.add(val) if accumulate else at.set(val)).reshape(x.shape)
    ids = jnp.arange(x.size).reshape(x.shape)
    sel = _select(ids, tuple(arrays), spec, positions)
    val = _fit(v, sel.shape).ravel()
    if accumulate:
        return x.ravel().at[sel.ravel()].add(val).reshape(x.shape)
    # index tensors may repeat a position: every repeat gets its gradient, as in torch
    return scatter_set(x.ravel(), sel.ravel(), val).reshape(x.shape)


GETITEM = register("getitem", _view_impl, lambda p: p[1], dtype_rule=KEEP, view=True)
INDEX = register("index", _index_impl, "IndexBackward0", dtype_rule=KEEP)
SETITEM = register("index_put", _put_impl, lambda p: p[-1], dtype_rule=KEEP, frees=True)


# ---- parsing ------------------------------------------------------------------------------------
def _kind(i, T) -> str:
    if i is None:
        return "none"
    if i is Ellipsis:
        return "ellipsis"
    if isinstance(i, bool):
        return "bool"
    if isinstance(i, (int, np.integer)):
        return "int"
    if isinstance(i, slice):
        return "slice"
    if isinstance(i, T):
        if i.dtype.name == "bool":
            return "mask"
        if i.dtype.is_floating_point or i.dtype.is_complex:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return "int" if i.ndim == 0 else "array"
    if isinstance(i, (list, tuple, range, np.ndarray)):  # sequences become index tensors
        arr = np.asarray(i)
        if arr.size == 0 and not isinstance(i, np.ndarray):  # [] / range(0): an empty long index
            return "array"
        if arr.dtype == np.bool_:
            return "mask"
        if arr.dtype.kind not in "iu":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return "array"
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                     "Variables are valid indices (got " + type(i).__name__ + ")")


def _host(i, T) -> np.ndarray:
    return np.asarray(array_of(i)) if isinstance(i, T) else np.asarray(i)


def _int(v) -> int | None:
    if v is None:
        return None
    return int(v.item()) if hasattr(v, "item") else int(v)


_SEQUENCE_AS_TUPLE = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result")


def normalize_index(index) -> tuple:
    """The index as the tuple torch parses. Like numpy's old rule (and torch's, with its
    deprecation warning), a short list holding a sequence, slice, tensor, ``None`` or ``...`` is
    read as a tuple: ``x[[0, [1]]]`` is ``x[0, [1]]``; any other non-tuple is one index."""

    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            i is None or i is Ellipsis
            or isinstance(i, (Tensor, list, tuple, range, np.ndarray, slice)) for i in index):
        warnings.warn(_SEQUENCE_AS_TUPLE, UserWarning, stacklevel=4)
        return tuple(index)
    return (index,)


def parse_index(x, index) -> tuple[tuple, list, tuple, str]:
    """A torch index as (basic spec, index arrays, their dims after the basic step, the
    grad_fn name torch gives a pure basic index), checking it like torch."""

    index = normalize_index(index)
    kinds = [_kind(i, Tensor) for i in index]
    if kinds.count("ellipsis") > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(1 for k in kinds if k in ("int", "slice", "array")) + sum(
        _host(i, Tensor).ndim for i, k in zip(index, kinds, strict=True) if k == "mask")
    shape = x.shape
    if used > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    spec: list = []
    arrays: list = []
    positions: list = []
    d = r = 0  # next dim of x, next dim of the basic result
    name = "AliasBackward0"
    for i, k in zip(index, kinds, strict=True):
        if k == "ellipsis":
            n = len(shape) - used
            spec.extend([_FULL] * n)
            d += n
            r += n
            continue
        if k == "int":
            v = _int(i)
            size = shape[d]
            if not -size <= v < size:
                raise IndexError(f"index {v} is out of bounds for dimension {d} with size {size}")
            spec.append(RuntimeInt(v + size if v < 0 else v))  # a new value never recompiles
            d += 1
            name = "SelectBackward0"
        elif k == "slice":
            if i.step is not None and _int(i.step) <= 0:
                raise ValueError("step must be greater than zero")
            start, stop, step = slice(_int(i.start), _int(i.stop), _int(i.step)).indices(shape[d])
            length = len(range(start, stop, step))
            if start == 0 and step == 1 and length == shape[d]:
                spec.append(_FULL)
            else:  # the length fixes the shape; where it starts is a runtime value
                spec.append(("dslice", RuntimeInt(start if length else 0), length, step))
            d += 1
            r += 1
            name = "SliceBackward0"
        elif k == "none":
            spec.append(None)
            r += 1
            name = "UnsqueezeBackward0"
        elif k == "bool":  # like a 0-dim mask: a new dim of size 1 (True) or 0 (False)
            spec.append(None)
            arrays.append(np.zeros(int(i), np.int64))
            positions.append(r)
            r += 1
        elif k == "array":
            a = _host(i, Tensor).astype(np.int64)
            size = shape[d]
            outside = (a >= size) | (a < -size)
            if outside.any():  # torch names the first one
                bad = int(a.reshape(-1)[np.argmax(outside.reshape(-1))])
                raise IndexError(f"index {bad} is out of bounds for dimension {len(arrays)} with "
                                 f"size {size}")
            spec.append(_FULL)
            arrays.append(a)
            positions.append(r)
            d += 1
            r += 1
        else:  # mask
            m = _host(i, Tensor)
            if m.ndim == 0:
                spec.append(None)
                arrays.append(np.zeros(int(bool(m)), np.int64))
                positions.append(r)
                r += 1
                continue
            for j in range(m.ndim):
                if m.shape[j] != shape[d + j]:
                    raise IndexError(f"The shape of the mask {list(m.shape)} at index {j} does "
                                     f"not match the shape of the indexed tensor "
                                     f"{list(shape[d:d + m.ndim])} at index {j}")
            for part in np.nonzero(m):
                spec.append(_FULL)
                arrays.append(part.astype(np.int64))
                positions.append(r)
                d += 1
                r += 1
    if len(arrays) > 1:
        try:
            np.broadcast_shapes(*(a.shape for a in arrays))
        except ValueError:
            shapes = ", ".join(str(list(a.shape)) for a in arrays)
            raise IndexError(f"shape mismatch: indexing tensors could not be broadcast together "
                             f"with shapes {shapes}") from None
    return tuple(spec), arrays, tuple(positions), name


def getitem(x, index):
    """``x[index]``: a view for basic indices, an IndexBackward0 copy with index tensors."""
    spec, arrays, positions, name = parse_index(x, index)
    if not positions:
        return dispatch(GETITEM, (x,), (spec, name))
    return dispatch(INDEX, (x, *arrays), (spec, positions))


def _put_name(index) -> str:
    """torch runs index_put_ on the tensor itself when the index is only index tensors, ``:``
    and ``...`` (IndexPutBackward0); anything else first makes a view, and writing into a view
    records CopySlices."""

    items = index if isinstance(index, tuple) else (index,)
    arrays = basic = False
    for i in items:
        k = _kind(i, Tensor)
        if k in ("array", "mask"):
            arrays = True
        elif k == "slice" and (i.start, i.stop, i.step) == (None, None, None):
            continue
        elif k != "ellipsis":
            basic = True
    return "IndexPutBackward0" if arrays and not basic else "CopySlices"


def _put(x, index, value, accumulate: bool, name: str):
    spec, arrays, positions, _ = parse_index(x, index)
    try:
        return dispatch(SETITEM, (x, value, *arrays), (spec, positions, accumulate, name))
    except (TypeError, ValueError):
        from .shape import expand

        if isinstance(value, Tensor):  # a value that does not fit: torch's expand message
            probe = np.broadcast_to(np.zeros((), np.int8), x.shape)  # no memory for x's size
            basic = jax.eval_shape(lambda p: _apply_basic(p, spec), probe).shape
            probe = np.broadcast_to(np.zeros((), np.int8), basic)
            if positions:
                probe = probe[tuple(arrays[positions.index(p)] if p in positions else
                                    slice(None) for p in range(max(positions) + 1))]
            expand(value, probe.shape)
        raise


def setitem_value(x, index, value):
    """The out-of-place result of ``x[index] = value``; the tensor layer rebinds ``x`` to it."""
    index = normalize_index(index)  # once: its warning is not repeated by parse_index
    return _put(x, index, value, False, _put_name(index))


def index_put(input, indices, values, accumulate: bool = False):
    """torch.index_put: ``input[indices] = values`` (or ``+=`` with ``accumulate``, where
    repeated indices add up), out of place."""

    indices = tuple(slice(None) if i is None else i for i in indices)
    for i in indices:
        if isinstance(i, Tensor) and (i.dtype.is_floating_point or i.dtype.is_complex):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if isinstance(values, Tensor) and values.dtype is not input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_name(input)} for the destination and {_name(values)} for the "
                           f"source.")
    return _put(input, indices, values, bool(accumulate), "IndexPutBackward0")


def _name(t) -> str:
    from .._dtypes import legacy_name

    return legacy_name(t.dtype)


expose("index_put", inplace=True)(index_put)
