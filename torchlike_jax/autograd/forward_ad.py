"""``torch.autograd.forward_ad``: dual tensors for forward-mode AD (Jacobian-vector products).

The user-facing half: levels, ``make_dual`` and ``unpack_dual`` with torch's checks and
messages. Tangent storage and propagation through every op are in
:mod:`torchlike_jax.core.forward_ad` (dispatch runs ``jax.jvp`` of each op's own function), so
this module only creates and reads dual tensors. As in torch, one level exists at a time and
its tangents are dropped when it exits.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..core import forward_ad as _fw
from ..core.dispatch import dispatch
from ..core.grad_mode import _DecoratorContextManager
from ..core.tensor import Tensor
from ..ops.shape import ALIAS, RESHAPE

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual",
           "unpack_dual", "dual_level"]

#: torch's module global (its tests and some scripts read it); the level itself lives in
#: ``core.forward_ad.state``, which dispatch reads
_current_level = -1


def enter_dual_level() -> int:
    """Enter a new forward grad level (only one may exist) and make it the current one."""
    if _fw.state.level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    global _current_level
    _fw.state.level = _current_level = 0
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Exit the current level: every tangent made in it is dropped."""
    current = _fw.state.level
    if level is None:
        level = current
    if level != current:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that "
                           "was created. This is not supported.")
    if level < 0:
        raise RuntimeError("Dual level must be a positive number.")
    global _current_level
    _fw.clear()
    _fw.state.level = _current_level = level - 1


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of ``tensor`` carrying ``tangent`` as its forward gradient."""
    if level is None:
        level = _fw.state.level
    if level < 0:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, "
                           "make sure to enter_dual_level() first.")
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(f"Expected tangent to be floating point or complex, but got: "
                         f"{tangent.dtype}")
    if level != _fw.state.level:
        raise RuntimeError("Invalid level given to _make_dual")
    if _fw.get(tensor) is not None:
        raise RuntimeError("Making a dual Tensor based on a Tensor that already has a forward "
                           f"gradient at the same level {level} is not supported.")
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}.")
    out = dispatch(RESHAPE, (tensor,), (tuple(tensor.shape),))
    _fw.mark_root(out)
    _fw.put_handle(out, tangent)  # the tangent is re-used as-is, as torch does
    return out


class UnpackedDualTensor(NamedTuple):
    """What :func:`unpack_dual` returns: the primal view and the tangent (or None)."""

    primal: Tensor
    tangent: Tensor | None


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)``: a tangent-free view of ``tensor`` and its tangent (None if none)."""
    if level is None:
        level = _fw.state.level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    tangent = _fw.tangent_tensor(tensor)
    primal = dispatch(ALIAS, (tensor,))
    _fw.put(primal, None)
    _fw.mark_root(primal)
    return UnpackedDualTensor(primal, tangent)


class dual_level(_DecoratorContextManager):
    """Context manager (and decorator) holding the one forward AD level for its duration."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        exit_dual_level()
