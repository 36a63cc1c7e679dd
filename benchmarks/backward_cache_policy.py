"""Measure the backward-cache policy side by side: torchlike_jax vs torch eager vs raw JAX.

Run: python benchmarks/backward_cache_policy.py
(torch is optional; its column is skipped when it is absent)

Workloads:
  seed  — 1000 × ``x = x + 1`` on a scalar, then backward (a graph that may never recur)
  mlp   — a 3-layer MLP training step (64→128→128→1, batch 32): forward, backward, SGD under no_grad
For each: the first-sighting backward (per-node vjps), the second (whole-graph compile) and the
median steady-state step. Raw JAX is ``jax.jit(jax.value_and_grad(loss))`` — the floor.
Medians over repeats; compare ratios, not absolute times (the machine is noisy).
"""

from __future__ import annotations

import statistics
import time

import jax
import jax.numpy as jnp
import numpy as np

import torchlike_jax as tj
from torchlike_jax.autograd import engine

try:
    import torch
except ImportError:  # the torch column is optional
    torch = None


def _now() -> float:
    return time.perf_counter()


def seed_loop(lib, n: int = 1000) -> tuple[float, float]:
    x0 = lib.tensor(1.0, requires_grad=True)
    x = x0
    t0 = _now()
    for _ in range(n):
        x = x + 1
    t1 = _now()
    x.backward()
    float(x0.grad)
    return t1 - t0, _now() - t1


def mlp_step_factory(lib, seed: int = 0):
    rng = np.random.default_rng(seed)
    dims = [(64, 128), (128, 128), (128, 1)]
    params = []
    for i, o in dims:
        params.append(lib.tensor(rng.normal(0, 0.1, (i, o)).astype(np.float32),
                                 requires_grad=True))
        params.append(lib.tensor(np.zeros(o, np.float32), requires_grad=True))
    xb = lib.tensor(rng.normal(size=(32, 64)).astype(np.float32))
    yb = lib.tensor(rng.normal(size=(32, 1)).astype(np.float32))

    def step() -> float:
        h = xb
        for k in range(0, len(params), 2):
            h = h @ params[k] + params[k + 1]
            if k < len(params) - 2:
                h = h.relu()
        loss = ((h - yb) ** 2).mean()
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
        return loss

    return step


def raw_jax_step(seed: int = 0):
    rng = np.random.default_rng(seed)
    dims = [(64, 128), (128, 128), (128, 1)]
    params = []
    for i, o in dims:
        params += [jnp.asarray(rng.normal(0, 0.1, (i, o)).astype(np.float32)),
                   jnp.zeros(o, jnp.float32)]
    xb = jnp.asarray(rng.normal(size=(32, 64)).astype(np.float32))
    yb = jnp.asarray(rng.normal(size=(32, 1)).astype(np.float32))

    def loss_fn(ps):
        h = xb
        for k in range(0, len(ps), 2):
            h = h @ ps[k] + ps[k + 1]
            if k < len(ps) - 2:
                h = jax.nn.relu(h)
        return jnp.mean((h - yb) ** 2)

    @jax.jit
    def update(ps):
        loss, g = jax.value_and_grad(loss_fn)(ps)
        return loss, [p - 0.01 * gi for p, gi in zip(ps, g, strict=True)]

    state = {"p": params}

    def step():
        loss, state["p"] = update(state["p"])
        return loss

    return step


def time_steps(step, n: int, sync) -> list[float]:
    out = []
    for _ in range(n):
        t0 = _now()
        sync(step())
        out.append(_now() - t0)
    return out


def main() -> None:
    print("## seed loop: 1000 × x = x + 1, then backward")
    engine.clear_caches()
    runs = [seed_loop(tj) for _ in range(5)]
    print(f"torchlike_jax forward: {runs[0][0] * 1e3:.1f} ms first, "
          f"{statistics.median(r[0] for r in runs[1:]) * 1e3:.1f} ms median later")
    print(f"torchlike_jax backward: first {runs[0][1] * 1e3:.1f} ms (per node), second "
          f"{runs[1][1] * 1e3:.1f} ms (whole-graph compile), later median "
          f"{statistics.median(r[1] for r in runs[2:]) * 1e3:.1f} ms (fused)")
    if torch is not None:
        truns = [seed_loop(torch) for _ in range(5)]
        print(f"torch eager: forward {statistics.median(r[0] for r in truns) * 1e3:.1f} ms, "
              f"backward {statistics.median(r[1] for r in truns) * 1e3:.1f} ms (medians)")

    print("\n## MLP training step (64→128→128→1, batch 32)")
    engine.clear_caches()
    step = mlp_step_factory(tj)
    first = time_steps(step, 3, lambda v: v.item())
    ours = time_steps(step, 200, lambda v: v.item())
    print(f"torchlike_jax: steps 1-3 {[round(t * 1e3, 1) for t in first]} ms "
          f"(per node, compile, fused); steady median {statistics.median(ours) * 1e3:.3f} ms")
    jstep = raw_jax_step()
    time_steps(jstep, 3, lambda v: v.block_until_ready())
    raw = time_steps(jstep, 200, lambda v: v.block_until_ready())
    print(f"raw JAX jit(value_and_grad): median {statistics.median(raw) * 1e3:.3f} ms")
    if torch is not None:
        tstep = mlp_step_factory(torch)
        time_steps(tstep, 5, lambda v: v.item())
        tt = time_steps(tstep, 200, lambda v: v.item())
        print(f"torch eager: median {statistics.median(tt) * 1e3:.3f} ms")
        print(f"ratio ours / torch: {statistics.median(ours) / statistics.median(tt):.2f}; "
              f"ours / raw JAX: {statistics.median(ours) / statistics.median(raw):.2f}")
    print(f"\nengine counters: {engine.stats}")


if __name__ == "__main__":
    main()
