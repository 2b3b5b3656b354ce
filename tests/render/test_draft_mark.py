"""「案」 on every page of every document of a case with a 重要 (high) warning, in PDF and Word.

Real rendering of real samples: 2026-0172 has three high warnings (deductions exceed the price,
price below the 買受可能価額, the first lien does better at auction), 2026-0142 none. The mark
is found where a reader sees it — a large 「案」 alone in the top right corner of each PDF page,
the header of each Word section — not just anywhere in the text (配分案 and 提案 are words of
the letters).
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import docx
from docx.shared import RGBColor
from pypdf import PdfReader

from render.test_templates import INPUTS, case_views

DRAFT = INPUTS / "2026-0172.xlsx"  # deductions_exceed_price, price_below_min_bid, … (high)
CLEAN = INPUTS / "2026-0142.xlsx"  # no warning at all
RED = RGBColor(0xC0, 0x00, 0x00)


def corner_marks(page) -> list[float]:
    """Font sizes (pt) of the runs that are exactly 「案」 in the top right corner of a page."""
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]  # device position of the run (pt, from bottom)
        y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
        if text.strip() == "案" and x > width * 0.75 and y > height * 0.9:
            sizes.append(size * abs(cm[3] * tm[3]))

    page.extract_text(visitor_text=visit)
    return sizes


def pdf_pages(data: bytes) -> list:
    return list(PdfReader(io.BytesIO(data)).pages)


def header_paragraphs(data: bytes) -> list:
    """The paragraphs of every header of every section (default, first page, even pages)."""
    document = docx.Document(io.BytesIO(data))
    out = []
    for section in document.sections:
        headers = [section.header, section.first_page_header, section.even_page_header]
        out += [p for h in headers if not h.is_linked_to_previous for p in h.paragraphs]
    return out


def test_the_views_of_a_case_with_high_warnings_are_drafts(config):
    assert {v.draft for v in case_views(DRAFT, config)} == {True}
    assert {v.draft for v in case_views(CLEAN, config)} == {False}


def test_a_case_with_only_ordinary_warnings_is_not_a_draft(config):
    """2026-0160 has four 警告 (warn) and no 重要: its letters go out without the mark."""
    assert {v.draft for v in case_views(INPUTS / "2026-0160.xlsx", config)} == {False}


def test_every_pdf_page_of_a_draft_case_carries_the_mark(config, renderer):
    pages = 0
    for view in case_views(DRAFT, config):
        pdf, _ = renderer.pdf(view)
        for number, page in enumerate(pdf_pages(pdf), 1):
            sizes = corner_marks(page)
            assert len(sizes) == 1, f"{view.filename_stem} p.{number}: {sizes}"
            assert sizes[0] >= 20, "large enough to be seen at a glance (24pt)"
            pages += 1
    assert pages >= 4  # the 同意申請書 has its 別紙 on a page of its own


def test_a_clean_case_has_no_mark(config, renderer):
    for view in case_views(CLEAN, config):
        pdf, _ = renderer.pdf(view)
        assert all(corner_marks(p) == [] for p in pdf_pages(pdf)), view.filename_stem
        assert [p.text for p in header_paragraphs(renderer.docx(view))] == [""]


def test_the_shared_annex_pages_carry_the_mark_too(config, renderer):
    """A case with many creditors appends one 別紙 laid out once (pipeline/render/annex.py)."""
    letter = next(v for v in case_views(DRAFT, config) if v.kind == "sale_request")
    view = dataclasses.replace(letter, shared_annex=True)
    pdf, _ = renderer.pdf(view)
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    assert all(len(corner_marks(p)) == 1 for p in pages)


def test_every_word_section_of_a_draft_case_has_the_mark_in_its_header(config, renderer):
    for view in case_views(DRAFT, config):
        document = docx.Document(io.BytesIO(renderer.docx(view)))
        for section in document.sections:
            assert not section.header.is_linked_to_previous, view.filename_stem
            [paragraph] = section.header.paragraphs
            assert paragraph.text == "案", view.filename_stem
            [run] = [r for r in paragraph.runs if r.text]
            assert run.font.color.rgb == RED and run.font.size.pt >= 18
        # the body itself is unchanged: the mark lives in the header only
        assert all(p.text != "案" for p in document.paragraphs)


def test_word_templates_have_the_mark_in_every_section_header():
    """A template given a second section in Word must give it the header too."""
    for template in sorted((Path(__file__).parents[2] / "templates").glob("*.docx")):
        document = docx.Document(template)
        for section in document.sections:
            texts = [p.text for p in section.header.paragraphs]
            assert texts == ["{% if draft %}案{% endif %}"], (template.name, texts)
