"""The 送付状 counts itself: rendered once, counted, rendered again when its list takes two pages
(pipeline.batch.packets.cover_pages), so that its 「N枚」 is the packet's real page count."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from pipeline.batch.packets import cover_pages
from pipeline.compute import compute_case
from pipeline.config import load_config
from pipeline.documents.common import CaseCommon
from pipeline.documents.cover_letter import Enclosed
from pipeline.read.validate import load_case
from pipeline.render import Renderer

INPUTS = Path(__file__).resolve().parents[2] / "inputs"


@pytest.fixture(scope="module")
def common():
    config = load_config(INPUTS / "ninbai.toml")
    case, issues = load_case(INPUTS / "2026-0142.xlsx", profiles=config.profile_names())
    assert case is not None, issues
    return CaseCommon.of(case, compute_case(case, config, date(2026, 11, 30)), config)


@pytest.fixture(scope="module")
def renderer():
    return Renderer()


def _text(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", out.stdout.decode("utf-8"))


def _pages(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def test_a_short_list_is_one_page_counted_once(common, renderer):
    view, pdf, _ = cover_pages(common, "東都みらい銀行",
                            [Enclosed("任意売却に関する同意申請書", 3), Enclosed("価格査定書", 1)],
                            renderer)
    assert _pages(pdf) == view.own_pages == 1
    assert "送付枚数（本状を含む）5枚" in _text(pdf)


def test_a_long_list_makes_a_two_page_cover_that_counts_itself_twice(common, renderer):
    enclosed = [Enclosed(f"登記事項証明書（{n}）", 2) for n in range(1, 41)]
    view, pdf, _ = cover_pages(common, "東都みらい銀行", enclosed, renderer)
    assert _pages(pdf) == view.own_pages == 2
    assert view.total_pages == 2 + 80
    assert "送付枚数（本状を含む）82枚" in _text(pdf)
