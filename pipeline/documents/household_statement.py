"""02 生活状況表 (household_statement): one per case, not addressed.

The household, income and expenses by 費目 with subtotals, the surplus, assets and other debts.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.compute.figures import (
    BudgetSubtotal,
)
from pipeline.documents.common import (
    HOUSEHOLD_STATEMENT,
    BaseView,
    CaseCommon,
    CompanyBlock,
    DebtorBlock,
)
from pipeline.documents.format import (
    DASH,
    clean_text,
    yen,
)
from pipeline.read.models import Asset, BudgetLine, Case, Creditor, Member


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
class HouseholdStatementView(BaseView):
    """02 生活状況表: one per case (attached to every letter; no addressee)."""

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
    other_debts_monthly_total_text: str  # "—" when no row gives a 月返済額
    #: The creditor names that get this statement (recipients.py; docs/outputs.md).
    recipients: tuple[str, ...] = ()
    #: The 備考 of 世帯 and 収支 (health, family notes) are printed only when the office enables
    #: [documents] household_remarks; otherwise the notes are "" and the column is left out.
    show_remarks: bool = False



# --- 02 household_statement ------------------------------------------------------------------


def build_household_statement(common: CaseCommon,
                              recipients: tuple[str, ...] = ()) -> HouseholdStatementView:
    """生活状況表 of the case (docs/rules.md §3): members, budget by 費目, assets, other debts —
    the 無担保 rows and the tax a 差押 leaves unpaid after the sale (滞納税等)."""
    case, h = common.case, common.figures.household
    remarks = common.config.documents.household_remarks
    debts = tuple(debt_row(c) for c in case.unsecured) + unpaid_tax_rows(common)
    debts_total = sum(d.remaining for d in debts)
    return HouseholdStatementView(
        **common.header(HOUSEHOLD_STATEMENT), addressee="",
        members=tuple(member_row(m, remarks) for m in case.members),
        income_groups=budget_groups(case, h.income_subtotals, remarks),
        expense_groups=budget_groups(case, h.expense_subtotals, remarks),
        income=h.income, income_text=yen(h.income), expenses=h.expenses,
        expenses_text=yen(h.expenses), surplus=h.surplus, surplus_text=yen(h.surplus),
        surplus_negative=h.surplus < 0,
        assets=tuple(asset_row(a) for a in case.assets), assets_total=h.assets_total,
        assets_total_text=yen(h.assets_total), other_debts=debts,
        other_debts_total=debts_total, other_debts_total_text=yen(debts_total),
        other_debts_monthly_total=h.unsecured_monthly_total,
        other_debts_monthly_total_text=_monthly_total_text(debts, h.unsecured_monthly_total),
        recipients=tuple(clean_text(r) for r in recipients), show_remarks=remarks)


#: The creditor column of a tax left unpaid after the sale.
UNPAID_TAX = "{name}（滞納税等 売却後の残額）"


def unpaid_tax_rows(common: CaseCommon) -> tuple[DebtRow, ...]:
    """Each 差押 with a 残額 after the sale, as an other debt (no 月返済額 agreed yet)."""
    return tuple(DebtRow(UNPAID_TAX.format(name=clean_text(s.creditor)), s.remaining,
                         yen(s.remaining), None, yen(None))
                 for s in common.figures.sale.seizures if s.remaining > 0)


def _monthly_total_text(debts: tuple[DebtRow, ...], total: int) -> str:
    """「—」 when no 無担保 row gives a 月返済額 (a 0円 total would read as 「nothing to pay」)."""
    return yen(total) if any(d.monthly is not None for d in debts) else DASH


def member_row(m: Member, remarks: bool = True) -> MemberRow:
    age_text = f"{m.age}歳" if m.age is not None else ""
    return MemberRow(clean_text(m.name), clean_text(m.relation), m.age, age_text,
                     clean_text(m.occupation), clean_text(m.note) if remarks else "")


def budget_groups(case: Case, subtotals: tuple[BudgetSubtotal, ...],
                  remarks: bool = True) -> tuple[BudgetGroup, ...]:
    """One group per 費目 in the order the computation gives (the contract's 費目 order); its lines
    are the 収支 rows the subtotal was made of, so lines and subtotal always agree."""
    by_row = {line.row: line for line in case.budget}
    groups = []
    for sub in subtotals:
        lines = tuple(_budget_line(by_row[r], remarks) for r in sub.rows if r in by_row)
        if lines:
            groups.append(BudgetGroup(sub.side, sub.category, lines, sub.amount, yen(sub.amount)))
    return tuple(groups)


def _budget_line(line: BudgetLine, remarks: bool = True) -> BudgetLineRow:
    return BudgetLineRow(clean_text(line.detail), line.monthly, yen(line.monthly),
                         clean_text(line.note) if remarks else "")


def asset_row(a: Asset) -> AssetRow:
    return AssetRow(a.kind, clean_text(a.detail), a.value, yen(a.value), clean_text(a.note))


def debt_row(c: Creditor) -> DebtRow:
    """無担保 debt: 残高 as stated (元金残高 + 損害金等; no accrual is computed for these)."""
    remaining = c.principal + c.damages
    return DebtRow(clean_text(c.name), remaining, yen(remaining), c.monthly_payment,
                   yen(c.monthly_payment))


