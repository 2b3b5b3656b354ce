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


def test_0175_is_in_auction_with_its_applicant_court_costs_and_owners():
    case, _ = _load("2026-0175.xlsx")
    assert (case.auction.applicant, case.auction.court, case.auction.costs) == (
        "するが中央銀行", "静岡地方裁判所浜松支部", 742_000)
    assert [c.loan_number for c in case.creditors] == ["第0175-221458号", "SH-2019-00871"]
    assert [(o.name, o.share) for o in case.owners] == [("石川 大輔", "2分の1"), ("石川 亜希", "2分の1")]
    assert (case.reply_deadline, case.deposit, case.handover_date, case.buyer_relation) == (
        date(2026, 12, 15), 500_000, date(2027, 2, 19), "なし")


def test_0178_is_in_bankruptcy_with_its_trustee():
    case, _ = _load("2026-0178.xlsx")
    assert case.bankruptcy is True
    b = case.bankruptcy_case
    assert (b.trustee, b.trustee_office, b.trustee_phone, b.case_number, b.court) == (
        "弁護士 北川 直人", "さくら川中央法律事務所", "04-5555-0780", "令和8年(フ)第512号",
        "さいたま地方裁判所")


def test_0181_seizures_recover_nothing_at_auction():
    from pipeline.compute import compute_case
    from pipeline.config import load_config

    case, _ = _load("2026-0181.xlsx")
    figures = compute_case(case, load_config(None), date(2026, 11, 30))
    assert [(s.creditor, s.amount, s.futile) for s in figures.auction.seizure_recoveries] == [
        ("かもめ浜市役所", 0, True), ("かもめ浜税務署", 0, True)]
    assert [s.remaining for s in figures.sale.seizures] == [592_300, 264_000]


def test_older_samples_are_written_without_the_later_items(regenerated):
    """Only the samples that use them carry the later 項目, 債権番号 and 所有者 (byte-stable files)."""
    for path in SAMPLES:
        sheets = _cells(path)
        later = path.stem in {"2026-0175", "2026-0178", "2026-0181", "2026-0190"}
        assert any(v == "申立債権者" for _, v, _ in sheets["案件"]) is later, path.stem


def test_0190_has_two_rounds_of_replies_and_their_warnings():
    """A floor raised by the first lien (met exactly by the price now), a junior demanding more
    than the guideline, its round-2 reply overdue (whatever the batch date after 2026-11-13)."""
    from pipeline.compute import compute_case
    from pipeline.config import load_config

    case, _ = _load("2026-0190.xlsx")
    bank, servicer, city = (c.name for c in case.creditors)
    assert [(n.creditor, n.round, n.reply) for n in case.negotiation] == [
        (bank, 1, "条件付同意"), (servicer, 1, "条件付同意"), (city, 1, "同意"),
        (bank, 2, "条件付同意"), (servicer, 2, "回答待ち"), (city, 2, "同意")]
    assert [n.floor_price for n in case.rounds_of(bank)] == [16_000_000, 16_200_000]
    assert case.sale_price == 16_200_000
    figures = compute_case(case, load_config(None), date(2026, 11, 30))
    assert [(w.code, w.cell) for w in figures.warnings] == [
        ("moving_reduction_requested", "I2"), ("condition_not_met", "H3"),
        ("reply_overdue", "D6")]
    assert "抹消承諾料500,000円の要求に対し、配分案の配分額は240,000円です" in (
        figures.warnings[1].message)
    later = compute_case(case, load_config(None), date(2031, 1, 6))
    assert "reply_overdue" in [w.code for w in later.warnings]
    lower = case.model_copy(update={"sale_price": 16_199_999})
    assert "below_creditor_floor" in [w.code for w in compute_case(
        lower, load_config(None), date(2026, 11, 30)).warnings]
