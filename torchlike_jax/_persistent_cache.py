"""JAX's persistent compilation cache, on by default, so a second process starts warm.

Compiling is the cost a fresh process pays before it runs at speed (an op's first call, a
backward's first program). XLA can keep compiled programs on disk; this turns that on in the
user's cache directory (``$XDG_CACHE_HOME/torchlike_jax/xla``, else ``~/.cache/...``), bounded
by size (JAX evicts least recently used files).

Environment: ``TORCHLIKE_JAX_PERSISTENT_CACHE=0`` turns it off; ``TORCHLIKE_JAX_CACHE_DIR``
chooses the directory; ``TORCHLIKE_JAX_CACHE_MIN_COMPILE_SECONDS`` the shortest compile worth a
file. A directory set by the user through JAX's own config is left alone.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import jax

#: programs that compiled faster than this are not written (loading one still costs its
#: tracing and lowering, so only slow compiles are worth a file)
MIN_COMPILE_SECONDS = 0.1
#: bound on the directory's size in bytes: pruned (least recently used files first) once per
#: process, in the background. JAX's own size bound is not used: it scans the whole directory
#: on every write (0.4 s with 10,000 files).
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
    min_s = float(os.environ.get("TORCHLIKE_JAX_CACHE_MIN_COMPILE_SECONDS", MIN_COMPILE_SECONDS))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", min_s)
    _dir = str(path)
    threading.Thread(target=prune, args=(path, MAX_BYTES), daemon=True,
                     name="torchlike_jax-cache-prune").start()
    return _dir


def prune(path: Path, max_bytes: int) -> int:
    """Delete the least recently used files of ``path`` until it holds at most 3/4 of
    ``max_bytes`` (only when it holds more than ``max_bytes``); returns how many were deleted."""
    try:
        entries = [(e.stat().st_atime, e.stat().st_size, e.path) for e in os.scandir(path)
                   if e.is_file()]
    except OSError:
        return 0
    total = sum(size for _, size, _ in entries)
    if total <= max_bytes:
        return 0
    deleted = 0
    for _, size, name in sorted(entries):
        if total <= max_bytes * 3 // 4:
            break
        try:
            os.remove(name)
        except OSError:
            continue
        total -= size
        deleted += 1
    return deleted


def persistent_cache_dir() -> str | None:
    """The directory XLA programs persist in, or None when the persistent cache is off."""
    return _dir
