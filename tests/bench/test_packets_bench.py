"""benchmarks.packets and its fair "without": today's code with the packet stage taken out."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import packets
from benchmarks.batch import OFFICE

INPUTS = Path(__file__).resolve().parents[2] / "inputs"
CASE = "2026-0142"  # a case with a 添付 folder (two scans) and a 添付 sheet


def _build(entry: list[str], inputs: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (
        str(packets.REPO), os.environ.get("PYTHONPATH"))))}
    run = subprocess.run([*entry, "build", str(inputs), "--out", str(out), "--batch", "b",
                          "--date", "2026-11-30", "--config", str(OFFICE)],
                         capture_output=True, text=True, env=env, cwd=out.parent, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads((out / "b" / "manifest.json").read_text("utf-8"))


def test_without_packets_writes_the_letters_and_nothing_of_the_packets(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    shutil.copy(INPUTS / f"{CASE}.xlsx", inputs)
    shutil.copytree(INPUTS / CASE, inputs / CASE)
    ninbai = Path(sys.executable).parent / "ninbai"
    with_packets = _build([str(ninbai)], inputs, tmp_path / "with")
    without = _build([sys.executable, "-m", "benchmarks.without_packets"], inputs,
                     tmp_path / "without")

    def files(manifest: dict) -> list[str]:
        (case,) = manifest["inputs"]
        assert case["result"] == "built"
        return sorted(Path(o["path"]).name for o in case["outputs"])

    made, bare = files(with_packets), files(without)
    packet_files = [f for f in made if f.startswith(("00_送付状", "送付書類一式"))]
    assert packet_files  # the real build makes them: the comparison below can fail
    assert [f for f in made if f not in packet_files] == bare  # the same letters, nothing more
    (case,) = without["inputs"]
    assert case["timings"].get("attach", 0) < 0.05 and "cover" not in case["timings"]


def test_the_without_variant_runs_todays_code_through_its_entry(monkeypatch, tmp_path):
    seen = []

    def fake_run(inputs, out, jobs, log, config, entry=None):
        seen.append((os.environ.get("PYTHONPATH", ""), config, entry))
        raise RuntimeError("stop")  # the figures are not needed

    monkeypatch.setattr(packets, "run_build", fake_run)
    monkeypatch.delenv("PYTHONPATH", raising=False)
    for tree in (packets.WITHOUT_PACKETS, ""):
        try:
            packets.build_with(tree, tmp_path, tmp_path / "out", 1, tmp_path / "log")
        except RuntimeError:
            pass
    (path, config, entry), (plain_path, _, plain_entry) = seen
    assert path == str(packets.REPO) and entry == [sys.executable, "-m",
                                                   "benchmarks.without_packets"]
    assert config == packets.REPO / "inputs" / "ninbai.toml"
    assert plain_path == "" and plain_entry is None
    assert "PYTHONPATH" not in os.environ  # put back after the build


def test_page_cost_sums_per_kind_and_sets_the_cover_against_the_letters():
    from benchmarks import page_cost

    rows = page_cost.summary({1: ("sale_request", 4, 0.4), 2: ("sale_request", 2, 0.2),
                              3: ("cover_letter", 1, 0.06), 4: ("cover_letter", 1, 0.04)})
    assert rows["sale_request"] == pytest.approx({"documents": 2, "pages": 6, "seconds": 0.6,
                                                  "ms_a_document": 300, "ms_a_page": 100})
    assert rows["cover_letter"]["ms_a_page"] == pytest.approx(50)
    lines = page_cost.report(rows)
    assert lines[-1] == "送付状の割合（PDFのCPU時間のうち）: 14.3%、手紙に対して +16.7%"
    assert any(line.startswith("letters (all)") and line.endswith("100.0") for line in lines)
