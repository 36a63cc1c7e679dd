"""``torch.profiler``: ``profile(activities=[ProfilerActivity.CPU])`` and ``record_function``,
the same recorder as ``torch.autograd.profiler`` (``autograd/profiler.py``) with torch.profiler's
constructor, ``start``/``stop``/``step``. Only CPU activity exists here; ``schedule`` and
``on_trace_ready`` are accepted (the trace handler is called once, at ``stop``)."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from typing import Any

from ..autograd import profiler as _autograd_profiler
from ..autograd.profiler import record_function

__all__ = ["profile", "record_function", "ProfilerActivity"]


class ProfilerActivity(enum.Enum):
    """torch's activity kinds; CPU is the one measured."""

    CPU = 0
    XPU = 1
    MTIA = 2
    CUDA = 3
    HPU = 4
    PrivateUse1 = 5


class profile(_autograd_profiler.profile):  # noqa: N801 - torch's name
    """``torch.profiler.profile``: a context manager, or ``start()`` / ``stop()``."""

    def __init__(self, *, activities: Iterable[ProfilerActivity] | None = None,
                 schedule: Callable | None = None, on_trace_ready: Callable | None = None,
                 record_shapes: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_flops: bool = False,
                 with_modules: bool = False, **kwargs: Any) -> None:
        super().__init__(record_shapes=record_shapes, profile_memory=profile_memory,
                         with_stack=with_stack)
        self.activities = set(activities or (ProfilerActivity.CPU,))
        self.on_trace_ready = on_trace_ready
        self.step_num = 0

    def start(self) -> None:
        self.__enter__()

    def stop(self) -> None:
        self.__exit__(None, None, None)

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        if self.on_trace_ready is not None:
            self.on_trace_ready(self)

    def step(self) -> None:
        """Marks a training step (schedules are not modelled: every step is recorded)."""
        self.step_num += 1
