"""The hostile corpus through the real ``ninbai build`` and ``ninbai validate``.

One batch holds every broken and hostile workbook of corpus.py beside three valid ones (two of
which share a case id). Each bad input must fail with its code, located (file, sheet, cell) and
explained in Japanese; the valid ones must still be built; and nothing may be written for a bad
case, inside the batch folder or outside it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hardening.corpus import CORPUS, GOOD, LOCK_FILE, write_corpus
from pipeline.batch.manifest import load_manifest
from pipeline.cli import main

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
PASSWD_LINE = "root:x:0:0"


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """(input folder, batch folder, manifest records by file name, build output)."""
    root = tmp_path_factory.mktemp("corpus")
    inputs = root / "in"
    write_corpus(inputs)
    result = CliRunner().invoke(main, ["build", str(inputs), "--out", str(root / "out"),
                                       "--batch", "b", "--date", "2026-11-30", "--jobs", "1"])
    batch_dir = root / "out" / "b"
    records = {Path(r.path).name: r for r in load_manifest(batch_dir).inputs}
    return inputs, batch_dir, records, result


@pytest.mark.parametrize("hostile", CORPUS, ids=lambda h: h.name)
def test_each_bad_input_fails_with_its_located_japanese_message(batch, hostile):
    _, _, records, _ = batch
    record = records[hostile.name]
    assert (record.status, record.result, record.folder) == ("error", "failed", "")
    found = [e for e in record.errors if e["code"] == hostile.code]
    assert found, [e["code"] for e in record.errors]
    error = found[0]
    assert error["file"] == hostile.name
    assert (error["sheet"] or "", error["cell"] or "") == (hostile.sheet, hostile.cell)
    assert JAPANESE.search(error["message"])
    if hostile.cell:
        assert f"{hostile.sheet}!{hostile.cell}" in error["text"]


def test_the_batch_goes_on_and_exits_1(batch):
    _, batch_dir, records, result = batch
    assert result.exit_code == 1, result.output
    good = records["good.xlsx"]
    assert good.status in ("ok", "warn") and good.folder == "2026-0900"
    assert len(good.documents) >= 3
    assert all((batch_dir / d["pdf"]).is_file() for d in good.documents)
    assert "Traceback" not in result.output


def test_duplicate_case_id_first_file_wins_the_other_fails(batch):
    _, _, records, _ = batch
    first, later = records["dup-a.xlsx"], records["dup-b.xlsx"]
    assert first.status != "error" and first.folder == "2026-0901"
    assert later.status == "error" and later.folder == ""
    error = next(e for e in later.errors if e["code"] == "duplicate_case_id")
    assert "dup-a.xlsx" in error["message"] and "dup-b.xlsx" in error["message"]


def test_nothing_is_written_for_a_bad_case(batch):
    _, batch_dir, _, _ = batch
    visible = {p.name for p in batch_dir.iterdir() if not p.name.startswith(".")}
    assert visible == {case_id for _, case_id in GOOD} | {"summary.xlsx", "index.html",
                                                            "manifest.json", "履歴"}
    assert {p.name for p in (batch_dir / "履歴").iterdir()} == \
        {f"{case_id}.html" for _, case_id in GOOD}  # a history page per built case only
    assert [p.name for p in batch_dir.parent.iterdir()] == ["b"]  # nothing beside the batch
    assert sorted(p.name for p in batch_dir.parent.parent.iterdir()) == ["in", "out"]
    assert not Path("/tmp/ninbai-x").exists()
    assert not any(p.name.startswith((".tmp-", ".old-")) for p in batch_dir.iterdir())


def test_every_input_is_listed_once_and_the_lock_file_is_skipped(batch):
    _, _, records, result = batch
    expected = {h.name for h in CORPUS} | {name for name, _ in GOOD}
    assert set(records) == expected
    assert LOCK_FILE not in result.output


def test_nothing_of_a_file_outside_is_shown(batch):
    _, batch_dir, _, result = batch
    assert PASSWD_LINE not in result.output
    for name in ("manifest.json", "index.html"):
        assert PASSWD_LINE not in (batch_dir / name).read_text("utf-8")


def test_validate_prints_each_problem_located(batch):
    inputs, _, _, _ = batch
    result = CliRunner().invoke(main, ["validate", str(inputs)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    lines = result.output.splitlines()
    for hostile in CORPUS:
        place = str(inputs / hostile.name)
        if hostile.sheet:
            place += f" {hostile.sheet}" + (f"!{hostile.cell}" if hostile.cell else "")
        assert any(line.startswith(place + ":") for line in lines), hostile.name
        assert any(line.startswith(f"エラー  {inputs / hostile.name}  ") for line in lines)
