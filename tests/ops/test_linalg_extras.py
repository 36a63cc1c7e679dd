"""Linear-algebra behaviour the op-info table cannot express: named-tuple results, aliases,
deprecation warnings, lstsq's rank/residuals, ord=0 norms and properties of the decompositions
(expected values as torch 2.13 gives them)."""

from __future__ import annotations

import jax.scipy.linalg as jsl
import numpy as np
import pytest

import torchlike_jax as torch

RNG = np.random.default_rng(0)
A32 = RNG.uniform(-1, 1, (3, 3))
A_TALL = RNG.uniform(-1, 1, (4, 2))
B_TALL = RNG.uniform(-1, 1, (4, 1))


def _t(a, dtype=torch.float64, grad=False):
    return torch.tensor(a.tolist(), dtype=dtype, requires_grad=grad)


@pytest.mark.parametrize("call,kind,fields", [
    (lambda a: torch.slogdet(a), "slogdet", ("sign", "logabsdet")),
    (lambda a: torch.linalg.slogdet(a), "linalg_slogdet", ("sign", "logabsdet")),
    (lambda a: torch.linalg.qr(a), "linalg_qr", ("Q", "R")),
    (lambda a: torch.linalg.svd(a), "linalg_svd", ("U", "S", "Vh")),
    (lambda a: torch.svd(a), "svd", ("U", "S", "V")),
    (lambda a: torch.linalg.eigh(a @ a.mT), "linalg_eigh", ("eigenvalues", "eigenvectors")),
    (lambda a: torch.linalg.lstsq(a, a), "linalg_lstsq",
     ("solution", "residuals", "rank", "singular_values")),
    (lambda a: torch.linalg.lu_factor(a), "linalg_lu_factor", ("LU", "pivots")),
])
def test_named_tuple_results(call, kind, fields):
    out = call(_t(A32))
    assert type(out).__name__ == kind
    assert out._fields == fields
    assert repr(out).startswith(f"torch.return_types.{kind}(\n{fields[0]}=tensor(")
    assert all(getattr(out, f) is out[i] for i, f in enumerate(fields))


@pytest.mark.parametrize("alias,canonical", [
    ("ger", "outer"), ("inverse", "linalg.inv"), ("det", "linalg.det"),
    ("linalg.matrix_power", "matrix_power"), ("linalg.matrix_exp", "matrix_exp"),
    ("linalg.matmul", "matmul"),
])
def test_aliases_are_the_same_function(alias, canonical):
    def get(path):
        obj = torch
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj

    assert get(alias) is get(canonical)


def test_deprecated_functions_warn():
    a = _t(A32)
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        torch.chain_matmul(a, a)
    with pytest.warns(UserWarning, match="torch.cholesky is deprecated"):
        torch.cholesky(a @ a.mT + 3 * torch.eye(3, dtype=a.dtype))


def test_lstsq_rank_residuals_and_singular_values():
    a, b = _t(A_TALL), _t(B_TALL)
    sol, res, rank, sv = torch.linalg.lstsq(a, b)  # CPU default driver 'gelsy'
    ref, ref_res, _, ref_sv = np.linalg.lstsq(A_TALL, B_TALL, rcond=None)
    np.testing.assert_allclose(sol.numpy(), ref, rtol=1e-10)
    assert res.shape == (0,) and sv.shape == (0,)
    assert rank.dtype is torch.int64 and rank.shape == () and rank.item() == 2
    _, res, rank, sv = torch.linalg.lstsq(a, b, driver="gelsd")
    np.testing.assert_allclose(res.numpy(), ref_res, rtol=1e-10)
    np.testing.assert_allclose(sv.numpy(), ref_sv, rtol=1e-10)


def test_vector_norm_ord0_counts_nonzeros_with_zero_gradient():
    """torch's gradient here is undefined (None); ours is zeros (documented in the table)."""
    x = torch.tensor([0.0, 1.5, -2.0, 0.0], requires_grad=True)
    n = torch.linalg.vector_norm(x, 0)
    assert n.item() == 2.0 and type(n.grad_fn).__name__ == "LinalgVectorNormBackward0"
    (g,) = torch.autograd.grad(n, x)
    assert g.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_vector_norm_gradient_at_zero_is_zero():
    x = torch.zeros(3, requires_grad=True)
    torch.linalg.vector_norm(x).backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_torch_svd_without_uv_gives_zero_factors():
    u, s, v = torch.svd(_t(A_TALL), compute_uv=False)
    assert u.shape == (4, 4) and v.shape == (2, 2)
    assert not u.numpy().any() and not v.numpy().any()
    np.testing.assert_allclose(s.numpy(), np.linalg.svd(A_TALL, compute_uv=False), rtol=1e-10)


def test_matrix_exp_with_squarings_matches_reference():
    a = 6 * A32  # 1-norm above theta_13: exercises the squaring phase
    got = torch.matrix_exp(_t(a)).numpy()
    np.testing.assert_allclose(got, np.asarray(jsl.expm(a)), rtol=1e-10, atol=1e-10)


def test_eigh_and_cholesky_read_one_triangle():
    spd = A32 @ A32.T + 3 * np.eye(3)
    junk = spd + np.triu(RNG.uniform(5, 6, (3, 3)), 1)  # garbage above the diagonal
    w, _ = torch.linalg.eigh(_t(junk))
    np.testing.assert_allclose(w.numpy(), np.linalg.eigvalsh(spd), rtol=1e-10)
    low = torch.linalg.cholesky(_t(junk))
    np.testing.assert_allclose(low.numpy(), np.linalg.cholesky(spd), rtol=1e-10)
    up = torch.linalg.cholesky(_t(junk.T), upper=True)
    np.testing.assert_allclose(up.numpy(), np.linalg.cholesky(spd).T, rtol=1e-10)


def test_inplace_addmm_writes_into_self():
    c = torch.zeros(2, 2)
    a, b = torch.ones(2, 3), torch.ones(3, 2)
    out = c.addmm_(a, b, beta=0.5, alpha=2)
    assert out is c and c.tolist() == [[6.0, 6.0], [6.0, 6.0]]


def test_outer_promotes_like_torch():
    out = torch.outer(torch.tensor([1, 2]), torch.tensor([0.5]))
    assert out.dtype is torch.float32 and out.tolist() == [[0.5], [1.0]]


def test_singular_inverse_raises_and_does_not_corrupt():
    """torch.linalg.LinAlgError, as torch raises (tests/ops/test_bounds_and_errors.py compares the
    messages live); the input is untouched."""
    z = torch.zeros(2, 2)
    with pytest.raises(torch.linalg.LinAlgError, match="input matrix is singular"):
        torch.linalg.inv(z)
    assert z.tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_backward_through_both_slogdet_outputs():
    """Two outputs of one node as roots (the sign's gradient is zero)."""
    a = _t(A32, grad=True)
    sign, logabs = torch.linalg.slogdet(a)
    (g,) = torch.autograd.grad([sign, logabs], [a], [torch.ones((), dtype=a.dtype)] * 2)
    np.testing.assert_allclose(g.numpy(), np.linalg.inv(A32).T, rtol=1e-10)
