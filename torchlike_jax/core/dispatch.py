"""The single dispatch path: unwrap → promote → compute (cached jit) → wrap → record a node.

Every tensor method, ``torch.*`` function and operator ends up in :func:`dispatch`, and
:func:`record_node` is the one place graph nodes are made (custom ``autograd.Function`` and
``create_graph`` backward record theirs through it too). The compute step itself, a cached
``jax.jit`` of the op's pure function, is :mod:`~torchlike_jax.core.kernels`.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import jax
import numpy as np

from .. import _dtypes
from . import (
    anomaly_mode,
    forward_ad,
    grad_mode,
    graph,
    host_storage,
    kernels,
    profiling,
    transforms,
)
from .dims import broadcast_shapes
from .graph import SavedRef, grad_accumulator
from .registry import COMPARE, FLOAT, KEEP, PROMOTE, SUM, OpDef
from .tensor import Tensor
from .views import make_views

_host_pending = host_storage.pending

_func_state = transforms.state  # running torch.func transforms (see core/transforms.py)
_fw_tangents = forward_ad.tangents  # non-empty only while some tensor holds a forward tangent
_profiling = profiling.state


class _InplaceState(threading.local):
    """Per-thread dtype that an in-place method forces on the op it runs (None otherwise)."""

    out_dtype: _dtypes.dtype | None = None


inplace_state = _InplaceState()


def value_is_abstract(tensor: Any) -> bool:
    """True inside ``compile`` / ``torch.func`` traces, where a tensor has no value yet. Host-side
    value checks (torch's 'out of bounds' errors) are skipped there, as a device-side assert
    would be, so that a compiled training step does not become a graph break."""
    return isinstance(tensor._st.array, jax.core.Tracer)


def _dtype_of(x: Any) -> _dtypes.dtype:
    return _dtypes._BY_NP[x.dtype]


def _decide_dtypes(op: OpDef, args: tuple, out_dtype: _dtypes.dtype | None):
    """Torch's result dtype for this call: returns (compute dtype, output dtype) as torch dtypes."""
    rule = op.dtype_rule
    if out_dtype is None:
        out_dtype = inplace_state.out_dtype
    if rule == KEEP:
        return None, out_dtype
    part = op.participants
    cdt = _fast_promote(args) if part is None and rule != SUM else None
    if cdt is None:
        cdt = _promote_slow(op, args, part, rule)
    if rule == SUM:
        return cdt, out_dtype or cdt
    if rule == FLOAT and cdt.category < _dtypes._FLOAT:
        if op.float_only:
            raise RuntimeError(op.float_only.format(dtype=_dtypes.legacy_name(cdt)))
        cdt = _dtypes.get_default_dtype()
    if out_dtype is not None and out_dtype.category < cdt.category and rule != COMPARE:
        if out_dtype is inplace_state.out_dtype and isinstance(args[0], Tensor):
            # torch checks that the result fits ``self`` before the cast (error path only)
            shape = broadcast_shapes(*(a._st.array.shape for a in args if isinstance(a, Tensor)))
            if tuple(shape) != args[0]._st.array.shape:
                raise RuntimeError(f"output with shape {list(args[0]._st.array.shape)} doesn't "
                                   f"match the broadcast shape {list(shape)}")
        raise RuntimeError(f"result type {_dtypes.legacy_name(cdt)} can't be cast to the "
                           "desired output "
                           f"type {_dtypes.legacy_name(out_dtype)}")
    if rule == FLOAT:
        return cdt, out_dtype or cdt
    if rule == COMPARE:
        return cdt, _dtypes.bool_
    return cdt, out_dtype or cdt


_SCALAR_CATEGORY = {bool: _dtypes._BOOL, int: _dtypes._INT, float: _dtypes._FLOAT}


def _fast_promote(args: tuple) -> _dtypes.dtype | None:
    """The common cases without the general algorithm: one tensor, two tensors of one dtype, or
    a tensor with a Python scalar of no higher category. None means "use the general rule"."""
    a = args[0]
    if not isinstance(a, Tensor):
        return None
    d = _dtypes._BY_NP[a._st.array.dtype]
    if len(args) == 1:
        return d
    if len(args) != 2:
        return None
    b = args[1]
    tb = type(b)
    if isinstance(b, Tensor):
        return d if b._st.array.dtype == a._st.array.dtype else None
    cat = _SCALAR_CATEGORY.get(tb)
    return d if cat is not None and d.category >= cat else None


def _promote_slow(op: OpDef, args: tuple, part, rule: str) -> _dtypes.dtype:
    """Torch's full promotion: dim tensors, then 0-dim tensors, then scalars, by category."""
    dims = zeros = scal = None
    for i, a in enumerate(args):
        if part is not None and i not in part:
            continue
        if isinstance(a, Tensor):
            d = _dtypes._BY_NP[a._st.array.dtype]
            if a._st.array.ndim:
                dims = d if dims is None else _dtypes.promote_types(dims, d)
            else:
                zeros = d if zeros is None else _dtypes.promote_types(zeros, d)
        elif a is not None:
            d = _dtypes.scalar_dtype(a)
            scal = d if scal is None else _dtypes.promote_types(scal, d)
    if rule == SUM:
        src = dims or zeros
        return _dtypes.int64 if src.category < _dtypes._FLOAT else src
    return _dtypes.result_type(dims, zeros, scal)


_PY_SCALARS = frozenset((bool, int, float, complex))
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _scalar_host(value: Any, np_dtype: np.dtype | None) -> np.ndarray:
    """A scalar as a host array of ``np_dtype``, wrapping like torch (``uint8_t + -1``) and, like
    torch, silently overflowing to inf (``half_tensor + 1e300``); ints beyond 64 bits raise."""
    arr = np.asarray(value)
    if np_dtype is None or arr.dtype == np_dtype:
        return arr
    if arr.dtype == object:  # a Python int outside [-2**63, 2**64): torch refuses it
        raise OverflowError("int too big to convert" if value > 0 else
                            "can't convert negative int to unsigned")
    with np.errstate(over="ignore"):
        return arr.astype(np_dtype)


def dispatch(op: OpDef, args: tuple, params: tuple = (), out_dtype: _dtypes.dtype | None = None):
    """Run ``op`` on tensors/scalars ``args`` with static ``params``; returns Tensor(s).

    ``out_dtype`` forces the result dtype (in-place ops write back into their own dtype).
    """
    if _profiling.active:  # torch.profiler is recording: time this op (core/profiling.py)
        return profiling.timed(op.name, dispatch, op, args, params, out_dtype)
    cdt, odt = _decide_dtypes(op, args, out_dtype)
    cnp = cdt.np if cdt is not None else None
    arrays = []
    needs_grad = False
    for a in args:
        if isinstance(a, Tensor):
            arrays.append(a._st.array)
            needs_grad = needs_grad or a._requires_grad
        elif a is None:
            arrays.append(None)
        elif type(a) in _PY_SCALARS:
            if type(a) is int and not _INT64_MIN <= a <= _INT64_MAX:
                arrays.append(_scalar_host(a, cnp))  # raises torch's overflow error
            else:  # a runtime argument: weakly typed, cast by the op's function like torch
                arrays.append(a)
        else:
            arrays.append(_scalar_host(a, cnp))
    onp = odt.np if odt is not None else None
    lifted = kernels.call_lifted(op, params, cnp, onp, arrays)
    if lifted is not None:
        (fn, _, node_cls), outs, rt = lifted
    else:
        rt = ()
        fn, jfn, node_cls = kernels.compiled(op, params, cnp, onp)
        try:
            outs = jfn(*arrays)
        except (TypeError, ValueError):
            if op.dtype_rule in (PROMOTE, FLOAT, COMPARE):  # elementwise: broadcast message
                broadcast_shapes(*(np.shape(a) for a in arrays if a is not None))
            raise
    if _host_pending.touched:  # an input shares memory with numpy: finish before numpy writes
        host_storage.settle(outs)
    if rt:  # the node's function takes the runtime scalars as trailing inputs without edges
        args = (*args, *((None,) * len(rt)))
        arrays = [*arrays, *rt]
    local = grad_mode._local
    if not local.grad_enabled and _func_state.rev:  # no_grad inside torch.func.grad & co
        outs = transforms.stop_no_grad(outs)
    wrap = Tensor._wrap
    inference = local.inference_mode
    # inference mode records nothing, even with enable_grad() inside it (as torch)
    needs_grad = needs_grad and local.grad_enabled and not inference
    if op.n_out == 1:
        result = wrap(outs[0], inference)
        if needs_grad and node_cls is not None:
            record_node(op, node_cls, fn, args, arrays, (result,), n_rt=len(rt))
        if _fw_tangents:
            forward_ad.propagate(fn, args, arrays, (result,), record_node, node_cls)
        if op.view:
            make_views(op, params, args[0], (result,))
        return result
    results = tuple([wrap(o, inference) for o in outs])
    if needs_grad and node_cls is not None:
        record_node(op, node_cls, fn, args, arrays, results, n_rt=len(rt))
    if _fw_tangents:
        forward_ad.propagate(fn, args, arrays, results, record_node, node_cls)
    if op.view:
        make_views(op, params, args[0], results)
    return results


def record_node(op: OpDef, node_cls: type, fn: Any, args: tuple, arrays: list,
                results: tuple, saved_tensors: tuple = (), n_rt: int = 0) -> Any:
    """Append the node for one dispatched call and link its differentiable outputs to it;
    returns the node (None when no output is differentiable).

    ``saved_tensors``: extra ``(tensor, is_output)`` pairs checked for in-place changes at
    backward (what a custom ``autograd.Function`` passed to ``ctx.save_for_backward``).
    ``n_rt``: how many trailing ``args`` are runtime scalars (inputs of ``fn`` that torch does
    not count as inputs of the node: hidden from ``next_functions`` and hooks).
    """
    diff = [i for i in op.diff_outputs if results[i]._st.array.dtype.kind in "fcV"]
    if not diff:
        return None
    edges = []
    inputs = arrays
    limit = graph.recompute_min_bytes
    scalar_inputs = op.scalar_inputs
    hidden: tuple = ()
    for k, a in enumerate(args):
        if isinstance(a, Tensor):
            if a._st.numpy_shared and a._base is None and not node_cls.python_backward:
                # its array reads numpy's memory, which a later in-place op (or numpy) rewrites:
                # the node keeps a snapshot, as it keeps every other input's immutable array
                # (a Python node keeps only shapes and dtypes)
                if inputs is arrays:
                    inputs = list(arrays)
                inputs[k] = arrays[k].copy()
            gf = a._grad_fn
            if gf is not None:
                edges.append((gf, a._output_nr))
                arr = arrays[k]
                # never dropped: what a Python node produced (it cannot be recomputed by JAX)
                # or what a Python node consumes (it keeps only shapes/dtypes)
                if (limit is not None and not gf.python_backward
                        and not node_cls.python_backward
                        and arr.size * arr.dtype.itemsize >= limit):
                    if inputs is arrays:
                        inputs = list(arrays)
                    inputs[k] = None  # recomputed from ``gf`` at backward
            elif a._requires_grad:
                if a._base is not None and a._st.meta:
                    # a view made in no_grad / inference mode: torch's edge goes nowhere, and
                    # one whose base changed since refuses to be used
                    if a._st.invalid is not None:
                        a.grad_fn  # noqa: B018 (raises torch's error)
                    edges.append(None)
                else:
                    edges.append((grad_accumulator(a), 0))
            else:
                edges.append(None)
        else:
            edges.append(None)
            if a is not None and scalar_inputs is not None and k not in scalar_inputs:
                hidden = (*hidden, k)  # a Python number given to a Scalar argument
    if op.hidden_inputs:
        hidden = (*hidden, *(k for k in op.hidden_inputs if k < len(edges) and edges[k] is None))
    saved = ()
    packing = None
    saved_inputs: list = []
    saves = bool(op.saves_inputs or op.saves_output or saved_tensors or op.frees)
    if saves:
        hooks = graph._saved_hooks.stack
        packing = hooks[-1] if hooks else None  # saved_tensors_hooks: pack instead of check
        saved = []
        for i in op.saves_inputs:
            a = args[i]
            cond = op.saved_for
            if cond is not None and i in cond and all(edges[j] is None for j in cond[i]):
                continue  # torch saves it only for a gradient nobody needs
            if isinstance(a, Tensor):
                if a._inference:
                    raise RuntimeError(
                        "Inference tensors cannot be saved for backward. Please do not use "
                        "Tensors created in inference mode in computation tracked by autograd. "
                        "To work around this, you can make a clone to get a normal tensor and use "
                        "it in autograd, or use `torch.no_grad()` instead of "
                        "`torch.inference_mode()`.")
                if packing is None:
                    saved.append(SavedRef(weakref.ref(a._st), a._st.version, weakref.ref(a),
                                          False, a._grad_fn is not None))
                else:
                    saved_inputs.append(i)
        if op.saves_output and packing is None:
            r = results[0]
            saved.append(SavedRef(weakref.ref(r._st), r._st.version, None, True))
        for t, is_output in saved_tensors if packing is None else ():
            saved.append(SavedRef(weakref.ref(t._st), t._st.version,
                                  None if is_output else weakref.ref(t), is_output,
                                  not is_output and t._grad_fn is not None))
        saved = tuple(saved)
    avals = tuple((o._st.array.shape, o._st.array.dtype) for o in results)
    node = node_cls(fn, tuple(inputs), tuple(edges), avals, saves, saved)
    if n_rt:
        node.n_rt = n_rt
    if hidden:
        node.hidden = frozenset(hidden)
    for i in diff:
        r = results[i]
        r._grad_fn = node
        r._output_nr = i
        r._requires_grad = True
    if packing is not None:
        _pack(node, packing, op, args, results, saved_inputs)
    if anomaly_mode._state.enabled:
        anomaly_mode.store_stack(node)
    return node


def _pack_one(pack: Any, t: Tensor) -> Any:
    """``pack(t)``, refusing a hook that wrote into ``t`` (torch compares its version)."""
    version = t._st.version
    out = pack(t)
    if t._st.version != version:
        raise RuntimeError(
            "A saved tensor pack hook is modifying its input in place. Tensors provided as input "
            "to pack hook cannot be modified by in-place operations as this can lead to "
            "unexpected side-effects. Please open an issue if you need to perform in-place "
            "operations on the input to a pack hook.")
    return out


def _pack(node: Any, hooks: tuple, op: OpDef, args: tuple, results: tuple,
          saved_inputs: list) -> None:
    """Run the active ``saved_tensors_hooks`` pack hook on what torch would save (grad off)."""
    pack, unpack = hooks
    local = grad_mode._local
    prev = local.grad_enabled
    local.grad_enabled = False
    try:
        packed = [(i, _pack_one(pack, args[i]), unpack) for i in saved_inputs]
        if op.saves_output:
            packed.append((-1, _pack_one(pack, results[0]), unpack))
    finally:
        local.grad_enabled = prev
    node.packed = tuple(packed)
