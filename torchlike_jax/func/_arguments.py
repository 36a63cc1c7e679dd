"""Argument handling shared by the transforms, with torch's helpers and messages: argnums,
the differentiated leaves, ``has_aux`` outputs, and the checks torch.func makes."""

from __future__ import annotations

import functools
from typing import Any

from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from ._pytree import flatten

JVP_API = "jvp(f, primals, tangents)"  # the API name torch's forward-mode messages use


def function_name(func: Any) -> str:
    """The name torch's vmap messages give the function (partials spelled as torch does)."""
    if isinstance(func, functools.partial):
        return f"functools.partial({function_name(func.func)}, ...)"
    return getattr(func, "__name__", repr(func))


def check_randomness(randomness: str) -> None:
    """torch's check of ``randomness`` (accepted values only: random ops draw one sample)."""
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def check_argnums(argnums: Any, num_args: int) -> int | tuple[int, ...]:
    """``argnums`` normalised (negative indices wrapped), with torch's errors."""
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, num_args)
    argnums = tuple(_wrap_argnum(a, num_args) for a in argnums)
    if len(argnums) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(argnums)) != len(argnums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return argnums


def select_args(args: tuple, argnums: int | tuple[int, ...]) -> Any:
    """The differentiated arguments: one for an int ``argnums``, a tuple for a tuple."""
    return args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)


def replace_args(args: tuple, argnums: int | tuple[int, ...], new: Any) -> tuple:
    """``args`` with the differentiated arguments replaced by ``new`` (as selected)."""
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    return tuple(new[argnums.index(i)] if i in argnums else a for i, a in enumerate(args))


def diff_leaves(tree: Any) -> tuple[list, Any]:
    """Leaves of differentiated arguments: tensors only, floating point (torch's messages)."""
    leaves, spec = flatten(tree)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
        if array_of(t).dtype.kind not in "fcV":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return leaves, spec


def aux_leaf_arrays(aux: Any) -> tuple[list, Any]:
    """The arrays of a ``has_aux`` output's tensors, and its structure."""
    leaves, spec = flatten(aux)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(t)}")
    return [array_of(t) for t in leaves], spec


def split_aux(out: Any, api: str, has_aux: bool) -> tuple[Any, Any]:
    """``(output, aux)`` from a ``has_aux`` function's result, with torch's error."""
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return out


def check_tensor_outputs(leaves: list, api: str) -> None:
    """torch's checks that ``f`` returned tensors (and something)."""
    if (len(leaves) == 1 and leaves[0] is None) or len(leaves) < 1:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got "
                           f"output = {leaves})")
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")


def check_real(api: str, leaves: list, is_input: bool) -> None:
    """torch's jacobian check: real inputs and outputs only."""
    for idx, t in enumerate(leaves):
        if isinstance(t, Tensor) and array_of(t).dtype.kind == "c":
            what = "inputs" if is_input else "outputs"
            raise RuntimeError(f"{api}: Expected all {what} to be real but received complex "
                               f"tensor at flattened input idx: {idx}")
