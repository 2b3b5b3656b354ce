"""Document view models (pipeline/documents/): which letters, to whom, with which figures.

Cases and figures are built here in Python (the worked example of docs/rules.md §6 and a case
with several creditors), so these tests do not depend on the reader or the computations; the
golden tests at the end also run over the sample workbooks in inputs/ once they exist.
"""

from __future__ import annotations

import dataclasses
import json
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.compute.figures import (
    AuctionComparison,
    AuctionRecovery,
    BudgetSubtotal,
    Deduction,
    Figures,
    HouseholdBudget,
    LienResult,
    LumpSumOffer,
    LumpSumShare,
    RepaymentPlan,
    RepaymentShare,
    SaleDistribution,
    SeizureResult,
)
from pipeline.config import load_config
from pipeline.documents import (
    HouseholdStatementView,
    RepaymentProposalView,
    SaleRequestView,
    build_views,
)
from pipeline.documents import repayment_proposal as proposal
from pipeline.documents import sale_request as sale_docs
from pipeline.documents.common import CaseCommon
from pipeline.documents.format import yen
from pipeline.documents.recipients import Packets
from pipeline.read.models import (
    Asset,
    BudgetLine,
    Case,
    Creditor,
    Debtor,
    Member,
    PropertyUnit,
)

GOLDEN = Path(__file__).parents[1] / "golden"
INPUTS = Path(__file__).parents[2] / "inputs"
BANK = "〇〇銀行"
RARE = "髙﨑𠮷信用組合 A&B {{ 7*7 }}"  # rare characters and template syntax, to print literally
CITY = "〇〇市"
CARD = "=HYPERLINK(\"x\")カード<b>"


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """The shipped defaults: run from an empty folder so a local ninbai.toml cannot leak in."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path_factory.mktemp("cwd"))
        return load_config(None)


# --- the worked example of docs/rules.md §6 -------------------------------------------------


def worked_case() -> Case:
    return Case(
        source="2026-0142.xlsx", case_id="2026-0142", staff="佐藤", debtor=Debtor(
            name="山田太郎", kana="ヤマダタロウ", address="東京都新宿区西新宿1-1-1"),
        property_kind="マンション", appraisal=14_000_000, sale_price=14_000_000,
        settlement_date=date(2027, 1, 29), management_arrears=200_000,
        management_arrears_months=8, moving_requested=300_000,
        units=(PropertyUnit(row=2, kind="区分建物", location="新宿区西新宿一丁目", number="1番1の101",
                            category="鉄筋コンクリート造", area=Decimal("65.23"), name="西新宿ハイツ101"),
               PropertyUnit(row=3, kind="敷地権", location="新宿区西新宿一丁目", number="1番1",
                            category="宅地", area=Decimal("512.40"))),
        creditors=(Creditor(row=2, rank=1, name=BANK, kind="抵当権", principal=19_500_000,
                            damages=500_000, base_date=date(2026, 10, 31),
                            damage_rate=Decimal("14.6"), department="債権管理部"),),
        members=(Member(row=2, name="山田太郎", relation="本人", age=45, occupation="会社員"),),
        budget=(BudgetLine(row=2, side="収入", category="給与", detail="手取り", monthly=460_000),
                BudgetLine(row=3, side="支出", category="住居費", detail="家賃", monthly=120_000),
                BudgetLine(row=4, side="支出", category="食費", monthly=278_000)),
    )


def worked_figures() -> Figures:
    deductions = (
        Deduction(code="brokerage", label="仲介手数料", payee="当社", amount=528_000,
                  basis="売却価格×3%+6万円+消費税"),
        Deduction(code="registration", label="抵当権等抹消費用", payee="司法書士", amount=12_000),
        Deduction(code="management_arrears", label="滞納管理費等", payee="管理組合", amount=200_000),
        Deduction(code="moving", label="引越費用", payee="債務者", amount=300_000))
    lien = LienResult(row=2, creditor=BANK, rank=1, kind="抵当権", principal=19_500_000,
                      damages=500_000, accrual=702_000, claim=20_702_000, release_fee=0,
                      waterfall=12_960_000, received=12_960_000, remaining=7_742_000)
    return Figures(
        rules_version="1", document_date=date(2026, 11, 30), governing_profile="standard",
        sale=SaleDistribution(price=14_000_000, deductions=deductions, deductions_total=1_040_000,
                              distributable=12_960_000, liens=(lien,), seizures=(),
                              surplus_to_debtor=0),
        auction=_auction(14_000_000, 9_800_000, 7_840_000, 9_100_000, 1_000_000, 0,
                         ((BANK, 1, 20_702_000, 8_100_000),), 12_960_000),
        household=HouseholdBudget(
            income=460_000, expenses=398_000, surplus=62_000, assets_total=0,
            unsecured_monthly_total=0,
            income_subtotals=(BudgetSubtotal(side="収入", category="給与", amount=460_000, rows=(2,)),),
            expense_subtotals=(
                BudgetSubtotal(side="支出", category="住居費", amount=120_000, rows=(3,)),
                BudgetSubtotal(side="支出", category="食費", amount=278_000, rows=(4,)))),
        repayment=RepaymentPlan(
            monthly_total=31_000, monthly_given=False, start=date(2027, 2, 1), lump_sum=None,
            plan=(RepaymentShare(creditor=BANK, rank=1, remaining=7_742_000, monthly=31_000,
                                 months=250, years=Decimal("20.8")),)),
        warnings=())


def _auction(m, b, k, e, c, taxes, recoveries, sale_first) -> AuctionComparison:
    rec = tuple(AuctionRecovery(creditor=n, rank=r, claim=cl, amount=a) for n, r, cl, a in recoveries)
    first = sum(r.amount for r in rec if r.creditor == rec[0].creditor)
    return AuctionComparison(
        market_value=m, base_price=b, base_price_given=False, min_bid=k, min_bid_given=False,
        expected_bid=e, procedure_cost=c, priority_taxes=taxes, pool=max(0, e - c - taxes),
        recoveries=rec, first_lien_recovery=first, sale_first_lien_recovery=sale_first,
        advantage=sale_first - first, market_discount=Decimal("0.30"),
        expected_bid_ratio=Decimal("0.65"),
        assumptions_text="競売市場修正30%・落札見込 査定価格の65%と仮定")


# --- a case with several creditors ----------------------------------------------------------


def multi_case() -> Case:
    """〇〇銀行 holds 順位1 and 順位2; RARE holds 順位3; 〇〇市 a 差押; one card loan."""
    return worked_case().model_copy(update={
        "case_id": "T-multi", "property_kind": "戸建", "appraisal": 21_000_000,
        "sale_price": 20_000_000, "buyer": "買主 A&B", "offer_date": date(2026, 11, 2),
        "lump_sum_offer": 500_000,
        "units": (PropertyUnit(row=2, kind="土地", location="八王子市", number="1番", category="宅地",
                               area=Decimal("120.00")),
                  PropertyUnit(row=3, kind="建物", location="八王子市", number="1番",
                               category="木造2階建")),
        "creditors": (
            Creditor(row=2, rank=1, name=BANK, kind="抵当権", principal=17_000_000,
                     damages=1_000_000, department="債権管理部"),
            Creditor(row=3, rank=2, name=BANK, kind="抵当権", principal=3_000_000,
                     officer="鈴木一郎", address="東京都千代田区1-1"),
            Creditor(row=4, rank=3, name=RARE, kind="根抵当権", principal=2_000_000),
            Creditor(row=5, name=CITY, kind="差押", principal=350_000, department="納税課"),
            Creditor(row=6, name=CARD, kind="無担保", principal=500_000, damages=20_000,
                     monthly_payment=10_000)),
        "budget": (
            BudgetLine(row=2, side="収入", category="給与", detail="夫 手取り", monthly=200_000),
            BudgetLine(row=3, side="収入", category="児童手当等", monthly=20_000),
            BudgetLine(row=4, side="収入", category="給与", detail="妻 パート {{ x }}", monthly=80_000),
            BudgetLine(row=5, side="支出", category="住居費", monthly=90_000),
            BudgetLine(row=6, side="支出", category="食費", monthly=170_000)),
        "assets": (Asset(row=2, kind="預貯金", detail="普通預金", value=150_000),),
    })


def multi_figures() -> Figures:
    base = worked_figures()
    deductions = (
        Deduction(code="brokerage", label="仲介手数料", payee="当社", amount=726_000),
        Deduction(code="registration", label="抵当権等抹消費用", payee="司法書士", amount=36_000),
        Deduction(code="seizure_release", label="差押解除料", payee=CITY, amount=100_000,
                  creditor=CITY, row=5),
        Deduction(code="junior_release", label="抹消承諾料（ハンコ代）", payee=RARE, amount=200_000,
                  creditor=RARE, row=4))
    liens = (
        _lien(2, BANK, 1, "抵当権", 18_000_000, 0, 18_000_000),
        _lien(3, BANK, 2, "抵当権", 3_000_000, 0, 938_000),
        _lien(4, RARE, 3, "根抵当権", 2_000_000, 200_000, 0))
    plan = (_share(BANK, 2, 2_062_000, 10_700, 193, "16.0"),
            _share(RARE, 3, 1_800_000, 9_300, 194, "16.1"))
    lump = LumpSumOffer(total=500_000, plan=(
        LumpSumShare(creditor=BANK, rank=2, remaining=2_062_000, amount=267_000,
                     percent=Decimal("12.9")),
        LumpSumShare(creditor=RARE, rank=3, remaining=1_800_000, amount=233_000,
                     percent=Decimal("12.9"))))
    return base.model_copy(update={
        "sale": SaleDistribution(
            price=20_000_000, deductions=deductions, deductions_total=1_062_000,
            distributable=18_938_000, liens=liens, surplus_to_debtor=0,
            seizures=(SeizureResult(row=5, creditor=CITY, priority=False, claim=350_000,
                                    release_fee=100_000, remaining=250_000),)),
        "auction": _auction(21_000_000, 14_700_000, 11_760_000, 13_650_000, 800_000, 0,
                            ((BANK, 1, 18_000_000, 12_850_000), (BANK, 2, 3_000_000, 0),
                             (RARE, 3, 2_000_000, 0)), 18_938_000),
        "household": HouseholdBudget(
            income=300_000, expenses=260_000, surplus=40_000, assets_total=150_000,
            unsecured_monthly_total=10_000,
            income_subtotals=(
                BudgetSubtotal(side="収入", category="給与", amount=280_000, rows=(2, 4)),
                BudgetSubtotal(side="収入", category="児童手当等", amount=20_000, rows=(3,))),
            expense_subtotals=(
                BudgetSubtotal(side="支出", category="住居費", amount=90_000, rows=(5,)),
                BudgetSubtotal(side="支出", category="食費", amount=170_000, rows=(6,)))),
        "repayment": RepaymentPlan(monthly_total=20_000, monthly_given=False,
                                   start=date(2027, 2, 1), plan=plan, lump_sum=lump),
    })


def _lien(row, name, rank, kind, claim, fee, waterfall) -> LienResult:
    return LienResult(row=row, creditor=name, rank=rank, kind=kind, principal=claim, damages=0,
                      accrual=0, claim=claim, release_fee=fee, waterfall=waterfall,
                      received=fee + waterfall, remaining=claim - fee - waterfall)


def _share(name, rank, remaining, monthly, months, years) -> RepaymentShare:
    return RepaymentShare(creditor=name, rank=rank, remaining=remaining, monthly=monthly,
                          months=months, years=Decimal(years))


@pytest.fixture(scope="module")
def worked(config):
    return build_views(worked_case(), worked_figures(), config)


@pytest.fixture(scope="module")
def multi(config):
    return build_views(multi_case(), multi_figures(), config)


def _of(views, kind):
    return [v for v in views if v.kind == kind]


# --- which documents, in which order ---------------------------------------------------------


def test_worked_example_documents(worked, config):
    assert [(v.kind, v.filename_stem) for v in worked] == [
        ("sale_request", f"01_{config.titles['sale_request']}_{BANK}"),
        ("household_statement", f"02_{config.titles['household_statement']}"),
        ("repayment_proposal", f"03_{config.titles['repayment_proposal']}_{BANK}"),
    ]
    assert [v.template for v in worked] == [v.kind for v in worked]


def test_one_letter_per_creditor_name(multi):
    sale = _of(multi, "sale_request")
    assert [v.creditor.name for v in sale] == [BANK, RARE, CITY]
    bank = sale[0]
    assert [row.rank for row in bank.liens if row.is_addressee] == [1, 2]
    assert bank.addressee_received == 18_000_000 + 938_000
    assert bank.addressee_remaining == 2_062_000


def test_seizure_holder_gets_a_sale_request_but_no_proposal(multi):
    city = next(v for v in multi if v.kind == "sale_request" and v.creditor.name == CITY)
    assert city.is_seizure_holder
    assert [s.is_addressee for s in city.seizures] == [True]
    assert [d.code for d in city.deductions if d.is_addressee] == ["seizure_release"]
    assert city.addressee_received == 100_000
    assert "金100,000円" in city.request_text  # the fee it is asked to accept
    bank = _of(multi, "sale_request")[0]
    assert not bank.is_seizure_holder and bank.request_text != city.request_text
    assert not city.auction.has_addressee_comparison
    assert [v.creditor.name for v in _of(multi, "repayment_proposal")] == [BANK, RARE]


def paid_liens_figures(price: int, share: int) -> Figures:
    """multi_figures with a price at which every lien is paid in full: A = price − 1,062,000;
    the liens take 18,000,000 + 3,000,000 + 1,800,000 = 22,800,000; the city's 差押 (claim
    350,000, 解除料 100,000) gets ``share`` of the rest, the debtor what is then left."""
    fig = multi_figures()
    liens = (_lien(2, BANK, 1, "抵当権", 18_000_000, 0, 18_000_000),
             _lien(3, BANK, 2, "抵当権", 3_000_000, 0, 3_000_000),
             _lien(4, RARE, 3, "根抵当権", 2_000_000, 200_000, 1_800_000))
    distributable = price - fig.sale.deductions_total
    (city,) = fig.sale.seizures
    city = city.model_copy(update={"surplus_share": share, "remaining": 250_000 - share})
    return fig.model_copy(update={"sale": fig.sale.model_copy(update={
        "price": price, "distributable": distributable, "liens": liens, "seizures": (city,),
        "surplus_to_debtor": distributable - 22_800_000 - share})})


def test_seizure_paid_from_the_surplus_before_the_debtor(config):
    # A = 25,000,000 − 1,062,000 = 23,938,000; 1,138,000 left after the liens: the city's
    # 250,000 still owed, then 888,000 to the debtor.
    views = build_views(multi_case(), paid_liens_figures(25_000_000, 250_000), config)
    city = next(v for v in _of(views, "sale_request") if v.creditor.name == CITY)
    (row,) = city.seizures
    assert (row.surplus_share, row.received, row.remaining) == (250_000, 350_000, 0)
    assert (city.addressee_received, city.addressee_remaining) == (350_000, 0)
    # A city is a public body: it is paid the tax (納付), not a 解除料 (issue 13).
    assert "滞納税等の全額金350,000円を納付" in city.request_text
    assert "解除料" not in city.request_text
    assert city.seizures_release_fee_total + city.seizures_surplus_share_total == \
        city.seizures_received_total == 350_000
    assert city.liens_waterfall_total + city.left_after_liens == city.distributable
    assert city.left_after_liens == city.seizures_surplus_share_total + city.surplus_to_debtor
    assert city.left_after_liens_text == "1,138,000円"
    assert all(k in city.surplus_sentence for k in ("金1,138,000円", "金250,000円", "金888,000円"))


def test_surplus_sentence_names_what_really_reaches_the_debtor(config):
    # 138,000 left after the liens, all of it to the city (which still owes 112,000): no 剰余金.
    views = build_views(multi_case(), paid_liens_figures(24_000_000, 138_000), config)
    city = next(v for v in _of(views, "sale_request") if v.creditor.name == CITY)
    assert city.surplus_to_debtor == 0 and city.addressee_remaining == 112_000
    assert city.surplus_sentence == sale_docs.SURPLUS_ALL_TO_SEIZURES.format(left="金138,000円")
    assert sale_docs.surplus_sentence(0, 0) == ""  # the liens took everything: no sentence
    assert sale_docs.surplus_sentence(5_000, 5_000) == sale_docs.SURPLUS.format(amount="金5,000円")


def test_addressee_honorific(multi):
    sale = {v.creditor.name: v for v in _of(multi, "sale_request")}
    # 〇〇銀行: department on its 順位1 row, officer on its 順位2 row → a named officer: 様 only.
    assert sale[BANK].addressee == f"{BANK} 債権管理部 鈴木一郎 様"
    assert sale[BANK].creditor.honorific == "様"
    assert sale[BANK].creditor.address == "東京都千代田区1-1"
    assert sale[CITY].addressee == f"{CITY} 納税課 御中"
    assert sale[RARE].addressee == f"{RARE} 御中"


# --- user text is data -----------------------------------------------------------------------


def test_rare_and_template_like_text_survives(multi):
    rare = next(v for v in multi if v.kind == "sale_request" and v.creditor.name == RARE)
    assert rare.creditor.name == RARE and rare.addressee.startswith(RARE)
    assert [row.creditor for row in rare.liens if row.is_addressee] == [RARE]
    assert rare.buyer == "買主 A&B"
    # In the file name only the characters a file system refuses are replaced.
    assert rare.filename_stem.endswith("髙﨑𠮷信用組合 A&B {{ 7_7 }}")
    household = _of(multi, "household_statement")[0]
    assert household.other_debts[0].creditor == CARD
    assert household.income_groups[0].lines[1].detail == "妻 パート {{ x }}"


def test_colliding_file_names_are_numbered(config):
    case = multi_case()
    creditors = tuple(c.model_copy(update={"name": n}) if c.name in (BANK, RARE) else c
                      for c, n in zip(case.creditors, ("A/B", "A/B", "A:B", "", ""), strict=True))
    fig = multi_figures()
    renamed = {BANK: "A/B", RARE: "A:B"}
    sale = fig.sale.model_copy(update={"liens": tuple(
        x.model_copy(update={"creditor": renamed[x.creditor]}) for x in fig.sale.liens)})
    views = build_views(case.model_copy(update={"creditors": creditors}),
                        fig.model_copy(update={"sale": sale}), config)
    stems = [v.filename_stem for v in views]
    assert len(set(stems)) == len(stems)
    assert stems[0].endswith("_A_B") and stems[1].endswith("_A_B_2")


# --- the figures and their texts --------------------------------------------------------------


def _walk(value):
    """Every dataclass inside a view."""
    if dataclasses.is_dataclass(value):
        yield value
        for f in dataclasses.fields(value):
            yield from _walk(getattr(value, f.name))
    elif isinstance(value, tuple):
        for item in value:
            yield from _walk(item)


def test_every_amount_text_matches_its_amount(worked, multi):
    checked = 0
    for obj in (o for v in worked + multi for o in _walk(v)):
        for f in dataclasses.fields(obj):
            twin = f.name + "_text" if f.name != "amount" else "amount_text"
            value = getattr(obj, f.name)
            if isinstance(value, int) and not isinstance(value, bool) and hasattr(obj, twin) \
                    and f.name not in ("months", "rank", "age", "round"):
                assert getattr(obj, twin) == _shown(obj, f.name, value), (type(obj).__name__, f.name)
                checked += 1
    assert checked > 100


def _shown(obj, name: str, value: int) -> str:
    """A lien owed no ハンコ代 (順位1, a holder's own junior lien) shows 「—」, not 「0円」."""
    if isinstance(obj, sale_docs.LienRow) and name == "release_fee" and value == 0:
        return "—"
    if name == "other_debts_monthly_total" and all(d.monthly is None for d in obj.other_debts):
        return "—"  # no 月返済額 given at all: not 「0円」
    return yen(value)


def test_no_hanko_dai_reads_as_a_dash_and_the_lien_table_adds_up(multi):
    view = _of(multi, "sale_request")[0]
    assert [x.release_fee_text for x in view.liens if x.rank == 1] == ["—"]
    assert view.liens_release_fee_total + view.liens_waterfall_total == view.liens_received_total
    assert view.liens_waterfall_total == view.distributable - view.left_after_liens
    assert view.left_after_liens == view.seizures_surplus_share_total + view.surplus_to_debtor
    assert view.seizures_release_fee_total == sum(s.release_fee for s in view.seizures)
    assert view.seizures_release_fee_total + view.seizures_surplus_share_total == \
        view.seizures_received_total
    assert {s.priority_text for s in view.seizures} <= {"優先", "劣後"}


def test_text_fields_are_never_none(worked, multi):
    for obj in (o for v in worked + multi for o in _walk(v)):
        hints = typing.get_type_hints(type(obj))
        for f in dataclasses.fields(obj):
            if hints[f.name] is str:
                assert isinstance(getattr(obj, f.name), str), (type(obj).__name__, f.name)


def test_auction_rows_print_their_assumptions(worked):
    """Each comparison row says how it was reached; the configured ratios are printed."""
    rows = {r.label: r.note for r in worked[0].auction.rows}
    assert all(rows.values())
    assert "70%" in rows["売却基準価額"] and "30%" in rows["売却基準価額"]
    assert "80%" in rows["買受可能価額"] and "65%" in rows["落札見込額"]


def test_auction_facts_only_those_given(worked, config):
    from pipeline.read.models import AuctionInfo

    assert worked[0].auction_facts == ()
    case = worked_case().model_copy(update={"auction": AuctionInfo(
        case_number="令和8年(ケ)第123号", opening_date=date(2027, 2, 3))})
    view = build_views(case, worked_figures(), config)[0]
    assert [(f.label, f.text) for f in view.auction_facts] == [
        ("競売事件番号", "令和8年(ケ)第123号"), ("開札期日", "令和9年2月3日")]


def test_worked_example_sale_request(worked):
    view: SaleRequestView = worked[0]
    assert view.sale_price_kin == "金14,000,000円" and view.sale_price_text == "14,000,000円"
    assert view.date_text == "令和8年11月30日"
    assert view.settlement_date_text == "令和9年1月29日"
    assert (view.buyer, view.has_buyer, view.offer_date_text) == ("未定", False, "未定")
    assert [d.amount for d in view.deductions] == [528_000, 12_000, 200_000, 300_000]
    assert sum(d.amount for d in view.deductions) == view.deductions_total == 1_040_000
    assert view.distributable == 12_960_000
    assert (view.liens[0].claim, view.liens[0].remaining) == (20_702_000, 7_742_000)
    assert view.properties[0].area_text == "65.23㎡" and view.properties[1].name == ""
    assert "買付証明書" not in view.attachments
    a = view.auction
    assert [r.amount for r in a.rows] == [14_000_000, 9_800_000, 7_840_000, 9_100_000,
                                          1_000_000, 8_100_000, 8_100_000, 12_960_000, 4_860_000]
    assert a.advantage == 4_860_000 and a.assumptions_text
    assert not a.has_addressee_comparison  # the 順位1 holder's figures are the main rows


def test_junior_lien_holder_auction_comparison(multi):
    rare = next(v for v in multi if v.kind == "sale_request" and v.creditor.name == RARE)
    a = rare.auction
    assert a.has_addressee_comparison
    assert (a.addressee_auction, a.addressee_sale, a.addressee_advantage) == (0, 200_000, 200_000)
    assert [r.amount for r in a.addressee_rows] == [0, 200_000, 200_000]
    assert [d.code for d in rare.deductions if d.is_addressee] == ["junior_release"]
    assert rare.liens_received_total == sum(x.received for x in rare.liens) == 19_138_000
    assert "買付証明書" not in rare.attachments  # no scan, nothing listed: the packet has none


def test_scans_are_listed_in_the_first_letter_of_their_recipients_packet(config):
    """添付書類 per recipient: 〇〇銀行's scans in its 同意申請書 only (not again in its 返済申出書);
    a creditor that gets no 同意申請書 lists its scans in its 返済申出書."""
    views = build_views(multi_case(), multi_figures(), config, {BANK: ("価格査定書", "買付証明書")})
    bank = next(v for v in _of(views, "sale_request") if v.creditor.name == BANK)
    rare = next(v for v in _of(views, "sale_request") if v.creditor.name == RARE)
    assert bank.attachments[1:3] == ("価格査定書", "買付証明書")
    assert "価格査定書" not in rare.attachments
    proposals = {v.creditor.name: v for v in _of(views, "repayment_proposal")}
    assert "価格査定書" not in proposals[BANK].attachments_text
    only_proposal = Packets(letters=(BANK,), proposals=(RARE,), household=(RARE,),
                            enclosures={RARE: ("債権調査票",)})
    common = CaseCommon.of(multi_case(), multi_figures(), config)
    view = proposal.build_repayment_proposal(common, RARE, only_proposal)
    assert view.attachments_text == "生活状況表、債権調査票"


def test_household_statement(multi):
    view: HouseholdStatementView = _of(multi, "household_statement")[0]
    assert view.addressee == "" and view.document_entry()["addressee"] is None
    assert [(g.category, [x.amount for x in g.lines]) for g in view.income_groups] == [
        ("給与", [200_000, 80_000]), ("児童手当等", [20_000])]
    for group in view.income_groups + view.expense_groups:
        assert sum(x.amount for x in group.lines) == group.subtotal
    assert sum(g.subtotal for g in view.income_groups) == view.income
    assert sum(g.subtotal for g in view.expense_groups) == view.expenses
    assert (view.surplus, view.surplus_negative) == (40_000, False)
    # the card loan, then the city's tax the sale leaves unpaid (its 残額), with no 月返済額 yet
    assert [(d.remaining, d.monthly) for d in view.other_debts] == [(520_000, 10_000),
                                                                    (250_000, None)]
    assert view.other_debts[1].creditor == f"{CITY}（滞納税等 売却後の残額）"
    assert view.other_debts_total == 770_000 and view.other_debts_monthly_total == 10_000
    assert view.assets_total == sum(x.amount for x in view.assets)
    assert view.members[0].age_text == "45歳"


def test_negative_surplus_is_flagged(config):
    fig = worked_figures()
    household = fig.household.model_copy(update={"surplus": -12_000})
    view = build_views(worked_case(), fig.model_copy(update={"household": household}), config)[1]
    assert view.surplus_negative and view.surplus_text == "△12,000円"


def test_repayment_proposals(multi):
    props: list[RepaymentProposalView] = _of(multi, "repayment_proposal")
    assert sum(p.monthly for p in props) == props[0].monthly_total == 20_000
    bank, rare = props
    assert (bank.remaining, bank.monthly, bank.months, bank.years) == (
        2_062_000, 10_700, 193, Decimal("16.0"))
    assert (bank.start_text, bank.months_text, bank.years_text) == ("令和9年2月", "193回", "16.0年")
    assert [r.is_addressee for r in rare.plan] == [False, True]
    assert rare.plan_remaining_total == 3_862_000 and bank.has_capacity
    assert "金9,300円" in rare.offer_text and "令和9年2月" in rare.offer_text
    assert rare.has_lump_sum and rare.lump_sum.addressee_amount == 233_000
    assert rare.lump_sum.addressee_percent_text == "12.9%"
    assert sum(r.amount for r in rare.lump_sum.rows) == rare.lump_sum.total
    assert rare.waiver_text


def test_worked_example_proposal_without_lump_sum(worked):
    view = worked[2]
    assert (view.monthly, view.months_text, view.years_text) == (31_000, "250回", "20.8年")
    assert view.lump_sum is None and not view.has_lump_sum


def test_no_capacity_proposal(config):
    fig = worked_figures()
    plan = fig.repayment.model_copy(update={"monthly_total": 0, "plan": (RepaymentShare(
        creditor=BANK, rank=1, remaining=7_742_000, monthly=0, months=None, years=None),)})
    view = build_views(worked_case(), fig.model_copy(update={"repayment": plan}), config)[2]
    assert not view.has_capacity and view.months is None
    assert (view.months_text, view.years_text) == ("—", "—")
    assert view.offer_text != worked_view_offer(config)


def worked_view_offer(config):
    return build_views(worked_case(), worked_figures(), config)[2].offer_text


def test_creditor_with_two_plan_rows_waits_for_the_longest():
    shares = [_share(BANK, 1, 1_000_000, 5_000, 200, "16.6"), _share(BANK, 2, 100_000, 600, 167,
                                                                     "13.9")]
    assert proposal._longest(shares).months == 200
    assert proposal.share_percent(267_000 + 1_000, 2_062_000 + 10_000) == Decimal("12.9")
    assert proposal.share_percent(1, 8) == Decimal("12.5")  # 12.5 exactly: no rounding
    assert proposal.share_percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3 (四捨五入)


# --- serialisation ----------------------------------------------------------------------------


def test_document_entry(worked):
    assert worked[0].document_entry() == {
        "kind": "sale_request", "addressee": BANK, "sent_to": [BANK],
        "docx": worked[0].filename_stem + ".docx", "pdf": worked[0].filename_stem + ".pdf"}


def test_views_are_frozen(worked):
    with pytest.raises(dataclasses.FrozenInstanceError):
        worked[0].title = "x"


def test_json_form(multi):
    for view in multi:
        data = json.loads(view.as_json())
        assert data == view.to_dict()
    proposal = json.loads(multi[-1].as_json())
    assert proposal["date"] == "2026-11-30" and proposal["years"] == "16.1"
    assert proposal["lump_sum"]["rows"][0]["percent"] == "12.9"


# --- golden view models ----------------------------------------------------------------------


def _golden_data(views) -> list[dict]:
    return [v.to_dict() for v in views]


def _check_golden(name: str, views, update: bool) -> None:
    path = GOLDEN / f"{name}.json"
    text = json.dumps(_golden_data(views), ensure_ascii=False, indent=1) + "\n"
    if update:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} がありません: pytest --update-golden で作成してください"
    assert json.loads(path.read_text(encoding="utf-8")) == _golden_data(views)


def test_golden_python_cases(worked, multi, update_golden):
    _check_golden("py-worked-example", worked, update_golden)
    _check_golden("py-multi", multi, update_golden)


SAMPLES = sorted(p for p in INPUTS.glob("*.xlsx") if not p.name.startswith("~$"))


@pytest.mark.parametrize("source", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_golden_samples(source, config, update_golden):
    """Sample workbook → validated case → figures → views, against tests/golden/<case_id>.json."""
    validate = pytest.importorskip("pipeline.read.validate")
    compute = pytest.importorskip("pipeline.compute")
    case, _issues = validate.load_case(source, profiles=config.profiles.keys())
    if case is None:
        pytest.skip(f"{source.name} is an invalid-input sample (no documents)")
    figures = compute.compute_case(case, config, date(2026, 11, 30))
    _check_golden(case.case_id, build_views(case, figures, config), update_golden)
