"""new-case: a blank case workbook in exactly the contract's shape (docs/workbook.md).

Every sheet of the contract, 案件 labels in column A under a 項目 | 値 header, table headers in
row 1 (bold, coloured by requirement, frozen), a dropdown (Excel data validation list) on every
fixed-choice field, an input hint per field (data validation prompt), yen cells as ``#,##0``,
dates as ``yyyy/mm/dd`` and text cells as text (so Excel does not turn 地番 "12-3" into a date).
Everything comes from pipeline.read.schema, so the blank workbook and the validator cannot disagree.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.read.schema import (
    CASE_FIELDS,
    CASE_HEADER,
    CASE_ID_EXPECTED,
    CASE_ID_PATTERN,
    CASE_SHEET,
    DEFAULT_PROFILES,
    TABLES,
    FieldSpec,
    TableSpec,
)

#: Rows of a table sheet that get dropdowns and hints (data validation ranges, not cells).
TABLE_ROWS = 500
NUMBER_FORMATS = {"yen": "#,##0", "date": "yyyy/mm/dd", "year_month": "yyyy/mm", "text": "@",
                  "case_id": "@", "share": "@"}  # 持分 as text: Excel turns a typed 1/2 into a date
#: Header fill: required / required in some rows / optional.
FILLS = {"required": "F8CBAD", "conditional": "FCE4D6", "optional": "E7E6E6"}
KIND_WIDTHS = {"text": 24, "yen": 14, "date": 12, "year_month": 10, "percent": 10,
               "integer": 8, "decimal": 10, "choice": 14, "case_id": 16, "share": 12}
LEGEND = "説明（＊は必須。表の見出しの色: 濃い橙＝必須、薄い橙＝条件により必須、灰＝任意）"


def write_blank_case(path: Path | str, case_id: str | None = None,
                     profiles: Sequence[str] = DEFAULT_PROFILES) -> Path:
    """Write a blank case workbook; never overwrites (FileExistsError), bad id → ValueError."""
    path = Path(path)
    if case_id is not None and not CASE_ID_PATTERN.fullmatch(case_id):
        raise ValueError(f"案件番号「{case_id}」は使えません。{CASE_ID_EXPECTED}で指定してください")
    wb = Workbook()
    _case_sheet(wb.active, case_id)
    for table in TABLES:
        _table_sheet(wb.create_sheet(table.sheet), table, tuple(profiles))
    buffer = io.BytesIO()
    wb.save(buffer)
    with path.open("xb") as f:  # exclusive create: refuse an existing file, even in a race
        f.write(buffer.getvalue())
    return path


def _case_sheet(ws: Worksheet, case_id: str | None) -> None:
    """案件: 項目 | 値 | 必須 | 説明, one row per label of the contract."""
    ws.title = CASE_SHEET
    ws.append([*CASE_HEADER, "必須", LEGEND])
    for number, spec in enumerate(CASE_FIELDS, start=2):
        ws.append([spec.label, None, "＊" if spec.required else None, spec.hint])
        value = ws.cell(number, 2)
        value.number_format = NUMBER_FORMATS.get(spec.kind, "General")
        _validation(ws, spec, spec.choices, f"B{number}")
    if case_id:
        ws["B2"] = case_id
    _style_header(ws, ["optional"] * 4)
    for col, width in zip("ABCD", (22, 36, 6, 60), strict=True):
        ws.column_dimensions[col].width = width


def _table_sheet(ws: Worksheet, table: TableSpec, profiles: tuple[str, ...]) -> None:
    """A table sheet: headers in row 1, column formats, dropdowns and hints on the data rows."""
    ws.append([f.label for f in table.fields])
    _style_header(ws, [_requirement(f) for f in table.fields])
    for col, spec in enumerate(table.fields, start=1):
        letter = get_column_letter(col)
        dim = ws.column_dimensions[letter]
        dim.width = max(KIND_WIDTHS[spec.kind], 2 * len(spec.label) + 2)
        dim.number_format = NUMBER_FORMATS.get(spec.kind, "General")
        choices = profiles if spec.name == "profile" else spec.choices
        _validation(ws, spec, choices, f"{letter}2:{letter}{TABLE_ROWS + 1}")


def _requirement(spec: FieldSpec) -> str:
    if spec.required:
        return "required"
    return "conditional" if spec.required_when else "optional"


def _style_header(ws: Worksheet, requirements: list[str]) -> None:
    for col, requirement in enumerate(requirements, start=1):
        cell = ws.cell(1, col)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=FILLS[requirement])
        cell.alignment = Alignment(horizontal="center", vertical="center")
    ws.freeze_panes = "A2"


def _validation(ws: Worksheet, spec: FieldSpec, choices: Sequence[str], cells: str) -> None:
    """A dropdown for fixed choices, and for every field the input hint shown on selection."""
    if choices:
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                            allow_blank=True, showErrorMessage=True, errorTitle=spec.label,
                            error="一覧から選んでください: " + "／".join(choices))
    else:
        dv = DataValidation(allow_blank=True)
    dv.showInputMessage = True
    dv.promptTitle = spec.label[:32]  # Excel's limits: title 32, prompt 255 characters
    dv.prompt = _prompt(spec)[:255]
    dv.add(cells)
    ws.add_data_validation(dv)


def _prompt(spec: FieldSpec) -> str:
    if spec.required:
        return f"必須。{spec.hint}"
    if spec.required_when:
        return f"{spec.required_when}必須。{spec.hint}"
    return spec.hint
