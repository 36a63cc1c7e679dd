"""Generate the API reference pages under docs/reference/ from the live package (never by hand).

Every public name of each namespace (``torch``, ``torch.Tensor``, ``torch.nn`` ...) gets an entry
with its signature and its docstring, so the reference cannot list a name we do not have or miss
one we do. Names that have no docstring of their own are described only by what can be said
without inventing text: an in-place method points at its out-of-place op, an alias at its target.
``tests/unit/test_docs_site.py`` regenerates the pages in memory and fails when a committed page
is stale.

Run from the repository root::

    .venv/bin/python tools/make_api_reference.py          # rewrites docs/reference/*.md
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "reference"


@dataclass(frozen=True)
class Namespace:
    """One reference page: the object whose public attributes it lists, and how to spell them."""

    page: str
    title: str
    path: str  # the attribute path below the package, "" for the top level
    prefix: str  # how a user spells a name of it: "torch.", "Tensor.", "torch.nn."
    intro: str
    modules: bool = False  # list submodules as entries too


NAMESPACES = (
    Namespace("torch.md", "torch", "", "torch.",
              "Functions, factories, dtypes and constants of the top-level `torch` namespace "
              "(`import torchlike_jax as torch`)."),
    Namespace("tensor.md", "torch.Tensor", "Tensor", "Tensor.",
              "Methods and properties of `torch.Tensor`. In-place variants end in `_` and "
              "bump the tensor's version counter."),
    Namespace("autograd.md", "torch.autograd", "autograd", "torch.autograd.",
              "Gradient computation: `backward`, `grad`, custom `Function`s, grad modes, "
              "anomaly detection and the graph utilities."),
    Namespace("nn.md", "torch.nn", "nn", "torch.nn.",
              "Modules, containers and parameters of `torch.nn`; `torch.nn.init` and "
              "`torch.nn.utils` are listed at the end."),
    Namespace("nn-functional.md", "torch.nn.functional", "nn.functional", "F.",
              "Functional forms of the `nn` layers (`import torchlike_jax.nn.functional as F`)."),
    Namespace("optim.md", "torch.optim", "optim", "torch.optim.",
              "Optimizers; learning-rate schedulers live in `torch.optim.lr_scheduler`."),
    Namespace("data.md", "torch.utils.data", "utils.data", "torch.utils.data.",
              "Datasets, samplers, collation and the `DataLoader`."),
    Namespace("func.md", "torch.func", "func", "torch.func.",
              "Composable function transforms, mapped onto JAX's transforms."),
    Namespace("linalg-special.md", "torch.linalg and torch.special", "linalg", "torch.linalg.",
              "Linear algebra (`torch.linalg`) and special functions (`torch.special`)."),
    Namespace("distributions.md", "torch.distributions", "distributions",
              "torch.distributions.",
              "Probability distributions, constraints, transforms and `kl_divergence`."),
    Namespace("testing.md", "torch.testing", "testing", "torch.testing.",
              "Helpers for test writers: `assert_close` and `make_tensor`."),
    Namespace("utilities.md", "torch.random, torch.profiler, torch.utils.benchmark",
              "random", "torch.random.",
              "Random-number state, the profiler and the benchmark timer."),
)

# Pages that list a second namespace after the first.
EXTRA = {
    "nn.md": (("nn.init", "torch.nn.init."), ("nn.utils", "torch.nn.utils.")),
    "linalg-special.md": (("special", "torch.special."),),
    "optim.md": (("optim.lr_scheduler", "torch.optim.lr_scheduler."),),
    "utilities.md": (("profiler", "torch.profiler."), ("utils.benchmark", "torch.utils.benchmark."),
                     ("backends", "torch.backends.")),
    "autograd.md": (("autograd.graph", "torch.autograd.graph."),
                    ("autograd.forward_ad", "torch.autograd.forward_ad."),
                    ("autograd.functional", "torch.autograd.functional.")),
}

# Names a module picks up from its own imports are not part of torch's surface.
_NOT_SURFACE = {"annotations"}
_FOREIGN_MODULES = {"typing", "weakref", "_weakref", "collections.abc", "abc", "functools",
                    "builtins", "__future__", "dataclasses", "enum"}


def resolve(package: types.ModuleType, path: str) -> object:
    obj: object = package
    for part in filter(None, path.split(".")):
        obj = getattr(obj, part)
    return obj


def public_names(obj: object, modules: bool) -> list[str]:
    names = []
    for name in sorted(dir(obj), key=str.lower):
        if name.startswith("_") or name in _NOT_SURFACE:
            continue
        try:
            value = getattr(obj, name)
        except Exception:  # a property that needs an instance
            value = None
        if isinstance(value, types.ModuleType) and not modules:
            continue
        if getattr(value, "__module__", None) in _FOREIGN_MODULES and not isinstance(obj, type):
            continue  # an import of the module's own (typing.Callable, weakref.ref)
        names.append(name)
    return names


_GENERIC = {"(*args, **kwargs)", "(self, *args, **kwargs)", "(self, /, *args, **kwargs)"}


def signature_of(value: object, twin: object = None) -> str:
    """The signature a user calls; a method that forwards ``*args, **kwargs`` shows the
    signature of its ``torch.*`` twin with ``self`` in place of the first argument."""
    if isinstance(value, property):
        return ""
    try:
        sig = _plain(inspect.signature(value))
    except (TypeError, ValueError):
        return ""
    if sig in _GENERIC and twin is not None and callable(twin):
        try:
            params = list(inspect.signature(twin).parameters.values())
        except (TypeError, ValueError):
            return sig
        if params and params[0].name in ("input", "self") and params[0].kind in (
                params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
            params[0] = params[0].replace(name="self")
            return _plain(inspect.Signature(params))
    return sig


class _Shown:
    """A default value printed by name: a function as ``relu``, a sentinel as ``...``, so that
    no memory address (different in every process) reaches the page."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _default(value: object) -> object:
    if value is inspect.Parameter.empty or " at 0x" not in repr(value):
        return value
    if callable(value) and hasattr(value, "__name__"):
        return _Shown(value.__name__)
    if type(value) is object:
        return _Shown("...")
    return _Shown(f"<{type(value).__name__}>")


def _plain(sig: inspect.Signature) -> str:
    """A signature without annotations, as torch's reference prints them."""
    params = [p.replace(annotation=p.empty, default=_default(p.default))
              for p in sig.parameters.values()]
    return str(sig.replace(parameters=params, return_annotation=sig.empty))


def _markdown(doc: str) -> str:
    """A docstring as Markdown: rst double backticks become code spans; outside code spans,
    brackets and '<' are escaped (``x[i][j]`` is not a link, ``<Node>`` not a tag) and a line
    opening with '#' cannot become a heading. Nothing else changes."""
    doc = re.sub(r"``([^`]+)``", r"`\1`", doc)
    pieces = re.split(r"(`[^`]*`)", doc)
    for k in range(0, len(pieces), 2):
        pieces[k] = (pieces[k].replace("[", "\\[").replace("]", "\\]")
                     .replace("<", "&lt;"))
    lines = ["\\" + line if line.lstrip().startswith("#") else line
             for line in "".join(pieces).splitlines()]
    return "\n".join(lines).strip()


def describe(owner: object, name: str, prefix: str, seen: dict[int, str],
             twin_namespace: object = None) -> str:
    """One entry: heading, signature, docstring (or the honest fallback)."""
    raw = inspect.getattr_static(owner, name, None) if isinstance(owner, type) else None
    try:
        value = getattr(owner, name)
    except Exception:
        value = raw
    spelled = prefix + name
    out = [f"### `{spelled}`", ""]
    kind = _kind(value, raw)
    twin = None
    if twin_namespace is not None:
        twin = getattr(twin_namespace, name, None)
        if name.endswith("_") and signature_of(twin) in _GENERIC | {""}:
            twin = getattr(twin_namespace, name[:-1], None)
    sig = signature_of(value, twin) if callable(value) and not isinstance(value, type) else ""
    if isinstance(value, type):
        sig = signature_of(value)
        sig = "" if sig in ("(*args, **kwargs)", "()") else sig
    if sig:
        out += ["```python", f"{spelled}{sig}", "```", ""]
    out.append(f"*{kind}*")
    out.append("")
    key = id(value)
    target = seen.get(key) if callable(value) or isinstance(value, type) else None
    doc = inspect.getdoc(value) if (callable(value) or isinstance(raw, property)) else None
    if isinstance(raw, property):
        doc = inspect.getdoc(raw)
    if target is not None and target != spelled:
        out.append(f"Same object as `{target}`.")
    elif doc and not _inherited_only(value, doc):
        out.append(_markdown(doc))
    elif name.endswith("_") and hasattr(owner, name[:-1]):
        out.append(f"In-place version of `{prefix}{name[:-1]}`: writes the result into "
                   "the tensor it is called on.")
    elif not callable(value):
        shown = repr(value)
        out.append(f"An instance of `{type(value).__name__}`." if " at 0x" in shown
                   else f"Value: `{shown}`.")
    else:
        out.append("Behaves as PyTorch's function of the same name; see the op support table "
                   "for what is checked against torch.")
    if target is None and (callable(value) or isinstance(value, type)):
        seen[key] = spelled
    out.append("")
    return "\n".join(out)


def _inherited_only(value: object, doc: str) -> bool:
    """True when a class's only docstring is ``object``'s or a builtin base's."""
    if isinstance(value, type):
        own = value.__dict__.get("__doc__")
        return not own
    return False


def _kind(value: object, raw: object) -> str:
    if isinstance(raw, property):
        return "property"
    if isinstance(value, types.ModuleType):
        return "module"
    if isinstance(value, type):
        return "class"
    if callable(value):
        return "function" if not isinstance(raw, (staticmethod, classmethod)) else "static method"
    return "constant"


def page(package: types.ModuleType, ns: Namespace) -> str:
    parts = [f"# {ns.title}", "", ns.intro, "",
             "Generated by `tools/make_api_reference.py` from the package's docstrings.", ""]
    seen: dict[int, str] = {}
    sections = [(ns.path, ns.prefix)] + list(EXTRA.get(ns.page, ()))
    for path, prefix in sections:
        owner = resolve(package, path)
        names = public_names(owner, ns.modules)
        if path != ns.path:
            parts += [f"## `{prefix.rstrip('.')}`", ""]
        parts.append(f"{len(names)} public names.")
        parts.append("")
        twins = package if isinstance(owner, type) else None
        for name in names:
            parts.append(describe(owner, name, prefix, seen, twins))
    return "\n".join(parts).rstrip() + "\n"


def generate() -> dict[str, str]:
    """Page file name → Markdown text, for every reference page."""
    import torchlike_jax

    return {ns.page: page(torchlike_jax, ns) for ns in NAMESPACES}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in generate().items():
        (OUT / name).write_text(text)
    print(f"wrote {len(NAMESPACES)} pages to {OUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
