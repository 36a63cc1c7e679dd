"""Record what real PyTorch prints for each tutorial-style script in ``tests/scripts/`` into
``tests/fixtures/tutorial_scripts.json``, so the scripts are checked without torch installed.

For each script: its stdout and the messages of the ``UserWarning``s it raised (from stderr),
plus a hash of the script's text, so a script edited without re-recording is reported as stale.
``tests/differential/test_tutorial_scripts.py`` compares our output with the recording, and,
where torch is installed, checks that torch still prints what was recorded.

Regenerate (needs torch, i.e. the project's ``test`` extra)::

    .venv/bin/python tools/record_tutorial_scripts.py
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS_DIR = ROOT / "tests" / "scripts"
RUN_AS_TORCH = ROOT / "tests" / "support" / "run_as_torch.py"
FIXTURE_PATH = ROOT / "tests" / "fixtures" / "tutorial_scripts.json"


def scripts() -> list[Path]:
    return sorted(SCRIPTS_DIR.glob("*.py"))


def digest(script: Path) -> str:
    return hashlib.sha256(script.read_bytes()).hexdigest()[:16]


def run(script: Path, library: str) -> dict:
    """Run ``script`` in a fresh interpreter under real torch ("torch") or under torchlike_jax
    bound to the name ``torch`` ("ours"); return its stdout and UserWarning messages."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="default")
    args = [str(script)] if library == "torch" else [str(RUN_AS_TORCH), str(script)]
    proc = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=180, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{script.name} failed under {library}:\n{proc.stderr[-2000:]}")
    # UserWarnings only: the import shim may add an ImportWarning of its own
    warned = [line.split("UserWarning: ", 1)[1] for line in proc.stderr.splitlines()
              if "UserWarning: " in line]
    return {"stdout": proc.stdout, "warnings": warned}


def record() -> dict:
    return {s.name: {"sha": digest(s), **run(s, "torch")} for s in scripts()}


def main() -> None:
    FIXTURE_PATH.write_text(json.dumps(record(), indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(scripts())} scripts into {FIXTURE_PATH.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
