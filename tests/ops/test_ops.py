"""Core ops: values against numpy/JAX, gradients against ``jax.grad`` of the same jnp function,
and torch's messages for shape errors. grad_fn names are checked against the real torch when it
is installed.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import torchlike_jax as torch

RNG = np.random.default_rng(0)


def _data(shape, domain):
    if domain == "pos":
        return RNG.uniform(0.5, 2.0, shape)
    if domain == "unit":
        return RNG.uniform(-0.9, 0.9, shape)
    x = RNG.normal(size=shape)
    return np.where(np.abs(x) < 0.05, 0.3, x)  # keep away from kinks at 0 (abs, relu)


# (id, ours(m, *xs) with m the torch-like module, reference jnp(*xs), input shapes, domain)
# ``ours`` is written against the torch API, so the same lambda runs on real torch.
CASES = [
    ("add", lambda m, a, b: a + b, lambda a, b: a + b, [(2, 3), (3,)], "any"),
    ("add_alpha", lambda m, a, b: m.add(a, b, alpha=2), lambda a, b: a + 2 * b,
     [(2, 3), (2, 3)], "any"),
    ("sub", lambda m, a, b: a - b, lambda a, b: a - b, [(2, 3), (2, 1)], "any"),
    ("rsub", lambda m, a: 2 - a, lambda a: 2 - a, [(3,)], "any"),
    ("mul", lambda m, a, b: a * b, lambda a, b: a * b, [(2, 3), (2, 3)], "any"),
    ("div", lambda m, a, b: a / b, lambda a, b: a / b, [(2, 3), (3,)], "pos"),
    ("rdiv", lambda m, a: 2 / a, lambda a: 2 / a, [(3,)], "pos"),
    ("pow_tt", lambda m, a, b: a ** b, lambda a, b: a ** b, [(4,), (4,)], "pos"),
    ("pow_ts", lambda m, a: a ** 3, lambda a: a ** 3, [(4,)], "any"),
    ("pow_frac", lambda m, a: m.pow(a, 2.5), lambda a: a ** 2.5, [(4,)], "pos"),
    ("rpow", lambda m, a: 2 ** a, lambda a: 2.0 ** a, [(4,)], "any"),
    ("neg", lambda m, a: -a, lambda a: -a, [(2, 2)], "any"),
    ("matmul_mm", lambda m, a, b: a @ b, lambda a, b: a @ b, [(2, 3), (3, 4)], "any"),
    ("matmul_dot", lambda m, a, b: a @ b, lambda a, b: a @ b, [(3,), (3,)], "any"),
    ("matmul_mv", lambda m, a, b: m.matmul(a, b), lambda a, b: a @ b, [(2, 3), (3,)], "any"),
    ("matmul_vm", lambda m, a, b: a @ b, lambda a, b: a @ b, [(3,), (3, 2)], "any"),
    ("matmul_batch", lambda m, a, b: a @ b, lambda a, b: a @ b, [(5, 2, 3), (3, 4)], "any"),
    ("mm", lambda m, a, b: m.mm(a, b), lambda a, b: a @ b, [(2, 3), (3, 2)], "any"),
    ("mv", lambda m, a, b: a.mv(b), lambda a, b: a @ b, [(2, 3), (3,)], "any"),
    ("dot", lambda m, a, b: m.dot(a, b), lambda a, b: a @ b, [(4,), (4,)], "any"),
    ("bmm", lambda m, a, b: m.bmm(a, b), lambda a, b: a @ b, [(2, 2, 3), (2, 3, 4)], "any"),
    ("sum_all", lambda m, a: a.sum(), lambda a: a.sum(), [(2, 3)], "any"),
    ("sum_dim", lambda m, a: a.sum(1), lambda a: a.sum(1), [(2, 3)], "any"),
    ("sum_neg_keep", lambda m, a: m.sum(a, -1, keepdim=True),
     lambda a: a.sum(-1, keepdims=True), [(2, 3)], "any"),
    ("sum_tuple", lambda m, a: a.sum((0, 2)), lambda a: a.sum((0, 2)), [(2, 3, 4)], "any"),
    ("mean_all", lambda m, a: a.mean(), lambda a: a.mean(), [(2, 3)], "any"),
    ("mean_dims", lambda m, a: a.mean(dim=(-1, 0), keepdim=True),
     lambda a: a.mean((0, 2), keepdims=True), [(2, 3, 4)], "any"),
    ("exp", lambda m, a: m.exp(a), jnp.exp, [(3,)], "any"),
    ("log", lambda m, a: a.log(), jnp.log, [(3,)], "pos"),
    ("sin", lambda m, a: m.sin(a), jnp.sin, [(3,)], "any"),
    ("cos", lambda m, a: a.cos(), jnp.cos, [(3,)], "any"),
    ("tanh", lambda m, a: m.tanh(a), jnp.tanh, [(3,)], "any"),
    ("sigmoid", lambda m, a: a.sigmoid(), jax.nn.sigmoid, [(3,)], "any"),
    ("relu", lambda m, a: m.relu(a), jax.nn.relu, [(6,)], "any"),
    ("abs", lambda m, a: abs(a), jnp.abs, [(6,)], "any"),
    ("sqrt", lambda m, a: a.sqrt(), jnp.sqrt, [(3,)], "pos"),
    ("clamp", lambda m, a: a.clamp(-0.5, 0.5), lambda a: jnp.clip(a, -0.5, 0.5), [(8,)], "any"),
    ("clamp_min", lambda m, a: m.clamp(a, min=0.1), lambda a: jnp.maximum(a, 0.1), [(8,)],
     "any"),
    ("clamp_max", lambda m, a: a.clamp(max=0.2), lambda a: jnp.minimum(a, 0.2), [(8,)], "any"),
    ("maximum", lambda m, a, b: m.maximum(a, b), jnp.maximum, [(5,), (5,)], "any"),
    ("minimum", lambda m, a, b: a.minimum(b), jnp.minimum, [(2, 5), (5,)], "any"),
    ("max_all", lambda m, a: a.max(), jnp.max, [(2, 3)], "any"),
    ("min_all", lambda m, a: m.min(a), jnp.min, [(2, 3)], "any"),
    ("max_dim", lambda m, a: a.max(1).values, lambda a: a.max(1), [(3, 4)], "any"),
    ("min_dim_keep", lambda m, a: m.min(a, dim=0, keepdim=True)[0],
     lambda a: a.min(0, keepdims=True), [(3, 4)], "any"),
    ("max_binary", lambda m, a, b: m.max(a, b), jnp.maximum, [(4,), (4,)], "any"),
    ("reshape", lambda m, a: a.reshape(3, 2), lambda a: a.reshape(3, 2), [(2, 3)], "any"),
    ("view_infer", lambda m, a: a.view(-1, 2), lambda a: a.reshape(-1, 2), [(2, 3)], "any"),
    ("transpose", lambda m, a: a.transpose(0, -1), lambda a: a.swapaxes(0, 2), [(2, 3, 4)],
     "any"),
    ("t", lambda m, a: a.t(), lambda a: a.T, [(2, 3)], "any"),
    ("permute", lambda m, a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), [(2, 3, 4)],
     "any"),
    ("unsqueeze", lambda m, a: a.unsqueeze(-1), lambda a: a[..., None], [(2, 3)], "any"),
    ("squeeze_all", lambda m, a: a.squeeze(), lambda a: a.squeeze(), [(1, 3, 1)], "any"),
    ("squeeze_dim", lambda m, a: a.squeeze(0), lambda a: a.squeeze(0), [(1, 3, 1)], "any"),
    ("flatten", lambda m, a: a.flatten(1), lambda a: a.reshape(2, -1), [(2, 3, 4)], "any"),
    ("expand", lambda m, a: a.expand(2, 3, 4), lambda a: jnp.broadcast_to(a, (2, 3, 4)),
     [(3, 1)], "any"),
    ("cat", lambda m, a, b: m.cat([a, b], dim=1), lambda a, b: jnp.concatenate([a, b], 1),
     [(2, 3), (2, 2)], "any"),
    ("stack", lambda m, a, b: m.stack([a, b], dim=-1), lambda a, b: jnp.stack([a, b], -1),
     [(2, 3), (2, 3)], "any"),
    ("where", lambda m, a, b: m.where(a > 0, a, b), lambda a, b: jnp.where(a > 0, a, b),
     [(2, 3), (3,)], "any"),
    ("chain", lambda m, a, b: ((a @ b).tanh() * 2 - 1).sum(0),
     lambda a, b: (jnp.tanh(a @ b) * 2 - 1).sum(0), [(3, 4), (4, 2)], "any"),
]


def _reference(ref):
    def value_and_vjp(cot, *args):
        out, vjp = jax.vjp(ref, *args)
        return out, vjp(cot)

    return jax.jit(value_and_vjp)


@pytest.mark.parametrize("name,ours,ref,shapes,domain", CASES, ids=[c[0] for c in CASES])
def test_values_and_grads(name, ours, ref, shapes, domain):
    host = [_data(s, domain).astype(np.float32) for s in shapes]
    args = [jnp.asarray(h) for h in host]
    cot = RNG.normal(size=jax.eval_shape(ref, *args).shape).astype(np.float32)
    want, grads = _reference(ref)(cot, *args)  # the jnp value and its vjp, one XLA program
    want = np.asarray(want)

    xs = [torch.tensor(h, requires_grad=True) for h in host]
    out = ours(torch, *xs)
    assert out.dtype is torch.float32
    assert out.shape == want.shape
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-5, atol=1e-6)
    assert out.requires_grad and out.grad_fn is not None

    out.backward(torch.tensor(cot))
    for x, g in zip(xs, grads, strict=True):
        assert x.grad is not None and x.grad.shape == x.shape and x.grad.dtype is torch.float32
        np.testing.assert_allclose(x.grad.numpy(), np.asarray(g), rtol=1e-5, atol=1e-5)


def test_grad_fn_names_match_torch():
    real = pytest.importorskip("torch")
    for name, ours, _, shapes, domain in CASES:
        host = [_data(s, domain).astype(np.float32) for s in shapes]
        mine = ours(torch, *[torch.tensor(h, requires_grad=True) for h in host])
        theirs = ours(real, *[real.tensor(h, requires_grad=True) for h in host])
        assert mine.grad_fn.name() == theirs.grad_fn.name(), name


def test_float64_stays_float64_through_grad():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = (x.exp() * 3).sum()
    assert y.dtype is torch.float64
    y.backward()
    assert x.grad.dtype is torch.float64
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp([1.0, 2.0]), rtol=1e-14)


# ---- values-only ops -----------------------------------------------------------------------
def test_max_min_return_types():
    t = torch.tensor([[1.0, 5.0], [7.0, 2.0]])
    assert t.max().item() == 7.0 and torch.min(t).item() == 1.0
    r = t.max(1)
    assert type(r).__name__ == "max" and r.values.tolist() == [5.0, 7.0]
    assert r.indices.tolist() == [1, 0] and r.indices.dtype is torch.int64
    values, indices = t.min(dim=0, keepdim=True)
    assert values.tolist() == [[1.0, 2.0]] and indices.tolist() == [[0, 1]]
    assert repr(torch.tensor([1.0, 2.0]).max(0)) == (
        "torch.return_types.max(\nvalues=tensor(2.),\nindices=tensor(1))")
    assert torch.tensor(3.0).max(0).indices.item() == 0
    ties = torch.tensor([3, 1, 3])
    assert ties.max(0).indices.item() == 0 and ties.argmax().item() == 0
    assert torch.max(torch.tensor([1, 3]), torch.tensor([2, 2])).tolist() == [2, 3]
    with pytest.raises(RuntimeError, match=r"max\(\): Expected reduction dim to be specified for "
                                           r"input.numel\(\) == 0"):
        torch.ones(0).max()


def test_argmax_argmin():
    t = torch.tensor([[1.0, 5.0], [7.0, 2.0]])
    assert t.argmax().item() == 2 and t.argmax().dtype is torch.int64
    assert t.argmax(1).tolist() == [1, 0]
    assert t.argmin(dim=0, keepdim=True).tolist() == [[0, 1]]
    assert torch.argmax(t, dim=-1).tolist() == [1, 0]
    assert torch.argmin(t).item() == 0


def test_reduction_dtypes_and_errors():
    assert torch.tensor([True, True]).sum().item() == 2
    assert torch.tensor([1, 2], dtype=torch.int32).sum().dtype is torch.int64
    assert torch.ones(2).sum(dtype=torch.float64).dtype is torch.float64
    assert torch.tensor([1, 2]).sum(dtype=torch.float32).item() == 3.0
    assert torch.arange(6).mean(dtype=torch.float64).item() == 2.5
    with pytest.raises(RuntimeError, match=r"mean\(\): could not infer output dtype. Input dtype "
                                           r"must be either a floating point or complex dtype. "
                                           r"Got: Long"):
        torch.arange(6).mean()
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times in the list of dims"):
        torch.ones(2, 3).sum((0, 0))
    with pytest.raises(IndexError, match="Dimension out of range"):
        torch.ones(2, 3).sum(2)


def test_elementwise_int_and_mixed():
    assert torch.relu(torch.tensor([-1, 2])).tolist() == [0, 2]
    assert torch.exp(torch.tensor([0])).dtype is torch.float32
    assert torch.sqrt(torch.tensor([4])).tolist() == [2.0]
    assert torch.clamp(torch.tensor([1, 5]), 2, 3).tolist() == [2, 3]
    assert torch.tensor([1, 5]).clamp(2.5).dtype is torch.float32
    c = torch.tensor([-2.0, 0.5, 3.0]).clamp(torch.tensor([0.0, 0.0, 0.0]), torch.tensor(1.0))
    assert c.tolist() == [0.0, 0.5, 1.0]
    assert torch.maximum(torch.tensor([1, 5]), torch.tensor([3.0, 2.0])).tolist() == [3.0, 5.0]
    assert torch.div(torch.tensor([-7, 7]), 2, rounding_mode="floor").tolist() == [-4, 3]
    assert torch.div(torch.tensor([-7.0, 7.0]), 2, rounding_mode="trunc").tolist() == [-3.0, 3.0]
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        torch.tensor([1.0]).clamp()


def test_where_forms():
    cond = torch.tensor([True, False])
    assert torch.where(cond, torch.tensor([1, 2]), 0.5).tolist() == [1.0, 0.5]
    assert torch.where(cond, 1.0, 0.0).tolist() == [1.0, 0.0]
    assert torch.tensor([1.0, 2.0]).where(cond, torch.tensor(0.0)).tolist() == [1.0, 0.0]
    (idx,) = torch.where(torch.tensor([True, False, True]))
    assert idx.tolist() == [0, 2] and idx.dtype is torch.int64
    with pytest.raises(RuntimeError, match="where expected condition to be a boolean tensor, but "
                                           "got a tensor with dtype Long"):
        torch.where(torch.tensor([1, 0]), torch.ones(2), torch.zeros(2))


def test_shape_op_results():
    assert torch.ones(1, 2, 1).squeeze((0, 2)).shape == (2,)
    assert torch.ones(1, 2, 1).squeeze(1).shape == (1, 2, 1)
    assert torch.ones(1).squeeze().shape == ()
    assert torch.tensor(1.0).unsqueeze(0).shape == (1,)
    assert torch.ones(2, 3, 4).flatten().shape == (24,)
    assert torch.ones(2, 3, 4).flatten(0, 1).shape == (6, 4)
    assert torch.tensor(1.0).flatten().shape == (1,)
    assert torch.ones(3, 1).expand(2, -1, 4).shape == (2, 3, 4)
    assert torch.ones(6).view(torch.Size([2, 3])).shape == (2, 3)
    assert torch.ones(6).reshape([3, -1]).shape == (3, 2)
    assert torch.ones(2, 3).view((3, 2)).shape == (3, 2)
    assert torch.cat([torch.ones(2, dtype=torch.int64), torch.ones(1)]).dtype is torch.float32
    assert torch.cat([torch.ones(0), torch.ones(2, 2)]).shape == (2, 2)  # legacy empty skipped
    assert torch.stack([torch.ones(2, dtype=torch.int32),
                        torch.ones(2, dtype=torch.float64)]).dtype is torch.float64
    assert torch.concat([torch.ones(1), torch.ones(1)]).shape == (2,)


# ---- shape-mismatch messages (torch 2.13) --------------------------------------------------
ERRORS = [
    (lambda: torch.ones(2, 3) @ torch.ones(2, 3), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)"),
    (lambda: torch.ones(2, 3) @ torch.ones(2), RuntimeError,
     r"size mismatch, got input \(2\), mat \(2x3\), vec \(2\)"),
    (lambda: torch.ones(3) @ torch.ones(2), RuntimeError,
     r"inconsistent tensor size, expected tensor \[3\] and src \[2\] to have the same number of "
     r"elements, but got 3 and 2 elements respectively"),
    (lambda: torch.ones(3) @ torch.ones(2, 3), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(1x3 and 2x3\)"),
    (lambda: torch.ones(2, 2, 3) @ torch.ones(2, 2), RuntimeError,
     r"mat1 and mat2 shapes cannot be multiplied \(4x3 and 2x2\)"),
    (lambda: torch.matmul(torch.ones(2, 2, 3), torch.ones(3, 3, 2)), RuntimeError,
     r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton "
     r"dimension 0"),
    (lambda: torch.matmul(torch.ones(()), torch.ones(2)), RuntimeError,
     "both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    (lambda: torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    (lambda: torch.mm(torch.ones(2), torch.ones(2, 2)), RuntimeError, "self must be a matrix"),
    (lambda: torch.mv(torch.ones(2, 2), torch.ones(2, 2)), RuntimeError,
     "vector \\+ matrix @ vector expected, got 1, 2, 2"),
    (lambda: torch.dot(torch.ones(2, 2), torch.ones(2)), RuntimeError,
     "1D tensors expected, but got 2D and 1D tensors"),
    (lambda: torch.dot(torch.ones(2), torch.ones(2, dtype=torch.float64)), RuntimeError,
     "dot : expected both vectors to have same dtype, but found Float and Double"),
    (lambda: torch.bmm(torch.ones(2, 2), torch.ones(2, 2)), RuntimeError,
     "batch1 must be a 3D tensor"),
    (lambda: torch.bmm(torch.ones(2, 2, 3), torch.ones(2, 2, 3)), RuntimeError,
     r"Expected size for first two dimensions of batch2 tensor to be: \[2, 3\] but got: "
     r"\[2, 2\]."),
    (lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 4)]), RuntimeError,
     "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for "
     "tensor number 1 in the list."),
    (lambda: torch.cat([torch.ones(2, 3), torch.ones(3)]), RuntimeError,
     "Tensors must have same number of dimensions: got 2 and 1"),
    (lambda: torch.cat([torch.ones(2, 3), torch.ones(2, 3)], dim=2), IndexError,
     r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"),
    (lambda: torch.cat([]), ValueError, r"torch.cat\(\): expected a non-empty list of Tensors"),
    (lambda: torch.cat(torch.ones(2)), TypeError,
     r"cat\(\): argument 'tensors' \(position 1\) must be tuple of Tensors, not Tensor"),
    (lambda: torch.cat([torch.tensor(1.0), torch.tensor(2.0)]), RuntimeError,
     r"zero-dimensional tensor \(at position 0\) cannot be concatenated"),
    (lambda: torch.stack([torch.ones(2, 3), torch.ones(3, 2)]), RuntimeError,
     r"stack expects each tensor to be equal size, but got \[2, 3\] at entry 0 and \[3, 2\] at "
     r"entry 1"),
    (lambda: torch.stack([]), RuntimeError, "stack expects a non-empty TensorList"),
    (lambda: torch.stack([torch.ones(2), torch.ones(2)], dim=3), IndexError,
     "Dimension out of range"),
    (lambda: torch.ones(2, 3).view(4), RuntimeError, r"shape '\[4\]' is invalid for input of "
                                                     r"size 6"),
    (lambda: torch.ones(2, 3).view(-1, 4), RuntimeError,
     r"shape '\[-1, 4\]' is invalid for input of size 6"),
    (lambda: torch.ones(2, 3).view(-1, -1), RuntimeError, "only one dimension can be inferred"),
    (lambda: torch.ones(0, 3).view(-1, 0), RuntimeError,
     r"cannot reshape tensor of 0 elements into shape \[-1, 0\] because the unspecified "
     r"dimension size -1 can be any value and is ambiguous"),
    (lambda: torch.ones(2, 3).reshape(5), RuntimeError, "is invalid for input of size 6"),
    (lambda: torch.ones(2, 3).transpose(0, 2), IndexError, "Dimension out of range"),
    (lambda: torch.ones(2, 3).permute(0), RuntimeError,
     "number of dimensions in the tensor input does not match the length of the desired "
     "ordering of dimensions"),
    (lambda: torch.ones(2, 3).permute(0, 0), RuntimeError,
     r"permute\(\): duplicate dims are not allowed."),
    (lambda: torch.ones(2, 3).unsqueeze(3), IndexError,
     r"expected to be in range of \[-3, 2\], but got 3"),
    (lambda: torch.ones(3, 2).expand(3, 4), RuntimeError,
     r"The expanded size of the tensor \(4\) must match the existing size \(2\) at "
     r"non-singleton dimension 1.  Target sizes: \[3, 4\].  Tensor sizes: \[3, 2\]"),
    (lambda: torch.ones(3, 2).expand(2), RuntimeError,
     r"expand\(torch.FloatTensor\{\[3, 2\]\}, size=\[2\]\): the number of sizes provided \(1\) "
     r"must be greater or equal to the number of dimensions in the tensor \(2\)"),
    (lambda: torch.ones(3).expand(-1, 3), RuntimeError,
     r"The expanded size of the tensor \(-1\) isn't allowed in a leading, non-existing "
     r"dimension 0"),
    (lambda: torch.where(torch.ones(2, dtype=torch.bool), torch.ones(3), 0.0), RuntimeError,
     r"The size of tensor a \(2\) must match the size of tensor b \(3\) at non-singleton "
     r"dimension 0"),
]


@pytest.mark.parametrize("fn,exc,msg", ERRORS, ids=[str(i) for i in range(len(ERRORS))])
def test_shape_errors(fn, exc, msg):
    with pytest.raises(exc, match=msg):
        fn()


def test_errors_leave_graph_usable():
    x = torch.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError):
        x @ torch.ones(2, 3)
    with pytest.raises(RuntimeError):
        torch.cat([x, torch.ones(2, 4)])
    (x * 2).sum().backward()
    assert x.grad.tolist() == [[2.0] * 3] * 2


def test_messages_match_torch():
    real = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for make in (
            lambda m: m.ones(2, 3) @ m.ones(2, 3),
            lambda m: m.ones(2, 3) @ m.ones(2),
            lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]),
            lambda m: m.stack([m.ones(2, 3), m.ones(3, 2)]),
            lambda m: m.ones(2, 3).view(4),
            lambda m: m.ones(2) + m.ones(3),
        ):
            msgs = []
            for mod in (torch, real):
                with pytest.raises(Exception) as info:  # noqa: B017
                    make(mod)
                msgs.append((info.type.__name__, str(info.value)))
            assert msgs[0] == msgs[1]
