"""``torch.utils.data`` against real torch, live: the same datasets through both libraries'
DataLoaders, samplers and collate functions must give the same batches (values, dtypes, shapes,
container types), the same lengths, and the same exception classes and messages. Random orders
cannot match torch's (different generators), so those tests check what a user relies on instead:
a permutation, reproducible under a seed, different from one epoch to the next. Worker
processes are checked with two workers (ordering, ``get_worker_info``, iterable replication,
persistent workers, errors raised in a worker) against torch's own workers.
"""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest

import torchlike_jax as torch
from tests.support import data_workers as workers
from torchlike_jax.utils import data as D

pytestmark = pytest.mark.torch_live

Point = collections.namedtuple("Point", "x y")


def norm(obj):
    """A library-independent picture of a batch: tensors as (dtype, shape, values)."""
    if type(obj).__name__ == "Tensor" or type(obj).__name__ == "Parameter":
        values = np.asarray(obj.detach().numpy()).tolist()
        return ("tensor", str(obj.dtype), tuple(obj.shape), values)
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, norm(v)) for k, v in obj.items()])
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, [norm(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [norm(v) for v in obj])
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.tolist())
    return obj


def both(real, fn):
    """``fn(lib)`` under real torch and under ours, normalised."""
    return norm(fn(real)), norm(fn(torch))


def same_error(real, fn, *, exact=True):
    """``fn(lib)`` raises the same class (and message) under both libraries."""
    with pytest.raises(Exception) as theirs:
        fn(real)
    with pytest.raises(type(theirs.value)) as ours:
        fn(torch)
    assert type(ours.value) is type(theirs.value)
    if exact:
        assert str(ours.value) == str(theirs.value)
    else:  # messages that embed an object's repr: compare up to it
        assert str(ours.value).split("<")[0] == str(theirs.value).split("<")[0]


X = np.arange(40, dtype=np.float32).reshape(10, 4) / 7
Y = np.arange(10, dtype=np.int64) % 3


def tensor_ds(lib):
    return lib.utils.data.TensorDataset(lib.tensor(X), lib.tensor(Y))


def test_reachable_as_torch_utils_data():
    assert torch.utils.data is D
    assert torch.utils.data.DataLoader is D.DataLoader
    assert D.get_worker_info() is None


@pytest.mark.parametrize("kw", [dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                dict(batch_size=1), dict(batch_size=None), dict(batch_size=10),
                                dict(batch_size=3, shuffle=False)])
def test_tensor_dataset_batches_and_len(real, kw):
    def run(lib):
        loader = lib.utils.data.DataLoader(tensor_ds(lib), **kw)
        return [len(loader), list(loader)]
    ours, theirs = both(real, run)
    assert ours == theirs


def test_tensor_dataset_grad_fn_and_bad_index(real):
    """Rows of a tensor that requires grad are stacked with a graph (torch's StackBackward0);
    an out-of-range sampler index fails as torch's indexing does, on both collation paths."""
    def run(lib):
        ds = lib.utils.data.TensorDataset(lib.arange(6.0).reshape(3, 2).requires_grad_(),
                                          lib.arange(3))
        b = next(iter(lib.utils.data.DataLoader(ds, batch_size=2)))
        return [type(b[0].grad_fn).__name__, b[1].grad_fn, b[0].requires_grad, b]
    ours, theirs = both(real, run)
    assert ours == theirs
    for grad in (True, False):
        same_error(real, lambda lib, g=grad: list(lib.utils.data.DataLoader(
            lib.utils.data.TensorDataset(lib.arange(3.0, requires_grad=g)), batch_size=2,
            sampler=[0, 5])))


def test_dataset_len_and_indexing(real):
    def run(lib):
        ds = tensor_ds(lib)
        return [len(ds), ds[3], ds[-1], ds[2:4]]
    assert both(real, run)[0] == both(real, run)[1]


def _samples():
    return [
        {"a": 1, "b": 2.5, "c": True, "s": "x", "arr": np.ones(3, np.float32) * 2,
         "i32": np.array([1, 2], np.int32), "np_f": np.float32(0.5), "np_i": np.int64(3),
         "p": Point(1, [2.0, 3.0]), "t": (4, 5), "l": [6, [7, 8]], "raw": b"bytes"},
        {"a": 3, "b": -1.0, "c": False, "s": "y", "arr": np.zeros(3, np.float32),
         "i32": np.array([3, 4], np.int32), "np_f": np.float32(1.5), "np_i": np.int64(4),
         "p": Point(2, [4.0, 5.0]), "t": (6, 7), "l": [8, [9, 10]], "raw": b"more"},
    ]


def test_default_collate_nested_structures(real):
    def run(lib):
        samples = _samples()
        for s in samples:
            s["tensor"] = lib.tensor([[s["a"], 1], [2, 3]], dtype=lib.float32)
        return lib.utils.data.default_collate(samples)
    ours, theirs = both(real, run)
    assert ours == theirs


def test_default_collate_scalars_dtypes(real):
    cases = [[1, 2, 3], [1.5, 2.0], [True, False], ["a", "b"], [(1, 2.0), (3, 4.0)],
             [np.float64(1), np.float64(2)], [np.bool_(True), np.bool_(False)],
             [[1, 2], [3, 4]], [np.array(1.0), np.array(2.0)],
             [collections.OrderedDict(a=1, b=[1.0]), collections.OrderedDict(a=2, b=[2.0])],
             [collections.defaultdict(int, a=1), collections.defaultdict(int, a=3)]]
    for batch in cases:
        ours, theirs = both(real, lambda lib, b=batch: lib.utils.data.default_collate(b))
        assert ours == theirs, batch


def test_default_convert(real):
    def run(lib):
        return [lib.utils.data.default_convert(s) for s in _samples()] + [
            lib.utils.data.default_convert((np.arange(3), "z", np.array(["a"]))),
            lib.utils.data.default_convert(np.float32(2.5)), lib.utils.data.default_convert(7)]
    ours, theirs = both(real, run)
    assert ours == theirs


def test_collate_errors(real):
    same_error(real, lambda lib: lib.utils.data.default_collate([[1, 2], [3]]))
    same_error(real, lambda lib: lib.utils.data.default_collate([object(), object()]),
               exact=False)
    same_error(real, lambda lib: lib.utils.data.default_collate([np.array(["a"])] * 2))
    same_error(real, lambda lib: lib.utils.data.default_collate([None, None]))


def test_batch_size_none_uses_default_convert(real):
    def run(lib):
        ds = [np.full(2, i, np.float32) for i in range(3)]
        return list(lib.utils.data.DataLoader(ds, batch_size=None))
    ours, theirs = both(real, run)
    assert ours == theirs


def test_custom_collate_and_list_dataset(real):
    def run(lib):
        ds = [{"v": i, "w": [i, i * 2.0]} for i in range(7)]
        loader = lib.utils.data.DataLoader(ds, batch_size=3, collate_fn=lambda b: b[::-1])
        return list(loader) + list(lib.utils.data.DataLoader(ds, batch_size=3))
    ours, theirs = both(real, run)
    assert ours == theirs


def test_sequential_orders_and_combinators(real):
    def run(lib):
        d = lib.utils.data
        seq = list(d.SequentialSampler(range(5)))
        bs = [list(d.BatchSampler(range(10), 3, drop_last)) for drop_last in (False, True)]
        bs_len = [len(d.BatchSampler(range(n), 3, dl)) for n in (0, 8, 9) for dl in (False, True)]
        cat = d.ConcatDataset([range(3), range(10, 14), range(20, 22)])
        cat_items = [cat[i] for i in range(-len(cat), len(cat))]
        sub = d.Subset(range(100, 110), [9, 2, 5])
        plus = d.ConcatDataset([range(2)]) + d.ConcatDataset([range(5, 7)])
        st = d.StackDataset(range(3), [10, 11, 12])
        st_kw = d.StackDataset(a=range(3), b=["x", "y", "z"])
        return [seq, bs, bs_len, len(cat), cat.cumulative_sizes, cat_items,
                [sub[i] for i in range(3)], len(sub),
                [plus[i] for i in range(len(plus))], [st[i] for i in range(3)],
                st_kw[1], st.__getitems__([0, 2]), st_kw.__getitems__([2]), len(st),
                list(d.DataLoader(d.Subset(tensor_ds(lib), [7, 1, 4]), batch_size=2)),
                list(d.DataLoader(st_kw, batch_size=2))]
    ours, theirs = both(real, run)
    assert ours == theirs


class _Stream:
    """An iterable dataset (base class chosen per library) of ``n`` numbers; with workers each
    replica yields its own share, as torch's documentation recommends."""

    @staticmethod
    def make(lib, n, split):
        class Stream(lib.utils.data.IterableDataset):
            def __iter__(self):
                info = lib.utils.data.get_worker_info()
                if not split or info is None:
                    return iter(range(n))
                return iter(range(info.id, n, info.num_workers))

            def __len__(self):
                return n
        return Stream()


def test_iterable_dataset_single_process(real):
    def run(lib):
        d = lib.utils.data
        ds = _Stream.make(lib, 7, False)
        out = [list(d.DataLoader(ds, batch_size=3)), list(d.DataLoader(ds, batch_size=3,
                                                                       drop_last=True)),
               list(d.DataLoader(ds, batch_size=None)), len(d.DataLoader(ds, batch_size=3)),
               len(d.DataLoader(ds, batch_size=3, drop_last=True))]
        chain = ds + _Stream.make(lib, 2, False)
        return out + [list(chain), len(chain)]
    ours, theirs = both(real, run)
    assert ours == theirs


def test_iterable_dataset_longer_than_its_len_warns(real):
    def run(lib):
        class Liar(lib.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(5))

            def __len__(self):
                return 3
        loader = lib.utils.data.DataLoader(Liar(), batch_size=None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = [len(loader), list(loader)]
        return out, [str(w.message).split(" was reported", 1)[1] for w in caught]
    ours, theirs = both(real, run)
    assert ours == theirs


@pytest.mark.parametrize("kw", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_sampler=[[0]], shuffle=True), dict(batch_size=None, drop_last=True),
    dict(batch_size=0), dict(batch_size=-2), dict(batch_size=True), dict(drop_last=1),
    dict(multiprocessing_context="spawn"), dict(num_workers=1, prefetch_factor=-1),
    dict(num_workers=1, multiprocessing_context="nope"),
    dict(num_workers=1, multiprocessing_context=3),
])
def test_dataloader_argument_errors(real, kw):
    same_error(real, lambda lib: lib.utils.data.DataLoader(tensor_ds(lib), **kw))


@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]])])
def test_iterable_dataset_refuses_samplers(real, kw):
    same_error(real, lambda lib: lib.utils.data.DataLoader(_Stream.make(lib, 3, False), **kw),
               exact=False)


def test_frozen_attributes(real):
    def set_it(lib):
        loader = lib.utils.data.DataLoader(tensor_ds(lib))
        loader.batch_size = 3
    same_error(real, set_it)

    def fine(lib):
        loader = lib.utils.data.DataLoader(tensor_ds(lib))
        loader.collate_fn = list
        return loader.collate_fn is list
    assert both(real, fine)[0] is True


@pytest.mark.parametrize("make", [
    lambda lib: lib.utils.data.TensorDataset(lib.zeros(3), lib.zeros(4)),
    lambda lib: lib.utils.data.ConcatDataset([]),
    lambda lib: lib.utils.data.ConcatDataset([_Stream.make(lib, 2, False)]),
    lambda lib: lib.utils.data.ConcatDataset([range(3)])[-4],
    lambda lib: list(lib.utils.data.ChainDataset([range(3)])),
    lambda lib: lib.utils.data.StackDataset(range(2), a=range(2)),
    lambda lib: lib.utils.data.StackDataset(range(2), range(3)),
    lambda lib: lib.utils.data.StackDataset(),
    lambda lib: lib.utils.data.random_split(range(10), [3, 3]),
    lambda lib: lib.utils.data.random_split(range(10), [1.5, -0.5]),
    lambda lib: lib.utils.data.RandomSampler(range(3), replacement=1),
    lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0),
    lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=2.0),
    lambda lib: lib.utils.data.WeightedRandomSampler([1.0, 2.0], 0),
    lambda lib: lib.utils.data.WeightedRandomSampler([1.0, 2.0], 2, replacement=0),
    lambda lib: lib.utils.data.WeightedRandomSampler([[1.0, 2.0]], 2),
    lambda lib: list(lib.utils.data.WeightedRandomSampler([1.0, -2.0], 2)),
    lambda lib: list(lib.utils.data.WeightedRandomSampler([0.0, 0.0], 2)),
    lambda lib: list(lib.utils.data.WeightedRandomSampler([1.0, 2.0], 3, replacement=False)),
    lambda lib: lib.utils.data.BatchSampler(range(3), 2, drop_last=None),
    lambda lib: lib.utils.data.Sampler(range(3)),
    lambda lib: len(lib.utils.data.DataLoader(_Stream.make(lib, 3, False).__iter__())),
])
def test_construction_errors(real, make):
    same_error(real, make)


def test_sampler_lengths(real):
    def run(lib):
        d = lib.utils.data
        return [len(d.RandomSampler(range(7))), len(d.RandomSampler(range(7), num_samples=20)),
                len(d.RandomSampler(range(7), replacement=True, num_samples=3)),
                len(d.SubsetRandomSampler([4, 5, 9])), len(d.WeightedRandomSampler([1, 2], 5)),
                len(d.DataLoader(range(10), batch_size=4, shuffle=True)),
                len(d.DataLoader(range(10), batch_size=4, drop_last=True, shuffle=True)),
                len(d.DataLoader(range(10), sampler=d.SubsetRandomSampler([1, 2, 3]))),
                len(d.DataLoader(range(10), batch_sampler=d.BatchSampler(range(5), 2, False))),
                len(list(d.RandomSampler(range(7), num_samples=20))),
                len(list(d.RandomSampler(range(7), replacement=True, num_samples=70))),
                list(d.DataLoader(range(10, 20), batch_sampler=d.BatchSampler(range(5), 2,
                                                                              True)))]
    ours, theirs = both(real, run)
    assert ours == theirs


def test_random_sampler_is_a_reproducible_permutation():
    g = torch.Generator().manual_seed(3)
    first = list(D.RandomSampler(range(50), generator=g))
    second = list(D.RandomSampler(range(50), generator=g))
    assert sorted(first) == sorted(second) == list(range(50))
    assert first != second  # the generator moved on
    again = list(D.RandomSampler(range(50), generator=torch.Generator().manual_seed(3)))
    assert again == first
    torch.manual_seed(11)
    a = list(D.RandomSampler(range(50)))
    b = list(D.RandomSampler(range(50)))
    torch.manual_seed(11)
    assert [list(D.RandomSampler(range(50))), list(D.RandomSampler(range(50)))] == [a, b]
    assert a != b
    many = list(D.RandomSampler(range(5), num_samples=12, generator=g))
    assert sorted(many[:10]) == sorted(list(range(5)) * 2) and len(set(many[10:])) == 2
    repl = list(D.RandomSampler(range(5), replacement=True, num_samples=100, generator=g))
    assert len(repl) == 100 and set(repl) <= set(range(5)) and len(set(repl)) == 5


def test_shuffled_loader_reproducible_and_changes_per_epoch():
    ds = D.TensorDataset(torch.tensor(X), torch.tensor(Y))

    def epoch(loader):
        rows = [b[0] for b in loader]
        assert [tuple(r.shape) for r in rows] == [(4, 4), (4, 4), (2, 4)]
        got = np.concatenate([r.numpy() for r in rows])
        order = [int(round(v * 7)) // 4 for v in got[:, 0]]
        assert sorted(order) == list(range(10))
        np.testing.assert_allclose(got, X[order])
        return order

    def seeded():
        return D.DataLoader(ds, batch_size=4, shuffle=True,
                            generator=torch.Generator().manual_seed(5))

    loader = seeded()
    e1, e2 = epoch(loader), epoch(loader)
    assert e1 != e2
    loader2 = seeded()
    assert [epoch(loader2), epoch(loader2)] == [e1, e2]
    torch.manual_seed(0)
    m1 = epoch(D.DataLoader(ds, batch_size=4, shuffle=True))
    torch.manual_seed(0)
    assert epoch(D.DataLoader(ds, batch_size=4, shuffle=True)) == m1


def test_subset_and_weighted_samplers():
    g = torch.Generator().manual_seed(1)
    idx = [3, 8, 13, 21]
    s = list(D.SubsetRandomSampler(idx, generator=g))
    assert sorted(s) == idx
    draws = list(D.WeightedRandomSampler([0.0, 1.0, 3.0], 4000, generator=g))
    counts = np.bincount(draws, minlength=3)
    assert counts[0] == 0 and 0.70 < counts[2] / 4000 < 0.80
    no_repl = list(D.WeightedRandomSampler([5.0, 0.1, 1.0, 2.0], 4, replacement=False,
                                           generator=g))
    assert sorted(no_repl) == [0, 1, 2, 3]
    firsts = [list(D.WeightedRandomSampler([100.0, 1.0, 1.0], 1, replacement=False,
                                           generator=g))[0] for _ in range(20)]
    assert firsts.count(0) >= 15
    same = [list(D.WeightedRandomSampler([1, 2, 3], 6, generator=torch.Generator().manual_seed(9)))
            for _ in range(2)]
    assert same[0] == same[1]


@pytest.mark.filterwarnings("ignore:Length of split")
@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34],
                                     [0.1] * 10, [1 / 3] * 3, [0.5, 0.5, 0.0]])
def test_random_split_sizes(real, lengths):
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts = lib.utils.data.random_split(range(10), lengths,
                                                generator=lib.Generator().manual_seed(0))
        return [len(p) for p in parts], [str(w.message) for w in caught]
    ours, theirs = both(real, run)
    assert ours == theirs
    parts = D.random_split(range(10), lengths, generator=torch.Generator().manual_seed(4))
    assert sorted(i for p in parts for i in p) == list(range(10))
    again = D.random_split(range(10), lengths, generator=torch.Generator().manual_seed(4))
    assert [list(p) for p in parts] == [list(p) for p in again]


def test_random_split_default_generator_follows_manual_seed():
    torch.manual_seed(2)
    a = [p.indices for p in D.random_split(range(20), [0.5, 0.5])]
    torch.manual_seed(2)
    assert [p.indices for p in D.random_split(range(20), [0.5, 0.5])] == a


def test_pin_memory_accepted(real):
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = list(lib.utils.data.DataLoader(tensor_ds(lib), batch_size=5, pin_memory=True))
        return out, sorted({str(w.message) for w in caught})
    ours, theirs = both(real, run)
    assert ours == theirs


def test_train_loop_matches_torch(real):
    """A DataLoader over a TensorDataset of this library's tensors feeding nn.Linear + SGD
    gives the same weights as torch's after two epochs (sequential order)."""
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(24, 3)).astype(np.float32)
    ys = (xs @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)

    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Linear(3, 1)
        with lib.no_grad():
            model.weight.copy_(lib.tensor([[0.1, 0.2, -0.1]]))
            model.bias.copy_(lib.tensor([0.05]))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        loader = lib.utils.data.DataLoader(
            lib.utils.data.TensorDataset(lib.tensor(xs), lib.tensor(ys)), batch_size=5)
        losses = []
        for _ in range(2):
            for xb, yb in loader:
                opt.zero_grad()
                loss = lib.nn.functional.mse_loss(model(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        return losses, model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()

    (l_o, w_o, b_o), (l_t, w_t, b_t) = run(torch), run(real)
    np.testing.assert_allclose(l_o, l_t, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(w_o, w_t, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(b_o, b_t, rtol=1e-4, atol=1e-6)
    assert l_o[-1] < l_o[0]


# ---- worker processes (each loader start spawns two processes: keep these few) ----
# The datasets live in tests/support/data_workers.py, which does not import torch: our workers are
# spawned and import the dataset's module, and importing torch there would double their start.


def _real_stream(real, n):
    class RealStream(real.utils.data.IterableDataset):  # torch forks: no pickling needed
        def __iter__(self):
            return iter(range(n))
    return RealStream()


# torch's own workers fork this process, which has JAX loaded; they never touch JAX
_FORK_OK = pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")


@_FORK_OK
def test_workers_order_worker_info_and_init_fn(real):
    def run(lib):
        loader = lib.utils.data.DataLoader(workers.WorkerIds(lib.__name__, 11), batch_size=2,
                                           num_workers=2, worker_init_fn=workers.mark_init,
                                           persistent_workers=True)
        epochs = [list(loader), list(loader)]  # the second epoch reuses the same workers
        return [len(loader), epochs]
    ours, theirs = norm(run(torch)), norm(run(real))
    assert ours == theirs


@_FORK_OK
def test_workers_replicate_an_iterable_dataset(real):
    """Every worker iterates its own copy; batches alternate between workers."""
    def run(lib, stream):
        return list(lib.utils.data.DataLoader(stream, batch_size=2, num_workers=2))
    ours, theirs = norm(run(torch, workers.OursStream(5))), norm(run(real, _real_stream(real, 5)))
    assert ours == theirs


@_FORK_OK
def test_worker_error_and_timeout(real):
    """An exception in a worker is re-raised in the parent as the same class; a batch slower
    than ``timeout`` raises torch's RuntimeError. One persistent worker serves both epochs
    (the sampler is a list the test edits between them), so the second epoch also checks
    that leftovers of an aborted epoch are dropped."""
    def run(lib):
        order = [0, 1, 4, 2]
        loader = lib.utils.data.DataLoader(workers.Failing(), batch_size=None, sampler=order,
                                           num_workers=1, timeout=1, persistent_workers=True)
        got = []
        with pytest.raises(ValueError) as err:
            for x in loader:
                got.append(int(x))
        order[:] = [3, 5]
        with pytest.raises(RuntimeError) as late:
            for x in loader:
                got.append(int(x))
        return got, str(err.value).splitlines(), str(late.value)
    (got_o, err_o, late_o), (got_t, err_t, late_t) = run(torch), run(real)
    assert got_o == got_t == [0, 1, 3]
    assert err_o[0] == err_t[0] == "Caught ValueError in DataLoader worker process 0."
    assert err_o[-1] == err_t[-1] == "ValueError: bad sample 4"
    assert late_o == late_t
