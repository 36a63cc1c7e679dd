"""cat and stack (with torch's promotion across the inputs)."""

from __future__ import annotations

import jax.numpy as jnp

from .dims import norm_dim
from .dispatch import dispatch
from .registry import register
from .surface import expose

CAT = register("cat", lambda *a: jnp.concatenate(a[:-1], axis=a[-1]), "CatBackward0")
STACK = register("stack", lambda *a: jnp.stack(a[:-1], axis=a[-1]), "StackBackward0")


def _check_list(tensors, name: str, empty_error: Exception) -> tuple:
    from .._tensor import Tensor

    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        "not Tensor")
    tensors = tuple(tensors)
    if not tensors:
        raise empty_error
    return tensors


def cat(tensors, dim=0):
    """torch.cat: join along an existing dim; all other sizes must match."""
    tensors = _check_list(tensors, "cat",
                          ValueError("torch.cat(): expected a non-empty list of Tensors"))
    for k, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be "
                               "concatenated")
    # torch skips legacy empty tensors (shape [0]) when checking and joining shapes
    full = tuple(t for t in tensors if t.shape != (0,))
    if full and len(full) < len(tensors):
        tensors = full
    ref = tensors[0]
    d = norm_dim(dim, ref.ndim)
    for k, t in enumerate(tensors[1:], 1):
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{t.ndim}")
        for ax in range(ref.ndim):
            if ax != d and t.shape[ax] != ref.shape[ax]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[ax]} but got size {t.shape[ax]} "
                                   f"for tensor number {k} in the list.")
    return dispatch(CAT, tensors, (d,))


concat = concatenate = cat


def stack(tensors, dim=0):
    """torch.stack: join along a new dim; all shapes must be equal."""
    tensors = _check_list(tensors, "stack",
                          RuntimeError("stack expects a non-empty TensorList"))
    ref = tensors[0]
    for k, t in enumerate(tensors[1:], 1):
        if t.shape != ref.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ref.shape)} at entry 0 and {list(t.shape)} at entry {k}")
    return dispatch(STACK, tensors, (norm_dim(dim, ref.ndim + 1),))


expose("cat", "concat", "concatenate", method=False)(cat)
expose("stack", method=False)(stack)
