"""Record real torch's optimizer trajectories and scheduler learning rates into
``tests/fixtures/optim.json``, so ``tests/differential/test_optim_fixtures.py`` checks ours
without torch.

The scenarios are the live tests' own (``tests/support/optim_scenarios.py``): every optimizer
configuration of ``GRID`` runs 20 steps on the same problem (parameters after each step, the final
state dict, the param groups and the repr), and every scheduler of ``SCHEDULERS`` runs 30 epochs
(``get_last_lr()`` after each, warnings, ``last_epoch``, final parameters).
Run: ``.venv/bin/python tools/record_optim_fixtures.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "optim.json"
sys.path.insert(0, str(ROOT))  # run as a script: make `tests` importable

from tests.support.optim_scenarios import GRID, SCHEDULERS, _ids, _sequence, _trajectory  # noqa: E402


def _shortest(values: np.ndarray) -> list:
    """float32 values in their shortest round-trip spelling (a third of the file's size)."""
    return [float(str(v)) for v in np.asarray(values, np.float32).ravel()]


def _state_entry(value):
    if not isinstance(value, tuple):  # a plain Python value
        return value
    array, dtype, shape = value
    values = _shortest(array) if dtype == "float32" else array.ravel().tolist()
    return {"values": values, "dtype": dtype, "shape": list(shape)}


def optimizer_record(lib, name: str, kw: dict) -> dict:
    """One optimizer configuration as JSON-able values (float32 numbers kept exactly)."""
    traj, state, groups, text = _trajectory(lib, name, kw)
    return {
        "trajectory": [_shortest(row) for row in traj],
        "state": {str(k): {n: _state_entry(v) for n, v in entries.items()}
                  for k, entries in state.items()},
        "param_groups": json.loads(json.dumps(groups)),
        "repr": text,
    }


def scheduler_record(lib, name: str) -> dict:
    lrs, extra, messages, last_epoch, params = _sequence(lib, name)
    return {"last_lr": lrs, "group0_extra": json.loads(json.dumps(extra)),
            "warnings": messages, "last_epoch": last_epoch, "params": params}


def main() -> None:
    import torch

    fixture = {
        "torch_version": torch.__version__,
        "optimizers": {_ids(case): optimizer_record(torch, *case) for case in GRID},
        "schedulers": {name: scheduler_record(torch, name) for name in SCHEDULERS},
    }
    OUT.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
