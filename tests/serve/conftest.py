"""A batch built by the real build from the samples (once per session), copied fresh per test,
and the server app over it."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.batch import BatchRequest, run_batch
from pipeline.config import load_config
from pipeline.serve.app import ServeSettings, create_app
from pipeline.serve.users import hash_password

INPUTS = Path(__file__).resolve().parents[2] / "inputs"
BATCH = "2026-11-30"
#: 2026-0142: a packet with attachments, warnings only; 2026-0172: 重要 warnings (「案」).
CASES = ("2026-0142", "2026-0172")
PASSWORD = "正しいパスワード-2026"


def build_sample_batch(folder: Path, cases: tuple[str, ...] = CASES) -> Path:
    """The output folder ``folder`` with one batch of the sample cases, built for real."""
    src = folder / "in"
    src.mkdir(parents=True)
    for case_id in cases:
        shutil.copy(INPUTS / f"{case_id}.xlsx", src / f"{case_id}.xlsx")
        if (INPUTS / case_id).is_dir():
            shutil.copytree(INPUTS / case_id, src / case_id)
    request = BatchRequest(tuple(sorted(src.glob("*.xlsx"))), folder / "out", BATCH,
                           date(2026, 11, 30), jobs=1)
    result = run_batch(request, load_config(INPUTS / "ninbai.toml"))
    assert result.exit_code == 0, [r.errors for r in result.processed]
    return folder / "out"


@pytest.fixture(scope="session")
def sample_out(tmp_path_factory) -> Path:
    return build_sample_batch(tmp_path_factory.mktemp("serve-samples"))


@pytest.fixture
def out_dir(sample_out, tmp_path) -> Path:
    """A fresh copy of the built output folder for one test (its approvals are its own)."""
    copy = tmp_path / "out"
    shutil.copytree(sample_out, copy, symlinks=True)
    return copy


def make_app(out_dir: Path, users: dict[str, str] | None = None, **options):
    app = create_app(ServeSettings(out_dir, users=users or {}, **options))
    return app


@pytest.fixture
def client(out_dir):
    return make_app(out_dir).test_client()


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def user_client(out_dir, password_hash):
    app = make_app(out_dir, {"佐藤": password_hash}, attempts=3, lockout=timedelta(minutes=15))
    return app.test_client()


def token(client, url: str) -> str:
    """The CSRF token of the form on the page ``url``."""
    page = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def login(client, name: str = "佐藤", password: str = PASSWORD):
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token(client, "/login")})
