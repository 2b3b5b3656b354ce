"""summary.xlsx: one row per input workbook of the batch, the month-end overview (docs/outputs.md).

Drawn from the manifest (状態, warnings and errors most severe first, key figures, documents) and
the approvals (承認済み / 未承認, who, when). It prints as staff file it: A4 landscape, one page
wide, the header row on every page, and rows tall enough for their wrapped text (openpyxl cannot
autofit: the height is estimated from the text's display width and the column's). The sheet is
built so that it can be opened safely: every text cell is stored as a string, never a formula,
and text that Excel would take for a formula when a user edits the cell (starting with ``=``,
``+``, ``-``, ``@``, also after spaces, tabs or line breaks) carries Excel's quote prefix
(CSV/formula injection; openpyxl turns any ``str`` starting with ``=`` into a formula unless the
cell's data type is set back to ``"s"``).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from pipeline.batch.atomic import write_atomic
from pipeline.batch.manifest import Approval, InputRecord, Manifest, approved_folders
from pipeline.batch.review import DEFAULT_ZONE, local_time
from pipeline.read.issues import SEVERITY_RANK, level_label
from pipeline.text import display_width, drop_invisible

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


#: Printed size of a row: points per line of text (11-point type with its leading, as Excel
#: and LibreOffice lay out a Japanese line) and the cell's top and bottom padding.
LINE_POINTS = 15.0
ROW_PADDING_POINTS = 3.0
#: Share of a column's width (in Excel's units, about one digit each) that text fills before it
#: wraps: cells keep a margin either side, so a line breaks a little before the full width.
USABLE_WIDTH = 0.9


@dataclass(frozen=True)
class Column:
    header: str
    width: int
    value: Callable[[InputRecord, str], object]  # the record and its approval text
    yen: bool = False
    wrap: bool = False


def _issues_text(record: InputRecord) -> str:
    """Errors, then warnings most severe first (重要, 警告, 参考), each with its Japanese label."""
    warnings = sorted(record.warnings,
                      key=lambda w: SEVERITY_RANK.get(w.get("severity", ""), SEVERITY_RANK["warn"]))
    lines = [f"[{level_label('error')}] {e.get('text') or e['message']}" for e in record.errors]
    lines += [f"[{level_label(w.get('severity', 'warn'))}] {w['message']}" for w in warnings]
    return "\n".join(lines)


def _documents_text(record: InputRecord) -> str:
    return "\n".join(Path(d["pdf"]).name for d in record.documents)


def approval_cell(record: InputRecord, by_folder: dict[str, Approval], zone: str) -> str:
    """承認済み with who and when (local time), 未承認, or 書類なし for a case without documents."""
    if not record.folder or record.status == "error":
        return "書類なし"
    approval = by_folder.get(record.folder)
    if approval is None:
        return "未承認"
    return f"承認済み\n{approval.by}\n{local_time(approval.at, ZoneInfo(zone))}"


def _figure(name: str) -> Callable[[InputRecord, str], object]:
    """A column of the key figures; empty for a case without them (it failed)."""
    return lambda record, _: getattr(record.figures, name) if record.figures else None


#: A break-even price that no price up to the search limit reaches (docs/rules.md §2).
NOT_REACHED = "該当なし"


def _break_even(name: str) -> Callable[[InputRecord, str], object]:
    """A column of the break-even prices: the amount, 該当なし when none reaches it, empty for a
    case without them (it failed, or its record predates them)."""
    def value(record: InputRecord, _: str) -> object:
        prices = record.figures.break_even if record.figures else None
        if prices is None:
            return None
        price = getattr(prices, name)
        return NOT_REACHED if price is None else price
    return value


COLUMNS: tuple[Column, ...] = (
    Column("案件番号", 12, lambda r, _: r.case_id),
    Column("ファイル", 18, lambda r, _: Path(r.path).name, wrap=True),
    Column("状態", 9, lambda r, _: level_label(r.level)),
    Column("承認", 18, lambda r, approval: approval, wrap=True),
    Column("警告数", 7, lambda r, _: len(r.warnings)),
    Column("エラー数", 8, lambda r, _: len(r.errors)),
    Column("警告・エラー", 60, lambda r, _: _issues_text(r), wrap=True),
    Column("債務者", 14, _figure("debtor"), wrap=True),
    Column("売却価格", 14, _figure("price"), yen=True),
    Column("順位1 配分額", 14, _figure("first_lien_received"), yen=True),
    Column("競売比較（有利額）", 14, _figure("advantage"), yen=True),
    Column("損益分岐価格（第1順位）", 14, _break_even("first_lien_price"), yen=True),
    Column("全債権者の最低売却価格を満たす価格", 19, _break_even("all_floors_price"), yen=True),
    Column("残債務合計", 14, _figure("remaining_total"), yen=True),
    Column("返済提案月額", 13, _figure("monthly_total"), yen=True),
    Column("書類", 40, lambda r, _: _documents_text(r), wrap=True),
)


def wrapped_lines(text: str, width: float) -> int:
    """How many printed lines ``text`` takes in a wrapping column ``width`` units wide: each of its
    lines, by display width (全角 = 2), over what one printed line holds."""
    per_line = max(width * USABLE_WIDTH, 1.0)
    return sum(max(1, -(-display_width(line) // int(per_line))) for line in text.split("\n"))


def header_height() -> float:
    """Points for the header row: every heading wraps in its column (競売比較（有利額） takes two)."""
    lines = max(wrapped_lines(c.header, c.width) for c in COLUMNS)
    return lines * LINE_POINTS + ROW_PADDING_POINTS


def row_height(values: list[object]) -> float:
    """Points for a row: enough lines for its tallest wrapped cell (one line at least)."""
    lines = max((wrapped_lines(v, c.width) for c, v in zip(COLUMNS, values, strict=True)
                 if c.wrap and isinstance(v, str) and v), default=1)
    return lines * LINE_POINTS + ROW_PADDING_POINTS


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


def summary_bytes(manifest: Manifest, approvals: Sequence[Approval] = (),
                  zone: str = DEFAULT_ZONE) -> bytes:
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
        header.alignment = alignments[True]
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.row_dimensions[1].height = header_height()
    for row, values in enumerate(summary_rows(manifest.inputs, approvals, zone), start=2):
        for index, (column, value) in enumerate(zip(COLUMNS, values, strict=True), start=1):
            _fill(sheet.cell(row=row, column=index), column, value, alignments)
        sheet.row_dimensions[row].height = row_height(values)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(len(manifest.inputs) + 1, 2)}"
    _print_setup(sheet, manifest.batch)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _print_setup(sheet: Any, batch: str) -> None:
    """A4 landscape, every column on one page wide (as many pages down as it takes), the header
    row repeated on each printed page, the batch and page number in the footer."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # 0: no limit downwards
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.75  # inches; the header and footer
    sheet.page_margins.header = sheet.page_margins.footer = 0.3  # sit in them, clear of the table
    sheet.oddHeader.center.text = f"一覧　バッチ {drop_invisible(batch)}"
    sheet.oddFooter.center.text = "&P / &N ページ"


def _fill(cell: Cell, column: Column, value: object, alignments: dict[bool, Any]) -> None:
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
    if column.yen:
        cell.number_format = YEN_FORMAT
    cell.alignment = alignments[column.wrap]


def summary_rows(records: list[InputRecord], approvals: Sequence[Approval] = (),
                 zone: str = DEFAULT_ZONE) -> list[list[object]]:
    """The values of the summary's rows, one list per record (cheap: no workbook)."""
    by_folder = approved_folders(list(approvals))
    return [[column.value(record, approval_cell(record, by_folder, zone)) for column in COLUMNS]
            for record in records]


def write_summary(batch_dir: Path, manifest: Manifest, previous: list[InputRecord] | None = None,
                  approvals: Sequence[Approval] = (), zone: str = DEFAULT_ZONE,
                  recorded: Sequence[Approval] | None = None) -> None:
    """Write summary.xlsx, unless it is there and ``previous`` (the records it was written from)
    gives the same rows: an unchanged rerun then spends nothing on it (1.5 s at 1,000 cases).

    ``approvals`` are the standing ones (what the review shows as 承認済み). The previous rows
    are drawn with every ``recorded`` approval (approvals.json, standing or not): the summary
    was written while they stood, so one whose files were changed since reads as a different
    row and the sheet stops saying 承認済み. ``approve`` writes the summary whenever it records one.
    """
    path = batch_dir / SUMMARY_NAME
    before = approvals if recorded is None else recorded
    if previous is not None and path.is_file() \
            and summary_rows(previous, before, zone) == summary_rows(manifest.inputs, approvals, zone):
        return
    write_atomic(path, summary_bytes(manifest, approvals, zone))
