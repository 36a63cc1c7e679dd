"""``ExponentialFamily``: the base class torch gives its exponential-family distributions.

It marks the family (``isinstance`` checks, and ``kl_divergence``'s rule that two *different*
exponential families have no Bregman-divergence KL); every concrete subclass here has its own
closed-form entropy and same-type KL.
"""

from __future__ import annotations

from typing import Any

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Distributions with density ``exp(<t(x), theta> - F(theta) + k(x))``."""

    @property
    def _natural_params(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params: Any) -> Any:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> Any:
        raise NotImplementedError
