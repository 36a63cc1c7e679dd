"""List the suite's known differences from torch (strict xfails and their reasons) as Markdown,
for the 'Differences from PyTorch' guide page (docs/guide/known_failures.md), never by hand.

A strict xfail is a test that compares with torch and is known to fail: the reason string says
what differs. Reading them from the test sources (the AST, not a pytest run) keeps the page and
the suite in step; ``tests/unit/test_docs_site.py`` fails when the committed page is stale.

    .venv/bin/python tools/make_known_failures.py
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
OUT = ROOT / "docs" / "guide" / "known_failures.md"


def _text(node: ast.AST) -> str | None:
    try:
        value = ast.literal_eval(node)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


def _is_xfail(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "xfail") or (
        isinstance(func, ast.Name) and func.id == "xfail")


#: module-level tables of known differences: name -> reason (a string, or a tuple whose last
#: element is the reason), each entry marked as an expected failure by its test file
_TABLES = ("KNOWN", "KNOWN_DIFFERENCES")


def _table_rows(tree: ast.Module, where: str) -> list[tuple[str, str]]:
    rows = []
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        if not any(isinstance(t, ast.Name) and t.id in _TABLES for t in targets):
            continue
        if not isinstance(node.value, ast.Dict):
            continue
        for key, value in zip(node.value.keys, node.value.values, strict=True):
            if isinstance(value, ast.Tuple) and value.elts:
                value = value.elts[-1]
            name, reason = _text(key) if key is not None else None, _text(value)
            if name is not None and reason is not None:
                rows.append((f"{where} ({name})", reason))
    return rows


def known_failures() -> list[tuple[str, str]]:
    """(where, reason) for every strict xfail with a literal reason, every ``xfail=True`` case
    with a reason, and every entry of a known-differences table."""
    found: list[tuple[str, str]] = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text())
        where = path.relative_to(ROOT).as_posix()
        found += _table_rows(tree, where)
        owner = {id(d): f.name for f in ast.walk(tree)
                 if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for d in f.decorator_list}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kwargs = {k.arg: k.value for k in node.keywords if k.arg}
            reason = _text(kwargs["reason"]) if "reason" in kwargs else None
            if reason is None:
                continue
            if _is_xfail(node):
                name = owner.get(id(node))
                found.append((f"{where}::{name}" if name else where, reason))
            elif isinstance(kwargs.get("xfail"), ast.Constant) and kwargs["xfail"].value is True:
                name = _text(node.args[0]) if node.args else None
                found.append((f"{where} ({name})" if name else where, reason))
    return found


def render() -> str:
    rows = ["| test | what differs |", "|---|---|"]
    for where, reason in known_failures():
        text = " ".join(reason.split()).replace("|", "\\|")
        rows.append(f"| `{where}` | {text} |")
    return "\n".join(rows) + "\n"


def main() -> None:
    OUT.write_text(render())


if __name__ == "__main__":
    main()
