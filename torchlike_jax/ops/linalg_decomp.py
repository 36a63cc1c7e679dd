"""``torch.linalg`` decompositions, solvers, inverses, determinants and norms.

Each public function is one registered op whose ``grad_fn`` is torch's last autograd node, and
whose gradient is ``jax.vjp`` of the JAX decomposition. Where torch reads only one triangle of a
symmetric input (cholesky, eigh), the forward value is computed from that triangle while the
gradient flows through the symmetrised input, which is what torch's (symmetric) backward gives.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import legacy_name, upcast_half
from ..core.dims import broadcast_shapes, norm_dim
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.return_types import return_type
from ..core.surface import expose
from . import linalg_checks

# ---- named tuples (torch.return_types.*) -------------------------------------------------------
slogdet_result = return_type("slogdet", ["sign", "logabsdet"])
linalg_slogdet_result = return_type("linalg_slogdet", ["sign", "logabsdet"])
qr_result = return_type("linalg_qr", ["Q", "R"])
svd_result = return_type("linalg_svd", ["U", "S", "Vh"])
torch_svd_result = return_type("svd", ["U", "S", "V"])
eigh_result = return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
lstsq_result = return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
lu_factor_result = return_type("linalg_lu_factor", ["LU", "pivots"])
inv_ex_result = return_type("linalg_inv_ex", ["inverse", "info"])
cholesky_ex_result = return_type("linalg_cholesky_ex", ["L", "info"])


# ---- argument checks (torch's messages) --------------------------------------------------------
def _check_float(x, name: str) -> None:
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. "
                           f"Got {legacy_name(x.dtype)}")


def _check_matrix(x, name: str, arg: str = "A") -> None:
    if x.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {arg} must have at least 2 dimensions.")


def _check_square(x, name: str, arg: str = "A") -> None:
    _check_matrix(x, name, arg)
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(f"{name}: {arg} must be batches of square matrices, but they are "
                           f"{x.shape[-2]} by {x.shape[-1]} matrices")


def _check_half(x, kernel: str) -> None:
    """torch has no CPU LAPACK kernels for float16/bfloat16."""
    if x.dtype.name in ("float16", "bfloat16"):
        name = "Half" if x.dtype.name == "float16" else "BFloat16"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{name}\'')


def _check_kernel(x, kernel: str) -> None:
    """torch's dtype dispatch error for LAPACK kernels (integers, bool, half types)."""
    if x.dtype.name not in ("float32", "float64", "complex64", "complex128"):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{legacy_name(x.dtype)}\'')


_ONLY_FLOAT_DOUBLE = "This function doesn't handle types other than float and double"


def _float_square(x, name: str, kernel: str = "lu_cpu") -> None:
    _check_square(x, name)
    _check_float(x, name)
    _check_half(x, kernel)


# ---- helpers used inside impls -----------------------------------------------------------------
def _mT(a):  # noqa: N802
    return jnp.swapaxes(a, -1, -2)


def _sym(a):
    return (a + _mT(a)) / 2


def _triangle_sym(a, lower: bool):
    """The symmetric matrix torch reads from one triangle, with the symmetrised input's gradient.

    The value is ``tril(a) + tril(a, -1).mT`` (or the upper version); the gradient is that of
    ``(a + a.mT) / 2``, the symmetric gradient torch's cholesky/eigh backward returns.
    """
    t = jnp.tril(a) if lower else jnp.triu(a)
    s = jnp.tril(a, -1) if lower else jnp.triu(a, 1)
    full = t + _mT(s)
    sym = _sym(a)
    return sym + jax.lax.stop_gradient(full - sym)


def _eps(dtype) -> float:
    return float(jnp.finfo(dtype).eps)


# ---- determinants, inverse, solvers ------------------------------------------------------------
def _logdet(a):
    sign, logabs = jnp.linalg.slogdet(a)
    return jnp.where(sign < 0, jnp.nan, logabs).astype(a.dtype)


def _det(a):
    """jnp.linalg.det; a 0 x 0 matrix has determinant 1 (JAX's derivative fails on it)."""
    if a.shape[-1] == 0:
        return jnp.ones(a.shape[:-2], a.dtype) + 0 * jnp.sum(a, axis=(-2, -1))
    return jnp.linalg.det(a)


DET = register("det", _det, "LinalgDetBackward0", dtype_rule=KEEP, saves_inputs=(0,),
               saves_output=True)
LOGDET = register("logdet", _logdet, "WhereBackward0", dtype_rule=KEEP, saves_inputs=(0,))
SLOGDET = register("slogdet", lambda a: tuple(jnp.linalg.slogdet(a)), "LinalgSlogdetBackward0",
                   dtype_rule=KEEP, n_out=2, diff_outputs=(0, 1), saves_inputs=(0,))
INV = register("inv", jnp.linalg.inv, "LinalgInvExBackward0", dtype_rule=KEEP, saves_output=True)


def _solve(a, b, left: bool, vector: bool):
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return _mT(_solve(_mT(a), _mT(b), True, False))
    if vector:
        b = b[..., None]
    shape = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = jnp.broadcast_to(a, shape + a.shape[-2:])
    b = jnp.broadcast_to(b, shape + b.shape[-2:])
    x = jnp.linalg.solve(a, b)
    return x[..., 0] if vector else x


SOLVE = register("solve", _solve, "LinalgSolveExBackward0", dtype_rule=KEEP, saves_inputs=(0, 1))


def _solve_triangular(a, b, upper: bool, left: bool, unit: bool):
    shape = broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = jnp.broadcast_to(a, shape + a.shape[-2:])
    b = jnp.broadcast_to(b, shape + b.shape[-2:])
    return jax.lax.linalg.triangular_solve(a, b, left_side=left, lower=not upper,
                                           unit_diagonal=unit)


SOLVE_TRIANGULAR = register("solve_triangular", _solve_triangular,
                            "LinalgSolveTriangularBackward0", dtype_rule=KEEP,
                            saves_inputs=(0,), saves_output=True)


def det(A):
    """torch.linalg.det / torch.det."""
    _float_square(A, "linalg.det")
    return dispatch(DET, (A,))


def logdet(input):
    """torch.logdet: log(det); nan for a negative determinant, -inf for a singular matrix."""
    _float_square(input, "linalg.slogdet")
    return dispatch(LOGDET, (input,))


def _slogdet(A, cls):
    _float_square(A, "linalg.slogdet")
    return cls(*dispatch(SLOGDET, (A,)))


def linalg_slogdet(A):
    """torch.linalg.slogdet: (sign, logabsdet) as torch.return_types.linalg_slogdet."""
    return _slogdet(A, linalg_slogdet_result)


def slogdet(input):
    """torch.slogdet: (sign, logabsdet) as torch.return_types.slogdet."""
    return _slogdet(input, slogdet_result)


def inv(A):
    """torch.linalg.inv / torch.inverse; a singular input raises torch.linalg.LinAlgError
    (eagerly: see ``linalg_checks``)."""
    _float_square(A, "linalg.inv")
    out = dispatch(INV, (A,))
    linalg_checks.check_inverse(A, out)
    return out


def _info_of(A, out, traced_info):
    """``*_ex``'s info: zeros when the result is finite (no extra work), else the diagnosis."""
    from .gather_scatter import _host_tensor

    if not linalg_checks.value_is_abstract(out) and (
            not out.numel() or linalg_checks._all_finite(out)):
        return _host_tensor(np.zeros(tuple(A.shape[:-2]), np.int32))
    return traced_info()


def inv_ex(A, *, check_errors=False):
    """torch.linalg.inv_ex: (inverse, info), info as LAPACK's getrf gives it (int32)."""
    _float_square(A, "linalg.inv_ex")
    out = dispatch(INV, (A,))
    info = _info_of(A, out, lambda: linalg_checks.inv_info(A))
    if check_errors:
        linalg_checks.raise_for_info(info, A, "linalg.inv_ex", linalg_checks.singular_message)
    return inv_ex_result(out, info)


def solve(A, B, *, left=True):
    """torch.linalg.solve: A X = B (or X A = B); B may be a (batch of) vector(s)."""
    _float_square(A, "linalg.solve")
    _check_float(B, "linalg.solve")
    if A.dtype is not B.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A "
                           f"of type {legacy_name(A.dtype)} and B of type "
                           f"{legacy_name(B.dtype)} instead")
    vector = left and (B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1]))
    n = A.shape[-1]
    k = B.shape[-1] if vector else (B.shape[-2] if left else B.shape[-1])
    if k != n:
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and "
                           f"{'x'.join(map(str, B.shape[-2:]))})")
    out = dispatch(SOLVE, (A, B), (bool(left), vector))
    linalg_checks.check_inverse(A, out, "torch.linalg.solve",
                    lambda _: "The solver failed because the input matrix is singular.")
    return out


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """torch.linalg.solve_triangular; only the chosen triangle of A is read (and gets gradient)."""
    _check_matrix(A, "linalg.solve_triangular")
    _check_matrix(B, "linalg.solve_triangular", "B")
    _check_float(A, "linalg.solve_triangular")
    _check_square(A, "linalg.solve_triangular")
    return dispatch(SOLVE_TRIANGULAR, (A, B), (bool(upper), bool(left), bool(unitriangular)))


# ---- factorizations ----------------------------------------------------------------------------
def _cholesky(a, upper: bool, legacy: bool):
    low = jnp.linalg.cholesky(_triangle_sym(a, not upper))  # upper=True reads the upper half
    return _mT(low) if upper else low


CHOLESKY = register("cholesky", _cholesky,
                    lambda p: "CholeskyBackward0" if p[1] else "LinalgCholeskyExBackward0",
                    dtype_rule=KEEP, saves_output=True)


def linalg_cholesky(A, *, upper=False):
    """torch.linalg.cholesky: the lower factor L (``upper``: L^H). Not-positive-definite input
    gives nan here, where torch raises torch.linalg.LinAlgError after a device sync."""
    _float_square(A, "linalg.cholesky", "linalg_cholesky_cpu")
    out = dispatch(CHOLESKY, (A,), (bool(upper), False))
    linalg_checks.check_cholesky(A, out, bool(upper))
    return out


def cholesky_ex(A, *, upper=False, check_errors=False):
    """torch.linalg.cholesky_ex: (L, info), info the order of the first leading minor that is
    not positive-definite (LAPACK potrf's). Where it fails, L is nan here (torch returns
    LAPACK's partial factorization)."""
    _float_square(A, "linalg.cholesky_ex", "linalg_cholesky_cpu")
    out = dispatch(CHOLESKY, (A,), (bool(upper), False))
    info = _info_of(A, out, lambda: linalg_checks.cholesky_info(A, bool(upper)))
    if check_errors:
        linalg_checks.raise_for_info(info, A, "linalg.cholesky_ex", linalg_checks.not_pd_message)
    return cholesky_ex_result(out, info)


def cholesky(input, upper=False):
    """torch.cholesky (deprecated in torch, with its warning)."""
    import warnings

    warnings.warn("torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be "
                  "removed in a future PyTorch release.", UserWarning, stacklevel=2)
    _float_square(input, "cholesky", "cholesky_cpu")
    out = dispatch(CHOLESKY, (input,), (bool(upper), True))
    linalg_checks.check_cholesky(input, out, bool(upper), "cholesky")
    return out


def _qr(a, mode: str):
    if mode == "r":
        return jnp.zeros((0,), a.dtype), jnp.linalg.qr(a, mode="r")
    q, r = jnp.linalg.qr(a, mode=mode)
    return q, r


QR = register("qr", _qr, "LinalgQrBackward0", dtype_rule=KEEP, n_out=2, diff_outputs=(0, 1),
              saves_output=True)


def qr(A, mode="reduced"):
    """torch.linalg.qr with modes 'reduced', 'complete' and 'r' (Q empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           f"'reduced' (default), 'r', or 'complete'")
    _check_matrix(A, "linalg.qr")
    _check_float(A, "linalg.qr")
    _check_half(A, "geqrf_cpu")
    return qr_result(*dispatch(QR, (A,), (mode,)))


def _svd(a, full: bool):
    """Reduced SVD (differentiable); with ``full`` the extra columns of U / rows of Vh complete
    the bases and get no gradient, as in torch's backward."""
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    m, n = a.shape[-2:]
    if not full or m == n:
        return u, s, vh
    uf, _, vhf = jnp.linalg.svd(jax.lax.stop_gradient(a), full_matrices=True)
    k = min(m, n)
    if m > n:
        u = jnp.concatenate([u, uf[..., k:]], axis=-1)
    else:
        vh = jnp.concatenate([vh, vhf[..., k:, :]], axis=-2)
    return u, s, vh


SVD = register("svd", _svd, "LinalgSvdBackward0", dtype_rule=KEEP, n_out=3,
               diff_outputs=(0, 1, 2), saves_output=True)
SVDVALS = register("svdvals", lambda a: jnp.linalg.svd(a, compute_uv=False), "LinalgSvdBackward0",
                   dtype_rule=KEEP, saves_inputs=(0,))


def _check_svd(A, name: str) -> None:
    _check_matrix(A, name)
    _check_float(A, name)
    _check_half(A, "linalg_svd_cpu")


def svd(A, full_matrices=True, *, driver=None):
    """torch.linalg.svd: (U, S, Vh). Singular vectors are unique only up to sign (compare
    invariants such as U @ diag(S) @ Vh)."""
    _check_svd(A, "linalg.svd")
    return svd_result(*dispatch(SVD, (A,), (bool(full_matrices),)))


def svdvals(A, *, driver=None):
    """torch.linalg.svdvals: the singular values, descending."""
    _check_svd(A, "linalg.svd")
    return dispatch(SVDVALS, (A,))


def torch_svd(input, some=True, compute_uv=True):
    """torch.svd: (U, S, V) with V (not Vh); compute_uv=False gives zero-filled U and V."""
    _check_svd(input, "linalg.svd")
    if not compute_uv:
        from .._creation import zeros

        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        s = dispatch(SVDVALS, (input,))
        return torch_svd_result(zeros(batch + (m, m), dtype=input.dtype), s,
                                zeros(batch + (n, n), dtype=input.dtype))
    u, s, vh = dispatch(SVD, (input,), (not some,))
    return torch_svd_result(u, s, vh.mT)


def _eigh(a, lower: bool):
    w, v = jnp.linalg.eigh(_triangle_sym(a, lower), symmetrize_input=False)
    return w, v


EIGH = register("eigh", _eigh, "LinalgEighBackward0", dtype_rule=KEEP, n_out=2,
                diff_outputs=(0, 1), saves_output=True)
EIGVALSH = register("eigvalsh", lambda a, lower: _eigh(a, lower)[0], "LinalgEighBackward0",
                    dtype_rule=KEEP, saves_inputs=(0,))


def _uplo(UPLO: str) -> bool:  # noqa: N803
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO == "L"


def _check_eigh(A, name: str) -> None:
    _check_square(A, name)
    if not (A.dtype.is_floating_point or A.dtype.is_complex):
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for "
                                  f"'{legacy_name(A.dtype)}'")
    _check_half(A, "linalg_eigh_cpu")


def eigh(A, UPLO="L"):  # noqa: N803
    """torch.linalg.eigh: ascending eigenvalues and eigenvectors (each unique up to sign) of the
    symmetric matrix stored in A's lower (or upper) triangle."""
    _check_eigh(A, "linalg.eigh")
    return eigh_result(*dispatch(EIGH, (A,), (_uplo(UPLO),)))


def eigvalsh(A, UPLO="L"):  # noqa: N803
    """torch.linalg.eigvalsh: the eigenvalues of eigh."""
    _check_eigh(A, "linalg.eigvalsh")
    return dispatch(EIGVALSH, (A,), (_uplo(UPLO),))


def _lu_factor(a):
    lu, piv, _ = jax.lax.linalg.lu(a)
    return lu, (piv + 1).astype(jnp.int32)


LU_FACTOR = register("lu_factor", _lu_factor, "LinalgLuFactorExBackward0", dtype_rule=KEEP,
                     n_out=2, saves_output=True)


def lu_factor(A, *, pivot=True):
    """torch.linalg.lu_factor: (LU, 1-based int32 pivots), partial pivoting as LAPACK's getrf."""
    if not pivot:
        raise RuntimeError("linalg.lu_factor: LU without pivoting is not implemented on the CPU")
    _check_matrix(A, "torch.lu_factor")
    _check_kernel(A, "lu_cpu")
    return lu_factor_result(*dispatch(LU_FACTOR, (A,)))


# Higham's (2005) [13/13] Pade approximant with scaling and squaring; theta_13 bounds the 1-norm
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152
_MAX_SQUARINGS = 20


def _expm(a):
    """exp(A). jax.scipy.linalg.expm is exact too, but its many-branch graph takes seconds to
    compile per shape; this one has a fixed number of (masked) squarings in a scan."""
    b = _PADE13
    norm = jnp.max(jnp.sum(jnp.abs(a), axis=-2), axis=-1)
    s = jax.lax.stop_gradient(jnp.clip(jnp.ceil(jnp.log2(norm / _THETA13)), 0, _MAX_SQUARINGS))
    x = a / (2.0 ** s)[..., None, None].astype(a.dtype)
    eye = jnp.eye(a.shape[-1], dtype=a.dtype)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
             + b[1] * eye)
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    r = jnp.linalg.inv(v - u) @ (v + u)

    def square(r, i):  # a scan, not an unrolled loop: one small body to compile
        return jnp.where((i < s)[..., None, None], r @ r, r), None

    return jax.lax.scan(square, r, jnp.arange(_MAX_SQUARINGS))[0]


MATRIX_EXP = register("matrix_exp", _expm,
                      "LinalgMatrixExpBackward0", dtype_rule=KEEP, saves_inputs=(0,))


def matrix_exp(A):
    """torch.linalg.matrix_exp / torch.matrix_exp."""
    _check_square(A, "linalg.matrix_exp")
    _check_float(A, "linalg.matrix_exp")
    _check_half(A, "matrix_exp")
    return dispatch(MATRIX_EXP, (A,))


# ---- pinv, lstsq, rank -------------------------------------------------------------------------
def _cutoff(s, atol, rtol, dtype, m: int, n: int):
    """torch's threshold: max(atol, rtol * s_max), rtol defaulting to eps * max(m, n)."""
    default = _eps(dtype) * max(m, n)
    if rtol is None:  # atol may be a runtime value: no Python branch on it
        rtol = default if atol is None else jnp.where(atol > 0, 0.0, default)
    smax = jnp.max(s, axis=-1, keepdims=True) if s.shape[-1] else jnp.zeros(s.shape[:-1] + (1,))
    return jnp.maximum(0.0 if atol is None else atol, rtol * smax)


def pinverse(input, rcond=1e-15):
    """torch.pinverse: pinv with a relative cutoff ``rcond``."""
    return pinv(input, rtol=rcond)


def _pinv(a, atol, rtol, hermitian: bool):
    m, n = a.shape[-2:]
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _eps(a.dtype) * max(m, n)
    if atol is None or atol == 0:
        return jnp.linalg.pinv(a, rtol=rtol, hermitian=hermitian)
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    keep = s > _cutoff(s, atol, rtol, a.dtype, m, n)
    sinv = jnp.where(keep, 1 / jnp.where(keep, s, 1), 0)
    return _mT(vh) @ (sinv[..., :, None] * _mT(u))


PINV = register("pinv", _pinv, "LinalgPinvBackward0", dtype_rule=KEEP, saves_inputs=(0,),
                saves_output=True)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """torch.linalg.pinv via the SVD (or eigh for ``hermitian``)."""
    _check_matrix(A, "linalg.pinv")
    _check_float(A, "linalg.pinv")
    _check_half(A, "linalg_svd_cpu")
    return dispatch(PINV, (A,), (atol, rtol, bool(hermitian)))


def _lstsq(a, b, vector: bool, residuals: bool):
    if vector:
        b = b[..., None]
    x = jnp.linalg.pinv(a) @ b
    if residuals:
        res = jnp.sum((a @ x - b) ** 2, axis=-2)
    else:
        res = jnp.zeros((0,), a.dtype)
    return (x[..., 0] if vector else x), (res[..., 0] if vector and residuals else res)


LSTSQ = register("lstsq", _lstsq, "LinalgLstsqBackward0", dtype_rule=KEEP, n_out=2,
                 diff_outputs=(0, 1), saves_inputs=(0, 1))


def lstsq(A, B, rcond=None, *, driver=None):
    """torch.linalg.lstsq for full-rank A: (solution, residuals, rank, singular_values).

    The solution is pinv(A) @ B; residuals are computed for m > n with a driver other than the
    CPU default 'gelsy' (as torch does); singular_values for 'gelsd'/'gelss'.
    """
    _check_matrix(A, "torch.linalg.lstsq")
    if A.dtype.name not in ("float32", "float64"):
        raise RuntimeError(_ONLY_FLOAT_DOUBLE)
    if A.dtype is not B.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same "
                           f"dtype, but got input's dtype {A.dtype} and other's dtype {B.dtype}")
    driver = driver or "gelsy"
    vector = B.ndim == A.ndim - 1
    m, n = A.shape[-2:]
    sol, res = dispatch(LSTSQ, (A, B), (vector, m > n and driver != "gelsy"))
    rank = (matrix_rank(A) if driver != "gels" else _empty(A, (0,), "int64"))
    sv = svdvals(A).detach() if driver in ("gelsd", "gelss") else _empty(A, (0,), None)
    return lstsq_result(sol, res, rank, sv)


def _empty(like, shape: tuple, dtype: str | None):
    from .. import _dtypes as dtypes
    from .._creation import zeros

    return zeros(shape, dtype=getattr(dtypes, dtype) if dtype else like.dtype)


def _matrix_rank(a, atol, rtol, hermitian: bool):
    m, n = a.shape[-2:]
    if hermitian:
        s = jnp.abs(jnp.linalg.eigvalsh(a))
    else:
        s = jnp.linalg.svd(a, compute_uv=False)
    return jnp.sum(s > _cutoff(s, atol, rtol, a.dtype, m, n), axis=-1).astype(jnp.int64)


MATRIX_RANK = register("matrix_rank", _matrix_rank, None, dtype_rule=KEEP)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None):
    """torch.linalg.matrix_rank (int64); ``tol`` is the legacy absolute tolerance."""
    _check_matrix(A, "linalg.matrix_rank")
    if A.dtype.name not in ("float32", "float64"):
        raise RuntimeError(_ONLY_FLOAT_DOUBLE)
    if tol is not None:
        atol, rtol = tol, 0.0
    return dispatch(MATRIX_RANK, (A,), (atol, rtol, bool(hermitian)))


# ---- norms -------------------------------------------------------------------------------------
def _abs(a):
    """|a| with torch's derivative sign(a) (0 at 0)."""
    return a * jnp.sign(a)


def _vector_norm(a, ord, dims, keepdim):
    x = upcast_half(a)
    if ord == 2:
        s = jnp.sum(x * x, axis=dims, keepdims=keepdim)
        zero = s == 0
        out = jnp.where(zero, 0.0, jnp.sqrt(jnp.where(zero, 1.0, s)))
    elif ord == math.inf:
        out = jnp.max(_abs(x), axis=dims, keepdims=keepdim)
    elif ord == -math.inf:
        out = jnp.min(_abs(x), axis=dims, keepdims=keepdim)
    elif ord == 0:
        out = jnp.sum((x != 0).astype(x.dtype), axis=dims, keepdims=keepdim) + 0 * jnp.sum(
            x, axis=dims, keepdims=keepdim)
    elif ord == 1:
        out = jnp.sum(_abs(x), axis=dims, keepdims=keepdim)
    else:
        s = jnp.sum(_abs(x) ** ord, axis=dims, keepdims=keepdim)
        out = s ** (1.0 / ord)
    return out.astype(a.dtype)


VECTOR_NORM = register("vector_norm", _vector_norm, "LinalgVectorNormBackward0", dtype_rule=KEEP,
                       saves_inputs=(0,), saves_output=True)


def _float_dtype_arg(x, dtype, name: str):
    _check_float(x, name)
    if dtype is not None:
        x = x.to(dtype)
    return x


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.vector_norm: ``ord`` in R ∪ {±inf}; dim None reduces every dim."""
    x = _float_dtype_arg(x, dtype, "linalg.vector_norm")
    if isinstance(dim, int):
        dim = (dim,)
    dims = None if dim is None else tuple(sorted(norm_dim(d, x.ndim) for d in dim))
    if (ord < 0 or ord == math.inf) and x.numel() == 0:
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor "
                           f"because the operation does not have an identity")
    return dispatch(VECTOR_NORM, (x,), (float(ord), dims, bool(keepdim)))


def _matrix_norm(a, ord, d0, d1, keepdim):
    x = upcast_half(a)
    if ord in ("nuc", 2.0, -2.0):
        moved = jnp.moveaxis(x, (d0, d1), (-2, -1))
        s = jnp.linalg.svd(moved, compute_uv=False)
        out = jnp.sum(s, -1) if ord == "nuc" else jnp.max(s, -1) if ord == 2 else jnp.min(s, -1)
        if keepdim:
            out = jnp.expand_dims(out, (d0, d1))
    else:  # 1 / -1: max column sum; inf / -inf: max row sum
        sum_dim, red_dim = (d0, d1) if abs(ord) == 1 else (d1, d0)
        s = jnp.sum(_abs(x), axis=sum_dim, keepdims=True)
        out = jnp.max(s, axis=red_dim, keepdims=True) if ord > 0 else jnp.min(
            s, axis=red_dim, keepdims=True)
        if not keepdim:
            out = jnp.squeeze(out, (d0, d1))
    return out.astype(a.dtype)


def _matrix_norm_name(params: tuple) -> str:
    ord, keepdim = params[0], params[3]
    if ord == "nuc":
        return "PermuteBackward0" if keepdim else "SumBackward1"
    return "AmaxBackward0" if ord > 0 else "AminBackward0"


MATRIX_NORM = register("matrix_norm", _matrix_norm, _matrix_norm_name, dtype_rule=KEEP,
                       saves_inputs=(0,))


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """torch.linalg.matrix_norm: 'fro', 'nuc', ±2 (singular values), ±1, ±inf (abs sums)."""
    _check_matrix(A, "linalg.matrix_norm")
    A = _float_dtype_arg(A, dtype, "linalg.matrix_norm")
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {tuple(dim)}")
    d0, d1 = (norm_dim(d, A.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord != "nuc":
        if ord not in (1, -1, 2, -2, math.inf, -math.inf):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        ord = float(ord)
    if ord in ("nuc", 2.0, -2.0):
        _check_half(A, "linalg_svd_cpu")
    return dispatch(MATRIX_NORM, (A,), (ord, d0, d1, bool(keepdim)))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.norm: a vector norm (1 dim, or flattened when ord is None) or matrix norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None and len(dim) == 2 or (dim is None and ord is not None and A.ndim == 2):
        if ord is None:
            ord = "fro"
        return matrix_norm(A, ord, dim or (-2, -1), keepdim, dtype=dtype)
    if dim is None and ord is not None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                           f"1D or 2D. Got {A.ndim}D.")
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord}")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def _cond(a, p):
    if p in (None, 2.0, -2.0):
        s = jnp.linalg.svd(a, compute_uv=False)
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2.0 else small / big
    other = jnp.linalg.inv(a)
    if p == "fro":
        n1 = jnp.sqrt(jnp.sum(a * a, axis=(-2, -1)))
        n2 = jnp.sqrt(jnp.sum(other * other, axis=(-2, -1)))
        out = n1 * n2
    elif p == "nuc":
        return (jnp.sum(jnp.linalg.svd(a, compute_uv=False), -1)
                * jnp.sum(jnp.linalg.svd(other, compute_uv=False), -1))
    else:
        out = _matrix_norm(a, p, a.ndim - 2, a.ndim - 1, False) * _matrix_norm(
            other, p, a.ndim - 2, a.ndim - 1, False)
    return jnp.nan_to_num(out, nan=jnp.inf)


COND = register("cond", _cond,
                lambda p: "SqueezeBackward1" if p[0] in (None, 2.0, -2.0) else
                "MulBackward0" if p[0] == "nuc" else "NanToNumBackward0",
                dtype_rule=KEEP, saves_inputs=(0,))


def cond(A, p=None):
    """torch.linalg.cond: ratio of singular values (p None/±2) or norm(A) * norm(inv(A))."""
    _check_matrix(A, "linalg.cond")
    _check_float(A, "linalg.cond")
    _check_half(A, "linalg_svd_cpu")
    if p not in (None, "fro", "nuc"):
        if p not in (1, -1, 2, -2, math.inf, -math.inf):
            raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
        p = float(p)
    if p not in (None, 2.0, -2.0):
        _check_square(A, "linalg.cond")
    return dispatch(COND, (A,), (p,))


# ---- public names ------------------------------------------------------------------------------
_LINALG_ONLY = dict(method=False, namespace="linalg")
expose("det")(det)
expose("det", **_LINALG_ONLY)(det)
expose("logdet")(logdet)
expose("slogdet")(slogdet)
expose("slogdet", **_LINALG_ONLY)(linalg_slogdet)
expose("inverse")(inv)
expose("inv", **_LINALG_ONLY)(inv)
expose("inv_ex", **_LINALG_ONLY)(inv_ex)
expose("cholesky_ex", **_LINALG_ONLY)(cholesky_ex)
expose("solve", **_LINALG_ONLY)(solve)
expose("solve_triangular", **_LINALG_ONLY)(solve_triangular)
expose("cholesky")(cholesky)
expose("cholesky", **_LINALG_ONLY)(linalg_cholesky)
expose("qr", **_LINALG_ONLY)(qr)
expose("svd", **_LINALG_ONLY)(svd)
expose("svd")(torch_svd)
expose("svdvals", **_LINALG_ONLY)(svdvals)
expose("eigh", **_LINALG_ONLY)(eigh)
expose("eigvalsh", **_LINALG_ONLY)(eigvalsh)
expose("lu_factor", **_LINALG_ONLY)(lu_factor)
expose("matrix_exp")(matrix_exp)
expose("matrix_exp", **_LINALG_ONLY)(matrix_exp)
expose("pinv", **_LINALG_ONLY)(pinv)
expose("pinverse")(pinverse)
expose("lstsq", **_LINALG_ONLY)(lstsq)
expose("matrix_rank", **_LINALG_ONLY)(matrix_rank)
expose("vector_norm", **_LINALG_ONLY)(vector_norm)
expose("matrix_norm", **_LINALG_ONLY)(matrix_norm)
expose("norm", **_LINALG_ONLY)(norm)
expose("cond", **_LINALG_ONLY)(cond)
