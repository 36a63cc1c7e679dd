"""``torch.autograd.set_multithreading_enabled``: torch's switch between running backward on
per-device worker threads and on the calling thread.

This engine always runs backward on the calling thread (there is one CPU device and the XLA
programs parallelise themselves), so the switch only records the per-thread flag that
``torch._C._is_multithreading_enabled()`` reports, with torch's context-manager semantics: the
mode is set when the object is made and restored when its block exits.
"""

from __future__ import annotations

import threading
from typing import Any

from ..core.grad_mode import _DecoratorContextManager


class _State(threading.local):
    enabled = True


_state = _State()


def is_multithreading_enabled() -> bool:
    """torch._C._is_multithreading_enabled: this thread's flag (True by default)."""
    return _state.enabled


class set_multithreading_enabled(_DecoratorContextManager):  # noqa: N801 - torch's name
    """Set whether backward may use worker threads (a function call, a context manager that
    restores the previous mode on exit, or a decorator); per thread."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        _state.enabled = bool(mode)
        self.mode = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        _state.enabled = self.prev

    def clone(self) -> set_multithreading_enabled:
        return self.__class__(self.mode)
