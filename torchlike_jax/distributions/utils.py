"""Helpers shared by the distributions: broadcasting parameters, probs <-> logits, lazy attrs."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .. import _creation
from .. import _dtypes as dtypes
from ..core.tensor import Tensor
from ..ops.joining import broadcast_tensors

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits", "tiny", "eps"]


def tiny(dtype: dtypes.dtype) -> float:
    """Smallest positive normal number of a float dtype (``torch.finfo(dtype).tiny``)."""
    return float(np.finfo(dtype.np).tiny)


def eps(dtype: dtypes.dtype) -> float:
    """Machine epsilon of a float dtype (``torch.finfo(dtype).eps``)."""
    return float(np.finfo(dtype.np).eps)


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Broadcast tensors and numbers to one shape; numbers become tensors of the tensors'
    dtype (the default dtype if there is none), as torch's parameters are."""
    if not all(isinstance(v, (Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = dtypes.get_default_dtype()
        for v in values:
            if isinstance(v, Tensor):
                dtype = v.dtype
                break
        values = tuple(v if isinstance(v, Tensor) else _creation.tensor(v, dtype=dtype)
                       for v in values)
    return tuple(broadcast_tensors(*values))


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Softmax over the last dim (sigmoid for binary logits)."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Keep probabilities in [eps, 1 - eps] so their logs stay finite."""
    e = eps(probs.dtype)
    return probs.clamp(min=e, max=1 - e)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-probabilities (log-odds for binary), computed on clamped probabilities."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ps_clamped.log() - (-ps_clamped).log1p()
    return ps_clamped.log()


class lazy_property:  # noqa: N801 - torch's name
    """Computed on first access and stored in the instance ``__dict__`` (so it then shows
    in the distribution's repr, as in torch)."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        from ..core.grad_mode import enable_grad
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
