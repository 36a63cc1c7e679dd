"""torch.nn.functional losses, each one registered op with ``reduction`` as a static parameter.

torch implements many losses as small compositions, so its ``grad_fn`` depends on the
reduction (``l1_loss``: AbsBackward0 / MeanBackward0 / SumBackward0); the ops here name their
node the way torch's last step is named for that reduction. Formulas follow torch's (clamped
logs in binary_cross_entropy, the 1e-12 in cosine_embedding_loss, the eps clamp of
gaussian_nll_loss's variance without gradient effect) so values and derivatives agree.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import legacy_name, upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch, value_is_abstract
from ..core.registry import FLOAT, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of

_NN = "nn.functional"
_REDUCTIONS = ("none", "mean", "sum")


def _legacy(size_average: Any, reduce: Any, reduction: str) -> str:
    """torch's deprecated ``size_average`` / ``reduce`` pair, translated to ``reduction``."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  "reduction='mean' instead.", UserWarning, stacklevel=3)
    return "mean" if size_average and reduce else "sum" if reduce else "none"


def _check_reduction(reduction: str, allowed: tuple = _REDUCTIONS) -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _named(none: str, mean: str = "MeanBackward0", sum_: str = "SumBackward0"):
    """grad_fn by the reduction (the op's first static parameter)."""
    table = {"none": none, "mean": mean, "sum": sum_}
    return lambda params: table[params[0]]


def _op(name: str, impl, grad_fn, n_params: int, participants: tuple | None = None,
        saves=(0, 1)):
    """A float loss computed in float32 for half inputs, its result rounded to the input dtype.
    ``impl(*arrays, *params)`` takes ``n_params`` static parameters after the arrays."""

    def f(*args):
        n = len(args) - n_params
        arrays = [None if a is None else upcast_half(a) for a in args[:n]]
        return impl(*arrays, *args[n:]).astype(args[0].dtype)

    return register(name, f, grad_fn, dtype_rule=FLOAT, participants=participants,
                    saves_inputs=saves)


def _size_warning(input: Any, target: Any) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      f"broadcasting. Please ensure they have the same size.", UserWarning,
                      stacklevel=3)


# ---- class-index losses ------------------------------------------------------------------------
def _class_axis(x):
    return 0 if x.ndim == 1 else 1


def _picked(x, t, ignore_index):
    """x[n, t[n], ...] along the class axis, with ignored targets read at class 0."""
    ax = _class_axis(x)
    t = t.astype(jnp.int64)
    safe = jnp.where(t == ignore_index, 0, t)
    return jnp.take_along_axis(x, jnp.expand_dims(safe, ax), axis=ax).squeeze(ax), safe


def _weighted_mean(total, wsum):
    """total / wsum, except that when every target is ignored (wsum == 0) the result is nan
    (as torch) while the gradient stays 0 (torch's backward skips ignored targets)."""
    zero = wsum == 0
    inv = 1 / jnp.where(zero, jnp.ones((), wsum.dtype), wsum)
    return total * jnp.where(zero, jnp.zeros((), wsum.dtype), inv) + jnp.where(
        zero, jnp.full((), jnp.nan, wsum.dtype), jnp.zeros((), wsum.dtype))


def _class_weights(x, w, safe, keep):
    wt = jnp.ones(safe.shape, x.dtype) if w is None else w[safe]
    return jnp.where(keep, wt, jnp.zeros((), x.dtype))


def _nll(x, t, w, reduction, ignore_index, ndim=2):
    t = t.astype(jnp.int64)
    picked, safe = _picked(x, t, ignore_index)
    wt = _class_weights(x, w, safe, t != ignore_index)
    loss = -picked * wt
    if reduction == "mean":
        return _weighted_mean(loss.sum(), wt.sum())
    return _reduce(loss, reduction)


def _nll_name(ndim: int) -> str:
    return "NllLoss2DBackward0" if ndim >= 3 else "NllLossBackward0"


NLL = _op("nll_loss", _nll, lambda p: _nll_name(p[2]), 3, participants=(0, 2),
          saves=(0, 1, 2))


def _ce_indices(x, t, w, reduction, ignore_index, ls, ndim):
    ax = _class_axis(x)
    logp = jax.nn.log_softmax(x, axis=ax)
    nll = _nll(logp, t, w, reduction, ignore_index)
    if type(ls) is int:  # the wrapper's static "no smoothing" (a float is a runtime value)
        return nll
    c = x.shape[ax]
    t = t.astype(jnp.int64)
    keep = t != ignore_index
    if w is None:
        smooth = -logp.sum(ax)
    else:
        shape = [1] * x.ndim
        shape[ax] = c
        smooth = -(logp * w.reshape(shape)).sum(ax)
    smooth = jnp.where(keep, smooth, jnp.zeros((), x.dtype))
    if reduction == "mean":
        _, safe = _picked(x, t, ignore_index)
        smooth = _weighted_mean(smooth.sum(), _class_weights(x, w, safe, keep).sum())
    else:
        smooth = _reduce(smooth, reduction)
    return (1 - ls) * nll + smooth * (ls / c)


CE_INDICES = _op("cross_entropy", _ce_indices,
                 lambda p: "AddBackward0" if p[2] else _nll_name(p[3]), 4,
                 participants=(0, 2), saves=(0, 1, 2))


def _smoothing(label_smoothing: float) -> float | int:
    """No smoothing is a static int 0 (a plain cross entropy, torch's NLL grad_fn); any other
    amount is a float: a runtime value, so a schedule of amounts never recompiles."""
    return 0 if label_smoothing == 0 else float(label_smoothing)


def _ce_probs(x, t, w, reduction, ls):
    ax = _class_axis(x)
    c = x.shape[ax]
    logp = jax.nn.log_softmax(x, axis=ax)
    if type(ls) is not int:  # int 0: the wrapper's static "no smoothing"
        t = t * (1 - ls) + ls / c
    prod = logp * t
    if w is not None:
        shape = [1] * x.ndim
        shape[ax] = c
        prod = prod * w.reshape(shape)
    loss = -prod.sum(ax)
    if reduction == "mean":
        return loss.sum() / (x.size / c) if x.size else loss.sum() / 0.0
    return _reduce(loss, reduction)


CE_PROBS = _op("cross_entropy_probs", _ce_probs, _named("NegBackward0", "DivBackward1",
                                                        "NegBackward0"), 2, saves=(0, 1))


def _check_targets(name: str, input: Any, target: Any) -> None:
    if target.dtype.is_floating_point:
        return
    if target.dtype.name not in ("int64", "uint8"):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got "
                           f"{legacy_name(target.dtype)}")
    if input.ndim == 1:
        if target.ndim != 0:
            raise RuntimeError(f"1D target tensor expects 0D input tensor, but got "
                               f"{target.ndim}D target")
        return
    if input.ndim >= 2 and target.ndim and input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({target.shape[0]}).")
    if input.ndim >= 2 and tuple(target.shape) != (input.shape[0],) + tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {[input.shape[0]] + list(input.shape[2:])}, "
                           f"got {list(target.shape)}")


def _check_bounds(target: Any, n_classes: int, ignore_index: int) -> None:
    """torch's 'Target N is out of bounds.' (a host read, as torch does on CPU; skipped where
    the targets are abstract, see ``value_is_abstract``)."""
    if not target.numel() or value_is_abstract(target):
        return
    t = np.asarray(array_of(target)).reshape(-1)
    bad = t[(t != ignore_index) & ((t < 0) | (t >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad[0])} is out of bounds.")


def _check_weight(weight: Any, n_classes: int) -> None:
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")


def nll_loss(input: Any, target: Any, weight: Any = None, size_average: Any = None,
             ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> Any:
    """F.nll_loss: -input[n, target[n]] * weight[target[n]]; 'mean' divides by the weights."""
    need_tensor("nll_loss", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    _check_targets("nll_loss", input, target)
    c = input.shape[_class_axis(input)]
    _check_weight(weight, c)
    _check_bounds(target, c, ignore_index)
    return dispatch(NLL, (input, target, weight), (reduction, int(ignore_index), input.ndim))


def cross_entropy(input: Any, target: Any, weight: Any = None, size_average: Any = None,
                  ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Any:
    """F.cross_entropy: log_softmax + nll_loss for class indices, or soft cross entropy for
    class probabilities (a float target shaped like the input); both with label_smoothing."""
    need_tensor("cross_entropy", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing}")
    if input.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.ndim})")
    c = input.shape[_class_axis(input)]
    _check_weight(weight, c)
    if target.dtype.is_floating_point:
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(f"Expected target size {list(input.shape)}, got "
                               f"{list(target.shape)}")
        if target.dtype != input.dtype:
            raise RuntimeError(f"expected scalar type {legacy_name(input.dtype)} but found "
                               f"{legacy_name(target.dtype)}")
        return dispatch(CE_PROBS, (input, target, weight), (reduction, _smoothing(label_smoothing)))
    _check_targets("cross_entropy", input, target)
    _check_bounds(target, c, ignore_index)
    return dispatch(CE_INDICES, (input, target, weight),
                    (reduction, int(ignore_index), _smoothing(label_smoothing), input.ndim))


# ---- pointwise regression losses ---------------------------------------------------------------
def _abs(d):
    return d * jnp.sign(d)  # derivative sign(d): 0 at 0, as torch's abs


MSE = _op("mse_loss", lambda x, t, r: _reduce((x - t) ** 2, r), _named("MseLossBackward0",
          "MseLossBackward0", "MseLossBackward0"), 1)
L1 = _op("l1_loss", lambda x, t, r: _reduce(_abs(x - t), r), _named("AbsBackward0"), 1)


def _smooth_l1(x, t, r, beta):
    z = _abs(x - t)
    return _reduce(jnp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta), r)


def _huber(x, t, r, delta):
    z = _abs(x - t)
    return _reduce(jnp.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)), r)


SMOOTH_L1 = _op("smooth_l1_loss", _smooth_l1, lambda p: "SmoothL1LossBackward0", 2)
HUBER = _op("huber_loss", _huber, lambda p: "HuberLossBackward0", 2)


def _pointwise(op, name: str, *extra_names: str):
    def fn(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", **kw: Any) -> Any:
        need_tensor(name, input)
        reduction = _legacy(size_average, reduce, reduction)
        _check_reduction(reduction)
        _size_warning(input, target)
        return dispatch(op, (input, target), (reduction,) + tuple(float(kw[k])
                                                                  for k in extra_names))

    return fn


_mse = _pointwise(MSE, "mse_loss")
_l1 = _pointwise(L1, "l1_loss")
_smooth = _pointwise(SMOOTH_L1, "smooth_l1_loss", "beta")
_hub = _pointwise(HUBER, "huber_loss", "delta")


def mse_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Any = None) -> Any:
    """F.mse_loss: (input - target)^2, reduced."""
    if weight is not None:
        raise NotImplementedError("mse_loss(weight=) is not supported by torchlike_jax")
    return _mse(input, target, size_average, reduce, reduction)


def l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Any = None) -> Any:
    """F.l1_loss: |input - target|, reduced."""
    if weight is not None:
        raise NotImplementedError("l1_loss(weight=) is not supported by torchlike_jax")
    return _l1(input, target, size_average, reduce, reduction)


def smooth_l1_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Any:
    """F.smooth_l1_loss: quadratic below ``beta``, linear above (beta=0 is l1_loss, as torch)."""
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, size_average, reduce, reduction)
    return _smooth(input, target, size_average, reduce, reduction, beta=beta)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0,
               weight: Any = None) -> Any:
    """F.huber_loss: quadratic below ``delta``, delta-scaled linear above."""
    if weight is not None:
        raise NotImplementedError("huber_loss(weight=) is not supported by torchlike_jax")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _hub(input, target, None, None, reduction, delta=delta)


# ---- binary / probabilistic losses -------------------------------------------------------------
def _bce(x, t, w, r):
    logx = jnp.maximum(jnp.log(x), -100.0)
    log1mx = jnp.maximum(jnp.log1p(-x), -100.0)
    loss = -(t * logx + (1 - t) * log1mx)
    if w is not None:
        loss = loss * w
    return _reduce(loss, r)


BCE = _op("binary_cross_entropy", _bce, lambda p: "BinaryCrossEntropyBackward0", 1,
          saves=(0, 1, 2))


def _bce_logits(x, t, w, pw, r):
    if pw is None:
        loss = -(t * jax.nn.log_sigmoid(x) + (1 - t) * jax.nn.log_sigmoid(-x))
    else:
        loss = -(pw * t * jax.nn.log_sigmoid(x) + (1 - t) * jax.nn.log_sigmoid(-x))
    if w is not None:
        loss = loss * w
    return _reduce(loss, r)


BCE_LOGITS = _op("binary_cross_entropy_with_logits", _bce_logits,
                 lambda p: "BinaryCrossEntropyWithLogitsBackward0", 1, saves=(0, 1, 2, 3))


def binary_cross_entropy(input: Any, target: Any, weight: Any = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Any:
    """F.binary_cross_entropy on probabilities; the logs are clamped at -100 as in torch."""
    need_tensor("binary_cross_entropy", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         f"size.")
    return dispatch(BCE, (input, target, weight), (reduction,))


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,
                                     size_average: Any = None, reduce: Any = None,
                                     reduction: str = "mean", pos_weight: Any = None) -> Any:
    """F.binary_cross_entropy_with_logits: stable sigmoid + BCE, ``pos_weight`` on positives."""
    need_tensor("binary_cross_entropy_with_logits", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    return dispatch(BCE_LOGITS, (input, target, weight, pos_weight), (reduction,))


def _kl(x, t, r, log_target, batch):
    if log_target:
        loss = jnp.exp(t) * (t - x)
    else:
        loss = jax.scipy.special.xlogy(t, t) - t * x
    if r == "batchmean":
        return loss.sum() / batch
    return _reduce(loss, r)


def _kl_name(params: tuple) -> str:
    r, log_target, batch = params
    if r == "none":
        return "MulBackward0" if log_target else "SubBackward0"
    if r == "batchmean":
        return "DivBackward0"
    return {"mean": "MeanBackward0", "sum": "SumBackward0"}[r]


KL_DIV = _op("kl_div", _kl, _kl_name, 3)


def kl_div(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Any:
    """F.kl_div: target * (log target - input) pointwise (input is log-probabilities)."""
    need_tensor("kl_div", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, _REDUCTIONS + ("batchmean",))
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", UserWarning, stacklevel=2)
    if reduction == "batchmean" and input.ndim == 0:
        reduction = "sum"
    batch = input.shape[0] if input.ndim else 1
    return dispatch(KL_DIV, (input, target), (reduction, bool(log_target), batch))


def _poisson(x, t, r, log_input, full, eps):
    loss = jnp.exp(x) - t * x if log_input else x - t * jnp.log(x + eps)
    if full:
        safe = jnp.where(t > 1, t, jnp.ones((), t.dtype))
        stirling = safe * jnp.log(safe) - safe + 0.5 * jnp.log(2 * math.pi * safe)
        loss = loss + jnp.where(t > 1, stirling, jnp.zeros((), t.dtype))
    return _reduce(loss, r)


POISSON = _op("poisson_nll_loss", _poisson,
              lambda p: ("AddBackward0" if p[2] else "SubBackward0") if p[0] == "none" else
              {"mean": "MeanBackward0", "sum": "SumBackward0"}[p[0]], 4)


def poisson_nll_loss(input: Any, target: Any, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Any:
    """F.poisson_nll_loss: exp(input) - target * input (log_input), + Stirling term if full."""
    need_tensor("poisson_nll_loss", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    return dispatch(POISSON, (input, target), (reduction, bool(log_input), bool(full),
                                               float(eps)))


def _gaussian_nll(x, t, v, r, full, eps):
    v = v + jax.lax.stop_gradient(jnp.maximum(v, eps) - v)  # clamp without gradient effect
    loss = 0.5 * (jnp.log(v) + (x - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, r)


GAUSSIAN_NLL = _op("gaussian_nll_loss", _gaussian_nll,
                   lambda p: ("AddBackward0" if p[1] else "MulBackward0") if p[0] == "none"
                   else {"mean": "MeanBackward0", "sum": "SumBackward0"}[p[0]], 3,
                   saves=(0, 1, 2))


def gaussian_nll_loss(input: Any, target: Any, var: Any, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Any:
    """F.gaussian_nll_loss: 0.5 (log var + (input - target)^2 / var), var clamped to eps."""
    need_tensor("gaussian_nll_loss", input)

    if isinstance(var, (int, float)):
        var = Tensor._wrap(jnp.full(tuple(input.shape), float(var), array_of(input).dtype))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    _check_reduction(reduction)
    if var.numel() and not value_is_abstract(var) and bool(np.any(np.asarray(array_of(var)) < 0)):
        raise ValueError("var has negative entry/entries")
    return dispatch(GAUSSIAN_NLL, (input, target, var), (reduction, bool(full), float(eps)))


# ---- margin / embedding losses -----------------------------------------------------------------
def _clamp_min0(v):
    """clamp_min(v, 0) with torch's derivative (1 at v == 0: ``self >= min``)."""
    return jnp.where(v < 0, jnp.zeros((), v.dtype), v)


def _cosine_embedding(a, b, y, r, margin):
    dim = 1 if a.ndim == 2 else 0
    prod = (a * b).sum(dim)
    m1 = (a * a).sum(dim) + 1e-12
    m2 = (b * b).sum(dim) + 1e-12
    cos = prod / jnp.sqrt(m1 * m2)
    zeros = jnp.zeros_like(cos)
    pos = jnp.where(y == 1, 1 - cos, zeros)
    neg = jnp.where(y == -1, _clamp_min0(cos - margin), zeros)
    return _reduce(pos + neg, r)


COSINE_EMBEDDING = _op("cosine_embedding_loss", _cosine_embedding, _named("AddBackward0"), 2,
                       participants=(0, 1), saves=(0, 1, 2))


def cosine_embedding_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Any:
    """F.cosine_embedding_loss: 1 - cos for target 1, max(0, cos - margin) for target -1."""
    need_tensor("cosine_embedding_loss", input1)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.ndim != input2.ndim or tuple(input1.shape) != tuple(input2.shape):
        raise RuntimeError(f"cosine_embedding_loss: Input1 and input2 must have the same shape, "
                           f"but got {list(input1.shape)} and {list(input2.shape)}")
    if target.ndim != input1.ndim - 1:
        raise RuntimeError(f"{input1.ndim}D target tensor expects {input1.ndim - 1}D input "
                           f"tensors, but found inputs with sizes {list(input1.shape)} and "
                           f"{list(input2.shape)}.")
    return dispatch(COSINE_EMBEDDING, (input1, input2, target), (reduction, float(margin)))


MARGIN_RANKING = _op("margin_ranking_loss",
                     lambda a, b, y, r, m: _reduce(_clamp_min0(-y * (a - b) + m), r),
                     _named("ClampMinBackward0"), 2, saves=(0, 1, 2))


def margin_ranking_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Any:
    """F.margin_ranking_loss: max(0, -target * (input1 - input2) + margin)."""
    need_tensor("margin_ranking_loss", input1)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    return dispatch(MARGIN_RANKING, (input1, input2, target), (reduction, float(margin)))


def _hinge(x, y, r, margin):
    zeros = jnp.zeros_like(x)
    out = jnp.where(y != 1, _clamp_min0(margin - x), zeros) + jnp.where(y != -1, x, zeros)
    return _reduce(out, r)


HINGE = _op("hinge_embedding_loss", _hinge, _named("AddBackward0"), 2, participants=(0,))


def hinge_embedding_loss(input: Any, target: Any, margin: float = 1.0, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Any:
    """F.hinge_embedding_loss: x where target is 1, max(0, margin - x) where it is -1."""
    need_tensor("hinge_embedding_loss", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    return dispatch(HINGE, (input, target), (reduction, float(margin)))


SOFT_MARGIN = _op("soft_margin_loss",
                  lambda x, y, r: _reduce(jnp.log1p(jnp.exp(-y * x)), r),
                  lambda p: "SoftMarginLossBackward0", 1)


def soft_margin_loss(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
                     reduction: str = "mean") -> Any:
    """F.soft_margin_loss: log(1 + exp(-target * input))."""
    need_tensor("soft_margin_loss", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    _size_warning(input, target)
    return dispatch(SOFT_MARGIN, (input, target), (reduction,))


def _multilabel_soft_margin(x, t, w, r):
    loss = -(t * jax.nn.log_sigmoid(x) + (1 - t) * jax.nn.log_sigmoid(-x))
    if w is not None:
        loss = loss * w
    c = x.shape[-1]
    loss = loss.sum(axis=x.ndim - 1) / c
    return _reduce(loss, r)


MULTILABEL_SOFT_MARGIN = _op("multilabel_soft_margin_loss", _multilabel_soft_margin,
                             _named("DivBackward0"), 1, saves=(0, 1, 2))


def multilabel_soft_margin_loss(input: Any, target: Any, weight: Any = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Any:
    """F.multilabel_soft_margin_loss: per-class logistic loss averaged over classes."""
    need_tensor("multilabel_soft_margin_loss", input)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    return dispatch(MULTILABEL_SOFT_MARGIN, (input, target, weight), (reduction,))


def _pdist(a, b, p, eps):
    d = a - b + eps
    if d.ndim == 0:
        return jnp.abs(d)
    if p == 2:
        return jnp.sqrt(jnp.sum(d * d, axis=-1))
    if p == math.inf:
        return jnp.max(jnp.abs(d), axis=-1)
    return jnp.sum(jnp.abs(d) ** p, axis=-1) ** (1.0 / p)


def _triplet(a, pos, neg, r, margin, p, eps, swap):
    d_pos = _pdist(a, pos, p, eps)
    d_neg = _pdist(a, neg, p, eps)
    if swap:
        d_neg = jnp.minimum(d_neg, _pdist(pos, neg, p, eps))
    return _reduce(_clamp_min0(margin + d_pos - d_neg), r)


TRIPLET = _op("triplet_margin_loss", _triplet, _named("ClampMinBackward0"), 5,
              saves=(0, 1, 2))


def triplet_margin_loss(anchor: Any, positive: Any, negative: Any, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Any:
    """F.triplet_margin_loss: max(0, margin + d(a, p) - d(a, n)) with pairwise distances."""
    need_tensor("triplet_margin_loss", anchor)
    reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not (anchor.ndim == positive.ndim == negative.ndim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.ndim}D, positive "
                           f"{positive.ndim}D, and negative {negative.ndim}D inputs")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return dispatch(TRIPLET, (anchor, positive, negative),
                    (reduction, float(margin), float(p), float(eps), bool(swap)))


# ---- exposure ----------------------------------------------------------------------------------
for _f in (cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss, huber_loss,
           binary_cross_entropy, gaussian_nll_loss, multilabel_soft_margin_loss,
           soft_margin_loss):
    expose(_f.__name__, method=False, namespace=_NN)(_f)
# torch.* has these too, but with an integer ``reduction``: only the nn.functional form here
for _f in (binary_cross_entropy_with_logits, kl_div, poisson_nll_loss, cosine_embedding_loss,
           margin_ranking_loss, hinge_embedding_loss, triplet_margin_loss):
    expose(_f.__name__, method=False, namespace=_NN)(_f)
