"""Tensor ``repr``/``str`` text that matches PyTorch character for character.

Why this exists: the first thing most scripts do with a tensor is print it, and people compare that
output with what PyTorch prints (doctests, tutorials, logged results, answers on forums). A repr
that differs in spacing, in when it switches to scientific notation, or in where it wraps a line
makes a correct port look wrong. So this module re-implements the layout rules of PyTorch's
``torch/_tensor_str.py`` (2.x) on plain numpy arrays:

* one formatter per tensor decides, from the non-zero finite values only, whether every value is a
  whole number (``1.``), whether to use scientific notation (largest/smallest ratio above 1000,
  largest above 1e8 or smallest below 1e-4) and how wide one element is;
* tensors with more than ``threshold`` elements are summarised with ``...`` keeping ``edgeitems``
  items at each edge of every dimension, and only those items take part in the formatter;
* rows wrap at ``linewidth``; nested dimensions are separated by ``dim - 1`` blank lines;
* suffixes (``size=``, ``dtype=``, then the caller's ``grad_fn=``/``requires_grad=``) go after the
  content and move to a new line when the current line would grow past ``linewidth``.

It deliberately depends on numpy only (no torch, nothing else from this package), so it can be
tested against recorded PyTorch output without either being importable.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["format_tensor", "set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the options used to print tensors, exactly like ``torch.set_printoptions``.

    ``profile`` is one of ``"default"``, ``"short"`` or ``"full"`` and is applied first; the other
    arguments then override it. As in torch, ``sci_mode`` is always assigned (passing nothing
    resets it to ``None``, i.e. automatic choice).
    """
    if profile is not None:
        if profile == "default":
            _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = 4, 1000, 3, 80
        elif profile == "short":
            _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = 2, 1000, 2, 80
        elif profile == "full":
            _OPTS.precision, _OPTS.threshold, _OPTS.edgeitems, _OPTS.linewidth = 4, math.inf, 3, 80
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current print options as a dict that can be passed to :func:`set_printoptions`."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (same arguments as :func:`set_printoptions`)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ----------------------------------------------------------------------------------------------
# dtype classification

_COMPLEX_NAMES = {
    "torch.complex32",
    "torch.chalf",
    "torch.complex64",
    "torch.cfloat",
    "torch.complex128",
    "torch.cdouble",
}
_FLOAT_NAMES = {"torch.half", "torch.float", "torch.double", "torch.bfloat16"}


def _kind(values: np.ndarray, dtype_name: str) -> str:
    """``"complex"``, ``"float"`` or ``"other"`` (integers and bool), by torch dtype name first."""
    if dtype_name in _COMPLEX_NAMES or dtype_name.startswith("torch.complex"):
        return "complex"
    if dtype_name in _FLOAT_NAMES or dtype_name.startswith("torch.float"):
        return "float"
    if dtype_name.startswith(
        (
            "torch.int",
            "torch.uint",
            "torch.bool",
            "torch.long",
            "torch.short",
            "torch.char",
            "torch.byte",
        )
    ):
        return "other"
    # unknown name: fall back on the array itself
    if np.iscomplexobj(values):
        return "complex"
    if values.dtype.kind in "biu":
        return "other"
    return "float"


def _as_float64(values: np.ndarray) -> np.ndarray:
    """Widen any real floating array (float16, bfloat16, float32, ...) to float64 exactly."""
    if values.dtype == np.float64:
        return values
    if values.dtype.kind not in "fiub":
        # ml_dtypes types (bfloat16, float8) report kind "V"; float32 holds them exactly
        values = values.astype(np.float32)
    return values.astype(np.float64)


# ----------------------------------------------------------------------------------------------
# element formatter (torch's ``_Formatter``)


class _Formatter:
    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        precision = _OPTS.precision
        flat = values.reshape(-1)

        if not floating:
            for value in np.unique(flat).tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        with np.errstate(invalid="ignore"):
            finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        magnitudes = np.abs(finite)
        smallest = float(magnitudes.min())
        largest = float(magnitudes.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if _OPTS.sci_mode is None:
            ratio = largest / smallest if smallest != 0 else math.inf
            self.sci_mode = ratio > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTS.sci_mode

        distinct = np.unique(finite).tolist()
        if self.sci_mode:
            widths = [len(f"{v:.{precision}e}") for v in distinct]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in distinct]
        else:
            widths = [len(f"{v:.{precision}f}") for v in distinct]
        self.max_width = max(self.max_width, *widths)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{_OPTS.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    text += "."
            else:
                text = f"{value:.{_OPTS.precision}f}"
        else:
            text = f"{value}"
        return (self.max_width - len(text)) * " " + text


def _summarized(values: np.ndarray) -> np.ndarray:
    """The elements that stay visible after summarisation (torch's ``get_summarized_data``)."""
    edge = _OPTS.edgeitems
    if values.ndim == 0:
        return values.reshape(-1)
    if values.ndim == 1:
        if values.shape[0] > 2 * edge:
            # torch slices ``[-0:]`` too, which keeps the whole row when edgeitems is 0
            return np.concatenate((values[:edge], values[-edge:]))
        return values
    if not edge:
        return values.reshape(-1)[:0]
    if values.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(values.shape[0] - edge, values.shape[0]))
    else:
        rows = list(range(values.shape[0]))
    return np.concatenate([_summarized(values[i]) for i in rows])


# ----------------------------------------------------------------------------------------------
# layout


def _join_complex(real_str: str, imag_str: str) -> str:
    imag_str = (imag_str + "j").lstrip()
    if imag_str[0] in "+-":
        return real_str + imag_str
    return real_str + "+" + imag_str


class _Layout:
    def __init__(self, fmt_real: _Formatter, fmt_imag: _Formatter | None, summarize: bool) -> None:
        self.fmt_real = fmt_real
        self.fmt_imag = fmt_imag
        self.summarize = summarize

    def element(self, value: Any) -> str:
        if self.fmt_imag is None:
            return self.fmt_real.format(value)
        return _join_complex(self.fmt_real.format(value.real), self.fmt_imag.format(value.imag))

    def vector(self, row: np.ndarray, indent: int) -> str:
        element_length = self.fmt_real.width() + 2
        if self.fmt_imag is not None:
            element_length += self.fmt_imag.width() + 1
        per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))
        edge = _OPTS.edgeitems
        if self.summarize and not edge:
            data = ["..."]
        elif self.summarize and row.shape[0] > 2 * edge:
            data = (
                [self.element(v) for v in row[:edge].tolist()]
                + [" ..."]
                + [self.element(v) for v in row[-edge:].tolist()]
            )
        else:
            data = [self.element(v) for v in row.tolist()]
        lines = [", ".join(data[i : i + per_line]) for i in range(0, len(data), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"

    def tensor(self, values: np.ndarray, indent: int) -> str:
        if values.ndim == 0:
            return self.element(values.item())
        if values.ndim == 1:
            return self.vector(values, indent)
        edge = _OPTS.edgeitems
        n = values.shape[0]
        if self.summarize and n > 2 * edge:
            slices = (
                [self.tensor(values[i], indent + 1) for i in range(edge)]
                + ["..."]
                + [self.tensor(values[i], indent + 1) for i in range(n - edge, n)]
            )
        else:
            slices = [self.tensor(values[i], indent + 1) for i in range(n)]
        separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
        return "[" + separator.join(slices) + "]"


def _content(values: np.ndarray, kind: str, indent: int) -> str:
    summarize = values.size > _OPTS.threshold
    if kind == "complex":
        values = values.astype(np.complex128)
        real = values.real
        imag = values.imag
        fmt_real = _Formatter(_summarized(real) if summarize else real, True)
        fmt_imag = _Formatter(_summarized(imag) if summarize else imag, True)
        return _Layout(fmt_real, fmt_imag, summarize).tensor(values, indent)
    if kind == "float":
        values = _as_float64(values)
    formatter = _Formatter(_summarized(values) if summarize else values, kind == "float")
    return _Layout(formatter, None, summarize).tensor(values, indent)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    # torch's own arithmetic (it over-counts the last line by two characters); kept on purpose
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def format_tensor(
    values: np.ndarray, dtype_name: str, *, is_default_dtype: bool, extras: list[str]
) -> str:
    """Return PyTorch's ``repr(tensor)`` (which is also its ``str``) for the given content.

    Args:
        values: host copy of the tensor's data (bool, integer, float16/bfloat16/float32/float64
            or complex); its shape is the tensor's shape.
        dtype_name: torch's spelling of the dtype, e.g. ``"torch.float32"``.
        is_default_dtype: True when torch would print no ``dtype=`` suffix for a non-empty tensor
            (the default float dtype, the matching complex dtype, int64, bool). For an *empty*
            tensor torch only omits the suffix for the default float dtype, so int64/bool/complex
            empties still get ``dtype=...`` here, as in torch.
        extras: already-formatted trailing items such as ``"grad_fn=<MulBackward0>"`` or
            ``"requires_grad=True"``, appended in order after the dtype suffix.
    """
    values = np.asarray(values)
    kind = _kind(values, dtype_name)
    prefix = "tensor("
    indent = len(prefix)
    suffixes: list[str] = []
    shape_str = str(tuple(int(s) for s in values.shape))

    if values.size == 0:
        if values.ndim != 1:
            suffixes.append("size=" + shape_str)
        if not (is_default_dtype and kind == "float"):
            suffixes.append("dtype=" + dtype_name)
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append("size=" + shape_str)
        if not is_default_dtype:
            suffixes.append("dtype=" + dtype_name)
        body = _content(values, kind, indent)

    suffixes.extend(extras)
    return _add_suffixes(prefix + body, suffixes, indent)
