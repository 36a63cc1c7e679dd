"""F.layer_norm, F.batch_norm, F.group_norm and F.instance_norm (and torch.layer_norm /
torch.group_norm).

Each is one op named after torch's native node (``NativeLayerNormBackward0``...); batch and
instance norm also return their batch statistics, which update the running buffers in place
outside autograd, as torch's kernels do. Statistics of half inputs are computed in float32.
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp

from .._dtypes import upcast_half
from ..core.declare import need_tensor
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor_access import array_of, set_array, storage_of
from .nn_activations import need_float
from .nn_common import NN, cast_like


def _write(t: Any, arr: jax.Array) -> None:
    """Update a buffer (running stats) in place, outside autograd, bumping its version."""
    set_array(t, arr.astype(array_of(t).dtype))
    storage_of(t).version += 1


def _affine(y, w, b, shape):
    if w is not None:
        y = y * upcast_half(w).reshape(shape)
    if b is not None:
        y = y + upcast_half(b).reshape(shape)
    return y


def _layer_norm(x, w, b, nd, eps):
    xx = upcast_half(x)
    axes = tuple(range(x.ndim - nd, x.ndim))
    mean = xx.mean(axis=axes, keepdims=True)
    var = ((xx - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (xx - mean) * jax.lax.rsqrt(var + eps)
    return cast_like(_affine(y, w, b, x.shape[x.ndim - nd:]), x)


LAYER_NORM = register("layer_norm", _layer_norm, "NativeLayerNormBackward0", dtype_rule=KEEP,
                      saves_inputs=(0, 1, 2))


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Any:
    """F.layer_norm over the trailing ``normalized_shape`` dims (biased variance)."""
    need_tensor("layer_norm", input)
    ns = (int(normalized_shape),) if isinstance(normalized_shape, int) else \
        tuple(int(s) for s in normalized_shape)
    if tuple(input.shape[input.ndim - len(ns):]) != ns or len(ns) > input.ndim:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape "
                           f"[*, {', '.join(map(str, ns))}], but got input of size"
                           f"{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got "
                           f"weight of shape {list(weight.shape)} and normalized_shape = "
                           f"{list(ns)}")
    need_float(input, "LayerNormKernelImpl")
    return dispatch(LAYER_NORM, (input, weight, bias), (len(ns), float(eps)))


def _batch_norm(x, rm, rv, w, b, training, eps):
    xx = upcast_half(x)
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)
    if training:
        mean = xx.mean(axis=axes)
        var = ((xx - mean.reshape(shape)) ** 2).mean(axis=axes)
        n = x.size // x.shape[1]
        unbiased = var * n / max(n - 1, 1)
    else:
        mean, var = upcast_half(rm), upcast_half(rv)
        unbiased = var
    y = (xx - mean.reshape(shape)) * jax.lax.rsqrt(var.reshape(shape) + eps)
    return (cast_like(_affine(y, w, b, shape), x), jax.lax.stop_gradient(mean),
            jax.lax.stop_gradient(unbiased))


BATCH_NORM = register("batch_norm", _batch_norm, "NativeBatchNormBackward0", dtype_rule=KEEP,
                      n_out=3, saves_inputs=(0, 3))


def _update_running(rm: Any, rv: Any, mean: Any, var: Any, momentum: float) -> None:
    if rm is not None:
        _write(rm, (1 - momentum) * array_of(rm) + momentum * array_of(mean))
    if rv is not None:
        _write(rv, (1 - momentum) * array_of(rv) + momentum * array_of(var))


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None,
               bias: Any = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Any:
    """F.batch_norm over (N, *spatial) per channel; in training the running stats are updated
    in place (unbiased variance) as torch does."""
    need_tensor("batch_norm", input)
    if training:
        size = input.numel() // (input.shape[1] if input.ndim > 1 else 1)
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    c = input.shape[1] if input.ndim > 1 else 0
    for t, what in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{what} should contain {c} elements not {t.numel()}")
    need_float(input, "batch_norm")
    out, mean, var = dispatch(BATCH_NORM, (input, running_mean, running_var, weight, bias),
                              (bool(training), float(eps)))
    if training:
        _update_running(running_mean, running_var, mean, var, momentum)
    return out


def _group_norm(x, w, b, groups, eps):
    xx = upcast_half(x)
    n, c = x.shape[0], x.shape[1]
    g = xx.reshape(n, groups, -1)
    mean = g.mean(-1, keepdims=True)
    var = ((g - mean) ** 2).mean(-1, keepdims=True)
    y = ((g - mean) * jax.lax.rsqrt(var + eps)).reshape(x.shape)
    return cast_like(_affine(y, w, b, (c,) + (1,) * (x.ndim - 2)), x)


GROUP_NORM = register("group_norm", _group_norm, "NativeGroupNormBackward0", dtype_rule=KEEP,
                      saves_inputs=(0, 1))


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,
               eps: float = 1e-5) -> Any:
    """F.group_norm: normalize over each group of channels and the spatial dims."""
    need_tensor("group_norm", input)
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(input.shape)} and num_groups="
                           f"{num_groups}")
    need_float(input, "GroupNormKernelImpl")
    return dispatch(GROUP_NORM, (input, weight, bias), (int(num_groups), float(eps)))


def _instance_norm(x, rm, rv, w, b, use_stats, eps):
    xx = upcast_half(x)
    axes = tuple(range(2, x.ndim))
    shape = (-1,) + (1,) * (x.ndim - 2)
    if use_stats:
        mean = xx.mean(axis=axes, keepdims=True)
        var = ((xx - mean) ** 2).mean(axis=axes, keepdims=True)
    else:
        mean = upcast_half(rm).reshape(shape)
        var = upcast_half(rv).reshape(shape)
    y = (xx - mean) * jax.lax.rsqrt(var + eps)
    n = math.prod(x.shape[2:])
    stat_shape = x.shape[:2] + (1,) * (x.ndim - 2)  # running stats are (C, 1...): broadcast
    mean_nc = jnp.broadcast_to(mean, stat_shape).reshape(x.shape[:2])
    var_nc = jnp.broadcast_to(var, stat_shape).reshape(x.shape[:2])
    stats_m = jax.lax.stop_gradient(mean_nc.mean(0))
    stats_v = jax.lax.stop_gradient((var_nc * n / max(n - 1, 1)).mean(0))
    return cast_like(_affine(y, w, b, shape), x), stats_m, stats_v


INSTANCE_NORM = register("instance_norm", _instance_norm, "ViewBackward0", dtype_rule=KEEP,
                         n_out=3, saves_inputs=(0,))


def instance_norm(input: Any, running_mean: Any = None, running_var: Any = None,
                  weight: Any = None, bias: Any = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Any:
    """F.instance_norm: per (sample, channel) normalization; running stats (when given) are
    updated in place with the batch mean of the per-instance statistics."""
    need_tensor("instance_norm", input)
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"{input.shape}")
    need_float(input, "batch_norm")
    out, mean, var = dispatch(INSTANCE_NORM, (input, running_mean, running_var, weight, bias),
                              (bool(use_input_stats), float(eps)))
    if use_input_stats:
        _update_running(running_mean, running_var, mean, var, momentum)
    return out


def _torch_layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None,
                      eps: float = 1e-5, cudnn_enable: bool = True) -> Any:
    """torch.layer_norm: F.layer_norm plus torch's ignored ``cudnn_enable`` flag."""
    return layer_norm(input, normalized_shape, weight, bias, eps)


def _torch_group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,
                      eps: float = 1e-5, cudnn_enabled: bool = True) -> Any:
    """torch.group_norm: F.group_norm plus torch's ignored ``cudnn_enabled`` flag."""
    return group_norm(input, num_groups, weight, bias, eps)


expose("batch_norm", method=False, namespace=NN)(batch_norm)
expose("instance_norm", method=False, namespace=NN)(instance_norm)
expose("layer_norm", method=False, namespace=NN)(layer_norm)
expose("group_norm", method=False, namespace=NN)(group_norm)
expose("layer_norm", method=False)(_torch_layer_norm)
expose("group_norm", method=False)(_torch_group_norm)
