"""torch.nn.functional activations (and torch.softmax / Tensor.softmax style entry points)."""

from __future__ import annotations

from . import FLOATS, OpInfo, Sample, T

# integer dtypes for the activations torch also runs on integers: one signed, one unsigned
# (the others behave alike; fewer cases keep this area's tests quick)
INTS = ("int64", "uint8")


def _f(name: str):
    """``F.<name>(*args, **kwargs)`` on module ``t``."""

    def fn(t, *args, **kwargs):
        if isinstance(kwargs.get("dtype"), str):  # dtypes are written by name in samples
            kwargs["dtype"] = getattr(t, kwargs["dtype"])
        return getattr(t.nn.functional, name)(*args, **kwargs)

    return fn


def _act(name: str, *extra: Sample, dtypes: tuple = FLOATS, **kw) -> OpInfo:
    """An elementwise activation: a 3x4 sample in every dtype, 0-dim, then ``extra``
    (layout and empty inputs are covered once, by F.relu: the ops are elementwise)."""
    samples = [Sample((T((3, 4)),)), Sample((T(()),)), *extra]
    return OpInfo(f"F.{name}", _f(name), samples, dtypes=dtypes, **kw)


_WIDE = T((3, 4), low=-5, high=5)

OPS = [
    _act("relu", Sample((T((0, 3)),)), Sample((T((2, 3), transposed=True),)),
         Sample((T((2, 3)),), {"inplace": False}), dtypes=FLOATS + INTS),
    _act("relu6", Sample((T((2, 3), low=-8, high=8),)), dtypes=FLOATS + INTS),
    _act("hardtanh", Sample((T((2, 3)),), {"min_val": -0.5, "max_val": 0.7}),
         Sample((T((2, 3)),), {"min_val": 1.0, "max_val": -1.0}, error=True),
         dtypes=FLOATS + INTS),
    _act("leaky_relu", Sample((T((2, 3)),), {"negative_slope": 0.2}),
         Sample((T((2, 3), dtype="int64"),), error=True)),
    _act("gelu", Sample((_WIDE,), {"approximate": "tanh"}),
         Sample((T((2,)),), {"approximate": "bad"}, error=True)),
    _act("silu"),
    _act("mish"),
    _act("elu", Sample((_WIDE,), {"alpha": 0.5})),
    _act("selu"),
    _act("celu", Sample((_WIDE,), {"alpha": 2.0})),
    _act("softplus", Sample((T((3, 4), low=-30, high=30),), {"beta": 2.0, "threshold": 10.0})),
    _act("softsign", dtypes=FLOATS + INTS),
    _act("hardsigmoid", Sample((T((3, 4), low=-5, high=5),))),
    _act("hardswish", Sample((T((3, 4), low=-5, high=5),))),
    _act("logsigmoid"),
    _act("tanhshrink", dtypes=FLOATS + INTS),
    _act("softshrink", Sample((T((2, 3)),), {"lambd": 1.0}),
         Sample((T((2, 3)),), {"lambd": -1.0}, error=True)),
    _act("hardshrink", Sample((T((2, 3)),), {"lambd": 1.0})),
    OpInfo("F.threshold", _f("threshold"),
           [Sample((T((3, 4)), 0.5, -3.0)), Sample((T(()), 0.0, 1.0)),
            Sample((T((2, 3), transposed=True), -1.0, 9.0))], dtypes=FLOATS + INTS),
    _act("sigmoid"),
    _act("tanh"),
    OpInfo("F.rrelu", _f("rrelu"),
           [Sample((T((3, 4)),)), Sample((T((2, 3)), 0.1, 0.3)), Sample((T(()),))],
           notes="training=False (deterministic); training=True draws its slopes from "
                 "torchlike_jax's generator (statistics tested in test_nn_functional_extras)"),
    OpInfo("F.softmax", _f("softmax"),
           [Sample((T((3, 4)),), {"dim": 1}), Sample((T((2, 3, 2)),), {"dim": -2}),
            Sample((T(()),), {"dim": 0}), Sample((T((0, 3)),), {"dim": 1}),
            Sample((T((2, 3), transposed=True),), {"dim": 0}),
            Sample((T((2, 3)),), {"dim": 1, "dtype": "float64"}),
            Sample((T((2, 3)),), {"dim": 2}, error=True),
            Sample((T((2, 3), dtype="int64"),), {"dim": 1}, error=True)]),
    OpInfo("F.log_softmax", _f("log_softmax"),
           [Sample((T((3, 4)),), {"dim": 1}), Sample((T((2, 3, 2)),), {"dim": 0}),
            Sample((T(()),), {"dim": 0}), Sample((T((2, 3), transposed=True),), {"dim": -1}),
            Sample((T((2, 3)),), {"dim": 5}, error=True)]),
    OpInfo("F.softmin", _f("softmin"),
           [Sample((T((3, 4)),), {"dim": 1}), Sample((T((2, 3, 2)),), {"dim": 2}),
            Sample((T((2, 3), transposed=True),), {"dim": 0})]),
    OpInfo("torch.softmax", lambda t, x, *a, **k: t.softmax(x, *a, **k),
           [Sample((T((3, 4)), 1)), Sample((T((2, 3)), 0))]),
    OpInfo("Tensor.log_softmax", lambda t, x, *a, **k: x.log_softmax(*a, **k),
           [Sample((T((3, 4)), 1)), Sample((T((2, 3)), -1))]),
    OpInfo("F.glu", _f("glu"),
           [Sample((T((3, 4)),)), Sample((T((4, 3)),), {"dim": 0}),
            Sample((T((2, 4), transposed=True),), {"dim": 1}),
            Sample((T((2, 3)),), error=True)]),
    OpInfo("F.normalize", _f("normalize"),
           [Sample((T((3, 4)),)), Sample((T((3, 4)),), {"p": 1.0, "dim": 0}),
            Sample((T((2, 3, 2)),), {"dim": -1}), Sample((T((4,)),), {"dim": 0}),
            Sample((T((2, 3), transposed=True),), {"p": 3.0})]),
    OpInfo("F.prelu", _f("prelu"),
           [Sample((T((2, 3, 2)), T((3,)))), Sample((T((2, 3)), T((1,)))),
            Sample((T((4,)), T((1,)))), Sample((T((2, 3)), T((2,))), error=True)]),
]
