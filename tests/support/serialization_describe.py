"""A JSON description of a loaded checkpoint object, shared by the recorder
(tools/record_serialization_fixtures.py, run against real torch) and the tests
(tests/unit/test_serialization.py, run against torchlike_jax and, live, torch), so both sides
describe objects with the very same code.

``lib`` is the library the object came from (``torchlike_jax`` or ``torch``): it names the
tensor, Parameter, Size, dtype and device classes to recognise.
"""

from __future__ import annotations

import datetime
from types import ModuleType
from typing import Any


def describe(obj: Any, lib: ModuleType) -> Any:
    """Tensors as dtype, shape, flat values and flags; containers recursively; plain Python
    scalars as themselves. Raises TypeError for anything else."""
    if isinstance(obj, lib.Tensor):
        t = obj.detach()
        if t.dtype in (lib.float16, lib.bfloat16):
            t = t.float()
        values = t.reshape(-1).tolist()
        if t.is_complex():
            values = [[v.real, v.imag] for v in values]
        return {"tensor": str(obj.dtype).removeprefix("torch."), "shape": list(obj.shape),
                "values": values, "requires_grad": obj.requires_grad,
                "parameter": isinstance(obj, lib.nn.Parameter)}
    if isinstance(obj, dict):
        out = {"dict": type(obj).__name__,
               "items": [[describe(k, lib), describe(v, lib)] for k, v in obj.items()]}
        meta = getattr(obj, "_metadata", None)
        if meta is not None:
            out["metadata"] = describe(meta, lib)
        return out
    if isinstance(obj, (list, tuple)) and not isinstance(obj, lib.Size):
        return {type(obj).__name__: [describe(v, lib) for v in obj]}
    if isinstance(obj, (set, frozenset)):
        return {type(obj).__name__: sorted(describe(v, lib) for v in obj)}
    if isinstance(obj, lib.Size):
        return {"size": list(obj)}
    if isinstance(obj, lib.dtype):
        return {"dtype": str(obj).removeprefix("torch.")}
    if isinstance(obj, lib.device):
        return {"device": str(obj)}
    if isinstance(obj, complex):
        return {"complex": [obj.real, obj.imag]}
    if isinstance(obj, bytes):
        return {"bytes": obj.hex()}
    if isinstance(obj, datetime.timedelta):
        return {"timedelta": obj.total_seconds()}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot describe {type(obj)}")
