"""Shared harness of tests/unit/test_func.py and tests/unit/test_functional.py.

A case is a function of the library module (``torchlike_jax`` or real ``torch``) written once
against the torch API; :func:`norm` turns its result (or the exception it raised) into a
library-independent picture that :func:`same` compares across libraries and :func:`expect`
compares with a closed-form / numpy expectation.
"""

from __future__ import annotations

import jax
import numpy as np

RAISE = object()


# ---- harness -------------------------------------------------------------------------------------
def run(case, lib):
    try:
        return case(lib)
    except Exception as err:  # the exception is the result
        return (RAISE, type(err).__name__, str(err))


def is_tensor(x):
    return type(x).__name__ in ("Tensor", "Parameter") and hasattr(x, "dtype")


def norm(x):
    """A library-independent picture of a result: containers kept, tensors as arrays."""
    if is_tensor(x):
        return ("tensor", np.asarray(x.detach().numpy()), str(x.dtype), bool(x.requires_grad),
                x.grad_fn is not None)
    if isinstance(x, tuple) and x and x[0] is RAISE:
        return x
    if isinstance(x, tuple):
        return tuple(norm(v) for v in x)
    if isinstance(x, list):
        return [norm(v) for v in x]
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    return x


def same(a, b, rtol=1e-5, atol=1e-6, path="result", flags=True):
    """``a`` and ``b`` (from :func:`norm`) agree; ``flags`` also compares requires_grad and
    grad_fn presence."""
    if isinstance(a, tuple) and a and a[0] is RAISE:
        assert isinstance(b, tuple) and b and b[0] is RAISE, f"{path}: {b!r} vs raise {a}"
        assert a[1:] == b[1:], f"{path}: {a[1:]} != {b[1:]}"
        return
    if isinstance(a, tuple) and a and a[0] == "tensor":
        assert isinstance(b, tuple) and b and b[0] == "tensor", f"{path}: {b!r} is no tensor"
        assert a[1].shape == b[1].shape, f"{path}: shape {a[1].shape} != {b[1].shape}"
        assert a[2] == b[2], f"{path}: dtype {a[2]} != {b[2]}"
        if flags:
            assert a[3] == b[3], f"{path}: requires_grad {a[3]} != {b[3]}"
            assert a[4] == b[4], f"{path}: has grad_fn {a[4]} != {b[4]}"
        np.testing.assert_allclose(a[1], b[1], rtol=rtol, atol=atol, err_msg=path)
        return
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, rtol, atol, f"{path}[{i}]", flags)
    elif isinstance(a, dict):
        assert list(a) == list(b), f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            same(a[k], b[k], rtol, atol, f"{path}[{k!r}]", flags)
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


class Tracked:
    """Expectation of a float32 tensor that requires grad and has a ``grad_fn``."""

    def __init__(self, value):
        self.value = value


def expect(result, expected, rtol=1e-5, atol=1e-6, path="result"):
    """Compare our result with an expectation: numpy/jax arrays stand for ordinary float32
    tensors, containers for containers, Python values for themselves, ``(RAISE, type, msg)``."""
    if isinstance(expected, tuple) and expected and expected[0] is RAISE:
        assert isinstance(result, tuple) and result and result[0] is RAISE, \
            f"{path}: expected {expected[1]}, got {result!r}"
        assert result[1] == expected[1], f"{path}: {result[1]} != {expected[1]}"
        assert expected[2] in result[2], f"{path}: {expected[2]!r} not in {result[2]!r}"
        return
    tracked = isinstance(expected, Tracked)
    if tracked or isinstance(expected, (np.ndarray, np.generic, jax.Array)):
        assert isinstance(result, tuple) and result and result[0] == "tensor", \
            f"{path}: expected a tensor, got {result!r}"
        want = np.asarray(expected.value if tracked else expected)
        assert result[1].shape == want.shape, f"{path}: shape {result[1].shape} != {want.shape}"
        assert result[2] == "torch.float32", f"{path}: dtype {result[2]}"
        if tracked:
            assert result[3] and result[4], f"{path}: expected a tensor with a grad_fn"
        else:
            assert not result[3] and not result[4], f"{path}: not an ordinary tensor"
        np.testing.assert_allclose(result[1], want, rtol=rtol, atol=atol, err_msg=path)
        return
    assert type(result) is type(expected), f"{path}: {type(result)} != {type(expected)}"
    if isinstance(expected, (tuple, list)):
        assert len(result) == len(expected), f"{path}: length"
        for i, (r, e) in enumerate(zip(result, expected, strict=True)):
            expect(r, e, rtol, atol, f"{path}[{i}]")
    elif isinstance(expected, dict):
        assert list(result) == list(expected), f"{path}: keys {list(result)}"
        for k in expected:
            expect(result[k], expected[k], rtol, atol, f"{path}[{k!r}]")
    else:
        assert result == expected, f"{path}: {result!r} != {expected!r}"


def case_registry(cases: dict):
    """A decorator registering ``fn(lib)`` in ``cases`` with its expectation (a value, or a
    zero-argument function computing it)."""

    def case(expected):
        def deco(fn):
            cases[fn.__name__] = (fn, expected)
            return fn

        return deco

    return case


def err(kind, msg):
    return (RAISE, kind, msg)
