"""Documents stage: one frozen view model per creditor document, built from (case, figures, config).

The view models hold every number *and* its display string (``amount`` / ``amount_text``), every
sentence and every flag a template needs, so the Word and the HTML/PDF templates only place values:
no arithmetic and no formatting in templates, and both formats show the same text
(docs/conventions.md §5, pretix's "data snapshot first, renderer second").

Three kinds (docs/outputs.md):

- ``sale_request`` 任意売却に関する同意申請書 — one per creditor name holding a 抵当権/根抵当権/差押;
- ``household_statement`` 生活状況表 — one per case;
- ``repayment_proposal`` 残債務の返済に関する申出書 — one per creditor name with remaining debt in the
  repayment plan.

Conventions for template authors: text that may be absent is ``""`` (never ``None``), so a
template tests it with ``{% if x %}``; amounts are ``int`` with a ``*_text`` twin (``1,234,000円``);
``*_kin`` is the sentence form (``金14,000,000円``); dates are ``date`` with a ``*_text`` twin in 和暦.
User text has passed through ``clean_text`` but is NOT escaped: escaping is the renderers' job.
"""

from __future__ import annotations

from dataclasses import replace

from pipeline.compute.figures import Figures
from pipeline.config import Config
from pipeline.documents.common import BaseView, CaseCommon
from pipeline.documents.household_statement import HouseholdStatementView, build_household_statement
from pipeline.documents.repayment_proposal import RepaymentProposalView, build_repayment_proposal
from pipeline.documents.sale_request import (
    SHARED_ANNEX_MIN_LETTERS,
    SaleRequestView,
    build_sale_request,
)
from pipeline.read.models import Case

__all__ = ["BaseView", "DocumentView", "HouseholdStatementView", "RepaymentProposalView",
           "SaleRequestView", "build_views", "proposal_creditors", "sale_request_creditors"]

DocumentView = SaleRequestView | HouseholdStatementView | RepaymentProposalView


def build_views(case: Case, figures: Figures, config: Config) -> tuple[DocumentView, ...]:
    """Every document of a case, in file order: 01 sale requests, 02 household, 03 proposals."""
    common = CaseCommon.of(case, figures, config)
    addressees = sale_request_creditors(figures)
    shared = len(addressees) >= SHARED_ANNEX_MIN_LETTERS
    views: list[DocumentView] = [build_sale_request(common, name, shared) for name in addressees]
    views.append(build_household_statement(common))
    owed = proposal_creditors(figures)
    shared = len(owed) >= SHARED_ANNEX_MIN_LETTERS
    views += [build_repayment_proposal(common, name, shared) for name in owed]
    return _unique_stems(views)


def sale_request_creditors(figures: Figures) -> tuple[str, ...]:
    """Creditor names holding a 抵当権/根抵当権/差押: liens by 順位, then 差押; each name once
    (docs/outputs.md: one letter per 債権者名 covering all its rows)."""
    names = [lien.creditor for lien in figures.sale.liens]
    names += [seizure.creditor for seizure in figures.sale.seizures]
    return tuple(dict.fromkeys(names))


def proposal_creditors(figures: Figures) -> tuple[str, ...]:
    """Creditor names with remaining debt in the repayment plan, in 順位 order, each once."""
    return tuple(dict.fromkeys(s.creditor for s in figures.repayment.plan if s.remaining > 0))


def _unique_stems(views: list[DocumentView]) -> tuple[DocumentView, ...]:
    """Two names can make one file name (「A/B」 and 「A:B」 both give 「A_B」): number the later."""
    seen: set[str] = set()
    out = []
    for view in views:
        stem, n = view.filename_stem, 1
        while stem in seen:
            n += 1
            stem = f"{view.filename_stem}_{n}"
        seen.add(stem)
        out.append(view if stem == view.filename_stem else replace(view, filename_stem=stem))
    return tuple(out)


