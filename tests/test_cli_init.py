"""issue 15, item 1: ``ninbai init DIR``, an office's workspace, and its templates/ overriding
the shipped templates file by file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import copy_sample
from pypdf import PdfReader

from pipeline import cli, shipped_templates
from pipeline.config import CONFIG_ENV, ConfigError, load_config, require_company
from pipeline.workspace import merged_templates

REPO = Path(__file__).resolve().parents[1]
COMPANY = {"name": "テスト不動産株式会社", "address": "東京都テスト区1-1", "phone": "03-5555-0000",
           "license_no": "東京都知事(1)第1号"}


@pytest.fixture(autouse=True)
def no_env(monkeypatch, tmp_path):
    """As an office runs it: no NINBAI_CONFIG, the workspace's own ninbai.toml."""
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def fill_company(workspace: Path) -> None:
    path = workspace / "ninbai.toml"
    text = path.read_text("utf-8")
    for key, value in COMPANY.items():
        text = text.replace(f'\n{key} = ""', f'\n{key} = "{value}"', 1)
    path.write_text(text, "utf-8")


def test_init_makes_the_workspace_with_a_company_block_to_fill_in(tmp_path):
    result = run("init", "事務所")
    assert result.exit_code == 0, result.output
    workspace = tmp_path / "事務所"
    for folder in ("inputs", "outputs", "templates"):
        assert (workspace / folder).is_dir()
    readme = (workspace / "README.md").read_text("utf-8")
    assert "ninbai build inputs/" in readme and "templates/" in readme
    settings = (workspace / "ninbai.toml").read_text("utf-8")
    assert "会社名" in settings and "宅地建物取引業免許番号" in settings and "代表者" in settings
    config = load_config(workspace / "ninbai.toml")  # valid TOML, every key known
    with pytest.raises(ConfigError) as refused:
        require_company(config, workspace / "ninbai.toml")
    assert str(refused.value).count("（company.") == 4
    fill_company(workspace)
    require_company(load_config(workspace / "ninbai.toml"), workspace / "ninbai.toml")


def test_init_never_overwrites_a_workspace(tmp_path):
    assert run("init", "ws").exit_code == 0
    (tmp_path / "ws" / "ninbai.toml").write_text("# 記入済み\n", "utf-8")
    again = run("init", "ws")
    assert again.exit_code == 2 and "上書きはしません" in again.output
    assert (tmp_path / "ws" / "ninbai.toml").read_text("utf-8") == "# 記入済み\n"


def test_init_in_a_folder_with_other_files_keeps_them(tmp_path):
    (tmp_path / "shared" / "inputs").mkdir(parents=True)
    (tmp_path / "shared" / "README.md").write_text("共有フォルダ", "utf-8")
    (tmp_path / "shared" / "inputs" / "2026-0142.xlsx").write_bytes(b"x")
    result = run("init", "shared")
    assert result.exit_code == 0 and "そのままにしました" in result.output
    assert (tmp_path / "shared" / "README.md").read_text("utf-8") == "共有フォルダ"
    assert (tmp_path / "shared" / "inputs" / "2026-0142.xlsx").read_bytes() == b"x"
    assert (tmp_path / "shared" / "ninbai.toml").is_file()


def test_office_templates_replace_the_shipped_ones_of_the_same_name_only(tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "documents.css").write_text("/* 事務所の書式 */\n", "utf-8")
    (own / "~$sale_request.docx").write_bytes(b"Word lock file")
    (own / ".DS_Store").write_bytes(b"")
    merged = merged_templates(own, shipped_templates(), tmp_path / "merged")
    assert (merged / "documents.css").read_text("utf-8") == "/* 事務所の書式 */\n"
    for name in ("sale_request.docx", "household_statement.html", "base.html"):
        assert (merged / name).read_bytes() == (shipped_templates() / name).read_bytes()
    assert not (merged / "~$sale_request.docx").exists() and not (merged / ".DS_Store").exists()


def test_a_workspace_builds_with_its_company_and_its_own_template(tmp_path):
    """A new office: init, fill the company, copy a sample, change one template, build."""
    assert run("init", "ws").exit_code == 0
    workspace = tmp_path / "ws"
    fill_company(workspace)
    copy_sample(REPO / "inputs" / "2026-0142.xlsx", workspace / "inputs", "案件A.xlsx")
    statement = (shipped_templates() / "household_statement.html").read_text("utf-8")
    assert "<p class=\"prepared\">作成　" in statement
    (workspace / "templates" / "household_statement.html").write_text(
        statement.replace("<p class=\"prepared\">作成　", "<p class=\"prepared\">事務所版　作成　"),
        "utf-8")
    result = run("build", str(workspace / "inputs"), "--out", str(workspace / "outputs"),
                 "--date", "2026-11-30", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert f"設定ファイル: {Path('ws', 'ninbai.toml')}" in result.output  # beside the inputs
    case = workspace / "outputs" / "2026-11-30" / "2026-0142"
    statement_pdf = next(case.glob("02_*.pdf"))
    text = "".join(page.extract_text() for page in PdfReader(statement_pdf).pages)
    assert "事務所版" in text and COMPANY["name"] in text
    request = next(case.glob("01_*.pdf"))  # the other templates are the shipped ones
    letter = "".join(page.extract_text() for page in PdfReader(request).pages)
    assert "事務所版" not in letter and COMPANY["license_no"] in letter


def test_git_ignores_every_workbook_in_inputs_but_the_shipped_samples():
    """issue 15, item 1: a real case copied into the tool's inputs/ never reaches git; every
    sample make_samples.py writes, the sample office and the README are tracked."""
    import subprocess

    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    shipped = sorted(p.name for p in (REPO / "inputs").glob("*.xlsx"))
    tracked = [f"inputs/{n}" for n in [*shipped, "README.md", "ninbai.toml"]]
    real = ["inputs/2026-0150.xlsx", "inputs/山田様_最終.xlsx", "inputs/ninbai (1).toml",
            "inputs/sub/2026-0142.xlsx", "ninbai.toml"]
    done = subprocess.run(["git", "check-ignore", "--no-index", "--stdin", "-z"], cwd=REPO,
                          input="\0".join(tracked + real), capture_output=True, text=True,
                          check=False)
    assert sorted(filter(None, done.stdout.split("\0"))) == sorted(real)
