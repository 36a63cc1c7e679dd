"""Storages that share memory with a numpy array (the numpy bridge's state).

Torch's ``t.numpy()`` and ``torch.from_numpy(a)`` share memory, so a write on either side shows on
the other. A JAX array is immutable, but on CPU ``jax.device_put`` of a C-contiguous, 64-byte
aligned numpy array does not copy: the JAX array reads that memory (measured on jax 0.10: every
dtype, bfloat16 included; ``jnp.asarray`` always copies, and 16/32-byte aligned memory is
copied). Two storage kinds build on that, both :class:`~torchlike_jax.core.tensor.Storage`
subclasses with no slots of their own, so a plain storage turns into one in place (views,
``detach()`` and ``.data`` aliases keep pointing at the same box):

* :class:`HostStorage` — the array aliases the numpy buffer (``host.np``). Numpy writes are
  seen by the next op with no copy; an in-place op copies its result into the buffer. JAX runs
  ops asynchronously, so an op still running could read a numpy write made after it was called:
  reading the array sets :data:`pending`, and dispatch then waits for the op's outputs.
* :class:`MirrorStorage` — the user's array cannot be aliased (not 64-byte aligned, or not
  C-contiguous). The storage holds a private snapshot; each read compares the array with the
  snapshot (O(n)) and re-snapshots when numpy wrote into it; an in-place op writes into it.

Tensors that never met numpy keep the plain ``Storage``: nothing here runs for them except the
``pending`` test in dispatch (one attribute read per op).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .tensor import Storage

_SLOT = Storage.__dict__["array"]  # the slot that holds the jax array
ALIGN = 64  # XLA:CPU's minimum alignment for a zero-copy host buffer


class _Pending:
    """Whether some op read a numpy-aliased array since dispatch last waited."""

    __slots__ = ("touched",)

    def __init__(self) -> None:
        self.touched = False


pending = _Pending()


class HostBuffer:
    """The numpy side of a shared storage: the array the user sees (``np``) and, for a mirror,
    the private snapshot (``shadow``) the current JAX array was made from (``snap``)."""

    __slots__ = ("np", "alias", "shadow", "snap")

    def __init__(self, arr: np.ndarray, alias: Any = None, shadow: Any = None,
                 snap: Any = None) -> None:
        self.np = arr
        self.alias = alias
        self.shadow = shadow
        self.snap = snap


def aligned_empty(shape: tuple, dtype: np.dtype) -> np.ndarray:
    """An uninitialised C-contiguous array whose data starts on a 64-byte boundary."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + ALIGN, np.uint8)
    start = (-raw.ctypes.data) % ALIGN
    return raw[start:start + nbytes].view(dtype).reshape(shape)


def aliasable(arr: np.ndarray) -> bool:
    """Whether ``device_put(arr)`` on CPU reads ``arr``'s memory instead of copying it."""
    return (arr.flags.c_contiguous and arr.flags.writeable and arr.size > 0
            and arr.ctypes.data % ALIGN == 0 and arr.dtype.isnative)


def on_cpu(arr: np.ndarray) -> Any:
    """``arr`` as a JAX array on the CPU device (aliasing its memory when it can)."""
    return jax.device_put(arr, jax.devices("cpu")[0])


def alias_of(arr: np.ndarray) -> Any:
    """A CPU JAX array over ``arr``'s memory, or None when JAX copied it after all."""
    out = on_cpu(arr)
    try:
        same = out.unsafe_buffer_pointer() == arr.ctypes.data
    except Exception:  # pragma: no cover - a backend without buffer pointers
        same = False
    return out if same else None


def _concrete(value: Any, like: np.ndarray) -> bool:
    """A real array (not a tracer) that fits the buffer: what a write-back copies in."""
    return (isinstance(value, jax.Array) and not isinstance(value, jax.core.Tracer)
            and value.shape == like.shape and value.dtype == like.dtype)


class HostStorage(Storage):
    """A storage whose JAX array aliases the numpy buffer ``host.np`` (see the module doc)."""

    __slots__ = ()
    numpy_shared = True

    @property
    def array(self) -> Any:
        pending.touched = True
        return _SLOT.__get__(self)

    @array.setter
    def array(self, value: Any) -> None:
        host = self.host
        if value is not host.alias and _concrete(value, host.np):
            np.copyto(host.np, np.asarray(value))  # np.asarray waits for the value
            value = host.alias
        # a tracer (compile, torch.func) is held as it is until a real value comes back
        _SLOT.__set__(self, value)


class MirrorStorage(Storage):
    """A storage that mirrors a numpy array JAX cannot alias (see the module doc)."""

    __slots__ = ()
    numpy_shared = True

    @property
    def array(self) -> Any:
        host = self.host
        current = _SLOT.__get__(self)
        if current is host.snap and not np.array_equal(host.np, host.shadow):
            host.shadow = np.array(host.np)  # numpy wrote into it: take a new snapshot
            host.snap = current = on_cpu(host.shadow)
            _SLOT.__set__(self, current)
        return current

    @array.setter
    def array(self, value: Any) -> None:
        host = self.host
        if value is not host.snap and _concrete(value, host.np):
            values = np.asarray(value)
            np.copyto(host.np, values)
            host.shadow = np.array(values)
            host.snap = value
        _SLOT.__set__(self, value)



def adopt(storage: Storage, arr: np.ndarray) -> Storage:
    """Make ``storage`` (a plain one) share memory with ``arr``: alias it when JAX can, mirror it
    otherwise. The storage object stays the same, so every handle on it shares too."""
    alias = alias_of(arr) if aliasable(arr) else None
    if alias is not None:
        storage.host = HostBuffer(arr, alias=alias)
        _SLOT.__set__(storage, alias)
        storage.__class__ = HostStorage
    else:
        shadow = np.array(arr)
        snap = on_cpu(shadow)
        storage.host = HostBuffer(arr, shadow=shadow, snap=snap)
        _SLOT.__set__(storage, snap)
        storage.__class__ = MirrorStorage
    return storage


def is_host(storage: Any) -> bool:
    """Whether ``storage`` (or the storage a ``.data`` storage forwards to) shares with numpy."""
    return storage.numpy_shared


def settle(outs: Any) -> None:
    """Dispatch's wait after an op read a numpy-aliased array: the outputs are computed before
    the caller's next numpy write can change the memory the op reads."""
    pending.touched = False
    for o in outs:
        if isinstance(o, jax.Array) and not isinstance(o, jax.core.Tracer):
            o.block_until_ready()
