"""The op layer: one module per family of ops, each declaring its ops into the registry and
publishing them into the surface tables (both in :mod:`torchlike_jax.core`).

Importing this package imports every op module in it, so each op is registered and exposed
exactly once, before ``_tensor_methods`` binds the Tensor methods; adding an op module needs no
edit here.
"""

from __future__ import annotations

import importlib
import pkgutil

_INFRASTRUCTURE = {"return_types"}

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name not in _INFRASTRUCTURE and not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
