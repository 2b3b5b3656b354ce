"""The repository documents itself: nothing points outside it, and every pointer into docs/ holds.

A clone has only this repository, so no tracked file may send a reader to the specs and notes
that lived beside it (``../shared``, the spec's file names, "computations §N"); what they said is
in docs/ now. Every ``docs/<page>.md`` named in the code, the tests, the scripts or the READMEs
must exist; every ``docs/<page>.md §N`` must name a section that page has; and every relative link
of the Markdown pages (file and ``#anchor``) must lead somewhere.
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

#: Pointers outside the repository (this file names them, so it is the one file not checked).
OUTSIDE = re.compile("|".join((
    re.escape("../shared"),
    re.escape("shared/spec"),
    # the old spec and notes by file name; docs/cli.md and docs/outputs.md are ours
    r"(?<!docs/)\b(?:case-workbook|computations|rendering-notes|domain|style|cli|outputs)\.md\b",
    r"\bcomputations §",
    r"\b(?:spec|domain) §\s*\d",
)))
THIS_FILE = Path(__file__).resolve()
DOCS_PATH = re.compile(r"\bdocs/([\w./-]+?\.md)\b(?:\s*§\s*(\d+))?")
LINK = re.compile(r"\]\(([^)\s]+)\)")
#: Folders that are not the project's own text (tools' caches, the venv, build outputs).
SKIPPED_DIRS = {".git", ".venv", "outputs", "__pycache__", ".pytest_cache", ".mypy_cache",
                ".ruff_cache", "build", "dist"}


def tracked_files() -> list[Path]:
    """The repository's files: ``git ls-files`` in a checkout, else every file not in SKIPPED_DIRS."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                                check=True).stdout.decode("utf-8").split("\0")
        files = [ROOT / name for name in listed if name]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in ROOT.rglob("*")
                 if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)
                 and not any(part.endswith(".egg-info") for part in p.relative_to(ROOT).parts)]
    return sorted(p for p in files if p.is_file())


def text_of(path: Path) -> str | None:
    """The file as text, or None for a binary file (workbooks, fonts, images, .docx)."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def outside_docs() -> list[tuple[Path, str]]:
    files = [p for p in tracked_files() if DOCS not in p.parents and p.resolve() != THIS_FILE]
    return [(p, text) for p in files if (text := text_of(p)) is not None]


def pointers_outside(text: str) -> list[str]:
    return [m.group(0) for m in OUTSIDE.finditer(text)]


def test_the_check_catches_what_it_must_and_spares_our_own_pages():
    assert pointers_outside("see ../shared/spec/computations.md") != []
    assert pointers_outside("spec/case-workbook.md, Value formats") != []
    assert pointers_outside("(computations §2)") != []
    assert pointers_outside("(domain.md §7)") != []
    assert pointers_outside("The ``ninbai`` command (spec/cli.md)") != []
    assert pointers_outside("docs/cli.md, docs/outputs.md, docs/rules.md §2") == []


def test_no_file_outside_docs_points_outside_the_repository():
    found = [f"{p.relative_to(ROOT)}: {hit}" for p, text in outside_docs()
             for hit in pointers_outside(text)]
    assert found == [], "point these at docs/ instead:\n" + "\n".join(found)


def section_numbers(page: Path) -> set[str]:
    """§ numbers a page has: its headings ``## N. …``."""
    return set(re.findall(r"^#{1,6}\s+(\d+)\.\s", page.read_text(encoding="utf-8"), re.MULTILINE))


def docs_pointers() -> list[tuple[Path, str, str | None]]:
    """(file, docs page, § or None) for every ``docs/<page>.md`` named outside docs/."""
    return [(p, m.group(1), m.group(2)) for p, text in outside_docs()
            for m in DOCS_PATH.finditer(text)]


def test_code_and_readme_point_at_docs():
    named = {(p.relative_to(ROOT).parts[0], page) for p, page, _ in docs_pointers()}
    assert ("pipeline", "rules.md") in named
    assert ("README.md", "workbook.md") in named


def test_every_docs_page_named_outside_docs_exists_with_its_section():
    missing = []
    for path, page, section in docs_pointers():
        target = DOCS / page
        if not target.is_file():
            missing.append(f"{path.relative_to(ROOT)}: docs/{page} does not exist")
        elif section is not None and section not in section_numbers(target):
            missing.append(f"{path.relative_to(ROOT)}: docs/{page} has no §{section}")
    assert missing == []


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces → ``-``."""
    text = re.sub(r"[`*_]", "", heading.strip()).lower()
    kept = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    return {slug(h) for h in re.findall(r"^#{1,6}\s+(.+)$", text, re.MULTILINE)}


MARKDOWN = sorted(DOCS.glob("*.md")) + [ROOT / "README.md"]


@pytest.mark.parametrize("page", MARKDOWN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_lead_somewhere(page):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
    broken = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # http:, mailto:
        name, _, anchor = target.partition("#")
        file = (page.parent / name).resolve() if name else page
        if not file.exists() or anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(target)
    assert broken == []


def test_slug_follows_github():
    assert slug("1. The sale proceeds (配分案)") == "1-the-sale-proceeds-配分案"
    assert slug("`ninbai review`") == "ninbai-review"
    assert slug("approvals.json and revisions") == "approvalsjson-and-revisions"


def test_rules_keep_the_section_numbers_the_code_cites():
    """docs/rules.md §1–§5 are the original rules' sections, which docstrings cite by number."""
    text = (DOCS / "rules.md").read_text(encoding="utf-8")
    headings = dict(re.findall(r"^## (\d+)\. (.+)$", text, re.MULTILINE))
    subjects = {"1": "配分案", "2": "競売", "3": "生活状況表", "4": "返済計画", "5": "Warnings",
                "6": "Worked examples", "7": "Sources"}
    assert {n: s for n, s in subjects.items() if s not in headings.get(n, "")} == {}
