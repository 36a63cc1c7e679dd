"""F.cosine_similarity and F.pairwise_distance (also published in ``torch``).

Both compute in float32 for half inputs and are recorded under the node torch's composite
implementation ends with (``SumBackward1``, ``NormBackward1``).
"""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dims import norm_dim
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, register
from ..core.surface import expose
from .nn_common import NN


def _cosine_similarity(a, b, dim, eps):
    a, b = upcast_half(a), upcast_half(b)
    a, b = jnp.broadcast_arrays(a, b)
    na = jnp.sqrt(jnp.sum(a * a, axis=dim, keepdims=True))
    nb = jnp.sqrt(jnp.sum(b * b, axis=dim, keepdims=True))
    return jnp.sum((a / jnp.maximum(na, eps)) * (b / jnp.maximum(nb, eps)), axis=dim)


COSINE_SIMILARITY = register("cosine_similarity", _cosine_similarity, "SumBackward1",
                             dtype_rule=FLOAT, saves_inputs=(0, 1))


def _pnorm(v, p, axis, keepdim):
    if p == math.inf:
        return jnp.max(jnp.abs(v), axis=axis, keepdims=keepdim)
    if p == 2:
        return jnp.sqrt(jnp.sum(v * v, axis=axis, keepdims=keepdim))
    if p == 1:
        return jnp.sum(jnp.abs(v), axis=axis, keepdims=keepdim)
    return jnp.sum(jnp.abs(v) ** p, axis=axis, keepdims=keepdim) ** (1.0 / p)


def _pairwise_distance(a, b, p, eps, keepdim):
    d = upcast_half(a) - upcast_half(b) + eps
    if d.ndim == 0:
        return jnp.abs(d)
    return _pnorm(d, p, -1, keepdim)


PAIRWISE_DISTANCE = register("pairwise_distance", _pairwise_distance, "NormBackward1",
                             dtype_rule=FLOAT, saves_inputs=(0, 1))


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-8) -> Any:
    """F.cosine_similarity along ``dim`` (inputs broadcast); norms are clamped to ``eps``."""
    need_tensor("cosine_similarity", x1, "x1")
    nd = max(x1.ndim, x2.ndim)
    d = norm_dim(dim, nd)
    return dispatch(COSINE_SIMILARITY, (x1, x2), (d, float(eps)))


def pairwise_distance(x1: Any, x2: Any, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Any:
    """F.pairwise_distance: ||x1 - x2 + eps||_p over the last dim."""
    need_tensor("pairwise_distance", x1, "x1")
    return dispatch(PAIRWISE_DISTANCE, (x1, x2), (float(p), float(eps), bool(keepdim)))


for _f in (cosine_similarity, pairwise_distance):
    expose(_f.__name__, method=False, namespace=(NN, "torch"))(_f)
