"""``torch.autograd``: grad modes, ``backward``, ``grad`` and the graph classes."""

from __future__ import annotations

from ..core import anomaly_mode, grad_mode
from ..core.anomaly_mode import detect_anomaly, set_detect_anomaly
from ..core.grad_mode import (
    enable_grad,
    get_grad_mode,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from . import (  # noqa: F401
    forward_ad,
    function,
    functional,
    graph,
    node_call,
    profiler,
    saved_attributes,
)
from .api import backward, grad
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # the function shadows the module
from .multithreading import set_multithreading_enabled
from .variable import Variable
from .version_counter import _unsafe_preserve_version_counter  # noqa: F401 - torch.autograd name
from .view_replay import _force_original_view_tracking, is_view_replay_enabled  # noqa: F401

__all__ = [
    "backward", "grad", "grad_mode", "graph", "no_grad", "enable_grad", "set_grad_enabled",
    "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "get_grad_mode",
    "anomaly_mode", "detect_anomaly", "set_detect_anomaly",
    "gradcheck", "gradgradcheck", "GradcheckError", "Function", "function", "functional",
    "Variable", "profiler", "set_multithreading_enabled", "forward_ad",
]
