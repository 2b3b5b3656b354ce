"""The records the server and the CLI share: 承認の取消 (approvals.json ``revoked``), 送付記録
(sent.json) on the static index.html, users in ninbai.toml that change no build."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.batch.approve import ApproveError, approve_cases, next_revision, revoke_approval
from pipeline.batch.manifest import (
    APPROVALS_NAME,
    approved_folders,
    load_approvals,
    load_revocations,
    read_manifest,
)
from pipeline.batch.sent import SENT_NAME, SentError, load_sent, record_sent
from pipeline.cli import main
from pipeline.config import load_config
from serve.conftest import BATCH, INPUTS

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
LATER = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def test_revoking_moves_the_approval_to_the_history(out_dir):
    batch = out_dir / BATCH
    approve_cases(batch, ["2026-0142"], "佐藤", now=NOW)
    revocation = revoke_approval(batch, "2026-0142", "鈴木", "売却価格の誤り", now=LATER)
    assert load_approvals(batch) == []  # every reader, an older ninbai too, sees it unapproved
    [kept] = load_revocations(batch)
    assert kept == revocation
    assert (kept.approval.by, kept.by, kept.at, kept.reason) == \
        ("佐藤", "鈴木", "2026-11-30T10:00:00+00:00", "売却価格の誤り")
    data = json.loads((batch / APPROVALS_NAME).read_text("utf-8"))
    assert data["schema"] == "approvals/1" and data["approvals"] == []
    assert "未承認" in (batch / "index.html").read_text("utf-8")
    # the next build may replace the revision in place again
    assert next_revision(batch, "2026-0142", set(approved_folders(load_approvals(batch)))) == 1


def test_an_approval_after_a_revocation_keeps_the_revocation(out_dir):
    batch = out_dir / BATCH
    approve_cases(batch, ["2026-0142"], "佐藤", now=NOW)
    revoke_approval(batch, "2026-0142", "鈴木", "確認漏れ", now=LATER)
    approve_cases(batch, ["2026-0142"], "鈴木", now=LATER)
    assert [a.by for a in load_approvals(batch)] == ["鈴木"]
    assert [r.reason for r in load_revocations(batch)] == ["確認漏れ"]


@pytest.mark.parametrize("case_id,by,reason,expected", [
    ("2026-0142", "佐藤", "誤り", "承認の記録がない"),
    ("2026-0142", "佐藤", "  ", "理由"),
    ("2026-0142", " ", "誤り", "名前"),
])
def test_nothing_to_revoke_or_no_reason_is_refused(out_dir, case_id, by, reason, expected):
    with pytest.raises(ApproveError, match=expected):
        revoke_approval(out_dir / BATCH, case_id, by, reason)
    assert not (out_dir / BATCH / APPROVALS_NAME).exists()


def test_ninbai_revoke_on_the_command_line(out_dir):
    batch = out_dir / BATCH
    approve_cases(batch, ["2026-0142"], "佐藤", now=NOW)
    runner = CliRunner()
    args = ["--config", str(INPUTS / "ninbai.toml"), "revoke", str(batch), "2026-0142"]
    result = runner.invoke(main, [*args, "--by", "鈴木", "--reason", "差し替え"])
    assert result.exit_code == 0, result.output
    assert "承認を取り消しました: 2026-0142" in result.output
    again = runner.invoke(main, [*args, "--by", "鈴木", "--reason", "差し替え"])
    assert again.exit_code == 2 and "承認の記録がない" in again.output


def packet_of(out_dir: Path) -> str:
    return read_manifest(out_dir / BATCH).find("2026-0142").packets[0]["pdf"]


def test_a_sending_is_recorded_and_shown_on_index_html(out_dir):
    batch = out_dir / BATCH
    before = (batch / "index.html").read_text("utf-8")
    assert "未送付" in before and "送付済み" not in before
    record_sent(batch, "2026-0142", packet_of(out_dir), date(2026, 12, 1), "郵送", "佐藤", now=NOW)
    [sending] = load_sent(batch)
    assert (sending.case_id, sending.folder, sending.packet, sending.sent_on, sending.method,
            sending.by) == ("2026-0142", "2026-0142", packet_of(out_dir), "2026-12-01", "郵送",
                            "佐藤")
    assert "送付済み 2026-12-01 郵送（佐藤）" in (batch / "index.html").read_text("utf-8")
    assert (batch / SENT_NAME).stat().st_mode & 0o777 == 0o600


def test_a_correction_is_a_new_entry_and_the_latest_counts(out_dir):
    batch = out_dir / BATCH
    record_sent(batch, "2026-0142", packet_of(out_dir), date(2026, 12, 1), "郵送", "佐藤", now=NOW)
    record_sent(batch, "2026-0142", packet_of(out_dir), date(2026, 12, 2), "FAX", "佐藤",
                now=LATER)
    assert [s.sent_on for s in load_sent(batch)] == ["2026-12-01", "2026-12-02"]
    assert "送付済み 2026-12-02 FAX（佐藤）" in (batch / "index.html").read_text("utf-8")


@pytest.mark.parametrize("case_id,packet,method,by,expected", [
    ("2026-0142", "2026-0142/manifest.json", "FAX", "佐藤", "今の版にありません"),
    ("2026-9999", None, "FAX", "佐藤", "今の版にありません"),
    ("2026-0142", None, "伝書鳩", "佐藤", "送付方法"),
    ("2026-0142", None, "FAX", "", "名前"),
])
def test_a_wrong_sending_is_refused(out_dir, case_id, packet, method, by, expected):
    with pytest.raises(SentError, match=expected):
        record_sent(out_dir / BATCH, case_id, packet or packet_of(out_dir), date(2026, 12, 1),
                    method, by)
    assert not (out_dir / BATCH / SENT_NAME).exists()


def test_a_damaged_sent_json_is_never_taken_as_nothing_sent(out_dir):
    batch = out_dir / BATCH
    (batch / SENT_NAME).write_text("{broken", "utf-8")
    with pytest.raises(Exception, match="壊れていて読めません"):
        record_sent(batch, "2026-0142", packet_of(out_dir), date(2026, 12, 1), "FAX", "佐藤")
    assert (batch / SENT_NAME).read_text("utf-8") == "{broken"


def test_users_and_serve_settings_rebuild_no_case(tmp_path):
    base = (INPUTS / "ninbai.toml").read_text("utf-8")
    plain, with_users = tmp_path / "a.toml", tmp_path / "b.toml"
    plain.write_text(base, "utf-8")
    with_users.write_text(base + '\n[serve]\nsession_idle_hours = 2\n\n[users]\n'
                          '"佐藤" = "scrypt:32768:8:1$abc$def"\n', "utf-8")
    assert load_config(with_users).users == {"佐藤": "scrypt:32768:8:1$abc$def"}
    assert load_config(with_users).serve.session_idle_hours == 2
    assert load_config(with_users).digest() == load_config(plain).digest()
