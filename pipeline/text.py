"""The one rule for user text: which characters survive from a cell to any output.

Text typed or pasted into Excel can carry characters nobody sees: zero-width spaces and BOMs from
web pages, soft hyphens and word joiners from PDFs, a right-to-left override (U+202E) that makes
「山田」 print as 「田山」, control characters that corrupt XML. ``clean_text`` removes them, and it
is used everywhere text is judged or shown: validation's blank check (a name made only of invisible
characters is blank, so it is ``required`` at its cell), the parsed values of the case, the
documents, case.json, summary.xlsx, the review page and the terminal (docs/threats.md).

Kept: every visible character as typed (髙, 﨑, 𠮷, no NFKC), ideographic variation selectors
(葛 + U+E0100, category Mn: names need them), private-use 外字 (Co), ``{{ x }}``, ``<b>``, ``A&B``,
``=HYPERLINK(…)`` — escaping is each renderer's job, not this rule's.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "drop_invisible", "finalize", "is_blank"]

#: Every line break Excel, Word or a web page may hand over, written as ``\n``.
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85\x0b\x0c]")
#: Unicode categories dropped: controls (Cc, except ``\n``), lone surrogates (Cs, which no file
#: format can hold), invisible format characters (Cf: U+200B, U+2060, U+202E, BOM, soft hyphen …).
_DROPPED = frozenset({"Cc", "Cs", "Cf"})


def drop_invisible(value: object) -> str:
    """``value`` as text with line breaks as ``\\n``, tabs as a space, and every control and
    invisible format character removed; nothing else changes (no strip). ``None`` → ``""``."""
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():  # no Cc, Cf, Cs, Z* other than " ": the common case, untouched
        return text
    text = _LINE_BREAKS.sub("\n", text).replace("\t", " ")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) not in _DROPPED)


def clean_text(value: object) -> str:
    """User text made safe to judge and to place: ``drop_invisible``, then surrounding white
    space (full-width U+3000 and line breaks included) stripped. ``None`` → ``""``."""
    return drop_invisible(value).strip()


def is_blank(value: object) -> bool:
    """An empty cell: None, or text that is empty after ``clean_text`` (「　」, 「\\u2060」,
    「\\u202e\\u00ad」). A number, date or boolean is never blank."""
    if value is None:
        return True
    return isinstance(value, str) and not clean_text(value)


def finalize(value: object) -> object:
    """Jinja ``finalize`` of the document and review templates: every printed string through
    ``drop_invisible`` (no strip: a template's spacing is its own). A ``Markup`` (already escaped
    by a filter) stays ``Markup``, or autoescape would escape it twice."""
    if not isinstance(value, str):
        return value
    text = drop_invisible(value)
    return text if type(value) is str else type(value)(text)


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal or in a spreadsheet cell: a wide (全角) character
    counts 2, others 1 — what lining up Japanese labels or estimating wrapped lines needs."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` display columns (``display_width``)."""
    return text + " " * max(width - display_width(text), 0)
