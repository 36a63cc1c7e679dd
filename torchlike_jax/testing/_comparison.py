"""``torch.testing.assert_close``: torch's pair-based comparison, computed on host numpy arrays.

The structure follows torch's ``torch/testing/_comparison.py`` so the behaviour (and every
message) is torch's: inputs are split into *pairs* (recursing through sequences and mappings),
each pair is handled by the first pair type that accepts it (``None``, booleans, Python / numpy
numbers, then tensor-likes), and the first failing pair raises. Tensor values are compared with
torch's ``isclose`` rule, ``|actual - expected| <= atol + rtol * |expected|``, evaluated in the
tensors' own dtype (numpy and ml_dtypes round per operation, like torch on CPU), so the reported
"Greatest absolute difference" carries torch's digits.

A testing tool may synchronise with the device: values are read back to the host once per pair.
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib
from collections.abc import Callable, Collection, Sequence
from typing import Any, NoReturn

import numpy as np

from .. import _dtypes
from .._creation import as_tensor
from ..core.tensor import Tensor
from ..core.tensor_access import array_of

__all__ = ["assert_close", "default_tolerances", "get_tolerances"]


class ErrorMeta(Exception):
    """Internal: a failure's exception type and message, turned into the user's error late so
    that ``msg`` can replace or wrap it and the failing item's id can be appended."""

    def __init__(self, type: type[Exception], msg: str, *, id: tuple[Any, ...] = ()) -> None:
        super().__init__("internal comparison error; raise ErrorMeta.to_error() instead")
        self.type = type
        self.msg = msg
        self.id = id

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += ("\n\nThe failure occurred for item "
                              f"{''.join(str([item]) for item in self.id)}")
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


# torch's defaults, {dtype: (rtol, atol)}; every other dtype compares exactly
_DTYPE_PRECISIONS = {
    _dtypes.float16: (0.001, 1e-5),
    _dtypes.bfloat16: (0.016, 1e-5),
    _dtypes.float32: (1.3e-6, 1e-5),
    _dtypes.float64: (1e-7, 1e-7),
    _dtypes.complex64: (1.3e-6, 1e-5),
    _dtypes.complex128: (1e-7, 1e-7),
}


def default_tolerances(*inputs: Tensor | _dtypes.dtype,
                       dtype_precisions: dict | None = None) -> tuple[float, float]:
    """The loosest (rtol, atol) of the inputs' dtypes."""
    dtypes = []
    for input in inputs:
        if isinstance(input, Tensor):
            dtypes.append(input.dtype)
        elif isinstance(input, _dtypes.dtype):
            dtypes.append(input)
        else:
            raise TypeError(f"Expected a torch.Tensor or a torch.dtype, but got {type(input)} "
                            "instead.")
    precisions = dtype_precisions or _DTYPE_PRECISIONS
    rtols, atols = zip(*[precisions.get(d, (0.0, 0.0)) for d in dtypes], strict=True)
    return max(rtols), max(atols)


def get_tolerances(*inputs: Tensor | _dtypes.dtype, rtol: float | None, atol: float | None,
                   id: tuple[Any, ...] = ()) -> tuple[float, float]:
    """Both tolerances given: use them; neither: the dtype defaults; one: torch's ValueError."""
    if (rtol is None) ^ (atol is None):
        raise ErrorMeta(ValueError,
                        "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                        f"{'rtol' if rtol is None else 'atol'}.", id=id)
    if rtol is not None and atol is not None:
        return rtol, atol
    return default_tolerances(*inputs)


def _make_mismatch_msg(*, default_identifier: str, identifier: str | Callable | None = None,
                       extra: str | None = None, abs_diff: float,
                       abs_diff_idx: tuple | None = None, atol: float, rel_diff: float,
                       rel_diff_idx: tuple | None = None, rtol: float) -> str:
    equality = rtol == 0 and atol == 0

    def diff_msg(kind: str, diff: float, idx: tuple | None, tol: float) -> str:
        if idx is None:
            msg = f"{kind.title()} difference: {diff}"
        else:
            msg = f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            msg += f" (up to {tol} allowed)"
        return msg + "\n"

    if identifier is None:
        identifier = default_identifier
    elif callable(identifier):
        identifier = identifier(default_identifier)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_diff_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_diff_idx, rtol)
    return msg.strip()


def make_scalar_mismatch_msg(actual: Any, expected: Any, *, rtol: float, atol: float,
                             identifier: str | Callable | None = None) -> str:
    """torch's report for two scalars (Python numbers, or 0-dim tensors' ``item()``)."""
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _make_mismatch_msg(default_identifier="Scalars", identifier=identifier,
                              extra=f"Expected {expected} but got {actual}.", abs_diff=abs_diff,
                              atol=atol, rel_diff=rel_diff, rtol=rtol)


def _is_float(a: np.ndarray) -> bool:
    return a.dtype.kind == "f" or a.dtype == _dtypes.bfloat16.np


def _py_scalar(x: Any) -> Any:
    """A numpy scalar as the Python number torch's ``.item()`` gives (bfloat16 → float)."""
    if isinstance(x, np.generic) and x.dtype == _dtypes.bfloat16.np:
        return float(x)
    return x.item() if isinstance(x, np.generic) else x


def _argmax_first(a: np.ndarray) -> int:
    """torch.max(a, 0)'s index: the first NaN if there is one, else the first maximum."""
    nan = np.isnan(a) if a.dtype.kind != "i" else None
    if nan is not None and nan.any():
        return int(np.argmax(nan))
    return int(np.argmax(a))


def make_tensor_mismatch_msg(actual: np.ndarray, expected: np.ndarray, matches: np.ndarray, *,
                             rtol: float, atol: float,
                             identifier: str | Callable | None = None) -> str:
    """torch's report: mismatch count, then the greatest differences among the mismatches,
    computed in the tensors' dtype (integers in int64, their relative difference in the default
    float dtype, as torch's true division gives)."""
    shape = matches.shape

    def unravel(flat: int) -> tuple[int, ...]:
        return tuple(int(i) for i in np.unravel_index(flat, shape)) if shape else ()

    n = matches.size
    mismatches = n - int(matches.sum())
    extra = f"Mismatched elements: {mismatches} / {n} ({mismatches / n:.1%})"
    a = actual.reshape(-1)
    e = expected.reshape(-1)
    m = matches.reshape(-1)
    integral = not _is_float(a) and a.dtype.kind != "c"
    if integral:
        a = a.astype(np.int64)
        e = e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[m] = 0
        abs_idx = _argmax_first(abs_diff)
        if integral:
            f = _dtypes.get_default_dtype().np
            rel_diff = abs_diff.astype(f) / np.abs(e).astype(f)
        else:
            rel_diff = abs_diff / np.abs(e)
        rel_diff[m] = 0
        rel_idx = _argmax_first(rel_diff)
    return _make_mismatch_msg(default_identifier="Tensor-likes", identifier=identifier,
                              extra=extra, abs_diff=_py_scalar(abs_diff[abs_idx]),
                              abs_diff_idx=unravel(abs_idx), atol=atol,
                              rel_diff=_py_scalar(rel_diff[rel_idx]),
                              rel_diff_idx=unravel(rel_idx), rtol=rtol)


def isclose(actual: np.ndarray, expected: np.ndarray, rtol: float, atol: float,
            equal_nan: bool) -> np.ndarray:
    """torch.isclose on two host arrays of one dtype, step by step as ATen computes it."""
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    with np.errstate(all="ignore"):
        close = actual == expected
        inexact = _is_float(actual) or actual.dtype.kind == "c"
        if equal_nan and inexact:
            close = close | (np.isnan(actual) & np.isnan(expected))
        if rtol == 0 and atol == 0:
            return close
        a, e = actual, expected
        if not inexact:  # ATen: bool → default float; integer * rtol → default float
            f = _dtypes.get_default_dtype().np
            if a.dtype == np.bool_:
                a, e = a.astype(f), e.astype(f)
            allowed = (atol + np.abs(rtol * e.astype(f))).astype(f)
            diff = np.abs(a - e)  # in the integer dtype, wrapping like torch's
            return close | (diff.astype(f) <= allowed)
        allowed = atol + np.abs(rtol * e)
        diff = np.abs(a - e)
        return close | (np.isfinite(diff) & (diff <= allowed))


class UnsupportedInputs(Exception):
    """Raised while constructing a pair that cannot handle the inputs: try the next pair type."""


class Pair:
    """Two corresponding inputs plus the options; ``compare()`` raises ErrorMeta on mismatch."""

    def __init__(self, actual: Any, expected: Any, *, id: tuple[Any, ...] = (),
                 **unknown_parameters: Any) -> None:
        self.actual = actual
        self.expected = expected
        self.id = id
        self._unknown_parameters = unknown_parameters

    @staticmethod
    def _inputs_not_supported() -> NoReturn:
        raise UnsupportedInputs

    @staticmethod
    def _check_inputs_isinstance(*inputs: Any, cls: type | tuple[type, ...]) -> None:
        if not all(isinstance(input, cls) for input in inputs):
            Pair._inputs_not_supported()

    def _fail(self, type: type[Exception], msg: str, *, id: tuple[Any, ...] = ()) -> NoReturn:
        raise ErrorMeta(type, msg, id=self.id if not id and hasattr(self, "id") else id)

    def compare(self) -> None:
        raise NotImplementedError

    def extra_repr(self) -> Sequence[str]:
        return []

    def __repr__(self) -> str:
        body = [f"    {name}={value!s}," for name, value in [
            ("id", self.id), ("actual", self.actual), ("expected", self.expected),
            *[(extra, getattr(self, extra)) for extra in self.extra_repr()]]]
        return "\n".join((f"{type(self).__name__}(", *body, ")"))


class NonePair(Pair):
    def __init__(self, actual: Any, expected: Any, **other_parameters: Any) -> None:
        if not (actual is None or expected is None):
            self._inputs_not_supported()
        super().__init__(actual, expected, **other_parameters)

    def compare(self) -> None:
        if not (self.actual is None and self.expected is None):
            self._fail(AssertionError, f"None mismatch: {self.actual} is not {self.expected}")


class BooleanPair(Pair):
    """``bool`` and ``numpy.bool_``: identity of the two truth values."""

    def __init__(self, actual: Any, expected: Any, *, id: tuple[Any, ...],
                 **other_parameters: Any) -> None:
        self._check_inputs_isinstance(actual, expected, cls=(bool, np.bool_))
        actual, expected = (bool(x) for x in (actual, expected))
        super().__init__(actual, expected, **other_parameters)

    def compare(self) -> None:
        if self.actual is not self.expected:
            self._fail(AssertionError, f"Booleans mismatch: {self.actual} is not {self.expected}")


class NumberPair(Pair):
    """Python ``int`` / ``float`` / ``complex`` and numpy numbers, with the tolerances of
    int64 / float64 / complex128."""

    _TYPE_TO_DTYPE = {int: _dtypes.int64, float: _dtypes.float64, complex: _dtypes.complex128}
    _NUMBER_TYPES = tuple(_TYPE_TO_DTYPE.keys())

    def __init__(self, actual: Any, expected: Any, *, id: tuple[Any, ...] = (),
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_dtype: bool = False, **other_parameters: Any) -> None:
        self._check_inputs_isinstance(actual, expected, cls=(*self._NUMBER_TYPES, np.number))
        actual, expected = (x.item() if isinstance(x, np.number) else x
                            for x in (actual, expected))
        super().__init__(actual, expected, id=id, **other_parameters)
        self.rtol, self.atol = get_tolerances(
            *[self._TYPE_TO_DTYPE[type(x)] for x in (actual, expected)], rtol=rtol, atol=atol,
            id=id)
        self.equal_nan = equal_nan
        self.check_dtype = check_dtype

    def compare(self) -> None:
        if self.check_dtype and type(self.actual) is not type(self.expected):
            self._fail(AssertionError, f"The (d)types do not match: {type(self.actual)} != "
                                       f"{type(self.expected)}.")
        if self.actual == self.expected:
            return
        if self.equal_nan and cmath.isnan(self.actual) and cmath.isnan(self.expected):
            return
        abs_diff = abs(self.actual - self.expected)
        tolerance = self.atol + self.rtol * abs(self.expected)
        if cmath.isfinite(abs_diff) and abs_diff <= tolerance:
            return
        self._fail(AssertionError, make_scalar_mismatch_msg(self.actual, self.expected,
                                                            rtol=self.rtol, atol=self.atol))

    def extra_repr(self) -> Sequence[str]:
        return ("rtol", "atol", "equal_nan", "check_dtype")


class TensorLikePair(Pair):
    """Tensors, or two inputs of directly related types that ``torch.as_tensor`` accepts
    (numpy arrays...). Checks shape, device and dtype, then the values."""

    def __init__(self, actual: Any, expected: Any, *, id: tuple[Any, ...] = (),
                 allow_subclasses: bool = True, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_device: bool = True,
                 check_dtype: bool = True, check_layout: bool = True, check_stride: bool = False,
                 **other_parameters: Any) -> None:
        related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
        if not related or (not allow_subclasses and type(actual) is not type(expected)):
            self._inputs_not_supported()
        actual, expected = (self._to_tensor(x) for x in (actual, expected))
        super().__init__(actual, expected, id=id, **other_parameters)
        self.rtol, self.atol = get_tolerances(actual, expected, rtol=rtol, atol=atol, id=self.id)
        self.equal_nan = equal_nan
        self.check_device = check_device
        self.check_dtype = check_dtype
        self.check_layout = check_layout  # every tensor is strided: nothing to check
        self.check_stride = check_stride  # arrays have no strides: equal shapes, equal strides

    def _to_tensor(self, tensor_like: Any) -> Tensor:
        if isinstance(tensor_like, Tensor):
            return tensor_like
        try:
            return as_tensor(tensor_like)
        except Exception:
            self._inputs_not_supported()

    def compare(self) -> None:
        actual, expected = self.actual, self.expected
        self._compare_attributes(actual, expected)
        a, e = self._equalize_attributes(actual, expected)
        self._compare_values(a, e)

    def _compare_attributes(self, actual: Tensor, expected: Tensor) -> None:
        def mismatch(name: str, a: Any, e: Any) -> NoReturn:
            self._fail(AssertionError,
                       f"The values for attribute '{name}' do not match: {a} != {e}.")

        if actual.shape != expected.shape:
            mismatch("shape", actual.shape, expected.shape)
        if self.check_device and actual.device != expected.device:
            mismatch("device", actual.device, expected.device)
        if self.check_dtype and actual.dtype is not expected.dtype:
            mismatch("dtype", actual.dtype, expected.dtype)

    @staticmethod
    def _equalize_attributes(actual: Tensor, expected: Tensor) -> tuple[np.ndarray, np.ndarray]:
        """Host arrays of both, promoted to a common dtype when the dtypes differ."""
        a = np.asarray(array_of(actual))
        e = np.asarray(array_of(expected))
        if actual.dtype is not expected.dtype:
            common = _dtypes.promote_types(actual.dtype, expected.dtype).np
            a, e = a.astype(common), e.astype(common)
        return a, e

    def _compare_values(self, actual: np.ndarray, expected: np.ndarray) -> None:
        matches = isclose(actual, expected, self.rtol, self.atol, self.equal_nan)
        if bool(np.all(matches)):
            return
        if actual.shape == ():
            msg = make_scalar_mismatch_msg(_py_scalar(actual[()]), _py_scalar(expected[()]),
                                           rtol=self.rtol, atol=self.atol)
        else:
            msg = make_tensor_mismatch_msg(actual, expected, matches, rtol=self.rtol,
                                           atol=self.atol)
        self._fail(AssertionError, msg)

    def extra_repr(self) -> Sequence[str]:
        return ("rtol", "atol", "equal_nan", "check_device", "check_dtype", "check_layout",
                "check_stride")


_UNEXPECTED = ("If you are a user and see this message during normal operation please file an "
               "issue at https://github.com/pytorch/pytorch/issues. If you are a developer and "
               "working on the comparison functions, please except the previous error and raise "
               "an expressive `ErrorMeta` instead.")


def originate_pairs(actual: Any, expected: Any, *, pair_types: Sequence[type[Pair]],
                    sequence_types: tuple[type, ...] = (collections.abc.Sequence,),
                    mapping_types: tuple[type, ...] = (collections.abc.Mapping,),
                    id: tuple[Any, ...] = (), **options: Any) -> list[Pair]:
    """Pairs from the inputs, recursing through sequences (not strings) and mappings."""
    if (isinstance(actual, sequence_types) and not isinstance(actual, str)
            and isinstance(expected, sequence_types) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise ErrorMeta(AssertionError, f"The length of the sequences mismatch: "
                                            f"{len(actual)} != {len(expected)}", id=id)
        pairs = []
        for idx in range(len(actual)):
            pairs.extend(originate_pairs(actual[idx], expected[idx], pair_types=pair_types,
                                         sequence_types=sequence_types,
                                         mapping_types=mapping_types, id=(*id, idx), **options))
        return pairs
    if isinstance(actual, mapping_types) and isinstance(expected, mapping_types):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            missing = expected_keys - actual_keys
            additional = actual_keys - expected_keys
            raise ErrorMeta(AssertionError,
                            "The keys of the mappings do not match:\n"
                            f"Missing keys in the actual mapping: {sorted(missing)}\n"
                            f"Additional keys in the actual mapping: {sorted(additional)}", id=id)
        keys: Collection = actual_keys
        with contextlib.suppress(Exception):  # deterministic order where keys sort
            keys = sorted(keys)
        pairs = []
        for key in keys:
            pairs.extend(originate_pairs(actual[key], expected[key], pair_types=pair_types,
                                         sequence_types=sequence_types,
                                         mapping_types=mapping_types, id=(*id, key), **options))
        return pairs
    for pair_type in pair_types:
        try:
            return [pair_type(actual, expected, id=id, **options)]
        except UnsupportedInputs:
            continue
        except ErrorMeta:
            raise
        except Exception as error:
            raise RuntimeError(
                f"Originating a {pair_type.__name__}() at item "
                f"{''.join(str([item]) for item in id)} with\n\n"
                f"{type(actual).__name__}(): {actual}\n\nand\n\n"
                f"{type(expected).__name__}(): {expected}\n\n"
                f"resulted in the unexpected exception above. {_UNEXPECTED}") from error
    raise ErrorMeta(TypeError, f"No comparison pair was able to handle inputs of type "
                               f"{type(actual)} and {type(expected)}.", id=id)


def not_close_error_metas(actual: Any, expected: Any, *,
                          pair_types: Sequence[type[Pair]] = (NonePair, BooleanPair, NumberPair,
                                                              TensorLikePair),
                          **options: Any) -> list[ErrorMeta]:
    """Every failing pair's ErrorMeta; errors while building pairs are raised at once."""
    __tracebackhide__ = True
    try:
        pairs = originate_pairs(actual, expected, pair_types=pair_types, **options)
    except ErrorMeta as error_meta:
        raise error_meta.to_error() from None
    metas: list[ErrorMeta] = []
    for pair in pairs:
        try:
            pair.compare()
        except ErrorMeta as error_meta:
            metas.append(error_meta)
        except Exception as error:
            raise RuntimeError(f"Comparing\n\n{pair}\n\nresulted in the unexpected exception "
                               f"above. {_UNEXPECTED}") from error
    return metas


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None, equal_nan: bool = False,
                 check_device: bool = True, check_dtype: bool = True, check_layout: bool = True,
                 check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Assert that ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``.

    Tensors (and numpy arrays, Python and numpy scalars, ``None``, and sequences / mappings of
    them) match when shapes, devices and dtypes agree and every value satisfies
    ``|actual - expected| <= atol + rtol * |expected|`` (non-finite values only when equal,
    NaN only with ``equal_nan``). Default tolerances by dtype: float16 1e-3/1e-5, bfloat16
    1.6e-2/1e-5, float32 and complex64 1.3e-6/1e-5, float64 and complex128 1e-7/1e-7, others
    exact; mixed dtypes (``check_dtype=False``) use the looser. ``msg`` replaces the report, or
    is called with it. Raises AssertionError with torch's report on mismatch, ValueError when
    only one of ``rtol`` / ``atol`` is given, TypeError for inputs no pair type handles.
    """
    __tracebackhide__ = True
    metas = not_close_error_metas(actual, expected, allow_subclasses=allow_subclasses,
                                  rtol=rtol, atol=atol, equal_nan=equal_nan,
                                  check_device=check_device, check_dtype=check_dtype,
                                  check_layout=check_layout, check_stride=check_stride, msg=msg)
    if metas:
        raise metas[0].to_error(msg)
