"""``torch.autograd._force_original_view_tracking`` and ``is_view_replay_enabled``.

The switch lives with the views (``core.views.replay``): when it is on, a view whose base was
written in place gets its ``grad_fn`` by replaying its own view ops (``ViewBackward0``...),
otherwise one ``AsStridedBackward0`` covers the chain, as torch does by default.
"""

from __future__ import annotations

from typing import Any

from ..core.grad_mode import _DecoratorContextManager
from ..core.views import replay

__all__ = ["_force_original_view_tracking", "is_view_replay_enabled"]


def is_view_replay_enabled() -> bool:
    return replay.enabled


class _force_original_view_tracking(_DecoratorContextManager):  # noqa: N801 - torch's name
    """Turn view replay on or off: at once when called (so it works as a plain function), and
    back to the previous state when the ``with`` block (or decorated call) ends."""

    def __init__(self, mode: bool) -> None:
        self.prev = replay.enabled
        self.mode = mode
        replay.enabled = mode

    def __call__(self, orig_func: Any) -> Any:
        replay.enabled = self.prev
        return super().__call__(orig_func)

    def __enter__(self) -> None:
        replay.enabled = self.mode

    def __exit__(self, *args: Any) -> None:
        replay.enabled = self.prev

    def clone(self) -> _force_original_view_tracking:
        return self.__class__(self.mode)
