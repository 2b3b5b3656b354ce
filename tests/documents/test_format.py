"""Japanese formatting filters (pipeline/documents/format.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.documents.format import (
    FILTERS,
    area,
    clean_text,
    honorific,
    honorific_addressee,
    kin,
    months,
    percent,
    rate,
    ratio,
    safe_filename,
    wareki,
    wareki_month,
    years,
    yen,
    you_word,
)

# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize("n, text", [
    (0, "0円"), (999, "999円"), (1000, "1,000円"), (1234567, "1,234,567円"),
    (-12000, "△12,000円"), (None, "—"),
])
def test_yen(n, text):
    assert yen(n) == text


def test_kin_states_a_price():
    assert kin(14_000_000) == "金14,000,000円"
    assert kin(0) == "金0円"


@pytest.mark.parametrize("bad", [1.5, 1400000.0, True, "1400000", Decimal(5)])
def test_money_filters_refuse_non_int(bad):
    with pytest.raises(TypeError):
        yen(bad)
    with pytest.raises(TypeError):
        kin(bad)


def test_kin_refuses_negative():
    with pytest.raises(ValueError):
        kin(-1)


@given(st.integers(min_value=-10**13, max_value=10**13))
def test_yen_round_trips(n):
    text = yen(n)
    digits = int(text.lstrip("△").removesuffix("円").replace(",", ""))
    assert digits * (-1 if text.startswith("△") else 1) == n


# --- 和暦 -----------------------------------------------------------------------------------


@pytest.mark.parametrize("d, text", [
    (date(2026, 11, 30), "令和8年11月30日"),
    (date(2019, 5, 1), "令和元年5月1日"),
    (date(2019, 12, 31), "令和元年12月31日"),
    (date(2020, 1, 1), "令和2年1月1日"),
    (date(2019, 4, 30), "平成31年4月30日"),
    (date(1989, 1, 8), "平成元年1月8日"),
    (date(1989, 1, 7), "昭和64年1月7日"),
    (date(1926, 12, 25), "昭和元年12月25日"),
    (date(1926, 12, 24), "大正15年12月24日"),
    (date(1912, 7, 30), "大正元年7月30日"),
    (date(1912, 7, 29), "明治45年7月29日"),
    (None, "—"),
])
def test_wareki(d, text):
    assert wareki(d) == text


def test_wareki_refuses_lunisolar_dates():
    with pytest.raises(ValueError):
        wareki(date(1872, 12, 31))


@pytest.mark.parametrize("d, text", [
    (date(2027, 2, 1), "令和9年2月"), (date(2019, 5, 1), "令和元年5月"),
    (date(2019, 4, 1), "平成31年4月"), (None, "—"),
])
def test_wareki_month(d, text):
    assert wareki_month(d) == text


# --- rates, years, months, areas ------------------------------------------------------------


def test_percent_one_decimal():
    assert percent(Decimal("7.0")) == "7.0%"
    assert percent(Decimal(7)) == "7.0%"
    assert percent(Decimal("100.0")) == "100.0%"
    assert percent(None) == "—"


def test_percent_refuses_to_round():
    with pytest.raises(ValueError):
        percent(Decimal("7.05"))


@pytest.mark.parametrize("d, text", [
    (Decimal("14.6"), "14.6%"), (Decimal(14), "14.0%"), (Decimal("14.65"), "14.65%"),
    (Decimal("14.60"), "14.6%"), (Decimal(0), "0.0%"),
])
def test_rate_shows_the_rate_as_entered(d, text):
    assert rate(d) == text


def test_years_and_months():
    assert years(Decimal("20.8")) == "20.8年"
    assert years(None) == "—"
    assert months(250) == "250回"
    assert months(None) == "—"
    with pytest.raises(ValueError):
        years(Decimal("20.83"))


def test_area():
    assert area(Decimal("65.23")) == "65.23㎡"
    assert area(Decimal(120)) == "120.00㎡"
    assert area(Decimal("3120.55")) == "3,120.55㎡"
    assert area(Decimal("1234567.8")) == "1,234,567.80㎡"
    assert area(None) == "—"
    with pytest.raises(ValueError):
        area(Decimal("65.235"))


@pytest.mark.parametrize("d, text", [
    (Decimal("0.30"), "30%"), (Decimal("0.325"), "32.5%"), (Decimal("0.8"), "80%"),
    (Decimal(1), "100%"), (Decimal(0), "0%"), (None, "—"),
])
def test_ratio_prints_every_digit(d, text):
    assert ratio(d) == text


def test_float_rates_refused():
    with pytest.raises(TypeError):
        percent(7.0)


# --- 宛名 ------------------------------------------------------------------------------------


def test_addressee_organisation_gets_onchu():
    assert honorific_addressee("〇〇銀行", "債権管理部", None) == "〇〇銀行 債権管理部 御中"
    assert honorific_addressee("〇〇銀行", None, "") == "〇〇銀行 御中"


def test_addressee_named_officer_gets_sama():
    assert honorific_addressee("〇〇銀行", "債権管理部", "山田太郎") == "〇〇銀行 債権管理部 山田太郎 様"
    assert honorific_addressee("〇〇銀行", "", "山田太郎") == "〇〇銀行 山田太郎 様"


@pytest.mark.parametrize("org, dept, officer", [
    ("〇〇銀行", "債権管理部", "山田太郎様"),
    ("〇〇銀行", "債権管理部", "山田太郎 様"),
    ("〇〇銀行", "債権管理部 御中", "山田太郎"),
    ("〇〇銀行 御中", None, None),
    ("〇〇銀行", "債権管理部御中", None),
    ("〇〇銀行", None, "山田　殿"),
])
def test_addressee_never_both_nor_twice(org, dept, officer):
    text = honorific_addressee(org, dept, officer)
    assert (text.count("御中"), text.count("様")) in ((1, 0), (0, 1))
    assert "殿" not in text
    assert text.endswith(" 様") == bool(officer)


def test_addressee_keeps_bank_names_ending_in_gyo():
    # 「行」 is only rewritten on return envelopes; 銀行 must stay.
    assert honorific_addressee("みずほ銀行", None, None) == "みずほ銀行 御中"


def test_honorific():
    assert honorific("山田") == "様"
    assert honorific(None) == "御中"
    assert honorific("  ") == "御中"


# --- clean_text ------------------------------------------------------------------------------


@pytest.mark.parametrize("s", [
    "髙橋", "山﨑", "𠮷田", "{{ 7*7 }}", "{% if %}", "<b>太字</b>", "A&B", "=HYPERLINK(\"x\")",
    "葛\U000E0100城", "全角　スペース", "①②", "'quoted'",
])
def test_clean_text_keeps_user_text(s):
    assert clean_text(s) == s


def test_clean_text_line_breaks_and_controls():
    assert clean_text("a\r\nb\rc\nd") == "a\nb\nc\nd"
    assert clean_text("a\u2028b") == "a\nb"
    assert clean_text("a\x00b\x07c\x1bd\x7f") == "abcd"
    assert clean_text("a\tb") == "a b"
    assert clean_text("a\ud800b") == "ab"
    assert clean_text(None) == ""
    assert clean_text(12) == "12"


def test_clean_text_drops_invisible_format_characters():
    """Zero-width space, right-to-left override, BOM, soft hyphen: a letter prints what it shows."""
    assert clean_text("見え\u200bない\u202e文字\ufeff") == "見えない文字"
    assert clean_text("A\u00adB\u2066C\u2069") == "ABC"
    assert clean_text("葛\U000E0100城") == "葛\U000E0100城"  # an IVS is part of the name


@given(st.text())
def test_clean_text_leaves_no_controls_but_newlines(s):
    out = clean_text(s)
    assert all(c == "\n" or (ord(c) >= 0x20 and not 0x7F <= ord(c) <= 0x9F) for c in out)
    assert clean_text(out) == out


# --- safe_filename ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, expected", [
    ("../x", "_x"), ("a/b", "a_b"), ("a\\b", "a_b"), ("..", "_"), (".hidden", "hidden"),
    ('A:B*C?"D"<E>|F', "A_B_C__D__E__F"), ("〇〇銀行", "〇〇銀行"), ("髙﨑信用金庫", "髙﨑信用金庫"),
    ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("", "_"), ("名前.", "名前"), ("a\nb", "a b"),
])
def test_safe_filename(name, expected):
    assert safe_filename(name) == expected


def test_safe_filename_limits_length_on_character_boundary():
    name = "株式会社" + "𠮷" * 100
    out = safe_filename(name)
    assert len(out.encode("utf-8")) <= 120
    assert out.startswith("株式会社𠮷")
    assert set(out[4:]) == {"𠮷"}


@given(st.text())
def test_safe_filename_is_always_one_plain_name(s):
    out = safe_filename(s)
    assert out and not set(out) & set('\\/:*?"<>|\n\r\x00')
    assert not out.startswith(".") and len(out.encode("utf-8")) <= 120


# --- 貴〇（宛先の呼び方） -----------------------------------------------------------------------


@pytest.mark.parametrize("name, word", [
    ("東都みらい銀行", "貴行"), ("株式会社みずほ銀行", "貴行"), ("三菱UFJ信託銀行株式会社", "貴行"),
    ("㈱ひばり銀行", "貴行"),
    ("あおば台信用金庫", "貴庫"), ("ひばり信金", "貴庫"),
    ("中央労働金庫", "貴金庫"),
    ("さいたま彩央信用組合", "貴組合"), ("〇〇農業協同組合", "貴組合"), ("ＪＡ東京中央", "貴組合"),
    ("住宅金融支援機構", "貴機構"), ("住宅金融支援機構（旧住宅金融公庫）", "貴機構"),
    ("日本政策金融公庫", "貴公庫"), ("〇〇県信用保証協会", "貴協会"),
    ("みらい信用保証株式会社", "貴社"), ("やまびこ債権回収株式会社", "貴社"),
    ("株式会社ひばり", "貴社"), ("（株）ひばり", "貴社"), ("A&Bファイナンス株式会社", "貴社"),
    ("〇〇サービサー", "貴社"), ("JAPANカード", "貴社"), ("株式会社山田町", "貴社"),
    ("ひばり野市役所", "貴市"), ("〇〇市", "貴市"), ("千代田区", "貴区"), ("〇〇町役場", "貴町"),
    ("〇〇村", "貴村"), ("〇〇県", "貴県"), ("東京都", "貴都"),
    ("ひばり野税務署", "貴署"), ("関東信越国税局", "貴局"), ("東京都主税局", "貴局"),
    ("新宿都税事務所", "貴所"), ("〇〇県税事務所", "貴所"),
    ("", "貴社"), ("〇〇ファイナンス", "貴社"),
])
def test_you_word_by_kind_of_body(name, word):
    assert you_word(name) == word


def test_you_word_reads_the_first_word_that_names_a_kind():
    assert you_word("住宅金融支援機構 首都圏債権管理グループ") == "貴機構"
    assert you_word("髙﨑𠮷信用組合 A&B {{ 7*7 }}") == "貴組合"
    assert you_word("ひばり野市役所\n納税課") == "貴市"


def test_you_word_longest_suffix_wins():
    """市税事務所 is a 事務所 of the city (貴所), 県庁 the prefecture (貴県), not 貴市 / 貴庁."""
    assert you_word("大阪市税事務所") == "貴所"
    assert you_word("〇〇県庁") == "貴県"
    assert you_word("〇〇市役所") == "貴市"


def test_filters_registry():
    assert FILTERS["yen"](1000) == "1,000円"
    assert {"yen", "kin", "wareki", "wareki_month", "percent", "years", "months", "area",
            "you_word"} <= set(FILTERS)
