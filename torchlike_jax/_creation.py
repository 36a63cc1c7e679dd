"""Tensor factories: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``... and ``*_like``.

Factories build leaves directly (no dispatch, no node), so ``requires_grad=True`` gives a leaf
that requires grad even inside ``no_grad``, as in torch.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes as dtypes
from . import _value_checks as value_checks
from ._device import factory_device
from .core import grad_mode, numpy_bridge
from .core.surface import expose
from .core.tensor import Tensor
from .core.tensor_access import array_of, storage_of

_REQ_GRAD_DTYPE = "Only Tensors of floating point and complex dtype can require gradients"


def _leaf(array: Any, dtype: dtypes.dtype, requires_grad: bool, device: Any = None) -> Tensor:
    """Make a leaf from host/JAX data, placed on ``device`` and cast to ``dtype``."""
    if requires_grad and dtype.category < dtypes._FLOAT:
        raise RuntimeError(_REQ_GRAD_DTYPE)
    dev = factory_device(device)
    if isinstance(array, np.ndarray):
        # a private host copy: JAX may alias a numpy buffer on CPU (or read it after returning,
        # as transfers are asynchronous), so a later write by the caller would change the
        # "immutable" array under the tensor and under any node that saved it
        with np.errstate(over="ignore"):  # 1e300 into float32 is inf, silently, as in torch
            array = np.array(array, dtype=dtype.np)
    arr = jnp.asarray(array, dtype=dtype.np)
    if dev is not None:
        arr = jax.device_put(arr, dev)
    t = Tensor._wrap(arr, grad_mode._local.inference_mode)
    t._requires_grad = bool(requires_grad)
    return t


def _flatten_tensors(data: Any) -> Any:
    """Nested Python data with tensors inside replaced by 0-d host values of their dtype.

    As in torch, a tensor inside a sequence is read as one scalar, so it must have one element.
    """
    if isinstance(data, Tensor):
        if data.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return np.asarray(array_of(data)).reshape(())
    if isinstance(data, (list, tuple)):
        return [_flatten_tensors(d) for d in data]
    return data


def _check_ragged(data: Any, dim: int = 0) -> None:
    if isinstance(data, (list, tuple)) and data:
        first = data[0]
        if isinstance(first, (list, tuple)):
            n = len(first)
            for d in data:
                if not isinstance(d, (list, tuple)):
                    raise TypeError("not a sequence")
                if len(d) != n:
                    raise ValueError(f"expected sequence of length {n} at dim {dim + 1} "
                                     f"(got {len(d)})")
            for d in data:
                _check_ragged(d, dim + 1)
        elif any(isinstance(d, (list, tuple)) for d in data):
            raise TypeError("a sequence where a number was expected")


def _infer_dtype(data: Any) -> dtypes.dtype | None:
    """torch.tensor's dtype inference: numpy data (and tensors) keep their dtype, Python numbers
    use torch's (bool, int64, default float/complex), and a sequence promotes its elements'.
    None for an empty sequence (the default float dtype)."""
    if isinstance(data, (np.ndarray, np.generic)):
        return dtypes.from_numpy_dtype(data.dtype)
    if isinstance(data, (list, tuple)):
        out = None
        for t in set(map(type, data)):  # one representative per element type: C-speed scan
            if issubclass(t, (list, tuple)):
                parts = [_infer_dtype(d) for d in data if type(d) is t]
            else:
                parts = [_infer_dtype(next(d for d in data if type(d) is t))]
            for dt in parts:
                if dt is not None:
                    out = dt if out is None else dtypes.promote_types(out, dt)
        return out
    return dtypes.scalar_dtype(data)


def tensor(data: Any, *, dtype: dtypes.dtype | None = None, device: Any = None,
           requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Copy ``data`` (numbers, nested lists, numpy arrays, tensors) into a new leaf tensor."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        src = data.detach()
        array = array_of(src)
        if storage_of(src).numpy_shared:  # it may read numpy's memory: copy it on the host now
            array = np.array(array)
        return _leaf(array, dtype or data.dtype, requires_grad, device)
    value_checks.check_dtype_arg(dtype, "tensor")
    _check_ragged(data)
    flat = _flatten_tensors(data)
    host = np.asarray(flat)
    python = not isinstance(data, (np.ndarray, np.generic))
    inferred = None
    if host.dtype == object or host.dtype.kind in "USV" and host.dtype != dtypes.bfloat16.np:
        found, bad = _first_non_number(flat)
        if found and isinstance(bad, str):
            raise TypeError("new(): invalid data type 'str'")
        if found:
            raise RuntimeError(f"Could not infer dtype of {type(bad).__name__}")
        inferred = _infer_dtype(flat)  # only numbers: some Python int is beyond int64
        host = _big_ints(flat, dtype or inferred)
    elif python and host.dtype in (np.uint64, np.float64):
        inferred = _infer_dtype(flat)
        if inferred is not None and inferred.category < dtypes._FLOAT:  # ints beyond int64 in it
            host = _big_ints(flat, dtype or inferred)
    if dtype is None:
        dtype = (inferred if inferred is not None else _infer_dtype(flat)) or \
            dtypes.get_default_dtype()
    if python:
        value_checks.check_data(host, dtype)
    return _leaf(host, dtype, requires_grad, device)


def _first_non_number(data: Any) -> tuple[bool, Any]:
    """(True, the first leaf of nested data that is not a number), or (False, None)."""
    if isinstance(data, (list, tuple)):
        for d in data:
            found, bad = _first_non_number(d)
            if found:
                return found, bad
        return False, None
    if isinstance(data, (bool, int, float, complex, np.generic)):
        return False, None
    return True, data


def _big_ints(flat: Any, dtype: dtypes.dtype | None) -> np.ndarray:
    """Data holding an int outside int64: torch reads it only into a floating dtype."""
    if dtype is not None and dtype.category >= dtypes._FLOAT:
        return np.asarray(flat, dtype=np.complex128 if dtype.is_complex else np.float64)
    raise ValueError("Overflow when unpacking long long")


def as_tensor(data: Any, dtype: dtypes.dtype | None = None, device: Any = None) -> Tensor:
    """Like ``tensor`` but returns ``data`` itself when it is already a matching tensor, and
    shares a numpy array's memory (as ``from_numpy``) when its dtype and device fit."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and _shares(data, dtype, device):
        return numpy_bridge.shared_tensor(data, grad_mode._local.inference_mode)
    return tensor(data, dtype=dtype, device=device)


def _shares(data: np.ndarray, dtype: dtypes.dtype | None, device: Any) -> bool:
    """torch.as_tensor shares a numpy array's memory when no cast and no move is asked for."""
    if device is not None and factory_device(device).platform != "cpu":
        return False
    if device is None and not numpy_bridge.cpu_default():
        return False
    if any(s < 0 for s in data.strides) or not data.dtype.isnative:
        return False  # torch copies these (from_numpy refuses them)
    try:
        own = dtypes.from_numpy_dtype(data.dtype)
    except TypeError:
        return False  # torch.tensor's own error
    return dtype is None or dtype is own


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A CPU tensor sharing ``ndarray``'s memory: writes through either show in the other (see
    core/numpy_bridge.py; where JAX cannot alias the memory, each read compares the array with
    a snapshot). Where tensors go to an accelerator by default, a copy placed there."""
    dtype = numpy_bridge.check_array(ndarray)
    if not numpy_bridge.cpu_default():
        return _leaf(ndarray, dtype, False)
    return numpy_bridge.shared_tensor(ndarray, grad_mode._local.inference_mode)


_NO_SIZE = object()  # ``size=`` not given


def _size_arg(args: tuple, size: Any, fn: str) -> tuple:
    """Merge a factory's varargs sizes with its ``size=`` keyword, as torch's parser does."""
    if size is _NO_SIZE:
        return args
    if args:
        raise TypeError(f"{fn}() got multiple values for argument 'size'")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    return tuple(size)


def _size(size: tuple, negative_msg: str | None = None, fn: str = "zeros",
          size_kw: Any = _NO_SIZE) -> tuple[int, ...]:
    """The shape from a factory's varargs (or one tuple/list), or its ``size=`` keyword."""
    size = _size_arg(size, size_kw, fn)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        out = tuple(operator.index(s) for s in size)  # ints, numpy ints, integer 0-d tensors
    except TypeError:
        bad = next(s for s in size if not hasattr(s, "__index__"))
        raise TypeError(f"argument 'size' must be tuple of ints, but found element of type "
                        f"{type(bad).__name__}") from None
    value_checks.check_sizes(out, fn)
    for s in out:
        if s < 0:
            raise RuntimeError(negative_msg or f"Trying to create tensor with negative dimension "
                                               f"{s}: {list(out)}")
    return out


@expose("zeros", method=False)  # torch.zeros, with out= (core/out_arg)
def zeros(*size: Any, dtype: dtypes.dtype | None = None, device: Any = None,
          requires_grad: bool = False, **kw: Any) -> Tensor:
    # torch 2.13's zeros has its own negative-size check (ones/full/empty keep the generic one)
    """A tensor of shape ``size`` (ints or one sequence) filled with 0, of ``dtype`` (default:
    the default float dtype)."""
    value_checks.check_dtype_arg(dtype, "zeros")
    shape = _size(size, "zeros: Dimension size must be non-negative.",
                  size_kw=kw.get("size", _NO_SIZE))
    return _filled(shape, 0, dtype or dtypes.get_default_dtype(), requires_grad, device)


def _filled(shape: tuple, value: Any, dtype: dtypes.dtype, requires_grad: bool,
            device: Any) -> Tensor:
    """A leaf of ``shape`` filled with ``value``; a size beyond memory raises torch's
    allocator RuntimeError (numpy would raise MemoryError or ValueError)."""
    try:
        host = np.full(shape, value)
    except (MemoryError, ValueError):
        raise value_checks.alloc_error(shape, dtype) from None
    return _leaf(host, dtype, requires_grad, device)


@expose("ones", method=False)  # torch.ones, with out= (core/out_arg)
def ones(*size: Any, dtype: dtypes.dtype | None = None, device: Any = None,
         requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of shape ``size`` (ints or one sequence) filled with 1, of ``dtype`` (default:
    the default float dtype)."""
    value_checks.check_dtype_arg(dtype, "ones")
    shape = _size(size, fn="ones", size_kw=kw.get("size", _NO_SIZE))
    return _filled(shape, 1, dtype or dtypes.get_default_dtype(), requires_grad, device)


@expose("empty", method=False)  # torch.empty, with out= (core/out_arg)
def empty(*size: Any, dtype: dtypes.dtype | None = None, device: Any = None,
          requires_grad: bool = False, **kw: Any) -> Tensor:
    """Uninitialised in torch; zero-filled here (JAX has no uninitialised memory)."""
    value_checks.check_dtype_arg(dtype, "empty")
    shape = _size(size, fn="empty", size_kw=kw.get("size", _NO_SIZE))
    return _filled(shape, 0, dtype or dtypes.get_default_dtype(), requires_grad, device)


@expose("full", method=False)  # torch.full, with out= (core/out_arg)
def full(size: Any, fill_value: Any, *, dtype: dtypes.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """Filled tensor; the dtype follows the fill value (bool, int64, default float)."""
    value_checks.check_dtype_arg(dtype, "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    value_checks.check_number(fill_value, "full", "fill_value", 2)
    if dtype is None:
        dtype = dtypes.scalar_dtype(fill_value)
    value_checks.check_fill(fill_value, dtype)
    return _filled(_size((size,), fn="full"), fill_value, dtype, requires_grad, device)


@expose("arange", method=False)  # torch.arange, with out= (core/out_arg)
def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: dtypes.dtype | None = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.arange: int64 for all-integer arguments, the default float dtype otherwise."""
    value_checks.check_dtype_arg(dtype, "arange")
    if end is None:
        value_checks.check_number(start, "arange", "end", 1)
        start, end = 0, start
    given = (start, end) if step == 1 else (start, end, step)
    if not all(isinstance(v, value_checks.NUMBER) or hasattr(v, "item") for v in given):
        got = ", ".join(type(v).__name__ for v in given)
        raise TypeError(f"arange() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:\n * (Number end)\n * (Number start, Number end)"
                        f"\n * (Number start, Number end, Number step)\n")
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        integral = all(isinstance(v, int) for v in vals)
        dtype = dtypes.int64 if integral else dtypes.get_default_dtype()
    if not dtype.is_floating_point:  # torch casts the bounds to an integer dtype first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("step must be nonzero")
    for v in (start, end):
        value_checks.check_fill(v, dtype)
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.ceil((end - start) / step)
    host = start + np.arange(n, dtype=np.float64) * step if dtype.is_floating_point else \
        np.arange(start, end, step)
    return _leaf(host, dtype, requires_grad, device)


@expose("linspace", method=False)  # torch.linspace, with out= (core/out_arg)
def linspace(start: Any, end: Any, steps: int, *, dtype: dtypes.dtype | None = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end``, both included, as a 1-D tensor
    of ``dtype`` (default: the default float dtype)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _leaf(np.linspace(float(start), float(end), steps), dtype or dtypes.get_default_dtype(),
                 requires_grad, device)


@expose("eye", method=False)  # torch.eye, with out= (core/out_arg)
def eye(n: int, m: int | None = None, *, dtype: dtypes.dtype | None = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    """A 2-D ``(n, m)`` tensor (``m`` defaults to ``n``) with ones on the main diagonal and zeros
    elsewhere."""
    for k, v in (("n", n), ("m", m)):
        if v is not None and v < 0:
            raise RuntimeError(f"{k} must be greater or equal to 0, got {v}")
    return _leaf(np.eye(n, n if m is None else m), dtype or dtypes.get_default_dtype(),
                 requires_grad, device)



def zeros_like(input: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    """Zeros of ``input``'s shape, with its dtype unless ``dtype`` is given (``memory_format``
    and similar keywords are accepted and ignored)."""
    return zeros(input.shape, dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def ones_like(input: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None,
              requires_grad: bool = False, **_: Any) -> Tensor:
    """Ones of ``input``'s shape, with its dtype unless ``dtype`` is given (``memory_format`` and
    similar keywords are accepted and ignored)."""
    return ones(input.shape, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def empty_like(input: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None,
               requires_grad: bool = False, **_: Any) -> Tensor:
    """A tensor of ``input``'s shape and dtype (unless ``dtype`` is given). torch leaves it
    uninitialised; here it is zero-filled."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(input: Tensor, fill_value: Any, *, dtype: dtypes.dtype | None = None,
              device: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A tensor of ``input``'s shape filled with ``fill_value``, with ``input``'s dtype unless
    ``dtype`` is given."""
    return full(input.shape, fill_value, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)
