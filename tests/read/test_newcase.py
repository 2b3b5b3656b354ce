"""new-case: the blank workbook has the contract's shape, dropdowns and hints, and validates once filled."""

from __future__ import annotations

from datetime import date

import pytest
from factory import HEADERS
from openpyxl import load_workbook

from pipeline.read.newcase import write_blank_case
from pipeline.read.validate import load_case

#: The 案件 labels of docs/workbook.md, in order.
CASE_LABELS = [
    "案件番号", "担当者", "作成日", "債務者氏名", "債務者フリガナ", "債務者住所", "債務者電話",
    "連帯債務者・保証人", "物件種別", "査定価格", "査定根拠", "売出価格", "売却価格", "買主", "買付日",
    "契約予定日", "決済予定日", "固定資産税年額", "管理費等月額", "管理費等滞納額", "管理費等滞納月数",
    "引越費用希望額", "破産手続", "競売開始決定日", "事件番号", "売却基準価額", "買受可能価額",
    "入札期間開始日", "開札期日", "返済提案月額", "返済開始年月", "一括和解提案額",
    "申立債権者", "執行裁判所", "競売申立費用", "破産管財人", "破産管財人事務所", "破産管財人電話",
    "破産事件番号", "破産裁判所", "回答期限", "手付金", "引渡予定日", "買主との関係",
]


@pytest.fixture
def blank(tmp_path):
    return write_blank_case(tmp_path / "new.xlsx", "2026-0200")


def validations(ws) -> dict[str, object]:
    """First cell of each validated range → its DataValidation."""
    return {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}


def test_sheets_labels_and_headers_are_the_contracts(blank):
    wb = load_workbook(blank)
    assert wb.sheetnames == ["案件", "物件", "債権者", "費用", "世帯", "収支", "資産", "所有者"]
    ws = wb["案件"]
    assert [ws["A1"].value, ws["B1"].value] == ["項目", "値"]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == CASE_LABELS
    assert ws["B2"].value == "2026-0200"
    for sheet, headers in HEADERS.items():
        assert [c.value for c in wb[sheet][1]] == headers


def test_headers_are_bold_frozen_and_coloured_by_requirement(blank):
    ws = load_workbook(blank)["債権者"]
    assert ws.freeze_panes == "A2" and ws["B1"].font.bold
    required, conditional, optional = (ws[c].fill.fgColor.rgb for c in ("B1", "A1", "I1"))
    assert len({required, conditional, optional}) == 3
    assert load_workbook(blank)["案件"]["C3"].value == "＊"  # 担当者 is required


@pytest.mark.parametrize(("sheet", "first_cell", "words"), [
    ("案件", "B10", ["マンション", "戸建", "土地"]),
    ("案件", "B24", ["あり", "なし"]),
    ("物件", "A2", ["土地", "建物", "区分建物", "敷地権"]),
    ("債権者", "C2", ["抵当権", "根抵当権", "差押", "無担保"]),
    ("債権者", "H2", ["standard", "jhf"]),
    ("債権者", "M2", ["はい", "いいえ"]),
    ("収支", "A2", ["収入", "支出"]),
    ("収支", "B2", ["給与", "年金", "住居費", "その他支出"]),
    ("資産", "A2", ["預貯金", "保険", "自動車", "有価証券", "その他"]),
    ("案件", "B45", ["なし", "親族", "知人", "勤務先", "その他"]),  # 買主との関係
])
def test_every_choice_has_a_dropdown(blank, sheet, first_cell, words):
    dv = validations(load_workbook(blank)[sheet])[first_cell]
    assert dv.type == "list"
    listed = dv.formula1.strip('"').split(",")
    assert all(w in listed for w in words)


def test_every_field_has_an_input_hint(blank):
    wb = load_workbook(blank)
    for sheet, headers in HEADERS.items():
        found = validations(wb[sheet])
        for col in range(1, len(headers) + 1):
            dv = found[wb[sheet].cell(2, col).coordinate]
            assert dv.showInputMessage and dv.prompt and dv.promptTitle == headers[col - 1]
    found = validations(wb["案件"])
    assert all(found[f"B{r}"].prompt for r in range(2, len(CASE_LABELS) + 2))


def test_yen_date_and_text_formats(blank):
    wb = load_workbook(blank)
    assert wb["案件"]["B11"].number_format == "#,##0"  # 査定価格
    assert wb["案件"]["B18"].number_format == "yyyy/mm/dd"  # 決済予定日
    creditors = wb["債権者"].column_dimensions
    assert creditors["D"].number_format == "#,##0" and creditors["F"].number_format == "yyyy/mm/dd"
    assert wb["物件"].column_dimensions["C"].number_format == "@"  # 地番 "12-3" stays text


def test_configured_profiles_fill_the_dropdown(tmp_path):
    path = write_blank_case(tmp_path / "p.xlsx", profiles=("standard", "bank_a"))
    dv = validations(load_workbook(path)["債権者"])["H2"]
    assert dv.formula1 == '"standard,bank_a"'


def test_refuses_to_overwrite(blank):
    before = blank.read_bytes()
    with pytest.raises(FileExistsError):
        write_blank_case(blank)
    assert blank.read_bytes() == before


def test_refuses_an_unsafe_case_id(tmp_path):
    with pytest.raises(ValueError):
        write_blank_case(tmp_path / "x.xlsx", "../x")
    assert not (tmp_path / "x.xlsx").exists()


def test_blank_workbook_filled_with_openpyxl_validates(blank):
    wb = load_workbook(blank)
    values = {"担当者": "佐藤 花子", "債務者氏名": "髙橋 一郎", "債務者住所": "東京都新宿区",
              "物件種別": "戸建", "査定価格": 15_000_000, "売却価格": "1400万円",
              "決済予定日": date(2026, 11, 30), "破産手続": "なし"}
    case_ws = wb["案件"]
    for row in range(2, case_ws.max_row + 1):
        if case_ws.cell(row, 1).value in values:
            case_ws.cell(row, 2).value = values[case_ws.cell(row, 1).value]
    wb["物件"].append(["土地", "東京都新宿区", "12-3"])
    wb["債権者"].append([1, "○○銀行", "抵当権", 19_500_000])
    wb["世帯"].append(["髙橋 一郎", "本人"])
    wb["収支"].append(["収入", "給与", None, 250_000])
    wb.save(blank)
    case, issues = load_case(blank)
    assert issues == []
    assert case.case_id == "2026-0200" and case.units[0].number == "12-3"


def test_new_rows_column_and_owner_sheet_have_hints_and_text_formats(blank):
    """The 項目 added for auction, bankruptcy and the letters, 債権番号 and 所有者 (issue 13)."""
    wb = load_workbook(blank)
    case_ws = wb["案件"]
    row_of = {case_ws.cell(r, 1).value: r for r in range(2, case_ws.max_row + 1)}
    assert case_ws.cell(row_of["競売申立費用"], 2).number_format == "#,##0"
    assert case_ws.cell(row_of["回答期限"], 2).number_format == "yyyy/mm/dd"
    assert "債権者名" in validations(case_ws)[f"B{row_of['申立債権者']}"].prompt
    owners = wb["所有者"]
    # 持分 is text: Excel would turn a typed 1/2 into 1月2日
    assert owners.column_dimensions["C"].number_format == "@"
    assert "合計が1" in validations(owners)["C2"].prompt
    assert validations(wb["債権者"])["P2"].promptTitle == "債権番号"


def test_blank_workbook_with_owners_validates(blank):
    wb = load_workbook(blank)
    values = {"担当者": "佐藤 花子", "債務者氏名": "髙橋 一郎", "債務者住所": "東京都新宿区",
              "物件種別": "戸建", "査定価格": 15_000_000, "売却価格": "1400万円",
              "決済予定日": date(2026, 11, 30), "事件番号": "令和8年(ケ)第1号",
              "申立債権者": "○○銀行", "買主との関係": "親族"}
    case_ws = wb["案件"]
    for row in range(2, case_ws.max_row + 1):
        if case_ws.cell(row, 1).value in values:
            case_ws.cell(row, 2).value = values[case_ws.cell(row, 1).value]
    wb["物件"].append(["土地", "東京都新宿区", "12-3"])
    wb["債権者"].append([1, "○○銀行", "抵当権", 19_500_000] + [None] * 11 + ["第0012-345号"])
    wb["世帯"].append(["髙橋 一郎", "本人"])
    wb["収支"].append(["収入", "給与", None, 250_000])
    wb["所有者"].append(["髙橋 一郎", "東京都新宿区", "1/2"])
    wb["所有者"].append(["髙橋 花子", "東京都新宿区", "2分の1"])
    wb.save(blank)
    case, issues = load_case(blank)
    assert issues == []
    assert case.auction.applicant == "○○銀行" and case.buyer_relation == "親族"
    assert case.creditors[0].loan_number == "第0012-345号"
    assert [o.share for o in case.owners] == ["2分の1", "2分の1"]
