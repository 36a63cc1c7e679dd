"""Write the grad-mode guide's figures (docs/guide/grad_mode_figures.md) from the benchmark
results (benchmarks/results.json, written by ``benchmarks/run.py``), never by hand.

The guide claims that grad mode costs memory first and time only depending on the workload;
these are the measured figures behind that claim, for torch and for this package, from the same
run as the performance page. ``benchmarks/run.py`` calls this after writing its results, and
``tests/unit/test_docs_site.py`` fails when the committed fragment is stale.

    .venv/bin/python tools/make_grad_mode_figures.py
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.json"
OUT = ROOT / "docs" / "guide" / "grad_mode_figures.md"

MIB = 2 ** 20


def render(results: dict) -> str:
    ours, torch = results["ours"], results["torch"]
    threads = results.get("meta", {}).get("torch_threads", "default")

    def mem(lib: dict) -> tuple[float, float]:
        return lib["W5grad.peak_grad"] / MIB, lib["W5nograd.peak_nograd"] / MIB

    def loop(lib: dict) -> tuple[float, float]:
        return lib["W1.nograd_eager"] * 1e3, lib["W1.grad_steady"] * 1e3

    rows = [
        "| measurement | torch eager | torchlike_jax |",
        "|---|---|---|",
    ]
    (tg, tn), (og, on) = mem(torch), mem(ours)
    rows.append(f"| 50-layer forward (2048 wide, batch 512), peak memory with grad on | "
                f"{tg:.0f} MiB | {og:.0f} MiB |")
    rows.append(f"| the same forward under `no_grad` | {tn:.0f} MiB | {on:.0f} MiB |")
    (tn1, tg1), (on1, og1) = loop(torch), loop(ours)
    rows.append(f"| 1,000 scalar additions under `no_grad` | {tn1:.2f} ms | {on1:.2f} ms |")
    rows.append(f"| the same 1,000 additions with grad on, plus `backward()` | {tg1:.2f} ms | "
                f"{og1:.2f} ms |")
    text = [
        "\n".join(rows),
        "",
        f"Measured by `benchmarks/run.py` (workloads W5 and W1; torch with {threads} thread(s)). "
        "torch keeps each layer's activations for backward while the graph is alive, so its "
        "grad-mode forward holds many times the `no_grad` memory. This package drops "
        "activations of at least `torch.autograd.graph.recompute_min_bytes` (1 MiB) at record "
        "time and recomputes them during `backward()`, so its grad-mode forward peak stays near "
        "the `no_grad` one and the activation memory exists only while `backward()` runs (at "
        "the price of one extra forward). The loop rows are a worst case for time: tiny ops "
        "whose cost is all bookkeeping.",
    ]
    return "\n".join(text) + "\n"


def main() -> None:
    OUT.write_text(render(json.loads(RESULTS.read_text())))


if __name__ == "__main__":
    main()
