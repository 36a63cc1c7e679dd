"""The execution core under real-loop conditions: bounded caches, the ski-rental compile policy,
segmented backward of big graphs, thread safety, the persistent compilation cache."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax import _caches
from torchlike_jax.autograd import engine
from torchlike_jax.autograd.backward_policy import BackwardPolicy


@pytest.fixture
def policy(monkeypatch):
    """Install a fresh policy (tests pass their settings) with empty backward caches."""

    def install(**kw):
        engine.clear_caches()
        p = BackwardPolicy(**kw)
        monkeypatch.setattr(engine, "policy", p)
        return p

    yield install
    engine.clear_caches()


def _stats():
    return dict(engine.policy.stats)


def _delta(before):
    return {k: engine.policy.stats[k] - before[k] for k in before}


# ---- caches --------------------------------------------------------------------------------------
def test_cache_info_lists_every_cache_with_its_bound():
    info = torch.backends.cache_info()
    assert set(info) == set(torch.backends.cache_limits())
    for name, ci in info.items():
        assert ci.maxsize == torch.backends.cache_limits()[name]
        assert 0 <= ci.size <= ci.maxsize


def test_bounded_cache_evicts_least_recently_used():
    c = _caches.BoundedCache("t", 3)
    for k in "abc":
        c[k] = k.upper()
    assert c.get("a") == "A"  # now most recent
    c["d"] = "D"
    assert "b" not in c and "a" in c and len(c) == 3
    assert c.info().evictions == 1 and c.info().hits == 1


def test_set_cache_limit_bounds_a_churning_shape_loop():
    old = torch.backends.cache_limits()["op_jit"]
    try:
        torch.backends.set_cache_limit("op_jit", 64)
        x = torch.arange(200.0)
        for k in range(1, 120):  # an int shift is static (it is a shape-like argument)
            torch.roll(x, k)
        info = torch.backends.cache_info()["op_jit"]
        assert info.size <= 64 and info.evictions > 0
    finally:
        torch.backends.set_cache_limit("op_jit", old)
    with pytest.raises(KeyError, match="no cache named"):
        torch.backends.set_cache_limit("nope", 3)
    with pytest.raises(ValueError):
        torch.backends.set_cache_limit("op_jit", 0)


def test_bounded_cache_survives_concurrent_writers():
    c = _caches.BoundedCache("t", 50)

    def work(base):
        for i in range(2000):
            c[(base, i % 200)] = i
            c.get((base, (i * 7) % 200))

    threads = [threading.Thread(target=work, args=(b,)) for b in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(c) <= 50


# ---- the compile policy ------------------------------------------------------------------------
def _linreg_step(w, b, x, y):
    w.grad = b.grad = None
    ((x @ w + b - y) ** 2).mean().backward()
    return w.grad.numpy().copy(), b.grad.numpy().copy()


def _linreg():
    rng = np.random.default_rng(0)
    x = torch.tensor(rng.standard_normal((16, 3)).astype(np.float32))
    y = torch.tensor(rng.standard_normal(16).astype(np.float32))
    w = torch.tensor([0.1, -0.2, 0.3], requires_grad=True)
    b = torch.tensor(0.5, requires_grad=True)
    return w, b, x, y


def test_ski_rental_compiles_only_after_the_predicted_cost_is_spent(policy):
    p = policy(background=False, compile_floor_s=3600.0)  # a compile "costs" an hour: never
    w, b, x, y = _linreg()
    before = _stats()
    for _ in range(5):
        _linreg_step(w, b, x, y)
    assert _delta(before) == {"per_node_runs": 5, "fused_runs": 0, "fused_compiles": 0}
    p.compile_floor_s, p.compile_per_node_s = 0.0, 0.0  # now it has paid for itself
    expected = _linreg_step(w, b, x, y)  # compiles before running: this one already fused
    d = _delta(before)
    assert d["fused_compiles"] == 1 and d["fused_runs"] == 1
    got = _linreg_step(w, b, x, y)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)


def test_background_compile_never_blocks_and_takes_over_when_ready(policy):
    policy(background=True, compile_floor_s=0.0, compile_per_node_s=0.0)
    w, b, x, y = _linreg()
    before = _stats()
    first = _linreg_step(w, b, x, y)
    _linreg_step(w, b, x, y)  # second sighting: compile starts on the worker thread
    engine.wait_for_compiles()
    last = _linreg_step(w, b, x, y)
    d = _delta(before)
    assert d["fused_compiles"] == 1 and d["fused_runs"] >= 1
    np.testing.assert_allclose(last[0], first[0], rtol=1e-6)


def test_the_policy_learns_from_observed_compile_times(policy):
    p = policy(background=False)
    p.compile_per_node_s = 10.0
    p.learn(10, p.compile_floor_s + 0.01)  # a 10-node compile took 10 ms
    assert p.compile_per_node_s < 10.0 * (1 - p.learn_rate) + 0.01


def test_mode_never_always_runs_per_node(policy):
    policy(mode="never")
    w, b, x, y = _linreg()
    before = _stats()
    for _ in range(4):
        _linreg_step(w, b, x, y)
    assert _delta(before) == {"per_node_runs": 4, "fused_runs": 0, "fused_compiles": 0}
    with pytest.raises(ValueError, match="mode must be one of"):
        BackwardPolicy(mode="sometimes")


def _chain(n):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for i in range(n):
        y = y * 1.001 + 0.001 * (i % 3)
    return x, y.sum()


def test_a_big_graph_compiles_in_a_few_segments_of_its_repeated_structure(policy):
    p = policy(mode="eager", segment_nodes=50)
    before = _stats()
    for _ in range(3):
        x, loss = _chain(600)  # 1,800 nodes: 36 segments, a handful of distinct structures
        loss.backward()
        np.testing.assert_allclose(x.grad.numpy(), [1.001**600] * 2, rtol=1e-4)
    d = _delta(before)
    assert d["fused_compiles"] <= 6, d  # not one program per segment, nor per graph
    assert engine.policy.segments_cached() <= 6
    assert p.segment_nodes == 50


def test_graph_with_grad_capture_too_big_for_one_program_runs_per_node(policy):
    policy(mode="eager", segment_nodes=20)
    before = _stats()
    for _ in range(3):
        x, loss = _chain(30)  # 90 nodes > 20: torch.autograd.grad stays per node
        (g,) = torch.autograd.grad(loss, x)
        np.testing.assert_allclose(g.numpy(), [1.001**30] * 2, rtol=1e-5)
    assert _delta(before)["fused_compiles"] == 0


# ---- threads -----------------------------------------------------------------------------------
def _hammer(lib, threads=8, steps=100):
    w = lib.ones(3, requires_grad=True)

    def work():
        for _ in range(steps):
            (w * 2).sum().backward()

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return w.grad.tolist()


def test_concurrent_backward_into_one_leaf_loses_no_update():
    assert _hammer(torch) == [1600.0] * 3


@pytest.mark.torch_live
def test_concurrent_backward_totals_match_torch():
    real = pytest.importorskip("torch")
    assert _hammer(torch, 4, 50) == _hammer(real, 4, 50)


def test_concurrent_training_steps_share_compiled_backward(policy):
    policy(background=True, compile_floor_s=0.0, compile_per_node_s=0.0)
    results: dict = {}

    def train(seed):
        rng = np.random.default_rng(seed)
        x = torch.tensor(rng.standard_normal((8, 3)).astype(np.float32))
        w = torch.zeros(3, requires_grad=True)
        for _ in range(30):
            loss = ((x @ w - 1.0) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                w -= 0.1 * w.grad
            w.grad = None
        return w.detach().numpy()

    def work(seed):
        try:
            results[seed] = train(seed)
        except Exception as e:  # pragma: no cover - reported below
            results[seed] = e

    ts = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for seed in range(4):
        assert not isinstance(results[seed], Exception), results[seed]
        np.testing.assert_allclose(results[seed], train(seed), rtol=1e-5, atol=1e-6)


# ---- the persistent compilation cache ---------------------------------------------------------
def test_persistent_cache_is_on_by_default_and_can_be_turned_off(tmp_path):
    code = "import torchlike_jax as t; print(t.backends.persistent_cache_dir())"
    env = {**os.environ, "TORCHLIKE_JAX_CACHE_DIR": str(tmp_path / "xla")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == str(tmp_path / "xla")
    env["TORCHLIKE_JAX_PERSISTENT_CACHE"] = "0"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "None"


def test_a_second_process_reads_programs_the_first_one_wrote(tmp_path):
    code = ("import torchlike_jax as t\n"
            "x = t.ones(7, requires_grad=True)\n"
            "y = x\n"
            "for _ in range(50): y = t.sin(y) * 1.5\n"
            "y.sum().backward(); print(x.grad.sum().item())\n")
    env = {**os.environ, "TORCHLIKE_JAX_CACHE_DIR": str(tmp_path / "xla"),
           "TORCHLIKE_JAX_CACHE_MIN_COMPILE_SECONDS": "0"}
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout
    files = sorted(p.name for p in (tmp_path / "xla").iterdir())
    assert any(f.endswith("-cache") for f in files), files
    second = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, check=True).stdout
    assert first == second


def test_one_op_over_ever_new_shapes_keeps_a_bounded_number_of_executables(monkeypatch):
    from torchlike_jax.core import kernels

    monkeypatch.setattr(_caches, "SIGNATURES_PER_JIT", 4)
    sizes = []
    for n in range(1, 13):
        out = torch.full((n,), 2.0).exp2()
        assert out.tolist() == [4.0] * n
        sizes.append(max(hit[1]._cache_size() for key, hit in kernels._jits._data.items()
                         if key[0].name == "exp2"))
    assert max(sizes) <= 4, sizes


def test_persistent_cache_prune_drops_least_recently_used_files(tmp_path):
    from torchlike_jax import _persistent_cache

    for k in range(10):
        f = tmp_path / f"f{k}"
        f.write_bytes(b"x" * 100)
        os.utime(f, (1000 + k, 1000 + k))
    assert _persistent_cache.prune(tmp_path, 2000) == 0  # under the bound: untouched
    assert _persistent_cache.prune(tmp_path, 800) == 4  # down to 3/4 of the bound
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"f{k}" for k in range(4, 10)]


def test_background_compiles_trace_on_the_calling_thread(policy):
    """A compiled function's backward node replays the user's function while it is traced,
    with its inputs' storages holding tracers. Traced on the compile thread, those tracers
    were visible to the main thread meanwhile (an optimizer step read a parameter that was a
    tracer: UnexpectedTracerError). Only XLA's compile may run in the background."""
    p = policy(mode="adaptive", background=True, compile_floor_s=0.0, compile_per_node_s=0.0)
    threads = []
    lin = torch.nn.Linear(3, 2)

    @torch.compile
    def forward(x):
        threads.append(threading.current_thread())  # runs whenever the function is traced
        return lin(x).tanh()

    opt = torch.optim.SGD(lin.parameters(), lr=0.1)
    x = torch.randn(4, 3)
    before = _stats()
    for _ in range(6):
        opt.zero_grad()
        (forward(x) * 2).sum().backward()
        opt.step()
        engine.wait_for_compiles()
    assert _delta(before)["fused_compiles"] >= 1  # the graph with the replaying node compiled
    assert threads and all(t is threading.main_thread() for t in threads), threads
    assert p.background
