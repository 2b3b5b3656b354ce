"""How a case's cost grows with its creditors: one case with N liens, timed for several N.

Usage::

    .venv/bin/python -m benchmarks.creditors --creditors 10 20 40 [--repeat K] [--json]

Each N is one synthetic case (``many_creditors``): sample 2026-0142 (マンション, sale price
14,000,000 yen) with N 抵当権 of N different lenders, 順位 1…N. Every lender gets a 同意申請書
(01) and, with debt left after the sale, a 申出書 (03): about 2N + 1 documents, each of which
lists the whole 配分案 or 返済計画 (N rows). The case is built as a worker builds it
(``build_case`` with a warm ``Renderer``, nothing written); the time per case is the median of
``--repeat`` builds, with its CPU time beside it (the process's own, which a busy shared
machine changes less than the wall time). The target (issue 12 item 15): the case of 40 creditors takes at most 5×
the time of the case of 10 (linear would be 4× plus the fixed part).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from benchmarks.synth import load_samples_module

#: The target of issue 12 item 15: time(40 creditors) ≤ 5 × time(10 creditors).
TARGET_RATIO = 5.0
_PLACES = ("東都", "北斗", "さくら野", "みなと川", "あおば台", "ひかり", "かえで", "しらかば",
           "いずみ野", "はやぶさ", "こだま", "つばさ", "にじいろ", "ほしぞら", "わかば", "みずほ野",
           "あさひ", "ひばり", "もみじ", "すずらん")
_KINDS = ("銀行", "信用金庫", "信用組合", "信用保証株式会社", "債権回収株式会社", "ファイナンス株式会社",
          "リース株式会社", "保証協会", "農業協同組合", "労働金庫")


def lender_names(count: int) -> list[str]:
    """``count`` distinct lender names (up to 200): 東都銀行, 北斗銀行, … 東都信用金庫, …"""
    names = [place + kind for kind, place in itertools.product(_KINDS, _PLACES)]
    if count > len(names):
        raise ValueError(f"{len(names)}社までです")
    return names[:count]


def many_creditors(count: int):
    """Sample 2026-0142 with ``count`` 抵当権 of ``count`` lenders (順位 1…count); a ``Sample``.

    The 順位1 lender is the sample's own (claim ≈20 million yen, more than the sale brings), so
    the later liens receive their ハンコ代 only and keep debt: each gets a 申出書 as well.
    """
    samples = load_samples_module()
    base = samples.sample_0142()
    first = base.creditors[0]
    liens = [first] + [
        {"順位": rank, "債権者名": name, "担保種別": "抵当権" if rank % 3 else "根抵当権",
         "元金残高": 1_000_000 + 100_000 * (rank % 17), "プロファイル": "standard",
         "部署": "債権管理部", "住所": f"東京都港区芝九丁目{rank}番9号"}
        for rank, name in enumerate(lender_names(count)[1:], start=2)]
    case = {**base.case, "案件番号": f"CRED-{count:04d}"}
    return replace(base, case=case, creditors=tuple(liens))


def write_case(out_dir: Path, count: int) -> Path:
    samples = load_samples_module()
    path = out_dir / f"CRED-{count:04d}.xlsx"
    samples.build_workbook(many_creditors(count)).save(path)
    return path


def time_case(path: Path, renderer, config, repeat: int) -> dict:
    """Median seconds of ``repeat`` builds of one case, and what it made."""
    from pipeline.batch.casebuild import build_case

    seconds, cpu, outcome = [], [], None
    for _ in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        outcome = build_case(path, config, date(2026, 11, 30), renderer)
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        if outcome.status == "error":
            raise SystemExit(f"{path.name}: 失敗 {[str(i) for i in outcome.issues]}")
    pdfs = sum(name.endswith(".pdf") for name in outcome.files)
    return {"seconds": statistics.median(seconds), "cpu": statistics.median(cpu),
            "runs": seconds, "pdfs": pdfs,
            "stages": dict(outcome.timings)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.creditors",
                                     description="債権者数に対する1案件の処理時間を計測する")
    parser.add_argument("--creditors", type=int, nargs="+", default=[10, 20, 40])
    parser.add_argument("--repeat", type=int, default=1, help="各件数の計測回数（中央値）")
    parser.add_argument("--json", action="store_true", help="結果をJSONで出力する")
    args = parser.parse_args(argv)
    from pipeline.batch import warm_renderer
    from pipeline.config import load_config

    renderer, config = warm_renderer(), load_config()
    results: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="ninbai-creditors-") as work:
        time_case(write_case(Path(work), 2), renderer, config, 1)  # warm: fonts, templates
        for count in args.creditors:
            results[count] = time_case(write_case(Path(work), count), renderer, config,
                                       args.repeat)
            if not args.json:
                r = results[count]
                stages = ", ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())
                print(f"債権者 {count:>3}社: {r['seconds']:7.1f}秒 CPU {r['cpu']:6.1f}秒"
                      f"（PDF {r['pdfs']}件, 1件 {r['seconds'] / r['pdfs'] * 1000:.0f} ms; "
                      f"{stages}）", flush=True)
    ratio, cpu_ratio = _ratio(results, "seconds"), _ratio(results, "cpu")
    if args.json:
        print(json.dumps({"cases": results, "ratio_40_10": ratio, "cpu_ratio_40_10": cpu_ratio,
                          "target": TARGET_RATIO, "load": os.getloadavg()},
                         ensure_ascii=False, indent=2))
    elif ratio is not None and cpu_ratio is not None:
        verdict = "達成" if ratio <= TARGET_RATIO else "未達"
        print(f"40社/10社: {ratio:.2f}倍（目標 {TARGET_RATIO:g}倍以下）… {verdict}"
              f"　CPU時間では {cpu_ratio:.2f}倍　負荷 {os.getloadavg()[0]:.1f}")


def _ratio(results: dict[int, dict], key: str) -> float | None:
    """time(40) / time(10) of ``key`` (wall ``seconds`` or ``cpu``), when both were measured."""
    if 10 in results and 40 in results:
        return results[40][key] / results[10][key]
    return None


if __name__ == "__main__":
    main()
