"""Shape/joining/indexing behaviour the op-info table cannot express: aliases, shared nodes,
warnings, torch's (not numpy's) advanced-index placement, accumulation of repeated indices, view
flags, and failed writes leaving the tensor untouched."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax.core.registry import REGISTRY


@pytest.mark.parametrize("alias,canonical", [
    ("swapaxes", "transpose"), ("swapdims", "transpose"), ("moveaxis", "movedim"),
    ("concat", "cat"), ("concatenate", "cat"), ("row_stack", "vstack")])
def test_aliases_are_the_same_function(alias, canonical):
    assert getattr(torch, alias) is getattr(torch, canonical)


def test_alias_methods_exist():
    x = torch.arange(6.0).reshape(2, 3)
    assert x.swapaxes(0, 1).shape == (3, 2)
    assert x.swapdims(0, 1).shape == (3, 2)
    assert x.moveaxis(0, 1).shape == (3, 2)
    y = x.clone()
    y.swapdims_(0, 1)
    assert y.shape == (3, 2)


def test_split_pieces_share_one_node():
    x = torch.randn(5, 2, requires_grad=True)
    pieces = torch.split(x, 2)
    assert isinstance(pieces, tuple) and len(pieces) == 3
    assert pieces[0].grad_fn is pieces[1].grad_fn is pieces[2].grad_fn
    assert [p._output_nr for p in pieces] == [0, 1, 2]
    (pieces[0].sum() + 2 * pieces[2].sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), [[1, 1]] * 2 + [[0, 0]] * 2 + [[2, 2]])


def test_torch_places_advanced_dims_after_int_select_unlike_numpy():
    x = torch.arange(24.0).reshape(2, 3, 4)
    assert x[0, :, [0, 1]].shape == (3, 2)  # numpy: (2, 3)
    assert x[[0, 1], :, [0, 1]].shape == (2, 3)  # non-adjacent index tensors go first
    assert x[:, [0, 1], [1, 2]].shape == (2, 2)
    ref = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(x[0, :, [0, 3]].numpy(), ref[0][:, [0, 3]])


def test_getitem_repeated_indices_accumulate_gradient():
    x = torch.arange(3.0, requires_grad=True)
    x[[0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 1.0])


def test_index_put_accumulate_adds_repeats():
    x = torch.zeros(3)
    out = torch.index_put(x, (torch.tensor([0, 0, 2]),), torch.tensor([1.0, 2.0, 3.0]),
                          accumulate=True)
    np.testing.assert_array_equal(out.numpy(), [3.0, 0.0, 3.0])
    assert x.sum().item() == 0.0


def test_failed_setitem_leaves_tensor_unchanged():
    x = torch.arange(6.0).reshape(2, 3)
    v0 = x._version
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 2"):
        x[5] = 1.0
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1] = 1.0
    with pytest.raises(RuntimeError):
        x[0] = torch.ones(4)
    np.testing.assert_array_equal(x.numpy(), np.arange(6.0).reshape(2, 3))
    assert x._version == v0


def test_setitem_on_leaf_requiring_grad_raises():
    x = torch.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0] = 1.0


def test_nonzero_as_tuple_and_argwhere():
    x = torch.tensor([[0.0, 1.0], [2.0, 0.0]])
    rows, cols = torch.nonzero(x, as_tuple=True)
    assert rows.tolist() == [0, 1] and cols.tolist() == [1, 0]
    assert torch.argwhere(x).tolist() == [[0, 1], [1, 0]]
    assert x.nonzero().dtype is torch.int64


def test_meshgrid_without_indexing_warns_like_torch():
    with pytest.warns(UserWarning, match="it will be required to pass the indexing argument"):
        a, b = torch.meshgrid(torch.arange(2), torch.arange(3))
    assert a.shape == b.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        torch.meshgrid(torch.arange(2), torch.arange(3), indexing="xy")


def test_scatter_reduce_argument_warns_deprecated():
    x = torch.zeros(3)
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter with Tensor src"):
        out = x.scatter(0, torch.tensor([0, 0]), torch.tensor([1.0, 2.0]), reduce="add")
    assert out.tolist() == [3.0, 0.0, 0.0]


def test_scatter_reduce_amax_splits_ties_like_torch():
    x = torch.tensor([1.0, 5.0], requires_grad=True)
    src = torch.tensor([5.0, 5.0], requires_grad=True)
    out = x.scatter_reduce(0, torch.tensor([1, 1]), src, "amax")
    out.sum().backward()
    # three elements tie at 5 for position 1: each gets a third of its gradient
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1 / 3])
    np.testing.assert_allclose(src.grad.numpy(), [1 / 3, 1 / 3])


def test_inplace_reshaping_methods_name_their_nodes_like_torch():
    x = torch.randn(1, 3, requires_grad=True).clone()
    assert type(x.t_().grad_fn).__name__ == "TBackward1"
    assert type(x.unsqueeze_(0).grad_fn).__name__ == "UnsqueezeBackward1"
    assert type(x.transpose_(0, 1).grad_fn).__name__ == "TransposeBackward1"


VIEW_OPS = ["reshape", "transpose", "t", "permute", "unsqueeze", "squeeze", "expand", "slice",
            "select", "diagonal", "unfold", "getitem", "alias"]
COPY_OPS = ["clone", "repeat", "flip", "roll", "gather", "index", "index_put", "cat", "stack",
            "narrow_copy", "t_", "transpose_", "squeeze_", "unsqueeze_", "diag_copy"]


@pytest.mark.parametrize("name", VIEW_OPS)
def test_view_ops_are_flagged(name):
    assert REGISTRY[name].view


@pytest.mark.parametrize("name", COPY_OPS)
def test_copies_are_not_flagged(name):
    assert not REGISTRY[name].view


def test_split_and_unbind_ops_are_views():
    x = torch.randn(4, 2)
    torch.split(x, 2)
    torch.unbind(x)
    assert REGISTRY["split[2]"].view and REGISTRY["unbind[4]"].view


def test_copy_variants_are_not_views():
    x = torch.randn(2, 3, requires_grad=True)
    y = torch.t_copy(x)
    assert type(y.grad_fn).__name__ == "TBackward0_copy"
    assert not REGISTRY["t_copy"].view
