"""Cost of `ninbai serve`'s batch page and case page on a built batch (docs/performance.md,
"Serving a month-end batch").

Usage::

    .venv/bin/python -m benchmarks.serve_pages OUT_DIR BATCH [--case CASE_ID] [--repeat 10]
                                               [--cold] [--json]

Requests ``/b/BATCH/`` and ``/b/BATCH/c/CASE_ID/`` through Flask's test client (the whole
request: the records read, the approvals checked, the page drawn; no network), once to warm up,
then ``--repeat`` times each, and prints the median and the files read and hashed
(``sha256_file``) per request. ``--cold`` also requests each page once after dropping the page
cache (``echo 3 > /proc/sys/vm/drop_caches``, root only: without it the report says so). The
case defaults to the batch's first case with documents. To get a month-end batch: build
``benchmarks.batch``'s synthetic workbooks (``prepare_inputs``) with ``ninbai build`` and
approve every case (``ninbai approve OUT/BATCH ID… --by 測定 --override 測定``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import pipeline.batch.manifest as manifest_module
from pipeline.batch.manifest import load_approvals, read_manifest

DROP_CACHES = Path("/proc/sys/vm/drop_caches")


@dataclass
class PageCost:
    """One page: the median time of a request, and what one request hashed."""

    url: str
    median_ms: float
    runs: int
    hashed_files: int
    hashed_mb: float
    cold_ms: float | None = None  # one request after the page cache was dropped


@contextmanager
def counting_hashes() -> Iterator[list[Path]]:
    """Every file ``sha256_file`` reads meanwhile (approval_holds calls it in manifest.py)."""
    seen: list[Path] = []
    real = manifest_module.sha256_file

    def counted(path: Path) -> str:
        seen.append(Path(path))
        return real(path)

    manifest_module.sha256_file = counted
    try:
        yield seen
    finally:
        manifest_module.sha256_file = real


def drop_caches() -> bool:
    """Empty the kernel's page cache (after a sync); False when not allowed (not root)."""
    try:
        os.sync()
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def time_page(get: Callable[[str], int], url: str, repeat: int, cold: bool) -> PageCost:
    """Median of ``repeat`` requests of ``url`` after one warm-up; then the cold one if asked."""
    with counting_hashes() as seen:
        _request(get, url)
    hashed_mb = sum(p.stat().st_size for p in seen) / 2**20
    times = [_request(get, url) for _ in range(repeat)]
    cold_ms = _request(get, url) if cold and drop_caches() else None
    return PageCost(url, statistics.median(times), repeat, len(seen), round(hashed_mb, 2),
                    cold_ms)


def _request(get: Callable[[str], int], url: str) -> float:
    started = time.perf_counter()
    status = get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 200:
        raise SystemExit(f"{url}: HTTP {status}")
    return elapsed


def first_case(out_dir: Path, batch: str) -> str:
    manifest = read_manifest(out_dir / batch)
    if manifest is None:
        raise SystemExit(f"{out_dir / batch}: manifest.json がありません")
    return next(r.case_id for r in manifest.inputs if r.case_id and r.folder)


def measure(out_dir: Path, batch: str, case_id: str | None = None, repeat: int = 10,
            cold: bool = False) -> dict:
    """Both pages of ``batch`` timed; with the batch's size and approvals for the report."""
    from pipeline.serve.app import ServeSettings, create_app

    client = create_app(ServeSettings(out_dir, users={})).test_client()

    def get(url: str) -> int:
        return client.get(url).status_code

    case_id = case_id or first_case(out_dir, batch)
    manifest = read_manifest(out_dir / batch)
    pages = [time_page(get, f"/b/{batch}/", repeat, cold),
             time_page(get, f"/b/{batch}/c/{case_id}/", repeat, cold)]
    return {"cases": len(manifest.inputs) if manifest else 0,
            "approvals": len(load_approvals(out_dir / batch)),
            "cold_allowed": (not cold) or all(p.cold_ms is not None for p in pages),
            "pages": [asdict(p) for p in pages]}


def report_lines(result: dict) -> list[str]:
    lines = [f"{result['cases']} cases, {result['approvals']} approvals"]
    for page in result["pages"]:
        cold = "" if page["cold_ms"] is None else f", cold cache {page['cold_ms']:.0f} ms"
        lines.append(f"{page['url']}: median {page['median_ms']:.1f} ms of {page['runs']}{cold}; "
                     f"{page['hashed_files']} files hashed ({page['hashed_mb']:.1f} MB) a request")
    if not result["cold_allowed"]:
        lines.append("cold cache: not measured (dropping the page cache needs root)")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("batch")
    parser.add_argument("--case", default=None)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.out_dir, args.batch, args.case, args.repeat, args.cold)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json
          else "\n".join(report_lines(result)))


if __name__ == "__main__":
    main()
