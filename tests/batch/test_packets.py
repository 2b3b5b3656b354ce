"""The packets (送付書類一式) built by the real batch: pages, bookmarks, the 送付状's counts, the
添付書類 lines per recipient, hostile scans, rebuilds on a changed scan, and ``ninbai export``.

Real workbooks of inputs/ with the sample scans (inputs/2026-0142/), rendered for real: what is
checked is what a creditor receives.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from attach import hostile
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.batch import BatchRequest, run_batch
from pipeline.batch.approve import approve_cases
from pipeline.batch.export import export_packets
from pipeline.cli import main
from pipeline.config import load_config

INPUTS = Path(__file__).resolve().parents[2] / "inputs"
BATCH_DATE = date(2026, 11, 30)
PACKET = "送付書類一式_{}.pdf"
SCANS = ("価格査定書.pdf", "買付証明書.png")


@pytest.fixture(scope="module")
def config():
    return load_config(INPUTS / "ninbai.toml")


def case_input(folder: Path, case_id: str, scans: tuple[str, ...] = SCANS) -> Path:
    """The sample workbook ``case_id`` in ``folder``, with the sample scans in its 添付 folder."""
    folder.mkdir(parents=True, exist_ok=True)
    workbook = folder / f"{case_id}.xlsx"
    shutil.copy(INPUTS / f"{case_id}.xlsx", workbook)
    if scans:
        (folder / case_id).mkdir(exist_ok=True)
        for name in scans:
            shutil.copy(INPUTS / "2026-0142" / name, folder / case_id / name)
    return workbook


def add_sheet(workbook: Path, rows: list[tuple[str, str, str]]) -> None:
    """The 添付 sheet (ファイル名・書類名・宛先), as staff fill it in."""
    wb = load_workbook(workbook)
    ws = wb.create_sheet("添付")
    ws.append(["ファイル名", "書類名", "宛先"])
    for row in rows:
        ws.append(list(row))
    wb.save(workbook)


def build(tmp_path: Path, inputs: list[Path], config, **options):
    request = BatchRequest(tuple(sorted(inputs)), tmp_path / "out", "b", BATCH_DATE, **options)
    return run_batch(request, config)


def case_dir(tmp_path: Path, case_id: str) -> Path:
    return tmp_path / "out" / "b" / case_id


def case_json(tmp_path: Path, case_id: str) -> dict:
    return json.loads((case_dir(tmp_path, case_id) / "case.json").read_text("utf-8"))


def bookmarks(pdf: Path) -> list[tuple[str, int]]:
    with pikepdf.open(pdf) as doc, doc.open_outline() as outline:
        pages = {page.objgen: n for n, page in enumerate(doc.pages)}
        return [(item.title, pages[item.destination[0].objgen]) for item in outline.root]


def pages(pdf: Path | bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf) as doc:
        return len(doc.pages)


def text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text without spaces and line breaks (tables come out one cell a line)."""
    args = ["pdftotext", *(["-f", str(first)] if first else []), *(["-l", str(last)] if last else []),
            str(pdf), "-"]
    return re.sub(r"\s+", "", subprocess.run(args, capture_output=True, check=True, text=True).stdout)


# --- one packet, looked at part by part -------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory, config):
    tmp = tmp_path_factory.mktemp("packets")
    result = build(tmp, [case_input(tmp / "in", "2026-0142")], config)
    assert result.exit_code == 0, [r.errors for r in result.processed]
    return tmp


def test_packet_is_cover_then_documents_then_attachments_bookmarked(built):
    folder = case_dir(built, "2026-0142")
    packet = folder / PACKET.format("東都みらい銀行")
    titles = [t for t, _ in bookmarks(packet)]
    assert titles == ["送付状", "任意売却に関する同意申請書", "生活状況表", "残債務の返済に関する申出書",
                      "価格査定書", "買付証明書"]
    parts = [pages(folder / "00_送付状_東都みらい銀行.pdf"),
             pages(folder / "01_任意売却に関する同意申請書_東都みらい銀行.pdf"),
             pages(folder / "02_生活状況表.pdf"),
             pages(folder / "03_残債務の返済に関する申出書_東都みらい銀行.pdf"),
             pages(INPUTS / "2026-0142" / "価格査定書.pdf"), 1]  # the PNG: one A4 page
    starts = [sum(parts[:i]) for i in range(len(parts))]
    assert [p for _, p in bookmarks(packet)] == starts
    assert pages(packet) == sum(parts)


def test_the_cover_states_each_documents_pages_and_the_total_with_itself(built):
    folder = case_dir(built, "2026-0142")
    packet = folder / PACKET.format("東都みらい銀行")
    cover = text(folder / "00_送付状_東都みらい銀行.pdf")
    listed = re.findall(r"([0-9]+)(任意売却に関する同意申請書|生活状況表|残債務の返済に関する申出書|"
                        r"価格査定書|買付証明書)([0-9]+)枚", cover)
    said = {title: int(n) for _, title, n in listed}
    starts = dict(bookmarks(packet))
    order = list(starts)
    actual = {t: (starts[order[i + 1]] if i + 1 < len(order) else pages(packet)) - starts[t]
              for i, t in enumerate(order)}
    assert said == {t: n for t, n in actual.items() if t != "送付状"}
    assert f"送付枚数（本状を含む）{pages(packet)}枚" in cover
    assert "FAX03-5555-0101" in cover  # [company] fax of the sample office
    entry = case_json(built, "2026-0142")["packets"][0]
    assert entry["pages"] == pages(packet) and entry["parts"][0] == {"title": "送付状", "pages": 1}


def test_the_sample_s_scans_are_named_by_its_attachments_sheet(built):
    """inputs/2026-0142.xlsx has a 添付 sheet naming both scans: no 「添付シートにないファイル」."""
    warnings = case_json(built, "2026-0142")["warnings"]
    assert [w["code"] for w in warnings if w["code"].startswith("attachment_")] == []


def test_the_attachments_text_is_in_the_packet(built):
    packet = case_dir(built, "2026-0142") / PACKET.format("東都みらい銀行")
    scan = text(INPUTS / "2026-0142" / "価格査定書.pdf")
    assert scan and scan in text(packet)


def test_the_cover_is_also_a_word_document(built):
    folder = case_dir(built, "2026-0142")
    docx = folder / "00_送付状_東都みらい銀行.docx"
    assert docx.read_bytes()[:2] == b"PK"
    entry = next(d for d in case_json(built, "2026-0142")["documents"] if d["kind"] == "cover_letter")
    assert (entry["addressee"], entry["docx"], entry["pdf"]) == (
        "東都みらい銀行", docx.name, "00_送付状_東都みらい銀行.pdf")


def test_the_packets_are_recorded_with_their_sha256_and_approved_with_the_rest(built):
    manifest = json.loads((built / "out" / "b" / "manifest.json").read_text("utf-8"))
    record = manifest["inputs"][0]
    packet = f"2026-0142/{PACKET.format('東都みらい銀行')}"
    assert packet in {o["path"] for o in record["outputs"]}
    assert record["packets"] == [{"addressee": "東都みらい銀行", "pdf": packet,
                                  "pages": pages(built / "out" / "b" / packet)}]


# --- who gets what ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_recipients(tmp_path_factory, config):
    """2026-0181: a city's 差押 and a bank. The 価格査定書 goes to both, the 買付証明書 to the bank."""
    tmp = tmp_path_factory.mktemp("recipients")
    workbook = case_input(tmp / "in", "2026-0181")
    add_sheet(workbook, [("価格査定書.pdf", "価格査定書", ""),
                         ("買付証明書.png", "買付証明書（写）", "かもめ浜銀行")])
    result = build(tmp, [workbook], config)
    assert result.exit_code == 0, [r.errors for r in result.processed]
    return case_dir(tmp, "2026-0181")


def test_a_tax_offices_packet_has_no_household_statement(two_recipients):
    city = [t for t, _ in bookmarks(two_recipients / PACKET.format("かもめ浜市役所"))]
    assert city == ["送付状", "任意売却に関する同意申請書", "価格査定書"]
    bank = [t for t, _ in bookmarks(two_recipients / PACKET.format("かもめ浜銀行"))]
    assert bank == ["送付状", "任意売却に関する同意申請書", "生活状況表", "残債務の返済に関する申出書",
                    "価格査定書", "買付証明書（写）"]


def test_the_attachments_line_lists_what_is_attached_per_recipient(two_recipients):
    city = text(two_recipients / "01_任意売却に関する同意申請書_かもめ浜市役所.pdf")
    assert "添付書類1．配分案（別紙）2．価格査定書3．回答書以上" in city
    bank = text(two_recipients / "01_任意売却に関する同意申請書_かもめ浜銀行.pdf")
    assert "添付書類1．配分案（別紙）2．価格査定書3．買付証明書（写）4．回答書以上" in bank
    proposal = text(two_recipients / "03_残債務の返済に関する申出書_かもめ浜銀行.pdf")
    assert "添付書類" in proposal and "生活状況表" in proposal  # (pdftotext mixes it with a table)
    # what the letters list beyond their own 別紙 and 回答書 is exactly the rest of the packet
    for name, letters in (("かもめ浜市役所", [city]), ("かもめ浜銀行", [bank, proposal])):
        parts = {t for t, _ in bookmarks(two_recipients / PACKET.format(name))}
        enclosed = parts - {"送付状", "任意売却に関する同意申請書", "残債務の返済に関する申出書"}
        listed = {t for t in ("生活状況表", "価格査定書", "買付証明書（写）")
                  if any(t in letter for letter in letters)}
        assert listed == enclosed


# --- hostile scans, rebuilds ------------------------------------------------------------------


def test_a_hostile_attachment_fails_its_case_and_the_batch_goes_on(tmp_path, config):
    locked = case_input(tmp_path / "in", "2026-0142")
    (tmp_path / "in" / "2026-0142" / "登記事項証明書.pdf").write_bytes(hostile.encrypted_pdf())
    other = case_input(tmp_path / "in", "2026-0148", scans=())
    result = build(tmp_path, [locked, other], config)
    records = {r.case_id: r for r in result.processed}
    assert records["2026-0142"].status == "error" and result.exit_code == 1
    message = records["2026-0142"].errors[0]["text"]
    assert "2026-0142/登記事項証明書.pdf" in message and "パスワード" in message
    assert not case_dir(tmp_path, "2026-0142").exists()
    assert records["2026-0148"].status != "error"
    assert (case_dir(tmp_path, "2026-0148") / PACKET.format("東都みらい銀行")).is_file() or \
        any(case_dir(tmp_path, "2026-0148").glob("送付書類一式_*.pdf"))


def test_active_content_is_removed_and_said(tmp_path, config):
    workbook = case_input(tmp_path / "in", "2026-0142")
    (tmp_path / "in" / "2026-0142" / "委任状.pdf").write_bytes(hostile.javascript_pdf())
    result = build(tmp_path, [workbook], config)
    record = result.processed[0]
    assert record.status == "warn"
    assert any("2026-0142/委任状.pdf" in w["message"] and w["code"] == "attachment_active_removed"
               for w in record.warnings)
    packet = case_dir(tmp_path, "2026-0142") / PACKET.format("東都みらい銀行")
    assert b"/JavaScript" not in packet.read_bytes() and b"/JS" not in packet.read_bytes()


def test_a_changed_scan_rebuilds_the_case_and_an_unchanged_one_does_not(tmp_path, config):
    workbook = case_input(tmp_path / "in", "2026-0142")
    assert build(tmp_path, [workbook], config).processed[0].result == "built"
    assert build(tmp_path, [workbook], config).processed[0].result == "unchanged"
    scan = tmp_path / "in" / "2026-0142" / "買付証明書.png"
    scan.write_bytes(hostile.image_bytes((400, 560), color=(250, 250, 250)))
    assert build(tmp_path, [workbook], config).processed[0].result == "built"
    assert build(tmp_path, [workbook], config).processed[0].result == "unchanged"
    extra = tmp_path / "in" / "2026-0142" / "委任状.pdf"  # an added scan (no 添付 row names it)
    extra.write_bytes(hostile.text_pdf("ININJO"))
    assert build(tmp_path, [workbook], config).processed[0].result == "built"
    extra.unlink()  # a removed scan too
    again = build(tmp_path, [workbook], config).processed[0]
    assert again.result == "built"
    titles = [t for t, _ in bookmarks(case_dir(tmp_path, "2026-0142") / PACKET.format("東都みらい銀行"))]
    assert titles[-2:] == ["価格査定書", "買付証明書"] and "委任状" not in titles


def test_an_untouched_scan_is_trusted_by_its_stamp_and_a_touched_one_is_hashed(tmp_path, config,
                                                                               monkeypatch):
    """An unchanged rerun reads no scan whose stamp is the recorded one (hashing them was 13% of
    a rerun); a scan rewritten, even with its bytes and mtime as before, is hashed again."""
    import os

    from pipeline.attach import intake

    workbook = case_input(tmp_path / "in", "2026-0142")
    record = build(tmp_path, [workbook], config).processed[0]
    assert sorted(record.attachment_stamps) == sorted(SCANS)
    hashed: list[str] = []
    real = intake.folder_fingerprint
    monkeypatch.setattr(intake, "folder_fingerprint",
                        lambda *args: hashed.append("x") or real(*args))
    assert build(tmp_path, [workbook], config).processed[0].result == "unchanged"
    assert hashed == []
    scan = tmp_path / "in" / "2026-0142" / "価格査定書.pdf"
    info = scan.stat()
    scan.write_bytes(scan.read_bytes())
    os.utime(scan, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert build(tmp_path, [workbook], config).processed[0].result == "unchanged"
    assert hashed == ["x"]  # its ctime changed: hashed, found the same


# --- export -------------------------------------------------------------------------------------


@pytest.fixture
def two_cases(tmp_path, config):
    inputs = [case_input(tmp_path / "in", "2026-0142"), case_input(tmp_path / "in", "2026-0148", ())]
    assert build(tmp_path, inputs, config).exit_code == 0
    return tmp_path / "out" / "b"


def test_export_copies_only_approved_unmodified_packets(tmp_path, two_cases):
    approved = approve_cases(two_cases, ["2026-0142"], "佐藤 花子").approved[0]
    packet = two_cases / "2026-0142" / PACKET.format("東都みらい銀行")
    assert approved.files[packet.name] == hashlib.sha256(packet.read_bytes()).hexdigest()
    send = tmp_path / "send"
    result = export_packets(two_cases, send)
    assert result.copied == [f"2026-0142/{PACKET.format('東都みらい銀行')}"]
    assert [p.split(":")[0] for p in result.problems] == ["2026-0148"]
    assert "承認されていません" in result.problems[0]
    copied = send / "2026-0142" / PACKET.format("東都みらい銀行")
    assert copied.read_bytes() == (two_cases / "2026-0142" / copied.name).read_bytes()
    assert sorted(p.name for p in send.iterdir()) == ["2026-0142"]  # nothing of 2026-0148
    again = export_packets(two_cases, send)
    assert again.copied == [] and again.present == result.copied


def test_export_refuses_a_packet_changed_after_approval(tmp_path, two_cases):
    approve_cases(two_cases, ["2026-0142"], "佐藤 花子")
    packet = two_cases / "2026-0142" / PACKET.format("東都みらい銀行")
    packet.write_bytes(packet.read_bytes() + b"%")
    result = export_packets(two_cases, tmp_path / "send")
    assert result.copied == [] and "承認したときと一致しません" in result.problems[0]
    assert not (tmp_path / "send" / "2026-0142").exists()


def test_export_never_overwrites_a_different_file(tmp_path, two_cases):
    approve_cases(two_cases, ["2026-0142"], "佐藤 花子")
    mine = tmp_path / "send" / "2026-0142" / PACKET.format("東都みらい銀行")
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"staff's own file")
    result = export_packets(two_cases, tmp_path / "send")
    assert "上書きしません" in result.problems[0] and mine.read_bytes() == b"staff's own file"


def test_export_on_the_command_line_exits_1_on_a_refusal(tmp_path, two_cases):
    runner = CliRunner()
    refused = runner.invoke(main, ["export", str(two_cases), "--to", str(tmp_path / "send")])
    assert refused.exit_code == 1 and "書き出せません: 2026-0142" in refused.output
    approve_cases(two_cases, ["2026-0142", "2026-0148"], "佐藤 花子")
    done = runner.invoke(main, ["export", str(two_cases), "--to", str(tmp_path / "send")])
    assert done.exit_code == 0 and "書き出しました: 2026-0148/" in done.output


def test_the_review_page_links_the_packets_first(built):
    from urllib.parse import unquote

    batch = built / "out" / "b"
    html = (batch / "index.html").read_text("utf-8")
    links = [unquote(u) for u in re.findall(r'href="([^"]+)"', html) if u.startswith("2026-0142/")]
    assert links[0] == f"2026-0142/{PACKET.format('東都みらい銀行')}"
    assert all((batch / link).is_file() for link in links)
    assert "00_送付状_東都みらい銀行.pdf" in " ".join(links)


def test_review_json_lists_each_case_s_packets_as_the_manifest_has_them(built):
    batch = built / "out" / "b"
    out = CliRunner().invoke(main, ["review", str(batch), "--json"])
    [case] = json.loads(out.output)
    path = f"2026-0142/{PACKET.format('東都みらい銀行')}"
    digest = hashlib.sha256((batch / path).read_bytes()).hexdigest()
    assert case["packets"] == [{"addressee": "東都みらい銀行", "path": path,
                                "pages": pages(batch / path), "sha256": digest}]


def test_a_lost_manifest_does_not_turn_a_packet_into_a_staff_file(tmp_path, config):
    """Without manifest.json, case.json says what ninbai wrote: the packet too, so a rebuild
    replaces it instead of refusing it as a staff file in the way."""
    workbook = case_input(tmp_path / "in", "2026-0142")
    assert build(tmp_path, [workbook], config).exit_code == 0
    (tmp_path / "out" / "b" / "manifest.json").unlink()
    again = build(tmp_path, [workbook], config)
    assert again.exit_code == 0, again.processed[0].errors
    assert again.processed[0].result == "built"


def test_a_pdf_qpdf_cannot_read_back_fails_the_case_in_japanese(tmp_path, config):
    from pipeline.batch.casebuild import build_case

    class Garbled:
        def docx(self, view) -> bytes:
            return b""

        def pdf(self, view) -> tuple[bytes, list[str]]:
            return b"%PDF-1.7 broken", []

    outcome = build_case(case_input(tmp_path, "2026-0142"), config, BATCH_DATE, Garbled())
    assert outcome.status == "error" and outcome.files == {}
    assert outcome.issues[-1].code == "render_failed" and "送付書類一式" in outcome.issues[-1].message
