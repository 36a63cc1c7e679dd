"""``torch.testing.assert_close`` / ``make_tensor`` must behave as real PyTorch's.

The oracle is ``tests/fixtures/testing_tools.json``: snippets from
``tools/record_testing_fixtures.py`` run on torch 2.13 (results, exception classes, messages,
warnings). Each snippet runs here unchanged with ``torchlike_jax`` as ``torch``. With torch
installed, the ``torch_live`` tests also re-record the snippets (a stale fixture fails) and
compare random inputs directly.

A type named in a message is compared as printed: our tensor class prints as ``torch.Tensor``,
as torch's does.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import torchlike_jax as torch
from tests.support.recorded import as_recorded, stale_fixture_message
from tests.support.testing_tools import FIXTURES, RECORDER
from torchlike_jax.testing import _comparison


def normalise(observation: dict[str, Any]) -> dict[str, Any]:
    return as_recorded(observation)


def _ids(kind: str) -> list[str]:
    return [c["name"] for c in FIXTURES[kind]]


@pytest.mark.parametrize("kind", ["assert_close", "make_tensor"])
def test_every_case_is_recorded(kind: str) -> None:
    """A case edited or added in the recorder without re-recording fails here (no torch needed)."""
    cases = dict(RECORDER.CASES)[kind]
    recorded = {c["name"]: c["code"] for c in FIXTURES[kind]}
    assert {c["name"]: c["code"] for c in cases} == recorded, (
        stale_fixture_message("record_testing_fixtures"))


@pytest.mark.parametrize("case", FIXTURES["assert_close"], ids=_ids("assert_close"))
def test_assert_close_matches_torch(case: dict[str, Any]) -> None:
    assert normalise(RECORDER.observe(torch, case)) == case["observed"]


@pytest.mark.parametrize("case", FIXTURES["make_tensor"], ids=_ids("make_tensor"))
def test_make_tensor_matches_torch(case: dict[str, Any]) -> None:
    assert normalise(RECORDER.observe(torch, case)) == case["observed"]


# ---- properties checked without torch ---------------------------------------------------------
def test_exposed_as_torch_testing() -> None:
    import torchlike_jax.testing as testing

    assert torch.testing is testing
    assert torch.testing.assert_close is _comparison.assert_close
    assert callable(torch.testing.make_tensor)


@pytest.mark.parametrize(("dtype", "tols"), [
    (torch.float16, (1e-3, 1e-5)), (torch.bfloat16, (1.6e-2, 1e-5)),
    (torch.float32, (1.3e-6, 1e-5)), (torch.float64, (1e-7, 1e-7)),
    (torch.complex64, (1.3e-6, 1e-5)), (torch.complex128, (1e-7, 1e-7)),
    (torch.int64, (0.0, 0.0)), (torch.uint8, (0.0, 0.0)), (torch.bool, (0.0, 0.0)),
])
def test_default_tolerances(dtype, tols) -> None:
    assert _comparison.default_tolerances(dtype) == tols


def test_default_tolerances_take_the_loosest() -> None:
    assert _comparison.default_tolerances(torch.float16, torch.float64) == (1e-3, 1e-5)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_tolerance_boundary(dtype) -> None:
    """Just inside atol + rtol * |expected| passes, clearly outside fails (no torch needed)."""
    rtol, atol = _comparison.default_tolerances(dtype)
    expected = torch.tensor([1024.0], dtype=dtype)
    inside = torch.tensor([1024.0 + 0.5 * (atol + rtol * 1024.0)], dtype=dtype)
    outside = torch.tensor([1024.0 + 8 * (atol + rtol * 1024.0)], dtype=dtype)
    if inside.item() != 1024.0:  # representable in dtype
        torch.testing.assert_close(inside, expected)
    with pytest.raises(AssertionError, match="Tensor-likes are not close!"):
        torch.testing.assert_close(outside, expected)


def test_msg_callable_gets_the_item_id() -> None:
    seen = []
    with pytest.raises(AssertionError, match="^wrapped$"):
        torch.testing.assert_close({"w": [torch.tensor([1.0])]}, {"w": [torch.tensor([2.0])]},
                                   msg=lambda m: seen.append(m) or "wrapped")
    assert seen[0].endswith("The failure occurred for item ['w'][0]")


def test_does_not_touch_autograd_state() -> None:
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    torch.testing.assert_close(y, torch.tensor([2.0, 4.0]))
    y.sum().backward()
    torch.testing.assert_close(x.grad, torch.tensor([2.0, 2.0]))


def test_make_tensor_is_seeded_by_manual_seed() -> None:
    torch.manual_seed(123)
    a = torch.testing.make_tensor(5, dtype=torch.float32, device="cpu")
    torch.manual_seed(123)
    b = torch.testing.make_tensor(5, dtype=torch.float32, device="cpu")
    torch.testing.assert_close(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64,
                                   torch.complex64, torch.complex128, torch.int8, torch.int16,
                                   torch.int32, torch.int64, torch.uint8, torch.bool])
def test_make_tensor_every_dtype_in_range(dtype) -> None:
    t = torch.testing.make_tensor(64, dtype=dtype, device="cpu", low=-3, high=4)
    assert t.dtype is dtype and t.shape == (64,)
    v = np.asarray(t.tolist())
    parts = [v.real, v.imag] if np.iscomplexobj(v) else [v.astype(np.float64)]
    lo, hi = (0, 2) if dtype is torch.bool else ((0, 4) if dtype is torch.uint8 else (-3, 4))
    for p in parts:
        assert (p >= lo).all() and (p < hi).all()


def test_assert_allclose_is_deprecated_and_lenient() -> None:
    with pytest.warns(FutureWarning, match="assert_allclose"):
        torch.testing.assert_allclose(torch.tensor([1.0, float("nan")]), [1.00001, float("nan")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        with pytest.raises(AssertionError, match="not close"):
            torch.testing.assert_allclose(torch.tensor([1.0]), [1.1])


# ---- live comparison with torch ---------------------------------------------------------------
@pytest.mark.torch_live
def test_fixture_is_fresh() -> None:
    real = pytest.importorskip("torch")
    real.manual_seed(0)
    for kind in ("assert_close", "make_tensor"):
        for case in FIXTURES[kind]:
            assert RECORDER.observe(real, case) == case["observed"], case["name"]


_DTYPES = ["float16", "bfloat16", "float32", "float64", "int32", "int64", "bool", "complex64"]


@st.composite
def _pair(draw) -> tuple[str, list, list]:
    dtype = draw(st.sampled_from(_DTYPES))
    n = draw(st.integers(1, 6))
    if dtype in ("int32", "int64"):
        elems = st.integers(-50, 50)
    elif dtype == "bool":
        elems = st.booleans()
    else:
        elems = st.floats(-100, 100, width=32) | st.sampled_from([float("nan"), float("inf"),
                                                                  -float("inf"), 0.0])
    actual = draw(st.lists(elems, min_size=n, max_size=n))
    # mostly tiny perturbations of actual, so both outcomes and boundary cases occur
    noise = st.sampled_from([0.0, 1e-7, 1e-6, 1e-5, 1e-3, 1e-2, 1.0])
    expected = []
    for a in actual:
        if dtype == "bool":
            expected.append(draw(st.booleans()) if draw(st.booleans()) else a)
        elif dtype in ("int32", "int64"):
            expected.append(a + draw(st.sampled_from([0, 0, 1, -3])))
        else:
            expected.append(a * (1 + draw(noise)) if draw(st.booleans()) else a + draw(noise))
    return dtype, actual, expected


@pytest.mark.torch_live
@settings(max_examples=120, deadline=None)
@given(_pair(), st.sampled_from([None, (0.0, 0.0), (1e-3, 1e-4)]), st.booleans())
def test_assert_close_random_against_torch(pair, tols, equal_nan) -> None:
    real = pytest.importorskip("torch")
    dtype, actual, expected = pair
    kw: dict[str, Any] = {"equal_nan": equal_nan}
    if tols is not None:
        kw["rtol"], kw["atol"] = tols

    def outcome(mod) -> Any:
        d = getattr(mod, dtype)
        try:
            mod.testing.assert_close(mod.tensor(actual, dtype=d), mod.tensor(expected, dtype=d),
                                     **kw)
        except AssertionError as e:
            return str(e)
        return None

    assert outcome(torch) == outcome(real)
