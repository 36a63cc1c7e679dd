"""Module-against-torch comparison shared by tests/differential/test_nn_layers.py and
tests/differential/test_nn_layers_extra.py (both live against real PyTorch): build a module under
both libraries with torch's weights, then compare repr, outputs, input and parameter gradients."""

from __future__ import annotations

import numpy as np

import torchlike_jax as torch

RTOL, ATOL = 1e-4, 1e-5


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    a, b = np.asarray(ours.detach().numpy()), theirs.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


class Const:
    """An input array that never requires grad (a loss target)."""

    def __init__(self, array):
        self.array = array


def _tensors(lib, arrays, grad):
    return [lib.tensor(a.array) if isinstance(a, Const) else
            lib.tensor(a, requires_grad=grad and a.dtype.kind == "f")
            if isinstance(a, np.ndarray) else a for a in arrays]


def _outputs(out):
    return list(out) if isinstance(out, tuple) else [out]


def compare(real, make, inputs, *, train=True, grad=True, kwargs=None, seed=0, grad_fns=True):
    """``make(lib)`` under both libraries with torch's weights; compare repr, outputs (all of
    a tuple; their grad_fn names too with ``grad_fns``), the input gradients and the parameter
    gradients of a random weighted sum."""
    kwargs = kwargs or {}
    real.manual_seed(seed)
    theirs, ours = make(real), make(torch)
    state = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert repr(ours.load_state_dict(state)) == "<All keys matched successfully>"
    theirs.train(train)
    ours.train(train)
    assert repr(ours) == repr(theirs)
    t_in, o_in = _tensors(real, inputs, grad), _tensors(torch, inputs, grad)
    t_out, o_out = _outputs(theirs(*t_in, **kwargs)), _outputs(ours(*o_in, **kwargs))
    assert len(t_out) == len(o_out)
    for o, t in zip(o_out, t_out, strict=True):
        assert str(o.dtype) == str(t.dtype)
        close(o, t)
        if grad_fns and t.grad_fn is not None:
            assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__
    diff = [(o, t) for o, t in zip(o_out, t_out, strict=True) if t.requires_grad]
    if not diff:
        return ours, theirs
    rng = np.random.default_rng(seed + 1)
    t_sum, o_sum = 0, 0
    for o, t in diff:
        w = rng.standard_normal(tuple(t.shape)).astype(np.float32)
        t_sum = t_sum + (t * real.tensor(w)).sum()
        o_sum = o_sum + (o * torch.tensor(w)).sum()
    t_sum.backward()
    o_sum.backward()
    for o, t in zip(o_in, t_in, strict=True):
        if getattr(t, "requires_grad", False):
            close(o.grad, t.grad)
    for (name, tp), (oname, op) in zip(theirs.named_parameters(), ours.named_parameters(),
                                       strict=True):
        assert name == oname
        if tp.grad is None:
            assert op.grad is None, name
        else:
            close(op.grad, tp.grad)
    return ours, theirs
