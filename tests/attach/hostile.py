"""Attachments made in code for the tests: ordinary scans and hostile files.

Nothing is downloaded and no binary is checked in: every PDF is written with pikepdf, every
image with Pillow or, for the decompression bomb, with zlib by hand (a real PNG whose pixels
inflate to far more than the limit), so each file says in code what makes it hostile.
"""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
from PIL import Image

A4 = (595.28, 841.89)


def _saved(pdf: pikepdf.Pdf, **options) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **options)
    return out.getvalue()


def text_page(pdf: pikepdf.Pdf, text: str) -> pikepdf.Page:
    """An A4 page showing ``text`` (ASCII) in Helvetica, extractable by pdftotext and pypdf."""
    page = pdf.add_blank_page(page_size=A4)
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
        Encoding=pikepdf.Name.WinAnsiEncoding))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("ascii"))
    return page


def text_pdf(*texts: str) -> bytes:
    """A PDF of one page per text (a one-page 価格査定書: ``text_pdf("KAKAKU SATEI")``)."""
    pdf = pikepdf.new()
    for text in texts:
        text_page(pdf, text)
    return _saved(pdf)


def _with(build) -> bytes:
    pdf = pikepdf.new()
    text_page(pdf, "HOSTILE BUT VISIBLE")
    build(pdf)
    return _saved(pdf)


def _js(code: str) -> pikepdf.Dictionary:
    return pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String(code))


def javascript_pdf() -> bytes:
    """JavaScript run on opening (/OpenAction) and as a document-level script (/Names)."""
    def build(pdf: pikepdf.Pdf) -> None:
        pdf.Root.OpenAction = _js("app.alert('opened')")
        script = pdf.make_indirect(_js("this.print()"))
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("x"), script])))
    return _with(build)


def launch_pdf() -> bytes:
    """A link annotation that launches a program, and a page-open action that does too."""
    def build(pdf: pikepdf.Pdf) -> None:
        launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
        link = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
            Rect=pikepdf.Array([72, 700, 300, 720]), A=launch))
        page = pdf.pages[0].obj
        page.Annots = pikepdf.Array([link])
        page.AA = pikepdf.Dictionary(O=pikepdf.Dictionary(S=pikepdf.Name.Launch,
                                                          F=pikepdf.String("calc.exe")))
    return _with(build)


def web_link_pdf() -> bytes:
    """An ordinary link to a web page (a bank's address in a footer)."""
    def build(pdf: pikepdf.Pdf) -> None:
        link = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
            Rect=pikepdf.Array([72, 700, 300, 720]),
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.com"))))
        pdf.pages[0].obj.Annots = pikepdf.Array([link])
    return _with(build)


def embedded_file_pdf() -> bytes:
    """A program carried inside the PDF (/EmbeddedFiles) and as a file-attachment annotation."""
    def build(pdf: pikepdf.Pdf) -> None:
        pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not really")
        spec = pikepdf.AttachedFileSpec(pdf, b"MZ second", filename="readme.exe")
        annot = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
            Rect=pikepdf.Array([72, 600, 90, 618]), FS=spec.obj))
        pdf.pages[0].obj.Annots = pikepdf.Array([annot])
    return _with(build)


def form_javascript_pdf() -> bytes:
    """A form (AcroForm) whose text field runs JavaScript on keystroke, and shows 'FILLED IN'."""
    def build(pdf: pikepdf.Pdf) -> None:
        font = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica))
        appearance = pdf.make_stream(b"BT /Helv 12 Tf 2 6 Td (FILLED IN) Tj ET")
        appearance.Type = pikepdf.Name.XObject
        appearance.Subtype = pikepdf.Name.Form
        appearance.BBox = pikepdf.Array([0, 0, 200, 20])
        appearance.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font))
        field = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx,
            T=pikepdf.String("name"), V=pikepdf.String("FILLED IN"), F=4,
            Rect=pikepdf.Array([72, 500, 272, 520]), P=pdf.pages[0].obj,
            AP=pikepdf.Dictionary(N=appearance),
            AA=pikepdf.Dictionary(K=_js("event.value = 'x';"))))
        pdf.pages[0].obj.Annots = pikepdf.Array([field])
        pdf.Root.AcroForm = pikepdf.Dictionary(
            Fields=pikepdf.Array([field]), DA=pikepdf.String("/Helv 12 Tf 0 g"),
            DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font)))
    return _with(build)


def encrypted_pdf(user: str = "secret", owner: str = "owner") -> bytes:
    """A PDF that needs ``user`` to open (``user=""``: opens, but with an owner's restrictions)."""
    pdf = pikepdf.new()
    text_page(pdf, "LOCKED")
    return _saved(pdf, encryption=pikepdf.Encryption(
        user=user, owner=owner, allow=pikepdf.Permissions(modify_other=False)))


def malformed_pdf() -> bytes:
    """Starts like a PDF and is nothing after that."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R" + b"\x00" * 64


def broken_xref_pdf() -> bytes:
    """A good PDF whose cross-reference offsets are all wrong (qpdf rebuilds them)."""
    data = text_pdf("REPAIRED")
    start = data.rindex(b"startxref")
    return data[:start] + b"startxref\n999999\n%%EOF\n"


def many_pages_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=A4)
    return _saved(pdf)


def image_bytes(size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG", color=None,
                **save) -> bytes:
    """An image of ``size`` pixels: white, with a black bar across its top quarter (so its
    orientation can be seen), saved as ``fmt`` with Pillow's ``save`` options (dpi, exif …)."""
    image = Image.new(mode, size, color if color is not None else "white")
    black = 0 if mode in ("1", "L", "LA") else (0,) * len(mode)
    if mode in ("LA", "RGBA"):
        black = (0,) * (len(mode) - 1) + (255,)
    image.paste(black, (0, 0, size[0], max(1, size[1] // 4)))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def jpeg_rotated(size: tuple[int, int], orientation: int, **save) -> bytes:
    """A JPEG whose pixels are ``size`` but whose EXIF says to turn it (6: a quarter clockwise)."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    return image_bytes(size, fmt="JPEG", exif=exif, **save)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def png_bomb(width: int = 12_000, height: int = 12_000) -> bytes:
    """A valid grey PNG of ``width`` × ``height`` black pixels: ≈ 150 KB that inflate to
    width × height bytes (144 MB by default), made with zlib from rows of zeros."""
    squeeze = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte 0 and the row's pixels
    idat = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat)
            + _chunk(b"IEND", b""))


def truncated_jpeg() -> bytes:
    """A JPEG cut off half way (a failed transfer)."""
    data = image_bytes((400, 300), fmt="JPEG")
    return data[: len(data) // 2]


# --- PNGs written chunk by chunk (pipeline.attach.clean passes plain PNG data through) ---------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: Adam7 (PNG spec. 8.2): each pass's first column and row, and its steps.
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2))


def scan(size: tuple[int, int], mode: str) -> Image.Image:
    """A scan-like image: white paper, a frame, a few lines and printed words, some grey."""
    from PIL import ImageDraw

    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    ink = 0 if mode in ("1", "L") else (20, 20, 120)
    width, height = size
    draw.rectangle((4, 4, width - 5, height - 5), outline=ink, width=3)
    for y in range(height // 6, height, height // 6):
        draw.line((10, y, width - 10, y + 7), fill=ink, width=2)
        draw.text((14, y - 24), f"KAITSUKE SHOMEISHO {y}: 12,345,678 yen", fill=ink)
    if mode != "1":
        draw.ellipse((width // 2, height // 3, width - 20, height // 2),
                     fill=128 if mode == "L" else (200, 30, 30))
    return image


def png_file(chunks: list[tuple[bytes, bytes]]) -> bytes:
    """A PNG of the given chunks (type, data), each with its right CRC, and IEND."""
    return PNG_SIGNATURE + b"".join(_chunk(kind, body) for kind, body in chunks) \
        + _chunk(b"IEND", b"")


def png_header(size: tuple[int, int], mode: str, interlace: int = 0) -> tuple[bytes, bytes]:
    """The IHDR chunk of an 8-bit grey ("L"), 1-bit grey ("1") or 8-bit RGB image."""
    bits, colour_type = {"L": (8, 0), "1": (1, 0), "RGB": (8, 2)}[mode]
    return b"IHDR", struct.pack(">IIBBBBB", *size, bits, colour_type, 0, 0, interlace)


def png_rows(image: Image.Image) -> bytes:
    """The image's rows as a PNG's zlib stream holds them: filter type 0, then the pixels."""
    stride = len(image.tobytes()) // image.height
    raw = image.tobytes()
    return b"".join(b"\x00" + raw[y * stride:(y + 1) * stride] for y in range(image.height))


def interlaced_png(image: Image.Image) -> bytes:
    """The 8-bit grey ``image`` as an Adam7-interlaced PNG (Pillow writes none)."""
    width, height = image.size
    rows = []
    for x0, y0, dx, dy in _ADAM7:
        if x0 >= width or y0 >= height:
            continue  # an empty pass has no rows
        for y in range(y0, height, dy):
            rows.append(b"\x00" + bytes(image.getpixel((x, y)) for x in range(x0, width, dx)))
    return png_file([png_header(image.size, "L", interlace=1),
                     (b"IDAT", zlib.compress(b"".join(rows)))])
