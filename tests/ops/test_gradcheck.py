"""``torch.autograd.gradcheck`` / ``gradgradcheck``.

* Behaviour against torch: the ``gradcheck`` snippets of ``tests/fixtures/testing_tools.json``
  (recorded from torch 2.13 by ``tools/record_testing_fixtures.py``) must give torch's results,
  exception classes, messages (Jacobians included) and warnings.
* Every differentiable op in the registry passes gradcheck on float64 inputs away from kinks, and
  the ops with a second derivative pass gradgradcheck: the engine's vjps against finite
  differences, independently of the engine.
* Corrupted gradients are caught with torch's message.
* ``torch_live``: the fixture is fresh; our numerical Jacobians equal torch's; torch's gradcheck
  accepts the same op cases (so they really sit at differentiable points).
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import pytest

import torchlike_jax as torch
from tests.support.recorded import REPO_ROOT, as_recorded, stale_fixture_message
from tests.support.testing_tools import FIXTURES, RECORDER
from torchlike_jax.autograd import gradcheck as gradcheck_module_attr
from torchlike_jax.core.registry import REGISTRY
from torchlike_jax.ops import shape as _shape_ops

_FAST_NUMBERS = re.compile(r"numerical:[^\n]*\nanalytical:[^\n]*\n")


def _comparable(observation: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    out = as_recorded(observation)
    if "exc" in out and case.get("compare") == "fast_mode":
        # fast mode projects on random vectors; torch's stream and ours differ, so the two
        # projected numbers differ — the slow-mode Jacobians and the rest must not
        out["exc"][1] = _FAST_NUMBERS.sub("numerical:<v^T J u>\nanalytical:<v^T J u>\n",
                                          out["exc"][1], count=1)
    return out


# ---- fixtures recorded from torch -------------------------------------------------------------
def test_every_case_is_recorded() -> None:
    cases = dict(RECORDER.CASES)["gradcheck"]
    recorded = {c["name"]: c["code"] for c in FIXTURES["gradcheck"]}
    assert {c["name"]: c["code"] for c in cases} == recorded, (
        stale_fixture_message("record_testing_fixtures"))


# differences that come from the engine, not from gradcheck (which reports them faithfully)
KNOWN_DIFFERENCES: dict[str, str] = {}


def _gradcheck_params() -> list:
    return [pytest.param(c, id=c["name"], marks=pytest.mark.xfail(
        strict=True, reason=KNOWN_DIFFERENCES[c["name"]])) if c["name"] in KNOWN_DIFFERENCES
        else pytest.param(c, id=c["name"]) for c in FIXTURES["gradcheck"]]


@pytest.mark.parametrize("case", _gradcheck_params())
def test_gradcheck_matches_torch(case: dict[str, Any]) -> None:
    torch.manual_seed(0)
    ours = RECORDER.observe(torch, case)
    assert _comparable(ours, case) == _comparable(case["observed"], case)


@pytest.mark.torch_live
def test_fixture_is_fresh() -> None:
    real = pytest.importorskip("torch")
    real.manual_seed(0)
    for case in FIXTURES["gradcheck"]:
        assert RECORDER.observe(real, case) == case["observed"], case["name"]


def test_detached_first_gradient_still_fails_gradgradcheck() -> None:
    """The known difference above changes the message only: the wrong second derivative is
    still reported."""
    x = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64, requires_grad=True)
    go = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)

    def f(a):
        b = a * 1
        b.register_hook(lambda g: g.detach())
        return b ** 3

    with pytest.raises(torch.autograd.GradcheckError):
        torch.autograd.gradgradcheck(f, (x,), (go,))


# ---- API shape ----------------------------------------------------------------------------------
def test_names_and_exception_class() -> None:
    from torchlike_jax.autograd.gradcheck import GradcheckError

    assert torch.autograd.gradcheck is gradcheck_module_attr  # the function, as in torch
    assert callable(torch.autograd.gradcheck) and callable(torch.autograd.gradgradcheck)
    assert torch.autograd.gradcheck.GradcheckError is GradcheckError
    assert torch.autograd.GradcheckError is GradcheckError
    assert issubclass(GradcheckError, RuntimeError)


# ---- every op: float64 inputs away from non-differentiable points -----------------------------
def _t(T, values, grad=True):
    return T.tensor(np.asarray(values, dtype=np.float64), dtype=T.float64, requires_grad=grad)


_RNG = np.random.default_rng(5)
_A = np.round(_RNG.uniform(-2, 2, (2, 3)), 3) + 0.0123  # no value near 0 or an integer
_B = np.round(_RNG.uniform(-2, 2, (3,)), 3) + 0.0321
_POS = np.array([[0.7, 1.3, 2.1], [0.4, 1.9, 1.1]])
_SAFE = np.array([[0.31, 2.13, -1.27], [-0.62, 1.46, 3.71]])  # far from multiples of 1.7 / ints
_M = np.array([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]])


def _cases() -> dict[str, Any]:
    """op name -> (builder: module -> (func, inputs)); each builder uses only API that both torch
    and torchlike_jax have, so the live test can hand the same case to torch."""
    return {
        "add": lambda T: (lambda a, b: a + b, (_t(T, _A), _t(T, _B))),
        "add_alpha": lambda T: (lambda a, b: T.add(a, b, alpha=2.5), (_t(T, _A), _t(T, _B))),
        "sub": lambda T: (lambda a, b: a - b, (_t(T, _A), _t(T, _B))),
        "sub_alpha": lambda T: (lambda a, b: T.sub(a, b, alpha=0.5), (_t(T, _A), _t(T, _B))),
        "rsub": lambda T: (lambda a: 3.0 - a, (_t(T, _A),)),
        "mul": lambda T: (lambda a, b: a * b, (_t(T, _A), _t(T, _B))),
        "div": lambda T: (lambda a, b: a / b, (_t(T, _A), _t(T, _POS))),
        "rdiv": lambda T: (lambda a: 2.0 / a, (_t(T, _POS),)),
        "pow": lambda T: (lambda a, b: a ** b, (_t(T, _POS), _t(T, _A))),
        "pow_scalar": lambda T: (lambda a: a ** 3 + a ** 2.5, (_t(T, _POS),)),
        "rpow": lambda T: (lambda a: 2.0 ** a, (_t(T, _A),)),
        "maximum": lambda T: (T.maximum, (_t(T, _A), _t(T, _M))),
        "minimum": lambda T: (T.minimum, (_t(T, _A), _t(T, _M))),
        "remainder": lambda T: (lambda a: T.remainder(a, 1.7), (_t(T, _SAFE),)),
        "rremainder": lambda T: (lambda a: 5.0 % a, (_t(T, [1.1, 1.4, 1.8]),)),
        "div_mode": lambda T: (lambda a, b: T.div(a, b, rounding_mode="floor")
                               + T.div(a, b, rounding_mode="trunc"),
                               (_t(T, _SAFE), _t(T, [[1.1, 1.3, 0.9], [1.2, 0.8, 1.05]]))),
        "trunc": lambda T: (lambda a: a.trunc() + a, (_t(T, _SAFE),)),
        "neg": lambda T: (lambda a: -a, (_t(T, _A),)),
        "abs": lambda T: (lambda a: a.abs(), (_t(T, _A),)),
        "exp": lambda T: (lambda a: a.exp(), (_t(T, _A),)),
        "log": lambda T: (lambda a: a.log(), (_t(T, _POS),)),
        "sin": lambda T: (lambda a: a.sin(), (_t(T, _A),)),
        "cos": lambda T: (lambda a: a.cos(), (_t(T, _A),)),
        "tanh": lambda T: (lambda a: a.tanh(), (_t(T, _A),)),
        "sigmoid": lambda T: (lambda a: a.sigmoid(), (_t(T, _A),)),
        "sqrt": lambda T: (lambda a: a.sqrt(), (_t(T, _POS),)),
        "relu": lambda T: (lambda a: a.relu(), (_t(T, _A),)),
        "clamp": lambda T: (lambda a: a.clamp(-0.5, 1.0) + a.clamp(min=0.2), (_t(T, _A),)),
        "where": lambda T: (lambda a, b: T.where(a > 0, a, b),
                            (_t(T, _A), _t(T, _M))),
        "sum": lambda T: (lambda a: (a.sum(), a.sum(1), a.sum((0, 1), keepdim=True)),
                          (_t(T, _A),)),
        "mean": lambda T: (lambda a: (a.mean(), a.mean(0)), (_t(T, _A),)),
        "max_all": lambda T: (lambda a: a.max(), (_t(T, _A),)),
        "min_all": lambda T: (lambda a: a.min(), (_t(T, _A),)),
        "max_dim": lambda T: (lambda a: a.max(1).values, (_t(T, _A),)),
        "min_dim": lambda T: (lambda a: a.min(0, keepdim=True).values, (_t(T, _A),)),
        "reshape": lambda T: (lambda a: a.reshape(3, 2) * a.view(-1)[:2], (_t(T, _A),)),
        "transpose": lambda T: (lambda a: a.transpose(0, 1), (_t(T, _A),)),
        "t": lambda T: (lambda a: a.t(), (_t(T, _A),)),
        "permute": lambda T: (lambda a: a.reshape(1, 2, 3).permute(2, 0, 1), (_t(T, _A),)),
        "unsqueeze": lambda T: (lambda a: a.unsqueeze(1), (_t(T, _A),)),
        "squeeze": lambda T: (lambda a: (a.reshape(2, 1, 3).squeeze(1),
                                         a.reshape(1, 2, 3, 1).squeeze(),
                                         a.reshape(1, 6, 1).squeeze((0, 2))), (_t(T, _A),)),
        "expand": lambda T: (lambda a: a.reshape(1, 3).expand(4, 3) * 1.0,
                             (_t(T, _B),)),
        "clone": lambda T: (lambda a: a.clone(), (_t(T, _A),)),
        # float32 → float64: inputs small enough that float32 rounding of x ± eps stays far
        # below the tolerance (float64 → float64 is no op at all)
        "to_copy": lambda T: (lambda a: a.double() * 3,
                              (T.tensor([1e-3, -2e-3, 3e-3], requires_grad=True),)),
        "getitem": lambda T: (lambda a: (a[1:, ::2], a[0], a[T.tensor([1, 0, 1])],
                                         a[..., None], a[:, T.tensor([2, 2])]), (_t(T, _A),)),
        "index_put": lambda T: (_index_put(T), (_t(T, _A), _t(T, _B))),
        "cat": lambda T: (lambda a, b: T.cat([a, b.reshape(1, 3)], 0), (_t(T, _A), _t(T, _B))),
        "stack": lambda T: (lambda a, b: T.stack([a[0], b], 1), (_t(T, _A), _t(T, _B))),
        "matmul": lambda T: (lambda a, m, b: (a @ m.t(), a @ b, b @ b, b @ m.t(),
                                              T.bmm(a.reshape(1, 2, 3), m.t().reshape(1, 3, 2)),
                                              a.reshape(2, 1, 3) @ m.t()),
                             (_t(T, _A), _t(T, _M), _t(T, _B))),
        "fill_": lambda T: (_inplace(T, lambda y, b: y.fill_(2.0)), (_t(T, _A), _t(T, _B))),
        "fill_tensor_": lambda T: (_inplace(T, lambda y, b: y.fill_(b.sum())),
                                   (_t(T, _A), _t(T, _B))),
        "zero_": lambda T: (_inplace(T, lambda y, b: y.zero_()), (_t(T, _A), _t(T, _B))),
        "copy_": lambda T: (_inplace(T, lambda y, b: y.copy_(b)), (_t(T, _A), _t(T, _B))),
        # writes through views: CopySlices into the base, AsStrided views regenerated from it
        "copy_slices": lambda T: (_inplace(T, lambda y, b: y[1].mul_(b)), (_t(T, _A), _t(T, _B))),
        "view_chain": lambda T: (_view_after_base_write(T), (_t(T, _A), _t(T, _B))),
        "unsafe_view": lambda T: (lambda a: a.t().reshape(6) ** 2, (_t(T, _A),)),
        "alias": lambda T: (lambda a: _alias(T)(a) * a, (_t(T, _A),)),
        "sgn": lambda T: (lambda a: T.sgn(a) * 3 + a, (_t(T, _A),)),
        "special_xlog1py_scalar_self": lambda T: (lambda b: T.special.xlog1py(2.0, b),
                                                  (_t(T, _POS),)),
        "scaled_dot_product_flash_attention_for_cpu": lambda T: (_sdpa(T), (
            _t(T, _RNG.uniform(-1, 1, (1, 2, 3, 4))), _t(T, _RNG.uniform(-1, 1, (1, 1, 5, 4))),
            _t(T, _RNG.uniform(-1, 1, (1, 1, 5, 4))))),
        **_rnn_cases(),
        # through log_softmax: torch's ctc gradient w.r.t. raw log-probs is exp(lp) off
        "ctc_loss": lambda T: (lambda a: T.nn.functional.ctc_loss(
            a.reshape(3, 1, 2).log_softmax(2), T.tensor([[1]]), [3], [1], reduction="none"),
            (_t(T, _A),)),
        "embedding_bag": lambda T: (lambda w, s: T.nn.functional.embedding_bag(
            T.tensor([0, 1, 1, 0]), w.t(), T.tensor([0, 1]), mode="sum",
            per_sample_weights=s.repeat(2)[:4]), (_t(T, _A), _t(T, [0.5, -1.5]))),
        "multi_margin_loss": lambda T: (lambda a: T.nn.functional.multi_margin_loss(
            a, T.tensor([2, 0]), p=2, margin=3.0), (_t(T, _A),)),
        "multilabel_margin_loss": lambda T: (lambda a: T.nn.functional.multilabel_margin_loss(
            a * 0.1, T.tensor([[2, -1, 0], [0, 1, -1]])), (_t(T, _A),)),
        "unfold_im2col": lambda T: (lambda a: T.nn.functional.unfold(
            a.reshape(1, 1, 2, 3), 2, padding=1, stride=(1, 2)), (_t(T, _A),)),
        "max_pool3d": lambda T: (lambda a: T.nn.functional.max_pool3d(
            a.reshape(1, 1, 2, 3), 2, stride=1, padding=1), (_t(T, _A),)),
        "avg_pool3d": lambda T: (lambda a: T.nn.functional.avg_pool3d(
            a.reshape(1, 1, 2, 3), (1, 2, 2), stride=1, padding=(0, 1, 0), ceil_mode=True,
            count_include_pad=False), (_t(T, _A),)),
        "fold_col2im": lambda T: (lambda a: T.nn.functional.fold(
            a.reshape(1, 2, 3), (4, 1), (2, 1)), (_t(T, _A),)),  # overlapping blocks summed
        "as_strided": lambda T: (lambda a: T.as_strided(a, (2, 2), (1, 2), 1), (_t(T, _A),)),
        "as_strided_": lambda T: (lambda a: (a * 1).as_strided_((3, 2), (1, 3)), (_t(T, _A),)),
        "unsafe_split": lambda T: (lambda a: T.unsafe_split(a, 2, 1), (_t(T, _A),)),
        "unsafe_split_with_sizes": lambda T: (lambda a: T.unsafe_split_with_sizes(a, [1, 2], 1),
                                              (_t(T, _A),)),
    }


def _rnn_cases() -> dict[str, Any]:
    """Recurrent layer ops (ops/rnn.py): an LSTM with projection, a packed bidirectional GRU
    (masked scan, reverse order), and the packing gathers."""
    r = np.random.default_rng(7)

    def u(*shape):
        return np.round(r.uniform(-0.8, 0.8, shape), 3)

    lstm_w = [u(8, 2), u(8, 1), u(8), u(8), u(1, 2)]
    lstm_in = [u(3, 2, 2), u(1, 2, 1), u(1, 2, 2)]
    gru_w = [u(6, 2), u(6, 2), u(6), u(6)]
    gru_in = [u(4, 2), u(2, 2, 2)]

    def lstm(T):
        def f(x, h, c, *w):
            return T.lstm(x, (h, c), list(w), True, 1, 0.0, False, False, False)
        return f, tuple(_t(T, a) for a in lstm_in + lstm_w)

    def gru(T):
        def f(x, h, *w):
            return T.gru(x, T.tensor([2, 1, 1]), h, list(w) * 2, True, 1, 0.0, False, True)
        return f, tuple(_t(T, a) for a in gru_in + gru_w)

    rnn = lambda T: T.nn.utils.rnn  # noqa: E731
    return {
        "lstm_layer": lstm,
        "rnn_layer": gru,
        "pack_rows": lambda T: (lambda x: rnn(T).pack_padded_sequence(x, [3, 1]).data,
                                (_t(T, u(3, 2, 2)),)),
        "unpack_rows": lambda T: (lambda d: rnn(T).pad_packed_sequence(
            rnn(T).PackedSequence(d, T.tensor([2, 1, 1])), padding_value=0.5)[0],
            (_t(T, u(4, 2)),)),
    }


def _sdpa(T):
    """Plain, causal, grouped-query and float-masked attention (key/value: one head for two)."""
    sdpa = T.nn.functional.scaled_dot_product_attention
    mask = T.tensor(np.linspace(-1, 1, 15).reshape(3, 5), dtype=T.float64)

    def f(q, k, v):
        k2, v2 = k.expand(1, 2, 5, 4), v.expand(1, 2, 5, 4)
        return (sdpa(q, k, v, is_causal=True, enable_gqa=True),
                sdpa(q, k2, v2, attn_mask=mask, scale=0.7))

    return f


def _alias(T):
    """The view op ``alias`` (torch only has it as ``torch.ops.aten.alias``)."""
    return _shape_ops.alias if T.__name__ == "torchlike_jax" else T.ops.aten.alias


def _view_after_base_write(T):
    def f(a, b):
        y = a * 1.0
        v = y.t()
        y.mul_(b)  # v's grad_fn is now AsStridedBackward0 of y's new value
        return v * v
    return f


def _index_put(T):
    def f(a, b):
        y = a * 1.0
        y[0] = b
        y[T.tensor([1, 1]), T.tensor([0, 2])] = b[:2] * 2
        return y

    return f


def _inplace(T, op):
    def f(a, b):
        y = a * 1.0
        op(y, b)
        return y * a

    return f


OP_CASES = _cases()
# registered ops with a grad_fn that gradcheck cannot meaningfully check
NOT_CHECKED: dict[str, str] = {
    "floor_divide": "torch's derivative is NotImplemented (backward raises, as torch)",
    "rfloor_divide": "torch's derivative is NotImplemented (backward raises, as torch)",
    "heaviside": "torch's derivative is NotImplemented (backward raises, as torch)",
    "dropout": "random: its gradient (the kept mask) is checked in test_nn_functional_extras",
    "rrelu_noise": "random: checked in test_nn_functional_extras",
    "random_sample": "random (normal, bernoulli, poisson, in-place fills): torch's gradient is "
                     "zero; checked against torch in test_random_extras",
    "bernoulli_p": "torch's derivative is NotImplemented (backward raises, as torch)",
    "unique": "torch raises on backward; checked in test_reduction_extras",
    "special_zeta_scalar_other": "zeta is differentiable in q only; with q a Python scalar "
                                 "nothing is differentiable (torch raises for x)",
    "imag": "complex input only, and gradcheck has no complex mode yet",
    **{f"{n}_": f"torch has no derivative for the in-place {n} (backward raises, as here)"
       for n in ("asinh", "acosh", "atanh")},
}


def _gradchecked_by_opinfo() -> set[str]:
    """Registry ops dispatched by an op-info row whose float64 gradcheck passes or whose vjps
    match torch's (docs/op_support.md, generated by tools/make_op_support_table.py)."""
    import re

    table = REPO_ROOT / "docs" / "op_support.md"
    covered: set[str] = set()
    for row in table.read_text().splitlines():
        cells = [c.strip() for c in row.split("|")]
        if len(cells) > 8 and re.fullmatch(r"`[^`]+`", cells[1]) and (
                cells[4] == "pass" or cells[3] == "pass"):
            covered.update(n.strip() for n in cells[7].split(",") if n.strip())
    return covered


def test_every_differentiable_op_has_a_case() -> None:
    """Each differentiable registry op is gradchecked: here, or through an op-info row."""
    import re

    def family(name: str) -> str:  # ops registered per piece count on first use: split[3]...
        return re.sub(r"\[\d+\]$", "", name)

    differentiable = {family(n) for n, op in REGISTRY.items() if op.grad_fn is not None}
    covered = {family(n) for n in set(OP_CASES) | set(NOT_CHECKED) | _gradchecked_by_opinfo()}
    missing = differentiable - covered
    assert not missing, f"add gradcheck cases for: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(OP_CASES))
def test_gradcheck_passes_on_op(name: str) -> None:
    func, inputs = OP_CASES[name](torch)
    before = [np.array(t._st.array) for t in inputs]
    versions = [t._version for t in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float64 inputs: no warning either
        if name == "to_copy":
            warnings.simplefilter("ignore", UserWarning)  # the float32 input warns, as in torch
        assert torch.autograd.gradcheck(func, inputs) is True
    # inputs come back untouched (values and version counters)
    for t, b, v in zip(inputs, before, versions, strict=True):
        np.testing.assert_array_equal(np.array(t._st.array), b)
        assert t._version == v


_V = np.array([0.7, -1.3, 0.4])
# second derivatives: ops whose vjp is itself differentiable in an interesting way, on small
# inputs (every case costs a create_graph backward per finite-difference step)
GRADGRAD_CASES = {
    "mul": lambda T: (lambda a, b: a * b * a, (_t(T, _V), _t(T, _B))),
    "div": lambda T: (lambda a, b: a / b, (_t(T, _V), _t(T, [1.3, 0.6, 2.2]))),
    "pow": lambda T: (lambda a, b: a ** b + a ** 3, (_t(T, [0.7, 1.3, 0.4]), _t(T, _V))),
    "exp_log": lambda T: (lambda a: a.exp() * a.abs().log(), (_t(T, _V),)),
    "tanh_sigmoid": lambda T: (lambda a: a.tanh() * a.sigmoid(), (_t(T, _V),)),
    "sqrt_sin": lambda T: (lambda a: (a * a + 1).sqrt().sin(), (_t(T, _V),)),
    "matmul": lambda T: (lambda a, m: (m @ a).cos(), (_t(T, _V), _t(T, _M))),
    "getitem_cat": lambda T: (lambda a: T.cat([a[T.tensor([2, 0, 2])], a[1:]]) ** 2,
                              (_t(T, _V),)),
    "where_max": lambda T: (lambda a, b: T.where(a > 0, a * b, b * b).max(),
                            (_t(T, _V), _t(T, _B))),
    "sum_mean": lambda T: (lambda a: (a * a).sum() * a.mean(), (_t(T, _V),)),
}


@pytest.mark.parametrize("name", sorted(GRADGRAD_CASES))
def test_gradgradcheck_passes_on_op(name: str) -> None:
    func, inputs = GRADGRAD_CASES[name](torch)
    torch.manual_seed(0)
    assert torch.autograd.gradgradcheck(func, inputs) is True


def test_fast_mode_passes_on_ops() -> None:
    for name in ("matmul", "getitem"):
        func, inputs = OP_CASES[name](torch)
        assert torch.autograd.gradcheck(func, inputs, fast_mode=True) is True, name


# ---- wrong gradients are caught ---------------------------------------------------------------
def _corrupt(hook):
    def f(a, b):
        c = a * b
        c.register_hook(hook)
        return c.sin()

    return f


def test_corrupted_gradient_message() -> None:
    a = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    b = torch.tensor([2.0, -1.0], dtype=torch.float64, requires_grad=True)
    with pytest.raises(torch.autograd.GradcheckError) as info:
        torch.autograd.gradcheck(_corrupt(lambda g: g * 1.5), (a, b))
    # d sin(ab)/da = b cos(ab), numerically; analytically 1.5 times that. Rows are inputs,
    # columns outputs; an analytical off-diagonal entry is 0 * (that factor): a signed zero,
    # which torch prints as -0.0000 too
    v = np.array([2.0, -1.0]) * np.cos([1.0, -1.5])
    expected = ("Jacobian mismatch for output 0 with respect to input 0,\n"
                f"numerical:{torch.tensor(np.diag(v), dtype=torch.float64)}\n"
                f"analytical:{torch.tensor(np.eye(2) * (1.5 * v)[:, None], dtype=torch.float64)}"
                "\n")
    assert str(info.value) == expected
    assert torch.autograd.gradcheck(_corrupt(lambda g: g * 1.5), (a, b),
                                    raise_exception=False) is False
    assert torch.autograd.gradcheck(_corrupt(lambda g: g * 1.0000001), (a, b)) is True


def test_leaf_hook_corruption_is_caught() -> None:
    a = torch.tensor([0.5, 1.5, -0.3], dtype=torch.float64, requires_grad=True)
    handle = a.register_hook(lambda g: g + 0.01)
    try:
        with pytest.raises(torch.autograd.GradcheckError, match="Jacobian mismatch for output 0"):
            torch.autograd.gradcheck(lambda x: x.exp(), (a,))
    finally:
        handle.remove()
    assert torch.autograd.gradcheck(lambda x: x.exp(), (a,))


def test_inputs_restored_when_func_raises() -> None:
    a = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    calls = []

    def f(x):
        calls.append(1)
        if len(calls) > 2:
            raise ValueError("boom")
        return x * 2

    with pytest.raises(ValueError, match="boom"):
        torch.autograd.gradcheck(f, (a,))
    assert a.tolist() == [0.5, 1.5]


def test_unsupported_modes_raise() -> None:
    a = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    with pytest.raises(NotImplementedError, match="forward"):
        torch.autograd.gradcheck(lambda x: x * 2, (a,), check_forward_ad=True)
    z = torch.tensor([1 + 1j], dtype=torch.complex128, requires_grad=True)
    with pytest.raises(NotImplementedError, match="complex"):
        torch.autograd.gradcheck(lambda x: x * 2, (z,))


def test_batched_grad_needs_is_grads_batched() -> None:
    a = torch.tensor([0.5, 1.5], dtype=torch.float64, requires_grad=True)
    try:
        ok = torch.autograd.gradcheck(lambda x: x.sin(), (a,), check_batched_grad=True)
    except NotImplementedError as e:  # until autograd.grad grows is_grads_batched
        assert "is_grads_batched" in str(e)
    else:
        assert ok is True


# ---- live: torch on the same cases --------------------------------------------------------------
@pytest.mark.torch_live
def test_numerical_jacobian_equals_torchs() -> None:
    real = pytest.importorskip("torch")
    from torch.autograd.gradcheck import _get_numerical_jacobian

    from torchlike_jax.autograd.gradcheck import _numerical_jacobian

    for name in ("mul", "div", "tanh", "matmul", "getitem", "pow", "sum"):
        f_ours, in_ours = OP_CASES[name](torch)
        f_real, in_real = OP_CASES[name](real)
        ours = _numerical_jacobian(f_ours, in_ours, f_ours(*in_ours), 1e-6)
        theirs = _get_numerical_jacobian(f_real, in_real, eps=1e-6)
        assert len(ours) == len(theirs), name
        for o_in, t_in in zip(ours, theirs, strict=True):
            for o, t in zip(o_in, t_in, strict=True):
                np.testing.assert_allclose(o, t.numpy(), rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.torch_live
def test_torch_accepts_the_op_cases() -> None:
    """The op cases sit at differentiable points: torch's own gradcheck passes on them."""
    real = pytest.importorskip("torch")
    for name, build in sorted(OP_CASES.items()):
        if name == "rremainder":
            continue  # torch has no derivative for remainder(Scalar, Tensor) w.r.t. the tensor
        func, inputs = build(real)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            assert real.autograd.gradcheck(func, inputs), name
    for name, build in sorted(GRADGRAD_CASES.items()):
        func, inputs = build(real)
        assert real.autograd.gradgradcheck(func, inputs), name
