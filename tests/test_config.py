"""The configuration: shipped defaults, the user's TOML merged over them, errors naming the key."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from pipeline.config import ConfigError, load_config

REPO = Path(__file__).resolve().parents[1]


def user_config(tmp_path, text):
    path = tmp_path / "ninbai.toml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


@pytest.fixture(scope="module")
def defaults():
    return load_config(None)


def test_defaults_are_the_spec_profile_table(defaults):
    for name in ("standard", "jhf"):
        p = defaults.profiles[name]
        assert p.scrivener_fee_per_lien == 10_000
        assert [p.hanko_cap(r) for r in (2, 3, 4, 9)] == [300_000, 200_000, 100_000, 100_000]
        assert p.hanko_principal_ratio == Decimal("0.10")
        assert (p.management_months, p.seizure_release_cap) == (60, 100_000)
        assert (p.stamp_duty_deductible, p.bankruptcy_estate_ratio) == (False, Decimal("0.03"))
        assert p.moving_cap_bankrupt == 300_000
    assert (defaults.profiles["standard"].moving_cap, defaults.profiles["jhf"].moving_cap) == (
        300_000, 0)


def test_defaults_auction_repayment_stamp(defaults):
    a = defaults.auction
    assert (a.market_discount, a.expected_bid_ratio, a.min_bid_ratio) == (
        Decimal("0.30"), Decimal("0.65"), Decimal("0.8"))
    assert [a.procedure_cost(c) for c in (0, 20_000_000, 50_000_000, 100_000_000)] == [
        800_000, 1_000_000, 1_500_000, 2_000_000]
    r = defaults.repayment
    assert (r.min_monthly, r.surplus_share, r.rounding_unit, r.split_unit) == (
        5_000, Decimal("0.50"), 1_000, 100)
    assert defaults.stamp_duty.reduced_until == date(2027, 3, 31)
    assert defaults.tax.consumption_rate == Decimal("0.10")
    assert set(defaults.titles) == {"cover_letter", "sale_request", "household_statement",
                                    "repayment_proposal"}


def test_user_file_overrides_one_key_and_keeps_the_rest(tmp_path, defaults):
    config = user_config(tmp_path, '[company]\nname = "株式会社𠮷田不動産"\n'
                                   '[profiles.jhf]\nmoving_cap = 100000\n')
    assert config.company.name == "株式会社𠮷田不動産"
    assert config.company.address == defaults.company.address
    assert config.profiles["jhf"].moving_cap == 100_000
    assert config.profiles["jhf"].hanko_caps_by_rank == defaults.profiles["jhf"].hanko_caps_by_rank


def test_the_library_never_reads_a_ninbai_toml_by_itself(tmp_path, defaults):
    """Which settings file applies is the command line's decision (``pipeline.cli.config_file``):
    ``load_config(None)`` is the defaults even beside a ninbai.toml. In a fresh interpreter, so
    no test setting hides a lookup."""
    (tmp_path / "ninbai.toml").write_text('[titles]\nsale_request = "任意売却の同意のお願い"\n', "utf-8")
    code = ("from pipeline.config import load_config; "
            "print(load_config(None).titles['sale_request'])")
    shown = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                           text=True, encoding="utf-8", check=True,
                           env={**os.environ, "PYTHONPATH": str(REPO)}).stdout.strip()
    assert shown == defaults.titles["sale_request"] != "任意売却の同意のお願い"


def test_a_new_profile_starts_from_standard(tmp_path):
    config = user_config(tmp_path, "[profiles.shinkin]\nmoving_cap = 500000\n")
    shinkin = config.profiles["shinkin"]
    assert (shinkin.moving_cap, shinkin.label) == (500_000, "shinkin")
    assert shinkin.hanko_caps_by_rank == config.profiles["standard"].hanko_caps_by_rank


def test_rates_written_as_numbers_are_read_exactly(tmp_path):
    config = user_config(tmp_path, "[auction]\nmarket_discount = 0.3\n")
    assert config.auction.market_discount == Decimal("0.3")


@pytest.mark.parametrize(("text", "key"), [
    ("[profiles.jhf]\nhanko_cap = 1\n", "profiles.jhf.hanko_cap"),
    ("[compnay]\nname = \"x\"\n", "compnay"),
    ("[titles]\ninvoice = \"請求書\"\n", "titles.invoice"),
    ("[profiles.shinkin]\nmoving = 1\n", "profiles.shinkin.moving"),
    ("company = \"x\"\n", "company"),  # a value where a table is expected
    ("[profiles.jhf]\nmoving_cap = \"たくさん\"\n", "profiles.jhf.moving_cap"),
    ("[profiles.jhf]\nmoving_cap = -1\n", "profiles.jhf.moving_cap"),
    ("[auction]\nmarket_discount = \"abc\"\n", "auction.market_discount"),
    ("[auction]\nprocedure_costs = [{ amount = 1 }, { below = 5, amount = 2 }]\n",
     "auction.procedure_costs"),
    ("[auction.courts.\"那覇地方裁判所\"]\nsource = \"x\"\ncosts = []\n",
     "auction.courts.那覇地方裁判所.costs"),
    ("[auction.courts.\"那覇地方裁判所\"]\nby = \"area\"\ncosts = [{ amount = 1 }]\n",
     "auction.courts.那覇地方裁判所.by"),
    (("[brokerage]\nbands = [{ rate = \"0.03\", plus = 60000 },"
     " { up_to = 1, rate = \"0.1\", plus = 0 }]\n"),
     "brokerage.bands"),
])
def test_bad_user_settings_name_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError, match=f"「{key}」"):
        user_config(tmp_path, text)


def test_unreadable_files_are_config_errors(tmp_path):
    with pytest.raises(ConfigError):
        user_config(tmp_path, "[company\n")
    with pytest.raises(ConfigError):
        load_config(tmp_path / "missing.toml")


def test_digest_tracks_the_effective_configuration(tmp_path, defaults):
    assert load_config(None).digest() == defaults.digest()
    same = user_config(tmp_path, "[profiles.standard]\nmoving_cap = 300000\n")
    assert same.digest() == defaults.digest()
    changed = user_config(tmp_path, "[profiles.standard]\nmoving_cap = 200000\n")
    assert changed.digest() != defaults.digest()


def test_the_review_pages_time_zone_is_tokyo_unless_configured(tmp_path, defaults):
    """[review] timezone shapes index.html only: changing it rebuilds no case (digest)."""
    assert defaults.review.timezone == "Asia/Tokyo" and defaults.review.zone.key == "Asia/Tokyo"
    other = user_config(tmp_path, '[review]\ntimezone = "America/New_York"\n')
    assert other.review.zone.key == "America/New_York"
    assert other.digest() == defaults.digest()
    with pytest.raises(ConfigError, match="「review.timezone」.*Asia/Tokyo"):
        user_config(tmp_path, '[review]\ntimezone = "Asia/Tokio"\n')


def test_config_is_frozen(defaults):
    with pytest.raises(ValidationError):
        defaults.company = defaults.company


def test_every_shipped_court_table_names_its_source_and_is_in_the_rules(defaults):
    """予納金 by court (docs/rules.md §2): each table from a court's page, each listed in the docs."""
    rules = (REPO / "docs" / "rules.md").read_text("utf-8")
    assert len(defaults.auction.courts) >= 4
    for name, table in defaults.auction.courts.items():
        assert table.source.startswith(("https://www.courts.go.jp/", "http://www.courts.go.jp/"))
        assert table.source in rules and name.removesuffix("支部")[:4] in rules, name


def test_the_retired_fixed_attachments_list_is_refused_saying_what_replaced_it(tmp_path):
    """[attachments] printed 添付書類 that no packet enclosed; an older ninbai.toml that still
    has it must hear why, not find its list silently ignored."""
    with pytest.raises(ConfigError, match="「attachments」は使われなくなりました.*添付フォルダ"):
        user_config(tmp_path, '[attachments]\nsale_request = ["価格査定書"]\n')


def test_fax_is_optional_and_read(tmp_path):
    assert load_config(None).company.fax == ""
    assert user_config(tmp_path, '[company]\nfax = "03-1234-5679"\n').company.fax == "03-1234-5679"
