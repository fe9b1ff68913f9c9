"""Benchmark: the default batch on 1 worker against 2 workers, in one run.

Usage::

    .venv/bin/python benchmarks/batch.py [--workers-a 1] [--workers-b 2] [--repeats R]

Runs ``model run`` with no notebook and no scenario named (every notebook for every
scenario of the default deal: 11 reports) with ``--force`` into two fresh temporary
folders, first on ``--workers-a`` worker processes, then on ``--workers-b``, R times each
alternately, and prints the wall time of each (best of R), the ratio, the target (at least
1.6 times faster on 2 cores), the machine's cores and load, and whether both runs gave the
same key figures (byte-identical JSON, apart from nothing: the JSON carries no run time).
Wall-clock numbers depend on the machine; nothing here is asserted by the tests.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 1.6


def _run(workers: int, out: Path) -> tuple[float, int]:
    from model.run.batch import run_batch

    start = time.perf_counter()
    result = run_batch(
        out=out, workers=workers, force=True, progress_bar=False, progress=open(os.devnull, "w")
    )
    seconds = time.perf_counter() - start
    if result.failed:
        raise SystemExit(f"{len(result.failed)} report(s) failed: {result.failed}")
    return seconds, len(result.entries)


def _same_key_figures(a: Path, b: Path) -> bool:
    ja = sorted(p.relative_to(a) for p in a.rglob("*.json") if p.name != "index.json")
    jb = sorted(p.relative_to(b) for p in b.rglob("*.json") if p.name != "index.json")
    return ja == jb and all(filecmp.cmp(a / p, b / p, shallow=False) for p in ja)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers-a", type=int, default=1)
    parser.add_argument("--workers-b", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    with tempfile.TemporaryDirectory() as tmp:
        out_a, out_b = Path(tmp) / "a", Path(tmp) / "b"
        times_a, times_b = [], []
        reports = 0
        for _ in range(args.repeats):
            t, reports = _run(args.workers_a, out_a)
            times_a.append(t)
            t, _ = _run(args.workers_b, out_b)
            times_b.append(t)
        same = _same_key_figures(out_a, out_b)
    a, b = min(times_a), min(times_b)
    ratio = a / b
    print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.2f}")
    print(
        f"default batch: {reports} reports (every notebook for every scenario), --force, best of {args.repeats}"
    )
    print(f"  {args.workers_a} worker{'s' if args.workers_a != 1 else ''}: {a:6.1f} s")
    print(f"  {args.workers_b} worker{'s' if args.workers_b != 1 else ''}: {b:6.1f} s")
    print(
        f"  ratio: {ratio:.2f}x (target at least {TARGET}x: {'met' if ratio >= TARGET else 'NOT met'})"
    )
    print(f"  key figures identical between the two runs: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
