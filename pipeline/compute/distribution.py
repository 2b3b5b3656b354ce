"""The sale proceeds distribution (配分案), spec computations.md §1.

P = 売却価格; the nine deductions (deductions.py) leave A = P − Σ deductions (0 if negative,
warning ``deductions_exceed_price``). A goes to the 抵当権/根抵当権 in 順位 order: each lien gets
``min(what is left of A, claim − its ハンコ代)``; its total received = ハンコ代 + that share. A 差押
receives its release fee; its remaining debt is reported but not planned. What is left after every
lien is 剰余金 for the debtor (warning ``not_overloan``).
"""

from __future__ import annotations

from collections.abc import Mapping

from pipeline.compute.claims import Claim
from pipeline.compute.deductions import Context, all_deductions
from pipeline.compute.warnings import make_warning
from pipeline.figures import CaseWarning, Deduction, LienResult, SaleDistribution, SeizureResult
from pipeline.models import Case


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
    liens, surplus = waterfall(case, ctx.claims, release_fees(lines), distributable)
    if surplus > 0:
        warnings += (make_warning("not_overloan", case.cell_of("sale_price"), surplus=surplus),)
    sale = SaleDistribution(
        price=case.sale_price, deductions=lines, deductions_total=total,
        distributable=distributable, liens=liens, seizures=seizure_results(case, ctx.claims, lines),
        surplus_to_debtor=surplus)
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


def seizure_results(case: Case, claims: Mapping[int, Claim],
                    lines: tuple[Deduction, ...]) -> tuple[SeizureResult, ...]:
    """Each 差押: its claim at settlement, the release fee paid from the price, what remains."""
    fees = release_fees(lines)
    return tuple(
        SeizureResult(row=s.row, creditor=s.name, priority=s.priority, claim=claims[s.row].total,
                      release_fee=fees[s.row], remaining=claims[s.row].total - fees[s.row])
        for s in case.seizures)
