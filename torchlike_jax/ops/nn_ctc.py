"""F.ctc_loss: the connectionist temporal classification loss, one registered op.

The forward is the alpha recursion in log space, a ``jax.lax.scan`` over time; the gradient
comes from JAX differentiating that scan, like every other op. Log-space "minus infinity" is a
large finite negative number, so impossible paths give zero gradient instead of ``inf - inf``
NaNs. torch's CPU kernel returns ``exp(log_probs) - posterior`` as the gradient, which is the
true gradient plus ``exp(log_probs)`` (the two agree once passed back through a log_softmax, whose
gradient removes any per-row constant times ``exp``); a zero-valued term with that derivative
reproduces torch's numbers for a leaf ``log_probs`` too.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of

_NEG = -1e30  # log-space zero that stays finite (no inf - inf in the recursion or its gradient)


def _lse(*xs):
    m = xs[0]
    for x in xs[1:]:
        m = jnp.maximum(m, x)
    return m + jnp.log(sum(jnp.exp(x - m) for x in xs))


def _shift(a, k):
    """a[..., s - k] with the log-space zero shifted in."""
    return jnp.concatenate([jnp.full(a.shape[:-1] + (k,), _NEG, a.dtype), a[..., :-k]], -1)


def _ctc(log_probs, targets, in_len, tgt_len, blank, zero_infinity):
    lp = upcast_half(log_probs)  # (T, N, C)
    T, N, _ = lp.shape
    S = targets.shape[1]
    L = 2 * S + 1
    ext = jnp.full((N, L), blank, targets.dtype).at[:, 1::2].set(targets)
    lp_ext = jnp.take_along_axis(lp, jnp.broadcast_to(ext[None], (T, N, L)).astype(jnp.int32),
                                 axis=2)  # (T, N, L)
    prev2 = jnp.concatenate([jnp.full((N, 2), -1, ext.dtype), ext[:, :-2]], 1)
    skip = (ext != blank) & (ext != prev2)
    s = jnp.arange(L)
    alpha0 = jnp.where(s[None] < 2, lp_ext[0], _NEG)
    alpha0 = jnp.where((s[None] == 1) & (tgt_len[:, None] == 0), _NEG, alpha0)
    in_len_c = in_len[:, None]

    def step(alpha, xs):
        t, lpt = xs
        a2 = jnp.where(skip, _shift(alpha, 2), _NEG) if L > 2 else jnp.full_like(alpha, _NEG)
        new = _lse(alpha, _shift(alpha, 1), a2) + lpt
        return jnp.where(t < in_len_c, new, alpha), None

    alpha, _ = jax.lax.scan(step, alpha0, (jnp.arange(1, T), lp_ext[1:]))
    last = jnp.take_along_axis(alpha, (2 * tgt_len)[:, None].astype(jnp.int32), 1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(2 * tgt_len - 1, 0)[:, None].astype(jnp.int32),
                                 1)[:, 0]
    before = jnp.where(tgt_len > 0, before, _NEG)
    ll = _lse(last, before)
    impossible = ll < _NEG / 2
    # torch's gradient adds exp(log_probs) over each sample's valid time steps (see above)
    valid_t = (jnp.arange(T)[:, None] < in_len[None, :])[..., None]  # (T, N, 1)
    e = jax.lax.stop_gradient(jnp.exp(lp))
    extra = jnp.sum(jnp.where(valid_t, e * (lp - jax.lax.stop_gradient(lp)), 0.0), axis=(0, 2))
    loss = jnp.where(impossible, 0.0 if zero_infinity else jnp.inf, -ll + extra)
    return loss.astype(log_probs.dtype)


CTC = register("ctc_loss", _ctc, "CtcLossBackward0", dtype_rule=KEEP, saves_inputs=(0, 1))


def _tensor(a: np.ndarray) -> Any:

    return Tensor._wrap(jnp.asarray(a))


def _lengths(v: Any) -> np.ndarray:
    """Lengths as host integers (torch reads them on the host too)."""

    if isinstance(v, Tensor):
        return np.asarray(array_of(v)).astype(np.int64).reshape(-1)
    return np.asarray(v, np.int64).reshape(-1)


def ctc_loss(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Any:
    """F.ctc_loss: log_probs (T, N, C) or (T, C); targets padded (N, S) or concatenated
    (sum(target_lengths),); 'mean' divides each loss by its target length, then averages."""
    need_tensor("ctc_loss", log_probs, "log_probs")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.ndim == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    T, N, C = lp.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    il, tl = _lengths(input_lengths), _lengths(target_lengths)
    if len(il) != N:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got {len(il)}")
    if len(tl) != N:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got {len(tl)}")
    for n in range(N):
        if il[n] > T:
            raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got "
                               f"value {il[n]} (while checking arguments for "
                               f"ctc_loss_allocate_outputs)")
    tgt = targets.unsqueeze(0) if unbatched and targets.ndim == 1 else targets
    if tgt.ndim == 1:  # concatenated: pad on the host into (N, max length)
        flat = np.asarray(array_of(tgt)).astype(np.int64)
        width = max(int(tl.max()) if N else 0, 1)
        padded = np.zeros((N, width), np.int64)
        starts = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for n in range(N):
            padded[n, :tl[n]] = flat[starts[n]:starts[n] + tl[n]]
        tgt = _tensor(padded)
    else:
        for n in range(N):
            if tl[n] > tgt.shape[1]:
                raise RuntimeError(f"Expected tensor to have size at least {tl[n]} at dimension "
                                   f"1, but got size {tgt.shape[1]} for argument #2 'targets' "
                                   f"(while checking arguments for ctc_loss_allocate_outputs)")
    loss = dispatch(CTC, (lp, tgt, _tensor(il), _tensor(tl)),
                    (int(blank), bool(zero_infinity)))
    if unbatched:
        loss = loss.squeeze(0)
    if reduction == "mean":
        div = _tensor(np.maximum(tl, 1)).to(loss.dtype)
        return (loss / (div.squeeze(0) if unbatched else div)).mean()
    if reduction == "sum":
        return loss.sum()
    return loss


expose("ctc_loss", method=False, namespace="nn.functional")(ctc_loss)
