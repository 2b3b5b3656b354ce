"""What one page of each document costs to lay out: is a 送付状 dearer than a page of a letter?

Usage::

    .venv/bin/python -m benchmarks.page_cost [--cases 12] [--rounds 2] [--work DIR]

Issue 14 bounds the packets at +10% of the batch's CPU, and the 送付状 (one page per creditor,
laid out by WeasyPrint like every letter) is most of what they add. This measures, in one process
set up as a batch worker is (``_keep_freed_memory``, one warm ``Renderer``), the CPU time of every
PDF the case builds make — the letters and the 送付状 — with its page count, and prints per kind
of document: documents, pages, CPU a document and CPU a page, and the 送付状's share of all PDF
time. The cases are the synthetic ones of ``benchmarks.batch`` (with the two sample scans); two
cases are built first, untimed (imports, fonts, templates). ``--rounds``: each case is built that
many times and the medians of its documents are kept.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from benchmarks.batch import prepare_inputs
from pipeline.attach.packet import page_count

WARM_UP_CASES = 2
#: The view kind of the 送付状 (pipeline.documents.cover_letter).
COVER = "cover_letter"


class TimedRenderer:
    """The worker's renderer, timing each PDF (CPU seconds) with its view's kind and pages."""

    def __init__(self, renderer: Any) -> None:
        self.renderer = renderer
        self.times: list[tuple[str, int, float]] = []  # (kind, pages, seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.renderer, name)

    def pdf(self, view: Any) -> tuple[bytes, list[str]]:
        started = time.process_time()
        made = self.renderer.pdf(view)
        self.times.append((view.kind, page_count(made[0]), time.process_time() - started))
        return made


def measure(paths: list[Path], rounds: int) -> dict[str, dict[str, float]]:
    """Per kind: documents, pages, CPU ms a document and a page (medians over the rounds)."""
    from pipeline.batch.casebuild import build_case
    from pipeline.batch.workers import _keep_freed_memory
    from pipeline.config import load_config
    from pipeline.render import Renderer

    _keep_freed_memory()
    config, timed = load_config(), TimedRenderer(Renderer())
    for path in paths[:WARM_UP_CASES]:
        build_case(path, config, date(2026, 11, 30), timed)  # type: ignore[arg-type]
    per_document: dict[tuple[int, int], list[float]] = defaultdict(list)
    kinds: dict[tuple[int, int], tuple[str, int]] = {}
    for _ in range(rounds):
        for number, path in enumerate(paths[WARM_UP_CASES:]):
            timed.times.clear()
            build_case(path, config, date(2026, 11, 30), timed)  # type: ignore[arg-type]
            for index, (kind, pages, seconds) in enumerate(timed.times):
                per_document[(number, index)].append(seconds)
                kinds[(number, index)] = (kind, pages)
    return summary({key: (*kinds[key], statistics.median(s)) for key, s in per_document.items()})


def summary(documents: dict[Any, tuple[str, int, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for kind, pages, seconds in documents.values():
        row = out.setdefault(kind, {"documents": 0, "pages": 0, "seconds": 0.0})
        row["documents"] += 1
        row["pages"] += pages
        row["seconds"] += seconds
    for row in out.values():
        row["ms_a_document"] = row["seconds"] * 1000 / row["documents"]
        row["ms_a_page"] = row["seconds"] * 1000 / row["pages"]
    return out


def report(rows: dict[str, dict[str, float]]) -> list[str]:
    total = sum(r["seconds"] for r in rows.values())
    letters = {k: r for k, r in rows.items() if k != COVER}
    letter_pages = sum(r["pages"] for r in letters.values())
    letter_seconds = sum(r["seconds"] for r in letters.values())
    lines = [f"{'書類':<22}{'通数':>6}{'ページ':>7}{'1通(ms)':>10}{'1ページ(ms)':>12}"]
    for kind, r in sorted(rows.items()):
        lines.append(f"{kind:<22}{r['documents']:>6.0f}{r['pages']:>7.0f}"
                     f"{r['ms_a_document']:>10.1f}{r['ms_a_page']:>12.1f}")
    if letter_pages:
        lines.append(f"{'letters (all)':<22}{sum(r['documents'] for r in letters.values()):>6.0f}"
                     f"{letter_pages:>7.0f}{'':>10}{letter_seconds * 1000 / letter_pages:>12.1f}")
    if COVER in rows and total:
        lines.append(f"送付状の割合（PDFのCPU時間のうち）: {rows[COVER]['seconds'] / total:.1%}、"
                     f"手紙に対して +{rows[COVER]['seconds'] / letter_seconds:.1%}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="書類の種類ごとの1ページあたりのCPU時間")
    parser.add_argument("--cases", type=int, default=12, help="合成案件の数（既定 12、うち2件は準備）")
    parser.add_argument("--rounds", type=int, default=2, help="各案件を作る回数（中央値、既定 2）")
    parser.add_argument("--work", type=Path, help="作業フォルダ（入力を次回も使う）")
    args = parser.parse_args(argv)
    work = (args.work or Path(tempfile.mkdtemp(prefix="ninbai-pages-"))).resolve()
    inputs = work / "inputs"
    prepare_inputs(inputs, args.cases)
    rows = measure(sorted(inputs.glob("BENCH-*.xlsx")), args.rounds)
    print(f"{args.cases - WARM_UP_CASES}件（準備 {WARM_UP_CASES}件）× {args.rounds}回の中央値")
    print("\n".join(report(rows)))


if __name__ == "__main__":
    main()
