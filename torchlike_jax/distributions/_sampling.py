"""Random draws for the distributions, from the library's generator (``torch.manual_seed``).

Samples are leaves: they carry no graph, as torch's ``sample()``. Reparameterized samples are
built from these standard draws by ordinary (differentiable) tensor ops in each distribution.
"""

from __future__ import annotations

from typing import Any

import jax

from .. import _dtypes as D
from .. import _random as R
from .._creation import _leaf
from .._tensor import Tensor


def standard_normal(shape: Any, dtype: D.dtype) -> Tensor:
    return R.randn(tuple(shape), dtype=dtype)


def uniform(shape: Any, dtype: D.dtype) -> Tensor:
    """Uniform on [0, 1)."""
    return R.rand(tuple(shape), dtype=dtype)


def _array(t: Tensor) -> Any:
    return t.detach()._st.array


def poisson(rate: Tensor) -> Tensor:
    """Poisson counts with the given rates (same shape and dtype)."""
    key = R.default_generator.next_key()
    arr = jax.random.poisson(key, _array(rate), shape=tuple(rate.shape))
    return _leaf(arr.astype(rate.dtype.np), rate.dtype, False)


def binomial(total_count: Tensor, probs: Tensor) -> Tensor:
    """Binomial counts (same shape and dtype as ``probs``)."""
    key = R.default_generator.next_key()
    arr = jax.random.binomial(key, _array(total_count), _array(probs),
                              shape=tuple(probs.shape))
    return _leaf(arr.astype(probs.dtype.np), probs.dtype, False)
