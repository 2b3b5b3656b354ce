"""Cell value parsers (pipeline/read/values.py) against the "Value formats" table of
docs/workbook.md: every accepted form gives the exact value, every rejected form the code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.read.values import (
    BadValue,
    is_blank,
    normalize_label,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_percent,
    parse_text,
    parse_year_month,
    parse_yen,
    raw_text,
)


def _code(parse, *args) -> str:
    with pytest.raises(BadValue) as info:
        parse(*args)
    assert info.value.expected  # every error tells staff what is expected
    return info.value.code


# --- blank / raw text / labels ------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", " \u3000\t\n", "\u200b"])
def test_blank(value):
    assert is_blank(value)


@pytest.mark.parametrize("value", [0, 0.0, False, "0", "x", " a ", dt.date(2026, 1, 1)])
def test_not_blank(value):
    assert not is_blank(value)


@pytest.mark.parametrize(("value", "text"), [
    (None, ""),
    (1400000.0, "1400000"),
    (1400000, "1400000"),
    (274.65999999999997, "274.66"),  # as Excel shows it: 15 significant digits
    (0.1 + 0.2, "0.3"),
    (-0.0, "0"),
    (True, "TRUE"),
    (dt.datetime(2026, 11, 30), "2026-11-30"),
    (dt.datetime(2026, 11, 30, 9, 5), "2026-11-30 09:05:00"),
    (dt.date(2026, 11, 30), "2026-11-30"),
    (dt.time(9, 5), "09:05:00"),
    (" 1,2OO万 ", " 1,2OO万 "),  # text verbatim, for the message
])
def test_raw_text(value, text):
    assert raw_text(value) == text


@pytest.mark.parametrize(("label", "folded"), [
    ("債権者名", "債権者名"),
    (" 債権者 名\u3000", "債権者名"),
    ("面積(㎡)", "面積(m2)"),
    ("面積（㎡）", "面積(m2)"),
    ("賞与（月額換算）", "賞与(月額換算)"),
    ("交通費･車両費", "交通費・車両費"),
    ("ＪＨＦ", "JHF"),
])
def test_normalize_label(label, folded):
    assert normalize_label(label) == folded


# --- yen ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "yen"), [
    (1400000, 1400000),
    (1400000.0, 1400000),
    (1400000.0000000002, 1400000),  # Excel float noise
    (13999999.999999998, 14000000),
    (0, 0),
    (-0.0, 0),
    ("1400000", 1400000),
    ("1,400,000", 1400000),
    ("1,400,000円", 1400000),
    ("¥1,400,000", 1400000),
    ("￥1,400,000", 1400000),
    ("\\1,400,000", 1400000),  # ¥ key on a Japanese keyboard
    ("1400万", 14000000),
    ("1,400万円", 14000000),
    ("1400.5万円", 14005000),
    ("1.5万", 15000),
    ("１，４００万円", 14000000),
    ("１４００万", 14000000),
    ("１，４００，０００円", 1400000),
    (" 1,400,000 円 ", 1400000),
    ("1,400,000.00", 1400000),
    ("1億2000万円", 120000000),
    ("1億", 100000000),
    ("2.5億円", 250000000),
    ("1億2,000万5,000円", 120005000),
    ("1400万5000円", 14005000),
    ("1,400千円", 1400000),
    ("5千円", 5000),
    ("+1000", 1000),
    ("百万円", 1000000),  # 漢数字: more in tests/read/test_kansuji.py
])
def test_yen_accepted(value, yen):
    result = parse_yen(value)
    assert result == yen and type(result) is int


@pytest.mark.parametrize(("value", "code"), [
    (-1, "yen_negative"),
    (-1400000.0, "yen_negative"),
    ("-1,000", "yen_negative"),
    ("−1,000", "yen_negative"),
    ("△1,000", "yen_negative"),
    ("▲1,000円", "yen_negative"),
    ("-1400万", "yen_negative"),
    ("¥-1,000", "yen_negative"),
    (1000.5, "yen_fraction"),
    (274.65999999999997, "yen_fraction"),
    ("1000.5", "yen_fraction"),
    ("1.23456万", "yen_fraction"),
    ("1,2OO万", "yen_invalid"),  # letter O
    ("1,4,00", "yen_invalid"),
    ("14,00", "yen_invalid"),
    ("1,4000", "yen_invalid"),
    ("1億12000万", "yen_invalid"),  # 万 part must be below 1億
    ("1400万12000円", "yen_invalid"),
    ("万円", "yen_invalid"),
    ("円", "yen_invalid"),
    ("¥", "yen_invalid"),
    ("1400万円くらい", "yen_invalid"),
    ("1e6", "yen_invalid"),
    ("=SUM(B1:B3)", "yen_invalid"),
    ("9" * 30, "yen_invalid"),
    (10**15, "yen_invalid"),
    (1e300, "yen_invalid"),
    (float("nan"), "yen_invalid"),
    (float("inf"), "yen_invalid"),
    (None, "yen_invalid"),
    ("", "yen_invalid"),
    ("\u3000", "yen_invalid"),
    (True, "yen_invalid"),
    (False, "yen_invalid"),
    (dt.date(2026, 1, 1), "yen_invalid"),
    (dt.datetime(2026, 1, 1), "yen_invalid"),
    (dt.time(1, 0), "yen_invalid"),
])
def test_yen_rejected(value, code):
    assert _code(parse_yen, value) == code


# --- date ---------------------------------------------------------------------------------------

NOV30 = dt.date(2026, 11, 30)


@pytest.mark.parametrize(("value", "day"), [
    (dt.date(2026, 11, 30), NOV30),
    (dt.datetime(2026, 11, 30), NOV30),
    (dt.datetime(2026, 11, 30, 17, 45), NOV30),
    ("2026/11/30", NOV30),
    ("2026-11-30", NOV30),
    ("2026.11.30", NOV30),
    ("2026年11月30日", NOV30),
    ("2026年11月30", NOV30),
    ("2026 年 11 月 30 日", NOV30),
    ("令和8年11月30日", NOV30),
    ("R8.11.30", NOV30),
    ("R8/11/30", NOV30),
    ("R08.11.30", NOV30),
    ("r8.11.30", NOV30),
    ("令和8.11.30", NOV30),
    ("２０２６／１１／３０", NOV30),
    ("令和８年１１月３０日", NOV30),
    ("Ｒ８．１１．３０", NOV30),
    ("㋿8年11月30日", NOV30),
    ("2026/1/5", dt.date(2026, 1, 5)),
    ("令和元年5月1日", dt.date(2019, 5, 1)),
    ("R元.5.1", dt.date(2019, 5, 1)),
    ("令和2年2月29日", dt.date(2020, 2, 29)),
    ("平成31年4月30日", dt.date(2019, 4, 30)),
    ("H31.4.30", dt.date(2019, 4, 30)),
    ("平成元年1月8日", dt.date(1989, 1, 8)),
    ("㍻元年1月8日", dt.date(1989, 1, 8)),
    ("昭和64年1月7日", dt.date(1989, 1, 7)),
    ("S64.1.7", dt.date(1989, 1, 7)),
    ("昭和元年12月25日", dt.date(1926, 12, 25)),
    ("大正15年12月24日", dt.date(1926, 12, 24)),
    ("大正元年7月30日", dt.date(1912, 7, 30)),
    ("T1.7.30", dt.date(1912, 7, 30)),
    ("明治45年7月29日", dt.date(1912, 7, 29)),
    ("明治6年1月1日", dt.date(1873, 1, 1)),  # first Gregorian day: our 明治 lower bound
    ("令和八年十一月三十日", NOV30),  # 漢数字: more in tests/read/test_kansuji.py
    ("M6.1.1", dt.date(1873, 1, 1)),
])
def test_date_accepted(value, day):
    result = parse_date(value)
    assert result == day and type(result) is dt.date


@pytest.mark.parametrize(("value", "code"), [
    ("令和8年2月30日", "date_impossible"),
    ("2026/2/30", "date_impossible"),
    ("2026/13/1", "date_impossible"),
    ("2026-00-10", "date_impossible"),
    ("令和7年2月29日", "date_impossible"),
    ("R8.11.31", "date_impossible"),
    ("令和元年4月1日", "era_out_of_range"),  # before 令和
    ("令和元年4月30日", "era_out_of_range"),
    ("令和0年12月1日", "era_out_of_range"),
    ("平成31年5月1日", "era_out_of_range"),  # after 平成 ended
    ("H32.1.1", "era_out_of_range"),
    ("平成元年1月7日", "era_out_of_range"),
    ("昭和64年1月8日", "era_out_of_range"),
    ("昭和元年12月24日", "era_out_of_range"),
    ("大正15年12月25日", "era_out_of_range"),
    ("大正元年7月29日", "era_out_of_range"),
    ("明治45年7月30日", "era_out_of_range"),
    ("明治5年12月2日", "era_out_of_range"),  # lunisolar calendar: not convertible
    ("明治元年1月25日", "era_out_of_range"),
    ("11/30", "date_no_year"),
    ("11月30日", "date_no_year"),
    ("１１／３０", "date_no_year"),
    ("26/11/30", "date_invalid"),
    ("2026/11-30", "date_invalid"),
    ("2026/11", "date_invalid"),
    ("X8.11.30", "date_invalid"),
    ("来月末", "date_invalid"),
    ("20261130", "date_invalid"),
    (46000, "date_invalid"),  # Excel serial in a General cell: refused, see parse_date
    (46000.0, "date_invalid"),
    (True, "date_invalid"),
    (dt.time(10, 0), "date_invalid"),
    (None, "date_invalid"),
    ("", "date_invalid"),
])
def test_date_rejected(value, code):
    assert _code(parse_date, value) == code


# --- year-month ---------------------------------------------------------------------------------

FEB = dt.date(2027, 2, 1)


@pytest.mark.parametrize(("value", "month"), [
    (dt.date(2027, 2, 17), FEB),
    (dt.datetime(2027, 2, 28, 12, 0), FEB),
    ("2027年2月", FEB),
    ("令和9年2月", FEB),
    ("2027-02", FEB),
    ("2027/02", FEB),
    ("2027/2", FEB),
    ("R9.2", FEB),
    ("R9/2", FEB),
    ("２０２７年２月", FEB),
    ("2027/2/15", FEB),
    ("令和9年2月15日", FEB),
    ("令和元年5月", dt.date(2019, 5, 1)),
    ("平成31年4月", dt.date(2019, 4, 1)),
    ("昭和64年1月", dt.date(1989, 1, 1)),  # 昭和 ended 1989-01-07: the month overlaps it
    ("平成元年1月", dt.date(1989, 1, 1)),
])
def test_year_month_accepted(value, month):
    result = parse_year_month(value)
    assert result == month and type(result) is dt.date


@pytest.mark.parametrize(("value", "code"), [
    ("2027年13月", "date_impossible"),
    ("2027-00", "date_impossible"),
    ("令和元年4月", "era_out_of_range"),
    ("平成31年5月", "era_out_of_range"),
    ("平成31年4月31日", "date_impossible"),
    ("2月", "date_no_year"),
    ("2/15", "date_no_year"),
    ("27/02", "date_invalid"),
    ("来年2月", "date_invalid"),
    (202702, "date_invalid"),
    (None, "date_invalid"),
])
def test_year_month_rejected(value, code):
    assert _code(parse_year_month, value) == code


# --- percent ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "number_format", "percent"), [
    ("14.6%", "General", "14.6"),
    ("14.6％", "General", "14.6"),
    ("１４．６％", "General", "14.6"),
    ("14.6", "General", "14.6"),
    (" 14.60 % ", "General", "14.6"),
    ("年14.6%", "General", "14.6"),
    ("年率14.6%", "General", "14.6"),
    (".5%", "General", "0.5"),
    ("0%", "General", "0"),
    ("100%", "General", "100"),
    (14.6, "General", "14.6"),
    (14, "General", "14"),
    (0, "General", "0"),
    (0.146, "0.0%", "14.6"),
    (0.146, "0%", "14.6"),
    (0.14600000000000002, "0.00%", "14.6"),  # float noise from a formula
    (0.07, "0.00%", "7"),
    (1, "0%", "100"),
    (0.146, "General", "0.146"),  # a plain number is already in percent
    (14.6, '0.0"%"', "14.6"),  # quoted % is a literal: Excel does not multiply
    (14.6, "0.0\\%", "14.6"),  # escaped % likewise
    ("14.6%", "0.0%", "14.6"),  # text is read as typed, whatever the format
    (14.6, None, "14.6"),
])
def test_percent_accepted(value, number_format, percent):
    result = parse_percent(value, number_format)
    assert result == Decimal(percent)
    assert str(result) == percent  # one spelling: no trailing zeros, no exponent


@pytest.mark.parametrize(("value", "number_format", "code"), [
    ("-5%", "General", "percent_out_of_range"),
    ("△5%", "General", "percent_out_of_range"),
    (-0.5, "General", "percent_out_of_range"),
    (-0.001, "0.0%", "percent_out_of_range"),
    ("100.1%", "General", "percent_out_of_range"),
    (146, "General", "percent_out_of_range"),
    (1.46, "0.0%", "percent_out_of_range"),
    (1e300, "General", "percent_out_of_range"),
    ("14,6%", "General", "percent_invalid"),
    ("14.6%%", "General", "percent_invalid"),
    ("十四%", "General", "percent_invalid"),
    ("%", "General", "percent_invalid"),
    ("", "General", "percent_invalid"),
    (None, "General", "percent_invalid"),
    (True, "0%", "percent_invalid"),
    (float("nan"), "General", "percent_invalid"),
    (dt.date(2026, 1, 1), "General", "percent_invalid"),
])
def test_percent_rejected(value, number_format, code):
    assert _code(parse_percent, value, number_format) == code


# --- integer ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "number"), [
    (3, 3),
    (3.0, 3),
    (2.9999999999999996, 3),
    ("3", 3),
    ("３", 3),
    (" 12 ", 12),
    ("1,200", 1200),
    ("3.0", 3),
    ("3ヶ月", 3),
    ("3か月", 3),
    ("３カ月", 3),
    ("45歳", 45),
    ("1番", 1),
    ("-1", -1),  # ranges (順位 ≥ 1) are the model's rule
    ("三", 3),
    ("三ヶ月", 3),
    ("四十五歳", 45),
])
def test_integer_accepted(value, number):
    result = parse_integer(value)
    assert result == number and type(result) is int


@pytest.mark.parametrize("value", [
    3.5, "3.5", "3ヶ月半", "1十", "1,2,3", "¥3", "3円", "", None, True,
    float("inf"), 1e300, "9" * 30, dt.date(2026, 1, 1),
])
def test_integer_rejected(value):
    assert _code(parse_integer, value) == "integer_invalid"


# --- decimal (面積) -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "places", "number"), [
    (65.12, 2, "65.12"),
    (65.12 + 1e-12, 2, "65.12"),  # float noise from a formula
    (65.1, 2, "65.10"),
    (65, 2, "65.00"),
    ("65.12", 2, "65.12"),
    ("６５．１２", 2, "65.12"),
    ("65.12㎡", 2, "65.12"),
    ("65.12m²", 2, "65.12"),
    ("65.12 m2", 2, "65.12"),
    ("1,234.5", 2, "1234.50"),
    ("65.1200", 2, "65.12"),
    ("123.456", 3, "123.456"),
    ("120", 0, "120"),
])
def test_decimal_accepted(value, places, number):
    assert str(parse_decimal(value, places)) == number


@pytest.mark.parametrize(("value", "places"), [
    (65.123, 2), ("65.123", 2), ("-65.12", 2), (-1, 2), ("六十五", 2), ("65.12坪", 2),
    ("", 2), (None, 2), (True, 2), (float("nan"), 2), (1e300, 2), (dt.date(2026, 1, 1), 2),
])
def test_decimal_rejected(value, places):
    assert _code(parse_decimal, value, places) == "number_invalid"


# --- choice -------------------------------------------------------------------------------------

KINDS = ("マンション", "戸建", "土地")


@pytest.mark.parametrize(("value", "choices", "word"), [
    ("戸建", KINDS, "戸建"),
    (" 戸建\u3000", KINDS, "戸建"),
    ("ﾏﾝｼｮﾝ", KINDS, "マンション"),
    ("jhf", ("standard", "jhf"), "jhf"),
    ("ＪＨＦ", ("standard", "jhf"), "jhf"),
    ("Standard", ("standard", "jhf"), "standard"),
    ("賞与(月額換算)", ("給与", "賞与(月額換算)"), "賞与(月額換算)"),
    ("賞与（月額換算）", ("給与", "賞与(月額換算)"), "賞与(月額換算)"),
    ("交通費･車両費", ("交通費・車両費",), "交通費・車両費"),
])
def test_choice_accepted(value, choices, word):
    assert parse_choice(value, choices) == word


@pytest.mark.parametrize("value", ["一戸建て", "", None, "マンション戸建", 1, True])
def test_choice_rejected(value):
    assert _code(parse_choice, value, KINDS) == "choice_invalid"


def test_choice_error_lists_the_words():
    with pytest.raises(BadValue) as info:
        parse_choice("有", ("あり", "なし"))
    assert "あり／なし" in info.value.expected


# --- text ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "text"), [
    ("髙橋 﨑子 𠮷田", "髙橋 﨑子 𠮷田"),  # no NFKC on names: variant kanji survive
    ("  ＡＢＣ商事\u3000", "ＡＢＣ商事"),  # full width kept, only surrounding spaces go
    ("ﾔﾏﾀﾞ ﾀﾛｳ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
    ("{{ x }}", "{{ x }}"),
    ("<b>A&B</b>", "<b>A&B</b>"),
    ('=HYPERLINK("http://x")', '=HYPERLINK("http://x")'),
    ("東京都\n千代田区", "東京都\n千代田区"),
    (5.0, "5"),
    (5, "5"),
    (1.5, "1.5"),
    (312345678, "312345678"),
    (None, ""),
    (dt.date(2026, 1, 2), "2026-01-02"),
])
def test_text(value, text):
    assert parse_text(value) == text


# --- any input: a value or BadValue, never another exception ------------------------------------

CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(alphabet="0123456789０１２３,，.．%％¥￥円万億千年月日元/-−△ 　RHSTM令和平成昭和大正明治ヶ月"),
    st.text(alphabet="〇一二三四五六七八九十百千万億兆壱弐参拾萬零○金円也整¥-ー()（）年月日金曜令和元0123,"),
    st.dates(),
    st.datetimes(),
    st.times(),
)

PARSERS = [
    (parse_yen, int),
    (parse_date, dt.date),
    (parse_year_month, dt.date),
    (lambda v: parse_percent(v, "0.0%"), Decimal),
    (lambda v: parse_percent(v, "General"), Decimal),
    (parse_integer, int),
    (parse_decimal, Decimal),
    (lambda v: parse_choice(v, KINDS), str),
    (parse_text, str),
    (raw_text, str),
    (normalize_label, str),
    (is_blank, bool),
]


@settings(max_examples=300, deadline=None)
@given(value=CELL_VALUES)
def test_any_value_parses_or_raises_bad_value(value):
    for parse, kind in PARSERS:
        try:
            result = parse(value)
        except BadValue as exc:
            assert exc.code and exc.expected
            continue
        if kind is bool:
            assert type(result) is bool
        else:  # exact types: a bool is no yen, a datetime is no date
            assert type(result) is kind


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**14))
def test_yen_text_forms_agree(yen):
    assert parse_yen(f"{yen:,}円") == parse_yen(str(yen)) == parse_yen(float(yen)) == yen
    if yen % 10000 == 0:
        assert parse_yen(f"{yen // 10000}万円") == yen


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=100, places=3))
def test_percent_cell_forms_agree(percent):
    as_float = float(percent)
    assert parse_percent(f"{percent}%") == percent
    assert parse_percent(as_float) == percent
    assert parse_percent(as_float / 100, "0.0%") == percent
