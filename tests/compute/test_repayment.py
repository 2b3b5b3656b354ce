"""The repayment plan for the remaining debt (docs/rules.md §4)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compute.builder import BATCH, lien, line, make_case
from pipeline.compute import compute_case
from pipeline.config import load_config

CONFIG = load_config(None)


def budget(surplus):
    return (line("収入", "給与", 100_000 + surplus), line("支出", "住居費", 100_000))


def plan_of(**overrides):
    return compute_case(make_case(**overrides), CONFIG, BATCH).repayment


@pytest.mark.parametrize(("surplus", "monthly"), [
    (4_999, 0), (5_000, 5_000), (11_999, 5_000), (12_000, 6_000), (62_999, 31_000),
    (-10_000, 0),
])
def test_monthly_total_from_surplus(surplus, monthly):
    plan = plan_of(budget=budget(surplus))
    assert (plan.monthly_total, plan.monthly_given) == (monthly, False)


def test_no_capacity_gives_zero_months_none():
    (share,) = plan_of(budget=budget(0)).plan
    assert (share.monthly, share.months, share.years) == (0, None, None)


def test_offer_is_used_as_given():
    plan = plan_of(repayment_monthly_offer=10_000)
    assert (plan.monthly_total, plan.monthly_given) == (10_000, True)
    (share,) = plan.plan
    assert (share.months, share.years) == (775, Decimal("64.5"))  # ceil(774.2); 64.58 → 64.5


def test_no_target_means_no_plan_and_no_offer_warning():
    f = compute_case(make_case(creditors=(lien(1, principal=1_000_000),),
                               repayment_monthly_offer=900_000, lump_sum_offer=100_000),
                     CONFIG, BATCH)
    assert (f.repayment.monthly_total, f.repayment.plan, f.repayment.lump_sum) == (0, (), None)
    assert "repayment_exceeds_surplus" not in [w.code for w in f.warnings]


@pytest.mark.parametrize(("settlement", "given", "start"), [
    (date(2027, 1, 29), None, date(2027, 2, 1)),
    (date(2027, 12, 10), None, date(2028, 1, 1)),
    (date(2027, 1, 29), date(2027, 6, 1), date(2027, 6, 1)),
])
def test_first_payment_month(settlement, given, start):
    assert plan_of(settlement_date=settlement, repayment_start=given).start == start


def test_split_tie_goes_to_the_lower_rank_number():
    # Deductions 528,000 + (1,000 × 2 × 4 + 40,000) + 200,000 + 300,000 + 3 × 100,000 = 1,376,000;
    # A = 12,624,000 all to 順位 1 (claim 13,524,000), so every lien keeps 900,000.
    # 31,000 / 4 = 7,750 → 7,700 each; the 200 left goes to the tie's lowest 順位 number.
    juniors = tuple(lien(r, f"{r}社", 1_000_000, release_fee=100_000) for r in (2, 3, 4))
    plan = plan_of(creditors=(lien(1, principal=13_524_000), *juniors))
    assert [s.remaining for s in plan.plan] == [900_000] * 4
    assert [(s.rank, s.monthly) for s in plan.plan] == [
        (1, 7_900), (2, 7_700), (3, 7_700), (4, 7_700)]


def test_lump_sum_split_and_percent_half_up():
    # 500,000 of 7,742,000: 6.458…% → 6.5
    lump = plan_of(lump_sum_offer=500_000).lump_sum
    assert lump.total == 500_000
    assert [(s.amount, s.percent) for s in lump.plan] == [(500_000, Decimal("6.5"))]


def test_lump_sum_percent_rounds_half_up_at_the_boundary():
    # remaining 7,742,000 → offer 541,940 is exactly 7.0%; 7.05% (545,811) rounds up to 7.1
    assert plan_of(lump_sum_offer=541_940).lump_sum.plan[0].percent == Decimal("7.0")
    assert plan_of(lump_sum_offer=545_811).lump_sum.plan[0].percent == Decimal("7.1")
