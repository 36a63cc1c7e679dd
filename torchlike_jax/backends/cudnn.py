"""``torch.backends.cudnn``: the flags scripts set (``benchmark``, ``deterministic``...).

XLA chooses GPU kernels itself, so the flags are recorded (read back as set) and steer
nothing; ``is_available()`` says there is no cuDNN build, as torch on a CPU machine does.
"""

from __future__ import annotations

enabled: bool = True
benchmark: bool = False
benchmark_limit: int = 10
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    return False


def version() -> int | None:
    return None
