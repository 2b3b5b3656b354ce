"""What the batch and case pages read to say 承認済み, at month-end scale: the batch page trusts
the manifest's recorded stamps (a file changed in any way is hashed), the case page hashes its
own case's approved files in full and nobody else's, and the batch page's deadlines are the
manifest's, as on index.html (no case.json read per case)."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

import pipeline.batch.manifest as manifest_module
import pipeline.serve.app as app_module
from pipeline.batch.approve import approve_cases
from pipeline.batch.manifest import (
    file_stamp,
    load_approvals,
    read_manifest,
    sha256_file,
    write_manifest,
)
from pipeline.batch.review import render_index
from pipeline.serve import pages
from serve.conftest import BATCH, CASES, make_app

OWN, OTHER = CASES  # 2026-0142, and 2026-0172 (重要 warnings: approved with a reason)


def restamp(batch_dir: Path) -> None:
    """Record the stamps of the copied files as the build records its own (the test's copy of
    the built folder has new inodes and change times), after checking their sha256."""
    manifest = read_manifest(batch_dir)
    for record in manifest.inputs:
        for output in record.outputs:
            path = batch_dir / output["path"]
            assert sha256_file(path) == output["sha256"]
            output["stamp"] = file_stamp(path)
    write_manifest(batch_dir, manifest)


@pytest.fixture
def approved(out_dir) -> Path:
    """Both sample cases approved, their files' stamps as the build would have recorded them."""
    batch_dir = out_dir / BATCH
    restamp(batch_dir)
    assert approve_cases(batch_dir, [OWN], "佐藤").approved
    assert approve_cases(batch_dir, [OTHER], "佐藤", override="査定額を確認済み").approved
    return out_dir


@pytest.fixture
def hashed(monkeypatch) -> list[Path]:
    """Every file sha256_file reads from now on (approval_holds calls it in manifest.py)."""
    seen: list[Path] = []
    real = manifest_module.sha256_file

    def spy(path: Path) -> str:
        seen.append(Path(path))
        return real(path)

    monkeypatch.setattr(manifest_module, "sha256_file", spy)
    return seen


def batch_row_approval(page: str, case_id: str) -> str:
    """The 承認 cell of the case's line on the batch page."""
    row = re.search(rf'class="case-link" href="[^"]+">{case_id}<.*?<td class="approval">(.*?)</td>',
                    page, re.DOTALL)
    return row.group(1)


def case_approved(page: str) -> bool:
    return '<p class="approval"><span class="approved">承認済み' in page


def test_unchanged_approvals_show_as_approved_without_hashing(approved, hashed):
    client = make_app(approved).test_client()
    page = client.get(f"/b/{BATCH}/").get_data(as_text=True)
    assert "承認済み" in batch_row_approval(page, OWN)
    assert "承認済み" in batch_row_approval(page, OTHER)
    assert hashed == []  # every stamp as recorded: nothing read


def test_the_case_page_hashes_its_own_case_only(approved, hashed):
    client = make_app(approved).test_client()
    page = client.get(f"/b/{BATCH}/c/{OWN}/").get_data(as_text=True)
    assert case_approved(page)
    approval = next(a for a in load_approvals(approved / BATCH) if a.case_id == OWN)
    approved_files = {approved / BATCH / approval.folder / name for name in approval.files}
    assert set(hashed) == approved_files  # every file of its approval, in full
    assert not any(OTHER in p.parts for p in hashed)


def test_a_preview_file_hashes_nothing(approved, hashed):
    client = make_app(approved).test_client()
    pdf = read_manifest(approved / BATCH).find(OWN).documents[0]["pdf"]
    assert client.get(f"/b/{BATCH}/f/{pdf}").status_code == 200
    assert hashed == []


def rewrite_in_place(path: Path) -> None:
    """Change one byte of the file, keep its size, and set its times back (as a sync tool or a
    careful hand might): only the change time, which cannot be set back, still tells."""
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    with path.open("r+b") as handle:  # the same inode
        handle.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_file_changed_after_approval_is_not_approved_on_either_page(approved):
    batch_dir = approved / BATCH
    record = read_manifest(batch_dir).find(OWN)
    output = next(o for o in record.outputs if o["path"].endswith(".pdf"))
    path = batch_dir / output["path"]
    rewrite_in_place(path)
    size, mtime, ctime, inode = file_stamp(path)
    assert [size, mtime, inode] == [output["stamp"][i] for i in (0, 1, 3)]
    assert ctime != output["stamp"][2]  # the stamp catches it: the file is hashed
    client = make_app(approved).test_client()
    page = client.get(f"/b/{BATCH}/").get_data(as_text=True)
    assert "未承認" in batch_row_approval(page, OWN)
    assert "承認済み" in batch_row_approval(page, OTHER)
    assert not case_approved(client.get(f"/b/{BATCH}/c/{OWN}/").get_data(as_text=True))
    assert case_approved(client.get(f"/b/{BATCH}/c/{OTHER}/").get_data(as_text=True))


def test_the_approve_action_still_hashes_in_full(approved):
    """The POST approve checks the files itself (``approve_cases``), stamps or not."""
    batch_dir = approved / BATCH
    record = read_manifest(batch_dir).find(OWN)
    path = batch_dir / next(o["path"] for o in record.outputs if o["path"].endswith(".pdf"))
    rewrite_in_place(path)
    client = make_app(approved).test_client()
    case = f"/b/{BATCH}/c/{OWN}/"
    form = client.get(case).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post(case + "approve", data={"csrf_token": token, "by": "鈴木"})
    page = client.get(case).get_data(as_text=True)
    assert "承認できません" in page and not case_approved(page)


# ---------------------------------------------------------------------------------------------
# deadlines: the manifest's, as on index.html
# ---------------------------------------------------------------------------------------------


DEADLINES = {
    OWN: [{"kind": "reply_deadline", "label": "回答期限（第1回）", "date": "2026-12-03",
           "creditor": "東都みらい銀行"}],
    OTHER: [{"kind": "settlement_date", "label": "決済予定日", "date": "2026-11-27",
             "creditor": None},
            {"kind": "reply_deadline", "label": "回答期限（第2回）", "date": "2027-03-01",
             "creditor": None}],  # beyond DEFAULT_DAYS: neither page lists it
}


def deadline_rows(section: str) -> list[tuple[str, str, str]]:
    """(day, case id, label) of each line of a page's 期限 table."""
    rows = [re.search(r'<td>([^<]+)</td>.*?<a href="[^"]+">([^<]+)</a></td>\s*<td>([^<]*)</td>',
                      row, re.DOTALL) for row in section.split("<tr")[2:]]  # after the heading
    return [m.groups() for m in rows if m]


def section(page: str) -> str:
    start = page.index('id="deadlines"')
    return page[start:page.index("</section>", start)]


def test_the_batch_page_lists_the_deadlines_of_index_html(out_dir, monkeypatch):
    batch_dir = out_dir / BATCH
    manifest = read_manifest(batch_dir)
    for record in manifest.inputs:
        record.deadlines = DEADLINES[record.case_id]
    write_manifest(batch_dir, manifest)
    index = render_index(manifest, [])
    monkeypatch.setattr(app_module, "_today", lambda settings: date(2026, 11, 30))  # 基準日
    read: list[str] = []
    real = pages.case_json
    monkeypatch.setattr(pages, "case_json",
                        lambda batch, case: read.append(case.label) or real(batch, case))
    page = make_app(out_dir).test_client().get(f"/b/{BATCH}/").get_data(as_text=True)
    expected = [("2026年11月27日（金）", OTHER, "決済予定日"),
                ("2026年12月3日（木）", OWN, "回答期限（第1回）")]
    assert deadline_rows(section(index)) == expected
    assert deadline_rows(section(page)) == expected
    assert read == []  # from the manifest: no case.json read for the batch page
