"""torch.nn.functional losses, each with reduction none / mean / sum samples."""

from __future__ import annotations

from . import OpInfo, Sample, T


def _f(name: str):
    def fn(t, *args, **kwargs):
        return getattr(t.nn.functional, name)(*args, **kwargs)

    return fn


_CLS = T((3,), kind="index", high=4)
_PROB = T((3, 4), low=0.0, high=1.0)
_P01 = T((2, 3), low=0.05, high=0.95)
_PM1 = T(kind="values", values=[[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
_PM1_NOGRAD = T(kind="values", values=[[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]], grad=False)
_Y3 = T(kind="values", values=[1, -1, 1], dtype="int64")


def _pointwise(name: str, *extra: Sample, **kw) -> OpInfo:
    """A (input, target) loss: mean in every dtype, then none (transposed input), sum (0-dim)."""
    samples = [Sample((T((3, 4)), T((3, 4)))),
               Sample((T((2, 3), transposed=True), T((2, 3))), {"reduction": "none"}),
               Sample((T(()), T(())), {"reduction": "sum"}),
               Sample((T((2,)), T((2,))), {"reduction": "bad"}, error=True), *extra]
    return OpInfo(f"F.{name}", _f(name), samples, **kw)


OPS = [
    OpInfo("F.cross_entropy", _f("cross_entropy"),
           [Sample((T((3, 4)), _CLS)),
            Sample((T((3, 4)), _CLS), {"reduction": "none", "weight": T((4,), low=0.1, high=1,
                                                                        grad=False)}),
            Sample((T((3, 4)), T(kind="values", values=[1, -100, 3], dtype="int64")),
                   {"reduction": "mean", "weight": T((4,), low=0.1, high=1, grad=False)}),
            Sample((T((3, 4)), T(kind="values", values=[1, 0, 3], dtype="int64")),
                   {"label_smoothing": 0.1, "ignore_index": 0,
                    "weight": T((4,), low=0.1, high=1, grad=False)}),
            Sample((T((3, 4)), _PROB)),
            Sample((T((3, 4)), _PROB), {"label_smoothing": 0.3, "reduction": "none"}),
            Sample((T((2, 3, 2)), T((2, 2), kind="index", high=3))),
            Sample((T((4,)), T(kind="values", values=2, dtype="int64"))),
            Sample((T((3, 4)), T((2,), kind="index", high=4)), error=True),
            Sample((T((3, 4)), T(kind="values", values=[0, 4, 1], dtype="int64")), error=True)]),
    OpInfo("F.nll_loss", _f("nll_loss"),
           [Sample((T((3, 4)), _CLS)),
            Sample((T((3, 4)), _CLS), {"reduction": "sum",
                                       "weight": T((4,), low=0.1, high=1, grad=False)}),
            Sample((T((3, 4)), T(kind="values", values=[1, 2, 2], dtype="int64")),
                   {"ignore_index": 2, "reduction": "none"}),
            Sample((T((2, 3, 2)), T((2, 2), kind="index", high=3)),
                   {"weight": T((3,), low=0.1, high=1, grad=False)}),
            Sample((T((3, 4)), T((3,), kind="index", high=4, dtype="int32")), error=True),
            Sample((T((3, 4)), T(kind="values", values=[1, 0, 3], dtype="uint8")))]),
    _pointwise("mse_loss", Sample((T((2, 3)), T((3,)))),
               notes="weight= (new in torch 2.13) raises NotImplementedError"),
    _pointwise("l1_loss", notes="weight= (new in torch 2.13) raises NotImplementedError"),
    _pointwise("smooth_l1_loss", Sample((T((2, 3)), T((2, 3))), {"beta": 0.5}),
               Sample((T((2, 3)), T((2, 3))), {"beta": 0.0})),
    _pointwise("huber_loss", Sample((T((2, 3)), T((2, 3))), {"delta": 0.4})),
    OpInfo("F.binary_cross_entropy", _f("binary_cross_entropy"),
           [Sample((_P01, T((2, 3), low=0, high=1))),
            Sample((_P01, T((2, 3), low=0, high=1)),
                   {"weight": T((3,), low=0, high=1, grad=False), "reduction": "none"}),
            Sample((_P01, T((2, 3), low=0, high=1)), {"reduction": "sum"}),
            Sample((_P01, T((3,), low=0, high=1)), error=True)],
           notes="at an input of exactly 0 or 1 torch's input gradient is (x - t) / 1e-12 "
                 "and its target gradient +-inf; ours are nan and +-100 (clamped logs)"),
    OpInfo("F.binary_cross_entropy_with_logits", _f("binary_cross_entropy_with_logits"),
           [Sample((T((2, 3)), T((2, 3), low=0, high=1))),
            Sample((T((2, 3)), T((2, 3), low=0, high=1)),
                   {"pos_weight": T((3,), low=0.5, high=2), "reduction": "none"}),
            Sample((T((2, 3)), T((2, 3), low=0, high=1)),
                   {"weight": T((2, 1), low=0, high=1), "pos_weight": T((3,), low=0.5, high=2),
                    "reduction": "sum"}),
            Sample((T((2, 3)), T((3,), low=0, high=1)), error=True)]),
    OpInfo("F.kl_div", _f("kl_div"),
           [Sample((T((2, 3)), T((2, 3), low=0, high=1)), {"reduction": "batchmean"}),
            Sample((T((2, 3)), T((2, 3), low=0, high=1))),
            Sample((T((2, 3)), T((2, 3))), {"log_target": True, "reduction": "none"}),
            Sample((T((2, 3)), T((2, 3), low=0, high=1)), {"reduction": "sum"}),
            Sample((T((2, 3)), T((2, 3), low=0, high=1)), {"reduction": "none"})]),
    OpInfo("F.poisson_nll_loss", _f("poisson_nll_loss"),
           [Sample((T((2, 3)), T((2, 3), low=0, high=3))),
            Sample((T((2, 3)), T((2, 3), low=0, high=3)), {"full": True, "reduction": "none"}),
            Sample((T((2, 3), low=0.1, high=2), T((2, 3), low=0, high=3)),
                   {"log_input": False, "reduction": "sum"})]),
    OpInfo("F.gaussian_nll_loss", _f("gaussian_nll_loss"),
           [Sample((T((2, 3)), T((2, 3)), T((2, 3), low=0.1, high=2))),
            Sample((T((2, 3)), T((2, 3)), T((2,), low=0.1, high=2)),
                   {"full": True, "reduction": "none"}),
            Sample((T((2, 3)), T((2, 3)), T((2, 1), low=0.1, high=2)), {"reduction": "sum"}),
            Sample((T((2, 3)), T((2, 3)), T((2, 3), low=-1, high=-0.5)), error=True)]),
    OpInfo("F.cosine_embedding_loss", _f("cosine_embedding_loss"),
           [Sample((T((3, 4)), T((3, 4)), _Y3)),
            Sample((T((3, 4)), T((3, 4)), _Y3), {"margin": 0.2, "reduction": "none"}),
            Sample((T((4,)), T((4,)), T(kind="values", values=-1, dtype="int64")),
                   {"reduction": "sum"})]),
    OpInfo("F.margin_ranking_loss", _f("margin_ranking_loss"),
           [Sample((T((2, 3)), T((2, 3)), _PM1)),
            Sample((T((2, 3)), T((2, 3)), _PM1), {"margin": 0.5, "reduction": "none"}),
            Sample((T((2, 3)), T((2, 3)), _PM1), {"reduction": "sum"})]),
    OpInfo("F.hinge_embedding_loss", _f("hinge_embedding_loss"),
           [Sample((T((2, 3)), _PM1_NOGRAD)),
            Sample((T((2, 3)), _PM1_NOGRAD), {"margin": 0.5, "reduction": "none"}),
            Sample((T((2, 3)), _PM1_NOGRAD), {"reduction": "sum"})]),
    OpInfo("F.soft_margin_loss", _f("soft_margin_loss"),
           [Sample((T((2, 3)), _PM1)), Sample((T((2, 3)), _PM1), {"reduction": "none"}),
            Sample((T((2, 3)), _PM1), {"reduction": "sum"})]),
    OpInfo("F.multilabel_soft_margin_loss", _f("multilabel_soft_margin_loss"),
           [Sample((T((2, 3)), T((2, 3), low=0, high=1))),
            Sample((T((2, 3)), T((2, 3), low=0, high=1)),
                   {"weight": T((3,), low=0, high=1), "reduction": "none"}),
            Sample((T((2, 3)), T((2, 3), low=0, high=1)), {"reduction": "sum"})]),
    OpInfo("F.triplet_margin_loss", _f("triplet_margin_loss"),
           [Sample((T((3, 4)), T((3, 4)), T((3, 4)))),
            Sample((T((3, 4)), T((3, 4)), T((3, 4))),
                   {"margin": 2.0, "p": 1, "swap": True, "reduction": "none"}),
            Sample((T((4,)), T((4,)), T((4,))), {"reduction": "sum"}),
            Sample((T((3, 4)), T((3, 4)), T((3, 4))), {"margin": -1.0}, error=True)]),
]
