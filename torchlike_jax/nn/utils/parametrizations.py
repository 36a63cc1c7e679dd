"""``torch.nn.utils.parametrizations``: ``weight_norm`` and ``spectral_norm`` as
parametrizations (see :mod:`.parametrize`), with torch's module names, buffers and state-dict
keys, so a state dict copied from torch reproduces its numbers (power-iteration vectors
included)."""

from __future__ import annotations

from typing import Any

from ... import _random
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.module import Module
from . import _norms
from . import parametrize as P

__all__ = ["spectral_norm", "weight_norm"]


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
    P.register_parametrization(module, name, wn, unsafe=True)
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
    P.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
