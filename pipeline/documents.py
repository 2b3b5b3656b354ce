"""Documents stage: one frozen view model per creditor document, built from (case, figures, config).

The view models hold every number *and* its display string (``amount`` / ``amount_text``), every
sentence and every flag a template needs, so the Word and the HTML/PDF templates only place values:
no arithmetic and no formatting in templates, and both formats show the same text (style.md §5,
pretix's "data snapshot first, renderer second").

Three kinds (spec/outputs.md):

- ``sale_request`` 任意売却に関する同意申請書 — one per creditor name holding a 抵当権/根抵当権/差押;
- ``household_statement`` 生活状況表 — one per case;
- ``repayment_proposal`` 残債務の返済に関する申出書 — one per creditor name with remaining debt in the
  repayment plan.

Conventions for template authors: text that may be absent is ``""`` (never ``None``), so a
template tests it with ``{% if x %}``; amounts are ``int`` with a ``*_text`` twin (``1,234,000円``);
``*_kin`` is the sentence form (``金14,000,000円``); dates are ``date`` with a ``*_text`` twin in 和暦.
User text has passed through ``clean_text`` but is NOT escaped: escaping is the renderers' job.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

# --------------------------------------------------------------------------------------------
# Blocks shared by the three kinds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditorBlock:
    """宛先: the addressee's parts. ``honorific`` is 御中 (organisation) or 様 (named officer)."""

    name: str  # 債権者名, exactly as typed (cleaned)
    department: str  # 部署, "" when none
    officer: str  # 担当者, "" when none
    honorific: str  # 御中 / 様 — never both (domain.md 宛名)
    address: str  # 住所, "" when none
    phone: str  # 電話, "" when none


@dataclass(frozen=True, slots=True)
class CompanyBlock:
    """差出人: our company (from the configuration) and the staff member in charge (案件 担当者)."""

    name: str
    address: str
    phone: str
    license_no: str  # 宅地建物取引業免許番号, e.g. 東京都知事(1)第12345号
    representative: str  # 代表者
    staff: str  # 担当者 = case.staff


@dataclass(frozen=True, slots=True)
class DebtorBlock:
    """債務者 (and 連帯債務者・保証人 as free text)."""

    name: str
    kana: str  # "" when none
    address: str
    phone: str  # "" when none
    co_debtors: str  # 連帯債務者・保証人, "" when none


@dataclass(frozen=True, slots=True)
class LabelledAmount:
    """A label with an amount, for simple two-column tables (競売比較, totals)."""

    label: str
    amount: int
    amount_text: str
    note: str = ""  # e.g. 裁判所の公告による / 推計


# --------------------------------------------------------------------------------------------
# 01 任意売却に関する同意申請書 (sale_request)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PropertyRow:
    """物件 table row (one registered unit)."""

    kind: str  # 種類: 土地 / 建物 / 区分建物 / 敷地権
    location: str  # 所在
    number: str  # 地番・家屋番号
    category: str  # 地目・構造, "" when none
    area: Decimal | None  # 面積(㎡)
    area_text: str  # 65.23㎡, "—" when none
    name: str  # 名称, "" when none


@dataclass(frozen=True, slots=True)
class DeductionRow:
    """配分案 費用控除 line, in the spec's order (computations §1)."""

    code: str  # brokerage, registration, … (outputs.md deduction codes)
    label: str  # 仲介手数料, 抹消承諾料（ハンコ代）, …
    payee: str  # 支払先
    basis: str  # 算出根拠, "" when none
    amount: int
    amount_text: str
    is_addressee: bool  # True when this line is paid to the addressee (its ハンコ代/差押解除料)


@dataclass(frozen=True, slots=True)
class LienRow:
    """配分案: one 抵当権/根抵当権 in 順位 order."""

    rank: int
    rank_text: str  # 第1順位
    creditor: str
    kind: str  # 抵当権 / 根抵当権
    claim: int  # 決済時債権額
    claim_text: str
    release_fee: int  # ハンコ代
    release_fee_text: str
    waterfall: int  # 配当額
    waterfall_text: str
    received: int  # 配分額 = ハンコ代 + 配当額
    received_text: str
    remaining: int  # 残債務
    remaining_text: str
    is_addressee: bool  # highlight as 貴社配分額


@dataclass(frozen=True, slots=True)
class SeizureRow:
    """配分案: one 差押."""

    creditor: str
    priority: bool
    priority_text: str  # 優先 / "" (non-priority)
    claim: int
    claim_text: str
    release_fee: int  # 差押解除料
    release_fee_text: str
    remaining: int
    remaining_text: str
    is_addressee: bool


@dataclass(frozen=True, slots=True)
class AuctionBlock:
    """競売との比較 (computations §2), with its assumptions printed.

    ``rows`` is the ready-made comparison table (M, B, K, E, C, 優先税等 when any, 配当原資, the
    順位1 holder's recovery at auction and by the sale, the advantage). The ``addressee_*`` values
    are the addressee's own lien rows summed; ``has_addressee_comparison`` is False for an
    addressee without a lien (a 差押 holder) and for the 順位1 holder itself (its rows are already
    in ``rows``).
    """

    rows: tuple[LabelledAmount, ...]
    market_value: int
    market_value_text: str
    base_price: int
    base_price_text: str
    base_price_given: bool
    min_bid: int
    min_bid_text: str
    min_bid_given: bool
    expected_bid: int
    expected_bid_text: str
    procedure_cost: int
    procedure_cost_text: str
    priority_taxes: int
    priority_taxes_text: str
    pool: int
    pool_text: str
    first_lien_creditor: str
    first_lien_auction: int  # 競売時回収見込額 of the 順位1 holder (all its lien rows)
    first_lien_auction_text: str
    first_lien_sale: int  # 任意売却時回収額 of the 順位1 holder
    first_lien_sale_text: str
    advantage: int  # sale − auction for the 順位1 holder
    advantage_text: str
    has_addressee_comparison: bool
    addressee_rows: tuple[LabelledAmount, ...]  # () when has_addressee_comparison is False
    addressee_auction: int
    addressee_auction_text: str
    addressee_sale: int
    addressee_sale_text: str
    addressee_advantage: int
    addressee_advantage_text: str
    assumptions_text: str  # 「競売市場修正30%・落札見込 査定価格の65%と仮定」


@dataclass(frozen=True, slots=True)
class SaleRequestView:
    """01 任意売却に関する同意申請書: one per creditor name holding a 抵当権/根抵当権/差押."""

    kind: str  # "sale_request"
    template: str  # "sale_request"
    title: str
    filename_stem: str
    case_id: str
    date: date
    date_text: str  # 和暦 document date (figures.document_date)
    addressee: str  # full line: 「〇〇銀行 債権管理部 御中」 / 「〇〇銀行 債権管理部 山田太郎 様」
    creditor: CreditorBlock
    company: CompanyBlock
    debtor: DebtorBlock
    intro_text: str  # opening sentence, with the sale price in 金…円 form
    property_kind: str  # マンション / 戸建 / 土地
    properties: tuple[PropertyRow, ...]
    appraisal: int  # 査定価格
    appraisal_text: str
    sale_price: int
    sale_price_text: str  # 14,000,000円 (table)
    sale_price_kin: str  # 金14,000,000円 (sentence)
    buyer: str  # 買主, "未定" when none
    has_buyer: bool
    offer_date: date | None  # 買付日
    offer_date_text: str  # "未定" when none
    contract_date: date | None  # 契約予定日
    contract_date_text: str
    settlement_date: date  # 決済予定日
    settlement_date_text: str
    deductions: tuple[DeductionRow, ...]
    deductions_total: int
    deductions_total_text: str
    distributable: int  # A: 抵当権者への配当原資
    distributable_text: str
    liens: tuple[LienRow, ...]
    liens_claim_total: int
    liens_claim_total_text: str
    liens_received_total: int
    liens_received_total_text: str
    liens_remaining_total: int
    liens_remaining_total_text: str
    seizures: tuple[SeizureRow, ...]
    surplus_to_debtor: int  # 剰余金 (to the debtor)
    surplus_to_debtor_text: str
    addressee_received: int  # 貴社配分額: Σ received of its liens + Σ release fees of its 差押
    addressee_received_text: str
    addressee_remaining: int  # 貴社残債務 after the sale
    addressee_remaining_text: str
    auction: AuctionBlock
    attachments: tuple[str, ...]  # 添付書類
    is_seizure_holder: bool  # the addressee holds only 差押 rows (no lien)
    request_text: str  # 抹消への同意 / 差押解除 のお願い
    case_ref_text: str  # 競売事件番号 line, "" when no auction case number

    def document_entry(self) -> dict[str, Any]:
        return _entry(self)

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    def as_json(self) -> str:
        return _as_json(self)


# --------------------------------------------------------------------------------------------
# 02 生活状況表 (household_statement)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberRow:
    """世帯 row."""

    name: str
    relation: str  # 続柄
    age: int | None
    age_text: str  # 42歳, "" when unknown
    occupation: str  # 職業・勤務先, "" when none
    note: str


@dataclass(frozen=True, slots=True)
class BudgetLineRow:
    """One 収支 line inside its 費目 group."""

    detail: str  # 内容, "" when none
    amount: int
    amount_text: str
    note: str


@dataclass(frozen=True, slots=True)
class BudgetGroup:
    """One 費目 with its lines and subtotal, in the contract's 費目 order."""

    side: str  # 収入 / 支出
    category: str  # 費目
    lines: tuple[BudgetLineRow, ...]
    subtotal: int
    subtotal_text: str


@dataclass(frozen=True, slots=True)
class AssetRow:
    """資産 row."""

    kind: str  # 預貯金 / 保険 / …
    detail: str
    amount: int  # 評価額
    amount_text: str
    note: str


@dataclass(frozen=True, slots=True)
class DebtRow:
    """その他の債務: a 無担保 row of 債権者."""

    creditor: str
    remaining: int  # 残高 = 元金残高 + 損害金等 as stated in the workbook
    remaining_text: str
    monthly: int | None  # 月返済額
    monthly_text: str  # "—" when not given


@dataclass(frozen=True, slots=True)
class HouseholdStatementView:
    """02 生活状況表: one per case (attached to every letter; no addressee)."""

    kind: str  # "household_statement"
    template: str  # "household_statement"
    title: str
    filename_stem: str
    case_id: str
    date: date
    date_text: str
    addressee: str  # "" (the statement is not addressed)
    company: CompanyBlock
    debtor: DebtorBlock
    members: tuple[MemberRow, ...]
    income_groups: tuple[BudgetGroup, ...]
    expense_groups: tuple[BudgetGroup, ...]
    income: int
    income_text: str
    expenses: int
    expenses_text: str
    surplus: int  # may be negative
    surplus_text: str
    surplus_negative: bool
    assets: tuple[AssetRow, ...]
    assets_total: int
    assets_total_text: str
    other_debts: tuple[DebtRow, ...]
    other_debts_total: int
    other_debts_total_text: str
    other_debts_monthly_total: int
    other_debts_monthly_total_text: str

    def document_entry(self) -> dict[str, Any]:
        return _entry(self)

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    def as_json(self) -> str:
        return _as_json(self)


# --------------------------------------------------------------------------------------------
# 03 残債務の返済に関する申出書 (repayment_proposal)
# --------------------------------------------------------------------------------------------


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
class RepaymentProposalView:
    """03 残債務の返済に関する申出書: one per creditor name with remaining debt in the plan."""

    kind: str  # "repayment_proposal"
    template: str  # "repayment_proposal"
    title: str
    filename_stem: str
    case_id: str
    date: date
    date_text: str
    addressee: str
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
    start: date  # first payment month (day 1)
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

    def document_entry(self) -> dict[str, Any]:
        return _entry(self)

    def to_dict(self) -> dict[str, Any]:
        return _to_dict(self)

    def as_json(self) -> str:
        return _as_json(self)


DocumentView = SaleRequestView | HouseholdStatementView | RepaymentProposalView


# --------------------------------------------------------------------------------------------
# Serialisation (case.json entries, golden files)
# --------------------------------------------------------------------------------------------


def _entry(view: DocumentView) -> dict[str, Any]:
    """case.json ``documents`` entry. ``addressee`` is the 債権者名 (None for 生活状況表)."""
    name = view.creditor.name if hasattr(view, "creditor") else None
    return {"kind": view.kind, "addressee": name,
            "docx": view.filename_stem + ".docx", "pdf": view.filename_stem + ".pdf"}


def _plain(value: Any) -> Any:
    """JSON-ready: dates ISO, Decimal as str (exact), tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _to_dict(view: DocumentView) -> dict[str, Any]:
    return _plain(asdict(view))


def _as_json(view: DocumentView) -> str:
    return json.dumps(_to_dict(view), ensure_ascii=False, indent=2) + "\n"
