"""case.json: the docs/outputs.md schema over the worked example, and the status rule."""

from __future__ import annotations

import json
import re

import pytest
from compute.builder import BATCH, cost, lien, line, make_case, seizure

from pipeline.batch.casejson import case_json
from pipeline.compute import compute_case
from pipeline.config import load_config

CONFIG = load_config(None)
DOCS = [{"kind": "sale_request", "addressee": "みずなみ銀行 御中", "docx": "01.docx", "pdf": "01.pdf"}]


def data_of(case=None, documents=DOCS, extra=()):
    case = case or make_case()
    figures = compute_case(case, CONFIG, BATCH)
    data = case_json(case, figures, documents, list(extra))
    return json.loads(json.dumps(data, ensure_ascii=False))  # what the file will hold


def test_worked_example_shape_and_figures():
    data = data_of()
    assert {"schema", "case_id", "status", "sale", "auction", "household", "repayment",
            "warnings", "documents"} <= set(data)
    assert (data["schema"], data["case_id"], data["status"]) == ("case/1", "2026-0142", "ok")
    sale = data["sale"]
    assert [(d["code"], d["label"], d["amount"]) for d in sale["deductions"]] == [
        ("brokerage", "仲介手数料", 528_000), ("registration", "抵当権等抹消費用", 12_000),
        ("management_arrears", "滞納管理費等", 200_000), ("moving", "引越費用", 300_000)]
    assert all({"code", "label", "payee", "amount"} <= set(d) for d in sale["deductions"])
    assert (sale["deductions_total"], sale["distributable"], sale["surplus_to_debtor"]) == (
        1_040_000, 12_960_000, 0)
    (first,) = sale["liens"]
    assert {k: first[k] for k in ("creditor", "rank", "kind", "claim", "release_fee", "waterfall",
                                  "received", "remaining")} == {
        "creditor": "みずなみ銀行", "rank": 1, "kind": "抵当権", "claim": 20_702_000,
        "release_fee": 0, "waterfall": 12_960_000, "received": 12_960_000, "remaining": 7_742_000}
    assert sale["seizures"] == []


def test_worked_example_auction_household_repayment():
    data = data_of()
    assert {k: data["auction"][k] for k in (
        "market_value", "base_price", "min_bid", "expected_bid", "procedure_cost",
        "first_lien_recovery", "sale_first_lien_recovery", "advantage")} == {
        "market_value": 14_000_000, "base_price": 9_800_000, "min_bid": 7_840_000,
        "expected_bid": 9_100_000, "procedure_cost": 1_000_000, "first_lien_recovery": 8_100_000,
        "sale_first_lien_recovery": 12_960_000, "advantage": 4_860_000}
    assert {k: data["household"][k] for k in ("income", "expenses", "surplus")} == {
        "income": 460_000, "expenses": 398_000, "surplus": 62_000}
    repayment = data["repayment"]
    assert (repayment["monthly_total"], repayment["start"], repayment["lump_sum"]) == (
        31_000, "2027-02", None)
    (share,) = repayment["plan"]
    assert {k: share[k] for k in ("creditor", "rank", "remaining", "monthly", "months")} == {
        "creditor": "みずなみ銀行", "rank": 1, "remaining": 7_742_000, "monthly": 31_000,
        "months": 250}
    assert share["years"] == 20.8
    assert data["documents"] == DOCS
    assert data["document_date"] == "2026-11-30"


def test_seizure_entry_keeps_its_keys_and_gains_its_surplus_share():
    # A = 12,960,000 − 100,000 (差押解除料) = 12,860,000; the lien takes 10,000,000, so the
    # 800,000 − 100,000 = 700,000 the city is still owed comes out of the 2,860,000 left.
    case = make_case(creditors=(lien(1, principal=10_000_000), seizure("港区役所", 800_000)))
    sale = data_of(case)["sale"]
    (tax,) = sale["seizures"]
    assert {k: tax[k] for k in ("creditor", "priority", "claim", "release_fee", "surplus_share",
                                "remaining")} == {
        "creditor": "港区役所", "priority": False, "claim": 800_000, "release_fee": 100_000,
        "surplus_share": 700_000, "remaining": 0}
    assert set(tax) == {"row", "creditor", "priority", "claim", "release_fee", "surplus_share",
                        "remaining"}
    assert sale["surplus_to_debtor"] == 2_160_000


def test_lump_sum_percent_is_a_json_number():
    data = data_of(make_case(lump_sum_offer=541_940))
    (share,) = data["repayment"]["lump_sum"]["plan"]
    assert (share["amount"], share["percent"]) == (541_940, 7.0)
    assert isinstance(share["percent"], float)
    assert data["repayment"]["lump_sum"]["total"] == 541_940


def test_months_null_where_monthly_is_zero():
    case = make_case(budget=(line("収入", "給与", 460_000), line("支出", "住居費", 460_000)))
    (share,) = data_of(case)["repayment"]["plan"]
    assert (share["monthly"], share["months"], share["years"]) == (0, None, None)


@pytest.mark.parametrize(("overrides", "extra", "status", "label"), [
    ({}, [], "ok", "問題なし"),
    ({"costs": (cost("測量費", 1),)}, [], "ok", "参考"),  # info only
    ({"moving_requested": 400_000}, [], "warn", "警告"),
    ({"sale_price": 7_000_000}, [], "warn", "重要"),  # high
    ({}, [{"code": "unknown_label", "severity": "warn", "message": "x"}], "warn", "警告"),
    ({}, [{"code": "render_warning", "severity": "info", "message": "x"}], "ok", "参考"),
])
def test_status(overrides, extra, status, label):
    case = make_case(**overrides)
    data = data_of(case, extra=extra)
    assert data["status"] == status
    assert data["status_label"] == label  # the 状態 the summary and the review page show
    computed = compute_case(case, CONFIG, BATCH).warnings
    assert [w["code"] for w in data["warnings"]] == [w.code for w in computed] + [
        w["code"] for w in extra]


def test_warnings_carry_code_severity_message_and_place():
    data = data_of(make_case(moving_requested=400_000))
    (w,) = data["warnings"]
    assert (w["code"], w["severity"], w["severity_label"], w["sheet"], w["cell"]) == (
        "moving_reduced", "warn", "警告", "案件", "B23")
    assert "400,000" in w["message"]


def test_user_text_is_kept_literally():
    case = make_case(costs=(cost("{{ 7*7 }} <b>A&B</b>", 1, "=HYPERLINK(\"x\")"),))
    (line,) = [d for d in data_of(case)["sale"]["deductions"] if d["code"] == "other"]
    assert (line["label"], line["payee"]) == ("{{ 7*7 }} <b>A&B</b>", "=HYPERLINK(\"x\")")


def test_a_render_warning_speaks_japanese_and_keeps_weasyprint_s_line_as_detail():
    """Staff see Japanese only: WeasyPrint's English log line goes to ``detail`` for whoever
    edits the templates, the message names the document and what to do."""
    from pipeline.batch.casebuild import render_warning

    line = "Ignored `colour: red` at 3:1, unknown property."
    warning = render_warning("01_任意売却に関する同意申請書_A銀行", line)
    assert warning["detail"] == line
    assert "01_任意売却に関する同意申請書_A銀行.pdf" in warning["message"]
    assert not re.search(r"[A-Za-z]{4,}", warning["message"].replace("check-templates", "")
                         .replace("ninbai", ""))
