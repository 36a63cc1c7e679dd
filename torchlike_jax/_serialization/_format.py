"""What torch's checkpoint formats call things: storage classes per dtype, magic numbers.

A torch file names each storage's element type by a legacy class (``torch.FloatStorage``...);
both the reader and the writer need that table, so it lives here once.
"""

from __future__ import annotations

from .. import _dtypes as dtypes

# storage class name in the pickle <-> element dtype (torch's legacy typed storages)
STORAGE_DTYPES: dict[str, dtypes.dtype] = {
    "DoubleStorage": dtypes.float64,
    "FloatStorage": dtypes.float32,
    "HalfStorage": dtypes.float16,
    "BFloat16Storage": dtypes.bfloat16,
    "LongStorage": dtypes.int64,
    "IntStorage": dtypes.int32,
    "ShortStorage": dtypes.int16,
    "CharStorage": dtypes.int8,
    "ByteStorage": dtypes.uint8,
    "BoolStorage": dtypes.bool_,
    "ComplexFloatStorage": dtypes.complex64,
    "ComplexDoubleStorage": dtypes.complex128,
}
STORAGE_NAMES: dict[str, str] = {d.name: name for name, d in STORAGE_DTYPES.items()}

# the legacy (non-zip) stream: a pickled magic number and protocol version open the file
LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
LEGACY_PROTOCOL = 1001
ZIP_MAGIC = b"PK\x03\x04"
ZIP_VERSION = b"3\n"  # what torch 2.x writes in <archive>/version
ALIGNMENT = 64  # storages start at multiples of this in the archive (torch's mmap needs it)
PICKLE_PROTOCOL = 2  # torch.save's default protocol


class StorageType:
    """What ``torch.FloatStorage`` & co. unpickle to: only the element dtype matters."""

    __slots__ = ("name", "dtype")

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = STORAGE_DTYPES[name]

    def __repr__(self) -> str:
        return f"StorageType(dtype={self.dtype})"


STORAGE_TYPES: dict[str, StorageType] = {n: StorageType(n) for n in STORAGE_DTYPES}
