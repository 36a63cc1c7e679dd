"""What runs inside a DataLoader worker process, and what crosses the process boundary.

Workers are separate Python processes (``spawn`` by default: JAX is multithreaded, and a
forked copy of its runtime can deadlock). Each one imports this package on the CPU backend
only, fetches and collates the batches it is sent, and returns them pickled with every tensor turned
into a numpy array (``_Pickler``); the parent rebuilds the tensors, so no JAX buffers or
device handles are pickled. The dataset travels to the workers the same way.
"""

from __future__ import annotations

import io
import os
import pickle
import queue
import random
import sys
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...core.tensor import Tensor

__all__ = ["WorkerInfo", "get_worker_info"]

_POLL_S = 2.0  # how often an idle worker checks that its parent is still alive


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """Returned by :func:`get_worker_info` inside a worker: its id, the number of workers, its
    seed (the loader's base seed + id) and its own copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's :class:`WorkerInfo`; ``None`` in the main process."""
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker, carried to the parent with its formatted traceback and
    re-raised there as the same class, torch's "Caught X in DataLoader worker process N"."""

    def __init__(self, where: str) -> None:
        exc_type, exc, tb = sys.exc_info()
        self.exc_type = exc_type
        self.exc_msg = "".join(traceback.format_exception(exc_type, exc, tb))
        self.where = where

    def reraise(self) -> None:
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        try:
            exc = self.exc_type(msg)
        except Exception:  # the class needs other constructor arguments
            raise RuntimeError(msg) from None
        raise exc


@dataclass(frozen=True)
class _IterableStop:
    """A worker's iterable dataset is exhausted; it gets no more work this epoch."""

    worker_id: int


@dataclass(frozen=True)
class _Ready:
    """A worker has loaded its dataset and run ``worker_init_fn``: ``timeout`` starts counting
    only then, so a spawned worker's import time is not mistaken for a stuck batch."""


@dataclass(frozen=True)
class _ResumeIteration:
    """Start a new epoch (persistent workers): rebuild the fetcher, answer with the same."""


class _Pickler(pickle.Pickler):
    """Pickles every tensor, wherever it sits (in a dataset, a batch, an exception), as its
    numpy values, dtype and ``requires_grad``: a tensor's own pickled state holds JAX arrays
    and view closures, which neither travel nor belong in another process."""

    def reducer_override(self, obj: Any) -> Any:

        if isinstance(obj, Tensor):
            arr = np.asarray(obj.detach())
            # a flag, not the class: Tensor's __module__ is "torch", which pickle must not import
            return _rebuild_tensor, (arr, str(obj.dtype), bool(obj.requires_grad),
                                     _is_parameter(obj))
        return NotImplemented


def dumps(obj: Any) -> bytes:
    """Serialise for the trip between processes (see :class:`_Pickler`)."""
    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return buf.getvalue()


def loads(data: bytes) -> Any:
    return pickle.loads(data)


def _is_parameter(obj: Any) -> bool:
    from ...nn.parameter import Parameter

    return isinstance(obj, Parameter)


def _rebuild_tensor(array: np.ndarray, dtype: str, requires_grad: bool, parameter: bool) -> Any:
    from ..._creation import tensor
    from ...nn.parameter import Parameter

    t = tensor(array, dtype=_dtype_named(dtype))
    if parameter:
        return Parameter(t, requires_grad=requires_grad)
    return t.requires_grad_(requires_grad) if requires_grad else t


def _dtype_named(name: str) -> Any:
    from ... import _dtypes as dtypes

    for value in vars(dtypes).values():
        if isinstance(value, dtypes.dtype) and str(value) == name:
            return value
    raise TypeError(f"unknown dtype {name} received from a DataLoader worker")


def _seed_everything(seed: int) -> None:
    """Seed Python's, numpy's and this library's global generators for one worker."""
    from ..._random import manual_seed

    random.seed(seed)
    manual_seed(seed)
    np.random.seed(np.random.SeedSequence(seed).generate_state(4))


def worker_loop(payload: bytes, index_queue: Any, data_queue: Any, auto_collation: bool,
                drop_last: bool, base_seed: int, worker_id: int, num_workers: int) -> None:
    """Serve ``(task_idx, index)`` requests until ``None`` arrives or the parent dies.

    ``payload`` is ``dumps((dataset, collate_fn, worker_init_fn))``; results go back as
    ``(task_idx, dumps(batch))``."""
    global _worker_info
    from ._fetch import make_fetcher
    from .dataset import IterableDataset

    dataset, collate_fn, init_fn = loads(payload)

    seed = base_seed + worker_id
    _seed_everything(seed)
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    where = f"in DataLoader worker process {worker_id}"
    pending_error = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher(dataset, auto_collation, collate_fn, drop_last)
    except Exception:
        pending_error = ExceptionWrapper(where)
    data_queue.put((None, _Ready()))
    parent = os.getppid()
    exhausted = False
    while True:
        try:
            request = index_queue.get(timeout=_POLL_S)
        except queue.Empty:
            if os.getppid() != parent:
                return
            continue
        if request is None:
            return
        if isinstance(request, _ResumeIteration):
            exhausted = False
            try:
                fetcher = make_fetcher(dataset, auto_collation, collate_fn, drop_last)
            except Exception:
                pending_error = ExceptionWrapper(where)
            data_queue.put((None, request))
            continue
        if exhausted:
            continue
        task_idx, index = request
        if pending_error is not None:
            data, pending_error = pending_error, None
        else:
            try:
                data = fetcher.fetch(index)
            except StopIteration:
                if isinstance(dataset, IterableDataset):
                    data, exhausted = _IterableStop(worker_id), True
                else:
                    data = ExceptionWrapper(where)
            except Exception:
                data = ExceptionWrapper(where)
        data_queue.put((task_idx, data if isinstance(data, _IterableStop) else dumps(data)))
