"""Break-even prices (損益分岐価格), docs/rules.md §2 "Break-even prices": for staff only.

``first_lien_price``: the lowest 売却価格, a whole multiple of ``[break_even] unit`` (1,000円), at
which the 順位 1 holder receives from the sale at least what it would at auction (``advantage ≥ 0``,
auction.py), everything else in the case unchanged; None when no price up to 査定価格 × ``limit_ratio``
(10) reaches it. ``all_floors_price``: the lowest such price that also meets the latest 最低売却価格
each creditor recorded on the 交渉 sheet; None when ``first_lien_price`` is None.

Both come from running the rules themselves (``sale_and_auction``, what ``compute_case`` runs) at
trial prices, never from a formula of their own: every deduction that moves with the price (仲介
手数料 with its band, 消費税 and 切り捨て, 破産財団組入金, 印紙代) moves exactly as in the 配分案. The
trials' warnings are dropped: they describe prices that are not the case's.

The search is a bisection over multiples of the unit, which needs the advantage to be monotone in
the price. The auction side does not depend on the price; the sale side is what the waterfall
gives the 順位 1 holder out of A = P − deductions(P), non-decreasing in A. Inside one band of a
price-keyed table A grows with P, because every price share of a deduction (仲介手数料 5% × 1.1,
破産財団組入金 3%) is far below 1. At a band's edge a deduction can jump, though: the 印紙税 of a
profile that deducts it goes from 5,000円 to 10,000円 between 10,000,000円 and 10,001,000円, so A
falls by 4,000円 (no shipped profile deducts it; tests/compute/test_breakeven.py shows the drop). So
the prices are split at every band edge of those tables (``price_segments``), the segments are
tried in order at their top price, and the bisection runs inside the first segment whose top
reaches the break-even: that gives the lowest price also where the rules are not monotone across
an edge.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.compute.case import sale_and_auction
from pipeline.compute.money import ceil_unit, exact, floor_unit
from pipeline.config import Band, Config
from pipeline.frozen import Frozen
from pipeline.read.models import Case


class CreditorFloor(Frozen):
    """A creditor's 最低売却価格 as last recorded (交渉 sheet: its latest round that gives one)."""

    creditor: str
    round: int  # 回
    floor_price: int
    row: int  # 交渉 sheet row


class BreakEven(Frozen):
    """The break-even prices of a case (case.json ``break_even``)."""

    first_lien_price: int | None  # 損益分岐価格（第1順位）
    all_floors_price: int | None  # 全債権者の最低売却価格を満たす価格
    floors: tuple[CreditorFloor, ...]  # what all_floors_price had to meet, by 交渉 sheet row
    rounding: str  # the rule's name, from the configuration: 「1,000円単位に切上げ」
    limit: int  # the highest price tried (査定価格 × limit_ratio, 切り捨て to the unit)


def recorded_floors(case: Case) -> tuple[CreditorFloor, ...]:
    """Each creditor's latest round that gives a 最低売却価格 (a later round without one does not
    withdraw it: a reply still pending, or one about other conditions)."""
    latest: dict[str, CreditorFloor] = {}
    for reply in sorted(case.negotiation, key=lambda n: (n.round, n.row)):
        if reply.floor_price is not None:
            latest[reply.creditor] = CreditorFloor(creditor=reply.creditor, round=reply.round,
                                                   floor_price=reply.floor_price, row=reply.row)
    return tuple(sorted(latest.values(), key=lambda f: f.row))


def advantage_at(case: Case, config: Config, price: int) -> int:
    """競売比較の有利額 of the case sold at ``price``: the same rules, only the 売却価格 changed.
    The trial's warnings are not kept."""
    trial = case.model_copy(update={"sale_price": price})
    _, auction, _, _ = sale_and_auction(trial, config)
    return auction.advantage


def band_edges(case: Case, config: Config) -> set[int]:
    """The prices after which a price-keyed deduction may jump: the ``up_to`` of every 仲介手数料
    band, and of both 印紙税 tables when the governing profile deducts the 印紙代."""
    bands: list[Band] = list(config.brokerage.bands)
    if config.profiles[case.first_lien.profile].stamp_duty_deductible:
        bands += [*config.stamp_duty.reduced, *config.stamp_duty.ordinary]
    return {b.up_to for b in bands if b.up_to is not None}


def price_segments(low: int, high: int, edges: set[int], unit: int) -> list[tuple[int, int]]:
    """[low, high] (multiples of ``unit``) cut into runs of trial prices that lie in one band of
    every price-keyed table, lowest first: a run ends at the last multiple of unit ≤ an edge."""
    tops = sorted({floor_unit(e, unit) for e in edges if low <= floor_unit(e, unit) < high})
    starts = [low] + [top + unit for top in tops]
    return list(zip(starts, [*tops, high], strict=True))


def lowest_reaching(advantage: Callable[[int], int], segments: list[tuple[int, int]],
                    unit: int) -> int | None:
    """The lowest trial price with ``advantage ≥ 0``: the first segment whose top reaches it, then a
    bisection inside it (monotone there); None when no segment reaches it."""
    for low, high in segments:
        if advantage(high) < 0:
            continue
        while low < high:  # advantage(high) ≥ 0; every price below low is < 0
            middle = low + (high - low) // unit // 2 * unit
            if advantage(middle) >= 0:
                high = middle
            else:
                low = middle + unit
        return high
    return None


def break_even(case: Case, config: Config) -> BreakEven:
    """損益分岐価格（第1順位）and 全債権者の最低売却価格を満たす価格 of the case (docs/rules.md §2)."""
    rules = config.break_even
    unit = rules.unit
    tried: dict[int, int] = {}

    def advantage(price: int) -> int:
        if price not in tried:
            tried[price] = advantage_at(case, config, price)
        return tried[price]

    edges = band_edges(case, config)
    limit = floor_unit(case.appraisal * exact(rules.limit_ratio), unit)
    first = lowest_reaching(advantage, price_segments(0, limit, edges, unit), unit)
    floors = recorded_floors(case)
    found = None if first is None else _all_floors(advantage, first, floors, limit, edges, unit)
    return BreakEven(first_lien_price=first, all_floors_price=found, floors=floors,
                     rounding=rules.rounding, limit=limit)


def _all_floors(advantage: Callable[[int], int], first: int, floors: tuple[CreditorFloor, ...],
                limit: int, edges: set[int], unit: int) -> int | None:
    """The lowest price ≥ every floor (rounded up to the unit) and ≥ ``first`` that reaches the
    break-even: the higher of the two in the common case (one trial, none without a higher
    floor); a search only where a band edge lies between them."""
    required = max([first] + [ceil_unit(f.floor_price, unit) for f in floors])
    if advantage(required) >= 0:
        return required
    return lowest_reaching(advantage, price_segments(required, max(limit, required), edges, unit),
                           unit)
