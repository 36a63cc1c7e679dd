"""``nn.utils.parametrize``, ``nn.utils.parametrizations`` and the old hook-based
``weight_norm`` / ``spectral_norm`` against real torch, live: reprs and class names (torch's
``ParametrizedLinear``), state-dict keys, forward values and gradients with torch's state
(power-iteration vectors included) copied in, training vs eval, right_inverse, caching,
removal and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike_jax as torch

pytestmark = pytest.mark.torch_live


def np_(t):
    return np.asarray(t.detach().numpy())


def close(a, b, rtol=1e-4, atol=1e-5):
    np.testing.assert_allclose(np_(a), np_(b), rtol=rtol, atol=atol)


def copy_state(ours, theirs):
    sd = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert repr(ours.load_state_dict(sd)) == "<All keys matched successfully>"


def _sym(lib):
    class Sym(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    return Sym()


def _scale(lib):
    class Scale(lib.nn.Module):
        def forward(self, x):
            return x * 2

    return Scale()


def _linear(lib, n_in=3, n_out=3, seed=0):
    lib.manual_seed(seed)
    return lib.nn.Linear(n_in, n_out)


X = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]], dtype=np.float32)


def _fwd_bwd(lib, m, x=X):
    xt = lib.tensor(x, requires_grad=True)
    y = m(xt)
    (y * lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
    return y, xt.grad


def test_register_parametrization_matches_torch(real):
    from torch.nn.utils import parametrize as TP

    from torchlike_jax.nn.utils import parametrize as P

    theirs, ours = _linear(real), _linear(torch)
    copy_state(ours, theirs)
    TP.register_parametrization(theirs, "weight", _sym(real))
    P.register_parametrization(ours, "weight", _sym(torch))
    assert repr(ours) == repr(theirs)
    assert type(ours).__name__ == type(theirs).__name__ == "ParametrizedLinear"
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert P.is_parametrized(ours) and P.is_parametrized(ours, "weight")
    assert not P.is_parametrized(ours, "bias")
    assert P.type_before_parametrizations(ours) is torch.nn.Linear
    close(ours.weight, theirs.weight)
    assert ours.weight.grad_fn.name() == theirs.weight.grad_fn.name()
    (yt, gt), (yo, go) = _fwd_bwd(real, theirs), _fwd_bwd(torch, ours)
    close(yo, yt)
    close(go, gt)
    close(ours.parametrizations.weight.original.grad, theirs.parametrizations.weight.original.grad)
    # chaining a second parametrization, then assigning through right_inverse
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        P.register_parametrization(ours, "weight", _scale(torch))
        ours.weight = torch.eye(3)
    TP.register_parametrization(theirs, "weight", _scale(real))
    assert repr(ours) == repr(theirs)
    close(ours.weight, theirs.weight)
    # removal keeps the parametrized value and restores the class
    TP.remove_parametrizations(theirs, "weight")
    P.remove_parametrizations(ours, "weight")
    assert type(ours) is torch.nn.Linear and repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    close(ours.weight, theirs.weight)
    assert isinstance(ours.weight, torch.nn.Parameter)


def test_right_inverse_assignment_and_leave_parametrized_false(real):
    from torch.nn.utils import parametrize as TP

    from torchlike_jax.nn.utils import parametrize as P

    out = []
    for lib, p in ((real, TP), (torch, P)):
        m = _linear(lib)
        with lib.no_grad():
            m.weight.copy_(lib.arange(9.0).reshape(3, 3))
        p.register_parametrization(m, "weight", _sym(lib))
        orig = m.parametrizations.weight.original
        m.weight = lib.arange(9.0).reshape(3, 3) * -1
        assert m.parametrizations.weight.original is orig
        vals = [np_(orig).tolist(), np_(m.weight).tolist()]
        p.remove_parametrizations(m, "weight", leave_parametrized=False)
        vals.append(np_(m.weight).tolist())
        out.append(vals)
    assert out[0] == out[1]


def test_cached(real):
    from torchlike_jax.nn.utils import parametrize as P

    calls = []

    class Count(torch.nn.Module):
        def forward(self, x):
            calls.append(1)
            return x + 1

    m = _linear(torch)
    P.register_parametrization(m, "weight", Count())
    calls.clear()
    with P.cached():
        a, b = m.weight, m.weight
        assert a is b
    assert len(calls) == 1
    m.weight  # noqa: B018 - a read outside the context recomputes
    assert len(calls) == 2


def test_errors(real):
    from torch.nn.utils import parametrize as TP

    from torchlike_jax.nn.utils import parametrize as P

    for lib, p in ((real, TP), (torch, P)):
        m = _linear(lib)

        class Bad(lib.nn.Module):
            def forward(self, x):
                return x[0]

        with pytest.raises(ValueError, match="may not change the shape of the tensor"):
            p.register_parametrization(m, "weight", Bad())
        with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a "
                                             "parametrized element with name 'nope'"):
            p.register_parametrization(m, "nope", _sym(lib))
        with pytest.raises(ValueError, match="does not have a parametrization on bias"):
            p.remove_parametrizations(m, "bias")
        p.register_parametrization(m, "weight", _sym(lib))
        with pytest.raises(RuntimeError, match="Serialization of parametrized modules"):
            m.__getstate__()


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_parametrization(real, dim):
    theirs = real.nn.utils.parametrizations.weight_norm(_linear(real, 3, 4), dim=dim)
    ours = torch.nn.utils.parametrizations.weight_norm(_linear(torch, 3, 4), dim=dim)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_state(ours, theirs)
    close(ours.weight, theirs.weight)
    (yt, gt), (yo, go) = _fwd_bwd(real, theirs), _fwd_bwd(torch, ours)
    close(yo, yt)
    close(go, gt)
    for name in ("original0", "original1"):
        close(getattr(ours.parametrizations.weight, name).grad,
              getattr(theirs.parametrizations.weight, name).grad)


def test_weight_norm_parametrization_loads_old_state_dict(real):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = real.nn.utils.weight_norm(_linear(real, 3, 4))
    ours = torch.nn.utils.parametrizations.weight_norm(_linear(torch, 3, 4, seed=1))
    sd = {k: torch.tensor(v.detach().numpy()) for k, v in old.state_dict().items()}
    ours.load_state_dict(sd)
    close(ours.weight, old.weight)


@pytest.mark.parametrize("make,x,kw", [
    (lambda lib: lib.nn.Linear(3, 4), X, {}),
    (lambda lib: lib.nn.Linear(3, 4), X, {"n_power_iterations": 3}),
    (lambda lib: lib.nn.Conv1d(2, 3, 2), np.linspace(-1, 1, 20, dtype=np.float32)
     .reshape(2, 2, 5), {"dim": 1}),
])
def test_spectral_norm_parametrization(real, make, x, kw):
    real.manual_seed(0)
    theirs = real.nn.utils.parametrizations.spectral_norm(make(real), **kw)
    ours = torch.nn.utils.parametrizations.spectral_norm(make(torch), **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_state(ours, theirs)
    for _ in range(2):  # training: the power iteration advances u and v each call
        (yt, gt), (yo, go) = _fwd_bwd(real, theirs, x), _fwd_bwd(torch, ours, x)
        close(yo, yt)
        close(go, gt)
        close(ours.parametrizations.weight.original.grad,
              theirs.parametrizations.weight.original.grad)
        for k in ("_u", "_v"):
            close(getattr(ours.parametrizations.weight[0], k),
                  getattr(theirs.parametrizations.weight[0], k))
    theirs.eval()
    ours.eval()
    u = np_(ours.parametrizations.weight[0]._u).copy()
    close(ours(torch.tensor(x)), theirs(real.tensor(x)))
    np.testing.assert_array_equal(np_(ours.parametrizations.weight[0]._u), u)


def test_spectral_norm_errors(real):
    for lib in (real, torch):
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2),
                                                        n_power_iterations=0)
        with pytest.raises(IndexError, match="Dimension out of range"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), dim=2)
        with pytest.raises(ValueError, match="has no parameter or buffer with name 'w'"):
            lib.nn.utils.parametrizations.spectral_norm(lib.nn.Linear(2, 2), name="w")


def test_old_weight_norm(real):
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated"):
        theirs = real.nn.utils.weight_norm(_linear(real, 3, 4))
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated"):
        ours = torch.nn.utils.weight_norm(_linear(torch, 3, 4))
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_state(ours, theirs)
    (yt, gt), (yo, go) = _fwd_bwd(real, theirs), _fwd_bwd(torch, ours)
    close(yo, yt)
    close(go, gt)
    close(ours.weight_g.grad, theirs.weight_g.grad)
    close(ours.weight_v.grad, theirs.weight_v.grad)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"), \
            pytest.warns(FutureWarning):
        torch.nn.utils.weight_norm(ours)
    real.nn.utils.remove_weight_norm(theirs)
    torch.nn.utils.remove_weight_norm(ours)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    close(ours.weight, theirs.weight)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        torch.nn.utils.remove_weight_norm(ours)


def test_old_spectral_norm(real):
    real.manual_seed(0)
    theirs = real.nn.utils.spectral_norm(real.nn.Linear(3, 4), n_power_iterations=2)
    ours = torch.nn.utils.spectral_norm(torch.nn.Linear(3, 4), n_power_iterations=2)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_state(ours, theirs)
    for _ in range(2):
        (yt, gt), (yo, go) = _fwd_bwd(real, theirs), _fwd_bwd(torch, ours)
        close(yo, yt)
        close(go, gt)
        close(ours.weight_orig.grad, theirs.weight_orig.grad)
        close(ours.weight_u, theirs.weight_u)
    theirs.eval()
    ours.eval()
    close(ours(torch.tensor(X)), theirs(real.tensor(X)))
    real.nn.utils.remove_spectral_norm(theirs)
    torch.nn.utils.remove_spectral_norm(ours)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    close(ours.weight, theirs.weight)


@pytest.mark.parametrize("shape,kw", [
    ((3, 5), {}), ((5, 3), {}), ((4, 4), {}), ((4, 4), {"orthogonal_map": "cayley"}),
    ((3, 5), {"orthogonal_map": "matrix_exp"}), ((4, 4), {"orthogonal_map": "householder"}),
    ((4, 4), {"use_trivialization": False}),
])
def test_orthogonal(real, shape, kw):
    real.manual_seed(0)
    theirs = real.nn.utils.parametrizations.orthogonal(real.nn.Linear(*shape), **kw)
    ours = torch.nn.utils.parametrizations.orthogonal(torch.nn.Linear(*shape), **kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with real.no_grad():  # move away from the initial point (diagonal kept below -1)
        orig = theirs.parametrizations.weight.original
        g = np.random.default_rng(1).standard_normal(tuple(orig.shape)).astype(np.float32)
        np.fill_diagonal(g, 0.0)  # householder reads int(diagonal): keep it at -1
        orig.add_(real.tensor(g) * 0.3)
    copy_state(ours, theirs)
    close(ours.weight, theirs.weight)
    w = np_(ours.weight)
    gram = w.T @ w if w.shape[0] > w.shape[1] else w @ w.T
    np.testing.assert_allclose(gram, np.eye(len(gram)), atol=1e-5)
    x = np.linspace(-1, 1, 2 * shape[0], dtype=np.float32).reshape(2, shape[0])
    (yt, gt), (yo, go) = _fwd_bwd(real, theirs, x), _fwd_bwd(torch, ours, x)
    close(yo, yt)
    close(go, gt)
    close(ours.parametrizations.weight.original.grad,
          theirs.parametrizations.weight.original.grad, atol=1e-4)
    if kw.get("use_trivialization", True):  # assignment goes through right_inverse
        q = np.linalg.qr(np.random.default_rng(0).standard_normal((max(shape),) * 2))[0]
        q = q[:, :min(shape)].astype(np.float32)  # orthonormal columns
        q = q if shape[1] > shape[0] else q.T  # the weight's (out, in) shape
        ours.weight = torch.tensor(q)
        theirs.weight = real.tensor(q)
        close(ours.weight, theirs.weight)
        close(ours.weight, real.tensor(q))


def test_orthogonal_errors(real):
    for lib in (real, torch):
        orth = lib.nn.utils.parametrizations.orthogonal
        with pytest.raises(ValueError, match="Expected a matrix or batch of matrices. Got a "
                                             "tensor of 1 dimensions"):
            orth(lib.nn.Linear(2, 2), name="bias")
        with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
            orth(lib.nn.Linear(2, 2), orthogonal_map="qr")
