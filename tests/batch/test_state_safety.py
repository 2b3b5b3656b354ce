"""Approved and generated data survive links, hand deletions, full disks, staff files, renamed
workbooks, damaged state files and stray locks (issue 12, items 1–7 and the batch's minor ones).

Each test drives the real ``run_batch`` / ``approve_cases`` / ``ninbai`` over the fake build of
``batch.test_batch`` (a "workbook" is JSON; its documents are small byte strings).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch.test_approve import hashes
from batch.test_batch import (
    BATCH_DATE,
    FakeConfig,
    fake_build,
    no_renderer,
    results,
    run,
    write_input,
)
from pipeline import batch
from pipeline.batch import BatchRequest, plan
from pipeline.batch.approve import approve_cases
from pipeline.batch.lock import BatchLocked
from pipeline.batch.manifest import (
    load_approvals,
    load_manifest,
    standing_approvals,
)
from pipeline.batch.review import review_cases, review_lines
from pipeline.cli import main

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def two_cases(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "B")]
    result = run(tmp_path, inputs)
    return tmp_path, inputs, result.batch_dir


# ---------------------------------------------------------------------------------------------
# 1. Retraction never deletes through a link, never an approved folder
# ---------------------------------------------------------------------------------------------


def test_retraction_does_not_follow_a_link_to_an_approved_folder(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    approved = hashes(batch_dir / "A")
    shutil.rmtree(batch_dir / "B")
    (batch_dir / "B").symlink_to("A")  # B's folder replaced by a link to its approved sibling
    write_input(tmp_path / "in", "B", status="error")
    result = run(tmp_path, inputs)
    assert results(result) == {"A": ("ok", "unchanged"), "B": ("error", "failed")}
    assert hashes(batch_dir / "A") == approved
    assert not os.path.lexists(batch_dir / "B")  # the link itself went, not what it points to
    assert standing_approvals(batch_dir, load_approvals(batch_dir))


def test_retraction_does_not_follow_a_link_to_an_approved_folder_outside_the_case(tmp_path):
    """A link in the middle of the path (B/rev2 where B is a link) is not walked either."""
    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "B")]
    batch_dir = run(tmp_path, inputs).batch_dir
    approve_cases(batch_dir, ["A", "B"], "佐藤", now=NOW)
    write_input(src, "B", version=2)
    run(tmp_path, inputs)  # B/rev2, not approved
    assert load_manifest(batch_dir).find("B").folder == "B/rev2"
    (batch_dir / "A" / "rev2").mkdir()
    (batch_dir / "A" / "rev2" / "keep.pdf").write_bytes(b"approved elsewhere")
    shutil.rmtree(batch_dir / "B")
    (batch_dir / "B").symlink_to("A")
    write_input(src, "B", status="error")
    run(tmp_path, inputs)
    assert (batch_dir / "A" / "rev2" / "keep.pdf").read_bytes() == b"approved elsewhere"


@pytest.mark.parametrize("folder", ["../victim", "A", "B/..", "/tmp"])
def test_retraction_only_of_folder_names_a_build_writes(two_cases, folder):
    """A hand-edited manifest cannot make retraction delete another folder."""
    tmp_path, inputs, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    victim = batch_dir.parent / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep")
    path = batch_dir / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    data["inputs"][1]["folder"] = folder
    path.write_text(json.dumps(data), "utf-8")
    write_input(tmp_path / "in", "B", status="error")
    before = hashes(batch_dir / "A")
    run(tmp_path, inputs)
    assert (victim / "keep.txt").read_text() == "keep"
    assert hashes(batch_dir / "A") == before and Path("/tmp").is_dir()


# ---------------------------------------------------------------------------------------------
# 2. An approval is shown only while its files still have its sha256
# ---------------------------------------------------------------------------------------------


def test_an_approved_folder_deleted_by_hand_is_not_shown_as_approved(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    shutil.rmtree(batch_dir / "A")
    write_input(tmp_path / "in", "A", version=2)
    result = run(tmp_path, inputs)
    assert results(result)["A"] == ("ok", "built")
    record = load_manifest(batch_dir).find("A")
    assert record.folder == "A/rev2"  # a new revision, never the folder the approval names
    assert (batch_dir / "A" / "rev2" / "01_申請書.pdf").read_bytes() == b"%PDF A 2"
    cases = review_cases(load_manifest(batch_dir),
                         standing_approvals(batch_dir, load_approvals(batch_dir)))
    [line] = [line for line in review_lines(cases) if line.startswith("A ")]
    assert "未承認" in line and "承認済み" not in line
    html = (batch_dir / "index.html").read_text("utf-8")
    assert "承認済み" not in html[html.index('class="case '):]  # the summary's column heading aside
    shown = cli("review", str(batch_dir))
    assert "承認済み" not in shown.output

    again = approve_cases(batch_dir, ["A"], "鈴木", now=NOW)
    assert again.already == [] and [a.folder for a in again.approved] == ["A/rev2"]


def test_an_approved_file_changed_by_hand_is_not_shown_as_approved(two_cases):
    _, _, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    (batch_dir / "A" / "01_申請書.pdf").write_bytes(b"edited")
    assert standing_approvals(batch_dir, load_approvals(batch_dir)) == []
    shown = cli("review", str(batch_dir))
    assert "承認済み" not in shown.output
    result = approve_cases(batch_dir, ["A"], "鈴木", now=NOW)
    assert result.already == [] and len(result.problems) == 1


# ---------------------------------------------------------------------------------------------
# 3. A write failure keeps what was there
# ---------------------------------------------------------------------------------------------


def failing_writes(monkeypatch, after: int) -> None:
    """Every file write after the first ``after`` fails as on a full disk."""
    real, count = plan.write_new_file, [0]

    def write(path, data):
        count[0] += 1
        if count[0] > after:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, data)

    monkeypatch.setattr(plan, "write_new_file", write)


@pytest.mark.parametrize("after", [0, 2, 4])
def test_a_full_disk_keeps_the_previous_documents(two_cases, monkeypatch, after):
    tmp_path, inputs, batch_dir = two_cases
    before = hashes(batch_dir)
    failing_writes(monkeypatch, after)
    result = run(tmp_path, inputs, force=True)
    failed = [r for r in result.processed if r.status == "error"]
    assert failed and all(r.errors[0]["code"] == "output_failed" for r in failed)
    assert "ディスクの空き容量が足りません" in failed[0].errors[0]["message"]
    assert "No space" not in failed[0].errors[0]["message"]
    # the case folders as they were (履歴/ is a view, like index.html: it now tells the failure)
    assert {k: v for k, v in hashes(batch_dir).items() if "/" in k and not k.startswith("履歴/")} \
        == {k: v for k, v in before.items() if "/" in k and not k.startswith("履歴/")}
    assert result.exit_code == 1
    # the kept documents stay listed, so nothing is orphaned; the next run rebuilds them
    assert {r.folder for r in load_manifest(batch_dir).inputs} == {"A", "B"}
    monkeypatch.undo()
    rerun = run(tmp_path, inputs)
    assert {r.status for r in rerun.processed} == {"ok"}
    assert not any(p.name.startswith((".tmp-", ".old-")) for p in batch_dir.iterdir())


def test_a_crash_keeps_the_previous_documents_but_invalid_input_retracts_them(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    before = hashes(batch_dir / "A")
    write_input(tmp_path / "in", "A", **{"raise": True})
    assert results(run(tmp_path, inputs))["A"] == ("error", "failed")
    assert hashes(batch_dir / "A") == before
    assert approve_cases(batch_dir, ["A"], "佐藤", now=NOW).problems  # a failed case: no approval
    write_input(tmp_path / "in", "A", status="error")
    run(tmp_path, inputs)
    assert not (batch_dir / "A").exists()


def test_a_failed_final_rename_puts_the_old_folder_back(tmp_path, monkeypatch):
    from pipeline.batch import atomic

    target, work = tmp_path / "A", tmp_path / ".tmp-A"
    target.mkdir()
    (target / "old.pdf").write_bytes(b"old")
    work.mkdir()
    real = os.replace

    def replace(src, dst):
        if Path(src) == work:
            raise OSError(errno.EIO, "I/O error")
        real(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    with pytest.raises(OSError):
        atomic.install_dir(work, target)
    assert (target / "old.pdf").read_bytes() == b"old"


def test_an_old_folder_moved_aside_by_a_killed_run_is_put_back(two_cases):
    """Killed between moving the old folder aside and the new one in: the old one (with the
    staff file in it) comes back; the new documents are built again."""
    tmp_path, inputs, batch_dir = two_cases
    (batch_dir / "A" / "メモ.txt").write_text("note", "utf-8")
    before = hashes(batch_dir / "A")
    (batch_dir / "A").rename(batch_dir / ".old-A-0123abcd")
    (batch_dir / ".tmp-A-89abcdef").mkdir()  # the new folder the killed run did not move in
    result = run(tmp_path, inputs)
    assert result.leftovers == [".old-A-0123abcd", ".tmp-A-89abcdef"]
    assert hashes(batch_dir / "A") == before
    assert results(result)["A"] == ("ok", "unchanged")


def test_an_old_revision_moved_aside_goes_back_into_its_case_folder(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "A")]
    batch_dir = run(tmp_path, inputs).batch_dir
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    write_input(src, "A", version=2)
    run(tmp_path, inputs)
    (batch_dir / "A" / "rev2" / "メモ.txt").write_text("note", "utf-8")
    before = hashes(batch_dir / "A" / "rev2")
    (batch_dir / "A" / "rev2").rename(batch_dir / ".old-A~rev2-0123abcd")
    run(tmp_path, inputs)
    assert hashes(batch_dir / "A" / "rev2") == before


@pytest.fixture
def small_disk(tmp_path):
    """A 400 kB tmpfs (root only): a real full disk."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_really_full_disk_keeps_the_previous_documents(tmp_path, small_disk):
    src = tmp_path / "in"
    inputs = [write_input(src, "A", files={"big.pdf": "x" * 100_000})]
    templates = tmp_path / "templates"
    templates.mkdir()

    def build_into(out: Path, force: bool = False):
        return batch.run_batch(BatchRequest(tuple(inputs), out, "b", BATCH_DATE, force=force),
                               FakeConfig(), build=fake_build, make_renderer=no_renderer,
                               templates=templates)

    first = build_into(small_disk)
    batch_dir = first.batch_dir
    before = hashes(batch_dir / "A")
    free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
    (small_disk / "filler").write_bytes(b"\0" * (free - 60_000))  # room for the manifest only
    second = build_into(small_disk, force=True)
    assert [e["code"] for e in second.processed[0].errors] == ["output_failed"]
    assert hashes(batch_dir / "A") == before


# ---------------------------------------------------------------------------------------------
# 4. Files staff put into a case folder
# ---------------------------------------------------------------------------------------------


def test_a_staff_file_is_carried_into_the_rebuilt_folder(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    (batch_dir / "A" / "メモ.txt").write_text("債権者に電話済み", "utf-8")
    (batch_dir / "A" / "写し").mkdir()
    (batch_dir / "A" / "写し" / "登記.pdf").write_bytes(b"copy")
    assert results(run(tmp_path, inputs))["A"] == ("ok", "unchanged")  # a note is not a change
    write_input(tmp_path / "in", "A", version=2)
    assert results(run(tmp_path, inputs))["A"] == ("ok", "built")
    assert (batch_dir / "A" / "01_申請書.pdf").read_bytes() == b"%PDF A 2"
    assert (batch_dir / "A" / "メモ.txt").read_text("utf-8") == "債権者に電話済み"
    assert (batch_dir / "A" / "写し" / "登記.pdf").read_bytes() == b"copy"


def test_a_staff_file_with_a_document_name_is_never_overwritten(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    (batch_dir / "A" / "02_追加.pdf").write_bytes(b"staff's own")
    before = hashes(batch_dir / "A")
    write_input(tmp_path / "in", "A", version=2, files={"02_追加.pdf": "generated"})
    result = run(tmp_path, inputs)
    record = result.processed[0]
    assert (record.status, record.errors[0]["code"]) == ("error", "output_conflict")
    assert "A/02_追加.pdf" in record.errors[0]["message"]
    assert hashes(batch_dir / "A") == before


def test_retraction_keeps_staff_files(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    (batch_dir / "A" / "メモ.txt").write_text("note", "utf-8")
    write_input(tmp_path / "in", "A", status="error")
    run(tmp_path, inputs)
    assert sorted(p.name for p in (batch_dir / "A").iterdir()) == ["メモ.txt"]


def test_a_note_in_an_approved_folder_makes_no_new_revision(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    (batch_dir / "A" / "メモ.txt").write_text("note", "utf-8")
    assert results(run(tmp_path, inputs))["A"] == ("ok", "unchanged")
    assert not (batch_dir / "A" / "rev2").exists()


def test_approve_names_a_staff_file_in_the_folder(two_cases):
    _, _, batch_dir = two_cases
    (batch_dir / "A" / "メモ.txt").write_text("note", "utf-8")
    [problem] = approve_cases(batch_dir, ["A"], "佐藤", now=NOW).problems
    assert "メモ.txt" in problem


# ---------------------------------------------------------------------------------------------
# 5. An input that no longer exists holds no case id
# ---------------------------------------------------------------------------------------------


def test_a_renamed_workbook_is_built(tmp_path):
    src = tmp_path / "in"
    old = write_input(src, "a", case_id="X")
    run(tmp_path, [old])
    new = src / "b.xlsx"
    old.rename(new)
    write_input(src, "b", case_id="X", version=2)
    result = run(tmp_path, [new])
    assert results(result) == {"b": ("ok", "built")} and result.exit_code == 0
    assert (result.batch_dir / "X" / "01_申請書.pdf").read_bytes() == b"%PDF X 2"
    assert [Path(r.path).name for r in load_manifest(result.batch_dir).inputs] == ["b.xlsx"]
    assert any("X" in n and "a.xlsx" in n for n in result.notices)


def test_a_deleted_workbook_loses_its_unapproved_documents_only(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "B"), write_input(src, "C")]
    batch_dir = run(tmp_path, inputs).batch_dir
    approve_cases(batch_dir, ["B"], "佐藤", now=NOW)
    approved = hashes(batch_dir / "B")
    inputs[0].unlink()
    inputs[1].unlink()
    result = run(tmp_path, [inputs[2]])
    assert [Path(r.path).name for r in load_manifest(batch_dir).inputs] == ["C.xlsx"]
    assert not (batch_dir / "A").exists()
    assert hashes(batch_dir / "B") == approved
    assert results(result) == {"C": ("ok", "unchanged")}


def test_an_input_in_a_missing_folder_keeps_its_record(tmp_path):
    """A folder that is not there (a share not connected) is not taken as deleted inputs."""
    inputs = [write_input(tmp_path / "share", "A"), write_input(tmp_path / "in", "B")]
    batch_dir = run(tmp_path, inputs).batch_dir
    (tmp_path / "share").rename(tmp_path / "away")
    run(tmp_path, [inputs[1]])
    assert (batch_dir / "A" / "case.json").is_file()
    assert load_manifest(batch_dir).find("A") is not None


# ---------------------------------------------------------------------------------------------
# 6. Damaged manifest.json and approvals.json
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", [b"", b'{"schema": "approvals/1", "appro', b"[]"])
def test_damaged_approvals_are_read_from_their_copy(two_cases, damage):
    tmp_path, inputs, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    approved = hashes(batch_dir / "A")
    (batch_dir / "approvals.json").write_bytes(damage)
    write_input(tmp_path / "in", "A", version=2)
    result = run(tmp_path, inputs)
    assert {k: v for k, v in hashes(batch_dir / "A").items() if "/" not in k} == approved
    assert load_manifest(batch_dir).find("A").folder == "A/rev2"
    assert any("approvals.json" in n and "approvals.json.bak" in n for n in result.notices)
    assert [a.folder for a in load_approvals(batch_dir)] == ["A"]  # written back whole
    assert json.loads((batch_dir / "approvals.json").read_text("utf-8"))["approvals"]


def test_approvals_unreadable_with_no_copy_stop_every_command_naming_the_file(two_cases, monkeypatch):
    tmp_path, _, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    (batch_dir / "approvals.json").write_bytes(b'{"schema": "appro')
    (batch_dir / "approvals.json.bak").unlink()
    monkeypatch.setattr(batch, "build_case", fake_build)
    monkeypatch.setattr(batch, "warm_renderer", no_renderer)
    monkeypatch.setattr(batch, "document_templates", lambda: tmp_path / "templates")
    for args in (["build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--batch", "b",
                  "--date", "2026-11-30", "--force"],
                 ["review", str(batch_dir)],
                 ["approve", str(batch_dir), "B", "--by", "佐藤"]):
        done = cli(*args)
        assert done.exit_code == 2, (args, done.output)
        assert "approvals.json" in done.output and "予期しない" not in done.output
        assert "バックアップから戻す" in done.output
    assert hashes(batch_dir / "A")  # nothing was rebuilt over the approved folder


def test_approve_reads_damaged_approvals_from_the_copy_and_keeps_them(two_cases):
    _, _, batch_dir = two_cases
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    (batch_dir / "approvals.json").write_bytes(b"")
    result = approve_cases(batch_dir, ["B"], "鈴木", now=NOW)
    assert result.notices and [a.case_id for a in load_approvals(batch_dir)] == ["A", "B"]


@pytest.mark.parametrize("damage", ["truncate", "missing-key", "wrong-type"])
def test_a_damaged_manifest_is_named_and_the_build_rebuilds(two_cases, damage):
    tmp_path, inputs, batch_dir = two_cases
    path = batch_dir / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "missing-key":
        del data["inputs"][0]["outputs"][0]["sha256"]
        path.write_text(json.dumps(data), "utf-8")
    else:
        data["inputs"][1]["outputs"] = "A/case.json"
        path.write_text(json.dumps(data), "utf-8")
    review = cli("review", str(batch_dir))
    assert review.exit_code == 2 and "manifest.json" in review.output
    assert "壊れて" in review.output and "ありません" not in review.output
    approve = cli("approve", str(batch_dir), "A", "--by", "佐藤")
    assert approve.exit_code == 2 and "壊れて" in approve.output
    result = run(tmp_path, inputs)
    assert result.exit_code == 0
    assert {r.result for r in result.processed} == {"built"}
    assert any("manifest.json" in n for n in result.notices)
    assert load_manifest(batch_dir) is not None


def test_a_manifest_from_before_a_new_build_key_field_rebuilds_silently(two_cases):
    tmp_path, inputs, batch_dir = two_cases
    path = batch_dir / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    del data["config_digest"]
    path.write_text(json.dumps(data), "utf-8")
    result = run(tmp_path, inputs)
    assert {r.result for r in result.processed} == {"built"} and result.notices == []


# ---------------------------------------------------------------------------------------------
# 7. The lock file
# ---------------------------------------------------------------------------------------------


def test_a_lock_that_is_a_symlink_is_not_followed(tmp_path):
    batch_dir = tmp_path / "out" / "b"
    batch_dir.mkdir(parents=True)
    outside = tmp_path / "outside-file"
    (batch_dir / ".lock").symlink_to(outside)
    with pytest.raises(BatchLocked, match="シンボリックリンク"):
        run(tmp_path, [write_input(tmp_path / "in", "A")])
    assert not os.path.lexists(outside)
    assert not (batch_dir / "A").exists()


def test_approve_on_a_folder_that_is_not_a_batch_leaves_no_lock(tmp_path):
    folder = tmp_path / "documents"
    folder.mkdir()
    done = cli("approve", str(folder), "A", "--by", "佐藤")
    assert done.exit_code == 2 and "manifest.json" in done.output
    assert list(folder.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Minor: a read-only batch folder; case ids that differ only in case
# ---------------------------------------------------------------------------------------------


def test_approve_on_a_read_only_file_system_says_so(two_cases, monkeypatch):
    _, _, batch_dir = two_cases
    from pipeline.batch import manifest

    def read_only(path, data):
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(manifest, "write_atomic", read_only)
    done = cli("approve", str(batch_dir), "A", "--by", "佐藤")
    assert done.exit_code == 2
    assert "読み取り専用" in done.output and str(batch_dir) in done.output
    assert "予期しない" not in done.output and "Read-only" not in done.output


def test_approve_on_a_read_only_mount(two_cases):
    _, _, batch_dir = two_cases
    done = subprocess.run(["mount", "--bind", "-o", "ro", str(batch_dir), str(batch_dir)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("cannot bind-mount read-only here (needs root)")
    try:
        result = cli("approve", str(batch_dir), "A", "--by", "佐藤")
    finally:
        subprocess.run(["umount", str(batch_dir)], check=False)
    assert result.exit_code == 2, result.output
    assert "読み取り専用" in result.output and "予期しない" not in result.output


def test_case_ids_differing_only_in_case_are_one_case(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "a", case_id="2026-0142A"), write_input(src, "b", case_id="2026-0142a")]
    result = run(tmp_path, inputs)
    assert results(result) == {"a": ("ok", "built"), "b": ("error", "failed")}
    message = result.processed[1].errors[0]["message"]
    assert result.processed[1].errors[0]["code"] == "duplicate_case_id"
    assert "a.xlsx" in message and "b.xlsx" in message and "大文字・小文字" in message
    assert sorted(p.name for p in result.batch_dir.iterdir() if p.is_dir()) == ["2026-0142A", "履歴"]
