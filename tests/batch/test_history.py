"""A case's history across batches, built with the real batch and approve code: three batches
of one output folder at three dates and prices (the 価格変更 of a case), one approved, one
rebuilt after its approval (a second revision); ``case_history``, ``ninbai history`` (text and
--json) and the history pages the build and approve write, each checked against the figures
the rules give for the same workbook on the same date."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from batch.test_batch import REPO
from pipeline.batch import BatchRequest, run_batch
from pipeline.batch.approve import approve_cases
from pipeline.batch.history import case_history, history_json, pages_to_write
from pipeline.batch.manifest import read_manifest

CASE = "2026-0163"  # a sample with two liens, under water: each price change moves both
SAMPLE = REPO / "inputs" / f"{CASE}.xlsx"
#: (batch folder, batch date, 売却価格): the folder names sort against the dates on purpose
BATCHES = [("c-sep", date(2026, 9, 30), 18_000_000), ("b-oct", date(2026, 10, 30), 17_500_000),
           ("a-nov", date(2026, 11, 30), 17_000_000)]
APPROVED_AT = datetime(2026, 10, 30, 9, 15, tzinfo=UTC)
REBUILT_PRICE = 17_200_000  # b-oct again after its approval: revision 2 beside the approved one


@dataclass
class Expected:
    batch: str
    revision: int
    price: int
    shares: list[tuple[str, str, int, int]]  # creditor, position, 配分額, 残債務


def set_price(path: Path, price: int) -> None:
    workbook = load_workbook(path)
    sheet = workbook["案件"]
    [cell] = [row[1] for row in sheet.iter_rows(min_col=1, max_col=2) if row[0].value == "売却価格"]
    cell.value = price
    workbook.save(path)


def expected_shares(path: Path, config, batch_date: date) -> list[tuple[str, str, int, int]]:
    """What the rules give for this workbook on this date (the history must show these)."""
    from pipeline.compute import compute_case
    from pipeline.read.validate import load_case

    case, _ = load_case(path, config.profile_names())
    sale = compute_case(case, config, batch_date).sale
    return ([(lien.creditor, f"順位{lien.rank}", lien.received, lien.remaining) for lien in sale.liens]
            + [(s.creditor, "差押（優先）" if s.priority else "差押", s.release_fee + s.surplus_share,
                s.remaining) for s in sale.seizures])


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    """Builds the three batches (and b-oct twice), approves b-oct's first revision."""
    from pipeline.config import load_config

    config = load_config(None)
    folder = tmp_path_factory.mktemp("history")
    workbook = folder / "inputs" / f"{CASE}.xlsx"
    workbook.parent.mkdir()
    out = folder / "out"
    expected = []

    def build(batch: str, day: date, price: int, force: bool = False) -> None:
        shutil.copy(SAMPLE, workbook)
        set_price(workbook, price)
        result = run_batch(BatchRequest((workbook,), out, batch, day, jobs=1, force=force), config)
        assert result.exit_code == 0
        record = result.manifest.find(CASE)
        expected.append(Expected(batch, record.revision, price,
                                 expected_shares(workbook, config, day)))

    for batch, day, price in BATCHES:
        build(batch, day, price)
        if batch == "b-oct":
            approval = approve_cases(out / batch, [CASE], "佐藤 花子", now=APPROVED_AT)
            assert [a.case_id for a in approval.approved] == [CASE], approval.problems
    build("b-oct", BATCHES[1][1], REBUILT_PRICE)
    return out, expected


def ordered(expected: list[Expected]) -> list[Expected]:
    """Oldest first: by batch date, then revision (c-sep, b-oct 1, b-oct 2, a-nov)."""
    dates = {name: day for name, day, _ in BATCHES}
    return sorted(expected, key=lambda e: (dates[e.batch], e.revision))


def test_history_across_three_batches(output):
    out, expected = output
    history = case_history(out, CASE)
    want = ordered(expected)
    assert [(r.batch, r.revision, r.price) for r in history.revisions] == \
        [(e.batch, e.revision, e.price) for e in want] == [
            ("c-sep", 1, 18_000_000), ("b-oct", 1, 17_500_000), ("b-oct", 2, 17_200_000),
            ("a-nov", 1, 17_000_000)]
    for rev, e in zip(history.revisions, want, strict=True):
        assert [(s.creditor, s.position, s.received, s.remaining) for s in rev.creditors] \
            == e.shares
        assert len(rev.creditors) == 2  # the first lien and the junior
    assert [r.current for r in history.revisions] == [True, False, True, True]
    assert history.price_changes() == [None, -500_000, -300_000, -200_000]
    # the first lien's 配分額 falls with the price, its 残債務 rises by the same
    received = [r.creditors[0].received for r in history.revisions]
    assert received == sorted(received, reverse=True) and len(set(received)) == 4


def test_the_approval_its_reason_and_whether_it_stands(output):
    out, _ = output
    history = case_history(out, CASE)
    approved = [r for r in history.revisions if r.approvals]
    assert [(r.batch, r.revision) for r in approved] == [("b-oct", 1)]
    [a] = approved[0].approvals
    assert (a.by, a.at, a.stands) == ("佐藤 花子", "2026-10-30T09:15:00+00:00", True)
    assert history.last_approved().batch == "b-oct"
    assert history.last_approved("2026-10-30") is None  # nothing approved before October's


def test_warnings_are_counted_by_level_with_their_titles(output):
    out, _ = output
    for rev in case_history(out, CASE).revisions:
        case = json.loads((out / rev.batch / rev.folder / "case.json").read_text("utf-8"))
        levels = [w["severity"] for w in case["warnings"]]
        assert rev.warning_counts() == {lv: levels.count(lv) for lv in ("high", "warn", "info")}
        assert [w["code"] for w in rev.warnings] == [w["code"] for w in case["warnings"]]


def test_a_changed_approved_file_no_longer_stands(output, tmp_path):
    out, _ = output
    copy = tmp_path / "out"
    shutil.copytree(out, copy, symlinks=True)
    approved = copy / "b-oct" / CASE
    pdf = next(p for p in sorted(approved.iterdir()) if p.suffix == ".pdf")
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited")
    history = case_history(copy, CASE)
    [a] = next(r for r in history.revisions if r.approvals).approvals
    assert a.stands is False
    assert history.last_approved() is None
    text = CliRunner().invoke(_main(), ["history", CASE, "--out", str(copy)]).output
    assert "  承認: 佐藤 花子 2026年10月30日 18:15（無効（承認後にファイルが変更・削除されています））" \
        in text.splitlines()


def _main():
    from pipeline.cli import main

    return main


def test_ninbai_history_text_and_json(output, monkeypatch, tmp_path):
    out, expected = output
    monkeypatch.chdir(tmp_path)  # no ./ninbai.toml of the developer
    result = CliRunner().invoke(_main(), ["history", CASE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"案件 {CASE} の履歴（4件・古い順）"
    headings = [line for line in lines if line and not line.startswith(" ")][1:]
    assert headings == [
        "c-sep  基準日 2026年9月30日  第1版  売却価格 18,000,000円  状態 " + _state(out, "c-sep", CASE),
        "b-oct  基準日 2026年10月30日  第1版  売却価格 17,500,000円（前回から△500,000円）  状態 "
        + _state(out, "b-oct", CASE),
        "b-oct  基準日 2026年10月30日  第2版（このバッチの現在の版）  売却価格 17,200,000円"
        "（前回から△300,000円）  状態 " + _state(out, "b-oct", f"{CASE}/rev2"),
        "a-nov  基準日 2026年11月30日  第1版  売却価格 17,000,000円（前回から△200,000円）  状態 "
        + _state(out, "a-nov", CASE)]
    tables = [[line.split() for line in lines if line.startswith("  ") and line.endswith("円")]]
    shown = [row for table in tables for row in table]
    assert shown == [[f"{c}（{p}）", f"{r:,}円", f"{m:,}円"]
                     for e in ordered(expected) for c, p, r, m in e.shares]
    assert "  承認: 佐藤 花子 2026年10月30日 18:15（有効）" in lines
    assert lines.count("  承認: なし") == 3

    data = json.loads(CliRunner().invoke(_main(), ["history", CASE, "--out", str(out),
                                                   "--json"]).output)
    assert data == json.loads(json.dumps(history_json(case_history(out, CASE)),
                                         ensure_ascii=False))
    assert [(r["batch"], r["revision"], r["price"], r["price_change"]) for r in data["revisions"]] \
        == [("c-sep", 1, 18_000_000, None), ("b-oct", 1, 17_500_000, -500_000),
            ("b-oct", 2, 17_200_000, -300_000), ("a-nov", 1, 17_000_000, -200_000)]
    assert data["revisions"][1]["approvals"] == [
        {"by": "佐藤 花子", "at": "2026-10-30T09:15:00+00:00", "override": None,
         "overridden": [], "stands": True}]


def _state(out: Path, batch: str, folder: str) -> str:
    """The 状態 the review shows for the revision (its case.json's worst warning)."""
    return json.loads((out / batch / folder / "case.json").read_text("utf-8"))["status_label"]


def test_unknown_case_bad_id_and_missing_folder(output, monkeypatch, tmp_path):
    out, _ = output
    monkeypatch.chdir(tmp_path)
    missing = CliRunner().invoke(_main(), ["history", "2026-9999", "--out", str(out)])
    assert missing.exit_code == 1
    assert missing.output.strip() == "案件 2026-9999 は、この出力フォルダのどのバッチにもありません。"
    assert CliRunner().invoke(_main(), ["history", "../etc", "--out", str(out)]).exit_code == 2
    assert CliRunner().invoke(_main(), ["history", CASE, "--out", str(tmp_path / "x")]
                              ).exit_code == 2


def test_history_pages_are_written_whole_and_linked(output):
    out, _ = output
    for batch, _, _ in BATCHES:
        page = out / batch / "履歴" / f"{CASE}.html"
        assert page.is_file()
        assert [p.name for p in page.parent.iterdir()] == [page.name]  # no temp file left
        index = (out / batch / "index.html").read_text("utf-8")
        assert f'href="%E5%B1%A5%E6%AD%B4/{CASE}.html"' in index  # 履歴/, percent-encoded
    # b-oct's page was rewritten by its second build, the last of all: it shows every revision
    # and the approval; c-sep's page was written before the later batches existed
    october = (out / "b-oct" / "履歴" / f"{CASE}.html").read_text("utf-8")
    assert october.count('class="revision') == 4 and october.count('class="stands"') == 1
    september = (out / "c-sep" / "履歴" / f"{CASE}.html").read_text("utf-8")
    assert september.count('class="revision') == 1


def test_deadlines_in_case_json_and_on_the_review_page(output):
    out, _ = output
    case = json.loads((out / "a-nov" / CASE / "case.json").read_text("utf-8"))
    from pipeline.compute.deadlines import case_deadlines
    from pipeline.config import load_config
    from pipeline.read.validate import load_case

    sample, _ = load_case(SAMPLE, load_config(None).profile_names())
    assert case["deadlines"] == [d.to_json() for d in case_deadlines(sample)]
    assert {"kind": "settlement_date", "label": "決済予定日",
            "date": sample.settlement_date.isoformat(), "creditor": None} in case["deadlines"]
    record = read_manifest(out / "a-nov").find(CASE)
    assert record.deadlines == case["deadlines"]
    index = (out / "a-nov" / "index.html").read_text("utf-8")
    assert '<section class="deadlines" id="deadlines">' in index
    assert index.index('id="deadlines"') < index.index('id="summary"')  # on top


def test_only_changed_or_missing_pages_are_rewritten(output):
    out, _ = output
    manifest = read_manifest(out / "a-nov")
    record = manifest.find(CASE)
    unchanged = type(record)(**{**record.__dict__, "result": "unchanged"})
    assert pages_to_write(out / "a-nov", manifest.inputs, [unchanged]) == []
    assert pages_to_write(out / "a-nov", manifest.inputs, [record]) == [CASE]


def test_an_override_reason_is_shown_with_the_approval():
    """The reason of an approval despite 重要 warnings is part of the history (text and JSON);
    the history is read by staff at their own screen."""
    from pipeline.batch.history import ApprovalState, CaseHistory, Revision, history_lines

    approval = ApprovalState("佐藤 花子", "2026-10-30T09:15:00+00:00", "第1順位と合意済み",
                             ("price_below_min_bid",), True)
    rev = Revision("b-oct", "2026-10-30", CASE, 1, True, False, "warn", 17_500_000, (),
                   ({"code": "price_below_min_bid", "severity": "high", "title": "売却価格が買受可能価額未満"},),
                   (approval,))
    lines = history_lines(CaseHistory(CASE, [rev]), "Asia/Tokyo")
    assert "  承認: 佐藤 花子 2026年10月30日 18:15・重要な警告を承知で承認: 理由「第1順位と合意済み」（有効）" \
        in lines
    assert "  警告: 重要1件（売却価格が買受可能価額未満）" in lines
    assert history_json(CaseHistory(CASE, [rev]))["revisions"][0]["approvals"][0]["override"] \
        == "第1順位と合意済み"


def test_a_killed_runs_temp_page_is_cleared_and_pages_stay_private(output, tmp_path):
    from pipeline.batch.history import write_history_pages

    out, _ = output
    copy = tmp_path / "out"
    shutil.copytree(out, copy, symlinks=True)
    folder = copy / "a-nov" / "履歴"
    (folder / f".tmp-{CASE}.html-0badf00d").write_text("half a page", "utf-8")
    write_history_pages(copy / "a-nov", [CASE, "../escape"], "Asia/Tokyo")
    assert sorted(p.name for p in folder.iterdir()) == [f"{CASE}.html"]
    assert (folder / f"{CASE}.html").stat().st_mode & 0o777 == 0o600
    assert not (copy / "escape.html").exists()


def test_a_case_whose_id_is_history_keeps_its_own_folder(tmp_path):
    """「history」 is a valid 案件番号: the pages must never be written into a case folder."""
    from batch.test_batch import run, write_input

    result = run(tmp_path, [write_input(tmp_path / "in", "history")])
    folder = result.batch_dir / "history"
    assert sorted(p.name for p in folder.iterdir()) == ["01_申請書.docx", "01_申請書.pdf",
                                                         "case.json"]
    assert (result.batch_dir / "履歴" / "history.html").is_file()
