"""The incremental build of one batch folder (増分ビルド): which inputs to rebuild, where each case's
files go, and what an earlier run's records become.

- unchanged: an input whose sha256, build key (versions, rules, configuration, templates, date)
  and outputs on disk match the manifest is not rebuilt (``BatchRun.plan``);
- revisions: an approved folder is never touched, a new build goes beside it (``approve``);
- duplicates: one case id, one folder; the first input in path order keeps the id;
- retraction: an input that now fails loses the unapproved documents an earlier run made for it.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.batch.approve import next_revision, revision_folder
from pipeline.batch.atomic import (
    install_dir,
    new_work_dir,
    write_new_file,
)
from pipeline.batch.casebuild import CaseOutcome
from pipeline.batch.manifest import (
    Approval,
    BuildKey,
    InputRecord,
    Manifest,
    approved_folders,
    file_stamp,
    outputs_match,
    sha256_bytes,
    sha256_file,
    write_manifest,
)
from pipeline.read.issues import Issue

if TYPE_CHECKING:  # the request type lives with run_batch, which imports this module
    from pipeline.batch import BatchRequest

#: case-workbook.md 案件番号; checked again here because the id becomes a folder name.
SAFE_CASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,39}")
SAFE_BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: Seconds between manifest checkpoints, so a killed long run keeps most of its work.
CHECKPOINT_SECONDS = 10.0

BuildFn = Callable[[Path, Any, date, Any], CaseOutcome]


def _abspath(path: Path) -> str:
    return os.path.abspath(path)


def _display(path: str) -> str:
    """A path for messages: relative to the working folder when under it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class BatchRun:
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
                and outputs_match(self.batch_dir, previous, trust_stamps=True))

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
            figures=None if failed else outcome.figures)

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
        # stamped in place, so the next run can trust them without reading (outputs_match)
        return [{**o, "stamp": file_stamp(self.batch_dir / o["path"])} for o in outputs]

    def _demote(self, loser: str, winner: str) -> None:
        """A later input in path order lost its case id to ``winner``: it fails too."""
        record = self.records.get(loser)
        if record is not None and record.status != "error":
            record = replace(record, result="failed", folder="", revision=0, outputs=[],
                             documents=[], figures=None)
            _fail(record, _duplicate(record.case_id, winner, loser))
            self.records[loser] = record

    def checkpoint(self, now: bool = False) -> None:
        """Write the manifest now and then (``now``: at once), so a killed or interrupted run
        does not redo finished cases."""
        if now or time.monotonic() - self.last_checkpoint >= CHECKPOINT_SECONDS:
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

