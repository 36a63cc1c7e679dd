"""Shape ops: reshape/view, transpose/permute/t, (un)squeeze, flatten, expand, clone, casts.

JAX arrays are immutable, so these return new arrays rather than views sharing storage; see
docs/architecture.md ("Views") for what that changes for in-place writes through a view.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from .dims import norm_dim
from .dispatch import _legacy_name, dispatch
from .registry import KEEP, register
from .surface import expose

RESHAPE = register("reshape", lambda a, shape: jnp.reshape(a, shape), "ViewBackward0",
                   dtype_rule=KEEP)
TRANSPOSE = register("transpose", lambda a, d0, d1: jnp.swapaxes(a, d0, d1) if a.ndim else a,
                     "TransposeBackward0", dtype_rule=KEEP)  # 0-d: dims 0/-1 are allowed
T_OP = register("t", lambda a: a.T, "TBackward0", dtype_rule=KEEP)
PERMUTE = register("permute", lambda a, dims: jnp.transpose(a, dims), "PermuteBackward0",
                   dtype_rule=KEEP)
UNSQUEEZE = register("unsqueeze", lambda a, d: jnp.expand_dims(a, d), "UnsqueezeBackward0",
                     dtype_rule=KEEP)
# params: (dims, variant) with variant 0 = squeeze(), 1 = squeeze(int), 2 = squeeze(tuple),
# which is how torch numbers the grad_fn (SqueezeBackward0/1/2)
SQUEEZE = register("squeeze", lambda a, dims, variant: jnp.squeeze(a, dims),
                   lambda p: f"SqueezeBackward{p[1]}", dtype_rule=KEEP)
EXPAND = register("expand", lambda a, shape: jnp.broadcast_to(a, shape), "ExpandBackward0",
                  dtype_rule=KEEP)
CLONE = register("clone", lambda a: a + jnp.zeros((), a.dtype), "CloneBackward0", dtype_rule=KEEP)
TO_COPY = register("to_copy", lambda a, dt: a.astype(dt), "ToCopyBackward0", dtype_rule=KEEP)


def infer_shape(shape: tuple, numel: int) -> tuple[int, ...]:
    """Resolve one -1 in ``shape`` and check the element count, with torch's messages."""
    shape = tuple(int(s) for s in shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} "
                               "because the unspecified dimension size -1 can be any value and is "
                               "ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_args(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def reshape(input, *shape):
    """torch.reshape / Tensor.view: same data, new shape (``-1`` inferred)."""
    new = infer_shape(_shape_args(shape), input.numel())
    return dispatch(RESHAPE, (input,), (new,))


view = reshape


def flatten(input, start_dim=0, end_dim=-1):
    """torch.flatten; returns the input itself when nothing changes, as torch does."""
    nd = input.ndim
    if nd == 0:
        return input.reshape(1)
    s, e = norm_dim(start_dim, nd), norm_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input.shape
    return reshape(input, *shp[:s], math.prod(shp[s:e + 1]), *shp[e + 1:])


def transpose(input, dim0, dim1):
    nd = input.ndim
    return dispatch(TRANSPOSE, (input,), (norm_dim(dim0, nd), norm_dim(dim1, nd)))


swapaxes = transpose


def t(input):
    """torch.t: transpose of a tensor with at most 2 dims."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    return dispatch(T_OP, (input,))


def permute(input, *dims):
    dims = tuple(norm_dim(d, input.ndim) for d in _shape_args(dims))
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}")
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return dispatch(PERMUTE, (input,), (dims,))


def unsqueeze(input, dim):
    return dispatch(UNSQUEEZE, (input,), (norm_dim(dim, input.ndim + 1),))


def squeeze(input, dim=None):
    """torch.squeeze: drops size-1 dims (all, or those listed that have size 1)."""
    nd = input.ndim
    if dim is None:
        dims = tuple(i for i, s in enumerate(input.shape) if s == 1)
        return dispatch(SQUEEZE, (input,), (dims, 0))
    dl = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(sorted({norm_dim(d, nd) for d in dl}))
    dims = tuple(d for d in dims if nd and input.shape[d] == 1)
    return dispatch(SQUEEZE, (input,), (dims, 1 if isinstance(dim, int) else 2))


def expand(input, *sizes):
    sizes = _shape_args(sizes)
    shp = input.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand(torch.{_legacy_name(input.dtype)}Tensor{{{list(shp)}}}, "
                           f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) "
                           f"must be greater or equal to the number of dimensions in the tensor "
                           f"({len(shp)})")
    lead = len(sizes) - len(shp)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            out.append(int(s))
        else:
            old = shp[i - lead]
            if s == -1:
                out.append(old)
            elif old != 1 and s != old:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the "
                                   f"existing size ({old}) at non-singleton dimension {i}.  "
                                   f"Target sizes: {list(sizes)}.  Tensor sizes: {list(shp)}")
            else:
                out.append(int(s))
    return dispatch(EXPAND, (input,), (tuple(out),))


def clone(input):
    return dispatch(CLONE, (input,))


def to_dtype(input, dtype):
    """Cast; returns ``input`` itself when the dtype already matches (torch's ``to`` rule)."""
    if input.dtype is dtype:
        return input
    return dispatch(TO_COPY, (input,), (dtype.np,))


expose("reshape")(reshape)
expose("view", namespace=())(view)
expose("flatten")(flatten)
expose("transpose", "swapaxes", inplace=True, reshaping=True)(transpose)
expose("t", inplace=True, reshaping=True)(t)
expose("permute")(permute)
expose("unsqueeze", inplace=True, reshaping=True)(unsqueeze)
expose("squeeze", inplace=True, reshaping=True)(squeeze)
expose("expand", namespace=())(expand)
expose("clone")(clone)
