"""``torch.backends.cuda``: the matmul precision flags scripts set.

The flags are recorded (read back as set); they do not change XLA's GPU precision.
"""

from __future__ import annotations


class _MatmulFlags:
    """``torch.backends.cuda.matmul``: settable attributes with torch's defaults."""

    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    return False
