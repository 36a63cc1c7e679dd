"""Unit tests for the autograd engine and tape (``torchlike_jax.autograd.engine`` / ``api``).

Expected gradients come from closed forms or from ``jax.grad`` / ``jax.vjp`` on the equivalent
``jax.numpy`` code, never from our own engine. Where torch's behaviour is the question (which
graphs may be backpropagated twice, which error, which message), the expectation was checked
against real torch 2.13.
"""

from __future__ import annotations

import sys
import time
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax.autograd import engine
from torchlike_jax.autograd.backward_policy import BackwardPolicy

FREED = "Trying to backward through the graph a second time"
MODIFIED = "modified by an inplace operation"


def t(values, dtype=None, requires_grad=False):
    return torch.tensor(values, dtype=dtype or torch.float32, requires_grad=requires_grad)


def npa(x):
    return np.asarray(x.detach().numpy())


def close(actual, expected, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(npa(actual), np.asarray(expected), rtol=rtol, atol=atol)


@pytest.fixture
def fresh(monkeypatch):
    """Empty backward caches and the deterministic compile policy (compile at the second
    sighting, synchronously); returns a function giving stats deltas since the fixture ran."""
    engine.clear_caches()
    monkeypatch.setattr(engine, "policy", BackwardPolicy(mode="eager"))
    base = dict(engine.policy.stats)
    yield lambda: {k: engine.policy.stats[k] - base[k] for k in base}
    engine.clear_caches()


# ---- backward: values ---------------------------------------------------------------------------
def test_scalar_chain():
    x = t(0.7, requires_grad=True)
    torch.sin(torch.exp(x * x)).backward()
    close(x.grad, jax.grad(lambda v: jnp.sin(jnp.exp(v * v)))(0.7))


def test_same_tensor_used_twice():
    x = t([1.0, -2.0, 3.0], requires_grad=True)
    (x * x + x).sum().backward()
    close(x.grad, 2 * np.array([1.0, -2.0, 3.0]) + 1)


def test_diamond():
    xv = np.array([0.5, 1.5], np.float32)
    x = t(xv, requires_grad=True)
    a = x * 2
    b = x.exp()
    (a * b).sum().backward()
    close(x.grad, jax.grad(lambda v: jnp.sum((v * 2) * jnp.exp(v)))(xv))


def test_multiple_roots_autograd_backward():
    av, bv = np.array([1.0, 2.0], np.float32), np.array([0.3, -0.4], np.float32)
    ga, gb = np.array([1.0, -1.0], np.float32), np.array([2.0, 3.0], np.float32)
    a, b = t(av, requires_grad=True), t(bv, requires_grad=True)
    p = a * b
    q = (a + b).exp()
    torch.autograd.backward([p, q], [t(ga), t(gb)])
    _, pull = jax.vjp(lambda a, b: (a * b, jnp.exp(a + b)), av, bv)
    ea, eb = pull((ga, gb))
    close(a.grad, ea, rtol=1e-5)
    close(b.grad, eb, rtol=1e-5)


def test_gradient_argument_for_non_scalar_output():
    x = t([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar"):
        y.backward()
    y.backward(t([1.0, 10.0, 100.0]))
    close(x.grad, [2.0, 40.0, 600.0])


def test_backward_on_leaf():
    x = t(3.0, requires_grad=True)
    x.backward()
    close(x.grad, 1.0)


def test_float64_leaf_gets_float64_grad():
    x = t([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (x * x).sum().backward()
    assert x.grad.dtype == torch.float64
    close(x.grad, [2.0, 4.0])


def test_mixed_dtypes_each_leaf_keeps_its_dtype():
    a = t([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    b = t([3.0, 4.0], dtype=torch.float32, requires_grad=True)
    out = a * b
    assert out.dtype == torch.float64
    out.sum().backward()
    assert a.grad.dtype == torch.float64
    assert b.grad.dtype == torch.float32
    close(a.grad, [3.0, 4.0])
    close(b.grad, [1.0, 2.0])


def test_grad_dtype_fused_path_keeps_leaf_dtype(fresh):
    for _ in range(3):
        a = t([1.0, 2.0], dtype=torch.float64, requires_grad=True)
        b = t([3.0, 4.0], dtype=torch.float32, requires_grad=True)
        (a * b).sum().backward()
        assert (a.grad.dtype, b.grad.dtype) == (torch.float64, torch.float32)
        close(b.grad, [1.0, 2.0])
    assert fresh()["fused_runs"] == 2


# ---- the backward-cache policy ------------------------------------------------------------------
def _linreg_data(n=8, d=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)).astype(np.float32), rng.normal(size=(n,)).astype(np.float32)


def _linreg_grads(xv, yv, wv, bv):
    r = xv @ wv + bv - yv
    return 2.0 / len(yv) * xv.T @ r, 2.0 / len(yv) * r.sum()


def test_policy_per_node_then_compile_then_reuse(fresh):
    xv, yv = _linreg_data()
    x, y = t(xv), t(yv)
    w = t([0.1, -0.2, 0.3], requires_grad=True)
    b = t(0.5, requires_grad=True)

    def step():
        w.grad = None
        b.grad = None
        ((x @ w + b - y) ** 2).mean().backward()

    step()
    assert fresh() == {"per_node_runs": 1, "fused_runs": 0, "fused_compiles": 0}
    step()
    assert fresh() == {"per_node_runs": 1, "fused_runs": 1, "fused_compiles": 1}
    step()
    assert fresh() == {"per_node_runs": 1, "fused_runs": 2, "fused_compiles": 1}
    assert engine.policy.segments_cached() == 1  # a small graph is one segment: the whole graph


def test_different_shape_is_a_different_structure(fresh):
    def step(n):
        x = torch.ones(n, requires_grad=True)
        (x * x).sum().backward()
        close(x.grad, np.full(n, 2.0))

    step(3)
    step(3)
    assert fresh() == {"per_node_runs": 1, "fused_runs": 1, "fused_compiles": 1}
    step(4)  # new shape: a new structure, per node again
    assert fresh() == {"per_node_runs": 2, "fused_runs": 1, "fused_compiles": 1}
    assert engine.policy.segments_cached() == 2
    step(3)
    assert fresh()["fused_runs"] == 2


def test_per_node_and_fused_paths_agree_with_expected(fresh):
    xv, yv = _linreg_data(16, 4, seed=1)
    x, y = t(xv), t(yv)
    wv = np.array([0.5, -1.0, 0.25, 2.0], np.float32)
    bv = np.float32(-0.3)
    results = []
    for _ in range(3):
        w = t(wv, requires_grad=True)
        b = t(bv, requires_grad=True)
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        ew, eb = _linreg_grads(xv, yv, wv, bv)
        close(w.grad, ew, rtol=1e-5)
        close(b.grad, eb, rtol=1e-5)
        results.append((npa(w.grad), npa(b.grad)))
    assert fresh() == {"per_node_runs": 1, "fused_runs": 2, "fused_compiles": 1}
    for gw, gb in results[1:]:  # fused runs agree with the per-node run
        np.testing.assert_allclose(gw, results[0][0], rtol=1e-6)
        np.testing.assert_allclose(gb, results[0][1], rtol=1e-6)


def test_grad_api_uses_the_cache_too(fresh):
    for _ in range(3):
        x = t([1.0, 2.0], requires_grad=True)
        (g,) = torch.autograd.grad((x * x * x).sum(), x)
        close(g, [3.0, 12.0])
        assert x.grad is None
    assert fresh() == {"per_node_runs": 1, "fused_runs": 2, "fused_compiles": 1}


def _with_hook(x):
    y = x * 2
    y.register_hook(lambda g: g * 3)
    return y, 3.0


def _with_leaf_hook(x):
    x.register_hook(lambda g: g * 3)
    return x * 2, 3.0


def _with_retain_grad(x):
    y = x * 2
    y.retain_grad()
    return y, 1.0


@pytest.mark.parametrize("build", [_with_hook, _with_leaf_hook, _with_retain_grad])
def test_hooks_and_retain_grad_always_per_node(fresh, build):
    for _ in range(3):
        x = t([1.0, 2.0], requires_grad=True)
        y, factor = build(x)
        (y * y).sum().backward()
        close(x.grad, 8 * np.array([1.0, 2.0]) * factor)
    assert fresh() == {"per_node_runs": 3, "fused_runs": 0, "fused_compiles": 0}


def test_create_graph_always_per_node(fresh):
    for _ in range(3):
        x = t(2.0, requires_grad=True)
        (g,) = torch.autograd.grad(x**3, x, create_graph=True)
        close(g, 12.0)
    assert fresh() == {"per_node_runs": 3, "fused_runs": 0, "fused_compiles": 0}


def test_removed_hook_lets_graph_fuse_again(fresh):
    x = t([1.0, 2.0], requires_grad=True)
    h = x.register_hook(lambda g: g * 0)
    h.remove()
    for _ in range(3):
        x.grad = None
        (x * x).sum().backward()
        close(x.grad, [2.0, 4.0])
    assert fresh() == {"per_node_runs": 1, "fused_runs": 2, "fused_compiles": 1}


# ---- long chains --------------------------------------------------------------------------------
def _chain(n):
    x = t(0.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = y + 1
    return x, y


def test_chain_1000_first_backward_is_cheap():
    engine.clear_caches()
    base = dict(engine.policy.stats)
    x, y = _chain(1000)
    close(y, 1000.0)
    start = time.perf_counter()
    y.backward()
    elapsed = time.perf_counter() - start
    close(x.grad, 1.0)
    assert elapsed < 5.0, f"first backward of a 1000-node chain took {elapsed:.2f} s"
    runs = {k: engine.policy.stats[k] - base[k] for k in ("per_node_runs", "fused_runs")}
    assert sum(runs.values()) == 1, runs
    assert len(engine._vjp_cache) == 1  # one jitted vjp for `add`, shared by all 1000 nodes
    engine.clear_caches()


def test_chain_5000_no_recursion_limit():
    x, y = _chain(5000)
    limit = sys.getrecursionlimit()
    assert limit < 5000 * 2  # the walk must not recurse once per node
    y.backward()
    close(x.grad, 1.0)
    del y  # tearing the chain down must not recurse into the limit either


def test_chain_repeated_uses_fused_path(fresh):
    for _ in range(3):
        x, y = _chain(200)
        y.backward()
        close(x.grad, 1.0)
    got = fresh()
    # 400 nodes in segments of policy.segment_nodes: the repeated segment compiles once, within
    # the first backward already (it is seen several times there); the last one is different
    assert got["fused_runs"] >= 2 and got["fused_compiles"] <= 3, got
    before = got["fused_runs"]
    x, y = _chain(200)
    y.backward()
    close(x.grad, 1.0)
    assert fresh()["fused_runs"] == before + 1


# ---- retain_graph -------------------------------------------------------------------------------
def test_retain_graph_allows_second_backward_and_accumulates():
    x = t([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    close(x.grad, [2.0, 4.0])
    y.backward()
    close(x.grad, [4.0, 8.0])
    with pytest.raises(RuntimeError, match=FREED):
        y.backward()


@pytest.mark.parametrize("fn", [lambda x: (x * x).sum(), lambda x: x.exp().sum(),
                                lambda x: x.sin().sum(), lambda x: (x @ x)],
                         ids=["mul", "exp", "sin", "matmul"])
def test_second_backward_raises_when_nodes_saved_tensors(fn):
    x = t([1.0, 2.0], requires_grad=True)
    y = fn(x)
    y.backward()
    with pytest.raises(RuntimeError, match=FREED):
        y.backward()


def test_second_backward_raises_on_the_fused_path_too(fresh):
    for _ in range(3):
        x = t([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        close(x.grad, [2.0, 4.0])
        with pytest.raises(RuntimeError, match=FREED):
            y.backward()
    assert fresh()["fused_runs"] == 2


def test_second_backward_allowed_when_nothing_saved():
    # torch allows it: AddBackward0 and SumBackward0 save no tensors
    x = t([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    close(x.grad, [2.0, 2.0])


# ---- .grad accumulation -------------------------------------------------------------------------
def test_grad_accumulates_in_place():
    x = t([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    close(g, [2.0, 4.0])
    (x * 3).sum().backward()
    assert x.grad is g
    close(g, [5.0, 7.0])


def test_grad_none_resets_and_zero_():
    x = t([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    x.grad = None
    assert x.grad is None
    (x * 3).sum().backward()
    close(x.grad, [3.0, 3.0])
    g = x.grad
    g.zero_()
    close(x.grad, [0.0, 0.0])
    (x * 3).sum().backward()
    assert x.grad is g
    close(x.grad, [3.0, 3.0])


# ---- retain_grad and hooks ----------------------------------------------------------------------
def test_retain_grad_on_intermediate():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = y * y
    z.sum().backward()
    assert y.retains_grad
    close(y.grad, 2 * 3 * np.array([1.0, 2.0]))
    close(x.grad, 18 * np.array([1.0, 2.0]))


def test_non_leaf_grad_without_retain_warns_and_is_none():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 3
    (y * y).sum().backward()
    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        assert y.grad is None


def test_hook_on_intermediate_replaces_gradient_downstream():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(npa(g)) or g * 10)
    (y * y).sum().backward()
    np.testing.assert_allclose(seen[0], [4.0, 8.0])
    close(x.grad, [80.0, 160.0])  # 2 * (10 * 2y)


def test_hook_on_leaf_replaces_accumulated_gradient():
    x = t([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g + 100)
    (x * x).sum().backward()
    close(x.grad, [102.0, 104.0])


def test_hook_handle_remove():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    hy = y.register_hook(lambda g: g * 10)
    hx = x.register_hook(lambda g: g * 100)
    hy.remove()
    hx.remove()
    hx.remove()  # idempotent
    (y * y).sum().backward()
    close(x.grad, [8.0, 16.0])


@pytest.mark.parametrize("leaf", [True, False])
def test_hooks_run_in_registration_order(leaf):
    x = t([1.0, 2.0], requires_grad=True)
    target = x if leaf else x * 1
    order = []
    target.register_hook(lambda g: order.append("a"))
    target.register_hook(lambda g: order.append("b") or g * 2)
    target.register_hook(lambda g: order.append("c") or g + 1)
    target.sum().backward()
    assert order == ["a", "b", "c"]
    close(x.grad, [3.0, 3.0])  # (1 * 2) + 1


def test_hooks_see_tensors():
    x = t([1.0, 2.0], requires_grad=True)
    y = x.exp()
    kinds = []
    y.register_hook(lambda g: kinds.append(type(g)))
    x.register_hook(lambda g: kinds.append(type(g)))
    y.sum().backward()
    assert kinds == [torch.Tensor, torch.Tensor]


def test_retain_grad_sees_hooked_gradient():
    # torch >= 2.0: the retains_grad hook always runs after the user's hooks
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = x * 3
    y.retain_grad()
    y.register_hook(lambda g: g * 10)
    (y * z).sum().backward()
    close(y.grad, [30.0, 60.0])
    close(x.grad, [66.0, 132.0])


# ---- autograd.grad ------------------------------------------------------------------------------
def test_grad_multiple_inputs_leaves_grad_untouched():
    xv, yv = np.array([1.0, 2.0], np.float32), np.array([3.0, -1.0], np.float32)
    x, y = t(xv, requires_grad=True), t(yv, requires_grad=True)
    gx, gy = torch.autograd.grad((x * y.sin()).sum(), [x, y])
    ex, ey = jax.grad(lambda a, b: jnp.sum(a * jnp.sin(b)), argnums=(0, 1))(xv, yv)
    close(gx, ex)
    close(gy, ey)
    assert x.grad is None and y.grad is None
    assert not gx.requires_grad and gx.grad_fn is None


def test_grad_allow_unused_and_materialize():
    x, y, u = (t([1.0, 2.0], requires_grad=True) for _ in range(3))
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        torch.autograd.grad((x * y).sum(), [x, u])
    gx, gu = torch.autograd.grad((x * y).sum(), [x, u], allow_unused=True)
    close(gx, [1.0, 2.0])
    assert gu is None
    gx, gu = torch.autograd.grad((x * y).sum(), [x, u], materialize_grads=True)
    close(gu, [0.0, 0.0])
    assert gu.dtype == torch.float32


def test_grad_allow_unused_on_fused_path(fresh):
    for _ in range(3):
        x, u = t([1.0, 2.0], requires_grad=True), t([1.0], requires_grad=True)
        gx, gu = torch.autograd.grad((x * x).sum(), [x, u], allow_unused=True)
        close(gx, [2.0, 4.0])
        assert gu is None
    assert fresh()["fused_runs"] == 2


def test_grad_outputs():
    xv = np.array([1.0, 2.0, 3.0], np.float32)
    v = np.array([1.0, 0.5, -2.0], np.float32)
    x = t(xv, requires_grad=True)
    (g,) = torch.autograd.grad(x.exp() * x, x, grad_outputs=t(v))
    _, pull = jax.vjp(lambda a: jnp.exp(a) * a, xv)
    close(g, pull(v)[0], rtol=1e-5)


def test_grad_wrt_non_leaf_input():
    x = t([1.0, 2.0], requires_grad=True)
    m = x * 3
    (gm,) = torch.autograd.grad((m * m).sum(), m)
    close(gm, [6.0, 12.0])
    assert x.grad is None


def test_grad_wrt_non_leaf_does_not_run_or_free_the_graph_below_it():
    # as torch: grad() stops at a captured non-leaf, so the nodes below it are neither run nor
    # freed (torch's backward(inputs=[non_leaf]) does run and free them; we need not copy that)
    x = t([1.0, 2.0], requires_grad=True)
    m = x * x
    (gm,) = torch.autograd.grad((m * 3).sum(), m)
    close(gm, [3.0, 3.0])
    (gm,) = torch.autograd.grad((m * m).sum(), m)
    close(gm, [2.0, 8.0])
    m.sum().backward()  # x*x was never run, so its saved tensors are still there
    close(x.grad, [2.0, 4.0])


def test_grad_wrt_non_leaf_skips_hooks_below_it():
    x = t([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append("x"))
    m = x * 3
    m.register_hook(lambda g: calls.append("m"))
    (gm,) = torch.autograd.grad((m * m).sum(), m)
    close(gm, [6.0, 12.0])
    assert calls == ["m"]


def test_grad_with_a_root_that_does_not_reach_the_inputs(fresh):
    for _ in range(3):  # per node, then compiled, then cached
        x = t([1.0, 2.0], requires_grad=True)
        z = t([1.0, 2.0], requires_grad=True)
        (gx,) = torch.autograd.grad([(x * x).sum(), (z * 3).sum()], x)
        close(gx, [2.0, 4.0])
        torch.autograd.backward([(x * 2).sum(), (z * 3).sum()], inputs=[x])
        close(x.grad, [2.0, 2.0])
        assert z.grad is None
    assert fresh()["fused_runs"] == 4


def test_grad_requires_inputs_that_require_grad():
    x = t([1.0], requires_grad=True)
    c = t([1.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad((x * c).sum(), c)


def test_third_derivative_of_cube():
    x = t(2.0, requires_grad=True)
    (g1,) = torch.autograd.grad(x**3, x, create_graph=True)
    (g2,) = torch.autograd.grad(g1, x, create_graph=True)
    (g3,) = torch.autograd.grad(g2, x)
    close(g1, 12.0)  # 3x^2
    close(g2, 12.0)  # 6x
    close(g3, 6.0)


def test_second_derivative_of_sin():
    x = t([0.3, 1.2], requires_grad=True)
    (g1,) = torch.autograd.grad(x.sin().sum(), x, create_graph=True)
    (g2,) = torch.autograd.grad(g1.sum(), x)
    close(g1, np.cos([0.3, 1.2]))
    close(g2, -np.sin([0.3, 1.2]))


def test_mixed_partial():
    xv, yv = 1.5, -0.5
    x, y = t(xv, requires_grad=True), t(yv, requires_grad=True)
    f = x * x * y.exp() + x * y
    (gx,) = torch.autograd.grad(f, x, create_graph=True)
    (gxy,) = torch.autograd.grad(gx, y)
    expected = jax.grad(jax.grad(lambda a, b: a * a * jnp.exp(b) + a * b, 0), 1)(xv, yv)
    close(gxy, expected)  # 2x e^y + 1


def test_create_graph_results_have_grad_fn():
    x = t(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(x**3, x, create_graph=True)
    assert g.requires_grad
    assert g.grad_fn is not None
    assert not g.is_leaf


def test_backward_create_graph_then_grad_of_grad():
    x = t(2.0, requires_grad=True)
    with warnings.catch_warnings():  # torch's once-per-process "reference cycle" warning
        warnings.filterwarnings("ignore", "Using backward\\(\\) with create_graph=True")
        (x**3).backward(create_graph=True)
    close(x.grad, 12.0)
    assert x.grad.requires_grad
    (gg,) = torch.autograd.grad(x.grad, x)
    close(gg, 12.0)


def test_repeated_create_graph_compiles_once_and_caches_stay_bounded(fresh):
    for _ in range(20):
        x = t([1.0, 2.0], requires_grad=True)
        (g,) = torch.autograd.grad((x * x * x).sum(), x, create_graph=True)
        (g * g).sum().backward()  # gradient penalty style: d/dx sum((3x^2)^2) = 36 x^3
        close(x.grad, [36.0, 288.0])
    assert len(engine._vjp_cache) < 10
    assert engine.policy.structures_cached() < 5
    assert fresh()["fused_compiles"] <= 2


# ---- backward(inputs=...) -----------------------------------------------------------------------
def test_backward_inputs_leaf_only():
    x = t([1.0, 2.0], requires_grad=True)
    w = t([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[w])
    close(w.grad, [1.0, 2.0])
    assert x.grad is None


def test_backward_inputs_non_leaf():
    x = t([1.0, 2.0], requires_grad=True)
    w = t([3.0, 4.0], requires_grad=True)
    m = x * w
    (m * m).sum().backward(inputs=[w, m])
    close(m.grad, [6.0, 16.0])
    close(w.grad, [6.0, 32.0])
    assert x.grad is None


def test_backward_inputs_on_fused_path(fresh):
    for _ in range(3):
        x = t([1.0, 2.0], requires_grad=True)
        w = t([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        close(x.grad, [3.0, 4.0])
        assert w.grad is None
    assert fresh()["fused_runs"] == 2


def test_backward_inputs_empty_raises():
    x = t([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (x * 2).sum().backward(inputs=[])


# ---- version counter and in-place ---------------------------------------------------------------
def _bump(op):
    x = t([1.0, 2.0])
    v = x._version
    op(x)
    return x._version - v


@pytest.mark.parametrize("op", [
    lambda x: x.add_(1), lambda x: x.mul_(2), lambda x: x.__setitem__(0, 5.0),
    lambda x: x.zero_(), lambda x: x.fill_(3.0), lambda x: x.copy_(t([7.0, 8.0])),
    lambda x: x.__iadd__(1), lambda x: x.sub_(t([1.0, 1.0])),
], ids=["add_", "mul_", "setitem", "zero_", "fill_", "copy_", "iadd", "sub_"])
def test_version_increments_once_per_inplace_op(op):
    assert _bump(op) == 1


def test_version_counts_sequence():
    x = t([1.0, 2.0])
    assert x._version == 0
    x += 1
    x[1] = 0.0
    x.mul_(3)
    assert x._version == 3
    close(x, [6.0, 0.0])


def test_detach_shares_storage_and_version():
    x = t([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert not d.requires_grad
    d.add_(10)
    close(x, [11.0, 12.0])
    assert x._version == d._version == 1
    with torch.no_grad():
        x.mul_(2)
    close(d, [22.0, 24.0])
    assert d._version == 2


def test_modified_by_inplace_error():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED) as err:
        z.sum().backward()
    assert "is at version 1; expected version 0" in str(err.value)


def test_modified_saved_output_error():
    x = t([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(RuntimeError, match="which is output 0 of Exp"):
        y.sum().backward()


def test_modifying_a_detached_alias_of_a_saved_tensor_is_detected():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = y * y
    y.detach().zero_()
    with pytest.raises(RuntimeError, match=MODIFIED):
        z.sum().backward()


def test_inplace_on_non_leaf_add_mul_setitem():
    x = t([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    y.mul_(2)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y[0] = x[1] * 5
    assert type(y.grad_fn).__name__ == "CopySlices"
    close(y, [10.0, 10.0])
    (y * t([1.0, 3.0])).sum().backward()
    # y = [5 * x1, 2 * (2 * x1 + 1)]  -> weights [1, 3]
    close(x.grad, [0.0, 5.0 + 3 * 4.0])


def test_inplace_ops_on_non_leaf_match_torch():
    # real torch: the in-place op keeps the original self for its own backward
    xv, wv = np.array([1.0, 2.0], np.float32), np.array([3.0, 4.0], np.float32)
    cases = {
        "mul_scalar": (lambda y, w: y.mul_(2), lambda y, w: y * 2),
        "mul_tensor": (lambda y, w: y.mul_(w), lambda y, w: y * w),
        "div_tensor": (lambda y, w: y.div_(w), lambda y, w: y / w),
        "pow": (lambda y, w: y.pow_(2), lambda y, w: y**2),
        "sin": (lambda y, w: y.sin_(), lambda y, w: jnp.sin(y)),
        "exp": (lambda y, w: y.exp_(), lambda y, w: jnp.exp(y)),
        "clamp": (lambda y, w: y.clamp_(0, 3), lambda y, w: jnp.clip(y, 0, 3)),
    }
    for name, (ours, ref) in cases.items():
        x, w = t(xv, requires_grad=True), t(wv, requires_grad=True)
        y = x * 2
        ours(y, w)
        y.sum().backward()
        ex, ew = jax.grad(lambda a, b, ref=ref: jnp.sum(ref(a * 2, b)), argnums=(0, 1))(xv, wv)
        close(x.grad, ex, rtol=1e-5)
        if name.endswith("tensor"):
            close(w.grad, ew, rtol=1e-5)
        else:
            assert w.grad is None, name


def test_inplace_mul_then_later_inplace_is_fine_but_self_mul_is_not():
    x, w = t([1.0, 2.0], requires_grad=True), t([3.0, 4.0], requires_grad=True)
    y = x * 2
    y.mul_(w)
    y.add_(1)  # torch: mul_ saved a copy of the original self, so this is allowed
    y.sum().backward()
    close(x.grad, [6.0, 8.0])
    y = x * 2
    y.mul_(y)  # `other` is y itself, saved and then overwritten
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.sum().backward()


def test_setitem_of_grad_tensor_into_plain_tensor():
    x = t(3.0, requires_grad=True)
    a = torch.zeros(3)
    a[0] = x
    a[2] = x * 2
    assert a.requires_grad
    assert type(a.grad_fn).__name__ == "CopySlices"
    (a * a).sum().backward()
    close(x.grad, 2 * 3.0 + 2 * 6.0 * 2)


def test_inplace_on_leaf_requiring_grad_raises():
    x = t([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x += 1
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0] = 1.0
    close(x, [1.0, 2.0])  # failed ops leave the tensor untouched
    assert x._version == 0


def test_inplace_on_leaf_allowed_under_no_grad():
    x = t([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        x.add_(1)
        x -= 0.5
        x[0] = 7.0
    close(x, [7.0, 2.5])
    assert x.is_leaf and x.requires_grad and x.grad_fn is None
    assert x._version == 3


def test_manual_sgd_linear_regression_matches_numpy():
    xv, yv = _linreg_data(32, 3, seed=2)
    x, y = t(xv), t(yv)
    w = torch.zeros(3, requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    wn, bn = np.zeros(3, np.float32), np.float32(0.0)
    lr = 0.1
    losses = []
    for _ in range(5):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        r = xv @ wn + bn - yv
        np.testing.assert_allclose(loss.item(), np.mean(r**2), rtol=1e-5)
        gw, gb = _linreg_grads(xv, yv, wn, bn)
        close(w.grad, gw, rtol=1e-5)
        close(b.grad, gb, rtol=1e-5)
        w_obj = w
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        assert w is w_obj and w.is_leaf and w.requires_grad
        w.grad.zero_()
        b.grad.zero_()
        wn = wn - lr * gw
        bn = bn - lr * gb
        close(w, wn, rtol=1e-5)
        losses.append(loss.item())
    assert all(b < a for a, b in zip(losses, losses[1:], strict=False))


# ---- inference mode -----------------------------------------------------------------------------
def test_inference_mode_tensors():
    with torch.inference_mode():
        a = torch.ones(2)
        b = a * 2
    assert a.is_inference() and b.is_inference()
    assert not torch.ones(2).is_inference()


def test_inference_tensor_cannot_be_saved_for_backward():
    with torch.inference_mode():
        a = torch.ones(2)
    w = t([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Inference tensors cannot be saved for backward"):
        a * w
    s = a + w  # add saves nothing: allowed, as in torch
    assert s.requires_grad
    s.sum().backward()
    close(w.grad, [1.0, 1.0])


def test_inplace_update_to_inference_tensor_outside_mode():
    with torch.inference_mode():
        a = torch.ones(2)
        a.add_(1)  # fine inside
    with pytest.raises(RuntimeError, match="Inplace update to inference tensor outside "
                                           "InferenceMode"):
        a.add_(1)
    close(a, [2.0, 2.0])  # our rule: a rejected op leaves the tensor as it was (torch mutates)


def test_no_warnings_on_plain_backward():
    x = t([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (x * x).sum().backward()
        assert x.grad is not None
