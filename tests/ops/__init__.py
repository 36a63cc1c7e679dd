"""Per-op checks: the op-info table, what it cannot express (``*_extras``), errors, gradcheck."""
