"""torch's LinAlgError for singular / not positive-definite inputs, and the LAPACK-style ``info``
of ``inv_ex`` / ``cholesky_ex``.

torch reads LAPACK's ``info`` on the host after inv, solve and cholesky and raises
``torch.linalg.LinAlgError``; JAX returns inf/nan instead. We keep the fast path free of extra
work: eagerly, the result is read on the host (torch synchronises here too) and only a
non-finite result triggers the diagnosis, which computes ``info`` like LAPACK does (the first
exactly-zero pivot of a partially pivoted LU; the order of the first leading minor that is not
positive-definite). Inside ``compile`` / ``torch.func`` traces the values are abstract
(:func:`~.dispatch.value_is_abstract`): nothing is checked there, as torch.compile does not
raise from a kernel either, and ``*_ex`` compute their ``info`` on the device.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ..core.dispatch import dispatch, value_is_abstract
from ..core.registry import KEEP, register
from ..core.tensor_access import array_of


class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError (torch._C._LinAlgError): a RuntimeError, so existing
    ``except RuntimeError`` code keeps working."""


LinAlgError.__name__ = LinAlgError.__qualname__ = "_LinAlgError"
LinAlgError.__module__ = "torchlike_jax._C"


def _inv_info(a):
    """LAPACK getrf's info per matrix: 1 + the first exactly-zero diagonal element of U (0 if
    none), as int32 with the batch shape."""
    lu = jax.lax.linalg.lu(jax.lax.stop_gradient(a))[0]
    zero = jnp.diagonal(lu, axis1=-2, axis2=-1) == 0
    return jnp.where(zero.any(-1), jnp.argmax(zero, -1) + 1, 0).astype(jnp.int32)


def _cholesky_info_one(a):
    """LAPACK potrf's info for one matrix (its lower triangle): the order of the first leading
    minor that is not positive-definite (nan counts), 0 if none. Unblocked, column by column."""
    n = a.shape[-1]
    rows = jnp.arange(n)

    def step(j, state):
        low, info = state
        row = low[j]  # row j of L: only columns < j are filled yet
        ajj = a[j, j] - jnp.vdot(row, row).real
        bad = ~(ajj > 0)
        info = jnp.where((info == 0) & bad, j + 1, info)
        ljj = jnp.sqrt(jnp.where(bad, jnp.ones_like(ajj), ajj))
        col = (a[:, j] - low @ jnp.conj(row)) / ljj
        col = jnp.where(rows > j, col, jnp.zeros_like(col)).at[j].set(ljj.astype(col.dtype))
        return low.at[:, j].set(col), info

    return jax.lax.fori_loop(0, n, step, (jnp.zeros_like(a), jnp.int32(0)))[1]


def _cholesky_info(a, upper: bool):
    a = jax.lax.stop_gradient(a)
    if upper:  # torch reads the upper triangle: its conjugate transpose is the lower one
        a = jnp.conj(jnp.swapaxes(a, -1, -2))
    fn = _cholesky_info_one
    for _ in range(a.ndim - 2):
        fn = jax.vmap(fn)
    return fn(a).astype(jnp.int32)


INV_INFO = register("inv_info", _inv_info, None, dtype_rule=KEEP)
CHOLESKY_INFO = register("cholesky_info", _cholesky_info, None, dtype_rule=KEEP)


def inv_info(A: Any) -> Any:
    """The int32 ``info`` tensor of ``linalg.inv_ex`` (batch-shaped)."""
    return dispatch(INV_INFO, (A,))


def cholesky_info(A: Any, upper: bool) -> Any:
    """The int32 ``info`` tensor of ``linalg.cholesky_ex`` (batch-shaped)."""
    return dispatch(CHOLESKY_INFO, (A,), (bool(upper),))


def _all_finite(t: Any) -> bool:
    return bool(np.isfinite(np.asarray(array_of(t))).all())


def raise_for_info(info: Any, A: Any, name: str, message: Any) -> None:
    """Raise torch's LinAlgError for the first matrix whose ``info`` is non-zero; ``message``
    maps that info to the text after ``name: `` (and the batch element, when batched)."""
    if value_is_abstract(info):
        return
    flat = np.asarray(array_of(info)).reshape(-1)
    bad = np.flatnonzero(flat)
    if not bad.size:
        return
    k = int(bad[0])
    where = f"(Batch element {k}): " if A.ndim > 2 else ""
    raise LinAlgError(f"{name}: {where}{message(int(flat[k]))}")


def singular_message(info: int) -> str:
    return (f"The diagonal element {info} is zero, the inversion could not be completed "
            f"because the input matrix is singular.")


def not_pd_message(info: int) -> str:
    return (f"The factorization could not be completed because the input is not "
            f"positive-definite (the leading minor of order {info} is not positive-definite).")


def check_inverse(A: Any, result: Any, name: str = "linalg.inv",
                  message: Any = singular_message) -> None:
    """After inv/solve: a non-finite result of a finite-looking call is diagnosed with
    getrf's info; raises torch's LinAlgError when a pivot is exactly zero."""
    if value_is_abstract(result) or not result.numel() or _all_finite(result):
        return
    raise_for_info(inv_info(A), A, name, message)


def check_cholesky(A: Any, result: Any, upper: bool, name: str = "linalg.cholesky") -> None:
    """After cholesky: a non-finite factor is diagnosed with potrf's info (see module doc)."""
    if value_is_abstract(result) or not result.numel() or _all_finite(result):
        return
    raise_for_info(cholesky_info(A, upper), A, name, not_pd_message)
