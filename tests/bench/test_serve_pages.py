"""benchmarks.serve_pages: both pages requested, the hashed files counted, the report."""

from __future__ import annotations

from serve.conftest import BATCH, build_sample_batch

from benchmarks.serve_pages import counting_hashes, measure, report_lines, widen
from pipeline.batch.approve import approve_cases
from pipeline.batch.manifest import load_approvals, read_manifest, sha256_file

CASE = "2026-0142"


def test_a_built_and_approved_batch_is_measured(tmp_path):
    out = build_sample_batch(tmp_path, (CASE,))
    assert approve_cases(out / BATCH, [CASE], "測定").approved
    result = measure(out, BATCH, repeat=2)
    batch_page, case_page = result["pages"]
    assert (result["cases"], result["approvals"]) == (1, 1)
    assert batch_page["url"] == f"/b/{BATCH}/" and case_page["url"] == f"/b/{BATCH}/c/{CASE}/"
    assert batch_page["hashed_files"] == 0  # built here: every stamp as recorded
    files = load_approvals(out / BATCH)[0].files
    assert case_page["hashed_files"] >= len(files) and case_page["hashed_mb"] > 0
    assert all(p["runs"] == 2 and p["median_ms"] > 0 and p["cold_ms"] is None
               for p in result["pages"])
    text = "\n".join(report_lines(result))
    assert "1 cases, 1 approvals" in text and "0 files hashed" in text


def test_counting_hashes_restores_the_function(tmp_path):
    import pipeline.batch.manifest as manifest_module
    path = tmp_path / "a.txt"
    path.write_bytes(b"x")
    with counting_hashes() as seen:
        manifest_module.sha256_file(path)
    assert seen == [path] and manifest_module.sha256_file is sha256_file


def test_widen_copies_each_case_with_its_records(tmp_path):
    out = build_sample_batch(tmp_path, (CASE,))
    assert approve_cases(out / BATCH, [CASE], "測定").approved
    widen(out / BATCH, out / "wide", 3)
    manifest = read_manifest(out / "wide")
    assert [r.case_id for r in manifest.inputs] == [CASE, f"{CASE}_c1", f"{CASE}_c2"]
    copy = manifest.inputs[2]
    assert copy.folder == f"{CASE}_c2" and all(
        o["path"].startswith(f"{CASE}_c2/") and sha256_file(out / "wide" / o["path"]) == o["sha256"]
        for o in copy.outputs)
    assert all(p["pdf"].startswith(f"{CASE}_c2/") for p in copy.packets)
    assert {(a.case_id, a.folder) for a in load_approvals(out / "wide")} == {
        (CASE, CASE), (f"{CASE}_c1", f"{CASE}_c1"), (f"{CASE}_c2", f"{CASE}_c2")}
    result = measure(out, "wide", f"{CASE}_c1", repeat=1)
    batch_page, case_page = result["pages"]
    assert (result["cases"], result["approvals"]) == (3, 3)
    assert batch_page["hashed_files"] == 0  # the copies' stamps recorded: all three stand
    assert case_page["hashed_files"] >= len(copy.outputs)
