"""操作記録 (audit log): every action taken in ``ninbai serve``, one JSON line each.

``OUT_DIR/ninbai-serve-audit.log`` (0600): when (UTC), who (the logged-in user, or the name typed
on a loopback server), what (承認・承認取消・送付・作り直し, and whether it was done or refused),
the batch and the case id. Never a debtor's or a creditor's name, an amount or free text such as
an override reason (that text is in approvals.json, where it belongs): a packet is named by its
number within the case. Lines are appended with one ``write`` on an ``O_APPEND`` descriptor,
so lines of two requests never interleave.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from pipeline.batch.atomic import PRIVATE_FILE, os_error_text

AUDIT_NAME = "ninbai-serve-audit.log"
#: What the log names each action (the codes are for grep; the labels for people).
ACTIONS = {"approve": "承認", "revoke": "承認取消", "sent": "送付記録", "rebuild": "作り直し",
           "login": "ログイン", "login_failed": "ログイン失敗", "logout": "ログアウト"}


def audit(out_dir: Path, who: str, action: str, batch: str = "", case_id: str = "",
          outcome: str = "done", **detail: str | int | bool) -> None:
    """Append one line to the audit log of ``out_dir``. A log that cannot be written (disk full)
    is said in the server's log; the action itself is already recorded in the batch."""
    try:
        _append(out_dir, who, action, batch, case_id, outcome, detail)
    except OSError as exc:
        logging.getLogger("ninbai.serve").error("操作記録を書き込めません（%s）: %s %s",
                                                os_error_text(exc), action, case_id or "-")


def _append(out_dir: Path, who: str, action: str, batch: str, case_id: str, outcome: str,
            detail: dict[str, str | int | bool]) -> None:
    entry = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "who": who,
             "action": action, "label": ACTIONS.get(action, action), "outcome": outcome,
             "batch": batch, "case_id": case_id, **detail}
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = out_dir / AUDIT_NAME
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, PRIVATE_FILE)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_audit(out_dir: Path) -> list[dict]:
    """The log's entries (for tests and for the lead's tools); unreadable lines are skipped."""
    path = out_dir / AUDIT_NAME
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text("utf-8").splitlines():
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries
