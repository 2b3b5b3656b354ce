"""The 添付 sheet: read as the reader gives it, matched against the folder and the creditors."""

from __future__ import annotations

import datetime
import os

from factory import write_case
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.attach.sheet import (
    Assignment,
    SheetRow,
    for_creditor,
    match_attachments,
    read_attachment_sheet,
)
from pipeline.read.validate import load_case
from pipeline.read.workbook import ExcelError, RawCell, RawRow, RawSheet, read_workbook

BOOK = "2026-0142.xlsx"
FOLDER = "2026-0142"
CREDITORS = ["○○銀行", "△△保証株式会社", "新宿区役所"]
FILES = ["価格査定書.pdf", "買付証明書.png", "登記事項証明書.pdf"]


def sheet(*records: tuple[object, ...], header=("ファイル名", "書類名", "宛先"), merged=(),
          uncached=()) -> RawSheet:
    """添付 as pipeline.read.workbook gives it: row 1 the headers, then one row per record."""
    rows = [RawRow(1, {c: RawCell(f"{chr(64 + c)}1", h, "General")
                       for c, h in enumerate(header, 1)})]
    for number, record in enumerate(records, 2):
        cells = {c: RawCell(f"{chr(64 + c)}{number}", v, "General")
                 for c, v in enumerate(record, 1) if v is not None}
        rows.append(RawRow(number, cells))
    return RawSheet("添付", "添付", tuple(rows), tuple(merged), frozenset(uncached))


def read(raw: RawSheet):
    return read_attachment_sheet(raw, BOOK)


def match(rows, files=FILES, creditors=CREDITORS):
    return match_attachments(rows, files, creditors, BOOK, FOLDER)


def triples(issues):
    return [(i.where.file, i.where.sheet, i.where.cell, i.code, i.severity) for i in issues]


# --- reading -------------------------------------------------------------------------------------

def test_rows_are_read_with_their_cells():
    rows, issues = read(sheet(("価格査定書.pdf", "価格査定書（A社）", None),
                              (None, None, None),
                              ("買付証明書.png", None, "○○銀行")))
    assert issues == []
    assert rows == (SheetRow(2, "価格査定書.pdf", "価格査定書（A社）", "",
                             {"file_name": "A2", "title": "B2", "recipient": "C2"}),
                    SheetRow(4, "買付証明書.png", "", "○○銀行",
                             {"file_name": "A4", "title": "B4", "recipient": "C4"}))


def test_no_sheet_or_an_empty_one_has_no_rows():
    assert read_attachment_sheet(None, BOOK) == ((), [])
    assert read(RawSheet("添付", "添付", ())) == ((), [])


def test_a_row_without_a_file_name_is_an_error_at_that_cell():
    _, issues = read(sheet((None, "委任状", "○○銀行")))
    assert triples(issues) == [(BOOK, "添付", "A2", "required", "error")]


def test_excel_errors_and_true_false_are_refused_at_their_cells():
    _, issues = read(sheet((ExcelError("#REF!"), None, True)))
    assert triples(issues) == [(BOOK, "添付", "A2", "excel_error", "error"),
                               (BOOK, "添付", "C2", "boolean_value", "error")]
    assert issues[0].raw == "#REF!" and "#REF!" in issues[0].message


def test_headers_in_any_order_and_width_and_a_missing_file_column():
    rows, _ = read(sheet(("○○銀行", "価格査定書.pdf"), header=("宛 先", "ファイル名")))
    assert (rows[0].file_name, rows[0].recipient, rows[0].cells["file_name"]) == (
        "価格査定書.pdf", "○○銀行", "B2")
    _, issues = read(sheet(("a.pdf",), header=("ファイル",)))
    assert [i.code for i in issues] == ["extra_column", "missing_column"]


def test_merged_cells_and_uncached_formulas_are_refused():
    _, issues = read(sheet(("a.pdf", "x", None), merged=("A2:B2",), uncached=("B2",)))
    assert [(i.where.cell, i.code) for i in issues] == [("A2:B2", "merged_cells"),
                                                        ("B2", "formula_uncached")]


def test_a_number_typed_as_a_file_name_is_read_as_staff_see_it():
    rows, _ = read(sheet((20261130, None, None)))
    assert rows[0].file_name == "20261130"


# --- matching ------------------------------------------------------------------------------------

def row(number, file_name, title="", recipient=""):
    return SheetRow(number, file_name, title, recipient,
                    {"file_name": f"A{number}", "title": f"B{number}", "recipient": f"C{number}"})


def test_rows_first_in_their_order_then_the_unnamed_files_to_everyone_with_a_warning():
    assignments, issues = match([row(2, "買付証明書.png", "買付証明書", "○○銀行"),
                                 row(3, "価格査定書.pdf")])
    assert assignments == (
        Assignment("買付証明書.png", "買付証明書", ("○○銀行",)),
        Assignment("価格査定書.pdf", "価格査定書", None),
        Assignment("登記事項証明書.pdf", "登記事項証明書", None))
    assert triples(issues) == [(f"{FOLDER}/登記事項証明書.pdf", "", "", "attachment_unlisted",
                                "warn")]
    assert "全債権者に「登記事項証明書」として送ります" in issues[0].message


def test_without_a_sheet_every_file_goes_to_everyone_under_its_name():
    assignments, issues = match([])
    assert [(a.file_name, a.title, a.recipients) for a in assignments] == [
        ("価格査定書.pdf", "価格査定書", None), ("登記事項証明書.pdf", "登記事項証明書", None),
        ("買付証明書.png", "買付証明書", None)]
    assert {i.code for i in issues} == {"attachment_unlisted"}


def test_a_row_naming_a_missing_file_is_an_error_at_its_cell_naming_file_and_folder():
    _, issues = match([row(2, "委任状.pdf"), row(3, "価格査定書.pdf")])
    missing = [i for i in issues if i.severity == "error"]
    assert triples(missing) == [(BOOK, "添付", "A2", "attachment_file_missing", "error")]
    assert missing[0].raw == "委任状.pdf"
    assert "「委任状.pdf」が添付フォルダ「2026-0142」にありません" in missing[0].message
    assert "価格査定書.pdf" in missing[0].message  # what the folder does hold


def test_a_typed_name_matches_across_width_case_and_a_missing_extension():
    assignments, issues = match([row(2, "価格査定書.PDF"), row(3, "買付証明書"),
                                 row(4, "登記事項証明書．ｐｄｆ")])
    assert [a.file_name for a in assignments] == FILES
    assert [i for i in issues if i.severity == "error"] == []


def test_a_name_without_extension_that_two_files_share_is_missing():
    _, issues = match([row(2, "査定書")], files=["査定書.pdf", "査定書.png"])
    assert [i.code for i in issues if i.severity == "error"] == ["attachment_file_missing"]


def test_recipient_must_be_a_creditor_of_the_case():
    _, issues = match([row(2, "価格査定書.pdf", recipient="××信金")])
    errors = [i for i in issues if i.severity == "error"]
    assert triples(errors) == [(BOOK, "添付", "C2", "attachment_recipient_unknown", "error")]
    assert errors[0].raw == "××信金"
    assert "○○銀行、△△保証株式会社、新宿区役所" in errors[0].message


def test_several_recipients_in_one_cell_and_spacing_ignored():
    assignments, issues = match([row(2, "価格査定書.pdf", recipient="○○銀行、 △△保証株式会社\n")])
    assert assignments[0].recipients == ("○○銀行", "△△保証株式会社")
    assert [i for i in issues if i.severity == "error"] == []


def test_a_creditor_name_with_a_nakaguro_is_not_split():
    creditors = ["三井住友トラスト・ローン＆ファイナンス"]
    assignments, _ = match([row(2, "価格査定書.pdf", recipient="三井住友トラスト・ローン＆ファイナンス")],
                           creditors=creditors)
    assert assignments[0].recipients == tuple(creditors)


def test_the_same_file_twice_to_the_same_creditor_is_an_error_at_the_later_row():
    _, issues = match([row(2, "価格査定書.pdf"), row(3, "価格査定書.pdf", recipient="○○銀行")])
    errors = [i for i in issues if i.severity == "error"]
    assert triples(errors) == [(BOOK, "添付", "A3", "attachment_duplicate_row", "error")]
    assert "A2" in errors[0].message


def test_the_same_file_to_different_creditors_on_two_rows_is_fine():
    assignments, issues = match([row(2, "価格査定書.pdf", "査定書（銀行用）", "○○銀行"),
                                 row(3, "価格査定書.pdf", "査定書", "新宿区役所")])
    assert [i for i in issues if i.severity == "error"] == []
    assert for_creditor(assignments, "○○銀行")[0].title == "査定書（銀行用）"
    assert for_creditor(assignments, "新宿区役所")[0].title == "査定書"
    assert [a.file_name for a in for_creditor(assignments, "△△保証株式会社")] == [
        "登記事項証明書.pdf", "買付証明書.png"]


# --- through the reader ----------------------------------------------------------------------

def test_the_reader_reads_the_sheet_and_the_case_stays_valid(tmp_path):
    def add_sheet(wb):
        ws = wb.create_sheet("添付")
        ws.append(["ファイル名", "書類名", "宛先"])
        ws.append(["価格査定書.pdf", "価格査定書", "○○銀行"])
        ws.append(["買付証明書.png", None, datetime.date(2026, 11, 30)])

    path = write_case(tmp_path, edit=add_sheet)
    raw, _ = read_workbook(path)
    rows, issues = read_attachment_sheet(raw.sheets.get("添付"), raw.file)
    assert issues == []
    assert [(r.file_name, r.title, r.recipient) for r in rows] == [
        ("価格査定書.pdf", "価格査定書", "○○銀行"), ("買付証明書.png", "", "2026-11-30")]
    case, case_issues = load_case(path)
    assert case is not None and [i for i in case_issues if i.where.sheet == "添付"] == []


# --- any cell values -------------------------------------------------------------------------

ANY = st.one_of(st.none(), st.text(max_size=40), st.integers(), st.floats(allow_nan=True),
                st.booleans(), st.dates(), st.sampled_from([ExcelError("#N/A"), "価格査定書.pdf",
                                                            "○○銀行", "○○銀行、新宿区役所", " "]))


@settings(max_examples=150, deadline=None, derandomize=os.environ.get("CI") == "true")
@given(st.lists(st.tuples(ANY, ANY, ANY, ANY), max_size=8),
       st.sampled_from([("ファイル名", "書類名", "宛先"), ("宛先", "ファイル名"), ("x", "書類名")]))
def test_any_values_give_rows_or_located_issues_never_a_crash(records, header):
    rows, issues = read(sheet(*records, header=header))
    assignments, found = match(rows)
    for issue in issues + found:
        assert issue.where is not None and issue.message
        assert issue.where.sheet == "添付" or issue.where.file.startswith(f"{FOLDER}/")
    assert {a.file_name for a in assignments} <= set(FILES)
