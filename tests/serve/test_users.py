"""ninbai user add: the password asked twice, only a salted scrypt hash stored, in the [users]
table of ninbai.toml, every other byte of the file as it was."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.serve.users import (
    HASH_FORM,
    UserError,
    add_user,
    hash_password,
    password_matches,
    with_user,
)
from serve.conftest import INPUTS

OFFICE = (INPUTS / "ninbai.toml").read_text("utf-8")


def test_the_hash_is_salted_slow_and_checks(tmp_path):
    one, two = hash_password("パスワード1234"), hash_password("パスワード1234")
    assert one != two and HASH_FORM.fullmatch(one) and one.startswith("scrypt:32768:8:1$")
    assert password_matches(one, "パスワード1234") and not password_matches(one, "パスワード1235")
    assert not password_matches("パスワード1234", "パスワード1234")  # a plain value is no hash


def test_a_table_is_added_at_the_end_and_the_rest_is_untouched():
    text, replaced = with_user(OFFICE, "佐藤 花子", "scrypt:1:2:3$s$ab")
    assert not replaced and text.startswith(OFFICE)
    assert tomllib.loads(text)["users"] == {"佐藤 花子": "scrypt:1:2:3$s$ab"}


def test_a_user_is_added_to_the_existing_table_and_a_password_replaced():
    start = OFFICE + '\n[users]\n# 事務所の利用者\n"佐藤" = "scrypt:1:2:3$s$aa"\n\n[serve]\nlogin_attempts = 3\n'
    text, replaced = with_user(start, "鈴木", "scrypt:1:2:3$s$bb")
    assert not replaced
    assert text == start.replace('"佐藤" = "scrypt:1:2:3$s$aa"\n',
                                 '"佐藤" = "scrypt:1:2:3$s$aa"\n"鈴木" = "scrypt:1:2:3$s$bb"\n')
    again, replaced = with_user(text, "佐藤", "scrypt:1:2:3$s$cc")
    assert replaced and again == text.replace("$s$aa", "$s$cc")
    assert tomllib.loads(again)["serve"] == {"login_attempts": 3}


def test_a_bare_key_in_the_table_is_found_too():
    start = OFFICE + "\n[users]\nsato = \"scrypt:1:2:3$s$aa\"  # 佐藤\n"
    text, replaced = with_user(start, "sato", "scrypt:1:2:3$s$bb")
    assert replaced and tomllib.loads(text)["users"] == {"sato": "scrypt:1:2:3$s$bb"}


def office(tmp_path: Path, text: str = OFFICE) -> Path:
    path = tmp_path / "ninbai.toml"
    path.write_text(text, "utf-8")
    path.chmod(0o640)
    return path


def test_ninbai_user_add_asks_twice_and_stores_only_the_hash(tmp_path):
    config = office(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "user", "add", "佐藤 花子"],
                                input="とても長いパスワード\nとても長いパスワード\n")
    assert result.exit_code == 0, result.output
    assert "利用者を登録しました: 佐藤 花子" in result.output
    text = config.read_text("utf-8")
    assert text.startswith(OFFICE) and "とても長いパスワード" not in text
    stored = tomllib.loads(text)["users"]["佐藤 花子"]
    assert password_matches(stored, "とても長いパスワード")
    assert config.stat().st_mode & 0o777 == 0o640  # the file keeps its mode
    assert not list(tmp_path.glob(".tmp-*"))


def test_two_different_passwords_change_nothing(tmp_path):
    config = office(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "user", "add", "佐藤"],
                                input="とても長いパスワード\nちがう長いパスワード\n")
    assert result.exit_code == 2 and "一致しません" in result.output
    assert config.read_text("utf-8") == OFFICE


@pytest.mark.parametrize("name", ["", "a\x00b", "名前[1]", "x" * 41])
def test_a_name_that_cannot_be_a_key_is_refused(tmp_path, name):
    config = office(tmp_path)
    with pytest.raises(UserError):
        add_user(config, name, hash_password("とても長いパスワード"))
    assert config.read_text("utf-8") == OFFICE


def test_a_short_password_is_refused(tmp_path):
    config = office(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "user", "add", "佐藤"],
                                input="short\nshort\n")
    assert result.exit_code == 2 and "8文字以上" in result.output
    assert config.read_text("utf-8") == OFFICE
