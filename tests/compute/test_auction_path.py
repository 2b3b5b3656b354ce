"""A case in auction (issue 13): the 予納金 of its 執行裁判所, the applicant's 競売申立費用 with the
取下げ cost, what each 差押 would recover at auction (無益な差押え), and the amended date warnings.

Figures from the worked example of docs/rules.md §6 (builder.make_case): M 14,000,000, two 物件,
E = floor_1000(M × 65%) = 9,100,000.
"""

from __future__ import annotations

from datetime import date

import pytest

from compute.builder import BATCH, lien, make_case, seizure, unit
from pipeline.compute import compute_case
from pipeline.compute.auction import court_key
from pipeline.config import load_config

CONFIG = load_config(None)
FIRST = lien(1, principal=19_500_000)  # claim 19,500,000: the 東京 default row 800,000


def figures_of(**overrides):
    return compute_case(make_case(**overrides), CONFIG, BATCH)


def codes(figures) -> list[str]:
    return [w.code for w in figures.warnings]


# --- 予納金 by 執行裁判所 ------------------------------------------------------------------------

BRANCH = "。支部は本庁の表による"


@pytest.mark.parametrize(("court", "units", "cost", "basis"), [
    ("静岡地方裁判所", 2, 600_000, "静岡地方裁判所の予納金（物件2個による）"),  # 2筆まで60万円
    ("静岡地方裁判所", 3, 650_000, "静岡地方裁判所の予納金（物件3個による）"),  # 3筆65万円
    ("静岡地方裁判所", 5, 750_000, "静岡地方裁判所の予納金（物件5個による）"),  # 1筆ごとに5万円
    ("静岡 地裁", 2, 600_000, "静岡地方裁判所の予納金（物件2個による）"),  # as staff abbreviate it
    ("静岡地方裁判所浜松支部", 2, 600_000, f"静岡地方裁判所の予納金（物件2個による{BRANCH}）"),
    ("京都地方裁判所", 2, 800_000, "京都地方裁判所の予納金（物件2個による）"),
    ("京都地方裁判所園部支部", 2, 800_000, f"京都地方裁判所の予納金（物件2個による{BRANCH}）"),
    ("京都地方裁判所舞鶴支部", 5, 600_000, "京都地方裁判所舞鶴支部の予納金（物件5個による）"),
    ("京都地方裁判所舞鶴支部", 6, 700_000, "京都地方裁判所舞鶴支部の予納金（物件6個による）"),
    ("東京地方裁判所", 2, 800_000, "東京地方裁判所の予納金（第1順位の債権額による）"),
])
def test_procedure_cost_comes_from_the_court_of_the_auction(court, units, cost, basis):
    f = figures_of(creditors=(FIRST,), units=tuple(unit(number=str(n)) for n in range(units)),
                   auction={"court": court, "case_number": "令和8年(ケ)第1号"})
    a = f.auction
    table = basis.partition("（")[0]
    assert (a.procedure_cost, a.procedure_cost_basis, a.procedure_cost_table) == (
        cost, basis, table)
    assert a.procedure_cost_url and a.procedure_cost_url.startswith("http")
    assert a.assumptions_text.endswith(f"（手続費用は{table}による）")
    assert a.pool == 9_100_000 - cost
    assert "procedure_cost_court_unknown" not in codes(f)


def test_tokyo_table_by_claim_for_the_tokyo_court():
    f = figures_of(creditors=(lien(1, principal=20_000_000),), auction={"court": "東京地方裁判所"})
    assert (f.auction.procedure_cost, f.auction.procedure_cost_court) == (1_000_000, "東京地方裁判所")


def test_an_unknown_court_uses_the_default_table_with_a_warning_naming_it():
    f = figures_of(creditors=(FIRST,), auction={"court": "大阪地方裁判所堺支部"})
    a = f.auction
    assert (a.procedure_cost, a.procedure_cost_court, a.procedure_cost_url) == (800_000, None, None)
    assert a.procedure_cost_table == "東京地裁本庁の予納金"
    assert a.procedure_cost_basis == "東京地裁本庁の予納金（第1順位の債権額による）"
    (warning,) = [w for w in f.warnings if w.code == "procedure_cost_court_unknown"]
    assert warning.severity == "info"
    assert "執行裁判所「大阪地方裁判所堺支部」の予納金の表がない" in warning.message
    assert "東京地裁本庁の予納金800,000円" in warning.message


def test_a_case_in_auction_without_a_court_is_warned_and_one_not_in_auction_is_not():
    in_auction = figures_of(auction={"opening_date": date(2027, 3, 1)})
    assert "procedure_cost_court_unknown" in codes(in_auction)
    assert "執行裁判所が入力されていないため" in next(
        w.message for w in in_auction.warnings if w.code == "procedure_cost_court_unknown")
    assert "procedure_cost_court_unknown" not in codes(figures_of())
    # without a court, the auction figures are those of before (the shipped table)
    assert figures_of().auction.assumptions_text.endswith("（手続費用は東京地裁本庁の予納金による）")


@pytest.mark.parametrize(("typed", "key"), [
    ("静岡地裁", "静岡地方裁判所"), ("さいたま地裁越谷支部", "さいたま地方裁判所越谷支部"),
    ("京都地方裁判所本庁", "京都地方裁判所"), ("ＸＸ地方裁判所", "XX地方裁判所"),
])
def test_court_names_are_folded_for_lookup(typed, key):
    assert court_key(typed) == key


def test_an_office_adds_its_own_court_in_its_settings(tmp_path):
    settings = tmp_path / "ninbai.toml"
    settings.write_text('[auction.courts."さいたま地方裁判所"]\n'
                        'source = "https://example.invalid/saitama"\nby = "claim"\n'
                        'costs = [{ below = 20000000, amount = 700000 }, { amount = 900000 }]\n',
                        "utf-8")
    config = load_config(settings)
    assert "静岡地方裁判所" in config.auction.courts  # the shipped courts stay
    case = make_case(creditors=(FIRST,), auction={"court": "さいたま地方裁判所越谷支部"})
    a = compute_case(case, config, BATCH).auction
    assert (a.procedure_cost, a.procedure_cost_court) == (700_000, "さいたま地方裁判所")


# --- 競売申立費用 and the 取下げ cost ------------------------------------------------------------

def test_auction_costs_are_a_deduction_paid_to_the_applicant_after_the_registration_costs():
    f = figures_of(auction={"applicant": "みずなみ銀行", "costs": 820_000})
    codes_in_order = [d.code for d in f.sale.deductions]
    assert codes_in_order[:3] == ["brokerage", "registration", "auction_costs"]
    line = f.sale.deductions[2]
    # 820,000 spent + 登録免許税 1,000 × 2 不動産 for the 差押登記抹消 on 取下げ
    assert (line.label, line.payee, line.creditor, line.amount) == (
        "競売申立費用", "みずなみ銀行", "みずなみ銀行", 822_000)
    assert line.basis == ("申立債権者の立替額820,000円+取下げ時の差押登記抹消の登録免許税1,000円"
                          "×不動産2個")
    before = figures_of().sale
    assert f.sale.distributable == before.distributable - 822_000


def test_an_applicant_without_costs_still_pays_the_cancellation_tax():
    f = figures_of(auction={"applicant": "みずなみ銀行"})
    (line,) = [d for d in f.sale.deductions if d.code == "auction_costs"]
    assert line.amount == 2_000 and "競売申立費用は未入力" in line.basis


def test_no_applicant_no_auction_costs_line():
    assert "auction_costs" not in [d.code for d in figures_of().sale.deductions]


# --- 差押 at auction: 無益な差押え -------------------------------------------------------------

def test_a_seizure_behind_the_liens_recovers_nothing_when_the_bid_does_not_reach_it():
    f = figures_of(property_tax_yearly=100_000,
                   creditors=(FIRST, seizure("港区役所", 900_000)))
    (s,) = f.auction.seizure_recoveries
    # E − C = 9,100,000 − 800,000 goes to the lien of 19,500,000: nothing is left for the tax
    assert (s.creditor, s.priority, s.claim, s.amount, s.futile) == (
        "港区役所", False, 900_000, 0, True)


@pytest.mark.parametrize(("principal", "amount", "futile"), [
    (8_300_000, 0, True),  # the lien takes all of E − C = 8,300,000
    (8_299_999, 1, False),  # one yen left for the tax
    (5_000_000, 900_000, False),  # the whole tax
])
def test_what_a_seizure_behind_the_liens_recovers(principal, amount, futile):
    f = figures_of(property_tax_yearly=100_000,
                   creditors=(lien(1, principal=principal), seizure("港区役所", 900_000)))
    (s,) = f.auction.seizure_recoveries
    assert (s.amount, s.futile) == (amount, futile)


def test_a_priority_seizure_is_paid_before_the_liens_and_the_others_after():
    f = figures_of(property_tax_yearly=100_000,
                   creditors=(lien(1, principal=5_000_000), seizure("港区役所", 4_000_000),
                              seizure("芝税務署", 600_000, priority=True)))
    a = f.auction
    by_name = {s.creditor: s for s in a.seizure_recoveries}
    assert by_name["芝税務署"].amount == 600_000  # first, from E − C
    assert a.recoveries[0].amount == 5_000_000
    # left for the non-priority tax: 8,300,000 − 600,000 − 5,000,000
    assert by_name["港区役所"].amount == 2_700_000
    assert [s.creditor for s in a.seizure_recoveries] == ["港区役所", "芝税務署"]  # sheet order


def test_tax_left_unpaid_after_the_sale_is_on_the_seizure_result():
    """The office lifts its seizure for the 差押解除料; the rest of the tax is still owed."""
    f = figures_of(property_tax_yearly=100_000, creditors=(FIRST, seizure("港区役所", 900_000)))
    (s,) = f.sale.seizures
    assert (s.release_fee, s.surplus_share, s.remaining) == (100_000, 0, 800_000)


# --- the amended date warnings (docs/rules.md §5) ----------------------------------------------

@pytest.mark.parametrize(("opening", "after", "close"), [
    (date(2027, 1, 28), True, True),  # settlement 2027-01-29 after the 開札期日: both
    (date(2027, 1, 29), True, True),  # on the 開札期日: both
    (date(2027, 1, 30), False, True),  # the day before: close only
    (date(2027, 2, 12), False, False),  # 14 days before: neither
])
def test_settlement_on_or_after_opening_raises_both_date_warnings(opening, after, close):
    found = codes(figures_of(auction={"opening_date": opening}))
    assert ("settlement_after_opening" in found, "settlement_close_to_opening" in found) == (
        after, close)


@pytest.mark.parametrize(("principal", "raised"), [(12_960_000, False), (12_960_001, True)])
def test_repayment_exceeds_surplus_only_while_some_debt_remains(principal, raised):
    """A = 12,960,000 pays a lien of 12,960,000 in full: no debt, no plan, no warning."""
    f = figures_of(creditors=(lien(1, principal=principal),), repayment_monthly_offer=62_001)
    assert ("repayment_exceeds_surplus" in codes(f)) is raised
