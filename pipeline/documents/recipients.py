"""Who gets what (送付物): the letters of a case, per creditor name, and the case's path.

A document goes only to those who need it (docs/outputs.md, 「送付先と同封書類」):

- 任意売却に関する同意申請書 (with its 別紙 配分案 and 回答書): every creditor name holding a
  抵当権・根抵当権・差押;
- 残債務の返済に関する申出書: every creditor name with remaining debt in the repayment plan — none
  in bankruptcy, where what the sale leaves unpaid is a 破産債権 discharged by 免責 (破産法253条);
- 生活状況表: it supports the repayment proposal, so by default only to the creditors that get one;
  each creditor's profile may say otherwise (``household_statement``: with_proposal / with_letter /
  never), and in bankruptcy it is sent only when ``[documents] household_statement_in_bankruptcy``.

The case path decides the wording of the letters: 競売中 (開札期日 or 事件番号 given), 破産
(破産手続 あり), and for each 差押 holder whether it is a public body (税務署・市役所 …), to whom
the letter speaks of 納付 and 差押の解除 rather than of a 解除料.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.compute.figures import Figures
from pipeline.config import Config
from pipeline.documents.format import you_word
from pipeline.read.models import Case, Creditor

#: The 「貴〇」 of public bodies that seize for taxes and social insurance (format.YOU_BY_SUFFIX):
#: a letter to them speaks of 納付 of the tax and 差押の解除 (国税徴収法79条), not of a 解除料.
PUBLIC_YOU = frozenset({"貴署", "貴局", "貴所", "貴市", "貴区", "貴町", "貴村", "貴都", "貴道",
                        "貴府", "貴県", "貴庁"})


@dataclass(frozen=True, slots=True)
class Packets:
    """The recipients of each kind of document, each name once, in letter order."""

    letters: tuple[str, ...]  # 同意申請書
    proposals: tuple[str, ...]  # 残債務の返済に関する申出書
    household: tuple[str, ...]  # 生活状況表

    def gets_household(self, name: str) -> bool:
        return name in self.household

    def gets_proposal(self, name: str) -> bool:
        return name in self.proposals


def plan_packets(case: Case, figures: Figures, config: Config) -> Packets:
    """Who gets which document (the module's rules)."""
    letters = sale_request_creditors(figures)
    proposals = () if case.bankruptcy else proposal_creditors(figures)
    everyone = tuple(dict.fromkeys(letters + proposals))
    if case.bankruptcy and not config.documents.household_statement_in_bankruptcy:
        household: tuple[str, ...] = ()
    else:
        household = tuple(n for n in everyone if _wants_household(case, config, n, proposals))
    return Packets(letters, proposals, household)


def _wants_household(case: Case, config: Config, name: str, proposals: tuple[str, ...]) -> bool:
    """The profile of the name's first row decides; in bankruptcy (no proposals) a configured
    statement goes with the letter."""
    rule = config.profiles[profile_of(case, name)].household_statement
    if rule == "never":
        return False
    if rule == "with_letter" or case.bankruptcy:
        return True
    return name in proposals


def profile_of(case: Case, name: str) -> str:
    rows = rows_of(case, name)
    return rows[0].profile if rows else "standard"


def rows_of(case: Case, name: str) -> list[Creditor]:
    """The creditor's rows: liens in 順位 order, then 差押, then the rest."""
    return [c for c in case.liens + case.seizures + case.unsecured if c.name == name]


def sale_request_creditors(figures: Figures) -> tuple[str, ...]:
    """Creditor names holding a 抵当権/根抵当権/差押: liens by 順位, then 差押; each name once
    (docs/outputs.md: one letter per 債権者名 covering all its rows)."""
    names = [lien.creditor for lien in figures.sale.liens]
    names += [seizure.creditor for seizure in figures.sale.seizures]
    return tuple(dict.fromkeys(names))


def proposal_creditors(figures: Figures) -> tuple[str, ...]:
    """Creditor names with remaining debt in the repayment plan, in 順位 order, each once."""
    return tuple(dict.fromkeys(s.creditor for s in figures.repayment.plan if s.remaining > 0))


def in_auction(case: Case) -> bool:
    """競売中: the workbook gives the 開札期日 or the 事件番号 (issue 13, path 1)."""
    return case.auction.opening_date is not None or bool((case.auction.case_number or "").strip())


def is_public_body(name: str) -> bool:
    """A 税務署・市役所・年金事務所 … (by the 「貴〇」 its name gives)."""
    return you_word(name) in PUBLIC_YOU
