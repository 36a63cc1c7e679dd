"""Run one snippet under a library and compare what two libraries gave back, for tests whose
cases are short torch snippets (``tests/ops/test_surface_extras.py``,
``tests/ops/test_out_argument.py``).

:func:`observe` returns the snippet's result — or the exception it raised, which is then the
result compared — and the warnings it raised, with torch's C++ suffix "(Triggered internally at
...)" removed. :func:`assert_same` compares two such results: the same exception class and first
message line, or the same nested structure of tensors (dtype, shape, values), sizes and printed
values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

import torchlike_jax


def observe(run: Callable[[], Any]) -> tuple[Any, list[tuple[type, str]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = run()
        except Exception as e:  # noqa: BLE001 - the exception is the result being compared
            out = e
    return out, [(w.category, str(w.message).split(" (Triggered internally")[0])
                 for w in caught]


def flatten(out: Any) -> list:
    if isinstance(out, (tuple, list)):
        return [v for o in out for v in flatten(o)]
    return [out]


def assert_same(ours: Any, theirs: Any, real: Any, *, rtol: float = 1e-6, atol: float = 0.0,
                message: Callable[[str], str] = lambda text: text) -> None:
    """``message`` normalises torch's first message line before it is compared."""
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), (ours, theirs)
        assert str(ours).split("\n")[0] == message(str(theirs).split("\n")[0])
        return
    assert not isinstance(ours, Exception), ours
    mine, ref = flatten(ours), flatten(theirs)
    assert len(mine) == len(ref)
    for m, t in zip(mine, ref, strict=True):
        if isinstance(t, real.Tensor):
            assert isinstance(m, torchlike_jax.Tensor)
            assert str(m.dtype) == str(t.dtype) and tuple(m.shape) == tuple(t.shape)
            if str(t.dtype) == "torch.bfloat16":  # numpy has no bfloat16
                m, t = m.float(), t.float()
            np.testing.assert_allclose(m.detach().numpy(), t.detach().numpy(), rtol=rtol,
                                       atol=atol)
        elif isinstance(t, real.Size):
            assert tuple(m) == tuple(t)
        else:
            assert str(m) == str(t)
