"""The packet: one PDF of the parts in order, a bookmark per part, the pages of each known."""

from __future__ import annotations

import io
import subprocess

import pikepdf
import pytest

from attach import hostile
from pipeline.attach.clean import Cleaned, clean
from pipeline.attach.packet import assemble, page_count
from pipeline.config import load_config

LIMITS = load_config().attachment_limits


def pdftotext(data: bytes, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(["pdftotext", *pages, "-", "-"], input=data, capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8")


def bookmarks(data: bytes) -> list[tuple[str, int]]:
    """(title, 0-based page) of every top-level bookmark."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            return [(item.title, pages[item.destination[0].objgen]) for item in outline.root]


@pytest.fixture(scope="module")
def parts():
    scan = clean("pdf", hostile.text_pdf("KAKAKU SATEI 2026-0142"), LIMITS)
    photo = clean("png", hostile.image_bytes((1654, 2339)), LIMITS)
    assert isinstance(scan, Cleaned) and isinstance(photo, Cleaned)
    return [("送付状", hostile.text_pdf("SOUFUJOU")),
            ("任意売却に関する同意申請書", hostile.text_pdf("DOUI 1/3", "DOUI 2/3", "DOUI 3/3")),
            ("価格査定書", scan.pdf),
            ("買付証明書", photo.pdf)]


def test_page_count_is_the_sum_of_the_parts_and_each_part_is_counted(parts):
    packet = assemble(parts)
    assert packet.pages == (1, 3, 1, 1)
    assert packet.total_pages == page_count(packet.pdf) == 6


def test_a_bookmark_names_each_part_at_its_first_page(parts):
    assert bookmarks(assemble(parts).pdf) == [
        ("送付状", 0), ("任意売却に関する同意申請書", 1), ("価格査定書", 4), ("買付証明書", 5)]


def test_the_attachment_s_text_is_in_the_packet_on_its_page(parts):
    data = assemble(parts).pdf
    assert "KAKAKU SATEI 2026-0142" in pdftotext(data, page=5)
    assert pdftotext(data, page=3).split() == ["DOUI", "2/3"]  # the letter's own numbering


def test_the_packet_opens_with_its_bookmarks_and_title(parts):
    data = assemble(parts, title="送付書類一式 ○○銀行").pdf
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert pdf.Root.PageMode == pikepdf.Name.UseOutlines
        assert str(pdf.docinfo.Title) == "送付書類一式 ○○銀行"
        assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_the_same_parts_give_the_same_bytes(parts):
    assert assemble(parts).pdf == assemble(parts).pdf


def test_a_part_without_pages_is_refused():
    empty = io.BytesIO()
    pikepdf.new().save(empty)
    with pytest.raises(ValueError, match="part without pages"):
        assemble([("送付状", hostile.text_pdf("X")), ("空", empty.getvalue())])


def test_a_letter_laid_out_by_weasyprint_keeps_its_japanese_text_in_the_packet(parts):
    from weasyprint import HTML

    letter = HTML(string="<html lang=ja><body style='font-family: IPAexMincho'>"
                         "<p>任意売却に関する同意申請書</p></body></html>").write_pdf()
    packet = assemble([("同意申請書", letter), parts[2]])
    assert "任意売却に関する同意申請書" in pdftotext(packet.pdf, page=1)
    assert "KAKAKU SATEI" in pdftotext(packet.pdf, page=2)
