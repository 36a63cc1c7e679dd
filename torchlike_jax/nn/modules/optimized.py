"""``OptimizedModule``: what ``torch.compile(module)`` returns.

torch wraps the module instead of changing it: the wrapper is itself a ``Module`` whose one child
is the original (``_orig_mod``), so its ``state_dict`` keys carry the ``_orig_mod.`` prefix and
its parameters are the original's objects. Its ``forward`` is the compiled ``__call__`` of the
original (the original's hooks run inside the program, the wrapper's own around it). Attribute
reads it lacks, attribute writes and deletes go to the original, ``training`` included, so
``train()``/``eval()`` on either object switch both and the compiled program sees the switch
(module attributes guard it). Registered with :func:`torchlike_jax._compile.register_wrapper`,
since the compile layer sits below ``nn`` and never imports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._compile import register_wrapper
from .module import Module

__all__ = ["OptimizedModule"]


class OptimizedModule(Module):
    """A compiled view of ``mod``: same parameters and buffers, compiled call."""

    #: names kept on the wrapper itself; every other attribute lives on the original module
    _own_attributes = frozenset({"_orig_mod", "forward", "_make_compiled", "__dict__",
                                 "_super_module_initialized"})

    def __init__(self, mod: Module, make_compiled: Callable[[Callable], Callable]) -> None:
        # before Module.__init__: attribute access on self forwards to _orig_mod
        object.__setattr__(self, "_orig_mod", mod)
        object.__setattr__(self, "_super_module_initialized", False)
        super().__init__()
        object.__setattr__(self, "_super_module_initialized", True)
        object.__delattr__(self, "_orig_mod")
        self._modules["_orig_mod"] = mod
        object.__setattr__(self, "_make_compiled", make_compiled)
        self._initialize()

    def _initialize(self) -> None:
        object.__setattr__(self, "forward", self._make_compiled(self._orig_mod.__call__))

    @property
    def training(self) -> bool:  # type: ignore[override]
        return self._orig_mod.training

    @training.setter
    def training(self, value: bool) -> None:
        if self.__dict__.get("_super_module_initialized"):
            self._orig_mod.training = value

    def __len__(self) -> int:
        try:
            return len(self._orig_mod)  # type: ignore[arg-type]
        except TypeError:
            raise TypeError(f"{type(self._orig_mod).__name__} does not support len()") from None

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        if name == "_orig_mod":
            if "_modules" in d:
                return d["_modules"]["_orig_mod"]
            raise AttributeError(name)
        return getattr(self._orig_mod, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(type(self), name) or name in self._own_attributes:
            super().__setattr__(name, value)
        else:
            setattr(self._orig_mod, name, value)

    def __delattr__(self, name: str) -> None:
        if hasattr(type(self), name) or name in self._own_attributes:
            super().__delattr__(name)
        else:
            delattr(self._orig_mod, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(dir(self._orig_mod)))

    # pickling / deepcopy: rebuilt from the original and the compile options (the compiled
    # programs are never copied)
    def __reduce__(self) -> tuple:
        return (self.__class__, (self._orig_mod, self._make_compiled))


def _wrap(mod: Module, make_compiled: Callable[[Callable], Callable]) -> OptimizedModule:
    return OptimizedModule(mod, make_compiled)


register_wrapper(Module, _wrap)
