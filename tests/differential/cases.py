"""The differential cases: snippets run against real torch and torchlike_jax.

Each case is a dict: ``name`` (unique), ``code`` (a snippet for
:func:`tests.differential.harness.observe`) and optional flags:

* ``repr=False`` with ``repr_reason`` — skip the exact repr comparison (only where torch's
  last-digit float printing legitimately differs; say why);
* ``key`` — string or list of strings our exception message must contain (instead of torch's
  key phrase);
* ``xfail=True`` with ``reason`` — a known, genuinely hard gap (strict xfail).

Snippets must be deterministic: random tensors are only recorded by shape and dtype.
"""

from __future__ import annotations

import textwrap
from typing import Any

CASES: list[dict[str, Any]] = []


def case(name: str, code: str, **flags: Any) -> None:
    if any(c["name"] == name for c in CASES):
        raise ValueError(f"duplicate case name {name!r}")
    CASES.append({"name": name, "code": textwrap.dedent(code).strip() + "\n", **flags})


# ---- creation and dtype inference -------------------------------------------------------------
case("tensor_float_list", 'out("t", torch.tensor([1.0, 2.0, 3.0]))')
case("tensor_int_list", 'out("t", torch.tensor([1, 2, 3]))')
case("tensor_bool_list", 'out("t", torch.tensor([True, False, True]))')
case("tensor_int_float_mix", 'out("t", torch.tensor([1, 2.5]))')
case("tensor_bool_int_mix", 'out("t", torch.tensor([True, 2]))')
case("tensor_nested", 'out("t", torch.tensor([[1., 2., 3.], [4., 5., 6.]]))')
case("tensor_nested_3d", 'out("t", torch.tensor([[[1, 2]], [[3, 4]]]))')
case("tensor_scalars", """
    out("f", torch.tensor(3.5))
    out("i", torch.tensor(7))
    out("b", torch.tensor(True))
    out("neg", torch.tensor(-0.0))
""")
case("tensor_numpy_float64", 'out("t", torch.tensor(np.array([1.0, 2.5])))')
case("tensor_numpy_float32", 'out("t", torch.tensor(np.array([1.0, 2.5], dtype=np.float32)))')
case("tensor_numpy_int32", 'out("t", torch.tensor(np.array([[1, 2], [3, 4]], dtype=np.int32)))')
case("tensor_numpy_bool", 'out("t", torch.tensor(np.array([True, False])))')
case("tensor_numpy_scalar", """
    out("f64", torch.tensor(np.float64(2.5)))
    out("i32", torch.tensor(np.int32(3)))
""")
case("from_numpy_dtypes", """
    out("f32", torch.from_numpy(np.arange(3, dtype=np.float32)))
    out("i64", torch.from_numpy(np.arange(3)))
    out("f64", torch.from_numpy(np.ones((2, 2))))
""")
case("tensor_empty_list", 'out("t", torch.tensor([]))')
case("tensor_dtype_kw", """
    out("f64", torch.tensor([1, 2], dtype=torch.float64))
    out("i32", torch.tensor([1.7, -2.7], dtype=torch.int32))
    out("b", torch.tensor([0, 3], dtype=torch.bool))
""")
case("tensor_ragged_error", 'torch.tensor([[1, 2], [3]])')
case("tensor_requires_grad_int_error", 'torch.tensor([1, 2], requires_grad=True)')
case("tensor_requires_grad_float", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out("x", x)
""")
case("tensor_copy_construct_warns", """
    src = torch.ones(2)
    t = torch.tensor(src)
    out("t", t)
""")
case("zeros_shapes", """
    out("a", torch.zeros(2, 3))
    out("b", torch.zeros((2, 3)))
    out("c", torch.zeros([4]))
    out("d", torch.zeros(()))
    out("e", torch.zeros(0, 2))
""")
case("ones_dtypes", """
    out("f", torch.ones(2))
    out("i", torch.ones(2, dtype=torch.int64))
    out("b", torch.ones(2, 2, dtype=torch.bool))
    out("h", torch.ones(3, dtype=torch.float16))
""")
case("full_dtype_inference", """
    out("int", torch.full((2,), 7))
    out("float", torch.full((2, 2), 1.5))
    out("bool", torch.full((3,), True))
    out("dtype", torch.full((2,), 3, dtype=torch.float64))
""")
case("empty_shape_dtype", """
    e = torch.empty(2, 3)
    out("shape", e.shape)
    out("dtype", e.dtype)
    out("i", torch.empty(4, dtype=torch.int32).dtype)
""")
case("zeros_negative_dim_error", 'torch.zeros(2, -1)')
case("arange_int", """
    out("a", torch.arange(5))
    out("b", torch.arange(1, 10, 3))
    out("c", torch.arange(5, 0, -2))
""")
case("arange_float", """
    out("a", torch.arange(0, 1, 0.25))
    out("b", torch.arange(5.0))
    out("c", torch.arange(3, dtype=torch.float64))
    out("d", torch.arange(0.5, 2))
""")
case("arange_bad_step_error", 'torch.arange(0, 5, -1)')
case("linspace", """
    out("a", torch.linspace(0, 1, 5))
    out("b", torch.linspace(-2, 2, 3))
    out("one", torch.linspace(3, 7, 1))
    out("f64", torch.linspace(0, 1, 3, dtype=torch.float64))
""")
case("eye", """
    out("a", torch.eye(3))
    out("b", torch.eye(2, 3))
    out("i", torch.eye(2, dtype=torch.int64))
""")
case("like_factories", """
    i = torch.tensor([1, 2, 3])
    f = torch.tensor([[1.5, 2.5]], dtype=torch.float64)
    out("zl", torch.zeros_like(i))
    out("ol", torch.ones_like(f))
    out("ol_dtype", torch.ones_like(i, dtype=torch.float32))
    out("fl", torch.full_like(i, 2.7))
    out("fl_f", torch.full_like(f, 2))
    e = torch.empty_like(f)
    out("el", [e.shape, e.dtype])
""")
case("like_does_not_inherit_requires_grad", """
    x = torch.ones(2, requires_grad=True)
    out("z", torch.zeros_like(x))
    out("o", torch.ones_like(x, requires_grad=True))
""")
case("factories_requires_grad_under_no_grad", """
    with torch.no_grad():
        a = torch.ones(2, requires_grad=True)
        b = torch.zeros(3, requires_grad=True)
        c = torch.tensor([1.0], requires_grad=True)
        d = a * 2
    out("a", a)
    out("b", b)
    out("c", c)
    out("d", d)
""")
case("as_tensor_identity", """
    t = torch.tensor([1.0, 2.0])
    out("same", torch.as_tensor(t) is t)
    out("cast", torch.as_tensor(t, dtype=torch.float64))
    out("list", torch.as_tensor([1, 2]))
""")
case("random_shapes_dtypes", """
    torch.manual_seed(0)
    r = torch.randn(2, 3)
    out("randn", [r.shape, r.dtype, r.requires_grad])
    g = torch.randn(2, 3, requires_grad=True)  # same shape as r: one compile
    out("randn_rg", [g.requires_grad, g.is_leaf])
""")

# ---- dtype objects -----------------------------------------------------------------------------
case("dtype_str_repr", """
    out("str", str(torch.float32))
    out("repr", repr(torch.int64))
    out("bool", str(torch.bool))
    out("half", str(torch.half))
""")
case("dtype_aliases", """
    out("float", torch.float is torch.float32)
    out("double", torch.double is torch.float64)
    out("long", torch.long == torch.int64)
    out("int", torch.int is torch.int32)
    out("half", torch.half is torch.float16)
    out("neq", torch.float32 == torch.float64)
""")
case("dtype_properties", """
    out("fp", [torch.float32.is_floating_point, torch.int64.is_floating_point,
               torch.bool.is_floating_point])
    out("complex", [torch.complex64.is_complex, torch.float32.is_complex])
    out("signed", [torch.int8.is_signed, torch.uint8.is_signed, torch.float32.is_signed])
    out("itemsize", [torch.float32.itemsize, torch.float64.itemsize, torch.int16.itemsize])
""")
case("default_dtype", """
    out("default", torch.get_default_dtype())
    torch.set_default_dtype(torch.float64)
    out("after", torch.get_default_dtype())
    out("t", torch.tensor([1.5, 2.0]))
    out("a", torch.arange(3.0))
    out("z", torch.zeros(2))
    out("i", torch.tensor([1, 2]))
    out("s", torch.tensor([1, 2]) * 1.5)
    torch.set_default_dtype(torch.float32)
    out("back", torch.tensor(1.0))
""")
case("set_default_dtype_int_error", 'torch.set_default_dtype(torch.int64)')
case("promote_types", """
    out("a", torch.promote_types(torch.int32, torch.float16))
    out("b", torch.promote_types(torch.uint8, torch.int8))
    out("c", torch.promote_types(torch.bool, torch.int8))
    out("d", torch.promote_types(torch.float16, torch.bfloat16))
    out("e", torch.promote_types(torch.int64, torch.float32))
""")
case("result_type", """
    out("a", torch.result_type(torch.tensor([1, 2]), 1.0))
    out("b", torch.result_type(torch.tensor([1, 2]), 1))
    out("c", torch.result_type(torch.tensor([1.0]), torch.tensor(1, dtype=torch.float64)))
""")

# ---- type promotion ----------------------------------------------------------------------------
case("promo_int_tensor_float_scalar", 'out("r", torch.tensor([1, 2]) + 1.5)')
case("promo_int_tensor_int_scalar", """
    out("i64", torch.tensor([1, 2]) + 3)
    out("i32", torch.tensor([1, 2], dtype=torch.int32) * 3)
    out("u8", torch.tensor([250], dtype=torch.uint8) + 10)
""")
case("promo_int32_float_scalar", 'out("r", torch.tensor([1, 2], dtype=torch.int32) * 2.5)')
case("promo_int_tensor_0dim_float64", """
    out("r", torch.tensor([1, 2]) + torch.tensor(1.5, dtype=torch.float64))
""")
case("promo_float32_dim_0dim_float64", """
    out("r", torch.tensor([1.0, 2.0]) * torch.tensor(2.0, dtype=torch.float64))
""")
case("promo_0dim_vs_0dim", """
    out("r", torch.tensor(1.0) + torch.tensor(2.0, dtype=torch.float64))
    out("s", torch.tensor(1, dtype=torch.int32) + torch.tensor(2))
""")
case("promo_float16_float32", """
    h = torch.tensor([1.0, 2.0], dtype=torch.float16)
    out("dims", h + torch.tensor([1.0, 1.0]))
    out("zero_dim", h + torch.tensor(1.0))
    out("scalar", h * 2.5)
""")
case("promo_bool_int", """
    b = torch.tensor([True, False])
    out("bi", b + torch.tensor([2, 3]))
    out("b_scalar_int", b + 1)
    out("b_scalar_bool", b + True)
    out("b_float", b * 1.5)
""")
case("promo_int_truediv", """
    out("r", torch.tensor([1, 2, 3]) / torch.tensor([2, 2, 2]))
    out("s", torch.tensor([3]) / 2)
    out("fd", torch.tensor([7, -7]) // 2)
    out("mod", torch.tensor([7, -7]) % 3)
    out("fmod", torch.tensor([7.5, -7.5]) % 2)
""")
case("promo_uint8_int8", """
    out("r", torch.tensor([1], dtype=torch.uint8) + torch.tensor([1], dtype=torch.int8))
""")
case("promo_int32_int64", """
    out("r", torch.tensor([1], dtype=torch.int32) + torch.tensor([1]))
    out("z", torch.tensor([1], dtype=torch.int32) + torch.tensor(1))
""")
case("promo_float64_tensor_float_scalar", """
    out("r", torch.tensor([1.0], dtype=torch.float64) + 1.5)
""")
case("promo_comparisons", """
    i = torch.tensor([1, 2, 3])
    out("lt", i < 2.5)
    out("eq", i == torch.tensor([1.0, 0.0, 3.0]))
    out("ge", torch.tensor([0.5, 1.5]) >= 1)
    out("ne_bool", torch.tensor([True, False]) != torch.tensor([True, True]))
""")
case("promo_pow", """
    out("ii", torch.tensor([2, 3]) ** 2)
    out("if", torch.tensor([2, 3]) ** 0.5)
    out("rpow", 2 ** torch.tensor([1, 2]))
    out("rpow_f", 2.0 ** torch.tensor([1, 2]))
""")
case("promo_inplace_int_div_error", """
    t = torch.tensor([1, 2])
    t /= 2
""")
case("promo_inplace_int_plus_float_error", """
    t = torch.tensor([1, 2])
    t += 1.5
""")
case("promo_inplace_float_plus_double_ok", """
    t = torch.tensor([1.0, 2.0])
    t += torch.tensor([1.0, 1.0], dtype=torch.float64)
    out("t", t)
""")
case("promo_mean_int_error", 'torch.tensor([1, 2]).mean()')
case("promo_sum_int_bool", """
    out("i32", torch.tensor([1, 2], dtype=torch.int32).sum())
    out("b", torch.tensor([True, True, False]).sum())
    out("h", torch.tensor([1.0, 2.0], dtype=torch.float16).sum())
""")
case("promo_unary_int", """
    out("exp", torch.exp(torch.tensor([0, 1])))
    out("sqrt", torch.tensor([4, 9]).sqrt())
    out("neg", -torch.tensor([1, 2]))
    out("abs", torch.tensor([-1, 2]).abs())
""")

# ---- properties --------------------------------------------------------------------------------
case("props_shape_size", """
    x = torch.zeros(2, 3, 4)
    out("shape", x.shape)
    out("size", x.size())
    out("size1", x.size(1))
    out("size_neg", x.size(-1))
    out("dim", x.dim())
    out("ndim", x.ndim)
    out("numel", x.numel())
    out("shape_type", type(x.shape).__name__)
    out("shape_repr", repr(x.shape))
    out("len", len(x))
""")
case("props_size_out_of_range", 'torch.zeros(2, 3).size(5)')
case("props_device", """
    x = torch.ones(2)
    out("str", str(x.device))
    out("type", x.device.type)
    out("repr", repr(x.device))
    out("eq", x.device == torch.device("cpu"))
""")
case("props_leaf_requires_grad", """
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    c = torch.tensor([1.0])
    out("x", [x.is_leaf, x.requires_grad])
    out("y", [y.is_leaf, y.requires_grad])
    out("c", [c.is_leaf, c.requires_grad])
    out("d", [(c * 2).is_leaf, (c * 2).requires_grad])
""")
case("props_set_requires_grad_leaf", """
    x = torch.tensor([1.0, 2.0])
    x.requires_grad = True
    out("x", x)
    x.requires_grad = False
    out("x2", x)
""")
case("props_set_requires_grad_nonleaf_false_error", """
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    y.requires_grad = True
    out("ok", y.requires_grad)
    y.requires_grad = False
""")
case("props_set_requires_grad_int_error", """
    x = torch.tensor([1, 2])
    x.requires_grad = True
""")
case("props_requires_grad_method_int_error", 'torch.tensor([1, 2]).requires_grad_()')
case("props_set_grad_wrong_shape", """
    x = torch.zeros(2, 3, requires_grad=True)
    x.grad = torch.zeros(3)
""")
case("props_set_grad_wrong_type", """
    x = torch.zeros(2, requires_grad=True)
    x.grad = 3
""")
case("props_set_grad_ok_and_none", """
    x = torch.zeros(2, requires_grad=True)
    out("before", x.grad)
    x.grad = torch.ones(2)
    out("after", x.grad)
    x.grad = None
    out("none", x.grad)
""")
case("props_element_size_type", """
    x = torch.ones(2, dtype=torch.float64)
    out("es", x.element_size())
    out("type", x.type())
    out("itype", torch.tensor([1]).type())
    out("fp", [x.is_floating_point(), torch.tensor([1]).is_floating_point()])
    out("is_tensor", [torch.is_tensor(x), torch.is_tensor([1])])
    out("numel_fn", torch.numel(x))
""")

# ---- conversions -------------------------------------------------------------------------------
case("conv_item", """
    out("f", torch.tensor(2.5).item())
    out("i", torch.tensor([3]).item())
    out("b", torch.tensor(True).item())
    out("f64", torch.tensor(0.1, dtype=torch.float64).item())
    out("f32", torch.tensor(0.1).item())
""")
case("conv_item_many_error", 'torch.tensor([1.0, 2.0]).item()')
case("conv_tolist", """
    out("f", torch.tensor([[1.5, 2.0]]).tolist())
    out("i", torch.tensor([1, 2]).tolist())
    out("b", torch.tensor([True]).tolist())
    out("s", torch.tensor(3).tolist())
    out("types", [type(v).__name__ for v in torch.tensor([1.0, 2.0]).tolist()])
""")
case("conv_numpy", """
    a = torch.tensor([1.0, 2.0]).numpy()
    out("a", a)
    out("i", torch.tensor([1, 2]).numpy())
""")
case("conv_numpy_requires_grad_error", 'torch.tensor([1.0], requires_grad=True).numpy()')
case("conv_numpy_detach_ok", 'out("a", torch.tensor([1.0], requires_grad=True).detach().numpy())')
case("conv_python_scalars", """
    out("float", float(torch.tensor(2.5)))
    out("int", int(torch.tensor(2.7)))
    out("int_neg", int(torch.tensor(-2.7)))
    out("bool", bool(torch.tensor(0.0)))
    out("bool1", bool(torch.tensor([3])))
    out("float_int", float(torch.tensor(3)))
""")
case("conv_bool_ambiguous_error", 'bool(torch.tensor([1.0, 2.0]))')
case("conv_float_many_error", 'float(torch.tensor([1.0, 2.0]))')
case("conv_format", """
    out("f", f"{torch.tensor(2.5):.2f}")
    out("i", f"{torch.tensor(3):>4}")
    out("plain", f"{torch.tensor([1.0, 2.0])}")
    out("zero_dim_plain", f"{torch.tensor(1.5)}")
""")
case("conv_to_methods", """
    x = torch.tensor([1.7, -2.2])
    out("to64", x.to(torch.float64))
    out("same", x.to(torch.float32) is x)
    out("dtype_kw", x.to(dtype=torch.float16))
    out("float", x.float() is x)
    out("double", x.double())
    out("long", x.long())
    out("int", x.int())
    out("bool", x.bool())
    out("cpu", x.to("cpu") is x)
    out("type", x.type(torch.float64))
    out("type_as", torch.tensor([1, 2]).type_as(x))
""")
case("conv_to_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.to(torch.float64)
    out("y", y)
    (y * y).sum().backward()
    out("grad", x.grad)
""")
case("conv_len_iter", """
    x = torch.tensor([[1, 2], [3, 4]])
    out("len", len(x))
    out("rows", list(x))
    out("index", [10, 20, 30][torch.tensor(1)])
""")
case("conv_len_0d_error", 'len(torch.tensor(1.0))')
case("conv_iter_0d_error", 'iter(torch.tensor(1.0))')

# ---- detach / clone / requires_grad_ / retain_grad / hooks -------------------------------------
case("detach_shares_data", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    out("d", d)
    out("flags", [d.requires_grad, d.is_leaf])
    d.add_(1)
    out("x", x)
    out("versions", [x._version, d._version])
""")
case("clone_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    out("c", c)
    (c * 3).sum().backward()
    out("grad", x.grad)
    out("plain", torch.tensor([1, 2]).clone())
""")
case("requires_grad_method", """
    x = torch.tensor([1.0, 2.0])
    r = x.requires_grad_()
    out("same", r is x)
    out("x", x)
    x.requires_grad_(False)
    out("off", x.requires_grad)
""")
case("requires_grad_nonleaf_off_error", """
    x = torch.tensor([1.0], requires_grad=True)
    y = x + 1
    y.requires_grad_(False)
""")
case("retain_grad_nonleaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    out("y.grad", y.grad)
    out("x.grad", x.grad)
    out("retains", [y.retains_grad, x.retains_grad])
""")
case("retain_grad_no_requires_error", 'torch.tensor([1.0]).retain_grad()')
case("hook_leaf_replaces_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    out("grad", x.grad)
""")
case("hook_intermediate_replaces_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.register_hook(lambda g: g + 1)
    y.sum().backward()
    out("grad", x.grad)
""")
case("hook_observes", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    seen = []
    y.register_hook(lambda g: seen.append(g.clone()))
    y.sum().backward()
    out("seen", seen)
    out("grad", x.grad)
""")
case("hook_remove", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x.register_hook(lambda g: g * 0)
    h.remove()
    (x * 2).sum().backward()
    out("grad", x.grad)
""")
case("hook_two_in_order", """
    x = torch.tensor([1.0], requires_grad=True)
    x.register_hook(lambda g: g + 1)
    x.register_hook(lambda g: g * 10)
    (x * 2).sum().backward()
    out("grad", x.grad)
""")
case("hook_no_requires_grad_error", 'torch.tensor([1.0]).register_hook(lambda g: g)')

# ---- zero_ / fill_ / copy_ ---------------------------------------------------------------------
case("zero_fill_copy", """
    x = torch.tensor([1.0, 2.0])
    r = x.zero_()
    out("zero", [r is x, x])
    x.fill_(3.5)
    out("fill", x)
    x.copy_(torch.tensor([7.0, 8.0]))
    out("copy", x)
    out("version", x._version)
""")
case("fill_int_truncates", """
    x = torch.tensor([1, 2])
    x.fill_(2.9)
    out("x", x)
""")
case("copy_broadcast_and_cast", """
    x = torch.zeros(2, 3)
    x.copy_(torch.tensor([1, 2, 3]))
    out("x", x)
""")
case("copy_shape_error", """
    x = torch.zeros(2, 3)
    x.copy_(torch.ones(4))
""")
case("fill_leaf_requires_grad_error", 'torch.zeros(2, requires_grad=True).fill_(1)')
case("zero_nonleaf_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.zero_()
    out("y", y)
    (y + x).sum().backward()
    out("grad", x.grad)
""")
case("fill_nonleaf_grad_fn", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.fill_(5)
    out("y", y)
    (y * x).sum().backward()
    out("grad", x.grad)
""")
case("copy_nonleaf_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    s = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * 2
    y.copy_(s * s)
    out("y", y)
    y.sum().backward()
    out("x.grad", x.grad)
    out("s.grad", s.grad)
""")
case("fill_under_no_grad", """
    x = torch.zeros(2, requires_grad=True)
    with torch.no_grad():
        x.fill_(1.5)
    out("x", x)
    out("v", x._version)
""")

# ---- operators ---------------------------------------------------------------------------------
case("ops_arith_tensor_tensor", """
    a = torch.tensor([1.0, 2.0, 3.0])
    b = torch.tensor([4.0, 5.0, 6.0])
    out("add", a + b)
    out("sub", a - b)
    out("mul", a * b)
    out("div", a / b)
    out("pow", a ** b)
    out("neg", -a)
    out("pos", +a)
""")
case("ops_arith_scalar_reflected", """
    a = torch.tensor([1.0, 2.0, 4.0])
    out("radd", 2 + a)
    out("rsub", 2 - a)
    out("rmul", 3 * a)
    out("rdiv", 2 / a)
    out("rpow", 2 ** a)
    out("rfloordiv", 7 // a)
    out("rmod", 7 % a)
""")
case("ops_functional_forms", """
    a = torch.tensor([1.0, -2.0])
    b = torch.tensor([3.0, 4.0])
    out("add_alpha", torch.add(a, b, alpha=2))
    out("sub_alpha", torch.sub(a, b, alpha=0.5))
    out("mul", torch.mul(a, 2))
    out("div_floor", torch.div(torch.tensor([7.0, -7.0]), 2, rounding_mode="floor"))
    out("div_trunc", torch.div(torch.tensor([7.0, -7.0]), 2, rounding_mode="trunc"))
    out("div_int_trunc", torch.div(torch.tensor([7, -7]), 2, rounding_mode="trunc"))
    out("neg", torch.neg(a))
""")
case("ops_inplace_operators", """
    x = torch.tensor([1.0, 2.0])
    ident = id(x)
    x += 1
    x -= 0.5
    x *= 4
    x /= 2
    x **= 2
    out("x", x)
    out("same", id(x) == ident)
    out("version", x._version)
""")
case("ops_inplace_methods", """
    x = torch.tensor([1.0, 4.0])
    out("add_", x.add_(1) is x)
    x.mul_(2).sub_(1)
    out("x", x)
    x.sqrt_()
    out("sqrt", x)
    x.clamp_(min=2.0)
    out("clamp", x)
    out("version", x._version)
""")
case("ops_matmul_variants", """
    a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = torch.tensor([1.0, -1.0])
    out("mm", a @ a)
    out("mv", a @ v)
    out("vm", v @ a)
    out("dot", v @ v)
    out("mm_fn", torch.mm(a, a))
    out("matmul", torch.matmul(a, v))
    b = torch.ones(2, 2, 3)
    out("batched", a @ b)
""")
case("ops_matmul_shape_error", 'torch.ones(2, 3) @ torch.ones(2, 3)')
case("ops_matmul_dtype_error", 'torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64)')
case("ops_matmul_0d_error", 'torch.tensor(1.0) @ torch.ones(2)')
case("ops_bitwise_logical", """
    b = torch.tensor([True, False, True])
    c = torch.tensor([True, True, False])
    out("and", b & c)
    out("or", b | c)
    out("xor", b ^ c)
    out("not", ~b)
    i = torch.tensor([12, 10])
    out("iand", i & 6)
    out("inot", ~i)
""")
case("ops_comparisons", """
    a = torch.tensor([1.0, 2.0, 3.0])
    b = torch.tensor([3.0, 2.0, 1.0])
    out("eq", a == b)
    out("ne", a != b)
    out("lt", a < b)
    out("le", a <= b)
    out("gt", a > 2)
    out("ge", 2 <= a)
    out("fn", torch.eq(a, 2.0))
""")
case("ops_broadcast_error", 'torch.ones(2, 3) + torch.ones(4)')
case("ops_broadcasting", """
    a = torch.tensor([[1.0], [2.0]])
    b = torch.tensor([10.0, 20.0, 30.0])
    out("r", a + b)
""")
case("ops_division_by_zero", """
    out("f", torch.tensor([1.0, -1.0, 0.0]) / 0)
    out("i", torch.tensor([1, -1]) / 0)
""")

# ---- indexing ----------------------------------------------------------------------------------
case("getitem_basic", """
    x = torch.arange(12).reshape(3, 4)
    out("int", x[1])
    out("neg", x[-1])
    out("elem", x[1, 2])
    out("slice", x[:, 1:3])
    out("step", x[::2, ::3])
    out("none", x[None].shape)
    out("none_mid", x[:, None, 1].shape)
    out("ellipsis", x[..., 0])
    out("ellipsis_none", x[..., None].shape)
""")
case("getitem_advanced", """
    x = torch.arange(12).reshape(3, 4)
    out("mask", x[x > 6])
    out("row_mask", x[torch.tensor([True, False, True])])
    out("list", x[[0, 2]])
    out("tensor_idx", x[torch.tensor([2, 0, 2])])
    out("pair", x[[0, 1], [3, 2]])
    out("neg_list", x[:, [-1, 0]])
    out("0d_index", x[torch.tensor(1)])
""")
case("getitem_out_of_range", 'torch.arange(3)[5]')
case("getitem_too_many_indices", 'torch.arange(3)[0, 0]')
case("getitem_float_index_error", 'torch.arange(3)[torch.tensor([0.0])]')
case("getitem_grad_fns", """
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out("select", x[0].grad_fn)
    out("slice", x[:, 1:].grad_fn)
    out("index", x[[0, 1]].grad_fn)
    out("mask", x[x > 2].grad_fn)
    out("unsq", x[None].grad_fn)
""")
case("getitem_backward", """
    x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x[1:3].sum() + x[[0, 0]].sum() * 2 + x[-1] * 5
    y.backward()
    out("grad", x.grad)
""")
case("getitem_mask_backward", """
    x = torch.tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    y = x[x > 0]
    out("y", y)
    (y * y).sum().backward()
    out("grad", x.grad)
""")
case("setitem_leaf_no_grad", """
    x = torch.zeros(3, requires_grad=True)
    with torch.no_grad():
        x[1] = 5.0
    out("x", x)
    out("version", x._version)
""")
case("setitem_leaf_requires_grad_error", """
    x = torch.zeros(3, requires_grad=True)
    x[0] = 1.0
""")
case("setitem_plain", """
    x = torch.zeros(2, 3)
    x[0] = 1
    x[:, 2] = torch.tensor([7.0, 8.0])
    x[x == 0] = -1
    x[1, [0, 1]] = torch.tensor([4.0, 5.0])
    out("x", x)
    i = torch.zeros(3, dtype=torch.int64)
    i[1] = 2.7
    out("i", i)
""")
case("setitem_nonleaf_copyslices", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[0] = 0.0
    out("y", y)
    y.sum().backward()
    out("grad", x.grad)
""")
case("setitem_value_requires_grad", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor(4.0, requires_grad=True)
    y = x.clone()
    y[1] = v * 3
    out("y", y)
    (y * y).sum().backward()
    out("x.grad", x.grad)
    out("v.grad", v.grad)
""")
case("setitem_plain_with_requires_grad_value", """
    y = torch.zeros(3)
    v = torch.tensor(2.0, requires_grad=True)
    y[0] = v
    out("y", y)
    y.sum().backward()
    out("v.grad", v.grad)
""")

# ---- reprs -------------------------------------------------------------------------------------
case("repr_basic", """
    out("f", repr(torch.tensor([1.0, 2.5])))
    out("i", repr(torch.tensor([1, 2])))
    out("b", repr(torch.tensor([True, False])))
    out("0d", repr(torch.tensor(3.0)))
    out("empty", repr(torch.tensor([])))
    out("2d", repr(torch.tensor([[1.0, 2.0], [3.0, 4.0]])))
    out("str", str(torch.tensor([1.0])))
""")
case("repr_dtype_suffix", """
    out("f64", repr(torch.tensor([1.0, 2.0], dtype=torch.float64)))
    out("f16", repr(torch.tensor([1.5], dtype=torch.float16)))
    out("i32", repr(torch.tensor([1, 2], dtype=torch.int32)))
    out("u8", repr(torch.tensor([1], dtype=torch.uint8)))
    out("empty_i32", repr(torch.zeros(0, dtype=torch.int32)))
""")
case("repr_autograd", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out("leaf", repr(x))
    out("mul", repr(x * 2))
    out("sum", repr(x.sum()))
    out("f64", repr(torch.tensor([1.0], dtype=torch.float64, requires_grad=True)))
    out("f64_op", repr(torch.tensor([1.0], dtype=torch.float64, requires_grad=True) * 2))
""")
case("repr_sci_notation", """
    out("small", repr(torch.tensor([1e-8, 1.0])))
    out("big", repr(torch.tensor([1e10, 1.0])))
    out("mixed", repr(torch.tensor([0.0001, 12345.678])))
    out("nan_inf", repr(torch.tensor([float("nan"), float("inf"), -float("inf"), 1.0])))
""")
case("repr_summarised", """
    out("long", repr(torch.arange(2000.0)))
    out("2d", repr(torch.arange(3000).reshape(100, 30)))
""")
case("repr_grad_fn_object", """
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    out("starts", repr(y.grad_fn).startswith("<MulBackward0 object at 0x"))
    out("name", y.grad_fn.name())
""")

# ---- ops with grads ----------------------------------------------------------------------------
_GRAD_TEMPLATE = """
    x = torch.tensor({x}, requires_grad=True)
    y = {expr}
    out("y", y)
    y.backward(torch.ones_like(y))  # (not y.sum(): one compile less per shape keeps it fast)
    out("grad", x.grad)
"""


def grad_case(name: str, expr: str, x: str = "[0.5, 1.0, 2.0]", **flags: Any) -> None:
    case(name, _GRAD_TEMPLATE.format(x=x, expr=expr), **flags)


grad_case("grad_add", "x + 2")
grad_case("grad_add_tensor", "x + x")
grad_case("grad_sub", "3 - x")
grad_case("grad_mul", "x * x * 3")
grad_case("grad_div", "x / 4")
grad_case("grad_rdiv", "1 / x")
grad_case("grad_div_tensor", "x / (x + 1)")
grad_case("grad_pow_scalar", "x ** 3")
grad_case("grad_pow_tensor", "x ** x")
grad_case("grad_rpow", "2 ** x")
grad_case("grad_neg", "-x")
grad_case("grad_exp", "x.exp()")
grad_case("grad_log", "torch.log(x)")
grad_case("grad_sin", "x.sin()")
grad_case("grad_cos", "torch.cos(x)")
grad_case("grad_tanh", "x.tanh()")
grad_case("grad_sigmoid", "torch.sigmoid(x)")
grad_case("grad_relu", "torch.relu(x)", x="[-1.0, 0.5, 2.0]")
grad_case("grad_abs", "x.abs()", x="[-1.0, 0.5, 2.0]")
grad_case("grad_sqrt", "x.sqrt()")
grad_case("grad_pow_fn", "torch.pow(x, 2)")
grad_case("grad_clamp", "x.clamp(0.75, 1.5)")
grad_case("grad_clamp_min", "torch.clamp(x, min=1.0)")
grad_case("grad_maximum", "torch.maximum(x, torch.tensor([1.0, 1.0, 1.0]))")
grad_case("grad_minimum", "torch.minimum(x, torch.tensor(1.0))")
grad_case("grad_max_all", "x.max()")
grad_case("grad_min_all", "torch.min(x)")
grad_case("grad_sum", "x.sum()")
grad_case("grad_mean", "x.mean()")
grad_case("grad_sum_dim", "x.sum(dim=1)", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_sum_keepdim", "x.sum(0, keepdim=True)", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_mean_dim", "x.mean(dim=-1) * torch.tensor([1.0, 2.0])",
          x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_reshape", "x.reshape(3, 1) * torch.tensor([[1.0], [2.0], [3.0]])")
grad_case("grad_view", "x.view(-1, 2)[0] * 3", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_transpose", "x.transpose(0, 1) * torch.tensor([[1.0, 2.0]])",
          x="[[1.0], [3.0]]")
grad_case("grad_permute", "x.permute(1, 0) @ torch.tensor([[1.0, 0.0], [0.0, 2.0]])",
          x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_unsqueeze", "x.unsqueeze(0) * torch.tensor([[2.0], [3.0]])")
grad_case("grad_squeeze", "x.squeeze() * 2", x="[[1.0, 2.0]]")
grad_case("grad_squeeze_dim", "x.squeeze(0) * 2", x="[[1.0, 2.0]]")
grad_case("grad_T", "x.T @ torch.tensor([1.0, 2.0])", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_t", "x.t() * torch.tensor([1.0, 2.0])", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_matmul", "x @ torch.tensor([[1.0, 2.0], [3.0, 4.0]])",
          x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_mm_self", "torch.mm(x, x)", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_dot", "torch.dot(x, x)")
grad_case("grad_mv", "torch.mv(torch.tensor([[1.0, 2.0, 3.0]]), x)")
grad_case("grad_cat", "torch.cat([x, x * 2, torch.ones(1)])")
grad_case("grad_stack", "torch.stack([x, x ** 2], dim=1)")
grad_case("grad_where", "torch.where(x > 0.75, x * 2, x ** 2)")
grad_case("grad_where_scalar", "torch.where(x > 0.75, x, 0.0)")
grad_case("grad_max_dim", "x.max(dim=1).values", x="[[1.0, 5.0], [3.0, 2.0]]")
grad_case("grad_min_dim_keepdim", "torch.min(x, 0, keepdim=True)[0]",
          x="[[1.0, 5.0], [3.0, 2.0]]")
grad_case("grad_flatten", "x.flatten() * torch.tensor([1.0, 2.0, 3.0, 4.0])",
          x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_expand", "x.expand(2, 3) * torch.tensor([[1.0], [2.0]])")
case("grad_float64", """
    x = torch.tensor([0.5, 1.0], dtype=torch.float64, requires_grad=True)
    y = (x * 2).exp()
    out("y", y)
    y.sum().backward()
    out("grad", x.grad)
""")

case("max_min_results", """
    x = torch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    r = x.max(dim=1)
    out("values", r.values)
    out("indices", r.indices)
    out("tuple", tuple(r))
    out("type", type(r).__name__)
    out("min0", torch.min(x, 0))
    out("argmax", x.argmax())
    out("argmin_dim", x.argmin(dim=1))
    out("max_binary", torch.max(x, torch.tensor(4.0)))
""")
case("reductions_values", """
    x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    out("sum", x.sum())
    out("sum0", x.sum(0))
    out("sum_tuple", x.sum((0, 1)))
    out("sum_neg_keep", x.sum(-1, keepdim=True))
    out("mean", x.mean())
    out("mean1", torch.mean(x, 1))
    out("sum_dtype", x.sum(dtype=torch.float64))
""")
case("shape_ops_values", """
    x = torch.arange(6)
    out("reshape", x.reshape(2, 3))
    out("view", x.view(3, -1))
    out("transpose", x.reshape(2, 3).transpose(0, 1))
    out("permute", x.reshape(1, 2, 3).permute(2, 0, 1).shape)
    out("unsqueeze", x.unsqueeze(-1).shape)
    out("squeeze", torch.zeros(1, 3, 1).squeeze().shape)
    out("squeeze_dim", torch.zeros(1, 3, 1).squeeze(2).shape)
    out("T", x.reshape(2, 3).T)
    out("flatten", torch.zeros(2, 3, 4).flatten(1).shape)
""")
case("shape_view_error", 'torch.arange(6).view(4, -1)')
case("shape_T_non_2d_warns_once", """
    # torch's warning is TORCH_WARN_ONCE (once per process), so whether this case sees it
    # depends on what ran before: record it locally and check only "at most once"
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        a = torch.tensor([1.0, 2.0]).T
        b = torch.zeros(2, 3, 4).T
        c = torch.zeros(3).T
    out("a", a)
    out("b", b.shape)
    out("c", c.shape)
    out("at_most_once", len(caught) <= 1)
    out("about_T", all("`x.T`" in str(w.message) for w in caught))
""")
case("cat_stack_where_values", """
    a = torch.tensor([[1, 2]])
    b = torch.tensor([[3, 4]])
    out("cat0", torch.cat([a, b]))
    out("cat1", torch.cat((a, b), dim=1))
    out("cat_promote", torch.cat([a, torch.tensor([[0.5, 1.5]])]))
    out("stack", torch.stack([a, b]))
    out("stack_last", torch.stack([a, b], dim=-1).shape)
    out("where", torch.where(a > 1, a, b))
    out("where_scalar", torch.where(torch.tensor([True, False]), 1.0, 0.0))
""")
case("cat_size_error", 'torch.cat([torch.ones(2, 3), torch.ones(2, 4)])')
case("stack_size_error", 'torch.stack([torch.ones(2), torch.ones(3)])')

# ---- grad_fn names and next_functions ---------------------------------------------------------
case("grad_fn_names", """
    # names not already recorded by another case (grad cases record y's grad_fn too)
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out("view", x.view(4).grad_fn)
    out("reshape", x.reshape(4).grad_fn)
    out("t", x.t().grad_fn)
    out("T", x.T.grad_fn)
    out("transpose", x.transpose(0, 1).grad_fn)
    out("permute", x.permute(1, 0).grad_fn)
    out("unsqueeze", x.unsqueeze(0).grad_fn)
    out("squeeze", x.unsqueeze(0).squeeze().grad_fn)
    out("squeeze_dim", x.unsqueeze(0).squeeze(0).grad_fn)
    out("expand", x[0].expand(3, 2).grad_fn)
    out("rdiv", (2 / x).grad_fn)
""")
case("next_functions_names", """
    def names(fn):
        return [(None if f is None else type(f).__name__, i) for f, i in fn.next_functions]

    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * w + 1
    out("y", y.grad_fn)
    out("y.next", names(y.grad_fn))
    out("mul.next", names(y.grad_fn.next_functions[0][0]))
    z = (x * 2).sum()
    out("z.next", names(z.grad_fn))
    out("mul2.next", names(z.grad_fn.next_functions[0][0]))
    c = torch.tensor([1.0, 2.0])
    out("const.next", names((x + c).grad_fn))
    acc = y.grad_fn.next_functions[0][0].next_functions[0][0]
    out("acc", acc)
    out("acc.variable", acc.variable is x)
""")
case("next_functions_cat", """
    x = torch.tensor([1.0], requires_grad=True)
    y = torch.cat([x * 2, torch.ones(1), x.exp()])
    out("next", [(None if f is None else type(f).__name__, i) for f, i in y.grad_fn.next_functions])
""")

# ---- backward ----------------------------------------------------------------------------------
case("backward_gradient_arg", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(torch.tensor([1.0, 0.5, 2.0]))
    out("grad", x.grad)
""")
case("backward_gradient_shape_error", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * 2).backward(torch.ones(2))
""")
case("backward_nonscalar_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward()
""")
case("backward_no_grad_fn_error", 'torch.tensor([1.0]).sum().backward()')
case("backward_retain_graph", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    out("g1", x.grad.clone())
    y.backward()
    out("g2", x.grad)
""")
case("backward_twice_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    out("g1", x.grad)
    y.backward()
""")
case("backward_twice_exp_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward()
    y.backward()
""")
case("backward_twice_no_saved_ok", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    out("grad", x.grad)
""")
case("backward_accumulates_same_object", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    g1 = x.grad
    out("g1", g1.clone())
    (x * x).sum().backward()
    out("g2", x.grad)
    out("same", x.grad is g1)
    out("g1_now", g1)
""")
case("backward_zero_grad_and_reuse", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    x.grad.zero_()
    (x * x).sum().backward()
    out("grad", x.grad)
    x.grad = None
    (x * 2).sum().backward()
    out("fresh", x.grad)
""")
case("backward_inputs_arg", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    (x * w).sum().backward(inputs=[x])
    out("x.grad", x.grad)
    out("w.grad", w.grad)
""")
case("backward_inputs_nonleaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    (h * h).sum().backward(inputs=[h])
    out("h.grad", h.grad)
    out("x.grad", x.grad)
""")
case("backward_multiple_leaves_shared", """
    a = torch.tensor(2.0, requires_grad=True)
    b = torch.tensor(3.0, requires_grad=True)
    c = a * b
    d = c * a + b.exp()
    d.backward()
    out("a", a.grad)
    out("b", b.grad)
""")
case("backward_int_output_error", """
    x = torch.tensor([1.0], requires_grad=True)
    (x > 0).sum().backward()
""")
case("autograd_backward_fn", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y1 = x * 2
    y2 = (x * x).sum()
    torch.autograd.backward([y1, y2], [torch.tensor([1.0, 1.0]), None])
    out("grad", x.grad)
""")
case("autograd_backward_scalar", """
    x = torch.tensor(3.0, requires_grad=True)
    torch.autograd.backward(x * x)
    out("grad", x.grad)
""")
case("nonleaf_grad_warning", """
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    out("g", y.grad)
""")
case("leaf_grad_no_warning", """
    x = torch.tensor([1.0], requires_grad=True)
    out("g", x.grad)
""")

# ---- in-place and version counter -------------------------------------------------------------
case("inplace_leaf_error", """
    x = torch.tensor([1.0], requires_grad=True)
    x.add_(1)
""")
case("inplace_leaf_operator_error", """
    x = torch.tensor([1.0], requires_grad=True)
    x += 1
""")
case("inplace_leaf_no_grad_ok", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        x.mul_(3)
        x -= 1
    out("x", x)
    out("v", x._version)
""")
case("version_counter", """
    x = torch.tensor([1.0, 2.0])
    out("v0", x._version)
    x.add_(1)
    out("v1", x._version)
    x[0] = 5
    out("v2", x._version)
    x += 1
    out("v3", x._version)
    y = x.clone()
    out("clone", y._version)
    y.zero_()
    out("clone_after", [y._version, x._version])
""")
case("inplace_nonleaf_ok", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    out("y", y)
    out("v", y._version)
    y.sum().backward()
    out("grad", x.grad)
""")
case("inplace_nonleaf_mul_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x + 0
    y.mul_(x)
    out("y", y)
    y.sum().backward()
    out("grad", x.grad)
""")
case("modified_inplace_output_saved", """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b.exp()
    c.add_(1)
    c.sum().backward()
""", key=["modified by an inplace operation", "[torch.FloatTensor [2]], which is output 0 of Exp, "
         "is at version 1; expected version 0 instead"])
case("modified_inplace_input_saved", """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b * b
    b.add_(1)
    c.sum().backward()
""", key=["modified by an inplace operation", "[torch.FloatTensor [2]], which is output 0 of Add, "
         "is at version 1; expected version 0 instead"])
case("modified_inplace_leaf_data_saved", """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a.sin()
    with torch.no_grad():
        a.mul_(2)
    b.sum().backward()
""", key=["modified by an inplace operation", "is at version 1; expected version 0 instead"])
case("modified_inplace_not_saved_ok", """
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = a * 1
    c = b + 2
    b.add_(1)
    c.sum().backward()
    out("grad", a.grad)
""")

# ---- autograd.grad ----------------------------------------------------------------------------
case("autograd_grad_basic", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).sum()
    (g,) = torch.autograd.grad(y, x)
    out("g", g)
    out("x.grad", x.grad)
    out("type", type(torch.autograd.grad((x * 3).sum(), [x])).__name__)
""")
case("autograd_grad_allow_unused", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([3.0], requires_grad=True)
    y = (x * 2).sum()
    out("g", torch.autograd.grad(y, [x, z], allow_unused=True))
""")
case("autograd_grad_unused_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([3.0], requires_grad=True)
    torch.autograd.grad((x * 2).sum(), [x, z])
""")
case("autograd_grad_materialize", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    z = torch.tensor([3.0], requires_grad=True)
    out("g", torch.autograd.grad((x * 2).sum(), [x, z], materialize_grads=True))
""")
case("autograd_grad_input_no_requires_grad_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    c = torch.tensor([1.0])
    torch.autograd.grad((x * 2).sum(), [c])
""")
case("autograd_grad_output_no_requires_grad_error", """
    x = torch.tensor([1.0, 2.0])
    torch.autograd.grad(x.sum(), [x])
""")
case("autograd_grad_grad_outputs", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x ** 2
    out("g", torch.autograd.grad(y, x, grad_outputs=torch.tensor([1.0, 10.0])))
""")
case("autograd_grad_nonleaf_input", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h ** 2).sum()
    out("g", torch.autograd.grad(y, h))
""")
case("autograd_grad_twice_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    torch.autograd.grad(y, x)
    torch.autograd.grad(y, x)
""")
case("autograd_grad_retain_graph", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    a = torch.autograd.grad(y, x, retain_graph=True)
    b = torch.autograd.grad(y, x)
    out("a", a)
    out("b", b)
""")
case("second_derivative_cube", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 3).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    out("g", g.detach())
    out("g_flags", [g.requires_grad, g.is_leaf])
    (g2,) = torch.autograd.grad(g.sum(), x)
    out("g2", g2)
""")
case("second_derivative_sin", """
    x = torch.tensor([0.5, 1.0], requires_grad=True)
    (g,) = torch.autograd.grad(x.sin().sum(), x, create_graph=True)
    out("g", g.detach())
    (g2,) = torch.autograd.grad(g.sum(), x, create_graph=True)
    out("g2", g2.detach())
    (g3,) = torch.autograd.grad(g2.sum(), x)
    out("g3", g3)
""")
case("second_derivative_backward", """
    x = torch.tensor(2.0, requires_grad=True)
    y = x ** 3
    import warnings
    with warnings.catch_warnings():
        # torch warns once per process about the .grad reference cycle: order-dependent here
        warnings.simplefilter("ignore")
        y.backward(create_graph=True)
    out("grad_flags", [x.grad.requires_grad, x.grad.item()])
    g = x.grad
    x.grad = None
    g.backward()
    out("grad2", x.grad)
""")
case("second_derivative_mixed", """
    x = torch.tensor(1.5, requires_grad=True)
    w = torch.tensor(2.0, requires_grad=True)
    y = x * x * w
    (gx,) = torch.autograd.grad(y, x, create_graph=True)
    out("gx", gx.item())
    gw, = torch.autograd.grad(gx, w)
    out("gw", gw)
""")
case("create_graph_grad_fn_name", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    out("g", g)
""", xfail=True, reason="grad_fn of a create_graph gradient is named after torch's derivative "
                        "formula's last op (MulBackward0); ours names the recorded vjp node "
                        "(PowBackward0Backward)")

# ---- grad modes --------------------------------------------------------------------------------
case("no_grad_results", """
    x = torch.tensor([1.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
        out("enabled", torch.is_grad_enabled())
    out("y", y)
    out("after", torch.is_grad_enabled())
""")
case("enable_grad_inside_no_grad", """
    x = torch.tensor([1.0], requires_grad=True)
    with torch.no_grad():
        with torch.enable_grad():
            y = x * 2
        z = x * 2
    out("y", y)
    out("z", z)
""")
case("set_grad_enabled_modes", """
    x = torch.tensor([1.0], requires_grad=True)
    with torch.set_grad_enabled(False):
        a = x * 2
    torch.set_grad_enabled(False)
    b = x * 2
    out("off", torch.is_grad_enabled())
    torch.set_grad_enabled(True)
    c = x * 2
    out("a", a.requires_grad)
    out("b", b.requires_grad)
    out("c", c.requires_grad)
""")
case("no_grad_decorator", """
    @torch.no_grad()
    def f(t):
        return t * 2

    x = torch.tensor([1.0], requires_grad=True)
    out("y", f(x))
    out("after", torch.is_grad_enabled())
""")
case("inference_mode_results", """
    x = torch.tensor([1.0], requires_grad=True)
    with torch.inference_mode():
        y = x * 2
        t = torch.ones(2)
        out("enabled", [torch.is_grad_enabled(), torch.is_inference_mode_enabled()])
    out("y", y)
    out("is_inf", [y.is_inference(), t.is_inference(), x.is_inference()])
""")
case("inference_tensor_inplace_error", """
    with torch.inference_mode():
        t = torch.ones(2)
    t.add_(1)
""")
case("inference_tensor_saved_error", """
    with torch.inference_mode():
        t = torch.ones(2)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * t
""")
case("inference_tensor_requires_grad_error", """
    with torch.inference_mode():
        t = torch.ones(2)
    t.requires_grad_()
""")
case("inference_tensor_clone_ok", """
    with torch.inference_mode():
        t = torch.ones(2)
    c = t.clone()
    out("c", [c.is_inference(), c])
    c.add_(1)
    out("c2", c)
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out("sum", (x + t).sum())
""")
case("inference_mode_false", """
    x = torch.tensor([1.0], requires_grad=True)
    with torch.inference_mode(False):
        y = x * 2
    out("y", [y.requires_grad, y.is_inference()])
""")

# ---- training loop -----------------------------------------------------------------------------
case("manual_sgd_loop", """
    xs = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    ys = torch.tensor([1.0, 2.0, 3.0])
    w = torch.tensor([0.1, -0.1], requires_grad=True)
    b = torch.tensor(0.0, requires_grad=True)
    for step in range(4):
        pred = xs @ w + b
        loss = ((pred - ys) ** 2).mean()
        loss.backward()
        out(f"loss{step}", loss.item())
        with torch.no_grad():
            w -= 0.01 * w.grad
            b -= 0.01 * b.grad
        w.grad.zero_()
        b.grad.zero_()
    out("w", w)
    out("b", b)
    out("flags", [w.is_leaf, w.requires_grad, w._version])
""")
case("manual_sgd_loop_grad_none", """
    w = torch.tensor([1.0, -2.0], requires_grad=True)
    for _ in range(3):
        loss = (w.tanh() * torch.tensor([0.5, 2.0])).sum()
        loss.backward()
        with torch.no_grad():
            w.sub_(w.grad, alpha=0.5)
        w.grad = None
    out("w", w)
    out("grad", w.grad)
""")

# ---- gradient edge cases (ties, kinks, boundaries) --------------------------------------------
grad_case("grad_relu_at_zero", "x.relu()", x="[-1.0, 0.0, 2.0]")
grad_case("grad_abs_at_zero", "x.abs()", x="[-1.0, 0.0, 2.0]")
grad_case("grad_clamp_at_bounds", "x.clamp(1.0, 1.5)", x="[0.5, 1.0, 1.5, 2.0]")
grad_case("grad_clamp_max_only", "x.clamp(max=1.0)", x="[0.5, 1.0, 2.0]")
grad_case("grad_max_ties", "x.max()", x="[1.0, 3.0, 3.0]")
grad_case("grad_max_dim_ties", "x.max(dim=0).values", x="[[1.0, 3.0], [1.0, 2.0]]")
grad_case("grad_maximum_ties", "torch.maximum(x, torch.tensor([1.0, 1.0, 3.0]))",
          x="[1.0, 2.0, 3.0]")
grad_case("grad_sqrt_at_zero", "x.sqrt()", x="[0.0, 4.0]")
grad_case("grad_pow_zero_exponent", "x ** 0", x="[0.0, 2.0]")
grad_case("grad_div_rounding_floor", 'torch.div(x, 2, rounding_mode="floor")')
grad_case("grad_where_nan_branch", "torch.where(x > 0, x.sqrt(), torch.zeros(3))",
          x="[-1.0, 0.0, 4.0]")
grad_case("grad_mean_dim1", "x.mean(dim=1)", x="[[1.0, 2.0], [3.0, 5.0]]")

case("inplace_broadcast_shape_error", """
    x = torch.zeros(3)
    x += torch.ones(2, 3)
""")
case("inplace_broadcast_ok", """
    x = torch.zeros(2, 3)
    x += torch.tensor([1.0, 2.0, 3.0])
    x.mul_(torch.tensor([[2.0], [3.0]]))
    out("x", x)
""")
case("copy_into_smaller_error", 'torch.zeros(3).copy_(torch.ones(2, 3))')
case("requires_grad_method_nonleaf_true_ok", """
    x = torch.tensor([1.0], requires_grad=True)
    y = x * 2
    out("same", y.requires_grad_() is y)
    out("y", y)
""")
case("ones_negative_dim_error", 'torch.ones(-2)')
case("fill_tensor_value_grad_fn", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    v = torch.tensor(3.0, requires_grad=True)
    y = x * 2
    y.fill_(v)
    out("y", y)
    y.sum().backward()
    out("x.grad", x.grad)
    out("v.grad", v.grad)
""")
case("fill_nonzero_dim_value_error", 'torch.zeros(2).fill_(torch.ones(2))')
case("inplace_nonleaf_add_requires_grad_other", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = x * 1
    y += w * w
    out("y", y)
    y.sum().backward()
    out("x.grad", x.grad)
    out("w.grad", w.grad)
""")
case("inplace_plain_tensor_becomes_requires_grad", """
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    y = torch.zeros(2)
    y.add_(w)
    out("y", y)
    out("flags", [y.is_leaf, y.requires_grad])
    y.sum().backward()
    out("w.grad", w.grad)
""")
case("grad_dtype_float64_leaf", """
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (x.float() * 2).sum().backward()
    out("grad", x.grad)
""")
case("reductions_empty", """
    out("sum", torch.zeros(0).sum())
    out("mean", torch.zeros(0).mean())
    out("sum_dim", torch.zeros(2, 0).sum(1))
""")
case("max_empty_error", 'torch.zeros(0).max()')
case("retain_graph_then_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().sum()
    y.backward(retain_graph=True)
    (g,) = torch.autograd.grad(y, x)
    out("g", g)
    out("x.grad", x.grad)
""")
case("hook_on_retained_nonleaf", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * 100)
    y.sum().backward()
    out("y.grad", y.grad)
    out("x.grad", x.grad)
""")
case("detach_inplace_seen_by_graph_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y.sin()
    y.detach().zero_()
    z.sum().backward()
""", key=["modified by an inplace operation", "is at version 1; expected version 0 instead"])
case("data_assignment", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.data = torch.tensor([5.0, 6.0])
    out("x", x)
    d = x.data
    out("d", [d.requires_grad, d.is_leaf])
    d.mul_(2)
    out("x2", x)
""")

# ---- more creation / promotion edge cases ------------------------------------------------------
case("tensor_mixed_numpy_scalars", """
    out("np_first", torch.tensor([np.float64(1.5), 2.0]))
    out("py_first", torch.tensor([2.0, np.float64(1.5)]))
    out("np_int", torch.tensor([np.int32(1), 2]))
""")
case("tensor_of_tensors", """
    out("t", torch.tensor([torch.tensor(1.0), torch.tensor(2.0)]))
    out("i", torch.tensor([torch.tensor(1), 2]))
""")
case("tensor_nan_inf", """
    out("nan", torch.tensor(float("nan")))
    out("inf", torch.tensor([float("inf"), -float("inf")]))
""")
case("arange_float_steps", """
    out("a", torch.arange(0, 1, 0.1))
    out("b", torch.arange(1, 2.5, 0.5))
    out("len", len(torch.arange(0, 1, 0.3)))
    out("neg", torch.arange(1.0, 0.0, -0.25))
""")
case("linspace_zero_steps", 'out("t", torch.linspace(0, 1, 0))')
case("full_int_fill_float_dtype", 'out("t", torch.full((2,), 3, dtype=torch.float32))')
case("promo_int8_scalar_overflow", """
    t = torch.tensor([1, 2], dtype=torch.int8)
    out("ok", t + 100)
    out("wrap", t + 200)
""")
case("promo_bool_bool_add", """
    out("add", torch.tensor([True, False]) + torch.tensor([True, False]))
    out("mul", torch.tensor([True, False]) * torch.tensor([True, True]))
""")
case("promo_complex_scalar", """
    out("c", torch.tensor([1.0, 2.0]) * 1j)
    out("ci", torch.tensor([1, 2]) + 2j)
""")
case("promo_int_times_bool_scalar", """
    out("r", torch.tensor([1, 2]) * True)
    out("f", torch.tensor([1.5]) * False)
""")
case("promo_0dim_int_true_div", """
    out("r", torch.tensor(5) / torch.tensor(2))
    out("fd", torch.tensor([5]) // 2.0)
    out("fd0", torch.tensor(5) // torch.tensor(2))
""")
case("promo_float16_reductions", """
    h = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float16)
    out("sum", h.sum())
    out("mean", h.mean())
    out("max", h.max())
""")
case("bool_negation_error", '-torch.tensor([True, False])')
case("bool_subtraction_error", 'torch.tensor([True]) - torch.tensor([False])')

# ---- more properties / shape helpers -----------------------------------------------------------
case("size_object_behaviour", """
    s = torch.zeros(2, 3, 4).shape
    out("eq_tuple", s == (2, 3, 4))
    out("slice", s[1:])
    out("concat", s + (5,))
    out("numel", s.numel())
    out("index", s[-1])
    out("unpack", list(s))
    out("str", str(s))
""")
case("new_factories", """
    x = torch.tensor([1.0, 2.0], dtype=torch.float64)
    out("zeros", x.new_zeros(2, 2))
    out("ones", x.new_ones((3,)))
    out("full", x.new_full((2,), 7))
    out("tensor", x.new_tensor([1, 2]))
    out("empty", [x.new_empty(3).shape, x.new_empty(3).dtype])
""")
case("mT_and_errors", """
    out("mT", torch.zeros(2, 3, 4).mT.shape)
    torch.zeros(3).mT
""")
case("dim_out_of_range_errors", 'torch.zeros(2, 3).sum(dim=5)')
case("transpose_dim_error", 'torch.zeros(2, 3).transpose(0, 2)')
case("permute_duplicate_error", 'torch.zeros(2, 3).permute(0, 0)')
case("cat_empty_error", 'torch.cat([])')
case("squeeze_variants", """
    x = torch.zeros(1, 3, 1, requires_grad=True)
    out("noop", x.squeeze(1).shape)
    out("tuple", x.squeeze((0, 2)).shape)
    out("noop_fn", x.squeeze(1).grad_fn)
    out("tuple_fn", x.squeeze((0, 2)).grad_fn)
""")
case("stack_0dim", 'out("t", torch.stack([torch.tensor(1.0), torch.tensor(2.0)]))')
case("unsqueeze_neg", 'out("s", torch.zeros(2, 3).unsqueeze(-1).shape)')
case("add_string_error", 'torch.tensor([1.0]) + "a"')
case("matmul_int_arg_error", 'torch.tensor([1.0]) @ 2')
case("exp_list_arg_error", 'torch.exp([1.0])')
case("grad_attrs_after_backward", """
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    out("g", g)
    out("flags", [g.requires_grad, g.is_leaf, g.grad_fn])
    out("leaf_grad_fn", x.grad_fn)
""")

# ---- more autograd -----------------------------------------------------------------------------
grad_case("grad_broadcast_add", "x + torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])")
grad_case("grad_broadcast_mul_keepdim", "x * torch.ones(2, 3)", x="[[1.0], [2.0]]")
grad_case("grad_chain_exp_log", "(x.exp() + 1).log() * x")
grad_case("grad_where_both", "torch.where(x > 1.0, x * x, -x)")
grad_case("grad_cat_dim1", "torch.cat([x, x * 3], dim=1)", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_stack_last", "torch.stack([x, x.sin()], dim=-1)")
grad_case("grad_batched_matmul",
          "x @ torch.tensor([[[1.0], [2.0]], [[3.0], [4.0]]])",
          x="[[[1.0, 2.0]], [[3.0, 4.0]]]")
grad_case("grad_vec_mat", "x @ torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])")
grad_case("grad_mul_one", "x * 1", x="[1.0, -2.0, 3.0]")
grad_case("grad_sub_alpha", "torch.sub(x, x * x, alpha=2)")
grad_case("grad_add_alpha", "torch.add(x, x.exp(), alpha=0.5)")
grad_case("grad_abs_neg", "(-x).abs() * x", x="[-2.0, 3.0]")
grad_case("grad_sigmoid_tanh_chain", "x.sigmoid().tanh()")
grad_case("grad_pow_half", "x ** 0.5", x="[1.0, 4.0]")
grad_case("grad_rsub_tensor", "1.5 - x * x")
grad_case("grad_mean_keepdim", "x.mean(0, keepdim=True) * 2", x="[[1.0, 2.0], [3.0, 4.0]]")
grad_case("grad_sum_tuple_dims", "x.sum((0, 2))", x="[[[1.0, 2.0]], [[3.0, 4.0]]]")
grad_case("grad_index_repeated", "x[[0, 0, 2]] * torch.tensor([1.0, 2.0, 3.0])")
grad_case("grad_neg_index_slice", "x[-2:] * 4")

case("setitem_mask_nonleaf_grad", """
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = x * 2
    y[y < 0] = 0.0
    out("y", y)
    y.sum().backward()
    out("grad", x.grad)
""")
case("backward_twice_scalar_mul", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    y.backward()
    out("grad", x.grad)
""")
case("hook_leaf_used_twice_called_once", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.clone()))
    (x * x + x).sum().backward()
    out("calls", calls)
    out("grad", x.grad)
""")
case("hook_intermediate_used_twice", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    calls = []
    h.register_hook(lambda g: calls.append(g.clone()))
    (h * h + h).sum().backward()
    out("calls", calls)
    out("grad", x.grad)
""")
case("autograd_grad_multiple_inputs_outputs", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    a = (x * w).sum()
    b = (x * x).sum()
    out("g", torch.autograd.grad([a, b], [x, w]))
""")
case("autograd_grad_positional_grad_outputs", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    out("g", torch.autograd.grad(x * 3, x, torch.tensor([2.0, 1.0])))
""")
case("autograd_grad_nonscalar_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.grad(x * 3, x)
""")
case("autograd_grad_materialize_allow_unused_false_error", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    torch.autograd.grad((x * 3).sum(), x, allow_unused=False, materialize_grads=True)
""")
case("hessian_vector_product", """
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    v = torch.tensor([1.0, 0.0, -1.0])
    f = (x ** 3).sum() + (x[0] * x[1])
    (g,) = torch.autograd.grad(f, x, create_graph=True)
    (hv,) = torch.autograd.grad((g * v).sum(), x)
    out("g", g.detach())
    out("hv", hv)
""")
case("create_graph_then_backward_into_grad", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad((x.exp() * x).sum(), x, create_graph=True)
    (g * g).sum().backward()
    out("x.grad", x.grad)
""")
case("inference_mode_decorator", """
    @torch.inference_mode()
    def f(t):
        return t * 2

    x = torch.tensor([1.0], requires_grad=True)
    y = f(x)
    out("y", [y.requires_grad, y.is_inference()])
    out("after", torch.is_inference_mode_enabled())
""")
case("inference_factory_requires_grad", """
    with torch.inference_mode():
        t = torch.ones(2, requires_grad=True)
        u = t * 2
    out("t", [t.requires_grad, t.is_leaf, t.is_inference()])
    out("u", [u.requires_grad, u.is_inference()])
""")
case("inference_tensor_op_outside", """
    with torch.inference_mode():
        t = torch.ones(2)
    u = t * 2
    out("u", [u.is_inference(), u.requires_grad])
    out("v", u)
""")
case("no_grad_then_requires_grad", """
    x = torch.tensor([1.0], requires_grad=True)
    with torch.no_grad():
        y = x * 2
    y.requires_grad_()
    out("y", [y.is_leaf, y.requires_grad])
    (y * 3).sum().backward()
    out("y.grad", y.grad)
    out("x.grad", x.grad)
""")
case("sgd_with_data_pattern", """
    w = torch.tensor([1.0, -1.0], requires_grad=True)
    for _ in range(3):
        loss = ((w - torch.tensor([0.5, 0.5])) ** 2).sum()
        loss.backward()
        w.data -= 0.25 * w.grad
        w.grad.data.zero_()
    out("w", w)
    out("grad", w.grad)
    out("version", w._version)
""")
case("version_not_bumped_by_out_of_place", """
    x = torch.tensor([1.0, 2.0])
    y = x + 1
    x.requires_grad_()
    out("v", [x._version, y._version])
    with torch.no_grad():
        x.copy_(torch.tensor([3.0, 4.0]))
    out("after_copy", x._version)
""")
case("repr_more_floats", """
    out("a", repr(torch.tensor([1.0, 2.5, 100.0])))
    out("b", repr(torch.tensor([0.1, 0.25])))
    out("c", repr(torch.tensor([1e-5, 1.0])))
    out("d", repr(torch.tensor([-0.0, 0.0])))
    out("e", repr(torch.tensor([0.1, 0.2]) + 0.1))
    out("f", repr(torch.tensor([123456.0, 1.0])))
    out("list", repr([torch.tensor(1.0), torch.tensor([2])]))
""")
case("repr_bfloat16_float16", """
    out("bf", repr(torch.tensor([1.5, 2.0], dtype=torch.bfloat16)))
    out("h", repr(torch.tensor([0.1, 1000.0], dtype=torch.float16)))
""")
case("repr_grad_after_backward", """
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    out("r", repr(x.grad))
""")

# ---- views: in-place writes through a view reach the base (torchlike_jax/_views.py) --------------
case("view_write_through", """
    x = torch.zeros(2, 3)
    row = x[0]
    row.fill_(5.0)
    out("x", x)
    out("row", row)
    out("versions", (x._version, row._version))
    out("base", row._base is x)
""")
case("view_after_transpose_error", 'torch.arange(6).reshape(2, 3).t().view(6)')
case("layout_strides_and_copies", """
    x = torch.arange(24.).reshape(2, 3, 4)
    out("strides", [(v.is_contiguous(), v.stride(), v.storage_offset()) for v in (
        x.transpose(0, 2), x[:, 1:], x[:, 1], x[1], x.permute(2, 0, 1), x[..., ::2],
        x[0].diagonal(), torch.ones(3, 1).expand(3, 4), x[1].unsqueeze(1), x.narrow(2, 1, 2))])
    y = torch.arange(6.).reshape(2, 3)
    r = y.t().reshape(6)
    r.add_(100)
    c = y.t().contiguous()
    c.add_(1000)
    out("y", y)
    out("viewable", (y.t().view(3, 1, 2).shape, y.t().view(3, 2).is_contiguous()))
    a = torch.ones(2, 3, requires_grad=True)
    out("names", (a.t().reshape(6).grad_fn, a.reshape(6).grad_fn, a.t().contiguous().grad_fn))
""")
case("inplace_on_view_of_leaf_error", """
    x = torch.zeros(3, requires_grad=True)
    x[0:2].add_(1)
""")
case("view_select_add_grad", """
    a = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
    x = a.clone()
    v = x[0]
    out("v_before", v)
    v.add_(1)
    out("v", v)
    out("x", x)
    (x * torch.tensor([[1., 2., 3.], [4., 5., 6.]])).sum().backward()
    out("grad", a.grad)
""")
case("view_reshape_mul_grad", """
    a = torch.tensor([1., 2., 3., 4., 5., 6.], requires_grad=True)
    x = a * 1
    w = x.view(2, 3)
    w.mul_(torch.tensor([1., 2., 3.]))
    out("x", x)
    out("w", w)
    (x ** 2).sum().backward()
    out("grad", a.grad)
""")
case("view_t_zero", """
    a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    x = a.exp()
    x.t().zero_()
    out("x", x)
    x.sum().backward()
    out("grad", a.grad)
""")
case("view_reads_base_writes", """
    a = torch.tensor([1., 2., 3., 4., 5., 6.], requires_grad=True)
    x = (a * 2).view(2, 3)
    u = x.view(6)
    x.add_(1)
    out("u", u)
    out("version", u._version)
    (u * torch.arange(6.)).sum().backward()
    out("grad", a.grad)
""")
case("view_narrow_slice_step", """
    x = torch.zeros(3, 4)
    x.narrow(1, 1, 2).fill_(3.)
    x[:, ::2].add_(1.)
    x[1:][0].mul_(10.)
    out("x", x)
""")
case("view_split_unbind_pieces", """
    x = torch.arange(8.).reshape(4, 2)
    pieces = x.split(2)
    pieces[1].add_(100.)
    rows = x.unbind(0)
    rows[0].neg_()
    c = x.chunk(2, dim=1)
    c[1].zero_()
    out("x", x)
""")
case("view_diagonal_fill", """
    x = torch.zeros(3, 3)
    x.diagonal().fill_(1.)
    out("x", x)
    y = torch.zeros(2, 3)
    y.diagonal(offset=1).add_(5.)
    out("y", y)
""")
case("view_detach_and_data_share", """
    x = torch.tensor([1., 2.], requires_grad=True)
    d = x.detach()
    d.add_(1)
    out("x", x)
    out("versions", (x._version, d._version))
    y = torch.tensor([3., 4.], requires_grad=True)
    y.data.mul_(2)
    out("y", y)
    out("y_version", y._version)
""")
case("view_version_shared", """
    x = torch.ones(2, 2)
    v = x[0]
    w = x.view(4)
    x.add_(1)
    out("versions", (x._version, v._version, w._version))
    v.mul_(3)
    out("versions2", (x._version, v._version, w._version))
    out("w", w)
""")
case("view_saved_modified_error", """
    a = torch.tensor([1., 2.], requires_grad=True)
    e = a.exp()
    e[0].add_(1)
    e.sum().backward()
""")
case("view_write_grad_value_into_plain_tensor", """
    z = torch.zeros(3)
    a = torch.tensor([2., 3.], requires_grad=True)
    z[:2].add_(a * a)
    out("z", z)
    out("leaf", z.is_leaf)
    z.sum().backward()
    out("grad", a.grad)
""")
case("view_no_grad_sgd_through_rows", """
    w = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    (w * w).sum().backward()
    with torch.no_grad():
        for i in range(2):
            w[i].sub_(0.1 * w.grad[i])
    out("w", w)
    out("leaf", (w.is_leaf, w.requires_grad, w._version))
""")
case("view_expanded_write_error", """
    e = torch.ones(3).expand(2, 3)
    e.add_(1)
""")
case("view_setitem_on_view", """
    x = torch.zeros(2, 3)
    r = x[1]
    r[0] = 5.
    r[1:] = torch.tensor([6., 7.])
    out("x", x)
""")
case("view_shape_ops_write", """
    x = torch.zeros(2, 3)
    x.unsqueeze(0).add_(1.)
    x.permute(1, 0)[0].mul_(4.)
    x.flatten()[-1:].fill_(9.)
    x.T[1].sub_(2.)
    x.view_as(torch.empty(3, 2))[2].add_(0.5)
    out("x", x)
""")
case("view_of_view_base", """
    x = torch.zeros(2, 3)
    v = x[0][1:]
    out("base", (v._base is x, x._base is None))
    v.fill_(2.)
    out("x", x)
""")
case("view_no_grad_of_requires_grad", """
    x = torch.ones(2, 3, requires_grad=True)
    with torch.no_grad():
        v = x.reshape(6)
    out("flags", (v.requires_grad, v.is_leaf))
""")
case("view_no_grad_made_written_in_grad_mode_error", """
    x = torch.ones(3, requires_grad=True).clone()
    with torch.no_grad():
        v = x[:2]
    v.add_(1)
""")
case("shift_and_inplace_bitwise_operators", """
    a = torch.tensor([1, 2, 8])
    out("shifts", (a << 1, a >> 1, 2 << a, 16 >> a))
    b = a.clone()
    before = id(b)
    b <<= 1
    b &= 6
    b |= 1
    b ^= 3
    b //= 2
    b %= 3
    out("b", b)
    out("same_object", id(b) == before)
    out("version", b._version)
""")
case("shift_float_error", "torch.tensor([1.]) << 1")
case("complex_real_imag_properties", """
    x = torch.tensor([1 + 2j, 3 - 1j])
    out("parts", (x.real, x.imag))
    out("real_of_float", torch.tensor([1., 2.]).real)
""")
case("return_types_namespace", """
    r = torch.max(torch.tensor([[1., 3.], [2., 0.]]), 1)
    out("is_max", isinstance(r, torch.return_types.max))
    out("sort", isinstance(torch.sort(torch.tensor([2., 1.])), torch.return_types.sort))
    out("slogdet", type(torch.linalg.slogdet(torch.eye(2))).__name__)
""")
case("inplace_asinh_has_no_derivative", """
    a = torch.tensor([0.5, 0.7], requires_grad=True)
    y = a * 1.0
    y.asinh_()
    out("grad_fn", y.grad_fn)
    y.sum().backward()
""")
