"""torch.save / torch.load: torch-written fixtures (no torch needed), round trips, and live
checks against real PyTorch in both directions (marked torch_live)."""

from __future__ import annotations

import datetime
import io
import json
import pickle
import re
import zipfile

import numpy as np
import pytest

import torchlike_jax as T
from tests.support.recorded import fixture_path
from tests.support.serialization_describe import describe as _describe

FIX = fixture_path("serialization")
EXPECTED = json.loads((FIX / "expected.json").read_text())


def describe(obj, lib=T):
    """The description tools/record_serialization_fixtures.py records (``lib`` is
    torchlike_jax or torch)."""
    return _describe(obj, lib)


def _roundtrip(obj, **save_kwargs):
    buf = io.BytesIO()
    T.save(obj, buf, **save_kwargs)
    buf.seek(0)
    return T.load(buf)


# ---- torch-written fixtures, loaded without torch ------------------------------------------------
@pytest.mark.parametrize("name", ["dtypes.pt", "views.pt", "module_state.pt",
                                  "optimizer_state.pt", "nested.pt", "legacy.pt"])
def test_fixture_loads_like_torch(name):
    loaded = T.load(FIX / name)
    assert describe(loaded) == EXPECTED[name]


@pytest.mark.parametrize("name", ["dtypes.pt", "views.pt", "module_state.pt"])
def test_fixture_mmap_and_file_object(name):
    assert describe(T.load(str(FIX / name), mmap=True)) == EXPECTED[name]
    with open(FIX / name, "rb") as fh:
        assert describe(T.load(fh, weights_only=True)) == EXPECTED[name]


def test_fixture_full_unpickler_gives_same_objects():
    for name in ("nested.pt", "legacy.pt", "custom_global.pt"):
        assert describe(T.load(FIX / name, weights_only=False)) == EXPECTED[name]


def test_fixture_state_dict_into_module():
    nn = T.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    sd = T.load(FIX / "module_state.pt")
    assert sd._metadata["1"] == {"version": 2}
    assert not model.load_state_dict(sd).missing_keys
    exp = EXPECTED["module_forward"]
    x = T.tensor(exp["input"])
    with T.no_grad():
        np.testing.assert_allclose(model(x).numpy(), exp["train"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(model.eval()(x).numpy(), exp["eval"], rtol=1e-5, atol=1e-6)
    assert int(model[1].num_batches_tracked) == 2


def test_fixture_optimizer_state_resumes_training():
    ckpt = T.load(FIX / "optimizer_state.pt")
    model = T.nn.Linear(3, 2)
    opt = T.optim.Adam(model.parameters(), lr=0.5, betas=(0.1, 0.2))
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    assert opt.param_groups[0]["lr"] == 0.01 and opt.param_groups[0]["betas"] == (0.8, 0.9)
    exp = EXPECTED["optimizer_next_step"]
    opt.zero_grad()
    model(T.tensor(exp["input"])).pow(2).sum().backward()
    opt.step()
    np.testing.assert_allclose(model.weight.detach().numpy(), exp["weight"], rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(model.bias.detach().numpy(), exp["bias"], rtol=1e-5, atol=1e-6)


def test_views_in_file_come_back_with_their_values():
    v = T.load(FIX / "views.pt")
    base = np.arange(24.0, dtype=np.float32).reshape(4, 6)
    np.testing.assert_array_equal(v["block"].numpy(), base[1:3, ::2])
    np.testing.assert_array_equal(v["diag"].numpy(), np.diagonal(base[:, :4]))
    np.testing.assert_array_equal(v["expand"].numpy(), np.broadcast_to(base[0, :3], (2, 3)))
    v["base"].add_(1)  # loaded tensors are independent copies (documented difference)
    assert float(v["t"][0, 0]) == 0.0


# ---- weights_only and the safe-globals registry --------------------------------------------------
def test_weights_only_refuses_unknown_global():
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed") as e:
        T.load(FIX / "custom_global.pt")
    assert "Unsupported global: GLOBAL datetime.timedelta" in str(e.value)
    assert "add_safe_globals" in str(e.value)


def test_safe_globals_context_and_registry():
    T.serialization.clear_safe_globals()
    with T.serialization.safe_globals([datetime.timedelta]):
        assert T.serialization.get_safe_globals() == [datetime.timedelta]
        assert describe(T.load(FIX / "custom_global.pt")) == EXPECTED["custom_global.pt"]
    assert T.serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        T.load(FIX / "custom_global.pt")
    T.serialization.add_safe_globals([datetime.timedelta])
    try:
        assert T.load(FIX / "custom_global.pt")["when"] == datetime.timedelta(days=1, seconds=3)
    finally:
        T.serialization.clear_safe_globals()


class _Custom:
    def __init__(self, v):
        self.v = v


def test_weights_only_blocks_our_own_custom_objects_and_code():
    buf = io.BytesIO()
    T.save({"obj": _Custom(T.ones(2))}, buf)
    # the message names the class by its pickled path: this module as pytest imported it
    with pytest.raises(pickle.UnpicklingError, match=re.escape(f"GLOBAL {__name__}._Custom")):
        T.load(io.BytesIO(buf.getvalue()))
    out = T.load(io.BytesIO(buf.getvalue()), weights_only=False)
    assert out["obj"].v.tolist() == [1.0, 1.0]
    with T.serialization.safe_globals([_Custom]):  # allowed: created and built
        assert T.load(io.BytesIO(buf.getvalue()))["obj"].v.tolist() == [1.0, 1.0]
    evil = pickle.dumps(__import__("os").system, protocol=2)  # a global that would run code
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global: GLOBAL"):
        T.load(_zip_with_pickle(evil))
    with pytest.raises(RuntimeError, match="explicit pickle_module"):
        T.load(io.BytesIO(buf.getvalue()), pickle_module=pickle)


def _zip_with_pickle(data_pkl: bytes) -> io.BytesIO:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", data_pkl)
        z.writestr("archive/version", "3\n")
    buf.seek(0)
    return buf


# ---- our own round trips -------------------------------------------------------------------------
@pytest.mark.parametrize("legacy", [False, True])
def test_roundtrip_every_dtype_and_container(legacy):
    obj = {
        "f": T.tensor([[1.5, -2.0], [3.25, 4.0]]),
        "ints": [T.tensor([1, -2], dtype=d) for d in (T.int8, T.int16, T.int32, T.int64)],
        "u8": T.tensor([0, 255], dtype=T.uint8),
        "half": (T.tensor([0.5], dtype=T.float16), T.tensor([0.5], dtype=T.bfloat16)),
        "c": T.tensor([1 + 2j], dtype=T.complex64), "b": T.tensor([True, False]),
        "d": T.tensor(2.0, dtype=T.float64), "empty": T.zeros(0, 2),
        "rg": T.ones(2, requires_grad=True), "param": T.nn.Parameter(T.zeros(3)),
        "meta": (T.float16, T.Size([1, 2]), T.device("cpu"), {1, 2}, None, "s", 3.5),
    }
    out = _roundtrip(obj, _use_new_zipfile_serialization=not legacy)
    assert describe(out) == describe(obj)
    assert out["rg"].is_leaf and out["param"].requires_grad


def test_roundtrip_views_and_dedup():
    x = T.arange(12.0).reshape(3, 4)
    obj = {"x": x, "t": x.t(), "col": x[:, 1], "block": x[1:, ::2], "exp": x[0].expand(2, 4),
           "alias": x.detach()}
    buf = io.BytesIO()
    T.save(obj, buf)
    names = zipfile.ZipFile(io.BytesIO(buf.getvalue())).namelist()
    assert [n for n in names if "/data/" in n] == ["archive/data/0"]  # one storage for all
    out = T.load(io.BytesIO(buf.getvalue()))
    for k, v in obj.items():
        np.testing.assert_array_equal(out[k].numpy(), v.numpy())


def test_records_are_aligned_for_mmap(tmp_path):
    path = tmp_path / "ckpt.pt"
    T.save({"a": T.ones(3), "b": T.arange(5)}, path)
    with zipfile.ZipFile(path) as z:
        assert z.namelist()[0] == "ckpt/data.pkl"
        raw = path.read_bytes()
        for info in z.infolist():
            if "/data/" in info.filename:
                start = raw.index(info.filename.encode(), info.header_offset) + \
                    len(info.filename) + int.from_bytes(raw[info.header_offset + 28:
                                                            info.header_offset + 30], "little")
                assert start % 64 == 0
    out = T.load(path, mmap=True)
    assert out["b"].tolist() == [0, 1, 2, 3, 4] and out["b"].dtype is T.int64


def test_state_dict_roundtrip_into_module_and_optimizer(tmp_path):
    T.manual_seed(0)
    model = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3))
    opt = T.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(T.randn(4, 2)).sum().backward()
    opt.step()
    T.save({"model": model.state_dict(), "opt": opt.state_dict()}, tmp_path / "c.pt")
    ckpt = T.load(tmp_path / "c.pt")
    model2 = T.nn.Sequential(T.nn.Linear(2, 3), T.nn.BatchNorm1d(3))
    opt2 = T.optim.SGD(model2.parameters(), lr=0.5)
    model2.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["opt"])
    assert ckpt["model"]._metadata == model.state_dict()._metadata
    for a, b in zip(model.state_dict().values(), model2.state_dict().values(), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert opt2.param_groups[0]["lr"] == 0.1
    np.testing.assert_array_equal(opt2.state_dict()["state"][0]["momentum_buffer"].numpy(),
                                  opt.state_dict()["state"][0]["momentum_buffer"].numpy())


# ---- map_location --------------------------------------------------------------------------------
@pytest.mark.parametrize("loc", ["cpu", T.device("cpu"), {"cpu": "cpu"},
                                 lambda storage, location: storage,
                                 lambda storage, location: None])
def test_map_location_forms(loc):
    out = T.load(FIX / "dtypes.pt", map_location=loc)
    assert describe(out) == EXPECTED["dtypes.pt"]
    assert out["float32"].device == T.ones(1).device  # "cpu" lands where factories put data


def test_map_location_errors():
    seen = []
    T.load(FIX / "views.pt", map_location=lambda s, loc: seen.append(loc))
    assert seen and set(seen) == {"cpu"}
    with pytest.raises(TypeError, match="'int' object is not callable"):
        T.load(FIX / "views.pt", map_location=3)
    with pytest.raises(TypeError, match="storage or None"):
        T.load(FIX / "views.pt", map_location=lambda s, loc: 5)
    if not T.cuda.is_available():
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA"):
            T.load(FIX / "views.pt", map_location="cuda")


# ---- damaged files -------------------------------------------------------------------------------
def test_damaged_files_raise_clearly(tmp_path):
    good = (FIX / "dtypes.pt").read_bytes()
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed"):
        T.load(io.BytesIO(good[: len(good) // 2]))
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed"):
        T.load(io.BytesIO(good[:-10]))
    with pytest.raises(RuntimeError, match="Invalid magic number"):
        T.load(io.BytesIO(b"definitely not a checkpoint"))
    with pytest.raises(EOFError):
        T.load(io.BytesIO(b""))
    legacy = (FIX / "legacy.pt").read_bytes()
    with pytest.raises(RuntimeError, match="unexpected EOF"):
        T.load(io.BytesIO(legacy[:-7]))
    with pytest.raises(ValueError, match="file path in order to use the mmap"):
        T.load(io.BytesIO(good), mmap=True)
    (tmp_path / "l.pt").write_bytes(legacy)
    with pytest.raises(RuntimeError, match="mmap can only be used"):
        T.load(tmp_path / "l.pt", mmap=True)


def test_short_storage_record_is_an_error():
    src = zipfile.ZipFile(FIX / "nested.pt")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info.filename, data[:-1] if "/data/0" in info.filename else data)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed reading record"):
        T.load(buf)


# ---- live: real PyTorch reads ours, we read torch's ----------------------------------------------
@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.mark.torch_live
def test_torch_loads_ours_weights_only_with_layouts(torch, tmp_path):
    x = T.arange(24.0).reshape(4, 6)
    obj = {"x": x, "t": x.t(), "block": x[1:3, ::2], "col": x[:, 2], "exp": x[0, :3].expand(2, 3),
           "dtypes": [T.ones(2, dtype=d) for d in (T.bfloat16, T.float16, T.complex128, T.bool,
                                                    T.uint8, T.int8)],
           "param": T.nn.Parameter(T.tensor([1.0, 2.0])), "rg": T.ones(1, requires_grad=True),
           "size": T.Size([3]), "dtype": T.int16, "device": T.device("cpu"), "set": {1}}
    T.save(obj, tmp_path / "ours.pt")
    out = torch.load(tmp_path / "ours.pt", weights_only=True)
    assert describe(out, torch) == describe(obj)
    ref = torch.arange(24.0).reshape(4, 6)
    for k, v in {"t": ref.t(), "block": ref[1:3, ::2], "col": ref[:, 2],
                 "exp": ref[0, :3].expand(2, 3)}.items():
        assert out[k].stride() == v.stride() and out[k].storage_offset() == v.storage_offset()
        assert out[k].untyped_storage().data_ptr() == out["x"].untyped_storage().data_ptr()
    out_mm = torch.load(tmp_path / "ours.pt", weights_only=True, mmap=True)
    assert torch.equal(out_mm["block"], ref[1:3, ::2])


@pytest.mark.torch_live
def test_torch_loads_our_legacy_file(torch):
    buf = io.BytesIO()
    x = T.arange(6.0).reshape(2, 3)
    T.save({"x": x, "xt": x.t(), "p": T.nn.Parameter(T.ones(2))}, buf,
           _use_new_zipfile_serialization=False)
    buf.seek(0)
    out = torch.load(buf, weights_only=True)
    assert out["xt"].tolist() == x.t().tolist() and out["xt"].stride() == (1, 3)
    assert isinstance(out["p"], torch.nn.Parameter)


@pytest.mark.torch_live
def test_we_load_torch_files(torch):
    torch.manual_seed(3)
    base = torch.randn(5, 4, dtype=torch.float64)
    obj = {"base": base, "v": base[::2, 1:].t(), "bf": torch.randn(3).bfloat16(),
           "od": __import__("collections").OrderedDict(a=torch.arange(3, dtype=torch.int16)),
           "param": torch.nn.Parameter(torch.randn(2, 2))}
    for new in (True, False):
        buf = io.BytesIO()
        torch.save(obj, buf, _use_new_zipfile_serialization=new)
        buf.seek(0)
        assert describe(T.load(buf)) == describe(obj, torch)


@pytest.mark.torch_live
def test_torch_whole_module_loads_with_full_unpickler(torch):
    buf = io.BytesIO()
    lin = torch.nn.Linear(3, 2)
    torch.save(lin, buf)
    buf.seek(0)
    ours = T.load(buf, weights_only=False)
    assert isinstance(ours, T.nn.Linear) and repr(ours) == repr(lin)
    x = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    with torch.no_grad():
        expected = lin(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(T.tensor(x)).detach().numpy(), expected, rtol=1e-6)


@pytest.mark.torch_live
def test_state_dicts_cross_both_ways(torch, tmp_path):
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 1))
    tm(torch.randn(6, 3))
    torch.save(tm.state_dict(), tmp_path / "torch.pt")
    ours = T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4), T.nn.Linear(4, 1))
    ours.load_state_dict(T.load(tmp_path / "torch.pt"))
    ours.eval()
    tm.eval()
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(ours(T.tensor(x)).detach().numpy(),
                                   tm(torch.from_numpy(x)).numpy(), rtol=1e-5, atol=1e-6)
    # and back: our optimizer + model state into torch, one more step agrees
    opt = T.optim.Adam(ours.parameters(), lr=0.01)
    for _ in range(2):
        opt.zero_grad()
        ours(T.tensor(x)).pow(2).sum().backward()
        opt.step()
    T.save({"m": ours.state_dict(), "o": opt.state_dict()}, tmp_path / "ours.pt")
    ck = torch.load(tmp_path / "ours.pt", weights_only=True)
    tm.load_state_dict(ck["m"])
    topt = torch.optim.Adam(tm.parameters(), lr=0.5)
    topt.load_state_dict(ck["o"])
    for step in (lambda: (opt.zero_grad(), ours(T.tensor(x)).pow(2).sum().backward(),
                          opt.step()),
                 lambda: (topt.zero_grad(), tm(torch.from_numpy(x)).pow(2).sum().backward(),
                          topt.step())):
        step()
    for a, b in zip(ours.state_dict().values(), tm.state_dict().values(), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.torch_live
def test_torch_tensor_attributes_and_unsupported_dtypes(torch):
    t = torch.ones(2)
    t.foo = 1
    p = torch.nn.Parameter(torch.ones(2))
    p.bar = "x"
    buf = io.BytesIO()
    torch.save({"t": t, "p": p}, buf)
    buf.seek(0)
    with pytest.warns(UserWarning, match="dropped the Python attribute 'foo'"):
        out = T.load(buf)
    assert out["t"].tolist() == [1.0, 1.0] and out["p"].bar == "x"
    buf = io.BytesIO()
    torch.save(torch.zeros(2, dtype=torch.uint16), buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="no equivalent of torch.uint16"):
        T.load(buf)


def test_unpicklable_object_leaves_no_file(tmp_path):
    path = tmp_path / "bad.pt"
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        T.save({"x": T.ones(1), "f": lambda: 0}, path)
    assert not path.exists()


def test_weights_only_build_cannot_change_shared_objects():
    # GLOBAL torch float32, then BUILD with slot state {"name": "hacked"}
    data = b"\x80\x02ctorch\nfloat32\nN}X\x04\x00\x00\x00nameX\x06\x00\x00\x00hackeds\x86b."
    with pytest.raises(pickle.UnpicklingError, match="Can only build Tensor"):
        T.load(_zip_with_pickle(data))
    assert T.float32.name == "float32"
    ok = b"\x80\x02ctorch\nfloat32\n."
    assert T.load(_zip_with_pickle(ok)) is T.float32
