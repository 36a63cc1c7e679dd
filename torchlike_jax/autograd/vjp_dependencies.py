"""Which inputs each output of a recorded backward actually uses (``create_graph=True``).

Under ``create_graph`` the gradient of a node is itself recorded as a node of the new graph. Torch
builds that graph from the backward formula's own ops, so a gradient that uses no differentiable
input is a constant: ``grad((x * 2).sum(), x, create_graph=True)`` is ``2``, with
``requires_grad=False`` and no ``grad_fn``. Here the backward is one JAX function of the node's
inputs and the incoming gradients; tracing it once to a jaxpr and following its data flow says,
for each output, which arguments it reads, so an output that reads none with an edge is left
without a graph. The answer is cached per (function, mask, argument shapes/dtypes), bounded.
"""

from __future__ import annotations

from typing import Any

import jax

from .. import _caches

_deps_cache = _caches.cache("vjp_dependencies")


def _aval(a: Any) -> Any:
    if a is None:
        return None
    shape = getattr(a, "shape", None)
    return type(a) if shape is None else (tuple(shape), str(a.dtype))


def output_dependencies(fn: Any, key: Any, args: tuple) -> tuple[frozenset, ...] | None:
    """Per output of ``fn(*args)`` (a flat tuple of arrays), the indices of the arguments it
    depends on; None when the outputs are not a flat tuple (then assume everything is used).
    ``key`` identifies ``fn``'s structure (the cache key, with the arguments' avals)."""
    ck = (key, tuple(_aval(a) for a in args))
    hit = _deps_cache.get(ck)
    if hit is None:
        hit = _trace(fn, args)
        _deps_cache[ck] = hit
    return hit


def _trace(fn: Any, args: tuple) -> tuple[frozenset, ...] | None:
    jaxpr = jax.make_jaxpr(fn)(*args).jaxpr
    seeds = []
    for i, a in enumerate(args):
        seeds.extend(frozenset((i,)) for _ in jax.tree_util.tree_leaves(a))
    if len(seeds) != len(jaxpr.invars):
        return None
    return _flow(jaxpr, seeds)


_EMPTY: frozenset = frozenset()
_SUB_JAXPRS = ("jaxpr", "call_jaxpr", "fun_jaxpr")


def _flow(jaxpr: Any, seeds: list) -> tuple[frozenset, ...]:
    """Follow the data flow of ``jaxpr`` from its inputs (``seeds``: what each one carries)."""
    deps: dict = dict(zip(jaxpr.invars, seeds, strict=True))
    for eqn in jaxpr.eqns:
        ins = [deps.get(v, _EMPTY) if _is_var(v) else _EMPTY for v in eqn.invars]
        inner = _sub_jaxpr(eqn)
        if inner is not None:  # a nested jit: follow its own flow
            outs = _flow(inner, ins)
        else:  # any other primitive (control flow included): each output uses every input
            used = _EMPTY.union(*ins)
            outs = tuple(used for _ in eqn.outvars)
        for v, d in zip(eqn.outvars, outs, strict=True):
            deps[v] = d
    return tuple(deps.get(v, _EMPTY) if _is_var(v) else _EMPTY for v in jaxpr.outvars)


def _sub_jaxpr(eqn: Any) -> Any:
    """The jaxpr a call-like primitive runs on exactly its operands, or None."""
    for name in _SUB_JAXPRS:
        sub = eqn.params.get(name)
        if sub is None:
            continue
        sub = getattr(sub, "jaxpr", sub)  # a ClosedJaxpr holds its Jaxpr
        if (hasattr(sub, "eqns") and len(sub.invars) == len(eqn.invars)
                and len(sub.outvars) == len(eqn.outvars)):
            return sub
    return None


def _is_var(v: Any) -> bool:
    """A jaxpr variable (a Literal is a constant and depends on nothing)."""
    return not hasattr(v, "val")
