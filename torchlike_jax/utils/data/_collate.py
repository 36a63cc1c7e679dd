"""``default_collate`` / ``default_convert``: samples -> batches, numpy -> tensors.

The dispatch table is torch's: the exact type first, then the first ``isinstance`` match,
then the container rules (mappings keep their type, namedtuples stay namedtuples, tuples
become lists, other sequences keep their type where they can be rebuilt). Tensors are stacked
with ``torch.stack``; Python floats become float64, ints int64, bools bool, as torch's.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ... import _dtypes
from ..._creation import as_tensor, tensor
from ...core.tensor import Tensor
from ...ops.joining import stack

__all__ = ["collate", "default_collate", "default_collate_err_msg_format",
           "default_collate_fn_map", "default_convert"]

# numpy dtypes a tensor cannot hold: bytes, unicode, object (``dtype.str`` letters)
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, "
                                  "numbers, dicts or lists; found {}")

_CollateMap = dict[type | tuple[type, ...], Callable]


def default_convert(data: Any) -> Any:
    """Turn numpy arrays/scalars (at any container depth) into tensors; leave the rest."""
    kind = type(data)
    if isinstance(data, Tensor):
        return data
    if kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_", "bytes_"):
        if kind is np.ndarray and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {k: default_convert(data[k]) for k in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return kind(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(like: Any, values: dict) -> Any:
    """A mapping of ``like``'s type holding ``values`` (a plain dict if it cannot be built)."""
    try:
        if isinstance(like, collections.abc.MutableMapping):
            clone = copy.copy(like)
            clone.update(values)
            return clone
        return type(like)(values)
    except TypeError:
        return values


def _rebuild_sequence(like: Any, values: list) -> Any:
    try:
        if isinstance(like, collections.abc.MutableSequence):
            clone = copy.copy(like)
            for i, v in enumerate(values):
                clone[i] = v
            return clone
        return type(like)(values)
    except TypeError:
        return values


def collate(batch: list, *, collate_fn_map: _CollateMap | None = None) -> Any:
    """Collate a list of samples by the type of the first one (see module docstring)."""
    elem = batch[0]
    kind = type(elem)
    if collate_fn_map is not None:
        if kind in collate_fn_map:
            return collate_fn_map[kind](batch, collate_fn_map=collate_fn_map)
        for types, fn in collate_fn_map.items():
            if isinstance(elem, types):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        values = {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem}
        return _rebuild_mapping(elem, values)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        columns = zip(*batch, strict=False)
        return kind(*(collate(list(s), collate_fn_map=collate_fn_map) for s in columns))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [collate(list(s), collate_fn_map=collate_fn_map)
                   for s in zip(*batch, strict=False)]
        return columns if isinstance(elem, tuple) else _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(kind))


def collate_tensor_fn(batch: list, *, collate_fn_map: _CollateMap | None = None) -> Tensor:
    return stack(batch, 0)


def collate_numpy_array_fn(batch: list, *, collate_fn_map: _CollateMap | None = None) -> Any:
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch: list, *, collate_fn_map: _CollateMap | None = None) -> Tensor:
    return as_tensor(np.asarray(batch))


def collate_float_fn(batch: list, *, collate_fn_map: _CollateMap | None = None) -> Tensor:
    return tensor(batch, dtype=_dtypes.float64)


def collate_int_fn(batch: list, *, collate_fn_map: _CollateMap | None = None) -> Tensor:
    return tensor(batch)  # int64, or bool when the samples are bools


def collate_str_fn(batch: list, *, collate_fn_map: _CollateMap | None = None) -> list:
    return batch


default_collate_fn_map: _CollateMap = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: list) -> Any:
    """Stack a list of samples into a batch with torch's rules (see module docstring)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
