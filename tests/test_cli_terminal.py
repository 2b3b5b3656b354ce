"""The command line owns the terminal: progress display, closed pipes, Ctrl-C.

``ninbai build`` runs here as a real process (the batch's fake build of tests/batch/test_batch.py
patched in, so the mechanics are tested without rendering; one test renders for real), because a
closed pipe, a terminal and a SIGINT only exist for a real process. The library itself never
prints: it hands ``CaseDone`` events to the command line.
"""

from __future__ import annotations

import json
import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from batch.test_batch import (
    assert_every_case_folder_complete,
    fake_build,
    no_renderer,
    request,
    write_input,
)
from factory import copy_sample

from pipeline.batch import run_batch
from pipeline.batch.manifest import load_manifest

REPO = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
FAKE_CLI = (f"import sys; sys.path.insert(0, {str(TESTS)!r}); from batch import test_batch; "
            "test_batch.fake_cli()")
REAL_CLI = "import sys; from pipeline.cli import main; main(sys.argv[1:], prog_name='ninbai')"
#: What must never reach staff: Python's own reports and click's English interrupt line.
NOT_FOR_STAFF = ("Traceback", "BrokenPipeError", "Exception ignored", "Aborted!", "予期しない")


def build_args(tmp_path: Path, *extra: str) -> list[str]:
    return ["build", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--batch", "b",
            "--date", "2026-11-30", *extra]


def start(tmp_path: Path, args: list[str], code: str = FAKE_CLI, **popen) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code, *args], cwd=tmp_path, env=ENV,
                            stderr=subprocess.PIPE, **popen)


def assert_nothing_for_staff_only(stderr: str) -> None:
    for text in NOT_FOR_STAFF:
        assert text not in stderr, stderr


def assert_batch_written(batch_dir: Path, stems: list[str]) -> None:
    """The batch finished: manifest, summary and review page, every input in the manifest."""
    for name in ("manifest.json", "summary.xlsx", "index.html"):
        assert (batch_dir / name).is_file(), name
    manifest = load_manifest(batch_dir)
    assert manifest is not None
    assert sorted(Path(r.path).stem for r in manifest.inputs) == stems


# ---------------------------------------------------------------------------------------------
# The library never prints
# ---------------------------------------------------------------------------------------------


def test_run_batch_prints_nothing_and_reports_each_case(tmp_path, capfd):
    inputs = [write_input(tmp_path / "in", s) for s in "AB"]
    (tmp_path / "templates").mkdir()
    events = []
    run_batch(request(tmp_path, inputs), _Config(), build=fake_build, make_renderer=no_renderer,
              templates=tmp_path / "templates", report=events.append)
    assert capfd.readouterr() == ("", "")
    assert [(e.record.case_id in "AB", e.done, e.total) for e in events] == \
        [(True, 1, 2), (True, 2, 2)]


class _Config:
    review = SimpleNamespace(timezone="Asia/Tokyo")  # [review] of the real Config

    def digest(self) -> str:
        return "config"


# ---------------------------------------------------------------------------------------------
# A closed stdout (issue 12 item 14): `ninbai build inputs/ | head -1`, `validate … | head`
# ---------------------------------------------------------------------------------------------


def test_build_into_a_pipe_closed_after_one_line_finishes_the_batch(tmp_path):
    """``ninbai build inputs/ | head -1``: the batch goes on, writes everything, exits with its code."""
    stems = ["A", "B", "C", "D"]
    for stem in stems:
        write_input(tmp_path / "in", stem, sleep=0.5, status="error" if stem == "C" else "ok")
    process = start(tmp_path, build_args(tmp_path, "--jobs", "1"), stdout=subprocess.PIPE)
    assert process.stdout is not None
    first = process.stdout.readline()  # what `head -1` reads, before it exits
    process.stdout.close()
    _, err = process.communicate(timeout=120)
    assert first.startswith("設定ファイル: ".encode())  # then the case lines, unread
    assert process.returncode == 1, err.decode()  # the batch's code: case C failed
    assert_nothing_for_staff_only(err.decode())
    assert_batch_written(tmp_path / "out" / "b", stems)
    assert_every_case_folder_complete(tmp_path / "out" / "b")


def test_build_with_stdout_closed_from_the_start_finishes_the_batch(tmp_path):
    """No line can be printed at all (``| true``): still every case, manifest, summary, review."""
    stems = ["A", "B", "C"]
    for stem in stems:
        write_input(tmp_path / "in", stem)
    read_end, write_end = os.pipe()
    os.close(read_end)
    process = start(tmp_path, build_args(tmp_path, "--jobs", "2"), stdout=write_end)
    os.close(write_end)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert_nothing_for_staff_only(err.decode())
    assert_batch_written(tmp_path / "out" / "b", stems)


def test_validate_into_a_closed_pipe_ends_quietly_with_its_code(tmp_path):
    """``ninbai validate … | head``: no BrokenPipeError message; the exit code is validation's."""
    (tmp_path / "in").mkdir()
    for name in ("2026-0142.xlsx", "2026-0148.xlsx"):
        shutil.copy(REPO / "inputs" / name, tmp_path / "in" / name)
    (tmp_path / "in" / "broken.xlsx").write_text("not a workbook", "utf-8")
    read_end, write_end = os.pipe()
    os.close(read_end)
    process = start(tmp_path, ["validate", "in"], code=REAL_CLI, stdout=write_end)
    os.close(write_end)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1, err.decode()  # broken.xlsx is invalid
    assert err.decode() == ""


# ---------------------------------------------------------------------------------------------
# The progress display: a bar on a terminal, one line per case elsewhere
# ---------------------------------------------------------------------------------------------


def read_terminal(process: subprocess.Popen, master: int) -> str:
    """Everything the process writes to its terminal, until it exits."""
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, "no output for a minute"
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the process closed its side
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    return b"".join(chunks).decode("utf-8", "replace")


def test_on_a_terminal_build_draws_a_japanese_progress_bar(tmp_path):
    for stem in ("A", "B", "C"):
        write_input(tmp_path / "in", stem, debtor="山田 太郎", price=12_345_678)
    master, slave = pty.openpty()
    process = start(tmp_path, build_args(tmp_path, "--jobs", "1"), stdout=slave)
    os.close(slave)
    try:
        shown = read_terminal(process, master)
    finally:
        os.close(master)
    assert process.returncode == 0, shown
    assert "作成中" in shown and "3/3" in shown  # the bar, with its label and position
    assert "[1/3]" not in shown  # not the log lines
    assert "山田" not in shown and "12,345,678" not in shown
    assert "変更なし" in shown and "確認ページ:" in shown  # the closing table follows the bar


def test_not_on_a_terminal_build_prints_one_line_per_case(tmp_path):
    for stem in ("A", "B"):
        write_input(tmp_path / "in", stem, debtor="山田 太郎")
    process = start(tmp_path, build_args(tmp_path, "--jobs", "1"), stdout=subprocess.PIPE)
    out, err = process.communicate(timeout=120)
    lines = out.decode().splitlines()
    assert process.returncode == 0, err.decode()
    assert lines[0].startswith("設定ファイル: ")
    assert [line.split()[:3] for line in lines[1:3]] == [["[1/2]", "A", "問題なし"], ["[2/2]", "B", "問題なし"]]
    assert "作成中" not in out.decode() and "山田" not in out.decode()


# ---------------------------------------------------------------------------------------------
# Ctrl-C: a Japanese line, exit 130, no partial case folder
# ---------------------------------------------------------------------------------------------


def wait_for_cases(process: subprocess.Popen, batch_dir: Path, count: int) -> None:
    deadline = time.monotonic() + 180
    while len([p for p in batch_dir.glob("[A-Z0-9]*") if p.is_dir()]) < count:
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.05)


def interrupt(process: subprocess.Popen) -> str:
    """Ctrl-C as a terminal sends it: SIGINT to the whole process group (workers included)."""
    os.killpg(process.pid, signal.SIGINT)
    _, err = process.communicate(timeout=120)
    return err.decode()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_prints_a_japanese_line_and_exits_130(tmp_path, jobs):
    stems = [f"K{i:02d}" for i in range(10)]
    for stem in stems:
        write_input(tmp_path / "in", stem, sleep=0.4)
    process = start(tmp_path, build_args(tmp_path, "--jobs", jobs), stdout=subprocess.PIPE,
                    start_new_session=True)
    batch_dir = tmp_path / "out" / "b"
    wait_for_cases(process, batch_dir, 2)
    err = interrupt(process)
    assert process.returncode == 130, err
    assert "中断しました" in err
    assert_nothing_for_staff_only(err)
    assert_every_case_folder_complete(batch_dir)
    assert not any(p.name.startswith((".tmp-", ".old-")) for p in batch_dir.iterdir())
    kept = load_manifest(batch_dir)  # what was finished is recorded, so a rerun goes on from it
    assert kept is not None and 2 <= len(kept.inputs) < len(stems)
    rerun = start(tmp_path, build_args(tmp_path, "--jobs", jobs), stdout=subprocess.PIPE)
    out, err_again = rerun.communicate(timeout=180)
    assert rerun.returncode == 0, err_again.decode()
    assert f"変更なし  {len(kept.inputs):>5}件" in out.decode()
    assert_every_case_folder_complete(batch_dir)


def test_ctrl_c_during_a_real_build_leaves_only_whole_case_folders(tmp_path):
    """The real renderers in two worker processes, interrupted after the first case is written."""
    (tmp_path / "in").mkdir()
    samples = sorted((REPO / "inputs").glob("*.xlsx"))[:6]
    for sample in samples:
        copy_sample(sample, tmp_path / "in")
    process = start(tmp_path, build_args(tmp_path, "--jobs", "2"), code=REAL_CLI,
                    stdout=subprocess.PIPE, start_new_session=True)
    batch_dir = tmp_path / "out" / "b"
    wait_for_cases(process, batch_dir, 1)
    err = interrupt(process)
    assert process.returncode == 130, err
    assert "中断しました" in err
    assert_nothing_for_staff_only(err)
    manifest = load_manifest(batch_dir)
    assert manifest is not None
    recorded = {r.folder: r for r in manifest.inputs if r.folder}
    folders = [p for p in batch_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert folders and len(folders) < len(samples)
    for folder in folders:  # every case folder is whole: each recorded file, nothing else
        record = recorded.get(folder.name)
        assert record is not None, folder
        case = json.loads((folder / "case.json").read_text("utf-8"))
        expected = {"case.json"} | {d[kind] for d in case["documents"] for kind in ("pdf", "docx")} \
            | {p["pdf"] for p in case["packets"]}
        assert {p.name for p in folder.iterdir()} == expected


def test_a_named_pipe_given_to_build_fails_its_case_and_the_batch_ends(tmp_path):
    """A FIFO named ``.xlsx`` used to block the build for ever: the batch hashed every input
    before reading it, with a blocking open (the reader had learnt to refuse it; the batch had not).
    Now it is refused at the build like at ``validate``, and the other input is built."""
    (tmp_path / "in").mkdir()
    os.mkfifo(tmp_path / "in" / "pipe.xlsx")
    copy_sample(REPO / "inputs" / "2026-0142.xlsx", tmp_path / "in")
    process = start(tmp_path, [*build_args(tmp_path, "--jobs", "1"),
                               str(tmp_path / "in" / "pipe.xlsx")], code=REAL_CLI,
                    stdout=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=240)
    finally:
        process.kill()
    assert process.returncode == 1, err
    assert "  失敗: pipe.xlsx\n    通常のファイルではありません" in out and "not_regular_file" not in out + err
    manifest = load_manifest(tmp_path / "out" / "b")
    results = {Path(r.path).name: r.result for r in manifest.inputs}
    assert results == {"pipe.xlsx": "failed", "2026-0142.xlsx": "built"}
    assert_nothing_for_staff_only(err)
