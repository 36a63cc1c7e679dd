"""Multi-class margin losses: F.multi_margin_loss and F.multilabel_margin_loss (registered ops,
named after torch's single backward node for every reduction), and
F.triplet_margin_with_distance_loss (a composition: its distance is any user function).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, register
from ..core.surface import expose
from .nn_distance import pairwise_distance
from .nn_losses import _check_reduction, _legacy, _reduce

_NN = "nn.functional"


def _multi_margin(x, y, w, reduction, p, margin):
    xx = upcast_half(x)
    one = xx.ndim == 1
    xx = xx[None] if one else xx
    yy = y.reshape(-1).astype(jnp.int32)
    c = xx.shape[1]
    picked = jnp.take_along_axis(xx, yy[:, None], 1)
    z = jnp.maximum(margin - picked + xx, 0.0)
    z = z * z if p == 2 else z
    if w is not None:
        z = z * upcast_half(w)[yy][:, None]
    z = jnp.where(jnp.arange(c)[None] == yy[:, None], 0.0, z)
    loss = z.sum(1) / c
    loss = loss[0] if one and reduction == "none" else loss
    return _reduce(loss, reduction).astype(x.dtype)


MULTI_MARGIN = register("multi_margin_loss", _multi_margin, "MultiMarginLossBackward0",
                        dtype_rule=FLOAT, participants=(0,), saves_inputs=(0, 1, 2))


def multi_margin_loss(input: Any, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Any = None, size_average: Any = None, reduce: Any = None,
                      reduction: str = "mean") -> Any:
    """F.multi_margin_loss: sum over wrong classes i of max(0, margin - x[y] + x[i])^p / C."""
    need_tensor("multi_margin_loss", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    if input.ndim not in (1, 2) or (input.ndim == 2 and input.shape[1] == 0):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch "
                           f"size, but got: {list(input.shape)}")
    n = 1 if input.ndim == 1 else input.shape[0]
    if target.numel() != n or target.ndim > 1:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to "
                           f"the number of input samples (batch size). Expected target size "
                           f"[{n}], but got {list(target.shape)}. Input has shape "
                           f"{list(input.shape)}.")
    return dispatch(MULTI_MARGIN, (input, target, weight), (reduction, int(p), float(margin)))


def _multilabel_margin(x, y, reduction):
    xx = upcast_half(x)
    one = xx.ndim == 1
    xx, yy = (xx[None], y[None]) if one else (xx, y)
    c = xx.shape[1]
    valid = jnp.cumprod(yy >= 0, axis=1).astype(bool)  # targets up to the first -1
    hit = (yy[:, :, None] == jnp.arange(c)[None, None]) & valid[:, :, None]  # (N, C, C)
    is_target = hit.any(1)  # (N, C)
    xj = jnp.take_along_axis(xx, jnp.clip(yy, 0, c - 1).astype(jnp.int32), 1)  # (N, C)
    z = jnp.maximum(1.0 - (xj[:, :, None] - xx[:, None, :]), 0.0)
    z = jnp.where(valid[:, :, None] & ~is_target[:, None, :], z, 0.0)
    loss = z.sum((1, 2)) / c
    loss = loss[0] if one and reduction == "none" else loss
    return _reduce(loss, reduction).astype(x.dtype)


MULTILABEL_MARGIN = register("multilabel_margin_loss", _multilabel_margin,
                             "MultilabelMarginLossBackward0", dtype_rule=FLOAT,
                             participants=(0,), saves_inputs=(0, 1))


def multilabel_margin_loss(input: Any, target: Any, size_average: Any = None,
                           reduce: Any = None, reduction: str = "mean") -> Any:
    """F.multilabel_margin_loss: target lists each sample's classes, ended by the first -1."""
    need_tensor("multilabel_margin_loss", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.ndim not in (1, 2) or tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    return dispatch(MULTILABEL_MARGIN, (input, target), (reduction,))


def triplet_margin_with_distance_loss(anchor: Any, positive: Any, negative: Any, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Any:
    """F.triplet_margin_with_distance_loss: max(0, margin + d(a, p) - d(a, n)), any ``d``
    (pairwise_distance by default), composed from the ops it calls."""
    need_tensor("triplet_margin_with_distance_loss", anchor, "anchor")
    _check_reduction(reduction)
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: expected margin to be greater "
                         f"than 0, got {margin} instead")
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                           f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    loss = (margin + d_pos - d_neg).clamp_min(0.0)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


for _f in (multi_margin_loss, multilabel_margin_loss, triplet_margin_with_distance_loss):
    expose(_f.__name__, method=False, namespace=_NN)(_f)
