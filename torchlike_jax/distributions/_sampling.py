"""Random draws for the distributions, from the library's generator (``torch.manual_seed``).

Samples are leaves: they carry no graph, as torch's ``sample()``. Reparameterized samples are
built from these standard draws by ordinary (differentiable) tensor ops in each distribution.
"""

from __future__ import annotations

from typing import Any

import jax

from .. import _dtypes as dtypes
from .. import _random
from .._creation import _leaf
from ..core.tensor import Tensor
from ..core.tensor_access import array_of


def standard_normal(shape: Any, dtype: dtypes.dtype) -> Tensor:
    return _random.randn(tuple(shape), dtype=dtype)


def uniform(shape: Any, dtype: dtypes.dtype) -> Tensor:
    """Uniform on [0, 1)."""
    return _random.rand(tuple(shape), dtype=dtype)


def _array(t: Tensor) -> Any:
    return array_of(t.detach())


def poisson(rate: Tensor) -> Tensor:
    """Poisson counts with the given rates (same shape and dtype)."""
    key = _random.default_generator.next_key()
    arr = jax.random.poisson(key, _array(rate), shape=tuple(rate.shape))
    return _leaf(arr.astype(rate.dtype.np), rate.dtype, False)


def binomial(total_count: Tensor, probs: Tensor) -> Tensor:
    """Binomial counts (same shape and dtype as ``probs``)."""
    key = _random.default_generator.next_key()
    arr = jax.random.binomial(key, _array(total_count), _array(probs),
                              shape=tuple(probs.shape))
    return _leaf(arr.astype(probs.dtype.np), probs.dtype, False)


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) draws with implicit-reparameterization gradients.

    The sample ``x`` is drawn without a graph; its derivative ``dx/dalpha`` (the implicit
    gradient ``-dF/dalpha / f``, what torch's ``_standard_gamma_grad`` computes) is evaluated
    as a constant, and the result is ``x + (alpha - alpha.detach()) * dx/dalpha``: the value is
    ``x`` and the tape carries the first derivative through ordinary ops.
    """
    key = _random.default_generator.next_key()
    alpha = _array(concentration)
    x = jax.random.gamma(key, alpha, shape=tuple(concentration.shape), dtype=alpha.dtype)
    x = jax.numpy.maximum(x, jax.numpy.finfo(alpha.dtype).tiny)
    sample = _leaf(x, concentration.dtype, False)
    if not concentration.requires_grad:
        return sample
    dx = _leaf(jax.lax.random_gamma_grad(alpha, x), concentration.dtype, False)
    return sample + (concentration - concentration.detach()) * dx
