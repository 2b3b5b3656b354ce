"""The pages' content: the deadlines on top of the batch page (from the manifest records, as on
index.html) and its filters, the break-even prices and deadlines on the case page (from
case.json, when a build wrote them), data as data."""

from __future__ import annotations

import json
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from pipeline.batch.manifest import read_manifest, write_manifest
from pipeline.compute.deadlines import day_text
from serve.conftest import BATCH, make_app

CASE = f"/b/{BATCH}/c/2026-0142/"


def add_to_case_json(out_dir, case_id: str, **keys) -> None:
    path = out_dir / BATCH / case_id / "case.json"
    data = json.loads(path.read_text("utf-8"))
    path.write_text(json.dumps({**data, **keys}, ensure_ascii=False), "utf-8")


def add_deadlines(out_dir, case_id: str, deadlines: list[dict]) -> None:
    """The case's deadlines where the build writes them: its case.json (the case page) and its
    manifest record (the batch page and index.html)."""
    add_to_case_json(out_dir, case_id, deadlines=deadlines)
    manifest = read_manifest(out_dir / BATCH)
    manifest.find(case_id).deadlines = deadlines
    write_manifest(out_dir / BATCH, manifest)


def today() -> date:
    from datetime import datetime
    return datetime.now(ZoneInfo("Asia/Tokyo")).date()


@pytest.fixture
def with_deadlines(out_dir):
    past, soon = today() - timedelta(days=2), today() + timedelta(days=3)
    add_deadlines(out_dir, "2026-0142", [
        {"kind": "reply_deadline", "label": "回答期限（第1回）", "date": soon.isoformat(),
         "creditor": "東都みらい銀行"}])
    add_deadlines(out_dir, "2026-0172", [
        {"kind": "settlement_date", "label": "<b>決済予定日</b>", "date": past.isoformat(),
         "creditor": None}])
    return past, soon


def test_the_deadlines_are_on_top_of_the_batch_page_soonest_first(out_dir, with_deadlines):
    past, soon = with_deadlines
    page = make_app(out_dir).test_client().get(f"/b/{BATCH}/").get_data(as_text=True)
    top = page[page.index('id="deadlines"'):page.index("概要")]
    assert top.index(day_text(past)) < top.index(day_text(soon))  # dates as staff read them
    assert top.index("2026-0172") < top.index("2026-0142")
    assert "2日過ぎ" in top and "3日" in top and "東都みらい銀行" in top
    assert "&lt;b&gt;決済予定日&lt;/b&gt;" in top and "<b>決済予定日" not in top  # data is data


@pytest.mark.parametrize("wanted,shown", [("overdue", ["2026-0172"]),
                                          ("soon", ["2026-0142", "2026-0172"]), ("", None)])
def test_the_deadline_filter(out_dir, with_deadlines, wanted, shown):
    import re
    page = make_app(out_dir).test_client().get(f"/b/{BATCH}/?deadline={wanted}").get_data(
        as_text=True)
    listed = sorted(re.findall(r'class="case-link" href="[^"]+">([^<]+)<', page))
    assert listed == (shown or ["2026-0142", "2026-0172"])


def test_filters_by_status_severity_and_approval(client):
    import re

    def listed(query: str) -> list[str]:
        page = client.get(f"/b/{BATCH}/?{query}").get_data(as_text=True)
        return sorted(re.findall(r'class="case-link" href="[^"]+">([^<]+)<', page))

    assert listed("level=high") == ["2026-0172"]
    # 2026-0142 names its scans on its 添付 sheet, so it has no warning at all
    assert listed("level=ok") == ["2026-0142"]
    assert listed("level=warn") == []
    assert listed("severity=warn") == ["2026-0172"]  # 0172 has a 警告 beside its 重要
    assert listed("approval=pending") == ["2026-0142", "2026-0172"]
    assert listed("approval=approved") == []
    assert listed("level=nonsense") == ["2026-0142", "2026-0172"]  # unknown: no filter


def test_the_case_page_shows_break_even_and_its_deadlines(out_dir):
    add_to_case_json(out_dir, "2026-0142", break_even={
        "first_lien_price": 9_870_000, "all_floors_price": None,
        "floors": [{"creditor": "東都みらい銀行", "round": 2, "floor_price": 12_500_000, "row": 2}]},
        deadlines=[{"kind": "reply_deadline", "label": "回答期限（第2回）", "date": "2026-12-10",
                    "creditor": "東都みらい銀行"}])
    page = make_app(out_dir).test_client().get(CASE).get_data(as_text=True)
    section = page[page.index('id="break-even"'):page.index('id="deadlines"')]
    assert "9,870,000円" in section and "見つかりません" in section
    assert "第2回" in section and "12,500,000円" in section
    assert "2026年12月10日（木）" in page and "回答期限（第2回）" in page


def test_a_case_json_without_them_shows_neither(out_dir):
    """A case.json written before break-even prices and deadlines existed."""
    path = out_dir / BATCH / "2026-0142" / "case.json"
    data = json.loads(path.read_text("utf-8"))
    del data["break_even"], data["deadlines"]
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    page = make_app(out_dir).test_client().get(CASE).get_data(as_text=True)
    assert 'id="break-even"' not in page and 'id="deadlines"' not in page
    assert "14,000,000円" in page  # the key figures from the manifest


def test_warnings_name_their_cells(client):
    page = client.get(f"/b/{BATCH}/c/2026-0172/").get_data(as_text=True)
    assert "案件!B14" in page and "案件!B20" in page
    assert "書類は「案」です" in page and 'name="override"' in page


def test_an_unknown_case_is_not_found(client):
    assert client.get(f"/b/{BATCH}/c/2026-9999/").status_code == 404


def test_the_preview_shows_only_the_cases_own_pdfs(client):
    page = client.get(CASE + "?show=2026-0172/02_生活状況表.pdf").get_data(as_text=True)
    assert "2026-0172" not in page.split('class="preview"')[1].split(">")[0]
