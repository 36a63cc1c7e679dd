"""The core layer: what every op, the Tensor and autograd stand on, importing nothing above it.

Bottom to top (each module imports only those before it, and the package's root helpers
``_dtypes``, ``_device``, ``_size``, ``_caches``, ``_formatting``, ``_value_checks``):

- ``registry``: :class:`OpDef` and the one op registry; ``params``: runtime scalars lifted out
  of an op's static params; ``dims``: dimension and broadcast checks.
- ``grad_mode``, ``anomaly_mode``, ``transforms`` (running ``torch.func`` transforms), ``graph``
  (Node, AccumulateGrad, hooks, saved-tensor hooks): the state autograd records under.
- ``tensor``: the Tensor's state; ``strides``: strides recovered from a view chain;
  ``kernels``: the cached jit call of an op on arrays; ``views``: view storages.
- ``dispatch``: unwrap → promote → compute → wrap → record; ``inplace``: torch's in-place checks
  and rebinding, attached to Tensor.
- ``surface`` (with ``numpy_kwargs`` and ``recorded_surface``): the tables op modules publish into.

Importing the package imports the whole layer, so a Tensor is complete up to its op methods,
which ``torchlike_jax._tensor_methods`` attaches from above the ops.
"""

from __future__ import annotations

from . import dispatch, inplace, surface  # noqa: F401  (the whole layer, in dependency order)
