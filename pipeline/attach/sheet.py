"""The 添付 sheet: which file of the 添付 folder goes to whom, under which 書類名 (pure).

Columns ``ファイル名``, ``書類名``, ``宛先`` (docs/attachments.md §3). 書類名 blank: the file's
name without its extension. 宛先 blank: every creditor; else a 債権者名 of the case (several
separated by 「、」 or line breaks). A file no row names goes to every creditor under its file
name, with a warning, so that staff see what will be sent; a row naming a file the folder does
not hold is an error at its cell. The sheet is optional: without it every file goes to every
creditor.

``read_attachment_sheet`` takes the sheet as the reader gives it (pipeline.read.workbook);
``match_attachments`` checks the rows against the folder's files and the case's creditors.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Protocol

from openpyxl.utils.cell import get_column_letter, range_boundaries

from pipeline.read import values
from pipeline.read.issues import CellRef, Issue, Severity
from pipeline.read.schema import ATTACHMENTS, FieldSpec
from pipeline.read.workbook import ExcelError, RawCell, RawSheet

SHEET = ATTACHMENTS.sheet
#: Separators of several 宛先 in one cell. Not 「・」: company names hold it (…トラスト・ローン).
_RECIPIENT_SEPARATORS = re.compile(r"[、，,\n]")
#: How many of the folder's file names a "missing file" message lists.
_SHOWN_FILES = 10


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row of 添付 as typed (text cleaned, nothing matched yet)."""

    row: int
    file_name: str
    title: str
    recipient: str
    cells: dict[str, str] = field(default_factory=dict)  # field name → A1 cell


@dataclass(frozen=True, slots=True)
class Assignment:
    """One attachment for some creditors (添付書類): a file, its 書類名, its recipients.

    ``recipients`` is None for every creditor, else the 債権者名 as the 債権者 sheet spells them.
    """

    file_name: str
    title: str
    recipients: tuple[str, ...] | None


def for_creditor(assignments: Sequence[Assignment], creditor: str) -> tuple[Assignment, ...]:
    """What one creditor gets, in packet order."""
    return tuple(a for a in assignments if a.recipients is None or creditor in a.recipients)


# --- reading the sheet -----------------------------------------------------------------------

class _Add(Protocol):
    """How the sheet's readers report a problem at a cell of 添付."""

    def __call__(self, code: str, message: str, cell: str = "", raw: str | None = None,
                 severity: Severity = "error") -> None: ...


def read_attachment_sheet(sheet: RawSheet | None, workbook: str
                          ) -> tuple[tuple[SheetRow, ...], list[Issue]]:
    """The rows of 添付 (none when the sheet is absent or empty), and its problems."""
    if sheet is None or not sheet.rows:
        return (), []
    issues: list[Issue] = []

    def add(code: str, message: str, cell: str = "", raw: str | None = None,
            severity: Severity = "error") -> None:
        issues.append(Issue(code, severity, message, CellRef(workbook, SHEET, cell), raw))

    columns = _columns(sheet, add)
    if "file_name" not in columns:
        return (), issues
    _merged(sheet, set(columns.values()), add)
    rows = []
    for raw_row in sheet.rows:
        if raw_row.number == 1:
            continue
        cells = {name: raw_row.cells.get(col) for name, col in columns.items()}
        if all(c is None or values.is_blank(c.value) for c in cells.values()):
            continue
        read = _row(raw_row.number, cells, columns, sheet, add)
        if read is not None:
            rows.append(read)
    return tuple(rows), issues


def _columns(sheet: RawSheet, add: _Add) -> dict[str, int]:
    """Field name → column number, from the headers in row 1."""
    header = sheet.rows[0].cells if sheet.rows[0].number == 1 else {}
    by_label = {values.normalize_label(f.label): f for f in ATTACHMENTS.fields}
    columns: dict[str, int] = {}
    for col, cell in sorted(header.items()):
        spec = by_label.get(values.normalize_label(cell.value))
        if spec and spec.name in columns:
            add("duplicate_column", f"見出し「{spec.label}」が2列あります。1列にしてください"
                "（この列は無視します）", cell.cell)
        elif spec:
            columns[spec.name] = col
        elif not values.is_blank(cell.value):
            add("extra_column", f"契約にない列（{get_column_letter(col)}列）は無視します",
                cell.cell, values.raw_text(cell.value), "warn")
    if "file_name" not in columns:
        add("missing_column", "1行目に見出し「ファイル名」の列がありません"
            "（ファイル名・書類名・宛先の3列）")
    return columns


def _merged(sheet: RawSheet, columns: set[int], add: _Add) -> None:
    for ref in sheet.merged:
        lo, _, hi, _ = range_boundaries(ref)
        if any(lo <= col <= hi for col in columns):
            add("merged_cells", f"セルの結合（{ref}）があると値を正しく読めません。"
                "結合を解除してください", ref)


def _row(number: int, cells: dict[str, RawCell | None], columns: dict[str, int],
         sheet: RawSheet, add: _Add) -> SheetRow | None:
    texts: dict[str, str] = {}
    where: dict[str, str] = {}
    ok = True
    for spec in ATTACHMENTS.fields:
        if spec.name not in columns:
            texts[spec.name] = ""
            continue
        cell = f"{get_column_letter(columns[spec.name])}{number}"
        where[spec.name] = cell
        text = _text(spec, cells[spec.name], cell, sheet, add)
        ok &= text is not None
        texts[spec.name] = text or ""
    if ok and not texts["file_name"]:
        add("required", f"ファイル名を入力してください（{ATTACHMENTS.field('file_name').hint}）",
            where["file_name"])
        return None
    if not ok:
        return None
    return SheetRow(number, texts["file_name"], texts["title"], texts["recipient"], where)


def _text(spec: FieldSpec, raw: RawCell | None, cell: str, sheet: RawSheet, add: _Add
          ) -> str | None:
    """The cell as text ("" blank), None when refused (reported at the cell)."""
    if cell in sheet.uncached:
        add("formula_uncached", f"{spec.label}: 数式の計算結果が保存されていません。"
            "Excelで再計算して保存してください", cell)
        return None
    if raw is None or values.is_blank(raw.value):
        return ""
    typed = values.raw_text(raw.value)
    if isinstance(raw.value, ExcelError):
        add("excel_error", f"{spec.label}「{typed}」はExcelのエラー値です。元の数式や参照先を"
            "直して、値を入力してください", cell, typed)
        return None
    if isinstance(raw.value, bool):
        add("boolean_value", f"{spec.label}「{typed}」はExcelの論理値（TRUE/FALSE）です。"
            f"入力し直してください（{spec.hint}）", cell, typed)
        return None
    text = values.parse_text(raw.value)
    if spec.max_length and len(text) > spec.max_length:
        add("text_too_long", f"{spec.label}が長すぎます（{len(text):,}文字、上限"
            f"{spec.max_length:,}文字）。短くしてください", cell, typed[:30])
        return None
    return text


# --- matching rows, files and creditors ------------------------------------------------------

def file_key(name: str) -> str:
    """How a typed name is compared with a file's: width, case and Mac decomposition folded."""
    return values.normalize_label(unicodedata.normalize("NFC", name)).casefold()


def document_title(file_name: str) -> str:
    """A file's 書類名 when no row gives one: its name without the extension (NFC)."""
    return unicodedata.normalize("NFC", PurePath(file_name).stem or file_name)


def match_attachments(rows: Sequence[SheetRow], files: Sequence[str], creditors: Sequence[str],
                      workbook: str, folder: str, refused: Sequence[str] = ()
                      ) -> tuple[tuple[Assignment, ...], list[Issue]]:
    """Who gets which file under which 書類名: sheet rows first, in their order, then the files
    no row names (to every creditor, each with a warning), by name.

    ``files`` are the names of the files the folder holds, ``refused`` those of its files
    already refused (their rows are not reported missing, and no warning says they will be
    sent); ``creditors`` the case's 債権者名.
    """
    matcher = _Matcher([*files, *refused], creditors, workbook, folder)
    matcher.refused = {unicodedata.normalize("NFC", f) for f in refused}
    for row in rows:
        matcher.take(row)
    matcher.unnamed()
    return tuple(matcher.assignments), matcher.issues


class _Matcher:
    def __init__(self, files: Sequence[str], creditors: Sequence[str], workbook: str,
                 folder: str):
        self.files = [unicodedata.normalize("NFC", f) for f in files]
        self.creditors = {values.normalize_label(c): c for c in creditors}
        self.creditor_names = list(dict.fromkeys(creditors))
        self.workbook, self.folder = workbook, folder
        self.assignments: list[Assignment] = []
        self.issues: list[Issue] = []
        self.named: dict[str, dict[str | None, str]] = {}  # file → recipient (None all) → cell
        self.refused: set[str] = set()

    def add(self, code: str, message: str, cell: str, raw: str | None,
            severity: Severity = "error") -> None:
        self.issues.append(Issue(code, severity, message, CellRef(self.workbook, SHEET, cell), raw))

    def take(self, row: SheetRow) -> None:
        name = self.file_of(row)
        known, recipients = self.recipients_of(row)
        if name is None or not known:
            return
        if self.duplicate(row, name, recipients):
            return
        title = row.title or document_title(name)
        self.assignments.append(Assignment(name, title, recipients))

    def file_of(self, row: SheetRow) -> str | None:
        """The folder's file the row names: exactly, else folded, else by name without extension
        when only one file has it (「価格査定書」 for 価格査定書.pdf)."""
        typed = unicodedata.normalize("NFC", row.file_name)
        if typed in self.files:
            return typed
        for key_of in (file_key, lambda n: file_key(PurePath(n).stem)):
            found = [f for f in self.files if key_of(f) == file_key(typed)]
            if len(found) == 1:
                return found[0]
        shown = "、".join(self.files[:_SHOWN_FILES]) + ("…" if len(self.files) > _SHOWN_FILES
                                                         else "")
        there = f"フォルダにあるファイル: {shown}" if self.files else "フォルダは空か、ありません"
        self.add("attachment_file_missing", f"ファイル「{row.file_name}」が添付フォルダ"
                 f"「{self.folder}」にありません（{there}）", row.cells["file_name"], row.file_name)
        return None

    def recipients_of(self, row: SheetRow) -> tuple[bool, tuple[str, ...] | None]:
        """Whether every 宛先 is a creditor (else reported), and the 債権者名 (None: everyone)."""
        if not row.recipient:
            return True, None
        whole = self.creditors.get(values.normalize_label(row.recipient))
        if whole:
            return True, (whole,)
        parts = [p for p in _RECIPIENT_SEPARATORS.split(row.recipient) if p.strip()]
        unknown = [p.strip() for p in parts if values.normalize_label(p) not in self.creditors]
        if unknown or not parts:
            names = "、".join(self.creditor_names)
            self.add("attachment_recipient_unknown", f"宛先「{'、'.join(unknown) or row.recipient}」"
                     f"は債権者シートにありません。債権者名（{names}）のどれかを入力するか、"
                     "全債権者に送るなら空欄にしてください", row.cells["recipient"], row.recipient)
            return False, None
        return True, tuple(dict.fromkeys(self.creditors[values.normalize_label(p)] for p in parts))

    def duplicate(self, row: SheetRow, name: str, recipients: tuple[str, ...] | None) -> bool:
        """A file sent twice to the same creditor: an error at the later row."""
        seen = self.named.setdefault(name, {})
        wanted: list[str | None] = [None] if recipients is None else list(recipients)
        for who in wanted:
            clash = seen.get(None) or (seen.get(who) if who else next(iter(seen.values()), None))
            if clash:
                whom = f"{who}宛て" if who else "全債権者宛て"
                self.add("attachment_duplicate_row", f"ファイル「{name}」の{whom}の行が重複しています"
                         f"（{clash}と重複）。1行にしてください", row.cells["file_name"],
                         row.file_name)
                return True
        for who in wanted:
            seen[who] = row.cells["file_name"]
        return False

    def unnamed(self) -> None:
        """Files no row names: to every creditor under their file name, with a warning."""
        for name in sorted(f for f in self.files if f not in self.named and f not in self.refused):
            title = document_title(name)
            self.assignments.append(Assignment(name, title, None))
            self.issues.append(Issue(
                "attachment_unlisted", "warn",
                f"添付シートにないファイルです。全債権者に「{title}」として送ります"
                "（送り先や書類名を決めるなら添付シートに行を加えてください）",
                CellRef(f"{self.folder}/{name}")))
