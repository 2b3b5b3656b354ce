"""The household statement totals (docs/rules.md §3)."""

from __future__ import annotations

from compute.builder import BATCH, line, make_case, unsecured
from pipeline.compute import compute_case
from pipeline.config import load_config
from pipeline.read.models import Asset

CONFIG = load_config(None)


def household_of(**overrides):
    return compute_case(make_case(**overrides), CONFIG, BATCH).household


def test_subtotals_follow_the_contract_order_not_the_rows():
    h = household_of(budget=(
        line("支出", "雑費", 5_000), line("収入", "年金", 80_000), line("支出", "食費", 50_000),
        line("収入", "給与", 200_000), line("支出", "住居費", 70_000), line("支出", "食費", 10_000)))
    assert [(s.category, s.amount, s.rows) for s in h.income_subtotals] == [
        ("給与", 200_000, (5,)), ("年金", 80_000, (3,))]
    assert [(s.category, s.amount, s.rows) for s in h.expense_subtotals] == [
        ("住居費", 70_000, (6,)), ("食費", 60_000, (4, 7)), ("雑費", 5_000, (2,))]
    assert (h.income, h.expenses, h.surplus) == (280_000, 135_000, 145_000)


def test_negative_surplus_is_kept():
    h = household_of(budget=(line("収入", "年金", 100_000), line("支出", "住居費", 120_000)))
    assert h.surplus == -20_000


def test_assets_and_unsecured_monthly_totals():
    h = household_of(
        assets=(Asset(row=0, kind="預貯金", value=120_000), Asset(row=0, kind="自動車", value=300_000)),
        creditors=(make_case().creditors[0], unsecured("カード", 500_000, 10_000),
                   unsecured("消費者金融", 300_000)))
    assert (h.assets_total, h.unsecured_monthly_total) == (420_000, 10_000)
