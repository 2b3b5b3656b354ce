"""The review (確認): index.html and ``ninbai review``, the batch's cases most severe first.

Both are drawn from manifest.json and approvals.json. Each case shows its status (in Japanese,
from the one table pipeline.read.issues.LEVEL_LABELS), key figures, every warning and error in
Japanese, links to its PDF and Word files, and its approval state; a case approved earlier and
rebuilt since shows the approved revision too. The page opens with a summary (counts per status,
the cases to look at first, filters), shows times in local time (``[review] timezone``), names the
input by its file name only, and tells what to do next for a failed case. It is a Jinja template
(templates/review/index.html) rendered sandboxed with autoescape, so user text such as
``<script>`` or ``{{ x }}`` in a name prints literally; it uses no external resource and its only
script is its own filter, so it works from ``file://``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

import pipeline
from pipeline.batch.atomic import write_atomic
from pipeline.batch.manifest import (
    RESULT_LABELS,
    Approval,
    InputRecord,
    Manifest,
    StateFileError,
    approved_folders,
)
from pipeline.batch.sent import Sending, latest_sent, load_sent
from pipeline.compute.deadlines import DEFAULT_DAYS, Deadline, Due, due_deadlines
from pipeline.compute.money import exact, floor_1dp, yen
from pipeline.compute.warnings import CATALOGUE, warning_title
from pipeline.documents.format import months, years
from pipeline.read.issues import (
    LEVEL_LABELS,
    LEVELS,
    SEVERITY_RANK,
    level_label,
    message_without_raw,
)
from pipeline.text import drop_invisible, finalize, pad

INDEX_NAME = "index.html"
#: Each case's history page, ``<batch>/履歴/<case_id>.html`` (pipeline.batch.history). A name no
#: 案件番号 can take (ids are ASCII), so the pages never land in a case folder: ``history`` is a
#: valid 案件番号.
HISTORY_DIR = "履歴"
REVIEW_TEMPLATES = pipeline.shipped_templates() / "review"
#: The zone of the page's times when the caller has no configuration (``[review] timezone``).
DEFAULT_ZONE = "Asia/Tokyo"
KIND_LABELS = {"cover_letter": "送付状", "sale_request": "任意売却に関する同意申請書",
               "household_statement": "生活状況表", "repayment_proposal": "残債務の返済に関する申出書"}
#: Short, value-free titles of the warnings raised outside the rules' catalogue (the reader's
#: and the renderer's), for the terminal: their messages may quote what a cell holds.
OTHER_TITLES = {
    "value_without_label": "項目名のない値（無視しました）",
    "unknown_label": "様式にない項目（無視しました）",
    "extra_column": "様式にない列（無視しました）",
    "priority_ignored": "差押以外の行の「優先」（無視しました）",
    "monthly_payment_ignored": "無担保以外の行の月返済額（無視しました）",
    "render_warning": "書類の作成時の注意",
}
#: Errors that are not a mistake in the workbook: writing or building went wrong.
NOT_THE_WORKBOOK = frozenset({"build_crashed", "output_failed", "output_conflict", "render_failed"})


@dataclass(frozen=True)
class ReviewCase:
    """One input as the review shows it."""

    record: InputRecord
    level: str
    approval: Approval | None  # approval of the current revision
    earlier: list[Approval] = field(default_factory=list)  # approved earlier revisions

    @property
    def label(self) -> str:
        return self.record.label

    @property
    def warnings(self) -> list[dict]:
        """The case's warnings, most severe first (the page and the terminal show them so)."""
        return sorted(self.record.warnings,
                      key=lambda w: SEVERITY_RANK.get(w.get("severity", ""), 9))


def case_level(record: InputRecord) -> str:
    """error for a failed case, else its most severe warning (high, warn, info), else ok."""
    return record.level


def review_cases(manifest: Manifest, approvals: list[Approval]) -> list[ReviewCase]:
    """Every input of the batch, most severe first, then by case id (or file name)."""
    by_folder = approved_folders(approvals)
    by_case: dict[str, list[Approval]] = {}
    for approval in by_folder.values():
        by_case.setdefault(approval.case_id, []).append(approval)
    cases = [ReviewCase(r, case_level(r), by_folder.get(r.folder) if r.folder else None,
                        _earlier(r, by_case)) for r in manifest.inputs]
    return sorted(cases, key=lambda c: (LEVELS.index(c.level), c.label))


def _earlier(record: InputRecord, by_case: dict[str, list[Approval]]) -> list[Approval]:
    """The case's approved revisions other than its current one. Grouped by case first: looking
    through every approval for every case took ≈0.2 s of each server page at 1,000 cases."""
    if not record.case_id:
        return []
    return sorted((a for a in by_case.get(record.case_id, []) if a.folder != record.folder),
                  key=lambda a: a.revision)


# ---------------------------------------------------------------------------------------------
# index.html
# ---------------------------------------------------------------------------------------------


def href(path: str) -> str:
    """A relative link to a file of the batch folder (percent-encoded: Japanese file names)."""
    return "/".join(_quoted(part) for part in path.split("/"))


@functools.lru_cache(maxsize=4096)
def _quoted(part: str) -> str:
    """One path component, encoded once: the same document names recur in every case folder
    (encoding 13,000 links one by one was a fifth of index.html at 1,000 cases)."""
    return quote(part, safe="")


def approved_links(approval: Approval) -> list[dict]:
    """Links to the PDF and Word files of an approved revision, from its recorded file names."""
    names = sorted(n for n in approval.files if n.endswith((".pdf", ".docx")))
    return [{"name": n, "path": f"{approval.folder}/{n}"} for n in names]


def local_time(stamp: str, zone: ZoneInfo) -> str:
    """A UTC ISO time of the manifest or of an approval as staff read it: 2026年11月30日 18:15
    in ``zone`` (a time recorded without a zone is UTC; an unreadable one is shown as it is)."""
    try:
        moment = datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    local = moment.astimezone(zone)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def zone_label(zone: ZoneInfo) -> str:
    """How the page names its time zone: 日本時間, or the zone's name elsewhere."""
    return "日本時間" if zone.key == DEFAULT_ZONE else zone.key


def problem_place(problem: dict) -> str:
    """Where a problem is: 債権者!D7, a sheet (債権者シート), or "" for the whole file."""
    sheet, cell = problem.get("sheet"), problem.get("cell")
    if sheet and cell:
        return f"{sheet}!{cell}"
    return f"{sheet}シート" if sheet else ""


@dataclass(frozen=True)
class NextStep:
    """What staff do about a failed case (次にすること): the cells to correct, or a rebuild."""

    text: str
    fixes: list[dict]  # {"place", "message"}: each problem, its place and its full message


def next_step(record: InputRecord) -> NextStep:
    """For a failed case: correct these cells (or the file) and build again; for a failure that
    is not the workbook's, build again and call the system contact if it persists."""
    name = Path(record.path).name
    fixes = [{"place": problem_place(e) or "ファイル全体", "message": e.get("message", "")}
             for e in record.errors]
    if record.errors and all(e.get("code") in NOT_THE_WORKBOOK for e in record.errors):
        return NextStep("書類の作成・書き込みで問題が起きました。もう一度 ninbai build を実行して"
                        "ください。続くときはシステム担当者に連絡してください。", fixes)
    if any(e.get("sheet") and e.get("cell") for e in record.errors):
        return NextStep(f"ワークブック {name} の次のセルを直して、もう一度 ninbai build を実行して"
                        "ください。", fixes)
    return NextStep(f"ワークブック {name} を次のとおり直して、もう一度 ninbai build を実行して"
                    "ください。", fixes)


@functools.lru_cache(maxsize=8)  # a server redraws the page at every action: compile it once
def _environment(zone: ZoneInfo) -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(REVIEW_TEMPLATES), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               finalize=finalize)
    env.filters.update(yen=yen, href=href, warning_title=warning_title, period=repayment_period,
                       local_time=lambda stamp: local_time(stamp, zone),
                       file_name=lambda path: Path(path).name, level_label=level_label)
    env.globals.update(level_labels=LEVEL_LABELS, result_labels=RESULT_LABELS, kind_labels=KIND_LABELS,
                       approved_links=approved_links, next_step=next_step,
                       zone_label=zone_label(zone))
    return env


def history_environment(zone: ZoneInfo) -> SandboxedEnvironment:
    """The environment of the history pages (pipeline.batch.history): the same filters."""
    return _environment(zone)


def render_index(manifest: Manifest, approvals: list[Approval], zone: str = DEFAULT_ZONE,
                 sent: list[Sending] | None = None) -> str:
    """The page of the batch; its times in ``zone`` (``[review] timezone`` of the configuration);
    ``sent``: the 送付 records (sent.json), each packet shown with its latest."""
    cases = review_cases(manifest, approvals)
    counts = {level: sum(c.level == level for c in cases) for level in LEVELS}
    with_documents = [c for c in cases if c.record.folder and c.record.status != "error"]
    approved = sum(c.approval is not None for c in with_documents)
    return _environment(ZoneInfo(zone)).get_template(INDEX_NAME).render(
        manifest=manifest, cases=cases, counts=counts, levels=LEVELS,
        approved=approved, pending=len(with_documents) - approved,
        urgent=[c for c in cases if c.level in ("error", "high")],
        tool_version=pipeline.__version__, sent=latest_sent(sent or []),
        **_deadline_block(manifest, cases))


def _deadline_block(manifest: Manifest, cases: list[ReviewCase]) -> dict:
    """The page's 期限 list: the batch's built cases' deadlines due from the batch date
    (``due_deadlines``, the one selection of ``ninbai deadlines``), each linked to its case."""
    due = cases_due(cases, date.fromisoformat(manifest.key.batch_date))
    anchors = {c.record.case_id: f"case-{i}" for i, c in enumerate(cases, start=1)}
    return {"deadlines": due, "deadline_anchors": anchors, "deadline_days": DEFAULT_DAYS,
            "history_page": lambda case_id: f"{HISTORY_DIR}/{case_id}.html"}


def cases_due(cases: list[ReviewCase], today: date) -> list[Due]:
    """The 期限 of the batch's built cases due from ``today``: each case's open deadlines as its
    manifest record carries them (``InputRecord.deadlines``, the list case.json has), chosen and
    ordered by the one selection of ``ninbai deadlines`` (``due_deadlines``). index.html and the
    server's batch page both list these, so the two agree (and the server reads no case.json)."""
    return due_deadlines(((c.record.case_id, [Deadline.from_json(d) for d in c.record.deadlines])
                          for c in cases if c.record.case_id and c.record.status != "error"),
                         today, DEFAULT_DAYS)


def write_review(batch_dir: Path, manifest: Manifest, approvals: list[Approval],
                 zone: str = DEFAULT_ZONE) -> None:
    write_atomic(batch_dir / INDEX_NAME,
                 render_index(manifest, approvals, zone, _sent_or_none(batch_dir)).encode("utf-8"))


def _sent_or_none(batch_dir: Path) -> list[Sending]:
    """The 送付 records for the page; an unreadable sent.json only leaves the column empty here
    (the server and the next 送付 say it is damaged, and nothing rewrites it meanwhile)."""
    try:
        return load_sent(batch_dir)
    except StateFileError:
        return []


# ---------------------------------------------------------------------------------------------
# ninbai review (terminal)
# ---------------------------------------------------------------------------------------------


def review_lines(cases: list[ReviewCase], details: bool = False,
                 zone: str = DEFAULT_ZONE) -> list[str]:
    """The terminal form: one line per case (id, 状態 in Japanese, file, approval), then its
    errors and warnings, each with its place.

    By default an error is its message without the quoted cell value (``message_without_raw``)
    and a warning its short title — no names, no amounts, so the terminal (and anything that
    captures it) carries nothing private. ``details`` prints the full Japanese messages, figures
    included, for a member of staff at their own screen.
    """
    lines = []
    for case in cases:
        record = case.record
        state = approval_text(case.approval, ZoneInfo(zone)) if record.folder else "書類なし"
        lines.append(f"{case.label:<20} {pad(level_label(case.level), 8)} "
                     f"{Path(record.path).name}  {state}")
        lines += [f"    [{level_label('error')}] {_error_text(e, details)}" for e in record.errors]
        lines += [f"    [{level_label(w.get('severity', 'warn'))}] {_warning_text(w, details)}"
                  for w in case.warnings]
    return [drop_invisible(line) for line in lines]  # a file name may hold U+202E


#: A message's input example, 「（例: 1,400,000 / 1400万円）」: help for the person at the review
#: page, but figures in a log, where they cannot be told from a case's own amounts.
_EXAMPLE = re.compile(r"[（(]例[:：][^）)]*[）)]")


def error_summary(problem: dict) -> str:
    """An error for a log: its place and its message without the cell's value and without the
    input example (「債権者!D7 元金残高を読めません。金額で入力してください」); a fixed text when the
    value cannot be taken out. The full message is on the review page."""
    place = problem_place(problem)
    text = message_without_raw(problem.get("message", ""), problem.get("raw"))
    text = "この値を読めません（内容は確認ページで）" if text is None else _EXAMPLE.sub("", text)
    return f"{place} {text}" if place else text


def _error_text(problem: dict, details: bool) -> str:
    if details:
        return problem.get("text") or problem["message"]
    return error_summary(problem)


def _warning_text(problem: dict, details: bool) -> str:
    if details:
        return problem.get("text") or problem["message"]
    code = problem.get("code", "")
    title = warning_title(code) if code in CATALOGUE else OTHER_TITLES.get(code, "確認が必要な点")
    place = problem_place(problem)
    return f"{place} {title}" if place else title  # place first, as errors are


def repayment_period(n: int) -> str:
    """最長返済期間 for staff, in full: ``1819`` → 「1,819回（151.5年）」, 0 (no plan) → 「—」.
    The letters may say only 「当面の月額」 past the period cap (docs/rules.md §4)."""
    if not n:
        return "—"
    return f"{months(n)}（{years(floor_1dp(exact(n) / 12))}）"


def approval_text(approval: Approval | None, zone: ZoneInfo | None = None) -> str:
    """承認済み（佐藤 花子 2026年11月30日 18:15）or 未承認, the time in ``zone`` (default 日本時間).

    The reason of an --override is free text (it may name the debtor): the page shows it, the
    terminal says only that there is one.
    """
    if approval is None:
        return "未承認"
    despite = "・重要な警告を承知で承認" if approval.override else ""
    when = local_time(approval.at, zone or ZoneInfo(DEFAULT_ZONE))
    return f"承認済み（{approval.by} {when}{despite}）"


def _approval_json(approval: Approval) -> dict:
    """who and when; with the reason and warning codes when it overrode 重要 warnings."""
    data: dict = {"by": approval.by, "at": approval.at}
    if approval.override:
        data.update(override=approval.override, overridden=approval.overridden)
    return data


def review_json(cases: list[ReviewCase]) -> list[dict]:
    """``ninbai review --json``: one object per case, most severe first (codes for tools, with
    the Japanese ``level_label``)."""
    return [{"case_id": c.record.case_id, "file": c.record.path, "level": c.level,
             "level_label": level_label(c.level),
             "status": c.record.status, "folder": c.record.folder,
             "revision": c.record.revision, "errors": c.record.errors,
             "warnings": c.record.warnings,
             "packets": packets_json(c.record),
             "approved": _approval_json(c.approval) if c.approval else None}
            for c in cases]


def packets_json(record: InputRecord) -> list[dict]:
    """What will be sent (送付書類一式): per packet its addressee, path (relative to the batch
    folder), pages and sha256, as the manifest records them (what ``approve`` checks and
    ``export`` copies)."""
    digests = {o["path"]: o.get("sha256") for o in record.outputs}
    return [{"addressee": p["addressee"], "path": p["pdf"], "pages": p["pages"],
             "sha256": digests.get(p["pdf"])} for p in record.packets]
