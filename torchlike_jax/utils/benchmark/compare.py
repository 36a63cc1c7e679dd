"""``Compare``: many measurements as torch's table, one table per label.

Rows are (threads, env, sub_label or stmt), columns are descriptions, each cell is a median in
the unit that suits the group's fastest measurement. The layout (title rule, ``|`` separators,
``N threads:`` rules, the closing "Times are in ..." line) is torch's; ``trim_significant_figures``,
``colorize`` and ``highlight_warnings`` change the cells as torch's do.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .common import Measurement, select_unit

_UNIT_NAMES = {"ns": "nanosecond", "us": "microsecond", "ms": "millisecond", "s": "second"}
_RESET = "\033[0m"
# (test on value vs best, escape codes), first match wins
_COLORS = (
    (lambda v, b: v <= b * 1.01 or v <= b + 100e-9, "\033[92m\033[1m"),
    (lambda v, b: v <= b * 1.1, "\033[34m\033[1m"),
    (lambda v, b: v >= b * 5, "\033[31m\033[1m"),
    (lambda v, b: v >= b * 2, "\033[2m\033[91m"),
)


def significant_figures(m: Measurement) -> int:
    """How many digits of ``m``'s median its interquartile spread supports (1 to 4)."""
    times = sorted(m.times)
    n = len(times)
    middle = times[n // 4: math.ceil(3 * n / 4)]
    mean = sum(middle) / len(middle)
    std = math.sqrt(sum((t - mean) ** 2 for t in middle) / len(middle))
    interval = max(1.645 * std / math.sqrt(len(middle)), 25e-9)
    return min(max(int(math.floor(math.log10(m.median / interval))), 1), 4)


def _f32(x: float) -> np.float32:
    return np.float32(x)


def _leading_digits(x: float) -> int:
    # torch works these out on a default-dtype (float32) tensor; so do we, for the same
    # rounding at the edges (5.4999999 ns is 5.5 in float32, which rounds to 6)
    return int(np.ceil(np.log10(np.abs(_f32(x)))))


def trim_sigfig(x: float, n: int) -> float:
    """``x`` rounded to ``n`` significant figures (half to even, in float32 as torch)."""
    scale = 10 ** (_leading_digits(x) - n)
    return float(np.round(_f32(x / scale)) * _f32(scale))


class Compare:
    """Collect measurements; ``print(compare)`` or ``compare.print()`` shows the tables."""

    def __init__(self, results: list[Measurement]) -> None:
        self._results: list[Measurement] = []
        self.extend_results(results)
        self._trim = False
        self._colorize: str | None = None  # None, "columnwise" or "rowwise"
        self._highlight = False

    def extend_results(self, results: list[Measurement]) -> None:
        for r in results:
            if not isinstance(r, Measurement):
                raise ValueError(f"Expected an instance of `Measurement`, got {type(r)} instead.")
        self._results.extend(results)

    def trim_significant_figures(self) -> None:
        self._trim = True

    def colorize(self, rowwise: bool = False) -> None:
        self._colorize = "rowwise" if rowwise else "columnwise"

    def highlight_warnings(self) -> None:
        self._highlight = True

    def print(self) -> None:
        print(str(self))

    def __str__(self) -> str:
        groups: dict[Any, list[Measurement]] = {}
        for m in Measurement.merge(self._results):
            groups.setdefault(m.label, []).append(m)
        return "\n".join(self._table(ms) for ms in groups.values())

    # ---- one label's table ---------------------------------------------------------------
    def _table(self, results: list[Measurement]) -> str:
        unit, scale = select_unit(min(m.median for m in results))
        row_keys = list(dict.fromkeys((m.num_threads, m.env, m.as_row_name) for m in results))
        row_keys.sort(key=lambda k: (k[0], k[1] or ""))
        col_keys = list(dict.fromkeys(m.description for m in results))
        cell = {(m.num_threads, m.env, m.as_row_name, m.description): m for m in results}
        grid = [[cell.get((*rk, ck)) for ck in col_keys] for rk in row_keys]
        envs = {m.env for m in results}
        env_width = max(len(str(e)) for e in envs) if len(envs) > 1 else 0
        formats = [self._column_format([row[j] for row in grid], scale)
                   for j in range(len(col_keys))]

        strings = [["", *("" if c is None else str(c) for c in col_keys)]]
        prior_env, prior_threads = None, None
        for (threads, env, name), row in zip(row_keys, grid, strict=True):
            if threads != prior_threads:  # each thread group names its env again
                prior_env, prior_threads = None, threads
            env_cell = f"({env})" if len(envs) > 1 and env != prior_env else ""
            prior_env = env
            strings.append(["  " + env_cell.ljust(env_width + 4) + name]
                           + [fmt(m) for fmt, m in zip(formats, row, strict=True)])
        widths = [max(len(s[i]) for s in strings) for i in range(len(strings[0]))]
        header = "  |  ".join(s.center(w) for s, w in zip(strings[0], widths, strict=True))
        lines = [header]
        prior_threads = None
        for (threads, _, _), row, row_strings in zip(row_keys, grid, strings[1:], strict=True):
            if threads != prior_threads:
                lines.append(f"{threads} threads: ".ljust(len(header), "-"))
                prior_threads = threads
            cells = [row_strings[0].ljust(widths[0])]
            group = [r for k, r in zip(row_keys, grid, strict=True) if k[0] == threads]
            for j, (s, m) in enumerate(zip(row_strings[1:], row, strict=True)):
                cells.append(self._paint(s.center(widths[j + 1]), m, row,
                                         [r[j] for r in group]))
            lines.append("  |  ".join(cells))
        title = f"[{(' ' + (results[0].label or '') + ' ').center(len(header) - 2, '-')}]"
        legend = ("(! XX%) Measurement has high variance, where XX is the IQR / median * 100.\n"
                  if self._highlight and any(m.has_warnings for m in results) else "")
        return (f"{title}\n" + "\n".join(lines)
                + f"\n\nTimes are in {_UNIT_NAMES[unit]}s ({unit}).\n{legend}")

    def _column_format(self, column: list[Measurement | None], scale: float):
        present = [m for m in column if m is not None]
        leading = {id(m): _leading_digits(m.median / scale) for m in present}
        decimals = (min(max(significant_figures(m) - leading[id(m)], 0) for m in present)
                    if self._trim else 1)
        length = max(leading.values()) + decimals + (1 if decimals else 0)
        flagged = self._highlight and any(m.has_warnings for m in present)

        def fmt(m: Measurement | None) -> str:
            if m is None:
                return " " * (length + (7 if flagged else 0))
            value = m.median / scale
            if self._trim:
                value = trim_sigfig(value, significant_figures(m))
            note = f" (! {m.iqr / m.median * 100:.0f}%)" if flagged and m.has_warnings else ""
            return f"{value:>{length}.{decimals}f}" + (f"{note:>7}" if flagged else "")

        return fmt

    def _paint(self, text: str, m: Measurement | None, row: list, column: list) -> str:
        if self._colorize is None or m is None:
            return text
        peers = row if self._colorize == "rowwise" else column
        best = min(p.median for p in peers if p is not None)
        for test, code in _COLORS:
            if test(m.median, best):
                return code + text + _RESET * 2
        return text


Compare.__module__ = "torch.utils.benchmark.utils.compare"
