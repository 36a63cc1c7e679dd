"""Time a recurrent layer's forward + backward for torchlike_jax and torch.

Usage: ``OMP_NUM_THREADS=1 PYTHONPATH=. python tools/rnn_step_cost.py`` (torch at its best on
this VM; run it also without the variable to see torch's 2-thread number). The workload is the
one in the brief: a 1-layer ``LSTM(32, 64)`` on a (50, 8, 32) sequence, plus a GRU and a
2-layer bidirectional LSTM. Prints the median of ``n`` steps after a warm-up (compiles excluded;
the first-call compile time is printed separately).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import torchlike_jax as tj

try:
    import torch as real
except ImportError:  # pragma: no cover
    real = None

CASES = {
    "LSTM(32, 64)": lambda T: T.nn.LSTM(32, 64),
    "GRU(32, 64)": lambda T: T.nn.GRU(32, 64),
    "LSTM(32, 64, 2 layers, bidi)": lambda T: T.nn.LSTM(32, 64, num_layers=2,
                                                        bidirectional=True),
}


def bench(lib, make, n: int = 30) -> tuple[float, float]:
    """(first call seconds, median step milliseconds) of forward + backward."""
    m = make(lib)
    x = lib.tensor(np.random.default_rng(0).standard_normal((50, 8, 32)).astype(np.float32),
                   requires_grad=True)

    def step():
        out, _ = m(x)
        out.sum().backward()
        _ = float(x.grad.sum())  # wait for the result

    t = time.perf_counter()
    step()
    first = time.perf_counter() - t
    for _ in range(3):
        step()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times) * 1e3


def main() -> None:
    for name, make in CASES.items():
        first, ours = bench(tj, make)
        line = f"{name:32s} ours {ours:7.2f} ms/step (first call {first:5.2f} s)"
        if real is not None:
            _, theirs = bench(real, make)
            line += f"   torch {theirs:7.2f} ms/step   ratio {ours / theirs:4.2f}"
        print(line)


if __name__ == "__main__":
    main()
