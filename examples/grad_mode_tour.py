"""A tour of grad mode, written as a PyTorch user would learn it.

Run: python examples/grad_mode_tour.py
Every value printed is computed here; every timing and memory figure is measured on this machine.
Swap the import for ``import torch`` and the first part prints the same text.
"""

import gc
import time
import tracemalloc
import warnings

import jax

import torchlike_jax as torch
from torchlike_jax.autograd import engine


def section(title: str) -> None:
    print(f"\n=== {title} ===")


section("1. Grad mode is on by default")
print("torch.is_grad_enabled():", torch.is_grad_enabled())

section("2. A leaf that requires grad, and an op on it")
x = torch.tensor(2.0, requires_grad=True)
y = x * x
print("x =", x)
print("y = x * x =", y)
print("x.is_leaf:", x.is_leaf, "| y.is_leaf:", y.is_leaf)
print("y.grad_fn:", y.grad_fn.name(), "| its inputs:",
      [type(f).__name__ if f is not None else None for f, _ in y.grad_fn.next_functions])

section("3. The same op under no_grad records nothing")
with torch.no_grad():
    z = y + 1
print("inside no_grad, z = y + 1 =", z)
print("z.requires_grad:", z.requires_grad, "| z.grad_fn:", z.grad_fn)

section("4. backward() fills .grad on leaves only")
y.backward()
print("after y.backward(): x.grad =", x.grad, "(dy/dx = 2x = 4)")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    print("y.grad =", y.grad)
for w in caught:
    print(f"  {w.category.__name__}: {str(w.message)[:92]}...")
print("z.grad =", z.grad, "(z is a leaf that does not require grad)")
print("requires_grad: x", x.requires_grad, "| y", y.requires_grad, "| z", z.requires_grad)

section("5. Gradients accumulate until you zero them")
(x * 3).backward()
print("after (x * 3).backward(): x.grad =", x.grad, "(4 + 3)")
x.grad.zero_()
print("after x.grad.zero_():", x.grad)

section("6. set_grad_enabled and enable_grad inside no_grad")
torch.set_grad_enabled(False)
print("after set_grad_enabled(False):", torch.is_grad_enabled(), "->", x * 2)
torch.set_grad_enabled(True)
with torch.no_grad():
    with torch.enable_grad():
        inner = x * 2
    outer = x * 2
print("enable_grad inside no_grad:", inner)
print("back in no_grad:          ", outer)
with torch.set_grad_enabled(False):
    print("set_grad_enabled(False) as a context:", torch.is_grad_enabled())
print("restored:", torch.is_grad_enabled(), "| snapshot:", torch.autograd.get_grad_mode())

section("7. Manual SGD under no_grad")
w = torch.tensor([0.0, 0.0], requires_grad=True)
data = torch.tensor([[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
target = torch.tensor([5.0, 4.0, 9.0])
for step in range(3):
    loss = ((data @ w - target) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.05 * w.grad
    w.grad = None
    print(f"step {step}: loss = {loss.item():.4f}, w = {w}")


def chain(steps: int) -> tuple:
    x0 = torch.tensor(1.0, requires_grad=torch.is_grad_enabled())
    x = x0
    t0 = time.perf_counter()
    for _ in range(steps):
        x = x + 1
    jax.block_until_ready(x._array)
    forward = time.perf_counter() - t0
    return x0, x, forward


def live_jax_bytes() -> int:
    return sum(a.nbytes for a in jax.live_arrays())


section("8. The seed loop: x = x + 1, 1000 times (measured here)")
N = 1000
engine.clear_caches()
for label, mode in (("grad on ", True), ("grad off", False)):
    with torch.set_grad_enabled(mode):
        fwd_us, bwd_ms, paths = [], [], []
        for _ in range(6 if mode else 3):  # timing runs: nothing else instrumented
            x0, x, fwd = chain(N)
            fwd_us.append(fwd / N * 1e6)
            if mode:
                fused = engine.policy.stats["fused_runs"]
                t0 = time.perf_counter()
                x.backward()
                bwd_ms.append((time.perf_counter() - t0) * 1e3)
                ran_fused = engine.policy.stats["fused_runs"] > fused
                paths.append("compiled" if ran_fused else "per node")
                assert x0.grad.item() == 1.0
            del x0, x
        gc.collect()  # one more run, measuring memory only
        base = live_jax_bytes()
        tracemalloc.start()
        x0, x, _ = chain(N)
        py_now = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        held = live_jax_bytes() - base
        del x0, x
    note = " (incl. compiling `add`)" if mode else ""
    print(f"{label}: forward {fwd_us[0]:5.1f} µs/op first run{note}, "
          f"{min(fwd_us[1:]):5.1f} µs/op later;\n          heap growth while the result lives: "
          f"{py_now / 1024:7.1f} KiB Python heap + {held / 1024:5.1f} KiB JAX buffers")
    if mode:
        print(f"          backward: {bwd_ms[0]:.1f} ms first (per-node vjps incl. compiling "
              "the add vjp), then "
              + ", ".join(f"{t:.1f} ms ({p})" for t, p in zip(bwd_ms[1:], paths[1:], strict=True)))
        print("          (segments of 96 nodes run per node until the time spent on them pays "
              "for a compile, which then runs in the background: ski rental)")


def loop(x):
    for _ in range(N):
        x = x + 1
    return x


compiled_loop = torch.compile(loop)
with torch.no_grad():
    x = torch.tensor(1.0)
    t0 = time.perf_counter()
    compiled_loop(x).item()
    first = time.perf_counter() - t0
    later = []
    for _ in range(5):
        t0 = time.perf_counter()
        value = compiled_loop(x).item()
        later.append(time.perf_counter() - t0)
print(f"compiled: first call {first * 1e3:.1f} ms (trace + XLA compile), then "
      f"{min(later) * 1e6:.0f} µs per call for all {N} adds (one XLA program); result {value}")
print(f"engine counters: {engine.policy.stats}")
