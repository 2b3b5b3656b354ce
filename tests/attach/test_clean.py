"""Hostile and broken attachments are refused or disarmed; scans land on A4 pages as they should.

The checks themselves (pipeline.attach.clean), in this process; the child process that bounds
their time and memory is tests/attach/test_sandbox.py.
"""

from __future__ import annotations

import io
import struct
import subprocess
from decimal import Decimal

import pikepdf
import pytest

from attach import hostile
from pipeline.attach.clean import Cleaned, Refusal, active_content, clean, placement
from pipeline.config import load_config

LIMITS = load_config().attachment_limits


def cleaned(kind: str, data: bytes, limits=LIMITS) -> Cleaned:
    result = clean(kind, data, limits)
    assert isinstance(result, Cleaned), result
    return result


def refused(kind: str, data: bytes, limits=LIMITS) -> Refusal:
    result = clean(kind, data, limits)
    assert isinstance(result, Refusal), result
    return result


def pdftotext(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def inventory(data: bytes) -> str:
    """Every object of the PDF as qpdf sees it, as one text to search for what must be gone."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return " ".join(repr(obj) for obj in pdf.objects)


# --- PDFs: active content removed, with a note -------------------------------------------------

@pytest.mark.parametrize(("make", "named", "gone"), [
    (hostile.javascript_pdf, "JavaScript", ["/JavaScript", "/JS", "/OpenAction"]),
    (hostile.launch_pdf, "プログラムの起動", ["/Launch", "cmd.exe", "calc.exe", "/AA"]),
    (hostile.embedded_file_pdf, "埋め込みファイル", ["/EmbeddedFile", "MZ", "/FileAttachment"]),
    (hostile.form_javascript_pdf, "JavaScript", ["/JS", "/AcroForm", "/Widget"]),
])
def test_active_content_is_removed_and_named_in_a_note(make, named, gone):
    data = make()
    before = inventory(data)
    assert all(word in before for word in gone)  # the fixture really is hostile
    result = cleaned("pdf", data)
    after = inventory(result.pdf)
    assert [word for word in gone if word in after] == []
    assert active_content_of(result.pdf) == ()
    [(code, message)] = result.notes
    assert code == "attachment_active_removed" and named in message and "取り除きました" in message
    assert "HOSTILE BUT VISIBLE" in pdftotext(result.pdf)  # the page itself is kept
    assert result.pages == 1


def test_a_web_link_is_removed_without_alarming_staff():
    [(code, message)] = cleaned("pdf", hostile.web_link_pdf()).notes
    assert code == "attachment_active_removed" and "インターネットへのリンク" in message
    assert "送らないでください" not in message
    [(_, message)] = cleaned("pdf", hostile.javascript_pdf()).notes
    assert "心当たりのないファイルなら送らないでください" in message


def active_content_of(data: bytes) -> tuple[str, ...]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return active_content(pdf)


def test_a_filled_in_form_keeps_what_it_shows():
    # The field's value is drawn into the page before the form goes: the packet prints it.
    assert "FILLED IN" in pdftotext(cleaned("pdf", hostile.form_javascript_pdf()).pdf)


def test_an_ordinary_pdf_passes_without_a_note_and_keeps_its_text():
    result = cleaned("pdf", hostile.text_pdf("PAGE ONE", "PAGE TWO"))
    assert (result.pages, result.notes) == (2, ())
    assert pdftotext(result.pdf).split() == ["PAGE", "ONE", "PAGE", "TWO"]


def test_cleaning_gives_the_same_bytes_every_time():
    # The packets' sha256 go into the manifest and approvals: a rebuild must not differ.
    data = hostile.javascript_pdf()
    assert cleaned("pdf", data).pdf == cleaned("pdf", data).pdf


# --- PDFs refused --------------------------------------------------------------------------------

def test_a_pdf_that_needs_a_password_is_refused():
    refusal = refused("pdf", hostile.encrypted_pdf(user="secret"))
    assert refusal.code == "attachment_encrypted"
    assert "パスワード付きPDF" in refusal.message and "開くのにパスワード" in refusal.message


def test_a_pdf_with_only_an_owner_password_is_refused_too():
    # It opens, but lifting its restrictions by copying its pages is not the office's call.
    refusal = refused("pdf", hostile.encrypted_pdf(user=""))
    assert refusal.code == "attachment_encrypted" and "制限" in refusal.message


def test_a_malformed_pdf_is_refused():
    refusal = refused("pdf", hostile.malformed_pdf())
    assert refusal.code in ("attachment_corrupt", "attachment_no_pages")
    assert "PDF" in refusal.message


def test_a_pdf_qpdf_must_repair_is_kept_with_a_note():
    result = cleaned("pdf", hostile.broken_xref_pdf())
    assert "REPAIRED" in pdftotext(result.pdf)
    assert [code for code, _ in result.notes] == ["attachment_repaired"]


def test_damage_qpdf_meets_only_while_copying_the_pages_is_reported_too():
    # A broken object is read (and repaired) when the pages are copied, after opening went well.
    damaged = hostile.text_pdf("X").replace(b"stream", b"strea_", 1)
    assert [code for code, _ in cleaned("pdf", damaged).notes] == ["attachment_repaired"]


def test_a_pdf_over_the_page_limit_is_refused():
    limits = LIMITS.model_copy(update={"max_pdf_pages": 3})
    assert cleaned("pdf", hostile.many_pages_pdf(3), limits).pages == 3
    refusal = refused("pdf", hostile.many_pages_pdf(4), limits)
    assert refusal.code == "attachment_too_many_pages" and "4ページ" in refusal.message


# --- images --------------------------------------------------------------------------------------

def test_a_decompression_bomb_is_refused_from_its_header():
    bomb = hostile.png_bomb()
    assert len(bomb) < 1_000_000  # small on disk …
    # … and 144 MB of pixels (IHDR: width, height), over the 80 MP limit
    assert struct.unpack(">II", bomb[16:24]) == (12_000, 12_000)
    refusal = refused("png", bomb)
    assert refusal.code == "attachment_image_too_large"
    assert "12,000×12,000" in refusal.message


def test_an_image_just_within_the_pixel_limit_is_placed():
    limits = LIMITS.model_copy(update={"max_image_megapixels": 1})
    assert cleaned("png", hostile.image_bytes((1000, 1000)), limits).pages == 1
    assert refused("png", hostile.image_bytes((1001, 1000)), limits).code == \
        "attachment_image_too_large"


def test_a_truncated_image_is_refused():
    refusal = refused("jpeg", hostile.truncated_jpeg())
    assert refusal.code == "attachment_corrupt" and "画像" in refusal.message


def test_a_truncated_image_is_refused_in_a_process_that_imported_weasyprint(monkeypatch):
    """WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when imported."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert refused("jpeg", hostile.truncated_jpeg()).code == "attachment_corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's setting is put back


def test_a_png_handed_over_as_jpeg_is_refused():
    # The kind comes from sniffing; a decoder told another kind must not guess.
    assert refused("jpeg", hostile.image_bytes((10, 10))).code == "attachment_corrupt"


def page_of(data: bytes) -> tuple[tuple[float, float], tuple[float, ...], pikepdf.Stream]:
    """(page width, height), the image's box (x, y, w, h) from the content, and the image."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        box = page.mediabox
        ops = pikepdf.parse_content_stream(page)
        cm = next(operands for operands, op in ops if str(op) == "cm")
        a, _, _, d, e, f = (float(v) for v in cm)
        image = page.Resources.XObject["/Im0"]
        return ((float(box[2]), float(box[3])), (e, f, a, d),
                (int(image.Width), int(image.Height), str(image.ColorSpace),
                 int(image.BitsPerComponent), str(image.Filter)))


MM = 72 / 25.4


def test_a_scan_keeps_its_printed_size_from_its_dpi():
    # 100 mm × 50 mm at 300 dpi: 1181 × 591 pixels; landscape page; never scaled up.
    result = cleaned("png", hostile.image_bytes((1181, 591), dpi=(300, 300)))
    (width, height), (x, y, w, h), _ = page_of(result.pdf)
    assert (round(width / MM), round(height / MM)) == (297, 210)
    assert (round(w / MM), round(h / MM)) == (100, 50)
    assert round(x + w / 2, 1) == round(width / 2, 1) and round(y + h / 2, 1) == round(height / 2, 1)


def test_an_image_without_a_resolution_is_taken_at_the_assumed_dpi():
    # 400 × 600 pixels with no dpi: 200 dpi → 2 × 3 inches (50.8 × 76.2 mm); portrait.
    result = cleaned("png", hostile.image_bytes((400, 600)))
    (width, height), (_, _, w, h), _ = page_of(result.pdf)
    assert (round(width / MM), round(height / MM)) == (210, 297)
    assert (round(w, 2), round(h, 2)) == (144.0, 216.0)


def test_a_large_scan_is_scaled_down_to_fit_within_the_margins():
    result = cleaned("jpeg", hostile.image_bytes((4000, 6000), fmt="JPEG", dpi=(72, 72)))
    (width, height), (_, _, w, h), _ = page_of(result.pdf)
    margin = LIMITS.margin_mm * MM
    assert w <= width - 2 * margin + 0.01 and h <= height - 2 * margin + 0.01
    assert round(h, 2) == round(height - 2 * margin, 2)  # the tall side touches the margins
    assert round(w / h, 3) == round(4000 / 6000, 3)


def test_exif_orientation_is_honoured():
    # Pixels 600 wide × 400 high, EXIF 6 (turn a quarter clockwise): upright it is 400 × 600,
    # on a portrait page, and the black bar that was on top is now on the right.
    result = cleaned("jpeg", hostile.jpeg_rotated((600, 400), 6))
    (width, height), _, (w_px, h_px, *_) = page_of(result.pdf)
    assert width < height and (w_px, h_px) == (400, 600)
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        upright = pikepdf.PdfImage(pdf.pages[0].Resources.XObject["/Im0"]).as_pil_image().convert("L")
    assert upright.getpixel((395, 300)) < 60 and upright.getpixel((5, 300)) > 200


def test_a_jpeg_stays_jpeg_and_a_png_stays_lossless():
    _, _, (_, _, space, bits, flt) = page_of(cleaned("jpeg", hostile.image_bytes(
        (300, 200), fmt="JPEG")).pdf)
    assert (space, bits, flt) == ("/DeviceRGB", 8, "/DCTDecode")
    _, _, (_, _, space, bits, flt) = page_of(cleaned("png", hostile.image_bytes((300, 200))).pdf)
    assert (space, bits, flt) == ("/DeviceRGB", 8, "/FlateDecode")


def test_a_one_bit_scan_stays_one_bit_and_black_stays_black():
    result = cleaned("png", hostile.image_bytes((200, 100), mode="1"))
    _, _, (_, _, space, bits, _) = page_of(result.pdf)
    assert (space, bits) == ("/DeviceGray", 1)
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        image = pikepdf.PdfImage(pdf.pages[0].Resources.XObject["/Im0"]).as_pil_image().convert("L")
    assert image.getpixel((100, 5)) == 0 and image.getpixel((100, 90)) == 255


def test_transparency_is_laid_on_white_paper():
    data = hostile.image_bytes((100, 100), mode="RGBA", color=(255, 0, 0, 0))
    result = cleaned("png", data)
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        image = pikepdf.PdfImage(pdf.pages[0].Resources.XObject["/Im0"]).as_pil_image()
    assert image.mode == "RGB"
    assert image.getpixel((50, 90)) == (255, 255, 255)  # transparent red → white paper
    assert image.getpixel((50, 5)) == (0, 0, 0)  # the opaque black bar


def test_placement_never_scales_up():
    page_w, page_h, (_, _, w, h) = placement((100, 100), (Decimal(100), Decimal(100)), 10)
    assert (w, h) == (Decimal("72.00"), Decimal("72.00"))  # one inch, as scanned
    assert (page_w, page_h) == (Decimal("595.28"), Decimal("841.89"))
