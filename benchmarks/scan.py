"""Benchmark of one scan placed on its A4 page: ``pipeline.attach.clean.clean`` in this process.

Usage::

    .venv/bin/python -m benchmarks.scan [FILE …] [--runs 30]

Each file (by default the samples' 200 dpi A4 grey 買付証明書 PNG) is checked and placed
``--runs`` times after one warm-up run; prints the median, lowest and highest CPU time of a run
(``time.process_time``: this process only, so other sessions' load counts for little) and the
size of the PDF page it made. The checking child's start and its limits are not in it
(docs/performance.md, "Packets").
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SCAN = ROOT / "inputs" / "2026-0142" / "買付証明書.png"


def cpu_ms(path: Path, runs: int) -> tuple[list[float], int]:
    """CPU milliseconds of each of ``runs`` checks of ``path``, and the page's size in bytes."""
    from pipeline.attach.clean import Cleaned, clean
    from pipeline.attach.kinds import sniff
    from pipeline.config import load_config

    data, limits = path.read_bytes(), load_config().attachment_limits
    kind = sniff(data)
    if kind is None:
        raise SystemExit(f"not a PDF, JPEG or PNG: {path}")
    result = clean(kind, data, limits)  # warm-up: imports, Pillow's plugins
    if not isinstance(result, Cleaned):
        raise SystemExit(f"refused: {path}: {result.message}")
    times = []
    for _ in range(runs):
        start = time.process_time()
        clean(kind, data, limits)
        times.append((time.process_time() - start) * 1000)
    return times, len(result.pdf)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[SAMPLE_SCAN])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    for path in args.files:
        times, size = cpu_ms(path, args.runs)
        print(f"{path.name}: median {statistics.median(times):.1f} ms CPU "
              f"({min(times):.1f}–{max(times):.1f}, {args.runs} runs), page {size:,} bytes, "
              f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
