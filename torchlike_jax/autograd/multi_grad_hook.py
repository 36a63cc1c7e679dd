"""``torch.autograd.graph.register_multi_grad_hook``: one hook over the gradients of many tensors.

Built, as torch builds it, from ordinary tensor hooks plus two questions the engine answers
about the backward call running them (:func:`engine.current_graph_task_id`,
:func:`engine.will_execute_node`): in ``"all"`` mode the hook fires once the gradients of every
tensor that this call reaches have arrived, with None for the others; in ``"any"`` mode it fires
on the first gradient of each call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..core.graph import grad_accumulator
from . import engine


class _MultiHandle:
    """The handle of a multi-grad hook: ``remove()`` removes every tensor hook it made."""

    __slots__ = ("handles",)

    def __init__(self, handles: tuple) -> None:
        self.handles = handles

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def __enter__(self) -> _MultiHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def _node_of(t: Any) -> Any:
    return t._grad_fn if t._grad_fn is not None else grad_accumulator(t)


def _task_id() -> int:
    task = engine.current_graph_task_id()
    if task == -1:
        raise AssertionError("expected this hook to be called inside a backward call")
    return task


def register_multi_grad_hook(tensors: Sequence[Any], fn: Callable[..., None], *,
                             mode: str = "all") -> _MultiHandle:
    """Call ``fn`` once per backward: with every tensor's gradient (None where the backward
    does not reach it) in ``"all"`` mode, with the first gradient in ``"any"`` mode."""
    supported_modes = ("all", "any")
    if mode not in supported_modes:
        raise ValueError(f"Expects mode to be one of {supported_modes} but got {mode}")
    lock = threading.Lock()
    if mode == "any":
        ran: dict[int, bool] = {}

        def wrapped(grad: Any) -> None:
            task = _task_id()
            with lock:
                prev, ran[task] = ran.get(task, False), True
            if not prev:
                fn(grad)

        return _MultiHandle(tuple(t.register_hook(wrapped) for t in tensors
                                  if t.requires_grad))
    tensors = tuple(tensors)
    nodes = [_node_of(t) for t in tensors]
    count: dict[int, int] = {}
    expected: dict[int, int] = {}
    buffer: dict[int, list] = {}

    def inner(idx: int) -> Callable[[Any], None]:
        def hook(grad: Any) -> None:
            task = _task_id()
            with lock:
                seen = count.get(task, 0)
                count[task] = seen + 1
                if seen == 0:  # first gradient of this call: how many will come
                    expected[task] = sum(map(engine.will_execute_node, nodes))
                    buffer[task] = [None] * len(tensors)
                buffer[task][idx] = grad
                done = seen == expected[task] - 1
                grads = buffer.pop(task) if done else None
                if done:
                    del count[task], expected[task]
            if done:
                fn(grads)

        return hook

    return _MultiHandle(tuple(t.register_hook(inner(i)) for i, t in enumerate(tensors)))
