"""Case workbooks built in code, for tests: a minimal valid case plus per-sheet overrides.

The layout is written out here literally (labels, headers and their order, from
docs/workbook.md) rather than taken from pipeline.read.schema, so tests also check the schema
against the contract. 案件 has the header row 項目 | 値, so its first label is in row 2; table
sheets have headers in row 1 and their first record in row 2.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

DELETE = object()  # as a 案件 override value: leave the label's row out

CASE: list[tuple[str, object]] = [
    ("案件番号", "2026-0142"),
    ("担当者", "佐藤 花子"),
    ("債務者氏名", "髙橋 一郎"),
    ("債務者住所", "東京都新宿区西新宿一丁目1番1-101号"),
    ("物件種別", "マンション"),
    ("査定価格", 15000000),
    ("売却価格", "1,400万円"),
    ("決済予定日", date(2026, 11, 30)),
]

HEADERS: dict[str, list[str]] = {
    "物件": ["種類", "所在", "地番・家屋番号", "地目・構造", "面積(㎡)", "名称"],
    "債権者": ["順位", "債権者名", "担保種別", "元金残高", "損害金等", "基準日", "損害金率",
            "プロファイル", "部署", "担当者", "住所", "電話", "優先", "解除料", "月返済額", "債権番号"],
    "費用": ["項目", "金額", "支払先", "備考"],
    "世帯": ["氏名", "続柄", "年齢", "職業・勤務先", "備考"],
    "収支": ["区分", "費目", "内容", "月額", "備考"],
    "資産": ["種類", "内容", "評価額", "備考"],
    "所有者": ["氏名", "住所", "持分"],
    "交渉": ["債権者名", "回", "送付日", "回答期限", "回答日", "回答", "最低売却価格", "抹消承諾料",
           "引越費用", "条件メモ"],
}

ROWS: dict[str, list[dict[str, object]]] = {
    "物件": [{"種類": "区分建物", "所在": "東京都新宿区西新宿一丁目1番地1",
            "地番・家屋番号": "1番1の101", "面積(㎡)": 65.43, "名称": "西新宿ハイツ101号室"}],
    "債権者": [{"順位": 1, "債権者名": "○○銀行", "担保種別": "抵当権", "元金残高": 19500000,
             "損害金等": 500000, "基準日": date(2026, 10, 1), "損害金率": "14.6%"}],
    "費用": [],
    "世帯": [{"氏名": "髙橋 一郎", "続柄": "本人", "年齢": 45}],
    "収支": [{"区分": "収入", "費目": "給与", "内容": "本人 手取り", "月額": 250000},
           {"区分": "支出", "費目": "住居費", "月額": 80000}],
    "資産": [],
    "所有者": [],
    "交渉": [],
}


def case_cell(label: str, case: dict[str, object] | None = None) -> str:
    """The 値 cell of a 案件 label in a workbook written with these overrides."""
    labels = [lbl for lbl, _ in _case_rows(case or {})]
    return f"B{labels.index(label) + 2}"


def cell(sheet: str, header: str, index: int = 0) -> str:
    """The cell of ``header`` in the ``index``-th record (0 = row 2) of a table sheet."""
    return f"{get_column_letter(HEADERS[sheet].index(header) + 1)}{index + 2}"


def write_case(folder: Path, name: str = "2026-0142.xlsx", *,
               case: dict[str, object] | None = None,
               rows: dict[str, list[dict[str, object]]] | None = None,
               extra_rows: dict[str, list[dict[str, object]]] | None = None,
               drop: Iterable[str] = (),
               edit: Callable[[Workbook], None] | None = None) -> Path:
    """Write a valid case workbook, changed as asked, and return its path.

    ``case`` overrides 案件 values by label (DELETE removes the row; new labels are appended),
    ``rows`` replaces a sheet's records, ``extra_rows`` appends to them, ``drop`` leaves
    sheets out, and ``edit`` gets the openpyxl Workbook just before it is saved.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "案件"
    ws.append(["項目", "値"])
    for label, value in _case_rows(case or {}):
        ws.append([label, value])
    for sheet, headers in HEADERS.items():
        if sheet in drop:
            continue
        records = (rows or {}).get(sheet, ROWS[sheet]) + (extra_rows or {}).get(sheet, [])
        _write_table(wb.create_sheet(sheet), headers, records)
    if "案件" in drop:
        wb.remove(ws)
    if edit:
        edit(wb)
    path = Path(folder) / name
    wb.save(path)
    return path


def _case_rows(case: dict[str, object]) -> list[tuple[str, object]]:
    merged = [(label, case.get(label, value)) for label, value in CASE]
    merged += [(label, value) for label, value in case.items() if label not in dict(CASE)]
    return [(label, value) for label, value in merged if value is not DELETE]


def _write_table(ws, headers: list[str], records: list[dict[str, object]]) -> None:
    ws.append(headers)
    for record in records:
        ws.append([record.get(h) for h in headers])


def copy_sample(workbook: Path, folder: Path, name: str | None = None) -> Path:
    """A sample workbook of inputs/ copied into ``folder`` with its 添付 folder when it has one
    (2026-0142's scans, which its 添付 sheet names: without them the case fails, as it would
    for staff who moved the workbook alone). ``name``: another file name for the workbook."""
    import shutil

    target = folder / (name or workbook.name)
    shutil.copy(workbook, target)
    scans = workbook.with_suffix("")  # the folder is named after the 案件番号 = the sample's stem
    if scans.is_dir() and not (folder / scans.name).exists():
        shutil.copytree(scans, folder / scans.name)
    return target
