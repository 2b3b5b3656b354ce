"""承認 (approval) and revisions: an approved case's files are never overwritten.

Layout: revision 1 of case ``X`` is the folder ``X/`` (docs/outputs.md); a later build whose input
changed after ``X/`` was approved writes revision 2 to ``X/rev2/``, then ``X/rev3/`` and so on. The
latest revision is replaced in place as long as nobody approved it. ``approve`` records who, when
and the sha256 of every file of the case's current revision in approvals.json, after checking
the files still match the manifest. A case with 重要 (high) warnings — its documents carry the
「案」 mark — is approved only with ``--override "理由"``, and the reason is recorded with it. An approval counts (here, on the review page and for
``ninbai review``) only while the files it names keep those sha256; a new build never takes a
folder name an approval names. docs/cli.md ``ninbai approve``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from pipeline.batch.atomic import os_error_text
from pipeline.batch.history import write_history_pages
from pipeline.batch.lock import batch_lock
from pipeline.batch.manifest import (
    MANIFEST_NAME,
    Approval,
    InputRecord,
    Manifest,
    Revocation,
    StateFileError,
    approval_holds,
    approved_folders,
    load_approvals,
    load_revocations,
    outputs_match,
    read_manifest,
    standing_approvals,
    unrecorded_files,
    write_approvals,
)
from pipeline.batch.review import DEFAULT_ZONE, write_review
from pipeline.batch.summary import write_summary
from pipeline.compute.warnings import warning_title

_REVISION_DIR = re.compile(r"rev([2-9]|[1-9][0-9]+)")


T = TypeVar("T")


class ApproveError(Exception):
    """The approval could not run at all (not a batch folder): the CLI exits 2."""


def revision_folder(case_id: str, revision: int) -> str:
    """Folder of a revision, relative to the batch folder: ``X`` for 1, ``X/revN`` after."""
    return case_id if revision == 1 else f"{case_id}/rev{revision}"


def latest_revision(batch_dir: Path, case_id: str) -> int:
    """Highest revision of the case on disk (0 when the case has no folder yet)."""
    root = batch_dir / case_id
    if not root.is_dir():
        return 0
    numbers = [int(m.group(1)) for p in root.iterdir()
               if p.is_dir() and (m := _REVISION_DIR.fullmatch(p.name))]
    return max(numbers, default=1)


def next_revision(batch_dir: Path, case_id: str, approved: set[str]) -> int:
    """Where a new build of the case goes: the latest revision unless approved, else a new one.

    An approved revision counts even when its folder was deleted by hand: a new build never
    takes the folder name an approval names, so the approval cannot be mistaken for it.
    """
    latest = max(latest_revision(batch_dir, case_id), _latest_approved(case_id, approved))
    if latest == 0:
        return 1
    if revision_folder(case_id, latest) in approved:
        return latest + 1
    return latest


def _latest_approved(case_id: str, approved: set[str]) -> int:
    """Highest revision of the case that an approval names (0 when none)."""
    numbers = []
    for folder in approved:
        if folder == case_id:
            numbers.append(1)
        elif folder.startswith(case_id + "/") and \
                (match := _REVISION_DIR.fullmatch(folder[len(case_id) + 1:])):
            numbers.append(int(match.group(1)))
    return max(numbers, default=0)


@dataclass
class ApproveResult:
    approved: list[Approval] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # case ids whose current revision was approved
    problems: list[str] = field(default_factory=list)  # Japanese, one per refused case id
    notices: list[str] = field(default_factory=list)  # e.g. approvals read from their copy


def approve_cases(batch_dir: Path, case_ids: list[str], by: str,
                  now: datetime | None = None, override: str | None = None,
                  zone: str = DEFAULT_ZONE) -> ApproveResult:
    """Approve the current revision of each case (under the batch lock), then redraw index.html
    (its times in ``zone``, ``[review] timezone``) and summary.xlsx (its approval column).

    A case with 重要 (high) warnings — its documents carry the 「案」 mark — is refused unless
    ``override`` gives the reason it is approved all the same; the reason is recorded with it.
    """
    by = by.strip()
    if not by:
        raise ApproveError("承認者の名前（--by）を入れてください。")
    if override is not None:
        override = override.strip()
        if not override:
            raise ApproveError("--override には、重要な警告があっても承認する理由を書いてください"
                               "（空欄では承認できません）。")
    if not batch_dir.is_dir():
        raise ApproveError(f"フォルダが見つかりません: {batch_dir}")
    return _record_locked(batch_dir, "承認", lambda: _approve_locked(
        batch_dir, case_ids, by, now, override, zone))


def _record_locked(batch_dir: Path, what: str, record: Callable[[], T]) -> T:
    """Run ``record`` under the batch lock, as approve and revoke do: the manifest must be there
    (checked before locking: no stray .lock), and a damaged state file or a write that fails is
    an ``ApproveError`` in Japanese naming ``what`` (承認, 取消) could not be recorded."""
    if not (batch_dir / MANIFEST_NAME).is_file():
        raise ApproveError(f"{batch_dir} に manifest.json がありません（build の出力フォルダを指定してください）。")
    try:
        with batch_lock(batch_dir):
            return record()
    except StateFileError as exc:
        raise ApproveError(str(exc)) from None
    except OSError as exc:
        raise ApproveError(f"{batch_dir} に書き込めないため、{what}を記録できませんでした"
                           f"（{os_error_text(exc)}）。") from None


def _approve_locked(batch_dir: Path, case_ids: list[str], by: str,
                    now: datetime | None, override: str | None, zone: str) -> ApproveResult:
    manifest = read_manifest(batch_dir)
    if manifest is None:
        raise ApproveError(f"{batch_dir} に manifest.json がありません（build の出力フォルダを指定してください）。")
    result = ApproveResult()
    approvals = load_approvals(batch_dir, result.notices)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    for case_id in dict.fromkeys(case_ids):  # each id once, in the order given
        _approve_one(batch_dir, manifest, approvals, case_id, by, stamp, override, result)
    if result.approved or result.notices:  # a damaged approvals.json is rewritten whole
        write_approvals(batch_dir, approvals + result.approved)
    if result.approved:
        standing = standing_approvals(batch_dir, approvals + result.approved)
        write_review(batch_dir, manifest, standing, zone)
        write_summary(batch_dir, manifest, approvals=standing, zone=zone)
        write_history_pages(batch_dir, [a.case_id for a in result.approved], zone)
    return result


def _approve_one(batch_dir: Path, manifest: Manifest, approvals: list[Approval], case_id: str,
                 by: str, stamp: str, override: str | None, result: ApproveResult) -> None:
    record = manifest.find(case_id)
    approval = approved_folders(approvals).get(record.folder) if record else None
    if record is None:
        result.problems.append(f"{case_id}: このバッチに書類のある案件がありません。")
    elif record.status == "error":
        result.problems.append(f"{case_id}: 前回の build が失敗しています（{record.folder} の書類は"
                               "それより前のものです）。build し直してから確認・承認してください。")
    elif approval is not None and approval_holds(batch_dir, approval):
        result.already.append(case_id)
    elif not outputs_match(batch_dir, record):
        result.problems.append(f"{case_id}: {_mismatch(batch_dir, record)}")
    elif (high := high_warnings(record)) and override is None:
        result.problems.append(f"{case_id}: {_draft_refusal(high)}")
    else:
        if override is not None and not high:
            result.notices.append(f"{case_id}: 重要な警告はないため、--override の理由は記録せずに"
                                  "承認しました。")
        result.approved.append(_approval(record, by, stamp, override if high else None, high))


def high_warnings(record: InputRecord) -> list[str]:
    """Codes of the case's 重要 (high) warnings, each once: while there are any, its documents
    carry 「案」 (pipeline/documents/common.py ``is_draft``) and approval needs a reason."""
    return list(dict.fromkeys(w["code"] for w in record.warnings if w.get("severity") == "high"))


def _draft_refusal(codes: list[str]) -> str:
    """Why a case with 重要 warnings is refused: their titles (no names, no figures: a terminal)."""
    titles = "、".join(warning_title(c) for c in codes)
    return (f"重要な警告が{len(codes)}件あります（{titles}）。書類は「案」のままです。"
            "入力を直して build し直すか、承知のうえで承認する場合は --override \"理由\" を"
            "付けてください。")


def _mismatch(batch_dir: Path, record: InputRecord) -> str:
    """Why the folder is not what was built: files staff added (named), or changed documents."""
    others = unrecorded_files(batch_dir, record)
    if others and outputs_match(batch_dir, record, others_allowed=True):
        return (f"{record.folder} に書類以外のファイル（{'、'.join(others)}）があります。"
                "承認するのはフォルダ全体なので、別の場所へ移してから承認してください。")
    return (f"{record.folder} のファイルが manifest.json の記録と一致しません"
            "（変更・削除されています）。build し直してから確認・承認してください。")


def _approval(record: InputRecord, by: str, stamp: str, override: str | None,
              overridden: list[str]) -> Approval:
    # outputs_match has just checked these hashes against the files on disk
    files = {Path(o["path"]).name: o["sha256"] for o in record.outputs}
    return Approval(record.case_id or "", record.folder, record.revision, by, stamp, files,
                    override or "", overridden if override else [])


def revoke_approval(batch_dir: Path, case_id: str, by: str, reason: str,
                    now: datetime | None = None, zone: str = DEFAULT_ZONE) -> Revocation:
    """承認の取消: withdraw the latest approval of the case, with who, when and why (under the
    batch lock), then redraw index.html and summary.xlsx.

    The approval is moved to the ``revoked`` list of approvals.json (kept whole, for the case's
    history), so its revision is 未承認 everywhere again and the next build may replace it in
    place. ``ApproveError`` (Japanese) when there is nothing to withdraw or no reason is given.
    """
    by, reason = by.strip(), reason.strip()
    if not by:
        raise ApproveError("取り消す人の名前（--by）を入れてください。")
    if not reason:
        raise ApproveError("承認を取り消す理由（--reason）を書いてください（空欄では取り消せません）。")
    return _record_locked(batch_dir, "取消", lambda: _revoke_locked(
        batch_dir, case_id, by, reason, now, zone))


def _revoke_locked(batch_dir: Path, case_id: str, by: str, reason: str,
                   now: datetime | None, zone: str) -> Revocation:
    approvals = load_approvals(batch_dir)
    mine = [a for a in approvals if a.case_id == case_id]
    if not mine:
        raise ApproveError(f"{case_id}: 承認の記録がないため、取り消せません。")
    withdrawn = max(mine, key=lambda a: a.revision)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    revocation = Revocation(withdrawn, by, stamp, reason)
    remaining = [a for a in approvals if a is not withdrawn]
    write_approvals(batch_dir, remaining, load_revocations(batch_dir) + [revocation])
    manifest = read_manifest(batch_dir)
    if manifest is not None:
        standing = standing_approvals(batch_dir, remaining)
        write_review(batch_dir, manifest, standing, zone)
        write_summary(batch_dir, manifest, approvals=standing, zone=zone)
    return revocation
