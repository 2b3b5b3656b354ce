"""The computed figures of a case: frozen results of ``pipeline.compute``.

The contract between the computations and everything that shows them (case.json, documents,
summary, review). Amounts are ``int`` yen. Each lien/seizure result keeps the Excel ``row`` of its
creditor so a warning can still point at the cell.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pipeline.frozen import Frozen

WarningSeverity = Literal["info", "warn", "high"]
DeductionCode = Literal[
    "brokerage", "registration", "auction_costs", "management_arrears", "seizure_release",
    "junior_release", "bankruptcy_estate", "moving", "stamp_duty", "other",
]


class Deduction(Frozen):
    """One line of 費用控除 in the 配分案, in the spec's order."""

    code: DeductionCode
    label: str  # e.g. 仲介手数料, 抹消承諾料（ハンコ代）
    payee: str  # who receives it (broker, 司法書士, 管理組合, the creditor's name, …)
    amount: int
    basis: str = ""  # how it was computed, printed on the document (e.g. 売却価格×3%+6万円+消費税)
    creditor: str | None = None  # seizure_release / junior_release / auction_costs: the creditor
    row: int | None = None  # Excel row on its sheet (債権者 or 費用), if any


class LienResult(Frozen):
    """A 抵当権/根抵当権 in the sale waterfall."""

    row: int
    creditor: str
    rank: int
    kind: str  # 抵当権 / 根抵当権
    principal: int  # 元金残高
    damages: int  # 損害金等 as given
    accrual: int  # 損害金 accrued from 基準日 to 決済予定日
    claim: int  # principal + damages + accrual
    release_fee: int  # ハンコ代 (0 for rank 1 and for the rank-1 holder's own junior liens)
    waterfall: int  # share of the distributable amount A
    received: int  # release_fee + waterfall
    remaining: int  # claim − received


class SeizureResult(Frozen):
    """A 差押 (tax or other seizure)."""

    row: int
    creditor: str
    priority: bool
    claim: int
    release_fee: int  # 差押解除料, a deduction from the price
    # 剰余からの配分: what is left of A after every lien pays the rest of the claim (added).
    surplus_share: int = 0
    #: claim − release_fee − surplus_share: the tax left unpaid after the sale (残る滞納税額). The
    #: office lifts its seizure for the 差押解除料, but the rest is still owed: an other debt of the
    #: household (生活状況表).
    remaining: int

    @property
    def received(self) -> int:
        """配分額計 of the 差押: 差押解除料 + 剰余からの配分."""
        return self.release_fee + self.surplus_share


class SaleDistribution(Frozen):
    """配分案: how the sale price P is split."""

    price: int
    deductions: tuple[Deduction, ...]
    deductions_total: int
    distributable: int  # A = max(0, P − deductions_total)
    liens: tuple[LienResult, ...]  # in 順位 order
    seizures: tuple[SeizureResult, ...]  # in 債権者 sheet order
    surplus_to_debtor: int  # 剰余金: what is left after every lien and every 差押's surplus_share


class AuctionRecovery(Frozen):
    creditor: str
    rank: int
    claim: int
    amount: int


class SeizureAuctionRecovery(Frozen):
    """What a 差押 would recover at auction (docs/rules.md §2, 無益な差押え).

    A 優先 差押 is paid before the liens; any other ranks after them and gets only what the
    expected bid leaves once every lien is paid in full. ``futile`` (無益な差押え): it would recover
    nothing (国税徴収法48条2項: a seizure that can yield nothing for the tax).
    """

    row: int  # 債権者 row
    creditor: str
    priority: bool
    claim: int  # at settlement
    amount: int  # recovered at auction
    futile: bool  # amount == 0


class AuctionComparison(Frozen):
    """競売との比較."""

    market_value: int  # M = 査定価格
    base_price: int  # B 売却基準価額
    base_price_given: bool  # True when taken from the court's notice
    min_bid: int  # K 買受可能価額
    min_bid_given: bool
    expected_bid: int  # E
    procedure_cost: int  # C 予納金
    #: The court whose 予納金 table gave C (the 執行裁判所, or its 本庁 for an unlisted 支部);
    #: None: the shipped default table (procedure_cost_table says which).
    procedure_cost_court: str | None = None
    procedure_cost_table: str = ""  # printed: 「静岡地方裁判所の予納金」「東京地裁本庁の予納金」
    procedure_cost_url: str | None = None  # the court's page the table comes from
    procedure_cost_basis: str = ""  # 算出根拠 of C: 「静岡地方裁判所の予納金（物件2個による）」
    priority_taxes: int  # 優先 差押 claims paid before the liens
    pool: int  # max(0, E − C − priority_taxes)
    recoveries: tuple[AuctionRecovery, ...]  # liens in 順位 order
    first_lien_recovery: int  # what the 順位 1 holder (all its lien rows) would get at auction
    sale_first_lien_recovery: int  # what the 順位 1 holder (all its lien rows) receives from the sale
    advantage: int
    #: Every 差押 in 債権者 sheet order: what it would recover at auction (無益な差押え when 0).
    seizure_recoveries: tuple[SeizureAuctionRecovery, ...] = ()
    market_discount: Decimal  # 競売市場修正, e.g. Decimal("0.30")
    expected_bid_ratio: Decimal  # 落札見込 as a share of M, e.g. Decimal("0.65")
    assumptions_text: str  # printed on the documents, e.g. 「競売市場修正30%・落札見込 査定価格の65%と仮定」


class BudgetSubtotal(Frozen):
    """Subtotal of one 費目 (in the order of the case-workbook spec)."""

    side: Literal["収入", "支出"]
    category: str
    amount: int
    rows: tuple[int, ...]  # Excel rows of 収支 that make it up


class HouseholdBudget(Frozen):
    """生活状況表 totals."""

    income: int
    expenses: int
    surplus: int  # may be negative
    income_subtotals: tuple[BudgetSubtotal, ...]
    expense_subtotals: tuple[BudgetSubtotal, ...]
    assets_total: int
    unsecured_monthly_total: int  # Σ 月返済額 of 無担保 rows


class RepaymentShare(Frozen):
    creditor: str
    rank: int
    remaining: int
    monthly: int
    months: int | None  # None where monthly is 0
    years: Decimal | None  # months / 12 floored to one decimal (切り捨て), None where monthly is 0


class LumpSumShare(Frozen):
    creditor: str
    rank: int
    remaining: int
    amount: int
    percent: Decimal  # share of that remaining debt, one decimal, ROUND_HALF_UP


class LumpSumOffer(Frozen):
    total: int
    plan: tuple[LumpSumShare, ...]


class RepaymentPlan(Frozen):
    """残債務の返済計画."""

    monthly_total: int  # R
    monthly_given: bool  # True when 返済提案月額 was given
    start: date  # first payment month (day 1)
    plan: tuple[RepaymentShare, ...]  # targets in 順位 order
    lump_sum: LumpSumOffer | None


class CaseWarning(Frozen):
    """A warning of the rules v1 catalogue (docs/rules.md §5)."""

    code: str
    severity: WarningSeverity
    message: str
    sheet: str | None = None  # where staff should look, if one cell is to blame
    cell: str | None = None


class Figures(Frozen):
    """Everything computed for one case."""

    rules_version: str
    document_date: date  # 作成日, or the batch date
    governing_profile: str  # the 順位 1 holder's profile name
    sale: SaleDistribution
    auction: AuctionComparison
    household: HouseholdBudget
    repayment: RepaymentPlan
    warnings: tuple[CaseWarning, ...]
