"""The sample workbooks in inputs/: every one validates cleanly, and each is exactly what
scripts/make_samples.py writes (so inputs/ never drifts from the script).

Like beancount's "every shipped example must stay valid": the samples are the demo batch and the
fixtures other stages build on, so a validator change that rejects one of them fails here.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parent.parent
INPUTS = REPO / "inputs"
SAMPLES = sorted(INPUTS.glob("*.xlsx"))
PROFILES = {"standard", "jhf"}


def _script():
    """scripts/ is not a package: load make_samples.py by path (registered, as dataclasses need)."""
    if "make_samples" in sys.modules:
        return sys.modules["make_samples"]
    spec = importlib.util.spec_from_file_location("make_samples", REPO / "scripts/make_samples.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    _script().write_samples(out)
    return out


def _cells(path: Path) -> dict[str, list[tuple[str, object, str]]]:
    """Sheet → every non-empty cell as (coordinate, value, number format)."""
    wb = load_workbook(path)
    return {
        ws.title: [(c.coordinate, c.value, c.number_format)
                   for row in ws.iter_rows() for c in row if c.value is not None]
        for ws in wb.worksheets
    }


def _load(name: str):
    from pipeline.read.validate import load_case

    return load_case(INPUTS / name, profiles=PROFILES)


def test_inputs_hold_exactly_the_scripts_samples(regenerated):
    assert len(SAMPLES) >= 6
    assert [p.name for p in SAMPLES] == sorted(p.name for p in regenerated.glob("*.xlsx"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_matches_script(path, regenerated):
    assert _cells(path) == _cells(regenerated / path.name)


def test_script_output_is_byte_identical_between_runs(regenerated, tmp_path):
    _script().write_samples(tmp_path)
    for path in regenerated.glob("*.xlsx"):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_validates_without_issues(path):
    case, issues = _load(path.name)
    assert [i.to_dict() for i in issues] == []
    assert case is not None and case.case_id == path.stem


def test_0142_is_the_worked_example_of_the_spec():
    case, _ = _load("2026-0142.xlsx")
    assert (case.appraisal, case.sale_price, case.settlement_date) == (
        14_000_000, 14_000_000, date(2027, 1, 29))
    assert [u.kind for u in case.units] == ["区分建物", "敷地権"]
    (lien,) = case.creditors
    assert (lien.rank, lien.kind, lien.profile, lien.principal, lien.damages, lien.base_date,
            lien.damage_rate) == (1, "抵当権", "standard", 19_500_000, 500_000,
                                  date(2026, 10, 31), Decimal("14.6"))
    assert (case.management_arrears, case.management_arrears_months, case.management_monthly,
            case.moving_requested, case.bankruptcy) == (200_000, 8, 25_000, 300_000, False)
    income = sum(b.monthly for b in case.budget if b.side == "収入")
    expenses = sum(b.monthly for b in case.budget if b.side == "支出")
    assert (income, expenses) == (460_000, 398_000)
    assert "住居費" in {b.category for b in case.budget}


def test_0163_staff_typing_reads_as_intended():
    case, _ = _load("2026-0163.xlsx")
    assert (case.appraisal, case.listing_price, case.sale_price) == (
        18_500_000, 18_800_000, 17_800_000)
    assert (case.property_tax_yearly, case.management_monthly, case.management_arrears,
            case.management_arrears_months, case.moving_requested) == (
        98_000, 24_000, 120_000, 5, 300_000)
    assert (case.created, case.offer_date, case.contract_date, case.settlement_date,
            case.repayment_start) == (date(2026, 11, 27), date(2026, 11, 20), date(2026, 12, 25),
                                      date(2027, 1, 15), date(2027, 2, 1))
    jhf, guarantor = case.liens
    assert (jhf.rank, jhf.profile, jhf.principal, jhf.damages, jhf.damage_rate) == (
        1, "jhf", 20_500_000, 615_000, Decimal("14.5"))
    assert (guarantor.kind, guarantor.damage_rate, guarantor.officer) == (
        "抵当権", Decimal("14.6"), "田中 𠮷男")
    assert [m.age for m in case.members] == [39, 9]
    assert sum(b.monthly for b in case.budget if b.side == "収入") == 252_000
    assert case.assets[0].value == 120_000


def test_rare_characters_and_ampersand_survive_validation():
    case, _ = _load("2026-0166.xlsx")
    assert case.debtor.name == "𠮷田 裕介"
    assert [c.name for c in case.liens] == ["ひまわり銀行", "ひまわり銀行", "A&Bファイナンス株式会社"]
    assert case.liens[0].officer == "濵田 純一"
