"""Where ``build_case`` runs: in-process (``--jobs 1``) or in a pool of warm worker processes.

Each worker makes one ``Renderer`` (WeasyPrint, fonts, parsed templates) when it starts and keeps
it for every case it builds; what exists after start-up is frozen out of the garbage collector,
and large freed blocks are kept for reuse (docs/performance.md). A worker exits when its batch
process dies, and at once on Ctrl-C: the batch process alone handles the interrupt, drops the cases
not started and waits only for the workers. An exception in a case, or a dead worker, becomes that
case's failure.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.batch.casebuild import CaseOutcome
from pipeline.read.issues import Issue

BuildFn = Callable[[Path, Any, date, Any], CaseOutcome]


class Workers:
    """Runs the build over the inputs, in-process (jobs 1) or in a pool of warm worker processes."""

    def __init__(self, build: BuildFn, make_renderer: Callable[[], Any], config: Any,
                 batch_date: date) -> None:
        self.args = (build, make_renderer, config, batch_date)

    def run(self, todo: list[Path], jobs: int) -> Generator[CaseOutcome, None, None]:
        """Outcomes as they finish; the largest workbooks are started first (size ≈ work)."""
        order = sorted(todo, key=lambda p: (-_size(p), str(p)))
        if not order:
            return
        if jobs <= 1 or len(order) == 1:
            _keep_freed_memory()
            worker = _Worker(*self.args)
            yield from (worker.run(source) for source in order)
            return
        with ProcessPoolExecutor(min(jobs, len(order)), initializer=_init_worker,
                                 initargs=self.args) as pool:
            try:
                futures = {pool.submit(_run_in_worker, source): source for source in order}
                for future in as_completed(futures):
                    # Popped, so a finished case's documents (≈0.5 MB) are freed once written;
                    # kept in the dict, they made the batch process grow to 557 MB at 1,000 cases.
                    yield _collect(future, futures.pop(future))
            except BaseException:  # Ctrl-C, or the caller closed this generator
                # Without this, leaving the pool waits until every queued case has been built.
                pool.shutdown(wait=False, cancel_futures=True)
                raise


class _Worker:
    """The state of one worker: the build function, the configuration and one warm renderer."""

    def __init__(self, build: BuildFn, make_renderer: Callable[[], Any], config: Any,
                 batch_date: date) -> None:
        self.build, self.config, self.batch_date = build, config, batch_date
        self.renderer, self.setup_error = None, None
        try:
            self.renderer = make_renderer()
        except Exception as exc:  # noqa: BLE001 - every case reports it; the batch still finishes
            self.setup_error = exc

    def run(self, source: Path) -> CaseOutcome:
        if self.setup_error is not None:
            return crashed_outcome(source, self.setup_error)
        try:
            return self.build(source, self.config, self.batch_date, self.renderer)
        except Exception as exc:  # noqa: BLE001 - a case's failure is its status, not the batch's end
            return crashed_outcome(source, exc)


_worker: _Worker | None = None  # set once per worker process by the pool's initializer


def _init_worker(*args: Any) -> None:
    global _worker
    prepare_worker_process()
    _worker = _Worker(*args)
    # What exists now (modules, WeasyPrint, fonts, parsed templates) lives as long as the worker:
    # frozen, it is no longer re-scanned by every full garbage collection (≈6% of a PDF).
    gc.freeze()


def prepare_worker_process() -> None:
    """What every warm worker process does first, the batch's and the server's
    (``pipeline.serve.rebuild``): exit with its parent, stop at once on Ctrl-C, keep freed
    memory for reuse. Then it makes its renderer and calls ``gc.freeze()``."""
    # Ctrl-C reaches the whole process group: a worker just stops (no traceback of its own), and
    # the batch process writes what was finished and says it was interrupted.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _exit_with_parent(os.getppid())
    _keep_freed_memory()


#: glibc ``mallopt`` parameters (malloc.h) and the values a worker sets.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
WORKER_MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit
WORKER_TRIM_THRESHOLD = 64 * 2**20


def _keep_freed_memory() -> bool:
    """Let a worker reuse the large blocks it frees instead of handing them back to the kernel.

    Every PDF copies the whole 7.8 MB body font file, twice when it has bold text (WeasyPrint's
    ``Font.file_content``). glibc serves such blocks as fresh mmap pages, zeroed and faulted in
    on each use: 1–8 ms a PDF, varying with its dynamic threshold. With these thresholds they
    come from the heap and are reused (≈1.3 ms). No effect, and False, where libc is not glibc.
    """
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c")).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD))


def _exit_with_parent(parent: int) -> None:
    """A worker whose batch process was killed exits too, instead of waiting forever for work."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ninbai-parent-watch", daemon=True).start()


def _run_in_worker(source: Path) -> CaseOutcome:
    assert _worker is not None, "the pool initializer did not run"
    return _worker.run(source)


def _collect(future: Future, source: Path) -> CaseOutcome:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a worker died (killed, out of memory): case failed
        return crashed_outcome(source, exc)


def crashed_outcome(source: Path, exc: BaseException) -> CaseOutcome:
    """An unexpected exception as a failed case; the traceback is kept for developers."""
    detail = "".join(traceback.format_exception(exc))
    # The message is for staff (Japanese only); what went wrong, in Python's words, is the raw
    # value: case.json and the manifest keep it for the developers.
    issue = Issue("build_crashed", "error",
                  "処理中に予期しない問題が発生しました。システム担当者に連絡してください。", raw=detail)
    return CaseOutcome(source, None, "error", [issue])


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
