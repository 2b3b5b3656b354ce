"""ninbai serve in a real browser: Playwright driving Debian's chromium (never a browser of
Playwright's own) against waitress on 127.0.0.1 over a batch built for real from the samples:
open the batch, preview a packet, approve a case and see it approved, record a packet as sent."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from pipeline.serve import served_in_thread
from pipeline.serve.app import ServeSettings, create_app
from serve.conftest import BATCH

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (bash scripts/setup.sh --dev installs Debian's chromium)")


@pytest.fixture
def server(out_dir) -> Iterator[str]:
    """waitress serving the app on a free port of 127.0.0.1, in a thread; its base URL."""
    with served_in_thread(create_app(ServeSettings(out_dir))) as url:
        yield url


@pytest.fixture
def page(tmp_path):
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="ja-JP", timezone_id="Asia/Tokyo")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.console_messages = []
        page.on("console", lambda m: page.console_messages.append(m.text))
        try:
            yield page
        finally:
            browser.close()


def test_open_preview_approve_and_record_sent(server, page, out_dir):
    page.goto(server + "/")
    page.click(f"a.batch-link:text('{BATCH}')")
    assert page.locator("tr.case").count() == 2
    assert page.locator("#count-pending").inner_text() == "2件"

    # the 重要 filter leaves the case with 重要 warnings only
    page.click("nav.filters a:text('重要')")
    assert [t.strip() for t in page.locator("a.case-link").all_inner_texts()] == ["2026-0172"]
    page.click("nav.filters div:first-child a:text('すべて')")

    # the case page shows its first packet in the page, served by the app itself as a PDF
    with page.expect_response(lambda r: "/f/" in r.url) as pdf:
        page.click("a.case-link:text('2026-0142')")
    assert pdf.value.status == 200 and pdf.value.header_value("content-type") == "application/pdf"
    frame = page.locator("iframe.preview")
    assert "送付書類一式" in frame.get_attribute("title")
    assert page.locator("#figures dd").first.inner_text().endswith("円")
    # 2026-0142 names its scans on its 添付 sheet: nothing to warn of, so no warnings table
    assert page.locator("#warnings").count() == 0

    # approve: the name typed as with --by (a loopback server without users)
    page.fill("#approve-form input[name=by]", "佐藤 花子")
    page.click("#approve-form button")
    assert page.locator("#message").inner_text() == "承認しました。"
    assert page.locator("#approval-state .approved").first.inner_text() == "承認済み"
    assert "佐藤 花子" in page.locator("#history").inner_text()

    # record the packet as sent by FAX; the typed name is remembered
    assert page.input_value("#sent-form input[name=by]") == "佐藤 花子"
    page.fill("#sent-form input[name=sent_on]", "2026-12-01")
    page.check("#sent-form input[value=FAX]")
    page.click("#sent-form button")
    assert page.locator("#message").inner_text() == "送付を記録しました。"
    assert "送付済み 2026-12-01 FAX（佐藤 花子）" in page.locator("tr.packet td.sent").inner_text()

    # the batch page and the static index.html show the same records
    page.goto(f"{server}/b/{BATCH}/")
    assert page.locator("#count-approved").inner_text() == "1件"
    index = (out_dir / BATCH / "index.html").read_text("utf-8")
    assert "送付済み 2026-12-01 FAX（佐藤 花子）" in index and "承認済み" in index
    assert not [m for m in page.console_messages if "Content Security Policy" in m]


def test_a_case_with_high_warnings_needs_a_reason_in_the_browser(server, page):
    page.goto(f"{server}/b/{BATCH}/c/2026-0172/")
    assert "書類は「案」です" in page.locator("#approval-state").inner_text()
    page.fill("#approve-form input[name=by]", "佐藤 花子")
    page.fill("#approve-form textarea[name=override]", "第1順位と合意済み")
    page.click("#approve-form button")
    assert page.locator("#message").inner_text() == "承認しました。"
    assert "第1順位と合意済み" in page.locator("#approval-state").inner_text()


@pytest.fixture
def own_batch(tmp_path):
    """A batch of its own (its workbook is changed by the test), 2026-0142 approved."""
    from pipeline.batch.approve import approve_cases
    from serve.conftest import build_sample_batch

    out = build_sample_batch(tmp_path / "own", ("2026-0142",))
    assert approve_cases(out / BATCH, ["2026-0142"], "佐藤 花子").approved
    return out


@pytest.fixture
def rebuild_server(own_batch) -> Iterator[str]:
    from pipeline.config import load_config
    from pipeline.serve.rebuild import WarmBuilder
    from serve.conftest import INPUTS

    with WarmBuilder(load_config(INPUTS / "ninbai.toml")) as builder, \
            served_in_thread(create_app(ServeSettings(own_batch, builder=builder))) as url:
        yield url


def test_change_the_workbook_rebuild_and_see_the_change_table(rebuild_server, page, own_batch):
    from batch.test_compare import set_case_value

    workbook = own_batch.parent / "in" / "2026-0142.xlsx"
    set_case_value(workbook, "売却価格", 15_000_000)
    page.goto(f"{rebuild_server}/b/{BATCH}/c/2026-0142/")
    assert page.locator("#approval-state .approved").first.inner_text() == "承認済み"
    page.fill("#rebuild-form input[name=by]", "佐藤 花子")
    page.click("#rebuild-form button")
    assert "作り直しました" in page.locator("#message").inner_text()
    # the new revision is unapproved, with the approved one beside it and what changed
    assert "第2版" in page.locator("#case-input").inner_text()
    assert page.locator("#approval-state .pending").inner_text() == "未承認"
    table = page.locator("table.figure-changes").inner_text()
    assert "売却価格" in table and "14,000,000" in table and "15,000,000" in table
    assert page.locator("#revision-diff").get_by_text("任意売却に関する同意申請書").count() > 0

    # the workbook put back: the files are the approved ones, shown as approved again
    set_case_value(workbook, "売却価格", 14_000_000)
    page.fill("#rebuild-form input[name=by]", "佐藤 花子")
    page.click("#rebuild-form button")
    assert page.locator("#approval-state .approved").first.inner_text() == "承認済み"
    assert page.locator("table.figure-changes").count() == 0
