"""The renderers' speed-ups (pipeline.render.speedups) change speed, never the documents.

- ``LetterHTML`` (``letter_stylesheet``): letters are laid out without WeasyPrint's footnote and
  note user-agent rules, and with its list-marker rule for ``li`` only. The same HTML is rendered
  with the stock stylesheet and with ours and the PDF bytes compared (WeasyPrint's output is
  deterministic), for the sample cases' documents and for the elements staff may add to a template.
- ``deflate_streams``: the streams are deflated at zlib level 6 instead of pydyf's 9. The bytes
  differ, so each PDF is compared with pydyf's own: every stream inflated, and everything outside
  the streams but their ``/Length``, must be equal.
- ``OpenArrays`` (``open_font_arrays``): cffi allocates WeasyPrint's glyph arrays as ``T[]``
  instead of parsing a new ``T[N]`` type for every font subset; the arrays and the PDFs are the same.
- ``PatchedOnce`` (``patch_xml_once``): docxtpl's XML clean-up is done once per template part;
  the .docx bytes equal those of a plain ``DocxTemplate``.

Each is applied only with the versions in ``speedups.TESTED``: with the table faked to exclude
the installed versions the stock code runs and gives the same documents. The internals each one
relies on are checked directly, so an upgrade that changes them fails here.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import logging
import re
import zlib
from datetime import date
from pathlib import Path

import cffi
import docx
import pydyf
import pypdf
import pytest
from docxtpl import DocxTemplate
from weasyprint import CSS, HTML
from weasyprint.html import UA as STOCK_UA_TEXT
from weasyprint.html import UA_STYLESHEET

from pipeline.compute import compute_case
from pipeline.config import load_config
from pipeline.documents import build_views
from pipeline.read.validate import load_case
from pipeline.render import Renderer, speedups, view_context
from pipeline.render.docx import fixed_zip_times
from pipeline.render.speedups import (
    STREAM_COMPRESSION_LEVEL,
    TESTED,
    LetterHTML,
    OpenArrays,
    PatchedOnce,
    deflate_streams,
    install_font_arrays,
    letter_ua_stylesheet,
    weasyprint_fonts,
)
from pipeline.render.versions import installed_version

INPUTS = Path(__file__).resolve().parents[2] / "inputs"
#: Between them: all three documents, juniors and 差押, 髙 and 﨑, 𠮷 (the names font), a lump sum.
SAMPLES = ("2026-0148", "2026-0151", "2026-0166")

STAFF_ELEMENTS = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head>
<body><h1>表題</h1><h2>見出し</h2><h3>小見出し</h3>
<p><b>太字</b><strong>強調</strong><em>斜体</em><u>下線</u><small>小</small>x<sup>2</sup>
<span class="note">注</span><br>改行の後 <a href="https://example.invalid/">リンク</a></p>
<ul><li>箇条書き<ul><li>入れ子</li></ul></li></ul><ol><li>一</li><li>二</li></ol><hr>
<table><caption>表</caption><thead><tr><th>項目</th><th>金額</th></tr></thead>
<tbody><tr><td>仲介手数料</td><td class="num">528,000円</td></tr></tbody></table>
<blockquote>引用</blockquote><pre>  整形済み</pre><dl><dt>用語</dt><dd>説明</dd></dl></body></html>"""


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _write(renderer: Renderer, html: str, document=LetterHTML, finisher=None) -> bytes:
    """A PDF as the renderer's writer makes it, with another HTML class or finisher."""
    writer = renderer._pdf
    return document(string=html, base_url=writer.base_url, url_fetcher=writer.fetcher).write_pdf(
        stylesheets=[writer.css], font_config=writer.font_config, finisher=finisher)


def _stock_and_letter(renderer: Renderer, html: str) -> tuple[bytes, bytes]:
    return _write(renderer, html, document=HTML), _write(renderer, html)


def test_only_the_note_rules_are_left_out_and_markers_narrowed_to_li():
    ours = letter_ua_stylesheet()
    assert ours is letter_ua_stylesheet()  # parsed once per process
    stock_lines = STOCK_UA_TEXT.splitlines()
    left_out = [line for line in stock_lines if line.startswith(("::footnote-", "::note-"))]
    assert len(left_out) == 5  # a WeasyPrint upgrade that changes them must be looked at
    assert sum(line.startswith("::marker {") for line in stock_lines) == 1
    # Those five rules are gone, ::marker is tried on li only, every other rule is still there.
    assert len(UA_STYLESHEET.matcher.other_selectors) - len(ours.matcher.other_selectors) == 6
    assert UA_STYLESHEET.matcher.order - ours.matcher.order == 5
    assert "li" in ours.matcher.lower_local_name_selectors


def _views(case_id: str) -> list:
    config = load_config()
    case, issues = load_case(INPUTS / f"{case_id}.xlsx", profiles=config.profiles.keys())
    assert case is not None, [i.code for i in issues]
    return list(build_views(case, compute_case(case, config, date(2026, 11, 30)), config))


@pytest.mark.parametrize("case_id", SAMPLES)
def test_sample_documents_are_byte_identical(renderer, case_id):
    for view in _views(case_id):
        stock, letter = _stock_and_letter(renderer, renderer.html(view))
        assert stock == letter, view.filename_stem


def test_elements_staff_may_add_are_byte_identical(renderer):
    stock, letter = _stock_and_letter(renderer, STAFF_ELEMENTS)
    assert stock == letter


def test_the_renderer_lays_out_with_the_letter_stylesheet(renderer, monkeypatch):
    used = []
    original = LetterHTML._ua_stylesheets

    def spy(self, forms=False):
        used.append(original(self, forms))
        return used[-1]

    monkeypatch.setattr(LetterHTML, "_ua_stylesheets", spy)
    renderer._pdf.write(STAFF_ELEMENTS)
    assert used and used[0] == [letter_ua_stylesheet()]


_OBJECT = re.compile(rb"(\d+ 0 obj\n<<.*?>>)\nstream\n(.*?)\nendstream", re.DOTALL)
_OFFSETS = re.compile(rb"/Length \d+|startxref\n\d+")


def _inflated(pdf: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Each stream object's dictionary and inflated content, then the rest of the file.

    Byte offsets are left out: the stream lengths, ``startxref`` and the cross-reference stream
    (a table of offsets) differ whenever a stream compresses differently.
    """
    objects = [(_OFFSETS.sub(b"", head),
                zlib.decompress(data) if b"/FlateDecode" in head else data)
               for head, data in _OBJECT.findall(pdf) if b"/Type /XRef" not in head]
    return objects, _OFFSETS.sub(b"", _OBJECT.sub(b"", pdf))


def _pydyf_and_ours(renderer: Renderer, html: str) -> tuple[bytes, bytes]:
    return _write(renderer, html), _write(renderer, html, finisher=deflate_streams)


@pytest.mark.parametrize("case_id", SAMPLES)
def test_streams_deflated_at_our_level_hold_what_pydyf_would_write(renderer, case_id):
    assert STREAM_COMPRESSION_LEVEL == 6
    for view in _views(case_id):
        theirs, ours = _pydyf_and_ours(renderer, renderer.html(view))
        assert ours != theirs and len(_OBJECT.findall(ours)) > 3  # really recompressed
        assert _inflated(ours) == _inflated(theirs), view.filename_stem


def test_staff_elements_deflated_at_our_level_hold_the_same(renderer):
    theirs, ours = _pydyf_and_ours(renderer, STAFF_ELEMENTS)
    assert _inflated(ours) == _inflated(theirs)


def test_streams_of_other_items_than_bytes_are_deflated_as_pydyf_joins_them():
    def written(finisher) -> bytes:
        pdf = pydyf.PDF()
        pdf.add_object(pydyf.Stream([b"q", 1, 2.5, 3.0, "BT", b"Q"], compress=True))
        pdf.add_object(pydyf.Stream([b"raw"], compress=False))
        if finisher:
            finisher(None, pdf)
        out = io.BytesIO()
        pdf.write(out, compress=True)
        return out.getvalue()

    theirs, ours = written(None), written(deflate_streams)
    assert b"raw" in ours and b"q\n1\n2.5\n3\nBT\nQ" in _inflated(ours)[0][0]
    assert _inflated(ours) == _inflated(theirs)


def test_the_renderer_writes_with_our_level(renderer, monkeypatch):
    levels = []
    real = zlib.compress
    monkeypatch.setattr(zlib, "compress", lambda data, level=-1: levels.append(level) or real(
        data, level))
    pdf, _, _ = renderer._pdf.write(STAFF_ELEMENTS)
    assert levels and set(levels) == {STREAM_COMPRESSION_LEVEL}
    assert pdf.startswith(b"%PDF-")


def test_sized_arrays_are_allocated_as_the_same_open_arrays():
    real = cffi.FFI()
    real.cdef("typedef uint32_t hb_codepoint_t;")
    ffi = OpenArrays(real)
    for n in (1, 412, 413, 9000):
        array = ffi.new(f"hb_codepoint_t[{n}]", tuple(range(n, 0, -1)))
        assert ffi.typeof(array) is ffi.typeof("hb_codepoint_t[]") and len(array) == n
        assert list(array) == list(range(n, 0, -1))
    padded = ffi.new("hb_codepoint_t[5]", [7])  # items fewer than the length: left as asked
    assert list(padded) == [7, 0, 0, 0, 0] and ffi.typeof(padded) is ffi.typeof("hb_codepoint_t[5]")
    assert ffi.new("hb_codepoint_t *", 3)[0] == 3 and ffi.NULL is real.NULL
    assert not [t for t in real._parsed_types if "[4" in t or "[1]" in t or "[9" in t]


def test_weasyprint_embeds_fonts_with_open_arrays(renderer):
    install_font_arrays()  # once: not wrapped twice
    assert isinstance(weasyprint_fonts.ffi, OpenArrays)
    assert not isinstance(weasyprint_fonts.ffi.ffi, OpenArrays)
    real = weasyprint_fonts.ffi.ffi
    renderer._pdf.write(STAFF_ELEMENTS)
    before = set(real._parsed_types)
    for case_id in SAMPLES:
        for view in _views(case_id):
            renderer.pdf(view)
    assert set(real._parsed_types) == before  # no type parsed for any subset


@pytest.mark.parametrize("case_id", SAMPLES[:2])
def test_pdfs_with_open_arrays_are_byte_identical(renderer, monkeypatch, case_id):
    views = _views(case_id)
    ours = [renderer.pdf(view)[0] for view in views]
    monkeypatch.setattr(weasyprint_fonts, "ffi", weasyprint_fonts.ffi.ffi)
    assert [renderer.pdf(view)[0] for view in views] == ours


def _plain_docx(renderer: Renderer, view) -> bytes:
    """What docxtpl makes without the cache, dated as the renderer dates its files."""
    writer = renderer._docx
    doc = DocxTemplate(io.BytesIO(writer.template_bytes(f"{view.template}.docx")))
    doc.render(view_context(view), jinja_env=writer.env, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return fixed_zip_times(out.getvalue(), view.date)


@pytest.mark.parametrize("case_id", SAMPLES)
def test_docx_with_the_cleaned_xml_kept_is_byte_identical(renderer, case_id):
    for view in _views(case_id) * 2:  # the second time from the kept XML
        assert renderer.docx(view) == _plain_docx(renderer, view), view.filename_stem


def test_docx_cleans_each_template_part_once(monkeypatch):
    calls = []
    original = DocxTemplate.patch_xml

    def counting(self, src_xml):
        calls.append(src_xml)
        return original(self, src_xml)

    monkeypatch.setattr(DocxTemplate, "patch_xml", counting)
    renderer = Renderer()
    views = [v for v in _views("2026-0148") if v.template == "sale_request"]
    assert len(views) >= 2
    for view in views:
        renderer.docx(view)
    parts = len(set(calls))
    assert parts >= 1 and len(calls) == parts  # every part cleaned once, then looked up


# ---------------------------------------------------------------- each applied with tested versions


def test_installed_versions_are_the_tested_ones():
    """After an upgrade the speed-ups would be off (slower, same documents): look at them first.

    Run this file with the new version, then add it to ``speedups.TESTED`` (and constraints.txt).
    """
    untested = {name: s.untested() for name, s in TESTED.items() if s.untested()}
    assert untested == {}


def test_the_renderer_uses_every_speedup_with_the_tested_versions(renderer):
    assert all(speedups.enabled(name) for name in TESTED)
    assert renderer._pdf.html_class is LetterHTML
    assert renderer._pdf.finisher is deflate_streams
    assert isinstance(weasyprint_fonts.ffi, OpenArrays)
    assert isinstance(speedups.docx_template(io.BytesIO(renderer._docx.template_bytes(
        "sale_request.docx")), {}), PatchedOnce)


@pytest.fixture
def untested_versions(monkeypatch):
    """``TESTED`` with every version replaced by one that is not installed; the stock fonts FFI."""
    faked = {name: dataclasses.replace(s, tested={dist: frozenset({"0.0.0-untested"})
                                                  for dist in s.tested})
             for name, s in TESTED.items()}
    monkeypatch.setattr(speedups, "TESTED", faked)
    if isinstance(weasyprint_fonts.ffi, OpenArrays):
        monkeypatch.setattr(weasyprint_fonts, "ffi", weasyprint_fonts.ffi.ffi)
    speedups.enabled.cache_clear()
    yield
    speedups.enabled.cache_clear()


def test_untested_versions_use_the_stock_code_and_say_so_once(untested_versions, caplog):
    caplog.set_level(logging.WARNING, logger="pipeline.render.speedups")
    stock = Renderer()
    Renderer()  # a second renderer in the same process: no second message
    assert stock._pdf.html_class is HTML and stock._pdf.finisher is None
    assert not isinstance(weasyprint_fonts.ffi, OpenArrays)
    template = io.BytesIO(stock._docx.template_bytes("sale_request.docx"))
    assert type(speedups.docx_template(template, {})) is DocxTemplate
    messages = [r.getMessage() for r in caplog.records if r.name == "pipeline.render.speedups"]
    assert sorted(m.split()[1] for m in messages) == sorted(TESTED)  # each once
    assert all(" is off, the stock code is used: " in m and "0.0.0-untested" in m
               for m in messages)


@pytest.mark.parametrize("case_id", SAMPLES[:2])
def test_the_stock_code_builds_the_same_documents(renderer, untested_versions, case_id):
    """Valid documents with the same content: the .docx byte-identical, the PDFs' streams equal
    once inflated (the stock code deflates at pydyf's level 9)."""
    stock = Renderer()
    assert stock._pdf.html_class is HTML and stock._pdf.finisher is None
    for view in _views(case_id):
        pdf, _ = stock.pdf(view)
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        ours = renderer.pdf(view)[0]
        assert reader.pages[0].extract_text().strip()
        assert [p.extract_text() for p in reader.pages] == \
            [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(ours)).pages]
        assert pdf != ours  # deflated by pydyf at its level 9, not by deflate_streams
        assert b"/FlateDecode" in pdf and _inflated(pdf) == _inflated(ours), view.filename_stem
        word = stock.docx(view)
        assert docx.Document(io.BytesIO(word)).paragraphs
        assert word == renderer.docx(view), view.filename_stem


# ---------------------------------------------------------------- the internals they rely on


def test_weasyprint_ua_stylesheet_hook_is_as_letter_stylesheet_expects():
    assert list(inspect.signature(HTML._ua_stylesheets).parameters) == ["self", "forms"]
    assert HTML(string="<p>x</p>")._ua_stylesheets() == [UA_STYLESHEET]
    assert "counter_style" in inspect.signature(CSS.__init__).parameters
    assert isinstance(STOCK_UA_TEXT, str) and "\n::marker {" in STOCK_UA_TEXT


def test_write_pdf_still_takes_a_finisher_given_the_pydyf_pdf():
    seen = []
    HTML(string="<p>x</p>").write_pdf(finisher=lambda doc, pdf: seen.append(pdf))
    assert len(seen) == 1 and isinstance(seen[0], pydyf.PDF)
    assert any(isinstance(obj, pydyf.Stream) and obj.compress for obj in seen[0].objects)


def test_pydyf_stream_is_as_deflate_streams_expects():
    stream = pydyf.Stream([b"q"], extra={"Type": "/X"}, compress=True)
    assert (stream.stream, stream.extra, stream.compress) == ([b"q"], {"Type": "/X"}, True)
    assert pydyf._to_bytes(2.5) == b"2.5" and pydyf._to_bytes("BT") == b"BT"
    # A stream handed over already deflated, compress off, is written as it is.
    deflated = zlib.compress(b"q\nQ", STREAM_COMPRESSION_LEVEL)
    written = pydyf.Stream([deflated], extra={"Filter": "/FlateDecode"}).data
    assert written.endswith(b"stream\n" + deflated + b"\nendstream")
    assert b"/Filter /FlateDecode" in written and b"/Length %d" % len(deflated) in written
    # What pydyf deflates itself: the items joined with newlines.
    own = pydyf.Stream([b"q", 1, "Q"], compress=True).data
    assert zlib.decompress(own.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]) == b"q\n1\nQ"


#: How WeasyPrint allocates a glyph list: ``ffi.new(f'T[{len(items)}]', items)``.
_SIZED_NEW = re.compile(r"ffi\.new\(f'(\w+)\[\{len\((\w+)\)\}\]', (?:sorted\()?(\w+)\)?\)")


def test_weasyprint_allocates_glyph_lists_as_open_font_arrays_expects():
    assert isinstance(getattr(weasyprint_fonts.ffi, "ffi", weasyprint_fonts.ffi), cffi.FFI)
    source = inspect.getsource(weasyprint_fonts)
    sized = _SIZED_NEW.findall(source)
    assert [kind for kind, _, _ in sized] == ["hb_codepoint_t"] * 3
    assert all(length == items for _, length, items in sized)  # the items fill the array
    assert source.count("ffi.new(f'") == len(sized)  # no other sized array built from a count


def test_docxtpl_patch_xml_is_as_patch_xml_once_expects():
    assert list(inspect.signature(DocxTemplate.patch_xml).parameters) == ["self", "src_xml"]
    source = inspect.getsource(DocxTemplate.patch_xml)
    assert "self." not in source  # its result depends on the XML alone
    assert "self.patch_xml(" in inspect.getsource(DocxTemplate)


def test_a_missing_distribution_is_untested():
    speedup = speedups.Speedup({"ninbai-no-such-dist": frozenset({"1.0"})}, "nothing")
    assert installed_version("ninbai-no-such-dist") is None
    assert speedup.untested() == {"ninbai-no-such-dist": ""}
