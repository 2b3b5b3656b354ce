"""benchmarks.batch: figures from a manifest, the targets, and the report."""

from __future__ import annotations

import json

from benchmarks.batch import (
    STAGES,
    BuildRun,
    figures,
    manifest_figures,
    median_lines,
    median_result,
    report_lines,
    targets,
)
from benchmarks.memory import Peak

MB = 1024 * 1024


def _record(case_id: str, result: str, outputs: list[str], pdf: float) -> dict:
    return {"case_id": case_id, "result": result, "outputs": [{"path": p} for p in outputs],
            "timings": {"read": 0.01, "docx": 0.02, "pdf": pdf}}


def test_manifest_figures_count_this_runs_documents_and_sum_stages(tmp_path):
    inputs = [_record("A", "built", ["A/x.pdf", "A/x.docx", "A/case.json"], 0.5),
              _record("B", "built", ["B/x.pdf", "B/y.pdf", "B/x.docx", "B/y.docx",
                                     "B/送付書類一式_東都銀行.pdf"], 0.25),
              _record("C", "failed", [], 0.0), _record("D", "unchanged", ["D/z.pdf"], 9.0)]
    (tmp_path / "manifest.json").write_text(json.dumps({"inputs": inputs}), "utf-8")
    found = manifest_figures(tmp_path)
    assert (found["built"], found["failed"], found["unchanged"]) == (2, 1, 1)
    assert (found["pdf"], found["docx"], found["packets"]) == (3, 3, 1)  # a packet is not laid out
    assert found["stages"]["pdf"] == 0.75 and found["stages"]["write"] == 0.0


def _result(cases: int, wall: float, pdf: int, rerun: float, rss_mb: float, ref: float) -> dict:
    counts = {"cases": cases, "built": cases, "failed": 0, "unchanged": 0, "pdf": pdf,
              "docx": pdf, "stages": {s: (wall if s == "pdf" else 0.0) for s in STAGES}}
    run = BuildRun(wall, 0, Peak(rss_sum=int(rss_mb * MB)), [1.0, wall - 1.0], (1.0,), (1.0,))
    again = BuildRun(rerun, 0, Peak(), [], (1.0,), (1.0,))
    reference = {"median": ref, "seconds": [ref] * 20, "cpu": [ref] * 20, "pages": 1}
    return figures(cases, 2, 1.0, (reference, reference), (run, counts),
                   (again, {**counts, "built": 0, "unchanged": cases}))


def test_targets_met_and_missed():
    met = _result(1000, 300.0, 4500, 1.8, 450, 0.1)  # 67 ms per PDF = 0.67 reference renders
    assert [t[2] for t in targets(met)] == [True, True, True, True, True]
    missed = _result(1000, 400.0, 4500, 30.0, 700, 0.1)
    assert [t[2] for t in targets(missed)] == [False, False, False, False, False]
    # the rerun's goal is a second plus a millisecond a case: 2.0 s at 1,000, 1.1 s at 100
    assert targets(_result(1000, 300.0, 4500, 2.1, 450, 0.1))[4][2] is False
    assert targets(_result(100, 30.0, 450, 1.05, 300, 0.1))[4][2] is True
    assert "1.80 ms/件" in "\n".join(report_lines(met))


def test_the_reference_speed_that_fits_1000_cases_in_6_minutes():
    # 0.67 reference renders a PDF, 4.5 PDFs a case: 4,500 × 0.67 × r ≤ 360 s  ⇔  r ≤ 0.12 s
    result = _result(100, 30.0, 450, 1.0, 300, 0.1)
    assert abs(result["reference_for_6_min_s"] - 0.12) < 1e-9
    assert "120 ms 以下" in "\n".join(report_lines(result))


def test_small_runs_project_the_1000_case_time_without_judging_it():
    small = _result(100, 30.0, 450, 1.0, 300, 0.1)
    assert small["projected_1000_s"] == 300.0
    assert targets(small)[1][2] is None


def test_report_shows_every_stage_and_the_ratio():
    text = "\n".join(report_lines(_result(100, 30.0, 450, 1.0, 300, 0.1)))
    for stage in ("read", "validate", "compute", "docx", "pdf", "write"):
        assert f"  {stage} " in text
    assert "0.67" in text


def test_repeated_runs_are_quoted_as_medians():
    runs = [_result(100, wall, 450, 1.0, rss, 0.1) for wall, rss in ((30.0, 300), (36.0, 500),
                                                                      (33.0, 310))]
    merged = median_result(runs)
    assert merged["full"]["wall"] == 33.0 and merged["full"]["peak"]["rss_sum"] == 310
    assert merged["runs"] == 3
    text = "\n".join(median_lines(runs))
    assert "33.0" in text and "(30.0 36.0 33.0)" in text
