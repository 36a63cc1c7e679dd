"""Unary math and torch.special behaviour the op-info table cannot express: aliases being the
same function, the method / in-place surface matching real torch's, ops that return their
input itself, torch's zero-storage sgn gradient, and non-differentiable special functions."""

from __future__ import annotations

import math

import pytest

import torchlike_jax as torch

real_torch = pytest.importorskip("torch")

# (canonical, aliases) exposed at the top level
ALIASES = {"asin": ("arcsin",), "acos": ("arccos",), "atan": ("arctan",),
           "asinh": ("arcsinh",), "acosh": ("arccosh",), "atanh": ("arctanh",)}
# torch.special names that are torch.* ops under the same or another name
SPECIAL_SHARED = {"erf": "erf", "erfc": "erfc", "erfinv": "erfinv", "exp2": "exp2",
                  "expm1": "expm1", "log1p": "log1p", "digamma": "digamma", "psi": "digamma",
                  "gammaln": "lgamma", "i0": "i0", "sinc": "sinc", "logit": "logit",
                  "polygamma": "polygamma", "multigammaln": "mvlgamma", "xlogy": "xlogy"}
PUBLIC = ("sign sgn exp2 expm1 log2 log10 log1p rsqrt square reciprocal tan asin arcsin acos "
          "arccos atan arctan sinh cosh asinh arcsinh acosh arccosh atanh arctanh erf erfc erfinv "
          "lgamma digamma polygamma mvlgamma i0 sinc floor ceil round frac fix nan_to_num deg2rad "
          "rad2deg logit positive angle signbit isnan isinf isfinite isposinf isneginf isreal "
          "bitwise_not logical_not conj xlogy resolve_conj resolve_neg").split()
SPECIAL = ("expit erfcx ndtr ndtri log_ndtr i0e i1 i1e entr xlog1py zeta round softmax "
           "log_softmax logsumexp modified_bessel_i0 modified_bessel_i1 spherical_bessel_j0"
           ).split() + list(SPECIAL_SHARED)


@pytest.mark.parametrize("name", PUBLIC)
def test_surface_matches_torch(name):
    """torch.X, Tensor.X and Tensor.X_ exist exactly where real torch has them."""
    assert hasattr(torch, name)
    for attr in (name, name + "_"):
        assert hasattr(torch.Tensor, attr) == hasattr(real_torch.Tensor, attr), attr


@pytest.mark.parametrize("name", SPECIAL)
def test_special_namespace(name):
    assert hasattr(real_torch.special, name)
    assert callable(getattr(torch.special, name))


def test_aliases_are_the_same_function():
    for name, aliases in ALIASES.items():
        for a in aliases:
            assert getattr(torch, a) is getattr(torch, name)
    for name, target in SPECIAL_SHARED.items():
        assert getattr(torch.special, name) is getattr(torch, target), name


def test_alias_methods_and_inplace():
    x = torch.tensor([0.1, -0.5, 0.7])
    assert torch.equal(x.arcsin(), torch.asin(x))
    y = x.clone()
    y.arctanh_()
    assert torch.allclose(y, torch.atanh(x))
    assert torch.equal(x.polygamma(2), torch.polygamma(2, x))
    z = torch.tensor([float("nan"), float("inf")])
    z.nan_to_num_(nan=1.5, posinf=2.0)
    assert z.tolist() == [1.5, 2.0]


def test_expit_is_sigmoid():
    x = torch.tensor([0.3, -2.0], requires_grad=True)
    y = torch.special.expit(x)
    assert type(y.grad_fn).__name__ == "SigmoidBackward0"
    assert torch.allclose(y, torch.sigmoid(x))


@pytest.mark.parametrize("name", ["positive", "conj", "real", "resolve_conj", "resolve_neg"])
def test_returns_input_itself(name):
    """As torch: these return ``self`` for real tensors (no copy, no node)."""
    x = torch.tensor([1.0, -2.0], requires_grad=True) * 1
    assert getattr(torch, name)(x) is x
    r = real_torch.tensor([1.0, -2.0], requires_grad=True) * 1
    assert getattr(real_torch, name)(r) is r


def test_sgn_gradient_is_zero():
    """torch's SgnBackward0 gives an (unallocated) zero tensor for real inputs."""
    x = torch.tensor([1.5, -2.0, 0.0], requires_grad=True)
    y = torch.sgn(x)
    assert type(y.grad_fn).__name__ == "SgnBackward0"
    (g,) = torch.autograd.grad(y.sum(), x)
    assert g.tolist() == [0.0, 0.0, 0.0]
    assert type(torch.sign(x).grad_fn).__name__ == "SignBackward0"


def test_round_overloads():
    """Passing ``decimals`` (even 0) selects torch's other overload and node."""
    x = torch.tensor([1.25, -2.5], requires_grad=True)
    assert type(torch.round(x).grad_fn).__name__ == "RoundBackward0"
    assert type(torch.round(x, decimals=0).grad_fn).__name__ == "RoundBackward1"
    assert type(torch.special.round(x).grad_fn).__name__ == "RoundBackward1"


@pytest.mark.parametrize("name", ["modified_bessel_i0", "modified_bessel_i1",
                                  "spherical_bessel_j0"])
def test_not_differentiable_special(name):
    """torch has no derivative for these: the result does not require grad."""
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    y = getattr(torch.special, name)(x)
    r = getattr(real_torch.special, name)(real_torch.tensor([0.5, 1.5], requires_grad=True))
    assert y.requires_grad == r.requires_grad is False
    assert torch.allclose(y, torch.tensor(r.tolist()), atol=1e-6)


def test_in_place_hyperbolic_node_names():
    """torch numbers the in-place asinh_/acosh_/atanh_/polygamma_ nodes ...Backward1."""
    x = torch.tensor([1.5, 2.0], requires_grad=True)
    for name in ("asinh_", "acosh_"):
        assert type(getattr(x.clone(), name)().grad_fn).__name__.endswith("Backward1")
    assert type(x.clone().polygamma_(1).grad_fn).__name__ == "PolygammaBackward1"
    assert type((x * 0.1).atanh_().grad_fn).__name__ == "AtanhBackward1"


def test_mvlgamma_value():
    x = torch.tensor([2.5])
    expected = math.log(math.pi) / 4 * 2 + math.lgamma(2.5) + math.lgamma(2.0)
    assert math.isclose(torch.mvlgamma(x, 2).item(), expected, rel_tol=1e-6)


def test_special_gammainc_is_igamma():
    if not hasattr(torch, "igamma"):
        pytest.skip("torch.igamma not implemented here")
    a, x = torch.tensor([1.0, 2.0]), torch.tensor([0.5, 3.0])
    assert torch.equal(torch.special.gammainc(a, x), torch.igamma(a, x))
    assert torch.equal(torch.special.gammaincc(a, x), torch.igammac(a, x))
    r = real_torch.special.gammainc(real_torch.tensor([1.0, 2.0]), real_torch.tensor([0.5, 3.0]))
    assert torch.allclose(torch.special.gammainc(a, x), torch.tensor(r.tolist()))
