"""Fixtures shared by every test group.

``real`` is the installed PyTorch, for the ``torch_live`` tests that run the same code on both
libraries; tests that request it are skipped when torch is absent (the recorded fixtures under
``tests/fixtures`` keep the rest of the suite meaningful without it). Plain helpers that module
level code needs (paths, JSON loaders) are in ``tests.support.recorded``.
"""

from __future__ import annotations

from types import ModuleType

import pytest


@pytest.fixture(scope="session")
def real() -> ModuleType:
    """Real ``torch``, or a skip when it is not installed."""
    return pytest.importorskip("torch")
