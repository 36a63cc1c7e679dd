"""``grad``, ``grad_and_value``, ``vjp``, ``jvp`` and ``linearize``: the facade function as a
pure JAX function handed to ``jax.value_and_grad`` / ``jax.vjp`` / ``jax.jvp`` /
``jax.linearize``."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from .._size import Size
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from ._arguments import (
    JVP_API,
    aux_leaf_arrays,
    check_argnums,
    check_tensor_outputs,
    diff_leaves,
    replace_args,
    select_args,
    split_aux,
)
from ._levels import TransformLevel, depends_on_level, inner_tensor, leave_level, wrap_output
from ._pytree import flatten, spec_str, treespec, unflatten


# ---- grad ----------------------------------------------------------------------------------------
def grad_and_value(func, argnums: int | tuple[int, ...] = 0, has_aux: bool = False):
    """``torch.func.grad_and_value``: ``(grad, value)`` or ``(grad, (value, aux))``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = check_argnums(argnums, len(args))
        leaves, spec = diff_leaves(select_args(args, nums))
        arrays = [array_of(t) for t in leaves]
        box: dict = {}
        api = "grad_and_value(f)(*args)"

        def pure(*arrs):
            with TransformLevel("rev", arrs):
                diff = unflatten(spec, [inner_tensor(a, True) for a in arrs])
                output = func(*replace_args(args, nums, diff), **kwargs)
                output, aux = split_aux(output, api, has_aux)
                if not isinstance(output, Tensor):
                    raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                                       f"{type(output)}")
                if output.dim() != 0:
                    raise RuntimeError(
                        f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                        f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                        "instead?")
                aux_arrays, box["aux"] = aux_leaf_arrays(aux) if has_aux else ([], None)
                return array_of(output), aux_arrays

        (value, aux_arrays), grads = jax.value_and_grad(
            pure, argnums=tuple(range(len(arrays))), has_aux=True)(*arrays)
        out = leave_level([*grads, value, *aux_arrays])
        g = unflatten(spec, [wrap_output(a) for a in out[:len(arrays)]])
        value = wrap_output(out[len(arrays)])
        if not has_aux:
            return g, value
        aux = unflatten(box["aux"], [wrap_output(a) for a in out[len(arrays) + 1:]])
        return g, (value, aux)

    return wrapper


def grad(func, argnums: int | tuple[int, ...] = 0, has_aux: bool = False):
    """``torch.func.grad``: the gradient of a scalar function (``(grad, aux)`` with has_aux)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


# ---- vjp -----------------------------------------------------------------------------------------
def vjp(func, *primals: Any, has_aux: bool = False):
    """``torch.func.vjp``: ``(output, vjp_fn)`` (plus ``aux``); ``vjp_fn(cotangents)`` returns a
    tuple with one gradient per primal."""
    api = "vjp(f, *primals)"
    leaves, spec = diff_leaves(primals)
    arrays = [array_of(t) for t in leaves]
    box: dict = {}

    def pure(*arrs):
        with TransformLevel("rev", arrs):
            out = func(*unflatten(spec, [inner_tensor(a, True) for a in arrs]))
            out, aux = split_aux(out, api, has_aux)
            out_leaves, box["out"] = flatten(out)
            check_tensor_outputs(out_leaves, api)
            for o in out_leaves:
                if array_of(o).dtype.kind not in "fcV":
                    raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or "
                                       f"complex Tensors, got Tensor with dtype {o.dtype}")
            box["tree"] = out
            aux_arrays, box["aux"] = aux_leaf_arrays(aux) if has_aux else ([], None)
            return [array_of(o) for o in out_leaves], aux_arrays

    out_arrays, pullback, aux_arrays = jax.vjp(pure, *arrays, has_aux=True)
    out_arrays = leave_level(out_arrays)
    outputs = unflatten(box["out"], [wrap_output(a) for a in out_arrays])
    out_spec, out_tree = box["out"], box["tree"]

    def vjp_fn(cotangents: Any, retain_graph: bool = True, create_graph: bool | None = None):
        ct_leaves, ct_spec = flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {spec_str(cotangents)}, primal output: "
                f"{spec_str(out_tree)}")
        cts = []
        for i, (c, o) in enumerate(zip(ct_leaves, out_arrays, strict=True)):
            c = array_of(c) if isinstance(c, Tensor) else jnp.asarray(c)
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{Size(c.shape)} and output[{i}] has a shape of "
                                   f"{Size(o.shape)}.")
            cts.append(c.astype(o.dtype) if c.dtype != o.dtype else c)
        grads = leave_level(pullback(cts))
        return unflatten(spec, [wrap_output(g) for g in grads])

    if has_aux:
        return outputs, vjp_fn, unflatten(box["aux"], [wrap_output(a) for a in aux_arrays])
    return outputs, vjp_fn


# ---- jvp -----------------------------------------------------------------------------------------

def _tangent_arrays(p_leaves: list, t_leaves: list) -> list:
    out = []
    for p, t in zip(p_leaves, t_leaves, strict=True):
        pa, ta = array_of(p), array_of(t)
        if tuple(pa.shape) != tuple(ta.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(pa.shape)} "
                f"while the given forward gradient is of size {list(ta.shape)}.")
        out.append(ta.astype(pa.dtype) if ta.dtype != pa.dtype else ta)
    return out


def jvp(func, primals: Any, tangents: Any, *, strict: bool = False, has_aux: bool = False):
    """``torch.func.jvp``: ``(output, jvp_out)`` (plus ``aux``), by ``jax.jvp``."""
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{JVP_API}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    p_leaves, p_spec = flatten(primals)
    t_leaves, t_spec = flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{JVP_API}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {treespec(primals)} and tangents with structure "
            f"{treespec(tangents)}")
    for leaves, what in ((p_leaves, "primals"), (t_leaves, "tangents")):
        if not leaves:
            raise RuntimeError(f"{JVP_API}: Expected {what} to contain at least one Tensor.")
        for t in leaves:
            if not isinstance(t, Tensor):
                raise RuntimeError(f"{JVP_API}: Expected {what} to only contain Tensors, got "
                                   f"{type(t)}")
    arrays = [array_of(t) for t in p_leaves]
    tans = _tangent_arrays(p_leaves, t_leaves)
    box: dict = {}

    def pure(*arrs):
        with TransformLevel("fwd", arrs) as level:
            out = func(*unflatten(p_spec, [inner_tensor(a, False) for a in arrs]))
            out, aux = split_aux(out, JVP_API, has_aux)
            out_leaves, box["out"] = flatten(out)
            if (len(out_leaves) == 1 and out_leaves[0] is None) or not out_leaves:
                raise RuntimeError(f"{JVP_API}: Expected f to be a function that has non-empty "
                                   f"output (got output = {out_leaves})")
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{JVP_API}: expected f(*primals) to return only tensors, "
                                       f"got unsupported type {type(o)}")
                if strict and not depends_on_level(array_of(o), level.tag):
                    raise RuntimeError(
                        "jvp(f, primals, tangents, strict=True): The output of f is independent "
                        "of the inputs. This is not allowed with strict=True.")
            aux_arrays, box["aux"] = aux_leaf_arrays(aux) if has_aux else ([], None)
            return [array_of(o) for o in out_leaves], aux_arrays

    out_arrays, tan_out, aux_arrays = jax.jvp(pure, tuple(arrays), tuple(tans), has_aux=True)
    res = leave_level([*out_arrays, *tan_out])
    n = len(out_arrays)
    outputs = unflatten(box["out"], [wrap_output(a) for a in res[:n]])
    tangents_out = unflatten(box["out"], [wrap_output(a) for a in res[n:]])
    if has_aux:
        return outputs, tangents_out, unflatten(box["aux"], [wrap_output(a) for a in aux_arrays])
    return outputs, tangents_out


# ---- linearize -----------------------------------------------------------------------------------
def linearize(func, *primals: Any):
    """``torch.func.linearize``: ``(output, jvp_fn)`` by ``jax.linearize`` (the function runs
    once; ``jvp_fn(*tangents)`` evaluates the linearized function)."""
    leaves, spec = flatten(primals)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"{JVP_API}: Expected primals to only contain Tensors, got "
                               f"{type(t)}")
    arrays = [array_of(t) for t in leaves]
    box: dict = {}

    def pure(*arrs):
        with TransformLevel("fwd", arrs):
            out = func(*unflatten(spec, [inner_tensor(a, False) for a in arrs]))
            out_leaves, box["out"] = flatten(out)
            check_tensor_outputs(out_leaves, JVP_API)
            return [array_of(o) for o in out_leaves]

    out_arrays, f_jvp = jax.linearize(pure, *arrays)
    outputs = unflatten(box["out"], [wrap_output(a) for a in leave_level(out_arrays)])

    def jvp_fn(*tangents: Any) -> Any:
        t_leaves, t_spec = flatten(tangents)
        if t_spec != spec:
            raise RuntimeError(f"Expected the tangents {treespec(tangents)} to have the same "
                               f"argspec as the primals {treespec(primals)}")
        tans = []
        for idx, (t, p) in enumerate(zip(t_leaves, arrays, strict=True)):
            ta = array_of(t)
            if tuple(ta.shape) != tuple(p.shape):
                raise RuntimeError(f"tangent:{idx} with shape {Size(ta.shape)} in flattened "
                                   f"pytree doesn't match the shape {Size(p.shape)} of the "
                                   "corresponding primal.")
            if ta.dtype != p.dtype:
                raise RuntimeError(f"tangent:{idx} with dtype {t.dtype} in flattened pytree "
                                   f"doesn't match the dtype {leaves[idx].dtype} of the "
                                   "corresponding primal.")
            tans.append(ta)
        return unflatten(box["out"], [wrap_output(a) for a in leave_level(f_jvp(*tans))])

    return outputs, jvp_fn
