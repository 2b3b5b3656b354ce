"""The one 元号 table (pipeline/eras.py): reading and printing 和暦 agree at every boundary."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.documents.format import wareki, wareki_month
from pipeline.eras import CONVERTIBLE_FROM, ERAS, era_by_token, era_of
from pipeline.read.values import BadValue, parse_date, parse_year_month

PIPELINE = Path(__file__).resolve().parents[1] / "pipeline"

#: Each era's first day as the 改元 set it (Gregorian), the facts the table must hold.
FIRST_DAYS = {"明治": date(1868, 1, 25), "大正": date(1912, 7, 30), "昭和": date(1926, 12, 25),
              "平成": date(1989, 1, 8), "令和": date(2019, 5, 1)}


def test_the_table_holds_each_era_from_its_first_day_with_its_source():
    assert {e.name: e.first for e in ERAS} == FIRST_DAYS
    assert [e.letter for e in ERAS] == ["M", "T", "S", "H", "R"]
    assert all(e.source for e in ERAS)
    assert era_by_token("令和").last is None
    assert era_by_token("平成").last == date(2019, 4, 30)
    assert era_by_token("明治").last == date(1912, 7, 29)
    assert CONVERTIBLE_FROM == date(1873, 1, 1)  # 明治6年1月1日, the first Gregorian day


BOUNDARIES = [e.first for e in ERAS[1:]] + [e.first - timedelta(days=1) for e in ERAS[1:]]


@pytest.mark.parametrize("day", BOUNDARIES + [CONVERTIBLE_FROM, date(2026, 11, 30)],
                         ids=str)
def test_a_boundary_day_prints_and_reads_back_the_same(day):
    printed = wareki(day)
    assert parse_date(printed) == day
    era, year = era_of(day)
    assert parse_date(f"{era.letter}{year}.{day.month}.{day.day}") == day
    assert parse_year_month(wareki_month(day)) == day.replace(day=1)


@pytest.mark.parametrize(("day", "text"), [
    (date(2019, 5, 1), "令和元年5月1日"), (date(2019, 4, 30), "平成31年4月30日"),
    (date(1989, 1, 8), "平成元年1月8日"), (date(1989, 1, 7), "昭和64年1月7日"),
    (date(1926, 12, 25), "昭和元年12月25日"), (date(1926, 12, 24), "大正15年12月24日"),
    (date(1912, 7, 30), "大正元年7月30日"), (date(1912, 7, 29), "明治45年7月29日"),
    (date(1873, 1, 1), "明治6年1月1日"),
])
def test_boundary_wording(day, text):
    assert wareki(day) == text
    assert parse_date(text) == day


def test_lunisolar_meiji_is_refused_both_ways():
    """Before 明治6年1月1日 a 明治 date is not the Gregorian date its numbers suggest."""
    with pytest.raises(ValueError):
        wareki(date(1872, 12, 31))
    with pytest.raises(BadValue) as bad:
        parse_date("明治5年12月2日")
    assert bad.value.code == "era_out_of_range"
    assert "旧暦" in bad.value.expected and "1873年1月1日" in bad.value.expected
    with pytest.raises(BadValue):
        parse_date("明治元年1月25日")  # 明治's first day, but in the old calendar


def test_no_other_module_holds_an_era_table():
    """An era boundary written anywhere but pipeline/eras.py is a second table."""
    firsts = [rf"\b{d.year},\s*0?{d.month},\s*0?{d.day}\b" for d in FIRST_DAYS.values()]
    found = [str(p.relative_to(PIPELINE)) for p in PIPELINE.rglob("*.py")
             if p.name != "eras.py" and any(re.search(f, p.read_text("utf-8")) for f in firsts)]
    assert found == []
