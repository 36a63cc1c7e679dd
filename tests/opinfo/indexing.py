"""Indexing (``x[i]``, ``x[i] = v``), gather/scatter, index_*, masked_*, take/put, nonzero."""

from __future__ import annotations

from . import OpInfo, Sample, T, inplace_of

# Selections and writes are dtype-agnostic (dtype rule KEEP), so the first sample runs in one
# float, one integer and bool; ops that add or multiply also run in a low-precision float.
ALL = ("float32", "int64", "bool")
ONE = ("float32",)
NUM = ("float32", "bfloat16", "int64")  # torch has no bool kernel for the accumulating ops


def _m(*shape, **kw):
    return T(shape, **kw)


def _i(values, dtype="int64"):
    return T(kind="values", values=values, dtype=dtype)


def _mask(*shape):
    return T(shape, kind="bool", dtype="bool")


def _getitem(t, x, *idx):
    return x[idx[0] if len(idx) == 1 else idx]


def _setitem(t, x, v, *idx):
    y = x.clone()
    y[idx[0] if len(idx) == 1 else idx] = v
    return y


_NO_DUP = "samples use indices without repeats: torch leaves the winner of a repeated index " \
          "unspecified"

OPS = [
    OpInfo("Tensor.__getitem__", _getitem, [
        Sample((_m(2, 3, 4), 1)),
        Sample((_m(2, 3, 4), slice(1, None))),
        Sample((_m(2, 3, 4), None)),
        Sample((_m(2, 3, 4), Ellipsis)),
        Sample((_m(2, 3, 4), Ellipsis, 1)),
        Sample((_m(2, 3, 4), slice(None), slice(None, None, 2))),
        Sample((_m(2, 3, 4), 0, None)),
        Sample((_m(2, 3, 4), None, 0)),
        Sample((_m(2, 3, 4), -1, slice(0, 2), -2)),
        Sample((_m(2, 3, 4), _i([1, 0, 1]))),
        Sample((_m(2, 3, 4), [0, 1], [2, 0])),
        Sample((_m(2, 3, 4), 0, slice(None), _i([0, 3]))),
        Sample((_m(2, 3, 4), _i([1, 0]), slice(None), _i([0, 3]))),
        Sample((_m(2, 3, 4), slice(None), _i([[0], [2]]), _i([1, 3]))),
        Sample((_m(2, 3, 4), Ellipsis, _i([3, 1]))),
        Sample((_m(2, 3, 4), slice(None), None, _i([0, 2]))),
        Sample((_m(3, 4), _mask(3, 4))),
        Sample((_m(3, 4), _mask(3))),
        Sample((_m(3, 4), True)),
        Sample((_m(3, 4), _i(1))),
        Sample((_m(3, 4), slice(None, None, -1)), error=True),
        Sample((_m(3, 4), 5), error=True),
        Sample((_m(3, 4), _i([0, 5])), error=True),
        Sample((_m(3, 4), 0, 0, 0), error=True),
        Sample((_m(3, 4), [0, 1], [0, 1, 2]), error=True),
    ], dtypes=ALL),
    OpInfo("Tensor.__setitem__", _setitem, [
        Sample((_m(3, 4), _m(4), 1)),
        Sample((_m(3, 4), _m(2, 1), slice(1, None))),
        Sample((_m(3, 4), 2.5, slice(None), slice(None, None, 2))),
        Sample((_m(2, 3, 4), _m(3, 2), 0, slice(None), _i([0, 3]))),
        Sample((_m(3, 4), _m(2, 4), _i([2, 0]))),
        Sample((_m(3, 4), _m(), _mask(3, 4))),
        Sample((_m(2, 3, 4), _m(2), Ellipsis, _i([1, 2]), 0)),
        Sample((_m(3, 4), _m(1, 4), None, 1)),
        Sample((_m(3, 4), _m(3), 0), error=True),
        Sample((_m(3, 4), 1.0, 3), error=True),
    ], dtypes=ALL),
    OpInfo("torch.index_put", lambda t, x, idx, v, *a: t.index_put(x, idx, v, *a), [
        Sample((_m(3, 4), (_i([0, 2]),), _m(2, 4))),
        Sample((_m(3, 4), (_i([0, 2, 0]), _i([1, 1, 1])), _m(3), True)),
        Sample((_m(3, 4), (_mask(3, 4),), _m())),
        Sample((_m(3, 4), (_i([0, 2]), _i([1, 3])), _m(2, dtype="float64")), error=True),
    ], dtypes=ALL),
    inplace_of("Tensor.index_put_", "index_put_", [
        Sample((_m(3, 4), (_i([1]), _i([2])), _m(1), True))], dtypes=ONE),
    OpInfo("torch.gather", lambda t, x, d, i: t.gather(x, d, i), [
        Sample((_m(3, 4), 1, _i([[0, 3, 3], [1, 0, 2], [2, 2, 0]]))),
        Sample((_m(3, 4), 0, _i([[2, 1, 0, 2]]))),
        Sample((_m(2, 2, 3), -1, _i([[[0], [2]], [[1], [1]]]))),
        Sample((_m(3, 4), 0, _i([[0, 1]], dtype="int32"))),
        Sample((_m(3, 4), 0, _i([0, 1])), error=True),
        Sample((_m(3, 4), 0, _i([[0.0, 1.0]], dtype="float32")), error=True),
    ], dtypes=ALL),
    OpInfo("torch.scatter", lambda t, x, d, i, s, **kw: t.scatter(x, d, i, s, **kw), [
        Sample((_m(3, 4), 0, _i([[2, 0, 1, 1], [0, 1, 2, 0]]), _m(2, 4))),
        Sample((_m(3, 4), 1, _i([[3, 0], [1, 2], [0, 3]]), 1.5)),
        Sample((_m(3, 4), 1, _i([[3, 0], [1, 2], [0, 3]]), _m(3, 3))),
        Sample((_m(3, 4, grad=False), 0, _i([[2, 0, 2]]), _m(1, 3, grad=False)),
               {"reduce": "add"}),
        Sample((_m(3, 4, grad=False), 0, _i([[2, 0, 2]]), _m(1, 3, grad=False)),
               {"reduce": "multiply"}),
        Sample((_m(3, 4), 0, _i([[0, 1]]), _m(1, 2, dtype="float64")), error=True),
    ], dtypes=ALL, notes=_NO_DUP),
    inplace_of("Tensor.scatter_", "scatter_", [
        Sample((_m(3, 4), 0, _i([[2, 0, 1, 1]]), _m(1, 4))),
        Sample((_m(3, 4), 1, _i([[3], [0], [1]]), -1.0))], dtypes=ONE),
    OpInfo("torch.scatter_add", lambda t, x, d, i, s: t.scatter_add(x, d, i, s), [
        Sample((_m(3, 4), 0, _i([[2, 0, 2, 2], [0, 0, 1, 2]]), _m(2, 4))),
        Sample((_m(3, 4), 1, _i([[1, 1], [0, 3], [3, 3]]), _m(3, 3))),
        Sample((_m(3,), 0, _i([0, 0, 2]), _m(3))),
    ], dtypes=NUM),
    inplace_of("Tensor.scatter_add_", "scatter_add_", [
        Sample((_m(3, 4), 1, _i([[1, 1], [0, 3], [3, 3]]), _m(3, 2)))], dtypes=ONE),
    OpInfo("torch.scatter_reduce",
           lambda t, x, d, i, s, r, **kw: t.scatter_reduce(x, d, i, s, r, **kw), [
               Sample((_m(3, 4), 0, _i([[2, 0, 2, 2], [0, 0, 1, 2]]), _m(2, 4), "sum")),
               Sample((_m(3, 4), 0, _i([[2, 0, 2, 2], [0, 0, 1, 2]]), _m(2, 4), "prod")),
               Sample((_m(3, 4), 0, _i([[2, 0, 2, 2], [0, 0, 1, 2]]), _m(2, 4), "mean")),
               Sample((_m(3, 4), 0, _i([[2, 0, 2, 2], [0, 0, 1, 2]]), _m(2, 4), "amax")),
               Sample((_m(3, 4), 0, _i([[2, 0, 2, 2], [0, 0, 1, 2]]), _m(2, 4), "amin"),
                      {"include_self": False}),
               Sample((_i([1.0, 5.0, 2.0], dtype="float32"), 0, _i([0, 0, 2, 2]),
                       _i([5.0, 3.0, 2.0, 2.0], dtype="float32"), "amax"),
                      label="ties split the gradient"),
               Sample((_m(3,), 0, _i([0]), _m(1), "foo"), error=True),
           ], dtypes=NUM),
    inplace_of("Tensor.scatter_reduce_", "scatter_reduce_", [
        Sample((_m(3,), 0, _i([0, 0, 2]), _m(3), "amin"))], dtypes=ONE),
    OpInfo("torch.index_select", lambda t, x, d, i: t.index_select(x, d, i), [
        Sample((_m(3, 4), 0, _i([2, 0, 2]))),
        Sample((_m(3, 4), 1, _i([3, 1]))),
        Sample((_m(3, 4), -1, _i(1))),
        Sample((_m(3, 4), 0, _i([[1]])), error=True),
    ], dtypes=ALL),
    OpInfo("torch.index_add", lambda t, x, d, i, s, **kw: t.index_add(x, d, i, s, **kw), [
        Sample((_m(3, 4), 0, _i([2, 0, 2]), _m(3, 4))),
        Sample((_m(3, 4), 1, _i([3, 1]), _m(3, 2)), {"alpha": 2}),
        Sample((_m(3, 4), 0, _i([0]), _m(2, 4)), error=True),
        Sample((_m(3, 4), 0, _i([0]), _m(1, 4, dtype="float64")), error=True),
    ], dtypes=NUM),
    inplace_of("Tensor.index_add_", "index_add_",
        [Sample((_m(3, 4), 0, _i([1]), _m(1, 4)))], dtypes=ONE),
    OpInfo("torch.index_copy", lambda t, x, d, i, s: t.index_copy(x, d, i, s), [
        Sample((_m(3, 4), 0, _i([2, 0]), _m(2, 4))),
        Sample((_m(3, 4), 1, _i([3, 1]), _m(3, 2))),
        Sample((_m(3, 4), 0, _i([0]), _m(2, 4)), error=True),
    ], dtypes=ALL, notes=_NO_DUP),
    inplace_of("Tensor.index_copy_", "index_copy_",
        [Sample((_m(3, 4), 1, _i([0]), _m(3, 1)))], dtypes=ONE),
    OpInfo("torch.index_fill", lambda t, x, d, i, v: t.index_fill(x, d, i, v), [
        Sample((_m(3, 4), 0, _i([2, 0]), -1)),
        Sample((_m(3, 4), 1, _i([3, 1]), _m())),
        Sample((_m(3, 4), 1, _i([3]), _m(2)), error=True),
    ], dtypes=ALL),
    inplace_of("Tensor.index_fill_", "index_fill_",
        [Sample((_m(3, 4), 0, _i([1]), 2.0))], dtypes=ONE),
    OpInfo("torch.index_reduce",
           lambda t, x, d, i, s, r, **kw: t.index_reduce(x, d, i, s, r, **kw), [
               Sample((_m(3, 4), 0, _i([2, 0, 2]), _m(3, 4), "prod")),
               Sample((_m(3, 4), 0, _i([2, 0, 2]), _m(3, 4), "mean")),
               Sample((_m(3, 4), 1, _i([3, 3]), _m(3, 2), "amax")),
               Sample((_m(3, 4), 1, _i([0, 3]), _m(3, 2), "amin"), {"include_self": False}),
               Sample((_m(3, 4), 0, _i([0]), _m(1, 4), "sum"), error=True),
           ], dtypes=NUM),
    inplace_of("Tensor.index_reduce_", "index_reduce_", [
        Sample((_m(3, 4), 0, _i([1, 1]), _m(2, 4), "amax"))], dtypes=ONE),
    OpInfo("torch.masked_fill", lambda t, x, m, v: t.masked_fill(x, m, v), [
        Sample((_m(3, 4), _mask(3, 4), 0)),
        Sample((_m(3, 4), _mask(4), _m())),
        Sample((_m(3, 1), _mask(3, 4), 2.5)),
        Sample((_m(3, 4), _m(3, 4, grad=False), 1.0), error=True),
        Sample((_m(3, 4), _mask(3, 4), _m(2)), error=True),
    ], dtypes=ALL),
    inplace_of("Tensor.masked_fill_", "masked_fill_",
        [Sample((_m(3, 4), _mask(3, 1), -1.0))], dtypes=ONE),
    OpInfo("torch.masked_scatter", lambda t, x, m, s: t.masked_scatter(x, m, s), [
        Sample((_m(3, 4), _mask(3, 4), _m(12))),
        Sample((_m(3, 4), _mask(4), _m(4, 4))),
        Sample((_m(3, 4), _mask(3, 4), _m(12, dtype="float64")), error=True),
    ], dtypes=ALL),
    inplace_of("Tensor.masked_scatter_", "masked_scatter_", [
        Sample((_m(3, 4), _mask(3, 4), _m(3, 4)))], dtypes=ONE),
    OpInfo("torch.masked_select", lambda t, x, m: t.masked_select(x, m), [
        Sample((_m(3, 4), _mask(3, 4))),
        Sample((_m(3, 4), _mask(4))),
        Sample((_m(4), _mask(3, 1))),
        Sample((_m(3, 4), _m(3, 4, grad=False)), error=True),
    ], dtypes=ALL),
    OpInfo("torch.take", lambda t, x, i: t.take(x, i), [
        Sample((_m(3, 4), _i([[0, 11], [5, 5]]))),
        Sample((_m(3, 4), _i([-1, 2]))),
        Sample((_m(), _i([0, 0]))),
        Sample((_m(3, 4), _i([0.0], dtype="float32")), error=True),
    ], dtypes=ALL),
    OpInfo("torch.take_along_dim", lambda t, x, i, *a: t.take_along_dim(x, i, *a), [
        Sample((_m(3, 4), _i([[0, 3], [1, 1], [2, 0]]), 1)),
        Sample((_m(3, 4), _i([5, 0, 11]))),
        Sample((_m(3, 4), _i([[2, 0, 1, 1]]), 0)),
        Sample((_m(2, 3, 4), _i([[[0]], [[2]]]), 1)),
        Sample((_m(3, 4), _i([0, 1]), 0), error=True),
    ], dtypes=ALL),
    OpInfo("torch.put", lambda t, x, i, s, *a: t.put(x, i, s, *a), [
        Sample((_m(3, 4), _i([0, 11, 5]), _m(3))),
        Sample((_m(3, 4), _i([[1, 1], [2, 1]]), _m(2, 2), True)),
        Sample((_m(3, 4), _i([0, 1]), _m(2, dtype="float64")), error=True),
    ], dtypes=NUM, notes=_NO_DUP),
    inplace_of("Tensor.put_", "put_", [Sample((_m(3, 4), _i([2, 7]), _m(2)))], dtypes=ONE),
    OpInfo("torch.select_scatter", lambda t, x, s, d, i: t.select_scatter(x, s, d, i), [
        Sample((_m(3, 4), _m(4), 0, 1)),
        Sample((_m(3, 4), _m(3), 1, -1)),
        Sample((_m(3, 4), _m(3), 0, 1), error=True),
    ], dtypes=ALL),
    OpInfo("torch.slice_scatter", lambda t, x, s, *a: t.slice_scatter(x, s, *a), [
        Sample((_m(4, 3), _m(2, 3), 0, 1, 3)),
        Sample((_m(3, 4), _m(3, 2), 1, 0, None, 2)),
        Sample((_m(4, 3), _m(4, 3))),
    ], dtypes=ALL),
    OpInfo("torch.diagonal_scatter", lambda t, x, s, *a: t.diagonal_scatter(x, s, *a), [
        Sample((_m(3, 4), _m(3))),
        Sample((_m(3, 4), _m(3), 1)),
        Sample((_m(2, 3, 3), _m(3, 2), 0, 1, 2)),
        Sample((_m(3, 4), _m(4)), error=True),
    ], dtypes=ALL),
    OpInfo("torch.nonzero", lambda t, x, **kw: t.nonzero(x, **kw), [
        Sample((_i([[0, 1.5, 0], [2, 0, -1]], dtype="float32"),)),
        Sample((_i([[0, 1.5, 0], [2, 0, -1]], dtype="float32"),), {"as_tuple": True}),
        Sample((_i(3.0, dtype="float32"),)),
        Sample((_m(0, 2),)),
    ], dtypes=ALL, grad=False),
    OpInfo("torch.argwhere", lambda t, x: t.argwhere(x), [
        Sample((_i([[0, 1, 0], [2, 0, 3]], dtype="int64"),)),
        Sample((_m(4, kind="bool", dtype="bool"),)),
    ], dtypes=ALL, grad=False),
    OpInfo("torch.repeat_interleave", lambda t, x, *a, **kw: t.repeat_interleave(x, *a, **kw), [
        Sample((_m(2, 3), 2)),
        Sample((_m(2, 3), 2), {"dim": 1}),
        Sample((_m(3, 2), _i([1, 0, 2])), {"dim": 0}),
        Sample((_i([2, 0, 1]),)),
        Sample((_m(), 3)),
        Sample((_m(3, 2), _i([1, 2])), {"dim": 0}, error=True),
    ], dtypes=ALL),
]
