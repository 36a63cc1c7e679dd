"""torch's own autograd tests, hooks slice, as small scenarios compared with real torch.

Each ``s_*`` scenario below is our own short script for one behaviour checked by a test of
``TestAutograd`` in torch's ``test/test_autograd.py`` whose subject is hooks (tensor, node
pre/post, post-accumulate, multi-grad), ``retain_grad``, gradient accumulation and
``grad_dtype``, leaf and non-leaf gradients, the arguments of ``backward``/``autograd.grad``
(``grad_outputs``, ``inputs=``, ``retain_graph``, ``allow_unused``, ``materialize_grads``,
``is_grads_batched``, GradientEdge inputs and outputs), ``requires_grad``, the grad-mode
context managers/decorators and threads. Every scenario runs under ``torchlike_jax`` and under
the installed torch; :func:`outcome` (shared with ``test_autograd_contract``) turns each run into
plain data (values, or the exception class and message start, plus warnings), and the two must
agree (floats to float32 tolerance).
"""

from __future__ import annotations

import gc
import math
import threading
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor

import pytest

import torchlike_jax as tj
from tests.unit.test_autograd_contract import outcome

pytestmark = pytest.mark.torch_live


def _close(a, b) -> bool:
    """Equal as plain data, floats within float32 tolerance."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6) or (a != a and b != b)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def s_class_decoration(m):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")

        @m.no_grad()
        class Foo:
            def __init__(self):
                self.inside = m.is_grad_enabled()

            def meth(self):
                return m.is_grad_enabled()

        f = Foo()
        return [f.inside, f.meth(), [str(x.category.__name__) + str(x.message)[:40] for x in w]]


def s_decorated_method(m):
    class Foo2:
        @m.no_grad()
        def __init__(self):
            self.inside = m.is_grad_enabled()

        @m.enable_grad()
        def meth(self):
            return m.is_grad_enabled()

    f = Foo2()
    with m.no_grad():
        r = f.meth()
    return [f.inside, r]


def s_grad_warnings(m):
    out = []
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        d = m.empty(1)
        d.requires_grad_()
        d.grad
        out.append(len(w))
        d = d.clone()
        d.grad
        out.append(len(w))
        d.retain_grad()
        d.grad
        out.append(len(w))
    return out


def s_unused_materialize_requires_grad(m):
    x = m.ones(4, requires_grad=True)
    y = m.ones(4, requires_grad=True)
    g = m.autograd.grad((x**2).sum(), (x, y), allow_unused=True, materialize_grads=True)
    return [g[0].requires_grad, g[1].requires_grad, g[0], g[1]]


def s_accumulate_grad_inplace(m):
    res = []
    for cg in (False, True):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        y = x + 2
        y.backward(m.ones(2), retain_graph=True)
        g = x.grad
        gc = g.clone()
        y.backward(m.ones(2), create_graph=cg)
        res.append([g, gc, x.grad, x.grad is g, x.grad.requires_grad])
    return res


def s_grad_reference_dense(m):
    out = []
    for cg in (False, True):
        p = m.tensor([1.5, 1.5]).requires_grad_()
        p.grad = m.tensor([1.5, 1.5])
        saved = p.grad
        p.backward(m.tensor([1.5, 1.5]), create_graph=cg)
        out.append([id(saved) == id(p.grad), p.grad])
    return out


def s_zero_numel(m):
    a = m.ones(4, 0, requires_grad=True)
    b = m.ones(4, 1, requires_grad=True)
    (a + b).sum().backward()
    return [a.grad.shape, b.grad]


def s_grad_hv(m):
    x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = m.tensor([[0.5, -1.0], [2.0, 1.0]], requires_grad=True)
    z = x**2 + y * x + y**2
    z.backward(m.ones(2, 2), create_graph=True)
    gs = 2 * x.grad + y.grad
    hv = m.autograd.grad(outputs=[gs], grad_outputs=[m.ones(2, 2)], inputs=[x], create_graph=True)
    return [hv[0], x.grad, y.grad, hv[0].requires_grad]


def s_grad_output_shape_mismatch(m):
    x = m.ones(2, 2, requires_grad=True)
    m.autograd.grad(outputs=[x * 2], grad_outputs=[m.ones(2)], inputs=[x], create_graph=True)


def s_grad_to_edge(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    out = x.clone() * 3
    edge = m.autograd.graph.get_gradient_edge(x)
    a = m.autograd.grad(out.sum(), edge)
    x2 = x.clone()
    out2 = x2.clone() * 5
    b = m.autograd.grad(out2.sum(), m.autograd.graph.get_gradient_edge(x2))
    return [a, b]


def s_grad_to_edge_after_set(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    e = m.autograd.graph.get_gradient_edge(x)
    out = x.clone()
    with m.no_grad():
        x.set_(m.tensor([3.0, 4.0]))
    r = m.autograd.grad(out.sum(), e, retain_graph=True)  # noqa: F841 - created for its side effect on the graph
    m.autograd.grad(out.sum(), x)


def s_grad_to_edge_inplace(m):
    x = m.tensor([1.0, 2.0], requires_grad=True).clone()
    e = m.autograd.graph.get_gradient_edge(x)
    x *= 2
    return list(m.autograd.grad(x.sum(), (e, x)))


def s_grad_to_edge_multi(m):
    x = m.tensor([1.0, 2.0], requires_grad=True).clone()
    y = m.tensor([3.0, 4.0], requires_grad=True).clone()
    out = x * y
    edges = (
        m.autograd.graph.GradientEdge(x.grad_fn, x.output_nr),
        m.autograd.graph.GradientEdge(y.grad_fn, y.output_nr),
    )
    return list(m.autograd.grad(out.sum(), edges))


def s_grad_edge_materialize_error(m):
    x = m.tensor([1.0, 2.0], requires_grad=True).clone()
    y = m.tensor([1.0, 2.0], requires_grad=True).clone()
    ey = m.autograd.graph.GradientEdge(y.grad_fn, y.output_nr)
    out = x.clone()
    r = m.autograd.grad(out.sum(), (x, ey), allow_unused=True, retain_graph=True)
    assert r[1] is None
    m.autograd.grad(out.sum(), (x, ey), allow_unused=True, materialize_grads=True)


def s_backward_to_edges(m):
    x0 = m.tensor([1.0, 2.0], requires_grad=True)
    x = x0.clone()
    ex = m.autograd.graph.GradientEdge(x.grad_fn, x.output_nr)
    y = m.tensor([1.0, 2.0], requires_grad=True).clone()
    ey = m.autograd.graph.GradientEdge(y.grad_fn, y.output_nr)
    out = x.clone() * 2
    m.autograd.backward(out.sum(), inputs=(ex, y), retain_graph=True)
    m.autograd.backward(out.sum(), inputs=(x, ey), retain_graph=True)
    m.autograd.backward(out.sum(), inputs=(ex, ey))
    return [x0.grad, x.grad, y.grad]


def s_gradient_edge_output(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    tmp = x.sin().cos().sum()
    out = tmp.exp().clone().sin().sum()
    e = m.autograd.graph.get_gradient_edge(tmp)
    (tg,) = m.autograd.grad(out, (e,), retain_graph=True)
    (xg,) = m.autograd.grad(e, (x,), grad_outputs=(tg,), retain_graph=True)
    (ref,) = m.autograd.grad(out, (x,))
    return [tg, xg, ref]


def s_gradient_edge_output_nonscalar(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    tmp = x.sin().cos()
    e = m.autograd.graph.get_gradient_edge(tmp)
    m.autograd.grad(e, (x,))


def s_gradient_edge_output_bad_shape(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    tmp = x.sin().sum()
    e = m.autograd.graph.get_gradient_edge(tmp)
    m.autograd.grad(e, (x,), grad_outputs=m.tensor([1.0, 2.0, 3.0, 4.0]))


def s_gradient_edge_output_bad_dtype(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    tmp = x.sin().sum()
    e = m.autograd.graph.get_gradient_edge(tmp)
    m.autograd.grad(e, (x,), grad_outputs=m.tensor(1.0, dtype=m.complex64))


def s_gradient_edge_backward(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    tmp = x.sin().sum()
    out2 = (x * 3).sum()
    e = m.autograd.graph.get_gradient_edge(tmp)
    m.autograd.backward(e, retain_graph=True)
    g1 = x.grad.clone()
    x.grad = None
    m.autograd.backward((e,), retain_graph=True)
    g2 = x.grad.clone()
    x.grad = None
    m.autograd.backward((e, out2), retain_graph=True)
    return [g1, g2, x.grad]


def s_gradient_edge_backward_bad_shape(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    tmp = x.sin().sum()
    e = m.autograd.graph.get_gradient_edge(tmp)
    m.autograd.backward(e, inputs=(x,), grad_tensors=m.tensor([1.0, 2.0, 3.0, 4.0]))


def s_gradient_edge_ownership(m):
    inp = m.tensor([2.0], requires_grad=True)
    mid = inp.clone()
    out = mid.clone()
    e = m.autograd.graph.get_gradient_edge(out)
    m.autograd.backward(e)
    del out
    m.autograd.backward(e)
    return inp.grad


def s_grad_nonleaf(m):
    x0 = m.tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
    y = m.tensor([[0.3, 0.2], [0.1, 0.4]], requires_grad=True)
    x = x0
    fn = lambda x: x**2 + y * x + y**2
    res = []
    for _ in range(3):
        (gx,) = m.autograd.grad(fn(x), x, grad_outputs=m.ones(2, 2), create_graph=True)
        res.append([gx, y.grad is None, x.grad is None if x is x0 else None])
        x = x + 0.05 * gx
    x.backward(m.ones(2, 2))
    res.append([y.grad, x0.grad])
    return res


def s_grad_nonleaf_many_outputs(m):
    x = m.arange(8.0).reshape(4, 2).requires_grad_()
    a, b = x.chunk(2)
    called = []
    x.register_hook(lambda g: called.append(1))
    go = m.tensor([[1.0, 2.0], [3.0, 4.0]])
    ga, gb = m.autograd.grad(a + 2 * b, [a, b], grad_outputs=go, create_graph=True)
    return [ga, gb, called, x.grad]


def s_grad_nonleaf_register_hook(m):
    x = m.arange(5.0).requires_grad_()
    xs = x.unbind()
    res = [None]

    def hook(g):
        res[0] = g

    xs[0].register_hook(hook)
    xs[0].backward()
    out = [res[0], x.grad.clone(), xs[0].grad]
    for i in range(1, 5):
        res[0] = None
        xs[i].backward()
        out.append([res[0], x.grad.clone(), xs[i].grad])
    return out


def s_grad_materialize(m):
    x = m.tensor(0.5, requires_grad=True)
    a = m.tensor(1.0, requires_grad=True)
    y = x * a
    d1 = m.autograd.grad(y, x, create_graph=True)
    dn = m.autograd.grad(d1, x, create_graph=True, allow_unused=True)
    d2 = m.autograd.grad(d1, x, create_graph=True, allow_unused=True, materialize_grads=True)
    d3 = m.autograd.grad(d2, x, materialize_grads=True)
    return [d1, dn, d2, d3]


def s_grad_materialize_err(m):
    x = m.tensor(0.5, requires_grad=True)
    m.autograd.grad(x * 2, x, allow_unused=False, materialize_grads=True)


def s_post_acc_nonleaf(m):
    leaf = m.ones(3, requires_grad=True)
    (2.0 * leaf).register_post_accumulate_grad_hook(lambda t: None)


def s_post_acc_multi_hooks(m):
    t = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    t.register_post_accumulate_grad_hook(lambda t: t.sub_(t.grad))
    t.register_post_accumulate_grad_hook(lambda t: t.mul_(4.0))
    t.sum().backward()
    return [t, t.grad]


def s_post_acc_multi_tensors(m):
    def hook(t):
        t.sub_(t.grad)

    a = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = m.tensor([5.0, 6.0], requires_grad=True)
    a.register_post_accumulate_grad_hook(hook)
    b.register_post_accumulate_grad_hook(hook)
    a.sum().backward()
    (b * 3).sum().backward()
    return [a, b]


def s_post_acc_returns_value(m):
    t = m.ones(2, 3, requires_grad=True)
    t.register_post_accumulate_grad_hook(lambda t: t.grad)
    t.sum().backward()


def s_post_acc_remove(m):
    t = m.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    h = t.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.clone()))
    t.sum().backward()
    h.remove()
    (t * 2).sum().backward()
    return [calls, t.grad]


def s_post_acc_ordering(m):
    t = m.tensor([1.0, 1.0, 1.0], requires_grad=True)
    acc = t.view_as(t).grad_fn.next_functions[0][0]
    t.register_hook(lambda g: g.sub(2.0))
    acc.register_prehook(lambda go: (go[0].div(5.0),))
    t.register_post_accumulate_grad_hook(lambda x: x.grad.add_(0.5))

    def post(gi, go):
        t.grad = go[0].mul(10)

    acc.register_hook(post)
    t.sum().backward()
    return t.grad


def s_hook_no_name(m):
    class H:
        def __call__(self, g):
            return g.clone() * 3

    x0 = m.tensor([1.0, 2.0], requires_grad=True)
    x = x0.clone()
    x.register_hook(H())
    x.sum().backward()
    return x0.grad


def s_prehook_ordering(m):
    log = []

    def h1(g):
        log.append(1)
        return g * 3

    def h2(gs):
        log.append(2)
        return tuple(g * 2 for g in gs)

    a = m.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.grad_fn.register_prehook(h2)
    b.register_hook(h1)
    b.grad_fn.register_prehook(h2)
    acc = b.grad_fn.next_functions[0][0]
    a.register_hook(h1)
    acc.register_prehook(h2)
    a.register_hook(h1)
    b.sum().backward(retain_graph=True)
    out = [list(log), a.grad.clone()]
    log.clear()
    g = m.autograd.grad(b.sum(), inputs=(a,), retain_graph=True)
    out += [list(log), g]
    log.clear()
    b.retain_grad()
    b.sum().backward(inputs=(b,))
    out += [list(log), b.grad]
    return out


def s_retains_grad_observes_prehook(m):
    a = m.tensor(1.0, requires_grad=True)
    b = a.clone()
    b.register_hook(lambda g: g * 2)
    b.retain_grad()
    b.register_hook(lambda g: g * 2)
    b.clone().backward()
    a2 = m.tensor(1.0, requires_grad=True)
    b2 = a2.clone()
    b2.retain_grad()
    b2.register_hook(lambda g: g * 2)
    b2.clone().backward()
    return [b.grad, a.grad, b2.grad, a2.grad]


def s_acc_posthook_observes_prehook(m):
    a = m.tensor(3.0, requires_grad=True)
    seen = []
    b = a.clone()
    acc = b.grad_fn.next_functions[0][0]
    acc.register_hook(lambda gi, go: seen.append(["post", list(gi), len(go)]))
    acc.register_prehook(lambda gi: seen.append(["pre", list(gi)]))
    a.register_hook(lambda g: g * 2)
    b.backward()
    return [seen, a.grad]


def s_acc_posthook_not_run(m):
    def boom(*a):
        raise RuntimeError("should not run")

    a = m.tensor(1.0, requires_grad=True)
    a.register_hook(boom)
    b = m.tensor(1.0, requires_grad=True)
    c = a.clone()
    c.grad_fn.next_functions[0][0].register_hook(boom)
    (a + b + c).sum().backward(inputs=[b])
    return [a.grad, b.grad]


def s_hook_counts_with_grad(m):
    a = m.tensor(1.0, requires_grad=True)
    b = a * 2
    c = b * 2
    cnt = {"t": 0, "pre": 0, "post": 0}

    def th(g):
        cnt["t"] += 1

    def pre(g):
        cnt["pre"] += 1

    def post(gi, go):
        cnt["post"] += 1

    a.register_hook(th)
    b.register_hook(th)
    acc = b.grad_fn.next_functions[0][0]
    acc.register_hook(post)
    acc.register_prehook(pre)
    b.grad_fn.register_hook(post)
    b.grad_fn.register_prehook(pre)
    out = []
    for call in (
        lambda: m.autograd.grad(c, inputs=(b), retain_graph=True),
        lambda: m.autograd.grad(c, inputs=(a, b), retain_graph=True),
        lambda: c.backward(retain_graph=True),
        lambda: c.backward(inputs=(a, b), retain_graph=True),
    ):
        for k in cnt:
            cnt[k] = 0
        call()
        out.append(dict(cnt))
    return [str(out), a.grad]


def s_sharded_grad(m):
    leaves = [m.full((2, 2), float(i), requires_grad=True) for i in range(4)]
    inter = [l * i + l * l for i, l in enumerate(leaves)]
    loss = sum(v * i for i, v in enumerate(inter)).sum()
    d = [
        g
        for k in range(0, 4, 2)
        for g in m.autograd.grad(loss, inter[k : k + 2], retain_graph=True)
    ]
    m.autograd.backward(inter, d)
    return [l.grad for l in leaves]


def s_backward_badcall(m):
    m.ones(1).backward()


def s_grad_badcall_1(m):
    x = m.ones(1)
    m.autograd.grad(x, x**2)


def s_grad_badcall_2(m):
    x = m.ones(1)
    m.autograd.grad(x**2, x)


def s_grad_empty_inputs(m):
    x = m.tensor([1.0], requires_grad=True)
    m.autograd.grad(2 * x, [], grad_outputs=m.tensor([1.0]))


def s_grad_fn_call_too_many(m):
    x = m.ones(1, requires_grad=True)
    y = x**2
    y.grad_fn(x.detach(), x.detach())


def s_grad_fn_call_too_few(m):
    x = m.ones(1, requires_grad=True)
    y = x**2
    y.grad_fn()


def s_grad_fn_call_ok(m):
    x = m.tensor([3.0], requires_grad=True)
    y = x**2
    return y.grad_fn(m.tensor([1.0]))


def s_grad_unreachable(m):
    x = m.ones(1, requires_grad=True)
    y = m.ones(1, requires_grad=True)
    z = x * 2  # noqa: F841 - created for its side effect on the graph
    w = y * 2  # noqa: F841 - created for its side effect on the graph
    gx, gy = m.autograd.grad(x * 2, [x, y], allow_unused=True)
    z2 = m.ones(1, requires_grad=True)
    gx2, gz = m.autograd.grad(x * 2, [x, z2], allow_unused=True)
    return [gx, gy, gx2, gz]


def s_grad_unreachable_err(m):
    x = m.ones(1, requires_grad=True)
    y = m.ones(1, requires_grad=True)
    m.autograd.grad(x * 2, [x, y], allow_unused=False)


def s_grad_unreachable_discovery(m):
    ran = []

    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            ran.append(1)
            return g

    x = F.apply(m.ones(1, requires_grad=True) * 2)
    y = m.ones(1, requires_grad=True)
    (gy,) = m.autograd.grad(x, (y,), allow_unused=True)
    x = F.apply(m.ones(1, requires_grad=True) * 2)
    z = m.ones(1, requires_grad=True)
    gy2, gz = m.autograd.grad(x + z, (y, z), allow_unused=True)
    x = F.apply(m.ones(1, requires_grad=True) * 2)
    m.autograd.backward(x, inputs=(y,))
    return [gy, gy2, gz, y.grad, ran]


def s_batched_grad(m):
    x = m.ones(2, 2, requires_grad=True)
    out = x.clone() * 2
    bg = m.arange(3.0).expand(2, 2, 3).transpose(0, 2)
    (g,) = m.autograd.grad(out, (x,), (bg,), is_grads_batched=True, retain_graph=True)
    s = (x * 3).sum()
    (g2,) = m.autograd.grad(s, (x,), (m.arange(3.0),), is_grads_batched=True)
    return [g, g2]


def s_batched_grad_bad(m):
    x = m.ones(2, 2, requires_grad=True)
    m.autograd.grad(
        outputs=x.clone(), grad_outputs=(m.ones(2, 2),), inputs=(x,), is_grads_batched=True
    )


def s_batched_grad_bad_scalar(m):
    x = m.ones(2, 2, requires_grad=True)
    m.autograd.grad(
        outputs=x.sum(), grad_outputs=(m.ones(2).unsqueeze(1),), inputs=(x,), is_grads_batched=True
    )


def s_hooks(m):
    x = m.ones(2, 2, requires_grad=True)
    y = m.ones(2, 2) * 4
    y.requires_grad_(True)
    cnt = [0]

    def bw(inc, g):
        cnt[0] += inc

    z = x**2 + x * 2 + x * y + y
    x.register_hook(lambda g: bw(0, g))
    h = z.register_hook(lambda g: bw(1, g))
    z.backward(m.ones(2, 2), retain_graph=True)
    out = [cnt[0]]
    h2 = z.register_hook(lambda g: bw(2, g))
    z.backward(m.ones(2, 2), retain_graph=True)
    out.append(cnt[0])
    h2.remove()
    z.backward(m.ones(2, 2), retain_graph=True)
    out.append(cnt[0])
    h.remove()
    z.register_hook(lambda g: g.mul(2))
    with m.no_grad():
        y.grad.zero_()
    z.backward(m.ones(2, 2), retain_graph=True)
    out.append(y.grad.clone())
    y.register_hook(lambda g: g.mul(2))
    with m.no_grad():
        y.grad.zero_()
    z.backward(m.ones(2, 2))
    out.append(y.grad)
    return out


def _mul2(m, custom):
    if custom:

        class Mul2(m.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 2

        return Mul2.apply
    return lambda x: x * 2


def s_grad_fn_prehooks(m):
    res = []
    for custom in (True, False):
        mul2 = _mul2(m, custom)
        a = m.tensor([1.0], requires_grad=True)
        b = mul2(a)
        post, pre = [], [0]

        def posthook(gi, go):
            post.append([pre[0], list(gi), list(go)])  # noqa: B023 - the closure runs inside its own loop turn
            return gi

        def prehook(go):
            pre[0] += 1  # noqa: B023 - the closure runs inside its own loop turn
            return (go[0] * 2,)

        b.grad_fn.register_hook(posthook)
        b.grad_fn.register_hook(posthook)
        b.grad_fn.register_prehook(prehook)
        b.grad_fn.register_prehook(lambda x: None)
        b.grad_fn.register_prehook(prehook)
        b.grad_fn.register_prehook(prehook)
        b.grad_fn.register_prehook(lambda x: x)
        b.grad_fn.register_prehook(lambda x: None)
        b.sum().backward()
        res.append([post, pre[0], a.grad])
        a = m.ones(2, 2, requires_grad=True)
        b = mul2(a)
        b.grad_fn.register_prehook(lambda go: None)
        b.sum().backward()
        res.append(a.grad)
    return res


def s_grad_fn_prehooks_multi_out(m):
    b = m.tensor([[1.0, 2.0, 3.0], [4.0, 6.0, 5.0], [0.0, 1.0, 7.0]], requires_grad=True)
    var, mean = m.var_mean(b, dim=0)
    cnt = [0]

    def prehook(go):
        cnt[0] += 1
        return (go[0] * 2, go[1] * 2)

    mean.grad_fn.register_prehook(prehook)
    (var + mean).sum().backward()
    return [cnt[0], b.grad]


def s_grad_fn_prehooks_custom_multi_out(m):
    class DM(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, a, y):
            ctx.a = a
            return a * x * 2, a, a * y * 2

        @staticmethod
        def backward(ctx, g1, _a, g2):
            return ctx.a * g1 * 2, None, ctx.a * g2 * 2

    seen = []

    def prehook(go):
        seen.append(go[1] is None)
        return (go[0] * 2, None, go[2] * 2)

    a = m.ones(2, requires_grad=True)
    b = m.ones(2, requires_grad=True)
    c, _, d = DM.apply(a, 3, b)
    c.grad_fn.register_prehook(prehook)
    (c + d).sum().backward()
    return [seen, a.grad, b.grad]


def s_grad_fn_prehooks_remove(m):
    res = []
    for custom in (True, False):
        mul2 = _mul2(m, custom)
        a = m.ones(2, requires_grad=True)
        b = mul2(a)
        cnt = [0]

        def ph(go):
            cnt[0] += 1  # noqa: B023 - the closure runs inside its own loop turn

        h = b.grad_fn.register_prehook(ph)
        b.grad_fn.register_prehook(ph)
        h.remove()
        b.sum().backward()
        res.append([cnt[0], a.grad])
        a = m.ones(2, requires_grad=True)
        b = mul2(a)
        cnt2 = [0]
        hs = {}

        def p1(go):
            hs[2].remove()  # noqa: B023 - the closure runs inside its own loop turn
            hs[3].remove()  # noqa: B023 - the closure runs inside its own loop turn

        def p2(go):
            cnt2[0] += 1  # noqa: B023 - the closure runs inside its own loop turn

        b.grad_fn.register_prehook(p1)
        hs[2] = b.grad_fn.register_prehook(p2)
        hs[3] = b.grad_fn.register_prehook(p2)
        hs[3].remove()
        b.sum().backward()
        res.append([cnt2[0], a.grad])
    return res


def s_hook_none(m):
    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x, y

        @staticmethod
        def backward(ctx, gx, gy):
            return gx, None

    seen = []
    x = m.ones(2, requires_grad=True)
    y = m.ones(2)
    rx, ry = F.apply(x, y)
    rx.register_hook(lambda g: seen.append(g))
    out = [ry.requires_grad]
    try:
        ry.register_hook(lambda g: seen.append(g))
    except RuntimeError as e:
        out.append(str(e)[:60])
    sum(rx, ry).sum().backward()
    return [out, seen, x.grad]


def s_retain_grad(m):
    inp = m.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    h1 = inp * 3
    out = (h1 * h1).sum()
    h1.retain_grad()
    h1.retain_grad()
    out.backward(retain_graph=True)
    r = [h1.grad.clone()]
    out.backward(retain_graph=True)
    r.append(h1.grad.clone())
    with m.no_grad():
        inp.grad.zero_()
    inp.retain_grad()
    inp.retain_grad()
    out.backward()
    r.append(inp.grad)
    r.append(inp.retains_grad)
    return r


def s_retain_grad_inplace(m):
    a = m.tensor([1.0], requires_grad=True).clone()
    a.retain_grad()
    a.mul_(2)
    a.sum().backward()
    b = m.tensor([1.0], requires_grad=True).clone()
    b.retain_grad()
    b.mul_(2)
    b.mul_(2)
    (b * 3).sum().backward()
    x = m.tensor([1.0], requires_grad=True).clone()
    x.retain_grad()
    xv = x[:]
    xv *= 2
    x *= 2
    (x * 5).sum().backward()
    z = m.zeros(4)
    zv = z.view(2, 2)
    zv.add_(m.ones(2, 2, requires_grad=True))
    return [a.grad, b.grad, x.grad, z.requires_grad, z.retains_grad]


def s_retains_grad_inplace_multi_out(m):
    class DM(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    res = []
    for fn in (DM.apply, lambda t: m.var_mean(t, dim=0)):
        b = m.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
        v, mu = fn(b)
        v.retain_grad()
        mu.retain_grad()
        v.mul_(2)
        (v + mu * 3).sum().backward()
        res.append([v.grad, mu.grad, b.grad])
    return res


def s_retain_grad_inplace_over_view(m):
    base = m.tensor([1.0], requires_grad=True).clone()
    v = base[:]
    v2 = base[:]
    v.retain_grad()
    v2.retain_grad()
    v.mul_(2)
    (v + v2 * 3).sum().backward()
    return [v.grad, v2.grad]


def s_tensor_hooks_inplace(m):
    log = []

    def fn1(g):
        log.append(["fn1", g])
        return g * 2

    def fn2(g):
        log.append(["fn2", g])
        return g * 2

    a = m.tensor([1.0], requires_grad=True)
    b = a.clone()
    b.register_hook(fn1)
    b.mul_(2)
    b.register_hook(fn2)
    b.sum().backward()
    r = [a.grad]
    a2 = m.tensor([1.0], requires_grad=True)
    b2 = a2.clone()
    b2.register_hook(fn1)
    b2.mul_(2)
    b2.mul_(2)
    b2.sum().backward()
    return [log, r, a2.grad]


def s_tensor_hooks_inplace_multi_out(m):
    class DM(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 * 2 + g2 * 3

    res = []
    for fn in (DM.apply, lambda t: m.var_mean(t, dim=0)):
        log = []
        b = m.tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
        o1, o2 = fn(b)
        o1.register_hook(lambda g: log.append(["h0", g]))  # noqa: B023 - the closure runs inside its own loop turn
        o2.register_hook(lambda g: log.append(["h1", g]))  # noqa: B023 - the closure runs inside its own loop turn
        o1.mul_(2)
        o1.register_hook(lambda g: log.append(["h2", g]))  # noqa: B023 - the closure runs inside its own loop turn
        (o1 + o2 * 3).sum().backward()
        res.append([log, b.grad])
    return res


def s_tensor_hooks_inplace_over_view(m):
    log = []
    base = m.tensor([1.0], requires_grad=True).clone()
    v = base[:]
    v2 = base[:]
    v.register_hook(lambda g: log.append("f0"))
    v2.register_hook(lambda g: log.append("f1"))
    v.mul_(2)
    v2.grad_fn
    v2.register_hook(lambda g: log.append(["f2", g]))
    (v + v2).sum().backward()
    return log


def s_backward_basic(m):
    v = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = m.tensor([[0.5, 1.0], [1.5, 2.0]], requires_grad=True)
    y = m.tensor([[1.1, 1.2], [1.3, 1.4]]).requires_grad_(True)
    z = m.tensor([[-1.0, 2.0], [0.3, 0.7]], requires_grad=True)
    go = m.tensor([[1.0, -2.0], [0.5, 3.0]])
    v.backward(go)
    a = x + (y * z) + 4 * z**2 * x / y
    a.backward(go)
    return [v.grad, x.grad, y.grad, z.grad]


def s_multi_backward(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    y = m.tensor([3.0, 4.0], requires_grad=True)
    q = m.tensor([5.0, 6.0], requires_grad=True)
    a = m.tensor([7.0, 8.0], requires_grad=True)
    b = m.tensor([9.0, 1.0], requires_grad=True)
    q2 = q * 2
    z = x + y + q2
    c = a * b + q2
    m.autograd.backward([z, c], [m.tensor([1.0, 2.0]), m.tensor([3.0, 5.0])])
    return [x.grad, y.grad, a.grad, b.grad, q.grad]


def s_multi_backward_no_grad(m):
    x = m.ones(2, requires_grad=True)
    y = m.ones(2)
    m.autograd.backward([x + y, y * 2], [m.ones(2), m.ones(2)])


def s_backward_with_inputs(m):
    x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = m.tensor([[0.5, 1.0], [1.5, 2.0]], requires_grad=True)
    fn = lambda: x**2 + y * x + y**2
    r = []
    m.autograd.backward(fn(), m.ones(2, 2), inputs=[x, y])
    r.append([x.grad.clone(), y.grad.clone()])
    for ins in ([x], [y], y):
        with m.no_grad():
            x.grad.zero_()
            y.grad.zero_()
        m.autograd.backward(fn(), m.ones(2, 2), inputs=ins)
        r.append([x.grad.clone(), y.grad.clone()])
    return r


def s_backward_inputs_empty(m):
    x = m.ones(2, requires_grad=True)
    m.autograd.backward(x * 2, m.ones(2), inputs=[])


def s_backward_scalar_input(m):
    x = m.tensor(3.0, requires_grad=True)
    (x**2).backward(inputs=x)
    return x.grad


def s_backward_nonleaf_inputs(m):
    x = m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    xn = x * 1
    y = m.tensor([[0.5, 1.0], [1.5, 2.0]], requires_grad=True)
    z = m.ones(2, 2, requires_grad=True)
    out = xn**2 + y * xn + y**2
    out.backward(m.ones(2, 2), create_graph=True, inputs=[x, y, xn])
    r = [x.grad, y.grad, xn.grad, xn.grad.requires_grad, x.grad.requires_grad, xn.retains_grad]
    out.backward(m.ones(2, 2), create_graph=True, inputs=[z])
    r.append(z.grad)
    return r


def s_dependent_backward(m):
    x = m.tensor([1.0, 2.0, -1.0], requires_grad=True)
    y = x**2
    z = y**3
    m.autograd.backward([y, z], [m.tensor([1.0, 0.5, 2.0]), m.tensor([0.1, 0.2, 0.3])])
    return x.grad


def s_first_grad_fn_no_grad(m):
    a = m.tensor([1 + 1j], requires_grad=True).clone()
    v = a.real
    a.add_(1)
    with m.autograd.grad_mode.no_grad():
        fn = v.grad_fn
    return [type(fn).__name__, v]


def s_no_grad(m):
    x = m.ones(2, requires_grad=True)
    y = m.ones(2) * 4
    with m.no_grad():
        w = x + y

    def adder(a, b):
        return a + b

    out = [w.requires_grad, w.grad_fn]
    for ad in (m.no_grad()(adder), m.no_grad(adder)):
        z = ad(x, y)
        out.append([z.requires_grad, z.grad_fn, ad.__name__])
    with m.no_grad():
        out.append(m.is_grad_enabled())
        ad(x, y)
        out.append(m.is_grad_enabled())
    return out


def s_no_grad_backward_err(m):
    x = m.ones(2, requires_grad=True)
    with m.no_grad():
        w = x + 1
    w.backward(m.ones(2))


def s_enable_grad_no_paren(m):
    x = m.ones(1, requires_grad=True)

    @m.enable_grad
    def doubler(x):
        return x * 2

    with m.no_grad():
        z = doubler(x)
    return [z.requires_grad, doubler.__name__]


def s_grad_generators(m):
    log = []

    @m.no_grad()
    def g1():
        for i in range(3):
            log.append(["in", m.is_grad_enabled()])
            yield i

    @m.enable_grad()
    def g2():
        for i in range(3):
            log.append(["in2", m.is_grad_enabled()])
            yield i

    with m.enable_grad():
        for _ in g1():
            log.append(["out", m.is_grad_enabled()])
    with m.no_grad():
        for _ in g2():
            log.append(["out2", m.is_grad_enabled()])
    return log


def s_grad_recursive(m):
    log = []

    @m.enable_grad()
    def e(d):
        log.append(m.is_grad_enabled())
        if d > 0:
            n(d - 1)
            log.append(m.is_grad_enabled())

    @m.no_grad()
    def n(d):
        log.append(m.is_grad_enabled())
        if d > 0:
            e(d - 1)
            log.append(m.is_grad_enabled())

    def ec(d):
        with m.enable_grad():
            log.append(m.is_grad_enabled())
            if d > 0:
                nc(d - 1)
                log.append(m.is_grad_enabled())

    def nc(d):
        with m.no_grad():
            log.append(m.is_grad_enabled())
            if d > 0:
                ec(d - 1)
                log.append(m.is_grad_enabled())

    with m.no_grad():
        e(4)
        ec(4)
        log.append(m.is_grad_enabled())
    with m.enable_grad():
        n(4)
        nc(4)
        log.append(m.is_grad_enabled())
    return log


def s_grad_coroutines(m):
    log = []

    @m.no_grad()
    def c1(n=3):
        log.append(m.is_grad_enabled())
        for i in range(n):
            r = yield i
            log.append([m.is_grad_enabled(), r])

    with m.enable_grad():
        co, r = c1(), None
        try:
            while True:
                r = co.send(r)
                log.append(["outer", m.is_grad_enabled()])
        except StopIteration:
            pass
    return log


def s_grad_coroutines_benign(m):
    log = []

    class Rec(Exception):
        pass

    @m.enable_grad()
    def c(n=4):
        raised = False
        for i in range(n):
            try:
                yield (-i if raised else i)
            except Rec:
                log.append(["exc", m.is_grad_enabled()])
                raised = True

    with m.no_grad():
        co = c()
        log.append(next(co))
        try:
            while True:
                log.append(co.throw(Rec))
                log.append(m.is_grad_enabled())
        except StopIteration:
            pass
    return log


def s_grad_coroutines_critical(m):
    class U(Exception):
        pass

    class S(Exception):
        pass

    log = []

    @m.no_grad()
    def c():
        for i in range(3):
            try:
                yield i
            except U:
                log.append(m.is_grad_enabled())
                raise S from None

    with m.enable_grad():
        co = c()
        next(co)
        try:
            co.throw(U)
        except S:
            log.append(["S", m.is_grad_enabled()])
    return log


def s_grad_coroutines_exit(m):
    state = []

    @m.no_grad()
    def c():
        for i in range(10):
            try:
                yield i
            except GeneratorExit:
                state.append(m.is_grad_enabled())
                raise

    with m.enable_grad():
        co = c()
        for _ in range(3):
            next(co)
        co.close()
        state.append(m.is_grad_enabled())
    return state


def s_no_grad_python_function(m):
    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x + 1

        @staticmethod
        def backward(ctx, g):
            return g

    x = m.ones(2, requires_grad=True)
    with m.no_grad():
        y = F.apply(x)
    return [y.requires_grad, y.grad_fn]


def s_requires_grad(m):
    x = m.ones(2)
    y = m.ones(2)
    z = m.ones(2, requires_grad=True)
    a = x + y
    b = a + z
    b.backward(m.ones(2))
    return [a.requires_grad, b.requires_grad, z.grad, x.grad, a.grad_fn]


def s_requires_grad_(m):
    x = m.ones(2)
    y = m.ones(2, requires_grad=True)
    r = [
        x is x.requires_grad_(),
        x.requires_grad,
        y is y.requires_grad_(),
        y.requires_grad,
        x is x.requires_grad_(True),
        y is y.requires_grad_(True),
    ]
    z = x * y
    try:
        z.requires_grad_(False)
    except RuntimeError as e:
        r.append(str(e))
    r += [
        z is z.requires_grad_(),
        z.requires_grad,
        z is z.requires_grad_(True),
        x is x.requires_grad_(False),
        x.requires_grad,
        y is y.requires_grad_(False),
        y.requires_grad,
    ]
    return r


def s_requires_grad_set_nonleaf(m):
    y = m.ones(2, requires_grad=True)
    z = y * 2
    z.requires_grad = False


def s_requires_grad_int(m):
    m.ones(2, dtype=m.int64).requires_grad_()


def s_requires_grad_inplace(m):
    a = m.ones(2)
    b = m.ones(2, requires_grad=True)
    a += b
    c = m.ones(2) + 0
    c += b
    return [a.requires_grad, type(a.grad_fn).__name__, c.requires_grad, a.is_leaf]


def s_no_requires_grad_inplace(m):
    a = m.ones(2, 3)
    a.add_(5)
    a.requires_grad = True
    a.sum().backward()
    b = m.ones(2, 3)
    bv = b[:]
    bv.add_(5)
    b.requires_grad = True
    b.sum().backward()
    return [a.grad, b.grad]


def s_no_requires_grad_inplace_err_base(m):
    a = m.ones(2, 3)
    b = a[:]  # noqa: F841 - created for its side effect on the graph
    a.requires_grad = True
    a.add_(5)


def s_no_requires_grad_inplace_err_view(m):
    a = m.ones(2, 3)
    b = a[:]
    a.requires_grad = True
    b.add_(5)


def s_attr_deletion(m):
    x = m.ones(2, requires_grad=True)
    r = []
    del x.grad
    r.append(x.grad)
    for attr in ("data", "requires_grad", "_backward_hooks"):
        try:
            delattr(x, attr)
            r.append("ok")
        except Exception as e:
            r.append(type(e).__name__)
    try:
        x.data = None
    except Exception as e:
        r.append(type(e).__name__)
    return r


def s_grad_fn_deletion(m):
    x = m.ones(2, requires_grad=True) * 2
    try:
        del x._grad_fn
        return ["ok"]
    except Exception as e:
        return [type(e).__name__]


def s_duplicate_root(m):
    a = m.tensor([1.0, 2.0], requires_grad=True)
    b = m.tensor([3.0, 4.0], requires_grad=True)
    x = a * b
    go = m.tensor([0.5, 2.0])
    m.autograd.backward([x, x], [go, go])
    return [a.grad, b.grad]


def s_backward_none_grad(m):
    a = m.ones(2, requires_grad=True)
    m.autograd.backward([a + 2], [None])


def s_backward_twice_saved(m):
    b = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = m.zeros(3)
    c[[1, 2]] = b[[1, 1]]
    c.backward(m.tensor([1.0, 1.0, 1.0]))
    c.backward(m.tensor([1.0, 1.0, 1.0]))


def s_backward_twice_retained(m):
    b = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = m.zeros(3)
    c[[1, 2]] = b[[1, 1]]
    c.backward(m.tensor([1.0, 1.0, 1.0]), retain_graph=True)
    c.backward(m.tensor([1.0, 1.0, 1.0]))
    return b.grad


def s_backward_twice_unsaved(m):
    b = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = b + 1
    c.backward(m.tensor([1.0, 1.0, 1.0]))
    c.backward(m.tensor([1.0, 1.0, 1.0]))
    return b.grad


def s_backward_create_graph_warns(m):
    b = m.tensor([1.0, 2.0], requires_grad=True)
    c = b * b
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m.autograd.grad(c, b, m.ones_like(c), create_graph=True)
    return [str(x.message)[:30] for x in w]


def s_posthook_custom_multi_out(m):
    class DM(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, a, y):
            return a * x * 2, a, a * y * 2

        @staticmethod
        def backward(ctx, g1, _a, g2):
            return g1 * 2, None, g2 * 2

    seen = []
    a = m.ones(2, requires_grad=True)
    b = m.ones(2, requires_grad=True)
    c, _, d = DM.apply(a, 3, b)
    c.grad_fn.register_hook(lambda gi, go: seen.append([len(gi), len(go), [g is None for g in go]]))
    (c + d).sum().backward()
    return [seen, a.grad, b.grad]


def s_grad_dtype_basic(m):
    leaf = m.tensor([1.0, 2.0], requires_grad=True)
    r = [str(leaf.grad_dtype)]
    leaf.grad_dtype = m.float16
    r.append(str(leaf.grad_dtype))
    leaf.grad_dtype = None
    r.append(leaf.grad_dtype)
    return r


def s_grad_dtype_nonleaf_get(m):
    leaf = m.tensor([1.0, 2.0], requires_grad=True)
    (leaf * 2).grad_dtype


def s_grad_dtype_nonleaf_set(m):
    leaf = m.tensor([1.0, 2.0], requires_grad=True)
    (leaf * 2).grad_dtype = m.float16


def s_grad_dtype_assign_mismatch(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    x.grad_dtype = m.float16
    x.grad = m.tensor([1.0, 1.0])


def s_grad_dtype_any(m):
    x = m.tensor([1.0, 2.0], requires_grad=True)
    x.grad_dtype = None
    x.grad = m.tensor([1.0, 1.0], dtype=m.float64)
    return str(x.grad.dtype)


def _mismatched(m):
    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            return i * 2

        @staticmethod
        def backward(ctx, g):
            return g.to(m.float64)

    return F


def s_grad_dtype_incoming(m):
    F = _mismatched(m)
    r = []
    d = m.tensor([1.0, 2.0], requires_grad=True)
    F.apply(d).sum().backward()
    r.append([str(d.grad.dtype), d.grad])
    e = m.tensor([3.0, 4.0], requires_grad=True)
    e.grad_dtype = None
    F.apply(e).sum().backward()
    r.append([str(e.grad.dtype), e.grad])
    f = m.tensor([5.0, 6.0], requires_grad=True)
    f.grad_dtype = m.float16
    F.apply(f).sum().backward()
    r.append([str(f.grad.dtype), f.grad.float()])
    h = m.tensor([1.0, 2.0], requires_grad=True)
    _ = h.clone()
    h.grad_dtype = None
    F.apply(h).sum().backward()
    r.append(str(h.grad.dtype))
    return r


def s_grad_dtype_existing_grad(m):
    g = m.tensor([1.0, 2.0], requires_grad=True)
    g.grad = m.tensor([1.0, 1.0])
    g.grad_dtype = m.float32
    r = [str(g.grad_dtype)]
    try:
        g.grad_dtype = m.float16
    except RuntimeError as e:
        r.append(str(e)[:40])
    g.grad_dtype = None
    r.append(g.grad_dtype)
    g.grad = None
    g.grad_dtype = m.float16
    r.append(str(g.grad_dtype))
    return r


def s_grad_dtype_mixed_accum(m):
    k = m.tensor([1.0, 2.0], requires_grad=True)
    k.grad_dtype = None
    (k * 2).sum().backward()
    k.grad = k.grad.to(m.bfloat16)
    (k * 3).sum().backward()
    l = m.tensor([3.0, 4.0], requires_grad=True, dtype=m.bfloat16)
    l.grad_dtype = None
    (l * 2).sum().backward()
    l.grad = l.grad.to(m.float32)
    (l * 3).sum().backward()
    return [str(k.grad.dtype), k.grad.float(), str(l.grad.dtype), l.grad]


def s_numpy_requires_grad(m):
    x = m.ones(2, requires_grad=True)
    x.numpy()


def s_numpy_no_grad_ok(m):
    x = m.ones(2, requires_grad=True)
    with m.no_grad():
        a = x.numpy()
    return a.tolist()


def s_return_leaf(m):
    class Identity(m.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a, a + b

        @staticmethod
        def backward(ctx, ga, gb):
            return ga + gb, gb

    seen = []
    x = m.ones(2, requires_grad=True)
    y = m.ones(2, requires_grad=True)
    q, p = Identity.apply(x, y)
    q.register_hook(lambda g: seen.append(g))
    (q + p + x).sum().backward()
    return [seen, x.grad, y.grad, q is x, type(q.grad_fn).__name__]


def s_leaf_assignment(m):
    x = m.zeros(3, 2)
    y = m.tensor([1.0, 2.0], requires_grad=True)
    z = m.tensor([3.0, 4.0], requires_grad=True)
    x[0] = y
    x[1] = 2 * z
    r = [x.requires_grad, type(x.grad_fn).__name__, x.is_leaf]
    (x * m.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    return r + [y.grad, z.grad]


def s_no_grad_assignment(m):
    x = m.ones(3, 2, requires_grad=True)
    y = m.tensor([5.0, 6.0])
    with m.no_grad():
        x[0] = y
    return [x.requires_grad, x.grad_fn, x.is_leaf, x]


def s_no_grad_modifies_version(m):
    x = m.ones(2, requires_grad=True)
    y = m.ones(2, requires_grad=True)
    z = (x * y).sum()
    with m.no_grad():
        x *= 2
    z.backward()


def s_no_grad_input(m):
    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = m.ones(2, requires_grad=True)
    with m.no_grad():
        y = F.apply(x)
    return [x.requires_grad, y.grad_fn, y.requires_grad, y is x]


def s_backward_copy(m):
    x = m.ones(2, requires_grad=True)
    y = m.ones(2, requires_grad=True)
    a = x + 2
    b = y + 2
    c = x + 2
    add2 = (a + b) + c
    for _ in range(4):
        a = a * 2
        b = b * 2
        c = c * 2
    (add2 + a + b + c).backward(m.ones(2))
    return [x.grad, y.grad]


def s_set_grad_enabled(m):
    x = m.tensor([1.0], requires_grad=True)
    r = []
    with m.set_grad_enabled(False):
        r.append((x * 2).requires_grad)
    with m.set_grad_enabled(True):
        r.append((x * 2).requires_grad)
    with m.set_grad_enabled(False):
        m.set_grad_enabled(True)
        r.append((x * 2).requires_grad)
    r.append(m.is_grad_enabled())
    return r


def s_set_grad_enabled_wraps(m):
    r = []
    with m.enable_grad():

        @m.set_grad_enabled(False)
        def f(x):
            return x.sin()

        r.append(m.is_grad_enabled())
        r.append(f(m.zeros(1, requires_grad=True)).requires_grad)

        def g(x):
            return x.sin()

        obj = m.set_grad_enabled(False)
        r.append(m.is_grad_enabled())
        g = obj(g)
        r.append(m.is_grad_enabled())
        r.append(g(m.zeros(1, requires_grad=True)).requires_grad)
        r.append(m.is_grad_enabled())
    return r


def s_set_grad_enabled_bad_arg(m):
    m.set_grad_enabled(lambda x: x)


def s_grad_dtype_builtin(m):
    z = m.ones(2, requires_grad=True)
    z.grad_dtype = m.float64
    (z * 2).sum().backward()
    z2 = m.ones(2, requires_grad=True)
    z2.grad_dtype = m.float64
    g = m.autograd.grad((z2 * 2).sum(), z2)
    z3 = m.ones(2, requires_grad=True)
    z3.grad_dtype = m.float64
    (z3 * 2).sum().backward(create_graph=True)
    return [str(z.grad.dtype), str(g[0].dtype), str(z3.grad.dtype), z.grad]


def s_grad_dtype_bad_type(m):
    m.ones(2, requires_grad=True).grad_dtype = "a"


def s_grad_dtype_plain(m):
    y = m.ones(2)
    r = [str(y.grad_dtype)]
    y.grad_dtype = m.float16
    r.append(str(y.grad_dtype))
    return r


def s_reentrant_leaf_hook(m):
    box = {}
    param = m.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def penalty(grad):
        box["h"].remove()
        old = grad
        param.grad = None
        with m.enable_grad():
            g = grad.detach().requires_grad_()
            newp = param.detach().requires_grad_()
            ((g * 2) + newp).sum().backward()
        res = g.grad + grad
        param.grad = old
        return res

    box["h"] = param.register_hook(penalty)
    (param * param).sum().backward()
    return param.grad


def s_reentrant_nonleaf_hook(m):
    box = {}
    param = m.tensor([1.0, 2.0, 3.0], requires_grad=True)

    def inc(grad):
        box["h"].remove()
        with m.enable_grad():
            g = grad.detach().requires_grad_()
            ((g * 2) + 5).sum().backward()
        return g.grad + grad

    tmp = param * param
    box["h"] = tmp.register_hook(inc)
    tmp.sum().backward()
    return param.grad


def s_grad_mode_restored_reentrant(m):
    log = []

    class F(m.autograd.Function):
        @staticmethod
        def forward(ctx, inp):
            return inp.clone()

        @staticmethod
        def backward(ctx, go):
            orig = m.is_grad_enabled()
            with m.enable_grad():
                foo = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
                (g,) = m.autograd.grad(foo**3, foo, grad_outputs=go)
                log.append(m.is_grad_enabled())
            log.append([orig, m.is_grad_enabled()])
            return g

    inp = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
    F.apply(inp).sum().backward()
    F.apply(inp).sum().backward(create_graph=True)
    return [log, inp.grad]


def _closure(m, custom, tensor_hook):
    class Fn(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Obj:
        pass

    count = [0]

    def scope():
        a = m.tensor(1.0, requires_grad=True)
        b = Fn.apply(a) if custom else a.clone()
        gfb = b.grad_fn
        obj = Obj()

        def hook(*args):
            gfb, obj
            count[0] += 1

        if tensor_hook:
            b.register_hook(hook)
        else:
            b.grad_fn.register_hook(hook)
        return b.clone(), weakref.ref(obj)

    out, ref = scope()
    out.backward(retain_graph=True)
    gc.collect()
    out.backward(retain_graph=True)
    alive = ref() is not None
    del out
    gc.collect()
    return [count[0], alive, ref() is None]


def s_hook_closure_cycle_tt(m):
    return _closure(m, True, True)


def s_hook_closure_cycle_tf(m):
    return _closure(m, True, False)


def s_hook_closure_cycle_ft(m):
    return _closure(m, False, True)


def s_hook_closure_cycle_ff(m):
    return _closure(m, False, False)


def s_multi_grad_invalid_mode(m):
    t1 = m.ones(2, requires_grad=True)
    t2 = m.ones(2, requires_grad=True)
    m.autograd.graph.register_multi_grad_hook((t1, t2), lambda _: None, mode="foo")


def s_multi_grad_all(m):
    class Foo(m.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.clone()

        @staticmethod
        def backward(ctx, g):
            return g

    t1 = m.ones(2, requires_grad=True).mul(2)
    t2 = Foo.apply(m.ones(2, requires_grad=True))
    t3 = m.ones(2, requires_grad=True) * 3
    t4 = m.ones(2, requires_grad=True).clone()
    res = []
    cnt = [0]

    def hook(grads):
        cnt[0] += 1
        res.append([g is not None for g in grads])

    h = m.autograd.graph.register_multi_grad_hook((t1, t2, t3, t4), hook)
    out = t2 * t3
    out.sum().backward(inputs=(t2, t3), retain_graph=True)
    r = [cnt[0]]
    out.sum().backward(inputs=(t1, t4), retain_graph=True)
    r.append(cnt[0])
    out.sum().backward(inputs=(t1, t3), retain_graph=True)
    r.append(cnt[0])

    class Bad(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            raise RuntimeError("error message")

    out2 = Bad.apply(t2) * t3
    try:
        out2.sum().backward(inputs=(t2, t3), retain_graph=True)
    except RuntimeError as e:
        r.append(str(e))
    r.append(cnt[0])
    h.remove()
    out.sum().backward(inputs=(t1, t3), retain_graph=True)
    r.append(cnt[0])
    return [r, res]


def s_multi_grad_any(m):
    a = m.ones(2, requires_grad=True)
    x = a * 2
    y1, y2 = x.sin(), x.cos()
    order = []
    x.register_hook(lambda g: order.append("x"))
    m.autograd.graph.register_multi_grad_hook(
        (y1, y2), lambda g: order.append(["any", g]), mode="any"
    )
    (y1 + y2).sum().backward()
    return [str(order[0][0]), order[1], len(order)]


def s_grad_thread_safety(m):
    out = []
    for _ in range(3):
        t = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (t**2).sum().backward()
        barrier = threading.Barrier(4)

        def access(t, b):
            b.wait()
            return t.grad

        with ThreadPoolExecutor(max_workers=4) as ex:
            fs = [ex.submit(access, t, barrier) for _ in range(4)]
            out.append(all(f.result() is t.grad for f in fs))
    return [out, t.grad]


def s_threads_accumulate(m):
    w = m.tensor([1.0, 2.0], requires_grad=True)

    def work():
        for _ in range(5):
            (w * w).sum().backward()

    ts = [threading.Thread(target=work) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return w.grad


def s_grad_mode_thread_local(m):
    seen = []

    def work():
        seen.append(m.is_grad_enabled())
        with m.no_grad():
            seen.append(m.is_grad_enabled())

    with m.no_grad():
        t = threading.Thread(target=work)
        t.start()
        t.join()
        seen.append(m.is_grad_enabled())
    return seen


def s_post_acc_hook_cleaned_up(m):
    def make():
        thing = m.tensor([1.0, 2.0, 3.0])

        def hook(t):
            t.sub_(t.grad)
            t.add_(thing)

        t = m.tensor([1.0, 1.0, 1.0], requires_grad=True)
        t.register_post_accumulate_grad_hook(hook)
        t.sum().backward()
        return t, weakref.ref(thing)

    t, ref = make()
    gc.collect()
    alive = ref() is not None
    val = t.detach().clone()
    del t
    gc.collect()
    return [alive, ref() is None, val]


def s_retain_grad_cycle(m):
    x = m.ones(2, 2, requires_grad=True)

    def run():
        y = x * 2
        y.retain_grad()
        return y / 2, weakref.ref(y)

    z, ref = run()
    gone = ref() is None
    z.sum().backward()
    return [gone, x.grad]


def _edge_cases(m):
    x = m.tensor([0.5, 2.0], requires_grad=True)
    y = m.tensor([1.5, 3.0], requires_grad=True)
    return {
        "pow": lambda: x**2,
        "rpow": lambda: 2**x,
        "clamp": lambda: x.clamp(0, 1),
        "clamp_min": lambda: x.clamp(min=0.1),
        "clamp_t": lambda: x.clamp(min=m.tensor(0.0)),
        "mul": lambda: x * 2,
        "rmul": lambda: 2 * x,
        "add": lambda: x + 2,
        "rsub": lambda: 2 - x,
        "div": lambda: x / 2,
        "rdiv": lambda: 2 / x,
        "fmod": lambda: x.fmod(1.5),
        "lerp": lambda: x.lerp(y, 0.3),
        "lerp_t": lambda: x.lerp(y, m.tensor(0.3)),
        "addcmul": lambda: x.addcmul(y, y, value=2),
        "add_alpha": lambda: x.add(y, alpha=2),
        "masked_fill": lambda: x.masked_fill(x > 1, 0.0),
        "masked_fill_t": lambda: x.masked_fill(x > 1, m.tensor(0.0)),
        "where": lambda: m.where(x > 1, x, y),
        "where_scalar": lambda: m.where(x > 1, 0.0, x),
        "div_floor": lambda: x.div(2, rounding_mode="floor"),
        "xlogy": lambda: m.xlogy(x, 2.0),
        "mul_int_tensor": lambda: x * m.tensor([1, 2]),
        "pow_": lambda: x.clone().pow_(2),
    }


def s_next_functions_per_op(m):
    """torch counts a Tensor argument (a wrapped Python number too), never a Scalar one."""
    return [[k, len(f().grad_fn.next_functions)] for k, f in _edge_cases(m).items()]


def s_posthook_inputs_follow_next_functions(m):
    x = m.tensor([0.5, 2.0], requires_grad=True)
    seen = []
    for y in (x.clamp(0, 1), x**2, x * 2, x.masked_fill(x > 1, 0.0)):
        y.grad_fn.register_hook(lambda gi, go: seen.append([len(gi), len(go)]))
        y.sum().backward()
    return [seen, x.grad]


def s_grad_fn_call_per_op(m):
    x = m.tensor([0.5, 2.0], requires_grad=True)
    g = m.ones(2)
    return [
        x.clamp(0, 1).grad_fn(g),
        (x**3).grad_fn(g),
        (x * 2).grad_fn(g),
        m.where(x > 1, x, 0.0).grad_fn(g),
    ]


SCENARIOS = [v for k, v in list(globals().items()) if k.startswith("s_") and callable(v)]

#: scenarios that still differ from torch, with the reason (strict: a fix shows up as XPASS)
KNOWN = {
    "s_grad_to_edge_after_set": "Tensor.set_ is not implemented",
    "s_tensor_hooks_inplace_over_view": "an in-place op on a view keeps the view's old grad_fn "
    "in its graph, so a hook registered before the write still fires",
    "s_grad_fn_deletion": "del t._grad_fn deletes the slot: refusing it needs a "
    "Tensor.__delattr__, which would make every attribute write ~3x slower in CPython",
    "s_first_grad_fn_no_grad": "Tensor.real is a copy, not a view: a later write to the base "
    "does not show through it",
}


def _marked(s):
    why = KNOWN.get(s.__name__)
    return pytest.param(s, marks=pytest.mark.xfail(reason=why, strict=True)) if why else s


@pytest.mark.parametrize("scenario", [_marked(s) for s in SCENARIOS], ids=lambda f: f.__name__[2:])
def test_matches_torch(scenario, real):
    ours, theirs = outcome(scenario, tj), outcome(scenario, real)
    assert _close(list(ours), list(theirs)), (ours, theirs)


def test_scenarios_exercise_both_outcomes(real):
    """The table holds errors and successes alike (a guard against scenarios that never run)."""
    assert {outcome(s, tj)[0] for s in SCENARIOS} == {"ok", "raise"}
