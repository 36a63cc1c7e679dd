"""Elementwise ops: arithmetic, unary math, comparisons, clamp and where.

Each op is registered once; the public functions below are what ``torch.add``, ``Tensor.add``
and ``x + y`` all call. ``grad_fn`` names and saved inputs follow torch 2.13.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from . import dispatch as _dispatch_mod
from .dispatch import _legacy_name, dispatch
from .registry import COMPARE, FLOAT, KEEP, PROMOTE, register
from .surface import expose


def _binary(name: str, impl, grad_fn: str | None, rule: str = PROMOTE, saves=(1, 0)):
    return register(name, impl, grad_fn, dtype_rule=rule, saves_inputs=saves)


def _unary(name: str, impl, grad_fn: str, rule: str = FLOAT, saves=(0,), saves_output=False):
    return register(name, impl, grad_fn, dtype_rule=rule, saves_inputs=saves,
                    saves_output=saves_output)


ADD = _binary("add", lambda a, b: a + b, "AddBackward0", saves=())
ADD_ALPHA = register("add_alpha", lambda a, b, alpha: a + alpha * b, "AddBackward0")
SUB = _binary("sub", lambda a, b: a - b, "SubBackward0", saves=())
SUB_ALPHA = register("sub_alpha", lambda a, b, alpha: a - alpha * b, "SubBackward0")
RSUB = _binary("rsub", lambda a, b: b - a, "RsubBackward1", saves=())
MUL = register("mul", lambda a, b: a * b, "MulBackward0", saves_inputs=(1, 0),
               saved_for={1: (0,), 0: (1,)})
DIV = register("div", lambda a, b: a / b, "DivBackward0", dtype_rule=FLOAT, saves_inputs=(1, 0),
               saved_for={0: (1,)})
RDIV = _binary("rdiv", lambda a, b: b / a, "MulBackward0", rule=FLOAT)
def _power(a, b):
    """jnp.power, except that integers to negative powers give torch's values (1, -1 or 0)."""
    if not (jnp.issubdtype(a.dtype, jnp.integer) and jnp.issubdtype(b.dtype, jnp.integer)):
        return jnp.power(a, b)
    neg = b < 0
    pos = jnp.power(a, jnp.where(neg, jnp.zeros_like(b), b))
    odd = jnp.where(b % 2 == 0, jnp.ones_like(a), -jnp.ones_like(a))
    small = jnp.where(a == 1, jnp.ones_like(a), jnp.where(a == -1, odd, jnp.zeros_like(a)))
    return jnp.where(neg, small.astype(pos.dtype), pos)


POW = register("pow", _power, "PowBackward1", saves_inputs=(1, 0), saves_output=True)
def _power_scalar(a, b):
    """tensor ** scalar; where the exponent is 0 torch's derivative is 0 (JAX's is nan at 0)."""
    if not jnp.issubdtype(a.dtype, jnp.inexact):
        return _power(a, b)
    zero = b == 0
    return jnp.where(zero, jnp.ones_like(a), _power(a, jnp.where(zero, jnp.ones_like(b), b)))


POW_SCALAR = _binary("pow_scalar", _power_scalar, "PowBackward0", saves=(0,))
RPOW = _binary("rpow", lambda a, b: _power(b, a), "PowBackward2", saves=(0,))
MAXIMUM = _binary("maximum", jnp.maximum, "MaximumBackward0")
MINIMUM = _binary("minimum", jnp.minimum, "MinimumBackward0")
REMAINDER = _binary("remainder", lambda a, b: jnp.remainder(a, b), "RemainderBackward0", saves=())
FLOOR_DIVIDE = _binary("floor_divide", lambda a, b: jnp.floor_divide(a, b), None)
RREMAINDER = _binary("rremainder", lambda a, b: jnp.remainder(b, a), "RemainderBackward1", saves=())
RFLOOR_DIVIDE = _binary("rfloor_divide", lambda a, b: jnp.floor_divide(b, a), None)


def _div_mode(a, b, mode):
    """torch.div with rounding_mode 'floor' / 'trunc' (integers stay integers; zero gradient)."""
    if mode == "floor":
        return jnp.floor_divide(a, b)
    if jnp.issubdtype(a.dtype, jnp.integer):
        return jax.lax.div(a, b)  # C division truncates toward zero
    return jnp.trunc(a / b)


DIV_MODE = register("div_mode", _div_mode, "DivBackward2", saves_inputs=(0, 1))

TRUNC = _unary("trunc", jnp.trunc, "TruncBackward0", rule=PROMOTE, saves=())
NEG = _unary("neg", jnp.negative, "NegBackward0", rule=PROMOTE, saves=())
# |a| as a * sign(a): torch's derivative sign(a) is 0 at 0 (jnp.abs's is 1)
ABS = _unary("abs", lambda a: jnp.abs(a) if jnp.iscomplexobj(a) else a * jnp.sign(a),
             "AbsBackward0", rule=PROMOTE)
EXP = _unary("exp", jnp.exp, "ExpBackward0", saves=(), saves_output=True)
LOG = _unary("log", jnp.log, "LogBackward0")
SIN = _unary("sin", jnp.sin, "SinBackward0")
COS = _unary("cos", jnp.cos, "CosBackward0")
TANH = _unary("tanh", jnp.tanh, "TanhBackward0", saves=(), saves_output=True)
SIGMOID = _unary("sigmoid", jax.nn.sigmoid, "SigmoidBackward0", saves=(), saves_output=True)
SQRT = _unary("sqrt", jnp.sqrt, "SqrtBackward0", saves=(), saves_output=True)
# where, not maximum: torch's derivative at 0 is 0 (jnp.maximum splits ties 0.5/0.5); nan stays
RELU = _unary("relu", lambda a: jnp.where(a <= 0, jnp.zeros((), a.dtype), a), "ReluBackward0",
              rule=PROMOTE, saves=(), saves_output=True)


def _clamp(a, lo, hi):
    """min(max(a, lo), hi) with torch's derivative: 1 where lo <= a <= hi (bounds included)."""
    out = a if lo is None else jnp.where(a < lo, lo, a)
    return out if hi is None else jnp.where(out > hi, hi, out)


CLAMP = register("clamp", _clamp, "ClampBackward1", saves_inputs=(0,))
WHERE = register("where", lambda c, a, b: jnp.where(c, a, b), "WhereBackward0",
                 participants=(1, 2), saves_inputs=(0,))

EQ = _binary("eq", lambda a, b: a == b, None, rule=COMPARE, saves=())
NE = _binary("ne", lambda a, b: a != b, None, rule=COMPARE, saves=())
LT = _binary("lt", lambda a, b: a < b, None, rule=COMPARE, saves=())
LE = _binary("le", lambda a, b: a <= b, None, rule=COMPARE, saves=())
GT = _binary("gt", lambda a, b: a > b, None, rule=COMPARE, saves=())
GE = _binary("ge", lambda a, b: a >= b, None, rule=COMPARE, saves=())
LOGICAL_NOT = register("logical_not", jnp.logical_not, None, dtype_rule=KEEP)
BITWISE_NOT = register("bitwise_not", jnp.invert, None, dtype_rule=KEEP)
BITWISE_AND = _binary("bitwise_and", jnp.bitwise_and, None, saves=())
BITWISE_OR = _binary("bitwise_or", jnp.bitwise_or, None, saves=())
BITWISE_XOR = _binary("bitwise_xor", jnp.bitwise_xor, None, saves=())


def add(input, other, *, alpha=1):
    """torch.add: ``input + alpha * other``."""
    if alpha == 1:
        return dispatch(ADD, (input, other))
    return dispatch(ADD_ALPHA, (input, other, alpha))


def _is_bool_tensor(x) -> bool:
    return isinstance(x, _dispatch_mod.Tensor) and x._st.array.dtype == jnp.bool_


def _is_bool(x) -> bool:
    return isinstance(x, bool) or _is_bool_tensor(x)


def _check_bool_sub(a, b) -> None:
    """torch refuses ``-`` with a bool tensor (use ``^`` / ``~`` instead)."""
    if _is_bool_tensor(a) or _is_bool_tensor(b):
        if _is_bool(a) and _is_bool(b):
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


def sub(input, other, *, alpha=1):
    """torch.sub: ``input - alpha * other``."""
    _check_bool_sub(input, other)
    if alpha == 1:
        return dispatch(SUB, (input, other))
    return dispatch(SUB_ALPHA, (input, other, alpha))


def mul(input, other):
    return dispatch(MUL, (input, other))


def div(input, other, *, rounding_mode=None):
    """torch.div: true division unless ``rounding_mode`` is 'floor' or 'trunc'."""
    if rounding_mode is None:
        return dispatch(DIV, (input, other))
    if rounding_mode in ("floor", "trunc"):
        return dispatch(DIV_MODE, (input, other), (rounding_mode,))
    raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                     f"'{rounding_mode}'")


def pow(input, exponent):
    """torch.pow with torch's three grad_fn flavours (tensor**scalar, tensor**tensor, scalar**t)."""
    from .._tensor import Tensor

    if not isinstance(input, Tensor):
        return dispatch(RPOW, (exponent, input))
    if isinstance(exponent, Tensor):
        return dispatch(POW, (input, exponent))
    if isinstance(exponent, int) and exponent < 0 and input._st.array.dtype.kind in "biu":
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return dispatch(POW_SCALAR, (input, exponent))


def maximum(input, other):
    return dispatch(MAXIMUM, (input, other))


def minimum(input, other):
    return dispatch(MINIMUM, (input, other))


def remainder(input, other):
    return dispatch(REMAINDER, (input, other))


def floor_divide(input, other):
    return dispatch(FLOOR_DIVIDE, (input, other))


def rsub(input, other):
    """``other - input`` (Tensor.__rsub__)."""
    _check_bool_sub(other, input)
    return dispatch(RSUB, (input, other))


def neg(input):
    if input._st.array.dtype == jnp.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return dispatch(NEG, (input,))


def _unary_fn(op, doc: str):
    name = op.name

    def fn(input):
        if not isinstance(input, _dispatch_mod.Tensor):
            raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                            f"{type(input).__name__}")
        return dispatch(op, (input,))

    fn.__name__ = op.name
    fn.__doc__ = doc
    return fn


abs = _unary_fn(ABS, "Absolute value, elementwise.")
exp = _unary_fn(EXP, "e**x, elementwise; integers compute in the default float dtype.")
log = _unary_fn(LOG, "Natural logarithm, elementwise.")
sin = _unary_fn(SIN, "Sine, elementwise.")
cos = _unary_fn(COS, "Cosine, elementwise.")
tanh = _unary_fn(TANH, "Hyperbolic tangent, elementwise.")
sigmoid = _unary_fn(SIGMOID, "Logistic sigmoid, elementwise.")
sqrt = _unary_fn(SQRT, "Square root, elementwise.")
relu = _unary_fn(RELU, "max(x, 0), elementwise.")
trunc = _unary_fn(TRUNC, "Rounds toward zero, elementwise.")
logical_not = _unary_fn(LOGICAL_NOT, "Elementwise not, as bool.")


def clamp(input, min=None, max=None):
    """torch.clamp; at least one bound is required, as in torch."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return dispatch(CLAMP, (input, min, max))


clip = clamp


def where(condition, input=None, other=None):
    """torch.where(condition, input, other): elementwise select, promoting input and other.

    ``where(condition)`` alone is ``condition.nonzero(as_tuple=True)`` (a host sync, as in torch).
    """
    from .._tensor import Tensor

    if input is None and other is None:
        idx = np.nonzero(np.asarray(condition._st.array))
        return tuple(Tensor._wrap(jnp.asarray(i, dtype=jnp.int64)) for i in idx)
    if isinstance(condition, Tensor) and condition.dtype.name != "bool":
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_legacy_name(condition.dtype)}")
    return dispatch(WHERE, (condition, input, other))


def eq(input, other):
    return dispatch(EQ, (input, other))


def ne(input, other):
    return dispatch(NE, (input, other))


def lt(input, other):
    return dispatch(LT, (input, other))


def le(input, other):
    return dispatch(LE, (input, other))


def gt(input, other):
    return dispatch(GT, (input, other))


def ge(input, other):
    return dispatch(GE, (input, other))


expose("add", inplace=True)(add)
expose("sub", "subtract", inplace=True)(sub)
expose("mul", "multiply", inplace=True)(mul)
expose("div", "divide", "true_divide", inplace=True)(div)
expose("pow", inplace=True)(pow)
expose("neg", "negative", inplace=True)(neg)
expose("abs", "absolute", inplace=True)(abs)
for _f in (exp, log, sin, cos, tanh, sigmoid, sqrt, relu, trunc, remainder, floor_divide):
    expose(_f.__name__, inplace=True)(_f)
expose("clamp", "clip", inplace=True)(clamp)
for _f in (maximum, minimum, logical_not, eq, ne, lt, le, gt, ge):
    expose(_f.__name__)(_f)
expose("where", method=False)(where)
