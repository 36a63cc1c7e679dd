"""Elementwise unary math ops (torch.* and Tensor methods) and their in-place variants.

Most ops get the same four samples (``_std``): a (3, 4) input in every dtype torch takes (so
integer/bool -> float promotion, or dtype keeping, is checked), a 0-dim input, an empty one and
a transposed one, each drawn from the op's domain [low, high].
"""

from __future__ import annotations

from . import ALL, FLOATS, INTS, OpInfo, Sample, T, inplace_of

# ops that keep integer dtypes: int64, and the narrow signed/unsigned ones (no bool kernel for
# floor, ceil, round, trunc...)
NUMERIC = FLOATS + ("int64", "uint8")
KEEPS = NUMERIC + ("bool",)
# Ops whose integers compute as float32 take int32/int8/uint8 exactly like int64: checking
# int64 and bool keeps the area fast (every dtype compiles separately).
TO_FLOAT = FLOATS + ("int64",)
INT_SAMPLE_DTYPES = ("int64", "bool")
NAN_INF = [[0.5, float("nan"), -1.5], [float("inf"), -float("inf"), 2.0]]


def _std(low: float = -2.0, high: float = 2.0, first_dtypes: tuple | None = None,
         empty: bool = True, zero_dim: bool = True, transposed: bool = True) -> list:
    """The standard samples. A domain with no integers in it (asin: [-0.95, 0.95]) gets its
    integer/bool dtypes from a second sample of integers in [-1, 2) instead."""
    narrow = int(low) >= int(high)
    return [Sample((T((3, 4), low=low, high=high),), dtypes=FLOATS if narrow else first_dtypes),
            *([Sample((T((3, 4), kind="int", low=-1, high=2),), dtypes=INT_SAMPLE_DTYPES,
                      label="integers")] if narrow else []),
            *([Sample((T((), low=low, high=high),))] if zero_dim else []),
            *([Sample((T((0, 3), low=low, high=high),))] if empty else []),
            *([Sample((T((3, 2), low=low, high=high, transposed=True),))] if transposed else [])]


def _call(name: str):
    return lambda t, x, *a, **k: getattr(t, name)(x, *a, **k)


def _op(name: str, low: float = -2.0, high: float = 2.0, dtypes: tuple = TO_FLOAT,
        extra: tuple = (), std: dict | None = None, **kw) -> OpInfo:
    """``torch.<name>(x)`` with the standard samples (``std``: which) + ``extra``."""
    return OpInfo(f"torch.{name}", _call(name), _std(low, high, **(std or {})) + list(extra),
                  dtypes=dtypes, **kw)


def _inplace(name: str, low: float = -2.0, high: float = 2.0, extra: tuple = (),
             **kw) -> OpInfo:
    """``Tensor.<name>_``: float32 only (its dtypes are the out-of-place op's); values, grad_fn
    and vjp are compared with torch, the finite-difference gradcheck is the out-of-place op's."""
    kw.setdefault("gradcheck", False)
    kw.setdefault("notes", "gradcheck: see the out-of-place op")
    return inplace_of(f"Tensor.{name}_", f"{name}_",
                      [Sample((T((3, 4), low=low, high=high),))] + list(extra),
                      dtypes=("float32",), **kw)


# torch refuses to write a float result into an integer tensor in place
_INT_INPLACE = Sample((T((3,), dtype="int64"),), error=True, label="float result into int64")
_NOT_TENSOR = Sample((1.5,), error=True, label="a Python float is not a Tensor")
_BOOL = Sample((T((3,), dtype="bool"),), error=True, label="no bool kernel")

# (name, low, high, in-place too) of ops whose integer/bool inputs give float32
FLOAT_OPS = [
    ("exp2", -2, 2), ("expm1", -2, 2), ("log2", 0.1, 3), ("log10", 0.1, 3), ("log1p", -0.9, 2),
    ("rsqrt", 0.2, 3), ("reciprocal", 0.3, 2), ("tan", -1.2, 1.2), ("asin", -0.95, 0.95),
    ("acos", -0.95, 0.95), ("atan", -2, 2), ("sinh", -2, 2), ("cosh", -2, 2),
    ("asinh", -2, 2), ("acosh", 1.2, 3), ("atanh", -0.9, 0.9), ("erf", -2, 2), ("erfc", -2, 2),
    ("erfinv", -0.9, 0.9), ("lgamma", 0.2, 4), ("digamma", 0.3, 4), ("i0", -2, 2),
    ("sinc", -2, 2), ("deg2rad", -180, 180), ("rad2deg", -3, 3),
    # already in ops/elementwise.py
    ("log", 0.1, 3), ("cos", -2, 2), ("tanh", -2, 2), ("sigmoid", -3, 3), ("sqrt", 0.1, 3),
]

OPS: list[OpInfo] = [
    OpInfo("torch.sin", lambda t, x: t.sin(x),
           [Sample((T((3, 4)),)), Sample((T(()),)), Sample((T((0, 3)),)),
            Sample((T((3, 2), transposed=True),))]),
    inplace_of("Tensor.sin_", "sin_", [Sample((T((3, 4)),))], dtypes=FLOATS),
    OpInfo("torch.exp", lambda t, x: t.exp(x), [Sample((T((2, 3)),)),
                                                Sample((T((4,), dtype="int64"),))]),
    inplace_of("Tensor.exp_", "exp_", [Sample((T((3, 4)),)), _INT_INPLACE], dtypes=("float32",)),
]

for _k, (_n, _lo, _hi) in enumerate(FLOAT_OPS):
    # every op: all dtypes; then alternately a 0-dim or a transposed input, every 5th an empty one
    OPS.append(_op(_n, _lo, _hi, TO_FLOAT, std={"empty": _k % 5 == 0, "zero_dim": _k % 2 == 0,
                                                 "transposed": _k % 2 == 1}))
    OPS.append(_inplace(_n, _lo, _hi))

OPS[4].samples.append(_NOT_TENSOR)  # torch.exp2(1.5)
OPS[5].samples.append(_INT_INPLACE)  # Tensor.exp2_ on int64

OPS += [
    # ---- ops that keep integer dtypes ----
    _op("floor", -3, 3, NUMERIC, extra=(_BOOL,)), _inplace("floor", -3, 3),
    _op("ceil", -3, 3, NUMERIC, extra=(_BOOL,)), _inplace("ceil", -3, 3),
    _op("round", -3, 3, NUMERIC, extra=(
        Sample((T((3, 4), low=-30, high=30),), {"decimals": 1}),
        Sample((T((2, 3), low=-300, high=300),), {"decimals": -1}),
        Sample((T((2, 2), kind="values", values=[[0.5, 1.5], [2.5, -0.5]]),),
               label="half to even"),
        Sample((T((3,), dtype="int64"),), {"decimals": 2}, error=True,
               label="decimals on integers"))),
    inplace_of("Tensor.round_", "round_", [Sample((T((3, 4), low=-3, high=3),)),
                                           Sample((T((3, 4), low=-3, high=3),),
                                                  {"decimals": 2})], dtypes=("float32",)),
    _op("trunc", -3, 3, NUMERIC), _inplace("trunc", -3, 3),
    _op("fix", -3, 3, NUMERIC, extra=(_BOOL,)), _inplace("fix", -3, 3),
    _op("frac", -3, 3, FLOATS, extra=(
        Sample((T((3,), dtype="int64"),), error=True, label="no integer kernel"),)),
    _inplace("frac", -3, 3),
    _op("sign", -2, 2, KEEPS), _inplace("sign"),
    _op("sgn", -2, 2, KEEPS, extra=(
        Sample((T((3,), kind="values", values=[1 + 1j, 0j, -3 + 4j], dtype="complex64",
                  grad=False),), label="complex: x / |x|"),), grad=False,
        notes="gradient not compared here: torch's is an unallocated ZeroTensor the recorder "
              "cannot read (zeros, SgnBackward0: tests/ops/test_unary_extras.py)"),
    _inplace("sgn", grad=False),
    _op("square", -2, 2, KEEPS), _inplace("square"),
    _op("abs", -2, 2, KEEPS), _inplace("abs"),
    _op("neg", -2, 2, NUMERIC, extra=(_BOOL,)), _inplace("neg"),
    _op("relu", -2, 2, NUMERIC), _inplace("relu"),
    OpInfo("torch.nan_to_num", _call("nan_to_num"), [
        Sample((T((2, 3), kind="values", values=NAN_INF),), dtypes=FLOATS),
        Sample((T((2, 3), kind="values", values=NAN_INF),),
               {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}),
        Sample((T((2, 3), kind="values", values=NAN_INF),), {"posinf": 5.0}),
        Sample((T((3, 4)),), dtypes=INTS + ("bool",)),
        Sample((T(()),)), Sample((T((0, 2)),))]),
    inplace_of("Tensor.nan_to_num_", "nan_to_num_", [
        Sample((T((2, 3), kind="values", values=NAN_INF),), {"nan": -1.0})], dtypes=FLOATS),
    # ---- float ops with parameters ----
    OpInfo("torch.logit", _call("logit"), [
        Sample((T((3, 4), low=0.05, high=0.95),), dtypes=FLOATS),
        Sample((T((3, 4), kind="int", low=-1, high=2),), dtypes=INTS + ("bool",)),
        Sample((T((3, 4), low=0.0, high=1.0),), {"eps": 0.2}),
        Sample((T((2, 2), kind="values", values=[[0.2, 0.8], [0.1, 0.5]]),), {"eps": 0.2},
               label="gradient passes at the clamp bounds"),
        Sample((T(()),), {"eps": 1e-6}), Sample((T((0, 2)),))]),
    inplace_of("Tensor.logit_", "logit_", [Sample((T((3, 4), low=0.1, high=0.9),),
                                                  {"eps": 0.25})], dtypes=("float32",)),
    OpInfo("torch.polygamma", lambda t, n, x: t.polygamma(n, x), [
        Sample((1, T((3, 4), low=0.5, high=3)), dtypes=TO_FLOAT),
        Sample((2, T((3, 2), low=0.5, high=3, transposed=True))),
        Sample((0, T(()))), Sample((3, T((2, 2), low=1, high=3))),
        Sample((-1, T((2,))), error=True, label="negative n")]),
    inplace_of("Tensor.polygamma_", "polygamma_", [Sample((T((3, 4), low=0.5, high=3), 1))],
               dtypes=("float32",)),
    OpInfo("torch.mvlgamma", lambda t, x, p: t.mvlgamma(x, p), [
        Sample((T((3, 4), low=1.6, high=4), 2), dtypes=FLOATS + INTS),
        Sample((T((3, 2), low=2.1, high=4, transposed=True), 3)),
        Sample((T((), low=1, high=3), 1)), Sample((T((0, 2)), 2)),
        Sample((T((2,), low=2, high=3), 0), error=True, label="p < 1")]),
    inplace_of("Tensor.mvlgamma_", "mvlgamma_", [Sample((T((3, 4), low=1.6, high=4), 2))],
               dtypes=("float32",)),
    OpInfo("torch.xlogy", lambda t, x, y: t.xlogy(x, y), [
        Sample((T((3, 4)), T((3, 4), low=0.1, high=3)), dtypes=TO_FLOAT),
        Sample((T((2, 3)), T((3,), low=0.1, high=3)), label="broadcast"),
        Sample((T((2, 4), kind="values", values=[[0.0, 0.0, 1.5, 2.0], [0.0, 1.0, 0.0, 3.0]]),
                T((2, 4), kind="values", values=[[2.0, 0.5, 3.0, 1.0],
                                                 [float("nan"), 4.0, -1.0, 0.5]])),
               label="x == 0 and nan"),
        Sample((T((3,)), 2.5), label="scalar other"),
        Sample((2.0, T((3,), low=0.1, high=2)), label="scalar self"),
        Sample((T((2, 3)), T((4,), low=0.1, high=2)), error=True, label="shape mismatch")],
        notes="where x == 0 and y == 0 the gradient for y is 0 (torch: nan)"),
    inplace_of("Tensor.xlogy_", "xlogy_", [Sample((T((3, 4)), T((4,), low=0.1, high=2)))],
               dtypes=("float32",)),
    OpInfo("torch.angle", _call("angle"), _std() + [
        Sample((T((3,), kind="values", values=[-0.0, -1.0, 2.0]),), label="-0.0 is pi"),
        Sample((T((3,), kind="values", values=[1 + 1j, -2j, -3 + 0j], dtype="complex64",
                  grad=False),), label="complex")], dtypes=TO_FLOAT),
    OpInfo("torch.positive", _call("positive"), _std(first_dtypes=NUMERIC) + [_BOOL],
           dtypes=NUMERIC),
    # ---- predicates (bool results) ----
    *[OpInfo(f"torch.{n}", _call(n), [
        Sample((T((2, 3), kind="values", values=NAN_INF),), dtypes=FLOATS),
        Sample((T((3, 4)),), dtypes=INT_SAMPLE_DTYPES),
        Sample((T((2, 2), kind="values", values=[[-0.0, 0.0], [-1e-30, 1.0]]),))],
        dtypes=FLOATS, grad=False)
      for n in ("isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit")],
    OpInfo("torch.isreal", _call("isreal"), [
        Sample((T((3, 4)),), dtypes=ALL),
        Sample((T((3,), kind="values", values=[1 + 0j, 2j, -1 + 0j], dtype="complex64"),))],
        grad=False),
    OpInfo("torch.bitwise_not", _call("bitwise_not"), [
        Sample((T((3, 4), low=-50, high=50),), dtypes=INTS + ("bool",)),
        Sample((T((), low=-5, high=5),), dtypes=("int64",)),
        Sample((T((3,)),), error=True, label="no float kernel")],
        dtypes=INTS + ("bool",), grad=False),
    inplace_of("Tensor.bitwise_not_", "bitwise_not_", [Sample((T((3, 4), low=-9, high=9),))],
               dtypes=("int64", "uint8", "bool"), grad=False),
    OpInfo("torch.logical_not", _call("logical_not"), [
        Sample((T((3, 4), low=-1, high=2),), dtypes=ALL), Sample((T(()),)),
        Sample((T((0, 2)),))], dtypes=ALL, grad=False),
    inplace_of("Tensor.logical_not_", "logical_not_", [Sample((T((3, 4), low=-1, high=2),))],
               dtypes=("float32", "int64", "bool"), grad=False),
    # ---- complex helpers: identity on real tensors ----
    OpInfo("torch.conj", _call("conj"), [
        Sample((T((3, 4)),), dtypes=ALL),
        Sample((T((3,), kind="values", values=[1 + 1j, -2j, 3 + 0j], dtype="complex64",
                  grad=False),), label="complex")], dtypes=ALL),
    OpInfo("torch.real", _call("real"), [
        Sample((T((3, 4)),), dtypes=ALL),
        Sample((T((3,), kind="values", values=[1 + 1j, -2j, 3 + 0j], dtype="complex64",
                  grad=False),), label="complex")], dtypes=ALL),
    OpInfo("torch.imag", _call("imag"), [
        Sample((T((3,), kind="values", values=[1 + 1j, -2j, 3 + 0j], dtype="complex64",
                  grad=False),), dtypes=("float32",), label="complex"),
        Sample((T((3,)),), error=True, label="real input")], dtypes=("float32",), grad=False),
    OpInfo("torch.resolve_conj", _call("resolve_conj"), [Sample((T((3, 4)),), dtypes=ALL)],
           dtypes=ALL),
    OpInfo("torch.resolve_neg", _call("resolve_neg"), [Sample((T((3, 4)),), dtypes=ALL)],
           dtypes=ALL),
]
