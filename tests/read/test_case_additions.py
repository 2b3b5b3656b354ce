"""The 項目 added for auction, bankruptcy and the letters, 債権番号 and the 所有者 sheet (issue 13).

All optional: a workbook without them is read exactly as before. Each new value is checked at its
cell, with the label, the raw value and what is allowed.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from factory import HEADERS, ROWS, case_cell, cell, write_case

from pipeline.read.models import AuctionInfo, BankruptcyInfo, Case
from pipeline.read.validate import load_case
from pipeline.read.values import BadValue, parse_share

CREDITOR = ROWS["債権者"][0]
SECOND = {"順位": 2, "債権者名": "やまびこ債権回収株式会社", "担保種別": "抵当権",
          "元金残高": 3_000_000}


def check(tmp_path, **changes):
    return load_case(write_case(tmp_path, **changes))


def errors(issues) -> list[tuple[str, str, str]]:
    return [i.triple for i in issues if i.severity == "error"]


def owner(name: str, share: object, address: str = "東京都新宿区西新宿一丁目1番1-101号") -> dict:
    return {"氏名": name, "住所": address, "持分": share}


# --- 案件: the new 項目 ------------------------------------------------------------------------

FULL = {
    "事件番号": "令和8年(ケ)第1号", "破産手続": "あり",
    "申立債権者": "○○銀行", "執行裁判所": "静岡地方裁判所", "競売申立費用": "82万円",
    "破産管財人": "弁護士 山田 太郎", "破産管財人事務所": "山田総合法律事務所",
    "破産管財人電話": "03-5555-0001", "破産事件番号": "令和8年(フ)第1234号",
    "破産裁判所": "東京地方裁判所", "回答期限": "令和8年12月15日", "手付金": 500_000,
    "引渡予定日": date(2027, 1, 31), "買主との関係": "親族",
}


def test_every_new_field_fills_its_model_attribute(tmp_path):
    case, issues = check(tmp_path, case=FULL)
    assert issues == []
    assert case.auction.applicant == "○○銀行" and case.auction.court == "静岡地方裁判所"
    assert case.auction.costs == 820_000
    assert case.bankruptcy_case == BankruptcyInfo(
        trustee="弁護士 山田 太郎", trustee_office="山田総合法律事務所",
        trustee_phone="03-5555-0001", case_number="令和8年(フ)第1234号", court="東京地方裁判所")
    assert case.reply_deadline == date(2026, 12, 15) and case.handover_date == date(2027, 1, 31)
    assert case.deposit == 500_000 and case.buyer_relation == "親族"
    assert case.cells["auction.costs"] == case_cell("競売申立費用", FULL)
    assert case.cells["bankruptcy_case.trustee"] == case_cell("破産管財人", FULL)


def test_a_workbook_without_the_new_fields_reads_as_before(tmp_path):
    """No 債権番号 column, no 所有者 sheet, no new 項目: the defaults, and no issue at all."""
    loan_column = HEADERS["債権者"].index("債権番号") + 1

    def older(wb):
        wb["債権者"].delete_cols(loan_column)

    case, issues = check(tmp_path, drop=["所有者"], edit=older)
    assert issues == []
    assert case.auction == AuctionInfo() and case.bankruptcy_case == BankruptcyInfo()
    assert case.owners == () and case.creditors[0].loan_number is None
    assert (case.reply_deadline, case.deposit, case.handover_date, case.buyer_relation) == (
        None, None, None, None)


def test_applicant_is_stored_as_the_creditor_sheet_writes_it(tmp_path):
    """Width and spaces tolerated, as for every name compared (normalize_label)."""
    rows = {"債権者": [CREDITOR, SECOND]}
    case, issues = check(tmp_path, case={"申立債権者": "やまびこ債権回収 株式会社",
                                         "事件番号": "令和8年(ケ)第1号"}, rows=rows)
    assert issues == []
    assert case.auction.applicant == "やまびこ債権回収株式会社"


def test_an_applicant_that_is_no_creditor_is_refused_at_its_cell(tmp_path):
    changes = {"申立債権者": "○○信用金庫", "事件番号": "令和8年(ケ)第1号"}
    case, issues = check(tmp_path, case=changes, rows={"債権者": [CREDITOR, SECOND]})
    assert case is None
    assert errors(issues) == [("案件", case_cell("申立債権者", changes), "applicant_unknown")]
    assert issues[0].raw == "○○信用金庫"
    assert issues[0].message == ("申立債権者「○○信用金庫」が債権者シートの債権者名にありません。"
                                 "債権者名のとおりに入力してください（○○銀行／やまびこ債権回収株式会社）")


@pytest.mark.parametrize(("typed", "code"), [
    ("友人", "choice_invalid"), (True, "boolean_value"),
])
def test_buyer_relation_is_a_choice(tmp_path, typed, code):
    changes = {"買主との関係": typed}
    case, issues = check(tmp_path, case=changes)
    assert case is None
    assert errors(issues) == [("案件", case_cell("買主との関係", changes), code)]
    if code == "choice_invalid":
        assert "なし／親族／知人／勤務先／その他" in issues[0].message


@pytest.mark.parametrize(("label", "typed", "code"), [
    ("回答期限", "2101/01/01", "date_out_of_range"),
    ("引渡予定日", "1026/01/31", "date_out_of_range"),
    ("競売申立費用", "-1", "yen_negative"),
    ("手付金", "五十万くらい", "yen_invalid"),
    ("破産管財人電話", "0" * 31, "text_too_long"),
    ("執行裁判所", "裁" * 61, "text_too_long"),
])
def test_new_values_are_checked_at_their_cells(tmp_path, label, typed, code):
    changes = {label: typed}
    case, issues = check(tmp_path, case=changes)
    assert case is None
    assert [(s, c) for s, c, _ in errors(issues)] == [("案件", case_cell(label, changes))]
    assert errors(issues)[0][2] == code


# --- 債権者: 債権番号 ---------------------------------------------------------------------------

def test_loan_number_is_read_per_creditor_and_kept_as_text(tmp_path):
    rows = {"債権者": [{**CREDITOR, "債権番号": "0012-3456789"},
                    {**SECOND, "債権番号": 1234567}]}
    case, issues = check(tmp_path, rows=rows)
    assert issues == []
    assert [c.loan_number for c in case.creditors] == ["0012-3456789", "1234567"]


def test_a_loan_number_too_long_is_refused_at_its_cell(tmp_path):
    _case, issues = check(tmp_path, rows={"債権者": [{**CREDITOR, "債権番号": "9" * 31}]})
    assert errors(issues) == [("債権者", cell("債権者", "債権番号"), "text_too_long")]


# --- 所有者 --------------------------------------------------------------------------------------

def test_owners_are_read_with_their_shares_normalised(tmp_path):
    rows = {"所有者": [owner("髙橋 一郎", "1/2"), owner("髙橋 花子", "持分４分の２")]}
    case, issues = check(tmp_path, rows=rows)
    assert issues == []
    assert [(o.row, o.name, o.share) for o in case.owners] == [
        (2, "髙橋 一郎", "2分の1"), (3, "髙橋 花子", "4分の2")]
    assert sum(o.fraction for o in case.owners) == 1


def test_three_owners_with_different_denominators_add_up_exactly(tmp_path):
    rows = {"所有者": [owner("甲", "3分の1"), owner("乙", "6分の1"), owner("丙", "2分の1")]}
    case, issues = check(tmp_path, rows=rows)
    assert issues == [] and len(case.owners) == 3


def test_shares_that_do_not_add_up_to_one_are_refused_on_the_share_column(tmp_path):
    rows = {"所有者": [owner("甲", "2分の1"), owner("乙", "3分の1")]}
    case, issues = check(tmp_path, rows=rows)
    assert case is None
    assert errors(issues) == [("所有者", "C2:C3", "share_sum")]
    assert issues[0].message == ("持分の合計が1になりません（合計6分の5: 2分の1＋3分の1）。"
                                 "登記どおりの持分を全員分入力してください")


def test_one_owner_with_half_is_refused(tmp_path):
    _case, issues = check(tmp_path, rows={"所有者": [owner("甲", "1/2")]})
    assert errors(issues) == [("所有者", "C2", "share_sum")]


@pytest.mark.parametrize(("typed", "code"), [
    ("半分", "share_invalid"), ("3分の4", "share_out_of_range"), ("2分の0", "share_out_of_range"),
    (0.5, "share_invalid"), (datetime(2026, 1, 2), "share_invalid"),
])
def test_a_share_that_is_no_fraction_up_to_one_is_refused_at_its_cell(tmp_path, typed, code):
    rows = {"所有者": [owner("甲", typed), owner("乙", "2分の1")]}
    case, issues = check(tmp_path, rows=rows)
    assert case is None
    assert errors(issues) == [("所有者", "C2", code)]  # no share_sum on top of it


def test_owner_name_address_and_share_are_required(tmp_path):
    rows = {"所有者": [{"氏名": "甲", "住所": None, "持分": None}]}
    _case, issues = check(tmp_path, rows=rows)
    assert errors(issues) == [("所有者", "B2", "required"), ("所有者", "C2", "required")]


def test_an_empty_owner_sheet_means_the_debtor_alone(tmp_path):
    case, issues = check(tmp_path, rows={"所有者": []})
    assert issues == [] and case.owners == ()


@pytest.mark.parametrize(("typed", "text"), [
    ("2分の1", "2分の1"), ("1/2", "2分の1"), ("１／２", "2分の1"), ("持分 2 分の 1", "2分の1"),
    ("100000分の1862", "100000分の1862"), (1, "1分の1"), ("1/1", "1分の1"),
])
def test_parse_share(typed, text):
    assert parse_share(typed) == text


def test_case_model_defaults_need_no_new_value():
    """Case built without any new field (as compute tests do): the defaults are empty."""
    fields = Case.model_fields
    assert fields["owners"].default == () and fields["bankruptcy_case"].default == BankruptcyInfo()


def test_parse_share_refuses_text_it_cannot_read():
    with pytest.raises(BadValue) as bad:
        parse_share("二分の一")
    assert bad.value.code == "share_invalid" and "2分の1" in bad.value.expected


def test_auction_costs_need_an_applicant(tmp_path):
    """競売申立費用 is paid back to the 申立債権者: without one, nobody to pay it to."""
    changes = {"競売申立費用": 820_000}
    case, issues = check(tmp_path, case=changes)
    assert case is None
    assert errors(issues) == [("案件", case_cell("競売申立費用", changes), "applicant_required")]
    case, issues = check(tmp_path, case={**changes, "申立債権者": "○○銀行",
                                         "事件番号": "令和8年(ケ)第1号"})
    assert issues == [] and case.auction.costs == 820_000


def warnings_of(issues) -> list[tuple[str, str, str]]:
    return [i.triple for i in issues if i.severity == "warn"]


@pytest.mark.parametrize(("changes", "code", "at"), [
    ({"破産管財人": "弁護士 山田 太郎"}, "bankruptcy_not_set", "破産管財人"),
    ({"破産手続": "なし", "破産事件番号": "令和8年(フ)第1号"}, "bankruptcy_not_set", "破産手続"),
    ({"破産手続": "あり", "破産管財人": "弁護士 山田 太郎"}, None, None),
    ({"申立債権者": "○○銀行"}, "auction_not_set", "申立債権者"),
    ({"執行裁判所": "静岡地方裁判所", "開札期日": date(2027, 3, 1)}, None, None),
    ({"申立債権者": "○○銀行", "事件番号": "令和8年(ケ)第1号"}, None, None),
])
def test_path_details_without_their_path_are_said(tmp_path, changes, code, at):
    """A 管財人 without 破産手続 あり, or an applicant without 事件番号/開札期日: the case stays on
    the ordinary path, and staff are told so, at the 破産手続 cell if there is one, else at the
    detail itself."""
    case, issues = check(tmp_path, case=changes)
    assert case is not None
    expected = [("案件", case_cell(at, changes), code)] if code else []
    assert warnings_of(issues) == expected
