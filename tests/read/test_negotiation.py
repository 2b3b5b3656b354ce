"""The 交渉 sheet (issue 16 part 1): each creditor's answer to each round, read into
``Case.negotiation`` and checked at its cells, all problems at once."""

from __future__ import annotations

from datetime import date

from factory import ROWS, cell, write_case

from pipeline.read.models import NegotiationRound
from pipeline.read.validate import load_case

FIRST = ROWS["債権者"][0]  # ○○銀行, 順位 1
SECOND = {"順位": 2, "債権者名": "やまびこ債権回収株式会社", "担保種別": "抵当権",
          "元金残高": 3_000_000}


def check(tmp_path, rounds: list[dict], **changes):
    changes.setdefault("rows", {})["債権者"] = [FIRST, SECOND]
    changes["rows"]["交渉"] = rounds
    return load_case(write_case(tmp_path, **changes))


def found(issues, severity: str = "error") -> list[tuple[str, str, str]]:
    return [i.triple for i in issues if i.severity == severity]


def reply(**fields) -> dict:
    row = {"債権者名": "○○銀行", "回": 1, "送付日": date(2026, 10, 1),
           "回答期限": date(2026, 10, 15)}
    return row | fields


def test_a_workbook_without_the_sheet_has_no_rounds(tmp_path):
    case, issues = load_case(write_case(tmp_path, drop=["交渉"]))
    assert issues == [] and case.negotiation == ()


def test_every_column_fills_its_field_and_its_cell_is_recorded(tmp_path):
    rows = [reply(回答日="令和8年10月10日", 回答="条件付同意", 最低売却価格="1,450万円",
                  抹消承諾料="三十万円", 引越費用="減額", 条件メモ="<b>A&B</b> {{ x }}"),
            reply(債権者名="やまびこ債権回収株式会社")]
    case, issues = check(tmp_path, rows)
    assert issues == []
    first, second = case.negotiation
    assert first == NegotiationRound(
        row=2, creditor="○○銀行", round=1, sent_on=date(2026, 10, 1),
        reply_deadline=date(2026, 10, 15), replied_on=date(2026, 10, 10), reply="条件付同意",
        floor_price=14_500_000, release_fee_demand=300_000, moving_cost="減額",
        memo="<b>A&B</b> {{ x }}")
    assert second.reply == "回答待ち" and second.floor_price is None  # blank 回答 = 回答待ち
    assert case.cells["交渉:2:floor_price"] == cell("交渉", "最低売却価格")
    assert case.cells["交渉:3:reply"] == cell("交渉", "回答", 1)
    assert case.rounds_of("○○銀行") == (first,)


def test_the_name_is_matched_across_width_and_spaces_and_kept_as_the_creditor_sheet_writes_it(
        tmp_path):
    case, issues = check(tmp_path, [reply(債権者名="やまびこ 債権回収株式会社")])
    assert issues == [] and case.negotiation[0].creditor == "やまびこ債権回収株式会社"


def test_a_name_not_on_the_creditor_sheet_is_refused_at_its_cell(tmp_path):
    case, issues = check(tmp_path, [reply(債権者名="△△銀行")])
    assert case is None
    assert found(issues) == [("交渉", cell("交渉", "債権者名"), "negotiation_creditor_unknown")]
    assert "「△△銀行」" in issues[0].message and "○○銀行／やまびこ債権回収株式会社" in issues[0].message
    assert issues[0].raw == "△△銀行"


def test_one_row_per_creditor_and_round(tmp_path):
    rows = [reply(), reply(回="２"), reply(回="2"), reply(債権者名="やまびこ債権回収株式会社")]
    case, issues = check(tmp_path, rows)
    assert case is None
    assert found(issues) == [("交渉", cell("交渉", "回", 2), "round_duplicate")]
    assert f"{cell('交渉', '回', 1)}と同じ" in issues[0].message


def test_the_round_is_a_whole_number_from_1(tmp_path):
    case, issues = check(tmp_path, [reply(回=0), reply(回="1.5"), reply(回=None)])
    assert case is None
    assert [(c, code) for _, c, code in found(issues)] == [
        (cell("交渉", "回", 0), "out_of_range"), (cell("交渉", "回", 1), "integer_invalid"),
        (cell("交渉", "回", 2), "required")]


def test_amounts_dates_and_choices_are_read_like_every_sheet_and_refused_at_their_cell(tmp_path):
    rows = [reply(最低売却価格="1400万円くらい", 回答期限="令和8年2月30日", 回答="承諾",
                  引越費用="ダメ", 抹消承諾料=-5)]
    case, issues = check(tmp_path, rows)
    assert case is None
    assert {(c, code) for _, c, code in found(issues)} == {
        (cell("交渉", "最低売却価格"), "yen_invalid"), (cell("交渉", "回答期限"), "date_impossible"),
        (cell("交渉", "回答"), "choice_invalid"), (cell("交渉", "引越費用"), "choice_invalid"),
        (cell("交渉", "抹消承諾料"), "yen_negative")}
    assert all(i.raw for i in issues)


def test_a_reply_or_deadline_before_the_letter_was_sent_is_an_error(tmp_path):
    rows = [reply(回答日=date(2026, 9, 30), 回答="同意"),
            reply(回=2, 送付日=date(2026, 11, 1), 回答期限=date(2026, 10, 31))]
    case, issues = check(tmp_path, rows)
    assert case is None
    assert found(issues) == [("交渉", cell("交渉", "回答日"), "reply_before_sent"),
                             ("交渉", cell("交渉", "回答期限", 1), "deadline_before_sent")]
    assert "2026年9月30日" in issues[0].message and "2026年10月1日" in issues[0].message


def test_a_reply_on_the_day_it_was_sent_is_fine(tmp_path):
    case, issues = check(tmp_path, [reply(回答日=date(2026, 10, 1), 回答="同意",
                                          回答期限=date(2026, 10, 1))])
    assert issues == [] and case is not None


def test_a_reply_without_its_date_is_a_warning_and_the_reply_is_kept(tmp_path):
    case, issues = check(tmp_path, [reply(回答="不同意")])
    assert found(issues, "warn") == [("交渉", cell("交渉", "回答日"), "reply_date_missing")]
    assert case.negotiation[0].reply == "不同意"


def test_a_reply_date_without_a_reply_is_a_warning_and_stays_pending(tmp_path):
    case, issues = check(tmp_path, [reply(回答日=date(2026, 10, 5))])
    assert found(issues, "warn") == [("交渉", cell("交渉", "回答"), "reply_missing")]
    assert case.negotiation[0].reply == "回答待ち"


def test_all_problems_of_the_sheet_are_reported_at_once(tmp_path):
    rows = [reply(債権者名="△△銀行"), reply(回="x"), reply(回答日=date(2026, 9, 1), 回答="同意")]
    _case, issues = check(tmp_path, rows)
    assert [code for _, _, code in found(issues)] == [
        "negotiation_creditor_unknown", "integer_invalid", "reply_before_sent"]
