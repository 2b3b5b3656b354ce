"""期限: which dates of a case are open (case_deadlines) and which are due from a day
(due_deadlines): the window's edges, overdue per kind, same-day ties, soonest first."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compute.builder import lien, make_case, seizure
from pipeline.compute.deadlines import (
    DEFAULT_DAYS,
    Deadline,
    Due,
    case_deadlines,
    day_text,
    due_deadlines,
)
from pipeline.read.models import NegotiationRound

TODAY = date(2026, 11, 30)


def reply(creditor: str, round_: int, deadline: date | None, answer: str = "回答待ち",
          row: int = 2) -> NegotiationRound:
    return NegotiationRound(row=row, creditor=creditor, round=round_, reply_deadline=deadline,
                            reply=answer)  # type: ignore[arg-type]


def item(kind: str, day: date, creditor: str | None = None) -> Deadline:
    return Deadline(kind, kind, day, creditor)


def kinds_and_dates(items) -> list[tuple[str, date, str | None]]:
    return [(d.kind, d.date, d.creditor) for d in items]


# ---------------------------------------------------------------------------------------------
# case_deadlines
# ---------------------------------------------------------------------------------------------


def test_a_case_without_negotiation_lists_its_own_dates():
    case = make_case(reply_deadline=date(2026, 12, 10), settlement_date=date(2027, 1, 29),
                     auction={"bidding_start": date(2027, 1, 6), "opening_date": date(2027, 1, 20)})
    assert kinds_and_dates(case_deadlines(case)) == [
        ("reply_deadline", date(2026, 12, 10), None),
        ("bidding_start", date(2027, 1, 6), None),
        ("opening_date", date(2027, 1, 20), None),
        ("settlement_date", date(2027, 1, 29), None)]
    assert [d.label for d in case_deadlines(case)] == ["回答期限", "入札期間開始日", "開札期日",
                                                       "決済予定日"]


def test_only_replies_still_awaited_are_open():
    bank, city = "東都みらい銀行", "港区役所"
    case = make_case(creditors=[lien(1, bank, 10_000_000), seizure(city, 300_000)],
                     reply_deadline=None, negotiation=(
                         reply(bank, 1, date(2026, 10, 31), "条件付同意", row=2),
                         reply(city, 1, date(2026, 10, 31), "回答待ち", row=3),
                         reply(bank, 2, date(2026, 12, 4), "回答待ち", row=4),
                         reply(city, 2, None, "回答待ち", row=5)))  # no 回答期限: nothing to watch
    replies = [d for d in case_deadlines(case) if d.kind == "reply_deadline"]
    assert [(d.label, d.date, d.creditor) for d in replies] == [
        ("回答期限（第1回）", date(2026, 10, 31), city),
        ("回答期限（第2回）", date(2026, 12, 4), bank)]


def test_the_case_reply_deadline_gives_way_when_every_creditor_tracks_it():
    bank, city = "東都みらい銀行", "港区役所"
    deadline = date(2026, 12, 10)
    creditors = [lien(1, bank, 10_000_000), seizure(city, 300_000)]
    both = (reply(bank, 1, deadline, "同意", row=2), reply(city, 1, deadline, row=3))
    case = make_case(creditors=creditors, reply_deadline=deadline, negotiation=both)
    # the bank answered; only the city's row is open, and the case-wide item is not repeated
    assert [(d.kind, d.creditor) for d in case_deadlines(case) if d.kind == "reply_deadline"] \
        == [("reply_deadline", city)]
    one = make_case(creditors=creditors, reply_deadline=deadline, negotiation=both[1:])
    # the bank has no row for it: the letters' 回答期限 still stands for the case
    assert [(d.kind, d.creditor) for d in case_deadlines(one) if d.kind == "reply_deadline"] \
        == [("reply_deadline", None), ("reply_deadline", city)]


def test_deadline_json_round_trip_and_refusal():
    d = Deadline("reply_deadline", "回答期限（第2回）", date(2026, 12, 4), "東都みらい銀行")
    assert d.to_json() == {"kind": "reply_deadline", "label": "回答期限（第2回）",
                           "date": "2026-12-04", "creditor": "東都みらい銀行"}
    assert Deadline.from_json(d.to_json()) == d
    with pytest.raises(ValueError):
        Deadline.from_json({**d.to_json(), "kind": "coffee_break"})
    with pytest.raises(ValueError):
        Deadline.from_json({**d.to_json(), "date": "2026-13-01"})


# ---------------------------------------------------------------------------------------------
# due_deadlines
# ---------------------------------------------------------------------------------------------


def test_window_edges_today_and_the_last_day_are_in_the_day_after_is_not():
    items = [item("settlement_date", TODAY + timedelta(days=n)) for n in (0, 29, 30, 31)]
    due = due_deadlines([("A", items)], TODAY, 30)
    assert [d.days for d in due] == [0, 29, 30]
    assert [d.when for d in due] == ["今日", "あと29日", "あと30日"]
    assert [d.days for d in due_deadlines([("A", items)], TODAY, 0)] == [0]
    assert DEFAULT_DAYS == 30


def test_overdue_depends_on_the_kind():
    yesterday = TODAY - timedelta(days=1)
    items = [item(kind, yesterday) for kind in
             ("reply_deadline", "bidding_start", "opening_date", "settlement_date")]
    due = due_deadlines([("A", items)], TODAY, 30)
    # a passed 入札期間開始日 or 開札期日 is a fact, not a deadline; the other two are overdue
    assert [(d.deadline.kind, d.days, d.overdue, d.when) for d in due] == [
        ("reply_deadline", -1, True, "1日経過"), ("settlement_date", -1, True, "1日経過")]


def test_overdue_come_first_most_overdue_first_then_soonest():
    due = due_deadlines([
        ("B", [item("settlement_date", TODAY + timedelta(days=3))]),
        ("A", [item("reply_deadline", TODAY - timedelta(days=2), "銀行"),
               item("reply_deadline", TODAY - timedelta(days=40), "市役所")]),
        ("C", [item("opening_date", TODAY)]),
    ], TODAY, 30)
    assert [(d.case_id, d.days) for d in due] == [("A", -40), ("A", -2), ("C", 0), ("B", 3)]


def test_same_day_ties_by_kind_then_case_then_the_cases_order():
    day = TODAY + timedelta(days=5)
    due = due_deadlines([
        ("2026-0190", [item("settlement_date", day), item("reply_deadline", day, "乙銀行"),
                       item("reply_deadline", day, "甲銀行")]),
        ("2026-0142", [item("opening_date", day), item("reply_deadline", day, "丙保証")]),
    ], TODAY, 30)
    assert [(d.case_id, d.deadline.kind, d.deadline.creditor) for d in due] == [
        ("2026-0142", "reply_deadline", "丙保証"),
        ("2026-0190", "reply_deadline", "乙銀行"),  # the case's own order (交渉 rows as on the sheet)
        ("2026-0190", "reply_deadline", "甲銀行"),
        ("2026-0142", "opening_date", None),
        ("2026-0190", "settlement_date", None)]


def test_due_json_and_day_text():
    due = Due("2026-0142", item("reply_deadline", date(2026, 12, 5), "銀行"), 5)
    assert due.to_json() == {"case_id": "2026-0142", "kind": "reply_deadline",
                             "label": "reply_deadline", "date": "2026-12-05", "creditor": "銀行",
                             "days": 5, "overdue": False}
    assert day_text(date(2026, 12, 5)) == "2026年12月5日（土）"
    assert day_text(date(2027, 1, 4)) == "2027年1月4日（月）"


@given(st.lists(st.tuples(st.sampled_from(["reply_deadline", "bidding_start", "opening_date",
                                           "settlement_date"]),
                          st.integers(min_value=-60, max_value=90)), max_size=20),
       st.integers(min_value=0, max_value=60))
def test_selection_is_sorted_and_exactly_the_rule(entries, days):
    items = [item(kind, TODAY + timedelta(days=n)) for kind, n in entries]
    due = due_deadlines([("A", items)], TODAY, days)
    assert [d.deadline.date for d in due] == sorted(d.deadline.date for d in due)
    expected = sum(n <= days and (n >= 0 or kind in ("reply_deadline", "settlement_date"))
                   for kind, n in entries)
    assert len(due) == expected
