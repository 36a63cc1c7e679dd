"""Elementwise binary and ternary math: fmod, atan2, hypot, copysign, nextafter, logaddexp(2),
ldexp, float_power, fmax/fmin, heaviside, gcd/lcm, lerp, addcmul/addcdiv, clamp_min/max,
logical and bitwise ops, shifts, isclose/allclose/equal, dist, igamma(c), isin.

Each op is declared once (``@op``, where its public function is) with an ``impl`` written so
that ``jax.vjp`` gives torch's derivative (including at ties and kinks); dtype errors that torch
raises from its CPU kernels ("X_cpu" not implemented for 'Long') are raised from the impl at
trace time, where dtypes are static, so every path to the op (function, method, in-place)
reports them alike.
"""

from __future__ import annotations

import math
from numbers import Number

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp

from .. import _dtypes
from .._dtypes import compute_in_float32, legacy_name
from ..core.declare import kernel_error, need_tensor, op
from ..core.dispatch import dispatch
from ..core.registry import COMPARE, FLOAT, KEEP, register
from ..core.surface import expose, expose_inplace
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .elementwise import (
    _check_bool_sub,
    _power,
    _power_scalar,
    check_int_divisor,
    eq,
    inplace_mask_fn,
    need_input,
    only,
    underivable,
)

_sg = jax.lax.stop_gradient

def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def _floats(kernel: str, fn):
    """``fn`` refusing non-float inputs with torch's kernel message."""
    return lambda a, b, *p: fn(only(kernel, a, "float"), b, *p)


# ---- remainders, angles, magnitudes ------------------------------------------------------------
def _fmod(a, b):
    return jnp.fmod(only("fmod_cpu", a, "float", "int"), b)


FMOD_T = register("fmod_tensor", _fmod, "FmodBackward1", saves_inputs=(0, 1))


# the declared op takes a scalar ``other`` (FmodBackward0); a tensor one is FmodBackward1
@op("fmod", impl=_fmod, grad_fn="FmodBackward0", inplace=True)
def fmod(input, other):
    """C's fmod: the result has the dividend's sign. Integer zero divisors raise."""
    need_input("fmod", input, other, combination=True)
    out = dispatch(FMOD_T if _is_tensor(other) else fmod.op, (input, other))
    check_int_divisor(other, out)
    return out


@op("atan2", grad_fn="Atan2Backward0", dtype=FLOAT, saves=(0, 1), aliases=("arctan2",),
    inplace=True)
def atan2(a, b):
    """Angle of (other, input) in radians; integers compute in the default float dtype."""
    return jnp.arctan2(a, b)


@op("hypot", grad_fn="HypotBackward0", saves=(0, 1), saves_output=True, inplace=True)
def hypot(a, b):
    """sqrt(input**2 + other**2), elementwise."""
    return jnp.hypot(only("hypot_cpu", a, "float"), b)


@op("logaddexp", impl=_floats("logaddexp_cpu", jnp.logaddexp), grad_fn="LogaddexpBackward0",
    saves=(0, 1))
def logaddexp(input, other):
    """``log(exp(input) + exp(other))`` elementwise, computed without overflow; floating-point
    tensors only, broadcasting."""
    need_tensor("logaddexp", other, "other", 2)
    return dispatch(logaddexp.op, (input, other))


@op("logaddexp2", impl=_floats("logaddexp2_cpu", jnp.logaddexp2), grad_fn="Logaddexp2Backward0",
    saves=(0, 1))
def logaddexp2(input, other):
    """``log2(2**input + 2**other)`` elementwise, computed without overflow; floating-point
    tensors only, broadcasting."""
    need_tensor("logaddexp2", other, "other", 2)
    return dispatch(logaddexp2.op, (input, other))


def _copysign(a, b):
    """|a| with b's sign. |a| as a * sign(a): torch's derivative is 0 at a == 0 (and none for b)."""
    mag = a * jnp.sign(a)
    return jnp.where(jnp.signbit(_sg(b)), -mag, mag)


COPYSIGN_T = register("copysign_tensor", _copysign, "CopysignBackward0", dtype_rule=FLOAT,
                      saves_inputs=(0,), saves_output=True)


# the declared op takes a scalar ``other`` (CopysignBackward1)
@op("copysign", impl=_copysign, grad_fn="CopysignBackward1", dtype=FLOAT, saves_output=True,
    inplace=True)
def copysign(input, other):
    """Elementwise magnitude of ``input`` with the sign of ``other`` (a tensor or a number; the
    sign of -0.0 counts). The result is floating point; the gradient flows to ``input`` only."""
    need_input("copysign", input, other, combination=True)
    return dispatch(COPYSIGN_T if _is_tensor(other) else copysign.op, (input, other))


@jax.custom_jvp
def _nextafter_same_shape(a, b):
    return jnp.nextafter(a, b)


@_nextafter_same_shape.defjvp
def _nextafter_jvp(primals, tangents):
    """torch: the gradient passes to ``input`` unchanged, ``other`` gets zero."""
    return _nextafter_same_shape(*primals), tangents[0]


def _nextafter_f(a, b):
    return _nextafter_same_shape(*jnp.broadcast_arrays(a, b))


@op("nextafter", impl=_floats("nextafter_cpu", _nextafter_f), grad_fn="NextafterBackward0",
    inplace=True)
def nextafter(input, other):
    """The next floating-point value after ``input`` in the direction of ``other``, elementwise;
    floating-point tensors only. The gradient passes to ``input`` unchanged."""
    need_tensor("nextafter", other, "other", 2)
    return dispatch(nextafter.op, (input, other))


@op("ldexp", impl=lambda a, b: a * jnp.exp2(b), grad_fn="LdexpBackward0", dtype=FLOAT,
    saves=(0, 1), inplace=True)
def ldexp(input, other):
    """input * 2**other."""
    need_tensor("ldexp", other, "other", 2)
    return dispatch(ldexp.op, (input, other))


# ---- float_power: always float64 (complex128) -------------------------------------------------
def _as_double(x):
    return x.astype(jnp.complex128 if jnp.iscomplexobj(x) else jnp.float64)


def _float_power(a, b, kind):
    a, b = _as_double(a), _as_double(b)
    if kind == "ts":
        return _power_scalar(a, b)
    return _power(a, b)


@op("float_power", impl=_float_power,
    grad_fn=lambda p: {"tt": "PowBackward1", "ts": "PowBackward0", "st": "PowBackward2"}[p[0]],
    dtype=KEEP, saves=(0, 1))
def float_power(input, exponent):
    """pow computed in double precision: the result is float64 (complex128) whatever the input."""
    kind = ("t" if _is_tensor(input) else "s") + ("t" if _is_tensor(exponent) else "s")
    return dispatch(float_power.op, (input, exponent), (kind,))


def _float_power_(self, exponent):
    """torch refuses to write the float64 result into a tensor of another dtype."""
    if self.dtype not in (_dtypes.float64, _dtypes.complex128):
        raise RuntimeError(f"the base given to float_power_ has dtype {legacy_name(self.dtype)} "
                           f"but the operation's result requires dtype Double")
    return float_power(self, exponent)


expose_inplace(("float_power",), _float_power_)


# ---- selections -------------------------------------------------------------------------------
@op("fmax", grad_fn="FmaxBackward0", saves=(0, 1))
def fmax(a, b):
    """Elementwise max ignoring nan (nan only where both are nan)."""
    # torch routes the gradient of ties to ``input``
    return jnp.where((a >= b) | jnp.isnan(b), a, b)


@op("fmin", grad_fn="FminBackward0", saves=(0, 1))
def fmin(a, b):
    """Elementwise min ignoring nan (nan only where both are nan)."""
    return jnp.where((a <= b) | jnp.isnan(b), a, b)


def _heaviside(a, v):
    zero = jnp.zeros((), a.dtype)
    return jnp.where(a == zero, v, (a > zero).astype(a.dtype))


@op("heaviside", impl=underivable(_heaviside, "heaviside"), grad_fn="NotImplemented",
    inplace=True)
def heaviside(input, values):
    """0 / values / 1 for input < 0 / == 0 / > 0; both tensors must share a dtype."""
    need_tensor("heaviside", values, "values", 2)
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return dispatch(heaviside.op, (input, values))


@op("gcd", impl=lambda a, b: jnp.gcd(only("gcd_cpu", a, "int"), b), grad_fn=None, inplace=True)
def gcd(input, other):
    """Elementwise greatest common divisor of two integer tensors (non-negative result)."""
    need_tensor("gcd", other, "other", 2)
    return dispatch(gcd.op, (input, other))


@op("lcm", impl=lambda a, b: jnp.lcm(only("lcm_cpu", a, "int"), b), grad_fn=None, inplace=True)
def lcm(input, other):
    """Elementwise least common multiple of two integer tensors (non-negative result)."""
    need_tensor("lcm", other, "other", 2)
    return dispatch(lcm.op, (input, other))


def _clamp_min(a, lo, _tensor):
    """max(a, lo) with torch's gradient: ``input`` where a >= lo, ``min`` where a < lo; nan
    inputs stay nan (and pass no gradient)."""
    return jnp.where(a >= lo, a, jnp.where(a < lo, lo, _sg(a)))


def _clamp_max(a, hi, _tensor):
    return jnp.where(a <= hi, a, jnp.where(a > hi, hi, _sg(a)))


def _clamp_bound(fname: str, opdef, input, bound):
    if bound is None or not (_is_tensor(bound) or isinstance(bound, Number)):
        raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                        f"(Tensor, {type(bound).__name__}), but expected one of: (Tensor input, "
                        f"Tensor {fname[6:]}) or (Tensor input, Number {fname[6:]})")
    return dispatch(opdef, (input, bound), (_is_tensor(bound),))


@op("clamp_min", impl=_clamp_min,
    grad_fn=lambda p: "ClampMinBackward1" if p[0] else "ClampMinBackward0", saves=(0, 1),
    inplace=True)
def clamp_min(input, min):
    """max(input, min) (``Tensor.clamp(min=...)`` with torch's ClampMin grad_fn names)."""
    return _clamp_bound("clamp_min", clamp_min.op, input, min)


@op("clamp_max", impl=_clamp_max,
    grad_fn=lambda p: "ClampMaxBackward1" if p[0] else "ClampMaxBackward0", saves=(0, 1),
    inplace=True)
def clamp_max(input, max):
    """``min(input, max)`` elementwise: caps every element at ``max`` (a number or a
    broadcastable tensor); the same as ``clamp(input, max=max)``. NaN stays NaN."""
    return _clamp_bound("clamp_max", clamp_max.op, input, max)


# ---- ternary ----------------------------------------------------------------------------------
def _lerp(a, b, w):
    """torch's two-sided formula (exact at w == 0 and w == 1)."""
    w = w.astype(a.dtype) if hasattr(w, "astype") else w
    small = jnp.abs(w) < 0.5
    return jnp.where(small, a + w * (b - a), b - (b - a) * (1 - w))


def _c_dtype(d: _dtypes.dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}.get(d.name, d.name)


LERP_T = register("lerp_tensor", _lerp, "LerpBackward1", saves_inputs=(0, 1, 2))


# the declared op takes a scalar weight (LerpBackward0); a tensor one is LerpBackward1
@op("lerp", impl=lambda a, b, w: _lerp(a, b, w), grad_fn="LerpBackward0", saves=(0, 1),
    participants=(0, 1), inplace=True)
def lerp(input, end, weight):
    """input + weight * (end - input); input and end (and a non-0-dim weight) share a dtype."""
    need_input("lerp", input, end, combination=True)
    need_tensor("lerp", end, "end", 2)
    if input.dtype.category < _dtypes._FLOAT:
        kernel = "lerp_kernel_tensor" if _is_tensor(weight) else "lerp_kernel_scalar"
        raise kernel_error(kernel, input.dtype.np)
    for name, x in (("end", end), ("weight", weight)):
        if _is_tensor(x) and x.dtype != input.dtype and (name == "end" or x.ndim):
            raise RuntimeError(f"expected dtype {_c_dtype(input.dtype)} for `{name}` but got "
                               f"dtype {_c_dtype(x.dtype)}")
    if _is_tensor(weight):
        return dispatch(LERP_T, (input, end, weight))
    return dispatch(lerp.op, (input, end, weight))


def _addcmul(a, b, c, value):
    only("addcmul_cpu_out", a, "float", "int")
    return a + (jnp.asarray(value).astype(a.dtype) * b) * c


def _addcdiv(a, b, c, value):
    return a + (jnp.asarray(value).astype(a.dtype) * b) / c


@op("addcmul", impl=_addcmul, grad_fn="AddcmulBackward0", saves=(1, 2), inplace=True)
def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2 (value cast to the result dtype)."""
    return dispatch(addcmul.op, (input, tensor1, tensor2), (value,))


@op("addcdiv", impl=_addcdiv, grad_fn="AddcdivBackward0", saves=(1, 2), inplace=True)
def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2; integer tensor1 / tensor2 are refused, as in torch."""
    if all(_is_tensor(t) and t.dtype.category < _dtypes._FLOAT for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    return dispatch(addcdiv.op, (input, tensor1, tensor2), (value,))


# ---- logical, bitwise, shifts -----------------------------------------------------------------
@op("logical_and", grad_fn=None, dtype=COMPARE)
def logical_and(a, b):
    """Elementwise and of truthiness (nonzero is True); the result is bool."""
    return jnp.logical_and(a, b)


expose_inplace(("logical_and",), inplace_mask_fn(logical_and))


@op("logical_or", grad_fn=None, dtype=COMPARE)
def logical_or(a, b):
    """Elementwise or of truthiness (nonzero is True); the result is bool."""
    return jnp.logical_or(a, b)


expose_inplace(("logical_or",), inplace_mask_fn(logical_or))


@op("logical_xor", grad_fn=None, dtype=COMPARE)
def logical_xor(a, b):
    """Elementwise xor of truthiness (nonzero is True); the result is bool."""
    return jnp.logical_xor(a, b)


expose_inplace(("logical_xor",), inplace_mask_fn(logical_xor))


def _need_a_tensor(fname: str, input, other) -> None:
    """torch's TypeError when neither operand of a bitwise function is a tensor."""
    if not _is_tensor(input) and not _is_tensor(other):
        raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                        f"({type(input).__name__}, {type(other).__name__})")


@op("bitwise_and", impl=lambda a, b: jnp.bitwise_and(only("bitwise_and_cpu", a, "int", "bool"), b),
    grad_fn=None, inplace=True)
def bitwise_and(input, other):
    """torch.bitwise_and on integer or bool tensors (and Python numbers)."""
    _need_a_tensor("bitwise_and", input, other)
    return dispatch(bitwise_and.op, (input, other))


@op("bitwise_or", impl=lambda a, b: jnp.bitwise_or(only("bitwise_or_cpu", a, "int", "bool"), b),
    grad_fn=None, inplace=True)
def bitwise_or(input, other):
    """torch.bitwise_or on integer or bool tensors (and Python numbers)."""
    _need_a_tensor("bitwise_or", input, other)
    return dispatch(bitwise_or.op, (input, other))


@op("bitwise_xor", impl=lambda a, b: jnp.bitwise_xor(only("bitwise_xor_cpu", a, "int", "bool"), b),
    grad_fn=None, inplace=True)
def bitwise_xor(input, other):
    """torch.bitwise_xor on integer or bool tensors (and Python numbers)."""
    _need_a_tensor("bitwise_xor", input, other)
    return dispatch(bitwise_xor.op, (input, other))


def _lshift(a, b):
    """Shifts by a negative amount or by the bit width or more give 0 (as jnp, as torch)."""
    return jnp.left_shift(only("lshift_cpu", a, "int"), b)


def _rshift(a, b):
    return jnp.right_shift(only("rshift_cpu", a, "int"), b)


@op("bitwise_left_shift", impl=_lshift, grad_fn=None, inplace=True)
def bitwise_left_shift(input, other):
    """torch.bitwise_left_shift on integer or bool tensors (and Python numbers)."""
    _need_a_tensor("bitwise_left_shift", input, other)
    return dispatch(bitwise_left_shift.op, (input, other))


@op("bitwise_right_shift", impl=_rshift, grad_fn=None, inplace=True)
def bitwise_right_shift(input, other):
    """torch.bitwise_right_shift on integer or bool tensors (and Python numbers)."""
    _need_a_tensor("bitwise_right_shift", input, other)
    return dispatch(bitwise_right_shift.op, (input, other))


# ---- closeness, distances ---------------------------------------------------------------------
def _isclose(a, b, rtol, atol, equal_nan, default):
    """torch's isclose: equality, else a finite |a - b| <= atol + |rtol * b|. Integers compute
    the error in their own dtype and the allowance in the default float dtype, as torch does."""
    close = a == b
    if equal_nan and jnp.issubdtype(a.dtype, jnp.inexact):
        close = close | (jnp.isnan(a) & jnp.isnan(b))
    if rtol == 0 and atol == 0:
        return close
    if a.dtype == jnp.bool_:
        a, b = a.astype(default), b.astype(default)
    fb = b if jnp.issubdtype(b.dtype, jnp.inexact) else b.astype(default)
    allowed = atol + jnp.abs(jnp.asarray(rtol, fb.dtype) * fb)
    actual = jnp.abs(a - b)
    if jnp.issubdtype(actual.dtype, jnp.inexact):
        ok = jnp.isfinite(actual) & (actual <= allowed.astype(actual.dtype))
    else:
        ok = actual.astype(allowed.dtype) <= allowed
    return close | ok


def _same_dtype(fname: str, input, other) -> None:
    need_tensor(fname, other, "other", 2)
    if input.dtype != other.dtype:
        raise RuntimeError(f"{legacy_name(input.dtype)} did not match "
                           f"{legacy_name(other.dtype)}")


@op("isclose", impl=_isclose, grad_fn=None, dtype=KEEP)
def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """|input - other| <= atol + rtol * |other| elementwise (bool); dtypes must match."""
    _same_dtype("isclose", input, other)
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v}")
    params = (float(rtol), float(atol), bool(equal_nan), _dtypes.get_default_dtype().np)
    return dispatch(isclose.op, (input, other), params)


@expose("allclose")
def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """isclose(...).all() as a Python bool (a host sync, as in torch)."""
    return bool(jnp.all(array_of(isclose(input, other, rtol, atol, equal_nan))))


@expose("equal")
def equal(input, other) -> bool:
    """Same shape and same values (after promotion) as a Python bool; no broadcasting."""
    need_tensor("equal", other, "other", 2)
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool(jnp.all(array_of(dispatch(eq.op, (input, other)))))


def _dist(a, b, p):
    """||a - b||_p over all elements; at a zero distance the gradient is 0 (torch's norm
    backward), and |x| is x * sign(x) so that its derivative at 0 is 0 too."""
    d = a - b
    ad = d * jnp.sign(d)
    if p == 0:
        return _sg(jnp.sum(d != 0).astype(d.dtype))
    if p == math.inf:
        return jnp.max(ad) if d.size else jnp.zeros((), d.dtype)
    if p == -math.inf:
        return jnp.min(ad) if d.size else jnp.zeros((), d.dtype)
    if p == 1:
        return jnp.sum(ad)
    if p == 2:
        s = jnp.sum(d * d)
        zero = s == 0
        return jnp.where(zero, jnp.zeros_like(s), jnp.sqrt(jnp.where(zero, jnp.ones_like(s), s)))
    s = jnp.sum(ad ** p)
    zero = s == 0
    return jnp.where(zero, jnp.zeros_like(s), jnp.where(zero, jnp.ones_like(s), s) ** (1.0 / p))


@op("dist", impl=_dist, grad_fn="DistBackward0", dtype=FLOAT, saves=(0, 1), saves_output=True,
    float_only="norm(): input dtype should be either floating point or complex. "
               "Got {dtype} instead.")
def dist(input, other, p: float = 2):
    """The p-norm of input - other (broadcast), as a 0-dim tensor."""
    need_tensor("dist", other, "other", 2)
    if isinstance(p, bool) or not isinstance(p, Number):
        raise TypeError(f"dist(): argument 'p' (position 3) must be Number, not "
                        f"{type(p).__name__}")
    _check_bool_sub(input, other)
    return dispatch(dist.op, (input, other), (float(p),))


def _igamma(kernel: str, fn):
    # jax's series want float32 at least
    compute = compute_in_float32(lambda a, x: fn(_sg(a), x), n_arrays=2)

    def impl(a, x):
        only(kernel, a, "float")
        return compute(a, x)

    return impl


@op("igamma", impl=_igamma("igamma_cpu", jsp.gammainc), grad_fn="IgammaBackward0", saves=(0, 1),
    inplace=True)
def igamma(input, other):
    """Regularized lower incomplete gamma P(input, other). Differentiable in ``other`` only."""
    need_tensor("igamma", other, "other", 2)
    return dispatch(igamma.op, (input, other))


@op("igammac", impl=_igamma("igammac_cpu", jsp.gammaincc), grad_fn="IgammacBackward0",
    saves=(0, 1), inplace=True)
def igammac(input, other):
    """Regularized upper incomplete gamma Q(input, other) = 1 - P."""
    need_tensor("igammac", other, "other", 2)
    return dispatch(igammac.op, (input, other))


def _isin(e, t, invert):
    hit = jnp.any(e[..., None] == t.reshape(-1), axis=-1) if t.size else jnp.zeros(e.shape, bool)
    return ~hit if invert else hit


@op("isin", impl=_isin, grad_fn=None, dtype=COMPARE, method=False)
def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """Whether each element of ``elements`` is in ``test_elements`` (either may be a number)."""
    if not _is_tensor(elements) and not _is_tensor(test_elements):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__})")
    for x in (elements, test_elements):
        if _is_tensor(x) and x.dtype == _dtypes.bool_:
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    return dispatch(isin.op, (elements, test_elements), (bool(invert),))
