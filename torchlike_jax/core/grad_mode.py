"""Grad mode and inference mode: the switches that decide whether autograd records operations.

The state lives in ``_local``, a :class:`threading.local`, because that is PyTorch's contract:
``no_grad`` and friends only affect the thread that entered them. A worker thread (a data
loader, a server handler) always starts with grad enabled and inference mode off, whatever the
thread that spawned it is doing, and nothing it switches leaks back. Hot paths elsewhere in the
package read ``_local.grad_enabled`` and ``_local.inference_mode`` directly, so those two plain
attributes are the whole state.

Every context manager here doubles as a decorator. A decorated function simply runs inside a
fresh context. Generators and coroutines need more care, because they are suspended and resumed:
holding the context open across a ``yield``/``await`` would leak the decorator's mode into
whatever code runs in the meantime (the caller, or other tasks on the event loop, which share
this thread's state), and would let them change the mode under the suspended body. So the
decorator drives the generator or coroutine one step at a time, entering a fresh context for
every resume (``send``/``throw``/``close``) and leaving it at every suspension. PyTorch does this
for generators but not for ``async def`` functions, whose coroutines it creates inside the
context and then runs outside it; here coroutines get the same step-wise treatment.

This module is the bottom layer of the autograd package: it imports nothing else from
``torchlike_jax``.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import threading
import types
import warnings
from collections.abc import Callable, Generator
from typing import Any, TypeVar

__all__ = [
    "GradMode",
    "enable_grad",
    "get_grad_mode",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "set_grad_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


class _GradState(threading.local):
    """Per-thread autograd switches; the class attributes are every new thread's defaults."""

    grad_enabled: bool = True
    inference_mode: bool = False


_local = _GradState()


def is_grad_enabled() -> bool:
    """Return True if gradient recording is currently enabled in this thread."""
    return _local.grad_enabled


def is_inference_mode_enabled() -> bool:
    """Return True if inference mode is currently enabled in this thread."""
    return _local.inference_mode


@dataclasses.dataclass(frozen=True)
class GradMode:
    """Immutable snapshot of this thread's autograd switches (extension, not in PyTorch).

    ``bool(snapshot)`` is True exactly when grad is enabled.
    """

    grad_enabled: bool
    inference_mode: bool

    def __bool__(self) -> bool:
        return self.grad_enabled


def get_grad_mode() -> GradMode:
    """Return a :class:`GradMode` snapshot of the current thread's state.

    Extension: PyTorch has no equivalent; it only offers the separate ``is_*_enabled`` queries.
    """
    return GradMode(_local.grad_enabled, _local.inference_mode)


# ---- decorator machinery --------------------------------------------------------------------


def _drive(make_ctx: Callable[[], Any], gen: Any) -> Generator[Any, Any, Any]:
    """Run generator or coroutine ``gen`` one step at a time, each step in a fresh context.

    Whatever the caller sends, throws or closes is forwarded; between steps the caller's own
    mode is in force.
    """
    try:
        with make_ctx():
            out = gen.send(None)
        while True:
            try:
                sent = yield out
            except GeneratorExit:
                with make_ctx():
                    gen.close()
                raise
            except BaseException as exc:
                with make_ctx():
                    out = gen.throw(exc)
            else:
                with make_ctx():
                    out = gen.send(sent)
    except StopIteration as stop:
        return stop.value


@types.coroutine
def _drive_coroutine(make_ctx: Callable[[], Any], coro: Any) -> Generator[Any, Any, Any]:
    # A generator-based coroutine, so that an ``async def`` wrapper can ``await`` the driver.
    return (yield from _drive(make_ctx, coro))


class _DecoratorContextManager:
    """A context manager that can also decorate functions, generators and coroutines."""

    def __enter__(self) -> None:
        raise NotImplementedError

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        raise NotImplementedError

    def clone(self) -> _DecoratorContextManager:
        """Return a fresh copy of this context manager (used for each decorated call)."""
        return type(self)()

    def __call__(self, func: F) -> F:
        if isinstance(func, (staticmethod, classmethod)):
            return type(func)(self(func.__func__))  # type: ignore[return-value]
        if inspect.isclass(func):
            # PyTorch deprecates this but still supports it: only construction is wrapped.
            warnings.warn(
                "Decorating classes is deprecated and will be disabled in future versions. "
                "You should only decorate functions or methods. To preserve the current "
                "behavior of class decoration, you can directly decorate the `__init__` "
                "method and nothing else.",
                FutureWarning,
                stacklevel=2,
            )
            cls = func
            func = lambda *args, **kwargs: cls(*args, **kwargs)  # type: ignore[assignment]
        make_ctx = self.clone

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def wrapper(*args: Any, **kwargs: Any) -> Any:
                return await _drive_coroutine(make_ctx, func(*args, **kwargs))

        elif inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return (yield from _drive(make_ctx, func(*args, **kwargs)))

        else:

            @functools.wraps(func)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                with make_ctx():
                    return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Adds bare decoration: ``@no_grad`` means ``@no_grad()``."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class _GradSwitch(_NoParamDecoratorContextManager):
    """Set grad mode to ``_enabled`` on enter and restore it on exit (re-entrant)."""

    _enabled: bool

    def __init__(self) -> None:
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_local.grad_enabled)
        _local.grad_enabled = self._enabled

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        _local.grad_enabled = self._prev.pop()


class no_grad(_GradSwitch):
    """Context manager and decorator that disables gradient recording in this thread.

    Usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.
    """

    _enabled = False


class enable_grad(_GradSwitch):
    """Context manager and decorator that enables gradient recording in this thread.

    Usable as ``with enable_grad():``, ``@enable_grad()`` and ``@enable_grad``.
    """

    _enabled = True


def _check_bool(mode: Any) -> None:
    if not isinstance(mode, bool):
        t = type(mode)
        name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
        raise TypeError(
            f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, not {name}"
        )


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode to ``mode``: as a plain call, a context manager, or a decorator.

    As in PyTorch, the mode flips as soon as the object is constructed, so a bare
    ``set_grad_enabled(False)`` call takes effect at once. Leaving a ``with`` block restores the
    mode that was current at construction; used as a decorator it does not flip anything until
    the decorated function runs.
    """

    def __init__(self, mode: bool) -> None:
        _check_bool(mode)
        self.prev = _local.grad_enabled
        self.mode = mode
        _local.grad_enabled = mode

    def __call__(self, func: F) -> F:
        _local.grad_enabled = self.prev
        return super().__call__(func)

    def __enter__(self) -> None:
        _local.grad_enabled = self.mode

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        _local.grad_enabled = self.prev

    def clone(self) -> set_grad_enabled:
        return type(self)(self.mode)

    def __repr__(self) -> str:
        cls = type(self)
        return f"{cls.__module__}.{cls.__qualname__}(mode={self.mode})"


class inference_mode(_DecoratorContextManager):
    """Context manager and decorator that turns inference mode on (or, with ``mode=False``, off).

    Entering sets grad mode to ``not mode`` and inference mode to ``mode``, whatever they were
    before (as PyTorch does: ``inference_mode(False)`` even re-enables grad inside ``no_grad``);
    leaving restores both. A non-bool argument is taken as a function to decorate, so bare
    ``@inference_mode`` works.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self._prev: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        self._prev.append((_local.grad_enabled, _local.inference_mode))
        _local.grad_enabled = not self.mode
        _local.inference_mode = self.mode

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        _local.grad_enabled, _local.inference_mode = self._prev.pop()

    def clone(self) -> inference_mode:
        return type(self)(self.mode)


# torch's public home for the switches is torch.autograd.grad_mode: reprs and pickles name it
for _switch in (no_grad, enable_grad, set_grad_enabled, inference_mode):
    _switch.__module__ = "torchlike_jax.autograd.grad_mode"
