"""Builds Case objects in Python for the computation tests.

``make_case()`` is the worked example of docs/rules.md §6: a condominium of 2 units sold for
14,000,000, one 順位 1 抵当権, 8 months of 管理費 arrears, 300,000 of moving costs asked for, a
household with 62,000 of monthly surplus. Pass keyword overrides to change any 案件 field; rows of
the table sheets are renumbered from Excel row 2 in the order given, and ``cells`` points every
value at the cell the contract's layout puts it in (案件 column B; 債権者 解除料 column N; …).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pipeline.read.models import (
    AuctionInfo,
    BudgetLine,
    Case,
    CostItem,
    Creditor,
    Debtor,
    NegotiationRound,
    PropertyUnit,
)

BATCH = date(2026, 11, 30)
BANK = "みずなみ銀行"

#: 案件 fields in the contract's order; the header is row 1, so the first 項目 sits in row 2.
CASE_ORDER = (
    "case_id", "staff", "created", "debtor.name", "debtor.kana", "debtor.address", "debtor.phone",
    "co_debtors", "property_kind", "appraisal", "appraisal_basis", "listing_price", "sale_price",
    "buyer", "offer_date", "contract_date", "settlement_date", "property_tax_yearly",
    "management_monthly", "management_arrears", "management_arrears_months", "moving_requested",
    "bankruptcy", "auction.start_decision_date", "auction.case_number", "auction.base_price",
    "auction.min_bid", "auction.bidding_start", "auction.opening_date", "repayment_monthly_offer",
    "repayment_start", "lump_sum_offer",
)
CASE_CELLS = {name: f"B{i}" for i, name in enumerate(CASE_ORDER, start=2)}
CREDITOR_COLUMNS = {"principal": "D", "release_fee": "N", "priority": "M"}
#: 交渉 columns of the contract (docs/workbook.md, Sheet 交渉).
NEGOTIATION_COLUMNS = {"creditor": "A", "round": "B", "sent_on": "C", "reply_deadline": "D",
                       "replied_on": "E", "reply": "F", "floor_price": "G",
                       "release_fee_demand": "H", "moving_cost": "I", "memo": "J"}


def lien(rank: int, name: str = BANK, principal: int = 0, **kw: Any) -> Creditor:
    """A 抵当権 row (row number set by make_case)."""
    return Creditor(row=0, rank=rank, name=name, kind=kw.pop("kind", "抵当権"),
                    principal=principal, **kw)


def seizure(name: str = "港区役所", principal: int = 0, **kw: Any) -> Creditor:
    """A 差押 row."""
    return Creditor(row=0, name=name, kind="差押", principal=principal, **kw)


def unsecured(name: str, principal: int, monthly: int | None = None) -> Creditor:
    return Creditor(row=0, name=name, kind="無担保", principal=principal, monthly_payment=monthly)


def unit(kind: str = "区分建物", number: str = "101") -> PropertyUnit:
    return PropertyUnit(row=0, kind=kind, location="東京都港区芝一丁目", number=number)


def answer(creditor: str = BANK, round: int = 1, **kw: Any) -> NegotiationRound:
    """A 交渉 row (row number set by make_case)."""
    return NegotiationRound(row=0, creditor=creditor, round=round, **kw)


def cost(item: str, amount: int, payee: str | None = None) -> CostItem:
    return CostItem(row=0, item=item, amount=amount, payee=payee)


def line(side: str, category: str, monthly: int) -> BudgetLine:
    return BudgetLine(row=0, side=side, category=category, monthly=monthly)


def worked_example_fields() -> dict[str, Any]:
    """The spec's worked example, as Case fields."""
    first = lien(1, principal=19_500_000, damages=500_000, base_date=date(2026, 10, 31),
                 damage_rate=Decimal("14.6"))
    return {
        "source": "2026-0142.xlsx", "case_id": "2026-0142", "staff": "佐藤",
        "debtor": Debtor(name="山田太郎", address="東京都港区芝一丁目1-1-101"),
        "property_kind": "マンション", "appraisal": 14_000_000, "sale_price": 14_000_000,
        "settlement_date": date(2027, 1, 29), "management_arrears": 200_000,
        "management_arrears_months": 8, "moving_requested": 300_000,
        "units": (unit("区分建物"), unit("敷地権", "1番1")), "creditors": (first,),
        "budget": (line("収入", "給与", 460_000), line("支出", "住居費", 90_000),
                line("支出", "食費", 308_000)),
    }


def _renumber(rows: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(r.model_copy(update={"row": i}) for i, r in enumerate(rows, start=2))


def _cells(fields: dict[str, Any]) -> dict[str, str]:
    cells = dict(CASE_CELLS)
    for c in fields["creditors"]:
        cells.update({f"債権者:{c.row}:{f}": f"{col}{c.row}" for f, col in CREDITOR_COLUMNS.items()})
    for c in fields.get("costs", ()):
        cells[f"費用:{c.row}:amount"] = f"B{c.row}"
    for n in fields.get("negotiation", ()):
        cells.update({f"交渉:{n.row}:{f}": f"{col}{n.row}" for f, col in NEGOTIATION_COLUMNS.items()})
    return cells


def make_case(**overrides: Any) -> Case:
    """The worked example with ``overrides`` applied (rows renumbered, cells filled)."""
    fields = worked_example_fields() | overrides
    for table in ("units", "creditors", "costs", "budget", "assets", "members", "negotiation"):
        if table in fields:
            fields[table] = _renumber(tuple(fields[table]))
    fields.setdefault("cells", _cells(fields))
    if isinstance(fields.get("auction"), dict):
        fields["auction"] = AuctionInfo(**fields["auction"])
    return Case(**fields)
