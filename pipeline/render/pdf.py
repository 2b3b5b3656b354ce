"""PDF output: Jinja HTML (templates/<kind>.html) laid out by WeasyPrint.

WeasyPrint never raises for a missing image, an unreachable stylesheet or a glyph no font has: it
logs and goes on, drawing an empty box. For a creditor's letter that is worse than no letter, so
this module turns those quiet failures into a ``RenderError`` for the case:

- a URL fetcher that serves files under templates/ and refuses everything else (``file:///etc``,
  ``http://``, ``data:``): a template edited by staff cannot read the disk or call out;
- WeasyPrint's log is captured per document: errors and failed loads fail the case, other
  warnings are returned for the review page;
- the filled HTML (every printed string of the view, and the template's own text) is checked
  for characters the font chain cannot draw *before* layout.

Speed (see rendering-notes.md): one ``FontConfiguration`` and one pre-parsed ``CSS`` are kept for
the life of the worker; the stylesheet is passed to ``write_pdf`` rather than linked from the HTML
so it is not parsed again for every document. The user-agent stylesheet leaves out WeasyPrint's
footnote and note rules, and its list-marker rule applies to ``li`` only (``LetterHTML``,
docs/performance.md). The streams are deflated at zlib's default level, not pydyf's 9
(``deflate_streams``): the same content, 2.4× less compression time. cffi no longer parses a
new C type for every font subset (``OpenArrays``).
"""

from __future__ import annotations

import functools
import logging
import re
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA as STOCK_UA_TEXT
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

_LOG_NAME = "weasyprint"  # "weasyprint.progress" is its child: one handler hears both
#: Words of WeasyPrint messages that mean a resource was not used, whatever their level.
_FAILURE_WORDS = ("unreachable", "failed to load", "cannot be loaded")
#: WeasyPrint's user-agent rules for footnote and note markers (``::footnote-call { … }`` …).
_NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z-]+ \{[^}\n]*\}\n", re.MULTILINE)
#: Its rule for list markers, which selects the ``::marker`` of every element.
_ANY_MARKER = "\n::marker {"


class RefusedURL(FatalURLFetchingError):
    """A template asked for a resource outside templates/. Fatal: WeasyPrint stops at once."""


class TemplateFetcher(URLFetcher):
    """Serves ``file:`` URLs inside the templates folder; refuses every other URL.

    ``data:`` URLs are refused too: nothing in our documents needs them, and one rule ("only
    files in templates/") is easier to review than a list of exceptions.
    """

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or parts.netloc not in ("", "localhost") or not path.is_relative_to(
                self.root):
            raise RefusedURL(url)
        return super().fetch(url, headers)


class LogCapture(logging.Handler):
    """Collects WeasyPrint's log records of one document."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def failures(self) -> list[str]:
        """Messages that mean the PDF is wrong: errors, and resources that did not load."""
        return [r.getMessage() for r in self.records if _is_failure(r)]

    def warnings(self) -> list[str]:
        return [r.getMessage() for r in self.records if not _is_failure(r)]


def _is_failure(record: logging.LogRecord) -> bool:
    text = record.getMessage().lower()
    return record.levelno >= logging.ERROR or any(w in text for w in _FAILURE_WORDS)


@contextmanager
def captured_log() -> Iterator[LogCapture]:
    """Attach a capturing handler to WeasyPrint's logger for one document.

    The renderer is used by one thread per worker process, so records of one document cannot
    mix with another's.
    """
    logger = logging.getLogger(_LOG_NAME)
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)  # a quieter global setting must not hide failures
    handler = LogCapture()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def font_family_css(families: tuple[str, ...]) -> str:
    """The body font rule from the font chain (first family first, fallbacks after).

    No generic family at the end: Pango would then pick an unchecked system font for a
    character the chain lacks, and ``missing_glyphs`` vouches for the chain only.
    """
    names = ", ".join('"' + f.replace('"', "") + '"' for f in families)
    return f"html {{ font-family: {names}; }}\n"


@functools.cache
def letter_ua_stylesheet() -> CSS:
    """WeasyPrint's HTML user-agent stylesheet: no footnote or note rules, markers of ``li`` only.

    Those rules select a pseudo-element of *every* element (``::footnote-call``, ``::marker`` …),
    so WeasyPrint computes six more styles per element of every document: ≈8% (notes) and ≈5%
    (markers) of a PDF's time (docs/performance.md). Our letters have no footnotes
    (``float: footnote``) and no notes, and only ``li`` is a list item, so the PDFs are
    byte-identical (tests/test_render_speed.py). Parsed once per process; its ``@counter-style``
    rules go to a throwaway registry (the stock one already has them).
    """
    text = _NOTE_RULES.sub("", STOCK_UA_TEXT).replace(_ANY_MARKER, "\nli::marker {")
    return CSS(string=text, counter_style=CounterStyle())


class LetterHTML(HTML):
    """``HTML`` laid out with ``letter_ua_stylesheet()`` instead of the stock one.

    Overrides WeasyPrint 70's ``_ua_stylesheets`` hook (the version is pinned). Were a later
    version to rename it, this override would go unused: the same PDFs, only slower.
    """

    def _ua_stylesheets(self, forms=False):
        return super()._ua_stylesheets(forms) if forms else [letter_ua_stylesheet()]


#: zlib level of the PDF's streams (fonts, page drawings). pydyf always uses 9; on our letters
#: 6, zlib's own default, takes 4.4 instead of 10.6 ms a PDF for files 0.7% larger.
STREAM_COMPRESSION_LEVEL = 6


def deflate_streams(document: object, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: deflate every stream pydyf would compress, at our level.

    Called by ``write_pdf`` once the PDF objects exist and before pydyf serialises them. Each
    stream becomes one pre-deflated chunk marked ``/FlateDecode`` with ``compress`` off, which
    pydyf then writes as it is. The inflated content is byte-for-byte what pydyf would have
    deflated (its own ``_to_bytes`` joins the items): tests/test_render_speed.py compares them.
    pydyf's small object and cross-reference streams, made while writing, stay at level 9.
    """
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Stream) and obj.compress:
            try:  # WeasyPrint appends bytes only: joined at once (≈4,000 items a PDF)
                raw = b"\n".join(obj.stream)
            except TypeError:
                raw = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)
            obj.stream = [zlib.compress(raw, STREAM_COMPRESSION_LEVEL)]
            obj.extra["Filter"] = "/FlateDecode"
            obj.compress = False


#: A C array type with its length, as WeasyPrint writes it (``hb_codepoint_t[412]``).
_SIZED_ARRAY = re.compile(r"([A-Za-z_][A-Za-z0-9_ ]*)\[(\d+)\]")


class OpenArrays:
    """cffi's ``FFI`` for WeasyPrint's fonts: ``new("T[N]", items)`` made as ``new("T[]", items)``.

    WeasyPrint subsets each font with ``ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs)``.
    cffi parses every new type string with pycparser (2.7 ms) and keeps it forever; the glyph
    counts differ from document to document, so a worker kept parsing (≈2 ms a PDF, and a
    cache that only grows). ``T[]`` filled with the same items is the same array, of one type
    parsed once. Calls whose items do not fill the array exactly, and every other attribute,
    go to the real ``FFI``. Installed in ``weasyprint.pdf.fonts`` only (``open_font_arrays``):
    the line breaker's thousand ``new`` calls a PDF do not pay for the check.
    """

    def __init__(self, ffi: Any) -> None:
        self.ffi = ffi

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ffi, name)

    def new(self, cdecl: Any, init: Any = None) -> Any:
        if isinstance(cdecl, str) and isinstance(init, (list, tuple)):
            sized = _SIZED_ARRAY.fullmatch(cdecl)
            if sized and int(sized[2]) == len(init):
                return self.ffi.new(sized[1] + "[]", init)
        return self.ffi.new(cdecl, init)


def open_font_arrays() -> None:
    """Give WeasyPrint's font embedding (``weasyprint.pdf.fonts``) an ``OpenArrays``; once.

    WeasyPrint 70 (pinned) looks ``ffi`` up in that module at each call. Were a later version
    to stop doing so, the proxy would go unused: the same PDFs, only slower.
    """
    if not isinstance(weasyprint_fonts.ffi, OpenArrays):
        weasyprint_fonts.ffi = OpenArrays(weasyprint_fonts.ffi)


class PdfWriter:
    """The warm WeasyPrint state of one worker: fetcher, fonts, stylesheet."""

    def __init__(self, templates_dir: Path, stylesheet: str, families: tuple[str, ...]) -> None:
        self.base_url = templates_dir.resolve().as_uri() + "/"
        self.fetcher = TemplateFetcher(templates_dir)
        open_font_arrays()
        self.font_config = FontConfiguration()
        # The font rule goes last: an @import of documents.css must stay at the very beginning.
        css_text = (templates_dir / stylesheet).read_text("utf-8") + font_family_css(families)
        with captured_log() as log:
            self.css = CSS(string=css_text, base_url=self.base_url, url_fetcher=self.fetcher,
                           font_config=self.font_config)
        # Parsed once, so its messages are logged once: kept to be reported with every document.
        self.stylesheet_failures = log.failures()
        self.stylesheet_warnings = [f"{stylesheet}: {m}" for m in log.warnings()]

    def write(self, html: str) -> tuple[bytes, list[str], list[str]]:
        """PDF bytes, failure messages and warning messages for one HTML document.

        Raises ``RefusedURL`` when the HTML asks for anything outside templates/.
        """
        with captured_log() as log:
            document = LetterHTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
            pdf = document.write_pdf(stylesheets=[self.css], font_config=self.font_config,
                                     finisher=deflate_streams)
        return pdf, log.failures(), self.stylesheet_warnings + log.warnings()
