"""The text of a .docx as a reader sees it, one line per paragraph (文書の文面), for comparing revisions.

Read with the standard library alone (``zipfile`` and ``xml.etree.ElementTree``): the server
compares revisions at run time, where the test helpers (python-docx) are not installed, and the
Word file is the one format whose text comes in the units it was written in. The PDF of the same
view holds the same words, but a PDF's text comes back as laid-out lines (a sentence broken where
the page broke it, spacing guessed from glyph positions), so a change of one figure would show as
several changed lines; a paragraph of the Word file is a sentence or a table row, whole.

Lines: every paragraph of the body in document order (an empty paragraph is skipped: it is
spacing, not text); a table row is one line, its cells joined by 「｜」; a tab is a space and a line
break inside a paragraph a space too; a paragraph without a letter or digit (spacing, the 「 / 」
left of a page number) is no line, except in a table cell (「—」 there means none). Headers and footers come first, once each (the red 「案」 of a
draft sits in the header: its coming or going is a change of wording). Fields (page numbers) print
their cached result, which is not text anyone wrote: they are left out.

The files compared are ninbai's own outputs, but a folder is on a shared disk: a damaged file, or
one far larger than a letter, is reported (``DocxTextError``, Japanese) instead of being read.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

#: WordprocessingML's namespace.
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: A part larger than this is not a letter ninbai wrote (a letter's document.xml is ≈50 kB).
PART_LIMIT = 16 * 2**20
#: The parts read besides the body: Word's headers and footers (word/header1.xml …).
_HEADER_FOOTER = re.compile(r"word/(header|footer)[0-9]*\.xml")
CELL_SEPARATOR = "｜"


class DocxTextError(Exception):
    """A .docx whose text cannot be read (damaged, not a Word file, too large): Japanese."""


def docx_lines(data: bytes, name: str = "") -> list[str]:
    """The text lines of a Word file: headers and footers, then the body (see the module)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = sorted((n for n in archive.namelist() if _HEADER_FOOTER.fullmatch(n)),
                           key=lambda n: (not n.startswith("word/header"), n))
            lines: list[str] = []
            for part in parts:
                lines += [line for line in _part_lines(archive, part) if line not in lines]
            return lines + _part_lines(archive, "word/document.xml")
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError, ValueError,
            RuntimeError, EOFError) as exc:
        raise DocxTextError(f"{name or 'Word ファイル'} の文面を読めません"
                            f"（壊れているか Word の形式ではありません: {type(exc).__name__}）") from None


def _part_lines(archive: zipfile.ZipFile, part: str) -> list[str]:
    info = archive.getinfo(part)
    if info.file_size > PART_LIMIT:
        raise ValueError(f"{part} is {info.file_size} bytes")
    with archive.open(info) as handle:
        root = ElementTree.fromstring(handle.read(PART_LIMIT + 1))
    body = root.find(f"{_W}body")
    return _block_lines(root if body is None else body)


def _block_lines(container: ElementTree.Element, in_cell: bool = False) -> list[str]:
    """Paragraphs and table rows of a body, header, footer or cell, in order."""
    lines: list[str] = []
    for child in container:
        if child.tag == f"{_W}p":
            text = paragraph_text(child)
            # In a cell every mark counts (「—」: none); outside, a paragraph without a letter or
            # digit is spacing or what is left of a page number (「 / 」).
            if text and (in_cell or any(ch.isalnum() for ch in text)):
                lines.append(text)
        elif child.tag == f"{_W}tbl":
            lines += _table_lines(child)
        elif child.tag == f"{_W}sdt":  # a content control wraps paragraphs or tables
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                lines += _block_lines(content, in_cell)
    return lines


def _table_lines(table: ElementTree.Element) -> list[str]:
    rows = []
    for row in table.findall(f"{_W}tr"):
        cells = [" ".join(_block_lines(cell, in_cell=True)) for cell in row.findall(f"{_W}tc")]
        if any(c.strip() for c in cells):
            rows.append(CELL_SEPARATOR.join(cells))
    return rows


def paragraph_text(paragraph: ElementTree.Element) -> str:
    """The words of one paragraph: text runs, tabs and breaks as spaces; no deleted text, no
    field results (a page number is not wording)."""
    parts: list[str] = []
    _collect(paragraph, parts, [0])
    return "".join(parts).strip()


def _collect(element: ElementTree.Element, parts: list[str], in_field: list[int]) -> None:
    """Walk a paragraph in order; ``in_field`` counts the complex fields open (begin … end)."""
    for child in element:
        tag = child.tag
        if tag == f"{_W}fldChar":
            kind = child.get(f"{_W}fldCharType")
            in_field[0] += 1 if kind == "begin" else -1 if kind == "end" else 0
        elif tag == f"{_W}fldSimple":
            continue  # its runs are the field's cached result
        elif tag == f"{_W}t":
            if not in_field[0]:
                parts.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            if not in_field[0]:
                parts.append(" ")
        else:
            _collect(child, parts, in_field)
