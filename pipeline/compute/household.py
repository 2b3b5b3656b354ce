"""The household statement (生活状況表) totals, docs/rules.md §3.

income = Σ 収入 月額; expenses = Σ 支出 月額; surplus = income − expenses (may be negative);
subtotals per 費目 in the contract's order (models.INCOME_CATEGORIES / EXPENSE_CATEGORIES); the
assets total; the monthly total of the 無担保 debts' 月返済額. Warnings: ``no_repayment_capacity``
(surplus below the least monthly payment) and ``no_housing_cost`` (no 住居費 row).

Decisions: only the 費目 that have rows get a subtotal; a 費目 outside the contract's list (which
validation refuses) would still be kept, after the listed ones, so the subtotals always add up.
"""

from __future__ import annotations

from pipeline.compute.figures import BudgetSubtotal, CaseWarning, HouseholdBudget
from pipeline.compute.warnings import make_warning
from pipeline.config import Config
from pipeline.read.models import EXPENSE_CATEGORIES, INCOME_CATEGORIES, BudgetLine, BudgetSide, Case

HOUSING = "住居費"


def subtotals(lines: tuple[BudgetLine, ...], side: BudgetSide,
              order: tuple[str, ...]) -> tuple[BudgetSubtotal, ...]:
    """費目 subtotals of one 区分, in the contract's order, for the 費目 that have rows."""
    mine = [line for line in lines if line.side == side]
    present = list(dict.fromkeys(line.category for line in mine))
    ordered = [c for c in order if c in present] + [c for c in present if c not in order]
    return tuple(
        BudgetSubtotal(side=side, category=category,
                       amount=sum(line.monthly for line in mine if line.category == category),
                       rows=tuple(line.row for line in mine if line.category == category))
        for category in ordered)


def household_budget(case: Case,
                     config: Config) -> tuple[HouseholdBudget, tuple[CaseWarning, ...]]:
    """生活状況表 totals and their warnings."""
    income = sum(line.monthly for line in case.budget if line.side == "収入")
    expenses = sum(line.monthly for line in case.budget if line.side == "支出")
    budget = HouseholdBudget(
        income=income, expenses=expenses, surplus=income - expenses,
        income_subtotals=subtotals(case.budget, "収入", INCOME_CATEGORIES),
        expense_subtotals=subtotals(case.budget, "支出", EXPENSE_CATEGORIES),
        assets_total=sum(a.value for a in case.assets),
        unsecured_monthly_total=sum(c.monthly_payment or 0 for c in case.unsecured))
    return budget, _warnings(case, config, budget)


def _warnings(case: Case, config: Config, budget: HouseholdBudget) -> tuple[CaseWarning, ...]:
    found = []
    minimum = config.repayment.min_monthly
    if budget.surplus < minimum:
        found.append(make_warning("no_repayment_capacity", ("収支", None),
                                  surplus=budget.surplus, minimum=minimum))
    if not any(line.side == "支出" and line.category == HOUSING for line in case.budget):
        found.append(make_warning("no_housing_cost", ("収支", None)))
    return tuple(found)
