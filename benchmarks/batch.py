"""Benchmark of the month-end batch: N synthetic cases through the real ``ninbai build``.

Usage::

    .venv/bin/python -m benchmarks.batch [--cases 100] [--jobs 2] [--repeat 1] [--keep] [--json]
                                         [--work DIR]

It writes N variant workbooks of the samples (``benchmarks.synth``) into a temporary folder, runs
``ninbai build DIR --out OUT --batch bench --date 2026-11-30 --jobs J`` as a child process while
sampling the memory of its process tree (``benchmarks.memory``), reads the per-case timings of the
batch's manifest.json, then runs the same command again on the unchanged inputs. Around the two
builds it times the yardstick (``benchmarks.reference``): a bare one-page WeasyPrint render. It
prints wall time, PDFs and DOCX per second, worker time per stage, peak memory, the rerun, the
ratio "wall time per PDF / reference render" and the issue's targets. The machine's load average
is printed next to the figures: on a shared 2-core machine they move with it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.memory import Peak, TreeSampler
from benchmarks.reference import time_reference
from benchmarks.synth import write_cases
from pipeline.batch.manifest import PACKET_PREFIX

BATCH_DATE = "2026-11-30"
BATCH_NAME = "bench"
STAGES = ("read", "validate", "attach", "compute", "break_even", "docx", "pdf", "cover", "packet", "write")
#: The scans every synthetic case sends (its 添付 folder): the samples' 価格査定書 PDF and 買付証明書
#: PNG, so that the packets are built as in a real month (docs/performance.md, packets).
SCANS = Path(__file__).resolve().parent.parent / "inputs" / "2026-0142"
MB = 1024 * 1024
#: The issue's targets (benchmark figures, not timed tests).
TARGET_RATIO = 0.7  # wall time per PDF, in reference renders, with --jobs 2
TARGET_1000_SECONDS = 360.0  # 1,000 cases of the sample mix
TARGET_RERUN_SHARE = 0.05  # unchanged rerun / full run
TARGET_PEAK_MB = 600.0
#: An unchanged rerun: about a second plus a millisecond a case (issue 11).
TARGET_RERUN_FIXED_S, TARGET_RERUN_PER_CASE_S = 1.0, 0.001


@dataclass
class BuildRun:
    """One ``ninbai build``: its wall time, exit status, memory and when each case was reported."""

    wall: float
    exit_code: int
    peak: Peak
    case_lines: list[float] = field(default_factory=list)  # seconds since start, per case line
    load_before: tuple[float, ...] = ()
    load_after: tuple[float, ...] = ()
    cpu: float = 0.0  # user + system seconds of ninbai and its workers (robust to others' load)

    def phases(self) -> dict[str, float]:
        """Start → first case reported, the cases, and last case → exit (manifest, views)."""
        if not self.case_lines:
            return {"start": self.wall, "cases": 0.0, "finish": 0.0}
        first, last = self.case_lines[0], self.case_lines[-1]
        return {"start": first, "cases": last - first, "finish": self.wall - last}


#: The sender of the synthetic letters: the samples' fictional office (build needs a company).
OFFICE = Path(__file__).resolve().parent.parent / "inputs" / "ninbai.toml"


def ninbai_command() -> Path:
    """The ``ninbai`` entry point of the interpreter running the benchmark (the project's venv)."""
    return Path(sys.executable).parent / "ninbai"


def run_build(inputs: Path, out: Path, jobs: int, log: Path, config: Path = OFFICE,
              entry: list[str] | None = None) -> BuildRun:
    """Run ``ninbai build`` once; stdout lines starting with ``[`` are its per-case lines.

    ``config``: the office's ninbai.toml (another version's own, when it reads another format);
    ``entry``: another command to run instead of ``ninbai`` (benchmarks.without_packets)."""
    command = [*(entry or [str(ninbai_command())]), "build", str(inputs), "--out", str(out), "--batch",
               BATCH_NAME, "--date", BATCH_DATE, "--jobs", str(jobs), "--config", str(config)]
    load_before, cpu_before = os.getloadavg(), _children_cpu()
    started = time.perf_counter()
    with log.open("a", encoding="utf-8") as err:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True,
                                   encoding="utf-8")
        lines = []
        with TreeSampler(process.pid) as sampler:
            for line in process.stdout:
                if line.startswith("["):
                    lines.append(time.perf_counter() - started)
                err.write(line)
            exit_code = process.wait()
    wall = time.perf_counter() - started
    return BuildRun(wall, exit_code, sampler.peak, lines, load_before, os.getloadavg(),
                    _children_cpu() - cpu_before)


def _children_cpu() -> float:
    """CPU seconds of every waited-for descendant (workers are counted in ninbai's share)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def manifest_figures(batch_dir: Path) -> dict:
    """Counts and per-stage worker seconds from the batch's manifest.json (this run's cases)."""
    data = json.loads((batch_dir / "manifest.json").read_text("utf-8"))
    inputs = data["inputs"]
    built = [r for r in inputs if r["result"] == "built"]
    outputs = [o["path"] for r in built for o in r["outputs"]]
    stages = {s: sum(r["timings"].get(s, 0.0) for r in built) for s in STAGES}
    return {
        "cases": len(inputs), "built": len(built),
        "failed": sum(r["result"] == "failed" for r in inputs),
        "unchanged": sum(r["result"] == "unchanged" for r in inputs),
        # Laid-out PDFs only: a packet (送付書類一式) is assembled from them, not laid out, and
        # counting it would make every per-PDF figure look cheaper than the rendering is.
        "pdf": sum(p.endswith(".pdf") and not _is_packet(p) for p in outputs),
        "packets": sum(p.endswith(".pdf") and _is_packet(p) for p in outputs),
        "docx": sum(p.endswith(".docx") for p in outputs),
        "stages": stages,
    }


def _is_packet(path: str) -> bool:
    return Path(path).name.startswith(PACKET_PREFIX)


def prepare_inputs(inputs: Path, cases: int) -> float:
    """Write the synthetic workbooks unless ``inputs`` already holds that many; seconds taken."""
    started = time.perf_counter()
    existing = sorted(inputs.glob("BENCH-*.xlsx")) if inputs.is_dir() else []
    if len(existing) != cases:
        shutil.rmtree(inputs, ignore_errors=True)
        for workbook in write_cases(inputs, cases):
            add_scans(workbook)
    return time.perf_counter() - started


def add_scans(workbook: Path) -> None:
    """The case's 添付 folder (named after its 案件番号, the file's stem) with the sample scans."""
    folder = workbook.parent / workbook.stem
    folder.mkdir(exist_ok=True)
    for scan in sorted(SCANS.iterdir()):
        shutil.copy(scan, folder / scan.name)


def measure(cases: int, jobs: int, work: Path) -> dict:
    """One benchmark run in ``work``: reference, full build, reference, rerun, reference.

    The reference is timed in three blocks around the builds, so a machine that got faster or
    slower meanwhile shows as a spread between the blocks.
    """
    inputs, out, log = work / "inputs", work / "out", work / "ninbai.log"
    written = prepare_inputs(inputs, cases)
    shutil.rmtree(out, ignore_errors=True)
    references = [time_reference()]
    full = run_build(inputs, out, jobs, log)
    full_figures = manifest_figures(out / BATCH_NAME)
    references.append(time_reference())
    rerun = run_build(inputs, out, jobs, log)
    rerun_figures = manifest_figures(out / BATCH_NAME)
    references.append(time_reference())
    return figures(cases, jobs, written, tuple(references), (full, full_figures),
                   (rerun, rerun_figures))


def figures(cases: int, jobs: int, written: float, references: tuple[dict, ...],
            full: tuple[BuildRun, dict], rerun: tuple[BuildRun, dict]) -> dict:
    """Every figure the report prints, as plain data (also the ``--json`` output)."""
    (run, counts), (again, again_counts) = full, rerun
    reference = statistics.median(s for block in references for s in block["seconds"])
    per_pdf = run.wall / counts["pdf"] if counts["pdf"] else float("nan")
    reference_cpu = statistics.median(s for block in references for s in block["cpu"])
    cpu_per_pdf = run.cpu / counts["pdf"] if counts["pdf"] else float("nan")
    return {
        "cases": cases, "jobs": jobs, "cpus": os.cpu_count(), "inputs_written_s": written,
        "full": {**_run_dict(run), **counts,
                 "pdf_per_s": counts["pdf"] / run.wall, "docx_per_s": counts["docx"] / run.wall},
        "rerun": {**_run_dict(again), **{k: again_counts[k] for k in ("built", "unchanged")},
                  "share_of_full": again.wall / run.wall,
                  "per_case_ms": again.wall / cases * 1000},
        "reference": {"median_s": reference, "cpu_median_s": reference_cpu,
                      "block_medians_s": [block["median"] for block in references],
                      "renders": sum(len(block["seconds"]) for block in references),
                      "pages": references[0]["pages"]},
        "wall_per_pdf_s": per_pdf,
        "ratio": per_pdf / reference,
        "cpu_per_pdf_s": cpu_per_pdf,
        # What the ratio would be with the cores to ourselves and perfect parallelism.
        "cpu_ratio": cpu_per_pdf / min(jobs, os.cpu_count() or 1) / reference_cpu,
        "projected_1000_s": run.wall / cases * 1000,
        # The two time targets meet only on a fast enough machine: at this run's ratio and mix,
        # 1,000 cases take ≤ 6 minutes when a reference render takes at most this long.
        "reference_for_6_min_s": (TARGET_1000_SECONDS / (per_pdf / reference)
                                  / (counts["pdf"] / cases * 1000)) if counts["pdf"] else float("nan"),
    }


def _run_dict(run: BuildRun) -> dict:
    data = asdict(run)
    data["peak"] = {k: (v / MB if k.endswith(("sum", "one")) else v)
                    for k, v in data["peak"].items()}  # bytes → MB
    data["phases"] = run.phases()
    data.pop("case_lines")
    return data


def targets(result: dict) -> list[tuple[str, str, bool | None]]:
    """(target, figure, met) for the issue's four targets; None where this run cannot tell."""
    full, rerun = result["full"], result["rerun"]
    at_1000 = result["cases"] >= 1000
    seconds = full["wall"] if at_1000 else result["projected_1000_s"]
    return [
        (f"パイプライン/PDF ≤ {TARGET_RATIO} 基準描画 (--jobs 2)", f"{result['ratio']:.2f}",
         result["ratio"] <= TARGET_RATIO if result["jobs"] == 2 else None),
        ("1,000件 ≤ 6分", f"{seconds / 60:.1f}分" + ("" if at_1000 else "（推定）"),
         seconds <= TARGET_1000_SECONDS if at_1000 else None),
        ("変更なし再実行 < 5%", f"{rerun['share_of_full'] * 100:.1f}%",
         rerun["share_of_full"] < TARGET_RERUN_SHARE),
        (f"ピークメモリ ≤ {TARGET_PEAK_MB:.0f} MB", f"{full['peak']['rss_sum']:.0f} MB",
         full["peak"]["rss_sum"] <= TARGET_PEAK_MB),
        ("変更なし再実行 ≈ 1秒 + 1ms/件", f"{rerun['wall']:.2f}秒",
         rerun["wall"] <= TARGET_RERUN_FIXED_S + TARGET_RERUN_PER_CASE_S * result["cases"]),
    ]


def report_lines(result: dict) -> list[str]:
    """The human-readable report."""
    full = result["full"]
    head = (f"ninbai build ベンチマーク: {result['cases']}件, --jobs {result['jobs']}, "
            f"CPU {result['cpus']}, 入力作成 {result['inputs_written_s']:.1f}秒（計測外）")
    marks = {True: "達成", False: "未達", None: "－"}
    return [head, "", *build_lines(full), "", *stage_lines(full), "", *other_lines(result), "",
            "目標:", *(f"  {marks[met]:<3} {name:<36} {value}"
                       for name, value, met in targets(result))]


def build_lines(full: dict) -> list[str]:
    """The full build: wall time, counts, throughput and its phases."""
    per_case = full["pdf"] / max(full["built"], 1)
    return [
        f"全件作成   {full['wall']:8.1f}秒  {_load(full)}  終了コード {full['exit_code']}",
        (f"  作成 {full['built']}件  失敗 {full['failed']}件  PDF {full['pdf']}  "
         f"DOCX {full['docx']}  ({per_case:.2f} PDF/件)  送付書類一式 {full.get('packets', 0)}"),
        f"  PDF {full['pdf_per_s']:.2f}/秒  DOCX {full['docx_per_s']:.2f}/秒",
        ("  区間: 起動〜最初の案件 {start:.1f}秒 / 案件 {cases:.1f}秒 / "
         "最後の案件〜終了（manifest・summary・review）{finish:.1f}秒").format(**full["phases"]),
    ]


def other_lines(result: dict) -> list[str]:
    """Memory, the unchanged rerun, the reference render and the ratio."""
    full, rerun, ref = result["full"], result["rerun"], result["reference"]
    return [
        ("ピークメモリ（全プロセス） RSS合計 {rss_sum:.0f} MB  PSS合計 {pss_sum:.0f} MB  "
         "最大1プロセス {rss_one:.0f} MB  プロセス数 {processes}").format(**full["peak"]),
        (f"変更なし再実行 {rerun['wall']:6.2f}秒（{rerun['per_case_ms']:.2f} ms/件）"
         f" = 全件の {rerun['share_of_full'] * 100:.1f}%  "
         f"（変更なし {rerun['unchanged']}件, 作成 {rerun['built']}件）  {_load(rerun)}"),
        (f"基準描画（A4 1ページ・25行の表, {ref['pages']}ページ）中央値 "
         f"{ref['median_s'] * 1000:.0f} ms（{ref['renders']}回; 前・間・後の中央値 "
         + " / ".join(f"{m * 1000:.0f}" for m in ref["block_medians_s"]) + " ms）"),
        (f"PDF 1件あたりの所要時間 {result['wall_per_pdf_s'] * 1000:.0f} ms = 基準描画の "
         f"{result['ratio']:.2f} 倍"),
        (f"マシンの速さ: この比で1,000件が6分に収まるのは基準描画が "
         f"{result['reference_for_6_min_s'] * 1000:.0f} ms 以下のとき（今回 "
         f"{ref['median_s'] * 1000:.0f} ms）"),
        (f"CPU時間: 全件 {full['cpu']:.0f}秒, PDF 1件あたり {result['cpu_per_pdf_s'] * 1000:.0f} ms"
         f"（基準描画 {ref['cpu_median_s'] * 1000:.0f} ms）→ CPU時間での比 {result['cpu_ratio']:.2f}"
         "（他の負荷を除いた目安）"),
    ]


def stage_lines(full: dict) -> list[str]:
    """Worker seconds per stage, their share, and per document (docx per DOCX, others per PDF)."""
    stages = full["stages"]
    total = sum(stages.values()) or 1.0
    lines = ["  工程        作業秒   割合   1書類あたり"]
    for stage in STAGES:
        per = full["docx"] if stage == "docx" else full["pdf"]
        per_doc = stages[stage] / per * 1000 if per else 0.0
        lines.append(f"  {stage:<10} {stages[stage]:8.1f} {stages[stage] / total * 100:5.1f}%"
                     f" {per_doc:8.1f} ms")
    lines.append(f"  合計       {total:8.1f}   （ワーカー内の時間の和。案件の外の時間は上の区間）")
    return lines


#: Figures quoted as medians over ``--repeat`` runs: (label, path into a run's figures, format).
MEDIANS = (
    ("全件作成（秒）", ("full", "wall"), "{:.1f}"),
    ("PDF/秒", ("full", "pdf_per_s"), "{:.2f}"),
    ("基準描画（ms）", ("reference", "median_s"), "{:.3f}"),
    ("PDF 1件あたり / 基準描画", ("ratio",), "{:.2f}"),
    ("CPU時間での比", ("cpu_ratio",), "{:.2f}"),
    ("変更なし再実行 / 全件", ("rerun", "share_of_full"), "{:.3f}"),
    ("ピークメモリ RSS合計（MB）", ("full", "peak", "rss_sum"), "{:.0f}"),
    ("1,000件の推定（秒）", ("projected_1000_s",), "{:.0f}"),
    ("6分に収まる基準描画（ms）", ("reference_for_6_min_s",), "{:.3f}"),
)


def median_result(results: list[dict]) -> dict:
    """The last run's figures with each figure of ``MEDIANS`` replaced by its median over runs."""
    merged = json.loads(json.dumps(results[-1]))  # a deep copy of plain data
    for _, path, _ in MEDIANS:
        *parents, leaf = path
        target = merged
        for key in parents:
            target = target[key]
        target[leaf] = statistics.median(_dig(r, path) for r in results)
    merged["runs"] = len(results)
    return merged


def _dig(data: dict, path: tuple[str, ...]) -> float:
    for key in path:
        data = data[key]
    return data


def median_lines(results: list[dict]) -> list[str]:
    """The closing block of a ``--repeat`` benchmark: each figure per run, its median, targets."""
    merged = median_result(results)
    lines = [f"{len(results)}回の中央値（各回の値）:"]
    for label, path, form in MEDIANS:
        values = " ".join(form.format(_dig(r, path)) for r in results)
        lines.append(f"  {label:<24} {form.format(_dig(merged, path)):>8}   ({values})")
    marks = {True: "達成", False: "未達", None: "－"}
    return lines + ["目標（中央値で）:"] + [f"  {marks[met]:<3} {name:<36} {value}"
                                        for name, value, met in targets(merged)]


def _load(run: dict) -> str:
    before, after = run["load_before"], run["load_after"]
    return f"load {before[0]:.2f}→{after[0]:.2f}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.batch",
        description="ninbai build のベンチマーク（合成案件N件、全件作成と変更なし再実行、基準描画との比）",
        epilog="例: .venv/bin/python -m benchmarks.batch --cases 100 --jobs 2")
    parser.add_argument("--cases", type=int, default=100, help="合成案件の数（既定 100）")
    parser.add_argument("--jobs", type=int, default=2, help="ninbai build --jobs（既定 2）")
    parser.add_argument("--keep", action="store_true", help="作業フォルダを残す")
    parser.add_argument("--json", action="store_true", help="結果をJSONで出力する")
    parser.add_argument("--repeat", type=int, default=1,
                        help="同じ入力で繰り返す回数（既定 1）。2回以上なら中央値も出す")
    parser.add_argument("--work", type=Path,
                        help="作業フォルダ（既定: 一時フォルダ）。同じ件数の入力があれば再利用する")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if min(args.cases, args.jobs, args.repeat) < 1:
        print("--cases, --jobs, --repeat は1以上にしてください", file=sys.stderr)
        return 2
    work = args.work or Path(tempfile.mkdtemp(prefix="ninbai-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for _ in range(args.repeat):
            results.append(measure(args.cases, args.jobs, work))
            if not args.json:
                print("\n".join(report_lines(results[-1])) + "\n", flush=True)
    finally:
        if not (args.keep or args.work):
            shutil.rmtree(work, ignore_errors=True)
    _print_end(args, results, work)
    ok = all(r["full"]["exit_code"] == 0 and r["full"]["failed"] == 0 for r in results)
    return 0 if ok else 1


def _print_end(args: argparse.Namespace, results: list[dict], work: Path) -> None:
    """JSON of the run(s), or the medians of several runs; where the work folder is."""
    if args.json:
        data = results[0] if len(results) == 1 else \
            {"runs": results, "median": median_result(results)}
        print(json.dumps(data, ensure_ascii=False, indent=2), flush=True)
    elif len(results) > 1:
        print("\n".join(median_lines(results)), flush=True)
    if args.keep or args.work:
        print(f"作業フォルダ: {work}（ログ: {work / 'ninbai.log'}）", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
