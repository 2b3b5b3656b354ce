"""The reader: what it reads (raw values with cells and formats) and what it refuses, by code."""

from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from factory import write_case
from msoffcrypto.format.ooxml import OOXMLFile

from pipeline.read.workbook import Limits, discover_inputs, read_workbook


def codes(issues) -> list[str]:
    return [i.code for i in issues]


def rewrite_member(path: Path, member: str, change) -> None:
    """Rewrite one zip member of a workbook in place (to forge what Excel writers may produce)."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info) for info in zf.infolist()}
    parts[member] = change(parts[member])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def sheet_member(path: Path, title: str) -> str:
    """The worksheet part of a tab in a workbook written by openpyxl (sheetN.xml in tab order)."""
    with zipfile.ZipFile(path) as zf:
        order = re.findall(r'<sheet\b[^>]*\bname="([^"]+)"', zf.read("xl/workbook.xml").decode())
    return f"xl/worksheets/sheet{order.index(title) + 1}.xml"


# --- discovery -------------------------------------------------------------------------------

def test_discover_sorts_folder_skips_lock_files_and_keeps_files_as_given(tmp_path):
    for name in ("b.xlsx", "a.xlsx", "~$a.xlsx", "notes.txt", "c.xlsm", "d.XLSX"):
        (tmp_path / name).write_bytes(b"x")
    single = tmp_path / "notes.txt"
    found = discover_inputs([tmp_path, single])
    assert [p.name for p in found] == ["a.xlsx", "b.xlsx", "c.xlsm", "d.XLSX", "notes.txt"]


# --- reading ---------------------------------------------------------------------------------

def test_reads_contract_sheets_with_cells_values_and_formats(tmp_path):
    def edit(wb):
        wb["債権者"]["G2"].number_format = "0.0%"
        wb.create_sheet("メモ")["A1"] = "extra sheets are not read"
    raw, issues = read_workbook(write_case(tmp_path, edit=edit))
    assert issues == []
    assert set(raw.sheets) == {"案件", "物件", "債権者", "費用", "世帯", "収支", "資産", "所有者",
                               "交渉"}
    first = raw.sheets["債権者"].rows[1]
    assert first.number == 2
    assert first.cells[4].cell == "D2" and first.cells[4].value == 19500000
    assert first.cells[6].value == datetime(2026, 10, 1)
    assert first.cells[7].number_format == "0.0%"
    assert raw.file == "2026-0142.xlsx"


def test_sheet_names_tolerate_width_and_spaces(tmp_path):
    def edit(wb):
        wb["債権者"].title = " 債権者 "
    raw, issues = read_workbook(write_case(tmp_path, edit=edit))
    assert issues == [] and raw.sheets["債権者"].title == " 債権者 "


def test_wrong_dimension_does_not_hide_rows(tmp_path):
    path = write_case(tmp_path)
    member = sheet_member(path, "収支")
    rewrite_member(path, member, lambda xml: re.sub(rb'<dimension ref="[^"]+"/>',
                                                    b'<dimension ref="A1"/>', xml))
    raw, _ = read_workbook(path)
    assert [r.number for r in raw.sheets["収支"].rows] == [1, 2, 3]


def test_merged_ranges_and_uncached_formulas_are_recorded(tmp_path):
    def edit(wb):
        wb["収支"].merge_cells("C2:E2")
        wb["収支"]["D3"] = "=D2*2"  # openpyxl writes formulas without a cached value
    raw, _ = read_workbook(write_case(tmp_path, edit=edit))
    sheet = raw.sheets["収支"]
    assert sheet.merged == ("C2:E2",)
    assert sheet.uncached == frozenset({"D3"})
    assert sheet.rows[2].cells[4].value is None  # kept, so the validator can point at it


def test_cached_formula_values_are_read_not_flagged(tmp_path):
    path = write_case(tmp_path, edit=lambda wb: wb["収支"].__setitem__("D3", "=D2*2"))
    member = sheet_member(path, "収支")
    rewrite_member(path, member, lambda xml: xml.replace(b"<f>D2*2</f><v></v>",
                                                         b"<f>D2*2</f><v>500000</v>"))
    raw, _ = read_workbook(path)
    assert raw.sheets["収支"].uncached == frozenset()
    assert raw.sheets["収支"].rows[2].cells[4].value == 500000


# --- refusals --------------------------------------------------------------------------------

def test_csv_renamed_xlsx_is_refused(tmp_path):
    path = tmp_path / "case.xlsx"
    path.write_text("項目,値\n案件番号,2026-0142\n", encoding="utf-8")
    raw, issues = read_workbook(path)
    assert raw is None and codes(issues) == ["not_xlsx"]


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert codes(read_workbook(path)[1]) == ["not_xlsx"]


def test_other_zip_renamed_xlsx_is_refused(tmp_path):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    assert codes(read_workbook(path)[1]) == ["not_xlsx"]


@pytest.mark.parametrize("name", ["old.xlsx", "old.xls"])
def test_legacy_xls_is_refused_by_bytes_and_by_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    raw, issues = read_workbook(path)
    assert raw is None and codes(issues) == ["legacy_xls"]


def test_xlsm_extension_is_refused_without_reading(tmp_path):
    path = write_case(tmp_path, "case.xlsm")
    assert codes(read_workbook(path)[1]) == ["macro_enabled"]


def test_vba_project_inside_xlsx_is_refused(tmp_path):
    path = write_case(tmp_path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\0" * 64)
    assert codes(read_workbook(path)[1]) == ["macro_enabled"]


def test_macro_enabled_content_type_is_refused(tmp_path):
    path = write_case(tmp_path)
    rewrite_member(path, "[Content_Types].xml", lambda xml: xml.replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml"))
    assert codes(read_workbook(path)[1]) == ["macro_enabled"]


def test_password_protected_workbook_is_refused(tmp_path):
    plain = write_case(tmp_path, "plain.xlsx")
    locked = tmp_path / "locked.xlsx"
    out = io.BytesIO()
    with plain.open("rb") as f:
        OOXMLFile(f).encrypt("secret", out)
    locked.write_bytes(out.getvalue())
    assert codes(read_workbook(locked)[1]) == ["encrypted"]


def test_file_over_20_mb_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as f:
        f.truncate(20 * 1024 * 1024 + 1)  # sparse: no disk used
    assert codes(read_workbook(path)[1]) == ["file_too_large"]


def test_zip_bomb_guard_on_uncompressed_total(tmp_path):
    path = write_case(tmp_path)
    raw, issues = read_workbook(path, Limits(max_unzipped_bytes=10_000))
    assert raw is None and codes(issues) == ["zip_bomb"]


def test_zip_bomb_guard_on_compression_ratio(tmp_path):
    path = write_case(tmp_path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/blank.bin", b"\0" * 2_000_000)
    raw, issues = read_workbook(path, Limits(ratio_floor_bytes=1_000_000))
    assert raw is None and codes(issues) == ["zip_bomb"]


def test_sheet_over_5000_rows_is_refused(tmp_path):
    def edit(wb):
        ws = wb["世帯"]
        for n in range(5001):
            ws.append([f"氏名{n}", "子"])
    raw, issues = read_workbook(write_case(tmp_path, edit=edit))
    assert raw is None
    assert [i.triple for i in issues] == [("世帯", "", "sheet_too_many_rows")]


def test_single_cell_far_down_counts_as_rows(tmp_path):
    _raw, issues = read_workbook(write_case(tmp_path, edit=lambda wb: wb["案件"].cell(6000, 1, "x")))
    assert codes(issues) == ["sheet_too_many_rows"]


def test_any_sheet_counts_for_the_row_guard(tmp_path):
    _raw, issues = read_workbook(write_case(
        tmp_path, edit=lambda wb: wb.create_sheet("参考").cell(5001, 1, "x")))
    assert [i.triple for i in issues] == [("参考", "", "sheet_too_many_rows")]


def test_truncated_zip_becomes_an_issue_not_a_traceback(tmp_path):
    path = write_case(tmp_path)
    path.write_bytes(path.read_bytes()[:1500])
    raw, issues = read_workbook(path)
    assert raw is None and codes(issues) == ["corrupt"]


def test_broken_sheet_xml_becomes_an_issue(tmp_path):
    path = write_case(tmp_path)
    rewrite_member(path, sheet_member(path, "債権者"), lambda xml: xml[: len(xml) // 2])
    raw, issues = read_workbook(path)
    assert raw is None and codes(issues) == ["corrupt"]


def test_missing_file_becomes_an_issue(tmp_path):
    raw, issues = read_workbook(tmp_path / "nothing.xlsx")
    assert raw is None and codes(issues) == ["file_unreadable"]


def test_duplicate_sheet_after_normalising_is_reported(tmp_path):
    raw, issues = read_workbook(write_case(tmp_path, edit=lambda wb: wb.create_sheet("収支 ")))
    assert [i.triple for i in issues] == [("収支", "", "sheet_duplicate")]
    assert raw is not None and raw.sheets["収支"].title == "収支"


# --- rows the XML scan cannot count (issue 12, item 12) ----------------------------------------

def _many_family_rows(wb, count: int = 5001) -> None:
    for n in range(count):
        wb["世帯"].append([f"氏名{n}", "子"])


@pytest.mark.parametrize("spelling", [b"<row>", b"<row\t"], ids=["no-r", "tab"])
def test_rows_written_without_r_or_with_a_tab_count_for_the_row_guard(tmp_path, spelling):
    """`<row>` (r is optional) and `<row\\tr="…">` once slipped past a count of `<row `."""
    path = write_case(tmp_path, edit=_many_family_rows)
    member = sheet_member(path, "世帯")

    def respell(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b"", xml)
        if spelling == b"<row>":
            xml = re.sub(rb'<row r="\d+"[^>]*>', b"<row>", xml)
            return re.sub(rb'<c r="[A-Z]+\d+"', b"<c", xml)
        return xml.replace(b"<row ", b"<row\t")

    rewrite_member(path, member, respell)
    raw, issues = read_workbook(path)
    assert raw is None
    assert [i.triple for i in issues] == [("世帯", "", "sheet_too_many_rows")]


def test_the_reader_stops_at_the_row_limit_whatever_the_scan_counted(tmp_path, monkeypatch):
    """Rows are counted as openpyxl yields them: a writer the XML scan misjudges is still stopped."""
    from pipeline.read import workbook

    monkeypatch.setattr(workbook, "_too_many_rows", lambda scans, name, limits: [])
    yielded = 0
    real_read_sheet = workbook._read_sheet

    def counting(ws, sheet, scan, limits):
        original = ws.iter_rows

        def iter_rows(*args, **kwargs):
            nonlocal yielded
            for row in original(*args, **kwargs):
                yielded += sheet == "世帯"
                yield row
        ws.iter_rows = iter_rows
        return real_read_sheet(ws, sheet, scan, limits)

    monkeypatch.setattr(workbook, "_read_sheet", counting)
    raw, issues = read_workbook(write_case(tmp_path, edit=lambda wb: _many_family_rows(wb, 8000)),
                                Limits(max_rows=5000))
    assert raw is None
    assert [i.triple for i in issues] == [("世帯", "", "sheet_too_many_rows")]
    assert "5,000" in issues[0].message
    assert yielded == 5000 + 1  # not one row of 世帯 read past the first over the limit


# --- special files (issue 12, item 13) ----------------------------------------------------------

def test_a_named_pipe_is_refused_without_blocking(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: it must never be opened that way.

    A helper thread plays the writer if the reader does block, so a regression fails, not hangs.
    """
    import threading

    fifo = tmp_path / "fifo.xlsx"
    os.mkfifo(fifo)
    done = threading.Event()

    def rescue() -> None:
        while not done.wait(0.05):
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                continue

    threading.Thread(target=rescue, daemon=True).start()
    try:
        raw, issues = read_workbook(fifo)
    finally:
        done.set()
    assert raw is None and codes(issues) == ["not_regular_file"]
    assert "通常のファイルではありません" in issues[0].message


@pytest.mark.parametrize("target", ["/dev/zero", "."], ids=["device", "folder"])
def test_devices_and_folders_are_refused_unread(tmp_path, target):
    path = tmp_path / "x.xlsx"
    os.symlink(Path(target).resolve() if target == "." else target, path)
    raw, issues = read_workbook(path)
    assert raw is None and codes(issues) == ["not_regular_file"]


def test_a_symlink_to_a_regular_workbook_is_read(tmp_path):
    """Decided: a link to a real workbook (a shortcut on the share) is read like the workbook."""
    real = write_case(tmp_path, "real.xlsx")
    link = tmp_path / "link.xlsx"
    os.symlink(real, link)
    raw, issues = read_workbook(link)
    assert raw is not None and issues == [] and raw.file == "link.xlsx"


@pytest.mark.skipif(not Path("/proc/cpuinfo").is_file(), reason="needs Linux /proc")
def test_a_file_that_reports_no_size_is_read_only_up_to_the_limit():
    """/proc files are regular with st_size 0: the size check cannot see them, the read must stop."""
    raw, issues = read_workbook("/proc/cpuinfo", Limits(max_file_bytes=100))
    assert raw is None and codes(issues) == ["file_too_large"]


# --- Strict Open XML (issue 12, Minor) ----------------------------------------------------------

_TRANSITIONAL_TO_STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main":
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
}


def _strict(xml: bytes) -> bytes:
    for old, new in _TRANSITIONAL_TO_STRICT.items():
        xml = xml.replace(old, new)
    return xml


def test_strict_open_xml_workbook_is_refused_with_how_to_save(tmp_path):
    """Excel's "Strict Open XML Spreadsheet" format used to end in a bare KeyError."""
    path = write_case(tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = [n for n in zf.namelist() if n.endswith((".xml", ".rels"))]
    for member in members:
        rewrite_member(path, member, _strict)
    raw, issues = read_workbook(path)
    assert raw is None and codes(issues) == ["strict_ooxml"]
    assert "Strict" in issues[0].message and "Excel ブック" in issues[0].message
    assert "KeyError" not in issues[0].message


# --- Excel error values keep their type (issue 12, item 8) -------------------------------------

def test_error_cells_are_read_as_excel_errors_not_text(tmp_path):
    from pipeline.read.workbook import ExcelError

    raw, _ = read_workbook(write_case(tmp_path, edit=lambda wb: wb["債権者"].__setitem__("B2", "#REF!")))
    value = raw.sheets["債権者"].rows[1].cells[2].value
    assert isinstance(value, ExcelError) and str(value) == "#REF!"
