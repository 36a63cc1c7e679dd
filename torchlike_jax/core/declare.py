"""One declaration per op: :func:`op` registers it, builds its public function and publishes it.

An op used to be written in three places (the registration, a wrapper built by a per-family
factory, and a publishing loop further down). ``@op`` does all three where the op is written::

    @op("asin", grad_fn="AsinBackward0", dtype=FLOAT, saves=(0,), upcast=True,
        aliases=("arcsin",), inplace=True)
    def asin(a):
        "Arcsine, elementwise."
        return jnp.arcsin(a)

The decorated function is the JAX implementation (``impl(*arrays)``); what the module name
binds is the public function (``torch.asin``, ``Tensor.asin``, ``Tensor.asin_``,
``torch.arcsin``...), which checks its arguments as torch does and dispatches the registered
:class:`~torchlike_jax.core.registry.OpDef` (reachable as ``asin.op``).

An op whose public signature is not "tensors in, one op out" (Python-scalar parameters, several
ops behind one name) keeps a hand-written public function and declares it with ``impl=``::

    @op("polygamma", impl=_polygamma, grad_fn="PolygammaBackward0", dtype=FLOAT, upcast=True,
        inplace=True, namespace=("torch", "special"))
    def polygamma(n, input):
        return dispatch(polygamma.op, (input,), (n,))

Either way the op is declared once, next to its code; its gradient is ``jax.vjp`` of the impl.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _dtypes as dtypes
from .._dtypes import compute_in_float32, legacy_name
from .dispatch import dispatch
from .registry import PROMOTE, OpDef, register
from .surface import expose, expose_inplace
from .tensor import Tensor

#: dtype kinds an op can refuse, as torch's CPU kernels do (see ``rejects``)
KINDS = ("bool", "int", "float", "complex")


def dtype_kind(dtype: Any) -> str:
    """"bool", "int", "float" or "complex" for a torch dtype."""
    if dtype.is_complex:
        return "complex"
    if dtype.is_floating_point:
        return "float"
    return "bool" if dtype.name == "bool" else "int"


def kernel_error(kernel: str, dtype: Any) -> NotImplementedError:
    """torch's error for a dtype its CPU kernel is not compiled for (``dtype``: a torch dtype,
    or a numpy one, as an impl sees it while tracing)."""
    if not isinstance(dtype, dtypes.dtype):
        dtype = dtypes._BY_NP[np.dtype(dtype)]
    return NotImplementedError(f'"{kernel}" not implemented for \'{legacy_name(dtype)}\'')


def need_tensor(fname: str, x: Any, argname: str = "input", position: int = 1) -> None:
    """torch's TypeError for a non-tensor where its signature only takes a Tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {position}) must be Tensor, "
                        f"not {type(x).__name__}")


def op(name: str, *, grad_fn: str | Callable | None, dtype: str = PROMOTE,
       saves: tuple[int, ...] = (), saves_output: bool = False, upcast: bool = False,
       impl: Callable | None = None, public: str | None = None, aliases: Sequence[str] = (),
       method: bool = True,
       inplace: bool = False, namespace: str | tuple[str, ...] = "torch",
       rejects: dict[str, str] | None = None, inplace_grad_fn: str | None = None,
       inplace_impl: Callable | None = None, doc: str | None = None,
       **opdef: Any) -> Callable[[Callable], Callable]:
    """Declare op ``name``: register it, build or take its public function, publish it.

    grad_fn          torch's node name (a str, or a function of the static params)
    dtype            the dtype rule (``registry.PROMOTE``, ``FLOAT``, ``KEEP``...)
    saves            the inputs torch saves for backward, in its order; ``saves_output``: the
                     result too (both feed torch's "modified by an inplace operation" errors)
    upcast           compute float16/bfloat16 in float32 and round once (torch's opmath): every
                     argument of a generated public function, the first (the tensor) with
                     ``impl=``, whose further arguments are static params
    impl             the JAX implementation, when the decorated function is the hand-written
                     public function; without it the decorated function IS the implementation
                     and the public function takes one tensor per impl argument
    public           the public name when it differs from the registry's (``special.erfcx`` is
                     op ``special_erfcx``); ``aliases``: more public names (``arcsin``);
                     ``method``: also ``Tensor.<name>``; ``inplace``: also ``Tensor.<name>_``;
                     ``namespace``: "torch", "special", "linalg", "nn.functional" or a tuple
    rejects          dtype kind -> torch's CPU kernel name, for the NotImplementedError torch
                     raises on inputs of that kind (``{"bool": "floor_vml_cpu"}``)
    inplace_grad_fn  torch records another node for the in-place method (``AsinhBackward1``):
                     the in-place method dispatches an op of that name, on ``inplace_impl``
                     (default: the same implementation)
    opdef            any further :class:`OpDef` field (``participants``, ``saved_for``...)
    """
    for kind in rejects or ():
        if kind not in KINDS:
            raise ValueError(f"rejects: unknown dtype kind {kind!r}")

    def declare(fn: Callable) -> Callable:
        kernel = impl if impl is not None else fn
        n_arrays = 1 if impl is not None else _arity(fn)
        if upcast:
            kernel = compute_in_float32(kernel, n_arrays)
        opdef_ = register(name, kernel, grad_fn, dtype_rule=dtype, saves_inputs=saves,
                          saves_output=saves_output, **opdef)
        names = (public or name, *aliases)
        public_fn = (fn if impl is not None else
                     _generated_public(names[0], opdef_, fn, rejects, doc))
        public_fn.op = opdef_
        spaces = (namespace,) if isinstance(namespace, str) else namespace
        expose(*names, method=method, inplace=inplace and inplace_grad_fn is None,
               namespace=spaces)(public_fn)
        if inplace and inplace_grad_fn is not None:
            in_impl = inplace_impl if inplace_impl is not None else (impl or fn)
            in_kernel = compute_in_float32(in_impl, n_arrays) if upcast else in_impl
            in_op = register(name + "_", in_kernel, inplace_grad_fn, dtype_rule=dtype,
                             saves_inputs=saves, saves_output=saves_output, **opdef)
            in_public = _generated_public(names[0], in_op, in_impl, rejects, public_fn.__doc__)
            expose_inplace(names, in_public)
        return public_fn

    return declare


def _generated_public(name: str, opdef: OpDef, impl: Callable, rejects: dict[str, str] | None,
                      doc: str | None) -> Callable:
    """The public function of an op whose arguments are all tensors (one per impl argument)."""
    refused = dict(rejects or {})

    def check(args: tuple) -> None:
        for k, x in enumerate(args):
            need_tensor(name, x, "input" if k == 0 else "other", k + 1)
            kernel = refused.get(dtype_kind(x.dtype)) if refused else None
            if kernel is not None:
                raise kernel_error(kernel, x.dtype)

    arity = _arity(impl)
    if opdef.n_out == 1 and arity == 1:
        def public(input: Tensor) -> Tensor:
            check((input,))
            return dispatch(opdef, (input,))
    elif opdef.n_out == 1 and arity == 2:  # torch's binary signature: ``other=`` by keyword too
        def public(input: Tensor, other: Tensor) -> Tensor:
            check((input, other))
            return dispatch(opdef, (input, other))
    else:
        def public(*args: Tensor) -> Any:
            check(args)
            return dispatch(opdef, args)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = doc if doc is not None else impl.__doc__
    return public


def _arity(fn: Callable) -> int:
    code = getattr(fn, "__code__", None)
    if code is None:
        return 1
    return code.co_argcount


