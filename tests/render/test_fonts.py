"""Fonts: the chain covers people's names, flags what it cannot draw, and the PDF embeds it.

These tests need the set-up done (scripts/setup.sh installs the fonts and builds the names font).
"""

from __future__ import annotations

import io

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from pipeline.render import fonts

NAMES = "𠮷田 髙橋 山﨑"
ORDINARY = (
    "〒100-0001 東京都千代田区千代田1-1 ㈱ABC不動産 代表取締役 渡邉 德 ①②③ "
    "任意売却に関する同意申請書 金14,000,000円 令和8年11月30日 ＡＢＣ１２３ 〜・「」※"
)


def test_names_and_ordinary_japanese_are_covered():
    assert fonts.missing_glyphs(NAMES) == []
    assert fonts.missing_glyphs(ORDINARY) == []


def test_the_names_font_is_what_covers_tsuchiyoshi():
    # IPAex alone lacks 𠮷 (docs/rendering.md §3); with the fallback it is covered.
    assert fonts.missing_glyphs(NAMES, families=(fonts.BODY_FAMILY,)) == ["𠮷"]


def test_uncovered_characters_are_reported_once_in_order():
    text = "山田\ue000太郎\U0001f600\ue000"  # a private-use character and an emoji
    assert fonts.missing_glyphs(text) == ["\ue000", "\U0001f600"]


def test_spaces_controls_and_variation_selectors_need_no_glyph():
    assert fonts.missing_glyphs("\t\n\r \u3000\u00a0\u200b\ufeff\x00辻\U000e0100葛\ufe00") == []


def test_font_files_resolve_each_family_of_the_chain():
    files = fonts.font_files()
    assert list(files) == list(fonts.PDF_FONT_FAMILIES)
    assert files[fonts.NAMES_FAMILY].name == fonts.NAMES_FILE
    assert all(path.is_file() for path in files.values())


def test_an_uninstalled_family_is_an_environment_error():
    with pytest.raises(fonts.FontNotInstalled):
        fonts.missing_glyphs("山田", families=("No Such Font Family 123",))


def test_names_codepoints_hold_only_what_the_body_lacks():
    body = {0x5409, 0x9AD9}  # 吉 髙
    source = body | {0x20BB7, 0x4E04, 0x1F600}  # 𠮷, 丄 (JIS X 0212), an emoji
    assert fonts.names_codepoints(body, source) == {0x20BB7, 0x4E04}


def test_built_names_font_is_renamed_and_small():
    path = fonts.font_files()[fonts.NAMES_FAMILY]
    with TTFont(path, lazy=True) as font:
        names = {
            record.toUnicode() for record in font["name"].names if record.nameID in {1, 3, 4, 6}
        }
        cmap = font.getBestCmap()
    # IPA Font License 3条1項(4): a derived font must not use the original's name.
    assert not any("IPA" in name for name in names)
    assert fonts.NAMES_FAMILY in names
    assert 0x20BB7 in cmap
    assert path.stat().st_size < 3_000_000  # a subset, not the 46 MB IPAmj


def test_build_is_skipped_when_the_stamp_matches(tmp_path):
    (tmp_path / fonts.NAMES_FILE).write_bytes(b"built before")
    (tmp_path / (fonts.NAMES_FILE + ".stamp")).write_text(fonts.build_stamp(), encoding="utf-8")
    path, built = fonts.build_names_font(tmp_path)
    assert (path, built) == (tmp_path / fonts.NAMES_FILE, False)


def test_names_font_goes_to_the_users_fonts_when_not_root(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts.os, "geteuid", lambda: 1000)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert fonts.names_font_dir() == tmp_path / "fonts" / "ninbai"


def test_stamp_changes_with_the_curated_characters(monkeypatch):
    before = fonts.build_stamp()
    monkeypatch.setattr(fonts, "EXTRA_NAME_CHARS", fonts.EXTRA_NAME_CHARS + "𡈽")
    assert fonts.build_stamp() != before


def _page_fonts(html: str) -> set[str]:
    """BaseFont names of the fonts on the first page of the PDF WeasyPrint makes of ``html``."""
    from weasyprint import CSS, HTML

    css = CSS(string=f"body {{ font-family: {fonts.PDF_FONT_FAMILY}; }}")
    pdf = HTML(string=html).write_pdf(stylesheets=[css])
    resources = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]) for font in resources.values()}


def _embedded_family(base_font: str) -> str:
    """'/ABCDEF+Ninbai-Names-Mincho' → 'Ninbai-Names-Mincho'; the tag marks an embedded subset."""
    tag, _, family = base_font.lstrip("/").partition("+")
    assert len(tag) == 6 and tag.isupper(), base_font
    return family


def test_pdf_embeds_the_names_font_for_tsuchiyoshi():
    families = {_embedded_family(name) for name in _page_fonts(f"<p>債務者 {NAMES} 様</p>")}
    assert families == {"IPAexMincho", "Ninbai-Names-Mincho"}


def test_pdf_without_rare_names_embeds_only_the_body_font():
    families = {_embedded_family(name) for name in _page_fonts("<p>債務者 高橋 山崎 様</p>")}
    assert families == {"IPAexMincho"}
