"""Checking a case's attachments in a child process that cannot run away with time or memory.

qpdf and the image decoders are C and C++ code working on bytes from outside: a pathological
file can make them loop for minutes, allocate gigabytes or crash, and none of that can be
interrupted from Python in the same process. So the checks run in a child interpreter
(``python -m pipeline.attach.child``), one per case, that first limits its own address space
(RLIMIT_AS) and CPU time (RLIMIT_CPU), while the parent waits at most the configured seconds
(docs/attachments.md §4). A child that dies or overruns fails only the file it was checking (it
says which on stderr before each file); the other files are checked by a new child in the
time that is left; what no child got to is refused as unchecked.

The messages are framed JSON (pipeline.attach.frame), never pickle: a child that a hostile file
took over can send wrong answers, not run code in the batch; the PDFs it returns were written by
qpdf and are only ever opened by qpdf again, in the parent, to be copied into packets.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.attach.clean import Cleaned, Note, Refusal
from pipeline.attach.frame import frame, header_of, unframe
from pipeline.attach.intake import IncomingFile
from pipeline.config import AttachmentLimits


@dataclass(frozen=True, slots=True)
class Checked:
    """One file after checking: what goes into packets, or why it cannot."""

    file: IncomingFile
    result: Cleaned | Refusal


def check_files(files: Sequence[IncomingFile], limits: AttachmentLimits) -> list[Checked]:
    """Every file checked and cleaned in bounded child processes, in the order given.

    Each child that dies takes one file with it, so at most one child per file runs, and all
    of them together within ``limits.seconds``.
    """
    outcome: dict[int, Cleaned | Refusal] = {}
    deadline = time.monotonic() + limits.seconds
    todo = list(range(len(files)))
    while todo:
        left = deadline - time.monotonic()
        if left <= 0:
            outcome.update((i, _unchecked()) for i in todo)
            break
        ran = _run_child([files[i] for i in todo], limits, left)
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


def _run_child(files: list[IncomingFile], limits: AttachmentLimits, seconds: float
               ) -> list[Cleaned | Refusal] | tuple[int, Refusal]:
    """Check ``files`` in one child: every result, or (position, refusal) of the file it died on."""
    header = {"limits": limits.model_dump(), "files": [[f.kind, len(f.data)] for f in files]}
    try:
        done = subprocess.run([sys.executable, "-m", "pipeline.attach.child"],
                              input=frame(header, [f.data for f in files]), capture_output=True,
                              timeout=seconds, check=False, env=_child_env())
    except subprocess.TimeoutExpired as exc:
        return _last_started(exc.stderr), _TIMED_OUT
    if done.returncode != 0:
        return _last_started(done.stderr), _DIED
    try:
        results = _results(done.stdout)
    except (ValueError, TypeError, KeyError, AttributeError):
        return 0, _DIED
    if len(results) != len(files):
        return 0, _DIED
    return results


_TIMED_OUT = Refusal("attachment_timeout", "確認に時間がかかりすぎました（壊れたファイルか、"
                     "読み込むと止まらなくなるよう作られたファイルの可能性があります）。"
                     "スキャンし直してください")
_DIED = Refusal("attachment_check_failed", "確認中に読み込みが異常終了しました（壊れたファイルか、"
                "メモリを使い尽くすよう作られたファイルの可能性があります）。スキャンし直してください")


def _child_env() -> dict[str, str]:
    """The child finds ``pipeline`` where the parent did, also from a checkout not installed."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (root, env.get("PYTHONPATH"))))
    return env


def _last_started(stderr: bytes | str | None) -> int:
    """The position of the file the child announced last (0 when it announced none)."""
    text = stderr.decode("ascii", "replace") if isinstance(stderr, bytes) else (stderr or "")
    started = [int(n) for n in text.split() if n.isdigit()]
    return started[-1] if started else 0


def _results(stdout: bytes) -> list[Cleaned | Refusal]:
    """The child's answers, read as untrusted data (types checked, nothing executed)."""
    header, blobs = unframe(stdout, header_of(stdout)["sizes"])
    out: list[Cleaned | Refusal] = []
    for entry, blob in zip(header["results"], blobs, strict=True):
        if entry["ok"]:
            notes = tuple(Note(str(code), str(message)) for code, message in entry["notes"])
            out.append(Cleaned(blob, int(entry["pages"]), notes))
        else:
            out.append(Refusal(str(entry["code"]), str(entry["message"])))
    return out
