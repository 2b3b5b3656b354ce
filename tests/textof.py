"""The text a reader of a rendered document sees, for tests that compare Word and PDF."""

from __future__ import annotations

import io


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
