"""Time one ``optimizer.step()`` (gradients already set) for torchlike_jax and torch.

Usage: ``OMP_NUM_THREADS=1 python tools/optim_step_cost.py`` (torch at its best on this VM).
Parameters of a 784-256-10 MLP (4 tensors, ~200k floats) and of a 20-tensor toy model.
"""

from __future__ import annotations

import time

import numpy as np

import torchlike_jax as tj

try:
    import torch as real
except ImportError:  # pragma: no cover
    real = None

SHAPES = {"mlp": [(784, 256), (256,), (256, 10), (10,)],
          "20 small": [(32, 32), (32,)] * 10}
CASES = [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 1e-3}),
         ("AdamW", {"lr": 1e-3, "amsgrad": True}), ("RMSprop", {"lr": 1e-3}),
         ("Adagrad", {"lr": 1e-2})]


def bench(lib, shapes, name, kw, n=200):
    rng = np.random.default_rng(0)
    ps = [lib.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
          for s in shapes]
    for p in ps:
        p.grad = lib.tensor(rng.standard_normal(p.shape).astype(np.float32))
    opt = getattr(lib.optim, name)(ps, **kw)
    for _ in range(5):
        opt.step()
    if lib is tj:
        ps[0]._st.array.block_until_ready()
    best = []
    for _ in range(3):
        t0 = time.perf_counter()
        for i in range(n):
            opt.param_groups[0]["lr"] = kw["lr"] * (1 + 1e-3 * i)  # a new value every step
            opt.step()
        if lib is tj:
            ps[0]._st.array.block_until_ready()
        best.append((time.perf_counter() - t0) / n)
    return min(best) * 1e6


def main():
    for label, shapes in SHAPES.items():
        for name, kw in CASES:
            ours = bench(tj, shapes, name, kw)
            line = f"{label:9s} {name:8s} torchlike_jax {ours:8.1f} us/step"
            if real is not None:
                theirs = bench(real, shapes, name, kw)
                line += f"   torch {theirs:8.1f} us/step   ratio {ours / theirs:5.2f}"
            print(line, flush=True)


if __name__ == "__main__":
    main()
