"""Compiled training with ``torch.nn`` + ``torch.optim``, against eager (ours) and real torch.

* ``torch.compile(module)`` returns torch's ``OptimizedModule`` wrapper (``_orig_mod``, prefixed
  state_dict keys, shared parameters, forwarded attributes and train/eval); ``module.compile()``
  compiles in place.
* A whole training step under ``torch.compile`` (``zero_grad``, forward, loss, ``backward``,
  ``opt.step()``, ``sched.step()``) gives the eager step's results for SGD / Adam / AdamW /
  RMSprop / Adagrad with StepLR / OneCycleLR / CosineAnnealingLR changing the lr every step,
  with BatchNorm in train mode, and traces only while the optimizer state is created: a new lr
  or step count is an input of the program, never a new trace.
"""

from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax import nn

pytestmark = pytest.mark.torch_live

STEPS = 20
RTOL, ATOL = 2e-4, 2e-5


def np_(t):
    return np.asarray(t.detach().numpy())


def _mlp(lib, dropout=0.0):
    # no bias before BatchNorm: its gradient is rounding noise (BN removes the mean), which
    # Adam's normalisation would amplify into a libraries-differ-anyway update
    layers = [lib.nn.Linear(6, 16, bias=False), lib.nn.BatchNorm1d(16), lib.nn.ReLU()]
    if dropout:
        layers.append(lib.nn.Dropout(dropout))
    return lib.nn.Sequential(*layers, lib.nn.Linear(16, 3))


def _ours_like(theirs, dropout=0.0):
    ours = _mlp(torch, dropout)
    state = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert repr(ours.load_state_dict(state)) == "<All keys matched successfully>"
    return ours


def _data(n=12):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 6)).astype(np.float32), rng.integers(0, 3, n)


def _trainer(lib, model, make_opt, make_sched):
    """The training step every test compiles: torch's canonical loop body."""
    opt = make_opt(lib, model.parameters())
    sched = make_sched(lib, opt) if make_sched else None
    crit = lib.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        return loss

    return step, opt, sched


def _close(a, b, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=rtol, atol=atol)


def _same_state(ours, theirs, rtol=RTOL, atol=ATOL):
    """Optimizer state dicts: same structure, same values (tensors compared as arrays)."""
    assert ours.keys() == theirs.keys()
    assert ours["state"].keys() == theirs["state"].keys()
    for k, st in theirs["state"].items():
        assert list(ours["state"][k]) == list(st), (k, list(ours["state"][k]), list(st))
        for name, v in st.items():
            o = ours["state"][k][name]
            assert str(o.dtype) == str(v.dtype) and tuple(o.shape) == tuple(v.shape), name
            _close(np_(o), v.detach().numpy(), rtol, atol)
    assert len(ours["param_groups"]) == len(theirs["param_groups"])
    for og, tg in zip(ours["param_groups"], theirs["param_groups"], strict=True):
        assert og.keys() == tg.keys()
        for key, v in tg.items():
            if isinstance(v, float):
                assert og[key] == pytest.approx(v, rel=1e-12, abs=1e-15), key
            else:
                assert og[key] == v, key


# ---- OptimizedModule / Module.compile ----------------------------------------------------------
def test_optimized_module_is_torchs_wrapper(real):
    real.manual_seed(0)
    t_mod = _mlp(real, dropout=0.2)
    o_mod = _ours_like(t_mod, dropout=0.2)
    t_c, o_c = real.compile(t_mod), torch.compile(o_mod)
    assert type(o_c).__name__ == type(t_c).__name__ == "OptimizedModule"
    assert isinstance(o_c, nn.Module) and not isinstance(o_c, nn.Sequential)
    assert repr(o_c) == repr(t_c)
    assert list(o_c.state_dict()) == list(t_c.state_dict())
    assert [n for n, _ in o_c.named_parameters()] == [n for n, _ in t_c.named_parameters()]
    assert [n for n, _ in o_c.named_modules()] == [n for n, _ in t_c.named_modules()]
    assert o_c._orig_mod is o_mod and list(o_c._modules) == ["_orig_mod"]
    assert all(a is b for a, b in zip(o_c.parameters(), o_mod.parameters(), strict=True))
    # train/eval and attributes live on the original, from either side
    for lib_c, lib_m in ((o_c, o_mod), (t_c, t_mod)):
        lib_c.eval()
        assert not lib_m.training and not lib_m[1].training and not lib_c.training
        lib_m.train()
        assert lib_c.training
        lib_c.tag = 5
        assert lib_m.tag == 5 and "tag" not in lib_c.__dict__
        del lib_c.tag
        assert not hasattr(lib_m, "tag")
    assert len(o_c) == len(t_c) == 5
    for bad in (lambda c: c[0], lambda c: len(torch.compile(nn.Linear(1, 1)))
                if isinstance(c, nn.Module) else len(real.compile(real.nn.Linear(1, 1)))):
        with pytest.raises(TypeError) as ours_err:
            bad(o_c)
        with pytest.raises(TypeError) as theirs_err:
            bad(t_c)
        assert str(ours_err.value) == str(theirs_err.value)
    # loading the original's keys into the wrapper: torch's missing/unexpected report
    o_res = o_c.load_state_dict(o_mod.state_dict(), strict=False)
    t_res = t_c.load_state_dict(t_mod.state_dict(), strict=False)
    assert repr(o_res) == repr(t_res)
    with pytest.raises(RuntimeError) as ours_err:
        o_c.load_state_dict(o_mod.state_dict())
    with pytest.raises(RuntimeError) as theirs_err:
        t_c.load_state_dict(t_mod.state_dict())
    assert str(ours_err.value) == str(theirs_err.value)
    # the forward (eval mode: no dropout draw) is the module's (torch's own compiled call is
    # not run: an inductor compile costs seconds; its grad_fn is CompiledFunctionBackward too)
    o_c.eval()
    t_mod.eval()
    x = np.ones((4, 6), np.float32)
    o_out = o_c(torch.tensor(x))
    _close(np_(o_out), t_mod(real.tensor(x)).detach().numpy())
    assert type(o_out.grad_fn).__name__ == "CompiledFunctionBackward"
    # copies are new modules wrapped the same way
    for clone in (copy.deepcopy(o_c), pickle.loads(pickle.dumps(o_c))):
        assert type(clone) is type(o_c) and clone._orig_mod is not o_mod
        assert repr(clone) == repr(o_c)
        _close(np_(clone(torch.tensor(x))), np_(o_out))


def test_module_compile_in_place(real):
    real.manual_seed(0)
    t_mod = _mlp(real)
    o_mod = _ours_like(t_mod)
    keys, text = list(o_mod.state_dict()), repr(o_mod)
    t_compiled = copy.deepcopy(t_mod)  # torch's surface only: its call is not run (inductor)
    assert o_mod.compile() is None and t_compiled.compile() is None
    assert type(o_mod) is nn.Sequential and repr(o_mod) == text == repr(t_compiled)
    assert list(o_mod.state_dict()) == keys == list(t_compiled.state_dict())
    assert o_mod._compiled_call_impl is not None
    x, y = _data()
    wrapped = torch.compile(_ours_like(t_mod))  # the same, through torch.compile(module)
    # an eager loop around the compiled module: backward through the compiled forward,
    # BatchNorm's running stats written back by the program
    for lib, mod in ((torch, o_mod), (torch, wrapped), (real, t_mod)):
        opt = lib.optim.SGD(mod.parameters(), lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            lib.nn.functional.cross_entropy(mod(lib.tensor(x)), lib.tensor(y)).backward()
            opt.step()
    for k, v in t_mod.state_dict().items():
        _close(np_(o_mod.state_dict()[k]), v.detach().numpy())
        _close(np_(wrapped.state_dict()["_orig_mod." + k]), v.detach().numpy())
    o_mod.eval()
    t_mod.eval()  # the switch reaches the compiled call: running statistics are used
    _close(np_(o_mod(torch.tensor(x))), t_mod(real.tensor(x)).detach().numpy())


# ---- whole training steps under compile --------------------------------------------------------
CASES = {
    "sgd_nesterov_wd_steplr": (
        lambda L, p: L.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
        lambda L, o: L.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5)),
    "adam_amsgrad_onecycle": (
        lambda L, p: L.optim.Adam(p, lr=0.01, amsgrad=True),
        lambda L, o: L.optim.lr_scheduler.OneCycleLR(o, max_lr=0.05, total_steps=STEPS)),
    "adamw_cosine": (
        lambda L, p: L.optim.AdamW(p, lr=0.01, weight_decay=0.1),
        lambda L, o: L.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7)),
    "rmsprop_centered_momentum": (
        lambda L, p: L.optim.RMSprop(p, lr=0.005, momentum=0.5, centered=True),
        lambda L, o: L.optim.lr_scheduler.StepLR(o, step_size=4, gamma=0.7)),
    "adagrad": (lambda L, p: L.optim.Adagrad(p, lr=0.1, lr_decay=1e-3), None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_compiled_step_matches_eager_and_torch(real, case):
    make_opt, make_sched = CASES[case]
    real.manual_seed(0)
    t_mod = _mlp(real)
    o_eager, o_comp = _ours_like(t_mod), _ours_like(t_mod)
    x, y = _data()
    t_step, t_opt, t_sched = _trainer(real, t_mod, make_opt, make_sched)
    e_step, e_opt, e_sched = _trainer(torch, o_eager, make_opt, make_sched)
    step, c_opt, c_sched = _trainer(torch, o_comp, make_opt, make_sched)
    compiled = torch.compile(step, fullgraph=True)
    xs, ys = (real.tensor(x), real.tensor(y)), (torch.tensor(x), torch.tensor(y))
    losses = {"torch": [], "eager": [], "compiled": []}
    traces_after_warmup = None
    for i in range(STEPS):
        losses["torch"].append(t_step(*xs).item())
        losses["eager"].append(e_step(*ys).item())
        losses["compiled"].append(compiled(*ys).item())
        if i == 2:  # the optimizer's state exists from the second call on
            traces_after_warmup = compiled._traces
            optim_misses = torch.backends.cache_info()["optim_step"].misses
    # a new lr (and step count) every step: no new trace, no new optimizer program
    assert compiled._traces == traces_after_warmup <= 2
    assert torch.backends.cache_info()["optim_step"].misses == optim_misses
    _close(losses["compiled"], losses["eager"], rtol=1e-5, atol=1e-6)
    _close(losses["compiled"], losses["torch"])
    for k, v in t_mod.state_dict().items():  # parameters, running stats, num_batches_tracked
        ours = np_(o_comp.state_dict()[k])
        assert ours.dtype == v.detach().numpy().dtype, k
        _close(ours, np_(o_eager.state_dict()[k]), rtol=1e-5, atol=1e-6)
        _close(ours, v.detach().numpy())
    _same_state(c_opt.state_dict(), e_opt.state_dict(), rtol=1e-5, atol=1e-6)
    _same_state(c_opt.state_dict(), t_opt.state_dict())
    if make_sched is not None:
        assert c_sched.last_epoch == e_sched.last_epoch == t_sched.last_epoch == STEPS
        assert c_sched.get_last_lr() == pytest.approx(t_sched.get_last_lr(), rel=1e-12)


def test_compiled_step_with_dropout_matches_eager():
    """Dropout in train mode draws a new mask every call (the generator's key is threaded
    through the program), the same masks eager code draws from the same seed."""
    make_opt, make_sched = CASES["adam_amsgrad_onecycle"]
    torch.manual_seed(0)
    first = _mlp(torch, dropout=0.5)
    models = [first, copy.deepcopy(first)]
    x, y = (torch.tensor(a) for a in _data())
    results = []
    for model, comp in zip(models, (False, True), strict=True):
        step, opt, _ = _trainer(torch, model, make_opt, make_sched)
        fn = torch.compile(step, fullgraph=True) if comp else step
        torch.manual_seed(1)
        results.append(([fn(x, y).item() for _ in range(8)], model, opt))
    (le, me, oe), (lc, mc, oc) = results
    _close(lc, le, rtol=1e-5, atol=1e-6)
    assert len(set(le)) == len(le)  # the masks differ from step to step
    for k, v in me.state_dict().items():
        _close(np_(mc.state_dict()[k]), np_(v), rtol=1e-5, atol=1e-6)
    _same_state(oc.state_dict(), oe.state_dict(), rtol=1e-5, atol=1e-6)


def test_lr_set_by_hand_between_calls_is_an_input():
    torch.manual_seed(0)
    w = nn.Parameter(torch.ones(3))
    opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)

    @torch.compile(fullgraph=True)
    def step():
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()

    ref = np.ones(3)
    buf = np.zeros(3)
    for i, lr in enumerate((0.1, 0.1, 0.05, 0.01, 0.3)):
        opt.param_groups[0]["lr"] = lr
        step()
        g = 2 * ref
        buf = g if i == 0 else 0.9 * buf + g
        ref = ref - lr * buf
        _close(np_(w), ref, rtol=1e-6, atol=1e-7)
    assert step._traces == 2  # before and after the momentum buffer exists


def test_scheduler_before_optimizer_is_a_graph_break():
    """``sched.step()`` then ``opt.step()`` in one compiled function: deferring the scheduler
    past the program would hand the optimizer the old lr, so that call runs eagerly."""
    def run(compiled):
        w = nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([w], lr=1.0)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)

        def step():
            opt.zero_grad()
            w.sum().backward()
            sched.step()
            opt.step()

        fn = torch.compile(step) if compiled else step
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            for _ in range(3):
                fn()
        return np_(w), opt.param_groups[0]["lr"], rec

    w_e, lr_e, _ = run(False)
    w_c, lr_c, rec = run(True)
    _close(w_c, w_e, rtol=0, atol=0)
    assert lr_c == lr_e == 0.125
    assert any("could not trace" in str(r.message) for r in rec)
    with pytest.raises(torch.CompileError):
        w = nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([w], lr=1.0)
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=1)

        @torch.compile(fullgraph=True)
        def bad():
            w.sum().backward()
            sched.step()
            opt.step()

        bad()
