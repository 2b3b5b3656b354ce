"""Each deduction rule of docs/rules.md §1 (1–9), in exact yen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from compute.builder import BANK, BATCH, cost, lien, make_case, seizure, unit
from pipeline.compute import compute_case
from pipeline.compute.deductions import RULES, brokerage_fee, hanko_guideline
from pipeline.config import load_config

CONFIG = load_config(None)
FIRST = lien(1, principal=30_000_000)  # a first lien large enough to absorb every price below


def figures(config=CONFIG, **overrides):
    return compute_case(make_case(**overrides), config, BATCH)


def lines(f, code):
    return [d for d in f.sale.deductions if d.code == code]


def codes(f):
    return [w.code for w in f.warnings]


def config_with(tmp_path, text):
    path = tmp_path / "ninbai.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


# 1. 仲介手数料 — every price band and its boundaries (宅建業法 報酬告示, docs/rules.md §1)
@pytest.mark.parametrize(("price", "fee"), [
    (0, 0),
    (1_999_999, 109_998),  # floor(99,999.95) = 99,999; + floor(9,999.9) = 9,999
    (2_000_000, 110_000),  # 5%: 100,000 + 10,000
    (2_000_001, 110_000),  # 4% + 20,000: floor(80,000.04) + 20,000 = 100,000; + 10,000
    (3_000_000, 154_000),  # docs/rules.md §1 example
    (4_000_000, 198_000),  # 160,000 + 20,000 = 180,000; + 18,000
    (4_000_001, 198_000),  # 3% + 60,000: floor(120,000.03) + 60,000 = 180,000; + 18,000
    (7_000_000, 297_000),  # docs/rules.md §1 example
    (14_000_000, 528_000),  # spec example
])
def test_brokerage_bands(price, fee):
    assert brokerage_fee(price, CONFIG) == fee
    f = figures(sale_price=price, creditors=(FIRST,))
    (line,) = lines(f, "brokerage")
    assert line.amount == fee


def test_brokerage_payee_and_basis(tmp_path):
    config = config_with(tmp_path, '[company]\nname = "株式会社A&B不動産"\n')
    (line,) = lines(figures(config), "brokerage")
    assert line.payee == "株式会社A&B不動産"
    assert line.basis == "売却価格×3%+6万円（税別）+消費税10%"
    (low,) = lines(figures(config, sale_price=1_000_000), "brokerage")
    assert low.basis == "売却価格×5%（税別）+消費税10%"


# 2. 抵当権等抹消費用
def test_registration_counts_units_times_liens():
    f = figures(units=(unit("土地", "1"), unit("土地", "2"), unit("建物", "3")),
                creditors=(FIRST, lien(2, "ひかり保証", 1_000_000)))
    (line,) = lines(f, "registration")
    assert line.amount == 1_000 * 3 * 2 + 10_000 * 2
    assert line.payee == "司法書士"


# 3. 滞納管理費等
@pytest.mark.parametrize(("arrears", "months", "monthly", "expected"), [
    (200_000, 8, None, 200_000),
    (700_000, 60, 10_000, 700_000),  # 60 months is allowed in full
    (700_000, 61, 10_000, 600_000),  # over 60 months: at most 10,000 × 60
    (700_000, 70, 20_000, 700_000),  # the cap 1,200,000 is above the arrears
    (700_000, 61, None, 700_000),  # no 管理費等月額: the full arrears (and a warning)
    (300_000, None, None, 300_000),  # months unknown: the arrears
])
def test_management_arrears(arrears, months, monthly, expected):
    f = figures(management_arrears=arrears, management_arrears_months=months,
                management_monthly=monthly)
    (line,) = lines(f, "management_arrears")
    assert (line.amount, line.payee) == (expected, "管理組合")
    assert ("management_monthly_missing" in codes(f)) == (months == 61 and monthly is None)


def test_no_management_line_without_arrears():
    assert lines(figures(management_arrears=0), "management_arrears") == []
    assert lines(figures(management_arrears=None), "management_arrears") == []


# 4. 差押解除料
@pytest.mark.parametrize(("tax_yearly", "row", "expected"), [
    (80_000, seizure(principal=500_000), 80_000),  # min(100,000, 80,000)
    (150_000, seizure(principal=500_000), 100_000),  # min(100,000, 150,000)
    (None, seizure(principal=500_000), 100_000),  # no 固定資産税年額: 100,000 and a warning
    (150_000, seizure(principal=60_000), 60_000),  # never more than the claim
    (80_000, seizure(principal=500_000, release_fee=50_000), 50_000),  # the given 解除料
    (80_000, seizure(principal=300_000, release_fee=500_000), 300_000),  # given, above the claim
    (80_000, seizure(principal=500_000, damages=20_000, priority=True), 520_000),  # full claim
])
def test_seizure_release(tax_yearly, row, expected):
    f = figures(property_tax_yearly=tax_yearly, creditors=(FIRST, row))
    (line,) = lines(f, "seizure_release")
    assert (line.amount, line.payee, line.creditor, line.row) == (expected, "港区役所", "港区役所", 3)
    (result,) = f.sale.seizures
    assert (result.release_fee, result.remaining) == (expected, result.claim - expected)
    missing = tax_yearly is None and row.release_fee is None and not row.priority
    assert ("property_tax_missing" in codes(f)) == missing


def test_priority_seizure_claim_includes_its_accrual():
    row = seizure(principal=365_000, priority=True, base_date=date(2027, 1, 19),
                  damage_rate=Decimal(10))  # 10 days at 10%: 365,000 × 0.1 × 10 / 365 = 1,000
    (line,) = lines(figures(creditors=(FIRST, row)), "seizure_release")
    assert line.amount == 366_000


# 5. 抹消承諾料（ハンコ代）— docs/rules.md §1, §7
@pytest.mark.parametrize(("rank", "principal", "guideline"), [
    (2, 5_000_000, 300_000), (2, 1_000_000, 100_000), (2, 1_234_567, 123_456),
    (3, 5_000_000, 200_000), (4, 5_000_000, 100_000), (7, 5_000_000, 100_000),
    (4, 500_000, 50_000),
])
def test_hanko_guideline(rank, principal, guideline):
    assert hanko_guideline(rank, principal, CONFIG.profiles["standard"]) == guideline
    juniors = [lien(r, f"後順位{r}", 5_000_000) for r in range(2, rank)]
    f = figures(creditors=(FIRST, *juniors, lien(rank, "ひかり保証", principal)))
    assert lines(f, "junior_release")[-1].amount == guideline


def test_junior_release_given_fee_above_guideline_warns():
    f = figures(creditors=(FIRST, lien(2, "ひかり保証", 1_000_000, release_fee=400_000)))
    (line,) = lines(f, "junior_release")
    assert (line.amount, line.payee) == (400_000, "ひかり保証")
    (warning,) = [w for w in f.warnings if w.code == "release_fee_above_guideline"]
    assert (warning.sheet, warning.cell) == ("債権者", "N3")


def test_junior_release_given_fee_within_guideline_is_quiet():
    f = figures(creditors=(FIRST, lien(2, "ひかり保証", 5_000_000, release_fee=250_000)))
    assert lines(f, "junior_release")[0].amount == 250_000
    assert "release_fee_above_guideline" not in codes(f)


def test_junior_release_never_above_the_claim():
    f = figures(creditors=(FIRST, lien(2, "ひかり保証", 100_000, release_fee=400_000)))
    assert lines(f, "junior_release")[0].amount == 100_000
    assert f.sale.liens[1].remaining == 0


def test_first_holders_own_junior_lien_gets_no_hanko():
    f = figures(creditors=(FIRST, lien(2, BANK, 3_000_000), lien(3, "ひかり保証", 3_000_000)))
    assert [(d.creditor, d.amount) for d in lines(f, "junior_release")] == [("ひかり保証", 200_000)]
    assert f.sale.liens[1].release_fee == 0


def test_hanko_cap_from_user_toml_changes_the_figure(tmp_path):
    config = config_with(tmp_path,
                         "[profiles.standard]\nhanko_caps_by_rank = [500000, 200000, 100000]\n")
    f = figures(config, creditors=(FIRST, lien(2, "ひかり保証", 8_000_000)))
    assert lines(f, "junior_release")[0].amount == 500_000
    assert lines(figures(creditors=(FIRST, lien(2, "ひかり保証", 8_000_000))),
                 "junior_release")[0].amount == 300_000


# 6. 破産財団組入金
def test_bankruptcy_estate():
    f = figures(bankruptcy=True, sale_price=14_000_001)
    (line,) = lines(f, "bankruptcy_estate")
    assert (line.amount, line.payee) == (420_000, "破産管財人")  # floor(420,000.03)
    assert lines(figures(), "bankruptcy_estate") == []


# 7. 引越費用
@pytest.mark.parametrize(("profile", "bankrupt", "requested", "expected", "cut"), [
    ("standard", False, 300_000, 300_000, False),
    ("standard", False, 500_000, 300_000, True),
    ("jhf", False, 300_000, 0, True),  # JHF: no moving costs unless bankrupt
    ("jhf", True, 300_000, 300_000, False),
    ("jhf", True, 350_000, 300_000, True),
])
def test_moving(profile, bankrupt, requested, expected, cut):
    first = lien(1, principal=30_000_000, profile=profile)
    f = figures(creditors=(first,), bankruptcy=bankrupt, moving_requested=requested)
    (line,) = lines(f, "moving")
    assert (line.amount, line.payee) == (expected, "債務者")
    assert ("moving_reduced" in codes(f)) == cut
    assert f.governing_profile == profile


def test_no_moving_line_without_request():
    assert lines(figures(moving_requested=0), "moving") == []


def test_governing_profile_is_the_first_holders():
    f = figures(creditors=(lien(1, principal=30_000_000, profile="jhf"),
                           lien(2, "ひかり保証", 1_000_000, profile="standard")))
    assert lines(f, "moving")[0].amount == 0


# 8. 売買契約書印紙代
STAMP_ON = "[profiles.standard]\nstamp_duty_deductible = true\n"


@pytest.mark.parametrize(("price", "contract", "settlement", "duty"), [
    (14_000_000, date(2027, 3, 31), date(2027, 5, 10), 10_000),  # reduced: 契約予定日 ≤ 2027-03-31
    (14_000_000, date(2027, 4, 1), date(2027, 5, 10), 20_000),  # ordinary
    (14_000_000, None, date(2027, 3, 31), 10_000),  # no 契約予定日: the 決済予定日 decides
    (14_000_000, None, date(2027, 4, 1), 20_000),
    (10_000_000, None, date(2027, 1, 29), 5_000),  # band 500万超–1,000万 (reduced)
    (10_000_001, None, date(2027, 1, 29), 10_000),
    (10_000_000, None, date(2027, 4, 1), 10_000),  # same band, ordinary
    (9_999, None, date(2027, 1, 29), 0),  # 1万円未満 非課税
])
def test_stamp_duty_tables(tmp_path, price, contract, settlement, duty):
    config = config_with(tmp_path, STAMP_ON)
    f = figures(config, sale_price=price, contract_date=contract, settlement_date=settlement,
                creditors=(FIRST,))
    (line,) = lines(f, "stamp_duty")
    assert (line.amount, line.payee) == (duty, "収入印紙")


def test_stamp_duty_not_deducted_by_default():
    assert lines(figures(), "stamp_duty") == []


# 9. 費用
def test_other_costs_as_entered_each_needing_approval():
    f = figures(costs=(cost("残置物撤去費", 150_000, "=HYPERLINK(\"x\")"), cost("{{ 測量費 }}", 400_000)))
    assert [(d.label, d.payee, d.amount, d.row) for d in lines(f, "other")] == [
        ("残置物撤去費", "=HYPERLINK(\"x\")", 150_000, 2), ("{{ 測量費 }}", "", 400_000, 3)]
    found = [w for w in f.warnings if w.code == "other_cost_needs_approval"]
    assert [(w.severity, w.sheet, w.cell) for w in found] == [
        ("info", "費用", "B2"), ("info", "費用", "B3")]
    assert "{{ 測量費 }}" in found[1].message


def test_deductions_keep_the_spec_order(tmp_path):
    config = config_with(tmp_path, STAMP_ON)
    f = figures(config, bankruptcy=True, property_tax_yearly=50_000, costs=(cost("測量費", 1),),
                creditors=(FIRST, seizure(principal=90_000), lien(2, "ひかり保証", 1_000_000)),
                auction={"applicant": FIRST.name, "costs": 500_000})
    assert [d.code for d in f.sale.deductions] == [
        "brokerage", "registration", "auction_costs", "management_arrears", "seizure_release",
        "junior_release", "bankruptcy_estate", "moving", "stamp_duty", "other"]
    assert [rule.__name__ for rule in RULES] == [
        "brokerage", "registration", "auction_costs", "management_arrears", "seizure_release",
        "junior_release", "bankruptcy_estate", "moving", "stamp_duty", "other_costs"]
