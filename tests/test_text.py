"""The one text rule (pipeline/text.py): what survives from a cell to any output."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup

from pipeline import text
from pipeline.documents import format as fmt
from pipeline.read import values

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"
INVISIBLE = "\u202e\u2060\u200b\ufeff\u00ad\u2066\u2069\u200e"


def test_every_stage_uses_the_same_rule():
    assert fmt.clean_text is text.clean_text  # documents
    assert values.is_blank is text.is_blank  # validation's blank check
    assert fmt.FILTERS["clean_text"] is text.clean_text  # templates


@pytest.mark.parametrize("invisible", list(INVISIBLE) + [INVISIBLE, "\u3000\n\t" + INVISIBLE])
def test_only_invisible_characters_are_blank(invisible):
    assert text.clean_text(invisible) == ""
    assert text.is_blank(invisible)
    assert values.parse_text(invisible) == ""


def test_clean_text_drops_format_characters_normalises_breaks_and_strips():
    assert text.clean_text(f"\u3000 山{INVISIBLE}田\r\n太郎\t様 \n") == "山田\n太郎 様"
    assert text.drop_invisible(" 山\u202e田 ") == " 山田 "  # the template form keeps spacing
    assert text.clean_text("葛\U000E0100城") == "葛\U000E0100城"  # an IVS is part of the name
    assert text.clean_text("\ue000") == "\ue000"  # a private-use 外字 is a visible character
    assert text.clean_text(None) == "" and text.clean_text(12) == "12"
    assert not text.is_blank(0) and text.is_blank(None)


def test_finalize_keeps_markup_and_leaves_other_values():
    shown = text.finalize(Markup("<b>A\u202eB</b>"))
    assert isinstance(shown, Markup) and shown == Markup("<b>AB</b>")
    assert type(text.finalize("A\u202eB")) is str and text.finalize("A\u202eB") == "AB"
    assert text.finalize(3) == 3


def test_no_other_module_keeps_its_own_list_of_dropped_characters():
    """A second cleaning rule (a regex of U+200B, a Cf test) is how 「 御中」 letters happened.
    render/fonts.py asks the same question for another reason: which characters need no glyph."""
    markers = ('"Cf"', "\\u200b", "\\ufeff", "\\u2060")
    found = sorted(str(p.relative_to(PIPELINE)) for p in PIPELINE.rglob("*.py")
                   if p.name != "text.py" and p.relative_to(PIPELINE) != Path("render/fonts.py")
                   and any(m in p.read_text("utf-8") for m in markers))
    assert found == []
