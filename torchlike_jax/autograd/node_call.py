"""Calling a node directly: ``y.grad_fn(grad)`` returns the gradients of its inputs.

torch lets user code run one node's backward by hand (``grad_fn(*grad_outputs)``): one gradient
per output in, one per input out (None where the input needs none; a single input gives a bare
tensor), differentiable when grad mode is on, and ``AccumulateGrad`` accumulating into its leaf.
It is the same step the engine runs for the node on its per-node path: the node's cached vjp,
or, with grad mode on, the recorded vjp that ``create_graph`` uses.
"""

from __future__ import annotations

from typing import Any

from .._dtypes import _BY_NP
from ..core import grad_mode
from ..core.graph import AccumulateGrad, Node
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from . import engine


def _grad_arrays(node: Node, grads: tuple) -> list:
    out = []
    for k, g in enumerate(grads):
        if g is None:
            out.append(None)
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"expected Tensor as argument {k}, but got {type(g).__name__}")
        shape, dt = node.out_avals[k]
        if tuple(g.shape) != tuple(shape):
            raise RuntimeError(f"Function {node.name()} got a gradient of shape {list(g.shape)} "
                               f"for its output {k} of shape {list(shape)}")
        out.append(g if array_of(g).dtype == dt else g.to(_BY_NP[dt]))
    return out


def call_node(node: Node, *grads: Any) -> Any:
    """``node(*grad_outputs)``: the gradients of the node's inputs (see module docstring)."""
    n_out = len(node.out_avals)
    if len(grads) != n_out:
        raise TypeError(f"expected {n_out} arguments, got {len(grads)} instead")
    tensors = _grad_arrays(node, grads)
    create = grad_mode._local.grad_enabled
    if isinstance(node, AccumulateGrad):
        if tensors[0] is not None:
            engine._accumulate(node, tensors[0] if create else array_of(tensors[0]), create)
        return ()
    if node.python_backward:
        in_grads = node.fn(node, tensors if create else
                           [None if t is None else array_of(t) for t in tensors], create)
        per_edge = list(in_grads)
    else:
        engine._check_saved(node)  # raises once a backward freed the node
        inputs = engine._materialize([node]).get(node, node.inputs)
        if node.packed:
            inputs = engine._unpack(node, inputs)
        if create:
            got = engine._differentiable_vjp(node, tensors, inputs)
        else:
            arrays = tuple(None if t is None else array_of(t) for t in tensors)
            got = engine._node_vjp(node.fn, engine._mask(node))(inputs, arrays)
        it = iter(got)
        per_edge = [next(it) if e is not None else None for e in node.edges]
        per_edge = [per_edge[i] for i in node.visible_inputs()]
    out = tuple(None if g is None else g if isinstance(g, Tensor) else Tensor._wrap(g)
                for g in per_edge)
    return out[0] if len(out) == 1 else out


Node.__call__ = call_node  # attached from above, as the saved attributes are
