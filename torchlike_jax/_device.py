"""``torch.device`` mapped onto JAX platforms ("cpu" ↔ cpu, "cuda" ↔ gpu)."""

from __future__ import annotations

import jax


class device:  # noqa: N801 - torch spells it in lower case
    """A device name with an optional index; equal devices compare equal and hash alike."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        elif ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, meta device type at start of device "
                               f"string: {type}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def cuda_available() -> bool:
    """True when JAX sees a GPU backend."""
    try:
        return bool(jax.devices("gpu"))
    except RuntimeError:
        return False


_default: list[device | None] = [None]  # torch.set_default_device (None: CPU, the JAX default)


def set_default_device(d: str | device | int | None) -> None:
    """``torch.set_default_device``: where factories place tensors when given no ``device``.
    Like torch, "cuda" is accepted here and fails at the first use without a GPU."""
    _default[0] = None if d is None else device("cuda", d) if isinstance(d, int) else device(d)


def get_default_device() -> device:
    """``torch.get_default_device`` (raises as torch when the default is an absent GPU)."""
    d = _default[0]
    if d is None:
        return CPU
    if d.type == "cuda":
        jax_device(d)
        return device("cuda", d.index or 0)
    return d


def factory_device(d: str | device | None):
    """The JAX device for a factory's ``device=`` argument, honouring the default device."""
    return jax_device(d if d is not None else _default[0])


def jax_device(d: str | device | None):
    """The JAX device for a torch device argument (None → JAX's default placement)."""
    if d is None:
        return None
    d = device(d) if not isinstance(d, device) else d
    if d.type == "cpu":
        return jax.devices("cpu")[0]
    if d.type == "cuda":
        if not cuda_available():
            raise AssertionError("Torch not compiled with CUDA enabled")
        return jax.devices("gpu")[d.index or 0]
    raise RuntimeError(f"unsupported device {d}")


def device_of(array) -> device:
    """The torch device an array lives on."""
    try:
        dev = next(iter(array.devices()))
    except (AttributeError, StopIteration):
        return CPU
    if dev.platform == "cpu":
        return CPU
    return device("cuda", dev.id)
