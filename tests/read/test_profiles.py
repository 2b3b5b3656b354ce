"""プロファイル names (pipeline/read/profiles.py): staff pick 住宅金融支援機構, the case keeps jhf."""

from __future__ import annotations

import pytest

from pipeline.config import load_config
from pipeline.read.profiles import dropdown_words, parse_profile
from pipeline.read.schema import DEFAULT_PROFILES
from pipeline.read.values import BadValue

SHIPPED = {"standard": "標準", "jhf": "住宅金融支援機構"}


def test_the_readers_defaults_are_the_shipped_configurations_names():
    assert DEFAULT_PROFILES == load_config(None).profile_names() == SHIPPED


@pytest.mark.parametrize(("typed", "key"), [
    ("標準", "standard"),
    ("住宅金融支援機構", "jhf"),
    ("　住宅金融 支援機構 ", "jhf"),  # spaces do not count, as for every choice
    ("standard", "standard"),  # workbooks written before the names keep working
    ("jhf", "jhf"),
    ("ＪＨＦ", "jhf"),
    ("Standard", "standard"),
])
def test_a_name_or_a_key_gives_the_key(typed, key):
    assert parse_profile(typed, SHIPPED) == key


def test_keys_alone_still_read():
    assert parse_profile("bank_a", ("standard", "bank_a")) == "bank_a"


def test_an_unknown_word_lists_the_names():
    with pytest.raises(BadValue) as info:
        parse_profile("機構", SHIPPED)
    assert (info.value.code, info.value.expected) == (
        "choice_invalid", "次のいずれか: 標準／住宅金融支援機構")


@pytest.mark.parametrize(("profiles", "words"), [
    (SHIPPED, {"標準": "standard", "住宅金融支援機構": "jhf"}),
    (("standard", "jhf"), {"standard": "standard", "jhf": "jhf"}),
    # a new profile of ninbai.toml without a label is labelled with its key (config.merge_config)
    ({"standard": "標準", "bank_a": "bank_a"}, {"標準": "standard", "bank_a": "bank_a"}),
    # two profiles with one name: the name cannot say which, so both show their keys
    ({"a": "地方銀行", "b": "地方銀行", "standard": "標準"},
     {"a": "a", "b": "b", "標準": "standard"}),
    # a name that is another profile's key would read as that other profile
    ({"jhf": "機構", "x": "jhf"}, {"機構": "jhf", "x": "x"}),
    ({"standard": "", "jhf": "住宅金融支援機構"}, {"standard": "standard", "住宅金融支援機構": "jhf"}),
])
def test_dropdown_words_say_which_profile_they_mean(profiles, words):
    assert dropdown_words(profiles) == words
    for word, key in words.items():
        assert parse_profile(word, profiles) == key
