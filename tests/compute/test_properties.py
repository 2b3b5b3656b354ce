"""Property tests over random valid cases: every split adds up, nothing goes negative."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compute.builder import BANK, BATCH, cost, lien, line, make_case, seizure, unit
from pipeline.compute import compute_case
from pipeline.compute.deductions import RULES
from pipeline.config import load_config
from pipeline.read.models import EXPENSE_CATEGORIES, INCOME_CATEGORIES

CONFIG = load_config(None)
NAMES = ("みずなみ銀行", "ひかり保証", "あおば信金", "𠮷田商事")
yen = st.integers(0, 60_000_000)
small_yen = st.integers(0, 2_000_000)
days = st.integers(-400, 400).map(lambda d: date(2027, 1, 29) + timedelta(days=d))
rates = st.sampled_from([Decimal(0), Decimal(14), Decimal("14.6"), Decimal("21.9")])


@st.composite
def lien_rows(draw):
    count = draw(st.integers(1, 4))
    return tuple(
        lien(rank, draw(st.sampled_from(NAMES)), draw(yen), damages=draw(small_yen),
             base_date=draw(days), damage_rate=draw(rates),
             profile=draw(st.sampled_from(["standard", "jhf"])),
             release_fee=draw(st.none() | small_yen))
        for rank in range(1, count + 1))


@st.composite
def seizure_rows(draw):
    return tuple(seizure(f"税{i}", draw(small_yen), priority=draw(st.booleans()),
                         release_fee=draw(st.none() | small_yen))
                 for i in range(draw(st.integers(0, 2))))


@st.composite
def budget_line(draw, side=None):
    side = side or draw(st.sampled_from(["収入", "支出"]))
    categories = INCOME_CATEGORIES if side == "収入" else EXPENSE_CATEGORIES
    return line(side, draw(st.sampled_from(categories)), draw(st.integers(0, 500_000)))


budgets = st.builds(lambda first, rest: (first, *rest),
                    budget_line("収入"), st.lists(budget_line(), max_size=5))


@st.composite
def cases(draw):
    return make_case(
        appraisal=draw(st.integers(1, 60_000_000)), sale_price=draw(yen),
        settlement_date=draw(days), contract_date=draw(st.none() | days),
        property_tax_yearly=draw(st.none() | small_yen),
        management_monthly=draw(st.none() | st.integers(0, 50_000)),
        management_arrears=draw(st.none() | small_yen),
        management_arrears_months=draw(st.none() | st.integers(0, 120)),
        moving_requested=draw(st.none() | st.integers(0, 600_000)),
        bankruptcy=draw(st.booleans()),
        units=tuple(unit() for _ in range(draw(st.integers(1, 4)))),
        creditors=draw(lien_rows()) + draw(seizure_rows()),
        costs=tuple(cost(f"費用{i}", draw(small_yen)) for i in range(draw(st.integers(0, 2)))),
        budget=draw(budgets),
        repayment_monthly_offer=draw(st.none() | st.integers(0, 200_000)),
        lump_sum_offer=draw(st.none() | st.integers(0, 20_000_000)),
        auction={"applicant": draw(st.none() | st.just(BANK)),
                 "costs": draw(st.none() | small_yen)})


SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(cases())
def test_sale_adds_up(case):
    sale = compute_case(case, CONFIG, BATCH).sale
    assert sale.deductions_total == sum(d.amount for d in sale.deductions)
    assert sale.distributable == max(0, sale.price - sale.deductions_total)
    to_liens = sum(x.waterfall for x in sale.liens)
    to_seizures = sum(s.surplus_share for s in sale.seizures)
    assert to_liens + to_seizures + sale.surplus_to_debtor == sale.distributable
    if sale.distributable > 0:  # every yen of the price is placed exactly once
        assert sale.price == sale.deductions_total + to_liens + to_seizures + sale.surplus_to_debtor
    for x in sale.liens:
        assert x.received + x.remaining == x.claim
        assert x.received == x.release_fee + x.waterfall
        assert min(x.release_fee, x.waterfall, x.remaining, x.accrual) >= 0
    for s in sale.seizures:
        assert 0 <= s.release_fee <= s.claim and s.surplus_share >= 0
        assert s.remaining == s.claim - s.release_fee - s.surplus_share >= 0
        assert s.received == s.release_fee + s.surplus_share


@SETTINGS
@given(cases())
def test_seizures_are_paid_from_what_the_liens_leave_before_the_debtor(case):
    figures = compute_case(case, CONFIG, BATCH)
    sale = figures.sale
    if any(x.remaining for x in sale.liens):  # the liens took all of A: nothing for a 差押
        assert all(s.surplus_share == 0 for s in sale.seizures)
    # 優先 rows first, then sheet row order: once one 差押 is left owing, those after get nothing.
    served = sorted(sale.seizures, key=lambda s: (not s.priority, s.row))
    for i, s in enumerate(served):
        if s.remaining:
            assert all(later.surplus_share == 0 for later in served[i + 1:])
            assert sale.surplus_to_debtor == 0
    left = sale.distributable - sum(x.waterfall for x in sale.liens)
    assert ("not_overloan" in {w.code for w in figures.warnings}) == (left > 0)


@SETTINGS
@given(cases())
def test_deductions_keep_their_order(case):
    order = ["brokerage", "registration", "auction_costs", "management_arrears",
             "seizure_release", "junior_release", "bankruptcy_estate", "moving", "stamp_duty",
             "other"]
    assert len(order) == len(RULES)
    found = [order.index(d.code) for d in compute_case(case, CONFIG, BATCH).sale.deductions]
    assert found == sorted(found)
    assert found[:2] == [0, 1]  # 仲介手数料 and 抹消費用 are always listed


@SETTINGS
@given(cases())
def test_repayment_shares_add_up(case):
    plan = compute_case(case, CONFIG, BATCH).repayment
    assert sum(s.monthly for s in plan.plan) == plan.monthly_total
    assert all(s.remaining > 0 and s.monthly >= 0 for s in plan.plan)
    for s in plan.plan:
        assert (s.months is None) == (s.monthly == 0)
        if s.months is not None:
            assert s.months * s.monthly >= s.remaining > (s.months - 1) * s.monthly
    if plan.lump_sum is not None:
        assert sum(s.amount for s in plan.lump_sum.plan) == plan.lump_sum.total


@SETTINGS
@given(cases())
def test_nothing_negative(case):
    f = compute_case(case, CONFIG, BATCH)
    may_be_negative = {"surplus", "advantage"}

    def walk(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v, key)
        elif isinstance(value, int) and not isinstance(value, bool) and key not in may_be_negative:
            assert value >= 0, key

    walk(f.model_dump())
    a = f.auction
    assert sum(r.amount for r in a.recoveries) == min(a.pool, sum(r.claim for r in a.recoveries))
    assert all(r.amount <= r.claim for r in a.recoveries)
    # every 差押 at auction: never more than its claim, all together never more than E − C
    taken = sum(r.amount for r in a.recoveries) + sum(s.amount for s in a.seizure_recoveries)
    assert taken <= max(0, a.expected_bid - a.procedure_cost)
    assert all(0 <= s.amount <= s.claim and s.futile == (s.amount == 0)
               for s in a.seizure_recoveries)
