"""Cells that used to pass validation (issue 12, items 8, 10, 11): Excel error values, TRUE/FALSE,
dates no document can print or no case can have, and text too long for a letter.

Each is refused at its cell, with the label, the value as staff see it and what is allowed.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from factory import ROWS, case_cell, cell, write_case

from pipeline.read.schema import CASE_FIELDS, DATE_RANGES, TABLES
from pipeline.read.validate import load_case

CREDITOR = ROWS["債権者"][0]
ERRORS = ("#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!")


def check(tmp_path, **changes):
    return load_case(write_case(tmp_path, **changes))


def errors(issues) -> list[tuple[str, str, str]]:
    return [i.triple for i in issues if i.severity == "error"]


def creditor(**fields) -> dict:
    return {**CREDITOR, **fields}


# --- Excel error values (item 8) ------------------------------------------------------------

@pytest.mark.parametrize("error", ERRORS)
def test_an_excel_error_value_is_refused_at_its_cell(tmp_path, error):
    case, issues = check(tmp_path, rows={"債権者": [creditor(債権者名=error)]})
    assert case is None
    assert errors(issues) == [("債権者", "B2", "excel_error")]
    assert str(issues[0]).endswith(f"債権者!B2: 債権者名「{error}」はExcelのエラー値です。"
                                   "元の数式や参照先を直して、値を入力してください")
    assert issues[0].raw == error


@pytest.mark.parametrize(("label", "sheet", "where"), [
    ("債務者氏名", "案件", case_cell("債務者氏名")),
    ("売却価格", "案件", case_cell("売却価格")),
    ("決済予定日", "案件", case_cell("決済予定日")),
])
def test_error_values_are_refused_in_every_kind_of_field(tmp_path, label, sheet, where):
    """In a money or date field too: one message that says what it is, not "cannot read"."""
    _case, issues = check(tmp_path, case={label: "#DIV/0!"})
    assert errors(issues) == [(sheet, where, "excel_error")]


def _vlookup_with_cached_na(path: Path) -> None:
    """債権者!B2 as Excel saves =VLOOKUP(…) whose lookup failed: the formula and a cached #N/A."""
    member = "xl/worksheets/sheet3.xml"  # 案件, 物件, 債権者
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    xml, count = re.subn(rb'<c r="B2"[^>]*?(?:/>|>.*?</c>)',
                         b'<c r="B2" t="e"><f>VLOOKUP(A2,\xe5\x8f\x82\xe7\x85\xa7!A:B,2,FALSE)</f>'
                         b"<v>#N/A</v></c>", parts[member], count=1, flags=re.DOTALL)
    assert count == 1
    parts[member] = xml
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def test_the_cached_na_of_a_real_vlookup_is_refused(tmp_path):
    path = write_case(tmp_path)
    _vlookup_with_cached_na(path)
    case, issues = load_case(path)
    assert case is None and errors(issues) == [("債権者", "B2", "excel_error")]
    assert "「#N/A」" in issues[0].message


# --- TRUE / FALSE cells (item 8) ------------------------------------------------------------

@pytest.mark.parametrize(("label", "value"), [("債務者氏名", True), ("債務者住所", False),
                                              ("破産手続", True), ("物件種別", False)])
def test_a_boolean_cell_in_a_text_or_choice_field_is_refused(tmp_path, label, value):
    _case, issues = check(tmp_path, case={label: value})
    assert errors(issues) == [("案件", case_cell(label, {label: value}), "boolean_value")]
    typed = "TRUE" if value else "FALSE"
    assert f"{label}「{typed}」はExcelの論理値（TRUE/FALSE）です" in issues[0].message


def test_a_boolean_cell_in_a_table_is_refused(tmp_path):
    _case, issues = check(tmp_path, rows={"債権者": [creditor(部署=True)]})
    assert errors(issues) == [("債権者", cell("債権者", "部署"), "boolean_value")]


# --- dates no document can print (item 10) ------------------------------------------------------

_CASE_DATES = ["作成日", "買付日", "契約予定日", "決済予定日", "競売開始決定日", "入札期間開始日",
               "開札期日"]


@pytest.mark.parametrize("label", _CASE_DATES)
@pytest.mark.parametrize("typed", ["1026/11/30", "9999-12-31", datetime(1900, 1, 1)],
                         ids=["typo-year", "max", "1900-cell"])
def test_a_date_outside_its_range_is_refused_at_the_cell(tmp_path, label, typed):
    _case, issues = check(tmp_path, case={label: typed})
    assert errors(issues) == [("案件", case_cell(label, {label: typed}), "date_out_of_range")]
    assert "1989年1月8日" in issues[0].message and "2100年12月31日" in issues[0].message


def test_a_base_date_with_a_typo_year_is_refused_not_turned_into_a_huge_claim(tmp_path):
    _case, issues = check(tmp_path, rows={"債権者": [creditor(基準日="1026/10/01")]})
    assert errors(issues) == [("債権者", cell("債権者", "基準日"), "date_out_of_range")]
    assert "基準日「1026/10/01」" in issues[0].message


def test_a_repayment_start_month_outside_the_range_is_refused(tmp_path):
    changes = {"返済開始年月": "2101年1月"}
    _case, issues = check(tmp_path, case=changes)
    assert errors(issues) == [("案件", case_cell("返済開始年月", changes), "date_out_of_range")]


@pytest.mark.parametrize(("typed", "ok"), [
    (date(1989, 1, 7), False), (date(1989, 1, 8), True), ("平成元年1月8日", True),
    (date(2100, 12, 31), True), ("2101/01/01", False),
])
def test_the_range_bounds_are_inclusive(tmp_path, typed, ok):
    case, issues = check(tmp_path, case={"契約予定日": typed})
    assert (case is not None) is ok, issues


def test_every_date_field_has_a_range_in_the_schema():
    fields = [f for f in CASE_FIELDS if f.kind in ("date", "year_month")]
    fields += [f for t in TABLES for f in t.fields if f.kind in ("date", "year_month")]
    assert fields and all(f.dates in DATE_RANGES.values() for f in fields)


# --- text too long for a letter (item 11) ------------------------------------------------------

def _text_fields():
    yield from ((f, None) for f in CASE_FIELDS if f.kind == "text")
    yield from ((f, t) for t in TABLES for f in t.fields if f.kind == "text")


def test_every_text_field_has_a_maximum_length():
    assert all(f.max_length for f, _ in _text_fields())


def test_a_creditor_name_of_4000_characters_is_refused_at_the_cell(tmp_path):
    name = "○" * 4000
    _case, issues = check(tmp_path, rows={"債権者": [creditor(債権者名=name)]})
    assert errors(issues) == [("債権者", "B2", "text_too_long")]
    assert "4,000文字" in issues[0].message and "上限60文字" in issues[0].message
    assert len(issues[0].message) < 200  # the value is shortened in the message, not repeated


def test_a_text_at_its_maximum_is_accepted_and_one_more_character_is_not(tmp_path):
    limit = next(f for f in CASE_FIELDS if f.label == "債務者住所").max_length
    case, issues = check(tmp_path, case={"債務者住所": "東" * limit})
    assert case is not None and issues == []
    _case, issues = check(tmp_path, case={"債務者住所": "東" * (limit + 1)})
    assert errors(issues) == [("案件", case_cell("債務者住所"), "text_too_long")]


def test_surrounding_spaces_do_not_count_towards_the_length(tmp_path):
    limit = next(f for f in CASE_FIELDS if f.label == "担当者").max_length
    case, issues = check(tmp_path, case={"担当者": "  " + "佐" * limit + "　"})
    assert case is not None and issues == []



def test_docs_list_every_maximum_and_the_date_range():
    """docs/workbook.md, "Dates and lengths", says what the schema enforces."""
    doc = (Path(__file__).parents[2] / "docs" / "workbook.md").read_text("utf-8")
    section = doc[doc.index("## Dates and lengths"):]
    listed = {(m[0], m[1]): int(m[2].replace(",", ""))
              for m in re.findall(r"^\| (\S+) \| (\S+) \| ([\d,]+) \|$", section, re.MULTILINE)}
    expected = {("案件", f.label): f.max_length for f in CASE_FIELDS if f.kind == "text"}
    expected |= {(t.sheet, f.label): f.max_length for t in TABLES for f in t.fields
                 if f.kind == "text"}
    assert listed == expected
    for first, last in DATE_RANGES.values():
        assert first.isoformat() in section and last.isoformat() in section


def test_a_text_too_long_is_shortened_in_the_issue_raw_value(tmp_path):
    _case, issues = check(tmp_path, rows={"債権者": [creditor(債権者名="長" * 4000)]})
    assert issues[0].raw == "長" * 30 + "…"
