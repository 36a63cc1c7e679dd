"""Our dtype promotion against torch 2.13's, recorded by ``tools/record_promotion_fixtures.py``.

One test per op: every ordered pair of operands (dim tensor, 0-dim tensor, Python scalar) over
bool/uint8/int8/int32/int64/float16/bfloat16/float32/float64 must give torch's result dtype (or
torch's exception class and key phrase); all mismatching pairs are listed in one failure.

Why two passes: checking the result dtype of all ~430 pairs per op by really running them would
compile hundreds of tiny XLA programs per op. Dtypes and errors come from an *abstract* pass
(``jax.eval_shape`` instead of the compiled call: tracing only, the same dtype decision and the
same casts), values from a concrete pass over a few mixed pairs (:data:`VALUE_PAIRS`).

Differences that are argument checks of op functions rather than promotion are listed in
:data:`KNOWN` with the reason; ``test_known_differences`` reports (xfail) how many remain.
"""

from __future__ import annotations

import math
import operator
import warnings
from contextlib import contextmanager
from functools import cache, partial

import jax
import numpy as np
import pytest

import torchlike_jax as torch
from tests.support.recorded import load_fixture
from tools.record_promotion_fixtures import QUERY_DTYPES, REFLECTED_OPS, expand, make
from torchlike_jax.core import kernels

# functions torch has that we may only have as an operator so far
OPERATOR_FALLBACK = {"bitwise_and": operator.and_, "bitwise_or": operator.or_,
                     "bitwise_xor": operator.xor}
TOL = {"float16": 2e-3, "bfloat16": 1e-2, "float32": 1e-6, "float64": 1e-12}


def _scalar_arg(pair: str, exp: object, first_only: bool = False) -> bool:
    """torch raised a TypeError because a Python scalar was passed where it wants a Tensor."""
    ta, tb = pair.split("|")
    scalar = ta[0] == "s" or (not first_only and tb[0] == "s")
    return scalar and isinstance(exp, str) and exp.startswith("!TypeError")


# Known differences that are argument checks of the op functions (ops/elementwise.py), not
# promotion: the pairs still run here, but do not fail this test. op -> (predicate, why).
KNOWN = {
    "sub": (lambda p, e: "s:bool" in p and isinstance(e, str),
            "torch refuses a Python bool operand of `-` like a bool tensor; our _check_bool_sub "
            "only looks at tensors"),
    "sub_": (lambda p, e: "s:bool" in p and isinstance(e, str), "as for sub"),
    "pow": (lambda p, e: isinstance(e, str) and "for 'Bool'" in e,
            "torch has no pow kernel for bool ** bool (NotImplementedError); ours computes it"),
    "pow_": (lambda p, e: isinstance(e, str) and "for 'Bool'" in e, "as for pow"),
    "maximum": (_scalar_arg, "torch.maximum takes tensors only (TypeError for a scalar)"),
    "minimum": (_scalar_arg, "torch.minimum takes tensors only (TypeError for a scalar)"),
    "atan2": (_scalar_arg, "torch.atan2 takes tensors only (TypeError for a scalar)"),
    "logical_and": (_scalar_arg, "torch.logical_and takes tensors only"),
    "eq": (lambda p, e: _scalar_arg(p, e, True), "torch.eq(scalar, tensor) is a TypeError"),
    "lt": (lambda p, e: _scalar_arg(p, e, True), "torch.lt(scalar, tensor) is a TypeError"),
    "fmod": (lambda p, e: _scalar_arg(p, e, True), "torch.fmod(scalar, tensor) is a TypeError"),
    "clamp": (lambda p, e: _scalar_arg(p, e, True) or (isinstance(e, str) and "Bool" in e),
              "torch.clamp(scalar, ...) is a TypeError; clamp(bool tensor, bool scalar) has no "
              "kernel (NotImplementedError)"),
}
KNOWN["rsub"], KNOWN["rpow"] = KNOWN["sub"], KNOWN["pow"]


@cache
def fixture() -> dict:
    return expand(load_fixture("promotion.json"))


@contextmanager
def abstract_dispatch():
    """Make dispatch trace (``jax.eval_shape``) instead of compiling and running each op."""
    real = kernels.compiled

    def shapes_only(op, params, cdt, odt):
        fn, jfn, node_cls = real(op, params, cdt, odt)
        return fn, lambda *xs: jax.eval_shape(jfn, *xs), node_cls

    kernels.compiled = shapes_only
    filtering = jax.config.jax_traceback_filtering
    jax.config.update("jax_traceback_filtering", "off")  # filtering costs ~5 ms per exception
    try:
        yield
    finally:
        kernels.compiled = real
        jax.config.update("jax_traceback_filtering", filtering)


def observe(fn) -> object:
    """Our answer in the fixture's encoding: ``[dtype, values or None]`` or ``"!Class: msg"``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn()
    except Exception as exc:  # noqa: BLE001 - the exception is the answer
        return f"!{type(exc).__name__}: {str(exc).strip()}"
    if not isinstance(out, torch.Tensor):
        return out.name if isinstance(out, torch.dtype) else out
    arr = out._st.array
    if isinstance(arr, jax.ShapeDtypeStruct):
        return [out.dtype.name, None]
    vals = np.asarray(arr)
    if vals.dtype.kind == "c":  # real and imaginary parts, interleaved (as recorded)
        vals = np.stack([vals.real, vals.imag], axis=-1)
    vals = vals.astype(np.float64).reshape(-1)
    return [out.dtype.name, [None if math.isnan(v) else float(v) for v in vals]]


def key_phrase(message: str) -> str:
    """The part of torch's message ours must contain: up to the first ' - ' / '(' clause."""
    for stop in (" - ", "(", ":"):
        message = message.split(stop)[0]
    return message.strip()[:60]


def differs(exp: object, got: object, check_values: bool = True) -> str | None:
    """Why ``got`` is not torch's ``exp`` (None when they agree)."""
    if isinstance(exp, str) and exp.startswith("!"):
        cls, _, msg = exp[1:].partition(": ")
        if not (isinstance(got, str) and got.startswith("!")):
            return f"torch raises {cls}: {msg[:70]}; ours gives {got}"
        gcls, _, gmsg = got[1:].partition(": ")
        if gcls != cls or key_phrase(msg) not in gmsg:
            return f"torch raises {cls}: {msg[:70]}; ours raises {gcls}: {gmsg[:70]}"
        return None
    if isinstance(got, str) and got.startswith("!"):
        shown = exp[0] if isinstance(exp, list) else exp
        return f"torch gives {shown}; ours raises {got[1:90]}"
    if not isinstance(exp, list):
        return None if exp == got else f"torch gives {exp}, ours {got}"
    if exp[0] != got[0]:
        return f"dtype: torch {exp[0]}, ours {got[0]}"
    if not check_values or got[1] is None:
        return None
    tol = TOL.get(exp[0], 0.0)
    for e, g in zip(exp[1], got[1], strict=True):
        if e is None or g is None:
            if e is not g:
                return f"values: torch {exp[1]}, ours {got[1]}"
        elif not (e == g or abs(e - g) <= tol * max(1.0, abs(e))):
            return f"values: torch {exp[1]}, ours {got[1]}"
    return None


def our_function(spec: dict):
    fname = spec["fn"]
    fn = getattr(torch, fname, None)
    if fn is None:
        fn = OPERATOR_FALLBACK.get(fname)
    if fn is None:
        pytest.skip(f"torch.{fname} is not implemented yet")
    return fn


def call(name: str, fn, kwargs: dict, pair: str):
    ta, tb = pair.split("|")
    a, b = make(torch, ta, True), make(torch, tb, False)
    if name == "where":
        return lambda: fn(torch.tensor([True, False]), a, b)
    return lambda: fn(a, b, **kwargs)


# pairs whose values are checked for real (each compiles an XLA program, so only a few): mixed
# dtypes and forms, where our casts decide the values (scalar casts, 0-dim and bool operands,
# uint8 x int8, half x bfloat16); same-dtype values per op are tests/ops/test_opinfo.py's job
VALUE_PAIRS = ("t:uint8|s:int", "t:float16|s:float", "t:int32|z:float64", "s:int|t:bool",
               "z:float32|z:int64", "s:float|t:int64", "t:int8|t:uint8", "t:bfloat16|t:float16",
               "t:bool|z:int32")


def value_subset(entries: dict) -> list[str]:
    """The :data:`VALUE_PAIRS` this table has (every pair's dtype comes from the abstract pass)."""
    return [p for p in VALUE_PAIRS if p in entries]


BINARY = list(fixture()["binary"])


def check_entries(entries: dict, make_call, label: str) -> list[str]:
    """Mismatches against torch for every pair (dtype/error) and the value subset."""
    known = KNOWN.get(label)
    if known is not None:
        entries = {p: e for p, e in entries.items() if not known[0](p, e)}
    problems = []
    with abstract_dispatch():
        for pair, exp in entries.items():
            why = differs(exp, observe(make_call(pair)), check_values=False)
            if why:
                problems.append(f"{label} {pair}: {why}")
    bad = {p.split(" ")[1].rstrip(":") for p in problems}
    for pair in value_subset(entries):
        if pair in bad:
            continue
        why = differs(entries[pair], observe(make_call(pair)))
        if why:
            problems.append(f"{label} {pair}: {why}")
    return problems


@pytest.mark.parametrize("name", BINARY)
def test_binary_promotion(name):
    spec = fixture()["binary"][name]
    fn = our_function(spec)
    problems = check_entries(spec["entries"], lambda p: call(name, fn, spec["kwargs"], p), name)
    assert not problems, f"{len(problems)} of {len(spec['entries'])} pairs differ:\n" + \
        "\n".join(problems)


@pytest.mark.parametrize("name", list(fixture()["inplace"]))
def test_inplace_promotion(name):
    entries = fixture()["inplace"][name]

    def make_call(pair):
        ta, tb = pair.split("|")
        b = make(torch, tb, False)

        def run():
            a = make(torch, ta, True)
            getattr(a, name)(b)
            return a

        return run

    problems = check_entries(entries, make_call, name)
    assert not problems, f"{len(problems)} of {len(entries)} pairs differ:\n" + \
        "\n".join(problems)


def test_result_type():
    entries = fixture()["result_type"]
    problems = []
    for pair, exp in entries.items():
        ta, tb = pair.split("|")
        got = observe(lambda ta=ta, tb=tb: torch.result_type(make(torch, ta, True),
                                                             make(torch, tb, False)))
        why = differs(exp, got)
        if why:
            problems.append(f"{pair}: {why}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("query", ["promote_types", "can_cast"])
def test_dtype_queries(query):
    fn = getattr(torch, query)
    problems = []
    for pair, exp in fixture()[query].items():
        a, b = (getattr(torch, d) for d in pair.split("|"))
        why = differs(exp, observe(lambda a=a, b=b: fn(a, b)))
        if why:
            problems.append(f"{pair}: {why}")
    assert not problems, "\n".join(problems)


def special_problems(section: str) -> list[str]:
    problems = []
    for name, (expr, exp) in fixture()[section].items():
        got = observe(lambda expr=expr: eval(expr, {"T": torch, "np": np}))  # noqa: S307
        why = differs(exp, got)
        if why:
            problems.append(f"{name} ({expr}): {why}")
    return problems


def test_special_cases():
    """Integer division, bool division, scalar wrap-around, numpy and complex scalars and
    in-place cast errors."""
    problems = special_problems("special")
    assert not problems, "\n".join(problems)


def test_special_cases_default_float64():
    """With ``set_default_dtype(float64)`` int/bool true division and float scalars give
    float64, while a float32 tensor keeps float32."""
    torch.set_default_dtype(torch.float64)
    try:
        problems = special_problems("special_default_float64")
    finally:
        torch.set_default_dtype(torch.float32)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", list(fixture()["reflected"]))
def test_reflected_operators(name):
    """``scalar <op> tensor`` (Tensor.__r*__): every scalar kind against every tensor operand."""
    fn = getattr(operator, REFLECTED_OPS[name])
    entries = fixture()["reflected"][name]

    def make_call(pair):
        ta, tb = pair.split("|")
        a, b = make(torch, ta, True), make(torch, tb, False)
        return lambda: fn(a, b)

    problems = check_entries(entries, make_call, name)
    assert not problems, f"{len(problems)} of {len(entries)} pairs differ:\n" + \
        "\n".join(problems)


def test_fixture_covers_every_dtype_pair():
    """The recorded table is complete: 9 dtypes, 21 operand forms, all pairs with a tensor."""
    assert len(fixture()["promote_types"]) == len(QUERY_DTYPES) ** 2
    assert all(len(v["entries"]) == 432 for v in fixture()["binary"].values())


def test_integer_division_by_zero_raises():
    """torch's CPU kernels raise ``RuntimeError: ZeroDivisionError`` for integer // % by 0."""
    for name, (expr, exp) in fixture()["special_data_dependent"].items():
        got = observe(lambda expr=expr: eval(expr, {"T": torch}))  # noqa: S307
        assert differs(exp, got) is None, f"{name}: {differs(exp, got)}"


def test_known_differences():
    """The :data:`KNOWN` pairs (all torch errors) where ours still differs: xfail with a count,
    so they stay visible; passes once the op functions raise like torch."""
    tables = {**{k: v["entries"] for k, v in fixture()["binary"].items()},
              **fixture()["inplace"], **fixture()["reflected"]}
    left = {}
    with abstract_dispatch():
        for label, (pred, why) in KNOWN.items():
            fn = getattr(torch, fixture()["binary"][label]["fn"], None) \
                if label in fixture()["binary"] else None
            for pair, exp in tables[label].items():
                if not pred(pair, exp):
                    continue
                ta, tb = pair.split("|")
                a, b = make(torch, ta, True), make(torch, tb, False)
                if label in fixture()["binary"]:
                    if fn is None:
                        break
                    run = partial(fn, a, b)
                elif label in fixture()["reflected"]:
                    run = partial(getattr(operator, REFLECTED_OPS[label]), a, b)
                else:
                    run = partial(getattr(a, label), b)
                if differs(exp, observe(run)):
                    left.setdefault(label, [why, 0])[1] += 1
    if left:
        pytest.xfail("; ".join(f"{k}: {n} pairs ({why})" for k, (why, n) in left.items()))

