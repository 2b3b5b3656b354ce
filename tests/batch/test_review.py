"""The review: order by severity, escaped text, working relative links, approvals, terminal form."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

from batch.test_batch import run, write_input
from pipeline.batch.manifest import Approval, load_approvals, load_manifest
from pipeline.batch.review import case_level, render_index, review_cases, review_lines
from pipeline.read.issues import LEVELS


class Links(HTMLParser):
    """Collects every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in ("href", "src") and value]


def page_links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


#: A status code shown as such (the case ids of mixed_batch, C-error, are not).
ENGLISH_STATUS = r"(?<![-\w])(ok|warn|high|info|error)\b"
FILTERS = {"#all", "#only-pending"} | {f"#only-{level}" for level in LEVELS}


def page_anchors(html: str) -> set[str]:
    return {f"#{name}" for name in re.findall(r'\bid="([^"]+)"', html)}


def visible_text(html: str) -> str:
    """The page's text as staff read it: no tags, attributes, style or script."""
    html = re.sub(r"<(style|script)\b.*?</\1>", "", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


def mixed_batch(tmp_path: Path):
    src = tmp_path / "in"
    inputs = [
        write_input(src, "A-ok"),
        write_input(src, "B-warn", status="warn"),
        write_input(src, "C-error", status="error"),
        write_input(src, "D-ok", debtor="<script>alert(1)</script>{{ 7*7 }} A&B"),
    ]
    return run(tmp_path, inputs)


def test_cases_most_severe_first(tmp_path):
    result = mixed_batch(tmp_path)
    cases = review_cases(result.manifest, [])
    assert [(c.label, c.level) for c in cases] == [
        ("C-error", "error"), ("B-warn", "warn"), ("A-ok", "ok"), ("D-ok", "ok")]


def test_case_level_takes_the_worst_warning():
    from batch.test_summary import record

    info = record("X", warnings=[{"code": "a", "severity": "info", "message": "m"}])
    high = record("Y", status="warn", warnings=[
        {"code": "a", "severity": "info", "message": "m"},
        {"code": "b", "severity": "high", "message": "m"},
        {"code": "c", "severity": "warn", "message": "m"}])
    assert (case_level(info), case_level(high), case_level(record("Z"))) == ("info", "high", "ok")
    assert case_level(record(None, status="error")) == "error"


def test_user_text_prints_literally(tmp_path):
    result = mixed_batch(tmp_path)
    html = (result.batch_dir / "index.html").read_text("utf-8")
    assert html.count("<script") == 1 and "alert(1)</script>" not in html  # the filters' own
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }} A&amp;B" in html


def test_every_link_is_relative_and_resolves(tmp_path):
    result = mixed_batch(tmp_path)
    html = (result.batch_dir / "index.html").read_text("utf-8")
    links = page_links(html)
    files = [link for link in links if not link.startswith("#")]  # the rest go within the page
    assert len(files) == 3 * 3  # three cases with documents: PDF, Word and the history page
    assert {link for link in links if link.startswith("#")} <= page_anchors(html) | FILTERS
    for link in files:
        assert not re.match(r"^[a-z]+:|^/", link), link  # no scheme, not absolute
        assert (result.batch_dir / unquote(link)).is_file(), link
    assert "%E7%94%B3%E8%AB%8B%E6%9B%B8" in html  # 申請書, percent-encoded in the link


def test_page_uses_no_external_resource(tmp_path):
    html = (mixed_batch(tmp_path).batch_dir / "index.html").read_text("utf-8")
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "<link" not in html and "@import" not in html


def test_every_warning_and_error_is_on_the_page(tmp_path):
    result = mixed_batch(tmp_path)
    html = (result.batch_dir / "index.html").read_text("utf-8")
    for record in result.manifest.inputs:
        for issue in record.warnings + record.errors:
            assert issue["message"] in html
    assert "1,234,000円" in html and "9,900,000円" in html


def test_approval_state_and_earlier_revision_on_the_page(tmp_path):
    result = mixed_batch(tmp_path)
    approval = Approval("A-ok", "A-ok", 1, "佐藤 花子", "2026-11-30T09:00:00+00:00",
                        {"01_申請書.pdf": "x", "01_申請書.docx": "y", "case.json": "z"})
    html = render_index(result.manifest, [approval])
    cases = html[html.index('class="case '):]
    assert cases.count("承認済み") == 1 and "佐藤 花子" in html
    record = result.manifest.find("A-ok")
    record.folder, record.revision = "A-ok/rev2", 2
    html = render_index(result.manifest, [approval])
    assert "承認済みの版" in html and "第2版" in html
    assert 'href="A-ok/01_%E7%94%B3%E8%AB%8B%E6%9B%B8.pdf"' in html


def test_terminal_review(tmp_path):
    result = mixed_batch(tmp_path)
    lines = review_lines(review_cases(result.manifest, load_approvals(result.batch_dir)))
    heads = [line.split()[:2] for line in lines if not line.startswith(" ")]
    assert heads == [["C-error", "エラー"], ["B-warn", "警告"], ["A-ok", "問題なし"],
                     ["D-ok", "問題なし"]]
    text = "\n".join(lines)
    assert "[警告] 引越費用を上限まで減額" in text and "[エラー] 元金残高を金額として読めません" in text
    assert "yen_invalid" not in text and "moving_reduced" not in text  # no internal codes
    assert not re.search(ENGLISH_STATUS, text)
    assert "1,2OO" not in text  # the value a message quotes stays off the terminal
    assert "山田" not in text and "<script>" not in text  # debtors' names stay off the terminal
    detailed = "\n".join(review_lines(review_cases(result.manifest, load_approvals(
        result.batch_dir)), details=True))
    assert "元金残高を金額として読めません" in detailed and "引越費用を減額しました" in detailed


def test_terminal_warnings_are_titles_with_their_cell_never_their_values():
    from batch.test_summary import KEY, record
    from pipeline.batch.manifest import Manifest

    warned = record("2026-0142", status="warn", warnings=[
        {"code": "moving_reduced", "severity": "warn", "sheet": "案件", "cell": "B23",
         "message": "引越費用の希望額400,000円は上限300,000円に減額しました。"},
        {"code": "unknown_label", "severity": "warn", "sheet": "案件", "cell": "A40",
         "message": "2026-0142.xlsx 案件!A40: 項目「山田 太郎」は様式にありません。この行は無視します"}])
    lines = review_lines(review_cases(Manifest("b", KEY, "t", [warned]), []))
    assert lines[1:] == ["    [警告] 案件!B23 引越費用を上限まで減額",
                         "    [警告] 案件!A40 様式にない項目（無視しました）"]


def test_statuses_are_japanese_on_the_page(tmp_path):
    result = mixed_batch(tmp_path)
    text = visible_text((result.batch_dir / "index.html").read_text("utf-8"))
    assert not re.search(ENGLISH_STATUS, text)
    for label in ("問題なし", "参考", "警告", "重要", "エラー"):
        assert label in text


def test_times_are_local_and_the_zone_is_configurable(tmp_path):
    """The manifest and approvals.json record UTC; the page shows 日本時間 (or [review] timezone)."""
    result = mixed_batch(tmp_path)
    result.manifest.generated_at = "2026-11-30T15:30:00+00:00"
    approval = Approval("A-ok", "A-ok", 1, "佐藤 花子", "2026-11-30T23:05:00+00:00",
                        {"01_申請書.pdf": "x"})
    html = render_index(result.manifest, [approval])
    assert "作成 <span class=\"generated\">2026年12月1日 00:30</span>（日本時間）" in html
    assert "2026年12月1日 08:05" in html and "UTC" not in html and "+00:00" not in html
    other = render_index(result.manifest, [approval], zone="America/New_York")
    assert "2026年11月30日 10:30</span>（America/New_York）" in other
    assert "2026年11月30日 18:05" in other


def test_the_full_repayment_period_is_shown_to_staff(tmp_path):
    """Letters may say only 「当面の月額」 past the period cap; the review page keeps the full
    figure (issue 13), and a case without a plan shows a dash."""
    src = tmp_path / "in"
    result = run(tmp_path, [write_input(src, "A", months=1819), write_input(src, "B")])
    text = visible_text((result.batch_dir / "index.html").read_text("utf-8"))
    assert "最長返済期間" in text
    assert "1,819回（151.5年）" in text
    assert text.count("最長返済期間") == 2 and "—" in text


def test_the_input_is_named_by_its_file_not_its_path(tmp_path):
    result = mixed_batch(tmp_path)
    html = (result.batch_dir / "index.html").read_text("utf-8")
    assert str(tmp_path) not in html
    assert '<span class="input-file">C-error.xlsx</span>' in html


def test_a_summary_with_counts_and_links_heads_the_page(tmp_path):
    result = mixed_batch(tmp_path)
    html = (result.batch_dir / "index.html").read_text("utf-8")
    summary = html[html.index('id="summary"'):html.index('class="case ')]
    counts = dict(re.findall(r'id="count-([a-z]+)">(\d+)件', summary))
    assert counts == {"error": "1", "high": "0", "warn": "1", "info": "0", "ok": "2",
                      "approved": "0", "pending": "3"}
    assert 'href="#case-1" class="to-case">C-error（エラー）' in summary  # the failed case first
    assert set(re.findall(r'href="(#only-[a-z]+|#all)"', summary)) == FILTERS


def test_a_failed_case_says_what_to_do_next(tmp_path):
    errors = [["yen_invalid", "元金残高「1,2OO万」を読めません", "1,2OO万", "債権者", "D7"],
              ["required", "売却価格を入力してください", None, "案件", "B9"]]
    result = run(tmp_path, [write_input(tmp_path / "in", "C", status="error", errors=errors)])
    html = (result.batch_dir / "index.html").read_text("utf-8")
    step = html[html.index('class="next"'):]
    assert "次にすること: ワークブック C.xlsx の次のセルを直して、もう一度 ninbai build を実行して" \
        "ください。" in step
    assert re.search(r'<span class="place">債権者!D7</span>元金残高「1,2OO万」を読めません', step)
    assert re.search(r'<span class="place">案件!B9</span>売却価格を入力してください', step)


def test_a_failure_that_is_not_the_workbooks_says_build_again(tmp_path):
    result = run(tmp_path, [write_input(tmp_path / "in", "X", **{"raise": True})])
    html = (result.batch_dir / "index.html").read_text("utf-8")
    assert "もう一度 ninbai build を実行してください。続くときはシステム担当者に連絡" in html


def test_manifest_is_the_only_source(tmp_path):
    result = mixed_batch(tmp_path)
    assert render_index(load_manifest(result.batch_dir), []) == \
        render_index(result.manifest, [])


def test_cli_review(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    result = mixed_batch(tmp_path)
    out = CliRunner().invoke(main, ["review", str(result.batch_dir)])
    assert out.exit_code == 1  # a case failed
    assert out.output.splitlines()[0].split()[0] == "C-error"
    assert out.output.splitlines()[-1] == f"確認ページ: {result.batch_dir / 'index.html'}"
    data = CliRunner().invoke(main, ["review", str(result.batch_dir), "--json"])
    assert [c["case_id"] for c in json.loads(data.output)] == ["C-error", "B-warn", "A-ok", "D-ok"]
    assert CliRunner().invoke(main, ["review", str(tmp_path / "nothing")]).exit_code == 2


def test_cli_review_of_a_clean_batch_exits_0(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import main

    result = run(tmp_path, [write_input(tmp_path / "in", "A")])
    assert CliRunner().invoke(main, ["review", str(result.batch_dir)]).exit_code == 0


def test_negative_amounts_show_the_triangle_and_no_invisible_character_survives():
    """The page writes money as the documents do (△250,000円), and a U+202E in a file name or
    a message (which would print 「xslx.exe」 backwards) is gone from the page and the terminal."""
    from batch.test_summary import KEY, record
    from pipeline.batch.manifest import Manifest

    warned = record("2026-0142", status="warn", warnings=[
        {"code": "no_repayment_capacity", "severity": "warn",
         "message": "月々の収支の余剰が△12,000円で\u202e、最低返済額…"}])
    warned.path = "/in/\u202exslx.exe.xlsx"
    manifest = Manifest("2026-11-30", KEY, "2026-11-30T00:00:00+00:00", [warned])
    html = render_index(manifest, [])
    assert warned.figures.advantage == -250_000
    assert "△250,000円" in html and "-250,000" not in html
    assert "\u202e" not in html and "xslx.exe.xlsx" in html and "△12,000円で、" in html
    lines = review_lines(review_cases(manifest, []), details=True)
    assert not any("\u202e" in line for line in lines)
    assert any("xslx.exe.xlsx" in line for line in lines)


def test_links_are_percent_encoded_per_component():
    from urllib.parse import quote

    from pipeline.batch.review import href

    for path in ("2026-0142/01_任意売却に関する同意申請書_東都みらい銀行.pdf",
                 "2026-0142/rev2/02_生活状況表.docx", "A/a b%#?&.pdf", "A//b", ""):
        assert href(path) == quote(path, safe="/"), path
