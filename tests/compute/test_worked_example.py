"""Two cases worked by hand, figure by figure (exact yen).

Case 1 — the worked example of docs/rules.md §6, by hand:
  P = 14,000,000 (> 4,000,000: 3% + 60,000): fee = 420,000 + 60,000 = 480,000; +10% tax 48,000
      → 仲介手数料 528,000
  u = 2 units (区分建物 + 敷地権), n = 1 lien: 1,000 × 2 × 1 + 10,000 × 1 = 12,000
  滞納管理費等: 8 months ≤ 60 → the arrears 200,000
  引越費用: min(300,000, cap 300,000 standard) = 300,000
  deductions = 528,000 + 12,000 + 200,000 + 300,000 = 1,040,000; A = 12,960,000
  days 2026-10-31 → 2027-01-29 = 30 (Nov) + 31 (Dec) + 29 (Jan) = 90
  accrual = floor(19,500,000 × 14.6% × 90 / 365) = floor(2,847,000 × 90 / 365) = 702,000
  claim = 19,500,000 + 500,000 + 702,000 = 20,702,000; waterfall 12,960,000; remaining 7,742,000
  B = floor_1000(14,000,000 × 0.70) = 9,800,000; K = floor(9,800,000 × 0.8) = 7,840,000
  E = max(7,840,000, floor_1000(14,000,000 × 0.65) = 9,100,000) = 9,100,000
  C: claim 20,702,000 ≥ 20,000,000 (and < 50,000,000) → 1,000,000; pool = 8,100,000
  advantage = 12,960,000 − 8,100,000 = 4,860,000
  surplus = 460,000 − 398,000 = 62,000; R = max(5,000, floor_1000(31,000)) = 31,000
  months = ceil(7,742,000 / 31,000) = ceil(249.74) = 250; years = 250 / 12 = 20.83 → 20.8

Case 2 — mine: a house, a second lien of another creditor, the first holder's own 3rd lien and a
non-priority tax seizure; P = 20,000,000, M = 21,000,000, settlement 2027-03-31.
  仲介手数料: 600,000 + 60,000 = 660,000; + 66,000 → 726,000
  抵当権等抹消費用: u = 2 (土地 + 建物), n = 3 liens: 1,000 × 2 × 3 + 10,000 × 3 = 36,000
  差押解除料 (横浜市役所, not priority, 固定資産税年額 120,000): min(100,000, 120,000) = 100,000
  ハンコ代 (ひかり保証, 順位 2, 元金 1,500,000): min(300,000, 150,000) = 150,000
  あおば銀行's own 順位 3 lien: no ハンコ代 (same 債権者名 as 順位 1)
  deductions = 726,000 + 36,000 + 100,000 + 150,000 = 1,012,000; A = 18,988,000
  順位 1 accrual: 2026-12-31 → 2027-03-31 = 31 + 28 + 31 = 90 days;
      floor(24,000,000 × 14.0% × 90 / 365) = floor(302,400,000 / 365) = floor(828,493.15) = 828,493
      claim 24,828,493; waterfall 18,988,000 (all of A); remaining 5,840,493
  順位 2: claim 1,550,000; received 150,000 (ハンコ代 only); remaining 1,400,000
  順位 3: claim 2,000,000; received 0; remaining 2,000,000
  差押: claim 400,000; release 100,000; remaining 300,000
  auction: B = floor_1000(14,700,000) = 14,700,000; K = 11,760,000;
      E = max(11,760,000, 13,650,000) = 13,650,000; C (24,828,493) = 1,000,000; no 優先 tax;
      pool 12,650,000 → 順位 1 gets it all; あおば銀行 (順位 1 + 3) at auction 12,650,000,
      from the sale 18,988,000 + 0 → advantage 6,338,000
  surplus 300,000 − 270,000 = 30,000 → R = max(5,000, floor_1000(15,000)) = 15,000
  split by remaining (Σ 9,240,493): 15,000 × 5,840,493 / Σ = 9,480.7 → 9,400;
      15,000 × 1,400,000 / Σ = 2,272.6 → 2,200; 15,000 × 2,000,000 / Σ = 3,246.6 → 3,200;
      Σ 14,800, the 200 left goes to the largest debt (順位 1) → 9,600 / 2,200 / 3,200
  months: ceil(5,840,493 / 9,600) = 609 (50.75 → 50.7 years); ceil(1,400,000 / 2,200) = 637
      (53.08 → 53.0); 2,000,000 / 3,200 = 625 exactly (52.08 → 52.0)
  lump sum 1,000,000: 632,052.8 → 632,000; 151,507.7 → 151,500; 216,438.6 → 216,400; Σ 999,900,
      100 left → 順位 1: 632,100. percent: 632,100 / 5,840,493 = 10.82% → 10.8;
      151,500 / 1,400,000 = 10.82% → 10.8; 216,400 / 2,000,000 = 10.82% → 10.8
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compute.builder import BATCH, lien, line, make_case, seizure, unit
from pipeline.compute import compute_case
from pipeline.config import load_config


@pytest.fixture(scope="module")
def config():
    return load_config(None)


@pytest.fixture(scope="module")
def example(config):
    return compute_case(make_case(), config, BATCH)


def test_worked_example_deductions(example):
    sale = example.sale
    assert [(d.code, d.amount) for d in sale.deductions] == [
        ("brokerage", 528_000), ("registration", 12_000), ("management_arrears", 200_000),
        ("moving", 300_000)]
    assert sale.deductions_total == 1_040_000
    assert sale.distributable == 12_960_000


def test_worked_example_claim_and_waterfall(example):
    (first,) = example.sale.liens
    assert (first.accrual, first.claim) == (702_000, 20_702_000)
    assert (first.release_fee, first.waterfall, first.received) == (0, 12_960_000, 12_960_000)
    assert first.remaining == 7_742_000
    assert example.sale.surplus_to_debtor == 0


def test_worked_example_auction(example):
    a = example.auction
    assert (a.base_price, a.min_bid, a.expected_bid) == (9_800_000, 7_840_000, 9_100_000)
    assert (a.procedure_cost, a.pool) == (1_000_000, 8_100_000)
    assert (a.first_lien_recovery, a.sale_first_lien_recovery) == (8_100_000, 12_960_000)
    assert a.advantage == 4_860_000
    assert a.assumptions_text.startswith("競売市場修正30%・落札見込 査定価格の65%と仮定")


def test_worked_example_household_and_repayment(example):
    assert (example.household.income, example.household.expenses) == (460_000, 398_000)
    assert example.household.surplus == 62_000
    plan = example.repayment
    assert plan.monthly_total == 31_000
    assert plan.start == date(2027, 2, 1)
    (share,) = plan.plan
    assert (share.monthly, share.months, share.years) == (31_000, 250, Decimal("20.8"))
    assert plan.lump_sum is None


def test_worked_example_has_no_warnings_and_meta(example):
    assert example.warnings == ()
    assert (example.rules_version, example.governing_profile) == ("1", "standard")
    assert example.document_date == BATCH


def second_case():
    """Case 2 of the module docstring."""
    return make_case(
        property_kind="戸建", appraisal=21_000_000, sale_price=20_000_000,
        settlement_date=date(2027, 3, 31), management_arrears=None,
        management_arrears_months=None, moving_requested=None, property_tax_yearly=120_000,
        units=(unit("土地", "10番1"), unit("建物", "10番1の1")),
        creditors=(lien(1, "あおば銀行", 24_000_000, base_date=date(2026, 12, 31),
                        damage_rate=Decimal("14.0")),
                   lien(2, "ひかり保証", 1_500_000, damages=50_000, kind="根抵当権"),
                   lien(3, "あおば銀行", 2_000_000), seizure("横浜市役所", 400_000)),
        budget=(line("収入", "給与", 300_000), line("支出", "住居費", 80_000),
                line("支出", "食費", 190_000)),
        lump_sum_offer=1_000_000)


@pytest.fixture(scope="module")
def second(config):
    return compute_case(second_case(), config, BATCH)


def test_second_case_deductions(second):
    assert [(d.code, d.payee, d.amount) for d in second.sale.deductions[1:]] == [
        ("registration", "司法書士", 36_000), ("seizure_release", "横浜市役所", 100_000),
        ("junior_release", "ひかり保証", 150_000)]
    assert second.sale.deductions[0].amount == 726_000
    assert (second.sale.deductions_total, second.sale.distributable) == (1_012_000, 18_988_000)


def test_second_case_liens_and_seizure(second):
    assert [(x.rank, x.accrual, x.claim, x.release_fee, x.waterfall, x.received, x.remaining)
            for x in second.sale.liens] == [
        (1, 828_493, 24_828_493, 0, 18_988_000, 18_988_000, 5_840_493),
        (2, 0, 1_550_000, 150_000, 0, 150_000, 1_400_000),
        (3, 0, 2_000_000, 0, 0, 0, 2_000_000)]
    (tax,) = second.sale.seizures
    assert (tax.claim, tax.release_fee, tax.remaining) == (400_000, 100_000, 300_000)


def test_second_case_auction_counts_both_rows_of_the_first_holder(second):
    a = second.auction
    assert (a.base_price, a.min_bid, a.expected_bid, a.pool) == (
        14_700_000, 11_760_000, 13_650_000, 12_650_000)
    assert [r.amount for r in a.recoveries] == [12_650_000, 0, 0]
    assert (a.first_lien_recovery, a.sale_first_lien_recovery, a.advantage) == (
        12_650_000, 18_988_000, 6_338_000)


def test_second_case_repayment_and_lump_sum(second):
    plan = second.repayment
    assert plan.monthly_total == 15_000
    assert [(s.rank, s.monthly, s.months, s.years) for s in plan.plan] == [
        (1, 9_600, 609, Decimal("50.7")), (2, 2_200, 637, Decimal("53.0")),
        (3, 3_200, 625, Decimal("52.0"))]
    assert [(s.amount, s.percent) for s in plan.lump_sum.plan] == [
        (632_100, Decimal("10.8")), (151_500, Decimal("10.8")), (216_400, Decimal("10.8"))]
    assert second.warnings == ()
