"""The validated case (案件): frozen pydantic models built by ``validate`` from a workbook.

These are the contract between validation and every later stage. Money is ``int`` yen, rates are
``Decimal`` (14.6% is ``Decimal("14.6")``), dates are ``datetime.date``. Row models keep the Excel
row number they came from, so later stages can still point at a cell.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from pydantic import Field

from pipeline.frozen import Frozen

PropertyKind = Literal["マンション", "戸建", "土地"]
UnitKind = Literal["土地", "建物", "区分建物", "敷地権"]
SecurityKind = Literal["抵当権", "根抵当権", "差押", "無担保"]
BudgetSide = Literal["収入", "支出"]
AssetKind = Literal["預貯金", "保険", "自動車", "有価証券", "その他"]
BuyerRelation = Literal["なし", "親族", "知人", "勤務先", "その他"]
ReplyKind = Literal["回答待ち", "同意", "条件付同意", "不同意"]  # 回答
MovingReply = Literal["可", "不可", "減額"]  # 引越費用 (the creditor's answer to the request)

INCOME_CATEGORIES: tuple[str, ...] = (
    "給与", "賞与(月額換算)", "年金", "児童手当等", "養育費", "事業収入", "援助", "その他収入",
)
EXPENSE_CATEGORIES: tuple[str, ...] = (
    "住居費", "食費", "水道光熱費", "通信費", "保険料", "教育費", "医療費", "交通費・車両費",
    "日用品・被服費", "交際費・娯楽費", "税金・社会保険料", "他の借入返済", "仕送り", "雑費",
    "その他支出",
)
LIEN_KINDS: tuple[str, ...] = ("抵当権", "根抵当権")


class Debtor(Frozen):
    """債務者: the owner-debtor."""

    name: str
    kana: str | None = None
    address: str
    phone: str | None = None


class AuctionInfo(Frozen):
    """競売の状況: what is known of a court auction already under way (all optional)."""

    start_decision_date: date | None = None  # 競売開始決定日
    case_number: str | None = None  # 事件番号
    base_price: int | None = Field(default=None, ge=0)  # 売却基準価額
    min_bid: int | None = Field(default=None, ge=0)  # 買受可能価額
    bidding_start: date | None = None  # 入札期間開始日
    opening_date: date | None = None  # 開札期日
    applicant: str | None = None  # 申立債権者 (the 債権者名 of a 債権者 row, as written there)
    court: str | None = None  # 執行裁判所 (静岡地方裁判所, さいたま地方裁判所越谷支部)
    costs: int | None = Field(default=None, ge=0)  # 競売申立費用 the applicant asks back


class BankruptcyInfo(Frozen):
    """破産手続の情報: who sells the property in bankruptcy (破産管財人) and the case (all optional)."""

    trustee: str | None = None  # 破産管財人
    trustee_office: str | None = None  # 破産管財人事務所
    trustee_phone: str | None = None  # 破産管財人電話
    case_number: str | None = None  # 破産事件番号
    court: str | None = None  # 破産裁判所


class Owner(Frozen):
    """所有者 sheet row: a registered owner (共有者) when the debtor is not the only one.

    ``share`` is the 持分 as the registry writes it, normalised to 「2分の1」 (numerator and
    denominator kept as typed, not reduced: 「4分の2」 stays).
    """

    row: int
    name: str  # 氏名
    address: str  # 住所
    share: str  # 持分, 「b分のa」

    @property
    def fraction(self) -> Fraction:
        """The 持分 as an exact fraction (「2分の1」 → 1/2)."""
        return share_fraction(self.share)


def share_fraction(share: str) -> Fraction:
    """A 持分 text 「b分のa」 (as pipeline.read.values.parse_share writes it) → a/b."""
    denominator, _, numerator = share.partition("分の")
    return Fraction(int(numerator), int(denominator))


class NegotiationRound(Frozen):
    """One row of the 交渉 sheet: one creditor's answer to one round (第N回) of the proposal.

    A creditor's demands never change the figures by themselves: compute only compares them with
    the 配分案 (warnings) and uses 最低売却価格 for the break-even prices; staff enter new values.
    """

    row: int
    creditor: str  # 債権者名 (as written on a 債権者 row)
    round: int = Field(ge=1)  # 回
    sent_on: date | None = None  # 送付日
    reply_deadline: date | None = None  # 回答期限
    replied_on: date | None = None  # 回答日
    reply: ReplyKind = "回答待ち"  # 回答
    floor_price: int | None = Field(default=None, ge=0)  # 最低売却価格 (「〇〇万円以上なら可」)
    release_fee_demand: int | None = Field(default=None, ge=0)  # 抹消承諾料 the creditor demands
    moving_cost: MovingReply | None = None  # 引越費用: 可 / 不可 / 減額
    memo: str | None = None  # 条件メモ


class PropertyUnit(Frozen):
    """物件: one registered unit (土地一筆, 建物, 区分建物, 敷地権)."""

    row: int
    kind: UnitKind
    location: str  # 所在
    number: str  # 地番・家屋番号
    category: str | None = None  # 地目・構造
    area: Decimal | None = None  # 面積(㎡)
    name: str | None = None  # 名称


class Creditor(Frozen):
    """債権者 sheet row: one lien, seizure or unsecured debt."""

    row: int
    rank: int | None = Field(default=None, ge=1)  # 順位 (抵当権/根抵当権 only)
    name: str  # 債権者名
    kind: SecurityKind  # 担保種別
    principal: int = Field(ge=0)  # 元金残高 (差押: the tax claimed)
    damages: int = Field(default=0, ge=0)  # 損害金等 up to base_date
    base_date: date | None = None  # 基準日
    damage_rate: Decimal = Decimal(0)  # 損害金率, percent per year (14.6 = 14.6%)
    profile: str = "standard"  # プロファイル
    department: str | None = None  # 部署
    officer: str | None = None  # 担当者
    address: str | None = None
    phone: str | None = None
    priority: bool = False  # 優先 (差押 only)
    release_fee: int | None = Field(default=None, ge=0)  # 解除料 (negotiated ハンコ代/差押解除料)
    monthly_payment: int | None = Field(default=None, ge=0)  # 月返済額 (無担保 only)
    loan_number: str | None = None  # 債権番号 (the creditor's loan or file number)

    @property
    def is_lien(self) -> bool:
        return self.kind in LIEN_KINDS


class CostItem(Frozen):
    """費用 sheet row: an extra deduction (残置物撤去費, 測量費, …)."""

    row: int
    item: str
    amount: int = Field(ge=0)
    payee: str | None = None
    note: str | None = None


class Member(Frozen):
    """世帯 sheet row: a household member (the debtor included)."""

    row: int
    name: str
    relation: str  # 続柄
    age: int | None = Field(default=None, ge=0)
    occupation: str | None = None  # 職業・勤務先
    note: str | None = None


class BudgetLine(Frozen):
    """収支 sheet row: a monthly income or expense after the sale."""

    row: int
    side: BudgetSide
    category: str  # 費目
    detail: str | None = None  # 内容
    monthly: int = Field(ge=0)  # 月額
    note: str | None = None


class Asset(Frozen):
    """資産 sheet row."""

    row: int
    kind: AssetKind
    detail: str | None = None
    value: int = Field(ge=0)  # 評価額
    note: str | None = None


class Case(Frozen):
    """One validated 任意売却 case, as read from its workbook."""

    source: str  # file name of the workbook, for messages
    case_id: str  # 案件番号
    staff: str  # 担当者
    created: date | None = None  # 作成日 (default: the batch date, applied by compute/documents)
    debtor: Debtor
    co_debtors: str | None = None  # 連帯債務者・保証人
    property_kind: PropertyKind  # 物件種別
    appraisal: int = Field(ge=0)  # 査定価格
    appraisal_basis: str | None = None  # 査定根拠
    listing_price: int | None = Field(default=None, ge=0)  # 売出価格
    sale_price: int = Field(ge=0)  # 売却価格
    buyer: str | None = None  # 買主
    buyer_relation: BuyerRelation | None = None  # 買主との関係
    deposit: int | None = Field(default=None, ge=0)  # 手付金
    offer_date: date | None = None  # 買付日
    contract_date: date | None = None  # 契約予定日
    settlement_date: date  # 決済予定日
    handover_date: date | None = None  # 引渡予定日
    reply_deadline: date | None = None  # 回答期限 (asked of the creditors in every letter)
    property_tax_yearly: int | None = Field(default=None, ge=0)  # 固定資産税年額
    management_monthly: int | None = Field(default=None, ge=0)  # 管理費等月額
    management_arrears: int | None = Field(default=None, ge=0)  # 管理費等滞納額
    management_arrears_months: int | None = Field(default=None, ge=0)  # 管理費等滞納月数
    moving_requested: int | None = Field(default=None, ge=0)  # 引越費用希望額
    bankruptcy: bool = False  # 破産手続
    bankruptcy_case: BankruptcyInfo = BankruptcyInfo()  # 破産管財人, 破産事件番号, …
    auction: AuctionInfo = AuctionInfo()
    repayment_monthly_offer: int | None = Field(default=None, ge=0)  # 返済提案月額
    repayment_start: date | None = None  # 返済開始年月 (day is always 1)
    lump_sum_offer: int | None = Field(default=None, ge=0)  # 一括和解提案額
    units: tuple[PropertyUnit, ...]
    creditors: tuple[Creditor, ...]
    costs: tuple[CostItem, ...] = ()
    members: tuple[Member, ...] = ()
    budget: tuple[BudgetLine, ...] = ()
    assets: tuple[Asset, ...] = ()
    #: 所有者: empty when the debtor owns the property alone (the sheet absent or empty).
    owners: tuple[Owner, ...] = ()
    #: 交渉: each creditor's replies, one row per creditor per round (the sheet absent: none yet).
    negotiation: tuple[NegotiationRound, ...] = ()
    #: Where each value came from, so later stages can point staff at a cell. Keys: a 案件 field
    #: name ("sale_price") or "<sheet>:<row>:<field>" for table rows ("債権者:5:release_fee");
    #: values: the A1 cell ("B9", "N5"). Filled by validate.
    cells: dict[str, str] = Field(default_factory=dict)

    def cell_of(self, field: str, sheet: str = "案件", row: int | None = None) -> tuple[str, str | None]:
        """(sheet, A1 cell or None) of a value, for warnings that point at the cell to check."""
        key = field if row is None else f"{sheet}:{row}:{field}"
        return sheet, self.cells.get(key)

    @property
    def liens(self) -> tuple[Creditor, ...]:
        """抵当権/根抵当権 rows in 順位 order."""
        return tuple(sorted((c for c in self.creditors if c.is_lien), key=lambda c: c.rank or 0))

    @property
    def seizures(self) -> tuple[Creditor, ...]:
        return tuple(c for c in self.creditors if c.kind == "差押")

    @property
    def unsecured(self) -> tuple[Creditor, ...]:
        return tuple(c for c in self.creditors if c.kind == "無担保")

    def rounds_of(self, creditor: str) -> tuple[NegotiationRound, ...]:
        """The 交渉 rows of one creditor (by 債権者名), earliest round first."""
        return tuple(sorted((n for n in self.negotiation if n.creditor == creditor), key=lambda n: n.round))

    @property
    def first_lien(self) -> Creditor:
        """The 順位 1 lien (validation guarantees there is one)."""
        return next(c for c in self.liens if c.rank == 1)
