"""What a file really is, from its first bytes; and whether its name says the same.

Staff rename files, phones save HEIC, scanners save TIFF, and a hostile file can wear any name:
the content decides, never the extension (docs/attachments.md §2). Pure functions over bytes.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Literal

Kind = Literal["pdf", "jpeg", "png"]

#: The kinds a packet can carry, in Japanese, for messages.
KIND_NAMES: dict[str, str] = {"pdf": "PDF", "jpeg": "JPEG画像", "png": "PNG画像"}
#: Extensions each kind may have (lower case).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": (".pdf",), "jpeg": (".jpg", ".jpeg", ".jpe"), "png": (".png",),
}
#: A PDF's header may follow up to 1,024 bytes of junk (Acrobat accepts it; ISO 32000-2 7.5.2
#: notes it), which some scanners and mail gateways leave in front.
PDF_HEADER_WINDOW = 1024

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"

#: Kinds we refuse, recognised so the message can say what the file is and what to do.
_OTHERS: tuple[tuple[bytes, int, str, str], ...] = (
    # (magic, offset, what it is, what to do)
    (b"ftypheic", 4, "HEIC画像（iPhoneの写真など）", "JPEGで保存し直してください"),
    (b"ftypheix", 4, "HEIC画像（iPhoneの写真など）", "JPEGで保存し直してください"),
    (b"ftypmif1", 4, "HEIF画像", "JPEGで保存し直してください"),
    (b"ftypavif", 4, "AVIF画像", "JPEGで保存し直してください"),
    (b"II*\x00", 0, "TIFF画像", "スキャナーの保存形式をPDFにしてください"),
    (b"MM\x00*", 0, "TIFF画像", "スキャナーの保存形式をPDFにしてください"),
    (b"GIF8", 0, "GIF画像", "PNGかPDFで保存し直してください"),
    (b"BM", 0, "BMP画像", "PNGかPDFで保存し直してください"),
    (b"WEBP", 8, "WebP画像", "PNGかJPEGで保存し直してください"),
    (b"PK\x03\x04", 0, "Word・Excelなどのファイル（ZIP形式）", "PDFで保存し直してください"),
    (b"\xd0\xcf\x11\xe0", 0, "古い形式のWord・Excelなどのファイル", "PDFで保存し直してください"),
    (b"Rar!", 0, "RAR圧縮ファイル", "展開して、中のPDFを入れてください"),
    (b"7z\xbc\xaf", 0, "7z圧縮ファイル", "展開して、中のPDFを入れてください"),
    (b"L\x00\x00\x00\x01\x14\x02\x00", 0, "Windowsのショートカット",
     "ショートカットではなくファイルそのものを入れてください"),
)


def sniff(data: bytes) -> Kind | None:
    """The kind the bytes are, or None when they are none of PDF, JPEG, PNG."""
    if data.startswith(_PNG):
        return "png"
    if data.startswith(_JPEG):
        return "jpeg"
    if b"%PDF-" in data[:PDF_HEADER_WINDOW]:
        return "pdf"
    return None


def unsupported_reason(data: bytes) -> str:
    """Why a file of no supported kind is refused: what it looks like, and what to do."""
    for magic, offset, what, todo in _OTHERS:
        if data[offset:offset + len(magic)] == magic:
            return f"{what}は添付できません。{todo}"
    if not data:
        return "空のファイルです。スキャンし直してください"
    return "PDF・JPEG・PNGのどれでもありません。PDFで保存し直してください"


def name_mismatch(name: str, kind: Kind) -> str | None:
    """Why the name does not fit the content (None when it does).

    A file that lies about its type is refused (docs/attachments.md §2): a PNG named .pdf opens
    in nothing staff double-click, and a name that hides what a file is, is how hostile files
    travel. A file with no extension or another one is refused the same way.
    """
    suffix = PurePath(name).suffix.lower()
    if suffix in EXTENSIONS[kind]:
        return None
    real = KIND_NAMES[kind]
    proper = EXTENSIONS[kind][0]
    if not suffix:
        return f"拡張子がありません（中身は{real}です）。名前の最後に「{proper}」を付けてください"
    claimed = next((KIND_NAMES[k] for k, exts in EXTENSIONS.items() if suffix in exts), None)
    said = f"拡張子は「{suffix}」（{claimed}）" if claimed else f"拡張子は「{suffix}」"
    return f"{said}ですが、中身は{real}です。正しい形式で保存し直してください"
