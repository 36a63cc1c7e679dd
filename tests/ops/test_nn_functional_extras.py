"""torch.nn.functional behaviour the op-info table cannot express: random ops' statistics,
in-place variants, warnings, running-stat updates and aliases."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import torchlike_jax as torch

F = torch.nn.functional


def _np(t):
    return np.asarray(t.detach()._st.array)


# ---- dropout -----------------------------------------------------------------------------------
def test_dropout_statistics_and_gradient():
    torch.manual_seed(0)
    x = torch.ones(4000, requires_grad=True)
    out = F.dropout(x, p=0.3)
    v = _np(out)
    zero = v == 0
    assert abs(zero.mean() - 0.3) < 0.03
    np.testing.assert_allclose(v[~zero], 1 / 0.7, rtol=1e-6)
    assert type(out.grad_fn).__name__ == "MulBackward0"
    out.sum().backward()
    np.testing.assert_allclose(_np(x.grad), v, rtol=1e-6)  # d out / d x = mask / (1 - p)


def test_dropout_seeded_reproducible_and_eval_identity():
    x = torch.randn(50)
    torch.manual_seed(3)
    a = F.dropout(x, 0.5)
    torch.manual_seed(3)
    b = F.dropout(x, 0.5)
    assert np.array_equal(_np(a), _np(b))
    assert F.dropout(x, 0.5, training=False) is x
    assert np.array_equal(_np(F.dropout(x, 1.0)), np.zeros(50, np.float32))
    assert np.array_equal(_np(torch.dropout(x, 0.0, True)), _np(x))


def test_dropout_inplace_and_errors():
    x = torch.ones(100)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x and x._version == 1
    assert set(np.unique(_np(x))) <= {0.0, 2.0}
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        F.dropout(x, -0.1)
    leaf = torch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.dropout(leaf, 0.5, inplace=True)


def test_dropout2d_zeroes_whole_channels():
    torch.manual_seed(1)
    x = torch.ones(8, 16, 3, 3)
    v = _np(F.dropout2d(x, 0.5))
    per_channel = v.reshape(8, 16, 9)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    frac = (per_channel == 0).all(-1).mean()
    assert 0.3 < frac < 0.7
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
        v3 = _np(F.dropout2d(torch.ones(8, 16, 5), 0.5))  # read as (N, C, L), like torch
    assert np.all((v3 == 0).all(-1) | (v3 == 2).all(-1))


def test_rrelu_training_slopes():
    torch.manual_seed(2)
    x = torch.linspace(-3, 3, 61, requires_grad=True)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    assert type(out.grad_fn).__name__ == "RreluWithNoiseBackward0"
    xv, ov = _np(x), _np(out)
    neg = xv < 0
    slopes = ov[neg] / xv[neg]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3)) and slopes.std() > 0
    np.testing.assert_array_equal(ov[~neg], xv[~neg])


# ---- in-place activations ----------------------------------------------------------------------
@pytest.mark.parametrize("name,kwargs,expected", [
    ("relu", {}, [0.0, 0.0, 2.0]),
    ("relu6", {}, [0.0, 0.0, 2.0]),
    ("leaky_relu", {"negative_slope": 0.5}, [-0.5, 0.0, 2.0]),
    ("hardtanh", {}, [-1.0, 0.0, 1.0]),
    ("elu", {}, [math.expm1(-1), 0.0, 2.0]),
    ("threshold", {"threshold": 0.5, "value": 7.0}, [7.0, 7.0, 2.0]),
    ("silu", {}, [-1 / (1 + math.e), 0.0, 2 / (1 + math.exp(-2))]),
])
def test_inplace_activation_writes_input(name, kwargs, expected):
    x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = x * 1
    out = getattr(F, name)(y, inplace=True, **kwargs)
    assert out is y and y._version == 1
    np.testing.assert_allclose(_np(y), expected, rtol=1e-6)
    y.sum().backward()
    assert x.grad is not None


# ---- warnings ----------------------------------------------------------------------------------
def test_softmax_implicit_dim_warns_and_picks_torch_dim():
    x = torch.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = F.softmax(x)
    np.testing.assert_allclose(_np(out).sum(1), 1.0, rtol=1e-6)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        F.log_softmax(torch.randn(2, 3, 4))


def test_loss_warnings():
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(torch.randn(2, 3), torch.randn(3))
    with pytest.warns(UserWarning, match="reduction: 'mean' divides the total loss"):
        F.kl_div(torch.randn(2, 3), torch.rand(2, 3))
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        out = F.l1_loss(torch.ones(2), torch.zeros(2), size_average=False)
    assert out.item() == 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(torch.randn(2, 3), torch.randn(2, 3))


# ---- normalization buffers ---------------------------------------------------------------------
def test_batch_norm_updates_running_stats_in_place():
    x = torch.tensor([[1.0, 2.0], [3.0, 6.0]])
    rm, rv = torch.zeros(2), torch.ones(2)
    F.batch_norm(x, rm, rv, training=True, momentum=0.5)
    np.testing.assert_allclose(_np(rm), [1.0, 2.0])  # 0.5 * 0 + 0.5 * mean
    np.testing.assert_allclose(_np(rv), [1.5, 4.5])  # 0.5 * 1 + 0.5 * unbiased var
    assert rm._version == 1 and rv._version == 1
    F.batch_norm(x, rm, rv, training=False)
    assert rm._version == 1  # evaluation leaves the buffers alone
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.batch_norm(torch.ones(1, 2), rm, rv, training=True)
    np.testing.assert_allclose(_np(rm), [1.0, 2.0])  # the failed call changed nothing


# ---- aliases and return types ------------------------------------------------------------------
def test_aliases_and_torch_level_functions():
    assert torch.conv2d is F.conv2d and torch.cosine_similarity is F.cosine_similarity
    assert torch.selu is F.selu and torch.pixel_shuffle is F.pixel_shuffle
    x = torch.randn(2, 3)
    np.testing.assert_allclose(_np(torch.softmax(x, 1)), _np(F.softmax(x, 1)))
    np.testing.assert_allclose(_np(x.log_softmax(1)), _np(F.log_softmax(x, dim=1)))
    assert x.softmax(0, dtype=torch.float64).dtype == torch.float64
    y = torch.randn(2, 4, 3)
    np.testing.assert_allclose(_np(torch.layer_norm(y, [3], None, None, 1e-5, False)),
                               _np(F.layer_norm(y, [3])))
    np.testing.assert_allclose(_np(torch.group_norm(y, 2, None, None, 1e-5, False)),
                               _np(F.group_norm(y, 2)))


def test_max_pool_return_indices_is_a_plain_tuple():
    x = torch.arange(16.0).reshape(1, 1, 4, 4)
    out = F.max_pool2d(x, 2, return_indices=True)
    assert type(out) is tuple and len(out) == 2
    np.testing.assert_array_equal(_np(out[1]).reshape(-1), [5, 7, 13, 15])
    assert out[1].dtype == torch.int64


def test_one_hot_infers_classes():
    out = F.one_hot(torch.tensor([0, 3, 1]))
    assert tuple(out.shape) == (3, 4) and out.dtype == torch.int64
    with pytest.raises(RuntimeError, match="Class values must be non-negative"):
        F.one_hot(torch.tensor([-1, 0]))


@pytest.mark.parametrize("fn,args,expected", [
    (F.relu_, (), [0.0, 2.0]),
    (F.elu_, (1.0,), [math.expm1(-1), 2.0]),
    (F.leaky_relu_, (0.5,), [-0.5, 2.0]),
    (F.hardtanh_, (-0.5, 0.5), [-0.5, 0.5]),
    (F.threshold_, (0.0, 3.0), [3.0, 2.0]),
    (torch.threshold_, (0.0, 3.0), [3.0, 2.0]),
    (torch.celu_, (2.0,), [2 * math.expm1(-0.5), 2.0]),
    (F.rrelu_, (0.2, 0.4), [-0.3, 2.0]),
])
def test_functional_underscore_variants(fn, args, expected):
    x = torch.tensor([-1.0, 2.0])
    assert fn(x, *args) is x
    np.testing.assert_allclose(_np(x), expected, rtol=1e-6)


# ---- derivatives at kinks (torch 2.13's values, recorded by hand) --------------------------------
@pytest.mark.parametrize("name,xs,grads", [
    ("hardswish", [-3.0, 3.0, 0.0], [0.0, 1.0, 0.5]),
    ("hardsigmoid", [-3.0, 3.0], [0.0, 0.0]),
    ("hardtanh", [-1.0, 1.0], [0.0, 0.0]),
    ("elu", [0.0], [1.0]),
    ("softplus", [20.0], [1.0]),
    ("leaky_relu", [0.0], [0.01]),
    ("softshrink", [-0.5, 0.5], [0.0, 0.0]),
])
def test_derivative_at_kinks(name, xs, grads):
    x = torch.tensor(xs, requires_grad=True)
    (g,) = torch.autograd.grad(getattr(F, name)(x).sum(), x)
    np.testing.assert_allclose(_np(g), grads, rtol=1e-6)


def test_cross_entropy_all_targets_ignored():
    x = torch.randn(2, 3, requires_grad=True)
    out = F.cross_entropy(x, torch.tensor([1, 1]), ignore_index=1)
    assert math.isnan(out.item())  # 0 / 0, as torch
    (g,) = torch.autograd.grad(out, x)
    assert np.array_equal(_np(g), np.zeros((2, 3), np.float32))  # torch skips ignored targets


IN_PLACE_ACTIVATIONS = [("elu", ()), ("leaky_relu", (0.2,)), ("celu", ()), ("selu", ()),
                        ("rrelu", ()), ("threshold", (0.1, -2.0)), ("relu", ()),
                        ("hardtanh", ()), ("silu", ()), ("relu6", ())]


@pytest.mark.torch_live
@pytest.mark.parametrize("name,args", IN_PLACE_ACTIVATIONS,
                         ids=[n for n, _ in IN_PLACE_ACTIVATIONS])
def test_in_place_activation_grad_fn_names_and_gradients_match_torch(name, args):
    """torch names the node of an in-place elu/leaky_relu/celu/selu/rrelu/threshold
    ``...Backward1`` (its formula reads the result), the out-of-place one ``...Backward0``."""
    real = pytest.importorskip("torch")
    values = np.array([-1.5, -0.2, 0.05, 0.7, 2.0], np.float32)

    def run(lib):
        fn = getattr(lib.nn.functional, name)
        x = lib.tensor(values, requires_grad=True)
        y = fn(x * 1, *args, inplace=True)
        (y * lib.arange(5.0)).sum().backward()
        out_of_place = fn(x * 1, *args)
        return y.grad_fn.name(), out_of_place.grad_fn.name(), y.detach().numpy(), x.grad.numpy()

    ours, theirs = run(torch), run(real)
    assert ours[:2] == theirs[:2]
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-6)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-6)
