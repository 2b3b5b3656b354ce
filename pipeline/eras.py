"""元号 (Japanese eras): the one table that reading and printing 和暦 dates both use.

``pipeline.read.values`` reads 令和8年11月30日 / R8.11.30 / 令和元年 with it, and
``pipeline.documents.format`` prints 令和8年11月30日 / 令和9年2月 with it, so a boundary day
(2019-05-01 = 令和元年5月1日, 2019-04-30 = 平成31年4月30日) reads and prints the same way.

Each era starts on the day its 改元 took effect, in the Gregorian calendar, and ends the day
before the next one starts (the day of a 改元 belongs to the new era: 1912-07-30 is 大正元年7月30日,
not 明治45年7月30日). 明治 starts 1868-01-25, the Gregorian day of 慶応4年1月1日, from which the
改元の詔 of 明治元年9月8日 counted 明治元年. But Japan kept the lunisolar calendar until
明治5年12月2日 (改暦ノ布告, 明治5年太政官布告第337号: the next day was 明治6年1月1日 =
1873-01-01), so a 明治 date before 1873 is not the Gregorian date its numbers suggest:
``CONVERTIBLE_FROM`` is the first day either direction converts; earlier ones are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["CONVERTIBLE_FROM", "ERAS", "Era", "date_text", "era_by_token", "era_of", "tokens"]


@dataclass(frozen=True, slots=True)
class Era:
    """元号: its name, its Latin initial (R8.11.30), its first day, and the act that set it."""

    name: str
    letter: str
    first: date
    source: str

    @property
    def year_one(self) -> int:
        """The Western year of 元年 (令和元年 = 2019)."""
        return self.first.year

    @property
    def last(self) -> date | None:
        """The era's last day: the day before the next era's first; None for the current era."""
        later = [e.first for e in ERAS if e.first > self.first]
        return min(later) - timedelta(days=1) if later else None

    @property
    def convertible_first(self) -> date:
        """The first day of the era that converts to a Gregorian date (明治: 1873-01-01)."""
        return max(self.first, CONVERTIBLE_FROM)

    def western_year(self, era_year: int) -> int:
        """西暦 of an era year: 令和8 → 2026, 令和1 (元年) → 2019."""
        return self.year_one + era_year - 1


#: The eras the documents and workbooks can meet, oldest first.
ERAS: tuple[Era, ...] = (
    Era("明治", "M", date(1868, 1, 25),
        "改元の詔（明治元年9月8日）: 慶応4年1月1日（1868-01-25）に遡って明治元年"),
    Era("大正", "T", date(1912, 7, 30), "改元ノ詔書（明治45年7月30日）"),
    Era("昭和", "S", date(1926, 12, 25), "改元ノ詔書（大正15年12月25日）"),
    Era("平成", "H", date(1989, 1, 8), "元号を改める政令（昭和64年政令第1号、元号法に基づく）"),
    Era("令和", "R", date(2019, 5, 1), "元号を改める政令（平成31年政令第143号、元号法に基づく）"),
)

#: 明治6年1月1日: Japan's first Gregorian day (改暦ノ布告, 明治5年太政官布告第337号).
CONVERTIBLE_FROM = date(1873, 1, 1)

_BY_TOKEN = {token: era for era in ERAS for token in (era.name, era.letter)}


def era_by_token(token: str) -> Era:
    """The era named 令和 or R (upper-case initial); KeyError for anything else."""
    return _BY_TOKEN[token]


def tokens() -> tuple[str, ...]:
    """Every way a workbook may name an era: 明治 … 令和 and M T S H R."""
    return tuple(_BY_TOKEN)


def era_of(day: date) -> tuple[Era, int]:
    """The era and era year of a Gregorian day: 2026-11-30 → (令和, 8).

    ValueError before 1873-01-01 (``CONVERTIBLE_FROM``): such a 明治 date was lunisolar.
    """
    if day < CONVERTIBLE_FROM:
        raise ValueError(f"{day.isoformat()} は和暦に換算できません（明治6年より前）")
    era = next(e for e in reversed(ERAS) if day >= e.first)
    return era, day.year - era.year_one + 1


def date_text(day: date) -> str:
    """A date in a staff message, in 西暦 (the workbook's own form): 2027-01-29 → "2027年1月29日".

    The documents print 和暦 (``documents.format.wareki``); messages about a cell quote the date
    the way staff most often type it.
    """
    return f"{day.year}年{day.month}月{day.day}日"
