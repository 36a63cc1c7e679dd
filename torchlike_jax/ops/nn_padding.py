"""F.pad: constant, reflect, replicate and circular padding.

One op whose grad_fn name follows the mode and the padded rank, as torch's
(``ConstantPadNdBackward0``, ``ReflectionPad2DBackward0``...).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from .nn_common import NN


def _pad(x, pads, mode, value):
    if mode == "constant":
        cfg = [(0, 0, 0)] * (x.ndim - len(pads)) + [(lo, hi, 0) for lo, hi in pads]
        return jax.lax.pad(x, jnp.asarray(value, x.dtype), cfg)
    width = [(0, 0)] * (x.ndim - len(pads)) + list(pads)
    return jnp.pad(x, width, mode={"reflect": "reflect", "replicate": "edge",
                                   "circular": "wrap"}[mode])


def _pad_name(params: tuple) -> str:
    pads, mode, _ = params
    n = len(pads)
    return {"constant": "ConstantPadNdBackward0", "reflect": f"ReflectionPad{n}DBackward0",
            "replicate": f"ReplicationPad{n}DBackward0", "circular": "CopySlices"}[mode]


PAD = register("pad", _pad, _pad_name, dtype_rule=KEEP)


def pad(input: Any, pad: Any, mode: str = "constant", value: float | None = None) -> Any:
    """F.pad: ``pad`` lists (left, right) pairs starting from the last dim."""
    need_tensor("pad", input)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    n = len(pad) // 2
    if n > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           "dimension but got padding length "
                           f"{len(pad)} and input of dimension {input.ndim}")
    pairs = tuple((int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(n))[::-1]
    if mode == "constant":
        for (lo, hi), s in zip(pairs, input.shape[input.ndim - n:], strict=True):
            if s + lo + hi < 0:
                raise RuntimeError(f"The input size {s}, plus negative padding {lo} and {hi} "
                                   f"resulted in a negative output size, which is invalid. "
                                   f"Check dimension")
        v = 0 if value is None else value
        return dispatch(PAD, (input,), (pairs, "constant", v))
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}"" doesn\'t take in value argument.')
    if n > 3 or input.ndim not in (n + 1, n + 2):
        raise NotImplementedError("Only 2D, 3D, 4D, 5D padding with non-constant padding are "
                                  "supported for now")
    if mode == "reflect":
        for i, ((lo, hi), s) in enumerate(zip(pairs, input.shape[input.ndim - n:],
                                              strict=True)):
            if lo >= s or hi >= s:
                dim = input.ndim - n + i
                raise RuntimeError(f"Argument #4: Padding size should be less than the "
                                   f"corresponding input dimension, but got: padding ({lo}, "
                                   f"{hi}) at dimension {dim} of input {list(input.shape)}")
    return dispatch(PAD, (input,), (pairs, mode, 0))


expose("pad", method=False, namespace=NN)(pad)
