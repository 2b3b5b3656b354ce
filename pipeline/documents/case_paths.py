"""The wording of a 同意申請書 by case path (issue 13; docs/outputs.md 「案件の類型と文面」).

- 競売中 (開札期日 or 事件番号): every letter says the property is in auction (執行裁判所, 事件番号);
  the letter to the 申立債権者 alone asks it to withdraw the auction (取下げ) upon settlement.
- 破産 (破産手続 あり): the seller is the 破産管財人, who sells with the court's permission
  (破産法78条2項); the letter is made for the 管財人, not as the debtor's own request.
- 差押 by a public body (税務署・市役所 …): the letter speaks of 納付 of the tax and 差押の解除;
  when the office would recover nothing at auction it shows that figure and asks it to consider
  the release in the light of 国税徴収法79条1項2号 (and 48条2項) — a request, not a demand.
- Every letter: the creditor's 債権番号, the 回答期限 and the 回答書 (reply slip).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pipeline.compute.figures import Figures, SeizureResult
from pipeline.documents.format import clean_text, kin, wareki, yen
from pipeline.documents.recipients import in_auction, is_public_body, rows_of
from pipeline.read.models import Case

# --- 競売中 ----------------------------------------------------------------------------------
AUCTION_NOTICE = "なお、本物件は現在、{where}競売手続中です{number}。"
AUCTION_WITHDRAWAL = ("また、{you}におかれましては、決済時に上記配分額をお受け取りいただくのと引換えに、"
                      "上記競売事件の申立てを取り下げていただきますようお願い申し上げます"
                      "（取下げにより差押登記は裁判所書記官の嘱託により抹消されます。民事執行法54条1項・188条）。")
AUCTION_COSTS = "{you}が支出された競売申立費用{amount}は、別紙配分案（１）のとおり売却代金から{you}にお支払いします。"

# --- 破産 ------------------------------------------------------------------------------------
BANKRUPT_INTRO = ("破産者{debtor}（{case_ref}）の破産管財人{trustee}は、破産財団に属する下記不動産を"
                  "{price}にて任意売却いたしたく（破産法78条2項に基づく裁判所の許可を得て行います）、"
                  "別紙配分案により御同意賜りますようお願い申し上げます。")
BANKRUPT_ESTATE = "売却代金のうち{amount}は、破産財団組入金として破産財団に組み入れます。"
BANKRUPT_REMAINING = ("担保権の抹消後に残る{you}の債権は、破産手続において破産債権として"
                      "取り扱われます。")

# --- 公租公課の差押 --------------------------------------------------------------------------
TAX_REQUEST = ("つきましては、本件売却及び配分案を御承諾いただき、決済時に{what}を納付いたしますので、"
               "差押えを解除し、差押登記の抹消を嘱託していただきますようお願い申し上げます。")
TAX_ALL = "滞納税等の全額{amount}"
TAX_PART = "滞納税等のうち{amount}"
TAX_REST = "納付後なお残る滞納税等{amount}につきましては、債務者より別途納付の御相談をさせていただきます。"
#: 無益な差押え: stated as a request to consider (the 高松高裁 平成11年7月19日 judgment held such a
#: seizure not necessarily unlawful; docs/rules.md §7), with the figure the office would get.
FUTILE_SEIZURE = ("なお、本物件が競売により売却された場合の{you}への配当見込額は{recovery}と試算されます"
                  "（落札見込額{bid}から競売手続費用{cost}及び{you}の差押えに先立つ担保権等の債権額"
                  "{prior}を控除すると、剰余が見込めません。別紙（参考）競売との比較の前提によります）。"
                  "差押財産の価額が先立つ債権の合計額を超える見込みがない場合について定める"
                  "国税徴収法第79条第1項第2号及び第48条第2項（地方税については同法の例によります）の"
                  "趣旨も踏まえ、上記の納付による差押えの解除につき御検討賜りますようお願い申し上げます。")

# --- 回答 ------------------------------------------------------------------------------------
REPLY_BY = "お手数ですが、同封の回答書により{deadline}までに御回答くださいますようお願い申し上げます。"
REPLY = "お手数ですが、同封の回答書により御回答くださいますようお願い申し上げます。"
REPLY_SLIP_TEXT = ("{debtor}所有の下記不動産の任意売却につき、{date}付「{title}」及び別紙配分案の内容に"
                   "ついて、次のとおり回答します。")
REPLY_SLIP_TEXT_BANKRUPT = ("破産者{debtor}の破産管財人{trustee}による下記不動産の任意売却につき、{date}付"
                            "「{title}」及び別紙配分案の内容について、次のとおり回答します。")
REPLY_CHOICES = ("□　同意します。", "□　同意しません。",
                 "□　次の条件を付して同意します。（条件：　　　　　　　　　　　　　　　　　　　　）")
#: 買主との関係 as practice writes it: a creditor reads 「なし」 as 「利害関係のない第三者」, and
#: checks a sale to a relative (親子間売買) more closely.
BUYER_RELATION = {"なし": "債務者と利害関係のない第三者", "親族": "債務者の親族",
                  "知人": "債務者の知人", "勤務先": "債務者の勤務先",
                  "その他": "その他（別途御説明します）"}


@dataclass(frozen=True, slots=True)
class TrusteeBlock:
    """破産管財人 (the seller in bankruptcy)."""

    name: str
    office: str  # "" when none
    phone: str  # "" when none
    case_number: str  # 破産事件番号, "" when none
    court: str  # 破産裁判所, "" when none
    debtor_line: str  # 「破産者 〇〇 破産管財人」


@dataclass(frozen=True, slots=True)
class OwnerRow:
    """所有者 (when the owners are not only the debtor)."""

    name: str
    address: str
    share: str  # 持分 as 「2分の1」


@dataclass(frozen=True, slots=True)
class ReplySlip:
    """回答書: the last page of the 同意申請書, returned by the creditor."""

    title: str  # 回答書
    addressee: str  # to whom it is returned: our company (or the 破産管財人) 御中/様
    text: str
    choices: tuple[str, ...]
    reference: str  # 債権番号 line, "" when none
    deadline_text: str  # "" when no 回答期限
    creditor: str  # printed above the 記名押印 space


def trustee_block(case: Case) -> TrusteeBlock | None:
    if not case.bankruptcy:
        return None
    b = case.bankruptcy_case
    debtor = clean_text(case.debtor.name)
    return TrusteeBlock(clean_text(b.trustee), clean_text(b.trustee_office),
                        clean_text(b.trustee_phone), clean_text(b.case_number),
                        clean_text(b.court), f"破産者 {debtor} 破産管財人")


def owner_rows(case: Case) -> tuple[OwnerRow, ...]:
    """所有者, printed only when the owners are not the debtor alone."""
    owners = case.owners
    debtor = clean_text(case.debtor.name)
    if not owners or (len(owners) == 1 and clean_text(owners[0].name) == debtor):
        return ()
    return tuple(OwnerRow(clean_text(o.name), clean_text(o.address), clean_text(o.share))
                 for o in owners)


def loan_numbers(case: Case, name: str) -> str:
    """The creditor's 債権番号 (all its rows, each once); "" when none is given."""
    numbers = [clean_text(r.loan_number) for r in rows_of(case, name) if r.loan_number]
    return "、".join(dict.fromkeys(n for n in numbers if n))


def reference_line(you: str, numbers: str) -> str:
    return f"（{you}債権番号　{numbers}）" if numbers else ""


def reply_text(case: Case) -> str:
    d = case.reply_deadline
    return REPLY_BY.format(deadline=wareki(d)) if d is not None else REPLY


def intro_text(case: Case, price_kin: str, plain: str) -> str:
    """The opening: the 管財人's sale in bankruptcy, else the debtor's (``plain``); then, in
    auction, that the property is in auction."""
    trustee = trustee_block(case)
    if trustee is not None:
        ref = "・".join(p for p in (trustee.court, trustee.case_number) if p) or "破産事件"
        text = BANKRUPT_INTRO.format(debtor=clean_text(case.debtor.name), case_ref=ref,
                                     trustee=trustee.name or "", price=price_kin)
    else:
        text = plain
    if in_auction(case):
        court = clean_text(case.auction.court)
        number = clean_text(case.auction.case_number)
        text += "\n" + AUCTION_NOTICE.format(where=f"{court}において" if court else "",
                                             number=f"（事件番号 {number}）" if number else "")
    return text


def is_applicant(case: Case, name: str) -> bool:
    return in_auction(case) and clean_text(case.auction.applicant) == clean_text(name) != ""


def path_requests(case: Case, figures: Figures, name: str, you: str) -> list[str]:
    """Sentences after the request for consent: 取下げ (applicant), 破産 notes."""
    out = []
    if is_applicant(case, name):
        out.append(AUCTION_WITHDRAWAL.format(you=you))
        costs = sum(d.amount for d in figures.sale.deductions
                    if d.code == "auction_costs" and d.creditor == name)
        if costs:
            out.append(AUCTION_COSTS.format(you=you, amount=kin(costs)))
    if case.bankruptcy:
        estate = sum(d.amount for d in figures.sale.deductions if d.code == "bankruptcy_estate")
        if estate:
            out.append(BANKRUPT_ESTATE.format(amount=kin(estate)))
        if any(x.creditor == name and x.remaining > 0 for x in figures.sale.liens):
            out.append(BANKRUPT_REMAINING.format(you=you))
    return out


def tax_request(case: Case, figures: Figures, seizures: list[SeizureResult], you: str) -> str:
    """To a public body: 納付 of the tax and 差押の解除 (no 解除料), the rest left to pay, and the
    無益な差押え figure when the office would get nothing at auction."""
    paid = sum(s.received for s in seizures)
    claim = sum(s.claim for s in seizures)
    what = TAX_ALL if paid >= claim else TAX_PART
    parts = [TAX_REQUEST.format(what=what.format(amount=kin(paid)))]
    if paid < claim and not case.bankruptcy:
        parts.append(TAX_REST.format(amount=kin(claim - paid)))
    rows = {s.row for s in seizures}
    found = [r for r in figures.auction.seizure_recoveries if r.row in rows]
    if found and all(r.futile for r in found):
        a = figures.auction
        # what ranks before this 差押: the 優先 差押, and the liens unless it is 優先 itself
        prior = a.priority_taxes - sum(s.claim for s in seizures if s.priority)
        if not any(s.priority for s in seizures):
            prior += sum(x.claim for x in figures.sale.liens)
        parts.append(FUTILE_SEIZURE.format(you=you, recovery=kin(0), bid=kin(a.expected_bid),
                                           cost=kin(a.procedure_cost), prior=kin(prior)))
    return "\n".join(parts)


def seizure_fee_label(names: list[str]) -> str:
    """Column and line label of what a 差押 holder is paid: 「納付額」 to public bodies only."""
    if names and all(is_public_body(n) for n in names):
        return "解除時の納付額"
    return "差押解除料"


def buyer_relation_text(case: Case) -> str:
    return BUYER_RELATION.get(case.buyer_relation or "", "")


def money_or_blank(amount: int | None) -> str:
    return yen(amount) if amount is not None else ""


def date_or_blank(d: dt.date | None) -> str:
    return wareki(d) if d is not None else ""
