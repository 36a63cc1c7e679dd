"""Elementwise binary and ternary math: fmod, atan2, hypot, copysign, nextafter, logaddexp(2),
ldexp, float_power, fmax/fmin, heaviside, gcd/lcm, lerp, addcmul/addcdiv, clamp_min/max,
logical and bitwise ops, shifts, isclose/allclose/equal, dist, igamma(c), isin.

Each op is one registered OpDef whose ``impl`` is written so that ``jax.vjp`` gives torch's
derivative (including at ties and kinks); dtype errors that torch raises from its CPU kernels
("X_cpu" not implemented for 'Long') are raised from the impl at trace time, where dtypes are
static, so every path to the op (function, method, in-place) reports them alike.
"""

from __future__ import annotations

import math
from numbers import Number

import jax
import jax.numpy as jnp
import jax.scipy.special as jsp

from .. import _dtypes as D
from .._dtypes import compute_in_float32, legacy_name
from ..core.dispatch import dispatch
from ..core.registry import COMPARE, FLOAT, KEEP, PROMOTE, register
from ..core.surface import expose, expose_inplace
from ..core.tensor import Tensor
from .elementwise import (
    BITWISE_AND,
    BITWISE_OR,
    BITWISE_XOR,
    EQ,
    _check_bool_sub,
    _power,
    _power_scalar,
    check_int_divisor,
    inplace_mask_fn,
    kernel_error,
    need_input,
    need_tensor,
    only,
    tensors_only,
    underivable,
)

_sg = jax.lax.stop_gradient


def _is_tensor(x) -> bool:
    return isinstance(x, Tensor)


def _op(name: str, impl, grad_fn, rule: str = PROMOTE, saves=(0, 1), **kw):
    return register(name, impl, grad_fn, dtype_rule=rule, saves_inputs=saves, **kw)


def _floats(kernel: str, fn):
    """``fn`` refusing non-float inputs with torch's kernel message."""
    return lambda a, b, *p: fn(only(kernel, a, "float"), b, *p)


# ---- remainders, angles, magnitudes ------------------------------------------------------------
def _fmod(a, b):
    return jnp.fmod(only("fmod_cpu", a, "float", "int"), b)


FMOD = _op("fmod", _fmod, "FmodBackward0", saves=())  # other is a scalar
FMOD_T = _op("fmod_tensor", _fmod, "FmodBackward1")
ATAN2 = _op("atan2", jnp.arctan2, "Atan2Backward0", rule=FLOAT)
HYPOT = _op("hypot", _floats("hypot_cpu", jnp.hypot), "HypotBackward0", saves_output=True)
LOGADDEXP = _op("logaddexp", _floats("logaddexp_cpu", jnp.logaddexp), "LogaddexpBackward0")
LOGADDEXP2 = _op("logaddexp2", _floats("logaddexp2_cpu", jnp.logaddexp2), "Logaddexp2Backward0")


def _copysign(a, b):
    """|a| with b's sign. |a| as a * sign(a): torch's derivative is 0 at a == 0 (and none for b)."""
    mag = a * jnp.sign(a)
    return jnp.where(jnp.signbit(_sg(b)), -mag, mag)


COPYSIGN = _op("copysign", _copysign, "CopysignBackward1", rule=FLOAT, saves=(),
               saves_output=True)  # other is a scalar
COPYSIGN_T = _op("copysign_tensor", _copysign, "CopysignBackward0", rule=FLOAT, saves=(0,),
                 saves_output=True)


@jax.custom_jvp
def _nextafter_same_shape(a, b):
    return jnp.nextafter(a, b)


@_nextafter_same_shape.defjvp
def _nextafter_jvp(primals, tangents):
    """torch: the gradient passes to ``input`` unchanged, ``other`` gets zero."""
    return _nextafter_same_shape(*primals), tangents[0]


def _nextafter_f(a, b):
    return _nextafter_same_shape(*jnp.broadcast_arrays(a, b))


NEXTAFTER = _op("nextafter", _floats("nextafter_cpu", _nextafter_f), "NextafterBackward0", saves=())
LDEXP = _op("ldexp", lambda a, b: a * jnp.exp2(b), "LdexpBackward0", rule=FLOAT)


# ---- float_power: always float64 (complex128) -------------------------------------------------
def _as_double(x):
    return x.astype(jnp.complex128 if jnp.iscomplexobj(x) else jnp.float64)


def _float_power(a, b, kind):
    a, b = _as_double(a), _as_double(b)
    if kind == "ts":
        return _power_scalar(a, b)
    return _power(a, b)


FLOAT_POWER = register("float_power", _float_power,
                       lambda p: {"tt": "PowBackward1", "ts": "PowBackward0",
                                  "st": "PowBackward2"}[p[0]],
                       dtype_rule=KEEP, saves_inputs=(0, 1))


# ---- selections -------------------------------------------------------------------------------
def _fmax(a, b):
    """nan-ignoring max; torch routes the gradient of ties to ``input``."""
    return jnp.where((a >= b) | jnp.isnan(b), a, b)


def _fmin(a, b):
    return jnp.where((a <= b) | jnp.isnan(b), a, b)


FMAX = _op("fmax", _fmax, "FmaxBackward0")
FMIN = _op("fmin", _fmin, "FminBackward0")


def _heaviside(a, v):
    zero = jnp.zeros((), a.dtype)
    return jnp.where(a == zero, v, (a > zero).astype(a.dtype))


HEAVISIDE = _op("heaviside", underivable(_heaviside, "heaviside"), "NotImplemented", saves=())
GCD = _op("gcd", lambda a, b: jnp.gcd(only("gcd_cpu", a, "int"), b), None, saves=())
LCM = _op("lcm", lambda a, b: jnp.lcm(only("lcm_cpu", a, "int"), b), None, saves=())


def _clamp_min(a, lo, _tensor):
    """max(a, lo) with torch's gradient: ``input`` where a >= lo, ``min`` where a < lo; nan
    inputs stay nan (and pass no gradient)."""
    return jnp.where(a >= lo, a, jnp.where(a < lo, lo, _sg(a)))


def _clamp_max(a, hi, _tensor):
    return jnp.where(a <= hi, a, jnp.where(a > hi, hi, _sg(a)))


CLAMP_MIN = register("clamp_min", _clamp_min,
                     lambda p: "ClampMinBackward1" if p[0] else "ClampMinBackward0",
                     saves_inputs=(0, 1))
CLAMP_MAX = register("clamp_max", _clamp_max,
                     lambda p: "ClampMaxBackward1" if p[0] else "ClampMaxBackward0",
                     saves_inputs=(0, 1))


# ---- ternary ----------------------------------------------------------------------------------
def _lerp(a, b, w):
    """torch's two-sided formula (exact at w == 0 and w == 1)."""
    w = w.astype(a.dtype) if hasattr(w, "astype") else w
    small = jnp.abs(w) < 0.5
    return jnp.where(small, a + w * (b - a), b - (b - a) * (1 - w))


LERP = register("lerp", lambda a, b, w: _lerp(a, b, w), "LerpBackward0", saves_inputs=(0, 1),
                participants=(0, 1))
LERP_T = register("lerp_tensor", _lerp, "LerpBackward1", saves_inputs=(0, 1, 2))


def _addcmul(a, b, c, value):
    only("addcmul_cpu_out", a, "float", "int")
    return a + (jnp.asarray(value).astype(a.dtype) * b) * c


def _addcdiv(a, b, c, value):
    return a + (jnp.asarray(value).astype(a.dtype) * b) / c


ADDCMUL = register("addcmul", _addcmul, "AddcmulBackward0", saves_inputs=(1, 2))
ADDCDIV = register("addcdiv", _addcdiv, "AddcdivBackward0", saves_inputs=(1, 2))


# ---- logical, bitwise, shifts -----------------------------------------------------------------
LOGICAL_AND = _op("logical_and", jnp.logical_and, None, rule=COMPARE, saves=())
LOGICAL_OR = _op("logical_or", jnp.logical_or, None, rule=COMPARE, saves=())
LOGICAL_XOR = _op("logical_xor", jnp.logical_xor, None, rule=COMPARE, saves=())


def _lshift(a, b):
    """Shifts by a negative amount or by the bit width or more give 0 (as jnp, as torch)."""
    return jnp.left_shift(only("lshift_cpu", a, "int"), b)


def _rshift(a, b):
    return jnp.right_shift(only("rshift_cpu", a, "int"), b)


LSHIFT = _op("bitwise_left_shift", _lshift, None, saves=())
RSHIFT = _op("bitwise_right_shift", _rshift, None, saves=())


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


ISCLOSE = register("isclose", _isclose, None, dtype_rule=KEEP)


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


DIST = register("dist", _dist, "DistBackward0", dtype_rule=FLOAT, saves_inputs=(0, 1),
                saves_output=True,
                float_only="norm(): input dtype should be either floating point or complex. "
                           "Got {dtype} instead.")


def _igamma(kernel: str, fn):
    # jax's series want float32 at least
    compute = compute_in_float32(lambda a, x: fn(_sg(a), x), n_arrays=2)

    def impl(a, x):
        only(kernel, a, "float")
        return compute(a, x)

    return impl


IGAMMA = _op("igamma", _igamma("igamma_cpu", jsp.gammainc), "IgammaBackward0")
IGAMMAC = _op("igammac", _igamma("igammac_cpu", jsp.gammaincc), "IgammacBackward0")


def _isin(e, t, invert):
    hit = jnp.any(e[..., None] == t.reshape(-1), axis=-1) if t.size else jnp.zeros(e.shape, bool)
    return ~hit if invert else hit


ISIN = register("isin", _isin, None, dtype_rule=COMPARE)


# ---- public functions -------------------------------------------------------------------------
def fmod(input, other):
    """C's fmod: the result has the dividend's sign. Integer zero divisors raise."""
    need_input("fmod", input, other, combination=True)
    out = dispatch(FMOD_T if _is_tensor(other) else FMOD, (input, other))
    check_int_divisor(other, out)
    return out


atan2 = tensors_only(ATAN2, "atan2", "Angle of (other, input) in radians; integers compute in "
                                     "the default float dtype.")


hypot = tensors_only(HYPOT, "hypot", "sqrt(input**2 + other**2), elementwise.")


def copysign(input, other):
    need_input("copysign", input, other, combination=True)
    return dispatch(COPYSIGN_T if _is_tensor(other) else COPYSIGN, (input, other))


def nextafter(input, other):
    need_tensor("nextafter", other)
    return dispatch(NEXTAFTER, (input, other))


def logaddexp(input, other):
    need_tensor("logaddexp", other)
    return dispatch(LOGADDEXP, (input, other))


def logaddexp2(input, other):
    need_tensor("logaddexp2", other)
    return dispatch(LOGADDEXP2, (input, other))


def ldexp(input, other):
    """input * 2**other."""
    need_tensor("ldexp", other)
    return dispatch(LDEXP, (input, other))


def float_power(input, exponent):
    """pow computed in double precision: the result is float64 (complex128) whatever the input."""
    kind = ("t" if _is_tensor(input) else "s") + ("t" if _is_tensor(exponent) else "s")
    return dispatch(FLOAT_POWER, (input, exponent), (kind,))


def _float_power_(self, exponent):
    """torch refuses to write the float64 result into a tensor of another dtype."""
    if self.dtype not in (D.float64, D.complex128):
        raise RuntimeError(f"the base given to float_power_ has dtype {legacy_name(self.dtype)} "
                           f"but the operation's result requires dtype Double")
    return float_power(self, exponent)


fmax = tensors_only(FMAX, "fmax", "Elementwise max ignoring nan (nan only where both are nan).")
fmin = tensors_only(FMIN, "fmin", "Elementwise min ignoring nan (nan only where both are nan).")


def heaviside(input, values):
    """0 / values / 1 for input < 0 / == 0 / > 0; both tensors must share a dtype."""
    need_tensor("heaviside", values, "values")
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return dispatch(HEAVISIDE, (input, values))


def gcd(input, other):
    need_tensor("gcd", other)
    return dispatch(GCD, (input, other))


def lcm(input, other):
    need_tensor("lcm", other)
    return dispatch(LCM, (input, other))


def _c_dtype(d: D.dtype) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16"}.get(d.name, d.name)


def lerp(input, end, weight):
    """input + weight * (end - input); input and end (and a non-0-dim weight) share a dtype."""
    need_input("lerp", input, end, combination=True)
    need_tensor("lerp", end, "end")
    if input.dtype.category < D._FLOAT:
        kernel = "lerp_kernel_tensor" if _is_tensor(weight) else "lerp_kernel_scalar"
        raise kernel_error(kernel, input.dtype.np)
    for name, x in (("end", end), ("weight", weight)):
        if _is_tensor(x) and x.dtype != input.dtype and (name == "end" or x.ndim):
            raise RuntimeError(f"expected dtype {_c_dtype(input.dtype)} for `{name}` but got "
                               f"dtype {_c_dtype(x.dtype)}")
    if _is_tensor(weight):
        return dispatch(LERP_T, (input, end, weight))
    return dispatch(LERP, (input, end, weight))


def addcmul(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 * tensor2 (value cast to the result dtype)."""
    return dispatch(ADDCMUL, (input, tensor1, tensor2), (value,))


def addcdiv(input, tensor1, tensor2, *, value=1):
    """input + value * tensor1 / tensor2; integer tensor1 / tensor2 are refused, as in torch."""
    if all(_is_tensor(t) and t.dtype.category < D._FLOAT for t in (tensor1, tensor2)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))."
            "to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes.")
    return dispatch(ADDCDIV, (input, tensor1, tensor2), (value,))


def _clamp_bound(fname: str, op, input, bound):
    if bound is None or not (_is_tensor(bound) or isinstance(bound, Number)):
        raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                        f"(Tensor, {type(bound).__name__}), but expected one of: (Tensor input, "
                        f"Tensor {fname[6:]}) or (Tensor input, Number {fname[6:]})")
    return dispatch(op, (input, bound), (_is_tensor(bound),))


def clamp_min(input, min):
    """max(input, min) (``Tensor.clamp(min=...)`` with torch's ClampMin grad_fn names)."""
    return _clamp_bound("clamp_min", CLAMP_MIN, input, min)


def clamp_max(input, max):
    return _clamp_bound("clamp_max", CLAMP_MAX, input, max)


def _logical(op, fname: str):
    return tensors_only(op, fname, f"Elementwise {fname[8:]} of truthiness (nonzero is True); "
                                   "the result is bool.")


logical_and = _logical(LOGICAL_AND, "logical_and")
logical_or = _logical(LOGICAL_OR, "logical_or")
logical_xor = _logical(LOGICAL_XOR, "logical_xor")


def _bitwise(op, fname: str):
    def fn(input, other):
        if not _is_tensor(input) and not _is_tensor(other):
            raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                            f"({type(input).__name__}, {type(other).__name__})")
        return dispatch(op, (input, other))

    fn.__name__ = fname
    fn.__doc__ = f"torch.{fname} on integer or bool tensors (and Python numbers)."
    return fn


bitwise_and = _bitwise(BITWISE_AND, "bitwise_and")
bitwise_or = _bitwise(BITWISE_OR, "bitwise_or")
bitwise_xor = _bitwise(BITWISE_XOR, "bitwise_xor")
bitwise_left_shift = _bitwise(LSHIFT, "bitwise_left_shift")
bitwise_right_shift = _bitwise(RSHIFT, "bitwise_right_shift")


def _same_dtype(fname: str, input, other) -> None:
    need_tensor(fname, other)
    if input.dtype != other.dtype:
        raise RuntimeError(f"{legacy_name(input.dtype)} did not match "
                           f"{legacy_name(other.dtype)}")


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """|input - other| <= atol + rtol * |other| elementwise (bool); dtypes must match."""
    _same_dtype("isclose", input, other)
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v}")
    params = (float(rtol), float(atol), bool(equal_nan), D.get_default_dtype().np)
    return dispatch(ISCLOSE, (input, other), params)


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """isclose(...).all() as a Python bool (a host sync, as in torch)."""
    return bool(jnp.all(isclose(input, other, rtol, atol, equal_nan)._st.array))


def equal(input, other) -> bool:
    """Same shape and same values (after promotion) as a Python bool; no broadcasting."""
    need_tensor("equal", other)
    if tuple(input.shape) != tuple(other.shape):
        return False
    return bool(jnp.all(dispatch(EQ, (input, other))._st.array))


def dist(input, other, p: float = 2):
    """The p-norm of input - other (broadcast), as a 0-dim tensor."""
    need_tensor("dist", other)
    if isinstance(p, bool) or not isinstance(p, Number):
        raise TypeError(f"dist(): argument 'p' (position 3) must be Number, not "
                        f"{type(p).__name__}")
    _check_bool_sub(input, other)
    return dispatch(DIST, (input, other), (float(p),))


def igamma(input, other):
    """Regularized lower incomplete gamma P(input, other). Differentiable in ``other`` only."""
    need_tensor("igamma", other)
    return dispatch(IGAMMA, (input, other))


def igammac(input, other):
    """Regularized upper incomplete gamma Q(input, other) = 1 - P."""
    need_tensor("igammac", other)
    return dispatch(IGAMMAC, (input, other))


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False):
    """Whether each element of ``elements`` is in ``test_elements`` (either may be a number)."""
    if not _is_tensor(elements) and not _is_tensor(test_elements):
        raise TypeError("isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__})")
    for x in (elements, test_elements):
        if _is_tensor(x) and x.dtype == D.bool_:
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    return dispatch(ISIN, (elements, test_elements), (bool(invert),))


# ---- surface ----------------------------------------------------------------------------------
expose("fmod", inplace=True)(fmod)
expose("atan2", "arctan2", inplace=True)(atan2)
for _f in (hypot, copysign, nextafter, ldexp, heaviside, gcd, lcm, lerp, addcmul,
           addcdiv, clamp_min, clamp_max, bitwise_and, bitwise_or, bitwise_xor,
           bitwise_left_shift, bitwise_right_shift, igamma, igammac):
    expose(_f.__name__, inplace=True)(_f)
for _f in (logaddexp, logaddexp2, fmax, fmin, isclose, allclose, equal, dist):
    expose(_f.__name__)(_f)
expose("float_power")(float_power)
expose_inplace(("float_power",), _float_power_)
for _f in (logical_and, logical_or, logical_xor):
    expose(_f.__name__)(_f)
    expose_inplace((_f.__name__,), inplace_mask_fn(_f))
expose("isin", method=False)(isin)
