"""Datasets for tests/unit/test_data.py's worker-process tests, in a module of their own: our
DataLoader spawns its workers, which import the module a dataset's class lives in, and this
one imports neither pytest nor torch (it names the library to use by module name)."""

from __future__ import annotations

import importlib
import time

_INIT_MARK: dict = {}


def _lib(name: str):
    return importlib.import_module(name)


def mark_init(worker_id: int) -> None:
    """A ``worker_init_fn``: leaves a mark the worker's samples report."""
    _INIT_MARK["id"] = worker_id * 10


class WorkerIds:
    """Map-style: each sample says which worker read it (and whether init_fn ran there)."""

    def __init__(self, lib_name: str, n: int) -> None:
        self.lib_name, self.n = lib_name, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict:
        lib = _lib(self.lib_name)
        info = lib.utils.data.get_worker_info()
        return {"i": i, "worker": info.id, "n": info.num_workers,
                "x": lib.full((2,), float(i)), "init": _INIT_MARK.get("id", -1)}


class Failing:
    """Raises on sample 4; sample 5 takes 2.5 s (longer than the test's ``timeout``)."""

    def __len__(self) -> int:
        return 6

    def __getitem__(self, i: int) -> int:
        if i == 4:
            raise ValueError("bad sample 4")
        if i == 5:
            time.sleep(2.5)
        return i


def _our_iterable_base():
    return _lib("torchlike_jax").utils.data.IterableDataset


class OursStream(_our_iterable_base()):
    """``range(n)``, the same in every worker (torch's replication, unsplit)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __iter__(self):
        return iter(range(self.n))
