"""``torch.func``: grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, vmap, linearize,
functional_call.

Every case is a function of the library module (``torchlike_jax`` or real ``torch``) written once
against the torch API. Each runs twice:

* against a closed-form expectation written with numpy (always);
* against real torch 2.13 when it is installed: same result structure (tuple/list/dict
  nesting), values, dtypes, ``requires_grad`` flags, or the same exception class and message.
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as T
from tests.support.func_harness import case_registry, err, expect, norm, run, same

CASES: dict = {}
case = case_registry(CASES)

X = np.array([1.0, 2.0, 3.0], np.float32)
Y = np.array([4.0, 5.0], np.float32)
B = np.arange(12, dtype=np.float32).reshape(4, 3) / 7 - 0.5  # a batch of 4 rows


def x_(lib):
    return lib.tensor(X.tolist())


def y_(lib):
    return lib.tensor(Y.tolist())


def b_(lib):
    return lib.tensor(B.tolist())


# ---- grad / grad_and_value -----------------------------------------------------------------------
@case(3 * X**2)
def grad_cube(lib):
    return lib.func.grad(lambda x: (x**3).sum())(x_(lib))


@case((np.cos(X) * (Y**2).sum(), 2 * Y * np.sin(X).sum()))
def grad_argnums_tuple(lib):
    f = lambda x, y: x.sin().sum() * (y**2).sum()  # noqa: E731
    return lib.func.grad(f, argnums=(0, 1))(x_(lib), y_(lib))


@case({"a": 2 * X * Y.sum(), "b": np.full(2, (X**2).sum(), np.float32)})
def grad_dict_input(lib):
    return lib.func.grad(lambda d: ((d["a"] ** 2).sum() * d["b"].sum()))(
        {"a": x_(lib), "b": y_(lib)})


@case((2 * X, {"double": 2 * X, "n": np.float32((X**2).sum())}))
def grad_has_aux(lib):
    def f(x):
        s = (x**2).sum()
        return s, {"double": x * 2, "n": s}

    return lib.func.grad(f, has_aux=True)(x_(lib))


@case((np.cos(X), (np.float32(np.sin(X).sum()), X + 1)))
def grad_and_value_aux(lib):
    return lib.func.grad_and_value(lambda x: (x.sin().sum(), x + 1), has_aux=True)(x_(lib))


@case((2 * X * 3, np.float32((X**2).sum() * 3)))
def grad_and_value_kwargs(lib):
    return lib.func.grad_and_value(lambda x, scale: (x**2).sum() * scale)(x_(lib), scale=3.0)


@case(6 * X)
def grad_of_grad(lib):
    g = lib.func.grad
    return g(lambda x: g(lambda y: (y**3).sum())(x).sum())(x_(lib))


@case(2 * np.tanh(B) * (1 - np.tanh(B) ** 2))
def vmap_of_grad(lib):
    return lib.func.vmap(lib.func.grad(lambda r: (r.tanh() ** 2).sum()))(b_(lib))


@case(X**2)  # d/dx (c * x).sum() with c = x*x held constant
def grad_inner_no_grad(lib):
    def f(x):
        with lib.no_grad():
            c = x * x
        return (c * x).sum()

    return lib.func.grad(f)(x_(lib))


@case((2 * X, True, True))
def grad_outer_no_grad_ignored(lib):
    flags = []

    def f(x):
        flags.append(x.requires_grad)
        flags.append(lib.is_grad_enabled())
        return (x**2).sum()

    with lib.no_grad():
        g = lib.func.grad(f)(x_(lib))
    return (g, *flags)


@case(X)  # d/dx (detach(x) * x).sum()
def grad_detach(lib):
    return lib.func.grad(lambda x: (x.detach() * x).sum())(x_(lib))


@case(3 * X**2)  # the inner gradient is a constant for the outer transform
def grad_inner_transform_under_no_grad(lib):
    def f(x):
        with lib.no_grad():
            g = lib.func.grad(lambda x: (x**3).sum())(x)
        return (g * x).sum()

    return lib.func.grad(f)(x_(lib))


@case(np.full(3, 6.0, np.float32))  # .item() and Python control flow on values
def grad_item_and_python_if(lib):
    def f(x):
        s = x.sum()
        k = s.item()
        return s * k if s > 0 else -s

    return lib.func.grad(f)(x_(lib))


@case(err("RuntimeError", "a leaf Variable that requires grad is being used in an in-place"))
def grad_inplace_on_input(lib):
    return lib.func.grad(lambda x: x.add_(1).sum())(x_(lib))


@case(np.ones(3, np.float32))
def grad_inplace_on_intermediate(lib):
    return lib.func.grad(lambda x: (x * 1).add_(1).sum())(x_(lib))


@case(err("RuntimeError", "Expected f(*args) to return a scalar Tensor, got tensor with 1 dims"))
def grad_error_not_scalar(lib):
    return lib.func.grad(lambda x: x * 2)(x_(lib))


@case(err("RuntimeError", "Expected f(*args) to return a Tensor, got <class 'int'>"))
def grad_error_not_tensor(lib):
    return lib.func.grad(lambda x: 3)(x_(lib))


@case(err("RuntimeError", "output of function f should be a tuple: (output, aux)"))
def grad_error_aux_not_tuple(lib):
    return lib.func.grad(lambda x: x.sum(), has_aux=True)(x_(lib))


@case(err("RuntimeError", "Expected tensors, got unsupported type <class 'int'>"))
def grad_error_aux_not_tensor(lib):
    return lib.func.grad(lambda x: (x.sum(), 5), has_aux=True)(x_(lib))


@case(err("RuntimeError", "Got argnum=1, but only 1 positional inputs"))
def grad_error_argnum_range(lib):
    return lib.func.grad(lambda x: x.sum(), argnums=1)(x_(lib))


@case(err("RuntimeError", "argnums must be int or Tuple[int, ...], got: <class 'float'>"))
def grad_error_argnum_type(lib):
    return lib.func.grad(lambda x: x.sum(), argnums=1.0)(x_(lib))


@case(err("RuntimeError", "argnums must be non-empty"))
def grad_error_argnums_empty(lib):
    return lib.func.grad(lambda x: x.sum(), argnums=())(x_(lib))


@case(err("RuntimeError", "argnums elements must be unique, got (0, 0)"))
def grad_error_argnums_repeated(lib):
    return lib.func.grad(lambda x: x.sum(), argnums=(0, 0))(x_(lib))


@case(err("ValueError", "Thing passed to transform API must be Tensor, got <class 'float'>"))
def grad_error_not_tensor_input(lib):
    return lib.func.grad(lambda x: x)(3.0)


@case(err("RuntimeError", "only Tensors of floating point dtype can require gradients"))
def grad_error_int_input(lib):
    return lib.func.grad(lambda x: x.sum())(lib.tensor([1, 2]))


# ---- vjp -----------------------------------------------------------------------------------------
@case((2 * X, (np.full(3, 2.0, np.float32),)))
def vjp_single(lib):
    out, fn = lib.func.vjp(lambda x: x * 2, x_(lib))
    return out, fn(lib.ones(3))


@case(((X * X, X + X), (X, X)))
def vjp_tuple_output(lib):
    out, fn = lib.func.vjp(lambda x, y: (x * y, x + y), x_(lib), x_(lib))
    return out, fn((lib.ones(3), lib.zeros(3)))


@case((np.sin(X), (np.cos(X) * 3,), {"x": X}))
def vjp_has_aux(lib):
    out, fn, aux = lib.func.vjp(lambda x: (x.sin(), {"x": x}), x_(lib), has_aux=True)
    return out, fn(lib.full((3,), 3.0)), aux


@case(({"s": np.float32(X.sum())}, ([np.full(3, 2.0, np.float32)],)))
def vjp_pytrees(lib):
    out, fn = lib.func.vjp(lambda xs: {"s": xs[0].sum()}, [x_(lib)])
    return out, fn({"s": lib.tensor(2.0)})


@case(err("RuntimeError", "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and "
                          "output[0] has a shape of torch.Size([3])."))
def vjp_error_cotangent_shape(lib):
    return lib.func.vjp(lambda x: x * 2, x_(lib))[1](lib.ones(2))


@case(err("RuntimeError", "Expected pytree structure of cotangents to be the same as pytree "
                          "structure of outputs to the function. cotangents: (*,), primal "
                          "output: *"))
def vjp_error_cotangent_structure(lib):
    return lib.func.vjp(lambda x: x * 2, x_(lib))[1]((lib.ones(3),))


@case(err("RuntimeError", "vjp(f, *primals): expected f(*primals) to return only tensors, got "
                          "unsupported type <class 'int'>"))
def vjp_error_output(lib):
    return lib.func.vjp(lambda x: (x, 3), x_(lib))


# ---- jvp / linearize -----------------------------------------------------------------------------
@case(((X * X, X + X), (2 * X, np.full(3, 2.0, np.float32))))
def jvp_tuple(lib):
    return lib.func.jvp(lambda x, y: (x * y, x + y), (x_(lib), x_(lib)), (lib.ones(3), lib.ones(3)))


@case((2 * X**3, 6 * X**2))  # forward mode sees through no_grad (torch's forward AD does)
def jvp_ignores_no_grad(lib):
    def f(x):
        with lib.no_grad():
            c = x * x
        return c * x * 2

    return lib.func.jvp(f, (x_(lib),), (lib.ones(3),))


@case((X * X, X))
def jvp_detach(lib):
    return lib.func.jvp(lambda x: x.detach() * x, (x_(lib),), (lib.ones(3),))


@case((np.exp(X), np.exp(X) * 2, X - 1))
def jvp_has_aux(lib):
    return lib.func.jvp(lambda x: (x.exp(), x - 1), (x_(lib),), (lib.full((3,), 2.0),),
                        has_aux=True)


@case(err("RuntimeError", "jvp(f, primals, tangents): Expected primals to be a tuple."))
def jvp_error_primals(lib):
    return lib.func.jvp(lambda x: x, x_(lib), x_(lib))


@case(err("RuntimeError", "Expected primals and tangents to have the same python structure. For "
                          "example, if primals is a tuple of 3 tensors, tangents also must be. "
                          "Got primals with structure TreeSpec(tuple, None, [*]) and tangents "
                          "with structure TreeSpec(tuple, None, [*,\n  *])"))
def jvp_error_structure(lib):
    return lib.func.jvp(lambda x: x, (x_(lib),), (x_(lib), x_(lib)))


@case(err("RuntimeError", "Tensor is of size [3] while the given forward gradient is of size [2]."))
def jvp_error_size(lib):
    return lib.func.jvp(lambda x: x, (x_(lib),), (lib.ones(2),))


@case(err("RuntimeError", "jvp(f, primals, tangents): expected f(*primals) to return only "
                          "tensors, got unsupported type <class 'int'>"))
def jvp_error_output(lib):
    return lib.func.jvp(lambda x: 3, (x_(lib),), (x_(lib),))


@case(err("RuntimeError", "jvp(f, primals, tangents): Expected primals to only contain Tensors, "
                          "got <class 'float'>"))
def jvp_error_primal_type(lib):
    return lib.func.jvp(lambda x: x, (3.0,), (x_(lib),))


@case(err("RuntimeError", "jvp(f, primals, tangents, strict=True): The output of f is "
                          "independent of the inputs."))
def jvp_error_strict(lib):
    return lib.func.jvp(lambda x: lib.ones(3), (x_(lib),), (x_(lib),), strict=True)


@case(((X * X, X), (2 * X, np.ones(3, np.float32))))
def linearize_tuple(lib):
    out, fn = lib.func.linearize(lambda x, y: (x * y, x), x_(lib), x_(lib))
    return out, fn(lib.ones(3), lib.ones(3))


@case(err("RuntimeError", "tangent:0 with shape torch.Size([2]) in flattened pytree doesn't match "
                          "the shape torch.Size([3]) of the corresponding primal."))
def linearize_error_shape(lib):
    return lib.func.linearize(lambda x: x.sin(), x_(lib))[1](lib.ones(2))


@case(err("RuntimeError", "Expected the tangents TreeSpec(tuple, None, [*]) to have the same "
                          "argspec as the primals TreeSpec(tuple, None, [*,\n  *])"))
def linearize_error_structure(lib):
    return lib.func.linearize(lambda x, y: x * y, x_(lib), x_(lib))[1](lib.ones(3))


# ---- jacobians -----------------------------------------------------------------------------------
@case({"a": 2 * np.eye(3, dtype=np.float32), "b": np.ones(3, np.float32)})
def jacrev_dict_output(lib):
    return lib.func.jacrev(lambda x: {"a": x * 2, "b": x.sum()})(x_(lib))


@case(((np.diag(X), np.diag(X)), (np.eye(3, dtype=np.float32), np.eye(3, dtype=np.float32))))
def jacrev_argnums_tuple_outputs(lib):
    return lib.func.jacrev(lambda x, y: (x * y, x + y), argnums=(0, 1))(x_(lib), x_(lib))


@case((np.ones(3, np.float32),))
def jacrev_argnums_one_tuple(lib):
    return lib.func.jacrev(lambda x: x.sum(), argnums=(0,))(x_(lib))


@case((2 * np.eye(3, dtype=np.float32), X))
def jacrev_has_aux(lib):
    return lib.func.jacrev(lambda x: (x * 2, x), has_aux=True)(x_(lib))


@case((1 - np.tanh(B @ X) ** 2)[:, None, None] * np.eye(4, dtype=np.float32)[:, :, None]
      * X[None, None, :])
def jacfwd_argnums(lib):
    return lib.func.jacfwd(lambda x, w: (w @ x).tanh(), argnums=1)(x_(lib), b_(lib))


@case((1 - np.tanh(B @ X) ** 2)[:, None, None] * np.eye(4, dtype=np.float32)[:, :, None]
      * X[None, None, :])
def jacrev_matrix_input(lib):
    return lib.func.jacrev(lambda w, x: (w @ x).tanh())(b_(lib), x_(lib))


@case(err("ValueError", "jacrev: `chunk_size` should be greater than 0."))
def jacrev_error_chunk(lib):
    return lib.func.jacrev(lambda x: x, chunk_size=0)(x_(lib))


@case(2 * np.eye(3, dtype=np.float32))
def jacrev_chunk_size_accepted(lib):
    return lib.func.jacrev(lambda x: x * 2, chunk_size=1)(x_(lib))


@case(np.diag(6 * X))
def hessian_cube(lib):
    return lib.func.hessian(lambda x: (x**3).sum())(x_(lib))


@case(((np.diag(6 * X * X), np.diag(3 * X**2)), (np.diag(3 * X**2), np.zeros((3, 3), np.float32))))
def hessian_argnums(lib):
    return lib.func.hessian(lambda x, y: (x**3 * y).sum(), argnums=(0, 1))(x_(lib), x_(lib))


def _f2(lib):
    def f(x):
        with lib.no_grad():
            y = x * x
        return (y * x).sum()

    return f


@case(np.diag(2 * X))  # jacfwd(jacrev): no_grad cuts the reverse level only
def hessian_no_grad_mixed(lib):
    return lib.func.hessian(_f2(lib))(x_(lib))


@case(np.diag(2 * X))
def jacrev_of_jacfwd_no_grad(lib):
    return lib.func.jacrev(lib.func.jacfwd(_f2(lib)))(x_(lib))


@case((X**2, 2 * X))  # forward-over-reverse
def jvp_of_grad_no_grad(lib):
    return lib.func.jvp(lib.func.grad(_f2(lib)), (x_(lib),), (lib.ones(3),))


@case(np.array([57.0, 78.0, 105.0], np.float32))  # reverse-over-forward, checked with torch
def grad_of_jvp_no_grad(lib):
    f2 = _f2(lib)
    return lib.func.grad(
        lambda x: lib.func.jvp(lambda x: x * f2(x), (x,), (lib.ones(3),))[1].sum())(x_(lib))


# ---- vmap ----------------------------------------------------------------------------------------
@case(B @ X)
def vmap_in_dims_none(lib):
    return lib.func.vmap(lambda r, x: (r * x).sum(), in_dims=(0, None))(b_(lib), x_(lib))


@case((B * 2, np.float32(B.sum())))
def vmap_out_dims_none(lib):
    def f(r, total):
        return r * 2, total

    return lib.func.vmap(f, in_dims=(0, None), out_dims=(0, None))(b_(lib), lib.tensor(B.sum()))


@case(B.T * 2)
def vmap_in_dim_1_out_dim_1(lib):
    return lib.func.vmap(lambda c: c * 2, in_dims=1, out_dims=1)(b_(lib).T)


@case(B.sum(0))
def vmap_negative_in_dim(lib):
    return lib.func.vmap(lambda c: c.sum(), in_dims=-1)(b_(lib))


@case([B + X, {"a": B * 2}])
def vmap_nested_in_dims_and_outputs(lib):
    def f(d):
        return [d["a"] + d["b"], {"a": d["a"] * 2}]

    return lib.func.vmap(f, in_dims=({"a": 0, "b": None},))({"a": b_(lib), "b": x_(lib)})


@case(B[:, :, None] * X[None, None, :])
def vmap_of_vmap(lib):
    return lib.func.vmap(lib.func.vmap(lambda a, x: a * x, in_dims=(0, None)),
                         in_dims=(0, None))(b_(lib), x_(lib))


@case(B * 5)
def vmap_kwargs_not_mapped(lib):
    return lib.func.vmap(lambda r, scale: r * scale)(b_(lib), scale=lib.tensor(5.0))


@case(np.ones(4, np.float32))
def vmap_unbatched_output_broadcast(lib):
    return lib.func.vmap(lambda r: lib.ones(()))(b_(lib))


@case(1.5)
def vmap_python_output_out_dims_none(lib):
    return lib.func.vmap(lambda r: 1.5, out_dims=None)(b_(lib))


@case(B.sum(1))
def vmap_chunk_size_accepted(lib):
    return lib.func.vmap(lambda r: r.sum(), chunk_size=1)(b_(lib))


@case(np.cos(B)[:, :, None] * np.eye(3, dtype=np.float32) * B.sum(1)[:, None, None]
      + np.sin(B)[:, :, None])
def vmap_of_jacrev(lib):
    return lib.func.vmap(lib.func.jacrev(lambda r: r.sin() * r.sum()))(b_(lib))


@case(err("ValueError", "vmap: Expected all tensors to have the same size in the mapped "
                        "dimension, got sizes [2, 3] for the mapped dimension"))
def vmap_error_sizes(lib):
    return lib.func.vmap(lambda a, b: a + b)(lib.ones(2), lib.ones(3))


@case(err("ValueError", "vmap(<lambda>, in_dims=0, ...)(<inputs>): Got in_dim=0 for an input but "
                        "the input is of type <class 'float'>. We cannot vmap over non-Tensor "
                        "arguments, please use None as the respective in_dim"))
def vmap_error_non_tensor(lib):
    return lib.func.vmap(lambda a, b: a * b)(lib.ones(2), 3.0)


@case(err("ValueError", "Got in_dim=0 for an input but the input is of type <class 'NoneType'>"))
def vmap_error_none_input(lib):
    return lib.func.vmap(lambda a, b: a)(lib.ones(2), None)


@case(err("ValueError", "in_dims is not compatible with the structure of `inputs`. in_dims has "
                        "structure TreeSpec(tuple, None, [*,\n  *]) but inputs has structure "
                        "TreeSpec(tuple, None, [*])."))
def vmap_error_in_dims_structure(lib):
    return lib.func.vmap(lambda x: x, in_dims=(0, 0))(lib.ones(2))


@case(err("ValueError", "Got in_dim=5 for some input, but that input is a Tensor of "
                        "dimensionality 1 so expected in_dim to satisfy -1 <= in_dim < 1."))
def vmap_error_in_dim_range(lib):
    return lib.func.vmap(lambda x: x, in_dims=5)(lib.ones(2))


@case(err("ValueError", "Got in_dim=1.5 for an input but in_dim must be either an integer "
                        "dimension or None."))
def vmap_error_in_dim_type(lib):
    return lib.func.vmap(lambda x: x, in_dims=(1.5,))(lib.ones(2))


@case(err("ValueError", "expected `in_dims` to be int or a (potentially nested) tuple matching the "
                        "structure of inputs, got: <class 'list'>."))
def vmap_error_in_dims_list(lib):
    return lib.func.vmap(lambda x: x, in_dims=[0])(lib.ones(2))


@case(err("ValueError", "vmap(<lambda>)(<inputs>): got no inputs."))
def vmap_error_no_inputs(lib):
    return lib.func.vmap(lambda: 1)()


@case(err("ValueError", "vmap: Expected at least one Tensor to vmap over"))
def vmap_error_nothing_mapped(lib):
    return lib.func.vmap(lambda x: x, in_dims=(None,))(lib.ones(2))


@case(err("ValueError", "vmap(<lambda>, ...): `<lambda>` can not return a BatchedTensor when "
                        "out_dim is None"))
def vmap_error_batched_out_dim_none(lib):
    return lib.func.vmap(lambda x: (x, x.sum()), out_dims=(None, None))(b_(lib))


@case(err("ValueError", "vmap(<lambda>, ...): `<lambda>` must only return Tensors, got type "
                        "<class 'int'>. Did you mean to set out_dims= to None for output?"))
def vmap_error_non_tensor_output(lib):
    return lib.func.vmap(lambda x: 3)(lib.ones(2))


@case(err("ValueError", "out_dims is not compatible with the structure of `outputs`. out_dims has "
                        "structure TreeSpec(tuple, None, [*,\n  *]) but outputs has structure *."))
def vmap_error_out_dims_structure(lib):
    return lib.func.vmap(lambda x: x, out_dims=(0, 0))(lib.ones(2))


@case(err("IndexError", "Dimension out of range (expected to be in range of [-1, 0], but got 3)"))
def vmap_error_out_dim_range(lib):
    return lib.func.vmap(lambda x: x, out_dims=3)(lib.ones(2))


@case(err("RuntimeError", "Only allowed values for randomness are 'error', 'different', or "
                          "'same'. Got foo"))
def vmap_error_randomness(lib):
    return lib.func.vmap(lambda x: x, randomness="foo")(lib.ones(2))


@case(err("ValueError", "vmap: chunk_size should be None or greater than 0. (got 0)"))
def vmap_error_chunk_size(lib):
    return lib.func.vmap(lambda x: x, chunk_size=0)(lib.ones(2))


# ---- functional_call -----------------------------------------------------------------------------
def make_module(lib):
    """A module with a parameter ``w``, a tied alias ``w2``, a buffer ``b`` and a submodule
    parameter ``sub.v``: an nn.Module in torch, a duck-typed object here (no nn yet)."""
    w0, v0, b0 = [1.0, 2.0, 3.0], [0.25, 0.25, 0.25], [0.5, 0.5, 0.5]
    if lib is T:
        class Sub:
            def __init__(self):
                self.v = T.tensor(v0, requires_grad=True)

        class Affine:
            def __init__(self):
                self.w = T.tensor(w0, requires_grad=True)
                self.w2 = self.w
                self.b = T.tensor(b0)
                self.sub = Sub()

            def named_parameters(self, remove_duplicate=True):
                out = [("w", self.w), ("sub.v", self.sub.v)]
                return out + ([] if remove_duplicate else [("w2", self.w2)])

            def named_buffers(self, remove_duplicate=True):
                return [("b", self.b)]

            def __call__(self, x, shift=0.0):
                return self.w * x + self.w2 + self.b + self.sub.v + shift

        return Affine()
    nn = lib.nn

    class Sub(nn.Module):  # noqa: F811 - the torch flavour of the same module
        def __init__(self):
            super().__init__()
            self.v = nn.Parameter(lib.tensor(v0))

    class Affine(nn.Module):  # noqa: F811
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(lib.tensor(w0))
            self.w2 = self.w
            self.register_buffer("b", lib.tensor(b0))
            self.sub = Sub()

        def forward(self, x, shift=0.0):
            return self.w * x + self.w2 + self.b + self.sub.v + shift

    return Affine()


W0 = np.array([1.0, 2.0, 3.0], np.float32)


@case((np.float32(0.0) * X + 0 + 0.5 + 0.25, 2.0, W0))
def functional_call_tied_and_restored(lib):
    m = make_module(lib)
    out = lib.func.functional_call(m, {"w": lib.zeros(3)}, (x_(lib),))
    return out.detach(), float(m.w.detach().sum().item()) / 3, m.w.detach()


@case(W0 * X + W0 + 0.5 + 0.25 + 1)
def functional_call_untied_kwargs(lib):
    m = make_module(lib)
    return lib.func.functional_call(m, {"b": lib.full((3,), 0.5)}, x_(lib), {"shift": 1.0},
                                    tie_weights=False).detach()


@case((np.ones(3, np.float32), {"w": X + 1, "sub.v": np.ones(3, np.float32)}))
def functional_call_grad_wrt_params(lib):
    m = make_module(lib)
    params = {"w": lib.ones(3), "sub.v": lib.zeros(3)}
    gx = lib.func.grad(lambda x, p: lib.func.functional_call(m, p, (x,)).sum())(x_(lib), params)
    gp = lib.func.grad(lambda p, x: lib.func.functional_call(m, p, (x,)).sum())(params, x_(lib))
    return gx, gp


@case(err("RuntimeError", "Error(s) in reparametrizing for Affine:\n\tUnexpected key(s): 'foo'.\n"
                          "\tMissing key(s): 'b', 'sub.v'."))
def functional_call_strict(lib):
    m = make_module(lib)
    return lib.func.functional_call(m, {"w": lib.zeros(3), "foo": lib.zeros(3)}, x_(lib),
                                    strict=True)


@case(err("ValueError", "['w'] appeared in multiple dictionaries; behavior of functional call is "
                        "ambiguous"))
def functional_call_repeated_keys(lib):
    m = make_module(lib)
    return lib.func.functional_call(m, ({"w": lib.zeros(3)}, {"w": lib.ones(3)}), x_(lib))


@case(err("ValueError", "functional_call got multiple values for keys ['w', 'w2'], which are "
                        "tied. Consider using tie_weights=False"))
def functional_call_tied_conflict(lib):
    m = make_module(lib)
    return lib.func.functional_call(m, {"w": lib.zeros(3), "w2": lib.ones(3)}, x_(lib))


@case((X + 1.25,))
def functional_call_tuple_of_dicts(lib):
    m = make_module(lib)
    return (lib.func.functional_call(m, ({"w": lib.ones(3)}, {"b": lib.zeros(3)}), x_(lib))
            .detach(),)


# ---- the two runs of every case ------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CASES))
def test_expected(name):
    fn, expected = CASES[name]
    if callable(expected):
        expected = expected()
    expect(norm(run(fn, T)), expected)


@pytest.mark.torch_live
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn, _ = CASES[name]
    same(norm(run(fn, T)), norm(run(fn, torch)))


# ---- what only this package has ------------------------------------------------------------------
def test_functional_call_plain_callable_and_write_back():
    params = {"w": T.tensor([2.0, 2.0, 2.0])}
    out = T.func.functional_call(lambda p, x: p["w"] * x, params, (T.tensor(X.tolist()),))
    np.testing.assert_allclose(out.numpy(), 2 * X)

    class Counter:  # a module that rebinds its buffer during the call (torch writes it back)
        def __init__(self):
            self.n = T.tensor(0.0)

        def named_buffers(self):
            return [("n", self.n)]

        def __call__(self):
            self.n = self.n + 1
            return self.n

    m = Counter()
    given = {"n": T.tensor(10.0)}
    assert T.func.functional_call(m, given).item() == 11.0
    assert m.n.item() == 0.0 and given["n"].item() == 11.0


def test_results_are_plain_tensors_and_inputs_untouched():
    x = T.tensor(X.tolist(), requires_grad=True)
    g = T.func.grad(lambda x: (x**2).sum())(x)
    assert g.grad_fn is None and not g.requires_grad
    assert x.grad is None and x.requires_grad and x.is_leaf
    out, fn = T.func.vjp(lambda x: x.exp(), x)
    assert out.grad_fn is None
    assert fn(T.ones(3))[0].grad_fn is None


def test_no_level_left_behind_after_errors():
    from torchlike_jax.core import transforms as _transforms

    with pytest.raises(RuntimeError):
        T.func.grad(lambda x: x * 2)(T.tensor(X.tolist()))
    with pytest.raises(ValueError):
        T.func.vmap(lambda x: 3)(T.ones(2))
    assert _transforms.state.levels == () and _transforms.state.rev == 0
    assert T.is_grad_enabled()
    with T.no_grad():
        T.func.grad(lambda x: (x**2).sum())(T.tensor(X.tolist()))
        assert not T.is_grad_enabled()


def test_torch_func_and_vmap_aliases():
    assert T.func.vmap is not None and callable(T.func.grad)
    assert set(T.func.__all__) >= {"grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd",
                                   "hessian", "vmap", "linearize", "functional_call"}
