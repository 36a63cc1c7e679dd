"""Record real PyTorch's answers to every differential case into a committed fixture.

Runs each case of ``tests/differential/cases.py`` against real torch with
``tests/differential/harness.observe`` and writes ``tests/fixtures/differential.json``
(deterministic: sorted keys, stable layout). Each entry stores the observation and a hash of the
case's code, so the test suite notices a case edited without re-recording.

Regenerate (needs torch, i.e. the project's ``test`` extra)::

    .venv/bin/python tools/record_torch_fixtures.py            # record every case
    .venv/bin/python tools/record_torch_fixtures.py --compare  # also print torchlike_jax's diffs
    .venv/bin/python tools/record_torch_fixtures.py --compare NAME...  # only these cases
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_PATH = ROOT / "tests" / "fixtures" / "differential.json"
sys.path.insert(0, str(ROOT))

from tests.differential.cases import CASES  # noqa: E402
from tests.differential.harness import compare, observe  # noqa: E402


def code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def record(torch_module: Any, cases: list[dict]) -> dict:
    return {c["name"]: {"code_hash": code_hash(c["code"]),
                        "observation": observe(c["code"], torch_module)} for c in cases}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these cases (implies not writing)")
    parser.add_argument("--compare", action="store_true",
                        help="also run torchlike_jax and print the mismatches")
    args = parser.parse_args(argv)

    import torch

    cases = [c for c in CASES if not args.names or c["name"] in args.names]
    recorded = record(torch, cases)
    if not args.names:
        data = {"torch_version": torch.__version__.split("+")[0], "cases": recorded}
        FIXTURE_PATH.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"wrote {len(recorded)} cases to {FIXTURE_PATH.relative_to(ROOT)}")
    if args.compare:
        import torchlike_jax

        bad = 0
        for c in cases:
            mine = observe(c["code"], torchlike_jax)
            problems = compare(recorded[c["name"]]["observation"], mine,
                               check_repr=c.get("repr", True), key=c.get("key"))
            if problems:
                bad += 1
                flag = " (xfail)" if c.get("xfail") else ""
                print(f"--- {c['name']}{flag}")
                for p in problems:
                    print("   ", p)
        print(f"{bad} of {len(cases)} cases differ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
