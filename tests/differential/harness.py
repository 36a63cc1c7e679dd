"""Run one snippet against a torch-like module and turn what it saw into plain JSON.

A *snippet* is Python source that uses the name ``torch`` (bound to real PyTorch or to
``torchlike_jax``) and calls ``out(name, value)`` to record observations. ``np`` (numpy) and
``math`` are also bound. :func:`observe` executes it and returns::

    {"outs": [[name, normalised value], ...],
     "warnings": [{"category": "UserWarning", "message": "..."}, ...],
     "exception": None | {"type": "RuntimeError", "message": "..."}}

Observations recorded before an exception are kept. :func:`compare` turns two such dicts (torch's
first) into a list of human-readable mismatches, empty when they agree.

Normalised values (what ``out`` stores):

* tensor → ``{"kind": "tensor", "repr", "dtype", "shape", "requires_grad", "is_leaf",
  "grad_fn", "values"}`` (``values`` nested lists, nan/inf as the strings "nan"/"inf"/"-inf",
  complex numbers as ``{"re": .., "im": ..}``); tensor-ness is ``isinstance(v, module.Tensor)``;
* ``torch.Size`` → ``{"kind": "size", "items": [...]}``; other tuples → ``{"kind": "tuple",
  "items": [...]}``; lists → JSON lists; dicts → ``{"kind": "dict", "items": [[k, v], ...]}``;
* dtypes → ``str(dtype)``; grad_fn objects (anything with ``next_functions``) → their type name;
* bool / int / str / None as is; floats as is, non-finite ones as ``{"kind": "float", "value":
  "nan"}``; numpy arrays/scalars → ``{"kind": "ndarray"/"npscalar", "dtype", "values"}``;
* anything else → ``{"kind": "repr", "value": repr(v)}``.

Comparison rules (:func:`compare`):

* values: floats allclose (rtol 1e-5, atol 1e-6); ints, bools, strings exact; Python types must
  match exactly (``True`` is not ``1``, ``1`` is not ``1.0``);
* dtype, shape, requires_grad, is_leaf, grad_fn: exact; ``repr``: exact unless the case sets
  ``repr=False`` (passed here as ``check_repr=False``);
* warnings: the same list of categories; each of our messages contains torch's *first sentence*:
  its text up to the first ". " or newline, cut to at most 60 characters;
* exception: the same class, and our message contains torch's *key phrase*: its message up to
  the first ".", ":" or newline, cut to at most 50 characters (stripped). A case may give
  ``key`` (a string or list of strings) to use instead.

Nothing here imports torch: the caller passes the module in.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import Any

import numpy as np

RTOL = 1e-5
ATOL = 1e-6


# ---- normalisation ----------------------------------------------------------------------------
def _enc_scalar(x: Any) -> Any:
    if isinstance(x, bool):
        return x
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(x, complex):
        return {"re": _enc_scalar(x.real), "im": _enc_scalar(x.imag)}
    return x


def _enc_nested(x: Any) -> Any:
    if isinstance(x, list):
        return [_enc_nested(v) for v in x]
    return _enc_scalar(x)


def _tensor(v: Any) -> dict:
    g = v.grad_fn
    d = v.detach()
    return {
        "kind": "tensor",
        "repr": repr(v),
        "dtype": str(v.dtype),
        "shape": list(v.shape),
        "requires_grad": bool(v.requires_grad),
        "is_leaf": bool(v.is_leaf),
        "grad_fn": None if g is None else type(g).__name__,
        "values": _enc_nested(d.tolist()),
    }


def normalise(v: Any, torch_module: Any) -> Any:
    """Plain-JSON form of one observed value (see the module docstring)."""
    if isinstance(v, torch_module.Tensor):
        return _tensor(v)
    if isinstance(v, torch_module.dtype):
        return str(v)
    if v is None or isinstance(v, (bool, int, str)):
        return v
    if isinstance(v, float):
        enc = _enc_scalar(v)
        return enc if isinstance(enc, float) else {"kind": "float", "value": enc}
    if isinstance(v, complex):
        return {"kind": "complex", "value": _enc_scalar(v)}
    if isinstance(v, torch_module.Size):
        return {"kind": "size", "items": [normalise(x, torch_module) for x in v]}
    if isinstance(v, tuple):
        return {"kind": "tuple", "items": [normalise(x, torch_module) for x in v]}
    if isinstance(v, list):
        return [normalise(x, torch_module) for x in v]
    if isinstance(v, dict):
        return {"kind": "dict", "items": [[normalise(k, torch_module), normalise(x, torch_module)]
                                          for k, x in v.items()]}
    if isinstance(v, np.ndarray):
        return {"kind": "ndarray", "dtype": str(v.dtype), "values": _enc_nested(v.tolist())}
    if isinstance(v, np.generic):
        return {"kind": "npscalar", "dtype": str(v.dtype), "values": _enc_scalar(v.item())}
    if hasattr(v, "next_functions"):
        return type(v).__name__
    return {"kind": "repr", "value": repr(v)}


# ---- running a snippet ------------------------------------------------------------------------
def _grad_enabled(torch_module: Any) -> bool:
    return bool(torch_module.is_grad_enabled())


def observe(code: str, torch_module: Any) -> dict:
    """Execute ``code`` with ``torch`` = ``torch_module``; return its normalised observations."""
    outs: list = []

    def out(name: str, value: Any) -> None:
        # normalising must not add warnings of its own to the snippet's record
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append([name, normalise(value, torch_module)])

    namespace = {"torch": torch_module, "out": out, "np": np, "math": math,
                 "__name__": "__snippet__"}
    saved_dtype = torch_module.get_default_dtype()
    saved_grad = _grad_enabled(torch_module)
    torch_module.manual_seed(0)
    exception = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(code, "<snippet>", "exec"), namespace)
        except Exception as e:  # noqa: BLE001 - the exception is the observation
            exception = {"type": type(e).__name__, "message": str(e)}
        finally:
            torch_module.set_default_dtype(saved_dtype)
            torch_module.set_grad_enabled(saved_grad)
    return {
        "outs": outs,
        "warnings": [{"category": w.category.__name__, "message": str(w.message)}
                     for w in caught],
        "exception": exception,
    }


# ---- comparing --------------------------------------------------------------------------------
def key_phrase(message: str) -> str:
    """Torch's key phrase: up to the first '.', ':' or newline, at most 50 characters."""
    text = message.strip()
    cut = re.search(r"[.:\n]", text)
    phrase = text[:cut.start()] if cut and cut.start() > 0 else text
    return phrase[:50].strip()


def first_sentence(message: str) -> str:
    """A warning's first sentence: up to the first '. ' or newline, at most 60 characters."""
    text = message.strip()
    cut = re.search(r"\. |\n", text)
    sentence = text[:cut.start()] if cut else text
    return sentence[:60].strip()


def _values_equal(e: Any, a: Any, path: str, problems: list) -> None:
    if isinstance(e, list) or isinstance(a, list):
        if not (isinstance(e, list) and isinstance(a, list)) or len(e) != len(a):
            problems.append(f"{path}: expected {_short(e)}, got {_short(a)}")
            return
        for i, (x, y) in enumerate(zip(e, a, strict=True)):
            _values_equal(x, y, f"{path}[{i}]", problems)
            if len(problems) > 20:
                return
        return
    if isinstance(e, dict) or isinstance(a, dict):
        if not (isinstance(e, dict) and isinstance(a, dict)) or set(e) != set(a):
            problems.append(f"{path}: expected {_short(e)}, got {_short(a)}")
            return
        for k in e:
            _values_equal(e[k], a[k], f"{path}.{k}", problems)
        return
    if type(e) is not type(a):
        problems.append(f"{path}: expected {e!r} ({type(e).__name__}), got {a!r} "
                        f"({type(a).__name__})")
        return
    if isinstance(e, float):
        if not abs(a - e) <= ATOL + RTOL * abs(e):
            problems.append(f"{path}: expected {e!r}, got {a!r}")
        return
    if e != a:
        problems.append(f"{path}: expected {e!r}, got {a!r}")


def _short(v: Any, n: int = 200) -> str:
    s = repr(v)
    return s if len(s) <= n else s[:n] + "..."


def _compare_value(e: Any, a: Any, path: str, problems: list, check_repr: bool) -> None:
    if isinstance(e, dict) and e.get("kind") == "tensor":
        if not (isinstance(a, dict) and a.get("kind") == "tensor"):
            problems.append(f"{path}: expected a tensor, got {_short(a)}")
            return
        for field in ("dtype", "shape", "requires_grad", "is_leaf", "grad_fn"):
            if e[field] != a[field]:
                problems.append(f"{path}.{field}: expected {e[field]!r}, got {a[field]!r}")
        if e["shape"] == a["shape"]:
            _values_equal(e["values"], a["values"], f"{path}.values", problems)
        if check_repr and e["repr"] != a["repr"]:
            problems.append(f"{path}.repr: expected\n{e['repr']}\ngot\n{a['repr']}")
        return
    if isinstance(e, dict) and e.get("kind") in ("tuple", "size", "dict"):
        if not (isinstance(a, dict) and a.get("kind") == e["kind"]) or \
                len(a["items"]) != len(e["items"]):
            problems.append(f"{path}: expected {_short(e)}, got {_short(a)}")
            return
        for i, (x, y) in enumerate(zip(e["items"], a["items"], strict=True)):
            _compare_value(x, y, f"{path}[{i}]", problems, check_repr)
        return
    if isinstance(e, list):
        if not isinstance(a, list) or len(a) != len(e):
            problems.append(f"{path}: expected {_short(e)}, got {_short(a)}")
            return
        for i, (x, y) in enumerate(zip(e, a, strict=True)):
            _compare_value(x, y, f"{path}[{i}]", problems, check_repr)
        return
    _values_equal(e, a, path, problems)


def compare(expected: dict, actual: dict, *, check_repr: bool = True,
            key: str | list[str] | None = None) -> list[str]:
    """Mismatches between torch's observation ``expected`` and ours ``actual`` (see module doc)."""
    problems: list[str] = []
    e_outs, a_outs = expected["outs"], actual["outs"]
    e_names = [n for n, _ in e_outs]
    a_names = [n for n, _ in a_outs]
    if e_names != a_names:
        problems.append(f"recorded names differ: expected {e_names}, got {a_names}")
    for (name, ev), (name2, av) in zip(e_outs, a_outs, strict=False):
        if name == name2:
            _compare_value(ev, av, name, problems, check_repr)

    e_w, a_w = expected["warnings"], actual["warnings"]
    e_cats = [w["category"] for w in e_w]
    a_cats = [w["category"] for w in a_w]
    if e_cats != a_cats:
        problems.append(f"warnings differ: expected {e_w}, got {a_w}")
    else:
        for ew, aw in zip(e_w, a_w, strict=True):
            sentence = first_sentence(ew["message"])
            if sentence not in aw["message"]:
                problems.append(f"warning message: expected it to contain {sentence!r}, got "
                                f"{aw['message']!r}")

    ee, ae = expected["exception"], actual["exception"]
    if (ee is None) != (ae is None):
        problems.append(f"exception: expected {ee}, got {ae}")
    elif ee is not None:
        if ee["type"] != ae["type"]:
            problems.append(f"exception class: expected {ee['type']} ({ee['message']!r}), got "
                            f"{ae['type']} ({ae['message']!r})")
        keys = [key] if isinstance(key, str) else list(key or [key_phrase(ee["message"])])
        for k in keys:
            if k not in ae["message"]:
                problems.append(f"exception message: expected it to contain {k!r}, got "
                                f"{ae['message']!r} (torch: {ee['message']!r})")
    return problems
