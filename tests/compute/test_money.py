"""Rounding rules and the one allocation function."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.compute.money import (
    allocate,
    ceil_div,
    floor_1dp,
    floor_100,
    floor_1000,
    floor_yen,
    percent_text,
    round_half_up_1dp,
    yen_text,
)


def test_floors_are_kirisute():
    assert floor_yen(Fraction(1999, 2)) == 999
    assert floor_yen(Decimal("0.99")) == 0
    assert floor_1000(9_100_999) == 9_100_000
    assert floor_1000(Decimal("9799.9")) == 9_000
    assert floor_100(2_272) == 2_200
    assert floor_100(99) == 0


def test_ceil_div():
    assert ceil_div(7_742_000, 31_000) == 250
    assert ceil_div(2_000_000, 3_200) == 625


def test_round_half_up_one_decimal():
    assert round_half_up_1dp(Fraction(1, 20)) == Decimal("0.1")  # 0.05 → 0.1 (a float rounds down)
    assert round_half_up_1dp(Fraction(2049, 20)) == Decimal("102.5")  # 102.45 → 102.5
    assert round_half_up_1dp(Fraction(7)) == Decimal("7.0")
    assert str(round_half_up_1dp(Fraction(7))) == "7.0"


def test_years_floor_to_one_decimal():
    assert floor_1dp(Fraction(250, 12)) == Decimal("20.8")
    assert floor_1dp(Fraction(239, 12)) == Decimal("19.9")  # 19.916… is not rounded up
    assert str(floor_1dp(Fraction(24, 12))) == "2.0"


def test_texts():
    assert percent_text(Decimal("0.30")) == "30"
    assert percent_text(Decimal("0.325")) == "32.5"
    assert percent_text(Decimal("0.1")) == "10"
    assert yen_text(60_000) == "6万円"
    assert yen_text(12_500) == "12,500円"
    assert yen_text(0) == "0円"


def test_allocate_floors_each_share_and_gives_the_rest_to_the_largest():
    # 31,000 over 3 : 1 → 23,250 → 23,200 and 7,750 → 7,700; 100 left to the larger weight.
    assert allocate(31_000, [300, 100], 100, [1, 2]) == (23_300, 7_700)


def test_allocate_tie_goes_to_the_lower_rank_number():
    # Equal weights: 10,000 / 3 = 3,333.3 → 3,300 each; 100 left → the smallest 順位 number.
    assert allocate(10_000, [5, 5, 5], 100, [2, 3, 4]) == (3_400, 3_300, 3_300)
    assert allocate(10_000, [5, 5, 5], 100, [4, 3, 2]) == (3_300, 3_300, 3_400)


def test_allocate_largest_weight_beats_rank():
    assert allocate(10_000, [1, 2], 1_000, [1, 2]) == (3_000, 7_000)


def test_allocate_edge_cases():
    assert allocate(0, [], 100, []) == ()
    assert allocate(0, [0, 0], 100, [1, 2]) == (0, 0)
    with pytest.raises(ValueError):
        allocate(100, [0, 0], 100, [1, 2])
    with pytest.raises(ValueError):
        allocate(100, [1], 100, [1, 2])
    with pytest.raises(ValueError):
        allocate(-100, [1], 100, [1])


@given(total=st.integers(0, 10**10),
       weights=st.lists(st.integers(1, 10**9), min_size=1, max_size=8),
       unit=st.sampled_from([1, 100, 1_000]))
def test_allocate_adds_up_and_is_near_proportional(total, weights, unit):
    shares = allocate(total, weights, unit, list(range(len(weights))))
    assert sum(shares) == total
    whole = sum(weights)
    for share, weight in zip(shares, weights, strict=True):
        assert share >= 0
        assert share >= floor_yen(Fraction(total * weight, whole)) - unit


def test_yen_is_the_one_money_formatter():
    from pipeline.compute.money import yen
    from pipeline.documents import format as fmt

    assert yen(1_234_567) == "1,234,567円" and yen(-12_000) == "△12,000円" and yen(None) == "—"
    assert fmt.yen is yen and fmt.FILTERS["yen"] is yen
    assert yen_text(-60_000) == "△60,000円"  # a basis text never prints "-6万円"
    with pytest.raises(TypeError):
        yen(1.5)


def test_no_module_writes_yen_by_hand():
    """``f"{x:,}円"`` anywhere but pipeline/compute/money.py is a second money formatter, and it
    writes a deficit as -12,000円."""
    import re
    from pathlib import Path

    pipeline = Path(__file__).resolve().parents[2] / "pipeline"
    by_hand = re.compile(r"\{[^{}]*:,\}円")
    found = sorted(str(p.relative_to(pipeline)) for p in pipeline.rglob("*.py")
                   if p.name != "money.py" and by_hand.search(p.read_text("utf-8")))
    assert found == []
