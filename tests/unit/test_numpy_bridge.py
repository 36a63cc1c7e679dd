"""The numpy bridge: ``t.numpy()``, ``torch.from_numpy`` and ``torch.as_tensor`` share memory.

Each case is a small script run twice, with real torch and with torchlike_jax: it logs what a
tutorial would print (tensors and numpy arrays after each write on either side, exceptions,
warnings) and the two logs must be equal. The arrays handed to ``from_numpy`` come both 64-byte
aligned (JAX reads them without a copy) and deliberately misaligned or strided (mirrored through
a snapshot), since the two take different paths here and neither may differ from torch.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest

import torchlike_jax
from torchlike_jax.core import host_storage, numpy_bridge
from torchlike_jax.core.tensor import Storage

pytestmark = pytest.mark.torch_live


def _placed(values: np.ndarray, where: str) -> np.ndarray:
    """``values`` copied into memory that is 64-byte aligned, misaligned, or a strided slice."""
    if where == "strided":
        big = np.zeros((*values.shape[:-1], values.shape[-1] * 2), values.dtype)
        big[..., ::2] = values
        return big[..., ::2]
    raw = np.zeros(values.nbytes + 128, np.uint8)
    start = (-raw.ctypes.data) % 64 + (0 if where == "aligned" else 16)
    out = raw[start:start + values.nbytes].view(values.dtype).reshape(values.shape)
    out[...] = values
    return out


def _run(case: Callable, lib) -> list:
    log: list = []

    def show(*things) -> None:
        for x in things:
            log.append(repr(x) if isinstance(x, np.ndarray) else str(x))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            case(lib, show)
        except Exception as e:  # noqa: BLE001 - the exception is part of what is compared
            log.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")
    log.extend(f"{w.category.__name__}: {str(w.message).split(' (Triggered internally')[0]}"
               for w in caught)
    return log


def _cpu_only() -> None:
    if not numpy_bridge.cpu_default():
        pytest.skip("tensors default to an accelerator here: from_numpy copies (tested below)")


def _same(case: Callable, real) -> list:
    _cpu_only()
    ours, theirs = _run(case, torchlike_jax), _run(case, real)
    assert ours == theirs
    return ours


# ---- from_numpy: both directions, every dtype, every placement ------------------------------
_DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool",
           "complex64", "complex128"]


@pytest.mark.parametrize("where", ["aligned", "misaligned", "strided"])
@pytest.mark.parametrize("dtype", _DTYPES)
def test_from_numpy_shares_both_ways(real, dtype, where):
    def case(torch, show):
        a = _placed(np.arange(6).reshape(2, 3).astype(dtype), where)
        t = torch.from_numpy(a)
        # a strided array's tensor reports contiguous strides here (torch: the array's)
        show(t, t.dtype, where == "strided" or t.is_contiguous(), where == "strided" or t.stride())
        a[0, 1] = 1 if dtype == "bool" else 7  # numpy writes, the tensor sees them
        show(t)
        if dtype == "bool":
            t.logical_not_()
        else:
            t.add_(1)  # the tensor writes, numpy sees them
        show(a)
        t[1, 2] = 0
        show(a, t.sum())

    assert len(_same(case, real)) == 8


def test_the_tutorial_pair(real):
    def case(torch, show):
        t = torch.ones(5)
        n = t.numpy()
        t.add_(1)
        show(t, n)
        n = np.ones(5)
        t = torch.from_numpy(n)
        np.add(n, 1, out=n)
        show(t, n)

    _same(case, real)


# ---- Tensor.numpy(): the tensor, its views and aliases all share ----------------------------
def test_numpy_shares_with_tensor_and_views(real):
    def case(torch, show):
        x = torch.arange(12.0).reshape(3, 4)
        before = x[1]  # a view made before numpy() sees numpy's writes too
        n = x.numpy()
        n[1, 0] = 100
        show(before, x)
        x[0].add_(1)  # a write through a view shows in the array
        before.mul_(2)
        show(n)
        x.zero_()
        show(n, before)
        n += 3  # numpy's in-place operators
        show(x, x.sum(), before)

    _same(case, real)


def test_numpy_of_a_view_has_torch_strides_and_shares(real):
    def case(torch, show):
        x = torch.arange(12.0).reshape(3, 4)
        for view in (x.t(), x[1], x[:, 1:3], x[::2, ::3], x.view(2, 6), x.unsqueeze(1)[2],
                     x[2, 1:].detach(), x[1:].data):
            m = view.numpy()
            show(m.shape, m.strides, m.flags.c_contiguous)
            m[...] = m + 1
            show(x)
        x.fill_(-1)
        show(m)

    _same(case, real)


def test_numpy_shares_through_detach_and_data(real):
    def case(torch, show):
        w = torch.zeros(4, requires_grad=True)
        n = w.detach().numpy()
        with torch.no_grad():
            w.add_(1)
        show(n)
        n[2] = 9  # numpy's write reaches the leaf
        show(w)
        m = w.data.numpy()
        w.data.mul_(2)
        show(m, n, w)

    _same(case, real)


def test_numpy_follows_in_place_ops_of_every_kind(real):
    def case(torch, show):
        t = torch.arange(6, dtype=torch.float32)
        n = t.numpy()
        t += 1
        show(n)
        t.copy_(torch.full((6,), 2.0))
        show(n)
        t[t > 1] = 5
        show(n)
        t.index_put_((torch.tensor([0, 5]),), torch.tensor([-1.0, -2.0]))
        show(n)
        t.clamp_(min=0)
        torch.mul(t, 3, out=t)
        show(n, t)

    _same(case, real)


def test_an_out_of_place_rebind_stops_sharing(real):
    def case(torch, show):
        t = torch.ones(3)
        n = t.numpy()
        t = t + 1  # a new tensor: the array keeps the old memory
        n[0] = 9
        show(t, n)

    _same(case, real)


def test_numpy_writes_are_seen_by_the_next_op_even_while_jax_runs_ahead(real):
    # JAX dispatches asynchronously: a numpy write right after an op must not leak into it
    def case(torch, show):
        t = torch.ones(300, 300)
        n = t.numpy()
        results = []
        for k in range(5):
            results.append((t @ t).sum())
            n[...] = k + 2
        show(*results)

    _same(case, real)


def test_numpy_writes_after_an_op_do_not_reach_a_misaligned_mirror_result(real):
    def case(torch, show):
        a = _placed(np.ones((200, 200)), "misaligned")
        t = torch.from_numpy(a)
        r = t * 2
        a[...] = 5
        show(r.sum(), t.sum())

    _same(case, real)


# ---- as_tensor shares, tensor copies -------------------------------------------------------
def test_as_tensor_shares_only_without_a_cast(real):
    def case(torch, show):
        a = np.arange(4.0)
        same = torch.as_tensor(a)
        cast = torch.as_tensor(a, dtype=torch.float32)
        also = torch.as_tensor(a, dtype=torch.float64, device="cpu")
        copy = torch.tensor(a)
        a[0] = 40
        show(same, cast, also, copy)
        same.add_(1)
        show(a)

    _same(case, real)


# ---- autograd and the errors / warnings ----------------------------------------------------
def test_a_shared_tensor_in_autograd(real):
    def case(torch, show):
        a = np.array([1.0, 2.0, 3.0])
        w = torch.from_numpy(a).requires_grad_()
        loss = (w * w).sum()
        loss.backward()
        show(w.grad)
        try:
            w.numpy()
        except RuntimeError as e:
            show(str(e))
        show(w.numpy(force=True))
        with torch.no_grad():
            w -= 0.5 * w.grad
            inside = w.numpy()  # allowed without grad mode, and shared
        show(a)
        inside[0] = 5
        show(w)

    _same(case, real)


def test_in_place_writes_after_numpy_do_not_change_what_backward_reads(real):
    """A node keeps the value its input had: an in-place op on a tensor that shares memory with
    numpy rewrites that memory, and must not change the gradient of an earlier recorded op."""
    def case(torch, show):
        o = torch.full((4,), -2.0, requires_grad=True)
        cur = torch.full((4,), 3.0)
        view = cur.numpy()
        cur.mul_(o)  # the gradient for o needs cur's value before this write
        (cur * -2.0).sum().backward()
        show(o.grad, view)
        w = torch.tensor([1.0, 2.0], requires_grad=True)
        y = w.detach().clone()
        y.numpy()
        z = (y * w).sum()
        with torch.no_grad():
            y.add_(10)  # y was saved for w's gradient: backward refuses the changed value
        try:
            z.backward()
            show(w.grad)
        except RuntimeError as e:
            show(str(e)[:60])

    _same(case, real)


def test_a_view_returned_by_a_custom_function_still_shares(real):
    def case(torch, show):
        class FirstTwo(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x[:2]

            @staticmethod
            def backward(ctx, g):
                return torch.ones(64)

        base = _placed(np.zeros(64, dtype=np.float32), "aligned")
        w = torch.from_numpy(base).requires_grad_()
        v = FirstTwo.apply(w)
        base[0] = 7
        show(v.detach())

    _same(case, real)


@pytest.mark.parametrize("make", [
    "np.arange(4.0)[::-1]",
    "np.arange(4, dtype='>f4')",
    "np.arange(4, dtype='>f4')[::-1]",
    "np.array(['a', 'b'])[::-1]",
    "[1.0, 2.0]",
    "np.float64(3.0)",
    "np.array(['a', 'b'])",
    "np.array([object()])",
])
def test_from_numpy_errors(real, make):
    def case(torch, show):
        show(torch.from_numpy(eval(make)))  # noqa: S307 - the fixed strings above

    log = _same(case, real)
    assert "Error" in log[-1]


def test_numpy_errors(real):
    def case(torch, show):
        for t in (torch.ones(2, dtype=torch.bfloat16), torch.ones(2, requires_grad=True) * 2):
            try:
                t.numpy()
            except (TypeError, RuntimeError) as e:
                show(type(e).__name__, str(e))

    assert len(_same(case, real)) == 4


def test_non_writable_arrays_warn(real):
    def case(torch, show):
        torch.set_warn_always(True)
        try:
            a = np.arange(3.0)
            a.flags.writeable = False
            show(torch.from_numpy(a), torch.as_tensor(a))
        finally:
            torch.set_warn_always(False)

    log = _same(case, real)
    assert log[-1].startswith("UserWarning: The given NumPy array is not writable")


def test_empty_and_zero_dim(real):
    def case(torch, show):
        e = np.zeros((0, 3), np.float32)
        t = torch.from_numpy(e)
        show(t, t.shape, t.numpy().shape)
        s = torch.tensor(2.5)
        n = s.numpy()
        s.mul_(2)
        show(n, n.shape)
        n[()] = 1
        show(s)

    _same(case, real)


# ---- the machinery: zero-copy where JAX can, plain storages untouched ----------------------
def test_aligned_memory_is_aliased_and_misaligned_is_mirrored():
    _cpu_only()
    a = _placed(np.arange(8.0), "aligned")
    t = torchlike_jax.from_numpy(a)
    assert type(t._st) is host_storage.HostStorage
    assert t._st.array.unsafe_buffer_pointer() == a.ctypes.data  # no copy
    m = torchlike_jax.from_numpy(_placed(np.arange(8.0), "misaligned"))
    assert type(m._st) is host_storage.MirrorStorage
    n = torchlike_jax.arange(8.0).numpy()
    assert n.ctypes.data % 64 == 0


def test_tensors_that_never_met_numpy_keep_plain_storage():
    t = torchlike_jax.ones(3)
    u = (t + 1).mul_(2)
    u[0] = 1
    np.asarray(u)  # __array__ copies; only numpy() shares
    assert type(t._st) is Storage and type(u._st) is Storage
    assert not host_storage.pending.touched


def test_compile_writes_back_into_shared_memory():
    _cpu_only()
    a = np.zeros(3)
    t = torchlike_jax.from_numpy(a)

    @torchlike_jax.compile
    def bump(x):
        x.add_(1)
        return x * 2

    for _ in range(2):
        out = bump(t)
    assert a.tolist() == [2.0, 2.0, 2.0] and out.tolist() == [4.0, 4.0, 4.0]


def test_default_accelerator_placement_copies(monkeypatch):
    monkeypatch.setattr(numpy_bridge, "cpu_default", lambda: False)
    a = np.ones(2)
    t = torchlike_jax.from_numpy(a)
    a[0] = 5
    assert t.tolist() == [1.0, 1.0]


def test_copies_of_a_shared_tensor_do_not_share(real):
    # the shared tensor's JAX array reads numpy's memory: copies must not keep reading it
    def case(torch, show):
        import copy

        t = torch.zeros(3)
        n = t.numpy()
        copies = [t.clone(), torch.tensor(t), copy.deepcopy(t), t * 1,
                  torch.cat([t, t]), t.to(torch.float64)]
        aliases = [t.detach(), t.to(torch.float32), t.view(3), torch.as_tensor(t), t.cpu()]
        n[:] = 4
        show(*copies, *aliases)

    _same(case, real)


def test_optimizer_steps_show_in_shared_arrays(real):
    def case(torch, show):
        lin = torch.nn.Linear(2, 1)
        with torch.no_grad():
            lin.weight.fill_(0.5)
            lin.bias.zero_()
        watched = lin.weight.detach().numpy()
        opt = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)
        x = torch.tensor([[1.0, 2.0], [3.0, -1.0]])
        for _ in range(3):
            opt.zero_grad()
            lin(x).pow(2).sum().backward()
            opt.step()
        show(watched)
        a = np.array([1.0, -2.0])
        p = torch.nn.Parameter(torch.from_numpy(a))
        opt = torch.optim.Adam([p], lr=0.5)
        for _ in range(2):
            opt.zero_grad()
            (p ** 2).sum().backward()
            opt.step()
        show(a)
        a[0] = 10
        show(p * 1)

    _same(case, real)
