"""Cell value parsers: what openpyxl hands back for a cell → the typed value the case needs.

One pure function per value kind of the table "Value kinds" in docs/workbook.md (yen, date,
year-month, percent, integer, number, choice, text). Each takes the raw cell value (None, int,
float, str, bool, datetime.datetime, datetime.date, datetime.time) and either returns the typed
value or raises :class:`BadValue` with a stable ``code`` and a Japanese ``expected`` for staff.
The validator turns a BadValue into an Issue located at the cell; this module knows no cells.

It runs for every cell of every workbook of a month-end batch: stdlib only, regexes compiled once,
no per-call setup. Money never goes through float arithmetic: text is read as Decimal, and a float
cell is accepted only when it is (within Excel's float noise) an integer.
"""

from __future__ import annotations

import calendar
import datetime
import math
import re
import unicodedata
from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TypeGuard

from pipeline import eras
from pipeline.eras import Era, date_text
from pipeline.read import kansuji
from pipeline.text import clean_text, drop_invisible, is_blank  # is_blank: re-exported

__all__ = [
    "BadValue",
    "is_blank",
    "normalize_label",
    "parse_choice",
    "parse_date",
    "parse_decimal",
    "parse_integer",
    "parse_percent",
    "parse_share",
    "parse_text",
    "parse_year_month",
    "parse_yen",
    "raw_text",
]


class BadValue(Exception):
    """A cell value that cannot be read as the expected kind.

    ``code`` is stable (tests and the validator key on it); ``expected`` says, in Japanese for
    office staff, what the cell should hold (e.g. 「金額（例: 14,000,000 / 1400万円）」); ``detail``,
    when the parser can tell, which part of the text it did not understand (「「くらい」が分かりません」).
    """

    def __init__(self, code: str, expected: str, detail: str = ""):
        super().__init__(f"{code}: {expected}" + (f" ({detail})" if detail else ""))
        self.code = code
        self.expected = expected
        self.detail = detail


# --- limits and tolerances ---------------------------------------------------------------------

#: Excel stores numbers as IEEE doubles, so a typed integer can come back as 1400000.0000000002.
#: A float this close to an integer *is* that integer; anything further is a real fraction.
_FLOAT_NOISE = 1e-6

#: Excel keeps 15 significant digits; a larger magnitude cannot be an exactly stored amount.
_MAX_MAGNITUDE = 10**15

#: Digits allowed in a numeric text. Keeps Decimal arithmetic exact (context precision is 28)
#: and int() away from Python's 4,300-digit conversion limit.
_MAX_TEXT_DIGITS = 20

#: Decimal places kept from a float percent (after ×100): below that it is float noise
#: (0.14600000000000002 → 14.6). Rates in contracts never go past 3 decimals.
_PERCENT_FLOAT_PLACES = 6

_EXPECT_YEN = "金額（例: 14,000,000 / 1400万円）"
_EXPECT_YEN_NEGATIVE = "0以上の金額（例: 14,000,000 / 1400万円）"
_EXPECT_YEN_FRACTION = "1円単位の金額（円未満の端数は不可。例: 14,005,000 / 1400.5万円）"
_EXPECT_DATE = "日付（例: 2026/11/30 / 令和8年11月30日 / R8.11.30）"
_EXPECT_DATE_REAL = "実在する日付（例: 令和8年2月28日）"
_EXPECT_DATE_YEAR = "年を含む日付（例: 2026/11/30 / 令和8年11月30日）"
_EXPECT_YEAR_MONTH = "年月（例: 2027年2月 / 令和9年2月 / 2027-02）"
_EXPECT_PERCENT = "率（例: 14.6% / 14.6）"
_EXPECT_PERCENT_RANGE = "0〜100の率（例: 14.6%）"
_EXPECT_INTEGER = "整数（例: 3）"


# --- text folding --------------------------------------------------------------------------------

#: \s covers Unicode spaces incl. the full-width space U+3000; invisible characters (U+200B,
#: BOM, U+2060 …) are gone before it runs (pipeline.text.clean_text).
_RE_SPACES = re.compile(r"\s+")


def normalize_label(text: object) -> str:
    """Fold a label, header or choice word: NFKC (full→half width), then drop every space.

    Used for comparing, never for storing names: 「 債権者 名 」 and 「債権者名」 are the same label.
    A cell that is not text (a number typed as a header) is folded as staff see it (raw_text).
    """
    if not isinstance(text, str):
        text = raw_text(text)
    return _RE_SPACES.sub("", unicodedata.normalize("NFKC", clean_text(text)))


def _number_text(number: float) -> str:
    """A float as Excel shows it in a General cell: 15 significant digits, no trailing ".0"."""
    if math.isfinite(number) and number == int(number) and abs(number) < _MAX_MAGNITUDE:
        return str(int(number))
    return f"{number:.15g}"


def raw_text(value: object) -> str:
    """The value as staff see it in Excel, for messages: 1400000.0 → "1400000", dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return drop_invisible(value)  # staff do not see U+200B or U+202E in Excel either
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def parse_text(value: object) -> str:
    """Free text (氏名, 住所, …): numbers without ".0", cleaned by the one rule of
    pipeline.text (invisible and control characters dropped, surrounding whitespace stripped).

    Visible characters are kept exactly as typed: no NFKC, so 髙, 﨑 and 𠮷 in names survive.
    """
    return clean_text(raw_text(value))


# --- numbers ------------------------------------------------------------------------------------

#: A number cell's value: openpyxl gives int or float, tests and callers may pass a Decimal.
_Number = int | float | Decimal


def _is_number(value: object) -> TypeGuard[_Number]:
    """A number cell (bool is an int subclass but a TRUE/FALSE cell, not a number)."""
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _integral(value: _Number, code: str, expected: str) -> int:
    """A number cell that must be an integer; float noise below 1e-6 is rounded away."""
    if isinstance(value, int):
        number = value
    elif not math.isfinite(value):
        raise BadValue(code, expected)
    else:
        number = round(value)
        # Chained rather than abs(): mypy types abs(float | Decimal) as object.
        if not -_FLOAT_NOISE <= value - number <= _FLOAT_NOISE:
            raise BadValue(code, expected)
    if abs(number) >= _MAX_MAGNITUDE:
        raise BadValue(code, expected)
    return int(number)


def _too_long(text: str) -> bool:
    return sum(ch.isdigit() for ch in text) > _MAX_TEXT_DIGITS


#: A number as typed: digit-grouped with commas every 3 digits (1,400,000) or plain digits,
#: optional decimals. "1,4,00" and "14,00" do not match.
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"

#: Leading minus signs: ASCII and Unicode hyphen-minus variants, and △/▲ which Japanese
#: accounting uses for negative amounts.
_RE_MINUS = re.compile(r"[-−‐‑–—△▲▵]")


def _strip_minus(text: str) -> tuple[bool, str]:
    """(negative?, text without the sign); also after a ¥ prefix (¥-1,000 / -¥1,000)."""
    currency = text[:1] if text[:1] in ("¥", "\\") else ""
    rest = text[len(currency):]
    if rest and _RE_MINUS.match(rest):
        return True, currency + rest[1:]
    if text[:1] == "+":
        return False, text[1:]
    return False, text


def _signed_match(text: str, pattern: re.Pattern[str], code: str, expected: str
                  ) -> tuple[bool, re.Match[str]]:
    """(negative?, match) of a numeric text: folded, its sign taken off, then matched whole.

    Too many digits or no match raise ``code``; the caller decides what a sign means.
    """
    negative, folded = _strip_minus(normalize_label(text))
    match = None if _too_long(folded) else pattern.fullmatch(folded)
    if match is None:
        raise BadValue(code, expected)
    return negative, match



# --- yen ----------------------------------------------------------------------------------------

#: How an amount may be dressed (docs/workbook.md, Value kinds: yen): 金 or ¥ before it ("\\" is
#: the ¥ key of a Japanese keyboard), 円 after it, and after 円 the 也 or 整 of a receipt or a
#: contract (金壱千四百萬円也, 金14,000,000円整). 圓 is the old form of 円 on such papers.
_YEN_PREFIXES = ("金", "¥", "\\")
_RE_YEN_SUFFIX = re.compile(r"(?P<body>.*?)[円圓](?:也|整)?(?P<rest>.*)")
#: The line drawn after an amount so that nothing can be added (¥14,000,000-, ￥14,000,000－;
#: ー is the long-vowel mark a Japanese IME types for it). Read only after ¥ or 金: a bare
#: 「14,000,000-」 is how accounting print-outs write a negative amount, so it is not guessed.
_TRAILING_DASHES = frozenset("-−‐‑–—―ー")
_DETAIL_TRAILING_DASH = "末尾の「-」は ¥ か 金 を前に付けたときだけ読めます（例: ¥14,000,000-）"
_DETAIL_TOO_LARGE = "金額が大きすぎます（1000兆円未満）"


def _yen_sign(text: str) -> tuple[bool, str, str]:
    """(negative?, 金/¥ prefix, rest) of a folded amount; a minus (also △/▲) may stand before or
    after the prefix (-¥1,000 / ¥-1,000)."""
    negative = bool(_RE_MINUS.match(text))
    if negative or text[:1] == "+":
        text = text[1:]
    prefix = text[:1] if text[:1] in _YEN_PREFIXES else ""
    text = text[len(prefix):]
    if not negative and _RE_MINUS.match(text):
        negative, text = True, text[1:]
    return negative, prefix, text


def _yen_body(text: str, prefix: str) -> str:
    """The number of an amount: 円 (with 也/整) or the anti-tamper dash taken off its end."""
    dressed = _RE_YEN_SUFFIX.fullmatch(text)
    if dressed:
        if dressed.group("rest"):
            raise BadValue("yen_invalid", _EXPECT_YEN, f"「{dressed.group('rest')}」が分かりません")
        return dressed.group("body")
    if len(text) > 1 and text[-1] in _TRAILING_DASHES:
        if not prefix:
            raise BadValue("yen_invalid", _EXPECT_YEN, _DETAIL_TRAILING_DASH)
        return text[:-1]
    return text


def _yen_from_text(text: str) -> int:
    negative, prefix, rest = _yen_sign(kansuji.fold_daiji(normalize_label(text)))
    try:  # Decimal all the way: 1400.5万 is exactly 14,005,000
        total = kansuji.read_number(_yen_body(rest, prefix))
    except kansuji.NumeralError as bad:
        raise BadValue("yen_invalid", _EXPECT_YEN, bad.detail) from None
    if negative:
        raise BadValue("yen_negative", _EXPECT_YEN_NEGATIVE)
    if total != total.to_integral_value():
        raise BadValue("yen_fraction", _EXPECT_YEN_FRACTION)
    if total >= _MAX_MAGNITUDE:
        raise BadValue("yen_invalid", _EXPECT_YEN, _DETAIL_TOO_LARGE)
    return int(total)


def _yen_from_number(value: _Number) -> int:
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue("yen_invalid", _EXPECT_YEN)
    if not -_MAX_MAGNITUDE < value < _MAX_MAGNITUDE:
        raise BadValue("yen_invalid", _EXPECT_YEN)
    if value < -_FLOAT_NOISE:  # -1e-9 is float noise around 0, not a debt
        raise BadValue("yen_negative", _EXPECT_YEN_NEGATIVE)
    return _integral(value, "yen_fraction", _EXPECT_YEN_FRACTION)


def parse_yen(value: object) -> int:
    """金額 (yen, int ≥ 0) from a number cell or text (docs/workbook.md, Value kinds: yen).

    A number cell must be integral (1000.5 → yen_fraction; Excel float noise within 1e-6 is
    rounded). Text may be 14,000,000 / 14,000,000円 / ¥14,000,000 / 1400万 / 1400.5万円 /
    1億2000万円 / 1,400千円 / 3千万円, in 漢数字 一千四百万円 / 千四百万円 / 一四〇〇万円, in 大字
    金壱千四百萬円也, with ¥14,000,000- / 金14,000,000円整, in full or half width
    (pipeline.read.kansuji). Negative (also △/▲) → yen_negative. Blank, bool, dates, and text
    not understood → yen_invalid, whose ``detail`` names the part not understood.
    """
    if _is_number(value):
        return _yen_from_number(value)
    if isinstance(value, str):
        return _yen_from_text(value)
    raise BadValue("yen_invalid", _EXPECT_YEN)


# --- integer ------------------------------------------------------------------------------------

#: Counting words staff add after a number: 3ヶ月 (滞納月数), 45歳 (年齢), 1番 (順位).
_RE_INTEGER = re.compile(
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?(?:[ヶケヵカか]月|箇月|歳|才|番|位)?"
)


def parse_integer(value: object) -> int:
    """整数 (順位, 年齢, 滞納月数) from a number cell or digits (full width ok).

    Non-integral numbers → integer_invalid. A sign is kept: ranges (順位 ≥ 1) are the model's
    rule, not the parser's. Text may carry a counting word: 「3ヶ月」「45歳」「1番」, and be in
    漢数字: 「三ヶ月」「四十五歳」.
    """
    if _is_number(value):
        return _integral(value, "integer_invalid", _EXPECT_INTEGER)
    if not isinstance(value, str):
        raise BadValue("integer_invalid", _EXPECT_INTEGER)
    try:  # 漢数字 as digits: 三ヶ月 → 3ヶ月, 四十五歳 → 45歳
        text = kansuji.digits_for_kanji(kansuji.fold_daiji(normalize_label(value)))
    except kansuji.NumeralError as bad:
        raise BadValue("integer_invalid", _EXPECT_INTEGER, bad.detail) from None
    negative, match = _signed_match(text, _RE_INTEGER, "integer_invalid", _EXPECT_INTEGER)
    number = int(match.group("n").replace(",", ""))
    if number >= _MAX_MAGNITUDE:
        raise BadValue("integer_invalid", _EXPECT_INTEGER)
    return -number if negative else number


# --- decimal numbers (面積) ----------------------------------------------------------------------

#: 面積 as text; NFKC turns ㎡ and m² into "m2".
_RE_DECIMAL = re.compile(rf"(?P<n>{_NUM}|\.\d+)(?:m2|平米)?")


def _decimal_expected(places: int) -> str:
    return f"0以上の数値（小数{places}桁まで。例: 65.12）"


def _decimal_from(value: object, places: int) -> tuple[Decimal, bool]:
    """(Decimal, came from float?) for a number cell or a numeric text; raises number_invalid."""
    expected = _decimal_expected(places)
    if _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            raise BadValue("number_invalid", expected)
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return number, isinstance(value, float)
    if not isinstance(value, str):
        raise BadValue("number_invalid", expected)
    folded = normalize_label(value)
    match = None if _too_long(folded) else _RE_DECIMAL.fullmatch(folded)
    if match is None:
        raise BadValue("number_invalid", expected)
    return Decimal(match.group("n").replace(",", "")), False


def parse_decimal(value: object, places: int = 2) -> Decimal:
    """数値 with at most ``places`` decimals (面積(㎡), spec: number (2 decimals)), ≥ 0.

    Returned quantized to ``places`` (65.1 → Decimal("65.10")), as 登記簿 areas are written.
    A float cell may carry noise (65.12000000000001): within 1e-9 of the rounded value it is
    that value; text must not have more decimals than ``places``. Negative → number_invalid.
    """
    number, from_float = _decimal_from(value, places)
    expected = _decimal_expected(places)
    if number < 0 or abs(number) >= _MAX_MAGNITUDE:
        raise BadValue("number_invalid", expected)
    step = Decimal(1).scaleb(-places)
    rounded = number.quantize(step, rounding=ROUND_HALF_EVEN)
    tolerance = Decimal("1e-9") if from_float else Decimal(0)
    if abs(number - rounded) > tolerance:
        raise BadValue("number_invalid", expected)
    return rounded


# --- percent ------------------------------------------------------------------------------------

#: In an Excel number format, text in quotes and backslash-escaped characters are literals:
#: 0.0"%" shows a percent sign without multiplying by 100.
_RE_FORMAT_LITERAL = re.compile(r'"[^"]*"|\\.')

#: 率 as text: 「14.6%」「14.6」「年14.6%」「年率14.6%」 (how rates are written in loan contracts).
_RE_PERCENT = re.compile(r"(?:年率?)?(?P<n>\d+(?:\.\d+)?|\.\d+)%?")


def _is_percent_format(number_format: object) -> bool:
    if not isinstance(number_format, str):
        return False
    return "%" in _RE_FORMAT_LITERAL.sub("", number_format)


def _strip_zeros(number: Decimal) -> Decimal:
    """14.600 → 14.6 and 1E+2 → 100: one spelling per value, never exponent notation."""
    reduced = number.normalize()
    if reduced == reduced.to_integral_value():
        return reduced.quantize(Decimal(1))
    return reduced


def _percent_from_number(value: _Number, number_format: object) -> Decimal:
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue("percent_invalid", _EXPECT_PERCENT)
    # repr() is the shortest text that round-trips: 0.146 → "0.146", never 0.14599999…
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if _is_percent_format(number_format):
        number = number * 100
    # An int for a finite number; 'n'/'N'/'F' (NaN, infinity) were refused above.
    exponent = number.as_tuple().exponent
    if isinstance(value, float) and isinstance(exponent, int) and exponent < -_PERCENT_FLOAT_PLACES:
        step = Decimal(1).scaleb(-_PERCENT_FLOAT_PLACES)
        if abs(number) <= 100:  # out-of-range values are rejected below; quantize can overflow
            number = number.quantize(step, rounding=ROUND_HALF_EVEN)
    return number


def _percent_from_text(text: str) -> Decimal:
    negative, match = _signed_match(text, _RE_PERCENT, "percent_invalid", _EXPECT_PERCENT)
    number = Decimal(match.group("n"))
    return -number if negative else number


def parse_percent(value: object, number_format: str = "General") -> Decimal:
    """率 in percent units (損害金率): 14.6% → Decimal("14.6"). Spec: Value formats, percent.

    Text 「14.6%」/「14.6」, a number 14.6 (meaning 14.6%), or a cell whose ``number_format``
    is a percent format holding 0.146. Negative or over 100 → percent_out_of_range.
    """
    if _is_number(value):
        number = _percent_from_number(value, number_format)
    elif isinstance(value, str):
        number = _percent_from_text(value)
    else:
        raise BadValue("percent_invalid", _EXPECT_PERCENT)
    if number < 0 or number > 100:
        raise BadValue("percent_out_of_range", _EXPECT_PERCENT_RANGE)
    return _strip_zeros(number)


# --- choice -------------------------------------------------------------------------------------

def parse_choice(value: object, choices: Sequence[str]) -> str:
    """One of ``choices`` (物件種別, 担保種別, 費目, …); returns the canonical word.

    Full/half width, spaces and ASCII case are tolerated (「ＪＨＦ」→"jhf", 「 戸建 」→"戸建").
    Anything else → choice_invalid, whose ``expected`` lists the words joined by 「／」.
    """
    typed = normalize_label(raw_text(value)).casefold()
    if typed:
        for choice in choices:
            if normalize_label(choice).casefold() == typed:
                return choice
    raise BadValue("choice_invalid", "次のいずれか: " + "／".join(choices))


# --- dates --------------------------------------------------------------------------------------

#: 元号 and their Latin initials, as a workbook may write them (the table is pipeline.eras).
_ERA = "(?P<era>" + "|".join(eras.tokens()) + ")"
_ERA_YEAR = r"(?P<y>元|\d{1,3})"

_DATE_PATTERNS = tuple(re.compile(p) for p in (
    r"(?P<y>\d{4})(?P<s>[/.\-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})",
    r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?",
    _ERA + _ERA_YEAR + r"年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?",
    _ERA + _ERA_YEAR + r"(?P<s>[/.\-])(?P<m>\d{1,2})(?P=s)(?P<d>\d{1,2})",
))
_YEAR_MONTH_PATTERNS = tuple(re.compile(p) for p in (
    r"(?P<y>\d{4})[/.\-](?P<m>\d{1,2})",
    r"(?P<y>\d{4})年(?P<m>\d{1,2})月",
    _ERA + _ERA_YEAR + r"年(?P<m>\d{1,2})月",
    _ERA + _ERA_YEAR + r"[/.\-](?P<m>\d{1,2})",
))
#: Month and day without a year: 「11/30」「11月30日」 — which year is a guess, so refuse.
#: Only a real month (1–12) first: 「27/02」 is a two-digit year, a plain date_invalid.
_RE_NO_YEAR = re.compile(r"(?:0?[1-9]|1[0-2])(?:[/.\-]\d{1,2}|月\d{1,2}日?|月)")


#: A weekday after a date, as calendars and letters write it: (金) （金） (金曜) (金曜日) 金曜日;
#: without brackets 曜 is needed (「26日金」 is no weekday). NFKC has already made ㈮ into (金).
_RE_WEEKDAY = re.compile(
    r"(?P<date>.+?)(?:\((?P<bracketed>[月火水木金土日])(?:曜日?)?\)|(?P<bare>[月火水木金土日])曜日?)"
)
_WEEKDAYS = "月火水木金土日"  # date.weekday(): Monday is 0
_EXPECT_WEEKDAY = "日付と曜日が合う値（例: 2027年2月26日(金)）"
#: Characters a date may contain once folded: anything else is named in the message.
_RE_NOT_DATE = re.compile(
    "[^0-9/.\\-年月日元()曜" + "".join(sorted(set("".join(eras.tokens())))) + "]+"
)


def _fold_date_text(text: str, expected: str) -> str:
    """NFKC (Ｒ８．１１．３０ → R8.11.30, ㋿ → 令和), no spaces, era letters upper-case, 漢数字 and
    大字 as digits (令和八年十一月三十日 → 令和8年11月30日, pipeline.read.kansuji)."""
    folded = kansuji.fold_daiji(normalize_label(text).upper())
    try:
        return kansuji.digits_for_kanji(folded)
    except kansuji.NumeralError as bad:
        raise BadValue("date_invalid", expected, bad.detail) from None


def _split_weekday(text: str) -> tuple[str, str | None]:
    """(the date, the weekday written after it or None): 2027年2月26日(金) → (…26日, "金")."""
    found = _RE_WEEKDAY.fullmatch(text)
    if found is None:
        return text, None
    return found.group("date"), found.group("bracketed") or found.group("bare")


def _check_weekday(day: datetime.date, weekday: str | None) -> None:
    """A weekday that is not the date's means a typo in one of them: which one is not guessed."""
    if weekday is not None and weekday != _WEEKDAYS[day.weekday()]:
        raise BadValue("weekday_mismatch", _EXPECT_WEEKDAY,
                       f"{date_text(day)}は{_WEEKDAYS[day.weekday()]}曜日です")


def _unread_part(text: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    """Which part of a folded date text was not understood, for the message ("" if unclear):
    what follows a complete date (「ごろ」), else the characters no date has (「来」「末」)."""
    for pattern in patterns:
        found = pattern.match(text)
        if found and found.end() < len(text):
            return f"「{text[found.end():]}」が分かりません"
    unknown = dict.fromkeys(_RE_NOT_DATE.findall(text))  # each part once, in order
    return "".join(f"「{part}」" for part in unknown) + "が分かりません" if unknown else ""


def _match(patterns: tuple[re.Pattern[str], ...], text: str) -> dict[str, str] | None:
    for pattern in patterns:
        found = pattern.fullmatch(text)
        if found:
            return found.groupdict()
    return None


def _era_of(parts: dict[str, str]) -> Era | None:
    token = parts.get("era")
    return eras.era_by_token(token) if token else None


def _western_year(parts: dict[str, str], era: Era | None) -> int:
    """西暦 year: 令和8 → 2026, 令和元 → 2019; a Western year as typed."""
    if era is None:
        return int(parts["y"])
    return era.western_year(1 if parts["y"] == "元" else int(parts["y"]))


def _era_range_error(era: Era) -> BadValue:
    last = date_text(era.last) if era.last else ""
    span = f"{date_text(era.convertible_first)}〜{last}"
    if era.convertible_first > era.first:  # 明治 before 1873 was lunisolar
        span += "。明治5年以前は旧暦のため西暦に換算できません"
    return BadValue("era_out_of_range", f"{era.name}の期間内の日付（{span}）")


def _check_era(era: Era | None, first: datetime.date, last: datetime.date) -> None:
    """The span first..last must overlap the era (a day, or a whole month for year-month);
    a 明治 date before the Gregorian switch is refused too (pipeline.eras.CONVERTIBLE_FROM)."""
    if era is None:
        return
    if last < era.convertible_first or (era.last is not None and first > era.last):
        raise _era_range_error(era)


def _date_from_parts(parts: dict[str, str]) -> datetime.date:
    era = _era_of(parts)
    try:
        day = datetime.date(_western_year(parts, era), int(parts["m"]), int(parts["d"]))
    except ValueError:
        raise BadValue("date_impossible", _EXPECT_DATE_REAL) from None
    _check_era(era, day, day)
    return day


def _date_from_text(text: str) -> datetime.date:
    folded, weekday = _split_weekday(_fold_date_text(text, _EXPECT_DATE))
    parts = _match(_DATE_PATTERNS, folded)
    if parts is not None:
        day = _date_from_parts(parts)
        _check_weekday(day, weekday)
        return day
    if _RE_NO_YEAR.fullmatch(folded):
        raise BadValue("date_no_year", _EXPECT_DATE_YEAR)
    raise BadValue("date_invalid", _EXPECT_DATE, _unread_part(folded, _DATE_PATTERNS))


def parse_date(value: object) -> datetime.date:
    """日付 from a date cell or text (spec: Value formats, date).

    A datetime cell gives its date (the time part is dropped). Text: 2026/11/30, 2026-11-30,
    2026年11月30日, 令和8年11月30日, R8.11.30, R8/11/30, 令和元年5月1日, full width too, in
    漢数字 (令和八年十一月三十日, 二〇二六年十一月三十日), with a weekday after it (2027年2月26日(金),
    （金曜日）); a weekday that is not the date's → weekday_mismatch.
    Impossible dates → date_impossible; outside the era → era_out_of_range; 「11/30」 →
    date_no_year. A number cell is refused (date_invalid), Excel serial or not: staff see a
    number such as 46000 in that cell, not a date, and a guessed date must not reach a
    creditor's document; openpyxl already returns real date cells as datetimes.
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return _date_from_text(value)
    raise BadValue("date_invalid", _EXPECT_DATE)


def _year_month_from_parts(parts: dict[str, str]) -> datetime.date:
    era = _era_of(parts)
    year, month = _western_year(parts, era), int(parts["m"])
    if not 1 <= month <= 12 or not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise BadValue("date_impossible", _EXPECT_YEAR_MONTH)
    first = datetime.date(year, month, 1)
    _check_era(era, first, first.replace(day=calendar.monthrange(year, month)[1]))
    return first


def parse_year_month(value: object) -> datetime.date:
    """年月 (返済開始年月) as the 1st of the month (spec: Value formats, year-month).

    Anything parse_date reads (the day is dropped), or 2027年2月, 令和9年2月, 2027-02, 2027/02,
    R9.2, 令和九年二月. An era month is accepted when it overlaps the era (昭和64年1月, 平成元年1月).
    """
    if isinstance(value, str):
        folded = _fold_date_text(value, _EXPECT_YEAR_MONTH)
        parts = _match(_YEAR_MONTH_PATTERNS, folded)
        if parts is not None:
            return _year_month_from_parts(parts)
    try:
        return parse_date(value).replace(day=1)
    except BadValue as exc:
        if exc.code == "date_invalid":
            raise BadValue("date_invalid", _EXPECT_YEAR_MONTH, exc.detail) from None
        raise


# --- 持分 (share of ownership) --------------------------------------------------------------------

_EXPECT_SHARE = "持分（分数。例: 2分の1 / 1/2）"
_EXPECT_SHARE_RANGE = "0より大きく1以下の持分（例: 2分の1。分子は分母以下）"
_EXPECT_SHARE_DATE = ("持分（Excelが「1/2」を日付に変えています。セルを文字列にするか「2分の1」と"
                      "入力してください）")
#: 「2分の1」 as the registry writes it, or 「1/2」; NFKC has already made the digits and 「／」
#: half width. At most 12 digits a side: 敷地権 shares such as 10万分の1862 fit.
_RE_SHARE = re.compile(r"(?:持分)?(?:(?P<d>\d{1,12})分の(?P<n>\d{1,12})|(?P<n2>\d{1,12})/(?P<d2>\d{1,12}))")


def parse_share(value: object) -> str:
    """持分 of one owner → the text 「b分のa」 (numbers kept as typed, not reduced).

    「2分の1」「1/2」「持分２分の１」 → 「2分の1」; the number 1 (a sole owner's whole share) →
    「1分の1」. A date cell (Excel turns 1/2 into 1月2日) or another number is refused: a float
    cannot say which fraction was meant. 0 < share ≤ 1 (share_out_of_range otherwise).
    """
    if isinstance(value, (datetime.date, datetime.time)):
        raise BadValue("share_invalid", _EXPECT_SHARE_DATE)
    if _is_number(value):
        if value == 1:
            return "1分の1"
        raise BadValue("share_invalid", _EXPECT_SHARE)
    if not isinstance(value, str):
        raise BadValue("share_invalid", _EXPECT_SHARE)
    folded = _RE_SPACES.sub("", unicodedata.normalize("NFKC", clean_text(value)))
    match = _RE_SHARE.fullmatch(folded)
    if match is None:
        raise BadValue("share_invalid", _EXPECT_SHARE)
    numerator = int(match.group("n") or match.group("n2"))
    denominator = int(match.group("d") or match.group("d2"))
    if not 0 < numerator <= denominator:
        raise BadValue("share_out_of_range", _EXPECT_SHARE_RANGE)
    return f"{denominator}分の{numerator}"
