"""Elementwise unary math: rounding, powers/logs, trig/hyperbolic, gamma family, predicates.

Each op is declared once with :func:`~torchlike_jax.core.declare.op` (registered, wrapped and
published under torch's names: ``torch.X``, ``Tensor.X``, ``Tensor.X_``, aliases such as
``arcsin``, and ``torch.special.X`` where torch has the same op there). Gradients are
``jax.vjp`` of the impls, so the impls are written so that JAX's derivative is torch's:
rounding ops have zero gradient, ``logit(eps)`` passes the gradient at the clamp bounds,
``xlogy`` gives ``log(y)`` to ``x`` even where ``x == 0``.

Half-precision inputs compute in float32 and round once at the end (``upcast=True``): JAX's
float16 polynomial approximations of erfinv/lgamma/digamma are far less accurate than torch's
kernels, which also compute halves in float.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np

from .._dtypes import compute_in_float32
from ..core.declare import kernel_error, need_tensor, op
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, KEEP, PROMOTE, OpDef, register
from ..core.surface import expose, expose_inplace
from ..core.tensor import Tensor
from . import elementwise

_BOTH = ("torch", "special")


def _is_int(a) -> bool:
    return jnp.issubdtype(a.dtype, jnp.integer) or a.dtype == jnp.bool_


# ---- float ops (integers -> the default float dtype, halves computed in float32) -------------
def _float(name: str, grad_fn: str, saves: tuple = (0,), saves_output: bool = False, **kw):
    """``op`` with the settings every float unary shares (torch's FLOAT rule, opmath)."""
    return op(name, grad_fn=grad_fn, dtype=FLOAT, saves=saves, saves_output=saves_output,
              upcast=True, inplace=True, **kw)


@_float("exp2", "Exp2Backward0", saves=(), saves_output=True, namespace=_BOTH)
def exp2(a):
    """2**x, elementwise."""
    return jnp.exp2(a)


@_float("expm1", "Expm1Backward0", saves=(), saves_output=True, namespace=_BOTH)
def expm1(a):
    """e**x - 1, accurate near 0."""
    return jnp.expm1(a)


@_float("log2", "Log2Backward0")
def log2(a):
    """Base-2 logarithm, elementwise."""
    return jnp.log2(a)


@_float("log10", "Log10Backward0")
def log10(a):
    """Base-10 logarithm, elementwise."""
    return jnp.log10(a)


@_float("log1p", "Log1PBackward0", namespace=_BOTH)
def log1p(a):
    """log(1 + x), accurate near 0."""
    return jnp.log1p(a)


@_float("rsqrt", "RsqrtBackward0", saves=(), saves_output=True)
def rsqrt(a):
    """1 / sqrt(x), elementwise."""
    return jax.lax.rsqrt(a)


@_float("reciprocal", "ReciprocalBackward0", saves=(), saves_output=True)
def reciprocal(a):
    """1 / x, elementwise (integers give floats)."""
    return 1 / a


@_float("tan", "TanBackward0", saves=(), saves_output=True)
def tan(a):
    """Tangent, elementwise."""
    return jnp.tan(a)


@_float("asin", "AsinBackward0", aliases=("arcsin",))
def asin(a):
    """Arcsine, elementwise."""
    return jnp.arcsin(a)


@_float("acos", "AcosBackward0", aliases=("arccos",))
def acos(a):
    """Arccosine, elementwise."""
    return jnp.arccos(a)


@_float("atan", "AtanBackward0", aliases=("arctan",))
def atan(a):
    """Arctangent, elementwise."""
    return jnp.arctan(a)


@_float("sinh", "SinhBackward0")
def sinh(a):
    """Hyperbolic sine, elementwise."""
    return jnp.sinh(a)


@_float("cosh", "CoshBackward0")
def cosh(a):
    """Hyperbolic cosine, elementwise."""
    return jnp.cosh(a)


def _no_inplace_derivative(fn, name: str):
    """``fn`` whose backward raises torch's error: torch 2.13 has no derivative for the in-place
    asinh_/acosh_/atanh_ (their nodes exist, backward through them raises)."""

    @jax.custom_vjp
    def f(a):
        return fn(a)

    def fwd(a):
        return fn(a), None

    def bwd(_res, _g):
        raise NotImplementedError(f"the derivative for 'inplace version of {name}' is not "
                                  "implemented.")

    f.defvjp(fwd, bwd)
    return f


# torch's in-place asinh_/acosh_/atanh_ record a differently numbered node (AsinhBackward1...)
@_float("asinh", "AsinhBackward0", aliases=("arcsinh",), inplace_grad_fn="AsinhBackward1",
        inplace_impl=_no_inplace_derivative(jnp.arcsinh, "asinh"))
def asinh(a):
    """Inverse hyperbolic sine, elementwise."""
    return jnp.arcsinh(a)


@_float("acosh", "AcoshBackward0", aliases=("arccosh",), inplace_grad_fn="AcoshBackward1",
        inplace_impl=_no_inplace_derivative(jnp.arccosh, "acosh"))
def acosh(a):
    """Inverse hyperbolic cosine, elementwise."""
    return jnp.arccosh(a)


@_float("atanh", "AtanhBackward0", aliases=("arctanh",), inplace_grad_fn="AtanhBackward1",
        inplace_impl=_no_inplace_derivative(jnp.arctanh, "atanh"))
def atanh(a):
    """Inverse hyperbolic tangent, elementwise."""
    return jnp.arctanh(a)


@_float("erf", "ErfBackward0", namespace=_BOTH)
def erf(a):
    """Error function, elementwise."""
    return jss.erf(a)


@_float("erfc", "ErfcBackward0", namespace=_BOTH)
def erfc(a):
    """Complementary error function 1 - erf(x)."""
    return jss.erfc(a)


@_float("erfinv", "ErfinvBackward0", namespace=_BOTH)
def erfinv(a):
    """Inverse error function, elementwise."""
    return jss.erfinv(a)


@_float("lgamma", "LgammaBackward0")
def lgamma(a):
    """log|Gamma(x)|, elementwise."""
    return jss.gammaln(a)


def _digamma(a):
    """digamma with torch's value at 0: -inf at +0.0, +inf at -0.0 (JAX gives nan)."""
    return jnp.where(a == 0, jnp.copysign(jnp.asarray(jnp.inf, a.dtype), -a), jss.digamma(a))


@_float("digamma", "DigammaBackward0", namespace=_BOTH)
def digamma(a):
    """d/dx log Gamma(x), elementwise."""
    return _digamma(a)


@_float("i0", "I0Backward0", namespace=_BOTH)
def i0(a):
    """Modified Bessel function of the first kind, order 0."""
    return jss.i0(a)


@_float("sinc", "SincBackward0", namespace=_BOTH)
def sinc(a):
    """sin(pi x) / (pi x), 1 at 0."""
    return jnp.sinc(a)


@_float("deg2rad", "Deg2RadBackward0", saves=())
def deg2rad(a):
    """Degrees to radians."""
    return a * (np.pi / 180)


@_float("rad2deg", "Rad2DegBackward0", saves=())
def rad2deg(a):
    """Radians to degrees."""
    return a * (180 / np.pi)


# ---- ops that keep integer dtypes (integers pass through unchanged) --------------------------
def _int_identity(fn: Callable, upcast: bool = True) -> Callable:
    """``fn`` on floats; integers (already integral) pass through unchanged."""
    compute = compute_in_float32(fn) if upcast else fn

    @functools.wraps(fn)
    def impl(a, *params):
        return a if _is_int(a) else compute(a, *params)

    return impl


@op("floor", grad_fn="FloorBackward0", inplace=True, rejects={"bool": "floor_vml_cpu"})
@_int_identity
def floor(a):
    """Largest integer <= x; integer dtypes are kept."""
    return jnp.floor(a)


@op("ceil", grad_fn="CeilBackward0", inplace=True, rejects={"bool": "ceil_vml_cpu"})
@_int_identity
def ceil(a):
    """Smallest integer >= x; integer dtypes are kept."""
    return jnp.ceil(a)


@op("frac", grad_fn="FracBackward0", inplace=True,
    rejects={"bool": "frac_cpu", "int": "frac_cpu"})
@_int_identity
def frac(a):
    """x - trunc(x); floats only, as in torch."""
    return a - jnp.trunc(a)


# jnp.sign's derivative is 0 everywhere, as torch's
@op("sign", grad_fn="SignBackward0", inplace=True)
def sign(a):
    """-1, 0 or 1 per element; the dtype is kept (bool stays bool)."""
    return a if a.dtype == jnp.bool_ else jnp.sign(a)


@op("sgn", grad_fn="SgnBackward0", saves=(0,), saves_output=True, inplace=True)
def sgn(a):
    """sign for reals, x / |x| for complex."""
    if not jnp.iscomplexobj(a):
        return a if a.dtype == jnp.bool_ else jnp.sign(a)
    r = jnp.abs(a)
    zero = r == 0
    return jnp.where(zero, jnp.zeros_like(a), a / jnp.where(zero, jnp.ones_like(r), r))


# torch.square is pow(x, 2): bools square as int64, grad_fn PowBackward0
@op("square", grad_fn="PowBackward0", dtype=KEEP, saves=(0,), inplace=True)
def square(a):
    """x * x (torch's pow(x, 2): bools give int64)."""
    return jnp.square(a.astype(jnp.int64) if a.dtype == jnp.bool_ else a)


# ---- predicates (bool out, never differentiable) ---------------------------------------------
def _predicate(name: str):
    return op(name, grad_fn=None, dtype=KEEP)


@_predicate("isnan")
def isnan(a):
    """Elementwise x != x, as bool."""
    return jnp.zeros(a.shape, jnp.bool_) if _is_int(a) else jnp.isnan(a)


@_predicate("isinf")
def isinf(a):
    """Elementwise |x| == inf, as bool."""
    return jnp.zeros(a.shape, jnp.bool_) if _is_int(a) else jnp.isinf(a)


@_predicate("isposinf")
def isposinf(a):
    """Elementwise x == +inf, as bool."""
    return jnp.zeros(a.shape, jnp.bool_) if _is_int(a) else jnp.isposinf(a)


@_predicate("isneginf")
def isneginf(a):
    """Elementwise x == -inf, as bool."""
    return jnp.zeros(a.shape, jnp.bool_) if _is_int(a) else jnp.isneginf(a)


@_predicate("isfinite")
def isfinite(a):
    """Elementwise: neither nan nor inf, as bool."""
    return jnp.ones(a.shape, jnp.bool_) if _is_int(a) else jnp.isfinite(a)


@_predicate("isreal")
def isreal(a):
    """Elementwise: imaginary part is 0 (always True for real dtypes)."""
    return jnp.imag(a) == 0 if jnp.iscomplexobj(a) else jnp.ones(a.shape, jnp.bool_)


@_predicate("signbit")
def signbit(a):
    """Elementwise: the sign bit is set (-0.0 included), as bool."""
    if a.dtype == jnp.bool_:
        return jnp.zeros(a.shape, jnp.bool_)
    return a < 0 if jnp.issubdtype(a.dtype, jnp.integer) else jnp.signbit(a)


# ---- ops with parameters or several kernels: hand-written public functions -------------------
@expose("fix", inplace=True)
def fix(input):
    """torch.fix: an alias of trunc (TruncBackward0)."""
    need_tensor("fix", input)
    if input.dtype.name == "bool":
        raise kernel_error("trunc_vml_cpu", input.dtype)
    if not (input.dtype.is_floating_point or input.is_complex()):
        return dispatch(floor.op, (input,))  # integers pass through (no grad_fn either way)
    return elementwise.trunc(input)


def _angle_real(a):
    """pi below 0, 0 otherwise (-0.0 included), nan kept; zero gradient everywhere."""
    return jnp.where(jnp.isnan(a), jax.lax.stop_gradient(a),
                     jnp.where(a < 0, jnp.asarray(np.pi, a.dtype), jnp.zeros_like(a)))


_ANGLE = register("angle", compute_in_float32(_angle_real), "AngleBackward0", dtype_rule=FLOAT,
                  saves_inputs=(0,))
# complex in, real out: FLOAT would cast back
_ANGLE_COMPLEX = register("angle_complex", jnp.angle, "AngleBackward0", dtype_rule=KEEP,
                          saves_inputs=(0,))


@expose("angle")
def angle(input):
    """Argument of each element (0 or pi for reals, -0.0 included); integers give floats."""
    need_tensor("angle", input)
    return dispatch(_ANGLE_COMPLEX if input.is_complex() else _ANGLE, (input,))


def _round_decimals(a, decimals):
    """torch's kernel: nearbyint(a * 10**d) / 10**d (or a / 10**-d * 10**-d for d < 0)."""
    if decimals >= 0:
        p = jnp.asarray(10.0 ** decimals, a.dtype)
        return jnp.round(a * p) / p
    p = jnp.asarray(10.0 ** -decimals, a.dtype)
    return jnp.round(a / p) * p


_ROUND = register("round", _int_identity(jnp.round), "RoundBackward0", dtype_rule=PROMOTE)
_ROUND_DECIMALS = register("round_decimals", _int_identity(_round_decimals), "RoundBackward1",
                           dtype_rule=PROMOTE)


@expose("round", inplace=True)
def round(input, *, decimals: int | None = None):
    """Round half to even; ``decimals`` rounds to that many decimal places (floats only).

    Passing ``decimals`` at all selects torch's other overload (RoundBackward1)."""
    need_tensor("round", input)
    if input.dtype.name == "bool" or (decimals is not None and not input.dtype.is_floating_point):
        raise kernel_error("round_vml_cpu" if decimals is None else "round_cpu", input.dtype)
    if decimals is None:
        return dispatch(_ROUND, (input,))
    return dispatch(_ROUND_DECIMALS, (input,), (int(decimals),))


@op("nan_to_num", impl=_int_identity(lambda a, nan, pinf, ninf: jnp.nan_to_num(
    a, nan=nan, posinf=pinf, neginf=ninf), upcast=False), grad_fn="NanToNumBackward0",
    saves=(0,), inplace=True)
def nan_to_num(input, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None):
    """Replace nan / +inf / -inf (defaults: 0, the dtype's largest and lowest finite value)."""
    need_tensor("nan_to_num", input)
    return dispatch(nan_to_num.op, (input,), (
        float(nan), None if posinf is None else float(posinf),
        None if neginf is None else float(neginf)))


def _logit(a, eps):
    """log(z / (1 - z)), z = a clamped to [eps, 1 - eps] (bounds pass the gradient, as torch)."""
    if eps is not None:
        lo, hi = jnp.asarray(eps, a.dtype), jnp.asarray(1 - eps, a.dtype)
        a = jnp.where(a < lo, lo, jnp.where(a > hi, hi, a))
    return jnp.log(a / (1 - a))


@op("logit", impl=_logit, grad_fn="LogitBackward0", dtype=FLOAT, saves=(0,), upcast=True,
    inplace=True, namespace=_BOTH)
def logit(input, eps: float | None = None):
    """log(p / (1 - p)); with ``eps`` the input is clamped to [eps, 1 - eps] first."""
    need_tensor("logit", input)
    return dispatch(logit.op, (input,), (None if eps is None else float(eps),))


def _polygamma(a, n):
    return _digamma(a) if n == 0 else jss.polygamma(n, a)


@op("polygamma", impl=_polygamma, grad_fn="PolygammaBackward0", dtype=FLOAT, saves=(0,),
    upcast=True, namespace=_BOTH)
def polygamma(n: int, input):
    """The n-th derivative of digamma (``Tensor.polygamma(n)`` takes ``n`` second)."""
    return dispatch(polygamma.op, *_polygamma_args(n, input))


def _polygamma_args(n, input) -> tuple:
    if isinstance(n, Tensor):  # method form: self.polygamma(n)
        n, input = input, n
    need_tensor("polygamma", input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return (input,), (int(n),)


# torch's in-place polygamma_ records PolygammaBackward1
_POLYGAMMA_ = register("polygamma_", compute_in_float32(_polygamma), "PolygammaBackward1",
                       dtype_rule=FLOAT, saves_inputs=(0,))


def _polygamma_inplace(input, n: int):
    return dispatch(_POLYGAMMA_, *_polygamma_args(input, n))


expose_inplace(("polygamma",), _polygamma_inplace)


@op("mvlgamma", impl=lambda a, p: jss.multigammaln(a, p), grad_fn="MvlgammaBackward0",
    dtype=FLOAT, saves=(0,), upcast=True, inplace=True)
def mvlgamma(input, p: int):
    """Multivariate log-gamma of dimension ``p``."""
    need_tensor("mvlgamma", input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return dispatch(mvlgamma.op, (input,), (int(p),))


def _xlogy_factor(x, y, log, bound):
    """log(y), but 0 where x == 0 and y <= bound (the value there and torch's x-gradient)."""
    mask = (x == 0) & (y <= bound)
    safe = jnp.where(mask, jnp.ones_like(y), y)
    return jnp.where(mask, jnp.zeros_like(y), log(safe))


@functools.partial(jax.custom_jvp, nondiff_argnums=(2, 3))
def _xlogy(x, y, log=jnp.log, bound=0.0):
    """x * log(y), 0 where x == 0 (unless y is nan). torch's gradients: ``log(y)`` for ``x``
    even at ``x == 0`` (masked only where ``y <= bound``), and exactly ``x / (y - bound)`` for
    ``y`` (so nan at x == y == 0, where the masked product alone would give 0)."""
    return x * _xlogy_factor(x, y, log, bound)


@_xlogy.defjvp
def _xlogy_jvp(log, bound, primals, tangents):
    x, y = primals
    dx, dy = tangents
    factor = _xlogy_factor(x, y, log, bound)
    return x * factor, dx * factor + dy * (x / (y - bound))


_xlogy_impl = compute_in_float32(_xlogy, n_arrays=2)


def binary_variants(name: str, impl: Callable, grad_fn: str) -> tuple[OpDef, ...]:
    """The (tensor, tensor), (scalar, tensor) and (tensor, scalar) kernels of a binary float op
    that takes a Python number on either side: torch names their nodes <grad_fn>0 / 1 / 2."""
    return tuple(register(name + suffix, impl, f"{grad_fn}{k}", dtype_rule=FLOAT,
                          saves_inputs=saves)
                 for k, (suffix, saves) in enumerate((("", (0, 1)), ("_scalar_self", (1,)),
                                                      ("_scalar_other", (0,)))))


def dispatch_binary(ops: tuple, name: str, input: Any, other: Any):
    """Run the variant of :func:`binary_variants` that matches which sides are tensors."""
    tensor = Tensor
    if isinstance(input, tensor) and isinstance(other, tensor):
        return dispatch(ops[0], (input, other))
    if isinstance(other, tensor):
        return dispatch(ops[1], (input, other))
    if isinstance(input, tensor):
        return dispatch(ops[2], (input, other))
    raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                    f"{type(other).__name__}")


_XLOGY = binary_variants("xlogy", _xlogy_impl, "XlogyBackward")


@expose("xlogy", inplace=True, namespace=_BOTH, method="xlogy")
def xlogy(input, other):
    """x * log(y), 0 where x == 0 (and y is not nan); either side may be a Python number."""
    return dispatch_binary(_XLOGY, "xlogy", input, other)


@expose("positive")
def positive(input):
    """torch.positive: the input itself (torch returns ``self``); bools are refused."""
    need_tensor("positive", input)
    if input.dtype.name == "bool":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@expose("resolve_conj")
def resolve_conj(input):
    """No lazy conjugation here: always the tensor itself."""
    return input


@expose("resolve_neg")
def resolve_neg(input):
    """No lazy negation here: always the tensor itself."""
    return input


@expose("bitwise_not", inplace=True)
def bitwise_not(input):
    """~x for integers and bools; torch has no float kernel."""
    need_tensor("bitwise_not", input)
    if input.dtype.is_floating_point or input.is_complex():
        raise kernel_error("bitwise_not_cpu", input.dtype)
    if input.dtype.name == "bool":
        return dispatch(elementwise.logical_not.op, (input,))
    return dispatch(elementwise.BITWISE_NOT, (input,))


# ---- complex parts: a real tensor is returned as is (conj, real) or refused (imag) -----------
@op("conj", impl=jnp.conj, grad_fn="ConjBackward0", dtype=KEEP)
def conj(input):
    """Complex conjugate; a real tensor is returned as is (as torch does)."""
    need_tensor("conj", input)
    return dispatch(conj.op, (input,)) if input.is_complex() else input


# torch takes real/imag as a select of view_as_real (SelectBackward0); Tensor.real / .imag are
# properties in torch (the Tensor class owns those attributes)
@op("real", impl=jnp.real, grad_fn="SelectBackward0", dtype=KEEP, method=False)
def real(input):
    """Real part; a real tensor is returned as is (as torch does)."""
    need_tensor("real", input)
    return dispatch(real.op, (input,)) if input.is_complex() else input


@op("imag", impl=jnp.imag, grad_fn="SelectBackward0", dtype=KEEP, method=False)
def imag(input):
    """Imaginary part; torch refuses real tensors."""
    need_tensor("imag", input)
    if not input.is_complex():
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return dispatch(imag.op, (input,))


# torch.special's other names for these ops
expose("psi", method=False, namespace="special")(digamma)
expose("gammaln", method=False, namespace="special")(lgamma)
expose("multigammaln", method=False, namespace="special")(mvlgamma)
# torch has Tensor.logical_not_ (elementwise.py publishes logical_not without it)
expose_inplace(("logical_not",), elementwise.logical_not)
