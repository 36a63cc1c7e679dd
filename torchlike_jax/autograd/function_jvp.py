"""Forward-mode AD through a custom ``autograd.Function``: its ``jvp`` staticmethod.

Torch runs a Function's ``forward`` on plain tensors (the inputs' tangents hidden), then calls
``jvp(ctx, *tangents)`` with one tangent per input (zeros for a tensor input without one,
None for a non-tensor) and ``ctx.saved_tensors`` being what ``ctx.save_for_forward`` kept.
The tangents it returns become the outputs' tangents. A Function without ``jvp`` raises
torch's NotImplementedError as soon as a dual input reaches it.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from ..core import forward_ad as fw
from ..core.tensor import Tensor
from ..core.tensor_access import array_of

_ABSENT = object()


def has_dual(tensors: list) -> bool:
    """True when a dual level is active and some of ``tensors`` carries a tangent."""
    return bool(fw.tangents) and any(fw.get(t) is not None for t in tensors)


def push_tangents(cls: type, ctx: Any, inputs: tuple, results: tuple) -> None:
    """Call ``cls.jvp`` with the inputs' tangents; give ``results`` the tangents it returns."""
    tangents = []
    for a in inputs:
        if isinstance(a, Tensor):
            tan = fw.get(a)
            tangents.append(Tensor._wrap(jnp.zeros_like(array_of(a)) if tan is None else tan))
        else:
            tangents.append(None)
    hidden = fw.suspend()
    before = ctx.__dict__.get("_tl_saved", _ABSENT)
    ctx._tl_saved = tuple(getattr(ctx, "saved_for_forward", ()))
    try:
        outs = cls.jvp(ctx, *tangents)
    finally:
        if before is _ABSENT:
            del ctx._tl_saved
        else:
            ctx._tl_saved = before
        fw.resume(hidden)
    if not isinstance(outs, tuple):
        outs = (outs,)
    for r, tan in zip(results, outs, strict=False):
        if not isinstance(r, Tensor) or not isinstance(tan, Tensor):
            continue
        if tan.shape != r.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(r.shape)} "
                f"while the given forward gradient is of size {list(tan.shape)}.")
        fw.put(r, array_of(tan), graph=tan if tan._requires_grad else None)
