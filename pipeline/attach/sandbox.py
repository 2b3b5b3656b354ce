"""Checking a case's attachments in a child process that cannot run away with time or memory.

qpdf and the image decoders are C and C++ code working on bytes from outside: a pathological
file can make them loop for minutes, allocate gigabytes or crash, and none of that can be
interrupted from Python in the same process. So the checks run in a child interpreter
(``python -m pipeline.attach.child``) that limits its own address space (RLIMIT_AS) when it
starts and its CPU time (RLIMIT_CPU) before every case, while the parent waits at most the
configured seconds per case (docs/attachments.md §4).

One child serves every case of a batch worker (``Checker``): its start (Python, pikepdf,
Pillow: ≈0.2 s of CPU) was a fifth of a case's cost when each case started its own. It is
started when the first case with scans needs it and replaced whenever it cannot be trusted to be
in its first state: it died, overran its time, hit its memory limit (it exits after answering),
gave an answer that is not one, or has served ``CASES_PER_CHILD`` cases. A child that dies or
overruns fails only the file it was checking (it says which on stderr before each file); the
other files of that case are checked by a new child in the time that is left; what no child got
to is refused as unchecked. The next case gets a fresh child.

Nothing of one case reaches another's result: ``clean`` keeps no state between files (tested:
the same file gives the same bytes in a fresh child and after other cases' files, hostile ones
included), every answer carries the number of its request and is read only for that request,
and a child that went wrong is never asked again.

The messages are framed JSON (pipeline.attach.frame), never pickle: a child that a hostile file
took over can send wrong answers, not run code in the batch; the PDFs it returns were written by
qpdf and are only ever opened by qpdf again, in the parent, to be copied into packets.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.attach.clean import Cleaned, Note, Refusal
from pipeline.attach.frame import frame, header_of, unframe
from pipeline.attach.intake import IncomingFile
from pipeline.config import AttachmentLimits

MB = 1024 * 1024
#: Cases one child checks before it is replaced: bounds whatever qpdf or Pillow keep allocated
#: between files, so that a long batch never meets the memory limit with a harmless scan. A new
#: child costs ≈0.2 s, i.e. 2 ms a case at this count.
CASES_PER_CHILD = 100


@dataclass(frozen=True, slots=True)
class Checked:
    """One file after checking: what goes into packets, or why it cannot."""

    file: IncomingFile
    result: Cleaned | Refusal


def check_files(files: Sequence[IncomingFile], limits: AttachmentLimits,
                checker: Checker | None = None) -> list[Checked]:
    """Every file checked and cleaned in bounded child processes, in the order given.

    Each child that dies takes one file with it, so at most one child per file runs, and all
    of them together within ``limits.seconds``. ``checker``: the process's own by default.
    """
    if not files:
        return []
    checker = checker or process_checker()
    outcome: dict[int, Cleaned | Refusal] = {}
    deadline = time.monotonic() + limits.seconds
    todo = list(range(len(files)))
    while todo:
        left = deadline - time.monotonic()
        if left <= 0:
            outcome.update((i, _unchecked()) for i in todo)
            break
        ran = checker.check([files[i] for i in todo], limits, left)
        if isinstance(ran, list):
            outcome.update(zip(todo, ran, strict=True))
            break
        at, why = ran
        outcome[todo[at]] = why
        # the files before it were checked but their results went down with the child
        todo = todo[:at] + todo[at + 1:]
    return [Checked(f, outcome[i]) for i, f in enumerate(files)]


def _unchecked() -> Refusal:
    return Refusal("attachment_timeout", "時間内に確認できませんでした（ほかの添付ファイルの確認"
                   "に時間がかかりました）。ファイルを減らすか、スキャンし直してください")


_TIMED_OUT = Refusal("attachment_timeout", "確認に時間がかかりすぎました（壊れたファイルか、"
                     "読み込むと止まらなくなるよう作られたファイルの可能性があります）。"
                     "スキャンし直してください")
_DIED = Refusal("attachment_check_failed", "確認中に読み込みが異常終了しました（壊れたファイルか、"
                "メモリを使い尽くすよう作られたファイルの可能性があります）。スキャンし直してください")


@dataclass
class Exchange:
    """What one request to a child came to: its answer (None when it gave none in time or died
    first), what it wrote on stderr meanwhile, and whether it overran."""

    answer: bytes | None
    stderr: bytes
    timed_out: bool = False


class Checker:
    """The checking child of one process, kept from case to case (検査用子プロセス).

    ``check`` sends one case's files and reads the answer within the seconds given; the child is
    started on first use and replaced after anything that leaves its state in doubt.
    """

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.owner = 0  # the pid that started the child: a forked copy of this object is not it
        self.memory_mb = 0
        self.served = 0
        self.requests = 0
        self.started = 0  # children started (tests and the benchmark count them)

    def check(self, files: list[IncomingFile], limits: AttachmentLimits, seconds: float
              ) -> list[Cleaned | Refusal] | tuple[int, Refusal]:
        """Check ``files`` in the child: every result, or (position, refusal) of the file it
        died or overran on."""
        self.requests += 1
        header = {"request": self.requests, "limits": limits.model_dump(),
                  "files": [[f.kind, len(f.data)] for f in files]}
        done = self.exchange(frame(header, [f.data for f in files]), limits, seconds)
        if done.answer is None:
            done.stderr += self._end()  # its last words: which file it was on
            at = _last_started(done.stderr, self.requests)
            return at, (_TIMED_OUT if done.timed_out else _DIED)
        try:
            request, results, retire = _results(done.answer)
        except (ValueError, TypeError, KeyError, AttributeError):
            self.close()
            return 0, _DIED
        if request != self.requests or len(results) != len(files):
            self.close()
            return 0, _DIED
        self.served += 1
        if retire or self.served >= CASES_PER_CHILD:
            self.close()
        return results

    def exchange(self, message: bytes, limits: AttachmentLimits, seconds: float) -> Exchange:
        """Send one framed request and read one framed answer, all within ``seconds``."""
        child = self._child(limits.memory_mb)
        assert child.stdin is not None and child.stdout is not None and child.stderr is not None
        reader = _AnswerReader(cap=_answer_cap(limits))
        errors = bytearray()
        sent = 0
        deadline = time.monotonic() + seconds
        with selectors.DefaultSelector() as sel:
            sel.register(child.stdin, selectors.EVENT_WRITE)
            sel.register(child.stdout, selectors.EVENT_READ)
            sel.register(child.stderr, selectors.EVENT_READ)
            while not reader.done:
                left = deadline - time.monotonic()
                if left <= 0:
                    return Exchange(None, bytes(errors), timed_out=True)
                for key, _ in sel.select(left):
                    if key.fileobj is child.stdin:
                        try:
                            sent += os.write(child.stdin.fileno(), message[sent:sent + 65536])
                        except BrokenPipeError:
                            sent = len(message)
                        if sent >= len(message):
                            sel.unregister(child.stdin)
                        continue
                    chunk = os.read(key.fd, 65536)
                    if not chunk:  # the child closed it: it is gone, or going
                        sel.unregister(key.fileobj)
                        if key.fileobj is child.stdout:
                            return Exchange(None, bytes(errors))
                    elif key.fileobj is child.stderr:
                        errors += chunk
                    elif not reader.feed(chunk):
                        return Exchange(None, bytes(errors))  # more than any answer can be
        return Exchange(reader.answer(), bytes(errors))

    def _end(self) -> bytes:
        """End a child that gave no answer, and what it wrote on stderr that was not yet read."""
        child = self.child
        if child is None or child.stderr is None or self.owner != os.getpid():
            self.close()
            return b""
        child.kill()
        child.wait()
        os.set_blocking(child.stderr.fileno(), True)  # it is gone: the rest ends at EOF
        rest = child.stderr.read() or b""
        self.close()
        return rest

    def _child(self, memory_mb: int) -> subprocess.Popen[bytes]:
        if self.child is not None and (self.owner != os.getpid() or self.memory_mb != memory_mb
                                       or self.child.poll() is not None):
            self.close()
        if self.child is None:
            self.child = subprocess.Popen(
                # -P: not the current folder first on the path (``-m`` would put it there, and a
                # ``pipeline`` folder where staff run ninbai would be imported instead of ours)
                [sys.executable, "-P", "-m", "pipeline.attach.child", str(memory_mb)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=_child_env())
            for pipe in (self.child.stdin, self.child.stdout, self.child.stderr):
                assert pipe is not None
                os.set_blocking(pipe.fileno(), False)
            self.owner, self.memory_mb, self.served = os.getpid(), memory_mb, 0
            self.started += 1
        return self.child

    def close(self) -> None:
        """End the child (killed: it may be stuck in a hostile file) and forget it."""
        child, self.child = self.child, None
        if child is None:
            return
        if self.owner == os.getpid():
            child.kill()
            child.wait()  # reaped: its CPU time counts in this process's children
        for pipe in (child.stdin, child.stdout, child.stderr):
            if pipe is not None:
                pipe.close()

    def finish(self) -> None:
        """At the end of the process: an idle child leaves when its input ends (killed if it
        does not within a second), and is reaped."""
        child = self.child
        if child is not None and child.stdin is not None and self.owner == os.getpid():
            child.stdin.close()
            try:
                child.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        self.close()


_process_checker: Checker | None = None


def process_checker() -> Checker:
    """This process's checker: one child for all its cases (a batch worker's, or the batch's
    own with ``--jobs 1``), ended and reaped when the process exits."""
    global _process_checker
    if _process_checker is None or _process_checker.owner not in (0, os.getpid()):
        _process_checker = Checker()
        atexit.register(_process_checker.finish)
        # a pool worker leaves by os._exit, which skips atexit but runs these finalizers
        multiprocessing.util.Finalize(_process_checker, _process_checker.finish, exitpriority=10)
    return _process_checker


class _AnswerReader:
    """Collects one framed answer as it arrives: 8 bytes of header length, the header, then the
    blobs whose sizes the header gives; ``feed`` is False past ``cap`` bytes."""

    def __init__(self, cap: int) -> None:
        self.data = bytearray()
        self.cap = cap
        self.total: int | None = None

    @property
    def done(self) -> bool:
        return self.total is not None and len(self.data) >= self.total

    def feed(self, chunk: bytes) -> bool:
        self.data += chunk
        if self.total is None and len(self.data) >= 8:
            head = int.from_bytes(self.data[:8], "big")
            if 8 + head > self.cap:
                return False
            if len(self.data) >= 8 + head:
                self.total = 8 + head + _sizes_total(bytes(self.data[:8 + head]))
        return len(self.data) <= self.cap and (self.total is None or self.total <= self.cap)

    def answer(self) -> bytes:
        return bytes(self.data)


def _sizes_total(head: bytes) -> int:
    """The blobs' total size the header announces (a bad header counts as too large)."""
    try:
        sizes = header_of(head)["sizes"]
        return sum(s for s in sizes if isinstance(s, int) and s >= 0) if isinstance(sizes, list) \
            else 1 << 62
    except (ValueError, TypeError, KeyError):
        return 1 << 62


def _answer_cap(limits: AttachmentLimits) -> int:
    """The largest answer believed: cleaned PDFs of a case's files (a PNG re-encoded
    losslessly can outgrow its file) with room to spare."""
    return 4 * limits.max_case_mb * MB + MB


def _child_env() -> dict[str, str]:
    """The child finds ``pipeline`` where the parent did, also from a checkout not installed."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
    return env


def _last_started(stderr: bytes, request: int) -> int:
    """The position of the file the child announced last for ``request`` (its lines are
    ``<request>:<position>``; 0 when it announced none for this request)."""
    started = []
    for word in stderr.decode("ascii", "replace").split():
        asked, _, at = word.partition(":")
        if asked == str(request) and at.isdigit():
            started.append(int(at))
    return started[-1] if started else 0


def _results(answer: bytes) -> tuple[int, list[Cleaned | Refusal], bool]:
    """The child's answer, read as untrusted data (types checked, nothing executed): the
    request it answers, the results, and whether the child is leaving (its memory ran out)."""
    header, blobs = unframe(answer, header_of(answer)["sizes"])
    out: list[Cleaned | Refusal] = []
    for entry, blob in zip(header["results"], blobs, strict=True):
        if entry["ok"]:
            notes = tuple(Note(str(code), str(message)) for code, message in entry["notes"])
            out.append(Cleaned(blob, int(entry["pages"]), notes))
        else:
            out.append(Refusal(str(entry["code"]), str(entry["message"])))
    return int(header["request"]), out, bool(header.get("retire", False))
