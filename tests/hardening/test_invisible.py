"""A right-to-left override never survives anywhere (issue 12 item 9, issue 11 "one clean_text").

U+202E makes what follows it display backwards: 「山田\u202e太郎」 shows as 「山田郎太」, and a file
「\u202exslx.exe」 looks like 「exe.xlsx」. One case, built by the real ``ninbai build``, carries it
(with its invisible cousins) in every free-text field that reaches an output, in a label (so a
validation warning quotes it) and in the input's file name. No output file of the batch holds it:
not a Word part, not the text of a PDF, not case.json, summary.xlsx or the review page — while the
visible text around it is all there.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import ROWS, write_case
from pypdf import PdfReader

from pipeline.batch.manifest import load_manifest
from pipeline.cli import main

RLO = "\u202e"
HIDDEN = RLO + "\u2060\u200b\ufeff\u00ad"
FILE = f"{RLO}xslx.2026-0888.xlsx"
#: Each field's value as typed, with the invisible characters in the middle and at the ends.
TYPED = {
    "債務者氏名": f"髙橋{HIDDEN} 一郎{RLO}", "債務者住所": f"{RLO}東京都新宿区西新宿{HIDDEN}一丁目",
    "連帯債務者・保証人": f"髙橋{RLO}花子", "担当者": f"佐藤{RLO}花子",
}
CREDITOR = {**ROWS["債権者"][0], "債権者名": f"東都{RLO}みらい銀行", "部署": f"債権{RLO}管理部",
            "担当者": f"山田{RLO}太郎", "住所": f"大阪市{RLO}北区"}
VISIBLE = ["髙橋一郎", "東京都新宿区西新宿一丁目", "髙橋花子", "東都みらい銀行", "債権管理部",
           "山田太郎", "撤去費", "西新宿ハイツ"]
#: The numeric character references XML writers use for U+202E.
REFERENCES = re.compile(r"&#(8238|x202e);|\\u202e", re.IGNORECASE)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("rlo")
    (root / "in").mkdir()
    unit = {**ROWS["物件"][0], "名称": f"西新宿{RLO}ハイツ101号室"}

    def unknown_label(wb):  # a label not in the contract: the warning quotes it
        wb["案件"].append([f"備{RLO}考", "メモ"])

    write_case(root / "in", FILE, case={"案件番号": "2026-0888", **TYPED}, edit=unknown_label,
               rows={"債権者": [CREDITOR], "物件": [unit],
                     "費用": [{"項目": f"撤{RLO}去費", "金額": 100000, "支払先": f"{RLO}業者"}],
                     "世帯": [{"氏名": f"髙橋{RLO} 一郎", "続柄": "本人", "年齢": 45}],
                     "収支": [{**ROWS["収支"][0], "内容": f"本人{RLO}手取り"}, ROWS["収支"][1]]})
    result = CliRunner().invoke(main, ["build", str(root / "in"), "--out", str(root / "out"),
                                       "--batch", "b", "--date", "2026-11-30", "--jobs", "1"])
    batch_dir = root / "out" / "b"
    record = load_manifest(batch_dir).inputs[0]
    assert record.status in ("ok", "warn"), (result.output, record.errors)
    assert any(w["code"] == "unknown_label" for w in record.warnings)
    return batch_dir, record, result.output


def texts(path: Path) -> list[str]:
    """What a reader of the file can see: every part of a zip, a PDF's text, else the file."""
    data = path.read_bytes()
    if path.suffix in (".docx", ".xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    if path.suffix == ".pdf":
        return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    return [data.decode("utf-8", "replace")]


def test_no_output_file_holds_a_right_to_left_override(built):
    batch_dir, _, _ = built
    outputs = [p for p in batch_dir.rglob("*") if p.is_file() and p.name != "manifest.json"]
    kinds = {p.suffix for p in outputs}
    assert {".docx", ".pdf", ".json", ".xlsx", ".html"} <= kinds
    leaks = [str(p.relative_to(batch_dir)) for p in outputs
             if any(RLO in t or REFERENCES.search(t) for t in texts(p))]
    assert leaks == []


def test_the_visible_text_is_all_there(built):
    batch_dir, record, _ = built
    case_json = json.loads((batch_dir / record.folder / "case.json").read_text("utf-8"))
    letters = "".join(t for d in record.documents for kind in ("pdf", "docx")
                      for t in texts(batch_dir / d[kind]))
    flat = re.sub(r"\s+", "", letters)
    for text in VISIBLE:
        assert text in flat, text
    assert case_json["sale"]["liens"][0]["creditor"] == "東都みらい銀行"
    page = (batch_dir / "index.html").read_text("utf-8")
    assert "xslx.2026-0888.xlsx" in page and "備考" in page


def test_the_manifest_keeps_the_real_path_and_nothing_else_hidden(built):
    """manifest.json must name the input as it is on disk (the rerun finds it by that path);
    every text it holds for staff (messages, raw values, figures) is clean."""
    batch_dir, record, output = built
    assert Path(record.path).name == FILE
    manifest = json.loads((batch_dir / "manifest.json").read_text("utf-8"))
    [entry] = manifest["inputs"]
    entry.pop("path")
    assert RLO not in json.dumps(entry, ensure_ascii=False)
    assert RLO not in output  # the terminal
