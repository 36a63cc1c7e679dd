"""Loss modules: each forwards to ``torch.nn.functional`` with its ``reduction`` (and the
legacy ``size_average`` / ``reduce`` flags turned into one, with torch's warning)."""

from __future__ import annotations

import warnings
from typing import Any

from ...core.tensor import Tensor
from .. import functional as F
from .distance import PairwiseDistance
from .module import Module

__all__ = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "NLLLoss", "CrossEntropyLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss", "CosineEmbeddingLoss",
           "MarginRankingLoss", "HingeEmbeddingLoss", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss",
           "MultiLabelMarginLoss", "MultiMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss",
           "CTCLoss"]


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=3)
    return ret


class _Loss(Module):
    reduction: str

    def __init__(self, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            self.reduction = _legacy_reduction(size_average, reduce)
        else:
            self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.weight: Tensor | None


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|`` (``F.l1_loss``); the two broadcast.
    ``reduction``: 'mean' (default), 'sum' or 'none' (per-element losses); the deprecated
    ``size_average``/``reduce`` flags map onto it."""

    __constants__ = ["reduction"]

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    """Squared error ``(input - target)**2`` (``F.mse_loss``); the two broadcast. ``reduction``:
    'mean' (default), 'sum' or 'none' (per-element losses); the deprecated
    ``size_average``/``reduce`` flags map onto it."""

    __constants__ = ["reduction"]

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Squared error scaled by ``0.5 / beta`` where ``|input - target| < beta``, absolute error
    minus ``beta / 2`` beyond (``F.smooth_l1_loss``); ``beta=0`` is plain L1. ``reduction``:
    'mean' (default), 'sum' or 'none' (per-element losses); the deprecated
    ``size_average``/``reduce`` flags map onto it."""

    __constants__ = ["reduction"]

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber loss: ``0.5 * diff**2`` where ``|diff| <= delta``, ``delta * (|diff| - delta / 2)``
    beyond (``F.huber_loss``); it equals ``delta * SmoothL1Loss(beta=delta)``. ``reduction``:
    'mean' (default), 'sum' or 'none'."""

    __constants__ = ["reduction", "delta"]

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood: picks ``-input[n, target[n]]`` from log-probabilities ``(N, C)``
    (or ``(N, C, d1, ...)`` with targets ``(N, d1, ...)``; unbatched ``(C,)``)
    (``F.nll_loss``). ``weight``: a per-class rescaling, also used as the denominator of the
    mean; targets equal to ``ignore_index`` are skipped. ``reduction``: 'mean' (default),
    'sum' or 'none' (per-element losses); the deprecated ``size_average``/``reduce`` flags map
    onto it."""

    __constants__ = ["ignore_index", "reduction"]

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """``LogSoftmax`` over the class dim (1) followed by ``NLLLoss`` (``F.cross_entropy``).
    Input: unnormalized scores ``(N, C)``, ``(N, C, d1, ...)`` or ``(C,)``; target: class
    indices of the input shape without dim C, or class probabilities of the input's shape.
    ``weight``, ``ignore_index`` as in ``NLLLoss``; ``label_smoothing`` mixes the target with
    the uniform distribution. ``reduction``: 'mean' (default), 'sum' or 'none' (per-element
    losses); the deprecated ``size_average``/``reduce`` flags map onto it."""

    __constants__ = ["ignore_index", "reduction", "label_smoothing"]

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy ``-(t * log(x) + (1 - t) * log(1 - x))`` of probabilities ``x`` in
    [0, 1] and targets ``t`` of the same shape (``F.binary_cross_entropy``); the logs are
    clamped at -100. ``weight`` rescales each element (broadcast). ``reduction``: 'mean'
    (default), 'sum' or 'none' (per-element losses); the deprecated
    ``size_average``/``reduce`` flags map onto it."""

    __constants__ = ["reduction"]

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``BCELoss`` applied to ``sigmoid(input)``, computed stably from the logits
    (``F.binary_cross_entropy_with_logits``). ``weight`` rescales elements; ``pos_weight``
    (one per class, broadcast over the last dim) weights the positive term. ``reduction``:
    'mean' (default), 'sum' or 'none' (per-element losses); the deprecated
    ``size_average``/``reduce`` flags map onto it."""

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)
        self.weight: Tensor | None
        self.pos_weight: Tensor | None

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence ``target * (log(target) - input)`` with ``input`` given as
    log-probabilities and ``target`` as probabilities (or as log-probabilities with
    ``log_target=True``; ``F.kl_div``). 'batchmean' divides the sum by the batch size (the
    true KL divergence); plain 'mean' averages over every element and warns. ``reduction``:
    'mean' (default), 'sum' or 'none'."""

    __constants__ = ["reduction"]

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class _MarginLoss(_Loss):
    """A loss with one ``margin`` besides the reduction."""

    __constants__ = ["margin", "reduction"]

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin


class CosineEmbeddingLoss(_MarginLoss):
    """For pairs ``x1, x2`` of shape ``(N, D)`` and labels ``y`` of +1/-1: ``1 - cos(x1, x2)``
    when ``y = 1``, ``max(0, cos(x1, x2) - margin)`` when ``y = -1``
    (``F.cosine_embedding_loss``). ``reduction``: 'mean' (default), 'sum' or 'none'."""

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin,
                                       reduction=self.reduction)


class MarginRankingLoss(_MarginLoss):
    """``max(0, -y * (x1 - x2) + margin)``: with ``y = 1`` ``x1`` should rank higher than ``x2``,
    with ``y = -1`` lower (``F.margin_ranking_loss``). All three inputs broadcast.
    ``reduction``: 'mean' (default), 'sum' or 'none'."""

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class HingeEmbeddingLoss(_MarginLoss):
    """For labels ``y`` of +1/-1: ``x`` where ``y = 1``, ``max(0, margin - x)`` where ``y = -1``
    (``x`` usually a distance; ``F.hinge_embedding_loss``, default ``margin=1``).
    ``reduction``: 'mean' (default), 'sum' or 'none'."""

    def __init__(self, margin: float = 1.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(margin, size_average, reduce, reduction)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin,
                                      reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(d(a, p) - d(a, n) + margin, 0)`` for anchors, positives and negatives ``(N, D)``
    with ``d`` the ``p``-norm pairwise distance (``F.triplet_margin_loss``); ``swap`` uses
    ``d(p, n)`` when it is smaller than ``d(a, n)``. ``reduction``: 'mean' (default), 'sum' or
    'none'."""

    __constants__ = ["margin", "p", "eps", "swap", "reduction"]

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6,
                 swap: bool = False, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got "
                             f"{margin} instead")
        self.margin = margin
        self.p = p
        self.eps = eps
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, margin=self.margin, p=self.p,
                                     eps=self.eps, swap=self.swap, reduction=self.reduction)


class TripletMarginWithDistanceLoss(_Loss):
    """``TripletMarginLoss`` with a caller-given ``distance_function(x1, x2)`` (default: the
    Euclidean pairwise distance; ``F.triplet_margin_with_distance_loss``); keyword-only
    arguments. ``reduction``: 'mean' (default), 'sum' or 'none'."""

    __constants__ = ["margin", "swap", "reduction"]

    def __init__(self, *, distance_function: Any = None, margin: float = 1.0,
                 swap: bool = False, reduction: str = "mean") -> None:
        super().__init__(size_average=None, reduce=None, reduction=reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: expected margin to be greater "
                             f"than 0, got {margin} instead")
        self.distance_function = distance_function if distance_function is not None \
            else PairwiseDistance()
        self.margin = margin
        self.swap = swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor, positive, negative, distance_function=self.distance_function,
            margin=self.margin, swap=self.swap, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss ``log(1 + exp(-y * x))`` for labels ``y`` of +1/-1, same shape as
    ``x`` (``F.soft_margin_loss``). ``reduction``: 'mean' (default), 'sum' or 'none'."""

    __constants__ = ["reduction"]

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """Multi-label one-versus-all loss: binary cross-entropy of ``sigmoid(x)`` against 0/1
    targets ``(N, C)``, averaged over the C classes (``F.multilabel_soft_margin_loss``);
    ``weight``: per class. ``reduction``: 'mean' (default), 'sum' or 'none'."""

    __constants__ = ["reduction"]

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight,
                                             reduction=self.reduction)


class MultiLabelMarginLoss(_Loss):
    """Multi-class multi-label hinge loss: ``target`` ``(N, C)`` lists the positive class
    indices, ended by the first -1; each positive class should beat every other class by a
    margin of 1 (``F.multilabel_margin_loss``). ``reduction``: 'mean' (default), 'sum' or
    'none'."""

    __constants__ = ["reduction"]

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multi-class hinge loss: for scores ``(N, C)`` and a class index per row,
    ``max(0, margin - x[y] + x[i])**p`` summed over the other classes and divided by C (``p``
    1 or 2; ``weight`` per class; ``F.multi_margin_loss``). ``reduction``: 'mean' (default),
    'sum' or 'none'."""

    __constants__ = ["p", "margin", "reduction"]

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        if weight is not None and weight.dim() != 1:
            raise ValueError(f"MultiMarginLoss: expected weight to be None or 1D tensor, got "
                             f"{weight.dim()}D instead")
        self.p = p
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Negative log-likelihood of a Poisson ``target`` given the rate ``input``:
    ``exp(input) - target * input`` with ``log_input=True``,
    ``input - target * log(input + eps)`` otherwise; ``full`` adds Stirling's term
    (``F.poisson_nll_loss``). ``reduction``: 'mean' (default), 'sum' or 'none' (per-element
    losses); the deprecated ``size_average``/``reduce`` flags map onto it."""

    __constants__ = ["log_input", "full", "eps", "reduction"]

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None,
                 eps: float = 1e-8, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input = log_input
        self.full = full
        self.eps = eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, log_input=self.log_input, full=self.full,
                                  eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Negative log-likelihood of ``target`` under a Gaussian with mean ``input`` and variance
    ``var`` (passed to ``forward``; clamped below by ``eps``, may have one dim fewer or a last
    dim of 1): ``0.5 * (log(var) + (input - target)**2 / var)``, plus the constant when
    ``full`` (``F.gaussian_nll_loss``). ``reduction``: 'mean' (default), 'sum' or 'none'."""

    __constants__ = ["full", "eps", "reduction"]

    def __init__(self, *, full: bool = False, eps: float = 1e-6,
                 reduction: str = "mean") -> None:
        super().__init__(None, None, reduction)
        self.full = full
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class CTCLoss(_Loss):
    """Connectionist temporal classification loss (``F.ctc_loss``):
    ``forward(log_probs, targets, input_lengths, target_lengths)`` with log-probs
    ``(T, N, C)`` (or ``(T, C)``), sums over every alignment of the targets with class
    ``blank`` between and among repeats. ``zero_infinity`` zeroes infinite losses (and their
    gradients); 'mean' divides each loss by its target length first."""

    __constants__ = ["blank", "reduction"]

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs: Tensor, targets: Tensor, input_lengths: Any,
                target_lengths: Any) -> Tensor:
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)
