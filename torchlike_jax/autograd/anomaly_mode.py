"""``torch.autograd.anomaly_mode``: ``detect_anomaly`` and ``set_detect_anomaly``.

Implemented in :mod:`torchlike_jax.core.anomaly_mode`, below the ops (dispatch stores each
node's creation stack while anomaly mode is on); this module is torch's public home for them.
"""

from __future__ import annotations

from ..core.anomaly_mode import *  # noqa: F403
from ..core.anomaly_mode import __all__  # noqa: F401
