"""A custom ``autograd.Function``'s forward/backward are user Python, run as torch runs them.

Each scenario is a function of the torch-like module ``T`` and returns observations; the same
code runs on torchlike_jax and, live, on torch 2.13 (skipped cleanly when torch is absent):

* host reads inside ``backward`` (``.item()``, ``.tolist()``, numpy, the tutorial's
  ``g = g.clone(); g[x < 0] = 0``) work on concrete tensors;
* the Python bodies run exactly as often as torch runs them (``retain_graph`` re-runs, repeated
  structures that the engine would otherwise fuse, ``autograd.grad``, pruned graphs), and an
  exception raised in ``backward`` reaches the caller with its own class and message;
* a random op in ``backward`` advances the global generator like any eager call;
* double backward goes through the ``backward`` of a custom Function used inside another's
  ``backward`` (issue #13); a ``None`` gradient leaves ``.grad`` None;
* non-tensor arguments that change per call grow no cache.
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as tj


def arr(t):
    return None if t is None else np.asarray(t.detach()).astype(np.float64)


def err(thunk):
    try:
        thunk()
    except Exception as e:  # noqa: BLE001 - observing the class is the point
        return (type(e).__name__, str(e))
    return None


def same(a, b, path="obs"):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert a is not None and b is not None, (path, a, b)
        np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                   rtol=1e-5, atol=1e-6, err_msg=path)
    elif isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b), (path, a, b)
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), (path, a.keys(), b.keys())
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, float):
        assert abs(a - b) <= 1e-5 * max(1.0, abs(b)), (path, a, b)
    else:
        assert a == b, (path, a, b)


# ---- 1. host reads in backward -----------------------------------------------------------------
def host_reads(T):
    seen = []

    class MyReLU(T.autograd.Function):
        """The official tutorial's ReLU."""

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            g = g.clone()
            g[x < 0] = 0
            return g

    class Reads(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            total = g.sum().item()
            seen.append((round(total, 5), g.tolist(), np.asarray(x.detach().numpy()).tolist(),
                         float(x.max()), bool((g > 0).all())))
            if total > 100:  # Python control flow on a value
                return g * 0
            return g * 2

    o = {}
    x = T.tensor([-1.0, 0.5, 2.0], requires_grad=True)
    grads = []
    for _ in range(3):  # first sighting, then the structure the engine would fuse
        x.grad = None
        (MyReLU.apply(x) * T.tensor([1.0, 2.0, 3.0])).sum().backward()
        grads.append(arr(x.grad))
    o["relu"] = grads
    x.grad = None
    (Reads.apply(x) * T.tensor([1.0, 2.0, 3.0])).sum().backward()
    o["reads_grad"] = arr(x.grad)
    x.grad = None
    (Reads.apply(x) * 1000).sum().backward()
    o["reads_branch"] = arr(x.grad)
    o["seen"] = seen
    return o


# ---- 2. how often the Python bodies run --------------------------------------------------------
def run_counts(T):
    calls = {"fwd": 0, "bwd": 0}

    class Counted(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            calls["fwd"] += 1
            ctx.save_for_backward(x)
            return x * 3

        @staticmethod
        def backward(ctx, g):
            calls["bwd"] += 1
            (x,) = ctx.saved_tensors
            return g * 3

    o = {}
    x = T.tensor([1.0, 2.0], requires_grad=True)
    w = T.tensor([0.5, -1.0], requires_grad=True)
    log = []

    def note(label):
        log.append((label, calls["fwd"], calls["bwd"]))

    y = Counted.apply(x)
    note("apply")
    loss = (y * w).sum()
    for _ in range(3):  # the 1st, 2nd and 3rd backward with retain_graph
        loss.backward(retain_graph=True)
    note("retain_graph x3")
    o["retained_grad"] = arr(x.grad)
    for _ in range(4):  # a repeated structure: torchlike_jax's engine fuses those
        x.grad = None
        (Counted.apply(x) * w).sum().backward()
    note("loop x4")
    o["loop_grad"] = arr(x.grad)
    y = Counted.apply(x)
    (g,) = T.autograd.grad((y * y).sum(), x)  # one node reached by two paths: still once
    note("two paths")
    o["two_paths"] = arr(g)
    y = Counted.apply(x)
    z = y * w
    (gy,) = T.autograd.grad(z.sum(), y)  # the node below the wanted gradient never runs
    note("pruned")
    o["pruned"] = arr(gy)
    with T.no_grad():
        Counted.apply(x)
    note("no_grad")
    y = Counted.apply(x)
    y.sum().backward()
    o["freed"] = err(lambda: y.sum().backward())
    note("freed")
    o["log"] = log
    return o


class _MyError(Exception):
    pass


def raising_backward(T):
    class Raises(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            if float(g.sum()) > 0:
                raise _MyError("bad gradient from user code")
            raise ValueError("negative gradient")

    o = {}
    x = T.tensor([1.0, 2.0], requires_grad=True)
    o["backward"] = err(lambda: Raises.apply(x).sum().backward())
    o["grad"] = err(lambda: T.autograd.grad((-Raises.apply(x)).sum(), x))
    y = Raises.apply(x).sum()
    for _ in range(2):
        o.setdefault("repeated", []).append(err(lambda: y.backward(retain_graph=True)))
    o["x_grad"] = x.grad
    return o


# ---- 3. random ops in backward -----------------------------------------------------------------
def random_in_backward(T):
    drawn = []

    class Noisy(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            noise = T.rand(2)
            drawn.append(noise)
            return g + noise

    T.manual_seed(123)
    x = T.tensor([1.0, 2.0], requires_grad=True)
    Noisy.apply(x).sum().backward()
    after = T.rand(3)
    T.manual_seed(123)
    first = T.rand(2)
    second = T.rand(3)
    o = {
        "noise_is_next_draw": bool((drawn[0] == first).all()),
        "generator_advanced": bool((after == second).all()),
        "grad_is_one_plus_noise": bool(T.allclose(x.grad, 1 + first)),
    }
    x.grad = None
    Noisy.apply(x).sum().backward()  # again: a new draw
    o["second_draw_differs"] = not bool((drawn[1] == drawn[0]).all())
    state = T.get_rng_state()  # the generator still works eagerly afterwards
    a = T.rand(4)
    T.set_rng_state(state)
    o["state_roundtrip"] = bool((T.rand(4) == a).all())
    o["randn_shape"] = tuple(T.randn(2, 3).shape)
    return o


# ---- 5. double backward through custom Functions (issue #13) -----------------------------------
def nested_double_backward(T):
    class Inner(T.autograd.Function):
        """Identity forward, a deliberately non-derivative backward (times 3)."""

        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, g):
            return 3 * g

    class Outer(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * Inner.apply(x)

    o = {}
    x = T.tensor(1.0, requires_grad=True)
    (g,) = T.autograd.grad(Outer.apply(x), x, create_graph=True)
    o["g"] = (arr(g), g.requires_grad)
    g.backward()
    o["x_grad"] = arr(x.grad)  # torch: 3.0, Inner's own backward

    class MyExp(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    x = T.tensor([0.5, 1.0], requires_grad=True)
    (g,) = T.autograd.grad(MyExp.apply(x).sum(), x, create_graph=True)
    (h,) = T.autograd.grad(g.sum(), x, create_graph=True)  # through the saved output
    (k,) = T.autograd.grad(h.sum(), x)
    o["exp_orders"] = [arr(g), arr(h), arr(k)]
    return o


def none_gradient(T):
    class HalfNone(T.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return g, None

    a = T.tensor([1.0, 2.0], requires_grad=True)
    b = T.tensor([3.0, 4.0], requires_grad=True)
    HalfNone.apply(a, b).sum().backward()
    ga, gb = T.autograd.grad(HalfNone.apply(a, b).sum(), (a, b), allow_unused=True)
    return {"a": arr(a.grad), "b": b.grad, "grad": (arr(ga), gb)}


def saved_hooks(T):
    log = []

    class Sq(T.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x * x
            ctx.save_for_backward(x, y)
            return y

        @staticmethod
        def backward(ctx, g):
            x, _ = ctx.saved_tensors
            return 2 * x * g

    def pack(t):
        log.append(("pack", tuple(t.shape)))
        return t.detach()

    def unpack(t):
        log.append(("unpack", tuple(t.shape)))
        return t * 2 if len(log) < 100 else t

    x = T.tensor([1.0, 2.0], requires_grad=True)
    with T.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = Sq.apply(x)
    y.sum().backward()
    return {"log": log, "grad": arr(x.grad)}


SCENARIOS = {f.__name__: f for f in (host_reads, run_counts, raising_backward,
                                     random_in_backward, nested_double_backward, none_gradient,
                                     saved_hooks)}


@pytest.mark.torch_live
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    same(SCENARIOS[name](tj), SCENARIOS[name](torch), name)


def test_host_reads_values():
    o = host_reads(tj)
    same(o["relu"], [np.array([0.0, 2.0, 3.0])] * 3)
    same(o["reads_grad"], np.array([2.0, 4.0, 6.0]))
    same(o["reads_branch"], np.zeros(3))


def test_run_counts_values():
    log = run_counts(tj)["log"]
    assert log == [("apply", 1, 0), ("retain_graph x3", 1, 3), ("loop x4", 5, 7),
                   ("two paths", 6, 8), ("pruned", 7, 8), ("no_grad", 8, 8), ("freed", 9, 10)]


def test_user_exception_class_and_message():
    o = raising_backward(tj)
    assert o["backward"] == ("_MyError", "bad gradient from user code")
    assert o["grad"] == ("ValueError", "negative gradient")
    assert o["repeated"] == [("_MyError", "bad gradient from user code")] * 2


def test_random_in_backward_advances_generator():
    o = random_in_backward(tj)
    assert all(o[k] for k in ("noise_is_next_draw", "generator_advanced",
                              "grad_is_one_plus_noise", "second_draw_differs",
                              "state_roundtrip"))


def test_random_in_traced_code_leaves_generator_usable():
    """A draw from the global generator inside JAX-traced code (a jit, a custom_vjp's bwd) must
    not store a tracer into the generator."""
    import jax

    @jax.jit
    def f(a):
        return a + tj.rand(2)._st.array

    f(jax.numpy.zeros(2))
    assert not isinstance(tj._random.default_generator._key, jax.core.Tracer)
    assert tuple(tj.rand(3).shape) == (3,)


def test_nested_double_backward_uses_inner_backward():
    o = nested_double_backward(tj)
    same(o["x_grad"], np.array(3.0))


def test_none_gradient_leaves_grad_none():
    o = none_gradient(tj)
    assert o["b"] is None and o["grad"][1] is None
    same(o["a"], np.array([1.0, 1.0]))


# ---- 4. non-tensor arguments that change per call grow no cache --------------------------------
def _cache_sizes():
    from torchlike_jax.autograd import engine, function

    return {"vjp": len(engine._vjp_cache), "bwd": len(engine._bwd_cache),
            "fwd": len(engine._fwd_cache), "structures": engine.policy.structures_cached(),
            "function": len(function._fn_cache)}


def test_changing_float_and_list_arguments_grow_no_cache():
    class MyScale(tj.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    class WithList(tj.autograd.Function):
        @staticmethod
        def forward(ctx, x, ws):
            ctx.ws = ws
            return x * ws[0] + ws[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.ws[0], None

    x = tj.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for i in range(5):  # warm-up: the op and vjp jits of the surrounding ops
        MyScale.apply(x, 0.1 * i).sum().backward()
        WithList.apply(x, [1.0, 2.0]).sum().backward()
    before = _cache_sizes()
    for i in range(200):
        x.grad = None
        MyScale.apply(x, 0.1 * i).sum().backward()
        WithList.apply(x, [1.0, 2.0 + i]).sum().backward()
        assert float(x.grad[0]) == pytest.approx(0.1 * i + 1.0)
    after = _cache_sizes()
    assert all(after[k] - before[k] <= 2 for k in before), (before, after)


def test_traced_function_cache_is_bounded():
    """Inside tracing (compile, torch.func) the node is a jax.custom_vjp cached per static
    arguments: an LRU of FN_CACHE_MAX entries."""
    from torchlike_jax.autograd import function

    class Scale(tj.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, None

    for i in range(function.FN_CACHE_MAX + 10):
        function._node_fn(Scale, False, (tj.ones(1), 0.5 * i), {}, (True,))
    assert len(function._fn_cache) <= function.FN_CACHE_MAX
