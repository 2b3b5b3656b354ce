"""Documents stage: one frozen view model per creditor document, built from (case, figures, config).

The view models hold every number *and* its display string (``amount`` / ``amount_text``), every
sentence and every flag a template needs, so the Word and the HTML/PDF templates only place values:
no arithmetic and no formatting in templates, and both formats show the same text
(docs/conventions.md §5, pretix's "data snapshot first, renderer second").

Three kinds (docs/outputs.md):

- ``sale_request`` 任意売却に関する同意申請書 — one per creditor name holding a 抵当権/根抵当権/差押;
- ``household_statement`` 生活状況表 — one per case, when somebody gets it (recipients.py);
- ``repayment_proposal`` 残債務の返済に関する申出書 — one per creditor name with remaining debt in the
  repayment plan, none in bankruptcy.

Conventions for template authors: text that may be absent is ``""`` (never ``None``), so a
template tests it with ``{% if x %}``; amounts are ``int`` with a ``*_text`` twin (``1,234,000円``);
``*_kin`` is the sentence form (``金14,000,000円``); dates are ``date`` with a ``*_text`` twin in 和暦.
User text has passed through ``clean_text`` but is NOT escaped: escaping is the renderers' job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from pipeline.compute.figures import Figures
from pipeline.config import Config
from pipeline.documents.changes import EarlierFigures
from pipeline.documents.common import BaseView, CaseCommon
from pipeline.documents.household_statement import HouseholdStatementView, build_household_statement
from pipeline.documents.recipients import (
    Packets,
    plan_packets,
    proposal_creditors,
    sale_request_creditors,
)
from pipeline.documents.repayment_proposal import RepaymentProposalView, build_repayment_proposal
from pipeline.documents.sale_request import (
    SHARED_ANNEX_MIN_LETTERS,
    SaleRequestView,
    build_sale_request,
    case_changes,
)
from pipeline.read.models import Case

__all__ = ["BaseView", "DocumentView", "EarlierFigures", "HouseholdStatementView", "Packets", "RepaymentProposalView",
           "SaleRequestView", "build_views", "plan_packets", "proposal_creditors",
           "sale_request_creditors"]

DocumentView = SaleRequestView | HouseholdStatementView | RepaymentProposalView


def build_views(case: Case, figures: Figures, config: Config,
                enclosures: Mapping[str, tuple[str, ...]] | None = None,
                earlier: EarlierFigures | None = None) -> tuple[DocumentView, ...]:
    """Every document of a case, in file order: 01 sale requests, 02 household, 03 proposals.

    Who gets what is decided once (recipients.plan_packets) and each letter lists exactly what
    its recipient gets; the 生活状況表 is written only when somebody gets it. ``enclosures``: the
    書類名 of the scans each 債権者名's packet encloses (pipeline.attach), for the 添付書類 lines.
    ``earlier``: the figures last approved for the case in an earlier batch (the batch reads
    them), for the change table of the 別紙 from round 2 on (documents/changes.py)."""
    packets = plan_packets(case, figures, config, enclosures)
    common = CaseCommon.of(case, figures, config)
    shared = len(packets.letters) >= SHARED_ANNEX_MIN_LETTERS
    changes = case_changes(common, packets.letters, earlier)
    views: list[DocumentView] = [build_sale_request(common, name, packets, shared, changes)
                                 for name in packets.letters]
    if packets.household:
        views.append(build_household_statement(common, packets.household))
    shared = len(packets.proposals) >= SHARED_ANNEX_MIN_LETTERS
    views += [build_repayment_proposal(common, name, packets, shared)
              for name in packets.proposals]
    return _unique_stems(views)


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


