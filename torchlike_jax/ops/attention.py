"""torch.nn.functional attention: ``scaled_dot_product_attention`` and
``multi_head_attention_forward`` (plus torch's private mask helpers ``_canonical_mask`` and
``_none_or_dtype``, which transformer code calls through ``F``).

torch picks one of two CPU backends for SDPA, and the ``grad_fn`` a user sees tells which, so
both exist here: its fused flash kernel (4-D inputs of one head size, equal batch sizes, no
dropout) is one registered op named ``ScaledDotProductFlashAttentionForCpuBackward0``; every
other case is torch's "math" composition of registered ops (matmul, masked_fill, softmax,
dropout), whose last node (``UnsafeViewBackward0`` / ``MmBackward0``) is torch's too.
Multi-head attention composes linear, baddbmm, softmax and SDPA as torch's Python does.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtypes as dtypes
from .._dtypes import cpp_type_name, legacy_name, upcast_half
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from .joining import cat
from .linalg import baddbmm, bmm
from .nn_activations import softmax
from .nn_dropout import dropout
from .nn_linear import linear
from .nn_padding import pad

_NN = "nn.functional"
def _const(host: np.ndarray, dtype: Any) -> Any:
    """A constant tensor (a mask) from a host array: no graph, no grad."""
    from .._creation import _leaf

    return _leaf(host, dtype, False)


def _need_tensor(x: Any, arg: str, pos: int, fn: str) -> None:

    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                        f"{type(x).__name__}")


# ---- scaled dot-product attention --------------------------------------------------------------
def _sdpa_checks(query: Any, key: Any, value: Any, attn_mask: Any, is_causal: bool) -> None:
    """torch's argument checks, in torch's order, with its messages."""
    fn = "scaled_dot_product_attention"
    for pos, (name, t) in enumerate((("query", query), ("key", key), ("value", value)), 1):
        _need_tensor(t, name, pos, fn)
    if attn_mask is not None:
        _need_tensor(attn_mask, "attn_mask", 4, fn)
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {cpp_type_name(query.dtype)} key.dtype: "
                           f"{cpp_type_name(key.dtype)} and "
                           f"value.dtype: {cpp_type_name(value.dtype)} instead.")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.ndim} key.dim: {key.ndim} and value.dim: "
                           f"{value.ndim} instead.")
    if attn_mask is not None and attn_mask.dtype not in (dtypes.bool_, dtypes.float32, query.dtype):
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query "
                           f"dtype, but got attn_mask.dtype: {cpp_type_name(attn_mask.dtype)} and  "
                           f"query.dtype: {cpp_type_name(query.dtype)} instead.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {legacy_name(query.dtype)}")


def _repeat_heads(query: Any, kv: Any) -> Any:
    """enable_gqa: repeat each key/value head so the head counts match the query's."""
    hq, hkv = query.shape[-3], kv.shape[-3]
    if hq % hkv:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    return kv if hq == hkv else kv.repeat_interleave(hq // hkv, dim=-3)


def _batch_numel(*shapes: tuple) -> int:
    return math.prod(np.broadcast_shapes(*(s[:-2] for s in shapes)))


def _check_mask_shape(scores: tuple, mask: Any) -> None:
    """The mask must broadcast to the (..., L, S) scores without growing them: torch's
    broadcasting and in-place-add errors."""
    shape = tuple(mask.shape)
    n = max(len(scores), len(shape))
    a, b = (1,) * (n - len(scores)) + scores, (1,) * (n - len(shape)) + shape
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b "
                               f"({b[i]}) at non-singleton dimension {i}")
    full = tuple(max(x, y) for x, y in zip(a, b, strict=True))
    if full != scores:
        raise RuntimeError(f"output with shape {list(scores)} doesn't match the broadcast "
                           f"shape {list(full)}")


def _safe_softmax(scores: Any) -> Any:
    """Softmax over the last dim whose fully masked rows (all -inf) give 0 rather than NaN,
    as torch's math backend does; the rows are zeroed before the softmax too, so their
    gradient is 0 rather than NaN."""
    dead = scores.isneginf().all(-1, keepdim=True)
    return softmax(scores.masked_fill(dead, 0.0), -1).masked_fill(dead, 0.0)


def _flash(q, k, v, mask, scale, causal):
    """softmax(q k^T * scale + mask) v in one program; GQA heads repeated inside, so their
    gradients sum back onto the shared key/value heads; dead rows give 0 (and no NaN)."""
    qf, kf, vf = upcast_half(q), upcast_half(k), upcast_half(v)
    hq = qf.shape[-3]
    kf = kf if kf.shape[-3] == hq else jnp.repeat(kf, hq // kf.shape[-3], axis=-3)
    vf = vf if vf.shape[-3] == hq else jnp.repeat(vf, hq // vf.shape[-3], axis=-3)
    s = jnp.einsum("...qd,...kd->...qk", qf, kf, precision=jax.lax.Precision.HIGHEST) * scale
    if causal:
        s = jnp.where(jnp.tril(jnp.ones(s.shape[-2:], bool)), s, -jnp.inf)
    if mask is not None:
        s = jnp.where(mask, s, -jnp.inf) if mask.dtype == jnp.bool_ else s + upcast_half(mask)
    if causal or mask is not None:
        dead = jnp.all(s == -jnp.inf, axis=-1, keepdims=True)
        w = jnp.where(dead, 0.0, jax.nn.softmax(jnp.where(dead, 0.0, s), axis=-1))
    else:
        w = jax.nn.softmax(s, axis=-1)
    out = jnp.einsum("...qk,...kd->...qd", w, vf, precision=jax.lax.Precision.HIGHEST)
    return out.astype(q.dtype)


SDPA_FLASH = register("scaled_dot_product_flash_attention_for_cpu", _flash,
                      "ScaledDotProductFlashAttentionForCpuBackward0", dtype_rule=KEEP,
                      saves_inputs=(0, 1, 2), saves_output=True)


def _takes_flash(query: Any, key: Any, value: Any, attn_mask: Any, dropout_p: float,
                 enable_gqa: bool) -> bool:
    """torch's choice of its CPU flash kernel over the math composition."""
    if not query.ndim == key.ndim == value.ndim == 4 or dropout_p > 0.0:
        return False
    if not query.shape[-1] == key.shape[-1] == value.shape[-1]:
        return False
    if not query.shape[0] == key.shape[0] == value.shape[0]:
        return False
    if key.shape[1] != value.shape[1] or (not enable_gqa and query.shape[1] != key.shape[1]):
        return False
    return attn_mask is None or not attn_mask.requires_grad


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None, enable_gqa: bool = False) -> Any:
    """F.scaled_dot_product_attention: ``softmax(q k^T * scale + mask) v``.

    A bool ``attn_mask`` marks the positions that may be attended (False -> -inf); a float
    one is added to the scores. ``is_causal`` masks the upper triangle (top-left aligned when
    L != S). Rows with nothing to attend give zeros, as torch's math backend.
    """
    _sdpa_checks(query, key, value, attn_mask, is_causal)
    e = query.shape[-1]
    factor = 1.0 / math.sqrt(e) if scale is None else float(scale)
    if _takes_flash(query, key, value, attn_mask, dropout_p, enable_gqa):
        if enable_gqa:
            for kv in (key, value):
                if query.shape[1] % kv.shape[1]:
                    raise RuntimeError("Number of heads in key and value must divide the number "
                                       "of heads in ")
        if attn_mask is not None:
            _check_mask_shape(tuple(query.shape[:-1]) + (key.shape[-2],), attn_mask)
        return dispatch(SDPA_FLASH, (query, key, value, attn_mask), (factor, bool(is_causal)))
    if enable_gqa:
        key, value = _repeat_heads(query, key), _repeat_heads(query, value)
    s = key.shape[-2]
    if query.ndim >= 3 and key.ndim >= 3 and key.shape[-1] != e:
        b = _batch_numel(query.shape, key.shape)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {e}] but got: [{b}, {key.shape[-1]}].")
    if query.ndim >= 3 and value.ndim >= 3 and value.shape[-2] != s:
        b = _batch_numel(query.shape, key.shape, value.shape)
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {s}] but got: [{b}, {value.shape[-2]}].")
    scores = query.matmul(key.transpose(-2, -1)) * factor
    masked = False
    if is_causal:
        n_q = query.shape[-2]
        scores = scores.masked_fill(_const(~np.tril(np.ones((n_q, s), bool)), dtypes.bool_),
                                    float("-inf"))
        masked = True
    elif attn_mask is not None:
        _check_mask_shape(tuple(scores.shape), attn_mask)
        if attn_mask.dtype == dtypes.bool_:
            scores = scores.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:  # a float32 mask next to half/double queries is cast to their dtype first
            scores = scores + (attn_mask if attn_mask.dtype == scores.dtype
                               else attn_mask.to(scores.dtype))
        masked = True
    weights = _safe_softmax(scores) if masked else softmax(scores, -1)
    if dropout_p > 0.0:
        if dropout_p > 1.0:  # torch's C++ dropout: a RuntimeError, not F.dropout's ValueError
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got "
                               f"{dropout_p}")
        weights = dropout(weights, dropout_p, True)
    return weights.matmul(value)


# ---- mask helpers (torch's F._canonical_mask / F._none_or_dtype) -------------------------------
def _canonical_mask(mask: Any, mask_name: str, other_type: Any, other_name: str,
                    target_type: Any, check_other: bool = True) -> Any:
    """A bool mask as an additive float mask (True -> -inf) of ``target_type``; a float mask
    is returned as it is. Warns, like torch, when the two masks of a call differ in dtype."""
    if mask is None:
        return None
    if mask.dtype != dtypes.bool_ and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. "
                      "Use same type for both instead.", UserWarning, stacklevel=2)
    if mask.dtype == dtypes.bool_:
        from .._creation import zeros

        return zeros(tuple(mask.shape), dtype=target_type).masked_fill(mask, float("-inf"))
    return mask


def _none_or_dtype(input: Any) -> Any:
    """The dtype of an optional tensor."""

    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


# ---- multi-head attention ----------------------------------------------------------------------
def _mha_shape_check(query: Any, key: Any, value: Any, key_padding_mask: Any, attn_mask: Any,
                     num_heads: int) -> bool:
    """torch's shape checks; returns whether the input is batched (3-D)."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D"
                                 f" but found {key.ndim}-D and {value.ndim}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.ndim}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.ndim}-D and {value.ndim}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be"
                                 f" `None` or 1-D but found {key_padding_mask.ndim}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.ndim}-D tensor "
                                     "instead")
            want = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and tuple(attn_mask.shape) != want:
                raise AssertionError(f"Expected `attn_mask` shape to be {want} but got "
                                     f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.ndim}-D query tensor")


def _split_packed(proj: Any, n: int, e: int) -> list:
    """(..., n*E) -> n tensors (..., E), sliced out of one contiguous (n, ..., E) block."""
    blocks = proj.unflatten(-1, (n, e)).unsqueeze(0).transpose(0, -2).squeeze(-2).contiguous()
    return [blocks[i] for i in range(n)]


def _in_projection_packed(q: Any, k: Any, v: Any, w: Any, b: Any = None) -> list:
    """q, k, v through the packed (3E, E) in-projection; one matmul when they are the same
    tensor (self-attention), two when key is value."""
    e = q.shape[-1]
    if k is v:
        if q is k:
            return _split_packed(linear(q, w, b), 3, e)
        w_q, w_kv = w.split([e, e * 2])
        b_q, b_kv = (None, None) if b is None else b.split([e, e * 2])
        return [linear(q, w_q, b_q)] + _split_packed(linear(k, w_kv, b_kv), 2, e)
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return [linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)]


def _in_projection(q: Any, k: Any, v: Any, w_q: Any, w_k: Any, w_v: Any, b_q: Any = None,
                   b_k: Any = None, b_v: Any = None) -> tuple:
    """Separate q/k/v projections (kdim / vdim differ from embed_dim), shape-checked."""
    eq, ek, ev = q.shape[-1], k.shape[-1], v.shape[-1]
    for name, w, want in (("query", w_q, (eq, eq)), ("key", w_k, (eq, ek)),
                          ("value", w_v, (eq, ev))):
        if tuple(w.shape) != want:
            raise AssertionError(f"expecting {name} weights shape of {want}, but got {w.shape}")
    for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (eq,):
            raise AssertionError(f"expecting {name} bias shape of {(eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _attn_mask_3d(attn_mask: Any, tgt_len: int, src_len: int, heads_bsz: int) -> Any:
    if attn_mask.ndim == 2:
        if tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
        return attn_mask.unsqueeze(0)
    if attn_mask.ndim == 3:
        if tuple(attn_mask.shape) != (heads_bsz, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(heads_bsz, tgt_len, src_len)}.")
        return attn_mask
    raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")


def _heads(t: Any, bsz: int, num_heads: int, head_dim: int) -> Any:
    """(len, bsz, E) -> (bsz * heads, len, head_dim)."""
    return t.view(t.shape[0], bsz * num_heads, head_dim).transpose(0, 1)


def _static_kv(static: Any, name: str, bsz_heads: int, head_dim: int) -> Any:
    if static.shape[0] != bsz_heads:
        raise AssertionError(f"expecting {name}.size(0) of {bsz_heads}, but got "
                             f"{static.shape[0]}")
    if static.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got "
                             f"{static.shape[2]}")
    return static


def multi_head_attention_forward(
        query: Any, key: Any, value: Any, embed_dim_to_check: int, num_heads: int,
        in_proj_weight: Any, in_proj_bias: Any, bias_k: Any, bias_v: Any, add_zero_attn: bool,
        dropout_p: float, out_proj_weight: Any, out_proj_bias: Any, training: bool = True,
        key_padding_mask: Any = None, need_weights: bool = True, attn_mask: Any = None,
        use_separate_proj_weight: bool = False, q_proj_weight: Any = None,
        k_proj_weight: Any = None, v_proj_weight: Any = None, static_k: Any = None,
        static_v: Any = None, average_attn_weights: bool = True,
        is_causal: bool = False) -> tuple[Any, Any]:
    """F.multi_head_attention_forward, torch's sequence-first (L, N, E) layout.

    ``need_weights=True`` computes the weights explicitly (baddbmm + softmax) and returns them
    (averaged over heads unless ``average_attn_weights=False``); otherwise the heads go
    through :func:`scaled_dot_product_attention` and the weights are None.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask",
                                       _none_or_dtype(attn_mask), "attn_mask", query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # SDPA's is_causal replaces the mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype,
                                    check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
        b3 = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight,
                                 v_proj_weight, *b3)
    else:
        if tuple(key.shape) != tuple(value.shape):
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    if attn_mask is not None:
        attn_mask = _attn_mask_3d(attn_mask, tgt_len, src_len, bsz * num_heads)
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")
    q = _heads(q, bsz, num_heads, head_dim)
    k = _heads(k, bsz, num_heads, head_dim) if static_k is None else \
        _static_kv(static_k, "static_k", bsz * num_heads, head_dim)
    v = _heads(v, bsz, num_heads, head_dim) if static_v is None else \
        _static_kv(static_v, "static_v", bsz * num_heads, head_dim)
    if add_zero_attn:
        from .._creation import zeros

        zshape = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(zshape, dtype=k.dtype)], dim=1)
        v = cat([v, zeros(zshape, dtype=v.dtype)], dim=1)
        attn_mask = None if attn_mask is None else pad(attn_mask, (0, 1))
        key_padding_mask = None if key_padding_mask is None else pad(key_padding_mask, (0, 1))
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len)
                            .expand(-1, num_heads, -1, -1)
                            .reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(q.shape[-1]))
        if attn_mask is not None:
            weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            weights = bmm(q_scaled, k.transpose(-2, -1))
        weights = softmax(weights, -1)
        if dropout_p > 0.0:
            weights = dropout(weights, dropout_p)
        out = bmm(weights, v)
        out = out.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    return out, None


for _f in (scaled_dot_product_attention, multi_head_attention_forward, _canonical_mask,
           _none_or_dtype):
    expose(_f.__name__, method=False, namespace=_NN)(_f)
