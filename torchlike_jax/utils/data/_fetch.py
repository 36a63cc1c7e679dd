"""Fetchers: turn one index (or one list of indices) into one collated item.

Shared by the in-process iterator and the worker processes, so both read datasets the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._collate import default_collate
from .dataset import IterableDataset, Subset, TensorDataset


def _tensor_batch(dataset: Any, index: list) -> list | None:
    """Fast path for the commonest loader: default collation over a ``TensorDataset`` (maybe
    inside ``Subset``s, as ``random_split`` makes). Stacking ``len(index)`` row views costs a
    dispatch per row per tensor; one gather per tensor gives the same batch (same values,
    dtypes, shapes, and the list default_collate makes of tuple samples). Only when no tensor
    requires grad, so that no graph (whose grad_fn would differ) is involved."""
    while type(dataset) is Subset:
        index = [dataset.indices[i] for i in index]
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or not index:
        return None
    if any(t.requires_grad for t in dataset.tensors):
        return None
    return [t[index] for t in dataset.tensors]


class _MapFetcher:
    """Map-style: ``dataset[i]`` per index (or one ``__getitems__`` call per batch)."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn

    def fetch(self, index: Any) -> Any:
        if not self.auto_collation:
            return self.collate_fn(self.dataset[index])
        if self.collate_fn is default_collate:
            batch = _tensor_batch(self.dataset, index)
            if batch is not None:
                return batch
        getitems = getattr(self.dataset, "__getitems__", None)
        data = getitems(index) if getitems else [self.dataset[i] for i in index]
        return self.collate_fn(data)


class _IterableFetcher:
    """Iterable-style: the next ``len(index)`` samples of one live iterator (the indices are
    placeholders that only fix the batch size). Raises ``StopIteration`` when exhausted, or
    on a short last batch with ``drop_last``."""

    def __init__(self, dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> None:
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.it = iter(dataset)
        self.ended = False

    def fetch(self, index: Any) -> Any:
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = []
        for _ in index:
            try:
                data.append(next(self.it))
            except StopIteration:
                self.ended = True
                break
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def make_fetcher(dataset: Any, auto_collation: bool, collate_fn: Callable,
                 drop_last: bool) -> _MapFetcher | _IterableFetcher:
    cls = _IterableFetcher if isinstance(dataset, IterableDataset) else _MapFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)
