"""The one op registry: every op is declared once, as an :class:`OpDef`.

An OpDef says what torch calls the op, how to compute it in JAX (``impl(*arrays, *params)``),
how its dtypes are decided, what torch would save for backward (for the "modified by an inplace
operation" and "backward through the graph a second time" errors) and what its ``grad_fn`` is
called. There is no derivative formula: the engine gets gradients from ``jax.vjp`` of the same
``impl``, which is what keeps one source of truth per op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# dtype rules
PROMOTE = "promote"  # torch elementwise promotion over the participating inputs
FLOAT = "float"  # promote, then integers/bool become the default float dtype
COMPARE = "compare"  # promote to compute, output bool
KEEP = "keep"  # no casting: output dtype comes from impl (shape ops, indexing)
SUM = "sum"  # like KEEP, but bool/integers accumulate in int64 (sum, cumsum, prod)


@dataclass(eq=False)
class OpDef:
    """Declaration of one op. ``eq=False`` keeps identity hashing: OpDefs key the jit caches."""

    name: str
    impl: Callable
    grad_fn: str | Callable[[tuple], str] | None
    dtype_rule: str = PROMOTE
    participants: tuple[int, ...] | None = None  # inputs that take part in promotion (None: all)
    saves_inputs: tuple[int, ...] = ()  # inputs torch saves for backward, in its order
    # input -> the inputs whose gradient needs it: saved only if one of those requires grad
    # (torch's mul saves ``other`` only to compute ``self``'s gradient); absent: always saved
    saved_for: dict[int, tuple[int, ...]] | None = None
    saves_output: bool = False  # torch saves the result (exp, tanh, sigmoid, sqrt, relu...)
    # backward without retain_graph frees the node though it saves no tensor (torch's CopySlices
    # drops its function; IndexPutBackward0 its indices): a second backward raises
    frees: bool = False
    n_out: int = 1
    diff_outputs: tuple[int, ...] = (0,)
    float_only: str | None = None  # torch's error when given a non-float input (e.g. mean)
    # the outputs are views of input 0 (each output element IS one of its elements, params are
    # static): in-place writes through an output reach input 0, as in torch (see _views.py)
    view: bool = False
    # what torch counts as the node's inputs (``next_functions``, node hooks): a Python number
    # is a Scalar argument with no entry, except at ``scalar_inputs`` where torch wraps it in a
    # Tensor (``x * 2``: mul.Tensor) and it keeps a (None, 0) entry; ``hidden_inputs`` are tensor
    # arguments torch never counts (a boolean mask or condition) or Scalar? slots left None
    scalar_inputs: tuple[int, ...] = ()
    hidden_inputs: tuple[int, ...] = ()
    doc: str = ""
    _jit_cache: dict = field(default_factory=dict, repr=False)

    def grad_fn_name(self, params: tuple) -> str | None:
        g = self.grad_fn
        return g(params) if callable(g) else g


REGISTRY: dict[str, OpDef] = {}


def register(name: str, impl: Callable, grad_fn: str | Callable | None, **kw: object) -> OpDef:
    """Declare an op once; a second declaration under the same name is a programming error."""
    if name in REGISTRY:
        raise ValueError(f"op {name!r} is already registered")
    op = OpDef(name, impl, grad_fn, **kw)
    REGISTRY[name] = op
    return op


class NodeSpec:
    """What ``dispatch.record_node`` reads from an op, for a node that is not a registry op (a
    custom Function's, or the node of a forward-AD tangent computation): which outputs are
    differentiable. The op itself saves nothing and every input counts as an input."""

    __slots__ = ("diff_outputs",)
    saves_inputs: tuple = ()
    saves_output = False
    saved_for = None
    frees = False
    scalar_inputs = None
    hidden_inputs: tuple = ()

    def __init__(self, diff_outputs: tuple) -> None:
        self.diff_outputs = diff_outputs
