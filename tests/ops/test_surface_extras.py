"""The long tail of torch's surface that tutorials touch, compared live with real torch:
numpy-style ``axis``/``keepdims`` keywords, ``size=`` on factories, top-level in-place functions,
``torch.range``, ``Variable``, the legacy ``torch.FloatTensor`` family, indexing with ranges.

Each case is one expression evaluated with ``torch`` bound to either library and ``x`` / ``b``
built from the same numpy data; results (values, dtypes, shapes, or exception class + message)
must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax
from tests.support.snippet_compare import assert_same, observe

pytestmark = pytest.mark.torch_live
real = pytest.importorskip("torch")

X = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype=np.float32)
B = np.array([[True, False, True], [True, True, True]])


def _run(lib, expr: str):
    env = {"torch": lib, "x": lib.tensor(X), "b": lib.tensor(B), "np": np}
    return observe(lambda: eval(expr, env))


def _compare(ours, theirs):
    # torch's Python-level Tensor methods name themselves "Tensor.norm()"
    assert_same(ours, theirs, real, rtol=1e-5, atol=1e-6,
                message=lambda text: text.removeprefix("Tensor."))


def check(expr: str, warn: bool = False):
    ours, our_warnings = _run(torchlike_jax, expr)
    theirs, their_warnings = _run(real, expr)
    _compare(ours, theirs)
    if warn:
        assert [(c, m) for c, m in our_warnings] == [(c, m) for c, m in their_warnings]
    return ours


# ---- 1. numpy keywords ---------------------------------------------------------------------
AXIS_CASES = [f"{pre}{f}({arg}axis={ax}{kd})"
              for f in ("sum", "mean", "prod", "std", "var", "amax", "amin", "argmax", "argmin",
                        "logsumexp", "nansum", "max", "min", "median")
              for pre, arg in (("torch.", "x, "), ("x.", ""))
              for ax, kd in (("1", ""), ("0", ", keepdims=True"))]
AXIS_CASES += ["torch.cumsum(x, axis=1)", "x.cumprod(axis=0)", "torch.all(b, axis=0)",
               "b.any(axis=1, keepdims=True)", "torch.softmax(x, axis=1)", "x.log_softmax(axis=0)",
               "torch.cat([x, x], axis=1)", "torch.stack([x, x], axis=0)",
               "torch.sum(x, dim=1, keepdims=True)", "torch.sum(x, axis=1, keepdim=True)",
               "torch.var_mean(x, axis=1)", "torch.squeeze(x[None], axis=0)"]


@pytest.mark.parametrize("expr", AXIS_CASES)
def test_numpy_keywords(expr):
    check(expr)


@pytest.mark.parametrize("expr", [
    "torch.sum(x, dim=0, axis=0)", "x.sum(dim=0, axis=0)", "torch.sum(x, 0, axis=0)",
    "torch.mean(x, 0, True, keepdims=True)", "torch.norm(x, axis=0)", "x.norm(axis=0)",
    "torch.split(x, 1, axis=0)"])
def test_numpy_keyword_errors(expr):
    check(expr)


def test_recorded_tables_match_torch():
    """The generated tables (tools/record_surface_tables.py) say what torch does today."""
    from tests.support.recorded import load_recorder
    from torchlike_jax.core import recorded_surface as table

    tool = load_recorder("record_surface_tables")
    funcs, methods, inplace = tool.derive()
    assert funcs == table.NUMPY_FUNCTIONS and methods == table.NUMPY_METHODS
    assert tuple(inplace) == table.INPLACE_FUNCTIONS


@pytest.mark.parametrize("expr", [
    "torch.zeros(size=(2, 3))", "torch.ones(size=[2])", "torch.empty(size=(1, 2)).shape",
    "torch.full(size=(2,), fill_value=3.0)", "torch.full(size=(2,), fill_value=3)",
    "torch.rand(size=(2, 3)).shape", "torch.randn(size=[4]).shape",
    "torch.randint(0, 5, size=(3,)).dtype", "torch.randint(5, size=(3,)).shape",
    "torch.zeros(2, size=(3,))", "torch.ones(size=2)", "torch.randn(2, size=(3,))",
    "torch.zeros(size=(2,), dtype=torch.int64)"])
def test_factory_size_keyword(expr):
    check(expr)


# ---- 2. top-level in-place functions -------------------------------------------------------
def test_every_recorded_inplace_function_exists():
    from torchlike_jax.core.recorded_surface import INPLACE_FUNCTIONS

    assert len(INPLACE_FUNCTIONS) > 40
    for name in INPLACE_FUNCTIONS:
        assert callable(getattr(torchlike_jax, name)), name
        assert hasattr(real, name), name


@pytest.mark.parametrize("expr", [
    "(torch.sin_(x), x)", "(torch.relu_(x), x)", "(torch.exp_(x), x)", "torch.abs_(x) is x",
    "(torch.clamp_(x, min=0.0, max=2.0), x)", "(torch.zero_(x), x)", "(torch.fill_(x, 2.5), x)",
    "(torch.sigmoid_(x), x)", "(torch.round_(x), x)", "(torch.square_(x), x)",
    "(torch.nan_to_num_(x / 0.0, posinf=1.0), x)", "torch.sin_(1.0)", "torch.sin_()",
    "torch.relu_(torch.ones(2, requires_grad=True))", "torch.neg_(x)._version",
    "torch.sqrt_(torch.tensor([4, 9]))"])
def test_inplace_functions(expr):
    check(expr)


def test_inplace_function_moves_grad_fn():
    for lib in (torchlike_jax, real):
        w = lib.tensor([0.5, -1.0], requires_grad=True)
        y = w * 2
        lib.tanh_(y)
        assert type(y.grad_fn).__name__ == "TanhBackward0"
        y.sum().backward()
        np.testing.assert_allclose(w.grad.numpy(), 2 * (1 - np.tanh([1.0, -2.0]) ** 2),
                                   rtol=1e-6)


# ---- 3. torch.range, Variable, legacy tensor types -----------------------------------------
@pytest.mark.parametrize("expr", [
    "torch.range(1, 4, 0.5)", "torch.range(0, 4)", "torch.range(0, -2, -1)",
    "torch.range(1.5, 3)", "torch.range(0, 3, dtype=torch.int32)",
    "torch.range(0, 3, dtype=torch.float64)", "torch.range(0, 3, requires_grad=True).requires_grad",
    "torch.range(0, 1, 0)", "torch.range(5)"])
def test_range(expr):
    check(expr, warn=True)


@pytest.mark.parametrize("expr", [
    "torch.autograd.Variable(x)", "torch.autograd.Variable(x) is x",
    "torch.autograd.Variable(x, requires_grad=True).requires_grad",
    "torch.autograd.Variable(x * 2, requires_grad=True).is_leaf",
    "torch.autograd.Variable()", "torch.autograd.Variable([1.0])",
    "torch.autograd.Variable(torch.tensor([1, 2]), requires_grad=True)",
    "isinstance(x, torch.autograd.Variable)", "isinstance(3.0, torch.autograd.Variable)",
    "isinstance(torch.autograd.Variable(x), torch.Tensor)"])
def test_variable(expr):
    check(expr)


def test_variable_shares_data():
    for lib in (torchlike_jax, real):
        t = lib.tensor([1.0, 2.0])
        v = lib.autograd.Variable(t, requires_grad=True)
        v.data[0] = 5.0
        assert t.tolist() == [5.0, 2.0] and not t.requires_grad


LEGACY = ("FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "ByteTensor",
          "CharTensor", "ShortTensor", "IntTensor", "LongTensor", "BoolTensor")


@pytest.mark.parametrize("name", LEGACY)
def test_legacy_type(name):
    check(f"torch.{name}([1, 0, 2])")
    check(f"torch.{name}(2, 3).shape")
    check(f"torch.{name}(torch.Size([2])).dtype")
    check(f"torch.{name}()")
    check(f"repr(torch.{name})")
    check(f"torch.{name}.dtype")
    # non-negative sources: float -> uint8 of a negative value is undefined in C++
    for src in ("x.abs()", "b", "x.abs().double()", "x.long()", "x.to(torch.int8)"):
        check(f"isinstance({src}, torch.{name})")
        check(f"{src}.type(torch.{name})")
        check(f"{src}.type('torch.{name}')")
        check(f"{src}.type(torch.{name}).type()")


@pytest.mark.parametrize("expr", [
    "torch.LongTensor([1.7, 2])", "torch.FloatTensor((2, 3))", "torch.FloatTensor(np.ones(2))",
    "torch.FloatTensor(-1)", "torch.FloatTensor(2.5)", "torch.FloatTensor(2, dtype=torch.float64)",
    "torch.FloatTensor([1, 2], requires_grad=True)", "torch.IntTensor(x.int())",
    "x.type()", "x.type(torch.float64)", "x.type('foo')", "torch.FloatTensor(x) is x",
    "torch.FloatTensor(x.requires_grad_() * 2).grad_fn.name()",
    "issubclass(torch.FloatTensor, torch.Tensor)", "type(x) is torch.FloatTensor"])
def test_legacy_type_details(expr):
    check(expr)


def test_legacy_type_from_other_dtype_tensor_is_type_error():
    for lib in (torchlike_jax, real):
        with pytest.raises(TypeError, match="expected TensorOptions"):
            lib.FloatTensor(lib.tensor([1, 2]))


# ---- 4. indexing with ranges and other sequences -------------------------------------------
@pytest.mark.parametrize("expr", [
    "x[range(2)]", "x[range(1, 2), range(2)]", "x[:, range(0, 3, 2)]", "x[..., range(2)]",
    "x[None, range(2)]", "x[range(0)]", "x[[]]", "x[range(5)]", "x[(range(2),)]",
    "x[np.array([1, 0])]", "x[np.array([[0], [1]]), np.array([1, 2])]", "x[([0, 1], [2, 0])]",
    "x[[0, 1], [2, 0]]", "x[((1, 0),)]", "x[np.int64(1)]", "x[np.array(1)]",
    "x[np.array([True, False])]", "x[[np.int64(1), 0]]", "x[range(2)][range(1)]",
    "x.unsqueeze(0)[[0, [1]]]", "x[[1, slice(None)]]", "x[[0, None]]", "x[[0, ...]]",
    "x[np.array([[1, 0], [0, 1]])]"])
def test_sequence_indices(expr):
    check(expr, warn=True)


def test_setitem_with_range_and_grad():
    seen = []
    for lib in (torchlike_jax, real):
        w = lib.tensor(X, requires_grad=True)
        y = w * 1
        y[range(1), range(2)] = lib.tensor([5.0, 6.0])
        names = [type(y.grad_fn).__name__]
        y[:, range(2, 3)] = 0.0
        names.append(type(y.grad_fn).__name__)
        y.sum().backward()
        seen.append((names, w.grad.tolist(), y.tolist()))
    assert seen[0] == seen[1]
    assert seen[1][1] == [[0, 0, 0], [1, 1, 0]]
