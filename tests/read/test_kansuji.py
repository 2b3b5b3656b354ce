"""Input as staff type it (issue 15, item 6): 漢数字 and 大字 amounts and dates, a weekday after a
date, ¥14,000,000-; and for the rest a refusal that names the part not understood.

Through the public parsers of pipeline/read/values.py (the cells' path), plus pipeline/read/kansuji.py
where a detail is its own. The property tests write numbers and dates in 漢数字 with a converter of
their own (below), independent of the reader, and read them back.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from factory import ROWS, write_case
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.eras import era_of
from pipeline.read.validate import load_case
from pipeline.read.values import BadValue, parse_date, parse_integer, parse_year_month, parse_yen

DIGITS = "〇一二三四五六七八九"
WEEKDAYS = "月火水木金土日"
#: The 大字 of contracts and receipts (as 法務局 and banks write them), for the converter below.
DAIJI = str.maketrans({"一": "壱", "二": "弐", "三": "参", "十": "拾", "万": "萬"})


def _below_10000(n: int, drop_one: bool) -> str:
    """1..9999 with 千百十: 1400 → 千四百 (drop_one) or 一千四百."""
    out = []
    for unit, mark in ((1000, "千"), (100, "百"), (10, "十")):
        digit, n = divmod(n, unit)
        if digit:
            out.append(("" if digit == 1 and drop_one else DIGITS[digit]) + mark)
    if n:
        out.append(DIGITS[n])
    return "".join(out)


def kansuji(n: int, drop_one: bool = True) -> str:
    """An integer in 漢数字 with units: 14005000 → 千四百万五千 / 一千四百万五千."""
    if n == 0:
        return "〇"
    out = []
    for unit, mark in ((10**12, "兆"), (10**8, "億"), (10**4, "万"), (1, "")):
        group, n = divmod(n, unit)
        if group:
            out.append(_below_10000(group, drop_one) + mark)
    return "".join(out)


def positional(n: int) -> str:
    """Digit by digit, as vertical writing does: 2026 → 二〇二六."""
    return "".join(DIGITS[int(d)] for d in str(n))


def _code_and_detail(parse, value) -> tuple[str, str]:
    with pytest.raises(BadValue) as info:
        parse(value)
    assert info.value.expected
    return info.value.code, info.value.detail


# --- amounts: explicit --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "yen"), [
    ("一千四百万円", 14_000_000),
    ("千四百万円", 14_000_000),
    ("一千四百万", 14_000_000),
    ("金壱千四百萬円", 14_000_000),
    ("金壱千四百萬円也", 14_000_000),
    ("金壹阡肆佰萬圓也", 14_000_000),  # the older 大字 and 圓
    ("金一千四百万円整", 14_000_000),
    ("一四〇〇万円", 14_000_000),  # digit by digit, as vertical writing does
    ("一四○○万円", 14_000_000),  # ○ (まる) typed for 〇 inside a number
    ("一億二千万円", 120_000_000),
    ("一億二千万五千円", 120_005_000),
    ("三千万円", 30_000_000),
    ("3千万円", 30_000_000),  # Arabic digits with 千: as newspapers write it
    ("1億5千万円", 150_000_000),
    ("千4百万円", 14_000_000),  # no 漢数字 digit: only Arabic digits and units
    ("1,400万5,000円", 14_005_000),
    ("1400万5000円", 14_005_000),
    ("十万円", 100_000),
    ("一十万円", 100_000),  # 一十 = 十
    ("拾萬円", 100_000),
    ("百円", 100),
    ("二十三円", 23),
    ("千五円", 1_005),
    ("〇円", 0),
    ("零円", 0),
    ("一兆円", 10**12),
    ("九百九十九兆九千九百九十九億九千九百九十九万九千九百九十九円", 10**15 - 1),
    ("¥14,000,000-", 14_000_000),  # the line after an amount on a receipt
    ("￥14,000,000－", 14_000_000),
    ("¥14,000,000ー", 14_000_000),  # ー: what a Japanese IME types for that line
    ("¥ 14,000,000 -", 14_000_000),
    ("金14,000,000円", 14_000_000),
    ("金14,000,000円也", 14_000_000),
    ("金14,000,000-", 14_000_000),
    ("金 １４，０００，０００円也", 14_000_000),
])
def test_amount_as_staff_type_it(text, yen):
    result = parse_yen(text)
    assert result == yen and type(result) is int


@pytest.mark.parametrize(("text", "code", "detail"), [
    ("万円", "yen_invalid", "「万」の前に数がありません"),
    ("億万円", "yen_invalid", "「億」の前に数がありません"),
    ("一億5000万円", "yen_invalid", "混ざっています"),  # Arabic and 漢数字 digits in one number
    ("1四00万円", "yen_invalid", "混ざっています"),
    ("1千四百万円", "yen_invalid", "混ざっています"),
    ("二五百万円", "yen_invalid", "「二五百」"),  # several digits before 百
    ("〇百円", "yen_invalid", "「〇百」"),
    ("千二五円", "yen_invalid", "位取り"),  # digit by digit after 千
    ("百千円", "yen_invalid", "「百千」の位取り"),
    ("十十円", "yen_invalid", "位取り"),
    ("一万一億円", "yen_invalid", "位取り"),
    ("1億12000万", "yen_invalid", "「12000万」の位取り"),
    ("1400万円くらい", "yen_invalid", "「くらい」が分かりません"),
    ("約1400万円", "yen_invalid", "「約」が分かりません"),
    ("1400万円+税", "yen_invalid", "「+税」が分かりません"),
    ("14,000,000-", "yen_invalid", "¥ か 金"),  # a bare trailing minus: negative in accounting
    ("14,000,000円-", "yen_invalid", "「-」が分かりません"),
    ("1,4,00円", "yen_invalid", "「1,4,00」のカンマ"),
    ("1,2OO万円", "yen_invalid", "「OO」が分かりません"),  # the letters, not the comma
    ("○円", "yen_invalid", "「○」が分かりません"),  # a lone circle is a check mark, not 0
    ("円", "yen_invalid", "数字がありません"),
    ("金", "yen_invalid", "数字がありません"),
    ("千兆円", "yen_invalid", "大きすぎます"),
    ("一" * 21 + "円", "yen_invalid", "桁数が多すぎます"),
    ("△一千万円", "yen_negative", ""),
    ("-¥14,000,000-", "yen_negative", ""),
    ("金一・五万円", "yen_invalid", "「・」が分かりません"),
])
def test_amount_refused_naming_the_part(text, code, detail):
    got_code, got_detail = _code_and_detail(parse_yen, text)
    assert got_code == code
    assert detail in got_detail and (got_detail or not detail)


# --- amounts: properties ------------------------------------------------------------------------

AMOUNTS = st.integers(min_value=0, max_value=10**15 - 1)


@settings(max_examples=300, deadline=None)
@given(AMOUNTS, st.booleans(), st.booleans(),
       st.sampled_from(["{}", "{}円", "金{}円", "金{}円也", "金{}円整"]))
def test_kansuji_amount_round_trips(yen, drop_one, daiji, dress):
    text = kansuji(yen, drop_one)
    if daiji:
        text = text.translate(DAIJI)
    assert parse_yen(dress.format(text)) == yen


@settings(max_examples=200, deadline=None)
@given(AMOUNTS)
def test_digit_by_digit_amount_round_trips(yen):
    assert parse_yen(positional(yen) + "円") == yen
    high, low = divmod(yen, 10**4)
    if high:  # 一四〇〇万五〇〇〇円
        assert parse_yen(f"{positional(high)}万{positional(low) if low else ''}円") == yen


@settings(max_examples=200, deadline=None)
@given(AMOUNTS, st.booleans())
def test_arabic_with_man_and_receipt_forms_round_trip(yen, commas):
    high, low = divmod(yen, 10**4)
    number = (lambda n: f"{n:,}") if commas else str
    text = (f"{number(high)}万" if high else "") + (number(low) if low or not high else "")
    assert parse_yen(text + "円") == yen
    assert parse_yen(f"¥{yen:,}-") == parse_yen(f"金{yen:,}円也") == yen


# --- dates --------------------------------------------------------------------------------------

NOV30 = dt.date(2026, 11, 30)


@pytest.mark.parametrize(("text", "day"), [
    ("令和八年十一月三十日", NOV30),
    ("令和８年十一月三十日", NOV30),
    ("令和八年拾壱月参拾日", NOV30),
    ("二〇二六年十一月三十日", NOV30),
    ("二〇二六年一一月三〇日", NOV30),
    ("二千二十六年十一月三十日", NOV30),
    ("令和元年五月一日", dt.date(2019, 5, 1)),
    ("平成三十一年四月三十日", dt.date(2019, 4, 30)),
    ("2027年2月26日(金)", dt.date(2027, 2, 26)),
    ("2027年2月26日（金）", dt.date(2027, 2, 26)),
    ("２０２７年２月２６日（金）", dt.date(2027, 2, 26)),
    ("2027年2月26日（金曜日）", dt.date(2027, 2, 26)),
    ("2027年2月26日(金曜)", dt.date(2027, 2, 26)),
    ("2027年2月26日 金曜日", dt.date(2027, 2, 26)),
    ("2027/2/26(金)", dt.date(2027, 2, 26)),
    ("R9.2.26(金)", dt.date(2027, 2, 26)),
    ("令和九年二月二十六日（金）", dt.date(2027, 2, 26)),
    ("2027年2月28日(日)", dt.date(2027, 2, 28)),  # 日 the weekday after 日 the day
    ("2027年2月26日㈮", dt.date(2027, 2, 26)),  # the one-character (金) of Japanese fonts
])
def test_date_as_staff_type_it(text, day):
    assert parse_date(text) == day


@pytest.mark.parametrize(("text", "code", "detail"), [
    ("令和八年二月三十日", "date_impossible", ""),
    ("令和元年四月一日", "era_out_of_range", ""),
    ("平成三十一年五月一日", "era_out_of_range", ""),
    ("2027年2月26日(木)", "weekday_mismatch", "2027年2月26日は金曜日です"),
    ("令和九年二月二十六日(月曜日)", "weekday_mismatch", "金曜日"),
    ("2027年2月26日ごろ", "date_invalid", "「ごろ」が分かりません"),
    ("2027年2月26日(金・祝)", "date_invalid", "「(金・祝)」が分かりません"),
    ("来月末", "date_invalid", "「来」「末」が分かりません"),
    ("令和○年○月○日", "date_invalid", "「○」が分かりません"),  # a blank form's placeholder
    ("令和8年十1月30日", "date_invalid", "「十1」"),  # which digits go together is a guess
    ("令和八年百月三十日", "date_invalid", ""),  # a 3-digit month
    ("十一月三十日(月)", "date_no_year", ""),
])
def test_date_refused_naming_the_part(text, code, detail):
    got_code, got_detail = _code_and_detail(parse_date, text)
    assert got_code == code
    assert detail in got_detail and (got_detail or not detail)


@pytest.mark.parametrize(("text", "month"), [
    ("令和九年二月", dt.date(2027, 2, 1)),
    ("二〇二七年二月", dt.date(2027, 2, 1)),
    ("令和九年二月二十六日(金)", dt.date(2027, 2, 1)),
])
def test_year_month_in_kansuji(text, month):
    assert parse_year_month(text) == month


def test_year_month_refusal_names_the_part():
    assert _code_and_detail(parse_year_month, "来年二月") == ("date_invalid", "「来」が分かりません")


WAREKI_DAYS = st.dates(min_value=dt.date(1873, 1, 1), max_value=dt.date(2100, 12, 31))


def wareki_kansuji(day: dt.date, style) -> str:
    era, year = era_of(day)
    era_year = "元" if year == 1 else style(year)
    return f"{era.name}{era_year}年{style(day.month)}月{style(day.day)}日"


@settings(max_examples=300, deadline=None)
@given(WAREKI_DAYS, st.sampled_from([kansuji, positional]),
       st.sampled_from(["", "({})", "（{}）", "({}曜日)", "{}曜日"]))
def test_kansuji_date_with_weekday_round_trips(day, style, weekday):
    text = wareki_kansuji(day, style) + weekday.format(WEEKDAYS[day.weekday()])
    assert parse_date(text) == day


@settings(max_examples=100, deadline=None)
@given(WAREKI_DAYS, st.integers(min_value=1, max_value=6))
def test_a_wrong_weekday_is_refused(day, shift):
    wrong = WEEKDAYS[(day.weekday() + shift) % 7]
    with pytest.raises(BadValue) as info:
        parse_date(f"{day.year}年{day.month}月{day.day}日({wrong})")
    assert info.value.code == "weekday_mismatch"


# --- counts -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "number"), [("三ヶ月", 3), ("十二か月", 12), ("四十五歳", 45),
                                              ("一番", 1)])
def test_count_in_kansuji(text, number):
    assert parse_integer(text) == number


# --- the message at the cell --------------------------------------------------------------------

def test_the_cell_message_names_the_part_not_understood(tmp_path):
    rows = {"債権者": [{**ROWS["債権者"][0], "元金残高": "1950万円くらい"}, *ROWS["債権者"][1:]]}
    case, issues = load_case(write_case(tmp_path, rows=rows))
    assert case is None
    [issue] = [i for i in issues if i.triple == ("債権者", "D2", "yen_invalid")]
    assert issue.message == ("元金残高「1950万円くらい」を読めません（「くらい」が分かりません）。"
                             "金額（例: 14,000,000 / 1400万円）で入力してください")
    assert issue.raw == "1950万円くらい"


def test_kansuji_values_fill_the_case(tmp_path):
    case, issues = load_case(write_case(tmp_path, case={"売却価格": "金壱千四百萬円也",
                                                        "決済予定日": "令和八年十一月三十日（月）"}))
    assert issues == []
    assert case.sale_price == 14_000_000 and case.settlement_date == NOV30


@pytest.mark.parametrize("text", ["1400万円くらい", "-1,000", "1000.5"])
def test_the_examples_of_a_refusal_agree(text):
    """「例: A / B」 in a message means A equals B (it once paired 1,400,000 with 1400万円)."""
    with pytest.raises(BadValue) as info:
        parse_yen(text)
    examples = re.search(r"例: ([^）]+)", info.value.expected).group(1).split(" / ")
    assert len(examples) == 2 and len({parse_yen(e) for e in examples}) == 1
