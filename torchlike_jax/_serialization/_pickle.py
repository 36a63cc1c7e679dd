"""The pickler behind ``torch.save``: our objects written under torch's global names.

A torch checkpoint names ``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``,
``torch.float32``... as pickle globals. Python's C pickler refuses to write a global it cannot
import and find again, and this package must not import torch, so the writer is the
pure-Python pickler with one extra opcode writer for :class:`TorchGlobal` names.

Storages: every tensor points at the *root* storage holding its memory (a view's base, a
``detach()``/``.data``/``Parameter`` alias's source), and each root is written once. A view
is written as ``(root, offset, size, stride)`` with the layout torch would report for it, after
checking with numpy that this layout really reproduces the view's values; a view whose layout
cannot be expressed that way (or whose dtype differs from its base, like ``.real`` of a
complex tensor) is written as a contiguous copy of its own.
"""

from __future__ import annotations

import collections
import pickle
import sys
from typing import IO, Any

import numpy as np

from .. import _dtypes as dtypes
from .._device import device
from .._size import Size
from ..core.strides import contiguous_strides
from ..core.tensor import Tensor, _DataStorage
from ..core.tensor_access import array_of, storage_of
from ..core.views import ViewStorage
from ._format import STORAGE_NAMES
from ._rebuild import LoadedStorage, _window


class TorchGlobal:
    """A global ``module.name`` of torch's, written by name only."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is a name in a torch file, not a function")


_GLOBALS: dict[tuple[str, str], TorchGlobal] = {}


def torch_global(module: str, name: str) -> TorchGlobal:
    key = (module, name)
    if key not in _GLOBALS:
        _GLOBALS[key] = TorchGlobal(module, name)
    return _GLOBALS[key]


class StorageRecord:
    """One storage of the file: its key, host bytes, element dtype and location."""

    __slots__ = ("key", "host", "dtype", "location")

    def __init__(self, key: str, host: np.ndarray, dtype: dtypes.dtype, location: str) -> None:
        self.key, self.host, self.dtype, self.location = key, host, dtype, location

    def pid(self, legacy: bool) -> tuple:
        kind = torch_global("torch", STORAGE_NAMES[self.dtype.name])
        pid = ("storage", kind, self.key, self.location, int(self.host.size))
        return pid + (None,) if legacy else pid


def _root(st: Any) -> Any:
    """The storage that really holds a tensor's memory."""
    while True:
        if isinstance(st, ViewStorage):
            st = st.base_st
        elif isinstance(st, _DataStorage):
            st = st._src
        else:
            return st


class StorageTable:
    """Distinct root storages met while pickling, in order of first use."""

    def __init__(self, legacy: bool = False) -> None:
        self.records: list[StorageRecord] = []
        self._by_root: dict[int, tuple[Any, StorageRecord]] = {}
        self._legacy = legacy

    def _new(self, host: np.ndarray, dtype: dtypes.dtype, location: str) -> StorageRecord:
        key = str(len(self.records))
        rec = StorageRecord(key, np.ascontiguousarray(host).reshape(-1), dtype, location)
        self.records.append(rec)
        return rec

    def place(self, t: Tensor) -> tuple[StorageRecord, int, tuple, tuple]:
        """(storage record, offset, size, stride) describing tensor ``t``."""
        if t.dtype.name not in STORAGE_NAMES:
            raise RuntimeError(f"torch.save: dtype {t.dtype} has no storage type")
        location = str(t.device)
        size = tuple(t.shape)
        root = _root(storage_of(t))
        entry = self._by_root.get(id(root))
        is_view = isinstance(storage_of(t), ViewStorage)
        if entry is None:
            base = np.asarray(root.array)
            if base.dtype != t.dtype.np or (is_view and not _layout_ok(t, base)):
                return self._new(np.asarray(array_of(t)), t.dtype, location), 0, size, \
                    contiguous_strides(size)
            entry = (root, self._new(base, t.dtype, location))
            self._by_root[id(root)] = entry  # the root is kept alive by the entry
        rec = entry[1]
        if not is_view:
            return rec, 0, size, contiguous_strides(size)
        if rec.dtype is not t.dtype or not _layout_ok(t, rec.host):
            copied = self._new(np.asarray(array_of(t)), t.dtype, location)
            return copied, 0, size, contiguous_strides(size)
        return rec, t.storage_offset(), size, tuple(t.stride())



def _layout_ok(t: Tensor, base: np.ndarray) -> bool:
    """Does (offset, stride) on the flat base give exactly the view's elements?"""
    try:
        window = _window(LoadedStorage(base.reshape(-1)), t.storage_offset(), tuple(t.shape),
                         tuple(t.stride()))
    except (RuntimeError, ValueError):
        return False
    own = np.ascontiguousarray(np.asarray(array_of(t)))
    return np.ascontiguousarray(window).tobytes() == own.tobytes()


class TorchPickler(pickle._Pickler):  # the pure-Python pickler: it can write any global name
    dispatch = dict(pickle._Pickler.dispatch)

    def __init__(self, file: IO[bytes], table: StorageTable, protocol: int,
                 legacy: bool = False) -> None:
        super().__init__(file, protocol)
        self.table = table
        self.legacy = legacy

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, StorageRecord):
            return obj.pid(self.legacy)
        return None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, device):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return torch_global("torch", "device"), args
        if isinstance(obj, Size):
            return torch_global("torch", "Size"), (tuple(obj),)
        return NotImplemented

    def _reduce_tensor(self, t: Tensor) -> tuple:
        from ..nn.parameter import Parameter

        if isinstance(t, Parameter):
            return (torch_global("torch._utils", "_rebuild_parameter"),
                    (t.detach(), t.requires_grad, collections.OrderedDict()))
        rec, offset, size, stride = self.table.place(t)
        return (torch_global("torch._utils", "_rebuild_tensor_v2"),
                (rec, offset, size, stride, t.requires_grad, collections.OrderedDict()))

    def save_torch_global(self, obj: TorchGlobal) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def save_dtype(self, obj: dtypes.dtype) -> None:
        self.save_torch_global(torch_global("torch", obj.name))

    dispatch[TorchGlobal] = save_torch_global
    dispatch[dtypes.dtype] = save_dtype


def storage_bytes(rec: StorageRecord) -> bytes:
    """A storage's raw bytes in this machine's byte order (recorded in the file)."""
    return rec.host.tobytes()


BYTEORDER = sys.byteorder
