"""Benchmark workloads W1–W10, one implementation per process (run by ``benchmarks/run.py``).

Usage: python benchmarks/workloads.py IMPL WORKLOAD [--device cpu|cuda] [--quick] [--threads N]
IMPL is ``ours`` (torchlike_jax), ``torch`` (PyTorch eager) or ``jax`` (hand-written raw JAX).
Prints one JSON object of measurements (seconds, bytes, counts) on the last line of stdout.
``--threads N`` calls ``torch.set_num_threads(N)`` for IMPL ``torch`` (run.py probes the best N).
Raw JAX implements W1–W5 and W10 only; W6–W9 and W1pcache exercise the torch API's eager
execution.

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


def reset_peak() -> bool:
    """Reset the kernel's RSS high-water mark (Linux ``clear_refs``); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_since_reset() -> int:
    """RSS high-water mark since the last :func:`reset_peak` (process peak where none)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return peak_rss()


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

    ours = lib.__name__ == "torchlike_jax"

    def op_misses() -> tuple[int, int]:
        """(op_jit misses, misses summed over every cache) so far; (0, 0) for torch."""
        if not ours:
            return 0, 0
        info = lib.backends.cache_info()
        return info["op_jit"].misses, sum(c.misses for c in info.values())

    def w6adam():
        """Hand-written Adam on a small MLP: fwd, bwd, in-place moment updates under no_grad."""
        steps = 300 if QUICK else 3000
        ps = mlp_params([64, 128, 10])
        rng = np.random.default_rng(1)
        x = lib.tensor(rng.normal(size=(32, 64)).astype(np.float32), device=device)
        onehot = lib.tensor(np.eye(10, dtype=np.float32)[rng.integers(0, 10, 32)],
                            device=device)
        ms = [lib.zeros_like(p) for p in ps]
        vs = [lib.zeros_like(p) for p in ps]
        lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8
        out = {}
        losses = []
        t0 = time.perf_counter()
        for step in range(1, steps + 1):
            loss = cross_entropy(mlp_forward(ps, x), onehot)
            loss.backward()
            bc1 = 1.0 - b1 ** step
            bc2 = 1.0 - b2 ** step
            step_size = lr / bc1
            bc2_sqrt = bc2 ** 0.5
            with lib.no_grad():
                for p, m, v in zip(ps, ms, vs, strict=True):
                    g = p.grad
                    m.mul_(b1).add_(g, alpha=1 - b1)
                    v.mul_(b2).addcmul_(g, g, value=1 - b2)
                    denom = (v.sqrt() / bc2_sqrt).add_(eps)
                    p.addcdiv_(m, denom, value=-step_size)
                    p.grad = None
            if step % 100 == 0 or step == 2:  # logging: the loop's only syncs
                losses.append(loss.item())
            if step == 2 and ours:
                out["op_jit_misses_step2"], all2 = op_misses()
            if step == 100:
                out["rss_warm"] = current_rss()
                t_warm = time.perf_counter()
        losses.append(loss.item())
        t_end = time.perf_counter()
        out["total"] = t_end - t0
        out["steady_step"] = (t_end - t_warm) / (steps - 100)
        out["rss_end"] = current_rss()
        out["rss_growth"] = out["rss_end"] - out["rss_warm"]
        out["loss_first"], out["loss_last"] = losses[0], losses[-1]
        if ours:
            jit_end, all_end = op_misses()
            out["op_jit_new_after_step2"] = jit_end - out["op_jit_misses_step2"]
            out["all_cache_misses_after_step2"] = all_end - all2
        return out

    class ScaledReLU(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x.clamp(min=0) * scale

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * (x > 0).to(grad.dtype) * ctx.scale, None

    def w7customfn():
        """A custom autograd.Function whose Python-float argument changes on every call."""
        iters = 200 if QUICK else 1000
        warm = iters // 10
        rng = np.random.default_rng(0)
        x = lib.tensor(rng.normal(size=(256,)).astype(np.float32), requires_grad=True,
                       device=device)
        out = {}
        t0 = time.perf_counter()
        for i in range(iters):
            y = ScaledReLU.apply(x * 2.0, 0.1 + 0.001 * i)
            y.sum().backward()
            if i % 100 == 99 or i == warm - 1:
                x.grad.sum().item()
            if i == warm - 1:
                out["rss_warm"] = current_rss()
                all_warm = op_misses()[1]
                t_warm = time.perf_counter()
            x.grad = None
        t_end = time.perf_counter()
        out["total"] = t_end - t0
        out["steady_iter"] = (t_end - t_warm) / (iters - warm)
        out["rss_growth"] = current_rss() - out["rss_warm"]
        if ours:
            out["all_cache_misses_after_warm"] = op_misses()[1] - all_warm
        return out

    def w8chain():
        """Chains of 2,000 and 8,000 ops, each built and differentiated three times."""
        out = {}
        base = current_rss()
        for n in (2000, 8000):
            bwd, build = [], []
            reset_peak()
            for _ in range(3):
                x = lib.ones(16, requires_grad=True, device=device)
                t0 = time.perf_counter()
                y = x
                for _ in range(n // 2):
                    y = y * 1.0001 + 0.5
                loss = y.sum()
                build.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                loss.backward()
                x.grad.sum().item()
                bwd.append(time.perf_counter() - t0)
                del x, y, loss
            out[f"build_{n}"] = build
            out[f"bwd_{n}"] = bwd
            out[f"bwd_{n}_first"] = bwd[0]
            out[f"bwd_{n}_worst_later"] = max(bwd[1:])
            out[f"peak_extra_{n}"] = max(0, peak_since_reset() - base)
        out["rss_end_extra"] = current_rss() - base
        return out

    def w9shapes():
        """Eager no_grad MLP forward over 50 distinct batch shapes, cycled."""
        cycles = 5 if QUICK else 20
        ps = mlp_params([256, 256, 10])
        rng = np.random.default_rng(2)
        xs = [lib.tensor(rng.normal(size=(8 + 4 * k, 256)).astype(np.float32), device=device)
              for k in range(50)]
        base = current_rss()
        out = {}
        per_cycle = []
        with lib.no_grad():
            for c in range(cycles):
                ts = []
                tc = time.perf_counter()
                for x in xs:
                    t0 = time.perf_counter()
                    sync(mlp_forward(ps, x))
                    ts.append(time.perf_counter() - t0)
                per_cycle.append(time.perf_counter() - tc)
                if c == 0:
                    out["first_pass"] = per_cycle[0]
                last = ts
        out["steady_step"] = med(last)
        out["cycle_times"] = per_cycle
        out["rss_end"] = current_rss()
        out["rss_growth"] = out["rss_end"] - base
        return out

    def nn_model(kind: str):
        nn = lib.nn
        lib.manual_seed(0)
        if kind == "mlp":
            return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Linear(16 * 14 * 14, 10))

    def w10(kind: str):
        """One nn training step with Adam (torch.nn + torch.optim): a 784-256-10 MLP or a
        Conv2d-ReLU-MaxPool-Linear CNN on 1x28x28, batch 64; the loss is read every step."""
        model = nn_model(kind)
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        crit = lib.nn.CrossEntropyLoss()
        rng = np.random.default_rng(3)
        shape = (64, 784) if kind == "mlp" else (64, 1, 28, 28)
        x = lib.tensor(rng.normal(size=shape).astype(np.float32), device=device)
        y = lib.tensor(rng.integers(0, 10, 64), device=device)

        def step():
            opt.zero_grad()
            loss = crit(model(x), y)
            loss.backward()
            opt.step()
            return loss

        reps = 10 if QUICK else 50
        out = {"eager_first": timed(lambda: step().item(), 1, warmup=0)[0]}
        out["eager"] = med(timed(lambda: step().item(), reps, warmup=3))
        if ours:
            cstep = lib.compile(step)
            t0 = time.perf_counter()
            for _ in range(2):  # the second call traces again, with the optimizer state
                cstep().item()
            out["compiled_first2"] = time.perf_counter() - t0
            out["compiled"] = med(timed(lambda: cstep().item(), reps, warmup=3))
            out["compiled_traces"] = cstep._traces
        return out

    return {"W1": w1, "W1pcache": w1, "W2": w2, "W3": w3, "W4": w4,
            "W5grad": lambda: w5("grad"), "W5nograd": lambda: w5("nograd"), "W6adam": w6adam,
            "W7customfn": w7customfn, "W8chain": w8chain, "W9shapes": w9shapes,
            "W10mlp": lambda: w10("mlp"), "W10cnn": lambda: w10("cnn")}


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

    def w10(kind: str):
        """W10 by hand: ``jax.jit`` of loss, ``jax.value_and_grad`` and Adam's update (torch's
        formula) over the parameter pytree; the loss is read every step."""
        rng = np.random.default_rng(0)

        def uniform(shape, fan_in):
            b = fan_in ** -0.5
            return put(rng.uniform(-b, b, shape).astype(np.float32))

        if kind == "mlp":
            ps = {"w1": uniform((784, 256), 784), "b1": uniform((256,), 784),
                  "w2": uniform((256, 10), 256), "b2": uniform((10,), 256)}

            def forward(ps, x):
                return jax.nn.relu(x @ ps["w1"] + ps["b1"]) @ ps["w2"] + ps["b2"]
        else:
            ps = {"k": uniform((16, 1, 3, 3), 9), "kb": uniform((16,), 9),
                  "w": uniform((16 * 14 * 14, 10), 16 * 14 * 14),
                  "b": uniform((10,), 16 * 14 * 14)}

            def forward(ps, x):
                h = jax.lax.conv_general_dilated(x, ps["k"], (1, 1), ((1, 1), (1, 1)))
                h = jax.nn.relu(h + ps["kb"][None, :, None, None])
                h = jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2),
                                          "VALID")
                return h.reshape(h.shape[0], -1) @ ps["w"] + ps["b"]

        rng2 = np.random.default_rng(3)
        shape = (64, 784) if kind == "mlp" else (64, 1, 28, 28)
        x = put(rng2.normal(size=shape).astype(np.float32))
        y = put(rng2.integers(0, 10, 64))

        def loss_fn(ps):
            logits = forward(ps, x)
            logp = jax.nn.log_softmax(logits, axis=1)
            return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

        lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-8

        @jax.jit
        def step(ps, m, v, t):
            loss, g = jax.value_and_grad(loss_fn)(ps)
            t = t + 1
            m = jax.tree_util.tree_map(lambda m, g: b1 * m + (1 - b1) * g, m, g)
            v = jax.tree_util.tree_map(lambda v, g: b2 * v + (1 - b2) * g * g, v, g)
            bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
            ps = jax.tree_util.tree_map(
                lambda p, m, v: p - (lr / bc1) * m / (jnp.sqrt(v) / jnp.sqrt(bc2) + eps),
                ps, m, v)
            return loss, ps, m, v, t

        zeros = jax.tree_util.tree_map(jnp.zeros_like, ps)
        state = {"s": (ps, zeros, zeros, put(np.float32(0.0)))}

        def run():
            loss, *state["s"] = step(*state["s"])
            return float(loss)

        reps = 10 if QUICK else 50
        return {"compiled": med(timed(run, reps, 3))}

    return {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5grad": lambda: w5("grad"),
            "W5nograd": lambda: w5("nograd"), "W10mlp": lambda: w10("mlp"),
            "W10cnn": lambda: w10("cnn")}


def main() -> None:
    global QUICK
    ap = argparse.ArgumentParser()
    ap.add_argument("impl", choices=["ours", "torch", "jax"])
    ap.add_argument("workload")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads(N) for IMPL torch (0: leave torch's default)")
    a = ap.parse_args()
    QUICK = a.quick
    if a.impl == "jax":
        table = raw_jax(a.device)
    else:
        if a.impl == "ours":
            import torchlike_jax as lib
        else:
            import torch as lib

            if a.threads > 0:
                lib.set_num_threads(a.threads)
        table = facade(lib, a.device)
    if a.workload not in table:
        raise SystemExit(f"workload {a.workload!r} is not implemented for {a.impl}")
    result = table[a.workload]()
    if a.impl == "torch":
        result["threads"] = lib.get_num_threads()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
