"""``functional_call``: call a module with its parameters and buffers swapped for given ones,
restoring them afterwards."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def _named_tensors(module: Any) -> dict:
    out: dict = {}
    for attr in ("named_parameters", "named_buffers"):
        method = getattr(module, attr, None)
        if method is None:
            continue
        try:
            items = method(remove_duplicate=False)
        except TypeError:
            items = method()
        out.update(dict(items))
    return out


def _owner(module: Any, name: str) -> tuple[Any, str]:
    *path, leaf = name.split(".")
    for p in path:
        module = getattr(module, p)
    return module, leaf


def _swap(module: Any, name: str, value: Any) -> Any:
    """Put ``value`` at dotted ``name``; returns what was there (``_MISSING`` if nothing). Uses
    nn.Module-style ``_parameters``/``_buffers`` dicts when the owner keeps the name there."""
    owner, leaf = _owner(module, name)
    for store in ("_parameters", "_buffers"):
        d = getattr(owner, "__dict__", {}).get(store)
        if isinstance(d, dict) and leaf in d:
            old = d[leaf]
            if value is _MISSING:
                del d[leaf]
            else:
                d[leaf] = value
            return old
    old = getattr(owner, leaf, _MISSING)
    if value is _MISSING:
        if old is not _MISSING:
            delattr(owner, leaf)
    else:
        setattr(owner, leaf, value)
    return old


def _untie(named: dict, given: dict) -> dict:
    by_id: dict = {}
    for n, t in named.items():
        by_id.setdefault(id(t), set()).add(n)
    tied = {n: names for names in by_id.values() if len(names) > 1 for n in names}
    given_tied = [n for n in given if n in tied]
    for n in given_tied:
        names = tied[n]
        if len(names & set(given_tied)) > 1 and len({id(given[m]) for m in names
                                                      if m in given}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, "
                             "which are tied. Consider using tie_weights=False")
    out = dict(given)
    for n in given_tied:
        for m in tied[n]:
            out[m] = given[n]
    return out


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``torch.func.functional_call``: call ``module`` with its parameters and buffers replaced.

    ``module`` is any object exposing ``named_parameters()`` / ``named_buffers()`` (either is
    enough) whose tensors live at dotted attribute paths (an nn.Module-style ``_parameters`` /
    ``_buffers`` dict is used when present); the originals are restored afterwards, and names
    the call rebound are written back into the given dict, as torch does. A plain callable
    without those methods is called as ``module(params, *args, **kwargs)`` (the JAX-style
    "function of a params dict"); ``tie_weights`` and ``strict`` do not apply to it.
    """
    if isinstance(parameter_and_buffer_dicts, dict):
        given = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be "
                             "dictionaries")
        seen: dict = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                seen[k] = seen.get(k, 0) + 1
        repeated = [k for k, n in seen.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        given = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    kwargs = {} if kwargs is None else kwargs
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    if not (hasattr(module, "named_parameters") or hasattr(module, "named_buffers")):
        return module(given, *args, **kwargs)
    named = _named_tensors(module)
    values = _untie(named, given) if tie_weights else given
    if strict:
        missing = sorted(set(named) - set(values))
        unexpected = sorted(set(values) - set(named))
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            cls = getattr(module, "_get_name", lambda: type(module).__name__)()
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                cls, "\n\t".join(msgs)))
    originals: dict = {}
    try:
        for k, v in values.items():
            originals[k] = _swap(module, k, v)
        return module(*args, **kwargs)
    finally:
        current = {}
        for k in reversed(list(originals)):
            current[k] = _swap(module, k, originals[k])
        for k in given:
            if k in current and current[k] is not _MISSING:
                _write_back(parameter_and_buffer_dicts, k, current[k])


def _write_back(dicts: Any, key: str, value: Any) -> None:
    """Write a value the call rebound back into whichever given dict holds ``key``."""
    for d in (dicts,) if isinstance(dicts, dict) else dicts:
        if key in d:
            d[key] = value
            return
