"""Dtype objects, the 64-bit policy and torch's type promotion (committed table + live torch)."""

from __future__ import annotations

import pickle

import jax
import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import torchlike_jax as torch

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
         "float64", "complex64", "complex128"]


# ---- dtype objects -------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_str_repr_and_identity(name):
    d = getattr(torch, name)
    assert isinstance(d, torch.dtype)
    assert str(d) == repr(d) == f"torch.{name}"
    assert d == getattr(torch, name) and hash(d) == hash(getattr(torch, name))
    assert pickle.loads(pickle.dumps(d)) is d


def test_aliases():
    assert torch.float is torch.float32
    assert torch.double is torch.float64
    assert torch.half is torch.float16
    assert torch.long is torch.int64
    assert torch.int is torch.int32
    assert torch.short is torch.int16
    assert torch.cfloat is torch.complex64
    assert torch.cdouble is torch.complex128
    assert str(torch.bool) == "torch.bool"
    assert torch.float32 != torch.float64


@pytest.mark.parametrize("name,fp,cx,size,signed", [
    ("bool", False, False, 1, False), ("uint8", False, False, 1, False),
    ("int8", False, False, 1, True), ("int16", False, False, 2, True),
    ("int32", False, False, 4, True), ("int64", False, False, 8, True),
    ("float16", True, False, 2, True), ("bfloat16", True, False, 2, True),
    ("float32", True, False, 4, True), ("float64", True, False, 8, True),
    ("complex64", False, True, 8, True), ("complex128", False, True, 16, True),
])
def test_dtype_properties(name, fp, cx, size, signed):
    d = getattr(torch, name)
    assert d.is_floating_point is fp
    assert d.is_complex is cx
    assert d.itemsize == size
    assert d.is_signed is signed
    t = torch.zeros(2, dtype=d)
    assert t.dtype is d
    assert t.is_floating_point() is fp and t.is_complex() is cx
    assert t.element_size() == size


# ---- 64-bit policy -------------------------------------------------------------------------
def test_x64_enabled_at_import():
    assert jax.config.jax_enable_x64


def test_float64_and_int64_are_really_64_bit():
    f = torch.tensor([1.0], dtype=torch.float64)
    i = torch.tensor([2**40])
    assert f._array.dtype == np.float64
    assert i.dtype is torch.int64 and i._array.dtype == np.int64
    assert i.item() == 2**40
    assert (torch.tensor(1.0, dtype=torch.float64) + 1e-12).item() != 1.0


def test_float32_stays_float32():
    assert torch.tensor([1.0]).dtype is torch.float32
    assert (torch.tensor([1.0]) * 2.5).dtype is torch.float32
    assert (torch.tensor([1.0]) * 2.5)._array.dtype == np.float32
    assert (torch.ones(3) / 3).dtype is torch.float32
    assert torch.exp(torch.ones(2)).dtype is torch.float32
    assert torch.arange(3.0).dtype is torch.float32
    assert torch.rand(2).dtype is torch.float32
    assert (torch.tensor(1.0) + torch.tensor(1.0, dtype=torch.float64)).dtype is torch.float64
    # a dimensioned float32 tensor is not widened by a 0-dim float64 one
    assert (torch.ones(2) + torch.tensor(1.0, dtype=torch.float64)).dtype is torch.float32


def test_set_default_dtype():
    try:
        torch.set_default_dtype(torch.float64)
        assert torch.get_default_dtype() is torch.float64
        assert torch.tensor([1.5]).dtype is torch.float64
        assert torch.zeros(2).dtype is torch.float64
        assert (torch.tensor([1]) * 0.5).dtype is torch.float64
        assert torch.tensor(1j).dtype is torch.complex128
    finally:
        torch.set_default_dtype(torch.float32)
    assert torch.get_default_dtype() is torch.float32
    with pytest.raises(TypeError, match="only floating-point types"):
        torch.set_default_dtype(torch.int64)


# ---- promotion: a committed table, verified against torch 2.13 -----------------------------
PROMOTE_TABLE = [
    ("uint8", "int8", "int16"), ("bool", "uint8", "uint8"), ("int32", "int64", "int64"),
    ("int64", "float16", "float16"), ("float16", "bfloat16", "float32"),
    ("bfloat16", "float32", "float32"), ("float64", "complex64", "complex128"),
    ("uint8", "int16", "int16"), ("int8", "uint8", "int16"), ("bool", "float64", "float64"),
    ("complex64", "complex128", "complex128"), ("int16", "float32", "float32"),
]


@pytest.mark.parametrize("a,b,want", PROMOTE_TABLE)
def test_promote_types_table(a, b, want):
    assert torch.promote_types(getattr(torch, a), getattr(torch, b)) is getattr(torch, want)
    assert torch.promote_types(getattr(torch, b), getattr(torch, a)) is getattr(torch, want)


RESULT_TABLE = [
    (lambda: torch.ones(2, dtype=torch.int32) + torch.tensor(5), "int32"),
    (lambda: torch.ones(2, dtype=torch.int32) + torch.tensor(5.0), "float32"),
    (lambda: torch.ones(2, dtype=torch.float16) + torch.tensor(5.0, dtype=torch.float64),
     "float16"),
    (lambda: torch.ones(2, dtype=torch.uint8) + (-1), "uint8"),
    (lambda: torch.ones(2, dtype=torch.uint8) + torch.ones(2, dtype=torch.int8), "int16"),
    (lambda: torch.ones(2, dtype=torch.bool) + torch.ones(2, dtype=torch.bool), "bool"),
    (lambda: torch.ones(2, dtype=torch.bool) + 1, "int64"),
    (lambda: torch.ones(2, dtype=torch.bool) + 1.0, "float32"),
    (lambda: torch.tensor(1, dtype=torch.int8) + torch.tensor(1, dtype=torch.int16), "int16"),
    (lambda: torch.ones(2, dtype=torch.int64) + 1j, "complex64"),
    (lambda: torch.ones(2, dtype=torch.float64) + 1j, "complex128"),
    (lambda: torch.ones(2, dtype=torch.bfloat16) * 2.5, "bfloat16"),
    (lambda: torch.tensor(1.0, dtype=torch.float64) * torch.ones(2, dtype=torch.int32),
     "float64"),
    (lambda: torch.ones(2, dtype=torch.int16) / 2, "float32"),
    (lambda: torch.ones(2, dtype=torch.int16) // 2, "int16"),
    (lambda: torch.ones(2, dtype=torch.float16) / torch.ones(2, dtype=torch.int64), "float16"),
    (lambda: torch.ones(2, dtype=torch.int32) < 2.5, "bool"),
    (lambda: torch.ones(2, dtype=torch.int64).sum(), "int64"),
    (lambda: torch.ones(2, dtype=torch.bool).sum(), "int64"),
    (lambda: torch.ones(2, dtype=torch.int8).sum(), "int64"),
    (lambda: torch.exp(torch.ones(2, dtype=torch.int32)), "float32"),
    (lambda: torch.exp(torch.ones(2, dtype=torch.float64)), "float64"),
    (lambda: torch.ones(2, dtype=torch.int32).abs(), "int32"),
    (lambda: torch.sqrt(torch.ones(2, dtype=torch.bool)), "float32"),
    (lambda: np.float64(2.0) * torch.ones(2), "float32"),  # numpy scalars act like Python's
    (lambda: torch.ones(2, dtype=torch.int32) * np.int64(3), "int32"),
    (lambda: np.int32(3) * torch.ones(2, dtype=torch.float16), "float16"),
]


@pytest.mark.parametrize("fn,want", RESULT_TABLE)
def test_result_dtype_table(fn, want):
    out = fn()
    assert isinstance(out, torch.Tensor)
    assert out.dtype is getattr(torch, want)
    assert out._array.dtype == getattr(torch, want).np


def test_result_type_function():
    assert torch.result_type(torch.ones(2, dtype=torch.uint8), 300) is torch.uint8
    assert torch.result_type(torch.tensor(1.0), torch.ones(2, dtype=torch.int64)) is torch.float32
    assert torch.result_type(torch.tensor([1]), 1.0) is torch.float32
    assert torch.result_type(2, 3.0) is torch.float32


# ---- promotion: property test against the real torch ---------------------------------------
_SCALARS = {"bool": True, "int": 2, "float": 2.5}
operand = st.one_of(
    st.tuples(st.just("t"), st.sampled_from(NAMES), st.sampled_from([0, 1])),
    st.tuples(st.just("s"), st.sampled_from(sorted(_SCALARS)), st.just(0)),
)


def _make(mod, spec):
    kind, name, ndim = spec
    if kind == "s":
        return _SCALARS[name]
    return mod.ones((2,) * ndim, dtype=getattr(mod, name))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=operand, b=operand)
def test_promotion_matches_torch(a, b):
    real = pytest.importorskip("torch")
    assume(a[0] == "t" or b[0] == "t")
    want = (_make(real, a) + _make(real, b)).dtype
    assume(want is not real.complex32)  # no complex32 here
    got = (_make(torch, a) + _make(torch, b)).dtype
    assert str(got) == str(want), (a, b)
    assert str(torch.result_type(_make(torch, a), _make(torch, b))) == str(
        real.result_type(_make(real, a), _make(real, b)))


def test_promote_types_full_lattice_matches_torch():
    real = pytest.importorskip("torch")
    for a in NAMES:
        for b in NAMES:
            want = real.promote_types(getattr(real, a), getattr(real, b))
            assert str(torch.promote_types(getattr(torch, a), getattr(torch, b))) == str(want)
