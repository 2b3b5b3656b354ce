"""What the packets cost: the same batch built by several versions of the pipeline, interleaved.

Usage::

    .venv/bin/python -m benchmarks.packets --variant without=@without-packets --variant with= \\
        [--cases 30] [--jobs 2] [--rounds 3] [--work DIR] [--json]

Issue 14: the batch with packets may cost at most 10% more CPU than the same batch without
them. Nothing in the pipeline turns the packets off (a month without 送付状 is not a thing staff
can ask for), so "without" is either

- ``without=@without-packets``: today's code with the packet stage taken out
  (benchmarks.without_packets): the fair comparison, the same letters and features; or
- ``old=/tmp/old``: a tree of the pipeline before packets existed (``git archive d0cdf88 | tar
  -x -C /tmp/old``; it ignores the 添付 folders), run with that tree first on ``PYTHONPATH``. It
  also lacks everything built since, which then counts against the packets.

``with=`` (empty) is the installed tree. Any number of variants can be compared (e.g. the tree
before a speed change as well).

The N synthetic cases of ``benchmarks.batch`` (each with the two sample scans in its 添付 folder)
are written once; then every round builds them from scratch once per variant, the order of the
variants rotating from round to round so that a machine that speeds up or slows down during the
run does not favour one. Each build is the real ``ninbai build --jobs J`` as a child process; its
CPU time is user + system of the whole process tree (the batch, its workers and their checking
children: every process is waited for by its parent, so ``RUSAGE_CHILDREN`` holds them all). CPU
time is the figure to compare on a shared machine: the wall time moves with the neighbours.

Printed per variant: the median CPU and wall time and their range over the rounds, the worker
seconds per stage (attach, cover, packet …, from manifest.json), and against the first variant:
the ratio of the medians and the median (and range) of the ratios within each round.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.batch import OFFICE, STAGES, manifest_figures, prepare_inputs, run_build

#: The issue's bound: the batch with packets costs at most this much more than without.
TARGET_EXTRA = 0.10
#: The variant "tree" that means today's code without the packet stage.
WITHOUT_PACKETS = "@without-packets"
#: The repository: on ``PYTHONPATH`` for benchmarks.without_packets.
REPO = Path(__file__).resolve().parent.parent


def build_with(tree: str, inputs: Path, out: Path, jobs: int, log: Path) -> dict:
    """One full build by the pipeline in ``tree`` ("" = the installed one, ``WITHOUT_PACKETS`` =
    the installed one with the packet stage taken out)."""
    saved = os.environ.get("PYTHONPATH")
    entry = None
    if tree == WITHOUT_PACKETS:
        tree, entry = str(REPO), [sys.executable, "-m", "benchmarks.without_packets"]
    if tree:
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (tree, saved)))
    try:
        shutil.rmtree(out, ignore_errors=True)
        own = Path(tree) / "inputs" / "ninbai.toml"  # its own office file: the format changes
        run = run_build(inputs, out, jobs, log, own if tree and own.is_file() else OFFICE, entry)
    finally:
        if saved is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = saved
    counts = manifest_figures(out / "bench")
    return {"cpu": run.cpu, "wall": run.wall, "exit_code": run.exit_code,
            "load": [run.load_before[0], run.load_after[0]], "pdf": counts["pdf"],
            "built": counts["built"], "failed": counts["failed"], "stages": counts["stages"]}


def compare(variants: list[tuple[str, str]], cases: int, jobs: int, rounds: int, work: Path
            ) -> dict:
    """Every variant built ``rounds`` times, interleaved; the runs and their summary."""
    inputs, log = work / "inputs", work / "ninbai.log"
    prepare_inputs(inputs, cases)
    runs: dict[str, list[dict]] = {name: [] for name, _ in variants}
    for n in range(rounds):
        order = variants[n % len(variants):] + variants[:n % len(variants)]
        for name, tree in order:
            runs[name].append(build_with(tree, inputs, work / f"out-{name}", jobs, log))
            print(f"  第{n + 1}回 {name:<10} CPU {runs[name][-1]['cpu']:6.1f}秒  "
                  f"経過 {runs[name][-1]['wall']:6.1f}秒  load {runs[name][-1]['load'][1]:.1f}",
                  flush=True)
    return {"cases": cases, "jobs": jobs, "rounds": rounds, "runs": runs,
            "summary": summary(variants, runs)}


def summary(variants: list[tuple[str, str]], runs: dict[str, list[dict]]) -> dict:
    """Medians and ranges per variant, and each against the first variant."""
    base = variants[0][0]
    out = {}
    for name, _ in variants:
        cpu = [r["cpu"] for r in runs[name]]
        paired = [r["cpu"] / b["cpu"] for r, b in zip(runs[name], runs[base], strict=True)]
        out[name] = {
            "cpu_median": statistics.median(cpu), "cpu_range": [min(cpu), max(cpu)],
            "wall_median": statistics.median(r["wall"] for r in runs[name]),
            "pdf": runs[name][0]["pdf"], "failed": max(r["failed"] for r in runs[name]),
            "stages": {s: statistics.median(r["stages"][s] for r in runs[name]) for s in STAGES},
            "vs_first": statistics.median(cpu) / statistics.median(r["cpu"] for r in runs[base]),
            "paired_median": statistics.median(paired), "paired_range": [min(paired), max(paired)],
        }
    return out


def report_lines(result: dict) -> list[str]:
    lines = [(f"送付書類一式のコスト: {result['cases']}件, --jobs {result['jobs']}, "
             f"{result['rounds']}回（交互）"), ""]
    for name, s in result["summary"].items():
        stages = ", ".join(f"{k} {v:.1f}" for k, v in s["stages"].items() if v)
        lines += [(f"{name:<10} CPU 中央値 {s['cpu_median']:6.1f}秒（{s['cpu_range'][0]:.1f}〜"
                  f"{s['cpu_range'][1]:.1f}）  経過 中央値 {s['wall_median']:6.1f}秒  "
                  f"PDF {s['pdf']}  失敗 {s['failed']}"),
                  (f"{'':<10} 最初の版に対して: 中央値の比 {s['vs_first']:.3f}、回ごとの比の中央値 "
                  f"{s['paired_median']:.3f}（{s['paired_range'][0]:.3f}〜{s['paired_range'][1]:.3f}）"),
                  f"{'':<10} 段階ごとの秒（ワーカー）: {stages}"]
        if name != next(iter(result["summary"])):
            met = "達成" if s["vs_first"] <= 1 + TARGET_EXTRA else "未達"
            lines.append(f"{'':<10} 目標 ≤ +{TARGET_EXTRA:.0%}: {met}"
                         f"（+{(s['vs_first'] - 1) * 100:.1f}%）")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="送付書類一式あり・なしの一括作成のCPU時間を比べる")
    parser.add_argument("--variant", action="append", required=True,
                        help="名前=パイプラインのフォルダ（空ならインストール済みのもの）。最初が基準")
    parser.add_argument("--cases", type=int, default=30, help="合成案件の数（既定 30）")
    parser.add_argument("--jobs", type=int, default=2, help="ninbai build --jobs（既定 2）")
    parser.add_argument("--rounds", type=int, default=3, help="交互に作成する回数（既定 3）")
    parser.add_argument("--work", type=Path, help="作業フォルダ（入力を次回も使う）")
    parser.add_argument("--json", action="store_true", help="結果をJSONで出力する")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    variants = [tuple(v.split("=", 1)) for v in args.variant]
    if any(len(v) != 2 for v in variants):
        raise SystemExit("--variant は 名前=フォルダ の形で指定してください")
    work = (args.work or Path(tempfile.mkdtemp(prefix="ninbai-packets-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    # the builds run there: a version whose checking child starts with ``python -m`` would
    # otherwise import the pipeline of the folder the benchmark was started from
    os.chdir(work)
    result = compare([(n, t) for n, t in variants], args.cases, args.jobs, args.rounds, work)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json
          else "\n".join(report_lines(result)))


if __name__ == "__main__":
    main()
