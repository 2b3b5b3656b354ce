"""The staff guide (docs/利用ガイド.md) keeps up with the tool.

Every warning staff can see is explained in it — by its Japanese title, with its severity, what it
means and what to do — so a new warning without an explanation fails here. Its pictures exist and
are the ones scripts/guide_pictures.py makes (the slow test runs the script); the README links it;
and it shows staff what they see: no server paths, no English status words.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from pipeline.compute.warnings import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "利用ガイド.md"
SCRIPT = ROOT / "scripts" / "guide_pictures.py"
#: The words staff see for the severities (the issue fixes them; never ok/warn/high/info).
SEVERITY_LABELS = {"high": "重要", "warn": "警告", "info": "参考"}
#: Warnings raised outside the catalogue (reading the workbook, drawing the PDFs), by code, with
#: the title the guide explains them under. A new one found by the scan below must be added here
#: and explained in the guide.
OTHER_WARNINGS = {
    "unknown_label": ("warn", "様式にない項目"),
    "value_without_label": ("warn", "項目名のない値"),
    "extra_column": ("warn", "様式にない列"),
    "priority_ignored": ("warn", "差押以外の行の「優先」"),
    "monthly_payment_ignored": ("warn", "無担保以外の行の「月返済額」"),
    "bankruptcy_not_set": ("warn", "破産手続が「あり」でないのに破産管財人がある"),
    "auction_not_set": ("warn", "事件番号も開札期日もないのに申立債権者・執行裁判所がある"),
    "render_warning": ("info", "書式の注意"),
    "attachment_unlisted": ("warn", "添付シートにないファイル"),
    "reply_date_missing": ("warn", "交渉シートの回答日がない"),
    "reply_missing": ("warn", "交渉シートの回答が空欄なのに回答日がある"),
}
WARNING_SEVERITIES = frozenset(SEVERITY_LABELS)


def guide_text() -> str:
    return GUIDE.read_text(encoding="utf-8")


def explanations() -> dict[str, str]:
    """Heading → body of every ``####`` entry of the section 警告の意味と対応."""
    section = guide_text().split("## 8. 警告の意味と対応", 1)[1].split("\n## ", 1)[0]
    parts = re.split(r"^#### (.+)$", section, flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def assert_explained(title: str, severity: str, entries: dict[str, str]) -> None:
    assert title in entries, f"docs/利用ガイド.md に警告「{title}」の説明がありません"
    body = entries[title]
    assert f"- 重要度: {SEVERITY_LABELS[severity]}\n" in body, title
    for line in ("- 意味: ", "- 対応: "):
        found = re.search(rf"^{re.escape(line)}(.+)$", body, re.MULTILINE)
        assert found and len(found.group(1)) >= 10, f"{title}: {line.strip()} がありません"


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_catalogue_warning_is_explained_by_its_title(code):
    rule = CATALOGUE[code]
    assert_explained(rule.title, rule.severity, explanations())


def test_the_check_notices_a_warning_without_explanation():
    entries = explanations()
    with pytest.raises(AssertionError, match="説明がありません"):
        assert_explained("未知の警告", "warn", entries)
    some = CATALOGUE["moving_reduced"]
    with pytest.raises(AssertionError):
        assert_explained(some.title, "high", entries)  # the guide says 警告, not 重要


def warning_sources() -> dict[str, str]:
    """Code → severity of every issue raised with a literal warning severity in pipeline/."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        found.update(warnings_in(path.read_text(encoding="utf-8")))
    return found


def warnings_in(source: str) -> dict[str, str]:
    """Code → severity of the warnings a module raises with a literal severity.

    Calls such as ``self.add("extra_column", …, "warn")`` or ``Issue("x", "warn", …)`` (the code is
    the first argument, the severity any argument), and dicts such as ``{"code": "render_warning",
    "severity": "info", …}``. The catalogue's own table (``Rule(…)``) and ``.get(key, default)``
    are not warnings raised.
    """
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            values = [*node.args, *(k.value for k in node.keywords)]
            severities = [v.value for v in values if isinstance(v, ast.Constant)
                          and v.value in WARNING_SEVERITIES]
            first = node.args[0] if node.args else None
            if (severities and name not in ("Rule", "get") and isinstance(first, ast.Constant)
                    and isinstance(first.value, str) and first.value not in WARNING_SEVERITIES):
                found[first.value] = severities[0]
        elif isinstance(node, ast.Dict):
            pairs = {k.value: v.value for k, v in zip(node.keys, node.values, strict=True)
                     if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
            if pairs.get("severity") in WARNING_SEVERITIES and isinstance(pairs.get("code"), str):
                found[pairs["code"]] = pairs["severity"]
    return found


def test_the_scan_finds_a_new_warning_and_skips_what_is_not_one():
    source = """
self.add("new_thing", "新しい警告", "案件", "B3", "x", "warn")
issues.append(Issue("other_thing", "info", "参考"))
found += [{"code": "logged_thing", "severity": "high", "message": m}]
self.add("an_error", "エラー", "案件", "B3")
level = w.get("severity", "warn")
"""
    assert warnings_in(source) == {"new_thing": "warn", "other_thing": "info",
                                   "logged_thing": "high"}


def test_every_warning_outside_the_catalogue_is_explained():
    found = warning_sources()
    assert found == {code: severity for code, (severity, _) in OTHER_WARNINGS.items()}, (
        "a warning was added or removed outside the catalogue: explain it in docs/利用ガイド.md "
        "and list it in OTHER_WARNINGS")
    entries = explanations()
    for severity, title in OTHER_WARNINGS.values():
        assert_explained(title, severity, entries)


def test_internal_codes_are_not_shown_to_staff():
    codes = [*CATALOGUE, *OTHER_WARNINGS]
    shown = [code for code in codes if code in guide_text()]
    assert shown == []


def pictures_referenced() -> list[str]:
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", guide_text())


def picture_script():
    spec = importlib.util.spec_from_file_location("guide_pictures", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_picture_of_the_guide_exists_and_is_made_by_the_script():
    referenced = pictures_referenced()
    assert len(referenced) >= 4  # the workbook, the review page, a letter …
    missing = [p for p in referenced if not (GUIDE.parent / p).is_file()]
    assert missing == []
    assert sorted(Path(p).name for p in referenced) == sorted(picture_script().PICTURES)
    assert {str(Path(p).parent) for p in referenced} == {"images/guide"}


def test_readme_links_the_guide():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/利用ガイド.md)" in readme


SERVER_PATH = re.compile(
    r"(?<![\w.~)\]>])/(?:home|root|srv|tmp|var|opt|usr|etc|mnt|media|work|Users)\b"
    r"|[A-Za-z]:\\|~/|\.venv/")


def test_the_path_check_catches_server_paths():
    for text in ("/srv/ninbai/outputs", "開く /home/sato/office", "C:\\Users\\sato", "~/office",
                 ".venv/bin/ninbai", "(/tmp/x)"):
        assert SERVER_PATH.search(text), text
    for text in ("outputs/2026-11-30/index.html", "images/guide/review.png", "2026/11/30",
                 "1,400,000 / 1400万円"):
        assert not SERVER_PATH.search(text), text


def test_the_guide_names_no_server_path():
    assert SERVER_PATH.findall(guide_text()) == []


def test_the_guide_uses_no_english_status_words():
    english = re.findall(r"(?<![A-Za-z_-])(ok|warn|high|info)(?![A-Za-z_-])", guide_text(),
                         re.IGNORECASE)
    assert english == []
    for label in ("問題なし", "参考", "警告", "重要", "エラー"):
        assert f"| {label} |" in guide_text()  # the table of statuses of the review page


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser"))
                    or not shutil.which("pdftoppm"),
                    reason="chromium and pdftoppm are needed (bash scripts/setup.sh --dev)")
def test_the_script_makes_every_picture_the_guide_shows(tmp_path):
    picture_script().main(["--out", str(tmp_path)])
    for reference in pictures_referenced():
        png = tmp_path / Path(reference).name
        assert png.is_file(), reference
        with Image.open(png) as image:
            assert image.format == "PNG"
            width, height = image.size
            colours = image.getcolors(maxcolors=1 << 16)
        assert 150 <= width <= 2000 and 100 <= height <= 1500, (reference, image.size)
        assert colours is not None and len(colours) > 8, reference  # a picture, not a blank
        assert png.stat().st_size < 300_000, reference  # committed: kept small
