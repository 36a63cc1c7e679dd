"""``torch.cuda``: the queries and seeding calls scripts make before choosing a device.

The answers come from JAX: a GPU backend means CUDA is "available". The library has one
generator (``torch.manual_seed`` seeds every draw, wherever it runs), so the CUDA seeding
calls have nothing more to seed and only keep torch's signatures; the calls that need a GPU
raise torch's AssertionError without one.
"""

from __future__ import annotations

import jax

from ._device import cuda_available

_NOT_COMPILED = "Torch not compiled with CUDA enabled"

__all__ = ["current_device", "device_count", "empty_cache", "get_device_name", "is_available",
           "is_initialized", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "synchronize"]


def is_available() -> bool:
    """True when JAX sees a GPU backend."""
    return cuda_available()


def device_count() -> int:
    """Number of GPUs JAX sees (0 without a GPU backend)."""
    return len(jax.devices("gpu")) if cuda_available() else 0


def is_initialized() -> bool:
    return cuda_available()


def _need_gpu() -> None:
    if not cuda_available():
        raise AssertionError(_NOT_COMPILED)


def current_device() -> int:
    _need_gpu()
    return 0


def get_device_name(device: object = None) -> str:
    _need_gpu()
    idx = getattr(device, "index", device)
    return jax.devices("gpu")[idx or 0].device_kind


def synchronize(device: object = None) -> None:
    """Wait for queued GPU work (JAX runs it asynchronously)."""
    _need_gpu()
    (jax.device_put(0.0, jax.devices("gpu")[0]) + 0).block_until_ready()


def manual_seed(seed: int) -> None:
    """No-op here: the one generator (``torch.manual_seed``) serves every device."""
    int(seed)


def manual_seed_all(seed: int) -> None:
    """No-op here, as :func:`manual_seed`."""
    int(seed)


def seed() -> None:
    """No-op here: nothing CUDA-specific to reseed."""


def seed_all() -> None:
    """No-op here, as :func:`seed`."""


def empty_cache() -> None:
    """No-op: JAX owns device memory and frees it with the arrays."""
