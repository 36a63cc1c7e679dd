"""``torch.save`` / ``torch.load`` and ``torch.serialization``'s safe-globals registry.

Files are torch's own formats, so checkpoints move both ways between this package and real
PyTorch: ``save`` writes the zip format torch 2.x reads (also with ``weights_only=True``);
``load`` reads that format and torch's legacy stream format, without torch installed. The
format details live in ``torchlike_jax._serialization``; this module opens files, picks the
format and the unpickler, and owns the public API.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
from collections.abc import Iterator
from typing import IO, Any

from . import _device
from ._serialization import _legacy, _pickle, _rebuild, _unpickle, _zip
from ._serialization._format import (
    ALIGNMENT,
    PICKLE_PROTOCOL,
    ZIP_MAGIC,
    StorageType,
)

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = PICKLE_PROTOCOL
FileLike = str | os.PathLike | IO[bytes]


# ---- safe globals --------------------------------------------------------------------------
def add_safe_globals(safe_globals: list[Any]) -> None:
    """Allow these classes/functions (or ``(obj, "module.name")`` pairs) in weights-only loads."""
    _unpickle._safe_globals.extend(safe_globals)


def get_safe_globals() -> list[Any]:
    """The user's additions to the weights-only allow list."""
    return list(_unpickle._safe_globals)


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    _unpickle._safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: list[Any]) -> Iterator[None]:
    """Allow these globals for weights-only loads inside the ``with`` block only."""
    saved = list(_unpickle._safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _unpickle._safe_globals[:] = saved


# ---- files ----------------------------------------------------------------------------------
@contextlib.contextmanager
def _opened(f: FileLike, mode: str) -> Iterator[IO[bytes]]:
    if isinstance(f, (str, os.PathLike)):
        with open(f, mode) as fh:
            yield fh
    else:
        if "r" in mode and not hasattr(f, "read"):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute 'read'")
        if "w" in mode and not hasattr(f, "write"):
            raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
        yield f


# ---- save -------------------------------------------------------------------------------------
def save(obj: Any, f: FileLike, pickle_module: Any = pickle,
         pickle_protocol: int = DEFAULT_PROTOCOL, _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Write ``obj`` to ``f`` (a path or a binary file object) in torch's zip format.

    Tensors sharing memory (views of one base, ``detach()``/``Parameter`` aliases) share one
    storage in the file, as in torch. ``pickle_module`` is accepted for torch's signature; the
    pickling itself is always this package's torch-naming pickler.
    """
    table = _pickle.StorageTable(legacy=not _use_new_zipfile_serialization)
    # pickle first: an object that cannot be pickled leaves no half-written file behind
    buf = io.BytesIO()
    _pickle.TorchPickler(buf, table, pickle_protocol,
                         legacy=not _use_new_zipfile_serialization).dump(obj)
    with _opened(f, "wb") as fh:
        if not _use_new_zipfile_serialization:
            _legacy.write(fh, buf.getvalue(), table)
            return
        writer = _zip.ZipWriter(fh, _zip.archive_name(f))
        writer.write("data.pkl", buf.getvalue())
        writer.write(".format_version", b"1")
        writer.write(".storage_alignment", str(ALIGNMENT).encode())
        if not _disable_byteorder_record:
            writer.write("byteorder", _pickle.BYTEORDER.encode())
        for rec in table.records:
            writer.write(f"data/{rec.key}", _pickle.storage_bytes(rec))
        writer.close()


# ---- load ---------------------------------------------------------------------------------------
def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """Read an object saved by ``torch.save`` (torch's or ours) from a path or file object.

    ``weights_only`` (default True, as torch >= 2.6) allows only tensors, containers,
    primitives and the globals added with :func:`add_safe_globals`. ``map_location`` is a
    device (or its name), a dict from saved to new locations, or a callable
    ``(storage, location) -> storage | None``. ``mmap=True`` reads storages through a numpy
    memmap of the file (tensors are still copied into JAX arrays).
    """
    if weights_only is None:
        weights_only = True
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    if not (map_location is None or isinstance(map_location, (str, dict, _device.device))
            or callable(map_location)):
        raise TypeError(f"'{type(map_location).__name__}' object is not callable")
    path = os.fspath(f) if isinstance(f, (str, os.PathLike)) else None
    if mmap and path is None:
        raise ValueError("f must be a file path in order to use the mmap argument")
    with _opened(f, "rb") as fh:
        if not _seekable(fh):
            fh = io.BytesIO(fh.read())
        start = fh.tell()
        head = fh.read(4)
        fh.seek(start)
        if head == ZIP_MAGIC:
            return _load_zip(fh, path, map_location, weights_only, bool(mmap),
                             pickle_load_args)
        if mmap:
            raise RuntimeError("mmap can only be used with files saved with "
                               "`torch.save(_use_new_zipfile_serialization=True), please "
                               "torch.save your checkpoint with this option in order to use "
                               "mmap.")
        return _load_legacy(fh, map_location, weights_only, pickle_load_args)


def _seekable(fh: Any) -> bool:
    try:
        return bool(fh.seekable())
    except (AttributeError, ValueError):
        return False


def _unpickle_with(data: IO[bytes], load_storage: Any, weights_only: bool,
                   pickle_load_args: dict) -> Any:
    if not weights_only:
        return _unpickle.FullUnpickler(data, load_storage, **pickle_load_args).load()
    unpickler = _unpickle.WeightsOnlyUnpickler(data, load_storage,
                                               pickle_load_args.get("encoding", "utf-8"))
    try:
        return unpickler.load()
    except (pickle.UnpicklingError, RuntimeError, EOFError):
        raise
    except Exception as e:  # anything an allowed global did wrong: torch's refusal
        if e is unpickler.storage_error:  # a damaged file or a bad map_location: as it is
            raise
        raise _unpickle.weights_only_error(f"{type(e).__name__}: {e}") from None


def _load_zip(fh: IO[bytes], path: str | None, map_location: Any, weights_only: bool,
              mmap: bool, pickle_load_args: dict) -> Any:
    reader = _zip.ZipReader(fh, path)
    big = reader.has("byteorder") and reader.read("byteorder").strip() == b"big"
    if mmap and big != (_pickle.BYTEORDER == "big"):
        raise RuntimeError("torch.load(mmap=True) needs a file saved in this machine's byte "
                           "order")
    data_pkl = reader.read("data.pkl")
    storages: dict[str, _rebuild.LoadedStorage] = {}

    def load_storage(pid: tuple) -> _rebuild.LoadedStorage:
        if len(pid) != 5 or not isinstance(pid[1], StorageType):
            raise pickle.UnpicklingError(f"Unknown saved storage id: {pid!r}")
        _, stype, key, location, numel = pid
        key = str(key)
        if key not in storages:
            record = f"data/{key}"
            if mmap:
                arr = reader.memmap(record, stype.dtype.np, int(numel))
            else:
                arr = _rebuild.storage_from_bytes(reader.read(record), stype.dtype, int(numel),
                                                  key, big != (_pickle.BYTEORDER == "big"))
            storages[key] = _rebuild.LoadedStorage(arr)
        return _rebuild.resolve_device(storages[key], location, map_location)

    return _unpickle_with(io.BytesIO(data_pkl), load_storage, weights_only, pickle_load_args)


def _load_legacy(fh: IO[bytes], map_location: Any, weights_only: bool,
                 pickle_load_args: dict) -> Any:
    little = _legacy.read_header(fh)
    storages, load_storage = _legacy.make_loader(map_location)
    result = _unpickle_with(fh, load_storage, weights_only, pickle_load_args)
    _legacy.read_storages(fh, storages, little)
    return result
