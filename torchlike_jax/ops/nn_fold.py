"""F.unfold (im2col) and F.fold (col2im), one registered op each.

Both use the block positions worked out on the host from the static shapes: unfold gathers
every sliding block's elements, fold scatter-adds them back (overlaps summed). Each is the
other's transpose, and JAX differentiates the gather and the scatter-add exactly.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from .nn_common import ntuple


def _blocks(n: int, k: int, d: int, p: int, s: int) -> int:
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _positions(n_out: int, k: int, d: int, s: int) -> np.ndarray:
    """(n_out, k) positions in the padded input of each block's elements."""
    return np.arange(n_out)[:, None] * s + np.arange(k)[None, :] * d


def _unfold(x, k, d, p, s):
    unbatched = x.ndim == 3
    xx = x[None] if unbatched else x
    n, c, h, w = xx.shape
    oh, ow = (_blocks(h, k[0], d[0], p[0], s[0]), _blocks(w, k[1], d[1], p[1], s[1]))
    xp = jnp.pad(xx, ((0, 0), (0, 0), (p[0], p[0]), (p[1], p[1])))
    ph, pw = _positions(oh, k[0], d[0], s[0]), _positions(ow, k[1], d[1], s[1])
    g = xp[:, :, ph.T[:, None, :, None], pw.T[None, :, None, :]]  # (N, C, kh, kw, oh, ow)
    out = g.reshape(n, c * k[0] * k[1], oh * ow)
    return out[0] if unbatched else out


def _fold(x, size, k, d, p, s):
    unbatched = x.ndim == 2
    xx = x[None] if unbatched else x
    n = xx.shape[0]
    c = xx.shape[1] // (k[0] * k[1])
    oh, ow = (_blocks(size[0], k[0], d[0], p[0], s[0]), _blocks(size[1], k[1], d[1], p[1], s[1]))
    cols = xx.reshape(n, c, k[0], k[1], oh, ow)
    ph, pw = _positions(oh, k[0], d[0], s[0]), _positions(ow, k[1], d[1], s[1])
    out = jnp.zeros((n, c, size[0] + 2 * p[0], size[1] + 2 * p[1]), x.dtype)
    out = out.at[:, :, ph.T[:, None, :, None], pw.T[None, :, None, :]].add(cols)
    out = out[:, :, p[0]:p[0] + size[0], p[1]:p[1] + size[1]]
    return out[0] if unbatched else out


UNFOLD = register("unfold_im2col", _unfold, "Im2ColBackward0", dtype_rule=KEEP)
FOLD = register("fold_col2im", _fold, "Col2ImBackward0", dtype_rule=KEEP)


def _params(kernel_size: Any, dilation: Any, padding: Any, stride: Any) -> tuple:
    return (ntuple(kernel_size, 2), ntuple(dilation, 2), ntuple(padding, 2), ntuple(stride, 2))


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Any:
    """F.unfold: (N, C, H, W) -> (N, C * kh * kw, L), one column per sliding block."""
    need_tensor("unfold", input)
    if input.ndim not in (3, 4):
        raise NotImplementedError(f"Input Error: Only 3D or 4D input Tensors are supported "
                                  f"(got {input.ndim}D)")
    k, d, p, s = _params(kernel_size, dilation, padding, stride)
    hw = tuple(input.shape[-2:])
    blocks = tuple(_blocks(hw[i], k[i], d[i], p[i], s[i]) for i in range(2))
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {hw}, kernel_size={k}, "
                           f"dilation={d}, padding={p}, calculated shape of the array of "
                           f"sliding blocks as {blocks}, but its components must be at least "
                           f"one.")
    return dispatch(UNFOLD, (input,), (k, d, p, s))


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
         stride: Any = 1) -> Any:
    """F.fold: (N, C * kh * kw, L) -> (N, C, H, W), overlapping block elements summed."""
    need_tensor("fold", input)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    size = ntuple(output_size, 2)
    k, d, p, s = _params(kernel_size, dilation, padding, stride)
    cdim = input.ndim - 2
    if input.shape[cdim] % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension {cdim} to be divisible by the "
                           f"product of kernel_size, but got input.size({cdim})="
                           f"{input.shape[cdim]} and kernel_size={k}.")
    blocks = tuple(_blocks(size[i], k[i], d[i], p[i], s[i]) for i in range(2))
    if input.shape[cdim + 1] != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}, expected size of input's dimension "
                           f"{cdim + 1} to match the calculated number of sliding blocks "
                           f"{blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
                           f"input.size({cdim + 1})={input.shape[cdim + 1]}.")
    return dispatch(FOLD, (input,), (size, k, d, p, s))


expose("unfold", method=False, namespace="nn.functional")(unfold)
expose("fold", method=False, namespace="nn.functional")(fold)
