"""Run W1–W10 for torchlike_jax, PyTorch eager and raw JAX; print ratios; write docs/performance.md
(and the grad-mode guide's figures, docs/guide/grad_mode_figures.md).

Usage: python benchmarks/run.py [--device cuda] [--quick] [--no-write] [--torch-threads N]
                                [--only W10mlp,W10cnn]

``--only`` runs the named workloads alone and prints their rows; it never writes the page or
results.json (a partial run would drop every other row).

Every (implementation, workload) pair runs in a fresh Python process (workloads.py), so memory
peaks and first-run costs are not polluted by earlier work. Timings are medians over repeats
inside each process; all three implementations run in the same invocation, side by side, and
the report states ratios. PyTorch is optional (its columns become "n/a").

PyTorch runs at its best thread setting: a quick probe (a 64×784×256 matmul, torch's default
thread count against one thread) picks the faster, and every torch process gets it
(``--threads``); ``--torch-threads N`` skips the probe. Every torchlike_jax process gets its own
empty persistent compilation cache (``TORCHLIKE_JAX_CACHE_DIR``), so "cold" means cold whatever
earlier runs left in the user's cache, except W1pcache, which reuses the directory W1's process
just filled: a second process starting with a warm persistent cache.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = ["W1", "W1pcache", "W2", "W3", "W4", "W5grad", "W5nograd", "W6adam", "W7customfn",
             "W8chain", "W9shapes", "W10mlp", "W10cnn"]
#: workloads with a hand-written raw JAX version (the others measure the torch API's execution)
JAX_WORKLOADS = {"W1", "W2", "W3", "W4", "W5grad", "W5nograd", "W10mlp", "W10cnn"}
#: the workload whose persistent compilation cache a later one starts from
PCACHE_FROM = {"W1pcache": "W1"}
TIMEOUT_S = 3600

THREAD_PROBE = r"""
import json, statistics, time
import torch
a, b = torch.randn(64, 784), torch.randn(784, 256)
default = torch.get_num_threads()
def run(n):
    torch.set_num_threads(n)
    for _ in range(3):
        a @ b
    ts = []
    for _ in range(20):
        t0 = time.perf_counter()
        a @ b
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)
best = {default: [], 1: []}
for _ in range(5):
    for n in best:
        best[n].append(run(n))
med = {n: statistics.median(ts) for n, ts in best.items()}
print(json.dumps({"default": default, "default_s": med[default], "one_s": med[1]}))
"""


def probe_torch_threads() -> dict | None:
    """Time a 64×784×256 matmul with torch's default thread count and with one thread."""
    try:
        proc = subprocess.run([sys.executable, "-c", THREAD_PROBE], capture_output=True,
                              text=True, cwd=ROOT, timeout=300)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        return None
    p = json.loads(proc.stdout.strip().splitlines()[-1])
    p["threads"] = 1 if p["one_s"] <= p["default_s"] else p["default"]
    return p


def run_one(impl: str, workload: str, device: str, quick: bool, threads: int = 0,
            env: dict | None = None) -> dict | None:
    cmd = [sys.executable, os.path.join(HERE, "workloads.py"), impl, workload, "--device", device]
    if quick:
        cmd.append("--quick")
    if threads:
        cmd += ["--threads", str(threads)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT_S,
                              env={**os.environ, **(env or {})})
    except subprocess.TimeoutExpired:
        print(f"  {impl} {workload}: timed out after {TIMEOUT_S} s", file=sys.stderr)
        return None
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        print(f"  {impl} {workload}: failed ({tail[0]})", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def collect(device: str, quick: bool, torch_threads: int = 0,
            workloads: list[str] | None = None) -> dict:
    res: dict = {"ours": {}, "torch": {}, "jax": {}, "meta": {}}
    if torch_threads:
        res["meta"]["torch_threads"] = torch_threads
        res["meta"]["torch_threads_source"] = "--torch-threads"
    else:
        print("probing torch's thread setting ...", file=sys.stderr, flush=True)
        probe = probe_torch_threads()
        if probe is not None:
            torch_threads = probe["threads"]
            res["meta"].update({"torch_threads": torch_threads, "torch_threads_source": "probe",
                                "torch_default_threads": probe["default"],
                                "probe_default_s": probe["default_s"],
                                "probe_one_s": probe["one_s"]})
            print(f"  torch: {torch_threads} thread(s) (64x784x256 matmul: default "
                  f"{probe['default']} threads {probe['default_s'] * 1e6:.0f} µs, one thread "
                  f"{probe['one_s'] * 1e6:.0f} µs)", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="tlj-bench-cache-") as caches:
        for w in workloads or WORKLOADS:
            for impl in ("ours", "torch", "jax"):
                if impl == "jax" and w not in JAX_WORKLOADS:
                    continue
                print(f"running {w} / {impl} ...", file=sys.stderr, flush=True)
                env = None
                if impl == "ours":
                    env = {"TORCHLIKE_JAX_CACHE_DIR":
                           os.path.join(caches, PCACHE_FROM.get(w, w))}
                out = run_one(impl, w, device, quick,
                              threads=torch_threads if impl == "torch" else 0, env=env)
                if out is not None:
                    res[impl].update({f"{w}.{k}": v for k, v in out.items()})
    return res


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def targets(r: dict) -> list[tuple[str, str, float | None, str, bool | None, str]]:
    """(what, definition, measured, target text, met?, unit) — ratios of times (lower is better)
    unless stated; unit is "x" for a ratio, "MiB" for an amount of memory, "count" for a count."""
    o, t, j = r["ours"], r["torch"], r["jax"]
    rows = []

    def add(what, definition, value, target_text, ok, unit="x"):
        rows.append((what, definition, value, target_text, None if value is None else ok(value),
                     unit))

    v = ratio(o.get("W4.grad_fwd_bwd"), t.get("W4.grad_fwd_bwd"))
    add("W4 grad fwd+bwd, steady", "ours / torch eager (time)", v, "≤ 1.0", lambda x: x <= 1.0)
    v = ratio(o.get("W4.nograd_per_op"), j.get("W4.jit_call"))
    add("W4 no_grad per op", "ours / one cached jax.jit call", v, "≤ 1.3", lambda x: x <= 1.3)
    v = ratio(o.get("W1.grad_first"), t.get("W1.grad_first"))
    add("W1 grad fwd+bwd, first run", "ours / torch eager (time), ops warm", v, "≤ 3",
        lambda x: x <= 3)
    v = ratio(o.get("W1.grad_first_cold"), t.get("W1.grad_first_cold"))
    add("W1 grad fwd+bwd, cold process", "ours / torch eager (time), incl. op compiles", v,
        "(≤ 3)", lambda x: x <= 3)
    v = ratio(t.get("W2.eager"), o.get("W2.eager"))
    add("W2 eager step", "ours / torch eager (steps/s)", v, "≥ 0.8", lambda x: x >= 0.8)
    v = ratio(j.get("W2.compiled"), o.get("W2.compiled"))
    add("W2 compiled step vs raw JAX", "ours / raw jax.jit (steps/s)", v, "≥ 0.9",
        lambda x: x >= 0.9)
    v = ratio(t.get("W2.eager"), o.get("W2.compiled"))
    add("W2 compiled step vs torch", "ours / torch eager (steps/s)", v, "≥ 1.5",
        lambda x: x >= 1.5)
    for b in (64, 1024):
        v = ratio(j.get(f"W3.compiled_b{b}"), o.get(f"W3.compiled_b{b}"))
        add(f"W3 compiled inference b{b}", "ours / raw jax.jit (throughput)", v, "≥ 0.95",
            lambda x: x >= 0.95)
    v = ratio(o.get("W5grad.peak_grad"), o.get("W5nograd.peak_nograd"))
    add("W5 grad-mode forward peak", "ours grad / ours no_grad (memory)", v, "≤ 1.5",
        lambda x: x <= 1.5)
    v = ratio(t.get("W5grad.peak_grad"), t.get("W5nograd.peak_nograd"))
    add("W5 (reference) torch", "torch grad / torch no_grad (memory)", v, "(~17)",
        lambda x: True)
    v = ratio(o.get("W1pcache.grad_first_cold"), t.get("W1pcache.grad_first_cold"))
    add("W1 grad fwd+bwd, cold process, warm persistent cache",
        "ours / torch eager (time), 2nd process sharing W1's compilation cache", v, "≤ 3",
        lambda x: x <= 3)
    v = ratio(o.get("W6adam.total"), t.get("W6adam.total"))
    add("W6 hand-written Adam loop", "ours / torch eager (total time)", v, "≤ 3",
        lambda x: x <= 3)
    add("W6 memory growth, step 100 → end", "ours (RSS growth)", o.get("W6adam.rss_growth"),
        "≤ 50 MiB", lambda x: x <= 50 * 2**20, "MiB")
    add("W6 new op compiles after step 2", "ours (op_jit misses)",
        o.get("W6adam.op_jit_new_after_step2"), "0", lambda x: x == 0, "count")
    v = ratio(o.get("W7customfn.total"), t.get("W7customfn.total"))
    add("W7 custom autograd.Function, float arg", "ours / torch eager (total time)", v, "≤ 5",
        lambda x: x <= 5)
    add("W7 memory growth after warm-up", "ours (RSS growth)", o.get("W7customfn.rss_growth"),
        "≤ 50 MiB", lambda x: x <= 50 * 2**20, "MiB")
    for n in (2000, 8000):
        v = ratio(o.get(f"W8chain.bwd_{n}_worst_later"), o.get(f"W8chain.bwd_{n}_first"))
        add(f"W8 repeated backward, {n}-op chain", "ours: slowest later / first (time)", v,
            "≤ 3", lambda x: x <= 3)
    add("W8 extra peak memory, 8000-op chain", "ours (peak RSS over start)",
        o.get("W8chain.peak_extra_8000"), "< 1024 MiB", lambda x: x < 2**30, "MiB")
    v = ratio(o.get("W8chain.peak_extra_8000"), t.get("W8chain.peak_extra_8000"))
    add("W8 extra peak memory vs torch, 8000-op chain", "ours / torch eager (memory)", v, "≤ 2",
        lambda x: x <= 2)
    v = ratio(o.get("W9shapes.steady_step"), t.get("W9shapes.steady_step"))
    add("W9 50 batch shapes, steady step", "ours / torch eager (time)", v, "≤ 3",
        lambda x: x <= 3)
    for w, name in (("W10mlp", "MLP"), ("W10cnn", "CNN")):
        v = ratio(o.get(f"{w}.eager"), t.get(f"{w}.eager"))
        add(f"W10 nn {name} train step (Adam), eager", "ours / torch eager (time)", v, "≤ 1.5",
            lambda x: x <= 1.5)
        v = ratio(o.get(f"{w}.compiled"), t.get(f"{w}.eager"))
        add(f"W10 nn {name} train step, whole step compiled", "ours / torch eager (time)", v,
            "≤ 1.0", lambda x: x <= 1.0)
        v = ratio(o.get(f"{w}.compiled"), j.get(f"{w}.compiled"))
        add(f"W10 nn {name} train step, compiled vs raw JAX", "ours / raw jax.jit step (time)",
            v, "≤ 1.1", lambda x: x <= 1.1)
    return rows


def fmt(v: float | None, unit: str = "ms") -> str:
    if v is None:
        return "n/a"
    if unit == "ms":
        return f"{v * 1e3:.3f}" if v < 0.01 else f"{v * 1e3:.1f}"
    if unit == "us":
        return f"{v * 1e6:.2f}"
    if unit == "s":
        return f"{v:.2f}"
    if unit == "MiB":
        return f"{v / 2**20:.0f}" if abs(v) >= 2**20 or v == 0 else f"{v / 2**20:.2f}"
    if unit == "count":
        return f"{v:.0f}"
    return f"{v:.2f}"


RAW_ROWS = [
    ("W1 no_grad eager loop (ms)", "W1.nograd_eager", "ms"),
    ("W1 grad fwd+bwd, cold process (ms)", "W1.grad_first_cold", "ms"),
    ("W1 grad fwd+bwd, first sighting, ops warm (ms)", "W1.grad_first", "ms"),
    ("W1 grad fwd+bwd, second sighting (ms)", "W1.grad_second", "ms"),
    ("W1 grad fwd+bwd, steady (ms)", "W1.grad_steady", "ms"),
    ("W1 compiled loop (ms)", "W1.compiled", "ms"),
    ("W2 eager train step (ms)", "W2.eager", "ms"),
    ("W2 compiled train step (ms)", "W2.compiled", "ms"),
    ("W3 eager inference b64 (ms)", "W3.eager_b64", "ms"),
    ("W3 compiled inference b64 (ms)", "W3.compiled_b64", "ms"),
    ("W3 eager inference b1024 (ms)", "W3.eager_b1024", "ms"),
    ("W3 compiled inference b1024 (ms)", "W3.compiled_b1024", "ms"),
    ("W4 no_grad per op (µs)", "W4.nograd_per_op", "us"),
    ("W4 one cached jax.jit call (µs)", "W4.jit_call", "us"),
    ("W4 grad fwd+bwd, 200 ops (ms)", "W4.grad_fwd_bwd", "ms"),
    ("W5 forward peak, graph alive (MiB)", "W5grad.peak_grad", "MiB"),
    ("W5 forward peak, no_grad (MiB)", "W5nograd.peak_nograd", "MiB"),
    ("W1 grad fwd+bwd, 2nd cold process, warm persistent cache (ms)",
     "W1pcache.grad_first_cold", "ms"),
    ("W6 Adam loop, total (s)", "W6adam.total", "s"),
    ("W6 Adam loop, steady step after step 100 (ms)", "W6adam.steady_step", "ms"),
    ("W6 RSS at step 100 (MiB)", "W6adam.rss_warm", "MiB"),
    ("W6 RSS growth, step 100 → end (MiB)", "W6adam.rss_growth", "MiB"),
    ("W6 new op compiles after step 2 (op_jit misses)", "W6adam.op_jit_new_after_step2", "count"),
    ("W6 cache misses after step 2, all caches", "W6adam.all_cache_misses_after_step2", "count"),
    ("W7 custom Function fwd+bwd loop, total (s)", "W7customfn.total", "s"),
    ("W7 steady iteration after warm-up (ms)", "W7customfn.steady_iter", "ms"),
    ("W7 RSS growth after warm-up (MiB)", "W7customfn.rss_growth", "MiB"),
    ("W7 cache misses after warm-up, all caches", "W7customfn.all_cache_misses_after_warm",
     "count"),
    ("W8 backward, 2000-op chain, first (ms)", "W8chain.bwd_2000_first", "ms"),
    ("W8 backward, 2000-op chain, slowest later (ms)", "W8chain.bwd_2000_worst_later", "ms"),
    ("W8 backward, 8000-op chain, first (ms)", "W8chain.bwd_8000_first", "ms"),
    ("W8 backward, 8000-op chain, slowest later (ms)", "W8chain.bwd_8000_worst_later", "ms"),
    ("W8 extra peak RSS, 2000-op chains (MiB)", "W8chain.peak_extra_2000", "MiB"),
    ("W8 extra peak RSS, 8000-op chains (MiB)", "W8chain.peak_extra_8000", "MiB"),
    ("W9 50 shapes, first pass (s)", "W9shapes.first_pass", "s"),
    ("W9 50 shapes, steady step (ms)", "W9shapes.steady_step", "ms"),
    ("W9 RSS at the end (MiB)", "W9shapes.rss_end", "MiB"),
    ("W9 RSS growth over the run (MiB)", "W9shapes.rss_growth", "MiB"),
    ("W10 MLP train step, eager (ms)", "W10mlp.eager", "ms"),
    ("W10 MLP train step, compiled / raw jit (ms)", "W10mlp.compiled", "ms"),
    ("W10 MLP compiled: first 2 calls, incl. traces (s)", "W10mlp.compiled_first2", "s"),
    ("W10 CNN train step, eager (ms)", "W10cnn.eager", "ms"),
    ("W10 CNN train step, compiled / raw jit (ms)", "W10cnn.compiled", "ms"),
    ("W10 CNN compiled: first 2 calls, incl. traces (s)", "W10cnn.compiled_first2", "s"),
]


def threads_line(meta: dict) -> str:
    n = meta.get("torch_threads")
    if n is None:
        return "torch ran with its default thread setting (the thread probe failed)."
    s = "" if n == 1 else "s"
    if meta.get("torch_threads_source") == "probe":
        return (f"torch ran with {n} thread{s}: faster on this machine (probe, a 64×784×256 "
                f"matmul: {meta['torch_default_threads']} threads (torch's default) "
                f"{meta['probe_default_s'] * 1e6:.0f} µs, one thread "
                f"{meta['probe_one_s'] * 1e6:.0f} µs).")
    return f"torch ran with {n} thread{s} (set by --torch-threads)."


def report(r: dict, device: str, quick: bool) -> str:
    lines = ["# Performance", "",
             f"Generated by `python benchmarks/run.py{' --quick' if quick else ''}` on "
             f"{datetime.date.today()} ({platform.machine()}, {os.cpu_count()} cores, "
             f"device {device}). Each implementation runs in its own process; times are "
             "medians over repeats measured in one invocation. Absolute numbers move with machine "
             "load; the ratios are the point.", "",
             threads_line(r.get("meta", {})), "",
             "## Targets", "", "| what | ratio | measured | target | met |",
             "|---|---|---|---|---|"]
    for what, definition, value, target_text, ok, unit in targets(r):
        met = "n/a" if ok is None else ("yes" if ok else "**no**")
        lines.append(f"| {what} | {definition} | {fmt(value, unit)} | {target_text} | {met} |")
    lines += ["", "## Raw figures", "", "| measurement | torchlike_jax | torch eager | raw JAX |",
              "|---|---|---|---|"]
    for label, key, unit in RAW_ROWS:
        lines.append(f"| {label} | {fmt(r['ours'].get(key), unit)} | "
                     f"{fmt(r['torch'].get(key), unit)} | {fmt(r['jax'].get(key), unit)} |")
    lines += ["", "![ratios](performance.png)", "",
              "Raw JAX columns: W1 'grad' is `jax.jit(jax.grad(loop))` (its first run includes "
              "the compile); W2/W3 'compiled' are `jax.jit` of the whole step / forward; W5 "
              "'graph alive' holds a `jax.vjp` closure.", "",
              "Each torchlike_jax process starts with an empty persistent compilation cache of "
              "its own, except W1pcache: a second process running W1 on the cache W1's process "
              "filled. W6: a hand-written Adam loop on a 64-128-10 MLP (3,000 steps), syncing "
              "every 100 steps. W7: a custom `autograd.Function` whose Python-float argument "
              "changes every call (1,000 fwd+bwd). W8: chains of 2,000 and 8,000 elementwise "
              "ops on 16 elements, each built and differentiated three times. W9: a no_grad "
              "256-256-10 MLP forward over 50 batch shapes, 20 cycles; the steady step is the "
              "last cycle's median. torchlike_jax timings include whatever its background "
              "compiles cost (nothing waits for them). W10: one `torch.nn` training step with "
              "`torch.optim.Adam` and `CrossEntropyLoss` (a 784-256-10 MLP, and "
              "Conv2d(1, 16, 3)-ReLU-MaxPool2d(2)-Linear on 1×28×28; batch 64), the loss read "
              "every step; 'compiled' is the whole step (`zero_grad`, forward, `backward`, "
              "`step`) under `torch.compile`, raw JAX a `jax.jit` of `value_and_grad` plus a "
              "hand-written Adam.", ""]
    return "\n".join(lines)


def plot(r: dict, path: str) -> None:
    try:
        import matplotlib
    except ImportError:
        print("matplotlib is not installed: docs/performance.png not written", file=sys.stderr)
        return

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(w, v) for w, _, v, _, _, unit in targets(r)
            if unit == "x" and v is not None and v > 0]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.2))
    names = [w for w, _ in rows]
    vals = [v for _, v in rows]
    ax.barh(names, vals, color="#4477aa")
    ax.axvline(1.0, color="k", lw=0.8)
    ax.set_xscale("log")
    ax.set_xlabel("ratio (definition per row in docs/performance.md; 1.0 = parity)")
    ax.invert_yaxis()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--quick", action="store_true", help="smaller W5–W9 (for smoke runs)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--torch-threads", type=int, default=0,
                    help="torch.set_num_threads(N) for every torch process (default: probe)")
    ap.add_argument("--only", default="",
                    help="comma-separated workloads to run alone (implies --no-write)")
    a = ap.parse_args()
    only = [w for w in a.only.split(",") if w]
    unknown = sorted(set(only) - set(WORKLOADS))
    if unknown:
        ap.error(f"unknown workload(s) {unknown}; known: {WORKLOADS}")
    r = collect(a.device, a.quick, a.torch_threads, only or None)
    text = report(r, a.device, a.quick)
    print(text)
    if not a.no_write and not only:
        with open(os.path.join(ROOT, "docs", "performance.md"), "w") as f:
            f.write(text)
        with open(os.path.join(ROOT, "benchmarks", "results.json"), "w") as f:
            json.dump(r, f, indent=1, sort_keys=True)
        plot(r, os.path.join(ROOT, "docs", "performance.png"))
        # the grad-mode guide's figures come from the same results (tools/make_grad_mode_figures)
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "make_grad_mode_figures.py")],
                       check=True)


if __name__ == "__main__":
    main()
