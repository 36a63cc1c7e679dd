"""``torch.autograd``: grad modes, ``backward``, ``grad`` and the graph classes."""

from __future__ import annotations

from . import anomaly_mode, grad_mode, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .grad_mode import (
    enable_grad,
    get_grad_mode,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # the function shadows the module

__all__ = [
    "backward", "grad", "grad_mode", "graph", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "get_grad_mode",
    "anomaly_mode", "detect_anomaly", "set_detect_anomaly",
    "gradcheck", "gradgradcheck", "GradcheckError", "Function", "function", "functional",
    "Variable",
]


def __getattr__(name: str):
    # api imports the tensor layer lazily; resolve on first use to keep layering one-way
    if name in ("backward", "grad"):
        from . import api

        return getattr(api, name)
    if name == "functional":  # torch.autograd.functional (imports the tensor layer lazily)
        import importlib

        return importlib.import_module(f"{__name__}.functional")
    if name in ("Function", "function"):  # custom Functions wrap Tensor: resolved lazily too
        import importlib

        function = importlib.import_module(__name__ + ".function")
        return function if name == "function" else function.Function
    if name == "Variable":  # wraps Tensor: resolved lazily too
        from .variable import Variable

        return Variable
    raise AttributeError(f"module 'torchlike_jax.autograd' has no attribute {name!r}")
