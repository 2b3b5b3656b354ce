"""The ninbai command through click's CliRunner: exit codes, output lines, --json, --help."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from factory import ROWS, write_case

from pipeline import cli


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    """Run in an empty folder, so a ./ninbai.toml of the developer never leaks in."""
    monkeypatch.chdir(tmp_path)


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def bad_case(folder, name="bad.xlsx"):
    creditor = {**ROWS["債権者"][0], "元金残高": "1,2OO万円"}
    return write_case(folder, name, rows={"債権者": [creditor]})


@pytest.mark.parametrize("command", [[], ["validate"], ["new-case"]])
def test_every_command_has_help_with_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "例:" in result.output and "ninbai" in result.output


def test_registered_commands_all_have_help():
    for name in cli.main.commands:
        assert run(name, "--help").exit_code == 0


def test_validate_valid_workbook_exits_0(tmp_path):
    write_case(tmp_path)
    result = run("validate", "2026-0142.xlsx")
    assert result.exit_code == 0
    assert "問題なし  2026-0142.xlsx  2026-0142" in result.output


def test_validate_folder_reports_located_problems_and_exits_1(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    write_case(folder, "a.xlsx")
    bad_case(folder)
    result = run("validate", "inputs")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("inputs/bad.xlsx 債権者!D2: ") for line in lines)
    assert any(line.startswith("エラー  inputs/bad.xlsx") for line in lines)
    assert any(line.startswith("問題なし  inputs/a.xlsx") for line in lines)


def test_warnings_are_printed_but_the_case_is_ok(tmp_path):
    write_case(tmp_path, case={"売却価挌": "1"})
    result = run("validate", "2026-0142.xlsx")
    assert result.exit_code == 0
    assert "2026-0142.xlsx 案件!A10: [警告] " in result.output


def test_validate_json(tmp_path):
    write_case(tmp_path, "a.xlsx")
    bad_case(tmp_path)
    result = run("validate", "a.xlsx", "bad.xlsx", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert [(d["file"], d["case_id"], d["valid"]) for d in data] == [
        ("a.xlsx", "2026-0142", True), ("bad.xlsx", None, False)]
    issue = data[1]["issues"][0]
    assert (issue["sheet"], issue["cell"], issue["code"], issue["raw"]) == (
        "債権者", "D2", "yen_invalid", "1,2OO万円")


def test_broken_file_is_a_message_not_a_traceback(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    result = run("validate", "broken.xlsx")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "broken.xlsx: " in result.output


def test_missing_input_exits_2(tmp_path):
    result = run("validate", "nowhere")
    assert result.exit_code == 2 and "nowhere" in result.output


def test_folder_without_workbooks_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run("validate", "empty").exit_code == 2


def test_unexpected_exception_exits_2_without_traceback(monkeypatch, tmp_path):
    write_case(tmp_path)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(cli, "load_case", boom)
    result = run("validate", "2026-0142.xlsx")
    assert result.exit_code == 2
    # Staff read Japanese only: no traceback, no exception name, no English text from Python.
    assert "Traceback" not in result.output and "RuntimeError" not in result.output
    assert "disk on fire" not in result.output
    assert "予期しない問題で中断しました" in result.output
    assert not isinstance(result.exception, RuntimeError)


def test_with_ninbai_debug_the_traceback_is_shown_for_developers(monkeypatch, tmp_path):
    write_case(tmp_path)

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(cli, "load_case", boom)
    monkeypatch.setenv("NINBAI_DEBUG", "1")
    result = run("validate", "2026-0142.xlsx")
    assert result.exit_code == 2 and "RuntimeError: disk on fire" in result.output


def test_one_table_turns_exceptions_into_staff_messages():
    import errno

    from pipeline.batch import BatchError
    from pipeline.batch.manifest import StateFileError
    from pipeline.config import ConfigError

    for refusal in (ConfigError("設定が違います"), BatchError("出力フォルダを作れません"),
                    StateFileError("manifest.json が壊れています")):
        assert cli.staff_message(refusal) == str(refusal)
    full = OSError(errno.ENOSPC, "No space left on device", "/srv/out/2026-0142/01.pdf")
    assert cli.staff_message(full) == "01.pdf: ディスクの空き容量が足りません"
    assert cli.staff_message(KeyError("x")) == cli.UNEXPECTED


def test_config_profiles_are_the_allowed_words(tmp_path):
    (tmp_path / "ninbai.toml").write_text('[profiles.bank_a]\nlabel = "A銀行"\n', encoding="utf-8")
    write_case(tmp_path, rows={"債権者": [{**ROWS["債権者"][0], "プロファイル": "bank_a"}]})
    assert run("--config", "ninbai.toml", "validate", "2026-0142.xlsx").exit_code == 0
    (tmp_path / "ninbai.toml").unlink()
    assert run("validate", "2026-0142.xlsx").exit_code == 1


@pytest.mark.parametrize("content", [None, "[nonsense_section]\nx = 1\n"])
def test_bad_config_exits_2(tmp_path, content):
    if content is not None:
        (tmp_path / "bad.toml").write_text(content, encoding="utf-8")
    write_case(tmp_path)
    result = run("--config", "bad.toml", "validate", "2026-0142.xlsx")
    assert result.exit_code == 2 and "エラー: " in result.output


def test_new_case_writes_a_workbook_and_never_overwrites(tmp_path):
    result = run("new-case", "2026-0180.xlsx", "--case-id", "2026-0180")
    assert result.exit_code == 0 and (tmp_path / "2026-0180.xlsx").is_file()
    before = (tmp_path / "2026-0180.xlsx").read_bytes()
    again = run("new-case", "2026-0180.xlsx")
    assert again.exit_code == 2 and "上書き" in again.output
    assert (tmp_path / "2026-0180.xlsx").read_bytes() == before


@pytest.mark.parametrize("args", [["x.xlsx", "--case-id", "../x"], ["x.csv"],
                                  ["no/such/folder/x.xlsx"]])
def test_new_case_refusals_exit_2(tmp_path, args):
    result = run("new-case", *args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("day", ["1800-01-01", "1989-01-07", "2101-01-01"])
def test_build_refuses_a_date_no_document_can_print(tmp_path, day):
    """issue 12, item 10: the batch date becomes every 作成日 left blank, so it has their range."""
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in")
    result = run("build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--date", day)
    assert result.exit_code == 2
    assert "1989年1月8日" in result.output and "2100年12月31日" in result.output
    assert "Invalid value" not in result.output
    assert not (tmp_path / "out").exists()
