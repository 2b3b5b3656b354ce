"""Word output: templates/<kind>.docx filled by docxtpl with the sandboxed, escaping environment.

docxtpl's defaults are unsafe for our data (docs/rendering.md §1): no escaping, so ``A&B`` in a name
corrupts document.xml; undefined variables print as empty strings; templates run unsandboxed.
Here every render goes through ``pipeline.render.env`` (sandbox, ``StrictUndefined``) with
``autoescape=True``. Newlines in a value become Word line breaks (docxtpl's run post-processing
turns ``\\n`` inside ``<w:t>`` into ``<w:br/>``).

The template files are read once per worker and kept as bytes: docxtpl needs a fresh document for
each render, and reading it from memory spares the disk. docxtpl's clean-up of the template XML
(``patch_xml``) is done once per template part and kept too, where docxtpl's version is tested
(``pipeline.render.speedups.PatchedOnce``).
"""

from __future__ import annotations

import struct
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

from jinja2 import Environment

from pipeline.render import speedups


class DocxWriter:
    """The warm docxtpl state of one worker: template bytes by file name, one environment."""

    def __init__(self, templates_dir: Path, env: Environment) -> None:
        self.templates_dir = templates_dir
        self.env = env
        self._bytes: dict[str, bytes] = {}
        self._patched: dict[str, str] = {}  # template XML → docxtpl's cleaned XML

    def template_bytes(self, name: str) -> bytes:
        """The bytes of templates/<name>, read on first use and kept."""
        if name not in self._bytes:
            self._bytes[name] = (self.templates_dir / name).read_bytes()
        return self._bytes[name]

    def write(self, name: str, context: dict[str, Any], created: date | None = None) -> bytes:
        """The filled .docx as bytes (raises Jinja's errors and OSError; the caller wraps them)."""
        doc = speedups.docx_template(BytesIO(self.template_bytes(name)), self._patched)
        doc.render(context, jinja_env=self.env, autoescape=True)
        out = BytesIO()
        doc.save(out)
        return fixed_zip_times(out.getvalue(), created) if created else out.getvalue()


def fixed_zip_times(data: bytes, day: date) -> bytes:
    """The same .docx with every zip entry dated ``day``, so a rerun gives identical bytes.

    python-docx stamps each entry with the current time; the manifest's sha256 of an unchanged
    case should not change with the clock. The DOS date and time fields are rewritten in place
    (ZIP APPNOTE 4.3.7 local header, 4.3.12 central directory): no recompression.
    """
    stamp = struct.pack("<HH", 0, (day.year - 1980) << 9 | day.month << 5 | day.day)
    out = bytearray(data)
    with zipfile.ZipFile(BytesIO(data)) as archive:
        entries = archive.infolist()
        central = archive.start_dir  # offset of the central directory
    for info in entries:
        if out[info.header_offset:info.header_offset + 4] != _LOCAL:
            raise ValueError("unexpected zip layout")
        out[info.header_offset + 10:info.header_offset + 14] = stamp
        if out[central:central + 4] != _CENTRAL:
            raise ValueError("unexpected zip layout")
        out[central + 12:central + 16] = stamp
        name, extra, comment = struct.unpack("<HHH", out[central + 28:central + 34])
        central += 46 + name + extra + comment
    return bytes(out)


_LOCAL = b"PK\x03\x04"  # local file header signature
_CENTRAL = b"PK\x01\x02"  # central directory file header signature
