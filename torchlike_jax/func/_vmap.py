"""``vmap`` by ``jax.vmap``, with torch's ``in_dims``/``out_dims`` rules and messages."""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp

from ..core import transforms as _transforms
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from ._arguments import check_randomness, function_name
from ._levels import TransformLevel, depends_on_level, inner_tensor, leave_level, wrap_output
from ._pytree import broadcast_dims, flatten, treespec, unflatten


def vmap(func, in_dims: Any = 0, out_dims: Any = 0, randomness: str = "error", *,
         chunk_size: int | None = None):
    """``torch.func.vmap`` by ``jax.vmap``: ``in_dims``/``out_dims`` as in torch (ints, None, or
    tuples matching a prefix of the inputs/outputs); keyword arguments are not mapped."""
    check_randomness(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")
    name = function_name(func)

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
        flat, spec = flatten(args)
        dims = broadcast_dims(in_dims, args)
        if dims is None:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not "
                             "compatible with the structure of `inputs`. in_dims has structure "
                             f"{treespec(in_dims)} but inputs has structure {treespec(args)}.")
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
        sizes = [array_of(a).shape[d] for a, d in zip(flat, norm, strict=True) if d is not None]
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if any(s != sizes[0] for s in sizes):
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                             f"dimension, got sizes {sizes} for the mapped dimension")
        mapped = [k for k, d in enumerate(norm) if d is not None]
        arrays = [array_of(flat[k]) for k in mapped]
        box: dict = {}

        def pure(*arrs):
            with TransformLevel("vmap", arrs) as level:
                leaves = list(flat)
                for k, a in zip(mapped, arrs, strict=True):
                    leaves[k] = inner_tensor(a, False)
                out = func(*unflatten(spec, leaves), **kwargs)
                out_leaves, out_spec = flatten(out)
                odims = _out_dims(out, out_leaves, out_dims, name)
                keep, batched = [], []
                for o, d in zip(out_leaves, odims, strict=True):
                    if d is None:
                        if isinstance(o, Tensor) and depends_on_level(array_of(o), level.tag):
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
                    batched.append(array_of(o))
                box.update(spec=out_spec, dims=odims, keep=keep)
                return batched

        in_axes = tuple(norm[k] for k in mapped)
        results = jax.vmap(pure, in_axes=in_axes, out_axes=0)(*arrays)
        results = iter(leave_level(results))
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
            final.append(wrap_output(jnp.moveaxis(r, 0, d) if d % nd else r))
        return unflatten(box["spec"], final)

    return wrapped


def _unbatched(t: Tensor, tag: Any) -> Tensor:
    """An output that does not depend on the mapped inputs, lowered out of the vmap level."""
    a = array_of(t)
    if isinstance(a, jax.core.Tracer) and _transforms.trace_tag([a]) is tag:
        a = a.val  # this level's tracer around an unbatched value
    return wrap_output(a)


def _out_dims(out: Any, leaves: list, out_dims: Any, name: str) -> list:
    def bad() -> ValueError:
        return ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not "
                          "compatible with the structure of `outputs`. out_dims has structure "
                          f"{treespec(out_dims)} but outputs has structure {treespec(out)}.")

    def check(d: Any) -> None:
        if d is not None and not isinstance(d, int):
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                             "None or a python collection of ints representing where in the "
                             "outputs the vmapped dimension should appear.")

    for d in flatten(out_dims)[0] if not isinstance(out_dims, int) else [out_dims]:
        check(d)
    if isinstance(out, Tensor):
        if isinstance(out_dims, int) or out_dims is None:
            return [out_dims]
        if isinstance(out_dims, tuple) and len(out_dims) == 1:
            return list(out_dims)
        raise bad()
    dims = broadcast_dims(out_dims, out)
    if dims is None or len(dims) != len(leaves):
        raise bad()
    return dims
