"""``torch.optim`` against torch 2.13's recorded answers (``tests/fixtures/optim.json``, written by
``tools/record_optim_fixtures.py``): runs without torch installed. Every optimizer configuration's
20-step trajectory, final state dict, param groups and repr, and every scheduler's learning rates
over 30 epochs. ``tests/differential/test_optim.py`` compares the same scenarios live;
``test_fixture_is_fresh`` re-records a few with real torch when it is present.
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as tj
from tests.support.optim_scenarios import GRID, SCHEDULERS, _ids
from tests.support.recorded import load_fixture, load_recorder, stale_fixture_message

FIXTURE = load_fixture("optim.json")
RECORDER = load_recorder("record_optim_fixtures")


def test_every_scenario_is_recorded():
    assert list(FIXTURE["optimizers"]) == [_ids(c) for c in GRID], (
        stale_fixture_message("record_optim_fixtures"))
    assert list(FIXTURE["schedulers"]) == list(SCHEDULERS)


@pytest.mark.parametrize("case", GRID, ids=_ids)
def test_optimizer_matches_recorded_torch(case):
    ours = RECORDER.optimizer_record(tj, *case)
    theirs = FIXTURE["optimizers"][_ids(case)]
    np.testing.assert_allclose(ours["trajectory"], theirs["trajectory"], rtol=1e-5, atol=1e-6)
    assert ours["param_groups"] == theirs["param_groups"]
    assert ours["repr"] == theirs["repr"]
    assert list(ours["state"]) == list(theirs["state"])
    for key, entries in ours["state"].items():
        assert list(entries) == list(theirs["state"][key])  # same entries, same order
        for name, got in entries.items():
            want = theirs["state"][key][name]
            if isinstance(want, dict):
                assert (got["dtype"], got["shape"]) == (want["dtype"], want["shape"]), name
                np.testing.assert_allclose(got["values"], want["values"], rtol=1e-5, atol=1e-6)
            else:
                assert got == want, name


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_matches_recorded_torch(name):
    ours = RECORDER.scheduler_record(tj, name)
    theirs = FIXTURE["schedulers"][name]
    np.testing.assert_allclose(ours["last_lr"], theirs["last_lr"], rtol=1e-12, atol=1e-15)
    assert ours["warnings"] == theirs["warnings"]
    assert ours["last_epoch"] == theirs["last_epoch"]
    for got, want in zip(ours["group0_extra"], theirs["group0_extra"], strict=True):
        assert got.keys() == want.keys()
        for k in got:
            np.testing.assert_allclose(np.array(got[k], float), np.array(want[k], float),
                                       rtol=1e-12)
    for got, want in zip(ours["params"], theirs["params"], strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.torch_live
@pytest.mark.parametrize("case", [GRID[0], GRID[7], GRID[-2]], ids=_ids)
def test_fixture_is_fresh(case):
    real = pytest.importorskip("torch")
    assert FIXTURE["torch_version"] == real.__version__
    assert RECORDER.optimizer_record(real, *case) == FIXTURE["optimizers"][_ids(case)]
