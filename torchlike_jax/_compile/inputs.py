"""The objects one call runs on, grouped by the storage that really holds their memory.

Inputs are grouped by root storage. A group that is one view (``step(X[i:i + bs])``, ``x.t()``)
passes the view's value: while tracing the handle holds a fresh storage (the base is never
touched) and a write through it is applied to the base after the call, as eager code would. A
group of several storages on one base (two views of one base, a view and its base) passes the
base's array, and the views read and write it while tracing, so aliasing inside is eager's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..core.tensor_access import array_holder, storage_of
from ..core.views import ViewStorage


def root_storage(storage: Any) -> Any:
    """The plain storage at the bottom of ``.data`` forwarding and view chains."""
    while True:
        holder = array_holder(storage)
        if holder is not storage:
            storage = holder
        elif isinstance(storage, ViewStorage):
            storage = storage.base_st
        else:
            return storage


def with_view_bases(handles: list) -> list:
    """Add the base tensors of views that share a root storage with another input.

    Handles on one root storage through different storages (``f(x, x[0])``, ``f(x[:2],
    x[1:])``) are traced on that root (``shared`` mode): writes through a view inside reach it
    as in eager code, so the base tensor (which a write through a view rebinds) is an input too.
    """
    seen = {id(h) for h in handles}
    while True:
        groups: dict = {}
        roots = [id(root_storage(storage_of(h))) for h in handles]
        for h, root in zip(handles, roots, strict=True):
            groups.setdefault(root, set()).add(id(storage_of(h)))
        added = False
        for h, root in zip(list(handles), roots, strict=True):
            b = h._base
            if b is not None and id(b) not in seen and len(groups[root]) > 1:
                seen.add(id(b))
                handles.append(b)
                added = True
        if not added:
            return handles


class History(NamedTuple):
    """Where a non-leaf input came from in the eager graph, at call time."""

    grad_fn: Any
    output_nr: int


class CallInputs:
    """The objects one call runs on: what a (re)trace installs tracers into.

    ``storages`` are the distinct storage objects of the handles (each has its own version
    counter), plus the root storage of every ``shared`` group; ``bases`` the storages whose
    arrays are the program's inputs, one per group of storages with one root, with a mode each:

    * ``plain`` — the group's storages forward to one plain storage: it is the input;
    * ``view`` — the group is ONE view storage (``f(X[i:i + bs])``): the view's value is the
      input; while tracing, the handles hold a fresh plain storage (the base is never touched)
      and a write is applied through the view after the call, as in eager code;
    * ``shared`` — several storages on one root (two views of one base, a view and its base):
      the root's array is the input, and the views read and write it while tracing.

    ``handle_storage[i]`` is the position in ``storages`` of handle ``i``'s storage, and
    ``storage_base[s]`` the position in ``bases`` of storage ``s``'s group.
    """

    __slots__ = ("args", "kwargs", "handles", "storages", "bases", "handle_storage",
                 "storage_base", "gens", "requires_grad", "nonleaf", "mode", "owns_version",
                 "layout", "shared_grad")

    def __init__(self, args: tuple, kwargs: dict, handles: list, gens: list) -> None:
        self.args, self.kwargs, self.handles, self.gens = args, kwargs, handles, gens
        # call-time flags (part of the key)
        self.requires_grad = [h._requires_grad for h in handles]
        # call-time history of non-leaf inputs, else None
        self.nonleaf = [None if h._grad_fn is None else History(h._grad_fn, h._output_nr)
                        for h in handles]
        st_pos: dict = {}
        self.storages: list = []
        self.handle_storage: list[int] = []
        for h in handles:
            storage = storage_of(h)
            position = st_pos.get(id(storage))
            if position is None:
                position = st_pos[id(storage)] = len(self.storages)
                self.storages.append(storage)
            self.handle_storage.append(position)
        groups: dict = {}
        roots = {id(st): root_storage(st) for st in self.storages}
        for st in list(self.storages):
            groups.setdefault(id(roots[id(st)]), []).append(st)
        base_of: dict = {}  # id(root) -> base position
        self.bases: list = []
        self.mode: list[str] = []
        for members in groups.values():
            root = root_storage(members[0])
            holder = array_holder(members[0])
            resolved = {id(array_holder(st)) for st in members}
            if len(resolved) == 1 and not isinstance(holder, ViewStorage):
                self.bases.append(holder)
                self.mode.append("plain")
            elif len(members) == 1:
                self.bases.append(members[0])
                self.mode.append("view")
            else:
                self.bases.append(root)
                self.mode.append("shared")
                if id(root) not in st_pos:  # its version counter moves with the views' writes
                    st_pos[id(root)] = len(self.storages)
                    self.storages.append(root)
            base_of[id(root)] = len(self.bases) - 1
        # (a shared group's root, appended above, is its own root)
        self.storage_base = [base_of[id(roots.get(id(st), st))] for st in self.storages]
        # a view in a shared group counts its root's version: the root's storage moves it
        self.owns_version = [not (isinstance(st, ViewStorage) and self.mode[b] == "shared")
                             for st, b in zip(self.storages, self.storage_base, strict=True)]
        self.layout = tuple(
            (st.chain, st.base_st.array.shape) if isinstance(st, ViewStorage)
            and self.mode[b] == "shared" else self.mode[b]
            for st, b in zip(self.storages, self.storage_base, strict=True))
        self.shared_grad = any(
            h._requires_grad and self.mode[self.storage_base[s]] == "shared"
            for h, s in zip(handles, self.handle_storage, strict=True))

    def base_of_handle(self, index: int) -> int:
        """The position in ``bases`` of handle ``index``'s group."""
        return self.storage_base[self.handle_storage[index]]
