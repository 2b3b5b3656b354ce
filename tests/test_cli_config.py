"""issue 15, item 2: which settings file a run uses, and no document without a sender."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from factory import write_case

from pipeline import cli
from pipeline.batch import BatchError
from pipeline.config import (
    CONFIG_ENV,
    ConfigError,
    find_config,
    load_config,
    missing_company,
    require_company,
)

REPO = Path(__file__).resolve().parents[1]
COMPANY = ('[company]\nname = "テスト不動産"\naddress = "東京都"\nphone = "03-5555-0000"\n'
           'license_no = "東京都知事(1)第1号"\n')


@pytest.fixture(autouse=True)
def no_env(monkeypatch, tmp_path):
    """The lookup itself: without the tests' own NINBAI_CONFIG, in an empty folder."""
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    monkeypatch.chdir(tmp_path)


def toml(folder: Path, text: str = COMPANY) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ninbai.toml").write_text(text, encoding="utf-8")
    return folder / "ninbai.toml"


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def test_lookup_order_option_env_working_folder_then_inputs(tmp_path):
    given, env = toml(tmp_path / "given"), toml(tmp_path / "env")
    work = tmp_path / "office" / "案件" / "11月"
    work.mkdir(parents=True)
    inputs = tmp_path / "elsewhere" / "in"
    inputs.mkdir(parents=True)
    beside_inputs = toml(tmp_path / "elsewhere")
    assert find_config(given, str(env), work, [inputs]) == given
    assert find_config(None, str(env), work, [inputs]) == env
    assert find_config(None, None, work, [inputs]) == beside_inputs  # a parent of the input
    office = toml(tmp_path / "office")
    assert find_config(None, None, work, [inputs]) == office  # the working folder's parent first
    assert find_config(None, None, tmp_path / "given", []) == given
    assert find_config(None, None, tmp_path / "nowhere", []) is None


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_named_file_that_is_missing_stops_the_run(tmp_path, monkeypatch, how):
    toml(tmp_path)  # never a silent fallback to the working folder's file
    write_case(tmp_path)
    if how == "env":
        monkeypatch.setenv(CONFIG_ENV, "typo.toml")
        result = run("validate", "2026-0142.xlsx")
    else:
        result = run("--config", "typo.toml", "validate", "2026-0142.xlsx")
    assert result.exit_code == 2
    assert "設定ファイルが見つかりません: typo.toml" in result.output
    assert (CONFIG_ENV if how == "env" else "--config") in result.output


def test_build_without_a_company_exits_2_naming_keys_and_no_file(tmp_path):
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in")
    result = run("build", "in", "--out", "out", "--date", "2026-11-30")
    assert result.exit_code == 2
    for key in ("会社名（company.name）", "所在地（company.address）", "電話番号（company.phone）",
                "宅地建物取引業免許番号（company.license_no）"):
        assert key in result.output
    assert "ninbai.toml）が見つからず" in result.output and "未設定" not in result.output
    assert not (tmp_path / "out").exists()


def test_build_with_an_incomplete_company_names_the_file_that_was_read(tmp_path):
    toml(tmp_path, '[company]\nname = "テスト不動産"\nphone = "  "\n')
    (tmp_path / "in").mkdir()
    write_case(tmp_path / "in")
    result = run("build", "in", "--out", "out", "--date", "2026-11-30")
    assert result.exit_code == 2
    assert "設定ファイル「ninbai.toml」" in result.output
    assert "電話番号（company.phone）" in result.output and "company.name" not in result.output
    assert not (tmp_path / "out").exists()


def test_build_says_which_file_it_used(tmp_path, monkeypatch):
    """The inputs' folder is looked at when the working folder has none."""
    toml(tmp_path / "in")
    write_case(tmp_path / "in")
    seen = {}

    def stop(request, config, **kwargs):
        seen["company"] = config.company.name
        raise BatchError("ここで止めます")
    monkeypatch.setattr(cli, "run_batch", stop)
    result = run("build", "in", "--out", "out", "--date", "2026-11-30")
    assert result.output.splitlines()[0] == f"設定ファイル: {Path('in', 'ninbai.toml')}"
    assert seen == {"company": "テスト不動産"}


def test_the_samples_find_their_fictional_office_from_the_repo(monkeypatch):
    """README line 1 (`ninbai build inputs/` from the checkout) finds inputs/ninbai.toml."""
    monkeypatch.chdir(REPO)
    found = cli.config_file(None, [Path("inputs")])
    assert found is not None and found.resolve() == REPO / "inputs" / "ninbai.toml"
    config = load_config(found)
    require_company(config, found)
    assert "架空" in found.read_text("utf-8")


def test_the_shipped_defaults_have_no_placeholder_sender():
    """Never letters saying （会社名未設定）: the defaults leave the sender blank, and blank is missing."""
    defaults = load_config(None)
    assert len(missing_company(defaults)) == 4
    assert "未設定" not in (REPO / "pipeline" / "defaults.toml").read_text("utf-8")
    with pytest.raises(ConfigError, match="標準設定だけ"):
        require_company(defaults, None)
