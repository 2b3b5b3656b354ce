"""Fonts of the PDF documents: the family chain, the glyph check, and the names fallback font.

The PDFs are set in IPAex明朝 (IPAex Mincho). IPAex covers JIS X 0213 and the CP932 extensions
(髙 U+9AD9, 﨑 U+FA11) but not every character of people's names: 𠮷 (U+20BB7) is in no JIS
standard, and about 3,000 characters of JIS X 0212 (補助漢字, compiled for personal and place
names) are missing. For those the chain falls back to "Ninbai Names Mincho", a subset of
IPAmj明朝 (Debian fonts-ipamj-mincho) holding only what IPAex lacks, built at set-up
(``python -m pipeline.render.fonts build``, run by scripts/setup.sh) into a folder fontconfig reads.

Why a subset and not IPAmj itself: WeasyPrint copies the whole file of every font a document
uses; the 46 MB IPAmj costs +40–55% per document, the ≈1.3 MB subset ≈0
(docs/rendering.md §3). The IPA Font License lets anyone build and use
a derived font locally; it must not carry the original's name, hence the new family name.

A missing glyph is drawn by WeasyPrint as an empty box while ``pdftotext`` still finds the
character, so the PDF renderer calls :func:`missing_glyphs` on every document's text and fails
the case when it returns anything.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # fontTools is imported where it is used: only the check and the build need it
    from fontTools.ttLib import TTFont

BODY_FAMILY = "IPAexMincho"
NAMES_FAMILY = "Ninbai Names Mincho"

# The chain the PDF renderer names in its CSS, in order; no generic family at the end, so
# that Pango never picks an unchecked system font (missing_glyphs vouches for this chain only).
PDF_FONT_FAMILIES: tuple[str, ...] = (BODY_FAMILY, NAMES_FAMILY)
PDF_FONT_FAMILY = ", ".join(f'"{family}"' for family in PDF_FONT_FAMILIES)  # CSS font-family

# Where set-up finds the fonts: Debian's packages fonts-ipaexfont-mincho and fonts-ipamj-mincho.
BODY_SOURCE = Path("/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf")
NAMES_SOURCE = Path("/usr/share/fonts/truetype/ipamj/ipamjm.ttf")
NAMES_FILE = "ninbai-names-mincho.ttf"

# Name characters outside every JIS set that the names font must hold as well (curated: add a
# character here and re-run scripts/setup.sh; the font is rebuilt because the stamp changes).
EXTRA_NAME_CHARS = "𠮷"  # U+20BB7 つちよし, 吉 with 土 on top

# Bump when the choice of characters or the renaming changes, so that set-up rebuilds.
BUILD_VERSION = 1


class FontNotInstalled(RuntimeError):
    """A font of the chain is not installed: an environment problem, not a problem of a case."""


# ---------------------------------------------------------------- the check, at run time


def missing_glyphs(text: str, families: Sequence[str] = PDF_FONT_FAMILIES) -> list[str]:
    """Characters of ``text`` that no font of ``families`` has a glyph for (外字の検出).

    Each distinct character once, in order of first appearance. Whitespace, control and
    format characters and variation selectors are ignored: they are not drawn (a variation
    selector falls back to its base character's glyph). Raises FontNotInstalled when a font
    of the chain is not installed, because then every case would fail for the same reason.
    """
    covered = _coverage(tuple(families))
    unknown = {ch for ch in set(text) if ord(ch) not in covered and not _ignorable(ch)}
    return [ch for ch in dict.fromkeys(text) if ch in unknown]


def font_files(families: Sequence[str] = PDF_FONT_FAMILIES) -> dict[str, Path]:
    """The file fontconfig (and so WeasyPrint) uses for each family of the chain."""
    return {family: _font_file(family) for family in families}


def font_digests(families: Sequence[str] = PDF_FONT_FAMILIES) -> dict[str, str]:
    """Family → sha256 of the font file the PDFs use for it (part of the rebuild key).

    A replaced or rebuilt font changes the PDFs, so every case must be rebuilt. The files are
    ≈9 MB together; each is hashed once per process and again only when its size or mtime
    changes (``_file_digest``), so an unchanged rerun pays one read of them.
    """
    digests = {}
    for family, path in font_files(families).items():
        st = path.stat()
        digests[family] = _file_digest(path, st.st_size, st.st_mtime_ns)
    return digests


@functools.lru_cache(maxsize=16)
def _file_digest(path: Path, size: int, mtime_ns: int) -> str:
    """sha256 of ``path``; ``size`` and ``mtime_ns`` are only the cache key."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _ignorable(ch: str) -> bool:
    """Not drawn, so no glyph is needed: spaces, Cc/Cf characters, variation selectors."""
    code = ord(ch)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")


@functools.lru_cache(maxsize=8)
def _coverage(families: tuple[str, ...]) -> frozenset[int]:
    """The union of the chain's cmaps, loaded once per process."""
    codes: set[int] = set()
    for family in families:
        codes |= _cmap(_font_file(family))
    return frozenset(codes)


@functools.lru_cache(maxsize=8)
def _font_file(family: str) -> Path:
    """Ask fontconfig which file it gives for ``family``; it must be that family, not a stand-in."""
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{family}\n%{file}", family],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise FontNotInstalled(f"fontconfig (fc-match) が使えません: {exc}") from exc
    names, _, file = out.partition("\n")
    if family not in names.split(","):
        raise FontNotInstalled(
            f"フォント「{family}」がインストールされていません。scripts/setup.sh を実行してください。"
        )
    return Path(file)


def _cmap(path: Path) -> set[int]:
    """The code points a font file maps to glyphs."""
    from fontTools.ttLib import TTFont  # imported here: only the check and the build need it

    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap())


# ---------------------------------------------------------------- the build, at set-up


def names_codepoints(body: set[int], source: set[int]) -> set[int]:
    """What the names font holds: characters of IPAmj that IPAex lacks, limited to JIS X 0212
    (補助漢字, drawn up for personal and place names) and EXTRA_NAME_CHARS."""
    wanted = {ord(ch) for ch in EXTRA_NAME_CHARS}
    wanted |= {code for code in source - body if _in_jisx0212(code)}
    return (wanted & source) - body


def _in_jisx0212(code: int) -> bool:
    """EUC-JP writes JIS X 0212 characters after the single shift SS3 (0x8F)."""
    try:
        return chr(code).encode("euc_jp").startswith(b"\x8f")
    except UnicodeEncodeError:
        return False


def names_font_dir() -> Path:
    """A font folder fontconfig reads: system-wide as root, the user's otherwise."""
    if os.geteuid() == 0:
        return Path("/usr/local/share/fonts/ninbai")
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share")
    return data / "fonts/ninbai"


def build_stamp(body: Path = BODY_SOURCE, source: Path = NAMES_SOURCE) -> str:
    """What the built font depends on; a different stamp means it must be rebuilt."""
    parts = [f"v{BUILD_VERSION}", EXTRA_NAME_CHARS]
    for path in (body, source):
        st = path.stat()
        parts.append(f"{path}:{st.st_size}:{int(st.st_mtime)}")
    return " ".join(parts)


def build_names_font(dest_dir: Path | None = None, force: bool = False) -> tuple[Path, bool]:
    """Build "Ninbai Names Mincho" (人名用フォールバック) unless it is up to date.

    Returns the font's path and whether it was built. Idempotent and quick when nothing
    changed: a stamp file beside the font records what it was built from.
    """
    dest_dir = dest_dir or names_font_dir()
    target = dest_dir / NAMES_FILE
    stamp_file = dest_dir / (NAMES_FILE + ".stamp")
    stamp = build_stamp()
    if not force and target.exists() and _read(stamp_file) == stamp:
        return target, False
    font = _subset_names_source()
    _rename(font, NAMES_FAMILY)
    dest_dir.mkdir(parents=True, exist_ok=True)
    partial = dest_dir / f".{NAMES_FILE}.partial"
    font.save(partial)
    os.replace(partial, target)  # whole or not at all: fontconfig may scan the folder any time
    stamp_file.write_text(stamp, encoding="utf-8")
    _refresh_font_cache(dest_dir)
    return target, True


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


def _subset_names_source() -> TTFont:
    """IPAmj明朝 cut down to names_codepoints(); layout tables kept, hinting dropped (the
    PDFs are not hinted: docs/rendering.md §2)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(NAMES_SOURCE)
    codes = names_codepoints(_cmap(BODY_SOURCE), set(font.getBestCmap()))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codes)
    subsetter.subset(font)
    return font


# Name records that carry the original's name or identity; the IPA Font License (3条1項(4))
# forbids a derived font to use the licensed program's name, so all of them are replaced.
_NAME_IDS_REPLACED = {1, 2, 3, 4, 5, 6, 10, 16, 17, 18, 21, 22}


def _rename(font: TTFont, family: str) -> None:
    """Give the derived font its own names; copyright and licence records (0, 13, 14) stay."""
    table = font["name"]
    source_version = table.getDebugName(5) or "?"
    postscript = family.replace(" ", "")
    table.names = [r for r in table.names if r.nameID not in _NAME_IDS_REPLACED]
    description = (
        f"Subset of IPAmj Mincho ({source_version}) built locally by ninbai: "
        "the name characters IPAex Mincho lacks. IPA Font License v1.0."
    )
    records = {
        1: family,
        2: "Regular",
        3: f"{postscript};build {BUILD_VERSION}",
        4: family,
        5: f"Version 1.{BUILD_VERSION:03d}",
        6: postscript,
        10: description,
    }
    for name_id, value in records.items():
        table.setName(value, name_id, 3, 1, 0x409)


def _refresh_font_cache(folder: Path) -> None:
    """fc-cache -f: fontconfig otherwise keeps a stale cache for a replaced file
    (docs/rendering.md §3), then check that fontconfig now finds the family in that file."""
    subprocess.run(["fc-cache", "-f", str(folder)], check=True, capture_output=True)
    _font_file.cache_clear()
    _coverage.cache_clear()
    found = _font_file(NAMES_FAMILY)
    if found.resolve() != (folder / NAMES_FILE).resolve():
        raise FontNotInstalled(
            f"fontconfig が {folder} を読んでいません（{NAMES_FAMILY} → {found}）。"
        )


def main(argv: Iterable[str] | None = None) -> int:
    """``python -m pipeline.render.fonts build [--force]`` (set-up) or ``python -m pipeline.render.fonts``
    (print the chain's files)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["build"]:
        path, built = build_names_font(force="--force" in args)
        size = path.stat().st_size / 1e6
        print(f"{NAMES_FAMILY}: {'built' if built else 'up to date'} {path} ({size:.1f} MB)")
        return 0
    for family, path in font_files().items():
        print(f"{family}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
