"""The creditors' answers (交渉) against the 配分案 (docs/rules.md §5, "The 交渉 sheet").

Each creditor's standing answer is read from its latest round: for 最低売却価格, 抹消承諾料 and
引越費用, the latest round that records a value (a round-2 letter still 回答待ち leaves the
round-1 floor standing: the creditor has not moved); for the reply deadline, the latest round
itself (an unanswered round 1 is moot once round 2 went out). The answers never change a figure:
they are compared with the 配分案 and staff decide what to enter.

Severities: a price below a creditor's floor is ``high`` (that creditor will refuse, whatever
the rest of the proposal says); a demand the 配分案 does not meet is ``warn`` (the first lien can
still agree to a higher ハンコ代, or the debtor to less 引越費用); a 減額 of the 引越費用 is
``info`` (a reminder: the reduced amount has no column of its own, staff enter it as the
引越費用希望額 and the answer stays 減額); an overdue reply is ``warn``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pipeline.compute.figures import CaseWarning, SaleDistribution
from pipeline.compute.money import yen
from pipeline.compute.warnings import make_warning
from pipeline.eras import date_text
from pipeline.read.models import Case, NegotiationRound
from pipeline.read.schema import NEGOTIATION


def standing(rounds: tuple[NegotiationRound, ...], field: str) -> NegotiationRound | None:
    """The latest round (回) that records ``field`` (最低売却価格, 抹消承諾料, 引越費用), or None."""
    return next((r for r in reversed(rounds) if getattr(r, field) is not None), None)


def allocated(sale: SaleDistribution, creditor: str) -> int:
    """配分額 of a creditor in the 配分案: what each of its lien and 差押 rows receives (ハンコ代 +
    waterfall share; 差押解除料 + 剰余からの配分). A 無担保 creditor is given nothing."""
    return (sum(lien.received for lien in sale.liens if lien.creditor == creditor)
            + sum(s.received for s in sale.seizures if s.creditor == creditor))


def negotiation_checks(case: Case, sale: SaleDistribution, batch_date: date
                       ) -> tuple[CaseWarning, ...]:
    """Every 交渉 warning, creditor by creditor in 債権者 sheet order."""
    found: list[CaseWarning] = []
    for creditor in dict.fromkeys(c.name for c in case.creditors):
        rounds = case.rounds_of(creditor)
        if rounds:
            found += floor_check(case, rounds)
            found += release_fee_check(case, sale, rounds)
            found += moving_check(case, sale, rounds)
            found += overdue_check(case, rounds[-1], batch_date)
    return tuple(found)


def floor_check(case: Case, rounds: tuple[NegotiationRound, ...]) -> list[CaseWarning]:
    """below_creditor_floor: 売却価格 below the standing 最低売却価格 (at the floor is fine)."""
    answer = standing(rounds, "floor_price")
    if answer is None or answer.floor_price is None or case.sale_price >= answer.floor_price:
        return []
    return [make_warning("below_creditor_floor", _where(case, answer, "floor_price"),
                         creditor=answer.creditor, round=answer.round, floor=answer.floor_price,
                         price=case.sale_price, short=answer.floor_price - case.sale_price)]


def release_fee_check(case: Case, sale: SaleDistribution, rounds: tuple[NegotiationRound, ...]
                      ) -> list[CaseWarning]:
    """condition_not_met: a demanded 抹消承諾料 above the creditor's 配分額 (equal is met)."""
    answer = standing(rounds, "release_fee_demand")
    if answer is None or answer.release_fee_demand is None:
        return []
    given = allocated(sale, answer.creditor)
    if answer.release_fee_demand <= given:
        return []
    demand = answer.release_fee_demand
    return [_condition(case, answer, "release_fee_demand",
                       f"抹消承諾料{yen(demand)}の要求に対し、配分案の配分額は{yen(given)}です"
                       f"（{yen(demand - given)}不足）",
                       "第1順位の債権者と調整し、合意した額を債権者シートの解除料に入力してください")]


def moving_check(case: Case, sale: SaleDistribution, rounds: tuple[NegotiationRound, ...]
                 ) -> list[CaseWarning]:
    """引越費用 answered 不可 (condition_not_met) or 減額 (moving_reduction_requested) while the
    配分案 deducts 引越費用."""
    answer = standing(rounds, "moving_cost")
    amount = sum(d.amount for d in sale.deductions if d.code == "moving")
    if answer is None or amount <= 0 or answer.moving_cost == "可":
        return []
    if answer.moving_cost == "不可":
        return [_condition(case, answer, "moving_cost",
                           f"引越費用は「不可」との回答ですが、配分案に引越費用{yen(amount)}を"
                           "控除しています",
                           "債権者と再度調整するか、案件シートの引越費用希望額を見直してください")]
    return [make_warning("moving_reduction_requested", _where(case, answer, "moving_cost"),
                         creditor=answer.creditor, round=answer.round, amount=amount)]


def overdue_check(case: Case, latest: NegotiationRound, batch_date: date) -> list[CaseWarning]:
    """reply_overdue: the latest round's 回答期限 before the batch date, still 回答待ち."""
    deadline = latest.reply_deadline
    if latest.reply != "回答待ち" or deadline is None or deadline >= batch_date:
        return []
    return [make_warning("reply_overdue", _where(case, latest, "reply_deadline"),
                         creditor=latest.creditor, round=latest.round,
                         deadline=date_text(deadline), today=date_text(batch_date),
                         days=(batch_date - deadline).days)]


def _condition(case: Case, answer: NegotiationRound, field: str, condition: str,
               action: str) -> CaseWarning:
    facts: dict[str, Any] = {"creditor": answer.creditor, "round": answer.round,
                             "condition": condition, "action": action}
    return make_warning("condition_not_met", _where(case, answer, field), **facts)


def _where(case: Case, answer: NegotiationRound, field: str) -> tuple[str, str | None]:
    return case.cell_of(field, NEGOTIATION.sheet, answer.row)
