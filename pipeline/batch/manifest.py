"""The batch's memory: ``manifest.json`` (what was built from what) and the digests behind it.

The manifest records, for the whole batch, the versions and digests a build depends on
(``BuildKey``), and per input workbook its sha256, case id, status, timings, warnings and errors and
the sha256 of every file written (``InputRecord``). The next run compares against it to skip
unchanged cases; ``approve`` compares the files on disk against it; the summary and the review
page are drawn from it alone. Format ``manifest/2``, described in docs/outputs.md and the README;
``manifest/1`` (key figures as an untyped object, ``{}`` for none) is still read.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.batch.atomic import write_atomic
from pipeline.batch.keyfigures import KeyFigures
from pipeline.compute.deadlines import Deadline
from pipeline.read.issues import level_of

MANIFEST_NAME = "manifest.json"
#: A packet's file name starts so: 送付書類一式_<債権者名>.pdf (pipeline.batch.packets; ``export``
#: copies the approved files named so).
PACKET_PREFIX = "送付書類一式"
#: A state file larger than this is damaged (or not ours): it is not read into memory.
STATE_FILE_LIMIT = 256 * 2**20
SCHEMA = "manifest/2"
#: Formats this version reads: manifest/1 differs only in writing ``{}`` for "no key figures".
READABLE_SCHEMAS = ("manifest/1", SCHEMA)
#: What a run did with an input (``InputRecord.result``), as staff read it.
RESULT_LABELS = {"built": "作成", "unchanged": "変更なし", "failed": "失敗"}
#: The review page's template only shapes index.html; it does not change any case's documents.
_NOT_CASE_TEMPLATES = ("review",)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def templates_digest(root: Path) -> str:
    """sha256 over every template file (relative name and bytes), in name order.

    A changed template changes the documents, so every case is rebuilt; templates/review/ is left
    out because it shapes only the review page.
    """
    digest = hashlib.sha256()
    files = [p for p in root.rglob("*") if p.is_file()] if root.is_dir() else []
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        name = path.relative_to(root).as_posix()
        if name.split("/", 1)[0] in _NOT_CASE_TEMPLATES:
            continue
        digest.update(name.encode("utf-8") + b"\0" + sha256_file(path).encode("ascii") + b"\n")
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildKey:
    """Everything besides the input workbook that decides a case's documents.

    ``libraries`` are the installed versions of the libraries that write the documents
    (``pipeline.render.versions``) and ``fonts`` the sha256 of each font file of the PDFs by family
    (``pipeline.render.fonts.font_digests``): an upgrade or a replaced font rebuilds every case.
    A manifest written before they were recorded reads them as empty, so its cases are rebuilt.
    """

    tool_version: str
    rules_version: str
    batch_date: str  # ISO
    config_digest: str
    templates_digest: str
    libraries: dict[str, str] = field(default_factory=dict)  # distribution → version
    fonts: dict[str, str] = field(default_factory=dict)  # font family → sha256 of its file


#: The key's fields every ``manifest/1`` has; the rest were added later and may be missing.
_KEY_RECORDED_SINCE_V1 = ("tool_version", "rules_version", "batch_date", "config_digest",
                          "templates_digest")


@dataclass
class InputRecord:
    """One input workbook in the manifest.

    ``result`` is what this run did: ``built``, ``failed`` or ``unchanged``. ``folder`` is the
    case's current revision folder relative to the batch folder (``2026-0142`` or
    ``2026-0142/rev2``), empty when the case has no documents. ``outputs`` are
    ``{"path", "sha256"}`` relative to the batch folder. ``figures`` are the key figures the summary
    and the review page show (None when the case has none: it failed).
    """

    path: str
    sha256: str
    size: int
    case_id: str | None
    status: str  # ok / warn / error
    result: str  # built / failed / unchanged
    folder: str = ""
    revision: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    figures: KeyFigures | None = None
    #: fingerprint of the scans of the case's 添付 folder the build read, "" for none (a record
    #: written before packets reads as none): a changed scan rebuilds the case
    attachments: str = ""
    #: the case's packets (送付書類一式), ``{"addressee", "pdf", "pages"}``, pdf relative to the
    #: batch folder; for the review page and ``export``
    packets: list[dict] = field(default_factory=list)
    #: the case's open 期限 as case.json lists them (``Deadline.to_json``), for the review page's
    #: 期限 list; a record written before they existed reads as none
    deadlines: list[dict] = field(default_factory=list)
    #: the earlier batch's approval the change table compared with (``EarlierApproval.key``), ""
    #: for none (a record written before reads as none): another approval rebuilds the case
    earlier: str = ""
    #: file name → stamp (size, mtime, ctime, inode) of each scan the build read: an unchanged
    #: rerun hashes only a scan whose stamp changed (a record without it hashes them all)
    attachment_stamps: dict[str, list[int]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How terminal output names the case: its id, else its file name (never a person)."""
        return self.case_id or Path(self.path).name

    @property
    def level(self) -> str:
        """The case's level (pipeline.read.issues.LEVELS): error, its worst warning, else ok."""
        return level_of(self.status, [w.get("severity", "warn") for w in self.warnings])


@dataclass
class Manifest:
    batch: str
    key: BuildKey
    generated_at: str  # UTC ISO
    inputs: list[InputRecord] = field(default_factory=list)

    def to_json(self) -> bytes:
        """The manifest as JSON: the batch's keys indented, then one line per input record.

        One line per record keeps the file readable and its diffs small, and lets json use its
        C encoder (``indent`` switches to the pure-Python one: 1.6 s instead of 0.1 s at 1,000).
        """
        head = {"schema": SCHEMA, "batch": self.batch, "generated_at": self.generated_at,
                **asdict(self.key)}
        lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
        records = ",\n".join(f"    {json.dumps(_record_json(r), ensure_ascii=False)}"
                              for r in self.inputs)
        text = "{\n" + "\n".join(lines) + '\n  "inputs": [\n' + records + "\n  ]\n}\n"
        return text.encode("utf-8")

    @classmethod
    def from_json(cls, data: dict) -> Manifest:
        key = BuildKey(**{name: data[name] for name in _KEY_RECORDED_SINCE_V1},
                       libraries=dict(data.get("libraries", {})), fonts=dict(data.get("fonts", {})))
        records = [InputRecord(**{**r, "figures": KeyFigures.from_json(r.get("figures"))})
                   for r in data["inputs"]]
        return cls(data["batch"], key, data["generated_at"], records)

    def find(self, case_id: str) -> InputRecord | None:
        """The record whose case id is ``case_id`` and that has documents, if any."""
        return next((r for r in self.inputs if r.case_id == case_id and r.folder), None)


class StateFileError(Exception):
    """manifest.json or approvals.json cannot be read (message in Japanese, names the file)."""


def _record_json(record: InputRecord) -> dict:
    """A record as plain data (``asdict`` deep-copies every nested list: 10× slower here)."""
    data = {name: getattr(record, name) for name in record.__dataclass_fields__}
    data["figures"] = record.figures.to_json() if record.figures else None
    return data


def load_manifest(batch_dir: Path) -> Manifest | None:
    """The batch's manifest, or None when there is none yet (or it is unreadable: rebuild all).

    ``read_manifest`` says why a manifest that exists could not be read.
    """
    try:
        return read_manifest(batch_dir)
    except StateFileError:
        return None


def read_manifest(batch_dir: Path) -> Manifest | None:
    """The batch's manifest; None when there is none; ``StateFileError`` when it is damaged.

    Every key the batch reads later is checked here, so a hand-edited or truncated manifest is
    reported once, by name, instead of failing deep inside a build.
    """
    path = batch_dir / MANIFEST_NAME
    if not path.exists():
        return None
    try:
        data = json.loads(_read_state_file(path))
        if not isinstance(data, dict) or data.get("schema") not in READABLE_SCHEMAS:
            raise ValueError("schema")
        # A build-key field the manifest lacks (written by an older ninbai) only means the key
        # differs: every case is rebuilt, the records are kept.
        data = {**dict.fromkeys(BuildKey.__dataclass_fields__, ""), **data}
        manifest = Manifest.from_json(data)
        for record in manifest.inputs:
            _check_record(record)
        return manifest
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise StateFileError(
            f"{path} が壊れていて読めません（途中で切れているか、書き換えられています）。"
            "ninbai build をもう一度実行すると、全案件を作り直して書き直されます"
            "（承認の記録 approvals.json はそのまま使われます）。") from None


def _check_record(record: InputRecord) -> None:
    """Raise TypeError (KeyError) unless the record has the types and keys the batch reads."""
    texts = (record.path, record.sha256, record.status, record.result, record.folder)
    if not all(isinstance(t, str) for t in texts) or not isinstance(record.revision, int) \
            or not (record.case_id is None or isinstance(record.case_id, str)):
        raise TypeError("record")
    for output in record.outputs:
        if not (isinstance(output["path"], str) and isinstance(output["sha256"], str)):
            raise TypeError("output")
    for document in record.documents:
        if not (isinstance(document["docx"], str) and isinstance(document["pdf"], str)):
            raise TypeError("document")
    for packet in record.packets:
        if not (isinstance(packet["pdf"], str) and isinstance(packet["addressee"], str)):
            raise TypeError("packet")
    if not isinstance(record.attachments, str) or not isinstance(record.earlier, str):
        raise TypeError("attachments")
    for deadline in record.deadlines:
        Deadline.from_json(deadline)  # ValueError/KeyError: damaged
    if not isinstance(record.attachment_stamps, dict) or not all(
            isinstance(stamp, list) and all(isinstance(n, int) for n in stamp)
            for stamp in record.attachment_stamps.values()):
        raise TypeError("attachment_stamps")
    for problem in record.warnings + record.errors:
        if not (isinstance(problem["code"], str) and isinstance(problem["message"], str)):
            raise TypeError("problem")
    if not (isinstance(record.figures, KeyFigures | None) and isinstance(record.timings, dict)):
        raise TypeError("figures")


def write_manifest(batch_dir: Path, manifest: Manifest) -> None:
    write_atomic(batch_dir / MANIFEST_NAME, manifest.to_json())


def file_stamp(path: Path) -> list[int]:
    """Size, modification and change times (ns) and inode of a file: writing it in any way, or
    replacing it, changes at least one (the change time cannot be set back by hand)."""
    return _stamp(path.stat())


def _stamp(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def recorded_outputs(records: Iterable[InputRecord]) -> dict[str, tuple[str, Any]]:
    """Batch-relative path → (sha256, ``file_stamp``) of the records' outputs as the build wrote
    them: what ``approval_holds`` may trust (a record written before stamps gives None)."""
    return {o["path"]: (o["sha256"], o.get("stamp")) for r in records for o in r.outputs}


def outputs_match(batch_dir: Path, record: InputRecord, others_allowed: bool = False,
                  trust_stamps: bool = False) -> bool:
    """Are the record's files all on disk with the recorded sha256 (and nothing else beside them)?

    ``others_allowed``: files staff put into the folder do not count (the unchanged check: a
    note beside the documents does not make them stale). ``approve`` does not allow them: what
    is approved is the whole folder.

    ``trust_stamps`` (the unchanged check of a rerun): a file whose ``file_stamp`` is the one
    recorded when it was written is taken as unchanged without reading it; hashing every output
    was most of an unchanged rerun (≈0.8 MB a case). ``approve`` always reads and hashes.
    """
    if not record.folder:
        return False
    folder = batch_dir / record.folder
    recorded = {o["path"]: o for o in record.outputs}
    on_disk = {f"{record.folder}/{p.name}": p for p in folder.iterdir() if p.is_file()} \
        if folder.is_dir() else {}
    if others_allowed:
        on_disk = {name: p for name, p in on_disk.items() if name in recorded}
    if set(on_disk) != set(recorded):
        return False
    return all((trust_stamps and recorded[name].get("stamp") == file_stamp(path))
               or sha256_file(path) == recorded[name]["sha256"] for name, path in on_disk.items())


def unrecorded_files(batch_dir: Path, record: InputRecord) -> list[str]:
    """Names of the files in the record's folder that the build did not write (staff files)."""
    folder = batch_dir / record.folder
    recorded = {Path(o["path"]).name for o in record.outputs}
    if not record.folder or not folder.is_dir() or folder.is_symlink():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_file() and p.name not in recorded)


APPROVALS_NAME = "approvals.json"
#: The last good approvals, written before approvals.json is replaced (the same content).
APPROVALS_BACKUP = "approvals.json.bak"
APPROVALS_SCHEMA = "approvals/1"


@dataclass(frozen=True)
class Approval:
    """承認: a person reviewed one revision folder of a case; ``files`` maps name → sha256.

    ``override`` is the reason given (``--override``) for approving a case that has 重要 (high)
    warnings, and ``overridden`` their codes; both empty for an ordinary approval (and in
    approvals written before they existed).
    """

    case_id: str
    folder: str
    revision: int
    by: str
    at: str  # UTC ISO
    files: dict[str, str]
    override: str = ""  # 理由 of an approval despite 重要 warnings
    overridden: list[str] = field(default_factory=list)  # codes of those warnings


def load_approvals(batch_dir: Path, notices: list[str] | None = None) -> list[Approval]:
    """Every approval of the batch, oldest first (none when neither file exists yet).

    A damaged or missing approvals.json is read from its copy approvals.json.bak, with a notice
    (Japanese, appended to ``notices``); when neither can be read, ``StateFileError``: the
    approvals protect approved folders, so they are never silently taken as none.
    """
    path, backup = batch_dir / APPROVALS_NAME, batch_dir / APPROVALS_BACKUP
    if not path.exists() and not backup.exists():
        return []
    try:
        return _read_approvals(path)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        approvals = _read_approvals(backup)
    except (OSError, ValueError, KeyError, TypeError):
        raise StateFileError(
            f"{path} が壊れていて読めません（控えの {APPROVALS_BACKUP} も読めません）。"
            "承認の記録がないまま処理すると承認済みの書類を守れないため、中止しました。"
            "ファイルをバックアップから戻すか、システム担当者に連絡してください。") from None
    if notices is not None:
        state = "ありません" if not path.exists() else "壊れています"
        notices.append(f"注意: {path} が{state}。控えの {APPROVALS_BACKUP} から"
                       f"承認{len(approvals)}件を読みました。")
    return approvals


def _read_state_file(path: Path) -> str:
    """The text of manifest.json or approvals.json: a regular file, not a link, of sane size."""
    if path.is_symlink() or not path.is_file() or path.stat().st_size > STATE_FILE_LIMIT:
        raise ValueError(f"not a state file: {path.name}")
    return path.read_text("utf-8")


def _read_approvals(path: Path) -> list[Approval]:
    data = json.loads(_read_state_file(path))
    if data["schema"] != APPROVALS_SCHEMA:
        raise ValueError("schema")
    approvals = [Approval(**a) for a in data["approvals"]]
    for a in approvals:
        if not (isinstance(a.folder, str) and isinstance(a.files, dict)
                and isinstance(a.revision, int) and isinstance(a.case_id, str)
                and isinstance(a.override, str) and isinstance(a.overridden, list)):
            raise TypeError("approval")
    return approvals


@dataclass(frozen=True)
class Revocation:
    """承認の取消: an approval withdrawn, with who, when and why (``ninbai revoke``, the server).

    The approval leaves ``approvals`` (so every reader, an older ninbai included, sees the
    revision as not approved) and is kept whole here, for the case's history.
    """

    approval: Approval
    by: str
    at: str  # UTC ISO
    reason: str

    def to_json(self) -> dict:
        return {**_approval_json(self.approval),
                "revoked_by": self.by, "revoked_at": self.at, "revoke_reason": self.reason}

    @classmethod
    def from_json(cls, data: dict) -> Revocation:
        data = dict(data)
        by, at, reason = data.pop("revoked_by"), data.pop("revoked_at"), data.pop("revoke_reason")
        if not all(isinstance(v, str) for v in (by, at, reason)):
            raise TypeError("revocation")
        return cls(Approval(**data), by, at, reason)


def load_revocations(batch_dir: Path) -> list[Revocation]:
    """The withdrawn approvals, oldest first, from approvals.json (else its copy; none when
    neither can be read: they are history only, never what protects a folder)."""
    for path in (batch_dir / APPROVALS_NAME, batch_dir / APPROVALS_BACKUP):
        try:
            data = json.loads(_read_state_file(path))
            return [Revocation.from_json(r) for r in data.get("revoked", [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return []


def write_approvals(batch_dir: Path, approvals: list[Approval],
                    revoked: list[Revocation] | None = None) -> None:
    """Rewrite approvals.json whole and atomically; callers only ever append to the list, except
    ``revoke_approval``, which moves one approval to ``revoked`` (None: keep those on file).

    The same content goes first to approvals.json.bak, so a damaged approvals.json (a sync
    tool, a hand edit) can always be read again from its last good copy.
    """
    if revoked is None:
        revoked = load_revocations(batch_dir)
    data: dict = {"schema": APPROVALS_SCHEMA, "approvals": [_approval_json(a) for a in approvals]}
    if revoked:  # only when there are any: the file of a batch without reads as before
        data["revoked"] = [r.to_json() for r in revoked]
    text = (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    write_atomic(batch_dir / APPROVALS_BACKUP, text)
    write_atomic(batch_dir / APPROVALS_NAME, text)


def _approval_json(approval: Approval) -> dict:
    """An approval as written: ``override``/``overridden`` only when it overrode 重要 warnings,
    so an ordinary approval reads as before (and an older ninbai still reads the file)."""
    data = asdict(approval)
    if not approval.override:
        del data["override"], data["overridden"]
    return data


def approval_holds(batch_dir: Path, approval: Approval,
                   recorded: Mapping[str, tuple[str, Any]] | None = None) -> bool:
    """Do the files an approval names still have its sha256? Only then is it shown as approved.

    ``recorded``: batch-relative path → (sha256, ``file_stamp``) as the batch's manifest wrote
    them (``recorded_outputs``). A file whose stamp is still the one recorded with the approved
    sha256 is taken as unchanged without reading it — the trust an unchanged rerun gives
    (``outputs_match``), so that looking across many batches (history, the change table) or a
    batch of 1,000 cases (the server's batch page) does not hash every approved folder again.
    Without it (``approve``, the review page, the server's case page for its own case), every
    file is read and hashed.
    """
    # plain strings and one lstat a file: a batch page checks ≈17,000 files at 1,000 cases
    folder = os.path.join(batch_dir, approval.folder)
    for name, digest in approval.files.items():
        path = os.path.join(folder, name)
        sha, stamp = (recorded or {}).get(f"{approval.folder}/{name}", ("", None))
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                return False
            if sha == digest and stamp is not None and stamp == _stamp(info):
                continue
            if sha256_file(Path(path)) != digest:
                return False
        except OSError:
            return False
    return bool(approval.files)


def standing_approvals(batch_dir: Path, approvals: list[Approval]) -> list[Approval]:
    """The approvals whose files are still as approved (what the review shows as 承認済み)."""
    return [a for a in approvals if approval_holds(batch_dir, a)]


def approved_folders(approvals: list[Approval]) -> dict[str, Approval]:
    """Folder → its (latest) approval."""
    return {a.folder: a for a in approvals}
