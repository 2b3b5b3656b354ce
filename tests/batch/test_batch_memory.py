"""pipeline.batch: memory stays flat as the batch grows (docs/performance.md).

The batch process receives every case's documents from the workers; once a case is written, its
bytes must be freed, or the process grows by ≈0.5 MB a case (557 MB at 1,000 cases).
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import weakref
from datetime import date
from pathlib import Path

from pipeline.batch import workers as worker_pool
from pipeline.batch.casebuild import CaseOutcome
from pipeline.batch.workers import Workers

DOCUMENT = 64 * 1024  # bytes of one fake document


def fake_build(source: Path, config, batch_date: date, renderer) -> CaseOutcome:
    """A case with a few documents' worth of bytes, built in a worker process."""
    return CaseOutcome(source, source.stem, "ok", files={"a.pdf": b"%" * DOCUMENT})


def no_renderer() -> None:
    return None


def test_outcomes_from_worker_processes_are_freed_once_handed_on(tmp_path):
    sources = []
    for i in range(12):
        sources.append(tmp_path / f"C{i:02d}.xlsx")
        sources[-1].write_bytes(b"x" * (i + 1))  # sizes differ: the order is fixed
    workers = Workers(fake_build, no_renderer, None, date(2026, 11, 30))
    handed_on, alive = [], []
    for outcome in workers.run(sources, jobs=2):
        handed_on.append(weakref.ref(outcome))
        del outcome  # the batch writes it and keeps only its record
        gc.collect()
        alive.append(sum(ref() is not None for ref in handed_on))  # while the batch still runs
    assert len(handed_on) == len(sources)
    # At most the latest (its future is the generator's loop variable until the next case).
    assert max(alive) <= 1


def frozen_count_build(source: Path, config, batch_date: date, renderer) -> CaseOutcome:
    """Reports, as its case id, how many objects the worker has frozen out of the collector."""
    return CaseOutcome(source, str(gc.get_freeze_count()), "ok")


def test_workers_freeze_their_start_up_objects(tmp_path):
    """Full collections re-scanned WeasyPrint, fonts and templates for every PDF (≈6%)."""
    sources = [tmp_path / "A.xlsx", tmp_path / "B.xlsx"]
    for source in sources:
        source.write_bytes(b"x")
    workers = Workers(frozen_count_build, no_renderer, None, date(2026, 11, 30))
    frozen = [int(outcome.case_id) for outcome in workers.run(sources, jobs=2)]
    assert min(frozen) > 10_000  # the imported modules, at least



FRESH_PROCESS = """
import ctypes, ctypes.util
from pipeline.batch.workers import _keep_freed_memory

class Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena", "ordblks", "smblks", "hblks", "hblkhd",
                "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]

mallinfo2 = ctypes.CDLL(ctypes.util.find_library("c")).mallinfo2
mallinfo2.restype = Mallinfo2

def served_by_mmap():  # of a block the size of WeasyPrint's copy of the body font
    before = mallinfo2().hblkhd
    block = bytes(8 * 2**20)
    return mallinfo2().hblkhd - before

print(served_by_mmap() > 0, _keep_freed_memory(), served_by_mmap(), served_by_mmap())
"""


def test_a_worker_serves_font_sized_blocks_from_the_heap():
    """Fresh mmap pages, zeroed and faulted in for each copy of the font, cost 1–8 ms a PDF.

    In a fresh process (glibc's thresholds untouched, unlike in pytest's own process).
    """
    run = subprocess.run([sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).resolve().parents[2])
    assert run.stdout.split() == ["True", "True", "0", "0"]


def test_workers_keep_freed_memory(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(worker_pool, "_keep_freed_memory", lambda: calls.append(os.getpid()))
    # Not in pytest's own process: no parent watch, no freeze, the worker state put back.
    monkeypatch.setattr(worker_pool, "_exit_with_parent", lambda parent: None)
    monkeypatch.setattr(gc, "freeze", lambda: None)
    monkeypatch.setattr(worker_pool, "_worker", None)
    worker_pool._init_worker(fake_build, no_renderer, None, date(2026, 11, 30))
    assert calls == [os.getpid()]
