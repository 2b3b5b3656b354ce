"""Checking and disarming one attachment: bytes in, a clean PDF (or why not) out.

Every file staff put in the 添付 folder may be hostile or broken: a PDF that runs JavaScript when
opened, launches a program, carries other files inside it, asks for a password, or is not a PDF
at all; an image that decompresses to gigabytes. What goes into a packet is never the file as
given but a new PDF made from it (docs/attachments.md §4):

- a PDF is opened by qpdf (pikepdf), its annotations' appearances are drawn into the pages, and
  only the pages are copied into a new document: document-level JavaScript, the open action,
  embedded files, forms and outlines stay behind, and so do annotations and page actions. What
  was active is named in a note (a warning in the review), and the new file is scanned again:
  anything active left in it refuses the file (a second line of defence);
- an image is decoded by Pillow only after its header shows a size within the pixel limit,
  turned upright by its EXIF orientation, re-encoded (its metadata and anything hidden after
  its data are gone) and placed on an A4 page (docs/attachments.md §5).

These functions trust nothing in the bytes but do nothing about time and memory themselves: a
pathological file could still make qpdf or a decoder work for long. They run in a child process
with limits (pipeline.attach.sandbox); tests call them directly.
"""

from __future__ import annotations

import io
import struct
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, NamedTuple, Protocol

import pikepdf
from PIL import ExifTags, Image, ImageFile, ImageOps

from pipeline.attach.kinds import Kind

#: A4 in points (210 × 297 mm; 1 pt = 1/72 in = 25.4/72 mm).
A4_MM = (210, 297)
MM_PER_INCH = Decimal("25.4")
POINTS_PER_INCH = 72
#: A stated resolution outside this range is not a scan's (1 dpi, 65535 dpi are writers' junk):
#: the assumed resolution is used instead.
PLAUSIBLE_DPI = (50, 2400)
#: JPEG quality of a re-encoded photo or scan: visually lossless for documents, ≈ a third of q100.
JPEG_QUALITY = 90


class AttachmentLimits(Protocol):
    """What the checks read of ``pipeline.config.AttachmentLimits`` (a Protocol, so that the
    child process need not import pydantic and the configuration: ≈0.2 s per case)."""

    @property
    def max_pdf_pages(self) -> int: ...
    @property
    def max_image_megapixels(self) -> int: ...
    @property
    def assumed_dpi(self) -> int: ...
    @property
    def margin_mm(self) -> int: ...


class Note(NamedTuple):
    """A warning about one attachment: a stable code and a Japanese message for staff."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The attachment as it goes into packets: a new PDF, its page count, what was done."""

    pdf: bytes
    pages: int
    notes: tuple[Note, ...] = ()  # warnings for staff, e.g. what active content was removed


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an attachment cannot be sent (an error: the case fails, the batch goes on)."""

    code: str
    message: str


def clean(kind: Kind, data: bytes, limits: AttachmentLimits) -> Cleaned | Refusal:
    """One attachment, by the kind its bytes are (pipeline.attach.kinds.sniff)."""
    if kind == "pdf":
        return clean_pdf(data, limits)
    return image_page(data, kind, limits)


# --- PDF -------------------------------------------------------------------------------------

#: Action types (ISO 32000-2 12.6.4) that do something beyond moving within the document, with
#: the words staff read in the note.
ACTIVE_ACTIONS: dict[str, str] = {
    "/JavaScript": "JavaScript", "/Launch": "プログラムの起動", "/SubmitForm": "フォームの送信",
    "/ImportData": "データの読み込み", "/ResetForm": "フォームの操作", "/GoToR": "他のファイルを開くリンク",
    "/GoToE": "埋め込みファイルを開くリンク", "/URI": "インターネットへのリンク",
    "/Rendition": "動画・音声", "/Movie": "動画・音声", "/Sound": "動画・音声",
    "/RichMediaExecute": "動画・音声", "/Hide": "表示の操作", "/SetOCGState": "表示の操作",
}
#: What a bank's or an agency's ordinary PDF has (a web address in its footer): removed as
#: well, but nothing to be suspicious of.
PLAIN_LINKS = frozenset({"インターネットへのリンク", "他のファイルを開くリンク"})
#: Annotation types that carry a file or a player whatever their action.
ACTIVE_ANNOTATIONS: dict[str, str] = {
    "/FileAttachment": "埋め込みファイル", "/RichMedia": "動画・音声", "/Screen": "動画・音声",
    "/Movie": "動画・音声", "/Sound": "動画・音声", "/3D": "3Dデータ",
}
#: How deep the scan follows direct objects inside one object (indirect ones are scanned apart).
_SCAN_DEPTH = 64


def clean_pdf(data: bytes, limits: AttachmentLimits) -> Cleaned | Refusal:
    """A new PDF of the pages of ``data``, without anything that acts; or why it is refused."""
    opened = _open_pdf(data)
    if isinstance(opened, Refusal):
        return opened
    try:
        with opened as src:
            return _rebuilt(src, limits)
    except (pikepdf.PdfError, ValueError, RuntimeError, TypeError, KeyError, RecursionError):
        # qpdf reads objects as they are reached: a broken one can surface only now
        return _corrupt_pdf()


def _rebuilt(src: pikepdf.Pdf, limits: AttachmentLimits) -> Cleaned | Refusal:
    """The pages of an opened PDF in a new document, checked; or why not."""
    pages = len(src.pages)
    if pages == 0:
        return Refusal("attachment_no_pages", "ページが1枚もないPDFです。スキャンし直してください")
    if pages > limits.max_pdf_pages:
        return Refusal("attachment_too_many_pages", f"ページが多すぎます（{pages:,}ページ、"
                       f"上限 {limits.max_pdf_pages}ページ）。送るページだけのPDFにしてください")
    found = active_content(src)
    _draw_annotations(src)
    # written while src is open: qpdf copies the pages' stream data when it writes
    with _pages_only(src) as out:
        data = save(out)
    # qpdf reads objects when they are reached, so it may have repaired one only now
    return _verified(data, pages, found, repaired=bool(src.get_warnings()))


def _open_pdf(data: bytes) -> pikepdf.Pdf | Refusal:
    """The PDF opened by qpdf (which repairs what it can, with warnings)."""
    try:
        src = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError:
        return Refusal("attachment_encrypted", "パスワード付きPDFです（開くのにパスワードが必要）。"
                       "パスワードを外して保存し直してください")
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return _corrupt_pdf()
    if src.is_encrypted:
        # Opens with the empty password but carries an owner's restrictions (編集・印刷の制限):
        # copying its pages into a packet would quietly lift them, which is not ours to do.
        src.close()
        return Refusal("attachment_encrypted", "パスワード付きPDFです（編集・印刷などの制限つき）。"
                       "制限のないPDFで保存し直すか、印刷してスキャンし直してください")
    return src


def _corrupt_pdf() -> Refusal:
    return Refusal("attachment_corrupt", "PDFが壊れていて読めません。元の書類からPDFを作り直すか、"
                   "スキャンし直してください")


def active_content(pdf: pikepdf.Pdf) -> tuple[str, ...]:
    """What in the PDF would act when opened or clicked, in staff's words, each once, sorted."""
    found: set[str] = set()
    for obj in pdf.objects:
        for node in _dictionaries(obj, 0):
            found |= _active_in(node)
    return tuple(sorted(found))


def _dictionaries(obj: Any, depth: int) -> Iterator[pikepdf.Dictionary | pikepdf.Stream]:
    """Every dictionary (and stream dictionary) in ``obj``'s direct structure."""
    if depth > _SCAN_DEPTH:
        return
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        yield obj
        values: Any = obj.values() if isinstance(obj, pikepdf.Dictionary) else obj.stream_dict.values()
    elif isinstance(obj, pikepdf.Array):
        values = obj
    else:
        return
    for value in values:
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)) \
                and not value.is_indirect:
            yield from _dictionaries(value, depth + 1)


def _active_in(node: pikepdf.Dictionary | pikepdf.Stream) -> set[str]:
    found = set()
    action = str(node.get("/S", ""))
    if action in ACTIVE_ACTIONS:
        found.add(ACTIVE_ACTIONS[action])
    if "/JS" in node:
        found.add("JavaScript")
    subtype = str(node.get("/Subtype", ""))
    is_annotation = str(node.get("/Type", "")) == "/Annot" or "/Rect" in node
    if is_annotation and subtype in ACTIVE_ANNOTATIONS:
        found.add(ACTIVE_ANNOTATIONS[subtype])
    if str(node.get("/Type", "")) == "/EmbeddedFile" or "/EF" in node or "/EmbeddedFiles" in node:
        found.add("埋め込みファイル")
    if "/XFA" in node:
        found.add("XFAフォーム")
    return found


def _draw_annotations(src: pikepdf.Pdf) -> None:
    """Draw what annotations show (filled-in form fields, stamps) into the page content.

    The packet is printed, faxed and read: what the annotations show belongs on the page; what
    they do does not. A form whose fields have no appearance yet gets one first. qpdf's own
    flattening; a form too broken for it is left as it is, and its annotations then just go.
    """
    try:
        if "/AcroForm" in src.Root:
            src.generate_appearance_streams()
        src.flatten_annotations("print")
    except (pikepdf.PdfError, ValueError, RuntimeError, AttributeError, TypeError):
        pass


#: Page keys that are not what the page shows: annotations, page actions, article beads,
#: thumbnails, private application data.
_PAGE_EXTRAS = ("/Annots", "/AA", "/B", "/Thumb", "/PieceInfo", "/Metadata", "/StructParents")


def _pages_only(src: pikepdf.Pdf) -> pikepdf.Pdf:
    """A new document holding only the pages (content and resources) of ``src``."""
    for page in src.pages:
        for key in _PAGE_EXTRAS:
            if key in page.obj:
                del page.obj[key]
    out = pikepdf.new()
    out.pages.extend(src.pages)
    return out


def _verified(data: bytes, pages: int, found: tuple[str, ...], repaired: bool
              ) -> Cleaned | Refusal:
    """Read the new PDF back, and refuse it if anything active survived."""
    with pikepdf.open(io.BytesIO(data)) as again:
        left = active_content(again)
        if left or len(again.pages) != pages:
            return Refusal("attachment_active_content", "PDFから動作する内容（"
                           f"{'、'.join(left) or 'ページ構造'}）を取り除けませんでした。"
                           "印刷してスキャンし直してください")
    notes = []
    if found:
        # links alone are ordinary; scripts, launches and hidden files are not
        caution = "" if set(found) <= PLAIN_LINKS else "心当たりのないファイルなら送らないでください"
        notes.append(Note("attachment_active_removed", f"PDFにあった{'、'.join(found)}を"
                          f"取り除きました（ページの見た目は元のまま）。{caution}"))
    if repaired:
        notes.append(Note("attachment_repaired", "PDFの構造に誤りがあり、修復して読みました。"
                          "ページ数と内容を確認してください"))
    return Cleaned(data, pages, tuple(notes))


def save(pdf: pikepdf.Pdf) -> bytes:
    """The PDF's bytes, the same for the same content (no random /ID, no date)."""
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True, fix_metadata_version=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


# --- images ----------------------------------------------------------------------------------

_PIL_FORMATS = {"jpeg": "JPEG", "png": "PNG"}


def image_page(data: bytes, kind: Kind, limits: AttachmentLimits) -> Cleaned | Refusal:
    """An A4 page (portrait or landscape by the image) with the image on it, or why not."""
    opened = _decoded(data, kind, limits)
    if isinstance(opened, Refusal):
        return opened
    image, dpi, turned, notes = opened
    # Only after Pillow decoded the whole file (the integrity check) and only when the pixels
    # are the file's own (not turned by its EXIF orientation).
    own = None if kind != "png" or turned else png_image_data(data)
    return Cleaned(_a4_page(image, dpi, kind, limits, own), 1, notes)


#: EXIF Orientation (EXIF 2.3 §4.6.4 A): 1 upright, 2–8 a mirror or turn; any other value is
#: junk that ``ImageOps.exif_transpose`` leaves alone, as do we.
_EXIF_TURNS = range(2, 9)


def _decoded(data: bytes, kind: Kind, limits: AttachmentLimits
             ) -> tuple[Image.Image, tuple[Decimal, Decimal], bool, tuple[Note, ...]] | Refusal:
    """The image decoded and upright, its resolution, whether it was turned or mirrored, notes;
    only if its size is allowed."""
    limit = limits.max_image_megapixels * 1_000_000
    try:
        with warnings.catch_warnings(), _strict_decoding():
            # The limit below is ours (defaults.toml); Pillow's own guard stays as a backstop:
            # its warning is silenced, its error (over twice its default, 179 MP) refuses.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]])
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > limit:
                return _too_many_pixels(width, height, limits)
            notes = _frames_note(image)
            image.load()
            dpi = _resolution(image, limits)
            turned = image.getexif().get(ExifTags.Base.Orientation, 1) in _EXIF_TURNS
            # in place: an upright scan (nearly all) is not copied (≈3 ms for an A4 page)
            ImageOps.exif_transpose(image, in_place=True)
    except Image.DecompressionBombError:
        return _too_many_pixels(0, 0, limits)
    except (OSError, ValueError, SyntaxError, EOFError, zlib.error, KeyError, IndexError,
            TypeError, struct.error):
        return Refusal("attachment_corrupt", "画像が壊れていて読めません（途中で切れている"
                       "など）。撮影・スキャンし直してください")
    if image.size != (width, height):  # turned a quarter: the resolutions swap too
        dpi = (dpi[1], dpi[0])
    return image, dpi, turned, notes


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """A truncated image is an error while decoding, whatever the process set before.

    WeasyPrint sets Pillow's global ``ImageFile.LOAD_TRUNCATED_IMAGES = True`` when it is
    imported (weasyprint/images.py), and a process that renders letters has imported it: a cut-off
    scan would then be padded with grey and sent. The checking child never imports WeasyPrint;
    this keeps ``clean`` right in any process, and puts the setting back for WeasyPrint.
    """
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _too_many_pixels(width: int, height: int, limits: AttachmentLimits) -> Refusal:
    size = f"{width:,}×{height:,}ピクセル、" if width else ""
    return Refusal("attachment_image_too_large", f"画像が大きすぎます（{size}上限 "
                   f"{limits.max_image_megapixels:,}百万画素）。解像度を下げて保存し直してください")


def _frames_note(image: Image.Image) -> tuple[Note, ...]:
    if getattr(image, "n_frames", 1) > 1:
        return (Note("attachment_first_frame", "動く画像（複数のコマ）です。最初のコマだけを添付します"),)
    return ()


def _resolution(image: Image.Image, limits: AttachmentLimits) -> tuple[Decimal, Decimal]:
    """The image's stated dots per inch, or the assumed one when it states none or nonsense."""
    stated = image.info.get("dpi")
    low, high = PLAUSIBLE_DPI
    try:
        x, y = (Decimal(str(float(v))) for v in stated)  # type: ignore[union-attr]
    except (TypeError, ValueError, ArithmeticError):
        x = y = Decimal(0)
    if low <= x <= high and low <= y <= high:
        return x, y
    assumed = Decimal(limits.assumed_dpi)
    return assumed, assumed


def _a4_page(image: Image.Image, dpi: tuple[Decimal, Decimal], kind: Kind,
             limits: AttachmentLimits, own: PngData | None = None) -> bytes:
    """One A4 page, landscape when the image is wider than tall, the image centred on it;
    ``own``: the PNG's own compressed data to use instead of re-encoding ``image``."""
    page_w, page_h, (x, y, w, h) = placement(image.size, dpi, limits.margin_mm)
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(page_w, page_h))
    xobject = _image_xobject(pdf, image, kind) if own is None else _png_xobject(pdf, own)
    page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=xobject))
    draw = f"q {w} 0 0 {h} {x} {y} cm /Im0 Do Q".encode("ascii")
    page.obj.Contents = pdf.make_stream(draw)
    with pdf:
        return save(pdf)


def _points(mm: Decimal) -> Decimal:
    return mm * POINTS_PER_INCH / MM_PER_INCH


def placement(pixels: tuple[int, int], dpi: tuple[Decimal, Decimal], margin_mm: int
              ) -> tuple[Decimal, Decimal, tuple[Decimal, Decimal, Decimal, Decimal]]:
    """Page width and height, and the image's box (x, y, width, height), all in points.

    The image keeps its printed size (pixels ÷ dpi) when that fits within the margins, else it
    is scaled down to fit: never up, so a small scan is not blown up past its resolution.
    Rounded to 0.01 pt (half-even), far below what a printer shows.
    """
    width_px, height_px = pixels
    landscape = width_px > height_px
    page_w, page_h = (_points(Decimal(m)) for m in (A4_MM[::-1] if landscape else A4_MM))
    margin = _points(Decimal(margin_mm))
    natural_w = Decimal(width_px) / dpi[0] * POINTS_PER_INCH
    natural_h = Decimal(height_px) / dpi[1] * POINTS_PER_INCH
    scale = min(Decimal(1), (page_w - 2 * margin) / natural_w, (page_h - 2 * margin) / natural_h)
    w, h = natural_w * scale, natural_h * scale
    box = ((page_w - w) / 2, (page_h - h) / 2, w, h)
    return _pt(page_w), _pt(page_h), tuple(_pt(v) for v in box)  # type: ignore[return-value]


def _pt(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _image_xobject(pdf: pikepdf.Pdf, image: Image.Image, kind: Kind) -> pikepdf.Stream:
    """The image re-encoded: a photo (JPEG) as JPEG, a PNG losslessly (Flate), 1-bit kept 1-bit."""
    image = _flattened(image)
    gray = image.mode in ("1", "L")
    fields: dict[str, Any] = {
        "Type": pikepdf.Name.XObject, "Subtype": pikepdf.Name.Image,
        "Width": image.width, "Height": image.height,
        "ColorSpace": pikepdf.Name.DeviceGray if gray else pikepdf.Name.DeviceRGB,
        "BitsPerComponent": 1 if image.mode == "1" else 8,
    }
    if kind == "jpeg" and image.mode != "1":
        out = io.BytesIO()
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
        data, fields["Filter"] = out.getvalue(), pikepdf.Name.DCTDecode
    else:
        # Pillow's 1-bit rows are packed most significant bit first, padded to a byte, 1 =
        # white: exactly a PDF's 1-bit DeviceGray samples.
        data, fields["Filter"] = zlib.compress(image.tobytes(), 6), pikepdf.Name.FlateDecode
    return pikepdf.Stream(pdf, data, pikepdf.Dictionary(**fields))


def _flattened(image: Image.Image) -> Image.Image:
    """1-bit, gray or RGB: transparency laid on white paper, 16-bit gray brought to 8 bits."""
    if image.mode in ("1", "L", "RGB") and "transparency" not in image.info:
        return image  # a transparent colour (a PNG's tRNS) is laid on white paper below
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode in ("LA", "La", "PA", "P", "RGBA", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat = Image.alpha_composite(paper, rgba).convert("RGB")
        return flat.convert("L") if image.mode in ("1", "L", "LA", "La") else flat
    return image.convert("RGB")  # CMYK, YCbCr, …


# --- a PNG passed through --------------------------------------------------------------------
#
# Re-compressing a PNG's decoded pixels was most of the cost of an A4 scan (zlib level 6 over
# 3.9 MB of grey: ≈24 ms of ≈48; docs/performance.md "The PNG scan passed through"). A PDF
# reads a PNG's own compressed data as it is: Flate with the PNG predictors (ISO 32000-1 7.4.4.4,
# /Predictor 15 = each row starts with its PNG filter type byte). So a plain PNG - grey or RGB,
# 8 bits (grey also 1 bit), not interlaced, no transparency - keeps its IDAT data; only those
# bytes go into the packet (text, eXIf, iCCP and every other chunk stay behind). img2pdf does the
# same, but is not a dependency: we keep our own placement on A4 and JPEG re-encoding.
#
# The chunks are read by the small reader below: Pillow has no public API that gives the IDAT
# data (its PngImagePlugin.ChunkStream is internal) and does not check the IDAT chunks' CRCs.

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: (colour type, bit depth) a PDF image takes as it is → colours a pixel.
_PASSABLE = {(0, 8): 1, (0, 1): 1, (2, 8): 3}


@dataclass(frozen=True, slots=True)
class PngData:
    """A PNG's own compressed image data (its IDAT chunks joined), fit for a PDF as it is."""

    idat: bytes
    width: int
    height: int
    colours: int  # 1 grey, 3 RGB
    bits: int  # per colour: 8, or 1 for a black-and-white scan


def png_image_data(data: bytes) -> PngData | None:
    """The PNG's own image data when a PDF can show it as it is, else None (re-encode it).

    Called only after Pillow decoded the same file whole: a cut-off or broken file, an unknown
    row filter type, a wrong zlib checksum were refused then. The IDAT chunks are joined in
    order; the stream they make must inflate to exactly the image's rows, so a PDF reader shows
    exactly what Pillow decoded. An animated PNG's IDAT image is its first frame, the one Pillow
    decoded (APNG: the default image, whose frame control may not crop it).
    """
    chunks = _png_chunks(data)
    if chunks is None or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        return None
    width, height, bits, colour_type, compression, filtering, interlace = \
        struct.unpack(">IIBBBBB", chunks[0][1])
    colours = _PASSABLE.get((colour_type, bits))
    if colours is None or (compression, filtering, interlace) != (0, 0, 0):
        return None  # palette, alpha, 16 bits, interlaced (Adam7): re-encoded
    if any(kind == b"tRNS" for kind, _ in chunks):
        return None  # a transparent colour: laid on white paper by the re-encoding
    idat = b"".join(body for kind, body in chunks if kind == b"IDAT")
    row = 1 + (width * colours * bits + 7) // 8  # the filter type byte, then the packed pixels
    if not _inflates_exactly(idat, height * row):
        return None
    return PngData(idat, width, height, colours, bits)


def _png_chunks(data: bytes) -> list[tuple[bytes, memoryview]] | None:
    """The PNG's chunks (type, data) up to and with IEND, or None if one is cut off or its CRC
    is wrong. Bytes after IEND are not read (and never copied)."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    view, at, chunks = memoryview(data), len(PNG_SIGNATURE), []
    while at + 12 <= len(data):  # length (4), type (4), data (length), CRC (4)
        length, kind = struct.unpack_from(">I4s", data, at)
        end = at + 8 + length
        if end + 4 > len(data):
            return None
        # the CRC covers the type and the data (PNG spec. 5.3)
        if zlib.crc32(view[at + 4:end]) != struct.unpack_from(">I", data, end)[0]:
            return None
        chunks.append((kind, view[at + 8:end]))
        if kind == b"IEND":
            return chunks
        at = end + 4
    return None


#: Bytes inflated at a time while checking a PNG's stream: each piece is counted and dropped,
#: which is faster than one 3.9 MB piece (≈9 ms instead of ≈15 ms for the A4 sample scan).
_INFLATE_STEP = 1 << 16


def _inflates_exactly(idat: bytes, expected: int) -> bool:
    """Whether the zlib stream inflates to exactly ``expected`` bytes and ends there.

    Never inflates more than one byte past ``expected`` and keeps no more than a piece of it
    (memory stays bounded whatever the stream says). More data than the image's rows or bytes
    after the stream's end: Pillow, which stops when it has the rows, accepted them; here they
    mean the image is re-encoded, so nothing hidden rides into a packet.
    """
    inflater, size, rest = zlib.decompressobj(), 0, idat
    try:
        while not inflater.eof and size <= expected:
            piece = inflater.decompress(rest, min(_INFLATE_STEP, expected + 1 - size))
            size, rest = size + len(piece), inflater.unconsumed_tail
            if not piece and not rest:
                break  # all read, and the stream has not ended: cut short
    except zlib.error:
        return False
    return (size == expected and inflater.eof and not inflater.unused_data
            and not inflater.unconsumed_tail)


def _png_xobject(pdf: pikepdf.Pdf, png: PngData) -> pikepdf.Stream:
    """The image XObject of a PNG's own data: Flate with the PNG predictors (ISO 32000-1
    7.4.4.4, Table 8). 1-bit grey: 0 black, 1 white in both PNG and PDF."""
    parms = pikepdf.Dictionary(Predictor=15, Colors=png.colours, BitsPerComponent=png.bits,
                               Columns=png.width)
    fields = pikepdf.Dictionary(
        Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
        Width=png.width, Height=png.height,
        ColorSpace=pikepdf.Name.DeviceGray if png.colours == 1 else pikepdf.Name.DeviceRGB,
        BitsPerComponent=png.bits, Filter=pikepdf.Name.FlateDecode, DecodeParms=parms)
    return pikepdf.Stream(pdf, png.idat, fields)
