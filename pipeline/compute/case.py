"""The whole computation of one case: a validated ``Case`` → its ``Figures`` (docs/rules.md)."""

from __future__ import annotations

from datetime import date

from pipeline import RULES_VERSION
from pipeline.compute.auction import compare_auction
from pipeline.compute.checks import case_checks
from pipeline.compute.claims import claims_by_row
from pipeline.compute.deductions import Context
from pipeline.compute.distribution import distribute
from pipeline.compute.figures import AuctionComparison, CaseWarning, Figures, SaleDistribution
from pipeline.compute.household import household_budget
from pipeline.compute.negotiation import negotiation_checks
from pipeline.compute.repayment import plan_repayment
from pipeline.config import Config
from pipeline.read.models import Case


def compute_case(case: Case, config: Config, batch_date: date) -> Figures:
    """Every figure of the case; the 順位 1 holder's profile governs the deductions.

    The document date is the case's 作成日, else ``batch_date``.
    """
    profile_name = case.first_lien.profile
    document_date = case.created or batch_date
    sale, auction, sale_warnings, auction_warnings = sale_and_auction(case, config)
    household, household_warnings = household_budget(case, config)
    repayment, repayment_warnings = plan_repayment(case, config, sale, household)
    return Figures(
        rules_version=RULES_VERSION, document_date=document_date,
        governing_profile=profile_name, sale=sale, auction=auction, household=household,
        repayment=repayment,
        warnings=(sale_warnings + auction_warnings + household_warnings + repayment_warnings
                  + case_checks(case, config, document_date)
                  + negotiation_checks(case, sale, batch_date)))


def sale_and_auction(case: Case, config: Config) -> tuple[
        SaleDistribution, AuctionComparison, tuple[CaseWarning, ...], tuple[CaseWarning, ...]]:
    """配分案 and 競売との比較 of the case, with their warnings: the part of the rules that moves
    with the 売却価格, which the break-even search (breakeven.py) runs again at trial prices."""
    ctx = Context(case, config, config.profiles[case.first_lien.profile], claims_by_row(case))
    sale, sale_warnings = distribute(ctx)
    auction, auction_warnings = compare_auction(case, config, sale)
    return sale, auction, sale_warnings, auction_warnings
