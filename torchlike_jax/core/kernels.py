"""The cached jit call of one op on raw arrays: the compute step of dispatch.

Why each op is a cached ``jax.jit`` of a small pure function: a cached jit call costs about 8 µs,
eager ``jax.numpy`` about 13 µs, and the same pure function is what a graph node stores for the
engine to differentiate, so forward and backward can never disagree. This module knows arrays,
dtypes and params only (no tensors, no autograd), so the view machinery can use it below
:mod:`~torchlike_jax.core.dispatch`.
"""

from __future__ import annotations

import jax
import numpy as np

from .. import _caches
from .graph import node_class
from .params import fill_params, split_params
from .registry import OpDef


def _pure(op: OpDef, params: tuple, cdt: np.dtype | None, odt: np.dtype | None,
          part: tuple[int, ...] | None, n_rt: int = 0):
    """The pure JAX function a node stores: casts, then ``op.impl``; always returns a tuple.

    With ``n_rt`` runtime scalars, the last ``n_rt`` arguments fill the slots of ``params``."""
    impl = op.impl
    multi = op.n_out > 1

    def fn(*xs):
        ps = params
        if n_rt:
            ps = fill_params(params, iter(xs[-n_rt:]))
            xs = xs[:-n_rt]
        if cdt is not None:
            xs = tuple(x.astype(cdt) if (part is None or i in part) and x is not None
                       and x.dtype != cdt else x for i, x in enumerate(xs))
        out = impl(*xs, *ps)
        if not multi:
            out = (out,)
        if odt is not None:
            out = tuple(o.astype(odt) if i == 0 and o.dtype != odt else o
                        for i, o in enumerate(out))
        return out

    fn.__name__ = op.name
    fn.op, fn.params = op, params  # what a node's ``_saved_<name>`` attributes read back
    return fn


_jits = _caches.cache("op_jit")
_static_only = _caches.cache("op_static")


def compiled(op: OpDef, params: tuple, cdt: np.dtype | None, odt: np.dtype | None,
             n_rt: int = 0, name_params: tuple | None = None):
    """(pure fn, its jitted version, grad_fn class), cached per op, static params and dtypes.

    ``params`` may be a skeleton holding ``n_rt`` runtime slots (see :func:`split_params`);
    ``name_params`` are the full params, to name the grad_fn."""
    key = (op, params, cdt, odt)
    if n_rt and callable(op.grad_fn):  # a name that may depend on a lifted value: key on it
        key = (*key, op.grad_fn_name(name_params))
    hit = _jits.get(key)
    if hit is not None and hit[1]._cache_size() >= _caches.SIGNATURES_PER_JIT:
        _jits.pop(key)  # shape churn: start a fresh function, dropping the old executables
        hit = None
    if hit is None:
        fn = _pure(op, params, cdt, odt, op.participants, n_rt)
        name = (op.grad_fn_name(params if name_params is None else name_params)
                if op.grad_fn is not None else None)
        hit = (fn, jax.jit(fn), node_class(name) if name else None)
        _jits[key] = hit
    return hit


def call_lifted(op: OpDef, params: tuple, cdt: np.dtype | None, odt: np.dtype | None,
                 arrays: list | tuple):
    """Run ``op`` with its Python floats / runtime ints lifted out of ``params`` as trailing
    arguments: ``((fn, jitted, grad_fn class), outputs, runtime values)``, or None when there is
    nothing to lift or the impl needs a value concretely (a shape, a branch, a torch-style
    check): that (op, skeleton) then stays static from now on, and the caller's static call
    re-raises a genuine error with its own message."""
    rt: list = []
    skel = split_params(params, rt) if params else params
    if not rt or (op, skel) in _static_only:
        return None
    hit = compiled(op, skel, cdt, odt, len(rt), params)
    try:
        outs = hit[1](*arrays, *rt)
    except Exception:
        _static_only[(op, skel)] = True
        return None
    return hit, outs, rt


def call_raw(op: OpDef, arrays: tuple, params: tuple):
    """``op`` on raw arrays with its Python floats / runtime ints lifted (no tensors, no
    autograd, no casts): the cached jit call the view machinery uses."""
    lifted = call_lifted(op, params, None, None, arrays)
    return lifted[1] if lifted is not None else compiled(op, params, None, None)[1](*arrays)
