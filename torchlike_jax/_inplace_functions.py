"""torch's top-level in-place functions (``torch.sin_(x)``, ``torch.relu_(x)``, ``torch.clamp_``).

torch exposes some ``Tensor.<name>_`` methods as functions too; which ones is recorded from torch
(``ops/recorded_surface.INPLACE_FUNCTIONS``). Each function calls the method, so the in-place
machinery (version counter, leaf checks, dtype cast check, ``grad_fn`` move) stays in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .core.recorded_surface import INPLACE_FUNCTIONS
from .core.tensor import Tensor


def _function(name: str) -> Callable[..., Tensor]:
    method = getattr(Tensor, name)

    def fn(*args: Any, **kwargs: Any) -> Tensor:
        if not args:
            raise TypeError(f'{name}() missing 1 required positional arguments: "input"')
        if not isinstance(args[0], Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(args[0]).__name__}")
        return method(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "torchlike_jax"
    fn.__doc__ = f"In-place ``input.{name}(...)`` as a function, as ``torch.{name}``."
    return fn


FUNCTIONS: dict[str, Callable[..., Tensor]] = {n: _function(n) for n in INPLACE_FUNCTIONS}
