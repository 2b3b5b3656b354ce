"""benchmarks.reference: the yardstick is one A4 page with a 25-row table, timed warm."""

from __future__ import annotations

from benchmarks.reference import TABLE_ROWS, reference_html, time_reference
from pipeline.render.fonts import PDF_FONT_FAMILY


def test_reference_document_has_the_table_rows_and_the_pdf_fonts():
    html = reference_html(PDF_FONT_FAMILY)
    assert html.count("<tr><td>") == TABLE_ROWS
    assert PDF_FONT_FAMILY in html


def test_reference_render_is_one_page_and_timed_as_asked():
    result = time_reference(timed=3, warm_up=1)
    assert result["pages"] == 1
    assert len(result["seconds"]) == 3
    assert min(result["seconds"]) <= result["median"] <= max(result["seconds"])
