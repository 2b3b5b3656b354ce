"""index.html in a real browser (headless Chromium, from file://): every case listed, every link
resolves to a file of the batch folder or a place on the page, user text stays text (no script
of theirs runs), the status filters work without a server, and what staff read is Japanese, in
local time, with no server path."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import pytest

from batch.test_batch import run, write_input

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (bash scripts/setup.sh --dev installs Debian's chromium)")


class Page(HTMLParser):
    """The parts of the dumped DOM the test looks at."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.case_ids: list[str] = []
        self.hidden: list[str] = []  # levels of the cases the filter hides
        self.shown: list[str] = []  # … and of those it shows
        self.scripts = 0
        self._in_case_id = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "section" and "case" in (attrs.get("class") or "").split():
            (self.hidden if "hidden" in attrs else self.shown).append(attrs["data-level"])
        self._in_case_id = tag == "span" and attrs.get("class") == "case-id"

    def handle_data(self, data):
        if self._in_case_id:
            self.case_ids.append(data)
            self._in_case_id = False


def dump_dom(page: Path, profile: Path, fragment: str = "") -> str:
    """The DOM after the page's script ran, opened as file:// (``fragment``: #only-error …)."""
    completed = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", "--dump-dom", page.as_uri() + fragment],
        check=False, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def test_review_page_in_chromium(tmp_path):
    src = tmp_path / "in"
    inputs = [write_input(src, "2026-0142"), write_input(src, "2026-0148", status="warn"),
              write_input(src, "2026-0151", status="error"),
              write_input(src, "2026-0160", debtor="<script>document.write('X')</script>𠮷田")]
    result = run(tmp_path, inputs)
    index = result.batch_dir / "index.html"
    dom = dump_dom(index, tmp_path / "chromium-profile")

    page = Page()
    page.feed(dom)
    assert sorted(page.case_ids) == ["2026-0142", "2026-0148", "2026-0151", "2026-0160"]
    assert page.case_ids[0] == "2026-0151"  # the failed case first
    assert page.scripts == 1  # the filters' own; the debtor's <script> is text
    assert "&lt;script&gt;document.write('X')&lt;/script&gt;𠮷田" in dom
    files = [link for link in page.links if not link.startswith("#")]
    assert len(files) == 3 * 2
    for link in page.links:
        if link.startswith("#"):  # a filter or a case: somewhere on this page
            assert link in ("#all", "#only-pending") or re.fullmatch(r"#only-[a-z]+", link) \
                or f'id="{link[1:]}"' in dom, link
            continue
        target = urlparse(urljoin(index.as_uri(), link))
        assert target.scheme == "file"
        path = Path(url2pathname(target.path))
        assert path.is_file(), link
        assert path.is_relative_to(result.batch_dir)


def test_review_page_filters_times_and_words_in_chromium(tmp_path):
    """Opened as a file, #only-<状態> shows only those cases (the page's own script, no server);
    the times are 日本時間, the input is its file name, the statuses are Japanese."""
    src = tmp_path / "in"
    inputs = [write_input(src, "2026-0142"), write_input(src, "2026-0148", status="warn"),
              write_input(src, "2026-0151", status="error"), write_input(src, "2026-0160")]
    result = run(tmp_path, inputs)
    index = result.batch_dir / "index.html"
    profile = tmp_path / "chromium-profile"

    everything = Page()
    everything.feed(dump_dom(index, profile))
    assert (everything.hidden, sorted(everything.shown)) == ([], ["error", "ok", "ok", "warn"])
    for fragment, shown in (("#only-error", ["error"]), ("#only-warn", ["warn"]),
                            ("#only-ok", ["ok", "ok"]), ("#only-high", []),
                            ("#only-pending", ["ok", "ok", "warn"]), ("#all", None)):
        dom = dump_dom(index, profile, fragment)
        page = Page()
        page.feed(dom)
        assert sorted(page.shown) == (shown if shown is not None else sorted(everything.shown))
        assert len(page.shown) + len(page.hidden) == 4
        assert f'{len(page.shown)}件を表示しています' in dom
        current = re.findall(r'data-filter="([a-z]+)" aria-current="true"', dom)
        assert current == [fragment.removeprefix("#only-").removeprefix("#")]

    dom = dump_dom(index, profile)
    assert str(tmp_path) not in dom and '<span class="input-file">2026-0151.xlsx</span>' in dom
    generated = re.search(r'作成 <span class="generated">(\d{4})年(\d+)月(\d+)日 (\d\d):(\d\d)</span>'
                          r'（日本時間）', dom)
    assert generated is not None
    recorded = datetime.fromisoformat(result.manifest.generated_at).astimezone(
        ZoneInfo("Asia/Tokyo"))
    assert tuple(int(g) for g in generated.groups()) == (
        recorded.year, recorded.month, recorded.day, recorded.hour, recorded.minute)
    text = re.sub(r"<(style|script)\b.*?</\1>|<[^>]+>", " ", dom, flags=re.DOTALL)
    assert not re.search(r"(?<![-\w])(ok|warn|high|info|error)\b", text)
    assert "次にすること" in text
