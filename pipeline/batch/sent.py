"""送付記録: which creditor's packet (送付書類一式) was sent, on which day, how, and who recorded it.

Kept in ``sent.json`` in the batch folder (``sent/1``), written whole and atomically under the
batch lock like approvals.json. The list only grows: a corrected entry (a wrong day) is a new
entry for the same packet, and the latest one counts; the earlier ones stay as its history. The
review page (index.html) and ``ninbai serve`` both show the latest entry of each packet.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from pipeline.batch.atomic import os_error_text, write_atomic
from pipeline.batch.lock import batch_lock
from pipeline.batch.manifest import (
    MANIFEST_NAME,
    STATE_FILE_LIMIT,
    StateFileError,
    read_manifest,
)

SENT_NAME = "sent.json"
SENT_SCHEMA = "sent/1"
#: 送付方法, as staff choose it.
METHODS = ("FAX", "郵送", "メール", "持参")


class SentError(Exception):
    """The record could not be made (message in Japanese, for staff)."""


@dataclass(frozen=True)
class Sending:
    """One 送付 of a packet: ``packet`` is its PDF relative to the batch folder."""

    case_id: str
    folder: str  # the revision folder the packet belongs to
    packet: str
    sent_on: str  # 送付日, ISO date
    method: str  # one of METHODS
    by: str
    at: str  # when it was recorded, UTC ISO


def load_sent(batch_dir: Path) -> list[Sending]:
    """Every 送付 record of the batch, oldest first (none when there is no sent.json).

    ``StateFileError`` when the file exists but cannot be read: a record of what was sent is
    never silently taken as nothing sent.
    """
    path = batch_dir / SENT_NAME
    if not path.exists():
        return []
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > STATE_FILE_LIMIT:
            raise ValueError("not a state file")
        data = json.loads(path.read_text("utf-8"))
        if data["schema"] != SENT_SCHEMA:
            raise ValueError("schema")
        records = [Sending(**r) for r in data["sent"]]
        if not all(isinstance(v, str) for r in records for v in asdict(r).values()):
            raise TypeError("record")
        return records
    except (OSError, ValueError, KeyError, TypeError):
        raise StateFileError(f"{path} が壊れていて読めません。送付の記録を失わないよう、"
                             "バックアップから戻すか、システム担当者に連絡してください。") from None


def latest_sent(records: list[Sending]) -> dict[str, Sending]:
    """Packet path → its latest 送付 record."""
    return {r.packet: r for r in records}


def record_sent(batch_dir: Path, case_id: str, packet: str, sent_on: date, method: str, by: str,
                now: datetime | None = None, zone: str = "Asia/Tokyo") -> Sending:
    """Record that the packet ``packet`` (its path in the manifest) of the case was sent, under
    the batch lock, and redraw index.html (its times in ``zone``); returns the record. ``SentError`` when the case has no such packet, the
    method is not one of ``METHODS`` or no name is given."""
    by = by.strip()
    if not by:
        raise SentError("送付を記録する人の名前を入れてください。")
    if method not in METHODS:
        raise SentError(f"送付方法は {'・'.join(METHODS)} のどれかを選んでください。")
    if not (batch_dir / MANIFEST_NAME).is_file():
        raise SentError("このフォルダには manifest.json がありません。")
    try:
        with batch_lock(batch_dir):
            manifest = read_manifest(batch_dir)
            record = manifest.find(case_id) if manifest else None
            if record is None or packet not in {p["pdf"] for p in record.packets}:
                raise SentError(f"{case_id}: この送付書類一式は今の版にありません。"
                                "ページを開き直してください。")
            stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
            sending = Sending(case_id, record.folder, packet, sent_on.isoformat(), method, by,
                              stamp)
            write_sent(batch_dir, load_sent(batch_dir) + [sending])
            _redraw_review(batch_dir, zone)
            return sending
    except OSError as exc:
        raise SentError(f"送付の記録を書き込めませんでした（{os_error_text(exc)}）。") from None


def write_sent(batch_dir: Path, records: list[Sending]) -> None:
    data = {"schema": SENT_SCHEMA, "sent": [asdict(r) for r in records]}
    write_atomic(batch_dir / SENT_NAME,
                 (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def _redraw_review(batch_dir: Path, zone: str) -> None:
    """index.html again, now with the 送付 column filled in."""
    # imported here: the review page reads this module's records (review → sent)
    from pipeline.batch.manifest import load_approvals, standing_approvals
    from pipeline.batch.review import write_review

    manifest = read_manifest(batch_dir)
    if manifest is not None:
        write_review(batch_dir, manifest, standing_approvals(batch_dir, load_approvals(batch_dir)),
                     zone)
