"""Word output: templates/<kind>.docx filled by docxtpl with the sandboxed, escaping environment.

docxtpl's defaults are unsafe for our data (rendering-notes.md): no escaping, so ``A&B`` in a name
corrupts document.xml; undefined variables print as empty strings; templates run unsandboxed.
Here every render goes through ``pipeline.render.env`` (sandbox, ``StrictUndefined``) with
``autoescape=True``. Newlines in a value become Word line breaks (docxtpl's run post-processing
turns ``\\n`` inside ``<w:t>`` into ``<w:br/>``).

The template files are read once per worker and kept as bytes: docxtpl needs a fresh document for
each render, and reading it from memory spares the disk.
"""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment


class DocxWriter:
    """The warm docxtpl state of one worker: template bytes by file name, one environment."""

    def __init__(self, templates_dir: Path, env: Environment) -> None:
        self.templates_dir = templates_dir
        self.env = env
        self._bytes: dict[str, bytes] = {}

    def template_bytes(self, name: str) -> bytes:
        """The bytes of templates/<name>, read on first use and kept."""
        if name not in self._bytes:
            self._bytes[name] = (self.templates_dir / name).read_bytes()
        return self._bytes[name]

    def write(self, name: str, context: dict[str, Any], created: date | None = None) -> bytes:
        """The filled .docx as bytes (raises Jinja's errors and OSError; the caller wraps them)."""
        doc = DocxTemplate(BytesIO(self.template_bytes(name)))
        doc.render(context, jinja_env=self.env, autoescape=True)
        out = BytesIO()
        doc.save(out)
        return fixed_zip_times(out.getvalue(), created) if created else out.getvalue()


def fixed_zip_times(data: bytes, day: date) -> bytes:
    """The same .docx with every zip entry dated ``day``, so a rerun gives identical bytes.

    python-docx stamps each entry with the current time; the manifest's sha256 of an unchanged
    case should not change with the clock.
    """
    stamp = (day.year, day.month, day.day, 0, 0, 0)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
