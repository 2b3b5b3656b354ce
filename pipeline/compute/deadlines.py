"""期限 (deadlines): the dates of a case staff must act on, and which of them are due.

Two pure steps, shared by ``ninbai deadlines``, the review page and the web server:

- ``case_deadlines(case)``: the case's open deadline items, whatever today is — the 回答期限 still
  awaiting a reply, the auction's 入札期間開始日 and 開札期日, and the 決済予定日. They are stored
  in case.json (``deadlines``) so a reader of a built case needs no workbook.
- ``due_deadlines(cases, today, days)``: of those items, the ones in the next ``days`` days
  (today included) and the overdue ones, soonest first.

What "overdue" means depends on the kind (docs/cli.md ``ninbai deadlines``):

- 回答期限 passed while the reply is still 回答待ち: overdue (chase the creditor);
- 決済予定日 passed while the workbook still says 予定: overdue (settled: archive the workbook;
  slipped: enter the new date);
- 入札期間開始日 and 開札期日 passed: no longer deadlines but facts of the auction — dropped from
  the listing (a 開札 that has happened is for the case's staff, not a date to watch).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pipeline.eras import date_text

if TYPE_CHECKING:  # manifest.json's reader uses Deadline without loading the models (pydantic)
    from pipeline.read.models import Case

#: The window of ``ninbai deadlines`` and of the review page: the next 30 days.
DEFAULT_DAYS = 30

#: Kinds, in the order same-day items of one case are listed; and their Japanese labels.
KIND_LABELS: dict[str, str] = {
    "reply_deadline": "回答期限",
    "bidding_start": "入札期間開始日",
    "opening_date": "開札期日",
    "settlement_date": "決済予定日",
}
#: The kinds still to act on once their date has passed (the others are then facts).
OVERDUE_KINDS = frozenset({"reply_deadline", "settlement_date"})


@dataclass(frozen=True)
class Deadline:
    """One open deadline of a case (期限): kind, Japanese label, date, creditor or None."""

    kind: str
    label: str
    date: date
    creditor: str | None = None  # 債権者名 of a 交渉 row; None for the case's own dates

    def to_json(self) -> dict[str, Any]:
        """The case.json form: {kind, label, date (ISO), creditor|null}."""
        return {"kind": self.kind, "label": self.label, "date": self.date.isoformat(),
                "creditor": self.creditor}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deadline:
        """Back from case.json or manifest.json (``ValueError``/``KeyError`` when malformed)."""
        if data["kind"] not in KIND_LABELS or not isinstance(data["label"], str):
            raise ValueError("deadline")
        creditor = data.get("creditor")
        if creditor is not None and not isinstance(creditor, str):
            raise ValueError("deadline creditor")
        return cls(data["kind"], data["label"], date.fromisoformat(data["date"]), creditor)


@dataclass(frozen=True)
class Due:
    """A deadline of one case as seen from ``today``: ``days`` until it (negative: overdue)."""

    case_id: str
    deadline: Deadline
    days: int

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def when(self) -> str:
        """あと12日 / 今日 / 3日経過 — how staff read the distance from today."""
        if self.days == 0:
            return "今日"
        return f"あと{self.days}日" if self.days > 0 else f"{-self.days}日経過"

    @property
    def day(self) -> str:
        """2026年12月5日（土）: the date as the other staff outputs write it, with its weekday."""
        return day_text(self.deadline.date)

    def to_json(self) -> dict[str, Any]:
        return {"case_id": self.case_id, **self.deadline.to_json(), "days": self.days,
                "overdue": self.overdue}


WEEKDAYS = "月火水木金土日"


def day_text(day: date) -> str:
    """2026年12月5日（土）: 西暦 as every staff message of ninbai (``date_text``), with the
    weekday, which is what a deadline is planned by."""
    return f"{date_text(day)}（{WEEKDAYS[day.weekday()]}）"


def case_deadlines(case: Case) -> tuple[Deadline, ...]:
    """The case's open deadlines (未回答の回答期限, 入札期間開始日, 開札期日, 決済予定日).

    Each 交渉 row still 回答待ち with a 回答期限 is one item naming its creditor and round. The
    案件 sheet's 回答期限 (the one the letters of this round ask for) is one item unless every
    creditor of the case has a 交渉 row with that same 回答期限: then those rows say per creditor
    who has answered, and the case-wide item would only repeat them.
    """
    items = [Deadline("reply_deadline", f"{KIND_LABELS['reply_deadline']}（第{n.round}回）",
                      n.reply_deadline, n.creditor)
             for n in case.negotiation if n.reply == "回答待ち" and n.reply_deadline is not None]
    if case.reply_deadline is not None and not _tracked_per_creditor(case, case.reply_deadline):
        items.insert(0, Deadline("reply_deadline", KIND_LABELS["reply_deadline"],
                                 case.reply_deadline))
    for kind, day in (("bidding_start", case.auction.bidding_start),
                      ("opening_date", case.auction.opening_date),
                      ("settlement_date", case.settlement_date)):
        if day is not None:
            items.append(Deadline(kind, KIND_LABELS[kind], day))
    return tuple(items)


def _tracked_per_creditor(case: Case, deadline: date) -> bool:
    """Does every creditor have a 交渉 row whose 回答期限 is ``deadline``?"""
    with_rows = {n.creditor for n in case.negotiation if n.reply_deadline == deadline}
    return bool(case.creditors) and all(c.name in with_rows for c in case.creditors)


def due_deadlines(cases: Iterable[tuple[str, Iterable[Deadline]]], today: date,
                  days: int = DEFAULT_DAYS) -> list[Due]:
    """The deadlines of ``cases`` (case id, its items) due from ``today``: every item dated
    today up to ``today + days`` (both included), and the overdue ones (``OVERDUE_KINDS``
    dated before today).

    Soonest first, so the most overdue come first; on one day by kind (回答期限, 入札期間開始日,
    開札期日, 決済予定日), then case id, then the case's own order (案件 first, then the 交渉
    rows as on the sheet).
    """
    last = today + timedelta(days=days)
    found = []
    for case_id, items in cases:
        for order, item in enumerate(items):
            if item.date <= last and (item.date >= today or item.kind in OVERDUE_KINDS):
                found.append((item.date, list(KIND_LABELS).index(item.kind), case_id, order,
                              Due(case_id, item, (item.date - today).days)))
    return [entry[-1] for entry in sorted(found, key=lambda e: e[:4])]
