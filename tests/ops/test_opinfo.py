"""Every op of the op-info table (tests/opinfo) against torch 2.13's recorded answers.

Per case: forward values (per-dtype tolerances), exact dtypes and shapes, grad_fn names, and the
vector-Jacobian product for seeded cotangents; errors must have torch's class and key phrase.
Per differentiable op: a float64 finite-difference ``gradcheck`` on its first sample.
Re-record with ``tools/record_opinfo_fixtures.py`` after changing a sample.
"""

from __future__ import annotations

from functools import cache

import pytest

import torchlike_jax as torch
from tests import opinfo
from tests.support.recorded import REPO_ROOT, fixture_path, load_fixture

OPS = opinfo.load_ops()
CASES = opinfo.cases(OPS)


@cache
def _fixture(area: str) -> dict:
    if not fixture_path("opinfo", f"{area}.json").exists():
        return {}
    return load_fixture("opinfo", f"{area}.json")["cases"]


def _expected(op, index, dtype) -> dict:
    cid = opinfo.case_id(op, index, dtype)
    exp = _fixture(op.area).get(cid)
    if exp is None:
        pytest.fail(f"{cid} has no recorded torch answer: run tools/record_opinfo_fixtures.py "
                    f"--area {op.area}")
    if exp["spec_hash"] != opinfo.spec_hash(op, index, dtype):
        pytest.fail(f"{cid} changed since it was recorded: re-run "
                    f"tools/record_opinfo_fixtures.py --area {op.area}")
    return exp


@pytest.mark.parametrize("op,index,dtype", CASES,
                         ids=[opinfo.case_id(*c) for c in CASES])
def test_op_matches_torch(op, index, dtype):
    exp = _expected(op, index, dtype)
    if "unsupported" in exp:
        pytest.skip(f"torch itself raises: {exp['unsupported']['message'][:80]}")
    got = opinfo.observe_quietly(torch, op, index, dtype)
    diffs = opinfo.compare(exp, got, op)
    assert not diffs, "\n".join(diffs)


GRADCHECK_OPS = [op for op in OPS if op.grad and op.gradcheck]


@pytest.mark.parametrize("op", GRADCHECK_OPS, ids=[op.name for op in GRADCHECK_OPS])
def test_gradcheck_float64(op):
    check = opinfo.gradcheck_case(torch, op)
    if check is None:
        pytest.skip("no runnable sample with a floating input")
    assert check()


def test_op_count():
    """The issue's bar: at least 300 distinct ops (in-place variants not counted)."""
    names = {op.name for op in OPS if not op.inplace}
    assert len(names) >= 300, len(names)


def test_every_fixture_case_is_still_in_the_table():
    """A recorded case whose op or sample was removed is stale: re-record the area."""
    live = {opinfo.case_id(*c) for c in CASES}
    for area in {op.area for op in OPS}:
        stale = set(_fixture(area)) - live
        assert not stale, f"{area}: stale fixture cases {sorted(stale)[:5]}"


def test_support_table_is_current():
    """docs/op_support.md is generated (tools/make_op_support_table.py): one row per OpInfo."""
    import re

    text = (REPO_ROOT / "docs" / "op_support.md").read_text()
    rows = set(re.findall(r"^\| `([^`]+)` \|", text, re.M))
    names = {op.name for op in OPS}
    assert rows == names, (f"regenerate docs/op_support.md: missing {sorted(names - rows)[:5]}, "
                           f"extra {sorted(rows - names)[:5]}")
