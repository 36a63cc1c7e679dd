"""F.dropout, F.dropout2d and torch.dropout.

The keep-mask is drawn from the default generator outside the op and passed in as an input, so
the registered op (``MulBackward0``, as torch records it) is a pure function of its inputs.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .nn_activations import need_float
from .nn_common import NN, cast_like

DROPOUT = register("dropout", lambda x, m, scale: cast_like(upcast_half(x) * m * scale, x),
                   "MulBackward0", dtype_rule=KEEP, saves_inputs=(1,))


def _dropout_mask(input: Any, p: float, shape: tuple) -> Any:
    from .. import _random

    key = _random.default_generator.next_key()
    keep = jax.random.bernoulli(key, 1.0 - p, shape)
    return Tensor._wrap(keep.astype(upcast_half(array_of(input)).dtype))


def _dropout_impl(name: str, input: Any, p: float, training: bool, inplace: bool,
                  mask_shape: tuple) -> Any:
    need_tensor(name, input)
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training:
        return input
    need_float(input, "bernoulli_tensor_cpu_p_")
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    out = dispatch(DROPOUT, (input, _dropout_mask(input, p, mask_shape)), (scale,))
    if inplace:
        input._check_inplace()
        return input._rebind(out)
    return out


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """F.dropout: zero each element with probability p, scale the rest by 1/(1-p)."""
    return _dropout_impl("dropout", input, p, training, inplace, tuple(input.shape))


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False) -> Any:
    """F.dropout2d: zero whole channels (one draw per (N, C)); like torch, a 3-D input is read
    as (N, C, L), with torch's warning."""
    need_tensor("dropout2d", input)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain the "
                      "behavior and silence this warning, please use dropout instead. Note that "
                      "dropout2d exists to provide channel-wise dropout on inputs with 2 spatial "
                      "dimensions, a channel dimension, and an optional batch dimension (i.e. 3D "
                      "or 4D inputs).", UserWarning, stacklevel=2)
    elif input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
                      "1D dropout behavior is desired - input is interpreted as shape (N, C, L), "
                      "where C is the channel dim. This behavior will change in a future release "
                      "to interpret the input as one without a batch dimension, i.e. shape "
                      "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch "
                      "to using dropout1d instead.", UserWarning, stacklevel=2)
    shape = tuple(input.shape[:2]) + (1,) * max(input.ndim - 2, 0)
    return _dropout_impl("dropout2d", input, p, training, inplace, shape)


def _torch_dropout(input: Any, p: float, train: bool) -> Any:
    """torch.dropout(input, p, train)."""
    return dropout(input, p, train)


expose("dropout", method=False, namespace=NN)(dropout)
expose("dropout2d", method=False, namespace=NN)(dropout2d)
expose("dropout", method=False)(_torch_dropout)
