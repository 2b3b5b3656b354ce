"""The repayment plan for the remaining debt (残債務の返済計画), docs/rules.md §4.

Targets: the 抵当権/根抵当権 with remaining debt > 0 after the sale, in 順位 order. Monthly total
R = 0 without targets; else 返済提案月額 if given; else, if the surplus reaches the least payment
(5,000), ``max(5,000, floor_1000(surplus × 50%))``; else 0. R is split by ``allocate`` (each share
floored to 100円, the rest to the largest remaining debt, tie: the lower 順位 number). Months =
ceil(remaining / monthly), None where monthly is 0; years = months / 12 floored to one decimal.
First payment: 返済開始年月, else the month after the 決済予定日. A lump-sum offer (一括和解提案額)
is split the same way; each share is shown as a percent of that debt, 四捨五入 to one decimal.

Decisions: ``repayment_exceeds_surplus`` is raised only when there is a target (without remaining
debt the offer is not used); a lump-sum offer without targets gives no lump-sum plan. "The lower
順位" of the tie-break is read as the smaller 順位 number (the senior lien).
"""

from __future__ import annotations

from datetime import date

from pipeline.compute.figures import (
    CaseWarning,
    HouseholdBudget,
    LienResult,
    LumpSumOffer,
    LumpSumShare,
    RepaymentPlan,
    RepaymentShare,
    SaleDistribution,
)
from pipeline.compute.money import (
    allocate,
    ceil_div,
    exact,
    floor_1dp,
    floor_unit,
    round_half_up_1dp,
)
from pipeline.compute.warnings import make_warning
from pipeline.config import Config
from pipeline.read.models import Case


def targets(sale: SaleDistribution) -> tuple[LienResult, ...]:
    """Liens with remaining debt, in 順位 order."""
    return tuple(lien for lien in sale.liens if lien.remaining > 0)


def monthly_total(case: Case, config: Config, surplus: int, has_targets: bool) -> int:
    """R: the offer if given, else half the surplus floored to 1,000円 (at least 5,000), else 0."""
    rules = config.repayment
    if not has_targets:
        return 0
    if case.repayment_monthly_offer is not None:
        return case.repayment_monthly_offer
    if surplus < rules.min_monthly:
        return 0
    return max(rules.min_monthly,
               floor_unit(surplus * exact(rules.surplus_share), rules.rounding_unit))


def first_payment(case: Case) -> date:
    """返済開始年月, else the month after the 決済予定日 (day 1)."""
    if case.repayment_start is not None:
        return case.repayment_start.replace(day=1)
    settled = case.settlement_date
    return date(settled.year + settled.month // 12, settled.month % 12 + 1, 1)


def split(total: int, liens: tuple[LienResult, ...], unit: int) -> tuple[int, ...]:
    """Split an amount among the targets by their remaining debt (docs/rules.md §4, both splits)."""
    return allocate(total, [lien.remaining for lien in liens], unit, [lien.rank for lien in liens])


def repayment_share(lien: LienResult, monthly: int) -> RepaymentShare:
    """One creditor's line: months = ceil(remaining / monthly), years floored to one decimal."""
    months = ceil_div(lien.remaining, monthly) if monthly else None
    return RepaymentShare(creditor=lien.creditor, rank=lien.rank, remaining=lien.remaining,
                          monthly=monthly, months=months,
                          years=floor_1dp(exact(months) / 12) if months is not None else None)


def lump_sum(case: Case, liens: tuple[LienResult, ...], unit: int) -> LumpSumOffer | None:
    """一括和解提案額 split like R; percent of each remaining debt, 四捨五入 to one decimal."""
    offer = case.lump_sum_offer
    if offer is None or not liens:
        return None
    shares = split(offer, liens, unit)
    return LumpSumOffer(total=offer, plan=tuple(
        LumpSumShare(creditor=lien.creditor, rank=lien.rank, remaining=lien.remaining,
                     amount=amount, percent=round_half_up_1dp(exact(amount) * 100 / lien.remaining))
        for lien, amount in zip(liens, shares, strict=True)))


def plan_repayment(case: Case, config: Config, sale: SaleDistribution,
                   household: HouseholdBudget) -> tuple[RepaymentPlan, tuple[CaseWarning, ...]]:
    """残債務の返済計画 and its warning (repayment_exceeds_surplus)."""
    liens, unit = targets(sale), config.repayment.split_unit
    total = monthly_total(case, config, household.surplus, bool(liens))
    given = case.repayment_monthly_offer is not None and bool(liens)
    plan = RepaymentPlan(
        monthly_total=total, monthly_given=given, start=first_payment(case),
        plan=tuple(repayment_share(lien, monthly)
                   for lien, monthly in zip(liens, split(total, liens, unit), strict=True)),
        lump_sum=lump_sum(case, liens, unit))
    warnings: tuple[CaseWarning, ...] = ()
    if given and total > household.surplus:
        warnings = (make_warning("repayment_exceeds_surplus",
                                 case.cell_of("repayment_monthly_offer"),
                                 offer=total, surplus=household.surplus),)
    return plan, warnings
