"""Binary-op behaviour the op-info table cannot express: aliases being the same function, Python
bool results, ``NotImplemented`` grad_fns whose backward raises, in-place comparisons' grad_fn,
integer division by zero. Expected values were taken from torch 2.13.
"""

from __future__ import annotations

import pytest

import torchlike_jax as torch


@pytest.mark.parametrize("alias,canonical", [
    ("arctan2", "atan2"), ("greater", "gt"), ("greater_equal", "ge"), ("less", "lt"),
    ("less_equal", "le"), ("not_equal", "ne"), ("true_divide", "div"), ("clip", "clamp"),
    ("subtract", "sub"), ("multiply", "mul"), ("divide", "div")])
def test_aliases_are_the_same_function(alias, canonical):
    assert getattr(torch, alias) is getattr(torch, canonical)
    x, y = torch.tensor([1.0, 2.0]), torch.tensor([2.0, 1.0])
    assert getattr(x, alias)(y).tolist() == getattr(x, canonical)(y).tolist()
    assert hasattr(torch.Tensor, alias + "_")


def test_surface_matches_torch():
    """Methods and in-place variants exist exactly where torch has them."""
    for name in ("logaddexp", "fmax", "fmin", "isclose", "allclose", "equal", "dist"):
        assert hasattr(torch.Tensor, name) and not hasattr(torch.Tensor, name + "_"), name
    for name in ("rsub", "isin"):
        assert hasattr(torch, name) and not hasattr(torch.Tensor, name), name
    for name in ("lerp_", "addcdiv_", "clamp_min_", "bitwise_left_shift_", "float_power_",
                 "logical_xor_", "not_equal_", "copysign_", "nextafter_", "igammac_"):
        assert hasattr(torch.Tensor, name), name


def test_python_bool_results():
    a = torch.tensor([1.0, 2.0])
    assert torch.allclose(a, a + 1e-9) is True
    assert a.allclose(a + 1) is False
    assert torch.equal(a, a.clone()) is True
    assert torch.equal(a, a[:1]) is False  # no broadcasting
    assert torch.equal(torch.tensor([1, 2]), a) is True  # compared after promotion


@pytest.mark.parametrize("fn,name", [
    (lambda x, y: torch.floor_divide(x, y), "floor_divide"),
    (lambda x, y: x // y, "floor_divide"),
    (lambda x, y: torch.heaviside(x, y), "heaviside")])
def test_not_implemented_derivatives(fn, name):
    x = torch.tensor([1.5, -2.0], requires_grad=True)
    y = torch.tensor([0.5, 3.0], requires_grad=True)
    out = fn(x, y)
    assert out.requires_grad and type(out.grad_fn).__name__ == "NotImplemented"
    with pytest.raises(RuntimeError, match=f"derivative for aten::{name} is not implemented"):
        out.sum().backward()


def test_inplace_comparison_records_a_zero_gradient_node():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = torch.tensor([1.0, 0.0, 3.0], requires_grad=True)
    z = x.clone()
    z.eq_(y)
    assert z.dtype is torch.float32 and z.tolist() == [1.0, 0.0, 1.0]
    assert type(z.grad_fn).__name__ == "EqBackward1"
    z.sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0] and y.grad.tolist() == [0.0, 0.0, 0.0]
    w = x.clone()
    assert type(w.lt_(2).grad_fn).__name__ == "LtBackward0"
    v = x.clone()
    v.logical_and_(y)  # torch records nothing: self keeps its history
    assert type(v.grad_fn).__name__ == "CloneBackward0" and v.tolist() == [1.0, 0.0, 1.0]
    i = torch.tensor([3, 0, 2])
    assert i.ne_(0).tolist() == [1, 0, 1] and i.dtype is torch.int64


@pytest.mark.parametrize("call", [
    lambda a, b: torch.fmod(a, b), lambda a, b: torch.remainder(a, b),
    lambda a, b: torch.floor_divide(a, b), lambda a, b: a // b,
    lambda a, b: torch.div(a, b, rounding_mode="trunc"),
    lambda a, b: torch.div(a, b, rounding_mode="floor"),
    lambda a, b: torch.fmod(a, 0), lambda a, b: a.remainder_(b)])
def test_integer_division_by_zero_raises(call):
    a, b = torch.tensor([5, -7, 3]), torch.tensor([1, 0, 2])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        call(a, b)
    assert a.tolist() == [5, -7, 3]  # in-place: nothing written


def test_float_division_by_zero_follows_ieee():
    x = torch.tensor([1.0, -1.0, 0.0])
    assert torch.floor_divide(x, 0.0).tolist()[:2] == [float("inf"), -float("inf")]
    assert torch.div(torch.tensor([1, 0]), 0).tolist()[0] == float("inf")


def test_igamma_gradient_flows_to_other_only():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    x = torch.tensor([0.5, 3.0], requires_grad=True)
    torch.igamma(a, x).sum().backward()
    assert a.grad.tolist() == [0.0, 0.0]  # torch raises here; documented in the op table
    # d/dx P(a, x) = x**(a-1) e**-x / Gamma(a)
    assert abs(x.grad[0].item() - 0.6065306597) < 1e-5
    assert abs(x.grad[1].item() - 3.0 * 0.0497870684) < 1e-5


def test_maximum_gradient_at_ties_and_nan():
    a = torch.tensor([1.0, float("nan"), 3.0], requires_grad=True)
    b = torch.tensor([1.0, 2.0, float("nan")], requires_grad=True)
    torch.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.5, 1.0, 1.0] and b.grad.tolist() == [0.5, 1.0, 1.0]
    a.grad = b.grad = None
    torch.fmax(a, b).sum().backward()  # fmax: ties go to input, nan loses
    assert a.grad.tolist() == [1.0, 0.0, 1.0] and b.grad.tolist() == [0.0, 1.0, 0.0]


def test_clamp_tensor_bounds_gradients():
    x = torch.tensor([-1.0, 0.5, 2.0, 0.7], requires_grad=True)
    lo = torch.tensor([0.0, 0.0, 0.0, 1.0], requires_grad=True)
    hi = torch.tensor([1.0, 1.0, 1.0, 0.5], requires_grad=True)
    out = torch.clamp(x, lo, hi)
    assert type(out.grad_fn).__name__ == "ClampBackward0"
    assert out.tolist() == [0.0, 0.5, 1.0, 0.5]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 0.0]
    assert lo.grad.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert hi.grad.tolist() == [0.0, 0.0, 1.0, 1.0]  # max < min: max wins


def test_lerp_is_exact_at_the_ends():
    a, b = torch.tensor([1e8, -3.0]), torch.tensor([1.0, 7.0])
    assert torch.lerp(a, b, 1.0).tolist() == b.tolist()
    assert torch.lerp(a, b, 0.0).tolist() == a.tolist()
