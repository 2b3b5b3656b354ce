"""The Word templates are their own source: staff edit templates/*.docx in Word.

Nothing generates them, so nothing here compares bytes. Instead:

- ``ninbai check-templates`` runs over templates/ with the repository's sample cases, as staff
  run it after an edit (syntax, misspelt variables, sandbox, files outside the folder);
- each .docx has a golden dump of its text and Jinja tags in tests/golden/templates/ — paragraphs,
  table rows and cells, headers and footers, document properties — so a change made in Word is
  a reviewable diff of wording and tags (``pytest --update-golden`` rewrites them after an
  intended edit);
- a template edited with python-docx the way staff edit in Word (a sentence added, a table moved)
  still builds, and the letter prints the sentence and the table in its new place.

Word and PDF saying the same thing is tests/render/test_templates.py.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from factory import copy_sample
from textof import docx_template_dump, docx_text, pdf_text

from pipeline import shipped_templates
from pipeline.cli import main
from pipeline.render.templatecheck import default_samples

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
GOLDEN = REPO / "tests" / "golden" / "templates"
WORD_TEMPLATES = sorted(TEMPLATES.glob("*.docx"))
SAMPLE = REPO / "inputs" / "2026-0142.xlsx"


def test_the_package_finds_the_templates_of_the_repository():
    """In a checkout the shipped templates are templates/ itself, not a copy to keep in step."""
    assert shipped_templates().resolve() == TEMPLATES.resolve()
    assert {p.name for p in WORD_TEMPLATES} == {
        "cover_letter.docx", "sale_request.docx", "household_statement.docx",
        "repayment_proposal.docx"}


def test_check_templates_passes_on_the_shipped_templates():
    """``ninbai check-templates`` with its defaults: templates/ and every sample case."""
    result = CliRunner().invoke(main, ["check-templates", "--templates", str(TEMPLATES),
                                       "--date", "2026-11-30"])
    assert result.exit_code == 0, result.output
    samples = default_samples()
    assert len(samples) >= 9 and {p.parent for p in samples} == {REPO / "inputs"}
    lines = result.output.splitlines()
    for path in sorted(TEMPLATES.rglob("*.docx")) + sorted(TEMPLATES.rglob("*.html")):
        assert f"問題なし  {path.relative_to(TEMPLATES).as_posix()}" in lines, result.output
    assert not [line for line in lines if line.startswith("エラー")], result.output
    assert f"サンプル案件 {len(samples)}件で確認" in lines[-1]


@pytest.mark.parametrize("template", WORD_TEMPLATES, ids=lambda p: p.name)
def test_golden_dump_of_the_word_template(template, update_golden):
    dump = docx_template_dump(template.read_bytes())
    golden = GOLDEN / f"{template.name}.txt"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(dump, "utf-8")
    assert golden.is_file(), f"{golden} がありません: pytest --update-golden で作成してください"
    assert dump == golden.read_text("utf-8"), (
        f"{template.name} changed: review the diff, then run pytest --update-golden")


def test_the_dump_shows_tags_cells_footer_and_properties():
    """The dump a reviewer reads has what matters: a loop row tag, a cell, the footer fields."""
    dump = docx_template_dump((TEMPLATES / "sale_request.docx").read_bytes())
    assert "{%p if company.address %}\n{{ company.address }}\n{%p endif %}" in dump
    assert "| {%tr for d in deductions %} |" in dump
    assert "| 売却価格 | {{ sale_price_text }} |" in dump
    assert "== word/footer1.xml\n«PAGE» / «NUMPAGES»" in dump
    assert "title: 任意売却に関する同意申請書" in dump


# --- a template edited as in Word ------------------------------------------------------------

#: A sentence a member of staff types into the letter, with a variable in it.
SENTENCE = "{{ debtor.name }}様の件につき、決済予定日までにご回答くださいますようお願いいたします。"
SUMMARY_FIRST_CELL = "売却価格"  # the small table 売却価格 / 控除費用合計 / 担保権者への配当原資
DEDUCTIONS_HEADING = "（１）売却代金から控除する費用"


def _first_cells(document) -> list[str]:
    return [t.cell(0, 0).text for t in document.tables]


def sample_debtor() -> str:
    from pipeline.config import load_config
    from pipeline.read.validate import load_case

    case, issues = load_case(SAMPLE, profiles=load_config(None).profiles.keys())
    assert case is not None, [str(i) for i in issues]
    return case.debtor.name


def edit_as_staff(path: Path) -> None:
    """Add a sentence before 記 and move the 売却価格 summary table above the deductions.

    python-docx edits the XML the way Word saves it: a new paragraph, and a table element moved
    elsewhere in the body (the one after the deductions table goes before its heading).
    """
    document = docx.Document(str(path))
    ki = next(p for p in document.paragraphs if p.text == "記")
    ki.insert_paragraph_before(SENTENCE)
    summary = next(t for t in document.tables if t.cell(0, 0).text == SUMMARY_FIRST_CELL)
    heading = next(p for p in document.paragraphs if p.text == DEDUCTIONS_HEADING)
    heading._p.addprevious(summary._tbl)  # lxml moves the element (it is not copied)
    document.save(str(path))


def test_a_template_edited_in_word_still_builds_and_prints_the_edit(tmp_path, monkeypatch):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    target = templates / "sale_request.docx"
    before = _first_cells(docx.Document(str(target)))
    assert before.index("項目") < before.index(SUMMARY_FIRST_CELL)  # deductions first, today
    edit_as_staff(target)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    copy_sample(SAMPLE, inputs)
    monkeypatch.setenv("NINBAI_TEMPLATES", str(templates))

    result = CliRunner().invoke(main, ["build", str(inputs), "--out", str(tmp_path / "out"),
                                       "--date", "2026-11-30", "--jobs", "1"])

    assert result.exit_code == 0, result.output
    debtor = sample_debtor()
    letters = sorted((tmp_path / "out" / "2026-11-30" / "2026-0142").glob("*同意申請書*.docx"))
    assert letters
    for letter in letters:
        data = letter.read_bytes()
        text = docx_text(data)
        assert f"{debtor}様の件につき、決済予定日までにご回答" in text, letter.name
        cells = _first_cells(docx.Document(io.BytesIO(data)))
        assert cells.index(SUMMARY_FIRST_CELL) < cells.index("項目"), letter.name
        # The PDF is laid out from sale_request.html, which was not edited: the Word edit
        # changes the .docx only, and the PDF keeps its wording.
        pdf = letter.with_suffix(".pdf")
        assert pdf.is_file() and "決済予定日までにご回答" not in pdf_text(pdf.read_bytes())
