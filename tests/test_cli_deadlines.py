"""``ninbai deadlines`` over real workbooks: the window, overdue first, a failed workbook in the
middle listed with its first error while the others are still listed, exit codes, --json."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from factory import ROWS, write_case

from pipeline import cli

TODAY = date(2026, 11, 30)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./ninbai.toml of the developer


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def day(n: int) -> date:
    return TODAY + timedelta(days=n)


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    # 2026-0101: the letters' 回答期限 passed two days ago, the settlement in three days
    write_case(folder, "2026-0101.xlsx", case={"案件番号": "2026-0101", "決済予定日": day(3),
                                               "回答期限": day(-2)})
    # 2026-0102 (between the others in name order) cannot be read: its 元金残高
    bad = {**ROWS["債権者"][0], "元金残高": "1,2OO万円"}
    write_case(folder, "2026-0102.xlsx", case={"案件番号": "2026-0102"}, rows={"債権者": [bad]})
    # 2026-0103: an auction under way — bidding opened yesterday (a fact now), 開札 on day 30,
    # settlement on day 31 (outside the default window)
    write_case(folder, "2026-0103.xlsx", case={
        "案件番号": "2026-0103", "決済予定日": day(31), "入札期間開始日": day(-1),
        "開札期日": day(30), "回答期限": day(3)})
    return folder


def test_listing_soonest_first_with_a_failed_workbook_in_the_middle(inputs):
    result = run("deadlines", str(inputs), "--date", TODAY.isoformat())
    assert result.exit_code == 1, result.output  # one workbook could not be read
    lines = result.output.splitlines()
    assert lines[0] == ("期限 2026年11月30日（月）から30日以内と期限切れ: 4件"
                        "（うち期限切れ 1件・案件 2件を確認）")
    rows = [line.split() for line in lines[1:5]]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("2026年11月28日（土）", "2日経過", "2026-0101", "回答期限"),
        ("2026年12月3日（木）", "あと3日", "2026-0103", "回答期限"),  # same day: 回答期限 first
        ("2026年12月3日（木）", "あと3日", "2026-0101", "決済予定日"),
        ("2026年12月30日（水）", "あと30日", "2026-0103", "開札期日")]
    assert lines[5].startswith("読めません: inputs/2026-0102.xlsx  債権者!D2 元金残高")
    assert "1,2OO" not in result.output  # the cell's value is not repeated (a log may keep this)
    assert "髙橋" not in result.output  # nor the debtor
    assert lines[6].startswith("読めないワークブック 1件")


def test_days_window_edges(inputs):
    wider = run("deadlines", str(inputs), "--date", TODAY.isoformat(), "--days", "31")
    assert ["2026年12月31日（木）", "あと31日", "2026-0103", "決済予定日"] in \
        [line.split() for line in wider.output.splitlines()]
    today_only = run("deadlines", str(inputs), "--date", day(3).isoformat(), "--days", "0")
    listed = [line.split()[2:4] for line in today_only.output.splitlines()[1:]
              if line.startswith("20")]
    # on day 3: the overdue 回答期限 of 0101 (5 days), then today's three; nothing later
    assert listed == [["2026-0101", "回答期限"], ["2026-0103", "回答期限"],
                      ["2026-0101", "決済予定日"]]


def test_json_lists_the_same_in_the_same_order(inputs):
    result = run("deadlines", str(inputs), "--date", TODAY.isoformat(), "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert (data["today"], data["days"]) == ("2026-11-30", 30)
    assert [(d["case_id"], d["kind"], d["date"], d["days"], d["overdue"])
            for d in data["deadlines"]] == [
        ("2026-0101", "reply_deadline", "2026-11-28", -2, True),
        ("2026-0103", "reply_deadline", "2026-12-03", 3, False),
        ("2026-0101", "settlement_date", "2026-12-03", 3, False),
        ("2026-0103", "opening_date", "2026-12-30", 30, False)]
    assert data["deadlines"][0]["file"].endswith("2026-0101.xlsx")
    [failed] = data["failed"]
    assert failed["file"].endswith("2026-0102.xlsx")
    assert failed["errors"][0]["cell"] == "D2" and failed["errors"][0]["severity"] == "error"


def test_all_readable_exits_0_and_nothing_due_says_so(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    write_case(folder, "2026-0101.xlsx", case={"決済予定日": day(90)})
    result = run("deadlines", str(folder), "--date", TODAY.isoformat())
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "期限 2026年11月30日（月）から30日以内と期限切れ: 0件（うち期限切れ 0件・案件 1件を確認）"]


def test_missing_input_and_bad_days_exit_2(tmp_path):
    assert run("deadlines", str(tmp_path / "nope")).exit_code == 2
    folder = tmp_path / "one"
    folder.mkdir()
    write_case(folder)
    result = run("deadlines", str(folder), "--days", "-1")
    assert result.exit_code == 2 and "0以上の整数" in result.output


def test_today_defaults_to_the_configured_time_zone(tmp_path, monkeypatch):
    """Without --date, "today" is the date in [review] timezone (Asia/Tokyo by default), not
    the machine's: at 2026-11-30 20:00 UTC it is already 12月1日 in Tokyo."""
    from datetime import datetime as real_datetime

    class Clock(real_datetime):
        @classmethod
        def now(cls, tz=None):
            return real_datetime(2026, 11, 30, 20, 0, tzinfo=tz and __import__(
                "zoneinfo").ZoneInfo("UTC")).astimezone(tz)

    monkeypatch.setattr(cli, "datetime", Clock)
    folder = tmp_path / "one"
    folder.mkdir()
    write_case(folder, case={"決済予定日": day(1)})
    result = run("deadlines", str(folder))
    assert result.output.startswith("期限 2026年12月1日（火）から30日以内")
    assert "今日" in result.output
