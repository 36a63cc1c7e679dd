"""``torch.special`` ops that have no ``torch.*`` twin (the shared ones, such as
``special.erf`` or ``special.gammaln``, are declared in ``unary_math``).

Integer and bool inputs compute in the default float dtype, as in torch. Functions torch marks
as not differentiable (the ``bessel``-style ones) register without a ``grad_fn``, so their
results do not require grad, as in torch.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import jax.scipy.special as jss

from .. import _dtypes as dtypes
from .._dtypes import compute_in_float32
from ..core.declare import kernel_error, need_tensor, op
from ..core.dims import norm_dim, norm_dims
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, OpDef, register
from ..core.surface import expose
from . import elementwise, unary_math
from .binary_math import igamma, igammac


def _special(name: str, grad_fn: str | None, saves: tuple = (0,), saves_output: bool = False):
    """``op`` for a ``torch.special`` function of one tensor (torch's FLOAT rule, opmath)."""
    return op(f"special_{name}", public=name, grad_fn=grad_fn, dtype=FLOAT, saves=saves,
              saves_output=saves_output, upcast=True, method=False, namespace="special")


@_special("erfcx", "SpecialErfcxBackward0")
def erfcx(a):
    """Scaled complementary error function exp(x**2) * erfc(x)."""
    return jss.erfcx(a)


# torch's ndtr is composite (0.5 * erfc(-x / sqrt 2)): its last node is a scalar mul
@_special("ndtr", "MulBackward1")
def ndtr(a):
    """Standard normal CDF."""
    return jss.ndtr(a)


@_special("ndtri", "SpecialNdtriBackward0", saves=(), saves_output=True)
def ndtri(a):
    """Inverse of the standard normal CDF."""
    return jss.ndtri(a)


@_special("log_ndtr", "SpecialLogNdtrBackward0", saves_output=True)
def log_ndtr(a):
    """log of the standard normal CDF, accurate in the tail."""
    return jss.log_ndtr(a)


@_special("i0e", "SpecialI0EBackward0", saves_output=True)
def i0e(a):
    """Exponentially scaled modified Bessel function I0: exp(-|x|) i0(x)."""
    return jss.i0e(a)


@_special("i1", "SpecialI1Backward0", saves_output=True)
def i1(a):
    """Modified Bessel function of the first kind, order 1."""
    return jss.i1(a)


@_special("i1e", "SpecialI1EBackward0", saves_output=True)
def i1e(a):
    """Exponentially scaled modified Bessel function I1."""
    return jss.i1e(a)


@_special("entr", "SpecialEntrBackward0")
def entr(a):
    """Elementwise entropy -x log x (0 at 0, -inf below)."""
    safe = jnp.where(a > 0, a, jnp.ones_like(a))
    inner = -a * jnp.log(safe)
    return jnp.where(a > 0, inner,
                     jnp.where(a == 0, jnp.zeros_like(a), jnp.where(a < 0, -jnp.inf, a)))


@_special("modified_bessel_i0", None, saves=())
def modified_bessel_i0(a):
    """I0(x); not differentiable in torch."""
    return jss.i0(a)


@_special("modified_bessel_i1", None, saves=())
def modified_bessel_i1(a):
    """I1(x); not differentiable in torch."""
    return jss.i1(a)


@_special("spherical_bessel_j0", None, saves=())
def spherical_bessel_j0(a):
    """sin(x) / x; not differentiable in torch."""
    zero = a == 0
    safe = jnp.where(zero, jnp.ones_like(a), a)
    return jnp.where(zero, jnp.ones_like(a), jnp.sin(safe) / safe)


def _zeta(x, q):
    """Hurwitz zeta with Cephes' (torch's) special values: inf at x == 1 and at the poles
    q = 0, -1, -2...; nan for x < 1."""
    r = jss.zeta(jax.lax.stop_gradient(x), q)  # torch has no derivative in x either
    r = jnp.where((q <= 0) & (q == jnp.floor(q)), jnp.inf, r)
    return jnp.where(x == 1, jnp.inf, jnp.where(x < 1, jnp.nan, r))


_ZETA = unary_math.binary_variants("special_zeta", compute_in_float32(_zeta, n_arrays=2),
                         "SpecialZetaBackward")
_XLOG1PY = unary_math.binary_variants("special_xlog1py", compute_in_float32(
    lambda x, y: unary_math._xlogy(x, y, log=jnp.log1p, bound=-1.0), n_arrays=2),
    "SpecialXlog1PyBackward")


def _softmax_impl(fn: Callable) -> Callable:
    """``fn`` along ``dim``, halves in float32; a 0-dim input is one element (as torch)."""
    in_float32 = compute_in_float32(fn)

    def impl(a, dim):
        if a.ndim == 0:
            return impl(a[None], 0)[0]
        return in_float32(a, axis=dim)

    return impl


SOFTMAX = register("special_softmax", _softmax_impl(jax.nn.softmax), "SoftmaxBackward0",
                   dtype_rule=FLOAT, saves_output=True)
LOG_SOFTMAX = register("special_log_softmax", _softmax_impl(jax.nn.log_softmax),
                       "LogSoftmaxBackward0", dtype_rule=FLOAT, saves_output=True)


@compute_in_float32
def _logsumexp(a, dims, keepdim):
    return jax.nn.logsumexp(a, axis=dims, keepdims=keepdim)


LOGSUMEXP = register("special_logsumexp", _logsumexp, "LogsumexpBackward0", dtype_rule=FLOAT,
                     saves_inputs=(0,), saves_output=True)


@expose("xlog1py", method=False, namespace="special")
def xlog1py(input, other):
    """x * log1p(y), 0 where x == 0 (and y is not nan)."""
    return unary_math.dispatch_binary(_XLOG1PY, "special_xlog1py", input, other)


@expose("zeta", method=False, namespace="special")
def zeta(input, other):
    """Hurwitz zeta(x, q); torch differentiates only with respect to ``q``."""
    return unary_math.dispatch_binary(_ZETA, "special_zeta", input, other)


@expose("expit", method=False, namespace="special")
def expit(input):
    """The logistic sigmoid (SigmoidBackward0, as torch.sigmoid)."""
    return elementwise.sigmoid(input)


@expose("round", method=False, namespace="special")
def round(input, *, decimals: int = 0):
    """torch.special.round: torch.round with ``decimals`` always given (RoundBackward1)."""
    need_tensor("special_round", input)
    if not input.dtype.is_floating_point:
        raise kernel_error("round_vml_cpu", input.dtype)
    return unary_math.round(input, decimals=decimals)


def _softmax_checked(op: OpDef, name: str, input, dim: int, dtype) -> object:
    need_tensor(name, input)
    if dtype is not None:
        input = input.to(dtype)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{dtypes.legacy_name(input.dtype)}'")
    return dispatch(op, (input,), (norm_dim(dim, input.ndim),))


@expose("softmax", method=False, namespace="special")
def softmax(input, dim: int, *, dtype=None):
    """torch.special.softmax along ``dim`` (``dtype`` casts the input first)."""
    return _softmax_checked(SOFTMAX, "softmax", input, dim, dtype)


@expose("log_softmax", method=False, namespace="special")
def log_softmax(input, dim: int, *, dtype=None):
    """torch.special.log_softmax along ``dim`` (``dtype`` casts the input first)."""
    return _softmax_checked(LOG_SOFTMAX, "log_softmax", input, dim, dtype)


@expose("logsumexp", method=False, namespace="special")
def logsumexp(input, dim, keepdim: bool = False):
    """log(sum(exp(x))) over ``dim`` without overflow; integers give floats."""
    need_tensor("logsumexp", input)
    dims = norm_dims(dim, input.ndim)
    return dispatch(LOGSUMEXP, (input,), (dims, bool(keepdim)))


# special.gammainc / gammaincc are torch.igamma / igammac
expose("gammainc", method=False, namespace="special")(igamma)
expose("gammaincc", method=False, namespace="special")(igammac)
