"""Silent wrong answers where torch raises (issue #13), checked live against torch: out-of-range
indices, integer overflow in factories and fills, LinAlgError for singular / not
positive-definite matrices, argument TypeErrors, and the gradients of xlogy at 0 and of
``y[idx] += v`` with repeated indices. The host-side checks are skipped inside traces, where
torch.compile does not raise either."""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as tj

pytestmark = pytest.mark.torch_live
torch = pytest.importorskip("torch")


def _outcome(fn, lib):
    """(exception class name, first line of its message) or ("ok", value as numpy)."""
    try:
        out = fn(lib)
    except Exception as e:  # noqa: BLE001 - the class is what we compare
        return type(e).__name__, str(e).split("\n")[0]
    if isinstance(out, tuple):
        return "ok", [np.asarray(o.detach().numpy() if hasattr(o, "detach") else o) for o in out]
    return "ok", np.asarray(out.detach().numpy() if hasattr(out, "numpy") else out)


def _same(fn):
    want, got = _outcome(fn, torch), _outcome(fn, tj)
    assert got[0] == want[0], (got, want)
    if want[0] == "ok":
        for w, g in zip(want[1] if isinstance(want[1], list) else [want[1]],
                        got[1] if isinstance(got[1], list) else [got[1]], strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-6)
    else:
        assert got[1] == want[1]


def _x(t):
    return t.arange(6.0).reshape(2, 3)


def _i(t, v, dtype=None):
    return t.tensor(v, dtype=dtype or t.int64)


INDEX_CASES = {
    "index_select_dim1": lambda t: t.index_select(_x(t), 1, _i(t, [0, 3])),
    "index_select_neg": lambda t: t.index_select(_x(t), 1, _i(t, [-1])),
    "index_select_dim0": lambda t: t.index_select(_x(t), 0, _i(t, [2])),
    "index_select_1d": lambda t: t.index_select(t.arange(3.0), 0, _i(t, [3])),
    "index_select_3d_last": lambda t: t.index_select(t.zeros(2, 3, 4), 2, _i(t, [4])),
    "index_select_0d": lambda t: t.index_select(t.tensor(1.0), 0, _i(t, [1])),
    "index_select_ok": lambda t: t.index_select(_x(t), 1, _i(t, [2, 0, 2])),
    "gather": lambda t: t.gather(_x(t), 1, _i(t, [[0, 3], [0, 0]])),
    "gather_neg_dim0": lambda t: t.gather(_x(t), 0, _i(t, [[0, -1], [0, 0]])),
    "gather_int32": lambda t: t.gather(t.arange(6.0), 0, _i(t, [9], t.int32)),
    "gather_0d": lambda t: t.tensor(1.0).gather(0, _i(t, 1)),
    "gather_ok": lambda t: t.gather(_x(t), 1, _i(t, [[2, 1], [0, 0]])),
    "scatter": lambda t: t.zeros(2, 3).scatter(1, _i(t, [[0, 3]]), t.ones(1, 2)),
    "scatter_value": lambda t: t.zeros(2, 3).scatter(1, _i(t, [[0, -1]]), 1.0),
    "scatter_add": lambda t: t.zeros(2, 3).scatter_add(0, _i(t, [[0, 3]]), t.ones(1, 2)),
    "scatter_reduce": lambda t: t.zeros(2, 3).scatter_reduce(1, _i(t, [[0, 3]]), t.ones(1, 2),
                                                             "amax"),
    "scatter_ok": lambda t: t.zeros(2, 3).scatter(1, _i(t, [[2, 0]]), t.ones(1, 2)),
    "index_add_last": lambda t: t.zeros(2, 3).index_add(1, _i(t, [0, 3]), t.ones(2, 2)),
    "index_add_alpha": lambda t: t.zeros(2, 3).index_add(1, _i(t, [0, 3]), t.ones(2, 2),
                                                         alpha=2),
    "index_add_mid": lambda t: t.zeros(2, 3, 4).index_add(1, _i(t, [-1]), t.ones(2, 1, 4)),
    "index_add_1d": lambda t: t.zeros(3).index_add(0, _i(t, [3]), t.ones(1)),
    "index_copy": lambda t: t.zeros(2, 3).index_copy(1, _i(t, [0, 3]), t.ones(2, 2)),
    "index_copy_neg": lambda t: t.zeros(2, 3).index_copy(1, _i(t, [0, -1]), t.ones(2, 2)),
    "index_fill": lambda t: t.zeros(2, 3).index_fill(1, _i(t, [0, 3]), 1.0),
    "index_fill_neg_ok": lambda t: t.zeros(2, 3).index_fill(1, _i(t, [0, -1]), 1.0),
    "index_fill_neg": lambda t: t.zeros(2, 3).index_fill(1, _i(t, [-4]), t.tensor(1.0)),
    "index_put": lambda t: t.zeros(2, 3).index_put((_i(t, [0, 2]),), t.tensor(1.0)),
    "index_put_2": lambda t: t.zeros(2, 3).index_put_((_i(t, [0]), _i(t, [3])), t.tensor(1.0)),
    "take": lambda t: t.take(_x(t), _i(t, [6])),
    "take_neg_ok": lambda t: t.take(_x(t), _i(t, [-6])),
    "take_neg": lambda t: t.take(_x(t), _i(t, [-7])),
    "take_along_flat": lambda t: t.take_along_dim(_x(t), _i(t, [6])),
    "take_along_flat_neg": lambda t: t.take_along_dim(_x(t), _i(t, [-1])),
    "take_along_neg_ok": lambda t: t.take_along_dim(_x(t), _i(t, [[-1], [0]]), 1),
    "put": lambda t: t.zeros(2, 3).put(_i(t, [6]), t.ones(1)),
    "put_neg_ok": lambda t: t.zeros(2, 3).put(_i(t, [-1]), t.ones(1)),
    "embedding": lambda t: t.nn.functional.embedding(_i(t, [[5, 1]]), t.ones(5, 2)),
    "embedding_neg": lambda t: t.nn.functional.embedding(_i(t, [-1]), t.ones(5, 2)),
    "embedding_module": lambda t: t.nn.Embedding(5, 2)(_i(t, [7])),
}


@pytest.mark.parametrize("name", sorted(INDEX_CASES))
def test_out_of_range_index_matches_torch(name):
    _same(INDEX_CASES[name])


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_index_reduce_out_of_range():
    _same(lambda t: t.zeros(2, 3).index_reduce(1, _i(t, [0, 3]), t.ones(2, 2), "amax"))


def test_failed_index_write_leaves_tensor_and_tape_alone():
    x = tj.zeros(2, 3)
    with pytest.raises(RuntimeError):
        x.scatter_add_(1, tj.tensor([[0, 3]]), tj.ones(1, 2))
    assert x._version == 0 and not x.any()


def test_checks_are_skipped_inside_compile():
    """Abstract indices are not read on the host: no graph break with fullgraph=True, and an
    in-range call gives torch's answer."""
    def step(x, idx, w):
        return (x.gather(1, idx) + x.index_select(1, idx[0]) + tj.take(x, idx)).sum() \
            + tj.nn.functional.embedding(idx, w).sum() + tj.linalg.inv(w[:2, :2]).sum()

    x, idx, w = tj.arange(6.0).reshape(2, 3), tj.tensor([[2, 0], [1, 1]]), tj.eye(3)
    got = tj.compile(step, fullgraph=True)(x, idx, w)
    assert float(got) == pytest.approx(float(step(x, idx, w)))


# ---- integer overflow and argument types --------------------------------------------------------
VALUE_CASES = {
    "full_2**63": lambda t: t.full((2,), 2**63),
    "full_2**63-1": lambda t: t.full((2,), 2**63 - 1),
    "full_-2**63-1": lambda t: t.full((2,), -(2**63) - 1),
    "full_2**70_f32": lambda t: t.full((2,), 2**70),
    "full_u8_300": lambda t: t.full((2,), 300, dtype=t.uint8),
    "full_u8_-1": lambda t: t.full((2,), -1, dtype=t.uint8),
    "full_u8_-256": lambda t: t.full((2,), -256, dtype=t.uint8),
    "full_i8_-129": lambda t: t.full((2,), -129, dtype=t.int8),
    "full_i32_2**40": lambda t: t.full((2,), 2**40, dtype=t.int32),
    "full_f32_1e300": lambda t: t.full((2,), 1e300),
    "full_f32_inf": lambda t: t.full((2,), float("inf")),
    "full_f16_1e10": lambda t: t.full((1,), 1e10, dtype=t.float16),
    "full_c64_1e300": lambda t: t.full((1,), 1e300, dtype=t.complex64),
    "full_i64_nan": lambda t: t.full((1,), float("nan"), dtype=t.int64),
    "full_like_u8": lambda t: t.full_like(t.zeros(2, dtype=t.uint8), 300),
    "new_full_u8": lambda t: t.zeros(2, dtype=t.uint8).new_full((2,), 300),
    "tensor_u8_300": lambda t: t.tensor([300], dtype=t.uint8),
    "tensor_u8_-1": lambda t: t.tensor([-1], dtype=t.uint8),
    "tensor_i8_300.5": lambda t: t.tensor([1.5, 300.5], dtype=t.int8),
    "tensor_i64_inf": lambda t: t.tensor([float("inf")], dtype=t.int64),
    "tensor_2**63": lambda t: t.tensor(2**63),
    "tensor_2**64": lambda t: t.tensor([2**64]),
    "tensor_mixed_big": lambda t: t.tensor([1, 2**63]),
    "tensor_big_f32": lambda t: t.tensor([2**70], dtype=t.float32),
    "tensor_big_float_inferred": lambda t: t.tensor([1.0, 2**70]),
    "tensor_f32_1e300": lambda t: t.tensor([1e300], dtype=t.float32),
    "as_tensor_u8": lambda t: t.as_tensor([300], dtype=t.uint8),
    "fill_f32_2**70": lambda t: t.zeros(2).fill_(2**70),
    "fill_i64_2**63": lambda t: t.zeros(2, dtype=t.int64).fill_(2**63),
    "fill_u8_300": lambda t: t.zeros(2, dtype=t.uint8).fill_(300),
    "fill_f32_1e300": lambda t: t.zeros(2).fill_(1e300),
    "fill_i32_1e300": lambda t: t.zeros(2, dtype=t.int32).fill_(1e300),
    "setitem_u8_300": lambda t: t.zeros(2, dtype=t.uint8).__setitem__(0, 300),
    "arange_2**63": lambda t: t.arange(2**63, 2**63 + 2),
    "argmax_empty": lambda t: t.tensor([]).argmax(),
    "argmin_empty": lambda t: t.argmin(t.tensor([])),
    "max_empty": lambda t: t.tensor([]).max(),
    "zeros_2**70": lambda t: t.zeros(2**70),
    "zeros_2**40_squared": lambda t: t.zeros(2**40, 2**40),
    "zeros_dtype_str": lambda t: t.zeros(2, dtype="float32"),
    "ones_dtype_str": lambda t: t.ones(2, dtype="float32"),
    "tensor_dtype_str": lambda t: t.tensor([1], dtype="float32"),
    "tensor_str": lambda t: t.tensor([1, "a"]),
    "tensor_none": lambda t: t.tensor([1.0, None]),
    "tensor_dict": lambda t: t.tensor({}),
    "full_str": lambda t: t.full((2,), "x"),
    "arange_none": lambda t: t.arange(None),
    "arange_str_end": lambda t: t.arange(0, "a"),
    "fill_str": lambda t: t.zeros(2).fill_("x"),
}


@pytest.mark.parametrize("name", sorted(VALUE_CASES))
def test_factory_values_and_arguments_match_torch(name):
    _same(VALUE_CASES[name])


def test_huge_allocation_is_torchs_runtime_error():
    """torch's allocator message (numpy would raise MemoryError); the byte count is the
    float32 tensor's, so it matches torch's exactly."""
    _same(lambda t: t.zeros(2**40))
    _same(lambda t: t.full((2**40,), 1.0))


# ---- LinAlgError --------------------------------------------------------------------------------
def _sing(t):
    return t.tensor([[1.0, 2.0], [2.0, 4.0]])


def _npd(t):
    return t.tensor([[1.0, 2.0], [2.0, 1.0]])


LINALG_CASES = {
    "inv": lambda t: t.linalg.inv(_sing(t)),
    "inv_3": lambda t: t.linalg.inv(t.tensor([[1.0, 0, 0], [0, 1.0, 0], [0, 0, 0.0]])),
    "inv_zeros": lambda t: t.linalg.inv(t.zeros(2, 2)),
    "inverse": lambda t: t.inverse(_sing(t).double()),
    "inverse_method": lambda t: _sing(t).inverse(),
    "inv_batch": lambda t: t.linalg.inv(t.stack([t.eye(2), _sing(t), _sing(t)])),
    "inv_nan_no_error": lambda t: t.linalg.inv(t.full((2, 2), float("nan"))),
    "inv_ok": lambda t: t.linalg.inv(t.tensor([[2.0, 1.0], [1.0, 3.0]])),
    "inv_ex": lambda t: tuple(t.linalg.inv_ex(t.stack([t.eye(2), _sing(t)]))),
    "inv_ex_ok": lambda t: tuple(t.linalg.inv_ex(t.eye(2) * 2)),
    "inv_ex_check": lambda t: t.linalg.inv_ex(_sing(t), check_errors=True),
    "solve": lambda t: t.linalg.solve(_sing(t), t.ones(2)),
    "solve_batch": lambda t: t.linalg.solve(t.stack([t.eye(2), _sing(t)]), t.ones(2, 2)),
    "cholesky": lambda t: t.linalg.cholesky(_npd(t)),
    "cholesky_upper": lambda t: t.linalg.cholesky(_npd(t), upper=True),
    "cholesky_order1": lambda t: t.linalg.cholesky(-t.eye(2)),
    "cholesky_batch": lambda t: t.linalg.cholesky(t.stack([t.eye(2), _npd(t)])),
    "cholesky_ex_info": lambda t: t.linalg.cholesky_ex(t.stack([t.eye(2), _npd(t)]))[1],
    "cholesky_ex_ok": lambda t: tuple(t.linalg.cholesky_ex(t.eye(3) * 4)),
    "cholesky_ex_check": lambda t: t.linalg.cholesky_ex(t.stack([t.eye(2), _npd(t)]),
                                                        check_errors=True),
}


@pytest.mark.parametrize("name", sorted(LINALG_CASES))
def test_linalg_errors_match_torch(name):
    _same(LINALG_CASES[name])


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_legacy_cholesky_error():
    _same(lambda t: t.cholesky(_npd(t)))


def test_linalg_error_class():
    assert tj.linalg.LinAlgError is tj._C._LinAlgError
    assert issubclass(tj.linalg.LinAlgError, RuntimeError)
    assert tj.linalg.LinAlgError.__name__ == torch.linalg.LinAlgError.__name__
    with pytest.raises(tj.linalg.LinAlgError):
        tj.linalg.inv(tj.zeros(3, 3))


def test_ex_outputs_like_torch():
    a = tj.eye(2).requires_grad_()
    res = tj.linalg.inv_ex(a)
    assert type(res).__name__ == "linalg_inv_ex" and res.info.dtype is tj.int32
    assert type(res.inverse.grad_fn).__name__ == "LinalgInvExBackward0"
    res = tj.linalg.cholesky_ex(a)
    assert type(res).__name__ == "linalg_cholesky_ex" and res.info.dtype is tj.int32
    assert type(res.L.grad_fn).__name__ == "LinalgCholeskyExBackward0"
    # nearly singular but with no exactly-zero pivot: no error, torch's finite answer
    _same(lambda t: t.linalg.inv(t.tensor([[1.0, 2.0], [2.0, 4.0 + 1e-6]], dtype=t.float64)))


def test_cholesky_ex_info_order_of_later_minor():
    """info names the first leading minor that fails (order 3 here), also under compile."""
    def mat(t):
        return t.tensor([[4.0, 2, 0], [2, 5, 1], [0, 1, -1.0]], dtype=t.float64)
    want = int(torch.linalg.cholesky_ex(mat(torch)).info)
    assert int(tj.linalg.cholesky_ex(mat(tj)).info) == want == 3
    assert int(tj.compile(lambda a: tj.linalg.cholesky_ex(a).info)(mat(tj))) == want


# ---- gradients ----------------------------------------------------------------------------------
def _grads(t, fn, *vals):
    xs = [t.tensor(v, requires_grad=True) for v in vals]
    fn(t, *xs).sum().backward()
    return [x.grad.numpy() for x in xs]


@pytest.mark.parametrize("fn", [
    lambda t, x, y: t.xlogy(x, y),
    lambda t, x, y: t.special.xlog1py(x, y - 1),
])
def test_xlogy_gradients_at_zero(fn):
    x, y = [0.0, 0.0, 0.0, 2.0, 0.0, 1.0], [0.0, 1.0, -1.0, 3.0, 2.0, 0.0]
    for g, w in zip(_grads(tj, fn, x, y), _grads(torch, fn, x, y), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6)
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w))


def test_xlogy_second_order():
    def gg(t):
        x = t.tensor([0.0, 1.0], requires_grad=True)
        y = t.tensor([2.0, 3.0], requires_grad=True)
        (g,) = t.autograd.grad(t.xlogy(x, y).sum(), y, create_graph=True)
        return [a.numpy() for a in t.autograd.grad(g.sum(), (x, y))]
    for g, w in zip(gg(tj), gg(torch), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6)


DUP_CASES = {
    "iadd_advanced": lambda t, x: _iadd(t, x),
    "setitem": lambda t, x: _setitem(t, x, lambda y, v: y.__setitem__(t.tensor([0, 0, 2]), v)),
    "setitem_copyslices": lambda t, x: _setitem(
        t, x.reshape(2, 2), lambda y, v: y.__setitem__((1, t.tensor([1, 1, 0])), v)),
    "scatter": lambda t, x: t.zeros(2, 3).scatter(
        1, t.tensor([[1, 1], [0, 0]]), x.reshape(2, 2)) * t.arange(6.0).reshape(2, 3),
    "index_copy": lambda t, x: t.zeros(2, 3).index_copy(
        1, t.tensor([1, 1]), x.reshape(2, 2)) * t.arange(6.0).reshape(2, 3),
    "put": lambda t, x: t.zeros(6).put(t.tensor([1, 1, 4, 1]), x) * t.arange(6.0),
}


def _iadd(t, x):
    y = x * 1
    y[t.tensor([0, 0, 2])] += t.tensor([1.0, 2.0, 3.0]) * x[1]
    return y


def _setitem(t, x, write):
    y = x * 2
    write(y, t.tensor([1.0, 2.0, 3.0]) * x.reshape(-1)[3])
    return y * t.arange(float(y.numel())).reshape(y.shape)


@pytest.mark.parametrize("name", sorted(DUP_CASES))
def test_repeated_indices_give_every_write_its_gradient(name):
    def run(t):
        x = t.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        out = DUP_CASES[name](t, x)
        out.sum().backward()
        return out.detach().numpy(), x.grad.numpy()
    (go, gg), (wo, wg) = run(tj), run(torch)
    np.testing.assert_allclose(go, wo, rtol=1e-6)
    np.testing.assert_allclose(gg, wg, rtol=1e-6)


def test_repeated_index_issue_example():
    x = tj.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    _iadd(tj, x).sum().backward()
    assert x.grad.tolist() == [2.0, 7.0, 1.0, 1.0]
