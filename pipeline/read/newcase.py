"""new-case: a blank case workbook in exactly the contract's shape (docs/workbook.md).

Every sheet of the contract, 案件 labels in column A under a 項目 | 値 header, table headers in
row 1 (bold, coloured by requirement, frozen), a dropdown (Excel data validation list) on every
fixed-choice field, an input hint per field (data validation prompt), yen cells as ``#,##0``,
dates as ``yyyy/mm/dd`` and text cells as text (so Excel does not turn 地番 "12-3" into a date).
Everything comes from pipeline.read.schema, so the blank workbook and the validator cannot disagree.

Two dropdowns read their words from a hidden, protected sheet (``LIST_SHEET``) through named
ranges, as Excel's own 「入力規則 → リスト」 with 「名前の定義」 does: プロファイル, whose words are
the configured profiles' Japanese names (pipeline.read.profiles maps them back to the keys; a named
range has no 255-character limit and no trouble with a comma in a name), and 収支 費目, which
offers only the 費目 of the row's 区分 (``category_formula``).
"""

from __future__ import annotations

import io
from collections.abc import Collection
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.read.profiles import DEFAULT_PROFILE, dropdown_words
from pipeline.read.schema import (
    ATTACHMENTS,
    BUDGET,
    BUDGET_CATEGORIES,
    CASE_FIELDS,
    CASE_HEADER,
    CASE_ID_EXPECTED,
    CASE_ID_PATTERN,
    CASE_SHEET,
    CREDITORS,
    DEFAULT_PROFILES,
    NEGOTIATION,
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

#: The hidden sheet of the dropdowns' lists; the reader never reads a sheet outside the contract.
LIST_SHEET = "選択肢"
#: Named ranges (Excel 「名前の定義」) on LIST_SHEET: the profiles' names; the 費目 of each 区分;
#: every 費目, offered while a row's 区分 is still blank.
PROFILE_RANGE = "プロファイル一覧"
CATEGORY_RANGES: dict[str, str] = {side: f"費目_{side}" for side in BUDGET_CATEGORIES}
ALL_CATEGORIES_RANGE = "費目_すべて"


def write_blank_case(path: Path | str, case_id: str | None = None,
                     profiles: Collection[str] = DEFAULT_PROFILES) -> Path:
    """Write a blank case workbook; never overwrites (FileExistsError), bad id → ValueError.

    ``profiles``: the configured profiles, key → Japanese name (``Config.profile_names()``), or
    keys alone (then the dropdown shows the keys).
    """
    path = Path(path)
    if case_id is not None and not CASE_ID_PATTERN.fullmatch(case_id):
        raise ValueError(f"案件番号「{case_id}」は使えません。{CASE_ID_EXPECTED}で指定してください")
    wb = Workbook()
    _case_sheet(wb.active, case_id)
    words = dropdown_words(profiles)
    for table in TABLES:
        _table_sheet(wb.create_sheet(table.sheet), table, words)
    _table_sheet(wb.create_sheet(ATTACHMENTS.sheet), ATTACHMENTS, words)
    _list_sheet(wb, tuple(words))
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
        _validation(ws, spec, f"B{number}", _literal_list(spec.choices))
    if case_id:
        ws["B2"] = case_id
    _style_header(ws, ["optional"] * 4)
    for col, width in zip("ABCD", (22, 36, 6, 60), strict=True):
        ws.column_dimensions[col].width = width


def _table_sheet(ws: Worksheet, table: TableSpec, profile_words: dict[str, str]) -> None:
    """A table sheet: headers in row 1, column formats, dropdowns and hints on the data rows."""
    ws.append([f.label for f in table.fields])
    _style_header(ws, [_requirement(f) for f in table.fields])
    for col, spec in enumerate(table.fields, start=1):
        letter = get_column_letter(col)
        dim = ws.column_dimensions[letter]
        dim.width = max(KIND_WIDTHS[spec.kind], 2 * len(spec.label) + 2)
        dim.number_format = NUMBER_FORMATS.get(spec.kind, "General")
        cells = f"{letter}2:{letter}{TABLE_ROWS + 1}"
        if spec.name == "profile":
            names = "／".join(profile_words)
            _validation(ws, spec, cells, (PROFILE_RANGE, f"一覧から選んでください: {names}"),
                        f"{_prompt(spec)}。空欄は「{_default_word(profile_words)}」")
        elif table is ATTACHMENTS and spec.name == "recipient":
            _recipient_suggestions(ws, spec, cells)
        elif table is NEGOTIATION and spec.name == "creditor":
            _recipient_suggestions(ws, spec, cells, one_name=True)
        elif table is BUDGET and spec.name == "category":
            side = get_column_letter(table.fields.index(table.field("side")) + 1)
            _validation(ws, spec, cells,
                        (category_formula(f"${side}2"), "区分に合う費目を一覧から選んでください"))
        else:
            _validation(ws, spec, cells, _literal_list(spec.choices))


def category_formula(side_cell: str) -> str:
    """The 費目 dropdown's source for the row whose 区分 is ``side_cell`` ("$A2"):
    ``INDIRECT(IF($A2="収入","費目_収入",IF($A2="支出","費目_支出","費目_すべて")))``.

    A data validation formula is relative to the first cell of its range (B2), so $A2 is each
    row's own 区分. Not the shorter INDIRECT($A2) over ranges named 収入 and 支出: while 区分 is
    blank that is #REF!, and Excel then refuses every 費目 typed or pasted; this offers them all,
    and the validator checks 区分 and 費目 together (category_mismatch) whatever Excel let through.
    """
    formula = f'"{ALL_CATEGORIES_RANGE}"'
    for side, name in reversed(CATEGORY_RANGES.items()):
        formula = f'IF({side_cell}="{side}","{name}",{formula})'
    return f"INDIRECT({formula})"


def _list_sheet(wb: Workbook, profile_words: tuple[str, ...]) -> None:
    """The hidden, protected sheet of the lists, one column each, and their named ranges."""
    ws = wb.create_sheet(LIST_SHEET)
    columns = {PROFILE_RANGE: profile_words,
               **{CATEGORY_RANGES[side]: items for side, items in BUDGET_CATEGORIES.items()},
               ALL_CATEGORIES_RANGE: tuple(i for items in BUDGET_CATEGORIES.values() for i in items)}
    for col, (name, items) in enumerate(columns.items(), start=1):
        letter = get_column_letter(col)
        ws.cell(1, col, name)
        for row, item in enumerate(items, start=2):
            ws.cell(row, col, item).number_format = "@"
        ref = f"'{LIST_SHEET}'!${letter}$2:${letter}${len(items) + 1}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True  # staff see the lists in the dropdowns; editing them helps no one


def _default_word(profile_words: dict[str, str]) -> str:
    """The dropdown word of the profile a blank プロファイル means (標準)."""
    return next((w for w, key in profile_words.items() if key == DEFAULT_PROFILE),
                DEFAULT_PROFILE)


def _recipient_suggestions(ws: Worksheet, spec: FieldSpec, cells: str,
                           one_name: bool = False) -> None:
    """A list of the 債権者名 typed so far on 債権者, with the hint: 添付 宛先
    (docs/attachments.md §3) and 交渉 債権者名.

    添付 宛先 only suggests (no error alert): several creditors may be typed in one cell. 交渉
    holds ``one_name``: a name not in the list gets Excel's 「注意」 alert (style warning: staff
    may still keep it; the validator has the last word, width and spaces tolerated). One
    validation carries both the list and the hint: Excel keeps one rule per cell.
    """
    names = get_column_letter(CREDITORS.fields.index(CREDITORS.field("name")) + 1)
    dv = DataValidation(type="list", allow_blank=True, showErrorMessage=one_name,
                        formula1=f"{CREDITORS.sheet}!${names}$2:${names}${TABLE_ROWS + 1}")
    if one_name:
        dv.errorStyle = "warning"
        dv.errorTitle = spec.label[:32]
        dv.error = "債権者シートの債権者名のとおりに入力してください"
    dv.showInputMessage = True
    dv.promptTitle = spec.label[:32]
    dv.prompt = _prompt(spec)[:255]
    dv.add(cells)
    ws.add_data_validation(dv)


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


def _literal_list(choices: tuple[str, ...]) -> tuple[str, str] | None:
    """(source, error text) of a dropdown of the schema's fixed words; None without choices."""
    if not choices:
        return None
    return '"' + ",".join(choices) + '"', "一覧から選んでください: " + "／".join(choices)


def _validation(ws: Worksheet, spec: FieldSpec, cells: str, dropdown: tuple[str, str] | None,
                prompt: str | None = None) -> None:
    """A dropdown (``dropdown``: its list source and error text) and, for every field, the
    input hint shown when a cell is selected."""
    if dropdown:
        source, error = dropdown
        # showDropDown stays unset: in the file format, showDropDown="1" *hides* the arrow.
        dv = DataValidation(type="list", formula1=source, allow_blank=True,
                            showErrorMessage=True, errorTitle=spec.label[:32], error=error[:255])
    else:
        dv = DataValidation(allow_blank=True)
    dv.showInputMessage = True
    dv.promptTitle = spec.label[:32]  # Excel's limits: title 32, prompt 255 characters
    dv.prompt = (prompt or _prompt(spec))[:255]
    dv.add(cells)
    ws.add_data_validation(dv)


def _prompt(spec: FieldSpec) -> str:
    if spec.required:
        return f"必須。{spec.hint}"
    if spec.required_when:
        return f"{spec.required_when}必須。{spec.hint}"
    return spec.hint
