"""``torch.autograd.functional``: jacobian, hessian, vjp, jvp, hvp, vhp.

Each case is written once against the torch API (``lib`` is ``torchlike_jax`` or real torch) and
runs against a closed-form numpy expectation (always) and against real torch 2.13 when it is
installed: the same tuple nesting for single vs several inputs/outputs, values, dtypes,
``requires_grad``/``grad_fn`` presence, or the same exception class and message.
"""

from __future__ import annotations

import numpy as np
import pytest

import torchlike_jax as T
from tests.support.func_harness import Tracked, case_registry, err, expect, norm, run, same

CASES: dict = {}
case = case_registry(CASES)

X = np.array([1.0, 2.0, 3.0], np.float32)
Y = np.array([4.0, 5.0], np.float32)
I3 = np.eye(3, dtype=np.float32)
Z32 = np.zeros((3, 2), np.float32)


def x_(lib, requires_grad=False):
    return lib.tensor(X.tolist(), requires_grad=requires_grad)


def y_(lib):
    return lib.tensor(Y.tolist())


def AF(lib):  # noqa: N802 - torch's module
    return lib.autograd.functional


# ---- jacobian: output structure ------------------------------------------------------------------
@case(2 * I3)
def jac_single(lib):
    return AF(lib).jacobian(lambda x: x * 2, x_(lib))


@case((2 * I3,))
def jac_tuple_output(lib):
    return AF(lib).jacobian(lambda x: (x * 2,), x_(lib))


@case((2 * I3,))
def jac_tuple_input(lib):
    return AF(lib).jacobian(lambda x: x * 2, (x_(lib),))


@case(((np.tile(Y[:, None], (1, 3)), np.diag(np.full(2, X.sum(), np.float32))),
       (I3, Z32)))
def jac_multi(lib):
    return AF(lib).jacobian(lambda x, y: (x.sum() * y, x), (x_(lib), y_(lib)))


@case((np.diag(np.cos(X)), Z32))
def jac_unused_input_zeros(lib):
    return AF(lib).jacobian(lambda x, y: x.sin(), (x_(lib), y_(lib)))


@case(np.zeros((2, 3), np.float32))
def jac_constant_output(lib):
    return AF(lib).jacobian(lambda x: lib.ones(2), x_(lib))


@case(np.diag(np.cos(X) * X + np.sin(X)))
def jac_vectorize(lib):
    return AF(lib).jacobian(lambda x: x.sin() * x, x_(lib), vectorize=True)


@case(np.diag(np.cos(X) * X + np.sin(X)))
def jac_forward_mode(lib):
    return AF(lib).jacobian(lambda x: x.sin() * x, x_(lib), vectorize=True, strategy="forward-mode")


@case([[np.tile(Y[:, None], (1, 3)), np.diag(np.full(2, X.sum(), np.float32))],
       [I3, Z32]])  # lists: torch's forward-mode path builds its result from lists
def jac_forward_mode_multi(lib):
    return AF(lib).jacobian(lambda x, y: (x.sum() * y, x), (x_(lib), y_(lib)), vectorize=True,
                            strategy="forward-mode")


def _g(lib):
    def g(x):
        with lib.no_grad():
            y = x * 2
        return y * x

    return g


@case(np.diag(2 * X))  # reverse mode: the no_grad block is a constant
def jac_no_grad_inside(lib):
    return AF(lib).jacobian(_g(lib), x_(lib))


@case(np.diag(4 * X))  # forward mode sees through no_grad (torch's forward AD does)
def jac_no_grad_inside_forward_mode(lib):
    return AF(lib).jacobian(_g(lib), x_(lib), vectorize=True, strategy="forward-mode")


@case((2 * X**2, 2 * X))  # double-backward trick: reverse semantics
def jvp_no_grad_inside(lib):
    return AF(lib).jvp(_g(lib), x_(lib), lib.ones(3))


@case((2 * I3, False))
def jac_under_no_grad(lib):
    with lib.no_grad():
        j = AF(lib).jacobian(lambda x: x * 2, x_(lib))
        return j, lib.is_grad_enabled()


# ---- jacobian: create_graph ----------------------------------------------------------------------
@case((Tracked(np.diag(X)), X * 0 + 1))  # d/dw sum(diag(w)) through the captured parameter
def jac_create_graph_captured_param(lib):
    w = x_(lib, requires_grad=True)
    j = AF(lib).jacobian(lambda x: x * w, x_(lib), create_graph=True)
    j.sum().backward()
    return j, w.grad


@case((np.diag(X), None))
def jac_without_create_graph_is_constant(lib):
    w = x_(lib, requires_grad=True)
    j = AF(lib).jacobian(lambda x: x * w, x_(lib))
    return j, w.grad


@case((Tracked(np.diag(3 * X**2)), 6 * X))  # the input's own history stays connected
def jac_create_graph_input_history(lib):
    x = x_(lib, requires_grad=True)
    j = AF(lib).jacobian(lambda x: x**3, x, create_graph=True)
    j.sum().backward()
    return j, x.grad


@case((np.diag(6 * X), Tracked(np.diag(6 * X))))
def hessian_create_graph(lib):
    f = lambda x: (x**3).sum()  # noqa: E731
    return AF(lib).hessian(f, x_(lib)), AF(lib).hessian(f, x_(lib), create_graph=True)


# ---- jacobian: errors ----------------------------------------------------------------------------
@case(err("RuntimeError", "Output 0 of the user-provided function is independent of input 1. This "
                          "is not allowed in strict mode."))
def jac_strict_independent(lib):
    return AF(lib).jacobian(lambda x, y: x * 2, (x_(lib), y_(lib)), strict=True)


@case(err("RuntimeError", "Output 0 of the user-provided function does not require gradients. The "
                          "outputs must be computed in a differentiable manner from the input "
                          "when running in strict mode."))
def jac_strict_no_grad_output(lib):
    return AF(lib).jacobian(lambda x: lib.ones(2), x_(lib), strict=True)


@case(err("RuntimeError", "`strict=True` and `vectorized=True` are not supported together."))
def jac_strict_vectorize(lib):
    return AF(lib).jacobian(lambda x: x * 2, x_(lib), vectorize=True, strict=True)


@case(err("NotImplementedError", "Computing Jacobian using forward-AD or forward-over-reverse "
                                 "Hessian isonly implemented for `vectorize=True`."))
def jac_forward_mode_needs_vectorize(lib):
    return AF(lib).jacobian(lambda x: x * 2, x_(lib), strategy="forward-mode")


@case(err("NotImplementedError", "`create_graph=True` and `strategy=\"forward-mode\"` are not "
                                 "supported together (yet)."))
def jac_forward_mode_create_graph(lib):
    return AF(lib).jacobian(lambda x: x * 2, x_(lib), vectorize=True, strategy="forward-mode",
                            create_graph=True)


@case(err("RuntimeError", "`strict=True` and `strategy=\"forward-mode\"` are not supported "
                          "together (yet)."))
def jac_forward_mode_strict(lib):
    return AF(lib).jacobian(lambda x: x * 2, x_(lib), vectorize=True, strategy="forward-mode",
                            strict=True)


@case(err("AssertionError", 'Expected strategy to be either "forward-mode" or "reverse-mode".'))
def jac_bad_strategy(lib):
    return AF(lib).jacobian(lambda x: x * 2, x_(lib), strategy="foo")


@case(err("TypeError", "The inputs given to jacobian must be either a Tensor or a tuple of Tensors "
                       "but the given inputs has type <class 'list'>."))
def jac_inputs_list(lib):
    return AF(lib).jacobian(lambda x: x * 2, [x_(lib)])


@case(err("TypeError", "The inputs given to jacobian must be either a Tensor or a tuple of Tensors "
                       "but the value at index 1 has type <class 'float'>."))
def jac_inputs_tuple_with_float(lib):
    return AF(lib).jacobian(lambda x, y: x * 2, (x_(lib), 3.0))


@case(err("TypeError", "The outputs of the user-provided function given to jacobian must be "
                       "either a Tensor or a tuple of Tensors but the given outputs of the "
                       "user-provided function has type <class 'list'>."))
def jac_output_list(lib):
    return AF(lib).jacobian(lambda x: [x, x], x_(lib))


# ---- hessian -------------------------------------------------------------------------------------
@case(np.diag(6 * X))
def hessian_single(lib):
    return AF(lib).hessian(lambda x: (x**3).sum(), x_(lib))


@case(((np.diag(6 * X * Y.sum()), np.tile((3 * X**2)[:, None], (1, 2))),
       (np.tile((3 * X**2)[None, :], (2, 1)), np.zeros((2, 2), np.float32))))
def hessian_tuple(lib):
    return AF(lib).hessian(lambda x, y: (x**3).sum() * y.sum(), (x_(lib), y_(lib)))


@case(np.diag(-np.sin(X) * X + 2 * np.cos(X)))
def hessian_forward_over_reverse(lib):
    return AF(lib).hessian(lambda x: (x.sin() * x).sum(), x_(lib), vectorize=True,
                           outer_jacobian_strategy="forward-mode")


@case(err("RuntimeError", "The Tensor returned by the function given to hessian should contain a "
                          "single element"))
def hessian_not_scalar(lib):
    return AF(lib).hessian(lambda x: x**3, x_(lib))


@case(err("RuntimeError", "The function given to hessian should return a single Tensor"))
def hessian_tuple_output(lib):
    return AF(lib).hessian(lambda x: ((x**3).sum(),), x_(lib))


# ---- vjp / jvp -----------------------------------------------------------------------------------
@case((2 * X, np.full(3, 2.0, np.float32)))
def vjp_single(lib):
    return AF(lib).vjp(lambda x: x * 2, x_(lib), lib.ones(3))


@case((np.float32(2 * X.sum()), np.full(3, 2.0, np.float32)))
def vjp_scalar_without_v(lib):
    return AF(lib).vjp(lambda x: x.sum() * 2, x_(lib))


@case(((2 * X, Y), (np.full(3, 2.0, np.float32), np.full(2, 3.0, np.float32))))
def vjp_tuples(lib):
    return AF(lib).vjp(lambda x, y: (x * 2, y), (x_(lib), y_(lib)),
                       (lib.ones(3), lib.full((2,), 3.0)))


@case((Tracked(X**2), Tracked(2 * X)))
def vjp_create_graph(lib):
    return AF(lib).vjp(lambda x: x**2, x_(lib, requires_grad=True), lib.ones(3), create_graph=True)


@case(err("RuntimeError", "The vector v can only be None if the user-provided function returns a "
                          "single Tensor with a single element."))
def vjp_v_required(lib):
    return AF(lib).vjp(lambda x: x * 2, x_(lib))


@case(err("RuntimeError", "v has invalid size: should be torch.Size([3]) but got "
                          "torch.Size([2])."))
def vjp_v_size(lib):
    return AF(lib).vjp(lambda x: x * 2, x_(lib), lib.ones(2))


@case(err("RuntimeError", "v is a tuple of invalid length: should be 2 but got 1."))
def vjp_v_length(lib):
    return AF(lib).vjp(lambda x, y: (x * 2, y), (x_(lib), y_(lib)), (lib.ones(3),))


@case(err("RuntimeError", "Entry 1 in v has invalid size: should be torch.Size([2]) but got "
                          "torch.Size([3])."))
def vjp_v_entry_size(lib):
    return AF(lib).vjp(lambda x, y: (x * 2, y), (x_(lib), y_(lib)), (lib.ones(3), lib.ones(3)))


@case(err("RuntimeError", "The output of the user-provided function is independent of input 1. "
                          "This is not allowed in strict mode."))
def vjp_strict(lib):
    return AF(lib).vjp(lambda x, y: x * 2, (x_(lib), y_(lib)), lib.ones(3), strict=True)


@case(((2 * X, np.float32(Y.sum())), (np.full(3, 2.0, np.float32), np.float32(2.0))))
def jvp_tuples(lib):
    return AF(lib).jvp(lambda x, y: (x * 2, y.sum()), (x_(lib), y_(lib)),
                       (lib.ones(3), lib.ones(2)))


@case((np.exp(X), np.exp(X) * 3))
def jvp_single(lib):
    return AF(lib).jvp(lambda x: x.exp(), x_(lib), lib.full((3,), 3.0))


@case(err("RuntimeError", "Output 0 of the user-provided function does not require gradients."))
def jvp_strict_detached(lib):
    return AF(lib).jvp(lambda x: x.detach() * 2, x_(lib), lib.ones(3), strict=True)


@case(err("RuntimeError", "The vector v can only be None if the input to the user-provided "
                          "function is a single Tensor with a single element."))
def jvp_v_required(lib):
    return AF(lib).jvp(lambda x: x * 2, x_(lib))


# ---- hvp / vhp -----------------------------------------------------------------------------------
@case((np.float32((X**3).sum()), 6 * X * np.array([1.0, -1.0, 2.0], np.float32)))
def hvp_single(lib):
    return AF(lib).hvp(lambda x: (x**3).sum(), x_(lib), lib.tensor([1.0, -1.0, 2.0]))


@case((np.float32((X**3).sum()), 6 * X * np.array([1.0, -1.0, 2.0], np.float32)))
def vhp_single(lib):
    return AF(lib).vhp(lambda x: (x**3).sum(), x_(lib), lib.tensor([1.0, -1.0, 2.0]))


@case((np.float32((X**2).sum() * Y.sum()), (2 * Y.sum() + 2 * X * 2, np.full(2, 2 * X.sum(),
                                                                             np.float32))))
def hvp_tuple(lib):
    return AF(lib).hvp(lambda x, y: (x**2).sum() * y.sum(), (x_(lib), y_(lib)),
                       (lib.ones(3), lib.ones(2)))


@case((np.float32((X**2).sum() * Y.sum()), (2 * Y.sum() + 2 * X * 2, np.full(2, 2 * X.sum(),
                                                                             np.float32))))
def vhp_tuple(lib):
    return AF(lib).vhp(lambda x, y: (x**2).sum() * y.sum(), (x_(lib), y_(lib)),
                       (lib.ones(3), lib.ones(2)))


@case((Tracked(np.float32((X**3).sum())), Tracked(6 * X)))
def hvp_create_graph(lib):
    return AF(lib).hvp(lambda x: (x**3).sum(), x_(lib, requires_grad=True), lib.ones(3),
                       create_graph=True)


@case(err("RuntimeError", "The Tensor returned by the function given to hvp should contain a "
                          "single element"))
def hvp_not_scalar(lib):
    return AF(lib).hvp(lambda x: x**3, x_(lib), lib.ones(3))


@case(err("RuntimeError", "The function given to vhp should return a single Tensor"))
def vhp_tuple_output(lib):
    return AF(lib).vhp(lambda x: ((x**3).sum(),), x_(lib), lib.ones(3))


# ---- the two runs of every case ------------------------------------------------------------------
@pytest.mark.parametrize("name", list(CASES))
def test_expected(name):
    fn, expected = CASES[name]
    expect(norm(run(fn, T)), expected() if callable(expected) else expected)


# torch's forward-mode results stay on its autograd tape (forward AD composes with backward AD:
# a hessian by forward-over-reverse even carries a grad_fn leading nowhere); here results of the
# JAX-transform path are plain tensors, so only values and structure are compared.
VALUES_ONLY = {"hessian_forward_over_reverse"}


@pytest.mark.torch_live
@pytest.mark.parametrize("name", list(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    fn, _ = CASES[name]
    same(norm(run(fn, T)), norm(run(fn, torch)), flags=name not in VALUES_ONLY)


# ---- a constant derivative under create_graph: torch's strict check fires ------------------------
@pytest.mark.torch_live
def test_constant_derivative_under_create_graph():
    torch = pytest.importorskip("torch")

    def fn(lib):
        return AF(lib).jacobian(lambda x: x * 2, x_(lib), create_graph=True, strict=True)

    same(norm(run(fn, T)), norm(run(fn, torch)))


def test_module_attribute_and_grad_mode_restored():
    assert T.autograd.functional.jacobian is not None
    import torchlike_jax.autograd.functional as F

    assert F is T.autograd.functional
    assert set(F.__all__) == {"vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"}
    with pytest.raises(RuntimeError):
        F.vjp(lambda x: x * 2, T.tensor([1.0, 2.0]))
    assert T.is_grad_enabled()
