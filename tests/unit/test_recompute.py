"""Recomputed activations: nodes drop large inputs produced by other nodes; backward recomputes.

Gradients must be identical whichever inputs were dropped, on the per-node, fused, hook and
create_graph paths, and a grad-mode forward must not keep its activations alive.
"""

import gc

import jax
import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax.autograd import engine, graph


@pytest.fixture
def threshold():
    old = graph.recompute_min_bytes

    def set_to(value):
        graph.recompute_min_bytes = value

    yield set_to
    graph.recompute_min_bytes = old


def _grads(build, runs=3):
    """Leaf grads of ``build`` over several runs (per-node first, then fused)."""
    engine.clear_caches()
    out = []
    for _ in range(runs):
        leaves, loss = build()
        loss.backward()
        out.append([leaf.grad.numpy() for leaf in leaves])
    return out


def _mlp():
    rng = np.random.default_rng(0)
    w1 = torch.tensor(rng.normal(size=(8, 16)).astype(np.float32), requires_grad=True)
    w2 = torch.tensor(rng.normal(size=(16, 4)).astype(np.float32), requires_grad=True)
    x = torch.tensor(rng.normal(size=(5, 8)).astype(np.float32))
    h = (x @ w1).tanh()
    h2 = h * h.sigmoid()  # h used twice: a diamond through a dropped activation
    loss = ((h2 @ w2).relu() ** 2).mean()
    return [w1, w2], loss


def _inplace_chain():
    a = torch.tensor(np.linspace(-1, 1, 32, dtype=np.float32), requires_grad=True)
    y = a.exp()
    z = y * 2
    z.add_(1)
    z[3] = 0.5
    return [a], (z.sin() * y).sum()


@pytest.mark.parametrize("build", [_mlp, _inplace_chain])
def test_dropping_every_input_gives_identical_gradients(threshold, build):
    threshold(None)
    kept = _grads(build)
    threshold(0)
    dropped = _grads(build)
    for k, d in zip(kept, dropped, strict=True):
        for a, b in zip(k, d, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_dropped_inputs_are_marked_and_recomputed(threshold):
    threshold(0)
    x = torch.ones(4, requires_grad=True)
    y = x * 3
    z = y.exp()
    node = z.grad_fn
    assert node.inputs[0] is None and node.edges[0][0] is y.grad_fn
    z.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp(3.0) * np.ones(4), rtol=1e-6)


def test_create_graph_and_hooks_with_dropped_inputs(threshold):
    threshold(0)
    x = torch.tensor([0.5, 1.5], requires_grad=True)
    y = x * x
    seen = []
    y.register_hook(lambda g: seen.append(g.tolist()))
    z = (y * x).sum()  # x**3
    (g,) = torch.autograd.grad(z, x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * np.array([0.25, 2.25]), rtol=1e-6)
    (g2,) = torch.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g2.numpy(), 6 * np.array([0.5, 1.5]), rtol=1e-6)
    assert seen == [[0.5, 1.5], [1.0, 1.0]]  # as torch: the second grad flows through y too


def test_grad_mode_forward_keeps_no_activations_alive():
    """W5 in miniature: with the graph alive, only leaves stay resident (default threshold)."""
    width, layers = 512, 6
    rng = np.random.default_rng(0)
    ws = [torch.tensor(rng.normal(0, width ** -0.5, (width, width)).astype(np.float32),
                       requires_grad=True) for _ in range(layers)]
    x = torch.tensor(rng.normal(size=(width, width)).astype(np.float32))  # 1 MiB activations
    gc.collect()
    before = sum(a.nbytes for a in jax.live_arrays())
    h = x
    for w in ws:
        h = (h @ w).tanh()
    gc.collect()
    held = sum(a.nbytes for a in jax.live_arrays()) - before
    act = width * width * 4
    assert held <= 3 * act, f"graph keeps {held / act:.1f} activations alive"
    h.sum().backward()
    assert all(w.grad is not None and w.grad.shape == w.shape for w in ws)
