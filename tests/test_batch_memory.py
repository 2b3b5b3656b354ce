"""pipeline.batch: memory stays flat as the batch grows (docs/performance.md).

The batch process receives every case's documents from the workers; once a case is written, its
bytes must be freed, or the process grows by ≈0.5 MB a case (557 MB at 1,000 cases).
"""

from __future__ import annotations

import gc
import weakref
from datetime import date
from pathlib import Path

from pipeline.batch import _Workers
from pipeline.casebuild import CaseOutcome

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
    workers = _Workers(fake_build, no_renderer, None, date(2026, 11, 30))
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
    workers = _Workers(frozen_count_build, no_renderer, None, date(2026, 11, 30))
    frozen = [int(outcome.case_id) for outcome in workers.run(sources, jobs=2)]
    assert min(frozen) > 10_000  # the imported modules, at least
