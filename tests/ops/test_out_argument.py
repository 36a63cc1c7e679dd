"""``out=`` on every function torch gives it (core/out_arg.py), compared live with real torch.

Each case is a small script run with ``torch`` bound to either library; it leaves its answer in
``r``. The answers (tensor values, dtypes, shapes; whether the returned object is ``out``; the
repr of a multi-output result), the warnings and the exception class + first line must agree.
"""

from __future__ import annotations

import pytest

import torchlike_jax
from tests.support.snippet_compare import assert_same, observe

pytestmark = pytest.mark.torch_live
real = pytest.importorskip("torch")

CASES = {
    "add_into_same_shape": "c = torch.empty(2, 2); r = (torch.add(a, 1, out=c), c)",
    "returns_out_itself": "c = torch.empty(2, 2); r = torch.add(a, b, out=c) is c",
    "resize_nonempty_warns": "c = torch.empty(3); r = (torch.add(a, 1, out=c), c)",
    "resize_empty_silent": "c = torch.empty(0); r = torch.mul(a, 2, out=c)",
    "cast_up_to_out_dtype": ("c = torch.empty(2, 2, dtype=torch.float64)\n"
                             "r = torch.add(a, 1, out=c)"),
    "int_into_float": ("c = torch.empty(2)\n"
                       "r = torch.add(torch.ones(2, dtype=torch.long), 1, out=c)"),
    "int32_into_int64": "r = torch.add(torch.ones(2, dtype=torch.int32), 1, "
                        "out=torch.empty(2, dtype=torch.int64))",
    "float_into_long_fails": "r = torch.add(a, 1, out=torch.empty(4, dtype=torch.long))",
    "complex_into_float_fails": "r = torch.add(a.to(torch.complex64), 1, out=torch.empty(4))",
    "compare_into_float": "r = torch.gt(a, 0.5, out=torch.empty(2, 2))",
    "matmul": "c = torch.empty(0); r = (torch.matmul(a, b, out=c), c)",
    "reduction_with_dim": "r = torch.sum(a, 1, out=torch.empty(2, dtype=torch.float64))",
    "cat": "r = torch.cat([a, b], out=torch.empty(0))",
    "matmul_exact_dtype": "r = torch.matmul(a, b, out=torch.empty(0, dtype=torch.float64))",
    "mm_exact_dtype": "r = torch.mm(a, b, out=torch.empty(2, 2, dtype=torch.int32))",
    "vector_norm_exact": "r = torch.linalg.vector_norm(a, out=torch.empty(0, dtype=torch.float64))",
    "topk_values_dtype": "r = torch.topk(x, 1, out=(torch.empty(0, dtype=torch.float64), "
                         "torch.empty(0, dtype=torch.long)))",
    "norm": "r = torch.norm(a, out=torch.empty(0))",
    "norm_dim_float64": "r = torch.norm(a, 2, 1, out=torch.empty(2, dtype=torch.float64))",
    "tensordot": "r = torch.tensordot(a, b, 1, out=torch.empty(0))",
    "where": "r = torch.where(a > 1, a, b, out=torch.empty(0))",
    "clamp": "r = torch.clamp(a, 0, 1.5, out=torch.empty(2, 2))",
    "linalg_inv": "r = torch.linalg.inv(a + 2 * torch.eye(2), out=torch.empty(0))",
    "special_expit": "r = torch.special.expit(a, out=torch.empty(0))",
    "view_write_through": ("base = torch.zeros(2, 3)\n"
                           "r = (torch.mul(a[0], 3, out=base[1, :2]), base)"),
    "grad_input_refused": "r = torch.add(g, 1, out=torch.empty(2))",
    "grad_out_refused": "c = torch.zeros(2, requires_grad=True); r = torch.add(a[0], 1, out=c)",
    "grad_nonleaf_out_refused": "c = torch.zeros(2, requires_grad=True) * 1; "
                                "r = torch.add(a[0], 1, out=c)",
    "grad_no_grad_mode_ok": "with torch.no_grad():\n    r = torch.add(g, 1, out=torch.empty(2))",
    "grad_nondiff_ok": "r = torch.eq(g, 1, out=torch.empty(2, dtype=torch.bool))",
    "argmax_nondiff_ok": "r = torch.argmax(g, out=torch.empty((), dtype=torch.long))",
    "tuple_for_single_output": "r = torch.add(a, 1, out=(torch.empty(2),))",
    "rand": "c = torch.empty(3, dtype=torch.float64); r = (torch.rand(3, out=c).shape, c.dtype)",
    "randn_resizes": "c = torch.empty(0); r = (torch.randn(2, 3, out=c).shape, c.shape)",
    "randint": "c = torch.empty(0, dtype=torch.int32); r = torch.randint(3, 4, (5,), out=c).dtype",
    "zeros_long": "r = torch.zeros(2, out=torch.empty(2, dtype=torch.long))",
    "ones_int32": "r = torch.ones(2, 3, out=torch.empty(0, dtype=torch.int32))",
    "zeros_dtype_mismatch": ("r = torch.zeros(2, dtype=torch.float, "
                             "out=torch.empty(2, dtype=torch.long))"),
    "arange_resize_warns": "r = torch.arange(5, out=torch.empty(2))",
    "arange_into_empty_int": "r = torch.arange(5, out=torch.empty(0, dtype=torch.int32))",
    "full_into_long": "r = torch.full((2,), 3.5, out=torch.empty(2, dtype=torch.long))",
    "linspace_float64": "r = torch.linspace(0, 1, 3, out=torch.empty(3, dtype=torch.float64))",
    "eye": "r = torch.eye(2, out=torch.empty(0))",
    "empty": "r = torch.empty(2, 2, out=torch.empty(0)).shape",
    "max_dim_pair": "v = torch.empty(0); i = torch.empty(0, dtype=torch.long)\n"
                    "r = (repr(torch.max(x, 0, out=(v, i))), v, i)",
    "max_dim_wrong_index_dtype": "r = torch.max(x, 0, out=(torch.empty(2), torch.empty(2)))",
    "min_dim": "r = repr(torch.min(x, 1, keepdim=True, out=(torch.empty(0), "
               "torch.empty(0, dtype=torch.long))))",
    "sort": "r = repr(torch.sort(x, out=(torch.empty(0), torch.empty(0, dtype=torch.long))))",
    "max_out_class": "o = (torch.empty(0), torch.empty(0, dtype=torch.long))\n"
                     "res = torch.max(x, 0, out=o)\n"
                     "r = (type(res).__name__, isinstance(res, torch.return_types.max))",
    "topk": "v = torch.empty(0); i = torch.empty(0, dtype=torch.long)\n"
            "r = (torch.topk(x, 1, out=(v, i)).values is v, v, i)",
}


def _run(lib, src: str):
    env = {"torch": lib, "a": lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
           "b": lib.tensor([[0.5, -1.0], [2.0, 0.25]]),
           "x": lib.tensor([[1.0, 5.0], [3.0, 2.0]]),
           "g": lib.ones(2, requires_grad=True)}

    def run():
        exec(src, env)
        return env["r"]

    return observe(run)


def _compare(ours, theirs):
    assert_same(ours, theirs, real)


@pytest.mark.parametrize("name", sorted(CASES))
def test_out_matches_torch(name):
    src = CASES[name]
    theirs, their_warnings = _run(real, src)
    ours, our_warnings = _run(torchlike_jax, src)
    _compare(ours, theirs)
    assert our_warnings == their_warnings


def test_resize_warning_points_at_the_caller():
    c = torchlike_jax.empty(3)
    with pytest.warns(UserWarning, match="was resized") as caught:
        torchlike_jax.add(torchlike_jax.ones(2), 1, out=c)
    assert caught[0].filename == __file__


def test_aliases_stay_one_object():
    assert torchlike_jax.concat is torchlike_jax.cat
    assert torchlike_jax.special.expit(torchlike_jax.zeros(1)).item() == 0.5


def test_recorded_table_is_current():
    """tools/record_out_table.py's table says what torch 2.13 does today."""
    from tests.support.recorded import load_recorder
    from torchlike_jax.core.recorded_out import OUT_FUNCTIONS

    assert load_recorder("record_out_table").derive() == OUT_FUNCTIONS
