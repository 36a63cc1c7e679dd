"""``torch.autograd.profiler``: ``profile`` and ``record_function`` over this library's ops.

While a ``profile`` is entered, every dispatched op is timed (``core/profiling.py``, waiting
for its result, as torch's CPU time includes the kernel) and every ``record_function`` range is
an event; on exit the events become an :class:`~.profiler_util.EventList`, whose
``key_averages().table(sort_by=..., row_limit=...)`` prints torch's table. Ops are named
``aten::<our op name>`` (``aten::add``, ``aten::mm``...); torch's internal ops (``aten::to``,
``aten::empty_strided``) have no counterpart, and the times are this library's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..core import profiling
from .profiler_util import EventList, FunctionEvent, FunctionEventAvg

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]


class profile:  # noqa: N801 - torch's name
    """Record ops and ranges run inside ``with profile() as prof:``. Options about devices,
    shapes, memory and stacks are accepted; only CPU times are measured."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False, use_device: Any = None,
                 record_shapes: bool = False, with_flops: bool = False,
                 profile_memory: bool = False, with_stack: bool = False,
                 with_modules: bool = False, use_kineto: bool = True, use_cpu: bool = True,
                 **_: Any) -> None:
        self.enabled = enabled
        self.function_events: EventList | None = None
        self.entered = False

    def __enter__(self) -> profile:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        profiling.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.enabled:
            return
        self.function_events = EventList(FunctionEvent(*e) for e in profiling.stop())
        self.entered = False

    def _events(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def events(self) -> EventList:
        return self._events()

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        return self._events().key_averages(group_by_input_shape, group_by_stack_n)

    def table(self, sort_by: str | None = None, row_limit: int = 100, **kwargs: Any) -> str:
        return self._events().table(sort_by=sort_by, row_limit=row_limit, **kwargs)

    @property
    def self_cpu_time_total(self) -> float:
        return self._events().self_cpu_time_total

    def __str__(self) -> str:
        return self.table()


class record_function:  # noqa: N801 - torch's name
    """A named range in the profile (``with record_function("forward"):``), also usable as a
    decorator; costs nothing when no profiler records."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name
        self.args = args
        self._event: list | None = None

    def __enter__(self) -> record_function:
        self._event = profiling.open_range(self.name)
        return self

    def __exit__(self, *exc: Any) -> None:
        profiling.close_range(self._event)
        self._event = None

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapper
