"""Record real PyTorch's answers for every op-info case into committed fixtures.

For each area module ``tests/opinfo/<area>.py`` this runs every (op, sample, dtype) case on torch
(``tests/opinfo.observe``) and writes ``tests/fixtures/opinfo/<area>.json`` (sorted, stable).
Each case stores a spec hash, so the tests notice a sample edited without re-recording.
Cases torch cannot run (an error on a sample not marked ``error=True``, e.g. an op without a
Half kernel) are stored as unsupported and skipped by the tests.

    .venv/bin/python tools/record_opinfo_fixtures.py                  # every area
    .venv/bin/python tools/record_opinfo_fixtures.py --area unary     # one area
    .venv/bin/python tools/record_opinfo_fixtures.py --compare --area unary [--op torch.sin]
        # also run torchlike_jax and print the mismatches (nothing written with --op)
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "opinfo"
sys.path.insert(0, str(ROOT))

from tests import opinfo  # noqa: E402


def record_area(torch, ops: list) -> dict:
    out = {}
    for op, i, dt in opinfo.cases(ops):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obs = opinfo.observe(torch, op, i, dt)
        if "error" in obs and not op.samples[i].error:
            obs = {"unsupported": obs["error"]}
        obs["spec_hash"] = opinfo.spec_hash(op, i, dt)
        out[opinfo.case_id(op, i, dt)] = obs
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--area", action="append", help="only these area modules")
    parser.add_argument("--op", action="append", help="only these ops (implies not writing)")
    parser.add_argument("--compare", action="store_true", help="print torchlike_jax's mismatches")
    args = parser.parse_args(argv)

    import torch

    ops = opinfo.load_ops()
    areas = sorted({op.area for op in ops})
    if args.area:
        areas = [a for a in areas if a in args.area]
    bad = 0
    for area in areas:
        area_ops = [op for op in ops if op.area == area and (not args.op or op.name in args.op)]
        recorded = record_area(torch, area_ops)
        if not args.op:
            path = FIXTURES / f"{area}.json"
            data = {"torch_version": torch.__version__.split("+")[0], "cases": recorded}
            path.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")
            print(f"{area}: wrote {len(recorded)} cases to {path.relative_to(ROOT)}")
        if args.compare:
            import torchlike_jax

            by_name = {op.name: op for op in area_ops}
            for op, i, dt in opinfo.cases(area_ops):
                exp = recorded[opinfo.case_id(op, i, dt)]
                if "unsupported" in exp:
                    continue
                got = opinfo.observe_quietly(torchlike_jax, op, i, dt)
                diffs = opinfo.compare(exp, got, by_name[op.name])
                if diffs:
                    bad += 1
                    print(f"MISMATCH {opinfo.case_id(op, i, dt)}: " + "; ".join(diffs)[:600])
    if args.compare:
        print(f"{bad} mismatching cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
