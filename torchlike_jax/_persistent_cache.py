"""JAX's persistent compilation cache, on by default, so a second process starts warm.

Compiling is the cost a fresh process pays before it runs at speed (an op's first call, a
backward's first program). XLA can keep compiled programs on disk; this turns that on in the
user's cache directory (``$XDG_CACHE_HOME/torchlike_jax/xla``, else ``~/.cache/...``), bounded
by size (JAX evicts least recently used files).

Environment: ``TORCHLIKE_JAX_PERSISTENT_CACHE=0`` turns it off; ``TORCHLIKE_JAX_CACHE_DIR``
chooses the directory. A directory set by the user through JAX's own config is left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import jax

#: programs that compiled faster than this are not written (the write would cost more)
MIN_COMPILE_SECONDS = 0.02
#: bound on the directory's size in bytes
MAX_BYTES = 1 << 30

_dir: str | None = None


def _default_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "torchlike_jax" / "xla"


def enable() -> str | None:
    """Turn the cache on (called once at import); returns the directory, or None when off."""
    global _dir
    if os.environ.get("TORCHLIKE_JAX_PERSISTENT_CACHE", "1").strip().lower() in ("0", "false",
                                                                                "no", "off"):
        return None
    if jax.config.jax_compilation_cache_dir:  # the user configured JAX's cache: theirs
        _dir = jax.config.jax_compilation_cache_dir
        return _dir
    path = Path(os.environ.get("TORCHLIKE_JAX_CACHE_DIR") or _default_dir())
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: run without it
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", MIN_COMPILE_SECONDS)
    jax.config.update("jax_compilation_cache_max_size", MAX_BYTES)
    _dir = str(path)
    return _dir


def persistent_cache_dir() -> str | None:
    """The directory XLA programs persist in, or None when the persistent cache is off."""
    return _dir
