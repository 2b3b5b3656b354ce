"""The warning catalogue of rules v1 (docs/rules.md §5): code, severity, message for staff.

A warning never stops the documents; it is shown in the review. Codes are stable (case.json and
tests use them); messages are Japanese, carry the figures, say what to check and end with the
sheet/cell to look at. Every rule module raises its warnings through ``make_warning`` so the
wording and the severities stay in this one table.

Severities (the spec leaves them to us):
- ``high``: the proposal cannot go out as it is — the deductions eat the whole price, the price is
  below the court's 買受可能価額 or below a creditor's recorded 最低売却価格, the 順位 1 holder does
  better at auction, or the settlement falls on or after the 開札期日 (the auction can no longer
  be withdrawn).
- ``info``: ``other_cost_needs_approval`` — an ordinary step of every case with a 費用 row;
  ``procedure_cost_court_unknown`` — the 予納金 of an auction case comes from the shipped table,
  not its court's: it moves the auction estimate by a few hundred thousand yen at most, and the
  documents print which table was used; ``moving_reduction_requested`` — a reminder that the
  引越費用 a creditor asked to reduce is entered by staff (pipeline.compute.negotiation).
- ``warn``: everything else — staff must check a figure or a date, but the proposal stands.
"""

from __future__ import annotations

import string
from types import MappingProxyType
from typing import Any, NamedTuple

from pipeline.compute.figures import CaseWarning, WarningSeverity
from pipeline.compute.money import yen


class Rule(NamedTuple):
    severity: WarningSeverity
    title: str  # short, with no names or figures: safe for terminals and logs
    template: str  # str.format template; facts are substituted, never re-parsed; {x:yen} = 金額


CATALOGUE = MappingProxyType({
    "deductions_exceed_price": Rule(
        "high", "控除費用が売却価格を超過",
        "控除費用の合計{total:yen}が売却価格{price:yen}を{short:yen}上回ります。"
        "配分原資は0円として計算しました。売却価格と控除費用を確認してください。"),
    "not_overloan": Rule(
        "warn", "剰余金あり（オーバーローンでない可能性）",
        "全ての抵当権者に全額を配分しても{left:yen}が残ります（うち差押の残額へ{seized:yen}、"
        "剰余金として債務者へ{surplus:yen}）。"
        "オーバーローンでない可能性があり、任意売却が必要か確認してください。"),
    "price_below_min_bid": Rule(
        "high", "売却価格が買受可能価額未満",
        "売却価格{price:yen}が買受可能価額{min_bid:yen}を下回ります。"
        "債権者の同意は得にくいため、売却価格を確認してください。"),
    "auction_better_for_first_lien": Rule(
        "high", "第1順位は競売の方が有利",
        "第1順位の{creditor}は競売の方が{gap:yen}多く回収できる見込みです"
        "（売却{sale:yen}・競売{auction:yen}）。売却価格と控除費用を見直してください。"),
    "moving_reduced": Rule(
        "warn", "引越費用を上限まで減額",
        "引越費用の希望額{requested:yen}は上限{cap:yen}（債権者プロファイル: {profile}）に減額しました。"
        "債務者に説明してください。"),
    "release_fee_above_guideline": Rule(
        "warn", "解除料が抹消承諾料の目安を超過",
        "{creditor}（第{rank}順位）の解除料{fee:yen}は抹消承諾料の目安{guideline:yen}を"
        "上回ります。第1順位債権者が認めるか確認してください。"),
    "property_tax_missing": Rule(
        "warn", "固定資産税年額なし（差押解除料は上限額）",
        "{creditor}の差押解除料は固定資産税年額がないため{cap:yen}としました。"
        "固定資産税年額か解除料を入力してください。"),
    "management_monthly_missing": Rule(
        "warn", "管理費等月額なし（滞納額を全額控除）",
        "管理費等の滞納は{months}か月で上限{limit}か月を超えますが、管理費等月額がないため"
        "滞納額{arrears:yen}を全額控除しました。管理費等月額を入力してください。"),
    "other_cost_needs_approval": Rule(
        "info", "その他費用は債権者の承認が必要",
        "費用「{item}」{amount:yen}は債権者の承認が必要です。承認を得たか確認してください。"),
    "no_repayment_capacity": Rule(
        "warn", "返済余力なし",
        "月々の収支の余剰が{surplus:yen}で、最低返済額{minimum:yen}に届きません。"
        "自己破産・個人再生も含めて検討してください。"),
    "no_housing_cost": Rule(
        "warn", "住居費の行なし",
        "収支に住居費（売却後の家賃）の行がありません。転居後の住居費を入力してください。"),
    "repayment_exceeds_surplus": Rule(
        "warn", "返済提案月額が余剰を超過",
        "返済提案月額{offer:yen}が月々の余剰{surplus:yen}を上回ります。"
        "返済を続けられる額か確認してください。"),
    "procedure_cost_court_unknown": Rule(
        "info", "執行裁判所の予納金の表なし（既定の表で計算）",
        "{reason}ため、競売の手続費用は{table}{cost:yen}で計算しました。"
        "執行裁判所の名前と予納金を確認してください（事務所の設定に裁判所の表を追加できます）。"),
    "settlement_after_opening": Rule(
        "high", "決済予定日が開札期日以降",
        "決済予定日{settlement}が開札期日{opening}以降です。競売を取り下げられないため、"
        "決済日を確認してください。"),
    "settlement_close_to_opening": Rule(
        "warn", "決済予定日が開札期日に近い",
        "決済予定日{settlement}が開札期日{opening}の{days}日前より後です。"
        "取下げに間に合うか日程を確認してください。"),
    "settlement_after_bidding_starts": Rule(
        "warn", "決済予定日が入札期間開始日以降",
        "決済予定日{settlement}が入札期間開始日{bidding}以降です。"
        "入札開始前に決済できるよう日程を確認してください。"),
    "listing_above_market": Rule(
        "warn", "売出価格が査定価格を大きく超過",
        "売出価格{listing:yen}が査定価格{appraisal:yen}の{ratio}%を超えています。"
        "売れ残るおそれがあるため売出価格を見直してください。"),
    "settlement_in_past": Rule(
        "warn", "決済予定日が作成日より前",
        "決済予定日{settlement}が作成日{created}より前です。日付を確認してください。"),
    # 交渉 (pipeline.compute.negotiation): each creditor's standing answer against the 配分案.
    "below_creditor_floor": Rule(
        "high", "売却価格が債権者の最低売却価格未満",
        "売却価格{price:yen}が{creditor}の最低売却価格{floor:yen}（第{round}回の回答）を"
        "{short:yen}下回ります。このままでは同意を得られないため、売却価格を見直すか債権者と"
        "調整してください。"),
    "condition_not_met": Rule(
        "warn", "債権者の条件を配分案が満たしていない",
        "{creditor}の第{round}回の回答の条件を配分案が満たしていません: {condition}。{action}。"),
    "moving_reduction_requested": Rule(
        "info", "引越費用の減額を求める回答",
        "{creditor}は第{round}回の回答で引越費用の減額を求めています。配分案の引越費用"
        "{amount:yen}が合意した額か確認し、違えば案件シートの引越費用希望額に入力してください。"),
    "reply_overdue": Rule(
        "warn", "回答期限を過ぎても回答待ち",
        "{creditor}の第{round}回の回答期限{deadline}を過ぎています（{today}時点で{days}日経過、"
        "回答待ち）。債権者に回答を催促してください。"),
})

Where = tuple[str, str | None]


def warning_title(code: str) -> str:
    """The short, figure-free title of a catalogue code (the code itself for other codes)."""
    rule = CATALOGUE.get(code)
    return rule.title if rule else code


class _MessageFormatter(string.Formatter):
    """str.format, plus ``{amount:yen}``: the one money formatter (negative → △12,000円)."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        return yen(value) if format_spec == "yen" else super().format_field(value, format_spec)


_MESSAGES = _MessageFormatter()


def make_warning(code: str, where: Where | None = None, **facts: object) -> CaseWarning:
    """The catalogue's warning ``code`` with its facts filled in and the place to look appended."""
    rule = CATALOGUE[code]
    message = _MESSAGES.format(rule.template, **facts)
    sheet, cell = where if where else (None, None)
    if sheet:
        message += f"（確認: {sheet}!{cell}）" if cell else f"（確認: {sheet}シート）"
    return CaseWarning(code=code, severity=rule.severity, message=message, sheet=sheet, cell=cell)
