"""Tensor repr text must equal real PyTorch's, character for character.

The expected strings live in ``tests/fixtures/formatting.json``; they were produced by real torch
with ``tools/record_formatting_fixtures.py`` (run it again to regenerate). Each case stores the
input as data, which :func:`build_array` turns back into a numpy array without torch. When torch
is importable, the ``torch_live`` tests re-run the recorder against torch and compare directly.
"""

from __future__ import annotations

import ast
import math
from pathlib import Path
from typing import Any

import ml_dtypes
import numpy as np
import pytest

from tests.support.recorded import load_fixture, load_recorder, stale_fixture_message
from torchlike_jax._formatting import format_tensor, get_printoptions, set_printoptions

FIXTURES = load_fixture("formatting.json")
CASES: list[dict[str, Any]] = FIXTURES["cases"]
DEFAULTS = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80, "sci_mode": None}


@pytest.fixture(autouse=True)
def _restore_printoptions():
    saved = get_printoptions()
    yield
    set_printoptions(**saved)


def build_array(case: dict[str, Any]) -> np.ndarray:
    """Rebuild a case's numpy input from its JSON spec (see the recorder's docstring)."""
    if case["dtype"] == "bfloat16":
        dtype = np.dtype(ml_dtypes.bfloat16)
    else:
        dtype = np.dtype(case["dtype"])
    shape = tuple(case["shape"])
    recipe = case.get("recipe")
    if recipe is not None:
        integral = dtype.kind in "biu"
        v = np.arange(recipe["n"], dtype=np.int64 if integral else np.float64)
        if recipe["mod"] is not None:
            v = v % (int(recipe["mod"]) if integral else recipe["mod"])
        if integral:
            v = v * int(recipe["scale"]) + int(recipe["offset"])
        else:
            v = v * recipe["scale"] + recipe["offset"]
        if recipe["alt_sign"]:
            v[1::2] = -v[1::2]
        if dtype.kind == "c":
            v = v + 1j * v[::-1]
        return v.astype(dtype).reshape(shape)
    values = case["values"]
    if dtype.kind == "c":
        return np.array([complex(float(r), float(i)) for r, i in values], dtype=dtype).reshape(
            shape
        )
    if dtype.kind in "biu":
        return np.array(values, dtype=dtype).reshape(shape)
    # floats: "nan"/"inf"/"-inf" arrive as strings; go through float64 so bfloat16 rounds once
    return np.array([float(v) for v in values], dtype=np.float64).astype(dtype).reshape(shape)


def _format_case(case: dict[str, Any], values: np.ndarray | None = None) -> str:
    set_printoptions(profile="default")
    set_printoptions(**case.get("printoptions", {}))
    try:
        return format_tensor(
            build_array(case) if values is None else values,
            case["torch_dtype"],
            is_default_dtype=case["is_default_dtype"],
            extras=list(case["extras"]),
        )
    finally:
        set_printoptions(profile="default")


# ----------------------------------------------------------------------------------------------
# recorded torch output


def test_fixture_file_is_substantial() -> None:
    assert FIXTURES["torch_version"].startswith("2.13")
    assert len(CASES) >= 60
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_matches_recorded_torch_repr(case: dict[str, Any]) -> None:
    assert _format_case(case) == case["repr"]


# ----------------------------------------------------------------------------------------------
# print options API


def test_default_printoptions() -> None:
    set_printoptions(profile="default")
    assert get_printoptions() == DEFAULTS


def test_printoptions_profiles_and_overrides() -> None:
    set_printoptions(profile="short")
    assert get_printoptions() == {**DEFAULTS, "precision": 2, "edgeitems": 2}
    set_printoptions(profile="full", precision=6)
    opts = get_printoptions()
    assert opts["threshold"] == math.inf and opts["precision"] == 6
    set_printoptions(profile="default")
    assert get_printoptions() == DEFAULTS


def test_sci_mode_is_reset_by_any_call() -> None:
    # torch assigns sci_mode on every call, so a later call without it goes back to automatic
    set_printoptions(sci_mode=True)
    assert get_printoptions()["sci_mode"] is True
    set_printoptions(precision=3)
    assert get_printoptions()["sci_mode"] is None


def test_get_printoptions_round_trips() -> None:
    set_printoptions(precision=7, linewidth=50, sci_mode=False)
    saved = get_printoptions()
    set_printoptions(profile="default")
    set_printoptions(**saved)
    assert get_printoptions() == saved


def test_printoptions_change_output() -> None:
    x = np.array([1.123456, 2.0], dtype=np.float32)
    kw: dict[str, Any] = {"is_default_dtype": True, "extras": []}
    assert format_tensor(x, "torch.float32", **kw) == "tensor([1.1235, 2.0000])"
    set_printoptions(precision=2)
    assert format_tensor(x, "torch.float32", **kw) == "tensor([1.12, 2.00])"
    set_printoptions(sci_mode=True)
    assert format_tensor(x, "torch.float32", **kw) == "tensor([1.12e+00, 2.00e+00])"


def test_suffix_order_and_requires_grad() -> None:
    out = format_tensor(
        np.array([1.0, 2.0], dtype=np.float64),
        "torch.float64",
        is_default_dtype=False,
        extras=["grad_fn=<MulBackward0>"],
    )
    assert out == "tensor([1., 2.], dtype=torch.float64, grad_fn=<MulBackward0>)"


def test_accepts_plain_sequences() -> None:
    out = format_tensor([1, 2], "torch.int32", is_default_dtype=False, extras=[])  # type: ignore[arg-type]
    assert out == "tensor([1, 2], dtype=torch.int32)"


def test_large_input_is_fast() -> None:
    # summarised tensors only look at their edges
    big = np.arange(4_000_000, dtype=np.float32).reshape(2000, 2000)
    out = format_tensor(big, "torch.float32", is_default_dtype=True, extras=[])
    assert out.startswith("tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ...,")


def test_module_is_pure_numpy() -> None:
    import torchlike_jax._formatting as mod

    tree = ast.parse(Path(mod.__file__).read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            imported.add((node.module or "").split(".")[0])
    assert "torch" not in imported
    assert "torchlike_jax" not in imported
    assert imported <= {
        "__future__",
        "contextlib",
        "dataclasses",
        "math",
        "numpy",
        "typing",
        "collections",
    }


# ----------------------------------------------------------------------------------------------
# live comparison with real torch


@pytest.mark.torch_live
def test_live_torch_matches_fixtures_and_formatter() -> None:
    pytest.importorskip("torch")
    recorder = load_recorder("record_formatting_fixtures")
    recorded_names = [case["name"] for case in recorder.CASES]
    assert recorded_names == [case["name"] for case in CASES], (
        stale_fixture_message("record_formatting_fixtures")
    )
    failures = []
    for spec, stored in zip(recorder.CASES, CASES, strict=True):
        ours = build_array(stored)
        theirs = recorder.build_array(spec)
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape, spec["name"]
        assert np.array_equal(ours, theirs, equal_nan=ours.dtype.kind in "fc") or np.array_equal(
            ours.view(np.uint8), theirs.view(np.uint8)
        ), spec["name"]
        live = recorder.record_case(spec)
        assert live["repr"] == stored["repr"], f"{spec['name']}: stale fixture"
        assert live["extras"] == stored["extras"]
        assert live["is_default_dtype"] == stored["is_default_dtype"]
        got = _format_case(live, ours)
        if got != live["repr"]:
            failures.append(f"{spec['name']}:\n{got}\n!=\n{live['repr']}")
    assert not failures, "\n\n".join(failures)
