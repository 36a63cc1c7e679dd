"""``torch.autograd.profiler_util``: profiled events, their per-name averages, torch's table.

The events come from ``core/profiling.py`` (one per dispatched op, named ``aten::<op>``, and one
per ``record_function`` range). Times are this library's, so the numbers differ from torch's;
the table's layout, columns, units and sorting are torch's, so scripts that print it read the
same.
"""

from __future__ import annotations

from typing import Any

_COLUMNS = ("Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls")
_COLUMN_WIDTH = 12
_MAX_NAME_WIDTH = 55


class FunctionEvent:
    """One profiled op or range: ``name``, times in microseconds, ``self_cpu_time_total``."""

    def __init__(self, name: str, start_ns: int, end_ns: int, child_ns: int) -> None:
        self.name = self.key = name
        self.time_range_start_us = start_ns / 1e3
        self.cpu_time_total = (end_ns - start_ns) / 1e3
        self.self_cpu_time_total = (end_ns - start_ns - child_ns) / 1e3
        self.count = 1

    @property
    def cpu_time(self) -> float:
        return self.cpu_time_total

    def __repr__(self) -> str:
        return (f"<FunctionEvent name={self.name} cpu_time={_fmt_time(self.cpu_time_total)} "
                f"self_cpu_time={_fmt_time(self.self_cpu_time_total)}>")


class FunctionEventAvg:
    """The events of one name together (``key``, ``count``, totals and the average)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        # no accelerator here: torch's device columns are zero and not printed
        self.device_time_total = self.self_device_time_total = 0.0
        self.cuda_time_total = self.self_cuda_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0

    def add(self, event: FunctionEvent) -> FunctionEventAvg:
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        return self

    @property
    def cpu_time(self) -> float:
        """Average CPU time per call, in microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} "
                f"self_cpu_time={_fmt_time(self.self_cpu_time_total)} "
                f"cpu_time={_fmt_time(self.cpu_time)} count={self.count}>")


class EventList(list):
    """A list of events (or of averages) that prints as torch's profiler table."""

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """One :class:`FunctionEventAvg` per event name, in order of first appearance."""
        groups: dict[str, FunctionEventAvg] = {}
        for event in sorted(self, key=lambda e: e.time_range_start_us):
            groups.setdefault(event.key, FunctionEventAvg(event.key)).add(event)
        return EventList(groups.values())

    @property
    def self_cpu_time_total(self) -> float:
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = _MAX_NAME_WIDTH,
              max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, **_: Any) -> str:
        """torch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time avg,
        # of Calls; sorted by ``sort_by`` (an attribute: ``cpu_time_total``,
        ``self_cpu_time_total``, ``count``...), descending, at most ``row_limit`` rows."""
        return _table(self, sort_by, row_limit, max_name_column_width, header)

    def __str__(self) -> str:
        return self.table()


def _fmt_time(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _table(events: list, sort_by: str | None, row_limit: int, max_name: int,
           header: str | None) -> str:
    rows = list(events)
    if sort_by is not None:
        rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
    name_width = min(max((len(e.key) for e in rows), default=4) + 4, max_name)
    widths = (name_width, *(_COLUMN_WIDTH,) * len(_COLUMNS))
    rule = "".join("-" * w + "  " for w in widths)

    def line(cells: tuple) -> str:
        return "".join(str(c).rjust(w) + "  " for c, w in zip(cells, widths, strict=True))

    self_total = sum(e.self_cpu_time_total for e in events)
    out = []
    if header is not None:
        out += ["=" * len(rule), header]
    out += [rule, line(("Name", *_COLUMNS)), rule]
    for e in rows[:row_limit] if row_limit is not None and row_limit >= 0 else rows:
        name = e.key if len(e.key) <= name_width else e.key[:name_width - 3] + "..."
        out.append(line((
            name, _percent(e.self_cpu_time_total, self_total), _fmt_time(e.self_cpu_time_total),
            _percent(e.cpu_time_total, self_total), _fmt_time(e.cpu_time_total),
            _fmt_time(e.cpu_time), e.count)))
    out += [rule, f"Self CPU time total: {_fmt_time(self_total)}", ""]
    return "\n".join(out)


def _percent(part: float, whole: float) -> str:
    return f"{part / whole * 100:.2f}%" if whole else "0.00%"
