"""``x[idx]`` and ``x[idx] = v``: torch indexing semantics on JAX arrays.

An index is split into a static *spec* (ints, slices, None, Ellipsis — part of the jit cache key)
and the integer index arrays (passed as arguments, so new index values never recompile). Boolean
masks become integer indices on the host first, because their result shape depends on the data,
exactly the point where torch synchronises too.
"""

from __future__ import annotations

import numpy as np

from .dispatch import dispatch
from .registry import KEEP, register

_ARR = "arr"


def _build(spec: tuple, arrays: tuple) -> tuple:
    out = []
    for item in spec:
        if isinstance(item, tuple):
            if item[0] == _ARR:
                out.append(arrays[item[1]])
            else:
                out.append(slice(item[1], item[2], item[3]))
        else:
            out.append(item)
    return tuple(out)


def _getitem_impl(x, *rest):
    *arrays, spec = rest
    return x[_build(spec, tuple(arrays))]


def _setitem_impl(x, v, *rest):
    *arrays, spec = rest
    idx = _build(spec, tuple(arrays))
    target_shape = x[idx].shape
    return x.at[idx].set(np_broadcast(v.astype(x.dtype), target_shape))


def np_broadcast(v, shape):
    import jax.numpy as jnp

    # torch allows a value with extra leading 1-dims (e.g. shape (1, 3) into (3,))
    while v.ndim > len(shape) and v.shape[0] == 1:
        v = v[0]
    return jnp.broadcast_to(v, shape)


def _getitem_name(params: tuple) -> str:
    spec = params[0]
    if any(isinstance(i, tuple) and i[0] == _ARR for i in spec):
        return "IndexBackward0"
    for item in reversed(spec):
        if isinstance(item, int):
            return "SelectBackward0"
        if item is None:
            return "UnsqueezeBackward0"
        if isinstance(item, tuple):
            return "SliceBackward0"
    return "AliasBackward0"


def _setitem_name(params: tuple) -> str:
    """torch runs index_put_ on the tensor itself when the index is only index arrays, ``:`` and
    ``...`` (IndexPutBackward0); any int, partial slice or None first makes a view, and writing
    into a view records CopySlices."""
    spec = params[0]
    arrays = any(isinstance(i, tuple) and i[0] == _ARR for i in spec)
    basic = any(i is not Ellipsis and not (isinstance(i, tuple) and (
        i[0] == _ARR or i[1:] == (None, None, None))) for i in spec)
    return "IndexPutBackward0" if arrays and not basic else "CopySlices"


GETITEM = register("getitem", _getitem_impl, _getitem_name, dtype_rule=KEEP)
SETITEM = register("index_put", _setitem_impl, _setitem_name, dtype_rule=KEEP)


def _as_index_array(obj, T) -> list[np.ndarray]:
    """Host integer index array(s) for a tensor/list index; a bool mask gives one per dim."""
    if isinstance(obj, T):
        arr = np.asarray(obj._st.array)
    else:
        arr = np.asarray(obj)
        if arr.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if arr.dtype == np.bool_:
        return list(np.nonzero(arr))
    if arr.dtype.kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return [arr.astype(np.int64)]


def parse_index(x, index) -> tuple[tuple, list]:
    """Turn a torch index into (static spec, index arrays), checking bounds like torch."""
    from .._tensor import Tensor

    if not isinstance(index, tuple):
        index = (index,)
    spec: list = []
    arrays: list = []
    shape = x.shape
    consumed = sum(1 for i in index if i is not None and i is not Ellipsis
                   and not isinstance(i, bool))
    for i in index:
        if isinstance(i, (Tensor, list, np.ndarray)) and not (isinstance(i, Tensor) and i.ndim == 0
                                                              and i.dtype.name != "bool"):
            mask_dims = 0
            parts = _as_index_array(i, Tensor)
            if len(parts) > 1 or (isinstance(i, Tensor) and i.dtype.name == "bool"):
                mask_dims = len(parts)
            dim = len([s for s in spec if s is not None and s is not Ellipsis])
            for k, a in enumerate(parts):
                size = shape[dim + k] if dim + k < len(shape) else 0
                if a.size and (a.max() >= size or a.min() < -size):
                    bad = int(a.max() if a.max() >= size else a.min())
                    raise IndexError(f"index {bad} is out of bounds for dimension {dim + k} with "
                                     f"size {size}")
                spec.append((_ARR, len(arrays)))
                arrays.append(a)
            consumed += max(mask_dims - 1, 0)
        elif isinstance(i, Tensor):  # 0-dim integer tensor acts like an int
            spec.append(int(i.item()))
        elif isinstance(i, bool):
            spec.append(None)  # torch treats a Python bool as a new axis (masked by the value)
            if not i:
                raise NotImplementedError("indexing with False is not supported")
        elif isinstance(i, (int, np.integer)):
            dim = len([s for s in spec if s is not None and s is not Ellipsis])
            if Ellipsis in spec:
                dim = len(shape) - (consumed - dim)
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if not -size <= int(i) < size:
                raise IndexError(f"index {int(i)} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            spec.append(int(i))
        elif isinstance(i, slice):
            if i.step is not None and i.step <= 0:
                raise ValueError("step must be greater than zero")
            spec.append(("slice", _int_or_none(i.start), _int_or_none(i.stop),
                         _int_or_none(i.step)))
        elif i is None or i is Ellipsis:
            spec.append(i)
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                             "Variables are valid indices (got " + type(i).__name__ + ")")
    if consumed > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    return tuple(spec), arrays


def _int_or_none(v):
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    return int(v)


def getitem(x, index):
    spec, arrays = parse_index(x, index)
    return dispatch(GETITEM, (x, *arrays), (spec,))


def setitem_value(x, index, value):
    """The out-of-place result of ``x[index] = value``; the tensor layer rebinds ``x`` to it."""
    spec, arrays = parse_index(x, index)
    try:
        return dispatch(SETITEM, (x, value, *arrays), (spec,))
    except (TypeError, ValueError):
        from .._tensor import Tensor
        from .shape import expand

        if isinstance(value, Tensor):  # a value that does not fit: torch's expand message
            probe = np.broadcast_to(np.zeros((), np.int8), x.shape)  # no memory for x's size
            expand(value, probe[_build(spec, tuple(arrays))].shape)
        raise
