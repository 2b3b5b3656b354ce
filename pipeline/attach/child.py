"""The checking child: ``python -m pipeline.attach.child MEMORY_MB`` (started by
pipeline.attach.sandbox, one per batch worker, serving case after case).

It limits its own address space before it reads anything, then answers requests until its
stdin ends: before each request it gives itself that request's CPU time (RLIMIT_CPU, counted
from what it has used so far), announces on stderr ``<request>:<position>`` before checking
each file (so that the parent knows which file a crash or an overrun belongs to), and writes
the results framed on stdout. After a file ran it out of memory it answers and exits: the next
case gets a fresh child. It imports only what checking needs (pikepdf, Pillow): not pydantic,
not the configuration.
"""

from __future__ import annotations

import math
import resource
import sys
from types import SimpleNamespace
from typing import BinaryIO

from pipeline.attach.clean import Cleaned, Refusal, clean
from pipeline.attach.frame import frame, header_of, unframe

MB = 1024 * 1024
#: Seconds of CPU beyond the wall-clock budget before the kernel stops the child (SIGXCPU):
#: the parent's timeout normally comes first; this holds if the parent is gone.
CPU_SLACK = 1


def limit_self(memory_mb: int, seconds: int) -> None:
    """Cap this process's address space, and its CPU time to ``seconds`` more than it has used
    (never above a limit already imposed: raising a hard limit is refused to an ordinary user)."""
    _lower(resource.RLIMIT_AS, memory_mb * MB, memory_mb * MB)
    limit_cpu(seconds)


def limit_cpu(seconds: int) -> None:
    """Let this process use ``seconds`` (+ slack) more CPU time, then be stopped by SIGXCPU.

    Only the soft limit moves, so that it can move again for the next request; the hard limit
    stays as it was (an imposed one is kept: the soft limit never goes above it)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    soft = math.ceil(used.ru_utime + used.ru_stime) + seconds + CPU_SLACK
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _lower(which: int, soft: int, hard: int) -> None:
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(which, (soft, hard))


def read_request(stream: BinaryIO) -> bytes | None:
    """One framed request (8 bytes of header length, the header, the files), None at the end."""
    head = stream.read(8)
    if len(head) < 8:
        return None
    header = stream.read(int.from_bytes(head, "big"))
    message = head + header
    sizes = [size for _, size in header_of(message)["files"]]
    return message + stream.read(sum(sizes))


def answer(message: bytes) -> tuple[bytes, bool]:
    """The framed answer to one request, and whether this child must leave after it."""
    header = header_of(message)
    request = header["request"]
    limits = SimpleNamespace(**header["limits"])
    limit_cpu(limits.seconds)
    kinds = [kind for kind, _ in header["files"]]
    _, blobs = unframe(message, [size for _, size in header["files"]])
    del message
    results, pdfs, retire = [], [], False
    for number, (kind, data) in enumerate(zip(kinds, blobs, strict=True)):
        sys.stderr.write(f"{request}:{number}\n")
        sys.stderr.flush()
        try:
            result = clean(kind, data, limits)
        except MemoryError:
            retire = True  # what is left of its heap is not to be trusted with the next case
            result = Refusal("attachment_check_failed", "確認中にメモリを使い切りました（大きすぎる"
                             "か、そう作られたファイルです）。スキャンし直してください")
        if isinstance(result, Cleaned):
            results.append({"ok": True, "pages": result.pages, "notes": [list(n) for n in result.notes]})
            pdfs.append(result.pdf)
        else:
            results.append({"ok": False, "code": result.code, "message": result.message})
            pdfs.append(b"")
    head = {"request": request, "results": results, "sizes": [len(p) for p in pdfs],
            "retire": retire}
    return frame(head, pdfs), retire


def main() -> int:
    memory_mb = int(sys.argv[1])
    _lower(resource.RLIMIT_AS, memory_mb * MB, memory_mb * MB)
    while True:
        message = read_request(sys.stdin.buffer)
        if message is None:
            return 0
        reply, retire = answer(message)
        del message
        sys.stdout.buffer.write(reply)
        sys.stdout.buffer.flush()
        if retire:
            return 0


if __name__ == "__main__":
    sys.exit(main())
