"""``torch.special`` ops that have no ``torch.*`` twin (the shared ones, such as
``special.erf`` or ``special.gammaln``, are published by ``unary_math``).

Integer and bool inputs compute in the default float dtype, as in torch. Functions torch marks
as not differentiable (the ``bessel``-style ones) register without a ``grad_fn``, so their
results do not require grad, as in torch.
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp
import jax.scipy.special as jss

from .. import _dtypes as D
from .._dtypes import compute_in_float32
from ..core.dims import norm_dim, norm_dims
from ..core.dispatch import dispatch
from ..core.registry import FLOAT, OpDef, register
from ..core.surface import NAMESPACES
from . import elementwise as E
from . import unary_math as U

_F = U._float_op


def _name(op: str) -> str:
    return f"special_{op}"


ERFCX = _F(_name("erfcx"), jss.erfcx, "SpecialErfcxBackward0")
# torch's ndtr is composite (0.5 * erfc(-x / sqrt 2)): its last node is a scalar mul
NDTR = _F(_name("ndtr"), jss.ndtr, "MulBackward1")
NDTRI = _F(_name("ndtri"), jss.ndtri, "SpecialNdtriBackward0", saves=(), out=True)
LOG_NDTR = _F(_name("log_ndtr"), jss.log_ndtr, "SpecialLogNdtrBackward0", out=True)
I0E = _F(_name("i0e"), jss.i0e, "SpecialI0EBackward0", out=True)
I1 = _F(_name("i1"), jss.i1, "SpecialI1Backward0", out=True)
I1E = _F(_name("i1e"), jss.i1e, "SpecialI1EBackward0", out=True)


def _entr(a):
    """-x log x; 0 at 0 and -inf below 0 (nan stays nan)."""
    safe = jnp.where(a > 0, a, jnp.ones_like(a))
    inner = -a * jnp.log(safe)
    return jnp.where(a > 0, inner,
                     jnp.where(a == 0, jnp.zeros_like(a), jnp.where(a < 0, -jnp.inf, a)))


ENTR = _F(_name("entr"), _entr, "SpecialEntrBackward0")
MODIFIED_BESSEL_I0 = _F(_name("modified_bessel_i0"), jss.i0, None, saves=())
MODIFIED_BESSEL_I1 = _F(_name("modified_bessel_i1"), jss.i1, None, saves=())


def _spherical_j0(a):
    """sin(x) / x, 1 at 0."""
    zero = a == 0
    safe = jnp.where(zero, jnp.ones_like(a), a)
    return jnp.where(zero, jnp.ones_like(a), jnp.sin(safe) / safe)


SPHERICAL_BESSEL_J0 = _F(_name("spherical_bessel_j0"), _spherical_j0, None, saves=())


def _zeta(x, q):
    """Hurwitz zeta with Cephes' (torch's) special values: inf at x == 1 and at the poles
    q = 0, -1, -2...; nan for x < 1."""
    r = jss.zeta(jax.lax.stop_gradient(x), q)  # torch has no derivative in x either
    r = jnp.where((q <= 0) & (q == jnp.floor(q)), jnp.inf, r)
    return jnp.where(x == 1, jnp.inf, jnp.where(x < 1, jnp.nan, r))


ZETA = U.binary_variants(_name("zeta"), compute_in_float32(_zeta, n_arrays=2),
                         "SpecialZetaBackward")
XLOG1PY = U.binary_variants(_name("xlog1py"), compute_in_float32(
    lambda x, y: U._xlogy(x, y, log=jnp.log1p, bound=-1.0), n_arrays=2),
    "SpecialXlog1PyBackward")


def _softmax_impl(fn: Callable) -> Callable:
    """``fn`` along ``dim``, halves in float32; a 0-dim input is one element (as torch)."""
    in_float32 = compute_in_float32(fn)

    def impl(a, dim):
        if a.ndim == 0:
            return impl(a[None], 0)[0]
        return in_float32(a, axis=dim)

    return impl


SOFTMAX = register(_name("softmax"), _softmax_impl(jax.nn.softmax), "SoftmaxBackward0",
                   dtype_rule=FLOAT, saves_output=True)
LOG_SOFTMAX = register(_name("log_softmax"), _softmax_impl(jax.nn.log_softmax),
                       "LogSoftmaxBackward0", dtype_rule=FLOAT, saves_output=True)


@compute_in_float32
def _logsumexp(a, dims, keepdim):
    return jax.nn.logsumexp(a, axis=dims, keepdims=keepdim)


LOGSUMEXP = register(_name("logsumexp"), _logsumexp, "LogsumexpBackward0", dtype_rule=FLOAT,
                     saves_inputs=(0,), saves_output=True)


def _unary(op: OpDef, name: str, doc: str) -> Callable:
    fn = U._unary(op, doc, name=name)
    return fn


erfcx = _unary(ERFCX, "erfcx", "Scaled complementary error function exp(x**2) * erfc(x).")
ndtr = _unary(NDTR, "ndtr", "Standard normal CDF.")
ndtri = _unary(NDTRI, "ndtri", "Inverse of the standard normal CDF.")
log_ndtr = _unary(LOG_NDTR, "log_ndtr", "log of the standard normal CDF, accurate in the tail.")
i0e = _unary(I0E, "i0e", "Exponentially scaled modified Bessel function I0: exp(-|x|) i0(x).")
i1 = _unary(I1, "i1", "Modified Bessel function of the first kind, order 1.")
i1e = _unary(I1E, "i1e", "Exponentially scaled modified Bessel function I1.")
entr = _unary(ENTR, "entr", "Elementwise entropy -x log x (0 at 0, -inf below).")
modified_bessel_i0 = _unary(MODIFIED_BESSEL_I0, "modified_bessel_i0",
                            "I0(x); not differentiable in torch.")
modified_bessel_i1 = _unary(MODIFIED_BESSEL_I1, "modified_bessel_i1",
                            "I1(x); not differentiable in torch.")
spherical_bessel_j0 = _unary(SPHERICAL_BESSEL_J0, "spherical_bessel_j0",
                             "sin(x) / x; not differentiable in torch.")


def xlog1py(input, other):
    """x * log1p(y), 0 where x == 0 (and y is not nan)."""
    return U.dispatch_binary(XLOG1PY, "special_xlog1py", input, other)


def zeta(input, other):
    """Hurwitz zeta(x, q); torch differentiates only with respect to ``q``."""
    return U.dispatch_binary(ZETA, "special_zeta", input, other)


def expit(input):
    """The logistic sigmoid (SigmoidBackward0, as torch.sigmoid)."""
    return E.sigmoid(input)


def round(input, *, decimals: int = 0):
    """torch.special.round: torch.round with ``decimals`` always given (RoundBackward1)."""
    U._check_input("special_round", input)
    if not input.dtype.is_floating_point:
        raise U._not_implemented("round_vml_cpu", input)
    return U.round(input, decimals=decimals)


def _softmax(op: OpDef, name: str) -> Callable:
    def fn(input, dim: int, *, dtype=None):
        U._check_input(name, input)
        if dtype is not None:
            input = input.to(dtype)
        if not input.dtype.is_floating_point:
            raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                      f"'{D.legacy_name(input.dtype)}'")
        return dispatch(op, (input,), (norm_dim(dim, input.ndim),))

    fn.__name__ = name
    fn.__doc__ = f"torch.special.{name} along ``dim`` (``dtype`` casts the input first)."
    return fn


softmax = _softmax(SOFTMAX, "softmax")
log_softmax = _softmax(LOG_SOFTMAX, "log_softmax")


def logsumexp(input, dim, keepdim: bool = False):
    """log(sum(exp(x))) over ``dim`` without overflow; integers give floats."""
    U._check_input("logsumexp", input)
    dims = norm_dims(dim, input.ndim)
    return dispatch(LOGSUMEXP, (input,), (dims, bool(keepdim)))


for _f in (erfcx, ndtr, ndtri, log_ndtr, i0e, i1, i1e, entr, modified_bessel_i0,
           modified_bessel_i1, spherical_bessel_j0, xlog1py, zeta, expit, round, softmax,
           log_softmax, logsumexp):
    U.publish(_f, _f.__name__, method=False, namespace="special")
# special.gammainc / gammaincc are torch.igamma / igammac (ops/binary_math.py, imported earlier)
for _special, _torch in (("gammainc", "igamma"), ("gammaincc", "igammac")):
    if _torch in NAMESPACES["torch"]:
        U.publish(NAMESPACES["torch"][_torch], _special, method=False, namespace="special")
