"""作り直し: rebuild one case of a batch from the browser, with a warm worker (``ninbai serve``).

``WarmBuilder`` keeps one worker process for the life of the server, started once with a warm
``Renderer`` (WeasyPrint imported, fonts and templates loaded, ``gc.freeze``, glibc's freed
memory kept: ``pipeline.batch.workers``), so a rebuild costs one case's build, not a cold start
(importing WeasyPrint alone is ≈0.5 s). ``rebuild(out_dir, batch, case_id)`` then does what
``ninbai build <its workbook> --only <case> --batch <batch> --date <the batch's date>`` does,
through the same code (``pipeline.batch.run_batch``): the batch lock, the atomic case folder,
revisions (an approved revision is never overwritten: a new ``revN`` appears, or — when the files
are exactly the approved ones — the case stays at its approved revision), the manifest, the
summary and the review page.

Two differences, both so that a click can never lose anything:

- the case is built first (in the warm worker, before the lock) and only a case that built is
  handed to the batch; a workbook that now fails (a cell to correct, a refused scan, a document
  that cannot be drawn) is **refused**: nothing in the batch folder changes, its documents stay
  as they are, and the message names each cell to correct. (``ninbai build`` would retract the
  unapproved documents of a failing workbook; here the person who clicked sees the reason at
  once and corrects the workbook.)
- the batch lock is not waited for long: when a ``build`` or an ``approve`` holds it for more
  than ``lock_wait`` seconds, the rebuild is refused as busy, with nothing changed.

The workbook is the one the manifest records for the case (its path as given to the build); the
batch date is the manifest's. One rebuild runs at a time per ``WarmBuilder`` (one warm worker):
a second click waits for the first. Results are Japanese, for the page; ``log_line`` names the
case by id only, never a person.
"""

from __future__ import annotations

import gc
import multiprocessing
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Self

from pipeline.batch import BatchError, BatchRequest, run_batch, warm_renderer
from pipeline.batch.casebuild import CaseOutcome, build_case
from pipeline.batch.earlier import EarlierBatches
from pipeline.batch.lock import BatchLocked
from pipeline.batch.manifest import (
    InputRecord,
    Manifest,
    StateFileError,
    approval_holds,
    load_approvals,
    read_manifest,
    sha256_bytes,
)
from pipeline.batch.plan import SAFE_BATCH_NAME
from pipeline.batch.review import NOT_THE_WORKBOOK
from pipeline.batch.workers import crashed_outcome, prepare_worker_process
from pipeline.read.issues import Issue
from pipeline.read.workbook import read_input_bytes

#: Seconds a rebuild waits for the batch lock held by a ``build`` or ``approve`` before it is
#: refused as busy (the person clicks again later; nothing was changed).
LOCK_WAIT_SECONDS = 5.0
_LOCK_POLL_SECONDS = 0.1
#: What a rebuild came to, as the page names it.
STATE_LABELS = {
    "built": "作り直しました",
    "same_as_approved": "承認済みと同じ内容",
    "refused": "作り直していません",
    "busy": "使用中",
    "failed": "作り直せませんでした",
}


@dataclass(frozen=True)
class RebuildResult:
    """What one rebuild did.

    ``state``: ``built`` (a new or replaced unapproved revision), ``same_as_approved`` (the
    files are exactly the approved ones: the case stays approved), ``refused`` (not in the batch,
    workbook missing or failing: nothing changed), ``busy`` (the batch lock was held: nothing
    changed) or ``failed`` (the batch could not be written; what was there stays).
    ``message`` is one Japanese paragraph for the page; ``details`` its lines (each cell to
    correct, with its value, as the review page shows it). ``folder`` and ``revision`` are the
    case's current revision afterwards (``""``/0: none). ``seconds``: from the call until the
    files, manifest, summary and review page were written. ``timings``: the build's stages.
    """

    state: str
    case_id: str | None
    message: str
    details: tuple[str, ...] = ()
    folder: str = ""
    revision: int = 0
    approved_revision: int = 0  # the approved earlier revision beside a new one (0: none)
    seconds: float = 0.0
    #: CPU seconds it used: the worker's, its scan-checking children's and this process's (all
    #: its threads): about what ``seconds`` is on an idle core, for benchmarks on a busy machine
    cpu_seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """The case's documents are now those of its workbook as it is."""
        return self.state in ("built", "same_as_approved")

    @property
    def log_line(self) -> str:
        """For the server's log: the case id, the state and the time; no name, no figure."""
        return f"作り直し {self.case_id or '-'}: {STATE_LABELS[self.state]}（{self.seconds:.2f}秒）"


class WarmBuilder:
    """One warm worker process for the server's life, and ``rebuild`` on it (see the module).

    ``config`` is the configuration the batches are built with (the server's ``ninbai.toml``,
    found as ``ninbai build`` finds it), ``templates`` the document templates (None: those in
    use; the office's own merged over the shipped ones, as ``ninbai build`` does, is the
    caller's folder and must live as long as this builder). Use as a context manager, or call
    ``close()``; ``start()`` starts the worker now (else the first rebuild does).

    The worker is started with ``spawn`` (a fresh interpreter; forking a server that runs
    threads could copy a lock another thread holds), so the program's main module must start its
    work under ``if __name__ == "__main__":`` — the ``ninbai`` command and pytest do.
    """

    def __init__(self, config: Any, templates: Path | None = None,
                 lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        self.config, self.templates, self.lock_wait = config, templates, lock_wait
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._worker_cpu = 0.0  # CPU seconds of the worker in the rebuild under way

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, warm_up: Path | None = None) -> None:
        """Start the warm worker and wait until its renderer is loaded.

        ``warm_up``: a workbook to build once, discarding the result (nothing is written), so
        that the first click is as fast as the later ones: a new renderer's first case compiles
        its templates and loads the fonts' tables (measured: 8.0 s for the first case, 4.3–5.0 s
        for the next ones, on a loaded machine). ``any_workbook(out_dir)`` finds one.
        """
        with self._lock:
            self._warm_pool().submit(_ready).result()
            if warm_up is not None:
                self._build(Path(warm_up), date.today())

    def close(self) -> None:
        """Stop the worker (a rebuild in progress finishes first)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None

    def rebuild(self, out_dir: Path, batch: str, case_id: str) -> RebuildResult:
        """Rebuild case ``case_id`` (its 案件番号, or the file name of a workbook that has none
        yet) of ``out_dir/batch`` from its workbook as it is now (see the module)."""
        started = time.perf_counter()
        with self._lock:
            cpu, self._worker_cpu = time.process_time(), 0.0
            result = self._rebuild(Path(out_dir), batch, case_id.strip())
            cpu = time.process_time() - cpu + self._worker_cpu
        return replace(result, seconds=time.perf_counter() - started, cpu_seconds=cpu)

    # -- the steps --------------------------------------------------------------------------

    def _rebuild(self, out_dir: Path, batch: str, case_id: str) -> RebuildResult:
        found = _find_case(out_dir, batch, case_id)
        if isinstance(found, RebuildResult):
            return found
        manifest, record = found
        source = Path(record.path)
        if not source.is_file():
            return _refused(record.case_id, f"ワークブック {source.name} が見つかりません（移動・"
                            "削除されたか、名前が変わっています）。作り直していません。")
        batch_date = date.fromisoformat(manifest.key.batch_date)
        # the figures approved in earlier batches, for the change table: looked up afresh for
        # every rebuild (an approval may have been given since), as ``ninbai build`` does
        earlier = EarlierBatches(out_dir, batch, batch_date)
        read_as = _workbook_digest(source)
        outcome = self._build(source, batch_date, earlier)
        if outcome.status == "error":
            return _not_built(record, source, outcome)
        request = BatchRequest((source,), out_dir, batch, batch_date, jobs=1,
                               only=(record.case_id or source.stem,))
        build = _Prebuilt(outcome, read_as, lambda path: self._build(path, batch_date, earlier))
        return self._commit(request, build, record, outcome, earlier)

    def _warm_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = _new_pool(self.templates)
        return self._pool

    def _build(self, source: Path, batch_date: date,
               earlier: EarlierBatches | None = None) -> CaseOutcome:
        """Build the case in the warm worker; a worker that died is started again once."""
        for attempt in (1, 2):
            pool = self._warm_pool()
            try:
                outcome, cpu = pool.submit(_build_in_worker, source, self.config,
                                           batch_date, earlier).result()
                self._worker_cpu += cpu
                return outcome
            except BrokenProcessPool as exc:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None  # its process died (killed, out of memory): a new one
                if attempt == 2:
                    return crashed_outcome(source, exc)
        raise AssertionError("unreachable")

    def _commit(self, request: BatchRequest, build: _Prebuilt, record: InputRecord,
                outcome: CaseOutcome, earlier: EarlierBatches) -> RebuildResult:
        """Hand the built case to the batch (lock, revision, atomic folder, manifest, views)."""
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                result = run_batch(request, self.config, build=build, make_renderer=_no_renderer,
                                   templates=self.templates, earlier=earlier)
                break
            except BatchLocked:
                if time.monotonic() >= deadline:
                    return RebuildResult(
                        "busy", record.case_id, "このバッチは別の処理（build・承認など）が使用中"
                        "です。少し待ってから、もう一度作り直してください。何も変更していません。")
                time.sleep(_LOCK_POLL_SECONDS)
            except (BatchError, StateFileError) as exc:
                return RebuildResult("failed", record.case_id, f"作り直せませんでした: {exc}")
        done = result.processed[0] if result.processed else None
        if done is None or done.status == "error":
            return _failed_to_write(record, done)
        return _built(request.out / request.batch, done, outcome)


class _Prebuilt:
    """The build function handed to ``run_batch``: the case already built, unless the workbook
    changed since it was read (then it is built again, in the warm worker, under the lock)."""

    def __init__(self, outcome: CaseOutcome, read_as: str,
                 build_again: Callable[[Path], CaseOutcome]) -> None:
        self.outcome, self.read_as, self.build_again = outcome, read_as, build_again

    def __call__(self, source: Path, config: Any, batch_date: date, renderer: Any) -> CaseOutcome:
        if _workbook_digest(source) == self.read_as:
            return self.outcome
        return self.build_again(source)


def _workbook_digest(source: Path) -> str:
    """sha256 of the workbook as the reader reads it ("" when it cannot be read)."""
    try:
        data = read_input_bytes(source)
    except OSError:
        return ""
    return "" if isinstance(data, Issue) else sha256_bytes(data)


def _no_renderer() -> None:
    """The batch process renders nothing: the warm worker built the case."""


# -- finding the case ---------------------------------------------------------------------------


def _find_case(out_dir: Path, batch: str, case_id: str
               ) -> tuple[Manifest, InputRecord] | RebuildResult:
    if not SAFE_BATCH_NAME.fullmatch(batch):
        return _refused(None, f"バッチ名「{batch}」は使えません。")
    try:
        manifest = read_manifest(out_dir / batch)
    except StateFileError as exc:
        return _refused(None, str(exc))
    if manifest is None:
        return _refused(None, f"バッチ {batch} がありません（manifest.json がありません）。")
    record = find_input(manifest, case_id)
    if record is None:
        return _refused(None, f"案件 {case_id} はバッチ {batch} にありません。作り直していません。")
    return manifest, record


def any_workbook(out_dir: Path) -> Path | None:
    """A workbook to warm the worker with: a built input of the newest batch of ``out_dir``
    (by its manifest's time), None when there is none."""
    newest: tuple[str, Path] | None = None
    for manifest_path in Path(out_dir).glob("*/manifest.json"):
        try:
            manifest = read_manifest(manifest_path.parent)
        except StateFileError:
            continue
        if manifest is None:
            continue
        for record in manifest.inputs:
            if record.folder and Path(record.path).is_file() and \
                    (newest is None or manifest.generated_at > newest[0]):
                newest = (manifest.generated_at, Path(record.path))
                break
    return newest[1] if newest else None


def find_input(manifest: Manifest, case_id: str) -> InputRecord | None:
    """The input of ``case_id``: by 案件番号 (the one with documents first), else by the file
    name without .xlsx (a workbook whose 案件番号 could not be read has no id in the manifest)."""
    by_id = [r for r in manifest.inputs if r.case_id == case_id]
    if by_id:
        return max(by_id, key=lambda r: bool(r.folder))
    return next((r for r in manifest.inputs if Path(r.path).stem == case_id), None)


# -- the results --------------------------------------------------------------------------------


def _refused(case_id: str | None, message: str, details: tuple[str, ...] = ()) -> RebuildResult:
    return RebuildResult("refused", case_id, message, details)


def _not_built(record: InputRecord, source: Path, outcome: CaseOutcome) -> RebuildResult:
    """The workbook fails now: nothing is handed to the batch, the documents stay."""
    errors = [i for i in outcome.issues if i.severity == "error"]
    label = record.case_id or source.stem
    stays = "今ある書類はそのままです。" if record.folder else ""
    if errors and all(i.code in NOT_THE_WORKBOOK for i in errors):
        return _refused(record.case_id, f"{label} の書類を作れなかったため、作り直していません。"
                        f"{stays}もう一度試して、続くときはシステム担当者に連絡してください。",
                        tuple(i.message for i in errors))
    return _refused(record.case_id, f"ワークブック {source.name} に直すところがあるため、{label} は"
                    f"作り直していません。{stays}次のところを直してから、もう一度作り直してください。",
                    tuple(_problem_line(i) for i in errors))


def _problem_line(issue: Issue) -> str:
    """「債権者!D7: 元金残高を読めません…」 (the sheet and cell, without the file's name)."""
    where = issue.where
    if where is not None and where.sheet:
        place = f"{where.sheet}!{where.cell}" if where.cell else f"{where.sheet}シート"
        return f"{place}: {issue.message}"
    return issue.message


def _failed_to_write(record: InputRecord, done: InputRecord | None) -> RebuildResult:
    """The batch refused the built case (a staff file in the way, a disk full …); what was
    there stays (``KEEPS_DOCUMENTS``)."""
    details = tuple(e.get("message", "") for e in done.errors) if done is not None else ()
    return RebuildResult("failed", record.case_id, "書類を出力フォルダに書き込めなかったため、"
                         "作り直せませんでした。", details, done.folder if done else "",
                         done.revision if done else 0)


def _built(batch_dir: Path, done: InputRecord, outcome: CaseOutcome) -> RebuildResult:
    """Built: a new revision beside an approved one, a replaced unapproved one, or the
    approved one itself (the same files)."""
    case_id, revision = done.case_id or "", done.revision
    approvals = [a for a in load_approvals(batch_dir) if a.case_id == case_id
                 and approval_holds(batch_dir, a)]
    timings = dict(outcome.timings)
    if any(a.folder == done.folder for a in approvals):
        return RebuildResult("same_as_approved", case_id, f"{case_id} を作り直しました。書類は承認"
                             f"済みの第{revision}版と同じ内容のため、承認済みのままです。",
                             folder=done.folder, revision=revision, timings=timings)
    earlier = max((a.revision for a in approvals if a.revision < revision), default=0)
    if earlier:
        message = (f"{case_id} を作り直しました。承認済みの第{earlier}版はそのまま残し、新しい"
                   f"第{revision}版を作りました。変更点を確かめてから承認してください。")
    else:
        message = f"{case_id} を作り直しました（第{revision}版・未承認）。書類を確かめてから承認してください。"
    return RebuildResult("built", case_id, message, folder=done.folder, revision=revision,
                         approved_revision=earlier, timings=timings)


# -- in the worker process ----------------------------------------------------------------------

_renderer: Any = None
_setup_error: Exception | None = None


def _start_worker(templates: Path | None) -> None:
    """The warm worker's start: as the batch's workers (``prepare_worker_process``), one
    renderer for its whole life, then everything loaded so far frozen out of the collector."""
    global _renderer, _setup_error
    prepare_worker_process()
    try:
        _renderer = warm_renderer(templates)
    except Exception as exc:  # noqa: BLE001 - every rebuild reports it as the case's failure
        _setup_error = exc
    gc.freeze()


def _ready() -> bool:
    return _renderer is not None or _setup_error is not None


def _build_in_worker(source: Path, config: Any, batch_date: date,
                     earlier: EarlierBatches | None = None) -> tuple[CaseOutcome, float]:
    """The case's outcome and the CPU seconds it took (this process and its children)."""
    before = _cpu_seconds()
    if _setup_error is not None:
        outcome = crashed_outcome(source, _setup_error)
    else:
        try:
            outcome = build_case(source, config, batch_date, _renderer, earlier=earlier)
        except Exception as exc:  # noqa: BLE001 - a case's failure is its result, not the server's
            outcome = crashed_outcome(source, exc)
    return outcome, _cpu_seconds() - before


def _cpu_seconds() -> float:
    """User and system CPU of this process and of its children that ended (the scan checker)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _new_pool(templates: Path | None) -> ProcessPoolExecutor:
    # spawn, not fork: the server runs threads, and a forked copy of a threaded process may
    # inherit a lock some other thread held at that moment.
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker, initargs=(templates,))

