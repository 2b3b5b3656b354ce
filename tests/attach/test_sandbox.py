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
    checker = sandbox.Checker()
    checked = sandbox.check_files([OK_PDF, JS_PDF, LOCKED, PNG], LIMITS, checker)
    assert outcome(checked) == [("価格査定書.pdf", 1), ("js.pdf", 1),
                                ("locked.pdf", "attachment_encrypted"), ("買付証明書.png", 1)]
    assert checked[1].result.notes[0].code == "attachment_active_removed"
    assert "JavaScript" in checked[1].result.notes[0].message
    assert checked[0].result.pdf.startswith(b"%PDF-")
    assert checker.started == 1
    checker.close()


def test_no_files_start_no_child(monkeypatch):
    monkeypatch.setattr(sandbox.subprocess, "Popen", None)  # would fail if called
    assert sandbox.check_files([], LIMITS) == []


def test_memory_is_bounded_for_real_and_the_other_files_still_get_checked():
    # 8,900 × 8,900 pixels is within the pixel limit (79 MP) but needs ≈238 MB decoded: over a
    # 256 MB address space once Python, qpdf and Pillow are in, with no copy of it made. (A
    # 7,000 × 7,000 one, ≈150 MB, ran out only with the copies a PNG's re-encoding made.)
    limits = LIMITS.model_copy(update={"memory_mb": 256})
    checker = sandbox.Checker()
    checked = sandbox.check_files([OK_PDF, BIG, PNG], limits, checker)
    assert outcome(checked) == [("価格査定書.pdf", 1), ("big.png", "attachment_check_failed"),
                                ("買付証明書.png", 1)]
    assert "メモリ" in checked[1].result.message
    checker.close()


BIG = incoming("big.png", "png", hostile.image_bytes((8900, 8900)))


def test_one_child_serves_case_after_case():
    checker = sandbox.Checker()
    for files in ([OK_PDF], [PNG, JS_PDF], [LOCKED]):
        sandbox.check_files(files, LIMITS, checker)
    assert (checker.started, checker.served) == (1, 3)
    checker.close()


def test_after_a_memory_bomb_the_next_case_gets_a_fresh_child_and_checks_fine():
    limits = LIMITS.model_copy(update={"memory_mb": 256})
    checker = sandbox.Checker()
    [bomb] = sandbox.check_files([BIG], limits, checker)
    assert bomb.result.code == "attachment_check_failed"
    assert checker.child is None  # it left after running out of memory
    assert outcome(sandbox.check_files([OK_PDF, PNG], limits, checker)) == [
        ("価格査定書.pdf", 1), ("買付証明書.png", 1)]
    assert checker.started == 2
    checker.close()


def test_after_a_child_overran_and_was_killed_the_next_case_checks_fine():
    checker = sandbox.Checker()
    assert checker.check([PNG, OK_PDF], LIMITS, seconds=0.001) == (0, sandbox._TIMED_OUT)
    assert checker.child is None
    assert outcome(sandbox.check_files([OK_PDF, PNG], LIMITS, checker)) == [
        ("価格査定書.pdf", 1), ("買付証明書.png", 1)]
    assert checker.started == 2
    checker.close()


def test_a_dead_child_is_replaced_before_the_next_case():
    checker = sandbox.Checker()
    sandbox.check_files([OK_PDF], LIMITS, checker)
    first = checker.child
    first.kill()
    first.wait()
    assert outcome(sandbox.check_files([PNG], LIMITS, checker)) == [("買付証明書.png", 1)]
    assert checker.child is not first and checker.started == 2
    checker.close()


def test_nothing_of_one_case_s_files_reaches_another_s_result():
    fresh = sandbox.Checker()
    [alone] = sandbox.check_files([OK_PDF], LIMITS, fresh)
    fresh.close()
    limits = LIMITS.model_copy(update={"memory_mb": 256})
    shared = sandbox.Checker()
    for files in ([JS_PDF, PNG], [LOCKED], [JS_PDF]):
        sandbox.check_files(files, limits, shared)
    [after] = sandbox.check_files([OK_PDF], limits, shared)
    assert shared.started == 1
    assert after.result == alone.result  # same bytes, same pages, no note carried over
    assert after.result.notes == ()
    shared.close()


def test_an_answer_to_another_request_is_not_believed(monkeypatch):
    checker = sandbox.Checker()

    def stale(message, limits, seconds):
        answer = frame({"request": header_of(message)["request"] - 1, "sizes": [0],
                        "results": [{"ok": False, "code": "x", "message": "y"}]}, [b""])
        return sandbox.Exchange(answer, b"")
    monkeypatch.setattr(checker, "exchange", stale)
    assert checker.check([OK_PDF], LIMITS, 5) == (0, sandbox._DIED)


class FakeExchange:
    """Checker.exchange: the listed outcomes first (the positions the child announced), then the
    real thing."""

    def __init__(self, checker, *outcomes):
        self.outcomes = list(outcomes)
        self.calls: list[int] = []
        self.real = checker.exchange

    def __call__(self, message, limits, seconds):
        header = header_of(message)
        self.calls.append(len(header["files"]))
        if self.outcomes:
            kind, positions = self.outcomes.pop(0)
            said = "".join(f"{header['request']}:{p}\n" for p in positions).encode()
            return sandbox.Exchange(None, b"9:7\n" + said, timed_out=kind == "timeout")
        return self.real(message, limits, seconds)


def test_a_child_that_crashes_fails_the_file_it_announced_and_the_rest_are_rechecked(monkeypatch):
    checker = sandbox.Checker()
    fake = FakeExchange(checker, ("crash", [0, 1]))  # died on the second file
    monkeypatch.setattr(checker, "exchange", fake)
    checked = sandbox.check_files([OK_PDF, JS_PDF, PNG], LIMITS, checker)
    assert outcome(checked) == [("価格査定書.pdf", 1), ("js.pdf", "attachment_check_failed"),
                                ("買付証明書.png", 1)]
    assert fake.calls == [3, 2]  # the first child's finished result went down with it
    checker.close()


def test_a_child_that_overruns_fails_that_file_as_timed_out(monkeypatch):
    checker = sandbox.Checker()
    monkeypatch.setattr(checker, "exchange", FakeExchange(checker, ("timeout", [0])))
    checked = sandbox.check_files([JS_PDF, OK_PDF], LIMITS, checker)
    assert outcome(checked) == [("js.pdf", "attachment_timeout"), ("価格査定書.pdf", 1)]
    assert "時間がかかりすぎました" in checked[0].result.message
    checker.close()


def test_when_the_time_is_used_up_the_files_left_are_refused_as_unchecked(monkeypatch):
    clock = iter([0.0, 0.0, LIMITS.seconds + 1.0])
    monkeypatch.setattr(sandbox.time, "monotonic", lambda: next(clock))
    checker = sandbox.Checker()
    monkeypatch.setattr(checker, "exchange", FakeExchange(checker, ("timeout", [0])))
    checked = sandbox.check_files([JS_PDF, OK_PDF, PNG], LIMITS, checker)
    assert outcome(checked) == [("js.pdf", "attachment_timeout"),
                                ("価格査定書.pdf", "attachment_timeout"),
                                ("買付証明書.png", "attachment_timeout")]
    assert "時間内に確認できませんでした" in checked[1].result.message


def test_a_garbled_answer_fails_the_case_rather_than_trusting_it(monkeypatch):
    checker = sandbox.Checker()

    def garbled(message, limits, seconds):
        return sandbox.Exchange(frame({"request": header_of(message)["request"],
                                       "results": [{"ok": True}], "sizes": [0]}, [b""]), b"")
    monkeypatch.setattr(checker, "exchange", garbled)
    [checked] = sandbox.check_files([OK_PDF], LIMITS, checker)
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


def test_the_cpu_limit_is_counted_from_what_the_child_has_used():
    # a child serving case after case would otherwise be stopped by the CPU of earlier cases
    script = ("import resource, time\nfrom pipeline.attach.child import limit_cpu\n"
              "end = time.process_time() + 1.2\nwhile time.process_time() < end: pass\n"
              "limit_cpu(1)\nprint(resource.getrlimit(resource.RLIMIT_CPU)[0])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          check=True, env=sandbox._child_env())
    assert int(done.stdout) >= 4  # ≥ 2 s used (rounded up) + 1 s + 1 s of slack


def test_the_child_keeps_a_lower_limit_already_imposed():
    script = ("import resource\nresource.setrlimit(resource.RLIMIT_CPU, (5, 5))\n"
              "from pipeline.attach.child import limit_self\nlimit_self(300, 60)\n"
              "print(resource.getrlimit(resource.RLIMIT_CPU))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60,
                          check=True, env=sandbox._child_env())
    assert done.stdout.decode().strip() == "(5, 5)"


def test_a_pipeline_folder_where_ninbai_runs_is_not_what_the_child_imports(tmp_path, monkeypatch):
    # ``python -m`` puts the current folder first on the path: a folder named pipeline there
    # (a copy of an old version, or something planted) must not be the code that checks scans
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "__init__.py").write_text("raise SystemExit(3)\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    checker = sandbox.Checker()
    assert outcome(sandbox.check_files([OK_PDF], LIMITS, checker)) == [("価格査定書.pdf", 1)]
    checker.close()
