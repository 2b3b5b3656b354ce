"""Crash safety: a build killed with SIGKILL leaves nothing half-written where staff look, and a
rerun completes and gives exactly the files of a clean run.

The real ``ninbai build`` runs in a subprocess (``hardening.killer``) on sample workbooks and is
killed at chosen points of the write path: halfway through a case's file, before a case folder is
renamed into place, between moving an old folder aside and moving the new one in, halfway through
the manifest; and once at a moment chosen by the clock, with two worker processes.

"Visible" means what a reader of the batch folder takes for output: every name not starting with
a dot (work folders are ``.tmp-*`` / ``.old-*``, and the next run deletes them).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from factory import copy_sample
from lxml import etree
from openpyxl import load_workbook
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]
SAMPLES = ["2026-0142.xlsx", "2026-0166.xlsx"]


def build(folder: Path, *args: str, kill: str = "", wait: bool = True) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
           "NINBAI_KILL": kill}
    process = subprocess.Popen(
        [sys.executable, "-m", "hardening.killer", "build", str(folder / "in"), "--out",
         str(folder / "out"), "--batch", "b", "--date", "2026-11-30", *args],
        cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if wait:
        process.communicate(timeout=300)
    return process


def inputs(folder: Path) -> Path:
    (folder / "in").mkdir(parents=True)
    for name in SAMPLES:
        copy_sample(REPO / "inputs" / name, folder / "in")
    return folder / "out" / "b"


def case_files(batch_dir: Path) -> dict[str, str]:
    """sha256 of every file of every case folder, by path relative to the batch folder."""
    return {p.relative_to(batch_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(batch_dir.glob("*/*"))
            if not p.parent.name.startswith(".") and p.parent.name != "履歴"}


def assert_nothing_half_visible(batch_dir: Path) -> None:
    """Every visible entry is whole: case folders complete and readable, batch files parse."""
    for entry in batch_dir.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.name == "履歴":  # the history pages: each whole (temp + rename)
            assert all(p.read_text("utf-8").rstrip().endswith("</html>")
                       for p in entry.iterdir() if not p.name.startswith("."))
        elif entry.is_dir():
            assert_case_folder_whole(entry)
        elif entry.name == "manifest.json":
            json.loads(entry.read_text("utf-8"))
        elif entry.name == "summary.xlsx":
            load_workbook(entry, read_only=True).close()
        elif entry.name == "index.html":
            assert entry.read_text("utf-8").rstrip().endswith("</html>")
        else:
            pytest.fail(f"unexpected visible file {entry.name}")


def assert_case_folder_whole(folder: Path) -> None:
    case = json.loads((folder / "case.json").read_text("utf-8"))
    expected = {"case.json"} | {d[k] for d in case["documents"] for k in ("docx", "pdf")} \
        | {p["pdf"] for p in case["packets"]}
    assert {p.name for p in folder.iterdir()} == expected, folder
    for document in case["documents"]:
        pdf = (folder / document["pdf"]).read_bytes()
        assert pdf.rstrip().endswith(b"%%EOF") and len(PdfReader(io.BytesIO(pdf)).pages) >= 1
        with zipfile.ZipFile(folder / document["docx"]) as zf:
            assert zf.testzip() is None
            etree.fromstring(zf.read("word/document.xml"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("clean")
    batch_dir = inputs(folder)
    process = build(folder, "--jobs", "1")
    assert process.returncode == 0, process.stderr
    return case_files(batch_dir)


def rerun_matches(folder: Path, batch_dir: Path, clean: dict[str, str]) -> None:
    process = build(folder, "--jobs", "1")
    assert process.returncode == 0, process.stderr
    assert [p.name for p in batch_dir.iterdir() if p.name.startswith(".")] == [".lock"]
    assert case_files(batch_dir) == clean
    assert_nothing_half_visible(batch_dir)


@pytest.mark.parametrize("kill", ["write:4", "install:2", "atomic:manifest.json"])
def test_killed_at_a_write_leaves_nothing_half_visible_and_rerun_matches(tmp_path, clean, kill):
    batch_dir = inputs(tmp_path)
    process = build(tmp_path, "--jobs", "1", kill=kill)
    assert process.returncode == -signal.SIGKILL, process.stderr  # the kill point was reached
    assert_nothing_half_visible(batch_dir)
    assert len(case_files(batch_dir)) < len(clean) or kill.startswith("atomic")
    rerun_matches(tmp_path, batch_dir, clean)


def test_killed_while_replacing_a_case_folder(tmp_path, clean):
    batch_dir = inputs(tmp_path)
    assert build(tmp_path, "--jobs", "1").returncode == 0
    process = build(tmp_path, "--jobs", "1", "--force", kill="aside:1")
    assert process.returncode == -signal.SIGKILL, process.stderr
    assert_nothing_half_visible(batch_dir)
    assert len(case_files(batch_dir)) < len(clean)  # one folder is missing, none is mixed
    rerun_matches(tmp_path, batch_dir, clean)


def test_killed_at_a_random_moment_with_workers(tmp_path, clean):
    batch_dir = inputs(tmp_path)
    process = build(tmp_path, "--jobs", "2", wait=False)
    deadline = time.monotonic() + 120
    while not any(p.is_dir() and not p.name.startswith(".") for p in batch_dir.glob("*")):
        assert time.monotonic() < deadline and process.poll() is None, process.communicate()
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    time.sleep(0.5)  # orphaned workers notice their parent is gone
    assert_nothing_half_visible(batch_dir)
    rerun_matches(tmp_path, batch_dir, clean)
