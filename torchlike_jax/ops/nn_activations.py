"""torch.nn.functional activations: relu family, smooth activations, shrinkage, softmax family.

Each activation is one op declared with :func:`~torchlike_jax.core.declare.op` next to its code,
whose ``grad_fn`` is torch's (``GeluBackward0``, ``SoftmaxBackward0``, ...), so the recorded
graph looks like torch's even where torch builds the function from pieces. Half-precision inputs
are computed in float32 and rounded once (torch's CPU "opmath"), which keeps float16/bfloat16
results within one rounding of torch's. Kinks use ``jnp.where`` so that JAX's derivative picks
the branch torch's backward formula picks. Functions that run another op (``relu6``, ``selu``),
or choose between kernels (``rrelu``), are published with ``expose`` on their definition.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .._dtypes import legacy_name, upcast_half
from ..core.declare import need_tensor, op
from ..core.dims import norm_dim
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, PROMOTE, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from . import elementwise

_NN = "nn.functional"


# ---- shared helpers (also used by the layer and loss modules) --------------------------------
def need_float(x: Any, kernel: str) -> None:
    """torch's ``"kernel" not implemented for 'Long'`` for integer/bool input to a float kernel."""
    d = x.dtype
    if not (d.is_floating_point or d.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{legacy_name(d)}\'')


def maybe_inplace(input: Any, out: Any, inplace: bool) -> Any:
    """``inplace=True``: write ``out`` into ``input`` like torch's ``F.x(..., inplace=True)``."""
    if not inplace:
        return out
    input._check_inplace()
    return input._rebind(out)


# ---- kernel helpers -----------------------------------------------------------------------------
class _InPlace:
    """The static marker an activation's in-place form appends to its params: torch names
    that node ``...Backward1`` (its backward formula reads the result), the out-of-place one
    ``...Backward0`` (``F.elu(x, inplace=True).grad_fn`` is ``EluBackward1``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "IN_PLACE"


IN_PLACE = _InPlace()


def _in_place_aware(impl: Callable) -> Callable:
    """``impl`` that ignores a trailing ``IN_PLACE`` param (see :func:`_backward0_or_1`)."""

    def f(*args):
        return impl(*args[:-1]) if args and args[-1] is IN_PLACE else impl(*args)

    return f


def _backward0_or_1(grad_fn: str) -> Callable[[tuple], str]:
    """The grad_fn rule of an op with an in-place form: ``...Backward1`` when the params end
    with ``IN_PLACE``, else ``grad_fn``."""
    in_place_name = grad_fn[:-1] + "1"

    def name(params: tuple) -> str:
        return in_place_name if params and params[-1] is IN_PLACE else grad_fn

    return name


def _in_place_params(params: tuple, inplace: bool) -> tuple:
    return params + (IN_PLACE,) if inplace else params


def _half_in_float32(impl: Callable) -> Callable:
    """``impl`` computing a float16/bfloat16 first argument in float32."""

    def f(x, *params):
        return impl(upcast_half(x), *params)

    return f


def _float_activation(impl: Callable, in_place: bool = False) -> Callable:
    """The kernel of a float activation: half inputs in float32, and (``in_place``) a trailing
    ``IN_PLACE`` param ignored."""
    return _half_in_float32(_in_place_aware(impl) if in_place else impl)


def _zero(x):
    return jnp.zeros((), x.dtype)


def _on_dim(fn):
    """softmax-like along ``dim``; a 0-dim input is treated as one element (torch does)."""

    def impl(x, dim):
        x = upcast_half(x)
        if x.ndim == 0:
            return fn(x[None], 0)[0]
        return fn(x, dim)

    return impl


# ---- the relu family ----------------------------------------------------------------------------
@expose("relu", method=False, namespace=_NN)
def relu(input: Any, inplace: bool = False) -> Any:
    """F.relu: torch.relu, or ``relu_`` when ``inplace``."""
    need_tensor("relu", input)
    if input.dtype.name == "bool":
        raise RuntimeError("Boolean inputs not supported for relu")
    return maybe_inplace(input, elementwise.relu(input), inplace)


@expose("relu_", method=False, namespace=_NN)
def relu_(input: Any) -> Any:
    """F.relu_: in-place relu of ``input``; returns ``input``."""
    return relu(input, inplace=True)


def _hardtanh(x, lo, hi):
    """clamp whose derivative is 0 at the bounds, like torch's hardtanh_backward."""
    lo_a = jnp.asarray(lo, x.dtype)
    hi_a = jnp.asarray(hi, x.dtype)
    return jnp.where(x <= lo_a, lo_a, jnp.where(x >= hi_a, hi_a, x))


@op("hardtanh", impl=_hardtanh, grad_fn="HardtanhBackward0", dtype=PROMOTE, saves=(0,),
    method=False, namespace=_NN)
def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Any:
    """F.hardtanh: clamp to [min_val, max_val] with zero gradient at and beyond the bounds."""
    need_tensor("hardtanh", input)
    if input.dtype.name == "bool":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return maybe_inplace(input, dispatch(hardtanh.op, (input,), (min_val, max_val)), inplace)


@expose("hardtanh_", method=False, namespace=_NN)
def hardtanh_(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Any:
    """F.hardtanh_: in-place hardtanh of ``input``; returns ``input``."""
    return hardtanh(input, min_val, max_val, inplace=True)


@expose("relu6", method=False, namespace=_NN)
def relu6(input: Any, inplace: bool = False) -> Any:
    """F.relu6 = hardtanh(x, 0, 6) (torch's grad_fn is HardtanhBackward0 too)."""
    return hardtanh(input, 0.0, 6.0, inplace)


@op("leaky_relu", impl=_float_activation(lambda x, s: jnp.where(x > 0, x, x * s), in_place=True),
    grad_fn=_backward0_or_1("LeakyReluBackward0"), dtype=FLOAT, saves=(0,), method=False,
    namespace=_NN)
def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Any:
    """F.leaky_relu: slope ``negative_slope`` for x <= 0."""
    params = _in_place_params((float(negative_slope),), inplace)
    need_tensor("leaky_relu", input)
    need_float(input, "leaky_relu_cpu")
    return maybe_inplace(input, dispatch(leaky_relu.op, (input,), params), inplace)


@expose("leaky_relu_", method=False, namespace=_NN)
def leaky_relu_(input: Any, negative_slope: float = 0.01) -> Any:
    """F.leaky_relu_: in-place leaky_relu of ``input``; returns ``input``."""
    return leaky_relu(input, negative_slope, inplace=True)


RRELU_EVAL = register("rrelu", _float_activation(lambda x, s: jnp.where(x > 0, x, x * s),
                                                 in_place=True),
                      _backward0_or_1("RreluWithNoiseBackward0"), dtype_rule=FLOAT,
                      saves_inputs=(0,))
RRELU_NOISE = register("rrelu_noise", _in_place_aware(lambda x, n: jnp.where(x > 0, x, x * n)),
                       _backward0_or_1("RreluWithNoiseBackward0"), dtype_rule=FLOAT,
                       participants=(0,), saves_inputs=(0, 1))


@expose("rrelu", method=False, namespace=(_NN, "torch"))
def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Any:
    """F.rrelu: in eval a leaky relu with slope (lower + upper) / 2; in training a random slope
    per negative element drawn uniformly from [lower, upper) (the default generator)."""
    need_tensor("rrelu", input)
    need_float(input, "rrelu_with_noise_out_cpu")
    if not training:
        out = dispatch(RRELU_EVAL, (input,), _in_place_params(((lower + upper) / 2,), inplace))
        return maybe_inplace(input, out, inplace)
    from .. import _random

    key = _random.default_generator.next_key()
    noise = jax.random.uniform(key, tuple(input.shape), upcast_half(array_of(input)).dtype,
                               lower, upper)
    out = dispatch(RRELU_NOISE, (input, Tensor._wrap(noise)), _in_place_params((), inplace))
    return maybe_inplace(input, out, inplace)


@expose("rrelu_", method=False, namespace=(_NN, "torch"))
def rrelu_(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
           training: bool = False) -> Any:
    """F.rrelu_: in-place rrelu of ``input``; returns ``input``."""
    return rrelu(input, lower, upper, training, inplace=True)


def _threshold(input: Any, th: float, value: float, inplace: bool) -> Any:
    """F.threshold's body (its parameter ``threshold`` hides the function, and so ``.op``)."""
    need_tensor("threshold", input)
    if input.dtype.name == "bool":
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    out = dispatch(threshold.op, (input,), _in_place_params((th, value), inplace))
    return maybe_inplace(input, out, inplace)


@op("threshold", impl=_in_place_aware(
        lambda x, th, v: jnp.where(x > th, x, jnp.asarray(v).astype(x.dtype))),
    grad_fn=_backward0_or_1("ThresholdBackward0"), dtype=PROMOTE, saves=(0,), method=False,
    namespace=(_NN, "torch"))
def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> Any:
    """F.threshold: x where x > threshold, else ``value``."""
    return _threshold(input, threshold, value, inplace)


@expose("threshold_", method=False, namespace=(_NN, "torch"))
def threshold_(input: Any, threshold: float, value: float) -> Any:
    """F.threshold_: in-place threshold of ``input``; returns ``input``."""
    return _threshold(input, threshold, value, inplace=True)


# ---- the ELU family -----------------------------------------------------------------------------
def _elu(x, alpha, scale, input_scale):
    # where, not minimum: jnp.minimum splits the gradient at 0 (torch's derivative there is
    # the negative branch's, alpha * scale * input_scale)
    neg = alpha * jnp.expm1(jnp.where(x > 0, jnp.zeros((), x.dtype), x) * input_scale)
    return scale * jnp.where(x > 0, x, neg)


def _scaled_elu(input: Any, alpha: float, scale: float, input_scale: float,
                inplace: bool) -> Any:
    """The ``elu`` op with torch's three constants (``elu`` and ``selu`` are both EluBackward0)."""
    need_tensor("elu", input)
    need_float(input, "elu_cpu")
    out = dispatch(elu.op, (input,), _in_place_params((alpha, scale, input_scale), inplace))
    return maybe_inplace(input, out, inplace)


@op("elu", impl=_float_activation(_elu, in_place=True), grad_fn=_backward0_or_1("EluBackward0"),
    dtype=FLOAT, saves_output=True, method=False, namespace=_NN)
def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """F.elu: alpha * (exp(x) - 1) for x <= 0."""
    return _scaled_elu(input, float(alpha), 1.0, 1.0, inplace)


@expose("elu_", method=False, namespace=_NN)
def elu_(input: Any, alpha: float = 1.0) -> Any:
    """F.elu_: in-place elu of ``input``; returns ``input``."""
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@expose("selu", method=False, namespace=(_NN, "torch"))
def selu(input: Any, inplace: bool = False) -> Any:
    """F.selu: scaled ELU with the self-normalising constants (grad_fn EluBackward0, as torch)."""
    return _scaled_elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace)


@expose("selu_", method=False, namespace=(_NN, "torch"))
def selu_(input: Any) -> Any:
    """F.selu_: in-place selu of ``input``; returns ``input``."""
    return selu(input, inplace=True)


@op("celu", impl=_float_activation(lambda x, a: _elu(x, a, 1.0, 1.0 / a), in_place=True),
    grad_fn=_backward0_or_1("CeluBackward0"), dtype=FLOAT, saves_output=True, method=False,
    namespace=(_NN, "torch"))
def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """F.celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    need_tensor("celu", input)
    need_float(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    out = dispatch(celu.op, (input,), _in_place_params((float(alpha),), inplace))
    return maybe_inplace(input, out, inplace)


@expose("celu_", method=False, namespace=(_NN, "torch"))
def celu_(input: Any, alpha: float = 1.0) -> Any:
    """F.celu_: in-place celu of ``input``; returns ``input``."""
    return celu(input, alpha, inplace=True)


# ---- smooth activations -------------------------------------------------------------------------
def _gelu(x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1 + jnp.tanh(k * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + jax.lax.erf(x / math.sqrt(2.0)))


@op("gelu", impl=_float_activation(_gelu), grad_fn="GeluBackward0", dtype=FLOAT, saves=(0,),
    method=False, namespace=_NN)
def gelu(input: Any, approximate: str = "none") -> Any:
    """F.gelu: exact (erf) or tanh-approximated."""
    need_tensor("gelu", input)
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    need_float(input, "GeluKernelImpl")
    return dispatch(gelu.op, (input,), (approximate,))


def _float_only(input: Any, opdef: Any, kernel: str) -> Any:
    """``opdef`` on a float tensor (torch's ``kernel`` has no integer or bool version)."""
    need_tensor(opdef.name, input)
    need_float(input, kernel)
    return dispatch(opdef, (input,))


@op("silu", impl=_float_activation(lambda x: x * jax.nn.sigmoid(x)), grad_fn="SiluBackward0",
    dtype=FLOAT, saves=(0,), method=False, namespace=_NN)
def silu(input: Any, inplace: bool = False) -> Any:
    """F.silu: x * sigmoid(x)."""
    return maybe_inplace(input, _float_only(input, silu.op, "silu_cpu"), inplace)


@op("mish", impl=_float_activation(lambda x: x * jnp.tanh(jax.nn.softplus(x))),
    grad_fn="MishBackward0", dtype=FLOAT, saves=(0,), method=False, namespace=_NN)
def mish(input: Any, inplace: bool = False) -> Any:
    """F.mish: x * tanh(softplus(x))."""
    return maybe_inplace(input, _float_only(input, mish.op, "mish_cpu"), inplace)


def _hardswish(x):
    """torch's derivative is 0 at -3 and 1 at 3 (the outer pieces own the bounds)."""
    return jnp.where(x <= -3, jnp.zeros((), x.dtype), jnp.where(x < 3, x * (x + 3) / 6, x))


@op("hardswish", impl=_float_activation(_hardswish), grad_fn="HardswishBackward0", dtype=FLOAT,
    saves=(0,), method=False, namespace=_NN)
def hardswish(input: Any, inplace: bool = False) -> Any:
    """F.hardswish: x * relu6(x + 3) / 6."""
    return maybe_inplace(input, _float_only(input, hardswish.op, "hardswish_cpu"), inplace)


def _hardsigmoid(x):
    return jnp.where(x <= -3, jnp.zeros((), x.dtype),
                     jnp.where(x >= 3, jnp.ones((), x.dtype), x / 6 + 0.5))


@op("hardsigmoid", impl=_float_activation(_hardsigmoid), grad_fn="HardsigmoidBackward0",
    dtype=FLOAT, saves=(0,), method=False, namespace=_NN)
def hardsigmoid(input: Any, inplace: bool = False) -> Any:
    """F.hardsigmoid: relu6(x + 3) / 6."""
    return maybe_inplace(input, _float_only(input, hardsigmoid.op, "hardsigmoid_cpu"), inplace)


@op("logsigmoid", grad_fn="LogSigmoidBackward0", dtype=FLOAT, saves=(0,), method=False,
    namespace=_NN, rejects={"bool": "log_sigmoid_cpu", "int": "log_sigmoid_cpu"})
def logsigmoid(x):
    """F.logsigmoid: log(sigmoid(x)), stably."""
    return jax.nn.log_sigmoid(upcast_half(x))


@op("softsign", grad_fn="DivBackward0", dtype=FLOAT, saves=(0,), method=False, namespace=_NN)
def softsign(x):
    """F.softsign: x / (1 + |x|); integers give floats."""
    x = upcast_half(x)
    return x / (1 + jnp.abs(x))


@op("tanhshrink", grad_fn="SubBackward0", dtype=FLOAT, method=False, namespace=_NN)
def tanhshrink(x):
    """F.tanhshrink: x - tanh(x); integers give floats."""
    x = upcast_half(x)
    return x - jnp.tanh(x)


def _softplus(x, beta, threshold):
    bx = x * beta
    soft = jnp.log1p(jnp.exp(jnp.where(bx > threshold, jnp.zeros((), bx.dtype), bx))) / beta
    return jnp.where(bx > threshold, x, soft)


@op("softplus", impl=_float_activation(_softplus), grad_fn="SoftplusBackward0", dtype=FLOAT,
    saves=(0,), method=False, namespace=_NN)
def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """F.softplus: log(1 + exp(beta x)) / beta, linear above ``threshold``."""
    need_tensor("softplus", input)
    need_float(input, "softplus_cpu")
    return dispatch(softplus.op, (input,), (float(beta), float(threshold)))


@expose("sigmoid", method=False, namespace=_NN)
def sigmoid(input: Any) -> Any:
    """F.sigmoid (same as torch.sigmoid)."""
    return elementwise.sigmoid(input)


@expose("tanh", method=False, namespace=_NN)
def tanh(input: Any) -> Any:
    """F.tanh (same as torch.tanh)."""
    return elementwise.tanh(input)


# ---- shrinkage ----------------------------------------------------------------------------------
def _softshrink(x, lambd):
    return jnp.where(x > lambd, x - lambd, jnp.where(x < -lambd, x + lambd, _zero(x)))


@op("softshrink", impl=_float_activation(_softshrink), grad_fn="SoftshrinkBackward0",
    dtype=FLOAT, saves=(0,), method=False, namespace=_NN)
def softshrink(input: Any, lambd: float = 0.5) -> Any:
    """F.softshrink: shrink toward 0 by ``lambd``."""
    need_tensor("softshrink", input)
    need_float(input, "softshrink_check")
    if lambd < 0:
        fmax = "65504" if input.dtype.name == "float16" else \
            "1.79769e+308" if input.dtype.name == "float64" else "3.40282e+38"
        raise RuntimeError(f"lambda must be in range [0, {fmax}] for input dtype "
                           f"{legacy_name(input.dtype)}, but found {lambd:g}")
    return dispatch(softshrink.op, (input,), (float(lambd),))


@op("hardshrink", impl=_float_activation(lambda x, lam: jnp.where(jnp.abs(x) > lam, x, _zero(x))),
    grad_fn="HardshrinkBackward0", dtype=FLOAT, saves=(0,), namespace=(_NN, "torch"))
def hardshrink(input: Any, lambd: float = 0.5) -> Any:
    """F.hardshrink: zero inside [-lambd, lambd]."""
    need_tensor("hardshrink", input)
    need_float(input, "hardshrink_cpu")
    return dispatch(hardshrink.op, (input,), (float(lambd),))


# ---- the softmax family -------------------------------------------------------------------------
def _softmax_dim(name: str, ndim: int, stacklevel: int = 5) -> int:
    """torch's implicit softmax dim (0 for 0/1/3-d inputs, else 1), with its deprecation warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _along_dim(opdef: Any, input: Any, dim: int | None, dtype: Any) -> Any:
    """softmax/log_softmax/softmin's body: the op along ``dim`` (computed in ``dtype``)."""
    name = opdef.name
    need_tensor(name, input)
    if dim is None:
        dim = _softmax_dim(name, input.ndim)
    d = norm_dim(dim, input.ndim)
    if dtype is not None:
        input = input.to(dtype)
    elif not (input.dtype.is_floating_point or input.dtype.is_complex):
        kern = "softmax_lastdim_kernel_impl" if "log" not in name else \
            "log_softmax_lastdim_kernel_impl"
        raise NotImplementedError(
            f'"{kern}" not implemented for \'{legacy_name(input.dtype)}\'')
    return dispatch(opdef, (input,), (d,))


@op("softmax", impl=_on_dim(lambda x, d: jax.nn.softmax(x, axis=d)), grad_fn="SoftmaxBackward0",
    dtype=FLOAT, saves_output=True, method=False, namespace=_NN)
def softmax(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Any:
    """F.softmax along ``dim`` (computed in ``dtype`` when given)."""
    return _along_dim(softmax.op, input, dim, dtype)


@op("log_softmax", impl=_on_dim(lambda x, d: jax.nn.log_softmax(x, axis=d)),
    grad_fn="LogSoftmaxBackward0", dtype=FLOAT, saves_output=True, method=False, namespace=_NN)
def log_softmax(input: Any, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Any:
    """F.log_softmax along ``dim`` (computed in ``dtype`` when given)."""
    return _along_dim(log_softmax.op, input, dim, dtype)


@op("softmin", impl=_on_dim(lambda x, d: jax.nn.softmax(-x, axis=d)), grad_fn="SoftmaxBackward0",
    dtype=FLOAT, saves_output=True, method=False, namespace=_NN)
def softmin(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Any:
    """F.softmin along ``dim`` (computed in ``dtype`` when given)."""
    return _along_dim(softmin.op, input, dim, dtype)


def _named(name: str) -> Callable[[Callable], Callable]:
    """Give a function its public ``__name__`` (its module name differs: ``torch.softmax`` and
    ``F.softmax`` are different functions here)."""

    def rename(fn: Callable) -> Callable:
        fn.__name__ = fn.__qualname__ = name
        return fn

    return rename


@expose("softmax")
@_named("softmax")
def torch_softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """torch.softmax(input, dim, dtype=None)."""
    return softmax(input, dim, dtype=dtype)


@expose("log_softmax")
@_named("log_softmax")
def torch_log_softmax(input: Any, dim: int, dtype: Any = None) -> Any:
    """torch.log_softmax(input, dim, dtype=None)."""
    return log_softmax(input, dim, dtype=dtype)


# ---- gated, normalising and parametric ----------------------------------------------------------
def _glu(x, dim):
    a, b = jnp.split(upcast_half(x), 2, axis=dim)
    return a * jax.nn.sigmoid(b)


@op("glu", impl=_glu, grad_fn="GluBackward0", dtype=FLOAT, saves=(0,), method=False,
    namespace=_NN)
def glu(input: Any, dim: int = -1) -> Any:
    """F.glu: first half * sigmoid(second half) along ``dim``."""
    need_tensor("glu", input)
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = norm_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    need_float(input, "glu_cpu")
    return dispatch(glu.op, (input,), (d,))


def _normalize(x, p, dim, eps):
    x = upcast_half(x)
    if p == math.inf:
        n = jnp.max(jnp.abs(x), axis=dim, keepdims=True)
    elif p == 2:
        n = jnp.sqrt(jnp.sum(x * x, axis=dim, keepdims=True))
    else:
        n = jnp.sum(jnp.abs(x) ** p, axis=dim, keepdims=True) ** (1.0 / p)
    return x / jnp.maximum(n, eps)


@op("normalize", impl=_normalize, grad_fn="DivBackward0", dtype=FLOAT, saves=(0,), method=False,
    namespace=_NN)
def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Any:
    """F.normalize: x / max(||x||_p along dim, eps)."""
    need_tensor("normalize", input)
    d = norm_dim(dim, input.ndim)
    res = dispatch(normalize.op, (input,), (float(p), d if input.ndim else None, float(eps)))
    if out is not None:
        out.copy_(res)
        return out
    return res


def _prelu(x, w):
    x, w = upcast_half(x), upcast_half(w)
    if x.ndim >= 2 and w.size > 1:
        w = w.reshape((w.size,) + (1,) * (x.ndim - 2))
    elif w.ndim:
        w = w.reshape(()) if w.size == 1 else w
    return jnp.where(x > 0, x, w * x)


@op("prelu", impl=_prelu, grad_fn="PreluKernelBackward0", dtype=FLOAT, saves=(0, 1),
    namespace=(_NN, "torch"))
def prelu(input: Any, weight: Any) -> Any:
    """F.prelu: x for x > 0 else weight * x, weight per channel (dim 1) or shared."""
    need_tensor("prelu", input)
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if input.ndim == 0 or n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    need_float(input, "prelu_cpu")
    return dispatch(prelu.op, (input, weight))
