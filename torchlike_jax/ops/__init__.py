"""The op layer: one registry (``registry``), one dispatch path (``dispatch``), the public
surface tables (``surface``) and one module per family of ops.

Importing this package imports every op module in it, so each op is registered and exposed
exactly once, before the Tensor class binds its methods; adding an op module needs no edit here.
"""

from __future__ import annotations

import importlib
import pkgutil

_INFRASTRUCTURE = {"registry", "dispatch", "surface", "dims", "return_types", "strides"}

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name not in _INFRASTRUCTURE and not _info.name.startswith("_"):
        importlib.import_module(f"{__name__}.{_info.name}")
