"""Elementwise ops: arithmetic, unary math, comparisons, clamp and where.

Each op is declared once with :func:`~torchlike_jax.core.declare.op`, next to its
implementation; the public functions below are what ``torch.add``, ``Tensor.add`` and
``x + y`` all call (the operator dunders are generated from them in ``_tensor_methods``).
Ops whose public function picks one of several kernels (``add`` with ``alpha``, ``pow`` of a
scalar) register the extra kernels right above it. ``grad_fn`` names and saved inputs follow
torch 2.13.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtypes
from .._dtypes import legacy_name
from ..core import dispatch as _dispatch_mod
from ..core.declare import kernel_error, op
from ..core.dims import broadcast_shapes
from ..core.dispatch import dispatch
from ..core.registry import COMPARE, FLOAT, KEEP, register
from ..core.surface import expose_inplace
from ..core.tensor import Tensor
from ..core.tensor_access import array_of


def only(kernel: str, x, *kinds: str):
    """Trace-time dtype check inside an ``impl`` (dtypes are static under jit): ``kinds`` are
    "float", "int", "bool". Checking in the impl also covers operator paths (``a & b``)."""
    if jnp.issubdtype(x.dtype, jnp.floating):
        kind = "float"
    elif x.dtype == jnp.bool_:
        kind = "bool"
    elif jnp.issubdtype(x.dtype, jnp.integer):
        kind = "int"
    else:
        kind = "complex"
    if kind not in kinds:
        raise kernel_error(kernel, x.dtype)
    return x


def underivable(fn, name: str):
    """``fn`` whose backward raises torch's error for ops without a derivative formula
    (their ``grad_fn`` is torch's ``NotImplemented`` node)."""

    @jax.custom_vjp
    def f(*xs):
        return fn(*xs)

    def fwd(*xs):
        return fn(*xs), None

    def bwd(_res, _g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    f.defvjp(fwd, bwd)
    return f


def check_int_divisor(other, result) -> None:
    """torch's CPU kernels raise for integer division by zero (XLA returns garbage).

    A host read of the divisor, only for integer results with a tensor divisor: torch's kernel
    checks every element too. Skipped under a jit trace, where values are unknown.
    """
    if result.dtype.category >= _dtypes._FLOAT:
        return
    if isinstance(other, Tensor):
        arr = array_of(other)
        if isinstance(arr, jax.core.Tracer) or not bool(jnp.any(arr == 0)):
            return
    elif other != 0:
        return
    raise RuntimeError("ZeroDivisionError")


def check_alpha(alpha, *xs) -> None:
    """torch refuses a float ``alpha`` when the operands are integral (or bool)."""
    if isinstance(alpha, float) and all(
            not isinstance(x, Tensor) or x.dtype.category < _dtypes._FLOAT for x in xs):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def need_input(fname: str, x, other=None, combination: bool = False) -> None:
    """torch's TypeError for a Python scalar as ``input`` of a function without a Scalar-first
    overload (``torch.maximum(2, t)``, ``torch.eq(2, t)``); methods never hit it."""
    if isinstance(x, Tensor):
        return
    if combination:
        raise TypeError(f"{fname}() received an invalid combination of arguments - got "
                        f"({type(x).__name__}, {type(other).__name__}), but expected one of: "
                        f"(Tensor input, Tensor other) or (Tensor input, Number other)")
    raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not "
                    f"{type(x).__name__}")


# ---- add, sub, rsub ---------------------------------------------------------------------------
def _is_bool_tensor(x) -> bool:
    return isinstance(x, Tensor) and array_of(x).dtype == jnp.bool_


def _is_bool(x) -> bool:
    return isinstance(x, bool) or _is_bool_tensor(x)


def _check_bool_sub(a, b) -> None:
    """torch refuses ``-`` with a bool tensor (use ``^`` / ``~`` instead)."""
    if _is_bool_tensor(a) or _is_bool_tensor(b) or (
            isinstance(a, Tensor) and isinstance(b, bool)) or (
            isinstance(b, Tensor) and isinstance(a, bool)):
        if _is_bool(a) and _is_bool(b):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


# alpha rides along as an argument but takes no part in promotion (bool + alpha*bool is bool)
ADD_ALPHA = register("add_alpha", lambda a, b, alpha: a + alpha * b, "AddBackward0",
                     participants=(0, 1), scalar_inputs=(0, 1))


# torch wraps a Python number given to add/sub/mul/div in a Tensor: it keeps a (None, 0) edge
@op("add", impl=lambda a, b: a + b, grad_fn="AddBackward0", inplace=True, scalar_inputs=(0, 1))
def add(input, other, *, alpha=1):
    """torch.add: ``input + alpha * other``."""
    check_alpha(alpha, input, other)
    if alpha == 1:
        return dispatch(add.op, (input, other))
    return dispatch(ADD_ALPHA, (input, other, alpha))


SUB_ALPHA = register("sub_alpha", lambda a, b, alpha: a - alpha * b, "SubBackward0",
                     participants=(0, 1), scalar_inputs=(0, 1))


@op("sub", impl=lambda a, b: a - b, grad_fn="SubBackward0", aliases=("subtract",), inplace=True,
    scalar_inputs=(0, 1))
def sub(input, other, *, alpha=1):
    """torch.sub: ``input - alpha * other``."""
    _check_bool_sub(input, other)
    check_alpha(alpha, input, other)
    if alpha == 1:
        return dispatch(sub.op, (input, other))
    return dispatch(SUB_ALPHA, (input, other, alpha))


RSUB_T = register("rsub_tensor", lambda a, b: b - a, "RsubBackward0")
RSUB_ALPHA = register("rsub_alpha", lambda a, b, alpha, _t: b - alpha * a,
                      lambda p: "RsubBackward0" if p[0] else "RsubBackward1",
                      participants=(0, 1))


# the declared op takes a scalar ``other`` (RsubBackward1); a tensor one is RsubBackward0
@op("rsub", impl=lambda a, b: b - a, grad_fn="RsubBackward1", method=False)
def rsub(input, other, *, alpha=1):
    """``other - alpha * input`` (torch.rsub, Tensor.__rsub__)."""
    _check_bool_sub(other, input)
    check_alpha(alpha, input, other)
    tensor = isinstance(other, Tensor)
    if alpha != 1:
        return dispatch(RSUB_ALPHA, (input, other, alpha), (tensor,))
    return dispatch(RSUB_T if tensor else rsub.op, (input, other))


# ---- mul, div ---------------------------------------------------------------------------------
@op("mul", impl=lambda a, b: a * b, grad_fn="MulBackward0", saves=(1, 0),
    saved_for={1: (0,), 0: (1,)}, aliases=("multiply",), inplace=True, scalar_inputs=(0, 1))
def mul(input, other):
    """``input * other`` elementwise, with broadcasting and type promotion; ``other`` may be a
    Python number. ``multiply`` is an alias."""
    return dispatch(mul.op, (input, other))


def _div_mode(a, b, mode):
    """torch.div with rounding_mode 'floor' / 'trunc' (integers stay integers; zero gradient)."""
    if mode == "floor":
        return _floor_div(a, b)
    only("div_trunc_cpu", a, "float", "int")
    if jnp.issubdtype(a.dtype, jnp.integer):
        return jax.lax.div(a, b)  # C division truncates toward zero
    return jnp.trunc(jax.lax.stop_gradient(a) / jax.lax.stop_gradient(b))


DIV_MODE = register("div_mode", _div_mode, "DivBackward2", saves_inputs=(0, 1),
                    scalar_inputs=(0, 1))


@op("div", impl=lambda a, b: a / b, grad_fn="DivBackward0", dtype=FLOAT, saves=(1, 0),
    saved_for={0: (1,)}, aliases=("divide", "true_divide"), inplace=True,
    scalar_inputs=(0, 1))
def div(input, other, *, rounding_mode=None):
    """torch.div: true division unless ``rounding_mode`` is 'floor' or 'trunc'."""
    if rounding_mode is None:
        return dispatch(div.op, (input, other))
    if rounding_mode in ("floor", "trunc"):
        out = dispatch(DIV_MODE, (input, other), (rounding_mode,))
        check_int_divisor(other, out)
        return out
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


@op("rdiv", impl=lambda a, b: b / a, grad_fn="MulBackward0", dtype=FLOAT, saves=(1, 0),
    method=False, namespace=(), scalar_inputs=(0, 1))
def rdiv(input, other):
    """``other / input`` (Tensor.__rtruediv__; torch has no public function for it)."""
    return dispatch(rdiv.op, (input, other))


# ---- pow --------------------------------------------------------------------------------------
def _power(a, b):
    """jnp.power, except that integers to negative powers give torch's values (1, -1 or 0)."""
    if not (jnp.issubdtype(a.dtype, jnp.integer) and jnp.issubdtype(b.dtype, jnp.integer)):
        return jnp.power(a, b)
    neg = b < 0
    pos = jnp.power(a, jnp.where(neg, jnp.zeros_like(b), b))
    odd = jnp.where(b % 2 == 0, jnp.ones_like(a), -jnp.ones_like(a))
    small = jnp.where(a == 1, jnp.ones_like(a), jnp.where(a == -1, odd, jnp.zeros_like(a)))
    return jnp.where(neg, small.astype(pos.dtype), pos)


def _power_scalar(a, b):
    """tensor ** scalar; where the exponent is 0 torch's derivative is 0 (JAX's is nan at 0)."""
    if not jnp.issubdtype(a.dtype, jnp.inexact):
        return _power(a, b)
    zero = b == 0
    return jnp.where(zero, jnp.ones_like(a), _power(a, jnp.where(zero, jnp.ones_like(b), b)))


POW_SCALAR = register("pow_scalar", _power_scalar, "PowBackward0", saves_inputs=(0,))
RPOW = register("rpow", lambda a, b: _power(b, a), "PowBackward2", saves_inputs=(0,))


@op("pow", impl=_power, grad_fn="PowBackward1", saves=(1, 0), saves_output=True, inplace=True)
def pow(input, exponent):
    """torch.pow with torch's three grad_fn flavours (tensor**scalar, tensor**tensor, scalar**t)."""

    if not isinstance(input, Tensor):
        if isinstance(input, bool) and array_of(exponent).dtype == np.bool_:
            raise kernel_error("pow", np.bool_)
        return dispatch(RPOW, (exponent, input))
    if isinstance(exponent, Tensor):
        if array_of(input).dtype == array_of(exponent).dtype == np.bool_:
            if _dispatch_mod.inplace_state.out_dtype is not None:  # torch checks shapes first
                shape = list(broadcast_shapes(input.shape, exponent.shape))
                if shape != list(input.shape):
                    raise RuntimeError(f"output with shape {list(input.shape)} doesn't match "
                                       f"the broadcast shape {shape}")
            raise kernel_error("pow", np.bool_)
        return dispatch(pow.op, (input, exponent))
    if isinstance(exponent, int) and exponent < 0 and array_of(input).dtype.kind in "biu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return dispatch(POW_SCALAR, (input, exponent))


# ---- maximum, minimum -------------------------------------------------------------------------
def _extremum(pick, a, b):
    """maximum/minimum with torch's gradient: ties split it evenly, and where either side is nan
    (the result is nan) both sides get all of it."""
    if not jnp.issubdtype(jnp.result_type(a, b), jnp.inexact):
        return pick(a, b)
    chosen = jnp.where(pick(a, b) == a, a, b)
    out = jnp.where(a == b, a * 0.5 + b * 0.5, chosen)
    return jnp.where(jnp.isnan(a) | jnp.isnan(b), a + b, out)


@op("maximum", grad_fn="MaximumBackward0", saves=(1, 0))
def maximum(a, b):
    """Elementwise max; nan propagates; ties split the gradient evenly (as torch)."""
    return _extremum(jnp.maximum, a, b)


@op("minimum", grad_fn="MinimumBackward0", saves=(1, 0))
def minimum(a, b):
    """Elementwise min; nan propagates; ties split evenly."""
    return _extremum(jnp.minimum, a, b)


# ---- remainder, floor_divide ------------------------------------------------------------------
def _remainder(a, b):
    return jnp.remainder(only("remainder_cpu", a, "float", "int"), b)


def _floor_div(a, b, kernel="div_floor_cpu"):
    """Python-style floor division as torch computes it: floats follow torch's ``div_floor``
    (a zero divisor gives ±inf/nan like true division, where jnp gives nan)."""
    only(kernel, a, "float", "int")
    if not jnp.issubdtype(a.dtype, jnp.floating):
        return jnp.floor_divide(a, b)
    a, b = jax.lax.stop_gradient(a), jax.lax.stop_gradient(b)  # torch: zero gradient
    mod = jnp.fmod(a, b)
    div = (a - mod) / b
    div = jnp.where((mod != 0) & ((b < 0) != (mod < 0)), div - 1, div)
    fl = jnp.floor(div)
    fl = jnp.where(div - fl > 0.5, fl + 1, fl)
    fl = jnp.where(div == 0, jnp.copysign(jnp.zeros_like(div), a / b), fl)
    return jnp.where(b == 0, a / b, fl)


# tensor % tensor is RemainderBackward1 in torch, tensor % scalar RemainderBackward0
REMAINDER_T = register("remainder_tensor", _remainder, "RemainderBackward1")


@op("remainder", impl=_remainder, grad_fn="RemainderBackward0", inplace=True)
def remainder(input, other):
    """Python's ``%``: the result has the divisor's sign. Integer zero divisors raise."""
    tensor = isinstance(input, Tensor) and isinstance(other, Tensor)
    out = dispatch(REMAINDER_T if tensor else remainder.op, (input, other))
    check_int_divisor(other, out)
    return out


# number % tensor: torch has no derivative for it (grad_fn NotImplemented); ours keeps one
# (-floor(number / tensor)), which tests/ops/test_gradcheck.py relies on
@op("rremainder", impl=lambda a, b: _remainder(b, a), grad_fn="RemainderBackward1",
    method=False, namespace=())
def rremainder(input, other):
    """``other % input`` (Tensor.__rmod__). Integer zero divisors raise."""
    out = dispatch(rremainder.op, (input, other))
    check_int_divisor(input, out)
    return out


@op("floor_divide", impl=underivable(_floor_div, "floor_divide"), grad_fn="NotImplemented",
    inplace=True)
def floor_divide(input, other):
    """Rounds the quotient toward -inf (torch >= 1.13); no derivative, as in torch."""
    out = dispatch(floor_divide.op, (input, other))
    check_int_divisor(other, out)
    return out


@op("rfloor_divide", impl=underivable(lambda a, b: _floor_div(b, a), "floor_divide"),
    grad_fn="NotImplemented", method=False, namespace=())
def rfloor_divide(input, other):
    """``other // input`` (Tensor.__rfloordiv__). Integer zero divisors raise."""
    out = dispatch(rfloor_divide.op, (input, other))
    check_int_divisor(input, out)
    return out


# ---- unary ------------------------------------------------------------------------------------
@op("neg", impl=jnp.negative, grad_fn="NegBackward0", aliases=("negative",), inplace=True)
def neg(input):
    """``-input`` elementwise (``negative`` is an alias). Bool tensors are refused, as in torch:
    use ``~`` or ``logical_not`` to invert a mask."""
    if array_of(input).dtype == jnp.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return dispatch(neg.op, (input,))


@op("abs", grad_fn="AbsBackward0", saves=(0,), aliases=("absolute",), inplace=True)
def abs(a):
    """Absolute value, elementwise."""
    # |a| as a * sign(a): torch's derivative sign(a) is 0 at 0 (jnp.abs's is 1)
    return jnp.abs(a) if jnp.iscomplexobj(a) else a * jnp.sign(a)


@op("exp", grad_fn="ExpBackward0", dtype=FLOAT, saves_output=True, inplace=True)
def exp(a):
    """e**x, elementwise; integers compute in the default float dtype."""
    return jnp.exp(a)


@op("log", grad_fn="LogBackward0", dtype=FLOAT, saves=(0,), inplace=True)
def log(a):
    """Natural logarithm, elementwise."""
    return jnp.log(a)


@op("sin", grad_fn="SinBackward0", dtype=FLOAT, saves=(0,), inplace=True)
def sin(a):
    """Sine, elementwise."""
    return jnp.sin(a)


@op("cos", grad_fn="CosBackward0", dtype=FLOAT, saves=(0,), inplace=True)
def cos(a):
    """Cosine, elementwise."""
    return jnp.cos(a)


@op("tanh", grad_fn="TanhBackward0", dtype=FLOAT, saves_output=True, inplace=True)
def tanh(a):
    """Hyperbolic tangent, elementwise."""
    return jnp.tanh(a)


@op("sigmoid", grad_fn="SigmoidBackward0", dtype=FLOAT, saves_output=True, inplace=True)
def sigmoid(a):
    """Logistic sigmoid, elementwise."""
    return jax.nn.sigmoid(a)


@op("sqrt", grad_fn="SqrtBackward0", dtype=FLOAT, saves_output=True, inplace=True)
def sqrt(a):
    """Square root, elementwise."""
    return jnp.sqrt(a)


@op("relu", grad_fn="ReluBackward0", saves_output=True, inplace=True)
def relu(a):
    """max(x, 0), elementwise."""
    # where, not maximum: torch's derivative at 0 is 0 (jnp.maximum splits ties 0.5/0.5); nan stays
    return jnp.where(a <= 0, jnp.zeros((), a.dtype), a)


@op("trunc", grad_fn="TruncBackward0", inplace=True)
def trunc(a):
    """Rounds toward zero, elementwise."""
    return jnp.trunc(a)


# Tensor.logical_not_ is published by ops/unary_math.py
@op("logical_not", grad_fn=None, dtype=KEEP)
def logical_not(a):
    """Elementwise not, as bool."""
    return jnp.logical_not(a)


# the kernel of ``~`` on integers (torch.bitwise_not, in ops/unary_math.py, checks dtypes first)
BITWISE_NOT = register("bitwise_not", jnp.invert, None, dtype_rule=KEEP)


# ---- clamp, where -----------------------------------------------------------------------------
def _clamp(a, lo, hi):
    """min(max(a, lo), hi) with torch's derivative: 1 where lo <= a <= hi (bounds included)."""
    out = a if lo is None else jnp.where(a < lo, lo, a)
    return out if hi is None else jnp.where(out > hi, hi, out)


def _clamp_tensor(a, lo, hi):
    """clamp with tensor bounds (either may be None), with torch's gradients: ``self`` where
    lo <= a <= hi, ``min`` where a < min < max, ``max`` where a > max or max < min; a nan
    bound gives nan."""
    if jnp.issubdtype(a.dtype, jnp.bool_) and lo is not None and hi is not None:
        raise kernel_error("clamp_cpu", a.dtype)
    sg = jax.lax.stop_gradient
    value = sg(_clamp(a, lo, hi))
    if lo is None:
        return jnp.where(a <= hi, a, jnp.where(a > hi, hi, value))
    if hi is None:
        return jnp.where(a >= lo, a, jnp.where(a < lo, lo, value))
    out = jnp.where((a >= lo) & (a <= hi), a,
                    jnp.where((a < lo) & (lo < hi), lo, jnp.where((a > hi) | (hi < lo), hi, value)))
    if jnp.issubdtype(a.dtype, jnp.inexact):
        out = jnp.where(jnp.isnan(lo) | jnp.isnan(hi), sg(value + lo + hi), out)
    return out


CLAMP_T = register("clamp_tensor", _clamp_tensor, "ClampBackward0", saves_inputs=(0, 1, 2))


@op("clamp", impl=_clamp, grad_fn="ClampBackward1", saves=(0,), aliases=("clip",), inplace=True,
    hidden_inputs=(1, 2))  # torch's clamp(Tensor, Scalar? min, Scalar? max): one input
def clamp(input, min=None, max=None):
    """torch.clamp; at least one bound is required, as in torch. Bounds are both numbers or both
    tensors (torch has no mixed overload); tensor bounds broadcast and get gradients."""
    need_input("clamp", input, min if min is not None else max, combination=True)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        if not all(b is None or isinstance(b, Tensor) for b in (min, max)):
            got = ", ".join(f"{k}={type(v).__name__}" for k, v in (("max", max), ("min", min))
                            if v is not None)
            raise TypeError(f"clamp() received an invalid combination of arguments - got "
                            f"(Tensor, {got}), but expected one of: (Tensor input, Tensor min, "
                            f"Tensor max) or (Tensor input, Number min, Number max)")
        return dispatch(CLAMP_T, (input, min, max))
    if array_of(input).dtype == np.bool_ and all(b is None or isinstance(b, bool)
                                                 for b in (min, max)):
        kernel = "clamp_min" if max is None else "clamp_max" if min is None else "clamp"
        raise NotImplementedError(f'"{kernel}_scalar_cpu" not implemented for \'Bool\'')
    return dispatch(clamp.op, (input, min, max))


@op("where", impl=lambda c, a, b: jnp.where(c, a, b), grad_fn="WhereBackward0",
    participants=(1, 2), saves=(0,), method=False, scalar_inputs=(1, 2), hidden_inputs=(0,))
def where(condition, input=None, other=None):
    """torch.where(condition, input, other): elementwise select, promoting input and other.

    ``where(condition)`` alone is ``condition.nonzero(as_tuple=True)`` (a host sync, as in torch).
    """

    if input is None and other is None:
        idx = np.nonzero(np.asarray(array_of(condition)))
        return tuple(Tensor._wrap(jnp.asarray(i, dtype=jnp.int64)) for i in idx)
    if isinstance(condition, Tensor) and condition.dtype.name != "bool":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {legacy_name(condition.dtype)}")
    return dispatch(where.op, (condition, input, other))


# ---- comparisons ------------------------------------------------------------------------------
# In-place comparisons / logical ops write 0/1 in self's dtype. torch records a zero-gradient
# ``EqBackward*`` node for comparisons and none for logical ops, so each gets its own cast op.
_CMP_CAST = register("compare_cast_", lambda a, mask, _other, name: mask.astype(a.dtype),
                     lambda p: p[0], dtype_rule=KEEP)  # other: a (zero-gradient) input
_MASK_CAST = register("mask_cast_", lambda a, mask: mask.astype(a.dtype), None, dtype_rule=KEEP)


def inplace_mask_fn(fn, grad_name: str | None = None):
    """The in-place method for a bool-valued ``fn``: its mask cast to self's dtype."""

    def method(self, other):
        mask = fn(self, other)
        if grad_name is None:
            return dispatch(_MASK_CAST, (self, mask))
        k = 1 if isinstance(other, Tensor) else 0
        return dispatch(_CMP_CAST, (self, mask, other), (f"{grad_name}Backward{k}",))

    method.__name__ = fn.__name__ + "_"
    return method


@op("eq", impl=lambda a, b: a == b, grad_fn=None, dtype=COMPARE)
def eq(input, other):
    """``input == other`` elementwise, as a bool tensor; ``other`` is a tensor or a number and
    broadcasts against ``input``. ``torch.equal`` compares whole tensors instead."""
    need_input("eq", input, other, combination=True)
    return dispatch(eq.op, (input, other))


expose_inplace(("eq",), inplace_mask_fn(eq, "Eq"))


@op("ne", impl=lambda a, b: a != b, grad_fn=None, dtype=COMPARE, aliases=("not_equal",))
def ne(input, other):
    """``input != other`` elementwise, as a bool tensor; ``other`` is a tensor or a number and
    broadcasts against ``input``. ``not_equal`` is an alias."""
    need_input("ne", input, other, combination=True)
    return dispatch(ne.op, (input, other))


expose_inplace(("ne", "not_equal"), inplace_mask_fn(ne, "Ne"))


@op("lt", impl=lambda a, b: a < b, grad_fn=None, dtype=COMPARE, aliases=("less",))
def lt(input, other):
    """``input < other`` elementwise, as a bool tensor; ``other`` is a tensor or a number and
    broadcasts against ``input``. ``less`` is an alias."""
    need_input("lt", input, other, combination=True)
    return dispatch(lt.op, (input, other))


expose_inplace(("lt", "less"), inplace_mask_fn(lt, "Lt"))


@op("le", impl=lambda a, b: a <= b, grad_fn=None, dtype=COMPARE, aliases=("less_equal",))
def le(input, other):
    """``input <= other`` elementwise, as a bool tensor; ``other`` is a tensor or a number and
    broadcasts against ``input``. ``less_equal`` is an alias."""
    need_input("le", input, other, combination=True)
    return dispatch(le.op, (input, other))


expose_inplace(("le", "less_equal"), inplace_mask_fn(le, "Le"))


@op("gt", impl=lambda a, b: a > b, grad_fn=None, dtype=COMPARE, aliases=("greater",))
def gt(input, other):
    """``input > other`` elementwise, as a bool tensor; ``other`` is a tensor or a number and
    broadcasts against ``input``. ``greater`` is an alias."""
    need_input("gt", input, other, combination=True)
    return dispatch(gt.op, (input, other))


expose_inplace(("gt", "greater"), inplace_mask_fn(gt, "Gt"))


@op("ge", impl=lambda a, b: a >= b, grad_fn=None, dtype=COMPARE, aliases=("greater_equal",))
def ge(input, other):
    """``input >= other`` elementwise, as a bool tensor; ``other`` is a tensor or a number and
    broadcasts against ``input``. ``greater_equal`` is an alias."""
    need_input("ge", input, other, combination=True)
    return dispatch(ge.op, (input, other))


expose_inplace(("ge", "greater_equal"), inplace_mask_fn(ge, "Ge"))
