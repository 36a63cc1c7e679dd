"""Elementwise unary math ops."""

from __future__ import annotations

from . import FLOATS, OpInfo, Sample, T, inplace_of

OPS = [
    OpInfo("torch.sin", lambda t, x: t.sin(x),
           [Sample((T((3, 4)),)), Sample((T(()),)), Sample((T((0, 3)),)),
            Sample((T((3, 2), transposed=True),))]),
    inplace_of("Tensor.sin_", "sin_", [Sample((T((3, 4)),))], dtypes=FLOATS),
    OpInfo("torch.exp", lambda t, x: t.exp(x), [Sample((T((2, 3)),)),
                                                Sample((T((4,), dtype="int64"),))]),
]
