"""new-case: the blank workbook has the contract's shape, dropdowns and hints, and validates once filled."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from xml.etree import ElementTree

import pytest
from factory import HEADERS
from openpyxl import load_workbook
from openpyxl.formula import Tokenizer

from pipeline.config import load_config
from pipeline.read.models import EXPENSE_CATEGORIES, INCOME_CATEGORIES
from pipeline.read.newcase import write_blank_case
from pipeline.read.schema import CASE_FIELDS, TABLES
from pipeline.read.validate import load_case
from pipeline.read.values import (
    parse_date,
    parse_decimal,
    parse_integer,
    parse_percent,
    parse_year_month,
    parse_yen,
)

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
    assert wb.sheetnames == ["案件", "物件", "債権者", "費用", "世帯", "収支", "資産", "所有者",
                             "交渉", "添付", "選択肢"]  # the dropdowns' lists, hidden after the contract's sheets
    ws = wb["案件"]
    assert [ws["A1"].value, ws["B1"].value] == ["項目", "値"]
    assert [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)] == CASE_LABELS
    assert ws["B2"].value == "2026-0200"
    for sheet, headers in HEADERS.items():
        assert [c.value for c in wb[sheet][1]] == headers
    assert [c.value for c in wb["添付"][1]] == ["ファイル名", "書類名", "宛先"]


def test_the_attachments_sheet_offers_the_creditors_names_without_forcing_them(blank):
    dv = next(dv for dv in load_workbook(blank)["添付"].data_validations.dataValidation
              if dv.type == "list")
    assert str(dv.sqref) == "C2:C501"
    assert dv.formula1 == "債権者!$B$2:$B$501" and not dv.showErrorMessage
    assert dv.showInputMessage and dv.prompt  # the hint rides on the same rule
    ranges = [str(v.sqref) for v in load_workbook(blank)["添付"].data_validations.dataValidation]
    assert len(ranges) == len(set(ranges)) == 3  # one rule per column: Excel keeps one per cell


def test_the_negotiation_sheet_has_its_dropdowns_and_the_creditors_names(blank):
    rules = {str(dv.sqref): dv for dv in load_workbook(blank)["交渉"].data_validations.dataValidation}
    assert rules["F2:F501"].formula1 == '"回答待ち,同意,条件付同意,不同意"'
    assert rules["I2:I501"].formula1 == '"可,不可,減額"'
    names = rules["A2:A501"]
    assert names.formula1 == "債権者!$B$2:$B$501"
    # one name per cell: Excel warns on a name not in the list (staff may keep it; the validator
    # has the last word, width and spaces tolerated)
    assert names.showErrorMessage and names.errorStyle == "warning"
    assert "空欄は「回答待ち」" in rules["F2:F501"].prompt
    assert len(rules) == 10  # one rule per column


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
    ("債権者", "M2", ["はい", "いいえ"]),
    ("収支", "A2", ["収入", "支出"]),
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


def named_range(wb, name: str) -> list[object]:
    """The values of the cells a workbook-level name points at (Excel 「名前の定義」)."""
    [(sheet, ref)] = list(wb.defined_names[name].destinations)
    return [row[0].value for row in wb[sheet][ref.replace("$", "")]]


def test_the_list_sheet_is_hidden_and_protected(blank):
    ws = load_workbook(blank)["選択肢"]
    assert ws.sheet_state == "hidden" and ws.protection.sheet


def test_profile_dropdown_shows_the_japanese_names(blank):
    wb = load_workbook(blank)
    dv = validations(wb["債権者"])["H2"]
    assert (dv.type, dv.formula1, str(dv.sqref)) == ("list", "プロファイル一覧", "H2:H501")
    assert not dv.showDropDown  # showDropDown="1" would hide the arrow (inverted in the format)
    assert named_range(wb, "プロファイル一覧") == ["標準", "住宅金融支援機構"]
    assert dv.prompt.endswith("空欄は「標準」") and "standard" not in dv.prompt
    assert dv.error == "一覧から選んでください: 標準／住宅金融支援機構"


def test_configured_profiles_fill_the_dropdown(tmp_path):
    path = write_blank_case(tmp_path / "p.xlsx",
                            profiles={"standard": "標準", "bank_a": "A銀行, 本店"})
    assert named_range(load_workbook(path), "プロファイル一覧") == ["標準", "A銀行, 本店"]
    keys_only = write_blank_case(tmp_path / "k.xlsx", profiles=("standard", "bank_a"))
    assert named_range(load_workbook(keys_only), "プロファイル一覧") == ["standard", "bank_a"]


def test_the_shipped_configuration_gives_the_default_names(tmp_path):
    path = write_blank_case(tmp_path / "c.xlsx", profiles=load_config(None).profile_names())
    assert named_range(load_workbook(path), "プロファイル一覧") == ["標準", "住宅金融支援機構"]


#: What Excel and LibreOffice evaluate for each row: the named range INDIRECT receives.
IF_CHAIN = re.compile(r'IF\(\$A2="([^"]+)","([^"]+)",')


def test_category_dropdown_offers_the_items_of_the_rows_side(blank):
    wb = load_workbook(blank)
    assert [c.value for c in wb["収支"][1][:2]] == ["区分", "費目"]  # $A2 is the row's 区分
    dv = validations(wb["収支"])["B2"]
    assert dv.type == "list" and str(dv.sqref) == "B2:B501" and not dv.showDropDown
    formula = dv.formula1
    assert formula == ('INDIRECT(IF($A2="収入","費目_収入",'
                       'IF($A2="支出","費目_支出","費目_すべて")))')
    tokens = Tokenizer("=" + formula).items  # a well-formed formula, as Excel parses it
    assert [t.value for t in tokens if t.type == "FUNC" and t.subtype == "OPEN"] == [
        "INDIRECT(", "IF(", "IF("]
    by_side = dict(IF_CHAIN.findall(formula))
    fallback = re.search(r',"([^"]+)"\)+$', formula).group(1)
    assert named_range(wb, by_side["収入"]) == list(INCOME_CATEGORIES)
    assert named_range(wb, by_side["支出"]) == list(EXPENSE_CATEGORIES)
    # 区分 still blank (or mistyped): every 費目, not #REF! (which would refuse every entry)
    assert named_range(wb, fallback) == list(INCOME_CATEGORIES + EXPENSE_CATEGORIES)


def test_the_workbook_xml_holds_the_names_and_the_formula(blank):
    with zipfile.ZipFile(blank) as z:
        book = z.read("xl/workbook.xml").decode()
        budget = z.read("xl/worksheets/sheet6.xml").decode()  # 収支, the 6th sheet
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    root = ElementTree.fromstring(book)
    names = {d.get("name"): d.text for d in root.iterfind("m:definedNames/m:definedName", ns)}
    assert names["費目_収入"] == "'選択肢'!$B$2:$B$9"
    assert names["プロファイル一覧"] == "'選択肢'!$A$2:$A$3"
    states = {s.get("name"): s.get("state") for s in root.iterfind("m:sheets/m:sheet", ns)}
    assert states["選択肢"] == "hidden" and states["収支"] in (None, "visible")
    rules = {d.get("sqref"): d for d in ElementTree.fromstring(budget).iterfind(
        "m:dataValidations/m:dataValidation", ns)}
    category = rules["B2:B501"]
    assert category.findtext("m:formula1", namespaces=ns) == (
        'INDIRECT(IF($A2="収入","費目_収入",IF($A2="支出","費目_支出","費目_すべて")))')
    assert category.get("type") == "list" and category.get("showDropDown") in (None, "0")


def _hint_examples(hint: str) -> list[str]:
    """The examples a hint gives: 「…例: 14,000,000 / 1400万円」 → ["14,000,000", "1400万円"]."""
    found = re.search(r"例: ([^。）]+)", hint)
    return [e.strip() for e in found.group(1).split(" / ")] if found else []


PARSERS = {"yen": parse_yen, "date": parse_date, "year_month": parse_year_month,
           "percent": parse_percent, "integer": parse_integer, "decimal": parse_decimal}


@pytest.mark.parametrize("spec", [f for f in CASE_FIELDS + tuple(
    f for t in TABLES for f in t.fields) if f.kind in PARSERS and _hint_examples(f.hint)],
    ids=lambda f: f.label)
def test_every_hint_example_reads_as_its_field_and_the_examples_agree(spec):
    """A hint's examples are what the reader accepts, and 「A / B」 means A equals B (the hint
    once said 1,400,000 / 1400万円: one tenth of 1400万円)."""
    read = {PARSERS[spec.kind](example) for example in _hint_examples(spec.hint)}
    assert len(read) == 1, (spec.label, spec.hint, read)


def test_no_hint_or_message_pairs_1400000_with_1400man(blank):
    wb = load_workbook(blank)
    texts = [dv.prompt for ws in wb for dv in ws.data_validations.dataValidation]
    texts += [c.value for c in wb["案件"]["D"] if c.value]
    assert texts and all("1,400,000" not in t for t in texts)
    assert any("例: 14,000,000 / 1400万円" in t for t in texts)


def test_a_filled_copy_reads_back_with_japanese_profile_names(blank):
    wb = load_workbook(blank)
    fill_minimal(wb)
    wb["債権者"].append([2, "住宅金融支援機構", "抵当権", 8_000_000, None, None, None, "標準"])
    wb["債権者"]["H2"] = "住宅金融支援機構"
    wb.save(blank)
    case, issues = load_case(blank, load_config(None).profile_names())
    assert issues == []
    assert [c.profile for c in case.creditors] == ["jhf", "standard"]


@pytest.mark.parametrize("typed", ["jhf", "ＪＨＦ", "住宅金融支援機構", " 住宅金融支援機構　"])
def test_old_keys_and_new_names_both_read(blank, typed):
    wb = load_workbook(blank)
    fill_minimal(wb)
    wb["債権者"]["H2"] = typed
    wb.save(blank)
    case, issues = load_case(blank)  # no configuration: the shipped profiles
    assert issues == [] and case.first_lien.profile == "jhf"


def test_an_unknown_profile_lists_the_japanese_names(blank):
    wb = load_workbook(blank)
    fill_minimal(wb)
    wb["債権者"]["H2"] = "jfh"
    wb.save(blank)
    case, issues = load_case(blank, load_config(None).profile_names())
    assert case is None
    assert [(i.triple, i.message) for i in issues] == [(
        ("債権者", "H2", "choice_invalid"),
        "プロファイル「jfh」は選べません。次のいずれか: 標準／住宅金融支援機構")]


def test_refuses_to_overwrite(blank):
    before = blank.read_bytes()
    with pytest.raises(FileExistsError):
        write_blank_case(blank)
    assert blank.read_bytes() == before


def test_refuses_an_unsafe_case_id(tmp_path):
    with pytest.raises(ValueError):
        write_blank_case(tmp_path / "x.xlsx", "../x")
    assert not (tmp_path / "x.xlsx").exists()


def fill_minimal(wb) -> None:
    """The required values of a case, typed into the blank workbook as staff would."""
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


def test_blank_workbook_filled_with_openpyxl_validates(blank):
    wb = load_workbook(blank)
    fill_minimal(wb)
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
