"""Validation: raw workbook cells → the frozen ``Case`` (docs/workbook.md), or every problem.

Nothing stops at the first mistake: each cell is parsed (pipeline.read.values), each row checked, then
the cross-field rules of the contract run, and every problem becomes an ``Issue`` that names the
file, sheet and cell, the raw value and what is expected, in Japanese. A case is built only when
no error was found. While reading, a side table records the cell of every value (``Case.cells``)
so that pydantic errors, and warnings of later stages, can point at a cell.

Issue codes (severity error unless noted):
  sheet_missing, missing_label, duplicate_label, missing_column, duplicate_column, merged_cells,
  required, formula_uncached, case_id_invalid, category_mismatch, no_units, no_lien,
  no_first_lien, rank_required, rank_duplicate, rank_not_allowed, base_date_required,
  no_income, applicant_unknown (申立債権者 not a 債権者名), applicant_required (競売申立費用
  without 申立債権者), share_sum (持分 not adding up to 1), out_of_range, invalid_value, internal_error, excel_error (#REF!, #N/A, …),
  boolean_value (a TRUE/FALSE cell), date_out_of_range (FieldSpec.dates), text_too_long
  (FieldSpec.max_length); the BadValue codes of pipeline.read.values
  (yen_invalid, date_impossible, choice_invalid, …); warnings: unknown_label,
  value_without_label, extra_column, priority_ignored, monthly_payment_ignored,
  bankruptcy_not_set, auction_not_set.
"""

from __future__ import annotations

import datetime
import difflib
import logging
import unicodedata
from collections.abc import Callable, Collection
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Protocol

from openpyxl.utils.cell import (
    column_index_from_string,
    coordinate_from_string,
    get_column_letter,
    range_boundaries,
)
from pydantic import BaseModel, ValidationError

from pipeline.eras import date_text
from pipeline.read import values
from pipeline.read.issues import CellRef, Issue, Severity, has_errors
from pipeline.read.models import (
    LIEN_KINDS,
    Asset,
    BudgetLine,
    Case,
    CostItem,
    Creditor,
    Member,
    NegotiationRound,
    Owner,
    PropertyUnit,
    share_fraction,
)
from pipeline.read.profiles import parse_profile, profile_names
from pipeline.read.schema import (
    BUDGET,
    BUDGET_CATEGORIES,
    CASE_FIELDS,
    CASE_HEADER,
    CASE_ID_EXPECTED,
    CASE_ID_PATTERN,
    CASE_SHEET,
    CREDITORS,
    DEFAULT_PROFILES,
    NEGOTIATION,
    OWNERS,
    REQUIRED_SHEETS,
    SHEETS,
    TABLES,
    UNITS,
    FieldSpec,
    TableSpec,
)
from pipeline.read.workbook import ExcelError, RawCell, RawSheet, RawWorkbook, read_workbook

log = logging.getLogger(__name__)

ROW_MODELS: dict[str, type[BaseModel]] = {
    "物件": PropertyUnit, "債権者": Creditor, "費用": CostItem, "世帯": Member,
    "収支": BudgetLine, "資産": Asset, "所有者": Owner, "交渉": NegotiationRound,
}
_BAD = object()  # a value that failed to parse (its issue is already recorded)
_LABELS = {values.normalize_label(f.label): f for f in CASE_FIELDS}

Record = dict[str, Any]  # one table row: field name → value (None blank, _BAD unreadable)
Loc = tuple[int | str, ...]  # a pydantic error's location


class StageClock(Protocol):
    """What load_case needs of the batch's per-stage timer (casebuild._Clock)."""

    def lap(self, stage: str) -> None: ...


def load_case(path: Path | str, profiles: Collection[str] = DEFAULT_PROFILES,
              clock: StageClock | None = None) -> tuple[Case | None, list[Issue]]:
    """Read and validate one workbook; the case is None when any issue is an error.

    ``profiles``: the configured creditor profiles, keys or key → Japanese name
    (``Config.profile_names()``, pipeline.read.profiles): a プロファイル cell may hold either.
    """
    raw, issues = read_workbook(path)
    if clock is not None:
        clock.lap("read")
    case = None
    if raw is not None:
        case, found = validate_workbook(raw, profiles)
        issues = issues + found
    if clock is not None:
        clock.lap("validate")
    return (None if has_errors(issues) else case), issues


def validate_workbook(raw: RawWorkbook, profiles: Collection[str] = DEFAULT_PROFILES
                      ) -> tuple[Case | None, list[Issue]]:
    """Every problem of the workbook, and the Case when there is no error.

    An unexpected exception becomes one ``internal_error`` issue naming the file, so that a
    month-end batch goes on with the other cases.
    """
    try:
        return _Validator(raw, profile_names(profiles)).run()
    except Exception as exc:
        log.debug("internal error validating %s", raw.file, exc_info=True)
        return None, [Issue("internal_error", "error", "検証中に予期しない問題が発生しました"
                            f"（{type(exc).__name__}）。システム担当者に連絡してください",
                            CellRef(raw.file))]


class _Validator:
    """Collects issues and the cell side table while it reads one workbook."""

    def __init__(self, raw: RawWorkbook, profiles: dict[str, str]):
        self.raw = raw
        self.profiles = profiles
        self.issues: list[Issue] = []
        self.cells: dict[str, str] = {}  # Case.cells: field key → A1 cell
        self.raws: dict[str, str] = {}  # field key → the value as typed, for pydantic errors

    def run(self) -> tuple[Case | None, list[Issue]]:
        for sheet in REQUIRED_SHEETS:
            if sheet not in self.raw.sheets:
                self.add("sheet_missing", f"シート「{sheet}」がありません。"
                         "new-case で作った様式を使ってください", sheet)
        head = self._case_sheet()
        tables = {t.sheet: self._table(t) for t in TABLES if t.sheet in self.raw.sheets}
        self._cross_rules(head, tables)
        rows = {t.attr: self._rows(t, tables.get(t.sheet, [])) for t in TABLES}
        case = None if has_errors(self.issues) else self._build(head, rows)
        return case, sorted(self.issues, key=_position)

    # --- issues and cells --------------------------------------------------------------------

    def add(self, code: str, message: str, sheet: str = "", cell: str = "",
            raw: str | None = None, severity: Severity = "error") -> None:
        self.issues.append(Issue(code, severity, message, CellRef(self.raw.file, sheet, cell), raw))

    def parse(self, spec: FieldSpec, raw: RawCell | None, sheet: RawSheet, cell: str,
              key: str) -> Any:
        """The typed value of one cell; None when blank; _BAD (issue recorded) when wrong."""
        self.cells[key] = cell
        if cell in sheet.uncached:
            self.add("formula_uncached", f"{spec.label}: 数式の計算結果が保存されていません。"
                     "Excelで再計算して保存してください", sheet.name, cell)
            return _BAD
        if raw is None or values.is_blank(raw.value):
            if spec.required:
                self.add("required", f"{spec.label}を入力してください（{spec.hint}）",
                         sheet.name, cell)
                return _BAD
            return None
        self.raws[key] = values.raw_text(raw.value)
        return self._convert(spec, raw, sheet.name, cell)

    def _convert(self, spec: FieldSpec, raw: RawCell, sheet: str, cell: str) -> Any:
        typed = values.raw_text(raw.value)
        refusal = _cell_type_refusal(spec, raw.value, typed)
        if refusal is None:
            try:
                value = _parse_kind(spec, raw, self.profiles)
            except values.BadValue as bad:
                refusal = bad.code, _bad_value_message(spec, typed, bad)
            else:
                refusal = _limit_refusal(spec, value, typed)
                if refusal is None:
                    return value
        code, message = refusal
        self.add(code, message, sheet, cell,
                 _shortened(typed) if code == "text_too_long" else typed)
        return _BAD

    # --- 案件 (key/value) --------------------------------------------------------------------

    def _case_sheet(self) -> Record:
        sheet = self.raw.sheets.get(CASE_SHEET)
        head: Record = {}
        if sheet is None:
            return head
        self._merged(sheet, {1, 2})
        for row in sheet.rows:
            label = values.normalize_label(row.cells[1].value) if 1 in row.cells else ""
            if row.number == 1 and label == values.normalize_label(CASE_HEADER[0]):
                continue
            self._case_row(sheet, row.number, label, row.cells.get(2), head)
        for spec in CASE_FIELDS:
            if spec.required and spec.name not in head:
                self.add("missing_label", f"項目「{spec.label}」の行がありません"
                         f"（A列に「{spec.label}」、B列に値）", CASE_SHEET)
        return head

    def _case_row(self, sheet: RawSheet, number: int, label: str, value: RawCell | None,
                  head: Record) -> None:
        spec = _LABELS.get(label)
        if not label:
            if value is not None and not values.is_blank(value.value):
                self.add("value_without_label", "項目名のない値は無視します", CASE_SHEET,
                         value.cell, values.raw_text(value.value), "warn")
        elif spec is None:
            self.add("unknown_label", _unknown_label_message(label), CASE_SHEET, f"A{number}",
                     label, "warn")
        elif spec.name in head:
            self.add("duplicate_label", f"項目「{spec.label}」が2回あります"
                     f"（{self.cells[spec.name]}と重複）。1つにしてください", CASE_SHEET,
                     f"A{number}")
        else:
            head[spec.name] = self.parse(spec, value, sheet, f"B{number}", spec.name)

    # --- table sheets --------------------------------------------------------------------------

    def _table(self, spec: TableSpec) -> list[Record]:
        sheet = self.raw.sheets[spec.sheet]
        if not sheet.rows and not spec.required:
            return []  # an optional sheet left empty
        header = _header(sheet)
        columns = self._columns(sheet, spec, header)
        self._merged(sheet, set(columns.values()))
        labels = {values.normalize_label(f.label) for f in spec.fields}
        # a duplicated contract header is reported as such, not again as an extra column
        self._extra_columns(sheet, {c for c, h in header.items()
                                    if values.normalize_label(h.value) in labels})
        records = []
        for row in sheet.rows:
            cells = {name: row.cells.get(col) for name, col in columns.items()}
            if row.number == 1 or _blank_row(cells.values(), sheet):
                continue
            records.append(self._record(spec, sheet, row.number, columns, cells))
        return records

    def _columns(self, sheet: RawSheet, spec: TableSpec, header: dict[int, RawCell]
                 ) -> dict[str, int]:
        """Field name → column number, from the headers in row 1."""
        by_label = {values.normalize_label(f.label): f for f in spec.fields}
        columns: dict[str, int] = {}
        for col, cell in sorted(header.items()):
            field = by_label.get(values.normalize_label(cell.value))
            if field and field.name in columns:
                self.add("duplicate_column", f"見出し「{field.label}」が2列あります。"
                         "1列にしてください（この列は無視します）", sheet.name, cell.cell)
            elif field:
                columns[field.name] = col
        for field in spec.fields:
            if field.required and field.name not in columns:
                self.add("missing_column", f"1行目に見出し「{field.label}」の列がありません",
                         sheet.name)
        return columns

    def _extra_columns(self, sheet: RawSheet, known: set[int]) -> None:
        first: dict[int, RawCell] = {}
        for row in sheet.rows:
            for col, cell in row.cells.items():
                if col not in known and not values.is_blank(cell.value):
                    first.setdefault(col, cell)
        for col, cell in sorted(first.items()):
            self.add("extra_column", f"契約にない列（{get_column_letter(col)}列）は無視します",
                     sheet.name, cell.cell, values.raw_text(cell.value), "warn")

    def _merged(self, sheet: RawSheet, columns: set[int]) -> None:
        """Merged cells hide values (only the top-left keeps one): refuse them in the data area."""
        for ref in sheet.merged:
            lo, _, hi, _ = range_boundaries(ref)
            if any(lo <= col <= hi for col in columns):
                self.add("merged_cells", f"セルの結合（{ref}）があると値を正しく読めません。"
                         "結合を解除してください", sheet.name, ref)

    def _record(self, spec: TableSpec, sheet: RawSheet, number: int, columns: dict[str, int],
                cells: dict[str, RawCell | None]) -> Record:
        record: Record = {"row": number}
        for field in spec.fields:
            if field.name not in columns:
                record[field.name] = _BAD if field.required else None
                continue
            cell = f"{get_column_letter(columns[field.name])}{number}"
            key = f"{spec.sheet}:{number}:{field.name}"
            record[field.name] = self.parse(field, cells[field.name], sheet, cell, key)
        return record

    # --- cross-field rules ---------------------------------------------------------------------

    def _cross_rules(self, head: Record, tables: dict[str, list[Record]]) -> None:
        self._case_id(head)
        self._paths(head)
        if UNITS.sheet in tables and not tables[UNITS.sheet]:
            self.add("no_units", "物件が1行もありません（登記の単位ごとに1行）", UNITS.sheet)
        if CREDITORS.sheet in tables:
            creditors = tables[CREDITORS.sheet]
            for record in creditors:
                self._creditor_row(record)
            self._liens(creditors)
            self._applicant(head, creditors)
        if BUDGET.sheet in tables:
            self._budget(tables[BUDGET.sheet])
        if OWNERS.sheet in tables:
            self._shares(tables[OWNERS.sheet])
        if NEGOTIATION.sheet in tables:
            self._negotiation(tables[NEGOTIATION.sheet], tables.get(CREDITORS.sheet))

    def _paths(self, head: Record) -> None:
        """Details of a path given without the 項目 that puts the case on it: said, not guessed.

        A 破産管財人 or 破産事件番号 without 破産手続 あり, or a 申立債権者 or 執行裁判所 without a
        事件番号 or 開札期日, leave the letters on the ordinary path (docs/workbook.md).
        """
        trustee = [f for f in ("bankruptcy_case.trustee", "bankruptcy_case.case_number")
                   if head.get(f) not in (None, _BAD)]
        if trustee and head.get("bankruptcy") is not True and head.get("bankruptcy") is not _BAD:
            self.add("bankruptcy_not_set", "破産管財人・破産事件番号がありますが、破産手続が「あり」では"
                     "ありません。破産手続中なら「あり」にしてください（このままでは通常の書面になります）",
                     CASE_SHEET, self.cells.get("bankruptcy", self.cells[trustee[0]]),
                     self.raws.get("bankruptcy"), "warn")
        auction = [f for f in ("auction.applicant", "auction.court")
                   if head.get(f) not in (None, _BAD)]
        marked = any(head.get(f) not in (None, _BAD)
                     for f in ("auction.case_number", "auction.opening_date"))
        if auction and not marked:
            self.add("auction_not_set", "申立債権者・執行裁判所がありますが、事件番号も開札期日も"
                     "ありません。競売中なら事件番号を入力してください（このままでは競売中の書面に"
                     "なりません）", CASE_SHEET, self.cells.get("auction.case_number",
                                                       self.cells[auction[0]]), None, "warn")

    def _case_id(self, head: Record) -> None:
        case_id = head.get("case_id")
        if case_id in (None, _BAD):
            return
        if not CASE_ID_PATTERN.fullmatch(case_id):
            self.add("case_id_invalid", f"案件番号「{case_id}」は使えません。"
                     f"{CASE_ID_EXPECTED}で入力してください（出力フォルダ名になります）",
                     CASE_SHEET, self.cells["case_id"], self.raws.get("case_id"))

    def _at(self, record: Record, field: str) -> str:
        return self.cells.get(f"{CREDITORS.sheet}:{record['row']}:{field}", "")

    def _creditor_row(self, r: Record) -> None:
        """Row rules of 債権者: 順位 only on liens, 優先 only on 差押, 月返済額 only on 無担保."""
        kind, sheet = r["kind"], CREDITORS.sheet
        if kind in LIEN_KINDS and r["rank"] is None:
            self.add("rank_required", f"{kind}の行は順位を入力してください（1以上の整数）",
                     sheet, self._at(r, "rank"))
        if kind in ("差押", "無担保") and r["rank"] not in (None, _BAD):
            self.add("rank_not_allowed", f"{kind}の行は順位を空欄にしてください", sheet,
                     self._at(r, "rank"), str(r["rank"]))
        if isinstance(r["damage_rate"], Decimal) and r["damage_rate"] > 0 and r["base_date"] is None:
            self.add("base_date_required", "損害金率があるときは基準日を入力してください", sheet,
                     self._at(r, "base_date"))
        if r["priority"] is True and kind != "差押" and kind is not _BAD:
            r["priority"] = None
            self.add("priority_ignored", f"優先は差押の行だけに使います（{kind}の行なので無視します）",
                     sheet, self._at(r, "priority"), "はい", "warn")
        if isinstance(r["monthly_payment"], int) and kind != "無担保" and kind is not _BAD:
            r["monthly_payment"] = None
            self.add("monthly_payment_ignored", f"月返済額は無担保の行だけに使います"
                     f"（{kind}の行なので無視します）", sheet, self._at(r, "monthly_payment"),
                     self.raws.get(f"{sheet}:{r['row']}:monthly_payment"), "warn")

    def _liens(self, creditors: list[Record]) -> None:
        """At least one 抵当権/根抵当権, one with 順位 1; 順位 unique among liens."""
        if any(r["kind"] is _BAD for r in creditors):
            return  # an unreadable 担保種別 might be the missing lien
        liens = [r for r in creditors if r["kind"] in LIEN_KINDS]
        if not liens:
            self.add("no_lien", "抵当権または根抵当権の行が1つもありません", CREDITORS.sheet)
            return
        # 順位 below 1 is reported at its cell (model rule ge=1); it says nothing of 順位 1
        ranks = [r for r in liens if isinstance(r["rank"], int) and r["rank"] >= 1]
        seen: dict[int, str] = {}
        for r in ranks:
            if r["rank"] in seen:
                self.add("rank_duplicate", f"順位{r['rank']}が重複しています（{seen[r['rank']]}と同じ）",
                         CREDITORS.sheet, self._at(r, "rank"), str(r["rank"]))
            seen.setdefault(r["rank"], self._at(r, "rank"))
        if len(ranks) == len(liens) and 1 not in seen:
            self.add("no_first_lien", "順位1の抵当権・根抵当権がありません", CREDITORS.sheet)

    def _applicant(self, head: Record, creditors: list[Record]) -> None:
        """申立債権者 must be the 債権者名 of a 債権者 row (width and spaces tolerated).

        The name is then stored as the 債権者 sheet writes it, so that later stages can find the
        applicant's rows by plain equality.
        """
        typed = head.get("auction.applicant")
        if typed is None and isinstance(head.get("auction.costs"), int):
            self.add("applicant_required", "競売申立費用があるときは申立債権者（費用を返す相手）を"
                     "入力してください", CASE_SHEET, self.cells["auction.costs"],
                     self.raws.get("auction.costs"))
        if typed in (None, _BAD) or any(r["name"] is _BAD for r in creditors):
            return
        names = list(dict.fromkeys(r["name"] for r in creditors))
        match = next((n for n in names
                      if values.normalize_label(n) == values.normalize_label(typed)), None)
        if match is not None:
            head["auction.applicant"] = match
            return
        self.add("applicant_unknown", f"申立債権者「{typed}」が債権者シートの債権者名にありません。"
                 f"債権者名のとおりに入力してください（{'／'.join(names)}）", CASE_SHEET,
                 self.cells["auction.applicant"], self.raws.get("auction.applicant"))

    def _shares(self, owners: list[Record]) -> None:
        """The 持分 of all 所有者 rows add up to exactly 1 (when every share could be read)."""
        shares = [r["share"] for r in owners]
        if not shares or any(s is _BAD for s in shares):
            return
        total = sum((share_fraction(s) for s in shares), Fraction(0))
        if total == 1:
            return
        cells = [self.cells[f"{OWNERS.sheet}:{r['row']}:share"] for r in owners]
        where = cells[0] if len(cells) == 1 else f"{cells[0]}:{cells[-1]}"
        self.add("share_sum", f"持分の合計が1になりません（合計{_share_text(total)}: "
                 f"{'＋'.join(shares)}）。登記どおりの持分を全員分入力してください", OWNERS.sheet,
                 where, "＋".join(shares))

    def _negotiation(self, rounds: list[Record], creditors: list[Record] | None) -> None:
        """交渉 rows: 債権者名 a 債権者 row's name, one row per (債権者名, 回), dates in order.

        The name is stored as the 債権者 sheet writes it (width and spaces tolerated), as for
        申立債権者, so that compute finds a creditor's rounds by plain equality.
        """
        names = None if creditors is None or any(r["name"] is _BAD for r in creditors) else (
            list(dict.fromkeys(r["name"] for r in creditors)))
        seen: dict[tuple[str, int], str] = {}
        for r in rounds:
            if names is not None and isinstance(r["creditor"], str):
                self._negotiation_creditor(r, names)
            at = self._negotiation_cell(r, "round")
            if isinstance(r["creditor"], str) and isinstance(r["round"], int):
                key = (r["creditor"], r["round"])
                if key in seen:
                    self.add("round_duplicate", f"{r['creditor']}の第{r['round']}回が2行あります"
                             f"（{seen[key]}と同じ）。1回1行にしてください", NEGOTIATION.sheet,
                             at, str(r["round"]))
                seen.setdefault(key, at)
            self._negotiation_dates(r)

    def _negotiation_cell(self, r: Record, field: str) -> str:
        return self.cells.get(f"{NEGOTIATION.sheet}:{r['row']}:{field}", "")

    def _negotiation_creditor(self, r: Record, names: list[str]) -> None:
        typed = r["creditor"]
        match = next((n for n in names
                      if values.normalize_label(n) == values.normalize_label(typed)), None)
        if match is not None:
            r["creditor"] = match
            return
        r["creditor"] = _BAD
        self.add("negotiation_creditor_unknown", f"債権者名「{typed}」が債権者シートの債権者名に"
                 f"ありません。債権者名のとおりに入力してください（{'／'.join(names)}）",
                 NEGOTIATION.sheet, self._negotiation_cell(r, "creditor"),
                 self.raws.get(f"{NEGOTIATION.sheet}:{r['row']}:creditor"))

    def _negotiation_dates(self, r: Record) -> None:
        """回答期限 and 回答日 not before 送付日 (errors: a reply cannot precede the letter);
        a reply without 回答日, or a 回答日 without a reply, is a warning (the answer is what
        the checks use; the date is the record of when it came)."""
        sent, sheet = r["sent_on"], NEGOTIATION.sheet
        for code, field, label in (("deadline_before_sent", "reply_deadline", "回答期限"),
                                   ("reply_before_sent", "replied_on", "回答日")):
            value = r[field]
            if isinstance(sent, datetime.date) and isinstance(value, datetime.date) and value < sent:
                self.add(code, f"{label}{date_text(value)}が送付日"
                         f"{date_text(sent)}より前です。日付を確認してください", sheet,
                         self._negotiation_cell(r, field),
                         self.raws.get(f"{sheet}:{r['row']}:{field}"))
        reply, replied = r["reply"], r["replied_on"]
        if reply not in (None, _BAD, "回答待ち") and replied is None:
            self.add("reply_date_missing", f"回答「{reply}」の回答日が空欄です。回答を受けた日を"
                     "入力してください（回答はこのまま確認に使います）", sheet,
                     self._negotiation_cell(r, "replied_on"), None, "warn")
        if reply in (None, "回答待ち") and isinstance(replied, datetime.date):
            self.add("reply_missing", f"回答日{date_text(replied)}がありますが、回答が空欄（回答待ち）"
                     "です。同意・条件付同意・不同意のどれかを選んでください（このままでは回答待ち"
                     "として扱います）", sheet, self._negotiation_cell(r, "reply"),
                     self.raws.get(f"{sheet}:{r['row']}:reply"), "warn")

    def _budget(self, lines: list[Record]) -> None:
        """費目 must belong to its 区分; at least one 収入 line."""
        for r in lines:
            side, category = r["side"], r["category"]
            allowed = BUDGET_CATEGORIES.get(side) if isinstance(side, str) else None
            if allowed and isinstance(category, str) and category not in allowed:
                self.add("category_mismatch", f"費目「{category}」は{side}の費目ではありません。"
                         f"{side}の費目: {'／'.join(allowed)}", BUDGET.sheet,
                         self.cells[f"{BUDGET.sheet}:{r['row']}:category"], category)
        if not any(r["side"] is _BAD for r in lines) and not any(r["side"] == "収入" for r in lines):
            self.add("no_income", "収入の行が1つもありません（区分「収入」の行を入力してください）",
                     BUDGET.sheet)

    # --- building the models -------------------------------------------------------------------

    def _build(self, head: Record, rows: dict[str, tuple[BaseModel, ...]]) -> Case | None:
        data = _nest({k: v for k, v in head.items() if v is not None})
        # model_validate, not Case(**data): the fields come from the schema at run time.
        fields = {"source": self.raw.file, "cells": dict(self.cells), **data, **rows}
        try:
            return Case.model_validate(fields)
        except ValidationError as exc:
            self._pydantic(exc, _dotted, CASE_SHEET)
            return None

    def _rows(self, spec: TableSpec, records: list[Record]) -> tuple[BaseModel, ...]:
        built = []
        model = ROW_MODELS[spec.sheet]
        for r in records:
            if any(v is _BAD for v in r.values()):
                continue  # its problems are already reported
            try:
                built.append(model.model_validate({k: v for k, v in r.items() if v is not None}))
            except ValidationError as exc:
                self._pydantic(exc, _row_key(spec.sheet, r["row"]), spec.sheet)
        return tuple(built)

    def _pydantic(self, exc: ValidationError, key_of: Callable[[Loc], str], sheet: str) -> None:
        """Map pydantic errors back to cells; never show pydantic's own (English) message."""
        for error in exc.errors():
            key = key_of(error["loc"])
            label = _label_of(key)
            raw = self.raws.get(key, "")
            limit = (error.get("ctx") or {}).get("ge")
            code, tail = (("out_of_range", f"は{limit}以上にしてください") if limit is not None
                          else ("invalid_value", "は正しい値ではありません"))
            self.add(code, f"{label}「{raw}」{tail}", sheet, self.cells.get(key, ""), raw)


# --- helpers -------------------------------------------------------------------------------------

def _parse_kind(spec: FieldSpec, raw: RawCell, profiles: Collection[str]) -> Any:
    """One cell by its kind (docs/workbook.md, Value kinds); raises values.BadValue."""
    value = raw.value
    if spec.kind == "percent":
        return values.parse_percent(value, raw.number_format or "General")
    if spec.name == "profile":  # a Japanese name or the key → the key (pipeline.read.profiles)
        return parse_profile(value, profiles)
    if spec.kind == "choice":
        word = values.parse_choice(value, spec.choices)
        return word == spec.true_word if spec.true_word else word
    if spec.kind == "share":
        return values.parse_share(value)
    if spec.kind == "case_id":  # full-width digits typed in Japanese mode are the same id
        return unicodedata.normalize("NFKC", values.parse_text(value))
    return _SIMPLE_PARSERS[spec.kind](value)


def _cell_type_refusal(spec: FieldSpec, value: object, typed: str) -> tuple[str, str] | None:
    """An error value or a TRUE/FALSE cell: never a name, an amount, a date or a choice.

    Excel turns a typed TRUE into a boolean cell, and a broken formula (a deleted sheet, a
    failed VLOOKUP) leaves #REF!/#N/A as its saved result: printed, they would address a
    letter to 「#REF! 様」.
    """
    if isinstance(value, ExcelError):
        return "excel_error", (f"{spec.label}「{typed}」はExcelのエラー値です。"
                               "元の数式や参照先を直して、値を入力してください")
    if isinstance(value, bool):
        hint = f"（{spec.hint}）" if spec.hint else ""
        return "boolean_value", (f"{spec.label}「{typed}」はExcelの論理値（TRUE/FALSE）です。"
                                 f"入力し直してください{hint}")
    return None


def _bad_value_message(spec: FieldSpec, typed: str, bad: values.BadValue) -> str:
    """「元金残高「1400万円くらい」を読めません（「くらい」が分かりません）。金額（例: …）で
    入力してください」: the value as typed, the part not understood when known, what is expected."""
    if bad.code == "choice_invalid":
        return f"{spec.label}「{typed}」は選べません。{bad.expected}"
    detail = f"（{bad.detail}）" if bad.detail else ""
    return f"{spec.label}「{typed}」を読めません{detail}。{bad.expected}で入力してください"


def _limit_refusal(spec: FieldSpec, value: Any, typed: str) -> tuple[str, str] | None:
    """A parsed value outside the field's contract: its date range, its longest text."""
    if spec.dates and isinstance(value, datetime.date):
        first, last = spec.dates
        if spec.kind == "year_month":  # the 1st of the month stands for the month
            first = first.replace(day=1)
        if not first <= value <= last:
            return "date_out_of_range", (f"{spec.label}「{typed}」は範囲外の日付です。"
                                         f"{date_text(spec.dates[0])}〜"
                                         f"{date_text(spec.dates[1])}の日付で入力してください")
    if spec.max_length and isinstance(value, str) and len(value) > spec.max_length:
        return "text_too_long", (f"{spec.label}が長すぎます（{len(value):,}文字、上限"
                                 f"{spec.max_length:,}文字）。短くしてください: 「{_shortened(typed)}」")
    return None


#: How much of a long value a message repeats: enough to find the cell's text, not all of it.
_SHOWN_CHARS = 30


def _shortened(typed: str) -> str:
    return typed if len(typed) <= _SHOWN_CHARS else typed[:_SHOWN_CHARS] + "…"


_SIMPLE_PARSERS: dict[str, Callable[[object], Any]] = {
    "yen": values.parse_yen, "date": values.parse_date, "year_month": values.parse_year_month,
    "integer": values.parse_integer, "decimal": values.parse_decimal, "text": values.parse_text,
}


def _share_text(share: Fraction) -> str:
    return str(share.numerator) if share.denominator == 1 else (
        f"{share.denominator}分の{share.numerator}")


def _position(issue: Issue) -> tuple[int, int, int]:
    """Sort key: sheet in contract order, then row, then column (as staff read a workbook)."""
    where = issue.where or CellRef("")
    sheet = SHEETS.index(where.sheet) if where.sheet in SHEETS else len(SHEETS)
    if not where.cell:
        return sheet, 0, 0
    col, row = coordinate_from_string(where.cell.split(":")[0])
    return sheet, row, column_index_from_string(col)


def _header(sheet: RawSheet) -> dict[int, RawCell]:
    """Row 1 of a table sheet (the headers), empty when row 1 is blank."""
    return sheet.rows[0].cells if sheet.rows and sheet.rows[0].number == 1 else {}


def _blank_row(cells: Collection[RawCell | None], sheet: RawSheet) -> bool:
    return all(c is None or (values.is_blank(c.value) and c.cell not in sheet.uncached)
               for c in cells)


def _dotted(loc: Loc) -> str:
    """The side-table key of a 案件 field from its pydantic location: ("debtor", "name")."""
    return ".".join(str(p) for p in loc)


def _row_key(sheet: str, row: int) -> Callable[[Loc], str]:
    """The side-table key of a table cell from its pydantic location ("債権者:5:rank")."""
    return lambda loc: f"{sheet}:{row}:{loc[0]}"


def _nest(flat: Record) -> Record:
    """{"debtor.name": x} → {"debtor": {"name": x}} for the nested models of Case."""
    data: Record = {}
    for key, value in flat.items():
        outer, _, inner = key.partition(".")
        if inner:
            data.setdefault(outer, {})[inner] = value
        else:
            data[key] = value
    return data


def _label_of(key: str) -> str:
    """The Japanese label of a side-table key ("sale_price", "債権者:5:rank")."""
    parts = key.split(":")
    if len(parts) == 3:
        table = next((t for t in TABLES if t.sheet == parts[0]), None)
        field = next((f for f in table.fields if f.name == parts[2]), None) if table else None
        return field.label if field else parts[2]
    return next((f.label for f in CASE_FIELDS if f.name == key), key)


def _unknown_label_message(label: str) -> str:
    close = difflib.get_close_matches(label, list(_LABELS), n=1, cutoff=0.5)
    hint = f"「{_LABELS[close[0]].label}」の誤りではありませんか。" if close else ""
    return f"項目「{label}」は様式にありません。{hint}この行は無視します"
