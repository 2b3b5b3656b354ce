"""The workbook contract's one definitions that other stages import (pipeline/read/schema.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.batch import plan
from pipeline.read.schema import CASE_ID_PATTERN

PIPELINE = Path(__file__).resolve().parents[2] / "pipeline"


def test_one_case_id_pattern():
    """案件番号 is checked by validation, new-case and the batch (it becomes a folder name):
    with one pattern, an id validation accepts can never be refused when its folder is made."""
    assert plan.SAFE_CASE_ID is CASE_ID_PATTERN
    copies = sorted(str(p.relative_to(PIPELINE)) for p in PIPELINE.rglob("*.py")
                    if CASE_ID_PATTERN.pattern in p.read_text("utf-8"))
    assert copies == ["read/schema.py"]


@pytest.mark.parametrize(("case_id", "ok"), [
    ("2026-0142", True), ("A_1", True), ("a" * 40, True), ("a" * 41, False), ("-1", False),
    ("2026/0142", False), ("..", False), ("２０２６", False), ("", False),
])
def test_case_id_pattern(case_id, ok):
    assert bool(CASE_ID_PATTERN.fullmatch(case_id)) is ok
