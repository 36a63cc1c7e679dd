"""Joining and splitting: cat/stack and their h/v/d/column variants, split/chunk/unbind,
tensor_split/hsplit/vsplit/dsplit, broadcast_tensors and meshgrid.

Splits have one output per piece, so their OpDef depends on the number of pieces: one op is
registered per (kind, count) the first time it is needed. All pieces share one node, as in torch
(SplitBackward0 / SplitWithSizesBackward0 / UnbindBackward0), and each is a view of the input.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import jax.numpy as jnp

from ..core.dims import broadcast_shapes, norm_dim
from ..core.dispatch import dispatch
from ..core.registry import KEEP, REGISTRY, OpDef, register
from ..core.surface import expose
from ..core.tensor import Tensor
from .shape import (
    RESHAPE,
    SLICE,
    atleast_1d,
    atleast_2d,
    atleast_3d,
    expand,
    vdispatch,
)


def _cat_impl(*args):
    """``args`` = tensors, dim, skip: torch ignores legacy empty (shape [0]) inputs when others
    are not empty; they stay inputs so their gradient is an empty tensor, not None."""
    *arrays, dim, skip = args
    return jnp.concatenate([a for i, a in enumerate(arrays) if i not in skip], axis=dim)


CAT = register("cat", _cat_impl, "CatBackward0")
STACK = register("stack", lambda *a: jnp.stack(a[:-1], axis=a[-1]), "StackBackward0")


def _check_list(tensors, name: str, empty_error: Exception) -> tuple:

    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = tuple(tensors)
    if not tensors:
        raise empty_error
    return tensors


def cat(tensors, dim=0):
    """torch.cat: join along an existing dim; all other sizes must match."""
    tensors = _check_list(tensors, "cat",
                          ValueError("torch.cat(): expected a non-empty list of Tensors"))
    for k, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be "
                               "concatenated")
    # torch skips legacy empty tensors (shape [0]) when checking and joining shapes
    skip = tuple(i for i, t in enumerate(tensors) if t.shape == (0,))
    if len(skip) == len(tensors):
        skip = skip[1:]
    kept = [t for i, t in enumerate(tensors) if i not in skip]
    ref = kept[0]
    d = norm_dim(dim, ref.ndim)
    for k, t in enumerate(tensors):
        if k in skip or t is ref:
            continue
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{t.ndim}")
        for ax in range(ref.ndim):
            if ax != d and t.shape[ax] != ref.shape[ax]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[ax]} but got size {t.shape[ax]} "
                                   f"for tensor number {k} in the list.")
    return dispatch(CAT, tensors, (d, skip))


concat = concatenate = cat


def stack(tensors, dim=0):
    """torch.stack: join along a new dim; all shapes must be equal."""
    tensors = _check_list(tensors, "stack",
                          RuntimeError("stack expects a non-empty TensorList"))
    ref = tensors[0]
    for k, t in enumerate(tensors[1:], 1):
        if t.shape != ref.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ref.shape)} at entry 0 and {list(t.shape)} at entry {k}")
    return dispatch(STACK, tensors, (norm_dim(dim, ref.ndim + 1),))


def hstack(tensors):
    """torch.hstack: cat along dim 1 (dim 0 for 1-D inputs), after atleast_1d."""
    tensors = atleast_1d(tuple(_check_list(tensors, "hstack", RuntimeError(
        "hstack expects a non-empty TensorList"))))
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    """torch.vstack / row_stack: cat along dim 0 after atleast_2d."""
    tensors = atleast_2d(tuple(_check_list(tensors, "vstack", RuntimeError(
        "vstack expects a non-empty TensorList"))))
    return cat(tensors, 0)


def dstack(tensors):
    """torch.dstack: cat along dim 2 after atleast_3d."""
    tensors = atleast_3d(tuple(_check_list(tensors, "dstack", RuntimeError(
        "dstack expects a non-empty TensorList"))))
    return cat(tensors, 2)


def column_stack(tensors):
    """torch.column_stack: 0/1-D inputs become columns, then hstack."""
    tensors = _check_list(tensors, "column_stack", RuntimeError(
        "column_stack expects a non-empty TensorList"))
    cols = tuple(dispatch(RESHAPE, (t,), ((t.numel(), 1),)) if t.ndim <= 1 else t
                 for t in tensors)
    return cat(cols, 1)


# ---- splitting ----------------------------------------------------------------------------------
def _pieces_impl(a, dim, bounds):
    outs = tuple(a[(slice(None),) * dim + (slice(lo, hi),)] for lo, hi in bounds)
    return outs if len(outs) > 1 else outs[0]


def _unbind_impl(a, dim):
    outs = tuple(jnp.take(a, i, axis=dim) for i in range(a.shape[dim]))
    return outs if len(outs) > 1 else outs[0]


_GRAD_FN = {"split": "SplitBackward0", "split_with_sizes": "SplitWithSizesBackward0",
            "unbind": "UnbindBackward0", "unsafe_split": "UnsafeSplitBackward0",
            "unsafe_split_with_sizes": "UnsafeSplitWithSizesBackward0"}


def _multi_op(kind: str, n: int) -> OpDef:
    """The OpDef of a ``kind`` split into ``n`` pieces (registered on first use)."""
    name = f"{kind}[{n}]"
    op = REGISTRY.get(name)
    if op is None:
        impl = _unbind_impl if kind == "unbind" else _pieces_impl
        op = register(name, impl, _GRAD_FN[kind], dtype_rule=KEEP, n_out=max(n, 1),
                      diff_outputs=tuple(range(max(n, 1))), view=not kind.startswith("unsafe"))
    return op


def _run_pieces(kind: str, input, dim: int, bounds: tuple, copy: bool = False) -> tuple:
    out = vdispatch(_multi_op(kind, len(bounds)), (input,), (dim, bounds), copy=copy)
    return out if isinstance(out, tuple) else (out,)


def _split(tensor, split_size_or_sections, dim: int, *, copy: bool, prefix: str = "") -> tuple:
    """torch.split (``copy``: torch.split_copy, pieces that are not views; ``prefix``
    "unsafe_": torch.unsafe_split, pieces that are not views, with torch's other node)."""
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = norm_dim(dim, tensor.ndim)
    n = tensor.shape[d]
    if isinstance(split_size_or_sections, int) or (hasattr(split_size_or_sections, "ndim")
                                                   and split_size_or_sections.ndim == 0):
        size = int(split_size_or_sections)
        if size < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={size}")
        if size == 0 and n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        count = max(math.ceil(n / size), 1) if size else 1
        bounds = tuple((i * size, min((i + 1) * size, n)) for i in range(count))
        return _run_pieces(prefix + "split", tensor, d, bounds, copy)
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input "
                           f"tensor's size at dimension {d}), but got split_sizes={sizes}")
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    bounds = tuple((s, s + k) for s, k in zip(starts, sizes, strict=True))
    return _run_pieces(prefix + "split_with_sizes", tensor, d, bounds, copy)


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """torch.split: pieces of ``split_size`` (the last may be smaller), or of the given sizes."""
    return _split(tensor, split_size_or_sections, dim, copy=False)


def split_copy(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """torch.split_copy: like split, but a copy rather than a view."""
    return _split(tensor, split_size_or_sections, dim, copy=True)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """torch.chunk: at most ``chunks`` pieces of ceil(size / chunks)."""
    return _chunk(input, chunks, dim, "")


def _chunk(input, chunks: int, dim: int, prefix: str) -> tuple:
    """torch.chunk (``prefix`` "unsafe_": torch.unsafe_chunk)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    size = math.ceil(n / chunks)
    if size == 0:  # an empty dim: torch returns `chunks` empty pieces
        return _run_pieces(prefix + "split", input, d, ((0, 0),) * chunks)
    return _split(input, size, d, copy=False, prefix=prefix)


def unsafe_split(tensor, split_size: int, dim: int = 0) -> tuple:
    """torch.unsafe_split: split's pieces as new tensors, not views (torch skips the view
    bookkeeping and trusts the caller not to write into them)."""
    if not isinstance(split_size, int) and not (hasattr(split_size, "ndim")
                                                and split_size.ndim == 0):
        raise TypeError("unsafe_split(): argument 'split_size' (position 2) must be int, not "
                        f"{type(split_size).__name__}")
    return _split(tensor, split_size, dim, copy=False, prefix="unsafe_")


def unsafe_split_with_sizes(tensor, split_sizes, dim: int = 0) -> tuple:
    """torch.unsafe_split_with_sizes: split_with_sizes's pieces as new tensors, not views."""
    return _split(tensor, list(split_sizes), dim, copy=False, prefix="unsafe_")


def unsafe_chunk(input, chunks: int, dim: int = 0) -> tuple:
    """torch.unsafe_chunk: chunk's pieces as new tensors, not views."""
    return _chunk(input, chunks, dim, "unsafe_")


def _unbind(input, dim: int, *, copy: bool) -> tuple:
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    if n == 0:
        return ()
    out = vdispatch(_multi_op("unbind", n), (input,), (d,), copy=copy)
    return out if isinstance(out, tuple) else (out,)


def unbind(input, dim: int = 0) -> tuple:
    """torch.unbind: the slices along ``dim``, each without that dim."""
    return _unbind(input, dim, copy=False)


def unbind_copy(input, dim: int = 0) -> tuple:
    """torch.unbind_copy: like unbind, but a copy rather than a view."""
    return _unbind(input, dim, copy=True)


def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:
    """torch.tensor_split: ``n`` nearly equal pieces, or pieces cut at the given indices; each
    piece is a separate slice view (SliceBackward0), as in torch."""
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    d = norm_dim(dim, input.ndim)
    n = input.shape[d]
    ios = indices_or_sections
    if hasattr(ios, "ndim"):
        ios = int(ios.item()) if ios.ndim == 0 else [int(v) for v in ios.tolist()]
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(n, ios)
        cuts, pos = [], 0
        for i in range(ios):
            size = q + (1 if i < r else 0)
            cuts.append((pos, pos + size))
            pos += size
    else:
        idx = [int(i) for i in ios]
        edges = [0, *idx, n]
        cuts = []
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            lo = min(max(lo + n if lo < 0 else lo, 0), n)
            hi = min(max(hi + n if hi < 0 else hi, 0), n)
            cuts.append((lo, max(hi, lo)))
    return tuple(dispatch(SLICE, (input,), (d, lo, hi, 1)) for lo, hi in cuts)


def _named_split(name: str, min_dims: int, dim: int):
    def fn(input, indices_or_sections) -> tuple:
        if input.ndim < min_dims:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_dims} "
                               f"dimension, but got a tensor with {input.ndim} dimensions!")
        d = 0 if name == "hsplit" and input.ndim == 1 else dim
        if isinstance(indices_or_sections, int):
            size = input.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but "
                                   f"the size of the dimension {size} is not divisible by the "
                                   f"split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)

    fn.__name__ = name
    fn.__doc__ = f"torch.{name}: tensor_split along dim {dim} (exact division for an int)."
    return fn


hsplit = _named_split("hsplit", 1, 1)
vsplit = _named_split("vsplit", 2, 0)
dsplit = _named_split("dsplit", 3, 2)


# ---- broadcasting helpers -----------------------------------------------------------------------
def broadcast_tensors(*tensors) -> tuple:
    """torch.broadcast_tensors: every input expanded to the common shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shape = tuple(broadcast_shapes(*(t.shape for t in tensors)))
    return tuple(t if tuple(t.shape) == shape else expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """torch.meshgrid: coordinate grids; ``indexing`` "ij" (default) or "xy"."""
    if len(tensors) == 1 and isinstance(tensors[0], Sequence):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    shape = tuple(t.numel() for t in ts)
    n = len(ts)
    out = []
    for i, t in enumerate(ts):
        view_shape = tuple(shape[i] if j == i else 1 for j in range(n))
        out.append(expand(dispatch(RESHAPE, (t,), (view_shape,)), shape))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


expose("cat", "concat", "concatenate", method=False)(cat)
expose("stack", method=False)(stack)
expose("hstack", method=False)(hstack)
expose("vstack", "row_stack", method=False)(vstack)
expose("dstack", method=False)(dstack)
expose("column_stack", method=False)(column_stack)
expose("split")(split)
expose("chunk")(chunk)
expose("unbind")(unbind)
expose("tensor_split")(tensor_split)
expose("hsplit")(hsplit)
expose("vsplit")(vsplit)
expose("dsplit")(dsplit)
expose("broadcast_tensors", method=False)(broadcast_tensors)
expose("meshgrid", method=False)(meshgrid)



def split_with_sizes(input, split_sizes, dim: int = 0) -> tuple:
    """torch.split_with_sizes: split into pieces of the given sizes."""
    return split(input, list(split_sizes), dim)


def split_with_sizes_copy(input, split_sizes, dim: int = 0) -> tuple:
    """torch.split_with_sizes_copy: like split_with_sizes, but a copy rather than a view."""
    return split_copy(input, list(split_sizes), dim)


expose("split_with_sizes")(split_with_sizes)
expose("unsafe_split")(unsafe_split)
expose("unsafe_split_with_sizes")(unsafe_split_with_sizes)
expose("unsafe_chunk")(unsafe_chunk)
expose("split_copy", method=False)(split_copy)
expose("split_with_sizes_copy", method=False)(split_with_sizes_copy)
expose("unbind_copy", method=False)(unbind_copy)
