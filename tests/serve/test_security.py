"""ninbai serve's guards, through Flask's test client over a batch built for real: CSRF, files
only from inside OUT_DIR, the bind rule, login and its lockout, headers, Japanese error pages."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline.serve
import pipeline.serve.app as serve_app
from pipeline.batch.manifest import APPROVALS_NAME, read_manifest
from pipeline.cli import main
from pipeline.serve import pages
from pipeline.serve.audit import AUDIT_NAME, read_audit
from serve.conftest import BATCH, PASSWORD, login, make_app, token

CASE = f"/b/{BATCH}/c/2026-0142/"


def packet_path(out_dir: Path) -> str:
    record = read_manifest(out_dir / BATCH).find("2026-0142")
    return record.packets[0]["pdf"]


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action,form", [
    ("approve", {"by": "佐藤"}),
    ("revoke", {"by": "佐藤", "reason": "誤り"}),
    ("sent", {"by": "佐藤", "packet": "1", "sent_on": "2026-11-30", "method": "FAX"}),
    ("rebuild", {"by": "佐藤"}),
])
def test_a_post_without_the_token_is_refused_and_changes_nothing(client, out_dir, action, form):
    before = {p: p.read_bytes() for p in (out_dir / BATCH).iterdir() if p.is_file()}
    response = client.post(f"{CASE}{action}", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "リクエストを受け付けられませんでした" in page and "CSRF" not in page
    after = {p: p.read_bytes() for p in (out_dir / BATCH).iterdir() if p.is_file()}
    assert after == before  # no approvals.json, no sent.json, index.html as it was
    assert not (out_dir / AUDIT_NAME).exists()


def test_a_wrong_token_is_refused_too(client, out_dir):
    client.get(CASE)
    response = client.post(f"{CASE}approve", data={"by": "佐藤", "csrf_token": "x" * 40})
    assert response.status_code == 400
    assert not (out_dir / BATCH / APPROVALS_NAME).exists()


def test_state_changes_are_post_only(client, out_dir):
    assert client.get(f"{CASE}approve").status_code == 405
    assert not (out_dir / BATCH / APPROVALS_NAME).exists()


# --- files only from inside OUT_DIR ------------------------------------------------------------


def test_a_recorded_file_is_served(client, out_dir):
    response = client.get(f"/b/{BATCH}/f/{packet_path(out_dir)}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


@pytest.mark.parametrize("path", [
    "../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "2026-0142/%2e%2e/manifest.json",
    "//etc/passwd", "%2fetc%2fpasswd", "2026-0142/../../../etc/passwd",
    "manifest.json", "approvals.json", ".lock", "2026-0142/./case.json",
    "2026-0142%00.pdf", "..%5c..%5cetc%5cpasswd",
])
def test_paths_outside_or_unrecorded_are_not_found(client, path):
    response = client.get(f"/b/{BATCH}/f/{path}")
    assert response.status_code == 404, path
    assert b"root:" not in response.data and "ページが見つかりません" in response.get_data(as_text=True)


def test_a_batch_name_with_dots_or_a_link_is_not_found(client, out_dir, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "manifest.json").write_text("{}", "utf-8")
    os.symlink(outside, out_dir / "linked")
    for url in ("/b/../", "/b/%2e%2e/", "/b/linked/", "/b/nope/"):
        assert client.get(url).status_code == 404, url


def test_a_recorded_file_replaced_by_a_link_out_is_not_found(client, out_dir, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-secret")
    packet = out_dir / BATCH / packet_path(out_dir)
    packet.unlink()
    os.symlink(secret, packet)
    response = client.get(f"/b/{BATCH}/f/{packet_path(out_dir)}")
    assert response.status_code == 404 and b"secret" not in response.data


def test_a_case_folder_replaced_by_a_link_out_is_not_found(client, out_dir, tmp_path):
    case = out_dir / BATCH / "2026-0142"
    moved = tmp_path / "moved"
    case.rename(moved)
    os.symlink(moved, case)
    assert client.get(f"/b/{BATCH}/f/{packet_path(out_dir)}").status_code == 404


# --- where it listens --------------------------------------------------------------------------


def office(tmp_path: Path, users: str = "") -> Path:
    config = tmp_path / "ninbai.toml"
    source = Path(__file__).resolve().parents[2] / "inputs" / "ninbai.toml"
    config.write_text(source.read_text("utf-8") + users, "utf-8")
    return config


@pytest.fixture
def never_serves(monkeypatch):
    """The server must not start in these tests: starting is a failure, not a hang."""
    def refuse(*args, **kwargs):
        raise AssertionError("the server started")

    monkeypatch.setattr(pipeline.serve, "run", refuse)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::"])
def test_another_address_without_users_exits_2_saying_why(tmp_path, out_dir, host, never_serves):
    result = CliRunner().invoke(main, ["--config", str(office(tmp_path)), "serve", str(out_dir),
                                       "--host", host])
    assert result.exit_code == 2
    assert "利用者の登録が必要です" in result.output and "ninbai user add" in result.output


def test_a_plain_password_in_users_is_refused(tmp_path, out_dir, never_serves):
    config = office(tmp_path, '\n[users]\n"佐藤" = "himitsu"\n')
    result = CliRunner().invoke(main, ["--config", str(config), "serve", str(out_dir),
                                       "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "ハッシュがありません" in result.output
    assert "himitsu" not in result.output


# --- login -------------------------------------------------------------------------------------


def test_with_users_every_page_needs_a_login(user_client, out_dir):
    assert user_client.get("/").status_code == 302
    assert user_client.get(f"/b/{BATCH}/f/{packet_path(out_dir)}").status_code == 302
    response = user_client.post(f"{CASE}approve", data={"csrf_token": token(user_client, "/login")})
    assert response.status_code == 403
    assert not (out_dir / BATCH / APPROVALS_NAME).exists()


def test_a_wrong_password_is_refused_and_then_locked_out(user_client, out_dir):
    for _ in range(3):
        response = login(user_client, password="違うパスワード")
        assert response.status_code == 401
        assert "利用者名またはパスワードが違います" in response.get_data(as_text=True)
    # the right password is refused too now: the name is locked out for a while
    response = login(user_client)
    assert response.status_code == 429
    assert "しばらくログインできません" in response.get_data(as_text=True)
    assert user_client.get("/").status_code == 302
    entries = read_audit(out_dir)
    assert [e["action"] for e in entries] == ["login_failed"] * 3 + ["login"]
    assert all("違うパスワード" not in json.dumps(e, ensure_ascii=False) for e in entries)


def test_an_unknown_name_counts_too(user_client):
    for _ in range(3):
        assert login(user_client, name="誰か").status_code == 401
    assert login(user_client, name="誰か").status_code == 429


def test_the_lockout_ends(user_client, monkeypatch):
    guard = user_client.application.extensions["ninbai_guard"]
    clock = [1000.0]
    monkeypatch.setattr(guard, "_clock", lambda: clock[0])
    for _ in range(3):
        login(user_client, password="違う")
    assert login(user_client).status_code == 429
    clock[0] += 15 * 60 + 1
    assert login(user_client).status_code == 302


def test_the_right_password_logs_in_and_the_user_acts_by_name(user_client, out_dir):
    assert login(user_client).status_code == 302
    assert user_client.get("/").status_code == 200
    response = user_client.post(f"{CASE}approve",
                                data={"by": "なりすまし", "csrf_token": token(user_client, CASE)})
    assert response.status_code == 302
    approvals = json.loads((out_dir / BATCH / APPROVALS_NAME).read_text("utf-8"))["approvals"]
    assert [a["by"] for a in approvals] == ["佐藤"]  # the login's name, not the form's


def test_a_session_idle_too_long_ends(user_client, monkeypatch):
    login(user_client)
    assert user_client.get("/").status_code == 200
    later = time.time() + 8 * 3600 + 60
    monkeypatch.setattr(serve_app.time, "time", lambda: later)
    assert user_client.get("/").status_code == 302


def test_loopback_without_users_needs_a_typed_name(client, out_dir):
    client.post(f"{CASE}approve", data={"by": "  ", "csrf_token": token(client, CASE)})
    assert "名前を入れてください" in client.get(CASE).get_data(as_text=True)
    assert not (out_dir / BATCH / APPROVALS_NAME).exists()


# --- headers and error pages -----------------------------------------------------------------


def test_security_headers_on_pages_and_files(client, out_dir):
    for url in ("/", f"/b/{BATCH}/", CASE, "/nope"):
        headers = client.get(url).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
    pdf = client.get(f"/b/{BATCH}/f/{packet_path(out_dir)}").headers
    assert "frame-ancestors 'self'" in pdf["Content-Security-Policy"]  # the case page's frame
    assert pdf["X-Frame-Options"] == "SAMEORIGIN" and pdf["X-Content-Type-Options"] == "nosniff"


def test_an_unexpected_error_is_a_japanese_page_without_traceback(client, monkeypatch, caplog):
    def broken(out_dir):
        raise RuntimeError("/home/office/山田太郎.xlsx")

    monkeypatch.setattr(pages, "batch_lines", broken)
    response = client.get("/")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "問題が起きました" in page
    assert "Traceback" not in page and "山田" not in page and "/home" not in page
    assert "山田" not in caplog.text and "Traceback" not in caplog.text


def test_the_server_log_names_no_file_and_no_person(client, out_dir, caplog):
    caplog.set_level("INFO", logger="ninbai.serve")
    client.get(f"/b/{BATCH}/f/{packet_path(out_dir)}")
    client.get(CASE + "?show=" + packet_path(out_dir))
    assert "東都みらい銀行" not in caplog.text and "送付書類一式" not in caplog.text
    assert "case=2026-0142" in caplog.text


def test_no_debug_mode(client):
    assert client.application.debug is False
    assert client.application.config["PROPAGATE_EXCEPTIONS"] is False


def test_the_audit_log_is_private(client, out_dir):
    client.post(f"{CASE}approve", data={"by": "佐藤", "csrf_token": token(client, CASE)})
    assert (out_dir / AUDIT_NAME).stat().st_mode & 0o777 == 0o600
    make_app(out_dir)  # another start: the log is appended to, never replaced
    assert [e["action"] for e in read_audit(out_dir)] == ["approve"]
    assert PASSWORD not in (out_dir / AUDIT_NAME).read_text("utf-8")


def test_an_audit_log_that_cannot_be_written_does_not_undo_the_action(client, out_dir, caplog,
                                                                      tmp_path):
    os.symlink(tmp_path / "elsewhere.log", out_dir / AUDIT_NAME)  # O_NOFOLLOW refuses it
    response = client.post(f"{CASE}approve", data={"by": "佐藤", "csrf_token": token(client, CASE)})
    assert response.status_code == 302
    assert (out_dir / BATCH / APPROVALS_NAME).is_file()
    assert not (tmp_path / "elsewhere.log").exists()
    assert "操作記録を書き込めません" in caplog.text


def test_the_batch_list_counts_recorded_approvals_and_the_batch_page_checks_them(client, out_dir):
    client.post(f"{CASE}approve", data={"by": "佐藤", "csrf_token": token(client, CASE)})
    (out_dir / BATCH / packet_path(out_dir)).write_bytes(b"%PDF-changed by hand")
    listing = client.get("/").get_data(as_text=True)
    assert '<td class="n">1</td><td class="n">1</td>' in listing  # recorded: 1 approved
    batch = client.get(f"/b/{BATCH}/").get_data(as_text=True)
    assert 'id="count-approved">0件' in batch  # its files changed: not approved any more


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "192.168.1.10:8000"])
def test_a_loopback_server_refuses_other_host_names(client, host):
    """DNS rebinding: another site's page that points its name at 127.0.0.1 cannot read cases."""
    response = client.get(f"/b/{BATCH}/", headers={"Host": host})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "2026-0142" not in page and "Bad Request" not in page
    assert "リクエストを受け付けられませんでした" in page


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"])
def test_a_loopback_server_answers_its_own_names(client, host):
    assert client.get(f"/b/{BATCH}/", headers={"Host": host}).status_code == 200


def test_with_users_the_office_name_of_the_machine_is_fine(user_client):
    assert user_client.get("/login", headers={"Host": "ninbai-server:8000"}).status_code == 200
