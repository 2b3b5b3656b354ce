"""The text a reader of a rendered document sees, for tests that compare Word and PDF."""

from __future__ import annotations

import io
import re


def docx_text(data: bytes) -> str:
    """Paragraph and table text of a .docx, via python-docx."""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    """Extracted text of every page of a PDF, via pypdf."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- the text and tags of a Word template, for tests/golden/templates/ -------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CORE_FIELDS = ("title", "subject", "creator", "description", "keywords", "category")


def docx_template_dump(data: bytes) -> str:
    """A reviewable text view of a Word template: every part's paragraphs, tables and tags.

    One line per paragraph (an empty paragraph is an empty line), a table as ``[table]`` with one
    ``| cell | cell |`` line per row, the body first, then headers and footers by part name, then
    the document properties. Fields print as ``«PAGE»`` (their cached result is not text anyone
    wrote), tabs as ``<tab>`` and line breaks as ``<br>``; tracked deletions are left out, as
    docxtpl leaves them. Formatting is not shown: a diff of this file is a diff of wording.
    """
    import zipfile
    from xml.etree import ElementTree

    lines: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        parts = ["word/document.xml"] + sorted(
            n for n in names if re.fullmatch(r"word/(header|footer)\d*\.xml", n))
        for name in parts:
            lines.append(f"== {name}")
            root = ElementTree.fromstring(z.read(name))
            body = root.find(f"{_W}body")
            lines += _blocks(body if body is not None else root, "")
        if "docProps/core.xml" in names:
            lines.append("== docProps/core.xml")
            core = ElementTree.fromstring(z.read("docProps/core.xml"))
            for element in core:
                field = element.tag.rsplit("}", 1)[-1]
                if field in _CORE_FIELDS and element.text:
                    lines.append(f"{field}: {element.text}")
    return "\n".join(lines) + "\n"


def _blocks(container, indent: str) -> list[str]:
    """The paragraphs and tables of a body, cell, text box or content control, in order."""
    out: list[str] = []
    for element in container:
        if element.tag == f"{_W}p":
            text, boxes = _paragraph(element)
            out.append(indent + text if text else "")
            for box in boxes:
                out.append(f"{indent}[text box]")
                out += _blocks(box, indent + "  ")
        elif element.tag == f"{_W}tbl":
            out.append(f"{indent}[table]")
            for row in element.iter(f"{_W}tr"):
                cells = [" / ".join(line.strip() for line in _blocks(cell, "") if line.strip())
                         for cell in row.findall(f"{_W}tc")]
                out.append(f"{indent}| " + " | ".join(cells) + " |")
            out.append(f"{indent}[/table]")
        elif element.tag == f"{_W}sdt":
            content = element.find(f"{_W}sdtContent")
            out += _blocks(content if content is not None else [], indent)
    return out


def _paragraph(p) -> tuple[str, list]:
    """(text of the paragraph with its fields and breaks, the text boxes anchored in it)."""
    text: list[str] = []
    boxes: list = []
    in_result = False  # between a complex field's "separate" and "end": its cached result

    def walk(element) -> None:
        nonlocal in_result
        for child in element:
            tag = child.tag
            if tag == f"{_W}txbxContent":
                boxes.append(child)
            elif tag == f"{_W}fldSimple":
                text.append(f"«{child.get(f'{_W}instr', '').strip()}»")
            elif tag == f"{_W}fldChar":
                kind = child.get(f"{_W}fldCharType")
                in_result = kind == "separate"
            elif tag == f"{_W}instrText":
                text.append(f"«{(child.text or '').strip()}»")
            elif tag == f"{_W}t" and not in_result:
                text.append(child.text or "")
            elif tag == f"{_W}tab" and not in_result:
                text.append("<tab>")
            elif tag in (f"{_W}br", f"{_W}cr") and not in_result:
                text.append("<br>")
            elif tag != f"{_W}del":
                walk(child)

    walk(p)
    return "".join(text), boxes
