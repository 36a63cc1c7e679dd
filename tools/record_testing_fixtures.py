"""Record real PyTorch's ``torch.testing`` / ``gradcheck`` behaviour into
``tests/fixtures/testing_tools.json``.

Each case is a snippet of torch code run unchanged on torch and on torchlike_jax. The snippet
sees ``torch``, ``np``, ``math``, ``nan``, ``inf``, ``A`` (``torch.testing.assert_close``),
``gc`` / ``ggc`` (``torch.autograd.gradcheck`` / ``gradgradcheck``) and ``summary`` (a
JSON-able digest of a ``make_tensor`` result); it may set ``result`` to a JSON-able value.
An observation is ``{"result": ..., "warnings": [[category, message], ...]}`` plus
``"exc": [class name, message]`` when the snippet raised.

A case may carry ``"compare"``: ``"fast_mode"`` (fast-mode gradcheck: the two projected numbers
in the message come from random vectors, whose stream differs from torch's; everything else in
the message must match).

Regenerate (needs torch, i.e. the project's ``test`` extra)::

    .venv/bin/python tools/record_testing_fixtures.py

The module imports torch only inside :func:`record`, so tests can import the cases and
:func:`observe` without it.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np

FIXTURE_PATH = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "testing_tools.json"


def _c(name: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "code": code.strip() + "\n", **extra}


# ---- assert_close ----------------------------------------------------------------------------
ASSERT_CLOSE = [
    _c("close_float32_last", "A(torch.tensor([1., 2., 3.]), torch.tensor([1., 2., 3.1]))"),
    _c("close_ok", "A(torch.tensor([1., 2., 3.]), torch.tensor([1., 2., 3.000001]))"),
    _c("close_dtype", "A(torch.tensor([1., 2.]), torch.tensor([1., 2.], dtype=torch.float64))"),
    _c("close_shape", "A(torch.tensor([1., 2., 3.]), torch.tensor([1., 2.]))"),
    _c("close_shape_empty", "A(torch.zeros(2, 0), torch.zeros(0, 2))"),
    _c("close_empty_ok", "A(torch.zeros(0), torch.zeros(0))"),
    _c("close_rtol_only", "A(torch.tensor([1.]), torch.tensor([1.1]), rtol=1e-3)"),
    _c("close_atol_only", "A(torch.tensor([1.]), torch.tensor([1.1]), atol=1e-3)"),
    _c("close_rtol_only_with_msg", "A(torch.tensor([1.]), torch.tensor([1.]), rtol=1e-3, "
                                   "msg='custom')"),
    _c("close_msg_str", "A(torch.tensor([1., 2., 3.]), torch.tensor([1., 2., 3.1]), msg='boo')"),
    _c("close_msg_callable", "A(torch.tensor([1., 2., 3.]), torch.tensor([1., 2., 3.1]), "
                             "msg=lambda m: 'Header\\n\\n' + m + '\\n\\nFooter')"),
    _c("close_int_equal", "A(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 4]))"),
    _c("close_int_zero_expected", "A(torch.tensor([1, 2, 3]), torch.tensor([1, 2, 0]))"),
    _c("close_int32", "A(torch.tensor([1, 2], dtype=torch.int32), "
                      "torch.tensor([1, 3], dtype=torch.int32))"),
    _c("close_int_with_tolerance", "A(torch.tensor([1, 2]), torch.tensor([1, 3]), rtol=0.5, "
                                   "atol=0)"),
    _c("close_uint8_int8_promoted", "A(torch.tensor([1, 2], dtype=torch.uint8), "
                                    "torch.tensor([1, 3], dtype=torch.int8), check_dtype=False)"),
    _c("close_int_float_promoted", "A(torch.tensor([1, 2]), torch.tensor([1., 3.]), "
                                   "check_dtype=False)"),
    _c("close_f32_f64_promoted", "A(torch.tensor([1., 2., 3.]), "
                                 "torch.tensor([1., 2., 3.1], dtype=torch.float64), "
                                 "check_dtype=False)"),
    _c("close_f32_f64_promoted_ok", "A(torch.tensor([1., 2.]), "
                                    "torch.tensor([1., 2.000001], dtype=torch.float64), "
                                    "check_dtype=False)"),
    _c("close_bool", "A(torch.tensor([True, False]), torch.tensor([True, True]))"),
    _c("close_bool_scalar", "A(torch.tensor(True), torch.tensor(False))"),
    _c("close_float16", "A(torch.tensor([1., 2.], dtype=torch.float16), "
                        "torch.tensor([1., 2.01], dtype=torch.float16))"),
    _c("close_float16_ok", "A(torch.tensor([1., 2.], dtype=torch.float16), "
                           "torch.tensor([1., 2.001], dtype=torch.float16))"),
    _c("close_bfloat16", "A(torch.tensor([1., 2.], dtype=torch.bfloat16), "
                         "torch.tensor([1., 2.1], dtype=torch.bfloat16))"),
    _c("close_bfloat16_ok", "A(torch.tensor([100., 2.], dtype=torch.bfloat16), "
                            "torch.tensor([101., 2.], dtype=torch.bfloat16))"),
    _c("close_complex64", "A(torch.tensor([1+1j, 2.]), torch.tensor([1+1j, 2.1]))"),
    _c("close_complex_scalar", "A(torch.tensor(1+1j), torch.tensor(1+2j))"),
    _c("close_complex_nan_equal", "A(torch.tensor([1+1j, complex(nan, 0)]), "
                                  "torch.tensor([1+1j, complex(nan, 0)]), equal_nan=True)"),
    _c("close_2d", "A(torch.tensor([[1., 2.], [3., 4.]]), torch.tensor([[1., 2.5], [3., 0.]]))"),
    _c("close_2d_float64", "A(torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64), "
                           "torch.tensor([[1., 3.], [2., 4.]], dtype=torch.float64))"),
    _c("close_3d", "A(torch.arange(24.).reshape(2, 3, 4), "
                   "torch.arange(24.).reshape(2, 3, 4) * 1.001)"),
    _c("close_scalar_tensor", "A(torch.tensor(1.), torch.tensor(1.1))"),
    _c("close_scalar_tensor_f64", "A(torch.tensor(1., dtype=torch.float64), "
                                  "torch.tensor(0., dtype=torch.float64))"),
    _c("close_int_scalar_tensor", "A(torch.tensor(3), torch.tensor(0))"),
    _c("close_inf_equal", "A(torch.tensor([1., inf]), torch.tensor([1., inf]))"),
    _c("close_inf_sign", "A(torch.tensor([1., inf]), torch.tensor([1., -inf]))"),
    _c("close_nan_default", "A(torch.tensor([1., nan]), torch.tensor([1., nan]))"),
    _c("close_nan_equal_nan", "A(torch.tensor([1., nan]), torch.tensor([1., nan]), "
                              "equal_nan=True)"),
    _c("close_nan_vs_number", "A(torch.tensor([1., nan]), torch.tensor([1., 2.]))"),
    _c("close_nan_first_index", "A(torch.tensor([1., nan, 7., nan]), "
                                "torch.tensor([1., 2., 3., 4.]))"),
    _c("close_ties_first_index", "A(torch.tensor([1., 5., 7., 5.]), "
                                 "torch.tensor([1., 2., 4., 2.]))"),
    _c("close_zero_expected", "A(torch.tensor([0., 5., 7.]), torch.tensor([0., 0., 4.]))"),
    _c("close_exact_tolerances", "A(torch.tensor([1., 2.]), torch.tensor([1., 3.]), rtol=0, "
                                 "atol=0)"),
    _c("close_loose_tolerances", "A(torch.tensor([1., 2.]), torch.tensor([1., 2.5]), rtol=0.5, "
                                 "atol=0.)"),
    _c("close_negative_rtol", "A(torch.tensor([1., 2.]), torch.tensor([1., 2.1]), rtol=-1., "
                              "atol=0.)"),
    _c("close_requires_grad", "A(torch.tensor([1., 2.], requires_grad=True), "
                              "torch.tensor([1., 2.]))"),
    _c("close_grad_fn", "x = torch.tensor([1., 2.], requires_grad=True)\n"
                        "A(x * 2, torch.tensor([2., 4.1]))"),
    _c("close_tensor_vs_float", "A(torch.tensor(1.), 1.)"),
    _c("close_tensor_vs_numpy", "A(np.array([1., 2.]), torch.tensor([1., 2.5]))"),
    _c("close_tensor_vs_list", "A(torch.tensor([1., 2.]), [1., 2.])"),
    _c("close_allow_subclasses_false_ok", "A(torch.tensor([1., 2.]), torch.tensor([1., 2.]), "
                                          "allow_subclasses=False)"),
    _c("close_numpy", "A(np.array([1., 2.]), np.array([1., 2.5]))"),
    _c("close_numpy_float32", "A(np.array([1., 2.], dtype=np.float32), "
                              "np.array([1., 2.5], dtype=np.float32))"),
    _c("close_numpy_dtype", "A(np.array([1, 2]), np.array([1., 2.]))"),
    _c("close_numpy_0d", "A(np.array(1.0), np.array(1.5))"),
    _c("close_numpy_scalar", "A(np.float32(1.0), np.float32(1.5))"),
    _c("close_numpy_scalar_vs_float", "A(np.float32(1.0), 1.0)"),
    _c("close_float_scalars", "A(1.0, 1.0 + 1e-8)"),
    _c("close_float_scalars_fail", "A(1e-9, 1e-10, rtol=0, atol=0)"),
    _c("close_float_int", "A(1.0, 1)"),
    _c("close_float_int_no_dtype", "A(1.0, 1, check_dtype=False)"),
    _c("close_int_scalars", "A(1, 2, rtol=1, atol=0.5)"),
    _c("close_int_scalars_fail", "A(3, 2)"),
    _c("close_complex_scalars", "A(1+1j, 1+2j)"),
    _c("close_float_inf", "A(1.0, inf)"),
    _c("close_inf_inf", "A(inf, inf)"),
    _c("close_nan_scalars", "A(nan, nan)"),
    _c("close_nan_scalars_equal_nan", "A(nan, nan, equal_nan=True)"),
    _c("close_nan_tensor_scalar", "A(torch.tensor(nan), torch.tensor(nan))"),
    _c("close_bools", "A(True, False)"),
    _c("close_bools_ok", "A(True, True)"),
    _c("close_bool_int", "A(True, 1)"),
    _c("close_none", "A(None, None)"),
    _c("close_none_int", "A(None, 1)"),
    _c("close_strings", "A('a', 'a')"),
    _c("close_sequence_item", "A([torch.tensor(1.), 2.0], [torch.tensor(1.), 2.1])"),
    _c("close_sequence_types", "A((torch.tensor([1.]), 2.0, np.array(3.0)), "
                               "[torch.tensor([1.]), 2.0, np.array(3.0)])"),
    _c("close_sequence_msg", "A((torch.tensor(1.),), [torch.tensor(2.)], msg='custom')"),
    _c("close_sequence_msg_callable", "A([1, torch.tensor([1., 2.])], [1, torch.tensor([1., 3.])],"
                                      " msg=lambda m: m.upper())"),
    _c("close_sequence_len", "A([1, 2], [1, 2, 3])"),
    _c("close_sequence_len_msg", "A([1], [1, 2], msg='custom')"),
    _c("close_nested_sequences", "A([1, [2, 3]], [1, [2, 4]])"),
    _c("close_mapping_item", "A({'a': torch.tensor(1.), 'b': [1, 2]}, "
                             "{'a': torch.tensor(1.), 'b': [1, 3]})"),
    _c("close_mapping_keys", "A({'a': 1}, {'b': 1})"),
    _c("close_mapping_order", "A({'b': 1, 'a': 2}, {'a': 3, 'b': 4})"),
    _c("close_mapping_ok", "A({'x': torch.tensor([1., 2.]), 'y': 3}, "
                           "{'y': 3, 'x': torch.tensor([1., 2.])})"),
]

# ---- gradcheck / gradgradcheck -------------------------------------------------------------
_X = "x = torch.tensor([1., 2., 3.], dtype=torch.float64, requires_grad=True)\n"
_Y = "y = torch.tensor([[1., 2.], [3., 4.]], dtype=torch.float64, requires_grad=True)\n"
_SCALED = ("def scaled(a):\n"
           "    b = a * 1\n"
           "    b.register_hook(lambda g: g * 2)\n"
           "    return b * b\n")

GRADCHECK = [
    _c("gc_mul_ok", _X + "result = gc(lambda a: a * a, (x,))"),
    _c("gc_bare_tensor_input", _X + "result = gc(lambda a: a * a, x)"),
    _c("gc_list_input", _X + "result = gc(lambda a, b: a * b, [x, x * 1])"),
    _c("gc_two_inputs", _X + _Y + "result = gc(lambda a, b: (b @ a[:2]).sin() * a[2], (x, y))"),
    _c("gc_multi_output", _X + "result = gc(lambda a: (a.exp(), a.sum() * 2), (x,))"),
    _c("gc_non_tensor_arg", _X + "result = gc(lambda a, n: a * n, (x, 3))"),
    _c("gc_scalar_input", "s = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)\n"
                          "result = gc(lambda a: (a * a).sum(), (s,))"),
    _c("gc_float32_warns_and_fails", "x = torch.tensor([1., 2., 3.], requires_grad=True)\n"
                                     "result = gc(lambda a: a * a, (x,))"),
    _c("gc_float32_no_raise", "x = torch.tensor([1., 2., 3.], requires_grad=True)\n"
                              "result = gc(lambda a: a * a, (x,), raise_exception=False)"),
    _c("gc_hook_scaled", _X + _SCALED + "result = gc(scaled, (x,))"),
    _c("gc_hook_scaled_no_raise", _X + _SCALED + "result = gc(scaled, (x,), "
                                                 "raise_exception=False)"),
    _c("gc_hook_second_output", _Y +
       "def f(a, b):\n"
       "    c = a + 0\n"
       "    c.register_hook(lambda g: g + 1)\n"
       "    return (c * b).sum(), c * 3\n"
       "result = gc(f, (y, torch.tensor(2., dtype=torch.float64)))"),
    _c("gc_mismatch_second_input", _X +
       "w = torch.tensor([0.5, -1.], dtype=torch.float64, requires_grad=True)\n"
       "def f(a, b):\n"
       "    c = b * 1\n"
       "    c.register_hook(lambda g: -g)\n"
       "    return a[:2] * c\n"
       "result = gc(f, (x, w))"),
    _c("gc_mismatch_second_output", _X +
       "def f(a):\n"
       "    b = a * 1\n"
       "    b.register_hook(lambda g: g * 3)\n"
       "    return a * 2, b.sum()\n"
       "result = gc(f, (x,))"),
    _c("gc_detached_output", _X + "result = gc(lambda a: (a.detach() * 2).requires_grad_(), "
                                  "(x,))"),
    _c("gc_no_requires_grad", "result = gc(lambda a: a * 2, "
                              "(torch.tensor([1., 2.], dtype=torch.float64),))"),
    _c("gc_no_differentiable_output", _X + "result = gc(lambda a: a.argmax(), (x,))"),
    _c("gc_int_output_last", _X + "result = gc(lambda a: (a * 2, a.argmax()), (x,))"),
    _c("gc_nonzero_numerical_but_no_graph", _X + "result = gc(lambda a: a.detach() * 2, (x,))"),
    _c("gc_not_reentrant", _X +
       "def f(a):\n"
       "    b = a * 1\n"
       "    b.register_hook(lambda g: g + torch.rand(g.shape, dtype=g.dtype) * 1e-9)\n"
       "    return b.sin()\n"
       "result = gc(f, (x,))"),
    _c("gc_not_reentrant_tolerated", _X +
       "def f(a):\n"
       "    b = a * 1\n"
       "    b.register_hook(lambda g: g + torch.rand(g.shape, dtype=g.dtype) * 1e-9)\n"
       "    return b.sin()\n"
       "result = gc(f, (x,), nondet_tol=1e-6)"),
    _c("gc_not_multiplied_by_grad_output", _X +
       "def f(a):\n"
       "    b = a * 1\n"
       "    b.register_hook(lambda g: g + (g.abs().sum() == 0).double())\n"
       "    return b * b\n"
       "result = gc(f, (x,))"),
    _c("gc_not_multiplied_skip_undefined", _X +
       "def f(a):\n"
       "    b = a * 1\n"
       "    b.register_hook(lambda g: g + (g.abs().sum() == 0).double())\n"
       "    return b * b\n"
       "result = gc(f, (x,), check_undefined_grad=False, raise_exception=False)"),
    _c("gc_tolerances", _X + "result = gc(lambda a: a ** 3, (x,), atol=0., rtol=1e-12, "
                             "raise_exception=False)"),
    _c("gc_eps", _X + "result = gc(lambda a: a ** 3, (x,), eps=1e-3)"),
    _c("gc_eps_large", _X + "result = gc(lambda a: a ** 3, (x,), eps=1e-2)"),
    _c("gc_no_backward_ad", "result = gc(lambda a: a, (torch.ones(1, dtype=torch.float64, "
                                         "requires_grad=True),), check_backward_ad=False)"),
    _c("gc_fast_mode_ok", _X + _Y + "result = gc(lambda a, b: (b @ a[:2]).tanh(), (x, y), "
                                    "fast_mode=True)"),
    _c("gc_fast_mode_fails", _X + _SCALED + "result = gc(scaled, (x,), fast_mode=True)",
       compare="fast_mode"),
    _c("gc_fast_mode_no_raise", _X + _SCALED + "result = gc(scaled, (x,), fast_mode=True, "
                                               "raise_exception=False)"),
    _c("gc_custom_function_wrong_backward", _X +
       "class Square(torch.autograd.Function):\n"
       "    @staticmethod\n"
       "    def forward(ctx, a):\n"
       "        ctx.save_for_backward(a)\n"
       "        return a * a\n"
       "    @staticmethod\n"
       "    def backward(ctx, g):\n"
       "        (a,) = ctx.saved_tensors\n"
       "        return 3 * a * g\n"
       "result = gc(Square.apply, (x,))"),
    _c("gc_custom_function_ok", _X +
       "class Cube(torch.autograd.Function):\n"
       "    @staticmethod\n"
       "    def forward(ctx, a):\n"
       "        ctx.save_for_backward(a)\n"
       "        return a ** 3\n"
       "    @staticmethod\n"
       "    def backward(ctx, g):\n"
       "        (a,) = ctx.saved_tensors\n"
       "        return 3 * a * a * g\n"
       "result = gc(Cube.apply, (x,))"),
    _c("ggc_pow_ok", _X + "result = ggc(lambda a: a ** 3, (x,))"),
    _c("ggc_two_inputs_ok", _X + _Y + "result = ggc(lambda a, b: (b @ a[:2]).sin(), (x, y))"),
    _c("ggc_grad_outputs", _X + "go = torch.tensor([0.5, -1., 2.], dtype=torch.float64, "
                                "requires_grad=True)\n"
                                "result = ggc(lambda a: a.exp() * a, (x,), (go,))"),
    _c("ggc_grad_outputs_no_grad", _X + "go = torch.tensor([0.5, -1., 2.], dtype=torch.float64)\n"
                                        "result = ggc(lambda a: a.sin(), (x,), go)"),
    _c("ggc_detached_first_grad", _X +
       "go = torch.tensor([0.5, -1., 2.], dtype=torch.float64, requires_grad=True)\n"
       "def f(a):\n"
       "    b = a * 1\n"
       "    b.register_hook(lambda g: g.detach())\n"
       "    return b ** 3\n"
       "result = ggc(f, (x,), (go,))"),
    _c("ggc_detached_first_grad_no_raise", _X +
       "go = torch.tensor([0.5, -1., 2.], dtype=torch.float64, requires_grad=True)\n"
       "def f(a):\n"
       "    b = a * 1\n"
       "    b.register_hook(lambda g: g.detach())\n"
       "    return b ** 3\n"
       "result = ggc(f, (x,), (go,), raise_exception=False)"),
]

# ---- make_tensor -----------------------------------------------------------------------------
MAKE_TENSOR = [
    _c("mt_float", "result = summary(torch.testing.make_tensor(2, 3, dtype=torch.float32, "
                   "device='cpu'), -9, 9)"),
    _c("mt_shape_tuple", "result = summary(torch.testing.make_tensor((4,), dtype=torch.float64, "
                         "device='cpu', low=-1, high=1, requires_grad=True), -1, 1)"),
    _c("mt_int", "result = summary(torch.testing.make_tensor([3, 2], dtype=torch.int64, "
                 "device='cpu'), -9, 10)"),
    _c("mt_uint8", "result = summary(torch.testing.make_tensor(5, dtype=torch.uint8, "
                   "device='cpu'), 0, 10)"),
    _c("mt_int8_clamped", "result = summary(torch.testing.make_tensor(50, dtype=torch.int8, "
                          "device='cpu', low=-1000, high=1000), -128, 128)"),
    _c("mt_bool", "result = summary(torch.testing.make_tensor(6, dtype=torch.bool, "
                  "device='cpu'), 0, 2)"),
    _c("mt_complex", "result = summary(torch.testing.make_tensor(3, dtype=torch.complex64, "
                     "device='cpu', low=-2, high=2), -2, 2)"),
    _c("mt_half_exclude_zero", "result = summary(torch.testing.make_tensor(20, "
                               "dtype=torch.float16, device='cpu', low=0, high=0.002, "
                               "exclude_zero=True), 0, 0.002, zeros=True)"),
    _c("mt_int_exclude_zero", "result = summary(torch.testing.make_tensor(40, dtype=torch.int32, "
                              "device='cpu', low=-1, high=2, exclude_zero=True), -1, 2, "
                              "zeros=True)"),
    _c("mt_requires_grad_int", "torch.testing.make_tensor(2, dtype=torch.int64, device='cpu', "
                               "requires_grad=True)"),
    _c("mt_low_ge_high", "torch.testing.make_tensor(2, dtype=torch.float32, device='cpu', "
                         "low=2, high=1)"),
    _c("mt_nan_bound", "torch.testing.make_tensor(2, dtype=torch.float32, device='cpu', "
                       "low=nan)"),
    _c("mt_out_of_range", "torch.testing.make_tensor(2, dtype=torch.uint8, device='cpu', "
                          "low=-5, high=-1)"),
    _c("mt_low_eq_high_float", "result = summary(torch.testing.make_tensor(2, "
                               "dtype=torch.float32, device='cpu', low=1, high=1), 1, 1)"),
    _c("mt_noncontiguous", "result = summary(torch.testing.make_tensor(2, 3, dtype=torch.float64, "
                           "device='cpu', noncontiguous=True), -9, 9)"),
    _c("mt_unsupported_device_arg", "torch.testing.make_tensor(2, dtype=torch.float32)"),
]

CASES = [("assert_close", ASSERT_CLOSE), ("gradcheck", GRADCHECK), ("make_tensor", MAKE_TENSOR)]


# ---- running a case --------------------------------------------------------------------------
def _summary(t: Any, low: float, high: float, zeros: bool = False) -> dict[str, Any]:
    """Shape, dtype, flags, and whether every value lies in [low, high) ([low, high] if equal;
    complex: both parts); with ``zeros``, whether any value is 0 (for ``exclude_zero``)."""
    import numpy as _np

    vals = _np.asarray(t.detach().cpu().tolist())
    parts = [vals.real, vals.imag] if _np.iscomplexobj(vals) else [vals.astype(_np.float64)]
    if low == high:
        inside = all(bool(_np.all(p == low)) for p in parts)
    else:
        inside = all(bool(_np.all((p >= low) & (p < high))) for p in parts)
    out = {"shape": list(t.shape), "dtype": str(t.dtype), "requires_grad": t.requires_grad,
           "is_leaf": t.is_leaf, "in_range": inside}
    if zeros:
        out["has_zero"] = bool(_np.any(vals == 0))
    return out


def namespace(torch: Any) -> dict[str, Any]:
    return {"torch": torch, "np": np, "math": math, "nan": float("nan"), "inf": float("inf"),
            "A": torch.testing.assert_close, "gc": torch.autograd.gradcheck,
            "ggc": torch.autograd.gradgradcheck, "summary": _summary}


def observe(torch: Any, case: dict[str, Any]) -> dict[str, Any]:
    """Run one case's snippet with ``torch`` bound to the given module."""
    ns = namespace(torch)
    out: dict[str, Any] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(case["code"], case["name"], "exec"), ns)  # noqa: S102 - our own cases
        except Exception as e:  # noqa: BLE001 - the exception is the observation
            out["exc"] = [type(e).__name__, str(e)]
    out["result"] = ns.get("result")
    out["warnings"] = [[w.category.__name__, str(w.message)] for w in caught]
    return out


def record() -> dict[str, Any]:
    import torch

    torch.manual_seed(0)
    fixtures: dict[str, Any] = {"torch_version": torch.__version__}
    for kind, cases in CASES:
        fixtures[kind] = [{**case, "observed": observe(torch, case)} for case in cases]
    return fixtures


def main() -> int:
    fixtures = record()
    FIXTURE_PATH.write_text(json.dumps(fixtures, indent=1, sort_keys=True) + "\n")
    n = sum(len(fixtures[kind]) for kind, _ in CASES)
    print(f"wrote {n} cases to {FIXTURE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
