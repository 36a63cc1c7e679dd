"""``out=``: torch's resize-and-write semantics, given once to every public function that takes it.

torch binds ``out=`` for every native function with an ``.out`` overload (``torch.add(a, 1,
out=c)``, ``torch.max(x, 0, out=(v, i))``, ``torch.zeros(2, out=t)``). Writing it per op would
mean hundreds of copies of the same rules, so :func:`~torchlike_jax.core.surface.expose` wraps
each name that the recorded table (``recorded_out.py``, from ``tools/record_out_table.py``)
lists, unless the function handles ``out`` itself. The wrapper runs the ordinary function, then
writes its result into ``out`` the way torch's ``resize_output`` + copy does:

- ``out`` with another non-zero shape is resized with torch's deprecation UserWarning; an empty
  ``out`` silently;
- ops: the result is cast to ``out``'s dtype when torch's ``can_cast`` allows it, else torch's
  "result type Float can't be cast to the desired output type Long"; multi-output ops
  (``max``/``sort``/``topk``) and the matrix products (:data:`EXACT_DTYPE`) need ``out``'s
  dtype to match exactly; multi-output ops return ``torch.return_types.<op>_out``;
- factories: ``out``'s dtype is the dtype made (a different ``dtype=`` is torch's error);
- in grad mode an input or ``out`` that requires grad is torch's "functions with out=...
  arguments don't support automatic differentiation" error, as no node can write into ``out``.

``out`` is returned (itself, rebound as an in-place write is, so views of it see the values).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtypes as dtypes
from . import grad_mode
from .recorded_out import OUT_FUNCTIONS
from .return_types import return_type
from .tensor import Tensor

_RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0).")
_ARANGE_WARNING = (
    "The number of elements in the out tensor of shape {old} is {n_old} which does not match the "
    "computed number of elements {n_new}. Note that this may occur as a result of rounding "
    "error. The out tensor will be resized to a tensor of shape {shape}.")
_NO_AUTOGRAD = ("{name}(): functions with out=... arguments don't support automatic "
                "differentiation, but one of the arguments requires grad.")

# ops whose torch kernel wants ``out`` in exactly the result's dtype (no cast): the matrix
# products and the vector norms, torch's "Expected out tensor to have dtype float, but got
# double instead"; others refuse a wider out with messages of their own (not modelled)
EXACT_DTYPE = frozenset({"matmul", "mm", "bmm", "mv", "addmm", "addmv", "baddbmm", "norm",
                         "vector_norm"})

# id(public function) -> (it, its out= wrapper); bounded by the number of public functions
_WRAPPED: dict[int, tuple[Callable, Callable]] = {}


def kind_of(fn: Callable, names: tuple[str, ...]) -> str | None:
    """How torch takes ``out=`` for ``fn`` published as ``names`` ("op", "factory" or None).
    One function published under several names and namespaces (``torch.det`` and
    ``torch.linalg.det``, by separate ``expose`` calls) stays one object, so it takes ``out=``
    under all of them when torch gives it to any of its names (or its ``__name__``) anywhere."""
    names = (*names, getattr(fn, "__name__", ""))
    kinds = {table.get(n) for table in OUT_FUNCTIONS.values() for n in names} - {None}
    if not kinds:
        return None
    return "factory" if "factory" in kinds else "op"


def for_function(fn: Callable, name: str, kind: str | None) -> Callable:
    """``fn`` taking torch's ``out=`` (``kind`` from :func:`kind_of`), unless it handles
    ``out`` itself; one wrapper per function, however many times it is published."""
    if kind is None or _handles_out(fn):
        return fn
    if id(fn) not in _WRAPPED:
        _WRAPPED[id(fn)] = (fn, with_out(fn, name, kind))  # fn kept: its id stays its own
    return _WRAPPED[id(fn)][1]


def _handles_out(fn: Callable) -> bool:
    try:
        return "out" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


def with_out(fn: Callable, name: str, kind: str = "op") -> Callable:
    """``fn`` with an ``out=`` keyword; a call without it costs one extra frame."""
    factory = kind == "factory"

    @functools.wraps(fn)
    def wrapper(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        if factory:
            return _factory_out(fn, name, args, kwargs, out)
        return _op_out(fn, name, args, kwargs, out)

    return wrapper


def call_with_out(fn: Callable, name: str, args: tuple, kwargs: dict, out: Any) -> Any:
    """``fn(*args, **kwargs)`` written into ``out``: for a Python-level function that declares
    ``out`` itself (``torch.norm``, ``torch.tensordot``) and so is not wrapped."""
    return _op_out(fn, name, args, kwargs, out)


def _check_autograd(name: str, outs: tuple, results: tuple) -> None:
    if grad_mode._local.grad_enabled and any(
            t.requires_grad for t in (*outs, *results) if isinstance(t, Tensor)):
        raise RuntimeError(_NO_AUTOGRAD.format(name=name))


def _need_tensor(name: str, out: Any) -> None:
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")


def _op_out(fn: Callable, name: str, args: tuple, kwargs: dict, out: Any) -> Any:
    if isinstance(out, (tuple, list)):
        for o in out:
            _need_tensor(name, o)
        _check_autograd(name, tuple(out), ())
        result = fn(*args, **kwargs)
        if not isinstance(result, tuple):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        if len(result) != len(out):
            raise TypeError(f"{name}(): expected out to be a tuple of {len(result)} Tensors, "
                            f"got {len(out)}")
        _check_autograd(name, (), result)
        for o, r in zip(out, result, strict=True):
            if r.dtype != o.dtype:
                raise _dtype_mismatch(r, o)
        for o, r in zip(out, result, strict=True):
            _write(o, r)
        cls = _out_type(type(result))
        return tuple(out) if cls is tuple else cls(*out)
    _need_tensor(name, out)
    _check_autograd(name, (out,), ())
    result = fn(*args, **kwargs)
    if isinstance(result, tuple):
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not Tensor")
    _check_autograd(name, (), (result,))
    if result.dtype != out.dtype:
        if name in EXACT_DTYPE:
            raise _dtype_mismatch(result, out)
        if not dtypes.can_cast(result.dtype, out.dtype):
            raise RuntimeError(f"result type {dtypes.legacy_name(result.dtype)} can't be cast to "
                               f"the desired output type {dtypes.legacy_name(out.dtype)}")
        result = result.to(out.dtype)
    return _write(out, result)


def _dtype_mismatch(result: Tensor, out: Tensor) -> RuntimeError:
    return RuntimeError(f"Expected out tensor to have dtype {dtypes.cpp_type_name(result.dtype)}"
                        f", but got {dtypes.cpp_type_name(out.dtype)} instead")


def _factory_out(fn: Callable, name: str, args: tuple, kwargs: dict, out: Any) -> Any:
    _need_tensor(name, out)
    dtype = kwargs.get("dtype")
    if dtype is not None and dtype != out.dtype:
        raise RuntimeError(f"dtype {dtypes.legacy_name(dtype)} does not match dtype of out "
                           f"parameter ({dtypes.legacy_name(out.dtype)})")
    _check_autograd(name, (out,), ())
    kwargs["dtype"] = out.dtype
    result = fn(*args, **kwargs)
    if name in ("arange", "range") and tuple(out.shape) != tuple(result.shape) and out.numel():
        warnings.warn(_ARANGE_WARNING.format(
            old=list(out.shape), n_old=out.numel(), n_new=result.numel(),
            shape=tuple(result.shape)), UserWarning, stacklevel=3)
        return _write(out, result, warn=False)
    return _write(out, result)


def _write(out: Tensor, result: Tensor, warn: bool = True) -> Tensor:
    """Resize ``out`` to ``result``'s shape (warning as torch when it held elements), then write
    ``result`` into it as an in-place op does."""
    reshaping = tuple(out.shape) != tuple(result.shape)
    if reshaping and warn and out.numel() != 0:
        warnings.warn(_RESIZE_WARNING.format(old=list(out.shape), new=list(result.shape)),
                      UserWarning, stacklevel=4)
    out._check_inplace()
    return out._rebind(result, reshaping=reshaping)


def _out_type(cls: type) -> type:
    """``torch.return_types.<kind>_out``: what torch returns for a multi-output op's ``out=``
    (a named tuple of its own, as torch's, not a subclass of ``<kind>``); a plain tuple for an
    op whose result is one."""
    fields = getattr(cls, "_fields", None)
    return tuple if fields is None else return_type(cls.__name__ + "_out", fields)
