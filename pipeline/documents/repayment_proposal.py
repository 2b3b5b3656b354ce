"""03 残債務の返済に関する申出書 (repayment_proposal): one per creditor name with remaining debt.

The debtor (申出人) offers a monthly repayment of what the sale leaves unpaid, split among the
creditors, and where the plan has one, a lump sum (一括弁済) in settlement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from pipeline.compute.figures import (
    LumpSumOffer,
    LumpSumShare,
    RepaymentShare,
)
from pipeline.config import Repayment
from pipeline.documents.common import (
    REPAYMENT_PROPOSAL,
    BaseView,
    CaseCommon,
    CompanyBlock,
    CreditorBlock,
    DebtorBlock,
    addressee_line,
    creditor_block,
    negotiation_round,
    rank_text,
)
from pipeline.documents.format import (
    clean_text,
    kin,
    months,
    percent,
    round_text,
    wareki_month,
    years,
    yen,
    you_word,
)
from pipeline.documents.recipients import Packets


@dataclass(frozen=True, slots=True)
class PlanRow:
    """返済計画 split table row (one lien with remaining debt, 順位 order)."""

    rank: int
    rank_text: str
    creditor: str
    remaining: int
    remaining_text: str
    monthly: int
    monthly_text: str
    months: int | None
    months_text: str  # 250回, "—" when monthly is 0
    years: Decimal | None
    years_text: str  # 20.8年, "—" when monthly is 0
    is_addressee: bool
    #: What the letter prints in the 返済回数 / 期間 columns: months_text / years_text, or, for a
    #: plan longer than [repayment] period_cap_months, 「当面」 / 「5年後見直し」.
    count_text: str = ""
    span_text: str = ""


@dataclass(frozen=True, slots=True)
class LumpSumRow:
    """一括和解 split row."""

    rank: int
    rank_text: str
    creditor: str
    remaining: int
    remaining_text: str
    amount: int
    amount_text: str
    percent: Decimal  # share of that remaining debt, e.g. Decimal("7.0")
    percent_text: str  # 7.0%
    is_addressee: bool


@dataclass(frozen=True, slots=True)
class LumpSumBlock:
    """一括和解提案: the total X, its split, and the addressee's share."""

    total: int
    total_text: str
    total_kin: str
    rows: tuple[LumpSumRow, ...]
    addressee_amount: int
    addressee_amount_text: str
    addressee_amount_kin: str
    addressee_percent: Decimal  # of the addressee's remaining debt (one decimal, 四捨五入)
    addressee_percent_text: str
    text: str  # the offer sentence


@dataclass(frozen=True, slots=True)
class RepaymentProposalView(BaseView):
    """03 残債務の返済に関する申出書: one per creditor name with remaining debt in the plan."""

    you: str  # 貴行 / 貴機構 / 貴社 …: the addressee in sentences and labels (you_word)
    creditor: CreditorBlock
    company: CompanyBlock
    debtor: DebtorBlock
    remaining: int  # this creditor's remaining debt (all its rows)
    remaining_text: str
    remaining_kin: str
    monthly: int  # offered to this creditor
    monthly_text: str
    monthly_kin: str
    monthly_total: int  # R, to all creditors
    monthly_total_text: str
    start: dt.date  # first payment month (day 1)
    start_text: str  # 令和9年2月
    months: int | None  # to repay this creditor (the longest of its rows), None when monthly is 0
    months_text: str
    years: Decimal | None
    years_text: str
    plan: tuple[PlanRow, ...]
    plan_remaining_total: int
    plan_remaining_total_text: str
    plan_monthly_total_text: str  # = monthly_total_text, for the table footer
    has_capacity: bool  # False when nothing can be offered (R = 0)
    offer_text: str  # the monthly offer sentence (or the no-capacity sentence)
    lump_sum: LumpSumBlock | None
    has_lump_sum: bool
    waiver_text: str  # request to waive further 遅延損害金
    #: The 按分 tables (plan, lump_sum.rows) are the same in every letter of the case (no row
    #: highlighted): a 別紙 the renderer lays out once (sale_request.SHARED_ANNEX_MIN_LETTERS).
    shared_annex: bool = False
    #: 返済回数・期間 as printed: 「250回（20.8年）」, or for a plan longer than the cap the review
    #: (「当面の月額（令和14年2月に見直し）」); months/years above keep the full figures for staff.
    period_text: str = ""
    period_capped: bool = False
    #: 添付書類: 「生活状況表」 when this creditor gets it, and the scans when this is the first
    #: letter of its packet (「生活状況表、価格査定書」); "" when none
    attachments_text: str = ""
    round: int = 1  # 第N回 of the letters to this creditor (common.negotiation_round)
    round_text: str = ""  # 「（第2回）」 after the title; "" for the first send


OFFER = ("任意売却後の{you}に対する残債務{remaining}につきまして、{start}より毎月{monthly}を"
         "お支払いすることにより返済いたしたく、御承諾賜りますようお願い申し上げます。")
NO_CAPACITY = ("任意売却後の{you}に対する残債務{remaining}につきまして、別紙生活状況表のとおり現在の収支では"
               "返済原資がございません。返済方法につき御相談させていただきたく、"
               "お願い申し上げます。")
LUMP_SUM = ("なお、一括でのお支払いとして{amount}（{you}に対する残債務の{percent}）にて和解いただけますよう、"
            "併せて御検討をお願い申し上げます。")
OFFER_REVIEW = ("任意売却後の{you}に対する残債務{remaining}につきまして、{start}より当面毎月{monthly}を"
                "お支払いし、{review}に改めて生活状況をお示しのうえ返済額を御相談させていただきたく、"
                "御承諾賜りますようお願い申し上げます。")
NO_CAPACITY_PLAIN = ("任意売却後の{you}に対する残債務{remaining}につきまして、現在の収支では返済原資が"
                     "ございません。返済方法につき御相談させていただきたく、お願い申し上げます。")
PERIOD = "{months}（{years}）"
PERIOD_REVIEW = "当面の月額（{review}に見直し）"
COUNT_REVIEW = "当面"
SPAN_REVIEW = "{years}年後見直し"
WAIVER = ("また、本申出による返済を継続している間は、今後発生する遅延損害金を免除して"
          "いただきますようお願い申し上げます。")
PERCENT_STEP = Decimal("0.1")


# --- 03 repayment_proposal -------------------------------------------------------------------


def build_repayment_proposal(common: CaseCommon, name: str, packets: Packets | None = None,
                             shared_annex: bool = False) -> RepaymentProposalView:
    """残債務の返済に関する申出書 to one creditor name (docs/rules.md §4).

    ``shared_annex``: the 按分 tables highlight no row (a 別紙 the same for every letter); the
    addressee's own figures stay in the letter (２ and the lump-sum sentence)."""
    rows_for = "" if shared_annex else name
    plan = common.figures.repayment
    creditor = creditor_block(common.case, name)
    mine = [s for s in plan.plan if s.creditor == name]
    remaining, monthly = sum(s.remaining for s in mine), sum(s.monthly for s in mine)
    longest = _longest(mine)
    start = wareki_month(plan.start)
    plan_remaining = sum(s.remaining for s in plan.plan)
    you = you_word(name)
    rules = common.config.repayment
    capped = longest is not None and (longest.months or 0) > rules.period_cap_months
    review = wareki_month(add_months(plan.start, rules.review_after_months))
    household = packets is None or packets.gets_household(name)
    return RepaymentProposalView(
        **common.header(REPAYMENT_PROPOSAL, name), addressee=addressee_line(creditor), you=you,
        creditor=creditor, remaining=remaining, remaining_text=yen(remaining),
        remaining_kin=kin(remaining), monthly=monthly, monthly_text=yen(monthly),
        monthly_kin=kin(monthly), monthly_total=plan.monthly_total,
        monthly_total_text=yen(plan.monthly_total), start=plan.start, start_text=start,
        months=longest.months if longest else None, months_text=months(_m(longest)),
        years=longest.years if longest else None, years_text=years(_y(longest)),
        plan=tuple(plan_row(s, rows_for, rules) for s in plan.plan),
        plan_remaining_total=plan_remaining,
        plan_remaining_total_text=yen(plan_remaining),
        plan_monthly_total_text=yen(plan.monthly_total), has_capacity=monthly > 0,
        offer_text=_offer_text(remaining, monthly, start, you, review if capped else "",
                               household),
        lump_sum=lump_sum_block(plan.lump_sum, name, you, rows_for),
        has_lump_sum=plan.lump_sum is not None,
        waiver_text=WAIVER, shared_annex=shared_annex,
        period_text=(PERIOD_REVIEW.format(review=review) if capped
                     else PERIOD.format(months=months(_m(longest)), years=years(_y(longest)))),
        period_capped=capped,
        attachments_text=_attachments_text(common, name, packets, household),
        round=negotiation_round(common.case, name),
        round_text=round_text(negotiation_round(common.case, name)))


def _attachments_text(common: CaseCommon, name: str, packets: Packets | None,
                      household: bool) -> str:
    """添付書類: the 生活状況表 when this creditor gets it, and the scans when this letter is the
    first of its packet (a creditor with no 同意申請書): 「生活状況表、価格査定書」."""
    items = [clean_text(common.config.titles["household_statement"])] if household else []
    if packets is not None:
        items += [clean_text(t) for t in packets.scans_listed_in(REPAYMENT_PROPOSAL, name)]
    return "、".join(items)


def add_months(start: dt.date, n: int) -> dt.date:
    """The first of the month ``n`` months after ``start`` (the review month)."""
    index = start.year * 12 + start.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def _longest(shares: list[RepaymentShare]) -> RepaymentShare | None:
    """Of a creditor's rows, the one repaid last: it says how long this creditor waits."""
    paying = [s for s in shares if s.months is not None]
    return max(paying, key=lambda s: s.months or 0) if paying else None


def _m(share: RepaymentShare | None) -> int | None:
    return share.months if share else None


def _y(share: RepaymentShare | None) -> Decimal | None:
    return share.years if share else None


def _offer_text(remaining: int, monthly: int, start: str, you: str, review: str = "",
                household: bool = True) -> str:
    """The offer; past the period cap, the monthly amount 「当面」 and the review month instead of a
    period no creditor takes seriously; without capacity, the 生活状況表 is cited only when it is
    attached."""
    if monthly == 0:
        return (NO_CAPACITY if household else NO_CAPACITY_PLAIN).format(you=you,
                                                                        remaining=kin(remaining))
    if review:
        return OFFER_REVIEW.format(you=you, remaining=kin(remaining), start=start,
                                   monthly=kin(monthly), review=review)
    return OFFER.format(you=you, remaining=kin(remaining), start=start, monthly=kin(monthly))


def plan_row(s: RepaymentShare, name: str, rules: Repayment | None = None) -> PlanRow:
    capped = rules is not None and (s.months or 0) > rules.period_cap_months
    count = COUNT_REVIEW if capped else months(s.months)
    span = (SPAN_REVIEW.format(years=_years_of(rules.review_after_months))
            if capped and rules is not None else years(s.years))
    return PlanRow(s.rank, rank_text(s.rank), clean_text(s.creditor), s.remaining, yen(s.remaining),
                   s.monthly, yen(s.monthly), s.months, months(s.months), s.years, years(s.years),
                   is_addressee=s.creditor == name, count_text=count, span_text=span)


def _years_of(n_months: int) -> str:
    """60 → 「5」, 18 → 「1.5」: the review interval in years as the letter says it."""
    value = Decimal(n_months) / 12
    return f"{value.normalize():f}"


def lump_sum_block(offer: LumpSumOffer | None, name: str, you: str,
                   rows_for: str | None = None) -> LumpSumBlock | None:
    """一括和解提案 and the addressee's share; None when no lump sum is offered. The rows are
    highlighted for ``rows_for`` (the addressee unless given; "" for none)."""
    if offer is None:
        return None
    mine = [s for s in offer.plan if s.creditor == name]
    amount = sum(s.amount for s in mine)
    pct = share_percent(amount, sum(s.remaining for s in mine))
    return LumpSumBlock(
        offer.total, yen(offer.total), kin(offer.total),
        tuple(lump_sum_row(s, name if rows_for is None else rows_for) for s in offer.plan),
        amount, yen(amount), kin(amount),
        pct, percent(pct), LUMP_SUM.format(amount=kin(amount), you=you, percent=percent(pct)))


def share_percent(amount: int, remaining: int) -> Decimal:
    """A share as a percentage of the remaining debt, one decimal, 四捨五入 (docs/rules.md §4,
    lump-sum offer). Needed here only for a name with several rows; one row gives its own figure."""
    if remaining == 0:
        return Decimal("0.0")
    return (Decimal(amount) * 100 / Decimal(remaining)).quantize(PERCENT_STEP, ROUND_HALF_UP)


def lump_sum_row(s: LumpSumShare, name: str) -> LumpSumRow:
    return LumpSumRow(s.rank, rank_text(s.rank), clean_text(s.creditor), s.remaining,
                      yen(s.remaining), s.amount, yen(s.amount), s.percent, percent(s.percent),
                      is_addressee=s.creditor == name)

