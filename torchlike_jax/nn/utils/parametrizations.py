"""``torch.nn.utils.parametrizations``: ``weight_norm`` and ``spectral_norm`` as
parametrizations (see :mod:`.parametrize`), with torch's module names, buffers and state-dict
keys, so a state dict copied from torch reproduces its numbers (power-iteration vectors
included)."""

from __future__ import annotations

from enum import Enum, auto
from typing import Any

import numpy as np

from ... import _creation, _random
from ... import linalg as _linalg
from ...core.grad_mode import no_grad
from ...core.surface import NAMESPACES
from ...core.tensor import Tensor
from ..modules.module import Module
from . import _norms, parametrize

_TORCH = NAMESPACES["torch"]

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """``weight = g * v / ||v||``; the originals are ``original0`` (g) and ``original1`` (v)."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _norms.weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norms.norm_except_dim(weight, self.dim), weight


def _weight_norm_compat_hook(name: str, dim: int) -> Any:
    """Loads a state dict saved with the old ``nn.utils.weight_norm`` (``weight_g``/``_v``)."""
    def hook(state_dict: dict, prefix: str, local_metadata: dict, strict: bool,
             missing_keys: list, unexpected_keys: list, error_msgs: list) -> None:
        g_key, v_key = f"{prefix}{name}_g", f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            original0 = state_dict.pop(g_key)
            original1 = state_dict.pop(v_key)
            state_dict[f"{prefix}parametrizations.{name}.original0"] = original0
            state_dict[f"{prefix}parametrizations.{name}.original1"] = original1

    return hook


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` by its magnitude and direction."""
    wn = _WeightNorm(dim)
    parametrize.register_parametrization(module, name, wn, unsafe=True)
    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook(name, wn.dim))
    return module


class _SpectralNorm(Module):
    """``weight / sigma`` with ``sigma`` estimated by power iteration on buffers ``_u``/``_v``
    (updated in training mode only); 1-d weights are simply normalised."""

    def __init__(self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError("Dimension out of range (expected to be in range of "
                             f"[-{ndim}, {ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = _norms.to_matrix(weight, self.dim)
            h, w = weight_mat.shape
            u = _random.randn(h, dtype=weight_mat.dtype)
            v = _random.randn(w, dtype=weight_mat.dtype)
            self.register_buffer("_u", _norms.normalize(u, self.eps))
            self.register_buffer("_v", _norms.normalize(v, self.eps))
            self._power_method(weight_mat, 15)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        with no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(_norms.normalize(weight_mat.mv(self._v), self.eps))
                self._v.copy_(_norms.normalize(weight_mat.T.conj().mv(self._u), self.eps))

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return _norms.normalize(weight, self.eps)
        weight_mat = _norms.to_matrix(weight, self.dim)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = u.conj().dot(weight_mat.mv(v))
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None) -> Module:
    """Divide ``module.<name>`` by its spectral norm (estimated by power iteration)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


class _OrthMaps(Enum):
    matrix_exp = auto()
    cayley = auto()
    householder = auto()


def _householder_product(a: Tensor, tau: Tensor) -> Tensor:
    """The first ``k`` columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` with ``v_i``
    column ``i`` of ``a`` below the diagonal and 1 on it (LAPACK's orgqr), from plain ops."""
    n, k = a.shape[-2], a.shape[-1]
    v = a.tril(-1) + _creation.eye(n, k, dtype=a.dtype)
    q = _creation.eye(n, dtype=a.dtype).expand(*a.shape[:-2], n, n)
    for i in range(k - 1, -1, -1):  # H_i applied on the left, last reflector first
        vi = v[..., :, i:i + 1]
        q = q - (tau[..., i:i + 1].unsqueeze(-1) * vi) @ (vi.conj().mT @ q)
    return q[..., :, :k]


def _is_orthogonal(q: Tensor) -> bool:
    n, k = q.shape[-2], q.shape[-1]
    eye = _creation.eye(k, dtype=q.dtype)
    eps = 10 * n * float(np.finfo(q.dtype.np).eps)
    return bool((q.conj().mT @ q).allclose(eye, atol=eps))


def _make_orthogonal(a: Tensor) -> Tensor:
    """The orthogonal factor of ``a``'s QR decomposition with ``R``'s diagonal made positive."""
    q, r = _linalg.qr(a)
    return q * r.diagonal(dim1=-2, dim2=-1).sgn().unsqueeze(-2)


class _Orthogonal(Module):
    """Maps an unconstrained matrix to an orthogonal one (matrix exponential or Cayley map of
    a skew-symmetric matrix, or Householder reflectors); with trivialization the result is
    multiplied by a fixed orthogonal ``base``, so any assigned value is reachable."""

    def __init__(self, weight: Tensor, orthogonal_map: _OrthMaps, *,
                 use_trivialization: bool = True) -> None:
        super().__init__()
        if weight.is_complex() and orthogonal_map == _OrthMaps.householder:
            raise ValueError("The householder parametrization does not support complex "
                             "tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, x: Tensor) -> Tensor:
        n, k = x.size(-2), x.size(-1)
        transposed = n < k
        if transposed:
            x = x.mT
            n, k = k, n
        if self.orthogonal_map in (_OrthMaps.matrix_exp, _OrthMaps.cayley):
            x = x.tril()
            if n != k:
                pad = x.new_zeros(n, n - k).expand(*x.shape[:-2], -1, -1)
                x = _TORCH["cat"]([x, pad], dim=-1)
            a = x - x.conj().mT
            if self.orthogonal_map == _OrthMaps.matrix_exp:
                q = _TORCH["matrix_exp"](a)
            else:
                eye = _creation.eye(n, dtype=a.dtype)
                q = _linalg.solve(eye - 0.5 * a, eye + 0.5 * a)
            if n != k:
                q = q[..., :k]
        else:
            a = x.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (a * a).sum(dim=-2))
            q = _householder_product(a, tau)
            q = q * x.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if "base" in self._buffers:
            q = self.base @ q
        if transposed:
            q = q.mT
        return q

    def right_inverse(self, q: Tensor) -> Tensor:
        with no_grad():
            if q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. "
                                 f"Got a tensor of shape {q.shape}.")
            q_init = q
            n, k = q.size(-2), q.size(-1)
            if n < k:
                q = q.mT
                n, k = k, n
            if "base" not in self._buffers:
                raise NotImplementedError("torchlike_jax: assigning to an orthogonal "
                                          "parametrization needs use_trivialization=True")
            if n == k:
                q = q.clone() if _is_orthogonal(q) else _make_orthogonal(q)
            else:
                noise = _random.randn(*(tuple(q.shape[:-2]) + (n, n - k)), dtype=q.dtype)
                q = _make_orthogonal(_TORCH["cat"]([q, noise], dim=-1))
            self.base = q
            rows, cols = q_init.shape[-2], q_init.shape[-1]
            return (-_creation.eye(rows, cols, dtype=q_init.dtype)).expand(q_init.shape).clone()


def orthogonal(module: Module, name: str = "weight", orthogonal_map: str | None = None, *,
               use_trivialization: bool = True) -> Module:
    """Constrain ``module.<name>`` (a matrix or batch of matrices) to be orthogonal."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError("Expected a matrix or batch of matrices. Got a tensor of "
                         f"{weight.ndim} dimensions.")
    if orthogonal_map is None:
        square = weight.size(-2) == weight.size(-1)
        orthogonal_map = "matrix_exp" if square or weight.is_complex() else "householder"
    orth_enum = getattr(_OrthMaps, orthogonal_map, None)
    if orth_enum is None:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orth_enum, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
