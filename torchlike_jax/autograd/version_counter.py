"""``torch.autograd._unsafe_preserve_version_counter``: hide in-place writes from autograd.

Version counters live on a tensor's storage (a view's is its base's), so the context manager
records each tensor's counter on entry and writes it back on exit, as torch's does through its
``_unsafe_set_version_counter``; nothing between is checked or undone.
"""

from __future__ import annotations

from typing import Any

from ..core.grad_mode import _DecoratorContextManager
from ..core.tensor import Tensor

__all__ = ["_unsafe_preserve_version_counter"]


class _unsafe_preserve_version_counter(_DecoratorContextManager):  # noqa: N801 - torch's name
    """Leave the version counters of ``tensors`` (one tensor or a tuple) as they were on entry."""

    def __init__(self, tensors: Tensor | tuple[Tensor, ...]) -> None:
        self.tensors = (tensors,) if isinstance(tensors, Tensor) else tensors
        if not isinstance(self.tensors, tuple):
            raise AssertionError("Expected tensors to be a tuple")
        self.prev_versions = tuple(t._version for t in self.tensors)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *args: Any) -> None:
        for t, v in zip(self.tensors, self.prev_versions, strict=True):
            t._st.version = v
