"""torch.distributions against live PyTorch: densities, moments, cdf/icdf and their parameter
gradients, shapes, reprs, validation errors, KL values, and sample statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

import torchlike_jax as tj
from torchlike_jax import distributions as D

pytestmark = pytest.mark.torch_live
torch = pytest.importorskip("torch")
TD = torch.distributions


def _np(t):
    return np.asarray(t.detach().cpu().numpy() if hasattr(t, "cpu") else t.detach().numpy())


def _close(ours, theirs, rtol=1e-5, atol=1e-5):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_allclose(_np(ours), _np(theirs), rtol=rtol, atol=atol, equal_nan=True)


def _pair(name, params, grad=True):
    """Build the same distribution in both libraries; float list params become leaves."""
    ours, theirs = {}, {}
    for k, v in params.items():
        if isinstance(v, list):
            a = np.array(v, dtype=np.float32)
            ours[k] = tj.tensor(a, requires_grad=grad)
            theirs[k] = torch.tensor(a, requires_grad=grad)
        else:
            ours[k] = theirs[k] = v
    return getattr(D, name)(**ours), getattr(TD, name)(**theirs), ours, theirs


def _grads_match(ours_out, theirs_out, ours_p, theirs_p):
    """d(sum(out))/d(param) for every param that requires grad."""
    keys = [k for k in ours_p if isinstance(ours_p[k], tj.Tensor) and ours_p[k].requires_grad]
    if not keys or not theirs_out.requires_grad:
        return
    og = tj.autograd.grad(ours_out.sum(), [ours_p[k] for k in keys], allow_unused=True,
                         retain_graph=True)
    tg = torch.autograd.grad(theirs_out.sum(), [theirs_p[k] for k in keys], allow_unused=True,
                         retain_graph=True)
    for k, a, b in zip(keys, og, tg, strict=True):
        if b is None:
            assert a is None or np.allclose(_np(a), 0), k
        else:
            np.testing.assert_allclose(_np(a), _np(b), rtol=1e-4, atol=1e-5, err_msg=k)


# name, params, values inside the support, methods to compare
UNIVARIATE = [
    ("Normal", {"loc": [0.3, -1.2, 2.0], "scale": [0.5, 1.0, 2.5]}, [0.1, -2.0, 3.0],
     ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("Uniform", {"low": [-1.0, 0.0, 2.0], "high": [1.0, 0.5, 5.0]}, [0.2, 0.25, 4.0],
     ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev"]),
    ("Exponential", {"rate": [0.5, 1.0, 3.0]}, [0.1, 2.0, 0.7],
     ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("Laplace", {"loc": [0.3, -1.2, 2.0], "scale": [0.5, 1.0, 2.5]}, [0.1, -2.0, 3.0],
     ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("LogNormal", {"loc": [0.3, -1.2, 2.0], "scale": [0.5, 1.0, 0.7]}, [0.1, 2.0, 3.0],
     ["log_prob", "cdf", "icdf", "entropy", "mean", "variance", "stddev", "mode"]),
    ("Bernoulli", {"probs": [0.2, 0.5, 0.9]}, [1.0, 0.0, 1.0],
     ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("Bernoulli", {"logits": [-1.5, 0.0, 2.0]}, [0.0, 1.0, 1.0],
     ["log_prob", "entropy", "mean", "variance"]),
    ("Categorical", {"probs": [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]}, [2, 0],
     ["log_prob", "entropy", "mode"]),
    ("Categorical", {"logits": [[0.2, -1.3, 0.5], [2.0, 0.1, 0.0]]}, [1, 2],
     ["log_prob", "entropy", "mode"]),
    ("Gamma", {"concentration": [0.5, 2.0, 4.5], "rate": [1.0, 0.5, 3.0]}, [0.3, 2.0, 1.1],
     ["log_prob", "entropy", "mean", "variance", "stddev", "mode"]),
    ("Beta", {"concentration1": [0.5, 2.0, 4.5], "concentration0": [1.5, 0.7, 3.0]},
     [0.3, 0.9, 0.5], ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("Poisson", {"rate": [0.5, 2.0, 7.5]}, [0.0, 3.0, 6.0],
     ["log_prob", "mean", "variance", "mode"]),
    ("Binomial", {"total_count": 5, "probs": [0.2, 0.5, 0.9]}, [0.0, 3.0, 5.0],
     ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("Binomial", {"total_count": 4, "logits": [-1.0, 0.3, 2.0]}, [1.0, 3.0, 4.0],
     ["log_prob", "mean", "variance"]),
    ("Dirichlet", {"concentration": [[0.5, 2.0, 4.5], [1.0, 1.0, 3.0]]},
     [[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]], ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("Multinomial", {"total_count": 6, "probs": [[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]},
     [[1.0, 2.0, 3.0], [6.0, 0.0, 0.0]], ["log_prob", "mean", "variance"]),
    ("OneHotCategorical", {"logits": [[0.2, -1.3, 0.5], [2.0, 0.1, 0.0]]},
     [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("MultivariateNormal", {"loc": [[0.3, -1.0], [1.0, 2.0]],
                            "covariance_matrix": [[2.0, 0.5], [0.5, 1.0]]},
     [[0.1, 0.2], [-1.0, 3.0]], ["log_prob", "entropy", "mean", "variance", "mode"]),
    ("MultivariateNormal", {"loc": [0.3, -1.0], "scale_tril": [[1.5, 0.0], [0.4, 0.7]]},
     [[0.1, 0.2], [-1.0, 3.0]], ["log_prob", "entropy", "variance"]),
    ("MultivariateNormal", {"loc": [0.3, -1.0], "precision_matrix": [[2.0, 0.5], [0.5, 1.0]]},
     [[0.1, 0.2], [-1.0, 3.0]], ["log_prob", "entropy", "variance"]),
]


def _call(d, m, value):
    if m in ("log_prob", "cdf", "icdf"):
        return getattr(d, m)(value)
    if m == "entropy":
        return d.entropy()
    return getattr(d, m)


@pytest.mark.parametrize("name,params,values,methods", UNIVARIATE,
                         ids=[f"{c[0]}-{next(iter(c[1]))}" for c in UNIVARIATE])
def test_univariate_values_and_grads(name, params, values, methods):
    ours, theirs, op, tp = _pair(name, params)
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    assert repr(ours) == repr(theirs)
    is_int = name == "Categorical"
    for m in methods:
        v = values
        if m == "icdf":
            v = [0.1, 0.5, 0.8]
        arr = np.array(v, dtype=np.int64 if is_int else np.float32)
        a = _call(ours, m, tj.tensor(arr))
        b = _call(theirs, m, torch.tensor(arr))
        _close(a, b)
        _grads_match(a, b, op, tp)


def test_scalar_params_repr_and_shapes():
    for name, args in [("Normal", (0.0, 1.0)), ("Uniform", (0.0, 2.0)),
                       ("Exponential", (1.5,)), ("Laplace", (0.0, 1.0)), ("LogNormal", (0.0, 1.0))]:
        a, b = getattr(D, name)(*args), getattr(TD, name)(*args)
        assert repr(a) == repr(b)
        assert a.batch_shape == b.batch_shape == ()
        assert tuple(a.sample((4, 3)).shape) == tuple(b.sample((4, 3)).shape)
    assert repr(D.Bernoulli(probs=0.3)) == repr(TD.Bernoulli(probs=0.3))
    b = D.Bernoulli(logits=tj.zeros(2))
    tb = TD.Bernoulli(logits=torch.zeros(2))
    assert repr(b) == repr(tb)
    b.probs
    tb.probs
    assert repr(b) == repr(tb)  # lazily computed probs now show, in torch's order


def test_sample_shapes_dtypes_and_expand():
    cases = [D.Normal(tj.zeros(2), 1.0), D.Bernoulli(tj.full((2,), 0.3)),
             D.Categorical(tj.ones(2, 4)), D.Uniform(tj.zeros(2), 1.0),
             D.Exponential(tj.ones(2)), D.Laplace(tj.zeros(2), 1.0), D.LogNormal(tj.zeros(2), 1.0)]
    tcases = [TD.Normal(torch.zeros(2), 1.0), TD.Bernoulli(torch.full((2,), 0.3)),
              TD.Categorical(torch.ones(2, 4)), TD.Uniform(torch.zeros(2), 1.0),
              TD.Exponential(torch.ones(2)), TD.Laplace(torch.zeros(2), 1.0),
              TD.LogNormal(torch.zeros(2), 1.0)]
    for a, b in zip(cases, tcases, strict=True):
        for shape in [(), (5,), (3, 1)]:
            sa, sb = a.sample(shape), b.sample(shape)
            assert tuple(sa.shape) == tuple(sb.shape) and str(sa.dtype) == str(sb.dtype)
            assert not sa.requires_grad
        ea, eb = a.expand((3, 2)), b.expand((3, 2))
        assert ea.batch_shape == eb.batch_shape and repr(ea) == repr(eb)
        assert tuple(ea.sample((4,)).shape) == (4, 3, 2)
    with pytest.raises(RuntimeError, match="expanded size"):
        D.Normal(tj.zeros(2), 1.0).expand((3,))


def test_enumerate_support():
    for ours, theirs in [(D.Bernoulli(tj.full((2, 3), 0.3)), TD.Bernoulli(torch.full((2, 3), 0.3))),
                         (D.Categorical(tj.ones(2, 4)), TD.Categorical(torch.ones(2, 4)))]:
        for expand in (True, False):
            _close(ours.enumerate_support(expand), theirs.enumerate_support(expand))
    with pytest.raises(NotImplementedError):
        D.Normal(0.0, 1.0).enumerate_support()


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - we compare whatever torch raises
        return type(e), str(e)
    return None, None


@pytest.mark.parametrize("build", [
    lambda m: m.Normal(m_t(m)([0.0, 1.0]), m_t(m)([1.0, -1.0])),
    lambda m: m.Normal(0.0, 1.0).log_prob(m_t(m)([float("nan")])),
    lambda m: m.Bernoulli(probs=0.3).log_prob(m_t(m)([0.5])),
    lambda m: m.Bernoulli(probs=m_t(m)([1.3])),
    lambda m: m.Uniform(0.0, 1.0).log_prob(m_t(m)([1.5])),
    lambda m: m.Uniform(1.0, 0.0),
    lambda m: m.Exponential(-1.0),
    lambda m: m.Categorical(probs=m_t(m)([0.5, -0.5])),
    lambda m: m.Categorical(m_t(m)([0.5, 0.5])).log_prob(m_t(m)([2.0])),
    lambda m: m.Normal(0.0, 1.0).cdf("a"),
    lambda m: m.Normal(m_t(m)([0.0, 1.0]), 1.0).log_prob(m_t(m)([0.0, 1.0, 2.0])),
    lambda m: m.Bernoulli(),
    lambda m: m.Independent(m.Normal(0.0, 1.0), 1),
    lambda m: m.LogNormal(0.0, 1.0).log_prob(m_t(m)(-1.0)),
    lambda m: m.Laplace(0.0, 0.0),
    lambda m: m.Gamma(1.0, 1.0).log_prob(m_t(m)([-1.0])),
    lambda m: m.Beta(m_t(m)([1.0]), m_t(m)([-1.0])),
    lambda m: m.Beta(1.0, 1.0).log_prob(m_t(m)([1.5])),
    lambda m: m.Dirichlet(m_t(m)(1.0)),
    lambda m: m.Dirichlet(m_t(m)([1.0, 2.0])).log_prob(m_t(m)([0.5, 0.6])),
    lambda m: m.Poisson(1.0).log_prob(m_t(m)([0.5])),
    lambda m: m.Binomial(3, m_t(m)([0.5])).log_prob(m_t(m)([4.0])),
    lambda m: m.Multinomial(3.0, m_t(m)([0.5, 0.5])),
    lambda m: m.Multinomial(3, m_t(m)([0.5, 0.5])).log_prob(m_t(m)([4.0, 1.0])),
    lambda m: m.OneHotCategorical(m_t(m)([0.5, 0.5])).log_prob(m_t(m)([1.0, 1.0])),
    lambda m: m.MultivariateNormal(m_t(m)([0.0, 0.0])),
    lambda m: m.MultivariateNormal(m_t(m)(0.0), m_t(m)([[1.0]])),
    lambda m: m.MultivariateNormal(m_t(m)([0.0, 0.0]), m_t(m)([1.0, 1.0])),
    lambda m: m.MultivariateNormal(m_t(m)([0.0, 0.0]), m_t(m)([[1.0, 2.0], [2.0, 1.0]])),
    lambda m: m.MultivariateNormal(m_t(m)([0.0, 0.0]),
                                   scale_tril=m_t(m)([[1.0, 1.0], [0.0, 1.0]])),
])
def test_validation_errors(build):
    te, tmsg = _err(lambda: build(TD))
    oe, omsg = _err(lambda: build(D))
    assert te is not None and oe is te, (oe, omsg, te, tmsg)
    assert omsg == tmsg


def m_t(m):
    return torch.tensor if m is TD else tj.tensor


def test_validate_args_switches():
    D.Normal(0.0, -1.0, validate_args=False)  # no error when off
    assert D.Normal(0.0, 1.0, validate_args=False).log_prob(tj.tensor(float("nan"))).isnan()
    try:
        D.Distribution.set_default_validate_args(False)
        D.Normal(0.0, -1.0)
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="constraint GreaterThan"):
        D.Normal(0.0, -1.0)


def test_constraints_reprs_and_checks():
    names = ["real", "positive", "unit_interval", "simplex", "boolean", "nonnegative_integer",
             "positive_integer", "real_vector", "lower_cholesky", "positive_definite",
             "nonnegative", "dependent"]
    for n in names:
        assert repr(getattr(D.constraints, n)) == repr(getattr(TD.constraints, n))
    for n, args in [("interval", (0, 1)), ("half_open_interval", (0.0, 1.0)),
                    ("integer_interval", (0, 3)), ("greater_than", (2.0,)),
                    ("greater_than_eq", (0.5,)), ("less_than", (1.0,))]:
        a, b = getattr(D.constraints, n)(*args), getattr(TD.constraints, n)(*args)
        assert repr(a) == repr(b)
        x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0], dtype=np.float32)
        _close(a.check(tj.tensor(x)), b.check(torch.tensor(x)))
    m = np.array([[[1.0, 0.0], [0.5, 2.0]], [[1.0, 0.3], [0.3, 1.0]]], dtype=np.float32)
    for n in ["lower_cholesky", "positive_definite", "simplex", "real_vector"]:
        _close(getattr(D.constraints, n).check(tj.tensor(m)),
               getattr(TD.constraints, n).check(torch.tensor(m)))


KL_PAIRS = [
    ("Normal", {"loc": [0.3, -1.0], "scale": [0.5, 2.0]}, "Normal",
     {"loc": [1.0, 0.2], "scale": [1.5, 0.7]}),
    ("Bernoulli", {"probs": [0.2, 0.7]}, "Bernoulli", {"probs": [0.5, 0.1]}),
    ("Categorical", {"probs": [[0.2, 0.3, 0.5]]}, "Categorical", {"logits": [[0.1, 1.0, -1.0]]}),
    ("Exponential", {"rate": [0.5, 2.0]}, "Exponential", {"rate": [1.0, 1.5]}),
    ("Laplace", {"loc": [0.3, -1.0], "scale": [0.5, 2.0]}, "Laplace",
     {"loc": [1.0, 0.2], "scale": [1.5, 0.7]}),
    ("Uniform", {"low": [0.0, -1.0], "high": [1.0, 3.0]}, "Uniform",
     {"low": [-1.0, 0.0], "high": [2.0, 2.0]}),
    ("Uniform", {"low": [0.0, -1.0], "high": [1.0, 3.0]}, "Normal",
     {"loc": [1.0, 0.2], "scale": [1.5, 0.7]}),
    ("Exponential", {"rate": [0.5, 2.0]}, "Normal", {"loc": [1.0, 0.2], "scale": [1.5, 0.7]}),
    ("Normal", {"loc": [0.3, -1.0], "scale": [0.5, 2.0]}, "Laplace",
     {"loc": [1.0, 0.2], "scale": [1.5, 0.7]}),
    ("LogNormal", {"loc": [0.3, -1.0], "scale": [0.5, 2.0]}, "LogNormal",
     {"loc": [1.0, 0.2], "scale": [1.5, 0.7]}),
    ("Gamma", {"concentration": [0.5, 3.0], "rate": [1.0, 2.0]}, "Gamma",
     {"concentration": [1.5, 1.0], "rate": [0.5, 2.5]}),
    ("Beta", {"concentration1": [0.5, 3.0], "concentration0": [1.0, 2.0]}, "Beta",
     {"concentration1": [1.5, 1.0], "concentration0": [0.5, 2.5]}),
    ("Dirichlet", {"concentration": [[0.5, 3.0, 1.0]]}, "Dirichlet",
     {"concentration": [[1.5, 1.0, 2.0]]}),
    ("Poisson", {"rate": [0.5, 3.0]}, "Poisson", {"rate": [1.5, 1.0]}),
    ("OneHotCategorical", {"probs": [[0.2, 0.3, 0.5]]}, "OneHotCategorical",
     {"logits": [[0.1, 1.0, -1.0]]}),
    ("MultivariateNormal", {"loc": [0.3, -1.0], "scale_tril": [[1.5, 0.0], [0.4, 0.7]]},
     "MultivariateNormal", {"loc": [[1.0, 0.2], [0.0, 0.0]],
                            "covariance_matrix": [[2.0, 0.5], [0.5, 1.0]]}),
]


@pytest.mark.parametrize("pn,pp,qn,qp", KL_PAIRS, ids=[f"{c[0]}-{c[2]}" for c in KL_PAIRS])
def test_kl_divergence(pn, pp, qn, qp):
    op, tp, oparams, tparams = _pair(pn, pp)
    oq, tq, _, _ = _pair(qn, qp, grad=False)
    a, b = D.kl_divergence(op, oq), TD.kl_divergence(tp, tq)
    _close(a, b)
    _grads_match(a, b, oparams, tparams)


def test_kl_independent_registry_and_missing():
    a = D.Independent(D.Normal(tj.zeros(2, 3), 1.0), 1)
    b = D.Independent(D.Normal(tj.ones(2, 3), 2.0), 1)
    ta = TD.Independent(TD.Normal(torch.zeros(2, 3), 1.0), 1)
    tb = TD.Independent(TD.Normal(torch.ones(2, 3), 2.0), 1)
    _close(D.kl_divergence(a, b), TD.kl_divergence(ta, tb))
    te, tmsg = _err(lambda: TD.kl_divergence(TD.Laplace(0.0, 1.0), TD.Bernoulli(0.3)))
    oe, omsg = _err(lambda: D.kl_divergence(D.Laplace(0.0, 1.0), D.Bernoulli(0.3)))
    assert oe is te and omsg == tmsg
    te, tmsg = _err(lambda: TD.kl_divergence(TD.Bernoulli(0.3), TD.Normal(0.0, 1.0)))
    oe, omsg = _err(lambda: D.kl_divergence(D.Bernoulli(0.3), D.Normal(0.0, 1.0)))
    assert oe is te and omsg == tmsg
    for name in ["Normal", "Bernoulli", "Beta", "Dirichlet", "Exponential", "Gamma", "Poisson",
                 "Categorical", "Laplace", "Uniform", "MultivariateNormal", "LogNormal"]:
        assert (issubclass(getattr(D, name), D.ExponentialFamily)
                == issubclass(getattr(TD, name), TD.ExponentialFamily)), name

    class MyNormal(D.Normal):
        pass

    @D.register_kl(MyNormal, D.Normal)
    def _kl(p, q):
        return tj.tensor(7.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 7.0
    # the parent's rule still serves the parent pair
    assert D.kl_divergence(D.Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0


N = 200_000


@pytest.mark.parametrize("make", [
    lambda m, t: m.Normal(t([0.5, -2.0]), t([1.0, 3.0])),
    lambda m, t: m.Uniform(t([0.0, -2.0]), t([1.0, 3.0])),
    lambda m, t: m.Exponential(t([0.5, 4.0])),
    lambda m, t: m.Laplace(t([0.5, -2.0]), t([1.0, 0.3])),
    lambda m, t: m.LogNormal(t([0.1, -0.5]), t([0.3, 0.5])),
    lambda m, t: m.Bernoulli(t([0.1, 0.7])),
    lambda m, t: m.Gamma(t([0.3, 4.0]), t([1.0, 2.0])),
    lambda m, t: m.Beta(t([0.5, 3.0]), t([2.0, 1.5])),
    lambda m, t: m.Poisson(t([0.7, 12.0])),
    lambda m, t: m.Binomial(10, t([0.2, 0.9])),
    lambda m, t: m.Dirichlet(t([0.5, 2.0, 3.0])),
    lambda m, t: m.OneHotCategorical(t([0.2, 0.3, 0.5])),
    lambda m, t: m.Multinomial(7, t([0.2, 0.3, 0.5])),
    lambda m, t: m.MultivariateNormal(t([0.5, -1.0]), t([[2.0, 0.6], [0.6, 1.0]])),
])
def test_sample_statistics(make):
    tj.manual_seed(0)
    d = make(D, tj.tensor)
    s = _np(d.sample((N,)))
    if isinstance(d, D.MultivariateNormal):
        cov = _np(make(TD, torch.tensor).covariance_matrix)
        np.testing.assert_allclose(np.cov(s.T), cov, atol=0.03)
    td = make(TD, torch.tensor)
    mean, std = _np(td.mean), _np(td.stddev)
    np.testing.assert_allclose(s.mean(0), mean, atol=5 * std.max() / math.sqrt(N) + 1e-3)
    np.testing.assert_allclose(s.std(0), std, rtol=0.02)


def test_categorical_sample_frequencies():
    tj.manual_seed(1)
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.0, 0.5]], dtype=np.float32)
    s = _np(D.Categorical(tj.tensor(p)).sample((N,)))
    freq = np.stack([(s == k).mean(0) for k in range(3)], -1)
    np.testing.assert_allclose(freq, p, atol=0.01)


@pytest.mark.parametrize("name", ["Normal", "Uniform", "Laplace", "LogNormal", "Exponential"])
def test_rsample_is_differentiable(name):
    """d rsample / d params equals the reparameterization's derivative (checked against torch's
    formula on our own draws: sample = g(params, eps))."""
    params = {"Normal": {"loc": [0.5, -1.0], "scale": [1.0, 2.0]},
              "Uniform": {"low": [0.0, -1.0], "high": [1.0, 2.0]},
              "Laplace": {"loc": [0.5, -1.0], "scale": [1.0, 2.0]},
              "LogNormal": {"loc": [0.1, -0.3], "scale": [0.4, 0.5]},
              "Exponential": {"rate": [0.5, 2.0]}}[name]
    ours, _, op, _ = _pair(name, params)
    x = ours.rsample((3,))
    assert x.requires_grad and tuple(x.shape) == (3, 2)
    grads = tj.autograd.grad(x.sum(), list(op.values()))
    xv = _np(x)
    if name == "Normal":
        eps = (xv - _np(op["loc"])) / _np(op["scale"])
        np.testing.assert_allclose(_np(grads[0]), [3.0, 3.0])
        np.testing.assert_allclose(_np(grads[1]), eps.sum(0), rtol=1e-4, atol=1e-5)
    elif name == "Exponential":
        np.testing.assert_allclose(_np(grads[0]), (-xv / _np(op["rate"])).sum(0), rtol=1e-4)
    elif name == "LogNormal":
        np.testing.assert_allclose(_np(grads[0]), xv.sum(0), rtol=1e-4)
    else:
        assert all(np.isfinite(_np(g)).all() for g in grads)
    assert not ours.sample((3,)).requires_grad


def test_transformed_distribution_and_transforms():
    base_o, base_t = D.Normal(tj.zeros(3), 1.0), TD.Normal(torch.zeros(3), 1.0)
    loc = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    ol, tl = tj.tensor(loc, requires_grad=True), torch.tensor(loc, requires_grad=True)
    chains = [
        (lambda T, lc: [T.ExpTransform(), T.AffineTransform(lc, 2.0)]),
        (lambda T, lc: [T.AffineTransform(lc, -0.5), T.SigmoidTransform()]),
        (lambda T, lc: [T.AffineTransform(lc, 0.7), T.TanhTransform()]),
        (lambda T, lc: [T.ComposeTransform([T.AffineTransform(lc, 1.5), T.ExpTransform()])]),
    ]
    in_support = [[1.0, 0.2, 2.9], [0.3, 0.2, 0.9], [0.3, -0.2, 0.9], [0.3, 0.2, 0.9]]
    for chain, v in zip(chains, in_support, strict=True):
        values = np.array(v, dtype=np.float32)
        od = D.TransformedDistribution(base_o, chain(D.transforms, ol))
        td = TD.TransformedDistribution(base_t, chain(TD.transforms, tl))
        assert repr(od) == repr(td) and od.batch_shape == td.batch_shape
        assert repr(od.support) == repr(td.support)
        for m in ("log_prob", "cdf"):
            a = getattr(od, m)(tj.tensor(values))
            b = getattr(td, m)(torch.tensor(values))
            _close(a, b, rtol=1e-4)
            _grads_match(a, b, {"loc": ol}, {"loc": tl})
        _close(od.icdf(tj.tensor([0.1, 0.5, 0.8])), td.icdf(torch.tensor([0.1, 0.5, 0.8])),
               rtol=1e-4)
    reprs = [(D.transforms.ComposeTransform([D.transforms.ExpTransform(),
                                             D.transforms.TanhTransform()]),
              TD.transforms.ComposeTransform([TD.transforms.ExpTransform(),
                                              TD.transforms.TanhTransform()])),
             (D.transforms.ExpTransform().inv, TD.transforms.ExpTransform().inv),
             (D.transforms.AffineTransform(0.0, 1.0), TD.transforms.AffineTransform(0.0, 1.0))]
    for a, b in reprs:
        assert repr(a) == repr(b)
    e = D.transforms.ExpTransform(cache_size=1)
    x = tj.tensor([0.5])
    assert e.inv(e(x)) is x
    sig = D.transforms.SigmoidTransform()
    xt = np.array([-3.0, 0.1, 4.0], dtype=np.float32)
    _close(sig.log_abs_det_jacobian(tj.tensor(xt), sig(tj.tensor(xt))),
           TD.transforms.SigmoidTransform().log_abs_det_jacobian(
               torch.tensor(xt), torch.sigmoid(torch.tensor(xt))))


def test_independent():
    loc = np.arange(6, dtype=np.float32).reshape(2, 3) / 3
    ol, tl = tj.tensor(loc, requires_grad=True), torch.tensor(loc, requires_grad=True)
    od = D.Independent(D.Normal(ol, 1.5), 1)
    td = TD.Independent(TD.Normal(tl, 1.5), 1)
    assert repr(od) == repr(td)
    assert od.batch_shape == td.batch_shape and od.event_shape == td.event_shape
    v = np.ones((4, 2, 3), dtype=np.float32)
    a, b = od.log_prob(tj.tensor(v)), td.log_prob(torch.tensor(v))
    _close(a, b)
    _grads_match(a, b, {"loc": ol}, {"loc": tl})
    _close(od.entropy(), td.entropy())
    assert repr(od.support) == repr(td.support)
    assert tuple(od.sample((5,)).shape) == (5, 2, 3)
    assert od.expand((7, 2)).batch_shape == td.expand((7, 2)).batch_shape


def test_gamma_and_dirichlet_rsample_gradients():
    """Gamma's rsample carries torch's implicit reparameterization gradient: for our own
    draws x, d x / d concentration equals torch._standard_gamma_grad(alpha, x) / rate."""
    tj.manual_seed(3)
    alpha = np.array([0.3, 1.0, 4.0], dtype=np.float32)
    rate = np.array([1.0, 2.0, 0.5], dtype=np.float32)
    c = tj.tensor(alpha, requires_grad=True)
    r = tj.tensor(rate, requires_grad=True)
    x = D.Gamma(c, r).rsample((5,))
    gc, gr = tj.autograd.grad(x.sum(), [c, r])
    xv = _np(x)
    std = torch._standard_gamma_grad(torch.tensor(alpha).expand(5, 3),
                                     torch.tensor(xv * rate))
    np.testing.assert_allclose(_np(gc), (std.numpy() / rate).sum(0), rtol=1e-3)
    np.testing.assert_allclose(_np(gr), (-xv / rate).sum(0), rtol=1e-4)
    conc = tj.tensor([0.5, 2.0, 3.0], requires_grad=True)
    y = D.Dirichlet(conc).rsample((4,))
    assert y.requires_grad and np.allclose(_np(y.sum(-1)), 1.0, atol=1e-5)
    (g,) = tj.autograd.grad((y * tj.tensor([1.0, 2.0, 3.0])).sum(), [conc])
    assert np.isfinite(_np(g)).all() and np.abs(_np(g)).sum() > 0
    b = D.Beta(tj.tensor(2.0, requires_grad=True), 3.0).rsample((3,))
    assert b.requires_grad and tuple(b.shape) == (3,)


def test_group2_reprs_shapes_and_supports():
    def both(fn):
        return fn(D, tj.tensor), fn(TD, torch.tensor)

    builders = [
        lambda m, t: m.Gamma(1.0, 1.0), lambda m, t: m.Beta(1.0, 2.0),
        lambda m, t: m.Dirichlet(t([[1.0, 2.0, 3.0]])), lambda m, t: m.Poisson(t([1.0, 2.0])),
        lambda m, t: m.Binomial(3, t(0.3)), lambda m, t: m.Binomial(t([3.0, 4.0]), t([0.3, 0.5])),
        lambda m, t: m.Multinomial(3, t([1.0, 1.0, 2.0])),
        lambda m, t: m.OneHotCategorical(t([[1.0, 2.0], [3.0, 1.0]])),
        lambda m, t: m.MultivariateNormal(t([[0.0, 1.0]]), t([[1.0, 0.0], [0.0, 2.0]])),
        lambda m, t: m.MultivariateNormal(t([0.0, 1.0]),
                                          scale_tril=t([[[1.0, 0.0], [0.5, 2.0]]] * 3)),
    ]
    for fn in builders:
        a, b = both(fn)
        assert repr(a) == repr(b)
        assert a.batch_shape == b.batch_shape and a.event_shape == b.event_shape
        assert repr(a.support) == repr(b.support)
        for shape in [(), (4,)]:
            sa, sb = a.sample(shape), b.sample(shape)
            assert tuple(sa.shape) == tuple(sb.shape) and str(sa.dtype) == str(sb.dtype)
        ea, eb = a.expand((2,) + tuple(a.batch_shape)), b.expand((2,) + tuple(b.batch_shape))
        assert ea.batch_shape == eb.batch_shape and repr(ea) == repr(eb)
    for fn in [lambda m, t: m.OneHotCategorical(t([[1.0, 2.0], [3.0, 1.0]])),
               lambda m, t: m.Binomial(3, t([0.3, 0.5]))]:
        a, b = both(fn)
        for expand in (True, False):
            _close(a.enumerate_support(expand), b.enumerate_support(expand))
    m = D.MultivariateNormal(tj.zeros(2), tj.tensor([[2.0, 0.5], [0.5, 1.0]]))
    tm = TD.MultivariateNormal(torch.zeros(2), torch.tensor([[2.0, 0.5], [0.5, 1.0]]))
    for attr in ("scale_tril", "precision_matrix", "covariance_matrix"):
        _close(getattr(m, attr), getattr(tm, attr))


def test_compiles_without_validation():
    """With validate_args=False nothing reads a value on the host, so a compiled function runs
    as one program (no graph-break warning) and draws fresh samples on every call."""
    import warnings

    def f(x):
        d = D.Normal(x, 1.0, validate_args=False)
        return d.log_prob(tj.zeros(3)).sum(), d.sample((2,))

    cf = tj.compile(f)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with tj.no_grad():
            lp, s1 = cf(tj.ones(3))
            _, s2 = cf(tj.ones(3))
    np.testing.assert_allclose(lp.item(), 3 * (-0.5 - 0.5 * math.log(2 * math.pi)), rtol=1e-6)
    assert tuple(s1.shape) == (2, 3) and bool((s1 != s2).all())


def test_log_prob_of_sample_shaped_values():
    """Values with extra leading (sample) dims broadcast against the batch, as in torch."""
    rng = np.random.default_rng(0)
    cases = [
        (lambda m, t: m.Categorical(t([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])),
         rng.integers(0, 3, (4, 2))),
        (lambda m, t: m.Normal(t([0.0, 1.0]), t([1.0, 2.0])), rng.normal(size=(4, 1)),),
        (lambda m, t: m.MultivariateNormal(t([[0.0, 1.0]]), t([[1.0, 0.3], [0.3, 2.0]])),
         rng.normal(size=(4, 3, 2))),
        (lambda m, t: m.Dirichlet(t([[1.0, 2.0, 3.0], [0.5, 0.5, 4.0]])),
         rng.dirichlet([1, 1, 1], (4, 2))),
        (lambda m, t: m.Multinomial(3, t([[0.2, 0.3, 0.5]])),
         np.array([[[3, 0, 0]], [[1, 1, 1]]])),
        (lambda m, t: m.OneHotCategorical(t([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]])),
         np.eye(3)[rng.integers(0, 3, (4, 2))]),
        (lambda m, t: m.Binomial(t([3.0, 5.0]), t([0.2, 0.7])), np.array([[0.0, 5.0], [3.0, 1.0]])),
    ]
    for build, v in cases:
        a, b = build(D, tj.tensor), build(TD, torch.tensor)
        dtype = np.int64 if v.dtype.kind == "i" and isinstance(a, D.Categorical) else np.float32
        _close(a.log_prob(tj.tensor(v.astype(dtype))), b.log_prob(torch.tensor(v.astype(dtype))))
