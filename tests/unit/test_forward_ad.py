"""Forward-mode AD (``torch.autograd.forward_ad``) against real torch, live.

Each scenario is written once against a module ``t`` (torch or torchlike_jax) and returns a
nested structure of tensors, Nones and plain values; both runs must agree on values (float32
tolerance), dtypes, shapes and everything else. Errors compare class and message.
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as tj
from torchlike_jax import _caches

pytestmark = pytest.mark.torch_live


@pytest.fixture(autouse=True)
def _no_level_left(real):
    """A failing scenario must not leave a dual level behind for the next test (either library)."""
    yield
    while real.autograd.forward_ad._current_level >= 0:
        real.autograd.forward_ad.exit_dual_level()
    while tj.autograd.forward_ad._current_level >= 0:
        tj.autograd.forward_ad.exit_dual_level()


class _Snap(tuple):
    """A tensor's (dtype name, shape, numpy values), taken when the scenario saw it."""


def _plain(x):
    """Tensors → :class:`_Snap`; containers recursively; the rest as is."""
    if isinstance(x, _Snap):
        return x
    if hasattr(x, "detach") and hasattr(x, "dtype") and hasattr(x, "shape"):
        try:
            values = x.detach().numpy()
        except RuntimeError:  # torch's ZeroTensor tangents (slogdet's sign) need force=True
            values = x.detach().numpy(force=True)
        return _Snap((str(x.dtype).replace("torch.", ""), tuple(x.shape), np.array(values)))
    if isinstance(x, (tuple, list)):
        return type(x).__name__, [_plain(v) for v in x]
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _same(a, b, path="out"):
    if isinstance(a, _Snap):
        assert isinstance(b, _Snap), f"{path}: {a} vs {b}"
        assert a[:2] == b[:2], f"{path}: dtype/shape {a[:2]} vs {b[:2]}"
        np.testing.assert_allclose(b[2], a[2], rtol=1e-5, atol=1e-5, err_msg=path)
    elif isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b) and a[0] == b[0], f"{path}: {a} vs {b}"
        _same(a[1], b[1], path)
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: {a} vs {b}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), f"{path}: {a} vs {b}"
        for k in a:
            _same(a[k], b[k], f"{path}.{k}")
    else:
        assert a == b, f"{path}: torch {a!r} vs ours {b!r}"


def _check(real, scenario):
    expected = _plain(scenario(real))
    got = _plain(scenario(tj))
    _same(expected, got)
    assert tj.autograd.forward_ad._fw.state.level == -1
    assert not tj.autograd.forward_ad._fw.tangents  # the level's exit dropped every tangent


def _error(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return type(e).__name__, str(e)
    return "no error"


def _unpack(t, x):
    """A snapshot of ``unpack_dual(x)``: torch's tangents alias memory that later writes change."""
    p, tan = t.autograd.forward_ad.unpack_dual(x)
    return _plain((p, tan))


# ---- the API: levels, make_dual / unpack_dual and their errors ------------------------------

def _api_errors(t):
    fw = t.autograd.forward_ad
    p = t.tensor([1.0, 2.0, 3.0])
    out = {"outside": _error(lambda: fw.make_dual(p, p)),
           "unpack_outside": _unpack(t, p),
           "exit_none": _error(fw.exit_dual_level)}
    out["current_before"] = fw._current_level
    with fw.dual_level() as level:
        out["level"] = [level, fw._current_level]
        out["nested"] = _error(fw.enter_dual_level)
        out["nested_ctx"] = _error(lambda: fw.dual_level().__enter__())
        out["size"] = _error(lambda: fw.make_dual(p, t.ones(2)))
        out["int_primal"] = _error(lambda: fw.make_dual(t.ones(3, dtype=t.long), p))
        out["int_tangent"] = _error(lambda: fw.make_dual(p, t.ones(3, dtype=t.long)))
        out["bad_level"] = _error(lambda: fw.make_dual(p, p, level=5))
        x = fw.make_dual(p, t.ones(3))
        out["again"] = _error(lambda: fw.make_dual(x, p))
        out["exit_other"] = _error(lambda: fw.exit_dual_level(level=3))
        out["plain"] = _unpack(t, p)
        out["dual"] = _unpack(t, x)
        out["is_view"] = x._base is p
        out["primal_base"] = fw.unpack_dual(x).primal._base is p
        out["primal_tangent"] = _unpack(t, fw.unpack_dual(x).primal)
    out["after_exit"] = _unpack(t, x)
    level = fw.enter_dual_level()
    out["enter_again"] = level
    fw.exit_dual_level(level=level)
    out["exit_stale"] = _error(lambda: fw.exit_dual_level(level=0))
    out["fields"] = fw.UnpackedDualTensor._fields
    out["all"] = sorted(fw.__all__)
    out["type"] = type(fw.unpack_dual(p)).__name__
    return out


def test_api_and_errors(real):
    _check(real, _api_errors)


def test_level_exit_after_exception(real):
    def scenario(t):
        fw = t.autograd.forward_ad
        try:
            with fw.dual_level():
                x = fw.make_dual(t.ones(2), t.ones(2))
                raise KeyError("boom")
        except KeyError:
            pass
        with fw.dual_level() as level:  # the level was left: a new one can start
            return level, _unpack(t, x), _unpack(t, fw.make_dual(t.ones(2), t.ones(2) * 2))
    _check(real, scenario)


def test_dual_level_as_decorator(real):
    def scenario(t):
        fw = t.autograd.forward_ad

        @fw.dual_level()
        def f(v):
            return _unpack(t, (fw.make_dual(v, t.ones_like(v)) ** 3))
        return f(t.tensor([1.0, 2.0]))
    _check(real, scenario)


# ---- propagation through registry ops --------------------------------------------------------

def _ops(t):
    fw = t.autograd.forward_ad
    F = t.nn.functional
    xv = t.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    xt = t.tensor([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0]])
    wv = t.tensor([[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]])
    wt = t.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    out = {}
    with fw.dual_level():
        x = fw.make_dual(xv, xt)
        w = fw.make_dual(wv, wt)
        cases = {
            "sin": x.sin(), "exp_mul": x.exp() * x, "div_scalar": 3.5 / (x + 4.0),
            "pow": x.abs() ** 2.5, "tanh": t.tanh(x),
            "sum": x.sum(), "sum_dim": x.sum(1, keepdim=True), "mean": x.mean(0),
            "prod": x.prod(1), "norm": x.norm(), "std": x.std(1),
            "max_dim": x.max(1), "amax": x.amax(0), "cumsum": x.cumsum(1),
            "matmul": x @ w, "mm_plain": x @ wv, "linear": F.linear(x, w.t()),
            "relu": F.relu(x), "gelu": F.gelu(x), "softmax": F.softmax(x, dim=1),
            "log_softmax": F.log_softmax(x, 1), "sigmoid": t.sigmoid(x),
            "mse": F.mse_loss(x, t.zeros(2, 3)),
            "ce": F.cross_entropy(x, t.tensor([2, 0])),
            "where": t.where(xv > 0, x, x * 2), "clamp": x.clamp(-0.5, 1.0),
            "cat": t.cat([x, x * 2], 0), "stack": t.stack([x, x]),
            "index": x[1, 1:], "gather": x.gather(1, t.tensor([[0], [2]])),
            "transpose_sum": (x.t() * 2).sum(0), "reshape": x.reshape(3, 2),
            "argmax": x.argmax(), "compare": x > 0, "to64": x.to(t.float64),
            "sort": x.sort(1), "lerp": t.lerp(x, t.ones(2, 3), 0.3),
            "addcmul": t.addcmul(x, x, x, value=0.5),
            "layer_norm": F.layer_norm(x, (3,)), "dropout_eval": F.dropout(x, 0.5, False),
            "einsum": t.einsum("ij,jk->ik", x, w), "outer": t.outer(x[0], w[:, 0]),
        }
        for name, r in cases.items():
            rs = r if isinstance(r, tuple) else (r,)
            out[name] = [_unpack(t, v) for v in rs]
    return out


def test_propagation_through_ops(real):
    _check(real, _ops)


def test_conv_and_pool(real):
    def scenario(t):
        fw = t.autograd.forward_ad
        F = t.nn.functional
        xv = t.arange(32.0).reshape(1, 2, 4, 4) / 10
        kv = t.arange(36.0).reshape(2, 2, 3, 3) / 50 - 0.3
        with fw.dual_level():
            x = fw.make_dual(xv, t.ones_like(xv))
            k = fw.make_dual(kv, t.full_like(kv, 0.5))
            y = F.conv2d(x, k, padding=1)
            return [_unpack(t, y), _unpack(t, F.max_pool2d(y, 2)),
                    _unpack(t, F.avg_pool2d(x, 2))]
    _check(real, scenario)


def test_two_duals_and_dtypes(real):
    def scenario(t):
        fw = t.autograd.forward_ad
        with fw.dual_level():
            a = fw.make_dual(t.tensor([1.0, 2.0]), t.tensor([1.0, 0.0]))
            b = fw.make_dual(t.tensor([3.0, 4.0], dtype=t.float64),
                             t.tensor([0.0, 1.0], dtype=t.float64))
            c = a * b + t.tensor([1, 2])  # float32 * float64 + int64: promotion as usual
            n = t.tensor([2, 3]) * 2  # no dual: no tangent
            half = fw.make_dual(t.tensor([1.0, 2.0], dtype=t.float64), t.ones(2, dtype=t.float64))
            return [_unpack(t, c), _unpack(t, n), _unpack(t, half.float() * 3)]
    _check(real, scenario)


def test_runtime_scalars_do_not_recompile():
    fw = tj.autograd.forward_ad
    cache = _caches.cache("op_jvp")
    with fw.dual_level():
        x = fw.make_dual(tj.ones(3), tj.ones(3))
        for s in (0.5, 1.5):
            (x * s).sin()
        misses = cache.info().misses
        for i in range(20):
            tan = fw.unpack_dual((x * (0.1 * i + 0.05)).sin()).tangent
            np.testing.assert_allclose(np.asarray(tan._st.array),
                                       np.cos(0.1 * i + 0.05) * (0.1 * i + 0.05), rtol=1e-5)
        assert cache.info().misses == misses
    assert not fw._fw.tangents  # all dropped at exit


# ---- views and in-place -----------------------------------------------------------------------

def _views_inplace(t):
    fw = t.autograd.forward_ad
    out = {}
    with fw.dual_level():
        p = t.tensor([1.0, 2.0, 3.0])
        x = fw.make_dual(p, t.tensor([1.0, 0.0, 0.5]))
        v = x[1:]
        out["view"] = _unpack(t, v)
        q = t.tensor([1.0, 2.0, 3.0])
        q2 = q[:2]
        q2.mul_(x[:2])  # a tangent-less base written through a view with a dual value
        out["base_gets_tangent"] = [_unpack(t, q), _unpack(t, q2)]
        x.mul_(2)  # the dual itself; its primal's value changes, the primal gets no tangent
        out["dual_inplace"] = [_unpack(t, x), _unpack(t, p), _unpack(t, v)]
        z = fw.make_dual(t.ones(2, 3), t.ones(2, 3))
        zt = z.t()
        z.mul_(t.tensor([1.0, 2.0, 3.0]))
        out["view_of_dual_follows"] = _unpack(t, zt)
        zt[0].add_(fw.make_dual(t.ones(2), t.full((2,), 5.0)))
        out["write_view_of_dual"] = [_unpack(t, z), _unpack(t, zt)]
        b = t.ones(2, 3)
        bt = b.t()
        b.mul_(fw.make_dual(t.ones(3), t.ones(3)))
        out["base_inplace_view_follows"] = _unpack(t, bt)
        a = t.ones(3)
        a.add_(1)
        out["plain_inplace"] = _unpack(t, a)
        c = t.zeros(3)
        c.copy_(fw.make_dual(t.ones(3), t.tensor([1.0, 2.0, 3.0])))
        out["copy_dual"] = _unpack(t, c)
        d = fw.make_dual(t.ones(3), t.tensor([1.0, 2.0, 3.0]))
        d.copy_(t.ones(3))
        out["copy_plain"] = _unpack(t, d)
        e = fw.make_dual(t.ones(3), t.tensor([1.0, 2.0, 3.0]))
        e.zero_()
        out["zero"] = _unpack(t, e)
        f = t.zeros(2, 2)
        f[0, 1] = fw.make_dual(t.tensor(3.0), t.tensor(7.0))
        out["setitem"] = _unpack(t, f)
        g = fw.make_dual(t.tensor([1.0, -2.0]), t.tensor([1.0, 1.0]))
        g.relu_()
        out["relu_"] = _unpack(t, g)
        out["detach"] = _unpack(t, g.detach())
        out["data"] = _unpack(t, g.data)
        out["clone"] = _unpack(t, g.clone())
    return out


def test_views_and_inplace(real):
    _check(real, _views_inplace)


# ---- printing, requires_grad ----------------------------------------------------------------

def test_repr_with_tangent(real):
    def scenario(t):
        fw = t.autograd.forward_ad
        with fw.dual_level():
            s = fw.make_dual(t.tensor(2.0), t.tensor(1.0))
            v = fw.make_dual(t.tensor([1.0, 2.0, 3.0], requires_grad=True),
                             t.tensor([1.0, 0.0, 0.5]))
            shown = [repr(s), repr(s * 3.5), repr(v), repr((v * v).sum()),
                     repr(fw.make_dual(t.ones(2, dtype=t.float64), t.ones(2, dtype=t.float64)))]
        return shown + [repr(v)]
    _check(real, scenario)


def test_requires_grad_with_duals(real):
    def scenario(t):
        fw = t.autograd.forward_ad
        p = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        with fw.dual_level():
            x = fw.make_dual(p, t.tensor([1.0, 0.0, 0.5]))
            y = (x * x.sin()).sum()
            name = y.grad_fn.name(), x.grad_fn.name(), x.requires_grad
            y.backward()
            tan = _unpack(t, y)
        return name, p.grad, tan
    _check(real, scenario)


# ---- custom autograd.Function with jvp -------------------------------------------------------

def _functions(t):
    fw = t.autograd.forward_ad
    seen = []

    class Sin(t.autograd.Function):
        @staticmethod
        def forward(ctx, x, y, k):
            ctx.save_for_forward(x)
            ctx.k = k
            seen.append(fw.unpack_dual(x).tangent is None)  # forward sees plain tensors
            return x.sin() * y * k, x * 2

        @staticmethod
        def jvp(ctx, xt, yt, kt):
            (x,) = ctx.saved_tensors
            seen.append((kt, _plain(yt)))  # zeros for a tensor input without a tangent
            return xt * x.cos() * ctx.k, xt * 2

        @staticmethod
        def backward(ctx, g1, g2):
            return None, None, None

    class NoJvp(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class BadShape(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def jvp(ctx, tan):
            return tan[:1]

    class Exp(t.autograd.Function):  # the setup_context style, saving the output
        @staticmethod
        def forward(x):
            return x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_forward(output)

        @staticmethod
        def jvp(ctx, tan):
            (out,) = ctx.saved_tensors
            return out * tan

    out = {}
    with fw.dual_level():
        x = fw.make_dual(t.tensor([0.5, 1.0]), t.tensor([1.0, 2.0]))
        a, b = Sin.apply(x, t.tensor([3.0, 4.0]), 2.0)
        out["sin"] = [_unpack(t, a), _unpack(t, b)]
        out["no_jvp"] = _error(lambda: NoJvp.apply(x))
        out["no_jvp_plain"] = _unpack(t, NoJvp.apply(t.ones(2)))
        out["bad_shape"] = _error(lambda: BadShape.apply(x))
        out["exp"] = _unpack(t, Exp.apply(x))
        out["chain"] = _unpack(t, Exp.apply(Sin.apply(x, t.ones(2), 1.0)[0]).sum())
        p = t.tensor([0.5, 1.0], requires_grad=True)
        xr = fw.make_dual(p, t.tensor([1.0, 2.0]))
        a2, _ = Sin.apply(xr, t.tensor([3.0, 4.0]), 2.0)
        out["with_grad"] = [_unpack(t, a2), a2.grad_fn.name(), repr(a2)]  # jvp ran with grad
    out["seen"] = seen
    return out


def test_custom_function_jvp(real):
    _check(real, _functions)


# ---- forward-over-reverse: Hessian-vector products -----------------------------------------

def _hvp(t):
    fw = t.autograd.forward_ad
    x0 = t.tensor([0.5, -1.0, 2.0])
    v = t.tensor([1.0, 0.5, -0.25])
    w = t.tensor([[1.0, 2.0], [0.5, -1.0], [0.0, 3.0]])

    def f(x):
        return (x.sin() * x.pow(2)).sum() + (x[0] * x[2]) ** 2

    def g(x):
        return t.tanh(x @ w).pow(2).mean() + t.nn.functional.softplus(x * 2).sum()

    out = {}
    with fw.dual_level():
        for name, fn in (("f", f), ("g", g)):
            x = fw.make_dual(x0.clone().requires_grad_(), v)
            (grad,) = t.autograd.grad(fn(x), x, create_graph=True)
            out[name] = _unpack(t, grad)
        p = x0.clone().requires_grad_()
        loss = (fw.make_dual(p, v).exp() * 0.5).sum()
        loss.backward(create_graph=True)
        out["backward"] = _unpack(t, p.grad)
    out["functional_hvp"] = t.autograd.functional.hvp(f, x0, v)[1]
    return out


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_forward_over_reverse_hvp(real):
    _check(real, _hvp)


# ---- torch.func.jvp / jacfwd agree with forward_ad ------------------------------------------

def _func_agree(t):
    fw = t.autograd.forward_ad
    w = t.tensor([[1.0, 2.0, 0.0], [0.5, -1.0, 1.0]])

    def f(x):
        return t.nn.functional.softmax(w @ x.sin(), 0) * x.sum()

    x0 = t.tensor([0.3, -0.7, 1.1])
    v = t.tensor([1.0, -2.0, 0.5])
    with fw.dual_level():
        dual_tangent = fw.unpack_dual(f(fw.make_dual(x0, v))).tangent
    primal, func_tangent = t.func.jvp(f, (x0,), (v,))
    jac = t.func.jacfwd(f)(x0)
    jac_dual = []
    for i in range(3):  # the columns of the Jacobian, one forward pass each
        with fw.dual_level():
            e = t.zeros(3)
            e[i] = 1.0
            jac_dual.append(fw.unpack_dual(f(fw.make_dual(x0, e))).tangent)
    ours = t.stack(jac_dual, 1)
    return {"dual": dual_tangent, "func": func_tangent, "primal": primal,
            "jac": jac, "jac_dual": ours, "jac_v": jac @ v,
            "agree": bool(t.allclose(dual_tangent, func_tangent, atol=1e-6))
            and bool(t.allclose(jac, ours, atol=1e-6))}


def test_func_jvp_and_jacfwd_agree_with_forward_ad(real):
    _check(real, _func_agree)


# ---- the tangent given to make_dual is re-used as-is; non-differentiable views ---------------

def _tangent_reuse(t):
    fw = t.autograd.forward_ad
    out = {}
    foo = t.tensor([0.3, 0.7])
    bar = t.ones(2)
    with fw.dual_level():
        dual = fw.make_dual(foo, bar)
        out["is_bar"] = fw.unpack_dual(dual)[1] is bar
        foo.add_(1)  # dual is a view of foo: same values and version counter
        out["shared"] = [foo._version == dual._version, _unpack(t, dual)]
        bar.add_(1)  # ... and its tangent is bar itself
        out["tangent_follows"] = _unpack(t, dual)
    foo = t.tensor([0.3, 0.7])
    bar = t.ones(2)
    with fw.dual_level():
        foo.requires_grad_()
        bar.requires_grad_()
        dual = fw.make_dual(foo, bar)
        p, tan = fw.unpack_dual(dual)
        out["grad_p"] = t.autograd.grad(p.sum(), (foo, bar), retain_graph=True, allow_unused=True)
        out["grad_t"] = t.autograd.grad(tan.sum(), (foo, bar), retain_graph=True,
                                        allow_unused=True)
        p, tan = fw.unpack_dual(dual.detach() * 2)
        out["detach"] = [p.requires_grad, tan]
        with t.no_grad():  # grad mode does not stop forward AD
            p, tan = fw.unpack_dual(dual * 3)
        out["no_grad"] = [p.requires_grad, tan.requires_grad, _plain(p), _plain(tan)]
        dual = dual.clone()
        dual.detach_()
        out["detach_"] = _unpack(t, dual * 2)
    foo = t.tensor([0.3, 0.7], dtype=t.float64)
    bar = t.ones(2, dtype=t.float64)
    with fw.dual_level():
        dual = fw.make_dual(foo, bar)
        dual *= 2  # the primal foo is no forward-differentiable view: it gets no tangent
        out["dual_mul"] = [_unpack(t, foo), _plain(bar), _unpack(t, dual)]
        dp, dt = fw.unpack_dual(dual)
        out["parts_plain"] = [_unpack(t, dp), _unpack(t, dt)]
        dp *= 2
        out["primal_write"] = _unpack(t, dual)
        dt *= 2
        out["tangent_write"] = _unpack(t, dual)
    foo = t.tensor([0.3, 0.7])
    bar = t.ones(2)
    with fw.dual_level():
        dual = fw.make_dual(foo, bar)
        view = dual.narrow(0, 0, 1)
        view *= 2  # a differentiable view of the dual: the dual's tangent (bar) changes
        out["narrow"] = [_unpack(t, foo), _unpack(t, dual), _unpack(t, view), _plain(bar)]
        baz = t.tensor([0.1, 0.2])
        alias = baz.detach()
        alias += dual  # detach() is no forward-differentiable view either
        out["detach_alias"] = [_unpack(t, baz), _unpack(t, alias)]
        out["tangent_view"] = _unpack(t, fw.make_dual(t.ones(2), t.arange(3.0)[1:]))
    return out


def test_tangent_reused_as_is_and_non_differentiable_views(real):
    _check(real, _tangent_reuse)


def _more_ops(t):
    fw = t.autograd.forward_ad
    av = t.tensor([[2.0, 0.5, 0.1], [0.3, 3.0, -0.4], [0.2, -0.1, 1.5]])
    at = t.tensor([[0.1, 0.0, 1.0], [0.5, -0.2, 0.0], [0.0, 0.3, 0.2]])
    out = {}
    with fw.dual_level():
        a = fw.make_dual(av, at)
        lin = t.nn.Linear(3, 2)
        with t.no_grad():
            lin.weight.copy_(t.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
            lin.bias.fill_(0.25)
        cases = {
            "inv": t.linalg.inv(a), "det": t.linalg.det(a), "solve": t.linalg.solve(a, av[0]),
            "slogdet": t.linalg.slogdet(a), "trace": a.trace(), "diag": a.diagonal(),
            "index_select": a.index_select(0, t.tensor([2, 0])),
            "masked_fill": a.masked_fill(av > 1.0, 0.0),
            "scatter_add": t.zeros(3, 3).scatter_add(0, t.tensor([[0, 1, 2]]), a[:1]),
            "erf": t.special.erf(a), "logsumexp": a.logsumexp(1), "cumprod": a.cumprod(0),
            "expand": a[0].expand(2, 3) * 1.0, "flip": a.flip(0), "roll": a.roll(1, 1),
            "module": lin(a), "tril": a.tril(), "atan2": t.atan2(a, av.t()),
            "min_max": t.stack([a.min(), a.max()]), "var_mean": t.var_mean(a, 0),
        }
        for name, r in cases.items():
            rs = r if isinstance(r, tuple) else (r,)
            out[name] = [_unpack(t, v) for v in rs]
    return out


def test_more_ops_modules_and_linalg(real):
    _check(real, _more_ops)


def test_tangents_die_with_their_tensors():
    """No tensor is kept alive by the level, and a dead tensor's tangent is dropped at once."""
    import gc
    import weakref

    fw = tj.autograd.forward_ad
    store = fw._fw.tangents
    with fw.dual_level():
        tangent = tj.ones(2)
        dual = fw.make_dual(tj.zeros(2), tangent)
        y = (dual * 2).sin()
        assert len(store) == 2
        ref_y, ref_dual = weakref.ref(y), weakref.ref(dual)
        del y
        gc.collect()
        assert ref_y() is None and len(store) == 1
        del dual
        gc.collect()
        assert ref_dual() is None and not store
        assert fw.unpack_dual(tangent).tangent is None


def test_ops_without_forward_derivative(real):
    def scenario(t):
        fw = t.autograd.forward_ad
        with fw.dual_level():
            x = fw.make_dual(t.tensor([0.5, 0.2]), t.ones(2))
            y = x.clone()
            err = _error(lambda: y.asinh_())
            # (torch has already written asinh's value into y when it raises; we have not)
            return [err[0], err[1].startswith("Trying to use forward AD with "),
                    _error(lambda: t.floor_divide(x, 2.0))[0]]
    _check(real, scenario)


# ---- reverse-over-forward: backward through a tangent ----------------------------------------

def _reverse_over_forward(t):
    fw = t.autograd.forward_ad
    x0 = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
    v = t.tensor([1.0, 0.5, -0.25])
    w = t.tensor([[1.0, 2.0], [0.5, -1.0], [0.0, 3.0]], requires_grad=True)
    out = {}
    with fw.dual_level():
        x = fw.make_dual(x0, v)
        y = (t.tanh(x @ w) ** 2).sum() + x.sin().prod()
        p, tan = fw.unpack_dual(y)
        out["tangent_requires_grad"] = tan.requires_grad
        out["grads"] = [_plain(g) for g in t.autograd.grad(tan, (x0, w))]
        vr = t.tensor([1.0, 0.0, 0.0], requires_grad=True)  # a tangent that requires grad
        tan = fw.unpack_dual((fw.make_dual(t.tensor([0.5, -1.0, 2.0]), vr).exp() * 2).sum())[1]
        out["through_tangent"] = [tan.requires_grad, _plain(t.autograd.grad(tan, vr)[0])]
        z = t.ones(3)
        z.mul_(fw.make_dual(x0 * 1.0, v))  # in place: the tangent's history moves to z
        out["inplace"] = _plain(t.autograd.grad(fw.unpack_dual(z.sum())[1], x0,
                                                allow_unused=True))
        with t.no_grad():
            out["no_grad"] = fw.unpack_dual(fw.make_dual(x0, v) * 2)[1].requires_grad
    return out


def test_reverse_over_forward(real):
    _check(real, _reverse_over_forward)
