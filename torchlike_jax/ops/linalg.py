"""Matrix products: matmul / @, mm, mv, dot, bmm, with torch's grad_fn names and checks."""

from __future__ import annotations

import jax.numpy as jnp

from .dims import broadcast_shapes
from .dispatch import _legacy_name, dispatch
from .registry import KEEP, register
from .surface import expose

# torch.matmul's node is that of the last op it runs: 1-D @ 2-D is unsqueeze(0).mm().squeeze_(0),
# anything batched ends in _unsafe_view; torch.bmm itself is tagged ("bmm",)
_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0",
          (1, 2): "SqueezeBackward4", (3, 3, "bmm"): "BmmBackward0"}


def _name(params: tuple) -> str:
    return _NAMES.get(params, "UnsafeViewBackward0")


MATMUL = register("matmul", lambda a, b, *ranks: jnp.matmul(a, b), _name, dtype_rule=KEEP,
                  saves_inputs=(0, 1))

_SHORT = {"float32": "float", "float64": "double", "float16": "c10::Half",
          "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int"}


def matmul(input, other):
    """torch.matmul: dot, mv, mm or batched product depending on the ranks."""
    return _matmul(input, other)


def _matmul(a, b, tag: tuple = ()):
    """matmul's checks, then the one MATMUL op (``tag`` only changes the node's name)."""
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_SHORT.get(a.dtype.name, a.dtype.name)} != "
                           f"{_SHORT.get(b.dtype.name, b.dtype.name)}")
    if a.ndim > 2 and b.ndim > 2:
        broadcast_shapes(a.shape[:-2], b.shape[:-2])  # torch checks the batch dims first
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}]"
                               " to have the same number of elements, but got "
                               f"{k_a} and {k_b} elements respectively")
        if b.ndim == 1:
            rows = a.numel() // k_a
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), "
                               f"vec ({k_b})")
        sa = "x".join(map(str, (a.shape if a.ndim == 2 else (a.numel() // k_a, k_a))))
        sb = "x".join(map(str, b.shape if b.ndim == 2 else (k_b, b.numel() // k_b)))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
    return dispatch(MATMUL, (a, b), (a.ndim, b.ndim) + tag)


def mm(input, mat2):
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return matmul(input, mat2)


def mv(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    return matmul(input, vec)


def dot(input, other):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_legacy_name(input.dtype)} and {_legacy_name(other.dtype)}")
    return matmul(input, other)


def bmm(input, mat2):
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    want = [input.shape[0], input.shape[2]]
    if list(mat2.shape[:2]) != want:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: {want} "
                           f"but got: {list(mat2.shape[:2])}.")
    return _matmul(input, mat2, ("bmm",))


for _f in (matmul, mm, mv, dot, bmm):
    expose(_f.__name__)(_f)
