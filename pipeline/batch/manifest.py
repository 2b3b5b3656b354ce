"""The batch's memory: ``manifest.json`` (what was built from what) and the digests behind it.

The manifest records, for the whole batch, the versions and digests a build depends on
(``BuildKey``), and per input workbook its sha256, case id, status, timings, warnings and errors and
the sha256 of every file written (``InputRecord``). The next run compares against it to skip
unchanged cases; ``approve`` compares the files on disk against it; the summary and the review
page are drawn from it alone. Format ``manifest/2``, described in outputs.md and the README;
``manifest/1`` (key figures as an untyped object, ``{}`` for none) is still read.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.batch.atomic import write_atomic
from pipeline.batch.keyfigures import KeyFigures

MANIFEST_NAME = "manifest.json"
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
    """Everything besides the input workbook that decides a case's documents."""

    tool_version: str
    rules_version: str
    batch_date: str  # ISO
    config_digest: str
    templates_digest: str


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

    @property
    def label(self) -> str:
        """How terminal output names the case: its id, else its file name (never a person)."""
        return self.case_id or Path(self.path).name


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
        key = BuildKey(**{name: data[name] for name in BuildKey.__dataclass_fields__})
        records = [InputRecord(**{**r, "figures": KeyFigures.from_json(r.get("figures"))})
                   for r in data["inputs"]]
        return cls(data["batch"], key, data["generated_at"], records)

    def find(self, case_id: str) -> InputRecord | None:
        """The record whose case id is ``case_id`` and that has documents, if any."""
        return next((r for r in self.inputs if r.case_id == case_id and r.folder), None)


def _record_json(record: InputRecord) -> dict:
    """A record as plain data (``asdict`` deep-copies every nested list: 10× slower here)."""
    data = {name: getattr(record, name) for name in record.__dataclass_fields__}
    data["figures"] = record.figures.to_json() if record.figures else None
    return data


def load_manifest(batch_dir: Path) -> Manifest | None:
    """The batch's manifest, or None when there is none yet (or it is unreadable: rebuild all)."""
    try:
        data = json.loads((batch_dir / MANIFEST_NAME).read_text("utf-8"))
        if data.get("schema") not in READABLE_SCHEMAS:
            return None
        return Manifest.from_json(data)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_manifest(batch_dir: Path, manifest: Manifest) -> None:
    write_atomic(batch_dir / MANIFEST_NAME, manifest.to_json())


def file_stamp(path: Path) -> list[int]:
    """Size, modification and change times (ns) and inode of a file: writing it in any way, or
    replacing it, changes at least one (the change time cannot be set back by hand)."""
    info = path.stat()
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino]


def outputs_match(batch_dir: Path, record: InputRecord, trust_stamps: bool = False) -> bool:
    """Are the record's files all on disk with the recorded sha256 (and nothing else beside them)?

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
    if set(on_disk) != set(recorded):
        return False
    return all((trust_stamps and recorded[name].get("stamp") == file_stamp(path))
               or sha256_file(path) == recorded[name]["sha256"] for name, path in on_disk.items())


APPROVALS_NAME = "approvals.json"
APPROVALS_SCHEMA = "approvals/1"


@dataclass(frozen=True)
class Approval:
    """承認: a person reviewed one revision folder of a case; ``files`` maps name → sha256."""

    case_id: str
    folder: str
    revision: int
    by: str
    at: str  # UTC ISO
    files: dict[str, str]


def load_approvals(batch_dir: Path) -> list[Approval]:
    """Every approval of the batch, oldest first (none when the file does not exist yet)."""
    path = batch_dir / APPROVALS_NAME
    if not path.exists():
        return []
    data = json.loads(path.read_text("utf-8"))  # unreadable approvals must stop, not be ignored
    return [Approval(**a) for a in data["approvals"]]


def write_approvals(batch_dir: Path, approvals: list[Approval]) -> None:
    """Rewrite approvals.json whole and atomically; callers only ever append to the list."""
    data = {"schema": APPROVALS_SCHEMA, "approvals": [asdict(a) for a in approvals]}
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    write_atomic(batch_dir / APPROVALS_NAME, text.encode("utf-8"))


def approved_folders(approvals: list[Approval]) -> dict[str, Approval]:
    """Folder → its (latest) approval."""
    return {a.folder: a for a in approvals}
