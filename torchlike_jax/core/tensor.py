"""The ``Tensor`` handle: a mutable facade over an immutable ``jax.Array``.

Storage lives in a tiny :class:`Storage` box (array + version counter) that handles may share:
``detach()`` and ``.data`` alias their source exactly as in torch, so an in-place write through
either is seen by both; ``detach()`` also shares the version counter, ``.data`` has its own.

This module is the Tensor's *state*: metadata, autograd flags, hooks, conversions and repr.
It sits in the core layer, below every op, so dispatch can wrap results without a late-bound
class. What needs ops is attached from above: the in-place machinery by
:mod:`~torchlike_jax.core.inplace`, arithmetic, operators and op methods by
:mod:`torchlike_jax._tensor_methods`.
"""

from __future__ import annotations

import warnings
from typing import Any

import jax
import numpy as np

from .. import _dtypes as dtypes
from .._device import device_of
from .._formatting import format_tensor
from .._size import Size
from . import forward_ad, grad_mode, transforms, views, warn_always
from .dims import norm_dim
from .graph import RemovableHandle
from .strides import layout

_func_state = transforms.state
_NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad field "
    "to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you "
    "access the non-leaf Tensor by mistake, make sure you access the leaf Tensor instead. See "
    "github.com/pytorch/pytorch/pull/30531 for more information.")


_SCALAR_GRAD = ("Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
                "behavior.\nConsider using tensor.detach() first.")
#: whether the warning above was given in this process (torch warns once)


class Storage:
    """The shared, rebindable home of a tensor's array and its version counter.

    ``host`` is unset until the storage shares memory with numpy (``t.numpy()``,
    ``torch.from_numpy``): then it holds the host buffer and the class becomes one of
    :mod:`~torchlike_jax.core.host_storage`'s subclasses (same layout, so no cost here)."""

    __slots__ = ("array", "version", "host", "__weakref__")
    numpy_shared = False  # True for the host_storage kinds

    def __init__(self, array: jax.Array) -> None:
        self.array = array
        self.version = 0


_DETACH_VIEW = (
    "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
    "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
    "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
    "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")


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

    @property
    def numpy_shared(self) -> bool:
        return self._src.numpy_shared


class _CounterOf(_DataStorage):
    """What ``view.data = other`` leaves: ``other``'s array, counted by the view's base's
    version counter (torch keeps a view's shared counter across ``set_data``)."""

    __slots__ = ("_counter",)

    def __init__(self, src: Storage, counter: Storage) -> None:
        self._src = src
        self._counter = counter

    @property
    def version(self) -> int:
        return self._counter.version

    @version.setter
    def version(self, value: int) -> None:
        self._counter.version = value


def _tensor_type_name(d: dtypes.dtype) -> str:
    return f"torch.{dtypes.legacy_name(d)}Tensor"


def _type_target(target: Any) -> Any:
    """What ``Tensor.type(target)`` converts to: a dtype, a legacy type class
    (``torch.DoubleTensor``, which carries its ``dtype``) or its name ('torch.DoubleTensor')."""
    if isinstance(target, str):
        for name in ("float32", "float64", "float16", "bfloat16", "int64", "int32", "int16",
                     "int8", "uint8", "bool_", "complex64", "complex128"):
            d = getattr(dtypes, name)
            if _tensor_type_name(d) == target:
                return d
        raise ValueError(f"invalid type: {target!r}")
    if isinstance(target, type) and isinstance(getattr(target, "dtype", None), dtypes.dtype):
        return target.dtype
    return target


_UNDELETABLE = {
    "_backward_hooks": "Deletion of _backwards_hooks not allowed!",
    "requires_grad": "requires_grad must be a bool",
}


class Tensor:
    """A torch-style tensor. Create with ``torch.tensor(...)`` and friends."""

    __slots__ = ("_st", "_requires_grad", "_grad", "_grad_fn", "_output_nr", "_retains_grad",
                 "_hooks", "_inference", "_acc", "_post_acc_hooks", "_base", "_views",
                 "_grad_dtype", "__weakref__")  # _grad_dtype: unset unless a user set it
    __array_priority__ = 1000  # so numpy scalars defer to our reflected operators
    # what a script sees: ``type(t)`` prints ``<class 'torch.Tensor'>``. Pickle would look the
    # class up by that name (and find real torch, or nothing), so instances reduce through
    # :func:`_rebuild_tensor` below instead, and picklers never write the class by reference
    __module__ = "torch"

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


    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __deepcopy__(self, memo: dict) -> Tensor:
        """Leaves only, as in torch: a new storage with the same flags and a copied ``.grad``."""
        if self._grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.")
        array = self._st.array
        if self._st.numpy_shared:  # the array may read numpy's memory: copy it now
            array = jax.device_put(np.array(array), next(iter(array.devices())))
        out = Tensor._wrap(array, self._inference)
        out._requires_grad = self._requires_grad
        if self._grad is not None:
            out._grad = Tensor._wrap(self._grad._st.array)
        memo[id(self)] = out
        return out

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """Pickle (and ``copy.copy``) by value: the host values, ``requires_grad``, and the
        class when it is a user's subclass. A non-leaf comes back as a leaf (as in torch)."""
        cls = type(self)
        state = getattr(self, "__dict__", None) or None
        return (_rebuild_tensor, (np.asarray(self._st.array), self._requires_grad,
                                  None if cls is Tensor else cls), state)

    @property
    def _array(self) -> jax.Array:
        return self._st.array

    # ---- metadata -----------------------------------------------------------------------
    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes._BY_NP[self._st.array.dtype]

    @property
    def shape(self) -> Size:
        return Size(self._st.array.shape)

    def size(self, dim: int | None = None) -> Size | int:
        """The shape as a ``torch.Size``, or the size of dim ``dim`` as an int (negative dims
        count from the end)."""
        if dim is None:
            return self.shape
        return self._st.array.shape[norm_dim(dim, self.ndim)]

    @property
    def ndim(self) -> int:
        return self._st.array.ndim

    def dim(self) -> int:
        """The number of dims (``self.ndim``); ``ndimension`` is the same method."""
        return self._st.array.ndim

    ndimension = dim

    def numel(self) -> int:
        """The number of elements (the product of the sizes), as an int; ``nelement`` is the same
        method."""
        return int(self._st.array.size)

    nelement = numel

    def element_size(self) -> int:
        """The size in bytes of one element of ``self``'s dtype."""
        return self.dtype.itemsize

    def is_floating_point(self) -> bool:
        """True when ``self``'s dtype is a floating-point one."""
        return self.dtype.is_floating_point

    def is_complex(self) -> bool:
        """True when ``self``'s dtype is complex."""
        return self.dtype.is_complex

    @property
    def device(self):
        return device_of(self._st.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """Without ``dtype``: the legacy type name, such as ``'torch.FloatTensor'``. With a dtype
        or such a name: ``self`` cast to it."""
        if dtype is None:
            return _tensor_type_name(self.dtype)
        return self.to(_type_target(dtype))

    @property
    def _version(self) -> int:
        if self._inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._st.version

    def is_inference(self) -> bool:
        """True when ``self`` was created under ``torch.inference_mode``."""
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

    @requires_grad.deleter
    def requires_grad(self) -> None:
        raise RuntimeError(_UNDELETABLE["requires_grad"])  # torch's wording for a deletion

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        self._set_requires_grad(bool(requires_grad),
                                "only Tensors of floating point dtype can require gradients")
        return self

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        node = self._grad_fn
        if node is None and self._base is not None:
            invalid = getattr(self._st, "invalid", None)
            if invalid is not None:  # a no_grad / multi-output view whose base changed
                raise RuntimeError(views.rebase_message(invalid[0], self._st.meta, True))
        return node

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
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value.shape)}'"
                                   f" to a tensor of size '{list(self.shape)}'. Please ensure "
                                   "that the gradient and the tensor are the same size")
            expected = self.dtype if self._grad_fn is not None else self._effective_grad_dtype()
            if expected is not None and value.dtype is not expected:
                raise RuntimeError(
                    "attempting to assign a gradient with dtype "
                    f"'{dtypes.cpp_type_name(value.dtype)}' to a "
                    f"tensor with grad_dtype '{dtypes.legacy_name(expected)}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow any "
                    "dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and its "
                    "gradient may break downstream systems that assume they match.")
        self._grad = value

    def _effective_grad_dtype(self) -> dtypes.dtype | None:
        """The dtype a leaf's gradient takes: its own dtype unless ``grad_dtype`` was set (None:
        any dtype, kept as it arrives)."""
        try:
            return self._grad_dtype
        except AttributeError:  # never set: the common case costs nothing at creation
            return self.dtype

    @property
    def grad_dtype(self) -> dtypes.dtype | None:
        if self._grad_fn is not None:
            raise RuntimeError("grad_dtype can only be accessed on leaf tensors.")
        return self._effective_grad_dtype()

    @grad_dtype.setter
    def grad_dtype(self, value: dtypes.dtype | None) -> None:
        if self._grad_fn is not None:
            self.grad  # noqa: B018 - torch reads .grad first: the non-leaf warning comes too
            raise RuntimeError("grad_dtype can only be set on leaf tensors.")
        if value is not None and not isinstance(value, dtypes.dtype):
            raise RuntimeError("grad_dtype must be a torch.dtype or None, but got "
                               f"{type(value).__name__}")
        g = self._grad
        if g is not None and value is not None and value is not g.dtype:
            raise RuntimeError(
                f"Cannot set grad_dtype to '{dtypes.legacy_name(value)}' because there is already "
                f"a gradient with dtype '{dtypes.cpp_type_name(g.dtype)}'. Please clear the "
                "gradient (.grad = None) before changing grad_dtype, or ensure the new grad_dtype "
                "matches the existing gradient's dtype.")
        self._grad_dtype = value

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


    @property
    def data(self) -> Tensor:
        t = Tensor._wrap(None, self._inference)
        t._st = _DataStorage(self._st)
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        """Share ``value``'s array, keeping this tensor's own version counter (torch's set_data:
        ``w.data -= lr * g`` leaves ``w._version`` alone; a view keeps counting with its base)."""
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and value._st.array.dtype.kind not in "fcV":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        src = value._st._src if isinstance(value._st, _DataStorage) else value._st
        own = self._st._src if isinstance(self._st, _DataStorage) else self._st
        if src is own:
            return  # ``x.data = x.data`` after writing through it: nothing changes
        if self._base is not None:
            # the view's data becomes its own, but its version counter stays its base's: a
            # later write to either moves both ``_version``s, as in torch (``_base`` is dropped)
            self._st = _CounterOf(src, self._st.base_st)
            self._base = None
            return
        live = [w for w in self._views or () if w() is not None]
        if live:
            self._hand_views_over(live)
            self._st = _CounterOf(src, self._st)  # the views' counter stays this one's
            return
        st = _DataStorage(src)
        st.version = self._st.version
        self._st = st

    def _hand_views_over(self, live: list) -> None:
        """Before ``self.data = other``: the live views keep aliasing the old data (torch's
        views share the old storage), so they move to a hidden handle that owns it."""
        old = Tensor._wrap(None, self._inference)
        old._st = self._st
        old._requires_grad, old._grad_fn, old._output_nr = \
            self._requires_grad, self._grad_fn, self._output_nr
        old._views = live
        for w in live:
            w()._base = old
        self._views = None

    @data.deleter
    def data(self) -> None:
        raise RuntimeError("Deleting tensor data is not allowed. Delete tensor instead!")

    @property
    def _backward_hooks(self) -> dict | None:
        """torch's name for the tensor's hooks (an ordered dict, or None before any)."""
        return self._hooks

    @_backward_hooks.deleter
    def _backward_hooks(self) -> None:
        raise RuntimeError(_UNDELETABLE["_backward_hooks"])

    # No ``__delattr__``: defining one routes every attribute *write* through CPython's slow
    # generic path (measured 0.03 -> 0.10 us per slot write, +1 us per op), so ``del
    # t._grad_fn`` (a slot) deletes where torch refuses (README differences).

    def detach(self) -> Tensor:
        """A new handle on the same storage that is cut from the graph (shares the version)."""
        if _func_state.diff:  # inside torch.func.grad/jvp...: cut JAX's derivative too (new array)
            return Tensor._wrap(transforms.stop_all(self._st.array), self._inference)
        return Tensor._alias(self)

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError(_DETACH_VIEW)
        self._grad_fn = None
        self._requires_grad = False
        if forward_ad.tangents:  # torch: detach_ drops the forward tangent too
            forward_ad.put(self, None)
        return self

    # ---- conversions --------------------------------------------------------------------
    def _host(self) -> np.ndarray:
        a = self._st.array
        if _func_state.diff:  # inside torch.func.grad/jvp: the tracer's concrete value
            a = transforms.concrete(a)
        a = np.asarray(a)
        if a.dtype.kind == "V" or a.dtype == dtypes.bfloat16.np:
            a = a.astype(np.float32)
        return a

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number (or bool); more elements raise
        RuntimeError. Copies the value to the host."""
        if self.numel() != 1:
            raise RuntimeError(f"a Tensor with {self.numel()} elements cannot be converted to "
                               "Scalar")
        return self._host().reshape(()).item()

    def tolist(self) -> Any:
        """The data as nested Python lists of numbers (a plain number for a 0-dim tensor). Copies
        the data to the host."""
        return self._host().tolist()

    # ``numpy()`` (memory shared with the tensor) is attached by core/numpy_bridge.py

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)``: a host copy (torch shares memory here too; only ``t.numpy()`` and
        ``from_numpy`` share, so library code converting tensors never pins them to numpy)."""
        if self._requires_grad and grad_mode._local.grad_enabled:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        out = np.array(self._st.array)
        return out if dtype is None else out.astype(dtype)

    def __jax_array__(self) -> jax.Array:
        return self._st.array

    def _scalar(self, kind: type) -> Any:
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return kind(self.item())

    def _warn_scalar(self) -> None:
        """torch 2.13 warns (once per process, like its TORCH_WARN_ONCE) when ``float()`` or
        ``complex()`` reads a tensor that requires grad with grad mode on; every time under
        ``torch.set_warn_always(True)``."""
        if self._requires_grad and grad_mode._local.grad_enabled:
            warn_always.warn_once("scalar_of_requires_grad", _SCALAR_GRAD, stacklevel=3)

    def __float__(self) -> float:
        self._warn_scalar()
        return self._scalar(float)

    def __int__(self) -> int:
        return self._scalar(int)

    def __complex__(self) -> complex:
        self._warn_scalar()
        return self._scalar(complex)

    def __index__(self) -> int:
        integral = self.dtype.category == dtypes._INT or self.dtype is dtypes.bool_
        if not integral or self.numel() != 1:
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
        default = d in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_) or (
            d.is_complex and d is dtypes.get_default_dtype().to_complex())
        extras = []
        if self.device.type != "cpu":
            extras.append(f"device='{self.device}'")
        if self._grad_fn is not None:
            extras.append(f"grad_fn=<{type(self._grad_fn).__name__}>")
        elif self._base is not None and getattr(self._st, "invalid", None) is not None:
            extras.append("grad_fn=<Invalid>")  # torch's repr when reading grad_fn raises
        elif self._requires_grad:
            extras.append("requires_grad=True")
        if forward_ad.tangents:
            tangent = forward_ad.tangent_tensor(self)
            if tangent is not None:  # torch prints a 0-dim tangent as a bare number
                extras.append(f"tangent={tangent.item() if tangent.ndim == 0 else tangent!r}")
        host = self._host() if d is not dtypes.bfloat16 else np.asarray(self._st.array)
        return format_tensor(host,
                             str(d), is_default_dtype=default, extras=extras)

    __str__ = __repr__

    # ---- layout (recovered from the view chain, see core/strides.py) ------------------
    def is_contiguous(self, memory_format: Any = None) -> bool:
        """Whether torch would lay ``self`` out contiguously (row-major), as recovered from its
        chain of views; JAX arrays themselves have no strides."""
        return layout(self)[1]

    def stride(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The strides torch would report (recovered from the view chain, see ops/strides.py)."""
        strides = layout(self)[0]
        return strides if dim is None else strides[norm_dim(dim, self.ndim)]

    def storage_offset(self) -> int:
        """Where ``self`` starts in its base's storage, in elements, as torch would report it for
        the same views (recovered from the view chain)."""
        return layout(self)[2]



def _rebuild_tensor(array: np.ndarray, requires_grad: bool, cls: type | None = None) -> Tensor:
    """Unpickle a tensor written by ``Tensor.__reduce_ex__`` (a module-level function, so pickle
    finds it under this package's real module name)."""
    t = (cls or Tensor)._wrap(jax.device_put(np.array(array)))
    t._requires_grad = requires_grad
    return t
