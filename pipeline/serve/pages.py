"""What the server's pages show, read from the batch folders (no Flask here).

The batches are the folders of OUT_DIR that hold a manifest.json; each page is drawn from the
same records as the static review page (manifest.json, approvals.json, sent.json) through the
same functions (pipeline.batch.review), plus the case page's case.json for what only it has:
the break-even prices (``break_even``) and the case's deadlines (``deadlines``), shown when
present. The batch page reads no case.json: its deadlines are the manifest records' own, as on
index.html.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.batch.compare import RevisionComparison, compare_case
from pipeline.batch.manifest import (
    STATE_FILE_LIMIT,
    Approval,
    Manifest,
    Revocation,
    StateFileError,
    approval_holds,
    load_approvals,
    load_revocations,
    read_manifest,
    recorded_outputs,
)
from pipeline.batch.plan import SAFE_BATCH_NAME
from pipeline.batch.review import ReviewCase, cases_due, review_cases
from pipeline.batch.sent import Sending, latest_sent, load_sent
from pipeline.compute.deadlines import day_text
from pipeline.read.issues import LEVELS

CASE_JSON = "case.json"
#: The batch page's 承認 filter: its label, and whether a case matches it.
APPROVAL_FILTERS = {"approved": "承認済み", "pending": "未承認", "none": "書類なし"}
#: The batch page's 期限 filter: 期限切れ (a deadline passed), or one within DEADLINE_SOON days.
DEADLINE_FILTERS = {"overdue": "期限切れ", "soon": "7日以内"}
DEADLINE_SOON = 7
#: The batch page's 警告 filter: cases with at least one warning of this severity.
SEVERITY_FILTERS = ("high", "warn", "info")


@dataclass
class Batch:
    """One batch folder as the server reads it (each request reads it afresh)."""

    name: str
    folder: Path
    manifest: Manifest
    approvals: list[Approval]  # all of them, standing or not
    standing: list[Approval]  # those whose files are as approved, as far as checked (open_batch)
    revoked: list[Revocation]
    sent: list[Sending]
    notices: list[str] = field(default_factory=list)

    def cases(self) -> list[ReviewCase]:
        return review_cases(self.manifest, self.standing)

    def case(self, case_id: str) -> ReviewCase | None:
        return next((c for c in self.cases() if c.record.case_id == case_id), None)

    def allowed_files(self) -> set[str]:
        """Every file the records name: what the server may send (pipeline.serve.safety)."""
        names = {o["path"] for r in self.manifest.inputs for o in r.outputs}
        names |= {p["pdf"] for r in self.manifest.inputs for p in r.packets}
        names |= {f"{a.folder}/{n}" for a in self.approvals for n in a.files}
        return names


def batch_names(out_dir: Path) -> list[str]:
    """The batch folders of OUT_DIR, newest name first (a link to elsewhere is not one)."""
    names = [p.name for p in out_dir.iterdir()
             if SAFE_BATCH_NAME.fullmatch(p.name) and p.is_dir() and not p.is_symlink()
             and (p / "manifest.json").is_file()] if out_dir.is_dir() else []
    return sorted(names, reverse=True)


def open_batch(out_dir: Path, name: str, verify: bool = True,
               case_id: str | None = None) -> Batch | None:
    """The batch ``name`` of OUT_DIR; None when there is no such batch (404).
    ``StateFileError`` when its records cannot be read.

    ``verify``: an approval stands only while its files keep their sha256 (``standing``).
    Without ``case_id`` (the batch page) a file whose size, times and inode are still those the
    manifest recorded with the approved sha256 is not read again (``approval_holds``): hashing
    every approved file (≈1.2 MB a case) cost ≈2 s a click at 1,000 cases, and any write,
    replacement or touch of a file changes its stamp, so it is hashed. With ``case_id`` (the
    case page) that case's approvals are read and hashed in full, as ``approve`` checks them, and
    the other cases' are left as recorded: the page shows none of them. ``verify=False`` (the
    batch list, the files, the actions — ``approve`` and ``revoke`` check the files themselves)
    takes every approval as recorded. The batch page shows only the approval of each case's
    current revision, so an approval of an earlier revision is left as recorded there."""
    if name not in batch_names(out_dir):
        return None
    folder = out_dir / name
    manifest = read_manifest(folder)
    if manifest is None:
        return None
    notices: list[str] = []
    approvals = load_approvals(folder, notices)
    standing = _standing(folder, manifest, approvals, case_id) if verify else approvals
    return Batch(name, folder, manifest, approvals, standing, load_revocations(folder),
                 load_sent(folder), notices)


def _standing(folder: Path, manifest: Manifest, approvals: list[Approval],
              case_id: str | None) -> list[Approval]:
    """The approvals that still hold: the case ``case_id``'s hashed in full and the others kept
    as recorded, or (None) those of the current revisions checked against the manifest's
    recorded stamps and the others kept as recorded."""
    if case_id is not None:
        return [a for a in approvals if a.case_id != case_id or approval_holds(folder, a)]
    current = {r.folder for r in manifest.inputs if r.folder}
    recorded = recorded_outputs(manifest.inputs)
    return [a for a in approvals
            if a.folder not in current or approval_holds(folder, a, recorded)]


@dataclass(frozen=True)
class BatchLine:
    """One line of the batch list."""

    name: str
    generated_at: str
    total: int
    counts: dict[str, int]
    approved: int
    pending: int
    unreadable: bool = False


def batch_lines(out_dir: Path) -> list[BatchLine]:
    lines = []
    for name in batch_names(out_dir):
        try:
            batch = open_batch(out_dir, name, verify=False)
        except StateFileError:
            lines.append(BatchLine(name, "", 0, {}, 0, 0, unreadable=True))
            continue
        if batch is None:
            continue
        cases = batch.cases()
        approved, pending = approval_counts(cases)
        lines.append(BatchLine(name, batch.manifest.generated_at, len(cases),
                               {level: sum(c.level == level for c in cases) for level in LEVELS},
                               approved, pending))
    return lines


def approval_state(case: ReviewCase) -> str:
    """approved / pending (documents not yet approved) / none (no documents: failed)."""
    if case.approval is not None:
        return "approved"
    record = case.record
    return "pending" if record.folder and record.status != "error" else "none"


def approval_counts(cases: list[ReviewCase]) -> tuple[int, int]:
    states = [approval_state(c) for c in cases]
    return states.count("approved"), states.count("pending")


def filtered(cases: list[ReviewCase], level: str, severity: str, approval: str) -> list[ReviewCase]:
    """The batch page's filters (each "" for all): 状態, a warning of that 重要度, 承認."""
    return [c for c in cases
            if (not level or c.level == level)
            and (not severity or any(w.get("severity") == severity for w in c.warnings))
            and (not approval or approval_state(c) == approval)]


def case_json(batch: Batch, case: ReviewCase) -> dict:
    """The case's case.json ({} when it has none or it cannot be read: the page shows the rest)."""
    if not case.record.folder:
        return {}
    path = batch.folder / case.record.folder / CASE_JSON
    try:
        if path.is_symlink() or path.stat().st_size > STATE_FILE_LIMIT:
            return {}
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def deadlines_of(data: dict) -> list[dict]:
    """The case page's open deadlines from case.json (``deadlines``: kind, label, date, creditor),
    by date; [] when case.json has none (built before they were recorded)."""
    items = data.get("deadlines")
    if not isinstance(items, list):
        return []
    good = [d for d in items if isinstance(d, dict) and isinstance(d.get("date"), str)
            and isinstance(d.get("label"), str)]
    return sorted(good, key=lambda d: d["date"])


def batch_deadlines(cases: list[ReviewCase], today: date) -> list[dict]:
    """The batch's 期限 due from ``today``: those index.html lists (``cases_due``, from the
    manifest records, within DEFAULT_DAYS, the overdue ones first), counted from the server's
    today. Each dict is ``Due.to_json`` (with its case id)."""
    return [d.to_json() for d in cases_due(cases, today)]


def days_until(iso: str, today: date) -> int | None:
    """Days from ``today`` to an ISO date (negative: past); None for a date that cannot be read."""
    try:
        return (date.fromisoformat(iso) - today).days
    except (TypeError, ValueError):
        return None


def day_of(iso: str) -> str:
    """A case.json date as staff read every date of ninbai (2026年12月5日（土）); the raw text
    when it cannot be read (data is shown, never dropped)."""
    try:
        return day_text(date.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso)


def nearest_deadlines(deadlines: list[dict]) -> dict[str, dict]:
    """Case id → its soonest open deadline (``deadlines`` soonest first)."""
    nearest: dict[str, dict] = {}
    for item in deadlines:
        nearest.setdefault(item["case_id"], item)
    return nearest


def deadline_matches(item: dict | None, wanted: str, today: date) -> bool:
    """The 期限 filter: "" all; overdue: the soonest deadline passed; soon: within 7 days."""
    if not wanted:
        return True
    left = days_until(item["date"], today) if item else None
    if left is None:
        return False
    return left < 0 if wanted == "overdue" else left <= DEADLINE_SOON


def break_even_of(data: dict) -> dict | None:
    """case.json ``break_even`` (first_lien_price, all_floors_price, floors) when present."""
    value = data.get("break_even")
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class HistoryLine:
    """One event of the case's 承認の履歴: an approval, or its withdrawal."""

    at: str
    what: str  # 承認 / 承認取消
    by: str
    folder: str
    reason: str  # the override reason of an approval, the reason of a withdrawal


def history(batch: Batch, case_id: str) -> list[HistoryLine]:
    """Approvals and withdrawals of the case, oldest first."""
    lines = [HistoryLine(a.at, "承認", a.by, a.folder, a.override)
             for a in batch.approvals if a.case_id == case_id]
    for r in batch.revoked:
        if r.approval.case_id == case_id:
            lines.append(HistoryLine(r.approval.at, "承認", r.approval.by, r.approval.folder,
                                     r.approval.override))
            lines.append(HistoryLine(r.at, "承認取消", r.by, r.approval.folder, r.reason))
    return sorted(lines, key=lambda h: h.at)


def revocable(batch: Batch, case_id: str) -> Approval | None:
    """The approval a 取消 would withdraw (the case's latest), if any."""
    mine = [a for a in batch.approvals if a.case_id == case_id]
    return max(mine, key=lambda a: a.revision) if mine else None


def comparison(batch: Batch, case_id: str) -> RevisionComparison | None:
    """版の比較: the case's current revision against its latest approved earlier one (None when
    there is none, or the current one is itself approved); pipeline.batch.compare."""
    try:
        return compare_case(batch.folder, case_id, batch.manifest, batch.approvals)
    except (StateFileError, OSError):
        return None


def packets_with_sent(batch: Batch, case: ReviewCase) -> list[dict]:
    """The case's packets, each with its number (1, 2, …), its latest 送付 and earlier ones."""
    latest = latest_sent(batch.sent)
    return [{**p, "number": i, "sent": latest.get(p["pdf"]),
             "sent_history": [s for s in batch.sent if s.packet == p["pdf"]]}
            for i, p in enumerate(case.record.packets, start=1)]
