"""issue 17 part 3: 版の比較 on real builds — the sample 2026-0142 built, approved, its price
changed with openpyxl and built again into rev2; the comparison lists the figures that changed
(exact yen, formatted as the letters print them) and the letters' sentences side by side."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from pipeline.batch import BatchRequest, run_batch
from pipeline.batch.approve import approve_cases
from pipeline.batch.compare import (
    DiffRow,
    DocumentDiff,
    FigureChange,
    RevisionComparison,
    Segment,
    changed_segments,
    compare_case,
    compare_revisions,
    side_by_side,
)
from pipeline.batch.manifest import Approval, load_approvals, load_manifest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = "2026-0142"
BATCH = "2026-11-30"
BATCH_DATE = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
SERVE_TEMPLATES = REPO / "pipeline" / "serve" / "templates"
LETTER = "01_任意売却に関する同意申請書_東都みらい銀行.docx"


# -- a real sample in a batch of its own (also used by tests/serve) ---------------------------


def copy_sample(folder: Path) -> Path:
    """The sample workbook and its 添付 folder, copied into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "inputs" / SAMPLE, folder / SAMPLE)
    return Path(shutil.copy2(REPO / "inputs" / f"{SAMPLE}.xlsx", folder / f"{SAMPLE}.xlsx"))


def set_case_value(workbook: Path, label: str, value: object) -> None:
    """Change one 案件 value of the workbook with openpyxl, as staff would in Excel."""
    book = openpyxl.load_workbook(workbook)
    for row in book["案件"].iter_rows():
        if row[0].value == label:
            row[1].value = value
            break
    else:
        raise AssertionError(f"no 案件 row {label}")
    book.save(workbook)


def build(out: Path, workbook: Path, **options):
    from pipeline.config import load_config

    request = BatchRequest((workbook,), out, BATCH, BATCH_DATE, jobs=1, **options)
    return run_batch(request, load_config(None))


@pytest.fixture(scope="module")
def revised(tmp_path_factory):
    """2026-0142 approved at 14,000,000円, then built again at 15,000,000円 (rev2)."""
    root = tmp_path_factory.mktemp("compare")
    workbook = copy_sample(root / "in")
    batch_dir = build(root / "out", workbook).batch_dir
    approve_cases(batch_dir, [SAMPLE], "佐藤", now=NOW)
    set_case_value(workbook, "売却価格", 15_000_000)
    build(root / "out", workbook, only=(SAMPLE,))
    return batch_dir


# -- the comparison ------------------------------------------------------------------------------


def figures_of(comparison: RevisionComparison) -> dict[tuple[str, str], tuple[str, str]]:
    return {(f.section, f.label): (f.old, f.new) for f in comparison.figures}


def test_the_new_revision_is_compared_with_the_approved_one(revised):
    comparison = compare_case(revised, SAMPLE)
    assert comparison is not None and not comparison.identical
    assert (comparison.approved_folder, comparison.approved_revision) == (SAMPLE, 1)
    assert (comparison.current_folder, comparison.current_revision) == (f"{SAMPLE}/rev2", 2)
    assert comparison.approval.by == "佐藤" and comparison.problems == ()


def test_every_changed_figure_in_exact_yen(revised):
    """Price 14,000,000 → 15,000,000: 仲介手数料 (15,000,000 × 3% + 60,000) × 1.1 = 561,000; the
    配当原資 15,000,000 − 1,073,000 = 13,927,000, all to the 順位1 lien (claim 20,702,000)."""
    figures = figures_of(compare_case(revised, SAMPLE))
    lien = "第1順位 抵当権 東都みらい銀行"
    assert figures[("配分案", "売却価格")] == ("14,000,000円", "15,000,000円")
    brokerage = [v for (section, label), v in figures.items()
                 if section == "配分案" and label.startswith("控除費用 仲介手数料")]
    assert brokerage == [("528,000円", "561,000円")]
    assert figures[("配分案", "控除費用合計")] == ("1,040,000円", "1,073,000円")
    assert figures[("配分案", "担保権者への配当原資")] == ("12,960,000円", "13,927,000円")
    assert figures[("配分案", f"{lien} 配分額計")] == ("12,960,000円", "13,927,000円")
    assert figures[("配分案", f"{lien} 残債務")] == ("7,742,000円", "6,775,000円")
    assert figures[("競売との比較", "任意売却による回収増加額")] == ("4,860,000円", "5,827,000円")
    # 6,775,000 / 31,000 a month = 218.5… → 219回, 18.25 years → 18.2年 (切り捨て)
    assert figures[("返済計画", "第1順位 東都みらい銀行 返済回数")] == ("250回", "219回")
    assert figures[("返済計画", "第1順位 東都みらい銀行 返済期間")] == ("20.8年", "18.2年")
    # what did not change is not listed
    assert ("配分案", f"{lien} 決済時債権額") not in figures
    assert not any(section == "生活状況表" for section, _ in figures)


def test_the_letters_sentences_side_by_side(revised):
    documents = {d.name: d for d in compare_case(revised, SAMPLE).documents}
    letter = documents[LETTER]
    assert (letter.title, letter.change, letter.change_label) == (
        "任意売却に関する同意申請書（東都みらい銀行）", "changed", "変更")
    changed = [r for r in letter.rows if r.kind == "changed"]
    opening = next(r for r in changed if "にて任意売却を行いたく" in _text(r.old))
    assert "金14,000,000円にて" in _text(opening.old) and "金15,000,000円にて" in _text(opening.new)
    assert [s.text for s in opening.old if s.changed] == ["14,000,000"]
    assert [s.text for s in opening.new if s.changed] == ["15,000,000"]
    assert any(_text(r.new) == "貴行への配分額｜13,927,000円" for r in changed)
    # unchanged wording is folded, not repeated
    assert any(r.kind == "skipped" for r in letter.rows)
    # the 生活状況表 and the 送付状 read the same: not listed
    assert "02_生活状況表.docx" not in documents
    assert "00_送付状_東都みらい銀行.docx" not in documents
    assert "03_残債務の返済に関する申出書_東都みらい銀行.docx" in documents


def test_the_pdfs_and_packet_are_accounted_for_by_the_changes_shown(revised):
    assert compare_case(revised, SAMPLE).other_files == ()


def test_nothing_to_compare_when_the_current_revision_is_approved(revised, tmp_path):
    manifest = load_manifest(revised)
    approvals = load_approvals(revised)
    record = manifest.find(SAMPLE)
    mine = Approval(SAMPLE, record.folder, record.revision, "鈴木", NOW.isoformat(),
                    {Path(o["path"]).name: o["sha256"] for o in record.outputs})
    assert compare_case(revised, SAMPLE, manifest, approvals + [mine]) is None
    assert compare_case(revised, SAMPLE, manifest, []) is None  # nothing approved
    assert compare_case(revised, "2026-9999", manifest, approvals) is None


def test_identical_only_when_every_file_is_the_approved_file(revised):
    """A revision holding the approved bytes (as a build before this rule could leave it) is
    identical; one byte changed in one PDF is not, and that file is named."""
    approval = load_approvals(revised)[0]
    copy = revised / SAMPLE / "rev9"
    copy.mkdir()
    for name in approval.files:
        shutil.copy2(revised / SAMPLE / name, copy / name)
    record = replace(load_manifest(revised).find(SAMPLE), folder=f"{SAMPLE}/rev9", revision=9,
                     outputs=[{"path": f"{SAMPLE}/rev9/{n}", "sha256": d}
                              for n, d in approval.files.items()])
    same = compare_revisions(revised, record, approval)
    assert same.identical and same.figures == () and same.documents == ()
    pdf = "02_生活状況表.pdf"
    (copy / pdf).write_bytes((copy / pdf).read_bytes() + b"\n")
    other = compare_revisions(revised, record, approval)
    assert not other.identical and other.other_files == (pdf,)
    shutil.rmtree(copy)


def test_a_damaged_word_file_is_named_not_fatal(revised, tmp_path):
    approval = load_approvals(revised)[0]
    copy = revised / SAMPLE / "rev8"
    shutil.copytree(revised / SAMPLE / "rev2", copy)
    (copy / LETTER).write_bytes(b"PK\x03\x04 not a zip")
    record = replace(load_manifest(revised).find(SAMPLE), folder=f"{SAMPLE}/rev8", revision=8)
    comparison = compare_revisions(revised, record, approval)
    assert not comparison.identical
    assert any(f"{SAMPLE}/rev8/{LETTER} の文面を読めません" in p for p in comparison.problems)
    assert comparison.figures  # the figures are still compared
    shutil.rmtree(copy)


# -- the side-by-side rows -----------------------------------------------------------------------


def test_side_by_side_folds_long_unchanged_runs():
    old = [f"行{i}" for i in range(10)]
    new = old[:5] + ["新しい行"] + old[6:]
    rows = list(side_by_side(old, new))
    assert [r.kind for r in rows] == ["skipped", "same", "changed", "same", "skipped"]
    assert (rows[0].skipped, rows[-1].skipped) == (4, 3)
    assert (rows[2].old_no, rows[2].new_no) == (6, 6)


def test_added_and_removed_lines_keep_their_numbers():
    rows = list(side_by_side(["a", "b"], ["a", "b", "c"]))
    assert rows[-1] == DiffRow("added", None, (), 3, (Segment("c", True),))
    rows = list(side_by_side(["a", "b", "c"], ["a", "c"]))
    assert rows[1] == DiffRow("removed", 2, (Segment("b", True),), None, ())


def test_a_changed_number_is_marked_whole_and_words_by_character():
    old, new = changed_segments("配分額計｜12,960,000円", "配分額計｜13,927,000円")
    assert [(s.text, s.changed) for s in old] == [("配分額計｜", False), ("12,960,000", True),
                                                  ("円", False)]
    assert [(s.text, s.changed) for s in new] == [("配分額計｜", False), ("13,927,000", True),
                                                  ("円", False)]
    old, new = changed_segments("同意します", "同意しません")
    assert [(s.text, s.changed) for s in old] == [("同意しま", False), ("す", True)]
    assert [(s.text, s.changed) for s in new] == [("同意しま", False), ("せん", True)]


# -- the partial the case page includes -----------------------------------------------------------


def page_environment() -> Environment:
    """As Flask renders .html templates: autoescape on."""
    return Environment(loader=FileSystemLoader(SERVE_TEMPLATES), undefined=StrictUndefined,
                       autoescape=select_autoescape(["html"]))


def render_partial(comparison: RevisionComparison) -> str:
    return page_environment().get_template("_revision_diff.html").render(comparison=comparison)


def test_the_partial_shows_the_real_comparison(revised):
    html = render_partial(compare_case(revised, SAMPLE))
    assert "承認済みの第1版と第2版の違い" in html
    assert "<td>売却価格</td><td class=\"old\">14,000,000円</td><td class=\"new\">15,000,000円</td>" \
        in html
    assert "金<ins>15,000,000</ins>円にて" in html and "金<del>14,000,000</del>円にて" in html
    assert "任意売却に関する同意申請書（東都みらい銀行）（変更）" in html


HOSTILE = "<script>alert(1)</script>{{ x }}A&B=HYPERLINK(\"x\")"


def test_the_partial_prints_data_as_data():
    approval = Approval(SAMPLE, SAMPLE, 1, "<b>佐藤</b>", NOW.isoformat(), {"case.json": "0"})
    row = DiffRow("changed", 1, (Segment(HOSTILE, False), Segment("<i>", True)), 1,
                  (Segment(HOSTILE, True),))
    comparison = RevisionComparison(
        SAMPLE, approval, SAMPLE, 1, f"{SAMPLE}/rev2", 2,
        (FigureChange("配分案", HOSTILE, "<u>1円</u>", "2円"),),
        (DocumentDiff(f"{HOSTILE}.docx", HOSTILE, "changed", (row,)),),
        (f"{HOSTILE}.pdf",), (HOSTILE,), False)
    html = render_partial(comparison)
    assert "<script>" not in html and "<b>佐藤" not in html and "<u>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ x }}A&amp;B=HYPERLINK(&#34;x&#34;)" in html
    assert "&lt;b&gt;佐藤&lt;/b&gt;" in html


def test_the_partial_says_identical():
    approval = Approval(SAMPLE, SAMPLE, 1, "佐藤", NOW.isoformat(), {"case.json": "0"})
    comparison = RevisionComparison(SAMPLE, approval, SAMPLE, 1, f"{SAMPLE}/rev2", 2, (), (), (),
                                    (), True)
    html = render_partial(comparison)
    assert "承認済みとして扱います" in html and "数字の違い" not in html


def _text(segments: tuple[Segment, ...]) -> str:
    return "".join(s.text for s in segments)


def test_figure_rows_of_parts_a_case_may_lack():
    """break_even (added by the break-even prices) and a lump sum: shown when there, no row
    otherwise; a malformed part gives no rows rather than stopping the page."""
    from pipeline.batch.compare import figure_changes

    old = {"break_even": {"first_lien_price": 8_975_000, "all_floors_price": None}}
    new = {"break_even": {"first_lien_price": 9_100_000, "all_floors_price": 9_400_000}}
    assert [(f.label, f.old, f.new) for f in figure_changes(old, new)] == [
        ("損益分岐価格（第1順位）", "8,975,000円", "9,100,000円"),
        ("全債権者の最低売却価格を満たす価格", "該当なし", "9,400,000円")]
    assert list(figure_changes({"sale": {"price": "x"}}, {"break_even": None})) == []
