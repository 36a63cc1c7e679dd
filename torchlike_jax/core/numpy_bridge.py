"""The numpy bridge: ``t.numpy()`` and ``torch.from_numpy(a)`` share memory, as in torch.

``t.numpy()`` turns ``t``'s storage into a :class:`~torchlike_jax.core.host_storage.HostStorage`
the first time (one copy into a fresh 64-byte aligned buffer, which the storage's JAX array then
aliases), and returns that buffer, or a strided numpy view of it for a view tensor (torch's
strides and offset, recovered from the view chain). ``from_numpy(a)`` makes a tensor over ``a``
itself: aliased when JAX can read ``a``'s memory directly, mirrored otherwise (see
:mod:`~torchlike_jax.core.host_storage`). The storage object is converted in place, so
``detach()`` / ``.data`` aliases and the tensor's views share too.

Where sharing stops (a copy, as before) is listed in :func:`numpy`'s docstring. Besides: an
in-place op that changes the tensor's shape (``t_``, ``squeeze_``...) ends the sharing (the
storage then holds an array of another shape, which numpy's buffer cannot take), and a
strided array from ``from_numpy`` reports contiguous ``stride()`` (its values are shared).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np

from .. import _dtypes as dtypes
from .._device import factory_device
from . import grad_mode, warn_always
from .host_storage import MirrorStorage, adopt, aligned_empty, is_host, on_cpu
from .strides import layout
from .tensor import Storage, Tensor
from .tensor_access import array_holder
from .views import HostViewStorage, ViewStorage

_NEGATIVE_STRIDES = (
    "At least one stride in the given numpy array is negative, and tensors with negative strides "
    "are not currently supported. (You can probably work around this by making a copy of your "
    "array  with array.copy().) ")
_BYTE_ORDER = ("given numpy array has byte order different from the native byte order. "
               "Conversion between byte orders is currently not supported.")
_NOT_WRITABLE = (
    "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. "
    "This means writing to this tensor will result in undefined behavior. You may want to copy "
    "the array to protect its data or make it writable before converting it to a tensor. This "
    "type of warning will be suppressed for the rest of this program.")


def cpu_default() -> bool:
    """Whether factories place new tensors on the CPU (sharing is a CPU-memory feature)."""
    dev = factory_device(None)
    return (dev if dev is not None else jax.devices()[0]).platform == "cpu"


def _on_cpu(array: Any) -> bool:
    """A concrete array in CPU memory (a tracer, under compile or torch.func, is not)."""
    if not isinstance(array, jax.Array) or isinstance(array, jax.core.Tracer):
        return False
    return all(d.platform == "cpu" for d in array.devices())


def _make_host(holder: Storage) -> None:
    """Give a plain storage an aligned host buffer its array aliases (one copy, once)."""
    array = holder.array
    buf = aligned_empty(array.shape, array.dtype)
    np.copyto(buf, np.asarray(array))
    adopt(holder, buf)


def _convert_views(base: Tensor | None, holder: Storage) -> None:
    """The live views of ``base`` on ``holder`` recompute from the shared memory on each read."""
    if base is None or not base._views:
        return
    for ref in base._views:
        v = ref()
        if v is not None and type(v._st) is ViewStorage and array_holder(v._st.base_st) is holder:
            v._st.__class__ = HostViewStorage


def numpy(self: Tensor, *, force: bool = False) -> np.ndarray:
    """The tensor as a numpy array that shares its memory (writes on either side show on the
    other), as torch's ``numpy()``. ``force=True`` skips the requires-grad check.

    It is a copy, not shared, when the tensor is not in CPU memory, inside a ``compile`` or
    ``torch.func`` trace, for a view of a mirrored ``from_numpy`` array that was not
    C-contiguous, and for complex/conj views (``.real``, ``.imag`` are not views here)."""
    if self._requires_grad and not force and grad_mode._local.grad_enabled:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                           "tensor.detach().numpy() instead.")
    if self.dtype is dtypes.bfloat16:
        raise TypeError("Got unsupported ScalarType BFloat16")
    st = array_holder(self._st)  # ``.data`` storages forward to their source
    view = isinstance(st, ViewStorage)
    holder = array_holder(st.base_st if view else st)
    if not is_host(holder):
        if not (_on_cpu(holder.array) and type(holder) is Storage):
            return np.array(st.array)  # not in CPU memory, or traced: a copy, as before
        _make_host(holder)
        _convert_views(self._base if view else self, holder)
    buf = holder.host.np
    if not view:
        return buf.view()
    if isinstance(holder, MirrorStorage) and not buf.flags.c_contiguous:
        return np.array(st.array)
    strides, _, offset = layout(self if self._st is st and self._base is not None
                                else _as_view(st))
    flat = buf.reshape(-1)
    item = buf.itemsize
    return np.lib.stride_tricks.as_strided(flat[offset:], st.array.shape,
                                           tuple(s * item for s in strides), writeable=True)


def _as_view(st: ViewStorage) -> Tensor:
    """A handle on view storage ``st`` that ``layout`` reads as the view it is: a ``detach()``
    or ``.data`` of a view shares the view's place in the base but has no ``_base``."""
    probe = Tensor._wrap(None)
    probe._st = st
    probe._base = probe
    return probe


def check_array(ndarray: Any) -> dtypes.dtype:
    """torch's checks on an array to share: type, dtype, strides, byte order. Its dtype."""
    if not isinstance(ndarray, np.ndarray):
        kind = type(ndarray)
        name = kind.__name__ if kind.__module__ == "builtins" else \
            f"{kind.__module__}.{kind.__name__}"
        raise TypeError(f"expected np.ndarray (got {name})")
    try:  # torch's order: dtype, strides, byte order
        dtype = dtypes.from_numpy_dtype(ndarray.dtype.newbyteorder("="))
    except TypeError:
        kind = ndarray.dtype.type
        raise TypeError(f"can't convert np.ndarray of type {kind.__module__}.{kind.__name__}. "
                        "The only supported types are: float64, float32, float16, complex64, "
                        "complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, "
                        "and bool.") from None
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(_NEGATIVE_STRIDES)
    if not ndarray.dtype.isnative:
        raise ValueError(_BYTE_ORDER)
    return dtype


def shared_tensor(ndarray: np.ndarray, inference: bool) -> Tensor:
    """A CPU tensor on ``ndarray``'s memory (after :func:`check_array`); a non-writable array
    warns as torch does and is copied (nothing can write it through numpy)."""
    if not ndarray.flags.writeable:
        warn_always.warn_once("numpy_not_writable", _NOT_WRITABLE, stacklevel=3)
        return Tensor._wrap(on_cpu(np.array(ndarray)), inference)
    t = Tensor._wrap(None, inference)
    storage = Storage(None)
    adopt(storage, ndarray)
    t._st = storage
    return t


Tensor.numpy = numpy
