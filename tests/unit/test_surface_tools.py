"""The tools scripts reach for around the ops, compared live with real torch: ``torch.vmap``,
what ``type(t)`` prints (and that pickling still works with it), ``torch.utils.benchmark``'s
printed ``Measurement``, the profilers' ``key_averages().table()``, and the saved-tensor hook
pairs ``save_on_cpu`` / ``allow_mutation_on_saved_tensors``."""

from __future__ import annotations

import copy
import io
import pickle
import pickletools
import re

import numpy as np
import pytest

import torchlike_jax as ours
from torchlike_jax.utils.data import _worker

pytestmark = pytest.mark.torch_live
real = pytest.importorskip("torch")
pytest.importorskip("torch.utils.benchmark")
LIBS = pytest.mark.parametrize("lib", [real, ours], ids=["torch", "ours"])


# ---- torch.vmap ----------------------------------------------------------------------------
def test_vmap_is_func_vmap_and_matches_torch():
    assert ours.vmap is ours.func.vmap
    data = np.arange(12, dtype=np.float32).reshape(4, 3)

    def run(lib):
        return lib.vmap(lambda x, y: (x * y).sum(), in_dims=(0, None))(
            lib.tensor(data), lib.tensor([1.0, 0.0, -1.0])).numpy()

    np.testing.assert_allclose(run(ours), run(real))


# ---- type(t) -------------------------------------------------------------------------------
def _type_facts(lib):
    t = lib.ones(2)
    p = lib.nn.Parameter(lib.zeros(2))
    return (repr(type(t)), repr(lib.Tensor), lib.Tensor.__module__, lib.Tensor.__qualname__,
            repr(type(p)), type(p).__module__, isinstance(p, lib.Tensor), str(type(t * 2)))


def test_type_reprs_match_torch():
    assert _type_facts(ours) == _type_facts(real)


def _globals_in(data: bytes) -> list[str]:
    """The module names a pickle refers to."""
    names = []
    ops = list(pickletools.genops(data))
    for i, (op, arg, _) in enumerate(ops):
        if op.name in ("GLOBAL", "INST"):
            names.append(arg.split(" ")[0])
        elif op.name == "STACK_GLOBAL":
            names.append(ops[i - 2][1])
    return names


def test_pickle_round_trips_never_name_torch():
    leaf = ours.tensor([1.5, -2.0], requires_grad=True)
    for obj in (leaf, ours.arange(4), ours.ones(2, dtype=ours.bfloat16),
                ours.tensor([True, False]), ours.nn.Parameter(ours.ones(3)),
                {"w": ours.zeros(2, 2), "n": [ours.tensor(3)]}, ours.nn.Linear(2, 3)):
        data = pickle.dumps(obj)
        assert not any(m == "torch" or m.startswith("torch.") for m in _globals_in(data))
        back = pickle.loads(data)
        assert type(back) is type(obj)
    back = pickle.loads(pickle.dumps(leaf))
    assert back.requires_grad and back.is_leaf and back.tolist() == [1.5, -2.0]
    p = pickle.loads(pickle.dumps(ours.nn.Parameter(ours.ones(3))))
    assert isinstance(p, ours.nn.Parameter) and p.requires_grad


def test_a_pickled_non_leaf_comes_back_a_leaf_as_in_torch():
    def facts(lib):
        t = lib.ones(2, requires_grad=True)
        t.grad = lib.ones(2)
        back = pickle.loads(pickle.dumps(t * 2))
        return (repr(back), back.requires_grad, back.is_leaf, back.grad_fn,
                pickle.loads(pickle.dumps(t)).grad, repr(copy.copy(t * 2)))

    assert facts(ours) == facts(real)


def test_user_subclass_pickles_as_itself():
    back = pickle.loads(pickle.dumps(_MyTensor._wrap(ours.ones(2)._st.array)))
    assert type(back) is _MyTensor and back.tolist() == [1.0, 1.0]


class _MyTensor(ours.Tensor):
    __slots__ = ()


def test_copy_deepcopy_save_load_and_worker_pickler_still_work():
    t = ours.tensor([[1.0, 2.0]], requires_grad=True)
    assert copy.copy(t).tolist() == [[1.0, 2.0]] and copy.deepcopy(t).requires_grad
    buf = io.BytesIO()
    ours.save({"t": t.detach(), "p": ours.nn.Parameter(ours.ones(2))}, buf)
    buf.seek(0)
    loaded = ours.load(buf)
    assert loaded["t"].tolist() == [[1.0, 2.0]]
    assert isinstance(loaded["p"], ours.nn.Parameter)
    buf.seek(0)
    theirs = real.load(buf)  # what torch reads from our file
    assert type(theirs["p"]) is real.nn.Parameter
    data = _worker.dumps([t.detach(), ours.nn.Parameter(ours.zeros(1))])
    assert "torch" not in _globals_in(data)
    plain, param = _worker.loads(data)
    assert type(plain) is ours.Tensor and isinstance(param, ours.nn.Parameter)


# ---- torch.utils.benchmark -----------------------------------------------------------------
MEASUREMENTS = [
    (10, [1e-4], dict(stmt="x + 1", setup="pass")),
    (100, [3.2e-4, 3.0e-4], dict(stmt="x * 2", setup="y = 1", label="mul", sub_label="100",
                                 description="cpu")),
    (10, [1e-4, 1.2e-4, 0.9e-4, 3e-4, 1e-4], dict(stmt="x + 1", setup="pass", label="L",
                                                  sub_label="s", description="d")),
    (1000, [2.0, 2.1, 2.0, 2.05, 2.02, 1.99], dict(stmt="a = 1\nb = a", setup="u = 1\nv = 2",
                                                   num_threads=4)),
    (1, [1e-9 * k for k in (5, 6, 9, 15)], dict(stmt="pass", setup="pass", sub_label="tiny")),
    (1, [2.5, 9.0, 3.0, 2.0], dict(stmt="sleep()", setup="pass", description="slow")),
]


def _measurement_repr(lib, number, raw, spec):
    common = lib.utils.benchmark.utils.common if lib is real else lib.utils.benchmark.common
    m = common.Measurement(number, raw, common.TaskSpec(**spec))
    text = repr(m)
    first, rest = text.split("\n", 1)
    assert re.fullmatch(r"<torch\.utils\.benchmark\.utils\.common\.Measurement object "
                        r"at 0x[0-9a-f]+>", first)
    return rest, m.median, m.mean, m.iqr, m.times, m.title, m.has_warnings, m.as_row_name


@pytest.mark.parametrize("case", range(len(MEASUREMENTS)))
def test_measurement_prints_as_torch(case):
    number, raw, spec = MEASUREMENTS[case]
    assert _measurement_repr(ours, number, raw, spec) == _measurement_repr(real, number, raw,
                                                                           spec)


def test_measurement_pickles_and_merges():
    from torchlike_jax.utils.benchmark import Measurement, TaskSpec

    spec = TaskSpec("x", "pass")
    m = pickle.loads(pickle.dumps(Measurement(2, [1e-3, 3e-3], spec)))
    assert m.times == [5e-4, 1.5e-3] and m.stmt == "x"
    (merged,) = Measurement.merge([m, Measurement(1, [1e-3], spec)])
    assert merged.number_per_run == 1 and merged.times == [5e-4, 1.5e-3, 1e-3]


COMPARED = [  # (per-run times, TaskSpec fields): two labels, thread groups, envs, gaps
    ([3.2e-6], dict(stmt="x*2", label="mul", sub_label="100", description="cpu")),
    ([2.8e-6], dict(stmt="x+2", label="mul", sub_label="100", description="gpu")),
    ([31e-6, 30e-6, 35e-6, 29e-6, 45e-6], dict(stmt="x*2", label="mul", sub_label="1000",
                                              description="cpu")),
    ([1.2e-3], dict(stmt="x*2", label="mul", sub_label="1000", description="gpu",
                    num_threads=4)),
    ([5e-9, 6e-9], dict(stmt="y", label="other", sub_label="tiny", description="a", env="envA")),
    ([7e-9, 6e-9], dict(stmt="y", label="other", sub_label="tiny", description="a",
                        env="longenv")),
    ([9e-9, 6e-9, 5e-9, 8e-9], dict(stmt="z", label="other", description="b", env="longenv")),
]


def _compare_tables(lib):
    bench = lib.utils.benchmark
    common = bench.utils.common if lib is real else bench.common
    ms = [common.Measurement(10, [t * 10 for t in times], common.TaskSpec(setup="pass", **spec))
          for times, spec in COMPARED]
    c = bench.Compare(ms)
    out = [str(c)]
    c.trim_significant_figures()
    out.append(str(c))
    c.highlight_warnings()
    out.append(str(c))
    c.colorize()
    out.append(str(c))
    c.colorize(rowwise=True)
    out.append(str(c))
    return out


def test_compare_tables_match_torch():
    assert _compare_tables(ours) == _compare_tables(real)
    with pytest.raises(ValueError, match="Expected an instance of `Measurement`"):
        ours.utils.benchmark.Compare([1.0])


def test_timer_measures():
    bench = ours.utils.benchmark
    x = ours.ones(8)
    m = bench.Timer("x * 2", globals={"x": x}, label="mul").timeit(20)
    assert m.number_per_run == 20 and len(m.raw_times) == 1 and m.median > 0
    assert "1 measurement, 20 runs , 1 thread" in repr(m)
    seen = []
    m = bench.Timer("torch.ones(2) + 1").blocked_autorange(
        callback=lambda n, t: seen.append((n, t)), min_run_time=0.02)  # ``torch`` is bound
    assert sum(m.raw_times) >= 0.02 and len(seen) == len(m.raw_times)
    assert all(n == m.number_per_run for n, _ in seen)
    with pytest.raises(ValueError, match="only a `str` stmt"):
        bench.Timer(lambda: None)


# ---- profilers -----------------------------------------------------------------------------
_ROW = re.compile(r" *(\S.*?)  +(\d+\.\d\d%)  +(\d+\.\d{3}(?:us|ms|s))  +(\d+\.\d\d%)  +"
                  r"(\d+\.\d{3}(?:us|ms|s))  +(\d+\.\d{3}(?:us|ms|s))  +(\d+)  ")


def _profile_table(lib, api: str, sort_by: str, row_limit: int):
    x = lib.ones(16, 16)
    if api == "profiler":
        prof_ctx = lib.profiler.profile(activities=[lib.profiler.ProfilerActivity.CPU])
        rf = lib.profiler.record_function
    else:
        prof_ctx = lib.autograd.profiler.profile()
        rf = lib.autograd.profiler.record_function
    with prof_ctx as prof:
        with rf("outer"):
            y = x + 1
            with rf("inner"):
                y = (y * 2).sum()
    table = prof.key_averages().table(sort_by=sort_by, row_limit=row_limit)
    return table, prof.key_averages()


def _parse(table: str):
    lines = table.split("\n")
    rule = lines[0]
    widths = [len(c) for c in rule.split("  ")[:-1]]
    assert rule == "".join("-" * w + "  " for w in widths) and widths[1:] == [12] * 6
    header = lines[1].split()
    assert lines[2] == rule and lines[-1] == "" and lines[-3] == rule
    assert re.fullmatch(r"Self CPU time total: \d+\.\d{3}(us|ms|s)", lines[-2])
    rows = [_ROW.fullmatch(line).groups() for line in lines[3:-3]]
    assert all(len(line) == len(rule) for line in lines[1:-3])
    return header, rows


@pytest.mark.parametrize("api", ["profiler", "autograd"])
@pytest.mark.parametrize("sort_by,row_limit", [("cpu_time_total", 3), ("self_cpu_time_total", 10),
                                               ("count", 2)])
def test_profiler_table_has_torchs_layout(api, sort_by, row_limit):
    got = {}
    for lib in (real, ours):
        table, averages = _profile_table(lib, api, sort_by, row_limit)
        header, rows = _parse(table)
        names = [r[0] for r in rows]
        assert len(rows) == min(row_limit, len(averages))
        key = {"cpu_time_total": "cpu_time_total", "self_cpu_time_total": "self_cpu_time_total",
               "count": "count"}[sort_by]
        values = sorted((getattr(a, key) for a in averages), reverse=True)[:row_limit]
        by_name = {a.key: a for a in averages}
        assert [getattr(by_name[n], key) for n in names] == pytest.approx(values)
        outer = by_name["outer"]
        assert outer.count == 1 and outer.cpu_time_total >= by_name["inner"].cpu_time_total
        assert outer.self_cpu_time_total <= outer.cpu_time_total
        assert sum(a.self_cpu_time_total for a in averages) == pytest.approx(
            outer.cpu_time_total, rel=1e-6)
        got[lib] = header
    assert got[ours] == got[real]


def test_profiled_ops_are_named_like_torchs_and_profiling_stops():
    x = ours.ones(3)
    with ours.profiler.profile() as prof:
        x + 1
        x.sum()
    keys = {a.key for a in prof.key_averages()}
    assert {"aten::add", "aten::sum"} <= keys
    from torchlike_jax.core import profiling

    assert not profiling.state.active
    with ours.autograd.profiler.record_function("idle"):  # nothing records: no event, no error
        x * 2

    @ours.autograd.profiler.record_function("deco")
    def f(t):
        return t * 3

    with ours.autograd.profiler.profile() as prof:
        f(x)
    assert [a.key for a in prof.key_averages()] == ["deco", "aten::mul"]


# ---- saved-tensor hook pairs ---------------------------------------------------------------
def _mutation_run(lib):
    graph = lib.autograd.graph
    out = []
    with graph.allow_mutation_on_saved_tensors() as ctx:
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a.clone()
        y = (b ** 2).sum() + b.exp().sum()
        b.sin_()
        e = a.exp()
        e.mul_(2)  # a saved output modified in place
        (y + e.sum()).backward()
        out += [type(ctx).__name__, a.grad.numpy().copy(), b.detach().numpy().copy()]
    with graph.allow_mutation_on_saved_tensors():
        c = lib.tensor([1.0, 2.0], requires_grad=True).clone()
        z = (c * c).sum()
        c.mul_(2)
    try:
        z.backward()
    except AssertionError as err:
        out.append(str(err))
    with graph.allow_mutation_on_saved_tensors():
        with pytest.raises(RuntimeError) as info:
            with graph.allow_mutation_on_saved_tensors():
                pass
    out.append(str(info.value))
    return out


def test_allow_mutation_on_saved_tensors_matches_torch():
    mine, theirs = _mutation_run(ours), _mutation_run(real)
    assert mine[0] == theirs[0]
    np.testing.assert_allclose(mine[1], theirs[1], rtol=1e-6)
    np.testing.assert_allclose(mine[2], theirs[2], rtol=1e-6)
    assert mine[3:] == theirs[3:]


def test_without_the_context_mutation_is_still_an_error():
    a = ours.tensor([1.0, 2.0], requires_grad=True)
    b = a.clone()
    y = (b ** 2).sum()
    b.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


@LIBS
def test_save_on_cpu_is_a_saved_tensors_hooks_and_keeps_gradients(lib):
    graph = lib.autograd.graph
    assert issubclass(graph.save_on_cpu, graph.saved_tensors_hooks)
    with graph.save_on_cpu(pin_memory=False):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (a * a).sin().sum()
    y.backward()
    expected = np.cos(np.array([1.0, 4.0, 9.0])) * 2 * np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(a.grad.numpy(), expected, rtol=1e-5)
