"""torch.nn.functional layers: linear, convolution, pooling, normalization, embedding, padding,
resampling, pixel shuffle and distances."""

from __future__ import annotations

from . import FLOATS, OpInfo, Sample, T

INTS = ("int64", "uint8")  # one signed and one unsigned integer dtype (keeps the area quick)


def _f(name: str):
    def fn(t, *args, **kwargs):
        return getattr(t.nn.functional, name)(*args, **kwargs)

    return fn


def _bn(t, x, rm, rv, *args, **kwargs):
    """batch_norm on fresh running stats; returns (out, running_mean, running_var) so the
    in-place update is compared too."""
    rm = rm.detach().clone()
    rv = rv.detach().clone().abs()
    out = t.nn.functional.batch_norm(x, rm, rv, *args, **kwargs)
    return out, rm, rv


def _inorm(t, x, rm, rv, **kwargs):
    rm = rm.detach().clone()
    rv = rv.detach().clone().abs()
    out = t.nn.functional.instance_norm(x, rm, rv, **kwargs)
    return out, rm, rv


_IDX = T(kind="values", values=[[0, 2, 1], [3, 3, 0]], dtype="int64")

OPS = [
    OpInfo("F.linear", _f("linear"),
           [Sample((T((2, 4)), T((3, 4)), T((3,)))), Sample((T((2, 4)), T((3, 4)))),
            Sample((T((2, 2, 4)), T((3, 4)), T((3,)))), Sample((T((4,)), T((3, 4)))),
            Sample((T((2, 3), transposed=True), T((2, 3)))),
            Sample((T((2, 4)), T((3, 5))), error=True)]),
    OpInfo("F.bilinear", _f("bilinear"),
           [Sample((T((2, 3)), T((2, 2)), T((4, 3, 2)), T((4,)))),
            Sample((T((2, 3)), T((2, 2)), T((4, 3, 2)))),
            Sample((T((2, 2, 3)), T((2, 2, 2)), T((1, 3, 2))))]),
    OpInfo("F.conv1d", _f("conv1d"),
           [Sample((T((2, 2, 5)), T((3, 2, 2)), T((3,)))),
            Sample((T((2, 4, 6)), T((4, 2, 3))), {"stride": 2, "padding": 1, "groups": 2}),
            Sample((T((1, 2, 6)), T((2, 2, 2))), {"padding": "same", "dilation": 2}),
            Sample((T((2, 5)), T((1, 2, 3))), {"padding": "valid"}),
            Sample((T((1, 3, 5)), T((2, 2, 2))), error=True)]),
    OpInfo("F.conv2d", _f("conv2d"),
           [Sample((T((1, 2, 4, 4)), T((2, 2, 2, 2)), T((2,)))),
            Sample((T((1, 2, 5, 4)), T((2, 1, 3, 2))),
                   {"stride": (2, 1), "padding": (1, 0), "groups": 2}),
            Sample((T((1, 1, 4, 4)), T((1, 1, 2, 3))), {"padding": "same"}),
            Sample((T((1, 1, 4, 4)), T((1, 1, 2, 2))), {"padding": "same", "stride": 2},
                   error=True)]),
    OpInfo("F.conv_transpose1d", _f("conv_transpose1d"),
           [Sample((T((2, 2, 4)), T((2, 3, 2)), T((3,)))),
            Sample((T((1, 4, 3)), T((4, 1, 3))),
                   {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2}),
            Sample((T((1, 2, 3)), T((2, 1, 2))), {"dilation": 2})]),
    OpInfo("F.conv_transpose2d", _f("conv_transpose2d"),
           [Sample((T((1, 2, 3, 3)), T((2, 2, 2, 2)), T((2,)))),
            Sample((T((1, 2, 3, 2)), T((2, 1, 2, 2))), {"stride": 2, "padding": (1, 0)}),
            Sample((T((1, 2, 2, 2)), T((2, 2, 3, 3))), {"stride": 2, "output_padding": 1})]),
    OpInfo("F.max_pool1d", _f("max_pool1d"),
           [Sample((T((2, 3, 6)), 2)),
            Sample((T((1, 2, 7)), 3), {"stride": 2, "padding": 1, "return_indices": True}),
            Sample((T((2, 7)), 2), {"ceil_mode": True, "dilation": 2}),
            Sample((T((1, 2, 4)), 2), {"padding": 2}, error=True)]),
    OpInfo("F.max_pool2d", _f("max_pool2d"),
           [Sample((T((1, 2, 4, 4)), 2)),
            Sample((T((1, 1, 5, 5)), 3), {"stride": 2, "padding": 1, "return_indices": True}),
            Sample((T((2, 5, 4)), (2, 3)), {"stride": (2, 1), "ceil_mode": True}),
            Sample((T((1, 1, 5, 5)), 2), {"dilation": 2, "return_indices": True})]),
    OpInfo("F.avg_pool1d", _f("avg_pool1d"),
           [Sample((T((2, 3, 6)), 2)),
            Sample((T((1, 2, 7)), 3), {"stride": 2, "padding": 1, "count_include_pad": False,
                                       "ceil_mode": True})]),
    OpInfo("F.avg_pool2d", _f("avg_pool2d"),
           [Sample((T((1, 2, 4, 4)), 2)),
            Sample((T((1, 1, 5, 5)), 3), {"stride": 2, "padding": 1}),
            Sample((T((1, 1, 5, 5)), 3), {"stride": 2, "padding": 1, "ceil_mode": True,
                                          "count_include_pad": False}),
            Sample((T((2, 4, 4)), 2), {"divisor_override": 3})]),
    OpInfo("F.adaptive_avg_pool1d", _f("adaptive_avg_pool1d"),
           [Sample((T((2, 3, 7)), 3)), Sample((T((2, 5)), 2))]),
    OpInfo("F.adaptive_avg_pool2d", _f("adaptive_avg_pool2d"),
           [Sample((T((1, 2, 5, 4)), (2, 3))), Sample((T((2, 3, 3)), 2)),
            Sample((T((1, 1, 4, 4)), (None, 2)))]),
    OpInfo("F.adaptive_max_pool1d", _f("adaptive_max_pool1d"),
           [Sample((T((2, 3, 7)), 3)), Sample((T((1, 2, 5)), 2), {"return_indices": True})]),
    OpInfo("F.adaptive_max_pool2d", _f("adaptive_max_pool2d"),
           [Sample((T((1, 2, 5, 4)), (2, 3))),
            Sample((T((2, 4, 3)), (3, None)), {"return_indices": True})]),
    OpInfo("F.layer_norm", _f("layer_norm"),
           [Sample((T((2, 3, 4)), (4,), T((4,)), T((4,)))),
            Sample((T((3, 2), transposed=True), [3, 2]), {"eps": 1e-3}),
            Sample((T((2, 3, 5)), (4,)), error=True)]),
    OpInfo("F.batch_norm", _bn,
           [Sample((T((4, 3)), T((3,)), T((3,)), T((3,)), T((3,))), {"training": True}),
            Sample((T((2, 3, 4)), T((3,)), T((3,))), {"training": True, "momentum": 0.3}),
            Sample((T((2, 3, 2, 2)), T((3,)), T((3,)), T((3,)), T((3,)))),
            Sample((T((1, 3)), T((3,)), T((3,))), {"training": True}, error=True)],
           notes="returns (out, running_mean, running_var) to compare the in-place update"),
    OpInfo("F.group_norm", _f("group_norm"),
           [Sample((T((2, 4, 3)), 2, T((4,)), T((4,)))), Sample((T((2, 6, 2, 2)), 3)),
            Sample((T((2, 4)), 4), {"eps": 1e-3}),
            Sample((T((2, 3, 4)), 2), error=True)]),
    OpInfo("F.instance_norm", _inorm,
           [Sample((T((2, 3, 4)), T((3,)), T((3,))), {"weight": T((3,)), "bias": T((3,))}),
            Sample((T((2, 2, 3, 2)), T((2,)), T((2,))), {"momentum": 0.5})],
           notes="returns (out, running_mean, running_var) to compare the in-place update"),
    OpInfo("F.embedding", lambda t, i, w, **k: t.nn.functional.embedding(i, w, **k),
           [Sample((_IDX, T((4, 3)))), Sample((_IDX, T((4, 2))), {"padding_idx": 3}),
            Sample((T(kind="values", values=2, dtype="int64"), T((4, 2))),
                   {"padding_idx": -2}),
            Sample((T((2,), dtype="float32"), T((4, 2))), error=True)],
           notes="max_norm, scale_grad_by_freq and sparse raise NotImplementedError; "
                 "out-of-range indices are not checked (JAX clamps them)"),
    OpInfo("F.one_hot", _f("one_hot"),
           [Sample((_IDX,)), Sample((_IDX, 5)), Sample((T((0,), kind="index", high=3), 3)),
            Sample((_IDX, 2), error=True)], dtypes=("int64",), grad=False),
    OpInfo("F.pad", _f("pad"),
           [Sample((T((2, 3)), (1, 2))),
            Sample((T((1, 2, 3)), (1, 1, 2, 0)), {"value": 1.5}),
            Sample((T((2, 4)), (-1, 2))),
            Sample((T((1, 2, 4)), (2, 1)), {"mode": "reflect"}),
            Sample((T((1, 2, 3, 3)), (1, 2, 2, 1)), {"mode": "replicate"}),
            Sample((T((1, 2, 3, 3)), (1, 1, 2, 0)), {"mode": "circular"}),
            Sample((T((1, 2, 3, 3)), (1, 2, 1, 1)), {"mode": "reflect"}),
            Sample((T((1, 2, 3)), (3, 3)), {"mode": "reflect"}, error=True)],
           dtypes=FLOATS + INTS),
    OpInfo("F.interpolate", _f("interpolate"),
           [Sample((T((1, 2, 3, 2)),), {"scale_factor": 2}),
            Sample((T((1, 2, 5)),), {"size": 3}),
            Sample((T((1, 1, 3, 3)),), {"size": (4, 5), "mode": "bilinear",
                                        "align_corners": True}),
            Sample((T((1, 1, 3, 4)),), {"size": (5, 3), "mode": "bilinear"}),
            Sample((T((1, 2, 3)),), {"scale_factor": 1.5, "mode": "linear"})],
           notes="modes nearest, linear and bilinear only (others and antialias raise "
                 "NotImplementedError)"),
    OpInfo("F.pixel_shuffle", _f("pixel_shuffle"),
           [Sample((T((1, 4, 2, 3)), 2)), Sample((T((9, 1, 2)), 3)),
            Sample((T((1, 3, 2, 2)), 2), error=True)], dtypes=FLOATS + INTS),
    OpInfo("F.pixel_unshuffle", _f("pixel_unshuffle"),
           [Sample((T((1, 1, 4, 6)), 2)), Sample((T((2, 3, 3)), 3))], dtypes=FLOATS + INTS),
    OpInfo("F.cosine_similarity", _f("cosine_similarity"),
           [Sample((T((3, 4)), T((3, 4)))), Sample((T((2, 3, 2)), T((3, 1))), {"dim": 1}),
            Sample((T((2, 3), transposed=True), T((2, 3))), {"dim": -1})]),
    OpInfo("F.pairwise_distance", _f("pairwise_distance"),
           [Sample((T((3, 4)), T((3, 4)))), Sample((T((3, 4)), T((4,))), {"p": 1.0}),
            Sample((T((2, 3)), T((2, 3))), {"keepdim": True, "p": 3.0})]),
    OpInfo("F.dropout", lambda t, x, **k: t.nn.functional.dropout(x, **k),
           [Sample((T((4, 5)),)), Sample((T((4, 5)),), {"p": 0.3, "training": False}),
            Sample((T((2, 3)),), {"p": 1.5}, error=True)],
           check_values=False, gradcheck=False,
           notes="random: values differ from torch's generator; statistics are tested in "
                 "test_nn_functional_extras"),
    OpInfo("F.dropout2d", lambda t, x, **k: t.nn.functional.dropout2d(x, **k),
           [Sample((T((2, 3, 2, 2)),)), Sample((T((3, 2, 2)),), {"p": 0.2}),
            Sample((T((2, 3, 2, 2)),), {"training": False})],
           check_values=False, gradcheck=False,
           notes="random: whole channels are zeroed (tested in test_nn_functional_extras)"),
]
