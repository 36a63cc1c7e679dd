"""``torch.autograd.backward`` and ``torch.autograd.grad``: argument checks, then the engine.

The checks and messages mirror torch's, because scripts and tests key on them: implicit
gradients only for scalar outputs, outputs that do not require grad, inputs that were not used.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .._dtypes import _BY_NP
from .._size import Size
from ..core.graph import AccumulateGrad, grad_accumulator
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from ..core.warn_always import warn_once
from . import engine
from .batched_grad import run_batched
from .gradient_edge import GradientEdge


def _as_tuple(x: Any) -> tuple:

    if x is None:
        return ()
    if isinstance(x, (Tensor, GradientEdge)):
        return (x,)
    if type(x) is dict:
        return tuple(x.values())
    return tuple(x)


def _out_meta(out: Any, i: int) -> tuple:
    """(shape, numpy dtype, root edge) of an output: a tensor or a :class:`GradientEdge`."""
    if isinstance(out, GradientEdge):
        shape, dt = out.node.out_avals[out.output_nr]
        return Size(shape), dt, (out.node, out.output_nr)
    if not isinstance(out, Tensor):
        raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                        f"{type(out).__name__}")
    if not out._requires_grad:
        raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                           "a grad_fn")
    return out.shape, array_of(out).dtype, _root_edge(out)


def _roots_and_grads(outputs: tuple, grad_outputs: tuple, create_graph: bool,
                     batched: bool = False):

    if grad_outputs and len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one gradient per output: got {len(grad_outputs)} "
                           f"gradients for {len(outputs)} outputs")
    roots, grads = [], []
    for i, out in enumerate(outputs):
        shape, np_dt, root = _out_meta(out, i)
        g = grad_outputs[i] if grad_outputs else None
        if g is None:
            if any(d != 1 for d in shape):
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            dt = _BY_NP[np_dt]
            if not dt.is_floating_point:  # complex too: torch wants a real scalar
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {dt}")
            g_arr = np.ones(shape, np_dt)  # host constant: no device op
            g = Tensor._wrap(jnp.asarray(g_arr)) if create_graph else g_arr
        else:
            if not isinstance(g, Tensor):
                g = Tensor._wrap(jnp.asarray(g, np_dt))
            g_shape = g.shape[1:] if batched else g.shape
            if g_shape != shape:
                _shape_mismatch(i, g, shape, batched, isinstance(out, GradientEdge))
            if (g.dtype.is_complex) != (np.dtype(np_dt).kind == "c"):
                raise RuntimeError(
                    "For complex Tensors, both grad_output and output are required to have the "
                    f"same dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} "
                    f"and output[{i}] has a dtype of {_BY_NP[np_dt]}.")
            if not create_graph:
                g = array_of(g)
                if g.dtype != np_dt:
                    g = g.astype(np_dt)
        roots.append(root)
        grads.append(g)
    return roots, grads


def _shape_mismatch(i: int, g: Tensor, shape: Size, batched: bool, edge: bool) -> None:
    """torch's error for a ``grad_outputs`` entry of the wrong shape."""
    if not batched:
        raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                           f"{g.shape} and output[{i}] has a shape of {shape}.")
    if edge:
        raise RuntimeError("Batched grads are not supported with GradientEdge")
    # torch drops the batch dimension twice when it reports the grad's shape
    raise RuntimeError(
        "If `is_grads_batched=True`, we interpret the first dimension of each grad_output as "
        "the batch dimension. The sizes of the remaining dimensions are expected to match the "
        "shape of corresponding output, but a mismatch was detected: grad_output["
        f"{i}] has a shape of {Size(g.shape[2:])} and output[{i}] has a shape of {shape}. "
        "If you only want some tensors in `grad_output` to be considered batched, consider "
        "using vmap.")


def _root_edge(t) -> tuple:
    if t._grad_fn is not None:
        return (t._grad_fn, t._output_nr)
    return (grad_accumulator(t), 0)


def _input_edge(t, i: int) -> tuple:
    if isinstance(t, GradientEdge):
        return (t.node, t.output_nr)
    if not t._requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    return _root_edge(t)


_CYCLE_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter "
    "and its gradient which can cause a memory leak. We recommend using autograd.grad when "
    "creating the graph to avoid this. If you have to use this function, make sure to reset the "
    ".grad fields of your parameters to None after use to break the cycle and avoid the leak.")
def _warn_create_graph_cycle() -> None:
    """torch warns once per process (TORCH_WARN_ONCE) when backward() builds a graph of grads."""
    warn_once("create_graph_cycle", _CYCLE_WARNING, stacklevel=3)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None,
             inputs: Any = None) -> None:
    """Sum d(tensors)/d(leaves) into the leaves' ``.grad`` (or only into ``inputs``)."""
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors if grad_tensors is not None else grad_variables)
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = _roots_and_grads(outputs, grads, create_graph)
    if create_graph:
        _warn_create_graph_cycle()
    only = None
    capture = None
    ins = _as_tuple(inputs)
    if inputs is not None:
        if not ins:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        only = set()
        capture = []
        for i, t in enumerate(ins):
            edge = _input_edge(t, i)
            if isinstance(edge[0], AccumulateGrad):
                only.add(edge[0])
            else:
                capture.append(edge)
    # torch calls retain_grad() on a non-leaf tensor input: its .grad is kept by that hook (now
    # and in later backward calls); a GradientEdge has no tensor and keeps its gradient nowhere
    for t in ins:
        if isinstance(t, Tensor) and t._grad_fn is not None:
            t.retain_grad()
    engine.run(roots, root_grads, engine._Targets(True, capture, only), retain_graph,
               create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""

    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads="
                         "True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if retain_graph is None:
        retain_graph = create_graph
    roots, root_grads = _roots_and_grads(outs, _as_tuple(grad_outputs), create_graph,
                                         is_grads_batched)
    capture = [_input_edge(t, i) for i, t in enumerate(ins)]

    def run_one(gos: list, retain: bool) -> list:
        return engine.run(roots, gos, engine._Targets(False, capture, None), retain,
                          create_graph)

    if is_grads_batched:
        got = run_batched(run_one, root_grads, retain_graph, create_graph)
    else:
        got = run_one(root_grads, retain_graph)
    result = []
    for i, (t, g) in enumerate(zip(ins, got, strict=True)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads and isinstance(t, GradientEdge):
                raise RuntimeError("materialize_grads cannot be used when the given input is a "
                                   "GradientEdge")
            # torch's zeros_like(input, requires_grad=create_graph): a leaf a later grad sees
            result.append(Tensor._wrap(jnp.zeros(t.shape, array_of(t).dtype))
                          .requires_grad_(create_graph) if materialize_grads else None)
        else:
            g = g if isinstance(g, Tensor) else Tensor._wrap(jnp.asarray(g))
            if isinstance(t, Tensor) and t._grad_fn is None:  # a leaf's set grad_dtype casts
                want = t._effective_grad_dtype()
                if want is not None and want is not g.dtype:
                    g = g.to(want)
            result.append(g)
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result, strict=True))
    return tuple(result)
