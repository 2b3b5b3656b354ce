"""A case's history (価格変更履歴): the case across every batch of an output folder.

Staff keep by hand today how a case's price came down from batch to batch and who approved what.
Every batch folder of the output folder already holds it: its manifest.json names the case's
current revision folder, its approvals.json every approved revision, and each revision folder its
case.json with the 配分案. ``scan_batches`` reads the batches once; ``case_history`` gathers one
case's revisions from them, oldest first (batch date, batch name, revision). It is general on
purpose — all batches, all revisions kept on disk, every approval and whether it still stands —
so other readers (the change table of a later round, the web server) use the same scan.

A revision that was replaced in place before anyone approved it is not kept by the build, so it
is not in the history either: the history is what the output folder still holds.

Shown three ways: ``ninbai history`` (``history_lines``, ``history_json``) and the page
``<batch>/履歴/<case_id>.html`` the build and ``approve`` write beside index.html (not in the
case folder, whose files are under approval).
"""

from __future__ import annotations

import functools
import json
import os
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Template

from pipeline.batch.atomic import PRIVATE_DIR, clean_leftovers, fsync_dir, write_new_file
from pipeline.batch.manifest import (
    MANIFEST_NAME,
    STATE_FILE_LIMIT,
    Approval,
    InputRecord,
    Manifest,
    StateFileError,
    approval_holds,
    load_approvals,
    read_manifest,
    recorded_outputs,
)
from pipeline.batch.review import HISTORY_DIR, OTHER_TITLES, history_environment, local_time
from pipeline.compute.money import yen
from pipeline.compute.warnings import CATALOGUE, warning_title
from pipeline.eras import date_text
from pipeline.read.issues import LEVELS, level_label, level_of
from pipeline.read.schema import CASE_ID_PATTERN
from pipeline.text import display_width, drop_invisible, pad

CASE_JSON = "case.json"


@dataclass(frozen=True)
class BatchState:
    """One batch folder of the output folder, read once: its manifest and its approvals."""

    name: str
    path: Path
    manifest: Manifest
    approvals: tuple[Approval, ...]

    @property
    def batch_date(self) -> str:
        """The batch's 基準日 (ISO), the first key of the history's order."""
        return self.manifest.key.batch_date


@dataclass(frozen=True)
class CreditorShare:
    """One creditor of a revision's 配分案: 配分額 (what the sale pays it) and 残債務 after it."""

    creditor: str
    position: str  # 順位1 / 差押 / 差押（優先）
    received: int
    remaining: int


@dataclass(frozen=True)
class ApprovalState:
    """An approval of a revision: who, when (UTC ISO), the --override reason and whether the
    files it names still have their sha256 (only then does it stand)."""

    by: str
    at: str
    override: str
    overridden: tuple[str, ...]
    stands: bool


@dataclass(frozen=True)
class Revision:
    """One revision folder of the case in one batch, with the figures of its case.json.

    ``current``: the revision the batch's manifest names now. ``failed_after``: the batch's last
    build of the case failed (its folder still holds these earlier documents). ``sale`` is the
    case.json ``sale`` object as it is (for readers that need the deductions); ``figures_read``
    False when the case.json is missing or unreadable (the figures are then empty).
    """

    batch: str
    batch_date: str
    folder: str
    revision: int
    current: bool
    failed_after: bool
    status: str  # the case.json status (ok / warn), "" when unreadable
    price: int | None
    creditors: tuple[CreditorShare, ...]
    warnings: tuple[dict, ...]  # {code, severity, title}
    approvals: tuple[ApprovalState, ...]
    sale: dict = field(default_factory=dict)
    figures_read: bool = True

    @property
    def approved(self) -> bool:
        """Approved, and the approval still stands."""
        return any(a.stands for a in self.approvals)

    def warning_counts(self) -> dict[str, int]:
        """Warnings per level (high, warn, info), each level present once."""
        return {lv: sum(w["severity"] == lv for w in self.warnings) for lv in LEVELS
                if lv not in ("error", "ok")}


@dataclass
class CaseHistory:
    case_id: str
    revisions: list[Revision]
    notices: list[str] = field(default_factory=list)  # Japanese: a batch that could not be read

    def price_changes(self) -> list[int | None]:
        """Per revision, its 売却価格 minus the one before it (価格変更: negative when lowered);
        None for the first price or a revision without one."""
        changes: list[int | None] = []
        before: int | None = None
        for rev in self.revisions:
            changes.append(None if rev.price is None or before is None else rev.price - before)
            before = rev.price if rev.price is not None else before
        return changes

    def several_in_batch(self) -> set[str]:
        """Batches holding more than one revision of the case (there 「現在の版」 is said)."""
        counts = Counter(rev.batch for rev in self.revisions)
        return {batch for batch, n in counts.items() if n > 1}

    def last_approved(self, before_batch_date: str | None = None) -> Revision | None:
        """The latest revision whose approval still stands, in a batch dated before
        ``before_batch_date`` (ISO; None: any): the figures last approved for the case."""
        found = [r for r in self.revisions if r.approved
                 and (before_batch_date is None or r.batch_date < before_batch_date)]
        return found[-1] if found else None


# ---------------------------------------------------------------------------------------------
# Scanning the output folder
# ---------------------------------------------------------------------------------------------


def scan_batches(out: Path, notices: list[str] | None = None) -> list[BatchState]:
    """Every batch folder directly under ``out`` (a folder with manifest.json), oldest first.

    A batch whose manifest or approvals cannot be read is left out with a Japanese notice (the
    history then says which batch it could not read), never silently."""
    batches = []
    folders = sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink()) \
        if out.is_dir() else []
    for folder in folders:
        if not (folder / MANIFEST_NAME).is_file():
            continue
        try:
            manifest = read_manifest(folder)
            approvals = load_approvals(folder, notices)
        except StateFileError as exc:
            if notices is not None:
                notices.append(f"注意: バッチ {folder.name} を読めないため、履歴に含めていません（{exc}）")
            continue
        if manifest is not None:
            batches.append(BatchState(folder.name, folder, manifest, tuple(approvals)))
    return sorted(batches, key=lambda b: (b.batch_date, b.name))


def case_history(out: Path, case_id: str, batches: list[BatchState] | None = None) -> CaseHistory:
    """The case ``case_id`` in every batch of ``out`` (``batches``: an earlier ``scan_batches``
    of it, so many cases share one scan), oldest first."""
    notices: list[str] = []
    if batches is None:
        batches = scan_batches(out, notices)
    revisions = [rev for batch in batches for rev in _revisions(batch, case_id)]
    return CaseHistory(case_id, revisions, notices)


def _revisions(batch: BatchState, case_id: str) -> list[Revision]:
    """The case's revision folders in one batch: every approved one, and the current one."""
    record = batch.manifest.find(case_id)
    by_folder: dict[str, list[Approval]] = {}
    for approval in batch.approvals:
        if approval.case_id == case_id:
            by_folder.setdefault(approval.folder, []).append(approval)
    if record is not None:
        by_folder.setdefault(record.folder, [])
    revisions = [_revision(batch, folder, approvals, record)
                 for folder, approvals in by_folder.items()]
    return sorted(revisions, key=lambda r: r.revision)


def _revision(batch: BatchState, folder: str, approvals: list[Approval],
              record: InputRecord | None) -> Revision:
    current = record is not None and record.folder == folder
    data = _case_json(batch.path / folder / CASE_JSON)
    found = data.get("sale")
    sale: dict = found if isinstance(found, dict) else {}
    number = record.revision if current and record else \
        max((a.revision for a in approvals), default=0)
    stamps = recorded_outputs([record]) if current and record else {}
    return Revision(
        batch=batch.name, batch_date=batch.batch_date, folder=folder, revision=number,
        current=current, failed_after=current and record is not None and record.status == "error",
        status=str(data.get("status", "")), price=_int(sale.get("price")),
        creditors=_shares(sale), warnings=_warnings(data.get("warnings")),
        approvals=tuple(_approval_state(batch.path, a, stamps) for a in approvals),
        sale=sale, figures_read=bool(data))


def _case_json(path: Path) -> dict:
    """A revision's case.json, {} when missing, a link, oversized or not JSON."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > STATE_FILE_LIMIT:
            return {}
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def _shares(sale: dict) -> tuple[CreditorShare, ...]:
    """配分額 and 残債務 of each lien (順位 order) and each 差押 (sheet order) of the 配分案.

    A 差押's 配分額 is its 差押解除料 plus its share of the surplus (剰余からの配分)."""
    shares = []
    for lien in _objects(sale.get("liens")):
        shares.append(CreditorShare(str(lien.get("creditor", "")), f"順位{lien.get('rank', '')}",
                                    _int(lien.get("received")) or 0,
                                    _int(lien.get("remaining")) or 0))
    for seizure in _objects(sale.get("seizures")):
        received = (_int(seizure.get("release_fee")) or 0) + (_int(seizure.get("surplus_share")) or 0)
        shares.append(CreditorShare(str(seizure.get("creditor", "")),
                                    "差押（優先）" if seizure.get("priority") else "差押",
                                    received, _int(seizure.get("remaining")) or 0))
    return tuple(shares)


def _objects(value: Any) -> list[dict]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _warnings(value: Any) -> tuple[dict, ...]:
    """Each warning's level and a short title without names or amounts (as ``ninbai review``)."""
    out = []
    for w in _objects(value):
        code = str(w.get("code", ""))
        title = warning_title(code) if code in CATALOGUE else OTHER_TITLES.get(code, "確認が必要な点")
        out.append({"code": code, "severity": str(w.get("severity", "warn")), "title": title})
    return tuple(out)


def _approval_state(batch_dir: Path, approval: Approval, recorded: dict[str, tuple[str, Any]]) -> ApprovalState:
    return ApprovalState(approval.by, approval.at, approval.override, tuple(approval.overridden),
                         approval_holds(batch_dir, approval, recorded))


# ---------------------------------------------------------------------------------------------
# ninbai history: text and JSON
# ---------------------------------------------------------------------------------------------


def history_json(history: CaseHistory) -> dict[str, Any]:
    """``ninbai history --json``: the case id and its revisions, oldest first."""
    return {"case_id": history.case_id,
            "revisions": [_revision_json(r, change) for r, change
                          in zip(history.revisions, history.price_changes(), strict=True)],
            "notices": list(history.notices)}


def _revision_json(rev: Revision, change: int | None) -> dict[str, Any]:
    return {
        "batch": rev.batch, "batch_date": rev.batch_date, "folder": rev.folder,
        "revision": rev.revision, "current": rev.current, "failed_after": rev.failed_after,
        "status": rev.status, "price": rev.price, "price_change": change,
        "figures_read": rev.figures_read,
        "creditors": [{"creditor": s.creditor, "position": s.position, "received": s.received,
                       "remaining": s.remaining} for s in rev.creditors],
        "warnings": list(rev.warnings), "warning_counts": rev.warning_counts(),
        "approvals": [{"by": a.by, "at": a.at, "override": a.override or None,
                       "overridden": list(a.overridden), "stands": a.stands}
                      for a in rev.approvals],
    }


def history_lines(history: CaseHistory, zone: str) -> list[str]:
    """The terminal form: per revision a heading line (batch, 基準日, 版, 売却価格, 状態), its
    creditors' 配分額 and 残債務 as a table, its warnings by level with their titles, and its
    approvals (who, when in ``zone``, the override reason, whether it still stands)."""
    tz = ZoneInfo(zone)
    if not history.revisions:
        return [f"案件 {history.case_id} は、この出力フォルダのどのバッチにもありません。"]
    lines = [f"案件 {history.case_id} の履歴（{len(history.revisions)}件・古い順）"]
    several = history.several_in_batch()
    for rev, change in zip(history.revisions, history.price_changes(), strict=True):
        current = "（このバッチの現在の版）" if rev.current and rev.batch in several else ""
        price = (yen(rev.price) if rev.price is not None else "—") + price_change_text(change)
        lines.append("")
        lines.append(f"{rev.batch}  基準日 {_date(rev.batch_date)}  第{rev.revision}版{current}"
                     f"  売却価格 {price}  状態 {_state(rev)}")
        if rev.failed_after:
            lines.append("  このバッチの最後の build は失敗しました（この版はそれより前の書類です）")
        if not rev.figures_read:
            lines.append("  case.json を読めないため、金額は表示できません")
        lines += _share_table(rev.creditors)
        lines.append(f"  警告: {_warning_summary(rev)}")
        lines += [f"  {_approval_line(a, tz)}" for a in rev.approvals] or ["  承認: なし"]
    lines += [""] + history.notices if history.notices else []
    return [drop_invisible(line) for line in lines]


def price_change_text(change: int | None) -> str:
    """（前回から△700,000円）, （前回と同じ）, or nothing for the first price. 「△」 is how the
    documents and the review page write a negative amount (``yen``)."""
    if change is None:
        return ""
    if change == 0:
        return "（前回と同じ）"
    return f"（前回から{'+' if change > 0 else ''}{yen(change)}）"


#: Display width of the 配分額 and 残債務 columns (「1,234,567,890円」 fits).
AMOUNT_WIDTH = 16


def _share_table(shares: tuple[CreditorShare, ...]) -> list[str]:
    """債権者 | 配分額 | 残債務, aligned by display width (full-width names take two columns)."""
    if not shares:
        return []
    names = [f"{s.creditor}（{s.position}）" for s in shares]
    width = max(display_width(n) for n in ["債権者", *names])
    lines = [f"  {pad('債権者', width)} {_right('配分額')} {_right('残債務')}"]
    lines += [f"  {pad(n, width)} {_right(yen(s.received))} {_right(yen(s.remaining))}"
              for n, s in zip(names, shares, strict=True)]
    return lines


def _right(text: str) -> str:
    return " " * max(0, AMOUNT_WIDTH - display_width(text)) + text


def _date(iso: str) -> str:
    try:
        return date_text(date.fromisoformat(iso))
    except ValueError:
        return iso


def _state(rev: Revision) -> str:
    if not rev.figures_read:
        return "—"
    return level_label(level_of(rev.status or "ok", [w["severity"] for w in rev.warnings]))


def _warning_summary(rev: Revision) -> str:
    """重要1件・警告2件（控除費用が売却価格を超過、…）, or なし."""
    counts = [f"{level_label(lv)}{n}件" for lv, n in rev.warning_counts().items() if n]
    if not counts:
        return "なし"
    titles = "、".join(dict.fromkeys(w["title"] for w in rev.warnings))
    return f"{'・'.join(counts)}（{titles}）"


def _approval_line(a: ApprovalState, zone: ZoneInfo) -> str:
    state = "有効" if a.stands else "無効（承認後にファイルが変更・削除されています）"
    reason = f"・重要な警告を承知で承認: 理由「{a.override}」" if a.override else ""
    return f"承認: {a.by} {local_time(a.at, zone)}{reason}（{state}）"


# ---------------------------------------------------------------------------------------------
# <batch>/履歴/<case_id>.html
# ---------------------------------------------------------------------------------------------


def history_page_path(case_id: str) -> str:
    """The page of a case, relative to the batch folder (for index.html's link)."""
    return f"{HISTORY_DIR}/{case_id}.html"


def render_history_page(history: CaseHistory, batch: str, zone: str) -> str:
    """The history page of a case as seen from batch ``batch`` (a sandboxed, autoescaped
    template, like index.html: user text prints literally)."""
    return _history_template(zone).render(
        history=history, batch=batch, state=_state, warning_summary=_warning_summary,
        date=_date, changes=history.price_changes(), several=history.several_in_batch(),
        price_change=price_change_text)


@functools.lru_cache(maxsize=4)
def _history_template(zone: str) -> Template:
    """The page's compiled template, once per zone: a build writes hundreds of pages, and
    compiling the template for each was most of their cost."""
    return history_environment(ZoneInfo(zone)).get_template("history.html")


def write_history_pages(batch_dir: Path, case_ids: Iterable[str], zone: str,
                        batches: list[BatchState] | None = None) -> None:
    """Write ``履歴/<case_id>.html`` for each case (each written whole: temp + rename).

    ``batches``: a scan of the output folder to reuse (None: scanned here, once for all)."""
    ids = [c for c in dict.fromkeys(case_ids) if CASE_ID_PATTERN.fullmatch(c)]
    if not ids:
        return
    notices: list[str] = []
    if batches is None:
        batches = scan_batches(batch_dir.parent, notices)
    folder = batch_dir / HISTORY_DIR
    folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
    clean_leftovers(folder)  # a page's temp file of a killed run
    for case_id in ids:
        history = case_history(batch_dir.parent, case_id, batches)
        history.notices = notices
        _replace_page(folder / f"{case_id}.html", render_history_page(history, batch_dir.name, zone))
    fsync_dir(folder)  # once for all the renames (each page's bytes are flushed before its rename)


def _replace_page(path: Path, page: str) -> None:
    """One page whole or not at all: written and flushed under a temporary name, then renamed
    over the old one (``write_atomic`` without its folder flush, done once per build)."""
    temp = path.with_name(f".tmp-{path.name}-{secrets.token_hex(4)}")
    try:
        write_new_file(temp, page.encode("utf-8"))
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def pages_to_write(batch_dir: Path, records: Iterable[InputRecord],
                   processed: Iterable[InputRecord]) -> list[str]:
    """The cases of a build whose history page is written: those built or failed in this run
    (their history changed), and any case of the batch with documents whose page is missing
    (a batch built before the pages existed). An unchanged case keeps its page."""
    changed = {r.case_id for r in processed if r.result != "unchanged"}
    return [r.case_id for r in records if r.case_id and r.folder
            and (r.case_id in changed or not (batch_dir / history_page_path(r.case_id)).exists())]
