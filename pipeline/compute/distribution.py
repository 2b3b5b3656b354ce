"""The sale proceeds distribution (配分案), docs/rules.md §1.

P = 売却価格; the deductions (deductions.py) leave A = P − Σ deductions (0 if negative,
warning ``deductions_exceed_price``). A goes to the 抵当権/根抵当権 in 順位 order: each lien gets
``min(what is left of A, claim − its ハンコ代)``; its total received = ハンコ代 + that share. A 差押
receives its release fee as a deduction. What is left after every lien pays each 差押's remaining
claim (claim − release fee): 優先 rows first, then the others in 債権者 sheet row order, each up to
that claim; only the rest is 剰余金 for the debtor (warning ``not_overloan`` whenever money is left
after the liens).

Departure from the letter of the spec (which reports a 差押's remaining claim but leaves the whole
rest to the debtor), decided by the lead: a seizure attaches to the property, and in a 競売 the
seized tax is paid before anything reaches the owner, so no tax office lifts a seizure for its
release fee while the debtor takes a 剰余金. Hence
``P = deductions_total + Σ lien waterfall + Σ 差押 surplus_share + 剰余金`` whenever A > 0.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.compute.claims import Claim
from pipeline.compute.deductions import Context, all_deductions
from pipeline.compute.figures import (
    CaseWarning,
    Deduction,
    LienResult,
    SaleDistribution,
    SeizureResult,
)
from pipeline.compute.warnings import make_warning
from pipeline.read.models import Case, Creditor


def distribute(ctx: Context) -> tuple[SaleDistribution, tuple[CaseWarning, ...]]:
    """配分案 of the case: deductions, distributable amount A, waterfall, seizures, 剰余金."""
    case = ctx.case
    lines, warnings = all_deductions(ctx)
    total = sum(d.amount for d in lines)
    distributable = case.sale_price - total
    if distributable < 0:
        warnings += (make_warning("deductions_exceed_price", case.cell_of("sale_price"),
                                  total=total, price=case.sale_price, short=-distributable),)
        distributable = 0
    fees = release_fees(lines)
    liens, left = waterfall(case, ctx.claims, fees, distributable)
    seizures, surplus = seizure_results(case, ctx.claims, fees, left)
    if left > 0:
        warnings += (make_warning("not_overloan", case.cell_of("sale_price"), left=left,
                                  seized=left - surplus, surplus=surplus),)
    sale = SaleDistribution(
        price=case.sale_price, deductions=lines, deductions_total=total,
        distributable=distributable, liens=liens, seizures=seizures, surplus_to_debtor=surplus)
    return sale, warnings


def release_fees(lines: tuple[Deduction, ...]) -> dict[int, int]:
    """Release fee (ハンコ代 or 差押解除料) by 債権者 row, from the deduction lines."""
    codes = ("junior_release", "seizure_release")
    return {d.row: d.amount for d in lines if d.code in codes and d.row is not None}


def waterfall(case: Case, claims: Mapping[int, Claim], fees: Mapping[int, int],
              distributable: int) -> tuple[tuple[LienResult, ...], int]:
    """A to the liens in 順位 order, each up to claim − ハンコ代; returns the liens and what is left."""
    left, results = distributable, []
    for lien in case.liens:
        claim, fee = claims[lien.row], fees.get(lien.row, 0)
        share = min(left, claim.total - fee)
        left -= share
        results.append(LienResult(
            row=lien.row, creditor=lien.name, rank=lien.rank or 0, kind=lien.kind,
            principal=lien.principal, damages=lien.damages, accrual=claim.accrual,
            claim=claim.total, release_fee=fee, waterfall=share, received=fee + share,
            remaining=claim.total - fee - share))
    return tuple(results), left


def seizure_results(case: Case, claims: Mapping[int, Claim], fees: Mapping[int, int],
                    left: int) -> tuple[tuple[SeizureResult, ...], int]:
    """Each 差押 (in sheet order): its claim at settlement, the 差押解除料 paid from the price, the
    剰余からの配分 out of ``left`` (what the liens left), what remains; and the 剰余金 then left."""
    shares = {}
    for s in seizure_order(case):
        shares[s.row] = min(left, claims[s.row].total - fees[s.row])
        left -= shares[s.row]
    results = tuple(
        SeizureResult(row=s.row, creditor=s.name, priority=s.priority, claim=claims[s.row].total,
                      release_fee=fees[s.row], surplus_share=shares[s.row],
                      remaining=claims[s.row].total - fees[s.row] - shares[s.row])
        for s in case.seizures)
    return results, left


def seizure_order(case: Case) -> list[Creditor]:
    """The order in which 差押 share the money left after the liens: 優先 rows (tax ranking before
    the first mortgage) first, then the others; 債権者 sheet row order within each."""
    return sorted(case.seizures, key=lambda s: (not s.priority, s.row))
