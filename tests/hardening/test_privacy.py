"""Private data: who can read the outputs, and what the batch prints.

The real ``ninbai build`` (then ``approve``) runs in a subprocess with umask 000, the worst case,
over every sample workbook plus a broken one. Every folder it creates must be 0700 and every file
0600. Its terminal output (stdout and stderr, as a cron job or CI would log them) must name cases
by id or file, never by a person's name, address or phone, and carry no yen amount of the cases.
``ninbai validate`` and ``ninbai review`` are interactive and show the typed value or the warning
text staff need to fix a workbook; they are not covered here (docs/threats.md).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from factory import copy_sample, write_case

from pipeline.read.validate import load_case

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "inputs").glob("*.xlsx"))
BROKEN_NAME = "山田 太郎"
BROKEN_AMOUNT = "1,2OO万"


def ninbai(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", "from pipeline.cli import main; main()", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, umask=0, timeout=600,
                          check=False)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """(working folder, batch folder, build output, approve output)."""
    cwd = tmp_path_factory.mktemp("private")
    inputs = cwd / "in"
    inputs.mkdir()
    for sample in SAMPLES:
        copy_sample(sample, inputs)
    write_case(inputs, "broken.xlsx", case={"案件番号": "2026-0999", "債務者氏名": BROKEN_NAME,
                                            "売却価格": BROKEN_AMOUNT})
    built = ninbai(cwd, "build", "in", "--out", "out", "--date", "2026-11-30", "--jobs", "2")
    assert built.returncode == 1, built.stderr  # the broken workbook
    approved = ninbai(cwd, "approve", "out/2026-11-30", "2026-0142", "--by", "佐藤 花子")
    assert approved.returncode == 0, approved.stderr
    return cwd, cwd / "out" / "2026-11-30", built, approved


def test_batch_folders_are_0700_and_files_0600_even_with_umask_000(batch):
    _, batch_dir, _, _ = batch
    assert stat.S_IMODE(batch_dir.stat().st_mode) == 0o700
    entries = list(batch_dir.rglob("*"))
    assert any(p.name == "approvals.json" for p in entries)
    assert sum(p.suffix == ".pdf" for p in entries) >= 9
    for path in entries:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))


def test_the_output_folder_ninbai_creates_is_private_too(batch):
    cwd, _, _, _ = batch
    assert stat.S_IMODE((cwd / "out").stat().st_mode) == 0o700


def private_words(sample: Path) -> set[str]:
    """Names, addresses, phones and yen amounts of one sample, as they could be printed."""
    case, _ = load_case(sample)
    texts = [case.debtor.name, case.debtor.kana, case.debtor.address, case.debtor.phone,
             case.co_debtors, case.buyer] + [m.name for m in case.members]
    texts += [c.officer for c in case.creditors] + [c.phone for c in case.creditors]
    texts += [o.name for o in case.owners] + [o.address for o in case.owners]
    trustee = case.bankruptcy_case
    texts += [trustee.trustee, trustee.trustee_office, trustee.trustee_phone]
    texts += [c.loan_number for c in case.creditors]
    words = {t for t in texts if t} | {"".join(t.split()) for t in texts if t}
    return words | {form for n in amounts(case.model_dump()) for form in (f"{n:,}", str(n))}


def amounts(value) -> set[int]:
    """Every int of at least 10,000 (a yen amount, not a count or an age) inside a dump."""
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value} if value >= 10_000 else set()
    if isinstance(value, dict):
        return set().union(*map(amounts, value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*map(amounts, value)) if value else set()
    return set()


def test_build_output_names_cases_by_id_never_people_or_amounts(batch):
    _, batch_dir, built, approved = batch
    printed = built.stdout + built.stderr + approved.stdout + approved.stderr
    assert "2026-0142" in built.stdout and "broken.xlsx" in printed  # cases are named by id/file
    words = set().union(*map(private_words, SAMPLES)) | {BROKEN_NAME, BROKEN_AMOUNT}
    leaked = sorted(w for w in words if w in printed)
    assert leaked == [], leaked
    figures = json.loads((batch_dir / "2026-0142" / "case.json").read_text("utf-8"))
    assert f"{figures['sale']['price']:,}" not in printed


def test_no_log_file_is_written(batch):
    cwd, _, _, _ = batch
    assert sorted(p.name for p in cwd.iterdir()) == ["in", "out"]
    assert not list(cwd.rglob("*.log"))
