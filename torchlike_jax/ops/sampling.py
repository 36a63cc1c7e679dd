"""Sampling from distributions given by tensors: ``torch.normal``, ``bernoulli``, ``poisson``,
``multinomial`` (also as Tensor methods).

Draws come from a :class:`~torchlike_jax._random.Generator` key (``generator=`` or the default
one), so ``manual_seed`` fixes them; the streams differ from torch's, the distributions, shapes,
dtypes and errors do not.

Why a registry op at all: torch gives these functions a ``grad_fn`` (``NormalBackward3``,
``BernoulliBackward0``, ``PoissonBackward0``...) whose gradient is zero for every input: a draw
is not reparameterised. :data:`SAMPLE` says exactly that in one pure function: its output is
the sample (drawn outside, an input of the op), and the distribution's parameters are inputs it
ignores, so ``jax.vjp`` gives them zero gradients, and a finite difference agrees.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtypes
from .._dtypes import legacy_name
from ..core.dims import broadcast_shapes
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .elementwise import underivable

# inputs: (sample, *parameters); params: (grad_fn name,)
SAMPLE = register("random_sample", lambda sample, *rest: sample,
                  lambda params: params[0], dtype_rule=KEEP)

# torch.bernoulli(input, p: float) has no derivative formula: backward raises, as torch's does
BERNOULLI_P = register("bernoulli_p", underivable(lambda sample, input: sample, "bernoulli"),
                       "NotImplemented", dtype_rule=KEEP)

_P_IN = ("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error message "
         "be improved?  If so, please report an enhancement request to PyTorch.)")


def _tensor_cls() -> Any:

    return Tensor


def key_for(generator: Any) -> jax.Array:
    """The next key of ``generator`` (None: the default generator)."""
    from .. import _random

    return (generator or _random.default_generator).next_key()


def any_true(mask: jax.Array) -> bool:
    """A value check torch also makes on the host; skipped while JAX traces (``compile``)."""
    if isinstance(mask, jax.core.Tracer):
        return False
    return bool(jnp.any(mask))


def need_float_dtype(dtype: _dtypes.dtype, kernel: str) -> None:
    """torch's ``"kernel" not implemented for 'Long'``."""
    if not dtype.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{legacy_name(dtype)}'")


def num(x: float) -> str:
    """A C++ double as torch's messages print it (``-1``, ``0.5``, ``1.3``)."""
    return f"{x:g}"


def attach(name: str, sample: jax.Array, params: tuple) -> Any:
    """The sample as a tensor; with a grad_fn ``name`` when a parameter tensor requires grad."""
    T = _tensor_cls()
    out = T._wrap(sample)
    tensors = tuple(p for p in params if isinstance(p, T))
    if any(t.requires_grad for t in tensors):
        return dispatch(SAMPLE, (out, *tensors), (name,))
    return out


def write_out(out: Any, result: Any) -> Any:
    """``out=``: ``out`` takes the result's value in its own dtype (and the result's shape,
    as torch resizes it)."""
    if out is None:
        return result
    if result.dtype != out.dtype:
        result = result.to(out.dtype)
    out._check_inplace()
    return out._rebind(result, reshaping=tuple(out.shape) != tuple(result.shape))


# ---- normal --------------------------------------------------------------------------------
def _normal_type_error(args: tuple, kwargs: dict) -> TypeError:
    got = ", ".join([type(a).__name__ for a in args]
                    + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
    return TypeError(
        f"normal() received an invalid combination of arguments - got ({got}), but expected one "
        "of:\n"
        " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
        " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
        " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
        " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
        "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device "
        "device = None, bool pin_memory = False, bool requires_grad = False)\n")


def _draw_normal(key: jax.Array, shape: tuple, dtype: _dtypes.dtype, mean: Any,
                 std: Any) -> jax.Array:
    cdt = _dtypes.compute_dtype(dtype.np)
    z = jax.random.normal(key, shape, cdt)
    return (jnp.asarray(mean, cdt) + jnp.asarray(std, cdt) * z).astype(dtype.np)


_MISSING = object()


@expose("normal", method=False)
def normal(mean: Any, std: Any = _MISSING, size: Any = None, *, generator: Any = None,
           out: Any = None, dtype: _dtypes.dtype | None = None, layout: Any = None,
           device: Any = None,
           pin_memory: bool = False, requires_grad: bool = False) -> Any:
    """``torch.normal``: N(mean, std^2) draws; four overloads, chosen by which of mean and std
    are tensors. The result takes mean's dtype (std's when mean is a number)."""
    T = _tensor_cls()
    mt, st = isinstance(mean, T), isinstance(std, T)
    if not mt and not st:
        if std is _MISSING or not isinstance(size, (tuple, list)):
            args = (mean,) if std is _MISSING else (mean, std) if size is None else \
                (mean, std, size)
            raise _normal_type_error(args, {})
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {num(std)}")
        dt = out.dtype if out is not None else (dtype or _dtypes.get_default_dtype())
        need_float_dtype(dt, "normal_kernel_cpu")
        from .._creation import _leaf, _size

        shape = _size((tuple(size),))
        res = _leaf(_draw_normal(key_for(generator), shape, dt, mean, std), dt, requires_grad,
                    device)
        return write_out(out, res)
    if size is not None:
        kw = {"size": size}
        raise _normal_type_error((mean,) if std is _MISSING else (mean, std), kw)
    if std is _MISSING:
        std = 1.0
    dt = mean.dtype if mt else std.dtype
    if out is not None:
        dt = out.dtype
    need_float_dtype(dt, "normal_kernel_cpu")
    if mt and st:
        need_float_dtype(std.dtype, "normal_kernel_cpu")
    if st:
        if any_true(array_of(std) < 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {num(std)}")
    shape = broadcast_shapes(mean.shape if mt else (), std.shape if st else ())
    m = array_of(mean) if mt else mean
    s = array_of(std) if st else std
    sample = _draw_normal(key_for(generator), tuple(shape), dt, m, s)
    name = "NormalBackward3" if mt and st else "NormalBackward1" if mt else "NormalBackward2"
    return write_out(out, attach(name, sample, (mean, std)))


# ---- bernoulli -----------------------------------------------------------------------------
def bernoulli_array(key: jax.Array, probs: Any, shape: tuple, dtype: _dtypes.dtype) -> jax.Array:
    """0/1 draws of ``dtype`` with probability ``probs`` (an array or a number)."""
    u = jax.random.uniform(key, shape, np.float64 if dtype == _dtypes.float64 else np.float32)
    return (u < jnp.asarray(probs, u.dtype)).astype(dtype.np)


def _bernoulli_type_error(args: tuple, kwargs: dict, method: bool) -> TypeError:
    got = ", ".join([type(a).__name__ for a in args]
                    + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
    first = "" if method else "Tensor input, "
    out = "" if method else ", Tensor out = None"
    return TypeError(
        f"bernoulli() received an invalid combination of arguments - got ({got}), but expected "
        f"one of:\n * ({first}*, torch.Generator generator = None{out})\n"
        f" * ({first}float p, *, torch.Generator generator = None)\n")


def _bernoulli(input: Any, args: tuple, kwargs: dict, method: bool) -> Any:
    generator = kwargs.pop("generator", None)
    out = None if method else kwargs.pop("out", None)
    shown = args if method else (input, *args)
    if len(args) > 1 or set(kwargs) - {"p"} or (args and kwargs):
        raise _bernoulli_type_error(shown, kwargs, method)
    p = args[0] if args else kwargs.get("p")
    if p is not None and (isinstance(p, (_tensor_cls(), str, bool)) or not isinstance(
            p, (int, float, np.number))):
        raise _bernoulli_type_error(shown, kwargs, method)
    if p is None:
        need_float_dtype(input.dtype, "bernoulli_tensor_cpu_p_")
        probs = array_of(input)
        if any_true((probs < 0) | (probs > 1) | jnp.isnan(probs)):
            raise RuntimeError(_P_IN)
        sample = bernoulli_array(key_for(generator), probs, tuple(input.shape), input.dtype)
        return write_out(out, attach("BernoulliBackward0", sample, (input,)))
    check_p(p)
    sample = bernoulli_array(key_for(generator), p, tuple(input.shape), input.dtype)
    res = _tensor_cls()._wrap(sample)
    if input.requires_grad:
        res = dispatch(BERNOULLI_P, (res, input))
    return write_out(out, res)


@expose("bernoulli", method=False)
def bernoulli(input: Any, *args: Any, **kwargs: Any) -> Any:
    """``torch.bernoulli(input, p=None, *, generator=None, out=None)``: 0/1 draws with the
    probabilities in ``input`` (or one float ``p`` for every element), in ``input``'s dtype and
    shape."""
    return _bernoulli(input, args, kwargs, method=False)


@expose("bernoulli", namespace=())
def bernoulli_method(self: Any, *args: Any, **kwargs: Any) -> Any:
    """``Tensor.bernoulli(p=None, *, generator=None)``."""
    return _bernoulli(self, args, kwargs, method=True)


def check_p(p: float) -> None:
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={num(p)}")


# ---- poisson -------------------------------------------------------------------------------
@expose("poisson", method=False)
def poisson(input: Any, generator: Any = None) -> Any:
    """``torch.poisson``: one Poisson(rate) count per element, in ``input``'s float dtype."""
    need_float_dtype(input.dtype, "poisson_cpu")
    rate = array_of(input)
    if any_true(~(rate >= 0)):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    finite = jnp.where(jnp.isinf(rate), 0, rate)  # torch returns garbage for inf; never hang
    counts = jax.random.poisson(key_for(generator), finite.astype(np.float64), rate.shape)
    return attach("PoissonBackward0", counts.astype(rate.dtype), (input,))


# ---- multinomial ---------------------------------------------------------------------------
@expose("multinomial")
def multinomial(input: Any, num_samples: int, replacement: bool = False, *,
                generator: Any = None, out: Any = None) -> Any:
    """``torch.multinomial``: ``num_samples`` category indices (int64) per row of a 1-D or 2-D
    tensor of non-negative weights; without replacement every index of a row is distinct."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{legacy_name(input.dtype)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = input.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    w = array_of(input)
    w = w.astype(_dtypes.compute_dtype(w.dtype))
    rows = w.reshape(-1, n_cat)
    if rows.shape[0] == 0:
        from .._creation import _leaf

        res = _leaf(np.zeros((0, num_samples), np.int64), _dtypes.int64, False)
        return write_out(out, res)
    if replacement and num_samples > 1:  # torch's two CPU kernels word this check differently
        if any_true(~(rows >= 0)):  # NaN and -inf fail this first, as in torch
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if any_true(jnp.isinf(rows)):
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
    elif any_true(~jnp.isfinite(rows) | (rows < 0)):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if any_true(jnp.sum(rows, axis=-1) <= 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    logits = jnp.log(rows)  # zero weight -> -inf: never drawn while another index remains
    key = key_for(generator)
    if replacement:
        idx = jax.random.categorical(key, logits, axis=-1, shape=(num_samples, rows.shape[0])).T
    else:  # Gumbel-top-k: the k largest perturbed logits are a draw without replacement
        g = jax.random.gumbel(key, rows.shape, rows.dtype)
        idx = jax.lax.top_k(logits + g, num_samples)[1]
    idx = idx.astype(np.int64)
    if input.ndim == 1:
        idx = idx[0]
    return write_out(out, _tensor_cls()._wrap(idx))


__all__ = ["BERNOULLI_P", "SAMPLE", "bernoulli", "bernoulli_method", "multinomial", "normal",
           "poisson"]
