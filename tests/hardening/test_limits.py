"""Text at its maximum length still makes every document (issue 12, item 11).

The contract gives every text field a maximum (``FieldSpec.max_length``): a 4,000-character
債権者名 once crashed WeasyPrint. Here every text field of a case is filled to exactly its
maximum — once with wide kanji, once with a Latin run that has no break opportunity at all — and
the real ``ninbai build`` must make all the case's documents, PDF and Word, with each value in
full in the PDF text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import ROWS, write_case
from pypdf import PdfReader

from pipeline.batch.manifest import load_manifest
from pipeline.cli import main
from pipeline.read.schema import CASE_FIELDS, CREDITORS, TABLE_BY_SHEET

FILLS = {"kanji.xlsx": "髙", "latin.xlsx": "W"}
SECOND = {"髙": "国", "W": "M"}  # the second creditor's fill: another name


def _full(label: str, max_length: int | None, fill: str) -> str:
    assert max_length, label
    return fill * max_length


def _row(sheet: str, base: dict, fill: str) -> dict:
    texts = {f.label: _full(f.label, f.max_length, fill)
             for f in TABLE_BY_SHEET[sheet].fields if f.kind == "text"}
    return {**base, **texts}


def workbook(folder: Path, name: str, fill: str) -> Path:
    case = {f.label: _full(f.label, f.max_length, fill) for f in CASE_FIELDS if f.kind == "text"}
    case["案件番号"] = f"2026-{fill.encode().hex()[:4]}"
    rows = {
        "物件": [_row("物件", ROWS["物件"][0], fill)],
        "債権者": [_row("債権者", ROWS["債権者"][0], fill),
                 _row("債権者", {**ROWS["債権者"][0], "順位": 2, "元金残高": 3000000}, SECOND[fill])],
        "費用": [_row("費用", {"金額": 100000}, fill)],
        "世帯": [_row("世帯", ROWS["世帯"][0], fill)],
        "収支": [_row("収支", ROWS["収支"][0], fill), _row("収支", ROWS["収支"][1], fill)],
        "資産": [_row("資産", {"種類": "預貯金", "評価額": 50000}, fill)],
    }
    return write_case(folder, name, case=case, rows=rows)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("limits")
    (root / "in").mkdir()
    for name, fill in FILLS.items():
        workbook(root / "in", name, fill)
    result = CliRunner().invoke(main, ["build", str(root / "in"), "--out", str(root / "out"),
                                       "--batch", "b", "--date", "2026-11-30", "--jobs", "1"])
    batch_dir = root / "out" / "b"
    return batch_dir, {Path(r.path).name: r for r in load_manifest(batch_dir).inputs}, result


def test_the_workbooks_hold_every_text_field_at_its_maximum(tmp_path):
    from pipeline.read.validate import load_case

    case, issues = load_case(workbook(tmp_path, "kanji.xlsx", "髙"))
    # the 破産管財人 fields are filled, 破産手続 is not あり: the case stays on the ordinary path
    assert [(i.code, i.severity) for i in issues] == [("bankruptcy_not_set", "warn")]
    assert case is not None
    assert len(case.creditors[0].name) == CREDITORS.field("name").max_length


@pytest.mark.parametrize("name", FILLS)
def test_every_document_renders_with_text_at_its_maximum(built, name):
    batch_dir, records, result = built
    record = records[name]
    assert record.status in ("ok", "warn"), (result.output, record.errors)
    kinds = {Path(d["pdf"]).name[:2] for d in record.documents}
    assert kinds == {"00", "01", "02", "03"}, record.documents  # 00: the 送付状
    for document in record.documents:
        assert (batch_dir / document["docx"]).stat().st_size > 0
        pdf = PdfReader(io.BytesIO((batch_dir / document["pdf"]).read_bytes()))
        assert len(pdf.pages) >= 1


def test_a_name_at_its_maximum_is_printed_whole(built):
    """Not cut off: the letter to the first creditor shows all 60 characters of its name."""
    batch_dir, records, _ = built
    name = "髙" * CREDITORS.field("name").max_length
    first = records["kanji.xlsx"].documents[0]
    text = "".join(p.extract_text() for p in PdfReader(batch_dir / first["pdf"]).pages)
    assert re.sub(r"\s+", "", text).count(name) >= 1
