"""The 期限 list on top of index.html: the batch's cases' deadlines (from their records, as
case.json lists them) due from the batch date, the same selection as ``ninbai deadlines``,
each linked to its case on the page; user text stays text."""

from __future__ import annotations

import re
from datetime import date, timedelta

from batch.test_batch import BATCH_DATE, run, write_input
from pipeline.batch.manifest import load_manifest
from pipeline.batch.review import render_index
from pipeline.compute.deadlines import Deadline


def item(kind: str, days: int, creditor: str | None = None, label: str = "回答期限") -> dict:
    return Deadline(kind, label, BATCH_DATE + timedelta(days=days), creditor).to_json()


def rows(html: str) -> list[tuple[str, str, str, str]]:
    """(date, 残り, case id, creditor) of each row of the 期限 table."""
    section = html[html.index('id="deadlines"'):html.index('id="summary"')]
    found = re.findall(r'<tr class="deadline[^"]*" data-kind="[a-z_]+">\s*<td>([^<]*)</td>'
                       r'<td class="when">([^<]*)</td>\s*<td><a href="#(case-\d+)">([^<]*)</a></td>'
                       r'\s*<td>[^<]*</td><td>([^<]*)</td></tr>', section)
    return [(d, when, case_id, creditor) for d, when, _, case_id, creditor in found]


def test_deadlines_on_top_soonest_first_linked_to_their_cases(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "2026-0142"), write_input(src, "2026-0148", status="warn"),
              write_input(src, "2026-0151", status="error")]
    manifest = load_manifest(run(tmp_path, inputs).batch_dir)
    by_id = {r.case_id: r for r in manifest.inputs}
    by_id["2026-0142"].deadlines = [item("settlement_date", 31, label="決済予定日"),
                                    item("reply_deadline", 3, "<b>A&B</b>銀行")]
    by_id["2026-0148"].deadlines = [item("reply_deadline", -4, None),
                                    item("opening_date", -1, label="開札期日"),
                                    item("settlement_date", 30, label="決済予定日")]
    html = render_index(manifest, [])
    assert html.index('id="deadlines"') < html.index('id="summary"')
    shown = rows(html)
    assert [(d, when, case_id, creditor) for d, when, case_id, creditor in shown] == [
        ("2026年11月26日（木）", "4日経過", "2026-0148", "各債権者"),
        ("2026年12月3日（木）", "あと3日", "2026-0142", "&lt;b&gt;A&amp;B&lt;/b&gt;銀行"),
        ("2026年12月30日（水）", "あと30日", "2026-0148", "")]
    anchors = dict(re.findall(r'<section class="case [^"]*" id="(case-\d+)"[^>]*>\s*<h2>.*?'
                              r'<span class="case-id">([^<]+)</span>', html, flags=re.DOTALL))
    links = re.findall(r'<td><a href="#(case-\d+)">([^<]*)</a></td>', html)
    assert links and all(anchors[anchor] == case_id for anchor, case_id in links)
    assert '<tr class="deadline overdue"' in html
    assert "エラーの案件（1件）の期限は、読めないため含みません。" in html


def test_no_deadlines_says_so(tmp_path):
    manifest = load_manifest(run(tmp_path, [write_input(tmp_path / "in", "2026-0142")]).batch_dir)
    html = render_index(manifest, [])
    assert "期限の近い案件・期限切れの案件はありません。" in html
    assert rows(html) == []
    assert date.fromisoformat(manifest.key.batch_date) == BATCH_DATE
