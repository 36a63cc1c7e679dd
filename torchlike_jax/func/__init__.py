"""``torch.func``: composable function transforms, mapped onto JAX's.

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``, ``vmap``,
``linearize`` and ``functional_call`` with torch.func's signatures, output structures and errors.

How: each transform turns the user's facade function into a *pure JAX function* — arrays in,
``Tensor`` handles wrapping those arrays (JAX tracers while the transform traces), the user's
code running unchanged through the normal dispatch path, arrays out — and hands it to
``jax.grad`` / ``jax.vjp`` / ``jax.jvp`` / ``jax.jacrev`` / ``jax.jacfwd`` / ``jax.vmap`` /
``jax.linearize``. Nesting (``grad(grad(f))``, ``vmap(grad(f))``, ``jacrev(jacfwd(f))``) is JAX
nesting: an inner transform simply receives tensors whose arrays are the outer one's tracers.
The transforms run eagerly (no ``jax.jit``): a function may capture tensors whose values change
between calls, and baking them into a compiled program would be wrong.

Grad mode follows torch.func:

* ``grad``/``vjp``/``jacrev`` enable grad inside (a ``no_grad`` *around* the call is ignored),
  and the differentiated inputs have ``requires_grad=True`` inside, as in torch (so an in-place
  op on one raises torch's leaf error);
* a ``no_grad`` block *inside* the function makes its results constants for reverse-mode levels
  (dispatch applies ``stop_gradient``, see ``autograd/_transforms.py``); forward-mode levels
  (``jvp``, ``jacfwd``, ``linearize``) see through it, as torch's forward AD does;
* ``detach()`` inside is a constant for every level; a transform called inside a ``no_grad``
  block of an outer reverse-mode transform returns constants for that outer level.

Tensors given to a transform are read, never connected: results are ordinary tensors without
``grad_fn``, even when an input requires grad (torch would record the computation on the
autograd tape). Accepted and ignored: ``chunk_size`` (everything is computed in one
vectorized call), ``randomness`` (random ops draw one sample for the whole batch, like
``"same"``; torch's default ``"error"`` would raise), ``vjp_fn``'s ``retain_graph`` /
``create_graph``. Data-dependent Python (``.item()``, ``bool(t)``, printing a tensor) does not
work inside a transform: the arrays are tracers.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from ..core import grad_mode
from ..core import transforms as _transforms
from ..core.tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap",
           "linearize", "functional_call"]



# ---- pytrees -------------------------------------------------------------------------------------
# torch's pytree rules, not jax's: tuples, namedtuples, lists and dicts are containers (dicts keep
# insertion order), everything else — None included — is a leaf. A spec is a nested tuple that
# compares equal exactly when two structures match.
_LEAF = "*"


def _is_seq(v: Any) -> bool:
    return type(v) in (tuple, list) or isinstance(v, tuple) and hasattr(v, "_fields")


def _is_leaf(v: Any) -> bool:
    return not (_is_seq(v) or isinstance(v, dict))


def _flatten(tree: Any) -> tuple[list, Any]:
    leaves: list = []

    def walk(t: Any) -> Any:
        if isinstance(t, dict):
            return ("dict", type(t), tuple(t), tuple(walk(v) for v in t.values()))
        if _is_seq(t):
            return ("seq", type(t), None, tuple(walk(v) for v in t))
        leaves.append(t)
        return _LEAF

    return leaves, walk(tree)


def _unflatten(spec: Any, leaves: Any) -> Any:
    it = iter(leaves)

    def build(sp: Any) -> Any:
        if sp == _LEAF:
            return next(it)
        kind, typ, keys, children = sp
        values = [build(c) for c in children]
        if kind == "dict":
            out = typ() if typ is not dict else {}
            out.update(zip(keys, values, strict=True))
            return out
        if typ is tuple or typ is list:
            return typ(values)
        if hasattr(typ, "_fields"):
            return typ(*values)
        return typ(values)

    return build(spec)


class _Star:
    def __repr__(self) -> str:
        return "*"


_STAR = _Star()


def _dummy(tree: Any) -> Any:
    if isinstance(tree, tuple):
        items = [_dummy(v) for v in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
    if isinstance(tree, list):
        return [_dummy(v) for v in tree]
    if isinstance(tree, dict):
        return {k: _dummy(v) for k, v in tree.items()}
    return _STAR


def _spec_str(tree: Any) -> str:
    """A structure as torch's ``treespec_pprint`` writes it: ``(*,)``, ``{'a': *}``..."""
    return repr(_dummy(tree))


def _treespec(tree: Any, indent: int = 0) -> str:
    """A structure as torch's ``TreeSpec.__repr__`` writes it (``TreeSpec(tuple, None, [*])``)."""
    if isinstance(tree, dict):
        context: Any = list(tree.keys())
        children = list(tree.values())
    elif isinstance(tree, tuple) and hasattr(tree, "_fields"):
        context, children = type(tree), list(tree)
    elif isinstance(tree, (tuple, list)):
        context, children = None, list(tree)
    else:
        return "*"
    body = ""
    if children:
        indent += 2
        body = _treespec(children[0], indent) + ("," if len(children) > 1 else "")
        body += ",".join("\n" + " " * indent + _treespec(c, indent) for c in children[1:])
    return f"TreeSpec({type(tree).__name__}, {context}, [{body}])"


def _name(func: Any) -> str:
    if isinstance(func, functools.partial):
        return f"functools.partial({_name(func.func)}, ...)"
    return getattr(func, "__name__", repr(func))


# ---- levels: running the facade function on tracers ----------------------------------------------
class _Level:
    """Context for the user's function inside one transform: pushes the level, and for
    reverse-mode levels enables grad (torch.func ignores an outer ``no_grad``)."""

    __slots__ = ("kind", "arrays", "level", "prev")

    def __init__(self, kind: str, arrays: Any) -> None:
        self.kind = kind
        self.arrays = arrays

    def __enter__(self) -> _transforms.Level:
        self.level = _transforms.Level(self.kind, _transforms.trace_tag(self.arrays))
        local = grad_mode._local
        self.prev = local.grad_enabled
        _transforms.push(self.level)
        if self.kind == "rev":
            local.grad_enabled = True
        return self.level

    def __exit__(self, *exc: Any) -> None:
        grad_mode._local.grad_enabled = self.prev
        _transforms.pop(self.level)


def _inner(array: Any, requires_grad: bool) -> Tensor:
    """A tensor handle on a level's tracer: a leaf, requiring grad in reverse-mode levels."""
    t = Tensor._wrap(array)
    if requires_grad and array.dtype.kind in "fcV":
        t._requires_grad = True
    return t


def _wrap_out(array: Any) -> Tensor:
    return Tensor._wrap(array, grad_mode._local.inference_mode)


def _leave(arrays: list) -> list:
    """Results of a transform called under ``no_grad`` inside an outer reverse-mode transform
    are constants for that outer level (the transform's own grad mode is its own business)."""
    if not grad_mode._local.grad_enabled and _transforms.state.rev:
        return list(_transforms.stop_no_grad(list(arrays)))
    return list(arrays)


def _depends(array: Any, tag: Any) -> bool:
    """Whether ``array`` (returned inside a level) carries that level's tracer."""
    if tag is None or not isinstance(array, jax.core.Tracer):
        return tag is None and isinstance(array, jax.core.Tracer)
    if _transforms.trace_tag([array]) is not tag:
        return False
    if getattr(array, "batch_dim", 0) is None:  # vmap: a tracer carrying an unbatched value
        return False
    tangent = getattr(array, "tangent", None)
    return tangent is None or type(tangent).__name__ != "Zero"


# ---- argnums (torch's helpers and messages) ------------------------------------------------------
def _wrap_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _check_argnums(argnums: Any, num_args: int) -> int | tuple[int, ...]:
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


def _slice(args: tuple, argnums: int | tuple[int, ...]) -> Any:
    return args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)


def _replace(args: tuple, argnums: int | tuple[int, ...], new: Any) -> tuple:
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    return tuple(new[argnums.index(i)] if i in argnums else a for i, a in enumerate(args))


def _diff_leaves(tree: Any) -> tuple[list, Any]:
    """Leaves of differentiated arguments: tensors only, floating point (torch's messages)."""
    leaves, spec = _flatten(tree)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
        if t._st.array.dtype.kind not in "fcV":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
    return leaves, spec


def _aux_arrays(aux: Any) -> tuple[list, Any]:
    leaves, spec = _flatten(aux)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"Expected tensors, got unsupported type {type(t)}")
    return [t._st.array for t in leaves], spec


def _split_aux(out: Any, api: str, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return out


def _check_tensor_outputs(leaves: list, api: str) -> None:
    if (len(leaves) == 1 and leaves[0] is None) or len(leaves) < 1:
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got "
                           f"output = {leaves})")
    for o in leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                               f"unsupported type {type(o)}")


def _check_real(api: str, leaves: list, is_input: bool) -> None:
    for idx, t in enumerate(leaves):
        if isinstance(t, Tensor) and t._st.array.dtype.kind == "c":
            what = "inputs" if is_input else "outputs"
            raise RuntimeError(f"{api}: Expected all {what} to be real but received complex "
                               f"tensor at flattened input idx: {idx}")


# ---- grad ----------------------------------------------------------------------------------------
def grad_and_value(func, argnums: int | tuple[int, ...] = 0, has_aux: bool = False):
    """``torch.func.grad_and_value``: ``(grad, value)`` or ``(grad, (value, aux))``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _check_argnums(argnums, len(args))
        leaves, spec = _diff_leaves(_slice(args, nums))
        arrays = [t._st.array for t in leaves]
        box: dict = {}
        api = "grad_and_value(f)(*args)"

        def pure(*arrs):
            with _Level("rev", arrs):
                diff = _unflatten(spec, [_inner(a, True) for a in arrs])
                output = func(*_replace(args, nums, diff), **kwargs)
                output, aux = _split_aux(output, api, has_aux)
                if not isinstance(output, Tensor):
                    raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                                       f"{type(output)}")
                if output.dim() != 0:
                    raise RuntimeError(
                        f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                        f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                        "instead?")
                aux_arrays, box["aux"] = _aux_arrays(aux) if has_aux else ([], None)
                return output._st.array, aux_arrays

        (value, aux_arrays), grads = jax.value_and_grad(
            pure, argnums=tuple(range(len(arrays))), has_aux=True)(*arrays)
        out = _leave([*grads, value, *aux_arrays])
        g = _unflatten(spec, [_wrap_out(a) for a in out[:len(arrays)]])
        value = _wrap_out(out[len(arrays)])
        if not has_aux:
            return g, value
        aux = _unflatten(box["aux"], [_wrap_out(a) for a in out[len(arrays) + 1:]])
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
    leaves, spec = _diff_leaves(primals)
    arrays = [t._st.array for t in leaves]
    box: dict = {}

    def pure(*arrs):
        with _Level("rev", arrs):
            out = func(*_unflatten(spec, [_inner(a, True) for a in arrs]))
            out, aux = _split_aux(out, api, has_aux)
            out_leaves, box["out"] = _flatten(out)
            _check_tensor_outputs(out_leaves, api)
            for o in out_leaves:
                if o._st.array.dtype.kind not in "fcV":
                    raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or "
                                       f"complex Tensors, got Tensor with dtype {o.dtype}")
            box["tree"] = out
            aux_arrays, box["aux"] = _aux_arrays(aux) if has_aux else ([], None)
            return [o._st.array for o in out_leaves], aux_arrays

    out_arrays, pullback, aux_arrays = jax.vjp(pure, *arrays, has_aux=True)
    out_arrays = _leave(out_arrays)
    outputs = _unflatten(box["out"], [_wrap_out(a) for a in out_arrays])
    out_spec, out_tree = box["out"], box["tree"]

    def vjp_fn(cotangents: Any, retain_graph: bool = True, create_graph: bool | None = None):
        ct_leaves, ct_spec = _flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {_spec_str(cotangents)}, primal output: "
                f"{_spec_str(out_tree)}")
        cts = []
        for i, (c, o) in enumerate(zip(ct_leaves, out_arrays, strict=True)):
            c = c._st.array if isinstance(c, Tensor) else jnp.asarray(c)
            if tuple(c.shape) != tuple(o.shape):
                from .._size import Size

                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{Size(c.shape)} and output[{i}] has a shape of "
                                   f"{Size(o.shape)}.")
            cts.append(c.astype(o.dtype) if c.dtype != o.dtype else c)
        grads = _leave(pullback(cts))
        return _unflatten(spec, [_wrap_out(g) for g in grads])

    if has_aux:
        return outputs, vjp_fn, _unflatten(box["aux"], [_wrap_out(a) for a in aux_arrays])
    return outputs, vjp_fn


# ---- jvp -----------------------------------------------------------------------------------------
_JVP = "jvp(f, primals, tangents)"


def _tangent_arrays(p_leaves: list, t_leaves: list) -> list:
    out = []
    for p, t in zip(p_leaves, t_leaves, strict=True):
        pa, ta = p._st.array, t._st.array
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
        raise RuntimeError(f"{_JVP}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    p_leaves, p_spec = _flatten(primals)
    t_leaves, t_spec = _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{_JVP}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {_treespec(primals)} and tangents with structure "
            f"{_treespec(tangents)}")
    for leaves, what in ((p_leaves, "primals"), (t_leaves, "tangents")):
        if not leaves:
            raise RuntimeError(f"{_JVP}: Expected {what} to contain at least one Tensor.")
        for t in leaves:
            if not isinstance(t, Tensor):
                raise RuntimeError(f"{_JVP}: Expected {what} to only contain Tensors, got "
                                   f"{type(t)}")
    arrays = [t._st.array for t in p_leaves]
    tans = _tangent_arrays(p_leaves, t_leaves)
    box: dict = {}

    def pure(*arrs):
        with _Level("fwd", arrs) as level:
            out = func(*_unflatten(p_spec, [_inner(a, False) for a in arrs]))
            out, aux = _split_aux(out, _JVP, has_aux)
            out_leaves, box["out"] = _flatten(out)
            if (len(out_leaves) == 1 and out_leaves[0] is None) or not out_leaves:
                raise RuntimeError(f"{_JVP}: Expected f to be a function that has non-empty "
                                   f"output (got output = {out_leaves})")
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{_JVP}: expected f(*primals) to return only tensors, got "
                                       f"unsupported type {type(o)}")
                if strict and not _depends(o._st.array, level.tag):
                    raise RuntimeError(
                        "jvp(f, primals, tangents, strict=True): The output of f is independent "
                        "of the inputs. This is not allowed with strict=True.")
            aux_arrays, box["aux"] = _aux_arrays(aux) if has_aux else ([], None)
            return [o._st.array for o in out_leaves], aux_arrays

    out_arrays, tan_out, aux_arrays = jax.jvp(pure, tuple(arrays), tuple(tans), has_aux=True)
    res = _leave([*out_arrays, *tan_out])
    n = len(out_arrays)
    outputs = _unflatten(box["out"], [_wrap_out(a) for a in res[:n]])
    tangents_out = _unflatten(box["out"], [_wrap_out(a) for a in res[n:]])
    if has_aux:
        return outputs, tangents_out, _unflatten(box["aux"], [_wrap_out(a) for a in aux_arrays])
    return outputs, tangents_out


# ---- jacobians -----------------------------------------------------------------------------------
def _jacobian(func, argnums, has_aux: bool, kind: str, api: str):
    transform = jax.jacrev if kind == "rev" else jax.jacfwd

    @functools.wraps(func)
    def wrapper(*args: Any) -> Any:
        _check_real(api, _flatten(args)[0], True)
        nums = _check_argnums(argnums, len(args))
        diff = _slice(args, nums)
        leaves, spec = _diff_leaves(diff)
        arrays = [t._st.array for t in leaves]
        box: dict = {}
        fapi = "vjp(f, *primals)" if kind == "rev" else _JVP

        def pure(*arrs):
            with _Level(kind, arrs):
                new = _unflatten(spec, [_inner(a, kind == "rev") for a in arrs])
                out = func(*_replace(args, nums, new))
                out, aux = _split_aux(out, fapi, has_aux)
                out_leaves, box["out"] = _flatten(out)
                _check_tensor_outputs(out_leaves, fapi)
                _check_real(api, out_leaves, False)
                aux_arrays, box["aux"] = _aux_arrays(aux) if has_aux else ([], None)
                return [o._st.array for o in out_leaves], aux_arrays

        jac, aux_arrays = transform(pure, argnums=tuple(range(len(arrays))),
                                    has_aux=True)(*arrays)
        per_out = []
        for row in jac:  # one entry per output leaf: the jacobian wrt every input leaf
            row = _leave(row)
            per_out.append(_unflatten(spec, [_wrap_out(a) for a in row]))
        result = _unflatten(box["out"], per_out)
        if has_aux:
            aux = _unflatten(box["aux"], [_wrap_out(a) for a in _leave(aux_arrays)])
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
    _check_randomness(randomness)
    return _jacobian(func, argnums, has_aux, "fwd", "jacfwd")


def hessian(func, argnums: int | tuple[int, ...] = 0):
    """``torch.func.hessian``: ``jacfwd(jacrev(func, argnums), argnums)``, as torch defines it."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---- linearize -----------------------------------------------------------------------------------
def linearize(func, *primals: Any):
    """``torch.func.linearize``: ``(output, jvp_fn)`` by ``jax.linearize`` (the function runs
    once; ``jvp_fn(*tangents)`` evaluates the linearized function)."""
    leaves, spec = _flatten(primals)
    for t in leaves:
        if not isinstance(t, Tensor):
            raise RuntimeError(f"{_JVP}: Expected primals to only contain Tensors, got {type(t)}")
    arrays = [t._st.array for t in leaves]
    box: dict = {}

    def pure(*arrs):
        with _Level("fwd", arrs):
            out = func(*_unflatten(spec, [_inner(a, False) for a in arrs]))
            out_leaves, box["out"] = _flatten(out)
            _check_tensor_outputs(out_leaves, _JVP)
            return [o._st.array for o in out_leaves]

    out_arrays, f_jvp = jax.linearize(pure, *arrays)
    outputs = _unflatten(box["out"], [_wrap_out(a) for a in _leave(out_arrays)])

    def jvp_fn(*tangents: Any) -> Any:
        t_leaves, t_spec = _flatten(tangents)
        if t_spec != spec:
            raise RuntimeError(f"Expected the tangents {_treespec(tangents)} to have the same "
                               f"argspec as the primals {_treespec(primals)}")
        tans = []
        for idx, (t, p) in enumerate(zip(t_leaves, arrays, strict=True)):
            ta = t._st.array
            if tuple(ta.shape) != tuple(p.shape):
                from .._size import Size

                raise RuntimeError(f"tangent:{idx} with shape {Size(ta.shape)} in flattened "
                                   f"pytree doesn't match the shape {Size(p.shape)} of the "
                                   "corresponding primal.")
            if ta.dtype != p.dtype:
                raise RuntimeError(f"tangent:{idx} with dtype {t.dtype} in flattened pytree "
                                   f"doesn't match the dtype {leaves[idx].dtype} of the "
                                   "corresponding primal.")
            tans.append(ta)
        return _unflatten(box["out"], [_wrap_out(a) for a in _leave(f_jvp(*tans))])

    return outputs, jvp_fn


# ---- vmap ----------------------------------------------------------------------------------------
def _check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _broadcast_dims(dims: Any, tree: Any) -> list | None:
    """torch's ``_broadcast_to_and_flatten``: ``dims`` is a prefix of ``tree``'s structure; an
    int or None applies to every leaf below it. None when the structures do not match."""
    if not isinstance(dims, (tuple, list, dict)):  # a leaf spec: applies to every leaf below
        return [dims] * len(_flatten(tree)[0])
    if _is_leaf(tree) or type(dims) is not type(tree) and not (
            isinstance(dims, tuple) and isinstance(tree, tuple)):
        return None
    if isinstance(dims, (tuple, list)):
        if len(dims) != len(tree):
            return None
        out: list = []
        for d, t in zip(dims, tree, strict=True):
            sub = _broadcast_dims(d, t)
            if sub is None:
                return None
            out += sub
        return out
    if isinstance(dims, dict):
        if set(dims) != set(tree):
            return None
        out = []
        for k in tree:
            sub = _broadcast_dims(dims[k], tree[k])
            if sub is None:
                return None
            out += sub
        return out
    return None


def vmap(func, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None):
    """``torch.func.vmap`` by ``jax.vmap``: ``in_dims``/``out_dims`` as in torch (ints, None, or
    tuples matching a prefix of the inputs/outputs); keyword arguments are not mapped."""
    _check_randomness(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    name = _name(func)

    @functools.wraps(func)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not isinstance(in_dims, (int, tuple)):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` "
                             "to be int or a (potentially nested) tuple matching the structure "
                             f"of inputs, got: {type(in_dims)}.")
        if not args:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add "
                             "inputs, or you are trying to vmap over a function with no inputs. "
                             "The latter is unsupported.")
        flat, spec = _flatten(args)
        dims = _broadcast_dims(in_dims, args)
        if dims is None:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                             "compatible with the structure of `inputs`. in_dims has structure "
                             f"{_treespec(in_dims)} but inputs has structure {_treespec(args)}.")
        norm = []
        for arg, d in zip(flat, dims, strict=True):
            pre = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for "
            if d is not None and not isinstance(d, int):
                raise ValueError(pre + "an input but in_dim must be either an integer dimension "
                                 "or None.")
            if d is not None and not isinstance(arg, Tensor):
                raise ValueError(pre + f"an input but the input is of type {type(arg)}. We cannot "
                                 "vmap over non-Tensor arguments, please use None as the "
                                 "respective in_dim")
            if d is not None:
                nd = arg.dim()
                if d < -nd or d >= nd:
                    raise ValueError(pre + f"some input, but that input is a Tensor of "
                                     f"dimensionality {nd} so expected in_dim to satisfy "
                                     f"-{nd} <= in_dim < {nd}.")
                d = d % nd
            norm.append(d)
        sizes = [a._st.array.shape[d] for a, d in zip(flat, norm, strict=True) if d is not None]
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if any(s != sizes[0] for s in sizes):
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        mapped = [k for k, d in enumerate(norm) if d is not None]
        arrays = [flat[k]._st.array for k in mapped]
        box: dict = {}

        def pure(*arrs):
            with _Level("vmap", arrs) as level:
                leaves = list(flat)
                for k, a in zip(mapped, arrs, strict=True):
                    leaves[k] = _inner(a, False)
                out = func(*_unflatten(spec, leaves), **kwargs)
                out_leaves, out_spec = _flatten(out)
                odims = _out_dims(out, out_leaves, out_dims, name)
                keep, batched = [], []
                for o, d in zip(out_leaves, odims, strict=True):
                    if d is None:
                        if isinstance(o, Tensor) and _depends(o._st.array, level.tag):
                            raise ValueError(f"vmap({name}, ...): `{name}` can not return a "
                                             "BatchedTensor when out_dim is None")
                        # unbatched: returned as is, outside the mapped computation
                        keep.append(_unbatched(o, level.tag) if isinstance(o, Tensor) else o)
                        continue
                    if not isinstance(o, Tensor):
                        raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, "
                                         f"got type {type(o)}. Did you mean to set out_dims= to "
                                         "None for output?")
                    keep.append(None)
                    batched.append(o._st.array)
                box.update(spec=out_spec, dims=odims, keep=keep)
                return batched

        in_axes = tuple(norm[k] for k in mapped)
        results = jax.vmap(pure, in_axes=in_axes, out_axes=0)(*arrays)
        results = iter(_leave(results))
        final = []
        for d, kept in zip(box["dims"], box["keep"], strict=True):
            if d is None:
                final.append(kept)
                continue
            r = next(results)
            nd = r.ndim
            if d < -nd or d >= nd:
                raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                                 f"{nd - 1}], but got {d})")
            final.append(_wrap_out(jnp.moveaxis(r, 0, d) if d % nd else r))
        return _unflatten(box["spec"], final)

    return wrapped


def _unbatched(t: Tensor, tag: Any) -> Tensor:
    """An output that does not depend on the mapped inputs, lowered out of the vmap level."""
    a = t._st.array
    if isinstance(a, jax.core.Tracer) and _transforms.trace_tag([a]) is tag:
        a = a.val  # this level's tracer around an unbatched value
    return _wrap_out(a)


def _out_dims(out: Any, leaves: list, out_dims: Any, name: str) -> list:
    def bad() -> ValueError:
        return ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                          "compatible with the structure of `outputs`. out_dims has structure "
                          f"{_treespec(out_dims)} but outputs has structure {_treespec(out)}.")

    def check(d: Any) -> None:
        if d is not None and not isinstance(d, int):
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                             "None or a python collection of ints representing where in the "
                             "outputs the vmapped dimension should appear.")

    for d in _flatten(out_dims)[0] if not isinstance(out_dims, int) else [out_dims]:
        check(d)
    if isinstance(out, Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            return [out_dims]
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        raise bad()
    dims = _broadcast_dims(out_dims, out)
    if dims is None or len(dims) != len(leaves):
        raise bad()
    return dims


# ---- functional_call -----------------------------------------------------------------------------
_MISSING = object()


def _named_tensors(module: Any) -> dict:
    out: dict = {}
    for attr in ("named_parameters", "named_buffers"):
        method = getattr(module, attr, None)
        if method is None:
            continue
        try:
            items = method(remove_duplicate=False)
        except TypeError:
            items = method()
        out.update(dict(items))
    return out


def _owner(module: Any, name: str) -> tuple[Any, str]:
    *path, leaf = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


def _swap(module: Any, name: str, value: Any) -> Any:
    """Put ``value`` at dotted ``name``; returns what was there (``_MISSING`` if nothing). Uses
    nn.Module-style ``_parameters``/``_buffers`` dicts when the owner keeps the name there."""
    owner, leaf = _owner(module, name)
    for store in ("_parameters", "_buffers"):
        d = getattr(owner, "__dict__", {}).get(store)
        if isinstance(d, dict) and leaf in d:
            old = d[leaf]
            if value is _MISSING:
                del d[leaf]
            else:
                d[leaf] = value
            return old
    old = getattr(owner, leaf, _MISSING)
    if value is _MISSING:
        if old is not _MISSING:
            delattr(owner, leaf)
    else:
        setattr(owner, leaf, value)
    return old


def _untie(named: dict, given: dict) -> dict:
    by_id: dict = {}
    for n, t in named.items():
        by_id.setdefault(id(t), set()).add(n)
    tied = {n: names for names in by_id.values() if len(names) > 1 for n in names}
    given_tied = [n for n in given if n in tied]
    for n in given_tied:
        names = tied[n]
        if len(names & set(given_tied)) > 1 and len({id(given[m]) for m in names
                                                      if m in given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    out = dict(given)
    for n in given_tied:
        for m in tied[n]:
            out[m] = given[n]
    return out


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``torch.func.functional_call``: call ``module`` with its parameters and buffers replaced.

    ``module`` is any object exposing ``named_parameters()`` / ``named_buffers()`` (either is
    enough) whose tensors live at dotted attribute paths (an nn.Module-style ``_parameters`` /
    ``_buffers`` dict is used when present); the originals are restored afterwards, and names
    the call rebound are written back into the given dict, as torch does. A plain callable
    without those methods is called as ``module(params, *args, **kwargs)`` (the JAX-style
    "function of a params dict"); ``tie_weights`` and ``strict`` do not apply to it.
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        given = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        seen: dict = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                seen[k] = seen.get(k, 0) + 1
        repeated = [k for k, n in seen.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        given = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    kwargs = {} if kwargs is None else kwargs
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    if not (hasattr(module, "named_parameters") or hasattr(module, "named_buffers")):
        return module(given, *args, **kwargs)
    named = _named_tensors(module)
    values = _untie(named, given) if tie_weights else given
    if strict:
        missing = sorted(set(named) - set(values))
        unexpected = sorted(set(values) - set(named))
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            cls = getattr(module, "_get_name", lambda: type(module).__name__)()
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                cls, "\n\t".join(msgs)))
    originals: dict = {}
    try:
        for k, v in values.items():
            originals[k] = _swap(module, k, v)
        return module(*args, **kwargs)
    finally:
        current = {}
        for k in reversed(list(originals)):
            current[k] = _swap(module, k, originals[k])
        for k in given:
            if k in current and current[k] is not _MISSING:
                _write_back(parameter_and_buffer_dicts, k, current[k])


def _write_back(dicts: Any, key: str, value: Any) -> None:
    """Write a value the call rebound back into whichever given dict holds ``key``."""
    for d in (dicts,) if isinstance(dicts, dict) else dicts:
        if key in d:
            d[key] = value
            return
