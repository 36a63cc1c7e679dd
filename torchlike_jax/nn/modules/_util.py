"""Helpers shared by layer modules (torch's ``_single`` / ``_pair``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _ntuple(n: int, name: str):
    def parse(x: Any) -> tuple:
        if isinstance(x, Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple([x] * n)

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
