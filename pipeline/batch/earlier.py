"""前回承認分: the figures last approved for a case in an earlier batch of the same output folder.

From round 2 on, the 別紙 配分案 shows what changed since then (pipeline/documents/changes.py).
What counts (docs/outputs.md, the change table):

- an *earlier batch*: another batch folder of the output root (``--out``) whose manifest gives a
  batch date before this batch's; the latest such date wins (a revision of the same batch, or a
  batch of the same date, is not "earlier": it has not been sent before this one);
- an *approval* there that still stands: the files it names keep their sha256
  (``manifest.approval_holds``); the case's latest standing approval of that batch is used, and
  its case.json must be one of those files, read and checked against the approved sha256;
- its figures as that case.json recorded them; a key an older case.json lacks is "unknown"
  (``None``), never 0 and never a crash; a case.json that cannot be read at all counts as no
  approval in that batch, and the next earlier one is looked at.

This module reads files (the batch is the imperative shell); the documents stage only compares.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.batch.manifest import (
    STATE_FILE_LIMIT,
    Approval,
    StateFileError,
    approval_holds,
    load_approvals,
    read_manifest,
    recorded_outputs,
    sha256_bytes,
)

if TYPE_CHECKING:  # the documents stage is imported only where a case is built
    from pipeline.documents.changes import EarlierDeduction, EarlierFigures

CASE_JSON = "case.json"


@dataclass(frozen=True)
class EarlierApproval:
    """A standing approval of the case in an earlier batch, with the case.json it approved."""

    batch: str  # the batch folder's name
    batch_date: str  # ISO, from its manifest
    approval: Approval
    case_json: dict[str, Any]

    def reference(self) -> dict[str, Any]:
        """case.json ``earlier_approved``: what the change table compares with, for staff."""
        return {"batch": self.batch, "batch_date": self.batch_date,
                "folder": self.approval.folder, "approved_at": self.approval.at,
                "approved_by": self.approval.by,
                "document_date": _text(self.case_json.get("document_date"))}

    def key(self) -> str:
        """What identifies these figures, for the unchanged check of a rerun (manifest
        ``earlier``): another approval, or the same folder approved again, rebuilds the case."""
        digest = self.approval.files.get(CASE_JSON, "")
        return f"{self.batch}/{self.approval.folder}@{self.approval.at}#{digest}"

    def figures(self) -> EarlierFigures:
        return earlier_figures(self.batch, self.case_json)


@dataclass(frozen=True)
class _Batch:
    """An earlier batch folder as far as the lookup needs it."""

    name: str
    date: str  # ISO batch date from its manifest
    approvals: dict[str, list[Approval]]  # case id → its approvals, oldest first
    #: output path → (sha256, file stamp) as its manifest recorded them when written
    recorded: dict[str, tuple[str, Any]]


class EarlierBatches:
    """The other batch folders of one output root, looked at once per process and kept.

    Picklable (paths and a date only until first used), so the batch hands it to its workers.
    """

    def __init__(self, out: Path, batch: str, batch_date: dt.date) -> None:
        self.out, self.batch, self.batch_date = out, batch, batch_date
        self._batches: list[_Batch] | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"out": self.out, "batch": self.batch, "batch_date": self.batch_date,
                "_batches": None}

    def find(self, case_id: str) -> EarlierApproval | None:
        """The case's figures last approved in the latest earlier batch that has any (every
        approved file read and hashed: these figures go into the letters)."""
        for batch in self._earlier():
            found = _approved_case_json(self.out / batch.name, batch.approvals.get(case_id, []))
            if found is not None:
                approval, data = found
                return EarlierApproval(batch.name, batch.date, approval, data)
        return None

    def key(self, case_id: str) -> str:
        """``EarlierApproval.key`` of what ``find`` would use, for the unchanged check of a
        rerun: a file whose stamp is the one its batch recorded when writing it is taken as
        unchanged without reading it, as that check does for the case's own files (hashing
        the approved files of every case made an unchanged rerun read them all again)."""
        for batch in self._earlier():
            for approval in reversed(batch.approvals.get(case_id, [])):
                if CASE_JSON in approval.files and \
                        approval_holds(self.out / batch.name, approval, batch.recorded):
                    return EarlierApproval(batch.name, batch.date, approval, {}).key()
        return ""

    def _earlier(self) -> list[_Batch]:
        """Each earlier batch that has approvals, the latest batch date first."""
        if self._batches is None:
            self._batches = sorted(self._scan(), key=lambda b: (b.date, b.name), reverse=True)
        return self._batches

    def _scan(self) -> list[_Batch]:
        found = []
        try:
            folders = [p for p in self.out.iterdir() if p.is_dir() and not p.is_symlink()]
        except OSError:
            return []
        for folder in folders:
            if folder.name == self.batch:
                continue
            try:  # approvals first: a batch nobody approved needs no manifest read
                approvals = load_approvals(folder)
                manifest = read_manifest(folder) if approvals else None
            except (StateFileError, OSError):
                continue  # a damaged batch is the batch's own business: it is not compared with
            if manifest is None:
                continue
            date = manifest.key.batch_date
            if _is_iso_date(date) and date < self.batch_date.isoformat():
                by_case: dict[str, list[Approval]] = {}
                for approval in approvals:
                    by_case.setdefault(approval.case_id, []).append(approval)
                found.append(_Batch(folder.name, date, by_case,
                                    recorded_outputs(manifest.inputs)))
        return found


def _approved_case_json(batch_dir: Path, approvals: list[Approval]
                        ) -> tuple[Approval, dict[str, Any]] | None:
    """The latest of the case's ``approvals`` that stands, and its case.json (checked against
    the approved sha256), or None."""
    for approval in reversed(approvals):  # oldest first in approvals.json
        if CASE_JSON not in approval.files or not approval_holds(batch_dir, approval):
            continue
        data = _read_case_json(batch_dir / approval.folder / CASE_JSON,
                               approval.files[CASE_JSON])
        if data is not None:
            return approval, data
    return None


def _read_case_json(path: Path, digest: str) -> dict[str, Any] | None:
    try:
        if path.is_symlink() or path.stat().st_size > STATE_FILE_LIMIT:
            return None
        raw = path.read_bytes()
        data = json.loads(raw) if sha256_bytes(raw) == digest else None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _is_iso_date(text: object) -> bool:
    try:
        dt.date.fromisoformat(str(text))
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# case.json → EarlierFigures, key by key (an older case.json may lack any of them)
# --------------------------------------------------------------------------------------------


def earlier_figures(batch: str, data: dict[str, Any]) -> EarlierFigures:
    """The figures the change table needs, from a case.json of any earlier version."""
    from pipeline.documents.changes import EarlierFigures

    sale = data.get("sale")
    sale = sale if isinstance(sale, dict) else {}
    when = _text(data.get("document_date"))
    return EarlierFigures(
        batch=batch,
        document_date=dt.date.fromisoformat(when) if when and _is_iso_date(when) else None,
        price=_yen(sale.get("price")), deductions=_deductions(sale.get("deductions")),
        deductions_total=_yen(sale.get("deductions_total")), received=_received(sale))


def _yen(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _deductions(items: object) -> tuple[EarlierDeduction, ...] | None:
    from pipeline.documents.changes import EarlierDeduction

    if not isinstance(items, list):
        return None
    out = []
    for item in items:
        amount = _yen(item.get("amount")) if isinstance(item, dict) else None
        code, label = (_text(item.get(k)) for k in ("code", "label")) if isinstance(item, dict) \
            else (None, None)
        if amount is None or code is None or label is None:
            return None  # one line unreadable: the deductions are unknown, not partly known
        out.append(EarlierDeduction(code, label, _text(item.get("creditor")) or "", amount))
    return tuple(out)


def _received(sale: dict[str, Any]) -> dict[str, int] | None:
    """配分額 per 債権者名 over its liens and 差押; None when a part is missing or unreadable
    (one creditor's total would be wrong if part of it were dropped)."""
    received: dict[str, int] = {}
    for key in ("liens", "seizures"):
        rows = sale.get(key)
        if not isinstance(rows, list):
            return None
        for row in rows:
            name = _text(row.get("creditor")) if isinstance(row, dict) else None
            amount = _row_received(row) if isinstance(row, dict) else None
            if name is None or amount is None:
                return None
            received[name] = received.get(name, 0) + amount
    return received


def _row_received(row: dict[str, Any]) -> int | None:
    """A row's 配分額: a lien writes it (``received``); a 差押 writes its parts, 差押解除料 and
    剰余からの配分, whose sum is its 配分額 (``SeizureShare.received``)."""
    if "received" in row:
        return _yen(row["received"])
    fee, share = _yen(row.get("release_fee")), _yen(row.get("surplus_share"))
    return None if fee is None or share is None else fee + share
