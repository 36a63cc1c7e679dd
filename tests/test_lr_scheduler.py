"""``torch.optim.lr_scheduler`` against real torch, run live: ``get_last_lr()`` sequences over 30
epochs, warnings, state dicts, and that scheduling never compiles a new optimizer update."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest

import torchlike_jax as tj
from torchlike_jax.optim.optimizer import step_cache

pytestmark = pytest.mark.torch_live
real = pytest.importorskip("torch")


def _opt(lib, name="SGD", two_groups=True, **kw):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.5}] if two_groups else [a, b]
    kw.setdefault("lr", 0.1)
    if name == "SGD":
        kw.setdefault("momentum", 0.9)
    return getattr(lib.optim, name)(groups, **kw), (a, b)


def _lam(e):
    return 0.95 ** e


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
    "CosineAnnealingLR-long": lambda S, o: S.CosineAnnealingLR(o, T_max=40),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lr_lambda=_lam),
    "LambdaLR-list": lambda S, o: S.LambdaLR(o, lr_lambda=[_lam, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lr_lambda=lambda e: 0.97),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8),
    "LinearLR-down": lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                             total_iters=12),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=4),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=20, power=2.0),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=31),
    "OneCycleLR-3phase-linear": lambda S, o: S.OneCycleLR(
        o, max_lr=[1.0, 2.0], epochs=4, steps_per_epoch=8, anneal_strategy="linear",
        three_phase=True, pct_start=0.25),
    "CyclicLR": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR-triangular2": lambda S, o: S.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3, step_size_down=5,
        mode="triangular2"),
    "CyclicLR-exp_range": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                                  mode="exp_range", gamma=0.97,
                                                  cycle_momentum=False),
    "CyclicLR-scale_fn": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2,
                                                 scale_fn=lambda x: 0.5 ** x,
                                                 scale_mode="iterations"),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts-mult": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001),
    "SequentialLR": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
            S.CosineAnnealingLR(o, T_max=10), S.ExponentialLR(o, gamma=0.9)],
        milestones=[5, 15]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.9)]),
}


def _sequence(lib, name, opt_name="SGD", epochs=30):
    opt, (a, b) = _opt(lib, opt_name)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sched = SCHEDULERS[name](lib.optim.lr_scheduler, opt)
        lrs = [sched.get_last_lr()]
        extra = []
        for _ in range(epochs):
            a.grad, b.grad = lib.ones(2), lib.ones(3)
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
            extra.append({k: v for k, v in opt.param_groups[0].items()
                          if k in ("momentum", "betas")})
    msgs = [str(x.message) for x in w]
    return lrs, extra, msgs, getattr(sched, "last_epoch", None), [a.tolist(), b.tolist()]


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_last_lr_sequence_matches_torch(name):
    ours = _sequence(tj, name)
    theirs = _sequence(real, name)
    np.testing.assert_allclose(np.array(ours[0]), np.array(theirs[0]), rtol=1e-12, atol=1e-15)
    assert ours[2:4] == theirs[2:4]  # warnings, last_epoch
    for o, t in zip(ours[1], theirs[1], strict=True):
        assert o.keys() == t.keys()
        for k in o:
            np.testing.assert_allclose(np.array(o[k], dtype=float), np.array(t[k], dtype=float),
                                       rtol=1e-12)
    np.testing.assert_allclose(ours[4][0], theirs[4][0], rtol=1e-5)
    np.testing.assert_allclose(ours[4][1], theirs[4][1], rtol=1e-5)


def test_one_cycle_with_adam_cycles_beta1():
    ours = _sequence(tj, "OneCycleLR", "Adam")
    theirs = _sequence(real, "OneCycleLR", "Adam")
    np.testing.assert_allclose(np.array(ours[0]), np.array(theirs[0]), rtol=1e-12)
    assert [e["betas"][0] for e in ours[1]] == pytest.approx([e["betas"][0] for e in theirs[1]])
    np.testing.assert_allclose(ours[4][1], theirs[4][1], rtol=1e-5)


def _plateau(lib):
    opt, _ = _opt(lib)
    s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=2, factor=0.5, cooldown=1,
                                                 min_lr=[0.01, 0.05])
    metrics = [1.0, 0.9, 0.95, 0.95, 0.95, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8,
               0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    out = []
    for m in metrics:
        opt.step()
        s.step(m)
        out.append((s.get_last_lr(), s.num_bad_epochs, s.cooldown_counter, s.best))
    return out


def test_reduce_lr_on_plateau():
    assert _plateau(tj) == _plateau(real)


def _plateau_max_abs(lib):
    opt, _ = _opt(lib, two_groups=False)
    s = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", threshold_mode="abs",
                                                 threshold=0.1, patience=0)
    out = []
    for m in [1.0, 1.05, 1.2, 1.25, 1.0, 2.0]:
        s.step(lib.tensor(m))
        out.append(s.get_last_lr())
    return out


def test_reduce_lr_on_plateau_max_abs_and_tensor_metric():
    assert _plateau_max_abs(tj) == _plateau_max_abs(real)


def _warns(lib):
    out = []
    opt, _ = _opt(lib)
    S = lib.optim.lr_scheduler
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s = S.StepLR(opt, step_size=2)
        s.step()  # before optimizer.step()
        s.step()
        s.get_lr()  # outside step
        s.step(5)  # deprecated epoch argument
    out.append([str(x.message) for x in w])
    opt2, _ = _opt(lib)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s = S.ExponentialLR(opt2, gamma=0.5)
        opt2.step = lambda *a, **k: None  # overridden after the scheduler wrapped it
        s.step()
    out.append([str(x.message) for x in w])
    opt3, _ = _opt(lib)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        s = S.ExponentialLR(opt3, gamma=0.5)
        opt3.step()
        s.step()
    out.append([str(x.message) for x in w])
    out.append(s.get_last_lr())
    return out


def test_warnings_match_torch():
    assert _warns(tj) == _warns(real)


def _errors(lib):
    S = lib.optim.lr_scheduler
    out = []
    for make in (lambda o: S.StepLR(o, 2, last_epoch=3),
                 lambda o: S.LinearLR(o, start_factor=0),
                 lambda o: S.ConstantLR(o, factor=2),
                 lambda o: S.CosineAnnealingWarmRestarts(o, T_0=0),
                 lambda o: S.OneCycleLR(o, max_lr=1.0),
                 lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=10, pct_start=1),
                 lambda o: S.ReduceLROnPlateau(o, factor=1.0),
                 lambda o: S.ReduceLROnPlateau(o, mode="up"),
                 lambda o: S.LambdaLR(o, [_lam]),
                 lambda o: S.SequentialLR(o, [S.StepLR(o, 2)], milestones=[3]),
                 lambda o: S.StepLR(object(), 2)):
        opt, _ = _opt(lib)
        try:
            make(opt)
            out.append("ok")
        except Exception as e:  # noqa: BLE001
            out.append((type(e).__name__, str(e)))
    opt, _ = _opt(lib)
    s = S.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    try:
        for _ in range(4):
            opt.step()
            s.step()
    except ValueError as e:
        out.append(str(e))
    return out


def test_errors_match_torch():
    assert _errors(tj) == _errors(real)


def _state_dict_roundtrip(lib, name):
    opt, _ = _opt(lib)
    s = SCHEDULERS[name](lib.optim.lr_scheduler, opt)
    for _ in range(7):
        opt.step()
        s.step()
    sd = s.state_dict()
    keys = sorted(k for k in sd if not k.startswith("_") or k == "_last_lr")
    opt2, _ = _opt(lib)
    s2 = SCHEDULERS[name](lib.optim.lr_scheduler, opt2)
    s2.load_state_dict(pickle.loads(pickle.dumps(sd)) if name != "LambdaLR" else sd)
    opt2.load_state_dict(opt.state_dict())
    lrs = []
    for _ in range(8):
        opt.step()
        s.step()
        opt2.step()
        s2.step()
        lrs.append((s.get_last_lr(), s2.get_last_lr()))
    return keys, lrs


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "LambdaLR", "OneCycleLR",
                                  "SequentialLR", "CosineAnnealingWarmRestarts-mult",
                                  "CyclicLR-triangular2"])
def test_scheduler_state_dict_roundtrip(name):
    ours_keys, ours = _state_dict_roundtrip(tj, name)
    theirs_keys, theirs = _state_dict_roundtrip(real, name)
    assert ours_keys == theirs_keys
    for (a, b), (c, d) in zip(ours, theirs, strict=True):
        assert a == pytest.approx(b)
        assert a == pytest.approx(c, rel=1e-12)
        assert b == pytest.approx(d, rel=1e-12)


def test_closed_form_with_epoch_argument():
    def run(lib):
        opt, _ = _opt(lib)
        s = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)
        out = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for e in [3, 7, 12, 2]:
                opt.step()
                s.step(e)
                out.append(s.get_last_lr())
        return out

    np.testing.assert_allclose(run(tj), run(real), rtol=1e-12)


def test_scheduling_compiles_no_new_update():
    w = tj.randn(5, requires_grad=True)
    opt = tj.optim.Adam([w], lr=0.1)
    sched = tj.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=40)
    misses = []
    for _ in range(30):
        opt.zero_grad()
        (w * w).sum().backward()
        opt.step()
        sched.step()
        misses.append(step_cache().misses)
    assert len(set(misses)) == 1
    assert not math.isnan(w.sum().item())
