"""送付用の書き出し (``ninbai export``): the approved packets of every approved case, ready to send.

For each case of the batch with documents, its current revision must be approved and every file
the approval names must still have its approved sha256 (``approval_holds``); then its packets
(送付書類一式_<債権者名>.pdf) are copied into ``<to>/<case_id>/``. Any other case is refused with
the reason, and nothing of it is copied. A packet's bytes are checked against the approval as
they are read, so what is written is exactly what was approved.

Copies never overwrite: each file is written under a temporary name in its target folder,
flushed, and linked to its name, which fails if the name exists (no window in which another
file could be replaced). A file already there with the same content counts as copied before;
one with other content is left as it is and the case is refused naming it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.batch.atomic import fsync_dir, make_private_dir, write_new_file
from pipeline.batch.lock import batch_lock
from pipeline.batch.manifest import (
    MANIFEST_NAME,
    PACKET_PREFIX,
    Approval,
    InputRecord,
    approval_holds,
    approved_folders,
    load_approvals,
    read_manifest,
)
from pipeline.batch.plan import SAFE_CASE_ID


class ExportError(Exception):
    """The export could not run at all (not a batch folder, target unusable): the CLI exits 2."""


@dataclass
class ExportResult:
    copied: list[str] = field(default_factory=list)  # <case_id>/<file> written now
    present: list[str] = field(default_factory=list)  # <case_id>/<file> already there, the same
    problems: list[str] = field(default_factory=list)  # Japanese, one per refused case
    notices: list[str] = field(default_factory=list)  # e.g. approvals read from their copy


def export_packets(batch_dir: Path, to: Path) -> ExportResult:
    """Copy the approved packets of every approved case of ``batch_dir`` into ``to/<case_id>/``."""
    if not (batch_dir / MANIFEST_NAME).is_file():
        raise ExportError(f"{batch_dir} に manifest.json がありません（build の出力フォルダを指定してください）。")
    target = to.resolve()
    if target == batch_dir.resolve() or target.is_relative_to(batch_dir.resolve()):
        raise ExportError("書き出し先にバッチのフォルダの中は指定できません。別のフォルダを指定してください。")
    result = ExportResult()
    with batch_lock(batch_dir):  # a build must not replace a folder while it is copied
        manifest = read_manifest(batch_dir)
        approvals = approved_folders(load_approvals(batch_dir, result.notices))
        for record in sorted(manifest.inputs if manifest else [], key=lambda r: r.case_id or ""):
            if record.case_id and record.folder:
                _export_case(batch_dir, record, approvals, to, result)
    return result


def _export_case(batch_dir: Path, record: InputRecord, approvals: dict[str, Approval], to: Path,
                 result: ExportResult) -> None:
    case_id = record.case_id or ""
    approval = approvals.get(record.folder)
    refusal = _refusal(batch_dir, record, approval)
    if refusal or approval is None:
        result.problems.append(f"{case_id}: {refusal}")
        return
    names = sorted(n for n in approval.files if n.startswith(PACKET_PREFIX) and n.endswith(".pdf"))
    if not names:
        result.problems.append(f"{case_id}: 承認された書類に送付書類一式がありません（送付書類一式を"
                               "作る前の版で承認されています）。build し直して確認・承認してください。")
        return
    packets = {}
    for name in names:  # read and check every packet before writing any: whole case or nothing
        data = (batch_dir / record.folder / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != approval.files[name]:
            result.problems.append(f"{case_id}: {record.folder}/{name} が承認後に変更されています。"
                                   "build し直して確認・承認してください。")
            return
        packets[name] = data
    folder = to / case_id
    clash = [n for n, data in packets.items() if _differs(folder / n, data)]
    if clash:
        result.problems.append(f"{case_id}: 書き出し先に内容の違う同名のファイルがあります"
                               f"（{'、'.join(clash)}）。上書きしません。移すか削除してから"
                               "書き出してください。")
        return
    if not folder.exists():
        make_private_dir(folder)  # the packets name debtors: private, as the batch folder
    for name, data in packets.items():
        place = f"{case_id}/{name}"
        if _copy_new(folder / name, data):
            result.copied.append(place)
        else:
            result.present.append(place)


def _refusal(batch_dir: Path, record: InputRecord, approval: Approval | None) -> str:
    """Why the case's packets may not be sent, or "" when they may."""
    if not SAFE_CASE_ID.fullmatch(record.case_id or ""):
        return "案件番号がフォルダ名に使えません。"
    if record.status == "error":
        return (f"最後の build が失敗しています（{record.folder} の書類はそれより前のものです）。"
                "入力を直して build し直し、確認・承認してください。")
    if approval is None:
        return f"{record.folder} は承認されていません（ninbai approve で承認してから書き出します）。"
    if not approval_holds(batch_dir, approval):
        return (f"{record.folder} のファイルが承認したときと一致しません（変更・削除されています）。"
                "build し直して確認・承認してください。")
    return ""


def _differs(path: Path, data: bytes) -> bool:
    """Is there something at ``path`` that is not exactly ``data``?"""
    if not os.path.lexists(path):
        return False
    if path.is_symlink() or not path.is_file():
        return True
    return hashlib.sha256(path.read_bytes()).hexdigest() != hashlib.sha256(data).hexdigest()


def _copy_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` whole, never over an existing file; False when the same file
    was there already. A different file appearing meanwhile raises ``FileExistsError``."""
    temp = path.with_name(f".tmp-{path.name}-{secrets.token_hex(4)}")
    write_new_file(temp, data)
    try:
        try:
            os.link(temp, path)  # fails when the name exists: never replaces
        except FileExistsError:
            if _differs(path, data):
                raise
            return False
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
            if os.path.lexists(path):  # a share without hard links: check, then rename
                if _differs(path, data):
                    raise FileExistsError(errno.EEXIST, "exists", str(path)) from None
                return False
            os.rename(temp, path)
            temp = path  # nothing left to remove
    finally:
        if temp != path:
            temp.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return True
