"""Issue 16 part 2 in the view models: 第N回 per creditor, and the change table of the 別紙.

The cases are the multi-creditor case of test_documents (〇〇銀行 順位1・2, RARE 順位3, 〇〇市 差押,
a card loan) with 交渉 rows added; the earlier figures are written out here as the batch would
read them from an approved case.json.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.config import load_config
from pipeline.documents import build_views
from pipeline.documents.changes import EarlierDeduction, EarlierFigures
from pipeline.documents.common import CaseCommon, negotiation_round
from pipeline.documents.cover_letter import Enclosed, build_cover_letter
from pipeline.documents.format import round_text, yen_change
from pipeline.read.models import NegotiationRound

from .test_documents import BANK, CITY, RARE, multi_case, multi_figures


def sent(row: int, creditor: str, n: int, on: date | None) -> NegotiationRound:
    return NegotiationRound(row=row, creditor=creditor, round=n, sent_on=on)


#: 〇〇銀行: rounds 1 and 2 sent, round 3 planned (no 送付日) → its letters are 第3回.
#: RARE: round 1 sent twice (the same round resent), round 2 planned → 第2回.
#: 〇〇市: no row → first send. The card loan: a row, never sent → first send.
ROUNDS = (sent(2, BANK, 1, date(2026, 9, 30)), sent(3, BANK, 2, date(2026, 10, 30)),
          sent(4, BANK, 3, None), sent(5, RARE, 1, date(2026, 9, 30)),
          sent(6, RARE, 1, date(2026, 10, 5)), sent(7, RARE, 2, None),
          sent(8, "=HYPERLINK(\"x\")カード<b>", 1, None))


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """The shipped defaults: run from an empty folder so a local ninbai.toml cannot leak in."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))
        return load_config(None)


def negotiated():
    return multi_case().model_copy(update={"negotiation": ROUNDS})


def test_round_text_prints_nothing_for_the_first_send():
    assert [round_text(n) for n in (1, 2, 10)] == ["", "（第2回）", "（第10回）"]
    with pytest.raises(ValueError):
        round_text(0)


def test_yen_change_signs_an_increase_and_triangles_a_decrease():
    assert [yen_change(n) for n in (1_000_000, -560_000, 0)] == \
        ["+1,000,000円", "△560,000円", "0円"]


def test_round_is_one_more_than_the_rounds_sent_to_that_creditor():
    case = negotiated()
    assert {n: negotiation_round(case, n) for n in (BANK, RARE, CITY, "どこにもない")} == \
        {BANK: 3, RARE: 2, CITY: 1, "どこにもない": 1}


def test_each_creditors_letters_carry_its_own_round(config):
    views = build_views(negotiated(), multi_figures(), config)
    letters = {(v.kind, v.creditor.name): (v.round, v.round_text)
               for v in views if v.kind != "household_statement"}
    assert letters == {
        ("sale_request", BANK): (3, "（第3回）"), ("sale_request", RARE): (2, "（第2回）"),
        ("sale_request", CITY): (1, ""),
        ("repayment_proposal", BANK): (3, "（第3回）"),
        ("repayment_proposal", RARE): (2, "（第2回）")}
    bank = next(v for v in views if v.kind == "sale_request" and v.creditor.name == BANK)
    # the 回答書 names the round it answers
    assert "「任意売却に関する同意申請書（第3回）」" in bank.reply_slip.text


def test_the_cover_letter_subject_says_the_round(config):
    common = CaseCommon.of(negotiated(), multi_figures(), config)
    cover = build_cover_letter(common, RARE, [Enclosed("任意売却に関する同意申請書", 3)])
    assert cover.subject.endswith("所有不動産の任意売却の件（第2回）")
    first = build_cover_letter(common, CITY, [Enclosed("任意売却に関する同意申請書", 3)])
    assert first.subject.endswith("所有不動産の任意売却の件") and first.round == 1


# --- the change table ------------------------------------------------------------------------

#: What the earlier approved 配分案 gave, at 21,000,000円 (today: 20,000,000円). It had no
#: 差押解除料 (the 差押 came later) but a 滞納管理費 line since paid; RARE's fee was 150,000円.
EARLIER = EarlierFigures(
    batch="2026-10", document_date=date(2026, 10, 30), price=21_000_000,
    deductions=(EarlierDeduction("brokerage", "仲介手数料", "", 759_000),
                EarlierDeduction("registration", "抵当権等抹消費用", "", 36_000),
                EarlierDeduction("junior_release", "抹消承諾料（ハンコ代）", RARE, 150_000),
                EarlierDeduction("management_arrears", "滞納管理費等", "", 120_000)),
    deductions_total=1_065_000,
    received={BANK: 19_935_000, RARE: 150_000})


def rows_of(table):
    return [(r.label, r.before_text, r.after_text, r.change_text) for r in table.rows]


def test_change_table_against_the_earlier_approved_figures(config):
    views = build_views(negotiated(), multi_figures(), config, earlier=EARLIER)
    tables = {v.changes for v in views if v.kind == "sale_request"}
    assert len(tables) == 1  # the case's table: the same in every letter, round 1 included
    table = tables.pop()
    assert table.caption == "前回（令和8年10月30日付）の配分案からの変更点"
    assert rows_of(table) == [
        ("売却価格", "21,000,000円", "20,000,000円", "△1,000,000円"),
        ("仲介手数料", "759,000円", "726,000円", "△33,000円"),
        ("抵当権等抹消費用", "36,000円", "36,000円", "0円"),
        (f"滞納税等の納付（差押解除）（{CITY}）", "—", "100,000円", "+100,000円"),  # new
        (f"抹消承諾料（{RARE}）", "150,000円", "200,000円", "+50,000円"),
        ("滞納管理費等", "120,000円", "—", "△120,000円"),  # dropped since
        ("控除費用合計", "1,065,000円", "1,062,000円", "△3,000円"),
        (f"{BANK} 配分額", "19,935,000円", "18,938,000円", "△997,000円"),
        (f"{RARE} 配分額", "150,000円", "200,000円", "+50,000円"),
        (f"{CITY} 配分額", "—", "100,000円", "+100,000円"),
    ]
    # every 増減 is 今回 − 前回, exactly
    assert all(r.change == (r.after or 0) - (r.before or 0) for r in table.rows)


def test_no_table_while_every_creditor_is_at_round_1(config):
    views = build_views(multi_case(), multi_figures(), config, earlier=EARLIER)
    assert all(v.changes is None for v in views if v.kind == "sale_request")


def test_no_table_without_earlier_approved_figures(config):
    views = build_views(negotiated(), multi_figures(), config, earlier=None)
    assert all(v.changes is None for v in views if v.kind == "sale_request")


def test_a_part_the_earlier_case_json_lacks_prints_a_dash_not_a_change(config):
    older = EarlierFigures(batch="old", document_date=None, price=21_000_000, deductions=None,
                           deductions_total=None, received=None)
    views = build_views(negotiated(), multi_figures(), config, earlier=older)
    table = next(v.changes for v in views if v.kind == "sale_request")
    assert table.caption == "前回の配分案からの変更点"
    rows = rows_of(table)
    assert rows[0] == ("売却価格", "21,000,000円", "20,000,000円", "△1,000,000円")
    assert all(before == "—" and change == "—" for _, before, _, change in rows[1:])
