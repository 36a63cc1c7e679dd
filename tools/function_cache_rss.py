"""RSS growth of custom ``autograd.Function`` calls whose non-tensor argument changes per call.

Run: ``python tools/function_cache_rss.py [calls]``. Prints the resident-set growth of
``calls`` forward+backward steps of ``MyScale.apply(x, 0.1 * i)`` (a new Python float every
call) and of ``WithList.apply(x, [1.0, 2.0])`` (a constant list argument), after a short warm-up,
plus the sizes of the engine's and function.py's caches. No torch needed.
"""

from __future__ import annotations

import gc
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # this checkout

import torchlike_jax as tj  # noqa: E402
from torchlike_jax.autograd import engine, function  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class MyScale(tj.autograd.Function):
    @staticmethod
    def forward(ctx, x, k):
        ctx.k = k
        return x * k

    @staticmethod
    def backward(ctx, g):
        return g * ctx.k, None


class WithList(tj.autograd.Function):
    @staticmethod
    def forward(ctx, x, ws):
        ctx.ws = ws
        return x * ws[0] + ws[1]

    @staticmethod
    def backward(ctx, g):
        return g * ctx.ws[0], None


def caches() -> dict:
    sizes = {name: len(getattr(engine, name)) for name in
             ("_vjp_cache", "_bwd_cache", "_fwd_cache") if hasattr(engine, name)}
    sizes["structures"] = engine.policy.structures_cached()
    if hasattr(function, "_fn_cache"):
        sizes["function._fn_cache"] = len(function._fn_cache)
    return sizes


def run(label: str, step, calls: int) -> None:
    for i in range(20):  # warm-up: op jits, per-node vjps
        step(i)
    gc.collect()
    before = rss_mib()
    for i in range(calls):
        step(i)
    gc.collect()
    after = rss_mib()
    print(f"{label}: {calls} calls (package at {os.path.dirname(tj.__file__)}),\n  "
          f"RSS {before:.0f} -> {after:.0f} MiB "
          f"(+{after - before:.1f} MiB); caches {caches()}")


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    x = tj.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def scale(i):
        x.grad = None
        MyScale.apply(x, 0.1 * i).sum().backward()

    def with_list(i):
        x.grad = None
        WithList.apply(x, [1.0, 2.0]).sum().backward()

    run("MyScale.apply(x, 0.1 * i)", scale, calls)
    run("WithList.apply(x, [1.0, 2.0])", with_list, calls)


if __name__ == "__main__":
    main()
