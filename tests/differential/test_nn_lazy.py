"""Lazy modules and uninitialized parameters against real torch, live: reprs before and after
the first forward, the class swap, errors on uninitialized tensors, state dicts (keys, loading
into a lazy module), an optimizer built before materialisation, and forward/backward values
once torch's materialised weights are copied in."""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as torch

pytestmark = pytest.mark.torch_live


CASES = [
    (lambda lib: lib.nn.LazyLinear(4), (2, 3)),
    (lambda lib: lib.nn.LazyLinear(4, bias=False), (5, 2, 3)),
    (lambda lib: lib.nn.LazyConv1d(4, 2, stride=2, padding=1), (2, 3, 7)),
    (lambda lib: lib.nn.LazyConv1d(4, 3, groups=2, bias=False), (4, 6)),
    (lambda lib: lib.nn.LazyConv2d(5, 3), (1, 2, 6, 6)),
    (lambda lib: lib.nn.LazyBatchNorm1d(), (4, 3)),
    (lambda lib: lib.nn.LazyBatchNorm1d(affine=False, momentum=None), (4, 3, 2)),
    (lambda lib: lib.nn.LazyBatchNorm2d(track_running_stats=False), (2, 3, 2, 2)),
]


def _x(shape):
    return np.linspace(-1, 1, int(np.prod(shape)), dtype=np.float32).reshape(shape)


def _describe(m):
    return (repr(m), type(m).__name__,
            [(k, type(v).__name__) for k, v in m.state_dict(keep_vars=True).items()],
            [type(p).__name__ for p in m.parameters()],
            m.has_uninitialized_params() if hasattr(m, "has_uninitialized_params") else None)


@pytest.mark.parametrize("make,shape", CASES)
def test_lazy_module_matches_torch(real, make, shape):
    theirs, ours = make(real), make(torch)
    assert _describe(ours) == _describe(theirs)
    x = _x(shape)
    real.manual_seed(0)
    theirs(real.tensor(x))
    with torch.no_grad():
        ours(torch.tensor(x))
    assert _describe(ours) == _describe(theirs)
    assert [tuple(p.shape) for p in ours.parameters()] == \
        [tuple(p.shape) for p in theirs.parameters()]
    sd = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    ours.load_state_dict(sd)
    xt, xo = real.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    yt, yo = theirs(xt), ours(xo)
    np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)
    yt.pow(2).sum().backward()
    yo.pow(2).sum().backward()
    np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for po, pt in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(po.grad.numpy(), pt.grad.numpy(), rtol=1e-4, atol=1e-5)
    for bo, bt in zip(ours.buffers(), theirs.buffers(), strict=True):
        np.testing.assert_allclose(bo.numpy(), bt.numpy(), rtol=1e-4, atol=1e-5)


def test_initialisation_is_the_eager_layers(real):
    torch.manual_seed(0)
    m = torch.nn.LazyLinear(50)
    m(torch.ones(2, 4))
    bound = 1 / np.sqrt(4)
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and w.std() > bound / 4
    bn = torch.nn.LazyBatchNorm2d()
    bn(torch.ones(2, 3, 2, 2))
    assert bn.weight.detach().numpy().tolist() == [1.0, 1.0, 1.0]


def test_uninitialized_errors_and_reprs(real):
    out = []
    for lib in (real, torch):
        u = lib.nn.parameter.UninitializedParameter()
        b = lib.nn.parameter.UninitializedBuffer()
        row = [repr(u), repr(b), u.requires_grad, b.requires_grad, str(u.dtype),
               tuple(u.size()), u.is_leaf, u.grad is None]
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
            u.shape  # noqa: B018
        for name in ("numel", "dim", "sum", "exp"):
            with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
                getattr(u, name)()
        u.materialize((2, 3))
        b.materialize(4, dtype=lib.float64)
        row += [type(u).__name__, tuple(u.shape), u.requires_grad, type(b).__name__,
                tuple(b.shape), str(b.dtype)]
        out.append(row)
    assert out[0] == out[1]


def test_not_fully_initialized_and_wrong_input(real):
    for lib in (real, torch):
        with pytest.raises(TypeError, match="initialize_parameters"):
            lib.nn.LazyLinear(4)(lib.ones(2, 3), lib.ones(1))
        with pytest.raises(RuntimeError, match="Expected 2D \\(unbatched\\) or 3D \\(batched\\) "
                                               "input to LazyConv1d"):
            lib.nn.LazyConv1d(4, 2)(lib.ones(2))
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.LazyConv1d(4, 1, groups=2)(lib.ones(1, 3, 4))


def test_load_state_dict_into_lazy_module(real):
    out = []
    for lib in (real, torch):
        lib.manual_seed(0)
        src = lib.nn.Linear(3, 4)
        with lib.no_grad():
            src.weight.copy_(lib.arange(12.0).reshape(4, 3) / 10)
            src.bias.fill_(0.5)
        lazy = lib.nn.LazyLinear(4)
        res = lazy.load_state_dict(src.state_dict())
        row = [repr(res), type(lazy).__name__, repr(lazy), tuple(lazy.weight.shape)]
        y = lazy(lib.ones(1, 3))
        row += [type(lazy).__name__, repr(lazy), y.detach().numpy().round(5).tolist()]
        conv = lib.nn.LazyConv1d(2, 1)  # torch leaves in_channels at 0 here
        conv.load_state_dict(lib.nn.Conv1d(3, 2, 1).state_dict())
        conv(lib.ones(1, 3, 2))
        row.append(repr(conv))
        out.append(row)
    assert out[0] == out[1]


def test_optimizer_built_before_materialisation(real):
    out = []
    for lib in (real, torch):
        net = lib.nn.Sequential(lib.nn.LazyLinear(4), lib.nn.ReLU(), lib.nn.LazyLinear(1))
        opt = lib.optim.SGD(net.parameters(), lr=0.1)
        row = [repr(net)]
        x = lib.tensor(_x((5, 3)))
        net(x)
        row.append(repr(net))
        out.append(row)
        if lib is real:
            sd = {k: torch.tensor(v.detach().numpy()) for k, v in net.state_dict().items()}
            t_net, t_opt = net, opt
        else:
            net.load_state_dict(sd)
            o_net, o_opt = net, opt
    assert out[0] == out[1]
    for _ in range(3):
        for net, opt, lib in ((t_net, t_opt, real), (o_net, o_opt, torch)):
            opt.zero_grad()
            net(lib.tensor(_x((5, 3)))).pow(2).mean().backward()
            opt.step()
    for po, pt in zip(o_net.parameters(), t_net.parameters(), strict=True):
        np.testing.assert_allclose(po.detach().numpy(), pt.detach().numpy(), rtol=1e-4,
                                   atol=1e-6)
