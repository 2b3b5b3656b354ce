"""The auction comparison (docs/rules.md §2)."""

from __future__ import annotations

import pytest

from compute.builder import BANK, BATCH, lien, make_case, seizure
from pipeline.compute import compute_case
from pipeline.config import load_config

CONFIG = load_config(None)


def auction_of(config=CONFIG, **overrides):
    return compute_case(make_case(**overrides), config, BATCH).auction


@pytest.mark.parametrize(("claim", "cost"), [
    (19_999_999, 800_000), (20_000_000, 1_000_000), (49_999_999, 1_000_000),
    (50_000_000, 1_500_000), (99_999_999, 1_500_000), (100_000_000, 2_000_000),
])
def test_procedure_cost_by_first_claim(claim, cost):
    assert CONFIG.auction.procedure_cost(claim) == cost
    assert auction_of(creditors=(lien(1, principal=claim),)).procedure_cost == cost


def test_court_figures_used_when_given():
    a = auction_of(auction={"base_price": 9_000_000, "min_bid": 7_200_000})
    assert (a.base_price, a.min_bid, a.base_price_given, a.min_bid_given) == (
        9_000_000, 7_200_000, True, True)
    assert a.expected_bid == 9_100_000  # floor_1000(M × 0.65) is above K
    assert a.assumptions_text.startswith("売却基準価額は裁判所の公告額・買受可能価額は裁判所の公告額")


def test_min_bid_from_given_base_price_and_expected_bid_at_least_k():
    a = auction_of(auction={"base_price": 12_499_999})
    assert a.min_bid == 9_999_999  # floor(12,499,999 × 0.8 = 9,999,999.2)
    assert a.expected_bid == 9_999_999  # K is above floor_1000(M × 0.65) = 9,100,000


def test_priority_tax_comes_before_the_liens_at_auction():
    a = auction_of(property_tax_yearly=100_000,
                   creditors=(lien(1, principal=19_500_000), seizure("税務署", 600_000, priority=True),
                              seizure("港区役所", 900_000)))
    assert a.priority_taxes == 600_000  # the non-priority seizure is not paid before the liens
    assert a.pool == 9_100_000 - 800_000 - 600_000
    assert a.first_lien_recovery == 7_700_000


def test_pool_never_negative():
    a = auction_of(creditors=(lien(1, principal=19_500_000),
                              seizure("税務署", 50_000_000, priority=True)))
    assert a.pool == 0
    assert [r.amount for r in a.recoveries] == [0]


def test_first_holder_counts_all_its_lien_rows_on_both_sides():
    a = auction_of(creditors=(lien(1, principal=5_000_000), lien(2, "ひかり保証", 2_000_000),
                              lien(3, BANK, 4_000_000)))
    # Auction: pool 9,100,000 − 800,000 = 8,300,000 → 5,000,000 / 2,000,000 / 1,300,000.
    assert [r.amount for r in a.recoveries] == [5_000_000, 2_000_000, 1_300_000]
    assert a.first_lien_recovery == 6_300_000
    # Sale: deductions 528,000 + (1,000 × 2 × 3 + 30,000) + 200,000 + 300,000 + ハンコ代 200,000
    # = 1,264,000; A = 12,736,000 → 5,000,000 / 1,800,000 (+200,000) / 4,000,000.
    assert a.sale_first_lien_recovery == 9_000_000
    assert a.advantage == 2_700_000


def test_auction_better_for_first_lien_is_high():
    f = compute_case(make_case(sale_price=8_000_000), CONFIG, BATCH)
    # A = 8,000,000 − (300,000 + 30,000 + 12,000 + 200,000 + 300,000) = 7,158,000 < 8,100,000
    assert f.auction.advantage == 7_158_000 - 8_100_000
    (w,) = [w for w in f.warnings if w.code == "auction_better_for_first_lien"]
    assert w.severity == "high"


def test_assumptions_follow_the_configuration(tmp_path):
    path = tmp_path / "ninbai.toml"
    path.write_text('[auction]\nmarket_discount = "0.4"\nexpected_bid_ratio = "0.5"\n', "utf-8")
    a = auction_of(config=load_config(path))
    assert (a.base_price, a.min_bid, a.expected_bid) == (8_400_000, 6_720_000, 7_000_000)
    assert a.assumptions_text.startswith("競売市場修正40%・落札見込 査定価格の50%と仮定")
