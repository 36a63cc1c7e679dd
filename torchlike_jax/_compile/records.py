"""What one trace learns about a function: named records the trace fills and a cached call
reads (instead of positional tuples and a string-keyed dict)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from .deferred import DeferredCall


class ProgramOutputs(NamedTuple):
    """What the jitted program returns (a pytree of arrays; None where nothing changed)."""

    outputs: list  # arrays of the tensors the function created and returned
    arrays: list  # per base: its new array, None when unchanged
    grads: list  # per handle: its ``.grad`` array, None when absent or unchanged
    keys: list  # per generator: its new key, None when unchanged
    extra: list  # arrays the records below point into (rebinds, leaked tensors, upstream)


class OutputSlot(NamedTuple):
    """Where one leaf of the function's output comes from after a call.

    ``kind``: ``"out"`` (``results[index]``, a tensor made inside), ``"handle"`` (input
    ``handles[index]`` itself), ``"grad"`` (that input's ``.grad``), ``"alias"`` (a new handle
    on ``storages[index]``, e.g. ``x.detach()``, with ``inference``) or ``"const"`` (``const``).
    """

    kind: str
    index: int = -1
    const: Any = None
    inference: bool = False


class Rebind(NamedTuple):
    """A handle that now lives in another storage (``.data = ...``): an input's storage
    (``kind="alias"``, ``index`` into ``storages``) or a new one (``kind="new"``, holding
    ``extra[index]`` at ``version``)."""

    kind: str
    index: int
    version: int = 0


class LeakedTensor(NamedTuple):
    """A tensor created while tracing and stored into captured state (lazy optimizer state):
    after a call it holds ``extra[extra_index]`` at ``version``."""

    tensor: Any
    extra_index: int
    version: int
    leaf_requires_grad: bool


class UpstreamGrad(NamedTuple):
    """A ``backward()`` inside reached non-leaf input ``handle_index``: the gradient
    ``extra[extra_index]`` goes on into its eager history after the call."""

    handle_index: int
    extra_index: int


@dataclass
class TraceRecord:
    """The Python-side effects of one trace, replayed on the real objects by every call."""

    out_tree: Any  # the output's pytree structure
    layout: list[OutputSlot]  # per output leaf
    output_kinds: list[str]  # per tensor made inside: "diff" (has history), "leaf", "plain"
    output_inference: list[bool]  # per tensor made inside: its inference flag
    node_outputs: list[int]  # the tensors made inside that CompiledFunctionBackward produces
    node_leaf_positions: list[int]  # their positions among the output leaves
    version_delta: list[int]  # per storage: how far its version counter moved
    rebind: list[Rebind | None]  # per handle
    grad_change: list[str]  # per handle: "none" (no .grad), "same" (kept its object), "new"
    grad_version: list[int]  # per handle: the .grad's version (a delta for "same")
    requires_grad: list[bool]  # per handle, after the call
    modified_with_history: list[int]  # handles modified in place with history: node outputs
    leaked: list[LeakedTensor]
    upstream: list[UpstreamGrad]
    records_autograd: bool  # whether the call gets a CompiledFunctionBackward node
    deferred: list[DeferredCall]  # host effects to run after each call
    #: a write through a view input that autograd must see: this key runs eagerly
    needs_eager: bool


class CacheEntry:
    """One trace: the jitted program plus what it learned about outputs and mutations."""

    __slots__ = ("jitted", "trace", "fallback", "node_fn", "inputs")

    def __init__(self) -> None:
        self.jitted: Any = None
        self.trace: TraceRecord | None = None  # set when the program is traced
        self.fallback = False
        self.node_fn: Any = None
        # The latest call's objects. Every call with this key has the same structure, so any
        # call's objects trace the same program (and replay it for backward).
        self.inputs: Any = None  # inputs.CallInputs
