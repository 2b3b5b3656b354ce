"""Every patch of third-party internals, each applied only with the versions it was tested with.

The renderers are faster with four changes that reach into WeasyPrint, pydyf, cffi and docxtpl
below their documented API (docs/performance.md has the measurements). Each leaves the documents
unchanged (tests/render/test_render_speed.py compares them with the stock code's), but only as
long as the internals it relies on stay as they were. So each speed-up names, in ``TESTED``, the
versions it was tested with; when an installed version is not among them the speed-up is left
off, the stock code path is used (the same documents, only slower), and a warning is logged once
per process for developers (logger ``pipeline.render.speedups``; staff never see it).

- ``letter_stylesheet``: letters are laid out without WeasyPrint's footnote and note user-agent
  rules, and with its ``::marker`` rule for ``li`` only (``LetterHTML``).
- ``deflate_streams``: the PDF's streams are joined at once and deflated at zlib level 6, not
  pydyf's fixed 9 (a ``write_pdf`` finisher).
- ``open_font_arrays``: cffi allocates WeasyPrint's glyph arrays as ``T[]`` instead of parsing a
  new ``T[N]`` type for every font subset (``OpenArrays``).
- ``patch_xml_once``: docxtpl's clean-up of a template part's XML is done once and kept
  (``PatchedOnce``).

The compiled-template cache of ``pipeline.render.env.DocumentEnvironment`` is not here: it
overrides Jinja's public ``from_string`` and touches no internals.

To take a new version: run tests/render/test_render_speed.py with it installed (the internals
checks and the identical-output tests), then add the version to ``TESTED`` and update
``constraints.txt`` and the bounds in ``pyproject.toml``.
"""

from __future__ import annotations

import functools
import logging
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydyf
from docxtpl import DocxTemplate
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle
from weasyprint.html import UA as STOCK_UA_TEXT
from weasyprint.pdf import fonts as weasyprint_fonts

from pipeline.render.versions import installed_version

log = logging.getLogger(__name__)
log.addHandler(logging.NullHandler())  # for developers who configure logging; never on a terminal


@dataclass(frozen=True)
class Speedup:
    """One speed-up: the versions it was tested with and the internals it relies on."""

    tested: dict[str, frozenset[str]]  # distribution → versions tested
    relies_on: str  # what an upgrade may change under it

    def untested(self) -> dict[str, str]:
        """Distribution → installed version ("" when missing) for those not among the tested."""
        installed = {name: installed_version(name) or "" for name in self.tested}
        return {name: v for name, v in installed.items() if v not in self.tested[name]}


TESTED: dict[str, Speedup] = {
    "letter_stylesheet": Speedup(
        {"weasyprint": frozenset({"70.0"})},
        "HTML._ua_stylesheets(forms) chooses the user-agent stylesheets; weasyprint.html.UA is "
        "the text of the stock one, with five '::footnote-…'/'::note-…' rules and one "
        "'::marker {' rule; CSS(counter_style=) takes a registry for its @counter-style rules"),
    "deflate_streams": Speedup(
        {"pydyf": frozenset({"0.13.0"})},
        "pydyf.PDF.objects lists the objects; a pydyf.Stream keeps its items in .stream, its "
        "dictionary in .extra and .compress says whether pydyf deflates it (then joins the items "
        "with b'\\n' through pydyf._to_bytes, and adds /Filter /FlateDecode)"),
    "open_font_arrays": Speedup(
        {"weasyprint": frozenset({"70.0"}), "cffi": frozenset({"2.1.1"})},
        "weasyprint.pdf.fonts looks up the module global ffi at each call and allocates its glyph "
        "lists as ffi.new(f'hb_codepoint_t[{n}]', items) with n == len(items)"),
    "patch_xml_once": Speedup(
        {"docxtpl": frozenset({"0.20.2"})},
        "DocxTemplate.patch_xml(src_xml) cleans each template part's XML before Jinja compiles "
        "it, and its result depends on that XML only"),
}


@functools.cache
def enabled(name: str) -> bool:
    """Is speed-up ``name`` applied in this process? Logs once when it is not."""
    untested = TESTED[name].untested()
    if untested:
        found = ", ".join(f"{dist} {version or '(not installed)'}"
                          for dist, version in untested.items())
        log.warning("speed-up %s is off, the stock code is used: %s not among the tested "
                    "versions %s", name, found,
                    {d: sorted(v) for d, v in TESTED[name].tested.items()})
    return not untested


# ---------------------------------------------------------------- what the writers ask for


def html_class() -> type[HTML]:
    """The ``HTML`` class the PDF writer lays letters out with."""
    return LetterHTML if enabled("letter_stylesheet") else HTML


def pdf_finisher() -> Callable[[object, pydyf.PDF], None] | None:
    """The ``write_pdf`` finisher: ``deflate_streams``, or None for pydyf's own compression."""
    return deflate_streams if enabled("deflate_streams") else None


def install_font_arrays() -> None:
    """Give WeasyPrint's font embedding an ``OpenArrays`` (once), when tested."""
    if enabled("open_font_arrays") and not isinstance(weasyprint_fonts.ffi, OpenArrays):
        weasyprint_fonts.ffi = OpenArrays(weasyprint_fonts.ffi)


def docx_template(template_file: Any, patched: dict[str, str]) -> DocxTemplate:
    """A docxtpl template to fill; ``patched`` (template XML → cleaned XML) is kept by the caller."""
    if enabled("patch_xml_once"):
        return PatchedOnce(template_file, patched)
    return DocxTemplate(template_file)


# ---------------------------------------------------------------- letter_stylesheet

#: WeasyPrint's user-agent rules for footnote and note markers (``::footnote-call { … }`` …).
_NOTE_RULES = re.compile(r"^::(?:footnote|note)-[a-z-]+ \{[^}\n]*\}\n", re.MULTILINE)
#: Its rule for list markers, which selects the ``::marker`` of every element.
_ANY_MARKER = "\n::marker {"


@functools.cache
def letter_ua_stylesheet() -> CSS:
    """WeasyPrint's HTML user-agent stylesheet: no footnote or note rules, markers of ``li`` only.

    Those rules select a pseudo-element of *every* element (``::footnote-call``, ``::marker`` …),
    so WeasyPrint computes six more styles per element of every document: ≈8% (notes) and ≈5%
    (markers) of a PDF's time (docs/performance.md). Our letters have no footnotes
    (``float: footnote``) and no notes, and only ``li`` is a list item, so the PDFs are
    byte-identical (tests/render/test_render_speed.py). Parsed once per process; its
    ``@counter-style`` rules go to a throwaway registry (the stock one already has them).
    """
    text = _NOTE_RULES.sub("", STOCK_UA_TEXT).replace(_ANY_MARKER, "\nli::marker {")
    return CSS(string=text, counter_style=CounterStyle())


class LetterHTML(HTML):
    """``HTML`` laid out with ``letter_ua_stylesheet()`` instead of the stock one.

    Overrides WeasyPrint's ``_ua_stylesheets`` hook; used only with the versions in ``TESTED``.
    """

    def _ua_stylesheets(self, forms=False):
        return super()._ua_stylesheets(forms) if forms else [letter_ua_stylesheet()]


# ---------------------------------------------------------------- deflate_streams

#: zlib level of the PDF's streams (fonts, page drawings). pydyf always uses 9; on our letters
#: 6, zlib's own default, takes 4.4 instead of 10.6 ms a PDF for files 0.7% larger.
STREAM_COMPRESSION_LEVEL = 6


def deflate_streams(document: object, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: deflate every stream pydyf would compress, at our level.

    Called by ``write_pdf`` once the PDF objects exist and before pydyf serialises them. Each
    stream becomes one pre-deflated chunk marked ``/FlateDecode`` with ``compress`` off, which
    pydyf then writes as it is. The inflated content is byte-for-byte what pydyf would have
    deflated (its own ``_to_bytes`` joins the items): tests/render/test_render_speed.py compares
    them. pydyf's small object and cross-reference streams, made while writing, stay at level 9.
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


# ---------------------------------------------------------------- open_font_arrays

#: A C array type with its length, as WeasyPrint writes it (``hb_codepoint_t[412]``).
_SIZED_ARRAY = re.compile(r"([A-Za-z_][A-Za-z0-9_ ]*)\[(\d+)\]")


class OpenArrays:
    """cffi's ``FFI`` for WeasyPrint's fonts: ``new("T[N]", items)`` made as ``new("T[]", items)``.

    WeasyPrint subsets each font with ``ffi.new(f"hb_codepoint_t[{len(glyphs)}]", glyphs)``.
    cffi parses every new type string with pycparser (2.7 ms) and keeps it forever; the glyph
    counts differ from document to document, so a worker kept parsing (≈2 ms a PDF, and a
    cache that only grows). ``T[]`` filled with the same items is the same array, of one type
    parsed once. Calls whose items do not fill the array exactly, and every other attribute,
    go to the real ``FFI``. Installed in ``weasyprint.pdf.fonts`` only (``install_font_arrays``):
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


# ---------------------------------------------------------------- patch_xml_once


class PatchedOnce(DocxTemplate):
    """docxtpl's template, with its XML clean-up looked up in ``patched`` after the first time.

    ``patch_xml`` runs a dozen regular expressions over the template's XML before Jinja sees it
    (≈40% of a .docx's time) and depends on nothing but that XML, which is the same for every
    case of a template (docs/performance.md). ``patched`` maps template XML → cleaned XML.
    """

    def __init__(self, template_file: Any, patched: dict[str, str]) -> None:
        super().__init__(template_file)
        self._patched = patched

    def patch_xml(self, src_xml: str) -> str:
        if src_xml not in self._patched:
            self._patched[src_xml] = super().patch_xml(src_xml)
        return self._patched[src_xml]
