"""Autograd's contract for views, inference mode and ``create_graph``, checked against torch.

Each case is a short script written against a module ``t``; it runs once with real torch and
once with torchlike_jax, and the two results must agree: the same exception class and message
line, or the same values, reprs (``grad_fn=<Invalid>`` included) and flags. The areas are torch's
view "creation meta" (views of multi-output ops, views made under ``no_grad`` or
``inference_mode``, views returned by a custom Function), writing into expanded tensors, in-place
ops through a slice, and constant first derivatives under ``create_graph``.
"""

from __future__ import annotations

import pytest

import torchlike_jax
from tests.support.snippet_compare import assert_same, observe

pytestmark = pytest.mark.torch_live


def _clone(t, *shape):
    return t.ones(*shape, requires_grad=True).clone()


# ---- in-place on views of multi-output ops -----------------------------------------------------
def unbind_inplace(t):
    return _clone(t, 3, 2).unbind()[0].mul_(2)


def unbind_second_output(t):
    return _clone(t, 3, 2).unbind()[1].add_(1)


def split_inplace(t):
    return _clone(t, 3, 2).split(1)[1].mul_(2)


def split_sizes_inplace(t):
    return _clone(t, 3, 2).split([1, 2])[1].mul_(2)


def chunk_inplace(t):
    return _clone(t, 3, 2).chunk(3)[2].add_(1)


def single_piece_split_chunk_unbind(t):
    def write(piece):
        return lambda: piece.mul_(2)

    return [observe(write(p))[0] for p in (
        _clone(t, 3, 2).split(3)[0], _clone(t, 3, 2).chunk(1)[0], _clone(t, 1, 2).unbind()[0],
        _clone(t, 3, 2).split([3])[0])]


def composite_splits_are_plain_views(t):
    return _clone(t, 3, 2).tensor_split(3)[0].mul_(2), _clone(t, 3, 2).hsplit(2)[1].mul_(2)


def unbind_of_leaf(t):
    return t.ones(3, 2, requires_grad=True).unbind()[0].mul_(2)


def view_of_unbind_inplace(t):
    return _clone(t, 3, 2).unbind()[0][:1].mul_(2)


def reshape_of_unbind_inplace(t):
    return _clone(t, 3, 2).unbind()[0].view(2).mul_(2)


def unbind_zero_(t):
    return _clone(t, 3, 2).unbind()[0].zero_()


def unbind_copy_(t):
    return _clone(t, 3, 2).unbind()[0].copy_(t.zeros(2))


def unbind_unsqueeze_(t):
    return _clone(t, 3, 2).unbind()[0].unsqueeze_(0)


def unbind_no_requires_grad(t):
    return t.ones(3, 2).unbind()[0].mul_(2)


def unbind_inplace_under_no_grad(t):
    a = _clone(t, 3, 2)
    u = a.unbind()
    with t.no_grad():
        u[0].mul_(2)
    return repr(u[0]), repr(u[1]), repr(a)


def unbind_then_base_modified_repr(t):
    a = _clone(t, 3, 2)
    u = a.unbind()
    a.mul_(2)
    return repr(u[0])


def unbind_then_base_modified_grad_fn(t):
    a = _clone(t, 3, 2)
    u = a.unbind()
    a.mul_(2)
    return u[0].grad_fn


def unbind_then_base_modified_backward(t):
    a = _clone(t, 3, 2)
    u = a.unbind()
    a.mul_(2)
    u[0].sum().backward()


def unbind_written_and_used_under_no_grad(t):
    a = _clone(t, 3, 2)
    u = a.unbind()
    with t.no_grad():
        u[1].mul_(3)
        return u[1] * 2


def unbind_setitem_int(t):
    u = _clone(t, 3, 2).unbind()
    u[0][0] = 5


def unbind_setitem_slice(t):
    u = _clone(t, 3, 2).unbind()
    u[0][:1] = 5


def unbind_setitem_mask(t):
    u = _clone(t, 3, 2).unbind()
    u[0][t.tensor([True, False])] = 5


def unbind_setitem_under_no_grad(t):
    a = _clone(t, 3, 2)
    u = a.unbind()
    with t.no_grad():
        u[0][1] = 3
    return repr(u[0]), repr(a)


# ---- views made under no_grad ------------------------------------------------------------------
def _no_grad_view(t):
    a = _clone(t, 3)
    with t.no_grad():
        v = a[:2]
    return a, v


def no_grad_view_flags(t):
    a, v = _no_grad_view(t)
    return repr(v), v.requires_grad, v.is_leaf, v.grad_fn is None, v._base is a


def no_grad_view_of_view_graph(t):
    a, v = _no_grad_view(t)
    w = v[:1]
    return repr(w), str(w.grad_fn.next_functions), w._base is a


def no_grad_view_of_view_inplace(t):
    a, v = _no_grad_view(t)
    v[:1].mul_(2)


def no_grad_view_inplace(t):
    a, v = _no_grad_view(t)
    v.mul_(2)


def no_grad_view_inplace_under_no_grad(t):
    a, v = _no_grad_view(t)
    with t.no_grad():
        v.mul_(2)
    return repr(v), repr(a)


def no_grad_view_base_modified(t):
    a, v = _no_grad_view(t)
    a.mul_(2)
    return repr(v)


def no_grad_view_base_modified_under_no_grad(t):
    a, v = _no_grad_view(t)
    with t.no_grad():
        a.mul_(2)
    return repr(v)


def no_grad_view_base_modified_grad_fn(t):
    a, v = _no_grad_view(t)
    a.mul_(2)
    return v.grad_fn


def no_grad_view_base_modified_used(t):
    a, v = _no_grad_view(t)
    a.mul_(2)
    return v * 2


def no_grad_view_of_view_base_modified_backward(t):
    a, v = _no_grad_view(t)
    w = v.view(2)
    a.mul_(2)
    w.sum().backward()


def no_grad_view_of_view_base_modified_repr(t):
    a, v = _no_grad_view(t)
    w = v.view(2)
    a.mul_(2)
    return repr(w)


def no_grad_view_of_leaf_backward(t):
    x = t.ones(3, requires_grad=True)
    with t.no_grad():
        v = x[:2]
    y = v * 2
    y.sum().backward()
    return x.grad, v.grad, str(y.grad_fn.next_functions)


def no_grad_view_of_leaf_inplace(t):
    x = t.ones(3, requires_grad=True)
    with t.no_grad():
        v = x[:2]
    v.mul_(2)


def no_grad_view_grad_wrt(t):
    x = t.ones(3, requires_grad=True)
    with t.no_grad():
        v = x[:2]
    return t.autograd.grad((v * 2).sum(), v)


def no_grad_view_of_no_grad_view(t):
    a, v = _no_grad_view(t)
    with t.no_grad():
        w = v[:1]
        w.mul_(3)
    return repr(w), repr(v), repr(a)


def no_grad_view_of_no_grad_view_inplace(t):
    a, v = _no_grad_view(t)
    with t.no_grad():
        w = v[:1]
    w.mul_(3)


def no_grad_view_setitem(t):
    a, v = _no_grad_view(t)
    v[1] = 3


def no_grad_view_setitem_under_no_grad(t):
    a, v = _no_grad_view(t)
    with t.no_grad():
        v[1] = 3
    return repr(v), repr(a)


def no_grad_view_setitem_without_requires_grad(t):
    a = t.ones(3, 4)
    with t.no_grad():
        v = a[1:]
    v[0, 1:3] = t.tensor([7.0, 8.0])
    v[1] = t.arange(4.0)
    v[:, 0] = t.tensor([5, 6])
    v[1, 1] = True
    return a


def no_grad_view_without_requires_grad(t):
    a = t.ones(3)
    with t.no_grad():
        v = a[:2]
    return repr(v.mul_(2))


# ---- views returned by a custom Function -------------------------------------------------------
def _view_function(t):
    class Head(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:2]

        @staticmethod
        def backward(ctx, g):
            return t.cat([g * 3, g.new_zeros(1)])

    return Head


def custom_view_flags(t):
    a = _clone(t, 3)
    y = _view_function(t).apply(a)
    return repr(y), y._base is a


def custom_view_inplace(t):
    _view_function(t).apply(_clone(t, 3)).mul_(2)


def custom_view_of_view_inplace(t):
    _view_function(t).apply(_clone(t, 3))[:1].mul_(2)


def custom_view_inplace_under_no_grad(t):
    a = _clone(t, 3)
    y = _view_function(t).apply(a)
    with t.no_grad():
        y.mul_(2)
    return repr(y), repr(a)


def custom_view_base_modified(t):
    a = _clone(t, 3)
    y = _view_function(t).apply(a)
    a.mul_(2)
    return repr(y)


def custom_view_backward(t):
    x = t.ones(3, requires_grad=True)
    y = _view_function(t).apply(x.clone())
    (y * y).sum().backward()
    return x.grad


# ---- inference mode ----------------------------------------------------------------------------
def inference_view_of_normal(t):
    a = t.ones(2, 3)
    with t.inference_mode():
        v = a.view(-1)
    v.add_(1)
    return v.is_inference(), a.sum().item(), v._version


def inference_view_of_requires_grad(t):
    a = _clone(t, 2, 3)
    with t.inference_mode():
        v = a.view(-1)
    return repr(v), v.is_inference(), v.requires_grad


def inference_view_inplace_in_normal_mode(t):
    a = _clone(t, 2, 3)
    with t.inference_mode():
        v = a.view(-1)
    v.add_(1)


def inference_view_base_modified(t):
    a = _clone(t, 2, 3)
    with t.inference_mode():
        v = a.view(-1)
    a.add_(1)
    return repr(v)


def inference_view_of_view_inplace(t):
    a = _clone(t, 2, 3)
    with t.inference_mode():
        v = a.view(-1)
    v[:2].mul_(2)


def inference_inplace_keeps_normal(t):
    a = t.ones(3)
    with t.inference_mode():
        a.add_(1)
        b = a * 2
    return a.is_inference(), b.is_inference(), a._version


def inference_enable_grad(t):
    x = t.ones(2, requires_grad=True)
    with t.inference_mode():
        with t.enable_grad():
            y = x * 2
            enabled = t.is_grad_enabled()
    return y.requires_grad, y.is_inference(), enabled, y.grad_fn is None


def inference_tensor_saved(t):
    x = t.ones(2, requires_grad=True)
    with t.inference_mode():
        c = t.ones(2)
    return x * c


def inference_tensor_not_saved(t):
    x = t.ones(2, requires_grad=True)
    with t.inference_mode():
        c = t.ones(2)
    return (x + c).grad_fn.name()


def inference_tensor_inplace_outside(t):
    with t.inference_mode():
        c = t.ones(2)
    c.add_(1)


def inference_tensor_version(t):
    with t.inference_mode():
        c = t.ones(2)
    return c._version


# ---- writing into expanded tensors -------------------------------------------------------------
def _expanded(t, fn):
    g = t.ones(1).expand(3)
    fn(g)
    return g


def expand_setitem_one(t):
    return _expanded(t, lambda g: g.__setitem__(0, 0.0))


def expand_setitem_slice(t):
    return _expanded(t, lambda g: g.__setitem__(slice(0, 2), 0.0))


def expand_setitem_all(t):
    return _expanded(t, lambda g: g.__setitem__(slice(None), 7.0))


def expand_fill_(t):
    return _expanded(t, lambda g: g.fill_(2))


def expand_zero_(t):
    return _expanded(t, lambda g: g.zero_())


def expand_add_(t):
    return _expanded(t, lambda g: g.add_(1))


def expand_copy_(t):
    return _expanded(t, lambda g: g.copy_(t.zeros(3)))


def expand_select_add_(t):
    return _expanded(t, lambda g: g[1].add_(1))


def expand_2d_element(t):
    g = t.ones(2, 1).expand(2, 3)
    g[1, 2] = 5
    return g


def expand_2d_column(t):
    g = t.ones(2, 1).expand(2, 3)
    g[:, 0] = 5
    g[:, 1].add_(1)
    return g


def expand_setitem_tensor_value(t):
    g = t.ones(1).expand(3)
    g[2] = t.tensor(4.0)
    return g


def expand_setitem_partial_row(t):
    g = t.zeros(1, 4).expand(3, 4)
    g[1, :2] = t.tensor([1.0, 2.0])
    return g


def expand_setitem_with_grad(t):
    b = t.tensor([2.0], requires_grad=True)
    c = b.clone()
    g = c.expand(3)
    g[1] = 0
    (g * t.tensor([1.0, 2.0, 3.0])).sum().backward()
    return b.grad, repr(c), repr(g)


# ---- in-place through a slice of a tensor without grad ----------------------------------------
def slice_mul_(t):
    b = t.tensor(2.0, requires_grad=True)
    x = t.tensor([2.0, 5.0])[1:].mul_(b)
    x.sum().backward()
    return b.grad


def slice_mul_used_twice(t):
    b = t.tensor(2.0, requires_grad=True)
    base = t.tensor([2.0, 5.0, 3.0])
    x = base[1:].mul_(b)
    (x * x).sum().backward()
    return b.grad, repr(base), repr(x)


def slice_exp_saved_output(t):
    b = t.tensor([1.0, 2.0], requires_grad=True)
    base = t.zeros(3)
    x = base[1:]
    x.copy_(b)
    x.exp_()
    x.sum().backward()
    return b.grad


# ---- create_graph: constant first derivatives --------------------------------------------------
def create_graph_constant(t):
    x = t.ones(2, requires_grad=True)
    g, = t.autograd.grad((x * 2).sum(), x, create_graph=True)
    return g.requires_grad, g.grad_fn is None, g


def create_graph_constant_other(t):
    x = t.ones(2, requires_grad=True)
    y = t.tensor([3.0, 4.0])
    g, = t.autograd.grad((x * y).sum(), x, create_graph=True)
    return g.requires_grad, g


def create_graph_uses_other_input(t):
    x = t.ones(2, requires_grad=True)
    y = t.tensor([3.0, 4.0], requires_grad=True)
    g, = t.autograd.grad((x * y).sum(), x, create_graph=True)
    gy, = t.autograd.grad(g.sum(), y)
    return g.requires_grad, gy


def create_graph_square(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    g, = t.autograd.grad((x * x).sum(), x, create_graph=True)
    gg, = t.autograd.grad(g.sum(), x)
    return g.requires_grad, g.grad_fn.name(), g, gg


def create_graph_sin(t):
    x = t.tensor([0.5, 1.0], requires_grad=True)
    g, = t.autograd.grad(x.sin().sum(), x, create_graph=True)
    gg, = t.autograd.grad(g.sum(), x)
    return g.requires_grad, g, gg


def create_graph_linear_backward(t):
    x = t.tensor([1.0, 2.0], requires_grad=True)
    y = (3 * x + 1).sum()
    y.backward(create_graph=True)
    return x.grad.requires_grad, x.grad


def functional_hessian_of_linear_strict(t):
    return t.autograd.functional.hessian(lambda x: (x * 2).sum(), t.tensor([1.0, 2.0]),
                                         create_graph=True, strict=True)


def functional_hessian_of_square_strict(t):
    return t.autograd.functional.hessian(lambda x: (x * x).sum(), t.tensor([1.0, 2.0]),
                                         create_graph=True, strict=True)


def functional_jacobian_strict_create_graph(t):
    return t.autograd.functional.jacobian(lambda x: x.sin(), t.tensor([1.0, 2.0]),
                                          create_graph=True, strict=True)


def functional_vjp_of_linear_strict(t):
    return t.autograd.functional.vjp(lambda x: x * 3, t.tensor([1.0, 2.0]), t.ones(2),
                                     create_graph=True, strict=True)


def create_graph_indexing(t):
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
    g, = t.autograd.grad(x[1] * 2, x, create_graph=True)
    h, = t.autograd.grad((x[1] * x[2]), x, create_graph=True)
    return g.requires_grad, g, h.requires_grad, h


CASES = [
    unbind_inplace, unbind_second_output, split_inplace, split_sizes_inplace, chunk_inplace,
    single_piece_split_chunk_unbind, composite_splits_are_plain_views,
    unbind_of_leaf, view_of_unbind_inplace, reshape_of_unbind_inplace, unbind_zero_,
    unbind_copy_, unbind_unsqueeze_, unbind_no_requires_grad, unbind_inplace_under_no_grad,
    unbind_then_base_modified_repr, unbind_then_base_modified_grad_fn,
    unbind_then_base_modified_backward, unbind_written_and_used_under_no_grad,
    unbind_setitem_int, unbind_setitem_slice, unbind_setitem_mask, unbind_setitem_under_no_grad,
    no_grad_view_setitem, no_grad_view_setitem_under_no_grad,
    no_grad_view_setitem_without_requires_grad,
    no_grad_view_flags, no_grad_view_of_view_graph, no_grad_view_of_view_inplace,
    no_grad_view_inplace, no_grad_view_inplace_under_no_grad, no_grad_view_base_modified,
    no_grad_view_base_modified_under_no_grad, no_grad_view_base_modified_grad_fn,
    no_grad_view_base_modified_used, no_grad_view_of_view_base_modified_backward,
    no_grad_view_of_view_base_modified_repr, no_grad_view_of_leaf_backward,
    no_grad_view_of_leaf_inplace, no_grad_view_grad_wrt, no_grad_view_of_no_grad_view,
    no_grad_view_of_no_grad_view_inplace, no_grad_view_without_requires_grad,
    custom_view_flags, custom_view_inplace, custom_view_of_view_inplace,
    custom_view_inplace_under_no_grad, custom_view_base_modified, custom_view_backward,
    inference_view_of_normal, inference_view_of_requires_grad,
    inference_view_inplace_in_normal_mode, inference_view_base_modified,
    inference_view_of_view_inplace, inference_inplace_keeps_normal, inference_enable_grad,
    inference_tensor_saved, inference_tensor_not_saved, inference_tensor_inplace_outside,
    inference_tensor_version,
    expand_setitem_one, expand_setitem_slice, expand_setitem_all, expand_fill_, expand_zero_,
    expand_add_, expand_copy_, expand_select_add_, expand_2d_element, expand_2d_column,
    expand_setitem_tensor_value, expand_setitem_partial_row, expand_setitem_with_grad,
    slice_mul_, slice_mul_used_twice, slice_exp_saved_output,
    create_graph_constant, create_graph_constant_other, create_graph_uses_other_input,
    create_graph_square, create_graph_sin, create_graph_linear_backward, create_graph_indexing,
    functional_hessian_of_linear_strict, functional_hessian_of_square_strict,
    functional_jacobian_strict_create_graph, functional_vjp_of_linear_strict,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_matches_torch(case, real):
    theirs, their_warnings = observe(lambda: case(real))
    ours, our_warnings = observe(lambda: case(torchlike_jax))
    assert_same(ours, theirs, real)
    assert [c.__name__ for c, _ in our_warnings] == [c.__name__ for c, _ in their_warnings]


def test_cases_exercise_both_outcomes(real):
    """The table holds refusals and successes alike (a typo'd case that always raises would
    otherwise pass as long as both libraries raised the same NameError)."""
    outcomes = [observe(lambda c=c: c(real))[0] for c in CASES]
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert all(type(e) is RuntimeError for e in errors)
    assert 10 < len(errors) < len(CASES) - 20
