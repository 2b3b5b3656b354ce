"""One case end to end: workbook with a 添付 sheet, its folder, what each creditor's packet encloses."""

from __future__ import annotations

import pytest
from factory import ROWS, write_case

from attach import hostile
from pipeline.attach.case import gather_attachments
from pipeline.attach.intake import attachment_folder
from pipeline.attach.packet import assemble
from pipeline.config import load_config
from pipeline.read.validate import load_case
from pipeline.read.workbook import read_workbook

LIMITS = load_config().attachment_limits
BANK, GUARANTOR = "○○銀行", "△△保証株式会社"


def case_with(tmp_path, sheet_rows, files):
    def add_sheet(wb):
        ws = wb.create_sheet("添付")
        ws.append(["ファイル名", "書類名", "宛先"])
        for row in sheet_rows:
            ws.append(list(row))

    creditors = ROWS["債権者"] + [{"順位": 2, "債権者名": GUARANTOR, "担保種別": "抵当権",
                                 "元金残高": 3_000_000}]
    path = write_case(tmp_path, rows={"債権者": creditors}, edit=add_sheet)
    folder = attachment_folder(path, "2026-0142")
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    case, issues = load_case(path)
    assert case is not None, issues
    raw, _ = read_workbook(path)
    names = [c.name for c in case.creditors]
    return path, lambda: gather_attachments(path, case.case_id, raw.sheets.get("添付"), names,
                                            LIMITS)


@pytest.fixture
def ordinary(tmp_path):
    return case_with(tmp_path, [("買付証明書.png", "買付証明書（写）", BANK),
                                ("価格査定書.pdf", None, None)],
                     {"価格査定書.pdf": hostile.text_pdf("KAKAKU SATEI"),
                      "買付証明書.png": hostile.image_bytes((1654, 2339)),
                      "登記事項証明書.pdf": hostile.javascript_pdf()})


def test_each_creditor_gets_its_documents_in_order_with_their_pages(ordinary):
    _, gather = ordinary
    found = gather()
    assert found.ok
    assert [(e.title, e.pages) for e in found.for_creditor(BANK)] == [
        ("買付証明書（写）", 1), ("価格査定書", 1), ("登記事項証明書", 1)]
    assert [e.title for e in found.for_creditor(GUARANTOR)] == ["価格査定書", "登記事項証明書"]
    assert sorted((i.where.file, i.code) for i in found.issues) == [
        ("2026-0142/登記事項証明書.pdf", "attachment_active_removed"),
        ("2026-0142/登記事項証明書.pdf", "attachment_unlisted")]
    packet = assemble([(e.title, e.pdf) for e in found.for_creditor(GUARANTOR)])
    assert packet.pages == (1, 1)


def test_a_changed_scan_changes_the_fingerprint(ordinary):
    path, gather = ordinary
    before = gather().fingerprint()
    assert gather().fingerprint() == before
    (attachment_folder(path, "2026-0142") / "価格査定書.pdf").write_bytes(
        hostile.text_pdf("KAKAKU SATEI 2"))
    assert gather().fingerprint() != before


def test_a_refused_file_fails_the_case_once_and_its_row_is_not_reported_missing(tmp_path):
    _, gather = case_with(tmp_path, [("委任状.pdf", None, None)],
                          {"委任状.pdf": hostile.encrypted_pdf(), "写真.pdf": hostile.image_bytes(
                              (10, 10))})
    found = gather()
    assert not found.ok
    assert sorted((i.where.file, i.code) for i in found.issues) == [
        ("2026-0142/写真.pdf", "attachment_type_mismatch"),
        ("2026-0142/委任状.pdf", "attachment_encrypted")]
    assert found.for_creditor(BANK) == ()


def test_a_row_for_a_missing_file_and_an_unknown_recipient_are_errors_at_their_cells(tmp_path):
    _, gather = case_with(tmp_path, [("委任状.pdf", None, None),
                                     ("価格査定書.pdf", None, "××信金")],
                          {"価格査定書.pdf": hostile.text_pdf("X")})
    found = gather()
    assert [(i.where.sheet, i.where.cell, i.code) for i in found.issues if
            i.severity == "error"] == [("添付", "A2", "attachment_file_missing"),
                                       ("添付", "C3", "attachment_recipient_unknown")]
