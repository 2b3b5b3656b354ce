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
``--widen N`` measures instead ``BATCH-xN`` beside it (made once, ``widen``): the batch with each
case folder copied N-1 more times under new ids, with its manifest record and approvals — 1,000
cases without building 1,000 (the pages read the records and the files, not what they say).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import pipeline.batch.manifest as manifest_module
from pipeline.batch.manifest import (
    InputRecord,
    Manifest,
    file_stamp,
    load_approvals,
    read_manifest,
    write_approvals,
    write_manifest,
)

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


def widen(batch_dir: Path, dest: Path, times: int) -> None:
    """A batch of ``times`` × the cases of ``batch_dir`` at ``dest``: the batch folder copied,
    then each case's folder copied ``times - 1`` more times as ``<id>_c1`` …, with its manifest
    record and its approvals; the stamps taken of the copies (the sha256 stay the built ones)."""
    manifest = read_manifest(batch_dir)
    if manifest is None:
        raise SystemExit(f"{batch_dir}: manifest.json がありません")
    approvals = load_approvals(batch_dir)
    shutil.copytree(batch_dir, dest)
    records, approved = [], []
    for copy_number in range(times):
        for record in manifest.inputs:
            if copy_number and not record.case_id:
                continue  # an unreadable workbook has no case to copy
            new_id = f"{record.case_id}_c{copy_number}" if copy_number else record.case_id or ""
            if copy_number and (batch_dir / str(record.case_id)).is_dir():
                shutil.copytree(batch_dir / str(record.case_id), dest / new_id)
            records.append(_copied_record(record, new_id, dest))
        approved += [a if not copy_number else
                     replace(a, case_id=f"{a.case_id}_c{copy_number}",
                             folder=_moved(a.folder, a.case_id, f"{a.case_id}_c{copy_number}"))
                     for a in approvals]
    write_manifest(dest, Manifest(dest.name, manifest.key, manifest.generated_at, records))
    write_approvals(dest, approved, revoked=[])


def _copied_record(record: InputRecord, new_id: str, dest: Path) -> InputRecord:
    copied = copy.deepcopy(record)
    old = record.case_id or ""
    if old:
        copied.case_id, copied.folder = new_id, _moved(record.folder, old, new_id)
        for item in copied.documents + copied.packets:
            for key in ("docx", "pdf"):
                if key in item:
                    item[key] = _moved(item[key], old, new_id)
    for output in copied.outputs:
        output["path"] = _moved(output["path"], old, new_id)
        output["stamp"] = file_stamp(dest / output["path"])
    return copied


def _moved(path: str, old: str, new: str) -> str:
    """A batch-relative path of case ``old`` as the same path of case ``new``."""
    return new + path[len(old):] if old and (path == old or path.startswith(old + "/")) else path


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
    parser.add_argument("--widen", type=int, default=1, metavar="N")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    batch = args.batch
    if args.widen > 1:
        batch = f"{args.batch}-x{args.widen}"
        if not (args.out_dir / batch).exists():
            widen(args.out_dir / args.batch, args.out_dir / batch, args.widen)
    result = measure(args.out_dir, batch, args.case, args.repeat, args.cold)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json
          else "\n".join(report_lines(result)))


if __name__ == "__main__":
    main()
