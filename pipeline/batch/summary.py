"""summary.xlsx: one row per input workbook of the batch, the month-end overview (docs/outputs.md).

Drawn from the manifest alone (status, warnings, errors, key figures, documents). The sheet is
built so that it can be opened safely: every text cell is stored as a string, never a formula,
and text that Excel would take for a formula when a user edits the cell (starting with ``=``,
``+``, ``-``, ``@``, also after spaces, tabs or line breaks) carries Excel's quote prefix
(CSV/formula injection; openpyxl turns any ``str`` starting with ``=`` into a formula unless the
cell's data type is set back to ``"s"``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.batch.atomic import write_atomic
from pipeline.batch.manifest import InputRecord, Manifest
from pipeline.text import drop_invisible

if TYPE_CHECKING:  # openpyxl is imported where a workbook is written: an unchanged rerun has none
    from openpyxl.cell.cell import Cell

SUMMARY_NAME = "summary.xlsx"
#: pipeline.compute.money.yen as an Excel number format: the cell stays a number (sortable,
#: summable) and shows as the documents write it, 1,400,000円 and a negative △12,000円.
YEN_FORMAT = '#,##0"円";"△"#,##0"円"'
#: First characters that make Excel read a typed cell as a formula (also full-width forms, which
#: a Japanese IME may produce and Excel converts).
FORMULA_STARTS = tuple("=+-@＝＋－＠")
_LEADING_BLANKS = " \t\r\n\u3000"


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[InputRecord], object]
    yen: bool = False
    wrap: bool = False


def _issues_text(record: InputRecord) -> str:
    lines = [f"[エラー] {e.get('text') or e['message']}" for e in record.errors]
    lines += [f"[{w['severity']}] {w['message']}" for w in record.warnings]
    return "\n".join(lines)


def _documents_text(record: InputRecord) -> str:
    return "\n".join(Path(d["pdf"]).name for d in record.documents)


def _figure(name: str) -> Callable[[InputRecord], object]:
    """A column of the key figures; empty for a case without them (it failed)."""
    return lambda record: getattr(record.figures, name) if record.figures else None


COLUMNS: tuple[Column, ...] = (
    Column("案件番号", 14, lambda r: r.case_id),
    Column("ファイル", 28, lambda r: Path(r.path).name),
    Column("状態", 8, lambda r: r.status),
    Column("警告数", 8, lambda r: len(r.warnings)),
    Column("エラー数", 8, lambda r: len(r.errors)),
    Column("警告・エラー", 70, _issues_text, wrap=True),
    Column("債務者", 16, _figure("debtor")),
    Column("売却価格", 14, _figure("price"), yen=True),
    Column("順位1 配分額", 14, _figure("first_lien_received"), yen=True),
    Column("競売比較（有利額）", 16, _figure("advantage"), yen=True),
    Column("残債務合計", 14, _figure("remaining_total"), yen=True),
    Column("返済提案月額", 13, _figure("monthly_total"), yen=True),
    Column("書類", 50, _documents_text, wrap=True),
)


def looks_like_formula(text: str) -> bool:
    """Would Excel run this text as a formula if a user retyped it (=, +, -, @ first)?"""
    return text.lstrip(_LEADING_BLANKS).startswith(FORMULA_STARTS)


def set_text(cell: Cell, text: str) -> None:
    """Store ``text`` as a plain string cell, shown literally and never evaluated; invisible and
    control characters (XML cannot hold the latter) go by the one text rule (pipeline.text)."""
    text = drop_invisible(text)
    cell.value = text
    cell.data_type = "s"  # openpyxl made it "f" (formula) if it started with "="
    if looks_like_formula(text):
        cell.quotePrefix = True  # Excel keeps it text even when the cell is edited


def summary_bytes(manifest: Manifest) -> bytes:
    """The summary workbook of a batch, as the bytes of an .xlsx file."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    # One alignment object per kind, shared by every cell (a new one per cell cost a third of
    # the summary's time at 1,000 cases: openpyxl hashes each to find its style entry).
    alignments = {wrap: Alignment(vertical="top", wrap_text=wrap) for wrap in (False, True)}
    book = Workbook()
    sheet = book.active
    sheet.title = "一覧"
    for index, column in enumerate(COLUMNS, start=1):
        header = sheet.cell(row=1, column=index)
        set_text(header, column.header)
        header.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for row, record in enumerate(manifest.inputs, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            _fill(sheet.cell(row=row, column=index), column, column.value(record), alignments)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(manifest.inputs) + 1, 2)}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _fill(cell: Cell, column: Column, value: object, alignments: dict[bool, Any]) -> None:
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
    if column.yen:
        cell.number_format = YEN_FORMAT
    cell.alignment = alignments[column.wrap]


def summary_rows(records: list[InputRecord]) -> list[list[object]]:
    """The values of the summary's rows, one list per record (cheap: no workbook)."""
    return [[column.value(record) for column in COLUMNS] for record in records]


def write_summary(batch_dir: Path, manifest: Manifest, previous: list[InputRecord] | None = None) -> None:
    """Write summary.xlsx, unless it is there and ``previous`` (the records it was written from)
    gives the same rows: an unchanged rerun then spends nothing on it (1.5 s at 1,000 cases)."""
    path = batch_dir / SUMMARY_NAME
    if previous is not None and path.is_file() \
            and summary_rows(previous) == summary_rows(manifest.inputs):
        return
    write_atomic(path, summary_bytes(manifest))
