"""Elementwise binary / ternary ops, comparisons, logical and bitwise ops (and their in-place
variants and the reflected operators).

The first sample of each op runs in every dtype torch takes (cases torch refuses are recorded as
unsupported and skipped; ``error=True`` samples check our message for a few of them). Further
samples cover Python scalars, 0-dim tensors of another dtype (which do not promote within a
category), broadcasting, transposed inputs and keyword arguments.
"""

from __future__ import annotations

from . import ALL, FLOATS, INTS, OpInfo, Sample, T, inplace_of

S = (3, 4)
NUMERIC = FLOATS + INTS
TIES = [[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]]
TIES_OTHER = [[1.0, 2.0, 0.5], [-3.0, 0.0, 1.0]]  # equal at 4 of 6 places
NANS = [[float("nan"), 1.0, float("nan")], [2.0, -1.0, 0.5]]
NANS_OTHER = [[1.0, float("nan"), float("nan")], [2.0, 3.0, -0.5]]


def _call(name: str):
    return lambda t, *a, **k: getattr(t, name)(*a, **k)


def _ints(shape=S, low=-5, high=6, **kw) -> T:
    return T(shape, kind="int", low=low, high=high, **kw)


def _pos(shape=S, **kw) -> T:
    """Nonzero divisors in every dtype: floats in [1, 3], integers in [1, 3)."""
    return T(shape, low=1, high=3, **kw)


def _broadcast(*extra_args, **kw) -> Sample:
    return Sample((T((3, 1)), T((4,)), *extra_args), kw, label="broadcast")


def _zero_dim_double() -> Sample:
    """A 0-dim float64 tensor does not promote a float32 dim tensor (same category)."""
    return Sample((T((2, 3)), T((), dtype="float64")), label="0-dim float64 other")


def _int_and_float_scalar() -> Sample:
    return Sample((T((2, 3), dtype="int64", kind="int", low=1, high=5), 2.5),
                  label="int tensor, float scalar")


def _transposed() -> Sample:
    return Sample((T((3, 2), transposed=True), T((3, 2))), label="transposed")


def _binary(name: str, dtypes: tuple = ALL, first: Sample | None = None, extra: tuple = (),
            std: bool | str = "broadcast", **kw) -> OpInfo:
    """``torch.<name>(a, b)``: the first sample in every dtype, then a broadcasting one (with
    ``std=True`` also a 0-dim input and a transposed one: kept to a few ops, for test time)."""
    samples = [first or Sample((T(S), T(S)))]
    if std:
        samples.append(_broadcast())
    if std is True:
        samples += [Sample((T(()), T((2, 3))), label="0-dim input"), _transposed()]
    return OpInfo(f"torch.{name}", _call(name), samples + list(extra), dtypes=dtypes, **kw)


def _inplace(name: str, samples: list, dtypes: tuple = ("float32",), **kw) -> OpInfo:
    """In-place variants check the write-back semantics (dtype kept, history, errors); their
    dtype coverage is the out-of-place op's."""
    return inplace_of(f"Tensor.{name}_", f"{name}_", samples, dtypes=dtypes, **kw)


_INT_INTO = Sample((T((3,), dtype="int64", kind="int", low=1, high=5), 2.5), error=True,
                   label="float result into int64")
_NOT_TENSOR = Sample((T((3,)), 1.5), error=True, label="other must be a Tensor")


def _float_only(kernel_dtype: str = "int64") -> Sample:
    return Sample((T((3,), dtype=kernel_dtype, kind="int", low=1, high=4),
                   T((3,), dtype=kernel_dtype, kind="int", low=1, high=4)), error=True,
                  label=f"no {kernel_dtype} kernel")


ARITH = [
    _binary("add", std=True, extra=(
        Sample((T(S), T(S)), {"alpha": 2}, dtypes=ALL, label="alpha"),
        Sample((T(S), 2.5), label="python float"), _int_and_float_scalar(), _zero_dim_double(),
        Sample((T((3,), dtype="bool"), 2), label="bool + int"),
        Sample((T((0,)), T((1,))), label="empty"),
        Sample((T((3,), dtype="int64"), T((3,), dtype="int64")), {"alpha": 2.5}, error=True,
               label="float alpha for ints"))),
    _binary("sub", extra=(
        Sample((T(S), T((4,))), {"alpha": -1.5}, label="alpha"), _int_and_float_scalar(),
        _zero_dim_double(),
        Sample((T((3,), dtype="bool"), T((3,), dtype="bool")), error=True, label="bool - bool"),
        Sample((T((3,), dtype="bool"), 1), error=True, label="bool - int"))),
    _binary("mul", std=True, extra=(
        Sample((T(S), 2.5), label="python float"), _int_and_float_scalar(), _zero_dim_double(),
        Sample((T((3,), dtype="bool"), T((3,), dtype="int8")), label="bool * int8"),
        Sample((T((3,), dtype="uint8"), -1), dtypes=("uint8",), label="uint8 * -1 wraps"))),
    _binary("div", std=True, first=Sample((T(S), _pos())), extra=(
        Sample((T(S), _pos()), {"rounding_mode": "floor"}, dtypes=("float32", "int64", "uint8"),
               label="floor"),
        Sample((T(S), _pos()), {"rounding_mode": "trunc"}, dtypes=("float16", "int32", "int8"),
               label="trunc"),
        Sample((_ints(), T(S, kind="values", values=[[-3, 2, -1, 4]] * 3)),
               {"rounding_mode": "floor"}, dtypes=("int64", "int8"),
               label="negative ints floor"),
        Sample((_ints(), T(S, kind="values", values=[[-3, 2, -1, 4]] * 3)),
               {"rounding_mode": "trunc"}, dtypes=("int32",),
               label="negative ints trunc"),
        Sample((T((3,), dtype="int64"), 2), label="int / int scalar is float"),
        Sample((T((3,), kind="values", values=[1.0, -1.0, 0.0]), 0.0),
               {"rounding_mode": "floor"}, label="float floor by zero"),
        Sample((T((2,), kind="values", values=[1, 2], dtype="int64"),
                T((2,), kind="values", values=[0, 1], dtype="int64")),
               {"rounding_mode": "trunc"}, error=True, label="int division by zero"),
        Sample((T((3,)), T((3,))), {"rounding_mode": "round"}, error=True,
               label="bad rounding_mode"))),
    _binary("pow", first=Sample((T(S, low=0.5, high=2), T(S, low=0, high=3))), extra=(
        Sample((T(S), 2), label="python int exponent"),
        Sample((T(S, low=0.5, high=2), 0.5), label="python float exponent"),
        Sample((T((2, 3), dtype="int64", kind="int", low=0, high=4), 2.5),
               label="int tensor ** float"),
        Sample((T((3,), dtype="int64"), -1), error=True, label="negative int power"),
        Sample((T((3,), dtype="bool"), 2), label="bool ** int"))),
    OpInfo("torch.rsub", _call("rsub"), [
        Sample((T(S), T(S))), Sample((T(S), 2)), Sample((T(S), T((4,))), {"alpha": 2}),
        Sample((T((3,), dtype="int64"), 2), {"alpha": 3}, label="int alpha"),
        Sample((T((3,), dtype="bool"), T((3,), dtype="bool")), error=True, label="bool")],
        dtypes=NUMERIC),
    _binary("floor_divide", first=Sample((T(S), _pos())), dtypes=ALL, grad=False, extra=(
        Sample((T(S), T(S, kind="values", values=[[-3.0, 2.0, -1.5, 0.7]] * 3)),
               label="negative float divisors"),
        Sample((_ints(), T(S, kind="values", values=[[-3, 2, -1, 4]] * 3)),
               dtypes=("int64", "int8"), label="negative int divisors"),
        Sample((T((3,), kind="values", values=[1.0, -1.0, 0.0]), 0.0), label="by zero"),
        Sample((T((2,), dtype="int64"), 0), error=True, label="int by zero"))),
    _binary("remainder", first=Sample((T(S), _pos())), extra=(
        Sample((T(S), T(S, kind="values", values=[[-3.0, 2.0, -1.5, 0.7]] * 3)),
               label="negative divisors"),
        Sample((_ints(), -3), dtypes=("int8",), label="int % negative scalar"),
        Sample((T(S), 1.5), label="python float"),
        Sample((T((2,), dtype="int64"), T((2,), kind="values", values=[0, 1], dtype="int64")),
               error=True, label="int by zero"),
        Sample((T((2,), dtype="bool"), T((2,), dtype="bool")), error=True, label="bool"))),
    _binary("fmod", first=Sample((T(S), _pos())), extra=(
        Sample((T(S), T(S, kind="values", values=[[-3.0, 2.0, -1.5, 0.7]] * 3)),
               label="negative divisors"),
        Sample((_ints(), -3), dtypes=("int32",), label="int fmod negative"),
        Sample((T(S), 1.5), label="python float"), _int_and_float_scalar(),
        Sample((T((2,), dtype="int64"), 0), error=True, label="int by zero"),
        Sample((T((2,), dtype="bool"), T((2,), dtype="bool")), error=True, label="bool"))),
]

MATH = [
    _binary("atan2", std=True, extra=(_NOT_TENSOR, _zero_dim_double())),
    _binary("hypot", extra=(_float_only(), _NOT_TENSOR), first=Sample((_pos(), T(S)))),
    _binary("copysign", extra=(
        Sample((T(S), -1), label="python int"), _int_and_float_scalar(),
        Sample((T((2, 3), kind="values", values=[[0.0, -0.0, 1.5], [-2.0, 0.0, 3.0]]),
                T((2, 3), kind="values", values=[[-1.0, 1.0, -0.0], [2.0, -3.0, 0.0]])),
               label="zeros and signed zeros"))),
    _binary("nextafter", dtypes=FLOATS, extra=(_float_only(), _NOT_TENSOR)),
    _binary("logaddexp", dtypes=ALL, extra=(_float_only(), _NOT_TENSOR)),
    _binary("logaddexp2", dtypes=ALL, extra=(_float_only(), _NOT_TENSOR)),
    OpInfo("torch.ldexp", _call("ldexp"), [
        Sample((T(S), _ints(S, 0, 4, dtype="int64"))),
        Sample((T((3, 1)), _ints((4,), 0, 4, dtype="int32")), label="broadcast"),
        Sample((T((2, 3)), T((2, 3), low=-3, high=3)), label="float exponent"),
        Sample((T((2,), dtype="float16"), _ints((2,), 0, 4, dtype="int64")),
               label="float16 keeps its dtype"),
        _NOT_TENSOR], dtypes=ALL,
        notes="for a negative *integer* exponent torch's gradient for `input` is 0 (its "
              "backward computes 2**other in integer arithmetic); ours is 2**other"),
    _binary("float_power", first=Sample((T(S, low=0.5, high=2), T(S, low=0, high=3))), extra=(
        Sample((T(S, low=0.5, high=2), 2), label="python int exponent"),
        Sample((T(S, low=0.5, high=2), 0), label="exponent 0"),
        Sample((2.0, T(S)), label="python base"),
        Sample((T((3,), dtype="int64", kind="int", low=1, high=4), -1), label="int ** -1"))),
]

SELECT = [
    _binary("maximum", std=True, extra=(
        Sample((T((2, 3), kind="values", values=TIES), T((2, 3), kind="values",
                                                         values=TIES_OTHER)), label="ties"),
        Sample((T((2, 3), kind="values", values=NANS), T((2, 3), kind="values",
                                                         values=NANS_OTHER)), label="nan"),
        _NOT_TENSOR)),
    _binary("minimum", extra=(
        Sample((T((2, 3), kind="values", values=TIES), T((2, 3), kind="values",
                                                         values=TIES_OTHER)), label="ties"),
        Sample((T((2, 3), kind="values", values=NANS), T((2, 3), kind="values",
                                                         values=NANS_OTHER)), label="nan"))),
    _binary("fmax", extra=(
        Sample((T((2, 3), kind="values", values=TIES), T((2, 3), kind="values",
                                                         values=TIES_OTHER)), label="ties"),
        Sample((T((2, 3), kind="values", values=NANS), T((2, 3), kind="values",
                                                         values=NANS_OTHER)), label="nan"),
        _NOT_TENSOR)),
    _binary("fmin", extra=(
        Sample((T((2, 3), kind="values", values=TIES), T((2, 3), kind="values",
                                                         values=TIES_OTHER)), label="ties"),
        Sample((T((2, 3), kind="values", values=NANS), T((2, 3), kind="values",
                                                         values=NANS_OTHER)), label="nan"))),
    _binary("heaviside", grad=False, std=False,
            first=Sample((T(S, kind="values", values=[[0, 1, -2, 0]] * 3), T((4,)))), extra=(
                Sample((T((3, 4)), T(())), label="0-dim values"),
                Sample((T((3,)), T((3,), dtype="float64")), error=True, label="dtype mismatch"),
                Sample((T((3,)), 0.5), error=True, label="values must be a Tensor"))),
    OpInfo("torch.gcd", _call("gcd"), [
        Sample((_ints(S, -6, 13), _ints(S, -6, 13))),
        Sample((_ints((3, 1), 0, 13), _ints((4,), 0, 13)), dtypes=("int64",), label="broadcast"),
        Sample((_ints((3,), 0, 9, dtype="int8"), _ints((3,), 0, 9, dtype="int64")),
               dtypes=("int64",), label="int8 with int64"),
        Sample((T((3,)), T((3,))), error=True, label="float"),
        Sample((T((3,), dtype="bool"), T((3,), dtype="bool")), dtypes=("int64",), error=True,
               label="bool"),
        Sample((_ints((3,)), 2), dtypes=("int64",), error=True, label="python int")],
        dtypes=INTS, grad=False),
    OpInfo("torch.lcm", _call("lcm"), [
        Sample((_ints(S, -6, 10), _ints(S, -6, 10))),
        Sample((_ints((3, 1), 0, 10), _ints((4,), 0, 10)), dtypes=("int64",), label="broadcast"),
        Sample((T((3,)), T((3,))), error=True, label="float")],
        dtypes=INTS, grad=False),
    OpInfo("torch.clamp", _call("clamp"), [
        Sample((T(S), -0.5, 0.5)),
        Sample((T(S),), {"min": T((4,)), "max": T((3, 1), low=1, high=2)},
               label="tensor bounds"),
        Sample((T(S), T(S)), label="tensor min only"),
        Sample((T(S),), {"max": T((4,))}, label="tensor max only"),
        Sample((T((2, 3)), T((2, 3), low=0.5, high=1), T((2, 3), low=-1, high=0)),
               label="min > max"),
        Sample((T((3,), dtype="int64"), 0.5), label="int tensor, float bound"),
        Sample((T(S), -0.5), {"max": T((4,))}, error=True, label="number and tensor bound"),
        Sample((T((3,)),), error=True, label="no bound")], dtypes=ALL),
    OpInfo("torch.clamp_min", _call("clamp_min"), [
        Sample((T(S), 0.3)), Sample((T(S), T((4,))), label="tensor min"),
        Sample((T((3,), dtype="int64"), 0.5), label="int tensor, float bound"),
        Sample((T((3,)), None), error=True, label="None")], dtypes=ALL),
    OpInfo("torch.clamp_max", _call("clamp_max"), [
        Sample((T(S), 0.3)), Sample((T(S), T((3, 1))), label="tensor max"),
        Sample((T((2, 3)), T(())), label="0-dim max")], dtypes=ALL),
    OpInfo("torch.where", _call("where"), [
        Sample((T(S, dtype="bool"), T(S), T(S))),
        Sample((T(S, dtype="bool"), T(S), 0.0), label="scalar other"),
        Sample((T(S, dtype="bool"), 1.5, T((4,))), label="scalar input, broadcast"),
        Sample((T((3,), dtype="bool"), 1, 0), label="two ints"),
        Sample((T((3,), dtype="bool"), 1, 0.5), label="int and float"),
        Sample((T((3,), dtype="bool"), T((3,), dtype="int64"), 0.5), label="int tensor, float"),
        Sample((T((3,), dtype="bool"), T((3,)), T((), dtype="float64")),
               label="0-dim float64 branch"),
        Sample((T((3,), dtype="int64"), T((3,)), T((3,))), error=True, label="int condition")],
        dtypes=ALL),
]

TERNARY = [
    OpInfo("torch.lerp", _call("lerp"), [
        Sample((T(S), T(S), 0.3)),
        Sample((T(S), T(S), 0.8), label="weight > 0.5"),
        Sample((T(S), T((4,)), T((3, 1), low=0, high=1)), label="tensor weight, broadcast"),
        Sample((T((3,)), T((3,)), T((), dtype="float64")), label="0-dim float64 weight"),
        Sample((T((3,), dtype="int64"), T((3,), dtype="int64"), 0.5), error=True,
               label="int"),
        Sample((T((3,)), T((3,), dtype="float64"), 0.5), error=True, label="end dtype"),
        Sample((T((3,)), T((3,)), T((3,), dtype="float64")), error=True,
               label="weight dtype")]),
    OpInfo("torch.addcmul", _call("addcmul"), [
        Sample((T(S), T(S), T(S))),
        Sample((T(S), T((4,)), T((3, 1))), {"value": 0.5}, label="value, broadcast"),
        Sample((_ints((3,), dtype="int64"), _ints((3,), dtype="int64"),
                _ints((3,), dtype="int64")), {"value": 2}, label="ints"),
        Sample((T((3,), dtype="bool"), T((3,), dtype="bool"), T((3,), dtype="bool")),
               error=True, label="bool")], dtypes=ALL),
    OpInfo("torch.addcdiv", _call("addcdiv"), [
        Sample((T(S), T(S), _pos())),
        Sample((T(S), T((4,)), _pos((3, 1))), {"value": -2}, label="value, broadcast"),
        Sample((_ints((3,), dtype="int64"), T((3,)), _pos((3,))), label="int input"),
        Sample((T((3,)), _ints((3,), dtype="int64"), _pos((3,), dtype="int64")), error=True,
               label="int division")], dtypes=ALL),
    OpInfo("torch.dist", _call("dist"), [
        Sample((T(S), T(S))),
        Sample((T(S), T((4,))), label="broadcast"),
        *[Sample((T((2, 3)), T((2, 3))), {"p": p}, label=f"p={p}")
          for p in (1, 3, 0.5, 0, float("inf"), -float("inf"))],
        Sample((T((2, 3)), T((2, 3), dtype="float64")), label="float64 other"),
        Sample((T((3,), dtype="int64"), T((3,), dtype="int64")), error=True, label="ints"),
        Sample((T((3,)), T((3,))), {"p": "fro"}, error=True, label="string p")], dtypes=ALL),
]


def _compare(name: str, full: bool = True) -> OpInfo:
    """Comparisons share one kernel shape: the mirrored ones (ne, le, ge) get fewer samples."""
    extra = (
        Sample((T(S), 0.5), label="python float"),
        Sample((_ints((3,), dtype="int64"), 1.5), label="int tensor, float scalar"),
        Sample((T((2, 3), kind="values", values=TIES), T((2, 3), kind="values",
                                                          values=TIES_OTHER)), label="ties"),
        Sample((T((2, 3), kind="values", values=NANS), T((2, 3), kind="values",
                                                          values=NANS_OTHER)), label="nan"))
    return _binary(name, grad=False, extra=extra if full else extra[1:3])


def _logical(name: str) -> OpInfo:
    return _binary(name, grad=False, extra=(
        Sample((T((2, 3), kind="values", values=NANS), _ints((2, 3), 0, 2, dtype="int64")),
               label="nan is true"), _NOT_TENSOR))


def _bitwise(name: str) -> OpInfo:
    extra = (
        Sample((_ints((3, 1), dtype="int64"), _ints((4,), dtype="int32")), label="broadcast"),
        Sample((_ints((3,), dtype="int64"), 6), label="python int"),
        Sample((5, _ints((3,), dtype="int64")), label="python int first"),
        Sample((T((3,), dtype="bool"), 3), label="bool with int"),
        Sample((T((3,)), T((3,))), error=True, label="float"),
        Sample((_ints((3,), dtype="int64"), 2.5), error=True, label="python float"))
    return _binary(name, grad=False, std=False, extra=extra,
                   first=Sample((_ints(S, -8, 8), _ints(S, -8, 8))))


def _shift(name: str) -> OpInfo:
    return OpInfo(f"torch.{name}", _call(name), [
        Sample((_ints(S, -20, 20), _ints(S, 0, 8))),
        Sample((T((3,), kind="values", values=[5, -7, 3], dtype="int64"),
                T((3,), kind="values", values=[-1, 70, 63], dtype="int64")),
               label="negative and too large shifts"),
        Sample((T((2,), kind="values", values=[100, 200], dtype="uint8"),
                T((2,), kind="values", values=[1, 9], dtype="uint8")), label="uint8"),
        Sample((_ints((3,), dtype="int8"), 2), label="python int amount"),
        Sample((2, _ints((3,), 0, 5, dtype="int64")), label="python int first"),
        Sample((T((3,)), 1), error=True, label="float"),
        Sample((T((3,), dtype="bool"), T((3,), dtype="bool")), error=True, label="bool")],
        dtypes=INTS, grad=False)


CLOSE = [
    OpInfo("torch.isclose", _call("isclose"), [
        Sample((T(S), T(S))),
        Sample((T((2, 3), kind="values", values=[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
                T((2, 3), kind="values", values=[[1.0, 2.05, 3.5], [4.0, 5.0001, 7.0]])),
               {"rtol": 0.05, "atol": 0.1}, label="tolerances"),
        Sample((T((2, 3), kind="values", values=NANS), T((2, 3), kind="values",
                                                         values=NANS_OTHER)),
               {"equal_nan": True}, label="equal_nan"),
        Sample((T((2,), kind="values", values=[float("inf"), -float("inf")]),
                T((2,), kind="values", values=[float("inf"), float("inf")])), label="inf"),
        Sample((T((2,), kind="values", values=[1, 10], dtype="int64"),
                T((2,), kind="values", values=[2, 11], dtype="int64")),
               {"rtol": 0.1, "atol": 0}, label="ints"),
        Sample((T((3,)), T((3,), dtype="float64")), error=True, label="dtype mismatch"),
        Sample((T((3,)), T((3,))), {"rtol": -1.0}, error=True, label="negative rtol")],
        dtypes=ALL, grad=False),
    OpInfo("torch.allclose", _call("allclose"), [
        Sample((T(S), T(S))),
        Sample((T((3,)), T((3,))), {"rtol": 10.0, "atol": 5.0}, label="loose"),
        Sample((T((3,)), T((1,))), label="broadcast")], dtypes=ALL, grad=False),
    OpInfo("torch.equal", _call("equal"), [
        Sample((T(S), T(S))),
        Sample((T((2, 3), kind="values", values=TIES), T((2, 3), kind="values", values=TIES)),
               label="same values"),
        Sample((T((3,), kind="values", values=[1, 2, 3], dtype="int64"),
                T((3,), kind="values", values=[1.0, 2.0, 3.0])), label="int vs float"),
        Sample((T((3,)), T((1, 3))), label="different shapes"),
        Sample((T((3,)), 1.0), error=True, label="number")], dtypes=ALL, grad=False),
    OpInfo("torch.igamma", _call("igamma"), [
        Sample((T(S, low=0.5, high=3, grad=False), T(S, low=0.1, high=4))),
        Sample((T((3, 1), low=0.5, high=3, grad=False), T((4,), low=0.1, high=4)),
               label="broadcast"),
        _float_only()], dtypes=("float32", "float64"),
        notes="no gradient for `input` (torch raises 'the derivative for igamma: input is not "
              "implemented'; ours is zero); float16/bfloat16 (computed in float32) left out of "
              "the table: jax's igamma compiles slowly"),
    OpInfo("torch.igammac", _call("igammac"), [
        Sample((T(S, low=0.5, high=3, grad=False), T(S, low=0.1, high=4))),
        _float_only()], dtypes=("float32", "float64"),
        notes="no gradient for `input` (torch raises; ours is zero); half types as igamma"),
    OpInfo("torch.isin", _call("isin"), [
        Sample((_ints(S, 0, 6), _ints((4,), 0, 6))),
        Sample((_ints(S, 0, 6), _ints((2, 2), 0, 6)), {"invert": True}, label="invert"),
        Sample((_ints(S, 0, 6, dtype="int64"), 3), label="python test element"),
        Sample((2, _ints((4,), 0, 4, dtype="int64")), label="python element"),
        Sample((_ints((3,), 0, 4, dtype="int64"), T((2,), kind="values", values=[1.0, 2.5])),
               label="int elements, float tests"),
        Sample((_ints((3,), 0, 4, dtype="int64"), T((0,), dtype="int64")), label="empty tests"),
        Sample((T((3,), dtype="bool"), T((3,), dtype="bool")), error=True, label="bool")],
        dtypes=NUMERIC, grad=False),
]


def _op_fn(expr):
    return lambda t, x, *a: expr(x, *a)


OPERATORS = [
    OpInfo("Tensor.__rtruediv__", _op_fn(lambda x: 2 / x), [
        Sample((_pos(),)), Sample((T((2, 3), low=1, high=3, dtype="int64"),),
                                  label="int tensor")], dtypes=("float32", "float64", "bool")),
    OpInfo("Tensor.__rfloordiv__", _op_fn(lambda x: 5 // x), [
        Sample((_pos(),)), Sample((T((3,), kind="values", values=[-2.0, 3.0, 0.5]),),
                                  label="negatives")], dtypes=("float32", "int64"), grad=False),
    OpInfo("Tensor.__rmod__", _op_fn(lambda x: 5 % x), [
        Sample((_pos(),)), Sample((T((3,), kind="values", values=[-2.0, 3.0, 0.5]),),
                                  label="negatives")], dtypes=("float32", "int64"),
        check_grad_fn=False,
        notes="differentiable here (RemainderBackward1, gradient -floor(5 / x)); torch has no "
              "derivative for number % tensor (grad_fn NotImplemented, backward raises)"),
    OpInfo("Tensor.__rpow__", _op_fn(lambda x: 2 ** x), [
        Sample((_ints(S, 0, 4),)), Sample((T(S),), label="floats")],
        dtypes=("float32", "int64", "uint8")),
    OpInfo("Tensor.__rsub__", _op_fn(lambda x: 2 - x), [
        Sample((T(S),)), Sample((T((3,), dtype="bool"),), error=True, label="bool")],
        dtypes=("float32", "int64", "uint8")),
    OpInfo("Tensor.__and__", lambda t, x, y: x & y, [
        Sample((_ints(S, -8, 8), _ints(S, -8, 8))), Sample((T((3,)), T((3,))), error=True,
                                                           label="float")],
        dtypes=("int64", "uint8", "bool"), grad=False),
    OpInfo("Tensor.__or__", lambda t, x, y: x | y, [
        Sample((_ints(S, -8, 8), _ints(S, -8, 8))), Sample((_ints((3,)), 3), label="int")],
        dtypes=("int64", "uint8", "bool"), grad=False),
    OpInfo("Tensor.__xor__", lambda t, x, y: x ^ y, [
        Sample((_ints(S, -8, 8), _ints(S, -8, 8))), Sample((_ints((3,)), True), label="bool")],
        dtypes=("int64", "uint8", "bool"), grad=False),
]

_ONE = [Sample((T(S), T(S)))]
_ONE_POS = [Sample((T(S), _pos()))]

INPLACE = [
    _inplace("add", [*_ONE, Sample((T(S), T((4,))), {"alpha": 2}, label="alpha"), _INT_INTO,
                     Sample((T((4,)), T(S)), error=True, label="would broadcast self")]),
    _inplace("sub", [*_ONE, _INT_INTO]),
    _inplace("mul", [*_ONE, Sample((_ints((3,), dtype="int64"), 3), label="int self")]),
    _inplace("div", [*_ONE_POS, Sample((T(S), _pos()), {"rounding_mode": "floor"},
                                       label="floor"), _INT_INTO]),
    _inplace("pow", [Sample((T(S, low=0.5, high=2), 2.5))]),
    _inplace("fmod", _ONE_POS), _inplace("remainder", _ONE_POS),
    _inplace("floor_divide", _ONE_POS, grad=False),
    _inplace("atan2", [*_ONE, Sample((_ints((3,), dtype="int64"), _ints((3,), dtype="int64")),
                                     error=True, label="float result into int")]),
    _inplace("hypot", _ONE), _inplace("copysign", [Sample((T(S), -1.0))]),
    _inplace("nextafter", _ONE),
    _inplace("ldexp", [Sample((T(S), _ints(S, 0, 4, dtype="int64")))]),
    _inplace("float_power", [Sample((T(S, low=0.5, high=2), 2)),
                             Sample((T((3,), low=0.5, high=2), 2), error=True,
                                    label="float32 self")], dtypes=("float64",)),
    _inplace("clamp", [Sample((T(S), -0.5, 0.5)), Sample((T(S), T(S)), label="tensor min")]),
    _inplace("clamp_min", [Sample((T(S), 0.2))]), _inplace("clamp_max", [Sample((T(S), T(S)))]),
    _inplace("lerp", [Sample((T(S), T(S), 0.3)),
                      Sample((T(S), T(S), T(S, low=0, high=1)), label="tensor weight")]),
    _inplace("addcmul", [Sample((T(S), T(S), T(S)), {"value": 2})]),
    _inplace("addcdiv", [Sample((T(S), T(S), _pos()), {"value": 0.5})]),
    _inplace("eq", [*_ONE, Sample((T(S), 0.5), label="scalar")]),
    _inplace("lt", _ONE), _inplace("greater_equal", _ONE),
    # logical_and_ & co. keep self's history (CloneBackward0 here), as torch does
    _inplace("logical_and", [*_ONE, Sample((_ints((3,), dtype="int64"), T((3,))),
                                           label="int self")], gradcheck=False),
    _inplace("logical_xor", _ONE, gradcheck=False),
    _inplace("bitwise_and", [Sample((_ints(S), _ints(S)))], dtypes=("int8", "bool"), grad=False),
    _inplace("bitwise_left_shift", [Sample((_ints(S), _ints(S, 0, 4)))], dtypes=("int32",),
             grad=False),
    _inplace("gcd", [Sample((_ints(S), _ints(S)))], dtypes=("int64",), grad=False),
    _inplace("heaviside", [Sample((T(S), T(S)))], grad=False),
    _inplace("igamma", [Sample((T(S, low=0.5, high=3), T(S, low=0.1, high=4, grad=False)))],
             gradcheck=False),
]

OPS = (ARITH + MATH + SELECT + TERNARY + CLOSE + OPERATORS + INPLACE
       + [_compare(n, full=n in ("eq", "lt", "gt")) for n in ("eq", "ne", "lt", "le", "gt", "ge")]
       + [_logical(n) for n in ("logical_and", "logical_or", "logical_xor")]
       + [_bitwise(n) for n in ("bitwise_and", "bitwise_or", "bitwise_xor")]
       + [_shift(n) for n in ("bitwise_left_shift", "bitwise_right_shift")])
