"""``torch.accelerator``: device-agnostic questions about the current accelerator.

An accelerator here is a GPU that JAX sees; on a CPU-only machine there is none, and the calls
that need one raise torch's RuntimeError.
"""

from __future__ import annotations

from ._device import cuda_available, device

_NONE = "Cannot access accelerator device when none is available."

__all__ = ["current_accelerator", "current_device_idx", "current_device_index", "device_count",
           "is_available", "set_device_idx", "set_device_index", "synchronize"]


def is_available() -> bool:
    return cuda_available()


def current_accelerator(check_available: bool = False) -> device | None:
    """``device('cuda')`` when a GPU is present, else None."""
    return device("cuda") if cuda_available() else None


def device_count() -> int:
    from . import cuda

    return cuda.device_count()


def _need() -> None:
    if not cuda_available():
        raise RuntimeError(_NONE)


def current_device_index() -> int:
    _need()
    return 0


current_device_idx = current_device_index


def set_device_index(device: object) -> None:
    _need()


set_device_idx = set_device_index


def synchronize(device: object = None) -> None:
    _need()
    from . import cuda

    cuda.synchronize()
