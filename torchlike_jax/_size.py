"""``torch.Size``: a tuple of ints that prints as ``torch.Size([2, 3])``."""

from __future__ import annotations


class Size(tuple):
    """Tensor shape; a plain tuple with torch's repr and ``numel()``."""

    __slots__ = ()

    def __new__(cls, sizes=()) -> Size:
        return super().__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def __getitem__(self, item):
        out = super().__getitem__(item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))
