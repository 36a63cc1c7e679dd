"""``torch.version``: which PyTorch API this package implements, and the package's own version.

Scripts check ``torch.__version__`` to pick code paths (``if torch.__version__ >= "2.0"``), so
it reports the PyTorch release whose behaviour the tests compare against, with a PEP 440 local
label naming this package: ``2.13.0+torchlike.jax.<package version>``. The package's own
version is ``package_version`` here (from the installed distribution's metadata).
"""

from __future__ import annotations

import re
from importlib import metadata
from typing import Any

API_VERSION = "2.13.0"

try:
    package_version = metadata.version("torchlike_jax")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    package_version = "0.1.0"


def _release(value: Any) -> tuple[tuple[int, ...], bool]:
    """(release numbers, has a local label) of a version string or tuple of ints."""
    if isinstance(value, tuple):
        return tuple(int(v) for v in value), False
    text = str(value)
    match = re.fullmatch(r"\s*v?(\d+(?:\.\d+)*)(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*", text,
                         re.IGNORECASE)
    if match is None:
        raise ValueError(f"Invalid version: {text!r}")
    return tuple(int(p) for p in match.group(1).split(".")), "+" in text


def _key(value: Any) -> tuple[tuple[int, ...], bool]:
    release, local = _release(value)
    while len(release) > 1 and release[-1] == 0:  # 2.13 == 2.13.0, as PEP 440 compares
        release = release[:-1]
    return release, local


class TorchVersion(str):
    """A version string that compares as a version with strings and int tuples, like torch's
    ``TorchVersion`` (``torch.__version__ >= "2.0"``, ``>= (2, 1)``). Release numbers are
    compared as PEP 440 does; a local label ranks above the same release without one. An
    operand that is not a version falls back to plain string comparison, as torch's does.
    ``!=`` stays ``str``'s, as in torch. Pre- and post-release segments are not modelled."""

    def _compare(self, other: Any, method: str) -> bool:
        try:
            mine, theirs = _key(self), _key(other)
        except ValueError:
            return getattr(str, method)(self, other)
        return getattr(mine, method)(theirs)

    def __lt__(self, other: Any) -> bool:
        return self._compare(other, "__lt__")

    def __le__(self, other: Any) -> bool:
        return self._compare(other, "__le__")

    def __gt__(self, other: Any) -> bool:
        return self._compare(other, "__gt__")

    def __ge__(self, other: Any) -> bool:
        return self._compare(other, "__ge__")

    def __eq__(self, other: Any) -> bool:
        return self._compare(other, "__eq__")

    __hash__ = str.__hash__


__version__ = TorchVersion(f"{API_VERSION}+torchlike.jax.{package_version}")
cuda: str | None = None
hip: str | None = None
rocm: str | None = None
xpu: str | None = None
debug = False
git_version = ""
