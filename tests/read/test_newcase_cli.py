"""The configured profiles' names reach the blank workbook and the reader through the command line
(``Config.profile_names()`` at the call sites of pipeline/cli.py)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import cli

from .test_newcase import fill_minimal, named_range

CONFIG = '[profiles.bank_a]\nlabel = "A銀行"\nmoving_cap = 0\n'


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def test_new_case_and_validate_use_the_configured_names(tmp_path):
    (tmp_path / "office.toml").write_text(CONFIG, encoding="utf-8")
    config, path = str(tmp_path / "office.toml"), tmp_path / "2026-0300.xlsx"
    assert run("--config", config, "new-case", str(path), "--case-id", "2026-0300").exit_code == 0
    wb = load_workbook(path)
    assert named_range(wb, "プロファイル一覧") == ["標準", "住宅金融支援機構", "A銀行"]
    fill_minimal(wb)
    wb["債権者"]["H2"] = "A銀行"
    wb.save(path)
    result = run("--config", config, "validate", str(path), "--json")
    [checked] = json.loads(result.output)
    assert result.exit_code == 0 and checked["valid"] and checked["issues"] == []


class _NoRenderer:
    """Documents are not this test's subject: build_case's reading and computing are."""

    def docx(self, view) -> bytes:
        return b""

    def pdf(self, view) -> tuple[bytes, list[str]]:
        return _ONE_PAGE, []  # a real PDF: the packets count and join the pages


def _one_page() -> bytes:
    import io

    import pikepdf

    buffer = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(buffer)
    return buffer.getvalue()


_ONE_PAGE = _one_page()


def test_the_batch_reads_a_japanese_profile_name_as_its_key(tmp_path):
    from datetime import date

    from factory import ROWS, write_case

    from pipeline.batch.casebuild import build_case
    from pipeline.config import load_config

    first = {**ROWS["債権者"][0], "プロファイル": "住宅金融支援機構"}
    source = write_case(tmp_path, rows={"債権者": [first, *ROWS["債権者"][1:]]})
    outcome = build_case(source, load_config(None), date(2026, 11, 1), _NoRenderer())
    assert outcome.issues == [] and outcome.case_json["governing_profile"] == "jhf"
