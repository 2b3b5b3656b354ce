"""The deductions (費用控除) of the 配分案, in the documents' order (docs/rules.md §1, 1–10).

Each rule is one function ``rule(ctx) -> (lines, warnings)``; ``RULES`` lists them in the order the
documents print them. Every line carries its payee and a ``basis`` text printed on the documents.
The numbers come from the governing profile (the 順位 1 holder's) and the configuration.

Decisions where the spec is silent:
- A negotiated 解除料 of a junior lien, like a 差押's, is never more than that lien's claim (so
  the waterfall share ``claim − ハンコ代`` cannot go negative); the basis text says so.
- A line whose amount comes out 0 (引越費用 under a cap of 0, a 解除料 of 0) is still listed, so
  the creditor sees the request and its outcome.
- 滞納管理費等 without 管理費等滞納月数: the arrears in full (the 60-month limit cannot be checked).
- 売買契約書印紙代 is looked up in the table for the 契約予定日, else the 決済予定日; the 1万円未満
  band is 0 (非課税).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipeline.compute.claims import Claim, is_first_holder
from pipeline.compute.figures import CaseWarning, Deduction
from pipeline.compute.money import exact, floor_yen, percent_text, yen, yen_text
from pipeline.compute.warnings import make_warning
from pipeline.config import Config, Profile, band_for
from pipeline.read.models import Case, Creditor

Lines = tuple[list[Deduction], list[CaseWarning]]


@dataclass(frozen=True)
class Context:
    """What every deduction rule reads."""

    case: Case
    config: Config
    profile: Profile
    claims: Mapping[int, Claim]


def brokerage_fee(price: int, config: Config) -> int:
    """仲介手数料 (legal maximum, 宅建業法46条・報酬告示; docs/rules.md §7) with 消費税, 切り捨て.

    ``fee = floor(P × rate) + plus`` for P's band, then ``fee + floor(fee × 消費税率)``.
    """
    band = band_for(config.brokerage.bands, price)
    fee = floor_yen(price * exact(band.rate)) + band.plus
    return fee + floor_yen(fee * exact(config.tax.consumption_rate))


def brokerage(ctx: Context) -> Lines:
    """1. 仲介手数料, paid to the company (the broker)."""
    price = ctx.case.sale_price
    band = band_for(ctx.config.brokerage.bands, price)
    plus = f"+{yen_text(band.plus)}" if band.plus else ""
    basis = (f"売却価格×{percent_text(band.rate)}%{plus}（税別）"
             f"+消費税{percent_text(ctx.config.tax.consumption_rate)}%")
    line = Deduction(code="brokerage", label="仲介手数料", payee=ctx.config.company.name,
                     amount=brokerage_fee(price, ctx.config), basis=basis)
    return [line], []


def registration(ctx: Context) -> Lines:
    """2. 抵当権等抹消費用: 登録免許税 1,000 × 不動産 u × liens n + 司法書士報酬 × n."""
    units, liens = len(ctx.case.units), len(ctx.case.liens)
    tax, fee = ctx.config.registration.tax_per_unit, ctx.profile.scrivener_fee_per_lien
    basis = (f"登録免許税{yen(tax)}×不動産{units}個×抵当権{liens}件"
             f"+司法書士報酬{yen(fee)}×{liens}件")
    line = Deduction(code="registration", label="抵当権等抹消費用", payee="司法書士",
                     amount=tax * units * liens + fee * liens, basis=basis)
    return [line], []


def auction_costs(ctx: Context) -> Lines:
    """3. 競売申立費用 when the case names a 申立債権者 (docs/rules.md §1, 3): what the applicant spent
    (its 競売申立費用, as given) and the 登録免許税 of the 差押登記抹消 on 取下げ, paid to it.

    On 取下げ the court's clerk commissions the cancellation of the 差押 registration, and its
    登録免許税 and other costs are the applicant's (民事執行法54条2項, 188条): 1,000円 per 不動産
    (登録免許税法 別表第一 1(15), ``[registration] tax_per_unit``), as for a 抵当権抹消.
    """
    applicant = ctx.case.auction.applicant
    if applicant is None:
        return [], []
    spent = ctx.case.auction.costs
    units, tax = len(ctx.case.units), ctx.config.registration.tax_per_unit
    cancellation = f"取下げ時の差押登記抹消の登録免許税{yen(tax)}×不動産{units}個"
    basis = (f"申立債権者の立替額{yen(spent)}+{cancellation}" if spent is not None
             else f"{cancellation}（競売申立費用は未入力）")
    line = Deduction(code="auction_costs", label="競売申立費用", payee=applicant,
                     amount=(spent or 0) + tax * units, basis=basis, creditor=applicant)
    return [line], []


def management_arrears(ctx: Context) -> Lines:
    """4. 滞納管理費等: the arrears, over the profile's months at most 管理費等月額 × months."""
    case, limit = ctx.case, ctx.profile.management_months
    arrears, months = case.management_arrears or 0, case.management_arrears_months
    if arrears <= 0:
        return [], []
    amount, warnings = arrears, []
    basis = f"滞納額（{months}か月分）" if months is not None else "滞納額"
    if months is not None and months > limit:
        if case.management_monthly is None:
            basis = f"滞納額全額（{months}か月分、管理費等月額なし）"
            warnings.append(make_warning("management_monthly_missing",
                                         case.cell_of("management_monthly"),
                                         months=months, limit=limit, arrears=arrears))
        else:
            amount = min(arrears, case.management_monthly * limit)
            basis = f"管理費等月額{yen(case.management_monthly)}×{limit}か月まで"
    line = Deduction(code="management_arrears", label="滞納管理費等", payee="管理組合",
                     amount=amount, basis=basis)
    return [line], warnings


def seizure_release(ctx: Context) -> Lines:
    """5. 差押解除料 per 差押: its 解除料; else 優先 → full claim; else min(cap, 固定資産税年額).

    Never more than the seizure's claim. Source: docs/rules.md §7 公租公課 (JHF standard).
    """
    lines, warnings = [], []
    for seizure in ctx.case.seizures:
        amount, basis, warning = _seizure_fee(ctx, seizure)
        amount, basis = _at_most_claim(ctx, seizure, amount, basis)
        lines.append(Deduction(code="seizure_release", label="差押解除料", payee=seizure.name,
                               amount=amount, basis=basis, creditor=seizure.name,
                               row=seizure.row))
        warnings += [warning] if warning else []
    return lines, warnings


def _seizure_fee(ctx: Context, seizure: Creditor) -> tuple[int, str, CaseWarning | None]:
    cap, tax = ctx.profile.seizure_release_cap, ctx.case.property_tax_yearly
    if seizure.release_fee is not None:
        return seizure.release_fee, "交渉済みの解除料", None
    if seizure.priority:
        return ctx.claims[seizure.row].total, "優先する租税の全額", None
    if tax is None:
        warning = make_warning("property_tax_missing", ctx.case.cell_of("property_tax_yearly"),
                               creditor=seizure.name, cap=cap)
        return cap, f"{yen_text(cap)}（固定資産税年額不明）", warning
    return min(cap, tax), f"{yen_text(cap)}と固定資産税年額{yen(tax)}の低い方", None


def _at_most_claim(ctx: Context, creditor: Creditor, amount: int, basis: str) -> tuple[int, str]:
    """A release fee is never more than the creditor's claim at settlement (docs/rules.md §1, 5)."""
    claim = ctx.claims[creditor.row].total
    return (claim, basis + "（請求額まで）") if amount > claim else (amount, basis)


def hanko_guideline(rank: int, principal: int, profile: Profile) -> int:
    """抹消承諾料（ハンコ代）の目安: min(cap(順位), floor(元金残高 × 10%)).

    Source: docs/rules.md §7, the 住宅金融支援機構 (JHF) guideline — 第2順位 30万円, 第3順位 20万円,
    第4順位以下 10万円, and never more than 1割 of that lien's 残元金. The caps and the ratio are
    the profile's ``hanko_caps_by_rank`` and ``hanko_principal_ratio`` (defaults.toml, and a
    staff member's ninbai.toml overrides them without touching code).
    """
    return min(profile.hanko_cap(rank), floor_yen(principal * exact(profile.hanko_principal_ratio)))


def junior_release(ctx: Context) -> Lines:
    """6. ハンコ代 for each lien of 順位 ≥ 2 not held by the 順位 1 holder (its 解除料 if given)."""
    lines, warnings = [], []
    for lien in ctx.case.liens:
        if (lien.rank or 0) < 2 or is_first_holder(ctx.case, lien):
            continue
        guideline = hanko_guideline(lien.rank or 0, lien.principal, ctx.profile)
        amount, basis = guideline, _hanko_basis(lien, ctx.profile)
        if lien.release_fee is not None:
            amount, basis = lien.release_fee, "交渉済みの解除料"
            if amount > guideline:
                warnings.append(make_warning(
                    "release_fee_above_guideline", ctx.case.cell_of("release_fee", "債権者", lien.row),
                    creditor=lien.name, rank=lien.rank, fee=amount, guideline=guideline))
        amount, basis = _at_most_claim(ctx, lien, amount, basis)
        lines.append(Deduction(code="junior_release", label="抹消承諾料（ハンコ代）",
                               payee=lien.name, amount=amount, basis=basis,
                               creditor=lien.name, row=lien.row))
    return lines, warnings


def _hanko_basis(lien: Creditor, profile: Profile) -> str:
    cap = profile.hanko_cap(lien.rank or 0)
    ratio = percent_text(profile.hanko_principal_ratio)
    return f"第{lien.rank}順位 {yen_text(cap)}と元金残高の{ratio}%の低い方"


def bankruptcy_estate(ctx: Context) -> Lines:
    """7. 破産財団組入金 if 破産手続 あり: floor(P × ratio) (docs/rules.md §7: ≤3% of the price)."""
    if not ctx.case.bankruptcy:
        return [], []
    ratio = ctx.profile.bankruptcy_estate_ratio
    line = Deduction(code="bankruptcy_estate", label="破産財団組入金", payee="破産管財人",
                     amount=floor_yen(ctx.case.sale_price * exact(ratio)),
                     basis=f"売却価格×{percent_text(ratio)}%")
    return [line], []


def moving(ctx: Context) -> Lines:
    """8. 引越費用 if asked for: min(希望額, the profile's cap; the bankrupt cap if 破産手続 あり)."""
    requested = ctx.case.moving_requested or 0
    if requested <= 0:
        return [], []
    bankrupt = ctx.case.bankruptcy
    cap = ctx.profile.moving_cap_bankrupt if bankrupt else ctx.profile.moving_cap
    warnings = []
    if requested > cap:
        warnings.append(make_warning("moving_reduced", ctx.case.cell_of("moving_requested"),
                                     requested=requested, cap=cap, profile=ctx.profile.label))
    basis = f"希望額{yen(requested)}（上限{yen(cap)}{'・破産手続中' if bankrupt else ''}）"
    line = Deduction(code="moving", label="引越費用", payee="債務者",
                     amount=min(requested, cap), basis=basis)
    return [line], warnings


def stamp_duty(ctx: Context) -> Lines:
    """9. 売買契約書印紙代 where the profile allows it: reduced table to 2027-03-31 (docs/rules.md §7)."""
    if not ctx.profile.stamp_duty_deductible:
        return [], []
    table = ctx.config.stamp_duty
    day = ctx.case.contract_date or ctx.case.settlement_date
    reduced = day <= table.reduced_until
    band = band_for(table.reduced if reduced else table.ordinary, ctx.case.sale_price)
    basis = f"売買契約書の印紙税（{'軽減税率' if reduced else '本則税率'}）"
    line = Deduction(code="stamp_duty", label="売買契約書印紙代", payee="収入印紙",
                     amount=band.duty, basis=basis)
    return [line], []


def other_costs(ctx: Context) -> Lines:
    """10. Each 費用 row as entered; every one needs the creditor's approval."""
    lines, warnings = [], []
    for cost in ctx.case.costs:
        lines.append(Deduction(code="other", label=cost.item, payee=cost.payee or "",
                               amount=cost.amount, basis=cost.note or "", row=cost.row))
        warnings.append(make_warning("other_cost_needs_approval",
                                     ctx.case.cell_of("amount", "費用", cost.row),
                                     item=cost.item, amount=cost.amount))
    return lines, warnings


#: The deductions in the order of the spec and of the documents.
RULES: tuple[Callable[[Context], Lines], ...] = (
    brokerage, registration, auction_costs, management_arrears, seizure_release, junior_release,
    bankruptcy_estate, moving, stamp_duty, other_costs,
)


def all_deductions(ctx: Context) -> tuple[tuple[Deduction, ...], tuple[CaseWarning, ...]]:
    """Every deduction line and the warnings they raise, in the documents' order."""
    lines: list[Deduction] = []
    warnings: list[CaseWarning] = []
    for rule in RULES:
        found, raised = rule(ctx)
        lines += found
        warnings += raised
    return tuple(lines), tuple(warnings)
