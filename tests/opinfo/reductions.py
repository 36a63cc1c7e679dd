"""Reductions (sum ... all/any) and scans (cumsum ... cumulative_trapezoid)."""

from __future__ import annotations

from . import ALL, FLOATS, INTS, OpInfo, Sample, T, inplace_of

NUMERIC = FLOATS + INTS


def call(name: str, method: bool = False):
    """``t.<name>(*args, **kwargs)`` (or ``args[0].<name>(...)``); a ``dtype="float64"`` kwarg
    is turned into the library's dtype object."""

    def fn(t, *args, **kwargs):
        if isinstance(kwargs.get("dtype"), str):
            kwargs["dtype"] = getattr(t, kwargs["dtype"])
        if method:
            return getattr(args[0], name)(*args[1:], **kwargs)
        return getattr(t, name)(*args, **kwargs)

    return fn


def op(name: str, samples: list, **kw) -> OpInfo:
    """An OpInfo for ``torch.<name>`` (or ``Tensor.<name>`` when the name says so)."""
    short = name.split(".", 1)[1]
    return OpInfo(name, call(short, method=name.startswith("Tensor.")), samples, **kw)


X34 = T((3, 4))
# distinct values in every dtype (no ties, so indices of order statistics are well defined)
DISTINCT = T(kind="values", values=[[3, 0, 7, 1, 9], [5, 2, 6, 4, 8], [11, 10, 13, 12, 14]])
ERR = dict(error=True)

OPS = [
    # ---- sums and means ---------------------------------------------------------------------
    op("torch.sum", [Sample((X34,)), Sample((T((2, 3, 4)), (0, 2)), {"keepdim": True}),
                     Sample((T(()),)), Sample((T((0, 3)), 1)),
                     Sample((T((3, 2), dtype="int32"),), {"dtype": "float64"}, label="dtype"),
                     Sample((T((3, 2), transposed=True), -1)),
                     Sample((X34, 2), **ERR)], dtypes=ALL),
    op("torch.prod", [Sample((T((2, 3), low=0.5, high=1.5),)), Sample((T((3, 4)), 1),
                                                                     {"keepdim": True}),
                      Sample((T(kind="values", values=[[0.0, 2.0, 3.0], [0.0, 1.5, 0.0]]), 1)),
                      Sample((T((0,)),)), Sample((T((2, 2), dtype="int8"),),
                                                 {"dtype": "int64"}, label="dtype")],
       dtypes=ALL),
    op("torch.mean", [Sample((X34,)), Sample((T((2, 3, 4)), (-1, 0)), {"keepdim": True}),
                      Sample((T((0, 2)),)), Sample((T((2, 3), dtype="int64"),), **ERR),
                      Sample((T((2, 3), dtype="int64"),), {"dtype": "float32"}, label="dtype")]),
    op("torch.nansum", [Sample((T(kind="values", values=[[1.0, float("nan"), 2.5],
                                                         [0.5, -1.0, float("nan")]]),)),
                        Sample((X34, 1)), Sample((T((2, 3, 2)), (0, 2), True)), Sample((T(()),))],
       dtypes=FLOATS, notes="integer inputs work too (no NaN to skip)"),
    op("torch.nanmean", [Sample((T(kind="values", values=[[1.0, float("nan"), 2.5],
                                                          [0.5, -1.0, float("nan")]]),)),
                         Sample((X34, 1, True)), Sample((T((3,), dtype="int64"),), **ERR),
                         Sample((T(kind="values", values=[float("nan"), float("nan")],
                                   grad=False),), label="all NaN: forward only")],
       notes="all-NaN slice: torch's gradient is NaN (inf * 0), ours 0 under jit (XLA folds the "
             "masked product); that sample checks the forward only"),
    op("torch.std", [Sample((X34,)), Sample((T((3, 4)), 1), {"correction": 0, "keepdim": True}),
                     Sample((T((2, 3, 2)), (0, 2)), {"unbiased": False}),
                     Sample((T((1, 3)), 0), label="dof<=0: nan + warning"),
                     Sample((T((3,), dtype="int64"),), **ERR)]),
    op("torch.var", [Sample((X34,)), Sample((T((3, 4)), 1), {"correction": 2, "keepdim": True}),
                     Sample((T((2, 3, 2)), (0, 2), False)), Sample((T((3, 2), transposed=True),
                                                                   0)),
                     Sample((T((3,), dtype="int64"),), **ERR)]),
    op("torch.std_mean", [Sample((X34,)), Sample((T((3, 4)), 1), {"keepdim": True}),
                          Sample((T((2, 3, 2)), (0, 2)), {"correction": 0})]),
    op("torch.var_mean", [Sample((X34,)), Sample((T((3, 4)), 0), {"unbiased": False}),
                          Sample((T((2, 3)),), {"dim": 1, "keepdim": True, "correction": 2})]),
    # ---- extremes ---------------------------------------------------------------------------
    op("torch.max", [Sample((DISTINCT,)), Sample((DISTINCT, 1)), Sample((X34, 0, True)),
                     Sample((T(()), 0)), Sample((X34, T((4,)))),
                     Sample((T(kind="values", values=[1.0, 3.0, 3.0, 2.0]),), label="ties"),
                     Sample((T((0,)),), **ERR), Sample((T((0, 3)), 0), **ERR)], dtypes=ALL),
    op("torch.min", [Sample((DISTINCT,)), Sample((DISTINCT, -1, True)), Sample((X34, T((3, 1)))),
                     Sample((T(kind="values", values=[2.0, 1.0, 1.0]),), label="ties")],
       dtypes=ALL),
    op("torch.amax", [Sample((DISTINCT,)), Sample((T((2, 3, 4)), (0, 2)), {"keepdim": True}),
                      Sample((T(kind="values", values=[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), 1),
                             label="ties split the gradient"),
                      Sample((T((0, 3)), 0), **ERR)], dtypes=ALL),
    op("torch.amin", [Sample((DISTINCT, 0)), Sample((X34,)),
                      Sample((T(kind="values", values=[[1.0, 1.0, 3.0], [2.0, 0.0, 0.0]]), -1,
                              True))], dtypes=ALL),
    op("torch.aminmax", [Sample((DISTINCT,)), Sample((X34,), {"dim": 1, "keepdim": True}),
                         Sample((T(kind="values", values=[1.0, 3.0, 3.0, 1.0]),)),
                         Sample((T((0,)),), **ERR)], dtypes=ALL),
    op("torch.argmax", [Sample((DISTINCT,)), Sample((DISTINCT, 1)), Sample((X34,),
                                                                          {"keepdim": True}),
                        Sample((T(kind="values", values=[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), 1),
                               label="first of ties")], dtypes=NUMERIC, grad=False),
    op("torch.argmin", [Sample((DISTINCT,)), Sample((DISTINCT, 0, True)),
                        Sample((T(kind="values", values=[[1.0, 1.0, 3.0], [0.0, 2.0, 0.0]]), 1),
                               label="first of ties")], dtypes=NUMERIC, grad=False),
    op("torch.logsumexp", [Sample((X34, 1)), Sample((T((2, 3, 2)), (0, 2), True)),
                           Sample((T(()), 0)),
                           Sample((T(kind="values", values=[float("-inf"), 0.0, 1.0]), 0))],
       dtypes=ALL),
    # ---- norms ------------------------------------------------------------------------------
    op("torch.norm", [Sample((X34,)), Sample((X34, 1, 1)), Sample((X34, float("inf"), 0, True)),
                      Sample((T((2, 3, 2)),), {"p": "nuc", "dim": (0, 2)}),
                      Sample((X34, 3)), Sample((T(kind="values", values=[0.0, 0.0]),),
                                               label="gradient 0 at 0"),
                      Sample((T((3,), dtype="int64"),), **ERR)], tol={"float32": (1e-4, 1e-5)}),
    op("torch.count_nonzero", [Sample((T((3, 4), low=-1, high=2, kind="int"),)),
                               Sample((X34, 1)), Sample((X34, (0, 1)))], dtypes=ALL, grad=False),
    op("torch.all", [Sample((T((3, 4), low=0, high=2, kind="int"),)),
                     Sample((T((3, 4), kind="bool"), 1)),
                     Sample((T((2, 3, 2), kind="bool"), (0, 2), True))], dtypes=ALL, grad=False),
    op("torch.any", [Sample((T((3, 4), low=0, high=2, kind="int"),)),
                     Sample((T((3, 4), kind="bool"), 0, True)), Sample((T((0,), kind="bool"),))],
       dtypes=ALL, grad=False),
    # ---- scans ------------------------------------------------------------------------------
    op("torch.cumsum", [Sample((X34, 1)), Sample((T(()), 0)), Sample((T((3, 2), transposed=True),
                                                                     0)),
                        Sample((T((4,), dtype="int8"), 0), {"dtype": "float64"}, label="dtype"),
                        Sample((X34, 2), **ERR)], dtypes=ALL),
    inplace_of("Tensor.cumsum_", "cumsum_", [Sample((X34, 0))], dtypes=FLOATS + ("int64",)),
    op("torch.cumprod", [Sample((T((3, 4), low=0.5, high=1.5), 1)),
                         Sample((T(kind="values", values=[2.0, 0.0, 3.0, 0.0]), 0),
                                label="zeros"),
                         Sample((T((2, 3)), 0), {"dtype": "float64"})], dtypes=ALL),
    inplace_of("Tensor.cumprod_", "cumprod_", [Sample((T((2, 3)), 1))]),
    op("torch.cummax", [Sample((DISTINCT, 1)),
                        Sample((T(kind="values", values=[1.0, 3.0, 3.0, 2.0, 5.0, 5.0]), 0),
                               label="ties take the later index"),
                        Sample((T(kind="values", values=[1.0, float("nan"), 2.0]), 0)),
                        Sample((T(()), 0))], dtypes=ALL),
    op("torch.cummin", [Sample((DISTINCT, 0)),
                        Sample((T(kind="values", values=[3.0, 1.0, 1.0, 2.0, 0.0]), -1))],
       dtypes=ALL),
    op("torch.logcumsumexp", [Sample((X34, 1)), Sample((T((2, 3)), 0)), Sample((T(()), 0)),
                              Sample((T((3,), dtype="int64"), 0), **ERR)]),
    op("torch.diff", [Sample((X34,)), Sample((X34,), {"n": 2, "dim": 0}),
                      Sample((X34, 1, 1), {"prepend": T((3, 1)), "append": T((3, 2))}),
                      Sample((T(()),), **ERR)], dtypes=ALL),
    op("torch.trapezoid", [Sample((X34,)), Sample((X34, T((4,)))), Sample((X34,),
                                                                        {"dx": 0.5, "dim": 0})],
       dtypes=FLOATS + INTS),
    op("torch.cumulative_trapezoid", [Sample((X34,)), Sample((X34, T((3, 4))), {"dim": 0}),
                                      Sample((T((5,)),), {"dx": 2.0})]),
]
