"""Constructors: factories checked against torch (no tensor inputs: grad=False) and the
tensor-combining constructors block_diag / cartesian_prod / combinations."""

from __future__ import annotations

from . import ALL, FLOATS, INTS, OpInfo, Sample, T

NUM = FLOATS + INTS


def _dt(t, dtype):
    return None if dtype is None else getattr(t, dtype)


def _factory(name: str):
    """``t.<name>(*args, dtype=...)`` with the dtype given by name (a plain JSON-able kwarg)."""

    def fn(t, *args, dtype=None, **kw):
        return getattr(t, name)(*args, dtype=_dt(t, dtype), **kw)

    return fn


def _like(name: str):
    def fn(t, x, *args, dtype=None):
        return getattr(t, name)(x, *args, dtype=_dt(t, dtype))

    return fn


_NO_TENSOR = dict(dtypes=("float32",), grad=False)

OPS = [
    OpInfo("torch.tril_indices", _factory("tril_indices"),
           [Sample((3, 3)), Sample((3, 4, 1)), Sample((4, 3, -1), {"dtype": "int32"}),
            Sample((0, 3)), Sample((3, 3), {"dtype": "float32"}, error=True)], **_NO_TENSOR),
    OpInfo("torch.triu_indices", _factory("triu_indices"),
           [Sample((3, 3)), Sample((3, 4, 1)), Sample((4, 3, -1), {"dtype": "int32"}),
            Sample((2, 0))], **_NO_TENSOR),
    OpInfo("torch.logspace", _factory("logspace"),
           [Sample((0, 2, 5)), Sample((-1.0, 1.0, 4), {"base": 2.0, "dtype": "float64"}),
            Sample((0, 3, 4), {"dtype": "int64"}), Sample((1, 2, 0)), Sample((1, 2, 1)),
            Sample((0, 1, -1), error=True)], **_NO_TENSOR),
    OpInfo("torch.arange", _factory("arange"),
           [Sample((5,)), Sample((1, 2.5, 0.5)), Sample((0, 10, 3), {"dtype": "float64"}),
            Sample((5, 0, -2)), Sample((0, 1, 0), error=True)], **_NO_TENSOR),
    OpInfo("torch.linspace", _factory("linspace"),
           [Sample((0, 1, 5)), Sample((-2.0, 2.0, 4), {"dtype": "float64"}), Sample((0, 1, 1)),
            Sample((0, 1, 0)), Sample((0, 1, -1), error=True)], **_NO_TENSOR),
    OpInfo("torch.eye", _factory("eye"),
           [Sample((3,)), Sample((2, 3), {"dtype": "int64"}), Sample((0,)),
            Sample((-1,), error=True)], **_NO_TENSOR),
    OpInfo("torch.zeros_like", _like("zeros_like"),
           [Sample((T((2, 3)),)), Sample((T((2, 3)),), {"dtype": "int32"}), Sample((T(()),)),
            Sample((T((0, 2)),), {"dtype": "bool"})], dtypes=ALL, grad=False),
    OpInfo("torch.ones_like", _like("ones_like"),
           [Sample((T((2, 3)),)), Sample((T((2, 3)),), {"dtype": "float64"}), Sample((T(()),))],
           dtypes=ALL, grad=False),
    OpInfo("torch.full_like", _like("full_like"),
           [Sample((T((2, 3)), 2)), Sample((T((2, 3)), 1.5), {"dtype": "float64"}),
            Sample((T((2,)), True), {"dtype": "bool"})], dtypes=ALL, grad=False),
    OpInfo("torch.empty_like", lambda t, x, **kw: _like("empty_like")(t, x, **kw).shape,
           [Sample((T((2, 3)),)), Sample((T((2, 3)),), {"dtype": "int64"})],
           dtypes=ALL, grad=False, notes="shape only (torch's memory is uninitialised)"),
    OpInfo("torch.block_diag", lambda t, *xs: t.block_diag(*xs),
           [Sample((T((2, 2)), T((1, 3)))), Sample((T((2, 2)), T((3,)), T(()))),
            Sample((T((2, 2)), T((2,), dtype="int64"))),
            Sample((T((2, 2, 2)),), error=True)], dtypes=NUM + ("bool",)),
    OpInfo("torch.cartesian_prod", lambda t, *xs: t.cartesian_prod(*xs),
           [Sample((T((2,)), T((3,)))), Sample((T((2,)), T((2,)), T((2,)))),
            Sample((T((3,)),)), Sample((T((2, 2)), T((2,))), error=True)],
           dtypes=("float32", "float64", "int64", "bool")),
    OpInfo("torch.combinations", lambda t, x, **kw: t.combinations(x, **kw),
           [Sample((T((4,)),)), Sample((T((4,)),), {"r": 3}),
            Sample((T((3,)),), {"with_replacement": True}), Sample((T((3,)),), {"r": 0}),
            Sample((T((2,)),), {"r": 3}), Sample((T((2, 2)),), error=True)],
           dtypes=("float32", "float64", "int64", "bool")),
]
