"""Shared by test_testing.py and test_gradcheck.py: torch's recorded answers and their recorder.

``FIXTURES`` is ``tests/fixtures/testing_tools.json``; ``RECORDER`` is
``tools/record_testing_fixtures.py`` loaded as a module (its snippets are what both test files
replay, and what the live tests re-record against torch).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = json.loads((ROOT / "tests" / "fixtures" / "testing_tools.json").read_text())
RECORDER_PATH = ROOT / "tools" / "record_testing_fixtures.py"


def load_recorder() -> Any:
    spec = importlib.util.spec_from_file_location("_record_testing_fixtures", RECORDER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


RECORDER = load_recorder()
