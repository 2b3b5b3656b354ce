"""Key figures (主要数値): taken from the computed Figures in the worker, stored typed in the
manifest, read back typed — also from a manifest/1 — and never a reason to crash."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from pipeline.batch.casejson import case_json
from pipeline.batch.keyfigures import KeyFigures
from pipeline.batch.manifest import MANIFEST_NAME, SCHEMA, load_manifest
from pipeline.compute import compute_case
from pipeline.config import load_config
from pipeline.read.validate import load_case

from .test_batch import results, run, write_input

REPO = Path(__file__).resolve().parents[2]
CONFIG = load_config(None)
BATCH_DATE = date(2026, 11, 30)


def figures_of(name: str):
    case, issues = load_case(REPO / "inputs" / name, CONFIG.profiles.keys())
    assert case is not None, issues
    return case, compute_case(case, CONFIG, BATCH_DATE)


def test_the_worked_example_in_exact_yen():
    case, figures = figures_of("2026-0142.xlsx")
    key = KeyFigures.of(figures, case.debtor.name)
    assert (key.price, key.advantage, key.remaining_total, key.monthly_total) == \
        (14_000_000, 4_860_000, 7_742_000, 31_000)
    assert key.debtor == case.debtor.name


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "inputs").glob("*.xlsx")))
def test_key_figures_agree_with_case_json(name):
    """The summary shows what case.json says: 順位1 配分額 is what the 順位 1 rows receive,
    残債務合計 what every lien and 差押 still claims."""
    case, figures = figures_of(name)
    data = case_json(case, figures, [], [])
    sale = data["sale"]
    assert KeyFigures.of(figures, case.debtor.name) == KeyFigures(
        debtor=case.debtor.name, price=sale["price"],
        first_lien_received=sum(lien["received"] for lien in sale["liens"] if lien["rank"] == 1),
        advantage=data["auction"]["advantage"],
        remaining_total=sum(r["remaining"] for r in sale["liens"] + sale["seizures"]),
        monthly_total=data["repayment"]["monthly_total"],
        repayment_months=max((line["months"] or 0 for line in data["repayment"]["plan"]),
                             default=0))


def test_the_longest_repayment_is_kept_in_full_for_staff():
    """The worked example: 7,742,000円 at 31,000円 a month is 250 months (ceil), 20.8 years."""
    case, figures = figures_of("2026-0142.xlsx")
    assert KeyFigures.of(figures, case.debtor.name).repayment_months == 250


def test_a_record_written_before_repayment_months_reads_as_none_known():
    old = {"debtor": "山田 太郎", "price": 1, "first_lien_received": 1, "advantage": 0,
           "remaining_total": 0, "monthly_total": 0}
    assert KeyFigures.from_json(old) == KeyFigures(**old, repayment_months=0)
    with pytest.raises(ValueError):
        KeyFigures.from_json({**old, "unexpected": 1})


def test_the_manifest_stores_them_typed_and_reads_them_back(tmp_path):
    inputs = [write_input(tmp_path / "in", "A", price=12_000_000),
              write_input(tmp_path / "in", "B", status="error")]
    result = run(tmp_path, inputs)
    data = json.loads((result.batch_dir / MANIFEST_NAME).read_text("utf-8"))
    assert data["schema"] == SCHEMA
    stored = {Path(r["path"]).stem: r["figures"] for r in data["inputs"]}
    assert stored["B"] is None and stored["A"]["price"] == 12_000_000
    manifest = load_manifest(result.batch_dir)
    assert manifest is not None
    by_stem = {Path(r.path).stem: r.figures for r in manifest.inputs}
    assert by_stem["A"] == KeyFigures("山田 太郎", 12_000_000, 11_900_000, 1_234_000,
                                      7_030_000, 31_000)
    assert by_stem["B"] is None


def test_a_manifest_1_is_read_and_its_cases_stay_unchanged(tmp_path):
    """A batch built before the key figures were typed: nothing is rebuilt for it."""
    inputs = [write_input(tmp_path / "in", "A"), write_input(tmp_path / "in", "B", status="error")]
    batch_dir = run(tmp_path, inputs).batch_dir
    path = batch_dir / MANIFEST_NAME
    data = json.loads(path.read_text("utf-8"))
    data["schema"] = "manifest/1"
    for record in data["inputs"]:  # as manifest/1 wrote them: {} for a failed case
        record["figures"] = record["figures"] or {}
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    again = run(tmp_path, inputs)
    assert results(again) == {"A": ("ok", "unchanged"), "B": ("error", "failed")}
    assert again.manifest.inputs[0].figures is not None


@pytest.mark.parametrize("figures", [
    {"price": 1},  # fields missing
    {"debtor": "山田", "price": "14,000,000", "first_lien_received": 0, "advantage": 0,
     "remaining_total": 0, "monthly_total": 0},  # an amount as text
    {"debtor": "山田", "price": 1.5, "first_lien_received": 0, "advantage": 0,
     "remaining_total": 0, "monthly_total": 0},  # not whole yen
    {"debtor": "山田", "price": True, "first_lien_received": 0, "advantage": 0,
     "remaining_total": 0, "monthly_total": 0},  # a boolean is not an amount
    [1, 2],
])
def test_damaged_figures_make_the_manifest_unreadable_not_a_crash(tmp_path, figures):
    inputs = [write_input(tmp_path / "in", "A")]
    batch_dir = run(tmp_path, inputs).batch_dir
    path = batch_dir / MANIFEST_NAME
    data = json.loads(path.read_text("utf-8"))
    data["inputs"][0]["figures"] = figures
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert load_manifest(batch_dir) is None  # read as "no manifest": every case is rebuilt
    assert results(run(tmp_path, inputs)) == {"A": ("ok", "built")}


def test_an_unknown_manifest_format_means_rebuild(tmp_path):
    inputs = [write_input(tmp_path / "in", "A")]
    batch_dir = run(tmp_path, inputs).batch_dir
    path = batch_dir / MANIFEST_NAME
    path.write_text(path.read_text("utf-8").replace(SCHEMA, "manifest/99"), "utf-8")
    assert results(run(tmp_path, inputs)) == {"A": ("ok", "built")}
    shutil.rmtree(batch_dir)
