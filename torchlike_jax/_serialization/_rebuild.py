"""Storages and tensors coming out of a checkpoint.

A torch file stores each storage once (flat raw bytes) and describes every tensor as a window
on one: ``(storage, offset, size, stride)``. Our tensors own no strided memory, so each tensor
is built by reading that window with numpy (``as_strided`` on the flat storage) and copying it
into a fresh JAX array: values, shapes and dtypes are torch's; two tensors that shared a
storage in the file come back independent (a write to one is not seen by the other), and each
reports contiguous strides. These functions are what the unpicklers hand out for
``torch._utils._rebuild_tensor_v2`` & co.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtypes
from .._creation import _leaf
from .._device import CPU, cuda_available, device
from ..core.tensor import Tensor

_NO_CUDA = ("Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
            "False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU.")


class LoadedStorage:
    """One storage read from a file: a flat host array (possibly a read-only memmap) and the
    device its tensors go to. ``map_location`` callables receive and may return one."""

    __slots__ = ("array", "device")

    def __init__(self, array: np.ndarray, dev: device = CPU) -> None:
        self.array = array
        self.device = dev

    @property
    def dtype(self) -> _dtypes.dtype:
        return _dtypes.from_numpy_dtype(self.array.dtype)

    def size(self) -> int:
        return int(self.array.size)

    def nbytes(self) -> int:
        return int(self.array.nbytes)

    def to(self, dev: Any) -> LoadedStorage:
        return LoadedStorage(self.array, device(dev) if not isinstance(dev, device) else dev)

    def cpu(self) -> LoadedStorage:
        return self.to(CPU)

    def cuda(self, index: int | None = None) -> LoadedStorage:
        return self.to(device("cuda", index))

    def __repr__(self) -> str:
        return f"LoadedStorage(dtype={self.dtype}, size={self.size()}, device='{self.device}')"


def resolve_device(storage: LoadedStorage, location: str, map_location: Any) -> LoadedStorage:
    """Apply ``map_location`` (None, str, device, dict or callable) to a storage saved at
    ``location``, as torch does, and check that the chosen device exists."""
    if map_location is None:
        out = storage.to(location)
    elif isinstance(map_location, (str, device)):
        out = storage.to(map_location)
    elif isinstance(map_location, dict):
        out = storage.to(map_location.get(location, location))
    elif callable(map_location):
        result = map_location(storage, location)
        out = storage.to(location) if result is None else result
        if not isinstance(out, LoadedStorage):
            raise TypeError(f"map_location should return a storage or None, not "
                            f"{type(out).__name__}")
    else:
        raise TypeError(f"'{type(map_location).__name__}' object is not callable")
    if out.device.type == "cuda" and not cuda_available():
        raise RuntimeError(_NO_CUDA)
    if out.device.type not in ("cpu", "cuda"):
        raise RuntimeError(f"don't know how to restore data location of {out.device}")
    return out


def _window(storage: LoadedStorage, offset: int, size: tuple, stride: tuple) -> np.ndarray:
    """The elements of ``storage`` that a tensor with this layout sees, as a numpy view."""
    flat = storage.array
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape: {len(size)} sizes and "
                           f"{len(stride)} strides")
    if math.prod(size) == 0:
        return np.zeros(size, dtype=flat.dtype)
    needed = offset + 1 + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if offset < 0 or min(stride, default=0) < 0 or needed > flat.size:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {flat.itemsize} requiring a storage "
                           f"size of {needed * flat.itemsize} are out of bounds for storage of "
                           f"size {flat.nbytes}")
    item = flat.itemsize
    return np.lib.stride_tricks.as_strided(flat[offset:], size, tuple(s * item for s in stride),
                                           writeable=False)


def _tensor_from(storage: LoadedStorage, offset: int, size: tuple, stride: tuple,
                 requires_grad: bool, dtype: _dtypes.dtype | None = None) -> Tensor:
    if storage.array is None:  # legacy format: the bytes come after the pickle (_legacy.py)
        return storage.defer(offset, size, stride, requires_grad, dtype)
    if dtype is not None and dtype.np != storage.array.dtype:
        # an untyped (byte) storage read as ``dtype`` (torch's _rebuild_tensor_v3)
        storage = LoadedStorage(storage.array.view(dtype.np), storage.device)
    host = _window(storage, offset, size, stride)
    dt = _dtypes.from_numpy_dtype(host.dtype)
    t = _leaf(host, dt, False, storage.device if storage.device.type != "cpu" else None)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_tensor(storage: LoadedStorage, storage_offset: int, size: tuple,
                   stride: tuple) -> Tensor:
    """``torch._utils._rebuild_tensor``: the oldest form, no autograd flag."""
    return _tensor_from(storage, storage_offset, size, stride, False)


def rebuild_tensor_v2(storage: LoadedStorage, storage_offset: int, size: tuple, stride: tuple,
                      requires_grad: bool, backward_hooks: Any, metadata: Any = None) -> Tensor:
    """``torch._utils._rebuild_tensor_v2``: what every plain tensor in a torch file becomes.
    ``backward_hooks`` (always empty when torch writes it) and ``metadata`` (conj/neg bits)
    are not kept."""
    return _tensor_from(storage, storage_offset, size, stride, requires_grad)


def rebuild_tensor_v3(storage: LoadedStorage, storage_offset: int, size: tuple, stride: tuple,
                      requires_grad: bool, backward_hooks: Any, dtype: _dtypes.dtype,
                      metadata: Any = None) -> Tensor:
    """``torch._utils._rebuild_tensor_v3``: an untyped storage plus an explicit dtype."""
    return _tensor_from(storage, storage_offset, size, stride, requires_grad, dtype)


def rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any) -> Any:
    """``torch._utils._rebuild_parameter``."""
    from ..nn.parameter import Parameter

    return Parameter(data, requires_grad)


def rebuild_parameter_with_state(data: Tensor, requires_grad: bool, backward_hooks: Any,
                                 state: Any) -> Any:
    """``torch._utils._rebuild_parameter_with_state``: a Parameter carrying Python attributes."""
    param = rebuild_parameter(data, requires_grad, backward_hooks)
    _set_state(param, state)
    return param


def rebuild_from_type_v2(func: Callable, new_type: type, args: tuple, state: Any) -> Any:
    """``torch._tensor._rebuild_from_type_v2``: a tensor subclass or a tensor with attributes."""
    from ..nn.parameter import Parameter

    result = func(*args)
    if new_type is Parameter and not isinstance(result, Parameter):
        result = Parameter(result, result.requires_grad)
    _set_state(result, state)
    return result


def _set_state(obj: Any, state: Any) -> None:
    """Python attributes torch pickled with a tensor (a dict, or a (dict, slots) pair)."""
    if not state:
        return
    dicts = state if isinstance(state, tuple) else (state,)
    for d in dicts:
        for name, value in (d or {}).items():
            try:
                setattr(obj, name, value)
            except AttributeError:  # a plain Tensor has __slots__: no Python attributes
                warnings.warn(f"torch.load: dropped the Python attribute {name!r} of a "
                              f"{type(obj).__name__} (this type cannot carry attributes)",
                              UserWarning, stacklevel=4)


def storage_from_bytes(data: Any, dtype: _dtypes.dtype, numel: int, key: str,
                       big_endian: bool = False) -> np.ndarray:
    """A flat array of ``numel`` elements over a record's bytes, checking the record's size."""
    nbytes = numel * dtype.itemsize
    if len(data) != nbytes:
        raise RuntimeError(f"PytorchStreamReader failed reading record data/{key}: expected "
                           f"{nbytes} bytes for {numel} elements of {dtype}, found {len(data)}; "
                           f"the checkpoint file is corrupted or truncated")
    arr = np.frombuffer(data, dtype=dtype.np, count=numel)
    if big_endian and dtype.itemsize > 1:
        arr = arr.byteswap()
    return arr
