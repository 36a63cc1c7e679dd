"""Generate docs/op_support.md from the op registry and the op-info checks (never by hand).

For every OpInfo (tests/opinfo) this runs each recorded case exactly as tests/ops/test_opinfo.py
does (forward values/dtypes/shapes/grad_fn names and the vjp against torch's fixture) plus the
float64 gradcheck, and notes which registry ops (OpDefs, ops/registry.py) the call dispatched. One
row per op: forward, backward, gradcheck, dtypes that pass, registry ops, notes.

    .venv/bin/python tools/make_op_support_table.py [--jobs N]   # writes docs/op_support.md
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import opinfo  # noqa: E402

OUT = ROOT / "docs" / "op_support.md"
FIXTURES = ROOT / "tests" / "fixtures" / "opinfo"


def _gradcheck(torch, op) -> str:
    check = opinfo.gradcheck_case(torch, op)
    if check is None:
        return "n/a"
    try:
        return "pass" if check() else "FAIL"
    except Exception:  # noqa: BLE001 - a failing check is a result
        return "FAIL"


def _check_ops(names: list[str]) -> list[dict]:
    """Run every check of the named ops (in a worker process) and return one result each."""
    import torchlike_jax as torch
    from torchlike_jax.core import kernels
    from torchlike_jax.core.registry import REGISTRY

    used: set[str] = set()
    real_compiled = kernels.compiled

    def spying(op, *a):
        used.add(op.name)
        return real_compiled(op, *a)

    def registry_ops_of(op) -> list[str]:
        """The OpDefs the op's calls dispatch over all its runnable cases (forward; inputs are
        built before the spy is on, so only the op's own dispatches count)."""
        found: set[str] = set()
        for i, sample in enumerate(op.samples):
            if sample.error:
                continue
            for dt in opinfo.sample_dtypes(op, i):
                try:
                    args, kwargs, _ = opinfo.build(torch, op, i, dt)
                except Exception:  # noqa: BLE001 - the checks report failures
                    continue
                used.clear()
                kernels.compiled = spying
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        op.fn(torch, *args, **kwargs)
                except Exception:  # noqa: BLE001 - torch's own refusals, reported elsewhere
                    pass
                finally:
                    kernels.compiled = real_compiled
                found |= used
        return sorted(n for n in found if n in REGISTRY)

    by_name = {op.name: op for op in opinfo.load_ops()}
    fixtures: dict = {}
    results = []
    for name in names:
        op = by_name[name]
        if op.area not in fixtures:
            path = FIXTURES / f"{op.area}.json"
            fixtures[op.area] = json.loads(path.read_text())["cases"] if path.exists() else {}
        fwd_ok = bwd_ok = True
        has_bwd = False
        dtypes_ok: set[str] = set()
        dtypes_bad: set[str] = set()
        grad_fns: set[str] = set()
        for i in range(len(op.samples)):
            for dt in opinfo.sample_dtypes(op, i):
                exp = fixtures[op.area].get(opinfo.case_id(op, i, dt))
                if exp is None or exp.get("spec_hash") != opinfo.spec_hash(op, i, dt):
                    fwd_ok = False
                    dtypes_bad.add(dt)
                    continue
                if "unsupported" in exp:
                    continue
                got = opinfo.observe_quietly(torch, op, i, dt)
                diffs = opinfo.compare(exp, got, op)
                grad_fns.update(g for g in got.get("grad_fn", []) if g)
                bad_vjp = [d for d in diffs if d.startswith(("vjp", "no vjp"))]
                has_bwd = has_bwd or "vjp" in exp
                if bad_vjp:
                    bwd_ok = False
                if len(diffs) > len(bad_vjp):
                    fwd_ok = False
                (dtypes_bad if diffs else dtypes_ok).add(dt)
        results.append({"name": name, "fwd": fwd_ok, "bwd": bwd_ok if has_bwd else None,
                        "gc": _gradcheck(torch, op), "ok_dtypes": sorted(dtypes_ok - dtypes_bad),
                        "bad_dtypes": sorted(dtypes_bad), "grad_fns": sorted(grad_fns),
                        "registry": registry_ops_of(op), "n_registry": len(REGISTRY)})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes (each compiles its own ops)")
    args = parser.parse_args()
    ops = opinfo.load_ops()
    names = [op.name for op in ops]
    chunks = [names[k::args.jobs] for k in range(args.jobs)]
    t0 = time.time()
    with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        found = {r["name"]: r for part in pool.map(_check_ops, chunks) for r in part}
    elapsed = time.time() - t0
    n_registry = next(iter(found.values()))["n_registry"] if found else 0
    rows = []
    per_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for op in ops:
        r = found[op.name]
        ok = r["fwd"] and r["bwd"] is not False and r["gc"] != "FAIL"
        per_area[op.area][0] += ok
        per_area[op.area][1] += 1
        rows.append((op, r["fwd"], r["bwd"], r["gc"], set(r["ok_dtypes"]), set(r["bad_dtypes"]),
                     r["grad_fns"], r["registry"]))

    total = len([r for r in rows if not r[0].inplace])
    passing = len([r for r in rows if not r[0].inplace and r[1] and r[2] is not False
                   and r[3] != "FAIL"])
    lines = [
        "# Op support table",
        "",
        "Generated by `tools/make_op_support_table.py` from the op registry and the op-info checks "
        "(`tests/opinfo`, torch 2.13 fixtures in `tests/fixtures/opinfo`); do not edit by hand.",
        "",
        f"**{passing} of {total} ops** (in-place variants not counted; {len(rows)} rows in all) "
        "match torch forward and backward on every recorded case. Forward: values (per-dtype "
        "tolerances), dtypes, shapes, grad_fn names, torch's errors. Backward: the vjp for "
        "seeded cotangents. Gradcheck: float64 finite differences on the first sample. "
        f"Registry: {n_registry} OpDefs. Checked in {elapsed:.0f} s.",
        "",
        "| area | ops passing |",
        "|---|---|",
    ]
    for area in sorted(per_area):
        ok, n = per_area[area]
        lines.append(f"| {area} | {ok} / {n} |")
    lines += ["",
              "| op | forward | backward | gradcheck | dtypes | grad_fn | registry ops | notes |",
              "|---|---|---|---|---|---|---|---|"]
    order = {d: i for i, d in enumerate(opinfo.ALL)}
    for op, fwd, bwd, gc, dt_ok, dt_bad, gfs, reg in rows:
        dts = ", ".join(sorted(dt_ok, key=lambda d: order.get(d, 99)))
        if dt_bad:
            dts += " (fails: " + ", ".join(sorted(dt_bad)) + ")"
        b = "n/a" if bwd is None else ("pass" if bwd else "FAIL")
        notes = op.notes.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{op.name}` | {'pass' if fwd else 'FAIL'} | {b} | {gc} | {dts} | "
                     f"{', '.join(gfs)} | {', '.join(reg)} | {notes} |")
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {passing}/{total} ops passing, {len(rows)} rows, "
          f"{elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
