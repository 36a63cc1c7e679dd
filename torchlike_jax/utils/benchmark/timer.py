"""``Timer``: time a Python statement the way ``torch.utils.benchmark.Timer`` does.

The statement runs in the given globals (with ``torch`` bound to this package unless given);
``timeit(n)`` is one measurement of ``n`` runs, ``blocked_autorange`` picks a block size (a
power of ten long enough that the clock's own cost is negligible) and measures blocks until
``min_run_time`` has passed. JAX runs ops asynchronously: a statement that does not read its
result back times the dispatch, as a torch CUDA statement without a sync would.
"""

from __future__ import annotations

import sys
import time
import timeit as _timeit
from collections.abc import Callable
from typing import Any

from .common import Measurement, TaskSpec


class Timer:
    """Time ``stmt`` after ``setup``; see :meth:`timeit` and :meth:`blocked_autorange`."""

    def __init__(self, stmt: str = "pass", setup: str = "pass", global_setup: str = "",
                 timer: Callable[[], float] = time.perf_counter,
                 globals: dict[str, Any] | None = None,  # noqa: A002 - torch's name
                 label: str | None = None, sub_label: str | None = None,
                 description: str | None = None, env: str | None = None,
                 num_threads: int = 1, language: Any = "python") -> None:
        if not isinstance(stmt, str):
            raise ValueError("Currently only a `str` stmt is supported.")
        self._globals = dict(globals or {})
        package = sys.modules.get(__name__.split(".")[0])
        self._globals.setdefault("torch", package)  # torch's Timer binds ``torch`` too
        if global_setup:
            exec(global_setup, self._globals)  # noqa: S102 - the user's own setup code
        self._task_spec = TaskSpec(stmt=stmt, setup=setup, global_setup=global_setup,
                                   label=label, sub_label=sub_label, description=description,
                                   env=env, num_threads=num_threads)
        self._timer = _timeit.Timer(stmt=stmt, setup=setup, timer=timer, globals=self._globals)
        self._clock = timer

    def _time(self, number: int) -> float:
        return self._timer.timeit(number)

    def timeit(self, number: int = 1000000) -> Measurement:
        """One measurement of ``number`` runs (after one warm-up run)."""
        self._time(max(int(number // 100), 2))
        return Measurement(number, [self._time(number)], self._task_spec)

    def _block_size(self, min_run_time: float) -> int:
        overhead = self._clock_overhead()
        number = 1
        while True:
            taken = self._time(number)
            if taken >= min_run_time / 1000 and overhead / taken <= 1e-4:
                return number
            number *= 10

    def _clock_overhead(self) -> float:
        samples = []
        for _ in range(5):
            t0 = self._clock()
            samples.append(self._clock() - t0)
        return sorted(samples)[2]

    def blocked_autorange(self, callback: Callable[[int, float], Any] | None = None,
                          min_run_time: float = 0.2) -> Measurement:
        """Measure blocks of a self-chosen size until ``min_run_time`` seconds have passed;
        ``callback(number, time)`` sees each block."""
        number = self._block_size(min_run_time)
        times: list[float] = []
        total = 0.0
        while total < min_run_time or not times:
            taken = self._time(number)
            total += taken
            times.append(taken)
            if callback is not None:
                callback(number, taken)
        return Measurement(number, times, self._task_spec)

    def adaptive_autorange(self, threshold: float = 0.1, *, min_run_time: float = 0.01,
                           max_run_time: float = 10.0, callback: Callable | None = None
                           ) -> Measurement:
        """Blocks of ``min_run_time`` until the IQR is under ``threshold`` of the median (at
        least 3 blocks) or ``max_run_time`` has passed."""
        number = self._block_size(min_run_time)
        times: list[float] = []
        total = 0.0
        while total < max_run_time:
            taken = self._time(number)
            total += taken
            times.append(taken)
            if callback is not None:
                callback(number, taken)
            m = Measurement(number, times, self._task_spec)
            if len(times) > 3 and m.meets_confidence(threshold) and total >= min_run_time:
                break
        return Measurement(number, times, self._task_spec)


Timer.__module__ = "torch.utils.benchmark.utils.timer"
