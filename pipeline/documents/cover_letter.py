"""00 送付状 (cover_letter): the first page of each creditor's packet (送付書類一式).

It says what the packet holds: every enclosed document with its page count and the total number
of pages including itself as 「N枚」, so a creditor receiving it by FAX can tell that nothing is
missing. Page counts are known only after the documents are rendered: the view takes them as
input (``Enclosed``), and the batch renders the 送付状 last (docs/outputs.md, the packet).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.documents.common import (
    COVER_LETTER,
    BaseView,
    CaseCommon,
    CompanyBlock,
    CreditorBlock,
    DebtorBlock,
    addressee_line,
    creditor_block,
    negotiation_round,
)
from pipeline.documents.format import clean_text, round_text

#: The greeting and the request to check the enclosures (拝啓 … 敬具, the form of a business letter).
#: 標記の件 is the 件名 above it.
MESSAGE = ("拝啓　時下ますますご清祥のこととお慶び申し上げます。平素は格別のご高配を賜り、厚く御礼申し上げます。\n"
           "標記の件につきまして、下記の書類をお送りいたします。ご査収のほど、よろしくお願い申し上げます。")
SUBJECT = "債務者　{debtor}　所有不動産の任意売却の件"
#: Who to call when a page is missing or unreadable (a FAX often loses one).
CONTACT = "書類に不足や読み取れない箇所がございましたら、{who}までご連絡ください。"


@dataclass(frozen=True, slots=True)
class Enclosed:
    """One document of the packet, as the batch rendered it: its 書類名 and its pages."""

    title: str
    pages: int


@dataclass(frozen=True, slots=True)
class EnclosureRow:
    """送付書類 table row."""

    number: int  # 1, 2, … in packet order
    title: str  # 書類名
    pages: int
    pages_text: str  # 「3枚」


@dataclass(frozen=True, slots=True)
class CoverLetterView(BaseView):
    """00 送付状 to one creditor: what its packet encloses, page by page."""

    company: CompanyBlock
    debtor: DebtorBlock
    creditor: CreditorBlock
    fax: str  # FAX番号 of the configuration's [company], "" when none
    subject: str  # 件名
    message_text: str  # the greeting and request (paragraphs separated by newlines)
    enclosures: tuple[EnclosureRow, ...]
    own_pages: int  # pages of this 送付状 itself (1, or 2 with a long list)
    total_pages: int  # = own_pages + the enclosures' pages
    total_pages_text: str  # 「7枚」
    contact_text: str
    round: int = 1  # 第N回 of the letters to this creditor (common.negotiation_round)
    round_text: str = ""  # 「（第2回）」, printed after the 件名; "" for the first send


def build_cover_letter(common: CaseCommon, name: str, enclosed: Sequence[Enclosed],
                       own_pages: int = 1) -> CoverLetterView:
    """送付状 to ``name`` for a packet of ``enclosed`` (in packet order).

    ``own_pages``: the pages this 送付状 takes when rendered; the batch renders it with 1,
    counts, and renders again with the count when the list made it longer (the total includes
    the 送付状, as a FAX cover's 送信枚数 does).
    """
    if own_pages < 1 or any(e.pages < 1 for e in enclosed):
        raise ValueError("every part of a packet has at least one page")
    creditor = creditor_block(common.case, name)
    total = own_pages + sum(e.pages for e in enclosed)
    round_ = negotiation_round(common.case, name)
    # The 件名 says the round: the 送付状 is the page a creditor files the packet by.
    subject = SUBJECT.format(debtor=common.debtor.name) + round_text(round_)
    company = common.company
    fax = clean_text(common.config.company.fax)
    return CoverLetterView(
        **common.header(COVER_LETTER, name), addressee=addressee_line(creditor),
        creditor=creditor, fax=fax, subject=subject,
        message_text=MESSAGE,
        enclosures=tuple(EnclosureRow(n, clean_text(e.title), e.pages, sheets(e.pages))
                         for n, e in enumerate(enclosed, start=1)),
        own_pages=own_pages, total_pages=total, total_pages_text=sheets(total),
        contact_text=CONTACT.format(who=_contact(company, fax)),
        round=round_, round_text=round_text(round_))


def sheets(pages: int) -> str:
    """「3枚」: pages as a FAX or a mailing counts them (one side of A4 each)."""
    return f"{pages:,}枚"


def _contact(company: CompanyBlock, fax: str) -> str:
    """「担当　山田（電話 03-…／FAX 03-…）」, with only the parts the configuration gives."""
    lines = "／".join(p for p in (company.phone and f"電話 {company.phone}",
                                  fax and f"FAX {fax}") if p)
    who = f"担当　{company.staff}" if company.staff else "当社"
    return f"{who}（{lines}）" if lines else who
