"""Python numbers are runtime values of the compiled programs, never part of a cache key.

A learning rate, an Adam step size, a leaky_relu slope or an int index changes every step in
real loops; compiling per value made a hand-written Adam 90 x slower than torch and a bigram
count loop 100 x slower. These tests count the per-op jit cache's misses (a miss is a new
compiled function) while only a value changes.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import torchlike_jax as torch
from tests import opinfo
from torchlike_jax import _caches

OPS = opinfo.load_ops()

# ops whose float argument decides a shape or a branch: a new value may compile anew
# (as it re-specialises in torch.compile too). Each needs its reason.
DECIDES_SHAPE_OR_BRANCH = {
    "torch.isclose": "rtol == atol == 0 means exact equality (a branch)",
    "torch.allclose": "rtol == atol == 0 means exact equality (a branch)",
    "linalg.vector_norm": "ord picks the algorithm (inf, -inf, 0, 1, 2, p)",
    "linalg.norm": "ord picks the algorithm",
    "linalg.matrix_norm": "ord picks the algorithm",
    "torch.norm": "p picks the algorithm",
    "F.normalize": "p picks the norm's algorithm",
    "F.pairwise_distance": "p picks the norm's algorithm",
    "torch.dist": "p picks the norm's algorithm",
    "torch.cdist": "p picks the algorithm (0, 1, 2, inf, general)",
    "F.triplet_margin_loss": "p picks the norm's algorithm",
    "F.interpolate": "scale_factor fixes the output shape",
    "torch.histogram": "a (0, 0) range means 'use the data range' (a branch)",
    "torch.histc": "min == max == 0 means 'use the data range' (a branch)",
}


def _floats(v, path=()):
    """Paths to the Python floats in a sample's args/kwargs (nested tuples and lists)."""
    if type(v) is float:
        yield path
    elif isinstance(v, (tuple, list)):
        for k, u in enumerate(v):
            yield from _floats(u, (*path, k))
    elif isinstance(v, dict):
        for k, u in v.items():
            yield from _floats(u, (*path, k))


def _replace(v, path, new):
    if not path:
        return new
    k, rest = path[0], path[1:]
    if isinstance(v, dict):
        return {**v, k: _replace(v[k], rest, new)}
    items = list(v)
    items[k] = _replace(items[k], rest, new)
    return type(v)(items)


def _perturbed(x: float) -> float:
    """Another value of the same sign and magnitude class (probabilities stay in (0, 1))."""
    if x == 0.0 or not np.isfinite(x):
        return x
    return x * 0.75 if abs(x) <= 1 else x + (0.25 if x > 0 else -0.25)


def _float_samples():
    for op in OPS:
        if op.name in DECIDES_SHAPE_OR_BRANCH:
            continue
        for i, s in enumerate(op.samples):
            if s.error:
                continue
            paths = list(_floats((s.args, s.kwargs)))
            paths = [p for p in paths if _perturbed(_get((s.args, s.kwargs), p)) !=
                     _get((s.args, s.kwargs), p)]
            if paths:
                yield pytest.param(op, i, paths, id=f"{op.name}-{i}")


def _get(v, path):
    for k in path:
        v = v[k]
    return v


FLOAT_SAMPLES = list(_float_samples())


def test_the_sweep_covers_the_ops_that_take_floats():
    names = {p.values[0].name for p in FLOAT_SAMPLES}
    for expected in ("Tensor.addcdiv_", "torch.addcmul", "F.leaky_relu", "F.elu", "F.softplus",
                     "F.hardtanh", "torch.nan_to_num", "F.huber_loss", "F.smooth_l1_loss",
                     "F.dropout", "F.cross_entropy", "torch.addmm", "F.threshold"):
        assert expected in names, f"{expected} has no sample with a float argument"


@pytest.mark.parametrize("op, index, paths", FLOAT_SAMPLES)
def test_a_new_float_value_does_not_compile_again(op, index, paths):
    dtype = opinfo.sample_dtypes(op, index)[0]
    args, kwargs, _ = opinfo.build(torch, op, index, dtype)
    with torch.no_grad():
        op.fn(torch, *args, **kwargs)
        op.fn(torch, *args, **kwargs)  # whatever a first call builds lazily
        sample = (args, kwargs)
        for p in paths:
            sample = _replace(sample, p, _perturbed(_get(sample, p)))
        before = _caches.cache("op_jit").misses
        op.fn(torch, *sample[0], **sample[1])
        after = _caches.cache("op_jit").misses
    assert after == before, (f"{op.name}: {after - before} new compiled function(s) when only "
                             f"float arguments changed")


def test_adam_style_loop_compiles_nothing_after_the_first_steps():
    torch.manual_seed(0)
    p = torch.randn(8, requires_grad=True)
    m, v = torch.zeros(8), torch.zeros(8)
    beta1, beta2, lr, eps = 0.9, 0.999, 1e-2, 1e-8
    misses = []
    first_loss = float(((p - 1.0) ** 2).sum())
    for step in range(1, 41):
        loss = ((p - 1.0) ** 2).sum()
        loss.backward()
        with torch.no_grad():
            g = p.grad
            m.mul_(beta1).add_(g, alpha=1 - beta1)
            v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
            bias1, bias2 = 1 - beta1**step, 1 - beta2**step
            denom = (v.sqrt() / bias2**0.5).add_(eps)
            p.addcdiv_(m, denom, value=-lr / bias1)
        p.grad = None
        misses.append(_caches.cache("op_jit").misses)
    assert misses[-1] == misses[2], f"compiled again after step 3: {misses}"
    assert float(((p - 1.0) ** 2).sum()) < first_loss  # it optimised


def test_int_indices_are_runtime_values():
    counts = torch.zeros(27, 27, dtype=torch.int32)
    rng = random.Random(0)
    pairs = [(rng.randrange(27), rng.randrange(27)) for _ in range(200)]
    for i, j in pairs[:3]:
        counts[i, j] += 1
    before = _caches.cache("op_jit").misses
    for i, j in pairs[3:]:
        counts[i, j] += 1
    assert _caches.cache("op_jit").misses == before
    expected = np.zeros((27, 27), np.int32)
    for i, j in pairs:
        expected[i, j] += 1
    np.testing.assert_array_equal(counts.numpy(), expected)


def test_batch_slices_are_runtime_values():
    data = torch.arange(64.0).reshape(32, 2)
    first = data[0:4] * 1.0
    before = _caches.cache("op_jit").misses
    batches = [data[i:i + 4] * 1.0 for i in range(4, 32, 4)]
    assert _caches.cache("op_jit").misses == before
    for k, b in enumerate([first, *batches]):
        np.testing.assert_array_equal(b.numpy(), np.arange(64.0).reshape(32, 2)[4 * k:4 * k + 4])


def test_select_and_slice_writes_and_gradients_with_runtime_indices():
    w = torch.zeros(6, 3, requires_grad=True)
    for i in range(6):
        (w[i] * (i + 1.0)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.repeat(np.arange(1.0, 7.0)[:, None], 3, 1))
    x = torch.arange(10.0)
    for i in range(0, 10, 2):
        x[i:i + 2] = torch.tensor([-1.0, -2.0]) * i
    np.testing.assert_array_equal(x.numpy(), np.repeat(-np.arange(0, 10, 2.0), 2) *
                                  np.tile([1.0, 2.0], 5))
    y = torch.arange(10.0)
    y[-3] = 100.0
    y[1:9:3] = 7.0
    assert y.tolist() == [0.0, 7.0, 2.0, 3.0, 7.0, 5.0, 6.0, 7.0, 8.0, 9.0]


def test_runtime_scalar_inputs_are_hidden_from_next_functions():
    x = torch.randn(3, requires_grad=True)
    y = torch.nn.functional.leaky_relu(x, 0.3)
    assert type(y.grad_fn).__name__ == "LeakyReluBackward0"
    assert len(y.grad_fn.next_functions) == 1
    z = torch.addcdiv(x, x, x + 5.0, value=0.5)
    assert len(z.grad_fn.next_functions) == 3
    seen = []
    z.grad_fn.register_hook(lambda gi, go: seen.append(len(gi)))
    z.sum().backward()
    assert seen == [3]


@pytest.mark.torch_live
def test_float_params_match_torch_values_and_grads():
    real = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.standard_normal(5).astype(np.float32)
    for slope in (0.01, 0.2, 0.37):
        ours = torch.tensor(a, requires_grad=True)
        theirs = real.tensor(a, requires_grad=True)
        y1 = torch.nn.functional.elu(ours, alpha=slope) * 2.5
        y2 = real.nn.functional.elu(theirs, alpha=slope) * 2.5
        y1.sum().backward()
        y2.sum().backward()
        np.testing.assert_allclose(y1.detach().numpy(), y2.detach().numpy(), rtol=1e-6)
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)
        assert repr(y1.grad_fn.next_functions[0][0]).split()[0] == \
            repr(y2.grad_fn.next_functions[0][0]).split()[0]
