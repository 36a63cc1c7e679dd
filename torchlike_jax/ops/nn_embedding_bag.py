"""F.embedding_bag: sums, means or maxima of bags of embedding rows, one registered op.

Bags are segments of a flat index list (``offsets`` gives each bag's start) or the rows of a
2-D index tensor. Each index finds its bag by a search over the offsets inside the jitted
function, so new offsets never recompile; the number of bags is the output's shape and comes
from the shapes. ``padding_idx`` entries are left out of the bag (and of a mean's count),
and empty bags give zeros, as torch.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose


def _bag(w, idx, offsets, psw, mode, n_bags, padding_idx, two_d):
    ww = upcast_half(w)
    if two_d:
        b, length = idx.shape
        seg = jnp.repeat(jnp.arange(b), length)
        idx = idx.reshape(-1)
    else:
        seg = jnp.searchsorted(offsets, jnp.arange(idx.shape[0]), side="right") - 1
    seg = jnp.where(seg < 0, n_bags, seg)  # before the first offset: dropped
    rows = jnp.take(ww, idx, axis=0)
    keep = jnp.ones(idx.shape, bool) if padding_idx is None else idx != padding_idx
    if mode == "max":
        vals = jnp.where(keep[:, None], rows, -jnp.inf)
        out = jax.ops.segment_max(vals, seg, num_segments=n_bags)
        out = jnp.where(jnp.isneginf(out), 0.0, out)
        return out.astype(w.dtype)
    if psw is not None:
        rows = rows * upcast_half(psw)[:, None]
    rows = jnp.where(keep[:, None], rows, 0.0)
    out = jax.ops.segment_sum(rows, seg, num_segments=n_bags)
    if mode == "mean":
        count = jax.ops.segment_sum(keep.astype(ww.dtype), seg, num_segments=n_bags)
        out = out / jnp.maximum(count, 1)[:, None]
    return out.astype(w.dtype)


EMBEDDING_BAG = register("embedding_bag", _bag, "EmbeddingBagBackward0", dtype_rule=KEEP,
                         saves_inputs=(0, 1, 2))


def embedding_bag(input: Any, weight: Any, offsets: Any = None, max_norm: float | None = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean",
                  sparse: bool = False, per_sample_weights: Any = None,
                  include_last_offset: bool = False, padding_idx: int | None = None) -> Any:
    """F.embedding_bag: one reduced row per bag (mode 'sum', 'mean' or 'max')."""
    need_tensor("embedding_bag", input)
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding_bag: max_norm, scale_grad_by_freq and sparse are "
                                  "not supported by torchlike_jax")
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        n_bags = input.shape[0]
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        n_bags = offsets.shape[0] - (1 if include_last_offset else 0)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. "
                                  f"per_sample_weights is only supported for mode='sum' (got "
                                  f"mode='{mode}'). Please open a feature request on GitHub.")
    if padding_idx is not None:
        n = weight.shape[0]
        if not -n <= padding_idx < n:
            raise RuntimeError(f"padding_idx must be within the number of embeddings, {-n} "
                               f"through {n - 1}, but got {padding_idx}")
        padding_idx %= n
    psw = per_sample_weights.reshape(-1) if per_sample_weights is not None else None
    return dispatch(EMBEDDING_BAG, (weight, input, offsets, psw),
                    (mode, int(n_bags), padding_idx, input.ndim == 2))


expose("embedding_bag", method=False, namespace="nn.functional")(embedding_bag)
