"""What every document of a case shares: the addressee, sender and debtor blocks, the header
fields every view starts with, and the JSON form of a view (case.json entries, golden files)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from pipeline.compute.figures import (
    Figures,
)
from pipeline.config import Config
from pipeline.documents.format import (
    clean_text,
    honorific,
    honorific_addressee,
    safe_filename,
    wareki,
)
from pipeline.read.models import Case, Creditor

# --------------------------------------------------------------------------------------------
# Blocks shared by the three kinds
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CreditorBlock:
    """宛先: the addressee's parts. ``honorific`` is 御中 (organisation) or 様 (named officer)."""

    name: str  # 債権者名, exactly as typed (cleaned)
    department: str  # 部署, "" when none
    officer: str  # 担当者, "" when none
    honorific: str  # 御中 / 様 — never both (docs/outputs.md)
    address: str  # 住所, "" when none
    phone: str  # 電話, "" when none


@dataclass(frozen=True, slots=True)
class CompanyBlock:
    """差出人: our company (from the configuration) and the staff member in charge (案件 担当者)."""

    name: str
    address: str
    phone: str
    license_no: str  # 宅地建物取引業免許番号, e.g. 東京都知事(1)第12345号
    representative: str  # 代表者
    staff: str  # 担当者 = case.staff


@dataclass(frozen=True, slots=True)
class DebtorBlock:
    """債務者 (and 連帯債務者・保証人 as free text)."""

    name: str
    kana: str  # "" when none
    address: str
    phone: str  # "" when none
    co_debtors: str  # 連帯債務者・保証人, "" when none


@dataclass(frozen=True, slots=True)
class Fact:
    """A label with a ready-made text, for rows that come and go (競売事件番号, 開札期日)."""

    label: str
    text: str


@dataclass(frozen=True, slots=True)
class LabelledAmount:
    """A label with an amount, for simple two-column tables (競売比較, totals)."""

    label: str
    amount: int
    amount_text: str
    note: str = ""  # 算出根拠, e.g. 裁判所の公告による / 査定価格×70%（競売市場修正30%）


@dataclass(frozen=True, slots=True)
class BaseView:
    """What every document view starts with, and its case.json entry and JSON form.

    The fields come first in every view, in this order (the key order of the golden files).
    """

    kind: str  # sale_request / household_statement / repayment_proposal
    template: str  # the template's name, = kind
    title: str
    filename_stem: str
    case_id: str
    #: 案: the case has a warning of severity high (重要), so every page of the document carries
    #: the 「案」 mark (docs/outputs.md) until the workbook no longer raises it
    draft: bool
    date: dt.date
    date_text: str  # 和暦 document date (figures.document_date)
    #: full line: 「〇〇銀行 債権管理部 御中」 / 「〇〇銀行 債権管理部 山田太郎 様」; "" for the
    #: 生活状況表, which is not addressed
    addressee: str

    def document_entry(self) -> dict[str, Any]:
        """case.json ``documents`` entry. ``addressee`` is the 債権者名 (None for 生活状況表);
        ``sent_to`` the creditor names that get this file (docs/outputs.md, who gets what)."""
        creditor = getattr(self, "creditor", None)  # a CreditorBlock on addressed views
        sent_to = [creditor.name] if creditor is not None else list(getattr(self, "recipients", ()))
        return {"kind": self.kind, "addressee": creditor.name if creditor is not None else None,
                "sent_to": sent_to,
                "docx": self.filename_stem + ".docx", "pdf": self.filename_stem + ".pdf"}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (dates ISO, Decimal as str, tuples as lists), fields in view order."""
        return _plain(asdict(self))

    def as_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"



# --------------------------------------------------------------------------------------------
# Serialisation (case.json entries, golden files)
# --------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-ready: dates ISO, Decimal as str (exact), tuples as lists."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


# --------------------------------------------------------------------------------------------
# Builders: pure functions of (case, figures, config)
# --------------------------------------------------------------------------------------------

SALE_REQUEST = "sale_request"
HOUSEHOLD_STATEMENT = "household_statement"
REPAYMENT_PROPOSAL = "repayment_proposal"
COVER_LETTER = "cover_letter"  # 送付状, the first page of a creditor's packet
#: File name prefix of each kind (docs/outputs.md folder layout: 00_…, 01_…, 02_…, 03_…).
PREFIX = {COVER_LETTER: "00", SALE_REQUEST: "01", HOUSEHOLD_STATEMENT: "02",
          REPAYMENT_PROPOSAL: "03"}


@dataclass(frozen=True, slots=True)
class CaseCommon:
    """What every document of a case shares: inputs, sender, debtor, date."""

    case: Case
    figures: Figures
    config: Config
    company: CompanyBlock
    debtor: DebtorBlock

    @classmethod
    def of(cls, case: Case, figures: Figures, config: Config) -> CaseCommon:
        return cls(case, figures, config, company_block(case, config), debtor_block(case))

    def title(self, kind: str) -> str:
        return clean_text(self.config.titles[kind])

    def stem(self, kind: str, creditor: str | None = None) -> str:
        """``01_<title>_<creditor>`` (docs/outputs.md), each part made file-name safe."""
        parts = [PREFIX[kind], safe_filename(self.title(kind))]
        return "_".join(parts + ([safe_filename(creditor)] if creditor is not None else []))

    def header(self, kind: str, creditor: str | None = None) -> dict[str, Any]:
        """The fields every view starts with."""
        when = self.figures.document_date
        return {"kind": kind, "template": kind, "title": self.title(kind),
                "filename_stem": self.stem(kind, creditor), "case_id": self.case.case_id,
                "draft": is_draft(self.figures), "date": when, "date_text": wareki(when), "company": self.company,
                "debtor": self.debtor}


def is_draft(figures: Figures) -> bool:
    """案: a 重要 (high) warning stands, so the letters may not go out as they are.

    ``ninbai approve`` refuses the same cases (pipeline/batch/approve.py), from the warnings the
    manifest recorded for them.
    """
    return any(w.severity == "high" for w in figures.warnings)


def company_block(case: Case, config: Config) -> CompanyBlock:
    """差出人 from the configuration's [company], 担当者 from the case (案件 担当者)."""
    company = config.company
    return CompanyBlock(
        name=clean_text(company.name), address=clean_text(company.address),
        phone=clean_text(company.phone), license_no=clean_text(company.license_no),
        representative=clean_text(company.representative), staff=clean_text(case.staff))


def debtor_block(case: Case) -> DebtorBlock:
    d = case.debtor
    return DebtorBlock(clean_text(d.name), clean_text(d.kana), clean_text(d.address),
                       clean_text(d.phone), clean_text(case.co_debtors))


def creditor_block(case: Case, name: str) -> CreditorBlock:
    """The addressee's parts; a name on several rows takes each part from its first row that has
    it (rows in 順位 order, then 差押, then the rest)."""
    rows = _rows_of(case, name)

    def first(attr: str) -> str:
        return next((clean_text(v) for r in rows if (v := getattr(r, attr))), "")

    officer = first("officer")
    return CreditorBlock(clean_text(name), first("department"), officer, honorific(officer),
                         first("address"), first("phone"))


def _rows_of(case: Case, name: str) -> list[Creditor]:
    ordered = case.liens + case.seizures + case.unsecured
    return [c for c in ordered if c.name == name]


def addressee_line(block: CreditorBlock) -> str:
    return honorific_addressee(block.name, block.department, block.officer)

def rank_text(rank: int) -> str:
    return f"第{rank}順位"


def negotiation_round(case: Case, name: str) -> int:
    """第N回: the round the letters to creditor ``name`` belong to (issue 16, docs/outputs.md).

    One more than the rounds already sent to it: its 交渉 rows that have a 送付日. A row without
    送付日 is a round planned (or being prepared now), not yet sent, so it does not count; two
    rows of one 回 (a round sent again) count once."""
    sent = {r.round for r in case.rounds_of(name) if r.sent_on is not None}
    return 1 + len(sent)

