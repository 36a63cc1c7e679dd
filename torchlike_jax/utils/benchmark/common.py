"""``Measurement``: the times of one timed statement, and torch's printed summary of them.

A script prints a measurement (``print(timer.timeit(100))``); torch's summary names the task
(label/sub_label or the statement, description, setup), the median (and IQR from 4
measurements on), how many measurements of how many runs, and warns when the IQR is a large
share of the median. The numbers are this library's; the text is laid out as torch's.
"""

from __future__ import annotations

import dataclasses
import math
import textwrap
from typing import Any

import numpy as np

_NOISY, _VERY_NOISY = 0.1, 0.25  # IQR / median beyond which the summary warns


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """What was timed (everything of a Timer but its globals)."""

    stmt: str
    setup: str
    global_setup: str = ""
    label: str | None = None
    sub_label: str | None = None
    description: str | None = None
    env: str | None = None
    num_threads: int = 1

    @property
    def title(self) -> str:
        """The label (with ``: sub_label``), else a one-line statement, else the statement
        indented under ``stmt:``."""
        sub = f": {self.sub_label}" if self.sub_label else ""
        if self.label is not None:
            return self.label + sub
        if "\n" not in self.stmt:
            return self.stmt + sub
        paren = f" ({self.sub_label})" if self.sub_label else ""
        return f"stmt:{paren}\n{textwrap.indent(self.stmt, '  ')}"

    def setup_str(self) -> str:
        if not self.setup or self.setup == "pass":
            return ""
        if "\n" in self.setup:
            return "setup:\n" + textwrap.indent(self.setup, "  ")
        return f"setup: {self.setup}"

    def summarize(self) -> str:
        parts = [p for p in (self.title, self.description or "", self.setup_str()) if p]
        return "\n".join(p + "\n" if "\n" in p else p for p in parts)


def select_unit(t: float) -> tuple[str, float]:
    """The unit (ns/us/ms/s) that shows ``t`` seconds with a small integer part."""
    unit = {-3: "ns", -2: "us", -1: "ms"}.get(int(math.log10(t) // 3), "s") if t > 0 else "ns"
    return unit, {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


@dataclasses.dataclass(repr=False)
class Measurement:
    """``number_per_run`` runs per measurement, each measurement's total in ``raw_times``."""

    number_per_run: int
    raw_times: list[float]
    task_spec: TaskSpec
    metadata: dict | None = None

    def __getattr__(self, name: str) -> Any:
        # the task's fields read through (m.label, m.stmt, m.num_threads...)
        if name != "task_spec" and name in TaskSpec.__dataclass_fields__:
            return getattr(self.task_spec, name)
        raise AttributeError(name)

    def __reduce__(self) -> tuple:
        # the class prints as torch's module; pickle rebuilds it from this package
        return (_measurement, (self.number_per_run, list(self.raw_times), self.task_spec,
                               self.metadata))

    @property
    def times(self) -> list[float]:
        """Seconds per run, one value per measurement."""
        return [t / self.number_per_run for t in self.raw_times]

    def _sorted(self) -> list[float]:
        return sorted(self.times)  # torch's statistics run over the sorted times

    @property
    def median(self) -> float:
        return float(np.median(self._sorted()))

    @property
    def mean(self) -> float:
        return float(np.mean(self._sorted()))

    @property
    def iqr(self) -> float:
        p25, p75 = np.percentile(self._sorted(), [25, 75])
        return float(p75 - p25)

    @property
    def title(self) -> str:
        return self.task_spec.title

    @property
    def as_row_name(self) -> str:
        return self.sub_label or self.stmt or "[Unknown]"

    def meets_confidence(self, threshold: float = _NOISY) -> bool:
        return self.iqr / self.median < threshold

    @property
    def has_warnings(self) -> bool:
        return bool(self._warnings())

    def _warnings(self) -> list[str]:
        if not self.raw_times:
            return []
        for threshold, why in ((_VERY_NOISY, "This suggests significant environmental "
                                "influence."), (_NOISY, "This could indicate system fluctuation.")):
            if not self.meets_confidence(threshold):
                share = self.iqr / self.median * 100
                return [f"  WARNING: Interquartile range is {share:.1f}% of the median "
                        f"measurement.\n           {why}"]
        return []

    def __repr__(self) -> str:
        n = len(self.raw_times)
        median = self.median
        unit, scale = select_unit(median)
        lines = [object.__repr__(self), self.task_spec.summarize(),
                 f"  {'Median: ' if n > 1 else ''}{median / scale:.2f} {unit}"]
        if n >= 4:
            p25, p75 = np.percentile(self._sorted(), [25, 75])
            lines.append(f"  IQR:    {(p75 - p25) / scale:.2f} {unit} ({p25 / scale:.2f} to "
                         f"{p75 / scale:.2f})")
        threads = self.task_spec.num_threads
        lines.append(f"  {n} measurement{'s' if n > 1 else ''}, {self.number_per_run} runs "
                     f"{'per measurement,' if n > 1 else ','} {threads} "
                     f"thread{'s' if threads > 1 else ''}")
        lines += self._warnings()
        return "\n".join(line for line in "\n".join(lines).strip().splitlines())

    @staticmethod
    def merge(measurements: list[Measurement]) -> list[Measurement]:
        """Replicates of one task as one measurement per task, at one run per time."""
        groups: dict[TaskSpec, list[float]] = {}
        for m in measurements:
            groups.setdefault(m.task_spec, []).extend(m.times)
        return [Measurement(1, times, spec) for spec, times in groups.items()]


Measurement.__module__ = "torch.utils.benchmark.utils.common"  # as ``print(m)`` shows it


def _measurement(number_per_run: int, raw_times: list, task_spec: TaskSpec,
                 metadata: dict | None) -> Measurement:
    return Measurement(number_per_run, raw_times, task_spec, metadata)
