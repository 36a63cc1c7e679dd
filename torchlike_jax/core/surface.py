"""Where ops become public: ``torch.*`` functions, ``Tensor`` methods, in-place ``_`` variants
and the ``torch.linalg`` / ``torch.nn.functional`` / ``torch.special`` namespaces.

Op modules declare each public function once with :func:`expose`; ``torchlike_jax/__init__``,
``_tensor`` and the namespace modules read these tables. That keeps the op modules the only
place a new op is written (no edits to the Tensor class or the package ``__init__``), and makes
the public surface enumerable for the generated support table.
"""

from __future__ import annotations

from collections.abc import Callable

from . import numpy_kwargs, out_arg

# namespace -> public name -> function ("torch" is the top level)
NAMESPACES: dict[str, dict[str, Callable]] = {"torch": {}, "linalg": {}, "nn.functional": {},
                                              "special": {}}
METHODS: dict[str, Callable] = {}  # Tensor method name -> function(self, *args, **kwargs)
# in-place method name (ending in ``_``) -> the out-of-place function whose result is written
# back into ``self`` (cast to self's dtype, with torch's "can't be cast" check)
INPLACE: dict[str, Callable] = {}
RESHAPING_INPLACE: set[str] = set()  # in-place methods that may change self's shape (t_, ...)


def expose(*names: str, method: bool | str | tuple = True, inplace: bool = False,
           namespace: str | tuple[str, ...] = "torch",
           reshaping: bool = False) -> Callable[[Callable], Callable]:
    """Publish a function under ``names`` (the first is its canonical name).

    ``method``: also a Tensor method (True: under every name; a str/tuple: under those names;
    False: not a method). ``inplace``: also ``Tensor.<name>_`` for every method name.
    ``namespace``: "torch", "linalg", "nn.functional", "special", or a tuple of them
    (an empty tuple: method only).
    """

    def deco(fn: Callable) -> Callable:
        spaces = (namespace,) if isinstance(namespace, str) else namespace
        # one function published in several namespaces stays one object (torch's
        # F.cosine_similarity is torch.cosine_similarity), so it takes torch's aliases in all
        alias_space = "torch" if "torch" in spaces else None
        memo: dict = {}
        out_kind = out_arg.kind_of(fn, names)
        for ns in spaces:
            table = NAMESPACES[ns]
            for n in names:
                if n in table:
                    raise ValueError(f"{ns}.{n} is already exposed")
                table[n] = out_arg.for_function(
                    numpy_kwargs.for_function(fn, n, alias_space or ns, memo), names[0],
                    out_kind)
        mnames = names if method is True else (() if method is False else
                                                (method,) if isinstance(method, str) else method)
        memo = {}
        for n in mnames:
            if n in METHODS:
                raise ValueError(f"Tensor.{n} is already exposed")
            METHODS[n] = numpy_kwargs.for_method(fn, n, memo)
            if inplace:
                INPLACE[n + "_"] = fn
                if reshaping:
                    RESHAPING_INPLACE.add(n + "_")
        return fn

    return deco


def expose_inplace(names: tuple[str, ...], fn: Callable, *, reshaping: bool = False) -> None:
    """``Tensor.<name>_`` for each name, running ``fn`` (not the out-of-place function: torch
    records another node for the in-place form, or checks other arguments). ``reshaping``: the
    method may change ``self``'s shape (``t_``, ``squeeze_``), as in :func:`expose`."""
    for n in names:
        if n + "_" in INPLACE:
            raise ValueError(f"Tensor.{n}_ is already exposed")
        INPLACE[n + "_"] = fn
        if reshaping:
            RESHAPING_INPLACE.add(n + "_")
