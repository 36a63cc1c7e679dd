"""Run W1–W5 for torchlike_jax, PyTorch eager and raw JAX; print ratios; write docs/performance.md.

Usage: python benchmarks/run.py [--device cuda] [--quick] [--no-write]

Every (implementation, workload) pair runs in a fresh Python process (workloads.py), so memory
peaks and first-run costs are not polluted by earlier work. Timings are medians over repeats
inside each process; all three implementations run in the same invocation, side by side, and
the report states ratios. PyTorch is optional (its columns become "n/a").
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORKLOADS = ["W1", "W2", "W3", "W4", "W5grad", "W5nograd"]


def run_one(impl: str, workload: str, device: str, quick: bool) -> dict | None:
    cmd = [sys.executable, os.path.join(HERE, "workloads.py"), impl, workload, "--device", device]
    if quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["?"]
        print(f"  {impl} {workload}: failed ({tail[0]})", file=sys.stderr)
        return None
    return json.loads(proc.stdout.strip().splitlines()[-1])


def collect(device: str, quick: bool) -> dict:
    res: dict = {"ours": {}, "torch": {}, "jax": {}}
    for w in WORKLOADS:
        for impl in ("ours", "torch", "jax"):
            print(f"running {w} / {impl} ...", file=sys.stderr, flush=True)
            out = run_one(impl, w, device, quick)
            if out is not None:
                res[impl].update({f"{w}.{k}": v for k, v in out.items()})
    return res


def ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def targets(r: dict) -> list[tuple[str, str, float | None, str, bool | None]]:
    """(what, definition, measured ratio, target text, met?) — ratios of times (lower is better)
    unless stated."""
    o, t, j = r["ours"], r["torch"], r["jax"]
    rows = []

    def add(what, definition, value, target_text, ok):
        rows.append((what, definition, value, target_text, None if value is None else ok(value)))

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
    return rows


def fmt(v: float | None, unit: str = "ms") -> str:
    if v is None:
        return "n/a"
    if unit == "ms":
        return f"{v * 1e3:.3f}" if v < 0.01 else f"{v * 1e3:.1f}"
    if unit == "us":
        return f"{v * 1e6:.2f}"
    if unit == "MiB":
        return f"{v / 2**20:.0f}"
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
]


def report(r: dict, device: str, quick: bool) -> str:
    lines = ["# Performance", "",
             f"Generated by `python benchmarks/run.py{' --quick' if quick else ''}` on "
             f"{datetime.date.today()} ({platform.machine()}, {os.cpu_count()} cores, "
             f"device {device}). Each implementation runs in its own process; times are "
             "medians over repeats measured in one invocation. Absolute numbers move with machine "
             "load; the ratios are the point.", "",
             "## Targets", "", "| what | ratio | measured | target | met |",
             "|---|---|---|---|---|"]
    for what, definition, value, target_text, ok in targets(r):
        met = "n/a" if ok is None else ("yes" if ok else "**no**")
        lines.append(f"| {what} | {definition} | {fmt(value, 'x')} | {target_text} | {met} |")
    lines += ["", "## Raw figures", "", "| measurement | torchlike_jax | torch eager | raw JAX |",
              "|---|---|---|---|"]
    for label, key, unit in RAW_ROWS:
        lines.append(f"| {label} | {fmt(r['ours'].get(key), unit)} | "
                     f"{fmt(r['torch'].get(key), unit)} | {fmt(r['jax'].get(key), unit)} |")
    lines += ["", "![ratios](performance.png)", "",
              "Raw JAX columns: W1 'grad' is `jax.jit(jax.grad(loop))` (its first run includes "
              "the compile); W2/W3 'compiled' are `jax.jit` of the whole step / forward; W5 "
              "'graph alive' holds a `jax.vjp` closure.", ""]
    return "\n".join(lines)


def plot(r: dict, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(w, v) for w, _, v, _, _ in targets(r) if v is not None]
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
    ap.add_argument("--quick", action="store_true", help="small W5 (for smoke runs)")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    r = collect(a.device, a.quick)
    text = report(r, a.device, a.quick)
    print(text)
    if not a.no_write:
        with open(os.path.join(ROOT, "docs", "performance.md"), "w") as f:
            f.write(text)
        with open(os.path.join(ROOT, "benchmarks", "results.json"), "w") as f:
            json.dump(r, f, indent=1, sort_keys=True)
        plot(r, os.path.join(ROOT, "docs", "performance.png"))


if __name__ == "__main__":
    main()
