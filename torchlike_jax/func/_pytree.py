"""torch's pytree rules for ``torch.func`` (not jax's): flattening, rebuilding, and the
structure strings torch prints in its error messages."""

from __future__ import annotations

from typing import Any

# torch's pytree rules, not jax's: tuples, namedtuples, lists and dicts are containers (dicts keep
# insertion order), everything else — None included — is a leaf. A spec is a nested tuple that
# compares equal exactly when two structures match.
_LEAF = "*"


def _is_seq(v: Any) -> bool:
    return type(v) in (tuple, list) or isinstance(v, tuple) and hasattr(v, "_fields")


def is_leaf(v: Any) -> bool:
    """Whether ``v`` is a leaf under torch's rules (anything but tuple/list/dict)."""
    return not (_is_seq(v) or isinstance(v, dict))


def flatten(tree: Any) -> tuple[list, Any]:
    """The leaves of ``tree`` and a spec (a nested tuple, equal iff structures match)."""
    leaves: list = []

    def walk(t: Any) -> Any:
        if isinstance(t, dict):
            return ("dict", type(t), tuple(t), tuple(walk(v) for v in t.values()))
        if _is_seq(t):
            return ("seq", type(t), None, tuple(walk(v) for v in t))
        leaves.append(t)
        return _LEAF

    return leaves, walk(tree)


def unflatten(spec: Any, leaves: Any) -> Any:
    """Rebuild the structure ``spec`` describes from ``leaves``."""
    it = iter(leaves)

    def build(sp: Any) -> Any:
        if sp == _LEAF:
            return next(it)
        kind, typ, keys, children = sp
        values = [build(c) for c in children]
        if kind == "dict":
            out = typ() if typ is not dict else {}
            out.update(zip(keys, values, strict=True))
            return out
        if typ is tuple or typ is list:
            return typ(values)
        if hasattr(typ, "_fields"):
            return typ(*values)
        return typ(values)

    return build(spec)


class _Star:
    def __repr__(self) -> str:
        return "*"


_STAR = _Star()


def _dummy(tree: Any) -> Any:
    if isinstance(tree, tuple):
        items = [_dummy(v) for v in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
    if isinstance(tree, list):
        return [_dummy(v) for v in tree]
    if isinstance(tree, dict):
        return {k: _dummy(v) for k, v in tree.items()}
    return _STAR


def spec_str(tree: Any) -> str:
    """A structure as torch's ``treespec_pprint`` writes it: ``(*,)``, ``{'a': *}``..."""
    return repr(_dummy(tree))


def treespec(tree: Any, indent: int = 0) -> str:
    """A structure as torch's ``TreeSpec.__repr__`` writes it (``TreeSpec(tuple, None, [*])``)."""
    if isinstance(tree, dict):
        context: Any = list(tree.keys())
        children = list(tree.values())
    elif isinstance(tree, tuple) and hasattr(tree, "_fields"):
        context, children = type(tree), list(tree)
    elif isinstance(tree, (tuple, list)):
        context, children = None, list(tree)
    else:
        return "*"
    body = ""
    if children:
        indent += 2
        body = treespec(children[0], indent) + ("," if len(children) > 1 else "")
        body += ",".join("\n" + " " * indent + treespec(c, indent) for c in children[1:])
    return f"TreeSpec({type(tree).__name__}, {context}, [{body}])"


def broadcast_dims(dims: Any, tree: Any) -> list | None:
    """torch's ``_broadcast_to_and_flatten``: ``dims`` is a prefix of ``tree``'s structure; an
    int or None applies to every leaf below it. None when the structures do not match."""
    if not isinstance(dims, (tuple, list, dict)):  # a leaf spec: applies to every leaf below
        return [dims] * len(flatten(tree)[0])
    if is_leaf(tree) or type(dims) is not type(tree) and not (
            isinstance(dims, tuple) and isinstance(tree, tuple)):
        return None
    if isinstance(dims, (tuple, list)):
        if len(dims) != len(tree):
            return None
        out: list = []
        for d, t in zip(dims, tree, strict=True):
            sub = broadcast_dims(d, t)
            if sub is None:
                return None
            out += sub
        return out
    if isinstance(dims, dict):
        if set(dims) != set(tree):
            return None
        out = []
        for k in tree:
            sub = broadcast_dims(dims[k], tree[k])
            if sub is None:
                return None
            out += sub
        return out
    return None
