"""The validator: the Case it builds, and every problem located as (sheet, cell, code)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from factory import CASE, DELETE, HEADERS, ROWS, case_cell, write_case

from pipeline.read.validate import load_case, validate_workbook
from pipeline.read.workbook import RawRow, RawSheet, RawWorkbook, read_workbook

CREDITOR = ROWS["債権者"][0]


def check(tmp_path, profiles=("standard", "jhf"), **changes):
    """(case, issues) of a factory workbook changed as asked."""
    return load_case(write_case(tmp_path, **changes), profiles)


def triples(issues, severity: str | None = None) -> list[tuple[str, str, str]]:
    return [i.triple for i in issues if severity is None or i.severity == severity]


def creditor(**fields) -> dict:
    return {**CREDITOR, **fields}


# --- the valid case --------------------------------------------------------------------------

def test_minimal_case_is_built_with_typed_values_and_cells(tmp_path):
    case, issues = check(tmp_path)
    assert issues == []
    assert case.case_id == "2026-0142" and case.source == "2026-0142.xlsx"
    assert case.sale_price == 14_000_000 and case.appraisal == 15_000_000
    assert case.settlement_date == date(2026, 11, 30)
    assert case.debtor.name == "髙橋 一郎"  # rare kanji kept as typed
    first = case.first_lien
    assert (first.rank, first.principal, first.damage_rate) == (1, 19_500_000, Decimal("14.6"))
    assert case.units[0].area == Decimal("65.43")
    assert [b.category for b in case.budget] == ["給与", "住居費"]
    assert case.cells["sale_price"] == "B8" and case.cells["debtor.name"] == "B4"
    assert case.cells["債権者:2:principal"] == "D2"
    assert case.cell_of("release_fee", "債権者", 2) == ("債権者", "N2")


def test_optional_values_fill_nested_models_and_flags(tmp_path):
    extra = {"破産手続": "あり", "事件番号": "令和8年(ケ)第123号", "売却基準価額": "980万円",
             "返済開始年月": "2027年2月"}
    case, issues = check(tmp_path, case=extra)
    assert issues == []
    assert case.bankruptcy is True
    assert case.auction.case_number == "令和8年(ケ)第123号"
    assert case.auction.base_price == 9_800_000
    assert case.repayment_start == date(2027, 2, 1)
    assert case.cells["auction.base_price"] == case_cell("売却基準価額", extra)


def test_user_text_is_kept_literally(tmp_path):
    def edit(wb):
        wb["債権者"]["B2"].value = '=HYPERLINK("http://x","y")'
        wb["債権者"]["B2"].data_type = "s"  # typed as text, as Excel stores a leading '
    case, issues = check(tmp_path, edit=edit,
                         case={"担当者": "{{ staff }}", "債務者住所": "<b>A&B</b>"})
    assert issues == []
    assert case.staff == "{{ staff }}" and case.debtor.address == "<b>A&B</b>"
    assert case.creditors[0].name == '=HYPERLINK("http://x","y")'


def test_labels_tolerate_width_and_spaces_and_header_row_is_optional(tmp_path):
    def edit(wb):
        ws = wb["案件"]
        ws.delete_rows(1)
        ws["A7"] = " 売却 価格 "  # was 売却価格, now row 7 after the header went
        wb["債権者"]["D1"] = "元金 残高"
    case, issues = check(tmp_path, edit=edit, case={"物件種別": "ﾏﾝｼｮﾝ"})
    assert issues == []
    assert case.sale_price == 14_000_000 and case.property_kind == "マンション"
    assert case.cells["sale_price"] == "B7"


def test_empty_rows_are_skipped(tmp_path):
    case, issues = check(tmp_path, rows={"収支": [ROWS["収支"][0], {}, ROWS["収支"][1]]})
    assert issues == []
    assert [b.row for b in case.budget] == [2, 4]


def test_optional_sheets_may_be_missing(tmp_path):
    case, issues = check(tmp_path, drop=["費用", "資産"])
    assert issues == [] and case.costs == () and case.assets == ()


def test_configured_profiles_are_the_allowed_words(tmp_path):
    rows = {"債権者": [creditor(プロファイル="bank_a")]}
    case, issues = check(tmp_path, profiles=("standard", "bank_a"), rows=rows)
    assert issues == [] and case.creditors[0].profile == "bank_a"
    _, issues = check(tmp_path, rows=rows)
    assert triples(issues) == [("債権者", "H2", "choice_invalid")]


# --- values located at their cells ---------------------------------------------------------

def test_bad_value_names_cell_raw_value_and_expectation(tmp_path):
    case, issues = check(tmp_path, rows={"債権者": [creditor(元金残高="1,2OO万円")]})
    assert case is None
    assert triples(issues) == [("債権者", "D2", "yen_invalid")]
    assert issues[0].raw == "1,2OO万円" and issues[0].where.file == "2026-0142.xlsx"
    assert "1,2OO万円" in str(issues[0]) and "債権者!D2" in str(issues[0])


def test_every_problem_of_a_workbook_is_reported_at_once(tmp_path):
    case, issues = check(
        tmp_path,
        case={"決済予定日": "令和8年2月30日", "物件種別": "一戸建て"},
        rows={"債権者": [creditor(元金残高="1,2OO万円", 損害金率="120%")],
              "世帯": [{"氏名": "髙橋 一郎", "続柄": "本人", "年齢": "四十代"}]},
    )
    assert case is None
    assert sorted(triples(issues)) == sorted([
        ("案件", case_cell("決済予定日"), "date_impossible"),
        ("案件", case_cell("物件種別"), "choice_invalid"),
        ("債権者", "D2", "yen_invalid"),
        ("債権者", "G2", "percent_out_of_range"),
        ("世帯", "C2", "integer_invalid"),
    ])


def test_required_value_left_blank(tmp_path):
    _, issues = check(tmp_path, case={"売却価格": None})
    assert triples(issues) == [("案件", case_cell("売却価格"), "required")]


def test_required_label_missing(tmp_path):
    _, issues = check(tmp_path, case={"担当者": DELETE})
    assert triples(issues) == [("案件", "", "missing_label")]


def test_partly_filled_row_errors_on_each_missing_required_cell(tmp_path):
    _, issues = check(tmp_path, extra_rows={"物件": [{"地目・構造": "宅地"}]})
    assert triples(issues) == [("物件", "A3", "required"), ("物件", "B3", "required"),
                               ("物件", "C3", "required")]


def test_formula_without_cached_value_asks_for_recalculation(tmp_path):
    def edit(wb):
        wb["債権者"]["D2"] = "=19000000+500000"
    case, issues = check(tmp_path, edit=edit)
    assert case is None and triples(issues) == [("債権者", "D2", "formula_uncached")]
    assert "Excelで再計算して保存してください" in issues[0].message


def test_pydantic_range_errors_map_back_to_cells(tmp_path):
    _, issues = check(tmp_path, rows={"債権者": [creditor(順位=0)],
                                      "世帯": [{"氏名": "髙橋 一郎", "続柄": "本人", "年齢": -3}]})
    assert sorted(triples(issues)) == [("世帯", "C2", "out_of_range"),
                                       ("債権者", "A2", "out_of_range")]
    assert all("greater" not in i.message for i in issues)


# --- labels, headers, layout -----------------------------------------------------------------

def test_unknown_label_warns_and_suggests_but_case_is_valid(tmp_path):
    typo = {"売却価挌": "1000万円"}
    case, issues = check(tmp_path, case=typo)
    assert case is not None
    assert triples(issues) == [("案件", "A" + case_cell("売却価挌", typo)[1:], "unknown_label")]
    assert issues[0].severity == "warn" and "売却価格" in issues[0].message


def test_duplicate_label_is_an_error(tmp_path):
    _, issues = check(tmp_path, edit=lambda wb: wb["案件"].append(["売却価格", "1300万円"]))
    assert triples(issues) == [("案件", "A10", "duplicate_label")]


def test_extra_column_is_ignored_with_a_warning(tmp_path):
    def edit(wb):
        wb["債権者"]["P1"] = "メモ"
        wb["債権者"]["P2"] = "要確認"
    case, issues = check(tmp_path, edit=edit)
    assert case is not None and triples(issues, "warn") == [("債権者", "P1", "extra_column")]


def test_missing_required_column_is_an_error(tmp_path):
    _, issues = check(tmp_path, edit=lambda wb: wb["世帯"].delete_cols(2))
    assert ("世帯", "", "missing_column") in triples(issues)


def test_duplicate_column_is_an_error(tmp_path):
    _, issues = check(tmp_path, edit=lambda wb: wb["収支"].__setitem__("F1", "月額"))
    assert triples(issues) == [("収支", "F1", "duplicate_column")]


def test_merged_cells_over_data_are_an_error_at_the_range(tmp_path):
    def edit(wb):
        wb["債権者"].merge_cells("B2:C2")
        wb["債権者"].merge_cells("R5:S6")  # outside every contract column: harmless
    _, issues = check(tmp_path, edit=edit)
    assert ("債権者", "B2:C2", "merged_cells") in triples(issues)
    assert not any(i.where.cell == "R5:S6" for i in issues)


def test_missing_required_sheet(tmp_path):
    case, issues = check(tmp_path, drop=["世帯"])
    assert case is None and triples(issues) == [("世帯", "", "sheet_missing")]


def test_missing_case_sheet_reports_it_and_still_checks_the_rest(tmp_path):
    _, issues = check(tmp_path, drop=["案件"],
                      rows={"債権者": [creditor(元金残高="abc")]})
    assert ("案件", "", "sheet_missing") in triples(issues)
    assert ("債権者", "D2", "yen_invalid") in triples(issues)


# --- cross-field rules -----------------------------------------------------------------------

@pytest.mark.parametrize("case_id", ["../x", "2026/0142", "-2026", "a" * 41, "案件1"])
def test_case_id_must_be_a_safe_folder_name(tmp_path, case_id):
    _, issues = check(tmp_path, case={"案件番号": case_id})
    assert triples(issues) == [("案件", "B2", "case_id_invalid")]


def test_full_width_case_id_is_normalised(tmp_path):
    case, issues = check(tmp_path, case={"案件番号": "２０２６－０１４２"})
    assert issues == [] and case.case_id == "2026-0142"


def test_numeric_case_id_cell_is_text_without_decimal(tmp_path):
    case, _ = check(tmp_path, case={"案件番号": 20260142})
    assert case.case_id == "20260142"


def test_at_least_one_lien(tmp_path):
    _, issues = check(tmp_path, rows={"債権者": [creditor(順位=None, 担保種別="差押")]})
    assert triples(issues) == [("債権者", "", "no_lien")]


def test_a_lien_with_rank_one(tmp_path):
    _, issues = check(tmp_path, rows={"債権者": [creditor(順位=2)]})
    assert triples(issues) == [("債権者", "", "no_first_lien")]


def test_rank_required_on_liens(tmp_path):
    _, issues = check(tmp_path, extra_rows={"債権者": [creditor(順位=None, 担保種別="根抵当権")]})
    assert triples(issues) == [("債権者", "A3", "rank_required")]


def test_rank_unique_among_liens(tmp_path):
    _, issues = check(tmp_path, extra_rows={"債権者": [creditor(債権者名="△△信用金庫")]})
    assert triples(issues) == [("債権者", "A3", "rank_duplicate")]


@pytest.mark.parametrize("kind", ["差押", "無担保"])
def test_rank_must_be_blank_on_seizures_and_unsecured(tmp_path, kind):
    _, issues = check(tmp_path, extra_rows={"債権者": [creditor(順位=2, 担保種別=kind)]})
    assert triples(issues) == [("債権者", "A3", "rank_not_allowed")]


def test_base_date_required_when_damage_rate_positive(tmp_path):
    _, issues = check(tmp_path, rows={"債権者": [creditor(基準日=None)]})
    assert triples(issues) == [("債権者", "F2", "base_date_required")]
    case, issues = check(tmp_path, rows={"債権者": [creditor(基準日=None, 損害金率=None)]})
    assert issues == [] and case.creditors[0].damage_rate == Decimal(0)


def test_property_needs_a_row(tmp_path):
    _, issues = check(tmp_path, rows={"物件": []})
    assert triples(issues) == [("物件", "", "no_units")]


def test_budget_needs_an_income_row(tmp_path):
    _, issues = check(tmp_path, rows={"収支": [ROWS["収支"][1]]})
    assert triples(issues) == [("収支", "", "no_income")]


def test_budget_category_must_belong_to_its_side(tmp_path):
    _, issues = check(tmp_path, extra_rows={"収支": [{"区分": "収入", "費目": "食費", "月額": 1}]})
    assert triples(issues) == [("収支", "B4", "category_mismatch")]
    assert "給与" in issues[0].message  # the allowed words are listed


def test_priority_on_seizure_is_kept(tmp_path):
    seizure = creditor(順位=None, 債権者名="○○市", 担保種別="差押", 優先="はい")
    case, issues = check(tmp_path, extra_rows={"債権者": [seizure]})
    assert issues == [] and case.seizures[0].priority is True


def test_priority_on_a_lien_is_ignored_with_a_warning(tmp_path):
    case, issues = check(tmp_path, rows={"債権者": [creditor(優先="はい")]})
    assert triples(issues) == [("債権者", "M2", "priority_ignored")]
    assert case.first_lien.priority is False


def test_monthly_payment_only_on_unsecured(tmp_path):
    card = creditor(順位=None, 債権者名="△△カード", 担保種別="無担保", 月返済額=20000)
    case, issues = check(tmp_path, rows={"債権者": [creditor(月返済額=90000), card]})
    assert triples(issues) == [("債権者", "O2", "monthly_payment_ignored")]
    assert case.first_lien.monthly_payment is None
    assert case.unsecured[0].monthly_payment == 20000


# --- robustness ----------------------------------------------------------------------------

def test_unexpected_exception_becomes_internal_error(tmp_path):
    raw, _ = read_workbook(write_case(tmp_path))
    broken = RawSheet("債権者", "債権者", (RawRow(1, None),))  # type: ignore[arg-type]
    case, issues = validate_workbook(RawWorkbook(raw.file, {**raw.sheets, "債権者": broken}),
                                     ("standard",))
    assert case is None and triples(issues) == [("", "", "internal_error")]
    assert issues[0].where.file == "2026-0142.xlsx"


def test_refused_file_gives_no_case(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("a,b\n")
    case, issues = load_case(path)
    assert case is None and [i.code for i in issues] == ["not_xlsx"]


def test_clock_gets_read_and_validate_laps(tmp_path):
    class Clock:
        def __init__(self):
            self.laps = []

        def lap(self, stage):
            self.laps.append(stage)

    clock = Clock()
    load_case(write_case(tmp_path), ("standard",), clock=clock)
    assert clock.laps == ["read", "validate"]


@pytest.mark.parametrize("odd", [True, time(10, 30), 1e300, 3.5, "#DIV/0!", "ｎａｎ",
                                 datetime(2026, 1, 1, 5), "=A1", "\u3000"])
def test_odd_values_in_every_cell_give_issues_never_a_crash(tmp_path, odd):
    case, issues = check(tmp_path, case={label: odd for label, _ in CASE},
                         rows={sheet: [dict.fromkeys(headers, odd)]
                               for sheet, headers in HEADERS.items()})
    assert case is None and issues
    assert "internal_error" not in {i.code for i in issues}
    assert all(i.where.sheet for i in issues)  # every problem is placed on a sheet


# --- invisible-only text (issue 12 item 9) ----------------------------------------------------

@pytest.mark.parametrize(("case", "rows", "where"), [
    ({}, {"債権者": [creditor(債権者名="\u2060")]}, ("債権者", "B2")),  # WORD JOINER only
    ({"債務者氏名": "\u202e\u00ad"}, None, ("案件", case_cell("債務者氏名"))),  # RLO + soft hyphen
    ({"債務者住所": "\ufeff\u200b\u3000"}, None, ("案件", case_cell("債務者住所"))),
], ids=["creditor-word-joiner", "debtor-rlo-soft-hyphen", "address-bom-zwsp-space"])
def test_text_of_only_invisible_characters_is_required_at_its_cell(tmp_path, case, rows, where):
    """Blank means blank after the cleaning the documents use: no letter headed 「 御中」."""
    built, issues = check(tmp_path, case=case, rows=rows)
    assert built is None
    assert triples(issues) == [(*where, "required")]


def test_invisible_characters_never_reach_the_case_or_a_message(tmp_path):
    """U+202E reverses what follows it; it is dropped from the value and from what staff read."""
    case, issues = check(tmp_path, case={"債務者氏名": "髙橋\u202e 一郎\u200b"},
                         rows={"債権者": [creditor(債権者名="○○\u2060銀行", 元金残高="x\u202e")]})
    assert case is None
    assert triples(issues) == [("債権者", "D2", "yen_invalid")]
    assert issues[0].raw == "x" and "\u202e" not in issues[0].message
    case, issues = check(tmp_path, case={"債務者氏名": "髙橋\u202e 一郎\u200b"},
                         rows={"債権者": [creditor(債権者名="○○\u2060銀行")]})
    assert issues == []
    assert case.debtor.name == "髙橋 一郎" and case.creditors[0].name == "○○銀行"
