"""The text of a Word file for comparing revisions, read with the standard library alone."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from textof import docx_text

from pipeline.batch.docxtext import DocxTextError, docx_lines

REPO = Path(__file__).resolve().parents[2]


def word_file(build) -> bytes:
    document = docx.Document()
    build(document)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page_field(paragraph) -> None:
    """A PAGE field (begin, instruction, separate, cached result «7», end)."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "7"),
                       ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            element = OxmlElement("w:instrText")
            element.text = text
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def test_paragraphs_tables_and_the_header_in_order():
    def build(document):
        document.sections[0].header.paragraphs[0].text = "案"
        document.add_paragraph("任意売却に関する同意申請書")
        document.add_paragraph("")  # spacing: no line
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "売却価格", "金14,000,000円"
        table.cell(1, 0).text = "買主"
        footer = document.sections[0].footer.paragraphs[0]
        footer.add_run("ページ ")
        page_field(footer)
        document.add_paragraph("以上")

    lines = docx_lines(word_file(build))
    assert lines == ["案", "ページ", "任意売却に関する同意申請書", "売却価格｜金14,000,000円", "買主｜",
                     "以上"]


def test_text_prints_as_typed():
    hostile = "<b>{{ x }}</b> A&B =HYPERLINK(\"http://x\")"
    lines = docx_lines(word_file(lambda d: d.add_paragraph(hostile)))
    assert lines == [hostile]


def test_tabs_and_breaks_are_spaces():
    def build(document):
        paragraph = document.add_paragraph("債権者")
        paragraph.add_run().add_tab()
        paragraph.add_run("東都みらい銀行")
        paragraph.add_run().add_break()
        paragraph.add_run("融資管理部")

    assert docx_lines(word_file(build)) == ["債権者 東都みらい銀行 融資管理部"]


def test_a_real_letter_has_the_words_python_docx_finds(tmp_path):
    from batch.test_compare import LETTER, SAMPLE, build, copy_sample

    batch_dir = build(tmp_path / "out", copy_sample(tmp_path / "in")).batch_dir
    data = (batch_dir / SAMPLE / LETTER).read_bytes()
    ours = "\n".join(docx_lines(data))
    for paragraph in docx_text(data).splitlines():
        for cell in paragraph.split("\n"):
            assert cell.strip() in ours


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04broken"])
def test_a_damaged_file_is_named(data):
    with pytest.raises(DocxTextError, match="2026-0142/01_申請書.docx の文面を読めません"):
        docx_lines(data, "2026-0142/01_申請書.docx")


def test_a_zip_without_a_body_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    with pytest.raises(DocxTextError):
        docx_lines(out.getvalue(), "x.docx")
