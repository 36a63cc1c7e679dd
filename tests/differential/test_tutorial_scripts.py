"""Tutorial-style scripts (tests/scripts/) print what real torch prints.

Each script runs in a fresh interpreter through ``tests/support/run_as_torch.py`` (``import
torch`` gives torchlike_jax); its stdout must equal torch's exactly, tensor print rounding
included, and it must raise the same warnings (stderr's ``UserWarning:`` lines). torch's output
is recorded in ``tests/fixtures/tutorial_scripts.json`` (``tools/record_tutorial_scripts.py``),
so the comparison runs without torch; where torch is installed, a live test checks that torch
still prints what was recorded.
"""

from __future__ import annotations

import pytest

from tests.support.recorded import load_fixture, load_recorder, stale_fixture_message

recorder = load_recorder("record_tutorial_scripts")
SCRIPTS = recorder.scripts()
RECORDED = load_fixture("tutorial_scripts.json")


def test_there_are_scripts():
    assert len(SCRIPTS) >= 6


def test_every_script_is_recorded_as_it_is_now():
    stale = [s.name for s in SCRIPTS
             if s.name not in RECORDED or RECORDED[s.name]["sha"] != recorder.digest(s)]
    assert not stale, f"{stale}: {stale_fixture_message('record_tutorial_scripts')}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_prints_what_torch_printed(script):
    expected = RECORDED[script.name]
    ours = recorder.run(script, "ours")
    assert expected["stdout"].strip(), "the recording is empty"
    assert ours["stdout"] == expected["stdout"]
    assert ours["warnings"] == expected["warnings"]


@pytest.mark.torch_live
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_torch_still_prints_the_recording(script, real):
    theirs = recorder.run(script, "torch")
    expected = RECORDED[script.name]
    assert theirs["stdout"] == expected["stdout"], stale_fixture_message("record_tutorial_scripts")
    assert theirs["warnings"] == expected["warnings"]
