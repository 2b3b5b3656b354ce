"""漢数字 (Japanese numerals) as staff type them: 一千四百万, 千四百万, 壱千四百萬, 一四〇〇万, 3千万.

``read_number`` reads a number written with Arabic digits (comma grouping, decimals) or 漢数字
(十百千 with their digits, or digit by digit with 〇), the 大字 of formal documents (壱弐参拾萬 …,
folded by ``fold_daiji``) and the units 万億兆, into an exact Decimal. ``digits_for_kanji``
rewrites the 漢数字 of a date or a count as Arabic digits (令和八年十一月三十日 → 令和8年11月30日)
so that the date patterns of pipeline.read.values read both.

What is refused, and why (docs/workbook.md, "Numbers in 漢数字"): a unit with no number before it
(「万円」: which number?), Arabic and 漢数字 digits in one number (「1四00万」, 「一億5000万」: a typo
more often than a choice), several digits before 十百千 (「二五百」), a lower part as large as the
unit above it (「1億12000万」, 「百千」), and more than 20 digits. Each refusal is a
:class:`NumeralError` whose ``detail`` names, in Japanese, the part that was not understood.

Pure and stdlib only: it runs for every amount cell of a month-end batch.
"""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["MAX_DIGITS", "NumeralError", "digits_for_kanji", "fold_daiji", "read_number"]

#: Digits a number may have, Arabic and 漢数字 alike: keeps Decimal arithmetic exact and int()
#: away from Python's 4,300-digit limit (a cell may hold 32,767 characters).
MAX_DIGITS = 20

#: 大字 (the anti-tamper numerals of contracts and receipts: 金壱千四百萬円也) and the other
#: spellings of a numeral → the everyday 漢数字. ○ and ◯ are the circles a Japanese IME offers
#: for 「まる」, often typed for 〇 (一○○万円, 二○二六年): read as 〇 only inside a number that has
#: another 漢数字 digit, since a circle alone is a check mark or a placeholder (令和○年○月○日).
_DAIJI = str.maketrans({
    "壱": "一", "壹": "一", "弌": "一", "弐": "二", "貳": "二", "弍": "二",
    "参": "三", "參": "三", "弎": "三", "肆": "四", "伍": "五", "陸": "六",
    "漆": "七", "柒": "七", "捌": "八", "玖": "九", "拾": "十", "佰": "百", "陌": "百",
    "仟": "千", "阡": "千", "萬": "万", "零": "〇",
})
_CIRCLES = str.maketrans({"○": "〇", "◯": "〇"})
_RE_NONZERO_KANJI = re.compile("[一二三四五六七八九]")

_KANJI_DIGITS = {ch: n for n, ch in enumerate("〇一二三四五六七八九")}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS = {"万": 10**4, "億": 10**8, "兆": 10**12}

#: One token of a number: a run of Arabic digits with its commas and point, a run of 漢数字
#: digits, a unit below 万, a unit from 万 up. Anything else is not part of a number.
_TOKEN = re.compile(r"(?P<arabic>[\d,.]+)|(?P<kanji>[〇一二三四五六七八九]+)"
                    r"|(?P<small>[十百千])|(?P<big>[万億兆])")
#: Arabic digits as typed: grouped by commas every 3 digits (1,400,000) or plain, decimals allowed.
_ARABIC = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
#: The 漢数字 of a date or count: digits and 十百千 (no 万: no date or count needs it).
_KANJI_RUN = re.compile(r"[〇一二三四五六七八九十百千]+")


class NumeralError(ValueError):
    """A number text that cannot be read; ``detail`` says which part, in Japanese for staff."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def fold_daiji(text: str) -> str:
    """大字 and circle look-alikes → everyday 漢数字: 壱千四百萬 → 一千四百万, 二○二六 → 二〇二六."""
    text = text.translate(_DAIJI)
    return text.translate(_CIRCLES) if _RE_NONZERO_KANJI.search(text) else text


class _Token:
    __slots__ = ("kind", "text")

    def __init__(self, kind: str, text: str):
        self.kind, self.text = kind, text


def _tokens(text: str) -> list[_Token]:
    """The tokens of ``text``; NumeralError naming the first run of characters that is none
    (before a digit run's commas are judged: in 「1,2OO万」 the letters O are the mistake)."""
    tokens, at = [], 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None:
            end = at
            while end < len(text) and _TOKEN.match(text, end) is None:
                end += 1
            raise NumeralError(f"「{text[at:end]}」が分かりません")
        tokens.append(_Token(found.lastgroup or "", found.group()))
        at = found.end()
    for token in tokens:
        if token.kind == "arabic" and not _ARABIC.fullmatch(token.text):
            raise NumeralError(f"「{token.text}」のカンマや小数点の位置が正しくありません")
    return tokens


def _check_tokens(tokens: list[_Token]) -> None:
    if not tokens:
        raise NumeralError("数字がありません")
    kinds = {t.kind for t in tokens}
    if {"arabic", "kanji"} <= kinds:
        raise NumeralError("算用数字（1, 2, 3…）と漢数字（一, 二, 三…）が混ざっています")
    digits = sum(ch.isdigit() or ch in _KANJI_DIGITS for t in tokens for ch in t.text)
    if digits > MAX_DIGITS:
        raise NumeralError(f"桁数が多すぎます（{MAX_DIGITS}桁まで）")


def _digits_value(token: _Token) -> Decimal:
    """A digit run: Arabic as typed (1,400 / 1400.5), 漢数字 digit by digit (一四〇〇 = 1400)."""
    if token.kind == "arabic":
        return Decimal(token.text.replace(",", ""))
    return Decimal(int("".join(str(_KANJI_DIGITS[ch]) for ch in token.text)))


class _Group:
    """The number before one of 万億兆 (or at the end): [n]千[n]百[n]十[n], or digits alone.

    Each part must stay below the unit before it, so 「千二百」 is 1200 and 「百千」 is refused;
    「十」 and 「一十」 are both 10 (the 一 before 十百千 may be left out, as usual).
    """

    def __init__(self) -> None:
        self.text = ""
        self.total = Decimal(0)
        self.pending: _Token | None = None  # a digit run waiting for its unit
        self.last_unit: int | None = None  # the last of 十百千 seen, the ceiling of what follows

    @property
    def empty(self) -> bool:
        return not self.text

    def add(self, token: _Token) -> None:
        self.text += token.text
        if token.kind != "small":
            self.pending = token
            return
        coefficient = Decimal(1)
        if self.pending is not None:
            if self.pending.kind == "kanji" and (len(self.pending.text) > 1
                                                 or self.pending.text == "〇"):
                raise NumeralError(f"「{self.pending.text}{token.text}」が分かりません")
            coefficient = _digits_value(self.pending)
        self._add_part(coefficient * _SMALL_UNITS[token.text], _SMALL_UNITS[token.text])
        self.pending = None

    def _add_part(self, amount: Decimal, unit: int) -> None:
        if self.last_unit is not None and amount >= self.last_unit:
            raise NumeralError(f"「{self.text}」の位取りが正しくありません")
        self.total += amount
        self.last_unit = unit

    def value(self) -> Decimal:
        """The group's number; a digit run after 十百千 is its ones (千五 = 1005, not 千 + 五…)."""
        if self.pending is not None:
            if self.last_unit is not None and self.pending.kind == "kanji" and len(
                    self.pending.text) > 1:
                raise NumeralError(f"「{self.text}」の位取りが正しくありません")
            self._add_part(_digits_value(self.pending), 1)
            self.pending = None
        return self.total


def read_number(text: str) -> Decimal:
    """A number ≥ 0 from digits, 漢数字 and 万億兆 (``text`` folded: NFKC, no spaces, no sign,
    大字 folded by ``fold_daiji``): 「1,400万5,000」 → 14005000, 「一千四百万」 → 14000000,
    「3千万」 → 30000000, 「1400.5万」 → Decimal("14005000.0"), 「一四〇〇」 → 1400.

    A part below a unit must stay below that unit (「1億12000万」 refused); a unit with nothing
    before it (「万」, 「億万」) is refused. The caller decides about fractions and magnitude.
    """
    tokens = _tokens(text)
    _check_tokens(tokens)
    total, ceiling, group = Decimal(0), None, _Group()
    for token in tokens:
        if token.kind != "big":
            group.add(token)
            continue
        if group.empty:
            raise NumeralError(f"「{token.text}」の前に数がありません")
        amount = group.value() * _BIG_UNITS[token.text]
        if ceiling is not None and amount >= ceiling:
            raise NumeralError(f"「{group.text}{token.text}」の位取りが正しくありません")
        total, ceiling, group = total + amount, _BIG_UNITS[token.text], _Group()
    if not group.empty:
        amount = group.value()
        if ceiling is not None and amount >= ceiling:
            raise NumeralError(f"「{group.text}」の位取りが正しくありません")
        total += amount
    return total


def digits_for_kanji(text: str) -> str:
    """Every 漢数字 run of a date or count as Arabic digits: 令和八年十一月三十日 → 令和8年11月30日,
    二〇二六年 → 2026年, 三ヶ月 → 3ヶ月 (``text`` folded as for ``read_number``).

    A run touching an Arabic digit (「1十」, 「令和8年十1月」) is refused: which digits belong
    together is a guess.
    """
    def arabic(found: re.Match[str]) -> str:
        start, end = found.span()
        start -= bool(start and text[start - 1].isdigit())
        end += end < len(text) and text[end].isdigit()
        if text[start:end] != found.group():
            raise NumeralError(f"「{text[start:end]}」で算用数字と漢数字が続いています")
        return str(int(read_number(found.group())))

    return _KANJI_RUN.sub(arabic, text)
