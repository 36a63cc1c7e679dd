"""The arithmetic shared by the old hook-based and the parametrization-based weight and
spectral norms: the norm over every dimension but one, and one power-iteration step."""

from __future__ import annotations

from ..._tensor import Tensor
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
