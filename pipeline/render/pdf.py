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

Speed (see docs/rendering.md §2): one ``FontConfiguration`` and one pre-parsed ``CSS`` are kept for
the life of the worker; the stylesheet is passed to ``write_pdf`` rather than linked from the HTML
so it is not parsed again for every document. The patches of WeasyPrint's, pydyf's and cffi's
internals (a narrower user-agent stylesheet, streams deflated at zlib's default level, open glyph
arrays) live in ``pipeline.render.speedups``, each applied only with the versions it was tested
with.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from pipeline.render import speedups

_LOG_NAME = "weasyprint"  # "weasyprint.progress" is its child: one handler hears both
#: Words of WeasyPrint messages that mean a resource was not used, whatever their level.
_FAILURE_WORDS = ("unreachable", "failed to load", "cannot be loaded")


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


class PdfWriter:
    """The warm WeasyPrint state of one worker: fetcher, fonts, stylesheet, speed-ups."""

    def __init__(self, templates_dir: Path, stylesheet: str, families: tuple[str, ...]) -> None:
        self.base_url = templates_dir.resolve().as_uri() + "/"
        self.fetcher = TemplateFetcher(templates_dir)
        speedups.install_font_arrays()
        self.html_class = speedups.html_class()
        self.finisher = speedups.pdf_finisher()
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
            document = self.html_class(string=html, base_url=self.base_url,
                                       url_fetcher=self.fetcher)
            pdf = document.write_pdf(stylesheets=[self.css], font_config=self.font_config,
                                     finisher=self.finisher)
        return pdf, log.failures(), self.stylesheet_warnings + log.warnings()
