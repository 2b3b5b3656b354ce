"""The review (確認): index.html and ``ninbai review``, the batch's cases most severe first.

Both are drawn from manifest.json and approvals.json. Each case shows its status, key figures,
every warning and error in Japanese, links to its PDF and Word files, and its approval state; a
case approved earlier and rebuilt since shows the approved revision too. The page is a Jinja
template (templates/review/index.html) rendered sandboxed with autoescape, so user text such as
``<script>`` or ``{{ x }}`` in a name prints literally; it uses no external resource, so it works
from ``file://``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

import pipeline
from pipeline.batch.atomic import write_atomic
from pipeline.batch.manifest import RESULT_LABELS, Approval, InputRecord, Manifest, approved_folders
from pipeline.compute.money import yen
from pipeline.compute.warnings import warning_title
from pipeline.read.issues import SEVERITY_RANK
from pipeline.text import drop_invisible, finalize

INDEX_NAME = "index.html"
REVIEW_TEMPLATES = pipeline.shipped_templates() / "review"
#: Order of the review, most severe first: a failed case, then its worst warning, then clean.
LEVELS: tuple[str, ...] = ("error", "high", "warn", "info", "ok")
LEVEL_LABELS = {"error": "エラー", "high": "重要", "warn": "警告", "info": "参考", "ok": "問題なし"}
KIND_LABELS = {"sale_request": "任意売却に関する同意申請書", "household_statement": "生活状況表",
               "repayment_proposal": "残債務の返済に関する申出書"}


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
    if record.status == "error":
        return "error"
    severities = [w.get("severity", "warn") for w in record.warnings]
    return min(severities, key=lambda s: SEVERITY_RANK.get(s, 2), default="ok")


def review_cases(manifest: Manifest, approvals: list[Approval]) -> list[ReviewCase]:
    """Every input of the batch, most severe first, then by case id (or file name)."""
    by_folder = approved_folders(approvals)
    cases = [ReviewCase(r, case_level(r), by_folder.get(r.folder) if r.folder else None,
                        _earlier(r, by_folder)) for r in manifest.inputs]
    return sorted(cases, key=lambda c: (LEVELS.index(c.level), c.label))


def _earlier(record: InputRecord, by_folder: dict[str, Approval]) -> list[Approval]:
    if not record.case_id:
        return []
    return sorted((a for folder, a in by_folder.items()
                   if a.case_id == record.case_id and folder != record.folder),
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


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(loader=FileSystemLoader(REVIEW_TEMPLATES), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                               finalize=finalize)
    env.filters.update(yen=yen, href=href, warning_title=warning_title)
    env.globals.update(level_labels=LEVEL_LABELS, result_labels=RESULT_LABELS, kind_labels=KIND_LABELS,
                       approved_links=approved_links)
    return env


def render_index(manifest: Manifest, approvals: list[Approval]) -> str:
    cases = review_cases(manifest, approvals)
    counts = {level: sum(c.level == level for c in cases) for level in LEVELS}
    return _environment().get_template(INDEX_NAME).render(
        manifest=manifest, cases=cases, counts=counts, levels=LEVELS,
        tool_version=pipeline.__version__)


def write_review(batch_dir: Path, manifest: Manifest, approvals: list[Approval]) -> None:
    write_atomic(batch_dir / INDEX_NAME, render_index(manifest, approvals).encode("utf-8"))


# ---------------------------------------------------------------------------------------------
# ninbai review (terminal)
# ---------------------------------------------------------------------------------------------


def review_lines(cases: list[ReviewCase], details: bool = False) -> list[str]:
    """The terminal form: one line per case (id, level, status), then its errors and warnings.

    By default each problem is its code, a short title and the cell — no names, no amounts, so
    the terminal (and anything that captures it) carries nothing private. ``details`` prints the
    full Japanese messages, figures included, for a member of staff at their own screen.
    """
    lines = []
    for case in cases:
        record = case.record
        state = _approval_text(case.approval) if record.folder else "書類なし"
        lines.append(f"{case.label:<20} {LEVEL_LABELS[case.level]:<6} {record.status:<5} "
                     f"{Path(record.path).name}  {state}")
        lines += [f"    [エラー] {_problem_text(e, details)}" for e in record.errors]
        lines += [f"    [{LEVEL_LABELS.get(w['severity'], w['severity'])}] {_problem_text(w, details)}"
                  for w in case.warnings]
    return [drop_invisible(line) for line in lines]  # a file name may hold U+202E


def _problem_text(problem: dict, details: bool) -> str:
    # imported here: the warning titles live with the rules, which a build's main process (and
    # index.html) does not otherwise need — importing them took ≈0.2 s of every ninbai build

    if details:
        return problem.get("text") or problem["message"]
    place = f"{problem['sheet']}!{problem['cell']}" if problem.get("sheet") and problem.get("cell") \
        else (problem.get("sheet") or "")
    title = warning_title(problem["code"])
    return " ".join(p for p in (problem["code"], title if title != problem["code"] else "", place)
                    if p)


def _approval_text(approval: Approval | None) -> str:
    # the reason of an --override is free text (it may name the debtor): the page shows it,
    # the terminal says only that there is one
    if approval is None:
        return "未承認"
    despite = "・重要な警告を承知で承認" if approval.override else ""
    return f"承認済み（{approval.by} {approval.at}{despite}）"


def _approval_json(approval: Approval) -> dict:
    """who and when; with the reason and warning codes when it overrode 重要 warnings."""
    data: dict = {"by": approval.by, "at": approval.at}
    if approval.override:
        data.update(override=approval.override, overridden=approval.overridden)
    return data


def review_json(cases: list[ReviewCase]) -> list[dict]:
    """``ninbai review --json``: one object per case, most severe first."""
    return [{"case_id": c.record.case_id, "file": c.record.path, "level": c.level,
             "status": c.record.status, "folder": c.record.folder,
             "revision": c.record.revision, "errors": c.record.errors,
             "warnings": c.record.warnings,
             "approved": _approval_json(c.approval) if c.approval else None}
            for c in cases]
