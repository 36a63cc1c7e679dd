"""``torch.nn`` layers against real torch, live: the same weights (copied from a torch module
through ``load_state_dict``), the same inputs; forward values, input gradients and parameter
gradients must agree within float32 tolerance. Also BatchNorm's running statistics, Dropout's
train/eval behaviour, and a small MLP trained under both libraries.
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as torch
from tests.support.live_compare import compare as _compare
from tests.support.live_compare import randn
from torchlike_jax import nn

pytestmark = pytest.mark.torch_live

RTOL, ATOL = 1e-4, 1e-5


def np_(t):
    return np.asarray(t.detach().numpy())


def copy_weights(ours, theirs):
    state = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    res = ours.load_state_dict(state)
    assert repr(res) == "<All keys matched successfully>"


def close(a, b, rtol=RTOL, atol=ATOL):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def compare(real, make, inputs, *, train=True):
    """tests/support/live_compare.py's comparison (values, gradients, grad_fn names, reprs)."""
    return _compare(real, make, inputs, train=train)


LAYERS = {
    "linear": (lambda L: L.nn.Linear(5, 3), [(4, 5)]),
    "linear_nobias_3d": (lambda L: L.nn.Linear(5, 3, bias=False), [(2, 3, 5)]),
    "conv1d": (lambda L: L.nn.Conv1d(3, 4, 3, stride=2, padding=1), [(2, 3, 9)]),
    "conv1d_groups": (lambda L: L.nn.Conv1d(4, 6, 3, groups=2, dilation=2), [(2, 4, 10)]),
    "conv2d": (lambda L: L.nn.Conv2d(3, 5, 3, padding=1), [(2, 3, 6, 6)]),
    "conv2d_rect": (lambda L: L.nn.Conv2d(2, 4, (3, 2), stride=(2, 1), bias=False),
                    [(2, 2, 7, 5)]),
    "conv2d_same": (lambda L: L.nn.Conv2d(2, 3, 3, padding="same"), [(1, 2, 5, 5)]),
    "maxpool1d": (lambda L: L.nn.MaxPool1d(3, 2), [(2, 3, 9)]),
    "maxpool2d": (lambda L: L.nn.MaxPool2d(2), [(2, 3, 6, 6)]),
    "maxpool2d_pad_ceil": (lambda L: L.nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
                           [(1, 2, 7, 6)]),
    "avgpool2d": (lambda L: L.nn.AvgPool2d(2), [(2, 3, 6, 6)]),
    "avgpool2d_pad": (lambda L: L.nn.AvgPool2d(3, stride=2, padding=1,
                                               count_include_pad=False), [(2, 2, 7, 7)]),
    "adaptive_avg": (lambda L: L.nn.AdaptiveAvgPool2d((2, 3)), [(2, 3, 7, 8)]),
    "adaptive_avg_1": (lambda L: L.nn.AdaptiveAvgPool2d(1), [(2, 3, 5, 5)]),
    "layernorm": (lambda L: L.nn.LayerNorm(6), [(3, 6)]),
    "layernorm_2d": (lambda L: L.nn.LayerNorm([3, 4], eps=1e-3), [(2, 3, 4)]),
    "layernorm_noaffine": (lambda L: L.nn.LayerNorm(4, elementwise_affine=False), [(3, 4)]),
    "groupnorm": (lambda L: L.nn.GroupNorm(2, 4), [(3, 4, 5)]),
    "groupnorm_4d": (lambda L: L.nn.GroupNorm(3, 6, eps=1e-3), [(2, 6, 3, 3)]),
    "flatten": (lambda L: L.nn.Flatten(), [(2, 3, 4)]),
    "flatten_dims": (lambda L: L.nn.Flatten(0, 1), [(2, 3, 4)]),
    "unflatten": (lambda L: L.nn.Unflatten(1, (2, 3)), [(4, 6)]),
    "identity": (lambda L: L.nn.Identity(54, unused=1), [(2, 3)]),
    "relu": (lambda L: L.nn.ReLU(), [(3, 7)]),
    "gelu": (lambda L: L.nn.GELU(), [(3, 7)]),
    "gelu_tanh": (lambda L: L.nn.GELU("tanh"), [(3, 7)]),
    "silu": (lambda L: L.nn.SiLU(), [(3, 7)]),
    "tanh": (lambda L: L.nn.Tanh(), [(3, 7)]),
    "sigmoid": (lambda L: L.nn.Sigmoid(), [(3, 7)]),
    "softmax": (lambda L: L.nn.Softmax(dim=1), [(3, 7)]),
    "softmax_neg": (lambda L: L.nn.Softmax(-1), [(2, 3, 7)]),
    "log_softmax": (lambda L: L.nn.LogSoftmax(dim=0), [(3, 7)]),
    "leaky_relu": (lambda L: L.nn.LeakyReLU(0.2), [(3, 7)]),
    "elu": (lambda L: L.nn.ELU(0.7), [(3, 7)]),
    "softplus": (lambda L: L.nn.Softplus(beta=2.0, threshold=1.0), [(3, 7)]),
    "hardtanh": (lambda L: L.nn.Hardtanh(-0.5, 0.8), [(3, 7)]),
    "relu6": (lambda L: L.nn.ReLU6(), [(3, 7)]),
    "dropout_eval": (lambda L: L.nn.Dropout(0.3).eval(), [(3, 7)]),
    "sequential_cnn": (lambda L: L.nn.Sequential(
        L.nn.Conv2d(3, 4, 3, padding=1), L.nn.GroupNorm(2, 4), L.nn.ReLU(),
        L.nn.MaxPool2d(2), L.nn.Flatten(), L.nn.Linear(4 * 3 * 3, 5), L.nn.LogSoftmax(1)),
        [(2, 3, 6, 6)]),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_forward_backward(real, name):
    make, shapes = LAYERS[name]
    inputs = [randn(*s, seed=i) * 2 for i, s in enumerate(shapes)]
    compare(real, make, inputs, train=name != "dropout_eval")


def test_embedding(real):
    idx = np.array([[1, 3, 0], [9, 1, 1]], np.int64)
    ours, theirs = compare(real, lambda L: L.nn.Embedding(10, 4, padding_idx=1), [idx])
    assert np_(ours.weight.grad)[1].tolist() == [0.0] * 4  # the padding row gets no gradient
    compare(real, lambda L: L.nn.Embedding(5, 2), [np.array([4, 0, 4], np.int64)])


def test_inplace_activations(real):
    for make in (lambda L: L.nn.ReLU(inplace=True), lambda L: L.nn.LeakyReLU(0.1, True),
                 lambda L: L.nn.Hardtanh(inplace=True), lambda L: L.nn.ELU(inplace=True)):
        x = randn(3, 4)
        tx, ox = real.tensor(x), torch.tensor(x)
        tm, om = make(real), make(torch)
        assert repr(om) == repr(tm)
        ty, oy = tm(tx), om(ox)
        assert oy is ox and ty is tx
        close(np_(ox), tx.numpy())


LOSSES = {
    "mse": (lambda L: L.nn.MSELoss(), "reg"),
    "mse_sum": (lambda L: L.nn.MSELoss(reduction="sum"), "reg"),
    "mse_none": (lambda L: L.nn.MSELoss(reduction="none"), "reg"),
    "l1": (lambda L: L.nn.L1Loss(), "reg"),
    "smooth_l1": (lambda L: L.nn.SmoothL1Loss(beta=0.5), "reg"),
    "huber": (lambda L: L.nn.HuberLoss(delta=0.7, reduction="sum"), "reg"),
    "cross_entropy": (lambda L: L.nn.CrossEntropyLoss(), "cls"),
    "cross_entropy_opts": (lambda L: L.nn.CrossEntropyLoss(
        weight=L.tensor([1.0, 2.0, 0.5, 1.0, 3.0]), ignore_index=2, label_smoothing=0.1), "cls"),
    "cross_entropy_probs": (lambda L: L.nn.CrossEntropyLoss(reduction="none"), "probs"),
    "nll": (lambda L: L.nn.NLLLoss(), "logp"),
    "nll_weighted_sum": (lambda L: L.nn.NLLLoss(weight=L.tensor([0.5, 1.0, 2.0, 1.0, 1.0]),
                                                reduction="sum"), "logp"),
    "bce": (lambda L: L.nn.BCELoss(), "prob"),
    "bce_weighted": (lambda L: L.nn.BCELoss(weight=L.tensor([1.0, 2.0, 0.5, 1.0, 3.0]),
                                            reduction="none"), "prob"),
    "bce_logits": (lambda L: L.nn.BCEWithLogitsLoss(), "logit"),
    "bce_logits_pos": (lambda L: L.nn.BCEWithLogitsLoss(
        pos_weight=L.tensor([1.0, 2.0, 0.5, 1.0, 3.0]), reduction="sum"), "logit"),
}


def _loss_inputs(kind):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 5)).astype(np.float32)
    if kind == "reg":
        return [x, rng.standard_normal((4, 5)).astype(np.float32)]
    if kind == "cls":
        return [x, np.array([0, 2, 4, 1], np.int64)]
    if kind == "probs":
        p = rng.random((4, 5)).astype(np.float32)
        return [x, p / p.sum(1, keepdims=True)]
    if kind == "logp":
        e = np.exp(x)
        return [np.log(e / e.sum(1, keepdims=True)).astype(np.float32),
                np.array([0, 2, 4, 1], np.int64)]
    if kind == "prob":
        return [(1 / (1 + np.exp(-x))).astype(np.float32),
                rng.random((4, 5)).astype(np.float32)]
    if kind == "logit":
        return [x, (rng.random((4, 5)) > 0.5).astype(np.float32)]
    raise ValueError(kind)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss_modules(real, name):
    make, kind = LOSSES[name]
    ours, theirs = compare(real, make, _loss_inputs(kind))
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_loss_legacy_reduction_flags(real):
    import warnings

    for kw in ({"size_average": False}, {"reduce": False}):
        with warnings.catch_warnings(record=True) as ours_w:
            warnings.simplefilter("always")
            ours = nn.MSELoss(**kw)
        with warnings.catch_warnings(record=True) as theirs_w:
            warnings.simplefilter("always")
            theirs = real.nn.MSELoss(**kw)
        assert ours.reduction == theirs.reduction
        assert [str(w.message) for w in ours_w] == [str(w.message) for w in theirs_w]


# ---- BatchNorm ---------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["bn1d", "bn1d_3d", "bn2d", "bn2d_cumulative", "bn1d_noaffine",
                                  "bn1d_untracked"])
def test_batchnorm_running_stats(real, case):
    make, shape = {
        "bn1d": (lambda L: L.nn.BatchNorm1d(4), (8, 4)),
        "bn1d_3d": (lambda L: L.nn.BatchNorm1d(3, momentum=0.3), (4, 3, 5)),
        "bn2d": (lambda L: L.nn.BatchNorm2d(3, eps=1e-3), (4, 3, 5, 5)),
        "bn2d_cumulative": (lambda L: L.nn.BatchNorm2d(2, momentum=None), (3, 2, 4, 4)),
        "bn1d_noaffine": (lambda L: L.nn.BatchNorm1d(4, affine=False), (6, 4)),
        "bn1d_untracked": (lambda L: L.nn.BatchNorm1d(4, track_running_stats=False), (6, 4)),
    }[case]
    theirs, ours = make(real), make(torch)
    if case != "bn1d_untracked":
        with real.no_grad():  # non-trivial affine parameters
            for p in theirs.parameters():
                p.copy_(real.randn(p.shape))
    copy_weights(ours, theirs)
    assert repr(ours) == repr(theirs)
    for step in range(3):
        x = randn(*shape, seed=10 + step) * (step + 1) + step
        t_out, o_out = theirs(real.tensor(x)), ours(torch.tensor(x))
        close(np_(o_out), t_out.detach().numpy())
        if t_out.requires_grad:
            t_out.square().sum().backward()
            o_out.square().sum().backward()
    for k, v in theirs.state_dict().items():
        o = ours.state_dict()[k]
        assert str(o.dtype) == str(v.dtype), k
        close(np_(o), v.numpy(), rtol=1e-5, atol=1e-6)
    for (_name, tp), (_, op) in zip(theirs.named_parameters(), ours.named_parameters(),
                                   strict=True):
        close(np_(op.grad), tp.grad.numpy(), rtol=1e-4, atol=1e-4)
    theirs.eval()
    ours.eval()
    x = randn(*shape, seed=99)
    close(np_(ours(torch.tensor(x))), theirs(real.tensor(x)).detach().numpy())
    # eval leaves the running statistics alone
    before = {k: np_(v).copy() for k, v in ours.state_dict().items()}
    ours(torch.tensor(x))
    for k, v in ours.state_dict().items():
        assert (np_(v) == before[k]).all()


def test_batchnorm_errors(real):
    def err(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)

    assert err(lambda: nn.BatchNorm2d(3)(torch.ones(2, 3))) == \
        err(lambda: real.nn.BatchNorm2d(3)(real.ones(2, 3)))
    assert err(lambda: nn.BatchNorm1d(3)(torch.ones(2, 3, 4, 5))) == \
        err(lambda: real.nn.BatchNorm1d(3)(real.ones(2, 3, 4, 5)))
    assert err(lambda: nn.GroupNorm(3, 4)) == err(lambda: real.nn.GroupNorm(3, 4))
    assert err(lambda: nn.Dropout(1.5)) == err(lambda: real.nn.Dropout(1.5))
    assert err(lambda: nn.Conv2d(3, 4, 3, groups=2)) == \
        err(lambda: real.nn.Conv2d(3, 4, 3, groups=2))
    assert err(lambda: nn.Linear(3, 2)(torch.ones(2, 4))) == \
        err(lambda: real.nn.Linear(3, 2)(real.ones(2, 4)))


# ---- Dropout -----------------------------------------------------------------------------------
def test_dropout_train_eval():
    torch.manual_seed(0)
    p = 0.3
    d = nn.Dropout(p)
    x = torch.ones(200, 100, requires_grad=True)
    y = d(x)
    a = np_(y)
    zeros = (a == 0).mean()
    assert abs(zeros - p) < 0.02
    np.testing.assert_allclose(a[a != 0], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    g = np_(x.grad)
    assert ((g == 0) == (a == 0)).all()  # the same mask scales the gradient
    np.testing.assert_allclose(g[g != 0], 1 / (1 - p), rtol=1e-6)
    b = np_(d(x))
    assert not (b == a).all()  # a fresh mask per call
    d.eval()
    assert d(x) is x
    d.train()
    assert (np_(nn.Dropout(0.0)(x)) == 1).all()
    assert (np_(nn.Dropout(1.0)(x)) == 0).all()
    z = torch.ones(50, 50)
    out = nn.Dropout(0.5, inplace=True)(z)
    assert out is z and abs((np_(z) == 0).mean() - 0.5) < 0.05


# ---- training ----------------------------------------------------------------------------------
def test_mlp_training_matches_torch(real):
    def make(L):
        return L.nn.Sequential(L.nn.Linear(4, 16), L.nn.Tanh(), L.nn.Linear(16, 16),
                               L.nn.GELU(), L.nn.Linear(16, 3))

    real.manual_seed(0)
    theirs, ours = make(real), make(torch)
    copy_weights(ours, theirs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = rng.integers(0, 3, 32)
    tx, ty, ox, oy = real.tensor(x), real.tensor(y), torch.tensor(x), torch.tensor(y)
    t_loss_fn, o_loss_fn = real.nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
    curves = ([], [])
    for _ in range(20):
        for lib, model, loss_fn, xx, yy, curve in ((real, theirs, t_loss_fn, tx, ty, curves[0]),
                                                   (torch, ours, o_loss_fn, ox, oy, curves[1])):
            model.zero_grad()
            loss = loss_fn(model(xx), yy)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            with lib.no_grad():
                for p in model.parameters():
                    p -= 0.2 * p.grad
            curve.append(loss.item())
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-4, atol=1e-5)
    assert curves[1][-1] < curves[1][0]
    for k, v in theirs.state_dict().items():
        close(np_(ours.state_dict()[k]), v.numpy(), rtol=1e-3, atol=1e-4)
