"""``jacrev``, ``jacfwd`` and ``hessian`` by ``jax.jacrev`` / ``jax.jacfwd``, with torch's
nesting of the result (output structure outside, input structure inside)."""

from __future__ import annotations

import functools
from typing import Any

import jax

from ..core.tensor_access import array_of
from ._arguments import (
    JVP_API,
    aux_leaf_arrays,
    check_argnums,
    check_randomness,
    check_real,
    check_tensor_outputs,
    diff_leaves,
    replace_args,
    select_args,
    split_aux,
)
from ._levels import TransformLevel, inner_tensor, leave_level, wrap_output
from ._pytree import flatten, unflatten


def _jacobian(func, argnums, has_aux: bool, kind: str, api: str):
    transform = jax.jacrev if kind == "rev" else jax.jacfwd

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        check_real(api, flatten(args)[0], True)
        nums = check_argnums(argnums, len(args))
        diff = select_args(args, nums)
        leaves, spec = diff_leaves(diff)
        arrays = [array_of(t) for t in leaves]
        box: dict = {}
        fapi = "vjp(f, *primals)" if kind == "rev" else JVP_API

        def pure(*arrs):
            with TransformLevel(kind, arrs):
                new = unflatten(spec, [inner_tensor(a, kind == "rev") for a in arrs])
                out = func(*replace_args(args, nums, new))
                out, aux = split_aux(out, fapi, has_aux)
                out_leaves, box["out"] = flatten(out)
                check_tensor_outputs(out_leaves, fapi)
                check_real(api, out_leaves, False)
                aux_arrays, box["aux"] = aux_leaf_arrays(aux) if has_aux else ([], None)
                return [array_of(o) for o in out_leaves], aux_arrays

        jac, aux_arrays = transform(pure, argnums=tuple(range(len(arrays))),
                                    has_aux=True)(*arrays)
        per_out = []
        for row in jac:  # one entry per output leaf: the jacobian wrt every input leaf
            row = leave_level(row)
            per_out.append(unflatten(spec, [wrap_output(a) for a in row]))
        result = unflatten(box["out"], per_out)
        if has_aux:
            aux = unflatten(box["aux"], [wrap_output(a) for a in leave_level(aux_arrays)])
            return result, aux
        return result

    return wrapper


def jacrev(func, argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False):
    """``torch.func.jacrev``: the Jacobian by reverse mode (``jax.jacrev``). The result nests
    output structure outside, argnums/input structure inside, as torch does."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, "rev", "jacrev")


def jacfwd(func, argnums: int | tuple[int, ...] = 0, has_aux: bool = False, *,
           randomness: str = "error"):
    """``torch.func.jacfwd``: the Jacobian by forward mode (``jax.jacfwd``)."""
    check_randomness(randomness)
    return _jacobian(func, argnums, has_aux, "fwd", "jacfwd")


def hessian(func, argnums: int | tuple[int, ...] = 0):
    """``torch.func.hessian``: ``jacfwd(jacrev(func, argnums), argnums)``, as torch defines it."""
    return jacfwd(jacrev(func, argnums), argnums)
