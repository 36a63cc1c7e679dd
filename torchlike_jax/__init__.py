"""torchlike_jax — PyTorch's tensor and autograd API on top of JAX.

``import torchlike_jax as torch`` and write torch code. 64-bit policy: importing this package
enables ``jax_enable_x64`` so that ``torch.float64`` / ``torch.int64`` are really 64-bit; every
factory chooses its dtype explicitly (float32 by default), so float32 code stays float32.
"""

from __future__ import annotations

import jax as _jax

_jax.config.update("jax_enable_x64", True)

from . import _persistent_cache  # noqa: E402

_persistent_cache.enable()

# the Tensor's op-backed methods (attached to core.tensor.Tensor above the op layer)
from . import (  # noqa: E402
    _tensor_methods,  # noqa: E402, F401
    accelerator,
    autograd,
    backends,
    cuda,
    func,
    profiler,
    testing,
)
from ._compile import CompileError, compile  # noqa: E402
from ._creation import (  # noqa: E402
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device, get_default_device, set_default_device  # noqa: E402
from ._dtypes import (  # noqa: E402
    bfloat16,
    complex64,
    complex128,
    dtype,  # noqa: E402
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._dtypes import bool_ as bool  # noqa: E402
from ._formatting import get_printoptions, set_printoptions  # noqa: E402
from ._random import (  # noqa: E402
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)
from ._size import Size  # noqa: E402
from .core.anomaly_mode import (  # noqa: E402
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_anomaly_enabled,
)
from .core.grad_mode import (  # noqa: E402
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .core.memory_format import (  # noqa: E402
    channels_last,
    channels_last_3d,
    contiguous_format,
    memory_format,
    preserve_format,
)
from .core.surface import NAMESPACES as _NAMESPACES  # noqa: E402
from .core.tensor import Tensor  # noqa: E402
from .core.warn_always import is_warn_always_enabled, set_warn_always  # noqa: E402

globals().update(_NAMESPACES["torch"])  # every op module's torch.* functions (ops/surface.py)
from ._inplace_functions import FUNCTIONS as _INPLACE_FUNCTIONS  # noqa: E402
from ._legacy import LEGACY_TYPES as _LEGACY_TYPES  # noqa: E402
from ._legacy import range  # noqa: E402

globals().update(_INPLACE_FUNCTIONS)  # torch.sin_, torch.relu_, ... (Tensor's in-place methods)
globals().update(_LEGACY_TYPES)  # torch.FloatTensor, torch.LongTensor, ...
from . import _C, linalg, nn, optim, random, return_types, serialization, special, utils  # noqa: E402
from .func import vmap  # noqa: E402  (torch.vmap is torch.func.vmap)
from .serialization import load, save  # noqa: E402

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64
cfloat, cdouble = complex64, complex128


def numel(input: Tensor) -> int:
    """The number of elements of ``input`` (the product of its sizes), as an int."""
    return input.numel()


def is_tensor(obj: object) -> bool:
    """True when ``obj`` is a ``torch.Tensor`` (a ``Parameter`` included)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """True when ``input``'s dtype is a floating-point one (float16 to float64, bfloat16)."""
    return input.is_floating_point()


def detach(input: Tensor) -> Tensor:
    """A new tensor sharing ``input``'s data but cut from the autograd graph
    (``requires_grad=False``); the same as ``input.detach()``."""
    return input.detach()


def result_type(tensor1, tensor2) -> dtype:
    """torch.result_type of two tensors/scalars, by the same rule dispatch uses."""
    from .core.dispatch import _decide_dtypes
    from .ops.elementwise import add

    return _decide_dtypes(add.op, (tensor1, tensor2), None)[1]


from . import distributions, version  # noqa: E402  (distributions needs nn.functional above)
from .version import __version__  # noqa: E402
