"""``torch.optim.lr_scheduler`` against real torch, run live: ``get_last_lr()`` sequences over 30
epochs, warnings, state dicts, and that scheduling never compiles a new optimizer update."""

from __future__ import annotations

import math
import pickle
import warnings

import numpy as np
import pytest

import torchlike_jax as tj
from tests.support.optim_scenarios import SCHEDULERS, _lam, _opt, _sequence
from torchlike_jax.optim.optimizer import step_cache

pytestmark = pytest.mark.torch_live
real = pytest.importorskip("torch")


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
