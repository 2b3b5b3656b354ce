"""Reading a case workbook: the only module that opens input files.

``read_workbook`` turns one ``.xlsx`` into raw cell values with their A1 coordinates and number
formats (``RawWorkbook``), nothing more: parsing and rules are validate.py's job. Before openpyxl
sees a byte, the file is checked for what must be refused with a clear message: not a regular
file (a pipe, a device, a folder), not an xlsx, legacy .xls, Strict Open XML, macros, password
protection, size, zip bombs, huge sheets. Every failure becomes an ``Issue``; nothing here raises,
so one bad file never stops a batch.

The sheet XML is scanned once with regular expressions (cheap) for what openpyxl's fast
read-only mode cannot tell: merged ranges, and formula cells that have no cached value.

Issue codes (all errors): file_unreadable, not_regular_file, file_too_large, not_xlsx, legacy_xls,
strict_ooxml, encrypted, macro_enabled, zip_bomb, corrupt, sheet_too_many_rows, sheet_duplicate
(the only one that still returns the workbook: the first sheet of that name is read).
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from xml.etree import ElementTree

from pipeline.read.issues import CellRef, Issue
from pipeline.read.schema import CASE_FIELDS, CASE_SHEET, SHEETS
from pipeline.read.values import normalize_label, parse_text

if TYPE_CHECKING:  # what load_workbook(read_only=True) returns sheets as (a private module)
    from openpyxl.cell.read_only import ReadOnlyCell
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


@dataclass(frozen=True, slots=True)
class ExcelError:
    """An error value (#REF!, #N/A, #DIV/0!, …) in a cell: typed, or a formula's cached result.

    Kept apart from text so that the validator refuses it instead of printing 「#REF! 様」;
    ``str()`` gives it as Excel shows it.
    """

    text: str

    def __str__(self) -> str:
        return self.text


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
        refusal = _refuse_by_name(path)
        if refusal:
            return None, [refusal]
        data = read_input_bytes(path, limits)
        if isinstance(data, Issue):
            return None, [data]
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
    try:
        return RawWorkbook(name, _load_sheets(data, titles, scans, limits)), issues
    except _TooManyRows as over:
        return None, [_rows_issue(over.title, f"{limits.max_rows + 1:,}行以上", name, limits)]


# --- refusals before unzipping -------------------------------------------------------------

_XLS_MSG = ("古い形式のExcelファイル（.xls）は読めません。"
            "Excelで開き「Excelブック (*.xlsx)」形式で保存し直してください")
_MACRO_MSG = ("マクロ付きブックは安全のため読みません。"
              "マクロなしの「Excelブック (*.xlsx)」形式で保存し直してください")
_STRICT_MSG = ("「Strict Open XML スプレッドシート」形式のブックは読めません。Excelで開き、"
               "「ファイルの種類」を「Excel ブック (*.xlsx)」にして保存し直してください")
#: The main namespace of a Strict Open XML workbook (ISO/IEC 29500 Strict); the ordinary
#: (Transitional) format uses http://schemas.openxmlformats.org/spreadsheetml/2006/main.
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
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


def _too_large(name: str, size: int, limits: Limits) -> Issue:
    return _issue("file_too_large", name,
                  f"ファイルが大きすぎます（{size / 2**20:.1f} MB、上限 "
                  f"{limits.max_file_bytes / 2**20:.0f} MB）。案件ワークブックか確認してください")


def read_input_bytes(path: Path, limits: Limits = LIMITS) -> bytes | Issue:
    """The file's bytes, or why it is refused: not a regular file, or over the size limit.

    Opened non-blocking so that a named pipe cannot hang the batch, then judged by what was
    opened (fstat, after symlinks are followed: a link to a real workbook is read as it).
    At most the limit plus one byte is ever read, as /proc files and growing files report a
    size that is not what a read returns. The batch hashes inputs through it too, so a pipe
    given to ``ninbai build`` cannot hang the run before the reader refuses it.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return _issue("not_regular_file", path.name, "通常のファイルではありません（フォルダ、"
                          "名前付きパイプ、デバイスなど）。Excelブック（.xlsx）を指定してください")
        if info.st_size > limits.max_file_bytes:
            return _too_large(path.name, info.st_size, limits)
        data = read_at_most(fd, limits.max_file_bytes + 1)
    finally:
        os.close(fd)
    if len(data) > limits.max_file_bytes:
        return _too_large(path.name, len(data), limits)
    return data


def read_at_most(fd: int, size: int) -> bytes:
    """At most ``size`` bytes from an open file: a file that grows while read (or lies about its
    size) cannot make the reader hold more than the limit. Also used for attachments."""
    chunks: list[bytes] = []
    while size > 0 and (chunk := os.read(fd, min(size, 1 << 20))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


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
    if _STRICT_NAMESPACE in zf.read("xl/workbook.xml"):  # openpyxl would fail with a KeyError
        return _issue("strict_ooxml", name, _STRICT_MSG)
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
    rows: int  # highest row number claimed by the XML (dimension, last row, row elements)
    merged: tuple[str, ...]
    uncached: frozenset[str]


_P = rb"(?:\w+:)?"  # an optional namespace prefix (x:c) as some writers use
_DIMENSION = re.compile(rb"<" + _P + rb'dimension\s+ref="[A-Z]*\d*:?[A-Z]*(\d*)"')
#: A row element however written: <row r="1">, <x:row …>, <row> (r is optional), <row\tr=…>.
_ROW = re.compile(rb"<" + _P + rb"row[\s>/]")
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
    count, last = 0, -1
    for count, found in enumerate(_ROW.finditer(xml), 1):
        last = found.start()
    last_row = _ROW_NUMBER.search(xml, last, xml.find(b">", last) + 1) if last >= 0 else None
    rows = max(int(dim.group(1) or 0) if dim else 0,
               int(last_row.group(1)) if last_row else 0, count)
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
    return [_rows_issue(title, f"{scan.rows:,}行", name, limits)
            for title, scan in scans.items() if scan.rows > limits.max_rows]


def _rows_issue(title: str, rows: str, name: str, limits: Limits) -> Issue:
    return _issue("sheet_too_many_rows", name,
                  f"シート「{title}」の行数が多すぎます（{rows}、上限{limits.max_rows:,}行）。"
                  "不要な行を削除して保存し直してください", title)


class _TooManyRows(Exception):
    """openpyxl yielded more rows than the limit although the XML scan counted fewer."""

    def __init__(self, title: str):
        super().__init__(title)
        self.title = title


# --- values, through openpyxl ----------------------------------------------------------------

def _load_sheets(data: bytes, titles: dict[str, str], scans: dict[str, _Scan], limits: Limits
                 ) -> dict[str, RawSheet]:
    """Cached values of the contract sheets only (read-only mode: extra sheets are never parsed)."""
    import openpyxl  # here, not at the top: a batch with nothing to rebuild never loads it (≈0.1 s)

    with warnings.catch_warnings():
        # openpyxl warns about Excel features it drops (extensions, slicers): not staff's concern.
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                    keep_links=False)
        try:
            return {sheet: _read_sheet(wb[title], sheet, scans[title], limits)
                    for sheet, title in titles.items()}
        finally:
            wb.close()


def _read_sheet(ws: ReadOnlyWorksheet, sheet: str, scan: _Scan, limits: Limits) -> RawSheet:
    """The non-empty cells of one sheet; stops at the first row past the limit.

    openpyxl yields every row up to the last one, gaps filled, so the count is the real row
    number whatever the XML said about itself (the scan is only the cheap first guard).
    """
    ws.reset_dimensions()  # a wrong <dimension> must not hide rows: read to the real end
    rows = []
    for count, cells in enumerate(ws.iter_rows(), 1):
        if count > limits.max_rows:
            raise _TooManyRows(ws.title)
        # EmptyCell fillers (gaps in the XML) have no coordinate and no value: skip them.
        kept = [c for c in cells if c.value is not None
                or getattr(c, "coordinate", None) in scan.uncached]
        if kept:
            rows.append(RawRow(kept[0].row, {c.column: _raw_cell(c) for c in kept}))
    return RawSheet(sheet, ws.title, tuple(rows), scan.merged, scan.uncached)


def _raw_cell(cell: ReadOnlyCell) -> RawCell:
    """An error cell ('e': typed #REF!, or a formula's cached #N/A) keeps its kind (ExcelError)."""
    value = ExcelError(str(cell.value)) if cell.data_type == "e" else cell.value
    return RawCell(cell.coordinate, value, cell.number_format)


# --- 案件番号 without reading the workbook --------------------------------------------------

_CELL_COLUMN = re.compile(r"([A-Z]+)\d+$")
CASE_ID_LABEL = next(f.label for f in CASE_FIELDS if f.name == "case_id")  # 案件番号


def peek_case_id(path: Path, limits: Limits = LIMITS) -> str | None:
    """The 案件番号 of a workbook as the validator would read it (案件 sheet, the B cell beside
    the first A cell labelled 案件番号, NFKC), or None when it cannot be told.

    For ``ninbai build --only 2026-0142``: only the zip directory, workbook.xml, the shared
    strings and the 案件 sheet's XML are read, with the same refusals as ``read_workbook``
    before anything is unzipped; openpyxl is never loaded. It never raises: a file that cannot
    be read here is simply not selected by its 案件番号 (its file name still selects it).
    """
    try:
        data = read_input_bytes(path, limits)
        if isinstance(data, Issue) or _sniff(data, path.name):
            return None
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if _check_zip(zf, path.name, limits):
                return None
            titles, _ = _contract_titles(parts := _sheet_parts(zf), path.name)
            if CASE_SHEET not in titles:
                return None
            strings = _shared_strings(zf)
            sheet = ElementTree.fromstring(zf.read(parts[titles[CASE_SHEET]]))
    except Exception:  # noqa: BLE001 - a broken file is the validator's to report, not this look-up's
        return None
    return _case_id_in(sheet, strings)


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    """The shared strings by index; each is its text runs without the phonetic guide (rPh),
    which Japanese Excel stores inside the same item (案件番号 + アンケンバンゴウ)."""
    if "xl/sharedStrings.xml" not in zf.NameToInfo:
        return []
    return [_item_text(item) for item in ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
            if item.tag.endswith("}si")]


def _item_text(item: ElementTree.Element) -> str:
    """The text of a string item (<si> or <is>): its own <t>, or the <t> of each run <r>."""
    texts = []
    for child in item:
        if child.tag.endswith("}t"):
            texts.append(child.text or "")
        elif child.tag.endswith("}r"):
            texts += [t.text or "" for t in child if t.tag.endswith("}t")]
    return "".join(texts)


def _case_id_in(sheet: ElementTree.Element, strings: list[str]) -> str | None:
    """The B value of the first row whose A cell is the label 案件番号."""
    wanted = normalize_label(CASE_ID_LABEL)
    for row in sheet.iter():
        if not row.tag.endswith("}row"):
            continue
        cells = {}
        for cell in row:
            column = _CELL_COLUMN.match(cell.get("r", ""))
            if column and column.group(1) in ("A", "B"):
                cells[column.group(1)] = _cell_value(cell, strings)
        if normalize_label(cells.get("A") or "") == wanted:
            value = cells.get("B")
            text = unicodedata.normalize("NFKC", parse_text(value)) if value is not None else ""
            return text or None
    return None


def _cell_value(cell: ElementTree.Element, strings: list[str]) -> str | float | None:
    """A cell's value as the reader sees it: shared, inline or formula text, or a number."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = next((c for c in cell if c.tag.endswith("}is")), None)
        return _item_text(inline) if inline is not None else None
    value = next((c.text for c in cell if c.tag.endswith("}v")), None)
    if value is None:
        return None
    if kind == "s":
        return strings[int(value)] if 0 <= int(value) < len(strings) else None
    if kind in ("str", "e", "b", "d"):
        return value if kind == "str" else None
    return float(value)
