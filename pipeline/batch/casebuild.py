"""One case, start to finish, in memory: workbook → case → figures → documents → bytes.

This is the unit of work of the batch. It never writes to disk: it returns every output file as
bytes, and the batch writes them atomically. Any problem becomes data in the outcome (status
'error' with located issues), so one bad case never stops the month-end run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.batch.keyfigures import KeyFigures
from pipeline.read.issues import Issue

if TYPE_CHECKING:  # for annotations only: build_case imports the stages when it runs
    from pipeline.attach.case import CaseAttachments
    from pipeline.batch.earlier import EarlierApproval, EarlierBatches
    from pipeline.config import Config
    from pipeline.documents import DocumentView
    from pipeline.read.models import Case
    from pipeline.read.workbook import RawWorkbook
    from pipeline.render import Renderer


@dataclass
class CaseOutcome:
    """What building one input produced.

    ``files`` maps a file name inside the case folder to its bytes (case.json included);
    empty when the case failed. ``timings`` are seconds per stage (read, validate, compute,
    docx, pdf) for the manifest and the benchmark. ``figures`` are the key figures of a built
    case for summary.xlsx and the review page (they name the debtor: never logged).
    """

    source: Path
    case_id: str | None
    status: str  # ok / warn / error
    issues: list[Issue] = field(default_factory=list)  # validation errors and render failures
    warnings: list[dict] = field(default_factory=list)  # computed warnings (case.json form)
    files: dict[str, bytes] = field(default_factory=dict)
    case_json: dict | None = None
    timings: dict[str, float] = field(default_factory=dict)
    figures: KeyFigures | None = None
    #: fingerprint of the scans the build read (``CaseAttachments.fingerprint``), "" for none:
    #: part of the case's unchanged-key (pipeline.batch.plan)
    attachments: str = ""
    #: which earlier approval the change table compared with (``EarlierApproval.key``), "" for
    #: none: part of the unchanged-key too (an approval given later rebuilds the case)
    earlier: str = ""
    #: file name → stamp of each scan as read (``CaseAttachments.stamps``): lets a rerun trust
    #: an untouched scan without hashing it
    attachment_stamps: dict[str, list[int]] = field(default_factory=dict)


class _Clock:
    """Accumulates wall time per stage."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._t = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self._t
        self._t = now


def build_case(source: Path, config: Config, batch_date: date, renderer: Renderer,
               earlier: EarlierBatches | None = None) -> CaseOutcome:
    """Build one case from its workbook. ``renderer`` is a warm ``pipeline.render.Renderer``;
    ``earlier`` finds the figures approved for the case in an earlier batch of the output
    folder (the change table of the 別紙 from round 2 on; None: never compared)."""
    from pipeline.batch.casejson import case_json
    from pipeline.batch.packets import build_packets
    from pipeline.compute import compute_case
    from pipeline.compute.breakeven import break_even
    from pipeline.documents import build_views
    from pipeline.documents.common import CaseCommon
    from pipeline.documents.recipients import plan_packets
    from pipeline.render import RenderError

    clock = _Clock()
    case, raw, issues = _load(source, config, clock)
    if case is None:
        return CaseOutcome(source, _case_id_hint(issues), "error", issues, timings=clock.timings)
    attachments = _attachments(source, case, raw, config)
    clock.lap("attach")
    issues = issues + list(attachments.issues)
    if not attachments.ok:  # a refused or missing scan: the case fails, naming the file
        return CaseOutcome(source, case.case_id, "error", issues, timings=clock.timings,
                           attachments=attachments.fingerprint())
    figures = compute_case(case, config, batch_date)
    approved = earlier.find(case.case_id) if earlier is not None else None
    clock.lap("compute")
    prices = break_even(case, config)  # for staff only: the documents are never given it
    clock.lap("break_even")
    scans = {c.name: tuple(e.title for e in attachments.for_creditor(c.name))
             for c in case.creditors}
    files: dict[str, bytes] = {}
    documents: list[dict] = []
    render_warnings: list[dict] = []
    try:
        views = build_views(case, figures, config, scans,
                            approved.figures() if approved is not None else None)
        for view in views:
            files[view.filename_stem + ".docx"] = renderer.docx(view)
            clock.lap("docx")
            pdf, logged = renderer.pdf(view)
            files[view.filename_stem + ".pdf"] = pdf
            clock.lap("pdf")
            render_warnings += [render_warning(view.filename_stem, m) for m in logged]
            documents.append(view.document_entry())
        made = build_packets(CaseCommon.of(case, figures, config), views, files,
                             plan_packets(case, figures, config, scans), attachments, renderer,
                             clock.lap)
    except RenderError as exc:
        issue = Issue("render_failed", "error", str(exc))
        return CaseOutcome(source, case.case_id, "error", issues + [issue], timings=clock.timings,
                           attachments=attachments.fingerprint())
    files.update(made.files)
    # Validation and attachment warnings (unknown 項目, a scan disarmed) travel with the computed.
    found = [{"code": i.code, "severity": i.severity, "message": str(i)} for i in issues]
    data = case_json(case, figures, made.documents + documents,
                     extra_warnings=found + render_warnings
                     + [render_warning(stem, m) for stem, m in made.warnings],
                     packets=made.packets, break_even=prices,
                     earlier=_earlier_json(approved, views))
    files["case.json"] = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    clock.lap("compute")
    return CaseOutcome(source, case.case_id, data["status"], issues, data["warnings"], files,
                       data, clock.timings, KeyFigures.of(figures, case.debtor.name, prices),
                       attachments.fingerprint(), approved.key() if approved is not None else "",
                       {name: list(stamp) for name, stamp in attachments.stamps.items()})


def _earlier_json(approved: EarlierApproval | None,
                  views: Sequence[DocumentView]) -> dict | None:
    """case.json ``earlier_approved``: the approval the figures are compared with, and whether
    the letters print the change table (only from round 2 on); None when none was found."""
    if approved is None:
        return None
    shown = any(getattr(v, "changes", None) is not None for v in views)
    return {**approved.reference(), "change_table": shown}


def _load(source: Path, config: Config, clock: _Clock
          ) -> tuple[Case | None, RawWorkbook | None, list[Issue]]:
    """``load_case``, keeping the raw workbook: its 添付 sheet is read with the folder."""
    from pipeline.read.issues import has_errors
    from pipeline.read.validate import validate_workbook
    from pipeline.read.workbook import read_workbook

    raw, issues = read_workbook(source)
    clock.lap("read")
    case = None
    if raw is not None:
        case, found = validate_workbook(raw, config.profile_names())
        issues = issues + found
    clock.lap("validate")
    return (None if has_errors(issues) else case), raw, issues


def _attachments(source: Path, case: Case, raw: RawWorkbook | None, config: Config
                 ) -> CaseAttachments:
    """The case's scans (the folder named after its 案件番号 beside the workbook, the 添付 sheet)."""
    from pipeline.attach.case import gather_attachments
    from pipeline.read.schema import ATTACHMENTS

    sheet = raw.sheets.get(ATTACHMENTS.sheet) if raw is not None else None
    return gather_attachments(source, case.case_id, sheet, [c.name for c in case.creditors],
                              config.attachment_limits)


def _case_id_hint(issues: list[Issue]) -> str | None:
    """A failed case has no validated id; the batch names it by file instead."""
    return None


def render_warning(document: str, logged: str) -> dict:
    """A WeasyPrint log line as a warning staff can read: the message in Japanese, WeasyPrint's own
    English line kept in ``detail`` of case.json for whoever edits the templates (only an office's
    edited templates raise these; the shipped ones raise none)."""
    return {"code": "render_warning", "severity": "info", "detail": logged,
            "message": f"{document}.pdf の書式（テンプレート）に表示上の注意があります。PDF の見た目を"
                       "確かめ、続くようならテンプレートを変えた担当者に ninbai check-templates で"
                       "確かめてもらってください"}
