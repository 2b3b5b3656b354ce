"""summary.xlsx: one row per input, yen formats, frozen header, filter, and no formula ever."""

from __future__ import annotations

import re
import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline.batch.keyfigures import BreakEvenPrices, KeyFigures
from pipeline.batch.manifest import BuildKey, InputRecord, Manifest
from pipeline.batch.summary import COLUMNS, YEN_FORMAT, looks_like_formula, write_summary

KEY = BuildKey("0.1.0", "1", "2026-11-30", "c" * 64, "t" * 64)
HYPERLINK = '=HYPERLINK("http://x","y")'


def record(case_id: str | None, status: str = "ok", debtor: str = "山田 太郎", **fields) -> InputRecord:
    figures = None if status == "error" else KeyFigures(
        debtor=debtor, price=14_000_000, first_lien_received=12_960_000,
        advantage=-250_000, remaining_total=7_742_000, monthly_total=31_000)
    documents = [] if status == "error" else [
        {"kind": "sale_request", "addressee": "東都みらい銀行",
         "docx": f"{case_id}/01_申請書_東都みらい銀行.docx",
         "pdf": f"{case_id}/01_申請書_東都みらい銀行.pdf"}]
    return InputRecord(path=f"/in/{case_id or 'broken'}.xlsx", sha256="0" * 64, size=1,
                       case_id=case_id, status=status,
                       result="failed" if status == "error" else "built",
                       folder="" if status == "error" else str(case_id), figures=figures,
                       documents=documents, **fields)


@pytest.fixture
def summary(tmp_path):
    records = [
        record("2026-0142", debtor=HYPERLINK),
        record("2026-0148", status="warn", debtor="@SUM(A1)", warnings=[
            {"code": "moving_reduced", "severity": "warn", "message": "-引越費用を減額しました"}]),
        record(None, status="error", errors=[
            {"code": "not_xlsx", "severity": "error", "message": "xlsx ではありません",
             "text": "broken.xlsx: xlsx ではありません"}]),
        record("2026-0151", debtor=" \t=1+1"),
    ]
    write_summary(tmp_path, Manifest("2026-11-30", KEY, "2026-11-30T00:00:00+00:00", records))
    return tmp_path / "summary.xlsx"


def header_index(name: str) -> int:
    return next(i for i, c in enumerate(COLUMNS, start=1) if c.header == name)


def test_no_formula_in_the_sheet_xml(summary):
    with zipfile.ZipFile(summary) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    assert "HYPERLINK" in sheet  # the text is there, as a string


def test_formula_like_text_reads_back_as_the_same_string(summary):
    sheet = load_workbook(summary).active
    debtors = [sheet.cell(row=r, column=header_index("債務者")) for r in range(2, 6)]
    assert [c.value for c in debtors] == [HYPERLINK, "@SUM(A1)", None, "  =1+1"]  # tab: a space
    for cell in (debtors[0], debtors[1], debtors[3]):
        assert cell.data_type == "s"
        assert cell.quotePrefix  # Excel keeps it text even when the cell is edited
    plain = sheet.cell(row=2, column=header_index("案件番号"))
    assert plain.value == "2026-0142" and not plain.quotePrefix


def test_rows_figures_and_formats(summary):
    sheet = load_workbook(summary).active
    assert [c.value for c in sheet[1]] == [c.header for c in COLUMNS]
    assert sheet.max_row == 5
    price = sheet.cell(row=2, column=header_index("売却価格"))
    assert (price.value, price.number_format) == (14_000_000, YEN_FORMAT)
    advantage = sheet.cell(row=2, column=header_index("競売比較（有利額）"))
    assert (advantage.value, advantage.number_format) == (-250_000, YEN_FORMAT)
    failed = [c.value for c in sheet[4]]
    assert failed[header_index("状態") - 1] == "エラー"
    assert [c.value for c in sheet[2]][header_index("状態") - 1] == "問題なし"
    assert failed[header_index("エラー数") - 1] == 1
    assert failed[header_index("ファイル") - 1] == "broken.xlsx"
    assert "xlsx ではありません" in failed[header_index("警告・エラー") - 1]
    assert failed[header_index("売却価格") - 1] is None
    warned = sheet.cell(row=3, column=header_index("警告・エラー"))
    assert warned.value == "[警告] -引越費用を減額しました"
    documents = sheet.cell(row=2, column=header_index("書類")).value
    assert documents == "01_申請書_東都みらい銀行.pdf"


def test_frozen_header_filter_and_widths(summary):
    sheet = load_workbook(summary).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(COLUMNS))}5"
    assert sheet.column_dimensions["G"].width == 60


@pytest.mark.parametrize("text, risky", [
    ("=1+1", True), ("+81 3", True), ("-5", True), ("@A1", True), ("  =x", True),
    ("\t=x", True), ("\r\n=x", True), ("\u3000＝x", True), ("山田", False), ("a=b", False),
    ("", False),
])
def test_looks_like_formula(text, risky):
    assert looks_like_formula(text) is risky


def test_control_characters_do_not_break_the_file(tmp_path):
    bad = record("2026-0142", debtor="山田\x01太郎")
    write_summary(tmp_path, Manifest("b", KEY, "t", [bad]))
    value = load_workbook(tmp_path / "summary.xlsx").active.cell(
        row=2, column=header_index("債務者")).value
    assert value == "山田太郎"  # dropped, as on the documents (pipeline.text)


def test_negative_amounts_show_the_triangle_and_invisible_characters_go(tmp_path):
    """Money reads as the documents write it (△250,000円); a U+202E in a file name or message
    never reaches the sheet."""
    warned = record("2026-0142", status="warn", warnings=[
        {"code": "no_repayment_capacity", "severity": "warn",
         "message": "月々の収支の余剰が△12,000円で\u202e、最低返済額…"}])
    warned.path = "/in/\u202exslx.exe.xlsx"
    write_summary(tmp_path, Manifest("b", KEY, "t", [warned]))
    advantage = load_workbook(tmp_path / "summary.xlsx").active.cell(
        row=2, column=header_index("競売比較（有利額）"))
    positive, negative = advantage.number_format.split(";")
    assert (positive, negative) == ('#,##0"円"', '"△"#,##0"円"')  # 1,400,000円 / △250,000円
    cells = [str(c.value) for row in advantage.parent.iter_rows() for c in row]
    assert "[警告] 月々の収支の余剰が△12,000円で、最低返済額…" in cells
    assert "xslx.exe.xlsx" in cells and not any("\u202e" in c for c in cells)
    with zipfile.ZipFile(tmp_path / "summary.xlsx") as archive:  # openpyxl writes &#8238;
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    assert "\u202e" not in xml and "&#8238;" not in xml and "&#x202e;" not in xml.lower()


def test_an_unchanged_rerun_leaves_the_summary_alone_and_a_change_rewrites_it(tmp_path):
    from .test_batch import run, write_input

    inputs = [write_input(tmp_path / "in", "A"), write_input(tmp_path / "in", "B")]
    path = run(tmp_path, inputs).batch_dir / "summary.xlsx"
    first = path.stat()
    run(tmp_path, inputs)
    assert path.stat().st_ino == first.st_ino  # not written again (written means replaced)
    write_input(tmp_path / "in", "B", price=9_000_000)
    run(tmp_path, inputs)
    assert path.stat().st_ino != first.st_ino
    prices = [row[header_index("売却価格") - 1].value
              for row in load_workbook(path)["一覧"].iter_rows(min_row=2)]
    assert prices == [10_000_000, 9_000_000]
    path.unlink()  # deleted by hand: written again even though nothing changed
    run(tmp_path, inputs)
    assert path.is_file()


# ---------------------------------------------------------------------------------------------
# Printing, 状態 in Japanese, warnings most severe first, the approval column
# ---------------------------------------------------------------------------------------------


def test_the_sheet_prints_on_a4_landscape_one_page_wide_with_the_header_on_every_page(summary):
    sheet = load_workbook(summary).active
    assert int(sheet.page_setup.paperSize) == 9  # A4 (Excel's paper size numbers)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (int(sheet.page_setup.fitToWidth), int(sheet.page_setup.fitToHeight)) == (1, 0)
    assert sheet.print_title_rows == "$1:$1"
    assert "&P" in sheet.oddFooter.center.text


def test_every_status_is_japanese(tmp_path):
    levels = {"info": "参考", "warn": "警告", "high": "重要"}
    records = [record(f"2026-01{n}", status="ok" if level == "info" else "warn",
                      warnings=[{"code": "x", "severity": level, "message": "m"}])
               for n, level in enumerate(levels, start=10)]
    records += [record("2026-0199"), record(None, status="error", errors=[
        {"code": "required", "severity": "error", "message": "売却価格を入力してください"}])]
    write_summary(tmp_path, Manifest("b", KEY, "t", records))
    sheet = load_workbook(tmp_path / "summary.xlsx").active
    column = header_index("状態")
    assert [sheet.cell(row=r, column=column).value for r in range(2, 7)] == \
        ["参考", "警告", "重要", "問題なし", "エラー"]
    text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert not re.search(r"\b(ok|warn|high|info|error)\b", text)
    assert "required" not in text


def test_warnings_most_severe_first(tmp_path):
    warned = record("2026-0142", status="warn", warnings=[
        {"code": "a", "severity": "info", "message": "参考の件"},
        {"code": "b", "severity": "warn", "message": "警告の件"},
        {"code": "c", "severity": "high", "message": "重要の件"}])
    write_summary(tmp_path, Manifest("b", KEY, "t", [warned]))
    cell = load_workbook(tmp_path / "summary.xlsx").active.cell(row=2, column=header_index("警告・エラー"))
    assert cell.value.split("\n") == ["[重要] 重要の件", "[警告] 警告の件", "[参考] 参考の件"]


def test_the_approval_column_says_who_approved_and_when_in_local_time(tmp_path):
    from pipeline.batch.manifest import Approval

    records = [record("2026-0142"), record("2026-0148"), record(None, status="error")]
    approval = Approval("2026-0142", "2026-0142", 1, "佐藤 花子", "2026-11-30T23:05:00+00:00",
                        {"a.pdf": "x"})
    write_summary(tmp_path, Manifest("b", KEY, "t", records), approvals=[approval])
    sheet = load_workbook(tmp_path / "summary.xlsx").active
    column = header_index("承認")
    assert [sheet.cell(row=r, column=column).value for r in range(2, 5)] == [
        "承認済み\n佐藤 花子\n2026年12月1日 08:05", "未承認", "書類なし"]


def test_approving_rewrites_the_summary(tmp_path):
    from pipeline.batch.approve import approve_cases

    from .test_batch import run, write_input

    result = run(tmp_path, [write_input(tmp_path / "in", "A"), write_input(tmp_path / "in", "B")])
    approve_cases(result.batch_dir, ["A"], "佐藤 花子")
    sheet = load_workbook(result.batch_dir / "summary.xlsx").active
    column = header_index("承認")
    assert sheet.cell(row=2, column=column).value.startswith("承認済み\n佐藤 花子\n")
    assert sheet.cell(row=3, column=column).value == "未承認"
    run(tmp_path, [tmp_path / "in" / "A.xlsx", tmp_path / "in" / "B.xlsx"])  # an unchanged rerun
    sheet = load_workbook(result.batch_dir / "summary.xlsx").active
    assert sheet.cell(row=2, column=column).value.startswith("承認済み\n佐藤 花子\n")


def test_an_approval_whose_files_changed_leaves_the_summary(tmp_path):
    """The rerun after an approved document was edited by hand rebuilds the case as a new
    revision; the row's figures are the same, but the sheet must stop saying 承認済み."""
    from pipeline.batch.approve import approve_cases

    from .test_batch import run, write_input

    inputs = [write_input(tmp_path / "in", "A")]
    result = run(tmp_path, inputs)
    approve_cases(result.batch_dir, ["A"], "佐藤 花子")
    (result.batch_dir / "A" / "01_申請書.pdf").write_bytes(b"%PDF edited")
    run(tmp_path, inputs)
    sheet = load_workbook(result.batch_dir / "summary.xlsx").active
    assert sheet.cell(row=2, column=header_index("承認")).value == "未承認"


def test_row_heights_fit_the_wrapped_text(tmp_path):
    """openpyxl does not autofit: each row is as tall as its most wrapped cell needs, from the
    text's display width (全角 = 2) over the column's width."""
    from pipeline.batch.summary import LINE_POINTS, ROW_PADDING_POINTS, USABLE_WIDTH

    width = next(c.width for c in COLUMNS if c.header == "警告・エラー")
    per_line = int(width * USABLE_WIDTH)
    long = "あ" * per_line  # two printed lines: each あ takes two units
    warned = record("2026-0142", status="warn", warnings=[
        {"code": "a", "severity": "high", "message": long},
        {"code": "b", "severity": "warn", "message": "短い"}])
    write_summary(tmp_path, Manifest("b", KEY, "t", [warned, record("2026-0148")]))
    sheet = load_workbook(tmp_path / "summary.xlsx").active
    # [重要] + the long message: 2 + 2·per_line/2 + … units → 3 lines; [警告] 短い → 1 line
    assert sheet.row_dimensions[2].height == 4 * LINE_POINTS + ROW_PADDING_POINTS
    assert sheet.row_dimensions[3].height == 1 * LINE_POINTS + ROW_PADDING_POINTS
    # the header: 競売比較（有利額） is 18 units in a column of 14 → two lines
    assert sheet.row_dimensions[1].height == 2 * LINE_POINTS + ROW_PADDING_POINTS


def test_wrapped_lines_counts_wide_characters_twice():
    from pipeline.batch.summary import wrapped_lines

    assert wrapped_lines("a" * 9, 10) == 1 and wrapped_lines("a" * 10, 10) == 2
    assert wrapped_lines("あ" * 4, 10) == 1 and wrapped_lines("あ" * 5, 10) == 2
    assert wrapped_lines("a\nb\n", 10) == 3


def test_break_even_columns(tmp_path):
    """Both prices as yen numbers; 該当なし where no price up to the limit reaches it; empty for a
    failed case and for a record written before the prices were computed."""
    def priced(case_id, first, floors):
        found = record(case_id)
        assert found.figures is not None
        found.figures = KeyFigures(**{**found.figures.__dict__, "break_even": BreakEvenPrices(
            first_lien_price=first, all_floors_price=floors, rounding="1,000円単位に切上げ",
            limit=140_000_000)})
        return found

    records = [priced("2026-0142", 8_975_000, 12_346_000), priced("2026-0148", None, None),
               record("2026-0151"), record(None, status="error")]
    write_summary(tmp_path, Manifest("b", KEY, "t", records))
    sheet = load_workbook(tmp_path / "summary.xlsx").active
    columns = [header_index("損益分岐価格（第1順位）"), header_index("全債権者の最低売却価格を満たす価格")]
    values = [[sheet.cell(row=r, column=c).value for c in columns] for r in range(2, 6)]
    assert values == [[8_975_000, 12_346_000], ["該当なし", "該当なし"], [None, None], [None, None]]
    assert sheet.cell(row=2, column=columns[0]).number_format == YEN_FORMAT
