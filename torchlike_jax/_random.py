"""Random tensors from an explicit JAX PRNG key chain: ``manual_seed``, ``rand``, ``randn``...

A :class:`Generator` holds a JAX key; every draw splits it, so a seed fixes the whole sequence
of draws (values differ from torch's Mersenne Twister / Philox streams, shapes and dtypes do
not). The default generator is seeded once at import from the OS, like torch's.
"""

from __future__ import annotations

import os
from typing import Any

import jax
import numpy as np

from . import _dtypes
from ._creation import _NO_SIZE, _leaf, _size, _size_arg
from .core.surface import expose
from .core.tensor import Tensor
from .core.tensor_access import array_of

_SEED_BYTES = 8  # a state is the seed (uint64, little-endian), then the key's raw words


class Generator:
    """Seedable source of random keys (``torch.Generator``)."""

    def __init__(self, device: Any = "cpu") -> None:
        from ._device import device as _device

        self.device = _device(device)
        self.manual_seed(int.from_bytes(os.urandom(7), "little"))

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (any int64 or uint64; negatives wrap as torch's)."""
        seed = int(seed)
        if not -(2 ** 63) <= seed < 2 ** 64:
            raise ValueError("Overflow when unpacking long long")
        seed &= 0xFFFFFFFFFFFFFFFF
        self._seed = seed
        self._key = jax.random.key(seed - 2 ** 64 if seed >= 2 ** 63 else seed)  # as int64
        return self

    def seed(self) -> int:
        s = int.from_bytes(os.urandom(7), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a uint8 tensor (torch's ByteTensor contract); its layout is
        this library's own (seed, then key words), so it restores only here."""
        words = np.asarray(jax.random.key_data(self._key)).astype("<u4")
        raw = np.frombuffer(self._seed.to_bytes(_SEED_BYTES, "little") + words.tobytes(),
                            np.uint8)
        return _leaf(raw.copy(), _dtypes.uint8, False)

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from :meth:`get_state`: the following draws repeat."""
        if not isinstance(new_state, Tensor) or new_state.dtype != _dtypes.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        shape = jax.random.key_data(self._key).shape
        size = _SEED_BYTES + 4 * int(np.prod(shape))
        if new_state.numel() != size:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {size} but found the "
                               f"input RNG state size to be {new_state.numel()}")
        raw = np.asarray(array_of(new_state)).reshape(-1).tobytes()
        words = np.frombuffer(raw[_SEED_BYTES:], "<u4").astype(np.uint32).reshape(shape)
        self._seed = int.from_bytes(raw[:_SEED_BYTES], "little")
        self._key = jax.random.wrap_key_data(words)
        return self

    def next_key(self) -> jax.Array:
        """A fresh key for one draw; the generator moves on. A concrete key is split eagerly
        even while JAX traces (a draw inside traced code), so a tracer never leaks into the
        generator; only ``compile``, which swaps traced keys in and out, advances it traced."""
        key = self._key
        if isinstance(key, jax.core.Tracer):
            self._key, sub = jax.random.split(key)
        else:
            with jax.ensure_compile_time_eval():
                self._key, sub = jax.random.split(key)
        return sub


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator; returns it, as torch does."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from the OS; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state (uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from :func:`get_rng_state`."""
    if not isinstance(new_state, Tensor):
        raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
    default_generator.set_state(new_state)


def _float_dtype(dtype: _dtypes.dtype | None, fn: str) -> _dtypes.dtype:
    dtype = dtype or _dtypes.get_default_dtype()
    if not dtype.is_floating_point:
        from ._dtypes import legacy_name

        raise NotImplementedError(f"\"{fn}\" not implemented for '{legacy_name(dtype)}'")
    return dtype


def _size_kw(args: tuple, kw: dict, fn: str) -> tuple:
    """The ``size=`` keyword (torch's factories take it beside varargs sizes); others refused."""
    for k in kw:
        if k != "size":
            raise TypeError(f"{fn}() got an unexpected keyword argument '{k}'")
    if args and "size" in kw:  # rand/randn are overloaded in torch: no "multiple values"
        got = ", ".join([type(a).__name__ for a in args] + [f"size={type(kw['size']).__name__}"])
        raise TypeError(f"{fn}() received an invalid combination of arguments - got ({got}), "
                        f"but expected one of:")
    return _size_arg(args, kw.get("size", _NO_SIZE), fn)


@expose("rand", method=False)  # torch.rand, with out= (core/out_arg)
def rand(*size: Any, generator: Generator | None = None, dtype: _dtypes.dtype | None = None,
         device: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """Uniform on [0, 1)."""
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    key = (generator or default_generator).next_key()
    arr = jax.random.uniform(key, _size(_size_kw(size, kw, "rand")), dtype=dtype.np)
    return _leaf(arr, dtype, requires_grad, device)


@expose("randn", method=False)  # torch.randn, with out= (core/out_arg)
def randn(*size: Any, generator: Generator | None = None, dtype: _dtypes.dtype | None = None,
          device: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """Standard normal."""
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    key = (generator or default_generator).next_key()
    arr = jax.random.normal(key, _size(_size_kw(size, kw, "randn")), dtype=dtype.np)
    return _leaf(arr, dtype, requires_grad, device)


@expose("randint", method=False)  # torch.randint, with out= (core/out_arg)
def randint(low: int, high: int | None = None, size: Any = None, *,
            generator: Generator | None = None, dtype: _dtypes.dtype | None = None,
            device: Any = None, requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high); ``randint(high, size)`` form too. int64 by default."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    dtype = dtype or _dtypes.int64
    key = (generator or default_generator).next_key()
    arr = jax.random.randint(key, _size((size,)), low, high, dtype=np.int64)
    return _leaf(arr, dtype, requires_grad, device)


@expose("randperm", method=False)  # torch.randperm, with out= (core/out_arg)
def randperm(n: int, *, generator: Generator | None = None, dtype: _dtypes.dtype | None = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of ``0 .. n - 1`` as a 1-D tensor (int64 unless ``dtype``), drawn
    from ``generator`` or the default one. Drawn from this library's generator, so the values
    differ from torch's for one seed."""
    (n,) = _size((n,))
    key = (generator or default_generator).next_key()
    return _leaf(jax.random.permutation(key, n), dtype or _dtypes.int64, requires_grad, device)


def _like(fn, input: Tensor, dtype, kw):
    return fn(input.shape, dtype=dtype or input.dtype, **kw)


def rand_like(input: Tensor, *, dtype: _dtypes.dtype | None = None, **kw: Any) -> Tensor:
    """Uniform samples on [0, 1) with ``input``'s shape and (unless ``dtype`` is given) dtype.
    Drawn from this library's generator, so the values differ from torch's for one seed."""
    return _like(rand, input, dtype, kw)


def randn_like(input: Tensor, *, dtype: _dtypes.dtype | None = None, **kw: Any) -> Tensor:
    """Standard normal samples with ``input``'s shape and (unless ``dtype`` is given) dtype.
    Drawn from this library's generator, so the values differ from torch's for one seed."""
    return _like(randn, input, dtype, kw)


def randint_like(input: Tensor, low: int, high: int | None = None, *,
                 dtype: _dtypes.dtype | None = None, **kw: Any) -> Tensor:
    """Integers uniform on [low, high) (or [0, low)) with ``input``'s shape and dtype."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype, **kw)
