"""Record real PyTorch reprs into ``tests/fixtures/formatting.json``.

Each case is plain data (no torch objects) so the test suite can rebuild the exact numpy input
without torch and compare ``torchlike_jax._formatting.format_tensor`` with what PyTorch printed.

A case is a dict with:

* ``name``: unique id;
* ``dtype``: numpy dtype name of the input (``"bfloat16"`` means ``ml_dtypes.bfloat16``);
* ``torch_dtype``: torch's spelling of the tensor dtype;
* ``shape``: list of ints;
* either ``values`` (flat, row-major list; floats may be the strings ``"nan"``, ``"inf"``,
  ``"-inf"``; complex numbers are ``[real, imag]`` pairs) or ``recipe``
  (``{"n", "scale", "offset", "mod", "alt_sign"}``: ``arange(n)``, then ``% mod``, ``* scale``,
  ``+ offset``, negate odd positions; integer/bool dtypes use int64 arithmetic; complex dtypes
  take the reversed sequence as imaginary part);
* optional ``printoptions`` (kwargs for ``set_printoptions``), ``default_dtype`` (``"float64"``
  runs the case under ``torch.set_default_dtype(torch.float64)``) and ``autograd``
  (``"requires_grad"``, ``"mul"``, ``"clone"`` or ``"view"``).

Recording adds ``is_default_dtype``, ``extras`` and ``repr`` from torch.

Regenerate (needs torch, i.e. the project's ``test`` extra)::

    .venv/bin/python tools/record_formatting_fixtures.py

The module imports torch only inside the recording functions, so the builders can be imported
without it.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np

FIXTURE_PATH = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "formatting.json"

NAN, INF = "nan", "inf"
NINF = "-inf"

# ----------------------------------------------------------------------------------------------
# case construction helpers


def _shape_of(nested: Any) -> list[int]:
    shape = []
    while isinstance(nested, list):
        shape.append(len(nested))
        if not nested:
            break
        nested = nested[0]
    return shape


def _flatten(nested: Any) -> list[Any]:
    if isinstance(nested, list):
        return [x for item in nested for x in _flatten(item)]
    return [nested]


def _torch_name(np_name: str) -> str:
    return "torch." + np_name


def lit(name: str, values: Any, dtype: str = "float32", **extra: Any) -> dict[str, Any]:
    """A case from a (possibly nested, possibly scalar) literal."""
    is_complex = dtype.startswith("complex")
    if is_complex:
        # complex literals: encode each number as [re, im]
        def enc(v: Any) -> Any:
            if isinstance(v, list):
                return [enc(x) for x in v]
            return ("c", _enc_float(complex(v).real), _enc_float(complex(v).imag))

        encoded = enc(values)
        shape = _shape_of(values)
        flat = [[r, i] for (_, r, i) in _flatten(encoded)]
    else:
        shape = _shape_of(values)
        flat = _flatten(values)
        if dtype not in ("bool",) and not dtype.startswith(("int", "uint")):
            flat = [_enc_float(v) for v in flat]
    case = {
        "name": name,
        "dtype": dtype,
        "torch_dtype": _torch_name(dtype),
        "shape": shape,
        "values": flat,
    }
    case.update(extra)
    return case


def empty(name: str, shape: list[int], dtype: str = "float32", **extra: Any) -> dict[str, Any]:
    case = {
        "name": name,
        "dtype": dtype,
        "torch_dtype": _torch_name(dtype),
        "shape": shape,
        "values": [],
    }
    case.update(extra)
    return case


def rec(
    name: str,
    shape: list[int],
    dtype: str = "float32",
    scale: float = 1,
    offset: float = 0,
    mod: int | None = None,
    alt_sign: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """A case from an arange recipe (used for the large / long ones)."""
    recipe = {
        "n": math.prod(shape),
        "scale": scale,
        "offset": offset,
        "mod": mod,
        "alt_sign": alt_sign,
    }
    case = {
        "name": name,
        "dtype": dtype,
        "torch_dtype": _torch_name(dtype),
        "shape": shape,
        "recipe": recipe,
    }
    case.update(extra)
    return case


def _enc_float(v: Any) -> Any:
    if isinstance(v, str):
        return v
    v = float(v)
    if math.isnan(v):
        return NAN
    if math.isinf(v):
        return INF if v > 0 else NINF
    return v


# ----------------------------------------------------------------------------------------------
# numpy builder (the test file has an independent copy; the live test checks they agree)


def np_dtype(name: str) -> np.dtype:
    if name == "bfloat16":
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


def build_array(case: dict[str, Any]) -> np.ndarray:
    dtype = np_dtype(case["dtype"])
    shape = tuple(case["shape"])
    if "recipe" in case:
        r = case["recipe"]
        if dtype.kind in "biu":
            v = np.arange(r["n"], dtype=np.int64)
            if r["mod"] is not None:
                v = v % int(r["mod"])
            v = v * int(r["scale"]) + int(r["offset"])
        else:
            v = np.arange(r["n"], dtype=np.float64)
            if r["mod"] is not None:
                v = v % r["mod"]
            v = v * r["scale"] + r["offset"]
        if r["alt_sign"]:
            v[1::2] = -v[1::2]
        if dtype.kind == "c":
            v = v + 1j * v[::-1]
        return v.astype(dtype).reshape(shape)
    values = case["values"]
    if dtype.kind == "c":
        flat = [complex(float(re), float(im)) for re, im in values]
    elif dtype.kind in "biu":
        flat = values
    else:
        flat = [float(v) for v in values]
    if dtype == np.dtype(ml_dtypes.bfloat16):
        return np.array(flat, dtype=np.float64).astype(dtype).reshape(shape)
    return np.array(flat, dtype=dtype).reshape(shape)


# ----------------------------------------------------------------------------------------------
# the cases

F32, F64, F16, BF16 = "float32", "float64", "float16", "bfloat16"
C64, C128 = "complex64", "complex128"
RG = {"autograd": "requires_grad"}
MUL = {"autograd": "mul"}


def build_cases() -> list[dict[str, Any]]:
    c: list[dict[str, Any]] = []
    # ---- 0-dim scalars of each dtype
    c += [
        lit("scalar_f32_frac", 3.5),
        lit("scalar_f32_int", 4.0),
        lit("scalar_f32_zero", 0.0),
        lit("scalar_f32_negzero", -0.0),
        lit("scalar_f32_tiny", 1e-5),
        lit("scalar_f32_huge", 1e10),
        lit("scalar_f32_nan", NAN),
        lit("scalar_f32_inf", INF),
        lit("scalar_f32_ninf", NINF),
        lit("scalar_f32_point1", 0.1),
        lit("scalar_f32_big_frac", 123456.789),
        lit("scalar_f32_grad_fn", 4.0, **MUL),
        lit("scalar_f32_requires_grad", -2.5, **RG),
        lit("scalar_f64", 3.0, F64),
        lit("scalar_f64_point1", 0.1, F64),
        lit("scalar_f16", 1.5, F16),
        lit("scalar_f16_point1", 0.1, F16),
        lit("scalar_bf16", 1.5, BF16),
        lit("scalar_bf16_int", 3.0, BF16),
        lit("scalar_int64", 7, "int64"),
        lit("scalar_int64_neg", -1234567890123, "int64"),
        lit("scalar_int32", -3, "int32"),
        lit("scalar_int16", 300, "int16"),
        lit("scalar_int8", -128, "int8"),
        lit("scalar_uint8", 255, "uint8"),
        lit("scalar_bool_true", True, "bool"),
        lit("scalar_bool_false", False, "bool"),
        lit("scalar_c64", 1 + 2j, C64),
        lit("scalar_c128", -1 - 0.5j, C128),
    ]
    # ---- 1-D
    c += [
        lit("vec_f32_ints", [1, 2, 3]),
        lit("vec_f32_fracs", [1.5, 2.25, -3.125]),
        lit("vec_f32_point", [0.1, 0.2, 0.3]),
        lit("vec_f32_sci_mixed", [1e-5, 1e5]),
        lit("vec_f32_ratio_1000", [1, 1000]),
        lit("vec_f32_ratio_1001", [1, 1001]),
        lit("vec_f32_ratio_frac", [0.5, 600.25]),
        lit("vec_f32_big_1e8", [1e8, 1]),
        lit("vec_f32_big_1e9", [1e9]),
        lit("vec_f32_min_1e-4", [0.0001, 0.5]),
        lit("vec_f32_below_1e-4", [0.00009, 0.5]),
        lit("vec_f32_zeros", [0.0, 0.0, 0.0]),
        lit("vec_f32_signed_zeros", [-0.0, 0.0, 1.0]),
        lit("vec_f32_all_nonfinite", [INF, NINF, NAN]),
        lit("vec_f32_inf_and_int", [INF, 1.0, -2.0]),
        lit("vec_f32_nan_and_frac", [NAN, 1.5]),
        lit("vec_f32_nonfinite_sci", [1e-5, NAN, INF, 0.0]),
        lit("vec_f32_neg_small", [100.5, -0.001]),
        lit("vec_f32_extreme", [1e20, -1e-20]),
        lit("vec_f32_rounding", [123456789.0, 1.0]),
        lit("vec_f32_many_digits", [1.23456789, -9.87654321]),
        lit("vec_f32_round_up", [0.99999, 9.99996]),
        lit("vec_int64_neg", [-1, 0, 100], "int64"),
        lit("vec_int32", [1, 2], "int32"),
        lit("vec_uint8", [0, 7, 255], "uint8"),
        lit("vec_int8", [-128, 0, 127], "int8"),
        lit("vec_int16", [-5, 12345], "int16"),
        lit("vec_bool", [True, False, True], "bool"),
        lit("vec_bool_false", [False, False], "bool"),
        lit("vec_f16", [0.1, 65504.0, -2.0], F16),
        lit("vec_f16_small", [0.0001, 1.0], F16),
        lit("vec_bf16", [1.0, 0.5, -2.0], BF16),
        lit("vec_bf16_sci", [3.140625, 1024.0, 0.0078125], BF16),
        lit("vec_f64_ints", [1, 2], F64),
        lit("vec_f64_sci", [0.1, 1e-10], F64),
        lit("vec_f64_precise", [1 / 3, 2 / 3], F64),
        lit("vec_c64", [1 + 2j, -3 - 4j], C64),
        lit("vec_c64_zero_imag", [1 + 0j, 2.5 + 0j], C64),
        lit("vec_c64_sci", [1e-5 + 1j, 2 - 3e4j], C64),
        lit("vec_c128", [0.5 + 0.25j, -1j], C128),
        lit("vec_c64_negzero_imag", [complex(1.0, -0.0), 2 + 1j], C64),
        rec("vec_wrap_f32_frac", [30], scale=0.37),
        rec("vec_wrap_int64", [50], "int64"),
        rec("vec_wrap_f32_int", [100], scale=1.5),
        rec("vec_wrap_f32_sci", [25], scale=1e3, offset=0.5),
        rec("vec_wrap_neg_int32", [40], "int32", scale=-7, offset=3),
        rec("vec_wrap_bool", [30], "bool", mod=2),
        rec("vec_wrap_c64", [12], C64, scale=0.5, offset=0.25),
    ]
    # ---- 2-D / 3-D / 4-D
    c += [
        lit("mat_f32_ints", [[1, 2], [3, 4]]),
        lit("mat_f32_mixed", [[1.5, -2.0], [3.0, 4e3]]),
        lit("mat_int64_neg", [[-1, 20, 3], [4, -500, 6]], "int64"),
        lit("mat_bool", [[True, False], [False, True]], "bool"),
        lit("mat_f32_nan", [[NAN, 1.0], [2.0, INF]]),
        lit("mat_c64", [[1 + 1j, 2], [3j, -4 - 4j]], C64),
        lit("mat_f16", [[0.5, 1.5], [2.5, 3.5]], F16),
        lit("mat_bf16", [[1.0, -1.0], [256.0, 0.125]], BF16),
        rec("mat_f32_scaled", [3, 4], scale=0.1),
        rec("mat_f32_wrap_rows", [5, 20], scale=0.5),
        rec("mat_int64_wrap_rows", [3, 40], "int64", scale=11),
        rec("mat_row_vector", [1, 5], scale=2.0),
        rec("mat_col_vector", [5, 1], "int32"),
        rec("cube_int64", [2, 3, 4], "int64"),
        rec("cube_f32", [2, 3, 4], scale=0.25, offset=-3),
        rec("cube_f64_sci", [2, 2, 3], F64, scale=1e-6, offset=1e-7),
        rec("hyper_f32", [2, 2, 2, 2], alt_sign=True),
        rec("hyper_int8", [2, 1, 2, 3], "int8", offset=-6),
    ]
    # ---- summarised (> 1000 elements)
    c += [
        rec("big_vec_f32", [1001]),
        rec("big_vec_int64", [2000], "int64"),
        rec("big_mat_f32", [100, 100], scale=0.01),
        rec("big_cube_int32", [10, 10, 11], "int32"),
        rec("big_vec_sci", [1200], scale=1e-3),
        rec("big_row", [1, 1001], scale=0.5),
        rec("big_col", [1001, 1]),
        rec("big_bool", [40, 40], "bool", mod=3),
        rec("big_small_dims", [2, 600], alt_sign=True, scale=1.25),
        rec("big_mid_hidden_sci", [1500], scale=1.0, offset=1.0, mod=7),
        rec("big_c64", [1100], C64, scale=0.5),
        rec("big_4d", [4, 5, 6, 10], scale=0.001),
    ]
    # ---- empty tensors
    c += [
        empty("empty_f32", [0]),
        empty("empty_f32_2d", [0, 3]),
        empty("empty_f32_3d", [2, 0, 4]),
        empty("empty_int64", [0], "int64"),
        empty("empty_int32", [0], "int32"),
        empty("empty_bool", [0], "bool"),
        empty("empty_f64", [0], F64),
        empty("empty_f16_2d", [0, 2], F16),
        empty("empty_c64", [0], C64),
        empty("empty_requires_grad", [0], **RG),
    ]
    # ---- print options
    c += [
        lit("opt_precision_2", [1.12345, 2.5], printoptions={"precision": 2}),
        lit("opt_precision_8_f64", [1 / 3, 2.0], F64, printoptions={"precision": 8}),
        lit("opt_precision_0", [1.5, 2.25], printoptions={"precision": 0}),
        lit("opt_precision_1_sci", [1e-5, 3.0], printoptions={"precision": 1}),
        lit("opt_sci_true", [1.0, 2.0], printoptions={"sci_mode": True}),
        lit("opt_sci_true_frac", [1.5, -2.25], printoptions={"sci_mode": True}),
        lit("opt_sci_false", [1e-5, 1e5], printoptions={"sci_mode": False}),
        lit("opt_sci_true_zeros", [0.0, 0.0], printoptions={"sci_mode": True}),
        lit("opt_sci_true_scalar", 5.0, printoptions={"sci_mode": True}),
        rec("opt_threshold_5", [10], "int64", printoptions={"threshold": 5}),
        rec("opt_edgeitems_1", [10], printoptions={"threshold": 5, "edgeitems": 1}),
        rec("opt_edgeitems_0", [10], "int64", printoptions={"threshold": 5, "edgeitems": 0}),
        rec("opt_edgeitems_0_small", [4], printoptions={"edgeitems": 0}),
        rec("opt_edgeitems_0_2d", [4, 4], printoptions={"threshold": 5, "edgeitems": 0}),
        rec("opt_threshold_2d", [8, 8], scale=0.5, printoptions={"threshold": 5}),
        rec("opt_linewidth_40", [20], scale=1.5, printoptions={"linewidth": 40}),
        rec("opt_linewidth_20_suffix", [6], "int32", printoptions={"linewidth": 20}),
        rec("opt_linewidth_5", [4], "int64", scale=100, printoptions={"linewidth": 5}),
        rec("opt_profile_short", [30, 40], scale=0.123, printoptions={"profile": "short"}),
        rec("opt_profile_full", [1001], "int64", printoptions={"profile": "full"}),
        rec("opt_threshold_3d", [3, 4, 5], "int64", printoptions={"threshold": 10, "edgeitems": 1}),
        rec("opt_c64_sci", [3], C64, scale=1.5, printoptions={"sci_mode": True}),
    ]
    # ---- autograd extras and suffix wrapping
    c += [
        lit("grad_requires_vec", [1.0, 2.0], **RG),
        lit("grad_mul_mat", [[1.5, 2.0], [3.0, -4.0]], **MUL),
        lit("grad_clone_f64", [1.0, 2.5], F64, autograd="clone"),
        lit("grad_view_f16", [1.0, 2.5], F16, autograd="view"),
        rec("grad_wrap_suffix", [9], scale=1.125, offset=100, **MUL),
        rec("grad_wrap_dtype_and_fn", [9], F64, scale=1.125, offset=100, **MUL),
        rec("grad_no_wrap_int", [6], **RG),
        rec("grad_big", [2000], scale=0.5, **MUL),
        rec("grad_wrap_2d", [3, 9], scale=1.125, offset=100, **RG),
        lit("grad_c64", [1 + 1j], C64, **RG),
        lit("grad_bf16", [0.5, 1.0], BF16, **RG),
    ]
    # ---- default dtype float64
    d64 = {"default_dtype": "float64"}
    c += [
        lit("dd64_f64", [1.5, 2.0], F64, **d64),
        lit("dd64_f32", [1.5, 2.0], F32, **d64),
        empty("dd64_empty_f64", [0], F64, **d64),
        empty("dd64_empty_f32", [0], F32, **d64),
        lit("dd64_c128", [1 + 2j], C128, **d64),
        lit("dd64_c64", [1 + 2j], C64, **d64),
    ]
    return c


CASES = build_cases()


# ----------------------------------------------------------------------------------------------
# recording (needs torch)


def to_torch(case: dict[str, Any]) -> Any:
    import torch

    arr = build_array(case)
    if case["dtype"] == BF16:
        t = torch.from_numpy(arr.astype(np.float32)).to(torch.bfloat16)
    else:
        t = torch.from_numpy(arr.copy())
    if str(t.dtype) != case["torch_dtype"]:
        raise AssertionError(f"{case['name']}: built {t.dtype}, expected {case['torch_dtype']}")
    mode = case.get("autograd")
    if mode is not None:
        t.requires_grad_()
        if mode == "mul":
            t = t * 1
        elif mode == "clone":
            t = t.clone()
        elif mode == "view":
            t = t.view(t.shape)
        elif mode != "requires_grad":
            raise ValueError(mode)
    return t


def record_case(case: dict[str, Any]) -> dict[str, Any]:
    """Build ``case`` in torch and return it with ``is_default_dtype``, ``extras`` and ``repr``."""
    import torch

    old_default = torch.get_default_dtype()
    try:
        if case.get("default_dtype"):
            torch.set_default_dtype(getattr(torch, case["default_dtype"]))
        torch.set_printoptions(**case.get("printoptions", {}))
        t = to_torch(case)
        default_complex = (
            torch.cdouble if torch.get_default_dtype() == torch.double else torch.cfloat
        )
        is_default = t.dtype in (
            torch.get_default_dtype(),
            default_complex,
            torch.int64,
            torch.bool,
        )
        extras = []
        if t.grad_fn is not None:
            extras.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
        elif t.requires_grad:
            extras.append("requires_grad=True")
        text = repr(t)
        if str(t) != text:
            raise AssertionError(f"{case['name']}: str differs from repr")
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(old_default)
    out = dict(case)
    out.update({"is_default_dtype": is_default, "extras": extras, "repr": text})
    return out


def main() -> int:
    import torch

    names = [case["name"] for case in CASES]
    if len(names) != len(set(names)):
        raise SystemExit("duplicate case names")
    records = [record_case(case) for case in CASES]
    payload = {
        "torch_version": torch.__version__,
        "generator": "tools/record_formatting_fixtures.py",
        "cases": records,
    }
    FIXTURE_PATH.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE_PATH.write_text(json.dumps(payload, indent=1, allow_nan=False) + "\n")
    print(f"wrote {len(records)} cases to {FIXTURE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
