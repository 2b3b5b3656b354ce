"""版の比較: what changed between a case's approved revision and its newer one (X/ and X/rev2/).

``compare_case(batch_dir, case_id)`` is what the case page shows when a case has a revision newer
than the one approved: every figure that differs (from the two case.json files, as labelled
Japanese rows, old → new, formatted as the documents format them), the wording that differs in
each document (the Word files' text, side by side, ``pipeline.batch.docxtext``), the files that
differ with no change shown above (a replaced scan in a packet, a PDF laid out by another
version), and ``identical``.

**What "identical" means.** A revision is identical to the approved one when its files are the
approved files: the same names with the same sha256, every one (case.json, each .docx and .pdf,
each packet with its scans). The builds are reproducible — the Word files carry the document
date as their zip times and WeasyPrint, pydyf and the packet assembly write no clock — so an
unchanged input builds the same bytes, and a rebuild that gives the approved bytes again goes
back to the approved revision instead of making a new one (``pipeline.batch.plan``): the
approval then covers exactly the files it names, as always. Figures and wording alone are not
"content": a PDF laid out again by a newer WeasyPrint, or a packet whose scan was replaced by one
that looks alike, has the same words and is not what the approver saw; such a revision lists
those files under ``other_files`` and needs its own approval. docs/outputs.md says the same.

Everything here only reads: the comparison is drawn from the batch folder as it is, and files
are read only inside it, never through a link, and within a size limit.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.batch.docxtext import DocxTextError, docx_lines
from pipeline.batch.manifest import (
    PACKET_PREFIX,
    Approval,
    InputRecord,
    Manifest,
    approval_holds,
    load_approvals,
    read_manifest,
    sha256_bytes,
)
from pipeline.batch.review import KIND_LABELS
from pipeline.compute.money import DASH, yen
from pipeline.documents.format import months, wareki, wareki_month, years

#: A file of a case folder larger than this is not one ninbai wrote (a packet is a few MB).
FILE_LIMIT = 256 * 2**20
#: Unchanged lines shown around each change in the side-by-side text; longer runs are folded.
CONTEXT_LINES = 1
#: How a document's change is named on the page.
CHANGE_LABELS = {"changed": "変更", "added": "追加", "removed": "削除"}
CASE_JSON = "case.json"
#: A break-even price that no trial price reaches (summary.xlsx says the same).
NOT_REACHED = "該当なし"


@dataclass(frozen=True)
class FigureChange:
    """One figure that differs: 配分案 / 売却価格 / 14,000,000円 → 15,000,000円 (「—」: none)."""

    section: str  # 案件, 配分案, 競売との比較, 生活状況表, 返済計画, 損益分岐価格, 警告, 送付書類一式
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class Segment:
    """A piece of a line of text; ``changed`` marks the characters that differ (to highlight)."""

    text: str
    changed: bool


@dataclass(frozen=True)
class DiffRow:
    """One row of the side-by-side text.

    ``kind``: ``same`` (context), ``changed`` (old and new), ``removed`` (old only), ``added``
    (new only), or ``skipped`` (``skipped`` unchanged lines folded away, no text). Line numbers
    count the lines of ``docx_lines`` from 1.
    """

    kind: str
    old_no: int | None
    old: tuple[Segment, ...]
    new_no: int | None
    new: tuple[Segment, ...]
    skipped: int = 0


@dataclass(frozen=True)
class DocumentDiff:
    """The wording of one document that differs (``change``: changed, added or removed)."""

    name: str  # the Word file's name (the newer revision's; the older one's when removed)
    title: str  # 任意売却に関する同意申請書（東都みらい銀行）
    change: str
    rows: tuple[DiffRow, ...]

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS[self.change]


@dataclass(frozen=True)
class RevisionComparison:
    """A case's current revision against its latest approved earlier one (see the module)."""

    case_id: str
    approval: Approval  # the approval of the older revision (who, when, override)
    approved_folder: str
    approved_revision: int
    current_folder: str
    current_revision: int
    figures: tuple[FigureChange, ...]
    documents: tuple[DocumentDiff, ...]
    #: files that differ with no figure or wording shown for them (a scan, a PDF's layout …)
    other_files: tuple[str, ...]
    #: Japanese: a file that could not be read for the comparison (it is then not identical)
    problems: tuple[str, ...]
    #: the current revision's files are the approved files, byte for byte (shown as approved)
    identical: bool


# ---------------------------------------------------------------------------------------------
# The case's revisions
# ---------------------------------------------------------------------------------------------


def compare_case(batch_dir: Path, case_id: str, manifest: Manifest | None = None,
                 approvals: list[Approval] | None = None) -> RevisionComparison | None:
    """The comparison of the case's current revision with its latest approved earlier one.

    None when there is nothing to compare: no such case with documents, the current revision is
    itself approved (and its files still as approved), or no earlier revision is approved with its
    files intact. ``manifest`` and ``approvals`` default to the batch folder's (read here; a
    damaged state file raises ``StateFileError`` with its Japanese message).
    """
    manifest = manifest if manifest is not None else read_manifest(batch_dir)
    approvals = approvals if approvals is not None else load_approvals(batch_dir)
    record = manifest.find(case_id) if manifest is not None else None
    if record is None or record.status == "error":
        return None
    if any(a.folder == record.folder and approval_holds(batch_dir, a) for a in approvals):
        return None
    approval = approved_before(batch_dir, record, approvals)
    if approval is None:
        return None
    return compare_revisions(batch_dir, record, approval)


def approved_before(batch_dir: Path, record: InputRecord,
                    approvals: list[Approval]) -> Approval | None:
    """The approval of the case's latest revision older than the current one whose files are
    still as approved (the one the current revision is compared with)."""
    earlier = [a for a in approvals if a.case_id == record.case_id and a.folder != record.folder
               and a.revision < record.revision and approval_holds(batch_dir, a)]
    return max(earlier, key=lambda a: a.revision, default=None)


def compare_revisions(batch_dir: Path, record: InputRecord,
                      approval: Approval) -> RevisionComparison:
    """Compare the record's current folder with the approved folder of ``approval``."""
    problems: list[str] = []
    old_folder, new_folder = _Folder(batch_dir, approval.folder), _Folder(batch_dir, record.folder)
    old_json, new_json = old_folder.case_json(problems), new_folder.case_json(problems)
    figures = tuple(figure_changes(old_json, new_json))
    documents = tuple(_document_diffs(old_folder, new_folder, old_json, new_json, problems))
    current = new_folder.digests([Path(o["path"]).name for o in record.outputs], problems)
    identical = not problems and current == approval.files
    other = () if identical else _unexplained(approval.files, current, figures, documents)
    return RevisionComparison(
        record.case_id or "", approval, approval.folder, approval.revision, record.folder,
        record.revision, figures, documents, other, tuple(problems), identical)


class _Folder:
    """One revision folder, read safely: regular files inside the batch folder, no links."""

    def __init__(self, batch_dir: Path, folder: str) -> None:
        self.root, self.folder = batch_dir.resolve(), folder
        self.path = batch_dir / folder

    def read(self, name: str) -> bytes:
        path = self.path / name
        if path.is_symlink() or not path.is_file() or \
                not path.resolve().is_relative_to(self.root) or path.stat().st_size > FILE_LIMIT:
            raise OSError(f"{self.folder}/{name}")
        return path.read_bytes()

    def case_json(self, problems: list[str]) -> dict:
        try:
            data = json.loads(self.read(CASE_JSON))
            if not isinstance(data, dict):
                raise TypeError(CASE_JSON)
            return data
        except (OSError, ValueError, TypeError):
            problems.append(f"{self.folder}/{CASE_JSON} を読めないため、数字を比べられません。")
            return {}

    def lines(self, name: str, problems: list[str]) -> list[str] | None:
        try:
            return docx_lines(self.read(name), f"{self.folder}/{name}")
        except OSError:
            problems.append(f"{self.folder}/{name} を読めないため、文面を比べられません。")
        except DocxTextError as exc:
            problems.append(f"{exc}。")
        return None

    def digests(self, names: list[str], problems: list[str]) -> dict[str, str]:
        found = {}
        for name in names:
            try:
                found[name] = sha256_bytes(self.read(name))
            except OSError:
                problems.append(f"{self.folder}/{name} がないか読めません。")
        return found


# ---------------------------------------------------------------------------------------------
# Figures: case.json as labelled Japanese rows
# ---------------------------------------------------------------------------------------------


def figure_changes(old: dict, new: dict) -> Iterator[FigureChange]:
    """Every labelled figure whose text differs, in the newer revision's order (a row only the
    older one has comes where it stood)."""
    old_rows, new_rows = dict(figure_rows(old)), dict(figure_rows(new))
    for key in _merged_order(list(old_rows), list(new_rows)):
        before, after = old_rows.get(key, DASH), new_rows.get(key, DASH)
        if before != after:
            yield FigureChange(key[0], key[1], before, after)


def _merged_order(old: list, new: list) -> list:
    """The keys of both lists: the newer order, each older-only key after its predecessor."""
    merged = list(new)
    for index, key in enumerate(old):
        if key not in merged:
            after = old[index - 1] if index else None
            merged.insert(merged.index(after) + 1 if after in merged else len(merged), key)
    return merged


Row = tuple[tuple[str, str], str]


def figure_rows(data: dict) -> list[Row]:
    """case.json flattened to ((section, label), text) rows; labels are unique (a repeated one
    is numbered). A missing or malformed part gives no rows rather than stopping the page."""
    rows: list[Row] = []
    for section, rows_of in _SECTIONS:
        seen: dict[str, int] = {}
        try:
            for label, text in rows_of(data):
                seen[label] = seen.get(label, 0) + 1
                rows.append(((section, label if seen[label] == 1 else f"{label}（{seen[label]}）"),
                             text))
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
            continue
    return rows


Pairs = Iterator[tuple[str, str]]


def _case_rows(data: dict) -> Pairs:
    if "document_date" in data:
        yield "作成日", wareki(date.fromisoformat(data["document_date"]))
    if "status_label" in data:
        yield "状態", data["status_label"]


def _sale_rows(data: dict) -> Pairs:
    sale = data["sale"]
    yield "売却価格", yen(sale["price"])
    for d in sale["deductions"]:
        whom = d.get("creditor") or d.get("payee")
        yield f"控除費用 {d['label']}" + (f"（{whom}）" if whom else ""), yen(d["amount"])
    yield "控除費用合計", yen(sale["deductions_total"])
    yield "担保権者への配当原資", yen(sale["distributable"])
    for lien in sale["liens"]:
        who = f"第{lien['rank']}順位 {lien['kind']} {lien['creditor']}"
        yield f"{who} 決済時債権額", yen(lien["claim"])
        yield f"{who} 抹消承諾料", yen(lien["release_fee"])
        yield f"{who} 配当額", yen(lien["waterfall"])
        yield f"{who} 配分額計", yen(lien["received"])
        yield f"{who} 残債務", yen(lien["remaining"])
    for seizure in sale["seizures"]:
        who = f"差押 {seizure['creditor']}"
        yield f"{who} 差押債権額", yen(seizure["claim"])
        yield f"{who} 差押解除料", yen(seizure["release_fee"])
        yield f"{who} 剰余からの配分", yen(seizure.get("surplus_share", 0))
        yield f"{who} 残債務", yen(seizure["remaining"])
    yield "剰余金（債務者へ）", yen(sale["surplus_to_debtor"])


def _auction_rows(data: dict) -> Pairs:
    auction = data["auction"]
    for key, label in (("market_value", "査定価格"), ("base_price", "売却基準価額"),
                       ("min_bid", "買受可能価額"), ("expected_bid", "落札見込額"),
                       ("procedure_cost", "競売手続費用（予納金）"),
                       ("priority_taxes", "優先する税等"), ("pool", "抵当権者への配当見込額"),
                       ("first_lien_recovery", "第1順位 競売時の回収見込額"),
                       ("sale_first_lien_recovery", "第1順位 任意売却時の回収額"),
                       ("advantage", "任意売却による回収増加額")):
        if key in auction:
            yield label, yen(auction[key])
    for share in auction.get("recoveries", []):
        yield f"第{share['rank']}順位 {share['creditor']} 競売時の回収見込額", yen(share["amount"])
    for share in auction.get("seizure_recoveries", []):
        yield f"差押 {share['creditor']} 競売時の回収見込額", yen(share["amount"])


def _household_rows(data: dict) -> Pairs:
    household = data["household"]
    yield "収入合計（月額）", yen(household["income"])
    for part in household.get("income_subtotals", []):
        yield f"収入 {part['category']}", yen(part["amount"])
    yield "支出合計（月額）", yen(household["expenses"])
    for part in household.get("expense_subtotals", []):
        yield f"支出 {part['category']}", yen(part["amount"])
    yield "収支（月額）", yen(household["surplus"])
    if "assets_total" in household:
        yield "資産合計", yen(household["assets_total"])
    if "unsecured_monthly_total" in household:
        yield "無担保債務の月返済額合計", yen(household["unsecured_monthly_total"])


def _repayment_rows(data: dict) -> Pairs:
    repayment = data["repayment"]
    yield "返済提案月額", yen(repayment["monthly_total"])
    yield "返済開始", wareki_month(date.fromisoformat(f"{repayment['start']}-01"))
    for share in repayment["plan"]:
        who = f"第{share['rank']}順位 {share['creditor']}"
        yield f"{who} 返済額（月額）", yen(share["monthly"])
        yield f"{who} 返済回数", months(share["months"])
        yield f"{who} 返済期間", years(_decimal(share.get("years")))
    lump = repayment.get("lump_sum")
    if lump:
        yield "一括返済額", yen(lump["total"])
        for share in lump["plan"]:
            yield f"第{share['rank']}順位 {share['creditor']} 一括返済額", yen(share["amount"])


def _break_even_rows(data: dict) -> Pairs:
    """The break-even prices (case.json ``break_even``, for staff only), when the case has them;
    a price no trial reached is 「該当なし」 as on summary.xlsx."""
    prices = data.get("break_even")
    if not isinstance(prices, dict):
        return
    for key, label in (("first_lien_price", "損益分岐価格（第1順位）"),
                       ("all_floors_price", "全債権者の最低売却価格を満たす価格")):
        if key in prices:
            yield label, NOT_REACHED if prices[key] is None else yen(prices[key])


def _warning_rows(data: dict) -> Pairs:
    """Each warning is a row of its own: one that came or went shows as 「—」 on one side."""
    for warning in data["warnings"]:
        yield f"［{warning.get('severity_label', '')}］{warning['message']}", "あり"


def _packet_rows(data: dict) -> Pairs:
    for packet in data.get("packets", []):
        parts = "・".join(f"{p['title']}{p['pages']}枚" for p in packet.get("parts", []))
        yield f"{packet['addressee']} 宛", f"{packet['pages']}枚（{parts}）" if parts \
            else f"{packet['pages']}枚"


def _decimal(value: Any) -> Decimal | None:
    """A case.json number (20.8) as the Decimal the formatters take (None stays None)."""
    return None if value is None else Decimal(str(value))


_SECTIONS: tuple[tuple[str, Callable[[dict], Pairs]], ...] = (
    ("案件", _case_rows), ("配分案", _sale_rows), ("競売との比較", _auction_rows),
    ("生活状況表", _household_rows), ("返済計画", _repayment_rows),
    ("損益分岐価格", _break_even_rows), ("警告", _warning_rows),
    ("送付書類一式", _packet_rows))


# ---------------------------------------------------------------------------------------------
# Wording: the Word files side by side
# ---------------------------------------------------------------------------------------------


def _document_diffs(old: _Folder, new: _Folder, old_json: dict, new_json: dict,
                    problems: list[str]) -> Iterator[DocumentDiff]:
    old_docs, new_docs = _documents(old_json), _documents(new_json)
    for name in _merged_order(list(old_docs), list(new_docs)):
        title = _title(new_docs.get(name) or old_docs[name])
        before = old.lines(name, problems) if name in old_docs else []
        after = new.lines(name, problems) if name in new_docs else []
        if before is None or after is None or before == after:
            continue
        change = "added" if name not in old_docs else "removed" if name not in new_docs \
            else "changed"
        yield DocumentDiff(name, title, change, tuple(side_by_side(before, after)))


def _documents(data: dict) -> dict[str, dict]:
    """case.json's documents by Word file name."""
    found = {}
    for document in data.get("documents", []):
        if isinstance(document, dict) and isinstance(document.get("docx"), str):
            found[Path(document["docx"]).name] = document
    return found


def _title(document: dict) -> str:
    kind = KIND_LABELS.get(document.get("kind", ""), Path(document["docx"]).stem)
    addressee = document.get("addressee")
    return f"{kind}（{addressee}）" if addressee else kind


def side_by_side(old: list[str], new: list[str], context: int = CONTEXT_LINES) -> Iterator[DiffRow]:
    """The two texts as rows: changes with ``context`` unchanged lines around them, longer
    unchanged runs folded into one ``skipped`` row."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            yield from _context_rows(old, i1, i2, j1, context, first=index == 0,
                                     last=index == len(opcodes) - 1)
        elif tag == "replace":
            yield from _replaced_rows(old[i1:i2], new[j1:j2], i1, j1)
        elif tag == "delete":
            yield from (DiffRow("removed", i + 1, (Segment(old[i], True),), None, ())
                        for i in range(i1, i2))
        else:
            yield from (DiffRow("added", None, (), j + 1, (Segment(new[j], True),))
                        for j in range(j1, j2))


def _context_rows(lines: list[str], i1: int, i2: int, j1: int, context: int, first: bool,
                  last: bool) -> Iterator[DiffRow]:
    """An unchanged run: its first lines (after a change) and last lines (before one) shown."""
    head = 0 if first else context
    tail = 0 if last else context
    if i2 - i1 <= head + tail + 1:
        head, tail = i2 - i1, 0
    for k in range(head):
        yield _same(lines, i1 + k, j1 + k)
    if i2 - i1 > head + tail:
        yield DiffRow("skipped", None, (), None, (), skipped=i2 - i1 - head - tail)
    for k in range(i2 - i1 - tail, i2 - i1):
        yield _same(lines, i1 + k, j1 + k)


def _same(lines: list[str], i: int, j: int) -> DiffRow:
    return DiffRow("same", i + 1, (Segment(lines[i], False),), j + 1, (Segment(lines[i], False),))


def _replaced_rows(old: list[str], new: list[str], i1: int, j1: int) -> Iterator[DiffRow]:
    """Replaced lines paired in order; the characters that differ within a pair are marked."""
    for k in range(max(len(old), len(new))):
        if k < len(old) and k < len(new):
            before, after = changed_segments(old[k], new[k])
            yield DiffRow("changed", i1 + k + 1, before, j1 + k + 1, after)
        elif k < len(old):
            yield DiffRow("removed", i1 + k + 1, (Segment(old[k], True),), None, ())
        else:
            yield DiffRow("added", None, (), j1 + k + 1, (Segment(new[k], True),))


#: The units a changed line is compared in: a number whole (「12,960,000」, a date's 「11」), any
#: other character alone (Japanese has no spaces between words).
_TOKEN = re.compile(r"[0-9０-９][0-9０-９,，.．]*|.", re.DOTALL)


def changed_segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Two versions of a line cut into unchanged and changed pieces. A number is compared
    whole, so 12,960,000 → 13,927,000 is marked as one figure, not as the digits that differ."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    before: list[Segment] = []
    after: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        _extend(before, "".join(old_tokens[i1:i2]), tag != "equal")
        _extend(after, "".join(new_tokens[j1:j2]), tag != "equal")
    return tuple(before), tuple(after)


def _extend(segments: list[Segment], text: str, changed: bool) -> None:
    """Add a piece, joined to the last one when both are changed or both unchanged."""
    if not text:
        return
    if segments and segments[-1].changed == changed:
        segments[-1] = Segment(segments[-1].text + text, changed)
    else:
        segments.append(Segment(text, changed))


# ---------------------------------------------------------------------------------------------
# Files that differ with nothing shown for them
# ---------------------------------------------------------------------------------------------


def _unexplained(approved: dict[str, str], current: dict[str, str],
                 figures: tuple[FigureChange, ...], documents: tuple[DocumentDiff, ...]
                 ) -> tuple[str, ...]:
    """The files whose bytes differ (or that only one revision has) although no figure or
    wording shown accounts for them: a document whose words are the same, a packet none of
    whose letters changed, case.json when no figure changed."""
    changed_stems = {Path(d.name).stem for d in documents}
    differing = sorted(n for n in set(approved) | set(current) if approved.get(n) != current.get(n))
    return tuple(n for n in differing if not _explained(n, changed_stems, bool(figures)))


def _explained(name: str, changed_stems: set[str], figures_changed: bool) -> bool:
    path = Path(name)
    if name == CASE_JSON:
        return figures_changed
    if path.stem in changed_stems:
        return True  # the .pdf of a document whose words changed
    if path.stem.startswith(PACKET_PREFIX + "_"):
        addressee = path.stem[len(PACKET_PREFIX) + 1:]
        return any(stem.endswith("_" + addressee) or not _has_addressee(stem)
                   for stem in changed_stems)
    return False


def _has_addressee(stem: str) -> bool:
    """Document file names are 「NN_title_creditor」; the 生活状況表 (「02_生活状況表」) has none
    and goes into several packets."""
    return stem.count("_") >= 2
