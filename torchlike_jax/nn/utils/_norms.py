"""The arithmetic shared by the old hook-based and the parametrization-based weight and
spectral norms: the norm over every dimension but one, and one power-iteration step; and the
removal the two hook-based ones share."""

from __future__ import annotations

from typing import Any

from ...core.tensor import Tensor
from .. import functional as F


def norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """2-norm of ``v`` over every dimension except ``dim`` (kept, size 1 elsewhere);
    ``dim=-1`` is the norm of the whole tensor, as torch's ``norm_except_dim``."""
    if dim == -1:
        return (v * v).sum().sqrt()
    dims = tuple(d for d in range(v.dim()) if d != dim)
    if not dims:
        return v.abs()
    return (v * v).sum(dims, keepdim=True).sqrt()


def weight_norm(v: Tensor, g: Tensor, dim: int) -> Tensor:
    """``v * (g / ||v||)`` with the norm taken as :func:`norm_except_dim`."""
    return v * (g / norm_except_dim(v, dim))


def to_matrix(weight: Tensor, dim: int) -> Tensor:
    """``dim`` first, the rest flattened: the matrix whose largest singular value is used."""
    if dim != 0:
        weight = weight.permute(dim, *(d for d in range(weight.dim()) if d != dim))
    return weight.reshape(weight.shape[0], -1)


def normalize(x: Tensor, eps: float) -> Tensor:
    return F.normalize(x, dim=0, eps=eps)


def remove_hook(module: Any, hook_type: type, name: str, what: str) -> Any:
    """Undo the ``hook_type`` forward pre-hook on ``module.<name>`` (``what`` names the
    function in the error when there is none)."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, hook_type) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"{what} of '{name}' not found in {module}")
