"""変更点: the change table of the 別紙 配分案 from round 2 on (issue 16, docs/outputs.md).

Once a creditor has received a 配分案, the next one shows what changed since the figures last
approved for the case in an earlier batch: 売却価格, each deduction, each creditor's 配分額, as
前回 / 今回 / 増減. The batch finds those figures (pipeline.batch.earlier) and hands them in as
``EarlierFigures``; this module only compares, so it stays pure (no file, no clock).

The table is the case's, not one letter's: the 別紙 is the same document for every creditor
(shared by the letters of a large case, pipeline/render/annex.py), so it is printed in every
letter of the case as soon as one creditor is at round 2 or later. A figure the earlier batch
did not record (an older case.json) prints as 「—」 with no 増減, never as 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.compute.figures import SaleDistribution
from pipeline.documents.format import DASH, clean_text, wareki, yen, yen_change

#: The heading line of the table; the earlier letter's date in 和暦.
CAPTION = "前回（{date}付）の配分案からの変更点"
CAPTION_UNDATED = "前回の配分案からの変更点"
NOTE = "前回は、当社で承認のうえお送りした配分案の金額です。増減の△は減少を表します。"
PRICE = "売却価格"
DEDUCTIONS_TOTAL = "控除費用合計"
RECEIVED = "{name} 配分額"


@dataclass(frozen=True, slots=True)
class EarlierDeduction:
    """One 費用控除 line of the earlier figures: matched with today's by (code, creditor, label)."""

    code: str
    label: str
    creditor: str  # "" for a deduction not paid to a creditor (仲介手数料 …)
    amount: int


@dataclass(frozen=True, slots=True)
class EarlierFigures:
    """The figures last approved for the case in an earlier batch, as its case.json gave them.

    ``None`` stands for a part that case.json did not record (an older format): those rows
    print 「—」 for 前回 and no 増減. ``received`` maps 債権者名 to its 配分額 (liens and 差押).
    """

    batch: str  # the earlier batch folder's name
    document_date: dt.date | None
    price: int | None
    deductions: tuple[EarlierDeduction, ...] | None
    deductions_total: int | None
    received: Mapping[str, int] | None


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """前回 / 今回 / 増減 of one figure. A side without the figure shows 「—」; 増減 is then
    the other side against nothing (a creditor or a deduction added or dropped), or 「—」 when
    the earlier figures did not record that part at all."""

    label: str
    before: int | None
    before_text: str
    after: int | None
    after_text: str
    change: int | None
    change_text: str  # +1,000,000円 / △1,000,000円 / 0円 / —


@dataclass(frozen=True, slots=True)
class ChangeTable:
    """The table as the 別紙 prints it, under its caption."""

    caption: str
    batch: str  # the earlier batch (for staff; the letter prints only the date)
    rows: tuple[ChangeRow, ...]
    note: str


def change_row(label: str, before: int | None, after: int | None, known: bool = True) -> ChangeRow:
    """One row; ``known`` False: the earlier figures did not record this part (no 増減)."""
    change = (after or 0) - (before or 0) if known else None
    return ChangeRow(clean_text(label), before, yen(before), after, yen(after), change,
                     DASH if change is None else yen_change(change))


#: A deduction's label as the letters print it, from (code, label, creditor).
DeductionLabel = Callable[[str, str, str], str]


def change_table(sale: SaleDistribution, earlier: EarlierFigures,
                 label: DeductionLabel = lambda code, text, creditor: text) -> ChangeTable:
    """売却価格, each deduction and its total, each creditor's 配分額: 前回 / 今回 / 増減.

    ``label``: the deduction's wording in the 配分案 (sale_request.deduction_label), so both
    tables of the 別紙 name a line alike."""
    rows = [change_row(PRICE, earlier.price, sale.price, earlier.price is not None)]
    rows += _deduction_rows(sale, earlier.deductions, label)
    rows.append(change_row(DEDUCTIONS_TOTAL, earlier.deductions_total, sale.deductions_total,
                           earlier.deductions_total is not None))
    rows += _received_rows(sale, earlier.received)
    when = earlier.document_date
    caption = CAPTION.format(date=wareki(when)) if when is not None else CAPTION_UNDATED
    return ChangeTable(caption, earlier.batch, tuple(rows), NOTE)


def _deduction_rows(sale: SaleDistribution, earlier: tuple[EarlierDeduction, ...] | None,
                    label: DeductionLabel) -> list[ChangeRow]:
    """Today's deductions in their order, then those dropped since; a label says whom a
    creditor's fee is paid to (「抹消承諾料（〇〇銀行）」), so two fees never read alike."""
    before = {(d.code, d.creditor, d.label): d.amount for d in earlier or ()}
    rows, seen = [], set()
    for d in sale.deductions:
        key = (d.code, d.creditor or "", d.label)
        seen.add(key)
        rows.append(change_row(_named(label(d.code, d.label, d.creditor or ""), d.creditor),
                               before.get(key), d.amount, earlier is not None))
    rows += [change_row(_named(label(code, text, creditor), creditor), amount, None)
             for (code, creditor, text), amount in before.items()
             if (code, creditor, text) not in seen]
    return rows


def _named(label: str, creditor: str | None) -> str:
    return f"{label}（{creditor}）" if creditor else label


def _received_rows(sale: SaleDistribution, earlier: Mapping[str, int] | None) -> list[ChangeRow]:
    """Each creditor's 配分額 (all its liens and 差押), in the 配分案's order, then those gone."""
    now: dict[str, int] = {}
    for creditor, received in [(x.creditor, x.received) for x in sale.liens] \
            + [(s.creditor, s.received) for s in sale.seizures]:
        now[creditor] = now.get(creditor, 0) + received
    rows = [change_row(RECEIVED.format(name=name), (earlier or {}).get(name), amount,
                       earlier is not None) for name, amount in now.items()]
    rows += [change_row(RECEIVED.format(name=name), amount, None)
             for name, amount in (earlier or {}).items() if name not in now]
    return rows
