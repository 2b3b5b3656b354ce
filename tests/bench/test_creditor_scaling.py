"""A case of many creditors: the 別紙 is laid out once per case, not once per letter (issue 12
item 15: N letters each listing N liens made the case cost N², 200 creditors did not finish).

The work is counted, not timed: the table rows WeasyPrint is given for a whole case must grow
linearly with the creditors. Content: each letter still carries the whole 配分案 / 按分 (every
lender checks who gets what) and states its addressee's own share; Word says the same as PDF.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from textof import docx_text, pdf_text

from benchmarks.creditors import many_creditors, write_case
from pipeline.compute import compute_case
from pipeline.config import load_config
from pipeline.documents import build_views
from pipeline.documents.common import Fact
from pipeline.documents.sale_request import SHARED_ANNEX_MIN_LETTERS
from pipeline.read.validate import load_case
from pipeline.render import Renderer
from pipeline.render.annex import append_pages


def lenders(count: int) -> list[str]:
    return [row["債権者名"] for row in many_creditors(count).creditors]


def _views(tmp_path, creditors: int):
    config = load_config(None)
    tmp_path.mkdir(parents=True, exist_ok=True)
    case, issues = load_case(write_case(tmp_path, creditors), profiles=config.profiles.keys())
    assert case is not None, [str(i) for i in issues]
    return build_views(case, compute_case(case, config, date(2026, 11, 30)), config)


class RowCounter:
    """Stands in for the WeasyPrint writer: counts the table rows of every HTML it is given to
    lay out, and returns one real one-page PDF (so the pages can still be joined)."""

    def __init__(self, pdf: bytes) -> None:
        self.pdf, self.rows, self.layouts = pdf, 0, 0

    def write(self, html: str) -> tuple[bytes, list[str], list[str]]:
        self.rows += html.count("<tr")
        self.layouts += 1
        return self.pdf, [], []


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def _rows_laid_out(renderer: Renderer, views) -> RowCounter:
    real = renderer._pdf
    counter = RowCounter(real.write("<p>x</p>")[0])
    renderer._pdf = counter
    try:
        for view in views:
            renderer.pdf(view)
    finally:
        renderer._pdf = real
    return counter


def test_rows_laid_out_grow_linearly_with_the_creditors(tmp_path, renderer):
    """Twice the creditors, about twice the rows laid out (N² would be four times)."""
    small = _rows_laid_out(renderer, _views(tmp_path / "a", 12))
    views = _views(tmp_path / "b", 24)
    large = _rows_laid_out(renderer, views)
    assert large.rows <= 2.2 * small.rows, (small.rows, large.rows)
    # 24 同意申請書, the 生活状況表, 24 申出書 (every lender keeps debt), and two 別紙
    assert len(views) == 24 + 1 + 24
    assert large.layouts == len(views) + 2


def test_an_annex_is_laid_out_once_per_case(tmp_path, renderer):
    views = _views(tmp_path, 10)
    before = renderer.annexes.layouts
    pdfs = [renderer.pdf(v)[0] for v in views]
    assert renderer.annexes.layouts - before == 2  # 配分案 and 債権者間の按分
    letters = [PdfReader(io.BytesIO(p)) for p, v in zip(pdfs, views) if v.kind == "sale_request"]
    # every letter has the same 別紙 pages, listing every lender, between its text and its 回答書,
    # which stays the last page as in a letter with the 別紙 inside
    assert all("回 答 書" in r.pages[-1].extract_text() for r in letters)
    annexes = {tuple(p.extract_text() for p in r.pages[1:-1]) for r in letters}
    assert len(annexes) == 1
    annex = "".join(annexes.pop())
    assert all(name in annex for name in lenders(10))


def test_the_letter_states_its_own_share_on_page_one(tmp_path, renderer):
    """北斗銀行, 第2順位: 元金 1,200,000円; ハンコ代 10% = 120,000円, nothing from the waterfall
    (the 第1順位 claim exceeds the sale)."""
    views = _views(tmp_path, 10)
    view = next(v for v in views if v.kind == "sale_request" and v.creditor.name == "北斗銀行")
    assert view.shared_annex and len(views) >= SHARED_ANNEX_MIN_LETTERS
    assert view.own_facts == (
        (Fact("貴行の担保権", "第2順位 抵当権"), Fact("貴行への配分額", "120,000円")),
        (Fact("配分額の内訳", "抹消承諾料 120,000円"), Fact("売却後の残債務", "1,080,000円")),
        (Fact("競売時の回収見込額", "0円"), Fact("任意売却による増加額", "120,000円")))
    assert not any(row.is_addressee for row in view.liens + view.deductions)
    page_one = PdfReader(io.BytesIO(renderer.pdf(view)[0])).pages[0].extract_text()
    for a, b in view.own_facts:
        assert a.text in page_one and b.text in page_one
    assert "以上" in page_one


def test_word_says_what_the_pdf_says(tmp_path, renderer):
    """The Word letter has the share, the whole 別紙, and no addressee-only block twice."""
    views = _views(tmp_path, 9)
    for view in (views[1], views[-1]):  # 北斗銀行's 同意申請書, the last 申出書
        word = docx_text(renderer.docx(view))
        pdf = pdf_text(renderer.pdf(view)[0])
        for name in lenders(9):
            assert name in word and name in pdf
        for text in ("（貴行）", "別紙", "債権者間の按分", "配分案"):
            assert (text in word) == (text in pdf), text
        assert "（貴行）" not in pdf  # the shared 別紙 marks no row as the addressee's
    word = docx_text(renderer.docx(views[1]))
    assert "貴行への配分（別紙配分案より）" in word
    for a, b in views[1].own_facts:
        assert a.label in word and a.text in word and b.label in word and b.text in word
    assert "売却後の貴行に対する残債務" not in word  # the one-letter form's table is left out


def test_a_few_creditors_keep_their_own_highlighted_annex(tmp_path):
    views = _views(tmp_path, SHARED_ANNEX_MIN_LETTERS - 1)
    letters = [v for v in views if v.kind == "sale_request"]
    assert not any(v.shared_annex for v in views if hasattr(v, "shared_annex"))
    assert all(sum(row.is_addressee for row in v.liens) == 1 for v in letters)


def test_pages_are_joined_in_order_and_the_same_every_time(renderer):
    letter = renderer._pdf.write("<p>letter</p>")[0]
    annex = renderer._pdf.write("<p>annex</p><p style='break-before: page'>2</p>")[0]
    joined = append_pages(letter, annex)
    assert joined == append_pages(letter, annex)
    texts = [p.extract_text().strip() for p in PdfReader(io.BytesIO(joined)).pages]
    assert texts[0].startswith("letter") and texts[1].startswith("annex") and len(texts) == 3


def test_the_benchmark_case_has_one_lien_per_lender():
    sample = many_creditors(40)
    names = [row["債権者名"] for row in sample.creditors]
    assert len(set(names)) == 40
    assert [row["順位"] for row in sample.creditors] == list(range(1, 41))


def test_a_seizure_holder_reads_its_fee_and_share_in_its_letter():
    """A 差押 holder in a shared-annex case: its 差押, 差押解除料 + 剰余からの配分, what is left."""
    from types import SimpleNamespace

    from pipeline.compute.figures import SeizureResult
    from pipeline.documents.sale_request import own_facts

    seizure = SeizureResult(row=12, creditor="みなと川市役所", priority=False, claim=480_000,
                            release_fee=100_000, surplus_share=30_000, remaining=350_000)
    no_comparison = SimpleNamespace(has_addressee_comparison=False)
    assert own_facts([], [seizure], no_comparison, "貴市") == (
        (Fact("貴市の差押", "劣後の差押"), Fact("貴市への配分額", "130,000円")),
        (Fact("配分額の内訳", "差押解除料 100,000円、剰余からの配分 30,000円"),
         Fact("売却後の残債務", "350,000円")))
