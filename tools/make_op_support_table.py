"""Generate docs/op_support.md from the op registry and the op-info checks (never by hand).

For every OpInfo (tests/opinfo) this runs each recorded case exactly as tests/test_opinfo.py does
(forward values/dtypes/shapes/grad_fn names and the vjp against torch's fixture) plus the float64
gradcheck, and notes which registry ops (OpDefs, ops/registry.py) the call dispatched. One row per
op: forward, backward, gradcheck, dtypes that pass, registry ops, notes.

    .venv/bin/python tools/make_op_support_table.py          # writes docs/op_support.md
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import opinfo  # noqa: E402

OUT = ROOT / "docs" / "op_support.md"
FIXTURES = ROOT / "tests" / "fixtures" / "opinfo"


def _gradcheck(torch, op) -> str:
    index = next((i for i, s in enumerate(op.samples) if not s.error), None)
    if not (op.grad and op.gradcheck) or index is None:
        return "n/a"
    args, kwargs, grads = opinfo.build(torch, op, index, "float64")
    if not grads:
        return "n/a"

    def fn(*inputs):
        out = op.fn(torch, *args, **kwargs)
        return tuple(o for o in opinfo._leaves(torch, out)
                     if o.dtype.is_floating_point and o.requires_grad)

    try:
        ok = torch.autograd.gradcheck(fn, tuple(grads), eps=1e-6, atol=1e-5, rtol=1e-3)
    except Exception:  # noqa: BLE001 - a failing check is a result
        ok = False
    return "pass" if ok else "FAIL"


def main() -> int:
    import torchlike_jax as torch
    from torchlike_jax.ops import dispatch as dispatch_mod
    from torchlike_jax.ops.registry import REGISTRY

    used: set[str] = set()
    real_compiled = dispatch_mod.compiled

    def spying(op, *a):
        used.add(op.name)
        return real_compiled(op, *a)

    def registry_ops_of(op) -> list[str]:
        """The OpDefs one call of the op's first sample dispatches (inputs built beforehand)."""
        index = next((i for i, s in enumerate(op.samples) if not s.error), 0)
        args, kwargs, _ = opinfo.build(torch, op, index, opinfo.sample_dtypes(op, index)[0])
        used.clear()
        dispatch_mod.compiled = spying
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                op.fn(torch, *args, **kwargs)
        except Exception:  # noqa: BLE001 - the checks below report failures
            pass
        finally:
            dispatch_mod.compiled = real_compiled
        return sorted(n for n in used if n in REGISTRY)

    ops = opinfo.load_ops()
    fixtures = {}
    for area in {op.area for op in ops}:
        path = FIXTURES / f"{area}.json"
        fixtures[area] = json.loads(path.read_text())["cases"] if path.exists() else {}
    rows = []
    per_area: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    t0 = time.time()
    for op in ops:
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
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        got = opinfo.observe(torch, op, i, dt)
                    except Exception as e:  # noqa: BLE001
                        got = {"error": {"type": type(e).__name__, "message": str(e)}}
                diffs = opinfo.compare(exp, got, op)
                grad_fns.update(g for g in got.get("grad_fn", []) if g)
                bad_vjp = [d for d in diffs if d.startswith(("vjp", "no vjp"))]
                has_bwd = has_bwd or "vjp" in exp
                if bad_vjp:
                    bwd_ok = False
                if len(diffs) > len(bad_vjp):
                    fwd_ok = False
                (dtypes_bad if diffs else dtypes_ok).add(dt)
        gc = _gradcheck(torch, op)
        ok = fwd_ok and bwd_ok and gc != "FAIL"
        per_area[op.area][0] += ok
        per_area[op.area][1] += 1
        registry_ops = registry_ops_of(op)
        rows.append((op, fwd_ok, bwd_ok if has_bwd else None, gc, dtypes_ok - dtypes_bad,
                     dtypes_bad, sorted(grad_fns), registry_ops))
    elapsed = time.time() - t0

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
        f"Registry: {len(REGISTRY)} OpDefs. Checked in {elapsed:.0f} s.",
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
