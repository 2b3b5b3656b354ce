"""The month-end batch: isolation, whole-or-nothing folders, incremental runs, duplicates, locks.

Most tests inject a fake build (``fake_build``): its "workbooks" are small JSON files saying which
case id, status and files to produce, so the batch mechanics are tested without the real stages.
The real build runs end to end over a few sample workbooks in ``test_real_build_*``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest
from factory import copy_sample

from pipeline import batch
from pipeline.batch import BatchError, BatchRequest, plan, run_batch
from pipeline.batch.casebuild import CaseOutcome
from pipeline.batch.keyfigures import KeyFigures
from pipeline.batch.lock import BatchLocked, batch_lock
from pipeline.batch.manifest import load_manifest, sha256_file
from pipeline.batch.review import HISTORY_DIR
from pipeline.read.issues import CellRef, Issue
from pipeline.render.fonts import NAMES_FAMILY, PDF_FONT_FAMILIES, FontNotInstalled, font_digests
from pipeline.render.versions import library_versions

REPO = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]
BATCH_DATE = date(2026, 11, 30)


# ---------------------------------------------------------------------------------------------
# The fake build: a "workbook" is JSON {"case_id", "status", "sleep", "raise", "files", "debtor",
# "errors": [[code, message, raw, sheet, cell], …] of a failed one}
# ---------------------------------------------------------------------------------------------


class FakeConfig:
    review = SimpleNamespace(timezone="Asia/Tokyo")  # [review] of the real Config

    def __init__(self, digest: str = "config-1") -> None:
        self._digest = digest

    def digest(self) -> str:
        return self._digest


def no_renderer() -> None:
    return None


def fake_case_json(case_id: str, status: str, price: int) -> dict:
    return {
        "schema": "case/1", "case_id": case_id, "status": status,
        "sale": {"price": price, "liens": [
            {"rank": 1, "received": price - 100_000, "remaining": 5_000_000},
            {"rank": 2, "received": 100_000, "remaining": 2_000_000}],
            "seizures": [{"remaining": 30_000}]},
        "auction": {"advantage": 1_234_000},
        "repayment": {"monthly_total": 31_000},
        "warnings": [], "documents": [{"kind": "sale_request", "addressee": "東都みらい銀行",
                                       "docx": "01_申請書.docx", "pdf": "01_申請書.pdf"}],
    }


def fake_build(source: Path, config, batch_date: date, renderer) -> CaseOutcome:
    spec = json.loads(source.read_text("utf-8"))
    time.sleep(spec.get("sleep", 0))
    _wait_for(spec.get("wait_for"))
    if spec.get("raise"):
        raise RuntimeError("boom")
    case_id, status = spec.get("case_id"), spec.get("status", "ok")
    if status == "error":
        issues = [Issue(code, "error", message, CellRef(source.name, sheet, cell), raw)
                  for code, message, raw, sheet, cell in spec["errors"]] if "errors" in spec else \
            [Issue("yen_invalid", "error", "元金残高を金額として読めません", raw="1,2OO万")]
        return CaseOutcome(source, case_id, "error", issues)
    data = fake_case_json(case_id, status, spec.get("price", 10_000_000))
    warnings = [{"code": "moving_reduced", "severity": "warn", "message": "引越費用を減額しました"}] \
        if status == "warn" else []
    files = {"case.json": json.dumps(data, ensure_ascii=False).encode("utf-8"),
             "01_申請書.pdf": f"%PDF {case_id} {spec.get('version', 1)}".encode(),
             "01_申請書.docx": f"DOCX {case_id} {spec.get('version', 1)}".encode()}
    files.update({k: v.encode() for k, v in spec.get("files", {}).items()})
    price = data["sale"]["price"]
    figures = KeyFigures(debtor=spec.get("debtor", "山田 太郎"), price=price,
                         first_lien_received=price - 100_000, advantage=1_234_000,
                         remaining_total=7_030_000, monthly_total=31_000,
                         repayment_months=spec.get("months", 0))
    return CaseOutcome(source, case_id, status, [], warnings, files, data, {"read": 0.01}, figures)


def _wait_for(gate: str | None, seconds: float = 120) -> None:
    """Hold the build until the test creates ``gate``: a run that must still be running when
    the test acts, however slow the machine (a fixed sleep was not enough under load)."""
    deadline = time.monotonic() + seconds
    while gate and not Path(gate).exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def write_input(folder: Path, stem: str, **spec) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.xlsx"
    spec.setdefault("case_id", stem)
    path.write_text(json.dumps(spec, ensure_ascii=False), "utf-8")
    return path


def request(tmp_path: Path, inputs: list[Path], **options) -> BatchRequest:
    return BatchRequest(tuple(sorted(inputs)), tmp_path / "out", "b", BATCH_DATE, **options)


def run(tmp_path: Path, inputs: list[Path], config=None, **options):
    templates = tmp_path / "templates"
    templates.mkdir(exist_ok=True)
    return run_batch(request(tmp_path, inputs, **options), config or FakeConfig(),
                     build=fake_build, make_renderer=no_renderer, templates=templates)


def results(result) -> dict[str, tuple[str, str]]:
    return {Path(r.path).stem: (r.status, r.result) for r in result.processed}


# ---------------------------------------------------------------------------------------------
# Isolation and exit codes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_case_among_good_ones(tmp_path, jobs):
    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "B", status="error"),
              write_input(src, "C", **{"raise": True}), write_input(src, "D", status="warn")]
    result = run(tmp_path, inputs, jobs=jobs)
    assert result.exit_code == 1
    assert results(result) == {"A": ("ok", "built"), "B": ("error", "failed"),
                               "C": ("error", "failed"), "D": ("warn", "built")}
    assert result.counts() == {"built": 2, "warnings": 1, "failed": 2, "unchanged": 0}
    crashed = next(r for r in result.processed if r.path.endswith("C.xlsx"))
    assert [e["code"] for e in crashed.errors] == ["build_crashed"]
    assert "RuntimeError" in crashed.errors[0]["raw"]
    cases = sorted(p.name for p in result.batch_dir.iterdir() if not p.name.startswith("."))
    assert cases == ["A", "D", "index.html", "manifest.json", "summary.xlsx", "履歴"]


def test_all_good_exits_0_and_records_outputs(tmp_path):
    inputs = [write_input(tmp_path / "in", "A"), write_input(tmp_path / "in", "B")]
    result = run(tmp_path, inputs)
    assert result.exit_code == 0
    manifest = load_manifest(result.batch_dir)
    record = manifest.inputs[0]
    assert (record.case_id, record.folder, record.revision) == ("A", "A", 1)
    assert record.sha256 == sha256_file(inputs[0])
    for output in record.outputs:
        assert sha256_file(result.batch_dir / output["path"]) == output["sha256"]
    assert {Path(o["path"]).name for o in record.outputs} == {"case.json", "01_申請書.pdf",
                                                              "01_申請書.docx"}
    assert record.documents[0]["pdf"] == "A/01_申請書.pdf"
    assert record.figures == KeyFigures(debtor="山田 太郎", price=10_000_000,
                                        first_lien_received=9_900_000, advantage=1_234_000,
                                        remaining_total=7_030_000, monthly_total=31_000)
    assert set(record.timings) == {"read", "write"}


def test_private_modes(tmp_path):
    result = run(tmp_path, [write_input(tmp_path / "in", "A")])
    for path in [result.batch_dir, *result.batch_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def test_the_renderer_is_made_once_per_in_process_run(tmp_path):
    made = []

    def counting_renderer():
        made.append(1)
        return object()

    inputs = [write_input(tmp_path / "in", s) for s in "ABC"]
    templates = tmp_path / "templates"
    templates.mkdir()
    run_batch(request(tmp_path, inputs), FakeConfig(), build=fake_build,
              make_renderer=counting_renderer, templates=templates)
    assert made == [1]


def test_a_renderer_that_cannot_start_fails_each_case_not_the_batch(tmp_path):
    def broken_renderer():
        raise OSError("no fonts")

    templates = tmp_path / "templates"
    templates.mkdir()
    result = run_batch(request(tmp_path, [write_input(tmp_path / "in", "A")]), FakeConfig(),
                       build=fake_build, make_renderer=broken_renderer, templates=templates)
    assert results(result) == {"A": ("error", "failed")}
    assert result.exit_code == 1


def test_largest_workbooks_are_built_first(tmp_path):
    order = []

    def recording_build(source, config, batch_date, renderer):
        order.append(source.stem)
        return fake_build(source, config, batch_date, renderer)

    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "B", pad="x" * 500),
              write_input(src, "C", pad="x" * 100)]
    templates = tmp_path / "templates"
    templates.mkdir()
    run_batch(request(tmp_path, inputs), FakeConfig(), build=recording_build,
              make_renderer=no_renderer, templates=templates)
    assert order == ["B", "C", "A"]


def test_bad_batch_name_cannot_run(tmp_path):
    with pytest.raises(BatchError):
        run_batch(BatchRequest((), tmp_path, "../x", BATCH_DATE), FakeConfig(), build=fake_build,
                  make_renderer=no_renderer, templates=tmp_path)


# ---------------------------------------------------------------------------------------------
# Guards: case ids and file names that would escape the batch folder
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case_id", ["../evil", "..", ".hidden", "a/b", "x" * 41])
def test_unsafe_case_id_is_refused(tmp_path, case_id):
    result = run(tmp_path, [write_input(tmp_path / "in", "A", case_id=case_id)])
    assert results(result) == {"A": ("error", "failed")}
    assert [e["code"] for e in result.processed[0].errors] == ["output_failed"]
    assert not (tmp_path / "evil").exists() and not (tmp_path / "out" / "evil").exists()
    assert sorted(p.name for p in result.batch_dir.iterdir() if not p.name.startswith(".")) == \
        ["index.html", "manifest.json", "summary.xlsx"]


@pytest.mark.parametrize("name", ["../escape.pdf", ".hidden", "sub/x.pdf"])
def test_unsafe_file_name_fails_the_case_whole(tmp_path, name):
    result = run(tmp_path, [write_input(tmp_path / "in", "A", files={name: "x"})])
    assert results(result) == {"A": ("error", "failed")}
    assert not (result.batch_dir / "A").exists()
    assert not (result.batch_dir / "escape.pdf").exists()
    assert not any(p.name.startswith(".tmp-") for p in result.batch_dir.iterdir())


def test_case_folder_symlinked_outside_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (tmp_path / "out" / "b").mkdir(parents=True)
    (tmp_path / "out" / "b" / "A").symlink_to(outside)
    result = run(tmp_path, [write_input(tmp_path / "in", "A")])
    assert results(result) == {"A": ("error", "failed")}
    assert list(outside.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# Duplicate case ids
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_duplicate_case_id_first_file_wins(tmp_path, jobs):
    src = tmp_path / "in"
    # The later file is the larger one, so it is built (and written) first: the order of the
    # inputs, not the order of completion, decides.
    inputs = [write_input(src, "a-first", case_id="X", version=1),
              write_input(src, "b-second", case_id="X", version=2, pad="x" * 400)]
    result = run(tmp_path, inputs, jobs=jobs)
    assert results(result) == {"a-first": ("ok", "built"), "b-second": ("error", "failed")}
    loser = result.processed[1]
    assert [e["code"] for e in loser.errors] == ["duplicate_case_id"]
    assert "a-first.xlsx" in loser.errors[0]["message"]
    assert "b-second.xlsx" in loser.errors[0]["message"]
    assert (result.batch_dir / "X" / "01_申請書.pdf").read_bytes() == b"%PDF X 1"
    assert load_manifest(result.batch_dir).find("X").path.endswith("a-first.xlsx")


def test_duplicate_of_an_unchanged_case(tmp_path):
    src = tmp_path / "in"
    first = write_input(src, "a-first", case_id="X")
    run(tmp_path, [first])
    late = write_input(src, "b-late", case_id="X", version=2)
    result = run(tmp_path, [first, late])
    assert results(result) == {"a-first": ("ok", "unchanged"), "b-late": ("error", "failed")}
    assert (result.batch_dir / "X" / "01_申請書.pdf").read_bytes() == b"%PDF X 1"


# ---------------------------------------------------------------------------------------------
# Incremental runs
# ---------------------------------------------------------------------------------------------


def folder_state(batch_dir: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(batch_dir)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in batch_dir.rglob("*") if p.parent != batch_dir or p.is_dir()}


def test_unchanged_rerun_rebuilds_nothing(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, s) for s in "ABC"]
    first = run(tmp_path, inputs)
    before = folder_state(first.batch_dir)
    second = run(tmp_path, inputs)
    assert {r.result for r in second.processed} == {"unchanged"}
    assert second.counts() == {"built": 0, "warnings": 0, "failed": 0, "unchanged": 3}
    assert folder_state(second.batch_dir) == before
    assert second.exit_code == 0


def test_changed_input_config_or_templates_rebuild(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "B")]
    run(tmp_path, inputs)
    write_input(src, "B", version=2)
    assert results(run(tmp_path, inputs)) == {"A": ("ok", "unchanged"), "B": ("ok", "built")}
    assert results(run(tmp_path, inputs, config=FakeConfig("config-2")))["A"] == ("ok", "built")
    (tmp_path / "templates" / "sale_request.html").write_text("<p>new</p>")
    assert results(run(tmp_path, inputs, config=FakeConfig("config-2")))["A"] == ("ok", "built")
    (tmp_path / "templates" / "review").mkdir()
    (tmp_path / "templates" / "review" / "index.html").write_text("review only")
    assert results(run(tmp_path, inputs, config=FakeConfig("config-2")))["A"] == \
        ("ok", "unchanged")


def test_a_library_upgrade_or_a_changed_font_rebuilds_every_case(tmp_path, monkeypatch):
    inputs = [write_input(tmp_path / "in", "A"), write_input(tmp_path / "in", "B")]
    first = run(tmp_path, inputs)
    key = load_manifest(first.batch_dir).key
    assert key.libraries == library_versions() and key.libraries["weasyprint"]
    assert key.fonts == font_digests() and set(key.fonts) == set(PDF_FONT_FAMILIES)
    assert {r.result for r in run(tmp_path, inputs).processed} == {"unchanged"}
    upgraded = {**library_versions(), "pydyf": "0.14.0"}
    monkeypatch.setattr(batch, "library_versions", lambda: upgraded)
    assert {r.result for r in run(tmp_path, inputs).processed} == {"built"}
    assert {r.result for r in run(tmp_path, inputs).processed} == {"unchanged"}
    replaced = {**font_digests(), NAMES_FAMILY: "0" * 64}
    monkeypatch.setattr(batch, "font_digests", lambda: replaced)
    assert {r.result for r in run(tmp_path, inputs).processed} == {"built"}
    assert load_manifest(first.batch_dir).key.fonts[NAMES_FAMILY] == "0" * 64
    assert {r.result for r in run(tmp_path, inputs).processed} == {"unchanged"}


def test_a_manifest_without_versions_keeps_its_records_and_rebuilds(tmp_path):
    inputs = [write_input(tmp_path / "in", "A")]
    first = run(tmp_path, inputs)
    path = first.batch_dir / "manifest.json"
    data = json.loads(path.read_text("utf-8"))
    del data["libraries"], data["fonts"]  # as written before the key held them
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    old = load_manifest(first.batch_dir)
    assert old is not None and (old.key.libraries, old.key.fonts) == ({}, {})
    assert results(run(tmp_path, inputs)) == {"A": ("ok", "built")}


def test_missing_fonts_stop_the_batch_before_any_case(tmp_path, monkeypatch):
    def not_installed():
        raise FontNotInstalled("フォント「IPAexMincho」がインストールされていません。")

    monkeypatch.setattr(batch, "font_digests", not_installed)
    with pytest.raises(BatchError, match="IPAexMincho"):
        run(tmp_path, [write_input(tmp_path / "in", "A")])
    assert not (tmp_path / "out" / "b" / "A").exists()


def test_force_and_tampered_outputs_rebuild(tmp_path):
    inputs = [write_input(tmp_path / "in", "A"), write_input(tmp_path / "in", "B")]
    first = run(tmp_path, inputs)
    assert {r.result for r in run(tmp_path, inputs, force=True).processed} == {"built"}
    (first.batch_dir / "B" / "01_申請書.pdf").write_bytes(b"edited")
    assert results(run(tmp_path, inputs)) == {"A": ("ok", "unchanged"), "B": ("ok", "built")}


def test_failed_cases_are_retried(tmp_path):
    inputs = [write_input(tmp_path / "in", "A", status="error")]
    run(tmp_path, inputs)
    assert results(run(tmp_path, inputs)) == {"A": ("error", "failed")}


def test_only_rebuilds_the_selected_and_keeps_the_others(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "A"), write_input(src, "file-b", case_id="B"), write_input(src, "C")]
    run(tmp_path, inputs)
    result = run(tmp_path, inputs, only=("A", "B", "nope"))  # A by stem, B by its case id
    assert results(result) == {"A": ("ok", "built"), "file-b": ("ok", "built")}
    assert result.unmatched_only == ["nope"]
    assert [r.case_id for r in result.manifest.inputs] == ["A", "C", "B"]  # path order
    assert result.manifest.inputs[1].result == "built"  # C carried over as recorded


def test_a_case_that_now_fails_loses_its_stale_documents(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "A")]
    first = run(tmp_path, inputs)
    assert (first.batch_dir / "A").is_dir()
    write_input(src, "A", status="error")
    second = run(tmp_path, inputs)
    assert results(second) == {"A": ("error", "failed")}
    assert not (second.batch_dir / "A").exists()


def test_leftovers_of_a_killed_run_are_deleted(tmp_path):
    batch_dir = tmp_path / "out" / "b"
    (batch_dir / ".tmp-A-1234").mkdir(parents=True)
    (batch_dir / ".tmp-A-1234" / "case.json").write_text("{half")
    (batch_dir / ".old-B-99").mkdir()
    (batch_dir / ".tmp-manifest.json-ab").write_text("{")
    result = run(tmp_path, [write_input(tmp_path / "in", "A")])
    assert result.leftovers == [".old-B-99", ".tmp-A-1234", ".tmp-manifest.json-ab"]
    assert sorted(p.name for p in batch_dir.iterdir()) == \
        [".lock", "A", "index.html", "manifest.json", "summary.xlsx", HISTORY_DIR]


# ---------------------------------------------------------------------------------------------
# Lock
# ---------------------------------------------------------------------------------------------


def test_a_held_lock_refuses_a_second_run(tmp_path):
    batch_dir = tmp_path / "out" / "b"
    batch_dir.mkdir(parents=True)
    with batch_lock(batch_dir), pytest.raises(BatchLocked):
        run(tmp_path, [write_input(tmp_path / "in", "A")])
    assert not (batch_dir / "A").exists()
    assert results(run(tmp_path, [write_input(tmp_path / "in", "A")])) == {"A": ("ok", "built")}


# ---------------------------------------------------------------------------------------------
# `ninbai build` in a subprocess, with the fake build: kill mid-batch, two runs at once
# ---------------------------------------------------------------------------------------------


def fake_cli() -> None:
    """Entry point of the subprocess tests: the real CLI, with the fake build patched in."""
    batch.build_case = fake_build
    batch.warm_renderer = no_renderer
    batch.document_templates = lambda: TESTS / "no-templates"
    from pipeline.cli import main

    main(sys.argv[1:], prog_name="ninbai")


def start_build(tmp_path: Path, *args: str) -> subprocess.Popen:
    code = (f"import sys; sys.path.insert(0, {str(TESTS)!r}); from batch import test_batch; "
            "test_batch.fake_cli()")
    return subprocess.Popen(
        [sys.executable, "-c", code, "build", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
         "--batch", "b", "--date", "2026-11-30", *args],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)})


def children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


def case_jsons(batch_dir: Path) -> dict[str, bytes]:
    return {p.parent.name: p.read_bytes() for p in sorted(batch_dir.glob("*/case.json"))}


def assert_every_case_folder_complete(batch_dir: Path) -> None:
    """Every folder a reader can take for a case is whole (work folders are dot-names; 履歴/
    holds the history pages, not a case)."""
    for folder in batch_dir.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and folder.name != HISTORY_DIR:
            assert sorted(p.name for p in folder.iterdir()) == \
                ["01_申請書.docx", "01_申請書.pdf", "case.json"], folder


def test_killed_run_leaves_whole_folders_and_a_rerun_matches_a_clean_run(tmp_path):
    stems = [f"K{i:02d}" for i in range(8)]
    for stem in stems:
        write_input(tmp_path / "in", stem, sleep=0.6)
    process = start_build(tmp_path, "--jobs", "2")
    batch_dir = tmp_path / "out" / "b"
    deadline = time.monotonic() + 60
    while len([p for p in batch_dir.glob("K*") if p.is_dir()]) < 2:
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)
    workers = children(process.pid)
    assert len(workers) == 2
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10  # orphaned workers notice their parent is gone and exit
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "worker processes outlived the killed batch"
        time.sleep(0.1)
    assert_every_case_folder_complete(batch_dir)
    assert len([p for p in batch_dir.glob("K*")]) < len(stems)  # really killed mid-batch

    rerun = start_build(tmp_path, "--jobs", "2")
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert not any(p.name.startswith((".tmp-", ".old-")) for p in batch_dir.iterdir())
    assert_every_case_folder_complete(batch_dir)

    clean = tmp_path / "clean"
    shutil.copytree(tmp_path / "in", clean / "in")
    fresh = start_build(clean, "--jobs", "2")
    fresh.communicate(timeout=120)
    assert case_jsons(batch_dir) == case_jsons(clean / "out" / "b")
    assert sorted(case_jsons(batch_dir)) == stems


def test_two_builds_at_once_the_second_exits_2(tmp_path):
    gate = tmp_path / "release"
    write_input(tmp_path / "in", "A", padding="x" * 1000)  # the largest: built first
    for stem in ["B", "C"]:  # held until the second run has been refused
        write_input(tmp_path / "in", stem, wait_for=str(gate))
    first = start_build(tmp_path, "--jobs", "1")
    deadline = time.monotonic() + 60
    while not (tmp_path / "out" / "b" / "A").exists():  # the first run holds the lock by now
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    second = start_build(tmp_path, "--jobs", "1", "--force")
    out, err = second.communicate(timeout=120)
    assert second.returncode == 2
    assert "使用中" in out + err
    gate.touch()
    _, first_err = first.communicate(timeout=120)
    assert first.returncode == 0, first_err
    assert_every_case_folder_complete(tmp_path / "out" / "b")
    manifest = load_manifest(tmp_path / "out" / "b")
    assert [r.result for r in manifest.inputs] == ["built"] * 3


# ---------------------------------------------------------------------------------------------
# The real build over sample workbooks (slow-ish: three cases)
# ---------------------------------------------------------------------------------------------

SAMPLES = ["2026-0142.xlsx", "2026-0148.xlsx", "2026-0160.xlsx"]


@pytest.fixture(scope="module")
def real_batch(tmp_path_factory):
    from pipeline.config import load_config

    folder = tmp_path_factory.mktemp("real")
    inputs = []
    for name in SAMPLES:
        copy_sample(REPO / "inputs" / name, folder)
        inputs.append(folder / name)
    (folder / "broken.xlsx").write_text("案件番号,債務者\n1,山田\n", "utf-8")  # a CSV, renamed
    inputs.append(folder / "broken.xlsx")
    req = BatchRequest(tuple(sorted(inputs)), folder / "out", "2026-11-30", BATCH_DATE, jobs=2)
    return folder, run_batch(req, load_config(None))


def test_real_build_writes_every_document(real_batch):
    _, result = real_batch
    assert result.exit_code == 1  # the renamed CSV
    statuses = {Path(r.path).name: r.status for r in result.processed}
    assert statuses["broken.xlsx"] == "error"
    assert all(statuses[name] in ("ok", "warn") for name in SAMPLES)
    for record in result.processed:
        if record.status == "error":
            assert record.folder == "" and record.errors
            continue
        case = json.loads((result.batch_dir / record.folder / "case.json").read_text("utf-8"))
        assert case["case_id"] == record.case_id
        for document in case["documents"]:
            for kind in ("pdf", "docx"):
                assert (result.batch_dir / record.folder / document[kind]).stat().st_size > 1000
        assert {"read", "compute", "docx", "pdf", "write"} <= set(record.timings)
    first = next(r for r in result.processed if r.case_id == "2026-0142")
    assert first.figures is not None
    assert (first.figures.price, first.figures.advantage) == (14_000_000, 4_860_000)
    assert (first.figures.remaining_total, first.figures.monthly_total) == (7_742_000, 31_000)


def test_real_build_rerun_is_unchanged(real_batch):
    from pipeline.config import load_config

    folder, result = real_batch
    inputs = tuple(sorted(Path(r.path) for r in result.processed))
    again = run_batch(BatchRequest(inputs, folder / "out", "2026-11-30", BATCH_DATE, jobs=1),
                      load_config(None))
    assert {Path(r.path).name: r.result for r in again.processed} == {
        **{name: "unchanged" for name in SAMPLES}, "broken.xlsx": "failed"}


# ---------------------------------------------------------------------------------------------
# `ninbai build` through click's CliRunner: exit codes and the closing table
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Invoke ``ninbai`` in-process with the fake build, in tmp_path."""
    from click.testing import CliRunner

    from pipeline.cli import main

    monkeypatch.setattr(batch, "build_case", fake_build)
    monkeypatch.setattr(batch, "warm_renderer", no_renderer)
    monkeypatch.setattr(batch, "document_templates", lambda: tmp_path / "no-templates")
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return CliRunner().invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_cli_build_prints_one_line_per_case_and_the_closing_table(cli, tmp_path):
    write_input(tmp_path / "in", "A", debtor="山田 太郎", price=12_345_678)
    write_input(tmp_path / "in", "B", status="warn")
    write_input(tmp_path / "in", "C", status="error")
    result = cli("build", "in", "--date", "2026-11-30", "--jobs", "1")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith("設定ファイル: ")  # then one line per case
    assert sorted(line.split()[1] for line in lines[1:4]) == ["A", "B", "C"]  # largest first
    assert "山田" not in result.output and "12,345,678" not in result.output
    table = {line.split()[0]: line.split()[1] for line in lines if line.startswith("  ") and
             not line.startswith(("  失敗:", "    "))}
    assert table == {"作成": "2件", "うち警告": "1件", "失敗": "1件", "変更なし": "0件"}
    # the failed case with its Japanese message: never the internal code, never the cell's value
    assert lines[lines.index("  失敗: C") + 1] == "    元金残高を金額として読めません"
    assert "yen_invalid" not in result.output and "1,2OO" not in result.output
    # each case's 状態 in Japanese, never ok/warn/error
    assert {line.split()[2] for line in lines[1:4]} == {"問題なし", "警告", "エラー"}
    assert lines[-1] == f"確認ページ: {Path('outputs') / '2026-11-30' / 'index.html'}"
    assert (tmp_path / "outputs" / "2026-11-30" / "A" / "case.json").is_file()

    again = cli("build", "in", "--date", "2026-11-30", "--jobs", "1")
    assert "  変更なし      2件" in again.output and again.exit_code == 1


def test_cli_build_prints_a_failed_cases_messages_without_the_values_they_quote(cli, tmp_path):
    """The closing table names the place and says what is wrong, in Japanese, for the first three
    problems, then 「ほかN件」; the value a message quotes (a cell may hold a person's name) stays
    on the review page: the terminal's output is a log."""
    errors = [
        ["yen_invalid", "元金残高「山田 太郎」を読めません。金額（例: 14,000,000）で入力してください",
         "山田 太郎", "債権者", "D7"],
        ["text_too_long", "債務者氏名が長すぎます（300文字、上限100文字）。短くしてください: 「鈴木 一郎…」",
         "鈴木 一郎…", "案件", "B5"],
        ["required", "売却価格を入力してください（例: 14,000,000）", None, "案件", "B9"],
        ["yen_invalid", "手付金「佐藤」を読めません", "佐藤", "案件", "B12"],
        ["sheet_missing", "シート「収支」がありません", None, "", ""],
    ]
    write_input(tmp_path / "in", "C", status="error", errors=errors)
    result = cli("build", "in", "--date", "2026-11-30", "--jobs", "1")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    at = lines.index("  失敗: C")
    assert lines[at + 1:at + 5] == [
        "    債権者!D7 元金残高を読めません。金額で入力してください",
        "    案件!B5 債務者氏名が長すぎます（300文字、上限100文字）。短くしてください",
        "    案件!B9 売却価格を入力してください",
        "    ほか2件（確認ページに全件）"]
    # nor the input examples: their figures (14,000,000) cannot be told from a case's amounts
    for name in ("山田", "鈴木", "佐藤", "yen_invalid", "required", "14,000,000"):
        assert name not in result.output
    html = (tmp_path / "outputs" / "2026-11-30" / "index.html").read_text("utf-8")
    assert "元金残高「山田 太郎」を読めません" in html  # the review page keeps the value


def test_cli_build_all_good_exits_0(cli, tmp_path):
    write_input(tmp_path / "in", "A")
    result = cli("build", "in", "--out", "o", "--batch", "nov", "--date", "2026-11-30")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "nov" / "A").is_dir()


@pytest.mark.parametrize("args", [
    ["build", "missing-folder"],
    ["build", "in", "--date", "30/11/2026"],
    ["build", "in", "--jobs", "0"],
    ["build", "in", "--batch", "../up"],
    ["build", "in", "--only", "nothing-like-this"],
    ["build", "in", "--config", "no-such.toml"],
])
def test_cli_build_cannot_run_exits_2(cli, tmp_path, args):
    write_input(tmp_path / "in", "A")
    assert cli(*args).exit_code == 2


def test_cli_build_on_a_locked_folder_exits_2(cli, tmp_path):
    write_input(tmp_path / "in", "A")
    batch_dir = tmp_path / "outputs" / "2026-11-30"
    batch_dir.mkdir(parents=True)
    with batch_lock(batch_dir):
        result = cli("build", "in", "--date", "2026-11-30")
    assert result.exit_code == 2
    assert "使用中" in result.output
    assert not (batch_dir / "A").exists()


def test_every_command_has_help_with_an_example(cli):
    for command in ("build", "review", "approve"):
        result = cli(command, "--help")
        assert result.exit_code == 0 and "例:" in result.output


def test_an_input_given_twice_is_built_once(tmp_path):
    a = write_input(tmp_path / "in", "A")
    result = run_batch(BatchRequest((a, a), tmp_path / "out", "b", BATCH_DATE), FakeConfig(),
                       build=fake_build, make_renderer=no_renderer, templates=tmp_path)
    assert results(result) == {"A": ("ok", "built")} and len(result.processed) == 1


def test_a_stray_file_where_the_case_folder_goes_is_replaced(tmp_path):
    (tmp_path / "out" / "b").mkdir(parents=True)
    (tmp_path / "out" / "b" / "A").write_text("not a folder")
    result = run(tmp_path, [write_input(tmp_path / "in", "A")])
    assert results(result) == {"A": ("ok", "built")}
    assert (result.batch_dir / "A" / "case.json").is_file()


def test_an_interrupted_run_keeps_the_cases_it_checkpointed(tmp_path, monkeypatch):
    monkeypatch.setattr(plan, "CHECKPOINT_SECONDS", 0.0)
    inputs = [write_input(tmp_path / "in", s) for s in "ABCD"]
    built = []

    def interrupted_build(source, config, batch_date, renderer):
        if len(built) == 2:
            raise KeyboardInterrupt  # like Ctrl-C: not a case failure, the run stops
        built.append(source.stem)
        return fake_build(source, config, batch_date, renderer)

    templates = tmp_path / "templates"
    templates.mkdir()
    with pytest.raises(KeyboardInterrupt):
        run_batch(request(tmp_path, inputs), FakeConfig(), build=interrupted_build,
                  make_renderer=no_renderer, templates=templates)
    done = {name: ("ok", "unchanged") for name in built}
    rerun = run(tmp_path, inputs)
    assert results(rerun) == {**{s: ("ok", "built") for s in "ABCD"}, **done}
