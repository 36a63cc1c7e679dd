"""Matrix products: matmul / @, mm, mv, dot, bmm, with torch's grad_fn names and checks."""

from __future__ import annotations

import jax.numpy as jnp

from .._dtypes import legacy_name
from ..core import out_arg
from ..core.dims import broadcast_shapes, norm_dim
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor

# torch.matmul's node is that of the last op it runs: 1-D @ 2-D is unsqueeze(0).mm().squeeze_(0),
# anything batched ends in _unsafe_view; torch.bmm itself is tagged ("bmm",)
_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0",
          (1, 2): "SqueezeBackward4", (3, 3, "bmm"): "BmmBackward0"}


def _name(params: tuple) -> str:
    if params[-1] == "clone":  # 2-D @ batched with a grad-requiring 2-D input: torch doesn't
        return "CloneBackward0"  # fold the batch, and its last op is a contiguous() copy
    return _NAMES.get(params, "UnsafeViewBackward0")


MATMUL = register("matmul", lambda a, b, *ranks: jnp.matmul(a, b), _name, dtype_rule=KEEP,
                  saves_inputs=(0, 1))

_SHORT = {"float32": "float", "float64": "double", "float16": "c10::Half",
          "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int"}


def matmul(input, other):
    """torch.matmul: dot, mv, mm or batched product depending on the ranks."""
    return _matmul(input, other)


def _matmul(a, b, tag: tuple = ()):
    """matmul's checks, then the one MATMUL op (``tag`` only changes the node's name)."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_SHORT.get(a.dtype.name, a.dtype.name)} != "
                           f"{_SHORT.get(b.dtype.name, b.dtype.name)}")
    if a.ndim > 2 and b.ndim > 2:
        broadcast_shapes(a.shape[:-2], b.shape[:-2])  # torch checks the batch dims first
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}]"
                               " to have the same number of elements, but got "
                               f"{k_a} and {k_b} elements respectively")
        if b.ndim == 1:
            rows = a.numel() // k_a
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), "
                               f"vec ({k_b})")
        sa = "x".join(map(str, (a.shape if a.ndim == 2 else (a.numel() // k_a, k_a))))
        sb = "x".join(map(str, b.shape if b.ndim == 2 else (k_b, b.numel() // k_b)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    if a.ndim == 2 and b.ndim > 2 and a.requires_grad:
        tag = ("clone",)
    return dispatch(MATMUL, (a, b), (a.ndim, b.ndim) + tag)


def mm(input, mat2):
    """Matrix product of two 2-D tensors: ``(n, m) @ (m, p)`` gives ``(n, p)``. No broadcasting;
    use ``matmul`` for batches."""
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def mv(input, vec):
    """Matrix-vector product: a 2-D ``input`` ``(n, m)`` times a 1-D ``vec`` ``(m,)`` gives
    ``(n,)``."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


def dot(input, other):
    """Inner product of two 1-D tensors of the same length and dtype, as a 0-dim tensor (no
    conjugation; see ``vdot``)."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{legacy_name(input.dtype)} and {legacy_name(other.dtype)}")
    return matmul(input, other)


def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors: ``(b, n, m)`` and ``(b, m, p)`` give
    ``(b, n, p)``. The batch sizes must match exactly (no broadcasting)."""
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    want = [input.shape[0], input.shape[2]]
    if list(mat2.shape[:2]) != want:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: {want} "
                           f"but got: {list(mat2.shape[:2])}.")
    return _matmul(input, mat2, ("bmm",))


for _f in (matmul, mm, mv, dot, bmm):
    expose(_f.__name__)(_f)


# ---- more products -----------------------------------------------------------------------------
# Each public op below is ONE registered op named after torch's last autograd node for it, so
# ``grad_fn`` matches torch even where torch composes several kernels (inner -> ViewBackward0).


def _is_tensor(x) -> bool:

    return isinstance(x, Tensor)


def _mm(a, b):
    """jnp.matmul, accumulating half types in float32 as torch's CPU kernels do."""
    if a.dtype in (jnp.float16, jnp.bfloat16):
        return jnp.matmul(a, b, preferred_element_type=jnp.float32).astype(a.dtype)
    return jnp.matmul(a, b)


def _same_dtype(a, b, msg: str) -> None:
    if a.dtype is not b.dtype:
        raise RuntimeError(msg.format(a=legacy_name(a.dtype), b=legacy_name(b.dtype)))


def _require_float(x, name: str) -> None:
    """torch's linalg check for ops without integer kernels."""
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {legacy_name(x.dtype)}")


def _scaled_sum(base, prod, beta, alpha):
    """``beta * base + alpha * prod``; with beta == 0 ``base`` is ignored (nan/inf too)."""
    if not isinstance(alpha, (int, float)) or alpha != 1:  # a runtime alpha: always scale
        prod = alpha * prod
    if isinstance(beta, (int, float)):
        if beta == 0:
            return jnp.zeros_like(prod) + prod
        return prod + (base if beta == 1 else beta * base)
    # a runtime beta (a Python float lifted by dispatch): torch's beta == 0 case without a branch
    return jnp.where(beta == 0, jnp.zeros_like(prod) + prod, prod + beta * base)


VDOT = register("vdot", lambda a, b: jnp.vdot(a, b), "VdotBackward0", dtype_rule=KEEP,
                saves_inputs=(0, 1))
INNER = register("inner", lambda a, b, mul: a * b if mul else jnp.inner(a, b),
                 lambda p: "MulBackward0" if p[0] else "ViewBackward0", saves_inputs=(0, 1))
OUTER = register("outer", lambda a, b: a[:, None] * b[None, :], "MulBackward0",
                 saves_inputs=(0, 1))
TENSORDOT = register("tensordot", lambda a, b, axes: jnp.tensordot(a, b, axes), "ViewBackward0",
                     dtype_rule=KEEP, saves_inputs=(0, 1))
KRON = register("kron", lambda a, b: jnp.kron(a, b), "UnsafeViewBackward0", dtype_rule=KEEP,
                saves_inputs=(0, 1))
ADDMM = register("addmm", lambda c, a, b, beta, alpha: _scaled_sum(c, _mm(a, b), beta, alpha),
                 "AddmmBackward0", dtype_rule=KEEP, saves_inputs=(1, 2))
ADDMV = register("addmv", lambda c, a, b, beta, alpha: _scaled_sum(c, _mm(a, b), beta, alpha),
                 "AddmvBackward0", dtype_rule=KEEP, saves_inputs=(1, 2))
BADDBMM = register("baddbmm", lambda c, a, b, beta, alpha: _scaled_sum(c, _mm(a, b), beta, alpha),
                   "BaddbmmBackward0", dtype_rule=KEEP, saves_inputs=(1, 2))
ADDBMM = register("addbmm", lambda c, a, b, beta, alpha: _scaled_sum(
                      c, _mm(a, b).sum(0, dtype=a.dtype), beta, alpha),
                  "AddbmmBackward0", dtype_rule=KEEP, saves_inputs=(1, 2))
ADDR = register("addr", lambda c, a, b, beta, alpha: _addr(c, a, b, beta, alpha), "AddrBackward0",
                saves_inputs=(1, 2))
TRACE = register("trace", lambda a: jnp.trace(a, dtype=jnp.int64 if a.dtype.kind in "biu"
                                              else None), "TraceBackward0", dtype_rule=KEEP)
CROSS = register("cross", lambda a, b, dim: jnp.cross(a, b, axis=dim), "LinalgCrossBackward0",
                 saves_inputs=(0, 1))
VECDOT = register("vecdot", lambda a, b, dim: jnp.sum(a * b, axis=dim), "SumBackward1",
                  saves_inputs=(0, 1))


def _addr(c, a, b, beta, alpha):
    """beta * c + alpha * outer(a, b); for bool tensors torch uses and/or instead of * and +."""
    prod = a[:, None] * b[None, :]
    if c.dtype == jnp.bool_:
        prod = prod & bool(alpha)
        return prod if not beta else prod | c
    return _scaled_sum(c, prod, beta, alpha)


def vdot(input, other):
    """torch.vdot: conj(input) . other for 1-D tensors of one dtype."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    _same_dtype(input, other, "dot : expected both vectors to have same dtype, but found {a} and "
                              "{b}")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    return dispatch(VDOT, (input, other))


def inner(input, other):
    """torch.inner: sum over the last dims (a plain product when either is 0-dim)."""
    if input.ndim == 0 or other.ndim == 0:
        return dispatch(INNER, (input, other), (True,))
    _same_dtype(input, other, "both inputs should have same dtype")
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got "
                           f"shapes {list(input.shape)} and {list(other.shape)}")
    return dispatch(INNER, (input, other), (False,))


def outer(input, vec2):
    """torch.outer / torch.ger: ``input[:, None] * vec2[None, :]`` (dtypes promote)."""
    if input.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input.ndim}-D"
                           if input.ndim != 1 else
                           f"outer: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return dispatch(OUTER, (input, vec2))


def tensordot(a, b, dims=2, out=None):
    """torch.tensordot: ``dims`` an int (last/first dims) or two lists of dims."""
    if out is not None:  # torch's out= rules (core/out_arg.py)
        return out_arg.call_with_out(tensordot, "tensordot", (a, b, dims), {}, out)
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = tuple(range(a.ndim - dims, a.ndim))
        db = tuple(range(dims))
    else:
        da, db = dims
        da = (da,) if isinstance(da, int) else da
        db = (db,) if isinstance(db, int) else db
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
        da = tuple(norm_dim(d, a.ndim) for d in da)
        db = tuple(norm_dim(d, b.ndim) for d in db)
    for x, y in zip(da, db, strict=True):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size "
                               f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in "
                               f"dim {y}")
    _same_dtype(a, b, "expected scalar type {a} but found {b}")
    return dispatch(TENSORDOT, (a, b), ((da, db),))


def kron(input, other):
    """torch.kron: the Kronecker product (ranks are padded to the larger one)."""
    _same_dtype(input, other, "expected scalar type {a} but found {b}")
    return dispatch(KRON, (input, other))


def _check_mm_shapes(a, b) -> None:
    if a.shape[-1] != b.shape[-2]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                           f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})")


def _check_self(input, mat, want: tuple, name: str) -> None:
    """``input`` must broadcast to ``want`` and share the matrices' dtype, as in torch."""
    _same_dtype(input, mat, "self and mat2 must have the same dtype, but got {a} and {b}")
    try:
        if broadcast_shapes(input.shape, want) != tuple(want):
            raise RuntimeError
    except RuntimeError:
        raise RuntimeError(f"The expanded size of the tensor ({want[-1]}) must match the existing "
                           f"size ({input.shape[-1]}) at non-singleton dimension "
                           f"{len(want) - 1}.  Target sizes: {list(want)}.  Tensor sizes: "
                           f"{list(input.shape)}") from None


def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """torch.addmm: ``beta * input + alpha * (mat1 @ mat2)``."""
    if mat1.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.ndim}-D tensor")
    if mat2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    _check_mm_shapes(mat1, mat2)
    _same_dtype(mat1, mat2, "self and mat2 must have the same dtype, but got {a} and {b}")
    _check_self(input, mat1, (mat1.shape[0], mat2.shape[1]), "addmm")
    return dispatch(ADDMM, (input, mat1, mat2), (beta, alpha))


def addmv(input, mat, vec, *, beta=1, alpha=1):
    """torch.addmv: ``beta * input + alpha * (mat @ vec)``."""
    if mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, "
                           f"{vec.ndim}")
    if mat.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({mat.shape[0]}), mat "
                           f"({mat.shape[0]}x{mat.shape[1]}), vec ({vec.shape[0]})")
    _same_dtype(mat, vec, "self and mat2 must have the same dtype, but got {a} and {b}")
    _check_self(input, mat, (mat.shape[0],), "addmv")
    return dispatch(ADDMV, (input, mat, vec), (beta, alpha))


def _check_batches(b1, b2, count_first: bool) -> None:
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if count_first and b1.shape[0] != b2.shape[0]:  # addbmm's first check (baddbmm: next one)
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{b1.shape[0]} and {b2.shape[0]}")
    want = [b1.shape[0], b1.shape[2]]
    if list(b2.shape[:2]) != want:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"{want} but got: {list(b2.shape[:2])}.")
    _same_dtype(b1, b2, "self and mat2 must have the same dtype, but got {a} and {b}")


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """torch.baddbmm: ``beta * input + alpha * bmm(batch1, batch2)``."""
    _check_batches(batch1, batch2, False)
    _check_self(input, batch1, (batch1.shape[0], batch1.shape[1], batch2.shape[2]), "baddbmm")
    return dispatch(BADDBMM, (input, batch1, batch2), (beta, alpha))


def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """torch.addbmm: ``beta * input + alpha * sum_b batch1[b] @ batch2[b]``."""
    _check_batches(batch1, batch2, True)
    _check_self(input, batch1, (batch1.shape[1], batch2.shape[2]), "addbmm")
    return dispatch(ADDBMM, (input, batch1, batch2), (beta, alpha))


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """torch.addr: ``beta * input + alpha * outer(vec1, vec2)``."""
    if vec1.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D")
    if vec2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {vec2.ndim}-D")
    return dispatch(ADDR, (input, vec1, vec2), (beta, alpha))


def _chain_name(params: tuple) -> str:
    return params[0]


CHAIN = register("multi_dot", lambda *xs: _chain(xs[:-1], xs[-1]), _chain_name, dtype_rule=KEEP)


def _chain(arrays: tuple, name: str):
    out = arrays[0]
    for a in arrays[1:]:
        out = _mm(out, a)
    return out + jnp.zeros((), out.dtype)


def multi_dot(tensors):
    """torch.linalg.multi_dot: a chain of matrix products; the first/last may be 1-D."""
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, x in enumerate(tensors):
        first_last = i in (0, n - 1)
        if x.ndim != 2 and not (first_last and x.ndim == 1):
            where_ = "first" if i == 0 else "last" if i == n - 1 else None
            if where_:
                raise RuntimeError(f"multi_dot(): the {where_} tensor must be 1D or 2D but got "
                                   f"{x.ndim}D")
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {x.ndim}D")
        _same_dtype(tensors[0], x, "multi_dot(): all tensors must have be the same dtype but "
                                   "tensor 0 is {a} and tensor " + str(i) + " {b}")
    for i in range(n - 1):
        a, b = tensors[i], tensors[i + 1]
        if a.shape[-1] != b.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(a.shape)} and {list(b.shape)} cannot be multiplied")
    return dispatch(CHAIN, tuple(tensors), ("ViewBackward0",))


def chain_matmul(*matrices):
    """torch.chain_matmul (deprecated in torch): multi_dot of 2-D matrices."""
    import warnings

    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two or "
                  "more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    for x in matrices:
        if x.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {x.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return dispatch(CHAIN, tuple(matrices), ("CloneBackward0",))
    return multi_dot(matrices)


def trace(input):
    """torch.trace of a matrix; integers accumulate in int64."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype.name == "bool":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return dispatch(TRACE, (input,))


def _cross_dim(a, b, dim, name: str) -> int:
    if a.ndim != b.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    d = norm_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    broadcast_shapes(a.shape, b.shape)
    return d


def linalg_cross(input, other, *, dim=-1):
    """torch.linalg.cross: the 3-vector cross product along ``dim`` (broadcasting)."""
    return dispatch(CROSS, (input, other), (_cross_dim(input, other, dim, "linalg.cross"),))


def cross(input, other, dim=None):
    """torch.cross: like linalg.cross, but dim=None means the first dim of size 3."""
    if dim is None:
        shape = broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return dispatch(CROSS, (input, other), (_cross_dim(input, other, dim, "linalg.cross"),))


def vecdot(x, y, *, dim=-1):
    """torch.linalg.vecdot: sum(conj(x) * y) along ``dim`` (broadcasting)."""
    _require_float(x, "linalg.vecdot")
    _same_dtype(x, y, "linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                      "{a} and y of type {b} instead")
    shape = broadcast_shapes(x.shape, y.shape)
    return dispatch(VECDOT, (x, y), (norm_dim(dim, len(shape)),))


# ---- einsum ------------------------------------------------------------------------------------
def _einsum_name(params: tuple) -> str:
    """The last node torch's einsum creates: a permute or sum for one operand, a mul when nothing
    is contracted, otherwise the view after the final bmm."""
    eq = params[0]
    ins, out = eq.split("->")
    ops = ins.split(",")
    labels = lambda s: set(s.replace("...", "."))  # noqa: E731
    if len(ops) == 1:
        return "SumBackward1" if labels(out) < labels(ops[0]) else "PermuteBackward0"
    summed = set().union(*map(labels, ops)) - labels(out)
    return "ViewBackward0" if summed else "MulBackward0"


EINSUM = register("einsum", lambda *xs: _einsum(xs[:-1], xs[-1]), _einsum_name, dtype_rule=KEEP)


def _einsum(arrays: tuple, eq: str):
    if arrays[0].dtype in (jnp.float16, jnp.bfloat16):
        return jnp.einsum(eq, *arrays, preferred_element_type=jnp.float32).astype(arrays[0].dtype)
    return jnp.einsum(eq, *arrays)


def _implicit_output(ins: str) -> str:
    """einsum without '->': the labels used once, sorted, after any ellipsis."""
    flat = ins.replace(",", "").replace("...", "")
    once = sorted(c for c in set(flat) if flat.count(c) == 1)
    return ("..." if "..." in ins else "") + "".join(once)


def einsum(equation: str, *operands):
    """torch.einsum (operands as varargs or one list); ellipsis broadcasting supported."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    eq = equation.replace(" ", "")
    if "->" not in eq:
        eq = f"{eq}->{_implicit_output(eq)}"
    n = len(eq.split("->")[0].split(","))
    if n != len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation"
                           if len(operands) > n else
                           "einsum(): fewer operands were provided than specified in the equation")
    for _i, x in enumerate(operands):
        _same_dtype(operands[0], x, "expected scalar type {a} but found {b}")
    return dispatch(EINSUM, tuple(operands), (eq,))


# ---- matrix_power ------------------------------------------------------------------------------
def _power_impl(a, n):
    if n == 0:
        return jnp.broadcast_to(jnp.eye(a.shape[-1], dtype=a.dtype), a.shape) + 0 * a
    if n < 0:
        a, n = jnp.linalg.inv(a), -n
    out = a
    for _ in range(n - 1):
        out = _mm(out, a)
    return out + jnp.zeros((), a.dtype)


def _power_name(params: tuple) -> str:
    n, batched = params[0], params[1]
    if n == 0:
        return "CopyBackwards"
    if n == 1:
        return "CloneBackward0"
    if n == -1:
        return "LinalgInvExBackward0"
    return "UnsafeViewBackward0" if batched else "MmBackward0"


MATRIX_POWER = register("matrix_power", lambda a, n, batched: _power_impl(a, n), _power_name,
                        dtype_rule=KEEP)


def matrix_power(input, n):
    """torch.linalg.matrix_power: repeated products; negative n inverts first (floats only)."""
    if input.ndim < 2 or input.shape[-1] != input.shape[-2]:
        if input.ndim < 2:
            raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 "
                               "dimensions.")
        raise RuntimeError(f"linalg.matrix_power: A must be batches of square matrices, but they "
                           f"are {input.shape[-2]} by {input.shape[-1]} matrices")
    if n < 0:
        _require_float(input, "linalg.inv")
    return dispatch(MATRIX_POWER, (input,), (int(n), input.ndim > 2))


for _f in (vdot, inner, kron, trace):
    expose(_f.__name__)(_f)
for _f in (addmm, addmv, baddbmm, addbmm, addr):
    expose(_f.__name__, inplace=True)(_f)
expose("outer", "ger")(outer)
expose("tensordot", method=False)(tensordot)
expose("einsum", method=False)(einsum)
expose("chain_matmul", method=False)(chain_matmul)
expose("multi_dot", method=False, namespace="linalg")(multi_dot)
expose("cross")(cross)
expose("cross", method=False, namespace="linalg")(linalg_cross)
expose("vecdot", method=False, namespace="linalg")(vecdot)
expose("matrix_power")(matrix_power)
expose("matrix_power", method=False, namespace="linalg")(matrix_power)
expose("matmul", method=False, namespace="linalg")(matmul)


# ---- cdist -------------------------------------------------------------------------------------
def _cdist(x1, x2, p):
    """Pairwise p-norm distances; the 2-norm's gradient is 0 where a distance is 0 (torch)."""
    d = x1[..., :, None, :] - x2[..., None, :, :]
    ad = d * jnp.sign(d)
    if p == 2:
        s = jnp.sum(d * d, -1)
        zero = s == 0
        return jnp.where(zero, 0.0, jnp.sqrt(jnp.where(zero, 1.0, s))).astype(x1.dtype)
    if p == 0:
        return jnp.sum((d != 0).astype(x1.dtype), -1) + 0 * jnp.sum(d, -1)
    if p == 1:
        return jnp.sum(ad, -1)
    if p == float("inf"):
        return jnp.max(ad, -1)
    s = jnp.sum(ad ** p, -1)
    zero = s == 0
    return jnp.where(zero, 0.0, jnp.where(zero, 1.0, s) ** (1.0 / p)).astype(x1.dtype)


CDIST = register("cdist", _cdist, "CdistBackward0", dtype_rule=KEEP, saves_inputs=(0, 1),
                 saves_output=True)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """torch.cdist: distances between the rows of x1 and x2 (batched)."""
    for name, x in (("X1", x1), ("X2", x2)):
        if not x.dtype.is_floating_point:
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{legacy_name(x.dtype)}")
    if x1.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X2 got: {x2.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
                           f"X2: {x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if x1.dtype.name in ("float16", "bfloat16"):
        name = "Half" if x1.dtype.name == "float16" else "BFloat16"
        raise NotImplementedError(f"\"cdist\" not implemented for '{name}'")
    broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    return dispatch(CDIST, (x1, x2), (float(p),))


expose("cdist", method=False)(cdist)
