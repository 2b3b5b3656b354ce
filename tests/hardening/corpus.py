"""The hostile corpus: broken and hostile case workbooks, generated in code.

Each ``Hostile`` writes one input file into a folder and says what the reader or validator must
answer: the issue code and, where the problem sits on a sheet, the sheet and cell. The corpus
covers every refusal of docs/workbook.md (not a zip, .xls, .xlsm, password, size, zip bombs,
row count, missing sheet, merged cells, uncached formulas, impossible dates, letters in amounts),
case ids that try to leave the output folder, a few attacks on the XML parsers (external
entities, entity expansion), and what passed validation before issue 12: Excel error values and
TRUE/FALSE cells, dates no document can print, text too long for a letter, rows the row guard did
not count, Strict Open XML. ``GOOD`` are valid workbooks to build beside them, two of which share
a case id.

Nothing here is a fixture file: the bytes are made by the factory (tests/factory.py) and then
broken on purpose, so the corpus follows the contract when the factory does.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from factory import case_cell, cell, write_case
from msoffcrypto.format.ooxml import OOXMLFile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BOMB_BYTES = 12 * 1024 * 1024  # over the reader's 10 MB floor for the compression-ratio guard


@dataclass(frozen=True)
class Hostile:
    """One broken or hostile input and the answer expected for it."""

    name: str  # file name in the input folder
    code: str  # issue code expected among the errors
    make: Callable[[Path, str], Path]  # (folder, name) → the written file
    sheet: str = ""  # where the problem is, when it is on a sheet
    cell: str = ""
    what: str = ""  # the threat, for docs/threats.md


# --- helpers that break a valid workbook -------------------------------------------------------

def rewrite_member(path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one zip member of a workbook in place."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def sheet_member(title_index: int) -> str:
    """The worksheet part of the n-th tab (1 = 案件) of a factory workbook."""
    return f"xl/worksheets/sheet{title_index}.xml"


def _text(content: bytes) -> Callable[[Path, str], Path]:
    def make(folder: Path, name: str) -> Path:
        path = folder / name
        path.write_bytes(content)
        return path
    return make


def _factory(**changes) -> Callable[[Path, str], Path]:
    return lambda folder, name: write_case(folder, name, **changes)


def _encrypted(folder: Path, name: str) -> Path:
    plain = write_case(folder, ".plain-" + name)
    out = io.BytesIO()
    with plain.open("rb") as handle:
        OOXMLFile(handle).encrypt("secret", out)
    plain.unlink()
    path = folder / name
    path.write_bytes(out.getvalue())
    return path


def _oversized(folder: Path, name: str) -> Path:
    path = folder / name
    with path.open("wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 1)  # sparse: no disk used
    return path


def _vba_inside(folder: Path, name: str) -> Path:
    path = write_case(folder, name)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\0" * 64)
    return path


def _ratio_bomb(folder: Path, name: str) -> Path:
    """A sheet part that inflates a thousandfold: 12 MB of spaces inside the sheet XML."""
    path = write_case(folder, name)
    rewrite_member(path, sheet_member(2), lambda xml: xml.replace(
        b"<sheetData>", b"<sheetData>" + b" " * BOMB_BYTES, 1))
    return path


def _lying_sizes(folder: Path, name: str) -> Path:
    """A zip whose directory declares a small sheet that really inflates to 12 MB."""
    path = _ratio_bomb(folder, name)
    data = bytearray(path.read_bytes())
    member = sheet_member(2).encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(member)] == member:
                struct.pack_into("<I", data, start + size_at, 1000)
            start += 4
    path.write_bytes(bytes(data))
    return path


def _too_many_rows(folder: Path, name: str) -> Path:
    def edit(wb):
        for n in range(5001):
            wb["世帯"].append([f"氏名{n}", "子"])
    return write_case(folder, name, edit=edit)


def _merged(folder: Path, name: str) -> Path:
    return write_case(folder, name, edit=lambda wb: wb["債権者"].merge_cells("B2:C2"))


def _formula(folder: Path, name: str) -> Path:
    return write_case(folder, name,
                      edit=lambda wb: wb["債権者"].__setitem__("D2", "=19000000+500000"))


def _truncated(folder: Path, name: str) -> Path:
    path = write_case(folder, name)
    path.write_bytes(path.read_bytes()[:1500])
    return path


def _other_zip(folder: Path, name: str) -> Path:
    path = folder / name
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    return path


def _symlink_out(folder: Path, name: str) -> Path:
    """A workbook name that points at a system file (a share can hold symlinks)."""
    path = folder / name
    os.symlink("/etc/passwd", path)
    return path


def _external_entity(folder: Path, name: str) -> Path:
    """A sheet that asks the XML parser to read /etc/passwd into a cell (XXE)."""
    path = write_case(folder, name)
    rewrite_member(path, sheet_member(1), lambda xml: xml.replace(
        b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY e SYSTEM "file:///etc/passwd">]><worksheet',
        1).replace(b"<t>2026-0142</t>", b"<t>&e;</t>"))
    return path


def _entity_expansion(folder: Path, name: str) -> Path:
    """'Billion laughs': nested entities that expand to 10^10 characters."""
    entities = b'<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %c "%s">' % (98 + k, b"&%c;" % (97 + k) * 10) for k in range(9))
    path = write_case(folder, name)
    rewrite_member(path, sheet_member(1), lambda xml: xml.replace(
        b"<worksheet", b"<!DOCTYPE worksheet [" + entities + b"]><worksheet", 1).replace(
        b"<t>2026-0142</t>", b"<t>&j;</t>"))
    return path


def _family_rows(respell: Callable[[bytes], bytes]) -> Callable[[Path, str], Path]:
    """5,001 rows in 世帯, their row elements rewritten as some writers spell them."""
    def make(folder: Path, name: str) -> Path:
        path = _too_many_rows(folder, name)
        rewrite_member(path, sheet_member(5), lambda xml: respell(
            re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)))
        return path
    return make


def _rows_without_r(xml: bytes) -> bytes:
    """`<row>` and `<c>` without their optional r attributes: positions follow from order."""
    return re.sub(rb'<c r="[A-Z]+\d+"', b"<c", re.sub(rb'<row r="\d+"[^>]*>', b"<row>", xml))


def _vlookup_na(folder: Path, name: str) -> Path:
    """債権者!B2 as Excel saves a =VLOOKUP(…) that found nothing: the formula and a cached #N/A."""
    path = write_case(folder, name)
    rewrite_member(path, sheet_member(3), lambda xml: re.sub(
        rb'<c r="B2"[^>]*?(?:/>|>.*?</c>)',
        '<c r="B2" t="e"><f>VLOOKUP(A2,参照!A:B,2,FALSE)</f><v>#N/A</v></c>'.encode(),
        xml, count=1, flags=re.DOTALL))
    return path


def _strict_ooxml(folder: Path, name: str) -> Path:
    """The workbook in Excel's "Strict Open XML Spreadsheet" namespaces."""
    path = write_case(folder, name)
    with zipfile.ZipFile(path) as zf:
        members = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    for member in members:
        rewrite_member(path, member, lambda xml: xml.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main").replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    return path


ID_CELL = case_cell("案件番号")
_CREDITOR = {"順位": 1, "担保種別": "抵当権", "元金残高": 19500000}

CORPUS: tuple[Hostile, ...] = (
    Hostile("csv-renamed.xlsx", "not_xlsx", _text("案件番号,債務者\n2026-0142,髙橋 一郎\n".encode()),
            what="CSV renamed .xlsx"),
    Hostile("text-utf16.xlsx", "not_xlsx", _text("\ufeff案件番号".encode("utf-16")),
            what="text file renamed .xlsx"),
    Hostile("empty.xlsx", "not_xlsx", _text(b""), what="empty file"),
    Hostile("letter.xlsx", "not_xlsx", _other_zip, what="another zip (a .docx) renamed .xlsx"),
    Hostile("legacy.xls", "legacy_xls", _text(OLE_MAGIC + b"\0" * 2048), what="legacy .xls"),
    Hostile("legacy-renamed.xlsx", "legacy_xls", _text(OLE_MAGIC + b"\0" * 2048),
            what=".xls renamed .xlsx"),
    Hostile("macro.xlsm", "macro_enabled", lambda f, n: write_case(f, n), what="macro .xlsm"),
    Hostile("vba-inside.xlsx", "macro_enabled", _vba_inside, what="macros inside an .xlsx"),
    Hostile("password.xlsx", "encrypted", _encrypted, what="password-protected workbook"),
    Hostile("huge.xlsx", "file_too_large", _oversized, what="file over 20 MB"),
    Hostile("bomb-ratio.xlsx", "zip_bomb", _ratio_bomb, what="zip bomb (compression ratio)"),
    Hostile("bomb-lying.xlsx", "corrupt", _lying_sizes,
            what="zip bomb that lies about its sizes (inflation stops at the declared size)"),
    Hostile("truncated.xlsx", "corrupt", _truncated, what="truncated download"),
    Hostile("symlink.xlsx", "not_xlsx", _symlink_out, what="symlink to a system file"),
    Hostile("xxe.xlsx", "corrupt", _external_entity, what="XML external entity (file read)"),
    Hostile("laughs.xlsx", "corrupt", _entity_expansion, what="XML entity expansion (billion laughs)"),
    Hostile("rows.xlsx", "sheet_too_many_rows", _too_many_rows, "世帯", what="sheet over 5,000 rows"),
    Hostile("no-creditors.xlsx", "sheet_missing", _factory(drop=["債権者"]), "債権者",
            what="missing required sheet"),
    Hostile("merged.xlsx", "merged_cells", _merged, "債権者", "B2:C2",
            what="merged cells over data"),
    Hostile("formula.xlsx", "formula_uncached", _formula, "債権者", "D2",
            what="formula without a cached value"),
    Hostile("feb30.xlsx", "date_impossible", _factory(case={"決済予定日": "令和8年2月30日"}), "案件",
            case_cell("決済予定日"), what="impossible date 令和8年2月30日"),
    Hostile("letter-o.xlsx", "yen_invalid",
            _factory(rows={"債権者": [{"順位": 1, "債権者名": "○○銀行", "担保種別": "抵当権",
                                    "元金残高": "1,2OO万"}]}),
            "債権者", cell("債権者", "元金残高"), what="letters in an amount 1,2OO万"),
    Hostile("id-parent.xlsx", "case_id_invalid", _factory(case={"案件番号": "../x"}), "案件", ID_CELL,
            what="case id ../x"),
    Hostile("id-absolute.xlsx", "case_id_invalid", _factory(case={"案件番号": "/tmp/ninbai-x"}),
            "案件", ID_CELL, what="case id that is an absolute path"),
    Hostile("id-fullwidth.xlsx", "case_id_invalid", _factory(case={"案件番号": "．．／ｘ"}), "案件",
            ID_CELL, what="full-width ../x (normalised, then refused)"),
    Hostile("id-dotdot.xlsx", "case_id_invalid", _factory(case={"案件番号": ".."}), "案件", ID_CELL,
            what="case id .."),
    Hostile("id-newline.xlsx", "case_id_invalid", _factory(case={"案件番号": "2026\n0142"}), "案件",
            ID_CELL, what="case id with a line break"),
    Hostile("ref-error.xlsx", "excel_error",
            _factory(rows={"債権者": [{**_CREDITOR, "債権者名": "#REF!"}]}), "債権者",
            cell("債権者", "債権者名"), what="Excel error value #REF! as a creditor name"),
    Hostile("vlookup-na.xlsx", "excel_error", _vlookup_na, "債権者", cell("債権者", "債権者名"),
            what="cached #N/A of a real VLOOKUP"),
    Hostile("true-name.xlsx", "boolean_value", _factory(case={"債務者氏名": True}), "案件",
            case_cell("債務者氏名"), what="TRUE cell as the debtor's name"),
    Hostile("year-1026.xlsx", "date_out_of_range", _factory(case={"契約予定日": "1026/11/30"}),
            "案件", case_cell("契約予定日", {"契約予定日": "1026/11/30"}), what="typo year 1026/11/30"),
    Hostile("date-9999.xlsx", "date_out_of_range", _factory(case={"決済予定日": "9999-12-31"}),
            "案件", case_cell("決済予定日"), what="決済予定日 9999-12-31"),
    Hostile("base-1026.xlsx", "date_out_of_range",
            _factory(rows={"債権者": [{**_CREDITOR, "債権者名": "○○銀行", "損害金率": "14.6%",
                                    "基準日": "1026/10/01"}]}), "債権者",
            cell("債権者", "基準日"), what="基準日 1026 (once a ¥2.87 billion claim)"),
    Hostile("long-name.xlsx", "text_too_long",
            _factory(rows={"債権者": [{**_CREDITOR, "債権者名": "長" * 4000}]}), "債権者",
            cell("債権者", "債権者名"), what="4,000-character creditor name"),
    Hostile("rows-no-r.xlsx", "sheet_too_many_rows", _family_rows(_rows_without_r), "世帯",
            what="5,001 rows written <row> without r"),
    Hostile("rows-tab.xlsx", "sheet_too_many_rows",
            _family_rows(lambda xml: xml.replace(b"<row ", b"<row\t")), "世帯",
            what="5,001 rows written <row\\tr=…>"),
    Hostile("strict.xlsx", "strict_ooxml", _strict_ooxml, what="Strict Open XML workbook"),
)

#: Valid workbooks built beside the corpus: (file name, case id). dup-b repeats dup-a's id.
GOOD: tuple[tuple[str, str], ...] = (
    ("good.xlsx", "2026-0900"), ("dup-a.xlsx", "2026-0901"), ("dup-b.xlsx", "2026-0901"))
LOCK_FILE = "~$good.xlsx"  # Excel's lock file: skipped without a message


def write_corpus(folder: Path) -> dict[str, Hostile]:
    """Write the corpus, the good workbooks and a lock file into ``folder``; corpus by file name."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, case_id in GOOD:
        write_case(folder, name, case={"案件番号": case_id})
    (folder / LOCK_FILE).write_bytes(b"\0" * 165)
    return {h.name: h for h in CORPUS if h.make(folder, h.name)}
