"""``torch.set_warn_always`` / ``is_warn_always_enabled``: the switch that turns torch's
once-per-process warnings (``TORCH_WARN_ONCE``) into warnings on every occurrence, for debugging.
Code that warns once asks :func:`should_warn` with whether it already warned."""

from __future__ import annotations

_state = {"always": False}


def set_warn_always(b: bool, /) -> None:
    """Warn on every occurrence (True) or once per process (False, the default)."""
    _state["always"] = bool(b)


def is_warn_always_enabled() -> bool:
    """Whether :func:`set_warn_always` turned the flag on."""
    return _state["always"]


def should_warn(already_warned: bool) -> bool:
    """For a once-per-process warning: warn unless it was warned before and the flag is off."""
    return not already_warned or _state["always"]
