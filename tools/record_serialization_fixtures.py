"""Record checkpoint files written by real PyTorch, for tests/unit/test_serialization.py.

Run with torch installed: ``python tools/record_serialization_fixtures.py``. It writes small
``.pt`` files into tests/fixtures/serialization/ (every common dtype, views sharing a storage,
a module state_dict, an optimizer state_dict, nested containers, a legacy-format file, an
object outside the weights-only allow list) and ``expected.json``: a description of what
torch itself loads back from each file (dtype, shape, values, flags; containers recursively),
so the tests can check our ``torch.load`` without torch.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "serialization"
sys.path.insert(0, str(ROOT))  # run as a script: make `tests` importable

from tests.support.serialization_describe import describe as _describe  # noqa: E402


def describe(obj):
    """A JSON description of an object torch loaded (tests/support/serialization_describe.py)."""
    return _describe(obj, torch)


def _dtypes():
    base = torch.tensor([[0.0, 1.5, -2.25], [3.0, -4.5, 100.0]])
    out = {d: base.to(getattr(torch, d)) for d in
           ("float32", "float64", "float16", "bfloat16", "int8", "int16", "int32", "int64")}
    out["uint8"] = base.abs().to(torch.uint8)
    out["bool"] = base > 0
    out["complex64"] = torch.complex(base, -base)
    out["complex128"] = torch.complex(base.double(), base.double() * 2)
    out["scalar"] = torch.tensor(7.25)
    out["empty"] = torch.zeros(0, 3, dtype=torch.int32)
    return out


def _views():
    base = torch.arange(24.0).reshape(4, 6)
    return {"base": base, "t": base.t(), "block": base[1:3, ::2], "col": base[:, 2],
            "row": base[3], "diag": base[:, :4].diagonal(), "expand": base[0, :3].expand(2, 3),
            "flat_tail": base.view(-1)[10:], "permuted": torch.arange(8.0).reshape(2, 2, 2)
            .permute(2, 0, 1)}


def _model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model(torch.randn(5, 3))  # BatchNorm running stats move; num_batches_tracked = 1
    return model


def _adam_step(model, opt, x):
    opt.zero_grad()
    model(x).pow(2).sum().backward()
    opt.step()


def _optimizer_state():
    """A Linear + Adam after two steps (saved), and the parameters after a third step."""
    torch.manual_seed(1)
    model = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    for _ in range(2):
        _adam_step(model, opt, torch.randn(4, 3))
    saved = {"model": model.state_dict(), "optimizer": opt.state_dict()}
    torch.save(saved, OUT / "optimizer_state.pt")
    x = torch.randn(4, 3)
    _adam_step(model, opt, x)
    after = {"input": x.tolist(), "weight": model.weight.tolist(), "bias": model.bias.tolist()}
    return after


def _nested():
    return {
        "list": [torch.tensor([1, 2, 3]), 1, "a", None, 2.5],
        "tuple": (torch.ones(2, dtype=torch.float64), (True, False)),
        "set": {1, 2, 3},
        "dict": {0: torch.zeros(1), "k": {"deep": torch.tensor([[1.0]])}},
        "param": torch.nn.Parameter(torch.tensor([0.5, -0.5])),
        "frozen_param": torch.nn.Parameter(torch.tensor([1.0]), requires_grad=False),
        "requires_grad": torch.tensor([1.0, 2.0], requires_grad=True),
        "dtype": torch.float16,
        "size": torch.Size([2, 3]),
        "device": torch.device("cpu"),
        "bytes": b"\x00\x01xy",
        "complex": 1 + 2j,
        "same_twice": [torch.tensor([9.0])] * 2,
    }


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    model = _model()
    after_step = _optimizer_state()
    legacy = {"w": torch.arange(6.0).reshape(2, 3), "p": torch.nn.Parameter(torch.ones(2))}
    legacy["wt"] = legacy["w"].t()
    files = {
        "dtypes.pt": (_dtypes(), {}),
        "views.pt": (_views(), {}),
        "module_state.pt": (model.state_dict(), {}),
        "optimizer_state.pt": (None, {}),  # saved by _optimizer_state before its third step
        "nested.pt": (_nested(), {}),
        "legacy.pt": (legacy, {"_use_new_zipfile_serialization": False}),
        "custom_global.pt": ({"when": datetime.timedelta(days=1, seconds=3),
                              "x": torch.tensor([1.0])}, {}),
    }
    expected = {}
    for name, (obj, kwargs) in files.items():
        if obj is not None:
            torch.save(obj, OUT / name, **kwargs)
        loaded = torch.load(OUT / name, weights_only=name != "custom_global.pt")
        expected[name] = describe(loaded)
    x = torch.linspace(-1, 1, 15).reshape(5, 3)
    with torch.no_grad():
        expected["module_forward"] = {"input": x.tolist(), "train": model(x).tolist(),
                                      "eval": model.eval()(x).tolist()}
    expected["optimizer_next_step"] = after_step
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(files)} checkpoints + expected.json to {OUT} ({total} bytes)")


if __name__ == "__main__":
    main()
