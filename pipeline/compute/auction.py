"""The auction comparison (競売との比較), docs/rules.md §2.

M = 査定価格; 売却基準価額 B = the court's figure, else floor_1000(M × (1 − 競売市場修正));
買受可能価額 K = the court's figure, else floor(B × 0.8) (民事執行法60条3項); expected winning bid
E = max(K, floor_1000(M × 落札見込率)); procedure cost C (予納金) by the 順位 1 claim at settlement.
Pool = max(0, E − C − claims of 優先 差押), paid to the liens in 順位 order up to each claim (no
ハンコ代 in an auction). advantage = what the 順位 1 holder receives from the sale − at auction.

Decisions:
- Where the 順位 1 holder also holds junior liens (same 債権者名), all its lien rows count on both
  sides of the advantage: the sale side sums their ``received``, the auction side their recovery.
- C is looked up with the claim of the 順位 1 row alone, as the spec says ("by the 順位 1 claim").
- Non-priority 差押 get nothing at auction here (they rank behind the liens in this model).
"""

from __future__ import annotations

from pipeline.compute.figures import (
    AuctionComparison,
    AuctionRecovery,
    CaseWarning,
    SaleDistribution,
)
from pipeline.compute.money import exact, floor_1000, floor_yen, percent_text
from pipeline.compute.warnings import make_warning
from pipeline.config import Config
from pipeline.read.models import Case


def court_prices(case: Case, config: Config) -> tuple[int, int, int]:
    """(B 売却基準価額, K 買受可能価額, E 落札見込額), the court's figures where given."""
    rules, market = config.auction, case.appraisal
    base = case.auction.base_price
    if base is None:
        base = floor_1000(market * (1 - exact(rules.market_discount)))
    min_bid = case.auction.min_bid
    if min_bid is None:
        min_bid = floor_yen(base * exact(rules.min_bid_ratio))
    return base, min_bid, max(min_bid, floor_1000(market * exact(rules.expected_bid_ratio)))


def recoveries(sale: SaleDistribution, pool: int) -> tuple[AuctionRecovery, ...]:
    """The auction pool paid to the liens in 順位 order, each up to its claim at settlement."""
    left, found = pool, []
    for lien in sale.liens:
        amount = min(left, lien.claim)
        left -= amount
        found.append(AuctionRecovery(creditor=lien.creditor, rank=lien.rank, claim=lien.claim,
                                     amount=amount))
    return tuple(found)


def assumptions_text(case: Case, config: Config) -> str:
    """The assumptions printed on the documents, e.g. 「競売市場修正30%・落札見込 査定価格の65%と仮定」."""
    rules = config.auction
    parts = ["売却基準価額は裁判所の公告額" if case.auction.base_price is not None
             else f"競売市場修正{percent_text(rules.market_discount)}%"]
    if case.auction.min_bid is not None:
        parts.append("買受可能価額は裁判所の公告額")
    parts.append(f"落札見込 査定価格の{percent_text(rules.expected_bid_ratio)}%")
    return "・".join(parts) + f"と仮定（手続費用は{rules.procedure_cost_source}による）"


def compare_auction(case: Case, config: Config,
                    sale: SaleDistribution) -> tuple[AuctionComparison, tuple[CaseWarning, ...]]:
    """競売との比較 and its warnings (price_below_min_bid, auction_better_for_first_lien)."""
    base, min_bid, expected = court_prices(case, config)
    first_claim = next(lien.claim for lien in sale.liens if lien.rank == 1)
    cost = config.auction.procedure_cost(first_claim)
    taxes = sum(s.claim for s in sale.seizures if s.priority)
    pool = max(0, expected - cost - taxes)
    found = recoveries(sale, pool)
    holder = case.first_lien.name
    at_auction = sum(r.amount for r in found if r.creditor == holder)
    from_sale = sum(lien.received for lien in sale.liens if lien.creditor == holder)
    comparison = AuctionComparison(
        market_value=case.appraisal, base_price=base,
        base_price_given=case.auction.base_price is not None, min_bid=min_bid,
        min_bid_given=case.auction.min_bid is not None, expected_bid=expected,
        procedure_cost=cost, priority_taxes=taxes, pool=pool, recoveries=found,
        first_lien_recovery=at_auction, sale_first_lien_recovery=from_sale,
        advantage=from_sale - at_auction, market_discount=config.auction.market_discount,
        expected_bid_ratio=config.auction.expected_bid_ratio,
        assumptions_text=assumptions_text(case, config))
    return comparison, _warnings(case, comparison)


def _warnings(case: Case, auction: AuctionComparison) -> tuple[CaseWarning, ...]:
    found = []
    if case.sale_price < auction.min_bid:
        found.append(make_warning("price_below_min_bid", case.cell_of("sale_price"),
                                  price=case.sale_price, min_bid=auction.min_bid))
    if auction.advantage < 0:
        found.append(make_warning(
            "auction_better_for_first_lien", case.cell_of("sale_price"),
            creditor=case.first_lien.name, gap=-auction.advantage,
            sale=auction.sale_first_lien_recovery, auction=auction.first_lien_recovery))
    return tuple(found)
