"""Month-end batch (月末一括処理): every input workbook → its case folder, then manifest, summary, review.

The imperative shell around ``pipeline.batch.casebuild.build_case`` (style.md point 9):

- one run at a time per batch folder (``pipeline.batch.lock``); leftovers of a killed run are cleared first;
- each case isolated: an exception in one case becomes that case's ``error``, never the batch's end;
- cases built in worker processes, each with one warm ``Renderer`` (``--jobs``; 1 = in-process),
  the largest workbooks first so the slowest cases do not finish last;
- whole or nothing: a case's files go to ``.tmp-<case_id>-<random>/``, are flushed, and the folder
  is renamed into place; an approved folder is never touched (a new revision goes beside it,
  ``pipeline.batch.approve``);
- incremental: a case whose input, configuration, templates, versions and batch date are unchanged
  since the last run (``pipeline.batch.manifest``) is not rebuilt unless ``force``;
- one case id, one folder: when two inputs carry the same 案件番号, the first input (in path order)
  keeps it and every later one fails with a message naming both files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pipeline
from pipeline.batch.atomic import clean_leftovers, make_private_dir, os_error_text
from pipeline.batch.casebuild import build_case
from pipeline.batch.lock import batch_lock
from pipeline.batch.manifest import (
    RESULT_LABELS,
    Approval,
    BuildKey,
    InputRecord,
    Manifest,
    StateFileError,
    load_approvals,
    read_manifest,
    standing_approvals,
    templates_digest,
    write_approvals,
)
from pipeline.batch.plan import SAFE_BATCH_NAME, BatchRun, key_figures
from pipeline.batch.workers import BuildFn, Workers, crashed_outcome
from pipeline.render.fonts import FontNotInstalled, font_digests
from pipeline.render.versions import library_versions


def warm_renderer() -> Any:
    """One ``pipeline.render.Renderer`` per worker (imports WeasyPrint once, keeps fonts warm)."""
    from pipeline.render import Renderer

    return Renderer()


def document_templates() -> Path:
    from pipeline.render import default_templates_dir

    return default_templates_dir()


class BatchError(Exception):
    """The batch cannot run at all (bad batch name, unwritable output folder): exit 2."""


def build_key(batch_date: date, config: Any, templates: Path) -> BuildKey:
    """What besides the workbook decides the documents: versions, rules, config, templates, fonts.

    Library versions come from package metadata and fonts from fontconfig, so no renderer is
    loaded here. Without the fonts no case could be rendered: the batch stops before it starts.
    """
    try:
        fonts = font_digests()
    except FontNotInstalled as exc:
        raise BatchError(str(exc)) from None
    return BuildKey(pipeline.__version__, pipeline.RULES_VERSION, batch_date.isoformat(),
                    config.digest(), templates_digest(templates), library_versions(), fonts)


@dataclass(frozen=True)
class BatchRequest:
    """What ``ninbai build`` was asked to do (inputs already discovered, config already loaded)."""

    inputs: tuple[Path, ...]
    out: Path
    batch: str
    batch_date: date
    jobs: int = 1
    only: tuple[str, ...] = ()
    force: bool = False
    wait: bool = False


@dataclass
class BatchResult:
    batch_dir: Path
    manifest: Manifest
    processed: list[InputRecord]  # this run's inputs, in input order (not the carried-over ones)
    unmatched_only: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # work folders of a killed run, deleted
    seconds: float = 0.0
    notices: list[str] = field(default_factory=list)  # Japanese: a state file damaged, recovered

    def counts(self) -> dict[str, int]:
        """The closing table: built (of which with warnings), failed, unchanged."""
        built = [r for r in self.processed if r.result == "built"]
        return {"built": len(built), "warnings": sum(r.status == "warn" for r in built),
                "failed": sum(r.result == "failed" for r in self.processed),
                "unchanged": sum(r.result == "unchanged" for r in self.processed)}

    @property
    def exit_code(self) -> int:
        """cli.md: 1 when a case of this run failed (the others were built), else 0."""
        return 1 if any(r.status == "error" for r in self.processed) else 0


def progress_line(record: InputRecord, done: int, total: int) -> str:
    """One line per case for a log: case id (or file name), status, warnings; never a name."""
    width = len(str(total))
    return (f"[{done:>{width}}/{total}] {record.label:<20} {record.status:<5} "
            f"警告{len(record.warnings)}件  {RESULT_LABELS[record.result]}")


def closing_lines(result: BatchResult) -> list[str]:
    """The table at the end of ``ninbai build``: built / warnings / failed / unchanged."""
    counts = result.counts()
    lines = [f"  作成      {counts['built']:>5}件", f"  うち警告  {counts['warnings']:>5}件",
             f"  失敗      {counts['failed']:>5}件", f"  変更なし  {counts['unchanged']:>5}件"]
    lines += [f"  失敗: {r.label}（{', '.join(e['code'] for e in r.errors)}）"
              for r in result.processed if r.status == "error"]
    lines.append(f"所要時間 {result.seconds:.1f}秒")
    lines.append(f"確認ページ: {result.batch_dir / 'index.html'}")
    return lines


def run_batch(request: BatchRequest, config: Any, *, build: BuildFn | None = None,
              make_renderer: Callable[[], Any] | None = None,
              report: Callable[[InputRecord, int, int], None] | None = None,
              templates: Path | None = None) -> BatchResult:
    """Build every input of ``request`` into ``<out>/<batch>/``.

    ``report(record, done, total)`` sees each case as it is finished (unchanged ones first).

    ``build`` and ``make_renderer`` default to this module's ``build_case`` and ``warm_renderer``
    (looked up at call time, so a test can substitute them even under the CLI).
    Raises ``BatchLocked`` when another run holds the folder and ``BatchError`` when it cannot run.
    """
    started = time.perf_counter()
    build, make_renderer = build or build_case, make_renderer or warm_renderer
    batch_dir = _batch_dir(request)
    key = build_key(request.batch_date, config, templates or document_templates())
    notices: list[str] = []
    with batch_lock(batch_dir, wait=request.wait):
        leftovers = clean_leftovers(batch_dir)
        run = BatchRun(batch_dir, key, _previous_manifest(batch_dir, notices),
                       _approvals(batch_dir, notices))
        todo, unmatched = run.plan(request)
        progress = _Progress(report, len(run.processed))
        for record in run.unchanged_records():
            progress(record)
        workers = Workers(build, make_renderer, config, request.batch_date)
        for outcome in workers.run(todo, request.jobs):
            progress(run.accept(outcome))
            run.checkpoint()
        manifest = run.finish()
        notices += run.notices
        _write_views(batch_dir, manifest, standing_approvals(batch_dir, run.approvals))
    return BatchResult(batch_dir, manifest, run.processed_records(), unmatched, leftovers,
                       time.perf_counter() - started, notices)


def _previous_manifest(batch_dir: Path, notices: list[str]) -> Manifest | None:
    """The last run's manifest; a damaged one is named and every case is rebuilt."""
    try:
        return read_manifest(batch_dir)
    except StateFileError as exc:
        notices.append(f"注意: {exc}　今回は全案件を作り直します。")
        return None


def _approvals(batch_dir: Path, notices: list[str]) -> list[Approval]:
    """The approvals (raises ``StateFileError`` when they cannot be read at all); one read from
    its copy is written back whole, so approvals.json is good again."""
    before = len(notices)
    approvals = load_approvals(batch_dir, notices)
    if len(notices) > before:
        write_approvals(batch_dir, approvals)
    return approvals


def _batch_dir(request: BatchRequest) -> Path:
    if not SAFE_BATCH_NAME.fullmatch(request.batch):
        raise BatchError(f"バッチ名「{request.batch}」は使えません（英数字・-・_・. のみ、先頭は英数字）。")
    batch_dir = request.out / request.batch
    try:
        make_private_dir(batch_dir)
    except OSError as exc:
        raise BatchError(f"出力フォルダ {batch_dir} を作れません（{os_error_text(exc)}）。") from None
    return batch_dir


class _Progress:
    """Counts finished cases for the ``report`` callback."""

    def __init__(self, report: Callable[[InputRecord, int, int], None] | None, total: int) -> None:
        self.report, self.total, self.done = report, total, 0

    def __call__(self, record: InputRecord) -> None:
        self.done += 1
        if self.report is not None:
            self.report(record, self.done, self.total)


def _write_views(batch_dir: Path, manifest: Manifest, approvals: list[Approval]) -> None:
    """summary.xlsx and index.html, both drawn from the manifest (and the approvals)."""
    from pipeline.batch.review import write_review
    from pipeline.batch.summary import write_summary

    write_summary(batch_dir, manifest)
    write_review(batch_dir, manifest, approvals)

__all__ = ["BatchError", "BatchRequest", "BatchResult", "crashed_outcome", "key_figures",
           "run_batch"]
