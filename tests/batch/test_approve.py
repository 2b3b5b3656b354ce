"""承認: who, when, the hash of every file; approved files are never touched again."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from batch.test_batch import results, run, write_input
from pipeline.batch.approve import ApproveError, approve_cases, latest_revision, next_revision
from pipeline.batch.lock import BatchLocked, batch_lock
from pipeline.batch.manifest import load_approvals, load_manifest, sha256_file

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (revision subfolders included)."""
    return {str(p.relative_to(folder)): sha256_file(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def built(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "B"), write_input(src, "C", status="error")]
    result = run(tmp_path, inputs)
    return tmp_path, inputs, result.batch_dir


def test_approval_records_who_when_and_every_hash(built):
    _, _, batch_dir = built
    result = approve_cases(batch_dir, ["A"], "佐藤 花子", now=NOW)
    assert result.problems == [] and [a.case_id for a in result.approved] == ["A"]
    [approval] = load_approvals(batch_dir)
    assert (approval.by, approval.at, approval.folder, approval.revision) == \
        ("佐藤 花子", "2026-11-30T09:15:00+00:00", "A", 1)
    assert approval.files == hashes(batch_dir / "A")
    assert "承認済み" in (batch_dir / "index.html").read_text("utf-8")


def test_unknown_failed_or_tampered_cases_are_refused(built):
    _, _, batch_dir = built
    (batch_dir / "B" / "01_申請書.pdf").write_bytes(b"edited by hand")
    result = approve_cases(batch_dir, ["nope", "C", "B", "A"], "佐藤", now=NOW)
    assert [a.case_id for a in result.approved] == ["A"]
    assert [p.split(":")[0] for p in result.problems] == ["nope", "C", "B"]
    assert [a.case_id for a in load_approvals(batch_dir)] == ["A"]


def test_extra_or_missing_files_are_a_mismatch(built):
    _, _, batch_dir = built
    (batch_dir / "A" / "extra.pdf").write_bytes(b"x")
    (batch_dir / "B" / "case.json").unlink()
    assert len(approve_cases(batch_dir, ["A", "B"], "佐藤", now=NOW).problems) == 2


def test_approving_twice_records_once(built):
    _, _, batch_dir = built
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    again = approve_cases(batch_dir, ["A"], "鈴木", now=NOW)
    assert again.already == ["A"] and again.approved == []
    assert len(load_approvals(batch_dir)) == 1


def test_not_a_batch_folder_or_no_name(tmp_path, built):
    with pytest.raises(ApproveError):
        approve_cases(tmp_path, ["A"], "佐藤")
    with pytest.raises(ApproveError):
        approve_cases(built[2], ["A"], "  ")


def test_approve_takes_the_batch_lock(built):
    _, _, batch_dir = built
    with batch_lock(batch_dir), pytest.raises(BatchLocked):
        approve_cases(batch_dir, ["A"], "佐藤")


def test_changed_input_after_approval_goes_to_a_new_revision(built):
    tmp_path, inputs, batch_dir = built
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    approved = hashes(batch_dir / "A")

    write_input(tmp_path / "in", "A", version=2)
    result = run(tmp_path, inputs)
    assert results(result)["A"] == ("ok", "built")
    assert {k: v for k, v in hashes(batch_dir / "A").items() if "/" not in k} == approved
    assert (batch_dir / "A" / "rev2" / "01_申請書.pdf").read_bytes() == b"%PDF A 2"
    record = load_manifest(batch_dir).find("A")
    assert (record.folder, record.revision) == ("A/rev2", 2)
    assert record.outputs[0]["path"].startswith("A/rev2/")
    html = (batch_dir / "index.html").read_text("utf-8")
    assert "承認済みの版" in html and "未承認" in html

    # rev2 is not approved: a further change replaces it in place
    write_input(tmp_path / "in", "A", version=3)
    run(tmp_path, inputs)
    assert latest_revision(batch_dir, "A") == 2
    assert (batch_dir / "A" / "rev2" / "01_申請書.pdf").read_bytes() == b"%PDF A 3"
    assert {k: v for k, v in hashes(batch_dir / "A").items() if "/" not in k} == approved

    # once rev2 is approved too, the next change makes rev3
    approve_cases(batch_dir, ["A"], "鈴木", now=NOW)
    write_input(tmp_path / "in", "A", version=4)
    run(tmp_path, inputs)
    assert latest_revision(batch_dir, "A") == 3
    assert load_manifest(batch_dir).find("A").folder == "A/rev3"
    assert [a.folder for a in load_approvals(batch_dir)] == ["A", "A/rev2"]


def test_force_never_overwrites_an_approved_case(built):
    tmp_path, inputs, batch_dir = built
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    approved = hashes(batch_dir / "A")
    run(tmp_path, inputs, force=True)
    assert {k: v for k, v in hashes(batch_dir / "A").items() if "/" not in k} == approved
    assert next_revision(batch_dir, "A", {"A"}) == 2  # rev2 exists and is not approved


def test_an_approved_case_whose_input_now_fails_keeps_its_files(built):
    tmp_path, inputs, batch_dir = built
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    approved = hashes(batch_dir / "A")
    write_input(tmp_path / "in", "A", status="error")
    result = run(tmp_path, inputs)
    assert results(result)["A"] == ("error", "failed")
    assert hashes(batch_dir / "A") == approved


def test_approvals_file_is_plain_json(built):
    _, _, batch_dir = built
    approve_cases(batch_dir, ["A", "B"], "佐藤", now=NOW)
    data = json.loads((batch_dir / "approvals.json").read_text("utf-8"))
    assert data["schema"] == "approvals/1"
    assert [a["case_id"] for a in data["approvals"]] == ["A", "B"]


def test_cli_approve_exit_codes(built):
    from click.testing import CliRunner

    from pipeline.cli import main

    tmp_path, _, batch_dir = built
    ok = CliRunner().invoke(main, ["approve", str(batch_dir), "A", "--by", "佐藤 花子"])
    assert ok.exit_code == 0 and "A" in ok.output
    bad = CliRunner().invoke(main, ["approve", str(batch_dir), "B", "nope", "--by", "佐藤"])
    assert bad.exit_code == 1
    assert [a.case_id for a in load_approvals(batch_dir)] == ["A", "B"]
    assert CliRunner().invoke(main, ["approve", str(tmp_path / "x"), "A", "--by", "佐藤"]) \
        .exit_code == 2
    assert CliRunner().invoke(main, ["approve", str(batch_dir), "A"]).exit_code == 2  # no --by
    with batch_lock(batch_dir):
        locked = CliRunner().invoke(main, ["approve", str(batch_dir), "B", "--by", "佐藤"])
    assert locked.exit_code == 2
