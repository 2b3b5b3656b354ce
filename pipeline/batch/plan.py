"""The incremental build of one batch folder (増分ビルド): which inputs to rebuild, where each case's
files go, and what an earlier run's records become.

- unchanged: an input whose sha256, build key (versions, rules, configuration, templates, date)
  and outputs on disk match the manifest is not rebuilt (``BatchRun.plan``);
- revisions: an approved folder is never touched, a new build goes beside it (``approve``);
- duplicates: one case id, one folder; the first input in path order keeps the id (ids that
  differ only in upper/lower case count as one: a Windows share would give them one folder);
- retraction: an input that now fails on its content, or that no longer exists, loses the
  unapproved documents an earlier run made for it; a failure that is not the input's (disk full,
  a crash) keeps them. Retraction never follows a link, never touches an approved folder and
  never deletes a file staff put into a case folder (staff files are carried into a rebuilt one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.batch.approve import latest_revision, next_revision, revision_folder
from pipeline.batch.atomic import (
    install_dir,
    make_private_dir,
    new_work_dir,
    os_error_text,
    write_new_file,
)
from pipeline.batch.casebuild import CaseOutcome
from pipeline.batch.manifest import (
    Approval,
    BuildKey,
    InputRecord,
    Manifest,
    approval_holds,
    approved_folders,
    file_stamp,
    outputs_match,
    sha256_bytes,
    write_manifest,
)
from pipeline.read.issues import Issue
from pipeline.read.schema import CASE_ID_PATTERN
from pipeline.read.workbook import read_input_bytes

if TYPE_CHECKING:  # the request type lives with run_batch, which imports this module
    from pipeline.batch import BatchRequest
    from pipeline.batch.earlier import EarlierBatches
    from pipeline.config import AttachmentLimits

#: docs/workbook.md 案件番号 (the one pattern, pipeline.read.schema); checked again here because
#: the id becomes a folder name.
SAFE_CASE_ID = CASE_ID_PATTERN
SAFE_BATCH_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
#: A folder a build writes: ``<case_id>`` or ``<case_id>/revN`` (``revision_folder``).
_CASE_FOLDER = re.compile(f"(?:{CASE_ID_PATTERN.pattern})(/rev[0-9]+)?")
#: Seconds between manifest checkpoints, so a killed long run keeps most of its work.
CHECKPOINT_SECONDS = 10.0
#: Failures that are not the input's: the documents of the earlier run stay where they are.
KEEPS_DOCUMENTS = frozenset({"output_failed", "output_conflict", "build_crashed"})

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
                 approvals: list[Approval], attachment_limits: AttachmentLimits | None = None,
                 earlier: EarlierBatches | None = None) -> None:
        self.batch_dir, self.root, self.key = batch_dir, batch_dir.resolve(), key
        self.attachment_limits = attachment_limits  # None: scans are not looked at (tests)
        self.earlier = earlier  # None: earlier batches are not looked at (a test's own build)
        self.approvals = approvals
        self.previous = {r.path: r for r in previous.inputs} if previous else {}
        self.previous_key = previous.key if previous else None
        self.approved = set(approved_folders(approvals))
        self.records: dict[str, InputRecord] = dict(self.previous)
        self.processed: list[str] = []
        self.sources: dict[str, tuple[str, int]] = {}  # path → (sha256, size) of this run's inputs
        self.claims: dict[str, str] = {}  # claim key (case id casefolded) → input path
        self.gone: dict[str, InputRecord] = {}  # records of inputs that no longer exist
        self.notices: list[str] = []  # Japanese lines for the end of the run
        self.generated: dict[str, set[str]] = {}  # folder → names earlier runs wrote there
        for record in self.previous.values():
            self.generated.setdefault(record.folder, set()).update(
                Path(o["path"]).name for o in record.outputs)
        self.last_checkpoint = time.monotonic()

    def plan(self, request: BatchRequest, case_ids: dict[str, str | None] | None = None
             ) -> tuple[list[Path], list[str]]:
        """Decide per input: rebuild or unchanged. Returns (to build, --only ids that matched nothing).

        ``case_ids``: the 案件番号 read from each input (``only_case_ids``), for ``--only``.
        """
        todo, matched = [], set()
        for source in request.inputs:
            path, previous = _abspath(source), self.previous.get(_abspath(source))
            hits = _only_hits(request.only, source, previous, (case_ids or {}).get(path))
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
        self._drop_gone()
        self._claim_standing()
        return todo, [o for o in request.only if o not in matched]

    def _unchanged(self, previous: InputRecord | None, path: str) -> bool:
        return (previous is not None and self.previous_key == self.key
                and previous.sha256 == self.sources[path][0] and previous.status != "error"
                and outputs_match(self.batch_dir, previous, others_allowed=True,
                                  trust_stamps=True)
                and self._same_scans(previous, path) and self._same_earlier(previous))

    def _same_earlier(self, previous: InputRecord) -> bool:
        """Is the earlier approval the change table compares with the one it was built with?
        (Approving the case in an earlier batch, or changing those files, rebuilds it.)"""
        if self.earlier is None or previous.case_id is None:
            return not previous.earlier
        return self.earlier.key(previous.case_id) == previous.earlier

    def _same_scans(self, previous: InputRecord, path: str) -> bool:
        """Are the case's scans (the 添付 folder named after its 案件番号) those it was built with?

        The workbook is unchanged, so its 案件番号 is the recorded one. No folder and none
        recorded costs one lookup; a folder is read and hashed as the build reads it
        (``folder_fingerprint``: names and bytes of the files it would check)."""
        case_id = previous.case_id or ""
        if self.attachment_limits is None or not SAFE_CASE_ID.fullmatch(case_id):
            return not previous.attachments
        folder = Path(path).parent / case_id
        if not os.path.lexists(folder):
            return not previous.attachments
        from pipeline.attach.intake import folder_fingerprint, stamps_match

        # untouched scans are trusted by their stamps (reading and hashing them was 13% of a
        # rerun); anything else is hashed as the build reads it
        if previous.attachment_stamps and stamps_match(Path(path), case_id,
                                                       previous.attachment_stamps):
            return True
        return folder_fingerprint(Path(path), case_id, self.attachment_limits) \
            == previous.attachments

    def _drop_gone(self) -> None:
        """An input that no longer exists (renamed, moved away, deleted) holds no case id.

        Its record leaves the manifest; its unapproved documents are retracted at the end unless
        an input of this run took the case over (a renamed workbook: the new name rebuilds the
        same folder). Only a file missing from a folder that still exists counts as gone: a
        missing folder may be a share that is not connected.
        """
        for path in list(self.records):
            if path not in self.sources and _is_gone(path):
                record = self.gone[path] = self.records.pop(path)
                self.notices.append(f"注意: {record.label} の入力ファイル {_display(path)} が"
                                    "なくなったため、一覧から外しました（承認済みの書類は残します）。")

    def _claim_standing(self) -> None:
        """Case ids held by records that stand without a rebuild (first path wins, as always)."""
        for path in sorted(self.records):
            record = self.records[path]
            if record.folder and record.case_id:
                self.claims.setdefault(_claim_key(record.case_id), path)

    def unchanged_records(self) -> list[InputRecord]:
        return [self.records[p] for p in self.processed if p in self.records]

    def processed_records(self) -> list[InputRecord]:
        return [self.records[p] for p in self.processed]

    def accept(self, outcome: CaseOutcome) -> InputRecord:
        """Turn one outcome into its record, writing its folder when it has documents."""
        path = _abspath(outcome.source)
        record = self._record(path, outcome)
        key = _claim_key(record.case_id)
        owner = self.claims.get(key)
        if record.status != "error" and owner is not None and owner < path:
            _fail(record, _duplicate(self.records[owner].case_id, owner, record.case_id, path))
        elif record.status != "error":
            self._commit(record, outcome)
        if record.status != "error" and record.case_id is not None:  # a built case has its id
            if owner is not None and owner != path:
                self._demote(owner, record.case_id, path)
            self.claims[key] = path
        if record.status == "error":
            self._keep_previous(record, path)
        self.records[path] = record
        return record

    def _keep_previous(self, record: InputRecord, path: str) -> None:
        """A failure that is not the input's (disk full, a crash, a staff file in the way) keeps
        the earlier run's documents where they are, still listed under this input so a later
        retraction finds them; only invalid input retracts documents. The case stays failed."""
        previous = self.previous.get(path)
        codes = {e["code"] for e in record.errors}
        if previous is None or not previous.folder or not codes or not codes <= KEEPS_DOCUMENTS \
                or record.case_id not in (None, previous.case_id):
            return  # (a new case id: the old documents are another case's, retracted as stale)
        case_id = record.case_id or previous.case_id
        key = _claim_key(case_id)
        if self.claims.setdefault(key, path) != path:
            return  # another input holds the case (and its folder) now
        record.case_id, record.folder, record.revision = case_id, previous.folder, previous.revision
        record.outputs, record.documents = previous.outputs, previous.documents
        record.packets, record.attachments = previous.packets, previous.attachments
        record.attachment_stamps = previous.attachment_stamps
        record.figures = previous.figures  # the figures of the documents that stay

    def _record(self, path: str, outcome: CaseOutcome) -> InputRecord:
        sha, size = self.sources.get(path, ("", 0))
        failed = outcome.status == "error"
        return InputRecord(
            path=path, sha256=sha, size=size, case_id=outcome.case_id, status=outcome.status,
            result="failed" if failed else "built", timings=dict(outcome.timings),
            warnings=_warnings(outcome), errors=_errors(outcome.issues),
            figures=None if failed else outcome.figures, attachments=outcome.attachments,
            earlier=outcome.earlier,
            attachment_stamps=outcome.attachment_stamps)

    def _commit(self, record: InputRecord, outcome: CaseOutcome) -> None:
        started = time.perf_counter()
        if self._back_to_approved(record, outcome):
            record.timings["write"] = time.perf_counter() - started
            return
        try:
            folder, revision = self._target(record.case_id or "")
            record.outputs = self._install(outcome.files, folder, record.case_id or "")
        except StaffFileInTheWay as exc:
            _fail(record, Issue("output_conflict", "error", str(exc)))
            return
        except UnsafeOutput as exc:
            _fail(record, Issue("output_failed", "error",
                                f"書類を出力フォルダに書き込めませんでした: {exc}"))
            return
        except OSError as exc:
            _fail(record, Issue("output_failed", "error",
                                f"書類を出力フォルダに書き込めませんでした（{os_error_text(exc)}）。"
                                "出力フォルダにあった書類は変更していません。"))
            return
        record.folder, record.revision = folder, revision
        record.documents = _documents(outcome.case_json, folder)
        record.packets = _packets(outcome.case_json, folder)
        record.deadlines = list((outcome.case_json or {}).get("deadlines", []))
        record.timings["write"] = time.perf_counter() - started

    def _back_to_approved(self, record: InputRecord, outcome: CaseOutcome) -> bool:
        """A build whose files are exactly the approved files of the case's latest approved
        revision (names and sha256: builds are reproducible, docs/outputs.md) writes nothing: the
        case stays at that revision, approved, and a later revision nobody approved is retracted
        (its documents are stale). The approval covers the very bytes it names, no others."""
        approval = self._latest_approval(record.case_id or "")
        digests = {name: sha256_bytes(data) for name, data in outcome.files.items()}
        if approval is None or digests != approval.files \
                or not approval_holds(self.batch_dir, approval):
            return False
        for revision in range(approval.revision + 1,
                              latest_revision(self.batch_dir, approval.case_id) + 1):
            self._retract(revision_folder(approval.case_id, revision))
        folder = approval.folder
        record.folder, record.revision = folder, approval.revision
        record.outputs = [{"path": f"{folder}/{name}", "sha256": digest,
                           "stamp": file_stamp(self.batch_dir / folder / name)}
                          for name, digest in sorted(digests.items())]
        record.documents = _documents(outcome.case_json, folder)
        record.packets = _packets(outcome.case_json, folder)
        self.notices.append(f"{record.case_id}: 作り直した書類は承認済みの版（{folder}）と同じ"
                            "内容のため、新しい版は作らず承認済みのままです。")
        return True

    def _latest_approval(self, case_id: str) -> Approval | None:
        """The approval of the case's latest approved revision (None: never approved)."""
        mine = [a for a in self.approvals if a.case_id == case_id and a.folder in self.approved]
        return max(mine, key=lambda a: (a.revision, a.at), default=None)

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
        target = self.batch_dir / folder
        work = new_work_dir(self.batch_dir, case_id)
        try:
            outputs = [_write_output(work, folder, name, data)
                       for name, data in sorted(files.items())]
            self._carry_staff_files(target, folder, work, files)
            if not target.parent.exists():  # revision 1 was approved, then deleted by hand
                make_private_dir(target.parent)
            install_dir(work, target)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        self.generated.setdefault(folder, set()).update(files)  # a later winner replaces them
        # stamped in place, so the next run can trust them without reading (outputs_match)
        return [{**o, "stamp": file_stamp(self.batch_dir / o["path"])} for o in outputs]

    def _generated_names(self, target: Path, folder: str) -> set[str]:
        """Names in a case folder that ninbai wrote: the manifest's record of the folder and the
        folder's own case.json (which lists its documents and packets even when the manifest is
        lost)."""
        names = {"case.json"} | self.generated.get(folder, set())
        case_json = target / "case.json"
        try:
            if case_json.is_file() and not case_json.is_symlink() \
                    and case_json.stat().st_size < 1 << 24:
                data = json.loads(case_json.read_text("utf-8"))
                names |= {d[kind] for d in data["documents"] for kind in ("docx", "pdf")}
                names |= {p["pdf"] for p in data.get("packets", [])}
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return {n for n in names if isinstance(n, str)}

    def _carry_staff_files(self, target: Path, folder: str, work: Path,
                           files: dict[str, bytes]) -> None:
        """Copy what staff put into the case folder (notes, a subfolder) into the new one, so
        replacing the folder never deletes it. A staff file with the name of a document this
        build writes is not overwritten: the case fails naming it, and nothing is changed."""
        if target.is_symlink() or not target.is_dir():
            return
        ours = self._generated_names(target, folder)
        for entry in sorted(target.iterdir()):
            if entry.name in ours:
                continue
            if entry.name in files:
                raise StaffFileInTheWay(
                    f"{folder}/{entry.name} は ninbai が作ったファイルではないため、"
                    "同じ名前の書類で上書きしませんでした。別の場所へ移すか名前を変えてから、"
                    "build し直してください。")
            _copy_entry(entry, work / entry.name, folder)

    def _demote(self, loser: str, case_id: str | None, winner: str) -> None:
        """A later input in path order lost its case id to ``winner``: it fails too (and a failed
        one that kept the earlier documents no longer lists them: they are the winner's now)."""
        record = self.records.get(loser)
        if record is not None and (record.status != "error" or record.folder):
            demoted = replace(record, result="failed", folder="", revision=0, outputs=[],
                              documents=[], figures=None, packets=[])
            if record.status != "error":
                _fail(demoted, _duplicate(case_id, winner, record.case_id, loser))
            self.records[loser] = demoted

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
        """An input that now fails, or no longer exists, loses the documents an earlier run made
        for it (unless approved): a case that fails gets no documents (docs/outputs.md), and staff
        must not send stale ones."""
        owned = {r.folder.casefold() for r in self.records.values() if r.folder}
        stale = [self.previous[p].folder for p in self.processed
                 if not self.records[p].folder and p in self.previous]
        stale += [r.folder for r in self.gone.values()]
        for folder in dict.fromkeys(f for f in stale if f and f.casefold() not in owned):
            self._retract(folder)

    def _retract(self, folder: str) -> None:
        """Delete ninbai's files of one stale folder: never through a link (a link in the
        folder's place is removed itself, its target untouched), never a folder an approval
        covers, never what staff put there (the folder then stays with their files)."""
        parts = Path(folder).parts
        if not _CASE_FOLDER.fullmatch(folder) or any(
                self.batch_dir.joinpath(*parts[:i]).is_symlink() for i in range(1, len(parts))):
            return  # not a folder a build writes (a hand-edited manifest), or a link on the way
        path = self.batch_dir / folder
        if path.is_symlink():
            path.unlink()
            return
        if not path.is_dir() or self._covered_by_approval(path):
            return
        ours = self._generated_names(path, folder)
        if all(entry.name in ours for entry in path.iterdir()):
            aside = new_work_dir(self.batch_dir, "retract")  # whole or nothing, as when written
            os.replace(path, aside / "old")
            shutil.rmtree(aside)
            return
        for entry in path.iterdir():
            if entry.name in ours and (entry.is_symlink() or entry.is_file()):
                entry.unlink()

    def _covered_by_approval(self, path: Path) -> bool:
        """Is ``path`` (resolved) an approved folder, or does it hold one?"""
        real = path.resolve()
        if real == self.root or not real.is_relative_to(self.root):
            return True  # never the batch folder itself, never outside it
        for folder in self.approved:
            approved = (self.batch_dir / folder).resolve()
            if approved == real or approved.is_relative_to(real):
                return True
        return False


class UnsafeOutput(Exception):
    """A case id or file name that would write outside its case folder."""


class StaffFileInTheWay(Exception):
    """A file staff put into a case folder has the name of a document the build writes."""


def _claim_key(case_id: str | None) -> str:
    """Case ids that differ only in upper/lower case share a folder on a Windows share."""
    return (case_id or "").casefold()


def _is_gone(path: str) -> bool:
    """The input file is missing from a folder that is still there."""
    return not os.path.lexists(path) and os.path.isdir(os.path.dirname(path))


def _copy_entry(source: Path, target: Path, folder: str) -> None:
    """Copy one staff entry as it is: a link as a link (never followed), a folder whole."""
    if source.is_symlink():
        os.symlink(os.readlink(source), target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    elif source.is_file():
        shutil.copy2(source, target, follow_symlinks=False)
    else:  # a pipe or a device: copying would block or never end
        raise StaffFileInTheWay(f"{folder}/{source.name} は通常のファイルではありません。"
                                "削除してから build し直してください。")


def _fingerprint(source: Path) -> tuple[str, int]:
    """(sha256, size) of an input, read the way the reader reads it (``read_input_bytes``: a
    regular file within the size limit, opened non-blocking). Anything else, or an unreadable
    file, gets an empty hash (never "unchanged"); its build refuses it with the reason."""
    try:
        data = read_input_bytes(source)
    except OSError:
        return "", 0
    if isinstance(data, Issue):
        return "", 0
    return sha256_bytes(data), len(data)


def _only_hits(only: tuple[str, ...], source: Path, previous: InputRecord | None,
               case_id: str | None = None) -> set[str]:
    """The ``--only`` values that select this input: its file stem, the 案件番号 in the workbook
    (``case_id``) or its case id in the manifest (the input may be unreadable now)."""
    names = {source.stem} | {i for i in (case_id, previous and previous.case_id) if i}
    return set(only) & names


def only_case_ids(only: tuple[str, ...], inputs: tuple[Path, ...]) -> dict[str, str | None]:
    """The 案件番号 of each input whose file name is not itself an ``--only`` value, read cheaply
    (``peek_case_id``: no openpyxl), by absolute path. Empty without ``--only``."""
    if not only:
        return {}
    from pipeline.read.workbook import peek_case_id

    return {_abspath(p): peek_case_id(p) for p in inputs if p.stem not in only}


def unmatched_only(only: tuple[str, ...], inputs: tuple[Path, ...],
                   case_ids: dict[str, str | None], previous: Manifest | None) -> list[str]:
    """The ``--only`` values that select no input at all (file name, 案件番号, manifest)."""
    records = {r.path: r for r in previous.inputs} if previous else {}
    hit: set[str] = set()
    for source in inputs:
        path = _abspath(source)
        hit |= _only_hits(only, source, records.get(path), case_ids.get(path))
    return [o for o in only if o not in hit]


def _write_output(work: Path, folder: str, name: str, data: bytes) -> dict:
    if (not name or name.startswith(".") or any(c in name for c in "/\\\0")
            or (work / name).resolve().parent != work.resolve()):
        raise UnsafeOutput(f"ファイル名「{name}」は使えません")
    write_new_file(work / name, data)
    return {"path": f"{folder}/{name}", "sha256": sha256_bytes(data)}


def _fail(record: InputRecord, issue: Issue) -> None:
    record.status, record.result = "error", "failed"
    record.errors = record.errors + _errors([issue])


def _duplicate(first_id: str | None, first: str, later_id: str | None, later: str) -> Issue:
    if first_id == later_id:
        what = f"案件番号 {first_id} が2つのファイルにあります"
    else:
        what = (f"案件番号 {first_id} と {later_id} は大文字・小文字だけが違い、"
                "Windows の共有フォルダでは同じフォルダになります")
    return Issue("duplicate_case_id", "error",
                 f"{what}: {_display(first)} と {_display(later)}。"
                 f"先のファイル（{Path(first).name}）を採用しました。もう一方の案件番号を直してください。")


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


def _packets(case_json: dict | None, folder: str) -> list[dict]:
    """case.json's packets with paths relative to the batch folder (for links and export)."""
    return [{"addressee": p["addressee"], "pdf": f"{folder}/{p['pdf']}", "pages": p["pages"]}
            for p in (case_json or {}).get("packets", [])]
