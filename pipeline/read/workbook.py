"""Reading a case workbook: the only module that opens input files.

``read_workbook`` turns one ``.xlsx`` into raw cell values with their A1 coordinates and number
formats (``RawWorkbook``), nothing more: parsing and rules are validate.py's job. Before openpyxl
sees a byte, the file is checked for what must be refused with a clear message: not an xlsx,
legacy .xls, macros, password protection, size, zip bombs, huge sheets. Every failure becomes an
``Issue``; nothing here raises, so one bad file never stops a batch.

The sheet XML is scanned once with regular expressions (cheap) for what openpyxl's fast
read-only mode cannot tell: merged ranges, and formula cells that have no cached value.

Issue codes (all errors): file_unreadable, file_too_large, not_xlsx, legacy_xls, encrypted,
macro_enabled, zip_bomb, corrupt, sheet_too_many_rows, sheet_duplicate (the only one that still
returns the workbook: the first sheet of that name is read).
"""

from __future__ import annotations

import io
import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from xml.etree import ElementTree

import openpyxl

from pipeline.read.issues import CellRef, Issue
from pipeline.read.schema import SHEETS
from pipeline.read.values import normalize_label

if TYPE_CHECKING:  # what load_workbook(read_only=True) returns sheets as (a private module)
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards against files that are not case workbooks (spec: 20 MB, 5,000 rows)."""

    max_file_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024
    #: A member this large that also compresses more than max_ratio:1 is a zip bomb.
    ratio_floor_bytes: int = 10 * 1024 * 1024
    max_ratio: int = 100
    max_rows: int = 5000


LIMITS = Limits()


class RawCell(NamedTuple):
    """One non-empty cell as openpyxl read it (cached values, never formulas)."""

    cell: str  # A1 coordinate
    value: object
    number_format: str


@dataclass(frozen=True, slots=True)
class RawRow:
    number: int  # Excel row number
    cells: dict[int, RawCell]  # column number (A = 1) → cell; empty cells left out


@dataclass(frozen=True, slots=True)
class RawSheet:
    name: str  # the contract's sheet name (案件, 債権者, …)
    title: str  # the tab name as typed in the workbook
    rows: tuple[RawRow, ...]
    merged: tuple[str, ...] = ()  # merged ranges, "B3:C3"
    uncached: frozenset[str] = frozenset()  # formula cells without a cached value


@dataclass(frozen=True, slots=True)
class RawWorkbook:
    file: str  # file name, for messages
    sheets: dict[str, RawSheet]  # contract sheets present; extra sheets are not read


def discover_inputs(paths: Iterable[Path | str]) -> list[Path]:
    """Folders → their workbooks, sorted (``~$`` lock files skipped); files as given.

    Besides ``*.xlsx`` a folder also yields ``*.xlsm`` and ``*.xls`` so that they are refused
    with a message instead of silently missing from the batch.
    """
    found: list[Path] = []
    for given in map(Path, paths):
        if not given.is_dir():
            found.append(given)
            continue
        found += sorted(p for p in given.iterdir() if _is_candidate(p))
    return found


def _is_candidate(path: Path) -> bool:
    return (path.suffix.lower() in (".xlsx", ".xlsm", ".xls") and not path.name.startswith("~$")
            and path.is_file())


def read_workbook(path: Path | str, limits: Limits = LIMITS) -> tuple[RawWorkbook | None, list[Issue]]:
    """Read one case workbook; (None, [refusal]) when it cannot or must not be read."""
    path = Path(path)
    name = path.name
    try:
        refusal = _refuse_by_name(path) or _refuse_by_size(path, limits)
        if refusal:
            return None, [refusal]
        data = path.read_bytes()
        return _read_bytes(data, name, limits)
    except OSError as exc:
        return None, [_issue("file_unreadable", name, f"ファイルを開けません（{exc.strerror}）")]
    except Exception as exc:  # noqa: BLE001 - openpyxl and zipfile raise many kinds on broken files
        return None, [_corrupt(name, exc)]


def _read_bytes(data: bytes, name: str, limits: Limits) -> tuple[RawWorkbook | None, list[Issue]]:
    refusal = _sniff(data, name)
    if refusal:
        return None, [refusal]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        refusal = _check_zip(zf, name, limits)
        if refusal:
            return None, [refusal]
        parts = _sheet_parts(zf)
        titles, issues = _contract_titles(parts, name)
        # zipfile never inflates a member past its declared size, so the bomb check holds here
        scans = {title: _scan_sheet(zf.read(part)) for title, part in parts.items()}
    issues += _too_many_rows(scans, name, limits)
    if any(i.severity == "error" and i.code != "sheet_duplicate" for i in issues):
        return None, issues
    return RawWorkbook(name, _load_sheets(data, titles, scans)), issues


# --- refusals before unzipping -------------------------------------------------------------

_XLS_MSG = ("古い形式のExcelファイル（.xls）は読めません。"
            "Excelで開き「Excelブック (*.xlsx)」形式で保存し直してください")
_MACRO_MSG = ("マクロ付きブックは安全のため読みません。"
              "マクロなしの「Excelブック (*.xlsx)」形式で保存し直してください")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: An encrypted OOXML file is an OLE container with this stream; directory names are UTF-16LE.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def _issue(code: str, file: str, message: str, sheet: str = "", cell: str = "") -> Issue:
    return Issue(code, "error", message, CellRef(file, sheet, cell))


def _corrupt(name: str, exc: Exception) -> Issue:
    return _issue("corrupt", name, "ファイルが壊れているか、Excelブックとして読めません"
                  f"（{type(exc).__name__}）。Excelで開いて保存し直してください")


def _refuse_by_name(path: Path) -> Issue | None:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return _issue("legacy_xls", path.name, _XLS_MSG)
    if suffix == ".xlsm":
        return _issue("macro_enabled", path.name, _MACRO_MSG)
    return None


def _refuse_by_size(path: Path, limits: Limits) -> Issue | None:
    size = path.stat().st_size
    if size <= limits.max_file_bytes:
        return None
    return _issue("file_too_large", path.name,
                  f"ファイルが大きすぎます（{size / 2**20:.1f} MB、上限 "
                  f"{limits.max_file_bytes / 2**20:.0f} MB）。案件ワークブックか確認してください")


def _sniff(data: bytes, name: str) -> Issue | None:
    """Refuse by content: what the first bytes say the file really is."""
    if data.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in data:
            return _issue("encrypted", name, "パスワードで保護されたブックは読めません。"
                          "パスワードを解除して保存し直してください")
        return _issue("legacy_xls", name, _XLS_MSG)
    if not data.startswith(b"PK\x03\x04"):
        return _issue("not_xlsx", name, "Excelブック（.xlsx）ではありません（CSVやテキストの"
                      "拡張子を変えたものなど）。Excelで「Excelブック (*.xlsx)」形式で保存してください")
    return None


# --- refusals from the zip directory -------------------------------------------------------

def _check_zip(zf: zipfile.ZipFile, name: str, limits: Limits) -> Issue | None:
    members = zf.infolist()
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        return _issue("not_xlsx", name, "Excelブック（.xlsx）ではありません（ブック本体がありません）。"
                      "Excelで「Excelブック (*.xlsx)」形式で保存してください")
    if _is_zip_bomb(members, limits):
        total = sum(m.file_size for m in members)
        return _issue("zip_bomb", name, f"展開後の大きさが異常です（{total / 2**20:.0f} MB）。"
                      "案件ワークブックではない可能性があります")
    if any(n.lower().endswith("vbaproject.bin") for n in names) or _macro_content_type(zf):
        return _issue("macro_enabled", name, _MACRO_MSG)
    return None


def _is_zip_bomb(members: list[zipfile.ZipInfo], limits: Limits) -> bool:
    if sum(m.file_size for m in members) > limits.max_unzipped_bytes:
        return True
    return any(m.file_size > limits.ratio_floor_bytes
               and m.file_size > limits.max_ratio * max(m.compress_size, 1) for m in members)


def _macro_content_type(zf: zipfile.ZipFile) -> bool:
    try:
        types = zf.read("[Content_Types].xml")
    except KeyError:
        return False
    return b"macroenabled" in types.lower() or b"vbaproject" in types.lower()


# --- sheets: names, XML scan, row guard ----------------------------------------------------

def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Tab name → zip member of its worksheet XML, from workbook.xml and its relationships."""
    rels = {}
    for rel in ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels")):
        target = rel.get("Target", "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        rels[rel.get("Id")] = posixpath.normpath(part)
    parts = {}
    for node in ElementTree.fromstring(zf.read("xl/workbook.xml")).iter():
        if node.tag.endswith("}sheet"):
            rid = next((v for k, v in node.attrib.items() if k.endswith("}id")), None)
            if rels.get(rid) in zf.NameToInfo:  # chart sheets etc. have no worksheet part
                parts[node.get("name", "")] = rels[rid]
    return parts


def _contract_titles(parts: dict[str, str], name: str) -> tuple[dict[str, str], list[Issue]]:
    """Contract sheet name → tab name; tab names tolerate width and spaces (normalize_label)."""
    wanted = {normalize_label(s): s for s in SHEETS}
    titles: dict[str, str] = {}
    issues: list[Issue] = []
    for title in parts:
        sheet = wanted.get(normalize_label(title))
        if sheet and sheet in titles:
            issues.append(_issue("sheet_duplicate", name, f"シート「{sheet}」が2つあります"
                                 f"（「{titles[sheet]}」と「{title}」）。最初のものだけ読みます",
                                 sheet))
        elif sheet:
            titles[sheet] = title
    return titles, issues


class _Scan(NamedTuple):
    rows: int  # highest row number claimed by the XML (dimension, last row, row count)
    merged: tuple[str, ...]
    uncached: frozenset[str]


_P = rb"(?:\w+:)?"  # an optional namespace prefix (x:c) as some writers use
_DIMENSION = re.compile(rb"<" + _P + rb'dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d*)"')
_ROW_NUMBER = re.compile(rb'\sr="(\d+)"')
_MERGE = re.compile(rb"<" + _P + rb'mergeCell\s+ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"')
_FORMULA = re.compile(rb"<" + _P + rb"f[\s>/]")
_CELL = re.compile(rb"<" + _P + rb"c\s([^>]*?)(?<!/)>(.*?)</" + _P + rb"c>", re.DOTALL)
_CACHED = re.compile(rb"<" + _P + rb"v>[^<]")
_STR_TYPE = re.compile(rb'\st="str"')
_COORD = re.compile(rb'\br="([A-Z]+\d+)"')


def _scan_sheet(xml: bytes) -> _Scan:
    """What openpyxl's read-only mode does not report, without parsing the XML."""
    dim = _DIMENSION.search(xml, 0, 4096)
    last = max(xml.rfind(b"<row "), xml.rfind(b":row "))
    last_row = _ROW_NUMBER.search(xml, last, last + 200) if last >= 0 else None
    rows = max(int(dim.group(1) or 0) if dim else 0,
               int(last_row.group(1)) if last_row else 0,
               xml.count(b"<row ") + xml.count(b":row "))
    merged = tuple(m.decode() for m in _MERGE.findall(xml))
    return _Scan(rows, merged, _uncached_formulas(xml) if _FORMULA.search(xml) else frozenset())


def _uncached_formulas(xml: bytes) -> frozenset[str]:
    """Formula cells with no cached value: openpyxl (data_only) would give None for them.

    An empty <v> of a t="str" cell is Excel's cached empty string, not a missing value.
    """
    found = set()
    for attrs, body in _CELL.findall(xml):
        if _FORMULA.search(body) and not _CACHED.search(body) and not _STR_TYPE.search(attrs):
            coord = _COORD.search(attrs)
            if coord:
                found.add(coord.group(1).decode())
    return frozenset(found)


def _too_many_rows(scans: dict[str, _Scan], name: str, limits: Limits) -> list[Issue]:
    return [_issue("sheet_too_many_rows", name,
                   f"シート「{title}」の行数が多すぎます（{scan.rows:,}行、上限{limits.max_rows:,}行）。"
                   "不要な行を削除して保存し直してください", title)
            for title, scan in scans.items() if scan.rows > limits.max_rows]


# --- values, through openpyxl ----------------------------------------------------------------

def _load_sheets(data: bytes, titles: dict[str, str], scans: dict[str, _Scan]) -> dict[str, RawSheet]:
    """Cached values of the contract sheets only (read-only mode: extra sheets are never parsed)."""
    with warnings.catch_warnings():
        # openpyxl warns about Excel features it drops (extensions, slicers): not staff's concern.
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                    keep_links=False)
        try:
            return {sheet: _read_sheet(wb[title], sheet, scans[title])
                    for sheet, title in titles.items()}
        finally:
            wb.close()


def _read_sheet(ws: ReadOnlyWorksheet, sheet: str, scan: _Scan) -> RawSheet:
    ws.reset_dimensions()  # a wrong <dimension> must not hide rows: read to the real end
    rows = []
    for cells in ws.iter_rows():
        # EmptyCell fillers (gaps in the XML) have no coordinate and no value: skip them.
        kept = [c for c in cells if c.value is not None
                or getattr(c, "coordinate", None) in scan.uncached]
        if kept:
            rows.append(RawRow(kept[0].row, {c.column: RawCell(c.coordinate, c.value,
                                                               c.number_format) for c in kept}))
    return RawSheet(sheet, ws.title, tuple(rows), scan.merged, scan.uncached)
