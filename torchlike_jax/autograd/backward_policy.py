"""When the engine compiles a backward: the ski-rental policy, in one object.

Running a graph node by node costs one cached jit call per node; compiling it as one XLA program
costs a one-off compile (0.05–0.5 s for a small graph, more for a big one) and then one call. A
program pays for itself only if its structure recurs often enough, and nobody knows that in
advance. The policy is the classic ski-rental answer: keep *renting* (running per node, timing
each run) until the time already spent on that structure reaches the *predicted* compile time,
then *buy* (compile). Whatever the future holds, that costs at most about twice the better of
the two choices made with hindsight.

The compile runs on a background thread (``background=True``) while the per-node path keeps
serving, so no backward call waits for XLA. Big graphs are compiled in segments of at most
``segment_nodes`` nodes, each keyed by its own structure, so a repeated layer compiles once and
compile time and memory grow linearly with the graph (one program for a 4,000-node graph takes
minutes and gigabytes; 32 identical segments take one small compile).

The prediction starts from measured defaults and learns from every compile it sees: an
exponential moving average of seconds per node on top of a fixed floor.

``mode="eager"`` compiles synchronously at the ``compile_after``-th sighting (deterministic:
what tests of the cached paths use); ``mode="never"`` always runs per node.

The policy is also the one place to read what the engine did: its counters (``stats``) and the
sizes of its structure caches (``structures_cached``, ``segments_cached``). The caches themselves
are the library's named bounded caches (``_caches``), shared by every policy object, so a test
that swaps in its own policy still sees (and clears) the same compiled programs.
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import jax

from .. import _caches

MODES = ("adaptive", "eager", "never")

_WHOLE_GRAPHS = "backward_structures"  # whole graphs (grad, backward(inputs=)): key -> entry
_SEGMENTS = "backward_segments"  # segments of plain backward: key -> entry


class Route(enum.Enum):
    """How one backward call runs its graph."""

    PER_NODE = "per node"  # Python must see the gradients: every node runs on its own
    SEGMENTS = "segments"  # plain backward(): bounded segments, each compiled once it pays
    WHOLE_GRAPH = "whole graph"  # grad / backward(inputs=): one program once it pays


def _new_stats() -> dict[str, int]:
    return {"per_node_runs": 0, "fused_runs": 0, "fused_compiles": 0}


@dataclass
class BackwardPolicy:
    """The engine's compile policy (``torchlike_jax.autograd.engine.policy``).

    mode             "adaptive" (ski rental), "eager" (compile at the ``compile_after``-th
                     sighting, synchronously) or "never" (per node only)
    compile_after    sightings of a structure before it may be compiled (both modes)
    background       adaptive mode: compile on a worker thread instead of in the call
    segment_nodes    graphs with more nodes than this compile in segments of this many nodes
    compile_floor_s  predicted fixed cost of one compile (learned)
    compile_per_node_s  predicted cost per node of one compile (learned)
    stats            counters: backward runs per node / compiled, compiles started
    """

    mode: str = "adaptive"
    compile_after: int = 2
    background: bool = True
    segment_nodes: int = 96
    compile_floor_s: float = 0.05
    compile_per_node_s: float = 0.0006
    learn_rate: float = 0.3
    stats: dict[str, int] = field(default_factory=_new_stats)  # backward runs by path, compiles
    _executor: ThreadPoolExecutor | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pending: set = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")

    # ---- which path a backward takes ------------------------------------------------------------
    def route(self, *, needs_python: bool, plain_backward: bool, n_nodes: int) -> Route:
        """The path of one backward call: per node when Python must run between nodes (hooks,
        ``create_graph``, anomaly mode, an enclosing trace, ``per_node_only``); segments for a
        plain ``backward()``; one whole-graph program for ``grad``/``inputs=`` unless the
        graph is too big to compile as one (then per node)."""
        if needs_python:
            return Route.PER_NODE
        if plain_backward:
            return Route.SEGMENTS
        if n_nodes > self.segment_nodes:
            return Route.PER_NODE
        return Route.WHOLE_GRAPH

    def sighting(self, route: Route, key: Any) -> CompiledEntry:
        """The entry of structure ``key`` (a whole graph or a segment), counted as seen once
        more."""
        cache = _caches.cache(_SEGMENTS if route is Route.SEGMENTS else _WHOLE_GRAPHS)
        entry = cache.get(key)
        if entry is None:
            entry = CompiledEntry()
            cache[key] = entry
        entry.sightings += 1
        return entry

    def maybe_compile(self, entry: CompiledEntry, make_fn: Callable[[], Any],
                      example_args: tuple, n_nodes: int) -> None:
        """Start compiling ``entry``'s structure if it has paid for itself (ski rental)."""
        if entry.program is not None or entry.failed:
            return
        if self.should_compile(entry.sightings, entry.spent, n_nodes):
            try:
                entry.program = self.compile(make_fn(), example_args, n_nodes)
            except Exception:  # e.g. an op XLA cannot compile as one program: stay per node
                entry.failed = True
                return
            self.stats["fused_compiles"] += 1

    def structures_cached(self) -> int:
        """How many whole-graph structures the engine remembers (compiled or not)."""
        return len(_caches.cache(_WHOLE_GRAPHS))

    def segments_cached(self) -> int:
        """How many segment structures the engine remembers (compiled or not)."""
        return len(_caches.cache(_SEGMENTS))

    def clear_structures(self) -> None:
        """Forget every structure and its program, after the pending compiles finish."""
        self.wait()
        _caches.cache(_WHOLE_GRAPHS).clear()
        _caches.cache(_SEGMENTS).clear()

    # ---- when to compile ------------------------------------------------------------------------
    def predicted_compile_s(self, n_nodes: int) -> float:
        return self.compile_floor_s + self.compile_per_node_s * n_nodes

    def should_compile(self, sightings: int, spent_s: float, n_nodes: int) -> bool:
        """Whether a structure seen ``sightings`` times, with ``spent_s`` seconds already spent
        running it per node, should be compiled now."""
        if self.mode == "never" or sightings < self.compile_after:
            return False
        if self.mode == "eager":
            return True
        return spent_s >= self.predicted_compile_s(n_nodes)

    def learn(self, n_nodes: int, seconds: float) -> None:
        """Fold one observed compile time into the per-node estimate."""
        per_node = max(seconds - self.compile_floor_s, 0.0) / max(n_nodes, 1)
        with self._lock:
            self.compile_per_node_s += self.learn_rate * (per_node - self.compile_per_node_s)

    # ---- compiling ------------------------------------------------------------------------------
    def compile(self, fn: Any, example_args: tuple, n_nodes: int) -> Any:
        """``fn`` compiled for arguments shaped like ``example_args``: a ready callable, or a
        :class:`Future` of one when compiling in the background.

        Tracing always happens here, on the caller's thread: it runs node functions' Python,
        and some of that Python touches shared state while it is traced (a compiled
        function's backward replays the user's function with its inputs' storages holding
        tracers). Traced on a worker thread, those tracers were visible to the main thread in
        between (an optimizer step read one). Only XLA's compile of the lowered program, which
        runs no Python of ours, goes to the background."""
        abstract = jax.tree_util.tree_map(_abstract, example_args)
        start = time.perf_counter()
        lowered = jax.jit(fn).lower(*abstract)
        traced_s = time.perf_counter() - start
        if self.mode == "adaptive" and self.background:
            future = self._pool().submit(self._timed_compile, lowered, traced_s, n_nodes)
            with self._lock:
                self._pending.add(future)
            future.add_done_callback(self._done)
            return future
        return self._timed_compile(lowered, traced_s, n_nodes)

    def _timed_compile(self, lowered: Any, traced_s: float, n_nodes: int) -> Any:
        start = time.perf_counter()
        compiled = lowered.compile()
        self.learn(n_nodes, traced_s + time.perf_counter() - start)
        return compiled

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="torchlike_jax-compile")
            return self._executor

    def wait(self, timeout: float | None = None) -> None:
        """Block until every background compile started so far has finished."""
        with self._lock:
            pending = list(self._pending)
        for f in pending:
            try:
                f.result(timeout)
            except Exception:  # a failed compile is recorded by its entry; nothing to wait for
                pass


def _abstract(a: Any) -> Any:
    """A compile-time stand-in: arrays by shape/dtype, Python scalars weakly typed as JAX sees
    them when passed to a jitted function."""
    t = type(a)
    if t is float:
        return jax.ShapeDtypeStruct((), jax.numpy.float64, weak_type=True)
    if t is int:
        return jax.ShapeDtypeStruct((), jax.numpy.int64, weak_type=True)
    if t is complex:
        return jax.ShapeDtypeStruct((), jax.numpy.complex128, weak_type=True)
    return jax.ShapeDtypeStruct(a.shape, a.dtype)


class CompiledEntry:
    """What the engine remembers of one structure (a whole graph or one segment): how often it
    was seen, the seconds spent running it per node, and its program (ready, pending or failed).
    Holds no arrays."""

    __slots__ = ("sightings", "spent", "program", "failed")

    def __init__(self) -> None:
        self.sightings = 0
        self.spent = 0.0
        self.program: Any = None  # a callable, a Future of one, or None
        self.failed = False

    def ready(self) -> Any:
        """The compiled program if it is ready to run (picking up a finished background
        compile), else None."""
        p = self.program
        if p is None or not isinstance(p, Future):
            return p
        if not p.done():
            return None
        try:
            self.program = p.result()
        except Exception:  # XLA refused it: this structure stays per node
            self.program = None
            self.failed = True
        return self.program
