"""``torch.memory_format`` and its four values (``torch.contiguous_format``...).

Tensors here own no strided memory, so a memory format changes no layout; the objects exist so
that code passing ``memory_format=torch.channels_last`` (to ``contiguous``, ``clone``, ``to``,
``empty_like``...) runs, and compares and prints as torch's do.
"""

from __future__ import annotations


class memory_format:  # noqa: N801 - torch's name
    """One memory format; ``repr`` is its torch spelling, identity is equality (singletons)."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name  # pickles as the module-level singleton


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

__all__ = ["memory_format", "contiguous_format", "preserve_format", "channels_last",
           "channels_last_3d"]
