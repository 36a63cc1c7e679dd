"""torch's autograd contract beyond ``backward``/``grad``: batched grads, gradient edges, saved
attributes of nodes, multi-grad hooks and the smaller torch-level helpers.

Each scenario takes the module under test (``torchlike_jax`` or real ``torch``) and returns what
it observed (values as numpy, names, error class and text), and the test runs it on both.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import torchlike_jax as tj

pytestmark = pytest.mark.torch_live

RNG = np.random.default_rng(7)
X = RNG.standard_normal((2, 3)).astype(np.float32)
S = RNG.standard_normal((2, 3)).astype(np.float32)
W = RNG.standard_normal((3, 4)).astype(np.float32)


class Arr:
    """A tensor's observed shape, dtype and values; equal to another within float32 rounding."""

    def __init__(self, shape: tuple, dtype: str, values: np.ndarray) -> None:
        self.shape, self.dtype, self.values = shape, dtype, values

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Arr) and (self.shape, self.dtype) == (other.shape, other.dtype)
                and np.allclose(self.values, other.values, rtol=1e-4, atol=1e-5,
                                equal_nan=True))

    def __repr__(self) -> str:
        return f"Arr({self.shape}, {self.dtype}, {self.values.tolist()})"


def obs(v):
    """A comparable picture of a result: arrays for tensors, recursively for containers."""
    if hasattr(v, "detach") and hasattr(v, "shape"):
        return Arr(tuple(v.shape), str(v.dtype), v.detach().numpy().copy())
    if isinstance(v, (tuple, list)):
        return tuple(obs(x) for x in v)
    if type(v).__name__ in ("dtype", "Size"):
        return str(v) if type(v).__name__ == "dtype" else tuple(v)
    if isinstance(v, dict):
        return {k: obs(x) for k, x in v.items()}
    return v


def err(fn):
    """(exception class name, message) of ``fn()``, or its observed result."""
    try:
        return obs(fn())
    except Exception as ex:  # noqa: BLE001 - the class is what we compare
        return type(ex).__name__, str(ex)


def both(real, scenario):
    ours, theirs = obs(scenario(tj)), obs(scenario(real))
    assert ours == theirs
    return ours


def leaf(m, a):
    return m.tensor(a, requires_grad=True)


# ---- is_grads_batched ---------------------------------------------------------------------------
def _batched_values(m):
    x = leaf(m, X[0])
    y = x * x.sin()
    out = [m.autograd.grad(y, x, m.eye(3), is_grads_batched=True, retain_graph=True)]
    s = y.sum()
    out.append(m.autograd.grad(s, x, m.ones(4), is_grads_batched=True, retain_graph=True))
    a, b = x * 2, x.exp()
    out.append(m.autograd.grad((a, b), x, (m.ones(2, 3), m.tensor(W[:2, :3])),
                               is_grads_batched=True))
    z = leaf(m, X[1])
    out.append(m.autograd.grad(x * 3, (x, z), m.ones(2, 3), is_grads_batched=True,
                               allow_unused=True))
    g, = m.autograd.grad(x.pow(3), x, m.eye(3), is_grads_batched=True, create_graph=True)
    out.append((g.requires_grad, m.autograd.grad(g.sum(), x)))
    return out


def _batched_errors(m):
    x = leaf(m, X[0])
    y = x * 2
    return [
        err(lambda: m.autograd.grad(y, x, m.ones(3), is_grads_batched=True, retain_graph=True)),
        err(lambda: m.autograd.grad(y, x, m.ones(2, 4), is_grads_batched=True,
                                    retain_graph=True)),
        err(lambda: m.autograd.grad((y, x * 3), x, (m.ones(2, 3), m.ones(3, 3)),
                                    is_grads_batched=True, retain_graph=True)),
        err(lambda: m.autograd.grad(y, x, None, is_grads_batched=True, retain_graph=True)),
        err(lambda: m.autograd.grad(m.autograd.graph.get_gradient_edge(y), x, m.ones(2, 2),
                                    is_grads_batched=True, retain_graph=True)),
    ]


def _batched_hook(m):
    x = leaf(m, X[0])
    y = x * 2
    seen = []
    y.register_hook(lambda g: seen.append(tuple(g.shape)))
    res = m.autograd.grad(y, x, m.ones(5, 3), is_grads_batched=True)
    return seen, obs(res)


@pytest.mark.parametrize("scenario", [_batched_values, _batched_errors, _batched_hook])
def test_is_grads_batched(real, scenario):
    both(real, scenario)


def test_batched_grad_frees_graph_unless_retained(real):
    def scenario(m):
        x = leaf(m, X[0])
        y = x.sin()
        m.autograd.grad(y, x, m.eye(3), is_grads_batched=True)
        return err(lambda: m.autograd.grad(y, x, m.ones(3)))

    assert "a second time" in both(real, scenario)[1]


def test_gradcheck_batched_grad(real):
    def scenario(m):
        x = m.tensor(X[0].astype(np.float64), requires_grad=True)
        w = m.tensor(W[:, :3].astype(np.float64), requires_grad=True)

        def f(a, b):
            return (b @ a).tanh() * a.sin()

        return (m.autograd.gradcheck(f, (x, w), check_batched_grad=True),
                m.autograd.gradgradcheck(f, (x, w), check_batched_grad=True))

    assert both(real, scenario) == (True, True)


# ---- GradientEdge -------------------------------------------------------------------------------
def _edges(m):
    ge = m.autograd.graph
    x = leaf(m, X)
    y = x.exp()
    z = y.sin().sum()
    ex, ey = ge.get_gradient_edge(x), ge.get_gradient_edge(y)
    w = leaf(m, S)
    out = [type(ex.node).__name__, ex.output_nr, type(ey.node).__name__, len(ex),
           ge.get_gradient_edge(x.unbind(0)[1]).output_nr,
           ge.GradientEdge(ex.node, 0) == ex,
           m.autograd.grad(z, (ex, y), retain_graph=True),
           m.autograd.grad(z, ey, retain_graph=True),
           m.autograd.grad(ey, x, m.ones(2, 3), retain_graph=True),
           m.autograd.grad(ge.get_gradient_edge(z), x, retain_graph=True),
           m.autograd.grad(ge.get_gradient_edge(z), x, m.tensor(2.0), retain_graph=True),
           m.autograd.grad(z, [ge.get_gradient_edge(w)], allow_unused=True, retain_graph=True),
           err(lambda: m.autograd.grad(z, [ge.get_gradient_edge(w)], materialize_grads=True,
                                       retain_graph=True)),
           err(lambda: m.autograd.grad(z, [ge.get_gradient_edge(w)], retain_graph=True)),
           err(lambda: m.autograd.grad(ey, x, retain_graph=True)),
           err(lambda: m.autograd.grad(ge.get_gradient_edge(z), x, m.ones(2),
                                       retain_graph=True)),
           err(lambda: ge.get_gradient_edge(m.ones(2)))]
    z.backward(inputs=[ex], retain_graph=True)
    out.append(x.grad)
    z.backward(inputs=[ey], retain_graph=True)  # computed, kept nowhere
    out.append(x.grad)
    m.autograd.backward(ge.get_gradient_edge(z), inputs=[x], retain_graph=True)
    m.autograd.backward([ey], grad_tensors=[m.ones(2, 3)])
    out.append(x.grad)
    return out


def test_gradient_edge(real):
    both(real, _edges)


def test_grad_dict_inputs(real):
    def scenario(m):
        x, s = leaf(m, X), leaf(m, S)
        return m.autograd.grad((x * s).sum(), {"a": x, "b": s})

    both(real, scenario)


# ---- saved attributes ---------------------------------------------------------------------------
SAVED_CASES = {
    "mul": lambda m, x, s, w: x * s,
    "mul_scalar": lambda m, x, s, w: x * 2.5,
    "div": lambda m, x, s, w: x / s,
    "pow_scalar": lambda m, x, s, w: x ** 3,
    "pow_tensor": lambda m, x, s, w: x.abs() ** s,
    "rpow": lambda m, x, s, w: 2 ** x,
    "exp": lambda m, x, s, w: x.exp(),
    "sin": lambda m, x, s, w: (x * 1).sin(),
    "tanh": lambda m, x, s, w: x.tanh(),
    "sigmoid": lambda m, x, s, w: x.sigmoid(),
    "mm": lambda m, x, s, w: x.mm(w),
    "matmul": lambda m, x, s, w: x @ w,
    "mv": lambda m, x, s, w: x.mv(w[:, 0]),
    "bmm": lambda m, x, s, w: x[None].bmm(w[None]),
    "sum": lambda m, x, s, w: x.sum(),
    "sum_dim": lambda m, x, s, w: x.sum(1),
    "sum_keepdim": lambda m, x, s, w: x.sum((0, 1), keepdim=True),
    "mean": lambda m, x, s, w: x.mean(),
    "mean_dim": lambda m, x, s, w: x.mean(1),
    "view": lambda m, x, s, w: x.view(6),
    "reshape": lambda m, x, s, w: x.reshape(3, 2),
    "add_alpha": lambda m, x, s, w: m.add(x, s, alpha=2),
    "sub": lambda m, x, s, w: x - s,
    "transpose": lambda m, x, s, w: x.transpose(0, 1),
    "permute": lambda m, x, s, w: x.permute(1, 0),
    "unsqueeze": lambda m, x, s, w: x.unsqueeze(1),
    "squeeze": lambda m, x, s, w: x.unsqueeze(0).squeeze(0),
    "expand": lambda m, x, s, w: x[:1].expand(4, 3),
    "cat": lambda m, x, s, w: m.cat([x, s]),
    "softmax": lambda m, x, s, w: x.softmax(1),
    "addmm": lambda m, x, s, w: m.addmm(s[0, :1].expand(4), x, w, beta=2, alpha=3),
    "clamp": lambda m, x, s, w: x.clamp(-1, 1),
    "gather": lambda m, x, s, w: x.gather(1, m.tensor([[0], [1]])),
    "var": lambda m, x, s, w: x.var(1),
    "max_dim": lambda m, x, s, w: x.max(1)[0],
    "select_index": lambda m, x, s, w: x[1],
    "select_method": lambda m, x, s, w: x.select(1, 2),
    "select_ellipsis": lambda m, x, s, w: x[..., 1],
    "split": lambda m, x, s, w: x.split(1)[0],
    "narrow": lambda m, x, s, w: x.narrow(1, 0, 2),
    "unbind": lambda m, x, s, w: x.unbind(0)[0],
    "where": lambda m, x, s, w: m.where(x > 0, x, s),
    "leaky_relu": lambda m, x, s, w: m.nn.functional.leaky_relu(x, 0.1),
    "logsumexp": lambda m, x, s, w: x.logsumexp(1),
    "mse": lambda m, x, s, w: m.nn.functional.mse_loss(x, s),
}


@pytest.mark.parametrize("case", sorted(SAVED_CASES))
def test_saved_attributes(real, case):
    def scenario(m):
        x, s, w = leaf(m, X), leaf(m, S), leaf(m, W)
        y = SAVED_CASES[case](m, x, s, w)
        gf = y.grad_fn
        names = sorted(n for n in dir(gf) if n.startswith("_saved_"))
        seen = {}
        for n in names:
            v = getattr(gf, n)
            who = "x" if v is x else "s" if v is s else None
            seen[n] = (who, obs(v))
        return type(gf).__name__, seen

    name, seen = both(real, scenario)
    assert seen or name in ("SubBackward0",)


def _saved_after_backward(m):
    x = leaf(m, X)
    y = x.sin()
    z = y.sum(1)
    r = y.exp()
    out = [r.grad_fn._saved_result.grad_fn is r.grad_fn, r.grad_fn._saved_result.requires_grad]
    (z.sum() + r.sum()).backward()
    out += [z.grad_fn._saved_dim, z.grad_fn._saved_self_sym_sizes,
            err(lambda: y.grad_fn._saved_self), err(lambda: r.grad_fn._saved_result),
            err(lambda: y.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda t: t)),
            err(lambda: y.grad_fn._saved_nothing)]
    return out


def _saved_modified(m):
    x = leaf(m, X)
    a = x * 1
    y = a.sin()
    with m.no_grad():
        a.add_(1)
    return err(lambda: y.grad_fn._saved_self)[0]


def _raw_saved_hooks(m):
    x = leaf(m, X)
    y = x.sin()
    raw = y.grad_fn._raw_saved_self
    calls = []

    def pack(t):
        calls.append(("pack", m.is_grad_enabled()))
        return t * 2

    def unpack(p):
        calls.append("unpack")
        return p

    raw.register_hooks(pack, unpack)
    out = [y.grad_fn._saved_self,
           err(lambda: raw.register_hooks(lambda t: t, lambda t: t))]
    y.sum().backward()
    out += [x.grad, calls]
    y2 = x.sin()
    y2.grad_fn._raw_saved_self.register_hooks(lambda t: t, lambda p: 1)
    out.append(err(lambda: y2.sum().backward()))
    out.append(x.exp().grad_fn._raw_saved_result is not None)
    out.append((x * 2.0).grad_fn._saved_self)
    return out


@pytest.mark.parametrize("scenario", [_saved_after_backward, _saved_modified, _raw_saved_hooks])
def test_saved_tensor_access(real, scenario):
    both(real, scenario)


# ---- multi-grad hooks ---------------------------------------------------------------------------
def _multi_all(m):
    a, b = leaf(m, X), leaf(m, S)
    c, d = a * b, a * b
    seen = []
    handle = m.autograd.graph.register_multi_grad_hook(
        (a, b, c, d), lambda grads: seen.append([obs(g) for g in grads]))
    c.sum().backward(retain_graph=True)
    c.sum().backward(inputs=(a,), retain_graph=True)
    (c.sum() + 2 * d.sum()).backward(retain_graph=True)
    handle.remove()
    c.sum().backward()
    return seen, err(lambda: m.autograd.graph.register_multi_grad_hook((a,), print, mode="x"))


def _multi_any(m):
    a, b = leaf(m, X), leaf(m, S)
    c = a * b
    seen = []
    with m.autograd.graph.register_multi_grad_hook((a, b, c), lambda g: seen.append(obs(g)),
                                                   mode="any"):
        (c.sum() * 2).backward(retain_graph=True)
        (c.sum() * 3).backward(retain_graph=True)
    (c.sum() * 4).backward()
    return seen


@pytest.mark.parametrize("scenario", [_multi_all, _multi_any])
def test_multi_grad_hook(real, scenario):
    both(real, scenario)


# ---- torch-level helpers ------------------------------------------------------------------------
def _increment_version(m):
    x = leaf(m, X)
    a = x * 1
    y = a.sin()
    v0 = a._version
    m.autograd.graph.increment_version(a)
    m.autograd.graph.increment_version([a, x])
    return v0, a._version, x._version, err(lambda: y.sum().backward())[0]


def test_increment_version(real):
    assert both(real, _increment_version)[3] == "RuntimeError"


def _torch_level(m):
    x = m.tensor(X)
    with m.inference_mode():
        i = m.ones(2)
    before = m.is_warn_always_enabled()
    m.set_warn_always(True)
    during = m.is_warn_always_enabled()
    m.set_warn_always(False)
    return [m.is_inference(x), m.is_inference(i), err(lambda: m.is_inference(1)),
            before, during, m.is_warn_always_enabled(),
            [repr(f) for f in (m.contiguous_format, m.preserve_format, m.channels_last,
                               m.channels_last_3d)],
            type(m.contiguous_format) is m.memory_format,
            x.contiguous(memory_format=m.contiguous_format),
            x.clone(memory_format=m.preserve_format)]


def test_torch_level_helpers(real):
    both(real, _torch_level)


def test_warn_always_repeats_once_per_process_warnings(real):
    def scenario(m):
        seen = []
        m.set_warn_always(True)
        try:
            for _ in range(2):
                x = m.ones(2, requires_grad=True)
                with pytest.warns(UserWarning, match="reference cycle") as rec:
                    (x * x).sum().backward(create_graph=True)
                seen.append(len(rec))
        finally:
            m.set_warn_always(False)
        return seen

    assert both(real, scenario) == (1, 1)


def test_warn_always_repeats_the_transpose_warning(real):
    """``x.T`` of a non-matrix is a once-per-process warning too: set_warn_always repeats it."""
    def scenario(m):
        m.set_warn_always(True)
        try:
            with warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter("always")
                for _ in range(2):
                    m.ones(2, 2, 2).T  # noqa: B018
        finally:
            m.set_warn_always(False)
        return sum("The use of `x.T`" in str(w.message) for w in rec)

    assert both(real, scenario) == 2


_ONCE_AFTER_ALWAYS = """
import sys, warnings
m = __import__(sys.argv[1])
x = m.ones(2, 2, 2)
with warnings.catch_warnings(record=True) as rec:
    warnings.simplefilter("always")
    m.set_warn_always(True)
    x.T
    m.set_warn_always(False)
    x.T
    x.T
print(sum("The use of `x.T`" in str(w.message) for w in rec))
"""


def test_a_warning_under_warn_always_leaves_the_once_warning_unused(real):
    """Fresh processes: torch's once-per-process flag must not have been used by other tests."""
    counts = [subprocess.run([sys.executable, "-c", _ONCE_AFTER_ALWAYS, lib], capture_output=True,
                             text=True, check=True).stdout.strip()
              for lib in ("torch", "torchlike_jax")]
    assert counts[0] == counts[1] == "2"


def test_set_multithreading_enabled(real):
    from torchlike_jax.autograd.multithreading import is_multithreading_enabled

    def scenario(m, flag):
        out = [flag()]
        m.autograd.set_multithreading_enabled(False)
        out.append(flag())
        m.autograd.set_multithreading_enabled(True)
        with m.autograd.set_multithreading_enabled(False):
            out.append(flag())
        out.append(flag())

        @m.autograd.set_multithreading_enabled(False)
        def inner():
            return flag()

        out += [inner(), flag()]
        return out

    ours = scenario(tj, is_multithreading_enabled)
    tj.autograd.set_multithreading_enabled(True)
    assert ours == scenario(real, real._C._is_multithreading_enabled)
    real.autograd.set_multithreading_enabled(True)


# ---- legacy and storage-level Tensor API -------------------------------------------------------
def _new(m):
    x = m.tensor(X)
    i = m.arange(3)
    return [tuple(x.new(2, 3).shape), x.new(2, 3).dtype, x.new([1, 2]), tuple(x.new((2, 3)).shape),
            tuple(x.new(m.Size([4])).shape), tuple(x.new().shape), i.new([1.5, 2]).dtype,
            x.new(m.tensor([1.0, 2.0])), m.ones(2, requires_grad=True).new(2).requires_grad,
            err(lambda: x.new(2.5))[0], err(lambda: x.new(i))[0],
            err(lambda: x.new([1, 2], dtype=m.float64))[0]]


def _data_ptr(m):
    x = m.arange(6.0).reshape(2, 3)
    s = m.arange(4, dtype=m.int16)
    return [x[1].data_ptr() - x.data_ptr(), x.view(6).data_ptr() == x.data_ptr(),
            x.detach().data_ptr() == x.data_ptr(), x.data.data_ptr() == x.data_ptr(),
            x.clone().data_ptr() == x.data_ptr(), x[:, 1].data_ptr() - x.data_ptr(),
            s[2:].data_ptr() - s.data_ptr(), m.ones(0).data_ptr()]


def _resize(m):
    y = m.arange(6.0)
    out = [y.resize_(2, 3), y.resize_(4)]
    z = m.arange(3.0)
    out.append(tuple(z.resize_(2, 4).shape))
    out.append(z[0, :3])  # the kept elements (the rest is uninitialised in torch)
    a = m.ones(3, requires_grad=True)
    out += [err(lambda: a.resize_(2)), err(lambda: (a * 2).resize_(3)),
            y.resize_((2, 2)), y._version]
    return out


def _as_strided(m):
    x = m.arange(6.0)
    v = x.as_strided((2,), (2,), 1)
    out = [m.as_strided(x, (2, 2), (1, 2)), v, v._base is x]
    x[1] = 100.0
    out.append(v)
    a = leaf(m, X.reshape(6))
    y = a.as_strided((2, 2), (1, 3), 1)
    y.sum().backward()
    out += [type(y.grad_fn).__name__, a.grad]
    w = m.arange(6.0)
    out += [w.as_strided_((3, 2), (1, 3)), tuple(w.shape)]
    b = a * 1
    b.as_strided_((2,), (2,))
    out.append(type(b.grad_fn).__name__)
    out.append(err(lambda: m.as_strided(x, (3, 3), (3, 1)))[0])
    return out


def _unsafe_split(m):
    t = leaf(m, X) * 1
    p = t.unsafe_split(1)
    c = m.unsafe_chunk(t, 2, 1)
    s = m.unsafe_split_with_sizes(t, [1, 2], 1)
    return [p, c, s, [type(q.grad_fn).__name__ for q in (*p, *c, *s)],
            [q._base is None for q in (*p, *c)], p[0]._is_view(), t.split(1)[0]._is_view(),
            err(lambda: m.unsafe_split(t, [1, 1]))]


@pytest.mark.parametrize("scenario", [_new, _data_ptr, _resize, _as_strided, _unsafe_split])
def test_tensor_storage_api(real, scenario):
    both(real, scenario)


# ---- Function extras, calling nodes -------------------------------------------------------------
def _functions(m):
    class Sin2(m.autograd.Function):
        generate_vmap_rule = True

        @staticmethod
        def forward(x):
            return x.sin() * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * x.cos() * 2

    class NoRule(Sin2):
        generate_vmap_rule = False

    class OldStyle(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Double(m.autograd.function.InplaceFunction):
        @staticmethod
        def forward(ctx, x, inplace=False):
            if inplace:
                ctx.mark_dirty(x)
                return x.mul_(2)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    class Fake(Sin2):
        @staticmethod
        def backward(ctx, g):
            return g * 5  # not the forward's derivative: the transforms must use it anyway

    def total(f):
        return lambda t: f.apply(t).sum()

    x = m.tensor(X)
    grads = [m.func.grad(total(Sin2))(x), m.func.grad(total(Fake))(x),
             m.func.vmap(m.func.grad(total(Fake)))(x), m.func.vjp(Fake.apply, x)[1](x)]
    a = leaf(m, X[0])
    b = a * 1
    c = Double.apply(b, True)
    c.sum().backward()
    return [m.autograd.Function.generate_vmap_rule, Sin2.generate_vmap_rule,
            m.func.vmap(Sin2.apply)(x), err(lambda: m.func.vmap(NoRule.apply)(x)),
            err(lambda: m.func.vmap(OldStyle.apply)(x)),
            c is b, type(c.grad_fn).__name__, a.grad,
            issubclass(m.autograd.function.InplaceFunction, m.autograd.Function), grads]


def _call_nodes(m):
    a, w = leaf(m, X[0]), leaf(m, S[0])
    y = (a * 3).exp()
    z = a * w
    s = (a * 2).sum()
    u = a.unbind(0)
    ones = m.ones(3)
    out = [y.grad_fn(ones), z.grad_fn(ones), y.grad_fn.next_functions[0][0](ones),
           s.grad_fn(m.tensor(2.0)), u[0].grad_fn(*(m.tensor(float(k)) for k in (1, 2, 3))),
           err(lambda: y.grad_fn(ones, ones)), err(lambda: u[0].grad_fn(ones))[0],
           y.grad_fn(ones).requires_grad]
    with m.no_grad():
        out.append(y.grad_fn(ones).requires_grad)
    acc = m.autograd.graph.get_gradient_edge(a).node
    out += [acc(ones), a.grad]
    y.sum().backward()
    out.append(err(lambda: y.grad_fn(ones))[0])
    return out


@pytest.mark.parametrize("scenario", [_functions, _call_nodes])
def test_function_extras_and_node_calls(real, scenario):
    both(real, scenario)
