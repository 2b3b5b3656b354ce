"""Claims at settlement and the waterfall of the 配分案 (docs/rules.md §1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compute.builder import BANK, BATCH, cost, lien, make_case, seizure, unit
from pipeline.compute import compute_case
from pipeline.compute.claims import accrual
from pipeline.config import load_config

CONFIG = load_config(None)
SETTLEMENT = date(2027, 1, 29)


def sale_of(**overrides):
    return compute_case(make_case(**overrides), CONFIG, BATCH).sale


def test_accrual_is_floored_daily_interest_on_principal():
    # 1,000,001 × 14.6% × 1 / 365 = 400.0004 → 400
    row = lien(1, principal=1_000_001, base_date=date(2027, 1, 28), damage_rate=Decimal("14.6"))
    assert accrual(row, SETTLEMENT) == 400


def test_accrual_zero_when_base_date_after_settlement_or_missing():
    late = lien(1, principal=10_000_000, base_date=date(2027, 2, 1), damage_rate=Decimal("14.6"))
    assert accrual(late, SETTLEMENT) == 0
    assert accrual(lien(1, principal=10_000_000), SETTLEMENT) == 0


def test_second_lien_paid_after_the_first_in_full_then_surplus():
    # Deductions: 528,000 + (1,000 × 2 × 2 + 20,000) + 200,000 + 300,000 + ハンコ代 300,000
    # = 1,352,000; A = 12,648,000. 順位 1 takes its 5,000,000; 順位 2 at most claim − ハンコ代.
    sale = sale_of(creditors=(lien(1, principal=5_000_000), lien(2, "ひかり保証", 3_000_000)))
    assert sale.distributable == 12_648_000
    assert [(x.waterfall, x.received, x.remaining) for x in sale.liens] == [
        (5_000_000, 5_000_000, 0), (2_700_000, 3_000_000, 0)]
    assert sale.surplus_to_debtor == 4_948_000


def test_same_creditor_junior_lien_takes_its_turn_without_hanko():
    # A = 12,960,000 − (1,000 × 2 × 2 + 20,000 − 12,000) = 12,948,000 over two rows of one bank.
    sale = sale_of(creditors=(lien(1, principal=10_000_000), lien(2, BANK, 5_000_000)))
    assert sale.distributable == 12_948_000
    assert [(x.release_fee, x.waterfall, x.remaining) for x in sale.liens] == [
        (0, 10_000_000, 0), (0, 2_948_000, 2_052_000)]
    assert sale.surplus_to_debtor == 0


def test_deductions_above_the_price_leave_nothing_to_the_liens():
    sale = sale_of(costs=(cost("解体費", 20_000_000),))
    assert sale.deductions_total == 21_040_000
    assert sale.distributable == 0
    (first,) = sale.liens
    assert (first.waterfall, first.remaining) == (0, first.claim)


def test_hanko_is_paid_even_when_the_waterfall_runs_dry():
    sale = sale_of(creditors=(lien(1, principal=30_000_000), lien(3, "ひかり保証", 4_000_000)))
    junior = sale.liens[1]
    assert (junior.release_fee, junior.waterfall, junior.received) == (200_000, 0, 200_000)
    assert junior.remaining == 3_800_000


def case_0170_like():
    """2026-0170 (sample): a 戸建 sold for 24,500,000 that is not an overloan, one city 差押."""
    first = lien(1, "あさひ野銀行", 6_800_000, damages=210_000, base_date=date(2026, 10, 31),
                 damage_rate=Decimal("14.0"))
    return make_case(
        property_kind="戸建", appraisal=25_000_000, sale_price=24_500_000,
        settlement_date=date(2027, 3, 26), management_arrears=None,
        management_arrears_months=None, moving_requested=150_000,
        units=(unit("土地", "999"), unit("建物", "999")),
        creditors=(first, seizure("あさひ野市役所", 1_240_000)))


def test_a_seizure_is_paid_from_the_surplus_before_the_debtor():
    # Deductions: 仲介 (24,500,000×3% + 60,000) × 1.1 = 874,500; 抹消 1,000×2×1 + 10,000 = 12,000;
    # 差押解除料 100,000 (no 固定資産税年額); 引越 150,000 → 1,136,500; A = 23,363,500.
    # Claim: 146 days from 2026-10-31 to 2027-03-26; 6,800,000 × 14% × 146/365 = 380,800;
    # 6,800,000 + 210,000 + 380,800 = 7,390,800, paid in full → 15,972,700 left after the lien.
    # The city's remaining claim 1,240,000 − 100,000 = 1,140,000 is paid from it, all of it;
    # 剰余金 = 15,972,700 − 1,140,000 = 14,832,700 (it was 15,972,700 under the spec's letter).
    figures = compute_case(case_0170_like(), CONFIG, BATCH)
    sale = figures.sale
    assert (sale.deductions_total, sale.distributable) == (1_136_500, 23_363_500)
    assert [(x.claim, x.waterfall, x.remaining) for x in sale.liens] == [(7_390_800, 7_390_800, 0)]
    (city,) = sale.seizures
    assert (city.claim, city.release_fee, city.surplus_share, city.remaining, city.received) == (
        1_240_000, 100_000, 1_140_000, 0, 1_240_000)
    assert sale.surplus_to_debtor == 14_832_700
    # 1,136,500 + 7,390,800 + 1,140,000 + 14,832,700 = 24,500,000
    assert (sale.deductions_total + 7_390_800 + city.surplus_share + sale.surplus_to_debtor
            == sale.price)
    (warning,) = [w for w in figures.warnings if w.code == "not_overloan"]
    assert all(f in warning.message for f in ("15,972,700", "1,140,000", "14,832,700"))


def test_priority_seizure_is_served_first_then_sheet_order():
    # Deductions: 528,000 + 12,000 + 200,000 + 税A 100,000 (no 固定資産税年額) + 税B's given
    # 500,000 + 300,000 = 1,640,000; A = 12,360,000; the lien takes 10,000,000 → 2,360,000 left.
    # 税B (優先, later row) first: 1,500,000 − 500,000 = 1,000,000 in full → 1,360,000 left;
    # 税A: at most 2,000,000 − 100,000 = 1,900,000, gets 1,360,000 and still owes 540,000.
    figures = compute_case(make_case(creditors=(
        lien(1, principal=10_000_000), seizure("税A", 2_000_000),
        seizure("税B", 1_500_000, priority=True, release_fee=500_000))), CONFIG, BATCH)
    sale = figures.sale
    assert sale.distributable == 12_360_000
    assert [(s.creditor, s.surplus_share, s.remaining) for s in sale.seizures] == [
        ("税A", 1_360_000, 540_000), ("税B", 1_000_000, 0)]
    assert sale.surplus_to_debtor == 0
    assert "not_overloan" in {w.code for w in figures.warnings}  # 2,360,000 was left after liens


def test_seizures_get_nothing_when_the_liens_take_all():
    # A = 12,960,000 − 100,000 (差押解除料) = 12,860,000 < the 19,500,000 lien.
    sale = sale_of(creditors=(lien(1, principal=19_500_000), seizure("税A", 800_000)))
    (tax,) = sale.seizures
    assert (tax.release_fee, tax.surplus_share, tax.remaining) == (100_000, 0, 700_000)
    assert sale.surplus_to_debtor == 0
