"""The zip container torch >= 1.6 writes: ``<archive>/data.pkl`` plus one record per storage.

Records are stored uncompressed and, as torch's writer does, each one starts at a multiple of
64 bytes (padding goes into the local header's extra field), so a storage can be memory-mapped
straight from the file. Any damage the zip layer notices becomes torch's RuntimeError
("PytorchStreamReader failed ...").
"""

from __future__ import annotations

import os
import struct
import uuid
import zipfile
from typing import IO, Any

import numpy as np

from ._format import ALIGNMENT, ZIP_VERSION

_CORRUPT = (" If you are seeing this error, there is a high likelihood that your checkpoint file "
            "is corrupted. This can happen if the checkpoint was not saved properly, was "
            "transferred incorrectly, or the file was modified after saving.")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # the fixed 30 bytes before a record's name


class ZipReader:
    """Read records of one torch archive by their name below the archive's prefix."""

    def __init__(self, f: IO[bytes], path: str | None = None) -> None:
        try:
            self._zip = zipfile.ZipFile(f)
            names = self._zip.namelist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {e}."
                               + _CORRUPT) from None
        if not names:
            raise RuntimeError("PytorchStreamReader failed reading zip archive: archive is empty."
                               + _CORRUPT)
        self.prefix = names[0].split("/", 1)[0] + "/"
        self._names = set(names)
        self._path = path

    def has(self, name: str) -> bool:
        return self.prefix + name in self._names

    def read(self, name: str) -> bytes:
        full = self.prefix + name
        if full not in self._names:
            raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found")
        try:
            return self._zip.read(full)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as e:
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {e}."
                               + _CORRUPT) from None

    def memmap(self, name: str, dtype: np.dtype, count: int) -> np.ndarray:
        """A read-only memmap of an uncompressed record (``torch.load(mmap=True)``)."""
        info = self._zip.getinfo(self.prefix + name)
        if info.compress_type != zipfile.ZIP_STORED:
            raise RuntimeError(f"PytorchStreamReader: record {name} is compressed and cannot be "
                               f"memory-mapped")
        if info.file_size != count * np.dtype(dtype).itemsize:
            raise RuntimeError(f"PytorchStreamReader failed reading record {name}: size "
                               f"{info.file_size} does not match the tensor's storage."
                               + _CORRUPT)
        with open(self._path, "rb") as fh:
            fh.seek(info.header_offset)
            head = fh.read(_LOCAL_HEADER.size)
        if len(head) < _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
            raise RuntimeError(f"PytorchStreamReader failed reading file {name}: invalid header "
                               f"or archive is corrupted." + _CORRUPT)
        fields = _LOCAL_HEADER.unpack(head)
        start = info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
        if count == 0:
            return np.zeros(0, dtype=dtype)
        return np.memmap(self._path, dtype=dtype, mode="r", offset=start, shape=(count,))


class ZipWriter:
    """Write an archive torch can read: uncompressed records aligned to 64 bytes."""

    def __init__(self, f: IO[bytes], archive_name: str) -> None:
        self._zip = zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED)
        self._prefix = archive_name + "/"

    def write(self, name: str, data: Any) -> None:
        full = self._prefix + name
        info = zipfile.ZipInfo(full, date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        header_end = self._zip.fp.tell() + _LOCAL_HEADER.size + len(full.encode())
        pad = (-(header_end + 4)) % ALIGNMENT
        info.extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        self._zip.writestr(info, bytes(data) if not isinstance(data, bytes) else data)

    def close(self) -> None:
        self.write("version", ZIP_VERSION)
        self.write(".data/serialization_id", str(uuid.uuid4().int).zfill(40)[:40].encode())
        self._zip.close()


def archive_name(f: Any) -> str:
    """The top folder torch names the archive after: the file's stem, or "archive"."""
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return stem or "archive"
    return "archive"
