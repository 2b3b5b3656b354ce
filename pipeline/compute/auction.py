"""The auction comparison (競売との比較), docs/rules.md §2.

M = 査定価格; 売却基準価額 B = the court's figure, else floor_1000(M × (1 − 競売市場修正));
買受可能価額 K = the court's figure, else floor(B × 0.8) (民事執行法60条3項); expected winning bid
E = max(K, floor_1000(M × 落札見込率)); procedure cost C (予納金) from the table of the 執行裁判所
(docs/rules.md §2, "予納金 by court"), else the shipped default, by the 順位 1 claim at settlement.
Pool = max(0, E − C − claims of 優先 差押), paid to the liens in 順位 order up to each claim (no
ハンコ代 in an auction). advantage = what the 順位 1 holder receives from the sale − at auction.
Every 差押 gets what it would recover at auction: 優先 ones before the liens, the others from what
the liens leave (0 = 無益な差押え, docs/rules.md §2).

Decisions:
- Where the 順位 1 holder also holds junior liens (same 債権者名), all its lien rows count on both
  sides of the advantage: the sale side sums their ``received``, the auction side their recovery.
- C is looked up with the claim of the 順位 1 row alone, as the spec says ("by the 順位 1 claim").
- Non-priority 差押 rank behind every lien: they recover only what the pool leaves once every
  lien is paid in full, in 債権者 sheet order (the order the sale's 剰余 uses).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from pipeline.compute.figures import (
    AuctionComparison,
    AuctionRecovery,
    CaseWarning,
    SaleDistribution,
    SeizureAuctionRecovery,
)
from pipeline.compute.money import exact, floor_1000, floor_yen, percent_text
from pipeline.compute.warnings import make_warning
from pipeline.config import Config, CourtCosts
from pipeline.read.models import Case


class ProcedureCost(NamedTuple):
    """C and where it comes from (the court whose table was used, or the shipped default)."""

    amount: int
    court: str | None  # None: the shipped default table
    table: str  # printed: 「静岡地方裁判所の予納金」
    url: str | None
    basis: str  # its 算出根拠: 「静岡地方裁判所の予納金（物件2個による。支部は本庁の表による）」


#: The 算出根拠 of a table keyed by the 請求債権額 (the 順位 1 claim at settlement).
BY_CLAIM = "第1順位の債権額による"
#: 「地裁」 as staff abbreviate it, and a trailing 「本庁」: the same court.
_ABBREVIATED = re.compile(r"地裁(?=$|.+支部$|本庁$)")
_BRANCH = re.compile(r"(?P<main>.+?地方裁判所).+支部")


def court_key(name: str) -> str:
    """A court's name folded for lookup: NFKC, no spaces, 「地裁」 → 「地方裁判所」, no 「本庁」."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    return _ABBREVIATED.sub("地方裁判所", folded).removesuffix("本庁")


def court_table(court: str | None, config: Config) -> tuple[str, CourtCosts] | None:
    """The 予納金 table of the 執行裁判所: its own, else (a 支部) its 本庁's; None when neither."""
    if not court:
        return None
    tables = {court_key(name): (name, costs) for name, costs in config.auction.courts.items()}
    key = court_key(court)
    if key in tables:
        return tables[key]
    branch = _BRANCH.fullmatch(key)
    return tables.get(branch.group("main")) if branch else None


def procedure_cost(case: Case, config: Config, first_claim: int) -> ProcedureCost:
    """C 予納金: by the 執行裁判所's table (docs/rules.md §2), else the shipped default table."""
    found = court_table(case.auction.court, config)
    if found is None:
        rules = config.auction
        return ProcedureCost(rules.procedure_cost(first_claim), None, rules.procedure_cost_source,
                             None, f"{rules.procedure_cost_source}（{BY_CLAIM}）")
    name, costs = found
    table = f"{name}の予納金"
    notes = [BY_CLAIM if costs.by == "claim" else f"物件{len(case.units)}個による"]
    if court_key(name) != court_key(case.auction.court or ""):
        notes.append("支部は本庁の表による")
    return ProcedureCost(costs.cost(first_claim, len(case.units)), name, table, costs.source,
                         f"{table}（{'。'.join(notes)}）")


def in_auction(case: Case) -> bool:
    """競売中: an auction case has a 事件番号 or a 開札期日 (the workbook's two markers)."""
    return case.auction.case_number is not None or case.auction.opening_date is not None


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


def seizure_recoveries(case: Case, sale: SaleDistribution, available: int,
                       liens: tuple[AuctionRecovery, ...]) -> tuple[SeizureAuctionRecovery, ...]:
    """What each 差押 recovers at auction, in 債権者 sheet order (docs/rules.md §2).

    ``available`` is E − C. 優先 差押 are paid first from it, in sheet order; the liens then take
    the pool; the other 差押 share what is left after every lien, in sheet order.
    """
    amounts: dict[int, int] = {}
    left = available
    for seizure in (s for s in sale.seizures if s.priority):
        amounts[seizure.row] = min(left, seizure.claim)
        left -= amounts[seizure.row]
    left -= sum(r.amount for r in liens)
    for seizure in (s for s in sale.seizures if not s.priority):
        amounts[seizure.row] = min(max(left, 0), seizure.claim)
        left -= amounts[seizure.row]
    return tuple(SeizureAuctionRecovery(
        row=s.row, creditor=s.creditor, priority=s.priority, claim=s.claim,
        amount=amounts[s.row], futile=amounts[s.row] == 0) for s in sale.seizures)


def assumptions_text(case: Case, config: Config, table: str | None = None) -> str:
    """The assumptions printed on the documents, e.g. 「競売市場修正30%・落札見込 査定価格の65%と仮定」."""
    rules = config.auction
    parts = ["売却基準価額は裁判所の公告額" if case.auction.base_price is not None
             else f"競売市場修正{percent_text(rules.market_discount)}%"]
    if case.auction.min_bid is not None:
        parts.append("買受可能価額は裁判所の公告額")
    parts.append(f"落札見込 査定価格の{percent_text(rules.expected_bid_ratio)}%")
    return "・".join(parts) + f"と仮定（手続費用は{table or rules.procedure_cost_source}による）"


def compare_auction(case: Case, config: Config,
                    sale: SaleDistribution) -> tuple[AuctionComparison, tuple[CaseWarning, ...]]:
    """競売との比較 and its warnings (price_below_min_bid, auction_better_for_first_lien)."""
    base, min_bid, expected = court_prices(case, config)
    first_claim = next(lien.claim for lien in sale.liens if lien.rank == 1)
    procedure = procedure_cost(case, config, first_claim)
    cost = procedure.amount
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
        procedure_cost=cost, procedure_cost_court=procedure.court,
        procedure_cost_table=procedure.table, procedure_cost_url=procedure.url,
        procedure_cost_basis=procedure.basis,
        priority_taxes=taxes, pool=pool, recoveries=found,
        first_lien_recovery=at_auction, sale_first_lien_recovery=from_sale,
        advantage=from_sale - at_auction,
        seizure_recoveries=seizure_recoveries(case, sale, max(0, expected - cost), found),
        market_discount=config.auction.market_discount,
        expected_bid_ratio=config.auction.expected_bid_ratio,
        assumptions_text=assumptions_text(case, config, procedure.court and procedure.table))
    return comparison, _warnings(case, comparison)


def _court_warning(case: Case, auction: AuctionComparison) -> list[CaseWarning]:
    """A case in auction whose 執行裁判所 has no 予納金 table (or none given): C is the default."""
    if auction.procedure_cost_court is not None or not (case.auction.court or in_auction(case)):
        return []
    reason = (f"執行裁判所「{case.auction.court}」の予納金の表がない" if case.auction.court
              else "執行裁判所が入力されていない")
    return [make_warning("procedure_cost_court_unknown", case.cell_of("auction.court"),
                         reason=reason, table=auction.procedure_cost_table,
                         cost=auction.procedure_cost)]


def _warnings(case: Case, auction: AuctionComparison) -> tuple[CaseWarning, ...]:
    found: list[CaseWarning] = []
    if case.sale_price < auction.min_bid:
        found.append(make_warning("price_below_min_bid", case.cell_of("sale_price"),
                                  price=case.sale_price, min_bid=auction.min_bid))
    if auction.advantage < 0:
        found.append(make_warning(
            "auction_better_for_first_lien", case.cell_of("sale_price"),
            creditor=case.first_lien.name, gap=-auction.advantage,
            sale=auction.sale_first_lien_recovery, auction=auction.first_lien_recovery))
    return tuple(found + _court_warning(case, auction))
