"""Checking in a bounded child: results in order, and a child that dies or overruns fails only
the file it was checking."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys

import pytest

from attach import hostile
from pipeline.attach import sandbox
from pipeline.attach.clean import Refusal
from pipeline.attach.frame import frame, header_of, unframe
from pipeline.attach.intake import IncomingFile
from pipeline.config import load_config

LIMITS = load_config().attachment_limits


def incoming(name: str, kind: str, data: bytes) -> IncomingFile:
    return IncomingFile(name, kind, data, hashlib.sha256(data).hexdigest())


OK_PDF = incoming("価格査定書.pdf", "pdf", hostile.text_pdf("SATEI"))
JS_PDF = incoming("js.pdf", "pdf", hostile.javascript_pdf())
LOCKED = incoming("locked.pdf", "pdf", hostile.encrypted_pdf())
PNG = incoming("買付証明書.png", "png", hostile.image_bytes((300, 400)))


def outcome(checked):
    return [(c.file.name, c.result.code if isinstance(c.result, Refusal) else c.result.pages)
            for c in checked]


def test_a_case_s_files_are_checked_in_one_child_in_order():
    checked = sandbox.check_files([OK_PDF, JS_PDF, LOCKED, PNG], LIMITS)
    assert outcome(checked) == [("価格査定書.pdf", 1), ("js.pdf", 1),
                                ("locked.pdf", "attachment_encrypted"), ("買付証明書.png", 1)]
    assert checked[1].result.notes[0].code == "attachment_active_removed"
    assert "JavaScript" in checked[1].result.notes[0].message
    assert checked[0].result.pdf.startswith(b"%PDF-")


def test_no_files_start_no_child(monkeypatch):
    monkeypatch.setattr(sandbox.subprocess, "run", None)  # would fail if called
    assert sandbox.check_files([], LIMITS) == []


def test_memory_is_bounded_for_real_and_the_other_files_still_get_checked():
    # 7,000 × 7,000 pixels is within the pixel limit but needs ≈150 MB decoded: over a 256 MB
    # address space once Python, qpdf and Pillow are in.
    big = incoming("big.png", "png", hostile.image_bytes((7000, 7000)))
    limits = LIMITS.model_copy(update={"memory_mb": 256})
    checked = sandbox.check_files([OK_PDF, big, PNG], limits)
    assert outcome(checked) == [("価格査定書.pdf", 1), ("big.png", "attachment_check_failed"),
                                ("買付証明書.png", 1)]
    assert "メモリ" in checked[1].result.message


class FakeRun:
    """subprocess.run for the sandbox: the listed outcomes first, then the real thing."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls: list[int] = []
        self.real = subprocess.run

    def __call__(self, args, *, input, **kw):
        self.calls.append(len(header_of(input)["files"]))
        if self.outcomes:
            kind, stderr = self.outcomes.pop(0)
            if kind == "timeout":
                raise subprocess.TimeoutExpired(args, kw["timeout"], stderr=stderr)
            return subprocess.CompletedProcess(args, -signal.SIGSEGV, b"", stderr)
        return self.real(args, input=input, **kw)


def test_a_child_that_crashes_fails_the_file_it_announced_and_the_rest_are_rechecked(monkeypatch):
    fake = FakeRun(("crash", b"0\n1\n"))  # died on the second file
    monkeypatch.setattr(sandbox.subprocess, "run", fake)
    checked = sandbox.check_files([OK_PDF, JS_PDF, PNG], LIMITS)
    assert outcome(checked) == [("価格査定書.pdf", 1), ("js.pdf", "attachment_check_failed"),
                                ("買付証明書.png", 1)]
    assert fake.calls == [3, 2]  # the first child's finished result went down with it


def test_a_child_that_overruns_fails_that_file_as_timed_out(monkeypatch):
    monkeypatch.setattr(sandbox.subprocess, "run", FakeRun(("timeout", b"0\n")))
    checked = sandbox.check_files([JS_PDF, OK_PDF], LIMITS)
    assert outcome(checked) == [("js.pdf", "attachment_timeout"), ("価格査定書.pdf", 1)]
    assert "時間がかかりすぎました" in checked[0].result.message


def test_when_the_time_is_used_up_the_files_left_are_refused_as_unchecked(monkeypatch):
    clock = iter([0.0, 0.0, LIMITS.seconds + 1.0])
    monkeypatch.setattr(sandbox.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr(sandbox.subprocess, "run", FakeRun(("timeout", b"0\n")))
    checked = sandbox.check_files([JS_PDF, OK_PDF, PNG], LIMITS)
    assert outcome(checked) == [("js.pdf", "attachment_timeout"),
                                ("価格査定書.pdf", "attachment_timeout"),
                                ("買付証明書.png", "attachment_timeout")]
    assert "時間内に確認できませんでした" in checked[1].result.message


def test_a_garbled_answer_fails_the_case_rather_than_trusting_it(monkeypatch):
    def garbled(args, **kw):
        return subprocess.CompletedProcess(args, 0, frame({"results": [{"ok": True}],
                                                           "sizes": [0]}, [b""]), b"0\n")
    monkeypatch.setattr(sandbox.subprocess, "run", garbled)
    [checked] = sandbox.check_files([OK_PDF], LIMITS)
    assert isinstance(checked.result, Refusal)


@pytest.mark.parametrize(("code", "expected"), [
    ("bytearray(1 << 30)", "MemoryError"),
    ("while True: pass", None),  # stopped by the kernel for its CPU time (SIGXCPU or SIGKILL)
])
def test_the_child_limits_itself(code, expected):
    script = f"from pipeline.attach.child import limit_self\nlimit_self(300, 1)\n{code}\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          check=False,
                          env=sandbox._child_env())
    if expected:
        assert expected in done.stderr.decode()
    else:
        assert done.returncode in (-signal.SIGXCPU, -signal.SIGKILL)


def test_framing_round_trip_and_a_short_message_is_refused():
    message = frame({"a": 1}, [b"xy", b"", b"z"])
    assert unframe(message, [2, 0, 1]) == ({"a": 1}, [b"xy", b"", b"z"])
    with pytest.raises(ValueError):
        unframe(message, [2, 0, 5])


def test_the_child_keeps_a_lower_limit_already_imposed():
    script = ("import resource\nresource.setrlimit(resource.RLIMIT_CPU, (5, 5))\n"
              "from pipeline.attach.child import limit_self\nlimit_self(300, 60)\n"
              "print(resource.getrlimit(resource.RLIMIT_CPU))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          check=True, env=sandbox._child_env())
    assert done.stdout.decode().strip() == "(5, 5)"
