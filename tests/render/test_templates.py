"""The templates on real cases: every sample workbook renders, and Word and PDF say the same thing.

inputs/*.xlsx → load_case → compute_case → build_views → Renderer, as the batch does. Parity is
checked on what a reader compares: the names (debtor, creditors, payees, household, company) and
every yen figure found in the .docx text must be exactly those found in the PDF text.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from textof import docx_text, pdf_text

INPUTS = Path(__file__).parents[2] / "inputs"
SAMPLES = sorted(p for p in INPUTS.glob("*.xlsx") if not p.name.startswith("~$"))
BATCH_DATE = date(2026, 11, 30)
#: A yen figure as printed: 1,234,567円, △12,000円 (not preceded by a digit, so that two
#: neighbouring cells read as one line cannot fuse into a larger number).
YEN = re.compile(r"(?<![\d,.])△?\d{1,3}(?:,\d{3})*円")


def case_views(source: Path, config) -> tuple:
    from pipeline.compute import compute_case
    from pipeline.documents import build_views
    from pipeline.read.validate import load_case

    case, issues = load_case(source, profiles=config.profiles.keys())
    assert case is not None, [str(i) for i in issues]
    return build_views(case, compute_case(case, config, BATCH_DATE), config)


def view_names(view) -> set[str]:
    """The names a reader checks: every person, creditor, payee and company of the view."""
    names = {view.debtor.name, view.company.name}
    for field in ("liens", "seizures", "plan", "other_debts"):
        names |= {row.creditor for row in getattr(view, field, ())}
    names |= {row.payee for row in getattr(view, "deductions", ())}
    names |= {m.name for m in getattr(view, "members", ())}
    if hasattr(view, "creditor"):
        names.add(view.creditor.name)
    return {n for n in names if n}


def found(text: str, names: set[str]) -> tuple[set[str], set[str]]:
    """(names present, yen figures present) in a document's text.

    Whitespace is ignored for names: a long name may wrap inside a table cell of the PDF.
    """
    flat = re.sub(r"\s+", "", text)
    present = {n for n in names if re.sub(r"\s+", "", n) in flat}
    return present, set(YEN.findall(text))


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda p: p.stem)
def rendered(request, config, renderer):
    """Every document of one sample case: (view, docx bytes, pdf bytes, pdf warnings)."""
    out = []
    for view in case_views(request.param, config):
        pdf, warnings = renderer.pdf(view)
        out.append((view, renderer.docx(view), pdf, warnings))
    return out


def test_there_are_samples():
    assert len(SAMPLES) >= 9


def test_every_document_renders_without_warnings(rendered):
    for view, docx_bytes, pdf, warnings in rendered:
        assert warnings == [], (view.filename_stem, warnings)
        assert pdf.startswith(b"%PDF")
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
            etree.fromstring(z.read("word/document.xml"))  # strict: well-formed XML


def test_word_and_pdf_show_the_same_names_and_figures(rendered):
    for view, docx_bytes, pdf, _ in rendered:
        names = view_names(view)
        in_docx = found(docx_text(docx_bytes), names)
        in_pdf = found(pdf_text(pdf), names)
        assert in_docx == in_pdf, view.filename_stem
        assert view.debtor.name in in_docx[0] or view.kind == "household_statement"


def test_every_amount_of_the_view_is_printed(rendered):
    """Each ``*_text`` amount of the view's top level appears in both formats (no dropped line)."""
    for view, docx_bytes, pdf, _ in rendered:
        wanted = {getattr(view, f.name) for f in dataclasses.fields(view)
                  if f.name.endswith("_text") and YEN.fullmatch(str(getattr(view, f.name)))}
        wanted.discard("0円")  # e.g. a surplus of 0 is not printed (the line is left out)
        for text in (docx_text(docx_bytes), pdf_text(pdf)):
            assert wanted <= set(YEN.findall(text)), (view.filename_stem, wanted - set(
                YEN.findall(text)))


#: The ways a letter can call its addressee (pipeline/documents/format.py YOU_BY_SUFFIX and default).
YOU_WORDS = re.compile(r"貴(?:社|行|庫|金庫|組合|会|協会|機構|公庫|署|局|所|市|区|町|村|都|道|府|県|庁)")


def test_a_letter_calls_its_addressee_by_one_word(rendered):
    """A letter to 住宅金融支援機構 says 貴機構 throughout (never 貴社), one to a bank 貴行, … —
    in the sentences and in the table labels, in both formats."""
    for view, docx_bytes, pdf, _ in rendered:
        if not hasattr(view, "you"):
            continue
        for text in (docx_text(docx_bytes), pdf_text(pdf)):
            flat = re.sub(r"\s+", "", text)
            assert set(YOU_WORDS.findall(flat)) == {view.you}, view.filename_stem


def test_the_jhf_letters_say_kikikou(config):
    views = case_views(INPUTS / "2026-0148.xlsx", config)
    jhf = [v for v in views if getattr(v, "creditor", None) and v.creditor.name == "住宅金融支援機構"]
    assert {v.kind for v in jhf} == {"sale_request", "repayment_proposal"}
    assert all(v.you == "貴機構" and "貴機構" in (getattr(v, "request_text", "") or v.offer_text)
               for v in jhf)


def test_every_kind_is_covered_by_the_samples(config):
    kinds = {v.kind for source in SAMPLES for v in case_views(source, config)}
    assert kinds == {"sale_request", "household_statement", "repayment_proposal"}

