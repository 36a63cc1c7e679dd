"""Anomaly detection: ``set_detect_anomaly``, ``detect_anomaly`` and the state they switch.

When anomaly mode is on:

* every node recorded in the forward stores the Python stack that created it, formatted like
  torch's, under ``node.metadata["traceback_"]`` (only then: the check in ``dispatch`` is one
  attribute read when the mode is off);
* backward runs **per node** (never through the fused whole-graph jit), and when something fails
  while a node runs — its vjp, a hook, the saved-tensor version check — torch's warning
  ``Error detected in MulBackward0. Traceback of forward call that caused the error: ...`` is
  emitted before the error propagates;
* with ``check_nan`` (the default), a node whose vjp produces NaN raises torch's
  ``Function 'MulBackward0' returned nan values in its 0th output.`` (one host sync per node:
  this mode is for debugging).

The state is **process-wide**, as torch's ``AnomalyMode`` is (a C++ static, not thread-local:
enabling it in one thread is seen by every thread). This module imports nothing else from
``torchlike_jax`` (it sits at the grad-mode layer).
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
import warnings
from typing import Any

from .grad_mode import _DecoratorContextManager

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "is_anomaly_check_nan_enabled", "set_anomaly_enabled"]


class _AnomalyState:
    """The two process-wide switches; hot paths read ``_state.enabled`` directly."""

    __slots__ = ("enabled", "check_nan")

    def __init__(self) -> None:
        self.enabled = False
        self.check_nan = True


_state = _AnomalyState()


class _Backward(threading.local):
    """The node whose backward this thread is running (anomaly mode only): nodes recorded
    meanwhile (``create_graph``) name it as their ``metadata["parent_"]``, as in torch."""

    parent: Any = None


_backward = _Backward()

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
TRACE_KEY = "traceback_"
PARENT_KEY = "parent_"


def is_anomaly_enabled() -> bool:
    """``torch.is_anomaly_enabled()``."""
    return _state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """``torch.is_anomaly_check_nan_enabled()``."""
    return _state.check_nan


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """``torch.set_anomaly_enabled(enabled, check_nan=True)``: set both switches."""
    _state.enabled = bool(enabled)
    _state.check_nan = bool(check_nan)


class detect_anomaly(_DecoratorContextManager):  # noqa: N801 - torch's name
    """Context manager (and, as an extension, decorator) that turns anomaly detection on.

    As in torch, constructing it warns that anomaly detection is enabled; leaving restores the
    previous state. Used as a decorator it warns once, at decoration, and each call runs in a
    fresh context.
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._prev: list[tuple[bool, bool]] = []
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime "
                      "and should only be enabled for debugging.", UserWarning, stacklevel=2)

    def __enter__(self) -> None:
        self._prev.append((_state.enabled, _state.check_nan))
        set_anomaly_enabled(True, self.check_nan)

    def __exit__(self, *exc: object) -> None:
        _state.enabled, _state.check_nan = self._prev.pop()

    def clone(self) -> detect_anomaly:
        new = object.__new__(type(self))  # no second warning per decorated call
        new.check_nan = self.check_nan
        new._prev = []
        return new


class set_detect_anomaly(_DecoratorContextManager):  # noqa: N801 - torch's name
    """Set anomaly detection on or off: as a plain call (takes effect at once, like torch) or as
    a context manager that restores the state current at construction when it exits."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = _state.enabled
        self.prev_check_nan = _state.check_nan
        self.mode = mode
        self.check_nan = check_nan
        set_anomaly_enabled(mode, check_nan)

    def __call__(self, func: Any) -> Any:
        set_anomaly_enabled(self.prev, self.prev_check_nan)  # decorating flips nothing yet
        return super().__call__(func)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        set_anomaly_enabled(self.prev, self.prev_check_nan)

    def clone(self) -> set_detect_anomaly:
        return type(self)(self.mode, self.check_nan)


# ---- used by dispatch and the engine ------------------------------------------------------------
def store_stack(node: Any) -> None:
    """Record the user's stack on ``node`` (torch's ``metadata["traceback_"]``), and the node
    whose backward is running, if any (``metadata["parent_"]``).

    Trailing frames inside this package are dropped, so the last frame is the user's line that
    called the op (torch's ops are C++ and leave no frames of their own).
    """
    frames = traceback.extract_stack()
    while frames and frames[-1].filename.startswith(_PKG_DIR):
        frames.pop()
    meta = node.metadata
    meta[TRACE_KEY] = traceback.format_list(frames)
    parent = _backward.parent
    if parent is not None:
        meta[PARENT_KEY] = parent


def print_stack(node: Any) -> None:
    """torch's ``AnomalyMetadata::print_stack``: warn with the forward traceback of ``node`` and
    of the nodes whose backward created it (``create_graph``)."""
    _warn_stack(node, node.name(), False)
    parent = node.metadata.get(PARENT_KEY)
    while parent is not None:
        _warn_stack(parent, parent.name(), True)
        parent = parent.metadata.get(PARENT_KEY)


def _warn_stack(node: Any, name: str, is_parent: bool) -> None:
    stack = node.metadata.get(TRACE_KEY)
    if stack is None:
        msg = (f"Error detected in {name}. No forward pass information available. Enable "
               "detect anomaly during forward pass for more information.")
    elif not is_parent:
        msg = (f"Error detected in {name}. Traceback of forward call that caused the error:\n"
               + "".join(stack))
    else:
        msg = (f"\n\nPrevious calculation was induced by {name}. Traceback of forward call "
               "that induced the previous calculation:\n" + "".join(stack))
    warnings.warn(msg, UserWarning, stacklevel=_user_stacklevel())


def _user_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside this package."""
    frame, level = sys._getframe(2), 2  # the caller of warnings.warn's caller
    while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
        frame, level = frame.f_back, level + 1
    return level


def nan_error(node: Any, index: int) -> RuntimeError:
    return RuntimeError(f"Function '{node.name()}' returned nan values in its {index}th output.")
