"""Month-end batch (月末一括処理): every input workbook → its case folder, then manifest, summary, review.

The imperative shell around ``pipeline.batch.casebuild.build_case`` (style.md point 9):

- one run at a time per batch folder (``pipeline.batch.lock``); leftovers of a killed run are deleted first;
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

import ctypes
import ctypes.util
import gc
import os
import re
import shutil
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pipeline
from pipeline.batch.approve import next_revision, revision_folder
from pipeline.batch.atomic import (
    clean_leftovers,
    install_dir,
    make_private_dir,
    new_work_dir,
    write_new_file,
)
from pipeline.batch.casebuild import CaseOutcome, build_case
from pipeline.batch.lock import batch_lock
from pipeline.batch.manifest import (
    RESULT_LABELS,
    Approval,
    BuildKey,
    InputRecord,
    Manifest,
    approved_folders,
    load_approvals,
    load_manifest,
    outputs_match,
    sha256_bytes,
    sha256_file,
    templates_digest,
    write_manifest,
)
from pipeline.read.issues import Issue

#: case-workbook.md 案件番号; checked again here because the id becomes a folder name.
SAFE_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
SAFE_BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: Seconds between manifest checkpoints, so a killed long run keeps most of its work.
CHECKPOINT_SECONDS = 10.0

BuildFn = Callable[[Path, Any, date, Any], CaseOutcome]


def warm_renderer() -> Any:
    """One ``pipeline.render.Renderer`` per worker (imports WeasyPrint once, keeps fonts warm)."""
    from pipeline.render import Renderer

    return Renderer()


def document_templates() -> Path:
    from pipeline.render import default_templates_dir

    return default_templates_dir()


class BatchError(Exception):
    """The batch cannot run at all (bad batch name, unwritable output folder): exit 2."""


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
    key = BuildKey(pipeline.__version__, pipeline.RULES_VERSION, request.batch_date.isoformat(),
                   config.digest(), templates_digest(templates or document_templates()))
    with batch_lock(batch_dir, wait=request.wait):
        leftovers = clean_leftovers(batch_dir)
        run = _Run(batch_dir, key, load_manifest(batch_dir), load_approvals(batch_dir))
        todo, unmatched = run.plan(request)
        progress = _Progress(report, len(run.processed))
        for record in run.unchanged_records():
            progress(record)
        workers = _Workers(build, make_renderer, config, request.batch_date)
        for outcome in workers.run(todo, request.jobs):
            progress(run.accept(outcome))
            run.checkpoint()
        manifest = run.finish()
        _write_views(batch_dir, manifest, run.approvals)
    return BatchResult(batch_dir, manifest, run.processed_records(), unmatched, leftovers,
                       time.perf_counter() - started)


def _batch_dir(request: BatchRequest) -> Path:
    if not SAFE_BATCH_NAME.fullmatch(request.batch):
        raise BatchError(f"バッチ名「{request.batch}」は使えません（英数字・-・_・. のみ、先頭は英数字）。")
    batch_dir = request.out / request.batch
    try:
        make_private_dir(batch_dir)
    except OSError as exc:
        raise BatchError(f"出力フォルダ {batch_dir} を作れません: {exc.strerror}") from None
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


# ---------------------------------------------------------------------------------------------
# Workers: where build_case runs
# ---------------------------------------------------------------------------------------------


class _Workers:
    """Runs the build over the inputs, in-process (jobs 1) or in a pool of warm worker processes."""

    def __init__(self, build: BuildFn, make_renderer: Callable[[], Any], config: Any,
                 batch_date: date) -> None:
        self.args = (build, make_renderer, config, batch_date)

    def run(self, todo: list[Path], jobs: int) -> Iterator[CaseOutcome]:
        """Outcomes as they finish; the largest workbooks are started first (size ≈ work)."""
        order = sorted(todo, key=lambda p: (-_size(p), str(p)))
        if not order:
            return
        if jobs <= 1 or len(order) == 1:
            _keep_freed_memory()
            worker = _Worker(*self.args)
            yield from (worker.run(source) for source in order)
            return
        with ProcessPoolExecutor(min(jobs, len(order)), initializer=_init_worker,
                                 initargs=self.args) as pool:
            futures = {pool.submit(_run_in_worker, source): source for source in order}
            for future in as_completed(futures):
                # Popped, so a finished case's documents (≈0.5 MB) are freed once written;
                # kept in the dict, they made the batch process grow to 557 MB at 1,000 cases.
                yield _collect(future, futures.pop(future))


class _Worker:
    """The state of one worker: the build function, the configuration and one warm renderer."""

    def __init__(self, build: BuildFn, make_renderer: Callable[[], Any], config: Any,
                 batch_date: date) -> None:
        self.build, self.config, self.batch_date = build, config, batch_date
        self.renderer, self.setup_error = None, None
        try:
            self.renderer = make_renderer()
        except Exception as exc:  # noqa: BLE001 - every case reports it; the batch still finishes
            self.setup_error = exc

    def run(self, source: Path) -> CaseOutcome:
        if self.setup_error is not None:
            return crashed_outcome(source, self.setup_error)
        try:
            return self.build(source, self.config, self.batch_date, self.renderer)
        except Exception as exc:  # noqa: BLE001 - a case's failure is its status, not the batch's end
            return crashed_outcome(source, exc)


_worker: _Worker | None = None  # set once per worker process by the pool's initializer


def _init_worker(*args: Any) -> None:
    global _worker
    _exit_with_parent(os.getppid())
    _keep_freed_memory()
    _worker = _Worker(*args)
    # What exists now (modules, WeasyPrint, fonts, parsed templates) lives as long as the worker:
    # frozen, it is no longer re-scanned by every full garbage collection (≈6% of a PDF).
    gc.freeze()


#: glibc ``mallopt`` parameters (malloc.h) and the values a worker sets.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
WORKER_MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit
WORKER_TRIM_THRESHOLD = 64 * 2**20


def _keep_freed_memory() -> bool:
    """Let a worker reuse the large blocks it frees instead of handing them back to the kernel.

    Every PDF copies the whole 7.8 MB body font file, twice when it has bold text (WeasyPrint's
    ``Font.file_content``). glibc serves such blocks as fresh mmap pages, zeroed and faulted in
    on each use: 1–8 ms a PDF, varying with its dynamic threshold. With these thresholds they
    come from the heap and are reused (≈1.3 ms). No effect, and False, where libc is not glibc.
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD))


def _exit_with_parent(parent: int) -> None:
    """A worker whose batch process was killed exits too, instead of waiting forever for work."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ninbai-parent-watch", daemon=True).start()


def _run_in_worker(source: Path) -> CaseOutcome:
    assert _worker is not None, "the pool initializer did not run"
    return _worker.run(source)


def _collect(future: Future, source: Path) -> CaseOutcome:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory): case failed
        return crashed_outcome(source, exc)


def crashed_outcome(source: Path, exc: BaseException) -> CaseOutcome:
    """An unexpected exception as a failed case; the traceback is kept for developers."""
    detail = "".join(traceback.format_exception(exc))
    issue = Issue("build_crashed", "error",
                  f"処理中に予期しないエラーが発生しました（{type(exc).__name__}: {exc}）。"
                  "開発担当に連絡してください。", raw=detail)
    return CaseOutcome(source, None, "error", [issue])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# ---------------------------------------------------------------------------------------------
# One run over the batch folder: plan, accept outcomes, finish
# ---------------------------------------------------------------------------------------------


def _abspath(path: Path) -> str:
    return os.path.abspath(path)


def _display(path: str) -> str:
    """A path for messages: relative to the working folder when under it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class _Run:
    """The state of one build of a batch folder.

    ``records`` holds every input the manifest will list, keyed by absolute path: this run's and
    the earlier ones carried over (inputs not given this time, or not selected by ``--only``).
    ``claims`` maps each case id with documents to the input that owns it.
    """

    def __init__(self, batch_dir: Path, key: BuildKey, previous: Manifest | None,
                 approvals: list[Approval]) -> None:
        self.batch_dir, self.root, self.key = batch_dir, batch_dir.resolve(), key
        self.approvals = approvals
        self.previous = {r.path: r for r in previous.inputs} if previous else {}
        self.previous_key = previous.key if previous else None
        self.approved = set(approved_folders(approvals))
        self.records: dict[str, InputRecord] = dict(self.previous)
        self.processed: list[str] = []
        self.sources: dict[str, tuple[str, int]] = {}  # path → (sha256, size) of this run's inputs
        self.claims: dict[str, str] = {}
        self.last_checkpoint = time.monotonic()

    def plan(self, request: BatchRequest) -> tuple[list[Path], list[str]]:
        """Decide per input: rebuild or unchanged. Returns (to build, --only ids that matched nothing)."""
        todo, matched = [], set()
        for source in request.inputs:
            path, previous = _abspath(source), self.previous.get(_abspath(source))
            hits = _only_hits(request.only, source, previous)
            if path in self.sources or (request.only and not hits):
                continue  # given twice; or not selected: its earlier record is carried over
            matched |= hits
            self.processed.append(path)
            self.sources[path] = _fingerprint(source)
            if previous is not None and not (request.force or hits) \
                    and self._unchanged(previous, path):
                self.records[path] = replace(previous, result="unchanged")
            else:
                self.records.pop(path, None)
                todo.append(source)
        self._claim_standing()
        return todo, [o for o in request.only if o not in matched]

    def _unchanged(self, previous: InputRecord | None, path: str) -> bool:
        return (previous is not None and self.previous_key == self.key
                and previous.sha256 == self.sources[path][0] and previous.status != "error"
                and outputs_match(self.batch_dir, previous))

    def _claim_standing(self) -> None:
        """Case ids held by records that stand without a rebuild (first path wins, as always)."""
        for path in sorted(self.records):
            record = self.records[path]
            if record.folder and record.case_id:
                self.claims.setdefault(record.case_id, path)

    def unchanged_records(self) -> list[InputRecord]:
        return [self.records[p] for p in self.processed if p in self.records]

    def processed_records(self) -> list[InputRecord]:
        return [self.records[p] for p in self.processed]

    def accept(self, outcome: CaseOutcome) -> InputRecord:
        """Turn one outcome into its record, writing its folder when it has documents."""
        path = _abspath(outcome.source)
        record = self._record(path, outcome)
        owner = self.claims.get(record.case_id or "")
        if record.status != "error" and owner is not None and owner < path:
            _fail(record, _duplicate(record.case_id, owner, path))
        elif record.status != "error":
            self._commit(record, outcome)
        if record.status != "error" and record.case_id is not None:  # a built case has its id
            if owner is not None and owner != path:
                self._demote(owner, path)
            self.claims[record.case_id] = path
        self.records[path] = record
        return record

    def _record(self, path: str, outcome: CaseOutcome) -> InputRecord:
        sha, size = self.sources.get(path, ("", 0))
        failed = outcome.status == "error"
        return InputRecord(
            path=path, sha256=sha, size=size, case_id=outcome.case_id, status=outcome.status,
            result="failed" if failed else "built", timings=dict(outcome.timings),
            warnings=_warnings(outcome), errors=_errors(outcome.issues),
            figures={} if failed else key_figures(outcome.case_json, outcome.debtor))

    def _commit(self, record: InputRecord, outcome: CaseOutcome) -> None:
        started = time.perf_counter()
        try:
            folder, revision = self._target(record.case_id or "")
            record.outputs = self._install(outcome.files, folder, record.case_id or "")
        except (OSError, UnsafeOutput) as exc:
            _fail(record, Issue("output_failed", "error",
                                f"書類を出力フォルダに書き込めませんでした: {exc}"))
            return
        record.folder, record.revision = folder, revision
        record.documents = _documents(outcome.case_json, folder)
        record.timings["write"] = time.perf_counter() - started

    def _target(self, case_id: str) -> tuple[str, int]:
        """The revision folder this build goes to, refused unless it lies inside the batch folder."""
        if not SAFE_CASE_ID.fullmatch(case_id):
            raise UnsafeOutput(f"案件番号「{case_id}」はフォルダ名に使えません")
        revision = next_revision(self.batch_dir, case_id, self.approved)
        folder = revision_folder(case_id, revision)
        resolved = (self.batch_dir / folder).resolve()
        if resolved.parent not in (self.root, self.root / case_id):
            raise UnsafeOutput(f"出力先 {folder} がバッチのフォルダの外を指しています")
        return folder, revision

    def _install(self, files: dict[str, bytes], folder: str, case_id: str) -> list[dict]:
        work = new_work_dir(self.batch_dir, case_id)
        try:
            outputs = [_write_output(work, folder, name, data)
                       for name, data in sorted(files.items())]
            install_dir(work, self.batch_dir / folder)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        return outputs

    def _demote(self, loser: str, winner: str) -> None:
        """A later input in path order lost its case id to ``winner``: it fails too."""
        record = self.records.get(loser)
        if record is not None and record.status != "error":
            record = replace(record, result="failed", folder="", revision=0, outputs=[],
                             documents=[], figures={})
            _fail(record, _duplicate(record.case_id, winner, loser))
            self.records[loser] = record

    def checkpoint(self) -> None:
        """Write the manifest now and then, so a killed run does not redo finished cases."""
        if time.monotonic() - self.last_checkpoint >= CHECKPOINT_SECONDS:
            write_manifest(self.batch_dir, self._manifest())
            self.last_checkpoint = time.monotonic()

    def finish(self) -> Manifest:
        self._retract_stale()
        manifest = self._manifest()
        write_manifest(self.batch_dir, manifest)
        return manifest

    def _manifest(self) -> Manifest:
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        records = [self.records[p] for p in sorted(self.records)]
        return Manifest(self.batch_dir.name, self.key, stamp, records)

    def _retract_stale(self) -> None:
        """An input that now fails loses the documents an earlier run made for it (unless approved):
        a case that fails gets no documents (outputs.md), and staff must not send stale ones."""
        owned = {r.folder for r in self.records.values() if r.folder}
        for path in self.processed:
            previous = self.previous.get(path)
            if self.records[path].folder or previous is None or not previous.folder:
                continue
            stale = (self.batch_dir / previous.folder).resolve()
            if previous.folder in owned | self.approved or not stale.is_relative_to(self.root):
                continue
            if stale.is_dir() and stale != self.root:
                aside = new_work_dir(self.batch_dir, "retract")
                os.replace(stale, aside / "old")
                shutil.rmtree(aside)


class UnsafeOutput(Exception):
    """A case id or file name that would write outside its case folder."""


def _fingerprint(source: Path) -> tuple[str, int]:
    """(sha256, size) of an input; an unreadable file gets an empty hash (its build will say why)."""
    try:
        return sha256_file(source), source.stat().st_size
    except OSError:
        return "", 0


def _only_hits(only: tuple[str, ...], source: Path, previous: InputRecord | None) -> set[str]:
    """The ``--only`` values that select this input: its file stem or its case id in the manifest."""
    names = {source.stem} | ({previous.case_id} if previous and previous.case_id else set())
    return set(only) & names


def _write_output(work: Path, folder: str, name: str, data: bytes) -> dict:
    if (not name or name.startswith(".") or any(c in name for c in "/\\\0")
            or (work / name).resolve().parent != work.resolve()):
        raise UnsafeOutput(f"ファイル名「{name}」は使えません")
    write_new_file(work / name, data)
    return {"path": f"{folder}/{name}", "sha256": sha256_bytes(data)}


def _fail(record: InputRecord, issue: Issue) -> None:
    record.status, record.result = "error", "failed"
    record.errors = record.errors + _errors([issue])


def _duplicate(case_id: str | None, first: str, later: str) -> Issue:
    return Issue("duplicate_case_id", "error",
                 f"案件番号 {case_id} が2つのファイルにあります: {_display(first)} と "
                 f"{_display(later)}。先のファイル（{Path(first).name}）を採用しました。"
                 "もう一方の案件番号を直してください。")


def _errors(issues: list[Issue]) -> list[dict]:
    return [{**i.to_dict(), "text": str(i)} for i in issues if i.severity == "error"]


def _warnings(outcome: CaseOutcome) -> list[dict]:
    """Warnings as in case.json; a failed case has only its non-error issues."""
    if outcome.status != "error":
        return [dict(w) for w in outcome.warnings]
    return [{"code": i.code, "severity": i.severity, "message": str(i)}
            for i in outcome.issues if i.severity != "error"]


def _documents(case_json: dict | None, folder: str) -> list[dict]:
    """case.json's documents with paths relative to the batch folder (for links)."""
    documents = (case_json or {}).get("documents", [])
    return [{**d, "docx": f"{folder}/{d['docx']}", "pdf": f"{folder}/{d['pdf']}"}
            for d in documents]


def key_figures(case_json: dict | None, debtor: str | None = None) -> dict:
    """The figures the summary and the review page show, from case.json (outputs.md).

    順位1 配分額 is what the 順位 1 lien row receives from the sale (ハンコ代 + waterfall);
    残債務合計 is what every lien and 差押 still claims after the sale.
    """
    if not case_json:
        return {}
    sale = case_json["sale"]
    return {
        "debtor": debtor,
        "price": sale["price"],
        "first_lien_received": sum(lien["received"] for lien in sale["liens"] if lien["rank"] == 1),
        "advantage": case_json["auction"]["advantage"],
        "remaining_total": sum(r["remaining"] for r in sale["liens"] + sale["seizures"]),
        "monthly_total": case_json["repayment"]["monthly_total"],
    }
