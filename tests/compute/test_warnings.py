"""The warning catalogue of docs/rules.md §5: per code, a case raising it and one not."""

from __future__ import annotations

from datetime import date

import pytest

from compute.builder import BATCH, CASE_CELLS, answer, cost, lien, line, make_case, seizure
from pipeline.compute import compute_case
from pipeline.compute.warnings import CATALOGUE, make_warning
from pipeline.config import load_config

CONFIG = load_config(None)
FIRST = lien(1, principal=19_500_000)
HOUSING = (line("収入", "給与", 100_000), line("支出", "住居費", 60_000))


def case_cell(field):
    return ("案件", CASE_CELLS[field])


# code: (overrides that raise it, overrides just on the other side of the rule, expected place)
SCENARIOS = {
    "deductions_exceed_price": ({"costs": (cost("測量費", 12_960_001),)},
                                {"costs": (cost("測量費", 12_960_000),)}, case_cell("sale_price")),
    "not_overloan": ({"creditors": (lien(1, principal=12_959_999),)},
                     {"creditors": (lien(1, principal=12_960_000),)}, case_cell("sale_price")),
    "price_below_min_bid": ({"sale_price": 7_839_999}, {"sale_price": 7_840_000},
                            case_cell("sale_price")),
    "auction_better_for_first_lien": (
        {"sale_price": 9_000_000, "costs": (cost("測量費", 1_000_000),)},
        {"sale_price": 9_000_000}, case_cell("sale_price")),
    "moving_reduced": ({"moving_requested": 300_001}, {"moving_requested": 300_000},
                       case_cell("moving_requested")),
    "release_fee_above_guideline": (
        {"creditors": (FIRST, lien(2, "ひかり保証", 1_000_000, release_fee=100_001))},
        {"creditors": (FIRST, lien(2, "ひかり保証", 1_000_000, release_fee=100_000))},
        ("債権者", "N3")),
    "property_tax_missing": (
        {"creditors": (FIRST, seizure(principal=500_000))},
        {"creditors": (FIRST, seizure(principal=500_000)), "property_tax_yearly": 50_000},
        case_cell("property_tax_yearly")),
    "management_monthly_missing": (
        {"management_arrears_months": 61},
        {"management_arrears_months": 61, "management_monthly": 3_000},
        case_cell("management_monthly")),
    "other_cost_needs_approval": ({"costs": (cost("測量費", 1),)}, {"costs": ()}, ("費用", "B2")),
    "no_repayment_capacity": (
        {"budget": (line("収入", "給与", 64_999), line("支出", "住居費", 60_000))},
        {"budget": (line("収入", "給与", 65_000), line("支出", "住居費", 60_000))}, ("収支", None)),
    "no_housing_cost": ({"budget": (line("収入", "給与", 100_000),)}, {"budget": HOUSING},
                        ("収支", None)),
    "repayment_exceeds_surplus": (
        {"repayment_monthly_offer": 62_001}, {"repayment_monthly_offer": 62_000},
        case_cell("repayment_monthly_offer")),
    "settlement_after_opening": (
        {"auction": {"opening_date": date(2027, 1, 29)}},
        {"auction": {"opening_date": date(2027, 1, 30)}}, case_cell("settlement_date")),
    "settlement_close_to_opening": (  # 2027-01-29 later than 開札期日 − 14 days?
        {"auction": {"opening_date": date(2027, 2, 11)}},
        {"auction": {"opening_date": date(2027, 2, 12)}}, case_cell("settlement_date")),
    "settlement_after_bidding_starts": (
        {"auction": {"bidding_start": date(2027, 1, 29)}},
        {"auction": {"bidding_start": date(2027, 1, 30)}}, case_cell("settlement_date")),
    "procedure_cost_court_unknown": (
        {"auction": {"court": "那覇地方裁判所"}}, {"auction": {"court": "静岡地方裁判所"}},
        ("案件", None)),
    "listing_above_market": ({"listing_price": 15_400_001}, {"listing_price": 15_400_000},
                             case_cell("listing_price")),
    "settlement_in_past": ({"created": date(2027, 1, 30)}, {"created": date(2027, 1, 29)},
                           case_cell("settlement_date")),
    # 交渉 (tests/compute/test_negotiation.py has the rest): the price is 14,000,000.
    "below_creditor_floor": ({"negotiation": (answer(floor_price=14_000_001),)},
                             {"negotiation": (answer(floor_price=14_000_000),)}, ("交渉", "G2")),
    # ひかり保証 (第2順位, 元金 1,000,000) gets its ハンコ代 min(300,000, 10%) = 100,000 and
    # nothing of the waterfall (the first lien's 19,500,000 takes it all).
    "condition_not_met": (
        {"creditors": (FIRST, lien(2, "ひかり保証", 1_000_000)),
         "negotiation": (answer("ひかり保証", release_fee_demand=100_001),)},
        {"creditors": (FIRST, lien(2, "ひかり保証", 1_000_000)),
         "negotiation": (answer("ひかり保証", release_fee_demand=100_000),)}, ("交渉", "H2")),
    "moving_reduction_requested": (
        {"negotiation": (answer(moving_cost="減額"),)},
        {"negotiation": (answer(moving_cost="減額"),), "moving_requested": None}, ("交渉", "I2")),
    "reply_overdue": (
        {"negotiation": (answer(reply_deadline=date(2026, 11, 29)),)},
        {"negotiation": (answer(reply_deadline=BATCH),)}, ("交渉", "D2")),
}

SEVERITY = {
    "deductions_exceed_price": "high", "price_below_min_bid": "high",
    "auction_better_for_first_lien": "high", "settlement_after_opening": "high",
    "below_creditor_floor": "high",
    "other_cost_needs_approval": "info", "procedure_cost_court_unknown": "info",
    "moving_reduction_requested": "info",
}


def warnings_of(**overrides):
    return compute_case(make_case(**overrides), CONFIG, BATCH).warnings


def test_catalogue_is_the_spec_list():
    assert set(CATALOGUE) == set(SCENARIOS)
    assert {code: rule.severity for code, rule in CATALOGUE.items()} == {
        code: SEVERITY.get(code, "warn") for code in SCENARIOS}


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_warning_raised_with_its_place(code):
    raising, _, (sheet, cell) = SCENARIOS[code]
    found = [w for w in warnings_of(**raising) if w.code == code]
    assert len(found) == 1
    assert (found[0].severity, found[0].sheet, found[0].cell) == (
        CATALOGUE[code].severity, sheet, cell)
    assert (cell or f"{sheet}シート") in found[0].message


@pytest.mark.parametrize("code", sorted(SCENARIOS))
def test_warning_not_raised_on_the_other_side(code):
    _, quiet, _ = SCENARIOS[code]
    assert code not in [w.code for w in warnings_of(**quiet)]


def test_settlement_after_opening_is_also_close_to_opening():
    """The amended rule (docs/rules.md §5): on or after the 開札期日, both are raised."""
    codes = [w.code for w in warnings_of(auction={"opening_date": date(2027, 1, 20)})]
    assert "settlement_after_opening" in codes
    assert "settlement_close_to_opening" in codes


def test_messages_carry_the_figures():
    (moving,) = [w for w in warnings_of(moving_requested=450_000) if w.code == "moving_reduced"]
    assert "450,000" in moving.message and "300,000" in moving.message
    (tax,) = [w for w in warnings_of(creditors=(FIRST, seizure(principal=500_000)))
              if w.code == "property_tax_missing"]
    assert "港区役所" in tax.message and "100,000" in tax.message


def test_user_text_in_a_message_is_not_formatted_again():
    w = make_warning("other_cost_needs_approval", ("費用", "B2"), item="{amount} {{x}}", amount=5)
    assert "「{amount} {{x}}」" in w.message


def test_a_negative_surplus_reads_with_the_triangle():
    """One money formatter on every surface: the review, summary.xlsx and the terminal show
    this message, and a deficit is △12,000円 there as on the 生活状況表, never -12,000円."""
    case = make_case(budget=(line("収入", "給与", 100_000), line("支出", "住居費", 112_000)))
    figures = compute_case(case, CONFIG, BATCH)
    [warning] = [w for w in figures.warnings if w.code == "no_repayment_capacity"]
    assert "余剰が△12,000円で" in warning.message and "-12,000" not in warning.message
    assert "△1,234円" in make_warning("repayment_exceeds_surplus", offer=0, surplus=-1_234).message
