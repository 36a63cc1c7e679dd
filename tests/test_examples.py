"""The README's demo runs to the end on this machine (its first command must keep working)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_grad_mode_tour_runs_and_reports_every_section():
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / "grad_mode_tour.py")],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for k in range(1, 9):
        assert f"=== {k}." in out, f"section {k} missing"
    assert "tensor(4., grad_fn=<MulBackward0>)" in out
    assert "result 1001.0" in out
