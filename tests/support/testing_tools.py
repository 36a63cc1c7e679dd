"""Shared by test_testing.py and test_gradcheck.py: torch's recorded answers and their recorder.

``FIXTURES`` is ``tests/fixtures/testing_tools.json``; ``RECORDER`` is
``tools/record_testing_fixtures.py`` (its snippets are what both test files replay, and what the
live tests re-record against torch).
"""

from __future__ import annotations

from tests.support.recorded import load_fixture, load_recorder

FIXTURES = load_fixture("testing_tools.json")
RECORDER = load_recorder("record_testing_fixtures")
