"""Japanese display formatting: the one module that turns figures into the strings documents show.

``pipeline.documents`` builds every display string with these functions, and the template engine
registers them as Jinja filters, so Word, PDF and the review page format a number the same way.
They never round on their own: a value with more precision than its display form is refused
(``ValueError``), because a silently re-rounded figure on a creditor letter is worse than a failed
case (docs/conventions.md §4). Missing optional values show as ``—``.

Negative yen (only the household surplus can be negative) is written with the accounting
triangle, ``△12,000円``, as on Japanese financial statements: ``yen`` is pipeline.compute.money's,
the one money formatter of every surface, and 和暦 uses pipeline.eras, the table the workbook
reader uses; ``clean_text`` is pipeline.text's, the rule validation's blank check uses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TypeVar

from pipeline.compute.money import DASH, percent_text, require_int, yen
from pipeline.eras import era_of
from pipeline.text import clean_text

#: Characters Windows and POSIX refuse in file names, replaced in ``safe_filename``.
_RESERVED_CHARS = frozenset('\\/:*?"<>|')
_WINDOWS_DEVICE = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$", re.IGNORECASE)
_HONORIFIC_TAIL = re.compile(r"[\s\u3000]*(御中|様|殿)$")
T = TypeVar("T")


def _dash_if_missing(format_value: Callable[[T], str]) -> Callable[[T | None], str]:
    """Missing optional values show as ``—`` (the one place that says so for every formatter)."""
    @functools.wraps(format_value)
    def formatted(value: T | None) -> str:
        return DASH if value is None else format_value(value)
    return formatted


def _require_decimal(d: object) -> Decimal:
    if not isinstance(d, (Decimal, int)) or isinstance(d, bool):
        raise TypeError(f"率は Decimal で渡してください: {d!r}")
    return Decimal(d)


def _fixed(d: Decimal, places: int) -> str:
    """``d`` with exactly ``places`` decimals; refuses a value that would need rounding."""
    exp = Decimal(1).scaleb(-places)
    q = d.quantize(exp)
    if q != d:
        raise ValueError(f"{d} は小数{places}桁で表示できません（丸めは計算側で行います）")
    return f"{q:.{places}f}"


def kin(n: int) -> str:
    """金額（文中）: ``14000000`` → ``金14,000,000円`` (docs/outputs.md: where a sentence states a price)."""
    if require_int(n) < 0:
        raise ValueError(f"文中の金額は負にできません: {n}")
    return f"金{yen(n)}"


def round_text(n: int) -> str:
    """第N回 of a creditor's letters (交渉 rounds): ``2`` → ``（第2回）``, printed after the title.

    The first send prints nothing, as an office's first 申請書 carries no number; only a letter
    that follows an earlier send says which round it is (docs/outputs.md, rounds)."""
    if require_int(n) < 1:
        raise ValueError(f"交渉の回は1以上です: {n}")
    return "" if n == 1 else f"（第{n}回）"


def yen_change(n: int) -> str:
    """増減 of the change table (前回 → 今回): ``+1,000,000円``, ``△1,000,000円``, ``0円``.

    The decrease keeps the accounting triangle of ``yen``; an increase is signed so that a
    column of changes reads at a glance."""
    return f"+{yen(n)}" if require_int(n) > 0 else yen(n)


def _era_year(d: date) -> str:
    """元号 and year: the first year is 元年 (令和元年 = 2019-05-01..12-31, docs/outputs.md).
    The table is pipeline.eras, the same one the workbook reader uses."""
    era, year = era_of(d)
    return f"{era.name}{'元' if year == 1 else year}年"


@_dash_if_missing
def wareki(d: date) -> str:
    """和暦の日付: ``2026-11-30`` → ``令和8年11月30日``; ``2019-05-01`` → ``令和元年5月1日``."""
    return f"{_era_year(d)}{d.month}月{d.day}日"


@_dash_if_missing
def wareki_month(d: date) -> str:
    """和暦の年月: ``2027-02-01`` → ``令和9年2月`` (返済開始年月)."""
    return f"{_era_year(d)}{d.month}月"


@_dash_if_missing
def percent(d: Decimal) -> str:
    """割合 (one decimal, already rounded by the computation): ``Decimal("7.0")`` → ``7.0%``."""
    return f"{_fixed(_require_decimal(d), 1)}%"


@_dash_if_missing
def ratio(d: Decimal) -> str:
    """A configured ratio as a percentage, all its digits: ``Decimal("0.30")`` → ``30%``,
    ``Decimal("0.325")`` → ``32.5%`` (競売市場修正・落札見込: assumptions are printed exactly)."""
    return f"{percent_text(_require_decimal(d))}%"


@_dash_if_missing
def rate(d: Decimal) -> str:
    """年率 as entered, at least one decimal: ``14.6`` → ``14.6%``, ``14`` → ``14.0%``,
    ``14.65`` → ``14.65%`` (損害金率 is shown exactly, never rounded)."""
    d = _require_decimal(d)
    if not d.is_finite():
        raise ValueError(f"rate: not a finite number: {d}")
    places = max(1, -int(d.normalize().as_tuple().exponent))  # finite: the exponent is an int
    return f"{_fixed(d, places)}%"


@_dash_if_missing
def years(d: Decimal) -> str:
    """年数 (one decimal, 切り捨て done by compute): ``Decimal("20.8")`` → ``20.8年``."""
    return f"{_fixed(_require_decimal(d), 1)}年"


@_dash_if_missing
def months(n: int) -> str:
    """返済回数: ``250`` → ``250回``; None (monthly amount 0) → ``—``."""
    return f"{require_int(n):,}回"


@_dash_if_missing
def area(d: Decimal) -> str:
    """面積 (2 decimals, as registered, thousands comma as on a 登記事項証明書's 地積):
    ``Decimal("65.23")`` → ``65.23㎡``, ``Decimal("3120.55")`` → ``3,120.55㎡``."""
    text = _fixed(_require_decimal(d), 2)  # refuses a value that would need rounding
    return f"{Decimal(text):,.2f}㎡"


def _strip_honorific(s: str) -> str:
    """Drop a 様/殿/御中 typed by staff, so the addressee never carries two (「山田様 様」)."""
    return _HONORIFIC_TAIL.sub("", s).strip()


def honorific_addressee(org: str, department: str | None = None,
                        officer: str | None = None) -> str:
    """宛名: 「〇〇銀行 債権管理部 御中」 without a named officer, 「〇〇銀行 債権管理部 山田太郎 様」
    with one — never both (docs/outputs.md: 御中 for an organisation, 様 for a person)."""
    parts = [_strip_honorific(clean_text(p)) for p in (org, department, officer)]
    name, dept, person = (" ".join(p.split()) for p in parts)
    words = [w for w in (name, dept, person) if w]
    return " ".join(words + ["様" if person else "御中"])


def honorific(officer: str | None) -> str:
    """御中 or 様 for an addressee, by whether a named officer is given."""
    return "様" if _strip_honorific(clean_text(officer)) else "御中"


#: 貴〇: the word a letter uses for its addressee, by how the addressee's name ends (matched
#: longest suffix first, on the name with its legal form such as 株式会社 taken off). Written
#: Japanese names the kind of body: 貴行 for a bank, 貴庫 for a 信用金庫, 貴金庫 for a 労働金庫,
#: 貴組合 for a 信用組合 or 協同組合 (JA), 貴機構 for an 独立行政法人 such as 住宅金融支援機構,
#: 貴署 / 貴局 / 貴所 for 税務署 / 国税局・主税局 / 税事務所. A municipality is 貴市 (貴区・貴町・貴村):
#: the 差押 is registered in the city's name (差押権者 〇〇市, not 〇〇市役所, which is only the
#: building), and 貴市 is what government notices to a city write (e.g. 厚生労働省 to 山形市長:
#: 「貴市において…」); 貴庁 is kept for other government offices (県庁, 国税庁, 裁判所).
YOU_BY_SUFFIX: dict[str, str] = {
    "銀行": "貴行",
    "信用金庫": "貴庫", "信金": "貴庫",
    "労働金庫": "貴金庫", "労金": "貴金庫",
    "信用組合": "貴組合", "信組": "貴組合", "協同組合": "貴組合", "農協": "貴組合",
    "漁協": "貴組合", "組合": "貴組合",
    "連合会": "貴会", "信連": "貴会", "協会": "貴協会",
    "機構": "貴機構", "公庫": "貴公庫",
    "債権回収": "貴社", "サービサー": "貴社",
    "税務署": "貴署", "税局": "貴局", "税事務所": "貴所", "年金事務所": "貴所",
    "市役所": "貴市", "区役所": "貴区", "町役場": "貴町", "村役場": "貴村",
    "市": "貴市", "区": "貴区", "町": "貴町", "村": "貴村",
    "東京都": "貴都", "北海道": "貴道", "府": "貴府", "県": "貴県",
    "都庁": "貴都", "道庁": "貴道", "府庁": "貴府", "県庁": "貴県",
    "庁": "貴庁", "裁判所": "貴庁", "役所": "貴庁", "役場": "貴庁",
    "市長": "貴市", "区長": "貴区", "町長": "貴町", "村長": "貴村",
}
#: Names that say what they are at the front: JA〇〇 (農業協同組合), JF〇〇 (漁業協同組合).
YOU_BY_PREFIX: dict[str, str] = {"JA": "貴組合", "JF": "貴組合"}
#: A company (会社法) is 貴社 — except the kinds that are 株式会社 by law and still named by their
#: own word: banks (株式会社〇〇銀行, 〇〇信託銀行株式会社) and 株式会社日本政策金融公庫.
YOU_FOR_COMPANY = {"銀行": "貴行", "公庫": "貴公庫"}
YOU_DEFAULT = "貴社"
_LEGAL_FORMS = re.compile(
    r"^(?:株式会社|有限会社|合同会社|合資会社|合名会社|\((?:株|有|同)\))|"
    r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|\((?:株|有|同)\))$")
_YOU_SUFFIXES = sorted(YOU_BY_SUFFIX, key=len, reverse=True)  # longest suffix first
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")  # 「住宅金融支援機構(旧住宅金融公庫)」


def you_word(creditor_name: str) -> str:
    """貴社・貴行・貴庫・貴機構・貴市・貴署 …: how a letter calls its addressee (YOU_BY_SUFFIX).

    The name is read word by word (「〇〇銀行 債権管理部」 is a bank); the first word that says
    what kind of body it is decides. Full-width letters count as their plain form (ＪＡ = JA,
    （株） = (株)). A name that says nothing, or a company, is 貴社 (YOU_DEFAULT).
    """
    for word in unicodedata.normalize("NFKC", clean_text(creditor_name)).split():
        found = _you_of_word(word)
        if found:
            return found
    return YOU_DEFAULT


def _you_of_word(word: str) -> str | None:
    core = _LEGAL_FORMS.sub("", word)
    is_company = core != word
    core = _TRAILING_NOTE.sub("", core)
    suffix = next((s for s in _YOU_SUFFIXES if core.endswith(s)), None)
    if is_company:  # only a bank or 公庫 keeps its own word
        return YOU_FOR_COMPANY.get(suffix or "", YOU_DEFAULT)
    if suffix:
        return YOU_BY_SUFFIX[suffix]
    # JA東京 is a 組合, JAPANカード is not: the prefix must not run on into a Latin word
    return next((w for p, w in YOU_BY_PREFIX.items()
                 if re.match(re.escape(p) + "(?![A-Za-z])", core, re.IGNORECASE)), None)


def safe_filename(name: str, max_bytes: int = 120) -> str:
    """A creditor name usable in a file name on Windows and POSIX, Japanese kept.

    Path separators, ``: * ? " < > |`` and control characters become ``_``; leading dots and
    spaces and trailing dots and spaces are dropped (no hidden or ``..`` names); Windows device
    names get a ``_`` prefix; the result is cut to ``max_bytes`` of UTF-8 on a character
    boundary (file systems limit names to 255 bytes, and the title and extension share them).
    """
    # clean_text has already dropped control characters; a line break becomes a space.
    chars = ("_" if c in _RESERVED_CHARS else c for c in clean_text(name).replace("\n", " "))
    text = "".join(chars).lstrip(". \u3000").rstrip(". \u3000")
    if _WINDOWS_DEVICE.match(text):
        text = "_" + text
    text = _cut_utf8(text, max_bytes).rstrip(". \u3000")
    return text or "_"


def _cut_utf8(text: str, max_bytes: int) -> str:
    out, used = [], 0
    for c in text:
        size = len(c.encode("utf-8"))
        if used + size > max_bytes:
            break
        out.append(c)
        used += size
    return "".join(out)


#: What the template engine registers, by filter name.
FILTERS = {
    "yen": yen, "kin": kin, "wareki": wareki, "wareki_month": wareki_month,
    "percent": percent, "ratio": ratio, "rate": rate, "years": years, "months": months, "area": area,
    "clean_text": clean_text, "you_word": you_word,
}
