"""PyTorch's autograd contract: the checks torch makes and the hook semantics it keeps.

Each scenario takes the module under test (``torchlike_jax`` or real ``torch``) and runs a
small torch-style script; :func:`outcome` turns what happened (a value, or an exception's class
and the start of its message, plus the warnings) into plain data, and every live test asserts
that ours equals torch's. Covered: ``.grad`` / ``.data`` / ``detach_()`` assignment checks, the
implicit gradient of a complex output, ``numpy()`` under no_grad, the scalar-conversion warning,
saved tensors detached in place or written by a pack hook, second backward through graphs torch
frees (IndexPut, CopySlices, a hook that raised midway), tensor-hook result checks, hooks on an
output no gradient reached, ``retain_grad`` on views whose ``grad_fn`` is regenerated, anomaly
mode under warnings-as-errors, and the version counter a view keeps across ``.data =``.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import torchlike_jax as tj
from torchlike_jax.core import warn_always

pytestmark = pytest.mark.torch_live

_KEY = 90  # message characters compared: torch's key phrase, not C++ build details


def _plain(r):
    """What a scenario returned, as comparable data (tensors become lists, dtypes strings)."""
    if hasattr(r, "detach") and hasattr(r, "tolist"):
        return ("tensor", r.detach().tolist())
    if isinstance(r, (list, tuple)):
        return [_plain(x) for x in r]
    if isinstance(r, np.ndarray):
        return ("ndarray", r.tolist())
    if r is None or isinstance(r, (bool, int, float, complex, str)):
        return r
    return str(r)


def _warning_texts(caught) -> list[str]:
    out = []
    for w in caught:
        msg = str(w.message)
        cut = msg.find(" (Triggered internally at ")
        out.append(f"{w.category.__name__}: {msg if cut < 0 else msg[:cut]}")
    return out


def outcome(scenario, m):
    """Run ``scenario(m)``: ('ok', value, warnings) or ('raise', class, message start, warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            r = scenario(m)
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            return ("raise", type(e).__name__, str(e)[:_KEY], _warning_texts(caught))
    return ("ok", _plain(r), _warning_texts(caught))


# ---- .grad / .data / detach_() / numpy() checks --------------------------------------------
def grad_is_self(m):
    x = m.ones(2, requires_grad=True)
    x.grad = x


def grad_is_self_plain(m):
    y = m.ones(2)
    y.grad = y


def grad_wrong_shape(m):
    m.ones(2, requires_grad=True).grad = m.ones(3)


def grad_wrong_dtype(m):
    m.ones(2, requires_grad=True).grad = m.ones(2, dtype=m.float64)


def grad_int_dtype(m):
    m.ones(2, requires_grad=True).grad = m.ones(2, dtype=m.long)


def grad_not_tensor(m):
    m.ones(2, requires_grad=True).grad = [1.0, 2.0]


def grad_alias_ok(m):
    x = m.ones(2, requires_grad=True)
    x.grad = x.detach() * 3
    return x.grad


def complex_backward(m):
    m.ones(2, dtype=m.complex64, requires_grad=True).sum().backward()


def complex_autograd_grad(m):
    a = m.ones(2, dtype=m.complex64, requires_grad=True)
    return m.autograd.grad((a * a).sum(), a)


def complex_nonscalar_backward(m):
    (m.ones(2, dtype=m.complex64, requires_grad=True) * 2).backward()


def grad_of_no_inputs(m):
    return m.autograd.grad((m.ones(2, requires_grad=True) * 2).sum(), [])


def detach_inplace_view_of_nonleaf(m):
    a = m.ones(3, requires_grad=True).clone()
    a[:1].detach_()


def detach_inplace_view_of_plain(m):
    a = m.ones(3)
    a.view(3).detach_()


def detach_inplace_no_grad_view(m):
    a = m.ones(3, requires_grad=True)
    with m.no_grad():
        v = a[1:]
    v.detach_()


def detach_inplace_alias(m):
    a = m.ones(3, requires_grad=True) * 2
    d = a.detach()
    d.detach_()
    b = a.clone()
    b.detach_()
    return (d.requires_grad, b.requires_grad, b.grad_fn, a.requires_grad)


def data_int_on_grad_leaf(m):
    a = m.ones(3, requires_grad=True)
    a.data = m.ones(3, dtype=m.long)


def data_int_on_plain(m):
    a = m.ones(3)
    a.data = m.arange(3)
    return (str(a.dtype), a)


def data_not_tensor(m):
    m.ones(3, requires_grad=True).data = 5


def data_other_float_dtype(m):
    a = m.ones(3, requires_grad=True)
    a.data = m.zeros(4, dtype=m.float64)
    return (str(a.dtype), a.shape, a.requires_grad)


def delete_data(m):
    a = m.ones(3)
    del a.data


def numpy_requires_grad(m):
    m.ones(3, requires_grad=True).numpy()


def numpy_under_no_grad(m):
    a = m.ones(3, requires_grad=True)
    with m.no_grad():
        return a.numpy()


def numpy_under_inference_mode(m):
    a = m.ones(3, requires_grad=True) * 2
    with m.inference_mode():
        return np.asarray(a)


# ---- saved tensors -------------------------------------------------------------------------
def detach_inplace_saved_nonleaf(m):
    a = m.ones(2, requires_grad=True)
    b = a * 1
    c = (b * b).sum()
    b.detach_()
    c.backward()


def detach_inplace_saved_nonleaf_grad(m):
    a = m.ones(2, requires_grad=True)
    b = a.exp()
    c = (b * a).sum()
    b.detach_()
    return m.autograd.grad(c, a)


def detach_inplace_saved_leaf(m):
    a = m.ones(2, requires_grad=True)
    c = (a * a).sum()
    a.detach_()
    c.backward()
    return (a.grad, a.requires_grad)


def detach_inplace_saved_output(m):
    a = m.ones(2, requires_grad=True)
    b = a.exp()
    c = b.sum()
    b.detach_()
    c.backward()
    return a.grad


def detach_inplace_unsaved(m):
    a = m.ones(2, requires_grad=True)
    b = a * 1
    c = (b + b).sum()
    b.detach_()
    c.backward()
    return a.grad


def pack_hook_writes_leaf(m):
    a = m.ones(2, requires_grad=True)

    def pack(t):
        t.add_(1)
        return t

    try:
        with m.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            (a * a).sum()
    except RuntimeError as e:
        return (str(e), a, a._version)


def pack_hook_writes_nonleaf(m):
    a = m.ones(2, requires_grad=True)
    b = a * 3

    def pack(t):
        t.mul_(2)
        return t

    with m.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        b.sin()


def pack_hook_writes_a_copy(m):
    a = m.ones(2, requires_grad=True)
    with m.autograd.graph.saved_tensors_hooks(lambda t: t.clone().add_(1), lambda t: t):
        c = (a * a).sum()
    c.backward()
    return a.grad


def disabled_then_hooks(m):
    with m.autograd.graph.disable_saved_tensors_hooks("saving is off here"):
        with m.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass


def hooks_then_disabled(m):
    with m.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        with m.autograd.graph.disable_saved_tensors_hooks("no hooks inside"):
            pass


def nested_disable_keeps_outer_message(m):
    with m.autograd.graph.disable_saved_tensors_hooks("outer message"):
        with m.autograd.graph.disable_saved_tensors_hooks("inner message"):
            pass
        with m.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass


def hooks_work_after_disable_exits(m):
    with m.autograd.graph.disable_saved_tensors_hooks("off"):
        pass
    seen = []
    a = m.ones(2, requires_grad=True)
    with m.autograd.graph.saved_tensors_hooks(lambda t: seen.append(1) or t, lambda t: t):
        c = (a * a).sum()
    c.backward()
    return (a.grad, len(seen))


# ---- graphs freed by backward --------------------------------------------------------------
def second_backward_index_put(m):
    x = m.ones(3, requires_grad=True)
    y = x.clone()
    y[m.tensor([0])] = 5.0
    s = y.sum()
    s.backward()
    s.backward()


def second_backward_setitem_int(m):
    x = m.ones(3, requires_grad=True)
    y = x.clone()
    y[1] = m.tensor(5.0)
    s = y.sum()
    s.backward()
    s.backward()


def second_backward_copyslices_of_view(m):
    x = m.ones(4, requires_grad=True)
    y = x.clone()
    y[:2].add_(3)
    s = y.sum()
    s.backward()
    s.backward()


def index_put_retained_twice(m):
    x = m.ones(3, requires_grad=True)
    y = x.clone()
    y[m.tensor([0])] = 5.0
    s = (y * y).sum()
    s.backward(retain_graph=True)
    s.backward()
    return x.grad


def leaf_hook_raises_then_backward(m):
    a = m.ones(2, requires_grad=True)
    y = (a * a).sum()

    def h(g):
        raise ValueError("boom")

    a.register_hook(h)
    try:
        y.backward()
    except ValueError:
        pass
    y.backward()


def inner_hook_raises_then_backward(m):
    a = m.ones(2, requires_grad=True)
    b = a * a
    s = (b * b).sum()

    def h(g):
        raise ValueError("boom")

    b.register_hook(h)
    try:
        s.backward()
    except ValueError:
        pass
    s.backward()


def hook_raises_once_with_retain_graph(m):
    a = m.ones(2, requires_grad=True)
    b = a * a
    s = (b * b).sum()
    state = {"raise": True}

    def h(g):
        if state.pop("raise", False):
            raise ValueError("once")

    b.register_hook(h)
    try:
        s.backward(retain_graph=True)
    except ValueError:
        pass
    s.backward()
    return a.grad


# ---- tensor hooks: what they may return, when they are called --------------------------------
def hook_changes_size(m):
    a = m.ones(2, requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: m.ones(3))
    b.sum().backward()


def leaf_hook_changes_size(m):
    a = m.ones(2, requires_grad=True)

    def widen(g):
        return m.ones(3)

    a.register_hook(widen)
    (a * 2).sum().backward()


def hook_changes_size_create_graph(m):
    a = m.ones(2, requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: m.ones(1, 2))
    m.autograd.grad(b.sum(), a, create_graph=True)


def hook_changes_dtype(m):
    a = m.ones(2, requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g.double())
    b.sum().backward()


def hook_returns_int(m):
    a = m.ones(2, requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: 3)
    b.sum().backward()


def leaf_hook_returns_str(m):
    a = m.ones(2, requires_grad=True)
    a.register_hook(lambda g: "grad")
    (a * 2).sum().backward()


def hook_returns_scaled(m):
    a = m.ones(2, requires_grad=True)
    b = a * 2
    b.register_hook(lambda g: g * 10)
    b.register_hook(lambda g: g + 1)
    b.sum().backward()
    return a.grad


def hook_on_unreached_split_output(m):
    a = m.ones(4, requires_grad=True)
    x, y = a.split(2)
    calls = []
    x.register_hook(lambda g: calls.append(g))
    y.sum().backward()
    return (calls, a.grad)


def hook_on_unreached_unbind_output(m):
    a = m.ones(3, requires_grad=True)
    x, y, _ = a.unbind(0)
    calls = []
    x.register_hook(lambda g: calls.append(g))
    (y * 2).backward()
    return calls


def hook_fills_unreached_output(m):
    a = m.ones(4, requires_grad=True)
    x, y = a.split(2)
    x.register_hook(lambda g: m.ones(2))
    y.sum().backward()


def retain_grad_on_unreached_output(m):
    a = m.ones(4, requires_grad=True)
    x, y = a.split(2)
    x.retain_grad()
    y.sum().backward()
    return (x.grad, a.grad)


def node_prehook_sees_none(m):
    a = m.ones(4, requires_grad=True)
    x, y = a.split(2)
    seen = []
    x.grad_fn.register_prehook(lambda gs: seen.append(gs))
    (y * 3).sum().backward()
    return seen


def node_posthook_sees_none(m):
    a = m.ones(4, requires_grad=True)
    x, y = a.split(2)
    seen = []
    x.grad_fn.register_hook(lambda gi, go: seen.append((gi, go)))
    y.sum().backward()
    return seen


def retain_grad_view_sibling_write(m):
    a = m.ones(4, requires_grad=True).clone()
    v, w = a[:2], a[2:]
    v.retain_grad()
    w.mul_(2)
    (v.sum() * 3 + w.sum()).backward()
    return (v.grad, v.retains_grad)


def retain_grad_view_own_write(m):
    a = m.ones(4, requires_grad=True).clone()
    v = a[:2]
    v.retain_grad()
    v.mul_(3)
    (v * 2).sum().backward()
    return v.grad


# ---- anomaly mode under warnings-as-errors ----------------------------------------------------
def anomaly_context_with_warnings_as_errors(m):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = m.ones(2, requires_grad=True)
        with m.autograd.detect_anomaly():
            (a * 2).sum().backward()
    return a.grad


def anomaly_setter_with_warnings_as_errors(m):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m.autograd.set_detect_anomaly(True)
        try:
            a = m.ones(2, requires_grad=True)
            (a.sqrt() * 2).sum().backward()
        finally:
            m.autograd.set_detect_anomaly(False)
    return a.grad


# ---- version counters and saved tensors' identity ---------------------------------------------
def view_data_keeps_base_counter(m):
    a = m.ones(3)
    v = a[:2]
    a.add_(1)
    seen = [a._version, v._version]
    v.data = m.zeros(2)
    v.add_(1)
    seen += [a._version, v._version, a, v]
    a.add_(1)
    seen += [a._version, v._version, a, v]
    return seen


def view_data_sibling_counter(m):
    a = m.ones(3)
    v, w = a[:2], a[1:]
    v.data = m.zeros(2)
    w.add_(1)
    return [a._version, v._version, w._version, v]


def data_keeps_own_counter(m):
    a = m.ones(3)
    a.add_(1)
    a.add_(1)
    a.data = m.zeros(3)
    seen = [a._version]
    a.add_(1)
    return seen + [a._version, a]


def saved_split_output_keeps_output_nr(m):
    class Add(m.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(y)
            return x + y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            seen.append((y.output_nr, y.grad_fn.name(), y.requires_grad))
            return g, g

    seen = []
    a = m.ones(2, requires_grad=True)
    p, q = a.split(1)
    Add.apply(p, q).sum().backward()
    return seen


def saved_own_output_keeps_output_nr(m):
    class Two(m.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            first, second = x * 1, x * 2
            ctx.save_for_backward(second)
            return first, second

        @staticmethod
        def backward(ctx, ga, gb):
            (second,) = ctx.saved_tensors
            seen.append((second.output_nr, second.grad_fn.name()))
            return ga + 2 * gb

    seen = []
    x = m.ones(2, requires_grad=True)
    first, second = Two.apply(x)
    (first + second).sum().backward()
    return (seen, x.grad)


SCENARIOS = [
    grad_is_self, grad_is_self_plain, grad_wrong_shape, grad_wrong_dtype, grad_int_dtype,
    grad_not_tensor, grad_alias_ok, complex_backward, complex_autograd_grad,
    complex_nonscalar_backward, grad_of_no_inputs, detach_inplace_view_of_nonleaf,
    detach_inplace_view_of_plain, detach_inplace_no_grad_view, detach_inplace_alias,
    data_int_on_grad_leaf, data_int_on_plain, data_not_tensor, data_other_float_dtype,
    delete_data, numpy_requires_grad, numpy_under_no_grad, numpy_under_inference_mode,
    detach_inplace_saved_nonleaf, detach_inplace_saved_nonleaf_grad, detach_inplace_saved_leaf,
    detach_inplace_saved_output, detach_inplace_unsaved, pack_hook_writes_leaf,
    pack_hook_writes_nonleaf, pack_hook_writes_a_copy, disabled_then_hooks, hooks_then_disabled,
    nested_disable_keeps_outer_message, hooks_work_after_disable_exits,
    second_backward_index_put, second_backward_setitem_int, second_backward_copyslices_of_view,
    index_put_retained_twice, leaf_hook_raises_then_backward, inner_hook_raises_then_backward,
    hook_raises_once_with_retain_graph, hook_changes_size, leaf_hook_changes_size,
    hook_changes_size_create_graph, hook_changes_dtype, hook_returns_int, leaf_hook_returns_str,
    hook_returns_scaled, hook_on_unreached_split_output, hook_on_unreached_unbind_output,
    hook_fills_unreached_output, retain_grad_on_unreached_output, node_prehook_sees_none,
    node_posthook_sees_none, retain_grad_view_sibling_write, retain_grad_view_own_write,
    anomaly_context_with_warnings_as_errors, anomaly_setter_with_warnings_as_errors,
    view_data_keeps_base_counter, view_data_sibling_counter, data_keeps_own_counter,
    saved_split_output_keeps_output_nr, saved_own_output_keeps_output_nr,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_matches_torch(scenario, real):
    assert outcome(scenario, tj) == outcome(scenario, real)


def test_scenarios_exercise_both_outcomes(real):
    """The list holds errors and successes alike (a guard against scenarios that never run)."""
    kinds = {outcome(s, tj)[0] for s in SCENARIOS}
    assert kinds == {"ok", "raise"}


# ---- the scalar-conversion warning (torch gives it once per process) -------------------------
def _conversions(m):
    def convert(kind, t):
        if kind == "float":
            return float(t)
        if kind == "complex":
            return complex(t)
        if kind == "int":
            return int(t)
        if kind == "item":
            return t.item()
        if kind == "bool":
            return bool(t)
        return t.tolist()

    return convert


@pytest.fixture
def warn_every_time(real, monkeypatch):
    """Both libraries warn on every conversion: torch through ``set_warn_always``, ours by
    forgetting that it already warned."""
    prev = real.is_warn_always_enabled()
    real.set_warn_always(True)
    monkeypatch.setattr(warn_always, "_warned", set())
    yield
    real.set_warn_always(prev)


@pytest.mark.parametrize("kind", ["float", "complex", "int", "item", "bool", "tolist"])
@pytest.mark.parametrize("how", ["leaf", "nonleaf", "0-d", "no_grad", "plain"])
def test_scalar_conversion_warning(kind, how, real, warn_every_time, monkeypatch):
    def scenario(m):
        if how == "plain":
            t = m.ones(1)
        elif how == "0-d":
            t = m.ones((), requires_grad=True)
        elif how == "nonleaf":
            t = m.ones(1, 1, requires_grad=True) * 2
        else:
            t = m.ones(1, requires_grad=True)
        if how == "no_grad":
            with m.no_grad():
                return _conversions(m)(kind, t)
        return _conversions(m)(kind, t)

    monkeypatch.setattr(warn_always, "_warned", set())
    assert outcome(scenario, tj) == outcome(scenario, real)


_TWICE = """
import warnings, sys
mod = __import__(sys.argv[1])
t = mod.ones(1, requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    float(t); float(t * 2); complex(t)
print(len(caught))
"""


def test_scalar_conversion_warns_once_per_process(real):
    """torch's TORCH_WARN_ONCE: three conversions in a fresh process, one warning."""
    def count(module: str) -> str:
        done = subprocess.run([sys.executable, "-c", _TWICE, module], capture_output=True,
                              text=True, timeout=120, check=True)
        return done.stdout.strip()

    assert count("torchlike_jax") == count("torch") == "1"
