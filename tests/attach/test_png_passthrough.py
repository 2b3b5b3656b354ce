"""A plain PNG scan goes into the PDF with its own compressed data, and looks the same.

pipeline.attach.clean puts a grey or RGB PNG's IDAT data into the image XObject as it is (Flate
with the PNG predictors) instead of re-compressing the decoded pixels. These tests render the
page both ways ("today's path" = the re-encoding, forced by turning the pass-through off) and
compare the pixels exactly, and check that nothing the pass-through must not carry gets through:
data hidden in or after the zlib stream, a chunk whose CRC is wrong, an interlaced image, a
transparent colour, an EXIF turn.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib

import pikepdf
import pytest
from PIL import Image

import pipeline.attach.clean as clean_module
from attach import hostile
from pipeline.attach.clean import Cleaned, clean
from pipeline.config import load_config

LIMITS = load_config().attachment_limits
SECRET = b"HIDDEN-PAYLOAD-NOT-FOR-THE-CREDITOR"

needs_pdftoppm = pytest.mark.skipif(not shutil.which("pdftoppm"),
                                    reason="pdftoppm is needed (bash scripts/setup.sh --dev)")


def page_image(data: bytes, *, passthrough: bool = True,
               monkeypatch: pytest.MonkeyPatch | None = None) -> bytes:
    """The PNG placed on its A4 page; with ``passthrough=False`` by today's re-encoding."""
    if not passthrough:
        assert monkeypatch is not None
        with monkeypatch.context() as patch:
            patch.setattr(clean_module, "png_image_data", lambda _data: None)
            return page_image(data)
    result = clean("png", data, LIMITS)
    assert isinstance(result, Cleaned), result
    return result.pdf


def xobject(pdf: bytes) -> tuple[dict, bytes, Image.Image]:
    """The page's image: its stream dictionary (as Python values), raw stream data, pixels."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        image = doc.pages[0].Resources.XObject["/Im0"]
        fields = {str(key): _plain(value) for key, value in image.stream_dict.items()}
        return fields, image.read_raw_bytes(), pikepdf.PdfImage(image).as_pil_image()


def _plain(value):
    if isinstance(value, pikepdf.Dictionary):
        return {str(key): _plain(each) for key, each in value.items()}
    return int(value) if isinstance(value, int) else str(value)


def idat(png: bytes) -> bytes:
    """The PNG's IDAT chunks' data, joined (read here independently of the code under test)."""
    at, found = 8, []
    while at < len(png):
        length, kind = struct.unpack_from(">I4s", png, at)
        if kind == b"IDAT":
            found.append(png[at + 8:at + 8 + length])
        at += 12 + length
    return b"".join(found)


def rendered(pdf: bytes, tmp_path, name: str) -> bytes:
    """The page as poppler draws it: 50 dpi, grey, as a PGM file's bytes."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-gray", "-singlefile", str(path),
                    str(tmp_path / name)], check=True, capture_output=True)
    return (tmp_path / f"{name}.pgm").read_bytes()


def saved(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(200, 200), **options)
    return out.getvalue()


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def assert_reencoded(pdf: bytes, png: bytes) -> None:
    """Today's path: Flate of the decoded pixels, no predictor, not the file's own data."""
    fields, raw, _ = xobject(pdf)
    assert "/DecodeParms" not in fields
    assert raw != idat(png)


# --- passed through, and the same to the eye -----------------------------------------------------

@needs_pdftoppm
@pytest.mark.parametrize(("mode", "colours", "bits", "space"), [
    ("L", 1, 8, "/DeviceGray"), ("RGB", 3, 8, "/DeviceRGB"), ("1", 1, 1, "/DeviceGray"),
])
def test_a_plain_png_goes_in_as_it_is_and_looks_the_same(mode, colours, bits, space, tmp_path,
                                                          monkeypatch):
    # 1001 pixels wide: a 1-bit row is not a whole number of bytes (padded, like a PDF's)
    png = saved(hostile.scan((1001, 1400), mode))
    new = page_image(png)
    fields, raw, pixels = xobject(new)
    assert fields["/DecodeParms"] == {"/Predictor": 15, "/Colors": colours,
                                      "/BitsPerComponent": bits, "/Columns": 1001}
    assert (fields["/Filter"], fields["/ColorSpace"], fields["/BitsPerComponent"]) == \
        ("/FlateDecode", space, bits)
    assert raw == idat(png)  # the file's own compressed data, not re-compressed
    assert pixels.tobytes() == decoded(png).tobytes()  # full resolution, as qpdf decodes it
    old = page_image(png, passthrough=False, monkeypatch=monkeypatch)
    assert "/DecodeParms" not in xobject(old)[0]
    assert rendered(new, tmp_path, "new") == rendered(old, tmp_path, "old")
    # the placement is the same: only the image's stream differs
    with pikepdf.open(io.BytesIO(new)) as a, pikepdf.open(io.BytesIO(old)) as b:
        assert a.pages[0].mediabox == b.pages[0].mediabox
        assert a.pages[0].Contents.read_bytes() == b.pages[0].Contents.read_bytes()


def test_the_sample_scan_is_passed_through():
    from pathlib import Path

    png = (Path(__file__).resolve().parents[2] / "inputs" / "2026-0142" / "買付証明書.png").read_bytes()
    fields, raw, pixels = xobject(page_image(png))
    assert raw == idat(png) and fields["/DecodeParms"]["/Columns"] == 1654
    assert pixels.tobytes() == decoded(png).tobytes()


# --- what must not pass through: today's path ---------------------------------------------------

def _grey_png(stream: bytes, size: tuple[int, int]) -> bytes:
    return hostile.png_file([hostile.png_header(size, "L"), (b"IDAT", stream)])


@pytest.mark.parametrize("hidden", ["more rows than the image", "bytes after the stream's end"])
def test_data_hidden_in_the_zlib_stream_does_not_reach_the_packet(hidden):
    image = hostile.scan((300, 200), "L")
    rows = hostile.png_rows(image)
    stream = (zlib.compress(rows + SECRET * 50) if hidden == "more rows than the image"
              else zlib.compress(rows) + SECRET * 50)
    png = _grey_png(stream, image.size)
    assert decoded(png).tobytes() == image.tobytes()  # Pillow accepts it: it stops at the rows
    pdf = page_image(png)
    assert_reencoded(pdf, png)
    _, raw, pixels = xobject(pdf)
    assert SECRET not in zlib.decompress(raw) and SECRET not in raw
    assert pixels.tobytes() == image.tobytes()


def test_a_chunk_with_a_wrong_crc_is_not_passed_through():
    image = hostile.scan((300, 200), "L")
    png = bytearray(_grey_png(zlib.compress(hostile.png_rows(image)), image.size))
    crc_at = png.index(b"IEND") - 8  # the IDAT chunk's CRC, just before IEND's length
    png[crc_at] ^= 0xFF
    png = bytes(png)
    assert decoded(png).tobytes() == image.tobytes()  # Pillow does not check IDAT's CRC
    pdf = page_image(png)
    assert_reencoded(pdf, png)
    assert xobject(pdf)[2].tobytes() == image.tobytes()


@pytest.mark.parametrize("size", [(300, 400), (1, 64)])
def test_an_interlaced_png_is_re_encoded(size):
    # (1, 64): a one-pixel column inflates to as many bytes interlaced as not (passes 1, 3, 5, 7
    # hold one pixel a row), only its rows come in another order: the header decides.
    image = hostile.scan(size, "L") if size[0] > 1 else \
        Image.frombytes("L", size, bytes(range(0, 256, 4)))
    png = hostile.interlaced_png(image)
    assert decoded(png).info.get("interlace") == 1
    pdf = page_image(png)
    assert_reencoded(pdf, png)
    assert xobject(pdf)[2].tobytes() == image.tobytes()


def test_a_png_with_a_transparent_colour_is_laid_on_white_paper():
    image = hostile.scan((300, 200), "L")
    png = saved(image, transparency=0)  # tRNS: black is transparent
    pdf = page_image(png)
    assert_reencoded(pdf, png)
    pixels = xobject(pdf)[2].convert("L")
    assert pixels.getpixel((5, 5)) == 255  # the black frame is transparent: white paper
    assert pixels.getpixel((225, 83)) == 128  # the grey ellipse stays


@pytest.mark.parametrize(("orientation", "turn"), [
    (2, Image.Transpose.FLIP_LEFT_RIGHT), (6, Image.Transpose.ROTATE_270),
])
def test_a_png_its_exif_turns_is_re_encoded_upright(orientation, turn):
    # 2 mirrors the image and keeps its size: only the orientation itself says it was turned
    image = hostile.scan((300, 200), "L")
    exif = Image.Exif()
    exif[0x0112] = orientation
    png = saved(image, exif=exif)
    pdf = page_image(png)
    assert_reencoded(pdf, png)
    assert xobject(pdf)[2].tobytes() == image.transpose(turn).tobytes()
