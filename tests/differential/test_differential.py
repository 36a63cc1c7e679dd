"""Differential tests: every case in ``tests/differential/cases.py`` must behave like real torch.

* ``test_matches_fixture`` runs the case with torchlike_jax and compares it with what real torch
  observed, recorded in ``tests/fixtures/differential.json`` (no torch needed).
* ``test_matches_live_torch`` (``torch_live``) runs the case in the installed torch right now and
  compares torchlike_jax with that; ``test_fixture_is_fresh`` checks that the recording still
  matches the installed torch, so a stale fixture cannot hide a difference.
* ``test_every_case_has_fixture`` catches a case added or edited without re-recording.

Regenerate the fixture with ``.venv/bin/python tools/record_torch_fixtures.py``; see
``tests/differential/harness.py`` for what is compared and how.
"""

from __future__ import annotations

import copy
import hashlib

import pytest

import torchlike_jax
from tests.differential.cases import CASES
from tests.differential.harness import compare, first_sentence, key_phrase, observe
from tests.support.recorded import load_fixture

FIXTURE = load_fixture("differential.json")
RECORDED = FIXTURE["cases"]
REGENERATE = "run .venv/bin/python tools/record_torch_fixtures.py"


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()[:16]


def _params(with_xfail: bool = True) -> list:
    out = []
    for c in CASES:
        marks = []
        if c.get("xfail") and with_xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=c["reason"]))
        out.append(pytest.param(c, id=c["name"], marks=marks))
    return out


def _check(expected: dict, actual: dict, case: dict) -> None:
    problems = compare(expected, actual, check_repr=case.get("repr", True), key=case.get("key"))
    assert not problems, f"{case['name']}:\n" + "\n".join(problems) + f"\n\ncode:\n{case['code']}"


@pytest.mark.parametrize("case", _params())
def test_matches_fixture(case: dict) -> None:
    rec = RECORDED.get(case["name"])
    if rec is None:
        pytest.fail(f"no recorded fixture for {case['name']!r}: {REGENERATE}")
    _check(rec["observation"], observe(case["code"], torchlike_jax), case)


def test_every_case_has_fixture() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    missing = [n for n in names if n not in RECORDED]
    stale = [c["name"] for c in CASES
             if c["name"] in RECORDED and RECORDED[c["name"]]["code_hash"] != _code_hash(c["code"])]
    orphans = sorted(set(RECORDED) - set(names))
    assert not (missing or stale or orphans), (
        f"fixture out of date ({REGENERATE}): missing={missing} edited={stale} "
        f"no longer a case={orphans}")


def test_xfail_cases_give_reasons() -> None:
    for c in CASES:
        if c.get("xfail"):
            assert c.get("reason"), f"{c['name']}: an xfail case must say why"
        if c.get("repr") is False:
            assert c.get("repr_reason"), f"{c['name']}: repr=False must say why"


def test_harness_observes_and_compares() -> None:
    """The harness itself: what it records, and that compare() really catches differences."""
    obs = observe("out('t', torch.tensor([1.0, float('nan')]))\nout('n', 3)\n"
                  "import warnings\nwarnings.warn('Careful. More text')\n"
                  "torch.tensor([1.0]).item(2)\nout('never', 1)", torchlike_jax)
    assert [n for n, _ in obs["outs"]] == ["t", "n"]
    t = obs["outs"][0][1]
    assert t["values"] == [1.0, "nan"] and t["dtype"] == "torch.float32" and t["shape"] == [2]
    assert obs["warnings"] == [{"category": "UserWarning", "message": "Careful. More text"}]
    assert obs["exception"]["type"] == "TypeError"
    assert compare(obs, obs) == []

    def changed(fn) -> dict:
        other = copy.deepcopy(obs)
        fn(other)
        return other

    assert compare(obs, changed(lambda o: o["outs"][0][1]["values"].__setitem__(0, 1.0 + 1e-7))
                   ) == []
    for fn in (lambda o: o["outs"][0][1]["values"].__setitem__(0, 1.001),
               lambda o: o["outs"][0][1]["values"].__setitem__(1, 0.0),
               lambda o: o["outs"][1].__setitem__(1, 3.0),  # int vs float
               lambda o: o["outs"][0][1].__setitem__("dtype", "torch.float64"),
               lambda o: o["outs"][0][1].__setitem__("grad_fn", "MulBackward0"),
               lambda o: o["outs"][0][1].__setitem__("repr", "tensor([1., 2.])"),
               lambda o: o["outs"].pop(),
               lambda o: o["warnings"].clear(),
               lambda o: o["warnings"][0].__setitem__("message", "Different"),
               lambda o: o.__setitem__("exception", None),
               lambda o: o["exception"].__setitem__("type", "RuntimeError"),
               lambda o: o["exception"].__setitem__("message", "something else")):
        assert compare(obs, changed(fn)), "compare() missed a difference"
    assert key_phrase("one of the variables needed for gradient computation has been modified "
                      "by an inplace operation: [x]") == \
        "one of the variables needed for gradient computati"
    assert key_phrase("zeros: Dimension size must be non-negative.") == "zeros"
    assert first_sentence("The .grad attribute of a Tensor. Its .grad") == \
        "The .grad attribute of a Tensor"


@pytest.mark.torch_live
@pytest.mark.parametrize("case", _params())
def test_matches_live_torch(case: dict) -> None:
    torch = pytest.importorskip("torch")
    _check(observe(case["code"], torch), observe(case["code"], torchlike_jax), case)


@pytest.mark.torch_live
@pytest.mark.parametrize("case", _params(with_xfail=False))
def test_fixture_is_fresh(case: dict) -> None:
    torch = pytest.importorskip("torch")
    rec = RECORDED.get(case["name"])
    if rec is None:
        pytest.fail(f"no recorded fixture for {case['name']!r}: {REGENERATE}")
    problems = compare(rec["observation"], observe(case["code"], torch), key=case.get("key"))
    assert not problems, (f"the fixture (torch {FIXTURE['torch_version']}) no longer matches torch "
                          f"{torch.__version__} for {case['name']}: {REGENERATE}\n"
                          + "\n".join(problems))
