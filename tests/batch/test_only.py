"""issue 15, item 7: ``--only 2026-0142`` selects the workbook whose 案件番号 is 2026-0142, whatever
its file name; an ``--only`` that selects nothing stops before a batch folder exists."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import write_case

from pipeline import cli
from pipeline.batch import BatchError, BatchRequest, run_batch
from pipeline.batch.casebuild import CaseOutcome
from pipeline.read.issues import Issue
from pipeline.read.validate import load_case
from pipeline.read.workbook import peek_case_id

REPO = Path(__file__).resolve().parents[2]
SAMPLES = sorted((REPO / "inputs").glob("*.xlsx"))


def noted_build(built: list[Path]):
    """A build that only notes which input it was given (a failed outcome writes no files)."""
    def build(source: Path, config, batch_date: date, renderer) -> CaseOutcome:
        built.append(source)
        return CaseOutcome(source, None, "error", [Issue("noted", "error", "テスト")])
    return build


def batch(tmp_path: Path, only: tuple[str, ...], built: list[Path]):
    inputs = tuple(sorted((tmp_path / "in").glob("*.xlsx")))
    (tmp_path / "templates").mkdir(exist_ok=True)
    from pipeline.config import load_config

    return run_batch(BatchRequest(inputs, tmp_path / "out", "b", date(2026, 11, 30), only=only),
                     load_config(None), build=noted_build(built), make_renderer=lambda: None,
                     templates=tmp_path / "templates")


def two_cases(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    return (write_case(folder, "山田様_最終版.xlsx"),
            write_case(folder, "2026-0148.xlsx", case={"案件番号": "2026-0150"}))


def test_only_selects_the_workbook_by_its_case_id_whatever_its_name(tmp_path):
    renamed, _ = two_cases(tmp_path)
    built: list[Path] = []
    result = batch(tmp_path, ("2026-0142",), built)
    assert built == [renamed] and result.unmatched_only == []


def test_the_file_name_still_selects_and_both_can_be_given(tmp_path):
    renamed, other = two_cases(tmp_path)
    built: list[Path] = []
    result = batch(tmp_path, ("2026-0148", "2026-0142", "2026-0999"), built)
    assert sorted(built) == sorted([renamed, other]) and result.unmatched_only == ["2026-0999"]


def test_an_only_that_selects_nothing_writes_no_batch_folder(tmp_path):
    two_cases(tmp_path)
    built: list[Path] = []
    with pytest.raises(BatchError, match="2026-0999 に一致する案件がありません"):
        batch(tmp_path, ("2026-0999",), built)
    assert built == [] and not (tmp_path / "out").exists()


def test_the_command_exits_2_in_japanese_without_a_batch_folder(tmp_path, monkeypatch):
    two_cases(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, ["build", "in", "--out", "out", "--date", "2026-11-30",
                                           "--only", "2026-0999"])
    assert result.exit_code == 2
    assert "--only 2026-0999 に一致する案件がありません" in result.output
    assert not (tmp_path / "out" / "2026-11-30").exists()


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_the_peeked_case_id_is_the_one_the_validator_reads(sample):
    """2026-0163 is typed the way staff type (labels with stray and full-width spaces)."""
    case, _ = load_case(sample, ("standard", "jhf"))
    assert case is not None and peek_case_id(sample) == case.case_id


def test_full_width_case_id_and_a_number_cell(tmp_path):
    assert peek_case_id(write_case(tmp_path, "a.xlsx", case={"案件番号": "２０２６－０１４２"})) \
        == "2026-0142"
    assert peek_case_id(write_case(tmp_path, "b.xlsx", case={"案件番号": 20260142})) == "20260142"


def test_shared_strings_with_japanese_excels_phonetic_guide_and_rich_text(tmp_path):
    """Excel writes labels as shared strings, and Japanese Excel stores the furigana (rPh) inside
    the same item: 「案件番号」 must not be read as 「案件番号アンケンバンゴウ」. A value typed with
    two fonts is a rich-text item of runs (<r>)."""
    path = write_case(tmp_path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    label = re.search(r'<c r="A2" t="inlineStr">.*?</c>', sheet)
    value = re.search(r'<c r="B2" t="inlineStr">.*?</c>', sheet)
    assert label and value and "2026-0142" in value.group(0)
    sheet = sheet.replace(label.group(0), '<c r="A2" t="s"><v>0</v></c>')
    sheet = sheet.replace(value.group(0), '<c r="B2" t="s"><v>1</v></c>')
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    members["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2">'
        '<si><t>案件番号</t><rPh sb="0" eb="4"><t>アンケンバンゴウ</t></rPh>'
        '<phoneticPr fontId="1"/></si>'
        '<si><r><t>2026-</t></r><r><rPr><b/></rPr><t>0142</t></r></si></sst>').encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    path.write_bytes(out.getvalue())
    assert peek_case_id(path) == "2026-0142"


@pytest.mark.parametrize("content", [b"not a workbook", b""])
def test_what_cannot_be_read_has_no_case_id(tmp_path, content):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    assert peek_case_id(path) is None
    assert peek_case_id(write_case(tmp_path, "y.xlsx", drop=["案件"])) is None
