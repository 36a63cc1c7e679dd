"""The op-info table: every public op, its sample inputs, and how to check it against torch.

An :class:`OpInfo` names one public call (``torch.sin``, ``Tensor.sin_``, ``F.relu``,
``linalg.inv``) and gives ``fn(t, *args, **kwargs)``, torch code written against a module ``t``
that is real PyTorch when the recorder runs and ``torchlike_jax`` when the tests run. Its
:class:`Sample` s list the arguments: :class:`T` specs become tensors built from the same seeded
numpy values in both libraries; anything else is passed as is.

Each (op, sample, dtype) is a *case*. :func:`observe` runs a case and returns plain JSON:
the forward outputs (shape, dtype, values), the ``grad_fn`` name of every differentiable output,
and the vector-Jacobian product for seeded cotangents (``autograd.grad`` of all differentiable
outputs w.r.t. all float inputs), or the exception raised. ``tools/record_opinfo_fixtures.py``
stores torch's observations in ``tests/fixtures/opinfo/<area>.json``; ``tests/ops/test_opinfo.py``
compares ours with :func:`compare`. Nothing here imports torch.

Area modules (``tests/opinfo/<area>.py``) each define ``OPS: list[OpInfo]``.

Keep samples small (≤ 24 elements per tensor): every distinct shape/dtype compiles once.
Only the FIRST sample of an op runs in every dtype of ``OpInfo.dtypes``; the others run in
``Sample.dtypes`` (default: float32 only, or the op's first dtype when float32 is not in it).
"""

from __future__ import annotations

import hashlib
import importlib
import math
import pkgutil
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

FLOATS = ("float32", "float64", "float16", "bfloat16")
INTS = ("int64", "int32", "int8", "uint8")
ALL = FLOATS + INTS + ("bool",)
GRAD_DTYPES = ("float32", "float64", "float16", "bfloat16")

# (rtol, atol) per dtype: forward and vjp. JAX and torch use different kernels (summation order,
# transcendental approximations), so these are a little looser than assert_close's defaults.
TOLERANCES = {
    "float64": (1e-7, 1e-7),
    "float32": (1e-5, 1e-5),
    "float16": (2e-3, 2e-3),
    "bfloat16": (1.6e-2, 1.6e-2),
    "complex64": (1e-5, 1e-5),
    "complex128": (1e-7, 1e-7),
}


@dataclass(frozen=True)
class T:
    """A tensor argument: ``shape`` filled with seeded values.

    kind: "uniform" (floats in [low, high]), "int" (integers in [low, high)), "bool",
    "index" (int64 in [0, high)), or "values" (``values`` given literally, cast to ``dtype``).
    ``dtype`` None means the case's dtype. ``grad`` None means: requires grad when the case is
    differentiable and the dtype is floating. ``transposed``: built transposed, then ``.mT``
    (a non-contiguous-style input), shape is the final shape.
    """

    shape: tuple = ()
    dtype: str | None = None
    low: float = -2.0
    high: float = 2.0
    kind: str = "uniform"
    values: Any = None
    grad: bool | None = None
    transposed: bool = False

    def array(self, seed: int, dtype: str) -> np.ndarray:
        rng = np.random.default_rng(seed)
        if self.kind == "values":
            return np.asarray(self.values)
        shape = tuple(self.shape)
        if self.transposed and len(shape) >= 2:
            shape = shape[:-2] + (shape[-1], shape[-2])
        if self.kind == "bool" or dtype == "bool":
            return rng.random(shape) < 0.5
        if self.kind == "index":
            return rng.integers(0, int(self.high), shape).astype(np.int64)
        if self.kind == "int" or dtype in INTS:
            lo, hi = int(self.low), int(self.high)
            if hi <= lo:  # a float domain with no integer inside: widen it to one
                lo = math.floor(self.low)
                hi = max(math.ceil(self.high), lo + 1)
            if dtype == "uint8":
                lo = max(lo, 0)
                hi = max(hi, lo + 1)
            return rng.integers(lo, hi, shape).astype(np.int64)
        return rng.uniform(self.low, self.high, shape)


@dataclass(frozen=True)
class Sample:
    """One call: positional ``args`` and ``kwargs`` (T specs anywhere, also inside lists).

    ``dtypes``: the dtypes this sample runs in (see the module docstring for the default).
    ``error``: torch raises on this call; the test checks the class and key phrase.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    dtypes: tuple | None = None
    error: bool = False
    label: str = ""

    def __repr__(self) -> str:  # stable: part of the fixture's spec hash
        kw = ", ".join(f"{k}={v!r}" for k, v in sorted(self.kwargs.items()))
        return f"Sample({self.args!r}, {{{kw}}}, {self.dtypes!r}, {self.error!r}, {self.label!r})"


@dataclass
class OpInfo:
    """One public op. ``name`` is the call as a user writes it (the table's key).

    grad: the op is differentiable (vjps are recorded and compared; gradcheck runs).
    gradcheck: run the float64 finite-difference check on the first sample (when grad).
    check_values: False for random ops (only dtypes, shapes and grad_fn names are compared).
    check_grad_fn: compare the grad_fn names of the outputs with torch's.
    tol: per-dtype (rtol, atol) overrides for forward and vjp values.
    notes: what is knowingly different from torch (shown in docs/op_support.md).
    """

    name: str
    fn: Callable
    samples: list
    dtypes: tuple = FLOATS
    grad: bool = True
    gradcheck: bool = True
    check_values: bool = True
    check_grad_fn: bool = True
    tol: dict = field(default_factory=dict)
    notes: str = ""
    area: str = ""

    @property
    def inplace(self) -> bool:
        return self.name.endswith("_") and not self.name.endswith("__")


def inplace_of(op_name: str, method: str, samples: list, **kw: Any) -> OpInfo:
    """``Tensor.<method>`` run on a clone of the first argument (so leaves stay leaves)."""

    def fn(t, x, *args, **kwargs):
        return getattr(x.clone(), method)(*args, **kwargs)

    return OpInfo(op_name, fn, samples, **kw)


def load_ops() -> list[OpInfo]:
    """Every OpInfo of every area module, in a stable order; names must be unique."""
    ops: list[OpInfo] = []
    seen: set[str] = set()
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        for op in getattr(mod, "OPS", ()):
            op.area = info.name
            if op.name in seen:
                raise ValueError(f"duplicate OpInfo {op.name!r}")
            seen.add(op.name)
            ops.append(op)
    return ops


# ---- cases ------------------------------------------------------------------------------------
def sample_dtypes(op: OpInfo, index: int) -> tuple:
    s = op.samples[index]
    if s.dtypes is not None:
        return s.dtypes
    if index == 0:
        return op.dtypes
    return ("float32",) if "float32" in op.dtypes else op.dtypes[:1]


def cases(ops: list[OpInfo]) -> list[tuple[OpInfo, int, str]]:
    return [(op, i, dt) for op in ops for i in range(len(op.samples))
            for dt in sample_dtypes(op, i)]


def case_id(op: OpInfo, index: int, dtype: str) -> str:
    return f"{op.name}[{index}-{dtype}]"


def spec_hash(op: OpInfo, index: int, dtype: str) -> str:
    """Changes when the op's name, sample or dtype changes (the fixture must be re-recorded)."""
    text = f"{op.name}|{op.samples[index]!r}|{dtype}|{op.grad}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _seed(*parts: Any) -> int:
    return zlib.crc32("|".join(map(str, parts)).encode())


def _is_float(dtype: str) -> bool:
    return dtype.startswith(("float", "bfloat", "complex"))


def build(t: Any, op: OpInfo, index: int, dtype: str) -> tuple[tuple, dict, list]:
    """The sample's (args, kwargs, tensors that require grad), as ``t``'s tensors."""
    grads: list = []
    counter = [0]

    def make(v: Any) -> Any:
        if isinstance(v, T):
            k = counter[0]
            counter[0] += 1
            dt = v.dtype or dtype
            if v.kind == "index":
                dt = v.dtype or "int64"
            arr = v.array(_seed(op.name, index, k), dt)
            x = t.tensor(arr.tolist() if arr.ndim else arr.item(),
                         dtype=t.float64 if arr.dtype.kind == "f" else None)
            if arr.size == 0:
                x = x.reshape(arr.shape)  # tolist() of a (0, 3) array is just []
            x = x.to(getattr(t, dt))
            if v.transposed and x.ndim >= 2:
                x = x.mT
            want = v.grad if v.grad is not None else (op.grad and _is_float(dt))
            if want and _is_float(dt):
                x = x.detach().requires_grad_(True)
                grads.append(x)
            return x
        if isinstance(v, list):
            return [make(u) for u in v]
        if isinstance(v, tuple):
            return tuple(make(u) for u in v)
        return v

    s = op.samples[index]
    args = make(s.args)
    kwargs = {k: make(v) for k, v in sorted(s.kwargs.items())}
    return args, kwargs, grads


# ---- observation ------------------------------------------------------------------------------
def _enc(x: Any) -> Any:
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
    if isinstance(x, complex):
        return {"re": _enc(x.real), "im": _enc(x.imag)}
    return x


def _values(t: Any, x: Any) -> Any:
    d = x.detach()
    if getattr(d, "_is_zerotensor", lambda: False)():  # torch's unallocated zero gradients
        d = t.zeros(d.shape, dtype=d.dtype)
    if d.dtype in (t.bfloat16, t.float16):
        d = d.to(t.float32)
    v = d.tolist()

    def walk(u):
        return [walk(w) for w in u] if isinstance(u, list) else _enc(u)

    return walk(v)


def _dtype_name(t: Any, d: Any) -> str:
    return str(d).replace("torch.", "")


def encode(t: Any, out: Any) -> Any:
    """Plain JSON for an op's output (tensors, tuples, lists, scalars, Size, None)."""
    if isinstance(out, t.Tensor):
        return {"shape": list(out.shape), "dtype": _dtype_name(t, out.dtype),
                "values": _values(t, out)}
    if isinstance(out, (tuple, list)):
        return {"seq": [encode(t, o) for o in out], "type": type(out).__name__
                if type(out).__name__ in ("tuple", "list", "Size") else "tuple"}
    if isinstance(out, (bool, int, float, complex)) or out is None:
        return {"py": _enc(out), "type": type(out).__name__}
    if hasattr(t, "dtype") and isinstance(out, t.dtype):
        return {"py": _dtype_name(t, out), "type": "dtype"}
    return {"py": repr(out), "type": type(out).__name__}


def _leaves(t: Any, out: Any) -> list:
    if isinstance(out, t.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [x for o in out for x in _leaves(t, o)]
    return []


def observe(t: Any, op: OpInfo, index: int, dtype: str) -> dict:
    """Run one case on module ``t``: forward, grad_fn names and vjp, or the exception."""
    args, kwargs, grads = build(t, op, index, dtype)
    try:
        out = op.fn(t, *args, **kwargs)
    except Exception as e:  # noqa: BLE001 - the class is what we record
        return {"error": {"type": type(e).__name__, "message": str(e).split("\n")[0][:300]}}
    obs: dict = {"forward": encode(t, out)}
    diff = [o for o in _leaves(t, out)
            if o.dtype.is_floating_point or o.dtype.is_complex]
    obs["grad_fn"] = [type(o.grad_fn).__name__ if o.grad_fn is not None else None
                      for o in diff]
    live = [o for o in diff if o.requires_grad]
    if op.grad and grads and live:
        cots = []
        for k, o in enumerate(live):
            rng = np.random.default_rng(_seed(op.name, index, "cot", k))
            c = rng.uniform(-1, 1, tuple(o.shape))
            cots.append(t.tensor(c.tolist() if c.ndim else c.item(),
                                 dtype=t.float64).to(o.dtype))
        try:
            gs = t.autograd.grad(live, grads, cots, allow_unused=True)
        except Exception as e:  # noqa: BLE001
            obs["vjp_error"] = {"type": type(e).__name__, "message": str(e).split("\n")[0][:300]}
        else:
            obs["vjp"] = [None if g is None else encode(t, g) for g in gs]
    return obs


def observe_quietly(t: Any, op: OpInfo, index: int, dtype: str) -> dict:
    """:func:`observe` with warnings silenced and a failure to even build the case recorded as
    its error (what the test, the recorder's ``--compare`` and the support table all run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return observe(t, op, index, dtype)
        except Exception as e:  # noqa: BLE001 - reported as the case's outcome
            return {"error": {"type": type(e).__name__, "message": str(e)}}


def gradcheck_case(t: Any, op: OpInfo) -> Callable[[], bool] | None:
    """The float64 finite-difference check of ``op``'s first runnable sample, as a callable that
    runs ``t.autograd.gradcheck`` (raising on failure, as gradcheck does); None when the op has
    nothing to check (not differentiable, no runnable sample, no floating input)."""
    index = next((i for i, s in enumerate(op.samples) if not s.error), None)
    if not (op.grad and op.gradcheck) or index is None:
        return None
    args, kwargs, grads = build(t, op, index, "float64")
    if not grads:
        return None

    def fn(*inputs):
        out = op.fn(t, *args, **kwargs)
        return tuple(o for o in _leaves(t, out) if o.dtype.is_floating_point and o.requires_grad)

    return lambda: t.autograd.gradcheck(fn, tuple(grads), eps=1e-6, atol=1e-5, rtol=1e-3)


# ---- comparison -------------------------------------------------------------------------------
def _dec(v: Any) -> Any:
    if isinstance(v, list):
        return [_dec(u) for u in v]
    if isinstance(v, dict):
        return complex(_dec(v["re"]), _dec(v["im"]))
    if v == "nan":
        return math.nan
    if v == "inf":
        return math.inf
    if v == "-inf":
        return -math.inf
    return v


def _close(exp: Any, got: Any, dtype: str, tol: dict) -> str | None:
    a = np.asarray(_dec(exp))
    b = np.asarray(_dec(got))
    if a.shape != b.shape:
        return f"value shapes {a.shape} vs {b.shape}"
    if dtype in ("bool",) or dtype.startswith(("int", "uint")):
        if not np.array_equal(a, b):
            return f"values differ: expected {a.tolist()} got {b.tolist()}"
        return None
    rtol, atol = tol.get(dtype, TOLERANCES.get(dtype, (1e-5, 1e-5)))
    if not np.allclose(b.astype(complex), a.astype(complex), rtol=rtol, atol=atol,
                       equal_nan=True):
        with np.errstate(invalid="ignore"):
            err = np.nanmax(np.abs(a.astype(complex) - b.astype(complex))) if a.size else 0
        return f"values differ (max abs err {err:.3g}, rtol {rtol}, atol {atol})"
    return None


def _cmp(exp: Any, got: Any, path: str, op: OpInfo, values: bool) -> list[str]:
    if "shape" in exp:
        if "shape" not in got:
            return [f"{path}: expected a tensor, got {got}"]
        bad = []
        if exp["shape"] != got["shape"]:
            bad.append(f"{path}: shape {got['shape']} != torch's {exp['shape']}")
        if exp["dtype"] != got["dtype"]:
            bad.append(f"{path}: dtype {got['dtype']} != torch's {exp['dtype']}")
        if not bad and values:
            msg = _close(exp["values"], got["values"], exp["dtype"], op.tol)
            if msg:
                bad.append(f"{path}: {msg}")
        return bad
    if "seq" in exp:
        if "seq" not in got or len(got["seq"]) != len(exp["seq"]):
            return [f"{path}: expected a sequence of {len(exp['seq'])}, got {got}"]
        return [m for i, (e, g) in enumerate(zip(exp["seq"], got["seq"], strict=True))
                for m in _cmp(e, g, f"{path}[{i}]", op, values)]
    if "py" in exp:
        if got.get("type") != exp["type"]:
            return [f"{path}: type {got.get('type')} != torch's {exp['type']}"]
        e, g = _dec(exp["py"]), _dec(got["py"])
        if isinstance(e, float) and isinstance(g, float):
            if not (math.isclose(e, g, rel_tol=1e-6, abs_tol=1e-6) or (e != e and g != g)):
                return [f"{path}: {g} != torch's {e}"] if values else []
        elif e != g and values:
            return [f"{path}: {g!r} != torch's {e!r}"]
        return []
    return [f"{path}: unknown encoding {exp}"]


def key_phrase(message: str) -> str:
    """torch's message up to the first '.', ':' or newline, at most 50 characters."""
    cut = len(message)
    for ch in (".", ":", "\n"):
        i = message.find(ch)
        if i != -1:
            cut = min(cut, i)
    return message[:min(cut, 50)].strip()


def compare(exp: dict, got: dict, op: OpInfo) -> list[str]:
    """Mismatches between torch's observation ``exp`` and ours ``got`` (empty: they agree)."""
    if "error" in exp:
        if "error" not in got:
            return [f"torch raised {exp['error']['type']}: {exp['error']['message']!r}; "
                    f"we returned"]
        e, g = exp["error"], got["error"]
        bad = []
        if e["type"] != g["type"]:
            bad.append(f"raised {g['type']} ({g['message']!r}), torch raised {e['type']} "
                       f"({e['message']!r})")
        elif key_phrase(e["message"]) not in g["message"]:
            bad.append(f"message {g['message']!r} lacks torch's key phrase "
                       f"{key_phrase(e['message'])!r}")
        return bad
    if "error" in got:
        return [f"raised {got['error']['type']}: {got['error']['message']}"]
    bad = _cmp(exp["forward"], got["forward"], "out", op, op.check_values)
    if op.check_grad_fn and exp.get("grad_fn") != got.get("grad_fn"):
        bad.append(f"grad_fn {got.get('grad_fn')} != torch's {exp.get('grad_fn')}")
    if "vjp" in exp:
        if "vjp" not in got:
            bad.append(f"no vjp: {got.get('vjp_error')}")
        else:
            if len(exp["vjp"]) != len(got["vjp"]):
                bad.append(f"{len(got['vjp'])} input gradients, torch has {len(exp['vjp'])}")
            for i, (e, g) in enumerate(zip(exp["vjp"], got["vjp"], strict=False)):
                if (e is None) != (g is None):
                    bad.append(f"vjp[{i}]: {g} vs torch's {e}")
                elif e is not None:
                    bad.extend(_cmp(e, g, f"vjp[{i}]", op, op.check_values))
    elif "vjp" in got and exp.get("vjp_error") is None and op.grad:
        pass  # torch had no differentiable output here; extra capability is not a mismatch
    return bad
