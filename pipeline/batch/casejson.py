"""case.json: every computed figure of a case, in the schema of docs/outputs.md ("case/1").

The keys of docs/outputs.md are fixed; this adds some (marked "added") that documents and tools
also need: the accrual and principal of each lien, the auction assumptions, the household
subtotals, the place of each warning. Amounts are int yen, dates ISO ``YYYY-MM-DD``, months
``YYYY-MM``, ``percent`` and ``years`` JSON numbers (7.0, 20.8). Only valid cases get a case.json,
so ``status`` is "warn" if any warning is ``warn`` or ``high`` (validation warnings included), else
"ok" — never "error". The codes are for tools; ``status_label`` (the case's 状態: its most severe
warning) and each warning's ``severity_label`` are the Japanese words staff see on the other
surfaces (問題なし, 参考, 警告, 重要).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pipeline.compute.deadlines import case_deadlines
from pipeline.compute.figures import (
    AuctionComparison,
    Figures,
    HouseholdBudget,
    RepaymentPlan,
    SaleDistribution,
)
from pipeline.read.issues import level_label, level_of
from pipeline.read.models import Case
from pipeline.text import drop_invisible

if TYPE_CHECKING:  # the break-even search loads every rule: only its result is written here
    from pipeline.compute.breakeven import BreakEven

SCHEMA = "case/1"
_WARN_LEVELS = ("warn", "high", "error")


def case_json(case: Case, figures: Figures, documents: list[dict],
              extra_warnings: list[dict], packets: list[dict] | None = None,
              break_even: BreakEven | None = None,
              earlier: dict[str, Any] | None = None) -> dict[str, Any]:
    """The case.json document of a built case (``documents`` as the renderer listed them;
    ``packets``: each creditor's 送付書類一式, its pages and parts, pipeline.batch.packets;
    ``break_even``: the break-even prices, pipeline.compute.breakeven — null when not given;
    ``earlier``: the approval of an earlier batch the change table compares with,
    pipeline.batch.earlier)."""
    warnings = [_warning(w.model_dump()) for w in figures.warnings]
    warnings += [_warning(w) for w in extra_warnings]
    status = "warn" if any(w["severity"] in _WARN_LEVELS for w in warnings) else "ok"
    return _visible({
        "schema": SCHEMA, "case_id": case.case_id, "status": status,
        # added: the case's 状態 as summary.xlsx and index.html show it (its worst warning)
        "status_label": level_label(level_of(status, [w["severity"] for w in warnings])),
        "rules_version": figures.rules_version,  # added
        "document_date": figures.document_date.isoformat(),  # added
        "governing_profile": figures.governing_profile,  # added
        "sale": sale_json(figures.sale), "auction": auction_json(figures.auction),
        "household": household_json(figures.household),
        "repayment": repayment_json(figures.repayment),
        "warnings": warnings, "documents": list(documents), "packets": list(packets or []),
        "break_even": break_even_json(break_even),
        # added: the case's open 期限 (pipeline.compute.deadlines), for the review page and server
        "deadlines": [d.to_json() for d in case_deadlines(case)],
        # added (issue 16): batch, batch_date, folder, approved_at/by, document_date and
        # change_table of the figures the 別紙's change table compares with; null when none
        "earlier_approved": earlier,
    })


def _visible(value: Any) -> Any:
    """Every string of the document through the one text rule (pipeline.text): case text is
    clean already, but a label or payee from ninbai.toml is not read through the workbook."""
    if isinstance(value, str):
        return drop_invisible(value)
    if isinstance(value, dict):
        return {k: _visible(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_visible(v) for v in value]
    return value


def _warning(w: dict) -> dict[str, Any]:
    """code, severity, message (docs/outputs.md), plus severity_label, and sheet and cell when
    known (added)."""
    out = {"code": w["code"], "severity": w["severity"],
           "severity_label": level_label(w["severity"]), "message": w["message"],
           "sheet": w.get("sheet"), "cell": w.get("cell")}
    if w.get("detail"):  # added: a render warning's own (English) log line, for template editors
        out["detail"] = w["detail"]
    return out


def sale_json(sale: SaleDistribution) -> dict[str, Any]:
    return {
        "price": sale.price,
        "deductions": [d.model_dump() for d in sale.deductions],  # basis/creditor/row added
        "deductions_total": sale.deductions_total, "distributable": sale.distributable,
        "liens": [lien.model_dump() for lien in sale.liens],  # row/principal/damages/accrual added
        # row/priority added; surplus_share (剰余からの配分) added: remaining = claim − release_fee − it
        "seizures": [s.model_dump() for s in sale.seizures],
        "surplus_to_debtor": sale.surplus_to_debtor,
    }


def break_even_json(prices: BreakEven | None) -> dict[str, Any] | None:
    """``break_even`` (docs/outputs.md): the two prices, int yen or null; added: ``floors``, each
    creditor's latest recorded 最低売却価格 that all_floors_price meets, the ``rounding`` rule and
    the ``limit``, the highest price tried."""
    if prices is None:
        return None
    return {"first_lien_price": prices.first_lien_price,
            "all_floors_price": prices.all_floors_price,
            "floors": [f.model_dump() for f in prices.floors],
            "rounding": prices.rounding, "limit": prices.limit}


def auction_json(auction: AuctionComparison) -> dict[str, Any]:
    data = auction.model_dump(exclude={"market_discount", "expected_bid_ratio"})
    data["market_discount"] = _number(auction.market_discount)  # added (with the rest below)
    data["expected_bid_ratio"] = _number(auction.expected_bid_ratio)
    return data


def household_json(household: HouseholdBudget) -> dict[str, Any]:
    data = household.model_dump(exclude={"income_subtotals", "expense_subtotals"})
    for key in ("income_subtotals", "expense_subtotals"):  # added
        data[key] = [{"category": s.category, "amount": s.amount, "rows": list(s.rows)}
                     for s in getattr(household, key)]
    return data


def repayment_json(repayment: RepaymentPlan) -> dict[str, Any]:
    lump = repayment.lump_sum
    return {
        "monthly_total": repayment.monthly_total,
        "monthly_given": repayment.monthly_given,  # added
        "start": repayment.start.strftime("%Y-%m"),
        "plan": [{**share.model_dump(exclude={"years"}), "years": _number(share.years)}
                 for share in repayment.plan],  # years added
        "lump_sum": None if lump is None else {
            "total": lump.total,
            "plan": [{**share.model_dump(exclude={"percent"}), "percent": _number(share.percent)}
                     for share in lump.plan]},
    }


def _number(value: Decimal | None) -> float | None:
    """A Decimal of at most a few digits as a JSON number (7.0, 20.8, 0.3)."""
    return None if value is None else float(value)
