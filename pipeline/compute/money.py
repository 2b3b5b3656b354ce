"""Money: the named rounding rules and the one allocation function (docs/rules.md "Money").

Amounts are ``int`` yen; rates are ``Decimal`` built from strings. Products of an amount and a
rate are taken exactly as ``Fraction`` (a Decimal converts to a Fraction without loss), so a
rounding happens only where a rule names it. The default rounding is 切り捨て (floor).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

Exact = int | Decimal | Fraction

DASH = "—"  # shown for a missing optional value
NEGATIVE_MARK = "△"  # 三角: the Japanese accounting sign for a negative amount


class AllocationError(ArithmeticError):
    """A split that does not add up to its total: a bug, never a data problem."""


def exact(value: Exact) -> Fraction:
    """The value as an exact fraction (Decimal("14.6") → 73/5)."""
    return Fraction(value)


def floor_yen(value: Exact) -> int:
    """切り捨て to whole yen."""
    return math.floor(exact(value))


def floor_unit(value: Exact, unit: int) -> int:
    """切り捨て to a multiple of ``unit`` yen (unit ≥ 1)."""
    if unit < 1:
        raise ValueError(f"rounding unit must be ≥ 1, got {unit}")
    return math.floor(exact(value) / unit) * unit


def ceil_unit(value: Exact, unit: int) -> int:
    """切り上げ to a multiple of ``unit`` yen (unit ≥ 1): the break-even prices, docs/rules.md §2."""
    if unit < 1:
        raise ValueError(f"rounding unit must be ≥ 1, got {unit}")
    return math.ceil(exact(value) / unit) * unit


def floor_1000(value: Exact) -> int:
    """切り捨て to a multiple of 1,000 円 (spec: ``floor_1000``)."""
    return floor_unit(value, 1000)


def floor_100(value: Exact) -> int:
    """切り捨て to a multiple of 100 円 (spec: ``floor_100``)."""
    return floor_unit(value, 100)


def ceil_div(numerator: int, denominator: int) -> int:
    """切り上げ of a whole-number quotient (months to repay: docs/rules.md §4 ``ceil``)."""
    return -(-numerator // denominator)


def round_half_up_1dp(value: Exact) -> Decimal:
    """四捨五入 to one decimal, for percents (docs/rules.md §4, lump-sum share)."""
    frac = exact(value)
    return (Decimal(frac.numerator) / Decimal(frac.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)


def floor_1dp(value: Exact) -> Decimal:
    """切り捨て to one decimal (years to repay, docs/rules.md §4)."""
    frac = exact(value)
    tenths = math.floor(frac * 10)
    return (Decimal(tenths) / 10).quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def allocate(total: int, weights: Sequence[int], unit: int,
             tiebreak_order: Sequence[int]) -> tuple[int, ...]:
    """Split ``total`` in proportion to ``weights`` (按分), each share floored to ``unit`` yen.

    What is left after flooring goes to the largest weight; between equal weights to the smallest
    ``tiebreak_order`` key (the lower 順位 number, i.e. the senior lien). Source:
    docs/rules.md §4 (monthly split and lump-sum split). Raises AllocationError if the shares
    do not add up to ``total`` — that must never happen.
    """
    if len(weights) != len(tiebreak_order):
        raise ValueError("weights and tiebreak_order differ in length")
    if total < 0 or any(w < 0 for w in weights):
        raise ValueError("allocate takes non-negative amounts only")
    whole = sum(weights)
    if whole == 0:
        if total:
            raise ValueError("cannot split a positive amount over zero weights")
        return tuple(0 for _ in weights)
    shares = [floor_unit(Fraction(total * w, whole), unit) for w in weights]
    winner = min(range(len(weights)), key=lambda i: (-weights[i], tiebreak_order[i]))
    shares[winner] += total - sum(shares)
    if sum(shares) != total or min(shares) < 0:
        raise AllocationError(f"split of {total} does not add up: {shares}")
    return tuple(shares)


def percent_text(rate: Decimal) -> str:
    """A ratio as a percent for printed text: Decimal("0.30") → "30", Decimal("0.325") → "32.5"."""
    text = format((rate * 100).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def require_int(n: object) -> int:
    """Money is int yen (and counts are ints): refuse floats and bools instead of formatting them."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"金額は整数（円）で渡してください: {n!r}")
    return n


def yen(n: int | None) -> str:
    """金額, the one way an amount is written on every surface (documents, warnings, case.json
    messages, the review page, summary.xlsx, the terminal): ``1234567`` → ``1,234,567円``;
    negative → ``△12,000円`` (the accounting triangle of Japanese statements); None → ``—``."""
    if n is None:
        return DASH
    n = require_int(n)
    sign = NEGATIVE_MARK if n < 0 else ""
    return f"{sign}{abs(n):,}円"


def yen_text(amount: int) -> str:
    """An amount for a basis text: 60,000 → "6万円", 12,500 → "12,500円" (data, not display rules)."""
    if amount > 0 and amount % 10_000 == 0:
        return f"{amount // 10_000:,}万円"
    return yen(amount)

