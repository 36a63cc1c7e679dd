"""Storage-level Tensor API: ``as_strided``/``as_strided_``, ``resize_``, ``data_ptr``, the legacy
``Tensor.new`` constructor and ``torch.is_inference``.

Tensors here own no strided memory: a tensor's "storage" is its own array, or, for a view, its
base's (see core/views.py). So ``as_strided`` is a view op that gathers the elements the sizes,
strides and offset select from the input's elements in row-major order (its storage when the
input is not itself a view), ``resize_`` keeps the first elements and pads with zeros where
torch would show uninitialised memory, and ``data_ptr`` is a stable fake address per storage
plus ``storage_offset() * itemsize``, equal between a tensor, its ``detach()``/``.data`` aliases
and its views at offset 0, as torch's.
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import _creation
from .._dtypes import cpp_type_name
from .._size import Size
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.strides import layout
from ..core.surface import expose, expose_inplace
from ..core.tensor import Tensor


def _strided_index(size: tuple, stride: tuple, offset: int) -> np.ndarray:
    idx = np.full(size, offset, dtype=np.int64)
    for k, (n, s) in enumerate(zip(size, stride, strict=True)):
        shape = [1] * len(size)
        shape[k] = n
        idx = idx + (np.arange(n, dtype=np.int64) * s).reshape(shape)
    return idx


def _as_strided_impl(a, size, stride, offset):
    return jnp.ravel(a)[_strided_index(size, stride, offset)]


AS_STRIDED = register("as_strided", _as_strided_impl, "AsStridedBackward0", dtype_rule=KEEP,
                      view=True)
AS_STRIDED_INPLACE = register("as_strided_", _as_strided_impl, "AsStridedBackward1",
                              dtype_rule=KEEP)


def _strided_params(input: Tensor, size: Any, stride: Any, storage_offset: int | None) -> tuple:
    """Check (torch's messages) and normalise ``as_strided``'s arguments."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in size):
        raise RuntimeError(f"as_strided: Negative sizes are not allowed, got {list(size)}")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    offset = 0 if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    item = input.element_size()
    needed = 0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride,
                                                                              strict=True))
    if needed > input.numel():
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                           f"offset {offset}, and itemsize {item} requiring a storage size of "
                           f"{needed * item} are out of bounds for storage of size "
                           f"{input.numel() * item}")
    return size, stride, offset


def as_strided(input: Tensor, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
    """torch.as_strided: a view whose element ``i`` is storage element
    ``storage_offset + sum(i_k * stride_k)``."""
    return dispatch(AS_STRIDED, (input,), _strided_params(input, size, stride, storage_offset))


def as_strided_(input: Tensor, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
    """Tensor.as_strided_: ``input`` itself re-strided (torch's AsStridedBackward1)."""
    return dispatch(AS_STRIDED_INPLACE, (input,),
                    _strided_params(input, size, stride, storage_offset))


RESIZE = register("resize_", lambda a, shape: jnp.reshape(
    jnp.pad(jnp.ravel(a), (0, max(math.prod(shape) - a.size, 0)))[:math.prod(shape)], shape),
    None, dtype_rule=KEEP)


def resize_(self: Tensor, *sizes: Any, memory_format: Any = None) -> Tensor:
    """Tensor.resize_: ``self`` takes the new shape, keeping its first elements in row-major
    order; new elements are zeros (torch leaves them uninitialised)."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: "
                           f"{list(shape)}")
    if shape == tuple(self.shape):
        return self
    self._check_inplace()
    return self._rebind(dispatch(RESIZE, (self,), (shape,)), True)


def data_ptr(self: Tensor) -> int:
    """Tensor.data_ptr: a fake address per storage (aliases and views share it), moved by
    ``storage_offset() * element_size()``; 0 for a tensor without elements, as torch."""
    if self.numel() == 0:
        return 0
    st = self._st
    while True:  # the storage that really owns the memory: a view's base, a .data source
        nxt = getattr(st, "base_st", None) or getattr(st, "_src", None)
        if nxt is None:
            break
        st = nxt
    return id(st) * 64 + layout(self)[2] * self.element_size()


def _options(dtype: Any) -> str:
    return (f"TensorOptions(dtype={cpp_type_name(dtype)}, device=cpu, layout=Strided, "
            "requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def new(self: Tensor, *args: Any, device: Any = None, **kwargs: Any) -> Tensor:
    """The legacy ``Tensor.new``: ``new()`` an empty tensor, ``new(*sizes)``/``new(Size)`` an
    uninitialised one (zeros here), ``new(sequence)`` data in ``self``'s dtype,
    ``new(tensor)`` an alias of a tensor of the same dtype. Never requires grad."""
    dt = self.dtype
    if kwargs:  # torch's legacy constructor takes no dtype/requires_grad
        got = ", ".join([*(type(a).__name__ for a in args),
                         *(f"{k}={type(v).__name__}" for k, v in kwargs.items())])
        raise TypeError(f"new() received an invalid combination of arguments - got ({got})")
    if not args:
        return _creation.empty(0, dtype=dt)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype != dt:
                raise TypeError(f"expected {_options(dt)} (got {_options(data.dtype)})")
            return data.detach()
        if isinstance(data, Size):
            return _creation.zeros(*data, dtype=dt)
        if isinstance(data, (list, tuple, np.ndarray)):
            return _creation.tensor(data, dtype=dt)
        if isinstance(data, (float, complex, bool)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return _creation.zeros(*args, dtype=dt)
    names = ", ".join(type(a).__name__ for a in args)
    raise TypeError(f"new() received an invalid combination of arguments - got ({names})")


def _is_view(self: Tensor) -> bool:
    """Tensor._is_view: whether ``self`` is a view of another tensor (has a ``_base``)."""
    return self._base is not None


def is_inference(input: Any) -> bool:
    """torch.is_inference: whether ``input`` was made in inference mode."""
    if not isinstance(input, Tensor):
        raise TypeError("is_inference(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input.is_inference()


expose("as_strided")(as_strided)
expose_inplace(("as_strided",), as_strided_, reshaping=True)
expose("resize_", namespace=())(resize_)
expose("data_ptr", namespace=())(data_ptr)
expose("new", namespace=())(new)
expose("_is_view", namespace=())(_is_view)
expose("is_inference", method=False)(is_inference)
