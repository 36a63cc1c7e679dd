"""Time a recurrent layer's forward + backward for torchlike_jax and torch.

Usage: ``OMP_NUM_THREADS=1 PYTHONPATH=. python tools/rnn_step_cost.py`` (torch at its best on
this VM; run it also without the variable to see torch's 2-thread number). The workload is the
one in the brief: a 1-layer ``LSTM(32, 64)`` on a (50, 8, 32) sequence, plus a GRU and a
2-layer bidirectional LSTM. Prints the fastest and the median of ``n`` steps after a warm-up
(compiles excluded; the first call, which compiles, is printed separately). On the shared VM the
fastest step is the stable number: medians move with the other jobs' load.
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


def bench(lib, make, n: int = 30) -> tuple[float, float, float]:
    """(first call s, fastest step ms, median step ms) of forward + backward."""
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
    return first, min(times) * 1e3, statistics.median(times) * 1e3


def main() -> None:
    for name, make in CASES.items():
        first, ours, ours_med = bench(tj, make)
        line = (f"{name:30s} ours {ours:6.2f} (median {ours_med:6.2f}) ms, first call "
                f"{first:5.2f} s")
        if real is not None:
            _, theirs, theirs_med = bench(real, make)
            line += (f" | torch {theirs:6.2f} (median {theirs_med:6.2f}) ms | fastest ratio "
                     f"{ours / theirs:4.2f}")
        print(line)


if __name__ == "__main__":
    main()
