"""Where torch's recorded answers live and how tests load them.

Recorders in ``tools/`` run real torch once and write JSON (or ``.pt`` files) under
``tests/fixtures``; tests read them back here, without torch. A recorder module is also the
source of the snippets the tests replay, so tests import it (``tools`` is a package) and compare
its cases with the recorded ones to catch a stale fixture.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

TESTS_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = TESTS_DIR.parent
FIXTURES_DIR = TESTS_DIR / "fixtures"


def fixture_path(*parts: str) -> Path:
    """The path of a recorded file or folder, e.g. ``fixture_path("opinfo", "unary.json")``."""
    return FIXTURES_DIR.joinpath(*parts)


def load_fixture(*parts: str) -> Any:
    """The parsed JSON of a recorded fixture, e.g. ``load_fixture("optim.json")``."""
    return json.loads(fixture_path(*parts).read_text())


def load_recorder(name: str) -> ModuleType:
    """The recorder ``tools/<name>.py`` as a module (importing it does not import torch)."""
    return importlib.import_module(f"tools.{name}")


def stale_fixture_message(recorder: str) -> str:
    """What a test says when a recorder's cases no longer match what was recorded."""
    return f"stale fixture: run tools/{recorder}.py"


def as_recorded(observation: Any) -> Any:
    """``observation`` as it reads back from JSON (tuples become lists, keys become strings)."""
    return json.loads(json.dumps(observation))
