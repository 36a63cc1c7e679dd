"""``torch.nn.Module`` / ``Parameter`` / ``init`` / ``utils``: behaviour against real torch, live.

Each check builds the same model under both libraries and compares what a user sees: reprs,
names, state_dict keys/shapes/dtypes, load_state_dict reports and errors, hook effects, dtype
conversions, init bounds, gradient clipping.
"""

from __future__ import annotations

import copy
import math
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax import nn

pytestmark = pytest.mark.torch_live


def np_(t):
    return np.asarray(t.detach().numpy())


def copy_weights(ours, theirs):
    """Load ``theirs``'s state (a real torch module) into ``ours``."""
    state = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    return ours.load_state_dict(state)


def build(lib, kind):
    n = lib.nn
    if kind == "mlp":
        return n.Sequential(n.Linear(4, 8), n.ReLU(), n.Linear(8, 3, bias=False))
    if kind == "nested":
        return n.Sequential(OrderedDict([
            ("conv", n.Conv2d(3, 6, 3, stride=2, padding=1, bias=False)),
            ("bn", n.BatchNorm2d(6)),
            ("act", n.LeakyReLU(0.2, inplace=True)),
            ("pool", n.MaxPool2d(2)),
            ("block", n.Sequential(n.Flatten(), n.Dropout(0.25), n.Linear(24, 10))),
            ("heads", n.ModuleList([n.Linear(10, 2), n.Linear(10, 2), n.Linear(10, 2),
                                    n.Tanh()])),
            ("extra", n.ModuleDict({"ln": n.LayerNorm([10]), "gn": n.GroupNorm(2, 4),
                                    "emb": n.Embedding(7, 3, padding_idx=0)})),
        ]))
    if kind == "everything":
        return n.Sequential(
            n.Identity(), n.Unflatten(1, (2, 2)), n.Conv1d(2, 4, 2, dilation=2, groups=2),
            n.MaxPool1d(2, stride=1), n.AvgPool2d(2), n.AdaptiveAvgPool2d((1, 1)),
            n.BatchNorm1d(3, momentum=None, affine=False), n.GELU(approximate="tanh"),
            n.SiLU(), n.Sigmoid(), n.Softmax(dim=1), n.LogSoftmax(-1), n.ELU(0.5),
            n.Softplus(2.0, 10.0), n.Hardtanh(-2.0, 2.0), n.ReLU(inplace=True),
            n.MSELoss(), n.L1Loss(reduction="sum"), n.SmoothL1Loss(beta=0.5),
            n.HuberLoss(delta=2.0), n.CrossEntropyLoss(label_smoothing=0.1), n.NLLLoss(),
            n.BCELoss(), n.BCEWithLogitsLoss(), n.LayerNorm(5, elementwise_affine=False),
            n.GroupNorm(1, 3, affine=False), n.Embedding(4, 2, max_norm=1.0),
            n.Conv2d(2, 2, (1, 3), padding="same"), n.Linear(2, 2, bias=False),
            n.Dropout(inplace=True),
        )
    raise ValueError(kind)


# ---- Parameter ---------------------------------------------------------------------------------
def test_parameter_basics(real):
    data = torch.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    rp = real.nn.Parameter(real.tensor([1.0, 2.0]))
    assert repr(p) == repr(rp)
    assert str(p) == str(rp)
    assert isinstance(p, torch.Tensor) and isinstance(p, nn.Parameter)
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    data.add_(1)  # shares the data
    assert p.tolist() == [2.0, 3.0]
    y = p * 2
    assert type(y) is torch.Tensor and y.grad_fn.name() == "MulBackward0"
    q = nn.Parameter(torch.zeros(2, dtype=torch.int64), requires_grad=False)
    rq = real.nn.Parameter(real.zeros(2, dtype=real.int64), requires_grad=False)
    assert repr(q) == repr(rq)
    empty = nn.Parameter()
    assert empty.shape == real.nn.Parameter().shape
    # a Parameter of a non-leaf is a leaf
    x = torch.ones(2, requires_grad=True)
    assert nn.Parameter(x * 3).is_leaf
    d = copy.deepcopy(p)
    assert type(d) is nn.Parameter and d.tolist() == p.tolist() and d.requires_grad


def test_parameter_grad_flows():
    p = nn.Parameter(torch.tensor([1.0, -2.0]))
    (p * p).sum().backward()
    assert p.grad.tolist() == [2.0, -4.0]


# ---- registration, iteration, repr -------------------------------------------------------------
@pytest.mark.parametrize("kind", ["mlp", "nested", "everything"])
def test_repr_and_names(real, kind):
    ours, theirs = build(torch, kind), build(real, kind)
    assert repr(ours) == repr(theirs)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.modules()] == \
        [type(m).__name__ for m in theirs.modules()]
    assert sum(p.numel() for p in ours.parameters()) == \
        sum(p.numel() for p in theirs.parameters())
    sd, rsd = ours.state_dict(), theirs.state_dict()
    assert type(sd) is OrderedDict
    assert list(sd) == list(rsd)
    for k in sd:
        assert tuple(sd[k].shape) == tuple(rsd[k].shape), k
        assert str(sd[k].dtype) == str(rsd[k].dtype), k
        assert sd[k].requires_grad is False
    assert dict(sd._metadata) == dict(rsd._metadata)


def test_named_parameters_options(real):
    def make(lib):
        n = lib.nn
        shared = n.Linear(2, 2)
        m = n.Sequential(shared, n.ReLU(), shared, n.Sequential(n.Linear(2, 3)))
        return m

    ours, theirs = make(torch), make(real)
    for kw in ({}, {"prefix": "model"}, {"recurse": False}, {"remove_duplicate": False}):
        assert [n for n, _ in ours.named_parameters(**kw)] == \
            [n for n, _ in theirs.named_parameters(**kw)], kw
    assert [n for n, _ in ours.named_modules(remove_duplicate=False)] == \
        [n for n, _ in theirs.named_modules(remove_duplicate=False)]
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 4
    assert len(list(ours.parameters(recurse=False))) == 0


class _Custom:
    """A user module written once, instantiated under either library."""

    @staticmethod
    def make(lib):
        n = lib.nn

        class Net(n.Module):
            def __init__(self):
                super().__init__()
                self.fc = n.Linear(3, 2)
                self.scale = n.Parameter(lib.ones(2))
                self.register_buffer("steps", lib.zeros((), dtype=lib.int64))
                self.register_buffer("cache", lib.zeros(2), persistent=False)
                self.register_parameter("unused", None)
                self.plain = 5

            def forward(self, x):
                return self.fc(x) * self.scale + self.cache

            def extra_repr(self):
                return "custom=1"

        return Net()


def test_custom_module_registration(real):
    ours, theirs = _Custom.make(torch), _Custom.make(real)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())  # cache is not persistent
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert ours.plain == 5 and "plain" in ours.__dict__
    assert ours.unused is None
    # reassigning: a Module moves out of other registries, plain values stay plain
    for m in (ours, theirs):
        m.plain = m.fc
        del m.cache
        m.register_buffer("cache", None)
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    del ours.plain, theirs.plain
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert sorted(set(dir(ours)) & {"fc", "scale", "steps", "cache", "forward"}) == \
        sorted(set(dir(theirs)) & {"fc", "scale", "steps", "cache", "forward"})


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - comparing the exception itself
        return type(e).__name__, str(e)
    return None


@pytest.mark.parametrize("case", [
    "getattr", "param_tensor", "param_wrong_type", "child_wrong", "buffer_wrong", "dot_name",
    "empty_name", "exists", "add_module_type", "before_init",
    "get_submodule", "get_submodule_not_module", "get_parameter", "get_parameter_not",
    "train_bool", "to_int", "forward_missing",
])
def test_attribute_errors(real, case):
    def run(lib):
        n = lib.nn
        m = n.Linear(2, 3)
        seq = n.Sequential(m, n.ReLU())
        return {
            "getattr": lambda: m.foo,
            "param_tensor": lambda: setattr(m, "weight", lib.zeros(3, 2)),
            "param_wrong_type": lambda: m.register_parameter("w2", lib.zeros(2)),
            "child_wrong": lambda: setattr(seq, "0", 3),
            "buffer_wrong": lambda: (m.register_buffer("b", lib.zeros(1)),
                                     setattr(m, "b", [1])),
            "dot_name": lambda: m.register_buffer("a.b", lib.zeros(1)),
            "empty_name": lambda: m.register_parameter("", None),
            "exists": lambda: m.register_buffer("in_features", lib.zeros(1)),
            "add_module_type": lambda: m.add_module("x", 3),
            "before_init": lambda: _before_init(lib),
            "get_submodule": lambda: seq.get_submodule("0.nope"),
            "get_submodule_not_module": lambda: seq.get_submodule("0.weight"),
            "get_parameter": lambda: seq.get_parameter("0.nope"),
            "get_parameter_not": lambda: seq.get_parameter("0.in_features"),
            "train_bool": lambda: m.train("yes"),
            "to_int": lambda: m.to(lib.int64),
            "forward_missing": lambda: n.Module()(1),
        }[case]

    ours, theirs = _err(run(torch)), _err(run(real))
    assert ours is not None and ours == theirs


def _before_init(lib):
    class Bad(lib.nn.Module):
        def __init__(self):
            self.w = lib.nn.Parameter(lib.ones(1))

    Bad()


def test_get_submodule_parameter(real):
    ours = build(torch, "nested")
    assert ours.get_submodule("block.2") is ours.block[2]
    assert ours.get_submodule("") is ours
    assert ours.get_parameter("heads.1.bias") is ours.heads[1].bias
    assert ours.get_buffer("bn.running_mean") is ours.bn.running_mean


# ---- state dict --------------------------------------------------------------------------------
def test_load_state_dict_roundtrip_and_copy(real):
    theirs = build(real, "nested")
    ours = build(torch, "nested")
    w_before = ours.conv.weight
    res = copy_weights(ours, theirs)
    assert repr(res) == "<All keys matched successfully>"
    assert res.missing_keys == [] and res.unexpected_keys == []
    assert ours.conv.weight is w_before  # copied in place
    for k, v in ours.state_dict().items():
        np.testing.assert_array_equal(np_(v), theirs.state_dict()[k].numpy())
    # state_dict tensors share the values but are detached
    sd = ours.state_dict()
    assert not sd["conv.weight"].requires_grad
    sd_kv = ours.state_dict(keep_vars=True)
    assert sd_kv["conv.weight"] is ours.conv.weight


@pytest.mark.parametrize("case", ["missing", "unexpected", "both", "shape", "non_strict",
                                  "not_tensor", "not_mapping", "bn_old_version"])
def test_load_state_dict_reports(real, case):
    def run(lib):
        n = lib.nn
        m = n.Sequential(n.Linear(3, 4), n.BatchNorm1d(4))
        sd = dict(m.state_dict())
        if case == "missing":
            del sd["0.bias"]
            return lambda: m.load_state_dict(sd)
        if case == "unexpected":
            sd["0.extra"] = lib.zeros(1)
            sd["5.weight"] = lib.zeros(1)
            return lambda: m.load_state_dict(sd)
        if case == "both":
            del sd["1.running_var"]
            sd["x"] = lib.zeros(1)
            return lambda: m.load_state_dict(sd)
        if case == "shape":
            sd["0.weight"] = lib.zeros(2, 3)
            return lambda: m.load_state_dict(sd)
        if case == "non_strict":
            del sd["0.bias"]
            sd["x"] = lib.zeros(1)
            return lambda: repr(m.load_state_dict(sd, strict=False))
        if case == "not_tensor":
            sd["0.bias"] = [1.0, 2.0, 3.0, 4.0]
            return lambda: m.load_state_dict(sd)
        if case == "not_mapping":
            return lambda: m.load_state_dict([1])
        if case == "bn_old_version":  # a plain dict has no version: num_batches_tracked optional
            del sd["1.num_batches_tracked"]
            return lambda: repr(m.load_state_dict(sd))

    def outcome(fn):
        try:
            return ("ok", fn())
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)

    ours, theirs = outcome(run(torch)), outcome(run(real))
    assert ours == theirs


def test_load_state_dict_assign(real):
    m = nn.Linear(2, 2)
    new_w = torch.ones(2, 2)
    res = m.load_state_dict({"weight": new_w, "bias": torch.zeros(2)}, assign=True)
    assert repr(res) == "<All keys matched successfully>"
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    new_w.add_(1)  # assign shares the tensor's data, as torch
    assert m.weight.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    rm = real.nn.Linear(2, 2)
    rw = real.ones(2, 2)
    rm.load_state_dict({"weight": rw, "bias": real.zeros(2)}, assign=True)
    rw.add_(1)
    assert rm.weight.tolist() == m.weight.tolist()


# ---- modes, grads, conversions -----------------------------------------------------------------
def test_train_eval_requires_grad_apply(real):
    for lib in (torch, real):
        m = build(lib, "nested")
        assert m.training and m.bn.training
        assert m.eval() is m
        assert not any(x.training for x in m.modules())
        m.train()
        assert all(x.training for x in m.modules())
        m.requires_grad_(False)
        assert not any(p.requires_grad for p in m.parameters())
        names = []
        m.apply(lambda mod, names=names: names.append(type(mod).__name__))
        assert names[-1] == "Sequential" and names[0] == "Conv2d"
    ours_names, their_names = [], []
    build(torch, "nested").apply(lambda mod: ours_names.append(type(mod).__name__))
    build(real, "nested").apply(lambda mod: their_names.append(type(mod).__name__))
    assert ours_names == their_names


def test_zero_grad():
    m = nn.Linear(3, 2)
    m(torch.ones(4, 3)).sum().backward()
    g = m.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.weight.grad is g and m.weight.grad.abs().sum().item() == 0
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None


@pytest.mark.parametrize("conv", ["double", "float", "half", "to_double", "to_tensor"])
def test_dtype_conversion(real, conv):
    def run(lib):
        m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.BatchNorm1d(2))
        m[0](lib.ones(1, 2)).sum().backward()
        w = m[0].weight
        fn = {"double": lambda: m.double(), "float": lambda: m.double().float(),
              "half": lambda: m.half(), "to_double": lambda: m.to(lib.float64),
              "to_tensor": lambda: m.to(lib.zeros(1, dtype=lib.float64))}[conv]
        assert fn() is m
        assert m[0].weight is w  # same Parameter object
        return {k: str(v.dtype) for k, v in m.state_dict().items()}, str(w.grad.dtype)

    assert run(torch) == run(real)


def test_dtype_conversion_trains():
    m = nn.Linear(2, 1).double()
    y = m(torch.ones(3, 2, dtype=torch.float64)).sum()
    y.backward()
    assert m.weight.grad.dtype == torch.float64
    assert m.weight.grad.tolist() == [[3.0, 3.0]]


# ---- hooks and calls ---------------------------------------------------------------------------
def test_forward_hooks(real):
    def run(lib):
        m = lib.nn.Linear(2, 2)
        with lib.no_grad():
            m.weight.copy_(lib.tensor([[1.0, 2.0], [3.0, 4.0]]))
            m.bias.zero_()
        log = []

        def pre(mod, args):
            log.append(("pre", type(mod).__name__, len(args)))
            return args[0] * 2  # a non-tuple return becomes the single argument

        def pre_kw(mod, args, kwargs):
            log.append(("pre_kw", sorted(kwargs)))

        def post(mod, args, out):
            log.append(("post", tuple(out.shape)))
            return out + 1

        def first(mod, args, out):
            log.append("first")

        h1 = m.register_forward_pre_hook(pre)
        m.register_forward_pre_hook(pre_kw, with_kwargs=True)
        m.register_forward_hook(post)
        m.register_forward_hook(first, prepend=True)
        out1 = m(lib.ones(1, 2)).tolist()
        h1.remove()
        out2 = m(lib.ones(1, 2)).tolist()
        return log, out1, out2

    assert run(torch) == run(real)


def test_incompatible_keys_type(real):
    res = nn.Linear(1, 1).load_state_dict({"weight": torch.zeros(1, 1)}, strict=False)
    rres = real.nn.Linear(1, 1).load_state_dict({"weight": real.zeros(1, 1)}, strict=False)
    assert repr(res) == repr(rres)
    assert res.missing_keys == ["bias"] and tuple(res) == (["bias"], [])


# ---- containers --------------------------------------------------------------------------------
def test_sequential_container(real):
    def run(lib):
        n = lib.nn
        s = n.Sequential(n.Linear(2, 3), n.ReLU(), n.Linear(3, 1))
        out = [len(s), type(s[0]).__name__, type(s[-1]).__name__, repr(s[1:]),
               [type(x).__name__ for x in s]]
        s.append(n.Sigmoid())
        s.insert(1, n.Tanh())
        s[0] = n.Linear(2, 3, bias=False)
        del s[2]
        out.append(repr(s))
        out.append(_err(lambda: s[10]))
        popped = s.pop(-1)
        out.append(type(popped).__name__)
        out.append(repr(s + n.Sequential(n.ReLU())))
        s.extend([n.GELU()])
        out.append(repr(s))
        return out

    assert run(torch) == run(real)


def test_modulelist_moduledict(real):
    def run(lib):
        n = lib.nn
        ml = n.ModuleList([n.Linear(1, 1) for _ in range(2)])
        ml.append(n.ReLU())
        ml.extend([n.ReLU(), n.Linear(1, 1)])
        ml.insert(0, n.Tanh())
        out = [repr(ml), len(ml), repr(ml[1:3]), _err(lambda: ml[9])]
        del ml[1]
        out.append(repr(ml))
        out.append(repr(n.ModuleList()))
        md = n.ModuleDict({"a": n.ReLU(), "b": n.Linear(1, 2)})
        md["c"] = n.Tanh()
        md.update([("d", n.Sigmoid())])
        out += [repr(md), list(md.keys()), "a" in md, len(md)]
        md.pop("a")
        out.append(list(md))
        return out

    assert run(torch) == run(real)


# ---- init --------------------------------------------------------------------------------------
def test_calculate_gain_and_fans(real):
    ri = real.nn.init
    for args in [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                 ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu",)]:
        assert nn.init.calculate_gain(*args) == ri.calculate_gain(*args)
    for args in [("leaky_relu", True), ("foo",)]:
        assert _err(lambda a=args: nn.init.calculate_gain(*a)) == \
            _err(lambda a=args: ri.calculate_gain(*a))
    for shape in [(4, 3), (8, 3, 5, 5), (2, 6, 7)]:
        assert nn.init._calculate_fan_in_and_fan_out(torch.empty(shape)) == \
            ri._calculate_fan_in_and_fan_out(real.empty(shape))
    assert _err(lambda: nn.init._calculate_fan_in_and_fan_out(torch.empty(3))) == \
        _err(lambda: ri._calculate_fan_in_and_fan_out(real.empty(3)))
    assert _err(lambda: nn.init.kaiming_uniform_(torch.empty(3, 3), mode="bad")) == \
        _err(lambda: ri.kaiming_uniform_(real.empty(3, 3), mode="bad"))


def test_init_distributions():
    torch.manual_seed(0)
    w = nn.Parameter(torch.empty(200, 300))
    fan_in = 300
    r = nn.init.kaiming_uniform_(w, a=math.sqrt(5))
    assert r is w and w.is_leaf and w.requires_grad and w.grad_fn is None
    bound = math.sqrt(3.0) * math.sqrt(2.0 / (1 + 5)) / math.sqrt(fan_in)
    a = np_(w)
    assert a.max() <= bound and a.min() >= -bound and a.max() > 0.98 * bound
    assert abs(a.std() - bound / math.sqrt(3)) < 0.02 * bound
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert abs(np_(w).std() - math.sqrt(2.0 / 200)) < 0.01
    nn.init.xavier_uniform_(w, gain=2.0)
    xb = 2.0 * math.sqrt(6.0 / 500)
    assert np_(w).max() <= xb and np_(w).min() >= -xb and np_(w).max() > 0.98 * xb
    nn.init.xavier_normal_(w)
    assert abs(np_(w).std() - math.sqrt(2.0 / 500)) < 0.003
    nn.init.uniform_(w, -0.5, 2.0)
    assert np_(w).min() >= -0.5 and np_(w).max() <= 2.0 and abs(np_(w).mean() - 0.75) < 0.02
    nn.init.normal_(w, 3.0, 0.5)
    assert abs(np_(w).mean() - 3.0) < 0.01 and abs(np_(w).std() - 0.5) < 0.01
    nn.init.constant_(w, 0.25)
    assert (np_(w) == 0.25).all()
    nn.init.zeros_(w)
    assert (np_(w) == 0).all()
    nn.init.ones_(w)
    assert (np_(w) == 1).all()
    assert w._version > 0  # in place
    # seeded: same seed, same draws
    torch.manual_seed(5)
    a1 = np_(nn.Linear(4, 4).weight)
    torch.manual_seed(5)
    assert (np_(nn.Linear(4, 4).weight) == a1).all()
    g = torch.Generator().manual_seed(1)
    b1 = np_(nn.init.uniform_(torch.empty(5), generator=g))
    g.manual_seed(1)
    assert (np_(nn.init.uniform_(torch.empty(5), generator=g)) == b1).all()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        nn.init.kaiming_uniform_(torch.empty(0, 3))
    assert "zero-element" in str(rec[0].message)


@pytest.mark.parametrize("layer", ["linear", "conv1d", "conv2d"])
def test_layer_default_init_bounds(layer):
    torch.manual_seed(1)
    m = {"linear": lambda: nn.Linear(50, 64), "conv1d": lambda: nn.Conv1d(4, 64, 5),
         "conv2d": lambda: nn.Conv2d(4, 64, 3, groups=2)}[layer]()
    fan_in = m.weight[0].numel()
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) gives exactly 1/sqrt(fan_in)
    w, b = np_(m.weight), np_(m.bias)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert w.std() > 0.4 * bound


def test_embedding_and_norm_init():
    torch.manual_seed(0)
    e = nn.Embedding(1000, 8, padding_idx=3)
    w = np_(e.weight)
    assert (w[3] == 0).all() and abs(w.std() - 1.0) < 0.05
    assert e.weight.is_leaf and e.weight.requires_grad
    bn = nn.BatchNorm1d(3)
    assert bn.weight.tolist() == [1.0] * 3 and bn.bias.tolist() == [0.0] * 3
    assert bn.running_var.tolist() == [1.0] * 3 and bn.num_batches_tracked.item() == 0


# ---- nn.utils ----------------------------------------------------------------------------------
@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf")])
def test_clip_grad_norm(real, norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) for s in [(3, 4), (4,), (2, 2)]]
    ps = [nn.Parameter(torch.zeros(g.shape)) for g in grads]
    rps = [real.nn.Parameter(real.zeros(g.shape)) for g in grads]
    for p, rp, g in zip(ps, rps, grads, strict=True):
        p.grad = torch.tensor(g)
        rp.grad = real.tensor(g)
    ps.append(nn.Parameter(torch.zeros(2)))  # no grad: skipped
    rps.append(real.nn.Parameter(real.zeros(2)))
    total = nn.utils.clip_grad_norm_(ps, 1.5, norm_type=norm_type, foreach=False)
    rtotal = real.nn.utils.clip_grad_norm_(rps, 1.5, norm_type=norm_type)
    assert isinstance(total, torch.Tensor) and total.shape == () and str(total.dtype) == \
        str(rtotal.dtype)
    np.testing.assert_allclose(total.item(), rtotal.item(), rtol=1e-6)
    for p, rp in zip(ps[:-1], rps[:-1], strict=True):
        np.testing.assert_allclose(np_(p.grad), rp.grad.numpy(), rtol=1e-6, atol=1e-7)
    assert ps[-1].grad is None
    # no clipping when under the limit; a single tensor is accepted
    p = nn.Parameter(torch.zeros(2))
    p.grad = torch.tensor([0.3, 0.4])
    assert abs(nn.utils.clip_grad_norm_(p, 10.0).item() - 0.5) < 1e-7
    assert p.grad.tolist() == pytest.approx([0.3, 0.4])
    assert nn.utils.clip_grad_norm_([], 1.0).item() == 0.0


def test_clip_grad_norm_nonfinite(real):
    p = nn.Parameter(torch.zeros(2))
    p.grad = torch.tensor([float("inf"), 1.0])
    rp = real.nn.Parameter(real.zeros(2))
    rp.grad = real.tensor([float("inf"), 1.0])
    assert _err(lambda: nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)) == \
        _err(lambda: real.nn.utils.clip_grad_norm_(rp, 1.0, error_if_nonfinite=True))
    assert math.isinf(nn.utils.clip_grad_norm_(p, 1.0).item())


def test_clip_grad_value_and_vectors(real):
    g = np.array([[-3.0, 0.5], [2.0, -0.1]], np.float32)
    p = nn.Parameter(torch.zeros(2, 2))
    p.grad = torch.tensor(g)
    rp = real.nn.Parameter(real.zeros(2, 2))
    rp.grad = real.tensor(g)
    nn.utils.clip_grad_value_([p], 1.0)
    real.nn.utils.clip_grad_value_([rp], 1.0)
    assert p.grad.tolist() == rp.grad.tolist()

    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    vec = nn.utils.parameters_to_vector(m.parameters())
    assert vec.shape == (sum(p.numel() for p in m.parameters()),)
    new = torch.arange(vec.numel(), dtype=torch.float32)
    ids = [id(p) for p in m.parameters()]
    nn.utils.vector_to_parameters(new, m.parameters())
    assert [id(p) for p in m.parameters()] == ids
    assert m[0].weight.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert m[1].bias.tolist() == [10.0]
    assert nn.utils.parameters_to_vector(m.parameters()).tolist() == new.tolist()
    assert _err(lambda: nn.utils.vector_to_parameters([1.0], m.parameters())) == \
        _err(lambda: real.nn.utils.vector_to_parameters([1.0], real.nn.Linear(1, 1)
                                                          .parameters()))


# ---- compile -----------------------------------------------------------------------------------
def test_linear_trains_inside_compile():
    torch.manual_seed(0)
    model = nn.Linear(3, 4)
    ref = nn.Linear(3, 4)
    ref.load_state_dict(model.state_dict())
    x = torch.randn(8, 3)
    y = torch.randn(8, 4)

    def step(m, x, y):
        m.zero_grad()
        loss = ((m(x) - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in m.parameters():
                p -= 0.1 * p.grad
        return loss

    compiled = torch.compile(step)
    for _ in range(4):
        lc = compiled(model, x, y)
        le = step(ref, x, y)
        np.testing.assert_allclose(lc.item(), le.item(), rtol=1e-5)
    np.testing.assert_allclose(np_(model.weight), np_(ref.weight), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_(model.bias), np_(ref.bias), rtol=1e-5, atol=1e-6)
    assert isinstance(model.weight, nn.Parameter) and model.weight.is_leaf


def test_compile_sees_train_eval_switch():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    x = torch.randn(8, 3)
    f = torch.compile(lambda x: m(x))
    with torch.no_grad():
        f(x)
        m.eval()
        compiled, eager = f(x), m(x)
    assert m[1].num_batches_tracked.item() == 1
    np.testing.assert_allclose(np_(compiled), np_(eager), rtol=1e-5, atol=1e-6)


def test_deepcopy_pickle_and_factory_kwargs(real):
    import pickle

    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    m(torch.randn(5, 3)).sum().backward()
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert repr(clone) == repr(m)
        assert type(clone[0].weight) is nn.Parameter and clone[0].weight is not m[0].weight
        assert clone[0].weight.requires_grad and clone[0].weight.grad is None
        for k, v in m.state_dict().items():
            assert (np_(clone.state_dict()[k]) == np_(v)).all()
        clone[0].weight.data.add_(1)
        assert not (np_(clone[0].weight) == np_(m[0].weight)).all()
    for make in (lambda L: L.nn.Linear(2, 2, dtype=L.float64),
                 lambda L: L.nn.Conv1d(1, 2, 1, dtype=L.float64),
                 lambda L: L.nn.BatchNorm2d(2, dtype=L.float64),
                 lambda L: L.nn.LayerNorm(2, dtype=L.float64),
                 lambda L: L.nn.Embedding(3, 2, dtype=L.float64)):
        assert {k: str(v.dtype) for k, v in make(torch).state_dict().items()} == \
            {k: str(v.dtype) for k, v in make(real).state_dict().items()}


def test_softmax_implicit_dim_warning(real):
    for lib in (torch, real):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            lib.nn.Softmax()(lib.ones(2, 3))
        assert len(rec) == 1 and "Implicit dimension choice" in str(rec[0].message)


def test_compile_deeply_nested_model_trains():
    def make():
        return nn.Sequential(nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.Tanh()),
                                           nn.Linear(4, 2)))

    torch.manual_seed(0)
    m, ref = make(), make()
    ref.load_state_dict(m.state_dict())
    x = torch.randn(8, 3)

    def step(m, x):
        m.zero_grad()
        loss = m(x).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            for p in m.parameters():
                p -= 0.1 * p.grad
        return loss

    compiled = torch.compile(step)
    for _ in range(3):
        np.testing.assert_allclose(compiled(m, x).item(), step(ref, x).item(), rtol=1e-5)
    np.testing.assert_allclose(np_(m[0][0][0].weight), np_(ref[0][0][0].weight), rtol=1e-5)
