"""``torch.distributions``: probability distributions over tensors, with differentiable
densities (every computation goes through the ordinary ops, so the tape sees it)."""

from __future__ import annotations

from . import constraints, transforms
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exponential import Exponential
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import (
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    SigmoidTransform,
    TanhTransform,
    Transform,
)
from .uniform import Uniform

__all__ = [
    "AffineTransform", "Bernoulli", "Categorical", "ComposeTransform", "Distribution",
    "ExpTransform", "Exponential", "Independent", "Laplace", "LogNormal", "Normal",
    "SigmoidTransform", "TanhTransform", "Transform", "TransformedDistribution", "Uniform",
    "constraints", "kl_divergence", "register_kl", "transforms",
]
