"""01 任意売却に関する同意申請書 (sale_request): one per creditor name holding a 抵当権・根抵当権・差押.

The letter asks the creditor to agree to the sale and to release its lien against the 配分案 (別紙):
the deductions, the liens by 順位, the 差押, what the liens leave, and the comparison with a 競売.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pipeline.compute.figures import (
    AuctionComparison,
    Deduction,
    Figures,
    LienResult,
    SaleDistribution,
    SeizureResult,
)
from pipeline.config import Auction as AuctionRules
from pipeline.config import Config
from pipeline.documents.case_paths import (
    REPLY_CHOICES,
    REPLY_SLIP_TEXT,
    REPLY_SLIP_TEXT_BANKRUPT,
    OwnerRow,
    ReplySlip,
    TrusteeBlock,
    buyer_relation_text,
    date_or_blank,
    is_applicant,
    loan_numbers,
    money_or_blank,
    owner_rows,
    path_requests,
    reference_line,
    reply_text,
    seizure_fee_label,
    tax_request,
    trustee_block,
)
from pipeline.documents.case_paths import intro_text as path_intro
from pipeline.documents.changes import ChangeTable, EarlierFigures, change_table
from pipeline.documents.common import (
    SALE_REQUEST,
    BaseView,
    CaseCommon,
    CompanyBlock,
    CreditorBlock,
    DebtorBlock,
    Fact,
    LabelledAmount,
    addressee_line,
    creditor_block,
    negotiation_round,
    rank_text,
)
from pipeline.documents.format import (
    DASH,
    area,
    clean_text,
    kin,
    ratio,
    round_text,
    wareki,
    yen,
    you_word,
)
from pipeline.documents.recipients import Packets, is_public_body
from pipeline.read.models import Case, PropertyUnit


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
    """配分案 費用控除 line, in the spec's order (docs/rules.md §1)."""

    code: str  # brokerage, registration, … (docs/outputs.md deduction codes)
    label: str  # 仲介手数料, 抹消承諾料, …
    payee: str  # 支払先
    basis: str  # 算出根拠, "" when none
    amount: int
    amount_text: str
    is_addressee: bool  # True when this line is paid to the addressee (its 抹消承諾料/差押解除料)


@dataclass(frozen=True, slots=True)
class LienRow:
    """配分案: one 抵当権/根抵当権 in 順位 order."""

    rank: int
    rank_text: str  # 第1順位
    creditor: str
    kind: str  # 抵当権 / 根抵当権
    claim: int  # 決済時債権額
    claim_text: str
    release_fee: int  # 抹消承諾料
    release_fee_text: str  # "—" when none (the 順位1 lien, a holder's own junior lien)
    waterfall: int  # 配当額
    waterfall_text: str
    received: int  # 配分額 = 抹消承諾料 + 配当額
    received_text: str
    remaining: int  # 残債務
    remaining_text: str
    is_addressee: bool  # the addressee's own row (highlighted)


@dataclass(frozen=True, slots=True)
class SeizureRow:
    """配分案: one 差押."""

    creditor: str
    priority: bool
    priority_text: str  # 優先 / 劣後: whether the seized tax ranks before the liens
    claim: int
    claim_text: str
    release_fee: int  # 差押解除料
    release_fee_text: str
    surplus_share: int  # 剰余からの配分: paid from what the liens left, before the debtor
    surplus_share_text: str
    received: int  # 配分額計 = 差押解除料 + 剰余からの配分
    received_text: str
    remaining: int  # 残額 = 差押債権額 − 配分額計
    remaining_text: str
    is_addressee: bool


@dataclass(frozen=True, slots=True)
class AuctionBlock:
    """競売との比較 (docs/rules.md §2), with its assumptions printed.

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
class SaleRequestView(BaseView):
    """01 任意売却に関する同意申請書: one per creditor name holding a 抵当権/根抵当権/差押."""

    you: str  # 貴行 / 貴機構 / 貴市 / 貴署 / 貴社 …: the addressee in sentences and labels (you_word)
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
    offer_date: dt.date | None  # 買付日
    offer_date_text: str  # "未定" when none
    contract_date: dt.date | None  # 契約予定日
    contract_date_text: str
    settlement_date: dt.date  # 決済予定日
    settlement_date_text: str
    deductions: tuple[DeductionRow, ...]
    deductions_total: int
    deductions_total_text: str
    distributable: int  # A: 抵当権者への配当原資
    distributable_text: str
    liens: tuple[LienRow, ...]
    liens_claim_total: int
    liens_claim_total_text: str
    liens_release_fee_total: int
    liens_release_fee_total_text: str
    liens_waterfall_total: int
    liens_waterfall_total_text: str
    liens_received_total: int
    liens_received_total_text: str
    liens_remaining_total: int
    liens_remaining_total_text: str
    seizures: tuple[SeizureRow, ...]
    seizures_claim_total: int
    seizures_claim_total_text: str
    seizures_release_fee_total: int
    seizures_release_fee_total_text: str
    seizures_remaining_total: int
    seizures_remaining_total_text: str
    surplus_to_debtor: int  # 剰余金 (to the debtor)
    surplus_to_debtor_text: str
    surplus_sentence: str  # what the liens left: to the 差押, then 剰余金 (金…円); "" when none
    addressee_received: int  # 貴〇への配分額: Σ received of its liens and of its 差押
    addressee_received_text: str
    addressee_remaining: int  # 貴〇の残債務 after the sale
    addressee_remaining_text: str
    auction: AuctionBlock
    attachments: tuple[str, ...]  # 添付書類
    is_seizure_holder: bool  # the addressee holds only 差押 rows (no lien)
    request_text: str  # 抹消への同意 / 差押解除 のお願い
    auction_facts: tuple[Fact, ...]  # 競売の状況 (事件番号, 開札期日 …) as given; () when none
    terms_rows: tuple[tuple[Fact, Fact], ...]  # 売却の条件 table: two items a row, then auction_facts
    # Added for the 差押 paid from the surplus (defaults: a case with nothing left after the liens).
    seizures_surplus_share_total: int = 0
    seizures_surplus_share_total_text: str = yen(0)
    seizures_received_total: int = 0
    seizures_received_total_text: str = yen(0)
    left_after_liens: int = 0  # 配当原資 − Σ 配当額: shared by the 差押, then the debtor's 剰余金
    left_after_liens_text: str = yen(0)
    #: The 別紙 配分案 is the same in every letter of the case (no row highlighted; the renderer
    #: lays it out once and adds its pages to each letter), and the addressee's own share is
    #: given in the letter itself (own_facts). Set for cases of SHARED_ANNEX_MIN_LETTERS letters.
    shared_annex: bool = False
    #: 貴〇への配分 in the letter, two items a row as terms_rows, when shared_annex; else ()
    own_facts: tuple[tuple[Fact, Fact], ...] = ()
    # Issue 13: the case path, the creditor's reference and the reply (case_paths.py).
    reference: str = ""  # 「（貴行債権番号　123-456）」 under the addressee; "" when none
    loan_number: str = ""  # the 債権番号 alone
    trustee: TrusteeBlock | None = None  # the seller in bankruptcy (破産管財人)
    is_applicant: bool = False  # the 申立債権者 of the auction (asked to withdraw it)
    owners: tuple[OwnerRow, ...] = ()  # 所有者 when not the debtor alone
    seizure_fee_label: str = "差押解除料"  # 「解除時の納付額」 when every 差押 holder is public
    reply_slip: ReplySlip | None = None  # 回答書, the last page
    # Issue 16: the negotiation round and the change table.
    round: int = 1  # 第N回 of the letters to this creditor (common.negotiation_round)
    round_text: str = ""  # 「（第2回）」 after the title; "" for the first send (format.round_text)
    #: 前回 / 今回 / 増減 in the 別紙 配分案, the case's (the same in every letter): None for
    #: round 1 everywhere, or when no earlier batch has approved figures (documents/changes.py)
    changes: ChangeTable | None = None


# The sentences of the letters. Kept here, next to the fields they fill, so that the Word and the
# HTML template print the same words; amounts arrive already formatted (金…円, 和暦).
SALE_INTRO = ("下記債務者所有の不動産につき、{price}にて任意売却を行いたく、"
              "別紙配分案により御同意賜りますようお願い申し上げます。")
LIEN_REQUEST = ("つきましては、本件売却及び配分案を御承諾いただき、決済時に{you}の{kinds}設定登記の"
                "抹消に必要な書類を御交付くださいますようお願い申し上げます。")
SEIZURE_REQUEST = ("つきましては、本件売却及び配分案を御承諾いただき、決済時に{payment}を"
                   "お支払いすることにより、差押登記を解除（抹消）していただきますよう"
                   "お願い申し上げます。")
SEIZURE_PAYMENT = "差押解除料として{fee}"
SEIZURE_PAYMENT_WITH_SHARE = "差押解除料として{fee}、剰余からの配分として{share}、計{total}"
#: 売却の条件 rows (label, view field), in reading order: price beside 査定価格, buyer beside 買付日.
TERMS = (("売却価格", "sale_price_kin"), ("査定価格", "appraisal_text"), ("買主", "buyer"),
         ("買付日", "offer_date_text"), ("契約予定日", "contract_date_text"),
         ("決済予定日", "settlement_date_text"))
#: 競売の状況 printed with the sale terms, when the workbook gives them: a creditor checks that
#: the settlement comes before the bidding (docs/rules.md §7).
AUCTION_FACTS = (("court", "執行裁判所"), ("case_number", "競売事件番号"),
                 ("applicant", "申立債権者"), ("start_decision_date", "競売開始決定日"),
                 ("bidding_start", "入札期間開始日"), ("opening_date", "開札期日"))
#: Terms printed only when the workbook gives them (issue 13).
OPTIONAL_TERMS = (("deposit", "手付金"), ("handover_date", "引渡予定日"))
#: Labels of deduction codes as the letters print them: 抹消承諾料, not the slang ハンコ代.
DOC_LABELS = {"junior_release": "抹消承諾料"}
#: A 差押 of a public body is released against 納付 of the tax, not a 解除料.
PUBLIC_SEIZURE_LABEL = "滞納税等の納付（差押解除）"
REPLY_TITLE = "回答書"
#: What the liens leave (docs/rules.md §1 as the lead amended it: the 差押 are paid from it before
#: the debtor): nothing to the 差押 / some to them and the rest to the debtor / all to them.
SURPLUS = "全ての担保権者への配分後に残る{amount}（剰余金）は、債務者に帰属します。"
SURPLUS_AFTER_SEIZURES = ("全ての担保権者への配分後に残る{left}のうち{seized}を（３）のとおり差押債権者への"
                          "配分に充て、残る{amount}（剰余金）は、債務者に帰属します。")
SURPLUS_ALL_TO_SEIZURES = ("全ての担保権者への配分後に残る{left}は、（３）のとおり全額を差押債権者への"
                           "配分に充てます。債務者に帰属する剰余金はありません。")
UNDECIDED = "未定"
#: From this many 同意申請書 in one case, the 別紙 配分案 is shared by the letters (shared_annex).
#: Each letter lists every lien, so N letters of N rows cost N² rows to lay out: 40 creditors
#: took 67 s and 200 did not finish in 15 minutes. Below it (every sample: at most 5) each letter
#: keeps its own 別紙 with the addressee's rows highlighted.
SHARED_ANNEX_MIN_LETTERS = 8
#: own_facts: the addressee's share, printed in the letter when the 別紙 is shared.
OWN_SHARE = {"liens": "{you}の担保権", "seizures": "{you}の差押", "received": "{you}への配分額",
             "detail": "配分額の内訳", "remaining": "売却後の残債務",
             "auction": "競売時の回収見込額", "advantage": "任意売却による増加額"}
#: 算出根拠 of the auction comparison rows (docs/rules.md §2); ratios arrive formatted (30%).
AUCTION_BASIS = {
    "market": "任意売却の価格査定による",
    "given": "裁判所の公告による",
    "base": "査定価格×{kept}（競売市場修正{discount}）",
    "min_bid": "売却基準価額×{ratio}（民事執行法60条3項）",
    "expected": "査定価格×{ratio}（買受可能価額を下限）",
    "cost": "{source}（第1順位の債権額による）",
    "taxes": "抵当権に優先する差押の債権額",
    "pool": "落札見込額 − 競売手続費用",
    "pool_taxes": "落札見込額 − 競売手続費用 − 優先する税等",
    "at_auction": "配当見込額を順位に従い配当（抹消承諾料なし）",
    "by_sale": "配分案（２）の配分額計",
    "advantage": "任意売却時の回収額 − 競売時の回収見込額",
}

# --- 01 sale_request -------------------------------------------------------------------------


def build_sale_request(common: CaseCommon, name: str, packets: Packets | None = None,
                       shared_annex: bool = False,
                       changes: ChangeTable | None = None) -> SaleRequestView:
    """任意売却に関する同意申請書 to one creditor name (all its liens and 差押 rows).

    ``shared_annex``: the 別紙 highlights no row (it is the same for every letter of the case)
    and the letter states the addressee's share itself (``own_facts``). ``changes``: the case's
    change table (``case_changes``), printed in the 別紙."""
    round_ = negotiation_round(common.case, name)
    case, sale = common.case, common.figures.sale
    creditor = creditor_block(case, name)
    mine = [lien for lien in sale.liens if lien.creditor == name]
    my_seizures = [s for s in sale.seizures if s.creditor == name]
    received = sum(x.received for x in mine) + sum(s.received for s in my_seizures)
    remaining = sum(x.remaining for x in mine) + sum(s.remaining for s in my_seizures)
    you = you_word(name)
    auction = auction_block(common.figures, common.config.auction, name, you)
    fee_label = seizure_fee_label([s.creditor for s in sale.seizures])
    numbers = loan_numbers(case, name)
    requests = [request_text(mine, my_seizures, you, case, common.figures),
                *path_requests(case, common.figures, name, you), reply_text(case)]
    return SaleRequestView(
        **common.header(SALE_REQUEST, name), addressee=addressee_line(creditor), you=you,
        creditor=creditor,
        intro_text=path_intro(case, kin(case.sale_price), _plain_intro(case)),
        **_sale_terms(case), **_distribution(sale, "" if shared_annex else name),
        addressee_received=received, addressee_received_text=yen(received),
        addressee_remaining=remaining, addressee_remaining_text=yen(remaining),
        auction=auction, attachments=attachments(case, common.config, name, packets),
        is_seizure_holder=not mine, request_text="\n".join(r for r in requests if r),
        shared_annex=shared_annex,
        own_facts=own_facts(mine, my_seizures, auction, you, fee_label) if shared_annex else (),
        reference=reference_line(you, numbers), loan_number=numbers, trustee=trustee_block(case),
        is_applicant=is_applicant(case, name), owners=owner_rows(case),
        seizure_fee_label=fee_label,
        reply_slip=reply_slip(common, name, you, numbers, round_text(round_)),
        round=round_, round_text=round_text(round_), changes=changes)


def case_changes(common: CaseCommon, names: list[str] | tuple[str, ...],
                 earlier: EarlierFigures | None) -> ChangeTable | None:
    """The change table of the case's 別紙 (documents/changes.py): from round 2, that is once any
    addressee of a 同意申請書 is at round 2 or later, and only against figures approved in an
    earlier batch; None otherwise (the 別紙 is then as in round 1)."""
    if earlier is None or all(negotiation_round(common.case, n) < 2 for n in names):
        return None
    return change_table(common.figures.sale, earlier, deduction_label)


def _plain_intro(case: Case) -> str:
    """The debtor's own request; 「下記所有者の共有する不動産」 when the owners are not the debtor
    alone (所有者 sheet)."""
    text = SALE_INTRO.format(price=kin(case.sale_price))
    return text.replace("下記債務者所有の", "下記所有者の共有する") if owner_rows(case) else text


def reply_slip(common: CaseCommon, name: str, you: str, numbers: str,
               round_: str = "") -> ReplySlip:
    """回答書: returned to our company — or, in bankruptcy, to the 破産管財人 who sells. It
    quotes the letter's title with its round (``round_``), so a reply says which round it answers."""
    case = common.case
    trustee = trustee_block(case)
    title = common.title(SALE_REQUEST) + round_
    date = common.figures.document_date
    if trustee is not None and trustee.name:
        to = f"{trustee.debtor_line} {trustee.name} 様"
        text = REPLY_SLIP_TEXT_BANKRUPT.format(debtor=clean_text(case.debtor.name),
                                               trustee=trustee.name, date=wareki(date), title=title)
    else:
        to = f"{common.company.name} 御中"
        text = REPLY_SLIP_TEXT.format(debtor=clean_text(case.debtor.name), date=wareki(date),
                                      title=title)
    return ReplySlip(REPLY_TITLE, to, text, REPLY_CHOICES,
                     f"債権番号　{numbers}" if numbers else "",
                     date_or_blank(case.reply_deadline), clean_text(name))


def own_facts(liens: list[LienResult], seizures: list[SeizureResult], auction: AuctionBlock,
              you: str, fee_label: str = "差押解除料") -> tuple[tuple[Fact, Fact], ...]:
    """貴〇への配分: the addressee's rows of the shared 別紙 in a few lines of its own letter —
    which liens (順位・種別) or 差押, what it receives (and of what), what remains, and for a
    later lien its gain over an auction. Two items a row, so the letter keeps to its page."""
    facts = []
    if liens:
        ranks = "・".join(f"{rank_text(x.rank)} {x.kind}" for x in liens)
        facts.append(Fact(OWN_SHARE["liens"].format(you=you), ranks))
    if seizures:
        kinds = "・".join(f"{'優先' if s.priority else '劣後'}の差押" for s in seizures)
        facts.append(Fact(OWN_SHARE["seizures"].format(you=you), kinds))
    parts = [("抹消承諾料", sum(x.release_fee for x in liens)),
             ("配当額", sum(x.waterfall for x in liens))] if liens else []
    if seizures:
        parts += [(fee_label, sum(s.release_fee for s in seizures)),
                  ("剰余からの配分", sum(s.surplus_share for s in seizures))]
    received = sum(amount for _, amount in parts)
    detail = "、".join(f"{label} {yen(amount)}" for label, amount in parts if amount)
    remaining = sum(x.remaining for x in liens) + sum(s.remaining for s in seizures)
    facts += [Fact(OWN_SHARE["received"].format(you=you), yen(received)),
              Fact(OWN_SHARE["detail"], detail or DASH),
              Fact(OWN_SHARE["remaining"], yen(remaining))]
    if auction.has_addressee_comparison:
        facts += [Fact(OWN_SHARE["auction"], auction.addressee_auction_text),
                  Fact(OWN_SHARE["advantage"], auction.addressee_advantage_text)]
    return in_pairs(facts)


def _sale_terms(case: Case) -> dict[str, Any]:
    """物件, 価格, 買主, dates of the sale (未定 where not known yet), 競売の状況, and the 売却の条件
    table made of them."""
    terms = _prices_and_dates(case)
    facts = auction_facts(case)
    extra = optional_terms(case) + bankruptcy_facts(case)
    return {**terms, "auction_facts": facts, "terms_rows": terms_rows(terms, extra + facts)}


def optional_terms(case: Case) -> tuple[Fact, ...]:
    """手付金, 引渡予定日 and 買主との関係, when given (practice's wording for the relation)."""
    facts = [Fact("手付金", money_or_blank(case.deposit)),
             Fact("引渡予定日", date_or_blank(case.handover_date)),
             Fact("買主との関係", buyer_relation_text(case))]
    return tuple(f for f in facts if f.text)


def bankruptcy_facts(case: Case) -> tuple[Fact, ...]:
    """売主 in bankruptcy: the 破産管財人 and the 破産事件 (court, number)."""
    trustee = trustee_block(case)
    if trustee is None:
        return ()
    facts = [Fact("売主", f"{trustee.debtor_line} {trustee.name}".strip()),
             Fact("破産裁判所", trustee.court), Fact("破産事件番号", trustee.case_number)]
    return tuple(f for f in facts if f.text)


def terms_rows(terms: dict[str, Any], facts: tuple[Fact, ...]) -> tuple[tuple[Fact, Fact], ...]:
    """売却の条件, two items a row (a four-column table keeps the letter, up to 以上, on its first
    page); the last row is padded with an empty item."""
    return in_pairs([Fact(label, terms[key]) for label, key in TERMS] + list(facts))


def in_pairs(items: list[Fact]) -> tuple[tuple[Fact, Fact], ...]:
    """Two items a row; the last row padded with an empty item."""
    if len(items) % 2:
        items = [*items, Fact("", "")]
    return tuple(zip(items[::2], items[1::2], strict=True))


def _prices_and_dates(case: Case) -> dict[str, Any]:
    buyer = _buyer(case)
    return {
        "property_kind": case.property_kind, "properties": tuple(map(property_row, case.units)),
        "appraisal": case.appraisal, "appraisal_text": yen(case.appraisal),
        "sale_price": case.sale_price, "sale_price_text": yen(case.sale_price),
        "sale_price_kin": kin(case.sale_price), "buyer": buyer or UNDECIDED,
        "has_buyer": bool(buyer), "offer_date": case.offer_date,
        "offer_date_text": _date_or_undecided(case.offer_date),
        "contract_date": case.contract_date,
        "contract_date_text": _date_or_undecided(case.contract_date),
        "settlement_date": case.settlement_date, "settlement_date_text": wareki(case.settlement_date),
    }


def _buyer(case: Case) -> str:
    """買主, "" while there is none (a blank cell typed with spaces counts as none)."""
    return clean_text(case.buyer)


def _date_or_undecided(d: dt.date | None) -> str:
    return wareki(d) if d is not None else UNDECIDED


def property_row(unit: PropertyUnit) -> PropertyRow:
    return PropertyRow(unit.kind, clean_text(unit.location), clean_text(unit.number),
                       clean_text(unit.category), unit.area, area(unit.area), clean_text(unit.name))


def _distribution(sale: SaleDistribution, name: str) -> dict[str, Any]:
    """配分案 table: deductions, A, liens with totals, 差押, 剰余金; the addressee's rows flagged."""
    liens = tuple(lien_row(x, name) for x in sale.liens)
    # Every money column gets its total, so the table visibly adds up (配分額計 = 抹消承諾料 + 配当額).
    totals = {f"liens_{k}_total": sum(getattr(x, k) for x in sale.liens)
              for k in ("claim", "release_fee", "waterfall", "received", "remaining")}
    totals |= {f"seizures_{k}_total": sum(getattr(x, k) for x in sale.seizures)
               for k in ("claim", "release_fee", "surplus_share", "received", "remaining")}
    totals["left_after_liens"] = sale.distributable - totals["liens_waterfall_total"]
    return {
        "deductions": tuple(deduction_row(d, name) for d in sale.deductions),
        "deductions_total": sale.deductions_total,
        "deductions_total_text": yen(sale.deductions_total),
        "distributable": sale.distributable, "distributable_text": yen(sale.distributable),
        "liens": liens, **with_texts(totals),
        "seizures": tuple(seizure_row(s, name) for s in sale.seizures),
        "surplus_to_debtor": sale.surplus_to_debtor,
        "surplus_to_debtor_text": yen(sale.surplus_to_debtor),
        "surplus_sentence": surplus_sentence(totals["left_after_liens"], sale.surplus_to_debtor),
    }


def with_texts(amounts: dict[str, int]) -> dict[str, Any]:
    """Each amount with its ``*_text`` twin (1,234,000円), the views' convention for money."""
    return {**amounts, **{k + "_text": yen(v) for k, v in amounts.items()}}


def surplus_sentence(left: int, surplus: int) -> str:
    """Where the money left after every lien goes: the 差押 (剰余からの配分) first, then the debtor
    (剰余金); "" when the liens took it all."""
    seized = left - surplus
    if not left:
        return ""
    if not seized:
        return SURPLUS.format(amount=kin(surplus))
    if not surplus:
        return SURPLUS_ALL_TO_SEIZURES.format(left=kin(left))
    return SURPLUS_AFTER_SEIZURES.format(left=kin(left), seized=kin(seized), amount=kin(surplus))


def deduction_label(code: str, label: str, creditor: str) -> str:
    """A deduction's wording in the 配分案: 抹消承諾料 (not ハンコ代), and for a public body's
    差押 the 納付 of the tax."""
    if code == "seizure_release" and creditor and is_public_body(creditor):
        return PUBLIC_SEIZURE_LABEL
    return DOC_LABELS.get(code, clean_text(label))


def deduction_row(d: Deduction, name: str) -> DeductionRow:
    label = deduction_label(d.code, d.label, d.creditor or "")
    return DeductionRow(d.code, label, clean_text(d.payee), clean_text(d.basis),
                        d.amount, yen(d.amount), is_addressee=d.creditor == name)



def lien_row(x: LienResult, name: str) -> LienRow:
    # No 抹消承諾料 is owed to the 順位1 lien or to a holder's own junior lien: 「—」, not 「0円」.
    fee_text = yen(x.release_fee) if x.release_fee else DASH
    return LienRow(x.rank, rank_text(x.rank), clean_text(x.creditor), x.kind,
                   x.claim, yen(x.claim), x.release_fee, fee_text,
                   x.waterfall, yen(x.waterfall), x.received, yen(x.received),
                   x.remaining, yen(x.remaining), is_addressee=x.creditor == name)


def seizure_row(s: SeizureResult, name: str) -> SeizureRow:
    return SeizureRow(clean_text(s.creditor), s.priority, "優先" if s.priority else "劣後",
                      s.claim, yen(s.claim), s.release_fee, yen(s.release_fee),
                      s.surplus_share, yen(s.surplus_share), s.received, yen(s.received),
                      s.remaining, yen(s.remaining), is_addressee=s.creditor == name)


def attachments(case: Case, config: Config, name: str = "",
                packets: Packets | None = None) -> tuple[str, ...]:
    """添付書類 of this recipient's letter (docs/outputs.md, who gets what): the 別紙 配分案, the
    scans its packet encloses (添付, by 書類名: docs/attachments.md), the 生活状況表 when this
    recipient gets it and no 返済申出書 (which then carries it), and the 回答書. Nothing is listed
    that is not in the packet: the fixed list of the configuration is retired."""
    household = clean_text(config.titles["household_statement"])
    scans = tuple(clean_text(t) for t in packets.scans_listed_in(SALE_REQUEST, name)) \
        if packets is not None else ()
    gets = packets is not None and packets.gets_household(name) and not packets.gets_proposal(name)
    return ("配分案（別紙）", *scans, *([household] if gets else []), REPLY_TITLE)


def request_text(liens: list[LienResult], seizures: list[SeizureResult], you: str,
                 case: Case | None = None, figures: Figures | None = None) -> str:
    """The request for consent: release of the lien(s) (抹消), and/or 差押解除 against its fee —
    to a public body, against 納付 of the tax (case_paths.tax_request)."""
    parts = []
    if liens:
        kinds = "・".join(dict.fromkeys(x.kind for x in liens))
        parts.append(LIEN_REQUEST.format(you=you, kinds=kinds))
    if seizures and case is not None and figures is not None and is_public_body(seizures[0].creditor):
        parts.append(tax_request(case, figures, seizures, you))
    elif seizures:
        parts.append(SEIZURE_REQUEST.format(payment=seizure_payment(seizures)))
    return "\n".join(parts)


def seizure_payment(seizures: list[SeizureResult]) -> str:
    """What the 差押 holder is paid at settlement: its 差押解除料, and its 剰余からの配分 when the
    liens left money for it (the total then stated too)."""
    fee, share = (sum(getattr(s, k) for s in seizures) for k in ("release_fee", "surplus_share"))
    if not share:
        return SEIZURE_PAYMENT.format(fee=kin(fee))
    return SEIZURE_PAYMENT_WITH_SHARE.format(fee=kin(fee), share=kin(share), total=kin(fee + share))


def auction_facts(case: Case) -> tuple[Fact, ...]:
    """競売の状況 rows: those of AUCTION_FACTS the workbook gives (dates in 和暦)."""
    facts = []
    for attr, label in AUCTION_FACTS:
        value = getattr(case.auction, attr)
        text = wareki(value) if isinstance(value, dt.date) else clean_text(value)
        if text:
            facts.append(Fact(label, text))
    return tuple(facts)


def auction_block(figures: Figures, rules: AuctionRules, name: str, you: str) -> AuctionBlock:
    """競売との比較 for the addressee ``name`` (docs/rules.md §2), assumptions printed."""
    a, sale = figures.auction, figures.sale
    first = next(x.creditor for x in sale.liens if x.rank == 1)
    at_auction = sum(r.amount for r in a.recoveries if r.creditor == name)
    by_sale = sum(x.received for x in sale.liens if x.creditor == name)
    # The 順位1 holder's own figures are already the main rows; a 差押 holder has no lien to compare.
    compare = name != first and any(x.creditor == name for x in sale.liens)
    figures_ = {
        "market_value": a.market_value, "base_price": a.base_price, "min_bid": a.min_bid,
        "expected_bid": a.expected_bid, "procedure_cost": a.procedure_cost,
        "priority_taxes": a.priority_taxes, "pool": a.pool,
        "first_lien_auction": a.first_lien_recovery, "first_lien_sale": a.sale_first_lien_recovery,
        "advantage": a.advantage, "addressee_auction": at_auction if compare else 0,
        "addressee_sale": by_sale if compare else 0,
        "addressee_advantage": by_sale - at_auction if compare else 0,
    }
    return AuctionBlock(
        rows=auction_rows(a, rules, clean_text(first)), base_price_given=a.base_price_given,
        min_bid_given=a.min_bid_given, first_lien_creditor=clean_text(first),
        has_addressee_comparison=compare,
        addressee_rows=_addressee_auction_rows(at_auction, by_sale, you) if compare else (),
        assumptions_text=clean_text(a.assumptions_text),
        **with_texts(figures_))


def _row(label: str, amount: int, note: str = "") -> LabelledAmount:
    return LabelledAmount(label, amount, yen(amount), note)


def auction_rows(a: AuctionComparison, rules: AuctionRules,
                 first: str) -> tuple[LabelledAmount, ...]:
    """The comparison table: how the auction estimate is reached, then the 順位1 holder's gain.
    Each row carries its 算出根拠, so the assumptions (docs/rules.md §2, config [auction]) are
    printed where they are used."""
    rows = [
        _row("査定価格", a.market_value, AUCTION_BASIS["market"]),
        _row("売却基準価額", a.base_price, _given_or(a.base_price_given, AUCTION_BASIS["base"].format(
            kept=ratio(1 - a.market_discount), discount=ratio(a.market_discount)))),
        _row("買受可能価額", a.min_bid, _given_or(a.min_bid_given, AUCTION_BASIS["min_bid"].format(
            ratio=ratio(rules.min_bid_ratio)))),
        _row("落札見込額", a.expected_bid,
             AUCTION_BASIS["expected"].format(ratio=ratio(a.expected_bid_ratio))),
        _row("競売手続費用（予納金）", a.procedure_cost,
             clean_text(a.procedure_cost_basis) or  # the 執行裁判所's table (docs/rules.md §2)
             AUCTION_BASIS["cost"].format(source=clean_text(rules.procedure_cost_source))),
    ]
    if a.priority_taxes:
        rows.append(_row("優先する税等", a.priority_taxes, AUCTION_BASIS["taxes"]))
    pool_basis = AUCTION_BASIS["pool_taxes" if a.priority_taxes else "pool"]
    rows += [
        _row("抵当権者への配当見込額", a.pool, pool_basis),
        _row(f"第1順位 {first} 競売時の回収見込額", a.first_lien_recovery, AUCTION_BASIS["at_auction"]),
        _row(f"第1順位 {first} 任意売却時の回収額", a.sale_first_lien_recovery, AUCTION_BASIS["by_sale"]),
        _row("任意売却による回収増加額", a.advantage, AUCTION_BASIS["advantage"]),
    ]
    return tuple(rows)


def _given_or(given: bool, estimate: str) -> str:
    return AUCTION_BASIS["given"] if given else estimate


def _addressee_auction_rows(at_auction: int, by_sale: int,
                            you: str) -> tuple[LabelledAmount, ...]:
    return (_row(f"{you} 競売時の回収見込額", at_auction, AUCTION_BASIS["at_auction"]),
            _row(f"{you} 任意売却時の回収額", by_sale, AUCTION_BASIS["by_sale"]),
            _row("任意売却による回収増加額", by_sale - at_auction, AUCTION_BASIS["advantage"]))


