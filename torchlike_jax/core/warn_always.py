"""torch's once-per-process warnings (``TORCH_WARN_ONCE``) and ``torch.set_warn_always`` /
``is_warn_always_enabled``, the switch that turns them into warnings on every occurrence.

Code that warns once calls :func:`warn_once` with a key naming the warning; this module alone
remembers which keys have warned."""

from __future__ import annotations

import warnings

_state = {"always": False}
_warned: set[str] = set()


def set_warn_always(b: bool, /) -> None:
    """Warn on every occurrence (True) or once per process (False, the default)."""
    _state["always"] = bool(b)


def is_warn_always_enabled() -> bool:
    """Whether :func:`set_warn_always` turned the flag on."""
    return _state["always"]


def warn_once(key: str, message: str, category: type[Warning] = UserWarning,
              stacklevel: int = 2) -> None:
    """Warn the first time ``key`` is met in this process, or every time under
    ``set_warn_always(True)``; as in torch, a warning given under that switch does not use up
    the one warning of the normal mode. ``stacklevel`` counts from the caller, as
    ``warnings.warn``'s."""
    if not _state["always"]:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(message, category, stacklevel=stacklevel + 1)
