"""Run the code examples of a documentation page and compare what they print with the page.

A page's examples are its fenced ``python`` blocks, run top to bottom in one namespace (like a
reader pasting them into one session). A ``text`` block that follows a ``python`` block (only
blank lines between) is the output that block must print (``...`` matches any run of characters
within a line). An HTML comment on the line before a
``python`` block marks it:

- ``<!-- example: ours-only -->``: not run under torch: it uses an extension PyTorch does not
  have, or ``torch.compile`` (whose inductor backend needs a C++ toolchain and seconds per
  graph under torch).
- ``<!-- example: skip -->``: shown, never run (a fragment that needs files or a network).

The same pages run under real PyTorch (every ``torchlike_jax`` spelled ``torch``): the guide's
claims about torch's behaviour are checked against torch itself, not only against this package.
"""

from __future__ import annotations

import contextlib
import io
import re
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path

_FENCE = re.compile(r"^```(\w*)\s*$")
_MARK = re.compile(r"^<!--\s*example:\s*([\w-]+)\s*-->\s*$")


@dataclass
class Example:
    """One python block of a page, the output it must print (None: unchecked) and its marks."""

    line: int  # the opening fence's line, counted from 1
    code: str
    expected: str | None
    marks: frozenset[str]


def examples(path: Path) -> list[Example]:
    """The page's python blocks in order, each with the text block that follows it, if any."""
    lines = path.read_text().splitlines()
    blocks: list[tuple[int, str, str, str | None]] = []  # (line, lang, body, mark)
    i = 0
    while i < len(lines):
        fence = _FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        lang = fence.group(1)
        mark = None
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        if j >= 0 and _MARK.match(lines[j].strip()):
            mark = _MARK.match(lines[j].strip()).group(1)
        start = i + 1
        i = start
        while i < len(lines) and lines[i].rstrip() != "```":
            i += 1
        blocks.append((start, lang, "\n".join(lines[start:i]), mark))
        i += 1
    result: list[Example] = []
    for k, (start, lang, body, mark) in enumerate(blocks):
        if lang != "python":
            continue
        expected = None
        if k + 1 < len(blocks) and blocks[k + 1][1] == "text" and _adjacent(lines, blocks, k):
            expected = blocks[k + 1][2]
        result.append(Example(start, body, expected, frozenset([mark] if mark else [])))
    return result


def _adjacent(lines: list[str], blocks: list, k: int) -> bool:
    """True when only blank lines separate block k's closing fence and block k+1's opening."""
    end = blocks[k][0] + blocks[k][2].count("\n") + 1  # index of block k's closing fence
    opening = blocks[k + 1][0] - 1
    return all(not lines[n].strip() for n in range(end + 1, opening))


@dataclass
class Mismatch:
    line: int
    expected: str
    actual: str


def run_page(path: Path, library: str = "ours") -> list[Mismatch]:
    """Run every example of the page under ``library`` ("ours" or "torch"); return mismatches.

    An example that raises is a mismatch whose actual output ends with the traceback."""
    namespace: dict = {"__name__": "__doc_example__"}
    failures: list[Mismatch] = []
    for example in examples(path):
        if "skip" in example.marks or (library == "torch" and "ours-only" in example.marks):
            continue
        code = example.code
        if library == "torch":
            code = re.sub(r"\btorchlike_jax\b", "torch", code)
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("default")
            try:
                exec(compile(code, f"{path.name}:{example.line}", "exec"), namespace)
            except Exception:
                out.write("\n" + traceback.format_exc())
                failures.append(Mismatch(example.line, example.expected or "", out.getvalue()))
                continue
        if example.expected is not None and not matches(example.expected, out.getvalue()):
            failures.append(Mismatch(example.line, example.expected, out.getvalue()))
    return failures


def matches(expected: str, actual: str) -> bool:
    """Line-by-line equality, trailing spaces ignored; ``...`` in the expected text stands for
    any run of characters on its line (an object address, say), as in doctest's ELLIPSIS."""
    want, got = _norm(expected).splitlines(), _norm(actual).splitlines()
    if len(want) != len(got):
        return False
    for w, g in zip(want, got, strict=True):
        if "..." in w:
            pattern = ".*?".join(re.escape(part) for part in w.split("..."))
            if not re.fullmatch(pattern, g):
                return False
        elif w != g:
            return False
    return True


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())
