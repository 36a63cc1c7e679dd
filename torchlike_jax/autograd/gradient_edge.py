"""``torch.autograd.graph.GradientEdge`` and ``get_gradient_edge``.

An edge names the place where a tensor's gradient is computed: the node that produced it (its
``grad_fn``, or the leaf's ``AccumulateGrad``) and which output of that node it is. That is
exactly the engine's own ``(node, output_nr)`` pair, so ``autograd.grad`` and ``backward`` take
an edge wherever they take a tensor as a root or as a target, without needing the tensor itself
(useful once the tensor is gone, or to name a gradient that no tensor holds).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..core.graph import Node, grad_accumulator


class GradientEdge(NamedTuple):
    """A gradient's place in the graph: ``node`` and its output number ``output_nr``.
    ``ownership_token`` exists for torch's signature (torch uses it to keep a C++ graph alive;
    here the node itself keeps its graph alive)."""

    node: Node
    output_nr: int
    ownership_token: Node | None = None


def get_gradient_edge(tensor: Any) -> GradientEdge:
    """The edge where ``tensor``'s gradient is computed: ``(grad_fn, output_nr)``, or the leaf's
    ``AccumulateGrad`` with output 0. ``grad(loss, get_gradient_edge(x))`` equals
    ``grad(loss, x)``."""
    if not tensor._requires_grad:
        raise RuntimeError("It is not possible to get the gradient edge for a Tensor "
                           "that does not require gradients")
    fn = tensor._grad_fn
    if fn is None:
        return GradientEdge(grad_accumulator(tensor), 0)
    return GradientEdge(fn, tensor._output_nr)
