"""Profile one worker's per-case loop: what ``ninbai build`` does for each case, in one process.

Usage::

    .venv/bin/python -m benchmarks.profile_cases [--cases 30] [--top 40] [--sort tottime]

Writes ``--cases`` synthetic workbooks (``benchmarks.synth``) into a temporary folder, makes one
warm ``Renderer`` and the configuration as a worker does, builds two cases untimed (imports,
fonts, parsed templates), then runs ``pipeline.batch.casebuild.build_case`` over the rest under cProfile
and prints the top functions and the per-stage timings the cases reported. Nothing is written to
an output folder: only the case build is profiled, not the batch's bookkeeping.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.synth import write_cases

WARM_UP_CASES = 2


def build_all(paths: list[Path], renderer, config) -> dict[str, float]:
    """Build each case; the sum of their stage timings (and the count of documents)."""
    from pipeline.batch.casebuild import build_case

    totals: dict[str, float] = {}
    for path in paths:
        outcome = build_case(path, config, date(2026, 11, 30), renderer)
        if outcome.status == "error":
            raise SystemExit(f"{path.name}: 失敗 {[i.code for i in outcome.issues]}")
        for stage, seconds in outcome.timings.items():
            totals[stage] = totals.get(stage, 0.0) + seconds
        totals["pdfs"] = totals.get("pdfs", 0) + sum(n.endswith(".pdf") for n in outcome.files)
    return totals


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_cases",
                                     description="1ワーカーの案件ループをcProfileで計測する")
    parser.add_argument("--cases", type=int, default=30)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime", help="pstats の並び順（tottime, cumulative）")
    parser.add_argument("--save", type=Path, help="プロファイルをこのファイルに保存する")
    args = parser.parse_args(argv)
    from pipeline.batch import warm_renderer
    from pipeline.config import load_config

    with tempfile.TemporaryDirectory(prefix="ninbai-profile-") as work:
        paths = write_cases(Path(work), args.cases + WARM_UP_CASES)
        renderer, config = warm_renderer(), load_config()
        build_all(paths[:WARM_UP_CASES], renderer, config)
        profiler = cProfile.Profile()
        started = time.perf_counter()
        totals = profiler.runcall(build_all, paths[WARM_UP_CASES:], renderer, config)
        wall = time.perf_counter() - started
    if args.save:
        profiler.dump_stats(args.save)
    pdfs = int(totals.pop("pdfs"))
    print(f"{args.cases}件 {pdfs} PDF, {wall:.1f}秒（cProfile込み）: "
          + ", ".join(f"{k} {v * 1000 / pdfs:.0f} ms/PDF" for k, v in totals.items()))
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
