"""torch's pre-1.6 stream format (``torch.save(..., _use_new_zipfile_serialization=False)``).

Layout: pickled magic number, pickled protocol version (1001), pickled system info (byte
order, C type sizes), the pickled object (storages as persistent ids), a pickled list of
storage keys, then per key an 8-byte element count and the raw bytes. The storages come
*after* the object, so tensors met while unpickling are empty handles filled in once the
bytes have been read (:class:`PendingStorage`).
"""

from __future__ import annotations

import pickle
import struct
from typing import IO, Any

import jax

from ..core.tensor import Tensor
from ..core.tensor_access import array_of, set_array
from . import _rebuild
from ._format import LEGACY_MAGIC, LEGACY_PROTOCOL, PICKLE_PROTOCOL, StorageType


class PendingStorage(_rebuild.LoadedStorage):
    """A storage whose bytes are still ahead in the stream; tensors on it wait in ``waiting``."""

    __slots__ = ("dtype_", "numel", "waiting")

    def __init__(self, dtype: Any, numel: int) -> None:
        super().__init__(None)
        self.dtype_, self.numel, self.waiting = dtype, numel, []

    @property
    def dtype(self) -> Any:
        return self.dtype_


def read_header(f: IO[bytes]) -> bool:
    """Check the magic number and protocol; return whether the file is little-endian."""
    try:
        magic = pickle.load(f)
    except EOFError:
        raise
    except Exception:
        raise RuntimeError("Invalid magic number; corrupt file?") from None
    if magic != LEGACY_MAGIC:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = pickle.load(f)
    if version != LEGACY_PROTOCOL:
        raise RuntimeError(f"Invalid protocol version: {version}")
    sys_info = pickle.load(f)
    return bool(sys_info.get("little_endian", True)) if isinstance(sys_info, dict) else True


def make_loader(map_location: Any) -> tuple[dict, Any]:
    """A persistent-id loader for the legacy format and the table of storages it creates."""
    storages: dict[str, PendingStorage] = {}

    def load_storage(pid: tuple) -> Any:
        if len(pid) != 6 or not isinstance(pid[1], StorageType):
            raise pickle.UnpicklingError(f"Unknown saved storage id: {pid!r}")
        _, stype, key, location, numel, view_metadata = pid
        if view_metadata is not None:
            raise RuntimeError("legacy storage views (torch < 0.4 files) are not supported")
        st = storages.get(key)
        if st is None:
            st = storages[key] = PendingStorage(stype.dtype, int(numel))
        target = _rebuild.resolve_device(_rebuild.LoadedStorage(None), location, map_location)
        return _Placed(st, target.device)

    return storages, load_storage


class _Placed(_rebuild.LoadedStorage):
    """A pending storage seen through a device choice (map_location)."""

    __slots__ = ("pending",)

    def __init__(self, pending: PendingStorage, dev: Any) -> None:
        super().__init__(None, dev)
        self.pending = pending

    @property
    def dtype(self) -> Any:
        return self.pending.dtype_

    def defer(self, offset: int, size: tuple, stride: tuple, requires_grad: bool,
              dtype: Any) -> Tensor:
        """A handle for a tensor on this pending storage; :func:`read_storages` gives it its
        array. Until then it holds a shape/dtype placeholder, enough for ``Parameter(t)``."""
        dt = dtype or self.pending.dtype_
        t = Tensor._wrap(jax.ShapeDtypeStruct(tuple(int(n) for n in size), dt.np))
        if requires_grad:
            t.requires_grad_(True)
        self.pending.waiting.append((t, self.device, offset, size, stride, requires_grad, dtype))
        return t


def read_storages(f: IO[bytes], storages: dict, little_endian: bool) -> None:
    """Read the key list and the raw storages, then fill every waiting tensor."""
    keys = pickle.load(f)
    for key in keys:
        head = f.read(8)
        if len(head) != 8:
            raise RuntimeError("unexpected EOF, expected 8 more bytes. The file might be "
                               "corrupted.")
        numel = struct.unpack("<q" if little_endian else ">q", head)[0]
        st = storages.get(key)
        if st is None:
            raise RuntimeError(f"legacy checkpoint: storage {key} has no owner in the pickle")
        nbytes = numel * st.dtype_.itemsize
        data = f.read(nbytes)
        if len(data) != nbytes or numel != st.numel:
            raise RuntimeError(f"unexpected EOF, expected {nbytes - len(data)} more bytes. The "
                               f"file might be corrupted.")
        st.array = _rebuild.storage_from_bytes(data, st.dtype_, numel, key, not little_endian)
    for st in storages.values():
        if st.array is None:
            raise RuntimeError("unexpected EOF: a storage's data is missing. The file might be "
                               "corrupted.")
        for t, dev, offset, size, stride, requires_grad, dtype in st.waiting:
            real = _rebuild._tensor_from(_rebuild.LoadedStorage(st.array, dev), offset, size,
                                         stride, requires_grad, dtype)
            set_array(t, array_of(real))
            t._requires_grad = real._requires_grad


def write(f: IO[bytes], data_pkl: bytes, table: Any) -> None:
    """Write an already pickled object (``data_pkl``) and its storages in the legacy format."""
    import sys

    for header in (LEGACY_MAGIC, LEGACY_PROTOCOL,
                   {"protocol_version": LEGACY_PROTOCOL, "little_endian": sys.byteorder == "little",
                    "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(header, f, protocol=PICKLE_PROTOCOL)
    f.write(data_pkl)
    pickle.dump([rec.key for rec in table.records], f, protocol=PICKLE_PROTOCOL)
    for rec in table.records:
        f.write(struct.pack("<q" if sys.byteorder == "little" else ">q", int(rec.host.size)))
        f.write(rec.host.tobytes())
