"""``torch.optim.Optimizer``: param groups, per-parameter state, state dicts, and one compiled
update per group.

Each optimizer describes its update once, as a pure JAX function over *lists* of arrays
(parameters, gradients, one list per state entry) and a tuple of hyper-parameters. That
function is jitted and cached in the bounded ``optim_step`` cache, keyed by the optimizer kind,
its static flags (``nesterov``, ``amsgrad``, ``maximize``, ...: the branches of torch's
algorithm) and the shapes/dtypes involved, never by a hyper-parameter's value: the float
hyper-parameters of a group travel as one float64 array held by a hidden tensor that the group
dict (:class:`_Group`) rewrites whenever a value is set, so a new learning rate every step
never compiles, and under ``torchlike_jax.compile`` it is a program input rather than a
trace-time constant. The results are written back into the parameter and state tensors in
place under ``no_grad`` (storage rebound, version bumped, views refreshed) just as an in-place
op does; inside ``compile`` tracing the arrays are tracers and the same function is simply
traced into the caller's program.
"""

from __future__ import annotations

import functools
import warnings
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import _caches
from .._compile import check_not_deferred
from ..core import grad_mode
from ..core.graph import _add_hook
from ..core.tensor import Tensor
from ..core.tensor_access import array_of, storage_of

__all__ = ["Optimizer", "register_optimizer_step_post_hook", "register_optimizer_step_pre_hook",
           "required"]



class _RequiredParameter:
    """Singleton class representing a required parameter for an Optimizer."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj: Any) -> str:
    """``torch.typename``."""
    if isinstance(obj, Tensor):
        return _tensor_typename(obj)
    module = type(obj).__module__
    name = type(obj).__qualname__
    return name if module in ("builtins", "__builtin__", None) else f"{module}.{name}"


def _sig(a: Any) -> Any:
    return None if a is None else (a.shape, a.dtype)


def _lerp(start: Any, end: Any, weight: Any) -> Any:
    """torch's CPU ``lerp`` formula (two branches on ``|weight| < 0.5``)."""
    w = jnp.asarray(weight, dtype=start.dtype) if not hasattr(weight, "dtype") else weight
    diff = end - start
    return jnp.where(jnp.abs(w) < 0.5, start + w * diff, end - diff * (1 - w))


def _cast(x: Any, dtype: Any) -> Any:
    """A runtime scalar (weak float or 0-d array) in a tensor's dtype, as torch casts a
    Python-double scalar argument to the tensor's type before the kernel runs."""
    return jnp.asarray(x).astype(dtype)


def step_cache() -> _caches.BoundedCache:
    return _caches.cache("optim_step")


class Optimizer:
    """Base class of all optimizers (torch's constructor, groups, state and state dicts)."""

    #: per-kind static flags of the update; subclasses override ``_static``/``_scalars``/``_update``
    _kind: str = "optimizer"

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._init_state_dict_hooks()
        self._patch_step_function()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _tensor_typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._hp: dict[int, Tensor] = {}  # id(group) -> float64 hyper-parameters (see _run)
        self._hp_values: dict[int, tuple] = {}  # id(group) -> the floats _hp holds
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # ---- pickling ----------------------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())
        self._init_state_dict_hooks()
        self._patch_step_function()
        self.defaults.setdefault("differentiable", False)
        _bind_groups(self)

    def _patch_step_function(self) -> None:
        """Wrap the instance's class ``step`` (once) so step pre/post hooks run around it, as
        torch does; a user subclass's own ``step`` gets the hooks too."""
        cls = self.__class__
        if not getattr(cls.step, "hooked", None):
            cls.step = _with_step_hooks(cls.step)
            cls.step.hooked = True

    def __repr__(self) -> str:
        format_string = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            format_string += "\n"
            format_string += f"Parameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    format_string += f"    {key}: {group[key]}\n"
        format_string += ")"
        return format_string

    # ---- groups ------------------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) == len(tensors):
                param_group["param_names"] = names
            else:
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")

        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len({id(p) for p in params}):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; "
                          "see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)

        param_set: set[int] = set()
        for group in self.param_groups:
            param_set.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if not param_set.isdisjoint(id(p) for p in param_group["params"]):
            raise ValueError("some parameters appear in more than one parameter group")
        group = _Group(param_group)
        group._owner = weakref.ref(self)
        self.param_groups.append(group)
        self._sync_group(group)

    # ---- gradients ---------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        if g.grad_fn is not None:
                            g.detach_()
                        else:
                            g.requires_grad_(False)
                        g.zero_()

    # ---- hooks -------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> Any:
        return _add_hook(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook: Callable) -> Any:
        return _add_hook(self._optimizer_step_post_hooks, hook)

    # ---- state dicts -------------------------------------------------------------------------
    _SD_HOOKS = ("_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                 "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks")

    def _init_state_dict_hooks(self) -> None:
        for name in self._SD_HOOKS:
            self.__dict__.setdefault(name, OrderedDict())

    @staticmethod
    def _add_ordered_hook(hooks: OrderedDict, hook: Callable, prepend: bool) -> Any:
        handle = _add_hook(hooks, hook)
        if prepend:
            hooks.move_to_end(handle._key, last=False)
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> Any:
        return self._add_ordered_hook(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> Any:
        return self._add_ordered_hook(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False) -> Any:
        return self._add_ordered_hook(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False) -> Any:
        return self._add_ordered_hook(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    def state_dict(self) -> dict[str, Any]:
        for pre_hook in list(self._optimizer_state_dict_pre_hooks.values()):
            pre_hook(self)
        param_mappings: dict[int, int] = {}
        start_index = 0

        def pack_group(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start_index
            packed = {k: v for k, v in group.items() if k != "params"}
            param_mappings.update({id(p): i for i, p in enumerate(group["params"], start_index)
                                   if id(p) not in param_mappings})
            packed["params"] = [param_mappings[id(p)] for p in group["params"]]
            start_index += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(param_mappings[id(k)] if isinstance(k, Tensor) else k): v
                        for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for post_hook in list(self._optimizer_state_dict_post_hooks.values()):
            result = post_hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    @staticmethod
    def _process_value_according_to_param_policy(param: Tensor, value: Tensor, param_id: Any,
                                                 param_groups: list, key: Any = None) -> Tensor:
        fused = capturable = False
        for pg in param_groups:
            if param_id in pg["params"]:
                fused = pg.get("fused", False)
                capturable = pg.get("capturable", False)
                break
        if key == "step":
            if capturable or fused:
                from .._dtypes import float32

                return value.to(dtype=float32, device=param.device)
            return value
        if param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = state_dict.copy()
        for pre_hook in list(self._optimizer_load_state_dict_pre_hooks.values()):
            result = pre_hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups,
                                                                 strict=True)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups), strict=True))

        def _cast_value(param: Tensor, value: Any, param_id: Any = None,
                        param_groups: Any = None, key: Any = None) -> Any:
            if isinstance(value, Tensor):
                return Optimizer._process_value_according_to_param_policy(
                    param, value, param_id, param_groups, key)
            if isinstance(value, dict):
                return {k: _cast_value(param, v, param_id=param_id, param_groups=param_groups,
                                       key=k) for k, v in value.items()}
            if isinstance(value, Iterable) and not isinstance(value, str):
                return type(value)(_cast_value(param, v, param_id=param_id,
                                               param_groups=param_groups) for v in value)
            return value

        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast_value(param, v, param_id=k,
                                           param_groups=state_dict["param_groups"])
            else:
                state[k] = v

        def update_group(group: dict[str, Any], new_group: dict[str, Any]) -> dict[str, Any]:
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups, strict=True)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for post_hook in list(self._optimizer_load_state_dict_post_hooks.values()):
            post_hook(self)

    # ---- stepping ----------------------------------------------------------------------------
    def step(self, closure: Callable | None = None) -> Any:
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        with grad_mode.no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    # subclass interface ------------------------------------------------------------------------
    #: state entries the update reads and writes, in order (a function of the group)
    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        raise NotImplementedError

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _static(self, group: dict[str, Any]) -> tuple:
        return ()

    def _scalars(self, group: dict[str, Any]) -> tuple:
        return ()

    @staticmethod
    def _update(static: tuple, params: list, grads: list, states: list, scalars: tuple):
        raise NotImplementedError

    #: whether the update is right for complex parameters as written (torch runs the others on
    #: ``view_as_real``, which is not done here)
    _complex_ok = False

    def _check_grad(self, p: Tensor) -> None:
        if not self._complex_ok and p.is_complex():
            raise NotImplementedError(
                f"{type(self).__name__}: complex parameters are not supported yet")

    def _step_group(self, group: dict[str, Any]) -> None:
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            return
        _check_group(group)
        names = self._state_names(group)
        state = self.state
        for p in params:
            self._check_grad(p)
            st = state[p]
            if len(st) == 0:
                st.update(self._init_state(p, group))
        self._apply(group, params, names)

    def _apply(self, group: dict[str, Any], params: list[Tensor], names: tuple[str, ...],
               state_tensors: list[list[Tensor]] | None = None, extra_static: tuple = ()) -> None:
        """Run the group's cached update on ``params`` and write every result back in place."""
        state = self.state
        if state_tensors is None:
            state_tensors = [[state[p][n] for p in params] for n in names]
        s_arrays = [[array_of(t) for t in col] for col in state_tensors]
        new_p, new_s = self._run(group, params, s_arrays, extra_static)
        for p, a in zip(params, new_p, strict=True):
            _write(p, a)
        for col, new_col in zip(state_tensors, new_s, strict=True):
            for t, a in zip(col, new_col, strict=True):
                _write(t, a)

    def _run(self, group: dict[str, Any], params: list[Tensor], s_arrays: list,
             extra_static: tuple = ()) -> tuple:
        """The group's jitted update (cached in ``optim_step``) applied to raw arrays.

        The float hyper-parameters come from the group's hidden float64 tensor (``_hp``, kept
        in sync by :class:`_Group` whenever a value is set, outside any trace), so under
        ``torchlike_jax.compile`` they are program inputs, not constants baked in at trace
        time; 0-dim tensor hyper-parameters (``lr=torch.tensor(0.01)``) pass their arrays."""
        p_arrays = [array_of(p) for p in params]
        g_arrays = [array_of(p.grad) for p in params]
        static = self._static(group) + extra_static
        hp = self._hp.get(id(group)) if isinstance(group, _Group) else None
        if hp is None:
            hp = self._sync_group(group)
        layout, tensors, sig = [], [], []
        k = 0
        for x in self._scalars(group):
            if isinstance(x, Tensor):
                a = array_of(x)
                layout.append(("t", len(tensors)))
                tensors.append(a)
                sig.append((a.shape, a.dtype))
            else:
                layout.append(("f", k))
                k += 1
        hp_array = array_of(hp)
        key = (type(self)._kind, static, tuple(_sig(a) for a in p_arrays),
               tuple(_sig(a) for a in g_arrays),
               tuple(tuple(_sig(a) for a in col) for col in s_arrays), tuple(layout),
               tuple(sig), hp_array.shape)
        cache = step_cache()
        fn = cache.get(key)
        if fn is None:
            update = type(self)._update

            def fn_(ps, gs, ss, hps, ts, _static=static, _update=update, _layout=tuple(layout)):
                sc = tuple(hps[i] if kind == "f" else ts[i] for kind, i in _layout)
                return _update(_static, ps, gs, ss, sc)

            fn = cache[key] = jax.jit(fn_)
        return fn(p_arrays, g_arrays, s_arrays, hp_array, tuple(tensors))

    def _sync_group(self, group: dict[str, Any]) -> Tensor:
        """(Re)write the group's float hyper-parameters into its hidden float64 tensor."""
        try:
            values = self._scalars(group)
        except (KeyError, NotImplementedError):  # a group still being built
            return None
        floats = tuple(float(v) for v in values if not isinstance(v, Tensor))
        hp = self._hp.get(id(group))
        if hp is not None and self._hp_values.get(id(group)) == floats:
            return hp  # unchanged (setdefault of a present key, a non-hyper-parameter key...)
        arr = jnp.asarray(np.array(floats, dtype=np.float64))
        if hp is None or array_of(hp).shape != arr.shape:
            hp = self._hp[id(group)] = Tensor._wrap(arr)
        else:
            _write(hp, arr)
        self._hp_values[id(group)] = floats
        return hp


class _Group(dict):
    """A param group: a plain dict to its users, except that setting a value re-syncs the
    owner's hidden hyper-parameter tensor (what keeps a new lr a runtime input under compile).
    Pickles as a plain dict."""

    __slots__ = ("_owner",)

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        self._sync()

    def update(self, *args: Any, **kwargs: Any) -> None:
        dict.update(self, *args, **kwargs)
        self._sync()

    def setdefault(self, key: Any, default: Any = None) -> Any:
        out = dict.setdefault(self, key, default)
        self._sync()
        return out

    def __delitem__(self, key: Any) -> None:
        dict.__delitem__(self, key)
        self._sync()

    def pop(self, *args: Any) -> Any:
        out = dict.pop(self, *args)
        self._sync()
        return out

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))

    def __deepcopy__(self, memo: dict) -> dict:
        return deepcopy(dict(self), memo)

    def copy(self) -> dict:
        return dict(self)

    def _sync(self) -> None:
        owner = self._owner()
        if owner is not None:
            owner._sync_group(self)


def _bind_groups(opt: Optimizer) -> None:
    """Make every param group of ``opt`` a :class:`_Group` with a synced hidden tensor."""
    groups = []
    opt._hp = {}
    opt._hp_values = {}
    for g in opt.param_groups:
        if not isinstance(g, _Group):
            ng = _Group(g)
        else:
            ng = g
        ng._owner = weakref.ref(opt)
        groups.append(ng)
        opt._sync_group(ng)
    opt.param_groups[:] = groups


_global_optimizer_pre_hooks: OrderedDict = OrderedDict()
_global_optimizer_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> Any:
    """A pre hook run before every optimizer's ``step`` (``hook(optimizer, args, kwargs)``)."""
    return _add_hook(_global_optimizer_pre_hooks, hook)


def register_optimizer_step_post_hook(hook: Callable) -> Any:
    """A post hook run after every optimizer's ``step``."""
    return _add_hook(_global_optimizer_post_hooks, hook)


def _with_step_hooks(func: Callable) -> Callable:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        self = args[0]  # hooks see torch's (args, kwargs): the optimizer is args[0]
        check_not_deferred(self)  # under compile, after a deferred scheduler step: graph break
        for pre_hook in chain(_global_optimizer_pre_hooks.values(),
                              self._optimizer_step_pre_hooks.values()):
            result = pre_hook(self, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError(f"{func} must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
        out = func(*args, **kwargs)
        for post_hook in chain(self._optimizer_step_post_hooks.values(),
                               _global_optimizer_post_hooks.values()):
            post_hook(self, args, kwargs)
        return out

    return wrapper


def _check_group(group: dict[str, Any]) -> None:
    if group.get("differentiable"):
        raise NotImplementedError("differentiable=True (recording the optimizer step on the "
                                  "autograd graph) is not supported yet")


def _write(t: Tensor, array: Any) -> None:
    """An in-place write of ``array`` into ``t`` (version bump, views see it), as ``copy_``."""
    if t._base is None and not t._views:  # the common case: what _rebind does, minus a handle
        st = storage_of(t)
        st.array = array
        st.version += 1
        return
    t._rebind(Tensor._wrap(array))


def _tensor_typename(t: Tensor) -> str:
    from .._dtypes import legacy_name

    return f"torch.{legacy_name(t.dtype)}Tensor"

