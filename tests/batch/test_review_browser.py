"""index.html in a real browser (headless Chromium, from file://): every case listed, every link
resolves to a file of the batch folder, and user text stays text (no script runs)."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse
from urllib.request import url2pathname

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
        self.scripts = 0
        self._in_case_id = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self._in_case_id = tag == "span" and attrs.get("class") == "case-id"

    def handle_data(self, data):
        if self._in_case_id:
            self.case_ids.append(data)
            self._in_case_id = False


def dump_dom(page: Path, profile: Path) -> str:
    completed = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
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
    assert page.scripts == 0
    assert "&lt;script&gt;document.write('X')&lt;/script&gt;𠮷田" in dom
    assert len(page.links) == 3 * 2
    for link in page.links:
        target = urlparse(urljoin(index.as_uri(), link))
        assert target.scheme == "file"
        path = Path(url2pathname(target.path))
        assert path.is_file(), link
        assert path.is_relative_to(result.batch_dir)
