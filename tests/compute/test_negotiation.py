"""The 交渉 warnings (issue 16 part 3): each creditor's standing answer against the 配分案, each
rule on both sides, and the figures untouched by any demand."""

from __future__ import annotations

from datetime import date

import pytest

from compute.builder import BANK, BATCH, answer, lien, make_case, seizure
from pipeline.compute import compute_case
from pipeline.config import load_config

CONFIG = load_config(None)
FIRST = lien(1, principal=19_500_000)
JUNIOR = lien(2, "ひかり保証", 1_000_000)  # ハンコ代 100,000 (10% of 元金), no waterfall share
CODES = ("below_creditor_floor", "condition_not_met", "moving_reduction_requested",
         "reply_overdue")


def raised(**overrides):
    figures = compute_case(make_case(**overrides), CONFIG, BATCH)
    return [w for w in figures.warnings if w.code in CODES]


def codes(**overrides) -> list[str]:
    return [w.code for w in raised(**overrides)]


# --- below_creditor_floor ---------------------------------------------------------------------

def test_a_price_one_yen_below_the_floor_is_high_and_says_by_how_much():
    (warning,) = raised(negotiation=(answer(floor_price=14_000_001, reply="条件付同意"),))
    assert warning.code == "below_creditor_floor" and warning.severity == "high"
    assert (warning.sheet, warning.cell) == ("交渉", "G2")
    assert "売却価格14,000,000円" in warning.message and "最低売却価格14,000,001円" in warning.message
    assert "1円下回ります" in warning.message and "第1回" in warning.message


def test_a_price_at_the_floor_is_fine():
    assert codes(negotiation=(answer(floor_price=14_000_000),)) == []


def test_the_latest_round_that_gives_a_floor_counts():
    """Round 1 asked 13,000,000; round 2 raised it to 14,500,000; round 3 is still 回答待ち."""
    rounds = (answer(round=1, floor_price=13_000_000), answer(round=2, floor_price=14_500_000),
              answer(round=3))
    (warning,) = raised(negotiation=rounds)
    assert warning.cell == "G3" and "第2回" in warning.message
    lowered = (answer(round=1, floor_price=14_500_000), answer(round=2, floor_price=14_000_000))
    assert codes(negotiation=lowered) == []


def test_each_creditor_has_its_own_floor():
    rounds = (answer(floor_price=13_000_000), answer("ひかり保証", floor_price=15_000_000))
    (warning,) = raised(creditors=(FIRST, JUNIOR), negotiation=rounds)
    assert "ひかり保証" in warning.message and warning.cell == "G3"


# --- condition_not_met: 抹消承諾料 -------------------------------------------------------------

def test_a_demand_above_the_juniors_share_is_not_met():
    (warning,) = raised(creditors=(FIRST, JUNIOR),
                        negotiation=(answer("ひかり保証", release_fee_demand=300_000),))
    assert (warning.code, warning.severity, warning.cell) == ("condition_not_met", "warn", "H2")
    assert "抹消承諾料300,000円の要求に対し、配分案の配分額は100,000円です（200,000円不足）" in (
        warning.message)


def test_a_demand_equal_to_the_share_is_met():
    assert codes(creditors=(FIRST, JUNIOR),
                 negotiation=(answer("ひかり保証", release_fee_demand=100_000),)) == []


def test_entering_the_agreed_fee_clears_the_warning():
    """Staff enter the demanded 300,000 as the 解除料: the 配分案 now gives it, nothing is raised."""
    agreed = lien(2, "ひかり保証", 1_000_000, release_fee=300_000)
    assert codes(creditors=(FIRST, agreed),
                 negotiation=(answer("ひかり保証", release_fee_demand=300_000),)) == []


def test_a_seizures_share_is_its_release_fee_plus_what_the_liens_leave():
    """港区役所 (非優先 差押, 固定資産税年額 50,000 → 差押解除料 50,000): demand 50,001 is above."""
    creditors = (FIRST, seizure(principal=500_000))
    found = codes(creditors=creditors, property_tax_yearly=50_000,
                  negotiation=(answer("港区役所", release_fee_demand=50_001),))
    assert found == ["condition_not_met"]
    assert codes(creditors=creditors, property_tax_yearly=50_000,
                 negotiation=(answer("港区役所", release_fee_demand=50_000),)) == []


def test_the_first_liens_share_is_the_whole_waterfall():
    figures = compute_case(make_case(creditors=(FIRST,)), CONFIG, BATCH)
    share = figures.sale.liens[0].received
    assert codes(negotiation=(answer(release_fee_demand=share),)) == []
    assert codes(negotiation=(answer(release_fee_demand=share + 1),)) == ["condition_not_met"]


# --- condition_not_met / moving_reduction_requested: 引越費用 -----------------------------------

def test_moving_refused_while_the_proposal_deducts_it():
    (warning,) = raised(negotiation=(answer(moving_cost="不可", reply="条件付同意"),))
    assert (warning.code, warning.cell) == ("condition_not_met", "I2")
    assert "引越費用300,000円" in warning.message


@pytest.mark.parametrize("requested", [None, 0])
def test_moving_refused_with_none_requested_is_fine(requested):
    assert codes(moving_requested=requested, negotiation=(answer(moving_cost="不可"),)) == []


def test_moving_allowed_in_a_later_round_lifts_the_refusal():
    rounds = (answer(round=1, moving_cost="不可"), answer(round=2, moving_cost="可"))
    assert codes(negotiation=rounds) == []
    pending = (answer(round=1, moving_cost="不可"), answer(round=2))  # round 2 not answered yet
    assert codes(negotiation=pending) == ["condition_not_met"]


def test_a_reduction_asks_staff_to_enter_the_reduced_amount():
    (warning,) = raised(negotiation=(answer(moving_cost="減額"),))
    assert (warning.code, warning.severity, warning.cell) == (
        "moving_reduction_requested", "info", "I2")
    assert "引越費用300,000円" in warning.message and "引越費用希望額" in warning.message


# --- reply_overdue ----------------------------------------------------------------------------

def test_a_deadline_the_day_before_the_batch_date_is_overdue():
    (warning,) = raised(negotiation=(answer(reply_deadline=date(2026, 11, 29)),))
    assert (warning.code, warning.severity, warning.cell) == ("reply_overdue", "warn", "D2")
    assert "2026年11月29日" in warning.message and "1日経過" in warning.message


def test_a_deadline_on_the_batch_date_is_not_yet_overdue():
    assert codes(negotiation=(answer(reply_deadline=BATCH),)) == []


@pytest.mark.parametrize("reply", ["同意", "条件付同意", "不同意"])
def test_a_replied_round_past_its_deadline_gives_nothing(reply):
    rounds = (answer(reply_deadline=date(2026, 10, 1), reply=reply, replied_on=date(2026, 9, 30)),)
    assert codes(negotiation=rounds) == []


def test_only_the_latest_round_can_be_overdue():
    """Round 1 was never answered, round 2 went out and is not due yet: nothing is overdue."""
    rounds = (answer(round=1, reply_deadline=date(2026, 10, 1)),
              answer(round=2, reply_deadline=date(2026, 12, 15)))
    assert codes(negotiation=rounds) == []


def test_the_batch_date_decides_not_the_documents_date():
    """作成日 is the letters' date; overdue is about the day the batch runs."""
    late = make_case(created=date(2026, 11, 1), negotiation=(answer(reply_deadline=date(2026, 11, 15)),))
    figures = compute_case(late, CONFIG, BATCH)
    assert [w.code for w in figures.warnings if w.code == "reply_overdue"] == ["reply_overdue"]


# --- the figures ------------------------------------------------------------------------------

def test_demands_never_change_the_figures():
    # the bank: floor above the price, 引越費用 不可 (its 900,000 demand is far below its share);
    # ひかり保証: 500,000 demanded against 100,000, 引越費用 減額, reply overdue.
    rounds = (answer(round=1, floor_price=16_000_000, release_fee_demand=900_000,
                     moving_cost="不可", reply="条件付同意", replied_on=date(2026, 11, 1)),
              answer("ひかり保証", release_fee_demand=500_000, moving_cost="減額",
                     reply_deadline=date(2026, 11, 1)))
    without = compute_case(make_case(creditors=(FIRST, JUNIOR)), CONFIG, BATCH)
    with_rounds = compute_case(make_case(creditors=(FIRST, JUNIOR), negotiation=rounds),
                               CONFIG, BATCH)
    assert with_rounds.model_dump(exclude={"warnings"}) == without.model_dump(exclude={"warnings"})
    assert set(without.warnings) <= set(with_rounds.warnings)
    assert sorted(w.code for w in set(with_rounds.warnings) - set(without.warnings)) == [
        "below_creditor_floor", "condition_not_met", "condition_not_met",
        "moving_reduction_requested", "reply_overdue"]


def test_a_name_shared_by_two_lien_rows_is_one_creditor():
    """The 順位 1 holder's own 第3順位 lien pays no ハンコ代: its 配分額 is its two rows together."""
    own = lien(3, BANK, 500_000)
    figures = compute_case(make_case(creditors=(FIRST, own)), CONFIG, BATCH)
    total = sum(r.received for r in figures.sale.liens)
    assert codes(creditors=(FIRST, own), negotiation=(answer(release_fee_demand=total),)) == []
