"""The two unpicklers of ``torch.load``.

* :class:`WeightsOnlyUnpickler` (``weights_only=True``, torch's default since 2.6): only the
  globals a checkpoint of tensors needs (tensor rebuild functions, storage classes, dtypes,
  ``torch.Size``/``device``, ``Parameter``, ``OrderedDict``, ...) plus what the user allowed
  with ``add_safe_globals``; any other global is refused before anything is called, with
  torch's ``UnpicklingError`` ("Weights only load failed ...").
* :class:`FullUnpickler` (``weights_only=False``): any global, with ``torch.*`` names looked up
  in ``torchlike_jax`` instead (the same table first, then ``torch.X.Y`` as
  ``torchlike_jax.X.Y``), so a torch file never needs torch installed.
"""

from __future__ import annotations

import _compat_pickle
import collections
import importlib
import pickle
from collections.abc import Callable
from typing import Any

from .. import _dtypes
from .._device import device
from .._size import Size
from ..core.tensor import Tensor
from . import _rebuild
from ._format import STORAGE_TYPES, StorageType

_safe_globals: list[Any] = []


def _untyped_storage() -> StorageType:
    st = object.__new__(StorageType)
    st.name, st.dtype = "UntypedStorage", _dtypes.uint8
    return st


def _torch_table() -> dict[str, Any]:
    """torch's global names that a checkpoint of tensors uses, mapped onto ours."""
    from ..nn.parameter import Parameter

    table: dict[str, Any] = {
        "torch._utils._rebuild_tensor": _rebuild.rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild.rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild.rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild.rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild.rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild.rebuild_from_type_v2,
        "torch.nn.parameter.Parameter": Parameter,
        "torch.Tensor": Tensor,
        "torch._tensor.Tensor": Tensor,
        "torch.Size": Size,
        "torch.device": device,
        "torch.storage.UntypedStorage": _untyped_storage(),
    }
    for name, st in STORAGE_TYPES.items():
        table["torch." + name] = st
    for d in _dtypes.ALL:
        table["torch." + d.name] = d
    return table


_BASE_ALLOWED: dict[str, Any] = {
    "collections.OrderedDict": collections.OrderedDict,
    "collections.Counter": collections.Counter,
    "builtins.set": set,
    "builtins.frozenset": frozenset,
    "builtins.bytearray": bytearray,
    "builtins.complex": complex,
    "builtins.slice": slice,
    "_codecs.encode": __import__("codecs").encode,  # how protocol 2 spells bytes
}
_TORCH: dict[str, Any] = {}


def torch_table() -> dict[str, Any]:
    if not _TORCH:
        _TORCH.update(_torch_table())
    return _TORCH


def _global_name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def allowed_globals() -> dict[str, Any]:
    """Everything a weights-only load accepts, by ``module.name``."""
    allowed = dict(_BASE_ALLOWED)
    allowed.update(torch_table())
    for entry in _safe_globals:
        if isinstance(entry, tuple):
            obj, name = entry
            allowed[name] = obj
        else:
            allowed[_global_name(entry)] = entry
    return allowed


def weights_only_error(detail: str) -> pickle.UnpicklingError:
    """torch's error for a weights-only refusal (its key phrases; our words around them)."""
    return pickle.UnpicklingError(
        "Weights only load failed. The file may still load with `weights_only=False`, which can "
        "run arbitrary code: do that only for a checkpoint from a source you trust. Or allow "
        "the needed globals with `torch.serialization.add_safe_globals([...])` or the "
        "`torch.serialization.safe_globals([...])` context manager.\n\tWeightsUnpickler error: "
        + detail)


class _PersistentLoad:
    """Shared persistent_load: the storage tuples of both formats, through ``load_storage``."""

    load_storage: Callable[[tuple], Any]
    storage_error: BaseException | None = None  # raised by our own storage loading

    def persistent_load(self, pid: Any) -> Any:
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Unknown saved id type: {pid!r}")
        try:
            return self.load_storage(pid)
        except Exception as e:
            self.storage_error = e
            raise


class WeightsOnlyUnpickler(_PersistentLoad, pickle._Unpickler):
    """Refuses every global not on the allow list, so nothing else can be called; and BUILD
    (which sets attributes) only on the few types a checkpoint builds, so a file cannot
    change shared objects such as ``torch.float32``. The pure-Python unpickler, because the
    C one offers no hook on BUILD; a checkpoint's pickle holds metadata only, so it is small.
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, file: Any, load_storage: Callable[[tuple], Any],
                 encoding: str = "utf-8") -> None:
        super().__init__(file, encoding=encoding)
        self.load_storage = load_storage
        self._allowed = allowed_globals()
        self._buildable = (collections.OrderedDict, collections.Counter, Tensor, *(
            obj for obj in self._allowed.values()
            if isinstance(obj, type) and any(obj is (e[0] if isinstance(e, tuple) else e)
                                             for e in _safe_globals)))

    def load_build(self) -> None:
        inst = self.stack[-2]  # below the state
        if not isinstance(inst, self._buildable) or isinstance(inst, type):
            raise weights_only_error(
                f"Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                f"`add_safe_globals`, but got {type(inst)}")
        pickle._Unpickler.load_build(self)

    dispatch[pickle.BUILD[0]] = load_build

    def find_class(self, module: str, name: str) -> Any:
        # protocol 2 spells Python 3's names the Python 2 way (``__builtin__.set``)
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        if full in self._allowed:
            return self._allowed[full]
        note = ""
        if module == "torch" or module.startswith("torch."):
            note = (f" (torchlike_jax has no equivalent of {full}: dtypes such as uint16 and "
                    f"float8, quantized and sparse tensors are not supported)")
        raise weights_only_error(
            f"Unsupported global: GLOBAL {full} was not an allowed global by default{note}. "
            f"Please use `torch.serialization.add_safe_globals([{full}])` or the "
            f"`torch.serialization.safe_globals([{full}])` context manager to allowlist this "
            f"global if you trust this class/function.")


class FullUnpickler(_PersistentLoad, pickle.Unpickler):
    """Any global; ``torch.*`` ones resolve to torchlike_jax's objects."""

    def __init__(self, file: Any, load_storage: Callable[[tuple], Any], **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        self.load_storage = load_storage

    def find_class(self, module: str, name: str) -> Any:
        if module == "torch" or module.startswith("torch."):
            full = f"{module}.{name}"
            table = torch_table()
            if full in table:
                return table[full]
            ours = "torchlike_jax" + module[len("torch"):]
            try:
                obj = importlib.import_module(ours)
                for part in name.split("."):
                    obj = getattr(obj, part)
                return obj
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"Can't get attribute '{full}': torchlike_jax has no "
                                             f"equivalent of it") from None
        return super().find_class(module, name)
