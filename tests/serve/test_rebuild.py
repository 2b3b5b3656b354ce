"""issue 17 part 4: 作り直し with a warm worker, through the batch's own code.

One ``WarmBuilder`` (one spawned worker with a warm renderer) serves the module. The sample
2026-0142 is built and approved; the rebuilds change its price, put it back, break a cell, ask for
a case that is not there and meet a held lock. Refusals change nothing in the batch folder.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from batch.test_compare import BATCH, SAMPLE, build, copy_sample, set_case_value

from pipeline.batch.approve import approve_cases
from pipeline.batch.compare import compare_case
from pipeline.batch.lock import batch_lock
from pipeline.batch.manifest import load_manifest
from pipeline.serve.rebuild import WarmBuilder, any_workbook, find_input

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """(out folder, batch folder, workbook) of the approved sample."""
    root = tmp_path_factory.mktemp("rebuild")
    workbook = copy_sample(root / "in")
    batch_dir = build(root / "out", workbook).batch_dir
    approve_cases(batch_dir, [SAMPLE], "佐藤", now=NOW)
    return root / "out", batch_dir, workbook


@pytest.fixture(scope="module")
def builder(office):
    from pipeline.config import load_config

    out, _, workbook = office
    assert any_workbook(out) == workbook  # the newest batch's built input warms the worker
    assert any_workbook(out / "nothing-here") is None
    with WarmBuilder(load_config(None)) as warm:
        warm.start(warm_up=workbook)
        yield warm


def snapshot(batch_dir: Path) -> dict[str, bytes]:
    """Every file of the batch folder (the lock file aside) and its bytes."""
    return {str(p.relative_to(batch_dir)): p.read_bytes() for p in sorted(batch_dir.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def test_a_changed_price_makes_rev2_and_going_back_is_approved_again(office, builder):
    out, batch_dir, workbook = office
    approved = {n: d for n, d in snapshot(batch_dir / SAMPLE).items() if "/" not in n}
    set_case_value(workbook, "売却価格", 15_000_000)
    result = builder.rebuild(out, BATCH, SAMPLE)
    assert {n: d for n, d in snapshot(batch_dir / SAMPLE).items() if "/" not in n} == approved
    assert (result.state, result.ok, result.folder, result.revision) == (
        "built", True, f"{SAMPLE}/rev2", 2)
    assert result.approved_revision == 1
    assert "承認済みの第1版はそのまま残し、新しい第2版を作りました" in result.message
    assert result.log_line.startswith(f"作り直し {SAMPLE}: 作り直しました（")
    assert {"read", "pdf", "docx"} <= set(result.timings)
    figures = {(f.section, f.label): (f.old, f.new) for f in compare_case(batch_dir, SAMPLE).figures}
    assert figures[("配分案", "売却価格")] == ("14,000,000円", "15,000,000円")
    assert load_manifest(batch_dir).find(SAMPLE).folder == f"{SAMPLE}/rev2"

    set_case_value(workbook, "売却価格", 14_000_000)
    again = builder.rebuild(out, BATCH, SAMPLE)
    assert (again.state, again.folder, again.revision) == ("same_as_approved", SAMPLE, 1)
    assert "承認済みのまま" in again.message
    assert not (batch_dir / SAMPLE / "rev2").exists()
    assert compare_case(batch_dir, SAMPLE) is None
    assert snapshot(batch_dir / SAMPLE) == approved


def test_a_case_not_in_the_batch_is_refused_and_nothing_changes(office, builder):
    out, batch_dir, _ = office
    before = snapshot(batch_dir)
    result = builder.rebuild(out, BATCH, "2026-9999")
    assert (result.state, result.ok) == ("refused", False)
    assert result.message == f"案件 2026-9999 はバッチ {BATCH} にありません。作り直していません。"
    assert builder.rebuild(out, "no-such-batch", SAMPLE).state == "refused"
    assert builder.rebuild(out, "../etc", SAMPLE).message == "バッチ名「../etc」は使えません。"
    assert snapshot(batch_dir) == before


def test_a_workbook_that_now_fails_is_refused_and_nothing_is_lost(office, builder):
    out, batch_dir, workbook = office
    original = workbook.read_bytes()
    before = snapshot(batch_dir)
    set_case_value(workbook, "売却価格", "未定")
    try:
        result = builder.rebuild(out, BATCH, SAMPLE)
    finally:
        workbook.write_bytes(original)
    assert result.state == "refused"
    assert result.message.startswith(f"ワークブック {SAMPLE}.xlsx に直すところがあるため、"
                                     f"{SAMPLE} は作り直していません。今ある書類はそのままです。")
    assert any(line.startswith("案件!B") and "未定" in line for line in result.details)
    assert snapshot(batch_dir) == before


def test_a_missing_workbook_is_refused(office, builder, tmp_path):
    out, batch_dir, workbook = office
    before = snapshot(batch_dir)
    moved = workbook.rename(tmp_path / workbook.name)
    try:
        result = builder.rebuild(out, BATCH, SAMPLE)
    finally:
        moved.rename(workbook)
    assert result.state == "refused" and f"ワークブック {SAMPLE}.xlsx が見つかりません" in result.message
    assert snapshot(batch_dir) == before


def test_a_held_lock_is_busy_and_nothing_changes(office, builder):
    out, batch_dir, workbook = office
    set_case_value(workbook, "売却価格", 15_500_000)
    before = snapshot(batch_dir)
    builder.lock_wait = 0.0
    try:
        with batch_lock(batch_dir):
            result = builder.rebuild(out, BATCH, SAMPLE)
    finally:
        builder.lock_wait = 5.0
        set_case_value(workbook, "売却価格", 14_000_000)
    assert result.state == "busy" and "使用中" in result.message and "何も変更していません" in result.message
    assert snapshot(batch_dir) == before


def test_the_input_is_found_by_case_id_or_file_name(office):
    _, batch_dir, workbook = office
    manifest = load_manifest(batch_dir)
    assert find_input(manifest, SAMPLE).path == str(workbook)
    assert find_input(manifest, workbook.stem).path == str(workbook)
    assert find_input(manifest, "2026-9999") is None


def test_a_failed_workbook_once_corrected_is_built(builder, tmp_path):
    """The use of 作り直し: the month's build failed on a cell, staff corrected it, clicked."""
    workbook = copy_sample(tmp_path / "in")
    set_case_value(workbook, "売却価格", "未定")
    failed = build(tmp_path / "out", workbook)
    record = failed.processed[0]
    assert (record.status, record.case_id, record.folder) == ("error", None, "")

    set_case_value(workbook, "売却価格", 14_000_000)
    result = builder.rebuild(tmp_path / "out", BATCH, workbook.stem)  # by its file name
    assert (result.state, result.case_id, result.folder, result.revision) == (
        "built", SAMPLE, SAMPLE, 1)
    assert result.message == f"{SAMPLE} を作り直しました（第1版・未承認）。書類を確かめてから承認してください。"
    record = load_manifest(failed.batch_dir).find(SAMPLE)
    assert record.status in ("ok", "warn") and record.errors == []
    assert (failed.batch_dir / SAMPLE / "case.json").is_file()


def test_a_rebuild_compares_with_the_approval_of_an_earlier_batch(tmp_path, builder):
    """The server's rebuild looks at the earlier batches as ``ninbai build`` does: its case.json
    names the October approval the change table compares with, and the manifest records it, so
    the next ``ninbai build`` of the batch finds the case unchanged (before the fix, the rebuild
    passed its own build function and the earlier batches were not looked at)."""
    import json
    from datetime import date

    from pipeline.batch import BatchRequest, run_batch
    from pipeline.config import load_config

    out, workbook = tmp_path / "out", copy_sample(tmp_path / "in")
    config = load_config(None)
    october = run_batch(BatchRequest((workbook,), out, "2026-10-30", date(2026, 10, 30), jobs=1),
                        config)
    approve_cases(october.batch_dir, [SAMPLE], "佐藤", now=NOW)
    november = build(out, workbook).batch_dir
    set_case_value(workbook, "売却価格", 13_500_000)
    result = builder.rebuild(out, BATCH, SAMPLE)
    assert result.state == "built", result.message
    data = json.loads((november / SAMPLE / "case.json").read_text("utf-8"))
    assert data["sale"]["price"] == 13_500_000
    assert data["earlier_approved"]["batch"] == "2026-10-30"
    assert load_manifest(november).find(SAMPLE).earlier.startswith(f"2026-10-30/{SAMPLE}@")
    again = build(out, workbook)
    assert [d.result for d in again.processed] == ["unchanged"]
