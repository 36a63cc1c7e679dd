"""Elementwise unary math: rounding, powers/logs, trig/hyperbolic, gamma family, predicates.

Each op is registered once and exposed under torch's names (``torch.X``, ``Tensor.X``,
``Tensor.X_``, aliases such as ``arcsin``, and ``torch.special.X`` where torch has the same op
there). Gradients are ``jax.vjp`` of the impls, so the impls are written so that JAX's
derivative is torch's: rounding ops have zero gradient, ``logit(eps)`` passes the gradient at
the clamp bounds, ``xlogy`` gives ``log(y)`` to ``x`` even where ``x == 0``.

Half-precision inputs compute in float32 and round once at the end
(``_dtypes.compute_in_float32``): JAX's float16 polynomial approximations of
erfinv/lgamma/digamma are far less accurate than torch's kernels, which also compute halves in
float.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np

from .._dtypes import compute_in_float32, legacy_name
from ..core import dispatch as _dispatch_mod
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, KEEP, PROMOTE, OpDef, register
from ..core.surface import INPLACE, METHODS, NAMESPACES, expose
from ..core.tensor import Tensor
from . import elementwise as E


def _is_int(a) -> bool:
    return jnp.issubdtype(a.dtype, jnp.integer) or a.dtype == jnp.bool_


def _float_op(name: str, fn: Callable, grad_fn: str | None, saves=(0,), out=False) -> OpDef:
    """An op whose integer/bool inputs compute in the default float dtype (torch's FLOAT)."""
    return register(name, compute_in_float32(fn), grad_fn, dtype_rule=FLOAT, saves_inputs=saves,
                    saves_output=out)


# ---- float ops (integers -> float32) ----------------------------------------------------------
EXP2 = _float_op("exp2", jnp.exp2, "Exp2Backward0", saves=(), out=True)
EXPM1 = _float_op("expm1", jnp.expm1, "Expm1Backward0", saves=(), out=True)
LOG2 = _float_op("log2", jnp.log2, "Log2Backward0")
LOG10 = _float_op("log10", jnp.log10, "Log10Backward0")
LOG1P = _float_op("log1p", jnp.log1p, "Log1PBackward0")
RSQRT = _float_op("rsqrt", jax.lax.rsqrt, "RsqrtBackward0", saves=(), out=True)
RECIPROCAL = _float_op("reciprocal", lambda a: 1 / a, "ReciprocalBackward0", saves=(), out=True)
TAN = _float_op("tan", jnp.tan, "TanBackward0", saves=(), out=True)
ASIN = _float_op("asin", jnp.arcsin, "AsinBackward0")
ACOS = _float_op("acos", jnp.arccos, "AcosBackward0")
ATAN = _float_op("atan", jnp.arctan, "AtanBackward0")
SINH = _float_op("sinh", jnp.sinh, "SinhBackward0")
COSH = _float_op("cosh", jnp.cosh, "CoshBackward0")
ASINH = _float_op("asinh", jnp.arcsinh, "AsinhBackward0")
ACOSH = _float_op("acosh", jnp.arccosh, "AcoshBackward0")
ATANH = _float_op("atanh", jnp.arctanh, "AtanhBackward0")


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


# torch's in-place asinh_/acosh_/atanh_/polygamma_ record a differently numbered node
ASINH_ = _float_op("asinh_", _no_inplace_derivative(jnp.arcsinh, "asinh"), "AsinhBackward1")
ACOSH_ = _float_op("acosh_", _no_inplace_derivative(jnp.arccosh, "acosh"), "AcoshBackward1")
ATANH_ = _float_op("atanh_", _no_inplace_derivative(jnp.arctanh, "atanh"), "AtanhBackward1")
ERF = _float_op("erf", jss.erf, "ErfBackward0")
ERFC = _float_op("erfc", jss.erfc, "ErfcBackward0")
ERFINV = _float_op("erfinv", jss.erfinv, "ErfinvBackward0")
LGAMMA = _float_op("lgamma", jss.gammaln, "LgammaBackward0")
def _digamma(a):
    """digamma with torch's value at 0: -inf at +0.0, +inf at -0.0 (JAX gives nan)."""
    return jnp.where(a == 0, jnp.copysign(jnp.asarray(jnp.inf, a.dtype), -a), jss.digamma(a))


DIGAMMA = _float_op("digamma", _digamma, "DigammaBackward0")
I0 = _float_op("i0", jss.i0, "I0Backward0")
SINC = _float_op("sinc", jnp.sinc, "SincBackward0")
DEG2RAD = _float_op("deg2rad", lambda a: a * (np.pi / 180), "Deg2RadBackward0", saves=())
RAD2DEG = _float_op("rad2deg", lambda a: a * (180 / np.pi), "Rad2DegBackward0", saves=())
def _angle_real(a):
    """pi below 0, 0 otherwise (-0.0 included), nan kept; zero gradient everywhere."""
    return jnp.where(jnp.isnan(a), jax.lax.stop_gradient(a),
                     jnp.where(a < 0, jnp.asarray(np.pi, a.dtype), jnp.zeros_like(a)))


ANGLE = _float_op("angle", _angle_real, "AngleBackward0")
ANGLE_COMPLEX = register("angle_complex", jnp.angle, "AngleBackward0", dtype_rule=KEEP,
                         saves_inputs=(0,))  # complex in, real out: FLOAT would cast back


def _polygamma(a, n):
    return _digamma(a) if n == 0 else jss.polygamma(n, a)


POLYGAMMA = _float_op("polygamma", _polygamma, "PolygammaBackward0")
POLYGAMMA_ = _float_op("polygamma_", _polygamma, "PolygammaBackward1")
MVLGAMMA = _float_op("mvlgamma", lambda a, p: jss.multigammaln(a, p), "MvlgammaBackward0")


def _logit(a, eps):
    """log(z / (1 - z)), z = a clamped to [eps, 1 - eps] (bounds pass the gradient, as torch)."""
    if eps is not None:
        lo, hi = jnp.asarray(eps, a.dtype), jnp.asarray(1 - eps, a.dtype)
        a = jnp.where(a < lo, lo, jnp.where(a > hi, hi, a))
    return jnp.log(a / (1 - a))


LOGIT = _float_op("logit", _logit, "LogitBackward0")


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
    """(tensor, tensor), (scalar, tensor) and (tensor, scalar) ops: torch names their nodes
    <grad_fn>0 / 1 / 2."""
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


XLOGY = binary_variants("xlogy", _xlogy_impl, "XlogyBackward")


# ---- ops that keep integer dtypes ----------------------------------------------------------
def _int_identity(fn: Callable, upcast: bool = True) -> Callable:
    """``fn`` on floats; integers (already integral) pass through unchanged."""
    compute = compute_in_float32(fn) if upcast else fn

    def impl(a, *params):
        return a if _is_int(a) else compute(a, *params)

    return impl


def _keep_op(name: str, fn: Callable, grad_fn: str | None, saves=(), upcast=True) -> OpDef:
    return register(name, _int_identity(fn, upcast), grad_fn, dtype_rule=PROMOTE,
                    saves_inputs=saves)


FLOOR = _keep_op("floor", jnp.floor, "FloorBackward0")
CEIL = _keep_op("ceil", jnp.ceil, "CeilBackward0")
ROUND = _keep_op("round", jnp.round, "RoundBackward0")


def _round_decimals(a, decimals):
    """torch's kernel: nearbyint(a * 10**d) / 10**d (or a / 10**-d * 10**-d for d < 0)."""
    if decimals >= 0:
        p = jnp.asarray(10.0 ** decimals, a.dtype)
        return jnp.round(a * p) / p
    p = jnp.asarray(10.0 ** -decimals, a.dtype)
    return jnp.round(a / p) * p


ROUND_DECIMALS = _keep_op("round_decimals", _round_decimals, "RoundBackward1")
FRAC = _keep_op("frac", lambda a: a - jnp.trunc(a), "FracBackward0")
NAN_TO_NUM = _keep_op("nan_to_num", lambda a, nan, pinf, ninf: jnp.nan_to_num(
    a, nan=nan, posinf=pinf, neginf=ninf), "NanToNumBackward0", saves=(0,), upcast=False)
# sign of a bool is itself; jnp.sign's derivative is 0 everywhere, as torch's
SIGN = register("sign", lambda a: a if a.dtype == jnp.bool_ else jnp.sign(a), "SignBackward0",
                dtype_rule=PROMOTE)


def _sgn(a):
    """sign for reals; a / |a| (0 at 0) for complex."""
    if not jnp.iscomplexobj(a):
        return a if a.dtype == jnp.bool_ else jnp.sign(a)
    r = jnp.abs(a)
    zero = r == 0
    return jnp.where(zero, jnp.zeros_like(a), a / jnp.where(zero, jnp.ones_like(r), r))


SGN = register("sgn", _sgn, "SgnBackward0", dtype_rule=PROMOTE, saves_inputs=(0,),
               saves_output=True)
# torch.square is pow(x, 2): bools square as int64, grad_fn PowBackward0
SQUARE = register("square", lambda a: jnp.square(a.astype(jnp.int64) if a.dtype == jnp.bool_
                                                 else a), "PowBackward0", dtype_rule=KEEP,
                  saves_inputs=(0,))
CONJ = register("conj", jnp.conj, "ConjBackward0", dtype_rule=KEEP)
# torch takes real/imag as a select of view_as_real (SelectBackward0)
REAL = register("real", jnp.real, "SelectBackward0", dtype_rule=KEEP)
IMAG = register("imag", jnp.imag, "SelectBackward0", dtype_rule=KEEP)


# ---- predicates (bool out, never differentiable) ---------------------------------------------
def _pred(name: str, fn: Callable) -> OpDef:
    return register(name, fn, None, dtype_rule=KEEP)


def _on_float(fn: Callable) -> Callable:
    """A float predicate; integers and bools are never nan/inf."""
    return lambda a: jnp.zeros(a.shape, jnp.bool_) if _is_int(a) else fn(a)


ISNAN = _pred("isnan", _on_float(jnp.isnan))
ISINF = _pred("isinf", _on_float(jnp.isinf))
ISPOSINF = _pred("isposinf", _on_float(jnp.isposinf))
ISNEGINF = _pred("isneginf", _on_float(jnp.isneginf))
ISFINITE = _pred("isfinite", lambda a: jnp.ones(a.shape, jnp.bool_) if _is_int(a)
                 else jnp.isfinite(a))
ISREAL = _pred("isreal", lambda a: jnp.imag(a) == 0 if jnp.iscomplexobj(a)
               else jnp.ones(a.shape, jnp.bool_))
SIGNBIT = _pred("signbit", lambda a: jnp.zeros(a.shape, jnp.bool_) if a.dtype == jnp.bool_
                else (a < 0 if jnp.issubdtype(a.dtype, jnp.integer) else jnp.signbit(a)))


# ---- public functions ------------------------------------------------------------------------
def _check_input(name: str, x: Any) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def _not_implemented(kernel: str, x: Any) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for \'{legacy_name(x.dtype)}\'')


def _in_place() -> bool:
    """True while a ``Tensor.X_`` method runs its out-of-place op (it forces the dtype)."""
    return _dispatch_mod.inplace_state.out_dtype is not None


def _unary(op: OpDef, doc: str, name: str | None = None, no_bool: str | None = None,
           no_int: str | None = None, inplace_op: OpDef | None = None) -> Callable:
    """The public function for a one-input op; ``no_bool`` / ``no_int``: torch's CPU kernel
    name, for the NotImplementedError torch raises on bool / integer inputs; ``inplace_op``:
    the op the in-place method runs instead (torch's node has another name)."""
    name = name or op.name

    def fn(input):
        _check_input(name, input)
        if no_bool and input.dtype.name == "bool":
            raise _not_implemented(no_bool, input)
        if no_int and not input.dtype.is_floating_point and not input.is_complex():
            raise _not_implemented(no_int, input)
        return dispatch(inplace_op if inplace_op is not None and _in_place() else op, (input,))

    fn.__name__ = name
    fn.__doc__ = doc
    return fn


exp2 = _unary(EXP2, "2**x, elementwise.")
expm1 = _unary(EXPM1, "e**x - 1, accurate near 0.")
log2 = _unary(LOG2, "Base-2 logarithm, elementwise.")
log10 = _unary(LOG10, "Base-10 logarithm, elementwise.")
log1p = _unary(LOG1P, "log(1 + x), accurate near 0.")
rsqrt = _unary(RSQRT, "1 / sqrt(x), elementwise.")
reciprocal = _unary(RECIPROCAL, "1 / x, elementwise (integers give floats).")
tan = _unary(TAN, "Tangent, elementwise.")
asin = _unary(ASIN, "Arcsine, elementwise.")
acos = _unary(ACOS, "Arccosine, elementwise.")
atan = _unary(ATAN, "Arctangent, elementwise.")
sinh = _unary(SINH, "Hyperbolic sine, elementwise.")
cosh = _unary(COSH, "Hyperbolic cosine, elementwise.")
asinh = _unary(ASINH, inplace_op=ASINH_, doc="Inverse hyperbolic sine, elementwise.")
acosh = _unary(ACOSH, inplace_op=ACOSH_, doc="Inverse hyperbolic cosine, elementwise.")
atanh = _unary(ATANH, inplace_op=ATANH_, doc="Inverse hyperbolic tangent, elementwise.")
erf = _unary(ERF, "Error function, elementwise.")
erfc = _unary(ERFC, "Complementary error function 1 - erf(x).")
erfinv = _unary(ERFINV, "Inverse error function, elementwise.")
lgamma = _unary(LGAMMA, "log|Gamma(x)|, elementwise.")
digamma = _unary(DIGAMMA, "d/dx log Gamma(x), elementwise.")
i0 = _unary(I0, "Modified Bessel function of the first kind, order 0.")
sinc = _unary(SINC, "sin(pi x) / (pi x), 1 at 0.")
deg2rad = _unary(DEG2RAD, "Degrees to radians.")
rad2deg = _unary(RAD2DEG, "Radians to degrees.")
floor = _unary(FLOOR, "Largest integer <= x; integer dtypes are kept.", no_bool="floor_vml_cpu")
ceil = _unary(CEIL, "Smallest integer >= x; integer dtypes are kept.", no_bool="ceil_vml_cpu")
frac = _unary(FRAC, "x - trunc(x); floats only, as in torch.", no_int="frac_cpu")
sign = _unary(SIGN, "-1, 0 or 1 per element; the dtype is kept (bool stays bool).")
sgn = _unary(SGN, "sign for reals, x / |x| for complex.")
square = _unary(SQUARE, "x * x (torch's pow(x, 2): bools give int64).")
isnan = _unary(ISNAN, "Elementwise x != x, as bool.")
isinf = _unary(ISINF, "Elementwise |x| == inf, as bool.")
isposinf = _unary(ISPOSINF, "Elementwise x == +inf, as bool.")
isneginf = _unary(ISNEGINF, "Elementwise x == -inf, as bool.")
isfinite = _unary(ISFINITE, "Elementwise: neither nan nor inf, as bool.")
isreal = _unary(ISREAL, "Elementwise: imaginary part is 0 (always True for real dtypes).")
signbit = _unary(SIGNBIT, "Elementwise: the sign bit is set (-0.0 included), as bool.")


def fix(input):
    """torch.fix: an alias of trunc (TruncBackward0)."""
    _check_input("fix", input)
    if input.dtype.name == "bool":
        raise _not_implemented("trunc_vml_cpu", input)
    if _is_int(input._st.array):
        return dispatch(FLOOR, (input,))  # integers pass through (no grad_fn either way)
    return E.trunc(input)


def angle(input):
    """Argument of each element (0 or pi for reals, -0.0 included); integers give floats."""
    _check_input("angle", input)
    return dispatch(ANGLE_COMPLEX if input.is_complex() else ANGLE, (input,))


def round(input, *, decimals: int | None = None):
    """Round half to even; ``decimals`` rounds to that many decimal places (floats only).

    Passing ``decimals`` at all selects torch's other overload (RoundBackward1)."""
    _check_input("round", input)
    if input.dtype.name == "bool" or (decimals is not None and not input.dtype.is_floating_point):
        raise _not_implemented("round_vml_cpu" if decimals is None else "round_cpu", input)
    if decimals is None:
        return dispatch(ROUND, (input,))
    return dispatch(ROUND_DECIMALS, (input,), (int(decimals),))


def nan_to_num(input, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None):
    """Replace nan / +inf / -inf (defaults: 0, the dtype's largest and lowest finite value)."""
    _check_input("nan_to_num", input)
    return dispatch(NAN_TO_NUM, (input,), (
        float(nan), None if posinf is None else float(posinf),
        None if neginf is None else float(neginf)))


def logit(input, eps: float | None = None):
    """log(p / (1 - p)); with ``eps`` the input is clamped to [eps, 1 - eps] first."""
    _check_input("logit", input)
    return dispatch(LOGIT, (input,), (None if eps is None else float(eps),))


def polygamma(n: int, input):
    """The n-th derivative of digamma (``Tensor.polygamma(n)`` takes ``n`` second)."""
    if isinstance(n, Tensor):  # method form: self.polygamma(n)
        n, input = input, n
    _check_input("polygamma", input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return dispatch(POLYGAMMA_ if _in_place() else POLYGAMMA, (input,), (int(n),))


def mvlgamma(input, p: int):
    """Multivariate log-gamma of dimension ``p``."""
    _check_input("mvlgamma", input)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    return dispatch(MVLGAMMA, (input,), (int(p),))


def xlogy(input, other):
    """x * log(y), 0 where x == 0 (and y is not nan); either side may be a Python number."""
    return dispatch_binary(XLOGY, "xlogy", input, other)


def positive(input):
    """torch.positive: the input itself (torch returns ``self``); bools are refused."""
    _check_input("positive", input)
    if input.dtype.name == "bool":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _complex_only(op: OpDef, name: str, real_result: Callable) -> Callable:
    def fn(input):
        _check_input(name, input)
        if not input.is_complex():
            return real_result(input)
        return dispatch(op, (input,))

    fn.__name__ = name
    return fn


def _same(x: Any) -> Any:
    return x


def _no_imag(x: Any) -> Any:
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


conj = _complex_only(CONJ, "conj", _same)
conj.__doc__ = "Complex conjugate; a real tensor is returned as is (as torch does)."
real = _complex_only(REAL, "real", _same)
real.__doc__ = "Real part; a real tensor is returned as is (as torch does)."
imag = _complex_only(IMAG, "imag", _no_imag)
imag.__doc__ = "Imaginary part; torch refuses real tensors."


def resolve_conj(input):
    """No lazy conjugation here: always the tensor itself."""
    return input


def resolve_neg(input):
    """No lazy negation here: always the tensor itself."""
    return input


def bitwise_not(input):
    """~x for integers and bools; torch has no float kernel."""
    _check_input("bitwise_not", input)
    if input.dtype.is_floating_point or input.is_complex():
        raise _not_implemented("bitwise_not_cpu", input)
    if input.dtype.name == "bool":
        return dispatch(E.LOGICAL_NOT, (input,))
    return dispatch(E.BITWISE_NOT, (input,))


# ---- exposure --------------------------------------------------------------------------------
def publish(fn: Callable, *names: str, method: bool | str | tuple = True, inplace: bool = False,
            namespace: str | tuple = "torch") -> Callable:
    """:func:`expose`, skipping the names another op module already published (several helpers
    add ops in parallel; the first module to publish a name owns it)."""
    spaces = (namespace,) if isinstance(namespace, str) else namespace
    mnames = names if method is True else (() if method is False else
                                            (method,) if isinstance(method, str) else method)
    mnames = tuple(n for n in mnames if n not in METHODS and not (inplace and n + "_" in INPLACE))
    for ns in spaces:
        free = tuple(n for n in names if n not in NAMESPACES[ns])
        if free:
            expose(*free, method=False, namespace=ns)(fn)
    if mnames:
        expose(*mnames, method=mnames, inplace=inplace, namespace=())(fn)
    return fn


_BOTH = ("torch", "special")
for _f in (exp2, expm1, log1p, erf, erfc, erfinv, digamma, i0, sinc, logit):
    publish(_f, _f.__name__, inplace=True, namespace=_BOTH)
for _f in (log2, log10, rsqrt, reciprocal, tan, sinh, cosh, lgamma, deg2rad, rad2deg, floor,
           ceil, frac, fix, sign, sgn, square, nan_to_num, mvlgamma, xlogy):
    publish(_f, _f.__name__, inplace=True)
for _f, _alias in ((asin, "arcsin"), (acos, "arccos"), (atan, "arctan"), (asinh, "arcsinh"),
                   (acosh, "arccosh"), (atanh, "arctanh")):
    publish(_f, _f.__name__, _alias, inplace=True)
for _f in (angle, positive, signbit, isnan, isinf, isfinite, isposinf, isneginf, isreal, conj,
           resolve_conj, resolve_neg):
    publish(_f, _f.__name__)
publish(round, "round", inplace=True)
publish(polygamma, "polygamma", inplace=True, namespace=_BOTH)
publish(bitwise_not, "bitwise_not", inplace=True)
# Tensor.real / Tensor.imag are properties in torch (the Tensor class owns attributes)
publish(real, "real", method=False)
publish(imag, "imag", method=False)
publish(digamma, "psi", method=False, namespace="special")
publish(lgamma, "gammaln", method=False, namespace="special")
publish(mvlgamma, "multigammaln", method=False, namespace="special")
publish(xlogy, "xlogy", method=False, namespace="special")
# elementwise.py publishes logical_not without its in-place method; torch has Tensor.logical_not_
if "logical_not_" not in INPLACE:
    INPLACE["logical_not_"] = E.logical_not
