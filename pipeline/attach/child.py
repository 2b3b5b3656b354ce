"""The checking child: ``python -m pipeline.attach.child`` (started by pipeline.attach.sandbox).

It limits its own address space and CPU time before it looks at any file, announces on stderr
the position of each file before checking it (so that the parent knows which file a crash or
an overrun belongs to), and writes the results framed on stdout. It imports only what checking
needs (pikepdf, Pillow): not pydantic, not the configuration, so a case pays ≈0.3 s for it.
"""

from __future__ import annotations

import resource
import sys
from types import SimpleNamespace

from pipeline.attach.clean import Cleaned, Refusal, clean
from pipeline.attach.frame import frame, header_of, unframe

MB = 1024 * 1024
#: Seconds of CPU beyond the wall-clock budget before the kernel stops the child (SIGXCPU):
#: the parent's timeout normally comes first; this holds if the parent is gone.
CPU_SLACK = 1


def limit_self(memory_mb: int, seconds: int) -> None:
    """Cap this process's address space and CPU time (never above a limit already imposed:
    raising a hard limit is refused to an ordinary user)."""
    _lower(resource.RLIMIT_AS, memory_mb * MB, memory_mb * MB)
    _lower(resource.RLIMIT_CPU, seconds + CPU_SLACK, seconds + CPU_SLACK + 1)


def _lower(which: int, soft: int, hard: int) -> None:
    _, current = resource.getrlimit(which)
    if current != resource.RLIM_INFINITY:
        soft, hard = min(soft, current), min(hard, current)
    resource.setrlimit(which, (soft, hard))


def main() -> int:
    message = sys.stdin.buffer.read()
    header = header_of(message)
    limits = SimpleNamespace(**header["limits"])
    limit_self(limits.memory_mb, limits.seconds)
    kinds = [kind for kind, _ in header["files"]]
    _, blobs = unframe(message, [size for _, size in header["files"]])
    del message
    results, pdfs = [], []
    for number, (kind, data) in enumerate(zip(kinds, blobs, strict=True)):
        sys.stderr.write(f"{number}\n")
        sys.stderr.flush()
        try:
            result = clean(kind, data, limits)
        except MemoryError:
            result = Refusal("attachment_check_failed", "確認中にメモリを使い切りました（大きすぎる"
                             "か、そう作られたファイルです）。スキャンし直してください")
        if isinstance(result, Cleaned):
            results.append({"ok": True, "pages": result.pages, "notes": [list(n) for n in result.notes]})
            pdfs.append(result.pdf)
        else:
            results.append({"ok": False, "code": result.code, "message": result.message})
            pdfs.append(b"")
    sys.stdout.buffer.write(frame({"results": results, "sizes": [len(p) for p in pdfs]}, pdfs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
