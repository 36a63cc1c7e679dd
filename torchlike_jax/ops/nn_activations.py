"""torch.nn.functional activations: relu family, smooth activations, shrinkage, softmax family.

Each activation is one registered op whose ``grad_fn`` is torch's (``GeluBackward0``,
``SoftmaxBackward0``, ...), so the recorded graph looks like torch's even where torch builds the
function from pieces. Half-precision inputs are computed in float32 and rounded once (torch's
CPU "opmath"), which keeps float16/bfloat16 results within one rounding of torch's.
Kinks use ``jnp.where`` so that JAX's derivative picks the branch torch's backward formula picks.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import jax
import jax.numpy as jnp

from .._dtypes import legacy_name, upcast_half
from ..core.dims import norm_dim
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, PROMOTE, register
from ..core.surface import expose
from ..core.tensor import Tensor
from . import elementwise as E


# ---- shared helpers (also used by the layer and loss modules) --------------------------------
def need_float(x: Any, kernel: str) -> None:
    """torch's ``"kernel" not implemented for 'Long'`` for integer/bool input to a float kernel."""
    d = x.dtype
    if not (d.is_floating_point or d.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{legacy_name(d)}\'')


def need_tensor(x: Any, fn: str, arg: str = "input") -> None:
    """torch's TypeError for a non-tensor argument."""

    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{arg}' (position 1) must be Tensor, not "
                        f"{type(x).__name__}")


def maybe_inplace(input: Any, out: Any, inplace: bool) -> Any:
    """``inplace=True``: write ``out`` into ``input`` like torch's ``F.x(..., inplace=True)``."""
    if not inplace:
        return out
    input._check_inplace()
    return input._rebind(out)


class _InPlace:
    """The static marker an activation's in-place form appends to its params: torch names
    that node ``...Backward1`` (its backward formula reads the result), the out-of-place one
    ``...Backward0`` (``F.elu(x, inplace=True).grad_fn`` is ``EluBackward1``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "IN_PLACE"


IN_PLACE = _InPlace()


def _backward1_when_in_place(impl, grad_fn: str):
    """``impl`` that ignores a trailing ``IN_PLACE``, and the grad_fn rule that reads it."""
    in_place_name = grad_fn[:-1] + "1"

    def f(*args):
        return impl(*args[:-1]) if args and args[-1] is IN_PLACE else impl(*args)

    def name(params: tuple) -> str:
        return in_place_name if params and params[-1] is IN_PLACE else grad_fn

    return f, name


def _act(name: str, impl, grad_fn: str, rule: str = FLOAT, saves=(0,), saves_output=False,
         in_place_backward1: bool = False):
    """Register a float activation computed in float32 for half inputs."""
    grad_fn_rule: Any = grad_fn
    if in_place_backward1:
        impl, grad_fn_rule = _backward1_when_in_place(impl, grad_fn)

    def f(x, *params):
        return impl(upcast_half(x), *params)

    return register(name, f, grad_fn_rule, dtype_rule=rule, saves_inputs=saves,
                    saves_output=saves_output)


def _in_place_params(params: tuple, inplace: bool) -> tuple:
    return params + (IN_PLACE,) if inplace else params


def _zero(x):
    return jnp.zeros((), x.dtype)


# ---- the ops ------------------------------------------------------------------------------------
def _hardtanh(x, lo, hi):
    """clamp whose derivative is 0 at the bounds, like torch's hardtanh_backward."""
    lo_a = jnp.asarray(lo, x.dtype)
    hi_a = jnp.asarray(hi, x.dtype)
    return jnp.where(x <= lo_a, lo_a, jnp.where(x >= hi_a, hi_a, x))


def _elu(x, alpha, scale, input_scale):
    # where, not minimum: jnp.minimum splits the gradient at 0 (torch's derivative there is
    # the negative branch's, alpha * scale * input_scale)
    neg = alpha * jnp.expm1(jnp.where(x > 0, jnp.zeros((), x.dtype), x) * input_scale)
    return scale * jnp.where(x > 0, x, neg)


def _gelu(x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2.0 / math.pi)
        return 0.5 * x * (1 + jnp.tanh(k * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + jax.lax.erf(x / math.sqrt(2.0)))


def _softplus(x, beta, threshold):
    bx = x * beta
    soft = jnp.log1p(jnp.exp(jnp.where(bx > threshold, jnp.zeros((), bx.dtype), bx))) / beta
    return jnp.where(bx > threshold, x, soft)


def _hardswish(x):
    """torch's derivative is 0 at -3 and 1 at 3 (the outer pieces own the bounds)."""
    return jnp.where(x <= -3, jnp.zeros((), x.dtype), jnp.where(x < 3, x * (x + 3) / 6, x))


def _hardsigmoid(x):
    return jnp.where(x <= -3, jnp.zeros((), x.dtype),
                     jnp.where(x >= 3, jnp.ones((), x.dtype), x / 6 + 0.5))


def _softshrink(x, lambd):
    return jnp.where(x > lambd, x - lambd, jnp.where(x < -lambd, x + lambd, _zero(x)))


def _on_dim(fn):
    """softmax-like along ``dim``; a 0-dim input is treated as one element (torch does)."""

    def impl(x, dim):
        x = upcast_half(x)
        if x.ndim == 0:
            return fn(x[None], 0)[0]
        return fn(x, dim)

    return impl


def _glu(x, dim):
    a, b = jnp.split(upcast_half(x), 2, axis=dim)
    return a * jax.nn.sigmoid(b)


def _prelu(x, w):
    x, w = upcast_half(x), upcast_half(w)
    if x.ndim >= 2 and w.size > 1:
        w = w.reshape((w.size,) + (1,) * (x.ndim - 2))
    elif w.ndim:
        w = w.reshape(()) if w.size == 1 else w
    return jnp.where(x > 0, x, w * x)


def _normalize(x, p, dim, eps):
    x = upcast_half(x)
    if p == math.inf:
        n = jnp.max(jnp.abs(x), axis=dim, keepdims=True)
    elif p == 2:
        n = jnp.sqrt(jnp.sum(x * x, axis=dim, keepdims=True))
    else:
        n = jnp.sum(jnp.abs(x) ** p, axis=dim, keepdims=True) ** (1.0 / p)
    return x / jnp.maximum(n, eps)


HARDTANH = register("hardtanh", lambda x, lo, hi: _hardtanh(x, lo, hi), "HardtanhBackward0",
                 dtype_rule=PROMOTE, saves_inputs=(0,))
LEAKY_RELU = _act("leaky_relu", lambda x, s: jnp.where(x > 0, x, x * s), "LeakyReluBackward0",
                  in_place_backward1=True)
RRELU_EVAL = _act("rrelu", lambda x, s: jnp.where(x > 0, x, x * s), "RreluWithNoiseBackward0",
                  in_place_backward1=True)
RRELU_NOISE = register("rrelu_noise", *_backward1_when_in_place(
    lambda x, n: jnp.where(x > 0, x, x * n), "RreluWithNoiseBackward0"),
    dtype_rule=FLOAT, participants=(0,), saves_inputs=(0, 1))
GELU = _act("gelu", _gelu, "GeluBackward0")
SILU = _act("silu", lambda x: x * jax.nn.sigmoid(x), "SiluBackward0")
MISH = _act("mish", lambda x: x * jnp.tanh(jax.nn.softplus(x)), "MishBackward0")
ELU = _act("elu", _elu, "EluBackward0", saves=(), saves_output=True, in_place_backward1=True)
CELU = _act("celu", lambda x, a: _elu(x, a, 1.0, 1.0 / a), "CeluBackward0", saves=(),
            saves_output=True, in_place_backward1=True)
SOFTPLUS = _act("softplus", _softplus, "SoftplusBackward0")
SOFTSIGN = _act("softsign", lambda x: x / (1 + jnp.abs(x)), "DivBackward0")
HARDSIGMOID = _act("hardsigmoid", _hardsigmoid, "HardsigmoidBackward0")
HARDSWISH = _act("hardswish", _hardswish, "HardswishBackward0")
LOGSIGMOID = _act("logsigmoid", jax.nn.log_sigmoid, "LogSigmoidBackward0")
TANHSHRINK = _act("tanhshrink", lambda x: x - jnp.tanh(x), "SubBackward0", saves=())
SOFTSHRINK = _act("softshrink", _softshrink, "SoftshrinkBackward0")
HARDSHRINK = _act("hardshrink", lambda x, lam: jnp.where(jnp.abs(x) > lam, x, _zero(x)),
                  "HardshrinkBackward0")
THRESHOLD = register("threshold", *_backward1_when_in_place(
    lambda x, th, v: jnp.where(x > th, x, jnp.asarray(v).astype(x.dtype)), "ThresholdBackward0"),
    dtype_rule=PROMOTE, saves_inputs=(0,))
SOFTMAX = register("softmax", _on_dim(lambda x, d: jax.nn.softmax(x, axis=d)),
                   "SoftmaxBackward0", dtype_rule=FLOAT, saves_output=True)
LOG_SOFTMAX = register("log_softmax", _on_dim(lambda x, d: jax.nn.log_softmax(x, axis=d)),
                       "LogSoftmaxBackward0", dtype_rule=FLOAT, saves_output=True)
SOFTMIN = register("softmin", _on_dim(lambda x, d: jax.nn.softmax(-x, axis=d)),
                   "SoftmaxBackward0", dtype_rule=FLOAT, saves_output=True)
GLU = register("glu", _glu, "GluBackward0", dtype_rule=FLOAT, saves_inputs=(0,))
NORMALIZE = register("normalize", _normalize, "DivBackward0", dtype_rule=FLOAT,
                     saves_inputs=(0,))
PRELU = register("prelu", _prelu, "PreluKernelBackward0", dtype_rule=FLOAT,
                 saves_inputs=(0, 1))


# ---- public functions ---------------------------------------------------------------------------
def relu(input: Any, inplace: bool = False) -> Any:
    """F.relu: torch.relu, or ``relu_`` when ``inplace``."""
    need_tensor(input, "relu")
    if input.dtype.name == "bool":
        raise RuntimeError("Boolean inputs not supported for relu")
    return maybe_inplace(input, E.relu(input), inplace)


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Any:
    """F.hardtanh: clamp to [min_val, max_val] with zero gradient at and beyond the bounds."""
    need_tensor(input, "hardtanh")
    if input.dtype.name == "bool":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return maybe_inplace(input, dispatch(HARDTANH, (input,), (min_val, max_val)), inplace)


def relu6(input: Any, inplace: bool = False) -> Any:
    """F.relu6 = hardtanh(x, 0, 6) (torch's grad_fn is HardtanhBackward0 too)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def _float_act(op, kernel: str, doc: str):
    """A float-only activation with static keyword parameters, optionally in place."""

    def fn(input: Any, *params: Any, inplace: bool = False) -> Any:
        need_tensor(input, op.name)
        need_float(input, kernel)
        return maybe_inplace(input, dispatch(op, (input,), _in_place_params(params, inplace)),
                             inplace)

    fn.__doc__ = doc
    return fn


_leaky = _float_act(LEAKY_RELU, "leaky_relu_cpu", "")
_elu_f = _float_act(ELU, "elu_cpu", "")


def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Any:
    """F.leaky_relu: slope ``negative_slope`` for x <= 0."""
    return _leaky(input, float(negative_slope), inplace=inplace)


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """F.elu: alpha * (exp(x) - 1) for x <= 0."""
    return _elu_f(input, float(alpha), 1.0, 1.0, inplace=inplace)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Any, inplace: bool = False) -> Any:
    """F.selu: scaled ELU with the self-normalising constants (grad_fn EluBackward0, as torch)."""
    return _elu_f(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace=inplace)


def celu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:
    """F.celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    need_tensor(input, "celu")
    need_float(input, "elu_cpu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    out = dispatch(CELU, (input,), _in_place_params((float(alpha),), inplace))
    return maybe_inplace(input, out, inplace)


def gelu(input: Any, approximate: str = "none") -> Any:
    """F.gelu: exact (erf) or tanh-approximated."""
    need_tensor(input, "gelu")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    need_float(input, "GeluKernelImpl")
    return dispatch(GELU, (input,), (approximate,))


def _simple(op, kernel: str, doc: str):
    def fn(input: Any) -> Any:
        need_tensor(input, op.name)
        if kernel:
            need_float(input, kernel)
        return dispatch(op, (input,))

    fn.__name__ = op.name
    fn.__doc__ = doc
    return fn


_silu = _simple(SILU, "silu_cpu", "")
_mish = _simple(MISH, "mish_cpu", "")
_hardswish_f = _simple(HARDSWISH, "hardswish_cpu", "")
_hardsigmoid_f = _simple(HARDSIGMOID, "hardsigmoid_cpu", "")
logsigmoid = _simple(LOGSIGMOID, "log_sigmoid_cpu", "F.logsigmoid: log(sigmoid(x)), stably.")
softsign = _simple(SOFTSIGN, "", "F.softsign: x / (1 + |x|); integers give floats.")
tanhshrink = _simple(TANHSHRINK, "", "F.tanhshrink: x - tanh(x); integers give floats.")


def silu(input: Any, inplace: bool = False) -> Any:
    """F.silu: x * sigmoid(x)."""
    return maybe_inplace(input, _silu(input), inplace)


def mish(input: Any, inplace: bool = False) -> Any:
    """F.mish: x * tanh(softplus(x))."""
    return maybe_inplace(input, _mish(input), inplace)


def hardswish(input: Any, inplace: bool = False) -> Any:
    """F.hardswish: x * relu6(x + 3) / 6."""
    return maybe_inplace(input, _hardswish_f(input), inplace)


def hardsigmoid(input: Any, inplace: bool = False) -> Any:
    """F.hardsigmoid: relu6(x + 3) / 6."""
    return maybe_inplace(input, _hardsigmoid_f(input), inplace)


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Any:
    """F.softplus: log(1 + exp(beta x)) / beta, linear above ``threshold``."""
    need_tensor(input, "softplus")
    need_float(input, "softplus_cpu")
    return dispatch(SOFTPLUS, (input,), (float(beta), float(threshold)))


def softshrink(input: Any, lambd: float = 0.5) -> Any:
    """F.softshrink: shrink toward 0 by ``lambd``."""
    need_tensor(input, "softshrink")
    need_float(input, "softshrink_check")
    if lambd < 0:
        fmax = "65504" if input.dtype.name == "float16" else \
            "1.79769e+308" if input.dtype.name == "float64" else "3.40282e+38"
        raise RuntimeError(f"lambda must be in range [0, {fmax}] for input dtype "
                           f"{legacy_name(input.dtype)}, but found {lambd:g}")
    return dispatch(SOFTSHRINK, (input,), (float(lambd),))


def hardshrink(input: Any, lambd: float = 0.5) -> Any:
    """F.hardshrink: zero inside [-lambd, lambd]."""
    need_tensor(input, "hardshrink")
    need_float(input, "hardshrink_cpu")
    return dispatch(HARDSHRINK, (input,), (float(lambd),))


def threshold(input: Any, threshold: float, value: float, inplace: bool = False) -> Any:
    """F.threshold: x where x > threshold, else ``value``."""
    need_tensor(input, "threshold")
    if input.dtype.name == "bool":
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    out = dispatch(THRESHOLD, (input,), _in_place_params((threshold, value), inplace))
    return maybe_inplace(input, out, inplace)


def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Any:
    """F.rrelu: in eval a leaky relu with slope (lower + upper) / 2; in training a random slope
    per negative element drawn uniformly from [lower, upper) (the default generator)."""
    need_tensor(input, "rrelu")
    need_float(input, "rrelu_with_noise_out_cpu")
    if not training:
        out = dispatch(RRELU_EVAL, (input,), _in_place_params(((lower + upper) / 2,), inplace))
        return maybe_inplace(input, out, inplace)
    from .. import _random

    key = _random.default_generator.next_key()
    noise = jax.random.uniform(key, tuple(input.shape), upcast_half(input._st.array).dtype,
                               lower, upper)
    out = dispatch(RRELU_NOISE, (input, Tensor._wrap(noise)), _in_place_params((), inplace))
    return maybe_inplace(input, out, inplace)


def sigmoid(input: Any) -> Any:
    """F.sigmoid (same as torch.sigmoid)."""
    return E.sigmoid(input)


def tanh(input: Any) -> Any:
    """F.tanh (same as torch.tanh)."""
    return E.tanh(input)


def _softmax_dim(name: str, ndim: int, stacklevel: int = 4) -> int:
    """torch's implicit softmax dim (0 for 0/1/3-d inputs, else 1), with its deprecation warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_like(op, name: str):
    def fn(input: Any, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Any:
        need_tensor(input, name)
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
        return dispatch(op, (input,), (d,))

    fn.__name__ = name
    fn.__doc__ = f"F.{name} along ``dim`` (computed in ``dtype`` when given)."
    return fn


softmax = _softmax_like(SOFTMAX, "softmax")
log_softmax = _softmax_like(LOG_SOFTMAX, "log_softmax")
softmin = _softmax_like(SOFTMIN, "softmin")


def _tensor_softmax(f, name: str):
    """torch.softmax / Tensor.softmax: ``(input, dim, dtype=None)`` with dim required."""

    def fn(input: Any, dim: int, dtype: Any = None) -> Any:
        return f(input, dim, dtype=dtype)

    fn.__name__ = name
    fn.__doc__ = f"torch.{name}(input, dim, dtype=None)."
    return fn


def glu(input: Any, dim: int = -1) -> Any:
    """F.glu: first half * sigmoid(second half) along ``dim``."""
    need_tensor(input, "glu")
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = norm_dim(dim, input.ndim)
    if input.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size "
                           f"{input.shape[d]}")
    need_float(input, "glu_cpu")
    return dispatch(GLU, (input,), (d,))


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Any:
    """F.normalize: x / max(||x||_p along dim, eps)."""
    need_tensor(input, "normalize")
    d = norm_dim(dim, input.ndim)
    res = dispatch(NORMALIZE, (input,), (float(p), d if input.ndim else None, float(eps)))
    if out is not None:
        out.copy_(res)
        return out
    return res


def prelu(input: Any, weight: Any) -> Any:
    """F.prelu: x for x > 0 else weight * x, weight per channel (dim 1) or shared."""
    need_tensor(input, "prelu")
    n = weight.numel()
    if n != 1:
        channels = input.shape[1] if input.ndim >= 2 else 1
        if input.ndim == 0 or n != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {n} and channel size = {channels}.")
    need_float(input, "prelu_cpu")
    return dispatch(PRELU, (input, weight))


# ---- exposure -----------------------------------------------------------------------------------
_NN = "nn.functional"
for _f, _n in ((relu, "relu"), (sigmoid, "sigmoid"), (tanh, "tanh"), (relu6, "relu6"),
               (hardtanh, "hardtanh"), (leaky_relu, "leaky_relu"), (gelu, "gelu"),
               (silu, "silu"), (mish, "mish"), (elu, "elu"), (softplus, "softplus"),
               (softsign, "softsign"), (hardsigmoid, "hardsigmoid"), (hardswish, "hardswish"),
               (logsigmoid, "logsigmoid"), (tanhshrink, "tanhshrink"),
               (softshrink, "softshrink"), (softmin, "softmin"), (glu, "glu"),
               (normalize, "normalize"), (softmax, "softmax"), (log_softmax, "log_softmax")):
    expose(_n, method=False, namespace=_NN)(_f)
for _f, _n in ((selu, "selu"), (celu, "celu"), (threshold, "threshold"), (rrelu, "rrelu")):
    expose(_n, method=False, namespace=(_NN, "torch"))(_f)
expose("prelu", namespace=(_NN, "torch"))(prelu)
expose("hardshrink", namespace=(_NN, "torch"))(hardshrink)
expose("softmax")(_tensor_softmax(softmax, "softmax"))
expose("log_softmax")(_tensor_softmax(log_softmax, "log_softmax"))


def _inplace_fn(fn, name: str):
    """``F.<name>_(input, ...)``: the activation with ``inplace=True`` (writes ``input``)."""

    def f(input: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(input, *args, inplace=True, **kwargs)

    f.__name__ = name + "_"
    f.__doc__ = f"F.{name}_: in-place {name} of ``input``; returns ``input``."
    return f


for _f, _n in ((relu, "relu"), (elu, "elu"), (leaky_relu, "leaky_relu"),
               (hardtanh, "hardtanh")):
    expose(_n + "_", method=False, namespace=_NN)(_inplace_fn(_f, _n))
for _f, _n in ((selu, "selu"), (celu, "celu"), (rrelu, "rrelu"), (threshold, "threshold")):
    expose(_n + "_", method=False, namespace=(_NN, "torch"))(_inplace_fn(_f, _n))
