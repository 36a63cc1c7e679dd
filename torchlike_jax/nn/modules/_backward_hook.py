"""Full backward hooks of modules, on the autograd engine's node hooks.

Why an identity ``autograd.Function``: a module's forward may record any number of nodes, so
there is no single node whose gradients are "the module's". As torch does, the module's tensor
inputs and outputs each pass through one identity function (``BackwardHookFunction``, whose
node shows as ``BackwardHookFunctionBackward``); a post-hook on the outputs' node sees the
gradients w.r.t. the outputs (and runs the backward pre-hooks, which may replace them), a
post-hook on the inputs' node sees the gradients w.r.t. the inputs and runs the user hooks,
which may replace those. The hooks are user Python at concrete tensors, once per backward.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from ... import _creation
from ...autograd.function import Function
from ...core import grad_mode
from ...core.tensor import Tensor

__all__ = ["BackwardHook", "BackwardHookFunction"]


class BackwardHookFunction(Function):
    """Identity on its tensor arguments; those that do not require grad stay non-differentiable."""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> tuple:
        ctx.mark_non_differentiable(*[a for a in args if not a.requires_grad])
        return args

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> tuple:
        return grads


def _pack_with_none(indices: list, values: tuple, size: int) -> tuple:
    out: list = [None] * size
    for i, v in zip(indices, values, strict=False):
        out[i] = v
    return tuple(out)


def _unpack_none(indices: list, values: tuple) -> tuple:
    return tuple(values[i] for i in indices)


class BackwardHook:
    """One module call's hook state: set up on the inputs, then on the outputs."""

    def __init__(self, module: Any, user_hooks: list, user_pre_hooks: list) -> None:
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_outputs = -1
        self.output_tensors_index: list | None = None
        self.n_inputs = -1
        self.input_tensors_index: list | None = None
        self.input_avals: list = []  # (shape, dtype) of the tensor inputs: materialised zeros

    def _apply_on_tensors(self, fn: Callable, args: tuple) -> tuple[tuple, list | None]:
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        tensors = [args[i] for i in idx]
        if not (grad_mode.is_grad_enabled() and any(t.requires_grad for t in tensors)):
            return args, None
        new = BackwardHookFunction.apply(*tensors)
        grad_fns = [t.grad_fn for t in new if t.grad_fn is not None
                    and t.grad_fn.name() == "BackwardHookFunctionBackward"]
        if not grad_fns:
            raise RuntimeError("Error while setting up backward hooks. Please open an issue with "
                               "a code sample to reproduce this.")
        fn(grad_fns[0])
        out = list(args)
        for i, t in zip(idx, new, strict=True):
            out[i] = t
        return tuple(out), idx

    def _input_node_hook(self, grad_fn: Any) -> None:
        def hook(grad_input: tuple, _grad_output: tuple) -> tuple | None:
            if self.grad_outputs is None:  # reached without going through the outputs
                return None
            # torch's identity node materialises missing gradients as zeros, and its backward
            # returns them for every input, even one that needs no gradient
            grad_input = tuple(_creation.zeros(shape, dtype=dtype) if g is None else g
                               for g, (shape, dtype) in zip(grad_input, self.input_avals,
                                                            strict=True))
            res = _pack_with_none(self.input_tensors_index or [], grad_input, self.n_inputs)
            for user_hook in self.user_hooks:
                out = user_hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return _unpack_none(self.input_tensors_index or [], res)

        grad_fn.register_hook(hook)

    def setup_input_hook(self, args: tuple) -> tuple:
        self.input_avals = [(tuple(a.shape), a.dtype) for a in args if isinstance(a, Tensor)]
        res, idx = self._apply_on_tensors(self._input_node_hook, args)
        self.n_inputs = len(args)
        self.input_tensors_index = idx
        return res

    def _output_node_hook(self, grad_fn: Any) -> None:
        def hook(_grad_input: tuple, grad_output: tuple) -> tuple | None:
            self.grad_outputs = _pack_with_none(self.output_tensors_index or [], grad_output,
                                                self.n_outputs)
            if self.user_pre_hooks:
                expected = len(self.grad_outputs)
                for pre_hook in self.user_pre_hooks:
                    got = pre_hook(self.module, self.grad_outputs)
                    if got is None:
                        continue
                    if len(got) != expected:
                        raise RuntimeError("Backward pre hook returned an invalid number of "
                                           f"grad_output, got {len(got)}, but expected "
                                           f"{expected}")
                    self.grad_outputs = got
            local = self.grad_outputs
            if self.input_tensors_index is None:
                warnings.warn("Full backward hook is firing when gradients are computed with "
                              "respect to module outputs since no inputs require gradients. See "
                              "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                              "#torch.nn.Module.register_full_backward_hook for more details.",
                              stacklevel=2)
                grad_inputs = _pack_with_none([], (), self.n_inputs)
                for user_hook in self.user_hooks:
                    res = user_hook(self.module, grad_inputs, self.grad_outputs)
                    if res is not None and not (isinstance(res, tuple)
                                                and all(el is None for el in res)):
                        raise RuntimeError("Backward hook for Modules where no input requires "
                                           "gradient should always return None or None for "
                                           "all gradients.")
                self.grad_outputs = None
            if local is None:
                return None
            return _unpack_none(self.output_tensors_index or [], local)

        grad_fn.register_hook(hook)

    def setup_output_hook(self, result: Any) -> Any:
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, idx = self._apply_on_tensors(self._output_node_hook, args)
        self.n_outputs = len(args)
        self.output_tensors_index = idx
        return res if is_tuple else res[0]
