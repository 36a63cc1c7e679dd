"""Every cache the library keeps, bounded, in one place, with counters a user can read.

Why: a training loop that churns shapes, values or graph structures must hold flat memory. Each
cache is a :class:`BoundedCache` (least-recently-used eviction) created here by name, so its
limit is listed in :data:`LIMITS`, can be changed with :func:`set_limit`, and shows up in
``torchlike_jax.backends.cache_info()``. Only compiled functions, shape/dtype tuples and small
host constants live in caches: never a user's tensor.

Reads are lock-free (a dict lookup and ``move_to_end`` are single C calls under the GIL); inserts
and evictions take the cache's lock, so concurrent threads never corrupt a cache. A lost race
only means a value is built twice, never a wrong value.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, NamedTuple

#: The bound of each cache, by name. Sizes are entry counts.
LIMITS: dict[str, int] = {
    "op_jit": 4096,  # one jitted function per (op, static params, dtypes) — dispatch.compiled
    "op_static": 1024,  # (op, params skeleton) pairs whose float params must stay static
    "op_jvp": 1024,  # forward-mode AD: jit(jvp) of one op function per tangent mask (forward_ad)
    "node_vjp": 2048,  # jit(vjp) of one node function, per differentiable-input mask
    "node_backward": 1024,  # create_graph: the recorded backward function of a node function
    "vjp_dependencies": 1024,  # create_graph: which inputs each recorded gradient uses
    "node_forward": 1024,  # jitted forward of a node, to recompute dropped activations
    "backward_structures": 512,  # whole-graph backward: hit counts and compiled programs
    "backward_segments": 1024,  # compiled segments of large graphs, by the segment's structure
    "stride_probes": 256,  # layout probes of view chains (ops/strides.py)
    "function_traced": 64,  # custom Function node functions, traced path only (function.py)
    "optim_step": 64,  # one jitted update per (optimizer kind, flags, shapes) (optim/optimizer.py)
}

#: How many input signatures (shapes/dtypes) one cached jitted function may compile for before
#: it is replaced by a fresh one: JAX keeps an executable per signature inside the function, so
#: a loop over ever-new shapes would otherwise grow memory without bound (a dropped function
#: frees its executables).
SIGNATURES_PER_JIT = 256


class CacheInfo(NamedTuple):
    """Counters of one cache: current size, bound, lookups that hit / missed, evictions."""

    size: int
    maxsize: int
    hits: int
    misses: int
    evictions: int


class BoundedCache:
    """A dict-like LRU cache with a bound, a lock for writers and hit/miss/eviction counters."""

    __slots__ = ("name", "maxsize", "_data", "_lock", "hits", "misses", "evictions")

    def __init__(self, name: str, maxsize: int) -> None:
        self.name = name
        self.maxsize = maxsize
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.evictions = 0

    def get(self, key: Any, default: Any = None) -> Any:
        data = self._data
        try:
            value = data[key]
        except KeyError:
            self.misses += 1
            return default
        try:
            data.move_to_end(key)
        except KeyError:  # evicted by another thread between the two calls
            pass
        self.hits += 1
        return value

    def __contains__(self, key: Any) -> bool:
        return key in self._data

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            data = self._data
            data[key] = value
            data.move_to_end(key)
            while len(data) > self.maxsize:
                data.popitem(last=False)
                self.evictions += 1

    def pop(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return self._data.pop(key, default)

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def info(self) -> CacheInfo:
        return CacheInfo(len(self._data), self.maxsize, self.hits, self.misses, self.evictions)


_CACHES: dict[str, BoundedCache] = {}


def cache(name: str) -> BoundedCache:
    """The named cache (created on first use with its bound from :data:`LIMITS`)."""
    c = _CACHES.get(name)
    if c is None:
        c = _CACHES.setdefault(name, BoundedCache(name, LIMITS[name]))
    return c


def cache_info() -> dict[str, CacheInfo]:
    """``{name: CacheInfo(size, maxsize, hits, misses, evictions)}`` for every cache."""
    return {name: cache(name).info() for name in LIMITS}


def set_limit(name: str, maxsize: int) -> None:
    """Change one cache's bound (evicting at once down to it)."""
    if maxsize < 1:
        raise ValueError(f"cache limit must be at least 1, got {maxsize}")
    LIMITS[name] = maxsize
    c = cache(name)
    with c._lock:
        c.maxsize = maxsize
        while len(c._data) > maxsize:
            c._data.popitem(last=False)
            c.evictions += 1


def clear_all() -> None:
    """Empty every cache (counters are kept)."""
    for name in LIMITS:
        cache(name).clear()
