"""Month-end batch (月末一括処理): every input workbook → its case folder, then manifest, summary, review.

The imperative shell around ``pipeline.batch.casebuild.build_case`` (docs/conventions.md §9):

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
  keeps it and every later one fails with a message naming both files;
- it never prints: progress goes to the caller as ``CaseDone`` events, and the terminal output
  (progress bar or lines, the closing table) is ``pipeline.cli``'s;
- an unchanged rerun loads no renderer: WeasyPrint and docxtpl are imported only in a process that
  builds a case (``warm_renderer``), and workers are started only when there is a case to build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import pipeline
from pipeline.batch import casebuild
from pipeline.batch.atomic import clean_leftovers, make_private_dir, os_error_text
from pipeline.batch.casebuild import build_case
from pipeline.batch.earlier import EarlierBatches
from pipeline.batch.lock import batch_lock
from pipeline.batch.manifest import (
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
from pipeline.batch.plan import SAFE_BATCH_NAME, BatchRun, only_case_ids, unmatched_only
from pipeline.batch.workers import BuildFn, Workers, crashed_outcome
from pipeline.render.fonts import FontNotInstalled, font_digests
from pipeline.render.versions import library_versions


def warm_renderer(templates: Path | None = None) -> Any:
    """One ``pipeline.render.Renderer`` per worker (imports WeasyPrint once, keeps fonts warm),
    on ``templates`` (None: the templates in use, ``default_templates_dir``).

    Called only where a case is built, so a run with nothing to build never imports a renderer.
    """
    from pipeline.render import Renderer

    return Renderer(templates)


def document_templates() -> Path:
    from pipeline.render import default_templates_dir

    return default_templates_dir()


class BatchError(Exception):
    """The batch cannot run at all (bad batch name, unwritable output folder): exit 2."""


def build_key(batch_date: date, config: Any, templates: Path | None = None) -> BuildKey:
    """What besides the workbook decides the documents: versions, rules, config, templates, fonts.

    Library versions come from package metadata and fonts from fontconfig, so no renderer is
    loaded here. Without the fonts no case could be rendered: the batch stops before it starts.
    """
    try:
        fonts = font_digests()
    except FontNotInstalled as exc:
        raise BatchError(str(exc)) from None
    return BuildKey(pipeline.__version__, pipeline.RULES_VERSION, batch_date.isoformat(),
                    config.digest(), templates_digest(templates or document_templates()),
                    library_versions(), fonts)


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
        """docs/cli.md: 1 when a case of this run failed (the others were built), else 0."""
        return 1 if any(r.status == "error" for r in self.processed) else 0


@dataclass(frozen=True)
class CaseDone:
    """Progress event: one more input of this run is finished, ``done`` of ``total`` so far.

    Unchanged inputs are reported first, then each built or failed one as it finishes. The
    record names the debtor in its key figures: a progress display shows ``record.label``.
    """

    record: InputRecord
    done: int
    total: int


def run_batch(request: BatchRequest, config: Any, *, build: BuildFn | None = None,
              make_renderer: Callable[[], Any] | None = None,
              report: Callable[[CaseDone], None] | None = None,
              templates: Path | None = None,
              earlier: EarlierBatches | None = None) -> BatchResult:
    """Build every input of ``request`` into ``<out>/<batch>/``.

    ``report`` receives a ``CaseDone`` for each case as it is finished (unchanged ones first).
    On ``KeyboardInterrupt`` (Ctrl-C) the manifest keeps the cases finished so far, whole, and the
    interrupt goes on to the caller; summary.xlsx and index.html stay as the last whole run left
    them.

    ``build`` and ``make_renderer`` default to this module's ``build_case`` and ``warm_renderer``
    (looked up at call time, so a test can substitute them even under the CLI). ``templates``:
    the folder of the document templates (None: ``document_templates()``), for the renderer and
    the build key alike.
    Raises ``BatchLocked`` when another run holds the folder and ``BatchError`` when it cannot run.
    """
    started = time.perf_counter()
    build = build or build_case
    # The figures approved in earlier batches of the output folder (the change table), looked up
    # by the real build only: a test's own build function takes the four arguments it always had.
    # ``earlier`` given: the caller's build looked them up already (the server's warm rebuild).
    if earlier is None and build is casebuild.build_case:
        earlier = EarlierBatches(request.out, request.batch, request.batch_date)
        build = partial(casebuild.build_case, earlier=earlier)
    if make_renderer is None:  # a picklable factory: the workers call it
        make_renderer = partial(warm_renderer, templates) if templates else warm_renderer
    case_ids = _check_only(request)
    batch_dir = _batch_dir(request)
    key = build_key(request.batch_date, config, templates)
    notices: list[str] = []
    with batch_lock(batch_dir, wait=request.wait):
        leftovers = clean_leftovers(batch_dir)
        previous = _previous_manifest(batch_dir, notices)
        run = BatchRun(batch_dir, key, previous, _approvals(batch_dir, notices),
                       getattr(config, "attachment_limits", None),  # None: a test double
                       earlier)
        todo, unmatched = run.plan(request, case_ids)
        progress = _Progress(report, len(run.processed))
        for record in run.unchanged_records():
            progress(record)
        workers = Workers(build, make_renderer, config, request.batch_date)
        outcomes = workers.run(todo, request.jobs)
        try:
            for outcome in outcomes:
                progress(run.accept(outcome))
                run.checkpoint()
        except KeyboardInterrupt:
            outcomes.close()  # stops the workers now, not when the interrupt is garbage
            run.checkpoint(now=True)  # the next run need not redo what was finished
            raise
        manifest = run.finish()
        notices += run.notices
        _write_views(batch_dir, manifest, run.approvals, previous, config.review.timezone)
        _write_histories(batch_dir, manifest, run.processed_records(), config.review.timezone)
    return BatchResult(batch_dir, manifest, run.processed_records(), unmatched, leftovers,
                       time.perf_counter() - started, notices)


def _check_only(request: BatchRequest) -> dict[str, str | None]:
    """The inputs' 案件番号 for ``--only``; when no value selects any input, the run stops before
    a batch folder exists (an empty batch would only look like a finished month)."""
    case_ids = only_case_ids(request.only, request.inputs)
    if not request.only:
        return case_ids
    try:
        previous = read_manifest(request.out / request.batch)
    except StateFileError:
        previous = None
    if len(unmatched_only(request.only, request.inputs, case_ids, previous)) == len(request.only):
        raise BatchError(f"--only {'、'.join(request.only)} に一致する案件がありません（入力の"
                         "ファイル名・ワークブックの案件番号のどちらとも一致しません）。"
                         "何も作成していません")
    return case_ids


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

    def __init__(self, report: Callable[[CaseDone], None] | None, total: int) -> None:
        self.report, self.total, self.done = report, total, 0

    def __call__(self, record: InputRecord) -> None:
        self.done += 1
        if self.report is not None:
            self.report(CaseDone(record, self.done, self.total))


def _write_views(batch_dir: Path, manifest: Manifest, recorded: list[Approval],
                 previous: Manifest | None, zone: str) -> None:
    """summary.xlsx and index.html, both drawn from the manifest and the standing approvals of
    those ``recorded``; the summary is left as it is when the previous manifest gives it the
    same rows."""
    from pipeline.batch.review import write_review
    from pipeline.batch.summary import write_summary

    # Only under the same key: another version of ninbai may lay the summary out differently.
    same = previous is not None and previous.key == manifest.key
    approvals = standing_approvals(batch_dir, recorded)
    write_summary(batch_dir, manifest, previous.inputs if same and previous else None,
                  approvals, zone, recorded)
    write_review(batch_dir, manifest, approvals, zone)


def _write_histories(batch_dir: Path, manifest: Manifest, processed: list[InputRecord],
                     zone: str) -> None:
    """履歴/<case_id>.html of the cases this run changed (pipeline.batch.history)."""
    from pipeline.batch.history import pages_to_write, write_history_pages

    write_history_pages(batch_dir, pages_to_write(batch_dir, manifest.inputs, processed), zone)

__all__ = ["BatchError", "BatchRequest", "BatchResult", "CaseDone", "crashed_outcome",
           "run_batch"]
