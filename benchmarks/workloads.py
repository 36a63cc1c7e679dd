"""Benchmark workloads W1–W5, one implementation per process (run by ``benchmarks/run.py``).

Usage: python benchmarks/workloads.py IMPL WORKLOAD [--device cpu|cuda] [--quick]
IMPL is ``ours`` (torchlike_jax), ``torch`` (PyTorch eager) or ``jax`` (hand-written raw JAX).
Prints one JSON object of measurements (seconds, bytes) on the last line of stdout.

The facade workloads are written once against the torch API and run unchanged on both
``torchlike_jax`` and ``torch``: that is the point of the project, and it keeps the comparison fair.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time

import numpy as np

QUICK = False


def med(xs: list[float]) -> float:
    return statistics.median(xs)


def timed(fn, repeats: int, warmup: int = 1) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def current_rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize()


# ---- facade code shared by ours and torch -------------------------------------------------------
def facade(lib, device: str):
    """Workloads written against the torch API; ``lib`` is torchlike_jax or torch."""

    def sync(t):
        return t.sum().item() if t.numel() > 1 else t.item()

    def w1(n=1000):
        out = {}

        def loop(x):
            for _ in range(n):
                x = x + 1
            return x

        with lib.no_grad():
            x = lib.tensor(1.0, device=device)
            out["nograd_eager"] = med(timed(lambda: sync(loop(x)), 7))

        def fwd_bwd():
            x0 = lib.tensor(1.0, requires_grad=True, device=device)
            y = loop(x0)
            y.backward()
            return x0.grad.item()

        t0 = time.perf_counter()
        fwd_bwd()  # the very first graph of this process: includes one-off op compiles
        out["grad_first_cold"] = time.perf_counter() - t0
        # a graph *structure* met for the first time, its ops already warm (n differs)
        t0 = time.perf_counter()
        x0 = lib.tensor(1.0, requires_grad=True, device=device)
        y = x0
        for _ in range(n + 1):
            y = y + 1
        y.backward()
        x0.grad.item()
        out["grad_first"] = time.perf_counter() - t0
        out["grad_second"] = timed(fwd_bwd, 1, warmup=0)[0]
        out["grad_steady"] = med(timed(fwd_bwd, 7, warmup=0))
        if lib.__name__ == "torchlike_jax":
            cloop = lib.compile(loop)
            with lib.no_grad():
                out["compiled"] = med(timed(lambda: sync(cloop(x)), 7, warmup=1))
        return out

    def mlp_params(sizes, seed=0):
        rng = np.random.default_rng(seed)
        ps = []
        for i, o in zip(sizes[:-1], sizes[1:], strict=True):
            w = rng.normal(0, (2.0 / i) ** 0.5, (i, o)).astype(np.float32)
            ps.append(lib.tensor(w, requires_grad=True, device=device))
            ps.append(lib.zeros(o, requires_grad=True, device=device))
        return ps

    def mlp_forward(ps, x):
        h = x
        for k in range(0, len(ps), 2):
            h = h @ ps[k] + ps[k + 1]
            if k < len(ps) - 2:
                h = h.relu()
        return h

    def cross_entropy(logits, onehot):
        m = logits.max(dim=1, keepdim=True).values
        lse = (logits - m).exp().sum(dim=1, keepdim=True).log() + m
        return -((logits - lse) * onehot).sum() / logits.shape[0]

    def batch(b, seed=1):
        rng = np.random.default_rng(seed)
        x = lib.tensor(rng.normal(size=(b, 784)).astype(np.float32), device=device)
        labels = rng.integers(0, 10, b)
        onehot = lib.tensor(np.eye(10, dtype=np.float32)[labels], device=device)
        return x, onehot

    def w2():
        ps = mlp_params([784, 256, 256, 10])
        x, onehot = batch(64)

        def step():
            loss = cross_entropy(mlp_forward(ps, x), onehot)
            loss.backward()
            with lib.no_grad():
                for p in ps:
                    p -= 0.01 * p.grad
                    p.grad = None
            return loss

        out = {"eager_first3": [t for t in timed(lambda: step().item(), 3, warmup=0)]}
        out["eager"] = med(timed(lambda: step().item(), 30, warmup=2))
        if lib.__name__ == "torchlike_jax":
            cstep = lib.compile(step)
            out["compiled_first"] = timed(lambda: cstep().item(), 1, warmup=0)[0]
            out["compiled"] = med(timed(lambda: cstep().item(), 30, warmup=2))
        return out

    def w3():
        ps = mlp_params([784, 256, 256, 10])
        out = {}
        for b in (64, 1024):
            x, _ = batch(b)
            with lib.no_grad():
                out[f"eager_b{b}"] = med(timed(lambda x=x: sync(mlp_forward(ps, x)), 30, 2))
                if lib.__name__ == "torchlike_jax":
                    cf = lib.compile(mlp_forward)
                    out[f"compiled_b{b}"] = med(timed(lambda x=x, cf=cf: sync(cf(ps, x)), 30, 2))
        return out

    def chain(x, n=200):
        for i in range(n):
            k = i % 4
            if k == 0:
                x = x * 1.01
            elif k == 1:
                x = x + 0.1
            elif k == 2:
                x = x.sin()
            else:
                x = x.tanh()
        return x

    def w4():
        out = {}
        with lib.no_grad():
            x = lib.ones(16, device=device)
            out["nograd_per_op"] = med(timed(lambda: sync(chain(x)), 15, 2)) / 200

        def fb():
            x0 = lib.ones(16, requires_grad=True, device=device)
            chain(x0).sum().backward()
            return x0.grad.sum().item()

        out["grad_fwd_bwd"] = med(timed(fb, 15, 3))
        return out

    def w5(mode: str):
        n_layers, width, b = (8, 512, 128) if QUICK else (50, 2048, 512)
        rng = np.random.default_rng(0)
        ws = [lib.tensor(rng.normal(0, width ** -0.5, (width, width)).astype(np.float32),
                         requires_grad=(mode == "grad"), device=device) for _ in range(n_layers)]
        x = lib.tensor(rng.normal(size=(b, width)).astype(np.float32), device=device)
        sync(x)
        base = current_rss()
        if mode == "grad":
            h = x
            for w in ws:
                h = (h @ w).tanh()
            sync(h)
        else:
            with lib.no_grad():
                h = x
                for w in ws:
                    h = (h @ w).tanh()
                sync(h)
        return {f"peak_{mode}": max(peak_rss() - base, current_rss() - base)}

    return {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5grad": lambda: w5("grad"),
            "W5nograd": lambda: w5("nograd")}


# ---- hand-written raw JAX ---------------------------------------------------------------------
def raw_jax(device: str):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    dev = jax.devices("gpu" if device == "cuda" else "cpu")[0]

    def put(a):
        return jax.device_put(jnp.asarray(a), dev)

    def w1(n=1000):
        out = {}
        x = put(np.float32(1.0))

        def loop(x):
            for _ in range(n):
                x = x + 1
            return x

        out["nograd_eager"] = med(timed(lambda: loop(x).block_until_ready(), 7))
        jl = jax.jit(loop)
        out["compiled"] = med(timed(lambda: jl(x).block_until_ready(), 7, warmup=1))
        g = jax.jit(jax.grad(lambda x: loop(x)))
        t0 = time.perf_counter()
        g(x).block_until_ready()
        out["grad_first"] = time.perf_counter() - t0
        out["grad_steady"] = med(timed(lambda: g(x).block_until_ready(), 7))
        return out

    def params(sizes, seed=0):
        rng = np.random.default_rng(seed)
        ps = []
        for i, o in zip(sizes[:-1], sizes[1:], strict=True):
            ps += [put(rng.normal(0, (2.0 / i) ** 0.5, (i, o)).astype(np.float32)),
                   put(np.zeros(o, np.float32))]
        return ps

    def fwd(ps, x):
        h = x
        for k in range(0, len(ps), 2):
            h = h @ ps[k] + ps[k + 1]
            if k < len(ps) - 2:
                h = jax.nn.relu(h)
        return h

    def batch(b, seed=1):
        rng = np.random.default_rng(seed)
        x = put(rng.normal(size=(b, 784)).astype(np.float32))
        onehot = put(np.eye(10, dtype=np.float32)[rng.integers(0, 10, b)])
        return x, onehot

    def loss_fn(ps, x, onehot):
        logits = fwd(ps, x)
        m = jnp.max(logits, axis=1, keepdims=True)
        lse = jnp.log(jnp.sum(jnp.exp(logits - m), axis=1, keepdims=True)) + m
        return -jnp.sum((logits - lse) * onehot) / logits.shape[0]

    def w2():
        ps = params([784, 256, 256, 10])
        x, onehot = batch(64)

        @jax.jit
        def step(ps):
            loss, g = jax.value_and_grad(loss_fn)(ps, x, onehot)
            return loss, [p - 0.01 * gi for p, gi in zip(ps, g, strict=True)]

        state = {"p": ps}

        def run():
            loss, state["p"] = step(state["p"])
            return float(loss)

        return {"compiled": med(timed(run, 30, 2))}

    def w3():
        ps = params([784, 256, 256, 10])
        jf = jax.jit(fwd)
        out = {}
        for b in (64, 1024):
            x, _ = batch(b)
            out[f"eager_b{b}"] = med(timed(lambda x=x: fwd(ps, x).block_until_ready(), 30, 2))
            out[f"compiled_b{b}"] = med(timed(lambda x=x: jf(ps, x).block_until_ready(), 30, 2))
        return out

    def w4():
        x = put(np.ones(16, np.float32))
        add = jax.jit(lambda a, b: a + b)
        one = put(np.float32(1.0))
        per_call = med(timed(lambda: [add(x, one) for _ in range(200)][-1].block_until_ready(),
                             15, 2)) / 200
        return {"jit_call": per_call}

    def w5(mode: str):
        n_layers, width, b = (8, 512, 128) if QUICK else (50, 2048, 512)
        rng = np.random.default_rng(0)
        ws = [put(rng.normal(0, width ** -0.5, (width, width)).astype(np.float32))
              for _ in range(n_layers)]
        x = put(rng.normal(size=(b, width)).astype(np.float32))
        x.block_until_ready()
        base = current_rss()

        def f(ws):
            h = x
            for w in ws:
                h = jnp.tanh(h @ w)
            return h

        if mode == "grad":
            out, _vjp = jax.vjp(f, ws)  # keeps the residuals alive, as a graph would
        else:
            out = f(ws)
        out.block_until_ready()
        return {f"peak_{mode}": max(peak_rss() - base, current_rss() - base)}

    return {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5grad": lambda: w5("grad"),
            "W5nograd": lambda: w5("nograd")}


def main() -> None:
    global QUICK
    ap = argparse.ArgumentParser()
    ap.add_argument("impl", choices=["ours", "torch", "jax"])
    ap.add_argument("workload")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args()
    QUICK = a.quick
    if a.impl == "jax":
        table = raw_jax(a.device)
    else:
        if a.impl == "ours":
            import torchlike_jax as lib
        else:
            import torch as lib

            lib.set_num_threads(max(1, lib.get_num_threads()))
        table = facade(lib, a.device)
    print(json.dumps(table[a.workload]()))


if __name__ == "__main__":
    main()
