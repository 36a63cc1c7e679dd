"""The Tensor facade: metadata, autograd flags, conversions, in-place ops, operators, indexing.

Expected values, types and messages were checked against torch 2.13.
"""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax.core import warn_always


def leaf(*data, **kw):
    return torch.tensor(list(data) if len(data) > 1 else data[0], requires_grad=True, **kw)


# ---- metadata ------------------------------------------------------------------------------
def test_shape_size_dim_numel():
    x = torch.zeros(2, 3)
    assert x.shape == (2, 3) and isinstance(x.shape, torch.Size)
    assert repr(x.shape) == "torch.Size([2, 3])"
    assert x.size() == torch.Size([2, 3])
    assert x.size(1) == 3 and x.size(-1) == 3 and x.size(dim=0) == 2
    assert x.dim() == x.ndim == x.ndimension() == 2
    assert x.numel() == x.nelement() == 6 == torch.numel(x)
    assert torch.tensor(1.0).size() == torch.Size([]) and torch.tensor(1.0).dim() == 0
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        x.size(2)


def test_dtype_device():
    x = torch.ones(2)
    assert x.dtype is torch.float32
    assert str(x.device) == "cpu" and x.device == torch.device("cpu") and x.device.type == "cpu"
    assert not x.is_cuda
    assert x.type() == "torch.FloatTensor"
    assert torch.ones(2, dtype=torch.int64).type() == "torch.LongTensor"
    assert x.type(torch.float64).dtype is torch.float64
    assert torch.is_tensor(x) and not torch.is_tensor([1])


# ---- autograd flags ------------------------------------------------------------------------
def test_requires_grad_on_leaves():
    x = torch.ones(2)
    assert not x.requires_grad and x.is_leaf
    x.requires_grad = True
    assert x.requires_grad and x.is_leaf
    assert x.requires_grad_(False) is x and not x.requires_grad
    assert x.requires_grad_() is x and x.requires_grad
    i = torch.ones(2, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="only Tensors of floating point and complex dtype can "
                                           "require gradients"):
        i.requires_grad = True
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require "
                                           "gradients"):
        i.requires_grad_()
    i.requires_grad = False  # allowed
    assert not i.requires_grad


def test_requires_grad_on_non_leaves():
    y = leaf(1.0, 2.0) * 2
    assert not y.is_leaf and y.requires_grad
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables. If you want to use a computed variable"):
        y.requires_grad = False
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags of leaf "
                                           "variables."):
        y.requires_grad = True
    assert y.requires_grad_(True) is y  # a no-op on a non-leaf that requires grad
    with pytest.raises(RuntimeError, match="you can only change requires_grad flags"):
        y.requires_grad_(False)


def test_grad_fn_and_is_leaf():
    x = leaf(1.0, 2.0)
    assert x.grad_fn is None and x.is_leaf
    assert (x * 2).grad_fn.name() == "MulBackward0"
    assert type((x + 1).grad_fn).__name__ == "AddBackward0"
    assert not (x * 2).is_leaf
    assert torch.zeros(1).is_leaf and torch.zeros(1).grad_fn is None
    with torch.no_grad():
        y = x * 2
    assert y.grad_fn is None and y.is_leaf and not y.requires_grad


def test_grad_setter_checks():
    x = torch.zeros(2, requires_grad=True)
    assert x.grad is None
    x.grad = torch.ones(2)
    assert x.grad.tolist() == [1.0, 1.0]
    del x.grad
    assert x.grad is None
    x.grad = torch.ones(2)
    x.grad = None
    assert x.grad is None
    with pytest.raises(RuntimeError, match=r"attempting to assign a gradient of size '\[3\]' to a "
                                           r"tensor of size '\[2\]'"):
        x.grad = torch.ones(3)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype 'double' "
                                           "to a tensor with grad_dtype 'Float'"):
        x.grad = torch.ones(2, dtype=torch.float64)
    with pytest.raises(TypeError, match="assigned grad expected to be a Tensor or None but got "
                                        "grad of type float"):
        x.grad = 1.0
    assert x.grad is None  # rejected assignments leave it alone


def test_non_leaf_grad_access_warns():
    y = leaf(1.0, 2.0) * 2
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed"):
        assert y.grad is None


def test_data_shares_storage_but_not_history():
    x = leaf(1.0, 2.0)
    d = x.data
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d.add_(1)  # allowed: .data is invisible to autograd
    assert x.tolist() == [2.0, 3.0] and x.requires_grad
    # .data has its own version counter (torch), unlike detach()
    assert d._version == 1 and x._version == 0
    x.detach().mul_(2)
    assert x._version == 1 and x.tolist() == [4.0, 6.0]
    x.data = torch.zeros(3)
    assert x.shape == (3,) and x.requires_grad


def test_data_write_does_not_trip_saved_tensor_check():
    w = leaf(1.0, 1.0)
    y = (w * w).sum()
    w.data.mul_(2)
    y.backward()  # torch raises nothing here either
    assert w.grad is not None


def test_detach():
    x = leaf(1.0, 2.0)
    d = x.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    d.add_(1)
    assert x.tolist() == [2.0, 3.0]
    assert x._version == d._version == 1
    y = x * 2
    assert y.detach_() is y
    assert not y.requires_grad and y.is_leaf and y.grad_fn is None
    assert torch.detach(x).requires_grad is False


def test_version_counter():
    x = torch.ones(2)
    assert x._version == 0
    assert x.add_(1)._version == 1
    x += 1
    assert x._version == 2
    x.zero_()
    x.fill_(2)
    assert x._version == 4
    x[0] = 5.0
    assert x._version == 5 and x.tolist() == [5.0, 2.0]
    x.clone().add_(1)
    assert x._version == 5


def test_transpose_properties(monkeypatch):
    monkeypatch.setattr(warn_always, "_warned", set())  # torch warns once per process
    x = torch.arange(6).reshape(2, 3)
    assert x.T.tolist() == [[0, 3], [1, 4], [2, 5]]
    assert torch.ones(2, 3, 4).mT.shape == (2, 4, 3)
    assert x.mT.tolist() == x.T.tolist()
    assert torch.tensor(1.0).T.shape == ()
    with pytest.warns(UserWarning, match="The use of `x.T` on tensors of dimension other than 2"):
        assert torch.arange(3).T.tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="tensor.mT is only supported on matrices or batches "
                                           "of matrices. Got 1-D tensor."):
        torch.arange(3).mT


# ---- conversions ---------------------------------------------------------------------------
@pytest.mark.parametrize("make,typ,value", [
    (lambda: torch.tensor(1.5), float, 1.5), (lambda: torch.tensor(3), int, 3),
    (lambda: torch.tensor(True), bool, True), (lambda: torch.tensor([2.5]), float, 2.5),
    (lambda: torch.tensor(1.5, dtype=torch.float16), float, 1.5),
    (lambda: torch.tensor(1 + 2j), complex, 1 + 2j),
    (lambda: torch.tensor(1.1), float, 1.100000023841858),
    (lambda: torch.tensor([[7]], dtype=torch.int8), int, 7),
])
def test_item(make, typ, value):
    v = make().item()
    assert type(v) is typ and v == value


def test_item_and_tolist():
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to "
                                           "Scalar"):
        torch.tensor([1, 2]).item()
    assert torch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert torch.tensor(2).tolist() == 2
    assert torch.tensor([True]).tolist() == [True]
    assert torch.tensor([0.1]).tolist() == [0.10000000149011612]
    assert torch.tensor([0.1], dtype=torch.bfloat16).tolist() == [0.10009765625]
    assert type(torch.tensor([1]).tolist()[0]) is int


def test_numpy():
    a = torch.ones(2).numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    assert torch.tensor(1).numpy().shape == ()
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad. "
                                           r"Use tensor.detach\(\).numpy\(\) instead."):
        torch.ones(2, requires_grad=True).numpy()
    assert torch.ones(2, requires_grad=True).detach().numpy().dtype == np.float32
    assert np.asarray(torch.arange(3)).tolist() == [0, 1, 2]


def test_python_scalar_protocols():
    assert float(torch.tensor([2.5])) == 2.5
    assert int(torch.tensor(2.7)) == 2 and int(torch.tensor(-2.7)) == -2
    assert bool(torch.tensor(0.0)) is False and bool(torch.tensor([1])) is True
    assert complex(torch.tensor(1.0)) == 1 + 0j
    for conv in (float, int):
        with pytest.raises(ValueError, match="only one element tensors can be converted to "
                                             "Python scalars"):
            conv(torch.ones(2))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with more than one value is "
                                           "ambiguous"):
        bool(torch.ones(2))
    with pytest.raises(RuntimeError, match="Boolean value of Tensor with no values is ambiguous"):
        bool(torch.ones(0))


def test_index_protocol():
    assert [1, 2, 3][torch.tensor(1)] == 2
    assert list(range(5))[torch.tensor([2])] == 2
    assert operator.index(torch.tensor(4, dtype=torch.int8)) == 4
    for bad in (torch.tensor(1.0), torch.tensor([1, 2])):
        with pytest.raises(TypeError, match="only integer tensors of a single element can be "
                                            "converted to an index"):
            [1, 2, 3][bad]


def test_format():
    assert f"{torch.tensor(2.5):.2f}" == "2.50"
    assert f"{torch.tensor(3.14159):8.3f}" == "   3.142"
    assert f"{torch.tensor(7):>4}" == "   7"
    assert f"{torch.tensor(2.5)}" == "2.5"
    assert f"{torch.tensor(True)}" == "True"
    assert f"{torch.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{torch.tensor([1.0, 2.0]):.2f}"


def test_to_and_casts():
    x = torch.ones(2)
    assert x.to(torch.float32) is x
    assert x.to("cpu") is x and x.to(torch.device("cpu")) is x
    assert x.to(x) is x
    assert x.float() is x
    assert x.to(torch.float32, copy=True) is not x
    assert x.to(torch.float64).dtype is torch.float64
    assert x.to(dtype=torch.int64).dtype is torch.int64
    assert x.to("cpu", torch.float64).dtype is torch.float64
    assert x.to(torch.zeros(1, dtype=torch.int32)).dtype is torch.int32
    for meth, want in [("double", "float64"), ("long", "int64"), ("int", "int32"),
                       ("bool", "bool"), ("half", "float16"), ("bfloat16", "bfloat16")]:
        assert getattr(x, meth)().dtype is getattr(torch, want)
    assert torch.tensor([1.7, -1.7]).long().tolist() == [1, -1]
    assert torch.tensor([0.0, 2.0]).bool().tolist() == [False, True]
    assert torch.tensor([1, 2]).type_as(x).dtype is torch.float32
    g = leaf(1.0, 2.0)
    assert g.double().grad_fn.name() == "ToCopyBackward0"
    assert g.float() is g


def test_clone():
    x = leaf(1.0, 1.0)
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0" and c.requires_grad and not c.is_leaf
    assert c.add_(1) is c
    assert x.tolist() == [1.0, 1.0]
    p = torch.ones(2)
    q = p.clone()
    q.add_(1)
    assert p.tolist() == [1.0, 1.0] and q.tolist() == [2.0, 2.0]


# ---- in-place ------------------------------------------------------------------------------
def test_zero_fill_copy():
    x = torch.ones(2, dtype=torch.int64)
    assert x.zero_() is x and x.tolist() == [0, 0]
    assert x.fill_(3) is x and x.tolist() == [3, 3]
    x.fill_(torch.tensor(2.5))
    assert x.tolist() == [2, 2] and x.dtype is torch.int64
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor but got "
                                           "tensor with 1 dimensions."):
        torch.ones(2).fill_(torch.tensor([1.0]))
    y = torch.zeros(2, 3, dtype=torch.int64)
    assert y.copy_(torch.tensor([1.0, 2.0, 3.0])) is y  # broadcast + cast to y's dtype
    assert y.tolist() == [[1, 2, 3], [1, 2, 3]] and y.dtype is torch.int64
    assert y._version == 1
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                                           r"tensor b \(2\) at non-singleton dimension 1"):
        torch.zeros(2, 3).copy_(torch.ones(2))
    with pytest.raises(RuntimeError, match=r"output with shape \[3\] doesn't match the broadcast "
                                           r"shape \[2, 3\]"):
        torch.zeros(3).copy_(torch.ones(2, 3))


def test_copy_records_grad():
    x = leaf(1.0, 2.0)
    y = torch.zeros(2)
    y.copy_(x * 3)
    assert y.requires_grad and "CopyBackwards" in y.grad_fn.name()
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_inplace_keeps_identity_and_bumps_version():
    x = torch.ones(2)
    ident = id(x)
    x += 1
    x *= 3
    x -= 1
    x /= 2
    x **= 2
    assert id(x) == ident and x._version == 5
    assert x.tolist() == [6.25, 6.25]
    m = torch.eye(2)
    m @= torch.full((2, 2), 2.0)
    assert m.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_inplace_dtype_rules():
    i = torch.ones(2, dtype=torch.int64)
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        i += 1.5
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        i *= torch.tensor([1.5, 1.5])
    with pytest.raises(RuntimeError, match="result type Float can't be cast to the desired output "
                                           "type Long"):
        i /= 2
    with pytest.raises(RuntimeError, match="result type Float can't be cast"):
        i.add_(1.5)
    with pytest.raises(RuntimeError, match="result type Long can't be cast to the desired output "
                                           "type Bool"):
        torch.ones(2, dtype=torch.bool).add_(1)
    assert i.tolist() == [1, 1] and i._version == 0  # failed in-place ops change nothing
    i += torch.tensor([1, 1], dtype=torch.int32)
    assert i.dtype is torch.int64 and i.tolist() == [2, 2]
    f = torch.ones(2)
    f += torch.tensor([1.0, 1.0], dtype=torch.float64)
    assert f.dtype is torch.float32


def test_inplace_cannot_broadcast_self():
    x = torch.ones(2)
    with pytest.raises(RuntimeError, match=r"output with shape \[2\] doesn't match the broadcast "
                                           r"shape \[3, 2\]"):
        x += torch.ones(3, 2)
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        x.mul_(torch.ones(3, 2))
    assert x.shape == (2,) and x._version == 0
    y = torch.ones(2, 3)
    y.unsqueeze_(0)
    assert y.shape == (1, 2, 3)


def test_inplace_on_leaf_requiring_grad():
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in "
                                           "an in-place operation."):
        x.add_(1)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x += 1
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0] = 2.0
    with torch.no_grad():
        x.add_(1)
        x *= 2
    assert x.tolist() == [4.0, 4.0] and x.requires_grad and x.is_leaf and x._version == 2


# ---- len / iter ----------------------------------------------------------------------------
def test_len_iter():
    x = torch.zeros(3, 2)
    assert len(x) == 3
    rows = list(x)
    assert len(rows) == 3 and all(r.shape == (2,) for r in rows)
    assert [t.item() for t in torch.tensor([1, 2])] == [1, 2]
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(torch.tensor(1.0))
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(torch.tensor(1.0))
    assert {x: 1}[x] == 1  # hashable by identity


# ---- operators -----------------------------------------------------------------------------
@pytest.mark.parametrize("expr,want", [
    (lambda t: 2 - t([1.0, 3.0]), [1.0, -1.0]),
    (lambda t: 2 / t([1.0, 4.0]), [2.0, 0.5]),
    (lambda t: 2 ** t([1.0, 3.0]), [2.0, 8.0]),
    (lambda t: 2 - t([1]), [1]),
    (lambda t: 2 / t([1, 4]), [2.0, 0.5]),
    (lambda t: 2 ** t([1, 3]), [2, 8]),
    (lambda t: 2.5 ** t([2]), [6.25]),
    (lambda t: 7 // t([2]), [3]),
    (lambda t: 7 % t([3]), [1]),
    (lambda t: 1 + t([1]), [2]),
    (lambda t: 3 * t([True]), [3]),
    (lambda t: np.float64(2.0) * t([1.5]), [3.0]),
    (lambda t: np.float32(2.0) - t([1.5]), [0.5]),
    (lambda t: np.int64(2) + t([1]), [3]),
    (lambda t: np.float64(1.0) / t([2.0]), [0.5]),
    (lambda t: np.float64(2.0) ** t([2.0]), [4.0]),
    (lambda t: t([1.5]) * np.float64(2.0), [3.0]),
    (lambda t: t([5]) // 2, [2]),
    (lambda t: t([-5]) // 2, [-3]),
    (lambda t: t([-5]) % 3, [1]),
    (lambda t: t([-5.5]) % 3, [0.5]),
    (lambda t: t([2]) ** t([-1]), [0]),  # torch: integer to a negative power truncates
    (lambda t: t([1, -1, -1]) ** t([-3, -3, -2]), [1, -1, 1]),
    (lambda t: t([2]) ** -1.0, [0.5]),
    (lambda t: t([0, 5], dtype=torch.uint8) + (-1), [255, 4]),  # wraps like torch
    (lambda t: -t([1, -2]), [-1, 2]),
    (lambda t: +t([1, -2]), [1, -2]),
    (lambda t: abs(t([-1.5, 2.0])), [1.5, 2.0]),
])
def test_arithmetic_operators(expr, want):
    out = expr(torch.tensor)
    assert isinstance(out, torch.Tensor)
    assert out.tolist() == want


def test_reflected_grad_fns():
    x = torch.ones(2, requires_grad=True)
    assert (2 - x).grad_fn.name() == "RsubBackward1"
    assert (2 / x).grad_fn.name() == "MulBackward0"
    assert (2 ** x).grad_fn.name() == "PowBackward2"
    assert (x ** 2).grad_fn.name() == "PowBackward0"
    assert (x ** x).grad_fn.name() == "PowBackward1"
    assert (2 * x).grad_fn.name() == "MulBackward0"
    assert (2 + x).grad_fn.name() == "AddBackward0"
    (2 - x + 2 / x + 2 ** x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1 - 2 + 2 * np.log(2)] * 2, rtol=1e-6)


def test_operator_errors():
    with pytest.raises(RuntimeError, match="Integers to negative integer powers are not "
                                           "allowed."):
        torch.tensor([2]) ** -1
    with pytest.raises(RuntimeError, match="Negation, the `-` operator, on a bool tensor is not "
                                           "supported."):
        -torch.tensor([True])
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with two bool tensors "
                                           "is not supported."):
        torch.tensor([True]) - torch.tensor([False])
    with pytest.raises(RuntimeError, match="with two bool tensors"):
        True - torch.tensor([True])
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor is "
                                           "not supported."):
        torch.tensor([1]) - torch.tensor([True])
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(2\) must match the size of "
                                           r"tensor b \(3\) at non-singleton dimension 0"):
        torch.ones(2) + torch.ones(3)
    with pytest.raises(RuntimeError, match=r"The size of tensor a \(3\) must match the size of "
                                           r"tensor b \(2\) at non-singleton dimension 2"):
        torch.ones(2, 3) * torch.ones(4, 1, 2)
    with pytest.raises(TypeError):
        np.ones((1, 2), dtype=np.float32) @ torch.ones(2, 2)


def test_comparisons():
    assert (torch.tensor([1, 2]) < 2).tolist() == [True, False]
    assert (torch.tensor([1.0, 2.0]) == torch.tensor([1, 3])).tolist() == [True, False]
    assert (torch.tensor([1]) >= 0.5).tolist() == [True]
    assert (torch.tensor([1.0]) != 1).tolist() == [False]
    assert (2 > torch.tensor([1, 3])).tolist() == [True, False]
    assert (torch.tensor([1, 2]) <= torch.tensor([[2], [1]])).tolist() == [[True, True],
                                                                          [True, False]]
    assert (torch.tensor([1.0]) > torch.tensor([0.5])).dtype is torch.bool
    assert (torch.tensor([1]) == None) is False  # noqa: E711
    assert (torch.tensor([1]) != None) is True  # noqa: E711
    x = torch.ones(2, requires_grad=True)
    assert not (x > 0).requires_grad and (x > 0).grad_fn is None


def test_bitwise_and_logical():
    a, b = torch.tensor([True, False]), torch.tensor([True, True])
    assert (a & b).tolist() == [True, False]
    assert (a | b).tolist() == [True, True]
    assert (a ^ b).tolist() == [False, True]
    assert (~a).tolist() == [False, True]
    assert (a & True).tolist() == [True, False] and (True | a).tolist() == [True, True]
    assert (a & b).dtype is torch.bool
    assert (torch.tensor([5]) & 3).tolist() == [1]
    assert (torch.tensor([5]) | torch.tensor([2])).tolist() == [7]
    assert (~torch.tensor([5])).tolist() == [-6]
    assert (3 & torch.tensor([5])).tolist() == [1]
    assert torch.logical_not(torch.tensor([1.0, 0.0])).tolist() == [False, True]
    with pytest.raises(TypeError):
        ~torch.tensor([1.0])


# ---- indexing ------------------------------------------------------------------------------
X = np.arange(12).reshape(3, 4)


@pytest.mark.parametrize("index", [
    1, -1, (0, slice(1, 3)), (slice(None), slice(None, None, 2)), None, (Ellipsis, 1),
    (1, None, slice(2, None)), [0, 2], (slice(-3, None), -1), ([0, 1], [1, 2]),
    (0, Ellipsis), slice(1, None, 2), (slice(None), [True, False, True, False]),
    ([[0], [1]],),
])
def test_getitem_matches_numpy(index):
    t = torch.tensor(X)
    got = t[index]
    want = X[index]
    assert got.shape == want.shape and got.tolist() == want.tolist()


def test_getitem_tensor_indices():
    t = torch.tensor(X)
    assert t[t > 5].tolist() == X[X > 5].tolist()
    assert t[torch.tensor([2, 0])].tolist() == X[[2, 0]].tolist()
    assert t[torch.tensor(1)].tolist() == X[1].tolist()
    assert t[torch.tensor([True, False, True])].tolist() == X[[0, 2]].tolist()
    assert t[1][2].item() == 6 and t[1][2].shape == ()


@pytest.mark.parametrize("index,exc,msg", [
    (3, IndexError, "index 3 is out of bounds for dimension 0 with size 3"),
    ((0, -5), IndexError, "index -5 is out of bounds for dimension 1 with size 4"),
    ([0, 5], IndexError, "index 5 is out of bounds for dimension 0 with size 3"),
    ((0, 0, 0), IndexError, "too many indices for tensor of dimension 2"),
    (1.5, IndexError, "only integers, slices"),
    (slice(None, None, -1), ValueError, "step must be greater than zero"),
])
def test_getitem_errors(index, exc, msg):
    with pytest.raises(exc, match=msg):
        torch.tensor(X)[index]


def test_getitem_grad_fns():
    x = torch.ones(2, 2, requires_grad=True)
    assert x[0].grad_fn.name() == "SelectBackward0"
    assert x[0:1].grad_fn.name() == "SliceBackward0"
    assert x[[0]].grad_fn.name() == "IndexBackward0"
    assert x[None].grad_fn.name() == "UnsqueezeBackward0"
    assert x[x > 0].grad_fn.name() == "IndexBackward0"
    (x[0, 1] * 3 + x[:, 0].sum()).backward()
    assert x.grad.tolist() == [[1.0, 3.0], [1.0, 0.0]]


def test_setitem():
    t = torch.arange(12).reshape(3, 4)
    t[0] = 9
    t[:, 1] = torch.tensor([7, 8, 9])
    t[t > 8] = -1
    t[[2]] = 0
    t[..., -1] = 5.7  # cast to the tensor's dtype
    assert t.tolist() == [[-1, 7, -1, 5], [4, 8, 6, 5], [0, 0, 0, 5]]
    assert t._version == 5 and t.dtype is torch.int64
    with pytest.raises(RuntimeError, match=r"The expanded size of the tensor \(4\) must match the "
                                           r"existing size \(3\) at non-singleton dimension 0"):
        torch.zeros(3, 4)[0] = torch.ones(3)
    with pytest.raises(IndexError, match="out of bounds"):
        torch.zeros(3)[3] = 1.0
    u = torch.zeros(2, 3)
    u[0] = torch.ones(1, 3)  # extra leading 1-dims are allowed
    assert u.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]


def test_setitem_records_grad():
    x = torch.ones(2, requires_grad=True)
    y = torch.zeros(2)
    y[0] = x[0] * 3
    assert y.requires_grad and "CopySlices" in y.grad_fn.name()
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 0.0]


# ---- repr ----------------------------------------------------------------------------------
def test_repr():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    assert repr(x.sum()) == "tensor(3., grad_fn=<SumBackward0>)"
    assert repr(x.mean()) == "tensor(1.5000, grad_fn=<MeanBackward0>)"
    assert repr(torch.tensor([1, 2], dtype=torch.int32)) == "tensor([1, 2], dtype=torch.int32)"
    assert (repr(torch.tensor([1.0], dtype=torch.float64, requires_grad=True))
            == "tensor([1.], dtype=torch.float64, requires_grad=True)")
    assert (repr(torch.tensor([1.0], dtype=torch.float16) * x.half())
            == "tensor([1., 2.], dtype=torch.float16, grad_fn=<MulBackward0>)")
    assert repr(torch.tensor(1.5, dtype=torch.float64)) == "tensor(1.5000, dtype=torch.float64)"
    assert repr(torch.zeros(0)) == "tensor([])"
    assert repr(torch.zeros(2, 0)) == "tensor([], size=(2, 0))"
    assert repr(torch.tensor(3)) == "tensor(3)" and repr(torch.tensor([True])) == "tensor([True])"
    assert str(x) == repr(x)


def test_repr_matches_torch():
    real = pytest.importorskip("torch")
    for mod_make in (
        lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
        lambda m: m.arange(6, dtype=m.float64).reshape(2, 3),
        lambda m: m.tensor([[1.5, -2.25], [1e-3, 100.0]]),
        lambda m: m.tensor([1, 2], dtype=m.int16),
        lambda m: m.ones(2, requires_grad=True).exp(),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert repr(mod_make(torch)) == repr(mod_make(real))
