"""Peak memory of a process tree, sampled from /proc (Linux) every ~50 ms.

The issue asks for the peak "RSS of all processes": ``ninbai build`` and its worker processes. A
thread reads the tree (the root and every descendant, found through the parent pid in
``/proc/<pid>/stat``) and keeps the largest sum of resident set sizes seen. RSS counts pages a
forked worker still shares with its parent once per process, so the sum overstates what the tree
really uses; the proportional set size (PSS, ``/proc/<pid>/smaps_rollup``), which splits shared
pages among their users, is kept beside it, as is the largest single process.

The sampler must not slow down what it measures (2 cores): reading every process's ``stat`` to
find the tree, and ``smaps_rollup`` (the kernel walks the page tables), cost about a fifth of a
core at 20 samples a second, so the tree is looked up and PSS read once a second; RSS, a cheap
``statm`` read per process, every 50 ms.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Self

PAGE = os.sysconf("SC_PAGE_SIZE")
INTERVAL = 0.05
#: Samples between two look-ups of the process tree and two PSS reads (20 × 50 ms = 1 s).
SLOW_EVERY = 20


def _parent_pids() -> dict[int, int]:
    """pid → parent pid of every process that can be read now."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended between listing and reading
            continue
        # The command name (field 2) may hold spaces and parentheses: split after the last ")".
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return parents


def tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parent_pids().items():
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def rss_bytes(pid: int) -> int:
    """Resident set size (0 when the process is gone)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss_bytes(pid: int) -> int:
    """Proportional set size (0 when the process is gone or the kernel does not say)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


@dataclass
class Peak:
    rss_sum: int = 0  # the largest sum of RSS over the tree at one moment
    pss_sum: int = 0  # the same with PSS
    rss_one: int = 0  # the largest RSS of a single process
    processes: int = 0  # the most processes seen at one moment
    samples: int = 0


class TreeSampler:
    """``with TreeSampler(pid) as sampler: ...`` then ``sampler.peak``."""

    def __init__(self, root: int, interval: float = INTERVAL, slow_every: int = SLOW_EVERY) -> None:
        self.root, self.interval, self.slow_every = root, interval, slow_every
        self.peak = Peak()
        self.pids: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        peak = self.peak
        slow = peak.samples % self.slow_every == 0
        if slow:
            self.pids = tree(self.root)
        rss = [rss_bytes(p) for p in self.pids]
        peak.rss_sum = max(peak.rss_sum, sum(rss))
        if slow:
            peak.pss_sum = max(peak.pss_sum, sum(pss_bytes(p) for p in self.pids))
        peak.rss_one = max([peak.rss_one, *rss])
        peak.processes = max(peak.processes, sum(r > 0 for r in rss))
        peak.samples += 1
