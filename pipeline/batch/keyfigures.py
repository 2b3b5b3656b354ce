"""主要数値 (key figures): the few amounts summary.xlsx and the review page show for a built case.

They are taken from the computed ``Figures`` in the worker that built the case, travel back with its
outcome, and are stored in the manifest as a JSON object with these field names, so the summary and
the review page never open a case.json. The record is typed and checked when read back: a manifest
whose figures are not whole yen amounts is treated as unreadable (every case is rebuilt).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the summary and the review page read key figures without loading the models
    from pipeline.compute.breakeven import BreakEven
    from pipeline.compute.figures import Figures


#: Fields added after manifest/2 was first written, with the value an older record means
#: (``break_even`` None: not computed when that record was written, shown as unknown).
ADDED: dict[str, Any] = {"repayment_months": 0, "break_even": None}


@dataclass(frozen=True)
class BreakEvenPrices:
    """損益分岐価格 for staff (pipeline.compute.breakeven): int yen, None where no price up to
    the search limit reaches it."""

    first_lien_price: int | None  # 損益分岐価格（第1順位）
    all_floors_price: int | None  # 全債権者の最低売却価格を満たす価格
    rounding: str  # the rule's name: 「1,000円単位に切上げ」
    limit: int  # the highest price tried: None above means no price up to it reaches

    @classmethod
    def from_json(cls, data: object) -> BreakEvenPrices | None:
        if data is None:
            return None
        names = [f.name for f in fields(cls)]
        prices = ("first_lien_price", "all_floors_price")
        if not isinstance(data, dict) or sorted(data) != sorted(names) \
                or not all(data[n] is None or type(data[n]) is int for n in prices) \
                or type(data["limit"]) is not int or not isinstance(data["rounding"], str):
            raise ValueError("key figures: break-even prices not whole yen")
        return cls(**data)


@dataclass(frozen=True)
class KeyFigures:
    """The key figures of one built case (all amounts int yen)."""

    debtor: str  # 債務者氏名 — shown to staff on the summary and the review page, never logged
    price: int  # 売却価格
    first_lien_received: int  # 順位1 配分額: what the 順位 1 lien rows receive from the sale
    advantage: int  # 競売比較（任意売却の有利額）
    remaining_total: int  # 残債務合計: what every lien and 差押 still claims after the sale
    monthly_total: int  # 返済提案月額
    #: 最長返済回数: months of the longest repayment line (0 without a plan). The letters may give
    #: only 「当面の月額」 past the period cap (docs/rules.md §4); staff see the full figure here.
    repayment_months: int = 0
    #: 損益分岐価格 (docs/rules.md §2): None in a record written before they were computed.
    break_even: BreakEvenPrices | None = None

    @classmethod
    def of(cls, figures: Figures, debtor: str, prices: BreakEven | None = None) -> KeyFigures:
        """The key figures of a case from its computed figures and its break-even ``prices``
        (docs/outputs.md, summary.xlsx)."""
        sale = figures.sale
        return cls(
            debtor=debtor,
            price=sale.price,
            # ハンコ代 + waterfall of the 順位 1 rows (a holder's own junior rows are not 順位 1)
            first_lien_received=sum(lien.received for lien in sale.liens if lien.rank == 1),
            advantage=figures.auction.advantage,
            remaining_total=(sum(lien.remaining for lien in sale.liens)
                             + sum(seizure.remaining for seizure in sale.seizures)),
            monthly_total=figures.repayment.monthly_total,
            repayment_months=max((s.months or 0 for s in figures.repayment.plan), default=0),
            break_even=None if prices is None else BreakEvenPrices(
                first_lien_price=prices.first_lien_price,
                all_floors_price=prices.all_floors_price, rounding=prices.rounding,
                limit=prices.limit),
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> KeyFigures | None:
        """The record stored by ``to_json``; None for a case without figures (``null`` or ``{}``,
        as manifest/1 wrote for a failed case). ``ValueError`` when it is anything else."""
        if data is None or data == {}:
            return None
        names = [f.name for f in fields(cls)]
        if isinstance(data, dict) and set(names) - set(ADDED) <= set(data) <= set(names):
            data = {**ADDED, **data}  # written before some fields existed
        if not isinstance(data, dict) or sorted(data) != sorted(names):
            raise ValueError("key figures: unexpected fields")
        amounts = [name for name in names if name not in ("debtor", "break_even")]
        if not isinstance(data["debtor"], str) or not all(
                type(data[name]) is int for name in amounts):
            raise ValueError("key figures: not whole yen")
        return cls(**{**data, "break_even": BreakEvenPrices.from_json(data["break_even"])})
