"""Benchmark of the unchanged rerun alone: ``ninbai build`` over N cases that are all unchanged.

Usage::

    .venv/bin/python -m benchmarks.rerun --cases 1000 --work DIR [--seed 20] [--repeat 5] [--jobs 2]

The full benchmark (``benchmarks.batch``) builds N cases and then reruns them; at N = 1,000 the
build takes ≈6 minutes of two free cores. When the machine is busier than that allows, this
assembles the same batch from a few real builds: it writes the N synthetic workbooks
(``benchmarks.synth``), really builds the first ``--seed`` of them with ``ninbai build``, and gives
every other input a case folder holding byte copies of one of those real cases (the PDFs, Word
files and case.json, ≈0.8 MB a case) and a manifest record naming its own workbook and sha256. To
the rerun this is a built batch of N cases: it hashes every input and every output file exactly
as after a real build. Then it times ``ninbai build`` over the N inputs ``--repeat`` times
(every case must come back ``unchanged``) and checks, with ``python -X importtime``, that the
rerun imported neither WeasyPrint nor docxtpl.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.batch import BATCH_DATE, BATCH_NAME, OFFICE, prepare_inputs
from pipeline.attach.intake import file_stamp as scan_stamp
from pipeline.batch.manifest import file_stamp

CLI = "import sys; from pipeline.cli import main; main(sys.argv[1:], prog_name='ninbai')"
RENDERERS = ("weasyprint", "docxtpl")
#: The issue's goal for an unchanged rerun: about a second plus a millisecond a case.
GOAL_FIXED_S, GOAL_PER_CASE_S = 1.0, 0.001


def build(inputs: list[Path], out: Path, jobs: int, *python_flags: str) -> subprocess.CompletedProcess:
    """``ninbai build`` in the work folder, with the samples' fictional office as the sender."""
    command = [sys.executable, *python_flags, "-c", CLI, "build", *map(str, inputs), "--out",
               str(out), "--batch", BATCH_NAME, "--date", BATCH_DATE, "--jobs", str(jobs),
               "--config", str(OFFICE)]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False,
                          cwd=out.parent)


def sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def assemble(inputs: list[Path], out: Path, seed: int, jobs: int) -> int:
    """A built batch of every input: ``seed`` real builds, the others copies of them.

    Returns how many cases were really built (0 when the batch was already complete).
    """
    batch_dir = out / BATCH_NAME
    manifest_path = batch_dir / "manifest.json"
    known = _records(manifest_path)
    if len(known) >= len(inputs) and all("stamp" in o for r in known.values() for o in r["outputs"]):
        return 0
    if len(known) < seed:
        result = build(inputs[:seed], out, jobs)
        if result.returncode != 0:
            raise SystemExit(f"ninbai build failed:\n{result.stdout}\n{result.stderr}")
        known = _records(manifest_path)
    data = {**json.loads(manifest_path.read_text("utf-8")), **current_key()}
    real = [r for r in data["inputs"] if r["folder"]]
    for index, source in enumerate(p for p in inputs if str(p.resolve()) not in known):
        data["inputs"].append(_copied_record(batch_dir, real[index % len(real)], source))
    for record in data["inputs"]:  # each file's stamp, as the build records it when it writes
        record["outputs"] = [{**o, "stamp": file_stamp(batch_dir / o["path"])}
                             for o in record["outputs"]]
    data["inputs"].sort(key=lambda r: r["path"])
    manifest_path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return len(real)


def current_key() -> dict[str, str]:
    """The build key a rerun in the work folder computes (versions, OFFICE, templates, date).

    An assembled batch carries it, so its cases count as unchanged even when the seed cases
    were built elsewhere (the rerun compares the key and the files' sha256, not their content).
    """
    from dataclasses import asdict
    from datetime import date

    from pipeline.batch import build_key
    from pipeline.config import load_config

    return asdict(build_key(date.fromisoformat(BATCH_DATE), load_config(OFFICE)))


def _records(manifest_path: Path) -> dict[str, dict]:
    if not manifest_path.is_file():
        return {}
    return {r["path"]: r for r in json.loads(manifest_path.read_text("utf-8"))["inputs"]}


def _copied_record(batch_dir: Path, model: dict, source: Path) -> dict:
    """The record of ``source`` (case id = its file stem, as benchmarks.synth names them), with
    the files of ``model`` copied into its own case folder."""
    case_id, old = source.stem, model["folder"]
    folder = batch_dir / case_id
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    outputs = []
    for output in model["outputs"]:
        name = Path(output["path"]).name
        shutil.copyfile(batch_dir / output["path"], folder / name)
        outputs.append({"path": f"{case_id}/{name}", "sha256": output["sha256"]})  # stamped later
    documents = [{**d, "docx": d["docx"].replace(old, case_id, 1),
                  "pdf": d["pdf"].replace(old, case_id, 1)} for d in model["documents"]]
    packets = [{**p, "pdf": p["pdf"].replace(old, case_id, 1)} for p in model.get("packets", [])]
    # its own scans (the same bytes as the model's, so the same fingerprint), stamped as a build
    # of it would have stamped them
    scans = source.parent / case_id
    stamps = {name: list(scan_stamp(os.stat(scans / name)))
              for name in model.get("attachment_stamps", {})}
    return {**model, "path": str(source.resolve()), "sha256": sha256(source),
            "size": source.stat().st_size, "case_id": case_id, "folder": case_id,
            "outputs": outputs, "documents": documents, "packets": packets,
            "attachment_stamps": stamps}


def time_reruns(inputs_dir: Path, out: Path, jobs: int, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each rerun (CPU: robust to a busy machine); all must be unchanged."""
    seconds, cpu = [], []
    for _ in range(repeat):
        started, cpu_before = time.perf_counter(), _children_cpu()
        result = build([inputs_dir], out, jobs)
        seconds.append(time.perf_counter() - started)
        cpu.append(_children_cpu() - cpu_before)
        unchanged = json.loads((out / BATCH_NAME / "manifest.json").read_text("utf-8"))["inputs"]
        if result.returncode != 0 or any(r["result"] != "unchanged" for r in unchanged):
            raise SystemExit(f"the rerun rebuilt cases:\n{result.stdout[-2000:]}\n{result.stderr}")
    return seconds, cpu


def _children_cpu() -> float:
    from benchmarks.batch import _children_cpu as cpu

    return cpu()


def renderers_imported(inputs_dir: Path, out: Path, jobs: int) -> list[str]:
    """The renderer packages an unchanged rerun imported (``-X importtime`` lists every import)."""
    result = build([inputs_dir], out, jobs, "-X", "importtime")
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")}
    return [name for name in RENDERERS if name in imported]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rerun",
                                     description="変更なし再実行だけのベンチマーク（N件の作成済みバッチ）")
    parser.add_argument("--cases", type=int, default=1000, help="案件数（既定 1000）")
    parser.add_argument("--work", type=Path, required=True, help="作業フォルダ（入力と出力を残す）")
    parser.add_argument("--seed", type=int, default=20, help="実際に作成する案件数（既定 20）")
    parser.add_argument("--jobs", type=int, default=2, help="ninbai build --jobs（既定 2）")
    parser.add_argument("--repeat", type=int, default=5, help="再実行の回数（既定 5）")
    args = parser.parse_args(argv)
    inputs_dir, out = args.work / "inputs", args.work / "out"
    prepare_inputs(inputs_dir, args.cases)
    inputs = sorted(inputs_dir.glob("BENCH-*.xlsx"))
    built = assemble(inputs, out, args.seed, args.jobs)
    load = os.getloadavg()
    seconds, cpu = time_reruns(inputs_dir, out, args.jobs, args.repeat)
    median = statistics.median(seconds)
    goal = GOAL_FIXED_S + GOAL_PER_CASE_S * args.cases
    renderers = renderers_imported(inputs_dir, out, args.jobs)
    print(f"変更なし再実行: {args.cases}件" + (f"（実作成 {built}件、他はその複製）" if built else ""))
    print(f"  各回 {' / '.join(f'{s:.2f}' for s in seconds)} 秒、中央値 {median:.2f} 秒 = "
          f"{median / args.cases * 1000:.2f} ms/件  (load {load[0]:.2f}→{os.getloadavg()[0]:.2f})")
    print(f"  CPU時間 中央値 {statistics.median(cpu):.2f} 秒（各回 "
          f"{' / '.join(f'{c:.2f}' for c in cpu)}）= 空いたマシンでの所要時間の目安")
    print(f"  目安 1秒 + 1ms/件 = {goal:.1f} 秒: {'達成' if median <= goal else '未達'}")
    print(f"  描画ライブラリの読み込み: {', '.join(renderers) if renderers else 'なし'}")
    return 0 if not renderers else 1


if __name__ == "__main__":
    sys.exit(main())
