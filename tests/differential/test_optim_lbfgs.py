"""``optim.LBFGS`` against real torch, live: the same problem under both libraries (Rosenbrock
and a small linear regression), with and without the strong-Wolfe line search; parameter
trajectories, losses, evaluation/iteration counters and state-dict layout must agree (float32
rounding grows along Rosenbrock's curved valley, so it is compared over its first iterations).
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as torch

pytestmark = pytest.mark.torch_live


def _rosenbrock(lib):
    x = lib.nn.Parameter(lib.tensor([-1.5, 2.0]))

    def f():
        return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2

    return [x], f


def _linreg(lib):
    g = np.random.default_rng(0)
    a = lib.tensor(g.standard_normal((20, 3)).astype(np.float32))
    b = lib.tensor(g.standard_normal(20).astype(np.float32))
    w = lib.nn.Parameter(lib.zeros(3))
    c = lib.nn.Parameter(lib.zeros(1))

    def f():
        return ((a @ w + c - b) ** 2).mean()

    return [w, c], f


def _trajectory(lib, problem, steps, **kw):
    params, f = problem(lib)
    opt = lib.optim.LBFGS(params, **kw)

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    losses, points = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        points.append(np.concatenate([p.detach().numpy().ravel() for p in params]))
    st = opt.state[params[0]]
    return np.array(losses), np.array(points), (st["func_evals"], st["n_iter"]), opt


@pytest.mark.parametrize("ls", [None, "strong_wolfe"])
@pytest.mark.parametrize("problem,steps,kw", [
    (_rosenbrock, 8, {"max_iter": 1}),
    (_rosenbrock, 3, {"max_iter": 3, "history_size": 4}),
    (_linreg, 3, {"max_iter": 3, "lr": 0.5}),
])
def test_trajectory_matches_torch(real, ls, problem, steps, kw):
    t_loss, t_pts, t_cnt, _ = _trajectory(real, problem, steps, line_search_fn=ls, **kw)
    o_loss, o_pts, o_cnt, _ = _trajectory(torch, problem, steps, line_search_fn=ls, **kw)
    np.testing.assert_allclose(o_pts, t_pts, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(o_loss, t_loss, rtol=1e-4, atol=1e-6)
    assert o_cnt == t_cnt


@pytest.mark.parametrize("ls", [None, "strong_wolfe"])
def test_linreg_converges_like_torch(real, ls):
    t_loss, t_pts, _, _ = _trajectory(real, _linreg, 2, line_search_fn=ls)
    o_loss, o_pts, _, _ = _trajectory(torch, _linreg, 2, line_search_fn=ls)
    np.testing.assert_allclose(o_pts[-1], t_pts[-1], rtol=1e-3, atol=1e-3)
    np.testing.assert_allclose(o_loss[-1], t_loss[-1], rtol=1e-5)


def test_state_dict_layout(real):
    *_, t_opt = _trajectory(real, _linreg, 2, max_iter=3, line_search_fn="strong_wolfe")
    *_, o_opt = _trajectory(torch, _linreg, 2, max_iter=3, line_search_fn="strong_wolfe")
    t_sd, o_sd = t_opt.state_dict(), o_opt.state_dict()
    assert o_sd["param_groups"] == t_sd["param_groups"]
    assert list(o_sd["state"]) == list(t_sd["state"]) == [0]
    ts, os_ = t_sd["state"][0], o_sd["state"][0]
    assert list(os_) == list(ts)
    for k in ("func_evals", "n_iter"):
        assert os_[k] == ts[k]
    assert len(os_["old_dirs"]) == len(ts["old_dirs"])
    np.testing.assert_allclose(os_["d"].numpy(), ts["d"].numpy(), rtol=1e-3, atol=1e-5)
    assert repr(o_opt).splitlines()[:3] == repr(t_opt).splitlines()[:3]


def test_state_dict_round_trip_continues_identically():
    params, f = _linreg(torch)
    opt = torch.optim.LBFGS(params, max_iter=2)

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    opt.step(closure)
    saved = opt.state_dict()
    start = [p.detach().clone() for p in params]
    opt.step(closure)
    after = np.concatenate([p.detach().numpy().ravel() for p in params])
    with torch.no_grad():
        for p, s in zip(params, start, strict=True):
            p.copy_(s)
    fresh = torch.optim.LBFGS(params, max_iter=2)
    fresh.load_state_dict(saved)
    opt = fresh
    fresh.step(closure)
    again = np.concatenate([p.detach().numpy().ravel() for p in params])
    np.testing.assert_allclose(again, after, rtol=1e-6)


def test_errors_like_torch(real):
    for lib in (real, torch):
        p = lib.nn.Parameter(lib.zeros(2))
        q = lib.nn.Parameter(lib.zeros(2))
        with pytest.raises(ValueError, match="per-parameter options"):
            lib.optim.LBFGS([{"params": [p]}, {"params": [q]}])
        with pytest.raises(ValueError, match="Invalid learning rate: -1"):
            lib.optim.LBFGS([p], lr=-1)
        with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
            lib.optim.LBFGS([p], lr=lib.ones(2))
        opt = lib.optim.LBFGS([p], line_search_fn="armijo")

        def closure(opt=opt, p=p):
            opt.zero_grad()
            loss = ((p - 1) ** 2).sum()
            loss.backward()
            return loss

        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
        assert opt.defaults["max_eval"] == 25


def test_stops_at_optimum_without_iterating():
    p = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.LBFGS([p])
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert len(calls) == 1 and opt.state[p]["n_iter"] == 0
