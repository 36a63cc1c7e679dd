"""The documentation site: its examples run and print what the pages show, under this package and
under real PyTorch; its generated pages are current; it builds with ``mkdocs build --strict``;
the built HTML holds every page of the nav and no internal link or anchor is broken.
"""

from __future__ import annotations

import html.parser
import json
import posixpath
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.support import doc_examples
from tests.support.recorded import REPO_ROOT, load_recorder

DOCS = REPO_ROOT / "docs"
GUIDE_PAGES = sorted(p.relative_to(DOCS).as_posix() for p in (DOCS / "guide").glob("*.md")
                     if p.name not in ("grad_mode_figures.md", "known_failures.md"))
EXAMPLE_PAGES = ["index.md", *GUIDE_PAGES]


def _report(failures: list[doc_examples.Mismatch]) -> str:
    return "\n\n".join(f"line {m.line}:\n--- page shows ---\n{m.expected}\n--- printed ---\n"
                       f"{m.actual}" for m in failures)


def test_every_guide_page_has_checked_examples() -> None:
    for page in EXAMPLE_PAGES:
        if page == "guide/differences.md":  # a list of differences, no examples
            continue
        found = doc_examples.examples(DOCS / page)
        assert any(e.expected is not None for e in found), f"{page} shows no checked output"


@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_examples_print_what_the_page_shows(page: str) -> None:
    failures = doc_examples.run_page(DOCS / page, "ours")
    assert not failures, _report(failures)


@pytest.mark.torch_live
@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_examples_print_the_same_under_pytorch(page: str, real) -> None:
    """What the guide says about PyTorch's behaviour is what PyTorch does."""
    failures = doc_examples.run_page(DOCS / page, "torch")
    assert not failures, _report(failures)


def test_example_runner_catches_a_wrong_output(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nprint(1 + 1)\n```\n\n```text\n3\n```\n"
                    "```python\nprint('<Node object at 0x1>')\n```\n```text\n<Node ...>\n```\n"
                    "<!-- example: skip -->\n```python\nraise SystemExit\n```\n")
    failures = doc_examples.run_page(page, "ours")
    assert [m.line for m in failures] == [1]  # the opening fence's line
    assert failures[0].actual.strip() == "2"


@pytest.mark.parametrize("tool, path", [
    ("make_grad_mode_figures", "docs/guide/grad_mode_figures.md"),
    ("make_known_failures", "docs/guide/known_failures.md"),
])
def test_generated_fragments_are_current(tool: str, path: str) -> None:
    module = load_recorder(tool)
    if tool == "make_grad_mode_figures":
        fresh = module.render(json.loads(module.RESULTS.read_text()))
    else:
        fresh = module.render()
    assert (REPO_ROOT / path).read_text() == fresh, f"stale: run .venv/bin/python tools/{tool}.py"


def test_api_reference_is_current() -> None:
    # a fresh interpreter: other tests in this process may have added or removed attributes
    script = "import json, tools.make_api_reference as m; print(json.dumps(m.generate()))"
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True,
                         text=True, check=True)
    fresh = json.loads(run.stdout)
    assert set(fresh) == {p.name for p in (DOCS / "reference").glob("*.md")} - {"index.md",
                                                                               "classes.md"}
    for name, text in fresh.items():
        committed = (DOCS / "reference" / name).read_text()
        assert committed == text, ("docs/reference is stale: run "
                                   ".venv/bin/python tools/make_api_reference.py")


def test_api_reference_lists_every_public_name() -> None:
    import torchlike_jax as torch

    text = (DOCS / "reference" / "torch.md").read_text()
    for name in ("add", "no_grad", "float32", "compile", "tensor"):
        assert f"### `torch.{name}`" in text
    tensor_page = (DOCS / "reference" / "tensor.md").read_text()
    public = [n for n in dir(torch.Tensor) if not n.startswith("_")]
    missing = [n for n in public if f"### `Tensor.{n}`" not in tensor_page]
    assert not missing, missing


def test_readme_links_the_site_and_serves_it() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    assert "mkdocs serve" in readme
    assert "docs/index.md" in readme


# ---- the built site ------------------------------------------------------------------------

class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if attrs.get(key):
                self.links.append(attrs[key])


def _nav_pages(nav: list) -> list[str]:
    pages = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> Path:
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    site = tmp_path_factory.mktemp("site")
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or "mkdocs"
    run = subprocess.run([mkdocs, "build", "--strict", "-d", str(site)], cwd=REPO_ROOT,
                         capture_output=True, text=True, env={"NO_MKDOCS_2_WARNING": "1",
                                                              "PATH": "/usr/bin:/bin",
                                                              "PYTHONPATH": str(REPO_ROOT)})
    assert run.returncode == 0, run.stdout + run.stderr
    return site


def test_site_builds_strictly_with_every_nav_page(built_site: Path) -> None:
    import yaml

    config = yaml.load((REPO_ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    pages = _nav_pages(config["nav"])
    assert len(pages) >= 20
    for page in pages:
        stem = page[:-3]
        built = built_site / ("index.html" if stem == "index" else f"{stem}/index.html")
        if stem.endswith("/index"):
            built = built_site / f"{stem[:-6]}/index.html"
        assert built.is_file(), f"{page} was not built"


def test_site_has_no_broken_internal_link(built_site: Path) -> None:
    parsed: dict[Path, _Links] = {}
    for page in built_site.rglob("*.html"):
        if page.name == "404.html":  # links from the site root, for any depth: not checkable here
            continue
        links = _Links()
        links.feed(page.read_text())
        parsed[page] = links
    broken = []
    for page, links in parsed.items():
        for link in links.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:")):
                continue
            if parts.path:
                target = Path(posixpath.normpath(
                    posixpath.join(page.parent.as_posix(), unquote(parts.path))))
                if target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            if not target.exists():
                broken.append(f"{page.relative_to(built_site)}: {link}")
            elif parts.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else set()
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(built_site)}: {link} (no such anchor)")
    assert not broken, "\n".join(broken[:20])
