"""Record real torch's dtype promotion for binary ops into ``tests/fixtures/promotion.json``.

Why a fixture instead of re-deriving the rules: torch's promotion has many special cases
(0-dim tensors and Python scalars only win with a higher category, uint8 + int8 -> int16,
float16 + bfloat16 -> float32, integer true division -> default float, in-place "can't be cast"
errors). Recording what torch 2.13 actually does for every ordered pair of operands lets
``tests/unit/test_promotion.py`` compare ours entry by entry without a torch import.

Operands are tokens: ``t:<dtype>`` a 2-element tensor, ``z:<dtype>`` a 0-dim tensor,
``s:bool`` / ``s:int`` / ``s:float`` a Python scalar. An entry's result is ``[dtype, values]`` or
``"!<ExceptionClass>: <message>"``. Run: ``.venv/bin/python tools/record_promotion_fixtures.py``.
"""

from __future__ import annotations

import json
import math
import operator
import sys
from pathlib import Path

import numpy as np

torch = None  # real torch, imported by main(): tests import this module for its tables only

DTYPES = ("bool", "uint8", "int8", "int32", "int64", "float16", "bfloat16", "float32", "float64")
SCALARS = ("bool", "int", "float")
# promote_types / can_cast are cheap: they also cover int16 and the complex dtypes
QUERY_DTYPES = DTYPES + ("int16", "complex64", "complex128")
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "promotion.json"

# first operand (a) and second operand (b) values: divisors nonzero, exponents small
A_VALUES = {"bool": [True, False], "uint8": [5, 3], "int": [5, -3], "float": [2.5, -1.5]}
B_VALUES = {"bool": [True, True], "uint8": [2, 3], "int": [2, 3], "float": [1.5, 2.0]}

# op name -> (torch function name, fixed kwargs); the test resolves the same names on ours
BINARY_OPS = {
    "add": ("add", {}),
    "add_alpha": ("add", {"alpha": 2}),
    "sub": ("sub", {}),
    "mul": ("mul", {}),
    "div": ("div", {}),
    "div_floor": ("div", {"rounding_mode": "floor"}),
    "div_trunc": ("div", {"rounding_mode": "trunc"}),
    "floor_divide": ("floor_divide", {}),
    "remainder": ("remainder", {}),
    "fmod": ("fmod", {}),
    "pow": ("pow", {}),
    "maximum": ("maximum", {}),
    "minimum": ("minimum", {}),
    "atan2": ("atan2", {}),
    "eq": ("eq", {}),
    "lt": ("lt", {}),
    "bitwise_and": ("bitwise_and", {}),
    "bitwise_or": ("bitwise_or", {}),
    "bitwise_xor": ("bitwise_xor", {}),
    "logical_and": ("logical_and", {}),
    "where": ("where", {}),
    "clamp": ("clamp", {}),  # clamp(a, b): b is the lower bound
}
INPLACE_OPS = ("add_", "sub_", "mul_", "div_", "pow_")


def _kind(dt: str) -> str:
    if dt in ("bool", "uint8"):
        return dt
    return "int" if dt.startswith("int") else "float"


def operands() -> list[str]:
    """Every operand token: dim tensors, 0-dim tensors (all dtypes) and Python scalars."""
    return ([f"t:{d}" for d in DTYPES] + [f"z:{d}" for d in DTYPES]
            + [f"s:{s}" for s in SCALARS])


def make(lib, token: str, first: bool):
    """Build operand ``token`` with ``lib`` (torch or torchlike_jax): same values for both."""
    form, dt = token.split(":")
    table = A_VALUES if first else B_VALUES
    if form == "s":
        return {"bool": table["bool"][0], "int": table["int"][0], "float": table["float"][0]}[dt]
    vals = table[_kind(dt)]
    data = vals if form == "t" else vals[0]
    return lib.tensor(data, dtype=getattr(lib, dt))


def pairs() -> list[tuple[str, str]]:
    """Ordered operand pairs with at least one tensor."""
    toks = operands()
    return [(a, b) for a in toks for b in toks if not (a[0] == "s" and b[0] == "s")]


def inplace_pairs() -> list[tuple[str, str]]:
    """(self, other) pairs for in-place methods: self is a tensor."""
    return [(a, b) for a in operands() if a[0] != "s" for b in operands()]


def encode(value) -> object:
    """A result as ``[dtype, values]`` (tensors) or the raw value (dtypes, bools)."""
    if isinstance(value, torch.Tensor):
        name = str(value.dtype).replace("torch.", "")
        value = value.detach()
        if value.is_complex():  # real and imaginary parts, interleaved
            value = torch.view_as_real(value)
        flat = value.reshape(-1).to(torch.float64).tolist()
        return [name,
                [None if math.isnan(v) else v for v in flat]]
    if isinstance(value, torch.dtype):
        return str(value).replace("torch.", "")
    return value


def error(exc: BaseException) -> str:
    msg = str(exc).strip().split("\n")[0][:160]
    return f"!{type(exc).__name__}: {msg}"


def attempt(fn):
    try:
        return encode(fn())
    except Exception as exc:  # noqa: BLE001 - the exception is the recorded answer
        return error(exc)


def record_binary() -> dict:
    cond = torch.tensor([True, False])
    out: dict = {}
    for name, (fname, kwargs) in BINARY_OPS.items():
        fn = getattr(torch, fname, None)
        if fn is None:
            print(f"skip {name}: torch has no {fname}", file=sys.stderr)
            continue
        entries = {}
        for ta, tb in pairs():
            a, b = make(torch, ta, True), make(torch, tb, False)
            if name == "where":
                entries[f"{ta}|{tb}"] = attempt(lambda a=a, b=b, fn=fn: fn(cond, a, b))
            else:
                entries[f"{ta}|{tb}"] = attempt(
                    lambda a=a, b=b, fn=fn, kw=kwargs: fn(a, b, **kw))
        out[name] = {"fn": fname, "kwargs": kwargs, "entries": entries}
    return out


def record_inplace() -> dict:
    out: dict = {}
    for name in INPLACE_OPS:
        entries = {}
        for ta, tb in inplace_pairs():
            b = make(torch, tb, False)

            def run(ta=ta, b=b, name=name):
                a = make(torch, ta, True)
                getattr(a, name)(b)
                return a

            entries[f"{ta}|{tb}"] = attempt(run)
        out[name] = entries
    return out


def record_queries() -> dict:
    dts = {d: getattr(torch, d) for d in QUERY_DTYPES}
    promote = {f"{a}|{b}": attempt(lambda x=x, y=y: torch.promote_types(x, y))
               for a, x in dts.items() for b, y in dts.items()}
    can_cast = {f"{a}|{b}": attempt(lambda x=x, y=y: torch.can_cast(x, y))
                for a, x in dts.items() for b, y in dts.items()}
    result = {f"{ta}|{tb}": attempt(lambda ta=ta, tb=tb: torch.result_type(
        make(torch, ta, True), make(torch, tb, False))) for ta, tb in pairs()}
    return {"promote_types": promote, "can_cast": can_cast, "result_type": result}


# integer-division and overflow corner cases: name -> python expression over ``torch`` (``T``)
SPECIAL = {
    "int_div_true": "T.div(T.tensor([5, -3]), T.tensor([2, 2]))",
    "int_truediv_op": "T.tensor([5, -3]) / T.tensor([2, 2])",
    "int_floordiv_op": "T.tensor([5, -5]) // T.tensor([3, 3])",
    "int_floordiv_neg": "T.tensor([5, -5]) // T.tensor([-3, -3])",
    "int_mod_op": "T.tensor([5, -5]) % T.tensor([3, -3])",
    "int_trunc": "T.div(T.tensor([5, -5]), T.tensor([3, 3]), rounding_mode='trunc')",
    "int_floor": "T.div(T.tensor([5, -5]), T.tensor([3, 3]), rounding_mode='floor')",
    "int_div_zero_true": "T.tensor([5, -3]) / T.tensor([0, 0])",
    "bool_truediv": "T.tensor([True, False]) / T.tensor([True, True])",
    "bool_truediv_scalar": "T.tensor([True, False]) / 2",
    "int_truediv_scalar_int": "T.tensor([5, -3]) / 2",
    "int_floordiv_scalar_float": "T.tensor([5, -3]) // 2.0",
    "int_rtruediv": "1 / T.tensor([2, 4])",
    "int_rfloordiv": "7 // T.tensor([2, -4])",
    "int_pow_neg_scalar": "T.tensor([2, 3]) ** -1",
    "int_pow_float_scalar": "T.tensor([4, 9]) ** 0.5",
    "scalar_pow_int": "2 ** T.tensor([3, 0])",
    "float_scalar_pow_int": "2.0 ** T.tensor([3, 0])",
    "uint8_wrap_neg": "T.tensor([0], dtype=T.uint8) + (-1)",
    "uint8_wrap_256": "T.tensor([1], dtype=T.uint8) + 256",
    "int8_scalar_overflow": "T.tensor([1], dtype=T.int8) + 200",
    "int8_mul_overflow": "T.tensor([100], dtype=T.int8) * T.tensor([3], dtype=T.int8)",
    "int32_big_scalar": "T.tensor([1], dtype=T.int32) + 2**40",
    "float16_big_scalar": "T.tensor([1.0], dtype=T.float16) * 1e5",
    "bool_add_bool": "T.tensor([True, True]) + T.tensor([True, False])",
    "bool_mul_int_scalar": "T.tensor([True, False]) * 3",
    "bool_add_float_scalar": "T.tensor([True, False]) + 0.5",
    "int_zero_dim_float": "T.tensor([1, 2]) + T.tensor(0.5)",
    "float16_zero_dim_float64": "T.tensor([1.0, 2.0], dtype=T.float16) + T.tensor(0.5, "
                                "dtype=T.float64)",
    "int8_zero_dim_int64": "T.tensor([1, 2], dtype=T.int8) + T.tensor(1000)",
    "uint8_zero_dim_int8": "T.tensor([1, 2], dtype=T.uint8) + T.tensor(-1, dtype=T.int8)",
    "zero_dim_pair": "T.tensor(1, dtype=T.int8) + T.tensor(2, dtype=T.uint8)",
    "zero_dim_int_float_scalar": "T.tensor(3) * 1.5",
    "iadd_int_float": "T.tensor([1, 2]).add_(1.5)",
    "iadd_int_float_tensor": "T.tensor([1, 2]).add_(T.tensor([1.5, 2.5]))",
    "imul_float16_float64": "T.tensor([1.0, 2.0], dtype=T.float16).mul_(T.tensor([2.0, 3.0], "
                            "dtype=T.float64))",
    "itruediv_int": "T.tensor([4, 6]).div_(2)",
    "ifloordiv_int": "T.tensor([5, -5]).floor_divide_(3)",
    "idiv_trunc_int": "T.tensor([5, -5]).div_(3, rounding_mode='trunc')",
    "iadd_bool_int": "T.tensor([True, False]).add_(1)",
    "iadd_bool_bool": "T.tensor([True, False]).add_(True)",
    "np_float64_scalar": "T.tensor([1, 2]) + np.float64(2.5)",
    "np_float32_scalar_half": "T.tensor([1.0, 2.0], dtype=T.float16) + np.float32(2.5)",
    "np_int64_scalar": "T.tensor([1, 2], dtype=T.int8) * np.int64(2)",
    "np_bool_scalar": "T.tensor([1, 2]) + np.bool_(True)",
    "np_int8_scalar_float": "T.tensor([1.5, 2.5]) * np.int8(3)",
    "complex_scalar_int": "T.tensor([1, 2]) * 1j",
    "complex_scalar_double": "T.tensor([1.0, 2.0], dtype=T.float64) + 1j",
    "int_scalar_beyond_int64": "T.tensor([1]) + 2**70",
    "float_tensor_int_scalar_beyond_int64": "T.tensor([1.0]) + 2**70",
    "int64_scalar_wrap": "T.tensor([1]) + 2**63",
    "uint64_max_scalar": "T.tensor([1]) + (2**64 - 1)",
    "int_scalar_below_int64": "T.tensor([1.0]) + (-2**63 - 1)",
    "float16_scalar_overflow_inf": "T.tensor([1.0], dtype=T.float16) + 1e300",
    "int32_scalar_wrap": "T.tensor([1], dtype=T.int32) + 2**31",
    "promote_types_bad_arg": "T.promote_types(T.float32, 1)",
    "can_cast_bad_arg": "T.can_cast(T.tensor([1]), T.float32)",
    "promote_types_complex": "T.promote_types(T.float64, T.complex64)",
    "result_type_zero_dims": "T.result_type(T.tensor(1, dtype=T.int8), T.tensor(1, "
                             "dtype=T.uint8))",
    "result_type_scalars": "T.result_type(1, 2.0)",
}
# the same promotions with torch.set_default_dtype(torch.float64)
SPECIAL_DEFAULT_FLOAT64 = {
    "int_truediv": "T.tensor([5, -3]) / 2",
    "int_add_float_scalar": "T.tensor([5, -3]) + 2.5",
    "float32_add_float_scalar": "T.tensor([1.0, 2.0], dtype=T.float32) + 2.5",
    "bool_mul_float_scalar": "T.tensor([True, False]) * 1.5",
    "int_zero_dim_float": "T.tensor([1, 2]) + T.tensor(0.5, dtype=T.float32)",
    "result_type_int_float": "T.result_type(T.tensor([1, 2]), 1.0)",
    "int_pow_float": "T.tensor([4, 9]) ** 0.5",
    "bool_complex": "T.tensor([True, False]) + 1j",
    "int_div_tensor": "T.div(T.tensor([5, -3]), T.tensor([2, 2]))",
    "scalar_tensor_float": "T.tensor(2.5) * T.tensor([1, 2])",
}
# torch raises these on CPU only after looking at the data (a host sync we do not do)
SPECIAL_DATA_DEPENDENT = {
    "int_floordiv_zero": "T.tensor([5, -3]) // T.tensor([0, 1])",
    "int_mod_zero": "T.tensor([5, -3]) % T.tensor([0, 1])",
    "int_trunc_zero": "T.div(T.tensor([5, -3]), T.tensor([0, 1]), rounding_mode='trunc')",
}


def record_special(table: dict) -> dict:
    """name -> [expression, torch's answer]."""
    return {k: [e, attempt(lambda e=e: eval(e, {"T": torch, "np": np}))]  # noqa: S307
            for k, e in table.items()}


def record_default_float64() -> dict:
    torch.set_default_dtype(torch.float64)
    try:
        return record_special(SPECIAL_DEFAULT_FLOAT64)
    finally:
        torch.set_default_dtype(torch.float32)


# reflected operators (Python scalar on the left): ``2 - t`` calls Tensor.__rsub__
REFLECTED_OPS = {"radd": "add", "rsub": "sub", "rmul": "mul", "rtruediv": "truediv",
                 "rfloordiv": "floordiv", "rmod": "mod", "rpow": "pow", "rand": "and_",
                 "ror": "or_", "rxor": "xor", "req": "eq", "rlt": "lt"}


def reflected_pairs() -> list[tuple[str, str]]:
    return [(a, b) for a in operands() if a[0] == "s" for b in operands() if b[0] != "s"]


def record_reflected() -> dict:
    out = {}
    for name, opname in REFLECTED_OPS.items():
        fn = getattr(operator, opname)
        out[name] = [attempt(lambda ta=ta, tb=tb, fn=fn: fn(make(torch, ta, True),
                                                          make(torch, tb, False)))
                     for ta, tb in reflected_pairs()]
    return out


def compact(data: dict) -> dict:
    """Entries as index lists: ``pairs`` / ``inplace_pairs`` fix the order once, ``results``
    holds each distinct answer once (most pairs share one), which keeps the fixture small."""
    results: list = []
    index: dict = {}

    def ref(value) -> int:
        key = json.dumps(value)
        if key not in index:
            index[key] = len(results)
            results.append(value)
        return index[key]

    for spec in data["binary"].values():
        spec["entries"] = [ref(v) for v in spec["entries"].values()]
    data["inplace"] = {k: [ref(v) for v in e.values()] for k, e in data["inplace"].items()}
    data["result_type"] = [ref(v) for v in data["result_type"].values()]
    data["reflected"] = {k: [ref(v) for v in e] for k, e in data["reflected"].items()}
    data["reflected_pairs"] = ["|".join(p) for p in reflected_pairs()]
    data["pairs"] = ["|".join(p) for p in pairs()]
    data["inplace_pairs"] = ["|".join(p) for p in inplace_pairs()]
    data["results"] = results
    return data


def expand(data: dict) -> dict:
    """The inverse of :func:`compact`: entries as ``{"a|b": answer}`` dicts again."""
    res, prs, ipr = data["results"], data["pairs"], data["inplace_pairs"]
    out = dict(data)
    out["binary"] = {k: {**v, "entries": {p: res[i] for p, i in zip(prs, v["entries"],
                                                                  strict=True)}}
                     for k, v in data["binary"].items()}
    out["inplace"] = {k: {p: res[i] for p, i in zip(ipr, v, strict=True)}
                      for k, v in data["inplace"].items()}
    out["result_type"] = {p: res[i] for p, i in zip(prs, data["result_type"], strict=True)}
    out["reflected"] = {k: {p: res[i] for p, i in zip(data["reflected_pairs"], v, strict=True)}
                        for k, v in data["reflected"].items()}
    return out


def main() -> None:
    global torch
    import torch

    data = {
        "torch_version": torch.__version__,
        "binary": record_binary(),
        "inplace": record_inplace(),
        "special": record_special(SPECIAL),
        "special_data_dependent": record_special(SPECIAL_DATA_DEPENDENT),
        "special_default_float64": record_default_float64(),
        "reflected": record_reflected(),
        **record_queries(),
    }
    n = sum(len(v["entries"]) for v in data["binary"].values())
    n += sum(len(v) for v in data["inplace"].values())
    OUT.write_text(json.dumps(compact(data), separators=(",", ":")) + "\n")
    print(f"wrote {OUT} ({n} op entries, {OUT.stat().st_size // 1024} KiB)")


if __name__ == "__main__":
    main()
