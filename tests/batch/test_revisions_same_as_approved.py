"""issue 17 part 3: a rebuild whose files are exactly the approved ones makes no new revision.

"A revision whose content is identical to the approved one is shown as approved": the builds are
reproducible, so the same input gives the same bytes, and the case stays at its approved
revision (approved, exported, listed as such) instead of waiting for a second review of nothing.
These use the batch tests' fake build (its files are fixed bytes per input version).
"""

from __future__ import annotations

from datetime import UTC, datetime

from batch.test_batch import results, run, write_input
from pipeline.batch.approve import approve_cases, latest_revision
from pipeline.batch.manifest import load_approvals, load_manifest, standing_approvals
from pipeline.batch.review import review_cases

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def approved_case(tmp_path):
    inputs = [write_input(tmp_path / "in", "A")]
    batch_dir = run(tmp_path, inputs).batch_dir
    approve_cases(batch_dir, ["A"], "佐藤", now=NOW)
    return inputs, batch_dir


def current_approval(batch_dir, case_id):
    manifest = load_manifest(batch_dir)
    standing = standing_approvals(batch_dir, load_approvals(batch_dir))
    return next(c for c in review_cases(manifest, standing) if c.record.case_id == case_id)


def test_a_forced_rebuild_with_the_same_files_stays_approved(tmp_path):
    inputs, batch_dir = approved_case(tmp_path)
    result = run(tmp_path, inputs, force=True)
    assert results(result)["A"] == ("ok", "built")
    record = load_manifest(batch_dir).find("A")
    assert (record.folder, record.revision) == ("A", 1)
    assert not (batch_dir / "A" / "rev2").exists()
    assert current_approval(batch_dir, "A").approval.by == "佐藤"
    assert any("承認済みの版（A）と同じ内容" in n for n in result.notices)
    # approve says it is approved already; nothing is added to approvals.json
    again = approve_cases(batch_dir, ["A"], "鈴木", now=NOW)
    assert again.already == ["A"] and len(load_approvals(batch_dir)) == 1


def test_going_back_to_the_approved_input_retracts_the_unapproved_revision(tmp_path):
    inputs, batch_dir = approved_case(tmp_path)
    write_input(tmp_path / "in", "A", version=2)
    run(tmp_path, inputs)
    assert load_manifest(batch_dir).find("A").folder == "A/rev2"
    (batch_dir / "A" / "rev2" / "メモ.txt").write_text("担当メモ", "utf-8")  # staff's own file

    write_input(tmp_path / "in", "A")  # the workbook as it was approved
    run(tmp_path, inputs)
    record = load_manifest(batch_dir).find("A")
    assert (record.folder, record.revision) == ("A", 1)
    assert current_approval(batch_dir, "A").approval is not None
    # the stale letters of rev2 are gone; the staff file stays
    assert sorted(p.name for p in (batch_dir / "A" / "rev2").iterdir()) == ["メモ.txt"]
    html = (batch_dir / "index.html").read_text("utf-8")
    assert "承認済み" in html


def test_a_different_build_after_approval_still_makes_a_new_revision(tmp_path):
    inputs, batch_dir = approved_case(tmp_path)
    write_input(tmp_path / "in", "A", version=2)
    run(tmp_path, inputs)
    assert latest_revision(batch_dir, "A") == 2
    assert current_approval(batch_dir, "A").approval is None


def test_an_approved_folder_changed_by_hand_is_not_taken_as_the_same(tmp_path):
    """The approval covers the bytes it names: when they are no longer on disk, the same build
    goes to a new revision, as before."""
    inputs, batch_dir = approved_case(tmp_path)
    (batch_dir / "A" / "01_申請書.pdf").write_bytes(b"%PDF changed by hand")
    run(tmp_path, inputs, force=True)
    record = load_manifest(batch_dir).find("A")
    assert (record.folder, record.revision) == ("A/rev2", 2)
    assert (batch_dir / "A" / "01_申請書.pdf").read_bytes() == b"%PDF changed by hand"
