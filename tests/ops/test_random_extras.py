"""Random sampling, RNG state and device queries, against live torch where torch is
deterministic (errors, dtypes, shapes, grad_fn names, state round trips) and statistically
where it is not (our streams differ from torch's by design)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import torchlike_jax as tj

pytestmark = pytest.mark.torch_live
torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")


def _outcome(fn, T):
    try:
        r = fn(T)
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return ("raise", type(e).__name__, str(e).split("\n")[0])
    if isinstance(r, (T.Tensor,)):
        return ("tensor", str(r.dtype), tuple(r.shape),
                type(r.grad_fn).__name__ if r.grad_fn is not None else None, r.requires_grad)
    return ("value", r)


def same(fn) -> None:
    """``fn(torch)`` and ``fn(torchlike_jax)`` agree: same exception class and first message
    line, or a tensor of the same dtype, shape, grad_fn name and requires_grad."""
    assert _outcome(fn, tj) == _outcome(fn, torch)


# ---- errors, dtypes, shapes, grad_fn ------------------------------------------------------
MULTINOMIAL_CASES = {
    "negative": lambda T: T.multinomial(T.tensor([1.0, -1.0]), 1),
    "inf": lambda T: T.multinomial(T.tensor([1.0, INF]), 1),
    "nan": lambda T: T.multinomial(T.tensor([1.0, NAN]), 1),
    # more than one sample with replacement: torch's other kernel words the checks differently
    "negative_replacement": lambda T: T.multinomial(T.tensor([1.0, -1.0]), 2, True),
    "inf_replacement": lambda T: T.multinomial(T.tensor([1.0, INF]), 2, True),
    "minus_inf_replacement": lambda T: T.multinomial(T.tensor([1.0, -INF]), 2, True),
    "nan_replacement": lambda T: T.multinomial(T.tensor([1.0, NAN]), 2, True),
    "negative_one_with_replacement": lambda T: T.multinomial(T.tensor([1.0, -1.0]), 1, True),
    "all_zero": lambda T: T.multinomial(T.tensor([0.0, 0.0]), 1),
    "zero_row": lambda T: T.multinomial(T.tensor([[1.0, 1.0], [0.0, 0.0]]), 1, True),
    "too_many": lambda T: T.multinomial(T.tensor([1.0, 1.0]), 3),
    "with_replacement": lambda T: T.multinomial(T.tensor([1.0, 1.0]), 3, True),
    "zero_samples": lambda T: T.multinomial(T.tensor([1.0, 1.0]), 0),
    "scalar": lambda T: T.multinomial(T.tensor(1.0), 1),
    "3d": lambda T: T.multinomial(T.ones(2, 2, 2), 1),
    "long": lambda T: T.multinomial(T.tensor([1, 1]), 1),
    "float64_2d": lambda T: T.multinomial(T.ones(3, 4, dtype=T.float64), 4),
    "empty_rows": lambda T: T.multinomial(T.ones(0, 3), 2),
    "method": lambda T: T.ones(5).multinomial(2, replacement=False),
    "zero_weight_last": lambda T: T.multinomial(T.tensor([1.0, 0.0, 1.0]), 3),
}

NORMAL_CASES = {
    "tt": lambda T: T.normal(T.zeros(2, 1), T.ones(3)),
    "tt_grad": lambda T: T.normal(T.zeros(3, requires_grad=True), T.ones(3, requires_grad=True)),
    "tf_grad": lambda T: T.normal(T.zeros(3, requires_grad=True), 2.0),
    "ft_grad": lambda T: T.normal(1.0, T.ones(3, requires_grad=True)),
    "ff": lambda T: T.normal(2.0, 3.0, (2, 3)),
    "ff_list": lambda T: T.normal(2.0, 3.0, [4]),
    "ff_ints": lambda T: T.normal(0, 1, (2,)),
    "ff_dtype": lambda T: T.normal(0.0, 1.0, (2,), dtype=T.float64),
    "ff_requires_grad": lambda T: T.normal(0.0, 1.0, (2,), requires_grad=True),
    "ff_device": lambda T: str(T.normal(0.0, 1.0, (2,), device="cpu").device),
    "ff_cuda": lambda T: T.normal(0.0, 1.0, (2,), device="cuda"),
    "ff_no_size": lambda T: T.normal(0.0, 1.0),
    "ff_int_size": lambda T: T.normal(0.0, 1.0, 3),
    "tt_size": lambda T: T.normal(T.zeros(2), T.ones(2), size=(3,)),
    "mean_f64": lambda T: T.normal(T.zeros(2, dtype=T.float64), 1.0),
    "mean_wins": lambda T: T.normal(T.zeros(2), T.ones(2, dtype=T.float64)),
    "mean_wins64": lambda T: T.normal(T.zeros(2, dtype=T.float64), T.ones(2, dtype=T.float16)),
    "std_dtype": lambda T: T.normal(0.0, T.ones(2, dtype=T.float64)),
    "neg_std": lambda T: T.normal(T.zeros(2), -1.0),
    "neg_std_half": lambda T: T.normal(0.0, -0.5, (2,)),
    "neg_std_tensor": lambda T: T.normal(T.zeros(2), T.tensor([-1.0, 1.0])),
    "neg_std_tensor2": lambda T: T.normal(0.0, T.tensor([-1.0, 1.0])),
    "long_mean": lambda T: T.normal(T.zeros(2, dtype=T.int64), 1.0),
    "long_std": lambda T: T.normal(0.0, T.ones(2, dtype=T.int64)),
    "long_size": lambda T: T.normal(0.0, 1.0, (2,), dtype=T.int64),
    "bad_broadcast": lambda T: T.normal(T.zeros(2, 3), T.ones(6)),
    "out": lambda T: T.normal(T.zeros(2), 1.0, out=T.empty(2, dtype=T.float64)),
    "out_resized": lambda T: T.normal(0.0, 1.0, (2,), out=T.empty(3)),
}

BERNOULLI_POISSON_CASES = {
    "probs": lambda T: T.bernoulli(T.full((2, 3), 0.5)),
    "probs_grad": lambda T: T.bernoulli(T.full((3,), 0.5, requires_grad=True)),
    "probs_f64": lambda T: T.bernoulli(T.full((3,), 0.5, dtype=T.float64)),
    "above_one": lambda T: T.bernoulli(T.tensor([0.5, 1.5])),
    "negative": lambda T: T.bernoulli(T.tensor([0.5, -0.5])),
    "nan": lambda T: T.bernoulli(T.tensor([0.5, NAN])),
    "long": lambda T: T.bernoulli(T.tensor([1, 0])),
    "p_float": lambda T: T.bernoulli(T.ones(2), 0.3),
    "p_kw": lambda T: T.bernoulli(T.ones(2), p=0.3),
    "p_bad": lambda T: T.bernoulli(T.ones(2), p=1.3),
    "p_grad": lambda T: T.bernoulli(T.ones(2, requires_grad=True), 0.3),
    "p_grad_backward": lambda T: T.bernoulli(T.ones(2, requires_grad=True), 0.3).sum().backward(),
    "inplace_nonleaf": lambda T: (T.ones(3, requires_grad=True) * 1).bernoulli_(0.3),
    "inplace_nonleaf_tensor_p": lambda T: (T.ones(3, requires_grad=True) * 1).bernoulli_(
        T.full((3,), 0.2, requires_grad=True)),
    "tensor_p": lambda T: T.bernoulli(T.ones(3), p=T.full((3,), 0.2)),
    "str_p": lambda T: T.bernoulli(T.ones(3), "a"),
    "method_tensor_p": lambda T: T.ones(3).bernoulli(T.full((3,), 0.2)),
    "method_generator": lambda T: T.ones(3).bernoulli(0.5, generator=T.Generator()),
    "generator": lambda T: T.bernoulli(T.full((3,), 0.5), generator=T.Generator()),
    "out": lambda T: T.bernoulli(T.full((3,), 0.5), out=T.empty(3, dtype=T.float64)),
    "method": lambda T: T.ones(3).bernoulli(),
    "method_p": lambda T: T.ones(3).bernoulli(p=0.25),
    "method_long": lambda T: T.ones(3, dtype=T.int64).bernoulli(),
    "inplace": lambda T: T.ones(3).bernoulli_(0.3),
    "inplace_default": lambda T: T.ones(3).bernoulli_(),
    "inplace_bad": lambda T: T.ones(3).bernoulli_(1.3),
    "inplace_long": lambda T: T.ones(3, dtype=T.int64).bernoulli_(0.3),
    "inplace_bool": lambda T: T.ones(3, dtype=T.bool).bernoulli_(0.3),
    "inplace_tensor_p": lambda T: T.ones(2, 3).bernoulli_(T.tensor([0.1, 0.2, 0.3])),
    "inplace_leaf": lambda T: T.ones(3, requires_grad=True).bernoulli_(0.3),
    "poisson": lambda T: T.poisson(T.tensor([1.0, 2.0])),
    "poisson_f64": lambda T: T.poisson(T.tensor([1.0, 2.0], dtype=T.float64)),
    "poisson_grad": lambda T: T.poisson(T.tensor([1.0, 2.0], requires_grad=True)),
    "poisson_neg": lambda T: T.poisson(T.tensor([1.0, -1.0])),
    "poisson_nan": lambda T: T.poisson(T.tensor([1.0, NAN])),
    "poisson_long": lambda T: T.poisson(T.tensor([1, 2])),
}

FILL_CASES = {
    "normal_": lambda T: T.empty(2, 3).normal_(1.0, 2.0),
    "normal_neg": lambda T: T.empty(2).normal_(0, -1),
    "normal_long": lambda T: T.ones(2, dtype=T.int64).normal_(),
    "normal_f16": lambda T: T.ones(2, dtype=T.float16).normal_(),
    "normal_nonleaf": lambda T: (T.ones(2, requires_grad=True) * 2).normal_(),
    "normal_leaf": lambda T: T.ones(2, requires_grad=True).normal_(),
    "uniform_": lambda T: T.empty(4).uniform_(-1, 1),
    "uniform_from_kw": lambda T: T.empty(4).uniform_(to=3.0),
    "uniform_bad": lambda T: T.empty(2).uniform_(1, 0),
    "uniform_long": lambda T: T.ones(2, dtype=T.int64).uniform_(),
    "uniform_nonleaf": lambda T: (T.ones(2, requires_grad=True) * 2).uniform_(),
    "exponential_": lambda T: T.empty(2, dtype=T.float64).exponential_(2.0),
    "exponential_bad": lambda T: T.empty(2).exponential_(-1),
    "exponential_long": lambda T: T.ones(2, dtype=T.int64).exponential_(),
    "exponential_nonleaf": lambda T: (T.ones(2, requires_grad=True) * 2).exponential_(),
    "geometric_": lambda T: T.empty(2).geometric_(0.3),
    "geometric_long": lambda T: T.ones(2, dtype=T.int64).geometric_(0.5),
    "geometric_bad": lambda T: T.empty(2).geometric_(1.5),
    "log_normal_": lambda T: T.empty(2).log_normal_(),
    "log_normal_bad": lambda T: T.empty(2).log_normal_(1, 0),
    "log_normal_long": lambda T: T.ones(2, dtype=T.int64).log_normal_(),
    "cauchy_": lambda T: T.empty(2).cauchy_(),
    "cauchy_bad": lambda T: T.empty(2).cauchy_(0, -1),
    "cauchy_long": lambda T: T.ones(2, dtype=T.int64).cauchy_(),
    "random_": lambda T: T.empty(2).random_(),
    "random_to": lambda T: T.empty(2, dtype=T.int64).random_(10),
    "random_from_to": lambda T: T.empty(2, dtype=T.int32).random_(-5, 5),
    "random_bad": lambda T: T.empty(2).random_(5, 2),
    "random_bool": lambda T: T.empty(2, dtype=T.bool).random_(),
    "random_nonleaf": lambda T: (T.ones(2, requires_grad=True) * 2).random_(3),
}


@pytest.mark.parametrize("name", sorted(MULTINOMIAL_CASES))
def test_multinomial_matches_torch(name: str) -> None:
    same(MULTINOMIAL_CASES[name])


@pytest.mark.parametrize("name", sorted(NORMAL_CASES))
def test_normal_matches_torch(name: str) -> None:
    same(NORMAL_CASES[name])


@pytest.mark.parametrize("name", sorted(BERNOULLI_POISSON_CASES))
def test_bernoulli_poisson_match_torch(name: str) -> None:
    same(BERNOULLI_POISSON_CASES[name])


@pytest.mark.parametrize("name", sorted(FILL_CASES))
def test_inplace_fills_match_torch(name: str) -> None:
    same(FILL_CASES[name])


def test_sample_gradients_are_zero_as_torch() -> None:
    for T in (tj, torch):
        m = T.zeros(3, requires_grad=True)
        s = T.ones(3, requires_grad=True)
        p = T.full((3,), 0.5, requires_grad=True)
        r = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (T.normal(m, s) + T.normal(m, 2.0) + T.bernoulli(p) + T.poisson(r)).sum().backward()
        for t in (m, s, p, r):
            np.testing.assert_array_equal(t.grad.numpy(), np.zeros(3))
        x = T.ones(3, requires_grad=True)
        y = x * 2
        y.normal_()
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


def test_inplace_fill_writes_through_a_view_and_bumps_version() -> None:
    x = tj.zeros(4, 3)
    v = x[1]
    before = x._version
    v.uniform_(2.0, 3.0)
    a = x.numpy()
    assert (a[1] >= 2).all() and (a[1] < 3).all()
    assert (a[0] == 0).all() and (a[2:] == 0).all()
    assert x._version > before


# ---- determinism -----------------------------------------------------------------------------
DRAWS = {
    "multinomial": lambda g: tj.multinomial(tj.ones(3, 10), 4, generator=g),
    "multinomial_repl": lambda g: tj.multinomial(tj.ones(10), 20, True, generator=g),
    "normal_tt": lambda g: tj.normal(tj.zeros(5), tj.ones(5), generator=g),
    "normal_ff": lambda g: tj.normal(0.0, 1.0, (5,), generator=g),
    "bernoulli": lambda g: tj.bernoulli(tj.full((8,), 0.5), generator=g),
    "poisson": lambda g: tj.poisson(tj.full((8,), 3.0), generator=g),
    "normal_": lambda g: tj.empty(5).normal_(generator=g),
    "uniform_": lambda g: tj.empty(5).uniform_(generator=g),
    "exponential_": lambda g: tj.empty(5).exponential_(generator=g),
    "geometric_": lambda g: tj.empty(5).geometric_(0.2, generator=g),
    "log_normal_": lambda g: tj.empty(5).log_normal_(generator=g),
    "cauchy_": lambda g: tj.empty(5).cauchy_(generator=g),
    "random_": lambda g: tj.empty(5).random_(generator=g),
    "bernoulli_": lambda g: tj.empty(8).bernoulli_(generator=g),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_draws_are_reproducible(name: str) -> None:
    draw = DRAWS[name]
    a = draw(tj.Generator().manual_seed(7)).numpy()
    b = draw(tj.Generator().manual_seed(7)).numpy()
    np.testing.assert_array_equal(a, b)
    g = tj.Generator().manual_seed(7)
    draw(g)
    assert not np.array_equal(draw(g).numpy(), a)  # the stream moves on
    tj.manual_seed(3)
    c = draw(None).numpy()
    tj.manual_seed(3)
    np.testing.assert_array_equal(draw(None).numpy(), c)


# ---- distribution statistics (fixed seeds, large samples) ------------------------------------
def _moments(x) -> tuple[float, float]:
    a = np.asarray(x.numpy(), np.float64)
    return float(a.mean()), float(a.var())


def test_distribution_moments() -> None:
    g = tj.Generator().manual_seed(1234)
    n = 200_000
    checks = {
        "normal_ff": (tj.normal(2.0, 3.0, (n,), generator=g), 2.0, 9.0),
        "normal_tt": (tj.normal(tj.full((n,), -1.0), tj.full((n,), 0.5), generator=g), -1.0,
                      0.25),
        "bernoulli": (tj.bernoulli(tj.full((n,), 0.3), generator=g), 0.3, 0.21),
        "bernoulli_p": (tj.bernoulli(tj.empty(n), 0.7, generator=g), 0.7, 0.21),
        "poisson": (tj.poisson(tj.full((n,), 4.0), generator=g), 4.0, 4.0),
        "normal_": (tj.empty(n).normal_(1.0, 2.0, generator=g), 1.0, 4.0),
        "uniform_": (tj.empty(n).uniform_(-1.0, 3.0, generator=g), 1.0, 16.0 / 12),
        "exponential_": (tj.empty(n).exponential_(2.0, generator=g), 0.5, 0.25),
        "geometric_": (tj.empty(n).geometric_(0.25, generator=g), 4.0, 0.75 / 0.0625),
        "log_normal_": (tj.empty(n).log_normal_(0.0, 0.5, generator=g), math.exp(0.125),
                        (math.exp(0.25) - 1) * math.exp(0.25)),
        "random_": (tj.empty(n, dtype=tj.int64).random_(0, 10, generator=g), 4.5, 8.25),
        "bernoulli_": (tj.empty(n).bernoulli_(0.6, generator=g), 0.6, 0.24),
    }
    for name, (x, mean, var) in checks.items():
        m, v = _moments(x)
        assert abs(m - mean) < 5 * math.sqrt(var / n) + 1e-3, (name, m, mean)
        assert abs(v - var) < 0.03 * var, (name, v, var)
    # Cauchy has no moments: its median and quartiles are median -/+ sigma
    c = tj.empty(n).cauchy_(1.0, 2.0, generator=g).numpy()
    np.testing.assert_allclose(np.percentile(c, [25, 50, 75]), [-1.0, 1.0, 3.0], atol=0.05)
    r = tj.empty(n).random_(generator=g).numpy()
    assert r.min() >= 0 and r.max() <= 2 ** 24 and r.max() > 2 ** 23 and (r == np.round(r)).all()


def test_multinomial_frequencies() -> None:
    g = tj.Generator().manual_seed(99)
    w = tj.tensor([1.0, 2.0, 0.0, 5.0])
    draws = tj.multinomial(w, 40_000, True, generator=g).numpy()
    freq = np.bincount(draws, minlength=4) / draws.size
    np.testing.assert_allclose(freq, [1 / 8, 2 / 8, 0, 5 / 8], atol=0.01)
    # without replacement: distinct indices, zero weights last; first pick follows the weights
    rows = tj.multinomial(tj.tensor([[1.0, 2.0, 0.0, 5.0]]).expand(20_000, 4).contiguous(), 3,
                          generator=g).numpy()
    assert rows.shape == (20_000, 3)
    assert all(len(set(r)) == 3 for r in rows[:500])
    assert (rows != 2).all()
    first = np.bincount(rows[:, 0], minlength=4) / rows.shape[0]
    np.testing.assert_allclose(first, [1 / 8, 2 / 8, 0, 5 / 8], atol=0.015)
    full = tj.multinomial(tj.tensor([1.0, 0.0, 1.0]), 3, generator=g).numpy()
    assert sorted(full) == [0, 1, 2] and full[2] == 1


# ---- torch.random: seeds and state ---------------------------------------------------------
def test_random_module_is_the_top_level_api() -> None:
    # (real torch only until torch._dynamo is imported: it then wraps torch.manual_seed, so
    # the identity of torch's own functions depends on which tests ran before in the process)
    for T in (tj,):
        assert T.random.manual_seed is T.manual_seed
        assert T.random.get_rng_state is T.get_rng_state
        assert T.random.set_rng_state is T.set_rng_state
        assert T.random.seed is T.seed and T.random.initial_seed is T.initial_seed
        assert T.random.default_generator is T.default_generator


SEED_CASES = {
    "negative": lambda T: T.manual_seed(-5).initial_seed(),
    "uint64_max": lambda T: T.manual_seed(2 ** 64 - 1).initial_seed(),
    "too_big": lambda T: T.manual_seed(2 ** 64),
    "float": lambda T: T.manual_seed(1.5).initial_seed(),
    "str": lambda T: T.manual_seed("a"),
    "generator_negative": lambda T: T.Generator().manual_seed(-5).initial_seed(),
    "initial_seed": lambda T: (T.manual_seed(123), T.initial_seed())[1],
    "seed_type": lambda T: type(T.seed()).__name__,
    "seed_is_initial": lambda T: T.seed() == T.initial_seed(),
    "state_dtype": lambda T: (T.get_rng_state().dtype, T.get_rng_state().ndim),
    "state_gen_dtype": lambda T: T.Generator().get_state().dtype,
    "set_float_state": lambda T: T.set_rng_state(T.zeros(3)),
    "set_list_state": lambda T: T.set_rng_state([1, 2]),
    "gen_set_float_state": lambda T: T.Generator().set_state(T.zeros(3)),
    "gen_device": lambda T: str(T.Generator().device),
    "gen_device_obj": lambda T: str(T.Generator(device=T.device("cpu")).device),
}


@pytest.mark.parametrize("name", sorted(SEED_CASES))
def test_seed_and_state_api_matches_torch(name: str) -> None:
    fn = SEED_CASES[name]

    def norm(T):
        r = _outcome(fn, T)
        return ("value", str(r[1]).replace("torch.", "")) if r[0] == "value" else r

    assert norm(tj) == norm(torch)


def test_wrong_state_size_raises_as_torch() -> None:
    for T in (tj, torch):
        with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size"):
            T.set_rng_state(T.zeros(3, dtype=T.uint8))


def test_state_round_trip_reproduces_draws() -> None:
    tj.manual_seed(11)
    tj.rand(3)
    state = tj.get_rng_state()
    a = [tj.rand(4), tj.randn(2, 2), tj.multinomial(tj.ones(6), 3), tj.empty(3).normal_()]
    tj.set_rng_state(state)
    b = [tj.rand(4), tj.randn(2, 2), tj.multinomial(tj.ones(6), 3), tj.empty(3).normal_()]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert tj.initial_seed() == 11
    # a generator's state moves to another generator, and the state tensor is a copy
    g = tj.Generator().manual_seed(5)
    s = g.get_state()
    h = tj.Generator().set_state(s)
    assert h.initial_seed() == 5
    np.testing.assert_array_equal(tj.rand(3, generator=g).numpy(),
                                  tj.rand(3, generator=h).numpy())
    np.testing.assert_array_equal(s.numpy(), tj.Generator().manual_seed(5).get_state().numpy())


def test_fork_rng_restores_the_stream() -> None:
    for T in (tj, torch):
        T.manual_seed(0)
        expected = T.rand(3).numpy()
        T.manual_seed(0)
        with T.random.fork_rng():
            T.rand(5)
        np.testing.assert_array_equal(T.rand(3).numpy(), expected)
        T.manual_seed(0)
        with T.random.fork_rng(devices=[], enabled=False):
            T.rand(5)
        assert not np.array_equal(T.rand(3).numpy(), expected)
        T.manual_seed(0)
        with pytest.raises(KeyError), T.random.fork_rng(devices=[]):
            T.rand(5)
            raise KeyError("restored even on error")
        np.testing.assert_array_equal(T.rand(3).numpy(), expected)


# ---- devices, accelerator, backends (answers on this CPU-only machine) -----------------------
@pytest.fixture
def default_device_reset():
    yield
    tj.set_default_device(None)
    torch.set_default_device(None)


DEVICE_CASES = {
    "get": lambda T: str(T.get_default_device()),
    "set_cpu": lambda T: (T.set_default_device("cpu"), str(T.get_default_device()),
                          str(T.zeros(2).device))[1:],
    "set_device_obj": lambda T: (T.set_default_device(T.device("cpu")),
                                 str(T.rand(2).device))[1],
    "set_none": lambda T: (T.set_default_device("cpu"), T.set_default_device(None),
                           str(T.get_default_device()))[2],
    "set_cuda": lambda T: T.set_default_device("cuda"),
    "cuda_then_get": lambda T: (T.set_default_device("cuda"), T.get_default_device()),
    "cuda_then_factory": lambda T: (T.set_default_device("cuda:1"), T.ones(2)),
    "cuda_then_cpu": lambda T: (T.set_default_device("cuda"), T.set_default_device("cpu"),
                                str(T.tensor([1.0]).device))[2],
    "bad": lambda T: T.set_default_device("foo"),
}


@pytest.mark.parametrize("name", sorted(DEVICE_CASES))
def test_default_device_matches_torch(name: str, default_device_reset) -> None:
    fn = DEVICE_CASES[name]
    ours, theirs = _outcome(fn, tj), _outcome(fn, torch)
    if name == "bad":  # torch lists every device type it knows; we know cpu, cuda and meta
        assert ours[:2] == theirs[:2] and ours[2].startswith("Expected one of cpu, cuda")
    else:
        assert ours == theirs


QUERY_CASES = {
    "cuda.is_available": lambda T: T.cuda.is_available(),
    "cuda.device_count": lambda T: T.cuda.device_count(),
    "cuda.manual_seed": lambda T: T.cuda.manual_seed(1),
    "cuda.manual_seed_all": lambda T: T.cuda.manual_seed_all(1),
    "cuda.seed": lambda T: T.cuda.seed(),
    "cuda.seed_all": lambda T: T.cuda.seed_all(),
    "cuda.is_initialized": lambda T: T.cuda.is_initialized(),
    "cuda.current_device": lambda T: T.cuda.current_device(),
    "cuda.synchronize": lambda T: T.cuda.synchronize(),
    "cuda.get_device_name": lambda T: T.cuda.get_device_name(),
    "cuda.empty_cache": lambda T: T.cuda.empty_cache(),
    "accelerator.is_available": lambda T: T.accelerator.is_available(),
    "accelerator.current_accelerator": lambda T: T.accelerator.current_accelerator(),
    "accelerator.device_count": lambda T: T.accelerator.device_count(),
    "accelerator.current_device_index": lambda T: T.accelerator.current_device_index(),
    "accelerator.synchronize": lambda T: T.accelerator.synchronize(),
    "mps.is_available": lambda T: T.backends.mps.is_available(),
    "mps.is_built": lambda T: T.backends.mps.is_built(),
    "cudnn.defaults": lambda T: (T.backends.cudnn.enabled, T.backends.cudnn.benchmark,
                                 T.backends.cudnn.deterministic, T.backends.cudnn.allow_tf32),
    "cudnn.is_available": lambda T: T.backends.cudnn.is_available(),
    "cudnn.version": lambda T: T.backends.cudnn.version(),
    "cuda.matmul": lambda T: (T.backends.cuda.matmul.allow_tf32,
                              T.backends.cuda.matmul.allow_fp16_reduced_precision_reduction,
                              T.backends.cuda.matmul.allow_bf16_reduced_precision_reduction),
    "backends.cuda.is_built": lambda T: T.backends.cuda.is_built(),
}


@pytest.mark.skipif(torch.cuda.is_available(), reason="answers for a machine without a GPU")
@pytest.mark.parametrize("name", sorted(QUERY_CASES))
def test_cpu_answers_match_torch(name: str) -> None:
    if tj.cuda.is_available():
        pytest.skip("JAX sees a GPU here")
    assert _outcome(QUERY_CASES[name], tj) == _outcome(QUERY_CASES[name], torch)


def test_backend_flags_are_settable() -> None:
    flags = [(tj.backends.cudnn, "benchmark"), (tj.backends.cudnn, "deterministic"),
             (tj.backends.cudnn, "enabled"), (tj.backends.cuda.matmul, "allow_tf32")]
    for obj, name in flags:
        old = getattr(obj, name)
        try:
            setattr(obj, name, not old)
            assert getattr(obj, name) is (not old)
        finally:
            setattr(obj, name, old)
    assert callable(tj.backends.cache_info)  # the library's own backend queries stay


def test_draws_inside_compile_follow_the_seed() -> None:
    @tj.compile
    def f(x):
        with tj.no_grad():
            return (tj.normal(x, 1.0) + tj.bernoulli(tj.full((3,), 0.5))
                    + tj.empty(3).uniform_() + tj.multinomial(tj.ones(3), 3).float())

    tj.manual_seed(0)
    a, b = f(tj.zeros(3)).numpy(), f(tj.zeros(3)).numpy()
    assert not np.array_equal(a, b)  # each call draws afresh
    tj.manual_seed(0)
    np.testing.assert_array_equal(f(tj.zeros(3)).numpy(), a)
