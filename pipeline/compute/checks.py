"""Checks of the case's dates and listing price (docs/rules.md §5, the rows not tied to a
computed figure): settlement against the auction calendar, listing against the appraisal, and a
settlement date already past.

``settlement_close_to_opening`` ("決済予定日 later than 開札期日 − 14 days") is raised for every
settlement later than that, also on or after the 開札期日, where ``settlement_after_opening`` (high)
comes with it: the table of docs/rules.md §5 says so (the amended rule; the review may group them).
"""

from __future__ import annotations

from datetime import date, timedelta

from pipeline.compute.figures import CaseWarning
from pipeline.compute.money import exact, percent_text
from pipeline.compute.warnings import make_warning
from pipeline.config import Config
from pipeline.eras import date_text
from pipeline.read.models import Case


def auction_calendar(case: Case, config: Config) -> list[CaseWarning]:
    """決済予定日 against the 開札期日 and the 入札期間開始日 (docs/rules.md §7: withdraw before 開札)."""
    found = []
    settlement, opening = case.settlement_date, case.auction.opening_date
    days = config.warnings.close_to_opening_days
    where = case.cell_of("settlement_date")
    facts = {"settlement": date_text(settlement)}
    if opening is not None and settlement >= opening:
        found.append(make_warning("settlement_after_opening", where, opening=date_text(opening),
                                  **facts))
    if opening is not None and settlement > opening - timedelta(days=days):
        found.append(make_warning("settlement_close_to_opening", where,
                                  opening=date_text(opening), days=days, **facts))
    bidding = case.auction.bidding_start
    if bidding is not None and settlement >= bidding:
        found.append(make_warning("settlement_after_bidding_starts", where,
                                  bidding=date_text(bidding), **facts))
    return found


def listing_price(case: Case, config: Config) -> list[CaseWarning]:
    """売出価格 above 査定価格 × 1.10 will not sell (docs/rules.md §7, listing price)."""
    ratio = config.warnings.listing_above_market_ratio
    if case.listing_price is None or case.listing_price <= case.appraisal * exact(ratio):
        return []
    return [make_warning("listing_above_market", case.cell_of("listing_price"),
                         listing=case.listing_price, appraisal=case.appraisal,
                         ratio=percent_text(ratio))]


def settlement_in_past(case: Case, document_date: date) -> list[CaseWarning]:
    """決済予定日 before the document date (作成日 or the batch date): claims accrue to a past day."""
    if case.settlement_date >= document_date:
        return []
    return [make_warning("settlement_in_past", case.cell_of("settlement_date"),
                         settlement=date_text(case.settlement_date),
                         created=date_text(document_date))]


def case_checks(case: Case, config: Config, document_date: date) -> tuple[CaseWarning, ...]:
    """Every date and listing check of the catalogue."""
    return tuple(auction_calendar(case, config) + listing_price(case, config)
                 + settlement_in_past(case, document_date))
