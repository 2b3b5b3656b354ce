"""Issue 16 part 2, batch side: the change table compares with the figures approved in an EARLIER
batch of the same output folder, found, checked and read by the real batch code.

Batch A (2026-10-30) is built and approved with the real approve code; the sale price comes down;
batch B (2026-11-30) is built into the same output root. The 交渉 sheet's reader is another
helper's (issue 16 part 1): until it is merged, the rows a 交渉 sheet would give are added to the
validated case here, at the one place the batch reads a workbook.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import docx
import pytest
from factory import write_case

from pipeline.batch import BatchRequest, run_batch
from pipeline.batch.approve import approve_cases
from pipeline.batch.earlier import earlier_figures
from pipeline.config import load_config
from pipeline.read.models import NegotiationRound

INPUTS = Path(__file__).resolve().parents[2] / "inputs"
CASE_ID = "2026-0142"
BANK, JUNIOR = "○○銀行", "△△信用金庫"
A_DATE, B_DATE = date(2026, 10, 30), date(2026, 11, 30)
CREDITORS = [
    {"順位": 1, "債権者名": BANK, "担保種別": "抵当権", "元金残高": 19_500_000,
     "損害金等": 500_000, "基準日": date(2026, 10, 1), "損害金率": "14.6%"},
    {"順位": 2, "債権者名": JUNIOR, "担保種別": "抵当権", "元金残高": 3_000_000},
]
#: What a 交渉 sheet would say by batch B: the first 配分案 went to the junior on 10/31; the
#: first lien's send is not entered yet (no 送付日), so its letters are still 第1回.
SENT = (NegotiationRound(row=2, creditor=BANK, round=1),
        NegotiationRound(row=3, creditor=JUNIOR, round=1, sent_on=date(2026, 10, 31)),
        NegotiationRound(row=4, creditor=JUNIOR, round=2))


@pytest.fixture(scope="module")
def config():
    return load_config(INPUTS / "ninbai.toml")


@pytest.fixture
def negotiation(monkeypatch):
    """The rows of the case's 交渉 sheet (set ``rows`` on the returned list before a build)."""
    from pipeline.read import validate

    rows: list[NegotiationRound] = []
    real = validate.validate_workbook

    def with_negotiation(raw, *args, **kwargs):
        case, issues = real(raw, *args, **kwargs)
        return (case.model_copy(update={"negotiation": tuple(rows)}) if case else None), issues

    monkeypatch.setattr(validate, "validate_workbook", with_negotiation)
    return rows


def workbook(folder: Path, price: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return write_case(folder, case={"売却価格": price, "決済予定日": date(2027, 1, 29)},
                      rows={"債権者": CREDITORS})


def build(root: Path, batch: str, when: date, source: Path, config) -> Path:
    result = run_batch(BatchRequest((source,), root / "out", batch, when), config)
    assert result.exit_code == 0, [r.errors for r in result.processed]
    return root / "out" / batch


def case_json(batch_dir: Path) -> dict:
    folder = json.loads((batch_dir / "manifest.json").read_text("utf-8"))["inputs"][0]["folder"]
    return json.loads((batch_dir / folder / "case.json").read_text("utf-8"))


def letter(batch_dir: Path, name: str, ext: str) -> Path:
    folder = json.loads((batch_dir / "manifest.json").read_text("utf-8"))["inputs"][0]["folder"]
    [path] = (batch_dir / folder).glob(f"01_*_{name}.{ext}")
    return path


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, text=True).stdout
    return re.sub(r"[ \t\u3000]+", " ", out)


def docx_lines(path: Path) -> list[str]:
    document = docx.Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [" | ".join(c.text for c in row.cells) for row in table.rows]
    return lines


def approved_a(tmp_path: Path, config) -> Path:
    a = build(tmp_path, "2026-10", A_DATE, workbook(tmp_path / "a", 14_000_000), config)
    result = approve_cases(a, [CASE_ID], "佐藤 花子", now=datetime(2026, 10, 30, 9, tzinfo=UTC))
    assert result.problems == [], result.problems
    return a


def test_round_2_shows_the_change_since_the_approved_earlier_batch(tmp_path, config, negotiation):
    a = approved_a(tmp_path, config)
    negotiation[:] = SENT
    b = build(tmp_path, "2026-11", B_DATE, workbook(tmp_path / "b", 13_000_000), config)
    before, after = case_json(a)["sale"], case_json(b)["sale"]
    reference = case_json(b)["earlier_approved"]
    assert reference == {"batch": "2026-10", "batch_date": "2026-10-30", "folder": CASE_ID,
                         "approved_at": "2026-10-30T09:00:00+00:00", "approved_by": "佐藤 花子",
                         "document_date": "2026-10-30", "change_table": True}
    # 仲介手数料 = (price × 3% + 60,000) × 1.1: 528,000円 at 14,000,000円, 495,000円 at 13,000,000円
    brokerage = [d["amount"] for s in (before, after) for d in s["deductions"]
                 if d["code"] == "brokerage"]
    assert brokerage == [528_000, 495_000]
    received = {s: {x["creditor"]: x["received"] for x in sale["liens"]}
                for s, sale in (("a", before), ("b", after))}
    expected = [("売却価格", "14,000,000円", "13,000,000円", "△1,000,000円"),
                ("仲介手数料", "528,000円", "495,000円", "△33,000円")]
    expected += [(f"{name} 配分額", f"{received['a'][name]:,}円", f"{received['b'][name]:,}円",
                  _change(received["b"][name] - received["a"][name])) for name in (BANK, JUNIOR)]

    pdf = pdf_text(letter(b, JUNIOR, "pdf"))
    lines = docx_lines(letter(b, JUNIOR, "docx"))
    assert "任意売却に関する同意申請書（第2回）" in pdf
    assert "任意売却に関する同意申請書（第2回）" in lines
    assert "前回（令和8年10月30日付）の配分案からの変更点" in pdf
    assert "前回（令和8年10月30日付）の配分案からの変更点" in lines
    for label, was, now, change in expected:
        assert re.search(rf"{re.escape(label)} +{was} +{now} +{re.escape(change)}", pdf), label
        assert f"{label} | {was} | {now} | {change}" in lines, label
    # the table is the case's: the first lien's letter, still 第1回, has it too
    bank = pdf_text(letter(b, BANK, "pdf"))
    assert "前回（令和8年10月30日付）の配分案からの変更点" in bank
    assert "（第2回）" not in bank.split("別紙")[0]


def _change(n: int) -> str:
    return f"+{n:,}円" if n > 0 else f"△{-n:,}円" if n < 0 else "0円"


def test_no_table_when_the_earlier_batch_is_not_approved(tmp_path, config, negotiation):
    build(tmp_path, "2026-10", A_DATE, workbook(tmp_path / "a", 14_000_000), config)
    negotiation[:] = SENT
    b = build(tmp_path, "2026-11", B_DATE, workbook(tmp_path / "b", 13_000_000), config)
    assert case_json(b)["earlier_approved"] is None
    assert "変更点" not in pdf_text(letter(b, JUNIOR, "pdf"))
    assert "任意売却に関する同意申請書（第2回）" in pdf_text(letter(b, JUNIOR, "pdf"))


def test_no_table_when_the_approved_files_were_changed(tmp_path, config, negotiation):
    a = approved_a(tmp_path, config)
    with letter(a, BANK, "pdf").open("ab") as handle:
        handle.write(b"%edited")
    negotiation[:] = SENT
    b = build(tmp_path, "2026-11", B_DATE, workbook(tmp_path / "b", 13_000_000), config)
    assert case_json(b)["earlier_approved"] is None
    assert "変更点" not in pdf_text(letter(b, JUNIOR, "pdf"))


def test_no_table_at_round_1_but_the_reference_is_recorded(tmp_path, config, negotiation):
    approved_a(tmp_path, config)
    b = build(tmp_path, "2026-11", B_DATE, workbook(tmp_path / "b", 13_000_000), config)
    assert case_json(b)["earlier_approved"]["change_table"] is False
    assert "変更点" not in pdf_text(letter(b, JUNIOR, "pdf"))


def test_a_later_or_same_day_batch_is_not_earlier(tmp_path, config, negotiation):
    later = build(tmp_path, "2026-12", date(2026, 12, 25), workbook(tmp_path / "c", 12_000_000),
                  config)
    assert approve_cases(later, [CASE_ID], "佐藤").problems == []
    same = build(tmp_path, "2026-11a", B_DATE, workbook(tmp_path / "d", 12_500_000), config)
    assert approve_cases(same, [CASE_ID], "佐藤").problems == []
    negotiation[:] = SENT
    b = build(tmp_path, "2026-11", B_DATE, workbook(tmp_path / "b", 13_000_000), config)
    assert case_json(b)["earlier_approved"] is None


def test_approving_the_earlier_batch_afterwards_rebuilds_the_unchanged_case(
        tmp_path, config, negotiation):
    a = build(tmp_path, "2026-10", A_DATE, workbook(tmp_path / "a", 14_000_000), config)
    negotiation[:] = SENT
    source = workbook(tmp_path / "b", 13_000_000)
    b = build(tmp_path, "2026-11", B_DATE, source, config)
    assert case_json(b)["earlier_approved"] is None
    assert approve_cases(a, [CASE_ID], "佐藤").problems == []
    again = run_batch(BatchRequest((source,), tmp_path / "out", "2026-11", B_DATE), config)
    assert [r.result for r in again.processed] == ["built"]
    assert case_json(b)["earlier_approved"]["change_table"] is True
    unchanged = run_batch(BatchRequest((source,), tmp_path / "out", "2026-11", B_DATE), config)
    assert [r.result for r in unchanged.processed] == ["unchanged"]


def test_an_older_case_json_without_some_figures_does_not_crash():
    old = earlier_figures("2026-05", {"schema": "case/1", "sale": {
        "price": 15_000_000, "deductions": [{"code": "brokerage", "amount": 561_000}],
        "liens": [{"creditor": BANK, "received": 14_000_000}]}})
    assert (old.price, old.deductions, old.deductions_total, old.received, old.document_date) \
        == (15_000_000, None, None, None, None)
    assert earlier_figures("x", {"sale": "broken", "document_date": "no date"}).price is None


def test_a_change_to_the_earlier_approved_files_rebuilds_the_unchanged_case(
        tmp_path, config, negotiation):
    a = approved_a(tmp_path, config)
    negotiation[:] = SENT
    source = workbook(tmp_path / "b", 13_000_000)
    b = build(tmp_path, "2026-11", B_DATE, source, config)
    assert case_json(b)["earlier_approved"]["change_table"] is True
    with letter(a, BANK, "pdf").open("ab") as handle:  # the approval no longer stands
        handle.write(b"%edited")
    again = run_batch(BatchRequest((source,), tmp_path / "out", "2026-11", B_DATE), config)
    assert [r.result for r in again.processed] == ["built"]
    assert case_json(b)["earlier_approved"] is None
    assert "変更点" not in pdf_text(letter(b, JUNIOR, "pdf"))


def test_a_seizure_counts_in_the_earlier_figures_of_its_creditor():
    """case.json writes a 差押's 解除料 and 剰余からの配分, not their sum: the earlier 配分額 of
    every creditor of a case with a 差押 (2026-0190's ゆりが丘市役所) read as unknown (「—」 in
    every row) before the reader added them up as the figures do."""
    from pipeline.batch.casejson import case_json as make_case_json
    from pipeline.compute import compute_case
    from pipeline.read.validate import load_case

    config = load_config(None)
    case, issues = load_case(Path(__file__).parents[2] / "inputs" / "2026-0190.xlsx", config.profiles.keys())
    assert case is not None, issues
    figures = compute_case(case, config, date(2026, 11, 30))
    data = json.loads(json.dumps(make_case_json(case, figures, [], [])))
    expected: dict[str, int] = {}
    for name, amount in [(x.creditor, x.received) for x in figures.sale.liens] + \
            [(s.creditor, s.received) for s in figures.sale.seizures]:
        expected[name] = expected.get(name, 0) + amount
    assert figures.sale.seizures and expected["ゆりが丘市役所"] == 96_000
    assert earlier_figures("2026-10-30", data).received == expected
