"""The 添付 folder: what is read, what is left out as litter, what is refused and why."""

from __future__ import annotations

import hashlib
import os
import stat
import unicodedata

import pytest

from attach import hostile
from pipeline.attach.intake import attachment_folder, take_in
from pipeline.attach.kinds import name_mismatch, sniff, unsupported_reason
from pipeline.config import load_config

LIMITS = load_config().attachment_limits
PDF = hostile.text_pdf("SATEI")
PNG = hostile.image_bytes((20, 30))
JPEG = hostile.image_bytes((20, 30), fmt="JPEG")


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "2026-0142.xlsx"
    path.write_bytes(b"")  # the reader is not involved: only its place matters
    return path


@pytest.fixture
def folder(workbook):
    made = attachment_folder(workbook, "2026-0142")
    made.mkdir()
    return made


def codes(intake):
    return sorted((issue.where.file, issue.code, issue.severity) for issue in intake.issues)


def test_the_folder_is_beside_the_workbook_named_after_the_case(workbook):
    assert attachment_folder(workbook, "2026-0142") == workbook.parent / "2026-0142"


def test_no_folder_means_no_attachments_and_no_problem(workbook):
    intake = take_in(workbook, "2026-0142", LIMITS)
    assert (intake.files, intake.ignored, intake.issues) == ((), (), ())


def test_pdf_jpeg_png_are_read_by_content_with_their_sha256(workbook, folder):
    (folder / "価格査定書.pdf").write_bytes(PDF)
    (folder / "買付証明書.PNG").write_bytes(PNG)
    (folder / "写真.jpeg").write_bytes(JPEG)
    intake = take_in(workbook, "2026-0142", LIMITS)
    assert intake.issues == ()
    assert [(f.name, f.kind) for f in intake.files] == [
        ("価格査定書.pdf", "pdf"), ("写真.jpeg", "jpeg"), ("買付証明書.PNG", "png")]
    assert intake.files[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert intake.files[0].data == PDF


def test_hidden_files_and_os_litter_are_left_out_silently(workbook, folder):
    litter = ["Thumbs.db", "desktop.ini", ".DS_Store", "~$委任状.docx", "._価格査定書.pdf",
              ".hidden.pdf"]
    for name in litter:
        (folder / name).write_bytes(b"junk that is no attachment")
    (folder / "価格査定書.pdf").write_bytes(PDF)
    intake = take_in(workbook, "2026-0142", LIMITS)
    assert intake.issues == ()
    assert sorted(intake.ignored) == sorted(litter)
    assert [f.name for f in intake.files] == ["価格査定書.pdf"]


def test_a_mac_decomposed_name_is_given_composed(workbook, folder):
    name = unicodedata.normalize("NFD", "ブルーマップ.pdf")  # ブ as フ + U+3099
    assert name != "ブルーマップ.pdf"
    (folder / name).write_bytes(PDF)
    intake = take_in(workbook, "2026-0142", LIMITS)
    assert [f.name for f in intake.files] == ["ブルーマップ.pdf"]


def test_a_file_that_lies_about_its_type_is_refused(workbook, folder):
    (folder / "価格査定書.pdf").write_bytes(PNG)
    (folder / "写真.png").write_bytes(JPEG)
    (folder / "委任状").write_bytes(PDF)
    intake = take_in(workbook, "2026-0142", LIMITS)
    assert intake.files == ()
    assert codes(intake) == [
        ("2026-0142/価格査定書.pdf", "attachment_type_mismatch", "error"),
        ("2026-0142/写真.png", "attachment_type_mismatch", "error"),
        ("2026-0142/委任状", "attachment_type_mismatch", "error")]
    message = {i.where.file: i.message for i in intake.issues}
    assert "中身はPNG画像" in message["2026-0142/価格査定書.pdf"]
    assert "拡張子がありません" in message["2026-0142/委任状"]


def test_other_kinds_are_refused_saying_what_they_are(workbook, folder):
    (folder / "IMG_0001.HEIC").write_bytes(b"\x00\x00\x00\x18ftypheic" + b"\x00" * 32)
    (folder / "委任状.docx").write_bytes(b"PK\x03\x04" + b"\x00" * 32)
    (folder / "メモ.txt").write_bytes("売主に確認".encode())
    intake = take_in(workbook, "2026-0142", LIMITS)
    message = {i.where.file: (i.code, i.message) for i in intake.issues}
    assert message["2026-0142/IMG_0001.HEIC"][1].startswith("HEIC画像")
    assert "Word" in message["2026-0142/委任状.docx"][1]
    assert message["2026-0142/メモ.txt"] == ("attachment_unsupported",
                                           "PDF・JPEG・PNGのどれでもありません。PDFで保存し直してください")


def test_a_link_out_of_the_folder_is_refused_and_one_inside_is_read(workbook, folder, tmp_path):
    outside = tmp_path / "secret.pdf"
    outside.write_bytes(PDF)
    (folder / "価格査定書.pdf").write_bytes(PDF)
    os.symlink(outside, folder / "外.pdf")
    os.symlink(folder / "価格査定書.pdf", folder / "査定書のコピー.pdf")
    os.symlink("/etc/passwd", folder / "passwd.pdf")
    intake = take_in(workbook, "2026-0142", LIMITS)
    assert codes(intake) == [("2026-0142/passwd.pdf", "attachment_link_outside", "error"),
                             ("2026-0142/外.pdf", "attachment_link_outside", "error")]
    assert [f.name for f in intake.files] == ["価格査定書.pdf", "査定書のコピー.pdf"]


def test_a_folder_linked_from_elsewhere_is_refused(workbook, tmp_path):
    elsewhere = tmp_path.parent / (tmp_path.name + "-elsewhere")
    elsewhere.mkdir()
    os.symlink(elsewhere, attachment_folder(workbook, "2026-0142"))
    assert codes(take_in(workbook, "2026-0142", LIMITS)) == [
        ("2026-0142/", "attachment_link_outside", "error")]


def test_a_file_named_like_the_folder_is_refused(workbook):
    attachment_folder(workbook, "2026-0142").write_bytes(PDF)
    assert codes(take_in(workbook, "2026-0142", LIMITS)) == [
        ("2026-0142/", "attachment_folder_not_dir", "error")]


def test_a_named_pipe_is_refused_without_hanging(workbook, folder):
    os.mkfifo(folder / "pipe.pdf")  # nobody writes: a blocking open would wait for ever
    assert codes(take_in(workbook, "2026-0142", LIMITS)) == [
        ("2026-0142/pipe.pdf", "attachment_not_regular", "error")]


def test_a_subfolder_is_a_warning_and_its_files_are_not_read(workbook, folder):
    (folder / "送付済").mkdir()
    (folder / "送付済" / "古い査定書.pdf").write_bytes(PDF)
    intake = take_in(workbook, "2026-0142", LIMITS)
    assert (intake.files, codes(intake)) == ((), [("2026-0142/送付済", "attachment_subfolder",
                                                   "warn")])


def test_size_limits_per_file_and_per_case(workbook, folder):
    limits = LIMITS.model_copy(update={"max_file_mb": 1, "max_case_mb": 2})
    big = PDF + b"%" + b"x" * (1024 * 1024)
    (folder / "a.pdf").write_bytes(big)
    for name in ("b.pdf", "c.pdf", "d.pdf"):
        (folder / name).write_bytes(PDF + b"%" + b"x" * (700 * 1024))
    intake = take_in(workbook, "2026-0142", limits)
    assert codes(intake) == [("2026-0142/a.pdf", "attachment_too_large", "error"),
                             ("2026-0142/d.pdf", "attachment_case_too_large", "error")]
    assert [f.name for f in intake.files] == ["b.pdf", "c.pdf"]


def test_too_many_files_is_said_once(workbook, folder):
    limits = LIMITS.model_copy(update={"max_files": 2})
    for n in range(4):
        (folder / f"{n}.pdf").write_bytes(PDF)
    intake = take_in(workbook, "2026-0142", limits)
    assert codes(intake) == [("2026-0142/2.pdf", "attachment_too_many", "error")]
    assert len(intake.files) == 2


@pytest.mark.parametrize(("data", "kind"), [
    (PDF, "pdf"), (b"\r\n" * 100 + PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"),
    (b"GIF89a", None), (b"", None), (b"x" * 2000 + PDF, None),
])
def test_sniffing(data, kind):
    assert sniff(data) == kind


def test_names_that_fit_their_content():
    assert name_mismatch("a.JPG", "jpeg") is None and name_mismatch("a.jpe", "jpeg") is None
    assert "中身はJPEG画像" in name_mismatch("a.png", "jpeg")
    assert unsupported_reason(b"") == "空のファイルです。スキャンし直してください"


def test_a_device_is_refused(workbook, folder):
    try:
        os.mknod(folder / "null.pdf", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device file needs root")
    assert codes(take_in(workbook, "2026-0142", LIMITS)) == [
        ("2026-0142/null.pdf", "attachment_not_regular", "error")]
