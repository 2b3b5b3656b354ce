"""Issues as staff read them: the one table of Japanese levels, and messages fit for a log."""

from __future__ import annotations

import pytest

from pipeline.read.issues import LEVEL_LABELS, LEVELS, level_label, level_of, message_without_raw


def test_every_level_has_its_japanese_word():
    assert [LEVEL_LABELS[level] for level in LEVELS] == ["エラー", "重要", "警告", "参考", "問題なし"]
    assert level_label("something-new") == "警告"  # an unknown severity is still looked at


@pytest.mark.parametrize(("status", "severities", "level"), [
    ("error", ["info"], "error"), ("ok", [], "ok"), ("ok", ["info"], "info"),
    ("warn", ["info", "high", "warn"], "high"), ("warn", ["warn", "info"], "warn"),
])
def test_a_cases_level_is_its_worst(status, severities, level):
    assert level_of(status, severities) == level


@pytest.mark.parametrize(("message", "raw", "shown"), [
    ("元金残高「山田 太郎」を読めません。金額で入力してください", "山田 太郎",
     "元金残高を読めません。金額で入力してください"),
    ("債務者氏名が長すぎます（300文字）。短くしてください: 「鈴木 一郎…」", "鈴木 一郎…",
     "債務者氏名が長すぎます（300文字）。短くしてください"),
    ("売却価格を入力してください", None, "売却価格を入力してください"),
    # the value is in the message some other way: nothing of the message is shown
    ("山田 太郎 は使えません", "山田 太郎", None),
])
def test_message_without_raw(message, raw, shown):
    assert message_without_raw(message, raw) == shown
