"""issue 15, item 3: click's own texts in Japanese (usage, options, help, errors), ``-h`` as
well as ``--help`` on every command, and ``ninbai --version``.

Each error runs through the real parser, so a click release that raises them differently
fails here (pipeline/cli_japanese.py uses only click's documented extension points)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

import pipeline
from pipeline import cli

COMMANDS = [[]] + [[name] for name in sorted(cli.main.commands)]
#: click's English, as it would reach staff.
ENGLISH = ("Usage:", "Options:", "Commands:", "Error:", "Try '", "Show this message", "[default",
           "[required]", "x>=1", "Invalid value", "No such", "Missing", "Got unexpected",
           "does not take", "requires an argument", "Positional arguments", "Aborted")
#: ASCII words a help page may show: command and option names, file names, formats.
ALLOWED_WORDS = {
    "revoke", "reason", "serve", "host", "port", "user", "users", "add",  # ninbai serve
    "ninbai", "init", "new", "case", "validate", "build", "review", "approve", "check",
    "templates", "help", "version", "config", "json", "details", "by", "out", "batch", "date",
    "jobs", "only", "force", "wait", "samples", "id", "inputs", "outputs", "xlsx", "toml",
    "html", "index", "summary", "manifest", "docx", "pdf", "word", "yyyy", "mm", "dd", "edit",
    "final", "sha", "rev", "templates-edit", "ninbai_config", "NINBAI_CONFIG", "xlsm", "xls",
    "cpu", "url", "readme", "md", "override", "export", "to",
    "deadlines", "days", "timezone", "history",  # ninbai deadlines --days, [review] timezone
}


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args), prog_name="ninbai")


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "ninbai")
def test_dash_h_is_help_in_japanese(command):
    short, long = run(*command, "-h"), run(*command, "--help")
    assert short.exit_code == long.exit_code == 0
    assert short.output == long.output
    assert short.output.startswith(f"使い方: ninbai {' '.join(command)}".rstrip())
    assert "オプション:" in short.output and "この説明を表示して終わる" in short.output
    for english in ENGLISH:
        assert english not in short.output, english
    words = {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z_]+", short.output)}
    assert words <= {w.lower() for w in ALLOWED_WORDS}, words - ALLOWED_WORDS


def test_the_group_lists_its_commands_in_japanese():
    result = run("-h")
    assert "コマンド:" in result.output and "[オプション] コマンド [引数]..." in result.output
    assert "build            月末の一括処理" in result.output


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output == f"ninbai {pipeline.__version__}\n"


ERRORS = [
    (["approve", "b", "2026-0142"], "オプション --by を指定してください（確認・承認した人の名前）"),
    (["review"], "「バッチフォルダ」を指定してください"),
    (["build"], "「入力」を指定してください"),
    (["build", "in", "--jobs", "0"], "「--jobs」の値が正しくありません: 「0」は使えません。1以上の整数"),
    (["build", "in", "--jobs", "二"], "「二」は整数ではありません"),
    (["build", "in", "--date", "2026-13-01"], "「2026-13-01」は日付として読めません。YYYY-MM-DD"),
    (["build", "in", "--date", "30/11/2026"], "「30/11/2026」は日付として読めません"),
    (["check-templates", "--date", "2026-02-30"], "「2026-02-30」は日付として読めません"),
    (["build", "in", "--forse"], "「--forse」というオプションはありません（もしかして: --force"),
    (["--bogus", "build"], "「--bogus」というオプションはありません"),
    (["bild", "in"], "「bild」というコマンドはありません（approve・build"),
    (["review", "a", "b"], "余分な引数があります: b"),
    (["validate", "x.xlsx", "--json=yes"], "オプション --json には値をつけません"),
    (["approve", "b", "1", "--by"], "オプション --by には値が必要です"),
    (["--config", "x.toml"], "コマンドを指定してください（approve・build"),
    (["new-case", "."], "「.」はフォルダです。ファイルを指定してください"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=lambda v: " ".join(v)
                         if isinstance(v, list) else "")
def test_every_usage_error_is_japanese(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    assert "エラー: " in result.output and message in result.output, result.output
    assert result.output.startswith("使い方: ninbai ")
    assert "-h」で確認できます。" in result.output
    for english in ENGLISH:
        assert english not in result.output, english


def test_a_date_typed_in_full_width_is_read(tmp_path, monkeypatch):
    """Japanese input mode types ２０２６－１１－３０; it is the same date."""
    from pipeline.cli_japanese import DateType

    assert str(DateType().convert("２０２６－１１－３０", None, None)) == "2026-11-30"
