"""Claims at settlement (決済時の債権額), docs/rules.md §1 "Claims at settlement".

For every 債権者 row: ``claim = 元金残高 + 損害金等 + accrual`` where
``accrual = floor(元金残高 × 損害金率 × days / 365)`` and days = 決済予定日 − 基準日 (0 if negative).
The same formula serves 差押 rows (延滞税 entered as 損害金等 / 損害金率).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from pipeline.compute.money import exact, floor_yen
from pipeline.read.models import Case, Creditor

#: The spec counts 損害金 on a 365-day year, leap years included (docs/rules.md §1).
DAYS_PER_YEAR = 365


class Claim(NamedTuple):
    accrual: int  # 損害金 from 基準日 to 決済予定日
    total: int  # claim at settlement


def accrual(creditor: Creditor, settlement: date) -> int:
    """損害金の日割: floor(元金残高 × 損害金率 × days / 365); 損害金率 is a percent (14.6 = 14.6%)."""
    if creditor.base_date is None:
        return 0
    days = max(0, (settlement - creditor.base_date).days)
    rate = exact(creditor.damage_rate) / 100
    return floor_yen(creditor.principal * rate * days / DAYS_PER_YEAR)


def claim_at_settlement(creditor: Creditor, settlement: date) -> Claim:
    """元金残高 + 損害金等 + accrual, the amount owed on the 決済予定日."""
    accrued = accrual(creditor, settlement)
    return Claim(accrued, creditor.principal + creditor.damages + accrued)


def claims_by_row(case: Case) -> dict[int, Claim]:
    """Every 債権者 row's claim at settlement, keyed by its Excel row."""
    return {c.row: claim_at_settlement(c, case.settlement_date) for c in case.creditors}


def is_first_holder(case: Case, creditor: Creditor) -> bool:
    """True for every row held by the 順位 1 lien holder (same 債権者名), its junior liens included."""
    return creditor.name == case.first_lien.name
