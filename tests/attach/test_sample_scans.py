"""The fictional scans of sample 2026-0142 (inputs/2026-0142/) are what
scripts/make_sample_scans.py writes, and pass the checks as ordinary attachments."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from pipeline.attach.clean import Cleaned, clean
from pipeline.attach.intake import take_in
from pipeline.config import load_config

REPO = Path(__file__).resolve().parents[2]
SCANS = REPO / "inputs" / "2026-0142"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("make_sample_scans",
                                                  REPO / "scripts/make_sample_scans.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_scans"] = module
    spec.loader.exec_module(module)
    out = tmp_path_factory.mktemp("scans")
    module.write_scans(out)
    return out


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def test_the_scans_are_the_script_s(regenerated):
    assert sorted(p.name for p in SCANS.iterdir()) == ["価格査定書.pdf", "買付証明書.png"]
    assert pdftotext((SCANS / "価格査定書.pdf").read_bytes()) == pdftotext(
        (regenerated / "価格査定書.pdf").read_bytes())
    with Image.open(SCANS / "買付証明書.png") as shipped, \
            Image.open(regenerated / "買付証明書.png") as made:
        assert (shipped.size, shipped.info["dpi"]) == (made.size, made.info["dpi"])
        assert shipped.tobytes() == made.tobytes()


def test_the_scans_pass_the_checks_as_one_page_each():
    limits = load_config().attachment_limits
    intake = take_in(SCANS.parent / "2026-0142.xlsx", "2026-0142", limits)
    assert intake.issues == ()
    results = [clean(f.kind, f.data, limits) for f in intake.files]
    assert [(r.pages, r.notes) for r in results if isinstance(r, Cleaned)] == [(1, ()), (1, ())]
    assert "金 14,000,000 円" in pdftotext(results[0].pdf)
    with Image.open(io.BytesIO(intake.files[1].data)) as scan:
        assert scan.info["dpi"] == pytest.approx((200, 200), abs=0.01)  # PNG stores dots per metre
