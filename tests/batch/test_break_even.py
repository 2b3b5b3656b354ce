"""Break-even prices on the staff surfaces (case.json, the manifest's key figures, summary.xlsx,
index.html), and never in a creditor's letter."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from textof import docx_text, pdf_text

from batch.test_review import visible_text
from batch.test_summary import KEY, record
from pipeline.batch import BatchRequest, run_batch
from pipeline.batch.keyfigures import ADDED, BreakEvenPrices, KeyFigures
from pipeline.batch.manifest import Manifest, load_manifest
from pipeline.batch.review import render_index
from pipeline.batch.summary import COLUMNS
from pipeline.config import load_config

INPUTS = Path(__file__).resolve().parents[2] / "inputs"
CASE = "2026-0142"
#: docs/rules.md §6 Example 1, worked by hand in tests/compute/test_breakeven.py.
FIRST_LIEN_PRICE = 8_975_000
ROUNDING = "1,000円単位に切上げ"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sample 2026-0142 built for real (documents, packets, case.json, summary, index.html)."""
    folder = tmp_path_factory.mktemp("break_even")
    shutil.copy(INPUTS / f"{CASE}.xlsx", folder / f"{CASE}.xlsx")
    shutil.copytree(INPUTS / CASE, folder / CASE)
    request = BatchRequest((folder / f"{CASE}.xlsx",), folder / "out", "b", date(2026, 11, 30))
    result = run_batch(request, load_config(INPUTS / "ninbai.toml"))
    return result.batch_dir


def test_case_json_carries_both_prices(built):
    data = json.loads((built / CASE / "case.json").read_text("utf-8"))
    assert data["break_even"] == {
        "first_lien_price": FIRST_LIEN_PRICE, "all_floors_price": FIRST_LIEN_PRICE,
        "floors": [], "rounding": ROUNDING, "limit": 140_000_000}  # 10 × 査定価格 14,000,000
    assert "auction_better_for_first_lien" not in {w["code"] for w in data["warnings"]}


def test_the_manifest_summary_and_page_show_them(built):
    figures = load_manifest(built).inputs[0].figures
    assert figures is not None
    assert figures.break_even == BreakEvenPrices(FIRST_LIEN_PRICE, FIRST_LIEN_PRICE, ROUNDING,
                                                 140_000_000)
    sheet = load_workbook(built / "summary.xlsx").active
    row = {c.header: sheet.cell(row=2, column=i).value for i, c in enumerate(COLUMNS, start=1)}
    assert row["損益分岐価格（第1順位）"] == FIRST_LIEN_PRICE
    assert row["全債権者の最低売却価格を満たす価格"] == FIRST_LIEN_PRICE
    text = flat((built / "index.html").read_text("utf-8"))
    assert "損益分岐価格（第1順位） 8,975,000円" in text
    assert "全債権者の最低売却価格を満たす価格 8,975,000円" in text
    assert ROUNDING in text


#: How a letter could print 8,975,000円: with commas, without, in 万円.
LEAKS = re.compile(r"8,?975,?000|897万5|897\.5万|損益分岐|最低売却価格を満たす")


def test_no_letter_carries_a_break_even_figure(built):
    """Every .docx and .pdf of the case (letters, 送付状, 送付書類一式) read as text: the 売却価格
    is there, the break-even price and its names are not."""
    files = sorted(p for p in (built / CASE).iterdir() if p.suffix in (".docx", ".pdf"))
    assert any(p.name.startswith("送付書類一式") for p in files) and len(files) > 4
    texts = {p.name: (docx_text if p.suffix == ".docx" else pdf_text)(p.read_bytes()).replace(" ", "")
             for p in files}
    assert sum("14,000,000" in text for text in texts.values()) >= 3  # the reading works
    assert [name for name, text in texts.items() if LEAKS.search(text)] == []


def flat(html: str) -> str:
    """The page's visible text with every run of blanks one space."""
    return re.sub(r"\s+", " ", visible_text(html))


def page(figures: KeyFigures | None) -> str:
    found = record(CASE)
    found.figures = figures
    return flat(render_index(Manifest("b", KEY, "2026-11-30T00:00:00+00:00", [found]), []))


def key(prices: BreakEvenPrices | None) -> KeyFigures:
    return KeyFigures(debtor="山田 太郎", price=14_000_000, first_lien_received=1,
                      advantage=-1, remaining_total=0, monthly_total=0, break_even=prices)


def test_the_page_says_when_no_price_reaches_it():
    text = page(key(BreakEvenPrices(None, None, ROUNDING, 140_000_000)))
    assert "損益分岐価格（第1順位） 該当なし（140,000,000円まで試算）" in text
    assert "全債権者の最低売却価格を満たす価格 該当なし" in text


def test_the_page_shows_a_floor_above_the_break_even():
    text = page(key(BreakEvenPrices(FIRST_LIEN_PRICE, 12_346_000, ROUNDING, 140_000_000)))
    assert "損益分岐価格（第1順位） 8,975,000円" in text
    assert "全債権者の最低売却価格を満たす価格 12,346,000円" in text


def test_a_record_from_before_shows_no_prices():
    """A manifest written before the prices were computed: nothing shown rather than 該当なし."""
    text = page(key(None))
    assert "売却価格" in text and "損益分岐" not in text and "該当なし" not in text


def test_key_figures_round_trip_and_older_records():
    prices = BreakEvenPrices(None, 12_346_000, ROUNDING, 140_000_000)
    stored = json.loads(json.dumps(key(prices).to_json()))
    assert KeyFigures.from_json(stored) == key(prices)
    # written by manifest/2 before repayment_months, and before break_even
    oldest = {k: v for k, v in stored.items() if k not in ADDED}
    assert KeyFigures.from_json(oldest) == key(None)
    assert KeyFigures.from_json({**oldest, "repayment_months": 7}) == KeyFigures(
        **{**key(None).__dict__, "repayment_months": 7})
    for bad in ({**prices.__dict__, "first_lien_price": 1.5}, {**prices.__dict__, "limit": None},
                {"first_lien_price": 1}, [1, 2]):
        with pytest.raises(ValueError):
            KeyFigures.from_json({**stored, "break_even": bad})
