"""``torch.backends``: what the execution backend does, and the knobs of this library's caches.

Extensions (not in PyTorch), listed here because this is where a user looks for backend state:

* :func:`cache_info` — ``{name: CacheInfo(size, maxsize, hits, misses, evictions)}`` for every
  cache the library keeps (compiled ops, backward programs and segments, scalar constants,
  stride probes). Every cache is bounded; :data:`cache_limits` lists the bounds.
* :func:`set_cache_limit` — change one bound (evicts down to it at once).
* :func:`clear_caches` — drop every compiled program and constant.
* :func:`persistent_cache_dir` — where XLA programs are kept across processes (None when off).
"""

from __future__ import annotations

from .. import _caches
from .._caches import CacheInfo
from .._persistent_cache import persistent_cache_dir
from . import cuda, cudnn, mps

__all__ = ["CacheInfo", "cache_info", "cache_limits", "clear_caches", "cuda", "cudnn", "mps",
           "persistent_cache_dir", "set_cache_limit"]


def cache_info() -> dict[str, CacheInfo]:
    """Size, bound and hit/miss/eviction counters of every cache, by name."""
    return _caches.cache_info()


def cache_limits() -> dict[str, int]:
    """The bound (entries) of every cache, by name."""
    return dict(_caches.LIMITS)


def set_cache_limit(name: str, maxsize: int) -> None:
    """Set the bound of cache ``name`` (a key of :func:`cache_limits`)."""
    if name not in _caches.LIMITS:
        raise KeyError(f"no cache named {name!r}; caches: {sorted(_caches.LIMITS)}")
    _caches.set_limit(name, maxsize)


def clear_caches() -> None:
    """Drop every compiled program and cached constant (counters are kept)."""
    from ..autograd import engine

    engine.clear_caches()
    _caches.clear_all()
