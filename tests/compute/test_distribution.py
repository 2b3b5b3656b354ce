"""Claims at settlement and the waterfall of the 配分案 (computations.md §1)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from compute.builder import BANK, BATCH, cost, lien, make_case
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
