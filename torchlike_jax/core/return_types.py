"""``torch.return_types``: the named tuples multi-output ops return (``max``, ``sort``,
``linalg_svd``...), made by one factory so every one prints like torch's and is importable from
``torchlike_jax.return_types``."""

from __future__ import annotations

from collections import namedtuple

TYPES: dict[str, type] = {}


def return_type(kind: str, fields: tuple[str, ...] | list[str]) -> type:
    """A ``torch.return_types.<kind>`` named tuple class, with torch's multi-line repr."""
    if kind in TYPES:
        return TYPES[kind]
    base = namedtuple(kind, fields)

    def __repr__(self) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
        return f"torch.return_types.{kind}(\n{body})"

    cls = type(kind, (base,), {"__slots__": (), "__repr__": __repr__,
                               "__module__": "torch.return_types"})
    cls.__qualname__ = kind
    TYPES[kind] = cls
    return cls
