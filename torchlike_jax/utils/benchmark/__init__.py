"""``torch.utils.benchmark``: ``Timer`` (``timeit``, ``blocked_autorange``) and the
``Measurement`` it returns, printed as torch prints it, and ``Compare``'s table of many."""

from __future__ import annotations

from .common import Measurement, TaskSpec, select_unit
from .compare import Compare
from .timer import Timer

__all__ = ["Compare", "Measurement", "TaskSpec", "Timer", "select_unit"]
