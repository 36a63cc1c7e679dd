"""numpy-style keyword aliases (``axis`` for ``dim``, ``keepdims`` for ``keepdim``).

torch's argument parser renames these before any native function sees them, so every op in
``recorded_surface`` takes them as ``torch.f(x, axis=0)`` and ``x.f(axis=0)``. Doing it here,
once, when :func:`~torchlike_jax.ops.surface.expose` publishes a name, keeps the op modules
unaware of aliases; the table says which names torch accepts them for (Python-level torch
functions such as ``torch.norm`` do not), so ours reject exactly where torch does.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from . import recorded_surface as _table

_CANONICAL = {"axis": "dim", "keepdims": "keepdim"}


def _positional_index(fn: Callable, param: str) -> int | None:
    """Where ``param`` sits among ``fn``'s positional parameters (None: keyword-only/absent)."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return None
    for i, p in enumerate(params):
        if p.name == param:
            return i if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) else None
    return None


def with_aliases(fn: Callable, name: str, aliases: tuple[str, ...]) -> Callable:
    """``fn`` also taking ``aliases`` for their canonical keywords.

    Giving both an alias and its canonical argument (by keyword or position) is torch's
    TypeError "got an unexpected keyword argument"; calls without an alias pay one dict check.
    """
    slots = {a: _positional_index(fn, _CANONICAL[a]) for a in aliases}

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if kwargs:
            for alias, pos in slots.items():
                if alias in kwargs:
                    canon = _CANONICAL[alias]
                    if canon in kwargs or (pos is not None and len(args) > pos):
                        raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
                    kwargs[canon] = kwargs.pop(alias)
        return fn(*args, **kwargs)

    return wrapper


def for_function(fn: Callable, name: str, namespace: str, memo: dict) -> Callable:
    """What ``torch.<name>`` (or a function in another namespace) should be. ``memo`` (one per
    ``expose`` call) makes aliases of one op the same object (``torch.concat is torch.cat``)."""
    aliases = _table.NUMPY_FUNCTIONS.get(name) if namespace == "torch" else None
    if not aliases:
        return fn
    if aliases not in memo:
        memo[aliases] = with_aliases(fn, name, aliases)
    return memo[aliases]


def for_method(fn: Callable, name: str, memo: dict) -> Callable:
    """The function behind ``Tensor.<name>`` (``memo`` as in :func:`for_function`)."""
    aliases = _table.NUMPY_METHODS.get(name)
    if not aliases:
        return fn
    if aliases not in memo:
        memo[aliases] = with_aliases(fn, name, aliases)
    return memo[aliases]
