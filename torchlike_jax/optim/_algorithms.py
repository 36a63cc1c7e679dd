"""SGD, Adam, AdamW, RMSprop, Adagrad: torch 2.x's single-tensor algorithms, each written once as
a pure JAX function over lists of arrays (see ``optimizer.py`` for how it is run)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import _creation, _dtypes
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .optimizer import Optimizer, _cast, _check_group, _lerp, _write

__all__ = ["ASGD", "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "NAdam", "RAdam",
           "RMSprop", "Rprop"]


def _scalar_dtype() -> Any:
    """torch's ``_get_scalar_dtype()``: the dtype of ``state['step']``."""
    return _dtypes.float64 if _dtypes.get_default_dtype() is _dtypes.float64 else _dtypes.float32


def _step_tensor() -> Tensor:
    return _creation.tensor(0.0, dtype=_scalar_dtype())


def _to_scalar(x: Any) -> Any:
    if isinstance(x, Tensor) and x.numel() == 1:
        return x.reshape(())
    return x


def _check_lr(lr: Any) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")


def _nonnegative(label: str, value: Any) -> None:
    """torch's range check of one hyper-parameter (NaN fails it too)."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {label}: {value}")


def _check_adam_ranges(lr: Any, eps: float, betas: tuple, weight_decay: float) -> None:
    """The Adam family's checks, in torch's order."""
    _nonnegative("learning rate", lr)
    _nonnegative("epsilon value", eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    _nonnegative("weight_decay value", weight_decay)


def _f64(x: Any) -> Any:
    return jnp.asarray(x).astype(jnp.float64)


def _bool(x: Any) -> bool:
    return bool(x != 0) if not isinstance(x, Tensor) else bool(x.item() != 0)


# ------------------------------------------------------------------------------------------------
class _Defaults:
    """``__setstate__`` filling the flags older state dicts lack, as torch's optimizers do."""

    _setstate_defaults: dict[str, Any] = {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            for k, v in self._setstate_defaults.items():
                group.setdefault(k, v)


def _check_fused(fused: Any, foreach: Any, differentiable: bool) -> None:
    """torch's checks of the ``fused`` flag (accepted; the update is one program anyway)."""
    if fused:
        if differentiable:
            raise RuntimeError("`fused` does not support `differentiable`")
        if foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")


class SGD(_Defaults, Optimizer):
    """Stochastic gradient descent: ``param -= lr * g``, optionally with ``momentum`` (a velocity
    buffer, damped by ``dampening``; ``nesterov`` looks ahead along it). ``weight_decay`` adds
    ``weight_decay * param`` to the gradient. ``maximize`` ascends instead. The
    ``foreach``/``fused``/``capturable`` flags it takes are accepted (each group's update is
    one compiled JAX program anyway); ``differentiable=True`` raises NotImplementedError at
    ``step``."""

    _kind = "sgd"
    _complex_ok = True  # torch's SGD runs on complex tensors as they are

    def __init__(self, params: Any, lr: Any = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: Any = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        _check_lr(lr)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    _setstate_defaults = {"nesterov": False, "maximize": False, "foreach": None,
                          "differentiable": False, "fused": False}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), _bool(group["momentum"]), bool(group["nesterov"]),
                bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        return (group["lr"], group["weight_decay"], group["momentum"], group["dampening"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, has_momentum, nesterov, maximize = static
        lr, wd, momentum, dampening = scalars
        (bufs,) = states
        new_p, new_b = [], []
        for p, g, buf in zip(params, grads, bufs, strict=True):
            if maximize:
                g = -g
            if has_wd:
                g = g + _cast(wd, g.dtype) * p
            if has_momentum:
                if buf is None:
                    buf = g
                else:
                    buf = buf * _cast(momentum, buf.dtype) + _cast(1 - dampening, g.dtype) * g
                g = g + _cast(momentum, g.dtype) * buf if nesterov else buf
                new_b.append(buf)
            else:
                new_b.append(None)
            new_p.append(p + _cast(-lr, p.dtype) * g)
        return new_p, [new_b]

    def _step_group(self, group: dict[str, Any]) -> None:
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            return
        _check_group(group)
        momentum = _bool(group["momentum"])
        if momentum:
            bufs = [self.state[p].get("momentum_buffer") for p in params]
        else:
            bufs = [None] * len(params)
        arrays = [None if b is None else array_of(b) for b in bufs]
        new_p, (new_b,) = self._run(group, params, [arrays])
        for p, a in zip(params, new_p, strict=True):
            _write(p, a)
        if momentum:
            for p, b, a in zip(params, bufs, new_b, strict=True):
                if b is None:
                    self.state[p]["momentum_buffer"] = Tensor._wrap(a)
                else:
                    _write(b, a)


# ------------------------------------------------------------------------------------------------
class Adam(_Defaults, Optimizer):
    """Adam: keeps running averages of the gradient and its square (``betas``), corrects their
    start-up bias and steps by ``lr * m / (sqrt(v) + eps)``. ``weight_decay`` adds
    ``weight_decay * param`` to the gradient (L2), or is applied to the parameter directly with
    ``decoupled_weight_decay=True`` (AdamW); ``amsgrad`` uses the running maximum of ``v``.
    ``maximize`` ascends instead. The ``foreach``/``fused``/``capturable`` flags it takes are
    accepted (each group's update is one compiled JAX program anyway); ``differentiable=True``
    raises NotImplementedError at ``step``. Unlike torch, complex parameters are refused
    (NotImplementedError)."""

    _kind = "adam"

    def __init__(self, params: Any, lr: Any = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and "
                                 "foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        _check_adam_ranges(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for k in (0, 1):
            if isinstance(betas[k], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{k}] as a Tensor is not supported for "
                                     "capturable=False and foreach=True")
                if betas[k].numel() != 1:
                    raise ValueError(f"Tensor betas[{k}] must be 1-element")
        betas = tuple(map(_to_scalar, betas))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)

    _setstate_defaults = {"amsgrad": False, "maximize": False, "foreach": None,
                          "capturable": False, "differentiable": False, "fused": None,
                          "decoupled_weight_decay": False}

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        base = ("step", "exp_avg", "exp_avg_sq")
        return base + ("max_exp_avg_sq",) if group["amsgrad"] else base

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        st = {"step": _step_tensor(), "exp_avg": _creation.zeros_like(p),
              "exp_avg_sq": _creation.zeros_like(p)}
        if group["amsgrad"]:
            st["max_exp_avg_sq"] = _creation.zeros_like(p)
        return st

    def _static(self, group: dict[str, Any]) -> tuple:
        return (bool(group["amsgrad"]), bool(group["maximize"]), _bool(group["weight_decay"]),
                bool(group["decoupled_weight_decay"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        beta1, beta2 = group["betas"]
        return (group["lr"], beta1, beta2, group["weight_decay"], group["eps"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        amsgrad, maximize, has_wd, decoupled = static
        lr, beta1, beta2, wd, eps = scalars
        steps, exp_avgs, exp_avg_sqs = states[:3]
        maxs = states[3] if amsgrad else [None] * len(params)
        out_p, out_step, out_m, out_v, out_max = [], [], [], [], []
        for p, g, step_t, m, v, mx in zip(params, grads, steps, exp_avgs, exp_avg_sqs, maxs,
                                          strict=True):
            dt = p.dtype
            if maximize:
                g = -g
            step_t = step_t + 1
            if has_wd:
                if decoupled:
                    p = p * _cast(1 - lr * wd, dt)
                else:
                    g = g + _cast(wd, dt) * p
            m = _lerp(m, g, _cast(1 - beta1, dt))
            v = v * _cast(beta2, dt) + _cast(1 - beta2, dt) * g * g
            step = _f64(step_t)
            bias_correction1 = 1 - _f64(beta1) ** step
            bias_correction2 = 1 - _f64(beta2) ** step
            step_size = _f64(lr) / bias_correction1
            bc2_sqrt = jnp.sqrt(bias_correction2)
            if amsgrad:
                mx = jnp.maximum(mx, v)
                denom = jnp.sqrt(mx) / _cast(bc2_sqrt, dt) + _cast(eps, dt)
                out_max.append(mx)
            else:
                denom = jnp.sqrt(v) / _cast(bc2_sqrt, dt) + _cast(eps, dt)
            p = p + _cast(-step_size, dt) * m / denom
            out_p.append(p)
            out_step.append(step_t)
            out_m.append(m)
            out_v.append(v)
        out_s = [out_step, out_m, out_v] + ([out_max] if amsgrad else [])
        return out_p, out_s


class AdamW(Adam):
    """Adam with decoupled weight decay: the parameter is shrunk by ``lr * weight_decay`` (default
    0.01) before the Adam step instead of adding the decay to the gradient. Other arguments as
    in ``Adam``. ``maximize`` ascends instead. The ``foreach``/``fused``/``capturable`` flags it
    takes are accepted (each group's update is one compiled JAX program anyway);
    ``differentiable=True`` raises NotImplementedError at ``step``. Unlike torch, complex
    parameters are refused (NotImplementedError)."""

    _kind = "adam"  # the same update (decoupled_weight_decay is one of its static flags)

    def __init__(self, params: Any, lr: Any = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable, differentiable=differentiable,
                         fused=fused, decoupled_weight_decay=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


# ------------------------------------------------------------------------------------------------
class RMSprop(_Defaults, Optimizer):
    """RMSprop: divides the gradient by the root of a running average (factor ``alpha``) of its
    square, plus ``eps``; ``centered`` subtracts the squared running mean of the gradient first,
    ``momentum`` adds a velocity buffer. ``weight_decay`` adds ``weight_decay * param`` to the
    gradient. ``maximize`` ascends instead. The ``foreach``/``fused``/``capturable`` flags it
    takes are accepted (each group's update is one compiled JAX program anyway);
    ``differentiable=True`` raises NotImplementedError at ``step``. Unlike torch, complex
    parameters are refused (NotImplementedError)."""

    _kind = "rmsprop"

    def __init__(self, params: Any, lr: Any = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _nonnegative("learning rate", lr)
        _nonnegative("epsilon value", eps)
        _nonnegative("momentum value", momentum)
        _nonnegative("weight_decay value", weight_decay)
        _nonnegative("alpha value", alpha)
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay, "capturable": capturable,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    _setstate_defaults = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                          "differentiable": False, "capturable": False}

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        names = ("step", "square_avg")
        if group["momentum"] > 0:
            names += ("momentum_buffer",)
        if group["centered"]:
            names += ("grad_avg",)
        return names

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        st = {"step": _creation.zeros((), dtype=_scalar_dtype()),
              "square_avg": _creation.zeros_like(p)}
        if group["momentum"] > 0:
            st["momentum_buffer"] = _creation.zeros_like(p)
        if group["centered"]:
            st["grad_avg"] = _creation.zeros_like(p)
        return st

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), bool(group["momentum"] > 0),
                bool(group["centered"]), bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        return (group["lr"], group["alpha"], group["eps"], group["weight_decay"],
                group["momentum"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, has_momentum, centered, maximize = static
        lr, alpha, eps, wd, momentum = scalars
        cols = iter(states)
        steps, sqs = next(cols), next(cols)
        bufs = next(cols) if has_momentum else [None] * len(params)
        gavgs = next(cols) if centered else [None] * len(params)
        out = [[], [], [], [], []]
        for p, g, step, sq, buf, ga in zip(params, grads, steps, sqs, bufs, gavgs, strict=True):
            dt = p.dtype
            if maximize:
                g = -g
            step = step + 1
            if has_wd:
                g = g + _cast(wd, dt) * p
            sq = sq * _cast(alpha, dt) + _cast(1 - alpha, dt) * g * g
            if centered:
                ga = _lerp(ga, g, _cast(1 - alpha, dt))
                avg = jnp.sqrt(sq + _cast(-1, dt) * ga * ga)
            else:
                avg = jnp.sqrt(sq)
            avg = avg + _cast(eps, dt)
            if has_momentum:
                buf = buf * _cast(momentum, dt) + g / avg
                p = p + _cast(-lr, dt) * buf
            else:
                p = p + _cast(-lr, dt) * g / avg
            for k, x in enumerate((p, step, sq, buf, ga)):
                out[k].append(x)
        new_s = [out[1], out[2]] + ([out[3]] if has_momentum else []) + ([out[4]] if centered
                                                                          else [])
        return out[0], new_s


# ------------------------------------------------------------------------------------------------
class Adagrad(_Defaults, Optimizer):
    """Adagrad: divides each step by the root of the sum of all past squared gradients (started at
    ``initial_accumulator_value``) plus ``eps``, so frequently updated coordinates slow down;
    ``lr_decay`` shrinks ``lr`` over steps. ``weight_decay`` adds ``weight_decay * param`` to
    the gradient. ``maximize`` ascends instead. The ``foreach``/``fused``/``capturable`` flags
    it takes are accepted (each group's update is one compiled JAX program anyway);
    ``differentiable=True`` raises NotImplementedError at ``step``. Unlike torch, complex
    parameters are refused (NotImplementedError)."""

    _kind = "adagrad"

    def __init__(self, params: Any, lr: Any = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _nonnegative("learning rate", lr)
        _nonnegative("lr_decay value", lr_decay)
        _nonnegative("weight_decay value", weight_decay)
        _nonnegative("initial_accumulator_value value", initial_accumulator_value)
        _nonnegative("epsilon value", eps)
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        _check_fused(fused, foreach, differentiable)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._init_state(p, group))

    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "fused": None}

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "sum")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": _step_tensor(),
                "sum": _creation.full_like(p, group["initial_accumulator_value"])}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        return (group["lr"], group["weight_decay"], group["lr_decay"], group["eps"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, maximize = static
        lr, wd, lr_decay, eps = scalars
        steps, sums = states
        out_p, out_step, out_sum = [], [], []
        for p, g, step_t, s in zip(params, grads, steps, sums, strict=True):
            dt = p.dtype
            step_t = step_t + 1
            if maximize:
                g = -g
            if has_wd:
                g = g + _cast(wd, dt) * p
            clr = _f64(lr) / (1 + (_f64(step_t) - 1) * _f64(lr_decay))
            s = s + _cast(1, dt) * g * g
            std = jnp.sqrt(s) + _cast(eps, dt)
            p = p + _cast(-clr, dt) * g / std
            out_p.append(p)
            out_step.append(step_t)
            out_sum.append(s)
        return out_p, [out_step, out_sum]


# ------------------------------------------------------------------------------------------------
def _check_betas(lr: Any, eps: float, betas: tuple, weight_decay: float) -> None:
    _check_lr(lr)
    _check_adam_ranges(lr, eps, betas, weight_decay)


class Adamax(_Defaults, Optimizer):
    """Adamax: Adam with the second moment replaced by an exponentially weighted infinity norm
    (running maximum of ``|g|``, decayed by ``beta2``). ``weight_decay`` adds
    ``weight_decay * param`` to the gradient. ``maximize`` ascends instead. The
    ``foreach``/``fused``/``capturable`` flags it takes are accepted (each group's update is one
    compiled JAX program anyway); ``differentiable=True`` raises NotImplementedError at
    ``step``. Unlike torch, complex parameters are refused (NotImplementedError)."""

    _kind = "adamax"
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Any, lr: Any = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_betas(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_inf")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": _step_tensor(), "exp_avg": _creation.zeros_like(p),
                "exp_inf": _creation.zeros_like(p)}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        beta1, beta2 = group["betas"]
        return (group["lr"], beta1, beta2, group["eps"], group["weight_decay"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, maximize = static
        lr, beta1, beta2, eps, wd = scalars
        out = [[], [], [], []]
        for p, g, step_t, m, inf in zip(params, grads, *states, strict=True):
            dt = p.dtype
            if maximize:
                g = -g
            step_t = step_t + 1
            if has_wd:
                g = g + _cast(wd, dt) * p
            m = _lerp(m, g, _cast(1 - beta1, dt))
            inf = jnp.maximum(inf * _cast(beta2, dt), jnp.abs(g) + _cast(eps, dt))
            clr = _f64(lr) / (1 - _f64(beta1) ** _f64(step_t))
            p = p + _cast(-clr, dt) * m / inf
            for k, x in enumerate((p, step_t, m, inf)):
                out[k].append(x)
        return out[0], out[1:]


class NAdam(_Defaults, Optimizer):
    """NAdam: Adam with Nesterov momentum, whose momentum coefficient is warmed up by
    ``momentum_decay``. ``weight_decay`` adds ``weight_decay * param`` to the gradient, or
    decays the parameter directly with ``decoupled_weight_decay=True``. ``maximize`` ascends
    instead. The ``foreach``/``fused``/``capturable`` flags it takes are accepted (each group's
    update is one compiled JAX program anyway); ``differentiable=True`` raises
    NotImplementedError at ``step``. Unlike torch, complex parameters are refused
    (NotImplementedError)."""

    _kind = "nadam"
    _setstate_defaults = {"maximize": False, "foreach": None, "capturable": False,
                          "differentiable": False, "decoupled_weight_decay": False}

    def __init__(self, params: Any, lr: Any = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_betas(lr, eps, betas, weight_decay)
        _nonnegative("momentum_decay value", momentum_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "mu_product", "exp_avg", "exp_avg_sq")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": _step_tensor(), "mu_product": _creation.tensor(1.0, dtype=_scalar_dtype()),
                "exp_avg": _creation.zeros_like(p), "exp_avg_sq": _creation.zeros_like(p)}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), bool(group["decoupled_weight_decay"]),
                bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        beta1, beta2 = group["betas"]
        return (group["lr"], beta1, beta2, group["eps"], group["weight_decay"],
                group["momentum_decay"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, decoupled, maximize = static
        lr, beta1, beta2, eps, wd, momentum_decay = scalars
        out = [[], [], [], [], []]
        for p, g, step_t, mu_product, m, v in zip(params, grads, *states, strict=True):
            dt = p.dtype
            if maximize:
                g = -g
            step_t = step_t + 1
            step = _f64(step_t)
            bias_correction2 = 1 - _f64(beta2) ** step
            if has_wd:
                if decoupled:
                    p = p * _cast(1 - lr * wd, dt)
                else:
                    g = g + _cast(wd, dt) * p
            mu = _f64(beta1) * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = _f64(beta1) * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            mu_product = mu_product * _cast(mu, mu_product.dtype)
            m = _lerp(m, g, _cast(1 - beta1, dt))
            v = v * _cast(beta2, dt) + _cast(1 - beta2, dt) * g * g
            denom = jnp.sqrt(v / _cast(bias_correction2, dt)) + _cast(eps, dt)
            mp = _f64(mu_product)
            mu_product_next = mp * mu_next
            p = p + _cast(-_f64(lr) * (1.0 - mu) / (1.0 - mp), dt) * g / denom
            p = p + _cast((-_f64(lr) * mu_next) / (1.0 - mu_product_next), dt) * m / denom
            for k, x in enumerate((p, step_t, mu_product, m, v)):
                out[k].append(x)
        return out[0], out[1:]


class RAdam(_Defaults, Optimizer):
    """RAdam: Adam whose adaptive step is switched on only once the variance of its estimate is
    tractable (roughly the first steps are plain momentum SGD), with a rectification factor
    after that. ``weight_decay`` adds ``weight_decay * param`` to the gradient, or decays the
    parameter directly with ``decoupled_weight_decay=True``. ``maximize`` ascends instead. The
    ``foreach``/``fused``/``capturable`` flags it takes are accepted (each group's update is one
    compiled JAX program anyway); ``differentiable=True`` raises NotImplementedError at
    ``step``. Unlike torch, complex parameters are refused (NotImplementedError)."""

    _kind = "radam"
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "decoupled_weight_decay": False, "capturable": False}

    def __init__(self, params: Any, lr: Any = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_betas(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "exp_avg", "exp_avg_sq")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": _step_tensor(), "exp_avg": _creation.zeros_like(p),
                "exp_avg_sq": _creation.zeros_like(p)}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), bool(group["decoupled_weight_decay"]),
                bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        beta1, beta2 = group["betas"]
        return (group["lr"], beta1, beta2, group["eps"], group["weight_decay"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, decoupled, maximize = static
        lr, beta1, beta2, eps, wd = scalars
        out = [[], [], [], []]
        for p, g, step_t, m, v in zip(params, grads, *states, strict=True):
            dt = p.dtype
            if maximize:
                g = -g
            step_t = step_t + 1
            step = _f64(step_t)
            if has_wd:
                if decoupled:
                    p = p * _cast(1 - lr * wd, dt)
                else:
                    g = g + _cast(wd, dt) * p
            m = _lerp(m, g, _cast(1 - beta1, dt))
            v = v * _cast(beta2, dt) + _cast(1 - beta2, dt) * g * g
            b1, b2 = _f64(beta1), _f64(beta2)
            bias_correction1 = 1 - b1 ** step
            bias_correction2 = 1 - b2 ** step
            corrected = m / _cast(bias_correction1, dt)
            rho_inf = 2 / (1 - b2) - 1
            rho_t = rho_inf - 2 * step * (b2 ** step) / bias_correction2
            rect = jnp.sqrt(jnp.maximum((rho_t - 4) * (rho_t - 2) * rho_inf
                                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 0.0))
            adaptive = _cast(jnp.sqrt(bias_correction2), dt) / (jnp.sqrt(v) + _cast(eps, dt))
            rectified = corrected * _cast(lr, dt) * adaptive * _cast(rect, dt)
            plain = corrected * _cast(lr, dt)
            p = p + _cast(-1.0, dt) * jnp.where(rho_t > 5.0, rectified, plain)
            for k, x in enumerate((p, step_t, m, v)):
                out[k].append(x)
        return out[0], out[1:]


class Adadelta(_Defaults, Optimizer):
    """Adadelta: scales each step by the ratio of running RMS values of past updates and of
    gradients (decay ``rho``, ``eps`` in both roots), then by ``lr`` (default 1.0).
    ``weight_decay`` adds ``weight_decay * param`` to the gradient. ``maximize`` ascends
    instead. The ``foreach``/``fused``/``capturable`` flags it takes are accepted (each group's
    update is one compiled JAX program anyway); ``differentiable=True`` raises
    NotImplementedError at ``step``. Unlike torch, complex parameters are refused
    (NotImplementedError)."""

    _kind = "adadelta"
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Any, lr: Any = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _nonnegative("learning rate", lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        _nonnegative("epsilon value", eps)
        _nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "square_avg", "acc_delta")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": _creation.zeros((), dtype=_scalar_dtype()),
                "square_avg": _creation.zeros_like(p), "acc_delta": _creation.zeros_like(p)}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        return (group["lr"], group["rho"], group["eps"], group["weight_decay"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, maximize = static
        lr, rho, eps, wd = scalars
        out = [[], [], [], []]
        for p, g, step_t, sq, acc in zip(params, grads, *states, strict=True):
            dt = p.dtype
            step_t = step_t + 1
            if maximize:
                g = -g
            if has_wd:
                g = g + _cast(wd, dt) * p
            sq = sq * _cast(rho, dt) + _cast(1 - rho, dt) * g * g
            std = jnp.sqrt(sq + _cast(eps, dt))
            delta = jnp.sqrt(acc + _cast(eps, dt)) / std * g
            acc = acc * _cast(rho, dt) + _cast(1 - rho, dt) * delta * delta
            p = p + _cast(-lr, dt) * delta
            for k, x in enumerate((p, step_t, sq, acc)):
                out[k].append(x)
        return out[0], out[1:]


class Rprop(_Defaults, Optimizer):
    """Resilient backpropagation: uses only the sign of the gradient, with a per-element step size
    grown by ``etas[1]`` while the sign holds and shrunk by ``etas[0]`` when it flips, kept
    within ``step_sizes``; meant for full-batch training. ``maximize`` ascends instead. The
    ``foreach``/``fused``/``capturable`` flags it takes are accepted (each group's update is one
    compiled JAX program anyway); ``differentiable=True`` raises NotImplementedError at
    ``step``. Unlike torch, complex parameters are refused (NotImplementedError)."""

    _kind = "rprop"
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Any, lr: Any = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        _nonnegative("learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "prev", "step_size")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        lr = group["lr"]
        return {"step": _creation.zeros((), dtype=_scalar_dtype()),
                "prev": _creation.zeros_like(p),
                "step_size": _creation.full_like(p.grad, float(lr))}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (bool(group["maximize"]),)

    def _scalars(self, group: dict[str, Any]) -> tuple:
        (etaminus, etaplus), (step_size_min, step_size_max) = group["etas"], group["step_sizes"]
        return (etaminus, etaplus, step_size_min, step_size_max)

    @staticmethod
    def _update(static, params, grads, states, scalars):
        (maximize,) = static
        etaminus, etaplus, step_size_min, step_size_max = scalars
        out = [[], [], [], []]
        for p, g, step_t, prev, step_size in zip(params, grads, *states, strict=True):
            dt = p.dtype
            if maximize:
                g = -g
            step_t = step_t + 1
            s = jnp.sign(g * prev)
            factor = jnp.where(s > 0, _cast(etaplus, dt),
                               jnp.where(s < 0, _cast(etaminus, dt), jnp.ones((), dt)))
            step_size = jnp.clip(step_size * factor, _cast(step_size_min, dt),
                                 _cast(step_size_max, dt))
            g = jnp.where(s < 0, jnp.zeros((), dt), g)
            p = p + _cast(-1, dt) * jnp.sign(g) * step_size
            for k, x in enumerate((p, step_t, g, step_size)):
                out[k].append(x)
        return out[0], out[1:]


class ASGD(_Defaults, Optimizer):
    """Averaged SGD: SGD with a decaying step size (``lambd``, ``alpha``) that also keeps an
    average of the iterates, started after step ``t0``, in the state ``ax``. ``weight_decay``
    adds ``weight_decay * param`` to the gradient. ``maximize`` ascends instead. The
    ``foreach``/``fused``/``capturable`` flags it takes are accepted (each group's update is one
    compiled JAX program anyway); ``differentiable=True`` raises NotImplementedError at
    ``step``. Unlike torch, complex parameters are refused (NotImplementedError)."""

    _kind = "asgd"
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params: Any, lr: Any = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_lr(lr)
        _nonnegative("learning rate", lr)
        _nonnegative("weight_decay value", weight_decay)
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _state_names(self, group: dict[str, Any]) -> tuple[str, ...]:
        return ("step", "eta", "mu", "ax")

    def _init_state(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        return {"step": _creation.zeros((), dtype=_scalar_dtype()),
                "eta": _creation.tensor(float(group["lr"]), dtype=_scalar_dtype()),
                "mu": _creation.ones((), dtype=_scalar_dtype()),
                "ax": _creation.zeros_like(p)}

    def _static(self, group: dict[str, Any]) -> tuple:
        return (_bool(group["weight_decay"]), bool(group["maximize"]))

    def _scalars(self, group: dict[str, Any]) -> tuple:
        return (group["lr"], group["lambd"], group["alpha"], group["t0"],
                group["weight_decay"])

    @staticmethod
    def _update(static, params, grads, states, scalars):
        has_wd, maximize = static
        lr, lambd, alpha, t0, wd = scalars
        out = [[], [], [], [], []]
        for p, g, step_t, eta, mu, ax in zip(params, grads, *states, strict=True):
            dt = p.dtype
            if maximize:
                g = -g
            step_t = step_t + 1
            if has_wd:
                g = g + _cast(wd, dt) * p
            eta_value = _f64(eta)
            p = p * _cast(1 - _f64(lambd) * eta_value, dt)
            p = p + _cast(-eta_value, dt) * g
            ax = jnp.where(mu != 1, ax + (p - ax) * mu.astype(dt), p)
            step = _f64(step_t)
            eta = (_f64(lr) / ((1 + _f64(lambd) * _f64(lr) * step) ** _f64(alpha))).astype(
                eta.dtype)
            mu = (1 / jnp.maximum(1.0, step - _f64(t0))).astype(mu.dtype)
            for k, x in enumerate((p, step_t, eta, mu, ax)):
                out[k].append(x)
        return out[0], out[1:]
