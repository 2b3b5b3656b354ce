"""One case's attachments, from folder and sheet to what each creditor gets (the stage's entry).

``gather_attachments`` runs the stage for one case: the folder is read (``take_in``), the 添付
sheet read and matched against its files and the case's creditors, and the files checked and
cleaned in the bounded child (``check_files``). Its result says, per creditor, which documents
go into the packet under which 書類名, with their cleaned PDFs and page counts; and every problem
as an ``Issue`` (errors fail the case, the batch goes on). ``fingerprint`` is what the case's
unchanged-key needs: a changed, added or removed scan rebuilds the case (docs/attachments.md §2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.attach.clean import Cleaned, Refusal
from pipeline.attach.intake import Intake, attachments_fingerprint, take_in
from pipeline.attach.sandbox import check_files
from pipeline.attach.sheet import Assignment, match_attachments, read_attachment_sheet
from pipeline.config import AttachmentLimits
from pipeline.read.issues import CellRef, Issue, has_errors
from pipeline.read.workbook import RawSheet


@dataclass(frozen=True, slots=True)
class Enclosure:
    """One attachment in one creditor's packet: its 書類名, file and cleaned PDF (同封書類)."""

    title: str
    file_name: str
    pdf: bytes
    pages: int


@dataclass(frozen=True, slots=True)
class CaseAttachments:
    """The case's attachments: who gets what, the cleaned PDFs, and the problems."""

    assignments: tuple[Assignment, ...]
    cleaned: dict[str, Cleaned]  # file name → its cleaned PDF (files that passed only)
    sha256: dict[str, str]  # file name → sha256 of the file as given (every file read)
    issues: tuple[Issue, ...]
    #: file name → its stamp as read (``intake.file_stamp``): recorded for the unchanged check
    stamps: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.issues)

    def for_creditor(self, creditor: str) -> tuple[Enclosure, ...]:
        """What one creditor's packet encloses after its letters, in order (only when ``ok``)."""
        return tuple(Enclosure(a.title, a.file_name, self.cleaned[a.file_name].pdf,
                               self.cleaned[a.file_name].pages)
                     for a in self.assignments
                     if (a.recipients is None or creditor in a.recipients)
                     and a.file_name in self.cleaned)

    def fingerprint(self) -> str:
        """sha256 over the files' names and contents, "" for no files: the unchanged-key's part."""
        return attachments_fingerprint(self.sha256) if self.sha256 else ""


def gather_attachments(workbook: Path, case_id: str, sheet: RawSheet | None,
                       creditors: Sequence[str], limits: AttachmentLimits
                       ) -> CaseAttachments:
    """The stage for one case (``sheet``: the raw 添付 sheet, None when the workbook has none)."""
    intake = take_in(workbook, case_id, limits)
    rows, sheet_issues = read_attachment_sheet(sheet, Path(workbook).name)
    assignments, match_issues = match_attachments(
        rows, [f.name for f in intake.files], creditors, Path(workbook).name, case_id,
        refused=intake.refused)
    cleaned, check_issues = _checked(intake, limits)
    issues = (*intake.issues, *sheet_issues, *match_issues, *check_issues)
    return CaseAttachments(assignments, cleaned, {f.name: f.sha256 for f in intake.files},
                           tuple(issues), {f.name: f.stamp for f in intake.files})


def _checked(intake: Intake, limits: AttachmentLimits) -> tuple[dict[str, Cleaned], list[Issue]]:
    cleaned: dict[str, Cleaned] = {}
    issues: list[Issue] = []
    for checked in check_files(intake.files, limits):
        where = CellRef(f"{intake.folder}/{checked.file.name}")
        result = checked.result
        if isinstance(result, Refusal):
            issues.append(Issue(result.code, "error", result.message, where))
            continue
        cleaned[checked.file.name] = result
        issues += [Issue(note.code, "warn", note.message, where) for note in result.notes]
    return cleaned, issues
