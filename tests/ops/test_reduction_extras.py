"""Reductions, scans and sorting: what the op-info table cannot express (named-tuple types and
reprs, warnings, aliases, gradient routing at ties, host-synced ops' backward errors).
Expected values were taken from torch 2.13."""

from __future__ import annotations

import math
import warnings

import pytest

import torchlike_jax as torch

NAN = float("nan")


def test_named_tuple_types_and_reprs():
    x = torch.tensor([[3.0, 1.0, 2.0]])
    cases = {
        "max": x.max(1), "min": x.min(1), "sort": x.sort(), "topk": x.topk(1),
        "kthvalue": x.kthvalue(1), "median": x.median(1), "nanmedian": x.nanmedian(1),
        "mode": x.mode(), "cummax": x.cummax(1), "cummin": x.cummin(1),
    }
    for kind, r in cases.items():
        assert type(r).__name__ == kind
        assert type(r).__module__ == "torch.return_types"
        assert isinstance(r, tuple) and r._fields == ("values", "indices")
        assert r.indices.dtype is torch.int64
        assert repr(r).startswith(f"torch.return_types.{kind}(\nvalues=tensor(")
    assert repr(torch.tensor([1.0, 2.0]).sort(descending=True)) == (
        "torch.return_types.sort(\nvalues=tensor([2., 1.]),\nindices=tensor([1, 0]))")
    mm = torch.aminmax(torch.tensor([2, 5, 1]))
    assert mm._fields == ("min", "max")
    assert repr(mm) == "torch.return_types.aminmax(\nmin=tensor(1),\nmax=tensor(5))"
    h = torch.histogram(torch.tensor([1.0, 2.0, 4.0]), bins=3)
    assert h._fields == ("hist", "bin_edges") and h.hist.tolist() == [1.0, 1.0, 1.0]
    # std_mean / var_mean are plain tuples in torch
    assert type(torch.std_mean(torch.tensor([1.0, 2.0]))) is tuple


def test_degrees_of_freedom_warning():
    for fn, name in ((torch.std, "std"), (torch.var, "var")):
        with pytest.warns(UserWarning, match=rf"{name}\(\): degrees of freedom is <= 0"):
            out = fn(torch.tensor([1.0]))
        assert math.isnan(out.item())
    with pytest.warns(UserWarning):
        assert torch.tensor([1.0, 2.0]).var(correction=3).item() == float("inf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.tensor([1.0, 2.0]).std()


def test_integer_accumulation_and_dtype_errors():
    assert torch.tensor([1, 2], dtype=torch.int8).prod().dtype is torch.int64
    assert torch.tensor([True, True]).cumsum(0).tolist() == [1, 2]
    assert torch.tensor([True, True]).cumsum(0).dtype is torch.int64
    assert torch.tensor([100, 100], dtype=torch.int8).sum().item() == 200
    assert torch.tensor([1, 2, 3]).cumsum(0, dtype=torch.float64).dtype is torch.float64
    assert torch.tensor([1, 0], dtype=torch.uint8).all().dtype is torch.uint8
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        torch.tensor([1, 2]).std()
    with pytest.raises(RuntimeError, match="nanmean\\(\\): expected input to have floating"):
        torch.tensor([1, 2]).nanmean()
    with pytest.raises(RuntimeError, match="linalg.vector_norm: Expected a floating point"):
        torch.tensor([1, 2]).norm()


def test_empty_reductions():
    assert torch.zeros(0).sum().item() == 0.0
    assert torch.zeros(0).prod().item() == 1.0
    assert math.isnan(torch.zeros(0).mean().item())
    assert math.isnan(torch.zeros(0).median().item())
    assert torch.zeros(2, 0).amax(0).shape == (0,)
    with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
        torch.zeros(0).amax()
    with pytest.raises(IndexError, match="Expected reduction dim 0 to have non-zero size"):
        torch.zeros(0, 3).max(0)


def _grad(fn, values):
    x = torch.tensor(values, requires_grad=True)
    out = fn(x)
    out = out[0] if isinstance(out, tuple) else out
    out.sum().backward()
    return x.grad.tolist()


def test_gradient_routing_at_ties():
    assert _grad(lambda x: x.max(), [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]
    assert _grad(lambda x: x.amax(), [1.0, 3.0, 3.0]) == [0.0, 0.5, 0.5]
    assert _grad(lambda x: x.max(0), [1.0, 3.0, 3.0]) == [0.0, 1.0, 0.0]
    assert _grad(lambda x: x.median(), [1.0, 2.0, 2.0, 3.0]) == [0.0, 0.5, 0.5, 0.0]
    assert _grad(lambda x: x.std(), [1.0, 1.0]) == [0.0, 0.0]  # not nan
    assert _grad(lambda x: x.norm(), [0.0, 0.0]) == [0.0, 0.0]
    assert _grad(lambda x: x.cummax(0), [1.0, 3.0, 3.0, 2.0]) == [1.0, 1.0, 2.0, 0.0]
    assert _grad(lambda x: x.prod(), [0.0, 2.0, 3.0]) == [6.0, 0.0, 0.0]


def test_order_statistics_semantics():
    assert torch.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0  # the lower middle
    assert math.isnan(torch.tensor([1.0, NAN, 3.0]).median().item())
    assert torch.tensor([1.0, NAN, 3.0]).nanmedian().item() == 1.0
    m = torch.tensor([3.0, 1.0, 3.0, 1.0, 0.0]).mode()
    assert (m.values.item(), m.indices.item()) == (1.0, 3)
    q = torch.tensor([0.25, 0.5], requires_grad=True)
    out = torch.quantile(torch.tensor([1.0, 2.0, 4.0]), q)
    out.sum().backward()
    assert out.tolist() == [1.5, 2.0] and q.grad.tolist() == [2.0, 0.0]
    assert torch.searchsorted(torch.tensor([1.0, 2.0, 3.0]), 2.5).item() == 2
    assert torch.searchsorted(torch.tensor([1.0, 2.0]), torch.tensor([NAN])).tolist() == [2]


def test_unique_backward_is_not_implemented():
    x = torch.tensor([2.0, 1.0, 2.0], requires_grad=True)
    u = torch.unique(x)
    assert type(u.grad_fn).__name__ == "Unique2Backward0" and u.tolist() == [1.0, 2.0]
    with pytest.raises(NotImplementedError, match="the derivative for '_unique2' is not"):
        u.sum().backward()


def test_aliases_and_methods():
    assert torch.trapz is torch.trapezoid
    assert torch.Tensor.cumsum_ is not None and not hasattr(torch, "cumsum_")
    x = torch.tensor([1.0, 2.0, 3.0])
    assert x.clone().cumsum_(0).tolist() == [1.0, 3.0, 6.0]
    assert x.logsumexp(0).item() == pytest.approx(3.40760596)
    assert x.msort().tolist() == [1.0, 2.0, 3.0]
    assert not hasattr(torch.Tensor, "searchsorted") and not hasattr(torch.Tensor, "var_mean")


TWO_OUTPUT_CASES = [  # (op, grad_fn name, torch's gradient of 0.3 * out0 + 0.7 * out1)
    (lambda x: torch.std_mean(x, 1), "StdMeanBackward0",
     [[0.102403, 0.200601, 0.396997], [0.20859, 0.097244, 0.394167]]),
    (lambda x: torch.var_mean(x, 1, correction=0), "VarMeanBackward0",
     [[-0.033333, 0.166667, 0.566667], [0.166667, -0.133333, 0.666667]]),
    (lambda x: tuple(torch.aminmax(x, dim=0)), "AminmaxBackward0",
     [[0.7, 0.7, 0.7], [0.3, 0.3, 0.3]]),
]


@pytest.mark.parametrize("fn,name,expected", TWO_OUTPUT_CASES)
def test_two_differentiable_outputs(fn, name, expected):
    """Both outputs of std_mean / var_mean / aminmax carry one node and its gradient."""
    x = torch.tensor([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]], requires_grad=True)
    a, b = fn(x)
    assert type(a.grad_fn).__name__ == name and a.grad_fn is b.grad_fn
    (a.sum() * 0.3 + b.sum() * 0.7).backward()
    assert sum(x.grad.tolist(), []) == pytest.approx(sum(expected, []), abs=1e-5)


def test_grad_over_both_outputs_of_one_node():
    x = torch.tensor([1.0, 2.0, 4.0], requires_grad=True)
    s, m = torch.std_mean(x)
    (g,) = torch.autograd.grad([s, m], [x], [torch.tensor(0.3), torch.tensor(0.7)])
    assert g.tolist() == pytest.approx([0.102403, 0.200601, 0.396997], abs=1e-5)
