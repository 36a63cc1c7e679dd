"""Tests for torchlike_jax.autograd.grad_mode.

Scenario functions take the module under test (``gm`` or real ``torch``: both expose
``no_grad``, ``enable_grad``, ``set_grad_enabled``, ``inference_mode``, ``is_grad_enabled`` and
``is_inference_mode_enabled`` at top level) and return what they observed, so the differential
tests can run the very same code on both and compare.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import inspect
import threading
import warnings

import pytest

from torchlike_jax.core import grad_mode as gm

DEFAULT = gm.GradMode(grad_enabled=True, inference_mode=False)


@pytest.fixture(autouse=True)
def _clean_state():
    gm._local.grad_enabled = True
    gm._local.inference_mode = False
    yield
    leaked = gm.get_grad_mode()
    gm._local.grad_enabled = True
    gm._local.inference_mode = False
    assert leaked == DEFAULT, "test left grad mode changed"


def state(m=gm) -> tuple[bool, bool]:
    return (m.is_grad_enabled(), m.is_inference_mode_enabled())


def run_both(scenario):
    """Run ``scenario`` on gm and on real torch; return both results."""
    torch = pytest.importorskip("torch")
    ours = scenario(gm)
    try:
        theirs = scenario(torch)
    finally:
        leaked = state(torch)
        torch.set_grad_enabled(True)
    assert leaked == (True, False), "scenario left torch's grad mode changed"
    return ours, theirs


# ---- basic state ----------------------------------------------------------------------------


def test_defaults_and_local_layout():
    assert gm.is_grad_enabled() is True
    assert gm.is_inference_mode_enabled() is False
    assert isinstance(gm._local, threading.local)
    assert type(gm._local).grad_enabled is True
    assert type(gm._local).inference_mode is False
    gm._local.grad_enabled = False
    assert gm.is_grad_enabled() is False
    gm._local.grad_enabled = True


def test_public_names():
    assert set(gm.__all__) == {
        "GradMode", "enable_grad", "get_grad_mode", "inference_mode", "is_grad_enabled",
        "is_inference_mode_enabled", "no_grad", "set_grad_enabled",
    }
    for name in gm.__all__:
        assert hasattr(gm, name)


def test_module_has_no_torch_or_package_imports():
    src = inspect.getsource(gm)
    assert "import torch" not in src
    assert "torchlike_jax import" not in src and "from ." not in src


# ---- context managers -----------------------------------------------------------------------


def test_no_grad_and_enable_grad_nest():
    with gm.no_grad():
        assert state() == (False, False)
        with gm.enable_grad():
            assert state() == (True, False)
            with gm.no_grad():
                assert state() == (False, False)
            assert state() == (True, False)
        assert state() == (False, False)
        with gm.no_grad():
            assert state() == (False, False)
        assert state() == (False, False)
    assert state() == (True, False)


def test_enter_returns_none():
    for cm in (gm.no_grad(), gm.enable_grad(), gm.inference_mode(), gm.inference_mode(False)):
        with cm as value:
            assert value is None
    s = gm.set_grad_enabled(False)
    with s as value:
        assert value is None
    assert gm.is_grad_enabled()


@pytest.mark.parametrize(
    "make",
    [gm.no_grad, gm.enable_grad, lambda: gm.set_grad_enabled(False), gm.inference_mode,
     lambda: gm.inference_mode(False)],
)
@pytest.mark.parametrize("outer", [True, False])
def test_exception_inside_context_restores_mode(make, outer):
    gm._local.grad_enabled = outer
    before = gm.get_grad_mode()
    with pytest.raises(KeyError):
        with make():
            raise KeyError("boom")
    assert gm.get_grad_mode() == before
    gm._local.grad_enabled = True


def test_reusing_one_instance_nested_restores_correctly():
    # Extension: torch keeps a single ``prev`` and leaves grad disabled here.
    ng = gm.no_grad()
    with ng:
        with ng:
            assert not gm.is_grad_enabled()
        assert not gm.is_grad_enabled()
    assert gm.is_grad_enabled()
    im = gm.inference_mode()
    with im:
        with im:
            pass
        assert state() == (False, True)
    assert state() == (True, False)


# ---- set_grad_enabled -----------------------------------------------------------------------


def _set_grad_enabled_scenario(m):
    seen = []
    s = m.set_grad_enabled(False)
    seen.append(("constructed", state(m)))
    with s:
        seen.append(("inside", state(m)))
    seen.append(("after", state(m)))
    m.set_grad_enabled(False)
    seen.append(("plain call", state(m)))
    m.set_grad_enabled(True)
    with m.no_grad():
        s2 = m.set_grad_enabled(True)
        seen.append(("constructed in no_grad", state(m)))
    seen.append(("after no_grad", state(m)))
    with s2:
        seen.append(("reused", state(m)))
    # Exit restores the mode current at construction, not at __enter__.
    seen.append(("after reused", state(m)))
    m.set_grad_enabled(True)
    with m.set_grad_enabled(False):
        with m.set_grad_enabled(True):
            seen.append(("nested", state(m)))
        seen.append(("nested exit", state(m)))
    seen.append(("nested done", state(m)))
    c = m.set_grad_enabled(True).clone()
    seen.append(("clone of True", c.mode, state(m)))
    c2 = s.clone()
    seen.append(("clone of False flips", c2.mode, state(m)))
    m.set_grad_enabled(True)
    seen.append(("repr", repr(s).rsplit(".", 1)[1], str(s).rsplit(".", 1)[1]))
    return seen


def test_set_grad_enabled_semantics():
    seen = dict((k, v) for k, *v in _set_grad_enabled_scenario(gm))
    assert seen["constructed"] == [(False, False)]
    assert seen["inside"] == [(False, False)]
    assert seen["after"] == [(True, False)]
    assert seen["plain call"] == [(False, False)]
    assert seen["reused"] == [(True, False)]
    assert seen["after reused"] == [(False, False)]
    assert seen["nested"] == [(True, False)]
    assert seen["nested exit"] == [(False, False)]
    assert seen["nested done"] == [(True, False)]
    assert seen["clone of False flips"] == [False, (False, False)]
    assert seen["repr"] == ["set_grad_enabled(mode=False)", "set_grad_enabled(mode=False)"]
    assert repr(gm.set_grad_enabled(True)) == (
        "torchlike_jax.autograd.grad_mode.set_grad_enabled(mode=True)"
    )


def test_set_grad_enabled_matches_torch():
    ours, theirs = run_both(_set_grad_enabled_scenario)
    assert ours == theirs


def _set_grad_enabled_decorator_scenario(m):
    seen = []

    @m.set_grad_enabled(False)
    def f(x):
        return x, state(m)

    seen.append(("after decorating", state(m)))
    seen.append(("call", f(1), state(m)))
    with m.no_grad():

        @m.set_grad_enabled(True)
        def g():
            return state(m)

        seen.append(("decorated in no_grad", state(m)))
        seen.append(("call g", g(), state(m)))
    seen.append(("name", f.__name__))
    return seen


def test_set_grad_enabled_decorator_does_not_flip_at_decoration():
    seen = _set_grad_enabled_decorator_scenario(gm)
    assert seen == [
        ("after decorating", (True, False)),
        ("call", (1, (False, False)), (True, False)),
        ("decorated in no_grad", (False, False)),
        ("call g", (True, False), (False, False)),
        ("name", "f"),
    ]
    ours, theirs = run_both(_set_grad_enabled_decorator_scenario)
    assert ours == theirs


BAD_MODES = [1, 0, None, "x", 1.0, [True]]


@pytest.mark.parametrize("bad", BAD_MODES)
def test_set_grad_enabled_rejects_non_bool(bad):
    with pytest.raises(TypeError, match="must be bool, not"):
        gm.set_grad_enabled(bad)
    assert state() == (True, False)
    with gm.no_grad():
        with pytest.raises(TypeError):
            gm.set_grad_enabled(bad)
        assert state() == (False, False)


def test_set_grad_enabled_type_error_matches_torch():
    np = pytest.importorskip("numpy")

    def scenario(m):
        msgs = []
        for bad in BAD_MODES + [np.bool_(True)]:
            try:
                m.set_grad_enabled(bad)
            except TypeError as e:
                msgs.append((str(e), state(m)))
            else:
                msgs.append(("no error", state(m)))
        return msgs

    ours, theirs = run_both(scenario)
    assert ours == theirs
    assert ours[0][0] == "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not int"


# ---- decorators -----------------------------------------------------------------------------


def _decorator_forms_scenario(m):
    seen = []

    @m.no_grad
    def bare_off():
        """doc"""
        return state(m)

    @m.no_grad()
    def called_off():
        return state(m)

    @m.enable_grad
    def bare_on():
        return state(m)

    @m.enable_grad()
    def called_on():
        return state(m)

    @m.inference_mode
    def bare_inf():
        return state(m)

    @m.inference_mode()
    def called_inf():
        return state(m)

    @m.inference_mode(False)
    def inf_off():
        return state(m)

    fns = [bare_off, called_off, bare_on, called_on, bare_inf, called_inf, inf_off]
    for fn in fns:
        seen.append((fn.__name__, fn(), state(m)))
        with m.no_grad():
            seen.append((fn.__name__, "in no_grad", fn(), state(m)))
        with m.inference_mode():
            seen.append((fn.__name__, "in inference", fn(), state(m)))
    seen.append(bare_off.__doc__)
    seen.append(m.no_grad(lambda: state(m))())
    return seen


def test_decorator_forms():
    seen = _decorator_forms_scenario(gm)
    assert ("bare_off", (False, False), (True, False)) in seen
    assert ("bare_on", "in no_grad", (True, False), (False, False)) in seen
    assert ("bare_inf", (False, True), (True, False)) in seen
    assert ("inf_off", "in inference", (True, False), (False, True)) in seen
    assert ("called_on", "in inference", (True, True), (False, True)) in seen
    assert "doc" in seen


def test_decorator_forms_match_torch():
    ours, theirs = run_both(_decorator_forms_scenario)
    assert ours == theirs


def test_wraps_preserves_metadata():
    def f(a, b=2):
        """Docstring of f."""
        return a + b

    for deco in (gm.no_grad, gm.no_grad(), gm.enable_grad, gm.inference_mode,
                 gm.inference_mode(False)):
        w = deco(f)
        assert w.__name__ == "f"
        assert w.__doc__ == "Docstring of f."
        assert w.__wrapped__ is f
        assert inspect.signature(w) == inspect.signature(f)
        assert w(1, b=3) == 4
    w = gm.set_grad_enabled(False)(f)
    assert w.__name__ == "f" and w(1) == 3


def test_decorated_call_exception_restores_mode():
    @gm.no_grad()
    def boom():
        assert not gm.is_grad_enabled()
        raise ValueError("x")

    with pytest.raises(ValueError):
        boom()
    assert gm.is_grad_enabled()


def test_each_decorated_call_gets_fresh_context_and_recursion_works():
    @gm.no_grad
    def rec(n):
        assert not gm.is_grad_enabled()
        if n:
            with gm.enable_grad():
                assert gm.is_grad_enabled()
                rec(n - 1)
                assert gm.is_grad_enabled()
            assert not gm.is_grad_enabled()
        return n

    assert rec(3) == 3
    assert gm.is_grad_enabled()


def test_inference_mode_non_bool_is_decorated():
    # torch: a non-bool mode is taken as the function to decorate.
    w = gm.inference_mode(len)
    assert w([1, 2]) == 2
    with pytest.raises(TypeError):
        gm.inference_mode(1)()


def test_clone():
    for cm in (gm.no_grad(), gm.enable_grad(), gm.inference_mode(), gm.inference_mode(False)):
        c = cm.clone()
        assert type(c) is type(cm) and c is not cm
        assert getattr(c, "mode", None) == getattr(cm, "mode", None)
    assert state() == (True, False)


# ---- methods --------------------------------------------------------------------------------


def _methods_scenario(m):
    class K:
        @m.no_grad()
        def method(self, x):
            return self, x, state(m)

        @staticmethod
        @m.no_grad
        def static(x):
            return x, state(m)

        @classmethod
        @m.inference_mode()
        def klass(cls, x):
            return cls, x, state(m)

    k = K()
    return [
        k.method(1) == (k, 1, (False, False)),
        K.method(k, 2) == (k, 2, (False, False)),
        K.static(3),
        k.static(4),
        K.klass(5) == (K, 5, (False, True)),
        k.klass(6) == (K, 6, (False, True)),
        state(m),
    ]


def test_methods():
    assert _methods_scenario(gm) == [
        True, True, (3, (False, False)), (4, (False, False)), True, True, (True, False)
    ]
    ours, theirs = run_both(_methods_scenario)
    assert ours == theirs


def test_decorating_staticmethod_and_classmethod_objects():
    # Extension: torch's wrapper breaks these (instance call of the static, any classmethod).
    class K:
        @gm.no_grad()
        @staticmethod
        def static(x):
            return x, state()

        @gm.enable_grad
        @classmethod
        def klass(cls, x):
            return cls, x, state()

    with gm.no_grad():
        assert K.static(1) == (1, (False, False))
        assert K().static(2) == (2, (False, False))
        assert K.klass(3) == (K, 3, (True, False))
        assert K().klass(4) == (K, 4, (True, False))
    assert isinstance(K.__dict__["static"], staticmethod)
    assert isinstance(K.__dict__["klass"], classmethod)


def _class_decoration_scenario(m):
    class C:
        def __init__(self, x):
            self.x = x
            self.state = state(m)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        D = m.no_grad(C)
    obj = D(7)
    return [w.category for w in caught], type(obj) is C, obj.x, obj.state, state(m)


def test_class_decoration_warns_and_wraps_constructor():
    ours = _class_decoration_scenario(gm)
    assert ours == ([FutureWarning], True, 7, (False, False), (True, False))
    assert run_both(_class_decoration_scenario)[1] == ours


# ---- inference mode -------------------------------------------------------------------------


def _inference_table(m):
    outers = {
        "plain": contextlib.nullcontext,
        "no_grad": m.no_grad,
        "enable_grad": m.enable_grad,
        "set_grad_enabled(False)": lambda: m.set_grad_enabled(False),
        "inference": m.inference_mode,
        "inference(False)": lambda: m.inference_mode(False),
    }
    rows = []
    for name, outer in outers.items():
        for mode in (True, False):
            row = [name, mode]
            with outer():
                row.append(state(m))
                with m.inference_mode(mode):
                    row.append(state(m))
                    with m.inference_mode(not mode):
                        row.append(state(m))
                    with m.no_grad():
                        row.append(state(m))
                    with m.enable_grad():
                        row.append(state(m))
                    with m.set_grad_enabled(True):
                        row.append(state(m))
                    with m.inference_mode(mode):
                        row.append(state(m))
                    row.append(state(m))
                row.append(state(m))
            row.append(state(m))
            rows.append(row)
    return rows


def test_inference_mode_semantics():
    with gm.inference_mode():
        assert state() == (False, True)
        with gm.inference_mode(False):
            assert state() == (True, False)
        with gm.enable_grad():
            assert state() == (True, True)
        assert state() == (False, True)
    assert state() == (True, False)
    # inference_mode(False) enables grad even inside no_grad, as torch does.
    with gm.no_grad():
        with gm.inference_mode(False):
            assert state() == (True, False)
        assert state() == (False, False)
    rows = {(r[0], r[1]): r[2:] for r in _inference_table(gm)}
    assert rows[("no_grad", True)] == [
        (False, False), (False, True), (True, False), (False, True), (True, True), (True, True),
        (False, True), (False, True), (False, False), (True, False),
    ]


def test_inference_mode_table_matches_torch():
    ours, theirs = run_both(_inference_table)
    assert ours == theirs


def test_inference_mode_repr_and_mode_attr():
    assert gm.inference_mode().mode is True
    assert gm.inference_mode(False).mode is False
    assert "inference_mode" in repr(gm.inference_mode())
    assert "no_grad" in repr(gm.no_grad()) and "enable_grad" in repr(gm.enable_grad())


# ---- threads --------------------------------------------------------------------------------


def _thread_scenario(m):
    seen = []

    def worker(tag):
        seen.append((tag, "start", state(m)))
        m.set_grad_enabled(False)  # plain call, deliberately never undone
        seen.append((tag, "set", state(m)))

    for tag, ctx in [("no_grad", m.no_grad), ("inference", m.inference_mode)]:
        with ctx():
            before = state(m)
            t = threading.Thread(target=worker, args=(tag,))
            t.start()
            t.join()
            seen.append((tag, "main unchanged", state(m) == before))
    seen.append(("main after", state(m)))
    return seen


def test_threads_start_fresh_and_do_not_leak():
    assert _thread_scenario(gm) == [
        ("no_grad", "start", (True, False)),
        ("no_grad", "set", (False, False)),
        ("no_grad", "main unchanged", True),
        ("inference", "start", (True, False)),
        ("inference", "set", (False, False)),
        ("inference", "main unchanged", True),
        ("main after", (True, False)),
    ]
    ours, theirs = run_both(_thread_scenario)
    assert ours == theirs


def test_threads_interleaved_contexts_are_independent():
    barrier = threading.Barrier(2)
    results = {}

    def worker(name, ctx, expected):
        ok = []
        with ctx():
            for _ in range(3):
                barrier.wait()
                ok.append(state() == expected)
        barrier.wait()
        ok.append(state() == (True, False))
        results[name] = ok

    threads = [
        threading.Thread(target=worker, args=("off", gm.no_grad, (False, False))),
        threading.Thread(target=worker, args=("inf", gm.inference_mode, (False, True))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"off": [True] * 4, "inf": [True] * 4}


# ---- generators -----------------------------------------------------------------------------


def _generator_scenario(m):
    seen = []

    @m.enable_grad()
    def gen(n):
        """gen doc"""
        seen.append(("gen start", state(m)))
        try:
            got = yield 1
            seen.append(("gen got", got, state(m)))
            try:
                yield 2
            except ValueError as e:
                seen.append(("gen caught", str(e), state(m)))
            for i in range(n):
                got = yield 10 + i
                seen.append(("gen loop", got, state(m)))
            return "done"
        finally:
            seen.append(("gen finally", state(m)))

    g = gen(1)
    seen.append(("caller", state(m)))
    with m.no_grad():
        seen.append(("next", next(g), state(m)))
        seen.append(("send", g.send("a"), state(m)))
    seen.append(("throw", g.throw(ValueError("v")), state(m)))
    with m.no_grad():
        try:
            g.send("b")
        except StopIteration as stop:
            seen.append(("stop", stop.value, state(m)))
    seen.append(("doc", gen.__name__, gen.__doc__))

    g2 = gen(5)
    with m.no_grad():
        next(g2)
        g2.send("c")
        g2.close()
        seen.append(("closed", state(m)))
    g3 = gen(5)
    next(g3)
    with m.no_grad():
        with contextlib.suppress(KeyError):
            g3.throw(KeyError("k"))
        seen.append(("after uncaught throw", state(m)))

    @m.no_grad
    def delegating():
        seen.append(("delegating", state(m)))
        result = yield from gen(0)
        seen.append(("delegated result", result, state(m)))

    with m.enable_grad():
        seen.append(("list", list(delegating()), state(m)))
    return seen


def test_generators_keep_mode_on_every_resume():
    seen = _generator_scenario(gm)
    assert seen[:12] == [
        ("caller", (True, False)),
        ("gen start", (True, False)),
        ("next", 1, (False, False)),
        ("gen got", "a", (True, False)),
        ("send", 2, (False, False)),
        ("gen caught", "v", (True, False)),
        ("throw", 10, (True, False)),
        ("gen loop", "b", (True, False)),
        ("gen finally", (True, False)),
        ("stop", "done", (False, False)),
        ("doc", "gen", "gen doc"),
        ("gen start", (True, False)),
    ]
    assert ("gen finally", (True, False)) in seen[12:]
    assert ("closed", (False, False)) in seen
    assert ("after uncaught throw", (False, False)) in seen
    assert ("delegated result", "done", (False, False)) in seen
    assert ("list", [1, 2], (True, False)) in seen
    assert inspect.isgeneratorfunction(gm.no_grad(lambda: (yield)))


def test_generators_match_torch():
    ours, theirs = run_both(_generator_scenario)
    assert ours == theirs


def test_two_generators_interleaved():
    @gm.no_grad
    def off():
        while True:
            yield state()

    @gm.inference_mode()
    def inf():
        while True:
            yield state()

    pairs = [(a, b, state()) for a, b, _ in zip(off(), inf(), range(3), strict=False)]
    assert pairs == [((False, False), (False, True), (True, False))] * 3


# ---- coroutines -----------------------------------------------------------------------------


def _record(log, name):
    log.append((name, gm.is_grad_enabled(), gm.is_inference_mode_enabled()))


def _coroutines(log):
    @gm.no_grad
    async def off(n):
        """off doc"""
        for _ in range(n):
            _record(log, "off")
            await asyncio.sleep(0)
        _record(log, "off")
        return "off"

    @gm.enable_grad()
    async def on(n):
        loop = asyncio.get_running_loop()
        for i in range(n):
            _record(log, "on")
            fut = loop.create_future()
            loop.call_soon(fut.set_result, i)
            assert await fut == i
        _record(log, "on")
        return "on"

    @gm.inference_mode
    async def inf(n):
        for _ in range(n):
            _record(log, "inf")
            await asyncio.sleep(0)
        _record(log, "inf")
        return "inf"

    async def plain(n):
        for _ in range(n):
            _record(log, "plain")
            await asyncio.sleep(0)
        _record(log, "plain")
        return "plain"

    return off, on, inf, plain


@pytest.mark.parametrize("base", [True, False])
def test_coroutines_keep_mode_across_awaits(base):
    log = []
    off, on, inf, plain = _coroutines(log)
    assert inspect.iscoroutinefunction(off) and off.__name__ == "off"
    assert off.__doc__ == "off doc"

    async def main():
        return await asyncio.gather(off(3), on(3), inf(3), plain(3))

    gm._local.grad_enabled = base
    assert asyncio.run(main()) == ["off", "on", "inf", "plain"]
    assert state() == (base, False)
    gm._local.grad_enabled = True

    expected = {
        "off": (False, False), "on": (True, False), "inf": (False, True), "plain": (base, False)
    }
    assert len(log) == 16
    for name, grad, inference in log:
        assert (grad, inference) == expected[name], name
    # The tasks really did interleave.
    assert [name for name, *_ in log[:4]] == ["off", "on", "inf", "plain"]


def test_coroutine_driven_by_hand_send_throw_close():
    seen = []

    @gm.no_grad()
    async def body():
        try:
            seen.append(("start", state()))
            try:
                await asyncio.sleep(0)
            except ValueError:
                seen.append(("caught", state()))
            await asyncio.sleep(0)
            seen.append(("unreachable", state()))
        finally:
            seen.append(("finally", state()))

    c = body()
    assert c.send(None) is None
    assert state() == (True, False)
    c.throw(ValueError())
    assert state() == (True, False)
    with gm.inference_mode():
        c.close()
        assert state() == (False, True)
    # no_grad only switches grad: the caller's inference mode shows through at close.
    assert seen == [("start", (False, False)), ("caught", (False, False)),
                    ("finally", (False, True))]


def test_coroutine_exception_and_cancellation_restore_mode():
    seen = []

    @gm.no_grad
    async def fails():
        await asyncio.sleep(0)
        seen.append(("fails", state()))
        raise RuntimeError("nope")

    @gm.inference_mode()
    async def sleeper():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen.append(("cancelled", state()))
            raise

    async def main():
        task = asyncio.ensure_future(sleeper())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        seen.append(("main", state()))
        with pytest.raises(RuntimeError, match="nope"):
            await fails()
        seen.append(("main", state()))

    asyncio.run(main())
    assert seen == [("cancelled", (False, True)), ("main", (True, False)),
                    ("fails", (False, False)), ("main", (True, False))]


def test_coroutine_method():
    class K:
        @gm.no_grad
        async def m(self, x):
            await asyncio.sleep(0)
            return self, x, state()

    k = K()
    assert asyncio.run(k.m(1)) == (k, 1, (False, False))


def test_coroutines_differ_from_torch_on_purpose():
    # torch only wraps coroutine *creation*, so the body runs in the caller's mode.
    torch = pytest.importorskip("torch")

    def make(m):
        @m.no_grad
        async def f():
            return m.is_grad_enabled()

        return f

    assert asyncio.run(make(torch)()) is True
    assert asyncio.run(make(gm)()) is False


# ---- snapshot -------------------------------------------------------------------------------


def test_get_grad_mode_snapshot():
    snap = gm.get_grad_mode()
    assert snap == gm.GradMode(grad_enabled=True, inference_mode=False)
    assert bool(snap) is True
    assert repr(snap) == "GradMode(grad_enabled=True, inference_mode=False)"
    with gm.no_grad():
        off = gm.get_grad_mode()
    assert bool(off) is False
    assert repr(off) == "GradMode(grad_enabled=False, inference_mode=False)"
    with gm.inference_mode():
        inf = gm.get_grad_mode()
        with gm.enable_grad():
            both = gm.get_grad_mode()
    assert repr(inf) == "GradMode(grad_enabled=False, inference_mode=True)"
    assert not inf and both and both.inference_mode
    # A snapshot does not follow later changes.
    assert snap.grad_enabled is True and gm.get_grad_mode() == snap
    assert hash(snap) == hash(gm.get_grad_mode())


def test_snapshot_is_immutable():
    snap = gm.get_grad_mode()
    with pytest.raises(AttributeError):
        snap.grad_enabled = False
    with pytest.raises(AttributeError):
        snap.inference_mode = True
    with pytest.raises(AttributeError):
        snap.other = 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        del snap.grad_enabled
    assert snap == DEFAULT


def test_functools_partial_and_callable_objects_decorate():
    add = gm.no_grad(functools.partial(lambda a, b: (a + b, state()), 1))
    assert add(2) == (3, (False, False))
