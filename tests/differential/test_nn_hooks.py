"""Module hooks against real torch, live: full backward hooks and pre-hooks (the grad tuples
they receive, None where an input needs no gradient, replacements, call order, once per
backward), legacy backward hooks and their warnings, the global module hooks, forward hooks
with kwargs / always_call, and the state-dict hooks. Each scenario runs under both libraries
and records what the hooks saw; the records must agree."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike_jax as torch

pytestmark = pytest.mark.torch_live


def _v(t):
    if t is None:
        return None
    return np.round(t.detach().numpy().astype(np.float64), 4).tolist()


def _vs(ts):
    return tuple(_v(t) for t in ts)


def _lin(lib):
    m = lib.nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        m.bias.copy_(lib.tensor([0.01, -0.02]))
    return m


X = [[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]


def both(real, scenario):
    """Run ``scenario(lib, log)`` under torch and here; compare logs and warnings."""
    out = []
    for lib in (real, torch):
        log: list = []
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            res = scenario(lib, log)
        msgs = sorted({f"{x.category.__name__}: {str(x.message)[:80]}" for x in w
                       if "requires_grad=True to a scalar" not in str(x.message)})
        out.append((log, res, msgs))
    assert out[1] == out[0]
    return out[1]


def test_full_hooks_receive_grads_and_order(real):
    def sc(lib, log):
        m = _lin(lib)
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _vs(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("bw", _vs(gi), _vs(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append("bw2"), prepend=True)
        x = lib.tensor(X, requires_grad=True)
        y = m(x)
        log.append(type(y.grad_fn).__name__)
        (y * lib.tensor([1.0, 2.0])).sum().backward()
        return _v(x.grad), _v(m.weight.grad)

    log, _, _ = both(real, sc)
    assert log[0] == "BackwardHookFunctionBackward" and log[1][0] == "pre" and log[2] == "bw2"


def test_hooks_when_no_input_requires_grad(real):
    def sc(lib, log):
        m = _lin(lib)
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _vs(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("bw", _vs(gi), _vs(go))))
        y = m(lib.tensor(X))
        y.sum().backward()
        y = m(lib.tensor(X))
        y.sum().backward()
        return _v(m.bias.grad)

    _, _, msgs = both(real, sc)
    assert any("Full backward hook is firing" in m for m in msgs)


def test_hook_must_return_none_without_input_grads(real):
    for lib in (real, torch):
        m = _lin(lib)
        m.register_full_backward_hook(lambda mod, gi, go, lib=lib: (lib.ones(2, 3),))
        y = m(lib.tensor(X))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(RuntimeError, match="should always return None or None for all"):
                y.sum().backward()


def test_replacing_grad_input_and_grad_output(real):
    def sc(lib, log):
        m = _lin(lib)
        m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
        m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
        x = lib.tensor(X, requires_grad=True)
        m(x).sum().backward()
        return _v(x.grad), _v(m.weight.grad), _v(m.bias.grad)

    both(real, sc)


def test_multiple_inputs_and_outputs(real):
    def sc(lib, log):
        class Two(lib.nn.Module):
            def forward(self, a, k, b):
                return a * b, a + k, b.sum()

        m = Two()
        m.register_full_backward_pre_hook(lambda mod, go: log.append(("pre", _vs(go))))
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("bw", _vs(gi), _vs(go))))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0])
        p, q, r = m(a, 5.0, b)
        log.append((p.grad_fn.name(), q.grad_fn.name(), r.requires_grad))
        (p.sum() + 0 * q.sum()).backward()
        return _v(a.grad)

    both(real, sc)


def test_unused_output_and_runs_once_per_backward(real):
    def sc(lib, log):
        class Split(lib.nn.Module):
            def forward(self, a):
                return a * 2, a * 3

        m = Split()
        m.register_full_backward_hook(lambda mod, gi, go: log.append(("bw", _vs(gi), _vs(go))))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        u, _ = m(a)
        u.sum().backward(retain_graph=True)
        u.sum().backward()
        return _v(a.grad)

    log, _, _ = both(real, sc)
    assert len(log) == 2


def test_nested_modules_call_order(real):
    def sc(lib, log):
        lib.manual_seed(0)
        net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 1))
        for name, mod in [("net", net), *net.named_children()]:
            mod.register_full_backward_pre_hook(lambda m, go, n=name: log.append(("pre", n)))
            mod.register_full_backward_hook(lambda m, gi, go, n=name: log.append(
                ("bw", n, tuple(None if g is None else tuple(g.shape) for g in gi))))
            mod.register_forward_pre_hook(lambda m, a, n=name: log.append(("fpre", n)))
            mod.register_forward_hook(lambda m, a, o, n=name: log.append(("fwd", n)))
        net(lib.tensor(X, requires_grad=True)).sum().backward()

    both(real, sc)


def test_no_grad_forward_sets_nothing_up(real):
    def sc(lib, log):
        m = _lin(lib)
        m.register_full_backward_hook(lambda mod, gi, go: log.append("bw"))
        with lib.no_grad():
            y = m(lib.tensor(X, requires_grad=True))
        return y.grad_fn is None, y.requires_grad

    both(real, sc)


def test_errors_like_torch(real):
    for lib in (real, torch):
        m = _lin(lib)
        m.register_full_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
            m.register_backward_hook(lambda *a: None)
        m2 = _lin(lib)
        m2.register_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Cannot use both regular backward hooks and full"):
            m2.register_full_backward_hook(lambda *a: None)
        m3 = _lin(lib)
        m3.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
        with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but "
                                               "expected 1"):
            m3(lib.tensor(X, requires_grad=True)).sum().backward()
        m4 = _lin(lib)
        m4.register_full_backward_pre_hook(lambda mod, go: (go[0], go[0]))
        with pytest.raises(RuntimeError, match="invalid number of grad_output, got 2, but "
                                               "expected 1"):
            m4(lib.tensor(X, requires_grad=True)).sum().backward()


def test_handle_remove(real):
    def sc(lib, log):
        m = _lin(lib)
        h = m.register_full_backward_hook(lambda mod, gi, go: log.append("bw"))
        h2 = m.register_full_backward_pre_hook(lambda mod, go: log.append("pre"))
        x = lib.tensor(X, requires_grad=True)
        m(x).sum().backward()
        h.remove()
        h2.remove()
        y = m(x)
        log.append(type(y.grad_fn).__name__)
        y.sum().backward()

    both(real, sc)


def test_legacy_backward_hook(real):
    def sc(lib, log):
        class Scale(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.w = lib.nn.Parameter(lib.tensor([2.0, 3.0]))

            def forward(self, x):
                return x * self.w

        m = Scale()
        m.register_backward_hook(lambda mod, gi, go: log.append(("legacy", _vs(gi), _vs(go))))
        x = lib.tensor([1.0, 4.0], requires_grad=True)
        m(x).sum().backward()
        lin = _lin(lib)  # several nodes inside: torch's FutureWarning
        lin.register_backward_hook(lambda mod, gi, go: None)
        lin(lib.tensor(X, requires_grad=True).exp()).sum().backward()
        return _v(x.grad)

    _, _, msgs = both(real, sc)
    assert any("non-full backward hook when the forward contains multiple" in m for m in msgs)


def test_global_hooks(real):
    def sc(lib, log):
        mm = lib.nn.modules.module
        hs = [
            mm.register_module_forward_pre_hook(
                lambda m, a: log.append(("gfpre", type(m).__name__))),
            mm.register_module_forward_hook(
                lambda m, a, o: log.append(("gfwd", type(m).__name__))),
            mm.register_module_forward_hook(
                lambda m, a, kw, o: log.append(("gfwd_kw", sorted(kw))), with_kwargs=True),
            mm.register_module_full_backward_pre_hook(
                lambda m, go: log.append(("gpre", type(m).__name__, _vs(go)))),
            mm.register_module_full_backward_hook(
                lambda m, gi, go: log.append(("gbw", type(m).__name__, _vs(gi)))),
        ]
        try:
            m = _lin(lib)
            m.register_forward_hook(lambda mod, a, o: log.append("local fwd"))
            m.register_full_backward_hook(lambda mod, gi, go: log.append("local bw"))
            m(lib.tensor(X, requires_grad=True)).sum().backward()
        finally:
            for h in hs:
                h.remove()
        m(lib.tensor(X, requires_grad=True)).sum().backward()

    both(real, sc)


def test_forward_hooks_kwargs_and_always_call(real):
    def sc(lib, log):
        class Scaled(lib.nn.Module):
            def forward(self, x, *, scale=1.0):
                if scale < 0:
                    raise ValueError("negative scale")
                return x * scale

        m = Scaled()

        def pre(mod, args, kwargs):
            log.append(("pre", sorted(kwargs)))
            return args, {"scale": kwargs.get("scale", 1.0) * 2}

        m.register_forward_pre_hook(pre, with_kwargs=True)
        m.register_forward_hook(lambda mod, a, kw, out: log.append(("kw", kw["scale"], _v(out))),
                                with_kwargs=True)
        m.register_forward_hook(lambda mod, a, out: log.append(("always", out is None)),
                                always_call=True)
        m.register_forward_hook(lambda mod, a, out: log.append("first"), prepend=True)
        log.append(_v(m(lib.tensor([1.0, 2.0]), scale=3.0)))
        with pytest.raises(ValueError, match="negative scale"):
            m(lib.tensor([1.0]), scale=-1.0)

    both(real, sc)


def test_state_dict_hooks(real):
    def sc(lib, log):
        m = _lin(lib)
        m.register_state_dict_pre_hook(lambda mod, prefix, keep: log.append(("sdpre", prefix,
                                                                             keep)))
        m.register_load_state_dict_pre_hook(
            lambda mod, sd, prefix, meta, strict, missing, unexpected, errs:
            log.append(("ldpre", prefix, sorted(sd), strict)))
        m._register_load_state_dict_pre_hook(
            lambda sd, prefix, *rest: log.append(("ldpre_private", prefix)))
        m.register_load_state_dict_post_hook(lambda mod, keys: log.append(("ldpost",
                                                                           list(keys[0]))))
        outer = lib.nn.Sequential(m)
        sd = outer.state_dict(keep_vars=True)
        outer.load_state_dict(sd)
        return sorted(sd)

    both(real, sc)


def test_inplace_on_hooked_outputs_and_inputs_raises(real):
    for lib in (real, torch):
        m = _lin(lib)
        m.register_full_backward_hook(lambda *a: None)
        y = m(lib.tensor(X, requires_grad=True))
        with pytest.raises(RuntimeError, match="Output 0 of BackwardHookFunction is a view and "
                                               "is being modified inplace"):
            y.add_(1)
        relu = lib.nn.ReLU(inplace=True)
        relu.register_full_backward_hook(lambda *a: None)
        with pytest.raises(RuntimeError, match="Output 0 of BackwardHookFunction is a view"):
            relu(lib.tensor(X, requires_grad=True) * 1)
        y = m(lib.tensor(X, requires_grad=True)).clone()
        y.add_(1)  # a clone is fine


def test_custom_function_returning_input_as_is_is_a_view(real):
    for lib in (real, torch):
        class Id(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        y = Id.apply(lib.ones(3, requires_grad=True) * 1)
        with pytest.raises(RuntimeError, match="Output 0 of Id is a view and is being modified"):
            y.mul_(2)
        with lib.no_grad():
            y.mul_(2)  # allowed without grad mode, as in torch
