"""利用者 (users) of ``ninbai serve``: names and salted, slow password hashes in ninbai.toml.

The hash is werkzeug's scrypt (``scrypt:32768:8:1``, a random 16-character salt per password):
Flask already depends on werkzeug, so no extra library; scrypt is memory-hard (a GPU guessing
it pays for memory as well as time) and is in Python's own hashlib (OpenSSL). argon2id would do
as well but needs argon2-cffi, a compiled dependency more, for no gain at an office's scale.

``ninbai user add NAME`` writes ``"NAME" = "scrypt:…"`` into the ``[users]`` table of the
settings file: only that one line changes (added, or replaced for a new password), every other
byte of the file stays as it was, and the file is replaced atomically (temp + rename).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from pipeline.batch.atomic import write_atomic
from pipeline.config import ConfigError, load_config

HASH_METHOD = "scrypt"
#: A hash ``ninbai user add`` writes: ``scrypt:N:r:p$salt$hex``.
HASH_FORM = re.compile(r"scrypt:\d+:\d+:\d+\$[^$]+\$[0-9a-f]+")
MIN_PASSWORD = 8
#: A user name: what people call each other in the office (佐藤, sato.h), no control characters.
USER_NAME = re.compile(r"[^\x00-\x1f\x7f\"\\\[\]=]{1,40}")
_USERS_HEADER = re.compile(r"\s*\[\s*users\s*\]\s*(#.*)?")
_TABLE_HEADER = re.compile(r"\s*\[")


class UserError(Exception):
    """The user could not be added (message in Japanese)."""


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password (never stored or logged in the clear)."""
    return generate_password_hash(password, method=HASH_METHOD)


def password_matches(stored: str, password: str) -> bool:
    """Does ``password`` match the stored hash? False for a hash of another form."""
    if not HASH_FORM.fullmatch(stored):
        return False
    return check_password_hash(stored, password)


def check_new_password(password: str, again: str) -> None:
    if password != again:
        raise UserError("2回入力したパスワードが一致しません。")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"パスワードは{MIN_PASSWORD}文字以上にしてください。")


def check_user_name(name: str) -> str:
    name = name.strip()
    if not USER_NAME.fullmatch(name):
        raise UserError("利用者名は40文字までで、記号 \" \\ [ ] = と制御文字は使えません。")
    return name


def add_user(config_path: Path, name: str, password_hash: str) -> bool:
    """Write ``name``'s hash into the ``[users]`` table of ``config_path``; True when the name
    was there already (its password is replaced). Nothing else in the file changes."""
    name = check_user_name(name)
    try:
        text = config_path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        raise UserError(f"{config_path} を読めません。") from None
    new_text, replaced = with_user(text, name, password_hash)
    try:
        if tomllib.loads(new_text).get("users", {}).get(name) != password_hash:
            raise UserError(f"{config_path} の [users] に書き込めない書き方があります"
                            "（[users] の節を手で確認してください）。")
    except tomllib.TOMLDecodeError:
        raise UserError(f"{config_path} の TOML の書き方が正しくないため、書き込みませんでした。") \
            from None
    _check_config(config_path, new_text)
    mode = stat.S_IMODE(config_path.stat().st_mode)
    write_atomic(config_path, new_text.encode("utf-8"))
    os.chmod(config_path, mode)  # as before: the service account may be another user than staff
    return replaced


def _check_config(config_path: Path, new_text: str) -> None:
    """The new file must load as a whole (a typo elsewhere would stop every command)."""
    probe = config_path.with_name(f".tmp-check-{os.getpid()}-{config_path.name}")
    try:
        probe.write_text(new_text, "utf-8")
        load_config(probe)
    except ConfigError as exc:
        raise UserError(str(exc).replace(str(probe), str(config_path))) from None
    finally:
        probe.unlink(missing_ok=True)


def with_user(text: str, name: str, password_hash: str) -> tuple[str, bool]:
    """``text`` with ``"name" = "hash"`` in its ``[users]`` table (replacing the line that sets
    that name, or added at the table's end; a table is added at the end of the file when there
    is none); the second value is True when a line was replaced."""
    line = f"{json.dumps(name, ensure_ascii=False)} = {json.dumps(password_hash)}"
    lines = text.splitlines(keepends=True)
    start = next((i for i, s in enumerate(lines) if _USERS_HEADER.fullmatch(s.rstrip("\r\n"))),
                 None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}\n[users]\n{line}\n", False
    end = next((i for i in range(start + 1, len(lines)) if _TABLE_HEADER.match(lines[i])),
               len(lines))
    for i in range(start + 1, end):
        if _key_of(lines[i]) == name:
            newline = "\r\n" if lines[i].endswith("\r\n") else "\n"
            lines[i] = line + newline
            return "".join(lines), True
    last = max((i for i in range(start, end) if lines[i].strip()), default=start)
    if not lines[last].endswith("\n"):
        lines[last] += "\n"
    lines.insert(last + 1, line + "\n")
    return "".join(lines), False


def _key_of(line: str) -> str | None:
    """The key a ``key = value`` line of the table sets (None for a comment or a blank line)."""
    try:
        data = tomllib.loads(line)
    except tomllib.TOMLDecodeError:
        return None
    return next(iter(data), None) if len(data) == 1 else None
