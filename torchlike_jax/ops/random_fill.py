"""In-place random fills: ``Tensor.normal_``, ``uniform_``, ``exponential_``, ``geometric_``,
``log_normal_``, ``cauchy_``, ``random_`` and ``bernoulli_``.

Each checks its arguments as torch does, draws ``self``'s shape in ``self``'s dtype from the
generator, and writes the draw into ``self`` (through a view into its base; version bumped). On
a non-leaf that requires grad the result gets torch's ``grad_fn`` (``NormalBackward0``...) with
a zero gradient, through the same :data:`~torchlike_jax.ops.sampling.SAMPLE` op.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtypes as dtypes
from .._dtypes import legacy_name
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .sampling import (
    _P_IN,
    any_true,
    attach,
    bernoulli_array,
    check_p,
    key_for,
    need_float_dtype,
    num,
)

# the C++ type names torch's "continuous distribution" messages print (cauchy_)
_C_TYPE = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
           "uint8": "unsigned char", "bool": "bool"}


def _fill(self: Any, grad_name: str, sample: jax.Array) -> Any:
    self._check_inplace()
    return self._rebind(attach(grad_name, sample.astype(self.dtype.np), (self,)))


def _uniform(self: Any, generator: Any) -> jax.Array:
    """U[0, 1) draws of self's shape, in self's (float32 for halves) compute dtype."""
    return jax.random.uniform(key_for(generator), tuple(self.shape),
                              dtypes.compute_dtype(self.dtype.np))


def _continuous_only(self: Any, c_name: bool) -> None:
    d = self.dtype
    if not d.is_floating_point:
        name = _C_TYPE.get(str(d).split(".")[-1], str(d)) if c_name else legacy_name(d)
        raise RuntimeError(f"{'Cauchy' if c_name else 'Exponential'} distribution is a "
                           "continuous probability distribution. dtype must be a floating point "
                           f"but you specified {name}")


@expose("normal_", namespace=())
def normal_(self: Any, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Any:
    """Fill with N(mean, std^2)."""
    need_float_dtype(self.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {num(std)}")
    cdt = dtypes.compute_dtype(self.dtype.np)
    z = jax.random.normal(key_for(generator), tuple(self.shape), cdt)
    return _fill(self, "NormalBackward0", z * jnp.asarray(std, cdt) + jnp.asarray(mean, cdt))


@expose("uniform_", namespace=())
def uniform_(self: Any, from_: float = 0.0, to: float = 1.0, *, generator: Any = None,
             **kw: Any) -> Any:
    """Fill with U[from, to) (torch spells the first bound ``from``)."""
    from_ = kw.pop("from", from_)
    need_float_dtype(self.dtype, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={num(from_)} > to={num(to)}")
    u = _uniform(self, generator)
    return _fill(self, "UniformBackward0", u * (to - from_) + from_)


@expose("exponential_", namespace=())
def exponential_(self: Any, lambd: float = 1.0, *, generator: Any = None) -> Any:
    """Fill with Exponential(rate ``lambd``) draws."""
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={num(lambd)}")
    _continuous_only(self, False)
    u = _uniform(self, generator)
    return _fill(self, "ExponentialBackward0", -jnp.log1p(-u) / lambd)


@expose("geometric_", namespace=())
def geometric_(self: Any, p: float, *, generator: Any = None) -> Any:
    """Fill with the number of Bernoulli(p) trials up to the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={num(p)}")
    u = jax.random.uniform(key_for(generator), tuple(self.shape), np.float64,
                           minval=np.finfo(np.float64).tiny)
    return _fill(self, "GeometricBackward0", jnp.ceil(jnp.log(u) / math.log1p(-p)))


@expose("log_normal_", namespace=())
def log_normal_(self: Any, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Any:
    """Fill with exp(N(mean, std^2))."""
    need_float_dtype(self.dtype, "log_normal_cpu")
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={num(std)}")
    cdt = dtypes.compute_dtype(self.dtype.np)
    z = jax.random.normal(key_for(generator), tuple(self.shape), cdt)
    return _fill(self, "LogNormalBackward0", jnp.exp(z * std + mean))


@expose("cauchy_", namespace=())
def cauchy_(self: Any, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Any:
    """Fill with Cauchy(median, sigma) draws."""
    if sigma <= 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={num(sigma)}")
    _continuous_only(self, True)
    u = _uniform(self, generator)
    return _fill(self, "CauchyBackward0", median + sigma * jnp.tan(math.pi * (u - 0.5)))


def _default_high(dtype: dtypes.dtype) -> int:
    """``random_()``'s exclusive bound: every integer the dtype holds exactly (2^mantissa + 1
    for floats), its max + 1 for integers."""
    if dtype == dtypes.bool_:
        return 2
    if dtype.is_floating_point:
        return 2 ** (np.finfo(dtype.np).nmant + 1) + 1
    return int(np.iinfo(dtype.np).max) + 1


@expose("random_", namespace=())
def random_(self: Any, *args: Any, generator: Any = None, **kw: Any) -> Any:
    """Fill with integers uniform on [from, to): ``random_(from, to)`` (``to=None``: up to the
    dtype's range), ``random_(to)`` is [0, to), ``random_()`` the range the dtype holds
    exactly."""
    if "from" in kw:
        args = (kw.pop("from"), *args)
    if "to" in kw:
        args = (*args, kw.pop("to"))
    if kw:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kw))}'")
    if not args:
        low, high, grad = 0, _default_high(self.dtype), "RandomBackward0"
    elif len(args) == 1:
        low, high, grad = 0, args[0], "RandomBackward1"
    else:
        low, high = args
        high = _default_high(self.dtype) if high is None else high
        grad = "RandomBackward2"
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    high = min(high, 2 ** 63 - 1)
    draw = jax.random.randint(key_for(generator), tuple(self.shape), low, high, np.int64)
    return _fill(self, grad, draw)


@expose("bernoulli_", namespace=())
def bernoulli_(self: Any, p: Any = 0.5, *, generator: Any = None) -> Any:
    """Fill with 0/1 draws of probability ``p`` (a number or a tensor broadcast to self)."""

    if isinstance(p, Tensor):
        probs = jnp.broadcast_to(array_of(p), tuple(self.shape))
        if any_true((probs < 0) | (probs > 1) | jnp.isnan(probs)):
            raise RuntimeError(_P_IN)
        sample = bernoulli_array(key_for(generator), probs, tuple(self.shape), self.dtype)
        self._check_inplace()
        return self._rebind(attach("BernoulliBackward1", sample, (self, p)))
    check_p(p)
    sample = bernoulli_array(key_for(generator), p, tuple(self.shape), self.dtype)
    return _fill(self, "BernoulliBackward2", sample)
