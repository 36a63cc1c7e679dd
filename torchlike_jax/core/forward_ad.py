"""Forward-mode AD state: the dual level, the tangent of each tensor, and their propagation.

Why it lives in core: every op goes through :func:`~torchlike_jax.core.dispatch.dispatch`, so
the one place that can give every op's output a tangent is there, next to the primal kernel.
No derivative formulas: an output's tangent is ``jax.jvp`` of the very pure function the op ran
(and a graph node stores), jit-compiled once per (function, which inputs carry tangents) in
the bounded ``op_jvp`` cache. Python scalars among the inputs stay runtime arguments, as in the
primal call.

A tangent is a raw array held in :data:`tangents`, keyed by the tensor's ``id`` and dropped by
a weak-reference callback when the tensor dies, or all at once when the level exits. The tangent
tensor given to ``make_dual`` is kept as a *handle* instead: ``unpack_dual`` hands back that very
tensor, an in-place write to it is the dual's new tangent, and an in-place op on the dual writes
its new tangent into it (torch re-uses the tangent as-is, sharing its memory). Nothing
is added to the ``Tensor`` handle, and dispatch's whole cost when no tensor holds a tangent is
one truthiness test of that dict.

Views: a view op's output gets its tangent from the jvp (the view of its input's tangent).
After an in-place write, :func:`refresh_views` re-derives the tangent of every live view of the
written base from the base's tangent, so a view's tangent stays the view of its base's, as in
torch. ``make_dual`` outputs (and ``unpack_dual`` primals) are *roots*: views of their primal
for values, but with a tangent of their own (torch's dual is a view its base does not share a
tangent with); views taken from a root derive their tangent from the root's.

Both mixes with reverse mode work. Forward-over-reverse (a Hessian-vector product): each node
recorded while tangents exist remembers its inputs' tangents, and a ``create_graph`` backward
step pushes them through the node's vjp (:func:`propagate_backward`: ``jax.jvp`` of
``jax.vjp``). Reverse-over-forward: when grad mode is on and an input or an input's tangent
requires grad, the tangent computation itself is recorded as a node (its function is the
cached jvp function), so a tangent can be differentiated backwards.

The level is process-global, as torch's ``_current_level`` is.
"""

from __future__ import annotations

import weakref
from typing import Any

import jax

from .. import _caches
from . import grad_mode
from .kernels import call_raw
from .registry import NodeSpec
from .views import COPY_SLICES, VIEW_CHAIN

__all__ = ["state", "tangents", "get", "put", "propagate", "clear", "suspend", "resume"]


class _State:
    """The current dual level (-1: none), shared by every thread as torch's is."""

    level: int = -1


state = _State()

#: id(tensor) -> (weak reference to the tensor, its tangent array, the tangent tensor given to
#: ``make_dual`` (whose array is then the tangent) or None, a tangent tensor with a graph of its
#: own (recorded when grad mode is on and something requires grad) or None)
tangents: dict[int, tuple[Any, Any, Any, Any]] = {}
#: id(tensor) -> weak reference, for ``make_dual`` outputs / ``unpack_dual`` primals
_roots: dict[int, Any] = {}
#: id(graph node) -> (weak reference to it, input positions, their tangents at record time)
_node_tangents: dict[int, tuple[Any, tuple, tuple]] = {}
_jvps = _caches.cache("op_jvp")


def _forget(key: int) -> Any:
    def drop(_ref: Any) -> None:
        tangents.pop(key, None)
        _roots.pop(key, None)
    return drop


def _value(e: Any) -> Any:
    return e[1] if e[2] is None else e[2]._st.array


def _entry(t: Any) -> Any:
    e = tangents.get(id(t))
    return None if e is None or e[0]() is not t else e


def get(t: Any) -> Any:
    """The tangent array of tensor ``t`` (None when it has none)."""
    e = _entry(t)
    return None if e is None else _value(e)


def tangent_tensor(t: Any) -> Any:
    """``t``'s tangent as a tensor: ``make_dual``'s own, the recorded one, or a new handle."""
    e = _entry(t)
    if e is None:
        return None
    if e[2] is not None:
        return e[2]
    return e[3] if e[3] is not None else type(t)._wrap(e[1])


def put(t: Any, tangent: Any, inplace: bool = False, graph: Any = None) -> None:
    """Give ``t`` the tangent array ``tangent`` (None removes it); ``graph``: the same tangent as
    a tensor with autograd history. ``inplace``: an in-place op on ``t``, which writes the new
    tangent into a ``make_dual`` tangent tensor, as torch does."""
    key = id(t)
    if tangent is None:
        tangents.pop(key, None)
        return
    e = _entry(t)
    if inplace and e is not None and e[2] is not None:
        st = e[2]._st
        st.array = tangent.astype(st.array.dtype)
        st.version += 1
        return
    ref = e[0] if e is not None else weakref.ref(t, _forget(key))
    tangents[key] = (ref, tangent, None, graph)


def take(t: Any, result: Any) -> None:
    """An in-place op on ``t`` produced ``result``: ``t`` takes over its tangent."""
    e = _entry(result)
    if e is None:
        put(t, None)
    else:
        put(t, _value(e), inplace=True, graph=e[3])


def put_handle(t: Any, tangent: Any) -> None:
    """Give ``t`` the tangent *tensor* ``tangent`` as-is (``make_dual``)."""
    key = id(t)
    tangents[key] = (weakref.ref(t, _forget(key)), None, tangent, None)


def mark_root(t: Any) -> None:
    """``t`` owns its tangent even though it is a view (``make_dual``, ``unpack_dual``)."""
    key = id(t)
    _roots[key] = weakref.ref(t, _forget(key))


def suspend() -> dict:
    """Hide every tangent (a custom Function's ``forward``/``jvp`` sees plain tensors, as in
    torch); returns what :func:`resume` puts back."""
    saved = dict(tangents)
    tangents.clear()
    return saved


def resume(saved: dict) -> None:
    """Undo :func:`suspend`: the still-live tensors get their tangents back."""
    for key, e in saved.items():
        if e[0]() is not None:
            tangents.setdefault(key, e)


def clear() -> None:
    """Drop every tangent (the level exits)."""
    tangents.clear()
    _roots.clear()
    _node_tangents.clear()


def _jvp_of(fn: Any, idx: tuple[int, ...], n: int) -> tuple[Any, Any]:
    """(pure ``(*inputs, *tangents) -> output tangents`` of ``fn`` with respect to its ``n``
    inputs at ``idx``, its jit): the others are constants. The pure function is what a node
    records when the tangents themselves need a graph (reverse-over-forward)."""
    key = (fn, idx, n)
    hit = _jvps.get(key)
    if hit is not None and hit[1]._cache_size() >= _caches.SIGNATURES_PER_JIT:
        _jvps.pop(key)
        hit = None
    if hit is None:
        def tangent_fn(*xs: Any) -> tuple:
            arrays, tans = xs[:n], xs[n:]

            def partial(*diff: Any) -> tuple:
                ins = list(arrays)
                for k, v in zip(idx, diff, strict=True):
                    ins[k] = v
                return fn(*ins)
            prims = [arrays[k] for k in idx]
            tans = [t.astype(p.dtype) if t.dtype != p.dtype else t
                    for t, p in zip(tans, prims, strict=True)]
            return tuple(jax.jvp(partial, prims, tans)[1])
        tangent_fn.__name__ = getattr(fn, "__name__", "jvp")
        hit = (tangent_fn, jax.jit(tangent_fn))
        _jvps[key] = hit
    return hit


def propagate(fn: Any, args: tuple, arrays: list, results: tuple, record: Any = None,
              node_cls: Any = None) -> None:
    """Give ``results`` (the outputs of ``fn(*arrays)``) the tangents that the tangents of
    ``args`` (the tensors and scalars ``arrays`` came from) push through ``fn``.

    ``record`` (dispatch's ``record_node``) with ``node_cls``: when grad mode is on and an input
    or an input's tangent requires grad, the tangent computation is recorded as a node too, so
    that a tangent can be differentiated backwards (reverse-over-forward)."""
    idx = []
    tans = []
    entries = []
    for k, a in enumerate(args):
        e = tangents.get(id(a))
        if e is not None and e[0]() is a:
            idx.append(k)
            tans.append(_value(e))
            entries.append(e)
    if not idx:
        return
    n = len(arrays)
    tangent_fn, jitted = _jvp_of(fn, tuple(idx), n)
    try:
        outs = jitted(*arrays, *tans)
    except TypeError as e:  # an op JAX has no forward rule for: torch's "no derivative" ops
        if "custom_vjp" not in str(e):
            raise
        raise NotImplementedError(
            f"Trying to use forward AD with {getattr(fn, '__name__', 'this op')} that does not "
            "support it because it has not been implemented yet.") from None
    graphs = None
    if record is not None and node_cls is not None and grad_mode._local.grad_enabled:
        tan_ts = [e[2] if e[2] is not None else e[3] for e in entries]
        if any(getattr(a, "_requires_grad", False) for a in args) or any(
                t is not None and t._requires_grad for t in tan_ts):
            wrap = type(results[0])._wrap
            tan_ts = [wrap(tans[j]) if t is None else t for j, t in enumerate(tan_ts)]
            graphs = tuple(wrap(o) for o in outs)
            diff = tuple(i for i, r in enumerate(results) if r._st.array.dtype.kind in "fc"
                         or r._st.array.dtype.name == "bfloat16")
            if diff:
                record(NodeSpec(diff), node_cls, tangent_fn, (*args, *tan_ts),
                       [*arrays, *tans], graphs)
    _put_all(results, outs, graphs)
    for r in results:  # the node just recorded (if any) remembers its inputs' tangents
        node = r._grad_fn
        if node is not None:
            key = id(node)
            _node_tangents[key] = (weakref.ref(node, lambda _r, k=key: _node_tangents.pop(k, None)),
                                   tuple(idx), tuple(tans))
            break


def _put_all(results: tuple, outs: Any, graphs: tuple | None = None) -> None:
    for i, (r, t) in enumerate(zip(results, outs, strict=True)):
        if r._st.array.dtype.kind in "fcV":
            put(r, t, graph=None if graphs is None else graphs[i])


def propagate_backward(node: Any, backward_fn: Any, arrays: tuple, cotangents: list,
                       results: list) -> None:
    """Forward-over-reverse: tangents for the gradients that ``create_graph`` backward computed
    at ``node`` (``results = backward_fn(*arrays)``, ``arrays`` = the node's inputs then the
    cotangents), from the tangents the node's inputs had when it was recorded and those of the
    incoming ``cotangents`` (tensors or None). ``jax.jvp`` of a ``jax.vjp``: a Hessian-vector
    product when the cotangent is a gradient."""
    e = _node_tangents.get(id(node))
    idx, tans = ([], []) if e is None or e[0]() is not node else (list(e[1]), list(e[2]))
    n_in = len(arrays) - len(cotangents)
    for j, c in enumerate(cotangents):
        tan = None if c is None else get(c)
        if tan is not None:
            idx.append(n_in + j)
            tans.append(tan)
    if idx:
        _put_all(results, _jvp_of(backward_fn, tuple(idx), n_in + len(cotangents))[1](
            *arrays, *tans))


def _root_above(view: Any, base: Any) -> tuple[Any, tuple] | None:
    """The live root (a ``make_dual`` output) that ``view`` was taken from, with the rest of
    the chain from the root to ``view``; ``view`` itself counts."""
    chain = view._st.chain
    best = None
    for ref in list(_roots.values()):
        r = ref()
        if r is None or r._base is not base:
            continue
        rc = r._st.chain
        if chain[:len(rc)] == rc and (best is None or len(rc) > len(best[0]._st.chain)):
            best = (r, chain[len(rc):])
    return best


def _view_of(arr: Any, chain: tuple) -> Any:
    return call_raw(VIEW_CHAIN, (arr,), (chain,))[0] if chain else arr


def before_write_through(view: Any) -> tuple | None:
    """Called before a view's new value is written into its base: if the view hangs off a
    root, remember the base's tangent so the write changes the root's tangent instead."""
    base = view._base
    found = _root_above(view, base)
    if found is None:
        return None
    return found, get(base)


def after_write_through(view: Any, result: Any, token: tuple) -> None:
    """Finish a write through a root's view: restore the base's tangent, update the root's."""
    (root, rest), base_tangent = token
    base = view._base
    put(base, base_tangent)
    new = get(result)
    if not rest:
        put(root, new, inplace=True)
    elif new is not None or get(root) is not None:
        old = get(root)
        if old is None:
            old = jax.numpy.zeros(root._st.array.shape, new.dtype)
        if new is None:
            new = jax.numpy.zeros(view._st.array.shape, old.dtype)
        put(root, call_raw(COPY_SLICES, (old, new), (rest,))[0], inplace=True)
    refresh_views(base)


def refresh_views(base: Any) -> None:
    """Re-derive the tangents of ``base``'s live views after an in-place write."""
    views = base._views
    if not views:
        return
    bt = get(base)
    for w in views:
        v = w()
        if v is None or id(v) in _roots or getattr(v._st, "base_st", None) is not base._st:
            continue
        found = _root_above(v, base)
        if found is not None:
            rt = get(found[0])
            put(v, None if rt is None else _view_of(rt, found[1]))
        else:
            put(v, None if bt is None else _view_of(bt, v._st.chain))
