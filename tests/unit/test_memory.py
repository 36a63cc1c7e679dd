"""No leaks: a long training loop keeps memory, live graph nodes and engine caches flat.

A graph must die as soon as the user drops its last tensor: nodes hold arrays and links to other
nodes only, leaves hold their ``AccumulateGrad`` weakly, and the engine's caches hold functions
and shape/dtype tuples only.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
import weakref

import numpy as np

import torchlike_jax as torch
from torchlike_jax.autograd import engine
from torchlike_jax.core.graph import Node

STEPS = 10_000


def live_nodes() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Node))


def _problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = torch.tensor(rng.normal(size=(16, 4)).astype(np.float32))
    y = torch.tensor(rng.normal(size=(16,)).astype(np.float32))
    w = torch.zeros(4, requires_grad=True)
    b = torch.zeros((), requires_grad=True)
    return x, y, w, b


def test_training_loop_memory_stays_flat():
    engine.clear_caches()
    x, y, w, b = _problem()

    def step():
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w.sub_(0.01 * w.grad)
            b.sub_(0.01 * b.grad)
        w.grad.zero_()
        b.grad.zero_()
        return loss

    start = time.perf_counter()
    first = step()
    first_loss = weakref.ref(first)
    first_node = weakref.ref(first.grad_fn)
    first_value = first.item()
    del first
    gc.collect()
    assert first_loss() is None, "the first step's loss is still alive"
    assert first_node() is None, "the first step's graph is still alive"

    nodes_at = {}
    base = None
    for i in range(2, STEPS + 1):
        loss = step()
        if i == 1_000:
            del loss
            nodes_at[i] = live_nodes()
            tracemalloc.start()
        elif i == 2_000:
            del loss
            gc.collect()
            tracemalloc.reset_peak()
            base = tracemalloc.get_traced_memory()[0]
    last_value = loss.item()
    del loss
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    nodes_at[STEPS] = live_nodes()  # after tracing: gc.get_objects() itself allocates a lot
    elapsed = time.perf_counter() - start

    assert last_value < first_value  # it trained
    assert nodes_at[STEPS] <= nodes_at[1_000], nodes_at
    assert nodes_at[STEPS] == 0, nodes_at  # no loss alive: no graph alive
    growth, peak_growth = current - base, peak - base
    assert growth < 2 * 2**20, f"traced memory grew by {growth} bytes over 8,000 steps"
    # the peak also sees one-off transients (a cache filling, a gc generation): a looser bound
    assert peak_growth < 8 * 2**20, f"traced peak grew by {peak_growth} bytes over 8,000 steps"
    assert engine.policy.structures_cached() <= 2
    assert len(engine._vjp_cache) <= 10
    assert engine.policy.stats["fused_compiles"] >= 1
    print(f"{STEPS} steps in {elapsed:.1f} s")  # ~15 s on 2 cores, 9,000 of them traced


def test_per_node_path_frees_graphs():
    # retain_grad keeps every step on the per-node path, which must not leak either
    x, y, w, b = _problem(1)
    grads = []

    def step():
        h = x @ w + b
        h.retain_grad()
        loss = ((h - y) ** 2).mean()
        loss.backward()
        grads.append(weakref.ref(h.grad))
        with torch.no_grad():
            w.sub_(0.01 * w.grad)
        w.grad = None
        b.grad = None

    for _ in range(100):
        step()
    before = live_nodes()
    for _ in range(1_000):
        step()
    assert live_nodes() <= before
    gc.collect()
    assert sum(r() is not None for r in grads) == 0  # retained grads die with their tensors


def test_create_graph_loop_frees_graphs_and_caches_stay_bounded():
    engine.clear_caches()
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)

    def step():
        out = (w * w * w).sum()
        (g,) = torch.autograd.grad(out, w, create_graph=True)
        penalty = (g * g).sum()
        penalty.backward()
        ref = weakref.ref(g.grad_fn)
        w.grad = None
        return ref

    for _ in range(20):
        step()
    before = live_nodes()
    refs = [step() for _ in range(300)]
    gc.collect()
    assert live_nodes() <= before
    assert sum(r() is not None for r in refs) == 0
    assert len(engine._vjp_cache) <= 10
    assert len(engine._bwd_cache) <= 10
    assert engine.policy.structures_cached() <= 5


def test_dropped_graph_without_backward_dies():
    w = torch.ones(3, requires_grad=True)
    out = (w.exp() * 2).sum()
    ref = weakref.ref(out.grad_fn)
    del out
    gc.collect()
    assert ref() is None
    assert w._acc is None or w._acc() is None  # the leaf holds its accumulator weakly
