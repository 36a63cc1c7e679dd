"""``torch.random``: the default generator's seed and state, and ``fork_rng``.

The functions are the ones ``torch.*`` exposes (``torch.manual_seed is torch.random.manual_seed``
as in torch); :func:`fork_rng` lets a block draw without moving the caller's stream.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from ._random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]


@contextlib.contextmanager
def fork_rng(devices: Iterable[Any] | None = None, enabled: bool = True,
             _caller: str = "fork_rng", _devices_kw: str = "devices",
             device_type: str | None = None) -> Iterator[None]:
    """Run the block, then put the default generator back where it was (draws inside do not
    move the caller's stream). Only the CPU generator exists here, so ``devices`` /
    ``device_type`` select nothing more; ``enabled=False`` forks nothing."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
