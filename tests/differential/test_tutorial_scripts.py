"""Tutorial-style scripts (tests/scripts/) print the same under real torch and under ours.

Each script is run twice in a fresh interpreter: as written (real torch), and through
``tests/support/run_as_torch.py`` (``import torch`` gives torchlike_jax). Stdout must match exactly,
tensor print rounding included, and both must raise the same warnings (stderr's
``UserWarning:`` lines).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.recorded import REPO_ROOT, TESTS_DIR

pytestmark = pytest.mark.torch_live
pytest.importorskip("torch")

SCRIPTS = sorted((TESTS_DIR / "scripts").glob("*.py"))
RUN_AS_TORCH = TESTS_DIR / "support" / "run_as_torch.py"


def _run(args: list[str]) -> tuple[str, list[str]]:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), PYTHONWARNINGS="default")
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=REPO_ROOT, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    # UserWarnings only: the import shim may add an ImportWarning of its own
    warned = [line.split("UserWarning: ", 1)[1] for line in proc.stderr.splitlines()
              if "UserWarning: " in line]
    return proc.stdout, warned


def test_there_are_scripts():
    assert len(SCRIPTS) >= 3


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_prints_as_torch(script):
    theirs, their_warnings = _run([str(script)])
    ours, our_warnings = _run([str(RUN_AS_TORCH), str(script)])
    assert theirs.strip(), "the script printed nothing"
    assert ours == theirs
    assert our_warnings == their_warnings
