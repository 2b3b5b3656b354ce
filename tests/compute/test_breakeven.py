"""Break-even prices (docs/rules.md §2, "Break-even prices"): exact to 1,000円, found by the rules
themselves at trial prices, the lowest also where the rules are not monotone across a band edge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compute.builder import BANK, BATCH, cost, lien, make_case, seizure
from compute.test_properties import SETTINGS, cases
from pipeline.compute import compute_case
from pipeline.compute.breakeven import (
    advantage_at,
    break_even,
    lowest_reaching,
    price_segments,
    recorded_floors,
)
from pipeline.compute.case import sale_and_auction
from pipeline.config import load_config
from pipeline.read.models import NegotiationRound
from pipeline.read.validate import load_case

CONFIG = load_config(None)
REPO = Path(__file__).resolve().parents[2]
JUNIOR = "ひかり保証"


def reply(creditor: str, round_: int, floor: int | None, row: int = 0, **kw) -> NegotiationRound:
    return NegotiationRound(row=row, creditor=creditor, round=round_, floor_price=floor, **kw)


def test_the_worked_example_by_hand():
    """2026-0142 (docs/rules.md §6, Example 1): P = 14,000,000, M = 14,000,000, one 順位 1 lien.

    Auction (constant in P): B = floor_1000(14,000,000 × 0.7) = 9,800,000; K = 7,840,000;
    E = max(K, floor_1000(14,000,000 × 0.65)) = 9,100,000; the claim 20,702,000 ≥ 2,000万円, so
    C = 1,000,000; the 順位 1 holder gets 9,100,000 − 1,000,000 = 8,100,000 at auction.
    Sale: fixed deductions 抹消費用 12,000 + 滞納管理費 200,000 + 引越費用 300,000 = 512,000, and the
    仲介手数料 f = floor(P × 3%) + 60,000, fee = f + floor(f × 10%). A = P − fee − 512,000 must reach
    8,100,000: P − 1.1 × (0.03P + 60,000) ≥ 8,612,000 ⇔ 0.967P ≥ 8,678,000 ⇔ P ≥ 8,974,147.9…
    P = 8,975,000: f = 269,250 + 60,000 = 329,250, fee = 329,250 + 32,925 = 362,175,
        A = 8,975,000 − 362,175 − 512,000 = 8,100,825 → advantage +825.
    P = 8,974,000: f = 269,220 + 60,000 = 329,220, fee = 329,220 + 32,922 = 362,142,
        A = 8,974,000 − 362,142 − 512,000 = 8,099,858 → advantage −142.
    """
    case = make_case()
    assert break_even(case, CONFIG).first_lien_price == 8_975_000
    assert advantage_at(case, CONFIG, 8_975_000) == 825
    assert advantage_at(case, CONFIG, 8_974_000) == -142


#: Every sample of inputs/, found by the search and checked at both sides of the 1,000円 step.
SAMPLES = {
    "2026-0142.xlsx": 8_975_000, "2026-0148.xlsx": 14_429_000, "2026-0151.xlsx": 5_303_000,
    "2026-0157.xlsx": 11_511_000, "2026-0160.xlsx": 8_511_000, "2026-0163.xlsx": 11_867_000,
    "2026-0166.xlsx": 9_418_000, "2026-0170.xlsx": 7_983_000, "2026-0172.xlsx": 2_484_000,
    "2026-0175.xlsx": 11_504_000, "2026-0178.xlsx": 8_249_000, "2026-0181.xlsx": 8_183_000,
    "2026-0190.xlsx": 10_705_000,
}
#: Samples whose 交渉 sheet records a 最低売却価格: 2026-0190's first lien raised its floor to
#: 16,200,000 in round 2, above its break-even price.
FLOORS = {"2026-0190.xlsx": 16_200_000}


@pytest.mark.parametrize(("name", "price"), sorted(SAMPLES.items()))
def test_samples_exact_to_1000_yen(name, price):
    case, issues = load_case(REPO / "inputs" / name, CONFIG.profiles.keys())
    assert case is not None, issues
    found = break_even(case, CONFIG)
    assert found.first_lien_price == price
    assert advantage_at(case, CONFIG, price) >= 0 > advantage_at(case, CONFIG, price - 1_000)
    assert found.all_floors_price == FLOORS.get(name, price)  # the others record no 最低売却価格


def test_every_sample_is_listed():
    assert sorted(SAMPLES) == sorted(p.name for p in (REPO / "inputs").glob("*.xlsx"))


def test_a_bankrupt_case_with_a_junior_lien_and_a_tax_seizure():
    """Hand-built: 破産財団組入金 3% moves with P; the ハンコ代 and the 差押解除料 do not.

    Auction: E = 9,100,000, claim 8,000,000 < 2,000万円 → C = 800,000; the 優先 tax (300,000) comes
    first: pool 8,000,000; the 順位 1 claim 8,000,000 takes it all.
    Sale: fixed 抹消費用 2 units × 2 liens × 1,000 + 10,000 × 2 = 24,000, 滞納管理費 200,000, 引越費用
    300,000, 差押解除料 300,000 (優先: the full claim), ハンコ代 min(300,000, 10% × 2,000,000) =
    200,000: 1,024,000. A = P − fee(P) − floor(3% P) − 1,024,000 ≥ 8,000,000, with fee ≈ 0.033P +
    66,000: 0.937P ≥ 9,090,000 ⇔ P ≥ 9,701,173.9… → 9,702,000.
    P = 9,702,000: f = 291,060 + 60,000 = 351,060, fee 386,166; 破産財団 291,060;
        A = 9,702,000 − 386,166 − 291,060 − 1,024,000 = 8,000,774: the claim (8,000,000) is paid
        in full → advantage 0.
    P = 9,701,000: f = 351,030, fee 386,133; 破産財団 291,030; A = 7,999,837 → −163.
    """
    case = make_case(bankruptcy=True, creditors=(
        lien(1, principal=8_000_000), lien(2, JUNIOR, 2_000_000),
        seizure("港税務署", 300_000, priority=True)))
    assert break_even(case, CONFIG).first_lien_price == 9_702_000
    sale, auction, _, _ = sale_and_auction(case.model_copy(update={"sale_price": 9_702_000}), CONFIG)
    assert (sale.distributable, auction.advantage) == (8_000_774, 0)
    assert advantage_at(case, CONFIG, 9_701_000) == -163


def test_nothing_at_auction_means_any_price():
    """A 優先 tax above E − C leaves the 順位 1 holder nothing at auction: the sale wins at 0円."""
    case = make_case(creditors=(lien(1, principal=19_500_000),
                                seizure("港税務署", 50_000_000, priority=True)))
    assert break_even(case, CONFIG).first_lien_price == 0


def test_no_price_up_to_ten_times_the_appraisal():
    """A court's 買受可能価額 of 2,000万円 on a 査定価格 of 100万円: E = 20,000,000, C = 1,000,000
    (claim 3,000万円), the 順位 1 holder would get 19,000,000 at auction, and even 10,000,000 (10 × M)
    gives less."""
    case = make_case(appraisal=1_000_000, sale_price=900_000,
                     auction={"min_bid": 20_000_000},
                     creditors=(lien(1, principal=30_000_000),))
    found = break_even(case, CONFIG)
    assert advantage_at(case, CONFIG, 10_000_000) < 0
    assert (found.first_lien_price, found.all_floors_price) == (None, None)


def test_the_limit_is_policy_data():
    case = make_case(appraisal=1_000_000, sale_price=900_000, auction={"min_bid": 20_000_000},
                     creditors=(lien(1, principal=30_000_000),))
    wider = CONFIG.model_copy(update={"break_even": CONFIG.break_even.model_copy(
        update={"limit_ratio": Decimal(30)})})
    price = break_even(case, wider).first_lien_price
    assert price is not None and 10_000_000 < price <= 30_000_000
    assert advantage_at(case, CONFIG, price) >= 0 > advantage_at(case, CONFIG, price - 1_000)


def test_floors_the_latest_round_that_gives_one():
    case = make_case(
        creditors=(lien(1, principal=19_500_000), lien(2, JUNIOR, 2_000_000)),
        negotiation=(reply(BANK, 1, 12_000_000, row=2), reply(JUNIOR, 1, 9_000_000, row=3),
                     reply(BANK, 2, 12_345_678, row=4), reply(JUNIOR, 2, None, row=5)))
    floors = recorded_floors(case)
    assert [(f.creditor, f.round, f.floor_price) for f in floors] == [
        (JUNIOR, 1, 9_000_000), (BANK, 2, 12_345_678)]
    found = break_even(case, CONFIG)
    assert found.first_lien_price is not None and found.first_lien_price < 12_345_678
    # 12,345,678 rounded up to the next whole 1,000円 (「1,000円単位に切上げ」): 12,345,000 is below it
    assert found.all_floors_price == 12_346_000


def test_floors_below_the_first_lien_price_change_nothing():
    case = make_case(negotiation=(reply(BANK, 1, 5_000_000),))
    found = break_even(case, CONFIG)
    assert found.all_floors_price == found.first_lien_price == 8_975_000


def test_a_floor_above_the_search_limit_still_counts():
    case = make_case(appraisal=1_000_000, creditors=(lien(1, principal=3_000_000),),
                     negotiation=(reply(BANK, 1, 15_000_000),))
    found = break_even(case, CONFIG)
    assert found.first_lien_price is not None and found.first_lien_price <= 10_000_000
    assert found.all_floors_price == 15_000_000


def test_trials_leave_no_warning_in_the_case():
    """The case sells above its break-even: the trials below it raised auction_better_for_first_lien
    and price_below_min_bid, but the case's figures and its break-even carry neither."""
    case = make_case()
    codes = {w.code for w in compute_case(case, CONFIG, BATCH).warnings}
    assert "auction_better_for_first_lien" not in codes
    assert {w.code for w in compute_case(case.model_copy(update={"sale_price": 1_000_000}),
                                         CONFIG, BATCH).warnings} >= {
        "auction_better_for_first_lien", "price_below_min_bid"}
    break_even(case, CONFIG)
    assert case.sale_price == 14_000_000  # the case itself is never changed
    assert {w.code for w in compute_case(case, CONFIG, BATCH).warnings} == codes


# ----- where the rules are not monotone: a band edge of the 印紙税 ---------------------------------

def stamp_config(tmp_path: Path):
    """An office whose 順位 1 creditors deduct the 売買契約書印紙代 (no shipped profile does)."""
    path = tmp_path / "ninbai.toml"
    path.write_text("[profiles.standard]\nstamp_duty_deductible = true\n", "utf-8")
    return load_config(path)


def edge_case():
    """Tuned so that the 順位 1 holder breaks even exactly at 5,000,000 (reduced 印紙税 1,000円),
    the 5,000,001円 band's 5,000円 印紙税 takes it back below, and only 5,005,000 reaches it again.

    Auction: the court's K = 5,056,000 is E (above floor_1000(6,500,000 × 0.65)); claim 15,000,000 → C = 800,000: 4,256,000.
    Sale at 5,000,000: fee (150,000 + 60,000) × 1.1 = 231,000, 印紙 1,000, fixed 512,000:
        A = 5,000,000 − 231,000 − 1,000 − 512,000 = 4,256,000 → advantage 0.
    At 5,001,000: fee 210,030 + 21,003 = 231,033, 印紙 5,000 → A = 4,252,967 → −3,033.
    At 4,999,000: fee 209,970 + 20,997 = 230,967, 印紙 1,000 → A = 4,255,033 → −967.
    """
    return make_case(appraisal=6_500_000, auction={"min_bid": 5_056_000},
                     creditors=(lien(1, principal=15_000_000),))


def test_the_stamp_duty_edge_breaks_monotonicity(tmp_path):
    config = stamp_config(tmp_path)
    case = edge_case()
    at = {p: advantage_at(case, config, p) for p in (4_999_000, 5_000_000, 5_001_000,
                                                     5_004_000, 5_005_000)}
    assert at == {4_999_000: -967, 5_000_000: 0, 5_001_000: -3_033, 5_004_000: -132,
                  5_005_000: 835}
    # One bisection over 0–65,000,000 (10 × M), trusting monotonicity across the edge, steps into
    # the dip and lands on the later crossing:
    assert lowest_reaching(lambda p: advantage_at(case, config, p),
                           [(0, 65_000_000)], 1_000) == 5_005_000


def test_the_search_still_finds_the_lowest_across_the_edge(tmp_path):
    config = stamp_config(tmp_path)
    case = edge_case()
    assert break_even(case, config).first_lien_price == 5_000_000
    # Checked against every price below it (no assumption of monotonicity):
    assert all(advantage_at(case, config, p) < 0 for p in range(0, 5_000_000, 1_000))


def test_all_floors_across_the_edge(tmp_path):
    """A floor of 5,001,000 lands in the dip after the edge: the lowest price meeting it and the
    first lien's break-even is 5,005,000, not the floor itself."""
    config = stamp_config(tmp_path)
    case = edge_case().model_copy(update={"negotiation": (reply(BANK, 1, 5_000_001),)})
    assert break_even(case, config).all_floors_price == 5_005_000


def test_price_segments_cut_at_each_band_edge():
    assert price_segments(0, 10_000_000, {2_000_000, 4_000_000, 9_999, 20_000_000}, 1_000) == [
        (0, 9_000), (10_000, 2_000_000), (2_001_000, 4_000_000), (4_001_000, 10_000_000)]
    assert price_segments(3_000_000, 3_000_000, {2_000_000, 4_000_000}, 1_000) == [
        (3_000_000, 3_000_000)]


# ----- properties over random valid cases (the shipped rules) --------------------------------------

prices = st.integers(0, 60_000).map(lambda k: k * 1_000)


@SETTINGS
@given(cases(), prices, st.integers(1, 5_000).map(lambda k: k * 1_000))
def test_advantage_never_falls_as_the_price_rises(case, price, step):
    assert advantage_at(case, CONFIG, price) <= advantage_at(case, CONFIG, price + step)


@SETTINGS
@given(cases(), prices)
def test_advantage_never_falls_by_one_step(case, price):
    """The 1,000円 step the search takes, also across the 仲介手数料 band edges."""
    assert advantage_at(case, CONFIG, price) <= advantage_at(case, CONFIG, price + 1_000)


@st.composite
def negotiated_cases(draw):
    case = draw(cases())
    names = sorted({c.name for c in case.liens})
    rows = tuple(reply(draw(st.sampled_from(names)), draw(st.integers(1, 3)),
                       draw(st.none() | st.integers(0, 80_000_000)), row=i)
                 for i in range(2, 2 + draw(st.integers(0, 4))))
    return case.model_copy(update={"negotiation": rows})


@SETTINGS
@given(negotiated_cases())
def test_first_lien_price_is_the_lowest(case):
    found = break_even(case, CONFIG)
    price = found.first_lien_price
    if price is None:
        limit = case.appraisal * 10 // 1_000 * 1_000
        assert advantage_at(case, CONFIG, limit) < 0
        assert found.all_floors_price is None
        return
    assert price % 1_000 == 0 and price <= max(case.appraisal * 10, 0)
    assert advantage_at(case, CONFIG, price) >= 0
    assert price == 0 or advantage_at(case, CONFIG, price - 1_000) < 0
    floors = [f.floor_price for f in recorded_floors(case)]
    required = max([price] + [-(-f // 1_000) * 1_000 for f in floors])
    assert found.all_floors_price == required  # monotone: the higher of the two
    assert all(found.all_floors_price >= f for f in floors)


def test_junior_demand_never_moves_the_figures():
    """A 抹消承諾料 demanded on the 交渉 sheet changes no figure (staff enter new values)."""
    plain = make_case(creditors=(lien(1, principal=19_500_000), lien(2, JUNIOR, 2_000_000)),
                      costs=(cost("測量費", 100_000),))
    asked = plain.model_copy(update={"negotiation": (
        reply(JUNIOR, 1, None, release_fee_demand=800_000, sent_on=date(2026, 11, 1)),)})
    assert break_even(asked, CONFIG).first_lien_price == break_even(plain, CONFIG).first_lien_price
