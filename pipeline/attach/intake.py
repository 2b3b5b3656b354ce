"""The 添付 folder: the files staff put beside the workbook, read and judged by their content.

``inputs/2026-0142.xlsx`` whose 案件番号 is 2026-0142 has its scans in ``inputs/2026-0142/``
(docs/attachments.md §2). ``take_in`` lists that folder, leaves out hidden files and what
Windows and macOS leave behind, refuses what must not be read (a link out of the folder, a pipe,
a device, a file too large, a file that is not PDF/JPEG/PNG or whose name says otherwise) and
returns the bytes of the rest. Nothing here parses a PDF or decodes an image: that happens in a
bounded child process (pipeline.attach.sandbox). Nothing raises: every refusal is an ``Issue``
naming ``<案件番号>/<file>``; an error fails the case, the batch goes on.
"""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipeline.attach.kinds import Kind, name_mismatch, sniff, unsupported_reason
from pipeline.config import AttachmentLimits
from pipeline.read.issues import CellRef, Issue, Severity
from pipeline.read.workbook import read_at_most

MB = 1024 * 1024

#: What operating systems and Office leave in folders, never a document (compared in lower case).
LITTER_NAMES = frozenset({"thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "desktop.ini",
                          ".ds_store", "icon\r", ".localized"})
#: Prefixes of the same: Office's lock files (~$査定書.docx), hidden files and macOS's
#: AppleDouble companions (._査定書.pdf), which are hidden on Unix too.
LITTER_PREFIXES = ("~$", ".")


@dataclass(frozen=True, slots=True)
class IncomingFile:
    """One file of the folder, accepted for checking (添付ファイル).

    ``name`` is the file name in NFC (a Mac writes ブ as フ + ゛; staff type ブ), ``sha256`` that of
    the bytes as read: it is what a rebuild compares.
    """

    name: str
    kind: Kind
    data: bytes
    sha256: str
    #: size, modification and change times (ns) and inode of the file as it was read (``fstat``):
    #: an unchanged rerun trusts a scan whose stamp is the same instead of hashing it again
    stamp: tuple[int, int, int, int] = (0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Intake:
    """What the folder holds: files to check, files refused, names left out as litter, and the
    problems (``refused`` names the files an error is about, so that the 添付 sheet's rows do not
    report them missing as well)."""

    folder: str  # the folder's name as staff see it (the 案件番号)
    files: tuple[IncomingFile, ...]
    ignored: tuple[str, ...]
    issues: tuple[Issue, ...]
    refused: tuple[str, ...] = ()


def attachment_folder(workbook: Path, case_id: str) -> Path:
    """The folder of a case's scans: beside the workbook, named after its 案件番号."""
    return Path(workbook).parent / case_id


def is_litter(name: str) -> bool:
    """Hidden files and OS litter: never attachments, never reported."""
    return name.lower() in LITTER_NAMES or name.startswith(LITTER_PREFIXES)


def take_in(workbook: Path, case_id: str, limits: AttachmentLimits) -> Intake:
    """List and read the case's 添付 folder; no folder means no attachments."""
    folder = attachment_folder(workbook, case_id)
    reader = _Reader(case_id, limits)
    refusal = _folder_refusal(folder, case_id)
    if refusal:
        return Intake(case_id, (), (), (refusal,))
    if not folder.exists():
        return Intake(case_id, (), (), ())
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        return Intake(case_id, (), (), (_issue(case_id, "", "attachment_unreadable",
                                               f"添付フォルダを開けません（{exc.strerror}）"),))
    for entry in entries:
        reader.take(entry, folder)
    return Intake(case_id, tuple(reader.files), tuple(reader.ignored), tuple(reader.issues),
                  tuple(reader.refused))


def _issue(case_id: str, name: str, code: str, message: str,
           severity: Severity = "error") -> Issue:
    place = f"{case_id}/{name}" if name else f"{case_id}/"
    return Issue(code, severity, message, CellRef(place))


def _folder_refusal(folder: Path, case_id: str) -> Issue | None:
    """The folder must be a folder, and a link to one must stay beside the workbook."""
    if folder.is_symlink():
        home = os.path.realpath(folder.parent)
        if not _inside(os.path.realpath(folder), home):
            return _issue(case_id, "", "attachment_link_outside",
                          "添付フォルダが入力フォルダの外を指すリンクです。"
                          "ファイルを入力フォルダの中の添付フォルダに置いてください")
    if folder.exists() and not folder.is_dir():
        return _issue(case_id, "", "attachment_folder_not_dir",
                      f"「{case_id}」はフォルダではありません。添付ファイルは"
                      f"「{case_id}」という名前のフォルダに入れてください")
    return None


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder.rstrip(os.sep) + os.sep)


class _Reader:
    """Reads the folder's entries one by one, keeping count of files and bytes."""

    def __init__(self, case_id: str, limits: AttachmentLimits):
        self.case_id = case_id
        self.limits = limits
        self.files: list[IncomingFile] = []
        self.ignored: list[str] = []
        self.issues: list[Issue] = []
        self.refused: list[str] = []
        self.count = 0
        self.total = 0

    def refuse(self, name: str, code: str, message: str, severity: Severity = "error") -> None:
        self.issues.append(_issue(self.case_id, name, code, message, severity))
        if severity == "error":
            self.refused.append(name)

    def take(self, entry: os.DirEntry[str], folder: Path) -> None:
        name = unicodedata.normalize("NFC", entry.name)
        if is_litter(name):
            self.ignored.append(name)
            return
        if any(0xD800 <= ord(c) <= 0xDFFF for c in name):  # bytes not in UTF-8 (surrogateescape)
            self.refuse(name, "attachment_name_unreadable", "ファイル名の文字を読めません"
                        "（別の文字コードで付けられた名前です）。名前を付け直してください")
            return
        if entry.is_dir(follow_symlinks=False):
            self.refuse(name, "attachment_subfolder", f"添付フォルダの中のフォルダ「{name}」は"
                        "読みません。送る書類は添付フォルダの直下に置いてください", "warn")
            return
        self.count += 1
        if self.count == self.limits.max_files + 1:
            self.refuse(name, "attachment_too_many", "添付フォルダのファイルが多すぎます（上限 "
                        f"{self.limits.max_files}件）。送る書類だけを置いてください")
        elif self.count > self.limits.max_files:
            self.refused.append(name)  # said once, for the first file over the limit
        if self.count > self.limits.max_files:
            return
        path = self._target(entry, folder, name)
        if path is not None:
            self._read(path, name)

    def _target(self, entry: os.DirEntry[str], folder: Path, name: str) -> str | None:
        """The path to open: a link only when it points at a file inside the folder."""
        if not entry.is_symlink():
            return entry.path
        target = os.path.realpath(entry.path)
        if _inside(target, os.path.realpath(folder)):
            return target
        self.refuse(name, "attachment_link_outside", "添付フォルダの外を指すリンク（ショート"
                    "カット）です。ファイルそのものを添付フォルダに置いてください")
        return None

    def _read(self, path: str, name: str) -> None:
        read = self._bytes(path, name)
        if read is None:
            return
        data, info = read
        self.total += len(data)
        if self.total > self.limits.max_case_mb * MB:
            self.refuse(name, "attachment_case_too_large", "添付ファイルの合計が大きすぎます"
                        f"（上限 {self.limits.max_case_mb} MB）。解像度を下げてスキャンし直すか、"
                        "送る書類を減らしてください")
            self.total = -(1 << 62)  # said once; stop counting
            return
        kind = sniff(data)
        if kind is None:
            self.refuse(name, "attachment_unsupported", unsupported_reason(data))
            return
        mismatch = name_mismatch(name, kind)
        if mismatch:
            self.refuse(name, "attachment_type_mismatch", mismatch)
            return
        self.files.append(IncomingFile(name, kind, data, hashlib.sha256(data).hexdigest(),
                                       file_stamp(info)))

    def _bytes(self, path: str, name: str) -> tuple[bytes, os.stat_result] | None:
        """The file's bytes, refused when it is not a regular file or is too large.

        Opened non-blocking (a named pipe cannot hang the batch) and without following a link
        that appeared since the folder was listed (a link inside the folder is opened by its
        resolved path); judged by what was opened (fstat).
        """
        limit = self.limits.max_file_mb * MB
        flags = (os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
                 | getattr(os, "O_NOFOLLOW", 0))
        try:
            fd = os.open(path, flags)
        except OSError as exc:
            self.refuse(name, "attachment_unreadable", f"ファイルを開けません（{exc.strerror}）")
            return None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                self.refuse(name, "attachment_not_regular", "通常のファイルではありません（名前付き"
                            "パイプ、デバイスなど）。PDF・JPEG・PNGのファイルを置いてください")
                return None
            data = b"" if info.st_size > limit else read_at_most(fd, limit + 1)
        finally:
            os.close(fd)
        if info.st_size > limit or len(data) > limit:
            size = max(info.st_size, len(data))
            self.refuse(name, "attachment_too_large", f"ファイルが大きすぎます（{size / MB:.1f} MB、"
                        f"上限 {self.limits.max_file_mb} MB）。解像度を下げてスキャンし直してください")
            return None
        return data, info


def file_stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    """Size, modification and change times (ns) and inode: writing or replacing the file changes
    at least one (the change time cannot be set back by hand), as for the outputs' stamps."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def stamps_match(workbook: Path, case_id: str, stamps: dict[str, list[int]]) -> bool:
    """Does the case's folder hold exactly the files of ``stamps`` (name → stamp as the build
    read them), each with that stamp? One listing and a stat a file, nothing read or hashed: the
    unchanged check of a rerun. False whenever anything differs or cannot be told (the caller
    then hashes the folder as the build would read it)."""
    folder = attachment_folder(workbook, case_id)
    found: dict[str, str] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                name = unicodedata.normalize("NFC", entry.name)
                if not is_litter(name) and not entry.is_dir(follow_symlinks=False):
                    found[name] = entry.path
        return found.keys() == stamps.keys() and all(
            list(file_stamp(os.stat(path))) == list(stamps[name]) for name, path in found.items())
    except OSError:
        return False



def attachments_fingerprint(sha256: dict[str, str]) -> str:
    """The same files (names and bytes) give the same digest, whatever the listing order."""
    text = "\n".join(f"{name}\t{digest}" for name, digest in sorted(sha256.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def folder_fingerprint(workbook: Path, case_id: str, limits: AttachmentLimits) -> str:
    """What ``fingerprint`` of a build of this case would be now, without checking the files:
    the batch's unchanged decision (a changed, added or removed scan rebuilds the case)."""
    intake = take_in(workbook, case_id, limits)
    return attachments_fingerprint({f.name: f.sha256 for f in intake.files}) if intake.files else ""
