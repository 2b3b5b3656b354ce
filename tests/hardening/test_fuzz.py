"""Fuzzing the reader and the validator: whatever staff (or a broken program) put in a workbook,
``load_case`` answers with a valid case or with located errors, and never raises.

Three levels, from cheap to real:
- random Python cell values straight into ``validate_workbook`` (what openpyxl can hand over:
  text with control characters, huge text, NaN and infinities, dates, times, booleans, …);
- real .xlsx files of random shape: random sheets (contract names, near-misses, strangers),
  random headers and rows, merged ranges, formulas, and a valid workbook with random cells
  overwritten;
- random byte damage to a valid .xlsx (flips, cuts, insertions) read by ``read_workbook``.

"Never raises" is checked strictly: the validator turns an unexpected exception into an
``internal_error`` issue to keep a batch going, so an ``internal_error`` counts as a crash here.
"""

from __future__ import annotations

import io
import math
import os
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from factory import CASE, HEADERS, write_case
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from pipeline.read.issues import Issue
from pipeline.read.models import Case
from pipeline.read.schema import SHEETS
from pipeline.read.validate import load_case, validate_workbook
from pipeline.read.workbook import RawCell, RawRow, RawSheet, RawWorkbook, read_workbook

#: The sheets tests/factory.py writes (the validator's); 添付 is fuzzed in tests/attach/.
BUILT = [s for s in SHEETS if s == "案件" or s in HEADERS]

#: Modest and deterministic on CI (a fuzz failure there must be reproducible), random locally.
FUZZ = settings(max_examples=60, deadline=None, derandomize=os.environ.get("CI") == "true",
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PLACE = re.compile(r"^$|^[A-Z]{1,3}\d+(:[A-Z]{1,3}\d+)?$")
FILE = "fuzz.xlsx"

# --- cell values ---------------------------------------------------------------------------

CONTRACT_WORDS = [label for label, _ in CASE] + [h for hs in HEADERS.values() for h in hs] + [
    "マンション", "抵当権", "差押", "無担保", "収入", "支出", "給与", "住居費", "はい", "あり",
    "1,400万円", "1,2OO万", "令和8年2月30日", "R8.11.30", "14.6%", "-5", "１２０，０００", "jhf",
    "#DIV/0!", "#N/A", "nan", "inf", "=A1", "'=1+1", "2026-0142", "../x", "\u3000"]
CONTROL_TEXT = st.text(st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Zs",
                                                                 "Lo", "Nd"]), max_size=30)
TEXT = st.one_of(st.text(max_size=40), CONTROL_TEXT, st.sampled_from(CONTRACT_WORDS),
                 st.integers(1, 40_000).map(lambda n: "長" * n))
NUMBER = st.one_of(st.integers(-10**20, 10**20), st.floats(allow_nan=True, allow_infinity=True),
                   st.sampled_from([0, 1, -1, 0.1, 1e300, -0.0, 2**63, 14000000.000000002]))
WHEN = st.one_of(st.dates(), st.datetimes(), st.times(),
                 st.timedeltas(min_value=timedelta(days=-9999), max_value=timedelta(days=9999)))
ANY_VALUE = st.one_of(st.none(), TEXT, NUMBER, WHEN, st.booleans())


def storable(value: object) -> object:
    """What can go into an .xlsx cell: XML has no place for most control characters."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)[:32767]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # openpyxl writes an empty value for NaN and infinities
    if isinstance(value, int) and abs(value) > 2**53:
        return float(value)
    return value


# --- the property ----------------------------------------------------------------------------

def assert_case_or_located_errors(case: Case | None, issues: list[Issue]) -> None:
    """The contract of load_case under any input."""
    assert all(isinstance(i, Issue) for i in issues)
    assert "internal_error" not in {i.code for i in issues}, [str(i) for i in issues]
    errors = [i for i in issues if i.severity == "error"]
    event("valid case" if case is not None else f"refused: {min(i.code for i in errors)}")
    if case is not None:
        assert isinstance(case, Case) and not errors
        return
    assert errors, "no case and no error"
    for issue in issues:
        assert issue.where is not None and issue.where.file == FILE, issue
        assert PLACE.match(issue.where.cell), issue
        assert issue.message


# --- level 1: raw values into the validator --------------------------------------------------

def raw_sheet(name: str, rows: list[list[object]]) -> RawSheet:
    from openpyxl.utils import get_column_letter

    raw_rows = []
    for r, values in enumerate(rows, start=1):
        cells = {c: RawCell(f"{get_column_letter(c)}{r}", v, fmt)
                 for c, (v, fmt) in enumerate(values, start=1) if v is not None}
        if cells:
            raw_rows.append(RawRow(r, cells))
    return RawSheet(name, name, tuple(raw_rows))


FORMAT = st.sampled_from(["General", "0.0%", "#,##0", "yyyy/mm/dd", "@", "[$-ja-JP]ggge年m月d日"])
RAW_CELL = st.tuples(ANY_VALUE, FORMAT)


@st.composite
def raw_workbooks(draw) -> RawWorkbook:
    """A valid-looking layout (labels, headers) with random values, random rows and sheets."""
    sheets = {}
    for name in draw(st.lists(st.sampled_from(BUILT), unique=True, min_size=1)):
        if name == "案件":
            rows = [[(label, "General"), draw(RAW_CELL)] for label, _ in CASE
                    if draw(st.booleans()) or draw(st.booleans())]
            rows += draw(st.lists(st.lists(RAW_CELL, max_size=3), max_size=3))
        else:
            header = [(h, "General") for h in HEADERS[name]] if draw(st.booleans()) else \
                draw(st.lists(RAW_CELL, max_size=8))
            rows = [header] + draw(st.lists(st.lists(RAW_CELL, max_size=16), max_size=4))
        sheets[name] = raw_sheet(name, rows)
    return RawWorkbook(FILE, sheets)


@settings(FUZZ, max_examples=300)
@given(raw_workbooks())
def test_random_values_never_crash_the_validator(raw):
    assert_case_or_located_errors(*validate_workbook(raw, ("standard", "jhf")))


# --- level 2: real files of random shape -----------------------------------------------------

TITLES = st.one_of(st.sampled_from(SHEETS), st.sampled_from([" 債権者 ", "債 権 者", "収支　",
                                                             "Sheet", "案件 (2)", "ｻﾝﾌﾟﾙ"]),
                   # utf-8: a lone surrogate cannot be saved at all (openpyxl raises while
                   # writing), so it is a generator error, not a finding.
                   st.text(st.characters(codec="utf-8", exclude_characters="\\/?*[]:'"),
                           min_size=1,
                           max_size=31).filter(lambda t: t.strip()))
HEADER = st.one_of(st.sampled_from([h for hs in HEADERS.values() for h in hs] + ["項目", "値"]),
                   TEXT)


@st.composite
def random_workbooks(draw) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title in draw(st.lists(TITLES, min_size=1, max_size=9)):
        ws = wb.create_sheet(ILLEGAL_CHARACTERS_RE.sub("", title)[:31] or "x")
        ws.append([storable(v) for v in draw(st.lists(HEADER, max_size=16))])
        for row in draw(st.lists(st.lists(ANY_VALUE, max_size=16), max_size=5)):
            ws.append([storable(v) for v in row])
        if draw(st.booleans()):  # before merging: a merged cell cannot take a value
            ws.cell(draw(st.integers(1, 8)), draw(st.integers(1, 16)), "=SUM(A1:A3)")
        if draw(st.booleans()) and ws.max_row > 1:
            ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def load_bytes(data: bytes) -> tuple[Case | None, list[Issue]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILE
        path.write_bytes(data)
        return load_case(path, ("standard", "jhf"))


@FUZZ
@given(random_workbooks())
def test_random_sheet_shapes_never_crash_the_reader(data):
    assert_case_or_located_errors(*load_bytes(data))


CELL_TARGET = st.tuples(st.sampled_from(SHEETS), st.integers(1, 12), st.integers(1, 17))


@FUZZ
@given(st.lists(st.tuples(CELL_TARGET, ANY_VALUE), min_size=1, max_size=8),
       st.lists(st.sampled_from(SHEETS), max_size=2, unique=True))
def test_random_cells_in_a_valid_workbook_never_crash(changes, dropped):
    def edit(wb):
        for (sheet, row, column), value in changes:
            if sheet in wb.sheetnames:
                wb[sheet].cell(row, column).value = storable(value)

    with tempfile.TemporaryDirectory() as folder:
        path = write_case(Path(folder), FILE, drop=dropped, edit=edit)
        assert_case_or_located_errors(*load_case(path, ("standard", "jhf")))


CASE_LABELS = [label for label, _ in CASE] + ["返済提案月額", "一括和解提案額", "管理費等滞納額",
                                             "引越費用希望額", "破産手続", "売却基準価額"]
TABLE_CELL = st.tuples(st.sampled_from([s for s in BUILT if s != "案件"]), st.integers(2, 5),
                       st.integers(1, 15))


@FUZZ
@given(st.lists(st.tuples(TABLE_CELL, ANY_VALUE), max_size=6),
       st.lists(st.tuples(st.sampled_from(CASE_LABELS), ANY_VALUE), max_size=4))
def test_whatever_validates_also_computes_and_builds_its_documents(changes, labels):
    """A case the validator accepts must not crash the stages after it (compute, views)."""
    from pipeline.compute import compute_case
    from pipeline.config import load_config
    from pipeline.documents import build_views

    def edit(wb):
        for (sheet, row, column), value in changes:
            wb[sheet].cell(row, column).value = storable(value)

    with tempfile.TemporaryDirectory() as folder:
        path = write_case(Path(folder), FILE, edit=edit,
                          case={label: storable(value) for label, value in labels})
        case, issues = load_case(path, ("standard", "jhf"))
    assert_case_or_located_errors(case, issues)
    if case is not None:
        config = load_config(None)
        assert build_views(case, compute_case(case, config, date(2026, 11, 30)), config)


# --- level 3: damaged bytes -----------------------------------------------------------------

@st.composite
def damaged(draw, valid: bytes) -> bytes:
    data = bytearray(valid)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert", "zero"]))
        if action == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif action == "cut":
            del data[at:at + draw(st.integers(1, 4096))]
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        else:
            data[at:at + 64] = bytes(len(data[at:at + 64]))
        if not data:
            break
    return bytes(data)


def _valid_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        return write_case(Path(folder), FILE).read_bytes()


VALID = _valid_bytes()


@FUZZ
@given(damaged(VALID))
def test_damaged_bytes_never_crash_the_reader(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / FILE
        path.write_bytes(data)
        raw, issues = read_workbook(path)
        assert raw is not None or issues
        assert all(i.where is not None and i.where.file == FILE for i in issues)
        assert_case_or_located_errors(*load_case(path, ("standard", "jhf")))


def test_the_mutation_fuzzer_starts_from_a_valid_case():
    """Mutations of a valid workbook reach the validator's cross rules and the valid path."""
    case, issues = load_bytes(VALID)
    assert case is not None and issues == []
