"""index.html in a real browser (headless Chromium, from file://): every case listed, every link
resolves to a file of the batch folder or a place on the page, user text stays text (no script
of theirs runs), the status filters work without a server, and what staff read is Japanese, in
local time, with no server path."""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import time
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
    assert len(files) == 3 * 3  # PDF, Word and the history page of each case with documents
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


#: A generous bound on one DevTools answer: a broken page fails the test instead of hanging it.
REPLY_SECONDS = 60
ON_FDS_3_AND_4 = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
                  "os.execv(sys.argv[3], sys.argv[3:])")


class DevTools:
    """Headless Chromium driven over its DevTools protocol on a pipe (``--remote-debugging-pipe``:
    commands on fd 3, replies on fd 4, each JSON ending in NUL): enough to open a page, click
    and read the DOM, with nothing to install besides Debian's chromium."""

    def __init__(self, profile: Path) -> None:
        commands_in, self._commands = os.pipe()
        self._replies, replies_out = os.pipe()
        # a small Python puts the pipes on fds 3 and 4, where chromium looks, and execs it
        self.process = subprocess.Popen(
            [sys.executable, "-c", ON_FDS_3_AND_4, str(commands_in), str(replies_out), CHROMIUM,
             "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
            pass_fds=(commands_in, replies_out),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_in)
        os.close(replies_out)
        self._buffer, self._id, self.session = b"", 0, None

    def send(self, method: str, **params):
        self._id += 1
        message = {"id": self._id, "method": method, "params": params}
        if self.session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                ready, _, _ = select.select([self._replies], [], [], REPLY_SECONDS)
                assert ready, f"chromium did not answer {method} in {REPLY_SECONDS} s"
                chunk = os.read(self._replies, 1 << 16)
                assert chunk, "chromium closed the DevTools pipe"
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", url=url)["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for _ in range(600):  # the new tab starts on about:blank
            if self.evaluate("location.protocol === 'file:' && document.readyState === 'complete'"):
                return
            time.sleep(0.05)
        raise AssertionError(f"{url} did not load")

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]  # a script error
        return result["result"].get("value")

    def close(self) -> None:
        try:
            self.send("Browser.close")
        finally:
            os.close(self._commands)
            os.close(self._replies)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


SHOWN_LEVELS = """new Promise((done, fail) => setTimeout(() => { try { done(
    [location.hash, [...document.querySelectorAll("section.case")]
        .filter(c => !c.hidden && getComputedStyle(c).display !== "none")
        .map(c => c.dataset.level).sort(),
     document.getElementById("shown").textContent]); } catch (e) { fail(e); } }, 50))"""


def test_clicking_a_filter_shows_only_those_cases_in_chromium(tmp_path):
    """Staff click 絞り込み links on the page opened from disk: the cases of other statuses are
    really hidden (not displayed), すべて shows them again, and a case link leaves the filter."""
    src = tmp_path / "in"
    inputs = [write_input(src, "2026-0142"), write_input(src, "2026-0148", status="warn"),
              write_input(src, "2026-0151", status="error"), write_input(src, "2026-0160")]
    index = run(tmp_path, inputs).batch_dir / "index.html"
    browser = DevTools(tmp_path / "chromium-profile")
    try:
        browser.open(index.as_uri())
        assert browser.evaluate(SHOWN_LEVELS) == ["", ["error", "ok", "ok", "warn"], "4件を表示しています"]
        for target, shown in (("error", ["error"]), ("warn", ["warn"]), ("high", []),
                              ("pending", ["ok", "ok", "warn"]), ("ok", ["ok", "ok"]),
                              ("all", ["error", "ok", "ok", "warn"])):
            browser.evaluate(f'document.querySelector(\'a[data-filter="{target}"]\').click()')
            hash_, levels, line = browser.evaluate(SHOWN_LEVELS)
            assert (hash_, levels, line) == (
                "#all" if target == "all" else f"#only-{target}", shown, f"{len(shown)}件を表示しています")
        browser.evaluate("document.querySelector('a[data-filter=\"ok\"]').click()")
        browser.evaluate("document.querySelector('a.to-case').click()")  # 先に確認する案件
        assert browser.evaluate(SHOWN_LEVELS)[:2] == ["#case-1", ["error", "ok", "ok", "warn"]]
    finally:
        browser.close()
