"""``torch.optim`` against real torch, run live: parameter trajectories, state dicts, repr,
groups, zero_grad, closures, errors, and the no-recompile rule for changing hyper-parameters.

Scenario functions take the module under test (``torchlike_jax`` or real ``torch``) and return
plain numpy/Python values, so each test runs the same code on both and compares.
"""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import torchlike_jax as tj
from tests.support.optim_scenarios import GRID, X, Y, _flat, _ids, _problem, _train, _trajectory
from torchlike_jax.optim.optimizer import step_cache

pytestmark = pytest.mark.torch_live
real = pytest.importorskip("torch")


@pytest.mark.parametrize("case", GRID, ids=_ids)
def test_trajectory_state_dict_and_repr_match_torch(case):
    name, kw = case
    ours, st_ours, g_ours, r_ours = _trajectory(tj, name, kw)
    theirs, st_theirs, g_theirs, r_theirs = _trajectory(real, name, kw)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert g_ours == g_theirs
    assert r_ours == r_theirs
    assert st_ours.keys() == st_theirs.keys()
    for k in st_ours:
        assert list(st_ours[k]) == list(st_theirs[k])  # same entries, same order
        for n in st_ours[k]:
            a, t = st_ours[k][n], st_theirs[k][n]
            assert a[1:] == t[1:], (k, n)  # dtype and shape
            np.testing.assert_allclose(a[0], t[0], rtol=1e-5, atol=1e-6)


def _resume(lib, name, kw):
    """10 steps, state_dict, a fresh optimizer on fresh parameters loads it, 10 more steps."""
    w, b, loss_fn = _problem(lib)
    opt = getattr(lib.optim, name)([w, b], **kw)
    _train(opt, [w, b], loss_fn, 10)
    sd = copy.deepcopy(opt.state_dict()) if lib is real else opt.state_dict()
    w2 = lib.tensor(w.detach().numpy().copy(), requires_grad=True)
    b2 = lib.tensor(b.detach().numpy().copy(), requires_grad=True)
    x, y = lib.tensor(X), lib.tensor(Y)

    def loss2():
        return ((x @ w2 + b2 - y) ** 2).mean() + (w2 ** 4).sum() * 0.01

    opt2 = getattr(lib.optim, name)([w2, b2], lr=123.0)  # lr comes back from the state dict
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    return _train(opt2, [w2, b2], loss2, 10)


@pytest.mark.parametrize("case", [GRID[i] for i in (2, 7, 11, 17, 21, 24, 28, 31, 34, 36, 39)],
                         ids=_ids)
def test_load_state_dict_continues_the_trajectory(case):
    name, kw = case
    full, *_ = _trajectory(tj, name, kw)
    resumed = _resume(tj, name, kw)
    np.testing.assert_allclose(resumed, full[10:], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(resumed, _resume(real, name, kw), rtol=1e-5, atol=1e-6)


def test_load_state_dict_casts_state_to_param_dtype_and_keeps_step():
    def run(lib):
        w = lib.zeros(3, requires_grad=True)
        opt = lib.optim.Adam([w], lr=0.1)
        w.grad = lib.ones(3)
        opt.step()
        sd = opt.state_dict()
        sd["state"][0]["exp_avg"] = sd["state"][0]["exp_avg"].double()
        sd["state"][0]["step"] = sd["state"][0]["step"].double()
        w64 = lib.zeros(3, dtype=lib.float64, requires_grad=True)
        opt2 = lib.optim.Adam([w64], lr=0.1)
        opt2.load_state_dict(sd)
        st = opt2.state[w64]
        return {k: str(v.dtype) for k, v in st.items()}

    assert run(tj) == {k: v.replace("torch.", "torch.") for k, v in run(real).items()}


def test_load_state_dict_errors():
    def run(lib):
        a = lib.zeros(2, requires_grad=True)
        b = lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([a, b], lr=0.1)
        msgs = []
        for sd in ({"state": {}, "param_groups": [{"params": [0]}]},
                   {"state": {}, "param_groups": [{"params": [0, 1]}, {"params": [2]}]}):
            with pytest.raises(ValueError) as e:
                opt.load_state_dict(sd)
            msgs.append(str(e.value))
        return msgs

    assert run(tj) == run(real)


def _repr_groups(lib):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    out = []
    for name, kw in [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"betas": (0.5, 0.6)}),
                     ("AdamW", {}), ("RMSprop", {"centered": True}), ("Adagrad", {}),
                     ("Adamax", {}), ("NAdam", {}), ("RAdam", {}), ("Adadelta", {}),
                     ("Rprop", {}), ("ASGD", {})]:
        opt = getattr(lib.optim, name)([{"params": [a]}, {"params": [b], "lr": 0.5}], **kw)
        out.append(repr(opt))
    return out


def test_repr_with_two_groups_matches_torch():
    assert _repr_groups(tj) == _repr_groups(real)


def _groups_scenario(lib):
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, -1.0], requires_grad=True)
    c = lib.tensor([0.5], requires_grad=True)
    opt = lib.optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5, "momentum": 0.9}], lr=0.1)
    opt.add_param_group({"params": [c], "weight_decay": 0.1})
    for _ in range(3):
        opt.zero_grad()
        ((a * a).sum() + (b ** 3).sum() + (c * 2).sum()).backward()
        opt.step()
    groups = [{k: v for k, v in g.items() if k != "params"} for g in opt.param_groups]
    return _flat([a, b, c]), groups, len(opt.state)


def test_param_groups_with_different_lrs():
    ours, theirs = _groups_scenario(tj), _groups_scenario(real)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    assert ours[1:] == theirs[1:]


def _errors(lib):
    a = lib.zeros(2, requires_grad=True)
    out = []

    def catch(fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                fn()
                out.append(("ok", [str(x.message) for x in w]))
            except Exception as e:  # noqa: BLE001
                out.append((type(e).__name__, str(e)))

    o = lib.optim
    catch(lambda: o.SGD([a], lr=-1.0))
    catch(lambda: o.SGD([a], lr=0.1, momentum=-0.5))
    catch(lambda: o.SGD([a], lr=0.1, weight_decay=-1))
    catch(lambda: o.SGD([a], lr=0.1, nesterov=True))
    catch(lambda: o.SGD([a], lr=0.1, momentum=0.9, dampening=0.1, nesterov=True))
    catch(lambda: o.Adam([a], lr=-0.1))
    catch(lambda: o.Adam([a], eps=-1.0))
    catch(lambda: o.Adam([a], betas=(1.0, 0.9)))
    catch(lambda: o.Adam([a], betas=(0.9, -0.1)))
    catch(lambda: o.Adam([a], weight_decay=-0.1))
    catch(lambda: o.Adam([a], betas=(0.9, 1)))
    catch(lambda: o.AdamW([a], lr=-2.0))
    catch(lambda: o.RMSprop([a], alpha=-0.1))
    catch(lambda: o.RMSprop([a], momentum=-0.1))
    catch(lambda: o.Adagrad([a], lr_decay=-0.1))
    catch(lambda: o.Adagrad([a], initial_accumulator_value=-1.0))
    catch(lambda: o.Adamax([a], betas=(0.9, 1.5)))
    catch(lambda: o.NAdam([a], momentum_decay=-1.0))
    catch(lambda: o.RAdam([a], eps=-1.0))
    catch(lambda: o.Adadelta([a], rho=1.5))
    catch(lambda: o.Rprop([a], etas=(1.5, 2.0)))
    catch(lambda: o.ASGD([a], weight_decay=-1.0))
    catch(lambda: o.SGD([a], lr=lib.tensor([0.1, 0.2])))
    catch(lambda: o.SGD(a, lr=0.1))
    catch(lambda: o.SGD([], lr=0.1))
    catch(lambda: o.SGD({a}, lr=0.1))
    catch(lambda: o.SGD([a, 1.0], lr=0.1))
    catch(lambda: o.SGD([a * 2], lr=0.1))
    catch(lambda: o.SGD([a, a], lr=0.1))
    catch(lambda: o.SGD([{"params": [a]}, {"params": [a]}], lr=0.1))
    catch(lambda: o.SGD([("w", a), lib.zeros(1, requires_grad=True)], lr=0.1))
    catch(lambda: o.SGD([a]).add_param_group([a]))
    return out


def test_errors_and_warnings_match_torch():
    ours, theirs = _errors(tj), _errors(real)
    for o, t in zip(ours, theirs, strict=True):
        assert o == t


def _zero_grad(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.1)
    (w * w).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    kept = (w.grad is g, w.grad.tolist(), w.grad.requires_grad)
    opt.zero_grad()
    gone = w.grad is None
    opt.step()  # no gradient: nothing moves, no state
    return kept, gone, w.tolist(), len(opt.state)


def test_zero_grad_semantics():
    assert _zero_grad(tj) == _zero_grad(real)


def _closure(lib):
    w = lib.tensor([1.0, -2.0], requires_grad=True)
    opt = lib.optim.Adam([w], lr=0.1)
    calls = []

    def closure():
        calls.append(lib.is_grad_enabled())
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    with lib.no_grad():
        loss = opt.step(closure)
    loss2 = opt.step(closure)
    return float(loss.detach()), float(loss2.detach()), calls, w.tolist()


def test_closure_runs_under_enable_grad_and_returns_loss():
    o, t = _closure(tj), _closure(real)
    assert o[:3] == t[:3]
    np.testing.assert_allclose(o[3], t[3], rtol=1e-6)


def _sgd_state_before_after(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
    before = opt.state_dict()["state"]
    w.grad = lib.tensor([1.0, 1.0])
    opt.step()
    buf = opt.state[w]["momentum_buffer"]
    return before, list(opt.state[w]), buf.tolist(), buf is not w.grad, buf.requires_grad


def test_sgd_momentum_buffer_is_created_lazily():
    assert _sgd_state_before_after(tj) == _sgd_state_before_after(real)


def _inplace_semantics(lib):
    w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    v = w.detach()[0]  # a view of the parameter's data
    d = w.detach()
    opt = lib.optim.SGD([w], lr=0.5)
    w.grad = lib.ones(2, 2)
    v0 = w._version
    opt.step()
    return v.tolist(), d.tolist(), w._version - v0 > 0, w.is_leaf, w.requires_grad, w.grad_fn


def test_step_is_in_place_views_see_the_update():
    assert _inplace_semantics(tj) == _inplace_semantics(real)


def _tensor_lr(lib):
    w = lib.tensor([1.0, -2.0], requires_grad=True)
    lr = lib.tensor(0.1)
    opt = lib.optim.Adam([w], lr=lr)
    for _ in range(3):
        opt.zero_grad()
        (w ** 2).sum().backward()
        opt.step()
    opt.param_groups[0]["lr"].fill_(0.01)
    opt.zero_grad()
    (w ** 2).sum().backward()
    opt.step()
    return w.tolist()


def test_tensor_lr():
    np.testing.assert_allclose(_tensor_lr(tj), _tensor_lr(real), rtol=1e-6)


def _changing_hparams(lib, n=12):
    w, b, loss_fn = _problem(lib)
    opt = lib.optim.Adam([w, b], lr=0.05, amsgrad=True)
    traj, misses = [], []
    for i in range(n):
        opt.param_groups[0]["lr"] = 0.05 / (1 + i)  # a new learning rate every step
        opt.param_groups[0]["betas"] = (0.9 - 0.01 * i, 0.999)
        opt.param_groups[0]["eps"] = 1e-8 * (i + 1)
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        traj.append(_flat([w, b]))
        if lib is tj:
            misses.append(step_cache().misses)
    return np.array(traj), misses


def test_changing_lr_betas_eps_every_step_compiles_nothing_new():
    jit_sizes = {id(f): f._cache_size() for f in step_cache()._data.values()}
    ours, misses = _changing_hparams(tj)
    theirs, _ = _changing_hparams(real)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert len(set(misses[1:])) == 1, misses  # after the first step: no new cache entry
    for f in step_cache()._data.values():  # and no jitted update retraced for a new value
        assert f._cache_size() <= max(1, jit_sizes.get(id(f), 1))


def test_step_cache_is_bounded_and_listed():
    info = tj.backends.cache_info()["optim_step"]
    assert info.maxsize == 64
    assert tj.backends.cache_limits()["optim_step"] == 64


def test_sgd_first_two_steps_then_no_compiles():
    w = tj.randn(4, 3, requires_grad=True)
    opt = tj.optim.SGD([w], lr=0.1, momentum=0.9, nesterov=True)
    counts = []
    for i in range(6):
        opt.param_groups[0]["lr"] = 0.1 * 0.5 ** i
        opt.param_groups[0]["momentum"] = 0.9 - 0.05 * i
        w.grad = tj.ones(4, 3)
        opt.step()
        counts.append(step_cache().misses)
    assert len(set(counts[1:])) == 1, counts


def _compiled_training(lib, compiled, name, kw):
    w, b, loss_fn = _problem(lib)
    opt = getattr(lib.optim, name)([w, b], **kw)
    sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    traces = []

    def train_step():
        traces.append(1)  # Python side effect: runs once per trace when compiled
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss

    fn = lib.compile(train_step) if compiled else train_step
    losses = []
    for _ in range(8):
        losses.append(float(fn().detach()))
        sched.step()  # a new lr (and momentum / beta1) every step, outside the compiled code
    state = [v.detach().numpy() for v in opt.state[w].values()]
    return losses, _flat([w, b]), state, len(traces)


@pytest.mark.parametrize("case", [("SGD", {"lr": 0.05, "momentum": 0.9}),
                                  ("Adam", {"lr": 0.05, "amsgrad": True}),
                                  ("RMSprop", {"lr": 0.01, "momentum": 0.5})], ids=_ids)
def test_optimizer_inside_compile_with_a_scheduler(case):
    """Hyper-parameters are program inputs under compile: a scheduler changing lr between
    calls neither retraces nor is ignored (it was baked in before the hidden tensor)."""
    eager = _compiled_training(tj, False, *case)
    comp = _compiled_training(tj, True, *case)
    np.testing.assert_allclose(comp[0], eager[0], rtol=1e-5)
    np.testing.assert_allclose(comp[1], eager[1], rtol=1e-5, atol=1e-6)
    for a, b in zip(comp[2], eager[2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert comp[3] <= 3, comp[3]  # first call (lazy state), second (state exists), done
    theirs = _compiled_training(real, False, *case)
    np.testing.assert_allclose(eager[1], theirs[1], rtol=1e-5, atol=1e-6)


def test_param_group_edits_reach_the_update():
    """``group[k] = v``, ``update``, a replaced plain dict: all seen by the next step."""
    def run(lib):
        w = lib.tensor([1.0, -1.0], requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1)
        out = []
        for edit in (lambda g: g.__setitem__("lr", 0.5), lambda g: g.update(momentum=0.5),
                     lambda g: g.update({"weight_decay": 0.1}),
                     lambda g: g.setdefault("dampening", 0.3)):
            edit(opt.param_groups[0])
            w.grad = lib.ones(2)
            opt.step()
            out.append(w.tolist())
        opt.param_groups[0] = dict(opt.param_groups[0], lr=0.01)
        w.grad = lib.ones(2)
        opt.step()
        out.append(w.tolist())
        return out

    np.testing.assert_allclose(run(tj), run(real), rtol=1e-6)


def test_optimizer_pickles_and_deepcopies():
    w = tj.tensor([1.0, -1.0], requires_grad=True)
    opt = tj.optim.Adam([w], lr=0.1)
    w.grad = tj.ones(2)
    opt.step()
    sd = pickle.loads(pickle.dumps(opt.state_dict()))
    assert type(sd["param_groups"][0]) is dict
    clone = copy.deepcopy(opt)
    clone.param_groups[0]["lr"] = 0.0
    assert opt.param_groups[0]["lr"] == 0.1
    w2 = clone.param_groups[0]["params"][0]
    w2.grad = tj.ones(2)
    before = w2.tolist()
    clone.step()
    assert w2.tolist() == before  # lr 0 reached the clone's update


def test_state_is_keyed_by_the_parameter_and_step_is_float32_tensor():
    w = tj.zeros(3, requires_grad=True)
    opt = tj.optim.Adam([w])
    w.grad = tj.ones(3)
    opt.step()
    st = opt.state[w]
    assert list(st) == ["step", "exp_avg", "exp_avg_sq"]
    assert isinstance(st["step"], tj.Tensor) and st["step"].dtype == tj.float32
    assert st["step"].shape == () and float(st["step"]) == 1.0
    assert opt.state_dict()["state"][0] is st


def test_complex_sgd_matches_torch_and_others_refuse():
    def run(lib):
        c = lib.tensor(np.array([1 + 2j, -0.5j], dtype=np.complex64), requires_grad=True)
        opt = lib.optim.SGD([c], lr=0.1, momentum=0.9, weight_decay=0.1)
        for _ in range(3):  # gradient of |c|^2 set by hand (torch's convention: 2c)
            c.grad = lib.tensor(2 * c.detach().numpy())
            opt.step()
        return c.detach().numpy()

    np.testing.assert_allclose(run(tj), run(real), rtol=1e-6)
    c = tj.zeros(2, dtype=tj.complex64, requires_grad=True)
    c.grad = tj.ones(2, dtype=tj.complex64)
    with pytest.raises(NotImplementedError, match="complex"):
        tj.optim.Adam([c]).step()


def test_differentiable_is_refused_not_silently_ignored():
    w = tj.zeros(2, requires_grad=True)
    w.grad = tj.ones(2)
    opt = tj.optim.SGD([w], lr=0.1, differentiable=True)
    with pytest.raises(NotImplementedError, match="differentiable"):
        opt.step()
    assert w.tolist() == [0.0, 0.0]


def test_user_subclass_with_its_own_step():
    """The classic custom optimizer: subclass, own ``step`` with in-place ops under no_grad."""

    def run(lib):
        class SignSGD(lib.optim.Optimizer):
            def __init__(self, params, lr=0.01):
                super().__init__(params, {"lr": lr})

            @lib.no_grad()
            def step(self, closure=None):
                for group in self.param_groups:
                    for p in group["params"]:
                        if p.grad is not None:
                            self.state[p]["n"] = self.state[p].get("n", 0) + 1
                            p.add_(p.grad.sign(), alpha=-group["lr"])

        w, b, loss_fn = _problem(lib)
        opt = SignSGD([w, b], lr=0.05)
        sched = lib.optim.lr_scheduler.StepLR(opt, 3, gamma=0.5)
        traj = []
        for _ in range(8):
            opt.zero_grad()
            loss_fn().backward()
            opt.step()
            sched.step()
            traj.append(_flat([w, b]))
        return np.array(traj), repr(opt), opt.state_dict()["state"]

    o, t = run(tj), run(real)
    np.testing.assert_allclose(o[0], t[0], rtol=1e-6)
    assert o[1:] == t[1:]


def _hooks(lib):
    from importlib import import_module

    mod = import_module(lib.__name__ + ".optim.optimizer")
    log = []
    w = lib.tensor([1.0, 2.0], requires_grad=True)

    class Half(lib.optim.SGD):
        def step(self, closure=None):
            log.append("Half.step")
            return super().step(closure)

    for opt in (lib.optim.Adam([w], lr=0.1), Half([w], lr=0.1)):
        name = type(opt).__name__
        h1 = opt.register_step_pre_hook(lambda o, a, k: log.append(
            ("pre", type(o).__name__, [x is o for x in a], k)))
        h2 = opt.register_step_post_hook(lambda o, a, k: log.append(("post", type(o).__name__)))
        g = mod.register_optimizer_step_pre_hook(lambda o, a, k: log.append("global pre"))
        w.grad = lib.ones(2)
        opt.step()
        opt.step(closure=None)
        h1.remove()
        g.remove()
        opt.step()
        h2.remove()
        opt.step()
        log.append(name)
    return log


def test_step_hooks_match_torch():
    assert _hooks(tj) == _hooks(real)


def _sd_hooks(lib):
    log = []
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = lib.ones(2)
    opt.step()
    opt.register_state_dict_pre_hook(lambda o: log.append("pre"))
    opt.register_state_dict_pre_hook(lambda o: log.append("pre first"), prepend=True)

    def post(o, sd):
        log.append(("post", sorted(sd)))
        sd["extra"] = 1
        return sd

    h = opt.register_state_dict_post_hook(post)
    sd = opt.state_dict()
    log.append(sorted(sd))
    h.remove()
    opt.register_load_state_dict_pre_hook(lambda o, sd: log.append(("load pre", sorted(sd))))
    opt.register_load_state_dict_post_hook(lambda o: log.append(("load post",
                                                                  o.param_groups[0]["lr"])))
    sd = opt.state_dict()
    sd["param_groups"][0]["lr"] = 0.5
    opt.load_state_dict(sd)
    return log


def test_state_dict_hooks_match_torch():
    assert _sd_hooks(tj) == _sd_hooks(real)


def test_long_run_holds_no_new_programs_and_frees_the_optimizer():
    import gc
    import weakref

    w, b, loss_fn = _problem(tj)
    opt = tj.optim.AdamW([w, b], lr=0.01)
    sched = tj.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=50)
    for _ in range(3):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        sched.step()
    size, misses = len(step_cache()), step_cache().misses
    for _ in range(300):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        sched.step()
    assert (len(step_cache()), step_cache().misses) == (size, misses)
    state_ref = weakref.ref(opt.state[w]["exp_avg"])
    opt_ref = weakref.ref(opt)
    del opt, sched
    gc.collect()
    assert opt_ref() is None and state_ref() is None
