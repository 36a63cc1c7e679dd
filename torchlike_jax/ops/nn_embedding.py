"""F.embedding and F.one_hot: lookups by integer index.

The embedding op takes the index tensor as an input (not a static param), so one compiled op
serves every batch of indices; the padding row gets no gradient, as in torch.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import legacy_name
from ..core.declare import need_tensor
from ..core.dispatch import dispatch, value_is_abstract
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor_access import array_of
from .bounds import check_in_self
from .nn_common import NN


def _embedding(w, idx, padding_idx):
    out = jnp.take(w, idx, axis=0)
    if padding_idx is not None:  # torch gives the padding row no gradient
        pad = (idx == padding_idx)[..., None]
        out = jnp.where(pad, jax.lax.stop_gradient(out), out)
    return out


EMBEDDING = register("embedding", _embedding, "EmbeddingBackward0", dtype_rule=KEEP,
                     saves_inputs=(1,))


def embedding(input: Any, weight: Any, padding_idx: int | None = None, max_norm: Any = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False) -> Any:
    """F.embedding: rows of ``weight`` picked by the integer ``input``."""
    need_tensor("embedding", input)
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("embedding: max_norm, scale_grad_by_freq and sparse are not "
                                  "supported by torchlike_jax")
    if input.dtype.name not in ("int64", "int32"):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got "
                           f"torch.{legacy_name(input.dtype)}Tensor instead (while checking "
                           f"arguments for embedding)")
    if padding_idx is not None:
        n = weight.shape[0]
        if not -n <= padding_idx < n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx %= n
    check_in_self(input, weight.shape[0])
    return dispatch(EMBEDDING, (weight, input), (padding_idx,))


ONE_HOT = register("one_hot", lambda idx, n: (idx[..., None] == jnp.arange(n)).astype(jnp.int64),
                   None, dtype_rule=KEEP)


def one_hot(tensor: Any, num_classes: int = -1) -> Any:
    """F.one_hot: int64 one-hot vectors; num_classes=-1 reads max + 1 (a host sync, as torch)."""
    need_tensor("one_hot", tensor, "self")
    if tensor.dtype.name != "int64":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() and (num_classes == -1 or not value_is_abstract(tensor)):
        arr = np.asarray(array_of(tensor))
        if arr.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(arr.max()) + 1
        elif arr.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    return dispatch(ONE_HOT, (tensor,), (int(num_classes),))


expose("embedding", method=False, namespace=NN)(embedding)
expose("one_hot", method=False, namespace=NN)(one_hot)
