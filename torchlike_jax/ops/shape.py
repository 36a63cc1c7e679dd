"""Shape ops: views (reshape, transpose, permute, squeeze, expand, narrow, select, diagonal,
movedim, unflatten...), reorderings that copy (repeat, tile, flip, roll, rot90, tril/triu,
diag/diag_embed), clone and casts.

JAX arrays are immutable, so these return new arrays rather than views sharing storage; see
docs/architecture.md ("Views") for what that changes for in-place writes through a view.

Which op a view function records is decided by its arguments, never by per-thread state: the
public function, its ``torch.*_copy`` twin and its in-place method (``Tensor.t_``...) each pass
their own op (or ``copy=True``) to one private core that checks the arguments.
"""

from __future__ import annotations

import math

import jax.numpy as jnp

from .._dtypes import legacy_name
from ..core.dims import norm_dim
from ..core.dispatch import dispatch
from ..core.registry import KEEP, REGISTRY, OpDef, register
from ..core.strides import layout, view_strides
from ..core.surface import expose, expose_inplace

RESHAPE = register("reshape", lambda a, shape: jnp.reshape(a, shape), "ViewBackward0",
                   dtype_rule=KEEP, view=True)
TRANSPOSE = register("transpose", lambda a, d0, d1: jnp.swapaxes(a, d0, d1) if a.ndim else a,
                     "TransposeBackward0", dtype_rule=KEEP, view=True)  # 0-d: dims 0/-1 allowed
T_OP = register("t", lambda a: a.T, "TBackward0", dtype_rule=KEEP, view=True)
PERMUTE = register("permute", lambda a, dims: jnp.transpose(a, dims), "PermuteBackward0",
                   dtype_rule=KEEP, view=True)
UNSQUEEZE = register("unsqueeze", lambda a, d: jnp.expand_dims(a, d), "UnsqueezeBackward0",
                     dtype_rule=KEEP, view=True)
# params: (dims, variant) with variant 0 = squeeze(), 1 = squeeze(int), 2 = squeeze(tuple),
# which is how torch numbers the grad_fn (SqueezeBackward0/1/2)
SQUEEZE = register("squeeze", lambda a, dims, variant: jnp.squeeze(a, dims),
                   lambda p: f"SqueezeBackward{p[1]}", dtype_rule=KEEP, view=True)
# The in-place variants (t_, transpose_, squeeze_, unsqueeze_) change ``self`` itself rather
# than making a view; torch numbers their nodes differently (TransposeBackward1, SqueezeBackward3).
T_INPLACE = register("t_", T_OP.impl, "TBackward1", dtype_rule=KEEP)
TRANSPOSE_INPLACE = register("transpose_", TRANSPOSE.impl, "TransposeBackward1", dtype_rule=KEEP)
UNSQUEEZE_INPLACE = register("unsqueeze_", UNSQUEEZE.impl, "UnsqueezeBackward1", dtype_rule=KEEP)
SQUEEZE_INPLACE = register("squeeze_", SQUEEZE.impl, lambda p: f"SqueezeBackward{p[1] + 3}",
                           dtype_rule=KEEP)


def _copy_twin(op: OpDef) -> OpDef:
    """The non-view twin of a view op, for ``torch.*_copy`` (torch names it ``<node>_copy``)."""
    name = op.name + "_copy"
    twin = REGISTRY.get(name)
    if twin is None:
        g = op.grad_fn
        twin = register(name, op.impl, lambda p: (g(p) if callable(g) else g) + "_copy",
                        dtype_rule=op.dtype_rule, n_out=op.n_out, diff_outputs=op.diff_outputs)
    return twin


def vdispatch(op: OpDef, args: tuple, params: tuple = (), *, copy: bool = False):
    """dispatch for a view op; for a ``torch.*_copy`` function (``copy``), its non-view twin
    (torch's *_copy ops, used by functionalization, compute a fresh tensor)."""
    return dispatch(_copy_twin(op) if copy else op, args, params)


EXPAND = register("expand", lambda a, shape: jnp.broadcast_to(a, shape), "ExpandBackward0",
                  dtype_rule=KEEP, view=True)
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


UNSAFE_VIEW = register("unsafe_view", lambda a, shape: jnp.reshape(a, shape),
                      "UnsafeViewBackward0", dtype_rule=KEEP)
_NOT_VIEWABLE = ("view size is not compatible with input tensor's size and stride (at least one "
                 "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")


def _viewable(input, new: tuple) -> bool:
    """Whether torch could view ``input``'s layout as ``new`` (only views can be strided)."""
    if input._base is None:
        return True
    strides, contiguous, _ = layout(input)
    return contiguous or view_strides(tuple(input.shape), strides, new) is not None


def reshape(input, *shape):
    """torch.reshape: a view when the layout allows it, else a copy (``UnsafeViewBackward0``),
    so writes to the result reach ``input`` exactly when they would in torch."""
    new = infer_shape(_shape_args(shape), input.numel())
    if not _viewable(input, new):
        return dispatch(UNSAFE_VIEW, (clone(input),), (new,))
    return dispatch(RESHAPE, (input,), (new,))


def _view(input, shape: tuple, *, copy: bool):
    """Tensor.view: always a view; torch's error when the layout cannot be viewed so (a copy,
    for ``torch.view_copy``, takes any layout)."""
    new = infer_shape(_shape_args(shape), input.numel())
    if not copy and not _viewable(input, new):
        raise RuntimeError(_NOT_VIEWABLE)
    return vdispatch(RESHAPE, (input,), (new,), copy=copy)


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


def _transpose(input, dim0, dim1, op: OpDef):
    nd = input.ndim
    return dispatch(op, (input,), (norm_dim(dim0, nd), norm_dim(dim1, nd)))


def transpose(input, dim0, dim1):
    """``input`` with dims ``dim0`` and ``dim1`` swapped, as a view sharing its data.
    ``swapaxes`` and ``swapdims`` are aliases."""
    return _transpose(input, dim0, dim1, TRANSPOSE)


swapaxes = transpose


def transpose_(input, dim0, dim1):
    """Tensor.transpose_ (and swapaxes_, swapdims_): ``input`` itself transposed."""
    return _transpose(input, dim0, dim1, TRANSPOSE_INPLACE)


def transpose_copy(input, dim0, dim1):
    """torch.transpose_copy: like transpose, but a copy rather than a view."""
    return _transpose(input, dim0, dim1, _copy_twin(TRANSPOSE))


def _t(input, op: OpDef):
    """torch.t: transpose of a tensor with at most 2 dims."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    return dispatch(op, (input,))


def t(input):
    """torch.t: transpose of a tensor with at most 2 dims."""
    return _t(input, T_OP)


def t_(input):
    """Tensor.t_: ``input`` itself transposed (at most 2 dims)."""
    return _t(input, T_INPLACE)


def t_copy(input):
    """torch.t_copy: like t, but a copy rather than a view."""
    return _t(input, _copy_twin(T_OP))


def _permute(input, dims: tuple, op: OpDef):
    dims = tuple(norm_dim(d, input.ndim) for d in _shape_args(dims))
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}")
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return dispatch(op, (input,), (dims,))


def permute(input, *dims):
    """A view of ``input`` with its dims reordered: output dim ``i`` is input dim ``dims[i]``
    (the dims as one sequence or as separate ints)."""
    return _permute(input, dims, PERMUTE)


def permute_copy(input, *dims):
    """torch.permute_copy: like permute, but a copy rather than a view."""
    return _permute(input, dims, _copy_twin(PERMUTE))


def _unsqueeze(input, dim, op: OpDef):
    return dispatch(op, (input,), (norm_dim(dim, input.ndim + 1),))


def unsqueeze(input, dim):
    """A view of ``input`` with a new dim of size 1 inserted at position ``dim`` (a negative
    ``dim`` counts from ``input.dim() + 1``)."""
    return _unsqueeze(input, dim, UNSQUEEZE)


def unsqueeze_(input, dim):
    """Tensor.unsqueeze_: ``input`` itself with a new size-1 dim."""
    return _unsqueeze(input, dim, UNSQUEEZE_INPLACE)


def unsqueeze_copy(input, dim):
    """torch.unsqueeze_copy: like unsqueeze, but a copy rather than a view."""
    return _unsqueeze(input, dim, _copy_twin(UNSQUEEZE))


def _squeeze(input, dim, op: OpDef):
    """torch.squeeze: drops size-1 dims (all, or those listed that have size 1)."""
    nd = input.ndim
    if dim is None:
        dims = tuple(i for i, s in enumerate(input.shape) if s == 1)
        return dispatch(op, (input,), (dims, 0))
    dl = (dim,) if isinstance(dim, int) else tuple(dim)
    dims = tuple(sorted({norm_dim(d, nd) for d in dl}))
    dims = tuple(d for d in dims if nd and input.shape[d] == 1)
    return dispatch(op, (input,), (dims, 1 if isinstance(dim, int) else 2))


def squeeze(input, dim=None):
    """torch.squeeze: drops size-1 dims (all, or those listed that have size 1)."""
    return _squeeze(input, dim, SQUEEZE)


def squeeze_(input, dim=None):
    """Tensor.squeeze_: ``input`` itself without its size-1 dims (all, or those listed)."""
    return _squeeze(input, dim, SQUEEZE_INPLACE)


def squeeze_copy(input, dim=None):
    """torch.squeeze_copy: like squeeze, but a copy rather than a view."""
    return _squeeze(input, dim, _copy_twin(SQUEEZE))


def _expand(input, sizes: tuple, op: OpDef):
    sizes = _shape_args(sizes)
    shp = input.shape
    if len(sizes) < len(shp):
        raise RuntimeError(f"expand(torch.{legacy_name(input.dtype)}Tensor{{{list(shp)}}}, "
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
    return dispatch(op, (input,), (tuple(out),))


def expand(input, *sizes):
    """A view of ``input`` broadcast to ``sizes``: size-1 dims can grow, new leading dims can be
    added, and -1 keeps a dim's size. No data is copied, so the expanded elements share memory
    (write to it only after ``clone()``)."""
    return _expand(input, sizes, EXPAND)


def expand_copy(input, *sizes):
    """torch.expand_copy: like expand, but a copy rather than a view."""
    return _expand(input, sizes, _copy_twin(EXPAND))


def clone(input, *, memory_format=None):
    """torch.clone: a copy with its own history node (CloneBackward0)."""
    return dispatch(CLONE, (input,))


def to_dtype(input, dtype):
    """Cast; returns ``input`` itself when the dtype already matches (torch's ``to`` rule)."""
    if input.dtype is dtype:
        return input
    return dispatch(TO_COPY, (input,), (dtype.np,))



# ---- more views ---------------------------------------------------------------------------------
def _slice_impl(a, dim, start, stop, step):
    return a[(slice(None),) * dim + (slice(start, stop, step),)]


SLICE = register("slice", _slice_impl, "SliceBackward0", dtype_rule=KEEP, view=True)
NARROW_COPY = register("narrow_copy", _slice_impl, "NarrowCopyBackward0", dtype_rule=KEEP)
SELECT = register("select", lambda a, dim, i: jnp.take(a, i, axis=dim), "SelectBackward0",
                  dtype_rule=KEEP, view=True)
DIAGONAL = register("diagonal", lambda a, off, d1, d2: jnp.diagonal(a, off, d1, d2),
                    "DiagonalBackward0", dtype_rule=KEEP, view=True)
# torch.diag of a matrix records this oddly named node (diag is a composite of diagonal_copy)
DIAG_COPY = register("diag_copy", lambda a, off: jnp.diagonal(a, off),
                     "DiagonalBackward0_copy", dtype_rule=KEEP)


def _unfold_impl(a, dim, size, step):
    """Tensor.unfold: windows of ``size`` every ``step`` along ``dim``, as a new last dim."""
    n = (a.shape[dim] - size) // step + 1
    idx = jnp.arange(n)[:, None] * step + jnp.arange(size)[None, :]
    out = jnp.take(a, idx, axis=dim)  # (..., n, size, ...)
    return jnp.moveaxis(out, dim + 1, -1)


UNFOLD = register("unfold", _unfold_impl, "UnfoldBackward0", dtype_rule=KEEP, view=True)


def _view_or_dtype(input, shape: tuple, *, copy: bool):
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)) and hasattr(shape[0],
                                                                                    "np"):
        raise NotImplementedError("Tensor.view(dtype) is not supported")
    return _view(input, shape, copy=copy)


def view_(input, *shape):
    """Tensor.view: like reshape, also accepting a dtype (same itemsize only, not supported)."""
    return _view_or_dtype(input, shape, copy=False)


def view_copy(input, *shape):
    """torch.view_copy: like view_, but a copy rather than a view."""
    return _view_or_dtype(input, shape, copy=True)


def unflatten(input, dim: int, sizes) -> object:
    """torch.unflatten: split one dim into ``sizes`` (one -1 inferred)."""
    nd = input.ndim
    d = norm_dim(dim, nd)
    sizes = tuple(int(s) for s in sizes)
    n = input.shape[d]
    known = math.prod(s for s in sizes if s != -1)
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in sizes:
        if known == 0 or n % known:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                               f"size of dim {dim} ({n}) in the input tensor")
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    elif known != n:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size "
                           f"of dim {dim} ({n}) in the input tensor")
    shp = input.shape
    return dispatch(RESHAPE, (input,), (tuple(shp[:d]) + sizes + tuple(shp[d + 1:]),))


def ravel(input):
    """torch.ravel: the flattened tensor (a view when possible)."""
    return dispatch(RESHAPE, (input,), ((input.numel(),),))


def broadcast_to(input, size):
    """``input`` expanded to shape ``size``, as ``Tensor.expand`` (a view)."""
    return expand(input, *_shape_args((size,)))


def movedim(input, source, destination):
    """torch.movedim: move dims ``source`` to positions ``destination`` (a permute)."""
    nd = input.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(dst)} dims)")
    src = tuple(norm_dim(d, nd) for d in src)
    dst = tuple(norm_dim(d, nd) for d in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    perm = [-1] * max(nd, 1)
    for s_, d_ in zip(src, dst, strict=True):
        perm[d_] = s_
    rest = iter(d for d in range(nd) if d not in src)
    perm = tuple(p if p != -1 else next(rest) for p in perm)
    return dispatch(PERMUTE, (input,), (perm if nd else (),))


def narrow(input, dim: int, start, length: int):
    """torch.narrow: ``length`` elements from ``start`` along ``dim`` (a view)."""
    d, start = _narrow_args(input, dim, start, length)
    return dispatch(SLICE, (input,), (d, start, start + length, 1))


def narrow_copy(input, dim: int, start, length: int):
    """A copy of ``length`` elements of ``input`` from ``start`` along ``dim``: what ``narrow``
    returns as a view, as a new tensor."""
    d, start = _narrow_args(input, dim, start, length)
    return dispatch(NARROW_COPY, (input,), (d, start, start + length, 1))


def _narrow_args(input, dim, start, length):
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, input.ndim)
    start = int(start.item()) if hasattr(start, "item") else int(start)
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but "
                         f"got {start})")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return d, start


def _select(input, dim: int, index, op: OpDef):
    """torch.select: the sub-tensor at ``index`` along ``dim`` (a view, one dim fewer)."""
    nd = input.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = norm_dim(dim, nd)
    i = int(index.item()) if hasattr(index, "item") else int(index)
    size = input.shape[d]
    if not -size <= i < size:
        raise IndexError(f"select(): index {i} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    return dispatch(op, (input,), (d, i % size))


def select(input, dim: int, index):
    """torch.select: the sub-tensor at ``index`` along ``dim`` (a view, one dim fewer)."""
    return _select(input, dim, index, SELECT)


def select_copy(input, dim: int, index):
    """torch.select_copy: like select, but a copy rather than a view."""
    return _select(input, dim, index, _copy_twin(SELECT))


def _diagonal(input, offset: int, dim1: int, dim2: int, op: OpDef):
    nd = input.ndim
    d1, d2 = norm_dim(dim1, nd), norm_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return dispatch(op, (input,), (int(offset), d1, d2))


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """torch.diagonal: the diagonal over (dim1, dim2), appended as the last dim (a view)."""
    return _diagonal(input, offset, dim1, dim2, DIAGONAL)


def diagonal_copy(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """torch.diagonal_copy: like diagonal, but a copy rather than a view."""
    return _diagonal(input, offset, dim1, dim2, _copy_twin(DIAGONAL))


def _unfold(input, dimension: int, size: int, step: int, *, copy: bool):
    nd = input.ndim
    d = norm_dim(dimension, nd)
    n = input.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if nd == 0:
        return vdispatch(RESHAPE, (input,), ((1,),), copy=copy)
    return vdispatch(UNFOLD, (input,), (d, int(size), int(step)), copy=copy)


def unfold(input, dimension: int, size: int, step: int):
    """A view holding every slice of length ``size`` along ``dimension``, taken every ``step``
    elements: that dim becomes the number of slices and a new last dim of length ``size`` is
    added."""
    return _unfold(input, dimension, size, step, copy=False)


def unfold_copy(input, dimension: int, size: int, step: int):
    """torch.unfold_copy: like unfold, but a copy rather than a view."""
    return _unfold(input, dimension, size, step, copy=True)


# ---- copies that rearrange ----------------------------------------------------------------------
REPEAT = register("repeat", lambda a, reps: jnp.tile(a, reps), "RepeatBackward0", dtype_rule=KEEP)
FLIP = register("flip", lambda a, dims: jnp.flip(a, dims) if dims else a, "FlipBackward0",
                dtype_rule=KEEP)
ROLL = register("roll", lambda a, shifts, dims: jnp.roll(a, shifts, dims) if dims is not None
                else jnp.roll(a.ravel(), shifts[0]).reshape(a.shape), "RollBackward0",
                dtype_rule=KEEP)
ROT90 = register("rot90", lambda a, k, dims: jnp.rot90(a, k, dims), "Rot90Backward0",
                 dtype_rule=KEEP)
TRIL = register("tril", lambda a, k: jnp.tril(a, k), "TrilBackward0", dtype_rule=KEEP)
TRIU = register("triu", lambda a, k: jnp.triu(a, k), "TriuBackward0", dtype_rule=KEEP)


def _diag_embed_impl(a, offset, d1, d2):
    """Place the last dim of ``a`` on the ``offset`` diagonal of a new (d1, d2) plane."""
    n = a.shape[-1] + abs(offset)
    rows = jnp.arange(a.shape[-1]) + max(-offset, 0)
    cols = jnp.arange(a.shape[-1]) + max(offset, 0)
    base = jnp.zeros(a.shape[:-1] + (n, n), a.dtype)
    res = base.at[..., rows, cols].set(a)
    nd = res.ndim
    # res has the plane as its last two dims; move them to (d1, d2)
    perm = [i for i in range(nd - 2)]
    order = sorted([(d1, nd - 2), (d2, nd - 1)])
    for pos, src in order:
        perm.insert(pos, src)
    return jnp.transpose(res, perm)


DIAG_EMBED = register("diag_embed", _diag_embed_impl, "DiagEmbedBackward0", dtype_rule=KEEP)


def repeat(input, *sizes):
    """Tensor.repeat: tile the tensor ``sizes`` times (at least one size per dim)."""
    sizes = tuple(int(s) for s in _shape_args(sizes))
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of "
                           "dimensions of tensor")
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{list(sizes)}")
    return dispatch(REPEAT, (input,), (sizes,))


def tile(input, dims):
    """torch.tile: repeat, with missing leading repetitions taken as 1."""
    dims = tuple(int(d) for d in (dims if isinstance(dims, (tuple, list)) else (dims,)))
    if len(dims) < input.ndim:
        dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, *dims)


def flip(input, *dims):
    """A copy of ``input`` with the order of elements reversed along each dim in ``dims`` (as a
    list or as separate ints)."""
    dims = _shape_args(dims)
    nd = input.ndim
    dl = tuple(norm_dim(d, nd) for d in dims)
    if len(set(dl)) != len(dl):
        raise RuntimeError(f"dim {dl[0]} appears multiple times in the list of dims")
    return dispatch(FLIP, (input,), (tuple(sorted(dl)) if nd else (),))


def fliplr(input):
    """A copy of ``input`` (at least 2-D) with its columns (dim 1) in reverse order."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return dispatch(FLIP, (input,), ((1,),))


def flipud(input):
    """A copy of ``input`` (at least 1-D) with its rows (dim 0) in reverse order."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return dispatch(FLIP, (input,), ((0,),))


def roll(input, shifts, dims=None):
    """torch.roll; without ``dims`` the tensor is rolled as if flattened."""
    sh = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return dispatch(ROLL, (input,), (sh, None))
    dl = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(sh) != len(dl):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(dl)}")
    dl = tuple(norm_dim(d, input.ndim) for d in dl)
    return dispatch(ROLL, (input,), (sh, dl))


def rot90(input, k: int = 1, dims=(0, 1)):
    """torch.rot90: rotate by 90 degrees ``k`` times, from dims[0] towards dims[1]."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    nd = input.ndim
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = norm_dim(dims[0], nd), norm_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return dispatch(ROT90, (input,), (int(k) % 4, (d0, d1)))


def _tri(op, name):
    def fn(input, diagonal: int = 0):
        if input.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return dispatch(op, (input,), (int(diagonal),))

    fn.__name__ = name
    fn.__doc__ = f"torch.{name}: zero the elements {'above' if name == 'tril' else 'below'} the " \
                 "``diagonal``-th diagonal of the last two dims."
    return fn


tril = _tri(TRIL, "tril")
triu = _tri(TRIU, "triu")


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """torch.diag_embed: the last dim becomes the ``offset`` diagonal of a new (dim1, dim2)."""
    nd = input.ndim + 1
    d1, d2 = norm_dim(dim1, nd), norm_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if input.ndim == 0:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got "
                         f"{dim1})")
    return dispatch(DIAG_EMBED, (input,), (int(offset), d1, d2))


def diag(input, diagonal: int = 0):
    """torch.diag: a vector becomes a diagonal matrix; a matrix gives its diagonal."""
    if input.ndim == 1:
        return dispatch(DIAG_EMBED, (input,), (int(diagonal), 0, 1))
    if input.ndim == 2:
        return dispatch(DIAG_COPY, (input,), (int(diagonal),))
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def diagflat(input, offset: int = 0):
    """torch.diagflat: the flattened input on the ``offset`` diagonal of a square matrix."""
    flat = input if input.ndim == 1 else dispatch(RESHAPE, (input,), ((input.numel(),),))
    return dispatch(DIAG_EMBED, (flat,), (int(offset), 0, 1))


def _atleast(n: int):
    def one(x):
        nd = x.ndim
        if nd >= n:
            return x
        if nd == 0:
            return dispatch(RESHAPE, (x,), ((1,) * n,))
        if n == 2:
            return dispatch(UNSQUEEZE, (x,), (0,))
        if nd == 1:
            return dispatch(UNSQUEEZE, (dispatch(UNSQUEEZE, (x,), (0,)),), (2,))
        return dispatch(UNSQUEEZE, (x,), (2,))

    def fn(*tensors):
        if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
            return tuple(one(t) for t in tensors[0])
        if len(tensors) == 1:
            return one(tensors[0])
        return tuple(one(t) for t in tensors)

    fn.__name__ = f"atleast_{n}d"
    fn.__doc__ = f"torch.atleast_{n}d: views with at least {n} dims (inputs with more: as is)."
    return fn


atleast_1d, atleast_2d, atleast_3d = _atleast(1), _atleast(2), _atleast(3)


expose("reshape")(reshape)
expose("view", namespace=())(view_)
expose("flatten")(flatten)
expose("unflatten")(unflatten)
expose("ravel")(ravel)
expose("transpose", "swapaxes", "swapdims")(transpose)
expose_inplace(("transpose", "swapaxes", "swapdims"), transpose_, reshaping=True)
expose("t")(t)
expose_inplace(("t",), t_, reshaping=True)
expose("permute")(permute)
expose("movedim", "moveaxis")(movedim)
expose("unsqueeze")(unsqueeze)
expose_inplace(("unsqueeze",), unsqueeze_, reshaping=True)
expose("squeeze")(squeeze)
expose_inplace(("squeeze",), squeeze_, reshaping=True)
expose("expand", namespace=())(expand)
expose("broadcast_to")(broadcast_to)
expose("clone")(clone)
expose("narrow")(narrow)
expose("narrow_copy")(narrow_copy)
expose("select")(select)
expose("diagonal")(diagonal)
expose("unfold", namespace=())(unfold)
expose("repeat", namespace=())(repeat)
expose("tile")(tile)
expose("flip")(flip)
expose("fliplr")(fliplr)
expose("flipud")(flipud)
expose("roll")(roll)
expose("rot90")(rot90)
expose("tril", inplace=True)(tril)
expose("triu", inplace=True)(triu)
expose("diag")(diag)
expose("diag_embed")(diag_embed)
expose("diagflat")(diagflat)
expose("atleast_1d", method=False)(atleast_1d)
expose("atleast_2d", method=False)(atleast_2d)
expose("atleast_3d", method=False)(atleast_3d)


ALIAS = register("alias", lambda a: a, "AliasBackward0", dtype_rule=KEEP, view=True)


def alias(input):
    return dispatch(ALIAS, (input,))


def alias_copy(input):
    """torch.alias_copy: like alias, but a copy rather than a view."""
    return dispatch(_copy_twin(ALIAS), (input,))


def slice_copy(input, dim: int = 0, start=None, end=None, step: int = 1):
    """torch.slice_copy: ``input[start:end:step]`` along ``dim``, as a copy."""
    d = norm_dim(dim, input.ndim)
    lo, hi, st = slice(start, end, step).indices(input.shape[d])
    hi = max(hi, lo)
    return dispatch(_copy_twin(SLICE), (input,), (d, lo, hi, st))


for _copy_fn in (view_copy, t_copy, transpose_copy, permute_copy, expand_copy, diagonal_copy,
                 unsqueeze_copy, squeeze_copy, select_copy, alias_copy, unfold_copy, slice_copy):
    expose(_copy_fn.__name__, method=False)(_copy_fn)
