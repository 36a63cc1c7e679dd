"""``torch.utils.benchmark``: ``Timer`` (``timeit``, ``blocked_autorange``) and the
``Measurement`` it returns, printed as torch prints it."""

from __future__ import annotations

from .common import Measurement, TaskSpec, select_unit
from .timer import Timer

__all__ = ["Measurement", "TaskSpec", "Timer", "select_unit"]
