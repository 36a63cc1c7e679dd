"""The package's layers import one way: read from the source, counting imports inside functions.

docs/architecture.md draws the layers; this test is what keeps the drawing true. Each module
belongs to the layer of its top-level name (``torchlike_jax.core.dispatch`` -> ``core``), and may
import only modules of its own layer or of layers below it. Separately the whole import graph,
function-level imports included, must have no cycle, and no function may import ``Tensor`` (the
core layer owns it, so every module can import it at the top).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

from tests.support.recorded import REPO_ROOT

PACKAGE = REPO_ROOT / "torchlike_jax"

#: bottom to top; a module may import from its own layer and the ones before it
LAYERS: list[set[str]] = [
    # base helpers: dtypes, devices, sizes, caches, printing, value checks, JAX internals
    {"_dtypes", "_device", "_size", "_caches", "_formatting", "_value_checks",
     "_jax_internals", "_persistent_cache", "version", "cuda", "accelerator"},
    {"core"},  # registry, dispatch, surface, grad modes, graph, the Tensor's state, views
    {"_creation", "_random"},  # factories: tensors from data, shapes and generators
    {"ops", "linalg", "special", "return_types", "_C", "_inplace_functions", "func"},
    {"autograd"},  # engine, backward/grad, custom Functions, gradcheck
    {"_tensor_methods"},  # op-backed Tensor methods, attached to core's Tensor
    {"_compile", "backends"},
    {"nn", "optim", "testing"},
    {"_serialization", "serialization", "distributions", "utils", "_legacy", "random",
     "profiler"},
    {"__init__"},  # the package itself: the public torch namespace
]


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join(base + ([name] if name else []))


def _imports(modules: dict[str, Path]) -> dict[str, set[tuple[str, bool]]]:
    """module -> {(imported package module, imported inside a function)}."""
    edges: dict[str, set[tuple[str, bool]]] = defaultdict(set)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(node) for node in tree.body}
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            nested = id(node) not in top
            if isinstance(node, ast.ImportFrom):
                base = _absolute(module, is_package, node.level, node.module)
                for alias in node.names:
                    target = f"{base}.{alias.name}"
                    target = target if target in modules else base
                    if target in modules and target != module:
                        edges[module].add((target, nested))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules:
                        edges[module].add((alias.name, nested))
    return edges


def _layer(module: str) -> int:
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 else "__init__"
    for rank, names in enumerate(LAYERS):
        if name in names:
            return rank
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS in {__file__}")


MODULES = _modules()
EDGES = _imports(MODULES)


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


def test_imports_point_down_or_sideways():
    upward = sorted(f"{m} -> {t}" for m, targets in EDGES.items() for t, _ in targets
                    if _layer(t) > _layer(m))
    assert upward == []


def test_the_core_layer_imports_only_itself_and_base_helpers():
    for module, targets in EDGES.items():
        if module.startswith("torchlike_jax.core"):
            for target, _ in targets:
                assert _layer(target) <= 1, f"{module} imports {target}"


def test_no_import_cycle_even_through_function_level_imports():
    graph = {m: {t for t, _ in EDGES.get(m, ())} for m in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


def test_no_function_level_import_of_tensor():
    offenders = sorted(m for m, targets in EDGES.items()
                       for t, nested in targets if nested and t == "torchlike_jax.core.tensor")
    assert offenders == []


@pytest.mark.parametrize("package", sorted(m for m, p in MODULES.items()
                                           if p.name == "__init__.py"))
def test_no_module_getattr_to_dodge_layering(package):
    tree = ast.parse(MODULES[package].read_text(encoding="utf-8"))
    assert not any(isinstance(n, ast.FunctionDef) and n.name == "__getattr__" for n in tree.body)


def test_a_planted_upward_import_is_caught(tmp_path):
    """The checker itself: a core module importing an op module is reported."""
    edges = {"torchlike_jax.core.dispatch": {("torchlike_jax.ops.shape", True)}}
    upward = [f"{m} -> {t}" for m, targets in edges.items() for t, _ in targets
              if _layer(t) > _layer(m)]
    assert upward == ["torchlike_jax.core.dispatch -> torchlike_jax.ops.shape"]
