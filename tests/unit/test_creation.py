"""Factories (tensor, as_tensor, from_numpy, zeros... *_like) and random tensors.

Expected dtypes, values and messages were checked against torch 2.13.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike_jax as torch


# ---- torch.tensor and dtype inference ------------------------------------------------------
@pytest.mark.parametrize("data,want", [
    (3, "int64"), (2.5, "float32"), (True, "bool"), (1j, "complex64"),
    ([1, 2], "int64"), ([1, 2.0], "float32"), ([True, False], "bool"), ([[1], [2]], "int64"),
    ([], "float32"), ([[]], "float32"),
    (np.array([1.0]), "float64"), (np.array([1], dtype=np.int32), "int32"),
    (np.float64(1.0), "float64"), (np.array(True), "bool"),
    ([np.float64(1.0), 2], "float64"), ([np.int32(1), 2], "int64"),
    ([np.int32(1), np.int16(2)], "int32"), ([np.float16(1), 2.5], "float32"),
    ([True, np.int8(3)], "int8"), ([1.5, np.float64(1)], "float64"),
    ([[np.int8(1)], [2.5]], "float32"), ([1j, np.float32(1)], "complex64"),
])
def test_tensor_dtype_inference(data, want):
    t = torch.tensor(data)
    assert t.dtype is getattr(torch, want)
    assert t.shape == np.asarray(data).shape


def test_tensor_values_and_explicit_dtype():
    assert torch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert torch.tensor([1.7, -1.7], dtype=torch.int64).tolist() == [1, -1]
    assert torch.tensor([1, 0], dtype=torch.bool).tolist() == [True, False]
    assert torch.tensor((1, 2), dtype=torch.float64).dtype is torch.float64
    assert torch.tensor(2.0**40, dtype=torch.float64).item() == 2.0**40
    assert torch.tensor([2**62]).item() == 2**62


@pytest.mark.parametrize("n", [2, 1000, 200_000])
def test_tensor_copies_numpy_data(n):
    # JAX may alias (or asynchronously read) a numpy buffer: a later write must not leak in
    a = np.ones(n)
    t = torch.tensor(a)
    a[0] = 9.0
    assert t[0].item() == 1.0


@pytest.mark.parametrize("factory", [torch.as_tensor, torch.from_numpy])
@pytest.mark.parametrize("n", [2, 1000, 200_000])
def test_sharing_factories_see_numpy_writes(factory, n):
    # as in torch, these share the array's memory (tests/unit/test_numpy_bridge.py has the rest)
    a = np.ones(n)
    t = factory(a)
    a[0] = 9.0
    assert t[0].item() == 9.0


def test_tensor_from_tensors():
    assert torch.tensor([torch.tensor(1.0), torch.tensor(2.0)]).tolist() == [1.0, 2.0]
    # one-element tensors inside a sequence act as scalars of their dtype
    assert torch.tensor([torch.tensor([1]), torch.tensor([2])], dtype=torch.float64).shape == (2,)
    assert torch.tensor([torch.tensor(1, dtype=torch.int32), 2]).dtype is torch.int64
    assert torch.tensor([torch.tensor(1.0, dtype=torch.float16), 2]).dtype is torch.float16
    with pytest.raises(ValueError, match="only one element tensors"):
        torch.tensor([torch.ones(2)])
    src = torch.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match="sourceTensor.detach"):
        t = torch.tensor(src)
    assert t.is_leaf and not t.requires_grad
    assert t._st is not src._st


@pytest.mark.parametrize("data,exc,msg", [
    ([[1, 2], [3]], ValueError, r"expected sequence of length 2 at dim 1 \(got 1\)"),
    ([[[1, 2], [3, 4]], [[1, 2], [3]]], ValueError, "expected sequence of length 2 at dim 2"),
    ([[1, 2], 3], TypeError, "not a sequence"),
    ([1, [2]], TypeError, None),
    ("abc", TypeError, None),
    (2**63, ValueError, "Overflow"),
    ({1: 2}, RuntimeError, "Could not infer dtype of dict"),  # torch 2.13's class
])
def test_tensor_errors(data, exc, msg):
    with pytest.raises(exc, match=msg):
        torch.tensor(data)


def test_requires_grad_needs_float():
    msg = "Only Tensors of floating point and complex dtype can require gradients"
    with pytest.raises(RuntimeError, match=msg):
        torch.tensor([1], requires_grad=True)
    with pytest.raises(RuntimeError, match=msg):
        torch.zeros(2, dtype=torch.int64, requires_grad=True)
    with pytest.raises(RuntimeError, match=msg):
        torch.arange(3, requires_grad=True)
    assert torch.tensor([1j], requires_grad=True).requires_grad


def test_as_tensor_and_from_numpy():
    t = torch.tensor([1.0])
    assert torch.as_tensor(t) is t
    assert torch.as_tensor(t, dtype=torch.float32) is t
    assert torch.as_tensor(t, dtype=torch.float64).dtype is torch.float64
    assert torch.as_tensor(np.arange(3)).dtype is torch.int64
    assert torch.as_tensor([1, 2], dtype=torch.float64).tolist() == [1.0, 2.0]
    f = torch.from_numpy(np.arange(3, dtype=np.int16))
    assert f.dtype is torch.int16 and f.tolist() == [0, 1, 2]
    assert torch.from_numpy(np.ones((2, 3), dtype=np.float32)).shape == (2, 3)
    with pytest.raises(TypeError, match=r"expected np.ndarray \(got list\)"):
        torch.from_numpy([1])
    with pytest.raises(TypeError, match="can't convert np.ndarray of type"):
        torch.from_numpy(np.array(["a"]))


# ---- filled factories ----------------------------------------------------------------------
def test_zeros_ones_empty_full_shapes():
    assert torch.zeros(2, 3).shape == (2, 3)
    assert torch.zeros((2, 3)).shape == (2, 3)
    assert torch.zeros([2]).shape == (2,)
    assert torch.zeros(()).shape == () and torch.zeros(()).ndim == 0
    assert torch.zeros(torch.Size([2, 3])).shape == (2, 3)
    assert torch.zeros(np.int64(2), torch.tensor(3)).shape == (2, 3)
    assert torch.zeros(0, 3).numel() == 0
    assert torch.ones(2, 2).tolist() == [[1.0, 1.0], [1.0, 1.0]]
    assert torch.ones(2, dtype=torch.int64).dtype is torch.int64
    assert torch.empty(3, 2).shape == (3, 2) and torch.empty(2).dtype is torch.float32
    assert torch.zeros(2).dtype is torch.float32


@pytest.mark.parametrize("fill,dtype,want", [
    (3, None, "int64"), (3.0, None, "float32"), (True, None, "bool"),
    (1.5, "float64", "float64"), (True, "float32", "float32"), (1.5, "int64", "int64"),
])
def test_full_dtype(fill, dtype, want):
    t = torch.full((2,), fill, dtype=getattr(torch, dtype) if dtype else None)
    assert t.dtype is getattr(torch, want)
    assert t.tolist() == [getattr(torch, want).np.type(fill).item()] * 2


@pytest.mark.parametrize("factory", [
    lambda: torch.zeros(2, -1), lambda: torch.ones(-1), lambda: torch.empty(-2),
    lambda: torch.full((-1,), 2.0), lambda: torch.rand(-1), lambda: torch.randn(2, -3),
    lambda: torch.randperm(-1), lambda: torch.eye(-1),
])
def test_negative_dims(factory):
    with pytest.raises(RuntimeError, match="negative dimension|must be greater or equal to 0|"
                                           "Dimension size must be non-negative"):
        factory()


def test_non_integer_sizes():
    with pytest.raises(TypeError, match="tuple of ints"):
        torch.zeros(2, 3.0)
    with pytest.raises(TypeError, match="tuple of ints"):
        torch.rand(2.5)


def test_arange():
    assert torch.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert torch.arange(5).dtype is torch.int64
    assert torch.arange(1, 4).tolist() == [1, 2, 3]
    assert torch.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert torch.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert torch.arange(5.0).dtype is torch.float32
    assert torch.arange(1, 2.5, 0.5).dtype is torch.float32
    assert torch.arange(0, 1, 0.1).shape == (10,)
    assert torch.arange(5, dtype=torch.float64).dtype is torch.float64
    assert torch.arange(10, dtype=torch.int32).dtype is torch.int32
    assert torch.arange(torch.tensor(3)).tolist() == [0, 1, 2]
    # integer dtypes cast the bounds first, as torch does
    assert torch.arange(0, 2.5, 1, dtype=torch.int64).tolist() == [0, 1]
    assert torch.arange(0.5, 3, 1, dtype=torch.int64).tolist() == [0, 1, 2]
    assert torch.arange(-1.5, 2, 1, dtype=torch.int64).tolist() == [-1, 0, 1]
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        torch.arange(0, 5, 0)
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent"):
        torch.arange(0, 5, -1)


def test_linspace_eye():
    np.testing.assert_allclose(torch.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    assert torch.linspace(0, 1, 5).dtype is torch.float32
    assert torch.linspace(0, 1, 1).tolist() == [0.0]
    assert torch.linspace(0, 1, 0).shape == (0,)
    assert torch.linspace(0, 10, 5, dtype=torch.int64).tolist() == [0, 2, 5, 7, 10]
    assert torch.linspace(0.0, 1.0, 3, dtype=torch.float64).dtype is torch.float64
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        torch.linspace(0, 1, -1)
    assert torch.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert torch.eye(2, 3).shape == (2, 3)
    assert torch.eye(2, dtype=torch.int64).dtype is torch.int64
    assert torch.eye(0).shape == (0, 0)


def test_like_factories():
    i = torch.tensor([1, 2])
    f = torch.ones(2, 3, dtype=torch.float64)
    assert torch.zeros_like(i).dtype is torch.int64 and torch.zeros_like(i).tolist() == [0, 0]
    assert torch.ones_like(i, dtype=torch.float32).tolist() == [1.0, 1.0]
    assert torch.full_like(i, 2.7).tolist() == [2, 2]  # the input's dtype wins
    assert torch.full_like(f, 2.5).dtype is torch.float64
    assert torch.empty_like(f).shape == (2, 3) and torch.empty_like(f).dtype is torch.float64
    z = torch.zeros_like(f, requires_grad=True)
    assert z.requires_grad and z.is_leaf


def test_requires_grad_factories_inside_no_grad():
    with torch.no_grad():
        made = [
            torch.zeros(2, requires_grad=True), torch.ones(2, requires_grad=True),
            torch.tensor([1.0], requires_grad=True), torch.full((2,), 1.0, requires_grad=True),
            torch.ones_like(torch.zeros(2), requires_grad=True), torch.randn(2, requires_grad=True),
            torch.rand(2, requires_grad=True), torch.arange(3.0, requires_grad=True),
            torch.linspace(0, 1, 3, requires_grad=True), torch.eye(2, requires_grad=True),
            torch.empty(2, requires_grad=True),
        ]
    for t in made:
        assert t.requires_grad and t.is_leaf and t.grad_fn is None
    (made[0] * 2).sum().backward()
    assert made[0].grad.tolist() == [2.0, 2.0]


# ---- random --------------------------------------------------------------------------------
# (each new shape compiles a sampler, so these tests reuse a few shapes)
def test_random_shapes_and_dtypes():
    assert torch.rand(2, 3).shape == (2, 3) and torch.rand(2, 3).dtype is torch.float32
    assert torch.rand((2, 3)).shape == (2, 3)
    assert torch.rand(2, 3, dtype=torch.float64).dtype is torch.float64
    assert torch.randn(2, 3).shape == (2, 3) and torch.randn([2, 3]).dtype is torch.float32
    assert torch.randint(0, 10, (2, 3)).dtype is torch.int64
    assert torch.randint(10, (2, 3)).shape == (2, 3)
    assert torch.randint(3, 10, (2, 3)).shape == (2, 3)
    assert torch.randint(0, 5, (2, 3), dtype=torch.float32).dtype is torch.float32
    assert torch.randperm(5).dtype is torch.int64
    assert torch.randperm(5, dtype=torch.float32).dtype is torch.float32
    assert torch.rand_like(torch.zeros(2, 3, dtype=torch.float64)).dtype is torch.float64
    assert torch.randn_like(torch.zeros(2, 3)).shape == (2, 3)
    assert torch.randint_like(torch.zeros(2, 3), 5).dtype is torch.float32


def test_random_ranges():
    torch.manual_seed(0)
    u = torch.rand(10_000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0 and 0.45 < u.mean() < 0.55
    n = torch.randn(10_000).numpy()
    assert abs(n.mean()) < 0.05 and 0.95 < n.std() < 1.05
    r = torch.randint(-5, -2, (10_000,)).numpy()
    assert r.min() == -5 and r.max() == -3
    big = torch.randint(0, 2**40, (10_000,))
    assert big.dtype is torch.int64 and big.max().item() > 2**32
    lo = torch.randint_like(torch.zeros(10_000, dtype=torch.int32), 3, 6)
    assert lo.dtype is torch.int32 and set(lo.tolist()) == {3, 4, 5}
    assert sorted(torch.randperm(5).tolist()) == list(range(5))


def test_random_errors():
    with pytest.raises(NotImplementedError, match="\"check_uniform_bounds\" not implemented "
                                                  "for 'Long'"):
        torch.rand(2, dtype=torch.int64)
    with pytest.raises(NotImplementedError, match="normal_kernel_cpu"):
        torch.randn(2, dtype=torch.int64)
    with pytest.raises(NotImplementedError):
        torch.rand_like(torch.zeros(2, dtype=torch.int64))
    with pytest.raises(RuntimeError, match="random_ expects 'from' to be less than 'to', but got "
                                           "from=5 >= to=5"):
        torch.randint(5, 5, (2,))
    with pytest.raises(TypeError):
        torch.randint(5)


def test_manual_seed_determinism():
    g = torch.manual_seed(123)
    assert isinstance(g, torch.Generator) and g is torch.default_generator
    assert torch.initial_seed() == 123
    a = (torch.rand(2, 3).tolist(), torch.randn(2, 3).tolist(),
         torch.randint(0, 100, (2, 3)).tolist(), torch.randperm(5).tolist())
    torch.manual_seed(123)
    b = (torch.rand(2, 3).tolist(), torch.randn(2, 3).tolist(),
         torch.randint(0, 100, (2, 3)).tolist(), torch.randperm(5).tolist())
    assert a == b
    torch.manual_seed(124)
    assert torch.rand(2, 3).tolist() != a[0]
    # successive draws differ
    torch.manual_seed(123)
    assert torch.rand(2, 3).tolist() != torch.rand(2, 3).tolist()


def test_rng_state_roundtrip():
    torch.manual_seed(7)
    state = torch.get_rng_state()
    x = torch.rand(2, 3).tolist()
    torch.set_rng_state(state)
    assert torch.rand(2, 3).tolist() == x


def test_generator_objects():
    g1 = torch.Generator().manual_seed(3)
    g2 = torch.Generator()
    assert g2.manual_seed(3) is g2
    assert g1.initial_seed() == 3 and str(g1.device) == "cpu"
    x1 = torch.rand(2, 3, generator=g1).tolist()
    torch.manual_seed(0)
    torch.rand(2, 3)  # the default generator's draws do not disturb g2
    assert torch.rand(2, 3, generator=g2).tolist() == x1
    assert torch.randn(2, 3, generator=g1).tolist() == torch.randn(2, 3, generator=g2).tolist()
    assert (torch.randint(0, 9, (2, 3), generator=g1).tolist()
            == torch.randint(0, 9, (2, 3), generator=g2).tolist())
    assert torch.randperm(5, generator=g1).tolist() == torch.randperm(5, generator=g2).tolist()
    g3 = torch.Generator().manual_seed(4)
    assert (torch.rand(2, 3, generator=g3).tolist()
            != torch.rand(2, 3, generator=g1.manual_seed(3)).tolist())
    s = torch.Generator().seed()
    assert isinstance(s, int)


def test_factories_issue_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.tensor([1.0, 2.0])
        torch.zeros(2)
        torch.arange(3)
