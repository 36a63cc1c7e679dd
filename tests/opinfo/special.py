"""``torch.special`` ops. The ones that are torch.* ops under another name (special.erf,
special.gammaln...) are the same functions and are checked for identity in
tests/ops/test_unary_extras.py; here are the special-only ones and those with their own
behaviour."""

from __future__ import annotations

import zlib

from . import FLOATS, INTS, OpInfo, Sample, T

F32_64 = ("float32", "float64")
# integers compute as float32 alike: int64 and bool stand for them all (keeps the area fast)
SOME_INTS = ("int64", "bool")
TO_FLOAT = FLOATS + ("int64",)
NO_HALF = F32_64 + SOME_INTS  # ops torch has no float16/bfloat16 CPU kernel for


def _call(name: str):
    return lambda t, *a, **k: getattr(t.special, name)(*a, **k)


def _std(low: float, high: float, dtypes: tuple, odd: bool) -> list:
    """As in unary.py: a domain with no integers gets its integer dtypes from a second sample;
    then a 0-dim and an empty input (``odd``: a transposed one instead)."""
    narrow = int(low) >= int(high)
    ints = tuple(d for d in dtypes if d in INTS + ("bool",))
    return [Sample((T((3, 4), low=low, high=high),),
                   dtypes=tuple(d for d in dtypes if d not in ints) if narrow else dtypes),
            *([Sample((T((3, 4), kind="int", low=-1, high=2),), dtypes=ints,
                      label="integers")] if narrow and ints else []),
            *([Sample((T((3, 2), low=low, high=high, transposed=True),))] if odd else
              [Sample((T((), low=low, high=high),)), Sample((T((0, 3), low=low, high=high),))])]


def _op(name: str, low: float = -2.0, high: float = 2.0, dtypes: tuple = TO_FLOAT,
        extra: tuple = (), **kw) -> OpInfo:
    """``torch.special.<name>(x)`` with the standard samples (+ ``extra``)."""
    odd = bool(zlib.crc32(name.encode()) % 2)
    return OpInfo(f"special.{name}", _call(name), _std(low, high, dtypes, odd) + list(extra),
                  dtypes=dtypes, **kw)


def _softmax(name: str):
    def fn(t, x, dim, dtype=None):
        return getattr(t.special, name)(x, dim, dtype=None if dtype is None else getattr(t, dtype))

    return fn


_NOT_DIFF = "torch has no derivative for it: results do not require grad"

OPS: list[OpInfo] = [
    _op("expit", -3, 3),
    _op("erfcx", -1, 3, NO_HALF),
    _op("ndtr", -3, 3),
    _op("ndtri", 0.05, 0.95, NO_HALF),
    _op("log_ndtr", -4, 3, NO_HALF),
    _op("i0e", -3, 3),
    _op("i1", -3, 3),
    _op("i1e", -3, 3),
    _op("entr", 0.05, 2, extra=(
        Sample((T((3,), kind="values", values=[0.0, -1.0, 0.5], grad=False),),
               label="0 and negative"),),
        notes="gradient at x <= 0 is 0 (torch: inf at 0, nan below)"),
    _op("modified_bessel_i0", -3, 3, NO_HALF, notes=_NOT_DIFF),
    _op("modified_bessel_i1", -3, 3, NO_HALF, notes=_NOT_DIFF),
    _op("spherical_bessel_j0", -4, 4, NO_HALF, extra=(
        Sample((T((2,), kind="values", values=[0.0, 1.0]),), label="1 at 0"),),
        notes=_NOT_DIFF),
    OpInfo("special.xlog1py", _call("xlog1py"), [
        Sample((T((3, 4)), T((3, 4), low=-0.5, high=2)), dtypes=TO_FLOAT),
        Sample((T((2, 3)), T((3,), low=-0.5, high=2)), label="broadcast"),
        Sample((T((2, 3), kind="values", values=[[0.0, 0.0, 1.5], [2.0, 0.0, 1.0]]),
                T((2, 3), kind="values", values=[[2.0, -1.5, 3.0], [float("nan"), 4.0, 0.5]])),
               label="x == 0 and nan"),
        Sample((T((3,)), 2.5), label="scalar other")],
        notes="where x == 0 and y == -1 the gradient for y is 0 (torch: nan)"),
    OpInfo("special.zeta", _call("zeta"), [
        Sample((T((3, 4), low=1.5, high=4, grad=False), T((3, 4), low=0.5, high=3)),
               dtypes=("float64", "int64")),
        Sample((2.0, T((3,), low=0.5, high=3)), dtypes=("float64",), label="scalar self")],
        dtypes=("float64", "int64"),
        notes="differentiable in q only, as torch (a gradient for x is 0, torch raises); "
              "few samples: JAX's zeta derivative takes seconds to compile"),
    OpInfo("special.round", _call("round"), [
        Sample((T((3, 4), low=-3, high=3),), dtypes=FLOATS),
        Sample((T((3, 4), low=-30, high=30),), {"decimals": 1}),
        Sample((T(()),)),
        Sample((T((3,), dtype="int64"),), error=True, label="no integer kernel")]),
    OpInfo("special.softmax", _softmax("softmax"), [
        Sample((T((3, 4)), 1), dtypes=FLOATS),
        Sample((T((3, 4)), 0)), Sample((T((2, 3), transposed=True), -1)), Sample((T(()), 0)),
        Sample((T((2, 3)), 1), {"dtype": "float64"}),
        Sample((T((2, 3)), 2), error=True, label="bad dim")]),
    OpInfo("special.log_softmax", _softmax("log_softmax"), [
        Sample((T((3, 4)), 1), dtypes=FLOATS),
        Sample((T((3, 4)), 0)), Sample((T((2, 3), transposed=True), -1)), Sample((T(()), 0)),
        Sample((T((2, 3)), 1), {"dtype": "float64"}),
        Sample((T((2, 3)), 2), error=True, label="bad dim")]),
    OpInfo("special.logsumexp", _call("logsumexp"), [
        Sample((T((3, 4)), 1), dtypes=TO_FLOAT),
        Sample((T((3, 4)), (0, 1)), {"keepdim": True}),
        Sample((T((2, 3), transposed=True), -1)), Sample((T(()), 0)),
        Sample((T((2, 3), low=80, high=100), 0), label="no overflow"),
        Sample((T((2, 3)), 3), error=True, label="bad dim")]),
]
