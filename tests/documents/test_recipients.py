"""Who gets what (pipeline/documents/recipients.py): the profile rule for the 生活状況表."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.documents import build_views, plan_packets

INPUTS = Path(__file__).parents[2] / "inputs"


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))
        return load_config(None)


def case_and_figures(case_id: str, config):
    from pipeline.compute import compute_case
    from pipeline.read.validate import load_case

    case, issues = load_case(INPUTS / f"{case_id}.xlsx", profiles=config.profiles.keys())
    assert case is not None, [str(i) for i in issues]
    return case, compute_case(case, config, date(2026, 11, 30))


def with_profile_rule(config, profile: str, rule: str):
    profiles = dict(config.profiles)
    profiles[profile] = profiles[profile].model_copy(update={"household_statement": rule})
    return config.model_copy(update={"profiles": profiles})


def test_default_statement_goes_with_the_proposals_only(config):
    # 2026-0148: three lien holders get a proposal, the city and the tax office do not
    case, figures = case_and_figures("2026-0148", config)
    packets = plan_packets(case, figures, config)
    assert packets.household == packets.proposals == (
        "住宅金融支援機構", "みらい信用保証株式会社", "さいたま彩央信用組合")


def test_a_profile_may_refuse_the_statement(config):
    # JHF (profile jhf) uses its own 生活状況確認票: with "never" it gets no 生活状況表
    case, figures = case_and_figures("2026-0148", config)
    packets = plan_packets(case, figures, with_profile_rule(config, "jhf", "never"))
    assert "住宅金融支援機構" in packets.proposals
    assert packets.household == ("みらい信用保証株式会社", "さいたま彩央信用組合")
    views = build_views(case, figures, with_profile_rule(config, "jhf", "never"))
    jhf = next(v for v in views if v.kind == "repayment_proposal"
               and v.creditor.name == "住宅金融支援機構")
    assert jhf.attachments_text == ""


def test_with_letter_sends_it_to_a_lien_holder_without_proposal(config):
    # 2026-0170 (not an overloan): no proposal at all, so no statement by default; a profile
    # "with_letter" sends it with the 同意申請書, which then lists it
    case, figures = case_and_figures("2026-0170", config)
    assert not plan_packets(case, figures, config).household
    assert "household_statement" not in [v.kind for v in build_views(case, figures, config)]
    rule = with_profile_rule(config, "standard", "with_letter")
    views = build_views(case, figures, rule)
    household = next(v for v in views if v.kind == "household_statement")
    letters = [v for v in views if v.kind == "sale_request"]
    assert set(household.recipients) == {v.creditor.name for v in letters}
    assert all("生活状況表" in v.attachments for v in letters)
