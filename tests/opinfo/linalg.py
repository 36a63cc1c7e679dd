"""Matrix products, decompositions, solvers and norms.

Decompositions are unique only up to signs (eigenvectors, singular vectors, QR), so their ``fn``
returns invariant quantities: reconstructions (``Q @ R``, ``U @ diag(S) @ Vh``), eigen/singular
values and absolute values of the factors. Inputs that must be symmetric positive definite are
built inside ``fn`` as ``B @ B.mT + n * I`` (well conditioned, distinct eigenvalues).
"""

from __future__ import annotations

from . import FLOATS, INTS, OpInfo, Sample, T, inplace_of

NUM = FLOATS + INTS
# ops whose integer path is the same code for every integer dtype: one integer dtype (test time)
NUM1 = FLOATS + ("int64",)
F2 = ("float32", "float64")
INT_ERR = Sample((T((3, 3), dtype="int64"),), error=True, label="int input")
DECOMP_TOL = {"float32": (1e-4, 1e-4)}


def _eye(t, a):
    return t.eye(a.shape[-1], dtype=a.dtype)


def _spd(t, b):
    """A symmetric positive definite matrix (batch) from any square ``b``."""
    return b @ b.mT + b.shape[-1] * _eye(t, b)


def _wc(t, a):
    """A well-conditioned (diagonally dominant) square matrix from ``a``."""
    return a + 4 * _eye(t, a)


def _qr(t, a, **kw):
    q, r = t.linalg.qr(a, **kw)
    if kw.get("mode") == "r":
        return r.abs(), q.shape
    return q @ r, r.abs(), q.abs()


def _svd_parts(u, s, vh):
    k = s.shape[-1]
    uk, vk = u[..., :k], vh[..., :k, :]
    return (uk * s.unsqueeze(-2)) @ vk, s, uk.abs(), vk.abs(), u.shape, vh.shape


def _linalg_svd(t, a, **kw):
    return _svd_parts(*t.linalg.svd(a, **kw))


def _torch_svd(t, a, **kw):
    u, s, v = t.svd(a, **kw)
    if kw.get("compute_uv") is False:
        return u, s, v
    return _svd_parts(u, s, v.mT)


def _eigh(t, b, spd=True, **kw):
    w, v = t.linalg.eigh(_spd(t, b) if spd else b, **kw)
    return w, v.abs()


def _sq(shape=(3, 3), **kw):
    return T(shape, **kw)


OPS = [
    # ---- products -----------------------------------------------------------------------------
    OpInfo("torch.matmul", lambda t, a, b: t.matmul(a, b),
           [Sample((T((3, 4)), T((4, 2)))), Sample((T((4,)), T((4,)))),
            Sample((T((2, 3, 4)), T((4, 2)))), Sample((T((3,)), T((2, 3, 2)))),
            Sample((T((2, 1, 2, 3)), T((3, 3, 2)))), Sample((T((2, 2, 3)), T((3,)))),
            Sample((T((2, 3)), T((2, 3, 2)))), Sample((T((2, 3), grad=False), T((2, 3, 2)))),
            Sample((T((3, 2), transposed=True), T((2, 2)))),
            Sample((T((2, 3)), T((4, 2))), error=True)], dtypes=NUM,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.mm", lambda t, a, b: t.mm(a, b),
           [Sample((T((2, 3)), T((3, 4)))), Sample((T((3, 2), transposed=True), T((2, 2)))),
            Sample((T((0, 3)), T((3, 2)))), Sample((T((2,)), T((2, 2))), error=True)],
           dtypes=NUM, tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.bmm", lambda t, a, b: t.bmm(a, b),
           [Sample((T((2, 2, 3)), T((2, 3, 2)))),
            Sample((T((2, 2, 3)), T((2, 2, 3))), error=True)], dtypes=NUM1,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.mv", lambda t, a, b: t.mv(a, b),
           [Sample((T((2, 3)), T((3,)))), Sample((T((3, 2), transposed=True), T((2,)))),
            Sample((T((2, 3)), T((2, 3))), error=True)], dtypes=NUM1,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.dot", lambda t, a, b: t.dot(a, b),
           [Sample((T((4,)), T((4,)))), Sample((T((0,)), T((0,)))),
            Sample((T((3,)), T((3,), dtype="float64")), error=True)], dtypes=NUM1,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.vdot", lambda t, a, b: t.vdot(a, b),
           [Sample((T((4,)), T((4,)))), Sample((T((0,)), T((0,)))),
            Sample((T((3,), dtype="int64"), T((3,))), error=True),
            Sample((T((3,)), T((4,))), error=True)], dtypes=NUM1,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.inner", lambda t, a, b: t.inner(a, b),
           [Sample((T((2, 3)), T((4, 3)))), Sample((T((3,)), T((3,)))),
            Sample((T((2, 3)), T(()))), Sample((T((2, 3)), T((2, 4))), error=True)],
           dtypes=NUM1, tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.outer", lambda t, a, b: t.outer(a, b),
           [Sample((T((3,)), T((2,)))), Sample((T((3,), dtype="int64"), T((2,)))),
            Sample((T((0,)), T((2,)))), Sample((T((2, 2)), T((2,))), error=True)],
           dtypes=NUM + ("bool",), notes="torch.ger is the same function"),
    OpInfo("torch.einsum", lambda t, eq, *xs: t.einsum(eq, *xs),
           [Sample(("ij,jk->ik", T((2, 3)), T((3, 4)))),
            Sample(("...ij,...jk", T((2, 2, 3)), T((3, 2)))), Sample(("ii", T((3, 3)))),
            Sample(("i,j->ij", T((2,)), T((3,)))), Sample(("bij->bji", T((2, 2, 3)))),
            Sample(("ij,ij->i", T((2, 3)), T((2, 3)))),
            Sample(("ij,jk,kl->il", T((2, 3)), T((3, 2)), T((2, 2)))),
            Sample(("...ii->...i", T((2, 3, 3)))),
            Sample(("ij,jk", T((2, 3))), error=True)], dtypes=NUM,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.tensordot", lambda t, a, b, **kw: t.tensordot(a, b, **kw),
           [Sample((T((2, 3, 4)), T((3, 4, 2)))),
            Sample((T((2, 3)), T((3, 2))), {"dims": ([1], [0])}),
            Sample((T((2,)), T((3,))), {"dims": 0}),
            Sample((T((2, 3)), T((2, 3))), {"dims": 1}, error=True)], dtypes=NUM1,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.kron", lambda t, a, b: t.kron(a, b),
           [Sample((T((2, 2)), T((2, 3)))), Sample((T((2,)), T((3,)))),
            Sample((T((2, 2)), T((3,))))], dtypes=NUM1),
    OpInfo("torch.addmm", lambda t, c, a, b, **kw: t.addmm(c, a, b, **kw),
           [Sample((T((2, 4)), T((2, 3)), T((3, 4)))),
            Sample((T((4,)), T((2, 3)), T((3, 4))), {"beta": 0.5, "alpha": 2}),
            Sample((T((2, 4)), T((2, 3)), T((4, 3), transposed=True)), {"beta": 0}),
            Sample((T((2, 4)), T((2, 3)), T((2, 4))), error=True)], dtypes=NUM,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    inplace_of("Tensor.addmm_", "addmm_",
               [Sample((T((2, 4)), T((2, 3)), T((3, 4)))),
                Sample((T((2, 4)), T((2, 3)), T((3, 4))), {"beta": 0.5, "alpha": -1})]),
    OpInfo("torch.addmv", lambda t, c, a, b, **kw: t.addmv(c, a, b, **kw),
           [Sample((T((2,)), T((2, 3)), T((3,)))),
            Sample((T(()), T((2, 3)), T((3,))), {"beta": 2, "alpha": 0.5}),
            Sample((T((2,)), T((2, 3)), T((2,))), error=True)], dtypes=NUM1,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    inplace_of("Tensor.addmv_", "addmv_", [Sample((T((2,)), T((2, 3)), T((3,))))]),
    OpInfo("torch.baddbmm", lambda t, c, a, b, **kw: t.baddbmm(c, a, b, **kw),
           [Sample((T((2, 2, 4)), T((2, 2, 3)), T((2, 3, 4)))),
            Sample((T((1, 4)), T((2, 2, 3)), T((2, 3, 4))), {"beta": 0.5, "alpha": 2}),
            Sample((T((2, 2, 4)), T((2, 2, 3)), T((3, 3, 4))), error=True)], dtypes=NUM1,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    inplace_of("Tensor.baddbmm_", "baddbmm_", [Sample((T((2, 2, 4)), T((2, 2, 3)),
                                                       T((2, 3, 4))))]),
    OpInfo("torch.addbmm", lambda t, c, a, b, **kw: t.addbmm(c, a, b, **kw),
           [Sample((T((2, 4)), T((2, 2, 3)), T((2, 3, 4)))),
            Sample((T((4,)), T((2, 2, 3)), T((2, 3, 4))), {"beta": 0, "alpha": 2})],
           dtypes=NUM1, tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    inplace_of("Tensor.addbmm_", "addbmm_", [Sample((T((2, 4)), T((2, 2, 3)),
                                                     T((2, 3, 4))))]),
    OpInfo("torch.addr", lambda t, c, a, b, **kw: t.addr(c, a, b, **kw),
           [Sample((T((2, 3)), T((2,)), T((3,)))),
            Sample((T((3,)), T((2,)), T((3,))), {"beta": 0.5, "alpha": 2}),
            Sample((T((2, 3)), T((2, 2)), T((3,))), error=True)], dtypes=NUM + ("bool",)),
    inplace_of("Tensor.addr_", "addr_", [Sample((T((2, 3)), T((2,)), T((3,))))]),
    OpInfo("torch.chain_matmul", lambda t, *xs: t.chain_matmul(*xs),
           [Sample((T((2, 3)), T((3, 4)), T((4, 2)))), Sample((T((3, 3)),)),
            Sample((T((2, 3)), T((3,))), error=True)], dtypes=FLOATS + ("int64",),
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("linalg.multi_dot", lambda t, xs: t.linalg.multi_dot(xs),
           [Sample(([T((2, 3)), T((3, 4)), T((4, 2))],)), Sample(([T((3,)), T((3, 2)), T((2,))],)),
            Sample(([T((2, 3)), T((3,))],)), Sample(([T((3, 3))],), error=True)],
           dtypes=FLOATS + ("int64",), tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.trace", lambda t, a: t.trace(a),
           [Sample((_sq(),)), Sample((T((2, 3)),)), Sample((T((2, 3, 3)),), error=True)],
           dtypes=NUM),
    OpInfo("torch.cross", lambda t, a, b, **kw: t.cross(a, b, **kw),
           [Sample((T((2, 3)), T((2, 3))), {"dim": 1}), Sample((T((3, 2)), T((3, 2)))),
            Sample((T((2, 3)), T((2, 2))), {"dim": 1}, error=True)], dtypes=NUM1),
    OpInfo("linalg.cross", lambda t, a, b, **kw: t.linalg.cross(a, b, **kw),
           [Sample((T((2, 3)), T((2, 3)))), Sample((T((2, 3)), T((1, 3)))),
            Sample((T((3, 2)), T((3, 2))), {"dim": 0}), Sample((T((2, 2)), T((2, 2))), error=True)],
           dtypes=NUM1),
    OpInfo("linalg.vecdot", lambda t, a, b, **kw: t.linalg.vecdot(a, b, **kw),
           [Sample((T((2, 3)), T((2, 3)))), Sample((T((2, 3)), T((3,)))),
            Sample((T((2, 3)), T((2, 3))), {"dim": 0}),
            Sample((T((3,), dtype="int64"), T((3,), dtype="int64")), error=True)],
           dtypes=FLOATS, tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("torch.cdist", lambda t, a, b, **kw: t.cdist(a, b, **kw),
           [Sample((T((3, 2)), T((4, 2)))), Sample((T((3, 2)), T((4, 2))), {"p": 1.0}),
            Sample((T((3, 2)), T((4, 2))), {"p": float("inf")}),
            Sample((T((2, 3, 2)), T((2, 2, 2))), {"p": 3.0}),
            Sample((T((3, 2), dtype="int64"), T((4, 2), dtype="int64")), error=True)],
           dtypes=F2),
    OpInfo("torch.matrix_power", lambda t, a, n: t.matrix_power(a, n),
           [Sample((_sq(low=-1, high=1), 3)), Sample((_sq(low=-1, high=1), 0)),
            Sample((_sq(low=-1, high=1), 1)), Sample((_sq((2, 2, 2), low=-1, high=1), 2)),
            Sample((_sq(low=-1, high=1), -2)), Sample((T((2, 3)), 2), error=True)],
           dtypes=FLOATS + ("int64", "int32"),
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)},
           notes="linalg.matrix_power is the same function"),
    OpInfo("torch.matrix_exp", lambda t, a: t.matrix_exp(a),
           [Sample((_sq(low=-1, high=1),)), Sample((_sq((2, 2, 2), low=-4, high=4),)), INT_ERR],
           dtypes=F2, tol=DECOMP_TOL,
           notes="linalg.matrix_exp is the same function"),
    # ---- determinants, inverses, solvers ------------------------------------------------------
    OpInfo("linalg.det", lambda t, a: t.linalg.det(a),
           [Sample((_sq(),)), Sample((_sq((2, 2, 2)),)), Sample((T((0, 0)),)), INT_ERR,
            Sample((T((3, 2)),), error=True)], dtypes=F2, tol=DECOMP_TOL,
           notes="torch.det is the same function"),
    OpInfo("torch.logdet", lambda t, b: t.logdet(_spd(t, b)),
           [Sample((_sq((2, 3, 3)),))], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.slogdet", lambda t, a: tuple(t.linalg.slogdet(a)),
           [Sample((_sq(),)), Sample((_sq((2, 2, 2)),)), INT_ERR], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("torch.slogdet", lambda t, a: tuple(t.slogdet(a)),
           [Sample((_sq(),))], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.inv", lambda t, a: t.linalg.inv(_wc(t, a)),
           [Sample((_sq(),)), Sample((_sq((2, 2, 2)),)), INT_ERR], dtypes=F2, tol=DECOMP_TOL,
           notes="torch.inverse is the same function; a singular input raises "
                 "torch.linalg.LinAlgError eagerly (not inside compile/func traces)"),
    OpInfo("linalg.solve", lambda t, a, b, **kw: t.linalg.solve(_wc(t, a), b, **kw),
           [Sample((_sq(), T((3, 2)))), Sample((_sq(), T((3,)))),
            Sample((_sq(), T((2, 3))), {"left": False}), Sample((_sq((2, 3, 3)), T((3, 1)))),
            Sample((_sq(), T((2, 2))), error=True)], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.solve_triangular",
           lambda t, a, b, **kw: t.linalg.solve_triangular(_wc(t, a), b, **kw),
           [Sample((_sq(), T((3, 2))), {"upper": True}),
            Sample((_sq(), T((3, 2))), {"upper": False}),
            Sample((_sq(), T((2, 3))), {"upper": False, "left": False}),
            Sample((_sq(), T((3, 2))), {"upper": True, "unitriangular": True}),
            Sample((_sq(), T((3,))), {"upper": True}, error=True)], dtypes=F2, tol=DECOMP_TOL),
    # ---- factorizations -----------------------------------------------------------------------
    OpInfo("linalg.cholesky", lambda t, b, **kw: t.linalg.cholesky(_spd(t, b), **kw),
           [Sample((_sq(),)), Sample((_sq(),), {"upper": True}), Sample((_sq((2, 2, 2)),)),
            INT_ERR], dtypes=F2, tol=DECOMP_TOL,
           notes="a non-positive-definite input raises torch.linalg.LinAlgError eagerly "
                 "(not inside compile/func traces)"),
    OpInfo("torch.cholesky", lambda t, b, **kw: t.cholesky(_spd(t, b), **kw),
           [Sample((_sq(),)), Sample((_sq(),), {"upper": True})], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.qr", _qr,
           [Sample((T((3, 2)),)), Sample((_sq(),), {"mode": "complete"}),
            Sample((T((3, 2)),), {"mode": "r"}), Sample((T((2, 3, 2)),)), INT_ERR],
           dtypes=F2, tol=DECOMP_TOL,
           notes="compared through Q @ R, |Q| and |R| (QR is unique up to signs)"),
    OpInfo("linalg.svd", _linalg_svd,
           [Sample((T((3, 2)),), {"full_matrices": False}), Sample((T((3, 2)),)),
            Sample((T((2, 3)),)), INT_ERR],
           dtypes=F2, tol=DECOMP_TOL,
           notes="compared through U @ diag(S) @ Vh, S, |U|, |Vh| and the shapes (singular "
                 "vectors are unique up to sign); the extra columns of full_matrices=True are "
                 "only compared by shape"),
    OpInfo("torch.svd", _torch_svd,
           [Sample((T((3, 2)),)), Sample((T((2, 3)),), {"some": False}),
            Sample((T((3, 2)),), {"compute_uv": False})], dtypes=F2, tol=DECOMP_TOL,
           notes="compared like linalg.svd (V is returned, not Vh)"),
    OpInfo("linalg.svdvals", lambda t, a: t.linalg.svdvals(a),
           [Sample((T((3, 2)),)), Sample((T((2, 2, 3)),)), INT_ERR], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.eigh", _eigh,
           [Sample((_sq(),)), Sample((_sq(),), {"UPLO": "U"}), Sample((_sq((2, 2, 2)),)),
            Sample((_sq(),), {"spd": False})], dtypes=F2, tol=DECOMP_TOL,
           notes="compared through the eigenvalues and |eigenvectors| (unique up to sign)"),
    OpInfo("linalg.eigvalsh", lambda t, b, spd=True, **kw: t.linalg.eigvalsh(
               _spd(t, b) if spd else b, **kw),
           [Sample((_sq(),)), Sample((_sq(),), {"UPLO": "U", "spd": False}),
            Sample((_sq((2, 2, 2)),)), INT_ERR], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.lu_factor", lambda t, a: tuple(t.linalg.lu_factor(a)),
           [Sample((_sq(),)), Sample((_sq((2, 3, 3)),)), Sample((T((3, 2)),)), INT_ERR],
           dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.pinv", lambda t, a, **kw: t.linalg.pinv(a, **kw),
           [Sample((T((3, 2)),)), Sample((T((2, 3)),), {"rtol": 0.1}),
            Sample((T((2, 3, 2)),)), INT_ERR], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("torch.pinverse", lambda t, a, **kw: t.pinverse(a, **kw),
           [Sample((T((3, 2)),))], dtypes=F2, tol=DECOMP_TOL),
    OpInfo("linalg.lstsq", lambda t, a, b, **kw: t.linalg.lstsq(a, b, **kw).solution,
           [Sample((T((3, 2)), T((3, 2)))), Sample((T((3, 2)), T((3, 1))), {"driver": "gelsd"}),
            Sample((T((2, 3, 2)), T((2, 3, 1)))),
            Sample((T((3, 2), dtype="int64"), T((3, 1), dtype="int64")), error=True)],
           dtypes=F2, tol=DECOMP_TOL,
           notes="solution only (full-rank inputs; rank/residuals are checked in "
                 "test_linalg_extras). The solution is pinv(A) @ B: for a rank-deficient A that is "
                 "the minimum-norm solution, where torch's default driver 'gelsy' returns a basic "
                 "one"),
    OpInfo("linalg.matrix_rank", lambda t, a, **kw: t.linalg.matrix_rank(a, **kw),
           [Sample((T((3, 2)),)), Sample((_sq(),), {"atol": 1.0, "rtol": 0.1}),
            Sample((_sq(),), {"hermitian": True}), Sample((T((2, 3, 2)),)), INT_ERR],
           dtypes=F2, grad=False),
    # ---- norms --------------------------------------------------------------------------------
    OpInfo("linalg.vector_norm", lambda t, a, *args, **kw: t.linalg.vector_norm(a, *args, **kw),
           [Sample((T((3, 2)),)), Sample((T((3, 2)), 1), {"dim": 1, "keepdim": True}),
            Sample((T((3, 2)), float("inf"))), Sample((T((2, 3)), 3.0), {"dim": (0, 1)}),
            Sample((T((0, 2)),)),
            Sample((T((3,), dtype="int64"),), error=True)], dtypes=FLOATS,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)},
           notes="ord=0 gives a zero gradient where torch's is undefined (None); checked in "
                 "test_linalg_extras"),
    OpInfo("linalg.matrix_norm", lambda t, a, *args, **kw: t.linalg.matrix_norm(a, *args, **kw),
           [Sample((T((3, 2)),)), Sample((T((3, 2)), "nuc"), dtypes=F2),
            Sample((T((3, 2)), 2), dtypes=F2), Sample((T((3, 2)), -2), dtypes=F2),
            Sample((T((3, 3)), 1)), Sample((T((2, 3, 2)), float("-inf"))),
            Sample((T((2, 3, 2)), -1), {"dim": (0, 2), "keepdim": True}),
            Sample((T((3,)),), error=True), Sample((T((3, 3)), 3), error=True)], dtypes=FLOATS,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2), "float32": (1e-4, 1e-4)}),
    OpInfo("linalg.norm", lambda t, a, *args, **kw: t.linalg.norm(a, *args, **kw),
           [Sample((T((3, 2)),)), Sample((T((3,)), 1)), Sample((T((3, 2)), "fro")),
            Sample((T((2, 3, 2)),), {"dim": (1, 2), "keepdim": True}),
            Sample((T((3, 2)), float("inf"))), Sample((T((3, 2)),), {"dim": 0}),
            Sample((T((2, 3, 2)), 2), error=True)], dtypes=FLOATS,
           tol={"float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}),
    OpInfo("linalg.cond", lambda t, a, *args: t.linalg.cond(_wc(t, a), *args),
           [Sample((_sq(),)), Sample((_sq(), "fro")), Sample((_sq(), "nuc")),
            Sample((_sq((2, 3, 3)), float("inf"))), INT_ERR], dtypes=F2,
           tol=DECOMP_TOL),
]
