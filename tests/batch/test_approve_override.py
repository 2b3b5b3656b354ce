"""承認 of a case with 重要 (high) warnings: refused unless ``--override "理由"``, which is recorded.

The documents of such a case carry 「案」 (tests/render/test_draft_mark.py); approving it means a
person accepts the warnings, so the reason is kept with who and when, and shown where the
approval is shown (index.html, ``ninbai review``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from batch.test_batch import FakeConfig, fake_build, no_renderer, request, write_input
from pipeline.batch import run_batch
from pipeline.batch.approve import ApproveError, approve_cases
from pipeline.batch.manifest import APPROVALS_NAME, load_approvals
from pipeline.cli import main

NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
REASON = "第1順位と売却価格について合意済み（11月28日 電話）"
HIGH = [{"code": "price_below_min_bid", "severity": "high",
         "message": "売却価格800,000円が買受可能価額1,040,000円を下回ります。"},
        {"code": "auction_better_for_first_lien", "severity": "high",
         "message": "第1順位は競売の方が240,000円多く回収できる見込みです。"}]


def build_with_warnings(source: Path, config, batch_date, renderer):
    """The batch tests' fake build, plus the warnings the workbook's spec lists."""
    outcome = fake_build(source, config, batch_date, renderer)
    extra = json.loads(source.read_text("utf-8")).get("warnings", [])
    if extra and outcome.status != "error":
        outcome.warnings = outcome.warnings + extra
        outcome.status = "warn"
    return outcome


@pytest.fixture
def batch_dir(tmp_path) -> Path:
    src = tmp_path / "in"
    inputs = [write_input(src, "H", warnings=HIGH), write_input(src, "W", status="warn"),
              write_input(src, "A")]
    (tmp_path / "templates").mkdir()
    result = run_batch(request(tmp_path, inputs), FakeConfig(), build=build_with_warnings,
                       make_renderer=no_renderer, templates=tmp_path / "templates")
    return result.batch_dir


def test_a_case_with_high_warnings_is_refused_without_a_reason(batch_dir):
    result = approve_cases(batch_dir, ["H", "A"], "佐藤", now=NOW)
    assert [a.case_id for a in result.approved] == ["A"]
    [problem] = result.problems
    assert problem.startswith("H: 重要な警告が2件あります（売却価格が買受可能価額未満、"
                              "第1順位は競売の方が有利）")
    assert "--override" in problem and "案" in problem
    assert "800,000" not in problem  # titles only: the terminal gets no figures
    assert [a.case_id for a in load_approvals(batch_dir)] == ["A"]


def test_the_override_is_recorded_with_who_when_and_why(batch_dir):
    result = approve_cases(batch_dir, ["H"], "佐藤 花子", now=NOW, override=f"  {REASON}\n")
    assert result.problems == [] and [a.case_id for a in result.approved] == ["H"]
    [approval] = load_approvals(batch_dir)
    assert (approval.by, approval.at, approval.override, approval.overridden) == (
        "佐藤 花子", "2026-11-30T09:15:00+00:00", REASON,
        ["price_below_min_bid", "auction_better_for_first_lien"])
    record = json.loads((batch_dir / APPROVALS_NAME).read_text("utf-8"))["approvals"][0]
    assert record["override"] == REASON
    page = (batch_dir / "index.html").read_text("utf-8")
    assert f"重要な警告を承知で承認: 理由「{REASON}」（売却価格が買受可能価額未満、" \
           "第1順位は競売の方が有利）" in page


@pytest.mark.parametrize("reason", ["", "   ", "\u3000\n"])
def test_an_empty_reason_is_refused(batch_dir, reason):
    with pytest.raises(ApproveError, match="--override"):
        approve_cases(batch_dir, ["H"], "佐藤", now=NOW, override=reason)
    assert not (batch_dir / APPROVALS_NAME).exists()


def test_an_ordinary_approval_is_written_as_before(batch_dir):
    """No override keys for a case without 重要 warnings: older readers still read the file."""
    result = approve_cases(batch_dir, ["W"], "佐藤", now=NOW)
    assert [a.case_id for a in result.approved] == ["W"] and result.notices == []
    [record] = json.loads((batch_dir / APPROVALS_NAME).read_text("utf-8"))["approvals"]
    assert set(record) == {"case_id", "folder", "revision", "by", "at", "files"}


def test_a_reason_for_a_case_without_high_warnings_is_not_recorded(batch_dir):
    result = approve_cases(batch_dir, ["A"], "佐藤", now=NOW, override=REASON)
    assert [a.case_id for a in result.approved] == ["A"]
    assert result.notices == ["A: 重要な警告はないため、--override の理由は記録せずに承認しました。"]
    assert load_approvals(batch_dir)[0].override == ""


def test_the_command_line(batch_dir):
    runner = CliRunner()
    refused = runner.invoke(main, ["approve", str(batch_dir), "H", "--by", "佐藤"])
    assert refused.exit_code == 1
    assert "承認できません: H: 重要な警告が2件あります" in refused.output
    empty = runner.invoke(main, ["approve", str(batch_dir), "H", "--by", "佐藤", "--override", " "])
    assert empty.exit_code == 2 and "理由" in empty.output
    done = runner.invoke(main, ["approve", str(batch_dir), "H", "--by", "佐藤",
                                "--override", REASON])
    assert done.exit_code == 0, done.output
    assert "承認しました: H（H・3ファイル・重要な警告を承知で承認）" in done.output
    review = runner.invoke(main, ["review", str(batch_dir)])
    line = next(x for x in review.output.splitlines() if x.startswith("H "))
    assert "重要な警告を承知で承認" in line and REASON not in review.output  # free text: page only
    as_json = json.loads(runner.invoke(main, ["review", str(batch_dir), "--json"]).output)
    approved = next(c for c in as_json if c["case_id"] == "H")["approved"]
    assert approved["override"] == REASON
    assert approved["overridden"] == ["price_below_min_bid", "auction_better_for_first_lien"]


def test_an_approvals_file_with_a_damaged_reason_is_read_from_its_copy(batch_dir):
    approve_cases(batch_dir, ["H"], "佐藤", now=NOW, override=REASON)
    path = batch_dir / APPROVALS_NAME
    data = json.loads(path.read_text("utf-8"))
    data["approvals"][0]["override"] = 12
    path.write_text(json.dumps(data), "utf-8")
    notices: list[str] = []
    [approval] = load_approvals(batch_dir, notices)
    assert approval.override == REASON and "控え" in notices[0]


def test_a_case_whose_warnings_change_is_rebuilt_with_or_without_the_mark(tmp_path):
    """Real builds: the mark follows the workbook, an approved draft keeps its folder, and the
    corrected case becomes revision 2 without the mark and approvable as usual."""
    from factory import write_case
    from render.test_draft_mark import corner_marks, pdf_pages

    runner = CliRunner()
    src, batch_dir = tmp_path / "in", tmp_path / "out" / "2026-11-30"

    def build(price: str | None) -> dict:
        if price:  # else the workbook stays as it is (a new save changes its bytes)
            write_case(src, case={"売却価格": price})
        done = runner.invoke(main, ["build", str(src), "--out", str(tmp_path / "out"),
                                    "--date", "2026-11-30", "--jobs", "1"])
        assert done.exit_code == 0, done.output
        return json.loads((batch_dir / "manifest.json").read_text("utf-8"))["inputs"][0]

    def marked(folder: str) -> set[bool]:
        pdfs = sorted((batch_dir / folder).glob("*.pdf"))
        assert pdfs
        return {bool(corner_marks(page)) for pdf in pdfs for page in pdf_pages(pdf.read_bytes())}

    src.mkdir()
    clean = build("1,400万円")
    assert (clean["result"], clean["folder"], marked("2026-0142")) == ("built", "2026-0142", {False})
    high = build("100,000円")  # now below the 買受可能価額: two 重要 warnings
    assert (high["result"], high["folder"], marked("2026-0142")) == ("built", "2026-0142", {True})
    assert approve_cases(batch_dir, ["2026-0142"], "佐藤", now=NOW).problems
    assert approve_cases(batch_dir, ["2026-0142"], "佐藤", now=NOW, override=REASON).approved
    fixed = build("1,400万円")
    assert (fixed["result"], fixed["folder"]) == ("built", "2026-0142/rev2")
    assert marked("2026-0142") == {True} and marked("2026-0142/rev2") == {False}
    again = approve_cases(batch_dir, ["2026-0142"], "佐藤", now=NOW)
    assert again.problems == [] and again.approved[0].override == ""
    assert build(None)["result"] == "unchanged"
