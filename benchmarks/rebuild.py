"""Benchmark of 作り直し from the browser: one case rebuilt with the server's warm worker.

Usage::

    .venv/bin/python -m benchmarks.rebuild --work DIR [--case 2026-0142] [--repeat 6]

Builds every sample workbook of inputs/ into one batch (a month's batch, so the summary.xlsx and
index.html rewritten by each rebuild are of a realistic size), approves ``--case``, starts a
``WarmBuilder`` (warmed with that workbook), then changes the case's 売却価格 and rebuilds it
``--repeat`` times, alternating a new price (a new revision beside the approved one) and the
approved price (back to the approved revision, the same files). For each rebuild it reports the
time from the call until the documents, manifest, summary and review page were written, split
into the build in the worker (its stages) and the rest (the batch lock, the folder, the views),
with the load average, and the CPU seconds it used (worker, scan checker and this process: about
the wall time on an idle core, which a shared machine does not give). The issue's target is
"visible within 2 s of the click".
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BATCH = "2026-11-30"
SAMPLE_OFFICE = ROOT / "inputs" / "ninbai.toml"
#: The issue's target: the rebuilt case visible within 2 s of the click.
TARGET_SECONDS = 2.0


def set_price(workbook: Path, price: int) -> None:
    import openpyxl

    book = openpyxl.load_workbook(workbook)
    for row in book["案件"].iter_rows():
        if row[0].value == "売却価格":
            row[1].value = price
    book.save(workbook)


def prepare(work: Path) -> list[Path]:
    """The samples (workbooks and their 添付 folders) copied afresh into ``work/in``; an earlier
    run's ``work/out`` is kept, so the batch is an unchanged rerun (seconds, not minutes)."""
    source, target = ROOT / "inputs", work / "in"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for entry in source.iterdir():
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name)
        elif entry.suffix == ".xlsx":
            shutil.copy2(entry, target / entry.name)
    return sorted(target.glob("*.xlsx"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--case", default="2026-0142")
    parser.add_argument("--repeat", type=int, default=6)
    args = parser.parse_args()

    from pipeline.batch import BatchRequest, run_batch
    from pipeline.batch.approve import approve_cases
    from pipeline.config import load_config
    from pipeline.serve.rebuild import WarmBuilder

    config = load_config(SAMPLE_OFFICE)
    inputs = prepare(args.work)
    out = args.work / "out"
    started = time.perf_counter()
    batch = run_batch(BatchRequest(tuple(inputs), out, BATCH, date.fromisoformat(BATCH), jobs=2),
                      config)
    print(f"batch of {len(inputs)} samples built in {time.perf_counter() - started:.1f} s")
    approve_cases(batch.batch_dir, [args.case], "ベンチ", now=datetime.now(UTC))
    workbook = args.work / "in" / f"{args.case}.xlsx"
    record = batch.manifest.find(args.case)
    price = record.figures.price if record and record.figures else 10_000_000

    started = time.perf_counter()
    with WarmBuilder(config) as builder:
        builder.start(warm_up=workbook)
        print(f"warm worker started and warmed in {time.perf_counter() - started:.1f} s")
        totals, cpus = [], []
        for run in range(args.repeat):
            set_price(workbook, price + 100_000 if run % 2 == 0 else price)
            result = builder.rebuild(out, BATCH, args.case)
            build = sum(result.timings.values())
            totals.append(result.seconds)
            cpus.append(result.cpu_seconds)
            stages = " ".join(f"{k} {v:.2f}" for k, v in sorted(result.timings.items(),
                                                                  key=lambda kv: -kv[1]))
            print(f"{run + 1}. {result.state:<16} {result.folder:<18} total {result.seconds:.2f} s"
                  f" = build {build:.2f} s ({stages}) + batch {result.seconds - build:.2f} s;"
                  f" CPU {result.cpu_seconds:.2f} s  load {os.getloadavg()[0]:.1f}")
    print(f"wall: median {statistics.median(totals):.2f} s, best {min(totals):.2f} s; "
          f"CPU (≈ wall on an idle core): median {statistics.median(cpus):.2f} s "
          f"(target {TARGET_SECONDS:.1f} s)")


if __name__ == "__main__":
    main()
