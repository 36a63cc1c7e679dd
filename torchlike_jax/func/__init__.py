"""``torch.func``: composable function transforms, mapped onto JAX's.

``grad``, ``grad_and_value``, ``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``, ``vmap``,
``linearize`` and ``functional_call`` with torch.func's signatures, output structures and errors.

How: each transform turns the user's facade function into a *pure JAX function* — arrays in,
``Tensor`` handles wrapping those arrays (JAX tracers while the transform traces), the user's
code running unchanged through the normal dispatch path, arrays out — and hands it to
``jax.grad`` / ``jax.vjp`` / ``jax.jvp`` / ``jax.jacrev`` / ``jax.jacfwd`` / ``jax.vmap`` /
``jax.linearize``. Nesting (``grad(grad(f))``, ``vmap(grad(f))``, ``jacrev(jacfwd(f))``) is JAX
nesting: an inner transform simply receives tensors whose arrays are the outer one's tracers.
The transforms run eagerly (no ``jax.jit``): a function may capture tensors whose values change
between calls, and baking them into a compiled program would be wrong.

Grad mode follows torch.func:

* ``grad``/``vjp``/``jacrev`` enable grad inside (a ``no_grad`` *around* the call is ignored),
  and the differentiated inputs have ``requires_grad=True`` inside, as in torch (so an in-place
  op on one raises torch's leaf error);
* a ``no_grad`` block *inside* the function makes its results constants for reverse-mode levels
  (dispatch applies ``stop_gradient``, see ``autograd/_transforms.py``); forward-mode levels
  (``jvp``, ``jacfwd``, ``linearize``) see through it, as torch's forward AD does;
* ``detach()`` inside is a constant for every level; a transform called inside a ``no_grad``
  block of an outer reverse-mode transform returns constants for that outer level.

Tensors given to a transform are read, never connected: results are ordinary tensors without
``grad_fn``, even when an input requires grad (torch would record the computation on the
autograd tape). Accepted and ignored: ``chunk_size`` (everything is computed in one
vectorized call), ``randomness`` (random ops draw one sample for the whole batch, like
``"same"``; torch's default ``"error"`` would raise), ``vjp_fn``'s ``retain_graph`` /
``create_graph``.

Data-dependent Python: the differentiating transforms (``grad``, ``vjp``, ``jvp``, ``jac*``,
``linearize``) run the function once on tracers that carry concrete values, so ``.item()``,
``float(t)`` and ``bool(t)`` work there and give a constant, as in torch; inside ``vmap`` the
values are batched and those calls raise (torch raises too). Printing a tensor raises inside
every transform (torch prints the wrapped tensor).

Modules: ``_pytree`` (torch's pytree rules and structure strings), ``_levels`` (one transform
level and the handles on its tracers), ``_arguments`` (argnums, aux outputs, torch's checks),
``_autodiff`` (grad, vjp, jvp, linearize), ``_jacobians``, ``_vmap``, ``_functional_call``.
"""

from ._autodiff import grad, grad_and_value, jvp, linearize, vjp
from ._functional_call import functional_call
from ._jacobians import hessian, jacfwd, jacrev
from ._vmap import vmap

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap",
           "linearize", "functional_call"]
