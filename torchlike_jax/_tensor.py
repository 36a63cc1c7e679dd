"""The ``Tensor`` handle: a mutable facade over an immutable ``jax.Array``.

Storage lives in a tiny :class:`Storage` box (array + version counter) that handles may share:
``detach()`` and ``.data`` alias their source exactly as in torch, so an in-place write through
either is seen by both; ``detach()`` also shares the version counter, ``.data`` has its own.
"In-place" ops compute a new array through the normal dispatch path and rebind the box; that
is what makes torch's in-place errors ("a leaf Variable that requires grad...", "modified by an
inplace operation") possible.

All arithmetic goes through :mod:`torchlike_jax.ops`; this module only adds properties, Python
protocol methods and the in-place rebinding.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtypes as D
from . import _value_checks as V
from . import _views
from ._device import device_of, jax_device
from ._formatting import format_tensor
from ._size import Size
from .autograd import _transforms, grad_mode
from .autograd.graph import RemovableHandle
from .ops import dispatch as _dispatch_mod
from .ops import elementwise as E
from .ops import indexing as I
from .ops import linalg as L
from .ops import shape as S
from .ops import surface
from .ops.dims import broadcast_shapes
from .ops.dispatch import _legacy_name
from .ops.registry import KEEP, register
from .ops.strides import layout

_func_state = _transforms.state
_LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
_VIEW_LEAF_INPLACE = ("a view of a leaf Variable that requires grad is being used in an in-place "
                      "operation.")
_NO_GRAD_VIEW_INPLACE = (
    "A view was created in no_grad mode and is being modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
    "code by moving both the view and the inplace either both inside the no_grad block (if you "
    "don't want the inplace to be tracked) or both outside (if you want the inplace to be "
    "tracked).")
_INFERENCE_INPLACE = ("Inplace update to inference tensor outside InferenceMode is not allowed."
                      "You can make a clone to get a normal tensor before doing inplace update."
                      "See https://github.com/pytorch/rfcs/pull/17 for more details.")
_NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")


class Storage:
    """The shared, rebindable home of a tensor's array and its version counter."""

    __slots__ = ("array", "version", "__weakref__")

    def __init__(self, array: jax.Array) -> None:
        self.array = array
        self.version = 0


class _DataStorage(Storage):
    """The storage of a ``.data`` handle: its source's array, but a version counter of its own
    (torch's ``.data`` hides in-place writes from autograd; ``detach()`` does not)."""

    __slots__ = ("_src",)

    def __init__(self, src: Storage) -> None:
        self._src = src
        self.version = 0

    @property
    def array(self) -> jax.Array:
        return self._src.array

    @array.setter
    def array(self, value: jax.Array) -> None:
        self._src.array = value


def _tensor_type_name(d: D.dtype) -> str:
    return f"torch.{_legacy_name(d)}Tensor"


def _type_target(target: Any) -> Any:
    """What ``Tensor.type(target)`` converts to: a dtype, a legacy type class
    (``torch.DoubleTensor``, which carries its ``dtype``) or its name ('torch.DoubleTensor')."""
    if isinstance(target, str):
        for name in ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16",
                     "int8", "uint8", "bool_", "complex64", "complex128"):
            d = getattr(D, name)
            if _tensor_type_name(d) == target:
                return d
        raise ValueError(f"invalid type: {target!r}")
    if isinstance(target, type) and isinstance(getattr(target, "dtype", None), D.dtype):
        return target.dtype
    return target


class Tensor:
    """A torch-style tensor. Create with ``torch.tensor(...)`` and friends."""

    __slots__ = ("_st", "_requires_grad", "_grad", "_grad_fn", "_output_nr", "_retains_grad",
                 "_hooks", "_inference", "_acc", "_post_acc_hooks", "_base", "_views",
                 "__weakref__")
    __array_priority__ = 1000  # so numpy scalars defer to our reflected operators

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def _wrap(cls, array: jax.Array, inference: bool = False) -> Tensor:
        t = object.__new__(cls)
        t._st = Storage(array)
        t._requires_grad = False
        t._grad = None
        t._grad_fn = None
        t._output_nr = 0
        t._retains_grad = False
        t._hooks = None
        t._inference = inference
        t._acc = None
        t._post_acc_hooks = None
        t._base = None  # the tensor this one is a view of (torch's ``_base``), see _views.py
        t._views = None  # weak references to this tensor's live views
        return t

    @classmethod
    def _alias(cls, src: Tensor) -> Tensor:
        """A new autograd-free handle on the same storage (``detach()``, ``.data``)."""
        t = cls._wrap(None, src._inference)
        t._st = src._st
        return t

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Legacy ``torch.Tensor(data)`` / ``torch.Tensor(2, 3)``: always the default dtype."""
        from ._creation import tensor, zeros

        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            if isinstance(data, Size):
                return zeros(data, **kwargs)
            return tensor(data, dtype=D.get_default_dtype(), **kwargs)
        return zeros(*(args or (0,)), **kwargs)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __deepcopy__(self, memo: dict) -> Tensor:
        """Leaves only, as in torch: a new storage with the same flags and a copied ``.grad``."""
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        out = Tensor._wrap(self._st.array, self._inference)
        out._requires_grad = self._requires_grad
        if self._grad is not None:
            out._grad = Tensor._wrap(self._grad._st.array)
        memo[id(self)] = out
        return out

    @property
    def _array(self) -> jax.Array:
        return self._st.array

    # ---- metadata -----------------------------------------------------------------------
    @property
    def dtype(self) -> D.dtype:
        return D._BY_NP[self._st.array.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._st.array.shape)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return self.shape
        return self._st.array.shape[S.norm_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        return self._st.array.ndim

    def dim(self) -> int:
        return self._st.array.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._st.array.size)

    nelement = numel

    def element_size(self) -> int:
        return self.dtype.itemsize

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        return self.dtype.is_complex

    @property
    def device(self):
        return device_of(self._st.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        if dtype is None:
            return _tensor_type_name(self.dtype)
        return self.to(_type_target(dtype))

    @property
    def _version(self) -> int:
        return self._st.version

    def is_inference(self) -> bool:
        return self._inference

    # ---- autograd metadata --------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None and value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables.")
        self._set_requires_grad(bool(value), "only Tensors of floating point and complex dtype "
                                             "can require gradients")

    def _set_requires_grad(self, value: bool, dtype_msg: str) -> None:
        if self._grad_fn is not None:
            if value:
                return
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you "
                               "want to use a computed variable in a subgraph that doesn't "
                               "require differentiation use var_no_grad = var.detach().")
        if value and self._st.array.dtype.kind not in "fcV":
            raise RuntimeError(dtype_msg)
        if value and self._inference and not grad_mode._local.inference_mode:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self._set_requires_grad(bool(requires_grad),
                                "only Tensors of floating point dtype can require gradients")
        return self

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(_NONLEAF_GRAD, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}'"
                                   f" to a tensor of size '{list(self.shape)}'. Please ensure "
                                   "that the gradient and the tensor are the same size")
            if value.dtype is not self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(value.dtype)}' to a "
                    f"tensor with grad_dtype '{_legacy_name(self.dtype)}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype).")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Keep ``.grad`` for a non-leaf after backward (a no-op on leaves, as in torch)."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._grad_fn.retain(self, self._output_nr)
        self._retains_grad = True

    def register_hook(self, hook) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._register_tensor_hook(hook, self._output_nr)
        if self._hooks is None:
            self._hooks = {}
        handle = RemovableHandle(self._hooks)
        self._hooks[handle._key] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook) -> RemovableHandle:
        """Call ``hook(self)`` after backward has accumulated into this leaf's ``.grad`` (leaf
        only; it must return None). Not called by ``autograd.grad``, which accumulates nothing."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        handle = RemovableHandle(self._post_acc_hooks)
        self._post_acc_hooks[handle._key] = hook
        return handle

    def backward(self, gradient: Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (see autograd.backward)."""
        from .autograd.api import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    @property
    def data(self) -> Tensor:
        t = Tensor._wrap(None, self._inference)
        t._st = _DataStorage(self._st)
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        """Share ``value``'s array, keeping this tensor's own version counter (torch's set_data:
        ``w.data -= lr * g`` leaves ``w._version`` alone)."""
        src = value._st._src if isinstance(value._st, _DataStorage) else value._st
        own = self._st._src if isinstance(self._st, _DataStorage) else self._st
        if src is own:
            return  # ``x.data = x.data`` after writing through it: nothing changes
        st = _DataStorage(src)
        st.version = self._st.version
        self._st = st

    def detach(self) -> Tensor:
        """A new handle on the same storage that is cut from the graph (shares the version)."""
        if _func_state.diff:  # inside torch.func.grad/jvp...: cut JAX's derivative too (new array)
            return Tensor._wrap(_transforms.stop_all(self._st.array), self._inference)
        return Tensor._alias(self)

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ---- conversions --------------------------------------------------------------------
    def _host(self) -> np.ndarray:
        a = self._st.array
        if _func_state.diff:  # inside torch.func.grad/jvp: the tracer's concrete value
            a = _transforms.concrete(a)
        a = np.asarray(a)
        if a.dtype.kind == "V" or a.dtype == D.bfloat16.np:
            a = a.astype(np.float32)
        return a

    def item(self) -> Any:
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return self._host().reshape(()).item()

    def tolist(self) -> Any:
        return self._host().tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """A host copy (JAX arrays are immutable, so unlike torch it does not share memory)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return np.array(self._st.array)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.numpy()
        return out if dtype is None else out.astype(dtype)

    def __jax_array__(self) -> jax.Array:
        return self._st.array

    def _scalar(self, kind: type) -> Any:
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self.item())

    def __float__(self) -> float:
        return self._scalar(float)

    def __int__(self) -> int:
        return self._scalar(int)

    def __complex__(self) -> complex:
        return self._scalar(complex)

    def __index__(self) -> int:
        if self.dtype.category != D._INT and self.dtype is not D.bool_ or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.numel() != 1:
            how = "no values" if self.numel() == 0 else "more than one value"
            raise RuntimeError(f"Boolean value of Tensor with {how} is ambiguous")
        return bool(self.item())

    def __format__(self, spec: str) -> str:
        if self.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._st.array.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._st.array.shape[0]))

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        d = self.dtype
        default = d in (D.get_default_dtype(), D.int64, D.bool_) or (
            d.is_complex and d is D.get_default_dtype().to_complex())
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self._grad_fn is not None:
            extras.append(f"grad_fn=<{self._grad_fn.name()}>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return format_tensor(self._host() if d is not D.bfloat16 else np.asarray(self._st.array),
                             str(d), is_default_dtype=default, extras=extras)

    __str__ = __repr__

    # ---- dtype / device moves -----------------------------------------------------------
    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``; self if no-op."""
        dtype = kwargs.pop("dtype", None)
        dev = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        for a in args:
            if isinstance(a, D.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, dev = a.dtype, a.device
            elif a is not None:
                dev = a
        out = self
        if dtype is not None:
            out = S.to_dtype(out, dtype)
        if dev is not None and device_of(out._st.array) != dev:
            target = jax_device(dev)
            moved = S.clone(out) if out is self else out
            moved._st.array = jax.device_put(moved._st.array, target)
            out = moved
        if copy and out is self:
            out = S.clone(self)
        return out

    def float(self) -> Tensor:
        return S.to_dtype(self, D.float32)

    def double(self) -> Tensor:
        return S.to_dtype(self, D.float64)

    def half(self) -> Tensor:
        return S.to_dtype(self, D.float16)

    def bfloat16(self) -> Tensor:
        return S.to_dtype(self, D.bfloat16)

    def long(self) -> Tensor:
        return S.to_dtype(self, D.int64)

    def int(self) -> Tensor:
        return S.to_dtype(self, D.int32)

    def bool(self) -> Tensor:
        return S.to_dtype(self, D.bool_)

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: Any = None) -> Tensor:
        return self.to("cuda" if device is None else device)

    def type_as(self, other: Tensor) -> Tensor:
        return S.to_dtype(self, other.dtype)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """Itself when contiguous; a copy (``CloneBackward0``) of a non-contiguous view."""
        return self if layout(self)[1] else S.clone(self)

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return layout(self)[1]

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The strides torch would report (recovered from the view chain, see ops/strides.py)."""
        strides = layout(self)[0]
        return strides if dim is None else strides[S.norm_dim(dim, self.ndim)]

    def storage_offset(self) -> int:
        return layout(self)[2]

    # ---- shape helpers ------------------------------------------------------------------
    @property
    def T(self) -> Tensor:  # noqa: N802 - torch's name
        if self.ndim < 2:
            if self.ndim == 1:
                _warn_T()
            return self if self.ndim == 0 else S.permute(self, 0)
        if self.ndim > 2:
            _warn_T()
        return S.permute(self, *reversed(range(self.ndim)))

    @property
    def real(self) -> Tensor:
        """torch.real (a copy here, not a view sharing the complex storage)."""
        return surface.NAMESPACES["torch"]["real"](self)

    @property
    def imag(self) -> Tensor:
        return surface.NAMESPACES["torch"]["imag"](self)

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self.ndim}-D tensor.")
        return S.transpose(self, -2, -1)

    def view_as(self, other: Tensor) -> Tensor:
        return S.reshape(self, other.shape)

    reshape_as = view_as

    def expand_as(self, other: Tensor) -> Tensor:
        return S.expand(self, other.shape)

    def new_tensor(self, data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        from ._creation import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        from ._creation import zeros

        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        from ._creation import ones

        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None,
                 requires_grad: bool = False) -> Tensor:
        from ._creation import full

        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    # ---- in-place machinery -------------------------------------------------------------
    def _check_inplace(self, leaf_msg: str = _LEAF_INPLACE) -> None:
        local = grad_mode._local
        if self._inference and not local.inference_mode:
            raise RuntimeError(_INFERENCE_INPLACE)
        base = self._base
        if base is not None:
            if local.grad_enabled and base._requires_grad:
                if self._st.no_grad_made:
                    raise RuntimeError(_NO_GRAD_VIEW_INPLACE)
                if base._grad_fn is None:
                    raise RuntimeError(_VIEW_LEAF_INPLACE)
            _views.check_writable(self)
        if local.grad_enabled and self._requires_grad and self._grad_fn is None:
            raise RuntimeError(leaf_msg)
        node = self._grad_fn
        if node is not None and node.python_backward and local.grad_enabled \
                and self._output_nr in getattr(node.state, "as_is", ()):
            raise RuntimeError(
                f"Output {self._output_nr} of {node.state.cls.__name__} is a view and is being "
                "modified inplace. This view was created inside a custom Function (or because an "
                "input was returned as-is) and the autograd logic to handle view+inplace would "
                "override the custom backward associated with the custom Function, leading to "
                "incorrect gradients. This behavior is forbidden. You can fix this by cloning "
                "the output of the custom Function.")

    def _rebind(self, result: Tensor, reshaping: bool = False) -> Tensor:
        """Make ``self`` hold ``result``'s value and autograd history; bump the version.

        A view writes through into its base instead (``_views.write_through``); ``reshaping``
        (``t_``, ``squeeze_``...) turns a view into a tensor of its own.
        """
        if self._base is not None:
            if not reshaping:
                return _views.write_through(self, result)
            self._st = Storage(self._st.array)
            self._base = None
        st = self._st
        old_st = result._st
        st.array = result._st.array
        st.version += 1
        node = result._grad_fn
        if node is not None:
            if node.saved:
                saved = list(node.saved)
                # The node holds self's pre-op (immutable) array, i.e. torch's ``original_self``:
                # neither this write nor later ones invalidate it, so self-as-input 0 is unchecked.
                for k, s in enumerate(saved):
                    if not s[3] and s[2]() is self:
                        del saved[k]
                        break
                node.saved = tuple((weakref.ref(st), st.version, s[2], s[3])
                                   if s[0]() is old_st else s for s in saved)
            if self._retains_grad and self._grad_fn is not None and self._grad_fn.retained:
                self._grad_fn.retained.pop(self._output_nr, None)
                node.retain(self, result._output_nr)
            self._grad_fn = node
            self._output_nr = result._output_nr
            self._requires_grad = True
        if self._views:
            _views.refresh(self)
        return self

    def _inplace(self, fn, *args: Any) -> Tensor:
        self._check_inplace()
        return self._rebind(_same_shape(self, _with_out_dtype(fn, self, args)))

    def zero_(self) -> Tensor:
        self._check_inplace()
        return self._rebind(_dispatch_mod.dispatch(_ZERO, (self,)))

    def fill_(self, value: Any) -> Tensor:
        self._check_inplace()
        if isinstance(value, Tensor) and value.ndim != 0:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        if not isinstance(value, Tensor):
            if not isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
                raise TypeError(f"fill_() received an invalid combination of arguments - got "
                                f"({type(value).__name__}), but expected one of:\n"
                                f" * (Tensor value)\n * (Number value)\n")
            V.check_fill(value, self.dtype)
        op = _FILL_TENSOR if isinstance(value, Tensor) else _FILL
        return self._rebind(_dispatch_mod.dispatch(op, (self, value)))

    def copy_(self, src: Tensor, non_blocking: bool = False) -> Tensor:
        self._check_inplace()
        if isinstance(src, Tensor):
            _same_shape(self, src, broadcast_shapes(self.shape, src.shape))
        return self._rebind(_dispatch_mod.dispatch(_COPY, (self, src)))

    def __setitem__(self, index: Any, value: Any) -> None:
        self._check_inplace(_VIEW_LEAF_INPLACE)
        if type(value) in (int, float, complex):
            V.check_fill(value, self.dtype)
        self._rebind(I.setitem_value(self, index, value))

    def __getitem__(self, index: Any) -> Tensor:
        return I.getitem(self, index)

    # ---- operators ----------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return E.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return E.add(self, other)

    def __sub__(self, other: Any) -> Tensor:
        return E.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return E.rsub(self, other)

    def __mul__(self, other: Any) -> Tensor:
        return E.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return E.mul(self, other)

    def __truediv__(self, other: Any) -> Tensor:
        return E.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _dispatch_mod.dispatch(E.RDIV, (self, other))

    def __floordiv__(self, other: Any) -> Tensor:
        return E.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        out = _dispatch_mod.dispatch(E.RFLOOR_DIVIDE, (self, other))
        E.check_int_divisor(self, out)
        return out

    def __mod__(self, other: Any) -> Tensor:
        return E.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        out = _dispatch_mod.dispatch(E.RREMAINDER, (self, other))
        E.check_int_divisor(self, out)
        return out

    def __pow__(self, other: Any) -> Tensor:
        return E.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return E.pow(other, self)

    def __matmul__(self, other: Tensor) -> Tensor:
        return L.matmul(self, other)

    def __rmatmul__(self, other: Tensor) -> Tensor:
        if not isinstance(other, Tensor):
            return NotImplemented
        return L.matmul(other, self)

    def __neg__(self) -> Tensor:
        return E.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return E.abs(self)

    def __invert__(self) -> Tensor:
        if self.dtype is D.bool_:
            return _dispatch_mod.dispatch(E.LOGICAL_NOT, (self,))
        return _dispatch_mod.dispatch(E.BITWISE_NOT, (self,))

    def __and__(self, other: Any) -> Tensor:
        return _dispatch_mod.dispatch(E.BITWISE_AND, (self, other))

    __rand__ = __and__

    def __or__(self, other: Any) -> Tensor:
        return _dispatch_mod.dispatch(E.BITWISE_OR, (self, other))

    __ror__ = __or__

    def __xor__(self, other: Any) -> Tensor:
        return _dispatch_mod.dispatch(E.BITWISE_XOR, (self, other))

    __rxor__ = __xor__

    def __lshift__(self, other: Any) -> Tensor:
        return _public("bitwise_left_shift")(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return _public("bitwise_left_shift")(_like(self, other), self)

    def __rshift__(self, other: Any) -> Tensor:
        return _public("bitwise_right_shift")(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return _public("bitwise_right_shift")(_like(self, other), self)

    # true in-place forms (without them Python would rebind the name to a new tensor)
    def __iand__(self, other: Any) -> Tensor:
        return self.bitwise_and_(other)

    def __ior__(self, other: Any) -> Tensor:
        return self.bitwise_or_(other)

    def __ixor__(self, other: Any) -> Tensor:
        return self.bitwise_xor_(other)

    def __ilshift__(self, other: Any) -> Tensor:
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other: Any) -> Tensor:
        return self.bitwise_right_shift_(other)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> Tensor:
        return self.remainder_(other)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return False if other is None else E.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return True if other is None else E.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return E.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return E.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return E.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return E.ge(self, other)

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace(E.add, other)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace(E.sub, other)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace(E.mul, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace(E.div, other)

    def __ipow__(self, other: Any) -> Tensor:
        return self._inplace(E.pow, other)

    def __imatmul__(self, other: Any) -> Tensor:
        return self._inplace(L.matmul, other)


def _public(name: str):
    """A ``torch.*`` function another op module exposed (ops/surface.py)."""
    return surface.NAMESPACES["torch"][name]


def _like(self: Tensor, scalar: Any) -> Tensor:
    """A Python scalar as a 0-dim tensor of ``self``'s dtype (for reflected shifts)."""
    from ._creation import tensor

    return tensor(scalar, dtype=self.dtype)


def _same_shape(self: Tensor, result: Tensor, shape: tuple | None = None) -> Tensor:
    """torch's check that an in-place result still fits ``self`` (no broadcasting the output)."""
    shape = result.shape if shape is None else tuple(shape)
    if shape != self.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast "
                           f"shape {list(shape)}")
    return result


def _c_name(d: D.dtype) -> str:
    return {"float32": "float", "float64": "double", "int64": "long int", "int32": "int",
            "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}.get(d.name, d.name)


_T_warned = False


def _warn_T() -> None:  # noqa: N802
    """torch warns once per process (TORCH_WARN_ONCE), not on every ``x.T``."""
    global _T_warned
    if _T_warned:
        return
    _T_warned = True
    warnings.warn(
        "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
        "deprecated and it will throw an error in a future release. Consider `x.mT` to transpose "
        "batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the "
        "dimensions of a tensor.", UserWarning, stacklevel=3)


def _with_out_dtype(fn, self: Tensor, args: tuple) -> Tensor:
    """Run an out-of-place op for an in-place method, its result cast back to ``self``'s dtype."""
    state = _dispatch_mod.inplace_state
    token = state.out_dtype
    state.out_dtype = self.dtype
    try:
        return fn(self, *args)
    finally:
        state.out_dtype = token


_ZERO = register("zero_", lambda a: jnp.zeros_like(a), "ZeroBackward0", dtype_rule=KEEP)
_FILL = register("fill_", lambda a, v: jnp.full_like(a, v.astype(a.dtype)), "FillBackward2",
                 dtype_rule=KEEP)
_FILL_TENSOR = register("fill_tensor_", lambda a, v: jnp.full_like(a, v.astype(a.dtype)),
                        "FillBackward3", dtype_rule=KEEP)
_COPY = register("copy_", lambda a, s: jnp.broadcast_to(s.astype(a.dtype), a.shape),
                 "CopyBackwards", dtype_rule=KEEP)

_dispatch_mod.Tensor = Tensor
_dispatch_mod.view_hook = _views.make_views
I.Tensor = Tensor


def _method(fn, name: str):
    def m(self, *args, **kwargs):
        return fn(self, *args, **kwargs)

    m.__name__ = name
    m.__qualname__ = f"Tensor.{name}"
    m.__doc__ = fn.__doc__
    return m


def _inplace_method(fn, name: str):
    reshapes = name in surface.RESHAPING_INPLACE

    def m(self, *args, **kwargs):
        self._check_inplace()
        out = _with_out_dtype(lambda s, *a: fn(s, *a, **kwargs), self, args)
        return self._rebind(out if reshapes else _same_shape(self, out), reshapes)

    m.__name__ = name
    m.__qualname__ = f"Tensor.{name}"
    return m


def _bind_public_methods() -> None:
    """Every method op modules exposed (ops/surface.py); the class's own definitions win."""
    for name, fn in surface.METHODS.items():
        if name not in Tensor.__dict__:
            setattr(Tensor, name, _method(fn, name))
    for name, fn in surface.INPLACE.items():
        if name not in Tensor.__dict__:
            setattr(Tensor, name, _inplace_method(fn, name))


def _where_method(self: Tensor, condition: Tensor, y: Any) -> Tensor:
    return E.where(condition, self, y)


Tensor.where = _where_method
_bind_public_methods()


# Binary operators return NotImplemented for operands torch does not take (str, list, None...),
# so Python raises its own "unsupported operand type(s)" TypeError (and ``==`` falls back to
# identity), exactly as with torch. ``@`` takes tensors only.
_OPERANDS = (Tensor, bool, int, float, complex, np.generic, np.ndarray)


def _defer_unsupported(method, accepted: tuple):
    def m(self, other):
        if not isinstance(other, accepted):
            return NotImplemented
        return method(self, other)

    m.__name__ = method.__name__
    m.__qualname__ = method.__qualname__
    m.__doc__ = method.__doc__
    return m


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
              "xor", "lshift", "rshift"):
    for _dunder in (f"__{_name}__", f"__r{_name}__", f"__i{_name}__"):
        if _dunder in Tensor.__dict__:
            setattr(Tensor, _dunder, _defer_unsupported(
                Tensor.__dict__[_dunder], (Tensor,) if _name == "matmul" else _OPERANDS))
for _dunder in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(Tensor, _dunder, _defer_unsupported(Tensor.__dict__[_dunder], _OPERANDS))
